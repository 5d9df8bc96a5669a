#pragma once

#include "tw-admin-page.h"
#include "tw-alert-banner.h"
#include "tw-alert-notifier.h"
#include "tw-alerts-page.h"
#include "tw-login-page.h"
#include "tw-monitor-page.h"
#include "tw-pipeline.h"
#include "tw-rules-page.h"
#include "tw-session.h"
#include "tw-settings.h"
#include "tw-setup-page.h"
#include "tw-ward-page.h"
#include "tw-window.h"

G_BEGIN_DECLS

/* What tw-window.c shares with tw-window-alerts.c. */

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
};

void tw_window_show_view                    (TwWindow        *self,
                                             const char      *view);
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
