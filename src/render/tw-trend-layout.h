#pragma once

#include <pango/pangocairo.h>

#include "tw-chart-axis.h"
#include "tw-m4.h"
#include "tw-trend-chart.h"

G_BEGIN_DECLS

/*
 * The measured and reduced form of a trend chart, shared by
 * tw-trend-chart.c (which draws it) and tw-trend-layout.c (which computes
 * it): where each panel goes, its value axis, each line's M4 envelope and
 * polyline. Private to src/render.
 */

/* Spacing both files use, in pixels at the reference size. */
#define TW_TREND_GUTTER_GAP_PX     8.0  /* value labels to plot */
#define TW_TREND_TICK_LENGTH_PX    4.0
#define TW_TREND_TICK_LABEL_GAP_PX 3.0

typedef struct
{
  const TwChartLine *line;
  TwM4              *m4;
  TwM4Polyline      *polyline;
  gint64             gap_us;
  gboolean           has_latest;
  TwPoint            latest;      /* the last sample in the range */
  guint              forecast_from;  /* the forecast points in the range */
  guint              n_forecast;
} TwTrendLineLayout;

typedef struct
{
  const TwChartPanel *panel;
  TwTrendLineLayout   lines[TW_CHART_MAX_LINES];
  guint               n_lines;
  gboolean            has_data;
  TwChartValueAxis    axis;
  int                 label_digits;
  double              top;        /* of the title */
  cairo_rectangle_t   plot;
  double              inner_pad;  /* keeps the outer tick labels inside the plot */
  double              value_font_px;
} TwTrendPanelLayout;

typedef struct
{
  cairo_t               *cr;
  int                    width;
  int                    height;
  const TwChartOptions  *options;
  const TwChartPalette  *palette;
  double                 device_scale;

  double                 size_scale;
  double                 font_px;
  PangoFontDescription  *font;
  PangoFontDescription  *title_font;
  PangoLayout           *layout;
  double                 label_h;
  double                 title_h;

  double                 margin;
  double                 panel_gap;
  double                 header_h;
  double                 axis_h;
  double                 gutter_w;
  double                 numeric_w;
  double                 plot_x;
  double                 plot_w;
  guint                  columns;

  TwTrendPanelLayout    *panels;
  guint                  n_panels;
} TwTrendLayout;

void                  tw_trend_layout_init           (TwTrendLayout              *chart,
                                                      cairo_t                    *cr,
                                                      int                         width,
                                                      int                         height,
                                                      const TwChartOptions       *options,
                                                      const TwChartPanel         *panels,
                                                      guint                       n_panels);
void                  tw_trend_layout_clear          (TwTrendLayout              *chart);

double                tw_trend_layout_px         (const TwTrendLayout        *chart,
                                                      double                      px);
double                tw_trend_layout_value_to_y     (const TwTrendPanelLayout   *ps,
                                                      double                      value);
double                tw_trend_layout_time_to_x      (const TwTrendLayout        *chart,
                                                      gint64                      ts);

PangoLayout          *tw_trend_layout_text           (const TwTrendLayout        *chart,
                                                      const PangoFontDescription *font,
                                                      const char                 *text);
void                  tw_trend_layout_text_size      (PangoLayout                *layout,
                                                      double                     *width,
                                                      double                     *height);
double                tw_trend_layout_text_width     (const TwTrendLayout        *chart,
                                                      const PangoFontDescription *font,
                                                      const char                 *text);
PangoFontDescription *tw_trend_layout_value_font_new (double                      px);

gboolean              tw_trend_layout_value_at       (const TwTrendLayout        *chart,
                                                      const TwTrendLineLayout    *ls,
                                                      gint64                      ts,
                                                      double                     *value);

G_END_DECLS
