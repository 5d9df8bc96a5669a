#include "config.h"

#include <gdk/gdk.h>
#include <glib/gi18n.h>

#include "tw-alert-item.h"
#include "tw-alert-notifier.h"
#include "tw-alert-row.h"
#include "tw-time.h"

/*
 * TwAlertNotifier: makes a new high priority alert noticed when nobody is
 * looking at the window: a desktop notification (once per alert, with a
 * "View" action that opens the console on it) and the alarm sound.
 *
 * The sound follows IEC 60601-1-8's burst patterns: a high priority burst
 * is ten pulses (3 + 2, pause, 3 + 2) repeated while any high priority
 * alert is unacknowledged; a medium one three pulses, repeated less often;
 * low priority alerts are silent. Acknowledging or pausing the audio (the
 * board's pause, which a new higher priority alert breaks) stops it, and
 * so does the "alert-sound" setting. Each pulse is the display's bell
 * (gdk_display_beep), which every desktop plays through its own sound
 * theme and which needs no media framework.
 *
 * While the window is locked a notification says only that a high
 * priority alert is open and that unlocking shows it: no name, no entity
 * key, no message (they are on every lock screen a passer-by can read).
 *
 * Notifications go through GApplication. Outside a sandbox GLib's
 * fallback backend calls org.freedesktop.Notifications and warns when
 * nobody serves it, so the notifier first asks the bus whether a
 * notification service exists, and otherwise only counts what it would
 * have sent (the banner still shows the alert).
 */

#define HIGH_PERIOD_MS   10000
#define MEDIUM_PERIOD_MS 20000

typedef struct
{
  const guint *offsets_ms;     /* pulse start times within one burst */
  guint        n_pulses;
  guint        period_ms;      /* from one burst's start to the next */
} SoundPattern;

static const guint high_offsets[] = { 0, 150, 300, 700, 850, 1700, 1850, 2000, 2400, 2550 };
static const guint medium_offsets[] = { 0, 200, 400 };

static const SoundPattern patterns[] = {
  [TW_ALERT_SOUND_NONE] = { NULL, 0, 0 },
  [TW_ALERT_SOUND_MEDIUM] = { medium_offsets, G_N_ELEMENTS (medium_offsets), MEDIUM_PERIOD_MS },
  [TW_ALERT_SOUND_HIGH] = { high_offsets, G_N_ELEMENTS (high_offsets), HIGH_PERIOD_MS },
};

typedef enum
{
  SERVICE_UNKNOWN,
  SERVICE_CHECKING,
  SERVICE_PRESENT,
  SERVICE_ABSENT,
} ServiceState;

struct _TwAlertNotifier
{
  GObject        parent_instance;

  GApplication  *application;    /* weak */
  GCancellable  *cancellable;
  TwAlertSound   sound;
  guint          pulse_index;
  guint          pulse_source;
  guint          n_pulses;
  guint          n_notifications;
  guint64        announced_id;
  guint64        pending_id;     /* announce once the service check answers */
  char          *pending_body;
  ServiceState   service;
  gboolean       sound_enabled;
  gboolean       notification_shown;
  gboolean       locked;
  char          *last_body;      /* what the last announcement said */
};

G_DEFINE_FINAL_TYPE (TwAlertNotifier, tw_alert_notifier, G_TYPE_OBJECT)

/* Sound */

static gboolean pulse_cb (gpointer user_data);

static void
set_sound (TwAlertNotifier *self,
           TwAlertSound     sound)
{
  if (self->sound == sound)
    return;

  self->sound = sound;
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  self->pulse_index = 0;
  if (sound != TW_ALERT_SOUND_NONE)
    self->pulse_source = g_idle_add (pulse_cb, self);
}

static gboolean
pulse_cb (gpointer user_data)
{
  TwAlertNotifier *self = TW_ALERT_NOTIFIER (user_data);
  const SoundPattern *pattern = &patterns[self->sound];
  GdkDisplay *display = gdk_display_get_default ();
  guint delay;

  self->pulse_source = 0;
  if (pattern->n_pulses == 0)
    return G_SOURCE_REMOVE;

  if (display != NULL)
    gdk_display_beep (display);
  self->n_pulses++;

  self->pulse_index++;
  if (self->pulse_index < pattern->n_pulses)
    {
      delay = pattern->offsets_ms[self->pulse_index] - pattern->offsets_ms[self->pulse_index - 1];
    }
  else
    {
      delay = pattern->period_ms - pattern->offsets_ms[pattern->n_pulses - 1];
      self->pulse_index = 0;
    }
  self->pulse_source = g_timeout_add (delay, pulse_cb, self);

  return G_SOURCE_REMOVE;
}

/* Notifications */

static void
send_notification (TwAlertNotifier *self,
                   guint64          alert_id,
                   const char      *body)
{
  g_autoptr(GNotification) notification = NULL;

  self->announced_id = alert_id;
  self->n_notifications++;
  g_free (self->last_body);
  self->last_body = g_strdup (body);

  if (self->application == NULL || self->service != SERVICE_PRESENT)
    {
      g_debug ("No notification service: not sending “%s”", body);
      return;
    }

  notification = g_notification_new (_("High Priority Alert"));
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
  g_notification_set_category (notification, "im.received");
  g_notification_set_default_action_and_target (notification, "app.show-alert", "t", alert_id);
  if (!self->locked)
    g_notification_add_button_with_target (notification, _("View"), "app.show-alert", "t",
                                           alert_id);
  g_application_send_notification (self->application, TW_ALERT_NOTIFICATION_ID, notification);
  self->notification_shown = TRUE;
}

static void
name_has_owner_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TwAlertNotifier *self = TW_ALERT_NOTIFIER (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result,
                                                             &error);
  gboolean owned = FALSE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);

  self->service = owned ? SERVICE_PRESENT : SERVICE_ABSENT;
  if (self->pending_id != 0)
    {
      g_autofree char *body = g_steal_pointer (&self->pending_body);
      guint64 id = self->pending_id;

      self->pending_id = 0;
      send_notification (self, id, body);
    }
}

/* A sandbox has the portal; outside one, somebody must own the name. */
static void
check_service (TwAlertNotifier *self)
{
  GDBusConnection *bus = self->application != NULL
                         ? g_application_get_dbus_connection (self->application) : NULL;

  if (self->service != SERVICE_UNKNOWN)
    return;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      self->service = SERVICE_PRESENT;
      return;
    }
  if (bus == NULL)
    {
      self->service = SERVICE_ABSENT;
      return;
    }

  self->service = SERVICE_CHECKING;
  g_dbus_connection_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "NameHasOwner",
                          g_variant_new ("(s)", "org.freedesktop.Notifications"),
                          G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          self->cancellable, name_has_owner_cb, self);
}

static void
announce (TwAlertNotifier *self,
          const TwAlert   *alert,
          const char      *title)
{
  g_autofree char *body = NULL;

  if (self->locked)
    body = g_strdup (_("A high priority alert is open. Unlock Tidewatch to see the patient "
                       "and the details."));
  else
    body = tw_alert_describe (alert, title);

  check_service (self);
  if (self->service == SERVICE_CHECKING)
    {
      /* The newest one wins: an older pending one is superseded. */
      self->announced_id = alert->id;
      self->pending_id = alert->id;
      g_free (self->pending_body);
      self->pending_body = g_steal_pointer (&body);
      return;
    }

  send_notification (self, alert->id, body);
}

static void
withdraw (TwAlertNotifier *self)
{
  self->pending_id = 0;
  g_clear_pointer (&self->pending_body, g_free);
  if (self->notification_shown && self->application != NULL)
    g_application_withdraw_notification (self->application, TW_ALERT_NOTIFICATION_ID);
  self->notification_shown = FALSE;
}

/* GObject */

static void
tw_alert_notifier_dispose (GObject *object)
{
  TwAlertNotifier *self = (TwAlertNotifier *)object;

  tw_alert_notifier_reset (self);
  g_clear_pointer (&self->last_body, g_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (tw_alert_notifier_parent_class)->dispose (object);
}

static void
tw_alert_notifier_class_init (TwAlertNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tw_alert_notifier_dispose;
}

static void
tw_alert_notifier_init (TwAlertNotifier *self)
{
  self->cancellable = g_cancellable_new ();
  self->sound_enabled = TRUE;
}

/**
 * tw_alert_notifier_new:
 * @application: (nullable): sends the notifications; not kept alive
 *
 * Returns: (transfer full): a silent notifier
 */
TwAlertNotifier *
tw_alert_notifier_new (GApplication *application)
{
  TwAlertNotifier *self = g_object_new (TW_TYPE_ALERT_NOTIFIER, NULL);

  g_set_weak_pointer (&self->application, application);

  return self;
}

/**
 * tw_alert_snapshot_find_unacknowledged:
 * @snapshot: a snapshot
 * @priority: which priority
 * @out_count: (out) (optional): how many there are
 *
 * Returns: (nullable) (transfer none): the newest open alert of @priority
 *   that nobody acknowledged (state active)
 */
const TwAlert *
tw_alert_snapshot_find_unacknowledged (const TwAlertSnapshot *snapshot,
                                       TwAlertPriority        priority,
                                       guint                 *out_count)
{
  const TwAlert *newest = NULL;
  guint count = 0;

  for (guint i = 0; snapshot != NULL && i < snapshot->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (snapshot->alerts, i);

      if (alert->priority != priority || alert->state != TW_ALERT_STATE_ACTIVE)
        continue;
      count++;
      if (newest == NULL || alert->raised_us > newest->raised_us
          || (alert->raised_us == newest->raised_us && alert->id > newest->id))
        newest = alert;
    }

  if (out_count != NULL)
    *out_count = count;
  return newest;
}

/**
 * tw_alert_notifier_update:
 * @self: the notifier
 * @snapshot: the console's snapshot
 * @title_func: names entities for the notification
 * @user_data: for @title_func
 *
 * Announces a high priority alert not announced before, withdraws the
 * notification when none is left unacknowledged, and sets the sound.
 */
void
tw_alert_notifier_update (TwAlertNotifier       *self,
                          const TwAlertSnapshot *snapshot,
                          TwAlertTitleFunc       title_func,
                          gpointer               user_data)
{
  const TwAlert *high;
  gboolean paused;
  TwAlertSound sound = TW_ALERT_SOUND_NONE;

  g_return_if_fail (TW_IS_ALERT_NOTIFIER (self));
  g_return_if_fail (snapshot != NULL);

  high = tw_alert_snapshot_find_unacknowledged (snapshot, TW_ALERT_PRIORITY_HIGH, NULL);
  if (high == NULL)
    {
      withdraw (self);
    }
  else if (snapshot->newest_high_id != self->announced_id)
    {
      const TwAlert *newest = NULL;

      for (guint i = 0; i < snapshot->alerts->len && newest == NULL; i++)
        {
          const TwAlert *alert = g_ptr_array_index (snapshot->alerts, i);

          if (alert->id == snapshot->newest_high_id && alert->state == TW_ALERT_STATE_ACTIVE)
            newest = alert;
        }
      if (newest != NULL && self->locked)
        {
          announce (self, newest, NULL);
        }
      else if (newest != NULL)
        {
          g_autofree char *title = title_func != NULL ? title_func (newest->entity_key, user_data)
                                                      : g_strdup (newest->entity_key);

          if (title != NULL)
            announce (self, newest, title);
        }
    }

  paused = snapshot->audio_paused
           && (snapshot->audio_paused_until == 0 || tw_time_now () < snapshot->audio_paused_until);
  if (self->sound_enabled && !paused)
    {
      if (high != NULL)
        sound = TW_ALERT_SOUND_HIGH;
      else if (tw_alert_snapshot_find_unacknowledged (snapshot, TW_ALERT_PRIORITY_MEDIUM, NULL))
        sound = TW_ALERT_SOUND_MEDIUM;
    }
  set_sound (self, sound);
}

/* Silence and no notification: for signing out and locking. */
void
tw_alert_notifier_reset (TwAlertNotifier *self)
{
  g_return_if_fail (TW_IS_ALERT_NOTIFIER (self));

  set_sound (self, TW_ALERT_SOUND_NONE);
  withdraw (self);
  self->announced_id = 0;
}

void
tw_alert_notifier_set_sound_enabled (TwAlertNotifier *self,
                                     gboolean         enabled)
{
  g_return_if_fail (TW_IS_ALERT_NOTIFIER (self));

  self->sound_enabled = !!enabled;
  if (!self->sound_enabled)
    set_sound (self, TW_ALERT_SOUND_NONE);
}

/**
 * tw_alert_notifier_set_locked:
 * @self: the notifier
 * @locked: whether the window is locked
 *
 * Locking withdraws a notification that names a patient; while locked,
 * new ones name nobody. The sound goes on: monitoring does not stop.
 */
void
tw_alert_notifier_set_locked (TwAlertNotifier *self,
                              gboolean         locked)
{
  g_return_if_fail (TW_IS_ALERT_NOTIFIER (self));

  locked = !!locked;
  if (self->locked == locked)
    return;

  self->locked = locked;
  withdraw (self);
  /* Announce what is open again, in the words that suit the new state. */
  self->announced_id = 0;
}

/* The body of the last notification (sent, or counted without a service). */
const char *
tw_alert_notifier_get_last_body (TwAlertNotifier *self)
{
  g_return_val_if_fail (TW_IS_ALERT_NOTIFIER (self), NULL);

  return self->last_body;
}

/* The application that sends the notifications (not kept alive). */
void
tw_alert_notifier_set_application (TwAlertNotifier *self,
                                   GApplication    *application)
{
  g_return_if_fail (TW_IS_ALERT_NOTIFIER (self));

  if (self->application == application)
    return;

  withdraw (self);
  g_set_weak_pointer (&self->application, application);
  self->service = SERVICE_UNKNOWN;
}

TwAlertSound
tw_alert_notifier_get_sound (TwAlertNotifier *self)
{
  g_return_val_if_fail (TW_IS_ALERT_NOTIFIER (self), TW_ALERT_SOUND_NONE);

  return self->sound;
}

/* Pulses played since the notifier was made (each a display bell). */
guint
tw_alert_notifier_get_n_pulses (TwAlertNotifier *self)
{
  g_return_val_if_fail (TW_IS_ALERT_NOTIFIER (self), 0);

  return self->n_pulses;
}

/* High priority alerts announced (sent, or counted without a service). */
guint
tw_alert_notifier_get_n_notifications (TwAlertNotifier *self)
{
  g_return_val_if_fail (TW_IS_ALERT_NOTIFIER (self), 0);

  return self->n_notifications;
}

guint64
tw_alert_notifier_get_announced_id (TwAlertNotifier *self)
{
  g_return_val_if_fail (TW_IS_ALERT_NOTIFIER (self), 0);

  return self->announced_id;
}
