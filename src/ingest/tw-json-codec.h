#pragma once

#include <glib.h>

#include "tw-batch.h"

G_BEGIN_DECLS

typedef enum
{
  TW_DECODE_OK,        /* samples or entities were added to the batch */
  TW_DECODE_END,       /* the producer's end-of-stream marker */
  TW_DECODE_REJECTED,  /* added to the batch's rejects with a reason */
} TwDecodeResult;

/**
 * tw_json_codec_decode:
 * Decodes one native JSON message (docs/native-json.md) into @batch.
 * @out_seq receives the message's sequence number, or -1 when it has none.
 * Never fails silently: whatever cannot be used lands in the batch's
 * rejects with the reason and the raw bytes.
 */
TwDecodeResult tw_json_codec_decode (TwBatch    *batch,
                                     const char *data,
                                     gsize       len,
                                     gint64     *out_seq);

G_END_DECLS
