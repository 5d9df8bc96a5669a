/* Declares sqlite3_key() in SQLCipher's sqlite3.h (3.x and 4.x). */
/* Every page SQLCipher reads from disk is decrypted and authenticated; the
 * writer's working set (the newest leaf of every series in samples and in
 * three rollup levels, the alert tables) is far beyond SQLite's default
 * 2 MiB cache, which made page decryption the engine's main cost. Negative:
 * KiB per connection. */
#define STORE_CACHE_PRAGMA "PRAGMA cache_size = -32768"
#define SQLITE_HAS_CODEC 1

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tw-error.h"
#include "tw-store-clinical.h"
#include "tw-store-private.h"
#include "tw-time.h"

#define STORE_PAGE_SIZE      4096
#define STORE_BUSY_TIMEOUT_MS 10000
#define STORE_FILE_MODE       0600

void
tw_store_set_error (TwStore     *store,
                    GError     **error,
                    const char  *what)
{
  int code = sqlite3_extended_errcode (store->db) & 0xff;
  TwError tw_code = TW_ERROR_FAILED;

  if (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_READONLY
      || code == SQLITE_CANTOPEN)
    tw_code = TW_ERROR_STORAGE;
  else if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
    tw_code = TW_ERROR_CORRUPT;

  if (code == SQLITE_FULL)
    g_set_error (error, TW_ERROR, tw_code,
                 "%s: the disk is full. Free space on the disk holding %s; nothing stored was "
                 "lost and ingest continues once there is room", what, store->path);
  else
    g_set_error (error, TW_ERROR, tw_code, "%s: %s", what, sqlite3_errmsg (store->db));
}

gboolean
tw_store_exec (TwStore     *store,
               const char  *sql,
               GError     **error)
{
  if (sqlite3_exec (store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      tw_store_set_error (store, error, "Database statement failed");
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
tw_store_prepare (TwStore     *store,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      tw_store_set_error (store, error, "Could not prepare a database statement");
      return NULL;
    }
  return stmt;
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW
      && sqlite3_column_text (stmt, 0) != NULL)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return result;
}

static gboolean
apply_key (TwStore      *store,
           const TwKey  *key,
           GError      **error)
{
  char *hex = tw_key_to_hex_secure (key);
  int rc;

  /* sqlite3_key() rather than PRAGMA key: the SQL parser would copy the
   * key into memory we do not control. The x'…' form is a raw key, so no
   * key derivation runs. */
  rc = sqlite3_key (store->db, hex, (int) strlen (hex));
  tw_key_free_secure_string (hex);
  if (rc != SQLITE_OK)
    {
      tw_store_set_error (store, error, "Could not key the store");
      return FALSE;
    }
  return TRUE;
}

static int
cipher_major_version (const char *version)
{
  return version != NULL ? (int) g_ascii_strtoll (version, NULL, 10) : 0;
}

/* PRAGMA key succeeds with any key; only the first read tells. */
static int
first_read (TwStore *store)
{
  return sqlite3_exec (store->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
}

static gboolean
open_keyed (TwStore      *store,
            const TwKey  *key,
            gboolean      create,
            GError      **error)
{
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc;

  if (!create && !g_file_test (store->path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_INITIALIZED,
                   "There is no store at %s", store->path);
      return FALSE;
    }

  rc = sqlite3_open_v2 (store->path, &store->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "Could not open %s: %s", store->path,
                   store->db != NULL ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc));
      return FALSE;
    }
  /* Before the first read: another connection closing at this moment
   * (checkpointing the WAL away) makes the read wait, not fail. */
  sqlite3_busy_timeout (store->db, STORE_BUSY_TIMEOUT_MS);

  /* Linked against plain SQLite (see TOOLCHAIN.md), PRAGMA key would be
   * ignored and the store written in clear: refuse to go on. */
  store->cipher_version = query_text (store->db, "PRAGMA cipher_version");
  if (store->cipher_version == NULL)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_ENCRYPTED,
                   "This program is linked against SQLite without encryption (no cipher_version);"
                   " refusing to open %s. Rebuild it against SQLCipher", store->path);
      return FALSE;
    }

  if (!apply_key (store, key, error))
    return FALSE;

  if (cipher_major_version (store->cipher_version) < 4)
    {
      /* SQLCipher 3 defaults to 1 KiB pages; we use 4 KiB on every version. */
      if (!tw_store_exec (store, "PRAGMA cipher_page_size = 4096", error))
        return FALSE;
      rc = first_read (store);
    }
  else
    {
      rc = first_read (store);
      if (rc == SQLITE_NOTADB && !create)
        {
          /* A store written by SQLCipher 3 (a Debian build): read it with
           * the 3.x settings it was made with. */
          sqlite3_close (store->db);
          store->db = NULL;
          if (sqlite3_open_v2 (store->path, &store->db, flags, NULL) != SQLITE_OK
              || sqlite3_busy_timeout (store->db, STORE_BUSY_TIMEOUT_MS) != SQLITE_OK
              || !apply_key (store, key, error)
              || !tw_store_exec (store, "PRAGMA cipher_compatibility = 3", error)
              || !tw_store_exec (store, "PRAGMA cipher_page_size = 4096", error))
            return FALSE;
          rc = first_read (store);
        }
    }

  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_STORAGE,
                   "The store %s stayed busy for %d s; another program holds it. Try again",
                   store->path, STORE_BUSY_TIMEOUT_MS / 1000);
      return FALSE;
    }
  if (rc != SQLITE_OK)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "The store %s could not be decrypted with this key (%s). The file is "
                   "damaged or belongs to another key file", store->path, sqlite3_errstr (rc));
      return FALSE;
    }
  return TRUE;
}

/**
 * tw_store_open:
 * @path: the database file
 * @key: the raw 256-bit database key
 * @create: whether to create a new store when none exists
 *
 * Opens and keys a connection, checks that the key really decrypts the
 * file (SQLCipher accepts any key until the first read), sets WAL and
 * synchronous=NORMAL, and applies pending migrations.
 *
 * The connection reads as an analyst (identity masked, see
 * tw-store-clinical.h); tw_session_open_store() gives it the session's role.
 */
TwStore *
tw_store_open (const char   *path,
               const TwKey  *key,
               gboolean      create,
               GError      **error)
{
  g_autoptr(TwStore) store = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  store = g_new0 (TwStore, 1);
  store->path = g_strdup (path);
  /* Least privilege until someone who knows better says otherwise. */
  store->role = TW_ROLE_ANALYST;

  if (!open_keyed (store, key, create, error))
    return NULL;
  /* Only the owner may read the ciphertext; WAL and SHM files inherit it. */
  if (create)
    g_chmod (path, STORE_FILE_MODE);

  if (!tw_store_exec (store, "PRAGMA journal_mode = WAL", error)
      || !tw_store_exec (store, "PRAGMA synchronous = NORMAL", error)
      || !tw_store_exec (store, "PRAGMA foreign_keys = ON", error)
      || !tw_store_exec (store, "PRAGMA temp_store = MEMORY", error)
      || !tw_store_exec (store, STORE_CACHE_PRAGMA, error))
    return NULL;

  if (!tw_store_migrate (store, error))
    return NULL;

  return g_steal_pointer (&store);
}

void
tw_store_close (TwStore *store)
{
  if (store == NULL)
    return;
  if (store->in_transaction)
    tw_store_rollback (store);
  tw_store_write_reset (store);
  g_clear_pointer (&store->insert_sample, sqlite3_finalize);
  if (store->db != NULL)
    sqlite3_close_v2 (store->db);
  g_free (store->path);
  g_free (store->cipher_version);
  tw_key_free (store->pseudonym_secret);  /* wipes */
  tw_key_free (store->audit_key);         /* wipes */
  g_free (store->user);
  g_free (store->sidecar_path);
  g_clear_pointer (&store->record_views, g_hash_table_unref);
  g_free (store);
}

/**
 * tw_store_get_role:
 * The role whose masking rules every read through @store follows: the
 * session's for tw_session_open_store(), analyst (masked) for a bare
 * tw_store_open().
 */
TwRole
tw_store_get_role (TwStore *store)
{
  g_return_val_if_fail (store != NULL, TW_ROLE_ANALYST);
  return store->role;
}

void
tw_store_set_role (TwStore *store,
                   TwRole   role)
{
  g_return_if_fail (store != NULL);
  store->role = role;
}

gboolean
tw_store_masks_identity (TwStore *store)
{
  return !tw_role_can (store->role, TW_PERM_SEE_IDENTITY);
}

const char *
tw_store_get_cipher_version (TwStore *store)
{
  return store->cipher_version;
}

int
tw_store_get_schema_version (TwStore *store)
{
  return store->schema_version;
}

gboolean
tw_store_begin (TwStore  *store,
                GError  **error)
{
  g_return_val_if_fail (!store->in_transaction, FALSE);
  if (!tw_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  store->in_transaction = TRUE;
  return TRUE;
}

gboolean
tw_store_commit (TwStore  *store,
                 GError  **error)
{
  g_return_val_if_fail (store->in_transaction, FALSE);
  if (!tw_store_exec (store, "COMMIT", error))
    {
      tw_store_rollback (store);
      return FALSE;
    }
  store->in_transaction = FALSE;
  /* The audit head moves only with a committed row. */
  tw_audit_publish_head (store);
  return TRUE;
}

void
tw_store_rollback (TwStore *store)
{
  if (!store->in_transaction)
    return;
  sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  store->in_transaction = FALSE;
  store->audit_head_dirty = FALSE;
  /* Cached ids may name rows that the rollback removed. */
  tw_store_write_reset (store);
}

/* ---- sources ----------------------------------------------------------- */

/* Source changes are audited with the change, in one transaction. The
 * address is recorded without a password or other credentials in it. */
static char *
describe_source (const char *what,
                 const char *url,
                 gboolean    enabled)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autofree char *shown = uri != NULL
                           ? g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO
                                                             | G_URI_HIDE_AUTH_PARAMS)
                           : NULL;

  return g_strdup_printf ("%s%s%s%s", what, shown != NULL ? " " : "", shown != NULL ? shown : "",
                          enabled ? "" : ", paused");
}

static gboolean
finish_source_change (TwStore     *store,
                      gboolean     own,
                      gboolean     ok,
                      const char  *subject,
                      const char  *detail,
                      GError     **error)
{
  ok = ok && (detail == NULL
              || tw_audit_append (store, NULL, TW_AUDIT_SOURCE_CHANGE, subject, detail, error));
  if (!own)
    return ok;
  if (!ok)
    {
      tw_store_rollback (store);
      return FALSE;
    }
  return tw_store_commit (store, error);
}

static gint64
ensure_source (TwStore     *store,
               const char  *name,
               const char  *url,
               gboolean    *out_added,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) select = NULL;

  insert = tw_store_prepare (store,
                             "INSERT OR IGNORE INTO sources (name, url, created_at) VALUES (?, ?, ?)",
                             error);
  if (insert == NULL)
    return -1;
  sqlite3_bind_text (insert, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 2, url, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 3, tw_time_now ());
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not save the source");
      return -1;
    }
  *out_added = sqlite3_changes (store->db) > 0;

  select = tw_store_prepare (store, "SELECT id, url FROM sources WHERE name = ?", error);
  if (select == NULL)
    return -1;
  sqlite3_bind_text (select, 1, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (select) != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the source back");
      return -1;
    }
  /* The same name for another stream would silently merge two sources. */
  if (g_strcmp0 ((const char *) sqlite3_column_text (select, 1), url) != 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_ALREADY_EXISTS,
                   "A source named ‘%s’ exists already with another address; choose another name",
                   name);
      return -1;
    }
  return sqlite3_column_int64 (select, 0);
}

gint64
tw_store_ensure_source (TwStore     *store,
                        const char  *name,
                        const char  *url,
                        GError     **error)
{
  g_autofree char *detail = NULL;
  gboolean own;
  gboolean added = FALSE;
  gint64 id;

  g_return_val_if_fail (name != NULL && url != NULL, -1);

  own = !store->in_transaction;
  if (own && !tw_store_begin (store, error))
    return -1;
  id = ensure_source (store, name, url, &added, error);
  if (added)
    detail = describe_source ("added", url, TRUE);
  if (!finish_source_change (store, own, id >= 0, name, detail, error))
    return -1;
  return id;
}

void
tw_source_row_free (TwSourceRow *row)
{
  if (row == NULL)
    return;
  g_free (row->name);
  g_free (row->url);
  g_free (row->last_error);
  g_free (row);
}

GPtrArray *
tw_store_list_sources (TwStore  *store,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_source_row_free);
  int rc;

  stmt = tw_store_prepare (store,
                           "SELECT id, name, url, enabled, cursor_seq, received, stored, "
                           "duplicates, quarantined, reconnects, lag_us, last_error, last_error_at"
                           " FROM sources ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwSourceRow *row = g_new0 (TwSourceRow, 1);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      row->url = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      row->enabled = sqlite3_column_int (stmt, 3) != 0;
      row->cursor_seq = sqlite3_column_int64 (stmt, 4);
      row->counters.received = (guint64) sqlite3_column_int64 (stmt, 5);
      row->counters.stored = (guint64) sqlite3_column_int64 (stmt, 6);
      row->counters.duplicates = (guint64) sqlite3_column_int64 (stmt, 7);
      row->counters.quarantined = (guint64) sqlite3_column_int64 (stmt, 8);
      row->reconnects = (guint64) sqlite3_column_int64 (stmt, 9);
      row->lag_us = sqlite3_column_type (stmt, 10) == SQLITE_NULL ? -1
                                                                  : sqlite3_column_int64 (stmt, 10);
      row->last_error = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
      row->last_error_at = sqlite3_column_int64 (stmt, 12);
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not list the sources");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static gboolean update_source (TwStore     *store,
                               gint64       source_id,
                               const char  *name,
                               const char  *url,
                               gboolean     enabled,
                               GError     **error);

/**
 * tw_store_update_source:
 * Renames, re-points, pauses (@enabled FALSE) or resumes a source. A new
 * address keeps the cursor only when it names the same stream, which we
 * cannot know: the cursor is reset so the new stream starts from its
 * beginning (idempotent writes make a replay harmless).
 */
gboolean
tw_store_update_source (TwStore     *store,
                        gint64       source_id,
                        const char  *name,
                        const char  *url,
                        gboolean     enabled,
                        GError     **error)
{
  g_autofree char *detail = NULL;
  gboolean own = !store->in_transaction;

  if (own && !tw_store_begin (store, error))
    return FALSE;
  detail = describe_source ("set to", url, enabled);
  return finish_source_change (store, own, update_source (store, source_id, name, url, enabled,
                                                          error),
                               name, detail, error);
}

static gboolean
update_source (TwStore     *store,
               gint64       source_id,
               const char  *name,
               const char  *url,
               gboolean     enabled,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = tw_store_prepare (store,
                           "UPDATE sources SET name = ?1, enabled = ?3,"
                           " cursor_seq = CASE WHEN url = ?2 THEN cursor_seq ELSE -1 END, url = ?2"
                           " WHERE id = ?4", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, url, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, enabled ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, source_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if ((sqlite3_extended_errcode (store->db) & 0xff) == SQLITE_CONSTRAINT)
        g_set_error (error, TW_ERROR, TW_ERROR_ALREADY_EXISTS,
                     "Another source is already named ‘%s’", name);
      else
        tw_store_set_error (store, error, "Could not change the source");
      return FALSE;
    }
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND,
                   "There is no source %" G_GINT64_FORMAT, source_id);
      return FALSE;
    }
  return TRUE;
}

/**
 * tw_store_remove_source:
 * Removes the source's configuration. What it delivered stays: samples
 * belong to patients, and quarantined messages keep their record (without
 * a source).
 */
gboolean
tw_store_remove_source (TwStore  *store,
                        gint64    source_id,
                        GError  **error)
{
  g_autoptr(sqlite3_stmt) name = NULL;
  g_autoptr(sqlite3_stmt) detach = NULL;
  g_autoptr(sqlite3_stmt) remove = NULL;
  g_autofree char *subject = NULL;
  gboolean own = !store->in_transaction;
  gboolean ok;

  if (own && !tw_store_begin (store, error))
    return FALSE;
  name = tw_store_prepare (store, "SELECT name FROM sources WHERE id = ?", error);
  detach = name == NULL ? NULL
           : tw_store_prepare (store, "UPDATE quarantine SET source_id = NULL WHERE source_id = ?",
                               error);
  remove = detach == NULL ? NULL
           : tw_store_prepare (store, "DELETE FROM sources WHERE id = ?", error);
  ok = remove != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (name, 1, source_id);
      sqlite3_bind_int64 (detach, 1, source_id);
      sqlite3_bind_int64 (remove, 1, source_id);
      if (sqlite3_step (name) == SQLITE_ROW)
        subject = g_strdup ((const char *) sqlite3_column_text (name, 0));
      ok = sqlite3_step (detach) == SQLITE_DONE && sqlite3_step (remove) == SQLITE_DONE;
      if (!ok)
        tw_store_set_error (store, error, "Could not remove the source");
    }
  /* Removing a source that is not there changes nothing worth a row. */
  return finish_source_change (store, own, ok, subject, subject != NULL ? "removed" : NULL,
                               error);
}

/**
 * tw_store_save_source_health:
 * @lag_us: commit time minus the newest event time, or -1 to keep the old
 * @last_error: the current error, or %NULL when the source is healthy (the
 *   last error and its time are kept for the record)
 */
gboolean
tw_store_save_source_health (TwStore     *store,
                             gint64       source_id,
                             guint64      reconnects,
                             gint64       lag_us,
                             const char  *last_error,
                             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = tw_store_prepare (store,
                           "UPDATE sources SET reconnects = ?, lag_us = coalesce (?, lag_us),"
                           " last_error = coalesce (?, last_error),"
                           " last_error_at = CASE WHEN ? IS NULL OR ? IS last_error"
                           "   THEN last_error_at ELSE ? END"
                           " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (gint64) reconnects);
  if (lag_us >= 0)
    sqlite3_bind_int64 (stmt, 2, lag_us);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_text (stmt, 3, last_error, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, last_error, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, last_error, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, tw_time_now ());
  sqlite3_bind_int64 (stmt, 7, source_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not save the source's health");
      return FALSE;
    }
  return TRUE;
}

/* ---- users ------------------------------------------------------------- */

gboolean
tw_store_add_user (TwStore     *store,
                   const char  *name,
                   TwRole       role,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = tw_store_prepare (store,
                           "INSERT INTO users (name, role, created_at) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, tw_role_to_string (role), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, tw_time_now ());
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if ((sqlite3_extended_errcode (store->db) & 0xff) == SQLITE_CONSTRAINT)
        g_set_error (error, TW_ERROR, TW_ERROR_ALREADY_EXISTS,
                     "A user named ‘%s’ exists already", name);
      else
        tw_store_set_error (store, error, "Could not add the user");
      return FALSE;
    }
  return TRUE;
}

void
tw_user_row_free (TwUserRow *row)
{
  if (row == NULL)
    return;
  g_free (row->name);
  g_free (row);
}

static TwUserRow *
user_row_from_stmt (sqlite3_stmt *stmt)
{
  TwUserRow *row = g_new0 (TwUserRow, 1);

  row->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (!tw_role_from_string ((const char *) sqlite3_column_text (stmt, 1), &row->role))
    row->role = TW_ROLE_ANALYST;  /* the CHECK constraint makes this unreachable */
  row->created_at = sqlite3_column_int64 (stmt, 2);
  row->disabled = sqlite3_column_int (stmt, 3) != 0;
  row->must_change_password = sqlite3_column_int (stmt, 4) != 0;
  return row;
}

gboolean
tw_store_get_user (TwStore     *store,
                   const char  *name,
                   TwUserRow  **out_row,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = tw_store_prepare (store,
                           "SELECT name, role, created_at, disabled, must_change_password"
                           " FROM users WHERE name = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_row = user_row_from_stmt (stmt);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND, "There is no user named ‘%s’", name);
  else
    tw_store_set_error (store, error, "Could not read the user");
  return FALSE;
}

GPtrArray *
tw_store_list_users (TwStore  *store,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_user_row_free);
  int rc;

  stmt = tw_store_prepare (store,
                           "SELECT name, role, created_at, disabled, must_change_password"
                           " FROM users ORDER BY name",
                           error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, user_row_from_stmt (stmt));
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not list the users");
      return NULL;
    }
  return g_steal_pointer (&rows);
}
