#include <string.h>

#include "tw-codec.h"
#include "tw-limits.h"
#include "tw-fhir-codec.h"
#include "tw-hl7-codec.h"

#define UTF8_BOM     "\xef\xbb\xbf"
#define UTF8_BOM_LEN 3
#define HL7_SEGMENT_ID_LEN 3
#define JSON_HEX_DIGITS    4
#define HIGH_SURROGATE_MIN 0xd800
#define HIGH_SURROGATE_MAX 0xdbff
#define LOW_SURROGATE_MIN  0xdc00
#define LOW_SURROGATE_MAX  0xdfff

static const struct
{
  TwFormat    format;
  const char *name;
} format_names[] = {
  { TW_FORMAT_AUTO,        "auto" },
  { TW_FORMAT_NATIVE_JSON, "json" },
  { TW_FORMAT_FHIR_JSON,   "fhir" },
  { TW_FORMAT_HL7V2,       "hl7" },
};

/**
 * tw_format_from_string:
 * @text: "auto", "json", "fhir" or "hl7" (a `format=` query parameter)
 * @out_format: (out): the format
 *
 * Returns: %FALSE for anything else, leaving @out_format alone
 */
gboolean
tw_format_from_string (const char *text,
                       TwFormat   *out_format)
{
  g_return_val_if_fail (out_format != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (format_names[i].name, text) == 0)
      {
        *out_format = format_names[i].format;
        return TRUE;
      }
  return FALSE;
}

const char *
tw_format_to_string (TwFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (format_names[i].format == format)
      return format_names[i].name;
  g_return_val_if_reached ("auto");
}

static const char *
skip_blank (const char *p,
            const char *end)
{
  if ((gsize) (end - p) >= UTF8_BOM_LEN && memcmp (p, UTF8_BOM, UTF8_BOM_LEN) == 0)
    p += UTF8_BOM_LEN;
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    p++;
  return p;
}

/* Returns the closing quote of the JSON string that opens at @p, or @end. */
static const char *
skip_json_string (const char *p,
                  const char *end)
{
  for (p++; p < end; p++)
    {
      if (*p == '\\')
        p++;
      else if (*p == '"')
        return p;
    }
  return end;
}

static gboolean
read_hex4 (const char *p,
           const char *end,
           guint      *out)
{
  *out = 0;
  if (end - p < JSON_HEX_DIGITS)
    return FALSE;
  for (guint i = 0; i < JSON_HEX_DIGITS; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return FALSE;
      *out = *out * 16 + g_ascii_xdigit_value (p[i]);
    }
  return TRUE;
}

/* Like skip_json_string(), but refuses the escapes RFC 8259 does not have:
 * json-glib 1.6 turns "\200" (octal) and a lone low surrogate into bytes
 * that are not UTF-8, which would end up in names and keys. */
static const char *
check_json_string (const char *p,
                   const char *end,
                   gboolean   *valid)
{
  *valid = TRUE;
  for (p++; p < end; p++)
    {
      guint unit, low;

      if (*p == '"')
        return p;
      if (*p != '\\')
        continue;
      if (++p == end)
        break;
      if (*p != '\0' && strchr ("\"\\/bfnrt", *p) != NULL)
        continue;
      if (*p != 'u' || !read_hex4 (p + 1, end, &unit))
        {
          *valid = FALSE;
          return end;
        }
      p += JSON_HEX_DIGITS;
      if (unit >= LOW_SURROGATE_MIN && unit <= LOW_SURROGATE_MAX)
        {
          *valid = FALSE;
          return end;
        }
      if (unit >= HIGH_SURROGATE_MIN && unit <= HIGH_SURROGATE_MAX)
        {
          /* A high surrogate is only valid followed by "\u" and a low one. */
          if (end - p < 3 || p[1] != '\\' || p[2] != 'u' || !read_hex4 (p + 3, end, &low)
              || low < LOW_SURROGATE_MIN || low > LOW_SURROGATE_MAX)
            {
              *valid = FALSE;
              return end;
            }
          p += 2 + JSON_HEX_DIGITS;
        }
    }
  return end;
}

/* A scan, not a parse: detection runs on every message of a stream whose
 * format is "auto", and the decoder parses the message anyway. */
static gboolean
has_top_level_member (const char *p,
                      const char *end,
                      const char *name)
{
  gsize name_len = strlen (name);
  guint depth = 0;
  gboolean expect_key = FALSE;

  for (; p < end; p++)
    {
      switch (*p)
        {
        case '{':
          depth++;
          expect_key = depth == 1;
          break;
        case '[':
          depth++;
          expect_key = FALSE;
          break;
        case '}':
        case ']':
          if (depth <= 1)
            return FALSE;
          depth--;
          break;
        case ',':
          expect_key = depth == 1;
          break;
        case '"':
          {
            const char *close = skip_json_string (p, end);

            if (expect_key && (gsize) (close - p - 1) == name_len
                && memcmp (p + 1, name, name_len) == 0)
              return TRUE;
            expect_key = FALSE;
            p = close;
            if (p == end)
              return FALSE;
          }
          break;
        default:
          break;
        }
    }
  return FALSE;
}

static gboolean
is_hl7_start (const char *p,
              const char *end)
{
  static const char *starts[] = { "MSH", "FHS", "BHS" };
  char sep;

  if (end - p <= HL7_SEGMENT_ID_LEN)
    return FALSE;
  sep = p[HL7_SEGMENT_ID_LEN];
  if (g_ascii_isalnum (sep) || g_ascii_isspace (sep) || sep == '\0')
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (starts); i++)
    if (memcmp (p, starts[i], HL7_SEGMENT_ID_LEN) == 0)
      return TRUE;
  /* Segments without the MSH header ("PID|…") are HL7 all the same: the
   * HL7 decoder can then say what is missing instead of "unrecognised". */
  return sep == '|' && g_ascii_isupper (p[0]) && g_ascii_isalnum (p[1])
         && g_ascii_isalnum (p[2]);
}

/**
 * tw_codec_detect:
 * @data: (array length=len): one message
 * @len: its length in bytes
 *
 * Recognises a payload after any leading whitespace and byte order mark:
 * an HL7 v2 message (or batch) starts with `MSH|`, a FHIR resource is a
 * JSON object with a top-level "resourceType", any other JSON object is
 * native JSON.
 *
 * Returns: the format, or %TW_FORMAT_AUTO when it is none of them
 */
TwFormat
tw_codec_detect (const char *data,
                 gsize       len)
{
  const char *end = data + len;
  const char *p;

  g_return_val_if_fail (data != NULL || len == 0, TW_FORMAT_AUTO);

  if (data == NULL)
    return TW_FORMAT_AUTO;
  p = skip_blank (data, end);
  if (is_hl7_start (p, end))
    return TW_FORMAT_HL7V2;
  if (p < end && *p == '{')
    return has_top_level_member (p, end, "resourceType") ? TW_FORMAT_FHIR_JSON
                                                         : TW_FORMAT_NATIVE_JSON;
  return TW_FORMAT_AUTO;
}

/**
 * tw_codec_decode:
 * @batch: receives samples, entities and rejects
 * @format: the source's format, or %TW_FORMAT_AUTO to recognise it
 * @data: (array length=len): one message (an HL7 batch is decoded message
 *   by message)
 * @len: its length in bytes
 * @info: (out caller-allocates) (optional): what was learned besides data
 *
 * Never fails silently: whatever cannot be used lands in the batch's
 * rejects with the reason and the raw bytes.
 */
TwDecodeResult
tw_codec_decode (TwBatch      *batch,
                 TwFormat      format,
                 const char   *data,
                 gsize         len,
                 TwDecodeInfo *info)
{
  TwDecodeInfo local;
  TwDecodeResult result;
  guint n_rejects;

  g_return_val_if_fail (batch != NULL, TW_DECODE_REJECTED);
  g_return_val_if_fail (data != NULL || len == 0, TW_DECODE_REJECTED);

  if (info == NULL)
    info = &local;
  memset (info, 0, sizeof *info);
  info->seq = -1;
  n_rejects = batch->rejects->len;

  if (format == TW_FORMAT_AUTO)
    format = tw_codec_detect (data, len);
  info->format = format;

  switch (format)
    {
    case TW_FORMAT_NATIVE_JSON:
      {
        g_autofree char *unparsable = tw_codec_json_precheck (data, len,
                                                              TW_CODEC_MAX_JSON_DEPTH);

        if (unparsable != NULL)
          result = tw_codec_reject (batch, data, len, "%s", unparsable);
        else
          result = tw_json_codec_decode (batch, data, len, &info->seq);
      }
      break;
    case TW_FORMAT_FHIR_JSON:
      result = tw_fhir_codec_decode (batch, data, len, info);
      break;
    case TW_FORMAT_HL7V2:
      result = tw_hl7_codec_decode (batch, data, len, info);
      break;
    case TW_FORMAT_AUTO:
    default:
      result = tw_codec_reject (batch, data, len,
                                "unrecognised payload (neither native JSON, FHIR JSON nor HL7 v2)");
      break;
    }

  /* Parser messages quote the input and json-glib cuts characters in half:
   * every reason must still be UTF-8 for the quarantine page and the ACK. */
  for (guint i = n_rejects; i < batch->rejects->len; i++)
    {
      TwReject *reject = g_ptr_array_index (batch->rejects, i);

      if (!g_utf8_validate (reject->reason, -1, NULL))
        {
          char *valid = g_utf8_make_valid (reject->reason, -1);

          g_free (reject->reason);
          reject->reason = valid;
        }
    }
  if (batch->rejects->len > n_rejects)
    info->reason = ((TwReject *) g_ptr_array_index (batch->rejects, n_rejects))->reason;
  return result;
}

/**
 * tw_codec_reject:
 * @batch: gets the reject
 * @data: (array length=len): the raw message, kept for review
 * @len: its length; more than %TW_CODEC_MAX_QUARANTINE_BYTES are cut, and
 *   the reason says so
 * @format: printf-style reason
 *
 * Returns: %TW_DECODE_REJECTED, so a decoder can `return tw_codec_reject (…)`
 */
TwDecodeResult
tw_codec_reject (TwBatch    *batch,
                 const void *data,
                 gsize       len,
                 const char *format,
                 ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  /* Reasons quote the sender's text, cut to a length that may split a
   * character; the quarantine page must still be able to show them. */
  if (!g_utf8_validate (reason, -1, NULL))
    {
      char *valid = g_utf8_make_valid (reason, -1);

      g_free (reason);
      reason = valid;
    }

  if (len > TW_CODEC_MAX_QUARANTINE_BYTES)
    {
      g_autofree char *longer = g_strdup_printf ("%s (first %d of %" G_GSIZE_FORMAT " bytes kept)",
                                                 reason, TW_CODEC_MAX_QUARANTINE_BYTES, len);
      tw_batch_add_reject (batch, longer, data, TW_CODEC_MAX_QUARANTINE_BYTES);
    }
  else
    {
      tw_batch_add_reject (batch, reason, data, len);
    }
  return TW_DECODE_REJECTED;
}

/**
 * tw_codec_json_precheck:
 * @data: (array length=len): a message that should be one JSON object
 * @len: its length in bytes
 * @max_depth: how deep arrays and objects may nest
 *
 * Checks, without parsing, what json-glib 1.6 gets wrong: its recursive
 * parser runs out of stack on deeply nested input; it accepts a second
 * value after the first one ("{…}{…}"), leaking the first and keeping only
 * the last; and it decodes escapes JSON does not have into bytes that are
 * not UTF-8. A truncated object passes: the parser names that error itself.
 *
 * Returns: (transfer full) (nullable): %NULL when @data can be parsed, else
 *   the reason to reject it
 */
char *
tw_codec_json_precheck (const char *data,
                        gsize       len,
                        guint       max_depth)
{
  const char *end = data + len;
  const char *p = data;
  guint depth = 0;

  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p < end && *p != '{')
    return g_strdup ("message is not a JSON object");

  for (; p < end; p++)
    {
      if (*p == '"')
        {
          gboolean valid;

          p = check_json_string (p, end, &valid);
          if (!valid)
            return g_strdup ("invalid escape sequence in a JSON string (RFC 8259 allows "
                             "\\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u with a valid "
                             "UTF-16 code)");
          if (p == end)
            break;
        }
      else if (*p == '{' || *p == '[')
        {
          if (++depth > max_depth)
            return g_strdup_printf ("JSON nested deeper than %u levels", max_depth);
        }
      else if (*p == '}' || *p == ']')
        {
          if (depth == 0 || --depth == 0)
            break;
        }
    }

  for (p = MIN (p + 1, end); p < end; p++)
    if (!g_ascii_isspace (*p))
      return g_strdup ("text after the end of the JSON object (one message is one object)");
  return NULL;
}

/**
 * tw_codec_check_time:
 * @ts: an event time, µs UTC
 * @text: (nullable): the time as the sender wrote it, for the reason
 *
 * Returns: (transfer full) (nullable): %NULL when @ts is neither far in the
 *   future (a device clock gone wrong) nor before 2000, else the reason
 */
char *
tw_codec_check_time (gint64      ts,
                     const char *text)
{
  g_autofree char *formatted = NULL;

  if (ts <= tw_time_now () + TW_CODEC_MAX_FUTURE_US && ts >= TW_CODEC_EARLIEST_TS_US)
    return NULL;
  if (text == NULL)
    text = formatted = tw_time_format_iso8601 (ts);
  if (ts < TW_CODEC_EARLIEST_TS_US)
    return g_strdup_printf ("time %s is before the year 2000", text);
  return g_strdup_printf ("time %s is more than a day in the future", text);
}

/**
 * tw_codec_check_value:
 * @batch: its limits apply (the site's plausible ranges)
 * @metric: the catalogue entry
 * @value: a value in the catalogue unit
 *
 * Returns: (transfer full) (nullable): %NULL when plausible, else the
 *   reason ("spo2 = 140 % is outside the plausible range 40–100")
 */
char *
tw_codec_check_value (const TwBatch      *batch,
                      const TwMetricInfo *metric,
                      double              value)
{
  g_return_val_if_fail (metric != NULL, NULL);

  return tw_limits_check (batch != NULL ? batch->limits : NULL, metric, value);
}

/**
 * tw_codec_set_message_id:
 * Copies @id into @info, cut at a character boundary to fit.
 */
void
tw_codec_set_message_id (TwDecodeInfo *info,
                         const char   *id)
{
  if (info == NULL)
    return;
  info->message_id[0] = '\0';
  if (id == NULL)
    return;
  g_strlcpy (info->message_id, id, sizeof info->message_id);
  if (!g_utf8_validate (info->message_id, -1, NULL))
    {
      const char *valid_end;

      g_utf8_validate (info->message_id, -1, &valid_end);
      info->message_id[valid_end - info->message_id] = '\0';
    }
}

void
tw_codec_add_problem (GString    *problems,
                      const char *format,
                      ...)
{
  va_list args;

  if (problems->len > 0)
    g_string_append (problems, "; ");
  va_start (args, format);
  g_string_append_vprintf (problems, format, args);
  va_end (args);
}
