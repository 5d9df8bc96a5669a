#pragma once

#include <cairo.h>
#include <glib.h>

#include "tw-chart-palette.h"

G_BEGIN_DECLS

/* Bars and stacked bars: categories along x (or one stacked bar, the
 * glucose range bar), each bar a stack of segments. A single-segment
 * stack is a plain bar. Labels are drawn when they fit. */

#define TW_BAR_MAX_SEGMENTS 8

typedef struct
{
  const char  *label;               /* category, "Mon", or NULL */
  double       values[TW_BAR_MAX_SEGMENTS];
} TwBar;

typedef struct
{
  const char   *title;              /* may be NULL */
  const char   *unit;               /* "%", may be NULL */
  guint         n_segments;
  const char   *segment_labels[TW_BAR_MAX_SEGMENTS];
  TwChartColor  segment_colors[TW_BAR_MAX_SEGMENTS];
  gboolean      horizontal;         /* bars grow to the right */
  gboolean      normalize;          /* each bar fills 100 % (range bar) */
  gboolean      show_values;        /* segment values as text when they fit */
  int           digits;
  gboolean      dark;
} TwBarChartStyle;

void  tw_bar_chart_draw     (cairo_t               *cr,
                             double                 x,
                             double                 y,
                             double                 width,
                             double                 height,
                             const TwBarChartStyle *style,
                             const TwBar           *bars,
                             guint                  n_bars);

/* The consensus glucose range bar: one stacked, normalised bar, very low
 * at the bottom, with each range's percentage and target beside it. */
void  tw_glucose_range_bar_draw (cairo_t      *cr,
                                 double        x,
                                 double        y,
                                 double        width,
                                 double        height,
                                 const double  range_percent[5],
                                 gboolean      dark);

/* The five consensus range colours (very low … very high) of a style. */
TwChartColor tw_chart_palette_glucose_range (gboolean dark,
                                             guint    range);

G_END_DECLS
