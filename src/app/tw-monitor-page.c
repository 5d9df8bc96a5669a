#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "tw-admin-format.h"
#include "tw-chart-view.h"
#include "tw-connection-indicator.h"
#include "tw-error.h"
#include "tw-metric.h"
#include "tw-monitor-page.h"
#include "tw-monitor-query.h"
#include "tw-patient.h"
#include "tw-patient-row.h"
#include "tw-patient-view.h"
#include "tw-reader.h"
#include "tw-role.h"
#include "tw-time.h"

/*
 * TwMonitorPage: the signed-in view. It polls the pipeline's status
 * snapshot (cheap, never blocks), and when the store changed it runs one
 * query at a time in a GTask worker on a TwReader connection: the patient
 * list when entities changed, the selected patient's trend window and the
 * latest heart rates when samples arrived. The main thread only hands the
 * results to the widgets, so the window stays responsive while data flows.
 */

#define POLL_INTERVAL_MS      250
/* Live refreshes read only what is new, from a little before the newest
 * sample shown (late samples within it are still picked up); a full
 * re-read now and then catches anything later than that. */
#define INCREMENT_OVERLAP_US  (5 * TW_USEC_PER_SEC)
#define FULL_REFRESH_US       (30 * TW_USEC_PER_SEC)
/* Vital signs, NEWS2, record, glucose. */
#define N_PATIENT_VIEWS       4

struct _TwMonitorPage
{
  AdwBin                 parent_instance;

  /* Template widgets */
  AdwToastOverlay       *toast_overlay;
  AdwWindowTitle        *window_title;
  GtkButton             *back_button;
  GtkMenuButton         *menu_button;
  GtkButton             *admin_button;
  TwConnectionIndicator *indicator;
  AdwLeaflet            *leaflet;
  GtkWidget             *sidebar;
  GtkWidget             *content;
  GtkListBox            *patient_list;
  GtkStack              *content_stack;
  AdwStatusPage         *waiting_page;
  AdwStatusPage         *denied_page;
  TwPatientView         *patient_view;
  TwChartView           *chart_view;

  /* Borrowed, between start() and stop() */
  TwPipeline            *pipeline;

  /* Owned */
  GListStore            *patients;
  TwReader              *reader;
  GCancellable          *cancellable;
  char                  *selected_key;
  char                  *pending_key;
  char                  *last_error;
  char                  *sources_text;
  guint                  poll_source;
  guint                  header_source;
  guint                  trend_window_minutes;
  guint64                data_generation;
  guint64                entity_generation;
  guint64                alert_generation;
  gint64                 range_end;
  gint64                 last_full_refresh;
  gboolean               need_full_refresh;
  gboolean               can_browse;
  gboolean               have_status;
  gboolean               entities_dirty;
  gboolean               data_dirty;
  gboolean               query_in_flight;
  gboolean               updating_list;
  gboolean               live;
};

G_DEFINE_FINAL_TYPE (TwMonitorPage, tw_monitor_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_TREND_WINDOW_MINUTES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void maybe_start_query    (TwMonitorPage *self);
static void update_alert_markers (TwMonitorPage *self,
                                  gboolean       force);

/* Widgets */

static TwPatient *
find_patient (TwMonitorPage *self,
              const char    *key,
              guint         *out_position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->patients));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TwPatient) patient = g_list_model_get_item (G_LIST_MODEL (self->patients), i);

      if (g_strcmp0 (tw_patient_get_key (patient), key) == 0)
        {
          if (out_position != NULL)
            *out_position = i;
          return patient;
        }
    }

  return NULL;
}

/* The patient view's charts share one range: while it is live it follows
 * the newest data; once the user zoomed or panned away it stays put. */
static void
update_chart_range (TwMonitorPage *self)
{
  TwTimeRange *range = tw_patient_view_get_time_range (self->patient_view);
  gint64 window_us = (gint64) self->trend_window_minutes * TW_USEC_PER_MIN;
  gint64 end = self->range_end;

  if (self->live)
    end = MAX (end, tw_time_now ());

  if (tw_time_range_get_to (range) <= tw_time_range_get_from (range))
    tw_time_range_set (range, end - window_us, end);
  else
    tw_time_range_follow (range, end);
}

/* A new patient, or history that ended before the window: show the trend
 * window up to the newest data. */
static void
reset_chart_range (TwMonitorPage *self)
{
  TwTimeRange *range = tw_patient_view_get_time_range (self->patient_view);
  gint64 window_us = (gint64) self->trend_window_minutes * TW_USEC_PER_MIN;
  gint64 end = self->live ? MAX (self->range_end, tw_time_now ()) : self->range_end;

  tw_time_range_set_live (range, TRUE);
  tw_time_range_set (range, end - window_us, end);
}

static void
update_patient_header (TwMonitorPage *self)
{
  TwPatient *patient = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  const char *location;
  const char *mrn;

  if (self->selected_key != NULL)
    patient = find_patient (self, self->selected_key, NULL);

  if (patient == NULL)
    {
      tw_patient_view_set_patient (self->patient_view, NULL, NULL, NULL);
      return;
    }

  location = tw_patient_get_location (patient);
  mrn = tw_patient_get_mrn (patient);
  if (location != NULL && location[0] != '\0')
    g_string_append (subtitle, location);
  if (mrn != NULL && mrn[0] != '\0')
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " \u00b7 ");
      g_string_append (subtitle, mrn);
    }

  tw_patient_view_set_patient (self->patient_view, self->selected_key,
                               tw_patient_get_display_name (patient), subtitle->str);
}

static void
update_waiting_page (TwMonitorPage *self)
{
  g_autofree char *description = NULL;

  if (self->sources_text != NULL)
    description = g_strdup (self->sources_text);
  else if (self->have_status)
    description = g_strdup (_("No data source is configured. An administrator can add one by "
                              "starting Tidewatch with --connect ws://host:port/."));
  else
    description = g_strdup (_("Reading the store…"));

  if (g_strcmp0 (adw_status_page_get_description (self->waiting_page), description) != 0)
    adw_status_page_set_description (self->waiting_page, description);
}

static void
update_denied_page (TwMonitorPage *self,
                    TwRole         role)
{
  /* Translators: %s is a role, "Operator" */
  g_autofree char *description = g_strdup_printf (_("%s accounts see the patient list and the "
                                                    "connection state. Viewing trends needs a "
                                                    "clinician or analyst account."),
                                                  tw_role_to_label (role));

  adw_status_page_set_description (self->denied_page, description);
}

static void
update_content (TwMonitorPage *self)
{
  const char *name;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->patients)) == 0)
    name = "waiting";
  else if (!self->can_browse)
    name = "denied";
  else if (self->selected_key == NULL)
    name = "select";
  else
    name = "chart";

  update_waiting_page (self);
  gtk_stack_set_visible_child_name (self->content_stack, name);
}

static void
update_back_button (TwMonitorPage *self)
{
  gboolean show = adw_leaflet_get_folded (self->leaflet)
                  && adw_leaflet_get_visible_child (self->leaflet) == self->content;

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), show);
}

static void
select_key (TwMonitorPage *self,
            const char    *key)
{
  if (g_strcmp0 (self->selected_key, key) == 0)
    return;

  g_free (self->selected_key);
  self->selected_key = g_strdup (key);

  tw_chart_view_clear (self->chart_view);
  tw_chart_view_set_source (self->chart_view, self->can_browse ? self->reader : NULL, key);
  tw_chart_view_set_loaded_from (self->chart_view, G_MININT64);
  self->live = TRUE;
  self->need_full_refresh = TRUE;
  self->range_end = tw_time_now ();
  reset_chart_range (self);
  update_alert_markers (self, TRUE);
  update_patient_header (self);
  update_content (self);

  self->data_dirty = TRUE;
  maybe_start_query (self);
}

static void
select_row_for_key (TwMonitorPage *self,
                    const char    *key)
{
  guint position;

  if (key != NULL && find_patient (self, key, &position) != NULL)
    gtk_list_box_select_row (self->patient_list,
                             gtk_list_box_get_row_at_index (self->patient_list, (int) position));
  else
    gtk_list_box_unselect_all (self->patient_list);
}

static void
on_row_selected (TwMonitorPage *self,
                 GtkListBoxRow *row)
{
  if (self->updating_list)
    return;

  if (row == NULL)
    select_key (self, NULL);
  else
    select_key (self, tw_patient_get_key (tw_patient_row_get_patient (TW_PATIENT_ROW (row))));
}

static void
on_row_activated (TwMonitorPage *self,
                  GtkListBoxRow *row)
{
  /* Activating a row from the keyboard does not always select it. */
  gtk_list_box_select_row (self->patient_list, row);
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static gboolean
update_header_cb (gpointer user_data)
{
  TwMonitorPage *self = TW_MONITOR_PAGE (user_data);

  self->header_source = 0;
  update_back_button (self);
  tw_connection_indicator_set_compact (self->indicator, adw_leaflet_get_folded (self->leaflet));

  return G_SOURCE_REMOVE;
}

/* The leaflet folds while it is being allocated; changing the header bar
 * from there would resize it in the middle of a layout pass. */
static void
on_leaflet_changed (TwMonitorPage *self)
{
  if (self->header_source == 0)
    self->header_source = g_idle_add (update_header_cb, self);
}

static GtkWidget *
create_patient_row (gpointer item,
                    gpointer user_data)
{
  TwMonitorPage *self = TW_MONITOR_PAGE (user_data);

  return tw_patient_row_new (TW_PATIENT (item), self->can_browse);
}

static void
merge_entities (TwMonitorPage *self,
                GPtrArray     *entities)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->patients));
  gboolean same = n_old == entities->len;

  for (guint i = 0; i < entities->len; i++)
    {
      const TwEntityRow *row = g_ptr_array_index (entities, i);
      guint position = 0;
      TwPatient *patient = find_patient (self, row->key, &position);

      if (patient == NULL)
        patient = tw_patient_new (row->key);
      else
        g_object_ref (patient);

      same = same && position == i;

      tw_patient_set_display_name (patient, row->display_name);
      tw_patient_set_location (patient, row->location);
      tw_patient_set_mrn (patient, row->mrn);
      g_ptr_array_add (items, patient);
    }

  if (!same)
    {
      /* Rows are rebuilt; keep the selection across the rebuild. */
      self->updating_list = TRUE;
      g_list_store_splice (self->patients, 0, n_old, items->pdata, items->len);
      select_row_for_key (self, self->selected_key);
      self->updating_list = FALSE;

      if (self->selected_key != NULL && find_patient (self, self->selected_key, NULL) == NULL)
        select_key (self, NULL);
    }

  /* A patient asked for (a ward tile) before the list held it. */
  if (self->pending_key != NULL && find_patient (self, self->pending_key, NULL) != NULL)
    {
      g_autofree char *key = g_steal_pointer (&self->pending_key);

      select_row_for_key (self, key);
    }

  /* The first patient is shown without a click: the common case is one
   * bed, and an empty chart area tells nobody anything. */
  if (self->selected_key == NULL && items->len > 0 && self->can_browse)
    select_row_for_key (self, tw_patient_get_key (g_ptr_array_index (items, 0)));

  update_patient_header (self);
  update_content (self);
}

static void
apply_heart_rates (TwMonitorPage  *self,
                   TwMonitorQuery *query)
{
  guint n;

  if (query->heart_rates == NULL || query->keys == NULL)
    return;

  n = MIN (query->heart_rates->len, g_strv_length (query->keys));
  for (guint i = 0; i < n; i++)
    {
      TwPatient *patient = find_patient (self, query->keys[i], NULL);

      if (patient != NULL)
        tw_patient_set_heart_rate (patient, g_array_index (query->heart_rates, double, i));
    }
}

static void
apply_series (TwMonitorPage  *self,
              TwMonitorQuery *query)
{
  const TwMetricInfo *metrics;
  guint n_metrics = 0;

  if (query->series == NULL || g_strcmp0 (query->entity_key, self->selected_key) != 0)
    return;

  metrics = tw_metric_get_vitals (&n_metrics);
  for (guint i = 0; i < n_metrics && i < query->series->len; i++)
    {
      GArray *points = g_ptr_array_index (query->series, i);

      if (query->incremental)
        tw_chart_view_append_series (self->chart_view, metrics[i].code,
                                     (const TwPoint *) (gpointer) points->data, points->len,
                                     query->range_end - query->window_us);
      else
        tw_chart_view_take_series (self->chart_view, metrics[i].code, g_array_ref (points));
    }

  /* Raw samples cover the trend window; a wider range is drawn from the
   * store's envelopes. */
  tw_chart_view_set_loaded_from (self->chart_view, query->range_end - query->window_us);

  if (!query->incremental && self->live != query->live)
    {
      self->live = query->live;
      self->range_end = query->range_end;
      reset_chart_range (self);
      if (!self->live)
        tw_time_range_set_live (tw_patient_view_get_time_range (self->patient_view), FALSE);
    }
  self->live = query->live;
  self->range_end = query->range_end;
  update_chart_range (self);
  tw_patient_view_refresh (self->patient_view);
}

static void
show_error_once (TwMonitorPage *self,
                 const char    *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  tw_monitor_page_add_toast (self, message);
}

static void
query_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TwMonitorPage *self = TW_MONITOR_PAGE (object);
  GTask *task = G_TASK (result);
  TwMonitorQuery *query = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* A query of a session that has been locked since: drop it unseen. */
  if (!g_task_propagate_boolean (task, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_cancellable_is_cancelled (query->cancellable))
    return;

  self->query_in_flight = FALSE;

  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the store: %s"), error->message);

      show_error_once (self, message);
      return;
    }

  g_clear_pointer (&self->last_error, g_free);

  if (query->entities != NULL)
    merge_entities (self, query->entities);
  apply_heart_rates (self, query);
  apply_series (self, query);

  maybe_start_query (self);
}

static GStrv
current_keys (TwMonitorPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->patients));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TwPatient) patient = g_list_model_get_item (G_LIST_MODEL (self->patients), i);
      g_strv_builder_add (builder, tw_patient_get_key (patient));
    }

  return g_strv_builder_end (builder);
}

/* At most one query runs; requests that arrive meanwhile set the dirty
 * flags and are served together when it finishes or at the next poll. */
static void
maybe_start_query (TwMonitorPage *self)
{
  g_autoptr(GTask) task = NULL;
  TwMonitorQuery *query;

  if (self->reader == NULL || self->query_in_flight)
    return;
  if (!self->entities_dirty && !self->data_dirty)
    return;

  query = g_new0 (TwMonitorQuery, 1);
  query->reader = tw_reader_ref (self->reader);
  query->cancellable = g_object_ref (self->cancellable);
  query->list_entities = self->entities_dirty;
  query->read_heart_rates = self->can_browse;
  query->keys = current_keys (self);
  query->entity_key = self->can_browse ? g_strdup (self->selected_key) : NULL;
  query->window_us = (gint64) self->trend_window_minutes * TW_USEC_PER_MIN;
  query->now = tw_time_now ();

  if (query->entity_key != NULL)
    {
      gint64 last_ts = tw_chart_view_get_last_ts (self->chart_view);

      query->incremental = self->live
                           && !self->need_full_refresh
                           && last_ts != G_MININT64
                           && query->now - self->last_full_refresh < FULL_REFRESH_US;
      query->since = last_ts - INCREMENT_OVERLAP_US;
      if (!query->incremental)
        {
          self->need_full_refresh = FALSE;
          self->last_full_refresh = query->now;
        }
    }

  self->entities_dirty = FALSE;
  self->data_dirty = FALSE;
  self->query_in_flight = TRUE;

  task = g_task_new (self, self->cancellable, query_done_cb, NULL);
  g_task_set_source_tag (task, maybe_start_query);
  g_task_set_task_data (task, query, tw_monitor_query_free);
  g_task_run_in_thread (task, tw_monitor_query_run);
}

/* What the waiting page says about the sources: where data should come
 * from, or why it does not. */
static char *
describe_sources (const TwPipelineStatus *status)
{
  g_autoptr(GString) urls = g_string_new (NULL);
  g_autoptr(GString) unreachable = g_string_new (NULL);
  g_autofree char *error = NULL;
  g_autofree char *shown = NULL;
  gboolean connected = FALSE;

  for (guint i = 0; status->sources != NULL && i < status->sources->len; i++)
    {
      const TwSourceStatus *source = g_ptr_array_index (status->sources, i);

      if (source->url == NULL)
        continue;

      /* A broker address may hold a password: never show it. */
      g_free (shown);
      shown = tw_source_url_redact (source->url);

      if (urls->len > 0)
        g_string_append (urls, ", ");
      g_string_append (urls, shown);

      if (source->state == TW_SOURCE_STATE_CONNECTED)
        connected = TRUE;
      if (source->state == TW_SOURCE_STATE_RECONNECTING && source->last_error != NULL)
        {
          if (unreachable->len > 0)
            g_string_append (unreachable, ", ");
          g_string_append (unreachable, shown);
          g_free (error);
          error = tw_redact_message (source->last_error, source->url);
        }
    }

  if (urls->len == 0)
    return NULL;

  if (!connected && unreachable->len > 0)
    return g_strdup_printf (_("Cannot reach %s\n%s"), unreachable->str, error);

  return g_strdup_printf (_("Waiting for data from %s"), urls->str);
}

static void
update_sources_text (TwMonitorPage          *self,
                     const TwPipelineStatus *status)
{
  g_autofree char *text = describe_sources (status);

  if (g_strcmp0 (self->sources_text, text) != 0)
    {
      g_free (self->sources_text);
      self->sources_text = g_steal_pointer (&text);
      update_waiting_page (self);
    }
}

/* The selected patient's open alerts as flags on the vital signs chart,
 * at the start of the samples that raised each one. */
static void
update_alert_markers (TwMonitorPage *self,
                      gboolean       force)
{
  g_autoptr(TwAlertSnapshot) snapshot = NULL;
  g_autoptr(GArray) markers = g_array_new (FALSE, FALSE, sizeof (TwChartMarker));

  if (self->pipeline == NULL || self->selected_key == NULL || !self->can_browse)
    return;

  snapshot = tw_pipeline_get_alerts (self->pipeline);
  if (snapshot == NULL || (!force && snapshot->generation == self->alert_generation))
    return;
  self->alert_generation = snapshot->generation;

  for (guint i = 0; snapshot->alerts != NULL && i < snapshot->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (snapshot->alerts, i);
      TwChartMarker marker = { 0 };

      if (g_strcmp0 (alert->entity_key, self->selected_key) != 0)
        continue;

      marker.ts = alert->evidence_from_ts > 0 ? alert->evidence_from_ts : alert->raised_us;
      marker.priority = alert->priority;
      marker.label = alert->message;
      g_array_append_val (markers, marker);
    }

  tw_chart_view_set_markers (self->chart_view, (const TwChartMarker *) (gpointer) markers->data,
                             markers->len);
}

static void
poll_status (TwMonitorPage *self)
{
  g_autoptr(TwPipelineStatus) status = NULL;

  if (self->pipeline == NULL)
    return;

  status = tw_pipeline_get_status (self->pipeline);
  if (status == NULL)
    return;

  tw_connection_indicator_update (self->indicator, status);

  if (!self->have_status || status->entity_generation != self->entity_generation)
    self->entities_dirty = TRUE;
  if (!self->have_status || status->data_generation != self->data_generation)
    self->data_dirty = TRUE;

  self->entity_generation = status->entity_generation;
  self->data_generation = status->data_generation;
  self->have_status = TRUE;

  update_sources_text (self, status);
  update_alert_markers (self, FALSE);

  if (self->live && self->selected_key != NULL)
    update_chart_range (self);

  maybe_start_query (self);
}

static gboolean
poll_cb (gpointer user_data)
{
  poll_status (TW_MONITOR_PAGE (user_data));

  return G_SOURCE_CONTINUE;
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwMonitorPage *self = TW_MONITOR_PAGE (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* The patient view's tab shortcuts (Alt+1…4, Ctrl+Page Up/Down) also
 * work with the focus in the patient list. */
static void
view_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwMonitorPage *self = TW_MONITOR_PAGE (widget);
  const char *patient_action = g_str_equal (action_name, "monitor.next-view") ? "patient.next-view"
                               : g_str_equal (action_name, "monitor.previous-view")
                                 ? "patient.previous-view" : "patient.show-view";

  if (self->selected_key == NULL || !self->can_browse)
    return;

  if (parameter != NULL)
    gtk_widget_activate_action_variant (GTK_WIDGET (self->patient_view), patient_action, parameter);
  else
    gtk_widget_activate_action (GTK_WIDGET (self->patient_view), patient_action, NULL);
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static void
tw_monitor_page_dispose (GObject *object)
{
  TwMonitorPage *self = (TwMonitorPage *)object;

  tw_monitor_page_stop (self);
  g_clear_handle_id (&self->header_source, g_source_remove);

  G_OBJECT_CLASS (tw_monitor_page_parent_class)->dispose (object);
}

static void
tw_monitor_page_finalize (GObject *object)
{
  TwMonitorPage *self = (TwMonitorPage *)object;

  g_clear_object (&self->patients);
  g_clear_pointer (&self->selected_key, g_free);
  g_clear_pointer (&self->pending_key, g_free);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->sources_text, g_free);

  G_OBJECT_CLASS (tw_monitor_page_parent_class)->finalize (object);
}

static void
tw_monitor_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TwMonitorPage *self = TW_MONITOR_PAGE (object);

  switch (prop_id)
    {
    case PROP_TREND_WINDOW_MINUTES:
      g_value_set_uint (value, self->trend_window_minutes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_monitor_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TwMonitorPage *self = TW_MONITOR_PAGE (object);

  switch (prop_id)
    {
    case PROP_TREND_WINDOW_MINUTES:
      tw_monitor_page_set_trend_window_minutes (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_monitor_page_class_init (TwMonitorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_monitor_page_dispose;
  object_class->finalize = tw_monitor_page_finalize;
  object_class->get_property = tw_monitor_page_get_property;
  object_class->set_property = tw_monitor_page_set_property;

  properties[PROP_TREND_WINDOW_MINUTES] =
    g_param_spec_uint ("trend-window-minutes", NULL, NULL, 1, G_MAXUINT / 2, 10,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TW_TYPE_CHART_VIEW);
  g_type_ensure (TW_TYPE_PATIENT_VIEW);
  g_type_ensure (TW_TYPE_CONNECTION_INDICATOR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-monitor-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, menu_button);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, admin_button);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, indicator);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, sidebar);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, content);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, patient_list);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, waiting_page);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, denied_page);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, patient_view);
  gtk_widget_class_bind_template_child (widget_class, TwMonitorPage, chart_view);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_changed);

  gtk_widget_class_install_action (widget_class, "monitor.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "monitor.back", NULL);

  gtk_widget_class_install_action (widget_class, "monitor.next-view", NULL, view_action);
  gtk_widget_class_install_action (widget_class, "monitor.previous-view", NULL, view_action);
  gtk_widget_class_install_action (widget_class, "monitor.show-view", "i", view_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK,
                                       "monitor.next-view", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK,
                                       "monitor.previous-view", NULL);
  for (guint i = 0; i < N_PATIENT_VIEWS; i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "monitor.show-view", "i", (gint32) i);
}

static void
tw_monitor_page_init (TwMonitorPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->trend_window_minutes = 10;
  self->live = TRUE;
  self->patients = g_list_store_new (TW_TYPE_PATIENT);
  gtk_list_box_bind_model (self->patient_list, G_LIST_MODEL (self->patients),
                           create_patient_row, self, NULL);

  tw_connection_indicator_reset (self->indicator);
  update_back_button (self);
  update_content (self);
}

/**
 * tw_monitor_page_start:
 * @self: the page
 * @session: the signed-in session; only read here (the page keeps a
 *   reader with its own copy of the key)
 * @pipeline: the running pipeline; borrowed until tw_monitor_page_stop()
 *
 * Shows the session's user and starts following the pipeline.
 */
void
tw_monitor_page_start (TwMonitorPage *self,
                       TwSession     *session,
                       TwPipeline    *pipeline)
{
  g_autofree char *subtitle = NULL;

  g_return_if_fail (TW_IS_MONITOR_PAGE (self));
  g_return_if_fail (session != NULL);

  tw_monitor_page_stop (self);

  self->pipeline = pipeline;
  self->reader = tw_reader_new (session);
  self->cancellable = g_cancellable_new ();
  self->can_browse = tw_session_can (session, TW_PERM_BROWSE_TRENDS);
  /* Operators see no trends: the patient view reads nothing for them. */
  tw_patient_view_set_reader (self->patient_view, self->can_browse ? self->reader : NULL);
  self->entities_dirty = TRUE;
  self->data_dirty = TRUE;
  self->have_status = FALSE;
  self->live = TRUE;
  self->need_full_refresh = TRUE;
  self->range_end = tw_time_now ();

  /* Translators: the signed-in user and their role, "ana · Administrator" */
  subtitle = g_strdup_printf (_("%s \u00b7 %s"), tw_session_get_user (session),
                              tw_role_to_label (tw_session_get_role (session)));
  adw_window_title_set_subtitle (self->window_title, subtitle);

  update_denied_page (self, tw_session_get_role (session));
  update_content (self);
  gtk_widget_set_visible (GTK_WIDGET (self->admin_button),
                          tw_session_can (session, TW_PERM_MANAGE_SOURCES));

  if (self->pipeline != NULL)
    {
      poll_status (self);
      self->poll_source = g_timeout_add (POLL_INTERVAL_MS, poll_cb, self);
    }
  else
    {
      maybe_start_query (self);
    }
}

/**
 * tw_monitor_page_stop:
 * @self: the page
 *
 * Forgets everything the session showed: queries in flight are dropped,
 * the list and the chart are cleared. Call it before the pipeline is freed.
 */
void
tw_monitor_page_stop (TwMonitorPage *self)
{
  g_return_if_fail (TW_IS_MONITOR_PAGE (self));

  g_clear_handle_id (&self->poll_source, g_source_remove);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, tw_reader_unref);
  self->pipeline = NULL;
  self->query_in_flight = FALSE;
  self->entities_dirty = FALSE;
  self->data_dirty = FALSE;
  self->have_status = FALSE;
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->sources_text, g_free);

  if (self->patients != NULL)
    {
      self->updating_list = TRUE;
      g_list_store_remove_all (self->patients);
      self->updating_list = FALSE;
    }
  g_clear_pointer (&self->selected_key, g_free);
  g_clear_pointer (&self->pending_key, g_free);

  if (self->chart_view != NULL)
    {
      tw_chart_view_clear (self->chart_view);
      tw_chart_view_set_source (self->chart_view, NULL, NULL);
      tw_chart_view_set_subject (self->chart_view, NULL);
    }
  if (self->patient_view != NULL)
    tw_patient_view_set_reader (self->patient_view, NULL);
  if (self->indicator != NULL)
    tw_connection_indicator_reset (self->indicator);
  if (self->window_title != NULL)
    adw_window_title_set_subtitle (self->window_title, "");
  if (self->admin_button != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->admin_button), FALSE);
  if (self->leaflet != NULL)
    adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

/**
 * tw_monitor_page_set_pipeline:
 * @self: the page, started
 * @pipeline: (nullable): the pipeline now running, or %NULL while the
 *   window restarts it; borrowed until the next call or stop()
 */
void
tw_monitor_page_set_pipeline (TwMonitorPage *self,
                              TwPipeline    *pipeline)
{
  g_return_if_fail (TW_IS_MONITOR_PAGE (self));

  if (self->reader == NULL)
    return;

  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->pipeline = pipeline;
  /* A new pipeline counts its generations from zero: read everything. */
  self->have_status = FALSE;

  if (pipeline == NULL)
    {
      tw_connection_indicator_reset (self->indicator);
      return;
    }

  poll_status (self);
  self->poll_source = g_timeout_add (POLL_INTERVAL_MS, poll_cb, self);
}

/**
 * tw_monitor_page_add_toast:
 * @self: the page
 * @message: plain text
 */
void
tw_monitor_page_add_toast (TwMonitorPage *self,
                           const char    *message)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (TW_IS_MONITOR_PAGE (self));
  g_return_if_fail (message != NULL);

  escaped = g_markup_escape_text (message, -1);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

/* An alert's evidence older than the visible range: stop following live
 * and centre the range on it, at least three times as wide, so the shaded
 * span is seen with what came before and after. */
static void
show_span (TwMonitorPage *self,
           gint64         from,
           gint64         to)
{
  TwTimeRange *range = tw_patient_view_get_time_range (self->patient_view);
  gint64 span = tw_time_range_get_span (range);
  gint64 middle = from + (to - from) / 2;

  if (to <= from || (from >= tw_time_range_get_from (range) && to <= tw_time_range_get_to (range)))
    return;

  span = MAX (span, 3 * (to - from));
  tw_time_range_set_live (range, FALSE);
  tw_time_range_set (range, middle - span / 2, middle - span / 2 + span);
}

/* Opens @key's trend with @from..@to (an alert's evidence window) shaded.
 * FALSE when the role may not browse trends or @key is not listed. */
gboolean
tw_monitor_page_show_trend (TwMonitorPage *self,
                            const char    *key,
                            gint64         from,
                            gint64         to)
{
  g_return_val_if_fail (TW_IS_MONITOR_PAGE (self), FALSE);

  if (!self->can_browse || key == NULL || find_patient (self, key, NULL) == NULL)
    return FALSE;

  select_row_for_key (self, key);
  adw_leaflet_set_visible_child (self->leaflet, self->content);
  tw_patient_view_set_visible_view (self->patient_view, "vitals");
  tw_chart_view_set_highlight (self->chart_view, from, to);
  show_span (self, from, to);
  return TRUE;
}

/**
 * tw_monitor_page_show_patient:
 * @self: the page
 * @key: an entity key (a ward tile's patient)
 *
 * Selects @key and shows its patient view (the content pane, also when
 * the leaflet is folded). A key the list does not hold yet is selected
 * as soon as the list has it.
 */
void
tw_monitor_page_show_patient (TwMonitorPage *self,
                              const char    *key)
{
  g_return_if_fail (TW_IS_MONITOR_PAGE (self));
  g_return_if_fail (key != NULL);

  g_free (self->pending_key);
  self->pending_key = NULL;

  if (find_patient (self, key, NULL) != NULL)
    select_row_for_key (self, key);
  else
    self->pending_key = g_strdup (key);

  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

guint
tw_monitor_page_get_n_patients (TwMonitorPage *self)
{
  g_return_val_if_fail (TW_IS_MONITOR_PAGE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->patients));
}

const char *
tw_monitor_page_get_selected_key (TwMonitorPage *self)
{
  g_return_val_if_fail (TW_IS_MONITOR_PAGE (self), NULL);

  return self->selected_key;
}

guint
tw_monitor_page_get_trend_window_minutes (TwMonitorPage *self)
{
  g_return_val_if_fail (TW_IS_MONITOR_PAGE (self), 0);

  return self->trend_window_minutes;
}

void
tw_monitor_page_set_trend_window_minutes (TwMonitorPage *self,
                                          guint          minutes)
{
  g_return_if_fail (TW_IS_MONITOR_PAGE (self));

  minutes = MAX (minutes, 1);
  if (self->trend_window_minutes == minutes)
    return;

  self->trend_window_minutes = minutes;
  self->need_full_refresh = TRUE;
  if (tw_time_range_get_live (tw_patient_view_get_time_range (self->patient_view)))
    reset_chart_range (self);
  self->data_dirty = TRUE;
  maybe_start_query (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TREND_WINDOW_MINUTES]);
}
