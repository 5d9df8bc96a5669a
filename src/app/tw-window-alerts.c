#include "config.h"

#include <glib/gi18n.h>

#include "tw-reader.h"
#include "tw-store-private.h"
#include "tw-window-private.h"

/*
 * The window's side of alerts: the banner across the top, the notifier
 * (desktop notification and alarm sound), the actions and shortcuts that
 * reach the console from any page, and opening a trend from an alert.
 * The console page polls the snapshot; it tells the window when it
 * changed.
 */

void
tw_window_pause_alert_audio_activated (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  tw_alerts_page_pause_audio (TW_WINDOW (user_data)->alerts_page);
}

/* The desktop notification's "View" is an application action: it shows
 * the alert in the active window. */
static void
app_show_alert_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (TW_IS_WINDOW (window))
    {
      gtk_window_present (window);
      tw_window_show_alert (TW_WINDOW (window), g_variant_get_uint64 (parameter));
    }
}

/* Alerts */

static char *
alert_title_cb (const char *entity_key,
                gpointer    user_data)
{
  return tw_alerts_page_dup_entity_title (TW_WINDOW (user_data)->alerts_page, entity_key);
}

static void
update_banner (TwWindow              *self,
               const TwAlertSnapshot *snapshot)
{
  g_autofree char *title = NULL;
  guint n_high = 0;
  const TwAlert *high = tw_alert_snapshot_find_unacknowledged (snapshot, TW_ALERT_PRIORITY_HIGH,
                                                               &n_high);

  if (high == NULL)
    {
      tw_alert_banner_hide (self->alert_banner);
      return;
    }

  if (self->session != NULL && !tw_session_can (self->session, TW_PERM_SEE_IDENTITY))
    {
      /* The engine's alerts carry the source's entity key (often the MRN)
       * in the key and the message: a role without identity gets neither
       * across the top of every page, only that there is a high alert. */
      TwAlert masked = *high;
      g_auto(GStrv) words = g_strsplit (high->message != NULL ? high->message : "",
                                        high->entity_key[0] != '\0' ? high->entity_key : "\x01",
                                        -1);
      g_autofree char *message = g_strjoinv (_("patient"), words);

      masked.message = message;
      tw_alert_banner_show (self->alert_banner, &masked, _("identity withheld"), n_high);
      return;
    }

  title = tw_alerts_page_dup_entity_title (self->alerts_page, high->entity_key);
  tw_alert_banner_show (self->alert_banner, high, title != NULL ? title : high->entity_key,
                        n_high);
}

void
tw_window_on_alerts_changed (TwWindow        *self,
                   TwAlertSnapshot *snapshot,
                   TwAlertsPage    *page)
{
  update_banner (self, snapshot);
  /* Only roles that handle alerts are called to them by sound. */
  if (self->session != NULL && tw_session_can (self->session, TW_PERM_HANDLE_ALERTS))
    tw_alert_notifier_update (self->notifier, snapshot, alert_title_cb, self);
}

void
tw_window_on_open_trend (TwWindow     *self,
                         const char   *entity_key,
                         gint64        from_ts,
                         gint64        to_ts,
                         TwAlertsPage *page)
{
  if (!tw_monitor_page_show_trend (self->monitor_page, entity_key, from_ts, to_ts))
    {
      g_autofree char *message = g_strdup_printf (_("No trend to show for %s"), entity_key);

      tw_monitor_page_add_toast (self->monitor_page, message);
    }
  tw_window_show_view (self, NULL);
}

/* Open Trend from the alert console. Alerts carry the engine's entity
 * keys; a masked role's monitor lists pseudonyms, so the key is turned
 * into what this session sees (a one-way hash, by the store, in a worker)
 * before the monitor is asked. */

typedef struct
{
  TwReader *reader;
  char     *key;
  char     *shown_key;
  gint64    from_ts;
  gint64    to_ts;
} OpenTrend;

static void
open_trend_free (gpointer data)
{
  OpenTrend *open = data;

  g_clear_pointer (&open->reader, tw_reader_unref);
  g_free (open->key);
  g_free (open->shown_key);
  g_free (open);
}

static void
open_trend_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  OpenTrend *open = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (open->reader, &error);

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  open->shown_key = tw_store_masks_identity (store)
                    ? tw_store_make_pseudonym (store, open->key, &error)
                    : g_strdup (open->key);
  tw_reader_unlock (open->reader);

  if (open->shown_key == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
open_trend_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  TwWindow *self = TW_WINDOW (object);
  OpenTrend *open = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->session != NULL)
        tw_monitor_page_add_toast (self->monitor_page, error->message);
      return;
    }
  if (self->session == NULL)
    return;

  tw_window_on_open_trend (self, open->shown_key, open->from_ts, open->to_ts, self->alerts_page);
}

void
tw_window_request_trend (TwWindow     *self,
               const char   *entity_key,
               gint64        from_ts,
               gint64        to_ts,
               TwAlertsPage *page)
{
  g_autoptr(GTask) task = NULL;
  OpenTrend *open;

  if (self->session == NULL || self->locked || entity_key == NULL)
    return;

  open = g_new0 (OpenTrend, 1);
  open->reader = tw_reader_new (self->session);
  open->key = g_strdup (entity_key);
  open->from_ts = from_ts;
  open->to_ts = to_ts;

  task = g_task_new (self, self->restart_cancellable, open_trend_done_cb, NULL);
  g_task_set_source_tag (task, tw_window_request_trend);
  g_task_set_task_data (task, open, open_trend_free);
  g_task_run_in_thread (task, open_trend_thread);
}

static void
on_alert_sound_changed (TwWindow *self)
{
  const TwAlertSnapshot *snapshot = tw_alerts_page_get_snapshot (self->alerts_page);

  tw_alert_notifier_set_sound_enabled (self->notifier,
                                       tw_settings_get_alert_sound (self->settings));
  if (snapshot != NULL)
    tw_window_on_alerts_changed (self, (TwAlertSnapshot *) snapshot, self->alerts_page);
}


/* The application is set after the window is constructed (it is not a
 * construct property), so its part waits for it. */
static void
on_application_changed (TwWindow *self)
{
  static const char *alerts_accels[] = { "<Control>4", NULL };
  static const char *rules_accels[] = { "<Control>5", NULL };
  static const char *pause_accels[] = { "<Control>m", NULL };
  static const GActionEntry app_entries[] = {
    { "show-alert", app_show_alert_activated, "t" },
  };
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  tw_alert_notifier_set_application (self->notifier, G_APPLICATION (app));
  if (app == NULL)
    return;

  gtk_application_set_accels_for_action (app, "win.show-alerts", alerts_accels);
  gtk_application_set_accels_for_action (app, "win.show-rules", rules_accels);
  gtk_application_set_accels_for_action (app, "win.pause-alert-audio", pause_accels);
  if (g_action_map_lookup_action (G_ACTION_MAP (app), "show-alert") == NULL)
    g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries,
                                     G_N_ELEMENTS (app_entries), app);
}

void
tw_window_setup_alerts (TwWindow *self)
{
  g_autoptr(GPropertyAction) sound_action = g_property_action_new ("alert-sound", self->settings,
                                                                   "alert-sound");

  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (sound_action));
  self->notifier = tw_alert_notifier_new (NULL);
  tw_alert_notifier_set_sound_enabled (self->notifier,
                                       tw_settings_get_alert_sound (self->settings));
  g_signal_connect_object (self->settings, "notify::alert-sound",
                           G_CALLBACK (on_alert_sound_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_changed), NULL);
  on_application_changed (self);
}

/**
 * tw_window_show_alert:
 * @self: a window
 * @alert_id: an open alert
 *
 * Shows the alert console with the alert selected (the banner's and the
 * notification's "View").
 */
void
tw_window_show_alert (TwWindow *self,
                      guint64   alert_id)
{
  g_return_if_fail (TW_IS_WINDOW (self));

  /* Locked: the notification's action only brings the window up. */
  if (!tw_window_is_signed_in (self))
    return;

  tw_window_show_view (self, "alerts");
  if (tw_alerts_page_select_alert (self->alerts_page, alert_id))
    {
      GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (self));

      /* Keyboard users land on the alert, ready for Ctrl+Enter. */
      if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->alerts_page)))
        tw_alerts_page_focus_selected (self->alerts_page);
    }
}

/**
 * tw_window_get_alert_notifier:
 *
 * Returns: (transfer none): what sounds and notifies for this window
 */
TwAlertNotifier *
tw_window_get_alert_notifier (TwWindow *self)
{
  g_return_val_if_fail (TW_IS_WINDOW (self), NULL);

  return self->notifier;
}
