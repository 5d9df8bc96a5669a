#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-session-signin.h"
#include "tw-store-private.h"
#include "tw-time.h"

/* What runs at every sign-in and unlock once the password was right (the
 * failed attempts since the last one into the audit trail, the sign-in
 * log anchored and checked, the audit check for admins), and the lock. */

#define LOCKOUT_ANCHOR_KEY "lockout_head"
#define SYSTEM_ACTOR       "system"

static gboolean
read_anchor (TwStore        *store,
             TwLockoutHead  *out_anchor,
             gboolean       *out_found,
             GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *out_found = FALSE;
  stmt = tw_store_prepare (store, "SELECT value FROM store_meta WHERE key = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, LOCKOUT_ANCHOR_KEY, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the sign-in log's anchor");
      return FALSE;
    }
  /* Only the store's key can change the anchor: a value that does not
   * parse is treated as none (and the log re-anchored). */
  *out_found = tw_lockout_head_from_string ((const char *) sqlite3_column_text (stmt, 0),
                                            out_anchor);
  return TRUE;
}

static gboolean
write_anchor (TwStore              *store,
              const TwLockoutHead  *head,
              GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *text = tw_lockout_head_to_string (head);

  stmt = tw_store_prepare (store, "INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, LOCKOUT_ANCHOR_KEY, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, text, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not anchor the sign-in log");
      return FALSE;
    }
  return TRUE;
}

/* Each failed attempt becomes a "login-failed" row by the name that was
 * typed (it may name no account), with the time it happened. */
static gboolean
import_failures (TwStore                *store,
                 GPtrArray              *failures,
                 const TwLockoutPolicy  *policy,
                 GError                **error)
{
  for (guint i = 0; i < failures->len; i++)
    {
      TwLockoutFailure *failure = g_ptr_array_index (failures, i);
      g_autofree char *when = tw_time_format_iso8601 (failure->at);
      g_autofree char *detail = NULL;

      /* A name with no account is kept as a hash (tw_lockout_count_name()). */
      detail = g_strdup_printf ("%s%s at %s", failure->interrupted
                                ? "no answer recorded (the program stopped during the check)"
                                : "wrong user name or password",
                                g_str_has_prefix (failure->user, "?")
                                ? ", a name with no account" : "", when);
      if (!tw_audit_append (store, failure->user, TW_AUDIT_LOGIN_FAILED, failure->user, detail,
                            error))
        return FALSE;
      if (failure->locked_account)
        {
          g_autofree char *locked = g_strdup_printf ("after %u failed sign-ins, at %s",
                                                     policy->max_failures, when);

          if (!tw_audit_append (store, SYSTEM_ACTOR, TW_AUDIT_ACCOUNT_LOCKED, failure->user,
                                locked, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* Tampering recorded at other users' sign-ins since @user's last one:
 * an admin hears of it even when someone else's sign-in found it. */
static char *
earlier_tampering (TwStore     *store,
                   const char  *user,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *times = NULL;
  gint64 n;
  int rc;

  stmt = tw_store_prepare (store,
                           "SELECT COUNT(*), (SELECT detail FROM audit WHERE action = ?1"
                           "   AND seq > t.since ORDER BY seq DESC LIMIT 1)"
                           " FROM audit, (SELECT COALESCE(MAX(seq), 0) AS since FROM audit"
                           "   WHERE actor = ?2 AND action IN (?3, ?4)) AS t"
                           " WHERE action = ?1 AND seq > t.since", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, TW_AUDIT_TAMPER, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, user, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, TW_AUDIT_LOGIN, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, TW_AUDIT_UNLOCK, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the audit trail");
      return NULL;
    }
  n = sqlite3_column_int64 (stmt, 0);
  if (n == 0)
    return g_strdup ("");
  times = n == 1 ? g_strdup ("once") : g_strdup_printf ("%" G_GINT64_FORMAT " times", n);
  return g_strdup_printf ("Tampering was recorded %s since your last sign-in (latest: %s); see"
                          " the audit trail.", times, (const char *) sqlite3_column_text (stmt, 1));
}

static void
add_warning (GString    *warning,
             const char *sentence)
{
  if (sentence == NULL || *sentence == '\0')
    return;
  if (warning->len > 0)
    g_string_append_c (warning, ' ');
  g_string_append (warning, sentence);
  if (!g_str_has_suffix (sentence, "."))
    g_string_append_c (warning, '.');
}

/* The audit check (tw-audit-verify.c) after the new rows are in, so a
 * problem it reports is one nobody has heard of yet. */
static void
verify_audit (TwSession *self,
              TwStore   *store,
              GString   *warning)
{
  g_autoptr(GError) error = NULL;
  TwAuditReport report = { 0 };

  if (!tw_audit_verify (store, self->keyslots_path, &report, &error))
    {
      g_autofree char *sentence = g_strdup_printf ("The audit trail could not be checked: %s",
                                                   error->message);

      add_warning (warning, sentence);
      return;
    }
  if (report.problem != TW_AUDIT_INTACT)
    add_warning (warning, report.message);
  tw_audit_report_clear (&report);
}

gboolean
tw_session_finish_sign_in (TwSession   *self,
                           TwStore     *store,
                           gint64       attempt,
                           const char  *action,
                           GError     **error)
{
  g_autoptr(GPtrArray) failures = NULL;
  g_autoptr(GString) warning = g_string_new (NULL);
  g_autofree char *problem = NULL;
  g_autofree char *earlier = NULL;
  TwLockoutPolicy policy;
  TwLockoutHead anchor;
  TwLockoutHead head;
  gboolean have_anchor = FALSE;
  gboolean is_admin = tw_session_can (self, TW_PERM_READ_AUDIT);
  const char *program = g_get_prgname ();
  g_autofree char *detail = program != NULL ? g_strdup_printf ("via %s", program) : NULL;

  g_clear_pointer (&self->audit_warning, g_free);
  if (!tw_lockout_record_success (self->data_dir, self->user, attempt, error))
    return FALSE;
  tw_session_load_policy (self->data_dir, &policy);

  /* One transaction: two programs signing in at once import each failure
   * once, and the anchor only moves with the rows it accounts for. */
  if (!tw_store_begin (store, error))
    return FALSE;
  if (!read_anchor (store, &anchor, &have_anchor, error)
      || (is_admin && (earlier = earlier_tampering (store, self->user, error)) == NULL)
      || !tw_lockout_review (self->data_dir, have_anchor ? &anchor : NULL, &policy, &failures,
                             &head, &problem, error)
      || !import_failures (store, failures, &policy, error)
      || (problem != NULL
          && !tw_audit_append (store, SYSTEM_ACTOR, TW_AUDIT_TAMPER, TW_LOCKOUT_FILENAME, problem,
                               error))
      || !write_anchor (store, &head, error)
      || !tw_audit_append (store, NULL, action, self->user, detail, error)
      || !tw_store_commit (store, error))
    {
      if (store->in_transaction)
        tw_store_rollback (store);
      return FALSE;
    }

  if (!is_admin)
    return TRUE;
  add_warning (warning, problem);
  add_warning (warning, earlier);
  verify_audit (self, store, warning);
  if (warning->len > 0)
    self->audit_warning = g_string_free (g_steal_pointer (&warning), FALSE);
  return TRUE;
}

/**
 * tw_session_lock:
 * Audits the lock while the key still opens the store, then wipes the
 * key. The caller has closed its connections and dropped its copies
 * (readers, the pipeline's) first: this cannot reach them.
 */
void
tw_session_lock (TwSession *self)
{
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL);
  if (self->key == NULL)
    return;
  store = tw_session_connect (self, &error);
  if (store == NULL || !tw_audit_append (store, NULL, TW_AUDIT_LOCK, self->user, NULL, &error))
    g_warning ("The lock of %s's session was not audited: %s", self->user, error->message);
  /* SQLCipher wipes its copy of the key when the connection closes. */
  g_clear_pointer (&store, tw_store_close);
  g_clear_pointer (&self->key, tw_key_free);
  g_clear_pointer (&self->audit_warning, g_free);
  tw_session_wipe_stack ();
}

gboolean
tw_session_is_locked (TwSession *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->key == NULL;
}

static gboolean
stay_locked (TwSession  *self,
             TwRole      role,
             TwStore   **store)
{
  g_clear_pointer (store, tw_store_close);
  g_clear_pointer (&self->key, tw_key_free);
  self->role = role;
  tw_session_wipe_stack ();
  return FALSE;
}

/**
 * tw_session_unlock:
 * The session's user signs in again: the same lockout, the same checks as
 * tw_session_login() (an admin may have disabled the account, changed its
 * role or rekeyed the store meanwhile: the session takes what the store
 * says now), audited as "unlock".
 */
gboolean
tw_session_unlock (TwSession   *self,
                   const char  *password,
                   GError     **error)
{
  g_autoptr(TwStore) store = NULL;
  TwRole locked_role;
  TwRole role;
  gint64 attempt = 0;

  g_return_val_if_fail (self != NULL && password != NULL, FALSE);
  if (self->key != NULL)
    return TRUE;

  self->key = tw_session_authenticate (self->data_dir, self->user, password, &role, &attempt,
                                       error);
  if (self->key == NULL)
    return FALSE;
  locked_role = self->role;
  self->role = role;
  store = tw_session_connect (self, error);
  if (store == NULL || !tw_session_check_account (self, store, role, error))
    {
      tw_lockout_record_refused (self->data_dir, self->user, attempt, NULL);
      return stay_locked (self, locked_role, &store);
    }
  if (!tw_session_finish_sign_in (self, store, attempt, TW_AUDIT_UNLOCK, error))
    return stay_locked (self, locked_role, &store);
  return TRUE;
}

const char *
tw_session_get_audit_warning (TwSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->audit_warning;
}
