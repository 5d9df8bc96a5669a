#include "config.h"

#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-store-private.h"
#include "tw-store-rules.h"
#include "tw-time.h"

#define RULES_SUBDIR      "rules"
#define PACK_SUFFIX       ".json"
#define META_RULES_SEEDED "rules_seeded"

void
tw_rule_row_free (TwRuleRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  g_free (row->pack);
  g_free (row->json);
  g_free (row->updated_by);
  g_free (row);
}

static TwRuleRow *
read_row (sqlite3_stmt *stmt)
{
  TwRuleRow *row = g_new0 (TwRuleRow, 1);

  row->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  row->pack = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  row->json = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  row->enabled = sqlite3_column_int (stmt, 3) != 0;
  row->updated_at = sqlite3_column_int64 (stmt, 4);
  row->updated_by = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  return row;
}

GPtrArray *
tw_store_list_rules (TwStore  *store,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_rule_row_free);
  int rc;

  stmt = tw_store_prepare (store,
                           "SELECT id, pack, json, enabled, updated_at, updated_by FROM rules"
                           " ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, read_row (stmt));
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not list the rules");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gboolean
tw_store_get_rule (TwStore     *store,
                   const char  *id,
                   TwRuleRow  **out_row,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = tw_store_prepare (store,
                           "SELECT id, pack, json, enabled, updated_at, updated_by FROM rules"
                           " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND, "There is no rule ‘%s’", id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read a rule");
      return FALSE;
    }
  if (out_row != NULL)
    *out_row = read_row (stmt);
  return TRUE;
}

GPtrArray *
tw_store_load_enabled_rules (TwStore  *store,
                             GError  **error)
{
  g_autoptr(GPtrArray) rows = tw_store_list_rules (store, error);
  g_autoptr(GPtrArray) rules = NULL;

  if (rows == NULL)
    return NULL;
  rules = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_rule_unref);
  for (guint i = 0; i < rows->len; i++)
    {
      TwRuleRow *row = g_ptr_array_index (rows, i);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(TwRule) rule = NULL;

      if (!row->enabled)
        continue;
      rule = tw_rule_from_data (row->json, -1, &local_error);
      if (rule == NULL)
        {
          g_warning ("The stored rule ‘%s’ is skipped: %s", row->id, local_error->message);
          continue;
        }
      /* The column is what an administrator switched; the definition may
       * predate the switch. */
      if (!rule->enabled)
        {
          TwRule *enabled = tw_rule_copy_with_enabled (rule, TRUE);

          tw_rule_unref (rule);
          rule = enabled;
        }
      g_ptr_array_add (rules, g_steal_pointer (&rule));
    }
  return g_steal_pointer (&rules);
}

/* @replace FALSE keeps a rule that exists (seeding never overwrites what an
 * administrator wrote); @out_added tells whether a row was written. */
static gboolean
save_rule (TwStore       *store,
           const TwRule  *rule,
           const char    *pack,
           const char    *who,
           gboolean       replace,
           gboolean      *out_added,
           GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *json = tw_rule_to_json (rule);

  /* No UPSERT on SQLite 3.15: the subquery reads the old pack before the
   * row is replaced. */
  stmt = tw_store_prepare (store,
                           replace
                           ? "INSERT OR REPLACE INTO rules (id, pack, json, enabled, updated_at,"
                             " updated_by) VALUES (?1, coalesce (?2, (SELECT pack FROM rules"
                             " WHERE id = ?1)), ?3, ?4, ?5, ?6)"
                           : "INSERT OR IGNORE INTO rules (id, pack, json, enabled, updated_at,"
                             " updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, rule->id, -1, SQLITE_TRANSIENT);
  if (pack != NULL)
    sqlite3_bind_text (stmt, 2, pack, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_text (stmt, 3, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, rule->enabled ? 1 : 0);
  sqlite3_bind_int64 (stmt, 5, tw_time_now ());
  if (who != NULL)
    sqlite3_bind_text (stmt, 6, who, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 6);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not store a rule");
      return FALSE;
    }
  if (out_added != NULL)
    *out_added = sqlite3_changes (store->db) > 0;
  return TRUE;
}

/* Changes made by people are audited in the transaction that makes them
 * (seeding the shipped packs is not: no one chose it). @who NULL: the
 * connection's user. */
static gboolean
begin_change (TwStore  *store,
              gboolean *out_own,
              GError  **error)
{
  *out_own = !store->in_transaction;
  return !*out_own || tw_store_begin (store, error);
}

static gboolean
end_change (TwStore  *store,
            gboolean  own,
            gboolean  ok,
            GError  **error)
{
  if (!own)
    return ok;
  if (!ok)
    {
      tw_store_rollback (store);
      return FALSE;
    }
  return tw_store_commit (store, error);
}

static gboolean
audit_rule (TwStore     *store,
            const char  *who,
            const char  *id,
            const char  *detail,
            GError     **error)
{
  return tw_audit_append (store, who, TW_AUDIT_RULE_CHANGE, id, detail, error);
}

gboolean
tw_store_save_rule (TwStore       *store,
                    const TwRule  *rule,
                    const char    *who,
                    GError       **error)
{
  gboolean own;
  gboolean ok;

  g_return_val_if_fail (store != NULL && rule != NULL, FALSE);

  if (!begin_change (store, &own, error))
    return FALSE;
  ok = save_rule (store, rule, rule->pack, who, TRUE, NULL, error)
       && audit_rule (store, who, rule->id, rule->enabled ? "saved, enabled" : "saved, disabled",
                      error);
  return end_change (store, own, ok, error);
}

static gboolean
mark_seeded (TwStore  *store,
             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = tw_store_prepare (store, "INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, META_RULES_SEEDED, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, tw_time_now ());
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not note that the rules were seeded");
      return FALSE;
    }
  return TRUE;
}

gboolean
tw_store_import_rules (TwStore     *store,
                       GPtrArray   *rules,
                       const char  *pack,
                       const char  *who,
                       GError     **error)
{
  gboolean own;

  g_return_val_if_fail (store != NULL && rules != NULL, FALSE);

  own = !store->in_transaction;
  if (own && !tw_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < rules->len; i++)
    {
      const TwRule *rule = g_ptr_array_index (rules, i);
      const char *rule_pack = pack != NULL ? pack : rule->pack;
      g_autofree char *detail = g_strdup_printf ("imported%s%s, %s",
                                                 rule_pack != NULL ? " into pack " : "",
                                                 rule_pack != NULL ? rule_pack : "",
                                                 rule->enabled ? "enabled" : "disabled");

      if (!save_rule (store, rule, rule_pack, who, TRUE, NULL, error)
          || !audit_rule (store, who, rule->id, detail, error))
        {
          if (own)
            tw_store_rollback (store);
          return FALSE;
        }
    }
  return !own || tw_store_commit (store, error);
}

gboolean
tw_store_set_rule_enabled (TwStore     *store,
                           const char  *id,
                           gboolean     enabled,
                           const char  *who,
                           GError     **error)
{
  g_autoptr(TwRuleRow) row = NULL;
  g_autoptr(TwRule) rule = NULL;
  g_autoptr(TwRule) switched = NULL;
  gboolean own;
  gboolean ok;

  if (!tw_store_get_rule (store, id, &row, error))
    return FALSE;
  /* The definition is rewritten too, so an export says what runs. */
  rule = tw_rule_from_data (row->json, -1, error);
  if (rule == NULL)
    {
      g_prefix_error (error, "The stored rule ‘%s’ cannot be read: ", id);
      return FALSE;
    }
  switched = tw_rule_copy_with_enabled (rule, enabled);
  if (!begin_change (store, &own, error))
    return FALSE;
  ok = save_rule (store, switched, row->pack, who, TRUE, NULL, error)
       && audit_rule (store, who, id, enabled ? "enabled" : "disabled", error);
  return end_change (store, own, ok, error);
}

static gboolean
delete_rule (TwStore     *store,
             const char  *id,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, "DELETE FROM rules WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not delete a rule");
      return FALSE;
    }
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND, "There is no rule ‘%s’", id);
      return FALSE;
    }
  return TRUE;
}

gboolean
tw_store_delete_rule (TwStore     *store,
                      const char  *id,
                      GError     **error)
{
  gboolean own;
  gboolean ok;

  if (!begin_change (store, &own, error))
    return FALSE;
  ok = delete_rule (store, id, error) && audit_rule (store, NULL, id, "removed", error);
  return end_change (store, own, ok, error);
}

char *
tw_store_default_rules_dir (void)
{
  g_autofree char *installed = g_build_filename (PKGDATADIR, RULES_SUBDIR, NULL);

  if (g_file_test (installed, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&installed);
  /* Uninstalled runs (tests, the build tree) use the source tree's packs. */
  return g_build_filename (SOURCE_DATADIR, RULES_SUBDIR, NULL);
}

static gboolean
is_seeded (TwStore   *store,
           gboolean  *out_seeded,
           GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = tw_store_prepare (store, "SELECT 1 FROM store_meta WHERE key = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, META_RULES_SEEDED, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read whether the rules were seeded");
      return FALSE;
    }
  *out_seeded = rc == SQLITE_ROW;
  return TRUE;
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The *.json packs in @dir, in name order, as full paths. */
static GPtrArray *
list_packs (const char  *dir,
            GError     **error)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, error);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (handle == NULL)
    {
      g_prefix_error (error, "The default rule packs cannot be read: ");
      return NULL;
    }
  while ((name = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (name, PACK_SUFFIX))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (paths, compare_names);
  return g_steal_pointer (&paths);
}

/* Saves one pack file's rules; rules without a pack name are named after
 * the file ("vitals.json" → "vitals"). */
static gboolean
seed_pack (TwStore     *store,
           const char  *path,
           guint       *added,
           GError     **error)
{
  g_autoptr(GPtrArray) rules = tw_rule_pack_load (path, error);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *file_pack = g_strndup (base, strlen (base) - strlen (PACK_SUFFIX));

  if (rules == NULL)
    return FALSE;
  for (guint i = 0; i < rules->len; i++)
    {
      const TwRule *rule = g_ptr_array_index (rules, i);
      gboolean new_row = FALSE;

      if (!save_rule (store, rule, rule->pack != NULL ? rule->pack : file_pack, NULL, FALSE,
                      &new_row, error))
        return FALSE;
      *added += new_row ? 1 : 0;
    }
  return TRUE;
}

gboolean
tw_store_seed_rules (TwStore     *store,
                     const char  *rules_dir,
                     guint       *out_added,
                     GError     **error)
{
  g_autofree char *default_dir = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  gboolean seeded = FALSE;
  guint added = 0;

  g_return_val_if_fail (!store->in_transaction, FALSE);

  if (out_added != NULL)
    *out_added = 0;
  if (!is_seeded (store, &seeded, error))
    return FALSE;
  if (seeded)
    return TRUE;
  if (rules_dir == NULL)
    rules_dir = default_dir = tw_store_default_rules_dir ();
  paths = list_packs (rules_dir, error);
  if (paths == NULL)
    return FALSE;

  /* All packs or none: a broken pack leaves the store unseeded, so the
   * next start tries again once it is fixed. */
  if (!tw_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < paths->len; i++)
    if (!seed_pack (store, g_ptr_array_index (paths, i), &added, error))
      {
        tw_store_rollback (store);
        return FALSE;
      }
  if (!mark_seeded (store, error) || !tw_store_commit (store, error))
    {
      tw_store_rollback (store);
      return FALSE;
    }
  if (out_added != NULL)
    *out_added = added;
  return TRUE;
}
