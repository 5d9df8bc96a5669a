#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "tw-error.h"
#include "tw-metric.h"
#include "tw-monitor-query.h"
#include "tw-time.h"

/*
 * The monitor page's reads, run in a GTask worker on a TwReader connection
 * so the main thread never waits on SQL.
 */

#define HEART_RATE_FRESH_US   (60 * TW_USEC_PER_SEC)
#define MAX_HEART_RATE_ROWS   200

/**
 * tw_monitor_query_free:
 * @data: a TwMonitorQuery
 */
void
tw_monitor_query_free (gpointer data)
{
  TwMonitorQuery *query = data;

  g_clear_pointer (&query->reader, tw_reader_unref);
  g_clear_object (&query->cancellable);
  g_clear_pointer (&query->keys, g_strfreev);
  g_clear_pointer (&query->entity_key, g_free);
  g_clear_pointer (&query->entities, g_ptr_array_unref);
  g_clear_pointer (&query->heart_rates, g_array_unref);
  g_clear_pointer (&query->series, g_ptr_array_unref);
  g_free (query);
}

static GStrv
keys_of_entities (GPtrArray *entities)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < entities->len; i++)
    {
      const TwEntityRow *row = g_ptr_array_index (entities, i);
      g_strv_builder_add (builder, row->key);
    }

  return g_strv_builder_end (builder);
}

static gboolean
read_heart_rates (TwStore         *store,
                  TwMonitorQuery  *query,
                  GError         **error)
{
  guint n = query->keys != NULL ? g_strv_length (query->keys) : 0;

  query->heart_rates = g_array_sized_new (FALSE, FALSE, sizeof (double), n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GArray) points = NULL;
      double value = NAN;

      if (i < MAX_HEART_RATE_ROWS)
        {
          points = tw_store_read_samples (store, query->keys[i], "hr",
                                          query->now - HEART_RATE_FRESH_US, G_MAXINT64,
                                          error);
          if (points == NULL && error != NULL && *error != NULL)
            return FALSE;
          if (points != NULL && points->len > 0)
            value = g_array_index (points, TwPoint, points->len - 1).value;
        }

      g_array_append_val (query->heart_rates, value);
    }

  return TRUE;
}

static gboolean
read_series (TwStore         *store,
             TwMonitorQuery  *query,
             gint64           from_ts,
             gint64           to_ts,
             gint64          *out_last_ts,
             GError         **error)
{
  const TwMetricInfo *metrics;
  guint n_metrics = 0;
  gint64 last_ts = G_MININT64;

  metrics = tw_metric_get_vitals (&n_metrics);
  g_clear_pointer (&query->series, g_ptr_array_unref);
  query->series = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (guint i = 0; i < n_metrics; i++)
    {
      GArray *points = tw_store_read_samples (store, query->entity_key, metrics[i].code,
                                              from_ts, to_ts, error);

      if (points == NULL)
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          points = g_array_new (FALSE, FALSE, sizeof (TwPoint));
        }

      if (points->len > 0)
        last_ts = MAX (last_ts, g_array_index (points, TwPoint, points->len - 1).ts);
      g_ptr_array_add (query->series, points);
    }

  *out_last_ts = last_ts;
  return TRUE;
}

/* The newest sample of the entity, for history that ended before the
 * visible window (a replayed file, a feed that stopped). */
static gint64
find_last_ts (TwStore     *store,
              const char  *entity_key,
              GError     **error)
{
  gint64 last_ts = G_MININT64;

  if (!tw_store_get_entity_last_ts (store, entity_key, &last_ts, error))
    return G_MININT64;
  return last_ts;
}

static gboolean
read_selected (TwStore         *store,
               TwMonitorQuery  *query,
               GError         **error)
{
  gint64 last_ts = G_MININT64;

  if (query->incremental)
    {
      if (!read_series (store, query, query->since, G_MAXINT64, &last_ts, error))
        return FALSE;
      query->live = TRUE;
      query->range_end = MAX (query->now, last_ts);
      return TRUE;
    }

  if (!read_series (store, query, query->now - query->window_us, G_MAXINT64, &last_ts, error))
    return FALSE;

  if (last_ts != G_MININT64)
    {
      /* Live: the window ends now, or at a device clock that runs ahead. */
      query->live = TRUE;
      query->range_end = MAX (query->now, last_ts);
      return TRUE;
    }

  last_ts = find_last_ts (store, query->entity_key, error);
  if (error != NULL && *error != NULL)
    return FALSE;

  if (last_ts == G_MININT64)
    {
      query->live = TRUE;
      query->range_end = query->now;
      return TRUE;
    }

  query->live = FALSE;
  query->range_end = last_ts;
  return read_series (store, query, last_ts - query->window_us, last_ts, &last_ts, error);
}

/**
 * tw_monitor_query_run:
 *
 * The GTaskThreadFunc: reads what the query asks for on the reader's
 * connection and leaves the results in the task data.
 */
void
tw_monitor_query_run (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  TwMonitorQuery *query = task_data;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();
  TwStore *store;
  gboolean ok = TRUE;

  store = tw_reader_lock (query->reader, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (query->list_entities)
    {
      query->entities = tw_store_list_entities (store, tw_reader_get_role (query->reader), &error);
      ok = query->entities != NULL;
      if (ok)
        {
          g_ptr_array_set_free_func (query->entities, (GDestroyNotify) tw_entity_row_free);
          g_clear_pointer (&query->keys, g_strfreev);
          query->keys = keys_of_entities (query->entities);
        }
    }

  if (ok && query->read_heart_rates && !g_cancellable_is_cancelled (cancellable))
    ok = read_heart_rates (store, query, &error);

  if (ok && query->entity_key != NULL && !g_cancellable_is_cancelled (cancellable))
    ok = read_selected (store, query, &error);

  tw_reader_unlock (query->reader);

  g_debug ("Query (entities: %s, heart rates: %s, trends: %s%s) took %.1f ms",
           query->list_entities ? "yes" : "no", query->read_heart_rates ? "yes" : "no",
           query->entity_key != NULL ? query->entity_key : "none",
           query->incremental ? ", new samples only" : "",
           (g_get_monotonic_time () - started) / 1000.0);

  if (!ok)
    {
      if (error == NULL)
        g_set_error_literal (&error, TW_ERROR, TW_ERROR_FAILED, _("The store could not be read"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}
