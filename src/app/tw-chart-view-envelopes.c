#include "config.h"

#include <math.h>

#include "tw-chart-view-private.h"
#include "tw-store-envelope.h"

/*
 * TwChartView's envelopes: when the visible range reaches beyond the raw
 * points the chart holds (zoomed out, panned into the past), each series
 * is read from the store's rollups as a per-column envelope at the
 * widget's pixel width, on a worker thread, one read at a time and
 * debounced. Until a read returns, the last envelope is re-binned to the
 * new range, so a drag shows what overlaps at once.
 */

gboolean
tw_chart_view_needs_envelopes (TwChartView *self)
{
  gint64 t_from, t_to;

  if (self->reader == NULL || self->entity_key == NULL || !tw_chart_view_kind_spec (self)->stored)
    return FALSE;

  tw_chart_view_current_range (self, &t_from, &t_to);
  return t_from < self->loaded_from;
}

static guint
envelope_width_for (TwChartView *self)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double width = self->plot_width > 0 ? self->plot_width : gtk_widget_get_width (GTK_WIDGET (self));

  return (guint) MAX (1, ceil (width * scale));
}

/* The stored envelope shown for another range: each old column is a
 * bucket that goes to the new column holding its first sample, so what
 * overlaps shows at once and the rest fills in when the read returns. */
static TwM4 *
rebin_envelope (const TwM4 *old,
                gint64      t_from,
                gint64      t_to,
                guint       width)
{
  g_autoptr(GArray) buckets = g_array_new (FALSE, FALSE, sizeof (TwM4Column));

  for (guint i = 0; i < old->width; i++)
    {
      const TwM4Column *column = &old->columns[i];

      if (column->has_data && column->first_ts >= t_from && column->first_ts < t_to)
        g_array_append_val (buckets, *column);
    }

  return tw_m4_new_from_aggregates ((const TwM4Column *) (gpointer) buckets->data, buckets->len,
                                    NULL, NULL, t_from, t_to, width);
}

/* Fills @out (per series) with envelopes for the visible range, new ones
 * the caller frees when they are not the stored ones. */
gboolean
tw_chart_view_prepare_envelopes (TwChartView *self,
                   TwM4       **out,
                   gboolean    *out_owned)
{
  gint64 t_from, t_to;
  guint width;
  gboolean any = FALSE;

  *out_owned = FALSE;
  if (!tw_chart_view_needs_envelopes (self))
    return FALSE;

  tw_chart_view_current_range (self, &t_from, &t_to);
  width = envelope_width_for (self);

  if (t_from != self->envelope_from || t_to != self->envelope_to || width != self->envelope_width)
    tw_chart_view_schedule_envelopes (self);

  for (guint i = 0; i < tw_chart_view_kind_spec (self)->n_metrics; i++)
    {
      TwM4 *envelope = self->series[i].envelope;

      if (envelope == NULL)
        continue;
      any = TRUE;
      if (t_from == self->envelope_from && t_to == self->envelope_to)
        out[i] = envelope;
      else
        {
          out[i] = rebin_envelope (envelope, t_from, t_to, width);
          *out_owned = TRUE;
        }
    }

  return any;
}

void
tw_chart_view_free_envelopes (TwChartView *self,
               TwM4       **envelopes,
               gboolean     owned)
{
  if (!owned)
    return;

  for (guint i = 0; i < MAX_SERIES; i++)
    if (envelopes[i] != NULL && envelopes[i] != self->series[i].envelope)
      tw_m4_free (envelopes[i]);
}

typedef struct
{
  TwReader *reader;
  char     *entity_key;
  GStrv     metrics;
  gint64    t_from;
  gint64    t_to;
  guint     width;
  guint     generation;
  TwM4     *results[MAX_SERIES];
} EnvelopeRequest;

static void
envelope_request_free (gpointer data)
{
  EnvelopeRequest *request = data;

  g_clear_pointer (&request->reader, tw_reader_unref);
  g_free (request->entity_key);
  g_strfreev (request->metrics);
  for (guint i = 0; i < MAX_SERIES; i++)
    g_clear_pointer (&request->results[i], tw_m4_free);
  g_free (request);
}

static void
read_envelopes_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  EnvelopeRequest *request = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store;

  store = tw_reader_lock (request->reader, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; request->metrics[i] != NULL && i < MAX_SERIES; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      request->results[i] = tw_store_read_envelope (store, request->entity_key,
                                                    request->metrics[i], request->t_from,
                                                    request->t_to, request->width, NULL, &error);
      if (request->results[i] == NULL && error != NULL)
        break;
    }

  tw_reader_unlock (request->reader);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
envelopes_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  EnvelopeRequest *request = g_task_get_task_data (G_TASK (result));
  TwChartView *self;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Chart envelopes could not be read: %s", error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    }

  self = TW_CHART_VIEW (object);
  self->envelope_in_flight = FALSE;

  if (request->generation == self->envelope_generation && error == NULL)
    {
      for (guint i = 0; i < MAX_SERIES; i++)
        {
          g_clear_pointer (&self->series[i].envelope, tw_m4_free);
          self->series[i].envelope = g_steal_pointer (&request->results[i]);
        }
      self->envelope_from = request->t_from;
      self->envelope_to = request->t_to;
      self->envelope_width = request->width;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }

  if (self->envelope_again)
    {
      self->envelope_again = FALSE;
      tw_chart_view_schedule_envelopes (self);
    }
}

static gboolean
request_envelopes_cb (gpointer user_data)
{
  TwChartView *self = TW_CHART_VIEW (user_data);
  const KindSpec *kind = tw_chart_view_kind_spec (self);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GStrvBuilder) metrics = g_strv_builder_new ();
  EnvelopeRequest *request;

  self->envelope_source = 0;
  if (!tw_chart_view_needs_envelopes (self))
    return G_SOURCE_REMOVE;

  /* One read at a time; the newest range is read when it returns. */
  if (self->envelope_in_flight)
    {
      self->envelope_again = TRUE;
      return G_SOURCE_REMOVE;
    }

  for (guint i = 0; i < kind->n_metrics; i++)
    g_strv_builder_add (metrics, kind->metrics[i]);

  request = g_new0 (EnvelopeRequest, 1);
  request->reader = tw_reader_ref (self->reader);
  request->entity_key = g_strdup (self->entity_key);
  request->metrics = g_strv_builder_end (metrics);
  tw_chart_view_current_range (self, &request->t_from, &request->t_to);
  request->width = envelope_width_for (self);
  request->generation = ++self->envelope_generation;

  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();

  self->envelope_in_flight = TRUE;
  task = g_task_new (self, self->cancellable, envelopes_done_cb, NULL);
  g_task_set_source_tag (task, request_envelopes_cb);
  g_task_set_task_data (task, request, envelope_request_free);
  g_task_run_in_thread (task, read_envelopes_thread);

  return G_SOURCE_REMOVE;
}

/* Debounced: a drag or a run of scroll steps reads once, after it pauses;
 * a live range that moves every poll reads at most once a second. */
void
tw_chart_view_schedule_envelopes (TwChartView *self)
{
  guint delay = tw_time_range_get_live (self->range) ? ENVELOPE_LIVE_INTERVAL_MS
                                                     : ENVELOPE_DEBOUNCE_MS;

  if (self->reader == NULL)
    return;

  if (self->envelope_source != 0)
    {
      if (tw_time_range_get_live (self->range))
        return;
      g_source_remove (self->envelope_source);
    }

  self->envelope_source = g_timeout_add (delay, request_envelopes_cb, self);
}

void
tw_chart_view_drop_envelopes (TwChartView *self)
{
  g_clear_handle_id (&self->envelope_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->envelope_in_flight = FALSE;
  self->envelope_again = FALSE;
  self->envelope_generation++;
  self->envelope_from = self->envelope_to = 0;
  self->envelope_width = 0;
  for (guint i = 0; i < MAX_SERIES; i++)
    g_clear_pointer (&self->series[i].envelope, tw_m4_free);
}
