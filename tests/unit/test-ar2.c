#include <math.h>
#include <string.h>

#include "tw-ar2.h"
#include "tw-error.h"

/* Nightscout's tests/ar2.test.js, ported: each case names the "it(…)"
 * it comes from. Nightscout asserts the level and the notification title
 * ("Warning, HIGH predicted" = level WARN, event high); the six values
 * and the loss are what lib/plugins/ar2.js computes for the same two
 * readings (its "BG 15m: 206" line is our predicted[2]). */

#define MINUTE ((gint64) 60 * G_USEC_PER_SEC)
#define NOW    ((gint64) 1795000000 * G_USEC_PER_SEC)

typedef struct
{
  const char *nightscout_test;
  double      previous, now;
  double      predicted[TW_AR2_STEPS];
  double      loss;
  TwAr2Level  level;
  TwAr2Event  event;
} Case;

static const Case nightscout_cases[] = {
  { "Not trigger an alarm when in range",
    100, 105, { 109, 112, 115, 117, 118, 120 }, 0.000631413, TW_AR2_LEVEL_NONE, TW_AR2_EVENT_NONE },
  { "should trigger a warning when going above target (BG 15m: 206)",
    150, 170, { 186, 198, 206, 212, 216, 218 }, 0.066415207, TW_AR2_LEVEL_WARN, TW_AR2_EVENT_HIGH },
  { "should trigger a urgent alarm when going high fast",
    140, 200, { 258, 309, 350, 381, 400, 400 }, 0.258784827, TW_AR2_LEVEL_URGENT, TW_AR2_EVENT_HIGH },
  { "should trigger a warning when below target",
    90, 80, { 74, 70, 68, 66, 66, 66 }, 0.072391118, TW_AR2_LEVEL_WARN, TW_AR2_EVENT_LOW },
  { "should trigger a warning when almost below target",
    90, 83, { 79, 76, 74, 73, 73, 73 }, 0.051234994, TW_AR2_LEVEL_WARN, TW_AR2_EVENT_LOW },
  { "should trigger a urgent alarm when falling fast",
    120, 85, { 66, 56, 50, 46, 44, 43 }, 0.176691274, TW_AR2_LEVEL_URGENT, TW_AR2_EVENT_LOW },
};

static void
assert_case (const Case          *c,
             const TwAr2Forecast *f)
{
  g_test_message ("Nightscout: %s", c->nightscout_test);
  for (int i = 0; i < TW_AR2_STEPS; i++)
    g_assert_cmpfloat (f->predicted[i], ==, c->predicted[i]);
  g_assert_cmpfloat_with_epsilon (f->loss, c->loss, 1e-9);
  g_assert_cmpint (f->level, ==, c->level);
  g_assert_cmpint (f->event, ==, c->event);
}

static void
test_nightscout_cases (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (nightscout_cases); i++)
    {
      const Case *c = &nightscout_cases[i];
      TwAr2Forecast f;

      g_assert_true (tw_ar2_forecast (c->previous, c->now, &f));
      assert_case (c, &f);
      /* The same two readings as a series 5 minutes apart, as the test
       * feeds them ({mills: before}, {mills: now}). */
      {
        const TwPoint series[] = { { NOW - 5 * MINUTE, c->previous }, { NOW, c->now } };
        g_autoptr(GError) error = NULL;

        g_assert_true (tw_ar2_forecast_series (series, 2, NOW, &f, &error));
        g_assert_no_error (error);
        assert_case (c, &f);
        for (int s = 0; s < TW_AR2_STEPS; s++)
          g_assert_cmpint (f.predicted_ts[s], ==, NOW + (s + 1) * 5 * MINUTE);
      }
    }
}

/* "should trigger a warning alarm by interpolating when more than 5mins
 * apart": 120 eleven minutes before 85. delta.js interpolates back to
 * 85 + 35 / 11 × 5 = 100.9 five minutes ago, which is only a warning
 * (read 5 minutes apart the same pair is urgent, above). */
static void
test_nightscout_interpolation (void)
{
  const TwPoint series[] = { { NOW - 11 * MINUTE, 120 }, { NOW, 85 } };
  const Case expected = {
    "should trigger a warning alarm by interpolating when more than 5mins apart",
    0, 0, { 75, 69, 66, 63, 62, 62 }, 0.081928672, TW_AR2_LEVEL_WARN, TW_AR2_EVENT_LOW
  };
  g_autoptr(GError) error = NULL;
  TwAr2Forecast f;

  g_assert_true (tw_ar2_forecast_series (series, G_N_ELEMENTS (series), NOW, &f, &error));
  g_assert_no_error (error);
  assert_case (&expected, &f);
}

/* delta.js interpolates only beyond 9 minutes: 8 minutes apart the
 * earlier reading is used as it is. */
static void
test_gap_up_to_nine_minutes_is_not_interpolated (void)
{
  const TwPoint series[] = { { NOW - 20 * MINUTE, 300 }, { NOW - 8 * MINUTE, 120 }, { NOW, 85 } };
  TwAr2Forecast from_series, from_pair;

  g_assert_true (tw_ar2_forecast_series (series, G_N_ELEMENTS (series), NOW, &from_series, NULL));
  g_assert_true (tw_ar2_forecast (120, 85, &from_pair));
  g_assert_cmpint (from_series.level, ==, TW_AR2_LEVEL_URGENT);
  for (int i = 0; i < TW_AR2_STEPS; i++)
    g_assert_cmpfloat (from_series.predicted[i], ==, from_pair.predicted[i]);
}

/* ar2.js: BG_MIN 36, BG_MAX 400; okToForecast wants both readings ≥ 36;
 * checkNotifications ignores data older than 10 minutes. */
static void
test_limits (void)
{
  const TwPoint stale[] = { { NOW - 16 * MINUTE, 100 }, { NOW - 11 * MINUTE, 105 } };
  const TwPoint recent[] = { { NOW - 15 * MINUTE, 100 }, { NOW - 10 * MINUTE, 105 } };
  const TwPoint one[] = { { NOW, 100 } };
  const TwPoint unsorted[] = { { NOW, 100 }, { NOW - 5 * MINUTE, 105 } };
  g_autoptr(GError) error = NULL;
  TwAr2Forecast f;

  g_assert_false (tw_ar2_forecast (35, 100, &f));
  g_assert_false (tw_ar2_forecast (100, 35, &f));
  g_assert_false (tw_ar2_forecast (NAN, 100, &f));
  g_assert_cmpfloat (f.predicted[0], ==, 0);
  g_assert_true (tw_ar2_forecast (36, 36, &f));
  g_assert_cmpfloat (f.predicted[0], ==, 36);
  g_assert_true (tw_ar2_forecast (50, 40, &f));
  g_assert_cmpfloat (f.predicted[0], ==, 36);   /* 34.3 clamped up to BG_MIN */
  g_assert_cmpfloat (f.predicted[TW_AR2_STEPS - 1], ==, 36);
  g_assert_true (tw_ar2_forecast (400, 400, &f));
  g_assert_cmpfloat (f.predicted[0], ==, 397);
  g_assert_true (tw_ar2_forecast (300, 400, &f));
  g_assert_cmpfloat (f.predicted[0], ==, 400);   /* 488.9 clamped down to BG_MAX */

  g_assert_false (tw_ar2_forecast_series (stale, 2, NOW, &f, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "last 10 minutes"));
  g_clear_error (&error);
  g_assert_true (tw_ar2_forecast_series (recent, 2, NOW, &f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (f.predicted_ts[0], ==, NOW - 5 * MINUTE);

  g_assert_false (tw_ar2_forecast_series (one, 1, NOW, &f, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (tw_ar2_forecast_series (unsorted, 2, NOW, &f, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_clear_error (&error);
}

static void
test_strings (void)
{
  g_assert_cmpstr (tw_ar2_level_to_string (TW_AR2_LEVEL_NONE), ==, "none");
  g_assert_cmpstr (tw_ar2_level_to_string (TW_AR2_LEVEL_WARN), ==, "warn");
  g_assert_cmpstr (tw_ar2_level_to_string (TW_AR2_LEVEL_URGENT), ==, "urgent");
  g_assert_cmpstr (tw_ar2_event_to_string (TW_AR2_EVENT_NONE), ==, "none");
  g_assert_cmpstr (tw_ar2_event_to_string (TW_AR2_EVENT_LOW), ==, "low");
  g_assert_cmpstr (tw_ar2_event_to_string (TW_AR2_EVENT_HIGH), ==, "high");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ar2/nightscout-cases", test_nightscout_cases);
  g_test_add_func ("/ar2/nightscout-interpolation", test_nightscout_interpolation);
  g_test_add_func ("/ar2/gap-up-to-nine-minutes", test_gap_up_to_nine_minutes_is_not_interpolated);
  g_test_add_func ("/ar2/limits", test_limits);
  g_test_add_func ("/ar2/strings", test_strings);
  return g_test_run ();
}
