/*
 * Locking a session: the key is gone (nothing opens the store), the user
 * and role stay for the lock screen; unlocking goes through the same door
 * as signing in (a wrong password counts, a locked-out account stays
 * shut, a disabled one too) and re-runs the sign-in checks; login, lock
 * and unlock are on the audit trail in the order they happened.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-lockout.h"
#include "tw-session.h"
#include "tw-test-store.h"

#define ADMIN          "root"
#define USER           "otto"
#define PASSWORD       "correct horse battery staple"
#define WRONG_PASSWORD "incorrect horse battery staple"

typedef struct
{
  char      *dir;
  char      *data_dir;
  TwSession *admin;
  TwSession *user;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  policy_json)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("tw-session-lock-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  f->admin = tw_session_initialize (f->data_dir, ADMIN, PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);
  g_assert_true (tw_session_add_user (f->admin, USER, TW_ROLE_OPERATOR, PASSWORD, &error));
  g_assert_no_error (error);
  if (policy_json != NULL)
    {
      g_autofree char *path = g_build_filename (f->data_dir, TW_SECURITY_FILENAME, NULL);
      g_autofree char *text = g_strdup_printf ("{\"lockout\": %s}\n",
                                               (const char *) policy_json);

      g_file_set_contents (path, text, -1, &error);
      g_assert_no_error (error);
    }
  f->user = tw_session_login (f->data_dir, USER, PASSWORD, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->user, tw_session_free);
  g_clear_pointer (&f->admin, tw_session_free);
  tw_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->data_dir);
}

static guint
failures_of (Fixture    *f,
             const char *user)
{
  g_autoptr(GError) error = NULL;
  TwLockoutPolicy policy;
  TwLockoutState state;

  g_assert_true (tw_lockout_policy_load (f->data_dir, &policy, &error));
  g_assert_true (tw_lockout_get_state (f->data_dir, user, &policy, &state, &error));
  g_assert_no_error (error);
  return state.failures;
}

static void
assert_store_opens (TwSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (session, &error);
  g_autoptr(GPtrArray) sources = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (store);
  sources = tw_store_list_sources (store, &error);
  g_assert_no_error (error);
}

static void
assert_store_refused (TwSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (session, &error);

  g_assert_null (store);
  g_assert_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "locked"));
}

static void
test_lock_wipes_key (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TwKey) copy = NULL;

  assert_store_opens (f->user);
  g_assert_false (tw_session_is_locked (f->user));

  tw_session_lock (f->user);
  g_assert_true (tw_session_is_locked (f->user));
  assert_store_refused (f->user);
  copy = tw_session_dup_key (f->user);
  g_assert_null (copy);
  /* What the lock screen shows. */
  g_assert_cmpstr (tw_session_get_user (f->user), ==, USER);
  g_assert_cmpint (tw_session_get_role (f->user), ==, TW_ROLE_OPERATOR);

  /* Locking twice is harmless (idle and Ctrl+L may both fire). */
  tw_session_lock (f->user);
  g_assert_true (tw_session_is_locked (f->user));
}

static void
test_unlock (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  tw_session_lock (f->user);
  g_assert_false (tw_session_unlock (f->user, WRONG_PASSWORD, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED);
  g_clear_error (&error);
  g_assert_true (tw_session_is_locked (f->user));
  assert_store_refused (f->user);
  g_assert_cmpuint (failures_of (f, USER), ==, 1);

  g_assert_true (tw_session_unlock (f->user, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_false (tw_session_is_locked (f->user));
  assert_store_opens (f->user);
  g_assert_cmpuint (failures_of (f, USER), ==, 0);
}

/* login, lock, the failed unlock (imported at the good one), unlock. */
static void
test_audit_order (Fixture       *f,
                  gconstpointer  data)
{
  static const char *expected[] = {
    TW_AUDIT_LOGIN, TW_AUDIT_LOCK, TW_AUDIT_LOGIN_FAILED, TW_AUDIT_UNLOCK, NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GStrvBuilder) actions = g_strv_builder_new ();
  g_auto(GStrv) got = NULL;
  TwAuditFilter filter = { .actor = USER };

  tw_session_lock (f->user);
  g_assert_false (tw_session_unlock (f->user, WRONG_PASSWORD, NULL));
  g_assert_true (tw_session_unlock (f->user, PASSWORD, &error));
  g_assert_no_error (error);

  store = tw_session_open_store (f->admin, &error);
  g_assert_no_error (error);
  rows = tw_audit_list (store, &filter, &error);
  g_assert_no_error (error);
  /* Newest first. */
  for (guint i = rows->len; i > 0; i--)
    g_strv_builder_add (actions, ((TwAuditRow *) g_ptr_array_index (rows, i - 1))->action);
  got = g_strv_builder_end (actions);
  g_assert_cmpstrv (got, expected);
}

#define TWO_TRIES_POLICY \
  "{\"max_failures\": 2, \"free_failures\": 2, \"base_delay_s\": 0, \"max_delay_s\": 0}"

static void
test_unlock_locked_out (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  tw_session_lock (f->user);
  g_assert_false (tw_session_unlock (f->user, WRONG_PASSWORD, NULL));
  g_assert_false (tw_session_unlock (f->user, WRONG_PASSWORD, &error));
  g_assert_nonnull (strstr (error->message, "now locked"));
  g_clear_error (&error);

  g_assert_false (tw_session_unlock (f->user, PASSWORD, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  g_assert_true (tw_session_is_locked (f->user));

  g_assert_true (tw_lockout_unlock (f->data_dir, USER, ADMIN, &error));
  g_assert_true (tw_session_unlock (f->user, PASSWORD, &error));
  g_assert_no_error (error);
}

/* An admin disabled the account while its session was locked. */
static void
test_unlock_disabled (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = NULL;

  tw_session_lock (f->user);
  store = tw_session_open_store (f->admin, &error);
  g_assert_no_error (error);
  g_assert_true (tw_store_exec (store, "UPDATE users SET disabled = 1 WHERE name = '" USER "'",
                                &error));
  g_assert_no_error (error);

  g_assert_false (tw_session_unlock (f->user, PASSWORD, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "disabled"));
  g_assert_true (tw_session_is_locked (f->user));
  assert_store_refused (f->user);
  /* The right password is not a guess. */
  g_assert_cmpuint (failures_of (f, USER), ==, 0);
}

/* The checks of a sign-in run again: an admin hears of a sign-in log
 * edited while the screen was locked. */
static void
test_unlock_rechecks (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log_path = g_build_filename (f->data_dir, TW_LOCKOUT_FILENAME, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GString) edited = NULL;

  g_assert_null (tw_session_get_audit_warning (f->admin));
  tw_session_lock (f->admin);
  g_file_get_contents (log_path, &text, NULL, &error);
  g_assert_no_error (error);
  edited = g_string_new (text);
  g_assert_cmpuint (g_string_replace (edited, "\"user\":\"otto\"", "\"user\":\"eve\"", 1), ==, 1);
  g_file_set_contents (log_path, edited->str, -1, &error);
  g_assert_no_error (error);

  g_assert_true (tw_session_unlock (f->admin, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_nonnull (tw_session_get_audit_warning (f->admin));
  g_assert_nonnull (strstr (tw_session_get_audit_warning (f->admin), "was edited"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/session-lock/lock-wipes-key", Fixture, NULL, fixture_setup,
              test_lock_wipes_key, fixture_teardown);
  g_test_add ("/session-lock/unlock", Fixture, NULL, fixture_setup, test_unlock,
              fixture_teardown);
  g_test_add ("/session-lock/audit-order", Fixture, NULL, fixture_setup, test_audit_order,
              fixture_teardown);
  g_test_add ("/session-lock/unlock-locked-out", Fixture, TWO_TRIES_POLICY, fixture_setup,
              test_unlock_locked_out, fixture_teardown);
  g_test_add ("/session-lock/unlock-disabled", Fixture, NULL, fixture_setup,
              test_unlock_disabled, fixture_teardown);
  g_test_add ("/session-lock/unlock-rechecks", Fixture, NULL, fixture_setup,
              test_unlock_rechecks, fixture_teardown);
  return g_test_run ();
}
