#include <string.h>

#include "tw-codec.h"

static const char *format_names[] = { "auto", "json", "fhir", "hl7" };

gboolean
tw_format_from_string (const char *text,
                       TwFormat   *out_format)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (format_names); i++)
    {
      if (g_ascii_strcasecmp (text, format_names[i]) == 0)
        {
          *out_format = (TwFormat) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
tw_format_to_string (TwFormat format)
{
  g_return_val_if_fail (format <= TW_FORMAT_HL7V2, "auto");
  return format_names[format];
}

TwFormat
tw_codec_detect (const char *data,
                 gsize       len)
{
  gsize i = 0;

  while (i < len && g_ascii_isspace (data[i]))
    i++;
  if (len - i >= 4 && memcmp (data + i, "MSH|", 4) == 0)
    return TW_FORMAT_HL7V2;
  if (i < len && data[i] == '{')
    return TW_FORMAT_NATIVE_JSON;
  return TW_FORMAT_AUTO;
}

TwDecodeResult
tw_codec_decode (TwBatch      *batch,
                 TwFormat      format,
                 const char   *data,
                 gsize         len,
                 TwDecodeInfo *info)
{
  TwDecodeResult result;

  memset (info, 0, sizeof *info);
  info->seq = -1;
  if (format == TW_FORMAT_AUTO)
    format = tw_codec_detect (data, len);
  info->format = format;
  switch (format)
    {
    case TW_FORMAT_NATIVE_JSON:
      result = tw_json_codec_decode (batch, data, len, &info->seq);
      break;
    case TW_FORMAT_AUTO:
    case TW_FORMAT_FHIR_JSON:
    case TW_FORMAT_HL7V2:
    default:
      tw_batch_add_reject (batch, "unrecognised payload (neither native JSON, FHIR JSON nor HL7 v2)",
                           data, MIN (len, 65536));
      result = TW_DECODE_REJECTED;
      break;
    }
  if (result == TW_DECODE_REJECTED && batch->rejects->len > 0)
    info->reason = ((TwReject *) g_ptr_array_index (batch->rejects, batch->rejects->len - 1))->reason;
  return result;
}
