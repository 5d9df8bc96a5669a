#include <glib/gstdio.h>

#include "tw-error.h"
#include "tw-rule-preview.h"
#include "tw-store.h"
#include "tw-time.h"
#include "tw-test-store.h"

/* A ten-minute recording, one hr sample every 10 s for two patients:
 * P0001 (group ICU) runs at 130/min from 120 s to 240 s, else 80;
 * P0002 (group WARD) stays at 80 except one sample exactly at 120. */
#define BASE_S        G_GINT64_CONSTANT (1795000020)   /* a whole minute, in the past */
#define STEP_S        10
#define DURATION_S    600
#define HIGH_FROM_S   120
#define HIGH_TO_S     240
#define AT_LIMIT_S    300

typedef TwTestStore Fixture;

static gint64
at (gint64 offset_s)
{
  return (BASE_S + offset_s) * TW_USEC_PER_SEC;
}

static void
write_recording (TwStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBatch) batch = NULL;
  gint64 source_id = tw_store_ensure_source (store, "file:///rec", "file:///rec", &error);

  g_assert_no_error (error);
  batch = tw_batch_new (source_id);
  tw_batch_add_entity_in_group (batch, "patient", "P0001", "Ada Example", "MRN-1", "ICU-01",
                                "ICU");
  tw_batch_add_entity_in_group (batch, "patient", "P0002", "Bo Example", "MRN-2", "W-02",
                                "WARD");
  for (gint64 t = 0; t < DURATION_S; t += STEP_S)
    {
      double p1 = t >= HIGH_FROM_S && t <= HIGH_TO_S ? 130 : 80;
      double p2 = t == AT_LIMIT_S ? 120 : 80;

      tw_batch_add_sample (batch, "P0001", "hr", at (t), p1);
      tw_batch_add_sample (batch, "P0002", "hr", at (t), p2);
      /* Another metric the hr rules must not read. */
      tw_batch_add_sample (batch, "P0001", "spo2", at (t), 97);
    }
  batch->cursor_seq = DURATION_S / STEP_S;
  batch->n_messages = DURATION_S / STEP_S;

  g_assert_true (tw_store_begin (store, &error));
  g_assert_true (tw_store_write_batch (store, batch, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  tw_test_store_open (f, "tw-preview");
  write_recording (f->store);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tw_test_store_close (f);
}

static TwRule *
rule_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  TwRule *rule = tw_rule_from_data (json, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rule);
  return rule;
}

static GPtrArray *
preview (Fixture    *f,
         const char *json,
         gint64      from_s,
         gint64      to_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwRule) rule = rule_from (json);
  GPtrArray *alerts = tw_rule_preview (f->store, rule, at (from_s), at (to_s), NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (alerts);
  return alerts;
}

#define HR_HIGH \
  "{\"id\": \"hr-high\", \"kind\": \"threshold\", \"metric\": \"hr\", \"direction\": \"above\"," \
  " \"limit\": 120, \"priority\": \"high\"%s}"

static char *
hr_high (const char *extra)
{
  return g_strdup_printf (HR_HIGH, extra);
}

static void
test_threshold_finds_the_crossing (Fixture       *f,
                                   gconstpointer  data)
{
  g_autofree char *json = hr_high ("");
  g_autoptr(GPtrArray) alerts = preview (f, json, 0, DURATION_S);
  TwAlert *alert;

  /* One alert: P0001's run; P0002 touched the limit but never crossed it
   * (above is strict). */
  g_assert_cmpuint (alerts->len, ==, 1);
  alert = g_ptr_array_index (alerts, 0);
  g_assert_cmpstr (alert->rule_id, ==, "hr-high");
  g_assert_cmpstr (alert->entity_key, ==, "P0001");
  g_assert_cmpint (alert->priority, ==, TW_ALERT_PRIORITY_HIGH);
  g_assert_cmpint (alert->occurrences, ==, 1);
  g_assert_cmpstr (alert->group, ==, "ICU");
  /* Raised in event time, at the first sample above the limit; its
   * evidence is the run of samples above it. */
  g_assert_cmpint (alert->raised_us, ==, at (HIGH_FROM_S));
  g_assert_cmpint (alert->evidence_from_ts, ==, at (HIGH_FROM_S));
  g_assert_cmpint (alert->evidence_to_ts, ==, at (HIGH_TO_S));
  /* Nobody acknowledged a high alert for over a minute: escalated; the
   * condition ended and the re-arm time passed within the window: closed. */
  g_assert_true (alert->escalated);
  g_assert_cmpint (alert->state, ==, TW_ALERT_STATE_CLOSED);
}

static void
test_window_limits_what_is_read (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *json = hr_high ("");
  g_autoptr(GPtrArray) after = preview (f, json, HIGH_TO_S + STEP_S, DURATION_S);
  g_autoptr(GPtrArray) before = preview (f, json, 0, HIGH_FROM_S);
  g_autoptr(GPtrArray) inside = preview (f, json, HIGH_FROM_S + 3 * STEP_S, HIGH_TO_S);

  g_assert_cmpuint (after->len, ==, 0);
  g_assert_cmpuint (before->len, ==, 0);
  /* A window that starts inside the run raises at its first sample and
   * stays open at its end. */
  g_assert_cmpuint (inside->len, ==, 1);
  g_assert_cmpint (((TwAlert *) g_ptr_array_index (inside, 0))->raised_us, ==,
                   at (HIGH_FROM_S + 3 * STEP_S));
  g_assert_cmpint (((TwAlert *) g_ptr_array_index (inside, 0))->state, ==,
                   TW_ALERT_STATE_ACTIVE);
}

static void
test_scope (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *icu = hr_high (", \"scope\": {\"group\": \"ICU\"}");
  g_autofree char *ward = hr_high (", \"scope\": {\"group\": \"WARD\"}");
  g_autofree char *p2_json = g_strdup (
    "{\"id\": \"hr-p2\", \"kind\": \"threshold\", \"metric\": \"hr\", \"direction\": "
    "\"at_or_above\", \"limit\": 120, \"scope\": {\"entity\": \"P0002\"}}");
  g_autoptr(GPtrArray) in_icu = preview (f, icu, 0, DURATION_S);
  g_autoptr(GPtrArray) in_ward = preview (f, ward, 0, DURATION_S);
  g_autoptr(GPtrArray) p2 = preview (f, p2_json, 0, DURATION_S);

  g_assert_cmpuint (in_icu->len, ==, 1);
  g_assert_cmpuint (in_ward->len, ==, 0);
  /* "at or above" counts the sample exactly at the limit, for P0002 only. */
  g_assert_cmpuint (p2->len, ==, 1);
  g_assert_cmpstr (((TwAlert *) g_ptr_array_index (p2, 0))->entity_key, ==, "P0002");
  g_assert_cmpint (((TwAlert *) g_ptr_array_index (p2, 0))->raised_us, ==, at (AT_LIMIT_S));
  g_assert_cmpint (((TwAlert *) g_ptr_array_index (p2, 0))->priority, ==,
                   TW_ALERT_PRIORITY_MEDIUM);
}

static void
test_disabled_rule_previews (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *json = hr_high (", \"enabled\": false");
  g_autoptr(GPtrArray) alerts = preview (f, json, 0, DURATION_S);

  /* The editor previews a rule before switching it on. */
  g_assert_cmpuint (alerts->len, ==, 1);
}

static void
test_other_metric_finds_nothing (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) alerts = preview (
    f, "{\"id\": \"spo2-low\", \"kind\": \"threshold\", \"metric\": \"spo2\", \"direction\": "
       "\"below\", \"limit\": 90}", 0, DURATION_S);

  g_assert_cmpuint (alerts->len, ==, 0);
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = hr_high ("");
  g_autoptr(TwRule) rule = rule_from (json);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) alerts = NULL;

  g_cancellable_cancel (cancellable);
  alerts = tw_rule_preview (f->store, rule, at (0), at (DURATION_S), cancellable, &error);
  g_assert_null (alerts);
  g_assert_error (error, TW_ERROR, TW_ERROR_CANCELLED);
}

static void
test_empty_window_is_an_error (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = hr_high ("");
  g_autoptr(TwRule) rule = rule_from (json);
  g_autoptr(GPtrArray) alerts = tw_rule_preview (f->store, rule, at (60), at (60), NULL, &error);

  g_assert_null (alerts);
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
}

/* ---- playback in event time ------------------------------------------ */

typedef struct
{
  GArray *log;   /* Seen */
} Collector;

typedef struct
{
  guint64      id;
  TwAlertState from;
  TwAlertState to;
  gint64       when_us;
  gboolean     escalated;
} Seen;

static void
collect (const TwAlertTransition *t,
         const TwAlert           *alert,
         gpointer                 user_data)
{
  Collector *c = user_data;
  Seen seen = { t->alert_id, t->from, t->to, t->when_us, alert->escalated };

  /* The alert handed over is in the transition's state, also once it has
   * left the board. */
  g_assert_cmpint (alert->state, ==, t->to);
  g_assert_cmpstr (alert->rule_id, ==, "hr-high");
  g_array_append_val (c->log, seen);
}

static TwRulePlayback *
playback_for (const char *json,
              Collector  *c)
{
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_rule_unref);

  g_ptr_array_add (rules, rule_from (json));
  c->log = g_array_new (FALSE, FALSE, sizeof (Seen));
  return tw_rule_playback_new (rules, collect, c);
}

static void
play (TwRulePlayback *playback,
      const char     *entity,
      const char     *metric,
      gint64          offset_s,
      double          value)
{
  TwSample sample = { entity, metric, at (offset_s), value };

  tw_rule_playback_process (playback, 1, &sample, 1);
}

static void
test_playback_clock_between_samples (void)
{
  g_autofree char *json = hr_high ("");
  Collector c = { 0 };
  g_autoptr(TwRulePlayback) playback = playback_for (json, &c);
  const Seen *s;

  /* Samples 25 s apart: the escalation (60 s after the raise at 25 s) and
   * the close (30 s re-arm after the clear at 125 s) fall between samples
   * and happen at their own event time, not at the next sample. */
  play (playback, "P0001", "hr", 0, 80);
  play (playback, "P0001", "hr", 25, 130);
  play (playback, "P0001", "hr", 50, 130);
  play (playback, "P0001", "hr", 75, 130);
  play (playback, "P0001", "hr", 100, 130);
  play (playback, "P0001", "hr", 125, 80);
  play (playback, "P0001", "hr", 175, 80);
  tw_rule_playback_finish (playback, 0);

  g_assert_cmpuint (c.log->len, ==, 4);
  s = &g_array_index (c.log, Seen, 0);
  g_assert_cmpint (s->from, ==, TW_ALERT_STATE_NONE);
  g_assert_cmpint (s->when_us, ==, at (25));
  s = &g_array_index (c.log, Seen, 1);
  g_assert_cmpint (s->from, ==, TW_ALERT_STATE_ACTIVE);
  g_assert_cmpint (s->to, ==, TW_ALERT_STATE_ACTIVE);
  g_assert_true (s->escalated);
  g_assert_cmpint (s->when_us, ==, at (85));
  s = &g_array_index (c.log, Seen, 2);
  g_assert_cmpint (s->to, ==, TW_ALERT_STATE_CLEARED);
  g_assert_cmpint (s->when_us, ==, at (125));
  s = &g_array_index (c.log, Seen, 3);
  g_assert_cmpint (s->to, ==, TW_ALERT_STATE_CLOSED);
  g_assert_cmpint (s->when_us, ==, at (155));

  g_assert_cmpuint (tw_rule_playback_get_samples (playback), ==, 7);
  g_assert_cmpuint (tw_rule_playback_get_raised (playback), ==, 1);
  g_assert_cmpuint (tw_rule_playback_get_transitions (playback), ==, 4);
  g_assert_cmpuint (tw_rule_playback_get_open (playback), ==, 0);
  g_array_unref (c.log);
}

static void
test_playback_out_of_order (void)
{
  g_autofree char *json = hr_high ("");
  Collector c = { 0 };
  g_autoptr(TwRulePlayback) playback = playback_for (json, &c);
  g_autoptr(GPtrArray) alerts = NULL;

  /* The clock never goes back: a sample 5 s late (inside the default 10 s
   * lateness) is used; one 60 s late is counted and raises nothing. */
  play (playback, "P0001", "hr", 0, 80);
  play (playback, "P0001", "hr", 60, 80);
  play (playback, "P0001", "hr", 55, 80);
  play (playback, "P0001", "hr", 0, 150);
  tw_rule_playback_finish (playback, 0);

  g_assert_cmpuint (tw_rule_playback_get_too_late (playback), ==, 1);
  g_assert_cmpuint (c.log->len, ==, 0);
  alerts = tw_rule_playback_get_alerts (playback);
  g_assert_cmpuint (alerts->len, ==, 0);
  g_array_unref (c.log);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/rule-preview/threshold-finds-the-crossing", Fixture, NULL, fixture_setup,
              test_threshold_finds_the_crossing, fixture_teardown);
  g_test_add ("/rule-preview/window-limits-what-is-read", Fixture, NULL, fixture_setup,
              test_window_limits_what_is_read, fixture_teardown);
  g_test_add ("/rule-preview/scope", Fixture, NULL, fixture_setup, test_scope,
              fixture_teardown);
  g_test_add ("/rule-preview/disabled-rule-previews", Fixture, NULL, fixture_setup,
              test_disabled_rule_previews, fixture_teardown);
  g_test_add ("/rule-preview/other-metric-finds-nothing", Fixture, NULL, fixture_setup,
              test_other_metric_finds_nothing, fixture_teardown);
  g_test_add ("/rule-preview/cancelled", Fixture, NULL, fixture_setup, test_cancelled,
              fixture_teardown);
  g_test_add ("/rule-preview/empty-window-is-an-error", Fixture, NULL, fixture_setup,
              test_empty_window_is_an_error, fixture_teardown);
  g_test_add_func ("/rule-preview/playback-clock-between-samples",
                   test_playback_clock_between_samples);
  g_test_add_func ("/rule-preview/playback-out-of-order", test_playback_out_of_order);
  return g_test_run ();
}
