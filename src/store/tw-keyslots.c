#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "tw-error.h"
#include "tw-keyslots.h"
#include "tw-sidecar.h"

#define KEYSLOTS_FORMAT   "tidewatch-keyslots"
#define KEYSLOTS_VERSION  1
#define KEYSLOT_AD_PREFIX "tidewatch-keyslot-v1"
#define KDF_ALG_NAME      "argon2id13"
#define SALT_BYTES        crypto_pwhash_SALTBYTES
#define NONCE_BYTES       crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define WRAPPED_BYTES     (TW_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define STORE_ID_BYTES    16

typedef struct
{
  char          *user;
  TwRole         role;
  guint64        opslimit;
  gsize          memlimit;
  guint8         salt[SALT_BYTES];
  guint8         nonce[NONCE_BYTES];
  guint8         wrapped[WRAPPED_BYTES];
} TwKeyslot;

struct _TwKeyslots
{
  char      *store_id;
  TwKdfCost  default_cost;
  GPtrArray *slots;   /* TwKeyslot* */
};

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

static void
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
  g_ptr_array_unref (self->slots);
  g_free (self);
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

/* The store id, user and role are bound to the wrapped key: a slot copied
 * to another store, renamed, or given another role no longer opens. */
static GBytes *
slot_associated_data (const char *store_id,
                      const char *user,
                      TwRole      role)
{
  g_autofree char *ad = g_strdup_printf ("%s\n%s\n%s\n%s", KEYSLOT_AD_PREFIX, store_id, user,
                                         tw_role_to_string (role));
  gsize len = strlen (ad);

  return g_bytes_new_take (g_steal_pointer (&ad), len);
}

static guint8 *
derive_kek (const char *password,
            const guint8 *salt,
            guint64       opslimit,
            gsize         memlimit,
            GError      **error)
{
  guint8 *kek = sodium_malloc (crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

  if (kek == NULL)
    g_error ("could not allocate protected memory for a key");
  if (crypto_pwhash (kek, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
                     password, strlen (password), salt, opslimit, memlimit,
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

gboolean
tw_keyslots_set (TwKeyslots   *self,
                 const char   *user,
                 TwRole        role,
                 const char   *password,
                 const TwKey  *key,
                 GError      **error)
{
  g_autoptr(GBytes) ad = NULL;
  TwKeyslot *slot;
  guint8 *kek;
  unsigned long long wrapped_len = 0;
  gboolean is_new = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && *user != '\0', FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  slot = find_slot (self, user);
  if (slot == NULL)
    {
      slot = g_new0 (TwKeyslot, 1);
      slot->user = g_strdup (user);
      is_new = TRUE;
    }
  slot->role = role;
  kdf_limits (self->default_cost, &slot->opslimit, &slot->memlimit);
  randombytes_buf (slot->salt, sizeof slot->salt);
  randombytes_buf (slot->nonce, sizeof slot->nonce);

  kek = derive_kek (password, slot->salt, slot->opslimit, slot->memlimit, error);
  if (kek == NULL)
    {
      if (is_new)
        tw_keyslot_free (slot);
      return FALSE;
    }

  ad = slot_associated_data (self->store_id, user, role);
  crypto_aead_xchacha20poly1305_ietf_encrypt (slot->wrapped, &wrapped_len,
                                              tw_key_get_bytes (key), TW_KEY_BYTES,
                                              g_bytes_get_data (ad, NULL), g_bytes_get_size (ad),
                                              NULL, slot->nonce, kek);
  sodium_free (kek);
  g_assert (wrapped_len == WRAPPED_BYTES);

  if (is_new)
    g_ptr_array_add (self->slots, slot);
  return TRUE;
}

gboolean
tw_keyslots_remove (TwKeyslots *self,
                    const char *user)
{
  TwKeyslot *slot = find_slot (self, user);

  if (slot == NULL)
    return FALSE;
  return g_ptr_array_remove (self->slots, slot);
}

TwKey *
tw_keyslots_unlock (TwKeyslots  *self,
                    const char  *user,
                    const char  *password,
                    TwRole      *out_role,
                    GError     **error)
{
  g_autoptr(GBytes) ad = NULL;
  TwKeyslot *slot;
  guint8 *kek;
  guint8 *plain;
  unsigned long long plain_len = 0;
  TwKey *key = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL && password != NULL, NULL);

  slot = find_slot (self, user);
  if (slot == NULL)
    {
      guint8 salt[SALT_BYTES] = { 0 };
      guint64 opslimit;
      gsize memlimit;

      /* Spend the same time as a real attempt, so the delay does not tell
       * whether the user name exists. */
      kdf_limits (self->default_cost, &opslimit, &memlimit);
      kek = derive_kek (password, salt, opslimit, memlimit, NULL);
      if (kek != NULL)
        sodium_free (kek);
      g_set_error_literal (error, TW_ERROR, TW_ERROR_AUTH_FAILED, "Wrong user name or password");
      return NULL;
    }

  kek = derive_kek (password, slot->salt, slot->opslimit, slot->memlimit, error);
  if (kek == NULL)
    return NULL;

  plain = sodium_malloc (TW_KEY_BYTES);
  if (plain == NULL)
    g_error ("could not allocate protected memory for a key");
  ad = slot_associated_data (self->store_id, slot->user, slot->role);
  rc = crypto_aead_xchacha20poly1305_ietf_decrypt (plain, &plain_len, NULL,
                                                   slot->wrapped, WRAPPED_BYTES,
                                                   g_bytes_get_data (ad, NULL),
                                                   g_bytes_get_size (ad),
                                                   slot->nonce, kek);
  sodium_free (kek);
  if (rc == 0 && plain_len == TW_KEY_BYTES)
    {
      key = tw_key_new_from_bytes (plain, TW_KEY_BYTES);
      if (out_role != NULL)
        *out_role = slot->role;
    }
  else
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_AUTH_FAILED, "Wrong user name or password");
    }
  sodium_free (plain);
  return key;
}

/* ---- file format ------------------------------------------------------ */

static char *
to_base64 (const guint8 *data,
           gsize         len)
{
  return g_base64_encode (data, len);
}

static gboolean
from_base64 (JsonObject *obj,
             const char *member,
             guint8     *out,
             gsize       expected_len)
{
  const char *text = json_object_get_string_member_with_default (obj, member, NULL);
  g_autofree guint8 *data = NULL;
  gsize len = 0;

  if (text == NULL)
    return FALSE;
  data = g_base64_decode (text, &len);
  if (len != expected_len)
    return FALSE;
  memcpy (out, data, len);
  return TRUE;
}

static gboolean
replace_members (JsonObject  *root,
                 gpointer     user_data,
                 GError     **error)
{
  JsonObject *fresh = user_data;
  g_autoptr(GList) names = json_object_get_members (fresh);

  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (root, l->data, json_node_copy (json_object_get_member (fresh, l->data)));
  return TRUE;
}

gboolean
tw_keyslots_save (TwKeyslots  *self,
                  const char  *path,
                  GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, KEYSLOTS_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, KEYSLOTS_VERSION);
  json_builder_set_member_name (builder, "store_id");
  json_builder_add_string_value (builder, self->store_id);
  json_builder_set_member_name (builder, "kdf_cost");
  json_builder_add_string_value (builder, tw_kdf_cost_to_string (self->default_cost));
  json_builder_set_member_name (builder, "slots");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->slots->len; i++)
    {
      TwKeyslot *slot = g_ptr_array_index (self->slots, i);
      g_autofree char *salt = to_base64 (slot->salt, sizeof slot->salt);
      g_autofree char *nonce = to_base64 (slot->nonce, sizeof slot->nonce);
      g_autofree char *wrapped = to_base64 (slot->wrapped, sizeof slot->wrapped);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "user");
      json_builder_add_string_value (builder, slot->user);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, tw_role_to_string (slot->role));
      json_builder_set_member_name (builder, "kdf");
      json_builder_add_string_value (builder, KDF_ALG_NAME);
      json_builder_set_member_name (builder, "opslimit");
      json_builder_add_int_value (builder, (gint64) slot->opslimit);
      json_builder_set_member_name (builder, "memlimit");
      json_builder_add_int_value (builder, (gint64) slot->memlimit);
      json_builder_set_member_name (builder, "salt");
      json_builder_add_string_value (builder, salt);
      json_builder_set_member_name (builder, "nonce");
      json_builder_add_string_value (builder, nonce);
      json_builder_set_member_name (builder, "wrapped_key");
      json_builder_add_string_value (builder, wrapped);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  /* Only the slots' members are replaced: the audit head and whatever
   * else shares the sidecar stay as they are (tw-sidecar.h). */
  return tw_sidecar_update (path, TRUE, replace_members, json_node_get_object (root), error);
}

static gboolean
limits_are_sane (guint64 opslimit,
                 gint64  memlimit)
{
  /* A tampered file must not make us allocate terabytes. */
  return opslimit >= crypto_pwhash_OPSLIMIT_MIN && opslimit <= crypto_pwhash_OPSLIMIT_SENSITIVE
         && memlimit >= (gint64) crypto_pwhash_MEMLIMIT_MIN
         && memlimit <= (gint64) crypto_pwhash_MEMLIMIT_SENSITIVE;
}

TwKeyslots *
tw_keyslots_load (const char  *path,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(TwKeyslots) self = NULL;
  JsonObject *root;
  JsonArray *slots;
  const char *store_id;
  const char *cost_name;

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, TW_ERROR, TW_ERROR_NOT_INITIALIZED,
                     "No key file at %s: the store has not been set up", path);
      else
        g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                     "The key file %s is damaged (%s); restore it from a backup",
                     path, local_error->message);
      return NULL;
    }

  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
         ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  if (root == NULL
      || g_strcmp0 (json_object_get_string_member_with_default (root, "format", ""),
                    KEYSLOTS_FORMAT) != 0
      || json_object_get_int_member_with_default (root, "version", 0) != KEYSLOTS_VERSION
      || !json_object_has_member (root, "slots")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "slots")))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "%s is not a Tidewatch key file of a version this program knows", path);
      return NULL;
    }

  store_id = json_object_get_string_member_with_default (root, "store_id", NULL);
  cost_name = json_object_get_string_member_with_default (root, "kdf_cost", "moderate");
  self = tw_keyslots_new (TW_KDF_COST_DEFAULT);
  if (store_id == NULL || !tw_kdf_cost_from_string (cost_name, &self->default_cost))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT, "The key file %s is damaged", path);
      return NULL;
    }
  g_free (self->store_id);
  self->store_id = g_strdup (store_id);

  slots = json_object_get_array_member (root, "slots");
  for (guint i = 0; i < json_array_get_length (slots); i++)
    {
      JsonNode *node = json_array_get_element (slots, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      TwKeyslot *slot;
      const char *user;
      gint64 opslimit, memlimit;
      TwRole role;

      if (obj == NULL)
        goto corrupt;
      user = json_object_get_string_member_with_default (obj, "user", NULL);
      opslimit = json_object_get_int_member_with_default (obj, "opslimit", 0);
      memlimit = json_object_get_int_member_with_default (obj, "memlimit", 0);
      if (user == NULL
          || !tw_role_from_string (json_object_get_string_member_with_default (obj, "role", NULL),
                                   &role)
          || g_strcmp0 (json_object_get_string_member_with_default (obj, "kdf", ""),
                        KDF_ALG_NAME) != 0
          || opslimit < 0 || !limits_are_sane ((guint64) opslimit, memlimit))
        goto corrupt;

      slot = g_new0 (TwKeyslot, 1);
      slot->user = g_strdup (user);
      slot->role = role;
      slot->opslimit = (guint64) opslimit;
      slot->memlimit = (gsize) memlimit;
      if (!from_base64 (obj, "salt", slot->salt, sizeof slot->salt)
          || !from_base64 (obj, "nonce", slot->nonce, sizeof slot->nonce)
          || !from_base64 (obj, "wrapped_key", slot->wrapped, sizeof slot->wrapped))
        {
          tw_keyslot_free (slot);
          goto corrupt;
        }
      g_ptr_array_add (self->slots, slot);
    }

  return g_steal_pointer (&self);

corrupt:
  g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
               "A key slot in %s is damaged; restore the file from a backup", path);
  return NULL;
}
