#pragma once

#include <gio/gio.h>

#include "tw-pipeline.h"

G_BEGIN_DECLS

#define TW_TYPE_ALERT_NOTIFIER (tw_alert_notifier_get_type ())

G_DECLARE_FINAL_TYPE (TwAlertNotifier, tw_alert_notifier, TW, ALERT_NOTIFIER, GObject)

/* What the alarm sounds like now (IEC 60601-1-8 priorities). */
typedef enum
{
  TW_ALERT_SOUND_NONE,
  TW_ALERT_SOUND_MEDIUM,
  TW_ALERT_SOUND_HIGH,
} TwAlertSound;

/* Returns what the signed-in role may see of an entity (transfer full), or
 * NULL while that is still being looked up (the announcement waits). */
typedef char *(*TwAlertTitleFunc) (const char *entity_key,
                                   gpointer    user_data);

#define TW_ALERT_NOTIFICATION_ID "tidewatch-high-alert"

TwAlertNotifier *tw_alert_notifier_new          (GApplication          *application);
void             tw_alert_notifier_update       (TwAlertNotifier       *self,
                                                 const TwAlertSnapshot *snapshot,
                                                 TwAlertTitleFunc       title_func,
                                                 gpointer               user_data);
void             tw_alert_notifier_set_application (TwAlertNotifier *self,
                                                    GApplication    *application);
void             tw_alert_notifier_reset        (TwAlertNotifier       *self);
void             tw_alert_notifier_set_locked   (TwAlertNotifier       *self,
                                                 gboolean               locked);
const char      *tw_alert_notifier_get_last_body (TwAlertNotifier      *self);
void             tw_alert_notifier_set_sound_enabled (TwAlertNotifier *self,
                                                      gboolean         enabled);
TwAlertSound     tw_alert_notifier_get_sound    (TwAlertNotifier       *self);
guint            tw_alert_notifier_get_n_pulses (TwAlertNotifier       *self);
guint            tw_alert_notifier_get_n_notifications (TwAlertNotifier *self);
guint64          tw_alert_notifier_get_announced_id (TwAlertNotifier   *self);

const TwAlert   *tw_alert_snapshot_find_unacknowledged (const TwAlertSnapshot *snapshot,
                                                        TwAlertPriority        priority,
                                                        guint                 *out_count);

G_END_DECLS
