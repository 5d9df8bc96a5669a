#include <sodium.h>
#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-session.h"
#include "tw-sidecar.h"
#include "tw-store-alerts.h"
#include "tw-store-rules.h"
#include "tw-test-store.h"

/* The audit trail as an investigator meets it: whatever was changed,
 * removed or cut off — in the table or in the key file's head — the check
 * names it; an untouched trail checks out. */

#define N_ROWS        5
#define N_CONCURRENT  40

typedef struct
{
  TwTestStore t;
  char       *sidecar;
} Fixture;

static gboolean
no_change (JsonObject *root, gpointer user_data, GError **error)
{
  return TRUE;
}

/* A store as sessions open it: a user, a key file that keeps the head,
 * and an admin's eyes (verify and list are theirs). */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  tw_test_store_open (&f->t, "tw-audit");
  f->sidecar = g_build_filename (f->t.dir, TW_KEYSLOTS_FILENAME, NULL);
  g_assert_true (tw_sidecar_update (f->sidecar, TRUE, no_change, NULL, &error));
  g_assert_no_error (error);
  tw_store_set_user (f->t.store, "ana");
  tw_store_set_sidecar (f->t.store, f->sidecar);
  tw_store_set_role (f->t.store, TW_ROLE_ADMIN);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tw_test_store_close (&f->t);
  g_free (f->sidecar);
}

static void
append_rows (TwStore *store,
             guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *subject = g_strdup_printf ("rule-%u", i + 1);

      g_assert_true (tw_audit_append (store, NULL, TW_AUDIT_RULE_CHANGE, subject,
                                      i % 2 == 0 ? "enabled" : NULL, &error));
      g_assert_no_error (error);
    }
}

static void
verify (Fixture       *f,
        TwAuditReport *report)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tw_audit_verify (f->t.store, f->sidecar, report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (report->message);
  g_test_message ("%s", report->message);
}

static void
sql (Fixture    *f,
     const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tw_store_exec (f->t.store, text, &error));
  g_assert_no_error (error);
}

static void
test_intact (Fixture       *f,
             gconstpointer  data)
{
  TwAuditReport report;
  TwAuditHead head;
  gboolean found = FALSE;
  g_autoptr(GError) error = NULL;

  append_rows (f->t.store, N_ROWS);
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_INTACT);
  g_assert_cmpint (report.n_rows, ==, N_ROWS);
  g_assert_nonnull (strstr (report.message, "intact"));
  tw_audit_report_clear (&report);

  /* The key file's head follows every commit. */
  g_assert_true (tw_audit_read_sidecar_head (f->sidecar, &head, &found, &error));
  g_assert_true (found);
  g_assert_cmpint (head.seq, ==, N_ROWS);

  /* Nothing else of the key file is touched by the head. */
  {
    g_autoptr(JsonObject) root = tw_sidecar_read (f->sidecar, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (json_object_get_size (root), ==, 1);
  }
}

static void
test_triggers_refuse (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) update_error = NULL;
  g_autoptr(GError) delete_error = NULL;
  TwAuditReport report;

  append_rows (f->t.store, N_ROWS);
  g_assert_false (tw_store_exec (f->t.store, "UPDATE audit SET actor = 'mallory' WHERE seq = 2",
                                 &update_error));
  g_assert_nonnull (update_error);
  g_assert_nonnull (strstr (update_error->message, "audit rows cannot be changed"));
  g_assert_false (tw_store_exec (f->t.store, "DELETE FROM audit WHERE seq = 2", &delete_error));
  g_assert_nonnull (delete_error);
  g_assert_nonnull (strstr (delete_error->message, "audit rows cannot be deleted"));

  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_INTACT);
  g_assert_cmpint (report.n_rows, ==, N_ROWS);
  tw_audit_report_clear (&report);
}

static void
test_edited_row (Fixture       *f,
                 gconstpointer  data)
{
  TwAuditReport report;

  append_rows (f->t.store, N_ROWS);
  /* Someone with the database key: drop the guard, then edit. */
  sql (f, "DROP TRIGGER audit_refuses_update");
  sql (f, "UPDATE audit SET detail = 'disabled' WHERE seq = 3");
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_ROW_ALTERED);
  g_assert_cmpint (report.seq, ==, 3);
  g_assert_nonnull (strstr (report.message, "row 3 "));
  g_assert_nonnull (strstr (report.message, "backup"));
  tw_audit_report_clear (&report);

  /* Changing only the time is caught as well. */
  sql (f, "UPDATE audit SET detail = 'enabled' WHERE seq = 3");
  sql (f, "UPDATE audit SET at = at + 1 WHERE seq = 4");
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_ROW_ALTERED);
  g_assert_cmpint (report.seq, ==, 4);
  tw_audit_report_clear (&report);
}

static void
test_deleted_middle_row (Fixture       *f,
                         gconstpointer  data)
{
  TwAuditReport report;

  append_rows (f->t.store, N_ROWS);
  sql (f, "DROP TRIGGER audit_refuses_delete");
  sql (f, "DELETE FROM audit WHERE seq = 3");
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_ROW_MISSING);
  g_assert_cmpint (report.seq, ==, 3);
  g_assert_nonnull (strstr (report.message, "row 3 was removed"));
  tw_audit_report_clear (&report);

  /* Renumbering the rows after it to close the gap breaks their MACs. */
  sql (f, "DROP TRIGGER audit_refuses_update");
  sql (f, "UPDATE audit SET seq = seq - 1 WHERE seq > 3");
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_ROW_ALTERED);
  g_assert_cmpint (report.seq, ==, 3);
  tw_audit_report_clear (&report);
}

static void
test_truncated_tail (Fixture       *f,
                     gconstpointer  data)
{
  TwAuditReport report;

  append_rows (f->t.store, N_ROWS);
  sql (f, "DROP TRIGGER audit_refuses_delete");
  sql (f, "DELETE FROM audit WHERE seq > 3");
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_TAIL_MISSING);
  g_assert_cmpint (report.seq, ==, 3);
  g_assert_cmpint (report.head_seq, ==, N_ROWS);
  g_assert_nonnull (strstr (report.message, "ends at row 3"));
  g_assert_nonnull (strstr (report.message, "head is row 5"));
  tw_audit_report_clear (&report);

  /* New rows after the cut do not hide it: rows 4 and 5 now exist again
   * but are not the rows the head names. */
  append_rows (f->t.store, 2);
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_HEAD_MISMATCH);
  g_assert_cmpint (report.seq, ==, N_ROWS);
  tw_audit_report_clear (&report);
}

static gboolean
remove_head (JsonObject *root, gpointer user_data, GError **error)
{
  json_object_remove_member (root, "audit_head");
  return TRUE;
}

static gboolean
edit_head (JsonObject *root, gpointer user_data, GError **error)
{
  JsonObject *head = json_object_get_object_member (root, "audit_head");
  g_autofree char *mac = g_strdup (json_object_get_string_member (head, "mac"));

  mac[0] = mac[0] == '0' ? '1' : '0';
  json_object_set_string_member (head, "mac", mac);
  return TRUE;
}

static void
change_sidecar (Fixture             *f,
                TwSidecarUpdateFunc  func)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tw_sidecar_update (f->sidecar, FALSE, func, NULL, &error));
  g_assert_no_error (error);
}

static void
test_removed_head (Fixture       *f,
                   gconstpointer  data)
{
  TwAuditReport report;

  append_rows (f->t.store, N_ROWS);
  change_sidecar (f, remove_head);
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_HEAD_MISSING);
  g_assert_nonnull (strstr (report.message, "head was removed"));
  tw_audit_report_clear (&report);

  /* The next append does not quietly put a fresh head back. */
  append_rows (f->t.store, 1);
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_HEAD_MISSING);
  tw_audit_report_clear (&report);
}

static void
test_edited_head (Fixture       *f,
                  gconstpointer  data)
{
  TwAuditReport report;

  append_rows (f->t.store, N_ROWS);
  change_sidecar (f, edit_head);
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_HEAD_MISMATCH);
  g_assert_cmpint (report.seq, ==, N_ROWS);
  g_assert_nonnull (strstr (report.message, "row 5"));
  tw_audit_report_clear (&report);

  /* Nor is an edited head moved past by the next append. */
  append_rows (f->t.store, 1);
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_HEAD_MISMATCH);
  tw_audit_report_clear (&report);
}


static gboolean
replace_head (JsonObject *root, gpointer user_data, GError **error)
{
  json_object_set_int_member (root, "audit_head", 5);
  return TRUE;
}

/* A head that is not one (a number where an object belongs) is reported,
 * not trusted, and not replaced by the next append. */
static void
test_damaged_head (Fixture       *f,
                   gconstpointer  data)
{
  TwAuditReport report;

  append_rows (f->t.store, N_ROWS);
  change_sidecar (f, replace_head);
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_HEAD_MISMATCH);
  g_assert_nonnull (strstr (report.message, "damaged"));
  tw_audit_report_clear (&report);
  append_rows (f->t.store, 1);
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_HEAD_MISMATCH);
  tw_audit_report_clear (&report);
}

typedef struct
{
  Fixture *f;
  guint    n;
} Appender;

static gpointer
append_thread (gpointer data)
{
  Appender *a = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_store_open (a->f->t.path, a->f->t.key, FALSE, &error);

  g_assert_no_error (error);
  tw_store_set_user (store, "ben");
  tw_store_set_sidecar (store, a->f->sidecar);
  append_rows (store, a->n);
  return NULL;
}

static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  Appender a = { f, N_CONCURRENT };
  TwAuditReport report;
  TwAuditHead head;
  gboolean found = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GThread *thread;

  thread = g_thread_new ("appender", append_thread, &a);
  append_rows (f->t.store, N_CONCURRENT);
  g_thread_join (thread);

  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_INTACT);
  g_assert_cmpint (report.n_rows, ==, 2 * N_CONCURRENT);
  tw_audit_report_clear (&report);
  g_assert_true (tw_audit_read_sidecar_head (f->sidecar, &head, &found, &error));
  g_assert_cmpint (head.seq, ==, 2 * N_CONCURRENT);

  /* Each connection wrote as its own user. */
  rows = tw_audit_list (f->t.store, &(TwAuditFilter) { .actor = "ben" }, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, N_CONCURRENT);
}

/* A first append that rolls back takes the new MAC key with it; the
 * connection must not go on chaining under that lost key. */
static void
test_rolled_back_first_append (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) other = tw_store_open (f->t.path, f->t.key, FALSE, &error);
  TwAuditReport report;

  g_assert_no_error (error);
  g_assert_true (tw_store_begin (f->t.store, &error));
  append_rows (f->t.store, 1);
  tw_store_rollback (f->t.store);
  append_rows (other, 1);
  append_rows (f->t.store, 2);
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_INTACT);
  g_assert_cmpint (report.n_rows, ==, 3);
  tw_audit_report_clear (&report);
}

static void
test_list_filters (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  TwAuditRow *row;
  gint64 middle;

  g_assert_true (tw_audit_append (f->t.store, NULL, TW_AUDIT_LOGIN, NULL, NULL, &error));
  g_assert_true (tw_audit_append (f->t.store, "ben", TW_AUDIT_EXPORT, "audit trail",
                                  "3 rows to /tmp/50%_off.csv", &error));
  g_assert_true (tw_audit_append (f->t.store, "ben", TW_AUDIT_RULE_CHANGE, "spo2-low", "disabled",
                                  &error));
  g_assert_no_error (error);

  all = tw_audit_list (f->t.store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  row = g_ptr_array_index (all, 0);
  g_assert_cmpint (row->seq, ==, 3);                  /* newest first */
  row = g_ptr_array_index (all, 2);
  g_assert_cmpstr (row->actor, ==, "ana");            /* NULL actor: the connection's user */
  g_assert_cmpstr (row->action, ==, TW_AUDIT_LOGIN);

  rows = tw_audit_list (f->t.store, &(TwAuditFilter) { .actor = "ben" }, &error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = tw_audit_list (f->t.store, &(TwAuditFilter) { .action = TW_AUDIT_EXPORT }, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);
  /* Text is literal: % and _ are not wildcards. */
  rows = tw_audit_list (f->t.store, &(TwAuditFilter) { .text = "50%_off" }, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = tw_audit_list (f->t.store, &(TwAuditFilter) { .text = "5_%" }, &error);
  g_assert_cmpuint (rows->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = tw_audit_list (f->t.store, &(TwAuditFilter) { .text = "SPO2" }, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = tw_audit_list (f->t.store, &(TwAuditFilter) { .limit = 2 }, &error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpint (((TwAuditRow *) g_ptr_array_index (rows, 0))->seq, ==, 3);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Times are inclusive at both ends. */
  middle = ((TwAuditRow *) g_ptr_array_index (all, 1))->at;
  rows = tw_audit_list (f->t.store, &(TwAuditFilter) { .from_ts = middle, .to_ts = middle },
                        &error);
  g_assert_cmpuint (rows->len, >=, 1);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpint (((TwAuditRow *) g_ptr_array_index (rows, i))->at, ==, middle);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = tw_audit_list (f->t.store, &(TwAuditFilter) { .from_ts = middle + 1 }, &error);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpint (((TwAuditRow *) g_ptr_array_index (rows, i))->at, >, middle);
  g_assert_no_error (error);
}

static void
test_admins_only (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) list_error = NULL;
  g_autoptr(GError) verify_error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  TwAuditReport report;

  append_rows (f->t.store, 1);
  tw_store_set_role (f->t.store, TW_ROLE_CLINICIAN);
  rows = tw_audit_list (f->t.store, NULL, &list_error);
  g_assert_null (rows);
  g_assert_error (list_error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
  g_assert_false (tw_audit_verify (f->t.store, f->sidecar, &report, &verify_error));
  g_assert_error (verify_error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
}

static void
test_csv (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_audit_row_free);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  TwAuditRow *row;
  const char *expected =
    "seq,time,actor,action,subject,detail\r\n"
    "1,2026-01-31T08:00:00.000000Z,ana,export,audit trail,\"3 rows, \"\"all\"\"\"\r\n"
    "2,2026-01-31T08:00:01.500000Z,b\u00e9a,break-glass,S-0123456789,\"line one\nline two\"\r\n"
    "3,2026-01-31T08:00:02.000000Z,ana,rule-change,'=HYPERLINK(1),\"a \"\"quoted\"\" word\"\r\n";
  g_autofree char *text = NULL;

  row = g_new0 (TwAuditRow, 1);
  row->seq = 1;
  row->at = G_GINT64_CONSTANT (1769846400) * G_USEC_PER_SEC;
  row->actor = g_strdup ("ana");
  row->action = g_strdup ("export");
  row->subject = g_strdup ("audit trail");
  row->detail = g_strdup ("3 rows, \"all\"");
  g_ptr_array_add (rows, row);
  row = g_new0 (TwAuditRow, 1);
  row->seq = 2;
  row->at = G_GINT64_CONSTANT (1769846401500000);
  row->actor = g_strdup ("b\u00e9a");
  row->action = g_strdup ("break-glass");
  row->subject = g_strdup ("S-0123456789");
  row->detail = g_strdup ("line one\nline two");
  g_ptr_array_add (rows, row);
  row = g_new0 (TwAuditRow, 1);
  row->seq = 3;
  row->at = G_GINT64_CONSTANT (1769846402) * G_USEC_PER_SEC;
  row->actor = g_strdup ("ana");
  row->action = g_strdup ("rule-change");
  row->subject = g_strdup ("=HYPERLINK(1)");
  row->detail = g_strdup ("a \"quoted\" word");
  g_ptr_array_add (rows, row);

  g_assert_true (tw_audit_write_csv (rows, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
  g_assert_cmpstr (text, ==, expected);
}

/* The changes the issue names leave rows: rules, sources, alerts. */
static void
test_changes_are_audited (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GArray) transitions = g_array_new (FALSE, TRUE, sizeof (TwAlertTransition));
  TwAlertTransition ack = { 7, TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_ACKNOWLEDGED, "nina", 1,
                            "seen" };
  TwAlertTransition escalate = { 8, TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_ACTIVE, "otto", 2,
                                 "escalated by an operator" };
  TwAlertTransition automatic = { 9, TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_ACTIVE, NULL, 3,
                                  "unacknowledged high alert escalated" };
  TwAuditReport report;
  gint64 source;
  const char *expected[][4] = {
    { "ana", TW_AUDIT_SOURCE_CHANGE, "ward-7", "added mqtt://broker:1883/vitals" },
    { "ana", TW_AUDIT_SOURCE_CHANGE, "ward-7", "set to mqtt://broker:1883/vitals, paused" },
    { "ana", TW_AUDIT_SOURCE_CHANGE, "ward-7", "removed" },
    { "nina", TW_AUDIT_ALERT_ACK, "alert 7", "seen" },
    { "otto", TW_AUDIT_ALERT_ESCALATE, "alert 8", "escalated by an operator" },
  };

  source = tw_store_ensure_source (f->t.store, "ward-7", "mqtt://user:secret@broker:1883/vitals",
                                   &error);
  g_assert_no_error (error);
  /* Registering the same source again is no change. */
  g_assert_cmpint (tw_store_ensure_source (f->t.store, "ward-7",
                                           "mqtt://user:secret@broker:1883/vitals", &error),
                   ==, source);
  g_assert_true (tw_store_update_source (f->t.store, source, "ward-7",
                                         "mqtt://user:secret@broker:1883/vitals", FALSE, &error));
  g_assert_true (tw_store_remove_source (f->t.store, source, &error));
  g_assert_no_error (error);

  g_array_append_val (transitions, ack);
  g_array_append_val (transitions, escalate);
  g_array_append_val (transitions, automatic);
  g_assert_true (tw_store_begin (f->t.store, &error));
  g_assert_true (tw_store_save_alerts (f->t.store, NULL, transitions, &error));
  g_assert_true (tw_store_commit (f->t.store, &error));
  g_assert_no_error (error);

  rows = tw_audit_list (f->t.store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      const TwAuditRow *row = g_ptr_array_index (rows, rows->len - 1 - i);

      g_assert_cmpstr (row->actor, ==, expected[i][0]);
      g_assert_cmpstr (row->action, ==, expected[i][1]);
      g_assert_cmpstr (row->subject, ==, expected[i][2]);
      g_assert_cmpstr (row->detail, ==, expected[i][3]);
      g_assert_null (strstr (row->detail, "secret"));
    }
  verify (f, &report);
  g_assert_cmpint (report.problem, ==, TW_AUDIT_INTACT);
  tw_audit_report_clear (&report);
}

static void
test_rule_changes_are_audited (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) pack = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_rule_unref);
  TwRule *rule = tw_rule_from_data ("{\"id\": \"hr-high\", \"kind\": \"threshold\", "
                                    "\"metric\": \"hr\", \"direction\": \"above\", "
                                    "\"limit\": 130, \"priority\": \"high\"}", -1, &error);
  const char *expected[][3] = {
    { "rene", "hr-high", "imported into pack ward-7, enabled" },
    { "rene", "hr-high", "disabled" },
    { "ana", "hr-high", "removed" },
  };

  g_assert_no_error (error);
  g_ptr_array_add (pack, rule);
  g_assert_true (tw_store_import_rules (f->t.store, pack, "ward-7", "rene", &error));
  g_assert_true (tw_store_set_rule_enabled (f->t.store, "hr-high", FALSE, "rene", &error));
  g_assert_true (tw_store_delete_rule (f->t.store, "hr-high", &error));
  g_assert_no_error (error);
  /* A failed change leaves no row. */
  g_assert_false (tw_store_delete_rule (f->t.store, "hr-high", &error));
  g_clear_error (&error);

  rows = tw_audit_list (f->t.store, &(TwAuditFilter) { .action = TW_AUDIT_RULE_CHANGE }, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      const TwAuditRow *row = g_ptr_array_index (rows, rows->len - 1 - i);

      g_assert_cmpstr (row->actor, ==, expected[i][0]);
      g_assert_cmpstr (row->subject, ==, expected[i][1]);
      g_assert_cmpstr (row->detail, ==, expected[i][2]);
    }
}


/* The engine's connections are opened bare (no session, no key file
 * given) but append too (acknowledgements, spool merges): for a data
 * directory's store the head still goes to the key file beside it. */
static void
test_bare_connection_publishes (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->t.dir, TW_STORE_FILENAME, NULL);
  g_autofree char *lone_dir = g_dir_make_tmp ("tw-audit-lone-XXXXXX", &error);
  g_autofree char *lone_path = g_build_filename (lone_dir, TW_STORE_FILENAME, NULL);
  g_autofree char *lone_sidecar = g_build_filename (lone_dir, TW_KEYSLOTS_FILENAME, NULL);
  TwStore *store = tw_store_open (path, f->t.key, TRUE, &error);
  TwAuditHead head;
  gboolean found = FALSE;

  g_assert_no_error (error);
  append_rows (store, 3);
  tw_store_close (store);
  g_assert_true (tw_audit_read_sidecar_head (f->sidecar, &head, &found, &error));
  g_assert_true (found);
  g_assert_cmpint (head.seq, ==, 3);

  /* Without a key file there is nothing to anchor, and no complaint
   * (warnings are fatal here), and none is made. */
  store = tw_store_open (lone_path, f->t.key, TRUE, &error);
  g_assert_no_error (error);
  append_rows (store, 1);
  tw_store_close (store);
  g_assert_false (g_file_test (lone_sidecar, G_FILE_TEST_EXISTS));
  tw_test_remove_tree (lone_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/audit/intact", test_intact);
  ADD ("/audit/triggers-refuse", test_triggers_refuse);
  ADD ("/audit/edited-row", test_edited_row);
  ADD ("/audit/deleted-middle-row", test_deleted_middle_row);
  ADD ("/audit/truncated-tail", test_truncated_tail);
  ADD ("/audit/removed-head", test_removed_head);
  ADD ("/audit/edited-head", test_edited_head);
  ADD ("/audit/damaged-head", test_damaged_head);
  ADD ("/audit/concurrent", test_concurrent);
  ADD ("/audit/bare-connection-publishes", test_bare_connection_publishes);
  ADD ("/audit/rolled-back-first-append", test_rolled_back_first_append);
  ADD ("/audit/list-filters", test_list_filters);
  ADD ("/audit/admins-only", test_admins_only);
  ADD ("/audit/csv", test_csv);
  ADD ("/audit/changes-are-audited", test_changes_are_audited);
  ADD ("/audit/rule-changes-are-audited", test_rule_changes_are_audited);
#undef ADD
  return g_test_run ();
}
