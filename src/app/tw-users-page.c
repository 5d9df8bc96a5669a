#include "config.h"

#include <glib/gi18n.h>

#include "tw-error.h"
#include "tw-password.h"
#include "tw-user-dialog.h"
#include "tw-users-page.h"
#include "tw-toasts.h"

/*
 * TwUsersPage: the administrator's list of accounts, with what can be
 * done to each (add, change role or wards, reset the password, disable or
 * enable, unlock after failed sign-ins, remove). Every change runs in a
 * GTask worker through the session, which the core audits. A one-time
 * password is shown once, in a dialog with a Copy button, and wiped from
 * memory when the dialog closes. Removing an account re-encrypts the
 * store: the page only asks (::remove-user) and the window runs it with
 * the pipeline detached, then answers with tw_users_page_remove_done().
 */

struct _TwUsersPage
{
  AdwBin            parent_instance;

  /* Template widgets */
  AdwToastOverlay  *toast_overlay;
  GtkStack         *stack;
  GtkSpinner       *loading_spinner;
  GtkListBox       *user_list;
  GtkLabel         *summary_label;
  GtkButton        *add_button;
  AdwStatusPage    *error_status;

  /* Borrowed */
  GtkWindow        *dialog;           /* weak: the open dialog of this page */
  GtkLabel         *password_label;   /* weak: inside the one-time password dialog */

  /* Owned */
  GPtrArray        *toasts;           /* AdwToast* shown and not dismissed yet */
  TwSessionGate    *gate;
  GCancellable     *cancellable;
  char             *me;
  GPtrArray        *users;            /* TwUserInfo*, as last read */
  GStrv             known_wards;
  char             *shown_password;   /* wiped when its dialog closes */
  guint             load_serial;
  guint             tasks_in_flight;
  gboolean          loaded;
};

G_DEFINE_FINAL_TYPE (TwUsersPage, tw_users_page, ADW_TYPE_BIN)

enum {
  REMOVE_USER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_load (TwUsersPage *self);

const TwUserInfo *
tw_users_page_get_user (TwUsersPage *self,
                        const char  *name)
{
  g_return_val_if_fail (TW_IS_USERS_PAGE (self), NULL);

  for (guint i = 0; self->users != NULL && i < self->users->len; i++)
    {
      const TwUserInfo *info = g_ptr_array_index (self->users, i);

      if (g_strcmp0 (info->name, name) == 0)
        return info;
    }

  return NULL;
}

static GtkWindow *
parent_window (TwUsersPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
track_dialog (TwUsersPage *self,
              GtkWindow   *dialog)
{
  GtkWindow *old = self->dialog;

  /* The old dialog may outlive its destruction (a task holds it): it must
   * not clear the pointer to the new one when it goes. */
  if (old != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (old), (gpointer *) &self->dialog);
      self->dialog = NULL;
      gtk_window_destroy (old);
    }
  self->dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->dialog);
}

void
tw_users_page_add_toast (TwUsersPage *self,
                         const char  *message)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  g_return_if_fail (TW_IS_USERS_PAGE (self));

  escaped = g_markup_escape_text (message, -1);
  toast = adw_toast_new (escaped);
  tw_toasts_track (self->toasts, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* The list */

static void
show_users (TwUsersPage *self)
{
  GtkWidget *child;
  guint locked = 0, disabled = 0, must_change = 0;
  g_autoptr(GString) summary = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->user_list))) != NULL)
    gtk_list_box_remove (self->user_list, child);

  for (guint i = 0; i < self->users->len; i++)
    {
      const TwUserInfo *info = g_ptr_array_index (self->users, i);

      gtk_list_box_append (self->user_list,
                           tw_user_list_row_new (info, g_strcmp0 (info->name, self->me) == 0));
      locked += info->locked_out || info->retry_at > 0;
      disabled += info->disabled;
      must_change += info->must_change && !info->disabled;
    }

  summary = g_string_new (NULL);
  g_string_printf (summary, g_dngettext (GETTEXT_PACKAGE, "%u user", "%u users",
                                         self->users->len),
                   self->users->len);
  /* Only what needs attention. Translators: "5 users · 1 locked out · 2 must change password" */
  if (locked > 0)
    g_string_append_printf (summary, _(" · %u locked out"), locked);
  if (disabled > 0)
    g_string_append_printf (summary, _(" · %u disabled"), disabled);
  if (must_change > 0)
    g_string_append_printf (summary, _(" · %u must change password"), must_change);
  gtk_label_set_text (self->summary_label, summary->str);

  gtk_spinner_set_spinning (self->loading_spinner, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "list");
}

/* The one-time password: shown once */

static void
wipe_shown_password (TwUsersPage *self)
{
  if (self->password_label != NULL)
    gtk_label_set_text (self->password_label, "");
  g_clear_pointer (&self->shown_password, tw_password_free);
}

static void
on_password_dialog_closed (TwUsersPage *self)
{
  wipe_shown_password (self);
}

static void
on_copy_clicked (TwUsersPage *self,
                 GtkButton   *button)
{
  if (self->shown_password == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), self->shown_password);
  gtk_button_set_label (button, _("Copied"));
}

static void
show_password (TwUsersPage *self,
               const char  *name,
               char        *password,
               gboolean     new_user)
{
  GtkWidget *dialog, *box, *label, *copy;

  wipe_shown_password (self);
  self->shown_password = password;

  dialog = adw_message_dialog_new (parent_window (self), NULL, NULL);
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog),
                                     new_user ? _("‘%s’ Was Added") : _("New Password for ‘%s’"),
                                     name);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Give this one-time password to %s in person. It works for "
                                    "one sign-in, where %s chooses a new password. It is not "
                                    "shown again."),
                                  name, name);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  label = gtk_label_new (password);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_widget_add_css_class (label, "one-time-password");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("One-time password"), -1);
  copy = gtk_button_new_with_mnemonic (_("_Copy"));
  gtk_widget_set_halign (copy, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (copy, "pill");
  g_signal_connect_object (copy, "clicked", G_CALLBACK (on_copy_clicked), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), copy);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "done", _("_Done"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "done");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "done");

  self->password_label = GTK_LABEL (label);
  g_object_add_weak_pointer (G_OBJECT (label), (gpointer *) &self->password_label);
  /* Any answer (Done, Escape) forgets it, and so does closing the window. */
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_password_dialog_closed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_password_dialog_closed), self,
                           G_CONNECT_SWAPPED);
  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Work in the worker */

static char *
describe_change (TwUserOp *op)
{
  switch (op->kind)
    {
    case TW_USER_OP_EDIT:
      return g_strdup_printf (_("Changed ‘%s’"), op->name);
    case TW_USER_OP_DISABLE:
      return g_strdup_printf (_("Disabled ‘%s’: they cannot sign in"), op->name);
    case TW_USER_OP_ENABLE:
      return g_strdup_printf (_("Enabled ‘%s’"), op->name);
    case TW_USER_OP_UNLOCK:
      return g_strdup_printf (_("Unlocked ‘%s’"), op->name);
    case TW_USER_OP_ADD:
    case TW_USER_OP_RESET:
    case TW_USER_OP_LOAD:
    case TW_USER_OP_REMOVE:
    default:
      return NULL;
    }
}

static void
op_done_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  TwUsersPage *self = TW_USERS_PAGE (object);
  TwUserOp *op = g_task_get_task_data (G_TASK (result));
  TwUserDialog *dialog = op->dialog != NULL ? TW_USER_DIALOG (op->dialog) : NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  self->tasks_in_flight--;

  if (op->kind == TW_USER_OP_LOAD)
    {
      if (!ok)
        {
          adw_status_page_set_description (self->error_status, error->message);
          gtk_stack_set_visible_child_name (self->stack, "error");
          return;
        }
      if (op->serial != self->load_serial)
        return;
      g_clear_pointer (&self->users, g_ptr_array_unref);
      g_clear_pointer (&self->known_wards, g_strfreev);
      self->users = g_steal_pointer (&op->users);
      self->known_wards = g_steal_pointer (&op->known_wards);
      self->loaded = TRUE;
      show_users (self);
      return;
    }

  if (!ok)
    {
      if (dialog != NULL && gtk_widget_get_visible (GTK_WIDGET (dialog)))
        tw_user_dialog_save_done (dialog, error);
      else
        tw_users_page_add_toast (self, error->message);
      start_load (self);
      return;
    }

  if (dialog != NULL)
    tw_user_dialog_save_done (dialog, NULL);
  if (op->password != NULL)
    {
      show_password (self, op->name, g_steal_pointer (&op->password), op->kind == TW_USER_OP_ADD);
    }
  else
    {
      g_autofree char *message = describe_change (op);

      if (message != NULL)
        tw_users_page_add_toast (self, message);
    }
  start_load (self);
}

static void
run_op (TwUsersPage *self,
        TwUserOp    *op)
{
  g_autoptr(GTask) task = NULL;

  self->tasks_in_flight++;
  task = g_task_new (self, self->cancellable, op_done_cb, NULL);
  g_task_set_source_tag (task, run_op);
  g_task_set_task_data (task, op, tw_user_op_free);
  g_task_run_in_thread (task, tw_user_op_run);
}

static void
start_load (TwUsersPage *self)
{
  TwUserOp *op;

  if (self->gate == NULL)
    return;

  if (!self->loaded)
    {
      gtk_spinner_set_spinning (self->loading_spinner, TRUE);
      gtk_stack_set_visible_child_name (self->stack, "loading");
    }

  op = tw_user_op_new (self->gate, TW_USER_OP_LOAD, NULL);
  op->serial = ++self->load_serial;
  run_op (self, op);
}

static void
simple_op (TwUsersPage  *self,
           TwUserOpKind  kind,
           const char   *name)
{
  if (self->gate == NULL || tw_users_page_get_user (self, name) == NULL)
    return;

  run_op (self, tw_user_op_new (self->gate, kind, name));
}

/* Dialogs */

static void
on_dialog_save (TwUsersPage        *self,
                const char         *name,
                guint               role,
                const char * const *wards,
                TwUserDialog       *dialog)
{
  const TwUserInfo *info = tw_users_page_get_user (self, name);
  gboolean adding = tw_user_dialog_get_adding (dialog);
  TwUserOp *op;

  if (self->gate == NULL)
    return;

  op = tw_user_op_new (self->gate, adding ? TW_USER_OP_ADD : TW_USER_OP_EDIT, name);
  op->role = (TwRole) role;
  op->change_role = adding || (info != NULL && info->role != op->role);
  op->wards = g_strdupv ((GStrv) wards);
  op->change_wards = TRUE;
  op->dialog = G_OBJECT (g_object_ref (dialog));
  run_op (self, op);
}

static void
open_user_dialog (TwUsersPage      *self,
                  const TwUserInfo *info)
{
  TwUserDialog *dialog = tw_user_dialog_new (parent_window (self), info,
                                             (const char * const *) self->known_wards);

  g_signal_connect_object (dialog, "save", G_CALLBACK (on_dialog_save), self, G_CONNECT_SWAPPED);
  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  TwUsersPage *self = TW_USERS_PAGE (user_data);
  const char *name = g_object_get_data (G_OBJECT (dialog), "user-name");
  g_autofree char *owned = g_strdup (name);

  if (g_str_equal (response, "reset"))
    simple_op (self, TW_USER_OP_RESET, owned);
  else if (g_str_equal (response, "remove"))
    {
      if (!g_signal_has_handler_pending (self, signals[REMOVE_USER], 0, FALSE))
        {
          tw_users_page_add_toast (self, _("Removing users is not available in this window."));
          return;
        }
      g_signal_emit (self, signals[REMOVE_USER], 0, owned);
    }
}

static void
confirm (TwUsersPage *self,
         const char  *name,
         const char  *response,
         const char  *label,
         const char  *heading,
         const char  *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    response, label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "user-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response), self, 0);
  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Actions */

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_user_dialog (TW_USERS_PAGE (widget), NULL);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwUsersPage *self = TW_USERS_PAGE (widget);
  const TwUserInfo *info = tw_users_page_get_user (self, g_variant_get_string (parameter, NULL));

  if (info != NULL)
    open_user_dialog (self, info);
}

static void
reset_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TwUsersPage *self = TW_USERS_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  if (tw_users_page_get_user (self, name) == NULL)
    return;

  heading = g_strdup_printf (_("Reset the Password of ‘%s’?"), name);
  body = g_strdup_printf (_("Their current password stops working now. You get a one-time "
                            "password to give to %s, who chooses a new one at the next "
                            "sign-in."), name);
  confirm (self, name, "reset", _("_Reset Password"), heading, body);
}

static void
disable_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  simple_op (TW_USERS_PAGE (widget), TW_USER_OP_DISABLE, g_variant_get_string (parameter, NULL));
}

static void
enable_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  simple_op (TW_USERS_PAGE (widget), TW_USER_OP_ENABLE, g_variant_get_string (parameter, NULL));
}

static void
unlock_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  simple_op (TW_USERS_PAGE (widget), TW_USER_OP_UNLOCK, g_variant_get_string (parameter, NULL));
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TwUsersPage *self = TW_USERS_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  if (tw_users_page_get_user (self, name) == NULL || g_strcmp0 (name, self->me) == 0)
    return;

  heading = g_strdup_printf (_("Remove ‘%s’?"), name);
  body = g_strdup_printf (_("%s can no longer sign in, and the whole store is re-encrypted with "
                            "a new key, so a copy of the old key file opens nothing written "
                            "from now on. This takes a moment for a large store; live data "
                            "keeps arriving meanwhile and is stored afterwards. What %s did "
                            "stays in the audit trail."),
                          name, name);
  confirm (self, name, "remove", _("_Remove and Re-Encrypt"), heading, body);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  tw_users_page_reload (TW_USERS_PAGE (widget));
}

static const char *managing_actions[] = {
  "users.add", "users.edit", "users.reset", "users.disable", "users.enable", "users.unlock",
  "users.remove", "users.reload",
};

static void
set_actions_enabled (TwUsersPage *self,
                     gboolean     enabled)
{
  for (guint i = 0; i < G_N_ELEMENTS (managing_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), managing_actions[i], enabled);
}

/* GObject */

static void
tw_users_page_dispose (GObject *object)
{
  TwUsersPage *self = (TwUsersPage *)object;

  tw_users_page_stop (self);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);

  G_OBJECT_CLASS (tw_users_page_parent_class)->dispose (object);
}

static void
tw_users_page_class_init (TwUsersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_users_page_dispose;

  /**
   * TwUsersPage::remove-user:
   * @name: the account to remove
   *
   * The administrator confirmed a removal. The handler runs it with the
   * store to itself and answers with tw_users_page_remove_done().
   */
  signals[REMOVE_USER] = g_signal_new ("remove-user", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-users-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwUsersPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TwUsersPage, stack);
  gtk_widget_class_bind_template_child (widget_class, TwUsersPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, TwUsersPage, user_list);
  gtk_widget_class_bind_template_child (widget_class, TwUsersPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, TwUsersPage, add_button);
  gtk_widget_class_bind_template_child (widget_class, TwUsersPage, error_status);

  gtk_widget_class_install_action (widget_class, "users.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "users.edit", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "users.reset", "s", reset_action);
  gtk_widget_class_install_action (widget_class, "users.disable", "s", disable_action);
  gtk_widget_class_install_action (widget_class, "users.enable", "s", enable_action);
  gtk_widget_class_install_action (widget_class, "users.unlock", "s", unlock_action);
  gtk_widget_class_install_action (widget_class, "users.remove", "s", remove_action);
  gtk_widget_class_install_action (widget_class, "users.reload", NULL, reload_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "users.add", NULL);
}

static void
tw_users_page_init (TwUsersPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
  set_actions_enabled (self, FALSE);
}

/**
 * tw_users_page_start:
 * @self: the page
 * @session: the signed-in session, borrowed until tw_users_page_stop();
 *   the page works only for roles that may manage users
 */
void
tw_users_page_start (TwUsersPage *self,
                     TwSession   *session)
{
  g_return_if_fail (TW_IS_USERS_PAGE (self));
  g_return_if_fail (session != NULL);

  tw_users_page_stop (self);

  if (!tw_session_can (session, TW_PERM_MANAGE_USERS))
    return;

  self->gate = tw_session_gate_new (session);
  self->cancellable = g_cancellable_new ();
  self->me = g_strdup (tw_session_get_user (session));
  set_actions_enabled (self, TRUE);
  start_load (self);
}

/**
 * tw_users_page_stop:
 * @self: the page
 *
 * Forgets the session. A change still running in a worker finishes first
 * (the session must not lose its key under it); its result is dropped.
 */
void
tw_users_page_stop (TwUsersPage *self)
{
  g_return_if_fail (TW_IS_USERS_PAGE (self));

  if (self->toasts != NULL)
    tw_toasts_dismiss_all (self->toasts);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->gate != NULL)
    tw_session_gate_close (self->gate);
  g_clear_pointer (&self->gate, tw_session_gate_unref);
  g_clear_pointer (&self->me, g_free);
  g_clear_pointer (&self->users, g_ptr_array_unref);
  g_clear_pointer (&self->known_wards, g_strfreev);
  self->tasks_in_flight = 0;
  self->loaded = FALSE;

  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  wipe_shown_password (self);

  if (self->user_list != NULL)
    {
      GtkWidget *child;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->user_list))) != NULL)
        gtk_list_box_remove (self->user_list, child);
      gtk_stack_set_visible_child_name (self->stack, "loading");
      set_actions_enabled (self, FALSE);
    }
}

void
tw_users_page_reload (TwUsersPage *self)
{
  g_return_if_fail (TW_IS_USERS_PAGE (self));

  start_load (self);
}

/**
 * tw_users_page_remove_done:
 * @self: the page
 * @name: the account
 * @error: (nullable): why it was not removed
 */
void
tw_users_page_remove_done (TwUsersPage  *self,
                           const char   *name,
                           const GError *error)
{
  g_autofree char *message = NULL;

  g_return_if_fail (TW_IS_USERS_PAGE (self));

  if (error != NULL)
    message = g_strdup_printf (_("‘%s’ was not removed: %s"), name, error->message);
  else
    message = g_strdup_printf (_("Removed ‘%s’; the store is re-encrypted with a new key"), name);
  tw_users_page_add_toast (self, message);
  start_load (self);
}

gboolean
tw_users_page_get_busy (TwUsersPage *self)
{
  g_return_val_if_fail (TW_IS_USERS_PAGE (self), FALSE);

  return self->tasks_in_flight > 0 || !self->loaded;
}

TwUserListRow *
tw_users_page_find_row (TwUsersPage *self,
                        const char  *name)
{
  g_return_val_if_fail (TW_IS_USERS_PAGE (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->user_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (TW_IS_USER_LIST_ROW (child) && g_strcmp0 (tw_user_list_row_get_name (TW_USER_LIST_ROW (child)), name) == 0)
      return TW_USER_LIST_ROW (child);

  return NULL;
}

const char *
tw_users_page_get_shown_password (TwUsersPage *self)
{
  g_return_val_if_fail (TW_IS_USERS_PAGE (self), NULL);

  return self->shown_password;
}

/**
 * tw_users_page_get_dialog:
 *
 * Returns: (transfer none) (nullable): the page's open dialog (add or
 *   change, a confirmation, the one-time password)
 */
GtkWindow *
tw_users_page_get_dialog (TwUsersPage *self)
{
  g_return_val_if_fail (TW_IS_USERS_PAGE (self), NULL);

  return self->dialog;
}
