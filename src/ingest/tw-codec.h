#pragma once

#include <glib.h>

#include "tw-batch.h"
#include "tw-json-codec.h"
#include "tw-metric.h"
#include "tw-time.h"

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
 * @format: the format actually decoded (AUTO after a decode only when the
 *   payload was not recognised, and then the result is REJECTED)
 * @seq: the stream sequence number, or -1
 * @message_id: HL7 MSH-10 (needed for the ACK), FHIR resource id, or ""
 * @reason: when this decode added rejects, the first reason (points into
 *   the batch's reject; do not free), else %NULL. An OK result can carry a
 *   reason too: the message was stored in part (a bad Bundle entry, an
 *   implausible OBX) and the rest is in quarantine.
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

/* Shared by the codecs, so every format rejects alike. */

/* Raw bytes kept in quarantine per reject; huge messages are truncated. */
#define TW_CODEC_MAX_QUARANTINE_BYTES (64 * 1024)
/* FHIR Bundles and HL7 messages (file replay, waveforms) larger than this
 * are refused whole; the native JSON codec has its own 1 MiB limit. */
#define TW_CODEC_MAX_MESSAGE_BYTES    (16 * 1024 * 1024)
/* json-glib parses recursively: a few thousand nested brackets overflow the
 * stack. Real FHIR resources nest less than 20 deep. */
#define TW_CODEC_MAX_JSON_DEPTH       64
#define TW_CODEC_MAX_FUTURE_US        (24 * TW_USEC_PER_HOUR)
#define TW_CODEC_EARLIEST_TS_US       G_GINT64_CONSTANT (946684800000000)  /* 2000-01-01 */

TwDecodeResult tw_codec_reject          (TwBatch            *batch,
                                         const void         *data,
                                         gsize               len,
                                         const char         *format,
                                         ...) G_GNUC_PRINTF (4, 5);
char          *tw_codec_json_precheck   (const char         *data,
                                         gsize               len,
                                         guint               max_depth);
char          *tw_codec_check_time      (gint64              ts,
                                         const char         *text);
char          *tw_codec_check_value (const TwBatch      *batch,
                                    const TwMetricInfo *metric,
                                    double              value);
void           tw_codec_set_message_id  (TwDecodeInfo       *info,
                                         const char         *id);

/* Appends one problem of a message to @problems, "; "-separated: a
 * message's quarantine reason lists all that is wrong with it. */
void           tw_codec_add_problem (GString    *problems,
                                     const char *format,
                                     ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
