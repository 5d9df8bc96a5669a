#pragma once

#include <glib-object.h>

#include "tw-alert.h"

G_BEGIN_DECLS

#define TW_TYPE_ALERT_ITEM (tw_alert_item_get_type ())

G_DECLARE_FINAL_TYPE (TwAlertItem, tw_alert_item, TW, ALERT_ITEM, GObject)

TwAlertItem   *tw_alert_item_new            (const TwAlert *alert,
                                             const char    *entity_title);
gboolean       tw_alert_item_update         (TwAlertItem   *self,
                                             const TwAlert *alert,
                                             const char    *entity_title);
const TwAlert *tw_alert_item_get_alert      (TwAlertItem   *self);
guint64        tw_alert_item_get_id         (TwAlertItem   *self);
const char    *tw_alert_item_get_entity_title (TwAlertItem *self);

const char    *tw_alert_priority_label      (TwAlertPriority priority);
const char    *tw_alert_priority_marker     (TwAlertPriority priority);
const char    *tw_alert_priority_icon       (TwAlertPriority priority);
const char    *tw_alert_priority_css_class  (TwAlertPriority priority);
const char    *tw_alert_state_label         (TwAlertState    state);

G_END_DECLS
