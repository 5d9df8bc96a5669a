#include "tw-sparkline.h"

#include <math.h>

#include "tw-chart-text.h"
#include "tw-m4.h"
#include "tw-m4-render.h"

#define LINE_WIDTH_PX       1.5
#define DOT_RADIUS_PX       2.5
#define BAND_ALPHA_LIGHT    0.12
#define BAND_ALPHA_DARK     0.16
/* Share of the value range left free above and below the line. */
#define VALUE_PADDING       0.12
#define FLAT_PADDING        1.0

/* Points beyond the range that also count for the automatic gap. */
#define AUTO_GAP_CONTEXT    32

/**
 * tw_sparkline_draw:
 * @cr: where to draw
 * @x: left edge, user units
 * @y: top edge
 * @width: width
 * @height: height
 * @style: range, colours and bands
 * @points: (array length=n_points): samples sorted by time
 * @n_points: number of samples
 *
 * Draws a word-sized trend with no background of its own, so it sits on
 * a tile: the normal band as a faint strip, the line from its per-pixel
 * M4 envelope (a one-sample spike shows), gaps open, the last value as a
 * dot. The envelope has one column per device pixel, starting on a whole
 * device pixel.
 */
void
tw_sparkline_draw (cairo_t                *cr,
                   double                  x,
                   double                  y,
                   double                  width,
                   double                  height,
                   const TwSparklineStyle *style,
                   const TwPoint          *points,
                   guint                   n_points)
{
  double scale;
  double x0;
  double x1;
  guint columns;
  g_autoptr(TwM4) m4 = NULL;
  g_autoptr(TwM4Polyline) polyline = NULL;
  gint64 gap_us;
  double lo = INFINITY;
  double hi = -INFINITY;
  double pad_top;
  double plot_h;
  TwM4Geometry geometry;
  gboolean has_band;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);
  g_return_if_fail (style->t_to > style->t_from);
  g_return_if_fail (points != NULL || n_points == 0);

  if (width <= 0 || height <= 0)
    return;

  scale = tw_chart_device_scale (cr);
  x0 = tw_chart_snap (x, scale);
  x1 = tw_chart_snap (x + width, scale);
  columns = (guint) MAX (1.0, round ((x1 - x0) * scale));

  m4 = tw_m4_new (points, n_points, style->t_from, style->t_to, columns);
  if (style->gap_us > 0)
    {
      gap_us = style->gap_us;
    }
  else
    {
      guint start = m4->first_inside - MIN (m4->first_inside, AUTO_GAP_CONTEXT);
      guint end = MIN (m4->first_inside + m4->n_inside + AUTO_GAP_CONTEXT, n_points);

      gap_us = tw_m4_auto_gap (points + start, end - start);
    }
  polyline = tw_m4_polyline_new (m4, gap_us);

  has_band = isfinite (style->normal_low) && isfinite (style->normal_high);
  if (style->fixed_low < style->fixed_high)
    {
      lo = style->fixed_low;
      hi = style->fixed_high;
    }
  else
    {
      for (guint v = 0; v < polyline->vertices->len; v++)
        {
          double value = g_array_index (polyline->vertices, TwM4Vertex, v).value;

          lo = MIN (lo, value);
          hi = MAX (hi, value);
        }
      if (has_band)
        {
          lo = MIN (lo, style->normal_low);
          hi = MAX (hi, style->normal_high);
        }
      if (!isfinite (lo))
        return;
      if (!(hi > lo))
        {
          lo -= FLAT_PADDING;
          hi += FLAT_PADDING;
        }
      {
        double pad = (hi - lo) * VALUE_PADDING;

        lo -= pad;
        hi += pad;
      }
    }

  /* Room for the line's width and the dot at the top and bottom. */
  pad_top = DOT_RADIUS_PX;
  plot_h = MAX (1.0, height - 2 * pad_top);
  geometry.x0 = x0;
  geometry.device_scale = scale;
  geometry.y_per_value = -plot_h / (hi - lo);
  geometry.y0 = y + pad_top + hi * plot_h / (hi - lo);
  geometry.line_width = LINE_WIDTH_PX;

  cairo_save (cr);
  cairo_rectangle (cr, x0, y, x1 - x0, height);
  cairo_clip (cr);

  if (has_band)
    {
      double band_top = tw_chart_snap (geometry.y0 + style->normal_high * geometry.y_per_value,
                                       scale);
      double band_bottom = tw_chart_snap (geometry.y0 + style->normal_low * geometry.y_per_value,
                                          scale);

      tw_chart_set_color_alpha (cr, &style->color, style->dark ? BAND_ALPHA_DARK
                                                               : BAND_ALPHA_LIGHT);
      cairo_rectangle (cr, x0, band_top, x1 - x0, band_bottom - band_top);
      cairo_fill (cr);
    }

  tw_m4_render_line (cr, polyline, columns, &geometry, &style->color);

  if (m4->n_inside > 0)
    {
      const TwPoint *last = &points[m4->first_inside + m4->n_inside - 1];
      double lx = x0 + (double) (last->ts - style->t_from) * (x1 - x0)
                       / (double) (style->t_to - style->t_from);

      lx = MIN (lx, x1 - DOT_RADIUS_PX);
      tw_chart_set_color (cr, &style->color);
      cairo_arc (cr, lx, geometry.y0 + last->value * geometry.y_per_value,
                 DOT_RADIUS_PX, 0, 2 * G_PI);
      cairo_fill (cr);
    }

  cairo_restore (cr);
}
