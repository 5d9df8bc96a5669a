#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "tw-error.h"
#include "tw-patient-query.h"
#include "tw-store-rollup.h"
#include "tw-time.h"

/*
 * The patient view's reads, run in a GTask worker on a TwReader connection
 * so the main thread never waits on SQL. NEWS2 history is scored per
 * minute from the 1-minute rollups (each parameter's last value in the
 * minute, carried forward while younger than the maximum age), which is
 * what the live tile shows at that moment; a minute without all seven
 * parameters has no score (a gap, never a 0).
 */

static const char *news2_metrics[TW_NEWS2_N_PARAMS] = {
  [TW_NEWS2_RR] = "rr",
  [TW_NEWS2_SPO2] = "spo2",
  [TW_NEWS2_AIR_O2] = "o2",
  [TW_NEWS2_SBP] = "sbp",
  [TW_NEWS2_PULSE] = "hr",
  [TW_NEWS2_ACVPU] = "acvpu",
  [TW_NEWS2_TEMP] = "temp",
};

const char *
tw_patient_news2_metric (TwNews2Param param)
{
  g_return_val_if_fail (param < TW_NEWS2_N_PARAMS, NULL);

  return news2_metrics[param];
}

TwPatientQuery *
tw_patient_query_new (TwReader   *reader,
                      const char *key,
                      gint64      now)
{
  TwPatientQuery *query = g_new0 (TwPatientQuery, 1);

  query->reader = tw_reader_ref (reader);
  query->key = g_strdup (key);
  query->now = now;
  query->read_record = TRUE;

  return query;
}

void
tw_patient_query_free (gpointer data)
{
  TwPatientQuery *query = data;

  g_clear_pointer (&query->reader, tw_reader_unref);
  g_clear_pointer (&query->key, g_free);
  g_clear_pointer (&query->summary, tw_patient_summary_free);
  g_clear_pointer (&query->entries, g_ptr_array_unref);
  g_clear_pointer (&query->news2_points, g_array_unref);
  g_clear_pointer (&query->heat_values, g_free);
  g_clear_pointer (&query->glucose, g_array_unref);
  g_clear_pointer (&query->agp, tw_agp_free);
  g_clear_pointer (&query->forecast_error, g_free);
  g_free (query);
}

static void
input_set (TwNews2Input *input,
           TwNews2Param  param,
           double        value)
{
  switch (param)
    {
    case TW_NEWS2_RR:
      input->rr = value;
      break;
    case TW_NEWS2_SPO2:
      input->spo2 = value;
      break;
    case TW_NEWS2_AIR_O2:
      input->on_oxygen = isnan (value) ? -1 : (int) lround (value);
      break;
    case TW_NEWS2_SBP:
      input->sbp = value;
      break;
    case TW_NEWS2_PULSE:
      input->pulse = value;
      break;
    case TW_NEWS2_ACVPU:
      input->acvpu = isnan (value) ? -1 : (int) lround (value);
      break;
    case TW_NEWS2_TEMP:
      input->temp = value;
      break;
    case TW_NEWS2_N_PARAMS:
    default:
      g_assert_not_reached ();
    }
}

/* Scores what is known at @ts: each parameter's latest value if it is not
 * older than the maximum age. */
static void
score_at (const double  latest[TW_NEWS2_N_PARAMS],
          const gint64  latest_ts[TW_NEWS2_N_PARAMS],
          gint64        ts,
          TwNews2Score *out)
{
  TwNews2Input input;

  tw_news2_input_init (&input);
  for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
    if (latest_ts[p] != G_MININT64 && ts - latest_ts[p] <= TW_PATIENT_NEWS2_MAX_AGE_US)
      input_set (&input, p, latest[p]);

  tw_news2_score (&input, out);
}

typedef struct
{
  gint64 bucket;
  gint64 ts;
  double value;
  guint  param;
} Observation;

static int
compare_observations (gconstpointer a,
                      gconstpointer b)
{
  const Observation *oa = a;
  const Observation *ob = b;

  if (oa->bucket != ob->bucket)
    return oa->bucket < ob->bucket ? -1 : 1;
  if (oa->ts != ob->ts)
    return oa->ts < ob->ts ? -1 : 1;
  return 0;
}

static gboolean
read_news2 (TwStore         *store,
            TwPatientQuery  *query,
            GError         **error)
{
  g_autoptr(GArray) observations = g_array_new (FALSE, FALSE, sizeof (Observation));
  gint64 from = query->now - TW_PATIENT_NEWS2_HISTORY_US - TW_PATIENT_NEWS2_MAX_AGE_US;
  gint64 history_from = query->now - TW_PATIENT_NEWS2_HISTORY_US;
  double latest[TW_NEWS2_N_PARAMS];
  gint64 latest_ts[TW_NEWS2_N_PARAMS];
  gint64 first_hour = G_MAXINT64;

  for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
    {
      g_autoptr(GArray) buckets = tw_store_read_rollups (store, query->key, news2_metrics[p],
                                                         TW_ROLLUP_MINUTE, from, G_MAXINT64,
                                                         error);

      if (buckets == NULL)
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          continue;
        }

      for (guint i = 0; i < buckets->len; i++)
        {
          const TwRollupBucket *bucket = &g_array_index (buckets, TwRollupBucket, i);
          Observation observation = { bucket->bucket, bucket->agg.last_ts, bucket->agg.last, p };

          if (bucket->agg.n > 0)
            g_array_append_val (observations, observation);
        }
    }

  g_array_sort (observations, compare_observations);

  for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
    {
      latest[p] = NAN;
      latest_ts[p] = G_MININT64;
    }

  query->news2_points = g_array_new (FALSE, FALSE, sizeof (TwPoint));

  for (guint i = 0; i < observations->len; i++)
    {
      const Observation *observation = &g_array_index (observations, Observation, i);

      if (observation->bucket >= history_from)
        first_hour = MIN (first_hour, observation->bucket);
    }

  /* Hour columns from the first observation in the history to now. */
  if (first_hour != G_MAXINT64)
    {
      query->heat_from = first_hour - first_hour % TW_PATIENT_HEATMAP_HOUR_US;
      query->heat_columns = (guint) ((query->now - query->heat_from) / TW_PATIENT_HEATMAP_HOUR_US) + 1;
      query->heat_values = g_new (double, TW_NEWS2_N_PARAMS * query->heat_columns);
      for (guint i = 0; i < TW_NEWS2_N_PARAMS * query->heat_columns; i++)
        query->heat_values[i] = NAN;
    }

  for (guint i = 0; i < observations->len; i++)
    {
      const Observation *observation = &g_array_index (observations, Observation, i);
      TwNews2Score score;
      gint64 ts;

      latest[observation->param] = observation->value;
      latest_ts[observation->param] = observation->ts;

      /* Score once a minute's values are all applied. */
      if (i + 1 < observations->len
          && g_array_index (observations, Observation, i + 1).bucket == observation->bucket)
        continue;
      if (observation->bucket < history_from)
        continue;

      ts = 0;
      for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
        if (latest_ts[p] != G_MININT64)
          ts = MAX (ts, latest_ts[p]);

      score_at (latest, latest_ts, ts, &score);
      if (score.complete)
        {
          TwPoint point = { ts, score.total };

          g_array_append_val (query->news2_points, point);
        }

      if (query->heat_values != NULL)
        {
          guint column = (guint) ((observation->bucket - query->heat_from) / TW_PATIENT_HEATMAP_HOUR_US);

          if (column < query->heat_columns)
            for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
              {
                double *cell = &query->heat_values[p * query->heat_columns + column];

                if (score.scores[p] >= 0 && (isnan (*cell) || score.scores[p] > *cell))
                  *cell = score.scores[p];
              }
        }
    }

  /* The live score: what is known now. */
  for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
    query->latest_known = query->latest_known || latest_ts[p] != G_MININT64;
  score_at (latest, latest_ts, query->now, &query->latest);

  return TRUE;
}

static gboolean
read_glucose (TwStore         *store,
              TwPatientQuery  *query,
              GError         **error)
{
  g_autoptr(GError) forecast_error = NULL;
  GArray *points;

  points = tw_store_read_samples (store, query->key, "glucose",
                                  query->now - TW_PATIENT_GLUCOSE_HISTORY_US, G_MAXINT64, error);
  if (points == NULL)
    return error == NULL || *error == NULL;

  if (points->len == 0)
    {
      g_array_unref (points);
      return TRUE;
    }

  query->glucose = points;
  tw_glucose_stats_compute ((const TwPoint *) (gpointer) points->data, points->len,
                            &query->glucose_stats);
  query->agp = tw_agp_compute ((const TwPoint *) (gpointer) points->data, points->len,
                               TW_PATIENT_AGP_BIN_MINUTES);
  query->forecast_known = tw_ar2_forecast_series ((const TwPoint *) (gpointer) points->data,
                                                  points->len, query->now, &query->forecast,
                                                  &forecast_error);
  if (!query->forecast_known)
    query->forecast_error = g_strdup (forecast_error->message);

  return TRUE;
}

/**
 * tw_patient_query_run:
 *
 * The GTaskThreadFunc: reads what the query asks for on the reader's
 * connection and leaves the results in the task data.
 */
void
tw_patient_query_run (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  TwPatientQuery *query = task_data;
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

  if (query->read_record)
    {
      query->summary = tw_store_get_patient (store, query->key, query->now, &error);
      if (query->summary == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_clear_error (&error);
      ok = error == NULL;

      if (ok)
        {
          query->entries = tw_store_list_clinical (store, query->key, &error);
          ok = query->entries != NULL || error == NULL;
        }
    }

  if (ok && !g_cancellable_is_cancelled (cancellable))
    ok = read_news2 (store, query, &error);

  if (ok && !g_cancellable_is_cancelled (cancellable))
    ok = read_glucose (store, query, &error);

  tw_reader_unlock (query->reader);

  g_debug ("Patient query for %s took %.1f ms", query->key,
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
