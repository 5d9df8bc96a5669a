#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "tw-error.h"
#include "tw-session.h"
#include "tw-session-private.h"
#include "tw-store-private.h"

#define DATA_DIR_MODE     0700


static char *
keyslots_path_for (const char *data_dir)
{
  return g_build_filename (data_dir, TW_KEYSLOTS_FILENAME, NULL);
}

gboolean
tw_data_dir_is_initialized (const char *data_dir)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (data_dir != NULL, FALSE);
  /* The key file is written last when a store is set up: it is the mark
   * that setup finished. */
  path = keyslots_path_for (data_dir);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

char *
tw_data_dir_get_default (void)
{
  return g_build_filename (g_get_user_data_dir (), "tidewatch", NULL);
}

/**
 * tw_password_check_policy:
 * NIST SP 800-63B: length is what matters; no composition rules, any
 * Unicode, long passphrases welcome.
 */
gboolean
tw_password_check_policy (const char  *password,
                          GError     **error)
{
  glong n_chars;

  if (password == NULL || !g_utf8_validate (password, -1, NULL))
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD,
                           "The password is not valid text");
      return FALSE;
    }
  n_chars = g_utf8_strlen (password, -1);
  if (n_chars < TW_PASSWORD_MIN_CHARS)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD,
                   "The password is too short: use at least %d characters (15 or more is better;"
                   " a few unrelated words work well)", TW_PASSWORD_MIN_CHARS);
      return FALSE;
    }
  if (n_chars > TW_PASSWORD_MAX_CHARS)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD,
                   "The password is too long: use at most %d characters", TW_PASSWORD_MAX_CHARS);
      return FALSE;
    }
  return TRUE;
}

/* Every program that has the store open holds a shared lock on
 * tidewatch.inuse, so a rekey (which needs the store alone) can tell
 * whether anyone else is using it. */
static int
take_inuse_lock (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, TW_INUSE_FILENAME, NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd >= 0 && flock (fd, LOCK_SH) != 0)
    {
      close (fd);
      fd = -1;
    }
  return fd;
}

gboolean
tw_session_take_exclusive (TwSession  *self,
                           GError    **error)
{
  if (self->inuse_fd >= 0 && flock (self->inuse_fd, LOCK_EX | LOCK_NB) == 0)
    return TRUE;
  g_set_error_literal (error, TW_ERROR, TW_ERROR_IN_USE,
                       "Another Tidewatch program (the app or twctl) has the store open; close it"
                       " and try again");
  return FALSE;
}

void
tw_session_release_exclusive (TwSession *self)
{
  if (self->inuse_fd >= 0)
    flock (self->inuse_fd, LOCK_SH);
}

static TwSession *
session_new (const char *data_dir,
             const char *user,
             TwRole      role,
             TwKey      *key)
{
  TwSession *self = g_new0 (TwSession, 1);

  self->data_dir = g_strdup (data_dir);
  self->store_path = g_build_filename (data_dir, TW_STORE_FILENAME, NULL);
  self->keyslots_path = keyslots_path_for (data_dir);
  self->user = g_strdup (user);
  self->role = role;
  self->key = key;
  self->inuse_fd = take_inuse_lock (data_dir);
  self->break_glass = g_array_new (FALSE, FALSE, sizeof (gint64));
  return self;
}

void
tw_session_free (TwSession *self)
{
  if (self == NULL)
    return;
  tw_key_free (self->key);  /* wipes */
  if (self->inuse_fd >= 0)
    close (self->inuse_fd);
  g_free (self->data_dir);
  g_free (self->store_path);
  g_free (self->keyslots_path);
  g_free (self->user);
  g_free (self->audit_warning);
  g_array_unref (self->break_glass);
  g_free (self);
}

static void
remove_store_files (const char *store_path)
{
  static const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (store_path, suffixes[i], NULL);

      g_unlink (path);
    }
}

/**
 * tw_session_initialize:
 * Creates the encrypted store and its key file in @data_dir with
 * @admin_name as the first administrator, and signs that user in.
 */
TwSession *
tw_session_initialize (const char  *data_dir,
                       const char  *admin_name,
                       const char  *password,
                       TwKdfCost    cost,
                       GError     **error)
{
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwKeyslots) slots = NULL;
  g_autoptr(TwStore) store = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  if (!tw_session_check_user_name (admin_name, error) || !tw_password_check_policy (password, error))
    return NULL;
  if (tw_data_dir_is_initialized (data_dir))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_ALREADY_EXISTS,
                   "%s already holds a Tidewatch store; sign in instead", data_dir);
      return NULL;
    }
  if (g_mkdir_with_parents (data_dir, DATA_DIR_MODE) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "Could not create %s: %s",
                   data_dir, g_strerror (saved_errno));
      return NULL;
    }

  session = session_new (data_dir, admin_name, TW_ROLE_ADMIN, tw_key_new_random ());
  /* A store without a key file is unusable leftovers of a failed setup. */
  remove_store_files (session->store_path);

  store = tw_store_open (session->store_path, session->key, TRUE, error);
  if (store == NULL || !tw_store_add_user (store, admin_name, TW_ROLE_ADMIN, error))
    {
      g_clear_pointer (&store, tw_store_close);
      remove_store_files (session->store_path);
      return NULL;
    }

  slots = tw_keyslots_new (cost);
  if (!tw_keyslots_set (slots, admin_name, TW_ROLE_ADMIN, password, session->key, error)
      || !tw_keyslots_save (slots, session->keyslots_path, error))
    {
      g_clear_pointer (&store, tw_store_close);
      remove_store_files (session->store_path);
      return NULL;
    }

  return g_steal_pointer (&session);
}

/**
 * tw_session_login:
 * Unwraps the user's key slot with @password, opens the store with the key
 * and checks the user there (the store is the authority on users and
 * roles). Any mismatch is %TW_ERROR_AUTH_FAILED with the same message, so
 * the answer never tells whether the user name exists.
 */
TwSession *
tw_session_login (const char  *data_dir,
                  const char  *user,
                  const char  *password,
                  GError     **error)
{
  g_autofree char *slots_path = NULL;
  g_autoptr(TwKeyslots) slots = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(TwUserRow) row = NULL;
  g_autoptr(GError) local_error = NULL;
  TwKey *key;
  TwRole role;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (user != NULL && password != NULL, NULL);

  slots_path = keyslots_path_for (data_dir);
  slots = tw_keyslots_load (slots_path, error);
  if (slots == NULL)
    return NULL;

  key = tw_keyslots_unlock (slots, user, password, &role, error);
  if (key == NULL)
    return NULL;
  session = session_new (data_dir, user, role, key);

  store = tw_store_open (session->store_path, session->key, FALSE, error);
  if (store == NULL)
    return NULL;
  if (!tw_store_get_user (store, user, &row, &local_error))
    {
      if (g_error_matches (local_error, TW_ERROR, TW_ERROR_NOT_FOUND))
        g_set_error_literal (error, TW_ERROR, TW_ERROR_AUTH_FAILED, "Wrong user name or password");
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (row->disabled)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED,
                   "The account ‘%s’ is disabled; ask an administrator to enable it", user);
      return NULL;
    }
  if (row->role != role)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "The key file and the store disagree about the role of ‘%s’; an administrator"
                   " must check both files", user);
      return NULL;
    }
  session->must_change = row->must_change_password;
  return g_steal_pointer (&session);
}

const char *
tw_session_get_user (TwSession *self)
{
  return self->user;
}

TwRole
tw_session_get_role (TwSession *self)
{
  return self->role;
}

const char *
tw_session_get_data_dir (TwSession *self)
{
  return self->data_dir;
}

const char *
tw_session_get_store_path (TwSession *self)
{
  return self->store_path;
}

gboolean
tw_session_can (TwSession    *self,
                TwPermission  permission)
{
  return tw_role_can (self->role, permission);
}

/* The connection reads with the session's role: what it may see of
 * patients' identity is decided in the store, not by callers. */
TwStore *
tw_session_open_store (TwSession  *self,
                       GError    **error)
{
  TwStore *store;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->key == NULL)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                           "The session is locked; unlock it first");
      return NULL;
    }
  if (self->must_change)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_PASSWORD_EXPIRED,
                           "Your password was reset: choose a new one first (in the app, or"
                           " with `twctl passwd`)");
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

TwKey *
tw_session_dup_key (TwSession *self)
{
  return self->key != NULL ? tw_key_copy (self->key) : NULL;
}

gboolean
tw_session_must_change_password (TwSession *self)
{
  return self->must_change;
}

