#include "tw-alert.h"

#define SEC   ((gint64) G_USEC_PER_SEC)
#define T0    (1000 * SEC)
#define REARM (10 * SEC)

static TwAlertBoard *
board_new (void)
{
  TwAlertBoard *board = tw_alert_board_new ();

  tw_alert_board_set_rearm (board, REARM);
  return board;
}

static guint64
report (TwAlertBoard    *board,
       const char      *rule,
       const char      *entity,
       TwAlertPriority  priority,
       gboolean         latching,
       gboolean         active,
       gint64           now_us)
{
  return tw_alert_board_condition (board, rule, entity, priority, latching,
                                   active, "msg", now_us);
}

static const TwAlertTransition *
log_at (TwAlertBoard *board,
        guint         i)
{
  const GArray *log = tw_alert_board_get_log (board);

  g_assert_cmpuint (i, <, log->len);
  return &g_array_index (log, TwAlertTransition, i);
}

static void
assert_transition (TwAlertBoard *board,
                   guint         i,
                   guint64       id,
                   TwAlertState  from,
                   TwAlertState  to,
                   gint64        when_us)
{
  const TwAlertTransition *t = log_at (board, i);

  g_assert_cmpuint (t->alert_id, ==, id);
  g_assert_cmpstr (tw_alert_state_to_string (t->from), ==, tw_alert_state_to_string (from));
  g_assert_cmpstr (tw_alert_state_to_string (t->to), ==, tw_alert_state_to_string (to));
  g_assert_cmpint (t->when_us, ==, when_us);
}

static void
test_non_latching_clears_and_closes (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  guint64 id = report (board, "spo2-low", "P1", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0);

  g_assert_cmpuint (id, !=, 0);
  g_assert_cmpint (tw_alert_board_lookup (board, id)->state, ==, TW_ALERT_STATE_ACTIVE);

  /* The cause ends: cleared at once, closed when the re-arm time passed. */
  g_assert_cmpuint (report (board, "spo2-low", "P1", TW_ALERT_PRIORITY_MEDIUM, FALSE, FALSE, T0 + SEC), ==, id);
  g_assert_cmpint (tw_alert_board_lookup (board, id)->state, ==, TW_ALERT_STATE_CLEARED);
  g_array_unref (tw_alert_board_tick (board, T0 + SEC + REARM - 1));
  g_assert_nonnull (tw_alert_board_lookup (board, id));
  g_array_unref (tw_alert_board_tick (board, T0 + SEC + REARM));
  g_assert_null (tw_alert_board_lookup (board, id));

  g_assert_cmpuint (tw_alert_board_get_log (board)->len, ==, 3);
  assert_transition (board, 0, id, TW_ALERT_STATE_NONE, TW_ALERT_STATE_ACTIVE, T0);
  assert_transition (board, 1, id, TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_CLEARED, T0 + SEC);
  assert_transition (board, 2, id, TW_ALERT_STATE_CLEARED, TW_ALERT_STATE_CLOSED, T0 + SEC + REARM);
}

static void
test_non_latching_zero_rearm_closes_at_once (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  guint64 id;

  tw_alert_board_set_rearm (board, 0);
  id = report (board, "hr-high", "P1", TW_ALERT_PRIORITY_LOW, FALSE, TRUE, T0);
  g_assert_cmpuint (report (board, "hr-high", "P1", TW_ALERT_PRIORITY_LOW, FALSE, FALSE, T0 + SEC), ==, 0);
  g_assert_null (tw_alert_board_lookup (board, id));
  assert_transition (board, 2, id, TW_ALERT_STATE_CLEARED, TW_ALERT_STATE_CLOSED, T0 + SEC);
}

static void
test_latching_stays_until_acknowledged (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  guint64 id = report (board, "asystole", "P2", TW_ALERT_PRIORITY_HIGH, TRUE, TRUE, T0);
  const TwAlert *alert;
  const TwAlertTransition *t;

  g_assert_cmpuint (report (board, "asystole", "P2", TW_ALERT_PRIORITY_HIGH, TRUE, FALSE, T0 + SEC), ==, id);
  /* Long after the cause ended and any re-arm time, it is still there. */
  g_array_unref (tw_alert_board_tick (board, T0 + 100 * REARM));
  alert = tw_alert_board_lookup (board, id);
  g_assert_nonnull (alert);
  g_assert_cmpint (alert->state, ==, TW_ALERT_STATE_ACTIVE);
  g_assert_false (alert->condition_active);

  /* Acknowledging resets it: acknowledged, cleared and closed at once. */
  g_assert_true (tw_alert_board_acknowledge (board, id, "nurse.ana", "checked leads", T0 + 200 * REARM));
  g_assert_null (tw_alert_board_lookup (board, id));
  /* 0 raised, 1 cause ended (latched), 2 escalated by the tick. */
  g_assert_cmpuint (tw_alert_board_get_log (board)->len, ==, 6);
  assert_transition (board, 1, id, TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_ACTIVE, T0 + SEC);
  t = log_at (board, 3);
  g_assert_cmpint (t->to, ==, TW_ALERT_STATE_ACKNOWLEDGED);
  g_assert_cmpstr (t->who, ==, "nurse.ana");
  assert_transition (board, 4, id, TW_ALERT_STATE_ACKNOWLEDGED, TW_ALERT_STATE_CLEARED, T0 + 200 * REARM);
  assert_transition (board, 5, id, TW_ALERT_STATE_CLEARED, TW_ALERT_STATE_CLOSED, T0 + 200 * REARM);
}

static void
test_acknowledged_then_return_is_new (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  guint64 first = report (board, "map-low", "P3", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0);
  guint64 second;

  g_assert_true (tw_alert_board_acknowledge (board, first, "dr.bo", NULL, T0 + SEC));
  report (board, "map-low", "P3", TW_ALERT_PRIORITY_MEDIUM, FALSE, FALSE, T0 + 2 * SEC);
  g_assert_null (tw_alert_board_lookup (board, first));
  /* Back within the re-arm time, yet acknowledging covered the old one only. */
  second = report (board, "map-low", "P3", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0 + 3 * SEC);
  g_assert_cmpuint (second, !=, first);
  g_assert_cmpint (tw_alert_board_lookup (board, second)->state, ==, TW_ALERT_STATE_ACTIVE);
}

static void
test_flapping_gives_one_alert (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  guint64 id = report (board, "spo2-low", "P1", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0);
  const TwAlert *alert;
  g_autoptr(GPtrArray) list = NULL;

  /* Fifty crossings of the limit, each back within the re-arm time. */
  for (int i = 1; i < 50; i++)
    {
      gint64 t = T0 + i * 2 * SEC;

      g_assert_cmpuint (report (board, "spo2-low", "P1", TW_ALERT_PRIORITY_MEDIUM, FALSE, FALSE, t), ==, id);
      g_assert_cmpuint (report (board, "spo2-low", "P1", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, t + SEC), ==, id);
    }
  /* Repeating the present condition is not a new occurrence. */
  report (board, "spo2-low", "P1", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0 + 200 * SEC);

  alert = tw_alert_board_lookup (board, id);
  g_assert_cmpuint (alert->occurrences, ==, 50);
  g_assert_cmpint (alert->state, ==, TW_ALERT_STATE_ACTIVE);
  g_assert_cmpint (alert->raised_us, ==, T0);
  list = tw_alert_board_list (board);
  g_assert_cmpuint (list->len, ==, 1);

  /* Another entity is another alert. */
  g_assert_cmpuint (report (board, "spo2-low", "P9", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0), !=, id);

  /* A return after the re-arm time is a new alert. */
  report (board, "spo2-low", "P1", TW_ALERT_PRIORITY_MEDIUM, FALSE, FALSE, T0 + 300 * SEC);
  g_assert_cmpuint (report (board, "spo2-low", "P1", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0 + 300 * SEC + REARM), !=, id);
}

static void
test_acknowledge_with_note (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  guint64 id = report (board, "hr-high", "P1", TW_ALERT_PRIORITY_HIGH, FALSE, TRUE, T0);
  const TwAlert *alert;
  const TwAlertTransition *t;

  g_assert_false (tw_alert_board_acknowledge (board, id + 1, "nurse.ana", NULL, T0));
  g_assert_true (tw_alert_board_acknowledge (board, id, "nurse.ana", "patient exercising", T0 + 5 * SEC));
  g_assert_false (tw_alert_board_acknowledge (board, id, "nurse.ana", NULL, T0 + 6 * SEC));

  alert = tw_alert_board_lookup (board, id);
  g_assert_cmpint (alert->state, ==, TW_ALERT_STATE_ACKNOWLEDGED);
  g_assert_cmpstr (alert->acknowledged_by, ==, "nurse.ana");
  g_assert_cmpstr (alert->ack_note, ==, "patient exercising");
  g_assert_cmpint (alert->acknowledged_us, ==, T0 + 5 * SEC);

  g_assert_cmpuint (tw_alert_board_get_log (board)->len, ==, 2);
  t = log_at (board, 1);
  assert_transition (board, 1, id, TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_ACKNOWLEDGED, T0 + 5 * SEC);
  g_assert_cmpstr (t->who, ==, "nurse.ana");
  g_assert_cmpstr (t->note, ==, "patient exercising");
  g_assert_null (log_at (board, 0)->who);
}

static void
test_pause_broken_by_higher_only (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  guint64 high;

  report (board, "hr-high", "P1", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0);
  tw_alert_board_pause_audio (board, T0 + SEC);
  g_assert_true (tw_alert_board_audio_paused (board, T0 + SEC));

  /* Equal and lower priorities do not break through. */
  report (board, "rr-high", "P2", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0 + 2 * SEC);
  report (board, "temp-high", "P3", TW_ALERT_PRIORITY_LOW, FALSE, TRUE, T0 + 3 * SEC);
  g_assert_true (tw_alert_board_audio_paused (board, T0 + 3 * SEC));
  g_assert_cmpuint (tw_alert_board_pause_broken_by (board), ==, 0);

  high = report (board, "asystole", "P4", TW_ALERT_PRIORITY_HIGH, TRUE, TRUE, T0 + 4 * SEC);
  g_assert_false (tw_alert_board_audio_paused (board, T0 + 4 * SEC));
  g_assert_cmpuint (tw_alert_board_pause_broken_by (board), ==, high);
}

static void
test_pause_not_broken_by_update (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();

  report (board, "hr-high", "P1", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0);
  tw_alert_board_pause_audio (board, T0);
  /* The same condition reported at a higher priority is no new alert. */
  report (board, "hr-high", "P1", TW_ALERT_PRIORITY_HIGH, FALSE, TRUE, T0 + SEC);
  g_assert_true (tw_alert_board_audio_paused (board, T0 + SEC));
}

static void
test_pause_ends_by_itself (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();

  report (board, "hr-high", "P1", TW_ALERT_PRIORITY_HIGH, FALSE, TRUE, T0);
  g_assert_false (tw_alert_board_audio_paused (board, T0));
  tw_alert_board_pause_audio (board, T0);
  g_assert_true (tw_alert_board_audio_paused (board, T0 + 2 * 60 * SEC - 1));
  g_assert_false (tw_alert_board_audio_paused (board, T0 + 2 * 60 * SEC));
}

static void
test_escalation_exactly_at_delay (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  const gint64 delay = 45 * SEC;
  guint64 high, medium, acked;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) at = NULL;
  g_autoptr(GArray) again = NULL;
  const TwAlertTransition *t;

  tw_alert_board_set_escalation_delay (board, delay);
  high = report (board, "asystole", "P1", TW_ALERT_PRIORITY_HIGH, TRUE, TRUE, T0);
  medium = report (board, "hr-high", "P2", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0);
  acked = report (board, "vfib", "P3", TW_ALERT_PRIORITY_HIGH, TRUE, TRUE, T0);
  g_assert_true (tw_alert_board_acknowledge (board, acked, "dr.bo", NULL, T0 + SEC));

  before = tw_alert_board_tick (board, T0 + delay - 1);
  g_assert_cmpuint (before->len, ==, 0);
  g_assert_false (tw_alert_board_lookup (board, high)->escalated);

  at = tw_alert_board_tick (board, T0 + delay);
  g_assert_cmpuint (at->len, ==, 1);
  g_assert_cmpuint (g_array_index (at, guint64, 0), ==, high);
  g_assert_true (tw_alert_board_lookup (board, high)->escalated);
  g_assert_false (tw_alert_board_lookup (board, medium)->escalated);
  t = log_at (board, tw_alert_board_get_log (board)->len - 1);
  assert_transition (board, tw_alert_board_get_log (board)->len - 1, high,
                     TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_ACTIVE, T0 + delay);
  g_assert_nonnull (t->note);

  /* Once each. */
  again = tw_alert_board_tick (board, T0 + 10 * delay);
  g_assert_cmpuint (again->len, ==, 0);
}

static void
test_ordering_and_counts (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  g_autoptr(GPtrArray) list = NULL;
  guint64 low_old, med_new, high_new, high_old, med_old;

  low_old = report (board, "r1", "A", TW_ALERT_PRIORITY_LOW, FALSE, TRUE, T0);
  med_new = report (board, "r2", "A", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0 + 5 * SEC);
  high_new = report (board, "r3", "A", TW_ALERT_PRIORITY_HIGH, FALSE, TRUE, T0 + 4 * SEC);
  high_old = report (board, "r4", "A", TW_ALERT_PRIORITY_HIGH, FALSE, TRUE, T0 + SEC);
  med_old = report (board, "r5", "A", TW_ALERT_PRIORITY_MEDIUM, FALSE, TRUE, T0 + 2 * SEC);

  list = tw_alert_board_list (board);
  g_assert_cmpuint (list->len, ==, 5);
  g_assert_cmpuint (((TwAlert *) list->pdata[0])->id, ==, high_old);
  g_assert_cmpuint (((TwAlert *) list->pdata[1])->id, ==, high_new);
  g_assert_cmpuint (((TwAlert *) list->pdata[2])->id, ==, med_old);
  g_assert_cmpuint (((TwAlert *) list->pdata[3])->id, ==, med_new);
  g_assert_cmpuint (((TwAlert *) list->pdata[4])->id, ==, low_old);

  g_assert_cmpuint (tw_alert_board_count (board, TW_ALERT_PRIORITY_HIGH), ==, 2);
  g_assert_cmpuint (tw_alert_board_count (board, TW_ALERT_PRIORITY_MEDIUM), ==, 2);
  g_assert_cmpuint (tw_alert_board_count (board, TW_ALERT_PRIORITY_LOW), ==, 1);
}

static void
test_steal_log (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  g_autoptr(GArray) log = NULL;

  report (board, "r1", "A", TW_ALERT_PRIORITY_LOW, FALSE, TRUE, T0);
  log = tw_alert_board_steal_log (board);
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_cmpuint (tw_alert_board_get_log (board)->len, ==, 0);
}

static void
test_condition_full_evidence (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  TwAlertCondition c = {
    .rule_id = "hr-high",
    .entity_key = "P1",
    .priority = TW_ALERT_PRIORITY_MEDIUM,
    .active = TRUE,
    .message = "HR 140",
    .evidence_from_ts = 100 * SEC,
    .evidence_to_ts = 130 * SEC,
    .group = "ICU",
    .category = TW_ALERT_CATEGORY_PHYSIOLOGICAL,
    .source_id = 7,
  };
  guint64 id = tw_alert_board_condition_full (board, &c, T0);
  const TwAlert *alert = tw_alert_board_lookup (board, id);
  g_autoptr(TwAlert) copy = NULL;

  g_assert_cmpint (alert->evidence_from_ts, ==, 100 * SEC);
  g_assert_cmpint (alert->evidence_to_ts, ==, 130 * SEC);
  g_assert_cmpstr (alert->group, ==, "ICU");
  g_assert_cmpint (alert->source_id, ==, 7);

  /* A confirming report moves the end only. */
  c.evidence_from_ts = 125 * SEC;
  c.evidence_to_ts = 160 * SEC;
  g_assert_cmpuint (tw_alert_board_condition_full (board, &c, T0 + SEC), ==, id);
  alert = tw_alert_board_lookup (board, id);
  g_assert_cmpint (alert->evidence_from_ts, ==, 100 * SEC);
  g_assert_cmpint (alert->evidence_to_ts, ==, 160 * SEC);

  copy = tw_alert_copy (alert);
  g_assert_cmpstr (copy->group, ==, "ICU");
  g_assert_true (copy->group != alert->group);
  g_assert_cmpint (copy->category, ==, TW_ALERT_CATEGORY_PHYSIOLOGICAL);
}

static void
test_manual_escalation_logged (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  guint64 id = report (board, "r", "A", TW_ALERT_PRIORITY_LOW, FALSE, TRUE, T0);
  const TwAlertTransition *t;

  g_assert_true (tw_alert_board_escalate (board, id, "nurse", "no response", T0 + SEC));
  g_assert_true (tw_alert_board_lookup (board, id)->escalated);
  g_assert_cmpint (tw_alert_board_lookup (board, id)->escalated_us, ==, T0 + SEC);
  assert_transition (board, 1, id, TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_ACTIVE, T0 + SEC);
  t = log_at (board, 1);
  g_assert_cmpstr (t->who, ==, "nurse");
  g_assert_cmpstr (t->note, ==, "no response");

  g_assert_false (tw_alert_board_escalate (board, id + 1, "nurse", NULL, T0));
  /* Cleared: nothing left to escalate. */
  report (board, "r", "A", TW_ALERT_PRIORITY_LOW, FALSE, FALSE, T0 + 2 * SEC);
  g_assert_false (tw_alert_board_escalate (board, id, "nurse", NULL, T0 + 3 * SEC));
}

static void
test_restore_and_next_id (void)
{
  g_autoptr(TwAlertBoard) board = board_new ();
  TwAlert saved = {
    .id = 41,
    .rule_id = "spo2-low",
    .entity_key = "P2",
    .priority = TW_ALERT_PRIORITY_HIGH,
    .state = TW_ALERT_STATE_ACKNOWLEDGED,
    .condition_active = TRUE,
    .occurrences = 3,
    .message = "SpO2 85",
    .raised_us = T0,
    .acknowledged_by = "nurse",
  };
  guint64 id;

  tw_alert_board_restore (board, &saved);
  g_assert_cmpuint (tw_alert_board_get_log (board)->len, ==, 0);
  g_assert_cmpuint (tw_alert_board_get_next_id (board), ==, 42);
  g_assert_cmpuint (tw_alert_board_lookup (board, 41)->occurrences, ==, 3);

  /* The restored alert is the open one for its rule and entity: the
   * condition ending closes it (acknowledged). */
  g_assert_cmpuint (report (board, "spo2-low", "P2", TW_ALERT_PRIORITY_HIGH, FALSE,
                            FALSE, T0 + SEC), ==, 0);
  g_assert_null (tw_alert_board_lookup (board, 41));

  tw_alert_board_set_next_id (board, 100);
  id = report (board, "r", "A", TW_ALERT_PRIORITY_LOW, FALSE, TRUE, T0);
  g_assert_cmpuint (id, ==, 100);
  /* Never below an id on the board. */
  tw_alert_board_set_next_id (board, 5);
  g_assert_cmpuint (tw_alert_board_get_next_id (board), ==, 101);
}

static void
test_string_round_trips (void)
{
  TwAlertPriority p;
  TwAlertState s;
  TwAlertCategory c;

  for (int i = TW_ALERT_PRIORITY_LOW; i <= TW_ALERT_PRIORITY_HIGH; i++)
    {
      g_assert_true (tw_alert_priority_from_string (tw_alert_priority_to_string (i), &p));
      g_assert_cmpint (p, ==, i);
    }
  for (int i = TW_ALERT_STATE_NONE; i <= TW_ALERT_STATE_CLOSED; i++)
    {
      g_assert_true (tw_alert_state_from_string (tw_alert_state_to_string (i), &s));
      g_assert_cmpint (s, ==, i);
    }
  g_assert_true (tw_alert_category_from_string ("technical", &c));
  g_assert_cmpint (c, ==, TW_ALERT_CATEGORY_TECHNICAL);
  g_assert_false (tw_alert_priority_from_string ("urgent", &p));
  g_assert_false (tw_alert_category_from_string (NULL, &c));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/alert/non-latching-clears-and-closes", test_non_latching_clears_and_closes);
  g_test_add_func ("/alert/non-latching-zero-rearm", test_non_latching_zero_rearm_closes_at_once);
  g_test_add_func ("/alert/latching-stays-until-acknowledged", test_latching_stays_until_acknowledged);
  g_test_add_func ("/alert/acknowledged-return-is-new", test_acknowledged_then_return_is_new);
  g_test_add_func ("/alert/flapping-gives-one-alert", test_flapping_gives_one_alert);
  g_test_add_func ("/alert/acknowledge-with-note", test_acknowledge_with_note);
  g_test_add_func ("/alert/pause-broken-by-higher-only", test_pause_broken_by_higher_only);
  g_test_add_func ("/alert/pause-not-broken-by-update", test_pause_not_broken_by_update);
  g_test_add_func ("/alert/pause-ends-by-itself", test_pause_ends_by_itself);
  g_test_add_func ("/alert/escalation-exactly-at-delay", test_escalation_exactly_at_delay);
  g_test_add_func ("/alert/ordering-and-counts", test_ordering_and_counts);
  g_test_add_func ("/alert/steal-log", test_steal_log);
  g_test_add_func ("/alert/condition-full-evidence", test_condition_full_evidence);
  g_test_add_func ("/alert/manual-escalation-logged", test_manual_escalation_logged);
  g_test_add_func ("/alert/restore-and-next-id", test_restore_and_next_id);
  g_test_add_func ("/alert/string-round-trips", test_string_round_trips);

  return g_test_run ();
}
