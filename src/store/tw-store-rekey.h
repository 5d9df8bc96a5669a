#pragma once

#include <glib.h>

#include "tw-key.h"

G_BEGIN_DECLS

#define TW_REKEY_SUFFIX ".rekey"

/* Called between the copy and the swap (see tw_store_rekey()): store the
 * new key for the users, in a form that works with both files, or return
 * FALSE to abandon the rekey. */
typedef gboolean (*TwRekeyStageFunc) (const char  *pending_path,
                                      gpointer     user_data,
                                      GError     **error);

/**
 * tw_store_rekey:
 * @path: the store (nobody may have it open: the caller holds the
 *   exclusive in-use lock and has closed its own connections)
 * @stage: writes the new key's grants before the swap
 *
 * Re-encrypts the store under @new_key: a copy by sqlcipher_export()
 * into "@path.rekey" (works on SQLCipher 3 and 4), synced and opened once
 * with @new_key to prove it reads, then @stage, then an atomic rename
 * over @path. Until the rename the old file and the old key stay valid.
 */
gboolean tw_store_rekey (const char        *path,
                         const TwKey       *old_key,
                         const TwKey       *new_key,
                         TwRekeyStageFunc   stage,
                         gpointer           user_data,
                         GError           **error);

/* %TW_ERROR_IN_USE while a connection (of this process: other programs
 * are kept out by the in-use lock) has @path open: SQLite keeps its WAL
 * and SHM files until the last connection closes. Call before changing
 * anything, so a refusal changes nothing. */
gboolean tw_store_rekey_check_closed (const char *path,
                                      GError    **error);

/* Removes a copy left by an interrupted rekey (before its swap). */
void     tw_store_rekey_discard (const char *path);

G_END_DECLS
