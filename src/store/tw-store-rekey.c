#define SQLITE_HAS_CODEC 1

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "tw-error.h"
#include "tw-store-private.h"
#include "tw-store-rekey.h"

/* A rekey after a user is removed (the removed user may have kept a copy
 * of the old database key; the new one is sealed only to the others).
 *
 * Order, and what a crash at each step leaves behind:
 *   1. checkpoint the WAL into the old file, then copy it with
 *      sqlcipher_export() into path.rekey under the new key, fsync it and
 *      open it once with the new key.   Crash: old file + old key file
 *      valid; the copy is discarded at the next rekey.
 *   2. @stage: the key file gets the new grants beside the old ones and
 *      names path.rekey as pending (tw-keyslots-file.c).   Crash: the
 *      copy still exists, so loading the key file keeps the old grants.
 *   3. rename(path.rekey, path), fsync the directory: the commit point.
 *      Crash: the copy is gone, so loading the key file takes the new
 *      grants, which open the new file.
 *   4. (the caller) the key file keeps only the new grants.
 * PRAGMA rekey also works in WAL mode on SQLCipher 3.4.1 (tried: a WAL
 * store rekeyed by the sqlcipher shell opens with the new key only), but
 * in place there is no moment at which both the store and the key file
 * are valid whatever happens, and nothing on disk tells which key the
 * store has after a crash; with a copy, the copy's existence tells. */

#define REKEY_SCHEMA    "rekeyed"
#define REKEY_FILE_MODE 0600

static char *
pending_path_for (const char *path)
{
  return g_strconcat (path, TW_REKEY_SUFFIX, NULL);
}

static void
remove_with_journals (const char *path)
{
  static const char *suffixes[] = { "", "-journal", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

void
tw_store_rekey_discard (const char *path)
{
  g_autofree char *pending = pending_path_for (path);

  remove_with_journals (pending);
}

static gboolean
fsync_path (const char  *path,
            gboolean     directory,
            GError     **error)
{
  int fd = g_open (path, (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC, 0);
  int saved_errno;

  if (fd >= 0 && fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "Could not sync %s to disk: %s", path,
               g_strerror (saved_errno));
  return FALSE;
}

static gboolean
create_empty (const char  *path,
              GError     **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, REKEY_FILE_MODE);
  int saved_errno = errno;

  if (fd < 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "Could not create %s: %s", path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static gboolean
export_copy (const char   *path,
             const char   *pending,
             const TwKey  *old_key,
             const TwKey  *new_key,
             GError      **error)
{
  g_autoptr(TwStore) store = tw_store_open (path, old_key, FALSE, error);
  g_autoptr(sqlite3_stmt) attach = NULL;
  g_autofree char *version_sql = NULL;
  char *hex;
  int rc;

  if (store == NULL)
    return FALSE;
  /* Everything in the WAL goes into the main file first: the export reads
   * through the connection anyway, but afterwards nothing may be left in
   * a WAL that would belong to the old file. */
  if (!tw_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", error))
    return FALSE;

  /* The connection was opened without SQLITE_OPEN_CREATE, which ATTACH
   * inherits: an empty file is a new database to SQLite. */
  if (!create_empty (pending, error))
    return FALSE;
  /* The key is bound, not spliced into the SQL text. */
  attach = tw_store_prepare (store, "ATTACH DATABASE ? AS " REKEY_SCHEMA " KEY ?", error);
  if (attach == NULL)
    return FALSE;
  hex = tw_key_to_hex_secure (new_key);
  sqlite3_bind_text (attach, 1, pending, -1, SQLITE_STATIC);
  sqlite3_bind_text (attach, 2, hex, -1, SQLITE_STATIC);
  rc = sqlite3_step (attach);
  sqlite3_clear_bindings (attach);
  tw_key_free_secure_string (hex);
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not create the re-encrypted copy");
      return FALSE;
    }

  /* The same page size on SQLCipher 3 as tw_store_open() uses; the
   * copy's user_version is set explicitly, so the schema version never
   * depends on what this SQLCipher's export copies. */
  version_sql = g_strdup_printf ("PRAGMA " REKEY_SCHEMA ".user_version = %d",
                                 tw_store_get_schema_version (store));
  if ((g_ascii_strtoll (tw_store_get_cipher_version (store), NULL, 10) < 4
       && !tw_store_exec (store, "PRAGMA " REKEY_SCHEMA ".cipher_page_size = 4096", error))
      || !tw_store_exec (store, "SELECT sqlcipher_export('" REKEY_SCHEMA "')", error)
      || !tw_store_exec (store, version_sql, error)
      || !tw_store_exec (store, "DETACH DATABASE " REKEY_SCHEMA, error))
    return FALSE;
  return TRUE;
}

/* Opens the copy once with the new key and compares a count, so a copy
 * that does not read is never swapped in. */
static gboolean
verify_copy (const char   *path,
             const char   *pending,
             const TwKey  *old_key,
             const TwKey  *new_key,
             GError      **error)
{
  static const char count_sql[] = "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM audit)"
                                  " + (SELECT count(*) FROM sqlite_master)";
  g_autoptr(TwStore) old_store = tw_store_open (path, old_key, FALSE, error);
  g_autoptr(TwStore) new_store = NULL;
  g_autoptr(sqlite3_stmt) old_count = NULL;
  g_autoptr(sqlite3_stmt) new_count = NULL;

  if (old_store == NULL)
    return FALSE;
  new_store = tw_store_open (pending, new_key, FALSE, error);
  if (new_store == NULL)
    return FALSE;
  old_count = tw_store_prepare (old_store, count_sql, error);
  new_count = old_count != NULL ? tw_store_prepare (new_store, count_sql, error) : NULL;
  if (new_count == NULL)
    return FALSE;
  if (sqlite3_step (old_count) != SQLITE_ROW || sqlite3_step (new_count) != SQLITE_ROW
      || sqlite3_column_int64 (old_count, 0) != sqlite3_column_int64 (new_count, 0))
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_STORAGE,
                           "The re-encrypted copy of the store does not match the original;"
                           " nothing was changed");
      return FALSE;
    }
  return TRUE;
}

/* After the last connection closed, SQLite removes the WAL and SHM
 * files; if they are still there, someone (in this process) still has
 * the old file open and would write to it after the swap. */
gboolean
tw_store_rekey_check_closed (const char  *path,
                             GError     **error)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  if (g_file_test (wal, G_FILE_TEST_EXISTS) || g_file_test (shm, G_FILE_TEST_EXISTS))
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_IN_USE,
                           "The store is still open in this program (another connection); close"
                           " it and try again. Nothing was changed");
      return FALSE;
    }
  return TRUE;
}

gboolean
tw_store_rekey (const char        *path,
                const TwKey       *old_key,
                const TwKey       *new_key,
                TwRekeyStageFunc   stage,
                gpointer           user_data,
                GError           **error)
{
  g_autofree char *pending = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL && old_key != NULL && new_key != NULL, FALSE);

  pending = pending_path_for (path);
  dir = g_path_get_dirname (path);
  remove_with_journals (pending);

  if (!export_copy (path, pending, old_key, new_key, error)
      || !fsync_path (pending, FALSE, error)
      || !verify_copy (path, pending, old_key, new_key, error)
      || !tw_store_rekey_check_closed (path, error)
      || !tw_store_rekey_check_closed (pending, error))
    {
      remove_with_journals (pending);
      return FALSE;
    }
  if (stage != NULL && !stage (pending, user_data, error))
    {
      remove_with_journals (pending);
      return FALSE;
    }
  if (g_rename (pending, path) != 0)
    {
      int saved_errno = errno;

      /* The key file names a copy that still exists: it keeps the old
       * grants (tw-keyslots-file.c); the copy goes at the next attempt. */
      g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "Could not replace %s: %s", path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  /* The rename is durable only once the directory is. */
  return fsync_path (dir, TRUE, error);
}
