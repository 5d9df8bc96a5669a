/*
 * Accounts (issue 6): one-time passwords, disabling, role changes
 * without passwords, removal with a rekey. What a user or an admin would
 * notice: who can sign in, with what, and what the store still holds.
 */
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-session.h"
#include "tw-session-private.h"
#include "tw-test-store.h"

#define PASSWORD      "correct horse battery staple"
#define CLEO_PASSWORD "night shift on ward seven"
#define OLAF_PASSWORD "operator of the early feed"

typedef struct
{
  char      *dir;
  char      *data_dir;
  TwSession *admin;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("tw-users-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  f->admin = tw_session_initialize (f->data_dir, "ana", PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);
  g_assert_true (tw_session_add_user (f->admin, "cleo", TW_ROLE_CLINICIAN, CLEO_PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_true (tw_session_add_user (f->admin, "olaf", TW_ROLE_OPERATOR, OLAF_PASSWORD, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->admin, tw_session_free);
  tw_test_remove_tree (f->dir);
  g_free (f->data_dir);
  g_free (f->dir);
}

static TwSession *
login_ok (Fixture    *f,
          const char *user,
          const char *password)
{
  g_autoptr(GError) error = NULL;
  TwSession *session = tw_session_login (f->data_dir, user, password, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

static void
assert_login_fails (Fixture    *f,
                    const char *user,
                    const char *password,
                    const char *says)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = tw_session_login (f->data_dir, user, password, &error);

  g_assert_null (session);
  g_assert_nonnull (error);
  if (says != NULL && strstr (error->message, says) == NULL)
    g_error ("signing in as %s says ‘%s’, expected ‘%s’", user, error->message, says);
}

static TwUserRow *
find_user (Fixture    *f,
           const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = tw_session_list_users (f->admin, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < users->len; i++)
    {
      TwUserRow *row = g_ptr_array_index (users, i);

      if (g_str_equal (row->name, name))
        {
          TwUserRow *copy = g_new0 (TwUserRow, 1);

          *copy = *row;
          copy->name = g_strdup (row->name);
          return copy;
        }
    }
  return NULL;
}

/* The account changes in the audit trail about @subject, oldest first
 * (sign-ins, audited by tw_session_login(), left out). */
static char *
audit_actions (Fixture    *f,
               const char *subject)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (f->admin, &error);
  g_autoptr(GPtrArray) rows = NULL;
  TwAuditFilter filter = { 0 };
  GString *text = g_string_new (NULL);

  g_assert_no_error (error);
  rows = tw_audit_list (store, &filter, &error);
  g_assert_no_error (error);
  for (guint i = rows->len; i > 0; i--)
    {
      TwAuditRow *row = g_ptr_array_index (rows, i - 1);

      if (g_str_has_prefix (row->action, "login"))
        continue;
      if (subject == NULL || g_strcmp0 (row->subject, subject) == 0)
        g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", row->action);
    }
  return g_string_free (text, FALSE);
}

static void
test_one_time_password (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) cleo = NULL;
  g_autoptr(TwSession) again = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(TwUserRow) row = NULL;
  g_autofree char *actions = NULL;
  char *otp;

  otp = tw_session_reset_password (f->admin, "cleo", &error);
  g_assert_no_error (error);
  g_assert_nonnull (otp);
  row = find_user (f, "cleo");
  g_assert_true (row->must_change_password);

  /* The old password is gone; the one-time password signs in, but opens
   * nothing until it is changed. */
  assert_login_fails (f, "cleo", CLEO_PASSWORD, NULL);
  cleo = login_ok (f, "cleo", otp);
  g_assert_true (tw_session_must_change_password (cleo));
  store = tw_session_open_store (cleo, &error);
  g_assert_null (store);
  g_assert_error (error, TW_ERROR, TW_ERROR_PASSWORD_EXPIRED);
  g_assert_nonnull (strstr (error->message, "twctl passwd"));
  g_clear_error (&error);

  /* Not the same password again, and the policy applies. */
  g_assert_false (tw_session_change_password (cleo, otp, otp, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD);
  g_clear_error (&error);
  g_assert_false (tw_session_change_password (cleo, otp, "password1", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD);
  g_clear_error (&error);
  g_assert_false (tw_session_change_password (cleo, "not the one-time one", "a fresh passphrase",
                                              &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED);
  g_clear_error (&error);

  g_assert_true (tw_session_change_password (cleo, otp, "a fresh passphrase", &error));
  g_assert_no_error (error);
  g_assert_false (tw_session_must_change_password (cleo));
  store = tw_session_open_store (cleo, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  g_clear_pointer (&row, tw_user_row_free);
  row = find_user (f, "cleo");
  g_assert_false (row->must_change_password);
  assert_login_fails (f, "cleo", otp, NULL);
  again = login_ok (f, "cleo", "a fresh passphrase");
  g_assert_false (tw_session_must_change_password (again));
  tw_password_free (otp);

  actions = audit_actions (f, "cleo");
  g_assert_cmpstr (actions, ==, "user-add user-reset password-change");
}

static void
test_change_password_counts_failures (Fixture       *f,
                                      gconstpointer  data)
{
  g_autofree char *policy = g_build_filename (f->data_dir, "security.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) cleo = NULL;
  g_autoptr(TwSession) again = NULL;

  g_assert_true (g_file_set_contents (policy, "{\"lockout\": {\"max_failures\": 3,"
                                      " \"free_failures\": 3, \"base_delay_s\": 1,"
                                      " \"max_delay_s\": 1}}", -1, NULL));
  cleo = login_ok (f, "cleo", CLEO_PASSWORD);
  /* Someone at cleo's open session guesses her password. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_false (tw_session_change_password (cleo, "a guess at it", "a new passphrase",
                                                  &error));
      g_assert_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED);
      g_clear_error (&error);
    }
  g_assert_false (tw_session_change_password (cleo, CLEO_PASSWORD, "a new passphrase", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  assert_login_fails (f, "cleo", CLEO_PASSWORD, "administrator");

  g_assert_true (tw_session_unlock_user (f->admin, "cleo", &error));
  g_assert_no_error (error);
  g_assert_true (tw_session_change_password (cleo, CLEO_PASSWORD, "a new passphrase", &error));
  g_assert_no_error (error);
  again = login_ok (f, "cleo", "a new passphrase");
}

static void
test_disabled_user (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) olaf = NULL;
  g_autofree char *actions = NULL;

  g_assert_true (tw_session_set_user_disabled (f->admin, "olaf", TRUE, &error));
  g_assert_no_error (error);
  assert_login_fails (f, "olaf", OLAF_PASSWORD, "disabled; ask an administrator");

  /* An admin cannot shut themselves out. */
  g_assert_false (tw_session_set_user_disabled (f->admin, "ana", TRUE, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  /* Nor can anyone but an admin disable. */
  olaf = login_ok (f, "cleo", CLEO_PASSWORD);
  g_assert_false (tw_session_set_user_disabled (olaf, "ana", TRUE, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_clear_pointer (&olaf, tw_session_free);

  g_assert_true (tw_session_set_user_disabled (f->admin, "olaf", FALSE, &error));
  g_assert_no_error (error);
  olaf = login_ok (f, "olaf", OLAF_PASSWORD);

  actions = audit_actions (f, "olaf");
  g_assert_cmpstr (actions, ==, "user-add user-disable user-enable");
}

/* Sets the role of @user's slot in the key file, as someone with write
 * access to the file would. */
static void
edit_role_in_key_file (Fixture    *f,
                       const char *user,
                       const char *role)
{
  g_autofree char *path = g_build_filename (f->data_dir, TW_KEYSLOTS_FILENAME, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  JsonArray *slots;

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  slots = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "slots");
  for (guint i = 0; i < json_array_get_length (slots); i++)
    {
      JsonObject *slot = json_array_get_object_element (slots, i);

      if (g_str_equal (json_object_get_string_member (slot, "user"), user))
        json_object_set_string_member (slot, "role", role);
    }
  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, path, NULL));
}

static void
test_role_change (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) cleo = NULL;
  g_autoptr(TwUserRow) row = NULL;
  g_autofree char *actions = NULL;

  /* No password needed: the key is re-sealed with the new role. */
  g_assert_true (tw_session_set_user_role (f->admin, "cleo", TW_ROLE_ANALYST, &error));
  g_assert_no_error (error);
  row = find_user (f, "cleo");
  g_assert_cmpint (row->role, ==, TW_ROLE_ANALYST);
  cleo = login_ok (f, "cleo", CLEO_PASSWORD);
  g_assert_cmpint (tw_session_get_role (cleo), ==, TW_ROLE_ANALYST);
  g_clear_pointer (&cleo, tw_session_free);

  g_assert_false (tw_session_set_user_role (f->admin, "ana", TW_ROLE_ANALYST, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* A role written into the key file by hand does not unwrap. */
  edit_role_in_key_file (f, "cleo", "admin");
  assert_login_fails (f, "cleo", CLEO_PASSWORD, NULL);
  edit_role_in_key_file (f, "cleo", "analyst");
  cleo = login_ok (f, "cleo", CLEO_PASSWORD);

  actions = audit_actions (f, "cleo");
  g_assert_cmpstr (actions, ==, "user-add user-role");
}

static gint64
count_rows (TwStore    *store,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static void
test_remove_rekeys (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) olaf = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(TwStore) stale = NULL;
  g_autoptr(TwKey) old_key = NULL;
  g_autoptr(TwKey) cleo_key = NULL;
  g_autoptr(TwKeyslots) old_slots = NULL;
  g_autofree char *slots_path = g_build_filename (f->data_dir, TW_KEYSLOTS_FILENAME, NULL);
  g_autofree char *slots_copy = g_build_filename (f->dir, "keyslots-before", NULL);
  g_autofree char *text = NULL;
  g_autofree char *actions = NULL;
  gsize len = 0;
  gint64 n_sources;

  /* Something in the store to survive the rekey. */
  store = tw_session_open_store (f->admin, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tw_store_ensure_source (store, "bedside", "ws://127.0.0.1:9/", &error), >, 0);
  n_sources = count_rows (store, "sources");

  /* cleo keeps a copy of the key file before she leaves. */
  g_assert_true (g_file_get_contents (slots_path, &text, &len, NULL));
  g_assert_true (g_file_set_contents (slots_copy, text, len, NULL));
  old_key = tw_session_dup_key (f->admin);

  /* Not while the store is open: here a connection of this program, then
   * another program's session. */
  g_assert_false (tw_session_remove_user (f->admin, "cleo", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_IN_USE);
  g_clear_error (&error);
  g_clear_pointer (&store, tw_store_close);
  olaf = login_ok (f, "olaf", OLAF_PASSWORD);
  g_assert_false (tw_session_remove_user (f->admin, "cleo", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_IN_USE);
  g_clear_error (&error);
  g_clear_pointer (&olaf, tw_session_free);
  /* Nothing was changed by the refusals. */
  olaf = login_ok (f, "cleo", CLEO_PASSWORD);
  g_clear_pointer (&olaf, tw_session_free);

  g_assert_true (tw_session_remove_user (f->admin, "cleo", &error));
  g_assert_no_error (error);

  /* cleo cannot sign in, her slot is gone from the key file, and her
   * old slot opens the old key, which no longer opens the store. */
  assert_login_fails (f, "cleo", CLEO_PASSWORD, NULL);
  {
    g_autoptr(TwKeyslots) now = tw_keyslots_load (slots_path, &error);

    g_assert_no_error (error);
    g_assert_false (tw_keyslots_has_user (now, "cleo"));
    g_assert_true (tw_keyslots_has_user (now, "olaf"));
  }
  old_slots = tw_keyslots_load (slots_copy, &error);
  g_assert_no_error (error);
  cleo_key = tw_keyslots_unlock (old_slots, "cleo", CLEO_PASSWORD, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (tw_key_get_bytes (cleo_key), TW_KEY_BYTES, tw_key_get_bytes (old_key),
                   TW_KEY_BYTES);
  stale = tw_store_open (tw_session_get_store_path (f->admin), cleo_key, FALSE, &error);
  g_assert_null (stale);
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_clear_error (&error);

  /* The others still sign in; the admin's session holds the new key. */
  olaf = login_ok (f, "olaf", OLAF_PASSWORD);
  store = tw_session_open_store (olaf, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (store, "sources"), ==, n_sources);
  g_assert_cmpint (count_rows (store, "users WHERE name = 'cleo'"), ==, 0);
  g_assert_cmpint (count_rows (store, "users"), ==, 2);
  g_clear_pointer (&store, tw_store_close);
  g_clear_pointer (&olaf, tw_session_free);
  olaf = login_ok (f, "ana", PASSWORD);
  g_clear_pointer (&olaf, tw_session_free);

  /* No copy left behind; the audit trail is one chain across the rekey. */
  {
    g_autofree char *pending = g_strconcat (tw_session_get_store_path (f->admin), ".rekey", NULL);

    g_assert_false (g_file_test (pending, G_FILE_TEST_EXISTS));
  }
  actions = audit_actions (f, NULL);
  g_assert_nonnull (strstr (actions, "user-remove store-rekey"));
  {
    g_autoptr(TwStore) admin_store = tw_session_open_store (f->admin, &error);
    TwAuditReport report = { 0 };

    g_assert_no_error (error);
    g_assert_true (tw_audit_verify (admin_store, slots_path, &report, &error));
    g_assert_no_error (error);
    g_assert_cmpint (report.problem, ==, TW_AUDIT_INTACT);
    tw_audit_report_clear (&report);
  }

  /* Removing yourself is refused. */
  g_assert_false (tw_session_remove_user (f->admin, "ana", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
}

/* Turns @user's slot back into a version 1 slot (the skeleton's kind: the
 * database key wrapped directly under the password), as a key file made
 * before issue 6 holds it. */
static void
make_slot_legacy (Fixture    *f,
                  const char *user,
                  const char *role,
                  const char *password)
{
  g_autofree char *path = g_build_filename (f->data_dir, TW_KEYSLOTS_FILENAME, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(TwKey) key = tw_session_dup_key (f->admin);
  JsonObject *root;
  JsonArray *slots;
  guint8 salt[crypto_pwhash_SALTBYTES], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  guint8 kek[32], wrapped[TW_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES];
  g_autofree char *ad = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  ad = g_strdup_printf ("tidewatch-keyslot-v1\n%s\n%s\n%s",
                        json_object_get_string_member (root, "store_id"), user, role);
  randombytes_buf (salt, sizeof salt);
  randombytes_buf (nonce, sizeof nonce);
  g_assert_cmpint (crypto_pwhash (kek, sizeof kek, password, strlen (password), salt,
                                  crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                                  crypto_pwhash_ALG_ARGON2ID13), ==, 0);
  crypto_aead_xchacha20poly1305_ietf_encrypt (wrapped, NULL, tw_key_get_bytes (key), TW_KEY_BYTES,
                                              (const guint8 *) ad, strlen (ad), NULL, nonce, kek);
  slots = json_object_get_array_member (root, "slots");
  for (guint i = 0; i < json_array_get_length (slots); i++)
    {
      JsonObject *slot = json_array_get_object_element (slots, i);
      g_autofree char *salt64 = g_base64_encode (salt, sizeof salt);
      g_autofree char *nonce64 = g_base64_encode (nonce, sizeof nonce);
      g_autofree char *wrapped64 = g_base64_encode (wrapped, sizeof wrapped);

      if (!g_str_equal (json_object_get_string_member (slot, "user"), user))
        continue;
      json_object_set_int_member (slot, "version", 1);
      json_object_set_int_member (slot, "opslimit", crypto_pwhash_OPSLIMIT_MIN);
      json_object_set_int_member (slot, "memlimit", crypto_pwhash_MEMLIMIT_MIN);
      json_object_set_string_member (slot, "salt", salt64);
      json_object_set_string_member (slot, "nonce", nonce64);
      json_object_set_string_member (slot, "wrapped_key", wrapped64);
      json_object_remove_member (slot, "public_key");
      json_object_remove_member (slot, "wrapped_secret_key");
      json_object_remove_member (slot, "grant");
    }
  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, path, NULL));
}

static void
test_legacy_slot (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->data_dir, TW_KEYSLOTS_FILENAME, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) cleo = NULL;
  g_autoptr(TwKeyslots) slots = NULL;

  make_slot_legacy (f, "cleo", "clinician", CLEO_PASSWORD);
  slots = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (tw_keyslots_is_legacy (slots, "cleo"));
  g_clear_pointer (&slots, tw_keyslots_free);

  /* Its key cannot be re-sealed without cleo: no role change, and no
   * removal of anyone else (the rekey would lock cleo out). */
  g_assert_false (tw_session_set_user_role (f->admin, "cleo", TW_ROLE_ANALYST, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (tw_session_remove_user (f->admin, "olaf", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "cleo"));
  g_assert_nonnull (strstr (error->message, "sign in once first"));
  g_clear_error (&error);
  cleo = login_ok (f, "olaf", OLAF_PASSWORD);   /* nothing was changed */
  g_clear_pointer (&cleo, tw_session_free);

  /* cleo signs in with her password as before, which upgrades the slot. */
  cleo = login_ok (f, "cleo", CLEO_PASSWORD);
  g_clear_pointer (&cleo, tw_session_free);
  slots = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  g_assert_false (tw_keyslots_is_legacy (slots, "cleo"));
  cleo = login_ok (f, "cleo", CLEO_PASSWORD);
  g_clear_pointer (&cleo, tw_session_free);

  g_assert_true (tw_session_remove_user (f->admin, "olaf", &error));
  g_assert_no_error (error);
  cleo = login_ok (f, "cleo", CLEO_PASSWORD);
}

static void
test_remove_unknown (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (tw_session_remove_user (f->admin, "nobody", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/session-users/one-time-password", test_one_time_password);
  ADD ("/session-users/disabled-user", test_disabled_user);
  ADD ("/session-users/change-password-counts-failures", test_change_password_counts_failures);
  ADD ("/session-users/role-change", test_role_change);
  ADD ("/session-users/remove-rekeys", test_remove_rekeys);
  ADD ("/session-users/remove-unknown", test_remove_unknown);
  ADD ("/session-users/legacy-slot", test_legacy_slot);
#undef ADD
  return g_test_run ();
}
