#pragma once

#include <glib.h>

#include "tw-batch.h"
#include "tw-json-codec.h"

G_BEGIN_DECLS

/**
 * TwFormat:
 * Payload formats a source can carry. AUTO recognises the payload by
 * itself: `MSH|` starts HL7 v2, a JSON object with "resourceType" is FHIR,
 * any other JSON object is native JSON (docs/native-json.md).
 */
typedef enum
{
  TW_FORMAT_AUTO,
  TW_FORMAT_NATIVE_JSON,
  TW_FORMAT_FHIR_JSON,
  TW_FORMAT_HL7V2,
} TwFormat;

gboolean    tw_format_from_string (const char *text,
                                   TwFormat   *out_format);
const char *tw_format_to_string   (TwFormat    format);

#define TW_MESSAGE_ID_MAX 64

/**
 * TwDecodeInfo:
 * What a decoder learned about one message besides its data.
 * @format: the format actually decoded (never AUTO after a decode)
 * @seq: the stream sequence number, or -1
 * @message_id: HL7 MSH-10 (needed for the ACK), FHIR resource id, or ""
 * @reason: when rejected, the reason (points into the batch's reject; do
 *   not free), else %NULL
 */
typedef struct
{
  TwFormat    format;
  gint64      seq;
  char        message_id[TW_MESSAGE_ID_MAX];
  const char *reason;
} TwDecodeInfo;

TwFormat       tw_codec_detect (const char   *data,
                                gsize         len);
TwDecodeResult tw_codec_decode (TwBatch      *batch,
                                TwFormat      format,
                                const char   *data,
                                gsize         len,
                                TwDecodeInfo *info);

G_END_DECLS
