/* Declares sqlite3_key() in SQLCipher's sqlite3.h. */
#define SQLITE_HAS_CODEC 1

#include <glib/gstdio.h>
#include <string.h>

#include "tw-error.h"
#include "tw-store-private.h"
#include "tw-time.h"

typedef struct
{
  char    *dir;
  char    *path;
  TwKey   *key;
  TwStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("tw-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.db", NULL);
  f->key = tw_key_new_random ();
  f->store = tw_store_open (f->path, f->key, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->store, tw_store_close);
  tw_key_free (f->key);
  g_free (f->path);
  g_free (f->dir);
}

static char *
pragma_text (TwStore    *store,
             const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static void
test_open_settings (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *journal = pragma_text (f->store, "PRAGMA journal_mode");
  g_autofree char *page = pragma_text (f->store, "PRAGMA cipher_page_size");
  g_autofree char *sync = pragma_text (f->store, "PRAGMA synchronous");

  g_assert_nonnull (tw_store_get_cipher_version (f->store));
  g_assert_cmpint (tw_store_get_schema_version (f->store), >=, 1);
  g_assert_cmpstr (journal, ==, "wal");
  g_assert_cmpstr (page, ==, "4096");
  g_assert_cmpstr (sync, ==, "1");  /* NORMAL */
}

static void
test_wrong_key_fails_at_open (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(TwKey) other = tw_key_new_random ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) again = NULL;
  TwStore *wrong;

  g_clear_pointer (&f->store, tw_store_close);
  /* SQLCipher accepts any key until the first read: the open must read. */
  wrong = tw_store_open (f->path, other, FALSE, &error);
  g_assert_null (wrong);
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_clear_error (&error);

  again = tw_store_open (f->path, f->key, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}

static void
test_missing_store (void)
{
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(GError) error = NULL;

  g_assert_null (tw_store_open ("/nonexistent/dir/x.db", key, FALSE, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_NOT_INITIALIZED);
}

static TwBatch *
make_batch (gint64        source_id,
            gint64        seq,
            const gint64 *offsets_s,
            const double *values,
            guint         n)
{
  TwBatch *batch = tw_batch_new (source_id);
  const gint64 base = G_GINT64_CONSTANT (1795000020) * TW_USEC_PER_SEC;  /* a whole minute */

  tw_batch_add_entity (batch, "patient", "P0001", "Ada Example", "MRN-1", "ICU-01");
  for (guint i = 0; i < n; i++)
    tw_batch_add_sample (batch, "P0001", "hr", base + offsets_s[i] * TW_USEC_PER_SEC, values[i]);
  batch->cursor_seq = seq;
  batch->n_messages = n;
  return batch;
}

static void
write_one (TwStore     *store,
           TwBatch     *batch,
           TwCounters  *delta)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tw_store_begin (store, &error));
  g_assert_true (tw_store_write_batch (store, batch, delta, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
test_idempotent_writes_and_cursor (Fixture       *f,
                                   gconstpointer  data)
{
  static const gint64 t[] = { 0, 1, 2, 3 };
  static const double v[] = { 70, 71, 72, 73 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBatch) first = NULL;
  g_autoptr(TwBatch) again = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  TwCounters delta;
  gint64 source_id = tw_store_ensure_source (f->store, "ws://x/", "ws://x/", &error);

  g_assert_no_error (error);
  first = make_batch (source_id, 4, t, v, G_N_ELEMENTS (t));
  write_one (f->store, first, &delta);
  g_assert_cmpuint (delta.stored, ==, 4);
  g_assert_cmpuint (delta.duplicates, ==, 0);

  again = make_batch (source_id, 4, t, v, G_N_ELEMENTS (t));
  write_one (f->store, again, &delta);
  g_assert_cmpuint (delta.stored, ==, 0);
  g_assert_cmpuint (delta.duplicates, ==, 4);
  g_assert_cmpint (tw_store_count_samples (f->store, NULL), ==, 4);

  sources = tw_store_list_sources (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sources->len, ==, 1);
  g_assert_cmpint (((TwSourceRow *) sources->pdata[0])->cursor_seq, ==, 4);
  g_assert_cmpuint (((TwSourceRow *) sources->pdata[0])->counters.stored, ==, 4);
  g_assert_cmpuint (((TwSourceRow *) sources->pdata[0])->counters.duplicates, ==, 4);
}

static void
test_rollback_keeps_cursor (Fixture       *f,
                            gconstpointer  data)
{
  static const gint64 t[] = { 10, 11 };
  static const double v[] = { 80, 81 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBatch) batch = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  gint64 source_id = tw_store_ensure_source (f->store, "ws://y/", "ws://y/", &error);

  batch = make_batch (source_id, 2, t, v, G_N_ELEMENTS (t));
  g_assert_true (tw_store_begin (f->store, &error));
  g_assert_true (tw_store_write_batch (f->store, batch, NULL, &error));
  tw_store_rollback (f->store);

  /* Data and cursor go together: neither was kept. */
  g_assert_cmpint (tw_store_count_samples (f->store, NULL), ==, 0);
  sources = tw_store_list_sources (f->store, &error);
  g_assert_cmpint (((TwSourceRow *) sources->pdata[0])->cursor_seq, ==, -1);

  /* The writer's caches were reset: writing again works. */
  write_one (f->store, batch, NULL);
  g_assert_cmpint (tw_store_count_samples (f->store, NULL), ==, 2);
}

static void
test_rollups_match_raw (Fixture       *f,
                        gconstpointer  data)
{
  /* Two minutes, written out of order over three transactions. */
  static const gint64 t1[] = { 65, 5, 119 };
  static const double v1[] = { 90, 60, 75 };
  static const gint64 t2[] = { 0, 59, 60 };
  static const double v2[] = { 50, 100, 10 };
  static const gint64 t3[] = { 30, 5, 90 };  /* 5 is a duplicate */
  static const double v3[] = { 55, 999, 12 };
  g_autoptr(TwBatch) b1 = make_batch (0, -1, t1, v1, 3);
  g_autoptr(TwBatch) b2 = make_batch (0, -1, t2, v2, 3);
  g_autoptr(TwBatch) b3 = make_batch (0, -1, t3, v3, 3);
  g_autoptr(sqlite3_stmt) check = NULL;
  guint buckets = 0;

  gint64 last_ts = 0;

  g_assert_true (tw_store_get_entity_last_ts (f->store, "P0001", &last_ts, NULL));
  g_assert_cmpint (last_ts, ==, G_MININT64);
  write_one (f->store, b1, NULL);
  write_one (f->store, b2, NULL);
  write_one (f->store, b3, NULL);
  g_assert_true (tw_store_get_entity_last_ts (f->store, "P0001", &last_ts, NULL));
  g_assert_cmpint (last_ts, ==, (G_GINT64_CONSTANT (1795000020) + 119) * TW_USEC_PER_SEC);

  check = tw_store_prepare (f->store,
                            "SELECT r.bucket, r.n, r.sum, r.min, r.max, r.first, r.last,"
                            " (SELECT count(*) FROM samples s WHERE s.series_id = r.series_id"
                            "   AND s.ts >= r.bucket * 1000000 AND s.ts < (r.bucket + 60) * 1000000),"
                            " (SELECT sum(value) FROM samples s WHERE s.series_id = r.series_id"
                            "   AND s.ts >= r.bucket * 1000000 AND s.ts < (r.bucket + 60) * 1000000),"
                            " (SELECT min(value) FROM samples s WHERE s.series_id = r.series_id"
                            "   AND s.ts >= r.bucket * 1000000 AND s.ts < (r.bucket + 60) * 1000000),"
                            " (SELECT max(value) FROM samples s WHERE s.series_id = r.series_id"
                            "   AND s.ts >= r.bucket * 1000000 AND s.ts < (r.bucket + 60) * 1000000),"
                            " (SELECT value FROM samples s WHERE s.series_id = r.series_id"
                            "   AND s.ts >= r.bucket * 1000000 ORDER BY ts LIMIT 1),"
                            " (SELECT value FROM samples s WHERE s.series_id = r.series_id"
                            "   AND s.ts < (r.bucket + 60) * 1000000 ORDER BY ts DESC LIMIT 1)"
                            " FROM rollups r WHERE r.resolution = 60 ORDER BY r.bucket", NULL);
  g_assert_nonnull (check);
  while (sqlite3_step (check) == SQLITE_ROW)
    {
      buckets++;
      g_assert_cmpint (sqlite3_column_int64 (check, 1), ==, sqlite3_column_int64 (check, 7));
      g_assert_cmpfloat (sqlite3_column_double (check, 2), ==, sqlite3_column_double (check, 8));
      g_assert_cmpfloat (sqlite3_column_double (check, 3), ==, sqlite3_column_double (check, 9));
      g_assert_cmpfloat (sqlite3_column_double (check, 4), ==, sqlite3_column_double (check, 10));
      g_assert_cmpfloat (sqlite3_column_double (check, 5), ==, sqlite3_column_double (check, 11));
      g_assert_cmpfloat (sqlite3_column_double (check, 6), ==, sqlite3_column_double (check, 12));
    }
  g_assert_cmpuint (buckets, ==, 2);
}

static void
test_quarantine_keeps_raw (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(TwBatch) batch = tw_batch_new (0);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  static const char raw[] = "{\"v\":1,\"type\":\"vitals\"";

  tw_batch_add_reject (batch, "not JSON", raw, sizeof raw - 1);
  write_one (f->store, batch, NULL);
  stmt = tw_store_prepare (f->store, "SELECT reason, raw FROM quarantine", NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "not JSON");
  g_assert_cmpmem (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1), raw,
                   sizeof raw - 1);
}

static void
test_masking_by_role (Fixture       *f,
                      gconstpointer  data)
{
  static const gint64 t[] = { 0 };
  static const double v[] = { 70 };
  g_autoptr(TwBatch) batch = make_batch (0, -1, t, v, 1);
  g_autoptr(GPtrArray) clinician = NULL;
  g_autoptr(GPtrArray) analyst = NULL;
  TwEntityRow *row;

  g_autoptr(GPtrArray) bare = NULL;
  g_autoptr(GPtrArray) operator = NULL;
  g_autoptr(GArray) points = NULL;

  write_one (f->store, batch, NULL);

  /* A bare connection reads as an analyst, whatever role is asked for. */
  g_assert_cmpint (tw_store_get_role (f->store), ==, TW_ROLE_ANALYST);
  bare = tw_store_list_entities (f->store, TW_ROLE_CLINICIAN, NULL);
  row = bare->pdata[0];
  g_assert_cmpstr (row->display_name, !=, "Ada Example");
  g_assert_null (row->mrn);

  tw_store_set_role (f->store, TW_ROLE_CLINICIAN);
  clinician = tw_store_list_entities (f->store, TW_ROLE_CLINICIAN, NULL);
  analyst = tw_store_list_entities (f->store, TW_ROLE_ANALYST, NULL);
  row = clinician->pdata[0];
  g_assert_cmpstr (row->key, ==, "P0001");
  g_assert_cmpstr (row->display_name, ==, "Ada Example");
  g_assert_cmpstr (row->mrn, ==, "MRN-1");
  /* The central station: bed and name, no MRN. */
  operator = tw_store_list_entities (f->store, TW_ROLE_OPERATOR, NULL);
  row = operator->pdata[0];
  g_assert_cmpstr (row->display_name, ==, "Ada Example");
  g_assert_cmpstr (row->location, ==, "ICU-01");
  g_assert_null (row->mrn);
  /* Analysts get a stable pseudonym instead of the key, and it reads. */
  row = analyst->pdata[0];
  g_assert_true (g_str_has_prefix (row->key, "S-"));
  g_assert_cmpuint (strlen (row->key), ==, 12);
  g_assert_cmpstr (row->display_name, ==, row->key);
  g_assert_cmpstr (row->key, ==, ((TwEntityRow *) bare->pdata[0])->key);
  g_assert_null (row->mrn);
  points = tw_store_read_samples (f->store, row->key, "hr", G_MININT64, G_MAXINT64, NULL);
  g_assert_cmpuint (points->len, ==, 1);
}

static void
test_patient_list_holds_patients_only (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(TwBatch) first = tw_batch_new (0);
  g_autoptr(TwBatch) later = tw_batch_new (0);
  g_autoptr(GPtrArray) rows = NULL;

  /* Seen first through a sample (taken for a patient), announced later. */
  tw_batch_add_sample (first, "ACME", "price", G_GINT64_CONSTANT (1795000020) * TW_USEC_PER_SEC,
                       101.5);
  write_one (f->store, first, NULL);
  tw_batch_add_entity (later, "instrument", "ACME", "Acme Corp", NULL, NULL);
  tw_batch_add_entity (later, "patient", "P7", "Ada Example", "MRN-7", "ICU-07");
  write_one (f->store, later, NULL);

  tw_store_set_role (f->store, TW_ROLE_CLINICIAN);
  rows = tw_store_list_entities (f->store, TW_ROLE_CLINICIAN, NULL);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((TwEntityRow *) rows->pdata[0])->key, ==, "P7");
}

static gboolean
is_sqlcipher_4 (sqlite3 *db)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA cipher_version", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_ascii_strtoll ((const char *) sqlite3_column_text (stmt, 0), NULL, 10) >= 4;
}

/* A store of schema 3 (the tables schemas 4 and 5 touch) with two patients: the
 * upgrade gives each a stable, distinct pseudonym, and analysts get them. */
static void
test_upgrade_gives_pseudonyms (Fixture       *f,
                               gconstpointer  data)
{
  static const char schema_v3[] =
    "CREATE TABLE entities (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE,"
    " name TEXT, mrn TEXT, location TEXT, updated_at INTEGER NOT NULL, grp TEXT);"
    "CREATE TABLE store_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT);"
    "CREATE TABLE users (name TEXT PRIMARY KEY NOT NULL, role TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO entities (kind, key, name, mrn, updated_at) VALUES"
    " ('patient', 'P1', 'Ada Example', 'MRN-1', 0), ('patient', 'P2', 'Bo Example', 'MRN-2', 0);"
    "PRAGMA user_version = 3;";
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "v3.db", NULL);
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) masked = NULL;
  g_autofree char *p1 = NULL;
  char *hex = tw_key_to_hex_secure (f->key);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_key (db, hex, (int) strlen (hex)), ==, SQLITE_OK);
  tw_key_free_secure_string (hex);
  if (!is_sqlcipher_4 (db))
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA cipher_page_size = 4096", NULL, NULL, NULL), ==,
                     SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, schema_v3, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = tw_store_open (path, f->key, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tw_store_get_schema_version (store), >=, 4);
  {
    g_autofree char *missing = pragma_text (store, "SELECT count(*) FROM entities"
                                                   " WHERE pseudonym IS NULL");

    g_assert_cmpstr (missing, ==, "0");
  }
  masked = tw_store_list_entities (store, TW_ROLE_ANALYST, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (masked->len, ==, 2);
  for (guint i = 0; i < masked->len; i++)
    {
      TwEntityRow *row = masked->pdata[i];

      g_assert_true (g_str_has_prefix (row->key, "S-"));
      g_assert_cmpuint (strlen (row->key), ==, 12);
      g_assert_cmpstr (row->display_name, ==, row->key);
      g_assert_null (row->mrn);
    }
  g_assert_cmpstr (((TwEntityRow *) masked->pdata[0])->key, !=,
                   ((TwEntityRow *) masked->pdata[1])->key);
  /* The secret is the store's: the same key gets the same pseudonym. */
  p1 = tw_store_make_pseudonym (store, "P1", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_equal (p1, ((TwEntityRow *) masked->pdata[0])->key)
                 || g_str_equal (p1, ((TwEntityRow *) masked->pdata[1])->key));
  g_clear_pointer (&store, tw_store_close);
  store = tw_store_open (path, f->key, FALSE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&p1, g_free);
  p1 = tw_store_make_pseudonym (store, "P1", &error);
  g_assert_true (g_str_equal (p1, ((TwEntityRow *) masked->pdata[0])->key)
                 || g_str_equal (p1, ((TwEntityRow *) masked->pdata[1])->key));
}

typedef struct
{
  const char  *path;
  const TwKey *key;
  guint        failures;
  char        *first_error;
} OpenLoop;

static gpointer
open_close_loop (gpointer data)
{
  OpenLoop *loop = data;

  for (guint i = 0; i < 150; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TwStore) store = tw_store_open (loop->path, loop->key, FALSE, &error);

      if (store == NULL)
        {
          loop->failures++;
          if (loop->first_error == NULL)
            loop->first_error = g_strdup (error->message);
        }
    }
  return NULL;
}

/* Each close of the last connection checkpoints the WAL away; a connection
 * opening at that moment must wait, not take the store for undecryptable. */
static void
test_concurrent_opens (Fixture       *f,
                       gconstpointer  data)
{
  OpenLoop a = { f->path, f->key, 0, NULL };
  OpenLoop b = { f->path, f->key, 0, NULL };
  GThread *ta, *tb;

  g_clear_pointer (&f->store, tw_store_close);
  ta = g_thread_new ("open-a", open_close_loop, &a);
  tb = g_thread_new ("open-b", open_close_loop, &b);
  g_thread_join (ta);
  g_thread_join (tb);
  g_assert_cmpstr (a.first_error, ==, NULL);
  g_assert_cmpstr (b.first_error, ==, NULL);
  g_assert_cmpuint (a.failures + b.failures, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/open-settings", Fixture, NULL, fixture_setup, test_open_settings,
              fixture_teardown);
  g_test_add ("/store/wrong-key-fails-at-open", Fixture, NULL, fixture_setup,
              test_wrong_key_fails_at_open, fixture_teardown);
  g_test_add_func ("/store/missing", test_missing_store);
  g_test_add ("/store/idempotent-writes-and-cursor", Fixture, NULL, fixture_setup,
              test_idempotent_writes_and_cursor, fixture_teardown);
  g_test_add ("/store/rollback-keeps-cursor", Fixture, NULL, fixture_setup,
              test_rollback_keeps_cursor, fixture_teardown);
  g_test_add ("/store/rollups-match-raw", Fixture, NULL, fixture_setup, test_rollups_match_raw,
              fixture_teardown);
  g_test_add ("/store/quarantine-keeps-raw", Fixture, NULL, fixture_setup,
              test_quarantine_keeps_raw, fixture_teardown);
  g_test_add ("/store/masking-by-role", Fixture, NULL, fixture_setup, test_masking_by_role,
              fixture_teardown);
  g_test_add ("/store/patient-list-holds-patients-only", Fixture, NULL, fixture_setup,
              test_patient_list_holds_patients_only, fixture_teardown);
  g_test_add ("/store/upgrade-gives-pseudonyms", Fixture, NULL, fixture_setup,
              test_upgrade_gives_pseudonyms, fixture_teardown);
  g_test_add ("/store/concurrent-opens", Fixture, NULL, fixture_setup, test_concurrent_opens,
              fixture_teardown);
  return g_test_run ();
}
