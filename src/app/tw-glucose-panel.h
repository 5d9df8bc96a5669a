#pragma once

#include <gtk/gtk.h>

#include "tw-ar2.h"
#include "tw-chart-view.h"
#include "tw-glucose.h"

G_BEGIN_DECLS

#define TW_TYPE_GLUCOSE_PANEL (tw_glucose_panel_get_type ())

G_DECLARE_FINAL_TYPE (TwGlucosePanel, tw_glucose_panel, TW, GLUCOSE_PANEL, GtkWidget)

/* Kovatchev's risk categories: at or below these the risk is low. */
#define TW_GLUCOSE_LBGI_LOW_RISK 2.5
#define TW_GLUCOSE_HBGI_LOW_RISK 4.5

GtkWidget   *tw_glucose_panel_new       (void);
void         tw_glucose_panel_set_data  (TwGlucosePanel       *self,
                                         GArray               *points,
                                         const TwGlucoseStats *stats,
                                         TwAgp                *agp,
                                         const TwAr2Forecast  *forecast,
                                         const char           *forecast_error);
void         tw_glucose_panel_clear     (TwGlucosePanel       *self);
TwChartView *tw_glucose_panel_get_chart (TwGlucosePanel       *self);

/* The texts of the statistics, as the panel shows them (tests compare). */
char        *tw_glucose_format_mean     (double mean_mgdl);
char        *tw_glucose_format_gmi      (double gmi_percent,
                                         double gmi_mmol_mol);
char        *tw_glucose_format_cv       (double cv_percent);
char        *tw_glucose_format_index    (double index);

G_END_DECLS
