#pragma once

#include <cairo.h>
#include <glib.h>

#include "tw-chart-palette.h"
#include "tw-point.h"

G_BEGIN_DECLS

#define TW_CHART_MAX_LINES 2

/**
 * TwChartLine:
 * One series in a panel. Points are sorted by time; the chart never strokes
 * them one by one but reduces them to a per-pixel-column envelope (M4).
 */
typedef struct
{
  const char    *label;     /* "Systolic" */
  const TwPoint *points;
  guint          n_points;
} TwChartLine;

/**
 * TwChartPanel:
 * One horizontal band of a trend chart with its own value axis, e.g. heart
 * rate, or systolic and diastolic pressure together.
 */
typedef struct
{
  const char  *title;        /* "Heart rate" */
  const char  *unit;         /* "/min" */
  int          digits;       /* decimals of axis labels and latest value */
  double       normal_low;   /* NAN when the panel has no normal band */
  double       normal_high;
  TwChartLine  lines[TW_CHART_MAX_LINES];
  guint        n_lines;
} TwChartPanel;

typedef struct
{
  gint64   t_from;           /* visible time range, µs UTC */
  gint64   t_to;
  gboolean dark;             /* colours of the dark style */
  gint64   gap_us;           /* a pause longer than this is drawn as a gap; 0 = auto */
  gint64   highlight_from;   /* a span shaded across every panel (an alert's */
  gint64   highlight_to;     /* evidence window), µs UTC; equal = none */
} TwChartOptions;

/* Draws into any cairo context: a widget, a PNG in tests, a PDF page. */
void  tw_trend_chart_draw     (cairo_t              *cr,
                               int                   width,
                               int                   height,
                               const TwChartOptions *options,
                               const TwChartPanel   *panels,
                               guint                 n_panels);

/* Where a panel's data is drawn, so a widget can map a pointer to a time
 * and tests can find the pixels; the same layout tw_trend_chart_draw() uses. */
gboolean tw_trend_chart_get_plot_area (cairo_t              *cr,
                                       int                   width,
                                       int                   height,
                                       const TwChartOptions *options,
                                       const TwChartPanel   *panels,
                                       guint                 n_panels,
                                       guint                 panel_index,
                                       cairo_rectangle_t    *area);

/* A text summary for assistive technologies and tests. */
char *tw_trend_chart_describe (const TwChartOptions *options,
                               const TwChartPanel   *panels,
                               guint                 n_panels);

G_END_DECLS
