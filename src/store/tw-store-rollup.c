#include <string.h>

#include "tw-error.h"
#include "tw-point.h"
#include "tw-store-rollup.h"
#include "tw-store-rollup-private.h"
#include "tw-time.h"

/* Rollups at 1 s, 1 min and 1 h, maintained in the writer's transaction.
 *
 * The batch's samples are sorted by (series, time) and folded in memory,
 * one delta per bucket; each delta is written with one cached INSERT OR
 * IGNORE, and only a bucket that already existed (a 1 min or 1 h bucket
 * spanning batches, or out-of-order input) pays a read, a TwAggregate merge
 * and an UPDATE. SQLite 3.15 has no UPSERT to do this in one statement.
 *
 * A second holding one sample has no 1 s row: at about 1 Hz that is nearly
 * every second, and the row would only repeat the sample (n 1, min = max =
 * first = last = the value), at the cost of a second B-tree insert per
 * sample. tw_store_read_rollups() folds such samples in as one-sample
 * buckets, so readers see every second either way. A 1 s row exists
 * exactly when its second holds two samples or more (stores written before
 * this rule also have rows for single samples; they read the same).
 *
 * Whether a second already held a sample before this batch is known for
 * free from the minute bucket the writer reads or inserts anyway: a new
 * minute, or a stored one whose samples all lie outside the second, means
 * none did. Only when the stored minute's first..last span covers the
 * second (out-of-order or sub-second input) is the second recomputed from
 * the samples table.
 *
 * Measured with tests/bench/bench-ingest.c (writer, 120 series at 1 Hz,
 * five alternating runs each on the shared 2-core machine): with a 1 s row
 * per sample 0.37 of the bare insert rate (median; 123k–170k rows/s),
 * without rows for single samples 0.75 (median; 206k–376k rows/s).
 * Multi-row INSERTs of new buckets behind a newest-bucket lookup were
 * slower on this SQLite, not faster. */

static const int resolutions[] = { TW_ROLLUP_SECOND, TW_ROLLUP_MINUTE, TW_ROLLUP_HOUR };

#define N_RESOLUTIONS G_N_ELEMENTS (resolutions)

/* tw_store_read_rollups() allocates room for at most this many buckets up
 * front and grows beyond it only when they come. */
#define READ_PRESIZE_MAX 16384

typedef struct
{
  gint64 series_id;
  gint64 ts;
  double value;
} Pending;

struct _TwRollupWriter
{
  GArray       *pending;   /* Pending: the samples this batch stored */
  GArray       *seconds;   /* Delta: the 1 s deltas of the minute being written */
  sqlite3_stmt *insert;
  sqlite3_stmt *select;
  sqlite3_stmt *update;
  sqlite3_stmt *second_samples;
  sqlite3_stmt *replace;
};

typedef struct
{
  gint64      series_id;
  int         resolution_s;
  gint64      bucket_s;
  TwAggregate agg;
} Delta;

/* What a bucket held before this batch: nothing (a new bucket) or @agg. */
typedef struct
{
  gboolean    existed;
  TwAggregate agg;
} Prior;

void
tw_rollup_writer_free (TwRollupWriter *writer)
{
  if (writer == NULL)
    return;
  g_array_unref (writer->pending);
  g_array_unref (writer->seconds);
  g_clear_pointer (&writer->insert, sqlite3_finalize);
  g_clear_pointer (&writer->select, sqlite3_finalize);
  g_clear_pointer (&writer->update, sqlite3_finalize);
  g_clear_pointer (&writer->second_samples, sqlite3_finalize);
  g_clear_pointer (&writer->replace, sqlite3_finalize);
  g_free (writer);
}

/* Floor division: a bucket before the epoch starts at or before its
 * samples like every other. */
static gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if (a % b != 0 && (a < 0) != (b < 0))
    q--;
  return q;
}

static gint64
ceil_div (gint64 a,
          gint64 b)
{
  gint64 q = a / b;

  if (a % b != 0 && (a < 0) == (b < 0))
    q++;
  return q;
}

void
tw_store_rollups_note (TwStore *store,
                       gint64   series_id,
                       gint64   ts,
                       double   value)
{
  Pending p = { series_id, ts, value };

  if (store->rollups == NULL)
    {
      store->rollups = g_new0 (TwRollupWriter, 1);
      store->rollups->pending = g_array_new (FALSE, FALSE, sizeof (Pending));
      store->rollups->seconds = g_array_new (FALSE, FALSE, sizeof (Delta));
    }
  g_array_append_val (store->rollups->pending, p);
}

static gboolean
ensure_statements (TwStore         *store,
                   TwRollupWriter  *w,
                   GError         **error)
{
  if (w->insert == NULL)
    w->insert = tw_store_prepare (store,
                                  "INSERT OR IGNORE INTO rollups (series_id, resolution, bucket, n,"
                                  " sum, min, max, first, first_ts, last, last_ts)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (w->insert != NULL && w->select == NULL)
    w->select = tw_store_prepare (store,
                                  "SELECT n, sum, min, max, first, first_ts, last, last_ts"
                                  " FROM rollups WHERE series_id = ? AND resolution = ?"
                                  " AND bucket = ?", error);
  if (w->select != NULL && w->update == NULL)
    w->update = tw_store_prepare (store,
                                  "UPDATE rollups SET n = ?, sum = ?, min = ?, max = ?, first = ?,"
                                  " first_ts = ?, last = ?, last_ts = ?"
                                  " WHERE series_id = ? AND resolution = ? AND bucket = ?", error);
  if (w->update != NULL && w->second_samples == NULL)
    w->second_samples = tw_store_prepare (store,
                                          "SELECT ts, value FROM samples WHERE series_id = ?"
                                          " AND ts >= ? AND ts < ? ORDER BY ts", error);
  if (w->second_samples != NULL && w->replace == NULL)
    w->replace = tw_store_prepare (store,
                                   "INSERT OR REPLACE INTO rollups (series_id, resolution, bucket,"
                                   " n, sum, min, max, first, first_ts, last, last_ts)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  return w->replace != NULL;
}

/* Binds @agg to parameters @first … @first + 7 in the rollups column order. */
static void
bind_aggregate (sqlite3_stmt      *stmt,
                int                first,
                const TwAggregate *agg)
{
  sqlite3_bind_int64 (stmt, first, agg->n);
  sqlite3_bind_double (stmt, first + 1, agg->sum);
  sqlite3_bind_double (stmt, first + 2, agg->min);
  sqlite3_bind_double (stmt, first + 3, agg->max);
  sqlite3_bind_double (stmt, first + 4, agg->first);
  sqlite3_bind_int64 (stmt, first + 5, agg->first_ts);
  sqlite3_bind_double (stmt, first + 6, agg->last);
  sqlite3_bind_int64 (stmt, first + 7, agg->last_ts);
}

static void
column_aggregate (sqlite3_stmt *stmt,
                  int           first,
                  TwAggregate  *agg)
{
  agg->n = sqlite3_column_int64 (stmt, first);
  agg->sum = sqlite3_column_double (stmt, first + 1);
  agg->min = sqlite3_column_double (stmt, first + 2);
  agg->max = sqlite3_column_double (stmt, first + 3);
  agg->first = sqlite3_column_double (stmt, first + 4);
  agg->first_ts = sqlite3_column_int64 (stmt, first + 5);
  agg->last = sqlite3_column_double (stmt, first + 6);
  agg->last_ts = sqlite3_column_int64 (stmt, first + 7);
}

static void
bind_bucket (sqlite3_stmt *stmt,
             int           first,
             const Delta  *d)
{
  sqlite3_bind_int64 (stmt, first, d->series_id);
  sqlite3_bind_int (stmt, first + 1, d->resolution_s);
  sqlite3_bind_int64 (stmt, first + 2, d->bucket_s);
}

/* Writes @d into its bucket; @prior (may be NULL) learns what the bucket
 * held before. */
static gboolean
write_delta (TwStore         *store,
             TwRollupWriter  *w,
             const Delta     *d,
             Prior           *prior,
             GError         **error)
{
  TwAggregate merged = { 0 };
  int rc;

  /* A new bucket: one insert and done. */
  bind_bucket (w->insert, 1, d);
  bind_aggregate (w->insert, 4, &d->agg);
  rc = sqlite3_step (w->insert);
  sqlite3_reset (w->insert);
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not store a rollup");
      return FALSE;
    }
  if (sqlite3_changes (store->db) > 0)
    {
      if (prior != NULL)
        prior->existed = FALSE;
      return TRUE;
    }

  /* The bucket existed: the stored samples came first, this batch's after. */
  bind_bucket (w->select, 1, d);
  rc = sqlite3_step (w->select);
  if (rc == SQLITE_ROW)
    column_aggregate (w->select, 0, &merged);
  sqlite3_reset (w->select);
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read a rollup");
      return FALSE;
    }
  if (prior != NULL)
    {
      prior->existed = TRUE;
      prior->agg = merged;
    }
  tw_aggregate_merge (&merged, &d->agg);

  bind_aggregate (w->update, 1, &merged);
  bind_bucket (w->update, 9, d);
  rc = sqlite3_step (w->update);
  sqlite3_reset (w->update);
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not update a rollup");
      return FALSE;
    }
  return TRUE;
}

/* The 1 s delta @d, written under the rule above, given what its minute
 * held before this batch (@minute). */
static gboolean
write_second (TwStore         *store,
              TwRollupWriter  *w,
              const Delta     *d,
              const Prior     *minute,
              GError         **error)
{
  gint64 start = d->bucket_s * TW_USEC_PER_SEC;
  gint64 end = start + TW_USEC_PER_SEC;
  TwAggregate all = { 0 };
  int rc;

  if (!minute->existed || minute->agg.last_ts < start || minute->agg.first_ts >= end)
    {
      /* Nothing was stored in this second before: its samples are this
       * batch's. One sample needs no row. */
      if (d->agg.n == 1)
        return TRUE;
      return write_delta (store, w, d, NULL, error);
    }

  /* Earlier samples may lie in this second, with or without a row of
   * their own: the samples table (this batch's included) has them all. */
  sqlite3_bind_int64 (w->second_samples, 1, d->series_id);
  sqlite3_bind_int64 (w->second_samples, 2, start);
  sqlite3_bind_int64 (w->second_samples, 3, end);
  while ((rc = sqlite3_step (w->second_samples)) == SQLITE_ROW)
    tw_aggregate_add (&all, sqlite3_column_int64 (w->second_samples, 0),
                      sqlite3_column_double (w->second_samples, 1));
  sqlite3_reset (w->second_samples);
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read the samples of a rollup");
      return FALSE;
    }
  if (all.n < 2)
    return TRUE;

  bind_bucket (w->replace, 1, d);
  bind_aggregate (w->replace, 4, &all);
  rc = sqlite3_step (w->replace);
  sqlite3_reset (w->replace);
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not store a rollup");
      return FALSE;
    }
  return TRUE;
}

/* Writes the open minute delta, then its seconds, which need to know what
 * the minute held before. */
static gboolean
write_minute (TwStore         *store,
              TwRollupWriter  *w,
              Delta           *minute,
              GError         **error)
{
  Prior prior = { FALSE };

  if (minute->agg.n == 0)
    return TRUE;
  if (!write_delta (store, w, minute, &prior, error))
    return FALSE;
  for (guint i = 0; i < w->seconds->len; i++)
    if (!write_second (store, w, &g_array_index (w->seconds, Delta, i), &prior, error))
      return FALSE;
  g_array_set_size (w->seconds, 0);
  minute->agg.n = 0;
  return TRUE;
}

static int
pending_compare (gconstpointer a,
                 gconstpointer b)
{
  const Pending *pa = a, *pb = b;

  if (pa->series_id != pb->series_id)
    return pa->series_id < pb->series_id ? -1 : 1;
  if (pa->ts != pb->ts)
    return pa->ts < pb->ts ? -1 : 1;
  return 0;
}

static void
delta_start (Delta  *d,
             gint64  series_id,
             int     resolution_s,
             gint64  bucket_s)
{
  memset (d, 0, sizeof *d);
  d->series_id = series_id;
  d->resolution_s = resolution_s;
  d->bucket_s = bucket_s;
}

/**
 * tw_store_rollups_flush:
 *
 * Folds the samples noted since the last flush into the stored rollups,
 * inside the caller's transaction. On failure the caller rolls back, and
 * the rollback drops the writer with its pending samples.
 */
gboolean
tw_store_rollups_flush (TwStore  *store,
                        GError  **error)
{
  TwRollupWriter *w = store->rollups;
  Delta minute = { 0 };
  Delta hour = { 0 };
  GArray *pending;

  if (w == NULL || w->pending->len == 0)
    return TRUE;
  if (!ensure_statements (store, w, error))
    return FALSE;

  pending = w->pending;
  /* Sorted, each bucket's samples are adjacent (one delta per bucket, no
   * hash table) and the deltas reach the B-tree in key order. */
  g_array_sort (pending, pending_compare);
  g_array_set_size (w->seconds, 0);

  for (guint i = 0; i < pending->len; i++)
    {
      const Pending *p = &g_array_index (pending, Pending, i);
      gint64 second_s = floor_div (p->ts, TW_USEC_PER_SEC);
      gint64 minute_s = floor_div (p->ts, TW_ROLLUP_MINUTE * TW_USEC_PER_SEC) * TW_ROLLUP_MINUTE;
      gint64 hour_s = floor_div (p->ts, TW_ROLLUP_HOUR * TW_USEC_PER_SEC) * TW_ROLLUP_HOUR;
      Delta *second;

      if (hour.agg.n > 0 && (hour.series_id != p->series_id || hour.bucket_s != hour_s))
        {
          if (!write_delta (store, w, &hour, NULL, error))
            return FALSE;
          hour.agg.n = 0;
        }
      if (hour.agg.n == 0)
        delta_start (&hour, p->series_id, TW_ROLLUP_HOUR, hour_s);
      tw_aggregate_add (&hour.agg, p->ts, p->value);

      if (minute.agg.n > 0 && (minute.series_id != p->series_id || minute.bucket_s != minute_s))
        if (!write_minute (store, w, &minute, error))
          return FALSE;
      if (minute.agg.n == 0)
        delta_start (&minute, p->series_id, TW_ROLLUP_MINUTE, minute_s);
      tw_aggregate_add (&minute.agg, p->ts, p->value);

      /* The seconds of the open minute wait for it (write_minute()). */
      second = w->seconds->len > 0 ? &g_array_index (w->seconds, Delta, w->seconds->len - 1)
                                   : NULL;
      if (second == NULL || second->bucket_s != second_s)
        {
          g_array_set_size (w->seconds, w->seconds->len + 1);
          second = &g_array_index (w->seconds, Delta, w->seconds->len - 1);
          delta_start (second, p->series_id, TW_ROLLUP_SECOND, second_s);
        }
      tw_aggregate_add (&second->agg, p->ts, p->value);
    }
  if (!write_minute (store, w, &minute, error))
    return FALSE;
  if (hour.agg.n > 0 && !write_delta (store, w, &hour, NULL, error))
    return FALSE;

  g_array_set_size (pending, 0);
  return TRUE;
}

static gboolean
is_resolution (int resolution_s)
{
  for (guint r = 0; r < N_RESOLUTIONS; r++)
    if (resolutions[r] == resolution_s)
      return TRUE;
  return FALSE;
}

/* Seconds of the range [@first_s, @end_s) in µs, clamped to what gint64
 * holds (reads of "everything" pass the extremes). */
static gint64
seconds_to_us (gint64 s)
{
  if (s <= G_MININT64 / TW_USEC_PER_SEC)
    return G_MININT64;
  if (s >= G_MAXINT64 / TW_USEC_PER_SEC)
    return G_MAXINT64;
  return s * TW_USEC_PER_SEC;
}

/* The 1 s buckets of [@first_s, @end_s): the stored rows (@rows, seconds
 * with two samples or more) merged in time order with one-sample buckets
 * for the seconds that have a sample but no row. */
static GArray *
fold_in_single_samples (TwStore     *store,
                        const char  *entity_key,
                        const char  *metric,
                        GArray      *rows,
                        gint64       first_s,
                        gint64       end_s,
                        GError     **error)
{
  g_autoptr(GArray) samples = NULL;
  g_autoptr(GArray) out = NULL;
  guint i = 0, j = 0;

  samples = tw_store_read_samples (store, entity_key, metric, seconds_to_us (first_s),
                                   seconds_to_us (end_s), error);
  if (samples == NULL)
    return NULL;
  out = g_array_sized_new (FALSE, FALSE, sizeof (TwRollupBucket), samples->len);

  while (j < samples->len || i < rows->len)
    {
      const TwPoint *p = j < samples->len ? &g_array_index (samples, TwPoint, j) : NULL;
      gint64 second = p != NULL ? floor_div (p->ts, TW_USEC_PER_SEC) * TW_USEC_PER_SEC : 0;
      const TwRollupBucket *row = i < rows->len ? &g_array_index (rows, TwRollupBucket, i) : NULL;

      if (row != NULL && (p == NULL || row->bucket <= second))
        {
          /* The row stands for every sample of its second. */
          g_array_append_val (out, *row);
          i++;
          while (j < samples->len
                 && floor_div (g_array_index (samples, TwPoint, j).ts, TW_USEC_PER_SEC)
                    * TW_USEC_PER_SEC == row->bucket)
            j++;
          continue;
        }

      {
        TwRollupBucket one = { second, { 1, p->value, p->value, p->value, p->value, p->ts,
                                         p->value, p->ts } };

        g_array_append_val (out, one);
        j++;
      }
    }
  return g_steal_pointer (&out);
}

/* The stored rows of one series at @resolution_s overlapping
 * [@from_ts, @to_ts), oldest first, each handed to @func; @out_first_s and
 * @out_end_s receive the bucket range asked for, in seconds. */
static gboolean
foreach_stored (TwStore        *store,
                const char     *entity_key,
                const char     *metric,
                int             resolution_s,
                gint64          from_ts,
                gint64          to_ts,
                TwRollupFunc    func,
                gpointer        user_data,
                gint64         *out_first_s,
                gint64         *out_end_s,
                GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 resolution_us;
  gint64 first_bucket_s, end_s;
  gint64 entity_id;
  int rc;

  if (!is_resolution (resolution_s))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "No rollups at %d s: the store keeps %d s, %d s and %d s", resolution_s,
                   TW_ROLLUP_SECOND, TW_ROLLUP_MINUTE, TW_ROLLUP_HOUR);
      return FALSE;
    }
  resolution_us = resolution_s * TW_USEC_PER_SEC;
  /* Bucket starts in seconds: the one holding from_ts, up to the last
   * starting before to_ts. Divided first so the extremes do not overflow. */
  first_bucket_s = floor_div (from_ts, resolution_us) * resolution_s;
  end_s = ceil_div (to_ts, TW_USEC_PER_SEC);
  *out_first_s = first_bucket_s;
  *out_end_s = end_s;

  /* A key or a pseudonym (what masked roles were given), as for samples. */
  entity_id = tw_store_resolve_entity (store, entity_key, NULL, error);
  if (entity_id < 0)
    return FALSE;
  stmt = tw_store_prepare (store,
                           "SELECT u.bucket, u.n, u.sum, u.min, u.max, u.first, u.first_ts,"
                           " u.last, u.last_ts FROM rollups u"
                           " JOIN series r ON r.id = u.series_id"
                           " WHERE r.entity_id = ? AND r.metric = ? AND u.resolution = ?"
                           " AND u.bucket >= ? AND u.bucket < ? ORDER BY u.bucket", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entity_id);
  sqlite3_bind_text (stmt, 2, metric, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, resolution_s);
  sqlite3_bind_int64 (stmt, 4, first_bucket_s);
  sqlite3_bind_int64 (stmt, 5, end_s);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwRollupBucket b;

      b.bucket = sqlite3_column_int64 (stmt, 0) * TW_USEC_PER_SEC;
      column_aggregate (stmt, 1, &b.agg);
      func (&b, user_data);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read rollups");
      return FALSE;
    }
  return TRUE;
}

static void
append_bucket (const TwRollupBucket *bucket,
               gpointer              user_data)
{
  g_array_append_vals (user_data, bucket, 1);
}

/**
 * tw_store_read_rollups:
 * @resolution_s: %TW_ROLLUP_SECOND, %TW_ROLLUP_MINUTE or %TW_ROLLUP_HOUR
 * @from_ts: (in): µs; buckets that end after it are included
 * @to_ts: (in): µs, exclusive; buckets that start before it are included
 *
 * The buckets overlapping [@from_ts, @to_ts), oldest first; buckets with no
 * sample are absent, not zero. At 1 s, a second with one sample has no
 * stored row and comes from the samples table as a bucket of one.
 *
 * Returns: (transfer full) (element-type TwRollupBucket): the buckets, or
 *   %NULL with @error set (%TW_ERROR_INVALID_INPUT for another resolution)
 */
GArray *
tw_store_read_rollups (TwStore     *store,
                       const char  *entity_key,
                       const char  *metric,
                       int          resolution_s,
                       gint64       from_ts,
                       gint64       to_ts,
                       GError     **error)
{
  g_autoptr(GArray) buckets = NULL;
  gint64 first_bucket_s, end_s;

  g_return_val_if_fail (store != NULL && entity_key != NULL && metric != NULL, NULL);

  /* Sized for the buckets the range can hold (up to a week of minutes): a
   * read fills it without growing it (copies of fresh memory). */
  if (is_resolution (resolution_s))
    {
      gint64 first_s = floor_div (from_ts, resolution_s * TW_USEC_PER_SEC) * resolution_s;

      buckets = g_array_sized_new (FALSE, FALSE, sizeof (TwRollupBucket),
                                   (guint) CLAMP ((ceil_div (to_ts, TW_USEC_PER_SEC) - first_s)
                                                  / resolution_s + 1, 0, READ_PRESIZE_MAX));
    }
  if (!foreach_stored (store, entity_key, metric, resolution_s, from_ts, to_ts, append_bucket,
                       buckets, &first_bucket_s, &end_s, error))
    return NULL;
  if (resolution_s == TW_ROLLUP_SECOND)
    return fold_in_single_samples (store, entity_key, metric, buckets, first_bucket_s, end_s,
                                   error);
  return g_steal_pointer (&buckets);
}

/**
 * tw_store_foreach_rollup:
 *
 * What tw_store_read_rollups() returns, handed to @func bucket by bucket
 * without collecting the stored rows first (a chart's envelope reads a
 * week of minutes per series this way).
 */
gboolean
tw_store_foreach_rollup (TwStore       *store,
                         const char    *entity_key,
                         const char    *metric,
                         int            resolution_s,
                         gint64         from_ts,
                         gint64         to_ts,
                         TwRollupFunc   func,
                         gpointer       user_data,
                         GError       **error)
{
  gint64 first_bucket_s, end_s;

  g_return_val_if_fail (store != NULL && entity_key != NULL && metric != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (resolution_s == TW_ROLLUP_SECOND)
    {
      /* Rows and single samples merged: through the array. */
      g_autoptr(GArray) buckets = tw_store_read_rollups (store, entity_key, metric, resolution_s,
                                                         from_ts, to_ts, error);

      if (buckets == NULL)
        return FALSE;
      for (guint i = 0; i < buckets->len; i++)
        func (&g_array_index (buckets, TwRollupBucket, i), user_data);
      return TRUE;
    }
  return foreach_stored (store, entity_key, metric, resolution_s, from_ts, to_ts, func,
                         user_data, &first_bucket_s, &end_s, error);
}
