#include <json-glib/json-glib.h>
#include <math.h>

#include "tw-json-codec.h"
#include "tw-limits.h"
#include "tw-metric.h"
#include "tw-time.h"

#define NATIVE_JSON_VERSION   1
#define MAX_MESSAGE_BYTES     (1024 * 1024)
#define MAX_QUARANTINE_BYTES  (64 * 1024)
#define MAX_KEY_CHARS         64
#define MAX_FUTURE_US         (24 * TW_USEC_PER_HOUR)
#define EARLIEST_TS_US        G_GINT64_CONSTANT (946684800000000)  /* 2000-01-01 */

static const char *vital_codes[] = { "hr", "rr", "spo2", "sbp", "dbp", "temp" };

static TwDecodeResult
reject (TwBatch    *batch,
        const char *data,
        gsize       len,
        const char *format,
        ...) G_GNUC_PRINTF (4, 5);

static TwDecodeResult
reject (TwBatch    *batch,
        const char *data,
        gsize       len,
        const char *format,
        ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  if (len > MAX_QUARANTINE_BYTES)
    {
      g_autofree char *longer = g_strdup_printf ("%s (first %d of %" G_GSIZE_FORMAT " bytes kept)",
                                                 reason, MAX_QUARANTINE_BYTES, len);
      tw_batch_add_reject (batch, longer, data, MAX_QUARANTINE_BYTES);
    }
  else
    {
      tw_batch_add_reject (batch, reason, data, len);
    }
  return TW_DECODE_REJECTED;
}

static gboolean
get_int (JsonObject *obj,
         const char *member,
         gint64     *out)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static const char *
get_string (JsonObject *obj,
            const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
valid_key (const char *key)
{
  return key != NULL && *key != '\0' && g_utf8_strlen (key, -1) <= MAX_KEY_CHARS;
}

static TwDecodeResult
decode_patient (TwBatch    *batch,
                JsonObject *obj,
                const char *data,
                gsize       len)
{
  const char *id = get_string (obj, "id");

  if (!valid_key (id))
    return reject (batch, data, len, "patient message without a valid \"id\"");
  tw_batch_add_entity (batch, "patient", id, get_string (obj, "name"), get_string (obj, "mrn"),
                       get_string (obj, "bed"));
  return TW_DECODE_OK;
}

static TwDecodeResult
decode_vitals (TwBatch    *batch,
               JsonObject *obj,
               const char *data,
               gsize       len)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  const char *patient = get_string (obj, "patient");
  const char *ts_text = get_string (obj, "ts");
  gint64 ts;
  guint n_values = 0;
  gint64 now = tw_time_now ();

  if (!valid_key (patient))
    return reject (batch, data, len, "vitals message without a valid \"patient\"");
  if (!tw_time_parse_iso8601 (ts_text, &ts))
    return reject (batch, data, len,
                   "vitals message without a valid \"ts\" (RFC 3339 with a time zone)");
  if (ts > now + MAX_FUTURE_US)
    return reject (batch, data, len, "time %s is more than a day in the future", ts_text);
  if (ts < EARLIEST_TS_US)
    return reject (batch, data, len, "time %s is before the year 2000", ts_text);

  for (guint i = 0; i < G_N_ELEMENTS (vital_codes); i++)
    {
      const TwMetricInfo *info = tw_metric_lookup (vital_codes[i]);
      JsonNode *node = json_object_get_member (obj, vital_codes[i]);
      g_autofree char *problem = NULL;
      GType type;
      double value;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
      if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
        {
          g_string_append_printf (problems, "%s%s is not a number", problems->len ? "; " : "",
                                  vital_codes[i]);
          continue;
        }
      value = json_node_get_double (node);
      problem = tw_limits_check (batch->limits, info, value);
      if (problem != NULL)
        {
          g_string_append_printf (problems, "%s%s", problems->len ? "; " : "", problem);
          g_clear_pointer (&problem, g_free);
          continue;
        }
      tw_batch_add_sample (batch, patient, vital_codes[i], ts, value);
      n_values++;
    }

  if (problems->len > 0)
    {
      /* Keep the good values, and the whole message for review. */
      if (n_values > 0)
        g_string_append (problems, " (the other values were stored)");
      reject (batch, data, len, "%s", problems->str);
      return n_values > 0 ? TW_DECODE_OK : TW_DECODE_REJECTED;
    }
  if (n_values == 0)
    return reject (batch, data, len, "vitals message without any measurement");
  return TW_DECODE_OK;
}

TwDecodeResult
tw_json_codec_decode (TwBatch    *batch,
                      const char *data,
                      gsize       len,
                      gint64     *out_seq)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonObject *obj;
  const char *type;
  gint64 version;
  gint64 seq = -1;

  g_return_val_if_fail (batch != NULL, TW_DECODE_REJECTED);
  g_return_val_if_fail (data != NULL || len == 0, TW_DECODE_REJECTED);

  if (out_seq != NULL)
    *out_seq = -1;

  if (len > MAX_MESSAGE_BYTES)
    return reject (batch, data, len, "message of %" G_GSIZE_FORMAT " bytes is larger than the "
                   "limit of %d bytes", len, MAX_MESSAGE_BYTES);
  if (!g_utf8_validate_len (data, len, NULL))
    return reject (batch, data, len, "message is not valid UTF-8");

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &error))
    return reject (batch, data, len, "not JSON: %s", error->message);

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return reject (batch, data, len, "message is not a JSON object");
  obj = json_node_get_object (root);

  if (!get_int (obj, "v", &version) || version != NATIVE_JSON_VERSION)
    return reject (batch, data, len, "unsupported format version (expected \"v\": %d)",
                   NATIVE_JSON_VERSION);
  if (json_object_has_member (obj, "seq") && (!get_int (obj, "seq", &seq) || seq < 1))
    return reject (batch, data, len, "\"seq\" must be a positive integer");
  if (out_seq != NULL)
    *out_seq = seq;

  type = get_string (obj, "type");
  if (g_strcmp0 (type, "vitals") == 0)
    return decode_vitals (batch, obj, data, len);
  if (g_strcmp0 (type, "patient") == 0)
    return decode_patient (batch, obj, data, len);
  if (g_strcmp0 (type, "end") == 0)
    return TW_DECODE_END;
  return reject (batch, data, len, "unknown message type \"%s\"", type != NULL ? type : "(none)");
}
