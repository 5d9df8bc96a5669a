#include <glib/gstdio.h>

#include "tw-error.h"
#include "tw-store-private.h"
#include "tw-store-rollup.h"
#include "tw-time.h"
#include "tw-test-store.h"

/* Rollups written in several batches (in order, out of order, duplicates,
 * bucket edges, a rolled-back batch) equal a recomputation from the raw
 * samples at every resolution, bucket by bucket. */

#define SEC       TW_USEC_PER_SEC
#define HOUR_T0   (G_GINT64_CONSTANT (498611) * TW_USEC_PER_HOUR)  /* 2026-11-18 11:00 UTC */
#define SUM_EPS   1e-9
#define BATCH_MAX 700

static const int resolutions[] = { TW_ROLLUP_SECOND, TW_ROLLUP_MINUTE, TW_ROLLUP_HOUR };

typedef TwTestStore Fixture;

typedef struct
{
  const char *entity;
  const char *metric;
  gint64      ts;
  double      value;
} Sample;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  tw_test_store_open (f, "tw-rollup");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tw_test_store_close (f);
}

/* Values are multiples of 1/4: every sum is exact, whatever the order. */
static double
quarter_value (void)
{
  return g_test_rand_int_range (-200, 800) / 4.0;
}

static TwCounters
write_samples (TwStore      *store,
               const Sample *samples,
               guint         n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBatch) batch = tw_batch_new (0);
  TwCounters delta = { 0 };

  for (guint i = 0; i < n; i++)
    tw_batch_add_sample (batch, samples[i].entity, samples[i].metric, samples[i].ts,
                         samples[i].value);
  batch->n_messages = n;
  g_assert_true (tw_store_begin (store, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_write_batch (store, batch, &delta, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_commit (store, &error));
  g_assert_no_error (error);
  return delta;
}

static gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if (a % b != 0 && (a < 0) != (b < 0))
    q--;
  return q;
}

/* Every bucket of one series at one resolution against the raw samples. */
static guint
assert_series_matches_raw (TwStore    *store,
                           const char *entity,
                           const char *metric,
                           int         resolution_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) raw = tw_store_read_samples (store, entity, metric, G_MININT64, G_MAXINT64,
                                                 &error);
  g_autoptr(GArray) stored = NULL;
  g_autoptr(GArray) truth = g_array_new (FALSE, TRUE, sizeof (TwRollupBucket));
  gint64 resolution_us = resolution_s * TW_USEC_PER_SEC;

  g_assert_no_error (error);
  g_assert_cmpuint (raw->len, >, 0);
  for (guint i = 0; i < raw->len; i++)
    {
      const TwPoint *p = &g_array_index (raw, TwPoint, i);
      gint64 bucket = floor_div (p->ts, resolution_us) * resolution_us;

      if (truth->len == 0 || g_array_index (truth, TwRollupBucket, truth->len - 1).bucket != bucket)
        {
          TwRollupBucket fresh = { bucket, { 0 } };

          g_array_append_val (truth, fresh);
        }
      tw_aggregate_add (&g_array_index (truth, TwRollupBucket, truth->len - 1).agg, p->ts,
                        p->value);
    }

  stored = tw_store_read_rollups (store, entity, metric, resolution_s, G_MININT64, G_MAXINT64,
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, truth->len);
  for (guint i = 0; i < truth->len; i++)
    {
      const TwRollupBucket *t = &g_array_index (truth, TwRollupBucket, i);
      const TwRollupBucket *s = &g_array_index (stored, TwRollupBucket, i);

      g_assert_cmpint (s->bucket, ==, t->bucket);
      g_assert_cmpint (s->agg.n, ==, t->agg.n);
      g_assert_cmpfloat_with_epsilon (s->agg.sum, t->agg.sum, SUM_EPS);
      g_assert_cmpfloat (s->agg.min, ==, t->agg.min);
      g_assert_cmpfloat (s->agg.max, ==, t->agg.max);
      g_assert_cmpfloat (s->agg.first, ==, t->agg.first);
      g_assert_cmpint (s->agg.first_ts, ==, t->agg.first_ts);
      g_assert_cmpfloat (s->agg.last, ==, t->agg.last);
      g_assert_cmpint (s->agg.last_ts, ==, t->agg.last_ts);
    }
  return truth->len;
}

static void
assert_all_match_raw (TwStore *store)
{
  static const char *series[][2] = { { "P1", "hr" }, { "P1", "spo2" }, { "P2", "hr" } };

  for (guint s = 0; s < G_N_ELEMENTS (series); s++)
    for (guint r = 0; r < G_N_ELEMENTS (resolutions); r++)
      assert_series_matches_raw (store, series[s][0], series[s][1], resolutions[r]);
}

static void
shuffle (GArray *samples,
         guint   from,
         guint   to)
{
  for (guint i = to - 1; i > from; i--)
    {
      guint j = g_test_rand_int_range (from, i + 1);
      Sample tmp = g_array_index (samples, Sample, i);

      g_array_index (samples, Sample, i) = g_array_index (samples, Sample, j);
      g_array_index (samples, Sample, j) = tmp;
    }
}

static void
test_rollups_equal_recomputation (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  g_autoptr(GArray) late = g_array_new (FALSE, FALSE, sizeof (Sample));
  /* Edges of every resolution, written exactly and 1 µs either side. */
  static const gint64 edges[] = {
    HOUR_T0 - 1, HOUR_T0, HOUR_T0 + 1,
    HOUR_T0 + 60 * SEC - 1, HOUR_T0 + 60 * SEC,
    HOUR_T0 + 3600 * SEC - 1, HOUR_T0 + 3600 * SEC, HOUR_T0 + 3600 * SEC + 1,
  };
  guint n_written = 0;
  guint64 stored = 0, duplicates = 0;

  /* P1/hr at 1 Hz with a quarter-second burst every 7 s, from two minutes
   * before the hour to two minutes after the next; P1/spo2 every 3 s;
   * P2/hr at 1 Hz with a half-second offset. */
  for (gint64 t = HOUR_T0 - 120 * SEC; t < HOUR_T0 + 3720 * SEC; t += SEC)
    {
      Sample s = { "P1", "hr", t, quarter_value () };
      gint64 k = (t - HOUR_T0) / SEC;

      if (k % 2 == 0)
        g_array_append_val (late, s);   /* arrives later, out of order */
      else
        g_array_append_val (samples, s);
      if (k % 7 == 0)
        for (gint64 q = SEC / 4; q < SEC; q += SEC / 4)
          {
            Sample burst = { "P1", "hr", t + q, quarter_value () };

            g_array_append_val (samples, burst);
          }
      if (k % 3 == 0)
        {
          Sample spo2 = { "P1", "spo2", t, quarter_value () };

          g_array_append_val (samples, spo2);
        }
      {
        Sample p2 = { "P2", "hr", t + SEC / 2, quarter_value () };

        g_array_append_val (samples, p2);
      }
    }
  for (guint i = 0; i < G_N_ELEMENTS (edges); i++)
    {
      Sample s = { "P2", "hr", edges[i], quarter_value () };

      g_array_append_val (samples, s);
    }
  /* Shuffle within windows of a batch: out of order inside a batch. */
  for (guint i = 0; i < samples->len; i += BATCH_MAX)
    shuffle (samples, i, MIN (i + BATCH_MAX, samples->len));

  for (guint i = 0; i < samples->len; i += BATCH_MAX)
    {
      guint n = MIN (BATCH_MAX, samples->len - i);
      TwCounters d = write_samples (f->store, &g_array_index (samples, Sample, i), n);

      stored += d.stored;
      duplicates += d.duplicates;
      n_written += n;
    }
  assert_all_match_raw (f->store);

  /* The held-back samples, newest first: every one lands in a bucket that
   * already exists at 1 min and 1 h (read, merge, update). */
  for (guint i = 0; i < late->len / 2; i++)
    {
      Sample tmp = g_array_index (late, Sample, i);

      g_array_index (late, Sample, i) = g_array_index (late, Sample, late->len - 1 - i);
      g_array_index (late, Sample, late->len - 1 - i) = tmp;
    }
  for (guint i = 0; i < late->len; i += BATCH_MAX)
    {
      guint n = MIN (BATCH_MAX, late->len - i);
      TwCounters d = write_samples (f->store, &g_array_index (late, Sample, i), n);

      stored += d.stored;
      duplicates += d.duplicates;
      n_written += n;
    }
  g_assert_cmpuint (duplicates, ==, 0);
  g_assert_cmpuint (stored, ==, n_written);
  assert_all_match_raw (f->store);

  /* Duplicates with other values, across batches and inside one batch:
   * not stored, so not counted in any rollup. */
  {
    g_autoptr(GArray) dups = g_array_new (FALSE, FALSE, sizeof (Sample));
    Sample fresh = { "P1", "hr", HOUR_T0 + 3600 * SEC + SEC / 3, 1000.25 };
    TwCounters d;

    for (guint i = 0; i < samples->len; i += 37)
      {
        Sample s = g_array_index (samples, Sample, i);

        s.value += 500;
        g_array_append_val (dups, s);
      }
    g_array_append_val (dups, fresh);
    fresh.value = -1000.25;
    g_array_append_val (dups, fresh);
    d = write_samples (f->store, (const Sample *) dups->data, dups->len);
    g_assert_cmpuint (d.stored, ==, 1);
    g_assert_cmpuint (d.duplicates, ==, dups->len - 1);
  }
  assert_all_match_raw (f->store);

  /* A rolled-back batch leaves nothing behind for the next one. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TwBatch) batch = tw_batch_new (0);
    Sample next = { "P2", "hr", HOUR_T0 + 3700 * SEC + SEC / 4, 3.25 };

    tw_batch_add_sample (batch, "P2", "hr", HOUR_T0 + 3650 * SEC + SEC / 4, 999.75);
    g_assert_true (tw_store_begin (f->store, &error));
    g_assert_true (tw_store_write_batch (f->store, batch, NULL, &error));
    g_assert_no_error (error);
    tw_store_rollback (f->store);
    write_samples (f->store, &next, 1);
  }
  assert_all_match_raw (f->store);

  /* The buckets really span the edges: two hours, 66 minutes. */
  g_assert_cmpuint (assert_series_matches_raw (f->store, "P1", "hr", TW_ROLLUP_HOUR), ==, 3);
  g_assert_cmpuint (assert_series_matches_raw (f->store, "P1", "hr", TW_ROLLUP_MINUTE), ==, 64);
  g_assert_cmpuint (assert_series_matches_raw (f->store, "P2", "hr", TW_ROLLUP_HOUR), ==, 3);
}

static void
test_before_epoch (Fixture       *f,
                   gconstpointer  data)
{
  static const Sample samples[] = {
    { "P1", "hr", -1, 1.5 },
    { "P1", "hr", -SEC, 2.5 },
    { "P1", "hr", -SEC - 1, 4.5 },
    { "P1", "hr", 0, 8.5 },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) seconds = NULL;

  write_samples (f->store, samples, G_N_ELEMENTS (samples));
  for (guint r = 0; r < G_N_ELEMENTS (resolutions); r++)
    assert_series_matches_raw (f->store, "P1", "hr", resolutions[r]);

  /* Aligned to the epoch: [-2 s, -1 s), [-1 s, 0), [0, 1 s). */
  seconds = tw_store_read_rollups (f->store, "P1", "hr", TW_ROLLUP_SECOND, G_MININT64,
                                   G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seconds->len, ==, 3);
  g_assert_cmpint (g_array_index (seconds, TwRollupBucket, 0).bucket, ==, -2 * SEC);
  g_assert_cmpint (g_array_index (seconds, TwRollupBucket, 1).bucket, ==, -SEC);
  g_assert_cmpint (g_array_index (seconds, TwRollupBucket, 1).agg.n, ==, 2);
  g_assert_cmpint (g_array_index (seconds, TwRollupBucket, 2).bucket, ==, 0);
}

static void
test_read_range (Fixture       *f,
                 gconstpointer  data)
{
  Sample samples[6];
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) got = NULL;

  /* One sample in each of six minutes. */
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      samples[i].entity = "P1";
      samples[i].metric = "hr";
      samples[i].ts = HOUR_T0 + i * 60 * SEC + 30 * SEC;
      samples[i].value = i;
    }
  write_samples (f->store, samples, G_N_ELEMENTS (samples));

  /* [1:30, 3:00): the minutes starting at 1:00 and 2:00 overlap it; the
   * one starting at 3:00 does not. */
  got = tw_store_read_rollups (f->store, "P1", "hr", TW_ROLLUP_MINUTE,
                               HOUR_T0 + 90 * SEC, HOUR_T0 + 180 * SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_cmpint (g_array_index (got, TwRollupBucket, 0).bucket, ==, HOUR_T0 + 60 * SEC);
  g_assert_cmpint (g_array_index (got, TwRollupBucket, 1).bucket, ==, HOUR_T0 + 120 * SEC);
  g_assert_cmpfloat (g_array_index (got, TwRollupBucket, 1).agg.sum, ==, 2);
  g_clear_pointer (&got, g_array_unref);

  /* One µs past a start includes that bucket. */
  got = tw_store_read_rollups (f->store, "P1", "hr", TW_ROLLUP_MINUTE,
                               HOUR_T0 + 180 * SEC, HOUR_T0 + 180 * SEC + 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpint (g_array_index (got, TwRollupBucket, 0).bucket, ==, HOUR_T0 + 180 * SEC);
  g_clear_pointer (&got, g_array_unref);

  /* Another series or metric has nothing. */
  got = tw_store_read_rollups (f->store, "P1", "spo2", TW_ROLLUP_MINUTE, G_MININT64,
                               G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 0);
  g_clear_pointer (&got, g_array_unref);

  got = tw_store_read_rollups (f->store, "P1", "hr", 300, G_MININT64, G_MAXINT64, &error);
  g_assert_null (got);
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/rollup/equal-recomputation", Fixture, NULL, fixture_setup,
              test_rollups_equal_recomputation, fixture_teardown);
  g_test_add ("/rollup/before-epoch", Fixture, NULL, fixture_setup, test_before_epoch,
              fixture_teardown);
  g_test_add ("/rollup/read-range", Fixture, NULL, fixture_setup, test_read_range,
              fixture_teardown);

  return g_test_run ();
}
