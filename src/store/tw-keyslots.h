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
 *
 * Version 2 (issue 6) adds one level, so an admin can change a role or
 * rekey the store without knowing anyone's password: each user has an
 * X25519 key pair; the password (Argon2id → XChaCha20-Poly1305, AD: store
 * id + user) wraps the private key; the database key is sealed to the
 * public key (ephemeral X25519 + XChaCha20-Poly1305, AD: store id + user +
 * role). A role change or a rekey re-seals; a password change re-wraps.
 * Version 1 slots still unlock and are upgraded at the user's next
 * sign-in.
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

/* Issue 6 (version 2 slots). */
gboolean    tw_keyslots_get_role    (TwKeyslots   *slots,
                                     const char   *user,
                                     TwRole       *out_role);
/* Seals @key to @user's public key with @role bound (role change, rekey).
 * %TW_ERROR_INVALID_INPUT for a version 1 slot (its user must sign in
 * once first, which upgrades it). */
gboolean    tw_keyslots_grant       (TwKeyslots   *slots,
                                     const char   *user,
                                     TwRole        role,
                                     const TwKey  *key,
                                     GError      **error);
/* Re-wraps @user's private key under @new_password; the sealed key stays. */
gboolean    tw_keyslots_change_password (TwKeyslots *slots,
                                         const char *user,
                                         const char *old_password,
                                         const char *new_password,
                                         GError    **error);
gboolean    tw_keyslots_is_legacy   (TwKeyslots   *slots,
                                     const char   *user);
/* The users whose slots are still version 1. */
GStrv       tw_keyslots_list_legacy (TwKeyslots   *slots);

/* Rekey (tw-store-rekey.h): seals @new_key to every slot beside its
 * current grant and names @pending_path, the re-encrypted copy. Saved
 * like this, the file opens whichever store file is current: while the
 * copy still exists (not yet swapped in) loading keeps the old grants,
 * once it is gone (renamed over the store) loading takes the new ones.
 * %TW_ERROR_INVALID_INPUT naming the users with version 1 slots (they
 * must sign in once first). */
gboolean    tw_keyslots_stage_rekey (TwKeyslots   *slots,
                                     const TwKey  *new_key,
                                     const char   *pending_path,
                                     GError      **error);
/* After the swap: only the new grants remain (save afterwards). */
void        tw_keyslots_finish_rekey (TwKeyslots  *slots);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwKeyslots, tw_keyslots_free)

G_END_DECLS
