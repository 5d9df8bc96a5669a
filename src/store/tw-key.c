#include <sodium.h>
#include <string.h>

#include "tw-key.h"

struct _TwKey
{
  guint8 bytes[TW_KEY_BYTES];
};

static void
tw_sodium_init_once (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      if (sodium_init () < 0)
        g_error ("libsodium could not be initialised; refusing to handle keys");
      g_once_init_leave (&initialized, 1);
    }
}

static TwKey *
tw_key_alloc (void)
{
  TwKey *key;

  tw_sodium_init_once ();
  /* sodium_malloc: guard pages around, mlock()ed so it never reaches swap,
   * and sodium_free() zeroes it. */
  key = sodium_malloc (sizeof (TwKey));
  if (key == NULL)
    g_error ("could not allocate protected memory for a key");
  return key;
}

TwKey *
tw_key_new_random (void)
{
  TwKey *key = tw_key_alloc ();

  randombytes_buf (key->bytes, TW_KEY_BYTES);
  return key;
}

TwKey *
tw_key_new_from_bytes (const guint8 *bytes,
                       gsize         len)
{
  TwKey *key;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (len == TW_KEY_BYTES, NULL);

  key = tw_key_alloc ();
  memcpy (key->bytes, bytes, TW_KEY_BYTES);
  return key;
}

TwKey *
tw_key_copy (const TwKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return tw_key_new_from_bytes (key->bytes, TW_KEY_BYTES);
}

const guint8 *
tw_key_get_bytes (const TwKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return key->bytes;
}

/**
 * tw_key_to_hex_secure:
 * Returns the key as SQLCipher's raw-key literal `x'…'` in protected memory;
 * free it with tw_key_free_secure_string(), never g_free().
 */
char *
tw_key_to_hex_secure (const TwKey *key)
{
  const gsize hex_len = TW_KEY_BYTES * 2;
  const gsize size = hex_len + 4;  /* x ' hex ' NUL */
  char *text;

  g_return_val_if_fail (key != NULL, NULL);

  text = sodium_malloc (size);
  if (text == NULL)
    g_error ("could not allocate protected memory for a key");
  text[0] = 'x';
  text[1] = '\'';
  sodium_bin2hex (text + 2, hex_len + 1, key->bytes, TW_KEY_BYTES);
  text[2 + hex_len] = '\'';
  text[3 + hex_len] = '\0';
  return text;
}

void
tw_key_free_secure_string (char *text)
{
  if (text != NULL)
    sodium_free (text);
}

void
tw_key_free (TwKey *key)
{
  if (key != NULL)
    sodium_free (key);
}
