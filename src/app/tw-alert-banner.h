#pragma once

#include <adwaita.h>

#include "tw-alert.h"

G_BEGIN_DECLS

#define TW_TYPE_ALERT_BANNER (tw_alert_banner_get_type ())

G_DECLARE_FINAL_TYPE (TwAlertBanner, tw_alert_banner, TW, ALERT_BANNER, AdwBin)

void        tw_alert_banner_show     (TwAlertBanner *self,
                                      const TwAlert *alert,
                                      const char    *entity_title,
                                      guint          n_unacknowledged);
void        tw_alert_banner_hide     (TwAlertBanner *self);
gboolean    tw_alert_banner_is_shown (TwAlertBanner *self);
const char *tw_alert_banner_get_text (TwAlertBanner *self);
guint64     tw_alert_banner_get_alert_id (TwAlertBanner *self);

G_END_DECLS
