#pragma once

#include <gtk/gtk.h>

#include "tw-point.h"

G_BEGIN_DECLS

#define TW_TYPE_CHART_VIEW (tw_chart_view_get_type ())

G_DECLARE_FINAL_TYPE (TwChartView, tw_chart_view, TW, CHART_VIEW, GtkWidget)

GtkWidget  *tw_chart_view_new             (void);

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

G_END_DECLS
