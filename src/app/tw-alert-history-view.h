#pragma once

#include <adwaita.h>

#include "tw-reader.h"

G_BEGIN_DECLS

#define TW_TYPE_ALERT_HISTORY_VIEW (tw_alert_history_view_get_type ())

G_DECLARE_FINAL_TYPE (TwAlertHistoryView, tw_alert_history_view, TW, ALERT_HISTORY_VIEW, AdwBin)

void      tw_alert_history_view_start        (TwAlertHistoryView *self,
                                              TwReader           *reader);
void      tw_alert_history_view_stop         (TwAlertHistoryView *self);
void      tw_alert_history_view_refresh      (TwAlertHistoryView *self);
void      tw_alert_history_view_search       (TwAlertHistoryView *self,
                                              const char         *text);
void      tw_alert_history_view_focus_search (TwAlertHistoryView *self);
guint     tw_alert_history_view_get_n_alerts (TwAlertHistoryView *self);
gboolean  tw_alert_history_view_get_busy     (TwAlertHistoryView *self);
char     *tw_alert_history_view_dup_text     (TwAlertHistoryView *self);

G_END_DECLS
