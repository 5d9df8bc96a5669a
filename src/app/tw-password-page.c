#include "config.h"

#include <glib/gi18n.h>

#include "tw-password.h"
#include "tw-password-page.h"

/*
 * TwPasswordPage: a new password, after NIST SP 800-63B: at least 8
 * characters with 15 suggested, any characters, paste allowed, no
 * composition rules; the core's blocklist check (tw_password_check())
 * answers inline as the user types. Two uses: forced after a sign-in with
 * a one-time password (nothing else opens before), and "Change Password…"
 * from the primary menu. It emits ::change-password; the window runs the
 * re-wrap (Argon2id) in a worker and calls show_error() on failure.
 */

struct _TwPasswordPage
{
  AdwBin          parent_instance;

  /* Template widgets */
  AdwWindowTitle *window_title;
  AdwStatusPage  *status_page;
  AdwEntryRow    *current_row;
  AdwEntryRow    *new_row;
  AdwEntryRow    *confirm_row;
  GtkLabel       *hint_label;
  GtkButton      *cancel_button;
  GtkButton      *change_button;
  GtkStack       *button_stack;
  GtkSpinner     *spinner;

  /* Owned */
  char           *user;
  char           *server_error;   /* the last failure, until the user types */
  gboolean        one_time;
  gboolean        busy;
  gboolean        valid;
};

G_DEFINE_FINAL_TYPE (TwPasswordPage, tw_password_page, ADW_TYPE_BIN)

enum {
  CHANGE_PASSWORD,
  CANCEL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
set_hint (TwPasswordPage *self,
          const char     *text,
          gboolean        is_error)
{
  gtk_label_set_text (self->hint_label, text);
  if (is_error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->hint_label), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->hint_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "dim-label");
    }
}

static void
validate (TwPasswordPage *self)
{
  g_autoptr(GError) error = NULL;
  const char *password = row_text (self->new_row);
  const char *confirm = row_text (self->confirm_row);
  g_autofree char *policy = NULL;

  self->valid = FALSE;
  if (self->server_error != NULL)
    {
      set_hint (self, self->server_error, TRUE);
    }
  else if (password[0] != '\0' && !tw_password_check (password, self->user, &error))
    {
      set_hint (self, error->message, TRUE);
    }
  else if (confirm[0] != '\0' && g_strcmp0 (password, confirm) != 0)
    {
      set_hint (self, _("The passwords do not match"), TRUE);
    }
  else
    {
      /* Translators: NIST SP 800-63B's advice, shown under the fields */
      policy = g_strdup_printf (_("At least %d characters; %d or more is better \u2014 a few "
                                  "unrelated words work well"),
                                TW_PASSWORD_MIN_CHARS, TW_PASSWORD_SUGGESTED_CHARS);
      set_hint (self, policy, FALSE);
      self->valid = password[0] != '\0' && g_strcmp0 (password, confirm) == 0
                    && row_text (self->current_row)[0] != '\0';
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "password.change",
                                 self->valid && !self->busy);
}

static void
on_changed (TwPasswordPage *self)
{
  if (row_text (self->current_row)[0] != '\0')
    gtk_widget_remove_css_class (GTK_WIDGET (self->current_row), "error");
  g_clear_pointer (&self->server_error, g_free);
  validate (self);
}

static void
on_current_activated (TwPasswordPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->new_row));
}

static void
on_new_activated (TwPasswordPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->confirm_row));
}

static void
on_confirm_activated (TwPasswordPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "password.change", NULL);
}

static void
change_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TwPasswordPage *self = TW_PASSWORD_PAGE (widget);

  validate (self);
  if (!self->valid || self->busy)
    return;

  g_signal_emit (self, signals[CHANGE_PASSWORD], 0, row_text (self->current_row),
                 row_text (self->new_row));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TwPasswordPage *self = TW_PASSWORD_PAGE (widget);

  if (self->busy)
    return;

  tw_password_page_clear (self);
  g_signal_emit (self, signals[CANCEL], 0);
}

static void
tw_password_page_finalize (GObject *object)
{
  TwPasswordPage *self = (TwPasswordPage *)object;

  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->server_error, g_free);

  G_OBJECT_CLASS (tw_password_page_parent_class)->finalize (object);
}

static void
tw_password_page_class_init (TwPasswordPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tw_password_page_finalize;

  /**
   * TwPasswordPage::change-password:
   * @self: the page
   * @old_password: the current (or one-time) password
   * @new_password: the new one, already checked and confirmed
   */
  signals[CHANGE_PASSWORD] =
    g_signal_new ("change-password",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * TwPasswordPage::cancel:
   * @self: the page
   *
   * For a one-time password this means signing out.
   */
  signals[CANCEL] =
    g_signal_new ("cancel",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-password-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwPasswordPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, TwPasswordPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, TwPasswordPage, current_row);
  gtk_widget_class_bind_template_child (widget_class, TwPasswordPage, new_row);
  gtk_widget_class_bind_template_child (widget_class, TwPasswordPage, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, TwPasswordPage, hint_label);
  gtk_widget_class_bind_template_child (widget_class, TwPasswordPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TwPasswordPage, change_button);
  gtk_widget_class_bind_template_child (widget_class, TwPasswordPage, button_stack);
  gtk_widget_class_bind_template_child (widget_class, TwPasswordPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_current_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_new_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_confirm_activated);

  gtk_widget_class_install_action (widget_class, "password.change", NULL, change_action);
  gtk_widget_class_install_action (widget_class, "password.cancel", NULL, cancel_action);
}

static void
tw_password_page_init (TwPasswordPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  validate (self);
}

/**
 * tw_password_page_start:
 * @self: the page
 * @user: whose password changes
 * @one_time: %TRUE after a sign-in with a one-time password: the user
 *   must choose their own before anything else opens
 */
void
tw_password_page_start (TwPasswordPage *self,
                        const char     *user,
                        gboolean        one_time)
{
  g_autofree char *subtitle = NULL;

  g_return_if_fail (TW_IS_PASSWORD_PAGE (self));
  g_return_if_fail (user != NULL);

  g_free (self->user);
  self->user = g_strdup (user);
  self->one_time = !!one_time;

  adw_window_title_set_subtitle (self->window_title, user);
  if (one_time)
    {
      adw_status_page_set_title (self->status_page, _("Choose Your Own Password"));
      adw_status_page_set_description (self->status_page,
                                       _("You signed in with a one-time password from an "
                                         "administrator. Choose a password only you know "
                                         "before you continue."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->current_row),
                                     _("One-Time Password"));
      gtk_button_set_label (self->cancel_button, _("_Sign Out"));
    }
  else
    {
      adw_status_page_set_title (self->status_page, _("Change Your Password"));
      adw_status_page_set_description (self->status_page,
                                       _("Only your own password changes; the data stays "
                                         "encrypted with the same key."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->current_row),
                                     _("Current Password"));
      gtk_button_set_label (self->cancel_button, _("_Cancel"));
    }

  tw_password_page_clear (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->current_row));
}

/* Forgets what was typed (the fields hold passwords). */
void
tw_password_page_clear (TwPasswordPage *self)
{
  g_return_if_fail (TW_IS_PASSWORD_PAGE (self));

  tw_password_page_set_busy (self, FALSE);
  g_clear_pointer (&self->server_error, g_free);
  gtk_editable_set_text (GTK_EDITABLE (self->current_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->new_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->current_row), "error");
  validate (self);
}

void
tw_password_page_set_busy (TwPasswordPage *self,
                           gboolean        busy)
{
  g_return_if_fail (TW_IS_PASSWORD_PAGE (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  if (busy && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    gtk_root_set_focus (gtk_widget_get_root (GTK_WIDGET (self)), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->current_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->new_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "password.cancel", !busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_stack_set_visible_child_name (self->button_stack, busy ? "busy" : "label");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "password.change", self->valid && !busy);
}

gboolean
tw_password_page_get_busy (TwPasswordPage *self)
{
  g_return_val_if_fail (TW_IS_PASSWORD_PAGE (self), FALSE);

  return self->busy;
}

/**
 * tw_password_page_show_error:
 * @self: the page
 * @message: the core's message (a wrong current password, a weak new one)
 *
 * Keeps the new password (the user may only have mistyped the current
 * one) and puts the focus on the current password.
 */
void
tw_password_page_show_error (TwPasswordPage *self,
                             const char     *message)
{
  g_return_if_fail (TW_IS_PASSWORD_PAGE (self));
  g_return_if_fail (message != NULL);

  tw_password_page_set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->current_row), "");
  gtk_widget_add_css_class (GTK_WIDGET (self->current_row), "error");
  /* Set after clearing the field: on_changed() forgets it otherwise. */
  g_free (self->server_error);
  self->server_error = g_strdup (message);
  validate (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->current_row));
}

/* What the line under the fields says: the advice or an error. */
const char *
tw_password_page_get_hint (TwPasswordPage *self)
{
  g_return_val_if_fail (TW_IS_PASSWORD_PAGE (self), NULL);

  return gtk_label_get_text (self->hint_label);
}

gboolean
tw_password_page_get_hint_is_error (TwPasswordPage *self)
{
  g_return_val_if_fail (TW_IS_PASSWORD_PAGE (self), FALSE);

  return gtk_widget_has_css_class (GTK_WIDGET (self->hint_label), "error");
}

gboolean
tw_password_page_get_one_time (TwPasswordPage *self)
{
  g_return_val_if_fail (TW_IS_PASSWORD_PAGE (self), FALSE);

  return self->one_time;
}
