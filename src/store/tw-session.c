#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-session.h"
#include "tw-session-private.h"
#include "tw-session-signin.h"
#include "tw-store-private.h"

#define DATA_DIR_MODE     0700
#define WRONG_NAME_OR_PASSWORD "Wrong user name or password"


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
 * NIST SP 800-63B (tw-password.h): length, the blocklist; no composition
 * rules.
 */
gboolean
tw_password_check_policy (const char  *password,
                          GError     **error)
{
  return tw_password_check (password, NULL, error);
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
  /* Grants end with the sign-out; closing them needs the key. */
  tw_session_scope_close_all (self);
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

/* A sign-in log left by an earlier store in this directory would count
 * its failures against the new store's users. */
static void
remove_lockout_log (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, TW_LOCKOUT_FILENAME, NULL);

  g_unlink (path);
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

  if (!tw_session_check_user_name (admin_name, error)
      || !tw_password_check (password, admin_name, error))
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
  remove_lockout_log (data_dir);

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

void
tw_session_wipe_stack (void)
{
  sodium_stackzero (TW_SESSION_WIPE_STACK_BYTES);
}

void
tw_session_load_policy (const char      *data_dir,
                        TwLockoutPolicy *out_policy)
{
  g_autoptr(GError) error = NULL;

  /* A damaged security.json must not lock everyone out: the defaults
   * apply (and are strict). */
  if (!tw_lockout_policy_load (data_dir, out_policy, &error))
    g_warning ("%s", error->message);
}

TwKey *
tw_session_authenticate (const char  *data_dir,
                         const char  *user,
                         const char  *password,
                         TwRole      *out_role,
                         gint64      *out_attempt,
                         GError     **error)
{
  g_autofree char *slots_path = keyslots_path_for (data_dir);
  g_autoptr(TwKeyslots) slots = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *counted_as = NULL;
  TwLockoutPolicy policy;
  TwLockoutState state;
  TwKey *key;

  tw_session_load_policy (data_dir, &policy);
  slots = tw_keyslots_load (slots_path, error);
  if (slots == NULL)
    return NULL;
  /* Before Argon2id: a locked-out name costs the attacker nothing, and
   * costs us nothing either. A name with no account is counted under a
   * hash (it may be a password typed into the wrong field); what the
   * user is told is the same for every name. */
  counted_as = tw_lockout_count_name (user, tw_keyslots_has_user (slots, user),
                                      tw_keyslots_get_store_id (slots));
  if (!tw_lockout_begin_attempt_as (data_dir, user, counted_as, &policy, out_attempt, error))
    return NULL;

  key = tw_keyslots_unlock (slots, user, password, out_role, &local_error);
  tw_session_wipe_stack ();
  if (key != NULL)
    return key;
  if (!g_error_matches (local_error, TW_ERROR, TW_ERROR_AUTH_FAILED))
    {
      /* A damaged key file is not a guess. */
      tw_lockout_record_refused (data_dir, counted_as, *out_attempt, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!tw_lockout_record_failure (data_dir, counted_as, *out_attempt, &policy, &state, error))
    return NULL;
  tw_lockout_set_failure_error (error, user, &state, &policy);
  return NULL;
}

/* The connection for the session's own records; the key goes to
 * SQLCipher, which leaves it in stack frames of its own. */
TwStore *
tw_session_connect (TwSession  *self,
                    GError    **error)
{
  TwStore *store;

  g_assert (self->key != NULL);
  store = tw_store_open (self->store_path, self->key, FALSE, error);
  tw_session_wipe_stack ();
  if (store != NULL)
    {
      tw_store_set_role (store, self->role);
      tw_store_set_user (store, self->user);
      tw_store_set_sidecar (store, self->keyslots_path);
    }
  return store;
}

gboolean
tw_session_check_account (TwSession  *self,
                          TwStore    *store,
                          TwRole      slot_role,
                          GError    **error)
{
  g_autoptr(TwUserRow) row = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!tw_store_get_user (store, self->user, &row, &local_error))
    {
      if (g_error_matches (local_error, TW_ERROR, TW_ERROR_NOT_FOUND))
        g_set_error_literal (error, TW_ERROR, TW_ERROR_AUTH_FAILED, WRONG_NAME_OR_PASSWORD);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (row->disabled)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED,
                   "The account ‘%s’ is disabled; ask an administrator to enable it", self->user);
      return FALSE;
    }
  if (row->role != slot_role)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "The key file and the store disagree about the role of ‘%s’; an administrator"
                   " must check both files", self->user);
      return FALSE;
    }
  self->must_change = row->must_change_password;
  return TRUE;
}

/**
 * tw_session_login:
 * Checks the lockout, unwraps the user's key slot with @password, opens
 * the store with the key and checks the user there (the store is the
 * authority on users and roles). A wrong password and an unknown name get
 * the same answer (%TW_ERROR_AUTH_FAILED, counted alike), so it never
 * tells whether the name exists; too many make it %TW_ERROR_LOCKED_OUT.
 * On success the failures since the last sign-in go to the audit trail
 * with a "login" row (tw_session_finish_sign_in()).
 */
TwSession *
tw_session_login (const char  *data_dir,
                  const char  *user,
                  const char  *password,
                  GError     **error)
{
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  gint64 attempt = 0;
  TwKey *key;
  TwRole role;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (user != NULL && password != NULL, NULL);

  /* No account can have such a name: nothing to guess, nothing to count. */
  if (!tw_session_check_user_name (user, NULL))
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_AUTH_FAILED, WRONG_NAME_OR_PASSWORD);
      return NULL;
    }

  key = tw_session_authenticate (data_dir, user, password, &role, &attempt, error);
  if (key == NULL)
    return NULL;
  session = session_new (data_dir, user, role, key);

  store = tw_session_connect (session, error);
  if (store == NULL || !tw_session_check_account (session, store, role, error))
    {
      /* The password was right: not a guess. */
      tw_lockout_record_refused (data_dir, user, attempt, NULL);
      return NULL;
    }
  if (!tw_session_finish_sign_in (session, store, attempt, TW_AUDIT_LOGIN, error))
    return NULL;
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
  return tw_session_connect (self, error);
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

