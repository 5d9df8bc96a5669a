#pragma once

#include <glib.h>

#include "tw-key.h"
#include "tw-role.h"

G_BEGIN_DECLS

/**
 * TwKdfCost:
 * Argon2id limits for new keyslots. MODERATE is the default everywhere;
 * MIN exists only so tests can run fast and is chosen only by an explicit
 * option (`--kdf-cost=min`), never by default.
 */
typedef enum
{
  TW_KDF_COST_MIN,
  TW_KDF_COST_INTERACTIVE,
  TW_KDF_COST_MODERATE,
  TW_KDF_COST_SENSITIVE,
} TwKdfCost;

#define TW_KDF_COST_DEFAULT TW_KDF_COST_MODERATE

gboolean    tw_kdf_cost_from_string (const char *text,
                                     TwKdfCost  *out_cost);
const char *tw_kdf_cost_to_string   (TwKdfCost   cost);

/**
 * TwKeyslots:
 * The sidecar file beside the database: one slot per user, each wrapping
 * the database key with XChaCha20-Poly1305 under an Argon2id key derived
 * from the user's password. The store id, user name and role are the
 * associated data, so editing a role in the file makes the slot fail.
 * It holds no patient data.
 */
typedef struct _TwKeyslots TwKeyslots;

TwKeyslots *tw_keyslots_new         (TwKdfCost     default_cost);
TwKeyslots *tw_keyslots_load        (const char   *path,
                                     GError      **error);
gboolean    tw_keyslots_save        (TwKeyslots   *slots,
                                     const char   *path,
                                     GError      **error);
void        tw_keyslots_free        (TwKeyslots   *slots);

const char *tw_keyslots_get_store_id     (TwKeyslots *slots);
TwKdfCost   tw_keyslots_get_default_cost (TwKeyslots *slots);
gboolean    tw_keyslots_has_user         (TwKeyslots *slots,
                                          const char *user);
GStrv       tw_keyslots_list_users       (TwKeyslots *slots);

gboolean    tw_keyslots_set         (TwKeyslots   *slots,
                                     const char   *user,
                                     TwRole        role,
                                     const char   *password,
                                     const TwKey  *key,
                                     GError      **error);
gboolean    tw_keyslots_remove      (TwKeyslots   *slots,
                                     const char   *user);
TwKey      *tw_keyslots_unlock      (TwKeyslots   *slots,
                                     const char   *user,
                                     const char   *password,
                                     TwRole       *out_role,
                                     GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwKeyslots, tw_keyslots_free)

G_END_DECLS
