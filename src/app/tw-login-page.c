#include "config.h"

#include <glib/gi18n.h>

#include "tw-login-page.h"

/*
 * TwLoginPage: user name and password. It emits ::sign-in and leaves the
 * slow part (Argon2id) to the window's worker; on failure the window calls
 * show_error(), which clears the password and keeps the focus there, and
 * shows the core's message, which never says which of the two was wrong.
 */

struct _TwLoginPage
{
  AdwBin       parent_instance;

  /* Template widgets */
  AdwEntryRow *user_row;
  AdwEntryRow *password_row;
  GtkLabel    *error_label;
  GtkButton   *sign_in_button;
  GtkStack    *button_stack;
  GtkSpinner  *spinner;
  GtkButton   *back_button;
  AdwStatusPage *status_page;

  /* Owned */
  gboolean     busy;
  gboolean     switching;
};

G_DEFINE_FINAL_TYPE (TwLoginPage, tw_login_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum {
  SIGN_IN,
  BACK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
can_sign_in (TwLoginPage *self)
{
  g_autofree char *user = g_strstrip (g_strdup (row_text (self->user_row)));

  return !self->busy && user[0] != '\0' && row_text (self->password_row)[0] != '\0';
}

static void
update_actions (TwLoginPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "login.sign-in", can_sign_in (self));
}

static void
on_user_changed (TwLoginPage *self)
{
  update_actions (self);
}

static void
on_password_changed (TwLoginPage *self)
{
  /* The error stays until the user types again, so it can be read. */
  if (row_text (self->password_row)[0] != '\0')
    gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");

  update_actions (self);
}

static void
on_user_activated (TwLoginPage *self)
{
  if (row_text (self->password_row)[0] == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "login.sign-in", NULL);
}

static void
on_password_activated (TwLoginPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "login.sign-in", NULL);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TwLoginPage *self = TW_LOGIN_PAGE (widget);
  g_autofree char *user = NULL;

  if (!can_sign_in (self))
    return;

  user = g_strstrip (g_strdup (row_text (self->user_row)));
  g_signal_emit (self, signals[SIGN_IN], 0, user, row_text (self->password_row));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwLoginPage *self = TW_LOGIN_PAGE (widget);

  if (self->busy || !self->switching)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  g_signal_emit (self, signals[BACK], 0);
}

static void
tw_login_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TwLoginPage *self = TW_LOGIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_login_page_class_init (TwLoginPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = tw_login_page_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TwLoginPage::sign-in:
   * @self: the page
   * @user: the user name, trimmed
   * @password: the password
   */
  signals[SIGN_IN] =
    g_signal_new ("sign-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * TwLoginPage::back:
   * @self: the page
   *
   * Switching users was cancelled: back to the lock screen.
   */
  signals[BACK] =
    g_signal_new ("back",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-login-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwLoginPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, TwLoginPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, TwLoginPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, TwLoginPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, TwLoginPage, button_stack);
  gtk_widget_class_bind_template_child (widget_class, TwLoginPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, TwLoginPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, TwLoginPage, status_page);
  gtk_widget_class_bind_template_callback (widget_class, on_user_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_password_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_user_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);

  gtk_widget_class_install_action (widget_class, "login.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "login.back", NULL, back_action);
}

static void
tw_login_page_init (TwLoginPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  update_actions (self);
}

/**
 * tw_login_page_reset:
 * @self: the page
 * @user: (nullable): the user name to prefill
 *
 * Clears the password and any error and puts the focus where the user will
 * type next.
 */
void
tw_login_page_reset (TwLoginPage *self,
                     const char  *user)
{
  g_return_if_fail (TW_IS_LOGIN_PAGE (self));

  tw_login_page_set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user != NULL ? user : "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");
  gtk_label_set_text (self->error_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  tw_login_page_focus (self);
}

void
tw_login_page_set_busy (TwLoginPage *self,
                        gboolean     busy)
{
  g_return_if_fail (TW_IS_LOGIN_PAGE (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  /* Unfocus the entry before it turns insensitive: otherwise GTK 4.8 keeps
   * its cursor blinking without focus and warns about a lost focus-out. */
  if (busy && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    gtk_root_set_focus (gtk_widget_get_root (GTK_WIDGET (self)), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->user_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "login.back", !busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_stack_set_visible_child_name (self->button_stack, busy ? "busy" : "label");
  update_actions (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

gboolean
tw_login_page_get_busy (TwLoginPage *self)
{
  g_return_val_if_fail (TW_IS_LOGIN_PAGE (self), FALSE);

  return self->busy;
}

/**
 * tw_login_page_show_error:
 * @self: the page
 * @message: the core's message ("Wrong user name or password")
 */
void
tw_login_page_show_error (TwLoginPage *self,
                          const char  *message)
{
  g_return_if_fail (TW_IS_LOGIN_PAGE (self));
  g_return_if_fail (message != NULL);

  tw_login_page_set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_widget_add_css_class (GTK_WIDGET (self->password_row), "error");
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

/**
 * tw_login_page_get_error:
 * @self: the page
 *
 * Returns: (nullable): the error shown, or %NULL when none is
 */
const char *
tw_login_page_get_error (TwLoginPage *self)
{
  g_return_val_if_fail (TW_IS_LOGIN_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

void
tw_login_page_focus (TwLoginPage *self)
{
  g_return_if_fail (TW_IS_LOGIN_PAGE (self));

  if (row_text (self->user_row)[0] == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

/**
 * tw_login_page_set_switching:
 * @self: the page
 * @locked_user: (nullable): the user whose locked session a sign-in here
 *   replaces, or %NULL for an ordinary sign-in
 *
 * While the window is locked another user may sign in at the same
 * workstation; monitoring goes on meanwhile, and Back returns to the lock
 * screen.
 */
void
tw_login_page_set_switching (TwLoginPage *self,
                             const char  *locked_user)
{
  g_autofree char *description = NULL;

  g_return_if_fail (TW_IS_LOGIN_PAGE (self));

  self->switching = locked_user != NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), self->switching);
  if (self->switching)
    {
      adw_status_page_set_title (self->status_page, _("Switch User"));
      /* Translators: %s is the user whose locked session ends */
      description = g_strdup_printf (_("Monitoring continues while you sign in. %s’s "
                                       "locked session ends when you do."), locked_user);
      adw_status_page_set_description (self->status_page, description);
    }
  else
    {
      adw_status_page_set_title (self->status_page, _("Sign In to Tidewatch"));
      adw_status_page_set_description (self->status_page,
                                       _("Patient data stays encrypted until you sign in."));
    }
}

gboolean
tw_login_page_get_switching (TwLoginPage *self)
{
  g_return_val_if_fail (TW_IS_LOGIN_PAGE (self), FALSE);

  return self->switching;
}
