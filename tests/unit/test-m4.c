#include <math.h>
#include <stdlib.h>

#include "tw-m4.h"
#include "tw-time.h"

#define SEC TW_USEC_PER_SEC
#define WEEK_SECONDS (7 * 24 * 3600)
#define WEEK_WIDTH 1000
#define SPIKE_INDEX 345678
#define SPIKE_VALUE 250.0
#define BASELINE 70.0

static TwPoint
pt (gint64 ts,
    double value)
{
  TwPoint p = { ts, value };

  return p;
}

static int
compare_points (const void *a,
                const void *b)
{
  gint64 x = ((const TwPoint *) a)->ts;
  gint64 y = ((const TwPoint *) b)->ts;

  return (x > y) - (x < y);
}

static void
assert_column (const TwM4 *m4,
               guint       x,
               guint       n_points,
               double      first,
               double      last,
               double      min,
               double      max)
{
  const TwM4Column *col = &m4->columns[x];

  g_assert_true (col->has_data);
  g_assert_cmpuint (col->n_points, ==, n_points);
  g_assert_cmpfloat (col->first, ==, first);
  g_assert_cmpfloat (col->last, ==, last);
  g_assert_cmpfloat (col->min, ==, min);
  g_assert_cmpfloat (col->max, ==, max);
}

/* Ten seconds over five columns: two seconds per column. */
static void
test_columns_known (void)
{
  const TwPoint points[] = {
    pt (0, 5.0), pt (SEC / 2, 3.0), pt (1 * SEC, 8.0), pt (19 * SEC / 10, 4.0),
    pt (2 * SEC, 1.0),
    pt (13 * SEC / 2, 7.0), pt (7 * SEC, 9.0), pt (79 * SEC / 10, 2.0),
    pt (10 * SEC - 1, 6.0),
  };
  g_autoptr(TwM4) m4 = tw_m4_new (points, G_N_ELEMENTS (points), 0, 10 * SEC, 5);

  g_assert_cmpuint (m4->n_inside, ==, G_N_ELEMENTS (points));
  g_assert_false (m4->has_before);
  g_assert_false (m4->has_after);

  assert_column (m4, 0, 4, 5.0, 4.0, 3.0, 8.0);
  /* Exactly on a column boundary: the later column (floor). */
  assert_column (m4, 1, 1, 1.0, 1.0, 1.0, 1.0);
  g_assert_false (m4->columns[2].has_data);
  g_assert_cmpuint (m4->columns[2].n_points, ==, 0);
  assert_column (m4, 3, 3, 7.0, 2.0, 2.0, 9.0);
  assert_column (m4, 4, 1, 6.0, 6.0, 6.0, 6.0);
  g_assert_cmpint (m4->columns[0].first_ts, ==, 0);
  g_assert_cmpint (m4->columns[0].last_ts, ==, 19 * SEC / 10);
}

/* Every point lands in floor ((ts - t_from) × W / (t_to - t_from)), also
 * for a width that does not divide the range and points on boundaries. */
static void
test_columns_formula (void)
{
  const gint64 t_from = 1000;
  const gint64 t_to = t_from + 7 * SEC + 3;
  const guint width = 997;
  guint n = 0;
  g_autofree TwPoint *points = g_new (TwPoint, 20000);
  g_autofree guint *expected = g_new0 (guint, width);
  g_autoptr(TwM4) m4 = NULL;

  for (gint64 ts = t_from; ts < t_to && n < 20000; ts += 997, n++)
    points[n] = pt (ts, (double) n);
  for (guint x = 1; x < width && n < 20000; x += 7)
    {
      /* The first microsecond of a column and the last of the one before. */
      gint64 start = t_from + ((gint64) x * (t_to - t_from) + width - 1) / width;

      points[n++] = pt (start - 1, 0.0);
      points[n++] = pt (start, 0.0);
    }
  qsort (points, n, sizeof (TwPoint), compare_points);
  for (guint i = 0; i < n; i++)
    expected[(points[i].ts - t_from) * width / (t_to - t_from)]++;

  m4 = tw_m4_new (points, n, t_from, t_to, width);
  for (guint x = 0; x < width; x++)
    g_assert_cmpuint (m4->columns[x].n_points, ==, expected[x]);
}

static void
test_polyline_vertices (void)
{
  const TwPoint points[] = {
    pt (0, 5.0), pt (SEC / 2, 3.0), pt (1 * SEC, 8.0), pt (19 * SEC / 10, 4.0),
    pt (2 * SEC, 1.0), pt (3 * SEC, 2.0),
  };
  g_autoptr(TwM4) m4 = tw_m4_new (points, G_N_ELEMENTS (points), 0, 10 * SEC, 5);
  g_autoptr(TwM4Polyline) line = tw_m4_polyline_new (m4, 5 * SEC);
  const TwM4Vertex expected[] = {
    { 0.5, 5.0 }, { 0.5, 3.0 }, { 0.5, 8.0 }, { 0.5, 4.0 },
    { 1.5, 1.0 }, { 1.5, 1.0 }, { 1.5, 2.0 }, { 1.5, 2.0 },
  };
  const TwM4Vertex *v;
  guint n;

  g_assert_cmpuint (tw_m4_polyline_get_n_paths (line), ==, 1);
  v = tw_m4_polyline_get_path (line, 0, &n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (v[i].x, ==, expected[i].x);
      g_assert_cmpfloat (v[i].value, ==, expected[i].value);
    }
}

/* A week at 1 Hz with one sample far off: averaging or skipping points
 * would lose it; the envelope must not. */
static void
test_spike_preserved (void)
{
  guint n = WEEK_SECONDS;
  g_autofree TwPoint *points = g_new (TwPoint, n);
  gint64 t_to = (gint64) WEEK_SECONDS * SEC;
  guint spike_x;
  gboolean found = FALSE;
  g_autoptr(TwM4) m4 = NULL;
  g_autoptr(TwM4Polyline) line = NULL;
  const TwM4Vertex *v;
  guint n_vertices;

  for (guint i = 0; i < n; i++)
    points[i] = pt ((gint64) i * SEC, BASELINE + 5.0 * sin (i / 600.0));
  points[SPIKE_INDEX].value = SPIKE_VALUE;
  spike_x = (guint) ((gint64) SPIKE_INDEX * SEC * WEEK_WIDTH / t_to);

  m4 = tw_m4_new (points, n, 0, t_to, WEEK_WIDTH);
  g_assert_cmpuint (m4->n_inside, ==, n);
  for (guint x = 0; x < WEEK_WIDTH; x++)
    {
      g_assert_true (m4->columns[x].has_data);
      if (x == spike_x)
        g_assert_cmpfloat (m4->columns[x].max, ==, SPIKE_VALUE);
      else
        g_assert_cmpfloat (m4->columns[x].max, <=, BASELINE + 5.0);
    }

  line = tw_m4_polyline_new (m4, tw_m4_auto_gap (points, n));
  g_assert_cmpuint (tw_m4_polyline_get_n_paths (line), ==, 1);
  v = tw_m4_polyline_get_path (line, 0, &n_vertices);
  /* O(W) output however many points went in. */
  g_assert_cmpuint (n_vertices, ==, 4 * WEEK_WIDTH);
  for (guint i = 0; i < n_vertices; i++)
    if (v[i].value == SPIKE_VALUE)
      {
        g_assert_cmpfloat (v[i].x, ==, spike_x + 0.5);
        found = TRUE;
      }
  g_assert_true (found);
}

/* 1 Hz for 100 s, a pause of @pause_s, 1 Hz for 100 s. */
static GArray *
make_paused_series (gint64 pause_us)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (TwPoint));

  for (guint i = 0; i < 100; i++)
    {
      TwPoint p = pt ((gint64) i * SEC, 60.0 + i % 7);

      g_array_append_val (points, p);
    }
  for (guint i = 0; i < 100; i++)
    {
      TwPoint p = pt (99 * SEC + pause_us + (gint64) i * SEC, 80.0 + i % 5);

      g_array_append_val (points, p);
    }
  return points;
}

static void
test_gap_splits (void)
{
  g_autoptr(GArray) points = make_paused_series (600 * SEC);
  gint64 t_to = 800 * SEC;
  g_autoptr(TwM4) m4 = tw_m4_new ((TwPoint *) points->data, points->len, 0, t_to, 800);
  g_autoptr(TwM4Polyline) line = tw_m4_polyline_new (m4, 3 * SEC);
  const TwM4Vertex *v;
  guint n;

  g_assert_cmpuint (tw_m4_polyline_get_n_paths (line), ==, 2);

  /* One column per second: the first part ends at second 99, the second
   * starts at second 699. */
  v = tw_m4_polyline_get_path (line, 0, &n);
  g_assert_cmpuint (n, ==, 4 * 100);
  g_assert_cmpfloat (v[0].x, ==, 0.5);
  g_assert_cmpfloat (v[n - 1].x, ==, 99.5);
  v = tw_m4_polyline_get_path (line, 1, &n);
  g_assert_cmpuint (n, ==, 4 * 100);
  g_assert_cmpfloat (v[0].x, ==, 699.5);
  g_assert_cmpfloat (v[0].value, ==, 80.0);
}

static void
test_gap_small_joins (void)
{
  g_autoptr(GArray) points = make_paused_series (5 * SEC / 2);
  g_autoptr(GArray) exact = make_paused_series (3 * SEC);
  g_autoptr(TwM4) m4 = tw_m4_new ((TwPoint *) points->data, points->len, 0, 300 * SEC, 300);
  g_autoptr(TwM4Polyline) line = tw_m4_polyline_new (m4, 3 * SEC);
  g_autoptr(TwM4) m4_exact = tw_m4_new ((TwPoint *) exact->data, exact->len, 0, 300 * SEC, 300);
  g_autoptr(TwM4Polyline) line_exact = tw_m4_polyline_new (m4_exact, 3 * SEC);
  g_autoptr(TwM4Polyline) line_tight = tw_m4_polyline_new (m4_exact, 3 * SEC - 1);

  g_assert_cmpuint (tw_m4_polyline_get_n_paths (line), ==, 1);
  /* A pause of exactly the threshold does not exceed it. */
  g_assert_cmpuint (tw_m4_polyline_get_n_paths (line_exact), ==, 1);
  g_assert_cmpuint (tw_m4_polyline_get_n_paths (line_tight), ==, 2);
}

/* Zoomed in, columns without points between samples are bridged when the
 * samples are closer than the threshold. */
static void
test_gap_empty_columns_joined (void)
{
  const TwPoint points[] = { pt (0, 1.0), pt (SEC, 2.0), pt (2 * SEC, 3.0) };
  g_autoptr(TwM4) m4 = tw_m4_new (points, G_N_ELEMENTS (points), 0, 3 * SEC, 300);
  g_autoptr(TwM4Polyline) line = tw_m4_polyline_new (m4, 3 * SEC);
  guint n;

  g_assert_false (m4->columns[50].has_data);
  g_assert_cmpuint (tw_m4_polyline_get_n_paths (line), ==, 1);
  tw_m4_polyline_get_path (line, 0, &n);
  g_assert_cmpuint (n, ==, 3 * 4);
}

static void
test_outside_points (void)
{
  /* Ten seconds over ten columns. Before: -1 s at 10; after: 12 s at 20;
   * inside 1..8 s at 0. */
  TwPoint points[10];
  g_autoptr(TwM4) m4 = NULL;
  g_autoptr(TwM4Polyline) reaching = NULL;
  g_autoptr(TwM4Polyline) stopping = NULL;
  const TwM4Vertex *v;
  guint n;

  points[0] = pt (-1 * SEC, 10.0);
  for (guint i = 1; i <= 8; i++)
    points[i] = pt ((gint64) i * SEC, 0.0);
  points[9] = pt (12 * SEC, 20.0);

  m4 = tw_m4_new (points, G_N_ELEMENTS (points), 0, 10 * SEC, 10);
  g_assert_cmpuint (m4->n_inside, ==, 8);
  g_assert_cmpuint (m4->first_inside, ==, 1);
  g_assert_true (m4->has_before);
  g_assert_cmpint (m4->before.ts, ==, -1 * SEC);
  g_assert_true (m4->has_after);
  g_assert_cmpint (m4->after.ts, ==, 12 * SEC);
  g_assert_false (m4->columns[0].has_data);
  g_assert_false (m4->columns[9].has_data);

  /* Close enough: the line reaches both edges at the values it has there. */
  reaching = tw_m4_polyline_new (m4, 5 * SEC);
  g_assert_cmpuint (tw_m4_polyline_get_n_paths (reaching), ==, 1);
  v = tw_m4_polyline_get_path (reaching, 0, &n);
  g_assert_cmpuint (n, ==, 1 + 8 * 4 + 1);
  g_assert_cmpfloat (v[0].x, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (v[0].value, 5.0, 1e-9);
  g_assert_cmpfloat (v[1].x, ==, 1.5);
  g_assert_cmpfloat (v[n - 1].x, ==, 10.0);
  g_assert_cmpfloat_with_epsilon (v[n - 1].value, 10.0, 1e-9);

  /* Too far: the line stops at the last sample; no bridge to the edge. */
  stopping = tw_m4_polyline_new (m4, 3 * SEC / 2);
  g_assert_cmpuint (tw_m4_polyline_get_n_paths (stopping), ==, 1);
  v = tw_m4_polyline_get_path (stopping, 0, &n);
  g_assert_cmpuint (n, ==, 8 * 4);
  g_assert_cmpfloat (v[0].x, ==, 1.5);
  g_assert_cmpfloat (v[n - 1].x, ==, 8.5);
}

/* A point exactly at t_to belongs to the next range. */
static void
test_range_half_open (void)
{
  const TwPoint points[] = { pt (0, 1.0), pt (10 * SEC, 2.0) };
  g_autoptr(TwM4) m4 = tw_m4_new (points, G_N_ELEMENTS (points), 0, 10 * SEC, 10);

  g_assert_cmpuint (m4->n_inside, ==, 1);
  g_assert_true (m4->has_after);
  g_assert_cmpfloat (m4->after.value, ==, 2.0);
  g_assert_false (m4->columns[9].has_data);
}

static void
test_only_outside (void)
{
  const TwPoint points[] = { pt (-1 * SEC, 4.0), pt (11 * SEC, 16.0) };
  g_autoptr(TwM4) m4 = tw_m4_new (points, G_N_ELEMENTS (points), 0, 10 * SEC, 10);
  g_autoptr(TwM4Polyline) across = tw_m4_polyline_new (m4, 20 * SEC);
  g_autoptr(TwM4Polyline) gap = tw_m4_polyline_new (m4, 5 * SEC);
  const TwM4Vertex *v;
  guint n;

  g_assert_cmpuint (m4->n_inside, ==, 0);

  /* Zoomed in between two samples: a straight line across. */
  g_assert_cmpuint (tw_m4_polyline_get_n_paths (across), ==, 1);
  v = tw_m4_polyline_get_path (across, 0, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpfloat (v[0].x, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (v[0].value, 5.0, 1e-9);
  g_assert_cmpfloat (v[1].x, ==, 10.0);
  g_assert_cmpfloat_with_epsilon (v[1].value, 15.0, 1e-9);

  /* A range inside a gap shows nothing. */
  g_assert_cmpuint (tw_m4_polyline_get_n_paths (gap), ==, 0);
}

static void
test_width_one (void)
{
  const TwPoint points[] = { pt (0, 3.0), pt (SEC, 9.0), pt (2 * SEC, -1.0), pt (3 * SEC, 4.0) };
  g_autoptr(TwM4) m4 = tw_m4_new (points, G_N_ELEMENTS (points), 0, 4 * SEC, 1);
  g_autoptr(TwM4Polyline) line = tw_m4_polyline_new (m4, 2 * SEC);
  const TwM4Vertex *v;
  guint n;

  assert_column (m4, 0, 4, 3.0, 4.0, -1.0, 9.0);
  g_assert_cmpuint (tw_m4_polyline_get_n_paths (line), ==, 1);
  v = tw_m4_polyline_get_path (line, 0, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat (v[0].x, ==, 0.5);
  g_assert_cmpfloat (v[1].value, ==, -1.0);
  g_assert_cmpfloat (v[2].value, ==, 9.0);
}

static void
test_empty (void)
{
  g_autoptr(TwM4) m4 = tw_m4_new (NULL, 0, 0, 10 * SEC, 100);
  g_autoptr(TwM4Polyline) line = tw_m4_polyline_new (m4, 3 * SEC);

  g_assert_cmpuint (m4->n_inside, ==, 0);
  g_assert_false (m4->has_before);
  g_assert_false (m4->has_after);
  for (guint x = 0; x < 100; x++)
    g_assert_false (m4->columns[x].has_data);
  g_assert_cmpuint (tw_m4_polyline_get_n_paths (line), ==, 0);
  g_assert_cmpuint (line->vertices->len, ==, 0);
  g_assert_cmpint (tw_m4_auto_gap (NULL, 0), ==, TW_M4_MIN_AUTO_GAP_US);
}

static void
test_auto_gap (void)
{
  g_autofree TwPoint *points = g_new (TwPoint, 5000);
  const TwPoint single[] = { pt (0, 1.0) };

  /* 1 Hz with a few long pauses: the median ignores the pauses. */
  for (guint i = 0; i < 5000; i++)
    points[i] = pt ((gint64) i * SEC + (i > 2500 ? 3600 * SEC : 0) + (i > 4000 ? 600 * SEC : 0),
                    1.0);
  g_assert_cmpint (tw_m4_auto_gap (points, 5000), ==, 3 * SEC);

  /* Every five minutes: fifteen. */
  for (guint i = 0; i < 50; i++)
    points[i] = pt ((gint64) i * 300 * SEC, 1.0);
  g_assert_cmpint (tw_m4_auto_gap (points, 50), ==, 900 * SEC);

  /* 10 Hz: the floor of two seconds. */
  for (guint i = 0; i < 50; i++)
    points[i] = pt ((gint64) i * SEC / 10, 1.0);
  g_assert_cmpint (tw_m4_auto_gap (points, 50), ==, TW_M4_MIN_AUTO_GAP_US);

  g_assert_cmpint (tw_m4_auto_gap (single, 1), ==, TW_M4_MIN_AUTO_GAP_US);
}

/* Sorted random points from @t_start to @t_end: mostly about 1 Hz with
 * jitter, bursts of several samples in one second, and pauses of minutes
 * (empty columns and empty buckets). */
static GArray *
random_points (gint64 t_start,
               gint64 t_end)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (TwPoint));
  gint64 ts = t_start + g_test_rand_int_range (0, SEC);

  while (ts < t_end)
    {
      TwPoint p = pt (ts, g_test_rand_int_range (-400, 400) / 4.0);
      int r = g_test_rand_int_range (0, 1000);

      g_array_append_val (points, p);
      if (r < 5)
        ts += g_test_rand_int_range (60, 900) * SEC;     /* a pause */
      else if (r < 100)
        ts += g_test_rand_int_range (1, SEC / 5);        /* a burst */
      else
        ts += SEC + g_test_rand_int_range (-SEC / 3, SEC / 3);
    }
  return points;
}

/* What the store's rollups hold: the points folded into epoch-aligned
 * buckets of @resolution_us, oldest first. */
static GArray *
aggregate_points (const GArray *points,
                  gint64        resolution_us)
{
  GArray *buckets = g_array_new (FALSE, FALSE, sizeof (TwM4Column));
  gint64 open_bucket = G_MININT64;

  for (guint i = 0; i < points->len; i++)
    {
      const TwPoint *p = &g_array_index (points, TwPoint, i);
      gint64 bucket = p->ts / resolution_us;   /* the points are after the epoch */
      TwM4Column *b;

      if (buckets->len == 0 || bucket != open_bucket)
        {
          TwM4Column fresh = { TRUE, 0, p->ts, p->ts, p->value, p->value, p->value, p->value };

          g_array_append_val (buckets, fresh);
          open_bucket = bucket;
        }
      b = &g_array_index (buckets, TwM4Column, buckets->len - 1);
      b->n_points++;
      b->last_ts = p->ts;
      b->last = p->value;
      b->min = MIN (b->min, p->value);
      b->max = MAX (b->max, p->value);
    }
  return buckets;
}

static void
assert_m4_equal (const TwM4 *got,
                 const TwM4 *want)
{
  g_assert_cmpint (got->t_from, ==, want->t_from);
  g_assert_cmpint (got->t_to, ==, want->t_to);
  g_assert_cmpuint (got->width, ==, want->width);
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

#define AGG_T0 (G_GINT64_CONSTANT (498611) * TW_USEC_PER_HOUR)   /* 2026-11-18 11:00 UTC */

/* Rollups whose buckets never straddle a column give exactly the raw
 * envelope: 1 s buckets into 1 s, 2 s, 6 s and 1 min columns, 1 min
 * buckets into 1, 3 and 10 min columns. */
static void
test_aggregates_equal_raw (void)
{
  static const struct
  {
    gint64 resolution;
    gint64 span;
    guint  width;
  } cases[] = {
    { SEC, 600 * SEC, 600 },
    { SEC, 600 * SEC, 300 },
    { SEC, 3600 * SEC, 600 },
    { SEC, 7200 * SEC, 120 },
    { 60 * SEC, 6 * 3600 * SEC, 360 },
    { 60 * SEC, 6 * 3600 * SEC, 120 },
    { 60 * SEC, 6 * 3600 * SEC, 36 },
  };
  /* Data from before the range to after it, so both neighbours exist. */
  g_autoptr(GArray) points = random_points (AGG_T0 - 1800 * SEC, AGG_T0 + 7 * 3600 * SEC);
  const TwPoint *pts = (const TwPoint *) points->data;

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GArray) buckets = aggregate_points (points, cases[c].resolution);
      gint64 t_to = AGG_T0 + cases[c].span;
      g_autoptr(TwM4) raw = tw_m4_new (pts, points->len, AGG_T0, t_to, cases[c].width);
      g_autoptr(TwM4) agg = tw_m4_new_from_aggregates ((const TwM4Column *) buckets->data,
                                                       buckets->len, &raw->before, &raw->after,
                                                       AGG_T0, t_to, cases[c].width);
      guint empty = 0;

      g_test_message ("%" G_GINT64_FORMAT " s buckets, %u columns of %" G_GINT64_FORMAT " s",
                      cases[c].resolution / SEC, cases[c].width,
                      cases[c].span / cases[c].width / SEC);
      g_assert_true (raw->has_before && raw->has_after);
      g_assert_cmpuint (buckets->len, <, points->len);   /* some buckets hold several */
      assert_m4_equal (agg, raw);
      for (guint x = 0; x < raw->width; x++)
        empty += !raw->columns[x].has_data;
      /* The pauses leave empty columns, and they stay empty. */
      if (cases[c].span / cases[c].width < 60 * SEC)
        g_assert_cmpuint (empty, >, 0);
    }
}

/* A bucket straddling a column edge goes whole to its first sample's
 * column: nothing is lost or counted twice, and a spike shows in its own
 * column or the one before, never further off. */
static void
test_aggregates_straddle (void)
{
  const gint64 span = 3600 * SEC;
  const guint width = 47;   /* 76.6 s per column: minutes straddle */
  g_autoptr(GArray) points = random_points (AGG_T0, AGG_T0 + span);
  g_autoptr(GArray) buckets = NULL;
  g_autoptr(TwM4) raw = NULL;
  g_autoptr(TwM4) agg = NULL;
  guint spike = points->len / 2;
  guint raw_x, agg_x = G_MAXUINT;
  guint64 total = 0;

  g_array_index (points, TwPoint, spike).value = 1000.0;
  buckets = aggregate_points (points, 60 * SEC);
  raw = tw_m4_new ((const TwPoint *) points->data, points->len, AGG_T0, AGG_T0 + span, width);
  agg = tw_m4_new_from_aggregates ((const TwM4Column *) buckets->data, buckets->len, NULL, NULL,
                                   AGG_T0, AGG_T0 + span, width);

  g_assert_false (agg->has_before);
  g_assert_false (agg->has_after);
  g_assert_cmpuint (agg->n_inside, ==, points->len);
  raw_x = (g_array_index (points, TwPoint, spike).ts - AGG_T0) * width / span;
  for (guint x = 0; x < width; x++)
    {
      total += agg->columns[x].n_points;
      if (agg->columns[x].has_data && agg->columns[x].max == 1000.0)
        {
          g_assert_cmpuint (agg_x, ==, G_MAXUINT);   /* only once */
          agg_x = x;
        }
    }
  g_assert_cmpuint (total, ==, points->len);
  g_assert_true (agg_x == raw_x || agg_x + 1 == raw_x);
  /* Column by column: the buckets whose first sample falls in it. */
  {
    g_autofree guint *n = g_new0 (guint, width);
    g_autofree gint64 *first_ts = g_new0 (gint64, width);

    for (guint i = 0; i < buckets->len; i++)
      {
        const TwM4Column *b = &g_array_index (buckets, TwM4Column, i);
        guint x = (b->first_ts - AGG_T0) * width / span;

        if (n[x] == 0)
          first_ts[x] = b->first_ts;
        n[x] += b->n_points;
      }
    for (guint x = 0; x < width; x++)
      {
        g_assert_cmpuint (agg->columns[x].n_points, ==, n[x]);
        if (n[x] > 0)
          g_assert_cmpint (agg->columns[x].first_ts, ==, first_ts[x]);
      }
  }
  /* The first sample of the range is exact. */
  g_assert_cmpint (agg->columns[0].first_ts, ==, raw->columns[0].first_ts);
}

/* Buckets whose first sample is outside the range have no column. */
static void
test_aggregates_outside (void)
{
  const TwM4Column buckets[] = {
    { TRUE, 2, 5 * SEC, 6 * SEC, 1.0, 2.0, 1.0, 2.0 },
    { TRUE, 1, 10 * SEC, 10 * SEC, 3.0, 3.0, 3.0, 3.0 },
    { FALSE, 0, 12 * SEC, 12 * SEC, 9.0, 9.0, 9.0, 9.0 },
    { TRUE, 3, 15 * SEC, 19 * SEC, 4.0, 5.0, 0.0, 7.0 },
    { TRUE, 1, 20 * SEC, 20 * SEC, 8.0, 8.0, 8.0, 8.0 },
  };
  g_autoptr(TwM4) m4 = tw_m4_new_from_aggregates (buckets, G_N_ELEMENTS (buckets), NULL, NULL,
                                                  10 * SEC, 20 * SEC, 2);

  g_assert_cmpuint (m4->n_inside, ==, 4);
  assert_column (m4, 0, 1, 3.0, 3.0, 3.0, 3.0);
  assert_column (m4, 1, 3, 4.0, 5.0, 0.0, 7.0);
}

/* Buckets added one at a time, in any order, give the same envelope as
 * all at once, and the raw one where they do not straddle columns. */
static void
test_aggregates_one_by_one (void)
{
  const gint64 span = 6 * 3600 * SEC;
  g_autoptr(GArray) points = random_points (AGG_T0 - 600 * SEC, AGG_T0 + span + 600 * SEC);
  g_autoptr(GArray) buckets = aggregate_points (points, 60 * SEC);
  g_autoptr(TwM4) raw = tw_m4_new ((const TwPoint *) points->data, points->len, AGG_T0,
                                   AGG_T0 + span, 120);
  g_autoptr(TwM4) added = tw_m4_new_empty (AGG_T0, AGG_T0 + span, 120);
  g_autoptr(TwM4) straddling = tw_m4_new_empty (AGG_T0, AGG_T0 + span, 77);
  g_autoptr(TwM4) at_once = tw_m4_new_from_aggregates ((const TwM4Column *) buckets->data,
                                                       buckets->len, NULL, NULL, AGG_T0,
                                                       AGG_T0 + span, 77);
  TwM4Column *b = (TwM4Column *) buckets->data;

  /* Shuffled. */
  for (guint i = buckets->len - 1; i > 0; i--)
    {
      guint j = g_test_rand_int_range (0, i + 1);
      TwM4Column tmp = b[i];

      b[i] = b[j];
      b[j] = tmp;
    }
  for (guint i = 0; i < buckets->len; i++)
    {
      tw_m4_add_aggregate (added, &b[i]);
      tw_m4_add_aggregate (straddling, &b[i]);
    }
  added->has_before = raw->has_before;
  added->before = raw->before;
  added->has_after = raw->has_after;
  added->after = raw->after;
  assert_m4_equal (added, raw);
  assert_m4_equal (straddling, at_once);
}

/* Merging columns to a width that divides the old one is the same as
 * reducing the raw points at that width. */
static void
test_rebin_divisor (void)
{
  static const guint widths[] = { 600, 400, 300, 240, 100, 7, 1 };
  const gint64 t_from = AGG_T0 + 123457;
  const gint64 t_to = t_from + 2 * 3600 * SEC + 999;
  g_autoptr(GArray) points = random_points (t_from - 600 * SEC, t_to + 600 * SEC);
  const TwPoint *pts = (const TwPoint *) points->data;
  g_autoptr(TwM4) wide = tw_m4_new (pts, points->len, t_from, t_to, 8400);

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autoptr(TwM4) want = tw_m4_new (pts, points->len, t_from, t_to, widths[i]);
      g_autoptr(TwM4) got = tw_m4_rebin (wide, widths[i]);

      g_test_message ("8400 → %u columns", widths[i]);
      g_assert_true (8400 % widths[i] == 0);
      g_assert_cmpuint (got->first_inside, ==, want->first_inside);
      assert_m4_equal (got, want);
    }
}

/* Another width: nothing lost, and each old column lands where its first
 * point is. */
static void
test_rebin_other_width (void)
{
  const gint64 t_from = AGG_T0;
  const gint64 t_to = t_from + 3600 * SEC;
  g_autoptr(GArray) points = random_points (t_from, t_to);
  g_autoptr(TwM4) wide = tw_m4_new ((const TwPoint *) points->data, points->len, t_from, t_to,
                                    1000);
  g_autoptr(TwM4) got = tw_m4_rebin (wide, 333);
  guint64 total = 0;
  double max_wide = -G_MAXDOUBLE, max_got = -G_MAXDOUBLE;

  for (guint x = 0; x < 333; x++)
    {
      total += got->columns[x].n_points;
      if (got->columns[x].has_data)
        max_got = MAX (max_got, got->columns[x].max);
    }
  for (guint x = 0; x < 1000; x++)
    if (wide->columns[x].has_data)
      {
        guint nx = (wide->columns[x].first_ts - t_from) * 333 / (t_to - t_from);

        max_wide = MAX (max_wide, wide->columns[x].max);
        g_assert_cmpfloat (got->columns[nx].max, >=, wide->columns[x].max);
        g_assert_cmpint (got->columns[nx].first_ts, <=, wide->columns[x].first_ts);
        g_assert_cmpint (got->columns[nx].last_ts, >=, wide->columns[x].last_ts);
      }
  g_assert_cmpuint (total, ==, points->len);
  g_assert_cmpfloat (max_got, ==, max_wide);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/m4/columns/known", test_columns_known);
  g_test_add_func ("/m4/columns/formula", test_columns_formula);
  g_test_add_func ("/m4/polyline/vertices", test_polyline_vertices);
  g_test_add_func ("/m4/spike/week", test_spike_preserved);
  g_test_add_func ("/m4/gap/splits", test_gap_splits);
  g_test_add_func ("/m4/gap/small-joins", test_gap_small_joins);
  g_test_add_func ("/m4/gap/empty-columns-joined", test_gap_empty_columns_joined);
  g_test_add_func ("/m4/range/outside", test_outside_points);
  g_test_add_func ("/m4/range/half-open", test_range_half_open);
  g_test_add_func ("/m4/range/only-outside", test_only_outside);
  g_test_add_func ("/m4/edge/width-one", test_width_one);
  g_test_add_func ("/m4/edge/empty", test_empty);
  g_test_add_func ("/m4/auto-gap", test_auto_gap);
  g_test_add_func ("/m4/aggregates/equal-raw", test_aggregates_equal_raw);
  g_test_add_func ("/m4/aggregates/straddle", test_aggregates_straddle);
  g_test_add_func ("/m4/aggregates/outside", test_aggregates_outside);
  g_test_add_func ("/m4/aggregates/one-by-one", test_aggregates_one_by_one);
  g_test_add_func ("/m4/rebin/divisor", test_rebin_divisor);
  g_test_add_func ("/m4/rebin/other-width", test_rebin_other_width);

  return g_test_run ();
}
