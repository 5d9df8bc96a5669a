#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "tw-reader.h"
#include "tw-role.h"
#include "tw-window-private.h"

/*
 * The window's lock, after HIPAA's automatic logoff without stopping
 * the monitoring: Ctrl+L or the idle timeout stops every page (each drops
 * its TwReader, a key copy), locks the session (its key is wiped) and
 * tells the pipeline to let go of its key in a worker: from then on what
 * arrives is sealed into the spool and the rules keep running. The lock
 * page shows beds with open alerts (no names) and the spool's growth;
 * the notifier keeps sounding and announces without names.
 *
 * Unlock runs Argon2id in a worker, then attaches the pipeline with the
 * key (it merges the spool; a toast shows the progress) and restarts the
 * pages on the page shown before. Switch User signs another user in on
 * the login page; the running pipeline attaches with their key. A
 * one-time password leads to the password page first, which also serves
 * "Change Password…".
 *
 * A worker owns what it works on: the session and/or the pipeline move
 * into its task data and come back when it is done, so a window closed
 * meanwhile frees them only after the worker let go.
 */

#define LOCK_POLL_MS        1000
#define MERGE_POLL_MS       250
/* How long after an attach a merge may take to show up in the status. */
#define MERGE_START_WAIT_US (5 * G_USEC_PER_SEC)
#define MERGE_DONE_TOAST_S  5
#define READERS_GONE_WAIT_US (5 * G_USEC_PER_SEC)
#define READERS_GONE_POLL_US (10 * 1000)

static void
wipe_string (char **text)
{
  if (*text == NULL)
    return;

  sodium_memzero (*text, strlen (*text));
  g_clear_pointer (text, g_free);
}

static gboolean
task_was_cancelled (GAsyncResult *result)
{
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));

  return cancellable != NULL && g_cancellable_is_cancelled (cancellable);
}

/* The lock page and the nameless alarm */

static void
update_lock_page (TwWindow *self)
{
  g_autoptr(GPtrArray) alerts = NULL;
  g_autoptr(TwPipelineStatus) status = NULL;
  g_autoptr(TwAlertSnapshot) snapshot = NULL;

  /* A worker holds the pipeline for a moment: keep what is shown. */
  if (self->pipeline == NULL && (self->detaching || self->restarting))
    return;

  if (self->pipeline == NULL)
    {
      tw_lock_page_update (self->lock_page, NULL, FALSE, 0);
      return;
    }

  alerts = tw_pipeline_get_locked_alerts (self->pipeline);
  status = tw_pipeline_get_status (self->pipeline);
  tw_lock_page_update (self->lock_page, alerts, TRUE, status->spooled);

  /* Those called to alerts by sound still are; the notification names
   * nobody while locked (see tw_alert_notifier_set_locked()). */
  snapshot = tw_pipeline_get_alerts (self->pipeline);
  if (self->session != NULL && tw_session_can (self->session, TW_PERM_HANDLE_ALERTS))
    tw_alert_notifier_update (self->notifier, snapshot, NULL, NULL);
}

static gboolean
lock_poll_cb (gpointer user_data)
{
  update_lock_page (TW_WINDOW (user_data));

  return G_SOURCE_CONTINUE;
}

static void
show_lock_page (TwWindow *self)
{
  tw_login_page_set_switching (self->login_page, NULL);
  gtk_stack_set_visible_child_name (self->stack, "lock");
  tw_lock_page_focus (self->lock_page);
}

/* Detach: the pipeline lets go of its key (≤ one commit) and the session
 * wipes its own (after an audited "lock" row: SQL, so not on the main
 * thread) in a worker. */

typedef struct
{
  TwSession  *session;
  TwPipeline *pipeline;
} Detach;

static void
detach_free (gpointer data)
{
  Detach *detach = data;

  g_clear_pointer (&detach->pipeline, tw_window_free_pipeline);
  g_clear_pointer (&detach->session, tw_session_free);
  g_free (detach);
}

static void
detach_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Detach *detach = task_data;

  if (detach->pipeline != NULL)
    tw_pipeline_detach_key (detach->pipeline);
  if (detach->session != NULL)
    tw_session_lock (detach->session);
  g_task_return_boolean (task, TRUE);
}

static void
detach_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TwWindow *self = TW_WINDOW (object);
  Detach *detach = g_task_get_task_data (G_TASK (result));

  if (task_was_cancelled (result))
    return;

  self->detaching = FALSE;
  if (detach->pipeline != NULL)
    self->pipeline = g_steal_pointer (&detach->pipeline);
  if (detach->session != NULL)
    {
      self->session = g_steal_pointer (&detach->session);
      tw_window_admin_update (self);
    }
  tw_lock_page_set_ready (self->lock_page, !self->restarting);
  update_lock_page (self);
}

static void
detach (TwWindow *self,
        gboolean  lock_session)
{
  g_autoptr(GTask) task = NULL;
  Detach *work;

  if (self->pipeline == NULL && !lock_session)
    {
      /* A restart in flight detaches its new pipeline when it is done. */
      tw_lock_page_set_ready (self->lock_page, !self->restarting);
      return;
    }

  self->detaching = TRUE;
  tw_lock_page_set_ready (self->lock_page, FALSE);
  work = g_new0 (Detach, 1);
  work->pipeline = g_steal_pointer (&self->pipeline);
  if (lock_session)
    work->session = g_steal_pointer (&self->session);

  task = g_task_new (self, self->lock_cancellable, detach_done_cb, NULL);
  g_task_set_source_tag (task, detach);
  g_task_set_task_data (task, work, detach_free);
  g_task_run_in_thread (task, detach_thread);
}

/* A pipeline restarted while the window was locked lets go of its key. */
void
tw_window_lock_pipeline (TwWindow *self)
{
  detach (self, FALSE);
}

static void
stop_merge_watch (TwWindow *self)
{
  g_clear_handle_id (&self->merge_poll_source, g_source_remove);
  g_clear_handle_id (&self->merge_dismiss_source, g_source_remove);
  if (self->merge_toast != NULL)
    adw_toast_dismiss (self->merge_toast);
  g_clear_object (&self->merge_toast);
}

/**
 * tw_window_lock:
 * @self: a window
 *
 * Locks: the pages drop their readers, the session's key is wiped, the
 * pipeline goes on without a key (spooling), and the lock page shows.
 * Nothing happens when nobody is signed in; while already locked it
 * returns from Switch User to the lock page.
 */
void
tw_window_lock (TwWindow *self)
{
  const char *page;

  g_return_if_fail (TW_IS_WINDOW (self));

  if (self->locked)
    {
      if (self->session != NULL && tw_session_is_locked (self->session)
          && !tw_login_page_get_busy (self->login_page)
          && g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "login") == 0)
        show_lock_page (self);
      return;
    }
  if (self->session == NULL)
    return;
  if (tw_session_must_change_password (self->session))
    {
      /* Nothing is open before a one-time password is changed. */
      tw_window_sign_out (self);
      return;
    }

  page = gtk_stack_get_visible_child_name (self->stack);
  g_free (self->page_before_lock);
  self->page_before_lock = g_strdup (g_strcmp0 (page, "password") == 0
                                     ? self->page_before_password : page);
  tw_password_page_clear (self->password_page);

  self->locked = TRUE;
  self->locked_at = g_get_real_time ();
  stop_merge_watch (self);
  tw_window_stop_pages (self);
  /* The notification named a patient: it goes, and new ones name nobody. */
  tw_alert_notifier_set_locked (self->notifier, TRUE);
  gtk_revealer_set_reveal_child (self->audit_revealer, FALSE);

  tw_lock_page_start (self->lock_page, tw_session_get_user (self->session),
                      tw_role_to_label (tw_session_get_role (self->session)), self->locked_at);
  show_lock_page (self);
  detach (self, TRUE);
  g_clear_handle_id (&self->lock_poll_source, g_source_remove);
  self->lock_poll_source = g_timeout_add (LOCK_POLL_MS, lock_poll_cb, self);

  tw_window_update_view_actions (self);
  tw_window_admin_update (self);
}

/* Back from the lock: the caller restarts the pages. */
void
tw_window_end_lock (TwWindow *self)
{
  self->locked = FALSE;
  g_clear_handle_id (&self->lock_poll_source, g_source_remove);
  tw_alert_notifier_set_locked (self->notifier, FALSE);
  tw_lock_page_clear (self->lock_page);
  tw_login_page_set_switching (self->login_page, NULL);
}

/* Closing or signing out: workers in flight keep (and then free) what
 * they hold. */
void
tw_window_cancel_lock_work (TwWindow *self)
{
  if (self->lock_cancellable != NULL)
    g_cancellable_cancel (self->lock_cancellable);
  g_clear_object (&self->lock_cancellable);
  self->lock_cancellable = g_cancellable_new ();

  g_clear_handle_id (&self->lock_poll_source, g_source_remove);
  stop_merge_watch (self);
  self->locked = FALSE;
  self->detaching = FALSE;
  if (self->notifier != NULL)
    tw_alert_notifier_set_locked (self->notifier, FALSE);
}

/* Merge progress after an attach */

static gboolean
dismiss_merge_toast_cb (gpointer user_data)
{
  TwWindow *self = TW_WINDOW (user_data);

  self->merge_dismiss_source = 0;
  if (self->merge_toast != NULL)
    adw_toast_dismiss (self->merge_toast);
  g_clear_object (&self->merge_toast);

  return G_SOURCE_REMOVE;
}

/* One toast follows the merge: its title changes with the progress, and
 * the result stays for a moment. (Dismissing a toast while it is still
 * being shown and adding another at once crashes libadwaita 1.2's
 * overlay, so the toast is reused rather than replaced.) */
static void
set_status_message (TwWindow   *self,
                    const char *message,
                    gboolean    final)
{
  g_free (self->status_message);
  self->status_message = g_strdup (message);

  if (self->merge_toast == NULL)
    {
      AdwToast *toast = adw_toast_new (message);

      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_set_timeout (toast, final ? MERGE_DONE_TOAST_S : 0);
      if (!final)
        self->merge_toast = g_object_ref (toast);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }

  adw_toast_set_title (self->merge_toast, message);
  if (final && self->merge_dismiss_source == 0)
    self->merge_dismiss_source = g_timeout_add_seconds (MERGE_DONE_TOAST_S,
                                                        dismiss_merge_toast_cb, self);
}

static gboolean
merge_poll_cb (gpointer user_data)
{
  TwWindow *self = TW_WINDOW (user_data);
  g_autoptr(TwPipelineStatus) status = NULL;
  g_autofree char *message = NULL;

  if (self->pipeline == NULL)
    {
      self->merge_poll_source = 0;
      stop_merge_watch (self);
      return G_SOURCE_REMOVE;
    }

  status = tw_pipeline_get_status (self->pipeline);
  if (status->merging)
    {
      /* Translators: batches of samples received while the window was locked */
      message = g_strdup_printf (_("Storing %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                   " batches received while locked\u2026"),
                                 status->merge_done, status->merge_total);
      set_status_message (self, message, FALSE);
      return G_SOURCE_CONTINUE;
    }

  if (self->merge_toast != NULL
      || (status->merge_total > 0 && status->merge_done >= status->merge_total))
    {
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Stored %" G_GUINT64_FORMAT " batch received while locked",
                                              "Stored %" G_GUINT64_FORMAT " batches received while locked",
                                              status->merge_total > G_MAXULONG
                                              ? G_MAXULONG : (gulong) status->merge_total),
                                 status->merge_total);
      set_status_message (self, message, TRUE);
      self->merge_poll_source = 0;
      return G_SOURCE_REMOVE;
    }

  if (g_get_monotonic_time () - self->merge_watch_start > MERGE_START_WAIT_US)
    {
      self->merge_poll_source = 0;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/* After an attach (unlock, switch user, or a sign-in that found a spool
 * left by a locked window that quit): shows the merge's progress. */
void
tw_window_watch_merge (TwWindow *self)
{
  stop_merge_watch (self);
  if (self->pipeline == NULL)
    return;

  self->merge_watch_start = g_get_monotonic_time ();
  self->merge_poll_source = g_timeout_add (MERGE_POLL_MS, merge_poll_cb, self);
}

/* Unlock: the same user, Argon2id in a worker, then the pipeline attaches. */

typedef struct
{
  TwSession  *session;
  TwPipeline *pipeline;
  char       *password;
} Unlock;

static void
unlock_free (gpointer data)
{
  Unlock *unlock = data;

  wipe_string (&unlock->password);
  g_clear_pointer (&unlock->pipeline, tw_window_free_pipeline);
  g_clear_pointer (&unlock->session, tw_session_free);
  g_free (unlock);
}

static void
attach_session_key (TwPipeline *pipeline,
                    TwSession  *session)
{
  TwKey *key;

  if (pipeline == NULL)
    return;

  key = tw_session_dup_key (session);
  if (key != NULL)
    tw_pipeline_attach_key (pipeline, key);
  g_clear_pointer (&key, tw_key_free);
}

static void
unlock_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Unlock *unlock = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = tw_session_unlock (unlock->session, unlock->password, &error);

  wipe_string (&unlock->password);
  if (!ok)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  attach_session_key (unlock->pipeline, unlock->session);
  g_task_return_boolean (task, TRUE);
}

/* Open again on the page shown before. */
static void
reopen (TwWindow   *self,
        const char *page)
{
  g_autofree char *target = g_strdup (page);

  if (self->restart_cancellable == NULL)
    self->restart_cancellable = g_cancellable_new ();
  tw_window_start_pages (self);
  tw_window_show_page (self, target);
  tw_window_update_audit_warning (self);
  tw_window_admin_update (self);
  tw_window_watch_merge (self);
}

static void
unlock_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TwWindow *self = TW_WINDOW (object);
  Unlock *unlock = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (task_was_cancelled (result))
    return;

  self->session = g_steal_pointer (&unlock->session);
  self->pipeline = g_steal_pointer (&unlock->pipeline);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      tw_lock_page_show_error (self->lock_page, error->message);
      return;
    }

  tw_window_end_lock (self);
  reopen (self, self->page_before_lock);
}

void
tw_window_on_unlock (TwWindow   *self,
                     const char *password,
                     TwLockPage *page)
{
  g_autoptr(GTask) task = NULL;
  Unlock *unlock;

  if (!self->locked || self->detaching || self->session == NULL)
    return;

  tw_lock_page_set_busy (self->lock_page, TRUE);
  unlock = g_new0 (Unlock, 1);
  unlock->session = g_steal_pointer (&self->session);
  unlock->pipeline = g_steal_pointer (&self->pipeline);
  unlock->password = g_strdup (password);

  task = g_task_new (self, self->lock_cancellable, unlock_done_cb, NULL);
  g_task_set_source_tag (task, tw_window_on_unlock);
  g_task_set_task_data (task, unlock, unlock_free);
  g_task_run_in_thread (task, unlock_thread);
}

/* Switch User: the login page signs someone else in (tw-window.c's
 * sign-in takes the detached pipeline along). */

void
tw_window_on_switch_user (TwWindow   *self,
                          TwLockPage *page)
{
  if (!self->locked || self->detaching || self->session == NULL)
    return;

  tw_login_page_reset (self->login_page, NULL);
  tw_login_page_set_switching (self->login_page, tw_session_get_user (self->session));
  gtk_stack_set_visible_child_name (self->stack, "login");
  tw_login_page_focus (self->login_page);
}

void
tw_window_on_login_back (TwWindow    *self,
                         TwLoginPage *page)
{
  if (self->locked && self->session != NULL)
    show_lock_page (self);
}

/* Passwords */

typedef struct
{
  TwSession  *session;
  TwPipeline *pipeline;
  char       *old_password;
  char       *new_password;
  GStrv       urls;
  GPtrArray  *warnings;
  gboolean    one_time;
} Change;

static void
change_free (gpointer data)
{
  Change *change = data;

  wipe_string (&change->old_password);
  wipe_string (&change->new_password);
  g_clear_pointer (&change->pipeline, tw_window_free_pipeline);
  g_clear_pointer (&change->session, tw_session_free);
  g_clear_pointer (&change->urls, g_strfreev);
  g_clear_pointer (&change->warnings, g_ptr_array_unref);
  g_free (change);
}

static void
change_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Change *change = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = tw_session_change_password (change->session, change->old_password,
                                            change->new_password, &error);

  wipe_string (&change->old_password);
  wipe_string (&change->new_password);
  if (!ok)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* After a one-time password the store opens only now: the detached
   * pipeline of a switch attaches, or a new one starts. */
  if (change->one_time && !g_cancellable_is_cancelled (cancellable))
    {
      if (change->pipeline != NULL)
        attach_session_key (change->pipeline, change->session);
      else
        tw_window_start_pipeline (change->session, (const char * const *) change->urls,
                                  &change->pipeline, change->warnings);
    }

  g_task_return_boolean (task, TRUE);
}

static void
change_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TwWindow *self = TW_WINDOW (object);
  Change *change = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (task_was_cancelled (result))
    return;

  self->session = g_steal_pointer (&change->session);
  if (change->one_time)
    self->pipeline = g_steal_pointer (&change->pipeline);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      tw_password_page_show_error (self->password_page, error->message);
      return;
    }

  tw_password_page_clear (self->password_page);
  if (change->one_time)
    {
      tw_settings_set_last_user (self->settings, tw_session_get_user (self->session));
      if (self->locked)
        tw_window_end_lock (self);
      reopen (self, NULL);
      for (guint i = 0; i < change->warnings->len; i++)
        tw_window_add_toast (self, g_ptr_array_index (change->warnings, i));
    }
  else
    {
      tw_window_show_page (self, self->page_before_password);
    }
  tw_window_add_toast (self, _("Your password was changed"));
}

void
tw_window_on_change_password (TwWindow       *self,
                              const char     *old_password,
                              const char     *new_password,
                              TwPasswordPage *page)
{
  g_autoptr(GTask) task = NULL;
  Change *change;

  if (self->session == NULL)
    return;

  tw_password_page_set_busy (self->password_page, TRUE);
  change = g_new0 (Change, 1);
  change->one_time = tw_session_must_change_password (self->session);
  change->session = g_steal_pointer (&self->session);
  if (change->one_time)
    change->pipeline = g_steal_pointer (&self->pipeline);
  change->old_password = g_strdup (old_password);
  change->new_password = g_strdup (new_password);
  change->urls = g_strdupv (self->connect_urls);
  change->warnings = g_ptr_array_new_with_free_func (g_free);

  task = g_task_new (self, self->lock_cancellable, change_done_cb, NULL);
  g_task_set_source_tag (task, tw_window_on_change_password);
  g_task_set_task_data (task, change, change_free);
  g_task_run_in_thread (task, change_thread);
}

void
tw_window_on_password_cancel (TwWindow       *self,
                              TwPasswordPage *page)
{
  if (self->session == NULL)
    return;

  if (!tw_session_must_change_password (self->session))
    {
      tw_window_show_page (self, self->page_before_password);
      return;
    }

  if (self->locked)
    {
      /* A switch to a one-time password, abandoned: the earlier user's
       * session is gone, the pipeline keeps spooling until somebody signs
       * in (the sign-in attaches it). */
      g_clear_pointer (&self->session, tw_session_free);
      tw_window_show_login (self);
      tw_window_admin_update (self);
      return;
    }

  tw_window_sign_out (self);
}

/* Shows the password page; a one-time password allows nothing else. */
void
tw_window_ask_new_password (TwWindow *self,
                            gboolean  one_time)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (!one_time)
    {
      g_free (self->page_before_password);
      self->page_before_password = g_strdup (page);
    }
  tw_login_page_reset (self->login_page, tw_session_get_user (self->session));
  tw_login_page_set_switching (self->login_page, NULL);
  tw_setup_page_reset (self->setup_page);
  tw_password_page_start (self->password_page, tw_session_get_user (self->session), one_time);
  gtk_stack_set_visible_child_name (self->stack, "password");
  tw_window_update_view_actions (self);
}

static void
change_password_activated (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  TwWindow *self = TW_WINDOW (user_data);

  if (tw_window_is_signed_in (self))
    tw_window_ask_new_password (self, FALSE);
}

/* The audit check's warning, for administrators */

void
tw_window_update_audit_warning (TwWindow *self)
{
  const char *warning = NULL;
  g_autofree char *text = NULL;

  if (self->session != NULL && !self->locked)
    warning = tw_session_get_audit_warning (self->session);

  if (warning != NULL)
    {
      /* Translators: %s is the audit check's finding */
      text = g_strdup_printf (_("Audit check: %s"), warning);
      gtk_label_set_text (self->audit_label, text);
    }
  gtk_revealer_set_reveal_child (self->audit_revealer, warning != NULL);
}

static void
dismiss_audit_warning_activated (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  gtk_revealer_set_reveal_child (TW_WINDOW (user_data)->audit_revealer, FALSE);
}

/* Exclusive use of the store (a rekey after removing a user) */

typedef struct
{
  TwSession           *session;
  TwPipeline          *pipeline;
  TwExclusiveFunc      func;
  gpointer             data;
  GDestroyNotify       data_free;
  GCancellable        *cancellable;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
  char                *page;
} Exclusive;

static void
exclusive_free (gpointer data)
{
  Exclusive *exclusive = data;

  if (exclusive->data_free != NULL)
    g_clear_pointer (&exclusive->data, exclusive->data_free);
  g_clear_pointer (&exclusive->pipeline, tw_window_free_pipeline);
  g_clear_pointer (&exclusive->session, tw_session_free);
  g_clear_object (&exclusive->cancellable);
  g_free (exclusive->page);
  g_free (exclusive);
}

static void
exclusive_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Exclusive *exclusive = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (exclusive->pipeline != NULL)
    tw_pipeline_detach_key (exclusive->pipeline);

  /* The pages dropped their readers, but a query still running holds one
   * (and its connection) until it returns: a rekey needs them closed. */
  for (gint64 deadline = g_get_monotonic_time () + READERS_GONE_WAIT_US;
       tw_reader_get_n_alive () > 0 && g_get_monotonic_time () < deadline;)
    g_usleep (READERS_GONE_POLL_US);

  ok = exclusive->func (exclusive->session, exclusive->data, exclusive->cancellable, &error);

  /* With the session's key as it is now (new after a rekey); what
   * arrived meanwhile was spooled and is merged. */
  attach_session_key (exclusive->pipeline, exclusive->session);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
exclusive_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TwWindow *self = TW_WINDOW (object);
  Exclusive *exclusive = g_task_get_task_data (G_TASK (result));

  if (task_was_cancelled (result))
    return;

  self->session = g_steal_pointer (&exclusive->session);
  self->pipeline = g_steal_pointer (&exclusive->pipeline);
  reopen (self, exclusive->page);

  if (exclusive->callback != NULL)
    exclusive->callback (object, result, exclusive->user_data);
}

void
tw_window_run_exclusive (TwWindow            *self,
                         TwExclusiveFunc      func,
                         gpointer             task_data,
                         GDestroyNotify       task_data_free,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Exclusive *exclusive;

  g_return_if_fail (TW_IS_WINDOW (self));
  g_return_if_fail (func != NULL);

  exclusive = g_new0 (Exclusive, 1);
  exclusive->func = func;
  exclusive->data = task_data;
  exclusive->data_free = task_data_free;
  exclusive->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  exclusive->callback = callback;
  exclusive->user_data = user_data;
  exclusive->page = g_strdup (gtk_stack_get_visible_child_name (self->stack));

  task = g_task_new (self, self->lock_cancellable, exclusive_done_cb, NULL);
  g_task_set_source_tag (task, tw_window_run_exclusive);
  g_task_set_task_data (task, exclusive, exclusive_free);

  if (!tw_window_is_signed_in (self) || self->restarting)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("The store is busy; try again in a moment"));
      return;
    }

  /* Every reader (a connection and a key copy) goes first. */
  tw_window_stop_pages (self);
  exclusive->session = g_steal_pointer (&self->session);
  exclusive->pipeline = g_steal_pointer (&self->pipeline);
  g_task_run_in_thread (task, exclusive_thread);
}

/* Actions */

void
tw_window_lock_init (TwWindow *self)
{
  static const GActionEntry actions[] = {
    { "change-password", change_password_activated },
    { "dismiss-audit-warning", dismiss_audit_warning_activated },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  self->lock_cancellable = g_cancellable_new ();
}
