#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-store-clinical.h"
#include "tw-store-private.h"
#include "tw-store-scope.h"
#include "tw-time.h"

/* Ward scope and emergency access (issue 6). The rule lives in one SQL
 * condition (scope_condition()): list reads paste it into their WHERE,
 * single-entity reads ask it for one id (tw_store_check_entity_scope(),
 * called by tw_store_resolve_entity()). Everything is read live from
 * user_wards and break_glass, so a grant opened or closed on another
 * connection (the app's dialog, twctl) counts at the next read. */

#define ALL_WARDS        "*"
#define WARD_NAME_MAX    64
#define REASON_MIN_CHARS TW_BREAK_GLASS_REASON_MIN

void
tw_break_glass_row_free (TwBreakGlassRow *row)
{
  if (row == NULL)
    return;
  g_free (row->user);
  g_free (row->patient);
  g_free (row->ward);
  g_free (row->reason);
  g_free (row->reviewed_by);
  g_free (row->review_note);
  g_free (row);
}

/* Only clinicians are scoped, and only when a person reads: the engine's
 * and other bare connections have no user. */
static gboolean
is_scoped (TwStore *store)
{
  return store->user != NULL && tw_store_get_role (store) == TW_ROLE_CLINICIAN;
}

static gint64
grant_cutoff (void)
{
  return tw_time_now () - TW_BREAK_GLASS_MAX_HOURS * TW_USEC_PER_HOUR;
}

/* Patients of the user's wards ("*": all), patients with an open grant
 * younger than the limit, and every entity that is not a patient (stores,
 * instruments: not on wards). Never NULL (a patient without a ward is 0,
 * not unknown), so callers may negate it. The user name is quoted by
 * sqlite3_mprintf's %Q. */
static char *
scope_condition (const char *user,
                 const char *alias)
{
  char *sql = sqlite3_mprintf (
    "coalesce ((%s.kind <> 'patient'"
    " OR EXISTS (SELECT 1 FROM user_wards w WHERE w.user = %Q"
    "  AND (w.ward = '" ALL_WARDS "' OR w.ward = %s.grp))"
    " OR EXISTS (SELECT 1 FROM break_glass b WHERE b.user = %Q AND b.entity_id = %s.id"
    "  AND b.closed_at IS NULL AND b.opened_at > %lld)), 0)",
    alias, user, alias, user, alias, (long long) grant_cutoff ());
  char *copy = g_strdup (sql);

  sqlite3_free (sql);
  return copy;
}

char *
tw_store_scope_sql (TwStore    *store,
                    const char *entity_alias)
{
  g_return_val_if_fail (store != NULL && entity_alias != NULL, NULL);

  if (!is_scoped (store))
    return g_strdup ("1");
  return scope_condition (store->user, entity_alias);
}

static char *
out_of_scope_message (const char *key)
{
  return g_strdup_printf ("%s is not on your wards. To open this patient's record in an "
                          "emergency, use Emergency Access (Ctrl+Shift+E in the app, `twctl "
                          "break-glass open` here) and give a reason: it is recorded and "
                          "reviewed.", key);
}

gboolean
tw_store_check_entity_scope (TwStore  *store,
                             gint64    entity_id,
                             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *condition = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *message = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!is_scoped (store))
    return TRUE;
  condition = scope_condition (store->user, "e");
  sql = g_strdup_printf ("SELECT %s, e.key FROM entities e WHERE e.id = ?", condition);
  stmt = tw_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entity_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;  /* no such entity: the read finds nothing either */
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not check your wards");
      return FALSE;
    }
  if (sqlite3_column_int (stmt, 0) != 0)
    return TRUE;
  message = out_of_scope_message ((const char *) sqlite3_column_text (stmt, 1));
  g_set_error_literal (error, TW_ERROR, TW_ERROR_OUT_OF_SCOPE, message);
  return FALSE;
}

/* ---- wards of users ---------------------------------------------------- */

static gboolean
require_role (TwStore       *store,
              TwPermission   permission,
              const char    *what,
              GError       **error)
{
  if (tw_role_can (tw_store_get_role (store), permission))
    return TRUE;
  g_set_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
               "%s is not allowed for the role %s", what,
               tw_role_to_string (tw_store_get_role (store)));
  return FALSE;
}

static const char *
column (sqlite3_stmt *stmt,
        int           i)
{
  return (const char *) sqlite3_column_text (stmt, i);
}

static GStrv
collect_strings (TwStore       *store,
                 sqlite3_stmt  *stmt,
                 const char    *what,
                 GError       **error)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (strings, g_strdup (column (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, what);
      return NULL;
    }
  g_ptr_array_add (strings, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&strings), FALSE);
}

/**
 * tw_store_get_user_wards:
 * The wards assigned to @user, sorted ("*" stands for all wards). An
 * administrator may ask for anyone, a user for themselves.
 *
 * Returns: (transfer full): the wards, empty when none; %NULL with @error
 */
GStrv
tw_store_get_user_wards (TwStore     *store,
                         const char  *user,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL && user != NULL, NULL);

  if (g_strcmp0 (store->user, user) != 0
      && !require_role (store, TW_PERM_MANAGE_USERS, "Reading another user's wards", error))
    return NULL;
  stmt = tw_store_prepare (store, "SELECT ward FROM user_wards WHERE user = ? ORDER BY ward",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, user, -1, SQLITE_TRANSIENT);
  return collect_strings (store, stmt, "Could not read the user's wards", error);
}

/* Trimmed, without duplicates, in the order given; "*" alone if present
 * (all wards include every other). */
static GPtrArray *
clean_wards (const char * const  *wards,
             GError             **error)
{
  g_autoptr(GPtrArray) clean = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; wards != NULL && wards[i] != NULL; i++)
    {
      g_autofree char *ward = g_strstrip (g_strdup (wards[i]));

      if (*ward == '\0' || !g_utf8_validate (ward, -1, NULL)
          || g_utf8_strlen (ward, -1) > WARD_NAME_MAX)
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "A ward name must be 1 to %d characters long", WARD_NAME_MAX);
          return NULL;
        }
      if (g_str_equal (ward, ALL_WARDS))
        {
          g_ptr_array_set_size (clean, 0);
          g_ptr_array_add (clean, g_steal_pointer (&ward));
          break;
        }
      if (!g_ptr_array_find_with_equal_func (clean, ward, g_str_equal, NULL))
        g_ptr_array_add (clean, g_steal_pointer (&ward));
    }
  return g_steal_pointer (&clean);
}

static char *
describe_wards (GPtrArray *wards)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (wards->len == 0)
    return g_strdup ("none");
  if (wards->len == 1 && g_str_equal (wards->pdata[0], ALL_WARDS))
    return g_strdup ("all wards");
  for (guint i = 0; i < wards->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", (const char *) wards->pdata[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * tw_store_set_user_wards:
 * @wards: (nullable): the new wards; empty or %NULL: none, "*": all
 *
 * Replaces @user's wards (administrators only). Audited.
 */
gboolean
tw_store_set_user_wards (TwStore             *store,
                         const char          *user,
                         const char * const  *wards,
                         GError             **error)
{
  g_autoptr(GPtrArray) clean = NULL;
  g_autoptr(TwUserRow) row = NULL;
  g_autoptr(sqlite3_stmt) remove = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (store != NULL && user != NULL, FALSE);

  if (!require_role (store, TW_PERM_MANAGE_USERS, "Assigning wards", error))
    return FALSE;
  clean = clean_wards (wards, error);
  if (clean == NULL || !tw_store_get_user (store, user, &row, error))
    return FALSE;

  remove = tw_store_prepare (store, "DELETE FROM user_wards WHERE user = ?", error);
  insert = tw_store_prepare (store, "INSERT INTO user_wards (user, ward) VALUES (?, ?)", error);
  if (remove == NULL || insert == NULL || !tw_store_begin (store, error))
    return FALSE;
  sqlite3_bind_text (remove, 1, user, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (remove) != SQLITE_DONE)
    goto failed;
  for (guint i = 0; i < clean->len; i++)
    {
      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, user, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, clean->pdata[i], -1, SQLITE_TRANSIENT);
      if (sqlite3_step (insert) != SQLITE_DONE)
        goto failed;
    }
  detail = describe_wards (clean);
  if (!tw_audit_append (store, NULL, TW_AUDIT_USER_WARDS, user, detail, error)
      || !tw_store_commit (store, error))
    {
      tw_store_rollback (store);
      return FALSE;
    }
  return TRUE;

failed:
  tw_store_set_error (store, error, "Could not save the user's wards");
  tw_store_rollback (store);
  return FALSE;
}

/* ---- emergency access -------------------------------------------------- */

/* The patient a clinician names at the bedside: key, MRN, pseudonym or
 * bed, unscoped (that is the point). More than one match is refused
 * rather than guessed. */
static gint64
find_patient (TwStore     *store,
              const char  *patient,
              char       **out_key,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 id;
  int rc;

  /* A key names one patient even when it is also another's bed or MRN:
   * an exact key comes first and wins. */
  stmt = tw_store_prepare (store,
                           "SELECT id, key FROM entities WHERE kind = 'patient'"
                           " AND (key = ?1 OR pseudonym = ?1 OR mrn = ?1 OR location = ?1)"
                           " ORDER BY key = ?1 DESC LIMIT 2", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, patient, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND,
                   "No patient has the key, MRN, pseudonym or bed ‘%s’", patient);
      return -1;
    }
  if (rc != SQLITE_ROW)
    goto failed;
  id = sqlite3_column_int64 (stmt, 0);
  *out_key = g_strdup (column (stmt, 1));
  if (g_str_equal (*out_key, patient))
    return id;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return id;
  g_clear_pointer (out_key, g_free);
  if (rc != SQLITE_ROW)
    goto failed;
  g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
               "‘%s’ names more than one patient; give the patient's key or MRN", patient);
  return -1;

failed:
  tw_store_set_error (store, error, "Could not look up the patient");
  return -1;
}

/* In the user's wards, grants aside. */
static gboolean
on_own_wards (TwStore  *store,
              gint64    entity_id,
              gboolean *out_on,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = tw_store_prepare (store,
                           "SELECT EXISTS (SELECT 1 FROM entities e JOIN user_wards w"
                           " ON w.user = ?2 AND (w.ward = '" ALL_WARDS "' OR w.ward = e.grp)"
                           " WHERE e.id = ?1)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entity_id);
  sqlite3_bind_text (stmt, 2, store->user, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not check your wards");
      return FALSE;
    }
  *out_on = sqlite3_column_int (stmt, 0) != 0;
  return TRUE;
}

/**
 * tw_store_open_break_glass:
 * @patient: the patient's key, MRN, pseudonym or bed
 * @reason: why (at least %TW_BREAK_GLASS_REASON_MIN characters once
 *   trimmed): recorded in the audit trail and shown to the reviewer
 *
 * Opens @patient for the connection's user until the grant is closed or
 * %TW_BREAK_GLASS_MAX_HOURS have passed. Clinicians only, for patients
 * outside their wards.
 *
 * Returns: the grant's id, 0 with @error set
 */
gint64
tw_store_open_break_glass (TwStore     *store,
                           const char  *patient,
                           const char  *reason,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *why = NULL;
  g_autofree char *detail = NULL;
  gboolean on_wards = FALSE;
  gint64 entity_id, id;

  g_return_val_if_fail (store != NULL, 0);

  if (!require_role (store, TW_PERM_BREAK_GLASS, "Emergency access", error))
    return 0;
  if (store->user == NULL)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                           "Emergency access needs a signed-in user");
      return 0;
    }
  why = g_strstrip (g_strdup (reason != NULL ? reason : ""));
  if (!g_utf8_validate (why, -1, NULL) || g_utf8_strlen (why, -1) < REASON_MIN_CHARS)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "Say why you need this patient's record (at least %d characters): the "
                   "reason is recorded and reviewed by an administrator", REASON_MIN_CHARS);
      return 0;
    }
  if (patient == NULL || *patient == '\0')
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                           "Name the patient: key, MRN or bed");
      return 0;
    }
  entity_id = find_patient (store, patient, &key, error);
  if (entity_id < 0 || !on_own_wards (store, entity_id, &on_wards, error))
    return 0;
  if (on_wards)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "%s is on your wards; no emergency access is needed", key);
      return 0;
    }

  insert = tw_store_prepare (store,
                             "INSERT INTO break_glass (user, entity_id, reason, opened_at)"
                             " VALUES (?, ?, ?, ?)", error);
  if (insert == NULL || !tw_store_begin (store, error))
    return 0;
  sqlite3_bind_text (insert, 1, store->user, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 2, entity_id);
  sqlite3_bind_text (insert, 3, why, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 4, tw_time_now ());
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not record the emergency access");
      tw_store_rollback (store);
      return 0;
    }
  id = sqlite3_last_insert_rowid (store->db);
  detail = g_strdup_printf ("grant %" G_GINT64_FORMAT ": %s", id, why);
  if (!tw_audit_append_patient (store, NULL, TW_AUDIT_BREAK_GLASS, key, detail, error)
      || !tw_store_commit (store, error))
    {
      tw_store_rollback (store);
      return 0;
    }
  return id;
}

typedef struct
{
  char   *user;
  char   *key;
  gint64  closed_at;
  char   *reviewed_by;
} GrantFacts;

static void
grant_facts_clear (GrantFacts *facts)
{
  g_clear_pointer (&facts->user, g_free);
  g_clear_pointer (&facts->key, g_free);
  g_clear_pointer (&facts->reviewed_by, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GrantFacts, grant_facts_clear)

static gboolean
read_grant (TwStore     *store,
            gint64       grant_id,
            GrantFacts  *out,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = tw_store_prepare (store,
                           "SELECT b.user, e.key, coalesce (b.closed_at, 0), b.reviewed_by"
                           " FROM break_glass b JOIN entities e ON e.id = b.entity_id"
                           " WHERE b.id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, grant_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND,
                   "There is no emergency access %" G_GINT64_FORMAT, grant_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the emergency access");
      return FALSE;
    }
  out->user = g_strdup (column (stmt, 0));
  out->key = g_strdup (column (stmt, 1));
  out->closed_at = sqlite3_column_int64 (stmt, 2);
  out->reviewed_by = g_strdup (column (stmt, 3));
  return TRUE;
}

/* One UPDATE of grant ?2 and its audit row, committed together. The
 * statement may use ?1 (now), ?3 (@text) and ?4 (the connection's user);
 * binding a parameter it does not use is a harmless SQLITE_RANGE. */
static gboolean
update_grant (TwStore     *store,
              const char  *sql,
              gint64       grant_id,
              const char  *text,
              const char  *action,
              const char  *key,
              const char  *detail,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, sql, error);

  if (stmt == NULL || !tw_store_begin (store, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, tw_time_now ());
  sqlite3_bind_int64 (stmt, 2, grant_id);
  sqlite3_bind_text (stmt, 3, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, store->user, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not update the emergency access");
      tw_store_rollback (store);
      return FALSE;
    }
  if (!tw_audit_append_patient (store, NULL, action, key, detail, error)
      || !tw_store_commit (store, error))
    {
      tw_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

/**
 * tw_store_close_break_glass:
 * Ends a grant: its holder's, or any for an administrator. Audited.
 */
gboolean
tw_store_close_break_glass (TwStore  *store,
                            gint64    grant_id,
                            GError  **error)
{
  g_auto(GrantFacts) facts = { 0 };
  g_autofree char *detail = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!read_grant (store, grant_id, &facts, error))
    return FALSE;
  if (g_strcmp0 (facts.user, store->user) != 0
      && !require_role (store, TW_PERM_MANAGE_USERS, "Closing another user's emergency access",
                        error))
    return FALSE;
  if (facts.closed_at != 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "Emergency access %" G_GINT64_FORMAT " is closed already", grant_id);
      return FALSE;
    }
  detail = g_strdup_printf ("grant %" G_GINT64_FORMAT, grant_id);
  return update_grant (store,
                       "UPDATE break_glass SET closed_at = ?1 WHERE id = ?2 AND closed_at IS NULL",
                       grant_id, NULL, TW_AUDIT_BREAK_GLASS_CLOSE, facts.key, detail, error);
}

/**
 * tw_store_list_break_glass:
 * Grants, newest first: all of them for administrators (the review), the
 * user's own for a clinician. A grant past its time limit shows that time
 * as @closed_at. The patient is the key for clinicians and the pseudonym
 * for administrators (masked).
 *
 * Returns: (transfer full) (element-type TwBreakGlassRow): the grants, or
 *   %NULL with @error
 */
GPtrArray *
tw_store_list_break_glass (TwStore   *store,
                           gboolean   unreviewed_only,
                           GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tw_break_glass_row_free);
  gboolean all = tw_role_can (tw_store_get_role (store), TW_PERM_MANAGE_USERS);
  gboolean masked = tw_store_masks_identity (store);
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!all && (store->user == NULL
               || !tw_role_can (tw_store_get_role (store), TW_PERM_BREAK_GLASS)))
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                           "Emergency access is listed for administrators (all of it) and for "
                           "clinicians (their own)");
      return NULL;
    }
  stmt = tw_store_prepare (store,
                           "SELECT b.id, b.user, e.key, e.pseudonym, e.grp, b.reason, b.opened_at,"
                           " CASE WHEN b.closed_at IS NOT NULL THEN b.closed_at"
                           "  WHEN b.opened_at <= ?3 THEN b.opened_at + ?4 ELSE 0 END,"
                           " b.reviewed_by, coalesce (b.reviewed_at, 0), b.review_note"
                           " FROM break_glass b JOIN entities e ON e.id = b.entity_id"
                           " WHERE (?1 IS NULL OR b.user = ?1) AND (?2 = 0 OR b.reviewed_by IS NULL)"
                           " ORDER BY b.opened_at DESC, b.id DESC", error);
  if (stmt == NULL)
    return NULL;
  if (!all)
    sqlite3_bind_text (stmt, 1, store->user, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, unreviewed_only ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, grant_cutoff ());
  sqlite3_bind_int64 (stmt, 4, TW_BREAK_GLASS_MAX_HOURS * TW_USEC_PER_HOUR);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwBreakGlassRow *row = g_new0 (TwBreakGlassRow, 1);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->user = g_strdup (column (stmt, 1));
      row->patient = g_strdup (column (stmt, masked ? 3 : 2));
      row->ward = g_strdup (column (stmt, 4));
      row->reason = g_strdup (column (stmt, 5));
      row->opened_at = sqlite3_column_int64 (stmt, 6);
      row->closed_at = sqlite3_column_int64 (stmt, 7);
      row->reviewed_by = g_strdup (column (stmt, 8));
      row->reviewed_at = sqlite3_column_int64 (stmt, 9);
      row->review_note = g_strdup (column (stmt, 10));
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not list the emergency access");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/**
 * tw_store_review_break_glass:
 * @note: (nullable): what the reviewer found
 *
 * An administrator marks a grant reviewed, once. Audited.
 */
gboolean
tw_store_review_break_glass (TwStore     *store,
                             gint64       grant_id,
                             const char  *note,
                             GError     **error)
{
  g_auto(GrantFacts) facts = { 0 };
  g_autofree char *clean_note = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!require_role (store, TW_PERM_MANAGE_USERS, "Reviewing emergency access", error))
    return FALSE;
  if (store->user == NULL)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                           "A review needs a signed-in administrator");
      return FALSE;
    }
  if (!read_grant (store, grant_id, &facts, error))
    return FALSE;
  if (facts.reviewed_by != NULL)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "Emergency access %" G_GINT64_FORMAT " was reviewed already by %s", grant_id,
                   facts.reviewed_by);
      return FALSE;
    }
  clean_note = note != NULL ? g_strstrip (g_strdup (note)) : NULL;
  if (clean_note != NULL && *clean_note == '\0')
    g_clear_pointer (&clean_note, g_free);

  detail = clean_note != NULL
           ? g_strdup_printf ("grant %" G_GINT64_FORMAT ": %s", grant_id, clean_note)
           : g_strdup_printf ("grant %" G_GINT64_FORMAT, grant_id);
  return update_grant (store,
                       "UPDATE break_glass SET reviewed_at = ?1, review_note = ?3,"
                       " reviewed_by = ?4 WHERE id = ?2 AND reviewed_by IS NULL",
                       grant_id, clean_note, TW_AUDIT_BREAK_GLASS_REVIEW, facts.key, detail,
                       error);
}

/* ---- record views ------------------------------------------------------ */

/**
 * tw_store_audit_record_view:
 * A signed-in user read one patient's record (summary or timeline):
 * audited once per connection and patient, so paging through a record
 * does not flood the trail. Bare connections (no user) record nothing.
 */
gboolean
tw_store_audit_record_view (TwStore     *store,
                            gint64       entity_id,
                            const char  *entity_key,
                            GError     **error)
{
  g_return_val_if_fail (store != NULL && entity_key != NULL, FALSE);

  if (store->user == NULL)
    return TRUE;
  if (store->record_views == NULL)
    store->record_views = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  if (g_hash_table_contains (store->record_views, &entity_id))
    return TRUE;
  if (!tw_audit_append_patient (store, NULL, TW_AUDIT_RECORD_VIEW, entity_key, NULL, error))
    return FALSE;
  g_hash_table_add (store->record_views, g_memdup2 (&entity_id, sizeof entity_id));
  return TRUE;
}
