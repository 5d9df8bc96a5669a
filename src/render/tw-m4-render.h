#pragma once

#include <cairo.h>

#include "tw-chart-palette.h"
#include "tw-m4.h"

G_BEGIN_DECLS

/**
 * TwM4Geometry:
 * @x0: user-space x of the left edge of column 0
 * @device_scale: device pixels per user unit; the envelope has one column
 *   per device pixel
 * @y0: user-space y of the value 0
 * @y_per_value: user-space y per unit of value (negative: values go up)
 * @line_width: in user units
 *
 * Where a polyline from tw_m4_polyline_new() lands on the page.
 */
typedef struct
{
  double x0;
  double device_scale;
  double y0;
  double y_per_value;
  double line_width;
} TwM4Geometry;

void tw_m4_render_line (cairo_t            *cr,
                        const TwM4Polyline *polyline,
                        guint               width,
                        const TwM4Geometry *geometry,
                        const TwChartColor *color);

G_END_DECLS
