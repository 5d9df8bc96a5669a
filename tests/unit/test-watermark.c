#include "tw-watermark.h"

#define SEC   ((gint64) G_USEC_PER_SEC)
#define BOUND (2 * SEC)
#define IDLE  (10 * SEC)
#define T0    (1000000 * SEC)   /* event times far from processing times */

enum { SOURCE_A = 1, SOURCE_B = 2, SOURCE_UNKNOWN = 99 };

static void
test_empty (void)
{
  g_autoptr(TwWatermarks) marks = tw_watermarks_new (BOUND, IDLE);

  g_assert_cmpint (tw_watermarks_get (marks, 0), ==, TW_WATERMARK_NONE);
  g_assert_cmpint (tw_watermarks_get_source (marks, SOURCE_UNKNOWN), ==, TW_WATERMARK_NONE);
  g_assert_true (tw_watermarks_is_idle (marks, SOURCE_UNKNOWN, 0));
}

static void
test_minimum_of_active_sources (void)
{
  g_autoptr(TwWatermarks) marks = tw_watermarks_new (BOUND, IDLE);

  tw_watermarks_observe (marks, SOURCE_A, T0 + 100 * SEC, 0);
  g_assert_cmpint (tw_watermarks_get (marks, 0), ==, T0 + 98 * SEC);
  tw_watermarks_observe (marks, SOURCE_B, T0 + 120 * SEC, 0);
  g_assert_cmpint (tw_watermarks_get_source (marks, SOURCE_A), ==, T0 + 98 * SEC);
  g_assert_cmpint (tw_watermarks_get_source (marks, SOURCE_B), ==, T0 + 118 * SEC);
  g_assert_cmpint (tw_watermarks_get (marks, 1 * SEC), ==, T0 + 98 * SEC);

  /* An out-of-order event does not lower its source's watermark. */
  tw_watermarks_observe (marks, SOURCE_A, T0 + 50 * SEC, 2 * SEC);
  g_assert_cmpint (tw_watermarks_get_source (marks, SOURCE_A), ==, T0 + 98 * SEC);
  tw_watermarks_observe (marks, SOURCE_A, T0 + 105 * SEC, 3 * SEC);
  g_assert_cmpint (tw_watermarks_get (marks, 3 * SEC), ==, T0 + 103 * SEC);
}

static void
test_idle_source_does_not_stall (void)
{
  g_autoptr(TwWatermarks) marks = tw_watermarks_new (BOUND, IDLE);
  gint64 now;

  /* B delivers once, A every second of processing time, 1 s of event time
   * per event. */
  tw_watermarks_observe (marks, SOURCE_B, T0 + 50 * SEC, 0);
  for (now = 0; now < IDLE; now += SEC)
    {
      tw_watermarks_observe (marks, SOURCE_A, T0 + 100 * SEC + now, now);
      /* B is silent but not yet idle: it holds the watermark. */
      g_assert_false (tw_watermarks_is_idle (marks, SOURCE_B, now));
      g_assert_cmpint (tw_watermarks_get (marks, now), ==, T0 + 48 * SEC);
    }
  /* Exactly the timeout: B is idle, A alone decides. */
  tw_watermarks_observe (marks, SOURCE_A, T0 + 100 * SEC + IDLE, IDLE);
  g_assert_true (tw_watermarks_is_idle (marks, SOURCE_B, IDLE));
  g_assert_false (tw_watermarks_is_idle (marks, SOURCE_A, IDLE));
  g_assert_cmpint (tw_watermarks_get (marks, IDLE), ==, T0 + 98 * SEC + IDLE);
  tw_watermarks_observe (marks, SOURCE_A, T0 + 100 * SEC + IDLE + SEC, IDLE + SEC);
  g_assert_cmpint (tw_watermarks_get (marks, IDLE + SEC), ==, T0 + 99 * SEC + IDLE);
}

static void
test_all_idle_takes_maximum (void)
{
  g_autoptr(TwWatermarks) marks = tw_watermarks_new (BOUND, IDLE);

  tw_watermarks_observe (marks, SOURCE_A, T0 + 100 * SEC, 0);
  tw_watermarks_observe (marks, SOURCE_B, T0 + 70 * SEC, 0);
  g_assert_cmpint (tw_watermarks_get (marks, IDLE - 1), ==, T0 + 68 * SEC);
  /* Both silent: the last windows of the furthest source still close. */
  g_assert_cmpint (tw_watermarks_get (marks, IDLE), ==, T0 + 98 * SEC);
  g_assert_cmpint (tw_watermarks_get (marks, 100 * IDLE), ==, T0 + 98 * SEC);
}

static void
test_returning_source_never_moves_back (void)
{
  g_autoptr(TwWatermarks) marks = tw_watermarks_new (BOUND, IDLE);

  tw_watermarks_observe (marks, SOURCE_A, T0 + 100 * SEC, 0);
  tw_watermarks_observe (marks, SOURCE_B, T0 + 50 * SEC, 0);
  tw_watermarks_observe (marks, SOURCE_A, T0 + 110 * SEC, 5 * SEC);
  g_assert_cmpint (tw_watermarks_get (marks, 5 * SEC), ==, T0 + 48 * SEC);
  g_assert_cmpint (tw_watermarks_get (marks, IDLE), ==, T0 + 108 * SEC);

  /* B comes back behind A: the minimum would be 58 s, the watermark stays. */
  tw_watermarks_observe (marks, SOURCE_B, T0 + 60 * SEC, 12 * SEC);
  g_assert_false (tw_watermarks_is_idle (marks, SOURCE_B, 12 * SEC));
  g_assert_cmpint (tw_watermarks_get_source (marks, SOURCE_B), ==, T0 + 58 * SEC);
  g_assert_cmpint (tw_watermarks_get (marks, 12 * SEC), ==, T0 + 108 * SEC);

  /* B overtakes A; A (last seen at 5 s) is still active and now holds. */
  tw_watermarks_observe (marks, SOURCE_B, T0 + 200 * SEC, 13 * SEC);
  g_assert_cmpint (tw_watermarks_get (marks, 13 * SEC), ==, T0 + 108 * SEC);
  /* A idle from 15 s: B alone. */
  g_assert_cmpint (tw_watermarks_get (marks, 15 * SEC), ==, T0 + 198 * SEC);

  /* A comes back far behind while B is idle: no step back either. */
  tw_watermarks_observe (marks, SOURCE_A, T0 + 120 * SEC, 100 * SEC);
  g_assert_cmpint (tw_watermarks_get (marks, 100 * SEC), ==, T0 + 198 * SEC);
  tw_watermarks_observe (marks, SOURCE_A, T0 + 300 * SEC, 101 * SEC);
  g_assert_cmpint (tw_watermarks_get (marks, 101 * SEC), ==, T0 + 298 * SEC);
}

static void
test_zero_bound (void)
{
  g_autoptr(TwWatermarks) marks = tw_watermarks_new (0, IDLE);

  tw_watermarks_observe (marks, SOURCE_A, T0, 0);
  g_assert_cmpint (tw_watermarks_get (marks, 0), ==, T0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/watermark/empty", test_empty);
  g_test_add_func ("/watermark/minimum-of-active-sources", test_minimum_of_active_sources);
  g_test_add_func ("/watermark/idle-source-does-not-stall", test_idle_source_does_not_stall);
  g_test_add_func ("/watermark/all-idle-takes-maximum", test_all_idle_takes_maximum);
  g_test_add_func ("/watermark/returning-source-never-moves-back",
                   test_returning_source_never_moves_back);
  g_test_add_func ("/watermark/zero-bound", test_zero_bound);

  return g_test_run ();
}
