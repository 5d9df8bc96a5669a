#pragma once

#include <glib.h>

#include "tw-batch.h"
#include "tw-store.h"

G_BEGIN_DECLS

#define TW_SPOOL_FILENAME     "tidewatch.spool"
#define TW_SPOOL_PUBLIC_BYTES 32

/**
 * TwSpool:
 * Where the engine writes while the screen is locked and it holds no
 * database key (issue 6). Each batch is serialised (tw-batch-codec.h) and
 * sealed to the store's X25519 public key with a libsodium sealed box,
 * then appended with its length and fsync'd, so a crash loses nothing
 * already acknowledged. Only the store can open the records: its private
 * key lives in store_meta, inside the encrypted database. At the next
 * unlock tw_spool_merge() writes every record into the store in one
 * transaction (writes are idempotent) and removes the file.
 */
typedef struct _TwSpool TwSpool;

/* The store's spool public key (made with its private key on first use).
 * The pipeline copies it while it still has the key, so sealing needs
 * nothing from the store later. */
gboolean  tw_store_get_spool_public_key (TwStore      *store,
                                         guint8        out_public[TW_SPOOL_PUBLIC_BYTES],
                                         GError      **error);

TwSpool  *tw_spool_open_append (const char    *path,
                                const guint8   public_key[TW_SPOOL_PUBLIC_BYTES],
                                GError       **error);
gboolean  tw_spool_append      (TwSpool       *spool,
                                const TwBatch *batch,
                                GError       **error);
/* The same for several batches with one fdatasync(): all or none. */
gboolean  tw_spool_append_many (TwSpool              *spool,
                                const TwBatch * const *batches,
                                guint                 n,
                                GError              **error);
guint64   tw_spool_get_n_records (TwSpool     *spool);
void      tw_spool_close       (TwSpool       *spool);

/* Progress while merging (called on the merging thread). */
typedef void (*TwSpoolProgress) (guint64   done,
                                 guint64   total,
                                 gpointer  user_data);

/* Opens every record of the spool at @path with the store's private key
 * and writes it into @store (which must not be in a transaction); removes
 * the file after the commit. A missing file is nothing to merge. A
 * damaged record is quarantined with the reason, never dropped. While
 * another program holds the spool open for appending it fails at once
 * with %TW_ERROR_IN_USE and leaves the file alone.
 * @out_batches receives the number of batches merged. */
gboolean  tw_spool_merge       (TwStore        *store,
                                const char     *path,
                                TwSpoolProgress progress,
                                gpointer        user_data,
                                guint64        *out_batches,
                                GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwSpool, tw_spool_close)

G_END_DECLS
