#include <glib/gstdio.h>

#include "tw-pipeline.h"
#include "tw-session.h"
#include "tw-store-alerts.h"
#include "tw-store-private.h"
#include "tw-store-rules.h"
#include "tw-time.h"

/* Generous: a loaded CI machine; the pipeline itself answers in ≤100 ms. */
#define WAIT_US          (20 * TW_USEC_PER_SEC)
#define POLL_US          (10 * 1000)
#define PASSWORD         "pipeline alerts password"
#define N_SAMPLES        5
#define HIGH_HR          150

/* One rule, scoped to the ICU: proves the group travels from the native
 * JSON "group" through the pipeline to the rule engine. */
static const char rules_pack[] =
  "{\"pack\": \"test\", \"rules\": ["
  " {\"id\": \"icu-hr-high\", \"kind\": \"threshold\", \"metric\": \"hr\","
  "  \"direction\": \"above\", \"limit\": 130, \"priority\": \"high\", \"latching\": true,"
  "  \"scope\": {\"group\": \"ICU\"}}]}";

typedef struct
{
  char      *dir;
  TwSession *session;
} Fixture;

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_remove (path);
    }
  g_rmdir (dir);
}

static char *
write_in (const char *dir,
          const char *name,
          const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  return path;
}

/* An NDJSON file: @patient announced in @group, then N_SAMPLES heart
 * rates of HIGH_HR a minute ago; a second patient in Ward 7 with the same
 * values (out of the rule's scope). Returns its file:// URL. */
static char *
write_stream (const char *dir,
              const char *name,
              const char *patient,
              const char *group)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = NULL;
  gint64 start = tw_time_now () - TW_USEC_PER_MIN;
  guint seq = 1;

  g_string_append_printf (text, "{\"v\":1,\"type\":\"patient\",\"id\":\"%s\",\"group\":\"%s\"}\n",
                          patient, group);
  g_string_append (text, "{\"v\":1,\"type\":\"patient\",\"id\":\"W7-1\",\"group\":\"Ward 7\"}\n");
  for (guint i = 0; i < N_SAMPLES; i++)
    {
      g_autofree char *ts = tw_time_format_iso8601 (start + i * TW_USEC_PER_SEC);

      g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":%u,\"ts\":\"%s\","
                              "\"patient\":\"%s\",\"hr\":%d}\n", seq++, ts, patient, HIGH_HR);
      g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":%u,\"ts\":\"%s\","
                              "\"patient\":\"W7-1\",\"hr\":%d}\n", seq++, ts, HIGH_HR);
    }
  path = write_in (dir, name, text->str);
  return g_filename_to_uri (path, NULL, NULL);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autofree char *rules_dir = NULL;
  g_autofree char *pack = NULL;
  g_autofree char *data_dir = NULL;
  guint added = 0;

  f->dir = g_dir_make_tmp ("tw-pipeline-alerts-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (f->dir, "data", NULL);
  f->session = tw_session_initialize (data_dir, "admin", PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);

  /* Seeded with the test's pack, so the default packs stay out. */
  rules_dir = g_build_filename (f->dir, "rules", NULL);
  g_assert_cmpint (g_mkdir (rules_dir, 0700), ==, 0);
  pack = write_in (rules_dir, "test.json", rules_pack);
  store = tw_session_open_store (f->session, &error);
  g_assert_no_error (error);
  g_assert_true (tw_store_seed_rules (store, rules_dir, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 1);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->session, tw_session_free);
  remove_tree (f->dir);
  g_free (f->dir);
}

typedef gboolean (*SnapshotCheck) (const TwAlertSnapshot *snapshot,
                                   gconstpointer          data);

/* Polls the snapshot until @check holds; fails the test after WAIT_US. */
static TwAlertSnapshot *
wait_for_snapshot (TwPipeline    *pipeline,
                   SnapshotCheck  check,
                   gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  for (;;)
    {
      TwAlertSnapshot *snapshot = tw_pipeline_get_alerts (pipeline);

      if (check (snapshot, data))
        return snapshot;
      tw_alert_snapshot_free (snapshot);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (POLL_US);
    }
}

static const TwAlert *
only_alert (const TwAlertSnapshot *snapshot)
{
  return snapshot->alerts->len == 1 ? g_ptr_array_index (snapshot->alerts, 0) : NULL;
}

/* The snapshot's one alert; fails the test when there are more or none. */
static const TwAlert *
the_alert (const TwAlertSnapshot *snapshot)
{
  g_assert_cmpuint (snapshot->alerts->len, ==, 1);
  return g_ptr_array_index (snapshot->alerts, 0);
}

static gboolean
has_one_alert (const TwAlertSnapshot *snapshot,
               gconstpointer          data)
{
  return only_alert (snapshot) != NULL;
}

static gboolean
is_in_state (const TwAlertSnapshot *snapshot,
             gconstpointer          data)
{
  const TwAlert *alert = only_alert (snapshot);

  return alert != NULL && (int) alert->state == GPOINTER_TO_INT (data);
}

static gboolean
is_escalated (const TwAlertSnapshot *snapshot,
              gconstpointer          data)
{
  const TwAlert *alert = only_alert (snapshot);

  return alert != NULL && alert->escalated;
}

static gboolean
is_audio_paused (const TwAlertSnapshot *snapshot,
                 gconstpointer          data)
{
  return snapshot->audio_paused;
}

static gboolean
has_two_alerts (const TwAlertSnapshot *snapshot,
                gconstpointer          data)
{
  return snapshot->alerts->len == 2;
}

static gboolean
is_published (const TwAlertSnapshot *snapshot,
              gconstpointer          data)
{
  return snapshot->generation > 0;
}

/* Reads alert @id through a connection of its own (as twctl would) until
 * @who acknowledged it; returns the record. */
static TwAlertRecord *
wait_for_stored_ack (TwSession  *session,
                     guint64     id,
                     const char *who)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (session, &error);

  g_assert_no_error (error);
  /* The session is an admin's, who does not see clinicians' notes: read
   * as the engine does (a clinician's view without a user, so no ward
   * scope applies). */
  tw_store_set_role (store, TW_ROLE_CLINICIAN);
  tw_store_set_user (store, NULL);
  for (;;)
    {
      TwAlertRecord *record = NULL;

      if (tw_store_get_alert (store, id, &record, NULL)
          && g_strcmp0 (record->alert->acknowledged_by, who) == 0)
        return record;
      tw_alert_record_free (record);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (POLL_US);
    }
}

/* @note NULL: any note (the board notes the message when it raises). */
static gboolean
has_transition (GPtrArray    *rows,
                TwAlertState  from,
                TwAlertState  to,
                const char   *who,
                const char   *note)
{
  for (guint i = 0; i < rows->len; i++)
    {
      TwAlertTransitionRow *row = g_ptr_array_index (rows, i);

      if (row->from == from && row->to == to && g_strcmp0 (row->who, who) == 0
          && (note == NULL || g_strcmp0 (row->note, note) == 0) && row->at > 0)
        return TRUE;
    }
  return FALSE;
}

static TwPipeline *
start_pipeline (TwSession  *session,
                const char *url)
{
  g_autoptr(GError) error = NULL;
  TwPipeline *pipeline = tw_pipeline_new (session, &error);

  g_assert_no_error (error);
  g_assert_true (tw_pipeline_add_source (pipeline, url, &error));
  g_assert_no_error (error);
  tw_pipeline_start (pipeline);
  return pipeline;
}

static void
test_raise_acknowledge_restore (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = write_stream (f->dir, "first.jsonl", "P0001", "ICU");
  g_autofree char *second_url = NULL;
  g_autoptr(TwPipeline) pipeline = start_pipeline (f->session, url);
  g_autoptr(TwAlertSnapshot) raised = NULL;
  g_autoptr(TwAlertSnapshot) acknowledged = NULL;
  g_autoptr(TwAlertSnapshot) escalated = NULL;
  g_autoptr(TwAlertSnapshot) paused = NULL;
  g_autoptr(TwAlertSnapshot) restored = NULL;
  g_autoptr(TwAlertSnapshot) both = NULL;
  g_autoptr(TwAlertRecord) record = NULL;
  g_autoptr(GPtrArray) transitions = NULL;
  g_autoptr(TwStore) store = NULL;
  const TwAlert *alert;
  guint64 id;
  gint64 asked;

  /* Raised for the ICU patient only, with everything the console shows. */
  raised = wait_for_snapshot (pipeline, has_one_alert, NULL);
  alert = the_alert (raised);
  id = alert->id;
  g_assert_cmpuint (id, >, 0);
  g_assert_cmpstr (alert->rule_id, ==, "icu-hr-high");
  g_assert_cmpstr (alert->entity_key, ==, "P0001");
  g_assert_cmpstr (alert->group, ==, "ICU");
  g_assert_cmpint (alert->priority, ==, TW_ALERT_PRIORITY_HIGH);
  g_assert_cmpint (alert->state, ==, TW_ALERT_STATE_ACTIVE);
  g_assert_cmpint (alert->source_id, >, 0);
  g_assert_cmpint (alert->evidence_from_ts, >, 0);
  g_assert_cmpuint (raised->counts[TW_ALERT_PRIORITY_HIGH], ==, 1);
  g_assert_cmpuint (raised->newest_high_id, ==, id);
  g_assert_cmpuint (raised->generation, >, 0);
  g_assert_false (raised->audio_paused);

  /* Acknowledged with a note through the pipeline: on screen within a loop
   * turn, in the store with who, when and the note (no batch carries it:
   * the file has ended). */
  asked = tw_time_now ();
  tw_pipeline_acknowledge_alert (pipeline, id, "nurse.jones", "Checked the patient");
  acknowledged = wait_for_snapshot (pipeline, is_in_state,
                                    GINT_TO_POINTER (TW_ALERT_STATE_ACKNOWLEDGED));
  g_assert_cmpuint (acknowledged->generation, >, raised->generation);
  record = wait_for_stored_ack (f->session, id, "nurse.jones");
  g_assert_cmpstr (record->alert->ack_note, ==, "Checked the patient");
  g_assert_cmpint (record->alert->acknowledged_us, >=, asked);
  g_assert_cmpint (record->alert->state, ==, TW_ALERT_STATE_ACKNOWLEDGED);
  g_assert_cmpstr (record->alert->group, ==, "ICU");

  tw_pipeline_escalate_alert (pipeline, id, "nurse.jones", "Calling the doctor");
  escalated = wait_for_snapshot (pipeline, is_escalated, NULL);
  tw_pipeline_pause_audio (pipeline, "nurse.jones");
  paused = wait_for_snapshot (pipeline, is_audio_paused, NULL);
  g_assert_cmpint (paused->audio_paused_until, >, tw_time_now ());

  /* Stopping commits whatever is pending. */
  tw_pipeline_stop (pipeline);
  g_clear_pointer (&pipeline, tw_pipeline_free);
  store = tw_session_open_store (f->session, &error);
  g_assert_no_error (error);
  tw_store_set_role (store, TW_ROLE_CLINICIAN);  /* notes are a clinician's to read */
  tw_store_set_user (store, NULL);               /* … as the engine's: no ward scope */
  transitions = tw_store_list_alert_transitions (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (has_transition (transitions, TW_ALERT_STATE_NONE, TW_ALERT_STATE_ACTIVE,
                                 NULL, NULL));
  g_assert_true (has_transition (transitions, TW_ALERT_STATE_ACTIVE,
                                 TW_ALERT_STATE_ACKNOWLEDGED, "nurse.jones",
                                 "Checked the patient"));
  g_assert_true (has_transition (transitions, TW_ALERT_STATE_ACKNOWLEDGED,
                                 TW_ALERT_STATE_ACKNOWLEDGED, "nurse.jones",
                                 "Calling the doctor"));
  g_clear_pointer (&record, tw_alert_record_free);
  g_assert_true (tw_store_get_alert (store, id, &record, &error));
  g_assert_true (record->alert->escalated);
  g_clear_pointer (&store, tw_store_close);

  /* Restarted: the open alert is back with its id and acknowledgement, and
   * a new alert gets a new id. */
  second_url = write_stream (f->dir, "second.jsonl", "P0002", "ICU");
  pipeline = start_pipeline (f->session, url);
  restored = wait_for_snapshot (pipeline, is_published, NULL);
  alert = the_alert (restored);
  g_assert_cmpuint (alert->id, ==, id);
  g_assert_cmpint (alert->state, ==, TW_ALERT_STATE_ACKNOWLEDGED);
  g_assert_cmpstr (alert->acknowledged_by, ==, "nurse.jones");
  g_assert_cmpstr (alert->group, ==, "ICU");
  tw_pipeline_stop (pipeline);
  g_clear_pointer (&pipeline, tw_pipeline_free);

  pipeline = start_pipeline (f->session, second_url);
  both = wait_for_snapshot (pipeline, has_two_alerts, NULL);
  for (guint i = 0; i < both->alerts->len; i++)
    {
      const TwAlert *a = g_ptr_array_index (both->alerts, i);

      if (g_str_equal (a->entity_key, "P0002"))
        g_assert_cmpuint (a->id, >, id);
      else
        g_assert_cmpuint (a->id, ==, id);
    }
}

static gboolean
has_stale_alerts (const TwAlertSnapshot *snapshot,
                  gconstpointer          data)
{
  guint n = 0;

  for (guint i = 0; i < snapshot->alerts->len; i++)
    n += g_str_equal (((TwAlert *) g_ptr_array_index (snapshot->alerts, i))->rule_id, "hr-stale");
  return n == GPOINTER_TO_UINT (data);
}

/* A rule the administrator adds while the pipeline runs works after a
 * reload: a stale-data rule, judged on the engine's clock, finds both
 * patients silent for a minute. */
static void
test_reload_rules (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (f->session, &error);
  g_autofree char *url = write_stream (f->dir, "first.jsonl", "P0001", "ICU");
  g_autoptr(TwPipeline) pipeline = start_pipeline (f->session, url);
  g_autoptr(TwAlertSnapshot) raised = NULL;
  g_autoptr(TwAlertSnapshot) stale = NULL;
  g_autoptr(TwRule) rule = NULL;

  g_assert_no_error (error);
  raised = wait_for_snapshot (pipeline, has_one_alert, NULL);
  g_assert_true (has_stale_alerts (raised, GUINT_TO_POINTER (0)));

  rule = tw_rule_from_data ("{\"id\": \"hr-stale\", \"kind\": \"stale\", \"metric\": \"hr\","
                            " \"after\": \"10s\", \"priority\": \"low\"}", -1, &error);
  g_assert_no_error (error);
  g_assert_true (tw_store_save_rule (store, rule, "admin", &error));
  g_assert_no_error (error);
  tw_pipeline_reload_rules (pipeline);
  stale = wait_for_snapshot (pipeline, has_stale_alerts, GUINT_TO_POINTER (2));
  g_assert_cmpuint (stale->alerts->len, ==, 3);
  g_assert_cmpuint (stale->counts[TW_ALERT_PRIORITY_LOW], ==, 2);
  tw_pipeline_stop (pipeline);
}

static gboolean
counts_late (const TwAlertSnapshot *snapshot,
             gconstpointer          data)
{
  return snapshot->too_late == GPOINTER_TO_UINT (data);
}

/* A sample older than the rule's allowed lateness (10 s by default) behind
 * the newest of its series is counted, per source and in the snapshot,
 * and the count survives a restart. */
static void
test_too_late_samples (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new ("{\"v\":1,\"type\":\"patient\",\"id\":\"P0001\","
                                          "\"group\":\"ICU\"}\n");
  gint64 newest = tw_time_now () - TW_USEC_PER_MIN;
  g_autofree char *late_ts = tw_time_format_iso8601 (newest - 5 * TW_USEC_PER_MIN);
  g_autofree char *newest_ts = tw_time_format_iso8601 (newest);
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(TwAlertSnapshot) counted = NULL;
  g_autoptr(TwAlertSnapshot) restored = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  guint64 late = 0;

  g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":1,\"ts\":\"%s\","
                          "\"patient\":\"P0001\",\"hr\":80}\n", newest_ts);
  g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":2,\"ts\":\"%s\","
                          "\"patient\":\"P0001\",\"hr\":%d}\n", late_ts, HIGH_HR);
  path = write_in (f->dir, "late.jsonl", text->str);
  url = g_filename_to_uri (path, NULL, NULL);

  pipeline = start_pipeline (f->session, url);
  counted = wait_for_snapshot (pipeline, counts_late, GUINT_TO_POINTER (1));
  /* Counted, never merged: the late high value raised nothing. */
  g_assert_cmpuint (counted->alerts->len, ==, 0);
  tw_pipeline_stop (pipeline);
  g_clear_pointer (&pipeline, tw_pipeline_free);

  store = tw_session_open_store (f->session, &error);
  g_assert_no_error (error);
  sources = tw_store_list_sources (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sources->len, ==, 1);
  g_assert_true (tw_store_get_source_too_late (store,
                                               ((TwSourceRow *) g_ptr_array_index (sources, 0))->id,
                                               &late, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (late, ==, 1);

  pipeline = start_pipeline (f->session, url);
  restored = wait_for_snapshot (pipeline, is_published, NULL);
  g_assert_cmpuint (restored->too_late, ==, 1);
  tw_pipeline_stop (pipeline);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/pipeline-alerts/raise-acknowledge-restore", Fixture, NULL, fixture_setup,
              test_raise_acknowledge_restore, fixture_teardown);
  g_test_add ("/pipeline-alerts/reload-rules", Fixture, NULL, fixture_setup, test_reload_rules,
              fixture_teardown);
  g_test_add ("/pipeline-alerts/too-late-samples", Fixture, NULL, fixture_setup,
              test_too_late_samples, fixture_teardown);
  return g_test_run ();
}
