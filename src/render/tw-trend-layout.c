#include "tw-trend-layout.h"

#include <math.h>

#include "tw-chart-format.h"
#include "tw-chart-text.h"

/* Sizes are in pixels of a chart drawn at the reference size and grow or
 * shrink with the chart, within limits that keep text legible. */
#define REFERENCE_WIDTH         1000.0
#define REFERENCE_HEIGHT         600.0
#define MIN_SIZE_SCALE             0.6
#define MAX_SIZE_SCALE             1.6

#define FONT_FAMILY             "Sans"
#define FONT_PX                   13.0  /* 9.75 pt at 96 dpi */
#define MIN_FONT_PX               12.0  /* 9 pt */
#define MAX_FONT_PX               14.67 /* 11 pt */
#define TITLE_WEIGHT             PANGO_WEIGHT_SEMIBOLD
#define VALUE_PLOT_SHARE           0.4  /* latest value, relative to the plot's height */
#define VALUE_MIN_FONT_FACTOR      1.2  /* and relative to labels, at least */
#define VALUE_MAX_FONT_FACTOR      3.2  /* and at most */
#define VALUE_WEIGHT             PANGO_WEIGHT_SEMIBOLD

#define MARGIN_PX                 16.0
#define PANEL_GAP_PX              14.0
#define HEADER_GAP_PX              6.0  /* title to plot */
#define NUMERIC_GAP_PX            18.0  /* plot to latest value */

/* Share of the visible data range added above and below, so extremes do
 * not touch the panel edges. */
#define VALUE_PADDING              0.10
/* Padding of a flat series, relative to its value, and at least one unit of
 * its last decimal. */
#define FLAT_PADDING               0.05
/* Value labels need this many label heights each, or the axis gets fewer
 * ticks. */
#define TICK_SPACING_EM            1.8

/* Points beyond each edge of the range that also count for the automatic
 * gap threshold. */
#define AUTO_GAP_CONTEXT          32

double
tw_trend_layout_px (const TwTrendLayout *chart,
                    double               px)
{
  return round (px * chart->size_scale);
}

/* One layout serves every text of a chart: creating a layout costs more
 * than laying out a label. Returns the chart's layout (transfer none). */
PangoLayout *
tw_trend_layout_text (const TwTrendLayout        *chart,
                      const PangoFontDescription *font,
                      const char                 *text)
{
  pango_layout_set_attributes (chart->layout, NULL);
  pango_layout_set_width (chart->layout, -1);
  pango_layout_set_font_description (chart->layout, font);
  pango_layout_set_text (chart->layout, text, -1);
  return chart->layout;
}

void
tw_trend_layout_text_size (PangoLayout *layout,
                           double      *width,
                           double      *height)
{
  int w;
  int h;

  pango_layout_get_size (layout, &w, &h);
  if (width != NULL)
    *width = (double) w / PANGO_SCALE;
  if (height != NULL)
    *height = (double) h / PANGO_SCALE;
}

double
tw_trend_layout_text_width (const TwTrendLayout        *chart,
                            const PangoFontDescription *font,
                            const char                 *text)
{
  PangoLayout *layout = tw_trend_layout_text (chart, font, text);
  double w;

  tw_trend_layout_text_size (layout, &w, NULL);
  return w;
}

PangoFontDescription *
tw_trend_layout_value_font_new (double px)
{
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);

  pango_font_description_set_absolute_size (font, px * PANGO_SCALE);
  pango_font_description_set_weight (font, VALUE_WEIGHT);
  return font;
}

/* The latest value as shown: "72", or "121/78" for a panel of two lines. */
static char *
panel_latest_text (const TwTrendPanelLayout *ps)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < ps->n_lines; i++)
    {
      const TwTrendLineLayout *ls = &ps->lines[i];

      if (i > 0)
        g_string_append_c (text, '/');
      if (ls->has_latest)
        {
          g_autofree char *value = tw_chart_format_value (ls->latest.value, ps->panel->digits);

          g_string_append (text, value);
        }
      else
        {
          g_string_append (text, TW_CHART_NO_VALUE);
        }
    }
  return g_string_free (text, FALSE);
}

/* Widest latest value a panel is expected to show, so the plots keep their
 * width while a value grows from 99 to 100. */
static char *
panel_latest_template (const TwTrendPanelLayout *ps)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < ps->n_lines; i++)
    {
      if (i > 0)
        g_string_append_c (text, '/');
      g_string_append (text, "000");
      if (ps->panel->digits > 0)
        {
          g_string_append_c (text, '.');
          for (int d = 0; d < ps->panel->digits; d++)
            g_string_append_c (text, '0');
        }
    }
  return g_string_free (text, FALSE);
}

static void
line_layout_clear (TwTrendLineLayout *ls)
{
  g_clear_pointer (&ls->m4, tw_m4_free);
  g_clear_pointer (&ls->polyline, tw_m4_polyline_free);
}

void
tw_trend_layout_clear (TwTrendLayout *chart)
{
  for (guint p = 0; p < chart->n_panels; p++)
    for (guint i = 0; i < TW_CHART_MAX_LINES; i++)
      line_layout_clear (&chart->panels[p].lines[i]);
  g_clear_pointer (&chart->panels, g_free);
  g_clear_pointer (&chart->font, pango_font_description_free);
  g_clear_pointer (&chart->title_font, pango_font_description_free);
  g_clear_object (&chart->layout);
}

/* The gap threshold of an envelope read from rollups, where the raw
 * intervals are gone: the median interval inside the columns that hold
 * several samples, or else between neighbouring columns. */
static gint64
envelope_auto_gap (const TwM4 *m4)
{
  g_autoptr(GArray) within = g_array_new (FALSE, FALSE, sizeof (TwPoint));
  g_autoptr(GArray) between = g_array_new (FALSE, FALSE, sizeof (TwPoint));
  const TwM4Column *prev = NULL;
  GArray *use;

  /* Intervals as points with an increasing time, so tw_m4_auto_gap()
   * takes their median: it sees the differences of the times. */
  for (guint x = 0; x < m4->width; x++)
    {
      const TwM4Column *col = &m4->columns[x];

      if (!col->has_data)
        continue;
      if (col->n_points >= 2)
        {
          gint64 interval = (col->last_ts - col->first_ts) / (col->n_points - 1);
          TwPoint p = { 0, 0.0 };

          if (within->len > 0)
            p.ts = g_array_index (within, TwPoint, within->len - 1).ts;
          else
            g_array_append_val (within, p);
          p.ts += interval;
          g_array_append_val (within, p);
        }
      if (prev != NULL)
        {
          TwPoint p = { 0, 0.0 };

          if (between->len > 0)
            p.ts = g_array_index (between, TwPoint, between->len - 1).ts;
          else
            g_array_append_val (between, p);
          p.ts += col->first_ts - prev->last_ts;
          g_array_append_val (between, p);
        }
      prev = col;
    }
  use = within->len >= between->len / 2 && within->len > 1 ? within : between;
  return tw_m4_auto_gap ((const TwPoint *) use->data, use->len);
}

static void
build_envelope_line (TwTrendLayout     *chart,
                     TwTrendLineLayout *ls)
{
  const TwM4 *envelope = ls->line->envelope;

  /* Re-binned even at the same width: the layout owns its envelope. One
   * read for another range (a pan still loading) is placed by time. */
  if (envelope->t_from == chart->options->t_from && envelope->t_to == chart->options->t_to)
    ls->m4 = tw_m4_rebin (envelope, chart->columns);
  else
    ls->m4 = tw_m4_new_from_aggregates (envelope->columns, envelope->width,
                                        envelope->has_before ? &envelope->before : NULL,
                                        envelope->has_after ? &envelope->after : NULL,
                                        chart->options->t_from, chart->options->t_to,
                                        chart->columns);
  ls->gap_us = chart->options->gap_us > 0 ? chart->options->gap_us
                                          : envelope_auto_gap (ls->m4);
  ls->has_latest = FALSE;
  for (guint x = ls->m4->width; x > 0; x--)
    {
      const TwM4Column *col = &ls->m4->columns[x - 1];

      if (col->has_data)
        {
          ls->has_latest = TRUE;
          ls->latest.ts = col->last_ts;
          ls->latest.value = col->last;
          break;
        }
    }
}

static void
build_points_line (TwTrendLayout     *chart,
                   TwTrendLineLayout *ls)
{
  const TwChartOptions *options = chart->options;
  const TwChartLine *line = ls->line;

  ls->m4 = tw_m4_new (line->points, line->n_points,
                      options->t_from, options->t_to, chart->columns);

  if (options->gap_us > 0)
    {
      ls->gap_us = options->gap_us;
    }
  else
    {
      /* The visible points and a few on either side: with nothing
       * visible, the one interval across the range would make
       * itself the norm and bridge the very gap it is. */
      guint start = ls->m4->first_inside - MIN (ls->m4->first_inside, AUTO_GAP_CONTEXT);
      guint end = MIN (ls->m4->first_inside + ls->m4->n_inside + AUTO_GAP_CONTEXT,
                       line->n_points);

      ls->gap_us = tw_m4_auto_gap (line->points + start, end - start);
    }

  ls->has_latest = ls->m4->n_inside > 0;
  if (ls->has_latest)
    ls->latest = line->points[ls->m4->first_inside + ls->m4->n_inside - 1];
}

/* Reduces every line to the current plot width. */
static void
build_lines (TwTrendLayout *chart)
{
  const TwChartOptions *options = chart->options;

  for (guint p = 0; p < chart->n_panels; p++)
    {
      TwTrendPanelLayout *ps = &chart->panels[p];

      ps->has_data = FALSE;
      for (guint i = 0; i < ps->n_lines; i++)
        {
          TwTrendLineLayout *ls = &ps->lines[i];
          const TwChartLine *line = ls->line;

          line_layout_clear (ls);
          if (line->envelope != NULL)
            build_envelope_line (chart, ls);
          else
            build_points_line (chart, ls);
          ls->polyline = tw_m4_polyline_new (ls->m4, ls->gap_us);
          if (ls->polyline->vertices->len > 0)
            ps->has_data = TRUE;

          /* Predictions inside the range (the range reaches past now to
           * show them). */
          ls->forecast_from = tw_m4_lower_bound (line->forecast, line->n_forecast,
                                                 options->t_from);
          ls->n_forecast = tw_m4_lower_bound (line->forecast, line->n_forecast,
                                              options->t_to + 1) - ls->forecast_from;
          if (ls->n_forecast > 0)
            ps->has_data = TRUE;
        }
    }
}

/* The value axis of each panel labels the visible data and the normal
 * band, and shows VALUE_PADDING more so neither touches the panel's edges. */
static void
build_axes (TwTrendLayout *chart)
{
  for (guint p = 0; p < chart->n_panels; p++)
    {
      TwTrendPanelLayout *ps = &chart->panels[p];
      const TwChartPanel *panel = ps->panel;
      double lo = INFINITY;
      double hi = -INFINITY;
      guint max_ticks;

      if (!ps->has_data)
        continue;

      max_ticks = (guint) floor ((ps->plot.height - 2 * ps->inner_pad)
                                 / (chart->label_h * TICK_SPACING_EM)) + 1;
      /* A fixed range (NEWS2 0–20, glucose 40–400) stays put as data
       * comes and goes: no padding, values outside are clipped. */
      if (panel->fixed_low < panel->fixed_high)
        {
          tw_chart_value_axis_init (&ps->axis, panel->fixed_low, panel->fixed_high, 0.0,
                                    max_ticks);
          ps->label_digits = MAX (panel->digits, ps->axis.decimals);
          continue;
        }

      for (guint i = 0; i < ps->n_lines; i++)
        {
          const TwTrendLineLayout *ls = &ps->lines[i];
          GArray *vertices = ls->polyline->vertices;

          for (guint v = 0; v < vertices->len; v++)
            {
              double value = g_array_index (vertices, TwM4Vertex, v).value;

              lo = MIN (lo, value);
              hi = MAX (hi, value);
            }
          for (guint f = 0; f < ls->n_forecast; f++)
            {
              double value = ls->line->forecast[ls->forecast_from + f].value;

              lo = MIN (lo, value);
              hi = MAX (hi, value);
            }
        }

      if (isfinite (panel->normal_low))
        lo = MIN (lo, panel->normal_low);
      if (isfinite (panel->normal_high))
        hi = MAX (hi, panel->normal_high);
      for (guint b = 0; b < MIN (panel->n_bands, TW_CHART_MAX_BANDS); b++)
        {
          if (isfinite (panel->bands[b].low))
            lo = MIN (lo, panel->bands[b].low);
          if (isfinite (panel->bands[b].high))
            hi = MAX (hi, panel->bands[b].high);
        }
      if (!(hi > lo))
        {
          double pad = MAX (fabs (hi) * FLAT_PADDING, pow (10.0, -MAX (panel->digits, 0)));

          lo -= pad;
          hi += pad;
        }

      tw_chart_value_axis_init (&ps->axis, lo, hi, VALUE_PADDING, max_ticks);
      ps->label_digits = MAX (panel->digits, ps->axis.decimals);
    }
}

static double
value_labels_width (const TwTrendLayout *chart)
{
  double widest = 0.0;

  for (guint p = 0; p < chart->n_panels; p++)
    {
      const TwTrendPanelLayout *ps = &chart->panels[p];

      if (!ps->has_data)
        continue;
      for (guint t = 0; t < ps->axis.n_ticks; t++)
        {
          double value = tw_chart_value_axis_tick (&ps->axis, t);
          g_autofree char *label = tw_chart_format_value (value, ps->label_digits);

          widest = MAX (widest, tw_trend_layout_text_width (chart, chart->font, label));
        }
    }
  return widest;
}

static void
place_plots (TwTrendLayout *chart)
{
  double scale = chart->device_scale;

  /* On whole device pixels, so each envelope column is one pixel. */
  chart->plot_x = tw_chart_snap (chart->margin + chart->gutter_w, scale);
  chart->plot_w = MAX (1.0, chart->width - chart->margin - chart->numeric_w - chart->plot_x);
  chart->plot_w = MAX (1.0, floor (chart->plot_w * scale)) / scale;
  chart->columns = (guint) round (chart->plot_w * scale);
  for (guint p = 0; p < chart->n_panels; p++)
    {
      chart->panels[p].plot.x = chart->plot_x;
      chart->panels[p].plot.width = chart->plot_w;
    }
}

static void
measure_text (TwTrendLayout *chart)
{
  PangoLayout *layout;

  chart->size_scale = CLAMP (MIN (chart->width / REFERENCE_WIDTH,
                                  chart->height / REFERENCE_HEIGHT),
                             MIN_SIZE_SCALE, MAX_SIZE_SCALE);
  chart->font_px = CLAMP (FONT_PX * chart->size_scale, MIN_FONT_PX, MAX_FONT_PX);
  chart->font = pango_font_description_from_string (FONT_FAMILY);
  pango_font_description_set_absolute_size (chart->font, chart->font_px * PANGO_SCALE);
  chart->title_font = pango_font_description_copy (chart->font);
  pango_font_description_set_weight (chart->title_font, TITLE_WEIGHT);

  chart->layout = pango_cairo_create_layout (chart->cr);
  layout = tw_trend_layout_text (chart, chart->font, "0");
  tw_trend_layout_text_size (layout, NULL, &chart->label_h);
  layout = tw_trend_layout_text (chart, chart->title_font, "Hg");
  tw_trend_layout_text_size (layout, NULL, &chart->title_h);
}

/* Stacks the panels top to bottom, and sizes the value gutter and the
 * latest-value column for values of up to three digits, so the plots do
 * not shift when a value first reaches 100. */
static void
place_panels (TwTrendLayout      *chart,
              const TwChartPanel *panels,
              guint               n_panels,
              double             *gutter_min)
{
  double panel_h = 0.0;

  chart->margin = tw_trend_layout_px (chart, MARGIN_PX);
  chart->panel_gap = tw_trend_layout_px (chart, PANEL_GAP_PX);
  chart->header_h = ceil (chart->title_h + tw_trend_layout_px (chart, HEADER_GAP_PX));
  chart->axis_h = ceil (tw_trend_layout_px (chart, TW_TREND_TICK_LENGTH_PX)
                        + tw_trend_layout_px (chart, TW_TREND_TICK_LABEL_GAP_PX)
                        + chart->label_h);

  chart->n_panels = n_panels;
  chart->panels = g_new0 (TwTrendPanelLayout, MAX (n_panels, 1));
  if (n_panels > 0)
    panel_h = floor ((chart->height - 2 * chart->margin - chart->axis_h
                      - (n_panels - 1) * chart->panel_gap) / n_panels);
  panel_h = MAX (panel_h, chart->header_h + 1.0);

  *gutter_min = 0.0;
  chart->numeric_w = 0.0;
  for (guint p = 0; p < n_panels; p++)
    {
      TwTrendPanelLayout *ps = &chart->panels[p];
      g_autoptr(PangoFontDescription) value_font = NULL;
      g_autofree char *template = NULL;
      g_autofree char *digits = NULL;

      ps->panel = &panels[p];
      ps->n_lines = MIN (panels[p].n_lines, TW_CHART_MAX_LINES);
      for (guint i = 0; i < ps->n_lines; i++)
        ps->lines[i].line = &panels[p].lines[i];

      ps->top = chart->margin + p * (panel_h + chart->panel_gap);
      ps->plot.y = ps->top + chart->header_h;
      ps->plot.height = panel_h - chart->header_h;
      ps->inner_pad = ceil (chart->label_h / 2);
      ps->value_font_px = CLAMP (VALUE_PLOT_SHARE * ps->plot.height,
                                 VALUE_MIN_FONT_FACTOR * chart->font_px,
                                 VALUE_MAX_FONT_FACTOR * chart->font_px);

      value_font = tw_trend_layout_value_font_new (ps->value_font_px);
      template = panel_latest_template (ps);
      chart->numeric_w = MAX (chart->numeric_w,
                              tw_trend_layout_text_width (chart, value_font, template));

      digits = tw_chart_format_value (0.0, panels[p].digits);
      *gutter_min = MAX (*gutter_min, tw_trend_layout_text_width (chart, chart->font, "00")
                                      + tw_trend_layout_text_width (chart, chart->font, digits));
    }
  chart->numeric_w = ceil (chart->numeric_w + tw_trend_layout_px (chart, NUMERIC_GAP_PX));
  chart->gutter_w = ceil (*gutter_min + tw_trend_layout_px (chart, TW_TREND_GUTTER_GAP_PX));
}

/* Width of the widest latest value as it will be shown. */
static double
latest_values_width (const TwTrendLayout *chart)
{
  double widest = 0.0;

  for (guint p = 0; p < chart->n_panels; p++)
    {
      const TwTrendPanelLayout *ps = &chart->panels[p];
      g_autoptr(PangoFontDescription) value_font = NULL;
      g_autofree char *text = panel_latest_text (ps);

      value_font = tw_trend_layout_value_font_new (ps->value_font_px);
      widest = MAX (widest, tw_trend_layout_text_width (chart, value_font, text));
    }
  return widest;
}

/**
 * tw_trend_layout_init:
 * @chart: (out caller-allocates): zero-filled; free with tw_trend_layout_clear()
 * @cr: the context to draw into, for text metrics and its device scale
 * @width: width of the chart
 * @height: height of the chart
 * @options: range, style and gap threshold
 * @panels: (array length=n_panels): the panels
 * @n_panels: number of panels
 *
 * Measures and places everything and reduces every line to one envelope
 * column per device pixel of its plot.
 */
void
tw_trend_layout_init (TwTrendLayout        *chart,
                      cairo_t              *cr,
                      int                   width,
                      int                   height,
                      const TwChartOptions *options,
                      const TwChartPanel   *panels,
                      guint                 n_panels)
{
  double sx = 1.0;
  double sy = 1.0;
  double gutter_min;
  double labels_w;
  double latest_w;
  gboolean relayout = FALSE;

  chart->cr = cr;
  chart->width = width;
  chart->height = height;
  chart->options = options;
  chart->palette = tw_chart_palette_get (options->dark);

  /* HiDPI: one M4 column per device pixel. */
  cairo_surface_get_device_scale (cairo_get_target (cr), &sx, &sy);
  chart->device_scale = MAX (sx, 1.0);

  measure_text (chart);
  place_panels (chart, panels, n_panels, &gutter_min);
  place_plots (chart);
  build_lines (chart);
  build_axes (chart);

  /* Values wider than planned (four digits, a minus sign) take room from
   * the plots, and the lines are reduced again to the narrower width. */
  labels_w = value_labels_width (chart);
  if (labels_w > gutter_min)
    {
      chart->gutter_w = ceil (labels_w + tw_trend_layout_px (chart, TW_TREND_GUTTER_GAP_PX));
      relayout = TRUE;
    }
  latest_w = ceil (latest_values_width (chart) + tw_trend_layout_px (chart, NUMERIC_GAP_PX));
  if (latest_w > chart->numeric_w)
    {
      chart->numeric_w = latest_w;
      relayout = TRUE;
    }
  if (relayout)
    {
      place_plots (chart);
      build_lines (chart);
    }
}

double
tw_trend_layout_value_to_y (const TwTrendPanelLayout *ps,
                            double                    value)
{
  double top = ps->plot.y + ps->inner_pad;
  double h = ps->plot.height - 2 * ps->inner_pad;

  return top + (ps->axis.hi - value) / (ps->axis.hi - ps->axis.lo) * h;
}

double
tw_trend_layout_time_to_x (const TwTrendLayout *chart,
                           gint64               ts)
{
  const TwChartOptions *o = chart->options;

  return chart->plot_x
         + (double) (ts - o->t_from) * chart->plot_w / (double) (o->t_to - o->t_from);
}


/**
 * tw_trend_layout_value_at:
 * @chart: the layout
 * @ls: a line of it
 * @ts: a time in the range
 * @value: (out): the line's value nearest @ts
 *
 * The sample nearest @ts, if one lies within the line's gap threshold (a
 * crosshair over a gap shows no value); from an envelope, the nearest
 * column with data.
 *
 * Returns: whether there is a value
 */
gboolean
tw_trend_layout_value_at (const TwTrendLayout     *chart,
                          const TwTrendLineLayout *ls,
                          gint64                   ts,
                          double                  *value)
{
  const TwChartLine *line = ls->line;
  const TwM4 *m4 = ls->m4;

  if (line->envelope == NULL)
    {
      guint i = tw_m4_lower_bound (line->points, line->n_points, ts);
      const TwPoint *best = NULL;

      if (i < line->n_points)
        best = &line->points[i];
      if (i > 0 && (best == NULL || ts - line->points[i - 1].ts < best->ts - ts))
        best = &line->points[i - 1];
      if (best == NULL || ABS (best->ts - ts) > ls->gap_us)
        return FALSE;
      *value = best->value;
      return TRUE;
    }
  else
    {
      gint64 span = m4->t_to - m4->t_from;
      double c = (double) (ts - m4->t_from) * m4->width / (double) span;
      int reach = (int) ceil ((double) ls->gap_us * m4->width / (double) span);
      int x0 = (int) floor (c);

      for (int d = 0; d <= reach; d++)
        for (int sign = -1; sign <= 1; sign += 2)
          {
            int x = x0 + sign * d;
            const TwM4Column *col;

            if (x < 0 || x >= (int) m4->width)
              continue;
            col = &m4->columns[x];
            if (!col->has_data)
              continue;
            *value = ts - col->first_ts < col->last_ts - ts ? col->first : col->last;
            return TRUE;
          }
      return FALSE;
    }
}
