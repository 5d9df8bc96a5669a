#pragma once

#include <cairo.h>
#include <glib.h>

#include "tw-chart-palette.h"

G_BEGIN_DECLS

/* A scatter plot with value axes on both sides (RFM segments, glucose by
 * time of day, return vs volatility). Points are binned per device pixel
 * before drawing, so 1M points cost what the visible pixels cost. */

typedef struct
{
  double x;
  double y;
  guint  group;           /* colour index into the series palette */
} TwScatterPoint;

typedef struct
{
  const char *title;      /* may be NULL */
  const char *x_label;    /* "Recency (days)" */
  const char *y_label;
  double      x_low, x_high;   /* used when low < high, else fitted */
  double      y_low, y_high;
  double      radius;     /* px at scale 1, 0: 2.5 */
  gboolean    dark;
} TwScatterStyle;

void tw_scatter_draw (cairo_t              *cr,
                      double                x,
                      double                y,
                      double                width,
                      double                height,
                      const TwScatterStyle *style,
                      const TwScatterPoint *points,
                      guint                 n_points);

G_END_DECLS
