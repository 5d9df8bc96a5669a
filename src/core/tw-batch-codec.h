#pragma once

#include <glib.h>

#include "tw-batch.h"

G_BEGIN_DECLS

/**
 * A batch as bytes, for the locked-screen spool (tw-spool.h): samples,
 * entity announcements, clinical records, rejects (with their raw bytes),
 * source id, cursor and message count. Not the completion callback or the
 * limits pointer. A versioned, length-checked binary format: decoding a
 * damaged buffer fails with %TW_ERROR_CORRUPT, never crashes (fuzzed).
 */
GBytes  *tw_batch_serialize   (const TwBatch *batch);
TwBatch *tw_batch_deserialize (GBytes        *bytes,
                               GError       **error);

G_END_DECLS
