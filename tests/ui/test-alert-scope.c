/* Ward scope of the live alert board (issue 6): a clinician's console,
 * banner and notifications get only the alerts of patients their scoped
 * connection lists; an administrator's console never shows the sources'
 * entity keys. The first tests are pure data; the last runs the real
 * console page on a real pipeline (needs a display: tools/test.sh runs
 * every test under Xvfb). */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tw-alert-scope.h"
#include "tw-alerts-page.h"
#include "tw-pipeline.h"
#include "tw-session.h"

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

static void
test_messages_masked (void)
{
  g_autoptr(TwAlertSnapshot) raw = make_board ();
  g_autoptr(TwAlertSnapshot) copy = NULL;
  TwAlert *first = g_ptr_array_index (raw->alerts, 0);
  TwAlert *second = g_ptr_array_index (raw->alerts, 1);

  g_free (first->message);
  first->message = g_strdup ("P2: SpO2 84 % below 90 %");
  g_free (second->message);
  second->message = g_strdup ("heart rate of P1 above 130");
  copy = tw_alert_snapshot_scoped (raw, NULL);
  tw_alert_snapshot_mask_messages (copy);

  /* The key that opens a message goes; any other mention says "patient". */
  g_assert_cmpstr (((TwAlert *) g_ptr_array_index (copy->alerts, 0))->message, ==,
                   "SpO2 84 % below 90 %");
  g_assert_cmpstr (((TwAlert *) g_ptr_array_index (copy->alerts, 1))->message, ==,
                   "heart rate of patient above 130");
  /* The engine's board is not touched; the copy keeps its keys for lookups. */
  g_assert_cmpstr (first->message, ==, "P2: SpO2 84 % below 90 %");
  g_assert_cmpstr (((TwAlert *) g_ptr_array_index (copy->alerts, 0))->entity_key, ==, "P2");
}

/* ---- the console page on a real pipeline ---------------------------- */

#define ADMIN_PASSWORD     "correct horse battery staple"
#define CLINICIAN_PASSWORD "stethoscope on the night shift"
#define N_SAMPLES          60

/* Two patients on two wards whose SpO2 drops to 84 % (the default pack's
 * spo2-low rule raises an alert for each). */
static char *
write_two_wards (const char *dir)
{
  static const char *patients[][3] = { { "P-NEAR", "W1", "W1-01" }, { "P-FAR", "W2", "W2-01" } };
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "two-wards.ndjson", NULL);
  int seq = 0;

  for (guint p = 0; p < G_N_ELEMENTS (patients); p++)
    g_string_append_printf (text, "{\"v\":1,\"type\":\"patient\",\"id\":\"%s\",\"name\":\"Name %s\","
                                  "\"mrn\":\"MRN-%u\",\"group\":\"%s\",\"bed\":\"%s\"}\n",
                            patients[p][0], patients[p][0], p, patients[p][1], patients[p][2]);
  for (int i = 0; i < N_SAMPLES; i++)
    {
      g_autoptr(GDateTime) when = g_date_time_add_seconds (now, i - N_SAMPLES - 5);
      g_autofree char *ts = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S.000000Z");

      for (guint p = 0; p < G_N_ELEMENTS (patients); p++)
        g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":%d,\"ts\":\"%s\","
                                      "\"patient\":\"%s\",\"hr\":88,\"spo2\":%d}\n",
                                ++seq, ts, patients[p][0], i < 20 ? 97 : 84);
    }
  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
  return path;
}

static gboolean
has_alert_for (const TwAlertSnapshot *snapshot,
               const char            *key)
{
  for (guint i = 0; snapshot != NULL && i < snapshot->alerts->len; i++)
    if (g_str_equal (((const TwAlert *) g_ptr_array_index (snapshot->alerts, i))->entity_key, key))
      return TRUE;
  return FALSE;
}

static void
iterate_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
wait_for_shown (TwAlertsPage *page,
                guint         n,
                guint         timeout_s)
{
  gint64 until = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < until)
    {
      const TwAlertSnapshot *snapshot = tw_alerts_page_get_snapshot (page);

      if (snapshot != NULL && snapshot->alerts->len == n && tw_alerts_page_get_n_shown (page) == n)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return FALSE;
}

static void
test_console_follows_scope (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tw-alert-scope-XXXXXX", &error);
  g_autoptr(TwSession) admin = NULL;
  g_autoptr(TwSession) clinician = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autofree char *path = NULL;
  g_autofree char *admin_title = NULL;
  const char *wards[] = { "W1", NULL };
  TwAlertsPage *page;
  gint64 until;

  if (!gtk_is_initialized () && !gtk_init_check ())
    {
      g_test_skip ("no display (run under xvfb-run, as tools/test.sh does)");
      return;
    }
  adw_init ();
  g_assert_no_error (error);

  admin = tw_session_initialize (dir, "root", ADMIN_PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);
  tw_session_add_user (admin, "cleo", TW_ROLE_CLINICIAN, CLINICIAN_PASSWORD, &error);
  g_assert_no_error (error);
  tw_session_set_user_wards (admin, "cleo", wards, &error);
  g_assert_no_error (error);

  /* Both patients alarm on the engine's board. */
  path = write_two_wards (dir);
  pipeline = tw_pipeline_new (admin, &error);
  g_assert_no_error (error);
  tw_pipeline_add_source (pipeline, path, &error);
  g_assert_no_error (error);
  tw_pipeline_start (pipeline);
  until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(TwPipelineStatus) status = tw_pipeline_get_status (pipeline);
      g_autoptr(TwAlertSnapshot) board = tw_pipeline_get_alerts (pipeline);

      if (status->finished && has_alert_for (board, "P-NEAR") && has_alert_for (board, "P-FAR"))
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, until);
      g_usleep (20000);
    }

  /* The clinician of W1 sees W1's alert only — and keeps not seeing W2's. */
  clinician = tw_session_login (dir, "cleo", CLINICIAN_PASSWORD, &error);
  g_assert_no_error (error);
  page = g_object_ref_sink (g_object_new (TW_TYPE_ALERTS_PAGE, NULL));
  tw_alerts_page_start (page, clinician, pipeline);
  g_assert_true (wait_for_shown (page, 1, 10));
  iterate_for (600);
  g_assert_cmpuint (tw_alerts_page_get_n_shown (page), ==, 1);
  g_assert_true (has_alert_for (tw_alerts_page_get_snapshot (page), "P-NEAR"));
  g_assert_false (has_alert_for (tw_alerts_page_get_snapshot (page), "P-FAR"));

  /* The administrator sees both, by bed and pseudonym: never the key. */
  tw_alerts_page_start (page, admin, pipeline);
  g_assert_true (wait_for_shown (page, 2, 10));
  until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  do
    {
      g_clear_pointer (&admin_title, g_free);
      admin_title = tw_alerts_page_dup_entity_title (page, "P-FAR");
      iterate_for (20);
    }
  while ((admin_title == NULL || strstr (admin_title, "S-") == NULL)
         && g_get_monotonic_time () < until);
  g_assert_nonnull (admin_title);
  g_assert_nonnull (strstr (admin_title, "W2-01"));
  g_assert_nonnull (strstr (admin_title, "S-"));
  g_assert_null (strstr (admin_title, "P-FAR"));
  g_assert_null (strstr (admin_title, "Name"));
  /* … nor in the messages (the banner and notifications get these too). */
  for (guint i = 0; i < tw_alerts_page_get_snapshot (page)->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (tw_alerts_page_get_snapshot (page)->alerts, i);

      g_test_message ("admin sees: %s", alert->message);
      g_assert_null (strstr (alert->message, "P-FAR"));
      g_assert_null (strstr (alert->message, "P-NEAR"));
    }

  tw_alerts_page_stop (page);
  g_object_unref (page);
  tw_pipeline_stop (pipeline);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/alert-scope/other-wards-hidden", test_other_wards_hidden);
  g_test_add_func ("/alert-scope/unscoped-sees-all", test_unscoped_sees_all);
  g_test_add_func ("/alert-scope/no-wards-sees-nothing", test_no_wards_sees_nothing);
  g_test_add_func ("/alert-scope/messages-masked", test_messages_masked);
  g_test_add_func ("/alert-scope/console-follows-scope", test_console_follows_scope);
  return g_test_run ();
}
