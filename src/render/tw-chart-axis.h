#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TW_CHART_AXIS_MIN_TICKS 3
#define TW_CHART_AXIS_MAX_TICKS 5

/**
 * TwChartValueAxis:
 * @lo: value at the bottom of the plot
 * @hi: value at the top of the plot
 * @first: the lowest tick
 * @step: distance between ticks, 1, 2, 2.5 or 5 times a power of ten
 * @n_ticks: ticks from @first upwards, all within [@lo, @hi]
 * @decimals: decimals a label needs to tell the ticks apart
 */
typedef struct
{
  double lo;
  double hi;
  double first;
  double step;
  guint  n_ticks;
  int    decimals;
} TwChartValueAxis;

void    tw_chart_value_axis_init  (TwChartValueAxis *axis,
                                   double            lo,
                                   double            hi,
                                   double            padding,
                                   guint             max_ticks);
double  tw_chart_value_axis_tick  (const TwChartValueAxis *axis,
                                   guint                   index);

gint64  tw_chart_time_step_pick   (gint64            span_us,
                                   double            width_px,
                                   double            min_step_px);
GArray *tw_chart_time_ticks       (gint64            t_from,
                                   gint64            t_to,
                                   gint64            step_us);
char   *tw_chart_time_label       (gint64            ts,
                                   gint64            step_us);

G_END_DECLS
