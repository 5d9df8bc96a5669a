#include <math.h>
#include <string.h>

#include "tw-forecast.h"
#include "tw-news2.h"
#include "tw-rule-engine.h"

/* Known-answer tests of the rule engine with synthetic streams. "now" is
 * the event time of the sample unless a test says otherwise. */

#define SEC    ((gint64) G_USEC_PER_SEC)
#define MINUTE (60 * SEC)
#define HOUR   (60 * MINUTE)
/* 2023-11-14 00:00:00 UTC: a midnight, so hours of day are easy to read. */
#define DAY0   ((gint64) 1699920000 * SEC)
#define T0     (DAY0 + 9 * HOUR)

typedef struct
{
  TwAlertBoard *board;
  TwRuleEngine *engine;
} Bench;

static void
bench_init (Bench      *b,
            const char *rules_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = tw_rule_pack_from_data (rules_json, -1, "test", &error);

  g_assert_no_error (error);
  b->board = tw_alert_board_new ();
  tw_alert_board_set_rearm (b->board, 0);
  b->engine = tw_rule_engine_new (b->board);
  tw_rule_engine_set_rules (b->engine, rules);
}

static void
bench_clear (Bench *b)
{
  tw_rule_engine_free (b->engine);
  tw_alert_board_free (b->board);
}

static void
feed_at (Bench      *b,
         gint64      source,
         const char *entity,
         const char *metric,
         gint64      ts,
         double      value,
         gint64      now)
{
  TwSample sample = { entity, metric, ts, value };

  tw_rule_engine_process (b->engine, source, &sample, 1, now);
}

static void
feed (Bench      *b,
      const char *entity,
      const char *metric,
      gint64      ts,
      double      value)
{
  feed_at (b, 1, entity, metric, ts, value, ts);
}

/* The open alert of @rule on @entity, or NULL. */
static const TwAlert *
find (Bench      *b,
      const char *rule,
      const char *entity)
{
  g_autoptr(GPtrArray) list = tw_alert_board_list (b->board);

  for (guint i = 0; i < list->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (list, i);

      if (strcmp (alert->rule_id, rule) == 0 && strcmp (alert->entity_key, entity) == 0)
        return alert;
    }
  return NULL;
}

static gboolean
active (Bench      *b,
        const char *rule,
        const char *entity)
{
  const TwAlert *alert = find (b, rule, entity);

  return alert != NULL && alert->condition_active;
}

/* Transitions into @to logged so far. */
static guint
count_to (Bench        *b,
          TwAlertState  to,
          TwAlertState  from)
{
  const GArray *log = tw_alert_board_get_log (b->board);
  guint n = 0;

  for (guint i = 0; i < log->len; i++)
    {
      const TwAlertTransition *t = &g_array_index (log, TwAlertTransition, i);

      if (t->to == to && t->from == from)
        n++;
    }
  return n;
}

static guint
raised (Bench *b)
{
  return count_to (b, TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_NONE);
}

#define HR_ABOVE(dir, extra) \
  "[{\"id\": \"hr-high\", \"kind\": \"threshold\", \"metric\": \"hr\", " \
  "\"direction\": \"" dir "\", \"limit\": 130" extra "}]"

static void
test_crossing_exactly_at_limit (void)
{
  Bench above, at_or;

  bench_init (&above, HR_ABOVE ("above", ""));
  bench_init (&at_or, HR_ABOVE ("at_or_above", ""));

  /* "above 130" is strict: 130 itself does not raise, 130.1 does. */
  feed (&above, "P1", "hr", T0, 130);
  g_assert_false (active (&above, "hr-high", "P1"));
  feed (&above, "P1", "hr", T0 + SEC, 130.1);
  g_assert_true (active (&above, "hr-high", "P1"));
  /* Back at exactly 130 clears it (no hysteresis). */
  feed (&above, "P1", "hr", T0 + 2 * SEC, 130);
  g_assert_null (find (&above, "hr-high", "P1"));

  feed (&at_or, "P1", "hr", T0, 130);
  g_assert_true (active (&at_or, "hr-high", "P1"));
  feed (&at_or, "P1", "hr", T0 + SEC, 129.9);
  g_assert_null (find (&at_or, "hr-high", "P1"));

  bench_clear (&above);
  bench_clear (&at_or);
}

static void
test_hysteresis (void)
{
  Bench b;
  guint64 id;

  bench_init (&b, HR_ABOVE ("above", ", \"hysteresis\": 5"));
  feed (&b, "P1", "hr", T0, 131);
  g_assert_true (active (&b, "hr-high", "P1"));
  id = find (&b, "hr-high", "P1")->id;
  /* Inside the limit but not by 5: stays. */
  feed (&b, "P1", "hr", T0 + SEC, 128);
  feed (&b, "P1", "hr", T0 + 2 * SEC, 125.5);
  g_assert_true (active (&b, "hr-high", "P1"));
  g_assert_cmpuint (find (&b, "hr-high", "P1")->id, ==, id);
  /* 125 is 5 inside: clears. */
  feed (&b, "P1", "hr", T0 + 3 * SEC, 125);
  g_assert_null (find (&b, "hr-high", "P1"));
  /* Raising needs the limit itself again, not limit − hysteresis. */
  feed (&b, "P1", "hr", T0 + 4 * SEC, 129);
  g_assert_null (find (&b, "hr-high", "P1"));
  g_assert_cmpuint (raised (&b), ==, 1);
  bench_clear (&b);
}

static void
test_minimum_duration_in_event_time (void)
{
  Bench b;
  const TwAlert *alert;

  bench_init (&b, HR_ABOVE ("above", ", \"for\": \"30s\""));
  feed (&b, "P1", "hr", T0, 131);
  feed (&b, "P1", "hr", T0 + 15 * SEC, 135);
  /* A dip resets the run. */
  feed (&b, "P1", "hr", T0 + 20 * SEC, 129);
  feed (&b, "P1", "hr", T0 + 25 * SEC, 140);
  feed (&b, "P1", "hr", T0 + 54 * SEC, 140);
  g_assert_null (find (&b, "hr-high", "P1"));
  /* 30 s after the run's first sample, in event time: raised. */
  feed (&b, "P1", "hr", T0 + 55 * SEC, 140);
  alert = find (&b, "hr-high", "P1");
  g_assert_nonnull (alert);
  g_assert_cmpint (alert->evidence_from_ts, ==, T0 + 25 * SEC);
  g_assert_cmpint (alert->evidence_to_ts, ==, T0 + 55 * SEC);
  g_assert_cmpint (alert->source_id, ==, 1);
  g_assert_cmpint (alert->category, ==, TW_ALERT_CATEGORY_PHYSIOLOGICAL);
  g_assert_cmpstr (alert->message, ==, "hr-high: hr 140 (above 130)");
  feed (&b, "P1", "hr", T0 + 60 * SEC, 141);
  g_assert_cmpint (find (&b, "hr-high", "P1")->evidence_to_ts, ==, T0 + 60 * SEC);
  bench_clear (&b);
}

static void
test_out_of_order_inside_and_beyond_lateness (void)
{
  Bench b;

  bench_init (&b, HR_ABOVE ("above", ", \"for\": \"30s\", \"lateness\": \"10s\""));
  feed (&b, "P1", "hr", T0, 131);
  feed (&b, "P1", "hr", T0 + 20 * SEC, 131);
  /* 10 s late (= the lateness): used. It breaks the run at T0 + 10 s. */
  feed_at (&b, 1, "P1", "hr", T0 + 10 * SEC, 120, T0 + 20 * SEC);
  g_assert_cmpuint (tw_rule_engine_get_too_late (b.engine), ==, 0);
  feed (&b, "P1", "hr", T0 + 35 * SEC, 131);
  g_assert_null (find (&b, "hr-high", "P1"));   /* run since T0 + 20 s only */

  /* 13 s late: beyond the lateness, counted and not used (it would have
   * broken the run again). */
  feed_at (&b, 1, "P1", "hr", T0 + 22 * SEC, 100, T0 + 35 * SEC);
  g_assert_cmpuint (tw_rule_engine_get_too_late (b.engine), ==, 1);
  feed (&b, "P1", "hr", T0 + 50 * SEC, 131);
  g_assert_true (active (&b, "hr-high", "P1"));
  g_assert_cmpint (find (&b, "hr-high", "P1")->evidence_from_ts, ==, T0 + 20 * SEC);

  /* A late crossing sample inside the lateness lengthens a pending run:
   * raised 30 s after it, not 30 s after the run seemed to start. */
  feed (&b, "P2", "hr", T0 + 5 * SEC, 120);
  feed (&b, "P2", "hr", T0 + 20 * SEC, 131);
  feed_at (&b, 1, "P2", "hr", T0 + 12 * SEC, 131, T0 + 20 * SEC);
  feed (&b, "P2", "hr", T0 + 42 * SEC, 131);
  g_assert_true (active (&b, "hr-high", "P2"));
  g_assert_cmpint (find (&b, "hr-high", "P2")->evidence_from_ts, ==, T0 + 12 * SEC);
  /* 41 s late: too late. */
  feed_at (&b, 1, "P2", "hr", T0 + SEC, 131, T0 + 42 * SEC);
  g_assert_cmpuint (tw_rule_engine_get_too_late (b.engine), ==, 2);
  bench_clear (&b);
}

static void
test_flapping_gives_one_alert (void)
{
  Bench b;
  const TwAlert *alert;

  bench_init (&b, HR_ABOVE ("above", ""));
  tw_alert_board_set_rearm (b.board, 30 * SEC);
  for (int i = 0; i < 20; i++)
    feed (&b, "P1", "hr", T0 + i * 2 * SEC, i % 2 == 0 ? 131 : 129);
  g_assert_cmpuint (raised (&b), ==, 1);
  alert = find (&b, "hr-high", "P1");
  g_assert_nonnull (alert);
  g_assert_cmpuint (alert->occurrences, ==, 10);
  g_assert_cmpint (alert->state, ==, TW_ALERT_STATE_CLEARED);
  /* The re-arm time passes quietly: closed. */
  tw_rule_engine_tick (b.engine, T0 + 38 * SEC + 30 * SEC);
  g_assert_null (find (&b, "hr-high", "P1"));
  bench_clear (&b);
}

static void
test_latching_versus_non_latching (void)
{
  Bench b;
  const TwAlert *latched;

  bench_init (&b, "[{\"id\": \"plain\", \"kind\": \"threshold\", \"metric\": \"spo2\", "
                  "\"direction\": \"below\", \"limit\": 90},"
                  "{\"id\": \"latch\", \"kind\": \"threshold\", \"metric\": \"spo2\", "
                  "\"direction\": \"below\", \"limit\": 90, \"latching\": true}]");
  feed (&b, "P1", "spo2", T0, 85);
  g_assert_true (active (&b, "plain", "P1"));
  g_assert_true (active (&b, "latch", "P1"));
  feed (&b, "P1", "spo2", T0 + SEC, 97);
  g_assert_null (find (&b, "plain", "P1"));
  latched = find (&b, "latch", "P1");
  g_assert_nonnull (latched);
  g_assert_false (latched->condition_active);
  g_assert_cmpint (latched->state, ==, TW_ALERT_STATE_ACTIVE);
  g_assert_true (tw_alert_board_acknowledge (b.board, latched->id, "nurse", NULL, T0 + 2 * SEC));
  g_assert_null (find (&b, "latch", "P1"));
  bench_clear (&b);
}

static void
test_relative_change (void)
{
  Bench b;

  bench_init (&b, "[{\"id\": \"hr-up\", \"kind\": \"relative_change\", \"metric\": \"hr\", "
                  "\"direction\": \"up\", \"percent\": 5, \"window\": \"10m\"},"
                  "{\"id\": \"bp-down\", \"kind\": \"relative_change\", \"metric\": \"sbp\", "
                  "\"direction\": \"down\", \"percent\": 10, \"window\": \"10m\"}]");
  feed (&b, "P1", "hr", T0, 100);
  feed (&b, "P1", "hr", T0 + 5 * MINUTE, 104.9);
  g_assert_null (find (&b, "hr-up", "P1"));
  feed (&b, "P1", "hr", T0 + 6 * MINUTE, 105);   /* +5 % exactly: at least 5 % */
  g_assert_true (active (&b, "hr-up", "P1"));
  g_assert_cmpint (find (&b, "hr-up", "P1")->evidence_from_ts, ==, T0);
  /* 11 minutes on, the 100 left the window: 105 vs 104.9 is no rise. */
  feed (&b, "P1", "hr", T0 + 11 * MINUTE, 105);
  g_assert_null (find (&b, "hr-up", "P1"));

  feed (&b, "P1", "sbp", T0, 120);
  feed (&b, "P1", "sbp", T0 + 5 * MINUTE, 108.1);
  g_assert_null (find (&b, "bp-down", "P1"));
  feed (&b, "P1", "sbp", T0 + 9 * MINUTE, 108);
  g_assert_true (active (&b, "bp-down", "P1"));
  bench_clear (&b);
}

static void
test_rate_of_change (void)
{
  Bench b;

  bench_init (&b, "[{\"id\": \"falling\", \"kind\": \"rate_of_change\", \"metric\": \"price\", "
                  "\"direction\": \"down\", \"per_minute\": 0.5, \"window\": \"2m\"}]");
  feed (&b, "ACME", "price", T0, 100);
  /* Half a minute is less than half the window: not judged yet, however
   * steep (−6 /min). */
  feed (&b, "ACME", "price", T0 + 30 * SEC, 97);
  g_assert_null (find (&b, "falling", "ACME"));
  /* Least squares through 100, 97, 99.4 at 0, ½, 1 min: −0.6 /min. */
  feed (&b, "ACME", "price", T0 + 60 * SEC, 99.4);
  g_assert_true (active (&b, "falling", "ACME"));
  g_assert_cmpstr (find (&b, "falling", "ACME")->message, ==,
                   "falling: price changing -0.6 per minute (limit -0.5)");
  feed (&b, "ACME", "price", T0 + 2 * MINUTE, 99.6);   /* +0.27 /min over 2 min */
  g_assert_null (find (&b, "falling", "ACME"));
  bench_clear (&b);
}

static void
test_stale_data_via_tick (void)
{
  Bench b;
  const TwAlert *alert;

  bench_init (&b, "[{\"id\": \"stale\", \"kind\": \"stale\", \"after\": \"5m\"},"
                  "{\"id\": \"glu-stale\", \"kind\": \"stale\", \"metric\": \"glucose\", "
                  "\"after\": \"15m\"}]");
  feed (&b, "P1", "hr", T0, 80);
  tw_rule_engine_tick (b.engine, T0 + 5 * MINUTE);
  g_assert_null (find (&b, "stale", "P1"));   /* exactly 5 min: not yet */
  tw_rule_engine_tick (b.engine, T0 + 5 * MINUTE + SEC);
  alert = find (&b, "stale", "P1");
  g_assert_nonnull (alert);
  g_assert_cmpint (alert->category, ==, TW_ALERT_CATEGORY_TECHNICAL);
  g_assert_cmpint (alert->evidence_from_ts, ==, T0);
  /* Never sent glucose: nothing to go stale. */
  g_assert_null (find (&b, "glu-stale", "P1"));
  /* Data again: cleared at once. */
  feed (&b, "P1", "hr", T0 + 6 * MINUTE, 80);
  g_assert_null (find (&b, "stale", "P1"));

  /* Other entities' samples move event time on as well (replay without
   * ticks). */
  feed (&b, "P2", "glucose", T0 + 6 * MINUTE, 100);
  feed (&b, "P3", "hr", T0 + 22 * MINUTE, 70);
  g_assert_true (active (&b, "glu-stale", "P2"));
  g_assert_true (active (&b, "stale", "P1"));
  bench_clear (&b);
}

/* The app catching up on a backlog: samples 30 min behind the wall clock,
 * every patient interleaved, arriving now. Nothing is stale; a monitor that
 * stops inside the backlog is (by the others' event time); and when the
 * whole feed stops, the wall clock makes everyone stale. */
static void
test_stale_backlog_is_not_stale (void)
{
  Bench b;
  gint64 wall = T0 + 30 * MINUTE;

  bench_init (&b, "[{\"id\": \"stale\", \"kind\": \"stale\", \"metric\": \"hr\", "
                  "\"after\": \"5m\"}]");
  for (gint64 t = 0; t <= 20 * MINUTE; t += MINUTE)
    {
      wall += 100 * 1000;   /* the backlog streams in fast */
      feed_at (&b, 1, "P1", "hr", T0 + t, 80, wall);
      if (t <= 10 * MINUTE)
        feed_at (&b, 1, "P2", "hr", T0 + t, 80, wall);   /* P2's monitor stops at 10 min */
      tw_rule_engine_tick (b.engine, wall);
    }
  g_assert_null (find (&b, "stale", "P1"));
  g_assert_true (active (&b, "stale", "P2"));
  g_assert_cmpint (find (&b, "stale", "P2")->evidence_from_ts, ==, T0 + 10 * MINUTE);

  /* The feed stops: 5 min of wall time is not yet stale, a second more is. */
  tw_rule_engine_tick (b.engine, wall + 5 * MINUTE);
  g_assert_null (find (&b, "stale", "P1"));
  tw_rule_engine_tick (b.engine, wall + 5 * MINUTE + 2 * SEC);
  g_assert_true (active (&b, "stale", "P1"));
  bench_clear (&b);
}

static gboolean
sum_ab_score (GHashTable *latest,
              int        *out_score,
              gpointer    user_data)
{
  const double *a = g_hash_table_lookup (latest, "a");
  const double *b = g_hash_table_lookup (latest, "b");

  g_assert_true (GPOINTER_TO_INT (user_data) == 42);
  if (a == NULL || b == NULL)
    return FALSE;
  *out_score = (int) (*a + *b);
  return TRUE;
}

static void
test_score_band (void)
{
  Bench b;

  tw_rule_engine_register_score ("test-sum", sum_ab_score, GINT_TO_POINTER (42));
  bench_init (&b, "[{\"id\": \"band\", \"kind\": \"score_band\", \"score\": \"test-sum\", "
                  "\"min\": 10}, {\"id\": \"nobody\", \"kind\": \"score_band\", "
                  "\"score\": \"unregistered\", \"min\": 1}]");
  feed (&b, "E", "a", T0, 4);
  g_assert_null (find (&b, "band", "E"));   /* incomplete: no score */
  feed (&b, "E", "b", T0 + SEC, 5);
  g_assert_null (find (&b, "band", "E"));
  feed (&b, "E", "b", T0 + 2 * SEC, 6);
  g_assert_true (active (&b, "band", "E"));
  g_assert_cmpstr (find (&b, "band", "E")->message, ==, "band: test-sum score 10 (band 10)");
  feed (&b, "E", "a", T0 + 3 * SEC, 3);
  g_assert_null (find (&b, "band", "E"));
  g_assert_null (find (&b, "nobody", "E"));
  bench_clear (&b);
}

/* A message with several values (one vitals message) is judged once, when
 * all of it is applied: no raise-and-clear at the same instant. */
static void
test_score_band_per_message (void)
{
  Bench b;
  TwSample first[] = { { "E", "a", T0, 9 }, { "E", "b", T0, 2 } };
  TwSample second[] = { { "E", "a", T0 + SEC, 1 }, { "E", "b", T0 + SEC, 9 } };

  tw_rule_engine_register_score ("test-sum", sum_ab_score, GINT_TO_POINTER (42));
  bench_init (&b, "[{\"id\": \"band\", \"kind\": \"score_band\", \"score\": \"test-sum\", "
                  "\"min\": 10}]");
  tw_rule_engine_process (b.engine, 1, first, G_N_ELEMENTS (first), T0);
  g_assert_true (active (&b, "band", "E"));
  /* Half applied it would be 1 + 2 = 3 (clear), then 10 (raise again). */
  tw_rule_engine_process (b.engine, 1, second, G_N_ELEMENTS (second), T0 + SEC);
  g_assert_true (active (&b, "band", "E"));
  g_assert_cmpuint (count_to (&b, TW_ALERT_STATE_CLEARED, TW_ALERT_STATE_ACTIVE), ==, 0);
  g_assert_cmpuint (find (&b, "band", "E")->occurrences, ==, 1);
  bench_clear (&b);
}

static void
test_news2_rules (void)
{
  Bench b;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "rules",
                                                 "vital-signs.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = tw_rule_pack_load (path, &error);

  g_assert_no_error (error);
  bench_init (&b, "[]");
  tw_rule_engine_set_rules (b.engine, rules);
  /* rr 22 (2) + spo2 95 (1) + air (0) + sbp 105 (1) + hr 95 (1) + alert (0)
   * + temp 38.5 (1) = 6 */
  feed (&b, "P1", "rr", T0, 22);
  feed (&b, "P1", "spo2", T0, 95);
  feed (&b, "P1", "o2", T0, 0);
  feed (&b, "P1", "sbp", T0, 105);
  feed (&b, "P1", "hr", T0, 95);
  g_assert_null (find (&b, "news2-medium", "P1"));   /* temperature and ACVPU missing */
  feed (&b, "P1", "temp", T0, 38.5);
  /* Six of seven already add up to 6, but a missing ACVPU is not "alert". */
  g_assert_null (find (&b, "news2-medium", "P1"));
  feed (&b, "P1", "acvpu", T0, TW_ACVPU_ALERT);
  g_assert_true (active (&b, "news2-medium", "P1"));
  g_assert_null (find (&b, "news2-high", "P1"));
  g_assert_cmpstr (find (&b, "news2-medium", "P1")->message, ==, "P1: NEWS2 6: urgent response");
  /* hr 115 (2): 7 */
  feed (&b, "P1", "hr", T0 + MINUTE, 115);
  g_assert_true (active (&b, "news2-high", "P1"));
  g_assert_cmpint (find (&b, "news2-high", "P1")->priority, ==, TW_ALERT_PRIORITY_HIGH);
  /* The pack's hysteresis of 1: back to 6 stays raised, 5 clears. */
  feed (&b, "P1", "hr", T0 + 2 * MINUTE, 95);
  g_assert_true (active (&b, "news2-high", "P1"));
  feed (&b, "P1", "temp", T0 + 3 * MINUTE, 37);
  g_assert_false (active (&b, "news2-high", "P1"));
  g_assert_true (active (&b, "news2-medium", "P1"));
  bench_clear (&b);
}

static void
test_news2_table (void)
{
  const struct
  {
    int  (*score) (double value);
    double value;
    int    points;
  } cases[] = {
    { tw_news2_score_rr, 8, 3 }, { tw_news2_score_rr, 9, 1 }, { tw_news2_score_rr, 11, 1 },
    { tw_news2_score_rr, 12, 0 }, { tw_news2_score_rr, 20, 0 }, { tw_news2_score_rr, 21, 2 },
    { tw_news2_score_rr, 24, 2 }, { tw_news2_score_rr, 25, 3 },
    { tw_news2_score_spo2_scale1, 91, 3 }, { tw_news2_score_spo2_scale1, 92, 2 },
    { tw_news2_score_spo2_scale1, 93, 2 }, { tw_news2_score_spo2_scale1, 94, 1 },
    { tw_news2_score_spo2_scale1, 95, 1 }, { tw_news2_score_spo2_scale1, 96, 0 },
    { tw_news2_score_sbp, 90, 3 }, { tw_news2_score_sbp, 91, 2 }, { tw_news2_score_sbp, 100, 2 },
    { tw_news2_score_sbp, 101, 1 }, { tw_news2_score_sbp, 110, 1 }, { tw_news2_score_sbp, 111, 0 },
    { tw_news2_score_sbp, 219, 0 }, { tw_news2_score_sbp, 220, 3 },
    { tw_news2_score_pulse, 40, 3 }, { tw_news2_score_pulse, 41, 1 }, { tw_news2_score_pulse, 50, 1 },
    { tw_news2_score_pulse, 51, 0 }, { tw_news2_score_pulse, 90, 0 }, { tw_news2_score_pulse, 91, 1 },
    { tw_news2_score_pulse, 110, 1 }, { tw_news2_score_pulse, 111, 2 },
    { tw_news2_score_pulse, 130, 2 }, { tw_news2_score_pulse, 131, 3 },
    { tw_news2_score_temp, 35.0, 3 }, { tw_news2_score_temp, 35.1, 1 },
    { tw_news2_score_temp, 36.0, 1 }, { tw_news2_score_temp, 36.1, 0 },
    { tw_news2_score_temp, 38.0, 0 }, { tw_news2_score_temp, 38.1, 1 },
    { tw_news2_score_temp, 39.0, 1 }, { tw_news2_score_temp, 39.1, 2 },
    { tw_news2_score_temp, 35.04, 3 },
  };
  g_autoptr(GHashTable) latest = g_hash_table_new (g_str_hash, g_str_equal);
  double rr = 25, spo2 = 97, sbp = 120, hr = 70, temp = 37, air = 0, oxygen = 1, alert = 0;
  int score = -1;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (cases[i].score (cases[i].value), ==, cases[i].points);

  /* The engine's score function gives no score until all seven are known
   * (tests/unit/test-news2.c covers the rest of the chart). */
  g_hash_table_insert (latest, "rr", &rr);
  g_hash_table_insert (latest, "spo2", &spo2);
  g_hash_table_insert (latest, "sbp", &sbp);
  g_hash_table_insert (latest, "hr", &hr);
  g_hash_table_insert (latest, "temp", &temp);
  g_assert_false (tw_news2_score_func (latest, &score, NULL));
  g_hash_table_insert (latest, "o2", &air);
  g_assert_false (tw_news2_score_func (latest, &score, NULL));
  g_assert_cmpint (score, ==, -1);
  g_hash_table_insert (latest, "acvpu", &alert);
  g_assert_true (tw_news2_score_func (latest, &score, NULL));
  g_assert_cmpint (score, ==, 3);
  g_hash_table_insert (latest, "o2", &oxygen);
  g_assert_true (tw_news2_score_func (latest, &score, NULL));
  g_assert_cmpint (score, ==, 5);
}

static void
test_predicted_linear (void)
{
  Bench b;
  const gint64 ts[] = { 0, 5 * MINUTE, 10 * MINUTE };
  const double falling[] = { 120, 110, 100 };
  gint64 cross = 0;
  double slope, at_last;

  /* Least squares through a straight line: exact. */
  g_assert_true (tw_forecast_linear_fit (ts, falling, 3, &slope, &at_last));
  g_assert_cmpfloat_with_epsilon (slope, -2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (at_last, 100.0, 1e-9);
  g_assert_true (tw_forecast_linear (ts, falling, 3, 70, &cross, NULL));
  g_assert_cmpint (cross, ==, 25 * MINUTE);
  /* Moving away from the limit, or flat, never crosses. */
  g_assert_false (tw_forecast_linear (ts, falling, 3, 130, &cross, NULL));
  g_assert_false (tw_forecast_linear (ts, (const double[]) { 5, 5, 5 }, 3, 4, &cross, NULL));
  g_assert_false (tw_forecast_linear (ts, falling, 1, 70, &cross, NULL));

  bench_init (&b, "[{\"id\": \"pred-low\", \"kind\": \"predicted\", \"metric\": \"glucose\", "
                  "\"direction\": \"below\", \"limit\": 70, \"within\": \"15m\", "
                  "\"window\": \"15m\"}]");
  feed (&b, "P1", "glucose", T0, 120);
  feed (&b, "P1", "glucose", T0 + 5 * MINUTE, 110);
  g_assert_null (find (&b, "pred-low", "P1"));   /* 20 min away */
  feed (&b, "P1", "glucose", T0 + 10 * MINUTE, 100);
  g_assert_true (active (&b, "pred-low", "P1"));   /* 15 min away */
  g_assert_cmpstr (find (&b, "pred-low", "P1")->message, ==,
                   "pred-low: glucose 100 forecast to cross 70 in 15 min");
  /* Levelling off: the forecast no longer crosses within 15 min. */
  feed (&b, "P1", "glucose", T0 + 15 * MINUTE, 104);
  g_assert_null (find (&b, "pred-low", "P1"));
  /* Below the limit already: the forecast came true. */
  feed (&b, "P1", "glucose", T0 + 16 * MINUTE, 65);
  g_assert_true (active (&b, "pred-low", "P1"));
  bench_clear (&b);
}

static void
test_spread (void)
{
  Bench b;

  bench_init (&b, "[{\"id\": \"pair\", \"kind\": \"spread\", \"metric\": \"price\", "
                  "\"entity_b\": \"GLBX\", \"percent\": 5, \"window\": \"60s\", "
                  "\"scope\": {\"entity\": \"ACME\"}},"
                  "{\"id\": \"pulse-pressure\", \"kind\": \"spread\", \"metric\": \"sbp\", "
                  "\"metric_b\": \"dbp\", \"direction\": \"down\", \"percent\": 25, "
                  "\"window\": \"5m\"}]");
  feed (&b, "ACME", "price", T0, 100);
  feed (&b, "GLBX", "price", T0, 50);
  feed (&b, "ACME", "price", T0 + 30 * SEC, 102);   /* spread 52: +4 % */
  g_assert_null (find (&b, "pair", "ACME"));
  feed (&b, "ACME", "price", T0 + 40 * SEC, 103);   /* 53: +6 % */
  g_assert_true (active (&b, "pair", "ACME"));
  g_assert_null (find (&b, "pair", "GLBX"));
  /* The other instrument moves: 103 − 54 = 49, −2 %: cleared. */
  feed (&b, "GLBX", "price", T0 + 50 * SEC, 54);
  g_assert_null (find (&b, "pair", "ACME"));

  feed (&b, "P1", "sbp", T0, 120);
  feed (&b, "P1", "dbp", T0, 80);                    /* 40 */
  feed (&b, "P1", "sbp", T0 + MINUTE, 111);           /* 31: −22.5 % */
  g_assert_null (find (&b, "pulse-pressure", "P1"));
  feed (&b, "P1", "dbp", T0 + 2 * MINUTE, 81);        /* 30: −25 % */
  g_assert_true (active (&b, "pulse-pressure", "P1"));
  bench_clear (&b);
}

#define ORDERS_RULE(extra) \
  "[{\"id\": \"orders\", \"kind\": \"reference\", \"metric\": \"orders\", " \
  "\"aggregate\": \"count\", \"window\": \"1m\", \"direction\": \"below\", " \
  "\"tolerance_percent\": 50, \"lateness\": \"30s\"" extra "}]"

static void
test_reference_windows_and_lateness (void)
{
  Bench b;
  const TwAlert *alert;

  bench_init (&b, ORDERS_RULE (", \"expected\": 10"));
  for (int i = 1; i <= 3; i++)
    feed (&b, "S1", "orders", T0 + i * 10 * SEC, 1);
  /* The watermark (newest − 1 s) has not passed the window's end. */
  feed (&b, "S1", "orders", T0 + 60 * SEC + SEC / 2, 1);
  g_assert_null (find (&b, "orders", "S1"));
  feed (&b, "S1", "orders", T0 + 61 * SEC, 1);
  alert = find (&b, "orders", "S1");
  g_assert_nonnull (alert);   /* 3 of 10: −70 % */
  g_assert_cmpint (alert->evidence_from_ts, ==, T0);
  g_assert_cmpint (alert->evidence_to_ts, ==, T0 + MINUTE);
  g_assert_cmpstr (alert->message, ==, "orders: 3 in the window, -70 % from expected "
                                       "(tolerance -50 %)");

  /* Late samples inside the lateness correct the window: 5 is still −50 %,
   * 6 clears. */
  feed_at (&b, 1, "S1", "orders", T0 + 40 * SEC, 1, T0 + 61 * SEC);
  feed_at (&b, 1, "S1", "orders", T0 + 41 * SEC, 1, T0 + 61 * SEC);
  g_assert_true (active (&b, "orders", "S1"));
  feed_at (&b, 1, "S1", "orders", T0 + 42 * SEC, 1, T0 + 61 * SEC);
  g_assert_null (find (&b, "orders", "S1"));
  g_assert_cmpuint (tw_rule_engine_get_too_late (b.engine), ==, 0);

  /* Beyond the lateness (window end 60 s + 30 s < watermark): counted, not
   * merged. */
  feed (&b, "S1", "orders", T0 + 95 * SEC, 1);
  feed_at (&b, 1, "S1", "orders", T0 + 20 * SEC, 1, T0 + 95 * SEC);
  g_assert_cmpuint (tw_rule_engine_get_too_late (b.engine), ==, 1);
  bench_clear (&b);
}

static void
test_reference_by_hour_and_empty_windows (void)
{
  Bench b;
  g_autoptr(GString) json = g_string_new (", \"expected\": [");

  for (int h = 0; h < 24; h++)
    g_string_append_printf (json, "%s%d", h > 0 ? ", " : "", h == 9 ? 10 : h == 10 ? 2 : 0);
  g_string_append (json, "]");
  {
    g_autofree char *rules = g_strdup_printf (ORDERS_RULE ("%s"), json->str);

    bench_init (&b, rules);
  }

  /* 09:59: 3 orders of 10 expected at 9 o'clock: raised. */
  for (int i = 0; i < 3; i++)
    feed (&b, "S1", "orders", T0 + 59 * MINUTE + i * SEC, 1);
  /* 10:00: 3 of 2 expected at 10 o'clock: fine. */
  for (int i = 0; i < 3; i++)
    feed (&b, "S1", "orders", T0 + HOUR + i * SEC, 1);
  g_assert_true (active (&b, "orders", "S1"));
  /* 10:01: 2 of 2. */
  feed (&b, "S1", "orders", T0 + HOUR + MINUTE + 5 * SEC, 1);
  feed (&b, "S1", "orders", T0 + HOUR + MINUTE + 6 * SEC, 1);
  g_assert_null (find (&b, "orders", "S1"));

  /* 10:02 and 10:03 have no orders at all: judged as 0, raised. */
  feed (&b, "S1", "orders", T0 + HOUR + 4 * MINUTE + 5 * SEC, 1);
  g_assert_true (active (&b, "orders", "S1"));
  g_assert_cmpint (find (&b, "orders", "S1")->evidence_from_ts, ==, T0 + HOUR + 2 * MINUTE);
  g_assert_cmpuint (raised (&b), ==, 2);

  /* finish() judges the windows that ended by the last sample only. */
  tw_rule_engine_finish (b.engine, T0 + 2 * HOUR);
  g_assert_true (active (&b, "orders", "S1"));
  bench_clear (&b);
}

static void
test_reference_local_hour (void)
{
  Bench b;
  g_autoptr(GString) json = g_string_new (", \"utc_offset_minutes\": 60, \"expected\": [");

  /* Only 10:00–11:00 local time expects orders: 09:xx UTC at UTC+1. */
  for (int h = 0; h < 24; h++)
    g_string_append_printf (json, "%s%d", h > 0 ? ", " : "", h == 10 ? 10 : 0);
  g_string_append (json, "]");
  {
    g_autofree char *rules = g_strdup_printf (ORDERS_RULE ("%s"), json->str);

    bench_init (&b, rules);
  }
  feed (&b, "S1", "orders", T0 + 30 * MINUTE, 1);
  feed (&b, "S1", "orders", T0 + 31 * MINUTE + 5 * SEC, 1);
  g_assert_true (active (&b, "orders", "S1"));   /* 1 of 10 at 10:30 local */
  bench_clear (&b);
}

static void
test_idle_source_does_not_stall_windows (void)
{
  Bench b;

  bench_init (&b, ORDERS_RULE (", \"expected\": 10"));
  /* Source 2 delivers once, early, then falls silent. */
  feed_at (&b, 2, "S2", "orders", T0 + 5 * SEC, 1, T0);
  feed_at (&b, 1, "S1", "orders", T0 + 10 * SEC, 1, T0 + SEC);
  feed_at (&b, 1, "S1", "orders", T0 + 70 * SEC, 1, T0 + 2 * SEC);
  /* Source 2 holds the watermark at its 4 s: nothing closed. */
  g_assert_null (find (&b, "orders", "S1"));
  g_assert_null (find (&b, "orders", "S2"));
  /* 30 s of processing time without a word from it: idle, windows close. */
  tw_rule_engine_tick (b.engine, T0 + 31 * SEC);
  g_assert_true (active (&b, "orders", "S1"));
  g_assert_true (active (&b, "orders", "S2"));
  bench_clear (&b);
}

static void
test_processing_time_closes_windows_when_all_idle (void)
{
  Bench live, old;

  bench_init (&live, ORDERS_RULE (", \"expected\": 3"));
  bench_init (&old, ORDERS_RULE (", \"expected\": 3"));
  for (int i = 1; i <= 3; i++)
    {
      feed (&live, "S1", "orders", T0 + i * 10 * SEC, 1);
      feed (&old, "S1", "orders", T0 + i * 10 * SEC, 1);
    }
  feed (&live, "S1", "orders", T0 + 65 * SEC, 1);   /* window 0: 3 of 3 */
  feed (&old, "S1", "orders", T0 + 65 * SEC, 1);
  g_assert_cmpuint (raised (&live), ==, 0);

  /* Nothing arrives any more. Not idle yet: nothing moves. */
  tw_rule_engine_tick (live.engine, T0 + 94 * SEC);
  tw_rule_engine_tick (live.engine, T0 + 120 * SEC);
  g_assert_null (find (&live, "orders", "S1"));
  /* Idle for 30 s and past the window's end by the bound: 1 of 3. */
  tw_rule_engine_tick (live.engine, T0 + 121 * SEC);
  g_assert_true (active (&live, "orders", "S1"));
  g_assert_cmpint (find (&live, "orders", "S1")->evidence_from_ts, ==, T0 + MINUTE);
  /* And the next minute, with no order at all, is judged as 0. */
  tw_rule_engine_tick (live.engine, T0 + 181 * SEC);
  g_assert_cmpstr (find (&live, "orders", "S1")->message, ==,
                   "orders: 0 in the window, -100 % from expected (tolerance -50 %)");

  /* Old data replayed against today's clock: processing time says nothing
   * about event time, so nothing is closed by it. */
  tw_rule_engine_tick (old.engine, T0 + 3 * 24 * HOUR);
  g_assert_cmpuint (raised (&old), ==, 0);
  bench_clear (&live);
  bench_clear (&old);
}

static void
test_balance_and_group_scope (void)
{
  Bench b;
  const TwAlert *alert;

  bench_init (&b, "[{\"id\": \"credit\", \"kind\": \"balance\", \"metric\": \"order_amount\", "
                  "\"initial\": 500, \"scale\": -1, \"direction\": \"below\", \"limit\": 0, "
                  "\"scope\": {\"group\": \"credit-account\"}}]");
  tw_rule_engine_set_group (b.engine, "C1", "credit-account");
  tw_rule_engine_set_group (b.engine, "C2", "cash");
  feed (&b, "C1", "order_amount", T0, 200);
  feed (&b, "C1", "order_amount", T0 + MINUTE, 200);
  feed (&b, "C2", "order_amount", T0, 900);
  g_assert_null (find (&b, "credit", "C1"));
  g_assert_null (find (&b, "credit", "C2"));   /* not in the group */
  /* A late order inside the lateness counts: 500 − 550 = −50. */
  feed_at (&b, 1, "C1", "order_amount", T0 + MINUTE - 5 * SEC, 150, T0 + MINUTE);
  alert = find (&b, "credit", "C1");
  g_assert_nonnull (alert);
  g_assert_cmpstr (alert->group, ==, "credit-account");
  g_assert_cmpstr (alert->message, ==, "credit: balance -50 (below 0)");
  /* A refund (negative amount) brings it back. */
  feed (&b, "C1", "order_amount", T0 + 2 * MINUTE, -60);
  g_assert_null (find (&b, "credit", "C1"));
  bench_clear (&b);
}

static void
test_entity_and_group_scopes (void)
{
  Bench b;

  bench_init (&b, "[{\"id\": \"icu\", \"kind\": \"threshold\", \"metric\": \"hr\", "
                  "\"direction\": \"above\", \"limit\": 120, \"scope\": {\"group\": \"ICU\"}},"
                  "{\"id\": \"one\", \"kind\": \"threshold\", \"metric\": \"hr\", "
                  "\"direction\": \"above\", \"limit\": 100, \"scope\": {\"entity\": \"P3\"}}]");
  tw_rule_engine_set_group (b.engine, "P1", "ICU");
  tw_rule_engine_set_group (b.engine, "P2", "Ward 3");
  feed (&b, "P1", "hr", T0, 125);
  feed (&b, "P2", "hr", T0, 125);
  feed (&b, "P3", "hr", T0, 125);
  g_assert_true (active (&b, "icu", "P1"));
  g_assert_null (find (&b, "icu", "P2"));
  g_assert_null (find (&b, "icu", "P3"));
  g_assert_true (active (&b, "one", "P3"));
  g_assert_null (find (&b, "one", "P1"));
  /* A transfer into the ICU brings P2 into scope from its next sample. */
  tw_rule_engine_set_group (b.engine, "P2", "ICU");
  feed (&b, "P2", "hr", T0 + SEC, 125);
  g_assert_true (active (&b, "icu", "P2"));
  g_assert_cmpstr (find (&b, "icu", "P2")->group, ==, "ICU");
  bench_clear (&b);
}

static void
test_set_rules_keeps_and_releases (void)
{
  Bench b;
  g_autoptr(GPtrArray) same = NULL;
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const GArray *log;
  const TwAlertTransition *cleared;

  bench_init (&b, HR_ABOVE ("above", ", \"for\": \"30s\""));
  feed (&b, "P1", "hr", T0, 131);
  /* Reloading an unchanged rule keeps the pending run. */
  same = tw_rule_pack_from_data (HR_ABOVE ("above", ", \"for\": \"30s\""), -1, "x", &error);
  g_assert_no_error (error);
  tw_rule_engine_set_rules (b.engine, same);
  feed (&b, "P1", "hr", T0 + 30 * SEC, 131);
  g_assert_true (active (&b, "hr-high", "P1"));
  /* Removing it ends the condition (non-latching: cleared and closed). */
  tw_rule_engine_set_rules (b.engine, none);
  g_assert_null (find (&b, "hr-high", "P1"));
  log = tw_alert_board_get_log (b.board);
  cleared = &g_array_index (log, TwAlertTransition, log->len - 2);
  g_assert_cmpint (cleared->to, ==, TW_ALERT_STATE_CLEARED);
  g_assert_cmpstr (cleared->note, ==, "hr-high: rule changed, disabled or removed");
  feed (&b, "P1", "hr", T0 + 31 * SEC, 131);
  g_assert_cmpuint (raised (&b), ==, 1);
  bench_clear (&b);
}

static void
test_tick_escalates_on_the_board (void)
{
  Bench b;
  guint64 id;

  bench_init (&b, "[{\"id\": \"spo2-low\", \"kind\": \"threshold\", \"metric\": \"spo2\", "
                  "\"direction\": \"below\", \"limit\": 90, \"priority\": \"high\"}]");
  tw_alert_board_set_escalation_delay (b.board, MINUTE);
  feed (&b, "P1", "spo2", T0, 85);
  id = find (&b, "spo2-low", "P1")->id;
  tw_rule_engine_tick (b.engine, T0 + MINUTE - 1);
  g_assert_false (tw_alert_board_lookup (b.board, id)->escalated);
  tw_rule_engine_tick (b.engine, T0 + MINUTE);
  g_assert_true (tw_alert_board_lookup (b.board, id)->escalated);
  g_assert_cmpint (tw_alert_board_lookup (b.board, id)->escalated_us, ==, T0 + MINUTE);
  bench_clear (&b);
}

static void
test_disabled_rule_raises_nothing (void)
{
  Bench b;

  bench_init (&b, HR_ABOVE ("above", ", \"enabled\": false"));
  feed (&b, "P1", "hr", T0, 200);
  g_assert_cmpuint (raised (&b), ==, 0);
  bench_clear (&b);
}

/* After a restart the board gets its open alerts back; the rule must know
 * the condition is on, or a return to normal is never reported and the
 * alert stays open for good. */
static void
test_restored_alert_clears (void)
{
  Bench before, after;
  g_autoptr(TwAlert) saved = NULL;

  bench_init (&before, HR_ABOVE ("above", ""));
  feed (&before, "P1", "hr", T0, 150);
  g_assert_true (active (&before, "hr-high", "P1"));
  saved = tw_alert_copy (find (&before, "hr-high", "P1"));
  bench_clear (&before);

  bench_init (&after, HR_ABOVE ("above", ""));
  tw_alert_board_restore (after.board, saved);
  tw_rule_engine_assume_active (after.engine, "hr-high", "P1", saved->evidence_from_ts);
  /* The first sample after the restart is normal: the restored alert
   * clears (re-arm 0: closes at once). */
  feed (&after, "P1", "hr", T0 + MINUTE, 80);
  g_assert_null (find (&after, "hr-high", "P1"));
  g_assert_cmpuint (count_to (&after, TW_ALERT_STATE_CLEARED, TW_ALERT_STATE_ACTIVE), ==, 1);
  bench_clear (&after);

  /* Still high after the restart: the same alert, no new raise. */
  bench_init (&after, HR_ABOVE ("above", ""));
  tw_alert_board_restore (after.board, saved);
  tw_rule_engine_assume_active (after.engine, "hr-high", "P1", saved->evidence_from_ts);
  feed (&after, "P1", "hr", T0 + MINUTE, 151);
  g_assert_cmpuint (raised (&after), ==, 0);
  g_assert_true (active (&after, "hr-high", "P1"));
  /* An unknown rule is ignored. */
  tw_rule_engine_assume_active (after.engine, "no-such-rule", "P1", T0);
  bench_clear (&after);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rule-engine/crossing-exactly-at-limit", test_crossing_exactly_at_limit);
  g_test_add_func ("/rule-engine/restored-alert-clears", test_restored_alert_clears);
  g_test_add_func ("/rule-engine/stale-backlog", test_stale_backlog_is_not_stale);
  g_test_add_func ("/rule-engine/score-band-per-message", test_score_band_per_message);
  g_test_add_func ("/rule-engine/hysteresis", test_hysteresis);
  g_test_add_func ("/rule-engine/minimum-duration", test_minimum_duration_in_event_time);
  g_test_add_func ("/rule-engine/out-of-order-lateness", test_out_of_order_inside_and_beyond_lateness);
  g_test_add_func ("/rule-engine/flapping-one-alert", test_flapping_gives_one_alert);
  g_test_add_func ("/rule-engine/latching-vs-non-latching", test_latching_versus_non_latching);
  g_test_add_func ("/rule-engine/relative-change", test_relative_change);
  g_test_add_func ("/rule-engine/rate-of-change", test_rate_of_change);
  g_test_add_func ("/rule-engine/stale-via-tick", test_stale_data_via_tick);
  g_test_add_func ("/rule-engine/score-band", test_score_band);
  g_test_add_func ("/rule-engine/news2-rules", test_news2_rules);
  g_test_add_func ("/rule-engine/news2-table", test_news2_table);
  g_test_add_func ("/rule-engine/predicted-linear", test_predicted_linear);
  g_test_add_func ("/rule-engine/spread", test_spread);
  g_test_add_func ("/rule-engine/reference-windows-lateness", test_reference_windows_and_lateness);
  g_test_add_func ("/rule-engine/reference-by-hour-empty-windows", test_reference_by_hour_and_empty_windows);
  g_test_add_func ("/rule-engine/reference-local-hour", test_reference_local_hour);
  g_test_add_func ("/rule-engine/idle-source", test_idle_source_does_not_stall_windows);
  g_test_add_func ("/rule-engine/processing-time-closes-when-idle", test_processing_time_closes_windows_when_all_idle);
  g_test_add_func ("/rule-engine/balance-group-scope", test_balance_and_group_scope);
  g_test_add_func ("/rule-engine/entity-and-group-scopes", test_entity_and_group_scopes);
  g_test_add_func ("/rule-engine/set-rules-keeps-and-releases", test_set_rules_keeps_and_releases);
  g_test_add_func ("/rule-engine/tick-escalates", test_tick_escalates_on_the_board);
  g_test_add_func ("/rule-engine/disabled-rule", test_disabled_rule_raises_nothing);

  return g_test_run ();
}
