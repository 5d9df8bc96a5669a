#include "tw-trend-chart.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "tw-chart-format.h"
#include "tw-chart-text.h"
#include "tw-m4-render.h"
#include "tw-time.h"
#include "tw-trend-layout.h"

#define TIME_LABEL_SPACING_EM      2.5  /* free space between time labels */
#define LEGEND_GAP_PX             18.0  /* title to legend, entry to entry */
#define LEGEND_SWATCH_PX          16.0
#define LEGEND_SWATCH_GAP_PX       5.0
#define LEGEND_SWATCH_WIDTH_PX     2.5

#define LINE_WIDTH_PX              1.5
#define ISOLATED_SAMPLE_WIDTH_PX   4.0  /* a sample with gaps on both sides */
#define GRID_WIDTH_PX              1.0
/* Series sparse enough to leave this much room per sample (blood pressure
 * every few minutes) mark each sample, so a reader sees what was measured
 * and what is the line between. */
#define MARKER_MIN_SPACING_PX     10.0
#define MARKER_RADIUS_PX           2.5
#define NORMAL_BAND_ALPHA_LIGHT    0.10
#define NORMAL_BAND_ALPHA_DARK     0.14
#define HIGHLIGHT_ALPHA_LIGHT      0.16
#define HIGHLIGHT_ALPHA_DARK       0.26
#define HIGHLIGHT_EDGE_ALPHA       0.70
#define HIGHLIGHT_MIN_WIDTH_PX     3.0  /* a one-sample window stays visible */
#define BAND_ALPHA_LIGHT           0.13
#define BAND_ALPHA_DARK            0.17
#define BAND_EDGE_ALPHA            0.45
#define BAND_LABEL_MIX             0.35 /* band colour towards the text colour */
#define BAND_LABEL_INSET_PX        4.0
#define FORECAST_DASH_PX           5.0
#define FORECAST_GAP_PX            3.5
#define FORECAST_DOT_RADIUS_PX     2.0
#define ALERT_LINE_WIDTH_PX        1.5
#define ALERT_LINE_ALPHA           0.75
#define ALERT_FLAG_WIDTH_PX        9.0
#define ALERT_FLAG_HEIGHT_PX       9.0
#define CROSSHAIR_ALPHA            0.65
#define CROSSHAIR_DOT_RADIUS_PX    3.5
#define CROSSHAIR_BOX_PAD_PX       4.0
#define CROSSHAIR_BOX_GAP_PX       6.0
#define CROSSHAIR_BOX_RADIUS_PX    3.0
#define CROSSHAIR_BOX_ALPHA        0.92

/* Lines of one pixel sit on pixel centres to stay sharp. */
static double
snap (double v)
{
  return floor (v) + 0.5;
}

static void
draw_layout_at (const TwTrendLayout *chart,
                PangoLayout         *layout,
                double               x,
                double               y)
{
  cairo_move_to (chart->cr, x, y);
  pango_cairo_show_layout (chart->cr, layout);
}

static void
draw_text (const TwTrendLayout        *chart,
           const PangoFontDescription *font,
           const TwChartColor         *color,
           const char                 *text,
           double                      x,
           double                      y,
           double                      x_align,
           double                      y_align)
{
  PangoLayout *layout = tw_trend_layout_text (chart, font, text);
  double w;
  double h;

  tw_trend_layout_text_size (layout, &w, &h);
  tw_chart_set_color (chart->cr, color);
  draw_layout_at (chart, layout, x - w * x_align, y - h * y_align);
}

static GArray *
pick_time_ticks (const TwTrendLayout *chart,
                  gint64              *step_us)
{
  const TwChartOptions *o = chart->options;
  gint64 span = o->t_to - o->t_from;
  double spacing = TIME_LABEL_SPACING_EM * chart->font_px;
  double hms_w = tw_trend_layout_text_width (chart, chart->font, "00:00:00") + spacing;
  double hm_w = tw_trend_layout_text_width (chart, chart->font, "00:00") + spacing;
  gint64 step;

  /* Seconds need the wider labels; a step of a minute or more the narrow
   * ones, and never less than a minute with them. */
  step = tw_chart_time_step_pick (span, chart->plot_w, hms_w);
  if (step >= TW_USEC_PER_MIN)
    step = MAX (tw_chart_time_step_pick (span, chart->plot_w, hm_w), TW_USEC_PER_MIN);

  *step_us = step;
  return tw_chart_time_ticks (o->t_from, o->t_to, step);
}

static void
draw_plot_background (const TwTrendLayout      *chart,
                      const TwTrendPanelLayout *ps)
{
  cairo_t *cr = chart->cr;

  tw_chart_set_color (cr, &chart->palette->plot_background);
  cairo_rectangle (cr, ps->plot.x, ps->plot.y, ps->plot.width, ps->plot.height);
  cairo_fill (cr);
}

static void
draw_normal_band (const TwTrendLayout      *chart,
                  const TwTrendPanelLayout *ps,
                  guint                     panel_index)
{
  const TwChartPanel *panel = ps->panel;
  TwChartColor color = tw_chart_palette_get_series (chart->palette, panel_index, 0);
  double y_hi;
  double y_lo;

  if (!isfinite (panel->normal_low) || !isfinite (panel->normal_high))
    return;

  y_hi = round (tw_trend_layout_value_to_y (ps, panel->normal_high));
  y_lo = round (tw_trend_layout_value_to_y (ps, panel->normal_low));
  tw_chart_set_color_alpha (chart->cr, &color,
                   chart->options->dark ? NORMAL_BAND_ALPHA_DARK : NORMAL_BAND_ALPHA_LIGHT);
  cairo_rectangle (chart->cr, ps->plot.x, y_hi, ps->plot.width, y_lo - y_hi);
  cairo_fill (chart->cr);
}

/* An alert's evidence window: a shaded span with solid edges, in the
 * GNOME palette's red (the alert colour of both styles), under the grid
 * and the lines so the values stay readable. */
static const TwChartColor highlight_light = { 0xc0 / 255.0, 0x1c / 255.0, 0x28 / 255.0 };
static const TwChartColor highlight_dark = { 0xff / 255.0, 0x7b / 255.0, 0x63 / 255.0 };

static void
draw_highlight (const TwTrendLayout      *chart,
                const TwTrendPanelLayout *ps)
{
  const TwChartOptions *o = chart->options;
  const TwChartColor *color = o->dark ? &highlight_dark : &highlight_light;
  double x0, x1;

  if (o->highlight_to <= o->highlight_from
      || o->highlight_to < o->t_from || o->highlight_from > o->t_to)
    return;

  x0 = round (tw_trend_layout_time_to_x (chart, MAX (o->highlight_from, o->t_from)));
  x1 = round (tw_trend_layout_time_to_x (chart, MIN (o->highlight_to, o->t_to)));
  if (x1 - x0 < HIGHLIGHT_MIN_WIDTH_PX)
    {
      double middle = (x0 + x1) / 2;

      x0 = round (middle - HIGHLIGHT_MIN_WIDTH_PX / 2);
      x1 = x0 + HIGHLIGHT_MIN_WIDTH_PX;
    }

  tw_chart_set_color_alpha (chart->cr, color, o->dark ? HIGHLIGHT_ALPHA_DARK : HIGHLIGHT_ALPHA_LIGHT);
  cairo_rectangle (chart->cr, x0, ps->plot.y, x1 - x0, ps->plot.height);
  cairo_fill (chart->cr);

  tw_chart_set_color_alpha (chart->cr, color, HIGHLIGHT_EDGE_ALPHA);
  cairo_set_line_width (chart->cr, GRID_WIDTH_PX);
  cairo_move_to (chart->cr, x0 + 0.5, ps->plot.y);
  cairo_line_to (chart->cr, x0 + 0.5, ps->plot.y + ps->plot.height);
  cairo_move_to (chart->cr, x1 - 0.5, ps->plot.y);
  cairo_line_to (chart->cr, x1 - 0.5, ps->plot.y + ps->plot.height);
  cairo_stroke (chart->cr);
}

/* Labels closer than their own height would overlap: a panel that short
 * shows its line and latest value without an axis. */
static gboolean
panel_ticks_fit (const TwTrendLayout      *chart,
                 const TwTrendPanelLayout *ps)
{
  double k = (ps->plot.height - 2 * ps->inner_pad) / (ps->axis.hi - ps->axis.lo);

  return ps->axis.step * k >= chart->label_h;
}

static void
draw_grid (const TwTrendLayout      *chart,
           const TwTrendPanelLayout *ps,
           GArray                   *time_ticks)
{
  cairo_t *cr = chart->cr;
  guint n_value_ticks = panel_ticks_fit (chart, ps) ? ps->axis.n_ticks : 0;

  tw_chart_set_color_alpha (cr, &chart->palette->grid, chart->palette->grid_alpha);
  cairo_set_line_width (cr, GRID_WIDTH_PX);
  for (guint t = 0; t < n_value_ticks; t++)
    {
      double y = snap (tw_trend_layout_value_to_y (ps, tw_chart_value_axis_tick (&ps->axis, t)));

      cairo_move_to (cr, ps->plot.x, y);
      cairo_line_to (cr, ps->plot.x + ps->plot.width, y);
    }
  for (guint t = 0; t < time_ticks->len; t++)
    {
      double x = snap (tw_trend_layout_time_to_x (chart, g_array_index (time_ticks, gint64, t)));

      x = MIN (x, ps->plot.x + ps->plot.width - 0.5);
      cairo_move_to (cr, x, ps->plot.y);
      cairo_line_to (cr, x, ps->plot.y + ps->plot.height);
    }
  cairo_stroke (cr);
}

static void
draw_value_labels (const TwTrendLayout      *chart,
                   const TwTrendPanelLayout *ps)
{
  double right = ps->plot.x - tw_trend_layout_px (chart, TW_TREND_GUTTER_GAP_PX);

  for (guint t = 0; t < ps->axis.n_ticks; t++)
    {
      double value = tw_chart_value_axis_tick (&ps->axis, t);
      g_autofree char *label = tw_chart_format_value (value, ps->label_digits);

      draw_text (chart, chart->font, &chart->palette->muted, label,
                 right, tw_trend_layout_value_to_y (ps, value), 1.0, 0.5);
    }
}

/* The line from its M4 polyline, then what a thin line would hide: a
 * sample with gaps on both sides has no neighbour to join and is drawn as
 * a short bar, and the samples of a sparse series are marked. */
static void
draw_line (const TwTrendLayout      *chart,
           const TwTrendPanelLayout *ps,
           const TwTrendLineLayout  *ls,
           const TwChartColor       *color)
{
  cairo_t *cr = chart->cr;
  guint n_paths = tw_m4_polyline_get_n_paths (ls->polyline);
  double scale = chart->device_scale;
  double k = (ps->plot.height - 2 * ps->inner_pad) / (ps->axis.hi - ps->axis.lo);
  TwM4Geometry geometry = {
    .x0 = ps->plot.x,
    .device_scale = scale,
    .y0 = ps->plot.y + ps->inner_pad + ps->axis.hi * k,
    .y_per_value = -k,
    .line_width = LINE_WIDTH_PX,
  };
  gboolean any_isolated = FALSE;

  tw_m4_render_line (cr, ls->polyline, ls->m4->width, &geometry, color);

  tw_chart_set_color (cr, color);
  cairo_new_path (cr);
  if (ls->m4->n_inside * MARKER_MIN_SPACING_PX <= ps->plot.width)
    {
      for (guint x = 0; x < ls->m4->width; x++)
        {
          const TwM4Column *col = &ls->m4->columns[x];
          double cx = ps->plot.x + (x + 0.5) / scale;

          if (!col->has_data)
            continue;
          cairo_new_sub_path (cr);
          cairo_arc (cr, cx, tw_trend_layout_value_to_y (ps, col->last),
                     MARKER_RADIUS_PX, 0, 2 * G_PI);
        }
      cairo_fill (cr);
    }

  for (guint i = 0; i < n_paths; i++)
    {
      guint n;
      const TwM4Vertex *v = tw_m4_polyline_get_path (ls->polyline, i, &n);
      double lo = v[0].value;
      double hi = v[0].value;
      double x = ps->plot.x + v[0].x / scale;

      if (v[0].x != v[n - 1].x)
        continue;
      for (guint j = 1; j < n; j++)
        {
          lo = MIN (lo, v[j].value);
          hi = MAX (hi, v[j].value);
        }
      cairo_move_to (cr, x, tw_trend_layout_value_to_y (ps, hi));
      cairo_line_to (cr, x, tw_trend_layout_value_to_y (ps, lo));
      any_isolated = TRUE;
    }
  if (any_isolated)
    {
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_set_line_width (cr, ISOLATED_SAMPLE_WIDTH_PX);
      cairo_stroke (cr);
    }
}

static void
draw_header (const TwTrendLayout      *chart,
             const TwTrendPanelLayout *ps,
             guint                     panel_index)
{
  cairo_t *cr = chart->cr;
  const TwChartPanel *panel = ps->panel;
  const char *unit = tw_chart_format_unit (panel->unit);
  g_autofree char *muted = tw_chart_color_to_hex (&chart->palette->muted);
  g_autofree char *markup = NULL;
  PangoLayout *layout = tw_trend_layout_text (chart, chart->title_font, "");
  double x = chart->margin;
  double right = ps->plot.x + ps->plot.width;
  double title_w;
  double title_h;

  if (*unit != '\0')
    markup = g_markup_printf_escaped ("%s  <span weight=\"normal\" foreground=\"%s\">%s</span>",
                                      panel->title ? panel->title : "", muted, unit);
  else
    markup = g_markup_printf_escaped ("%s", panel->title ? panel->title : "");
  pango_layout_set_markup (layout, markup, -1);
  /* A narrow chart shortens the title rather than writing into the value
   * column. */
  pango_layout_set_width (layout, (int) ((right - x) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  tw_trend_layout_text_size (layout, &title_w, &title_h);
  tw_chart_set_color (cr, &chart->palette->text);
  draw_layout_at (chart, layout, x, ps->top);

  if (ps->n_lines < 2)
    return;

  /* A legend tells the lines of a shared panel apart. */
  x += title_w + tw_trend_layout_px (chart, LEGEND_GAP_PX);
  for (guint i = 0; i < ps->n_lines; i++)
    {
      TwChartColor color = tw_chart_palette_get_series (chart->palette, panel_index, i);
      const char *label = ps->lines[i].line->label;
      double swatch_y = round (ps->top + title_h / 2);
      double swatch_w = tw_trend_layout_px (chart, LEGEND_SWATCH_PX + LEGEND_SWATCH_GAP_PX);
      double label_w = label != NULL ? tw_trend_layout_text_width (chart, chart->font, label) : 0.0;

      /* Whole entries or none. */
      if (x + swatch_w + label_w > right)
        break;
      tw_chart_set_color (cr, &color);
      cairo_set_line_width (cr, LEGEND_SWATCH_WIDTH_PX);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_move_to (cr, x, swatch_y);
      cairo_line_to (cr, x + tw_trend_layout_px (chart, LEGEND_SWATCH_PX), swatch_y);
      cairo_stroke (cr);
      x += swatch_w;

      if (label != NULL)
        {
          PangoLayout *entry = tw_trend_layout_text (chart, chart->font, label);
          double h;

          tw_trend_layout_text_size (entry, NULL, &h);
          tw_chart_set_color (cr, &chart->palette->muted);
          draw_layout_at (chart, entry, x, ps->top + (title_h - h) / 2);
          x += label_w;
        }
      x += tw_trend_layout_px (chart, LEGEND_GAP_PX);
    }
}

/* The latest value, large and in the line's colour, right of the plot as on
 * a monitor; with the time of that sample when it is older than a gap. */
static void
draw_latest (const TwTrendLayout      *chart,
             const TwTrendPanelLayout *ps,
             guint                     panel_index)
{
  cairo_t *cr = chart->cr;
  g_autoptr(PangoFontDescription) value_font = tw_trend_layout_value_font_new (ps->value_font_px);
  PangoLayout *layout = tw_trend_layout_text (chart, value_font, "");
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autofree char *muted = tw_chart_color_to_hex (&chart->palette->muted);
  const TwTrendLineLayout *first = &ps->lines[0];
  double right = chart->width - chart->margin;
  double w;
  double h;

  for (guint i = 0; i < ps->n_lines; i++)
    {
      const TwTrendLineLayout *ls = &ps->lines[i];
      TwChartColor color = tw_chart_palette_get_series (chart->palette, panel_index, i);
      g_autofree char *hex = ls->has_latest ? tw_chart_color_to_hex (&color) : g_strdup (muted);
      g_autofree char *value = NULL;
      g_autofree char *span = NULL;

      if (ls->has_latest)
        value = tw_chart_format_value (ls->latest.value, ps->panel->digits);
      span = g_markup_printf_escaped ("%s<span foreground=\"%s\">%s</span>",
                                      i > 0 ? "/" : "", hex, value ? value : TW_CHART_NO_VALUE);
      g_string_append (markup, span);
    }
  if (ps->n_lines == 0)
    g_string_append_printf (markup, "<span foreground=\"%s\">%s</span>", muted, TW_CHART_NO_VALUE);

  pango_layout_set_markup (layout, markup->str, -1);
  tw_trend_layout_text_size (layout, &w, &h);
  tw_chart_set_color (cr, &chart->palette->muted);
  draw_layout_at (chart, layout, right - w, ps->plot.y);

  if (ps->n_lines > 0 && first->has_latest
      && first->latest.ts < chart->options->t_to - first->gap_us)
    {
      g_autofree char *time = tw_time_format_local (first->latest.ts, "%H:%M");
      /* TRANSLATORS: time of a latest value that is not recent, "at 07:14" */
      g_autofree char *text = g_strdup_printf (_("at %s"), time);

      if (ps->plot.y + h + chart->label_h <= ps->plot.y + ps->plot.height)
        draw_text (chart, chart->font, &chart->palette->muted, text,
                   right, ps->plot.y + h, 1.0, 0.0);
    }
}

static void
draw_no_data (const TwTrendLayout     *chart,
              const cairo_rectangle_t *area)
{
  draw_text (chart, chart->font, &chart->palette->muted, _("No data"),
             area->x + area->width / 2, area->y + area->height / 2, 0.5, 0.5);
}

static TwChartColor
band_color (const TwChartPalette *palette,
            TwChartBandKind       kind)
{
  switch (kind)
    {
    case TW_CHART_BAND_CAUTION:
      return palette->caution;
    case TW_CHART_BAND_DANGER:
      return palette->danger;
    case TW_CHART_BAND_NORMAL:
    default:
      return palette->good;
    }
}

/* Reference bands (glucose ranges, score bands) tint the plot between
 * their edges; an open edge runs to the plot's edge. A label sits inside
 * the band's top when the band is tall enough for it. */
static void
draw_bands (const TwTrendLayout      *chart,
            const TwTrendPanelLayout *ps)
{
  const TwChartPanel *panel = ps->panel;
  cairo_t *cr = chart->cr;
  double plot_top = ps->plot.y;
  double plot_bottom = ps->plot.y + ps->plot.height;

  for (guint b = 0; b < MIN (panel->n_bands, TW_CHART_MAX_BANDS); b++)
    {
      const TwChartBand *band = &panel->bands[b];
      TwChartColor color = band_color (chart->palette, band->kind);
      double y_top = isfinite (band->high)
                     ? round (tw_trend_layout_value_to_y (ps, band->high)) : plot_top;
      double y_bottom = isfinite (band->low)
                        ? round (tw_trend_layout_value_to_y (ps, band->low)) : plot_bottom;

      y_top = CLAMP (y_top, plot_top, plot_bottom);
      y_bottom = CLAMP (y_bottom, plot_top, plot_bottom);
      if (!(y_bottom > y_top))
        continue;

      tw_chart_set_color_alpha (cr, &color, chart->options->dark ? BAND_ALPHA_DARK
                                                                 : BAND_ALPHA_LIGHT);
      cairo_rectangle (cr, ps->plot.x, y_top, ps->plot.width, y_bottom - y_top);
      cairo_fill (cr);

      tw_chart_set_color_alpha (cr, &color, BAND_EDGE_ALPHA);
      cairo_set_line_width (cr, GRID_WIDTH_PX);
      if (isfinite (band->high) && y_top > plot_top)
        {
          cairo_move_to (cr, ps->plot.x, y_top + 0.5);
          cairo_line_to (cr, ps->plot.x + ps->plot.width, y_top + 0.5);
        }
      if (isfinite (band->low) && y_bottom < plot_bottom)
        {
          cairo_move_to (cr, ps->plot.x, y_bottom - 0.5);
          cairo_line_to (cr, ps->plot.x + ps->plot.width, y_bottom - 0.5);
        }
      cairo_stroke (cr);

      if (band->label != NULL && y_bottom - y_top >= chart->label_h + 2)
        {
          TwChartColor ink = tw_chart_color_mix (&color, &chart->palette->text, BAND_LABEL_MIX);
          double inset = tw_trend_layout_px (chart, BAND_LABEL_INSET_PX);

          draw_text (chart, chart->font, &ink, band->label,
                     ps->plot.x + inset, y_top + 1, 0.0, 0.0);
        }
    }
}

/* The prediction ahead of the measured line: dashed, in the line's colour,
 * its points marked, and never joined to the last measurement, so nobody
 * reads it as measured. */
static void
draw_forecast (const TwTrendLayout      *chart,
               const TwTrendPanelLayout *ps,
               const TwTrendLineLayout  *ls,
               const TwChartColor       *color)
{
  cairo_t *cr = chart->cr;
  const TwPoint *f = ls->line->forecast + ls->forecast_from;
  double dash[] = { FORECAST_DASH_PX, FORECAST_GAP_PX };

  if (ls->n_forecast == 0)
    return;

  cairo_save (cr);
  tw_chart_set_color (cr, color);
  cairo_new_path (cr);
  for (guint i = 0; i < ls->n_forecast; i++)
    cairo_line_to (cr, tw_trend_layout_time_to_x (chart, f[i].ts),
                   tw_trend_layout_value_to_y (ps, f[i].value));
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_set_line_width (cr, LINE_WIDTH_PX);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);

  for (guint i = 0; i < ls->n_forecast; i++)
    {
      cairo_new_sub_path (cr);
      cairo_arc (cr, tw_trend_layout_time_to_x (chart, f[i].ts),
                 tw_trend_layout_value_to_y (ps, f[i].value),
                 FORECAST_DOT_RADIUS_PX, 0, 2 * G_PI);
    }
  cairo_fill (cr);
  cairo_restore (cr);
}

static gboolean
marker_in_range (const TwChartOptions *o,
                 const TwChartMarker  *m)
{
  return m->ts >= o->t_from && m->ts <= o->t_to;
}

static TwChartColor
marker_color (const TwTrendLayout *chart,
              const TwChartMarker *m)
{
  return chart->palette->alarm[CLAMP (m->priority, 0, 2)];
}

static double
marker_x (const TwTrendLayout *chart,
          const TwChartMarker *m)
{
  double x = snap (tw_trend_layout_time_to_x (chart, m->ts));

  return MIN (x, chart->plot_x + chart->plot_w - 0.5);
}

/* Each alert as a line through the panel, under the data, so an alert is
 * seen next to what raised it in every measurement. */
static void
draw_marker_lines (const TwTrendLayout      *chart,
                   const TwTrendPanelLayout *ps)
{
  const TwChartOptions *o = chart->options;
  cairo_t *cr = chart->cr;

  cairo_set_line_width (cr, ALERT_LINE_WIDTH_PX);
  for (guint i = 0; i < o->n_markers; i++)
    {
      const TwChartMarker *m = &o->markers[i];
      TwChartColor color;
      double x;

      if (!marker_in_range (o, m))
        continue;
      color = marker_color (chart, m);
      x = marker_x (chart, m);
      tw_chart_set_color_alpha (cr, &color, ALERT_LINE_ALPHA);
      cairo_move_to (cr, x, ps->plot.y);
      cairo_line_to (cr, x, ps->plot.y + ps->plot.height);
      cairo_stroke (cr);
    }
}

/* Flags at the top of the first panel and ticks on the time axis; the
 * label of a flag beside it when it fits before the next flag. Lower
 * priorities first, so a high-priority flag is on top. */
static void
draw_marker_flags (const TwTrendLayout *chart,
                   double               axis_top)
{
  const TwChartOptions *o = chart->options;
  const TwTrendPanelLayout *first;
  cairo_t *cr = chart->cr;
  double flag_w = tw_trend_layout_px (chart, ALERT_FLAG_WIDTH_PX);
  double flag_h = tw_trend_layout_px (chart, ALERT_FLAG_HEIGHT_PX);
  double tick_len = tw_trend_layout_px (chart, TW_TREND_TICK_LENGTH_PX);

  if (chart->n_panels == 0 || o->n_markers == 0)
    return;
  first = &chart->panels[0];

  for (int priority = 0; priority <= 2; priority++)
    for (guint i = 0; i < o->n_markers; i++)
      {
        const TwChartMarker *m = &o->markers[i];
        TwChartColor color;
        double x;
        double next_x = chart->plot_x + chart->plot_w;

        if (!marker_in_range (o, m) || CLAMP (m->priority, 0, 2) != priority)
          continue;
        color = marker_color (chart, m);
        x = marker_x (chart, m);

        tw_chart_set_color (cr, &color);
        cairo_set_line_width (cr, ALERT_LINE_WIDTH_PX);
        cairo_move_to (cr, x, axis_top);
        cairo_line_to (cr, x, axis_top + tick_len);
        cairo_stroke (cr);

        /* A pennant pointing right from the line. */
        cairo_move_to (cr, x - ALERT_LINE_WIDTH_PX / 2, first->plot.y);
        cairo_line_to (cr, x + flag_w, first->plot.y + flag_h / 2);
        cairo_line_to (cr, x - ALERT_LINE_WIDTH_PX / 2, first->plot.y + flag_h);
        cairo_close_path (cr);
        cairo_fill (cr);

        if (m->label == NULL)
          continue;
        for (guint k = 0; k < o->n_markers; k++)
          if (marker_in_range (o, &o->markers[k]) && o->markers[k].ts > m->ts)
            next_x = MIN (next_x, tw_trend_layout_time_to_x (chart, o->markers[k].ts));
        {
          PangoLayout *layout = tw_trend_layout_text (chart, chart->font, m->label);
          double w;
          double h;
          double lx = x + flag_w + 2;

          tw_trend_layout_text_size (layout, &w, &h);
          if (lx + w > next_x - 2 || first->plot.y + h > first->plot.y + first->plot.height)
            continue;
          tw_chart_set_color_alpha (cr, &chart->palette->plot_background, CROSSHAIR_BOX_ALPHA);
          cairo_rectangle (cr, lx - 1, first->plot.y, w + 2, h);
          cairo_fill (cr);
          tw_chart_set_color (cr, &chart->palette->text);
          cairo_move_to (cr, lx, first->plot.y);
          pango_cairo_show_layout (cr, layout);
        }
      }
}

static void
draw_box (const TwTrendLayout *chart,
          double               x,
          double               y,
          double               w,
          double               h)
{
  cairo_t *cr = chart->cr;

  tw_chart_rounded_rect (cr, x, y, w, h, CROSSHAIR_BOX_RADIUS_PX);
  tw_chart_set_color_alpha (cr, &chart->palette->background, CROSSHAIR_BOX_ALPHA);
  cairo_fill_preserve (cr);
  tw_chart_set_color_alpha (cr, &chart->palette->text, chart->palette->grid_alpha * 3);
  cairo_set_line_width (cr, GRID_WIDTH_PX);
  cairo_stroke (cr);
}

static char *
crosshair_time_text (const TwTrendLayout *chart,
                     gint64               ts)
{
  gint64 span = chart->options->t_to - chart->options->t_from;

  if (span > 24 * TW_USEC_PER_HOUR)
    return tw_time_format_local (ts, "%a %H:%M");
  if (span <= TW_USEC_PER_HOUR)
    return tw_time_format_local (ts, "%H:%M:%S");
  return tw_time_format_local (ts, "%H:%M");
}

/* The pointer's time: a line through every panel, a dot where it crosses
 * each line, the values in a box beside it and the time on the axis. */
static void
draw_crosshair (const TwTrendLayout *chart,
                double               axis_top)
{
  const TwChartOptions *o = chart->options;
  cairo_t *cr = chart->cr;
  double pad = tw_trend_layout_px (chart, CROSSHAIR_BOX_PAD_PX);
  double gap = tw_trend_layout_px (chart, CROSSHAIR_BOX_GAP_PX);
  double x;

  if (o->crosshair_ts == 0 || o->crosshair_ts < o->t_from || o->crosshair_ts > o->t_to
      || chart->n_panels == 0)
    return;
  x = MIN (snap (tw_trend_layout_time_to_x (chart, o->crosshair_ts)),
           chart->plot_x + chart->plot_w - 0.5);

  tw_chart_set_color_alpha (cr, &chart->palette->text, CROSSHAIR_ALPHA);
  cairo_set_line_width (cr, GRID_WIDTH_PX);
  cairo_move_to (cr, x, chart->panels[0].plot.y);
  cairo_line_to (cr, x, axis_top);
  cairo_stroke (cr);

  for (guint p = 0; p < chart->n_panels; p++)
    {
      const TwTrendPanelLayout *ps = &chart->panels[p];
      g_autoptr(GString) markup = g_string_new (NULL);
      const char *unit = tw_chart_format_unit (ps->panel->unit);
      gboolean any = FALSE;
      PangoLayout *layout;
      double w;
      double h;
      double bx;

      if (ps->n_lines == 0 || !ps->has_data)
        continue;
      for (guint i = 0; i < ps->n_lines; i++)
        {
          const TwTrendLineLayout *ls = &ps->lines[i];
          TwChartColor color = tw_chart_palette_get_series (chart->palette, p, i);
          g_autofree char *hex = tw_chart_color_to_hex (&color);
          g_autofree char *text = NULL;
          g_autofree char *span = NULL;
          double value;

          if (tw_trend_layout_value_at (chart, ls, o->crosshair_ts, &value))
            {
              double y = tw_trend_layout_value_to_y (ps, value);

              text = tw_chart_format_value (value, ps->panel->digits);
              any = TRUE;
              if (y >= ps->plot.y && y <= ps->plot.y + ps->plot.height)
                {
                  cairo_new_sub_path (cr);
                  cairo_arc (cr, x, y, CROSSHAIR_DOT_RADIUS_PX, 0, 2 * G_PI);
                  tw_chart_set_color (cr, &color);
                  cairo_fill_preserve (cr);
                  tw_chart_set_color (cr, &chart->palette->background);
                  cairo_set_line_width (cr, GRID_WIDTH_PX);
                  cairo_stroke (cr);
                }
            }
          span = g_markup_printf_escaped ("%s<span foreground=\"%s\">%s</span>",
                                          i > 0 ? "/" : "", hex,
                                          text ? text : TW_CHART_NO_VALUE);
          g_string_append (markup, span);
        }
      if (any && *unit != '\0')
        {
          g_autofree char *muted = tw_chart_color_to_hex (&chart->palette->muted);
          g_autofree char *span = g_markup_printf_escaped (" <span foreground=\"%s\">%s</span>",
                                                           muted, unit);

          g_string_append (markup, span);
        }

      layout = tw_trend_layout_text (chart, chart->title_font, "");
      pango_layout_set_markup (layout, markup->str, -1);
      tw_trend_layout_text_size (layout, &w, &h);
      /* Right of the line, or left of it near the right edge. */
      bx = x + gap;
      if (bx + w + 2 * pad > ps->plot.x + ps->plot.width)
        bx = x - gap - w - 2 * pad;
      draw_box (chart, bx, ps->plot.y + pad, w + 2 * pad, h + pad);
      cairo_move_to (cr, bx + pad, ps->plot.y + pad * 1.5);
      pango_cairo_show_layout (cr, layout);
    }

  {
    g_autofree char *time = crosshair_time_text (chart, o->crosshair_ts);
    PangoLayout *layout = tw_trend_layout_text (chart, chart->font, time);
    double w;
    double h;
    double bx;

    tw_trend_layout_text_size (layout, &w, &h);
    bx = CLAMP (x - w / 2 - pad, 0, chart->width - w - 2 * pad);
    draw_box (chart, bx, axis_top, w + 2 * pad, h + pad);
    tw_chart_set_color (cr, &chart->palette->text);
    cairo_move_to (cr, bx + pad, axis_top + pad / 2);
    pango_cairo_show_layout (cr, layout);
  }
}

static void
draw_panel (const TwTrendLayout      *chart,
            const TwTrendPanelLayout *ps,
            guint                     panel_index,
            GArray                   *time_ticks)
{
  cairo_t *cr = chart->cr;

  draw_plot_background (chart, ps);
  draw_header (chart, ps, panel_index);
  draw_latest (chart, ps, panel_index);

  if (!ps->has_data)
    {
      draw_no_data (chart, &ps->plot);
      return;
    }

  cairo_save (cr);
  cairo_rectangle (cr, ps->plot.x, ps->plot.y, ps->plot.width, ps->plot.height);
  cairo_clip (cr);
  draw_normal_band (chart, ps, panel_index);
  draw_bands (chart, ps);
  draw_highlight (chart, ps);
  draw_grid (chart, ps, time_ticks);
  draw_marker_lines (chart, ps);
  /* The first line is the panel's main one: drawn last, on top. */
  for (guint i = ps->n_lines; i > 0; i--)
    {
      TwChartColor color = tw_chart_palette_get_series (chart->palette, panel_index, i - 1);

      draw_line (chart, ps, &ps->lines[i - 1], &color);
      draw_forecast (chart, ps, &ps->lines[i - 1], &color);
    }
  cairo_restore (cr);

  if (panel_ticks_fit (chart, ps))
    draw_value_labels (chart, ps);
}

static void
draw_time_axis (const TwTrendLayout *chart,
                GArray              *ticks,
                gint64               step_us,
                double               top)
{
  cairo_t *cr = chart->cr;
  double tick_len = tw_trend_layout_px (chart, TW_TREND_TICK_LENGTH_PX);
  double label_y = top + tick_len + tw_trend_layout_px (chart, TW_TREND_TICK_LABEL_GAP_PX);
  double last_right = -INFINITY;
  double min_space = chart->font_px;

  tw_chart_set_color_alpha (cr, &chart->palette->grid, chart->palette->grid_alpha);
  cairo_set_line_width (cr, GRID_WIDTH_PX);
  for (guint t = 0; t < ticks->len; t++)
    {
      double x = snap (tw_trend_layout_time_to_x (chart, g_array_index (ticks, gint64, t)));

      x = MIN (x, chart->plot_x + chart->plot_w - 0.5);
      cairo_move_to (cr, x, top);
      cairo_line_to (cr, x, top + tick_len);
    }
  cairo_stroke (cr);

  for (guint t = 0; t < ticks->len; t++)
    {
      gint64 ts = g_array_index (ticks, gint64, t);
      g_autofree char *label = tw_chart_time_label (ts, step_us);
      PangoLayout *layout = tw_trend_layout_text (chart, chart->font, label);
      double x = tw_trend_layout_time_to_x (chart, ts);
      double w;

      tw_trend_layout_text_size (layout, &w, NULL);
      /* Never past the chart's edges nor onto the previous label (a date
       * at midnight is wider than a time). */
      if (x - w / 2 < chart->margin || x + w / 2 > chart->width - chart->margin
          || x - w / 2 < last_right + min_space)
        continue;
      tw_chart_set_color (cr, &chart->palette->muted);
      draw_layout_at (chart, layout, x - w / 2, label_y);
      last_right = x + w / 2;
    }
}

/**
 * tw_chart_panel_init:
 * @panel: (out caller-allocates): a panel
 *
 * Zeroes @panel and sets normal_low/high to NAN (no normal band): no lines,
 * no bands, a value range fitted to the data.
 */
void
tw_chart_panel_init (TwChartPanel *panel)
{
  g_return_if_fail (panel != NULL);

  memset (panel, 0, sizeof *panel);
  panel->normal_low = NAN;
  panel->normal_high = NAN;
}

/**
 * tw_trend_chart_draw:
 * @cr: where to draw; its state is restored on return
 * @width: width of the chart in user units
 * @height: height of the chart in user units
 * @options: time range, style and gap threshold
 * @panels: (array length=n_panels): the panels, top to bottom
 * @n_panels: number of panels
 *
 * Draws a stacked trend view as on a patient monitor's trend screen: one
 * panel per measurement with a title, its latest value large on the right,
 * a value axis and the normal band, over one local-time axis at the bottom.
 * Lines are drawn from per-pixel-column envelopes and break where data
 * pauses longer than the gap threshold.
 */
void
tw_trend_chart_draw (cairo_t              *cr,
                     int                   width,
                     int                   height,
                     const TwChartOptions *options,
                     const TwChartPanel   *panels,
                     guint                 n_panels)
{
  TwTrendLayout chart = { 0 };
  g_autoptr(GArray) ticks = NULL;
  gint64 step_us;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (options->t_to > options->t_from);
  g_return_if_fail (panels != NULL || n_panels == 0);

  if (width <= 0 || height <= 0)
    return;

  cairo_save (cr);
  tw_trend_layout_init (&chart, cr, width, height, options, panels, n_panels);

  tw_chart_set_color (cr, &chart.palette->background);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);

  ticks = pick_time_ticks (&chart, &step_us);
  if (n_panels == 0)
    {
      cairo_rectangle_t all = { 0, 0, width, height };

      draw_no_data (&chart, &all);
    }
  for (guint p = 0; p < n_panels; p++)
    draw_panel (&chart, &chart.panels[p], p, ticks);
  if (n_panels > 0)
    {
      const TwTrendPanelLayout *last = &chart.panels[n_panels - 1];

      double axis_top = last->plot.y + last->plot.height;

      draw_time_axis (&chart, ticks, step_us, axis_top);
      draw_marker_flags (&chart, axis_top);
      draw_crosshair (&chart, axis_top);
    }

  tw_trend_layout_clear (&chart);
  cairo_restore (cr);
}

/**
 * tw_trend_chart_get_plot_area:
 * @cr: a context like the one the chart is drawn into (for text metrics)
 * @width: width of the chart
 * @height: height of the chart
 * @options: as for tw_trend_chart_draw()
 * @panels: (array length=n_panels): as for tw_trend_chart_draw()
 * @n_panels: number of panels
 * @panel_index: which panel
 * @area: (out): where the panel's data is drawn; its left edge is @t_from,
 *   its right edge @t_to
 *
 * Returns: %TRUE if @panel_index names a panel
 */
gboolean
tw_trend_chart_get_plot_area (cairo_t              *cr,
                              int                   width,
                              int                   height,
                              const TwChartOptions *options,
                              const TwChartPanel   *panels,
                              guint                 n_panels,
                              guint                 panel_index,
                              cairo_rectangle_t    *area)
{
  TwTrendLayout chart = { 0 };

  g_return_val_if_fail (cr != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (options->t_to > options->t_from, FALSE);
  g_return_val_if_fail (area != NULL, FALSE);

  if (panel_index >= n_panels || width <= 0 || height <= 0)
    return FALSE;

  tw_trend_layout_init (&chart, cr, width, height, options, panels, n_panels);
  *area = chart.panels[panel_index].plot;
  tw_trend_layout_clear (&chart);
  return TRUE;
}
