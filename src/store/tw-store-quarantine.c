#include "tw-error.h"
#include "tw-store-private.h"
#include "tw-store-quarantine.h"

void
tw_quarantine_row_free (TwQuarantineRow *row)
{
  if (row == NULL)
    return;
  g_free (row->source_name);
  g_free (row->reason);
  g_free (row);
}

/* Quarantined messages are raw PHI, and their reasons may quote a field
 * ("birth date 19371123 is not valid"): for those who see identity and
 * for the administrator who repairs sources, never for analysts. */
static gboolean
may_read_messages (TwStore  *store,
                   GError  **error)
{
  TwRole role = tw_store_get_role (store);

  if (tw_role_can (role, TW_PERM_SEE_IDENTITY) || tw_role_can (role, TW_PERM_MANAGE_SOURCES))
    return TRUE;
  g_set_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
               "Quarantined messages hold patient identity; the role %s may not read them",
               tw_role_to_string (role));
  return FALSE;
}

/**
 * tw_store_list_quarantine:
 * @source_id: only this source's messages, or 0 for all
 * @limit: at most this many rows, newest first (0 = no limit)
 */
GPtrArray *
tw_store_list_quarantine (TwStore  *store,
                          gint64    source_id,
                          guint     limit,
                          GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tw_quarantine_row_free);
  int rc;

  if (!may_read_messages (store, error))
    return NULL;
  stmt = tw_store_prepare (store,
                           "SELECT q.id, coalesce (q.source_id, 0), s.name, q.received_at, q.reason,"
                           " length (q.raw) FROM quarantine q LEFT JOIN sources s ON s.id = q.source_id"
                           " WHERE ?1 = 0 OR q.source_id = ?1 ORDER BY q.id DESC LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, source_id);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwQuarantineRow *row = g_new0 (TwQuarantineRow, 1);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->source_id = sqlite3_column_int64 (stmt, 1);
      row->source_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      row->received_at = sqlite3_column_int64 (stmt, 3);
      row->reason = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      row->size = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not list the quarantine");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gint64
tw_store_count_quarantine (TwStore  *store,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, "SELECT count(*) FROM quarantine",
                                                   error);

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not count the quarantine");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

GBytes *
tw_store_get_quarantine_raw (TwStore  *store,
                             gint64    id,
                             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!may_read_messages (store, error))
    return NULL;
  stmt = tw_store_prepare (store, "SELECT raw FROM quarantine WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
  if (rc == SQLITE_DONE)
    g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND,
                 "There is no quarantined message %" G_GINT64_FORMAT, id);
  else
    tw_store_set_error (store, error, "Could not read a quarantined message");
  return NULL;
}

static gboolean
run_on_id (TwStore     *store,
           const char  *sql,
           gint64       id,
           const char  *text,
           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, text != NULL ? 2 : 1, id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not change the quarantine");
      return FALSE;
    }
  return TRUE;
}

gboolean
tw_store_delete_quarantine (TwStore  *store,
                            gint64    id,
                            GError  **error)
{
  return run_on_id (store, "DELETE FROM quarantine WHERE id = ?", id, NULL, error);
}

gboolean
tw_store_set_quarantine_reason (TwStore     *store,
                                gint64       id,
                                const char  *reason,
                                GError     **error)
{
  return run_on_id (store, "UPDATE quarantine SET reason = ? WHERE id = ?", id, reason, error);
}
