#pragma once

#include "tw-chart-view.h"

G_BEGIN_DECLS

/* What the files of TwChartView share: tw-chart-view.c (drawing, input,
 * series) and tw-chart-view-envelopes.c (reading store envelopes). */

#define MAX_SERIES                6
/* Envelope reads wait this long after the last zoom or pan step, and come
 * at most this often while the range follows live data. */
#define ENVELOPE_DEBOUNCE_MS      120
#define ENVELOPE_LIVE_INTERVAL_MS 1000

typedef enum
{
  BANDS_NONE,
  BANDS_NEWS2,
  BANDS_GLUCOSE,
} BandSet;

typedef struct
{
  const char *title;
  int         series[TW_CHART_MAX_LINES];
  const char *line_labels[TW_CHART_MAX_LINES];
  guint       n_lines;
  gboolean    normal_band;
  BandSet     bands;
  double      fixed_low;
  double      fixed_high;
} PanelSpec;

typedef struct
{
  const char      *accessible_name;
  const char      *accessible_name_of;
  const char      *metrics[MAX_SERIES];
  guint            n_metrics;
  const PanelSpec *panels;
  guint            n_panels;
  gboolean         stored;     /* series are stored (envelopes possible) */
} KindSpec;

/* A series grows at the end and is trimmed at the start; trimming only
 * moves @offset, and the array is compacted once half of it is dead. */
typedef struct
{
  GArray *points;
  guint   offset;
  GArray *forecast;
  TwM4   *envelope;     /* for envelope_from/to at envelope_width */
} SeriesData;

struct _TwChartView
{
  GtkWidget        parent_instance;

  TwChartViewKind  kind;
  SeriesData       series[MAX_SERIES];
  TwTimeRange     *range;
  gulong           range_changed_id;
  gint64           highlight_from;
  gint64           highlight_to;
  char            *subject;
  guint            description_source;

  GArray          *markers;          /* TwChartMarker, labels owned by marker_labels */
  GPtrArray       *marker_labels;

  /* Pointer and keyboard */
  gint64           crosshair_ts;
  double           pointer_x;
  gboolean         pointer_inside;
  gint64           drag_from;
  gint64           drag_to;
  double           plot_x;           /* panel 0's plot area at the last draw */
  double           plot_width;

  /* Envelopes */
  TwReader        *reader;
  char            *entity_key;
  gint64           loaded_from;
  gint64           envelope_from;
  gint64           envelope_to;
  guint            envelope_width;
  guint            envelope_source;
  guint            envelope_generation;
  gboolean         envelope_in_flight;
  gboolean         envelope_again;
  gboolean         drew_envelopes;
  GCancellable    *cancellable;
};

const KindSpec *tw_chart_view_kind_spec          (TwChartView *self);
void            tw_chart_view_current_range      (TwChartView *self,
                                                  gint64      *t_from,
                                                  gint64      *t_to);

gboolean        tw_chart_view_needs_envelopes    (TwChartView *self);

/* tw-chart-view-input.c: pointer, scroll, drag and keys. */
void            tw_chart_view_class_init_input   (GtkWidgetClass *widget_class);
void            tw_chart_view_init_input         (TwChartView    *self);
gboolean        tw_chart_view_prepare_envelopes  (TwChartView *self,
                                                  TwM4       **out,
                                                  gboolean    *out_owned);
void            tw_chart_view_free_envelopes     (TwChartView *self,
                                                  TwM4       **envelopes,
                                                  gboolean     owned);
void            tw_chart_view_schedule_envelopes (TwChartView *self);
void            tw_chart_view_drop_envelopes     (TwChartView *self);

G_END_DECLS
