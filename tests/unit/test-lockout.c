/*
 * Failed sign-ins as a user meets them: the wait grows, the account locks
 * at the limit and stays locked for the right password until an admin
 * unlocks it, unknown names get the same answers, and an edited,
 * truncated, deleted or reset sign-in log is reported at the next
 * successful sign-in.
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
#define POLL_US        (20 * 1000)

typedef struct
{
  char *dir;
  char *data_dir;
  char *log_path;
} Fixture;

static void
write_policy (Fixture    *f,
              const char *lockout_json)
{
  g_autofree char *path = g_build_filename (f->data_dir, TW_SECURITY_FILENAME, NULL);
  g_autofree char *text = g_strdup_printf ("{\"lockout\": %s}\n", lockout_json);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
setup (Fixture    *f,
       const char *policy_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) admin = NULL;

  f->dir = g_dir_make_tmp ("tw-lockout-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  f->log_path = g_build_filename (f->data_dir, TW_LOCKOUT_FILENAME, NULL);
  admin = tw_session_initialize (f->data_dir, ADMIN, PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);
  g_assert_true (tw_session_add_user (admin, USER, TW_ROLE_OPERATOR, PASSWORD, &error));
  g_assert_no_error (error);
  if (policy_json != NULL)
    write_policy (f, policy_json);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  policy_json)
{
  setup (f, policy_json);
}

/* The default policy (no wait before the third failure). */
static void
fixture_setup_default (Fixture       *f,
                       gconstpointer  data)
{
  setup (f, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tw_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->data_dir);
  g_free (f->log_path);
}

/* The error of a sign-in that must fail. */
static GError *
refused (Fixture    *f,
         const char *user,
         const char *password)
{
  GError *error = NULL;
  TwSession *session = tw_session_login (f->data_dir, user, password, &error);

  g_assert_null (session);
  g_assert_nonnull (error);
  return error;
}

static void
fail_once (Fixture    *f,
           const char *user)
{
  g_autoptr(GError) error = refused (f, user, WRONG_PASSWORD);

  g_assert_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED);
}

static TwSession *
sign_in (Fixture    *f,
         const char *user)
{
  g_autoptr(GError) error = NULL;
  TwSession *session = tw_session_login (f->data_dir, user, PASSWORD, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

static TwLockoutState
state_of (Fixture    *f,
          const char *user)
{
  g_autoptr(GError) error = NULL;
  TwLockoutPolicy policy;
  TwLockoutState state;

  g_assert_true (tw_lockout_policy_load (f->data_dir, &policy, &error));
  g_assert_no_error (error);
  g_assert_true (tw_lockout_get_state (f->data_dir, user, &policy, &state, &error));
  g_assert_no_error (error);
  return state;
}

static void
wait_until (gint64 wall_us)
{
  while (g_get_real_time () < wall_us)
    g_usleep (POLL_US);
}

static void
assert_message (const GError *error,
                int           code,
                const char   *words)
{
  g_assert_error ((GError *) error, TW_ERROR, code);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
}

/* ---- back-off and lockout ---------------------------------------------- */

#define GROWING_POLICY \
  "{\"max_failures\": 5, \"free_failures\": 2, \"base_delay_s\": 1, \"max_delay_s\": 3}"

static void
test_back_off_grows_then_locks (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) locked = NULL;
  TwLockoutPolicy policy;
  TwLockoutState state;

  error = refused (f, USER, WRONG_PASSWORD);
  assert_message (error, TW_ERROR_AUTH_FAILED, "1 try left before a 1 s wait");
  g_clear_error (&error);

  error = refused (f, USER, WRONG_PASSWORD);
  assert_message (error, TW_ERROR_AUTH_FAILED, "Wait 1 s before the next try");
  g_clear_error (&error);
  state = state_of (f, USER);
  g_assert_cmpuint (state.failures, ==, 2);
  g_assert_cmpint (state.retry_at - state.last_failure, ==, 1 * G_USEC_PER_SEC);

  /* While waiting even the right password is refused, before Argon2id,
   * and the refusal is not a guess. */
  error = refused (f, USER, PASSWORD);
  assert_message (error, TW_ERROR_LOCKED_OUT, "wait 1 s before trying again");
  g_clear_error (&error);
  g_assert_cmpuint (state_of (f, USER).failures, ==, 2);

  wait_until (state.retry_at);
  error = refused (f, USER, WRONG_PASSWORD);
  assert_message (error, TW_ERROR_AUTH_FAILED, "Wait 2 s before the next try");
  g_clear_error (&error);
  state = state_of (f, USER);
  g_assert_cmpint (state.retry_at - state.last_failure, ==, 2 * G_USEC_PER_SEC);

  /* max_delay_s caps the doubling (4 s). */
  wait_until (state.retry_at);
  error = refused (f, USER, WRONG_PASSWORD);
  assert_message (error, TW_ERROR_AUTH_FAILED, "Wait 3 s before the next try (1 more failure"
                  " locks the account");
  g_clear_error (&error);
  state = state_of (f, USER);
  g_assert_cmpint (state.retry_at - state.last_failure, ==, 3 * G_USEC_PER_SEC);

  wait_until (state.retry_at);
  error = refused (f, USER, WRONG_PASSWORD);
  assert_message (error, TW_ERROR_AUTH_FAILED, "‘otto’ is now locked after 5 failed sign-ins");
  g_clear_error (&error);

  /* Locked: no wait ends it, the right password does not open it. */
  state = state_of (f, USER);
  g_assert_true (state.locked);
  g_assert_cmpint (state.retry_at, ==, 0);
  error = refused (f, USER, PASSWORD);
  assert_message (error, TW_ERROR_LOCKED_OUT, "an administrator must unlock it (`twctl user"
                  " unlock otto` or the Users page)");
  g_clear_error (&error);

  g_assert_true (tw_lockout_policy_load (f->data_dir, &policy, &error));
  locked = tw_lockout_list_locked (f->data_dir, &policy, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (locked, ((const char * const[]) { USER, NULL }));
}

#define NO_WAIT_POLICY \
  "{\"max_failures\": 3, \"free_failures\": 3, \"base_delay_s\": 0, \"max_delay_s\": 0}"

static void
test_unlock_resets (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_auto(GStrv) locked = NULL;
  TwLockoutPolicy policy;

  for (guint i = 0; i < 3; i++)
    fail_once (f, USER);
  error = refused (f, USER, PASSWORD);
  g_assert_error (error, TW_ERROR, TW_ERROR_LOCKED_OUT);
  g_clear_error (&error);

  g_assert_true (tw_lockout_unlock (f->data_dir, USER, ADMIN, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (state_of (f, USER).failures, ==, 0);
  g_assert_false (state_of (f, USER).locked);
  g_assert_true (tw_lockout_policy_load (f->data_dir, &policy, &error));
  locked = tw_lockout_list_locked (f->data_dir, &policy, &error);
  g_assert_cmpuint (g_strv_length (locked), ==, 0);

  session = sign_in (f, USER);

  /* The count starts again from zero: the full allowance, not one. */
  error = refused (f, USER, WRONG_PASSWORD);
  assert_message (error, TW_ERROR_AUTH_FAILED, "(2 tries left before the account is locked)");
}

static void
test_success_resets (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TwSession) session = NULL;

  for (guint i = 0; i < 2; i++)
    fail_once (f, USER);
  g_assert_cmpuint (state_of (f, USER).failures, ==, 2);
  session = sign_in (f, USER);
  g_assert_cmpuint (state_of (f, USER).failures, ==, 0);
}

/* A name that has no account gets word for word the answers a real one
 * gets, and is locked the same way. */
static void
test_unknown_names_counted (Fixture       *f,
                            gconstpointer  data)
{
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GError) real = refused (f, USER, WRONG_PASSWORD);
      g_autoptr(GError) unknown = refused (f, "nobody", WRONG_PASSWORD);
      g_autoptr(GString) real_text = g_string_new (real->message);

      g_string_replace (real_text, USER, "nobody", 0);
      g_assert_cmpint (real->code, ==, unknown->code);
      g_assert_cmpstr (real_text->str, ==, unknown->message);
      /* The limit is 3: the fourth try is refused before the password. */
      g_assert_cmpint (real->code, ==, i < 3 ? TW_ERROR_AUTH_FAILED : TW_ERROR_LOCKED_OUT);
    }
  /* What was typed as a name may be a password: it is not kept in clear. */
  {
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (f->log_path, &text, NULL, NULL));
    g_assert_null (strstr (text, "nobody"));
    g_assert_nonnull (strstr (text, USER));
  }
}

#define COMPACT_POLICY \
  "{\"max_failures\": 100, \"free_failures\": 100, \"base_delay_s\": 0, \"max_delay_s\": 0," \
  " \"compact_after_events\": 16}"
#define COMPACT_AFTER 16

static guint count_rows (TwSession *admin, const char *action, const char *actor);

static guint
log_lines (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint lines = 0;

  g_file_get_contents (f->log_path, &text, NULL, &error);
  g_assert_no_error (error);
  for (const char *p = text; *p != '\0'; p++)
    lines += *p == '\n';
  return lines;
}

/* A long log is cut down to what still counts: the count, the anchor and
 * the audit trail do not notice. */
static void
test_compaction_keeps_the_count (Fixture       *f,
                                 gconstpointer  data)
{
  guint max_lines = 0;
  guint lines = 0;
  guint dropped_to = 0;

  for (guint i = 0; i < 3; i++)
    fail_once (f, USER);
  for (guint i = 0; i < COMPACT_AFTER; i++)
    {
      g_autoptr(TwSession) admin = sign_in (f, ADMIN);

      g_assert_null (tw_session_get_audit_warning (admin));
      g_assert_cmpuint (count_rows (admin, TW_AUDIT_LOGIN_FAILED, USER), ==, 3);
      if (log_lines (f) < lines)
        dropped_to = log_lines (f);
      lines = log_lines (f);
      max_lines = MAX (max_lines, lines);
    }
  g_assert_cmpuint (max_lines, <=, COMPACT_AFTER + 2);
  /* Cut to otto's 3 attempts and the last event. */
  g_assert_cmpuint (dropped_to, ==, 4);
  g_assert_cmpuint (state_of (f, USER).failures, ==, 3);

  fail_once (f, USER);
  g_assert_cmpuint (state_of (f, USER).failures, ==, 4);
  {
    g_autoptr(TwSession) admin = sign_in (f, ADMIN);

    g_assert_null (tw_session_get_audit_warning (admin));
    g_assert_cmpuint (count_rows (admin, TW_AUDIT_LOGIN_FAILED, USER), ==, 4);
  }
}

/* ---- tampering with the log -------------------------------------------- */

typedef void (*TamperFunc) (Fixture *f);

static guint
count_rows (TwSession  *admin,
            const char *action,
            const char *actor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (admin, &error);
  g_autoptr(GPtrArray) rows = NULL;
  TwAuditFilter filter = { .actor = actor, .action = action };

  g_assert_no_error (error);
  rows = tw_audit_list (store, &filter, &error);
  g_assert_no_error (error);
  return rows->len;
}

static void
replace_in_log (Fixture    *f,
                const char *from,
                const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GString) edited = NULL;

  g_file_get_contents (f->log_path, &text, NULL, &error);
  g_assert_no_error (error);
  edited = g_string_new (text);
  g_assert_cmpuint (g_string_replace (edited, from, to, 1), ==, 1);
  g_file_set_contents (f->log_path, edited->str, -1, &error);
  g_assert_no_error (error);
}

static void
tamper_nothing (Fixture *f)
{
}

/* The first failure passed off as a refusal (which does not count). */
static void
tamper_edit (Fixture *f)
{
  replace_in_log (f, "\"event\":\"failure\"", "\"event\":\"refused\"");
}

static void
tamper_truncate (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_file_get_contents (f->log_path, &text, NULL, &error);
  g_assert_no_error (error);
  *(strchr (text, '\n') + 1) = '\0';
  g_file_set_contents (f->log_path, text, -1, &error);
  g_assert_no_error (error);
}

static void
tamper_delete (Fixture *f)
{
  g_assert_cmpint (g_unlink (f->log_path), ==, 0);
}

/* A new, valid chain as long as the anchored one: only the anchor's
 * hash tells it apart. */
static void
tamper_reset (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  TwLockoutPolicy policy;
  gint64 attempt;

  g_assert_cmpint (g_unlink (f->log_path), ==, 0);
  g_assert_true (tw_lockout_policy_load (f->data_dir, &policy, &error));
  g_assert_true (tw_lockout_begin_attempt (f->data_dir, "mallory", &policy, &attempt, &error));
  g_assert_true (tw_lockout_record_failure (f->data_dir, "mallory", attempt, &policy, NULL,
                                            &error));
  g_assert_no_error (error);
}

typedef struct
{
  TamperFunc  tamper;
  const char *words;        /* in the admin's warning; NULL: no warning */
  guint       failed_rows;  /* otto's login-failed rows after the sign-in */
} TamperCase;

static void
test_tamper (Fixture       *f,
             gconstpointer  data)
{
  const TamperCase *c = data;
  g_autoptr(TwSession) first = NULL;
  g_autoptr(TwSession) admin = NULL;
  g_autoptr(TwSession) again = NULL;
  const char *warning;

  /* The anchor: a successful sign-in. */
  first = sign_in (f, ADMIN);
  g_assert_null (tw_session_get_audit_warning (first));
  for (guint i = 0; i < 2; i++)
    fail_once (f, USER);

  c->tamper (f);

  admin = sign_in (f, ADMIN);
  warning = tw_session_get_audit_warning (admin);
  if (c->words == NULL)
    {
      g_assert_null (warning);
      g_assert_cmpuint (count_rows (admin, TW_AUDIT_TAMPER, NULL), ==, 0);
    }
  else
    {
      g_assert_nonnull (warning);
      if (strstr (warning, c->words) == NULL)
        g_error ("“%s” does not say “%s”", warning, c->words);
      g_assert_cmpuint (count_rows (admin, TW_AUDIT_TAMPER, NULL), ==, 1);
    }
  g_assert_cmpuint (count_rows (admin, TW_AUDIT_LOGIN_FAILED, USER), ==, c->failed_rows);

  /* Told once: the log is anchored again as it is now. */
  again = sign_in (f, ADMIN);
  g_assert_null (tw_session_get_audit_warning (again));
  g_assert_cmpuint (count_rows (again, TW_AUDIT_TAMPER, NULL), ==, c->words != NULL);
  g_assert_cmpuint (count_rows (again, TW_AUDIT_LOGIN_FAILED, USER), ==, c->failed_rows);
}

/* Found at an operator's sign-in (who is not told), the admin hears of it
 * at theirs. */
static void
test_tamper_told_to_admin_later (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(TwSession) first = NULL;
  g_autoptr(TwSession) user = NULL;
  g_autoptr(TwSession) admin = NULL;
  const char *warning;

  first = sign_in (f, ADMIN);
  fail_once (f, USER);
  tamper_edit (f);

  user = sign_in (f, USER);
  g_assert_null (tw_session_get_audit_warning (user));
  admin = sign_in (f, ADMIN);
  warning = tw_session_get_audit_warning (admin);
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (warning, "Tampering was recorded once since your last sign-in"));
  g_assert_nonnull (strstr (warning, "was edited"));
}

static const TamperCase intact = { tamper_nothing, NULL, 2 };
static const TamperCase edited = { tamper_edit, "was edited: line 4", 1 };
static const TamperCase truncated = { tamper_truncate, "deleted, truncated or rewritten", 0 };
static const TamperCase deleted = { tamper_delete, "deleted, truncated or rewritten", 0 };
static const TamperCase reset = { tamper_reset, "deleted, truncated or rewritten", 0 };

static void
add_tamper_test (const char       *name,
                 const TamperCase *c)
{
  g_autofree char *path = g_strconcat ("/lockout/tamper/", name, NULL);

  g_test_add (path, Fixture, c, fixture_setup_default, test_tamper, fixture_teardown);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/lockout/back-off-grows-then-locks", Fixture, GROWING_POLICY, fixture_setup,
              test_back_off_grows_then_locks, fixture_teardown);
  g_test_add ("/lockout/unlock-resets", Fixture, NO_WAIT_POLICY, fixture_setup,
              test_unlock_resets, fixture_teardown);
  g_test_add ("/lockout/success-resets", Fixture, NULL, fixture_setup_default,
              test_success_resets, fixture_teardown);
  g_test_add ("/lockout/unknown-names-counted", Fixture, NO_WAIT_POLICY, fixture_setup,
              test_unknown_names_counted, fixture_teardown);
  g_test_add ("/lockout/compaction-keeps-the-count", Fixture, COMPACT_POLICY, fixture_setup,
              test_compaction_keeps_the_count, fixture_teardown);
  add_tamper_test ("intact", &intact);
  add_tamper_test ("edited", &edited);
  add_tamper_test ("truncated", &truncated);
  add_tamper_test ("deleted", &deleted);
  add_tamper_test ("reset", &reset);
  g_test_add ("/lockout/tamper/told-to-admin-later", Fixture, NULL, fixture_setup_default,
              test_tamper_told_to_admin_later, fixture_teardown);
  return g_test_run ();
}
