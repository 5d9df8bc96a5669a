#include "tw-scatter.h"

#include <math.h>

#include "tw-chart-text.h"

#define DEFAULT_RADIUS_PX   2.5
#define GAP_PX              8.0
#define VALUE_PADDING       0.05
#define TICK_SPACING_EM     2.2
#define X_TICK_SPACING_PX  70.0
#define FULL_COVERAGE     255.0

/*
 * Points are binned per device pixel of the plot first, each group into
 * its own coverage mask; each occupied pixel then stamps an antialiased
 * disc into its group's mask, and each mask is composited once in its
 * colour. A million points cost one pass over them plus the occupied
 * pixels, never a million arcs.
 */
typedef struct
{
  int     width;
  int     height;
  guint8 *occupied;   /* width × height per group */
  guint   n_groups;
} Bins;

static guint8 *
bins_group (Bins  *bins,
            guint  group)
{
  return bins->occupied + (gsize) group * bins->width * bins->height;
}

/* Coverage of a disc of @radius device pixels centred on a pixel, by
 * 4×4 supersampling, for offsets within the disc's square. */
static guint8 *
disc_kernel_new (double radius,
                 int   *half)
{
  int h = (int) ceil (radius);
  int size = 2 * h + 1;
  guint8 *kernel = g_new0 (guint8, size * size);
  const int samples = 4;

  for (int dy = -h; dy <= h; dy++)
    for (int dx = -h; dx <= h; dx++)
      {
        int inside = 0;

        for (int sy = 0; sy < samples; sy++)
          for (int sx = 0; sx < samples; sx++)
            {
              double px = dx - 0.5 + (sx + 0.5) / samples;
              double py = dy - 0.5 + (sy + 0.5) / samples;

              if (px * px + py * py <= radius * radius)
                inside++;
            }
        kernel[(dy + h) * size + dx + h] = (guint8) lround (FULL_COVERAGE * inside
                                                             / (samples * samples));
      }
  *half = h;
  return kernel;
}

static void
paint_group (cairo_t           *cr,
             const Bins        *bins,
             const guint8      *occupied,
             const guint8      *kernel,
             int                half,
             const cairo_rectangle_t *plot,
             double             scale,
             const TwChartColor *color)
{
  int size = 2 * half + 1;
  cairo_surface_t *mask = cairo_image_surface_create (CAIRO_FORMAT_A8, bins->width,
                                                      bins->height);
  guint8 *data;
  int stride;
  gboolean any = FALSE;

  if (cairo_surface_status (mask) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (mask);
      return;
    }
  cairo_surface_flush (mask);
  data = cairo_image_surface_get_data (mask);
  stride = cairo_image_surface_get_stride (mask);

  for (int py = 0; py < bins->height; py++)
    for (int px = 0; px < bins->width; px++)
      {
        if (!occupied[py * bins->width + px])
          continue;
        any = TRUE;
        for (int dy = -half; dy <= half; dy++)
          {
            int y = py + dy;

            if (y < 0 || y >= bins->height)
              continue;
            for (int dx = -half; dx <= half; dx++)
              {
                int x = px + dx;
                guint8 k = kernel[(dy + half) * size + dx + half];
                guint8 *d;

                if (x < 0 || x >= bins->width || k == 0)
                  continue;
                d = &data[y * stride + x];
                *d = MAX (*d, k);
              }
          }
      }

  if (any)
    {
      cairo_surface_mark_dirty (mask);
      cairo_surface_set_device_scale (mask, scale, scale);
      tw_chart_set_color (cr, color);
      cairo_mask_surface (cr, mask, plot->x, plot->y);
    }
  cairo_surface_destroy (mask);
}

static void
fit_range (double *lo,
           double *hi)
{
  if (!isfinite (*lo))
    {
      *lo = 0;
      *hi = 1;
    }
  else if (!(*hi > *lo))
    {
      *lo -= 1;
      *hi += 1;
    }
}

/**
 * tw_scatter_draw:
 * @cr: where to draw
 * @x: left edge
 * @y: top edge
 * @width: width
 * @height: height
 * @style: axes, labels, dot size
 * @points: (array length=n_points): the points
 * @n_points: number of points
 *
 * A scatter plot with a value axis along x and y and their labels; each
 * group in its series colour, later groups on top. Points are binned per
 * device pixel before drawing, so the cost follows the plot's pixels,
 * not the number of points.
 */
void
tw_scatter_draw (cairo_t              *cr,
                 double                x,
                 double                y,
                 double                width,
                 double                height,
                 const TwScatterStyle *style,
                 const TwScatterPoint *points,
                 guint                 n_points)
{
  TwChartCanvas canvas = { 0 };
  TwChartValueAxis x_axis;
  TwChartValueAxis y_axis;
  cairo_rectangle_t plot;
  Bins bins = { 0 };
  double scale;
  double x_lo = INFINITY, x_hi = -INFINITY;
  double y_lo = INFINITY, y_hi = -INFINITY;
  double top = y;
  double bottom;
  double y_axis_w;
  double radius;
  g_autofree guint8 *kernel = NULL;
  int half;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);
  g_return_if_fail (points != NULL || n_points == 0);

  if (width <= 0 || height <= 0)
    return;

  cairo_save (cr);
  tw_chart_canvas_init (&canvas, cr, width, height, style->dark);
  scale = canvas.device_scale;
  radius = style->radius > 0 ? style->radius : DEFAULT_RADIUS_PX;

  for (guint i = 0; i < n_points; i++)
    {
      if (!isfinite (points[i].x) || !isfinite (points[i].y))
        continue;
      x_lo = MIN (x_lo, points[i].x);
      x_hi = MAX (x_hi, points[i].x);
      y_lo = MIN (y_lo, points[i].y);
      y_hi = MAX (y_hi, points[i].y);
      bins.n_groups = MAX (bins.n_groups, points[i].group + 1);
    }
  fit_range (&x_lo, &x_hi);
  fit_range (&y_lo, &y_hi);
  if (style->x_low < style->x_high)
    {
      x_lo = style->x_low;
      x_hi = style->x_high;
    }
  if (style->y_low < style->y_high)
    {
      y_lo = style->y_low;
      y_hi = style->y_high;
    }

  if (style->title != NULL)
    {
      PangoLayout *layout = tw_chart_canvas_text (&canvas, canvas.bold, style->title);
      double h;

      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      tw_chart_layout_size (layout, NULL, &h);
      tw_chart_canvas_show (&canvas, layout, &canvas.palette->text, x, y, 0, 0);
      top += h + GAP_PX / 2;
    }
  if (style->y_label != NULL)
    {
      tw_chart_canvas_draw_text (&canvas, canvas.font, &canvas.palette->muted, style->y_label,
                                 x, top, 0, 0);
      top += canvas.label_h + GAP_PX / 2;
    }
  bottom = y + height - canvas.label_h - GAP_PX / 2;
  if (style->x_label != NULL)
    bottom -= canvas.label_h + GAP_PX / 2;

  plot.y = tw_chart_snap (top, scale);
  plot.height = tw_chart_snap (bottom, scale) - plot.y;
  tw_chart_value_axis_init (&y_axis, y_lo, y_hi,
                            style->y_low < style->y_high ? 0.0 : VALUE_PADDING,
                            (guint) floor (MAX (plot.height, 1)
                                           / (TICK_SPACING_EM * canvas.label_h)) + 1);
  y_axis_w = tw_chart_value_axis_width (&canvas, &y_axis, 0);
  plot.x = tw_chart_snap (x + y_axis_w, scale);
  plot.width = tw_chart_snap (x + width - canvas.font_px, scale) - plot.x;
  if (plot.width < 1 || plot.height < 1)
    goto out;
  tw_chart_value_axis_init (&x_axis, x_lo, x_hi,
                            style->x_low < style->x_high ? 0.0 : VALUE_PADDING,
                            (guint) floor (plot.width / X_TICK_SPACING_PX) + 1);

  tw_chart_set_color (cr, &canvas.palette->plot_background);
  cairo_rectangle (cr, plot.x, plot.y, plot.width, plot.height);
  cairo_fill (cr);
  tw_chart_draw_value_axis (&canvas, &y_axis, 0, &plot, FALSE);
  tw_chart_draw_value_axis (&canvas, &x_axis, 0, &plot, TRUE);
  if (style->x_label != NULL)
    tw_chart_canvas_draw_text (&canvas, canvas.font, &canvas.palette->muted, style->x_label,
                               plot.x + plot.width / 2, y + height, 0.5, 1);

  bins.width = (int) round (plot.width * scale);
  bins.height = (int) round (plot.height * scale);
  if (bins.n_groups == 0 || bins.width <= 0 || bins.height <= 0)
    goto out;
  bins.occupied = g_malloc0 ((gsize) bins.n_groups * bins.width * bins.height);
  for (guint i = 0; i < n_points; i++)
    {
      const TwScatterPoint *p = &points[i];
      double fx;
      double fy;
      int px;
      int py;

      if (!isfinite (p->x) || !isfinite (p->y))
        continue;
      fx = (p->x - x_axis.lo) / (x_axis.hi - x_axis.lo) * bins.width;
      fy = (1.0 - (p->y - y_axis.lo) / (y_axis.hi - y_axis.lo)) * bins.height;
      if (fx < 0 || fy < 0 || fx > bins.width || fy > bins.height)
        continue;
      px = MIN ((int) fx, bins.width - 1);
      py = MIN ((int) fy, bins.height - 1);
      bins_group (&bins, p->group)[py * bins.width + px] = 1;
    }

  kernel = disc_kernel_new (radius * scale, &half);
  cairo_save (cr);
  cairo_rectangle (cr, plot.x, plot.y, plot.width, plot.height);
  cairo_clip (cr);
  for (guint g = 0; g < bins.n_groups; g++)
    {
      TwChartColor color = canvas.palette->series[g % TW_CHART_N_SERIES_COLORS];

      paint_group (cr, &bins, bins_group (&bins, g), kernel, half, &plot, scale, &color);
    }
  cairo_restore (cr);
  g_free (bins.occupied);

out:
  tw_chart_canvas_clear (&canvas);
  cairo_restore (cr);
}
