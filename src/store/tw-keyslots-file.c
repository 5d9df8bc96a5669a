#include <json-glib/json-glib.h>
#include <string.h>

#include "tw-error.h"
#include "tw-keyslots-private.h"
#include "tw-sidecar.h"

#define REKEY_PENDING_MEMBER "rekey_pending"

/* ---- file format ------------------------------------------------------ */

static void
add_base64 (JsonBuilder  *builder,
            const char   *member,
            const guint8 *data,
            gsize         len)
{
  g_autofree char *text = g_base64_encode (data, len);

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, text);
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

static void
add_slot (JsonBuilder *builder,
          TwKeyslot   *slot)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, slot->user);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, slot->version);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, tw_role_to_string (slot->role));
  json_builder_set_member_name (builder, "kdf");
  json_builder_add_string_value (builder, KDF_ALG_NAME);
  json_builder_set_member_name (builder, "opslimit");
  json_builder_add_int_value (builder, (gint64) slot->opslimit);
  json_builder_set_member_name (builder, "memlimit");
  json_builder_add_int_value (builder, (gint64) slot->memlimit);
  add_base64 (builder, "salt", slot->salt, sizeof slot->salt);
  add_base64 (builder, "nonce", slot->nonce, sizeof slot->nonce);
  if (slot->version == SLOT_V1)
    {
      add_base64 (builder, "wrapped_key", slot->wrapped, sizeof slot->wrapped);
    }
  else
    {
      add_base64 (builder, "public_key", slot->public_key, sizeof slot->public_key);
      add_base64 (builder, "wrapped_secret_key", slot->wrapped, sizeof slot->wrapped);
      add_base64 (builder, "grant_ephemeral_key", slot->grant_epk, sizeof slot->grant_epk);
      add_base64 (builder, "grant_nonce", slot->grant_nonce, sizeof slot->grant_nonce);
      add_base64 (builder, "grant", slot->grant, sizeof slot->grant);
      if (slot->has_next)
        {
          add_base64 (builder, "next_grant_ephemeral_key", slot->next_epk, sizeof slot->next_epk);
          add_base64 (builder, "next_grant_nonce", slot->next_nonce, sizeof slot->next_nonce);
          add_base64 (builder, "next_grant", slot->next_grant, sizeof slot->next_grant);
        }
    }
  json_builder_end_object (builder);
}

static JsonNode *
slot_to_node (TwKeyslot *slot)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  add_slot (builder, slot);
  return json_builder_get_root (builder);
}

typedef struct
{
  JsonObject *fresh;   /* the members as this program has them */
  GHashTable *dirty;   /* NULL: replace every slot */
} Save;

static JsonObject *
find_user_in (JsonArray  *slots,
              const char *user)
{
  for (guint i = 0; slots != NULL && i < json_array_get_length (slots); i++)
    {
      JsonNode *node = json_array_get_element (slots, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (obj != NULL
          && g_strcmp0 (json_object_get_string_member_with_default (obj, "user", NULL), user) == 0)
        return obj;
    }
  return NULL;
}

/* The file's slots with the changed users' replaced, removed or added:
 * another program's change to another user, saved since we loaded, is
 * kept. */
static JsonArray *
merge_slots (JsonArray  *current,
             JsonArray  *fresh,
             GHashTable *dirty)
{
  JsonArray *merged = json_array_new ();
  g_autoptr(GHashTable) written = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; current != NULL && i < json_array_get_length (current); i++)
    {
      JsonNode *node = json_array_get_element (current, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *user = obj != NULL ? json_object_get_string_member_with_default (obj, "user", NULL)
                                     : NULL;
      JsonObject *mine;

      if (user == NULL || !g_hash_table_contains (dirty, user))
        {
          json_array_add_element (merged, json_node_copy (node));
          continue;
        }
      mine = find_user_in (fresh, user);
      if (mine != NULL)
        json_array_add_object_element (merged, json_object_ref (mine));
      g_hash_table_add (written, (gpointer) user);
    }
  for (guint i = 0; i < json_array_get_length (fresh); i++)
    {
      JsonObject *mine = json_array_get_object_element (fresh, i);
      const char *user = json_object_get_string_member (mine, "user");

      if (g_hash_table_contains (dirty, user) && !g_hash_table_contains (written, user))
        json_array_add_object_element (merged, json_object_ref (mine));
    }
  return merged;
}

static gboolean
replace_members (JsonObject  *root,
                 gpointer     user_data,
                 GError     **error)
{
  Save *save = user_data;
  g_autoptr(GList) names = json_object_get_members (save->fresh);

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (save->fresh, l->data);

      if (save->dirty != NULL && g_str_equal (l->data, "slots"))
        {
          JsonNode *current = json_object_get_member (root, "slots");

          json_object_set_array_member (root, "slots",
                                        merge_slots (current != NULL && JSON_NODE_HOLDS_ARRAY (current)
                                                     ? json_node_get_array (current) : NULL,
                                                     json_node_get_array (node), save->dirty));
        }
      else
        json_object_set_member (root, l->data, json_node_copy (node));
    }
  /* A rekey marker goes when the slots no longer wait for a swap. */
  if (!json_object_has_member (save->fresh, REKEY_PENDING_MEMBER))
    json_object_remove_member (root, REKEY_PENDING_MEMBER);
  return TRUE;
}

gboolean
tw_keyslots_save (TwKeyslots  *self,
                  const char  *path,
                  GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  Save save;

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
    add_slot (builder, g_ptr_array_index (self->slots, i));
  json_builder_end_array (builder);
  if (self->rekey_pending != NULL)
    {
      json_builder_set_member_name (builder, REKEY_PENDING_MEMBER);
      json_builder_add_string_value (builder, self->rekey_pending);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  /* Only the slots' members are replaced: the audit head and whatever
   * else shares the sidecar stay as they are (tw-sidecar.h). Slots loaded
   * from @path are merged user by user; others replace the file's. */
  save.fresh = json_node_get_object (root);
  save.dirty = g_strcmp0 (self->path, path) == 0 ? self->dirty : NULL;
  if (!tw_sidecar_update (path, TRUE, replace_members, &save, error))
    return FALSE;
  if (self->dirty != NULL)
    g_hash_table_remove_all (self->dirty);
  else
    self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (self->path == NULL)
    self->path = g_strdup (path);
  return TRUE;
}

typedef struct
{
  TwKeyslot *slot;
  char      *old_salt;   /* base64, what the file must still hold */
} Upgrade;

/* Replaces the one legacy slot, only if the file still holds the slot we
 * opened (another program may have changed it since we read it). */
static gboolean
replace_legacy_slot (JsonObject  *root,
                     gpointer     user_data,
                     GError     **error)
{
  Upgrade *upgrade = user_data;
  JsonArray *slots;

  if (!json_object_has_member (root, "slots")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "slots")))
    return FALSE;
  slots = json_object_get_array_member (root, "slots");
  for (guint i = 0; i < json_array_get_length (slots); i++)
    {
      JsonNode *node = json_array_get_element (slots, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (obj != NULL
          && g_strcmp0 (json_object_get_string_member_with_default (obj, "user", NULL),
                        upgrade->slot->user) == 0
          && json_object_get_int_member_with_default (obj, "version", SLOT_V1) == SLOT_V1
          && g_strcmp0 (json_object_get_string_member_with_default (obj, "salt", NULL),
                        upgrade->old_salt) == 0)
        {
          json_array_remove_element (slots, i);
          json_array_add_element (slots, slot_to_node (upgrade->slot));
          json_object_set_int_member (root, "version", KEYSLOTS_VERSION);
          return TRUE;
        }
    }
  g_set_error_literal (error, TW_ERROR, TW_ERROR_NOT_FOUND, "the slot changed meanwhile");
  return FALSE;
}

void
tw_keyslots_persist_upgrade (TwKeyslots *self,
                 TwKeyslot  *slot)
{
  g_autoptr(GError) error = NULL;
  Upgrade upgrade = { slot, NULL };

  if (self->path == NULL)
    return;
  upgrade.old_salt = g_base64_encode (slot->salt, sizeof slot->salt);
  /* Not fatal: the legacy slot still opens, the next sign-in tries again. */
  if (!tw_sidecar_update (self->path, FALSE, replace_legacy_slot, &upgrade, &error)
      && !g_error_matches (error, TW_ERROR, TW_ERROR_NOT_FOUND))
    g_warning ("Could not upgrade the key slot of ‘%s’ in %s: %s", slot->user, self->path,
               error->message);
  g_free (upgrade.old_salt);
}

/* A rekey was interrupted between staging and cleaning up (see
 * tw-store-rekey.c): if the copy it waited for still exists, the swap
 * did not happen and the old grants open the store; if it is gone, it
 * was renamed over the store and the new grants do. Either way the next
 * save writes the resolved state. */
static void
resolve_rekey (TwKeyslots *self,
               const char *path,
               const char *pending_name)
{
  g_autofree char *dir = NULL;
  g_autofree char *pending = NULL;
  gboolean swapped;

  if (pending_name == NULL || strchr (pending_name, '/') != NULL)
    swapped = FALSE;
  else
    {
      dir = g_path_get_dirname (path);
      pending = g_build_filename (dir, pending_name, NULL);
      swapped = !g_file_test (pending, G_FILE_TEST_EXISTS);
    }
  for (guint i = 0; i < self->slots->len; i++)
    {
      TwKeyslot *slot = g_ptr_array_index (self->slots, i);

      if (swapped)
        tw_keyslot_promote_next (slot);
      slot->has_next = FALSE;
    }
  /* The next save writes the resolved grants and drops the marker. */
  if (pending_name != NULL)
    tw_keyslots_mark_dirty (self, NULL);
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

static TwKeyslot *
slot_from_object (JsonObject *obj)
{
  TwKeyslot *slot;
  const char *user;
  gint64 opslimit, memlimit, version;
  TwRole role;
  gboolean ok;

  user = json_object_get_string_member_with_default (obj, "user", NULL);
  version = json_object_get_int_member_with_default (obj, "version", SLOT_V1);
  opslimit = json_object_get_int_member_with_default (obj, "opslimit", 0);
  memlimit = json_object_get_int_member_with_default (obj, "memlimit", 0);
  if (user == NULL
      || (version != SLOT_V1 && version != SLOT_V2)
      || !tw_role_from_string (json_object_get_string_member_with_default (obj, "role", NULL),
                               &role)
      || g_strcmp0 (json_object_get_string_member_with_default (obj, "kdf", ""),
                    KDF_ALG_NAME) != 0
      || opslimit < 0 || !limits_are_sane ((guint64) opslimit, memlimit))
    return NULL;

  slot = g_new0 (TwKeyslot, 1);
  slot->user = g_strdup (user);
  slot->role = role;
  slot->version = (guint) version;
  slot->opslimit = (guint64) opslimit;
  slot->memlimit = (gsize) memlimit;
  ok = from_base64 (obj, "salt", slot->salt, sizeof slot->salt)
       && from_base64 (obj, "nonce", slot->nonce, sizeof slot->nonce);
  if (slot->version == SLOT_V1)
    ok = ok && from_base64 (obj, "wrapped_key", slot->wrapped, sizeof slot->wrapped);
  else
    ok = ok && from_base64 (obj, "public_key", slot->public_key, sizeof slot->public_key)
         && from_base64 (obj, "wrapped_secret_key", slot->wrapped, sizeof slot->wrapped)
         && from_base64 (obj, "grant_ephemeral_key", slot->grant_epk, sizeof slot->grant_epk)
         && from_base64 (obj, "grant_nonce", slot->grant_nonce, sizeof slot->grant_nonce)
         && from_base64 (obj, "grant", slot->grant, sizeof slot->grant);
  if (ok && slot->version == SLOT_V2 && json_object_has_member (obj, "next_grant"))
    {
      slot->has_next = TRUE;
      ok = from_base64 (obj, "next_grant_ephemeral_key", slot->next_epk, sizeof slot->next_epk)
           && from_base64 (obj, "next_grant_nonce", slot->next_nonce, sizeof slot->next_nonce)
           && from_base64 (obj, "next_grant", slot->next_grant, sizeof slot->next_grant);
    }
  if (!ok)
    {
      tw_keyslot_free (slot);
      return NULL;
    }
  return slot;
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
  gint64 version;

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
  version = root != NULL ? json_object_get_int_member_with_default (root, "version", 0) : 0;
  if (root == NULL
      || g_strcmp0 (json_object_get_string_member_with_default (root, "format", ""),
                    KEYSLOTS_FORMAT) != 0
      || version < 1 || version > KEYSLOTS_VERSION
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
      TwKeyslot *slot = JSON_NODE_HOLDS_OBJECT (node)
                        ? slot_from_object (json_node_get_object (node)) : NULL;

      if (slot == NULL || (version == 1 && slot->version != SLOT_V1))
        {
          if (slot != NULL)
            tw_keyslot_free (slot);
          g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                       "A key slot in %s is damaged; restore the file from a backup", path);
          return NULL;
        }
      g_ptr_array_add (self->slots, slot);
    }

  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  resolve_rekey (self, path, json_object_get_string_member_with_default (root,
                                                                         REKEY_PENDING_MEMBER,
                                                                         NULL));
  self->path = g_strdup (path);
  return g_steal_pointer (&self);
}
