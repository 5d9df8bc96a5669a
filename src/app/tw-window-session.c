#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "tw-error.h"
#include "tw-window-private.h"

/*
 * The window's session: signing in (or creating the first administrator)
 * in a worker, starting the pipeline there, starting and stopping the
 * pages that follow the session, the idle lock's timer, and signing out.
 * Switching users at the lock screen goes through the same sign-in: the
 * running, detached pipeline goes with the worker and attaches with the
 * new session's key.
 */

#define IDLE_CHECK_INTERVAL_S 5

/* SignIn: a login or a first-run setup, run in a worker thread. */

typedef struct
{
  char       *data_dir;
  char       *user;
  char       *password;
  GStrv       urls;
  TwKdfCost   cost;
  gboolean    initialize;

  TwSession  *session;
  TwPipeline *pipeline;        /* a detached one when switching users */
  GPtrArray  *warnings;
  gboolean    must_change;
} SignIn;

static void
wipe_string (char **text)
{
  if (*text == NULL)
    return;

  sodium_memzero (*text, strlen (*text));
  g_clear_pointer (text, g_free);
}

void
tw_window_free_pipeline (TwPipeline *pipeline)
{
  tw_pipeline_stop (pipeline);
  tw_pipeline_free (pipeline);
}

static void
sign_in_free (gpointer data)
{
  SignIn *sign_in = data;

  wipe_string (&sign_in->password);
  g_clear_pointer (&sign_in->data_dir, g_free);
  g_clear_pointer (&sign_in->user, g_free);
  g_clear_pointer (&sign_in->urls, g_strfreev);
  g_clear_pointer (&sign_in->pipeline, tw_window_free_pipeline);
  g_clear_pointer (&sign_in->session, tw_session_free);
  g_clear_pointer (&sign_in->warnings, g_ptr_array_unref);
  g_free (sign_in);
}

/* Sources are started here too: opening the writer and registering the
 * sources are SQL, which the main thread never runs (call it in a
 * worker). A source that cannot start does not keep the user out; it
 * becomes a warning. A spool left by a locked window that quit is merged
 * first by the pipeline itself. */
void
tw_window_start_pipeline (TwSession          *session,
                          const char * const *urls,
                          TwPipeline        **out_pipeline,
                          GPtrArray          *warnings)
{
  g_autoptr(GError) error = NULL;
  TwPipeline *pipeline;

  *out_pipeline = pipeline = tw_pipeline_new (session, &error);
  if (pipeline == NULL)
    {
      g_ptr_array_add (warnings,
                       g_strdup_printf (_("Live data is not available: %s"), error->message));
      return;
    }

  if (!tw_pipeline_add_stored_sources (pipeline, &error))
    {
      g_ptr_array_add (warnings,
                       g_strdup_printf (_("Stored data sources could not be started: %s"),
                                        error->message));
      g_clear_error (&error);
    }

  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    {
      if (!tw_pipeline_add_source (pipeline, urls[i], &error))
        {
          g_ptr_array_add (warnings,
                           g_strdup_printf (_("Could not add the source %s: %s"),
                                            urls[i], error->message));
          g_clear_error (&error);
        }
    }

  tw_pipeline_start (pipeline);
}

static void
sign_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SignIn *sign_in = task_data;
  g_autoptr(GError) error = NULL;

  if (sign_in->initialize)
    sign_in->session = tw_session_initialize (sign_in->data_dir, sign_in->user,
                                              sign_in->password, sign_in->cost, &error);
  else
    sign_in->session = tw_session_login (sign_in->data_dir, sign_in->user,
                                         sign_in->password, &error);
  wipe_string (&sign_in->password);

  if (sign_in->session == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, TW_ERROR, TW_ERROR_FAILED, _("Signing in failed"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A one-time password opens nothing until it is changed: the pipeline
   * starts (or attaches) after the password page. */
  sign_in->must_change = tw_session_must_change_password (sign_in->session);
  if (!sign_in->must_change && !g_cancellable_is_cancelled (cancellable))
    {
      if (sign_in->pipeline != NULL)
        {
          /* Switching users at the lock screen: the running pipeline
           * takes the new session's key and merges what it spooled. */
          TwKey *key = tw_session_dup_key (sign_in->session);

          tw_pipeline_attach_key (sign_in->pipeline, key);
          tw_key_free (key);
        }
      else
        {
          tw_window_start_pipeline (sign_in->session, (const char * const *) sign_in->urls,
                                    &sign_in->pipeline, sign_in->warnings);
        }
    }

  g_task_return_boolean (task, TRUE);
}

static gboolean
idle_check_cb (gpointer user_data)
{
  TwWindow *self = TW_WINDOW (user_data);
  guint minutes = tw_settings_get_idle_lock_minutes (self->settings);

  if (minutes > 0
      && g_get_monotonic_time () - self->last_input_time > (gint64) minutes * 60 * G_USEC_PER_SEC)
    {
      g_debug ("No input for %u minutes: locking", minutes);
      self->idle_source = 0;
      tw_window_lock (self);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/* The pages follow the session and the pipeline: each makes its reader
 * (a key copy) here and drops it in tw_window_stop_pages(). */
void
tw_window_start_pages (TwWindow *self)
{
  TwSession *session = self->session;

  g_assert (session != NULL);

  tw_monitor_page_start (self->monitor_page, session, self->pipeline);
  tw_ward_page_start (self->ward_page, session, self->pipeline);
  if (tw_session_can (session, TW_PERM_MANAGE_SOURCES))
    {
      tw_admin_page_start (self->admin_page, session, self->pipeline);
      tw_rules_page_start (self->rules_page, session, self->pipeline);
    }
  tw_alerts_page_start (self->alerts_page, session, self->pipeline);
  tw_window_update_view_actions (self);

  self->last_input_time = g_get_monotonic_time ();
  g_clear_handle_id (&self->idle_source, g_source_remove);
  self->idle_source = g_timeout_add_seconds (IDLE_CHECK_INTERVAL_S, idle_check_cb, self);
}

/* Every page forgets the session: readers dropped, lists emptied. */
void
tw_window_stop_pages (TwWindow *self)
{
  tw_window_admin_stop (self);
  g_clear_handle_id (&self->idle_source, g_source_remove);

  if (self->monitor_page != NULL)
    tw_monitor_page_stop (self->monitor_page);
  if (self->ward_page != NULL)
    tw_ward_page_stop (self->ward_page);
  if (self->admin_page != NULL)
    tw_admin_page_stop (self->admin_page);
  if (self->alerts_page != NULL)
    tw_alerts_page_stop (self->alerts_page);
  if (self->rules_page != NULL)
    tw_rules_page_stop (self->rules_page);
  if (self->alert_banner != NULL)
    tw_alert_banner_hide (self->alert_banner);
}

/* Who may browse trends starts at the central station and opens a
 * patient from there; operators keep the patient list they know. */
void
tw_window_show_landing (TwWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack,
                                    tw_session_can (self->session, TW_PERM_BROWSE_TRENDS)
                                    ? "ward" : "monitor");
}

/* Back to a page shown before (a lock, a password change), if it is one
 * the session may see. */
void
tw_window_show_page (TwWindow   *self,
                     const char *page)
{
  if (page == NULL || g_str_equal (page, "setup") || g_str_equal (page, "login")
      || g_str_equal (page, "lock") || g_str_equal (page, "password"))
    tw_window_show_landing (self);
  else if (g_str_equal (page, "admin") || g_str_equal (page, "rules"))
    tw_session_can (self->session, TW_PERM_MANAGE_SOURCES)
      ? gtk_stack_set_visible_child_name (self->stack, page) : tw_window_show_landing (self);
  else if (g_str_equal (page, "alerts"))
    g_action_group_get_action_enabled (G_ACTION_GROUP (self), "show-alerts")
      ? gtk_stack_set_visible_child_name (self->stack, page) : tw_window_show_landing (self);
  else
    gtk_stack_set_visible_child_name (self->stack, page);
}

void
tw_window_add_toast (TwWindow   *self,
                     const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
signed_in (TwWindow   *self,
           GPtrArray  *warnings)
{
  g_assert (self->session != NULL);

  tw_settings_set_last_user (self->settings, tw_session_get_user (self->session));
  tw_setup_page_reset (self->setup_page);
  tw_login_page_reset (self->login_page, tw_session_get_user (self->session));
  tw_login_page_set_switching (self->login_page, NULL);

  if (self->restart_cancellable == NULL)
    self->restart_cancellable = g_cancellable_new ();
  tw_window_start_pages (self);
  tw_window_show_landing (self);

  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    tw_window_add_toast (self, g_ptr_array_index (warnings, i));

  tw_window_update_audit_warning (self);
  tw_window_admin_update (self);
  tw_window_watch_merge (self);
}

static void
sign_in_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TwWindow *self = TW_WINDOW (object);
  GTask *task = G_TASK (result);
  SignIn *sign_in = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean switching = self->locked;

  if (!g_task_propagate_boolean (task, &error))
    {
      /* Cancelled: the window is going away; sign_in_free() drops the
       * session and the pipeline. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* A failed switch: the detached pipeline comes back, still
       * spooling, and the locked session stays. */
      if (switching)
        self->pipeline = g_steal_pointer (&sign_in->pipeline);
      if (sign_in->initialize)
        tw_setup_page_set_error (self->setup_page, error->message);
      else
        tw_login_page_show_error (self->login_page, error->message);
      return;
    }

  g_clear_object (&self->sign_in_cancellable);
  /* Switching users: the locked session ends here. */
  g_clear_pointer (&self->session, tw_session_free);
  self->session = g_steal_pointer (&sign_in->session);
  self->pipeline = g_steal_pointer (&sign_in->pipeline);

  if (sign_in->must_change)
    {
      /* Still locked (a switch) or not yet started: nothing opens, and a
       * detached pipeline keeps spooling, until the password changes. */
      tw_window_ask_new_password (self, TRUE);
      tw_window_admin_update (self);
      return;
    }

  if (switching)
    {
      /* Another user: the alarm follows their role from here on. */
      tw_alert_notifier_reset (self->notifier);
      tw_window_end_lock (self);
    }
  signed_in (self, sign_in->warnings);
}

static void
run_sign_in (TwWindow   *self,
             const char *user,
             const char *password,
             gboolean    initialize)
{
  g_autoptr(GTask) task = NULL;
  SignIn *sign_in;

  /* While locked another user may sign in (Switch User); the detached
   * pipeline goes with the worker and comes back with the new key. */
  if (self->session != NULL && !self->locked)
    return;
  if (self->locked && self->detaching)
    return;

  if (self->sign_in_cancellable != NULL)
    g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_object (&self->sign_in_cancellable);
  self->sign_in_cancellable = g_cancellable_new ();

  sign_in = g_new0 (SignIn, 1);
  sign_in->data_dir = g_strdup (self->data_dir);
  sign_in->user = g_strdup (user);
  sign_in->password = g_strdup (password);
  sign_in->urls = g_strdupv (self->connect_urls);
  sign_in->cost = self->kdf_cost;
  sign_in->initialize = initialize;
  sign_in->warnings = g_ptr_array_new_with_free_func (g_free);
  if (self->locked)
    sign_in->pipeline = g_steal_pointer (&self->pipeline);

  task = g_task_new (self, self->sign_in_cancellable, sign_in_done_cb, NULL);
  g_task_set_source_tag (task, run_sign_in);
  g_task_set_task_data (task, sign_in, sign_in_free);
  g_task_run_in_thread (task, sign_in_thread);
}

void
tw_window_on_create_admin (TwWindow    *self,
                 const char  *name,
                 const char  *password,
                 TwSetupPage *page)
{
  tw_setup_page_set_busy (page, TRUE);
  run_sign_in (self, name, password, TRUE);
}

void
tw_window_on_sign_in (TwWindow    *self,
            const char  *user,
            const char  *password,
            TwLoginPage *page)
{
  tw_login_page_set_busy (page, TRUE);
  run_sign_in (self, user, password, FALSE);
}

/* Drops the pipeline and the session; the page is left as it is. */
void
tw_window_drop_session (TwWindow *self)
{
  if (self->restart_cancellable != NULL)
    g_cancellable_cancel (self->restart_cancellable);
  g_clear_object (&self->restart_cancellable);
  self->restarting = FALSE;
  self->restart_again = FALSE;

  tw_window_cancel_lock_work (self);
  tw_window_stop_pages (self);
  if (self->notifier != NULL)
    tw_alert_notifier_reset (self->notifier);

  g_clear_pointer (&self->pipeline, tw_window_free_pipeline);
  g_clear_pointer (&self->session, tw_session_free);
  if (self->stack != NULL)
    {
      tw_window_update_view_actions (self);
      tw_window_admin_update (self);
    }
}

/* Signing out from the password page (a one-time password not changed). */
void
tw_window_sign_out (TwWindow *self)
{
  g_return_if_fail (TW_IS_WINDOW (self));

  tw_window_drop_session (self);
  tw_window_show_login (self);
}

