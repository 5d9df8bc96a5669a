#pragma once

#include <gtk/gtk.h>

#include "tw-point.h"
#include "tw-reader.h"
#include "tw-time-range.h"
#include "tw-trend-chart.h"

G_BEGIN_DECLS

#define TW_TYPE_CHART_VIEW (tw_chart_view_get_type ())

G_DECLARE_FINAL_TYPE (TwChartView, tw_chart_view, TW, CHART_VIEW, GtkWidget)

/**
 * TwChartViewKind:
 * @TW_CHART_VIEW_VITALS: heart rate, SpO2, blood pressure, respiration
 *   rate and temperature, each with its normal band
 * @TW_CHART_VIEW_NEWS2: the NEWS2 score ("news2" series) on the RCP bands
 * @TW_CHART_VIEW_GLUCOSE: glucose on the consensus ranges, with the AR2
 *   forecast drawn ahead
 *
 * What the chart shows; each kind has its panels and series.
 */
typedef enum
{
  TW_CHART_VIEW_VITALS,
  TW_CHART_VIEW_NEWS2,
  TW_CHART_VIEW_GLUCOSE,
} TwChartViewKind;

GType       tw_chart_view_kind_get_type   (void) G_GNUC_CONST;
#define TW_TYPE_CHART_VIEW_KIND (tw_chart_view_kind_get_type ())

/* Zoom steps of the keyboard and one scroll notch. */
#define TW_CHART_VIEW_ZOOM_STEP   1.25
/* Share of the visible span one arrow key or scroll notch pans. */
#define TW_CHART_VIEW_PAN_STEP    0.1

GtkWidget  *tw_chart_view_new             (void);

void        tw_chart_view_set_kind        (TwChartView     *self,
                                           TwChartViewKind  kind);
TwChartViewKind tw_chart_view_get_kind    (TwChartView     *self);

void        tw_chart_view_take_series     (TwChartView   *self,
                                           const char    *metric,
                                           GArray        *points);
void        tw_chart_view_append_series   (TwChartView   *self,
                                           const char    *metric,
                                           const TwPoint *points,
                                           guint          n_points,
                                           gint64         keep_from);
gint64      tw_chart_view_get_last_ts     (TwChartView   *self);
void        tw_chart_view_set_range       (TwChartView *self,
                                           gint64       t_from,
                                           gint64       t_to);
void        tw_chart_view_get_range       (TwChartView *self,
                                           gint64      *t_from,
                                           gint64      *t_to);
void        tw_chart_view_clear           (TwChartView *self);
void        tw_chart_view_set_highlight   (TwChartView *self,
                                           gint64       t_from,
                                           gint64       t_to);
gboolean    tw_chart_view_get_highlight   (TwChartView *self,
                                           gint64      *t_from,
                                           gint64      *t_to);
guint       tw_chart_view_get_n_points    (TwChartView *self);
const char *tw_chart_view_get_subject     (TwChartView *self);
void        tw_chart_view_set_subject     (TwChartView *self,
                                           const char  *subject);
char       *tw_chart_view_dup_description (TwChartView *self);

/* The shared range (charts of one patient); each chart has its own
 * until one is set. */
void         tw_chart_view_set_time_range (TwChartView *self,
                                           TwTimeRange *range);
TwTimeRange *tw_chart_view_get_time_range (TwChartView *self);

/* Where envelopes come from when the range reaches beyond the raw points
 * the chart holds (zoomed out, panned into the past). */
void        tw_chart_view_set_source      (TwChartView *self,
                                           TwReader    *reader,
                                           const char  *entity_key);
void        tw_chart_view_set_loaded_from (TwChartView *self,
                                           gint64       from);
gboolean    tw_chart_view_get_showing_envelopes (TwChartView *self);

void        tw_chart_view_set_forecast    (TwChartView   *self,
                                           const char    *metric,
                                           const TwPoint *points,
                                           guint          n_points);
void        tw_chart_view_set_markers     (TwChartView         *self,
                                           const TwChartMarker *markers,
                                           guint                n_markers);

/* What the pointer, scroll wheel and keys do, for tests and actions. */
void        tw_chart_view_zoom            (TwChartView *self,
                                           double       factor,
                                           gint64       anchor);
void        tw_chart_view_pan             (TwChartView *self,
                                           double       share);
void        tw_chart_view_go_live         (TwChartView *self);
void        tw_chart_view_set_crosshair   (TwChartView *self,
                                           gint64       ts);
gint64      tw_chart_view_get_crosshair   (TwChartView *self);
char       *tw_chart_view_dup_crosshair_text (TwChartView *self);
gint64      tw_chart_view_time_at_x       (TwChartView *self,
                                           double       x);

G_END_DECLS
