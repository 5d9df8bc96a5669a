#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <math.h>

#include "tw-chart-view.h"
#include "tw-metric.h"
#include "tw-news2.h"
#include "tw-time.h"

/*
 * TwChartView: a trend chart of one patient (vital signs, the NEWS2 score
 * or glucose). It owns the series (arrays of TwPoint handed over by the
 * page) and draws them with src/render, the same code that draws PNGs and
 * PDF reports, so the widget itself only builds the panel description,
 * follows the style and handles the pointer and the keyboard:
 *
 * - Ctrl+scroll and +/− zoom (around the pointer, or keeping "now" while
 *   live); scroll, drag and ←/→ pan; Home goes back to live.
 * - The visible range is a TwTimeRange that every chart of a patient view
 *   shares, so they zoom and pan together.
 * - When the range reaches beyond the raw points the chart holds, it reads
 *   per-column envelopes from the store's rollups on a worker thread at
 *   its pixel width (debounced), and until they arrive re-bins the last
 *   envelope to the new range so a drag never shows an empty chart.
 * - The pointer sets a crosshair; the renderer draws each line's value.
 */

#define MIN_WIDTH                 320
#define MIN_HEIGHT                160
#define NATURAL_WIDTH             720
#define NATURAL_HEIGHT            520
#define DEFAULT_RANGE_US          (10 * TW_USEC_PER_MIN)
#define MAX_PANELS                5
/* The crosshair shows a line's value only from a sample this close to it,
 * as a share of the visible span; further away it says "no data". */
#define CROSSHAIR_REACH           0.02
#define FOCUS_LINE_WIDTH          2.0
#define FOCUS_INSET               1.0

#include "tw-chart-view-private.h"

/* Systolic and diastolic share one axis; neither band fits both lines, so
 * that panel has none rather than a band that misleads for one of them. */
static const PanelSpec vitals_panels[] = {
  { N_("Heart rate"),       { 0 },    { NULL },                            1, TRUE,  BANDS_NONE, 0, 0 },
  { N_("SpO\u2082"),        { 1 },    { NULL },                            1, TRUE,  BANDS_NONE, 0, 0 },
  { N_("Blood pressure"),   { 2, 3 }, { N_("Systolic"), N_("Diastolic") }, 2, FALSE, BANDS_NONE, 0, 0 },
  { N_("Respiration rate"), { 4 },    { NULL },                            1, TRUE,  BANDS_NONE, 0, 0 },
  { N_("Temperature"),      { 5 },    { NULL },                            1, TRUE,  BANDS_NONE, 0, 0 },
};

#define NEWS2_AXIS_MAX   20.0
#define GLUCOSE_AXIS_MIN 40.0
#define GLUCOSE_AXIS_MAX 400.0

static const PanelSpec news2_panels[] = {
  { N_("NEWS2"), { 0 }, { NULL }, 1, FALSE, BANDS_NEWS2, 0, NEWS2_AXIS_MAX },
};

static const PanelSpec glucose_panels[] = {
  { N_("Glucose"), { 0 }, { NULL }, 1, FALSE, BANDS_GLUCOSE, GLUCOSE_AXIS_MIN, GLUCOSE_AXIS_MAX },
};

static const KindSpec kind_specs[] = {
  [TW_CHART_VIEW_VITALS] = {
    N_("Vital sign trends"), N_("Vital sign trends of %s"),
    { "hr", "spo2", "sbp", "dbp", "rr", "temp" }, 6,
    vitals_panels, G_N_ELEMENTS (vitals_panels), TRUE,
  },
  [TW_CHART_VIEW_NEWS2] = {
    N_("NEWS2 score history"), N_("NEWS2 score history of %s"),
    { "news2" }, 1,
    news2_panels, G_N_ELEMENTS (news2_panels), FALSE,
  },
  [TW_CHART_VIEW_GLUCOSE] = {
    N_("Glucose trend"), N_("Glucose trend of %s"),
    { "glucose" }, 1,
    glucose_panels, G_N_ELEMENTS (glucose_panels), TRUE,
  },
};

/* Score bands of the RCP chart: a total of 5–6 asks for an urgent
 * response, 7 or more for an emergency one. */
static const TwChartBand news2_bands[] = {
  { -INFINITY, TW_NEWS2_BAND_MEDIUM - 0.5, TW_CHART_BAND_NORMAL,  N_("Low 0–4") },
  { TW_NEWS2_BAND_MEDIUM - 0.5, TW_NEWS2_BAND_HIGH - 0.5, TW_CHART_BAND_CAUTION, N_("Medium 5–6") },
  { TW_NEWS2_BAND_HIGH - 0.5, INFINITY, TW_CHART_BAND_DANGER, N_("High 7+") },
};

/* The consensus glucose ranges (Battelino 2019), mg/dL. */
static const TwChartBand glucose_bands[] = {
  { -INFINITY, 54,  TW_CHART_BAND_DANGER,  NULL },
  { 54,        70,  TW_CHART_BAND_CAUTION, NULL },
  { 70,        180, TW_CHART_BAND_NORMAL,  N_("Target 70–180") },
  { 180,       250, TW_CHART_BAND_CAUTION, NULL },
  { 250, INFINITY,  TW_CHART_BAND_DANGER,  NULL },
};


G_DEFINE_FINAL_TYPE (TwChartView, tw_chart_view, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (TwChartViewKind, tw_chart_view_kind,
                    G_DEFINE_ENUM_VALUE (TW_CHART_VIEW_VITALS, "vitals"),
                    G_DEFINE_ENUM_VALUE (TW_CHART_VIEW_NEWS2, "news2"),
                    G_DEFINE_ENUM_VALUE (TW_CHART_VIEW_GLUCOSE, "glucose"))

enum {
  PROP_0,
  PROP_SUBJECT,
  PROP_N_POINTS,
  PROP_KIND,
  PROP_TIME_RANGE,
  PROP_CROSSHAIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const KindSpec *
tw_chart_view_kind_spec (TwChartView *self)
{
  return &kind_specs[self->kind];
}

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
series_from_metric (TwChartView *self,
                    const char  *metric)
{
  const KindSpec *spec = tw_chart_view_kind_spec (self);

  for (guint i = 0; i < spec->n_metrics; i++)
    if (g_strcmp0 (spec->metrics[i], metric) == 0)
      return (int) i;
  return -1;
}

/* The newest forecast time, or G_MININT64 without a forecast. */
static gint64
forecast_end (TwChartView *self)
{
  gint64 end = G_MININT64;

  for (guint i = 0; i < MAX_SERIES; i++)
    {
      GArray *forecast = self->series[i].forecast;

      if (forecast != NULL && forecast->len > 0)
        end = MAX (end, g_array_index (forecast, TwPoint, forecast->len - 1).ts);
    }

  return end;
}

/* The shared range, and while it is live, as far ahead as the forecast
 * reaches: a prediction drawn past the right edge would be no use. */
void
tw_chart_view_current_range (TwChartView *self,
               gint64      *t_from,
               gint64      *t_to)
{
  *t_from = tw_time_range_get_from (self->range);
  *t_to = tw_time_range_get_to (self->range);
  if (*t_to <= *t_from)
    {
      *t_to = tw_time_now ();
      *t_from = *t_to - DEFAULT_RANGE_US;
    }
  if (tw_time_range_get_live (self->range))
    *t_to = MAX (*t_to, forecast_end (self));
}

static void
build_options (TwChartView    *self,
               TwChartOptions *options)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();

  memset (options, 0, sizeof *options);
  tw_chart_view_current_range (self, &options->t_from, &options->t_to);
  options->dark = adw_style_manager_get_dark (style_manager);
  options->gap_us = 0;
  options->highlight_from = self->highlight_from;
  options->highlight_to = self->highlight_to;
  options->crosshair_ts = self->crosshair_ts;
  if (self->markers != NULL)
    {
      options->markers = (const TwChartMarker *) (gpointer) self->markers->data;
      options->n_markers = self->markers->len;
    }
}

static void
add_bands (TwChartPanel      *panel,
           const TwChartBand *bands,
           guint              n_bands)
{
  for (guint i = 0; i < n_bands && panel->n_bands < TW_CHART_MAX_BANDS; i++)
    {
      panel->bands[panel->n_bands] = bands[i];
      if (bands[i].label != NULL)
        panel->bands[panel->n_bands].label = g_dgettext (GETTEXT_PACKAGE, bands[i].label);
      panel->n_bands++;
    }
}

/* @envelopes: per series, NULL to draw the raw points. */
static guint
build_panels (TwChartView  *self,
              TwChartPanel *panels,
              TwM4        **envelopes)
{
  const KindSpec *kind = tw_chart_view_kind_spec (self);

  for (guint i = 0; i < kind->n_panels; i++)
    {
      const PanelSpec *spec = &kind->panels[i];
      const TwMetricInfo *info = tw_metric_lookup (kind->metrics[spec->series[0]]);
      TwChartPanel *panel = &panels[i];

      tw_chart_panel_init (panel);
      panel->title = g_dgettext (GETTEXT_PACKAGE, spec->title);
      panel->unit = display_unit (info != NULL ? info->unit : NULL);
      panel->digits = info != NULL ? info->digits : 0;
      if (spec->normal_band && info != NULL)
        {
          panel->normal_low = info->normal_low;
          panel->normal_high = info->normal_high;
        }
      if (spec->bands == BANDS_NEWS2)
        add_bands (panel, news2_bands, G_N_ELEMENTS (news2_bands));
      else if (spec->bands == BANDS_GLUCOSE)
        add_bands (panel, glucose_bands, G_N_ELEMENTS (glucose_bands));
      panel->fixed_low = spec->fixed_low;
      panel->fixed_high = spec->fixed_high;

      panel->n_lines = spec->n_lines;
      for (guint j = 0; j < spec->n_lines; j++)
        {
          int slot = spec->series[j];
          const SeriesData *data = &self->series[slot];
          const char *label = spec->line_labels[j];
          TwChartLine *line = &panel->lines[j];

          line->label = label != NULL ? g_dgettext (GETTEXT_PACKAGE, label) : panel->title;
          if (data->points != NULL && data->points->len > data->offset)
            {
              line->points = &g_array_index (data->points, TwPoint, data->offset);
              line->n_points = data->points->len - data->offset;
            }
          if (envelopes != NULL)
            line->envelope = envelopes[slot];
          if (data->forecast != NULL && data->forecast->len > 0)
            {
              line->forecast = (const TwPoint *) (gpointer) data->forecast->data;
              line->n_forecast = data->forecast->len;
            }
        }
    }

  return kind->n_panels;
}

/* Accessibility */

static void
update_accessible_label (TwChartView *self)
{
  const KindSpec *kind = tw_chart_view_kind_spec (self);
  g_autofree char *label = NULL;

  if (self->subject != NULL && self->subject[0] != '\0')
    {
      /* The format is one of kind_specs' "… of %s". */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      label = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, kind->accessible_name_of), self->subject);
#pragma GCC diagnostic pop
    }
  else
    label = g_strdup (g_dgettext (GETTEXT_PACKAGE, kind->accessible_name));

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

/* Drawing */

static void
draw_focus (TwChartView *self,
            cairo_t     *cr,
            int          width,
            int          height)
{
  GdkRGBA color;

  /* The accent blue of the GNOME palette, as a focus ring would draw. */
  gdk_rgba_parse (&color, "rgba(53,132,228,0.6)");
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_set_line_width (cr, FOCUS_LINE_WIDTH);
  cairo_rectangle (cr, FOCUS_INSET, FOCUS_INSET,
                   width - 2 * FOCUS_INSET, height - 2 * FOCUS_INSET);
  cairo_stroke (cr);
}

static void
tw_chart_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  TwChartView *self = TW_CHART_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  TwChartPanel panels[MAX_PANELS];
  TwM4 *envelopes[MAX_SERIES] = { NULL };
  gboolean owned = FALSE;
  TwChartOptions options;
  cairo_rectangle_t area;
  guint n_panels;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  build_options (self, &options);
  self->drew_envelopes = tw_chart_view_prepare_envelopes (self, envelopes, &owned);
  n_panels = build_panels (self, panels, self->drew_envelopes ? envelopes : NULL);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  tw_trend_chart_draw (cr, width, height, &options, panels, n_panels);
  if (tw_trend_chart_get_plot_area (cr, width, height, &options, panels, n_panels, 0, &area))
    {
      self->plot_x = area.x;
      self->plot_width = area.width;
    }
  if (gtk_widget_has_visible_focus (widget))
    draw_focus (self, cr, width, height);
  cairo_destroy (cr);

  tw_chart_view_free_envelopes (self, envelopes, owned);
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
  TwChartView *self = TW_CHART_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN_WIDTH;
      *natural = NATURAL_WIDTH;
    }
  else
    {
      *minimum = MIN_HEIGHT;
      *natural = self->kind == TW_CHART_VIEW_VITALS ? NATURAL_HEIGHT : NATURAL_HEIGHT / 2;
    }
}

static void
tw_chart_view_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  TwChartView *self = TW_CHART_VIEW (widget);

  /* A new width needs envelopes with as many columns. */
  if (tw_chart_view_needs_envelopes (self))
    tw_chart_view_schedule_envelopes (self);
}

static void
on_range_changed (TwChartView *self)
{
  if (self->crosshair_ts != 0 && self->pointer_inside)
    {
      gint64 t_from, t_to;
      gint64 ts = tw_chart_view_time_at_x (self, self->pointer_x);

      tw_chart_view_current_range (self, &t_from, &t_to);
      self->crosshair_ts = ts >= t_from && ts < t_to ? ts : 0;
    }

  if (tw_chart_view_needs_envelopes (self))
    tw_chart_view_schedule_envelopes (self);
  schedule_description_update (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* GObject */

static void
tw_chart_view_dispose (GObject *object)
{
  TwChartView *self = (TwChartView *)object;

  g_clear_handle_id (&self->description_source, g_source_remove);
  tw_chart_view_drop_envelopes (self);
  g_clear_pointer (&self->reader, tw_reader_unref);

  for (guint i = 0; i < MAX_SERIES; i++)
    {
      g_clear_pointer (&self->series[i].points, g_array_unref);
      g_clear_pointer (&self->series[i].forecast, g_array_unref);
    }

  if (self->range != NULL)
    g_clear_signal_handler (&self->range_changed_id, self->range);
  g_clear_object (&self->range);

  G_OBJECT_CLASS (tw_chart_view_parent_class)->dispose (object);
}

static void
tw_chart_view_finalize (GObject *object)
{
  TwChartView *self = (TwChartView *)object;

  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->entity_key, g_free);
  g_clear_pointer (&self->markers, g_array_unref);
  g_clear_pointer (&self->marker_labels, g_ptr_array_unref);

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
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_TIME_RANGE:
      g_value_set_object (value, self->range);
      break;
    case PROP_CROSSHAIR:
      g_value_set_int64 (value, self->crosshair_ts);
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
    case PROP_KIND:
      tw_chart_view_set_kind (self, g_value_get_enum (value));
      break;
    case PROP_TIME_RANGE:
      tw_chart_view_set_time_range (self, g_value_get_object (value));
      break;
    case PROP_CROSSHAIR:
      tw_chart_view_set_crosshair (self, g_value_get_int64 (value));
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
  widget_class->size_allocate = tw_chart_view_size_allocate;

  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_POINTS] =
    g_param_spec_uint ("n-points", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, TW_TYPE_CHART_VIEW_KIND, TW_CHART_VIEW_VITALS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME_RANGE] =
    g_param_spec_object ("time-range", NULL, NULL, TW_TYPE_TIME_RANGE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CROSSHAIR] =
    g_param_spec_int64 ("crosshair", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  tw_chart_view_class_init_input (widget_class);

  gtk_widget_class_set_css_name (widget_class, "chartview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tw_chart_view_init (TwChartView *self)
{
  self->kind = TW_CHART_VIEW_VITALS;
  self->loaded_from = G_MININT64;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  tw_chart_view_set_time_range (self, NULL);

  tw_chart_view_init_input (self);

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

/**
 * tw_chart_view_set_kind:
 * @self: a chart view
 * @kind: what it shows
 *
 * Set once, before data arrives: the series of another kind are dropped.
 */
void
tw_chart_view_set_kind (TwChartView     *self,
                        TwChartViewKind  kind)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));
  g_return_if_fail (kind <= TW_CHART_VIEW_GLUCOSE);

  if (self->kind == kind)
    return;

  tw_chart_view_drop_envelopes (self);
  for (guint i = 0; i < MAX_SERIES; i++)
    {
      g_clear_pointer (&self->series[i].points, g_array_unref);
      g_clear_pointer (&self->series[i].forecast, g_array_unref);
      self->series[i].offset = 0;
    }
  self->kind = kind;
  update_accessible_label (self);
  schedule_description_update (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
}

TwChartViewKind
tw_chart_view_get_kind (TwChartView *self)
{
  g_return_val_if_fail (TW_IS_CHART_VIEW (self), TW_CHART_VIEW_VITALS);

  return self->kind;
}

/**
 * tw_chart_view_set_time_range:
 * @self: a chart view
 * @range: (nullable): the range to share; %NULL gives the chart one of
 *   its own
 */
void
tw_chart_view_set_time_range (TwChartView *self,
                              TwTimeRange *range)
{
  g_autoptr(TwTimeRange) own = NULL;

  g_return_if_fail (TW_IS_CHART_VIEW (self));
  g_return_if_fail (range == NULL || TW_IS_TIME_RANGE (range));

  if (range != NULL && range == self->range)
    return;

  if (range == NULL)
    range = own = tw_time_range_new ();

  if (self->range != NULL)
    g_clear_signal_handler (&self->range_changed_id, self->range);
  g_set_object (&self->range, range);
  self->range_changed_id = g_signal_connect_object (range, "changed",
                                                    G_CALLBACK (on_range_changed), self,
                                                    G_CONNECT_SWAPPED);
  on_range_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_RANGE]);
}

/**
 * tw_chart_view_get_time_range:
 * @self: a chart view
 *
 * Returns: (transfer none): the range it shows
 */
TwTimeRange *
tw_chart_view_get_time_range (TwChartView *self)
{
  g_return_val_if_fail (TW_IS_CHART_VIEW (self), NULL);

  return self->range;
}

/**
 * tw_chart_view_set_source:
 * @self: a chart view
 * @reader: (nullable): the store's reader; %NULL: raw points only
 * @entity_key: (nullable): whose series
 */
void
tw_chart_view_set_source (TwChartView *self,
                          TwReader    *reader,
                          const char  *entity_key)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  if (self->reader == reader && g_strcmp0 (self->entity_key, entity_key) == 0)
    return;

  tw_chart_view_drop_envelopes (self);
  g_clear_pointer (&self->reader, tw_reader_unref);
  if (reader != NULL)
    self->reader = tw_reader_ref (reader);
  g_free (self->entity_key);
  self->entity_key = g_strdup (entity_key);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * tw_chart_view_set_loaded_from:
 * @self: a chart view
 * @from: the raw points held cover this time on (µs UTC); a range that
 *   starts earlier is drawn from the store's envelopes.
 *   %G_MININT64: the points are all there is.
 */
void
tw_chart_view_set_loaded_from (TwChartView *self,
                               gint64       from)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  if (self->loaded_from == from)
    return;

  self->loaded_from = from;
  on_range_changed (self);
}

/**
 * tw_chart_view_get_showing_envelopes:
 * @self: a chart view
 *
 * Returns: whether the last frame was drawn from the store's envelopes
 */
gboolean
tw_chart_view_get_showing_envelopes (TwChartView *self)
{
  g_return_val_if_fail (TW_IS_CHART_VIEW (self), FALSE);

  return self->drew_envelopes;
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

  slot = series_from_metric (self, metric);
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

  slot = series_from_metric (self, metric);
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
 * tw_chart_view_set_forecast:
 * @self: a chart view
 * @metric: the series the forecast continues ("glucose")
 * @points: (array length=n_points) (nullable): predicted values ahead of
 *   the last sample, drawn dashed; %NULL clears
 * @n_points: the number of @points
 */
void
tw_chart_view_set_forecast (TwChartView   *self,
                            const char    *metric,
                            const TwPoint *points,
                            guint          n_points)
{
  SeriesData *data;
  int slot;

  g_return_if_fail (TW_IS_CHART_VIEW (self));
  g_return_if_fail (metric != NULL);

  slot = series_from_metric (self, metric);
  if (slot < 0)
    return;

  data = &self->series[slot];
  g_clear_pointer (&data->forecast, g_array_unref);
  if (points != NULL && n_points > 0)
    {
      data->forecast = g_array_sized_new (FALSE, FALSE, sizeof (TwPoint), n_points);
      g_array_append_vals (data->forecast, points, n_points);
    }
  schedule_description_update (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * tw_chart_view_set_markers:
 * @self: a chart view
 * @markers: (array length=n_markers) (nullable): alerts to flag (copied)
 * @n_markers: how many
 */
void
tw_chart_view_set_markers (TwChartView         *self,
                           const TwChartMarker *markers,
                           guint                n_markers)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  g_clear_pointer (&self->markers, g_array_unref);
  g_clear_pointer (&self->marker_labels, g_ptr_array_unref);
  if (markers != NULL && n_markers > 0)
    {
      self->markers = g_array_sized_new (FALSE, FALSE, sizeof (TwChartMarker), n_markers);
      self->marker_labels = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < n_markers; i++)
        {
          TwChartMarker marker = markers[i];
          char *label = g_strdup (marker.label);

          g_ptr_array_add (self->marker_labels, label);
          marker.label = label;
          g_array_append_val (self->markers, marker);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
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

  for (guint i = 0; i < MAX_SERIES; i++)
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
 *
 * Moves the (shared) range; whether it is live does not change.
 */
void
tw_chart_view_set_range (TwChartView *self,
                         gint64       t_from,
                         gint64       t_to)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  tw_time_range_set (self->range, t_from, t_to);
}

void
tw_chart_view_get_range (TwChartView *self,
                         gint64      *t_from,
                         gint64      *t_to)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  if (t_from != NULL)
    *t_from = tw_time_range_get_from (self->range);
  if (t_to != NULL)
    *t_to = tw_time_range_get_to (self->range);
}

/**
 * tw_chart_view_set_crosshair:
 * @self: a chart view
 * @ts: where the crosshair stands (µs UTC), 0 for none
 */
void
tw_chart_view_set_crosshair (TwChartView *self,
                             gint64       ts)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  if (self->crosshair_ts == ts)
    return;

  self->crosshair_ts = ts;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CROSSHAIR]);
}

gint64
tw_chart_view_get_crosshair (TwChartView *self)
{
  g_return_val_if_fail (TW_IS_CHART_VIEW (self), 0);

  return self->crosshair_ts;
}

/* The sample nearest @ts within @reach, from the raw points. */
static gboolean
value_at (const SeriesData *data,
          gint64            ts,
          gint64            reach,
          double           *out)
{
  const TwPoint *points;
  guint n, i;
  gint64 best_distance = G_MAXINT64;

  if (data->points == NULL || data->points->len <= data->offset)
    return FALSE;

  points = &g_array_index (data->points, TwPoint, data->offset);
  n = data->points->len - data->offset;
  i = tw_m4_lower_bound (points, n, ts);

  for (guint j = i > 0 ? i - 1 : 0; j <= i && j < n; j++)
    {
      gint64 distance = ABS (points[j].ts - ts);

      if (distance <= reach && distance < best_distance)
        {
          best_distance = distance;
          *out = points[j].value;
        }
    }

  return best_distance != G_MAXINT64;
}

/* The column of the envelope that holds @ts: its last value. */
static gboolean
envelope_value_at (const TwM4 *envelope,
                   gint64      ts,
                   double     *out)
{
  guint column;

  if (envelope == NULL || ts < envelope->t_from || ts >= envelope->t_to || envelope->width == 0)
    return FALSE;

  column = (guint) ((double) (ts - envelope->t_from) / (envelope->t_to - envelope->t_from)
                    * envelope->width);
  column = MIN (column, envelope->width - 1);
  if (!envelope->columns[column].has_data)
    return FALSE;

  *out = envelope->columns[column].last;
  return TRUE;
}

/**
 * tw_chart_view_dup_crosshair_text:
 * @self: a chart view
 *
 * Returns: (transfer full) (nullable): what the crosshair shows, "14:02:10
 *   · Heart rate 72 /min · SpO₂ 97 %", or %NULL without a crosshair
 */
char *
tw_chart_view_dup_crosshair_text (TwChartView *self)
{
  TwChartPanel panels[MAX_PANELS];
  g_autoptr(GString) text = NULL;
  g_autofree char *time_text = NULL;
  gint64 t_from, t_to, reach;
  guint n_panels;

  g_return_val_if_fail (TW_IS_CHART_VIEW (self), NULL);

  if (self->crosshair_ts == 0)
    return NULL;

  tw_chart_view_current_range (self, &t_from, &t_to);
  reach = (gint64) ((t_to - t_from) * CROSSHAIR_REACH);
  n_panels = build_panels (self, panels, NULL);
  time_text = tw_time_format_local (self->crosshair_ts, "%H:%M:%S");
  text = g_string_new (time_text);

  for (guint i = 0; i < n_panels; i++)
    {
      const PanelSpec *spec = &tw_chart_view_kind_spec (self)->panels[i];

      for (guint j = 0; j < panels[i].n_lines; j++)
        {
          const SeriesData *data = &self->series[spec->series[j]];
          double value;
          gboolean found = value_at (data, self->crosshair_ts, reach, &value);

          if (!found && self->drew_envelopes)
            found = envelope_value_at (data->envelope, self->crosshair_ts, &value);

          g_string_append (text, " \u00b7 ");
          if (found)
            g_string_append_printf (text, "%s %.*f %s", panels[i].lines[j].label,
                                    panels[i].digits, value, panels[i].unit);
          else
            /* Translators: a chart line without a sample at the crosshair */
            g_string_append_printf (text, _("%s no data"), panels[i].lines[j].label);
          g_strchomp (text->str);
          g_string_set_size (text, strlen (text->str));
        }
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
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

  for (guint i = 0; i < tw_chart_view_kind_spec (self)->n_metrics; i++)
    {
      tw_chart_view_take_series (self, tw_chart_view_kind_spec (self)->metrics[i], NULL);
      tw_chart_view_set_forecast (self, tw_chart_view_kind_spec (self)->metrics[i], NULL, 0);
    }
  tw_chart_view_drop_envelopes (self);
  tw_chart_view_set_markers (self, NULL, 0);
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

  for (guint i = 0; i < MAX_SERIES; i++)
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
  TwChartPanel panels[MAX_PANELS];
  TwChartOptions options;
  guint n_panels;
  TwM4 *envelopes[MAX_SERIES] = { NULL };
  gboolean owned = FALSE;
  gboolean use_envelopes;
  char *description;

  g_return_val_if_fail (TW_IS_CHART_VIEW (self), NULL);

  build_options (self, &options);
  /* Zoomed out, the summary covers what the envelopes show, not only the
   * raw window. */
  use_envelopes = tw_chart_view_prepare_envelopes (self, envelopes, &owned);
  n_panels = build_panels (self, panels, use_envelopes ? envelopes : NULL);
  description = tw_trend_chart_describe (&options, panels, n_panels);
  tw_chart_view_free_envelopes (self, envelopes, owned);

  return description;
}
