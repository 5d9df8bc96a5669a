/* Ward scope of the live alert board (issue 6): a clinician's console,
 * banner and notifications get only the alerts of patients their scoped
 * connection lists. Pure data: no display needed. */
#include "tw-alert-scope.h"

static TwAlert *
make_alert (guint64          id,
            const char      *key,
            TwAlertPriority  priority)
{
  TwAlert *alert = g_new0 (TwAlert, 1);

  alert->id = id;
  alert->entity_key = g_strdup (key);
  alert->rule_id = g_strdup ("hr-high");
  alert->message = g_strdup_printf ("alert %" G_GUINT64_FORMAT, id);
  alert->priority = priority;
  alert->state = TW_ALERT_STATE_ACTIVE;
  return alert;
}

static TwAlertSnapshot *
make_board (void)
{
  TwAlertSnapshot *raw = g_new0 (TwAlertSnapshot, 1);

  raw->generation = 7;
  raw->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_alert_free);
  /* Console order: high first. P2's high alert is the engine's newest. */
  g_ptr_array_add (raw->alerts, make_alert (9, "P2", TW_ALERT_PRIORITY_HIGH));
  g_ptr_array_add (raw->alerts, make_alert (4, "P1", TW_ALERT_PRIORITY_HIGH));
  g_ptr_array_add (raw->alerts, make_alert (5, "P3", TW_ALERT_PRIORITY_MEDIUM));
  raw->counts[TW_ALERT_PRIORITY_HIGH] = 2;
  raw->counts[TW_ALERT_PRIORITY_MEDIUM] = 1;
  raw->newest_high_id = 9;
  raw->audio_paused = TRUE;
  return raw;
}

static GHashTable *
keys (const char *first, ...)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  va_list args;

  va_start (args, first);
  for (const char *k = first; k != NULL; k = va_arg (args, const char *))
    g_hash_table_add (set, g_strdup (k));
  va_end (args);
  return set;
}

static void
test_other_wards_hidden (void)
{
  g_autoptr(TwAlertSnapshot) raw = make_board ();
  g_autoptr(GHashTable) mine = keys ("P1", "P3", NULL);
  g_autoptr(TwAlertSnapshot) scoped = tw_alert_snapshot_scoped (raw, mine);

  g_assert_cmpuint (scoped->alerts->len, ==, 2);
  for (guint i = 0; i < scoped->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (scoped->alerts, i);

      g_assert_cmpstr (alert->entity_key, !=, "P2");
    }
  /* The summary ("1 high, 1 medium") counts only what is listed. */
  g_assert_cmpuint (scoped->counts[TW_ALERT_PRIORITY_HIGH], ==, 1);
  g_assert_cmpuint (scoped->counts[TW_ALERT_PRIORITY_MEDIUM], ==, 1);
  /* The banner announces our newest high alert, not the other ward's. */
  g_assert_cmpuint (scoped->newest_high_id, ==, 4);
  /* The order and the board's state stay. */
  g_assert_cmpuint (((TwAlert *) g_ptr_array_index (scoped->alerts, 0))->id, ==, 4);
  g_assert_true (scoped->audio_paused);
  g_assert_cmpuint (scoped->generation, ==, 7);
}

static void
test_unscoped_sees_all (void)
{
  g_autoptr(TwAlertSnapshot) raw = make_board ();
  g_autoptr(TwAlertSnapshot) all = tw_alert_snapshot_scoped (raw, NULL);

  g_assert_cmpuint (all->alerts->len, ==, 3);
  g_assert_cmpuint (all->counts[TW_ALERT_PRIORITY_HIGH], ==, 2);
  g_assert_cmpuint (all->newest_high_id, ==, 9);
  /* A deep copy: the page frees both. */
  g_assert_true (g_ptr_array_index (all->alerts, 0) != g_ptr_array_index (raw->alerts, 0));
}

static void
test_no_wards_sees_nothing (void)
{
  g_autoptr(TwAlertSnapshot) raw = make_board ();
  g_autoptr(GHashTable) none = keys (NULL, NULL);
  g_autoptr(TwAlertSnapshot) scoped = tw_alert_snapshot_scoped (raw, none);

  g_assert_cmpuint (scoped->alerts->len, ==, 0);
  g_assert_cmpuint (scoped->counts[TW_ALERT_PRIORITY_HIGH], ==, 0);
  g_assert_cmpuint (scoped->newest_high_id, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/alert-scope/other-wards-hidden", test_other_wards_hidden);
  g_test_add_func ("/alert-scope/unscoped-sees-all", test_unscoped_sees_all);
  g_test_add_func ("/alert-scope/no-wards-sees-nothing", test_no_wards_sees_nothing);
  return g_test_run ();
}
