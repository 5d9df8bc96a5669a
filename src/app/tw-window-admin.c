#include "config.h"

#include <glib/gi18n.h>

#include "tw-admin-page.h"
#include "tw-break-glass-bar.h"
#include "tw-break-glass-dialog.h"
#include "tw-store-scope.h"
#include "tw-users-query.h"
#include "tw-window-private.h"

/*
 * The window's administration and emergency-access glue: the actions and
 * shortcuts (win.show-users, win.show-audit, win.break-glass,
 * win.close-break-glass), the break-glass bar under the alert banner, the
 * emergency-access dialog and the removal of a user (which re-encrypts
 * the store, so it runs through tw_window_run_exclusive()).
 *
 * Emergency access goes through the session (tw_session_break_glass()
 * keeps the grant's id, so signing out closes it); the worker borrows the
 * session through a TwSessionGate that tw_window_admin_stop() closes
 * before the window locks or frees the session.
 */

#define ADMIN_STATE_KEY "tw-window-admin"

typedef struct
{
  gint64  id;
  char   *key;      /* the entity key, for the monitor */
  char   *shown;    /* what the clinician typed, for the bar */
  char   *ward;
} Grant;

typedef struct
{
  TwBreakGlassBar    *bar;
  TwBreakGlassDialog *dialog;         /* weak */
  GtkWindow          *progress;       /* weak: the removal's progress dialog */
  TwSessionGate      *gate;
  TwSession          *gate_session;   /* what the gate was made for (not dereferenced) */
  GCancellable       *cancellable;
  GArray             *grants;         /* Grant */
  char               *removing;       /* the user being removed */
  gboolean            closing;
} AdminState;

static void
grant_clear (gpointer data)
{
  Grant *grant = data;

  g_clear_pointer (&grant->key, g_free);
  g_clear_pointer (&grant->shown, g_free);
  g_clear_pointer (&grant->ward, g_free);
}

static void
admin_state_free (gpointer data)
{
  AdminState *state = data;

  if (state->cancellable != NULL)
    g_cancellable_cancel (state->cancellable);
  g_clear_object (&state->cancellable);
  if (state->gate != NULL)
    tw_session_gate_close (state->gate);
  g_clear_pointer (&state->gate, tw_session_gate_unref);
  g_clear_pointer (&state->grants, g_array_unref);
  g_clear_pointer (&state->removing, g_free);
  g_free (state);
}

static AdminState *
get_state (TwWindow *self)
{
  return g_object_get_data (G_OBJECT (self), ADMIN_STATE_KEY);
}

static gboolean
session_usable (TwWindow *self)
{
  return self->session != NULL && !tw_session_is_locked (self->session);
}

static TwSessionGate *
ensure_gate (TwWindow *self)
{
  AdminState *state = get_state (self);

  if (state->gate != NULL && state->gate_session != self->session)
    {
      tw_session_gate_close (state->gate);
      g_clear_pointer (&state->gate, tw_session_gate_unref);
    }
  if (state->gate == NULL)
    {
      state->gate = tw_session_gate_new (self->session);
      state->gate_session = self->session;
    }

  return state->gate;
}

static void
set_action_enabled (TwWindow   *self,
                    const char *name,
                    gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* The bar */

static void
update_bar (TwWindow *self)
{
  AdminState *state = get_state (self);
  g_autofree char *text = NULL;

  /* Nothing about a patient shows while the screen is locked. */
  if (state->grants->len == 0 || !session_usable (self))
    {
      tw_break_glass_bar_set_text (state->bar, NULL);
      set_action_enabled (self, "close-break-glass", FALSE);
      return;
    }

  if (state->grants->len == 1)
    {
      const Grant *grant = &g_array_index (state->grants, Grant, 0);

      if (grant->ward != NULL)
        /* Translators: "Emergency access to MRN-4711 (Ward 7) is open: …" */
        text = g_strdup_printf (_("Emergency access to %s (%s) is open: it is recorded and "
                                  "reviewed by an administrator."),
                                grant->shown, grant->ward);
      else
        text = g_strdup_printf (_("Emergency access to %s is open: it is recorded and reviewed "
                                  "by an administrator."),
                                grant->shown);
    }
  else
    {
      text = g_strdup_printf (_("Emergency access to %u patients is open: it is recorded and "
                                "reviewed by an administrator."),
                              state->grants->len);
    }

  tw_break_glass_bar_set_text (state->bar, text);
  set_action_enabled (self, "close-break-glass", TRUE);
}

/* The monitor and the ward overview list what the session may see; a
 * grant opened or closed changes that, so they read again. */
static void
restart_patient_pages (TwWindow *self)
{
  if (!session_usable (self))
    return;

  tw_monitor_page_start (self->monitor_page, self->session, self->pipeline);
  tw_ward_page_start (self->ward_page, self->session, self->pipeline);
}

/* Opening a grant */

typedef struct
{
  TwSessionGate *gate;
  char          *patient;
  char          *reason;
  Grant          grant;
} OpenGrant;

static void
open_grant_free (gpointer data)
{
  OpenGrant *open = data;

  g_clear_pointer (&open->gate, tw_session_gate_unref);
  g_clear_pointer (&open->patient, g_free);
  g_clear_pointer (&open->reason, g_free);
  grant_clear (&open->grant);
  g_free (open);
}

/* The grant's entity key: the clinician's own list of grants names the
 * patient by key (their scope now includes it). */
static gboolean
find_granted_patient (TwSession  *session,
                      OpenGrant  *open,
                      GError    **error)
{
  g_autoptr(TwStore) store = tw_session_open_store (session, error);
  g_autoptr(GPtrArray) grants = NULL;

  if (store == NULL)
    return FALSE;
  grants = tw_store_list_break_glass (store, FALSE, error);
  if (grants == NULL)
    return FALSE;

  for (guint i = 0; i < grants->len; i++)
    {
      const TwBreakGlassRow *row = g_ptr_array_index (grants, i);

      if (row->id == open->grant.id)
        {
          open->grant.key = g_strdup (row->patient);
          open->grant.ward = g_strdup (row->ward);
          return TRUE;
        }
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("The emergency access was opened but cannot be found"));
  return FALSE;
}

static void
open_grant_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  OpenGrant *open = task_data;
  g_autoptr(GError) error = NULL;
  TwSession *session = tw_session_gate_enter (open->gate);
  gboolean ok;

  if (session == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Signed out");
      return;
    }

  open->grant.id = tw_session_break_glass (session, open->patient, open->reason, &error);
  ok = open->grant.id > 0 && find_granted_patient (session, open, &error);
  tw_session_gate_leave (open->gate);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
open_grant_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  TwWindow *self = TW_WINDOW (object);
  AdminState *state = get_state (self);
  OpenGrant *open = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  Grant grant = { 0 };

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (state != NULL && state->dialog != NULL)
        tw_break_glass_dialog_open_done (state->dialog, error);
      return;
    }
  if (state == NULL || self->session == NULL)
    return;

  /* Kept even when the screen locked meanwhile: the grant is open in the
   * session, and the bar comes back at the unlock. */
  grant.id = open->grant.id;
  grant.key = g_steal_pointer (&open->grant.key);
  grant.ward = g_steal_pointer (&open->grant.ward);
  grant.shown = g_strdup (open->patient);
  g_array_append_val (state->grants, grant);

  if (state->dialog != NULL)
    tw_break_glass_dialog_open_done (state->dialog, NULL);
  update_bar (self);
  if (!session_usable (self))
    return;

  restart_patient_pages (self);
  tw_monitor_page_show_patient (self->monitor_page, grant.key);
  tw_window_show_view (self, NULL);
}

static void
on_break_glass_open (TwWindow           *self,
                     const char         *patient,
                     const char         *reason,
                     TwBreakGlassDialog *dialog)
{
  AdminState *state = get_state (self);
  g_autoptr(GTask) task = NULL;
  OpenGrant *open;

  if (!session_usable (self))
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                     _("Nobody is signed in"));

      tw_break_glass_dialog_open_done (dialog, error);
      return;
    }

  open = g_new0 (OpenGrant, 1);
  open->gate = tw_session_gate_ref (ensure_gate (self));
  open->patient = g_strdup (patient);
  open->reason = g_strdup (reason);

  task = g_task_new (self, state->cancellable, open_grant_done_cb, NULL);
  g_task_set_source_tag (task, on_break_glass_open);
  g_task_set_task_data (task, open, open_grant_free);
  g_task_run_in_thread (task, open_grant_thread);
}

static void
break_glass_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  TwWindow *self = TW_WINDOW (user_data);
  AdminState *state = get_state (self);

  if (!session_usable (self) || !tw_session_can (self->session, TW_PERM_BREAK_GLASS))
    return;

  if (state->dialog == NULL)
    {
      state->dialog = tw_break_glass_dialog_new (GTK_WINDOW (self));
      g_object_add_weak_pointer (G_OBJECT (state->dialog), (gpointer *) &state->dialog);
      g_signal_connect_object (state->dialog, "open", G_CALLBACK (on_break_glass_open), self,
                               G_CONNECT_SWAPPED);
    }
  gtk_window_present (GTK_WINDOW (state->dialog));
}

/* Closing the grants */

typedef struct
{
  TwSessionGate *gate;
  GArray        *ids;   /* gint64 */
} CloseGrants;

static void
close_grants_free (gpointer data)
{
  CloseGrants *close = data;

  g_clear_pointer (&close->gate, tw_session_gate_unref);
  g_clear_pointer (&close->ids, g_array_unref);
  g_free (close);
}

static void
close_grants_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  CloseGrants *close = task_data;
  g_autoptr(GError) error = NULL;
  TwSession *session = tw_session_gate_enter (close->gate);

  if (session == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Signed out");
      return;
    }

  for (guint i = 0; i < close->ids->len && error == NULL; i++)
    tw_session_close_break_glass (session, g_array_index (close->ids, gint64, i), &error);
  tw_session_gate_leave (close->gate);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
close_grants_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  TwWindow *self = TW_WINDOW (object);
  AdminState *state = get_state (self);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (state == NULL)
    return;

  state->closing = FALSE;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Emergency access could not be closed: %s"),
                                                  error->message);

      tw_break_glass_bar_set_busy (state->bar, FALSE);
      tw_window_add_toast (self, message);
      return;
    }

  g_array_set_size (state->grants, 0);
  update_bar (self);
  tw_window_add_toast (self, _("Emergency access closed"));
  restart_patient_pages (self);
}

static void
close_break_glass_activated (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  TwWindow *self = TW_WINDOW (user_data);
  AdminState *state = get_state (self);
  g_autoptr(GTask) task = NULL;
  CloseGrants *close;

  if (state->grants->len == 0 || state->closing || !session_usable (self))
    return;

  close = g_new0 (CloseGrants, 1);
  close->gate = tw_session_gate_ref (ensure_gate (self));
  close->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < state->grants->len; i++)
    g_array_append_val (close->ids, g_array_index (state->grants, Grant, i).id);

  state->closing = TRUE;
  tw_break_glass_bar_set_busy (state->bar, TRUE);
  task = g_task_new (self, state->cancellable, close_grants_done_cb, NULL);
  g_task_set_source_tag (task, close_break_glass_activated);
  g_task_set_task_data (task, close, close_grants_free);
  g_task_run_in_thread (task, close_grants_thread);
}

/* Removing a user: the store is re-encrypted */

static gboolean
on_progress_close_request (GtkWindow *window)
{
  /* A rekey cannot be stopped halfway; the dialog goes when it is done. */
  return TRUE;
}

static void
show_remove_progress (TwWindow   *self,
                      const char *name)
{
  AdminState *state = get_state (self);
  GtkWidget *dialog, *spinner;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), NULL,
                                   _("The store is re-encrypted with a new key. Live data "
                                     "keeps arriving and is stored when this is done."));
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Removing ‘%s’…"), name);
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Re-encrypting"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), spinner);
  g_signal_connect (dialog, "close-request", G_CALLBACK (on_progress_close_request), NULL);

  state->progress = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &state->progress);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
remove_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TwWindow *self = TW_WINDOW (object);
  AdminState *state = get_state (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  TwUsersPage *page;

  g_task_propagate_boolean (G_TASK (result), &error);
  if (state == NULL)
    return;

  name = g_steal_pointer (&state->removing);
  if (state->progress != NULL)
    {
      g_signal_handlers_disconnect_by_func (state->progress, on_progress_close_request, NULL);
      gtk_window_destroy (state->progress);
    }

  if (!tw_window_is_signed_in (self))
    return;

  /* The pages were restarted with the new key; back to the users. */
  page = tw_admin_page_get_users_page (self->admin_page);
  tw_window_show_view (self, "users");
  tw_users_page_remove_done (page, name, error);
}

static void
on_remove_user (TwWindow    *self,
                const char  *name,
                TwUsersPage *page)
{
  AdminState *state = get_state (self);

  if (state->removing != NULL || !session_usable (self))
    return;

  state->removing = g_strdup (name);
  show_remove_progress (self, name);
  tw_window_run_exclusive (self, tw_user_remove_exclusive, g_strdup (name), g_free, NULL,
                           remove_done_cb, NULL);
}

/* Views */

static void
show_users_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  tw_window_show_view (TW_WINDOW (user_data), "users");
}

static void
show_audit_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  tw_window_show_view (TW_WINDOW (user_data), "audit");
}

static const GActionEntry admin_actions[] = {
  { "show-users", show_users_activated },
  { "show-audit", show_audit_activated },
  { "break-glass", break_glass_activated },
  { "close-break-glass", close_break_glass_activated },
};

static void
add_shortcut (GtkShortcutController *controller,
              guint                  key,
              GdkModifierType        modifiers,
              const char            *action)
{
  gtk_shortcut_controller_add_shortcut (controller,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (key, modifiers),
                                                          gtk_named_action_new (action)));
}

/**
 * tw_window_admin_init:
 * @self: the window, from its init
 *
 * Installs the actions and their shortcuts and puts the break-glass bar
 * under the alert banner.
 */
void
tw_window_admin_init (TwWindow *self)
{
  AdminState *state = g_new0 (AdminState, 1);
  GtkEventController *shortcuts;
  GtkWidget *banner_box;

  state->grants = g_array_new (FALSE, TRUE, sizeof (Grant));
  g_array_set_clear_func (state->grants, grant_clear);
  state->cancellable = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (self), ADMIN_STATE_KEY, state, admin_state_free);

  g_action_map_add_action_entries (G_ACTION_MAP (self), admin_actions,
                                   G_N_ELEMENTS (admin_actions), self);

  /* The window's own controller: the application's accelerators are set
   * up elsewhere, and these belong to this window's actions. */
  shortcuts = gtk_shortcut_controller_new ();
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_E,
                GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.break-glass");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_e,
                GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.break-glass");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_7, GDK_CONTROL_MASK,
                "win.show-users");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_8, GDK_CONTROL_MASK,
                "win.show-audit");
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  state->bar = TW_BREAK_GLASS_BAR (tw_break_glass_bar_new ());
  /* For the tests, which look at the bar as a person would. */
  g_object_set_data (G_OBJECT (self), "tw-break-glass-bar", state->bar);
  banner_box = gtk_widget_get_parent (GTK_WIDGET (self->alert_banner));
  gtk_box_insert_child_after (GTK_BOX (banner_box), GTK_WIDGET (state->bar),
                              GTK_WIDGET (self->alert_banner));

  g_signal_connect_object (tw_admin_page_get_users_page (self->admin_page), "remove-user",
                           G_CALLBACK (on_remove_user), self, G_CONNECT_SWAPPED);

  tw_window_admin_update (self);
}

/**
 * tw_window_admin_update:
 * @self: the window
 *
 * The session changed (signed in or out, locked, unlocked, another
 * user): actions follow the role, the bar follows the grants of this
 * session and hides while locked.
 */
void
tw_window_admin_update (TwWindow *self)
{
  AdminState *state = get_state (self);
  gboolean usable = session_usable (self);

  if (state == NULL)
    return;

  /* Signed out, or another session: the grants are not ours to show.
   * (Signing out always passes here with no session, so a new session
   * at the same address is never mistaken for the old one.) */
  if (self->session == NULL
      || (state->gate_session != NULL && self->session != state->gate_session))
    {
      g_array_set_size (state->grants, 0);
      if (state->dialog != NULL)
        {
          gtk_window_set_focus (GTK_WINDOW (state->dialog), NULL);
          gtk_window_destroy (GTK_WINDOW (state->dialog));
        }
      if (state->gate != NULL)
        tw_session_gate_close (state->gate);
      g_clear_pointer (&state->gate, tw_session_gate_unref);
      state->gate_session = NULL;
    }

  set_action_enabled (self, "show-users",
                      usable && tw_session_can (self->session, TW_PERM_MANAGE_USERS));
  set_action_enabled (self, "show-audit",
                      usable && tw_session_can (self->session, TW_PERM_READ_AUDIT));
  set_action_enabled (self, "break-glass",
                      usable && tw_session_can (self->session, TW_PERM_BREAK_GLASS));
  if (usable && state->gate == NULL)
    ensure_gate (self);
  update_bar (self);
}

/**
 * tw_window_admin_stop:
 * @self: the window
 *
 * Before the session locks or goes: waits for an emergency-access worker
 * still using it (a few milliseconds of SQL) and hides the bar.
 */
void
tw_window_admin_stop (TwWindow *self)
{
  AdminState *state = get_state (self);

  if (state == NULL)
    return;

  if (state->gate != NULL)
    tw_session_gate_close (state->gate);
  g_clear_pointer (&state->gate, tw_session_gate_unref);
  if (state->dialog != NULL)
    {
      gtk_window_set_focus (GTK_WINDOW (state->dialog), NULL);
      gtk_window_destroy (GTK_WINDOW (state->dialog));
    }
  tw_break_glass_bar_set_text (state->bar, NULL);
}
