#pragma once

#include "tw-admin-page.h"
#include "tw-alert-banner.h"
#include "tw-alert-notifier.h"
#include "tw-alerts-page.h"
#include "tw-lock-page.h"
#include "tw-login-page.h"
#include "tw-monitor-page.h"
#include "tw-password-page.h"
#include "tw-pipeline.h"
#include "tw-rules-page.h"
#include "tw-session.h"
#include "tw-settings.h"
#include "tw-setup-page.h"
#include "tw-ward-page.h"
#include "tw-window.h"

G_BEGIN_DECLS

/* What tw-window.c shares with tw-window-alerts.c (banner, notifier,
 * trends from alerts) and tw-window-lock.c (lock, unlock, switch user,
 * passwords, exclusive use). */

struct _TwWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  GtkStack             *stack;
  TwSetupPage          *setup_page;
  TwLoginPage          *login_page;
  TwMonitorPage        *monitor_page;
  TwAdminPage          *admin_page;
  TwAlertsPage         *alerts_page;
  TwRulesPage          *rules_page;
  TwWardPage           *ward_page;
  TwAlertBanner        *alert_banner;
  TwLockPage           *lock_page;
  TwPasswordPage       *password_page;
  AdwToastOverlay      *toast_overlay;
  GtkRevealer          *audit_revealer;
  GtkLabel             *audit_label;

  /* Owned */
  TwSettings           *settings;
  TwAlertNotifier      *notifier;
  char                 *data_dir;
  GStrv                 connect_urls;
  TwKdfCost             kdf_cost;
  TwSession            *session;
  TwPipeline           *pipeline;
  GCancellable         *sign_in_cancellable;
  GCancellable         *restart_cancellable;
  gboolean              restarting;
  gboolean              restart_again;
  gint64                last_input_time;
  guint                 idle_source;

  /* Lock (tw-window-lock.c). While a worker detaches, unlocks, changes a
   * password or runs exclusively it owns the session and/or pipeline it
   * works on (moved out of here, put back when it is done), so a window
   * closed meanwhile frees them only once the worker let go. */
  gboolean              locked;
  gboolean              detaching;
  gint64                locked_at;
  char                 *page_before_lock;
  char                 *page_before_password;
  guint                 lock_poll_source;
  guint                 merge_poll_source;
  guint                 merge_dismiss_source;
  AdwToast             *merge_toast;
  char                 *status_message;
  GCancellable         *lock_cancellable;
  gint64                merge_watch_start;
};

void tw_window_show_view                    (TwWindow        *self,
                                             const char      *view);
void tw_window_show_landing                 (TwWindow        *self);
void tw_window_show_page                    (TwWindow        *self,
                                             const char      *page);
void tw_window_start_pages                  (TwWindow        *self);
void tw_window_stop_pages                   (TwWindow        *self);
void tw_window_update_view_actions          (TwWindow        *self);
void tw_window_free_pipeline                (TwPipeline      *pipeline);
void tw_window_start_pipeline               (TwSession       *session,
                                             const char * const *urls,
                                             TwPipeline     **out_pipeline,
                                             GPtrArray       *warnings);
void tw_window_add_toast                    (TwWindow        *self,
                                             const char      *message);
void tw_window_show_login                   (TwWindow        *self);

/* tw-window-session.c */
void tw_window_on_create_admin              (TwWindow        *self,
                                             const char      *name,
                                             const char      *password,
                                             TwSetupPage     *page);
void tw_window_on_sign_in                   (TwWindow        *self,
                                             const char      *user,
                                             const char      *password,
                                             TwLoginPage     *page);
void tw_window_drop_session                 (TwWindow        *self);

/* tw-window-lock.c */
void tw_window_on_unlock                    (TwWindow        *self,
                                             const char      *password,
                                             TwLockPage      *page);
void tw_window_on_switch_user               (TwWindow        *self,
                                             TwLockPage      *page);
void tw_window_on_login_back                (TwWindow        *self,
                                             TwLoginPage     *page);
void tw_window_on_change_password           (TwWindow        *self,
                                             const char      *old_password,
                                             const char      *new_password,
                                             TwPasswordPage  *page);
void tw_window_on_password_cancel           (TwWindow        *self,
                                             TwPasswordPage  *page);
void tw_window_lock_init                    (TwWindow        *self);
void tw_window_end_lock                     (TwWindow        *self);
void tw_window_lock_pipeline                (TwWindow        *self);
void tw_window_cancel_lock_work             (TwWindow        *self);
void tw_window_ask_new_password             (TwWindow        *self,
                                             gboolean         one_time);
void tw_window_update_audit_warning         (TwWindow        *self);
void tw_window_watch_merge                  (TwWindow        *self);
void tw_window_request_trend                (TwWindow        *self,
                                             const char      *entity_key,
                                             gint64           from_ts,
                                             gint64           to_ts,
                                             TwAlertsPage    *page);
void tw_window_setup_alerts                 (TwWindow        *self);
void tw_window_on_alerts_changed            (TwWindow        *self,
                                             TwAlertSnapshot *snapshot,
                                             TwAlertsPage    *page);
void tw_window_on_open_trend                (TwWindow        *self,
                                             const char      *entity_key,
                                             gint64           from_ts,
                                             gint64           to_ts,
                                             TwAlertsPage    *page);
void tw_window_pause_alert_audio_activated  (GSimpleAction   *action,
                                             GVariant        *parameter,
                                             gpointer         user_data);

/* Administration and emergency access (tw-window-admin.c, H7): init once
 * from tw_window_init(); update whenever the session changes (sign-in,
 * sign-out, lock, unlock, switch user). self->session may be NULL or
 * locked (tw_session_is_locked()) when update runs. */
void tw_window_admin_init                   (TwWindow        *self);
void tw_window_admin_update                 (TwWindow        *self);
/* Before the pages stop (lock, sign-out, exclusive use): waits for an
 * emergency-access worker and hides its bar. */
void tw_window_admin_stop                   (TwWindow        *self);

/* Runs @func in a worker with the store to itself: the pipeline's key is
 * detached and every page drops its reader first; when @func returns
 * the pipeline attaches with the session's (possibly new) key, the pages
 * get new readers and @callback runs on the main thread with the task
 * (g_task_propagate_boolean() gives @func's result). For a rekey (user
 * removal). @func gets the session and @task_data. */
typedef gboolean (*TwExclusiveFunc)         (TwSession       *session,
                                             gpointer         task_data,
                                             GCancellable    *cancellable,
                                             GError         **error);
void tw_window_run_exclusive                (TwWindow        *self,
                                             TwExclusiveFunc  func,
                                             gpointer         task_data,
                                             GDestroyNotify   task_data_free,
                                             GCancellable    *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer         user_data);

G_END_DECLS
