#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "tw-error.h"
#include "tw-session.h"
#include "tw-store-private.h"
#include "tw-test-store.h"
#include "tw-time.h"

/* Proofs for issue 6: a wrong key fails inside tw_store_open() (the first
 * read), not in some later query; every page of the file is authenticated,
 * so one flipped byte anywhere past the header is noticed when read; a key
 * slot whose role, user or store was edited no longer unwraps.
 * (Plain sqlite3 and `twctl store check`: tests/integration/
 * test_security_proofs.py.) */

#define PAGE_SIZE   4096
#define PASSWORD    "tamper test password"
#define N_PATIENTS  8
#define N_SAMPLES   600
/* Inside a page's data, away from its header and from the IV and HMAC
 * that SQLCipher keeps at its end. */
#define FLIP_OFFSET 1000
/* 48 bytes from a page's end: the IV on SQLCipher 3 (IV 16 + HMAC-SHA1
 * 20 + padding 12), the HMAC-SHA512 on SQLCipher 4 (IV 16 + HMAC 64). */
#define TRAILER_PROBE 48

static void
write_patients (TwStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBatch) batch = NULL;
  gint64 source_id = tw_store_ensure_source (store, "file:///t", "file:///t", &error);
  gint64 base = tw_time_now () - 24 * TW_USEC_PER_HOUR;

  g_assert_no_error (error);
  batch = tw_batch_new (source_id);
  for (guint p = 0; p < N_PATIENTS; p++)
    {
      g_autofree char *key = g_strdup_printf ("P%u", p);
      g_autofree char *name = g_strdup_printf ("Tamper Patient %u", p);
      g_autofree char *mrn = g_strdup_printf ("MRN-%u", p);

      tw_batch_add_entity (batch, "patient", key, name, mrn, "ICU-1");
      for (guint i = 0; i < N_SAMPLES; i++)
        tw_batch_add_sample (batch, key, "hr", base + (gint64) i * TW_USEC_PER_MIN, 60 + i % 30);
    }
  batch->cursor_seq = 1;
  batch->n_messages = N_PATIENTS * N_SAMPLES;
  g_assert_true (tw_store_begin (store, &error));
  g_assert_true (tw_store_write_batch (store, batch, NULL, &error));
  g_assert_true (tw_store_commit (store, &error));
  g_assert_no_error (error);
}

/* Reads every row of every table and runs integrity_check; FALSE with
 * @error at the first failure (what `twctl store check` does). */
static gboolean
read_everything (TwStore  *store,
                 GError  **error)
{
  g_autoptr(sqlite3_stmt) list = NULL;
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(sqlite3_stmt) check = NULL;
  int rc;

  list = tw_store_prepare (store, "SELECT name FROM sqlite_master WHERE type = 'table'", error);
  if (list == NULL)
    return FALSE;
  while ((rc = sqlite3_step (list)) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (list, 0)));
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Listing the tables");
      return FALSE;
    }
  for (guint i = 0; i < tables->len; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"",
                                              (char *) g_ptr_array_index (tables, i));
      g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, sql, error);

      if (stmt == NULL)
        return FALSE;
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        ;
      if (rc != SQLITE_DONE)
        {
          tw_store_set_error (store, error, g_ptr_array_index (tables, i));
          return FALSE;
        }
    }
  check = tw_store_prepare (store, "PRAGMA integrity_check", error);
  if (check == NULL)
    return FALSE;
  rc = sqlite3_step (check);
  if (rc != SQLITE_ROW || g_strcmp0 ((const char *) sqlite3_column_text (check, 0), "ok") != 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT, "integrity_check: %s",
                   rc == SQLITE_ROW ? (const char *) sqlite3_column_text (check, 0)
                                    : sqlite3_errmsg (store->db));
      return FALSE;
    }
  return TRUE;
}

static void
flip_byte (const char *path,
           goffset     offset)
{
  FILE *file = fopen (path, "r+b");
  int byte;

  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, offset, SEEK_SET), ==, 0);
  byte = fgetc (file);
  g_assert_cmpint (byte, !=, EOF);
  g_assert_cmpint (fseek (file, offset, SEEK_SET), ==, 0);
  g_assert_cmpint (fputc (byte ^ 0x01, file), !=, EOF);
  g_assert_cmpint (fclose (file), ==, 0);
}

static gchar *
read_file (const char *path,
           gsize      *len)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, len, &error));
  g_assert_no_error (error);
  return data;
}

static void
write_file (const char *path,
            const char *data,
            gsize       len)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, data, (gssize) len, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (TwTestStore   *t,
               gconstpointer  data)
{
  tw_test_store_open (t, "tw-tamper");
}

static void
fixture_teardown (TwTestStore   *t,
                  gconstpointer  data)
{
  tw_test_store_close (t);
}

/* ---- a wrong key ------------------------------------------------------- */

static void
assert_wrong_key_refused (const char  *path,
                          const TwKey *key)
{
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_store_open (path, key, FALSE, &error);

  /* The open itself fails: no connection is handed out that would fail
   * later, in the middle of some query. */
  g_assert_null (store);
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "could not be decrypted with this key"));
}

static void
test_wrong_key_fails_at_open (TwTestStore   *t,
                              gconstpointer  data)
{
  g_autoptr(TwKey) other = tw_key_new_random ();
  g_autoptr(TwKey) one_bit = NULL;
  guint8 bytes[TW_KEY_BYTES];
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) again = NULL;

  write_patients (t->store);

  /* While the right connection is open (a WAL in use) … */
  assert_wrong_key_refused (t->path, other);
  /* … a key one bit away is as wrong as any other. */
  memcpy (bytes, tw_key_get_bytes (t->key), TW_KEY_BYTES);
  bytes[TW_KEY_BYTES - 1] ^= 0x80;
  one_bit = tw_key_new_from_bytes (bytes, TW_KEY_BYTES);
  memset (bytes, 0, sizeof bytes);
  assert_wrong_key_refused (t->path, one_bit);

  /* … and with the store closed. */
  g_clear_pointer (&t->store, tw_store_close);
  assert_wrong_key_refused (t->path, other);

  /* The right key still opens it, the data intact. */
  again = tw_store_open (t->path, t->key, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (read_everything (again, &error));
  g_assert_no_error (error);
}

/* A key file from another store: its slot unwraps (the password is
 * right there) but the key is not this store's: sign-in fails at its first
 * read, with a message that points at the files. */
static void
test_swapped_key_file_fails_at_sign_in (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("tw-tamper-swap-XXXXXX", &error);
  g_autofree char *dir_a = g_build_filename (root, "a", NULL);
  g_autofree char *dir_b = g_build_filename (root, "b", NULL);
  g_autofree char *slots_a = g_build_filename (dir_a, TW_KEYSLOTS_FILENAME, NULL);
  g_autofree char *slots_b = g_build_filename (dir_b, TW_KEYSLOTS_FILENAME, NULL);
  g_autofree char *copy = NULL;
  gsize len = 0;
  TwSession *session;

  g_assert_no_error (error);
  tw_session_free (tw_session_initialize (dir_a, "admin", PASSWORD, TW_KDF_COST_MIN, &error));
  g_assert_no_error (error);
  tw_session_free (tw_session_initialize (dir_b, "admin", PASSWORD, TW_KDF_COST_MIN, &error));
  g_assert_no_error (error);

  copy = read_file (slots_b, &len);
  write_file (slots_a, copy, len);
  session = tw_session_login (dir_a, "admin", PASSWORD, &error);
  g_assert_null (session);
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_test_message ("sign-in with another store's key file: %s", error->message);
  tw_test_remove_tree (root);
}

/* ---- flipped bytes ----------------------------------------------------- */

/* Every page past the first (whose start is the salt), one at a time:
 * a flipped byte makes reading fail with TW_ERROR_CORRUPT. Pages on the
 * free list hold no rows and are not read on SQLCipher 3. */
static void
test_flipped_byte_in_any_page_is_detected (TwTestStore   *t,
                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pristine = NULL;
  gsize len = 0;
  gint64 n_pages, n_free;
  guint detected = 0, checked = 0;

  write_patients (t->store);
  n_free = 0;
  {
    g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (t->store, "PRAGMA freelist_count", &error);

    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    n_free = sqlite3_column_int64 (stmt, 0);
  }
  g_clear_pointer (&t->store, tw_store_close);  /* checkpoints: all in the file */
  pristine = read_file (t->path, &len);
  g_assert_cmpuint (len % PAGE_SIZE, ==, 0);
  n_pages = (gint64) (len / PAGE_SIZE);
  g_assert_cmpint (n_pages, >, 10);

  for (gint64 page = 1; page < n_pages; page++)
    {
      TwStore *store;

      write_file (t->path, pristine, len);
      flip_byte (t->path, page * PAGE_SIZE + FLIP_OFFSET);
      checked++;
      store = tw_store_open (t->path, t->key, FALSE, &error);
      if (store == NULL || !read_everything (store, &error))
        {
          g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
          detected++;
        }
      g_clear_error (&error);
      g_clear_pointer (&store, tw_store_close);
    }
  g_test_message ("%u of %u pages with a flipped byte detected (%" G_GINT64_FORMAT
                  " on the free list)", detected, checked, n_free);
  g_assert_cmpuint (detected, >=, checked - (guint) n_free);

  /* The pristine copy reads cleanly: the failures were the flips. */
  write_file (t->path, pristine, len);
  t->store = tw_store_open (t->path, t->key, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (read_everything (t->store, &error));
  g_assert_no_error (error);
}

/* The IV and HMAC at a page's end are checked as well. (The last bytes
 * of a page on SQLCipher 3 are padding that rounds IV + HMAC-SHA1 up to
 * 48 bytes: no data, not authenticated.) */
static void
test_flipped_byte_in_page_trailer_is_detected (TwTestStore   *t,
                                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  TwStore *store;

  write_patients (t->store);
  g_clear_pointer (&t->store, tw_store_close);
  flip_byte (t->path, 3 * PAGE_SIZE - TRAILER_PROBE);  /* page 3's IV (3.x) or HMAC (4.x) */
  store = tw_store_open (t->path, t->key, FALSE, &error);
  if (store != NULL)
    g_assert_false (read_everything (store, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_clear_pointer (&store, tw_store_close);
}

/* ---- the key file ------------------------------------------------------ */

typedef void (*SlotEdit) (JsonObject *slot,
                          JsonObject *root);

static void
set_role_admin (JsonObject *slot,
                JsonObject *root)
{
  json_object_set_string_member (slot, "role", "admin");
}

static void
set_role_analyst (JsonObject *slot,
                  JsonObject *root)
{
  json_object_set_string_member (slot, "role", "analyst");
}

static void
set_other_store (JsonObject *slot,
                 JsonObject *root)
{
  json_object_set_string_member (root, "store_id", "00000000000000000000000000000000");
}

/* Applies @edit to @user's slot in the key file of @dir. */
static void
edit_slot (const char *dir,
           const char *user,
           SlotEdit    edit)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, TW_KEYSLOTS_FILENAME, NULL);
  JsonObject *root;
  JsonArray *slots;
  gboolean found = FALSE;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  slots = json_object_get_array_member (root, "slots");
  for (guint i = 0; i < json_array_get_length (slots); i++)
    {
      JsonObject *slot = json_array_get_object_element (slots, i);

      if (g_strcmp0 (json_object_get_string_member (slot, "user"), user) == 0)
        {
          edit (slot, root);
          found = TRUE;
        }
    }
  g_assert_true (found);
  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, path, &error));
  g_assert_no_error (error);
}

typedef struct
{
  const char *user;
  const char *password;
  SlotEdit    edit;
} SlotCase;

static void
test_edited_slot_does_not_unwrap (gconstpointer data)
{
  const SlotCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("tw-tamper-slot-XXXXXX", &error);
  g_autofree char *dir = g_build_filename (root, "data", NULL);
  g_autoptr(TwSession) admin = NULL;
  g_autoptr(TwSession) check = NULL;
  TwSession *session;

  g_assert_no_error (error);
  admin = tw_session_initialize (dir, "admin", PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);
  g_assert_true (tw_session_add_user (admin, "cleo", TW_ROLE_CLINICIAN, "cleo's own password",
                                      &error));
  g_assert_no_error (error);
  /* Unedited, the slot opens. */
  check = tw_session_login (dir, c->user, c->password, &error);
  g_assert_no_error (error);
  g_assert_nonnull (check);

  edit_slot (dir, c->user, c->edit);
  session = tw_session_login (dir, c->user, c->password, &error);
  g_assert_null (session);
  /* The same answer as a wrong password: the file gives nothing away. */
  g_assert_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED);
  tw_test_remove_tree (root);
}

int
main (int    argc,
      char **argv)
{
  static const SlotCase promoted = { "cleo", "cleo's own password", set_role_admin };
  static const SlotCase demoted = { "admin", PASSWORD, set_role_analyst };
  static const SlotCase moved = { "cleo", "cleo's own password", set_other_store };

  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, TwTestStore, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store-tamper/wrong-key-fails-at-open", test_wrong_key_fails_at_open);
  ADD ("/store-tamper/flipped-byte-in-any-page", test_flipped_byte_in_any_page_is_detected);
  ADD ("/store-tamper/flipped-byte-in-trailer", test_flipped_byte_in_page_trailer_is_detected);
#undef ADD
  g_test_add_func ("/store-tamper/swapped-key-file", test_swapped_key_file_fails_at_sign_in);
  g_test_add_data_func ("/store-tamper/slot/role-promoted", &promoted,
                        test_edited_slot_does_not_unwrap);
  g_test_add_data_func ("/store-tamper/slot/role-demoted", &demoted,
                        test_edited_slot_does_not_unwrap);
  g_test_add_data_func ("/store-tamper/slot/other-store", &moved,
                        test_edited_slot_does_not_unwrap);
  return g_test_run ();
}
