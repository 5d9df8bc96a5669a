#pragma once

#include <gtk/gtk.h>

#include "tw-chart-view.h"
#include "tw-reader.h"
#include "tw-time-range.h"

G_BEGIN_DECLS

#define TW_TYPE_PATIENT_VIEW (tw_patient_view_get_type ())

G_DECLARE_FINAL_TYPE (TwPatientView, tw_patient_view, TW, PATIENT_VIEW, GtkWidget)

GtkWidget   *tw_patient_view_new              (void);
void         tw_patient_view_set_reader       (TwPatientView *self,
                                               TwReader      *reader);
void         tw_patient_view_set_patient      (TwPatientView *self,
                                               const char    *key,
                                               const char    *display_name,
                                               const char    *location);
const char  *tw_patient_view_get_key          (TwPatientView *self);
void         tw_patient_view_refresh          (TwPatientView *self);
gboolean     tw_patient_view_is_loaded        (TwPatientView *self);

TwTimeRange *tw_patient_view_get_time_range   (TwPatientView *self);
TwChartView *tw_patient_view_get_vitals_chart (TwPatientView *self);
void         tw_patient_view_set_vitals_chart (TwPatientView *self,
                                               TwChartView   *chart);
const char  *tw_patient_view_get_visible_view (TwPatientView *self);
void         tw_patient_view_set_visible_view (TwPatientView *self,
                                               const char    *name);
const char  *tw_patient_view_get_news2_text   (TwPatientView *self);

G_END_DECLS
