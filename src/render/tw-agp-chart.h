#pragma once

#include <cairo.h>
#include <glib.h>

#include "tw-glucose.h"

G_BEGIN_DECLS

/* The AGP chart: 24 hours of local time along x (00:00 … 24:00), the 5–95
 * percentile band light, 25–75 darker, the median as a line, the target
 * range 70–180 mg/dL marked; bins without readings are gaps. */

typedef struct
{
  const char *title;      /* "Ambulatory glucose profile, 14 days" */
  gboolean    mmol;       /* axis in mmol/L instead of mg/dL */
  gboolean    dark;
} TwAgpChartStyle;

void  tw_agp_chart_draw     (cairo_t               *cr,
                             double                 x,
                             double                 y,
                             double                 width,
                             double                 height,
                             const TwAgpChartStyle *style,
                             const TwAgp           *agp);

char *tw_agp_chart_describe (const TwAgp           *agp);

/* Where the profile is drawn (00:00 at the left edge, 24:00 at the right)
 * and the value range of its axis in mg/dL, for pointers and tests. */
gboolean tw_agp_chart_get_plot_area (cairo_t               *cr,
                                     double                 x,
                                     double                 y,
                                     double                 width,
                                     double                 height,
                                     const TwAgpChartStyle *style,
                                     const TwAgp           *agp,
                                     cairo_rectangle_t     *area,
                                     double                *low_mgdl,
                                     double                *high_mgdl);

G_END_DECLS
