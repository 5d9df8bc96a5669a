#pragma once

#include <cairo.h>
#include <glib.h>

#include "tw-chart-palette.h"
#include "tw-m4.h"
#include "tw-point.h"

G_BEGIN_DECLS

#define TW_CHART_MAX_LINES 2
#define TW_CHART_MAX_BANDS 6

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
  /* Optional: an envelope already reduced (from the store's rollups, see
   * tw_store_read_envelope()) for [t_from, t_to) of the options. Used
   * instead of @points; re-binned when its width is not the plot's. */
  const TwM4    *envelope;
  /* Optional: predicted points ahead of the last sample (AR2), drawn
   * dashed in the line's colour, never joined to the measured line. */
  const TwPoint *forecast;
  guint          n_forecast;
} TwChartLine;

/**
 * TwChartBandKind:
 * The meaning of a reference band, which picks its colour: a normal range
 * or target (green), a caution range (amber), a danger range (red).
 */
typedef enum
{
  TW_CHART_BAND_NORMAL,
  TW_CHART_BAND_CAUTION,
  TW_CHART_BAND_DANGER,
} TwChartBandKind;

typedef struct
{
  double          low;      /* -INFINITY / INFINITY: open to the plot edge */
  double          high;
  TwChartBandKind kind;
  const char     *label;    /* "Target 70–180", may be NULL */
} TwChartBand;

/**
 * TwChartMarker:
 * An alert on the time axis: a tick and a flag at @ts in every panel,
 * coloured by priority (0 low, 1 medium, 2 high).
 */
typedef struct
{
  gint64      ts;
  int         priority;
  const char *label;        /* "SpO2 below 90", may be NULL */
} TwChartMarker;

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
  /* Further reference bands (glucose ranges, score bands), drawn under
   * the lines and above the normal band. */
  TwChartBand  bands[TW_CHART_MAX_BANDS];
  guint        n_bands;
  /* A fixed value range, used when fixed_low < fixed_high (zeroed: fit
   * the data and the bands): NEWS2 0–20, glucose 40–400. */
  double       fixed_low;
  double       fixed_high;
} TwChartPanel;

typedef struct
{
  gint64   t_from;           /* visible time range, µs UTC */
  gint64   t_to;
  gboolean dark;             /* colours of the dark style */
  gint64   gap_us;           /* a pause longer than this is drawn as a gap; 0 = auto */
  gint64   highlight_from;   /* a span shaded across every panel (an alert's */
  gint64   highlight_to;     /* evidence window), µs UTC; equal = none */
  const TwChartMarker *markers;  /* alerts in the range, any order */
  guint    n_markers;
  gint64   crosshair_ts;     /* a vertical line with each line's value at */
                             /* that time (the widget's pointer); 0 = none */
} TwChartOptions;

/* Zeroes @panel and sets normal_low/high to NAN (no normal band). */
void  tw_chart_panel_init     (TwChartPanel         *panel);

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
