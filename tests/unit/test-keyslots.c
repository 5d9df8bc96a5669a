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
  g_test_add_func ("/keyslots/default-cost", test_default_cost_is_moderate);
  return g_test_run ();
}
