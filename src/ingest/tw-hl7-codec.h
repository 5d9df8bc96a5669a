#pragma once

#include <glib.h>

#include "tw-batch.h"
#include "tw-codec.h"

G_BEGIN_DECLS

/* The location an ADT^A03 discharge records: the store keeps the previous
 * location when a message names none, so a discharge has to say so. */
#define TW_HL7_LOCATION_DISCHARGED "discharged"

TwDecodeResult tw_hl7_codec_decode (TwBatch      *batch,
                                    const char   *data,
                                    gsize         len,
                                    TwDecodeInfo *info);
char          *tw_hl7_build_ack    (const char   *message,
                                    gsize         len,
                                    const char   *ack_code,
                                    const char   *text);
GPtrArray     *tw_hl7_split_batch  (const char   *data,
                                    gsize         len);
gboolean       tw_hl7_parse_ts     (const char   *text,
                                    gint64       *out_usec);

G_END_DECLS
