#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "tw-error.h"
#include "tw-keyslots-private.h"
#include "tw-password.h"

static const char *cost_names[] = { "min", "interactive", "moderate", "sensitive" };

gboolean
tw_kdf_cost_from_string (const char *text,
                         TwKdfCost  *out_cost)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (cost_names); i++)
    {
      if (g_str_equal (text, cost_names[i]))
        {
          *out_cost = (TwKdfCost) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
tw_kdf_cost_to_string (TwKdfCost cost)
{
  g_return_val_if_fail (cost <= TW_KDF_COST_SENSITIVE, "moderate");
  return cost_names[cost];
}

static void
kdf_limits (TwKdfCost  cost,
            guint64   *opslimit,
            gsize     *memlimit)
{
  switch (cost)
    {
    case TW_KDF_COST_MIN:
      *opslimit = crypto_pwhash_OPSLIMIT_MIN;
      *memlimit = crypto_pwhash_MEMLIMIT_MIN;
      break;
    case TW_KDF_COST_INTERACTIVE:
      *opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
      *memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
      break;
    case TW_KDF_COST_SENSITIVE:
      *opslimit = crypto_pwhash_OPSLIMIT_SENSITIVE;
      *memlimit = crypto_pwhash_MEMLIMIT_SENSITIVE;
      break;
    case TW_KDF_COST_MODERATE:
    default:
      *opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
      *memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
      break;
    }
}

void
tw_keyslot_free (TwKeyslot *slot)
{
  g_free (slot->user);
  sodium_memzero (slot, sizeof *slot);
  g_free (slot);
}

TwKeyslots *
tw_keyslots_new (TwKdfCost default_cost)
{
  TwKeyslots *self = g_new0 (TwKeyslots, 1);
  guint8 id[STORE_ID_BYTES];

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");
  randombytes_buf (id, sizeof id);
  self->store_id = g_malloc (STORE_ID_BYTES * 2 + 1);
  sodium_bin2hex (self->store_id, STORE_ID_BYTES * 2 + 1, id, sizeof id);
  self->default_cost = default_cost;
  self->slots = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_keyslot_free);
  return self;
}

void
tw_keyslots_free (TwKeyslots *self)
{
  if (self == NULL)
    return;
  g_free (self->store_id);
  g_free (self->path);
  g_free (self->rekey_pending);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_ptr_array_unref (self->slots);
  g_free (self);
}

void
tw_keyslots_mark_dirty (TwKeyslots *self,
                        const char *user)
{
  if (self->dirty == NULL)
    return;
  if (user != NULL)
    {
      g_hash_table_add (self->dirty, g_strdup (user));
      return;
    }
  for (guint i = 0; i < self->slots->len; i++)
    g_hash_table_add (self->dirty, g_strdup (((TwKeyslot *) g_ptr_array_index (self->slots, i))->user));
}

const char *
tw_keyslots_get_store_id (TwKeyslots *self)
{
  return self->store_id;
}

TwKdfCost
tw_keyslots_get_default_cost (TwKeyslots *self)
{
  return self->default_cost;
}

static TwKeyslot *
find_slot (TwKeyslots *self,
           const char *user)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      TwKeyslot *slot = g_ptr_array_index (self->slots, i);

      if (g_str_equal (slot->user, user))
        return slot;
    }
  return NULL;
}

gboolean
tw_keyslots_has_user (TwKeyslots *self,
                      const char *user)
{
  return find_slot (self, user) != NULL;
}

GStrv
tw_keyslots_list_users (TwKeyslots *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv users;

  for (guint i = 0; i < self->slots->len; i++)
    g_strv_builder_add (builder, ((TwKeyslot *) g_ptr_array_index (self->slots, i))->user);
  users = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return users;
}

/* ---- associated data ---------------------------------------------------
 * The store id, user and role are bound to what is wrapped: a slot copied
 * to another store, renamed, or given another role no longer opens. */

static GBytes *
make_ad (const char *prefix,
         const char *store_id,
         const char *user,
         const char *role)
{
  char *ad = role != NULL ? g_strdup_printf ("%s\n%s\n%s\n%s", prefix, store_id, user, role)
                          : g_strdup_printf ("%s\n%s\n%s", prefix, store_id, user);
  gsize len = strlen (ad);

  return g_bytes_new_take (ad, len);
}

static GBytes *
legacy_ad (TwKeyslots *self,
           TwKeyslot  *slot)
{
  return make_ad (KEYSLOT_AD_PREFIX, self->store_id, slot->user, tw_role_to_string (slot->role));
}

static GBytes *
user_ad (TwKeyslots *self,
         TwKeyslot  *slot)
{
  return make_ad (USER_AD_PREFIX, self->store_id, slot->user, NULL);
}

static GBytes *
grant_ad (TwKeyslots *self,
          TwKeyslot  *slot)
{
  return make_ad (GRANT_AD_PREFIX, self->store_id, slot->user, tw_role_to_string (slot->role));
}

static guint8 *
secure_alloc (gsize len)
{
  guint8 *mem = sodium_malloc (len);

  if (mem == NULL)
    g_error ("could not allocate protected memory for a key");
  return mem;
}

static guint8 *
derive_kek (const char   *password,
            const guint8 *salt,
            guint64       opslimit,
            gsize         memlimit,
            GError      **error)
{
  guint8 *kek = secure_alloc (AEAD_KEY_BYTES);

  if (crypto_pwhash (kek, AEAD_KEY_BYTES, password, strlen (password), salt, opslimit, memlimit,
                     crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      sodium_free (kek);
      g_set_error (error, TW_ERROR, TW_ERROR_FAILED,
                   "Not enough memory to check the password (Argon2id needs %zu MiB)",
                   memlimit / (1024 * 1024));
      return NULL;
    }
  return kek;
}

/* Version 2 derives from the NFKC form (tw-password.h), so é typed either
 * way opens the slot. */
static guint8 *
derive_kek_v2 (const char   *password,
               const guint8 *salt,
               guint64       opslimit,
               gsize         memlimit,
               GError      **error)
{
  char *normalized = tw_password_normalize (password);
  guint8 *kek;

  if (normalized == NULL)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_AUTH_FAILED, "Wrong user name or password");
      return NULL;
    }
  kek = derive_kek (normalized, salt, opslimit, memlimit, error);
  tw_password_free (normalized);
  return kek;
}

static void
aead_seal (guint8       *out_wrapped,
           guint8       *out_nonce,
           const guint8 *plain,
           GBytes       *ad,
           const guint8 *kek)
{
  unsigned long long len = 0;

  randombytes_buf (out_nonce, NONCE_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (out_wrapped, &len, plain, TW_KEY_BYTES,
                                              g_bytes_get_data (ad, NULL), g_bytes_get_size (ad),
                                              NULL, out_nonce, kek);
  g_assert (len == WRAPPED_BYTES);
}

/* The 32 bytes inside, in sodium memory; NULL when the tag is wrong. */
static guint8 *
aead_open (const guint8 *wrapped,
           const guint8 *nonce,
           GBytes       *ad,
           const guint8 *kek)
{
  guint8 *plain = secure_alloc (TW_KEY_BYTES);
  unsigned long long len = 0;

  if (crypto_aead_xchacha20poly1305_ietf_decrypt (plain, &len, NULL, wrapped, WRAPPED_BYTES,
                                                  g_bytes_get_data (ad, NULL),
                                                  g_bytes_get_size (ad), nonce, kek) != 0
      || len != TW_KEY_BYTES)
    {
      sodium_free (plain);
      return NULL;
    }
  return plain;
}

/* X25519 between @secret and @peer, hashed with both public keys (as
 * crypto_kx does) into a one-use AEAD key. FALSE for a low-order point. */
static gboolean
grant_key (guint8       *out_key,
           const guint8 *secret,
           const guint8 *peer,
           const guint8 *epk,
           const guint8 *user_pk)
{
  guint8 *shared = secure_alloc (X25519_BYTES);
  crypto_generichash_state state;
  gboolean ok = crypto_scalarmult (shared, secret, peer) == 0;

  if (ok)
    {
      crypto_generichash_init (&state, NULL, 0, AEAD_KEY_BYTES);
      crypto_generichash_update (&state, shared, X25519_BYTES);
      crypto_generichash_update (&state, epk, X25519_BYTES);
      crypto_generichash_update (&state, user_pk, X25519_BYTES);
      crypto_generichash_final (&state, out_key, AEAD_KEY_BYTES);
    }
  sodium_memzero (&state, sizeof state);
  sodium_free (shared);
  return ok;
}

/* Seals @key to the slot's public key with its current role bound: no
 * password needed, so an admin can do it for anyone. */
static gboolean
seal_grant_into (TwKeyslots   *self,
                 TwKeyslot    *slot,
                 const TwKey  *key,
                 guint8       *out_epk,
                 guint8       *out_nonce,
                 guint8       *out_grant,
                 GError      **error)
{
  g_autoptr(GBytes) ad = grant_ad (self, slot);
  guint8 *esk = secure_alloc (X25519_BYTES);
  guint8 *gk = secure_alloc (AEAD_KEY_BYTES);
  gboolean ok;

  randombytes_buf (esk, X25519_BYTES);
  crypto_scalarmult_base (out_epk, esk);
  ok = grant_key (gk, esk, slot->public_key, out_epk, slot->public_key);
  if (ok)
    aead_seal (out_grant, out_nonce, tw_key_get_bytes (key), ad, gk);
  else
    g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                 "The public key of ‘%s’ in the key file is invalid; set a new password for"
                 " the user", slot->user);
  sodium_free (gk);
  sodium_free (esk);
  return ok;
}

static gboolean
seal_grant (TwKeyslots   *self,
            TwKeyslot    *slot,
            const TwKey  *key,
            GError      **error)
{
  return seal_grant_into (self, slot, key, slot->grant_epk, slot->grant_nonce, slot->grant, error);
}

static TwKey *
open_grant (TwKeyslots   *self,
            TwKeyslot    *slot,
            const guint8 *secret)
{
  g_autoptr(GBytes) ad = grant_ad (self, slot);
  guint8 *gk = secure_alloc (AEAD_KEY_BYTES);
  guint8 *plain = NULL;
  TwKey *key = NULL;

  if (grant_key (gk, secret, slot->grant_epk, slot->grant_epk, slot->public_key))
    plain = aead_open (slot->grant, slot->grant_nonce, ad, gk);
  sodium_free (gk);
  if (plain != NULL)
    {
      key = tw_key_new_from_bytes (plain, TW_KEY_BYTES);
      sodium_free (plain);
    }
  return key;
}

/* Makes @slot a version 2 slot: a new key pair whose secret key is
 * wrapped under @kek (derived by the caller from the NFKC password with
 * the slot's salt and limits), and @key sealed to it. */
static gboolean
make_v2 (TwKeyslots   *self,
         TwKeyslot    *slot,
         const guint8 *kek,
         const TwKey  *key,
         GError      **error)
{
  g_autoptr(GBytes) ad = NULL;
  guint8 *secret = secure_alloc (X25519_BYTES);

  slot->version = SLOT_V2;
  randombytes_buf (secret, X25519_BYTES);
  crypto_scalarmult_base (slot->public_key, secret);
  ad = user_ad (self, slot);
  aead_seal (slot->wrapped, slot->nonce, secret, ad, kek);
  sodium_free (secret);
  return seal_grant (self, slot, key, error);
}

static void
new_salt_and_limits (TwKeyslots *self,
                     TwKeyslot  *slot)
{
  kdf_limits (self->default_cost, &slot->opslimit, &slot->memlimit);
  randombytes_buf (slot->salt, sizeof slot->salt);
}

gboolean
tw_keyslots_set (TwKeyslots   *self,
                 const char   *user,
                 TwRole        role,
                 const char   *password,
                 const TwKey  *key,
                 GError      **error)
{
  TwKeyslot *slot;
  TwKeyslot draft = { 0 };
  char *name;
  guint8 *kek;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && *user != '\0', FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  /* Built aside, so a failure leaves the old slot as it was. */
  draft.user = (char *) user;
  draft.role = role;
  new_salt_and_limits (self, &draft);
  kek = derive_kek_v2 (password, draft.salt, draft.opslimit, draft.memlimit, error);
  if (kek == NULL)
    return FALSE;
  ok = make_v2 (self, &draft, kek, key, error);
  sodium_free (kek);
  sodium_stackzero (STACK_WIPE_BYTES);
  if (!ok)
    return FALSE;

  slot = find_slot (self, user);
  if (slot == NULL)
    {
      slot = g_new0 (TwKeyslot, 1);
      g_ptr_array_add (self->slots, slot);
    }
  name = g_strdup (user);  /* @user may be slot->user itself */
  g_free (slot->user);
  *slot = draft;
  slot->user = name;
  tw_keyslots_mark_dirty (self, name);
  sodium_memzero (&draft, sizeof draft);
  return TRUE;
}

gboolean
tw_keyslots_remove (TwKeyslots *self,
                    const char *user)
{
  TwKeyslot *slot = find_slot (self, user);

  if (slot == NULL)
    return FALSE;
  tw_keyslots_mark_dirty (self, user);
  return g_ptr_array_remove (self->slots, slot);
}

static void
set_auth_failed (GError **error)
{
  g_set_error_literal (error, TW_ERROR, TW_ERROR_AUTH_FAILED, "Wrong user name or password");
}

/* Version 1: the password opens the database key directly. Returns the
 * key and, in @out_kek, the key that opened it (for an upgrade). */
static TwKey *
unlock_v1 (TwKeyslots  *self,
           TwKeyslot   *slot,
           const char  *password,
           guint8     **out_kek,
           GError     **error)
{
  g_autoptr(GBytes) ad = legacy_ad (self, slot);
  guint8 *kek = derive_kek (password, slot->salt, slot->opslimit, slot->memlimit, error);
  guint8 *plain;
  TwKey *key;

  if (kek == NULL)
    return NULL;
  plain = aead_open (slot->wrapped, slot->nonce, ad, kek);
  if (plain == NULL)
    {
      sodium_free (kek);
      set_auth_failed (error);
      return NULL;
    }
  key = tw_key_new_from_bytes (plain, TW_KEY_BYTES);
  sodium_free (plain);
  *out_kek = kek;
  return key;
}

/* Version 2: the password opens the secret key (into sodium memory),
 * which opens the grant. */
static guint8 *
unwrap_secret (TwKeyslots  *self,
               TwKeyslot   *slot,
               const char  *password,
               GError     **error)
{
  g_autoptr(GBytes) ad = user_ad (self, slot);
  guint8 *kek = derive_kek_v2 (password, slot->salt, slot->opslimit, slot->memlimit, error);
  guint8 *secret;

  if (kek == NULL)
    return NULL;
  secret = aead_open (slot->wrapped, slot->nonce, ad, kek);
  sodium_free (kek);
  if (secret == NULL)
    set_auth_failed (error);
  return secret;
}

static TwKey *
unlock_v2 (TwKeyslots  *self,
           TwKeyslot   *slot,
           const char  *password,
           GError     **error)
{
  guint8 *secret = unwrap_secret (self, slot, password, error);
  TwKey *key;

  if (secret == NULL)
    return NULL;
  key = open_grant (self, slot, secret);
  sodium_free (secret);
  if (key == NULL)
    /* The password was right, so the grant itself was changed: a role or
     * store id edited in the file. Still an authentication failure (it
     * counts towards the lockout), but one that says what to look at. */
    g_set_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED,
                 "The key slot of ‘%s’ does not match its role or store (was the key file"
                 " edited?); an administrator must check it", slot->user);
  return key;
}

/* A legacy slot that just opened becomes version 2 in memory and, when
 * the slots came from a file, in that file. The Argon2id result is reused
 * when the password is already in NFKC form (the usual case), so the
 * upgrade costs no second key derivation. */
static void
upgrade_slot (TwKeyslots  *self,
              TwKeyslot   *slot,
              const char  *password,
              guint8      *v1_kek,
              const TwKey *key)
{
  char *normalized = tw_password_normalize (password);
  TwKeyslot draft = *slot;
  guint8 *kek = v1_kek;
  g_autoptr(GError) error = NULL;

  if (normalized == NULL)
    return;
  if (!g_str_equal (normalized, password))
    {
      new_salt_and_limits (self, &draft);
      kek = derive_kek (normalized, draft.salt, draft.opslimit, draft.memlimit, NULL);
    }
  tw_password_free (normalized);
  if (kek == NULL)
    return;
  if (make_v2 (self, &draft, kek, key, &error))
    {
      *slot = draft;
      tw_keyslots_mark_dirty (self, slot->user);
      tw_keyslots_persist_upgrade (self, slot);
    }
  else
    g_warning ("Could not upgrade the key slot of ‘%s’: %s", slot->user, error->message);
  if (kek != v1_kek)
    sodium_free (kek);
  sodium_memzero (&draft, sizeof draft);
}

TwKey *
tw_keyslots_unlock (TwKeyslots  *self,
                    const char  *user,
                    const char  *password,
                    TwRole      *out_role,
                    GError     **error)
{
  TwKeyslot *slot;
  TwKey *key = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL && password != NULL, NULL);

  slot = find_slot (self, user);
  if (slot == NULL)
    {
      guint8 salt[SALT_BYTES] = { 0 };
      guint64 opslimit;
      gsize memlimit;
      guint8 *kek;

      /* Spend the same time as a real attempt, so the delay does not tell
       * whether the user name exists. */
      kdf_limits (self->default_cost, &opslimit, &memlimit);
      kek = derive_kek (password, salt, opslimit, memlimit, NULL);
      if (kek != NULL)
        sodium_free (kek);
      set_auth_failed (error);
      return NULL;
    }

  if (slot->version == SLOT_V1)
    {
      guint8 *kek = NULL;

      key = unlock_v1 (self, slot, password, &kek, error);
      if (key != NULL)
        {
          upgrade_slot (self, slot, password, kek, key);
          sodium_free (kek);
        }
    }
  else
    key = unlock_v2 (self, slot, password, error);

  if (key != NULL && out_role != NULL)
    *out_role = slot->role;
  sodium_stackzero (STACK_WIPE_BYTES);
  return key;
}

gboolean
tw_keyslots_get_role (TwKeyslots *self,
                      const char *user,
                      TwRole     *out_role)
{
  TwKeyslot *slot;

  g_return_val_if_fail (self != NULL && user != NULL, FALSE);
  slot = find_slot (self, user);
  if (slot == NULL)
    return FALSE;
  if (out_role != NULL)
    *out_role = slot->role;
  return TRUE;
}

gboolean
tw_keyslots_is_legacy (TwKeyslots *self,
                       const char *user)
{
  TwKeyslot *slot;

  g_return_val_if_fail (self != NULL && user != NULL, FALSE);
  slot = find_slot (self, user);
  return slot != NULL && slot->version == SLOT_V1;
}

static TwKeyslot *
find_slot_or_error (TwKeyslots  *self,
                    const char  *user,
                    GError     **error)
{
  TwKeyslot *slot = find_slot (self, user);

  if (slot == NULL)
    g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND, "‘%s’ has no key slot", user);
  return slot;
}

gboolean
tw_keyslots_grant (TwKeyslots   *self,
                   const char   *user,
                   TwRole        role,
                   const TwKey  *key,
                   GError      **error)
{
  TwKeyslot *slot;
  TwRole old_role;
  gboolean ok;

  g_return_val_if_fail (self != NULL && user != NULL && key != NULL, FALSE);
  slot = find_slot_or_error (self, user, error);
  if (slot == NULL)
    return FALSE;
  if (slot->version == SLOT_V1)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "The key slot of ‘%s’ is of the old kind and can only be changed with the"
                   " user's password; %s must sign in once first (that upgrades it)",
                   user, user);
      return FALSE;
    }
  old_role = slot->role;
  slot->role = role;
  ok = seal_grant (self, slot, key, error);
  if (!ok)
    slot->role = old_role;
  else
    tw_keyslots_mark_dirty (self, user);
  sodium_stackzero (STACK_WIPE_BYTES);
  return ok;
}

gboolean
tw_keyslots_change_password (TwKeyslots  *self,
                             const char  *user,
                             const char  *old_password,
                             const char  *new_password,
                             GError     **error)
{
  TwKeyslot *slot;
  TwKeyslot draft;
  g_autoptr(GBytes) ad = NULL;
  guint8 *secret;
  guint8 *kek;

  g_return_val_if_fail (self != NULL && user != NULL, FALSE);
  g_return_val_if_fail (old_password != NULL && new_password != NULL, FALSE);

  slot = find_slot (self, user);
  if (slot == NULL)
    {
      set_auth_failed (error);
      return FALSE;
    }
  if (slot->version == SLOT_V1)
    {
      /* No key pair yet: open the database key and make a new slot. */
      g_autoptr(TwKey) key = NULL;
      guint8 *v1_kek = NULL;
      gboolean ok;

      key = unlock_v1 (self, slot, old_password, &v1_kek, error);
      if (key == NULL)
        return FALSE;
      sodium_free (v1_kek);
      ok = tw_keyslots_set (self, user, slot->role, new_password, key, error);
      sodium_stackzero (STACK_WIPE_BYTES);
      return ok;
    }

  secret = unwrap_secret (self, slot, old_password, error);
  if (secret == NULL)
    return FALSE;
  /* Only the secret key is re-wrapped; the grant stays as it is. */
  draft = *slot;
  new_salt_and_limits (self, &draft);
  kek = derive_kek_v2 (new_password, draft.salt, draft.opslimit, draft.memlimit, error);
  if (kek != NULL)
    {
      ad = user_ad (self, &draft);
      aead_seal (draft.wrapped, draft.nonce, secret, ad, kek);
      sodium_free (kek);
      *slot = draft;
      tw_keyslots_mark_dirty (self, user);
    }
  sodium_free (secret);
  sodium_memzero (&draft, sizeof draft);
  sodium_stackzero (STACK_WIPE_BYTES);
  return kek != NULL;
}


/* ---- rekey -------------------------------------------------------------- */

GStrv
tw_keyslots_list_legacy (TwKeyslots *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv users;

  for (guint i = 0; i < self->slots->len; i++)
    {
      TwKeyslot *slot = g_ptr_array_index (self->slots, i);

      if (slot->version == SLOT_V1)
        g_strv_builder_add (builder, slot->user);
    }
  users = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return users;
}

gboolean
tw_keyslots_stage_rekey (TwKeyslots   *self,
                         const TwKey  *new_key,
                         const char   *pending_path,
                         GError      **error)
{
  g_auto(GStrv) legacy = NULL;

  g_return_val_if_fail (self != NULL && new_key != NULL && pending_path != NULL, FALSE);
  legacy = tw_keyslots_list_legacy (self);
  if (legacy[0] != NULL)
    {
      g_autofree char *names = g_strjoinv (", ", legacy);

      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "The key slots of %s are of the old kind and cannot take a new key without"
                   " their passwords; they must sign in once first", names);
      return FALSE;
    }
  for (guint i = 0; i < self->slots->len; i++)
    {
      TwKeyslot *slot = g_ptr_array_index (self->slots, i);

      if (!seal_grant_into (self, slot, new_key, slot->next_epk, slot->next_nonce,
                            slot->next_grant, error))
        return FALSE;
      slot->has_next = TRUE;
    }
  tw_keyslots_mark_dirty (self, NULL);
  sodium_stackzero (STACK_WIPE_BYTES);
  g_free (self->rekey_pending);
  self->rekey_pending = g_path_get_basename (pending_path);
  return TRUE;
}

void
tw_keyslot_promote_next (TwKeyslot *slot)
{
  if (!slot->has_next)
    return;
  memcpy (slot->grant_epk, slot->next_epk, sizeof slot->grant_epk);
  memcpy (slot->grant_nonce, slot->next_nonce, sizeof slot->grant_nonce);
  memcpy (slot->grant, slot->next_grant, sizeof slot->grant);
  slot->has_next = FALSE;
}

void
tw_keyslots_finish_rekey (TwKeyslots *self)
{
  for (guint i = 0; i < self->slots->len; i++)
    tw_keyslot_promote_next (g_ptr_array_index (self->slots, i));
  tw_keyslots_mark_dirty (self, NULL);
  g_clear_pointer (&self->rekey_pending, g_free);
}
