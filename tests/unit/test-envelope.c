#include <math.h>

#include "tw-batch.h"
#include "tw-store-envelope.h"
#include "tw-store-private.h"
#include "tw-store-rollup.h"
#include "tw-time.h"
#include "tw-test-store.h"

/* Chart envelopes read from the store's rollups: the level read per span,
 * a 2-second spike in a week of 1 Hz data, gaps, exact edges and
 * neighbours, and equality with the M4 of the raw samples. One week is
 * written once and shared by the tests (it takes a few seconds). */

#define SEC          TW_USEC_PER_SEC
#define MIN_US       TW_USEC_PER_MIN
#define HOUR         TW_USEC_PER_HOUR
#define DAY          (24 * HOUR)
#define WEEK         (7 * DAY)
#define T0           (G_GINT64_CONSTANT (498600) * HOUR)   /* 2026-11-18 00:00 UTC */
#define ENTITY       "bed-7"
#define METRIC       "hr"
#define SPIKE_VALUE  250.0
/* Day 4, 13:00:20 — the minute 13:00 lies inside one 600 s column and one
 * 604.8 s column, so the spike's bucket is in the spike's own column. */
#define SPIKE_TS     (T0 + 4 * DAY + 13 * HOUR + 20 * SEC)
/* A pause of three hours on day 2 (from 05:00:00.000 to 08:00:00.000). */
#define GAP_FROM     (T0 + 2 * DAY + 5 * HOUR)
#define GAP_TO       (T0 + 2 * DAY + 8 * HOUR)
#define BATCH_SIZE   50000

static TwTestStore week;
static GArray *week_points;   /* TwPoint: exactly what was written */

/* A heart rate with a slow swing and quarter-beat noise: every column has
 * its own first, last, min and max. */
static double
heart_rate (guint64 i)
{
  return 70.0 + 10.0 * sin ((double) i / 3000.0) + (double) ((i * 7919) % 41) / 4.0;
}

static void
write_week (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBatch) batch = NULL;
  guint64 i = 0;

  tw_test_store_open (&week, "tw-envelope");
  week_points = g_array_sized_new (FALSE, FALSE, sizeof (TwPoint), WEEK / SEC);

  /* 1 Hz with a little jitter inside each second, never across it. */
  for (gint64 t = T0; t < T0 + WEEK; t += SEC, i++)
    {
      TwPoint p = { t + (gint64) ((i * 104729) % 900) * 1000, heart_rate (i) };

      if (p.ts >= GAP_FROM && p.ts < GAP_TO)
        continue;
      if (t == SPIKE_TS || t == SPIKE_TS + SEC)
        p.value = SPIKE_VALUE;
      g_array_append_val (week_points, p);
    }

  for (guint k = 0; k < week_points->len; k += BATCH_SIZE)
    {
      TwCounters delta = { 0 };

      batch = tw_batch_new (0);
      for (guint j = k; j < MIN (k + BATCH_SIZE, week_points->len); j++)
        {
          const TwPoint *p = &g_array_index (week_points, TwPoint, j);

          tw_batch_add_sample (batch, ENTITY, METRIC, p->ts, p->value);
        }
      batch->n_messages = batch->samples->len;
      g_assert_true (tw_store_begin (week.store, &error));
      g_assert_true (tw_store_write_batch (week.store, batch, &delta, &error));
      g_assert_no_error (error);
      g_assert_true (tw_store_commit (week.store, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (delta.stored, ==, batch->samples->len);
      g_clear_pointer (&batch, tw_batch_free);
    }
}

static TwM4 *
read_envelope (gint64            from,
               gint64            to,
               guint             width,
               TwEnvelopeSource *source)
{
  g_autoptr(GError) error = NULL;
  TwM4 *m4 = tw_store_read_envelope (week.store, ENTITY, METRIC, from, to, width, source, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m4);
  return m4;
}

/* What stroking every raw sample would reduce to. */
static TwM4 *
raw_envelope (gint64 from,
              gint64 to,
              guint  width)
{
  return tw_m4_new ((const TwPoint *) week_points->data, week_points->len, from, to, width);
}

static void
assert_same_neighbours (const TwM4 *got,
                        const TwM4 *want)
{
  g_assert_cmpuint (got->n_inside, ==, want->n_inside);
  g_assert_cmpint (got->has_before, ==, want->has_before);
  g_assert_cmpint (got->has_after, ==, want->has_after);
  if (want->has_before)
    {
      g_assert_cmpint (got->before.ts, ==, want->before.ts);
      g_assert_cmpfloat (got->before.value, ==, want->before.value);
    }
  if (want->has_after)
    {
      g_assert_cmpint (got->after.ts, ==, want->after.ts);
      g_assert_cmpfloat (got->after.value, ==, want->after.value);
    }
}

static void
assert_equal_raw (const TwM4 *got,
                  const TwM4 *want)
{
  assert_same_neighbours (got, want);
  g_assert_cmpuint (got->width, ==, want->width);
  for (guint x = 0; x < want->width; x++)
    {
      const TwM4Column *g = &got->columns[x];
      const TwM4Column *w = &want->columns[x];

      g_assert_cmpint (g->has_data, ==, w->has_data);
      g_assert_cmpuint (g->n_points, ==, w->n_points);
      if (!w->has_data)
        continue;
      g_assert_cmpint (g->first_ts, ==, w->first_ts);
      g_assert_cmpint (g->last_ts, ==, w->last_ts);
      g_assert_cmpfloat (g->first, ==, w->first);
      g_assert_cmpfloat (g->last, ==, w->last);
      g_assert_cmpfloat (g->min, ==, w->min);
      g_assert_cmpfloat (g->max, ==, w->max);
    }
}

/* The coarsest level with a bucket per column, for the spans a clinician
 * looks at. */
static void
test_pick_source (void)
{
  static const struct
  {
    gint64           span;
    guint            width;
    TwEnvelopeSource want;
  } cases[] = {
    { 10 * MIN_US, 1000, TW_ENVELOPE_RAW },       /* 0.6 s per column */
    { 10 * MIN_US, 600, TW_ENVELOPE_SECOND },     /* 1 s */
    { HOUR, 1200, TW_ENVELOPE_SECOND },           /* 3 s */
    { DAY, 1000, TW_ENVELOPE_MINUTE },            /* 86.4 s */
    { WEEK, 1000, TW_ENVELOPE_MINUTE },           /* 604.8 s */
    { WEEK, 168, TW_ENVELOPE_HOUR },              /* 1 h */
    { 365 * DAY, 1000, TW_ENVELOPE_HOUR },        /* 8.76 h */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TwM4) m4 = NULL;
      TwEnvelopeSource source = -1;

      g_assert_cmpint (tw_envelope_pick_source (cases[i].span / cases[i].width), ==,
                       cases[i].want);
      /* And what the store read says it read. */
      m4 = read_envelope (T0 + 3 * DAY - cases[i].span / 2, T0 + 3 * DAY + cases[i].span / 2,
                          cases[i].width, &source);
      g_assert_cmpint (source, ==, cases[i].want);
    }

  /* The edges: a bucket exactly one column wide is still used. */
  g_assert_cmpint (tw_envelope_pick_source (SEC - 1), ==, TW_ENVELOPE_RAW);
  g_assert_cmpint (tw_envelope_pick_source (SEC), ==, TW_ENVELOPE_SECOND);
  g_assert_cmpint (tw_envelope_pick_source (MIN_US - 1), ==, TW_ENVELOPE_SECOND);
  g_assert_cmpint (tw_envelope_pick_source (MIN_US), ==, TW_ENVELOPE_MINUTE);
  g_assert_cmpint (tw_envelope_pick_source (HOUR - 1), ==, TW_ENVELOPE_MINUTE);
  g_assert_cmpint (tw_envelope_pick_source (HOUR), ==, TW_ENVELOPE_HOUR);
}

/* The week at 1000 columns: the two-second spike is its column's max and
 * nowhere else; the three-hour pause is empty columns; every other column
 * has data. */
static void
test_week_spike_and_gap (void)
{
  TwEnvelopeSource source;
  g_autoptr(TwM4) m4 = read_envelope (T0, T0 + WEEK, 1000, &source);
  guint spike_x = (guint) ((SPIKE_TS - T0) * 1000 / WEEK);
  guint gap_first = (guint) ((GAP_FROM - T0) * 1000 / WEEK) + 1;   /* first column wholly inside */
  guint gap_last = (guint) ((GAP_TO - T0) * 1000 / WEEK) - 1;
  guint n_spikes = 0;

  g_assert_cmpint (source, ==, TW_ENVELOPE_MINUTE);
  g_assert_cmpuint (m4->n_inside, ==, week_points->len);
  g_assert_cmpfloat (m4->columns[spike_x].max, ==, SPIKE_VALUE);
  for (guint x = 0; x < m4->width; x++)
    if (m4->columns[x].has_data && m4->columns[x].max == SPIKE_VALUE)
      n_spikes++;
  g_assert_cmpuint (n_spikes, ==, 1);
  /* The neighbours are ordinary heart rates. */
  g_assert_cmpfloat (m4->columns[spike_x - 1].max, <, 100.0);
  g_assert_cmpfloat (m4->columns[spike_x + 1].max, <, 100.0);

  g_assert_cmpuint (gap_last, >=, gap_first + 15);   /* 3 h is about 17 columns */
  for (guint x = 0; x < m4->width; x++)
    {
      gboolean in_gap = x >= gap_first && x <= gap_last;

      g_assert_cmpint (m4->columns[x].has_data, ==, !in_gap);
      if (in_gap)
        g_assert_cmpuint (m4->columns[x].n_points, ==, 0);
    }
  g_assert_false (m4->has_before);
  g_assert_false (m4->has_after);
}

/* Where bucket edges fall on column edges, the envelope read from rollups
 * is the envelope of the raw samples, column by column. */
static void
test_equal_raw_aligned (void)
{
  static const struct
  {
    gint64           from;
    gint64           span;
    guint            width;
    TwEnvelopeSource want;
  } cases[] = {
    { T0, WEEK, 1008, TW_ENVELOPE_MINUTE },              /* 10 min columns */
    { T0 + DAY, DAY, 1440, TW_ENVELOPE_MINUTE },         /* 1 min */
    { T0 + 2 * DAY, DAY, 720, TW_ENVELOPE_MINUTE },      /* 2 min, through the gap */
    { T0, WEEK, 168, TW_ENVELOPE_HOUR },                 /* 1 h */
    { T0 + 4 * DAY + 13 * HOUR, HOUR, 1200, TW_ENVELOPE_SECOND },  /* 3 s, the spike */
    { T0 + 4 * DAY + 13 * HOUR, 10 * MIN_US, 1000, TW_ENVELOPE_RAW },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 to = cases[i].from + cases[i].span;
      TwEnvelopeSource source;
      g_autoptr(TwM4) got = read_envelope (cases[i].from, to, cases[i].width, &source);
      g_autoptr(TwM4) want = raw_envelope (cases[i].from, to, cases[i].width);

      g_test_message ("case %u: %u columns of %" G_GINT64_FORMAT " s", i, cases[i].width,
                      cases[i].span / cases[i].width / SEC);
      g_assert_cmpint (source, ==, cases[i].want);
      assert_equal_raw (got, want);
    }
}

/* An unaligned range (a widget's range after a pan): only samples inside
 * are counted, the first and last columns start and end at the right
 * samples, and the neighbours are the samples just outside. */
static void
test_unaligned_edges (void)
{
  const gint64 from = T0 + 3 * DAY + 1234567891;       /* 20 min 34.567891 s into day 3 */
  const gint64 to = from + DAY + 59 * MIN_US + 777777;
  g_autoptr(TwM4) got = read_envelope (from, to, 997, NULL);
  g_autoptr(TwM4) want = raw_envelope (from, to, 997);
  double got_max = -G_MAXDOUBLE, want_max = -G_MAXDOUBLE;
  double got_min = G_MAXDOUBLE, want_min = G_MAXDOUBLE;

  assert_same_neighbours (got, want);
  g_assert_cmpint (got->columns[0].first_ts, ==, want->columns[0].first_ts);
  g_assert_cmpfloat (got->columns[0].first, ==, want->columns[0].first);
  g_assert_cmpint (got->columns[996].last_ts, ==, want->columns[996].last_ts);
  g_assert_cmpfloat (got->columns[996].last, ==, want->columns[996].last);
  for (guint x = 0; x < 997; x++)
    {
      g_assert_cmpint (got->columns[x].has_data, ==, want->columns[x].has_data);
      if (!want->columns[x].has_data)
        continue;
      got_max = MAX (got_max, got->columns[x].max);
      want_max = MAX (want_max, want->columns[x].max);
      got_min = MIN (got_min, got->columns[x].min);
      want_min = MIN (want_min, want->columns[x].min);
    }
  g_assert_cmpfloat (got_max, ==, want_max);
  g_assert_cmpfloat (got_min, ==, want_min);
}

/* A range that starts or ends inside the pause still finds the samples
 * on the far side of it; a range wholly inside it has no columns with
 * data but both neighbours, so the chart can draw (or break) the line. */
static void
test_neighbours_across_gap (void)
{
  const gint64 mid = GAP_FROM + 90 * MIN_US;
  g_autoptr(TwM4) inside = read_envelope (GAP_FROM + 10 * MIN_US, GAP_TO - 10 * MIN_US, 600,
                                          NULL);
  g_autoptr(TwM4) want_inside = raw_envelope (GAP_FROM + 10 * MIN_US, GAP_TO - 10 * MIN_US, 600);
  g_autoptr(TwM4) left = read_envelope (mid, mid + 6 * HOUR, 360, NULL);
  g_autoptr(TwM4) want_left = raw_envelope (mid, mid + 6 * HOUR, 360);
  g_autoptr(TwM4) right = read_envelope (mid - 6 * HOUR, mid, 360, NULL);
  g_autoptr(TwM4) want_right = raw_envelope (mid - 6 * HOUR, mid, 360);

  g_assert_cmpuint (inside->n_inside, ==, 0);
  g_assert_true (inside->has_before && inside->has_after);
  g_assert_cmpint (inside->before.ts, <, GAP_FROM);
  g_assert_cmpint (inside->after.ts, >=, GAP_TO);
  assert_same_neighbours (inside, want_inside);
  assert_equal_raw (left, want_left);
  assert_equal_raw (right, want_right);
}

/* A year ending with the week: hourly buckets; every sample is counted
 * and the spike is still a column's max. */
static void
test_year (void)
{
  TwEnvelopeSource source;
  const gint64 to = T0 + WEEK;
  g_autoptr(TwM4) m4 = read_envelope (to - 365 * DAY, to, 1000, &source);
  guint n_spikes = 0;
  guint with_data = 0;

  g_assert_cmpint (source, ==, TW_ENVELOPE_HOUR);
  g_assert_cmpuint (m4->n_inside, ==, week_points->len);
  for (guint x = 0; x < m4->width; x++)
    if (m4->columns[x].has_data)
      {
        with_data++;
        n_spikes += m4->columns[x].max == SPIKE_VALUE;
      }
  g_assert_cmpuint (n_spikes, ==, 1);
  g_assert_cmpuint (with_data, >=, 19);   /* 7 days at 8.76 h per column */
  g_assert_cmpuint (with_data, <=, 21);
}

/* Another series or an unknown bed: an empty envelope, not an error. */
static void
test_unknown_series (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwM4) m4 = tw_store_read_envelope (week.store, ENTITY, "spo2", T0, T0 + WEEK, 800,
                                               NULL, &error);
  g_autoptr(TwM4) other = tw_store_read_envelope (week.store, "bed-99", METRIC, T0, T0 + DAY,
                                                  800, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (m4->n_inside, ==, 0);
  g_assert_false (m4->has_before || m4->has_after);
  g_assert_cmpuint (other->n_inside, ==, 0);
  for (guint x = 0; x < 800; x++)
    g_assert_false (m4->columns[x].has_data || other->columns[x].has_data);
}

/* A masked connection (a bare tw_store_open()) names the bed by its
 * pseudonym; the envelope read with it is the bed's. */
static void
test_pseudonym (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entities = tw_store_list_entities (week.store, TW_ROLE_ANALYST, &error);
  g_autoptr(TwM4) by_key = read_envelope (T0, T0 + DAY, 720, NULL);
  g_autoptr(TwM4) by_pseudonym = NULL;
  const TwEntityRow *row;

  g_assert_no_error (error);
  g_assert_cmpuint (entities->len, ==, 1);
  row = entities->pdata[0];
  g_assert_cmpstr (row->key, !=, ENTITY);
  by_pseudonym = tw_store_read_envelope (week.store, row->key, METRIC, T0, T0 + DAY, 720, NULL,
                                         &error);
  g_assert_no_error (error);
  g_assert_cmpuint (by_key->n_inside, >, 80000);
  assert_equal_raw (by_pseudonym, by_key);
}

/* At 1 Hz each second holds one sample, which needs no 1 s row of its
 * own (tw-store-rollup.c); the 1 s reads still give every second. */
static void
test_no_single_sample_rows (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (week.store,
                                                   "SELECT resolution, count(*) FROM rollups"
                                                   " GROUP BY resolution ORDER BY resolution",
                                                   &error);
  g_autoptr(GArray) seconds = NULL;
  gint64 rows[3] = { 0 };
  guint k = 0;

  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int resolution = sqlite3_column_int (stmt, 0);

      k = resolution == TW_ROLLUP_SECOND ? 0 : resolution == TW_ROLLUP_MINUTE ? 1 : 2;
      rows[k] = sqlite3_column_int64 (stmt, 1);
    }
  g_assert_cmpint (rows[0], ==, 0);
  g_assert_cmpint (rows[1], ==, 7 * 24 * 60 - 3 * 60);   /* every minute but the pause */
  g_assert_cmpint (rows[2], ==, 7 * 24 - 3);

  seconds = tw_store_read_rollups (week.store, ENTITY, METRIC, TW_ROLLUP_SECOND, SPIKE_TS,
                                   SPIKE_TS + 10 * SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seconds->len, ==, 10);
  for (guint i = 0; i < seconds->len; i++)
    {
      const TwRollupBucket *b = &g_array_index (seconds, TwRollupBucket, i);

      g_assert_cmpint (b->bucket, ==, SPIKE_TS + i * SEC);
      g_assert_cmpint (b->agg.n, ==, 1);
      g_assert_cmpint (b->agg.first_ts, ==, b->agg.last_ts);
      g_assert_cmpfloat (b->agg.max, ==, i < 2 ? SPIKE_VALUE : b->agg.first);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/envelope/pick-source", test_pick_source);
  g_test_add_func ("/envelope/week/spike-and-gap", test_week_spike_and_gap);
  g_test_add_func ("/envelope/equal-raw/aligned", test_equal_raw_aligned);
  g_test_add_func ("/envelope/edges/unaligned", test_unaligned_edges);
  g_test_add_func ("/envelope/edges/neighbours-across-gap", test_neighbours_across_gap);
  g_test_add_func ("/envelope/year", test_year);
  g_test_add_func ("/envelope/unknown-series", test_unknown_series);
  g_test_add_func ("/envelope/pseudonym", test_pseudonym);
  g_test_add_func ("/envelope/no-single-sample-rows", test_no_single_sample_rows);

  write_week ();
  status = g_test_run ();
  tw_test_store_close (&week);
  g_array_unref (week_points);
  return status;
}
