#include "tw-error.h"
#include "tw-store-private.h"
#include "tw-store-scope.h"

void
tw_entity_row_free (TwEntityRow *row)
{
  if (row == NULL)
    return;
  g_free (row->key);
  g_free (row->display_name);
  g_free (row->mrn);
  g_free (row->location);
  g_free (row);
}

/**
 * tw_store_list_entities:
 * @role: the role of whoever will see the rows
 *
 * Patients only (instruments, stores and customers are other views).
 * Masking happens here, in the core: when @role or the role the store was
 * opened for (tw_store_get_role()) lacks %TW_PERM_SEE_IDENTITY, the name,
 * MRN and key never leave the query: @key and @display_name are the
 * entity's pseudonym, which the other reads accept in place of the key.
 * A scoped clinician gets the patients of their wards (tw-store-scope.h).
 */
GPtrArray *
tw_store_list_entities (TwStore  *store,
                        TwRole    role,
                        GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_entity_row_free);
  /* A caller cannot ask for more than the connection was opened for. */
  gboolean identity = tw_role_can (role, TW_PERM_SEE_IDENTITY)
                      && !tw_store_masks_identity (store);
  /* Operators at the central station see bed and name, not the MRN
   * (ARCHITECTURE.md, "Roles"). */
  gboolean show_mrn = identity && role != TW_ROLE_OPERATOR
                      && tw_store_get_role (store) != TW_ROLE_OPERATOR;
  g_autofree char *scope = tw_store_scope_sql (store, "entities");
  g_autofree char *sql = NULL;
  int rc;

  sql = g_strdup_printf (identity
                         ? "SELECT id, key, name, mrn, location FROM entities"
                           " WHERE kind = 'patient' AND %s ORDER BY location, key"
                         : "SELECT id, pseudonym, NULL, NULL, location, key FROM entities"
                           " WHERE kind = 'patient' AND %s ORDER BY location, pseudonym",
                         scope);
  stmt = tw_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(TwEntityRow) row = g_new0 (TwEntityRow, 1);
      const char *name = (const char *) sqlite3_column_text (stmt, 2);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->key = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      /* Every entity has a pseudonym since schema 4; never fall back to the key. */
      if (row->key == NULL && !identity)
        {
          row->key = tw_store_make_pseudonym (store, (const char *) sqlite3_column_text (stmt, 5),
                                              error);
          if (row->key == NULL)
            return NULL;
        }
      row->display_name = g_strdup (name != NULL ? name : row->key);
      row->mrn = show_mrn ? g_strdup ((const char *) sqlite3_column_text (stmt, 3)) : NULL;
      row->location = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      g_ptr_array_add (rows, g_steal_pointer (&row));
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not list the patients");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

GArray *
tw_store_read_samples (TwStore     *store,
                       const char  *entity_key,
                       const char  *metric,
                       gint64       from_ts,
                       gint64       to_ts,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (TwPoint));
  gint64 entity_id;
  int rc;

  /* A key or a pseudonym (what masked roles were given). */
  entity_id = tw_store_resolve_entity (store, entity_key, NULL, error);
  if (entity_id < 0)
    return NULL;
  stmt = tw_store_prepare (store,
                           "SELECT s.ts, s.value FROM samples s"
                           " JOIN series r ON r.id = s.series_id"
                           " WHERE r.entity_id = ? AND r.metric = ? AND s.ts >= ? AND s.ts < ?"
                           " ORDER BY s.ts", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, entity_id);
  sqlite3_bind_text (stmt, 2, metric, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, from_ts);
  sqlite3_bind_int64 (stmt, 4, to_ts);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwPoint p = { sqlite3_column_int64 (stmt, 0), sqlite3_column_double (stmt, 1) };

      g_array_append_val (points, p);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read samples");
      return NULL;
    }
  return g_steal_pointer (&points);
}

/**
 * tw_store_get_entity_last_ts:
 * @out_ts: (out): the newest sample time of any series of the entity, or
 *   %G_MININT64 when it has none
 *
 * One primary-key lookup per series: cheap however much is stored.
 * @entity_key may be the entity's pseudonym.
 */
gboolean
tw_store_get_entity_last_ts (TwStore     *store,
                             const char  *entity_key,
                             gint64      *out_ts,
                             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 entity_id;

  entity_id = tw_store_resolve_entity (store, entity_key, NULL, error);
  if (entity_id < 0)
    return FALSE;
  stmt = tw_store_prepare (store,
                           "SELECT max ((SELECT max (ts) FROM samples s WHERE s.series_id = r.id))"
                           " FROM series r WHERE r.entity_id = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entity_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the newest sample");
      return FALSE;
    }
  *out_ts = sqlite3_column_type (stmt, 0) == SQLITE_NULL ? G_MININT64
                                                         : sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

void
tw_series_stats_free (TwSeriesStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->entity);
  g_free (stats->metric);
  g_free (stats);
}

GPtrArray *
tw_store_list_series_stats (TwStore  *store,
                            GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_series_stats_free);
  gboolean masked = tw_store_masks_identity (store);
  g_autofree char *scope = tw_store_scope_sql (store, "e");
  g_autofree char *sql = NULL;
  int rc;

  /* Correlated subqueries walk the (series_id, ts) primary key: count plus
   * two index lookups per series, never a scan of all samples per row.
   * Masked roles get the pseudonym, which tw_store_read_samples() takes.
   * A scoped clinician gets the series of the patients they may see. */
  sql = g_strdup_printf ("SELECT r.id, %s, r.metric,"
                         " (SELECT count(*) FROM samples s WHERE s.series_id = r.id),"
                         " (SELECT min(ts) FROM samples s WHERE s.series_id = r.id),"
                         " (SELECT max(ts) FROM samples s WHERE s.series_id = r.id)"
                         " FROM series r JOIN entities e ON e.id = r.entity_id"
                         " WHERE %s ORDER BY 2, r.metric",
                         masked ? "e.pseudonym" : "e.key", scope);
  stmt = tw_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwSeriesStats *s = g_new0 (TwSeriesStats, 1);

      s->series_id = sqlite3_column_int64 (stmt, 0);
      s->entity = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      s->metric = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      s->count = sqlite3_column_int64 (stmt, 3);
      s->first_ts = sqlite3_column_int64 (stmt, 4);
      s->last_ts = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (rows, s);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read series statistics");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gint64
tw_store_count_samples (TwStore  *store,
                        GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, "SELECT count(*) FROM samples", error);

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not count samples");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}
