#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TW_KEY_BYTES 32

/**
 * TwKey:
 * A 256-bit secret that lives only in sodium_malloc() memory (guarded pages,
 * locked against swap) and is wiped when freed.
 */
typedef struct _TwKey TwKey;

TwKey        *tw_key_new_random    (void);
TwKey        *tw_key_new_from_bytes (const guint8 *bytes,
                                     gsize         len);
TwKey        *tw_key_copy          (const TwKey  *key);
const guint8 *tw_key_get_bytes     (const TwKey  *key);
char         *tw_key_to_hex_secure (const TwKey  *key);
void          tw_key_free_secure_string (char *text);
void          tw_key_free          (TwKey        *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwKey, tw_key_free)

G_END_DECLS
