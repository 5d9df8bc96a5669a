#include "tw-agp-chart.h"

#include <math.h>

#include "tw-chart-text.h"

#define MINUTES_PER_DAY     1440.0
#define GAP_PX                 8.0
#define OUTER_ALPHA_LIGHT      0.22   /* 5–95 % band */
#define OUTER_ALPHA_DARK       0.28
#define INNER_ALPHA_LIGHT      0.50   /* 25–75 % band */
#define INNER_ALPHA_DARK       0.55
#define MEDIAN_WIDTH_PX        2.5
#define TARGET_WIDTH_PX        1.5
#define TARGET_LOW_MGDL       70.0
#define TARGET_HIGH_MGDL     180.0
/* The axis shows at least 0–350 mg/dL, as printed AGP reports do, so
 * profiles compare at a glance; higher when the 95th percentile is. */
#define AXIS_MIN_TOP_MGDL    350.0
#define HOUR_LABEL_SPACING_PX 12.0
#define LEGEND_SWATCH_PX      14.0
#define LEGEND_GAP_PX         12.0

enum { P5, P25, P50, P75, P95 };

typedef struct
{
  const TwChartCanvas *canvas;
  const TwAgp         *agp;
  cairo_rectangle_t    plot;
  TwChartValueAxis     axis;
  double               unit_factor;   /* mg/dL to axis units */
} Agp;

static gboolean
bin_has_data (const TwAgp *agp,
              guint        b)
{
  return agp->bins[b].n > 0 && isfinite (agp->bins[b].p[P50]);
}

static double
minute_to_x (const Agp *a,
             double     minute)
{
  return a->plot.x + minute / MINUTES_PER_DAY * a->plot.width;
}

static double
mgdl_to_y (const Agp *a,
           double     mgdl)
{
  return tw_chart_axis_to_px (&a->axis, &a->plot, FALSE, mgdl * a->unit_factor);
}

/* A percentile at a run's edge: across midnight the mean with the bin on
 * the other side of the day, elsewhere the bin's own value (half a bin
 * flat), so the profile reaches 00:00 and 24:00 and stops at a gap. */
static double
edge_value (const TwAgp *agp,
            guint        b,
            guint        neighbour,
            gboolean     wraps,
            int          p)
{
  if (wraps && bin_has_data (agp, neighbour))
    return (agp->bins[b].p[p] + agp->bins[neighbour].p[p]) / 2;
  return agp->bins[b].p[p];
}

/* The x and value of the vertices of percentile @p along the run of bins
 * [@first, @last]: both run edges and every bin centre. */
static void
trace (const Agp *a,
       guint      first,
       guint      last,
       int        p,
       gboolean   reverse)
{
  const TwAgp *agp = a->agp;
  cairo_t *cr = a->canvas->cr;
  double bin = agp->bin_minutes;
  guint n = agp->n_bins;
  double start_x = minute_to_x (a, first * bin);
  double end_x = minute_to_x (a, (last + 1) * bin);
  double start_v = edge_value (agp, first, n - 1, first == 0, p);
  double end_v = edge_value (agp, last, 0, last == n - 1, p);

  if (!reverse)
    {
      cairo_line_to (cr, start_x, mgdl_to_y (a, start_v));
      for (guint b = first; b <= last; b++)
        cairo_line_to (cr, minute_to_x (a, (b + 0.5) * bin), mgdl_to_y (a, agp->bins[b].p[p]));
      cairo_line_to (cr, end_x, mgdl_to_y (a, end_v));
    }
  else
    {
      cairo_line_to (cr, end_x, mgdl_to_y (a, end_v));
      for (guint b = last + 1; b-- > first;)
        cairo_line_to (cr, minute_to_x (a, (b + 0.5) * bin), mgdl_to_y (a, agp->bins[b].p[p]));
      cairo_line_to (cr, start_x, mgdl_to_y (a, start_v));
    }
}

static void
fill_band (const Agp          *a,
           guint               first,
           guint               last,
           int                 p_low,
           int                 p_high,
           const TwChartColor *color,
           double              alpha)
{
  cairo_t *cr = a->canvas->cr;

  cairo_new_path (cr);
  trace (a, first, last, p_high, FALSE);
  trace (a, first, last, p_low, TRUE);
  cairo_close_path (cr);
  tw_chart_set_color_alpha (cr, color, alpha);
  cairo_fill (cr);
}

static void
stroke_median (const Agp          *a,
               guint               first,
               guint               last,
               const TwChartColor *color)
{
  cairo_t *cr = a->canvas->cr;

  cairo_new_path (cr);
  trace (a, first, last, P50, FALSE);
  tw_chart_set_color (cr, color);
  cairo_set_line_width (cr, MEDIAN_WIDTH_PX);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_stroke (cr);
}

/* Calls @draw for each run of consecutive bins with readings. */
static void
for_each_run (const Agp *a,
              void     (*draw) (const Agp *, guint, guint, gpointer),
              gpointer   data)
{
  guint b = 0;

  while (b < a->agp->n_bins)
    {
      guint first;

      if (!bin_has_data (a->agp, b))
        {
          b++;
          continue;
        }
      first = b;
      while (b + 1 < a->agp->n_bins && bin_has_data (a->agp, b + 1))
        b++;
      draw (a, first, b, data);
      b++;
    }
}

typedef struct
{
  TwChartColor color;
  gboolean     dark;
} RunStyle;

static void
draw_run_bands (const Agp *a,
                guint      first,
                guint      last,
                gpointer   data)
{
  const RunStyle *rs = data;

  fill_band (a, first, last, P5, P95, &rs->color,
             rs->dark ? OUTER_ALPHA_DARK : OUTER_ALPHA_LIGHT);
  fill_band (a, first, last, P25, P75, &rs->color,
             rs->dark ? INNER_ALPHA_DARK : INNER_ALPHA_LIGHT);
}

static void
draw_run_median (const Agp *a,
                 guint      first,
                 guint      last,
                 gpointer   data)
{
  const RunStyle *rs = data;

  stroke_median (a, first, last, &rs->color);
}

static void
draw_hours (const Agp *a)
{
  const TwChartCanvas *canvas = a->canvas;
  cairo_t *cr = canvas->cr;
  double scale = canvas->device_scale;
  double label_w = tw_chart_canvas_text_width (canvas, canvas->font, "00:00");
  guint step = 3;

  /* Every 3 hours, or 6 or 12 when the labels would touch. */
  while (step < 12 && a->plot.width / (24.0 / step) < label_w + HOUR_LABEL_SPACING_PX)
    step *= 2;

  cairo_save (cr);
  tw_chart_set_color_alpha (cr, &canvas->palette->grid, canvas->palette->grid_alpha);
  cairo_set_line_width (cr, 1.0 / scale);
  for (guint h = step; h < 24; h += step)
    {
      double x = tw_chart_snap_line (minute_to_x (a, h * 60.0), scale);

      cairo_move_to (cr, x, a->plot.y);
      cairo_line_to (cr, x, a->plot.y + a->plot.height);
    }
  cairo_stroke (cr);
  cairo_restore (cr);

  for (guint h = 0; h <= 24; h += step)
    {
      g_autofree char *label = g_strdup_printf ("%02u:00", h);

      tw_chart_canvas_draw_text (canvas, canvas->font, &canvas->palette->muted, label,
                                 minute_to_x (a, h * 60.0), a->plot.y + a->plot.height + 3,
                                 0.5, 0);
    }
}

static void
draw_targets (const Agp *a)
{
  const TwChartCanvas *canvas = a->canvas;
  cairo_t *cr = canvas->cr;
  double scale = canvas->device_scale;
  const double targets[] = { TARGET_LOW_MGDL, TARGET_HIGH_MGDL };

  tw_chart_set_color (cr, &canvas->palette->good);
  cairo_set_line_width (cr, TARGET_WIDTH_PX);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      double y = tw_chart_snap (mgdl_to_y (a, targets[i]), scale);

      cairo_move_to (cr, a->plot.x, y);
      cairo_line_to (cr, a->plot.x + a->plot.width, y);
    }
  cairo_stroke (cr);
}

static void
draw_legend (const Agp          *a,
             const TwChartColor *color,
             gboolean            dark,
             double              x,
             double              y,
             double              right)
{
  const TwChartCanvas *canvas = a->canvas;
  cairo_t *cr = canvas->cr;
  const char *labels[] = { "5\u201395%", "25\u201375%", "Median" };
  double alphas[] = { dark ? OUTER_ALPHA_DARK : OUTER_ALPHA_LIGHT,
                      dark ? INNER_ALPHA_DARK : INNER_ALPHA_LIGHT, 1.0 };
  double total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    total += LEGEND_SWATCH_PX + 4
             + tw_chart_canvas_text_width (canvas, canvas->font, labels[i]) + LEGEND_GAP_PX;
  if (x + total - LEGEND_GAP_PX > right)
    return;
  x = right - total + LEGEND_GAP_PX;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      double sy = y + canvas->label_h / 2;

      if (i < 2)
        {
          tw_chart_set_color_alpha (cr, color, alphas[i]);
          cairo_rectangle (cr, x, sy - LEGEND_SWATCH_PX / 3, LEGEND_SWATCH_PX,
                           2 * LEGEND_SWATCH_PX / 3);
          cairo_fill (cr);
        }
      else
        {
          tw_chart_set_color (cr, color);
          cairo_set_line_width (cr, MEDIAN_WIDTH_PX);
          cairo_move_to (cr, x, sy);
          cairo_line_to (cr, x + LEGEND_SWATCH_PX, sy);
          cairo_stroke (cr);
        }
      x += LEGEND_SWATCH_PX + 4;
      tw_chart_canvas_draw_text (canvas, canvas->font, &canvas->palette->muted, labels[i],
                                 x, y, 0, 0);
      x += tw_chart_canvas_text_width (canvas, canvas->font, labels[i]) + LEGEND_GAP_PX;
    }
}

/* Places the title, the axis and the plot; draws the title when @draw. */
static gboolean
agp_layout (Agp                   *a,
            double                 x,
            double                 y,
            double                 width,
            double                 height,
            const TwAgpChartStyle *style,
            gboolean               draw)
{
  const TwChartCanvas *canvas = a->canvas;
  const TwAgp *agp = a->agp;
  double scale = canvas->device_scale;
  double top_mgdl = AXIS_MIN_TOP_MGDL;
  double header_h = 0;
  double axis_w;
  guint max_ticks;

  a->unit_factor = style->mmol ? 1.0 / TW_MGDL_PER_MMOLL : 1.0;
  for (guint b = 0; b < agp->n_bins; b++)
    if (bin_has_data (agp, b) && isfinite (agp->bins[b].p[P95]))
      top_mgdl = MAX (top_mgdl, agp->bins[b].p[P95]);

  if (style->title != NULL)
    {
      PangoLayout *layout = tw_chart_canvas_text (canvas, canvas->bold, style->title);

      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      tw_chart_layout_size (layout, NULL, &header_h);
      if (draw)
        tw_chart_canvas_show (canvas, layout, &canvas->palette->text, x, y, 0, 0);
      header_h += GAP_PX / 2;
    }
  /* The unit heads the value labels, on a line of its own. */
  header_h += canvas->label_h + GAP_PX / 2;

  a->plot.y = tw_chart_snap (y + header_h, scale);
  a->plot.height = tw_chart_snap (y + height - canvas->label_h - GAP_PX / 2, scale) - a->plot.y;
  max_ticks = (guint) floor (MAX (a->plot.height, 1) / (2.2 * canvas->label_h)) + 1;
  tw_chart_value_axis_init (&a->axis, 0.0, top_mgdl * a->unit_factor, 0.0, max_ticks);
  axis_w = tw_chart_value_axis_width (canvas, &a->axis, 0);
  a->plot.x = tw_chart_snap (x + axis_w, scale);
  /* Room for half of "24:00" centred on the right edge. */
  a->plot.width = tw_chart_snap (x + width - ceil (tw_chart_canvas_text_width (canvas, canvas->font,
                                                                               "24:00") / 2),
                                 scale) - a->plot.x;
  return a->plot.width >= 1 && a->plot.height >= 1;
}

/**
 * tw_agp_chart_draw:
 * @cr: where to draw
 * @x: left edge
 * @y: top edge
 * @width: width
 * @height: height
 * @style: title, unit and colours
 * @agp: the profile, from tw_agp_compute()
 *
 * The ambulatory glucose profile as on the consensus report: 00:00 to
 * 24:00 local time along x, the 5–95th percentile band light, the
 * 25–75th darker, the median as a line, the target range 70–180 mg/dL as
 * two green lines. Bins without readings are gaps; a run of bins with
 * readings reaches across midnight to the other end of the day.
 */
void
tw_agp_chart_draw (cairo_t               *cr,
                   double                 x,
                   double                 y,
                   double                 width,
                   double                 height,
                   const TwAgpChartStyle *style,
                   const TwAgp           *agp)
{
  TwChartCanvas canvas = { 0 };
  Agp a = { 0 };
  RunStyle rs;
  const char *unit;
  gboolean any = FALSE;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);
  g_return_if_fail (agp != NULL);
  g_return_if_fail (agp->n_bins == 0 || agp->bins != NULL);

  if (width <= 0 || height <= 0)
    return;

  cairo_save (cr);
  tw_chart_canvas_init (&canvas, cr, width, height, style->dark);
  a.canvas = &canvas;
  a.agp = agp;
  unit = style->mmol ? "mmol/L" : "mg/dL";
  rs.color = canvas.palette->series[3];
  rs.dark = style->dark;
  for (guint b = 0; b < agp->n_bins; b++)
    if (bin_has_data (agp, b))
      any = TRUE;

  if (!agp_layout (&a, x, y, width, height, style, TRUE))
    goto out;

  tw_chart_set_color (cr, &canvas.palette->plot_background);
  cairo_rectangle (cr, a.plot.x, a.plot.y, a.plot.width, a.plot.height);
  cairo_fill (cr);
  tw_chart_draw_value_axis (&canvas, &a.axis, 0, &a.plot, FALSE);
  tw_chart_canvas_draw_text (&canvas, canvas.font, &canvas.palette->muted, unit,
                             x, a.plot.y - GAP_PX / 2, 0, 1);
  draw_legend (&a, &rs.color, style->dark, a.plot.x, a.plot.y - canvas.label_h - GAP_PX / 2,
               a.plot.x + a.plot.width);
  draw_hours (&a);

  cairo_save (cr);
  cairo_rectangle (cr, a.plot.x, a.plot.y, a.plot.width, a.plot.height);
  cairo_clip (cr);
  for_each_run (&a, draw_run_bands, &rs);
  draw_targets (&a);
  for_each_run (&a, draw_run_median, &rs);
  cairo_restore (cr);

  if (!any)
    tw_chart_canvas_draw_text (&canvas, canvas.font, &canvas.palette->muted, "No readings",
                               a.plot.x + a.plot.width / 2, a.plot.y + a.plot.height / 2,
                               0.5, 0.5);

out:
  tw_chart_canvas_clear (&canvas);
  cairo_restore (cr);
}

/**
 * tw_agp_chart_get_plot_area:
 * @cr: a context like the one drawn into (text metrics, device scale)
 * @x: as for tw_agp_chart_draw()
 * @y: as for tw_agp_chart_draw()
 * @width: as for tw_agp_chart_draw()
 * @height: as for tw_agp_chart_draw()
 * @style: as for tw_agp_chart_draw()
 * @agp: as for tw_agp_chart_draw()
 * @area: (out): where the profile is drawn, 00:00 to 24:00 left to right
 * @low_mgdl: (out) (optional): the value at the bottom of @area
 * @high_mgdl: (out) (optional): the value at its top
 *
 * Returns: %FALSE when the chart is too small to have a plot
 */
gboolean
tw_agp_chart_get_plot_area (cairo_t               *cr,
                            double                 x,
                            double                 y,
                            double                 width,
                            double                 height,
                            const TwAgpChartStyle *style,
                            const TwAgp           *agp,
                            cairo_rectangle_t     *area,
                            double                *low_mgdl,
                            double                *high_mgdl)
{
  TwChartCanvas canvas = { 0 };
  Agp a = { 0 };
  gboolean ok;

  g_return_val_if_fail (cr != NULL, FALSE);
  g_return_val_if_fail (style != NULL, FALSE);
  g_return_val_if_fail (agp != NULL, FALSE);
  g_return_val_if_fail (area != NULL, FALSE);

  if (width <= 0 || height <= 0)
    return FALSE;
  tw_chart_canvas_init (&canvas, cr, width, height, style->dark);
  a.canvas = &canvas;
  a.agp = agp;
  ok = agp_layout (&a, x, y, width, height, style, FALSE);
  *area = a.plot;
  if (low_mgdl != NULL)
    *low_mgdl = a.axis.lo / a.unit_factor;
  if (high_mgdl != NULL)
    *high_mgdl = a.axis.hi / a.unit_factor;
  tw_chart_canvas_clear (&canvas);
  return ok;
}

static char *
bin_time (const TwAgp *agp,
          guint        b)
{
  guint minute = b * agp->bin_minutes;

  return g_strdup_printf ("%02u:%02u", minute / 60, minute % 60);
}

/**
 * tw_agp_chart_describe:
 * @agp: the profile
 *
 * What the chart shows, for screen readers: the median's range and when
 * it peaks, the extremes of the outer band, and how many bins have no
 * readings.
 *
 * Returns: (transfer full): the summary
 */
char *
tw_agp_chart_describe (const TwAgp *agp)
{
  GString *text;
  guint n_empty = 0;
  gint lo_b = -1;
  gint hi_b = -1;
  gint p5_b = -1;
  gint p95_b = -1;

  g_return_val_if_fail (agp != NULL, NULL);

  for (guint b = 0; b < agp->n_bins; b++)
    {
      const TwAgpBin *bin = &agp->bins[b];

      if (!bin_has_data (agp, b))
        {
          n_empty++;
          continue;
        }
      if (lo_b < 0 || bin->p[P50] < agp->bins[lo_b].p[P50])
        lo_b = b;
      if (hi_b < 0 || bin->p[P50] > agp->bins[hi_b].p[P50])
        hi_b = b;
      if (p5_b < 0 || bin->p[P5] < agp->bins[p5_b].p[P5])
        p5_b = b;
      if (p95_b < 0 || bin->p[P95] > agp->bins[p95_b].p[P95])
        p95_b = b;
    }

  text = g_string_new ("Ambulatory glucose profile over 24 hours.");
  if (lo_b < 0)
    {
      g_string_append (text, " No readings.");
      return g_string_free (text, FALSE);
    }
  {
    g_autofree char *lo_t = bin_time (agp, lo_b);
    g_autofree char *hi_t = bin_time (agp, hi_b);
    g_autofree char *p5_t = bin_time (agp, p5_b);
    g_autofree char *p95_t = bin_time (agp, p95_b);

    g_string_append_printf (text, " Median %.0f mg/dL (lowest, at %s) to %.0f mg/dL "
                            "(highest, at %s).", agp->bins[lo_b].p[P50], lo_t,
                            agp->bins[hi_b].p[P50], hi_t);
    g_string_append_printf (text, " 5th percentile down to %.0f mg/dL at %s; 95th up to "
                            "%.0f mg/dL at %s.", agp->bins[p5_b].p[P5], p5_t,
                            agp->bins[p95_b].p[P95], p95_t);
  }
  if (n_empty > 0)
    g_string_append_printf (text, " %u of %u periods without readings.", n_empty, agp->n_bins);
  return g_string_free (text, FALSE);
}
