#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "tw-error.h"
#include "tw-store-clinical.h"
#include "tw-store-private.h"
#include "tw-store-rollup.h"
#include "tw-store-scope.h"
#include "tw-time.h"
#include "tw-ward-query.h"

/*
 * The ward overview's reads, in a GTask worker on the page's own reader.
 *
 * Cost: a bed seen before costs one indexed range read per parameter
 * (seven), each returning only what arrived since the previous run — about
 * one row per parameter at 1 Hz — so 100 beds are ~700 short statements per
 * refresh. A new bed costs one minute-rollup read per parameter (at most 60
 * buckets for the hour in which a value still counts) and one read of the
 * sparkline window for heart rate and SpO2.
 */

/* A value with no sample yet: later runs look a little before the time
 * the bed was first read, for samples committed with an older time. */
#define PRIME_OVERLAP_US (5 * TW_USEC_PER_SEC)

static const char * const vital_codes[TW_WARD_N_VITALS] = {
  [TW_WARD_RR] = "rr",
  [TW_WARD_SPO2] = "spo2",
  [TW_WARD_SBP] = "sbp",
  [TW_WARD_HR] = "hr",
  [TW_WARD_TEMP] = "temp",
  [TW_WARD_O2] = "o2",
  [TW_WARD_ACVPU] = "acvpu",
};

static const TwWardVital spark_vitals[TW_WARD_N_SPARKS] = {
  [TW_WARD_SPARK_HR] = TW_WARD_HR,
  [TW_WARD_SPARK_SPO2] = TW_WARD_SPO2,
};

/**
 * tw_ward_vital_code:
 * @vital: a parameter
 *
 * Returns: its catalogue code ("rr", "spo2", …)
 */
const char *
tw_ward_vital_code (TwWardVital vital)
{
  g_return_val_if_fail (vital < TW_WARD_N_VITALS, NULL);

  return vital_codes[vital];
}

static TwWardBed *
ward_bed_new (const char *key)
{
  TwWardBed *bed = g_new0 (TwWardBed, 1);

  bed->key = g_strdup (key);
  for (guint i = 0; i < TW_WARD_N_VITALS; i++)
    {
      bed->value[i] = NAN;
      bed->value_ts[i] = G_MININT64;
      bed->cursor[i] = G_MININT64;
    }
  tw_ward_bed_score (bed, 0);

  return bed;
}

static void
clear_sparks (TwWardBed *bed)
{
  for (guint i = 0; i < TW_WARD_N_SPARKS; i++)
    g_clear_pointer (&bed->spark_new[i], g_array_unref);
  bed->spark_replace = FALSE;
}

void
tw_ward_bed_free (TwWardBed *bed)
{
  if (bed == NULL)
    return;

  clear_sparks (bed);
  g_free (bed->key);
  g_free (bed->display_name);
  g_free (bed->ward);
  g_free (bed->bed);
  g_free (bed);
}

/**
 * tw_ward_beds_new:
 *
 * Returns: (transfer full): an empty table of beds (key → TwWardBed*)
 */
GHashTable *
tw_ward_beds_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                (GDestroyNotify) tw_ward_bed_free);
}

void
tw_ward_query_free (gpointer data)
{
  TwWardQuery *query = data;

  g_clear_pointer (&query->reader, tw_reader_unref);
  g_clear_object (&query->cancellable);
  g_clear_pointer (&query->order, g_ptr_array_unref);
  g_clear_pointer (&query->beds, g_hash_table_unref);
  g_clear_pointer (&query->wards, g_strfreev);
  g_clear_pointer (&query->alert_keys, g_strfreev);
  g_clear_pointer (&query->alert_map, g_hash_table_unref);
  g_free (query);
}

/**
 * tw_ward_bed_score:
 * @bed: a bed
 * @now: µs UTC
 *
 * A parameter older than TW_WARD_FRESH_US counts as missing, so a bed
 * whose monitor stopped becomes incomplete rather than keeping an old
 * score.
 */
void
tw_ward_bed_score (TwWardBed *bed,
                   gint64     now)
{
  TwNews2Input input;
  double fresh[TW_WARD_N_VITALS];

  g_return_if_fail (bed != NULL);

  for (guint i = 0; i < TW_WARD_N_VITALS; i++)
    fresh[i] = bed->value_ts[i] != G_MININT64 && bed->value_ts[i] >= now - TW_WARD_FRESH_US
               ? bed->value[i] : NAN;

  tw_news2_input_init (&input);
  input.rr = fresh[TW_WARD_RR];
  input.spo2 = fresh[TW_WARD_SPO2];
  input.sbp = fresh[TW_WARD_SBP];
  input.pulse = fresh[TW_WARD_HR];
  input.temp = fresh[TW_WARD_TEMP];
  if (!isnan (fresh[TW_WARD_O2]))
    input.on_oxygen = fresh[TW_WARD_O2] >= 0.5 ? 1 : 0;
  if (!isnan (fresh[TW_WARD_ACVPU]))
    {
      long level = lround (fresh[TW_WARD_ACVPU]);

      input.acvpu = level >= TW_ACVPU_ALERT && level <= TW_ACVPU_UNRESPONSIVE ? (int) level : -1;
    }

  tw_news2_score (&input, &bed->news2);
}

/* Patients */

static const TwEntityRow *
find_entity (GPtrArray  *entities,
             const char *key,
             const char *location)
{
  const TwEntityRow *by_location = NULL;
  guint n_by_location = 0;

  for (guint i = 0; i < entities->len; i++)
    {
      const TwEntityRow *row = g_ptr_array_index (entities, i);

      if (key != NULL && g_strcmp0 (row->key, key) == 0)
        return row;
      if (location != NULL && g_strcmp0 (row->location, location) == 0)
        {
          by_location = row;
          n_by_location++;
        }
    }

  /* Both lists give masked roles the pseudonym; should they ever differ,
   * the bed identifies the patient when only one entity lies there. */
  return n_by_location == 1 ? by_location : NULL;
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
keep_bed (TwWardQuery *query,
          GHashTable  *kept,
          const char  *key,
          const char  *display_name,
          const char  *ward,
          const char  *bed_name)
{
  TwWardBed *bed = g_hash_table_lookup (query->beds, key);
  gboolean changed = FALSE;

  if (g_hash_table_contains (kept, key))
    return;

  if (bed == NULL)
    {
      bed = ward_bed_new (key);
      g_hash_table_insert (query->beds, bed->key, bed);
      changed = TRUE;
    }

  changed |= set_string (&bed->display_name, display_name != NULL ? display_name : key);
  changed |= set_string (&bed->ward, ward);
  changed |= set_string (&bed->bed, bed_name);
  bed->changed |= changed;

  g_hash_table_add (kept, bed->key);
  g_ptr_array_add (query->order, bed);
}

static gboolean
list_patients (TwStore      *store,
               TwWardQuery  *query,
               GError      **error)
{
  g_autoptr(GPtrArray) entities = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GHashTable) kept = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  entities = tw_store_list_entities (store, tw_reader_get_role (query->reader), error);
  if (entities == NULL)
    return FALSE;
  g_ptr_array_set_free_func (entities, (GDestroyNotify) tw_entity_row_free);

  patients = tw_store_list_patients (store, NULL, TRUE, query->now, error);
  if (patients == NULL)
    return FALSE;
  g_ptr_array_set_free_func (patients, (GDestroyNotify) tw_patient_summary_free);

  query->wards = tw_store_list_wards (store, error);
  if (query->wards == NULL)
    return FALSE;
  query->n_reads += 3;
  /* No beds for a clinician: perhaps no wards (tw-store-scope.h). */
  query->no_wards = FALSE;
  if (entities->len == 0 && tw_store_get_role (store) == TW_ROLE_CLINICIAN
      && tw_store_get_user_name (store) != NULL)
    {
      g_auto(GStrv) own = tw_store_get_user_wards (store, tw_store_get_user_name (store), error);

      if (own == NULL)
        return FALSE;
      query->no_wards = own[0] == NULL;
      query->n_reads++;
    }

  g_clear_pointer (&query->order, g_ptr_array_unref);
  query->order = g_ptr_array_new ();

  for (guint i = 0; i < patients->len; i++)
    {
      const TwPatientSummary *summary = g_ptr_array_index (patients, i);
      const TwEntityRow *row = find_entity (entities, summary->key, summary->bed);

      if (row == NULL)
        continue;
      keep_bed (query, kept, row->key, summary->display_name, summary->ward,
                summary->bed != NULL ? summary->bed : row->location);
    }

  /* A source that announces patients without admitting them (no
   * encounter): every patient entity gets a tile, by location. */
  if (query->order->len == 0)
    for (guint i = 0; i < entities->len; i++)
      {
        const TwEntityRow *row = g_ptr_array_index (entities, i);

        keep_bed (query, kept, row->key, row->display_name, NULL, row->location);
      }

  /* Discharged or gone: forget them. */
  g_hash_table_iter_init (&iter, query->beds);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (kept, key))
      g_hash_table_iter_remove (&iter);

  query->listed = TRUE;
  return TRUE;
}

/* Alerts carry the engine's real entity keys; a masked role's tiles are
 * keyed by pseudonyms, which only the store can compute (one way: the
 * pseudonym reveals nothing the alert did not already hold). */
static void
map_alert_keys (TwStore     *store,
                TwWardQuery *query)
{
  gboolean masked = tw_store_masks_identity (store);

  query->alert_map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; query->alert_keys != NULL && query->alert_keys[i] != NULL; i++)
    {
      const char *key = query->alert_keys[i];
      char *tile_key = masked ? tw_store_make_pseudonym (store, key, NULL) : g_strdup (key);

      if (tile_key != NULL)
        g_hash_table_insert (query->alert_map, g_strdup (key), tile_key);
    }
}

/* Samples */

static GArray *
read_points (TwStore      *store,
             TwWardQuery  *query,
             const char   *key,
             TwWardVital   vital,
             gint64        from_ts,
             GError      **error)
{
  GArray *points = tw_store_read_samples (store, key, vital_codes[vital], from_ts, G_MAXINT64,
                                          error);

  query->n_reads++;
  if (points != NULL)
    query->n_samples += points->len;
  return points;
}

static void
take_newest (TwWardBed     *bed,
             TwWardVital    vital,
             const TwPoint *point)
{
  if (point->ts <= bed->value_ts[vital] && bed->value_ts[vital] != G_MININT64)
    return;

  bed->value[vital] = point->value;
  bed->value_ts[vital] = point->ts;
  bed->cursor[vital] = MAX (bed->cursor[vital], point->ts);
  bed->changed = TRUE;
}

/* The newest value of the last hour, from the minute rollups: at most 60
 * rows however dense the samples are. */
static gboolean
prime_from_rollups (TwStore      *store,
                    TwWardQuery  *query,
                    TwWardBed    *bed,
                    TwWardVital   vital,
                    GError      **error)
{
  g_autoptr(GArray) buckets = NULL;

  buckets = tw_store_read_rollups (store, bed->key, vital_codes[vital], TW_ROLLUP_MINUTE,
                                   query->now - TW_WARD_FRESH_US, G_MAXINT64, error);
  query->n_reads++;
  if (buckets == NULL)
    return FALSE;

  for (guint i = 0; i < buckets->len; i++)
    {
      const TwRollupBucket *bucket = &g_array_index (buckets, TwRollupBucket, i);
      TwPoint point = { bucket->agg.last_ts, bucket->agg.last };

      if (bucket->agg.n > 0)
        take_newest (bed, vital, &point);
    }

  return TRUE;
}

static gboolean
prime_bed (TwStore      *store,
           TwWardQuery  *query,
           TwWardBed    *bed,
           GError      **error)
{
  gboolean sparked[TW_WARD_N_VITALS] = { FALSE, };

  for (guint s = 0; s < TW_WARD_N_SPARKS; s++)
    {
      TwWardVital vital = spark_vitals[s];
      GArray *points = read_points (store, query, bed->key, vital,
                                    query->now - TW_WARD_SPARKLINE_US, error);

      if (points == NULL)
        return FALSE;
      if (points->len > 0)
        {
          take_newest (bed, vital, &g_array_index (points, TwPoint, points->len - 1));
          sparked[vital] = TRUE;
        }
      bed->spark_new[s] = points;
    }
  bed->spark_replace = TRUE;
  bed->changed = TRUE;

  for (guint v = 0; v < TW_WARD_N_VITALS; v++)
    {
      if (!sparked[v] && !prime_from_rollups (store, query, bed, v, error))
        return FALSE;
      if (bed->cursor[v] == G_MININT64)
        bed->cursor[v] = query->now - PRIME_OVERLAP_US;
    }

  bed->primed = TRUE;
  return TRUE;
}

static gboolean
read_new_samples (TwStore      *store,
                  TwWardQuery  *query,
                  TwWardBed    *bed,
                  GError      **error)
{
  for (guint v = 0; v < TW_WARD_N_VITALS; v++)
    {
      g_autoptr(GArray) points = read_points (store, query, bed->key, v, bed->cursor[v] + 1,
                                              error);

      if (points == NULL)
        return FALSE;
      if (points->len == 0)
        continue;

      take_newest (bed, v, &g_array_index (points, TwPoint, points->len - 1));
      for (guint s = 0; s < TW_WARD_N_SPARKS; s++)
        if (spark_vitals[s] == (TwWardVital) v)
          bed->spark_new[s] = g_steal_pointer (&points);
    }

  return TRUE;
}

static gboolean
read_beds (TwStore      *store,
           TwWardQuery  *query,
           GError      **error)
{
  for (guint i = 0; query->order != NULL && i < query->order->len; i++)
    {
      TwWardBed *bed = g_ptr_array_index (query->order, i);
      TwNews2Score before = bed->news2;

      if (g_cancellable_is_cancelled (query->cancellable))
        return TRUE;

      if (!(bed->primed ? read_new_samples (store, query, bed, error)
                        : prime_bed (store, query, bed, error)))
        return FALSE;

      /* Scored every run: a value ageing past the hour changes it too. */
      tw_ward_bed_score (bed, query->now);
      if (memcmp (&before, &bed->news2, sizeof before) != 0)
        bed->changed = TRUE;
    }

  return TRUE;
}

static void
reset_bed (gpointer key,
           gpointer value,
           gpointer user_data)
{
  TwWardBed *bed = value;

  bed->changed = FALSE;
  clear_sparks (bed);
}

/**
 * tw_ward_query_run:
 *
 * The GTaskThreadFunc: lists the beds when asked (else it keeps the
 * previous run's order), then reads what is new for each.
 */
void
tw_ward_query_run (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  TwWardQuery *query = task_data;
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

  g_hash_table_foreach (query->beds, reset_bed, NULL);

  if (query->list_patients || query->order == NULL)
    ok = list_patients (store, query, &error);

  if (ok && !g_cancellable_is_cancelled (cancellable))
    ok = read_beds (store, query, &error);

  if (ok && query->alert_keys != NULL)
    map_alert_keys (store, query);

  tw_reader_unlock (query->reader);

  query->elapsed_ms = (g_get_monotonic_time () - started) / 1000.0;
  g_debug ("Ward query (%u beds%s): %u reads, %u samples, %.1f ms",
           query->order != NULL ? query->order->len : 0,
           query->listed ? ", listed" : "", query->n_reads, query->n_samples, query->elapsed_ms);

  if (!ok)
    {
      if (error == NULL)
        g_set_error_literal (&error, TW_ERROR, TW_ERROR_FAILED, _("The store could not be read"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

const char *
tw_ward_query_empty_title (const TwWardQuery *query)
{
  return query->no_wards ? _("No Wards Assigned") : _("No Patients Yet");
}

const char *
tw_ward_query_empty_description (const TwWardQuery *query)
{
  return query->no_wards
         ? _("No wards are assigned to you. Ask an administrator, or use Emergency Access "
             "(Ctrl+Shift+E).")
         : _("Beds appear here as their monitors send data.");
}
