#include <gio/gio.h>
#include <sodium.h>
#include <string.h>

#include "tw-core-resources.h"
#include "tw-error.h"
#include "tw-password.h"

/* Passwords after NIST SP 800-63B §5.1.1.2 (see tw-password.h). */

#define BLOCKLIST_RESOURCE "/io/github/tidewatch/Tidewatch/core/common-passwords.txt"
#define BLOCKLIST_COMMENT  "#!comment:"
/* A context-specific word (§5.1.1.2: "the name of the service, the
 * username") is refused with or without digits and punctuation around it. */
#define SERVICE_NAME       "tidewatch"

/* One-time passwords: 4 groups of 5 from 31 symbols without look-alikes
 * (no 0/o, 1/l/i) ≈ 99 bits, typed from a sheet of paper without doubt. */
#define ONE_TIME_ALPHABET  "23456789abcdefghjkmnpqrstuvwxyz"
#define ONE_TIME_GROUPS    4
#define ONE_TIME_GROUP_LEN 5

/* Built once per process from the compiled-in list and never changed
 * afterwards, so readers in any thread need no lock. */
static GHashTable *
blocklist (void)
{
  static gsize initialized = 0;
  static GHashTable *set = NULL;

  if (g_once_init_enter (&initialized))
    {
      g_autoptr(GBytes) bytes = NULL;
      g_auto(GStrv) lines = NULL;
      g_autofree char *text = NULL;
      const char *data;
      gsize len = 0;

      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      bytes = g_resource_lookup_data (tw_core_get_resource (), BLOCKLIST_RESOURCE,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      /* The list is part of the binary: its absence is a build defect. */
      if (bytes == NULL)
        g_error ("the password blocklist is missing from the core resources");
      data = g_bytes_get_data (bytes, &len);
      text = g_strndup (data, len);
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          char *line = g_strstrip (lines[i]);

          if (*line == '\0' || g_str_has_prefix (line, BLOCKLIST_COMMENT))
            continue;
          g_hash_table_add (set, g_utf8_casefold (line, -1));
        }
      g_once_init_leave (&initialized, 1);
    }
  return set;
}

guint
tw_password_blocklist_size (void)
{
  return g_hash_table_size (blocklist ());
}

void
tw_password_free (char *password)
{
  if (password == NULL)
    return;
  sodium_memzero (password, strlen (password));
  g_free (password);
}

char *
tw_password_normalize (const char *password)
{
  g_return_val_if_fail (password != NULL, NULL);
  return g_utf8_normalize (password, -1, G_NORMALIZE_NFKC);
}

/* NFKC and case folding: "PASSWORD" and "ｐａｓｓｗｏｒｄ" are the same
 * guess for an attacker. */
static char *
fold (const char *normalized)
{
  return g_utf8_casefold (normalized, -1);
}

gboolean
tw_password_is_blocklisted (const char *password)
{
  g_autofree char *normalized = NULL;
  char *folded;
  gboolean found;

  g_return_val_if_fail (password != NULL, FALSE);
  normalized = tw_password_normalize (password);
  if (normalized == NULL)
    return FALSE;
  folded = fold (normalized);
  found = g_hash_table_contains (blocklist (), folded);
  tw_password_free (folded);
  sodium_memzero (normalized, strlen (normalized));
  return found;
}

/* The password without the digits and punctuation around a word
 * ("Ana2024!" → "ana"), to compare with the context-specific words. */
static char *
core_word (const char *folded)
{
  const char *start = folded;
  const char *end = folded + strlen (folded);

  while (*start != '\0')
    {
      gunichar c = g_utf8_get_char (start);

      if (!g_unichar_isdigit (c) && !g_unichar_ispunct (c) && !g_unichar_isspace (c))
        break;
      start = g_utf8_next_char (start);
    }
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);
      gunichar c = g_utf8_get_char (prev);

      if (!g_unichar_isdigit (c) && !g_unichar_ispunct (c) && !g_unichar_isspace (c))
        break;
      end = prev;
    }
  return g_strndup (start, end - start);
}

static gboolean
is_context_word (const char *folded,
                 const char *user)
{
  char *word = core_word (folded);
  gboolean match = g_str_equal (word, SERVICE_NAME);

  if (!match && user != NULL)
    {
      g_autofree char *user_norm = tw_password_normalize (user);
      g_autofree char *user_folded = user_norm != NULL ? fold (user_norm) : NULL;

      match = user_folded != NULL && g_str_equal (word, user_folded);
    }
  tw_password_free (word);
  return match;
}

/**
 * tw_password_check:
 * @password: what the user typed (any Unicode)
 * @user: (nullable): whose password it is, so it cannot be the name
 *
 * Length after NFKC (8 … 1024 characters), the blocklist, and the
 * context-specific words. No composition rules: "correct horse battery
 * staple" passes, "P@ssw0rd" does not.
 */
gboolean
tw_password_check (const char  *password,
                   const char  *user,
                   GError     **error)
{
  g_autofree char *normalized = NULL;
  char *folded;
  glong n_chars;
  gboolean blocked;
  gboolean context;

  if (password == NULL || !g_utf8_validate (password, -1, NULL)
      || (normalized = tw_password_normalize (password)) == NULL)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD,
                           "The password is not valid text");
      return FALSE;
    }
  n_chars = g_utf8_strlen (normalized, -1);
  if (n_chars < TW_PASSWORD_MIN_CHARS)
    {
      sodium_memzero (normalized, strlen (normalized));
      g_set_error (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD,
                   "The password is too short: use at least %d characters (%d or more is better;"
                   " a few unrelated words work well)", TW_PASSWORD_MIN_CHARS,
                   TW_PASSWORD_SUGGESTED_CHARS);
      return FALSE;
    }
  if (n_chars > TW_PASSWORD_MAX_CHARS)
    {
      sodium_memzero (normalized, strlen (normalized));
      g_set_error (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD,
                   "The password is too long: use at most %d characters", TW_PASSWORD_MAX_CHARS);
      return FALSE;
    }

  folded = fold (normalized);
  sodium_memzero (normalized, strlen (normalized));
  blocked = g_hash_table_contains (blocklist (), folded);
  context = !blocked && is_context_word (folded, user);
  tw_password_free (folded);
  if (blocked)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD,
                           "This password is on a list of common passwords that attackers try"
                           " first; choose another (a few unrelated words work well)");
      return FALSE;
    }
  if (context)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_WEAK_PASSWORD,
                           "The password is too close to the user name or the program's name;"
                           " choose another (a few unrelated words work well)");
      return FALSE;
    }
  return TRUE;
}

char *
tw_password_generate_one_time (void)
{
  const gsize alphabet_len = strlen (ONE_TIME_ALPHABET);
  const gsize len = ONE_TIME_GROUPS * (ONE_TIME_GROUP_LEN + 1) - 1;
  char *password = g_malloc (len + 1);
  gsize pos = 0;

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");
  for (guint group = 0; group < ONE_TIME_GROUPS; group++)
    {
      if (group > 0)
        password[pos++] = '-';
      for (guint i = 0; i < ONE_TIME_GROUP_LEN; i++)
        password[pos++] = ONE_TIME_ALPHABET[randombytes_uniform (alphabet_len)];
    }
  password[pos] = '\0';
  g_assert (pos == len);
  return password;
}
