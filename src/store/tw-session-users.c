#include "tw-audit.h"
#include "tw-error.h"
#include "tw-lockout.h"
#include "tw-session-private.h"
#include "tw-session-signin.h"
#include "tw-store-private.h"
#include "tw-store-rekey.h"

/* Accounts: adding, passwords, disabling, one-time passwords, roles and
 * removal with a rekey. The store is the authority on users and roles;
 * the key file carries what opens the key. Every change is audited with
 * the session's user as the actor, in the transaction of the change. */

gboolean
tw_session_check_user_name (const char  *name,
                            GError     **error)
{
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL)
      || g_utf8_strlen (name, -1) > TW_USER_NAME_MAX)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "A user name must be 1 to %d characters long", TW_USER_NAME_MAX);
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || g_unichar_isspace (c))
        {
          g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                               "A user name cannot contain spaces or control characters");
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
tw_session_require (TwSession     *self,
                    TwPermission   permission,
                    const char    *what,
                    GError       **error)
{
  if (tw_session_can (self, permission))
    return TRUE;
  g_set_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
               "%s is not allowed for the role %s; ask an administrator", what,
               tw_role_to_string (self->role));
  return FALSE;
}

/* An admin acting on their own account could lock everyone out (the last
 * administrator disabled, demoted or removed); another admin must do it. */
static gboolean
require_other_user (TwSession   *self,
                    const char  *name,
                    const char  *what,
                    GError     **error)
{
  if (!g_str_equal (name, self->user))
    return TRUE;
  g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
               "You cannot %s your own account; another administrator must do it", what);
  return FALSE;
}

/* Like tw_session_open_store() but also while the password must change:
 * changing it is what that state is for. */
static TwStore *
open_store_for_password (TwSession  *self,
                         GError    **error)
{
  TwStore *store;

  if (self->key == NULL)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                           "The session is locked; unlock it first");
      return NULL;
    }
  store = tw_store_open (self->store_path, self->key, FALSE, error);
  if (store != NULL)
    {
      tw_store_set_role (store, self->role);
      tw_store_set_user (store, self->user);
      tw_store_set_sidecar (store, self->keyslots_path);
    }
  return store;
}

/* UPDATE users SET @column = @value for @name; %TW_ERROR_NOT_FOUND when
 * there is no such user. @column is one of ours, never input. */
static gboolean
set_user_column (TwStore     *store,
                 const char  *name,
                 const char  *column,
                 const char  *text_value,
                 gint64       int_value,
                 GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE users SET %s = ? WHERE name = ?", column);
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  if (text_value != NULL)
    sqlite3_bind_text (stmt, 1, text_value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, int_value);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not change the user");
      return FALSE;
    }
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND, "There is no user named ‘%s’", name);
      return FALSE;
    }
  return TRUE;
}

gboolean
tw_session_add_user (TwSession   *self,
                     const char  *name,
                     TwRole       role,
                     const char  *password,
                     GError     **error)
{
  g_autoptr(TwKeyslots) slots = NULL;
  g_autoptr(TwStore) store = NULL;

  if (!tw_session_require (self, TW_PERM_MANAGE_USERS, "Adding users", error)
      || !tw_session_check_user_name (name, error) || !tw_password_check (password, name, error))
    return FALSE;

  slots = tw_keyslots_load (self->keyslots_path, error);
  if (slots == NULL)
    return FALSE;
  if (tw_keyslots_has_user (slots, name))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_ALREADY_EXISTS, "A user named ‘%s’ exists already",
                   name);
      return FALSE;
    }

  store = tw_session_open_store (self, error);
  if (store == NULL || !tw_store_begin (store, error))
    return FALSE;
  /* The key file is saved before the store commits: a failure in between
   * leaves a slot that cannot sign in (no user row), never a user without
   * a slot who would be locked out. */
  if (!tw_store_add_user (store, name, role, error)
      || !tw_audit_append (store, NULL, TW_AUDIT_USER_ADD, name, tw_role_to_string (role), error)
      || !tw_keyslots_set (slots, name, role, password, self->key, error)
      || !tw_keyslots_save (slots, self->keyslots_path, error)
      || !tw_store_commit (store, error))
    {
      tw_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

/* Gives @name a new slot for @password (a new key pair: an admin does not
 * know the old password) and sets the must-change flag to @must_change. */
static gboolean
replace_password (TwSession   *self,
                  const char  *name,
                  const char  *password,
                  gboolean     must_change,
                  const char  *action,
                  const char  *detail,
                  GError     **error)
{
  g_autoptr(TwKeyslots) slots = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(TwUserRow) row = NULL;

  store = tw_session_open_store (self, error);
  if (store == NULL || !tw_store_get_user (store, name, &row, error))
    return FALSE;
  slots = tw_keyslots_load (self->keyslots_path, error);
  if (slots == NULL || !tw_store_begin (store, error))
    return FALSE;
  /* Only the slot changes; the database key stays the same. */
  if (!set_user_column (store, name, "must_change_password", NULL, must_change, error)
      || !tw_audit_append (store, NULL, action, name, detail, error)
      || !tw_keyslots_set (slots, name, row->role, password, self->key, error)
      || !tw_keyslots_save (slots, self->keyslots_path, error)
      || !tw_store_commit (store, error))
    {
      tw_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

gboolean
tw_session_set_password (TwSession   *self,
                         const char  *name,
                         const char  *password,
                         GError     **error)
{
  if (!g_str_equal (name, self->user)
      && !tw_session_require (self, TW_PERM_MANAGE_USERS, "Changing another user's password", error))
    return FALSE;
  if (!tw_password_check (password, name, error))
    return FALSE;
  return replace_password (self, name, password, FALSE, TW_AUDIT_PASSWORD_CHANGE,
                           g_str_equal (name, self->user) ? "own password" : "set by an administrator",
                           error);
}

GPtrArray *
tw_session_list_users (TwSession  *self,
                       GError    **error)
{
  g_autoptr(TwStore) store = NULL;

  if (!tw_session_require (self, TW_PERM_MANAGE_USERS, "Listing users", error))
    return NULL;
  store = tw_session_open_store (self, error);
  if (store == NULL)
    return NULL;
  return tw_store_list_users (store, error);
}

/* The old password is a guess like any sign-in: the same lockout counts
 * it, so a session left open cannot be used to try passwords unlimited. */
static gboolean
rewrap_counted (TwSession   *self,
                TwKeyslots  *slots,
                const char  *old_password,
                const char  *new_password,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  TwLockoutPolicy policy;
  TwLockoutState state;
  gint64 attempt = 0;

  tw_session_load_policy (self->data_dir, &policy);
  if (!tw_lockout_begin_attempt (self->data_dir, self->user, &policy, &attempt, error))
    return FALSE;
  if (tw_keyslots_change_password (slots, self->user, old_password, new_password, &local_error))
    {
      tw_session_wipe_stack ();
      return tw_lockout_record_success (self->data_dir, self->user, attempt, error);
    }
  tw_session_wipe_stack ();
  if (!g_error_matches (local_error, TW_ERROR, TW_ERROR_AUTH_FAILED))
    {
      tw_lockout_record_refused (self->data_dir, self->user, attempt, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!tw_lockout_record_failure (self->data_dir, self->user, attempt, &policy, &state, error))
    return FALSE;
  tw_lockout_set_failure_error (error, self->user, &state, &policy);
  return FALSE;
}

gboolean
tw_session_change_password (TwSession   *self,
                            const char  *old_password,
                            const char  *new_password,
                            GError     **error)
{
  g_autoptr(TwKeyslots) slots = NULL;
  g_autoptr(TwStore) store = NULL;

  g_return_val_if_fail (self != NULL && old_password != NULL && new_password != NULL, FALSE);

  if (!tw_password_check (new_password, self->user, error))
    return FALSE;
  if (g_str_equal (old_password, new_password))
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD,
                           "The new password is the current one; choose another");
      return FALSE;
    }
  store = open_store_for_password (self, error);
  if (store == NULL)
    return FALSE;
  slots = tw_keyslots_load (self->keyslots_path, error);
  if (slots == NULL || !tw_store_begin (store, error))
    return FALSE;
  /* Argon2id checks the old password inside; only this slot's secret key
   * is re-wrapped, the sealed database key stays. */
  if (!set_user_column (store, self->user, "must_change_password", NULL, 0, error)
      || !tw_audit_append (store, NULL, TW_AUDIT_PASSWORD_CHANGE, self->user,
                           self->must_change ? "one-time password replaced" : "own password",
                           error)
      || !rewrap_counted (self, slots, old_password, new_password, error)
      || !tw_keyslots_save (slots, self->keyslots_path, error)
      || !tw_store_commit (store, error))
    {
      tw_store_rollback (store);
      return FALSE;
    }
  self->must_change = FALSE;
  return TRUE;
}

gboolean
tw_session_set_user_disabled (TwSession   *self,
                              const char  *name,
                              gboolean     disabled,
                              GError     **error)
{
  g_autoptr(TwStore) store = NULL;

  if (!tw_session_require (self, TW_PERM_MANAGE_USERS,
                           disabled ? "Disabling users" : "Enabling users", error)
      || !require_other_user (self, name, disabled ? "disable" : "enable", error))
    return FALSE;
  store = tw_session_open_store (self, error);
  if (store == NULL || !tw_store_begin (store, error))
    return FALSE;
  if (!set_user_column (store, name, "disabled", NULL, disabled ? 1 : 0, error)
      || !tw_audit_append (store, NULL, disabled ? TW_AUDIT_USER_DISABLE : TW_AUDIT_USER_ENABLE,
                           name, NULL, error)
      || !tw_store_commit (store, error))
    {
      tw_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

char *
tw_session_reset_password (TwSession   *self,
                           const char  *name,
                           GError     **error)
{
  char *password;

  if (!tw_session_require (self, TW_PERM_MANAGE_USERS, "Resetting passwords", error)
      || !require_other_user (self, name, "reset the password of", error))
    return NULL;
  password = tw_password_generate_one_time ();
  if (!replace_password (self, name, password, TRUE, TW_AUDIT_USER_RESET,
                         "one-time password issued", error))
    {
      tw_password_free (password);
      return NULL;
    }
  return password;
}

gboolean
tw_session_set_user_role (TwSession   *self,
                          const char  *name,
                          TwRole       role,
                          GError     **error)
{
  g_autoptr(TwKeyslots) slots = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(TwUserRow) row = NULL;
  g_autofree char *detail = NULL;

  if (!tw_session_require (self, TW_PERM_MANAGE_USERS, "Changing roles", error)
      || !require_other_user (self, name, "change the role of", error))
    return FALSE;
  store = tw_session_open_store (self, error);
  if (store == NULL || !tw_store_get_user (store, name, &row, error))
    return FALSE;
  if (row->role == role)
    return TRUE;
  slots = tw_keyslots_load (self->keyslots_path, error);
  if (slots == NULL)
    return FALSE;
  /* The role is bound to the sealed key: re-sealing needs only the
   * database key, not the user's password (legacy slots excepted). */
  if (!tw_keyslots_grant (slots, name, role, self->key, error))
    return FALSE;

  detail = g_strdup_printf ("%s → %s", tw_role_to_string (row->role), tw_role_to_string (role));
  if (!tw_store_begin (store, error))
    return FALSE;
  if (!set_user_column (store, name, "role", tw_role_to_string (role), 0, error)
      || !tw_audit_append (store, NULL, TW_AUDIT_USER_ROLE, name, detail, error)
      || !tw_keyslots_save (slots, self->keyslots_path, error))
    {
      tw_store_rollback (store);
      return FALSE;
    }
  if (!tw_store_commit (store, error))
    {
      /* The key file already says the new role: seal the old one back, so
       * the store and the key file agree again. */
      if (tw_keyslots_grant (slots, name, row->role, self->key, NULL))
        tw_keyslots_save (slots, self->keyslots_path, NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
tw_session_unlock_user (TwSession   *self,
                        const char  *name,
                        GError     **error)
{
  g_autoptr(TwStore) store = NULL;
  g_autoptr(TwUserRow) row = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!tw_session_require (self, TW_PERM_MANAGE_USERS, "Unlocking accounts", error))
    return FALSE;
  store = tw_session_open_store (self, error);
  if (store == NULL)
    return FALSE;
  /* Unknown names are counted too (the lockout never tells which names
   * exist), so an admin may clear one that names no account. */
  if (!tw_store_get_user (store, name, &row, &local_error)
      && !g_error_matches (local_error, TW_ERROR, TW_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return tw_lockout_unlock (self->data_dir, name, self->user, error)
         && tw_audit_append (store, NULL, TW_AUDIT_ACCOUNT_UNLOCKED, name, NULL, error);
}

/* ---- removal and rekey -------------------------------------------------- */

typedef struct
{
  TwKeyslots  *slots;
  const TwKey *new_key;
  const char  *keyslots_path;
} StageData;

/* Step 2 of tw_store_rekey(): new grants beside the old ones. */
static gboolean
stage_grants (const char  *pending_path,
              gpointer     user_data,
              GError     **error)
{
  StageData *data = user_data;

  return tw_keyslots_stage_rekey (data->slots, data->new_key, pending_path, error)
         && tw_keyslots_save (data->slots, data->keyslots_path, error);
}

static gboolean
refuse_legacy_slots (TwKeyslots  *slots,
                     const char  *removed,
                     GError     **error)
{
  g_auto(GStrv) legacy = tw_keyslots_list_legacy (slots);
  g_autoptr(GPtrArray) others = g_ptr_array_new ();

  for (guint i = 0; legacy[i] != NULL; i++)
    if (!g_str_equal (legacy[i], removed))
      g_ptr_array_add (others, legacy[i]);
  if (others->len == 0)
    return TRUE;
  g_ptr_array_add (others, NULL);
  {
    g_autofree char *names = g_strjoinv (", ", (char **) others->pdata);

    g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                 "Removing a user re-encrypts the store, and the key slots of %s are of the old"
                 " kind that cannot take a new key without their passwords: they must sign in"
                 " once first (that upgrades them). Nothing was changed", names);
  }
  return FALSE;
}

/* The user row, their wards and the audit row, under the old key. */
static gboolean
delete_user_row (TwSession   *self,
                 const char  *name,
                 gboolean     has_slot,
                 GError     **error)
{
  g_autoptr(TwStore) store = tw_session_open_store (self, error);
  g_autoptr(TwUserRow) row = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(sqlite3_stmt) wards = NULL;
  g_autoptr(sqlite3_stmt) user = NULL;

  if (store == NULL)
    return FALSE;
  if (!tw_store_get_user (store, name, &row, &local_error))
    {
      /* A slot without a row: a removal interrupted before its rekey;
       * finish it. */
      if (has_slot && g_error_matches (local_error, TW_ERROR, TW_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  wards = tw_store_prepare (store, "DELETE FROM user_wards WHERE user = ?", error);
  user = wards != NULL ? tw_store_prepare (store, "DELETE FROM users WHERE name = ?", error) : NULL;
  if (user == NULL || !tw_store_begin (store, error))
    return FALSE;
  sqlite3_bind_text (wards, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (user, 1, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (wards) != SQLITE_DONE || sqlite3_step (user) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not remove the user");
      tw_store_rollback (store);
      return FALSE;
    }
  if (!tw_audit_append (store, NULL, TW_AUDIT_USER_REMOVE, name, tw_role_to_string (row->role),
                        error)
      || !tw_store_commit (store, error))
    {
      tw_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

static gboolean
remove_and_rekey (TwSession   *self,
                  TwKeyslots  *slots,
                  const char  *name,
                  GError     **error)
{
  g_autoptr(TwKey) new_key = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *detail = NULL;
  StageData stage = { slots, NULL, self->keyslots_path };

  if (!delete_user_row (self, name, tw_keyslots_has_user (slots, name), error))
    return FALSE;
  /* The slot goes first, in a save of its own: from here on the removed
   * user's password opens nothing, even if the rekey fails. The save also
   * clears what an interrupted rekey may have left in the file. */
  tw_keyslots_remove (slots, name);
  if (!tw_keyslots_save (slots, self->keyslots_path, error))
    return FALSE;

  new_key = tw_key_new_random ();
  stage.new_key = new_key;
  if (!tw_store_rekey (self->store_path, self->key, new_key, stage_grants, &stage, &local_error))
    {
      g_set_error (error, TW_ERROR, local_error->code,
                   "‘%s’ was removed, but the store could not be re-encrypted: %s", name,
                   local_error->message);
      return FALSE;
    }
  /* The store file is the new one now; the file's pending marker would
   * resolve to the new grants anyway (tw-keyslots-file.c), so a failed
   * save here only leaves the old grants in the file a little longer. */
  tw_keyslots_finish_rekey (slots);
  if (!tw_keyslots_save (slots, self->keyslots_path, &local_error))
    g_warning ("The key file keeps the grants of the old key for now: %s", local_error->message);

  tw_key_free (self->key);
  self->key = g_steal_pointer (&new_key);

  detail = g_strdup_printf ("after removing %s", name);
  store = tw_session_open_store (self, error);
  return store != NULL && tw_audit_append (store, NULL, TW_AUDIT_STORE_REKEY, NULL, detail, error);
}

gboolean
tw_session_remove_user (TwSession   *self,
                        const char  *name,
                        GError     **error)
{
  g_autoptr(TwKeyslots) slots = NULL;
  gboolean ok;

  if (!tw_session_require (self, TW_PERM_MANAGE_USERS, "Removing users", error)
      || !require_other_user (self, name, "remove", error))
    return FALSE;
  slots = tw_keyslots_load (self->keyslots_path, error);
  if (slots == NULL || !refuse_legacy_slots (slots, name, error)
      || !tw_session_take_exclusive (self, error))
    return FALSE;
  if (!tw_store_rekey_check_closed (self->store_path, error))
    {
      tw_session_release_exclusive (self);
      return FALSE;
    }
  ok = remove_and_rekey (self, slots, name, error);
  tw_session_release_exclusive (self);
  return ok;
}
