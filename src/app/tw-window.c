#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "tw-admin-page.h"
#include "tw-alerts-page.h"
#include "tw-error.h"
#include "tw-login-page.h"
#include "tw-monitor-page.h"
#include "tw-pipeline.h"
#include "tw-reader.h"
#include "tw-rules-page.h"
#include "tw-session.h"
#include "tw-setup-page.h"
#include "tw-store-private.h"
#include "tw-ward-page.h"
#include "tw-window.h"
#include "tw-window-private.h"

/*
 * TwWindow: a stack of pages (first-run setup, login, the ward overview,
 * the monitor and, for administrators, the sources and quarantine pages)
 * and the owner of the
 * signed-in session and its pipeline. Everything slow, Argon2id above all,
 * runs in a GTask worker. Locking (tw-window-lock.c) keeps the pipeline
 * running without a key and shows the lock page; a one-time password
 * leads to the password page before anything else opens. When an
 * administrator changes the sources, the pipeline is restarted in a worker
 * (stopping commits what is queued) so the change takes effect at once.
 *
 * Alerts: the console page polls the pipeline's alert snapshot; on each
 * change the window shows the banner (a high priority alert nobody
 * acknowledged, whatever page is shown) and hands the snapshot to the
 * notifier (desktop notification and alarm sound).
 */


G_DEFINE_FINAL_TYPE (TwWindow, tw_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_DATA_DIR,
  PROP_CONNECT_URLS,
  PROP_KDF_COST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Pages */

void
tw_window_show_login (TwWindow *self)
{
  tw_login_page_set_switching (self->login_page, NULL);
  tw_login_page_reset (self->login_page, tw_settings_get_last_user (self->settings));
  gtk_stack_set_visible_child_name (self->stack, "login");
  tw_login_page_focus (self->login_page);
}

static void
show_initial_page (TwWindow *self)
{
  if (tw_data_dir_is_initialized (self->data_dir))
    {
      tw_window_show_login (self);
    }
  else
    {
      gtk_stack_set_visible_child_name (self->stack, "setup");
      tw_setup_page_focus (self->setup_page);
    }
}

static gboolean
on_input_event (TwWindow *self,
                GdkEvent *event)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_KEY_PRESS:
    case GDK_BUTTON_PRESS:
    case GDK_MOTION_NOTIFY:
    case GDK_SCROLL:
    case GDK_TOUCH_BEGIN:
      self->last_input_time = g_get_monotonic_time ();
      break;
    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

/* Views: the ward overview and the monitor for everyone, sources and
 * quarantine for roles that may manage sources. Disabled actions also hide
 * their menu items. */

static void
set_action_enabled (TwWindow   *self,
                    const char *name,
                    gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
tw_window_update_view_actions (TwWindow *self)
{
  gboolean signed_in = tw_window_is_signed_in (self);
  gboolean admin = signed_in && tw_session_can (self->session, TW_PERM_MANAGE_SOURCES);
  gboolean handler = signed_in && tw_session_can (self->session, TW_PERM_HANDLE_ALERTS);
  GActionMap *map = G_ACTION_MAP (self);

  set_action_enabled (self, "show-ward", signed_in);
  /* The console lists the live board with the sources' entity keys: for
   * those who handle alerts and for admins (rules); analysts handle no
   * alerts (ARCHITECTURE.md, "Roles") and see the ward's badges only. */
  set_action_enabled (self, "show-alerts", admin || handler);
  set_action_enabled (self, "show-alert", admin || handler);
  set_action_enabled (self, "show-rules", admin);
  set_action_enabled (self, "pause-alert-audio", handler);
  set_action_enabled (self, "change-password", signed_in);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "show-monitor")),
                               signed_in);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "show-sources")),
                               admin);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map,
                                                                            "show-quarantine")),
                               admin);
}

void
tw_window_show_view (TwWindow   *self,
                     const char *view)
{
  if (!tw_window_is_signed_in (self))
    return;

  if (view == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "monitor");
      return;
    }
  if (g_str_equal (view, "ward"))
    {
      gtk_stack_set_visible_child_name (self->stack, "ward");
      return;
    }
  if (g_str_equal (view, "alerts"))
    {
      tw_alerts_page_show_view (self->alerts_page, "open");
      gtk_stack_set_visible_child_name (self->stack, "alerts");
      return;
    }
  if (!tw_session_can (self->session, TW_PERM_MANAGE_SOURCES))
    return;
  if (g_str_equal (view, "rules"))
    {
      /* The pipeline seeds the default packs when it starts: read again. */
      tw_rules_page_refresh (self->rules_page);
      gtk_stack_set_visible_child_name (self->stack, "rules");
      return;
    }

  tw_admin_page_show_view (self->admin_page, view);
  gtk_stack_set_visible_child_name (self->stack, "admin");
}

static void
show_monitor_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  tw_window_show_view (TW_WINDOW (user_data), NULL);
}

static void
show_ward_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  tw_window_show_view (TW_WINDOW (user_data), "ward");
}

static void
show_sources_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  tw_window_show_view (TW_WINDOW (user_data), "sources");
}

static void
show_quarantine_activated (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  tw_window_show_view (TW_WINDOW (user_data), "quarantine");
}

static void
show_alerts_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  tw_window_show_view (TW_WINDOW (user_data), "alerts");
}

static void
show_alert_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  tw_window_show_alert (TW_WINDOW (user_data), g_variant_get_uint64 (parameter));
}

static void
show_rules_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  tw_window_show_view (TW_WINDOW (user_data), "rules");
}

static const GActionEntry view_actions[] = {
  { "show-monitor", show_monitor_activated },
  { "show-ward", show_ward_activated },
  { "show-sources", show_sources_activated },
  { "show-quarantine", show_quarantine_activated },
  { "show-alerts", show_alerts_activated },
  { "show-alert", show_alert_activated, "t" },
  { "show-rules", show_rules_activated },
  { "pause-alert-audio", tw_window_pause_alert_audio_activated },
};


/* Restart: the old pipeline stops in a worker (it commits what is queued,
 * which can take a while), then the new one starts with the sources as the
 * store now has them. Meanwhile the pages follow no pipeline. The
 * --connect addresses were stored at sign-in; from here on the store
 * decides, so a paused or removed one stays so. */

typedef struct
{
  TwPipeline *old_pipeline;
  TwPipeline *new_pipeline;
} Restart;

static void
restart_free (gpointer data)
{
  Restart *restart = data;

  g_clear_pointer (&restart->old_pipeline, tw_window_free_pipeline);
  g_clear_pointer (&restart->new_pipeline, tw_window_free_pipeline);
  g_free (restart);
}

static void
restart_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Restart *restart = task_data;

  g_clear_pointer (&restart->old_pipeline, tw_window_free_pipeline);
  if (!g_cancellable_is_cancelled (cancellable))
    tw_pipeline_start (restart->new_pipeline);

  g_task_return_boolean (task, TRUE);
}

static void restart_pipeline (TwWindow *self);

static void
restart_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TwWindow *self = TW_WINDOW (object);
  Restart *restart = g_task_get_task_data (G_TASK (result));

  /* Signed out meanwhile: freeing the task data stops the new pipeline. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result)))
      || !g_task_propagate_boolean (G_TASK (result), NULL))
    return;

  self->restarting = FALSE;
  self->pipeline = g_steal_pointer (&restart->new_pipeline);
  if (self->locked)
    {
      /* Locked while it restarted: it must let go of its key too. The
       * pages are stopped; the lock page follows it. */
      self->restart_again = FALSE;
      tw_window_lock_pipeline (self);
      return;
    }
  tw_monitor_page_set_pipeline (self->monitor_page, self->pipeline);
  tw_ward_page_set_pipeline (self->ward_page, self->pipeline);
  tw_admin_page_set_pipeline (self->admin_page, self->pipeline);
  tw_alerts_page_set_pipeline (self->alerts_page, self->pipeline);
  tw_rules_page_set_pipeline (self->rules_page, self->pipeline);

  if (self->restart_again)
    {
      self->restart_again = FALSE;
      restart_pipeline (self);
    }
}

static void
restart_pipeline (TwWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  TwPipeline *pipeline;
  Restart *restart;

  if (!tw_window_is_signed_in (self))
    return;
  if (self->restarting)
    {
      self->restart_again = TRUE;
      return;
    }

  pipeline = tw_pipeline_new (self->session, &error);
  if (pipeline == NULL || !tw_pipeline_add_stored_sources (pipeline, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Live data is not available: %s"),
                                                  error->message);

      g_clear_pointer (&pipeline, tw_pipeline_free);
      tw_monitor_page_add_toast (self->monitor_page, message);
      return;
    }

  restart = g_new0 (Restart, 1);
  restart->old_pipeline = g_steal_pointer (&self->pipeline);
  restart->new_pipeline = pipeline;
  self->restarting = TRUE;
  tw_monitor_page_set_pipeline (self->monitor_page, NULL);
  tw_ward_page_set_pipeline (self->ward_page, NULL);
  tw_admin_page_set_pipeline (self->admin_page, NULL);
  tw_alerts_page_set_pipeline (self->alerts_page, NULL);
  tw_rules_page_set_pipeline (self->rules_page, NULL);

  task = g_task_new (self, self->restart_cancellable, restart_done_cb, NULL);
  g_task_set_source_tag (task, restart_pipeline);
  g_task_set_task_data (task, restart, restart_free);
  g_task_run_in_thread (task, restart_thread);
}

static void
on_sources_changed (TwWindow    *self,
                    TwAdminPage *page)
{
  restart_pipeline (self);
}

/* A ward tile was activated: that patient in the monitor page. */
static void
on_open_patient (TwWindow   *self,
                 const char *entity_key,
                 TwWardPage *page)
{
  /* The monitor selects it once its own list has it. */
  tw_monitor_page_show_patient (self->monitor_page, entity_key);
  tw_window_show_view (self, NULL);
}

static void
save_window_state (TwWindow *self)
{
  int width = 0, height = 0;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  tw_settings_set_window_state (self->settings, width, height,
                                gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
tw_window_close_request (GtkWindow *window)
{
  TwWindow *self = TW_WINDOW (window);

  save_window_state (self);
  tw_window_drop_session (self);

  return GTK_WINDOW_CLASS (tw_window_parent_class)->close_request (window);
}

static void
tw_window_constructed (GObject *object)
{
  TwWindow *self = TW_WINDOW (object);
  int width = 0, height = 0;
  gboolean maximized = FALSE;

  G_OBJECT_CLASS (tw_window_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = tw_settings_new (APP_ID);
  if (self->data_dir == NULL)
    self->data_dir = tw_data_dir_get_default ();

  tw_settings_get_window_state (self->settings, &width, &height, &maximized);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (maximized)
    gtk_window_maximize (GTK_WINDOW (self));

  g_object_bind_property (self->settings, "trend-window-minutes",
                          self->monitor_page, "trend-window-minutes",
                          G_BINDING_SYNC_CREATE);

  tw_window_setup_alerts (self);

  show_initial_page (self);
}

static void
tw_window_dispose (GObject *object)
{
  TwWindow *self = (TwWindow *)object;

  if (self->sign_in_cancellable != NULL)
    g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_object (&self->sign_in_cancellable);

  tw_window_drop_session (self);
  if (self->lock_cancellable != NULL)
    g_cancellable_cancel (self->lock_cancellable);
  g_clear_object (&self->lock_cancellable);

  G_OBJECT_CLASS (tw_window_parent_class)->dispose (object);
}

static void
tw_window_finalize (GObject *object)
{
  TwWindow *self = (TwWindow *)object;

  g_clear_pointer (&self->page_before_lock, g_free);
  g_clear_pointer (&self->page_before_password, g_free);
  g_clear_pointer (&self->status_message, g_free);

  g_clear_object (&self->notifier);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->connect_urls, g_strfreev);

  G_OBJECT_CLASS (tw_window_parent_class)->finalize (object);
}

static void
tw_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TwWindow *self = TW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_CONNECT_URLS:
      g_value_set_boxed (value, self->connect_urls);
      break;
    case PROP_KDF_COST:
      g_value_set_uint (value, self->kdf_cost);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TwWindow *self = TW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;
    case PROP_CONNECT_URLS:
      self->connect_urls = g_value_dup_boxed (value);
      break;
    case PROP_KDF_COST:
      self->kdf_cost = (TwKdfCost) g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_window_class_init (TwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = tw_window_constructed;
  object_class->dispose = tw_window_dispose;
  object_class->finalize = tw_window_finalize;
  object_class->get_property = tw_window_get_property;
  object_class->set_property = tw_window_set_property;

  window_class->close_request = tw_window_close_request;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TW_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECT_URLS] =
    g_param_spec_boxed ("connect-urls", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KDF_COST] =
    g_param_spec_uint ("kdf-cost", NULL, NULL,
                       TW_KDF_COST_MIN, TW_KDF_COST_SENSITIVE, TW_KDF_COST_DEFAULT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TW_TYPE_SETUP_PAGE);
  g_type_ensure (TW_TYPE_LOGIN_PAGE);
  g_type_ensure (TW_TYPE_MONITOR_PAGE);
  g_type_ensure (TW_TYPE_WARD_PAGE);
  g_type_ensure (TW_TYPE_ADMIN_PAGE);
  g_type_ensure (TW_TYPE_ALERTS_PAGE);
  g_type_ensure (TW_TYPE_RULES_PAGE);
  g_type_ensure (TW_TYPE_ALERT_BANNER);
  g_type_ensure (TW_TYPE_LOCK_PAGE);
  g_type_ensure (TW_TYPE_PASSWORD_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TwWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, setup_page);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, login_page);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, monitor_page);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, admin_page);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, alerts_page);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, rules_page);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, ward_page);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, alert_banner);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, lock_page);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, password_page);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, audit_revealer);
  gtk_widget_class_bind_template_child (widget_class, TwWindow, audit_label);
  gtk_widget_class_bind_template_callback (widget_class, tw_window_on_create_admin);
  gtk_widget_class_bind_template_callback (widget_class, tw_window_on_sign_in);
  gtk_widget_class_bind_template_callback (widget_class, on_sources_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_open_patient);
  gtk_widget_class_bind_template_callback (widget_class, tw_window_on_alerts_changed);
  gtk_widget_class_bind_template_callback (widget_class, tw_window_request_trend);
  gtk_widget_class_bind_template_callback (widget_class, tw_window_on_unlock);
  gtk_widget_class_bind_template_callback (widget_class, tw_window_on_switch_user);
  gtk_widget_class_bind_template_callback (widget_class, tw_window_on_login_back);
  gtk_widget_class_bind_template_callback (widget_class, tw_window_on_change_password);
  gtk_widget_class_bind_template_callback (widget_class, tw_window_on_password_cancel);
}

static void
tw_window_init (TwWindow *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), view_actions,
                                   G_N_ELEMENTS (view_actions), self);
  tw_window_lock_init (self);
  tw_window_update_view_actions (self);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  /* Any input counts as activity for the idle lock; the controller only
   * watches, it never consumes events. */
  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "event", G_CALLBACK (on_input_event), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  self->kdf_cost = TW_KDF_COST_DEFAULT;
  self->last_input_time = g_get_monotonic_time ();

  tw_window_admin_init (self);
}

/**
 * tw_window_new:
 * @application: the application, whose options (data directory, sources,
 *   KDF cost) the window uses
 *
 * Returns: (transfer none): a new window, owned by @application
 */
TwWindow *
tw_window_new (TwApplication *application)
{
  g_return_val_if_fail (TW_IS_APPLICATION (application), NULL);

  return g_object_new (TW_TYPE_WINDOW,
                       "application", application,
                       "settings", tw_application_get_settings (application),
                       "data-dir", tw_application_get_data_dir (application),
                       "connect-urls", tw_application_get_connect_urls (application),
                       "kdf-cost", (guint) tw_application_get_kdf_cost (application),
                       NULL);
}

/**
 * tw_window_get_page_name:
 * @self: a window
 *
 * Returns: "setup", "login", "lock", "password", "ward", "monitor",
 *   "admin", "alerts" or "rules" (or a page H7's administration adds)
 */
const char *
tw_window_get_page_name (TwWindow *self)
{
  g_return_val_if_fail (TW_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * tw_window_is_signed_in:
 * @self: a window
 *
 * Returns: whether a user is signed in and the window is open to them:
 *   %FALSE while locked and before a one-time password is changed
 */
gboolean
tw_window_is_signed_in (TwWindow *self)
{
  g_return_val_if_fail (TW_IS_WINDOW (self), FALSE);

  return self->session != NULL && !self->locked
         && !tw_session_must_change_password (self->session);
}

/**
 * tw_window_is_locked:
 * @self: a window
 *
 * Returns: whether the window is locked (monitoring goes on without a key)
 */
gboolean
tw_window_is_locked (TwWindow *self)
{
  g_return_val_if_fail (TW_IS_WINDOW (self), FALSE);

  return self->locked;
}

/**
 * tw_window_get_pipeline:
 * @self: a window
 *
 * Returns: (transfer none) (nullable): the running pipeline, %NULL while
 *   none runs or a worker holds it (a few hundred ms around a lock)
 */
TwPipeline *
tw_window_get_pipeline (TwWindow *self)
{
  g_return_val_if_fail (TW_IS_WINDOW (self), NULL);

  return self->pipeline;
}

/**
 * tw_window_get_status_message:
 * @self: a window
 *
 * Returns: (nullable): the last progress or result message shown as a
 *   toast by the lock's merge watch ("Storing 12 batches …")
 */
const char *
tw_window_get_status_message (TwWindow *self)
{
  g_return_val_if_fail (TW_IS_WINDOW (self), NULL);

  return self->status_message;
}

/**
 * tw_window_shutdown:
 * @self: a window
 *
 * Saves the window state and stops the pipeline cleanly, for quitting.
 */
void
tw_window_shutdown (TwWindow *self)
{
  g_return_if_fail (TW_IS_WINDOW (self));

  save_window_state (self);
  tw_window_drop_session (self);
}
