#pragma once

#include <cairo.h>
#include <glib.h>

#include "tw-chart-palette.h"
#include "tw-point.h"

G_BEGIN_DECLS

/* A word-sized trend for a ward tile: no axes, no labels; the line from
 * its M4 envelope (a spike shows), gaps left open, the normal band as a
 * faint strip, the last value as a dot. */

typedef struct
{
  gint64        t_from;        /* µs UTC */
  gint64        t_to;
  double        normal_low;    /* NAN: no band */
  double        normal_high;
  double        fixed_low;     /* used when fixed_low < fixed_high */
  double        fixed_high;
  gint64        gap_us;        /* 0: automatic */
  TwChartColor  color;
  gboolean      dark;
} TwSparklineStyle;

void tw_sparkline_draw (cairo_t                *cr,
                        double                  x,
                        double                  y,
                        double                  width,
                        double                  height,
                        const TwSparklineStyle *style,
                        const TwPoint          *points,
                        guint                   n_points);

G_END_DECLS
