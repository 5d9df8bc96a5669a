#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "tw-error.h"
#include "tw-keyslots.h"

static void
test_unlock_roundtrip (void)
{
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwKey) unwrapped = NULL;
  g_autoptr(GError) error = NULL;
  TwRole role = TW_ROLE_ANALYST;

  g_assert_true (tw_keyslots_set (slots, "ana", TW_ROLE_ADMIN, "pässwörd 🌊 long", key, &error));
  g_assert_no_error (error);
  unwrapped = tw_keyslots_unlock (slots, "ana", "pässwörd 🌊 long", &role, &error);
  g_assert_no_error (error);
  g_assert_nonnull (unwrapped);
  g_assert_cmpint (role, ==, TW_ROLE_ADMIN);
  g_assert_cmpmem (tw_key_get_bytes (unwrapped), TW_KEY_BYTES, tw_key_get_bytes (key), TW_KEY_BYTES);
}

static void
test_wrong_password_and_unknown_user (void)
{
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(GError) wrong = NULL;
  g_autoptr(GError) unknown = NULL;

  g_assert_true (tw_keyslots_set (slots, "ana", TW_ROLE_ADMIN, "right password", key, NULL));
  g_assert_null (tw_keyslots_unlock (slots, "ana", "wrong password", NULL, &wrong));
  g_assert_error (wrong, TW_ERROR, TW_ERROR_AUTH_FAILED);
  g_assert_null (tw_keyslots_unlock (slots, "bob", "right password", NULL, &unknown));
  g_assert_error (unknown, TW_ERROR, TW_ERROR_AUTH_FAILED);
  /* No hint which of the two was wrong. */
  g_assert_cmpstr (wrong->message, ==, unknown->message);
}

static char *
save_to_temp (TwKeyslots *slots)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tw-keyslots-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, "slots", NULL);
  g_assert_true (tw_keyslots_save (slots, path, &error));
  g_assert_no_error (error);
  return path;
}

static void
replace_in_file (const char *path,
                 const char *from,
                 const char *to)
{
  g_autofree char *text = NULL;
  g_autoptr(GString) edited = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  edited = g_string_new (text);
  g_assert_cmpuint (g_string_replace (edited, from, to, 1), ==, 1);
  g_assert_true (g_file_set_contents (path, edited->str, -1, NULL));
}

static void
test_saved_file_binds_role (void)
{
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKeyslots) loaded = NULL;
  g_autoptr(TwKeyslots) tampered = NULL;
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwKey) ok = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  g_assert_true (tw_keyslots_set (slots, "cleo", TW_ROLE_CLINICIAN, "night shift pw", key, NULL));
  path = save_to_temp (slots);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "night shift pw"));

  loaded = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  ok = tw_keyslots_unlock (loaded, "cleo", "night shift pw", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);

  /* Promote the slot by editing the file: the role is associated data. */
  replace_in_file (path, "\"clinician\"", "\"admin\"");
  tampered = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  g_assert_null (tw_keyslots_unlock (tampered, "cleo", "night shift pw", NULL, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED);
}

static void
assert_opens (TwKeyslots  *slots,
              const char  *user,
              const char  *password,
              const TwKey *expected,
              TwRole       expected_role)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwKey) key = NULL;
  TwRole role = TW_ROLE_ANALYST;

  key = tw_keyslots_unlock (slots, user, password, &role, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpmem (tw_key_get_bytes (key), TW_KEY_BYTES, tw_key_get_bytes (expected), TW_KEY_BYTES);
  g_assert_cmpint (role, ==, expected_role);
}

static JsonObject *
slot_in_file (const char *path,
              const char *user,
              JsonParser *parser)
{
  JsonArray *slots;

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  slots = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "slots");
  for (guint i = 0; i < json_array_get_length (slots); i++)
    {
      JsonObject *obj = json_array_get_object_element (slots, i);

      if (g_str_equal (json_object_get_string_member (obj, "user"), user))
        return obj;
    }
  g_assert_not_reached ();
}

static void
test_v2_layout (void)
{
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  JsonObject *slot;

  g_assert_true (tw_keyslots_set (slots, "ana", TW_ROLE_ADMIN, "right password", key, NULL));
  g_assert_false (tw_keyslots_is_legacy (slots, "ana"));
  path = save_to_temp (slots);
  slot = slot_in_file (path, "ana", parser);
  /* A key pair: the public key in the clear, the secret key wrapped, the
   * database key sealed to the public key, no key wrapped by the password. */
  g_assert_cmpint (json_object_get_int_member (slot, "version"), ==, 2);
  g_assert_true (json_object_has_member (slot, "public_key"));
  g_assert_true (json_object_has_member (slot, "wrapped_secret_key"));
  g_assert_true (json_object_has_member (slot, "grant"));
  g_assert_false (json_object_has_member (slot, "wrapped_key"));
}

static void
test_grant_without_password (void)
{
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKeyslots) loaded = NULL;
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwKey) new_key = tw_key_new_random ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  TwRole role;

  g_assert_true (tw_keyslots_set (slots, "cleo", TW_ROLE_CLINICIAN, "night shift pw", key, NULL));
  /* An admin changes the role: only the database key is needed. */
  g_assert_true (tw_keyslots_grant (slots, "cleo", TW_ROLE_OPERATOR, key, &error));
  g_assert_no_error (error);
  g_assert_true (tw_keyslots_get_role (slots, "cleo", &role));
  g_assert_cmpint (role, ==, TW_ROLE_OPERATOR);
  assert_opens (slots, "cleo", "night shift pw", key, TW_ROLE_OPERATOR);

  /* A rekey seals a new database key to the same slot. */
  g_assert_true (tw_keyslots_grant (slots, "cleo", TW_ROLE_OPERATOR, new_key, &error));
  g_assert_no_error (error);
  path = save_to_temp (slots);
  loaded = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  assert_opens (loaded, "cleo", "night shift pw", new_key, TW_ROLE_OPERATOR);

  /* The old role no longer matches the sealed grant. */
  replace_in_file (path, "\"operator\"", "\"clinician\"");
  g_clear_pointer (&loaded, tw_keyslots_free);
  loaded = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  g_assert_null (tw_keyslots_unlock (loaded, "cleo", "night shift pw", NULL, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "role"));
}

static void
test_change_password (void)
{
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(GError) wrong_old = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (tw_keyslots_set (slots, "ana", TW_ROLE_ADMIN, "first password", key, NULL));
  g_assert_false (tw_keyslots_change_password (slots, "ana", "not the password", "second one!",
                                               &wrong_old));
  g_assert_error (wrong_old, TW_ERROR, TW_ERROR_AUTH_FAILED);
  assert_opens (slots, "ana", "first password", key, TW_ROLE_ADMIN);

  g_assert_true (tw_keyslots_change_password (slots, "ana", "first password", "second one!",
                                              &error));
  g_assert_no_error (error);
  assert_opens (slots, "ana", "second one!", key, TW_ROLE_ADMIN);
  g_assert_null (tw_keyslots_unlock (slots, "ana", "first password", NULL, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED);
}

static void
test_unicode_forms (void)
{
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKey) key = tw_key_new_random ();

  /* "café au lait" with é as one code point, opened with e + U+0301. */
  g_assert_true (tw_keyslots_set (slots, "ana", TW_ROLE_ADMIN, "caf\xc3\xa9 au lait", key, NULL));
  assert_opens (slots, "ana", "cafe\xcc\x81 au lait", key, TW_ROLE_ADMIN);
}

/* A version 1 key file as the skeleton wrote it: the database key wrapped
 * directly under the password. */
static char *
write_legacy_file (const TwKey *key,
                   const char  *user,
                   const char  *role,
                   const char  *password)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tw-keyslots-XXXXXX", &error);
  g_autofree char *ad = g_strdup_printf ("tidewatch-keyslot-v1\n%s\n%s\n%s", "00112233", user, role);
  g_autofree char *salt64 = NULL, *nonce64 = NULL, *wrapped64 = NULL, *json = NULL;
  guint8 salt[crypto_pwhash_SALTBYTES], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  guint8 kek[32], wrapped[TW_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES];
  char *path;

  g_assert_no_error (error);
  randombytes_buf (salt, sizeof salt);
  randombytes_buf (nonce, sizeof nonce);
  g_assert_cmpint (crypto_pwhash (kek, sizeof kek, password, strlen (password), salt,
                                  crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                                  crypto_pwhash_ALG_ARGON2ID13), ==, 0);
  crypto_aead_xchacha20poly1305_ietf_encrypt (wrapped, NULL, tw_key_get_bytes (key), TW_KEY_BYTES,
                                              (const guint8 *) ad, strlen (ad), NULL, nonce, kek);
  salt64 = g_base64_encode (salt, sizeof salt);
  nonce64 = g_base64_encode (nonce, sizeof nonce);
  wrapped64 = g_base64_encode (wrapped, sizeof wrapped);
  json = g_strdup_printf ("{\"format\": \"tidewatch-keyslots\", \"version\": 1, \"store_id\":"
                          " \"00112233\", \"kdf_cost\": \"min\", \"slots\": [{\"user\": \"%s\","
                          " \"role\": \"%s\", \"kdf\": \"argon2id13\", \"opslimit\": %d,"
                          " \"memlimit\": %d, \"salt\": \"%s\", \"nonce\": \"%s\","
                          " \"wrapped_key\": \"%s\"}]}", user, role,
                          crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                          salt64, nonce64, wrapped64);
  path = g_build_filename (dir, "slots", NULL);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  return path;
}

static void
test_legacy_slot_upgraded (void)
{
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwKey) new_key = tw_key_new_random ();
  g_autofree char *path = write_legacy_file (key, "cleo", "clinician", "old kind of slot");
  g_autoptr(TwKeyslots) slots = NULL;
  g_autoptr(TwKeyslots) reloaded = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  slots = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (tw_keyslots_is_legacy (slots, "cleo"));
  /* Without the password a legacy slot cannot take a new key or role. */
  g_assert_false (tw_keyslots_grant (slots, "cleo", TW_ROLE_ANALYST, new_key, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "must sign in once first"));
  g_clear_error (&error);

  /* It still opens, and the sign-in upgrades it, in the file too. */
  assert_opens (slots, "cleo", "old kind of slot", key, TW_ROLE_CLINICIAN);
  g_assert_false (tw_keyslots_is_legacy (slots, "cleo"));
  g_assert_cmpint (json_object_get_int_member (slot_in_file (path, "cleo", parser), "version"),
                   ==, 2);
  reloaded = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  g_assert_false (tw_keyslots_is_legacy (reloaded, "cleo"));
  assert_opens (reloaded, "cleo", "old kind of slot", key, TW_ROLE_CLINICIAN);
  g_assert_true (tw_keyslots_grant (reloaded, "cleo", TW_ROLE_ANALYST, new_key, &error));
  g_assert_no_error (error);
  assert_opens (reloaded, "cleo", "old kind of slot", new_key, TW_ROLE_ANALYST);
}

static void
test_legacy_change_password (void)
{
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autofree char *path = write_legacy_file (key, "ana", "admin", "legacy password");
  g_autoptr(TwKeyslots) slots = tw_keyslots_load (path, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (slots);
  g_assert_true (tw_keyslots_change_password (slots, "ana", "legacy password", "brand new one",
                                              &error));
  g_assert_no_error (error);
  g_assert_false (tw_keyslots_is_legacy (slots, "ana"));
  assert_opens (slots, "ana", "brand new one", key, TW_ROLE_ADMIN);
}

/* A rekey interrupted after the key file got the new grants: the file
 * opens whichever store file is current, told by whether the copy that
 * was to be swapped in still exists (see tw-store-rekey.c). */
static void
test_staged_rekey_resolves (void)
{
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKeyslots) before_swap = NULL;
  g_autoptr(TwKeyslots) after_swap = NULL;
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwKey) new_key = tw_key_new_random ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *text = NULL;

  g_assert_true (tw_keyslots_set (slots, "ana", TW_ROLE_ADMIN, "right password", key, NULL));
  g_assert_true (tw_keyslots_set (slots, "olaf", TW_ROLE_OPERATOR, "olaf password", key, NULL));
  path = save_to_temp (slots);
  dir = g_path_get_dirname (path);
  pending = g_build_filename (dir, "tidewatch.db.rekey", NULL);
  g_assert_true (g_file_set_contents (pending, "copy", -1, NULL));

  g_assert_true (tw_keyslots_stage_rekey (slots, new_key, pending, &error));
  g_assert_no_error (error);
  g_assert_true (tw_keyslots_save (slots, path, &error));
  g_assert_no_error (error);

  before_swap = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  assert_opens (before_swap, "olaf", "olaf password", key, TW_ROLE_OPERATOR);

  g_assert_cmpint (g_unlink (pending), ==, 0);   /* what rename() over the store does */
  after_swap = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  assert_opens (after_swap, "olaf", "olaf password", new_key, TW_ROLE_OPERATOR);
  assert_opens (after_swap, "ana", "right password", new_key, TW_ROLE_ADMIN);
  /* A program that loads the resolved file and saves a change of its own
   * writes the resolution down (the marker goes with it). */
  g_assert_true (tw_keyslots_remove (after_swap, "nobody") == FALSE);
  g_assert_true (tw_keyslots_save (after_swap, path, &error));
  g_assert_no_error (error);
  g_clear_pointer (&after_swap, tw_keyslots_free);
  after_swap = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  assert_opens (after_swap, "olaf", "olaf password", new_key, TW_ROLE_OPERATOR);

  /* Finished, the file holds only the new grants and no marker. */
  tw_keyslots_finish_rekey (slots);
  g_assert_true (tw_keyslots_save (slots, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "rekey_pending"));
  g_assert_null (strstr (text, "next_grant"));
  g_clear_pointer (&after_swap, tw_keyslots_free);
  after_swap = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  assert_opens (after_swap, "olaf", "olaf password", new_key, TW_ROLE_OPERATOR);
}

static void
test_stage_rekey_refuses_legacy (void)
{
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwKey) new_key = tw_key_new_random ();
  g_autofree char *path = write_legacy_file (key, "cleo", "clinician", "old kind of slot");
  g_autoptr(TwKeyslots) slots = tw_keyslots_load (path, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (tw_keyslots_stage_rekey (slots, new_key, "/tmp/x.rekey", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "cleo"));
  g_assert_nonnull (strstr (error->message, "sign in once first"));
}

/* Two programs (the app and twctl) load the key file, each changes a
 * different user and saves: neither change is lost. */
static void
test_concurrent_saves_merge (void)
{
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKeyslots) app = NULL;
  g_autoptr(TwKeyslots) cli = NULL;
  g_autoptr(TwKeyslots) after = NULL;
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  TwRole role;

  g_assert_true (tw_keyslots_set (slots, "ana", TW_ROLE_ADMIN, "right password", key, NULL));
  g_assert_true (tw_keyslots_set (slots, "olaf", TW_ROLE_OPERATOR, "olaf password", key, NULL));
  path = save_to_temp (slots);
  app = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  cli = tw_keyslots_load (path, &error);
  g_assert_no_error (error);

  g_assert_true (tw_keyslots_set (app, "cleo", TW_ROLE_CLINICIAN, "night shift pw", key, NULL));
  g_assert_true (tw_keyslots_save (app, path, &error));
  g_assert_no_error (error);
  g_assert_true (tw_keyslots_grant (cli, "olaf", TW_ROLE_ANALYST, key, &error));
  g_assert_true (tw_keyslots_remove (cli, "ana"));
  g_assert_true (tw_keyslots_save (cli, path, &error));
  g_assert_no_error (error);

  after = tw_keyslots_load (path, &error);
  g_assert_no_error (error);
  assert_opens (after, "cleo", "night shift pw", key, TW_ROLE_CLINICIAN);
  assert_opens (after, "olaf", "olaf password", key, TW_ROLE_ANALYST);
  g_assert_false (tw_keyslots_has_user (after, "ana"));
  g_assert_true (tw_keyslots_get_role (after, "olaf", &role));
  g_assert_cmpint (role, ==, TW_ROLE_ANALYST);
}

static void
test_damaged_file (void)
{
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) missing = NULL;
  g_autofree char *path = NULL;

  g_assert_true (tw_keyslots_set (slots, "ana", TW_ROLE_ADMIN, "right password", key, NULL));
  path = save_to_temp (slots);
  /* A slot that asks for absurd memory is refused, not obeyed. */
  replace_in_file (path, "\"memlimit\" : 8192", "\"memlimit\" : 9999999999999");
  g_assert_null (tw_keyslots_load (path, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);

  g_assert_null (tw_keyslots_load ("/nonexistent/tidewatch.keyslots", &missing));
  g_assert_error (missing, TW_ERROR, TW_ERROR_NOT_INITIALIZED);
}

static void
test_default_cost_is_moderate (void)
{
  TwKdfCost cost;

  g_assert_cmpint (TW_KDF_COST_DEFAULT, ==, TW_KDF_COST_MODERATE);
  g_assert_true (tw_kdf_cost_from_string ("min", &cost));
  g_assert_cmpint (cost, ==, TW_KDF_COST_MIN);
  g_assert_false (tw_kdf_cost_from_string ("none", &cost));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keyslots/unlock-roundtrip", test_unlock_roundtrip);
  g_test_add_func ("/keyslots/wrong-password-and-unknown-user", test_wrong_password_and_unknown_user);
  g_test_add_func ("/keyslots/saved-file-binds-role", test_saved_file_binds_role);
  g_test_add_func ("/keyslots/damaged-file", test_damaged_file);
  g_test_add_func ("/keyslots/v2-layout", test_v2_layout);
  g_test_add_func ("/keyslots/grant-without-password", test_grant_without_password);
  g_test_add_func ("/keyslots/change-password", test_change_password);
  g_test_add_func ("/keyslots/unicode-forms", test_unicode_forms);
  g_test_add_func ("/keyslots/legacy-slot-upgraded", test_legacy_slot_upgraded);
  g_test_add_func ("/keyslots/legacy-change-password", test_legacy_change_password);
  g_test_add_func ("/keyslots/staged-rekey-resolves", test_staged_rekey_resolves);
  g_test_add_func ("/keyslots/stage-rekey-refuses-legacy", test_stage_rekey_refuses_legacy);
  g_test_add_func ("/keyslots/concurrent-saves-merge", test_concurrent_saves_merge);
  g_test_add_func ("/keyslots/default-cost", test_default_cost_is_moderate);
  return g_test_run ();
}
