#pragma once

#include <adwaita.h>

#include "tw-pipeline.h"
#include "tw-session.h"

G_BEGIN_DECLS

#define TW_TYPE_MONITOR_PAGE (tw_monitor_page_get_type ())

G_DECLARE_FINAL_TYPE (TwMonitorPage, tw_monitor_page, TW, MONITOR_PAGE, AdwBin)

void        tw_monitor_page_start               (TwMonitorPage *self,
                                                 TwSession     *session,
                                                 TwPipeline    *pipeline);
void        tw_monitor_page_stop                (TwMonitorPage *self);
void        tw_monitor_page_set_pipeline        (TwMonitorPage *self,
                                                 TwPipeline    *pipeline);
void        tw_monitor_page_add_toast           (TwMonitorPage *self,
                                                 const char    *message);
gboolean    tw_monitor_page_show_trend          (TwMonitorPage *self,
                                                 const char    *key,
                                                 gint64         from,
                                                 gint64         to);
void        tw_monitor_page_show_patient        (TwMonitorPage *self,
                                                 const char    *key);
guint       tw_monitor_page_get_n_patients      (TwMonitorPage *self);
const char *tw_monitor_page_get_selected_key    (TwMonitorPage *self);
guint       tw_monitor_page_get_trend_window_minutes (TwMonitorPage *self);
void        tw_monitor_page_set_trend_window_minutes (TwMonitorPage *self,
                                                      guint          minutes);

G_END_DECLS
