/* Declares sqlite3_key() in SQLCipher's sqlite3.h (3.x and 4.x). */
#define SQLITE_HAS_CODEC 1

#include <string.h>

#include <glib/gstdio.h>

#include "tw-error.h"
#include "tw-store-alerts.h"
#include "tw-store-private.h"
#include "tw-time.h"
#include "tw-test-store.h"

/* A fixed wall time, so the history's time filters are exact. */
#define T0 (G_GINT64_CONSTANT (1795000000) * TW_USEC_PER_SEC)

typedef TwTestStore Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  tw_test_store_open (f, "tw-store-alerts");
}


static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tw_test_store_close (f);
}

static TwAlert *
make_alert (guint64       id,
            const char   *rule,
            const char   *entity,
            TwAlertState  state,
            gint64        raised)
{
  TwAlert *alert = g_new0 (TwAlert, 1);

  alert->id = id;
  alert->rule_id = g_strdup (rule);
  alert->entity_key = g_strdup (entity);
  alert->priority = TW_ALERT_PRIORITY_HIGH;
  alert->latching = TRUE;
  alert->state = state;
  alert->condition_active = state == TW_ALERT_STATE_ACTIVE;
  alert->occurrences = 1;
  alert->message = g_strdup_printf ("%s on %s", rule, entity);
  alert->raised_us = raised;
  alert->updated_us = raised;
  alert->evidence_from_ts = raised - TW_USEC_PER_MIN;
  alert->evidence_to_ts = raised;
  alert->group = g_strdup ("ICU");
  alert->category = TW_ALERT_CATEGORY_PHYSIOLOGICAL;
  alert->source_id = 0;
  return alert;
}

static void
add_transition (GArray       *log,
                guint64       id,
                TwAlertState  from,
                TwAlertState  to,
                const char   *who,
                gint64        when,
                const char   *note)
{
  TwAlertTransition t = {
    .alert_id = id, .from = from, .to = to, .who = g_strdup (who), .when_us = when,
    .note = g_strdup (note),
  };

  g_array_append_val (log, t);
}

static void
transition_clear (gpointer data)
{
  TwAlertTransition *t = data;

  g_free (t->who);
  g_free (t->note);
}

static GArray *
new_log (void)
{
  GArray *log = g_array_new (FALSE, FALSE, sizeof (TwAlertTransition));

  g_array_set_clear_func (log, transition_clear);
  return log;
}

static void
save (TwStore   *store,
      GPtrArray *records,
      GArray    *log)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tw_store_begin (store, &error));
  g_assert_true (tw_store_save_alerts (store, records, log, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_commit (store, &error));
  g_assert_no_error (error);
}

/* Three alerts: 1 acknowledged with a note, 2 closed, 3 active. */
static void
save_three (TwStore *store)
{
  g_autoptr(GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tw_alert_record_free);
  g_autoptr(GArray) log = new_log ();
  g_autoptr(TwAlert) a1 = make_alert (1, "vitals.hr-high", "P0001", TW_ALERT_STATE_ACKNOWLEDGED,
                                      T0);
  g_autoptr(TwAlert) a2 = make_alert (2, "vitals.spo2-low", "P0002", TW_ALERT_STATE_CLOSED,
                                      T0 + TW_USEC_PER_MIN);
  g_autoptr(TwAlert) a3 = make_alert (3, "glucose.low", "P0003", TW_ALERT_STATE_ACTIVE,
                                      T0 + 2 * TW_USEC_PER_MIN);

  a1->acknowledged_by = g_strdup ("nurse.jones");
  a1->ack_note = g_strdup ("Patient repositioned, 50%_ better");
  a1->acknowledged_us = T0 + TW_USEC_PER_SEC;
  a2->latching = FALSE;
  a2->priority = TW_ALERT_PRIORITY_MEDIUM;
  g_free (a2->group);
  a2->group = g_strdup ("Ward 7");
  a3->category = TW_ALERT_CATEGORY_TECHNICAL;
  a3->source_id = 0;

  g_ptr_array_add (records, tw_alert_record_new (a1));
  g_ptr_array_add (records, tw_alert_record_new (a2));
  g_ptr_array_add (records, tw_alert_record_new (a3));
  add_transition (log, 1, TW_ALERT_STATE_NONE, TW_ALERT_STATE_ACTIVE, NULL, T0, NULL);
  add_transition (log, 1, TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_ACKNOWLEDGED, "nurse.jones",
                  T0 + TW_USEC_PER_SEC, "Patient repositioned, 50%_ better");
  add_transition (log, 2, TW_ALERT_STATE_NONE, TW_ALERT_STATE_ACTIVE, NULL,
                  T0 + TW_USEC_PER_MIN, NULL);
  add_transition (log, 2, TW_ALERT_STATE_ACTIVE, TW_ALERT_STATE_CLEARED, NULL,
                  T0 + TW_USEC_PER_MIN + TW_USEC_PER_SEC, NULL);
  add_transition (log, 2, TW_ALERT_STATE_CLEARED, TW_ALERT_STATE_CLOSED, "dr.smith",
                  T0 + TW_USEC_PER_MIN + 2 * TW_USEC_PER_SEC, "Sensor off, reattached");
  add_transition (log, 3, TW_ALERT_STATE_NONE, TW_ALERT_STATE_ACTIVE, NULL,
                  T0 + 2 * TW_USEC_PER_MIN, NULL);
  save (store, records, log);
}

static guint64
record_id (GPtrArray *records,
           guint      index)
{
  g_assert_cmpuint (records->len, >, index);
  return ((TwAlertRecord *) g_ptr_array_index (records, index))->alert->id;
}

static void
test_save_and_read_back (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwAlertRecord) record = NULL;
  g_autoptr(GPtrArray) transitions = NULL;
  const TwAlert *alert;
  TwAlertTransitionRow *row;

  save_three (f->store);
  g_assert_true (tw_store_get_alert (f->store, 1, &record, &error));
  g_assert_no_error (error);
  alert = record->alert;
  g_assert_cmpuint (alert->id, ==, 1);
  g_assert_cmpstr (alert->rule_id, ==, "vitals.hr-high");
  g_assert_cmpstr (alert->entity_key, ==, "P0001");
  g_assert_cmpint (alert->priority, ==, TW_ALERT_PRIORITY_HIGH);
  g_assert_true (alert->latching);
  g_assert_cmpint (alert->state, ==, TW_ALERT_STATE_ACKNOWLEDGED);
  g_assert_cmpstr (alert->message, ==, "vitals.hr-high on P0001");
  g_assert_cmpint (alert->raised_us, ==, T0);
  g_assert_cmpstr (alert->acknowledged_by, ==, "nurse.jones");
  g_assert_cmpstr (alert->ack_note, ==, "Patient repositioned, 50%_ better");
  g_assert_cmpint (alert->acknowledged_us, ==, T0 + TW_USEC_PER_SEC);
  g_assert_cmpint (alert->evidence_from_ts, ==, T0 - TW_USEC_PER_MIN);
  g_assert_cmpint (alert->evidence_to_ts, ==, T0);
  g_assert_cmpstr (alert->group, ==, "ICU");
  /* The record mirrors the alert's fields for older callers. */
  g_assert_cmpstr (record->group, ==, "ICU");
  g_assert_cmpint (record->evidence_from_ts, ==, T0 - TW_USEC_PER_MIN);

  transitions = tw_store_list_alert_transitions (f->store, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (transitions->len, ==, 3);
  row = g_ptr_array_index (transitions, 0);
  g_assert_cmpint (row->from, ==, TW_ALERT_STATE_NONE);
  g_assert_cmpint (row->to, ==, TW_ALERT_STATE_ACTIVE);
  g_assert_null (row->who);
  row = g_ptr_array_index (transitions, 2);
  g_assert_cmpint (row->from, ==, TW_ALERT_STATE_CLEARED);
  g_assert_cmpint (row->to, ==, TW_ALERT_STATE_CLOSED);
  g_assert_cmpstr (row->who, ==, "dr.smith");
  g_assert_cmpstr (row->note, ==, "Sensor off, reattached");
  g_assert_cmpint (row->at, ==, T0 + TW_USEC_PER_MIN + 2 * TW_USEC_PER_SEC);

  g_assert_false (tw_store_get_alert (f->store, 99, NULL, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_NOT_FOUND);
}

static void
test_open_alerts_and_max_id (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GArray) log = new_log ();
  g_autoptr(TwAlert) later = NULL;
  g_autoptr(GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tw_alert_record_free);
  guint64 max_id = 42;

  g_assert_true (tw_store_get_max_alert_id (f->store, &max_id, &error));
  g_assert_cmpuint (max_id, ==, 0);

  save_three (f->store);
  open = tw_store_list_open_alerts (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 2);
  g_assert_cmpuint (record_id (open, 0), ==, 1);
  g_assert_cmpuint (record_id (open, 1), ==, 3);
  g_assert_cmpint (((TwAlertRecord *) g_ptr_array_index (open, 1))->alert->category, ==,
                   TW_ALERT_CATEGORY_TECHNICAL);

  /* A transition of an alert without a row (raised and closed between two
   * snapshots) still reserves its id. */
  add_transition (log, 7, TW_ALERT_STATE_NONE, TW_ALERT_STATE_ACTIVE, NULL, T0, NULL);
  save (f->store, NULL, log);
  g_assert_true (tw_store_get_max_alert_id (f->store, &max_id, &error));
  g_assert_cmpuint (max_id, ==, 7);

  /* Replacing a row keeps one row per alert: alert 3 closes. */
  later = make_alert (3, "glucose.low", "P0003", TW_ALERT_STATE_CLOSED, T0 + 2 * TW_USEC_PER_MIN);
  g_ptr_array_add (records, tw_alert_record_new (later));
  save (f->store, records, NULL);
  g_clear_pointer (&open, g_ptr_array_unref);
  open = tw_store_list_open_alerts (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  g_assert_cmpuint (record_id (open, 0), ==, 1);
}

static void
assert_history (TwStore    *store,
                const char *search,
                gint64      from_ts,
                gint64      to_ts,
                guint       limit,
                const char *expected_ids)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = tw_store_list_alert_history (store, search, from_ts, to_ts,
                                                              limit, &error);
  g_autoptr(GString) ids = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < history->len; i++)
    g_string_append_printf (ids, "%s%" G_GUINT64_FORMAT, i > 0 ? "," : "",
                            record_id (history, i));
  g_assert_cmpstr (ids->str, ==, expected_ids);
}

static void
test_history_search (Fixture       *f,
                     gconstpointer  data)
{
  save_three (f->store);

  /* Newest first, every state. */
  assert_history (f->store, NULL, 0, 0, 0, "3,2,1");
  assert_history (f->store, "", 0, 0, 2, "3,2");
  /* Rule, entity, message, group; case does not matter. */
  assert_history (f->store, "SPO2", 0, 0, 0, "2");
  assert_history (f->store, "p0003", 0, 0, 0, "3");
  assert_history (f->store, "ward 7", 0, 0, 0, "2");
  /* Who and note, also of a transition only. */
  assert_history (f->store, "jones", 0, 0, 0, "1");
  assert_history (f->store, "dr.smith", 0, 0, 0, "2");
  assert_history (f->store, "reattached", 0, 0, 0, "2");
  /* LIKE's wildcards are taken literally. */
  assert_history (f->store, "50%_", 0, 0, 0, "1");
  assert_history (f->store, "5_%", 0, 0, 0, "");
  assert_history (f->store, "%", 0, 0, 0, "1");
  assert_history (f->store, "nothing like it", 0, 0, 0, "");
  /* Raised in [from, to). */
  assert_history (f->store, NULL, T0 + TW_USEC_PER_MIN, 0, 0, "3,2");
  assert_history (f->store, NULL, 0, T0 + TW_USEC_PER_MIN, 0, "1");
  assert_history (f->store, NULL, T0 + TW_USEC_PER_MIN, T0 + 2 * TW_USEC_PER_MIN, 0, "2");
  assert_history (f->store, "vitals", T0 + TW_USEC_PER_MIN, 0, 0, "2");
}

static void
test_groups_and_too_late (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBatch) batch = tw_batch_new (0);
  g_autoptr(TwBatch) again = tw_batch_new (0);
  g_autoptr(GHashTable) groups = NULL;
  gint64 source_id = tw_store_ensure_source (f->store, "file", "file:///x.jsonl", &error);
  guint64 late = 99;

  g_assert_no_error (error);
  batch->source_id = source_id;
  tw_batch_add_entity_in_group (batch, "patient", "P0001", "Ada", NULL, "Bed 1", "ICU");
  tw_batch_add_entity (batch, "patient", "P0002", "Bob", NULL, "Bed 2");
  g_assert_true (tw_store_begin (f->store, &error));
  g_assert_true (tw_store_write_batch (f->store, batch, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_commit (f->store, &error));

  /* An announcement without a group keeps the known one. */
  again->source_id = source_id;
  tw_batch_add_entity (again, "patient", "P0001", "Ada", NULL, "Bed 3");
  g_assert_true (tw_store_begin (f->store, &error));
  g_assert_true (tw_store_write_batch (f->store, again, NULL, &error));
  g_assert_true (tw_store_commit (f->store, &error));
  g_assert_no_error (error);

  groups = tw_store_load_entity_groups (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (groups), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (groups, "P0001"), ==, "ICU");

  g_assert_true (tw_store_get_source_too_late (f->store, source_id, &late, &error));
  g_assert_cmpuint (late, ==, 0);
  g_assert_true (tw_store_add_source_too_late (f->store, source_id, 3, &error));
  g_assert_true (tw_store_add_source_too_late (f->store, source_id, 4, &error));
  g_assert_true (tw_store_get_source_too_late (f->store, source_id, &late, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (late, ==, 7);
  g_assert_false (tw_store_get_source_too_late (f->store, source_id + 1, &late, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_NOT_FOUND);
}

/* The released schemas 1 and 2, as a store written by the previous
 * version holds them (migrations are append-only, so this never changes). */
static const char *schema_v2 =
  "CREATE TABLE users (name TEXT PRIMARY KEY NOT NULL, role TEXT NOT NULL CHECK (role IN"
  " ('admin','clinician','operator','analyst')), created_at INTEGER NOT NULL,"
  " disabled INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE sources (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL,"
  " enabled INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL,"
  " cursor_seq INTEGER NOT NULL DEFAULT -1, cursor_updated_at INTEGER,"
  " received INTEGER NOT NULL DEFAULT 0, stored INTEGER NOT NULL DEFAULT 0,"
  " duplicates INTEGER NOT NULL DEFAULT 0, quarantined INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE entities (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE,"
  " name TEXT, mrn TEXT, location TEXT, updated_at INTEGER NOT NULL);"
  "CREATE TABLE series (id INTEGER PRIMARY KEY, entity_id INTEGER NOT NULL REFERENCES"
  " entities (id), metric TEXT NOT NULL, UNIQUE (entity_id, metric));"
  "CREATE TABLE samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,"
  " PRIMARY KEY (series_id, ts)) WITHOUT ROWID;"
  "CREATE TABLE rollups (series_id INTEGER NOT NULL, resolution INTEGER NOT NULL,"
  " bucket INTEGER NOT NULL, n INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL,"
  " max REAL NOT NULL, first REAL NOT NULL, first_ts INTEGER NOT NULL, last REAL NOT NULL,"
  " last_ts INTEGER NOT NULL, PRIMARY KEY (series_id, resolution, bucket)) WITHOUT ROWID;"
  "CREATE TABLE quarantine (id INTEGER PRIMARY KEY, source_id INTEGER REFERENCES sources (id),"
  " received_at INTEGER NOT NULL, reason TEXT NOT NULL, raw BLOB NOT NULL);"
  "ALTER TABLE sources ADD COLUMN reconnects INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE sources ADD COLUMN lag_us INTEGER;"
  "ALTER TABLE sources ADD COLUMN last_error TEXT;"
  "ALTER TABLE sources ADD COLUMN last_error_at INTEGER;"
  "CREATE INDEX quarantine_by_source ON quarantine (source_id, received_at);"
  "INSERT INTO sources (id, name, url, created_at, cursor_seq, received, stored)"
  " VALUES (1, 'feed', 'ws://feed/', 1, 41, 42, 40);"
  "INSERT INTO entities (id, kind, key, name, location, updated_at)"
  " VALUES (1, 'patient', 'P0001', 'Ada Example', 'ICU-01', 1);"
  "INSERT INTO series (id, entity_id, metric) VALUES (1, 1, 'hr');"
  "INSERT INTO samples (series_id, ts, value) VALUES (1, 1795000000000000, 72.5);"
  "PRAGMA user_version = 2;";

static gboolean
is_sqlcipher_4 (sqlite3 *db)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA cipher_version", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_ascii_strtoll ((const char *) sqlite3_column_text (stmt, 0), NULL, 10) >= 4;
}

static void
test_migration_from_v2_keeps_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tw-store-v2-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GArray) points = NULL;
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(GPtrArray) open = NULL;
  char *hex = tw_key_to_hex_secure (key);
  sqlite3 *db = NULL;
  guint64 late = 99;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_key (db, hex, (int) strlen (hex)), ==, SQLITE_OK);
  tw_key_free_secure_string (hex);
  /* The page size the store uses on every SQLCipher (4.x's default). */
  if (!is_sqlcipher_4 (db))
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA cipher_page_size = 4096", NULL, NULL, NULL), ==,
                     SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, schema_v2, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = tw_store_open (path, key, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tw_store_get_schema_version (store), >=, 3);

  sources = tw_store_list_sources (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sources->len, ==, 1);
  g_assert_cmpint (((TwSourceRow *) g_ptr_array_index (sources, 0))->cursor_seq, ==, 41);
  g_assert_cmpuint (((TwSourceRow *) g_ptr_array_index (sources, 0))->counters.stored, ==, 40);
  points = tw_store_read_samples (store, "P0001", "hr", 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (points->len, ==, 1);
  g_assert_cmpfloat (g_array_index (points, TwPoint, 0).value, ==, 72.5);

  /* The new columns start empty, the new tables work. */
  groups = tw_store_load_entity_groups (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (groups), ==, 0);
  g_assert_true (tw_store_get_source_too_late (store, 1, &late, &error));
  g_assert_cmpuint (late, ==, 0);
  save_three (store);
  open = tw_store_list_open_alerts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 2);

  g_clear_pointer (&store, tw_store_close);
  tw_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store-alerts/save-and-read-back", Fixture, NULL, fixture_setup,
              test_save_and_read_back, fixture_teardown);
  g_test_add ("/store-alerts/open-alerts-and-max-id", Fixture, NULL, fixture_setup,
              test_open_alerts_and_max_id, fixture_teardown);
  g_test_add ("/store-alerts/history-search", Fixture, NULL, fixture_setup,
              test_history_search, fixture_teardown);
  g_test_add ("/store-alerts/groups-and-too-late", Fixture, NULL, fixture_setup,
              test_groups_and_too_late, fixture_teardown);
  g_test_add_func ("/store-alerts/migration-from-v2-keeps-data",
                   test_migration_from_v2_keeps_data);
  return g_test_run ();
}
