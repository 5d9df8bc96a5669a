#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <math.h>

#include "tw-chart-view.h"
#include "tw-metric.h"
#include "tw-time.h"
#include "tw-trend-chart.h"

/*
 * TwChartView: the live trend chart of one patient. It owns the series
 * (arrays of TwPoint handed over by the monitor page) and draws them with
 * src/render, the same code that draws PNGs and PDF reports, so the widget
 * itself only builds the panel description and follows the style.
 */

#define MIN_WIDTH                 320
#define MIN_HEIGHT                280
#define NATURAL_WIDTH             720
#define NATURAL_HEIGHT            520
#define DEFAULT_RANGE_US          (10 * TW_USEC_PER_MIN)

/* The series the chart shows, one slot each; panels refer to slots. */
typedef enum
{
  SERIES_HR,
  SERIES_SPO2,
  SERIES_SBP,
  SERIES_DBP,
  SERIES_RR,
  SERIES_TEMP,
  N_SERIES
} Series;

static const char *series_metrics[N_SERIES] = { "hr", "spo2", "sbp", "dbp", "rr", "temp" };

typedef struct
{
  const char *title;
  Series      series[TW_CHART_MAX_LINES];
  const char *line_labels[TW_CHART_MAX_LINES];
  guint       n_lines;
  gboolean    normal_band;
} PanelSpec;

/* Systolic and diastolic share one axis; neither band fits both lines, so
 * that panel has none rather than a band that misleads for one of them. */
static const PanelSpec panel_specs[] = {
  { N_("Heart rate"),       { SERIES_HR },              { NULL },                           1, TRUE },
  { N_("SpO\u2082"),        { SERIES_SPO2 },            { NULL },                           1, TRUE },
  { N_("Blood pressure"),   { SERIES_SBP, SERIES_DBP }, { N_("Systolic"), N_("Diastolic") }, 2, FALSE },
  { N_("Respiration rate"), { SERIES_RR },              { NULL },                           1, TRUE },
  { N_("Temperature"),      { SERIES_TEMP },            { NULL },                           1, TRUE },
};

#define N_PANELS G_N_ELEMENTS (panel_specs)

/* A series grows at the end and is trimmed at the start; trimming only
 * moves @offset, and the array is compacted once half of it is dead. */
typedef struct
{
  GArray *points;
  guint   offset;
} SeriesData;

struct _TwChartView
{
  GtkWidget  parent_instance;

  SeriesData series[N_SERIES];
  gint64     t_from;
  gint64     t_to;
  gint64     highlight_from;
  gint64     highlight_to;
  char      *subject;
  guint      description_source;
};

G_DEFINE_FINAL_TYPE (TwChartView, tw_chart_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SUBJECT,
  PROP_N_POINTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The store keeps UCUM codes; people read "mmHg" and "°C". */
static const char *
display_unit (const char *ucum)
{
  if (g_strcmp0 (ucum, "mm[Hg]") == 0)
    return "mmHg";
  if (g_strcmp0 (ucum, "Cel") == 0)
    return "\u00b0C";
  return ucum != NULL ? ucum : "";
}

static int
series_from_metric (const char *metric)
{
  for (guint i = 0; i < N_SERIES; i++)
    if (g_strcmp0 (series_metrics[i], metric) == 0)
      return (int) i;
  return -1;
}

static void
build_options (TwChartView    *self,
               TwChartOptions *options)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();

  options->t_from = self->t_from;
  options->t_to = self->t_to;
  if (options->t_to <= options->t_from)
    {
      options->t_to = tw_time_now ();
      options->t_from = options->t_to - DEFAULT_RANGE_US;
    }
  options->dark = adw_style_manager_get_dark (style_manager);
  options->gap_us = 0;
  options->highlight_from = self->highlight_from;
  options->highlight_to = self->highlight_to;
}

static void
build_panels (TwChartView  *self,
              TwChartPanel *panels)
{
  for (guint i = 0; i < N_PANELS; i++)
    {
      const PanelSpec *spec = &panel_specs[i];
      const TwMetricInfo *info = tw_metric_lookup (series_metrics[spec->series[0]]);
      TwChartPanel *panel = &panels[i];

      memset (panel, 0, sizeof *panel);
      panel->title = g_dgettext (GETTEXT_PACKAGE, spec->title);
      panel->unit = display_unit (info != NULL ? info->unit : NULL);
      panel->digits = info != NULL ? info->digits : 0;
      panel->normal_low = NAN;
      panel->normal_high = NAN;
      if (spec->normal_band && info != NULL)
        {
          panel->normal_low = info->normal_low;
          panel->normal_high = info->normal_high;
        }

      panel->n_lines = spec->n_lines;
      for (guint j = 0; j < spec->n_lines; j++)
        {
          const SeriesData *data = &self->series[spec->series[j]];
          const char *label = spec->line_labels[j];

          panel->lines[j].label = label != NULL ? g_dgettext (GETTEXT_PACKAGE, label) : panel->title;
          panel->lines[j].points = NULL;
          panel->lines[j].n_points = 0;
          if (data->points != NULL && data->points->len > data->offset)
            {
              panel->lines[j].points = &g_array_index (data->points, TwPoint, data->offset);
              panel->lines[j].n_points = data->points->len - data->offset;
            }
        }
    }
}

static void
update_accessible_label (TwChartView *self)
{
  g_autofree char *label = NULL;

  if (self->subject != NULL && self->subject[0] != '\0')
    label = g_strdup_printf (_("Vital sign trends of %s"), self->subject);
  else
    label = g_strdup (_("Vital sign trends"));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static gboolean
update_description_cb (gpointer user_data)
{
  TwChartView *self = TW_CHART_VIEW (user_data);
  g_autofree char *description = NULL;

  self->description_source = 0;

  description = tw_chart_view_dup_description (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);

  return G_SOURCE_REMOVE;
}

/* Several series change at once on every refresh; describe them once. */
static void
schedule_description_update (TwChartView *self)
{
  if (self->description_source != 0)
    return;

  self->description_source = g_idle_add_full (G_PRIORITY_LOW, update_description_cb, self, NULL);
}

static void
tw_chart_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  TwChartView *self = TW_CHART_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  TwChartPanel panels[N_PANELS];
  TwChartOptions options;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  build_options (self, &options);
  build_panels (self, panels);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  tw_trend_chart_draw (cr, width, height, &options, panels, N_PANELS);
  cairo_destroy (cr);
}

static void
tw_chart_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN_WIDTH;
      *natural = NATURAL_WIDTH;
    }
  else
    {
      *minimum = MIN_HEIGHT;
      *natural = NATURAL_HEIGHT;
    }
}

static void
tw_chart_view_dispose (GObject *object)
{
  TwChartView *self = (TwChartView *)object;

  g_clear_handle_id (&self->description_source, g_source_remove);

  for (guint i = 0; i < N_SERIES; i++)
    g_clear_pointer (&self->series[i].points, g_array_unref);

  G_OBJECT_CLASS (tw_chart_view_parent_class)->dispose (object);
}

static void
tw_chart_view_finalize (GObject *object)
{
  TwChartView *self = (TwChartView *)object;

  g_clear_pointer (&self->subject, g_free);

  G_OBJECT_CLASS (tw_chart_view_parent_class)->finalize (object);
}

static void
tw_chart_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TwChartView *self = TW_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_N_POINTS:
      g_value_set_uint (value, tw_chart_view_get_n_points (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_chart_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TwChartView *self = TW_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_SUBJECT:
      tw_chart_view_set_subject (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_chart_view_class_init (TwChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_chart_view_dispose;
  object_class->finalize = tw_chart_view_finalize;
  object_class->get_property = tw_chart_view_get_property;
  object_class->set_property = tw_chart_view_set_property;

  widget_class->snapshot = tw_chart_view_snapshot;
  widget_class->measure = tw_chart_view_measure;

  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_POINTS] =
    g_param_spec_uint ("n-points", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chartview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tw_chart_view_init (TwChartView *self)
{
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self,
                           G_CONNECT_SWAPPED);

  update_accessible_label (self);
  schedule_description_update (self);
}

GtkWidget *
tw_chart_view_new (void)
{
  return g_object_new (TW_TYPE_CHART_VIEW, NULL);
}

static void
series_changed (TwChartView *self,
                guint        old_n_points)
{
  if (old_n_points != tw_chart_view_get_n_points (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);

  schedule_description_update (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * tw_chart_view_take_series:
 * @self: a chart view
 * @metric: a metric code of the catalogue ("hr")
 * @points: (transfer full) (nullable): TwPoint samples sorted by time
 *
 * Replaces one series. The view owns @points from now on and appends to
 * it, so nobody else may use the array afterwards. Metrics the chart does
 * not show are ignored.
 */
void
tw_chart_view_take_series (TwChartView *self,
                           const char  *metric,
                           GArray      *points)
{
  guint old_n_points;
  int slot;

  g_return_if_fail (TW_IS_CHART_VIEW (self));
  g_return_if_fail (metric != NULL);
  g_return_if_fail (points == NULL || g_array_get_element_size (points) == sizeof (TwPoint));

  slot = series_from_metric (metric);
  if (slot < 0)
    {
      g_clear_pointer (&points, g_array_unref);
      return;
    }

  old_n_points = tw_chart_view_get_n_points (self);

  g_clear_pointer (&self->series[slot].points, g_array_unref);
  self->series[slot].points = points;
  self->series[slot].offset = 0;

  series_changed (self, old_n_points);
}

/**
 * tw_chart_view_append_series:
 * @self: a chart view
 * @metric: a metric code of the catalogue ("hr")
 * @points: (array length=n_points): new samples sorted by time; those not
 *   newer than the series' last sample are skipped, so a reader may ask
 *   again for a short overlap
 * @n_points: the number of @points
 * @keep_from: samples older than this (µs UTC) are dropped
 *
 * Extends a series with live data without copying what it holds.
 */
void
tw_chart_view_append_series (TwChartView   *self,
                             const char    *metric,
                             const TwPoint *points,
                             guint          n_points,
                             gint64         keep_from)
{
  SeriesData *data;
  guint old_n_points;
  gint64 last_ts = G_MININT64;
  guint first_new = 0;
  int slot;

  g_return_if_fail (TW_IS_CHART_VIEW (self));
  g_return_if_fail (metric != NULL);
  g_return_if_fail (points != NULL || n_points == 0);

  slot = series_from_metric (metric);
  if (slot < 0)
    return;

  data = &self->series[slot];
  old_n_points = tw_chart_view_get_n_points (self);

  if (data->points == NULL)
    data->points = g_array_new (FALSE, FALSE, sizeof (TwPoint));
  if (data->points->len > data->offset)
    last_ts = g_array_index (data->points, TwPoint, data->points->len - 1).ts;

  while (first_new < n_points && points[first_new].ts <= last_ts)
    first_new++;
  if (first_new < n_points)
    g_array_append_vals (data->points, &points[first_new], n_points - first_new);

  while (data->offset < data->points->len
         && g_array_index (data->points, TwPoint, data->offset).ts < keep_from)
    data->offset++;
  if (data->offset > 0 && data->offset >= data->points->len / 2)
    {
      g_array_remove_range (data->points, 0, data->offset);
      data->offset = 0;
    }

  if (first_new < n_points || old_n_points != tw_chart_view_get_n_points (self))
    series_changed (self, old_n_points);
}

/**
 * tw_chart_view_get_last_ts:
 * @self: a chart view
 *
 * Returns: the newest sample's time over all series, or %G_MININT64 when
 *   the view holds none
 */
gint64
tw_chart_view_get_last_ts (TwChartView *self)
{
  gint64 last_ts = G_MININT64;

  g_return_val_if_fail (TW_IS_CHART_VIEW (self), G_MININT64);

  for (guint i = 0; i < N_SERIES; i++)
    {
      const SeriesData *data = &self->series[i];

      if (data->points != NULL && data->points->len > data->offset)
        last_ts = MAX (last_ts, g_array_index (data->points, TwPoint, data->points->len - 1).ts);
    }

  return last_ts;
}

/**
 * tw_chart_view_set_range:
 * @self: a chart view
 * @t_from: start of the visible range, µs UTC
 * @t_to: end of the visible range, µs UTC
 */
void
tw_chart_view_set_range (TwChartView *self,
                         gint64       t_from,
                         gint64       t_to)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  if (self->t_from == t_from && self->t_to == t_to)
    return;

  self->t_from = t_from;
  self->t_to = t_to;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
tw_chart_view_get_range (TwChartView *self,
                         gint64      *t_from,
                         gint64      *t_to)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  if (t_from != NULL)
    *t_from = self->t_from;
  if (t_to != NULL)
    *t_to = self->t_to;
}

/**
 * tw_chart_view_clear:
 * @self: a chart view
 *
 * Drops every series, e.g. on lock or when another patient is selected.
 */
void
tw_chart_view_clear (TwChartView *self)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  for (guint i = 0; i < N_SERIES; i++)
    tw_chart_view_take_series (self, series_metrics[i], NULL);
  tw_chart_view_set_highlight (self, 0, 0);
}

/**
 * tw_chart_view_set_highlight:
 * @self: a chart view
 * @t_from: start of the span to shade (an alert's evidence window), µs UTC
 * @t_to: its end; equal to @t_from for none
 *
 * Shades a span across every panel; cleared with the series.
 */
void
tw_chart_view_set_highlight (TwChartView *self,
                             gint64       t_from,
                             gint64       t_to)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  if (self->highlight_from == t_from && self->highlight_to == t_to)
    return;

  self->highlight_from = t_from;
  self->highlight_to = t_to;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  schedule_description_update (self);
}

gboolean
tw_chart_view_get_highlight (TwChartView *self,
                             gint64      *t_from,
                             gint64      *t_to)
{
  g_return_val_if_fail (TW_IS_CHART_VIEW (self), FALSE);

  if (t_from != NULL)
    *t_from = self->highlight_from;
  if (t_to != NULL)
    *t_to = self->highlight_to;

  return self->highlight_to > self->highlight_from;
}

/**
 * tw_chart_view_get_n_points:
 * @self: a chart view
 *
 * Returns: the number of samples the view holds, over all series
 */
guint
tw_chart_view_get_n_points (TwChartView *self)
{
  guint n = 0;

  g_return_val_if_fail (TW_IS_CHART_VIEW (self), 0);

  for (guint i = 0; i < N_SERIES; i++)
    if (self->series[i].points != NULL)
      n += self->series[i].points->len - self->series[i].offset;

  return n;
}

const char *
tw_chart_view_get_subject (TwChartView *self)
{
  g_return_val_if_fail (TW_IS_CHART_VIEW (self), NULL);

  return self->subject;
}

/**
 * tw_chart_view_set_subject:
 * @self: a chart view
 * @subject: (nullable): whose trends these are, for the accessible label
 */
void
tw_chart_view_set_subject (TwChartView *self,
                           const char  *subject)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  if (g_strcmp0 (self->subject, subject) == 0)
    return;

  g_free (self->subject);
  self->subject = g_strdup (subject);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBJECT]);
}

/**
 * tw_chart_view_dup_description:
 * @self: a chart view
 *
 * Returns: (transfer full): the text summary of what the chart shows
 */
char *
tw_chart_view_dup_description (TwChartView *self)
{
  TwChartPanel panels[N_PANELS];
  TwChartOptions options;

  g_return_val_if_fail (TW_IS_CHART_VIEW (self), NULL);

  build_options (self, &options);
  build_panels (self, panels);

  return tw_trend_chart_describe (&options, panels, N_PANELS);
}
