#include <math.h>

#include "tw-aggregate.h"

#define SEC ((gint64) G_USEC_PER_SEC)

typedef struct
{
  gint64 ts;
  double value;
} Sample;

/* Out of order on purpose; values are multiples of 1/4 so every sum is
 * exact and equality can be asserted. */
static const Sample samples[] = {
  { 5 * SEC, 70.25 }, { 1 * SEC, 60.5 }, { 9 * SEC, 65.0 }, { 3 * SEC, 90.75 },
  { 7 * SEC, 55.0 }, { 2 * SEC, 80.0 }, { 8 * SEC, 61.25 }, { 4 * SEC, 58.5 },
};

static void
assert_aggregate_equal (const TwAggregate *a,
                        const TwAggregate *b)
{
  g_assert_cmpint (a->n, ==, b->n);
  g_assert_cmpfloat (a->sum, ==, b->sum);
  g_assert_cmpfloat (a->min, ==, b->min);
  g_assert_cmpfloat (a->max, ==, b->max);
  g_assert_cmpfloat (a->first, ==, b->first);
  g_assert_cmpint (a->first_ts, ==, b->first_ts);
  g_assert_cmpfloat (a->last, ==, b->last);
  g_assert_cmpint (a->last_ts, ==, b->last_ts);
}

static void
test_add_known_answer (void)
{
  TwAggregate agg = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    tw_aggregate_add (&agg, samples[i].ts, samples[i].value);

  g_assert_cmpint (agg.n, ==, 8);
  g_assert_cmpfloat (agg.sum, ==, 541.25);
  g_assert_cmpfloat (agg.min, ==, 55.0);
  g_assert_cmpfloat (agg.max, ==, 90.75);
  /* First and last by event time, not by arrival. */
  g_assert_cmpfloat (agg.first, ==, 60.5);
  g_assert_cmpint (agg.first_ts, ==, 1 * SEC);
  g_assert_cmpfloat (agg.last, ==, 65.0);
  g_assert_cmpint (agg.last_ts, ==, 9 * SEC);
  g_assert_cmpfloat (tw_aggregate_mean (&agg), ==, 541.25 / 8);
}

static void
test_merge_equals_one_pass (void)
{
  TwAggregate whole = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    tw_aggregate_add (&whole, samples[i].ts, samples[i].value);

  /* Every split point, including empty halves. */
  for (guint split = 0; split <= G_N_ELEMENTS (samples); split++)
    {
      TwAggregate left = { 0 }, right = { 0 }, merged = { 0 }, reversed = { 0 };

      for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
        tw_aggregate_add (i < split ? &left : &right, samples[i].ts, samples[i].value);
      tw_aggregate_merge (&merged, &left);
      tw_aggregate_merge (&merged, &right);
      assert_aggregate_equal (&merged, &whole);

      /* Distinct times: the order of merging does not matter. */
      tw_aggregate_merge (&reversed, &right);
      tw_aggregate_merge (&reversed, &left);
      assert_aggregate_equal (&reversed, &whole);
    }
}

static void
test_empty (void)
{
  TwAggregate empty = { 0 };
  TwAggregate one = { 0 };

  g_assert_true (isnan (tw_aggregate_mean (&empty)));

  /* Negative values: an empty aggregate's zero min/max must not leak in. */
  tw_aggregate_add (&one, 10 * SEC, -3.5);
  tw_aggregate_merge (&one, &empty);
  g_assert_cmpint (one.n, ==, 1);
  g_assert_cmpfloat (one.min, ==, -3.5);
  g_assert_cmpfloat (one.max, ==, -3.5);
  tw_aggregate_merge (&empty, &one);
  assert_aggregate_equal (&empty, &one);
}

static void
test_equal_times (void)
{
  TwAggregate agg = { 0 };
  TwAggregate a = { 0 }, b = { 0 };

  /* Like one pass over a stable sort: first is the first added at the
   * earliest time, last the last added at the latest time. */
  tw_aggregate_add (&agg, 5 * SEC, 1.0);
  tw_aggregate_add (&agg, 5 * SEC, 2.0);
  tw_aggregate_add (&agg, 5 * SEC, 3.0);
  g_assert_cmpfloat (agg.first, ==, 1.0);
  g_assert_cmpfloat (agg.last, ==, 3.0);

  tw_aggregate_add (&a, 5 * SEC, 1.0);
  tw_aggregate_add (&b, 5 * SEC, 2.0);
  tw_aggregate_add (&b, 5 * SEC, 3.0);
  tw_aggregate_merge (&a, &b);
  assert_aggregate_equal (&a, &agg);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/aggregate/add-known-answer", test_add_known_answer);
  g_test_add_func ("/aggregate/merge-equals-one-pass", test_merge_equals_one_pass);
  g_test_add_func ("/aggregate/empty", test_empty);
  g_test_add_func ("/aggregate/equal-times", test_equal_times);

  return g_test_run ();
}
