#include <sodium.h>
#include <string.h>

#include "tw-error.h"
#include "tw-spool.h"
#include "tw-store-quarantine.h"
#include "tw-test-store.h"

/* The locked-screen spool: what a clinician's monitors send while the
 * screen is locked must be unreadable on disk and come back complete at
 * the next unlock; a record the store cannot open is kept, not lost. */

#define MARKER        "ZEBRA-MARKER-7731"
#define N_BATCHES     3
#define PER_BATCH     50
#define TS_BASE       G_GINT64_CONSTANT (1763881803000000)
#define CURSOR_BASE   100
#define TORN_BYTES    5

/* Binary-safe: the file holds NUL bytes anywhere. */
static gboolean
contains (const void *haystack,
          gsize       len,
          const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n <= len && i <= len - n; i++)
    if (memcmp ((const char *) haystack + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  TwTestStore t;
  char       *spool_path;
  gint64      source_id;
  guint8      public_key[TW_SPOOL_PUBLIC_BYTES];
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  tw_test_store_open (&f->t, "tw-spool");
  f->spool_path = g_build_filename (f->t.dir, TW_SPOOL_FILENAME, NULL);
  f->source_id = tw_store_ensure_source (f->t.store, "monitor", "mllp-listen://127.0.0.1:1",
                                         &error);
  g_assert_no_error (error);
  g_assert_true (tw_store_get_spool_public_key (f->t.store, f->public_key, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_free (f->spool_path);
  tw_test_store_close (&f->t);
}

/* Batch @n: PER_BATCH heart rates of one patient whose name and chart
 * carry MARKER, and a rejected message that does too. */
static TwBatch *
make_batch (Fixture *f,
            guint    n)
{
  TwBatch *batch = tw_batch_new (f->source_id);
  g_autofree char *key = g_strdup_printf ("P%04u", n);
  g_autofree char *name = g_strdup_printf ("Ada %s Okafor", MARKER);
  TwClinicalRecord diagnosis = {
    .kind = TW_CLINICAL_DIAGNOSIS, .entity = key, .ref = "DG1-1", .ts = TS_BASE,
    .code = "I21.0", .text = "Infarction noted by " MARKER,
  };

  batch->cursor_seq = CURSOR_BASE + n;
  batch->n_messages = PER_BATCH + 1;
  tw_batch_add_entity_in_group (batch, "patient", key, name, "MRN-" MARKER, "ICU-12-B", "ICU");
  tw_batch_add_record (batch, &diagnosis);
  for (guint i = 0; i < PER_BATCH; i++)
    tw_batch_add_sample (batch, key, "hr", TS_BASE + i * G_USEC_PER_SEC, 60 + n + i * 0.5);
  tw_batch_add_reject (batch, "bad OBX", "OBX|1|NM|" MARKER, strlen ("OBX|1|NM|" MARKER));
  return batch;
}

static void
append_batches (Fixture      *f,
                const guint8 *public_key,
                guint         first,
                guint         n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSpool) spool = tw_spool_open_append (f->spool_path, public_key, &error);

  g_assert_no_error (error);
  for (guint i = first; i < first + n; i++)
    {
      g_autoptr(TwBatch) batch = make_batch (f, i);

      g_assert_true (tw_spool_append (spool, batch, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (tw_spool_get_n_records (spool), ==, n);
}

static gint64
count (Fixture    *f,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (f->t.store, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

typedef struct
{
  guint64 last_done;
  guint64 last_total;
  guint   calls;
} Progress;

static void
on_progress (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Progress *p = user_data;

  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, p->last_done);
  p->last_done = done;
  p->last_total = total;
  p->calls++;
}

static void
merge (Fixture  *f,
       guint64   expect_batches,
       Progress *progress)
{
  g_autoptr(GError) error = NULL;
  guint64 merged = G_MAXUINT64;

  g_assert_true (tw_spool_merge (f->t.store, f->spool_path, on_progress, progress, &merged,
                                 &error));
  g_assert_no_error (error);
  g_assert_cmpuint (merged, ==, expect_batches);
}

/* Names, MRNs, chart text and rejected messages are sealed: none of it is
 * in the file's bytes. */
static void
test_no_plain_text (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  append_batches (f, f->public_key, 0, N_BATCHES);
  g_assert_true (g_file_get_contents (f->spool_path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, N_BATCHES * PER_BATCH);
  g_assert_false (contains (contents, len, MARKER));
  g_assert_false (contains (contents, len, "P0001"));
  g_assert_false (contains (contents, len, "ICU-12-B"));
}

/* Everything appended is in the store after the merge, exactly once; the
 * file is gone; the merge is in the audit trail. */
static void
test_merge_restores (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) samples = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  Progress progress = { 0 };

  append_batches (f, f->public_key, 0, 2);
  /* A second lock: the spool grows, nothing is overwritten. */
  append_batches (f, f->public_key, 2, N_BATCHES - 2);
  merge (f, N_BATCHES, &progress);

  g_assert_false (g_file_test (f->spool_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (tw_store_count_samples (f->t.store, &error), ==, N_BATCHES * PER_BATCH);
  g_assert_cmpint (count (f, "SELECT count(*) FROM entities WHERE name = 'Ada " MARKER
                             " Okafor' AND location = 'ICU-12-B'"), ==, N_BATCHES);
  g_assert_cmpint (count (f, "SELECT count(*) FROM clinical_records WHERE text = "
                             "'Infarction noted by " MARKER "'"), ==, N_BATCHES);
  g_assert_cmpint (count (f, "SELECT count(*) FROM quarantine WHERE reason = 'bad OBX'"), ==,
                   N_BATCHES);
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit WHERE action = 'spool-merged'"), ==, 1);
  g_assert_cmpuint (progress.last_done, ==, N_BATCHES);
  g_assert_cmpuint (progress.last_total, ==, N_BATCHES);

  /* The values themselves, not only their number. */
  samples = tw_store_read_samples (f->t.store, "P0002", "hr", 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (samples->len, ==, PER_BATCH);
  g_assert_cmpfloat (g_array_index (samples, TwPoint, PER_BATCH - 1).value, ==,
                     60 + 2 + (PER_BATCH - 1) * 0.5);

  /* The sources' cursors and counters, as if written live. */
  sources = tw_store_list_sources (f->t.store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((TwSourceRow *) sources->pdata[0])->cursor_seq, ==,
                   CURSOR_BASE + N_BATCHES - 1);
  g_assert_cmpuint (((TwSourceRow *) sources->pdata[0])->counters.received, ==,
                    N_BATCHES * (PER_BATCH + 1));

  /* Nothing to do the next time. */
  merge (f, 0, &progress);
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit WHERE action = 'spool-merged'"), ==, 1);
}

/* A record sealed to another store's key cannot be opened: it is kept in
 * quarantine with the reason, and the records around it are merged. */
static void
test_foreign_record (Fixture       *f,
                     gconstpointer  data)
{
  guint8 other_public[TW_SPOOL_PUBLIC_BYTES];
  guint8 other_secret[crypto_box_SECRETKEYBYTES];
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GBytes) raw = NULL;
  TwQuarantineRow *row;
  Progress progress = { 0 };

  crypto_box_keypair (other_public, other_secret);
  append_batches (f, f->public_key, 0, 1);
  append_batches (f, other_public, 1, 1);
  append_batches (f, f->public_key, 2, 1);
  merge (f, 2, &progress);

  g_assert_cmpint (tw_store_count_samples (f->t.store, &error), ==, 2 * PER_BATCH);
  rows = tw_store_list_quarantine (f->t.store, 0, 0, &error);
  g_assert_no_error (error);
  /* Two rejects from the good batches and the foreign record. */
  g_assert_cmpuint (rows->len, ==, 3);
  row = NULL;
  for (guint i = 0; i < rows->len; i++)
    if (strstr (((TwQuarantineRow *) rows->pdata[i])->reason, "could not be opened") != NULL)
      row = rows->pdata[i];
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (row->reason, "record 2"));
  /* Kept whole (still sealed): someone with the other key can open it. */
  raw = tw_store_get_quarantine_raw (f->t.store, row->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (raw), >, crypto_box_SEALBYTES + PER_BATCH);
  g_assert_false (contains (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), MARKER));
  g_assert_false (g_file_test (f->spool_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (progress.last_total, ==, 3);
}

/* A crash in the middle of an append leaves a short last record: it was
 * never acknowledged, and it is quarantined rather than breaking the
 * merge of the complete ones. */
static void
test_torn_tail (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  Progress progress = { 0 };

  append_batches (f, f->public_key, 0, 2);
  g_assert_true (g_file_get_contents (f->spool_path, &contents, &len, &error));
  g_assert_true (g_file_set_contents (f->spool_path, contents, len - TORN_BYTES, &error));
  g_assert_no_error (error);
  merge (f, 1, &progress);
  g_assert_cmpint (tw_store_count_samples (f->t.store, &error), ==, PER_BATCH);
  g_assert_cmpint (count (f, "SELECT count(*) FROM quarantine WHERE reason LIKE "
                             "'Spool record 2 is cut short%'"), ==, 1);
}

/* Several batches sealed with one fdatasync (a busy sender's messages):
 * each is its own record, all come back. */
static void
test_append_many (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSpool) spool = tw_spool_open_append (f->spool_path, f->public_key, &error);
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_batch_free);
  Progress progress = { 0 };

  g_assert_no_error (error);
  for (guint i = 0; i < N_BATCHES; i++)
    g_ptr_array_add (batches, make_batch (f, i));
  g_assert_true (tw_spool_append_many (spool, (const TwBatch * const *) batches->pdata,
                                       batches->len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tw_spool_get_n_records (spool), ==, N_BATCHES);
  g_clear_pointer (&spool, tw_spool_close);
  merge (f, N_BATCHES, &progress);
  g_assert_cmpint (tw_store_count_samples (f->t.store, &error), ==, N_BATCHES * PER_BATCH);
  g_assert_cmpuint (progress.last_total, ==, N_BATCHES);
}

/* A file that is not a spool is left alone, with an error. */
static void
test_not_a_spool (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint64 merged = 0;

  g_assert_true (g_file_set_contents (f->spool_path, "hello, world", -1, &error));
  g_assert_false (tw_spool_merge (f->t.store, f->spool_path, NULL, NULL, &merged, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_assert_true (g_file_test (f->spool_path, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add ("/spool/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("no-plain-text", test_no_plain_text);
  ADD ("merge-restores", test_merge_restores);
  ADD ("foreign-record", test_foreign_record);
  ADD ("torn-tail", test_torn_tail);
  ADD ("append-many", test_append_many);
  ADD ("not-a-spool", test_not_a_spool);
#undef ADD
  return g_test_run ();
}
