#pragma once

#include <sodium.h>

#include "tw-keyslots.h"

G_BEGIN_DECLS

/* Shared by tw-keyslots.c (the cryptography) and tw-keyslots-file.c (the
 * JSON format). */

#define KEYSLOTS_FORMAT   "tidewatch-keyslots"
/* File version 2 may hold slots of both versions (each says which). */
#define KEYSLOTS_VERSION  2
#define SLOT_V1           1
#define SLOT_V2           2
#define KEYSLOT_AD_PREFIX "tidewatch-keyslot-v1"
#define USER_AD_PREFIX    "tidewatch-user-v2"
#define GRANT_AD_PREFIX   "tidewatch-grant-v2"
#define KDF_ALG_NAME      "argon2id13"
#define SALT_BYTES        crypto_pwhash_SALTBYTES
#define NONCE_BYTES       crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define AEAD_KEY_BYTES    crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define WRAPPED_BYTES     (TW_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define X25519_BYTES      crypto_scalarmult_BYTES
#define STORE_ID_BYTES    16
/* What the X25519 and AEAD code may leave on the stack below us, wiped
 * after every unwrap (sodium_stackzero). */
#define STACK_WIPE_BYTES  (16 * 1024)

G_STATIC_ASSERT (crypto_scalarmult_SCALARBYTES == TW_KEY_BYTES);
G_STATIC_ASSERT (AEAD_KEY_BYTES == TW_KEY_BYTES);

/**
 * TwKeyslot:
 * Version 1: the database key wrapped under the password (AD: store id,
 * user, role) in @nonce/@wrapped.
 * Version 2: @public_key with its secret key wrapped under the password
 * (AD: store id, user) in @nonce/@wrapped; the database key sealed to
 * @public_key from the ephemeral @grant_epk (AD: store id, user, role) in
 * @grant_nonce/@grant.
 */
typedef struct
{
  char          *user;
  TwRole         role;
  guint          version;
  guint64        opslimit;
  gsize          memlimit;
  guint8         salt[SALT_BYTES];
  guint8         nonce[NONCE_BYTES];
  guint8         wrapped[WRAPPED_BYTES];
  guint8         public_key[X25519_BYTES];
  guint8         grant_epk[X25519_BYTES];
  guint8         grant_nonce[NONCE_BYTES];
  guint8         grant[WRAPPED_BYTES];
  /* During a rekey (tw-store-rekey.c): the new database key's grant,
   * beside the old one until the store file is swapped. */
  gboolean       has_next;
  guint8         next_epk[X25519_BYTES];
  guint8         next_nonce[NONCE_BYTES];
  guint8         next_grant[WRAPPED_BYTES];
} TwKeyslot;

struct _TwKeyslots
{
  char      *store_id;
  TwKdfCost  default_cost;
  GPtrArray *slots;   /* TwKeyslot* */
  char      *path;    /* where it was loaded from: legacy slots are upgraded there */
  char      *rekey_pending;  /* basename of the store copy a staged rekey waits for */
  /* Users whose slots changed since the load: a save rewrites only those
   * (the file is shared by programs; the others' changes stay). NULL
   * for slots made in memory, which a save writes whole. */
  GHashTable *dirty;
};

void tw_keyslot_free        (TwKeyslot  *slot);
void tw_keyslots_mark_dirty (TwKeyslots *self,
                             const char *user);   /* NULL: every slot */
/* Makes the staged grants the current ones. */
void tw_keyslot_promote_next (TwKeyslot *slot);
/* Writes one upgraded (formerly version 1) slot back to the file. */
void tw_keyslots_persist_upgrade (TwKeyslots *self,
                                  TwKeyslot  *slot);

G_END_DECLS
