#include "tw-error.h"
#include "tw-store-private.h"

/* Who uses a connection and the store's own secrets (store_meta). */

void
tw_store_set_user (TwStore    *store,
                   const char *user)
{
  g_return_if_fail (store != NULL);
  g_free (store->user);
  store->user = g_strdup (user);
}

const char *
tw_store_get_user_name (TwStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);
  return store->user;
}

void
tw_store_set_sidecar (TwStore    *store,
                      const char *sidecar_path)
{
  g_return_if_fail (store != NULL);
  g_free (store->sidecar_path);
  store->sidecar_path = g_strdup (sidecar_path);
}

static TwKey *
read_secret (TwStore     *store,
             const char  *name,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = tw_store_prepare (store, "SELECT value FROM store_meta WHERE key = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read a store secret");
      return NULL;
    }
  if (sqlite3_column_type (stmt, 0) != SQLITE_BLOB
      || sqlite3_column_bytes (stmt, 0) != TW_KEY_BYTES)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "The store's secret ‘%s’ is damaged; restore the store from a backup", name);
      return NULL;
    }
  return tw_key_new_from_bytes (sqlite3_column_blob (stmt, 0), TW_KEY_BYTES);
}

/**
 * tw_store_get_meta_secret:
 * A random 32-byte secret that lives only inside the encrypted store (the
 * audit MAC key, the spool's private key). Made on first use; it survives
 * a rekey because it is data, not the database key.
 */
TwKey *
tw_store_get_meta_secret (TwStore     *store,
                          const char  *name,
                          GError     **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(TwKey) fresh = NULL;
  GError *local_error = NULL;
  TwKey *secret;

  g_return_val_if_fail (store != NULL && name != NULL, NULL);

  secret = read_secret (store, name, &local_error);
  if (secret != NULL || local_error != NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return secret;
    }

  fresh = tw_key_new_random ();
  insert = tw_store_prepare (store, "INSERT OR IGNORE INTO store_meta (key, value) VALUES (?, ?)",
                             error);
  if (insert == NULL)
    return NULL;
  sqlite3_bind_text (insert, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_blob (insert, 2, tw_key_get_bytes (fresh), TW_KEY_BYTES, SQLITE_STATIC);
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not save a store secret");
      return NULL;
    }
  /* Read back: another connection may have won the race. */
  secret = read_secret (store, name, &local_error);
  if (secret == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "The store secret ‘%s’ was not saved",
                     name);
    }
  return secret;
}
