#include "tw-error.h"
#include "tw-session-private.h"
#include "tw-store-private.h"

/* Accounts: adding, passwords, listing (issue 6: disabling, one-time
 * passwords, roles, removal with a rekey). */

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
      || !tw_session_check_user_name (name, error) || !tw_password_check_policy (password, error))
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
      || !tw_keyslots_set (slots, name, role, password, self->key, error)
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
  g_autoptr(TwKeyslots) slots = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(TwUserRow) row = NULL;

  if (!g_str_equal (name, self->user)
      && !tw_session_require (self, TW_PERM_MANAGE_USERS, "Changing another user's password", error))
    return FALSE;
  if (!tw_password_check_policy (password, error))
    return FALSE;

  store = tw_session_open_store (self, error);
  if (store == NULL || !tw_store_get_user (store, name, &row, error))
    return FALSE;
  slots = tw_keyslots_load (self->keyslots_path, error);
  if (slots == NULL)
    return FALSE;
  /* Only the slot is re-wrapped; the database key stays the same. */
  return tw_keyslots_set (slots, name, row->role, password, self->key, error)
         && tw_keyslots_save (slots, self->keyslots_path, error);
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
