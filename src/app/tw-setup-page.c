#include "config.h"

#include <glib/gi18n.h>

#include "tw-error.h"
#include "tw-session.h"
#include "tw-password.h"
#include "tw-setup-page.h"

/*
 * TwSetupPage: the first-run assistant. It collects the administrator's
 * name and password, checks them as the user types and emits
 * ::create-admin; the window does the slow part (Argon2id) in a worker and
 * reports back with set_busy() and set_error().
 */

struct _TwSetupPage
{
  AdwBin       parent_instance;

  /* Template widgets */
  AdwEntryRow *name_row;
  AdwEntryRow *password_row;
  AdwEntryRow *confirm_row;
  GtkLabel    *hint_label;
  GtkLabel    *error_label;
  GtkButton   *create_button;
  GtkStack    *button_stack;
  GtkSpinner  *spinner;

  /* Owned */
  gboolean     busy;
};

G_DEFINE_FINAL_TYPE (TwSetupPage, tw_setup_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum {
  CREATE_ADMIN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
set_row_error (AdwEntryRow *row,
               gboolean     error)
{
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

/* Returns whether the form may be submitted and shows what is missing. */
static gboolean
validate (TwSetupPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strstrip (g_strdup (row_text (self->name_row)));
  const char *password = row_text (self->password_row);
  const char *confirm = row_text (self->confirm_row);
  const char *hint = NULL;
  gboolean password_ok;
  gboolean confirm_ok;
  gboolean name_ok;

  /* The same check as every password change: length and the blocklist
   * of common passwords, the user's own name included. */
  password_ok = tw_password_check (password, name[0] != '\0' ? name : NULL, &error);
  confirm_ok = g_strcmp0 (password, confirm) == 0;

  set_row_error (self->password_row, password[0] != '\0' && !password_ok);
  set_row_error (self->confirm_row, confirm[0] != '\0' && !confirm_ok);

  name_ok = strpbrk (name, " \t") == NULL;
  set_row_error (self->name_row, !name_ok);

  if (!name_ok)
    hint = _("A user name cannot contain spaces");
  else if (password[0] != '\0' && !password_ok)
    hint = error != NULL ? error->message : _("This password is too weak");
  else if (confirm[0] != '\0' && !confirm_ok)
    hint = _("The passwords do not match");

  if (hint != NULL)
    {
      gtk_label_set_text (self->hint_label, hint);
      gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->hint_label), "dim-label");
    }
  else
    {
      /* Translators: NIST SP 800-63B's advice, shown under the fields */
      g_autofree char *policy = g_strdup_printf (_("At least %d characters; %d or more is better "
                                                   "\u2014 a few unrelated words work well"),
                                                 TW_PASSWORD_MIN_CHARS,
                                                 TW_PASSWORD_SUGGESTED_CHARS);
      gtk_label_set_text (self->hint_label, policy);
      gtk_widget_remove_css_class (GTK_WIDGET (self->hint_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "dim-label");
    }

  return name[0] != '\0' && name_ok && password_ok && confirm_ok && confirm[0] != '\0';
}

static void
update_actions (TwSetupPage *self)
{
  gboolean valid = validate (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.create", valid && !self->busy);
}

static void
on_changed (TwSetupPage *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);

  update_actions (self);
}

static void
on_name_activated (TwSetupPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
on_password_activated (TwSetupPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->confirm_row));
}

static void
on_confirm_activated (TwSetupPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "setup.create", NULL);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TwSetupPage *self = TW_SETUP_PAGE (widget);
  g_autofree char *name = NULL;

  if (self->busy || !validate (self))
    return;

  name = g_strstrip (g_strdup (row_text (self->name_row)));
  g_signal_emit (self, signals[CREATE_ADMIN], 0, name, row_text (self->password_row));
}

static void
tw_setup_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TwSetupPage *self = TW_SETUP_PAGE (object);

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
tw_setup_page_class_init (TwSetupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = tw_setup_page_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TwSetupPage::create-admin:
   * @self: the page
   * @name: the administrator's name, trimmed
   * @password: the password, already checked against the policy
   */
  signals[CREATE_ADMIN] =
    g_signal_new ("create-admin",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-setup-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwSetupPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, TwSetupPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, TwSetupPage, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, TwSetupPage, hint_label);
  gtk_widget_class_bind_template_child (widget_class, TwSetupPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, TwSetupPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, TwSetupPage, button_stack);
  gtk_widget_class_bind_template_child (widget_class, TwSetupPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_name_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_confirm_activated);

  gtk_widget_class_install_action (widget_class, "setup.create", NULL, create_action);
}

static void
tw_setup_page_init (TwSetupPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  update_actions (self);
}

/**
 * tw_setup_page_set_busy:
 * @self: the page
 * @busy: whether the store is being created
 *
 * While busy the form is read-only and the button shows a spinner.
 */
void
tw_setup_page_set_busy (TwSetupPage *self,
                        gboolean     busy)
{
  g_return_if_fail (TW_IS_SETUP_PAGE (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  /* Unfocus the entry before it turns insensitive: otherwise GTK 4.8 keeps
   * its cursor blinking without focus and warns about a lost focus-out. */
  if (busy && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    gtk_root_set_focus (gtk_widget_get_root (GTK_WIDGET (self)), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_row), !busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_stack_set_visible_child_name (self->button_stack, busy ? "busy" : "label");
  if (busy)
    gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update_actions (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

gboolean
tw_setup_page_get_busy (TwSetupPage *self)
{
  g_return_val_if_fail (TW_IS_SETUP_PAGE (self), FALSE);

  return self->busy;
}

/**
 * tw_setup_page_set_error:
 * @self: the page
 * @message: what went wrong, from the core
 *
 * Ends the busy state and shows @message under the form.
 */
void
tw_setup_page_set_error (TwSetupPage *self,
                         const char  *message)
{
  g_return_if_fail (TW_IS_SETUP_PAGE (self));
  g_return_if_fail (message != NULL);

  tw_setup_page_set_busy (self, FALSE);
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

/**
 * tw_setup_page_reset:
 * @self: the page
 *
 * Clears the passwords once they have been used.
 */
void
tw_setup_page_reset (TwSetupPage *self)
{
  g_return_if_fail (TW_IS_SETUP_PAGE (self));

  tw_setup_page_set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

void
tw_setup_page_focus (TwSetupPage *self)
{
  g_return_if_fail (TW_IS_SETUP_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}
