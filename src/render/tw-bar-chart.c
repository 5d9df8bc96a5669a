#include "tw-bar-chart.h"

#include <math.h>

#include "tw-chart-format.h"
#include "tw-chart-text.h"
#include "tw-glucose.h"

#define BAR_SHARE            0.6   /* of a category's slot */
#define MAX_BAR_PX          64.0
#define GAP_PX               8.0
#define LEGEND_SWATCH_PX    10.0
#define LEGEND_GAP_PX       14.0
#define VALUE_TICK_EM        2.2   /* value labels at least this many lines apart */

/* The range bar: its width, the labels' leader lines and spacing. */
#define RANGE_BAR_SHARE      0.3
#define RANGE_BAR_MAX_PX    56.0
#define RANGE_LEADER_PX     10.0
#define RANGE_LABEL_GAP_PX   3.0
#define RANGE_SEGMENT_GAP_PX 1.0

#define CHANNEL(hex, shift) ((((hex) >> (shift)) & 0xff) / 255.0)
#define RGB(hex) { CHANNEL (hex, 16), CHANNEL (hex, 8), CHANNEL (hex, 0) }

/* The consensus report's colours (Battelino 2019): very low dark red, low
 * red, in range green, high yellow, very high orange; lighter on dark. */
static const TwChartColor glucose_light[TW_GLUCOSE_N_RANGES] = {
  RGB (0xa51d2d), RGB (0xe01b24), RGB (0x2ec27e), RGB (0xf5c211), RGB (0xe66100),
};
static const TwChartColor glucose_dark[TW_GLUCOSE_N_RANGES] = {
  RGB (0xc01c28), RGB (0xf66151), RGB (0x57e389), RGB (0xf8e45c), RGB (0xffa348),
};

/**
 * tw_chart_palette_glucose_range:
 * @dark: the dark style
 * @range: a #TwGlucoseRange
 *
 * Returns: the fill of that consensus range
 */
TwChartColor
tw_chart_palette_glucose_range (gboolean dark,
                                guint    range)
{
  g_return_val_if_fail (range < TW_GLUCOSE_N_RANGES, glucose_light[TW_GLUCOSE_IN_RANGE]);

  return dark ? glucose_dark[range] : glucose_light[range];
}

static gboolean
color_is_unset (const TwChartColor *c)
{
  return c->red == 0 && c->green == 0 && c->blue == 0;
}

/* A zeroed colour in the style picks the series palette's. */
static TwChartColor
segment_color (const TwChartCanvas   *canvas,
               const TwBarChartStyle *style,
               guint                  s)
{
  if (!color_is_unset (&style->segment_colors[s]))
    return style->segment_colors[s];
  return canvas->palette->series[s % TW_CHART_N_SERIES_COLORS];
}

static double
bar_total (const TwBar *bar,
           guint        n_segments)
{
  double total = 0;

  for (guint s = 0; s < n_segments; s++)
    if (isfinite (bar->values[s]) && bar->values[s] > 0)
      total += bar->values[s];
  return total;
}

/* Title and, for stacks, a legend of the segments; returns the height
 * used. */
static double
draw_header (const TwChartCanvas   *canvas,
             const TwBarChartStyle *style,
             double                 x,
             double                 y,
             double                 width)
{
  double h = 0;
  double lx = x;
  gboolean legend = style->n_segments > 1;

  if (style->title != NULL)
    {
      PangoLayout *layout = tw_chart_canvas_text (canvas, canvas->bold, style->title);
      double w;

      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      tw_chart_layout_size (layout, &w, &h);
      tw_chart_canvas_show (canvas, layout, &canvas->palette->text, x, y, 0, 0);
      lx += w + LEGEND_GAP_PX;
    }
  for (guint s = 0; legend && s < style->n_segments; s++)
    if (style->segment_labels[s] == NULL)
      legend = FALSE;

  if (legend)
    {
      for (guint s = 0; s < style->n_segments; s++)
        {
          TwChartColor color = segment_color (canvas, style, s);
          double w = tw_chart_canvas_text_width (canvas, canvas->font, style->segment_labels[s]);

          if (lx + LEGEND_SWATCH_PX + 4 + w > x + width)
            {
              /* The legend goes on a line of its own. */
              if (lx == x)
                break;
              y += MAX (h, canvas->label_h) + 2;
              h = 0;
              lx = x;
              if (lx + LEGEND_SWATCH_PX + 4 + w > x + width)
                break;
            }
          tw_chart_set_color (canvas->cr, &color);
          cairo_rectangle (canvas->cr, lx, y + (canvas->label_h - LEGEND_SWATCH_PX) / 2,
                           LEGEND_SWATCH_PX, LEGEND_SWATCH_PX);
          cairo_fill (canvas->cr);
          tw_chart_canvas_draw_text (canvas, canvas->font, &canvas->palette->muted,
                                     style->segment_labels[s], lx + LEGEND_SWATCH_PX + 4, y,
                                     0, 0);
          lx += LEGEND_SWATCH_PX + 4 + w + LEGEND_GAP_PX;
          h = MAX (h, canvas->label_h);
        }
    }
  return h > 0 ? h + GAP_PX : 0;
}

static void
draw_segment_value (const TwChartCanvas   *canvas,
                    const TwBarChartStyle *style,
                    const TwChartColor    *fill,
                    double                 value,
                    double                 cx,
                    double                 cy,
                    double                 w,
                    double                 h)
{
  g_autofree char *text = tw_chart_format_value (value, style->digits);
  PangoLayout *layout = tw_chart_canvas_text (canvas, canvas->font, text);
  TwChartColor ink = tw_chart_color_text_on (fill);
  double tw;
  double th;

  tw_chart_layout_size (layout, &tw, &th);
  if (tw + 4 > w || th > h)
    return;
  tw_chart_canvas_show (canvas, layout, &ink, cx, cy, 0.5, 0.5);
}

/**
 * tw_bar_chart_draw:
 * @cr: where to draw
 * @x: left edge
 * @y: top edge
 * @width: width
 * @height: height
 * @style: segments, orientation, labels
 * @bars: (array length=n_bars): the categories in order
 * @n_bars: number of bars
 *
 * Bars, or stacks of segments, from a value axis that starts at 0 (or
 * 0–100 % when normalised), with the categories' labels, a legend of
 * the segments and their values where they fit. Bar edges sit on device
 * pixels. Draws no background: the chart sits on its container.
 */
void
tw_bar_chart_draw (cairo_t               *cr,
                   double                 x,
                   double                 y,
                   double                 width,
                   double                 height,
                   const TwBarChartStyle *style,
                   const TwBar           *bars,
                   guint                  n_bars)
{
  TwChartCanvas canvas = { 0 };
  TwChartValueAxis axis;
  cairo_rectangle_t plot;
  guint n_segments;
  double max_total = 0;
  double header_h;
  double labels_w = 0;
  double axis_w;
  double scale;
  guint max_ticks;
  const char *unit;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);
  g_return_if_fail (bars != NULL || n_bars == 0);

  if (width <= 0 || height <= 0)
    return;

  n_segments = CLAMP (style->n_segments, 1, TW_BAR_MAX_SEGMENTS);
  cairo_save (cr);
  tw_chart_canvas_init (&canvas, cr, width, height, style->dark);
  scale = canvas.device_scale;
  unit = tw_chart_format_unit (style->unit);

  header_h = draw_header (&canvas, style, x, y, width);

  for (guint b = 0; b < n_bars; b++)
    {
      max_total = MAX (max_total, bar_total (&bars[b], n_segments));
      if (bars[b].label != NULL)
        labels_w = MAX (labels_w, tw_chart_canvas_text_width (&canvas, canvas.font,
                                                              bars[b].label));
    }
  if (style->normalize)
    max_total = 100.0;
  if (max_total <= 0)
    max_total = 1.0;

  /* Upright bars: the top value label is centred on the plot's top edge,
   * with the unit above it. */
  plot.y = y + header_h;
  if (!style->horizontal)
    plot.y += (*unit != '\0' ? 1.5 : 0.5) * canvas.label_h;
  plot.height = height - (plot.y - y) - canvas.label_h - GAP_PX;
  max_ticks = (guint) floor ((style->horizontal ? width / 4 : plot.height)
                             / (canvas.label_h * VALUE_TICK_EM)) + 1;
  tw_chart_value_axis_init (&axis, 0.0, max_total, 0.0, max_ticks);
  axis.lo = 0.0;
  axis_w = tw_chart_value_axis_width (&canvas, &axis, style->digits);

  if (style->horizontal)
    {
      /* Room for half the last value label, centred on the right edge. */
      g_autofree char *top = tw_chart_format_value (
        tw_chart_value_axis_tick (&axis, axis.n_ticks > 0 ? axis.n_ticks - 1 : 0),
        MAX (style->digits, axis.decimals));

      plot.x = x + labels_w + GAP_PX;
      plot.width = width - labels_w - GAP_PX
                   - ceil (tw_chart_canvas_text_width (&canvas, canvas.font, top) / 2 + 2);
    }
  else
    {
      plot.x = x + axis_w;
      plot.width = width - axis_w;
    }
  plot.x = tw_chart_snap (plot.x, scale);
  plot.y = tw_chart_snap (plot.y, scale);
  if (plot.width <= 1 || plot.height <= 1 || n_bars == 0)
    goto out;

  tw_chart_draw_value_axis (&canvas, &axis, style->digits, &plot, style->horizontal);
  if (*unit != '\0')
    {
      if (style->horizontal)
        tw_chart_canvas_draw_text (&canvas, canvas.font, &canvas.palette->muted, unit,
                                   plot.x - GAP_PX, plot.y + plot.height + 3, 1, 0);
      else
        tw_chart_canvas_draw_text (&canvas, canvas.font, &canvas.palette->muted, unit,
                                   plot.x - 6, plot.y - canvas.label_h / 2, 1, 1);
    }

  for (guint b = 0; b < n_bars; b++)
    {
      const TwBar *bar = &bars[b];
      double total = bar_total (bar, n_segments);
      double factor = style->normalize ? (total > 0 ? 100.0 / total : 0) : 1.0;
      double slot = (style->horizontal ? plot.height : plot.width) / n_bars;
      double thick = MIN (slot * BAR_SHARE, MAX_BAR_PX);
      double start = (style->horizontal ? plot.y : plot.x) + slot * b + (slot - thick) / 2;
      double a0 = tw_chart_snap (start, scale);
      double a1 = tw_chart_snap (start + thick, scale);
      double acc = 0;

      for (guint s = 0; s < n_segments; s++)
        {
          double v = bar->values[s];
          TwChartColor color;
          double p0;
          double p1;

          if (!isfinite (v) || v <= 0)
            continue;
          color = segment_color (&canvas, style, s);
          p0 = tw_chart_snap (tw_chart_axis_to_px (&axis, &plot, style->horizontal, acc * factor),
                              scale);
          acc += v;
          p1 = tw_chart_snap (tw_chart_axis_to_px (&axis, &plot, style->horizontal, acc * factor),
                              scale);
          tw_chart_set_color (cr, &color);
          if (style->horizontal)
            cairo_rectangle (cr, p0, a0, p1 - p0, a1 - a0);
          else
            cairo_rectangle (cr, a0, p1, a1 - a0, p0 - p1);
          cairo_fill (cr);

          if (style->show_values)
            {
              if (style->horizontal)
                draw_segment_value (&canvas, style, &color, v * factor, (p0 + p1) / 2,
                                    (a0 + a1) / 2, p1 - p0, a1 - a0);
              else
                draw_segment_value (&canvas, style, &color, v * factor, (a0 + a1) / 2,
                                    (p0 + p1) / 2, a1 - a0, p0 - p1);
            }
        }

      if (bar->label != NULL)
        {
          PangoLayout *layout = tw_chart_canvas_text (&canvas, canvas.font, bar->label);
          double lw;

          tw_chart_layout_size (layout, &lw, NULL);
          if (style->horizontal)
            tw_chart_canvas_show (&canvas, layout, &canvas.palette->text,
                                  plot.x - GAP_PX, (a0 + a1) / 2, 1, 0.5);
          else if (lw <= slot)
            tw_chart_canvas_show (&canvas, layout, &canvas.palette->text,
                                  (a0 + a1) / 2, plot.y + plot.height + GAP_PX / 2, 0.5, 0);
        }
    }

out:
  tw_chart_canvas_clear (&canvas);
  cairo_restore (cr);
}

static const char *
range_name (guint range)
{
  static const char *names[TW_GLUCOSE_N_RANGES] = {
    "Very low", "Low", "In range", "High", "Very high",
  };

  return names[range];
}

static const char *
range_limits (guint range)
{
  static const char *limits[TW_GLUCOSE_N_RANGES] = {
    "<54", "54\u201369", "70\u2013180", "181\u2013250", ">250",
  };

  return limits[range];
}

/* The consensus target of a range, as printed on the AGP report: below 70
 * and above 180 count with their "very" range. */
static char *
range_target (guint range)
{
  switch (range)
    {
    case TW_GLUCOSE_VERY_LOW:
      return g_strdup_printf ("target <%.0f%%", TW_GLUCOSE_TARGET_VERY_LOW_MAX);
    case TW_GLUCOSE_LOW:
      return g_strdup_printf ("target <%.0f%% below 70", TW_GLUCOSE_TARGET_TBR_MAX);
    case TW_GLUCOSE_IN_RANGE:
      return g_strdup_printf ("target >%.0f%%", TW_GLUCOSE_TARGET_TIR_MIN);
    case TW_GLUCOSE_HIGH:
      return g_strdup_printf ("target <%.0f%% above 180", TW_GLUCOSE_TARGET_TAR_MAX);
    case TW_GLUCOSE_VERY_HIGH:
    default:
      return g_strdup_printf ("target <%.0f%%", TW_GLUCOSE_TARGET_VERY_HIGH_MAX);
    }
}

static char *
format_percent (double p)
{
  if (p > 0 && p < 1)
    return g_strdup_printf ("%.1f%%", p);
  return g_strdup_printf ("%.0f%%", p);
}

/* "72%  In range 70–180  target >70%", wrapped to @width. */
static PangoLayout *
range_label (const TwChartCanvas *canvas,
             const double        *range_percent,
             guint                r,
             double               width)
{
  g_autofree char *muted = tw_chart_color_to_hex (&canvas->palette->muted);
  g_autofree char *pct = format_percent (range_percent[r]);
  g_autofree char *target = range_target (r);
  g_autofree char *markup = NULL;
  PangoLayout *layout;

  markup = g_markup_printf_escaped ("<b>%s</b>  %s <span foreground=\"%s\">%s  %s</span>",
                                    pct, range_name (r), muted, range_limits (r), target);
  layout = tw_chart_canvas_markup (canvas, canvas->font, markup);
  pango_layout_set_width (layout, (int) (MAX (1.0, width) * PANGO_SCALE));
  return layout;
}

/**
 * tw_glucose_range_bar_draw:
 * @cr: where to draw
 * @x: left edge
 * @y: top edge
 * @width: width
 * @height: height
 * @range_percent: (array fixed-size=5): percent of readings in each
 *   #TwGlucoseRange, very low first
 * @dark: the dark style
 *
 * The consensus time-in-ranges bar: one stacked bar, very low at the
 * bottom, each segment's height proportional to its percentage, and
 * beside it each range's name, limits in mg/dL, percentage and target.
 * Labels keep their order and move apart when their segments are thin,
 * with a leader line to their segment.
 */
void
tw_glucose_range_bar_draw (cairo_t      *cr,
                           double        x,
                           double        y,
                           double        width,
                           double        height,
                           const double  range_percent[5],
                           gboolean      dark)
{
  TwChartCanvas canvas = { 0 };
  double scale;
  double total = 0;
  double bar_w;
  double bar_x;
  double label_x;
  double centre[TW_GLUCOSE_N_RANGES];
  double label_y[TW_GLUCOSE_N_RANGES];
  double label_h[TW_GLUCOSE_N_RANGES];
  double acc = 0;
  double bottom;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (range_percent != NULL);

  if (width <= 0 || height <= 0)
    return;

  cairo_save (cr);
  tw_chart_canvas_init (&canvas, cr, width, height, dark);
  scale = canvas.device_scale;
  for (guint r = 0; r < TW_GLUCOSE_N_RANGES; r++)
    if (isfinite (range_percent[r]) && range_percent[r] > 0)
      total += range_percent[r];

  bar_w = MIN (width * RANGE_BAR_SHARE, RANGE_BAR_MAX_PX);
  bar_x = tw_chart_snap (x, scale);
  bar_w = tw_chart_snap (bar_x + bar_w, scale) - bar_x;
  label_x = bar_x + bar_w + RANGE_LEADER_PX + 2;
  bottom = tw_chart_snap (y + height, scale);

  if (total <= 0)
    {
      tw_chart_set_color (cr, &canvas.palette->neutral);
      cairo_rectangle (cr, bar_x, y, bar_w, height);
      cairo_fill (cr);
      tw_chart_canvas_draw_text (&canvas, canvas.font, &canvas.palette->muted, "No readings",
                                 label_x, y + height / 2, 0, 0.5);
      goto out;
    }

  /* Very low at the bottom; edges on device pixels and a hairline of
   * background between segments so neighbours of similar colour part. */
  for (guint r = 0; r < TW_GLUCOSE_N_RANGES; r++)
    {
      double p = isfinite (range_percent[r]) && range_percent[r] > 0 ? range_percent[r] : 0;
      double y1 = tw_chart_snap (bottom - acc / total * (bottom - y), scale);
      double y0;
      TwChartColor color = tw_chart_palette_glucose_range (dark, r);

      acc += p;
      y0 = tw_chart_snap (bottom - acc / total * (bottom - y), scale);
      centre[r] = (y0 + y1) / 2;
      if (y1 - y0 <= 0)
        continue;
      tw_chart_set_color (cr, &color);
      cairo_rectangle (cr, bar_x, y0, bar_w, y1 - y0);
      cairo_fill (cr);
      if (r + 1 < TW_GLUCOSE_N_RANGES && y0 > y)
        {
          tw_chart_set_color (cr, &canvas.palette->background);
          cairo_rectangle (cr, bar_x, y0, bar_w, RANGE_SEGMENT_GAP_PX / scale);
          cairo_fill (cr);
        }
    }

  /* Labels: desired at their segment's centre, then pushed apart from the
   * top down and, if that runs off the bottom, back up. */
  for (guint r = 0; r < TW_GLUCOSE_N_RANGES; r++)
    {
      PangoLayout *layout = range_label (&canvas, range_percent, r, x + width - label_x);

      tw_chart_layout_size (layout, NULL, &label_h[r]);
    }
  for (int r = TW_GLUCOSE_N_RANGES - 1; r >= 0; r--)
    {
      double want = centre[r] - label_h[r] / 2;

      if (r < TW_GLUCOSE_N_RANGES - 1)
        want = MAX (want, label_y[r + 1] + label_h[r + 1] + RANGE_LABEL_GAP_PX);
      label_y[r] = MAX (want, y);
    }
  for (guint r = 0; r < TW_GLUCOSE_N_RANGES; r++)
    {
      double limit = r == 0 ? y + height : label_y[r - 1] - RANGE_LABEL_GAP_PX;

      if (label_y[r] + label_h[r] > limit)
        label_y[r] = limit - label_h[r];
    }

  for (guint r = 0; r < TW_GLUCOSE_N_RANGES; r++)
    {
      TwChartColor color = tw_chart_palette_glucose_range (dark, r);
      PangoLayout *layout;
      double ly = label_y[r] + label_h[r] / 2;

      tw_chart_set_color (cr, &color);
      cairo_set_line_width (cr, 1.0);
      cairo_move_to (cr, bar_x + bar_w + 1, centre[r]);
      cairo_line_to (cr, bar_x + bar_w + RANGE_LEADER_PX / 2, centre[r]);
      cairo_line_to (cr, bar_x + bar_w + RANGE_LEADER_PX, ly);
      cairo_stroke (cr);

      layout = range_label (&canvas, range_percent, r, x + width - label_x);
      tw_chart_canvas_show (&canvas, layout, &canvas.palette->text, label_x, label_y[r], 0, 0);
    }

out:
  tw_chart_canvas_clear (&canvas);
  cairo_restore (cr);
}
