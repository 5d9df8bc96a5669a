#pragma once

#include <adwaita.h>

#include "tw-alert-history-view.h"
#include "tw-pipeline.h"
#include "tw-session.h"

G_BEGIN_DECLS

#define TW_TYPE_ALERTS_PAGE (tw_alerts_page_get_type ())

G_DECLARE_FINAL_TYPE (TwAlertsPage, tw_alerts_page, TW, ALERTS_PAGE, AdwBin)

void                   tw_alerts_page_start        (TwAlertsPage *self,
                                                    TwSession    *session,
                                                    TwPipeline   *pipeline);
void                   tw_alerts_page_stop         (TwAlertsPage *self);
void                   tw_alerts_page_set_pipeline (TwAlertsPage *self,
                                                    TwPipeline   *pipeline);
const TwAlertSnapshot *tw_alerts_page_get_snapshot (TwAlertsPage *self);
char                  *tw_alerts_page_dup_entity_title (TwAlertsPage *self,
                                                        const char   *entity_key);
gboolean               tw_alerts_page_select_alert (TwAlertsPage *self,
                                                    guint64       alert_id);
guint64                tw_alerts_page_get_selected_id (TwAlertsPage *self);
void                   tw_alerts_page_focus_selected (TwAlertsPage *self);
guint                  tw_alerts_page_get_n_shown  (TwAlertsPage *self);
void                   tw_alerts_page_pause_audio  (TwAlertsPage *self);
void                   tw_alerts_page_show_view    (TwAlertsPage *self,
                                                    const char   *name);
TwAlertHistoryView    *tw_alerts_page_get_history_view (TwAlertsPage *self);

G_END_DECLS
