#include <string.h>

#include "tw-error.h"
#include "tw-password.h"

static void
assert_refused (const char *password,
                const char *user,
                const char *says)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (tw_password_check (password, user, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD);
  if (strstr (error->message, says) == NULL)
    g_error ("refusing ‘%s’ says ‘%s’, expected ‘%s’", password, error->message, says);
}

static void
assert_accepted (const char *password,
                 const char *user)
{
  g_autoptr(GError) error = NULL;

  if (!tw_password_check (password, user, &error))
    g_error ("‘%s’ refused: %s", password, error->message);
}

static void
test_length (void)
{
  g_autofree char *long_one = g_strnfill (TW_PASSWORD_MAX_CHARS, 'q');
  g_autofree char *too_long = g_strnfill (TW_PASSWORD_MAX_CHARS + 1, 'q');

  assert_refused ("seven77", NULL, "at least 8 characters");
  /* The message suggests 15 (NIST: show guidance, not rules). */
  assert_refused ("seven77", NULL, "15 or more");
  assert_accepted ("tide8ch!", NULL);
  /* Long passphrases are welcome, up to the documented maximum. */
  assert_accepted (long_one, NULL);
  assert_refused (too_long, NULL, "too long");
  /* Characters, not bytes: 8 emoji are 32 bytes but 8 characters, 7 are
   * 28 bytes and still too short. */
  assert_accepted ("🌊🌊🌊🌊🌊🌊🌊🌊", NULL);
  assert_refused ("🌊🌊🌊🌊🌊🌊🌊", NULL, "at least 8");
}

static void
test_no_composition_rules (void)
{
  /* Only lower-case letters and spaces, or only digits: fine when long
   * and not common. */
  assert_accepted ("correct horse battery staple", NULL);
  assert_accepted ("plätzchen für die nachtschicht", NULL);
  assert_accepted ("48201937561", NULL);
  assert_refused ("\xff\xfe broken utf8", NULL, "not valid text");
}

static void
test_blocklist (void)
{
  /* The shipped list: Openwall's entries of 8 characters or more. */
  g_assert_cmpuint (tw_password_blocklist_size (), >, 600);
  g_assert_true (tw_password_is_blocklisted ("password"));
  g_assert_true (tw_password_is_blocklisted ("12345678"));
  /* Case and width do not hide a common password. */
  g_assert_true (tw_password_is_blocklisted ("PassWord1"));
  g_assert_true (tw_password_is_blocklisted ("ｐａｓｓｗｏｒｄ"));
  g_assert_true (tw_password_is_blocklisted ("P@ssw0rd"));
  g_assert_false (tw_password_is_blocklisted ("correct horse battery staple"));
  assert_refused ("iloveyou", NULL, "list of common passwords");
  assert_refused ("QWERTYUIOP", NULL, "list of common passwords");
}

static void
test_context_words (void)
{
  assert_refused ("Tidewatch2024", NULL, "user name or the program's name");
  assert_refused ("margarethe", "Margarethe", "user name");
  assert_refused ("margarethe1975!", "margarethe", "user name");
  /* The name inside a longer phrase is fine. */
  assert_accepted ("margarethe rides a blue bicycle", "margarethe");
  assert_accepted ("margarethe1975!", "ana");
}

static void
test_normalize (void)
{
  g_autofree char *composed = tw_password_normalize ("caf\xc3\xa9 au lait");
  g_autofree char *decomposed = tw_password_normalize ("cafe\xcc\x81 au lait");

  /* The same password typed as é or as e + combining accent. */
  g_assert_cmpstr (composed, ==, decomposed);
}

static void
test_one_time (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 200; i++)
    {
      char *otp = tw_password_generate_one_time ();
      g_auto(GStrv) groups = g_strsplit (otp, "-", -1);

      g_assert_cmpuint (strlen (otp), ==, 23);
      g_assert_cmpuint (g_strv_length (groups), ==, 4);
      for (guint g = 0; groups[g] != NULL; g++)
        g_assert_cmpuint (strlen (groups[g]), ==, 5);
      /* No look-alikes to misread from a sheet of paper. */
      g_assert_null (strpbrk (otp, "01oli"));
      g_assert_true (tw_password_check (otp, "ana", NULL));
      g_assert_false (g_hash_table_contains (seen, otp));
      g_hash_table_add (seen, g_strdup (otp));
      tw_password_free (otp);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/password/length", test_length);
  g_test_add_func ("/password/no-composition-rules", test_no_composition_rules);
  g_test_add_func ("/password/blocklist", test_blocklist);
  g_test_add_func ("/password/context-words", test_context_words);
  g_test_add_func ("/password/normalize", test_normalize);
  g_test_add_func ("/password/one-time", test_one_time);
  return g_test_run ();
}
