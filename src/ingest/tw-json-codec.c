#include <json-glib/json-glib.h>
#include <math.h>

#include "tw-clinical-ingest.h"
#include "tw-codec.h"
#include "tw-json-codec.h"
#include "tw-json-flat.h"
#include "tw-limits.h"
#include "tw-metric.h"
#include "tw-time.h"

#define NATIVE_JSON_VERSION   1
#define MAX_MESSAGE_BYTES     (1024 * 1024)
#define MAX_QUARANTINE_BYTES  (64 * 1024)
#define MAX_KEY_CHARS         64
#define MAX_FUTURE_US         (24 * TW_USEC_PER_HOUR)
#define EARLIEST_TS_US        G_GINT64_CONSTANT (946684800000000)  /* 2000-01-01 */

/* 1 mmol/L of glucose in mg/dL (DOMAIN.md "Glucose"). */
#define GLUCOSE_MG_DL_PER_MMOL_L 18.016

/* Location of a discharged patient, as HL7 ADT^A03 stores it. */
#define LOCATION_DISCHARGED "discharged"

/* The bedside measurements and the two NEWS2 observations (o2: 0 air, 1
 * oxygen; acvpu: 0 alert … 4 unresponsive). */
static const char *vital_codes[] = {
  "hr", "rr", "spo2", "sbp", "dbp", "temp", "map", "glucose", "o2", "acvpu"
};

static const char *entity_kinds[] = { "patient", "instrument", "customer", "store", NULL };

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

/* The optional "group" (ward, customer tier, portfolio): FALSE when it is
 * there but not a usable name, so the sender hears about it. */
static gboolean
get_group (JsonObject  *obj,
           const char **out_group)
{
  *out_group = get_string (obj, "group");
  return !json_object_has_member (obj, "group") || valid_key (*out_group);
}

#define GROUP_PROBLEM "a \"group\" that is not a name of 1–64 characters"

/* Returns: (transfer full) (nullable): why @ts_text cannot be the event
 * time of a @what message, or %NULL when it can */
static char *
check_time (const char *what,
            const char *ts_text,
            gint64     *ts)
{
  gint64 now = tw_time_now ();

  if (!tw_time_parse_iso8601 (ts_text, ts))
    return g_strdup_printf ("%s message without a valid \"ts\" (RFC 3339 with a time zone)",
                            what);
  if (*ts > now + MAX_FUTURE_US)
    return g_strdup_printf ("time %s is more than a day in the future", ts_text);
  if (*ts < EARLIEST_TS_US)
    return g_strdup_printf ("time %s is before the year 2000", ts_text);
  return NULL;
}

/* Reads member @member as a number; a missing or null member is FALSE
 * without a problem, anything else that is not a number is a problem. */
static gboolean
get_number (JsonObject *obj,
            const char *member,
            GString    *problems,
            double     *out)
{
  JsonNode *node = json_object_get_member (obj, member);
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    {
      tw_codec_add_problem (problems, "%s is not a number", member);
      return FALSE;
    }
  *out = json_node_get_double (node);
  return TRUE;
}

/* Checks @value against the plausible range of @metric and adds it.
 * Returns: whether it was added */
static gboolean
add_checked_sample (TwBatch    *batch,
                    GString    *problems,
                    const char *entity,
                    const char *metric,
                    gint64      ts,
                    double      value)
{
  const TwMetricInfo *info = tw_metric_lookup (metric);
  g_autofree char *problem = NULL;

  g_assert (info != NULL);
  problem = tw_limits_check (batch->limits, info, value);
  if (problem != NULL)
    {
      tw_codec_add_problem (problems, "%s", problem);
      return FALSE;
    }
  tw_batch_add_sample (batch, entity, metric, ts, value);
  return TRUE;
}

/* The end of every message that carries values: good values are kept
 * even when others are not, and the whole message goes to quarantine for
 * review whenever something was wrong. */
static TwDecodeResult
finish_values (TwBatch    *batch,
               GString    *problems,
               guint       n_values,
               const char *what,
               const char *data,
               gsize       len)
{
  if (problems->len > 0)
    {
      if (n_values > 0)
        g_string_append (problems, " (the other values were stored)");
      reject (batch, data, len, "%s", problems->str);
      return n_values > 0 ? TW_DECODE_OK : TW_DECODE_REJECTED;
    }
  if (n_values == 0)
    return reject (batch, data, len, "%s message without any measurement", what);
  return TW_DECODE_OK;
}

static TwDecodeResult
decode_patient (TwBatch    *batch,
                JsonObject *obj,
                const char *data,
                gsize       len)
{
  const char *id = get_string (obj, "id");
  const char *group;

  if (!valid_key (id))
    return reject (batch, data, len, "patient message without a valid \"id\"");
  if (!get_group (obj, &group))
    return reject (batch, data, len, "patient message with " GROUP_PROBLEM);
  tw_batch_add_entity_in_group (batch, "patient", id, get_string (obj, "name"),
                                get_string (obj, "mrn"), get_string (obj, "bed"), group);
  return TW_DECODE_OK;
}

static TwDecodeResult
decode_vitals (TwBatch    *batch,
               JsonObject *obj,
               const char *data,
               gsize       len)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *time_problem = NULL;
  const char *patient = get_string (obj, "patient");
  gint64 ts;
  guint n_values = 0;
  double value;

  if (!valid_key (patient))
    return reject (batch, data, len, "vitals message without a valid \"patient\"");
  time_problem = check_time ("vitals", get_string (obj, "ts"), &ts);
  if (time_problem != NULL)
    return reject (batch, data, len, "%s", time_problem);
  if (json_object_has_member (obj, "glucose") && json_object_has_member (obj, "glucose_mmol"))
    return reject (batch, data, len, "vitals message with both \"glucose\" (mg/dL) and "
                   "\"glucose_mmol\" (mmol/L): send one of them");

  for (guint i = 0; i < G_N_ELEMENTS (vital_codes); i++)
    if (get_number (obj, vital_codes[i], problems, &value)
        && add_checked_sample (batch, problems, patient, vital_codes[i], ts, value))
      n_values++;

  /* Meters outside the US report mmol/L; the store keeps mg/dL. */
  if (get_number (obj, "glucose_mmol", problems, &value)
      && add_checked_sample (batch, problems, patient, "glucose", ts,
                             value * GLUCOSE_MG_DL_PER_MMOL_L))
    n_values++;

  return finish_values (batch, problems, n_values, "vitals", data, len);
}

static TwDecodeResult
decode_samples (TwBatch    *batch,
                JsonObject *obj,
                const char *data,
                gsize       len)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *time_problem = NULL;
  const char *entity = get_string (obj, "entity");
  const char *kind = get_string (obj, "kind");
  const char *group;
  JsonNode *values_node = json_object_get_member (obj, "values");
  JsonObjectIter iter;
  const char *metric;
  JsonNode *node;
  guint n_values = 0;
  gint64 ts;

  if (!valid_key (entity))
    return reject (batch, data, len, "samples message without a valid \"entity\"");
  if (kind == NULL || !g_strv_contains (entity_kinds, kind))
    return reject (batch, data, len, "samples message without a valid \"kind\" "
                   "(patient, instrument, customer or store)");
  time_problem = check_time ("samples", get_string (obj, "ts"), &ts);
  if (time_problem != NULL)
    return reject (batch, data, len, "%s", time_problem);
  if (values_node == NULL || !JSON_NODE_HOLDS_OBJECT (values_node))
    return reject (batch, data, len, "samples message without a \"values\" object");
  if (!get_group (obj, &group))
    return reject (batch, data, len, "samples message with " GROUP_PROBLEM);

  tw_batch_add_entity_in_group (batch, kind, entity, NULL, NULL, NULL, group);
  json_object_iter_init (&iter, json_node_get_object (values_node));
  while (json_object_iter_next (&iter, &metric, &node))
    {
      double value;

      if (tw_metric_lookup (metric) == NULL)
        {
          tw_codec_add_problem (problems, "values.%s is not a known metric", metric);
          continue;
        }
      if (!JSON_NODE_HOLDS_VALUE (node)
          || (json_node_get_value_type (node) != G_TYPE_INT64
              && json_node_get_value_type (node) != G_TYPE_DOUBLE))
        {
          tw_codec_add_problem (problems, "values.%s is not a number", metric);
          continue;
        }
      value = json_node_get_double (node);
      if (add_checked_sample (batch, problems, entity, metric, ts, value))
        n_values++;
    }
  return finish_values (batch, problems, n_values, "samples", data, len);
}

static TwDecodeResult
decode_tick (TwBatch    *batch,
             JsonObject *obj,
             const char *data,
             gsize       len)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *time_problem = NULL;
  const char *symbol = get_string (obj, "symbol");
  const char *group;
  guint n_values = 0;
  double value;
  gint64 ts;

  if (!valid_key (symbol))
    return reject (batch, data, len, "tick message without a valid \"symbol\"");
  time_problem = check_time ("tick", get_string (obj, "ts"), &ts);
  if (time_problem != NULL)
    return reject (batch, data, len, "%s", time_problem);
  if (!json_object_has_member (obj, "price"))
    return reject (batch, data, len, "tick message without a \"price\"");
  if (!get_group (obj, &group))
    return reject (batch, data, len, "tick message with " GROUP_PROBLEM);

  tw_batch_add_entity_in_group (batch, "instrument", symbol, NULL, NULL, NULL, group);
  if (get_number (obj, "price", problems, &value)
      && add_checked_sample (batch, problems, symbol, "price", ts, value))
    n_values++;
  if (get_number (obj, "size", problems, &value)
      && add_checked_sample (batch, problems, symbol, "volume", ts, value))
    n_values++;
  return finish_values (batch, problems, n_values, "tick", data, len);
}

static TwDecodeResult
decode_order (TwBatch    *batch,
              JsonObject *obj,
              const char *data,
              gsize       len)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *time_problem = NULL;
  const char *id = get_string (obj, "id");
  const char *customer = get_string (obj, "customer");
  const char *store = get_string (obj, "store");
  guint n_values = 0;
  double amount;
  gint64 items;
  gint64 ts;

  if (!valid_key (id))
    return reject (batch, data, len, "order message without a valid \"id\"");
  if (!valid_key (customer))
    return reject (batch, data, len, "order message without a valid \"customer\"");
  if (!valid_key (store))
    return reject (batch, data, len, "order message without a valid \"store\"");
  time_problem = check_time ("order", get_string (obj, "ts"), &ts);
  if (time_problem != NULL)
    return reject (batch, data, len, "%s", time_problem);
  if (!json_object_has_member (obj, "amount"))
    return reject (batch, data, len, "order message without an \"amount\"");

  tw_batch_add_entity (batch, "customer", customer, NULL, NULL, NULL);
  tw_batch_add_entity (batch, "store", store, NULL, NULL, NULL);
  if (get_number (obj, "amount", problems, &amount)
      && add_checked_sample (batch, problems, customer, "order_amount", ts, amount))
    n_values++;
  if (json_object_has_member (obj, "items"))
    {
      if (!get_int (obj, "items", &items))
        tw_codec_add_problem (problems, "items is not an integer");
      else if (add_checked_sample (batch, problems, customer, "basket_size", ts, (double) items))
        n_values++;
    }
  /* The store's count: one order at this instant. */
  if (n_values > 0 && add_checked_sample (batch, problems, store, "orders", ts, 1))
    n_values++;
  return finish_values (batch, problems, n_values, "order", data, len);
}

/* admit, transfer and discharge: HL7 ADT^A01/A02/A03 in native JSON. */
static TwDecodeResult
decode_adt (TwBatch    *batch,
            JsonObject *obj,
            const char *type,
            const char *data,
            gsize       len)
{
  const char *patient = get_string (obj, "patient");
  const char *bed = get_string (obj, "bed");
  const char *ward = get_string (obj, "ward");
  const char *group;
  g_autofree char *location = NULL;

  if (!valid_key (patient))
    return reject (batch, data, len, "%s message without a valid \"patient\"", type);
  if (!get_group (obj, &group))
    return reject (batch, data, len, "%s message with " GROUP_PROBLEM, type);
  /* The ward is the patient's group (rule scopes, the console's filter)
   * unless the message names another; a discharge keeps the last one. */
  if (group == NULL && valid_key (ward))
    group = ward;
  if (g_str_equal (type, "discharge"))
    location = g_strdup (LOCATION_DISCHARGED);
  else if (ward != NULL && bed != NULL)
    location = g_strdup_printf ("%s/%s", ward, bed);
  else if (ward != NULL || bed != NULL)
    location = g_strdup (ward != NULL ? ward : bed);
  else if (g_str_equal (type, "transfer"))
    return reject (batch, data, len, "transfer message without a \"bed\" or \"ward\"");

  /* With a "ts" the movement is also a record of the patient's stay. */
  if (json_object_has_member (obj, "ts"))
    {
      TwClinicalRecord record = {
        .entity = patient, .ref = get_string (obj, "ref"), .ward = ward, .bed = bed,
      };
      g_autofree char *problem = NULL;

      record.kind = g_str_equal (type, "admit") ? TW_CLINICAL_ADMISSION
                    : g_str_equal (type, "transfer") ? TW_CLINICAL_TRANSFER
                    : TW_CLINICAL_DISCHARGE;
      if (!tw_time_parse_iso8601 (get_string (obj, "ts"), &record.ts))
        return reject (batch, data, len, "%s message with a \"ts\" that is not RFC 3339 with a "
                       "time zone", type);
      if ((problem = tw_clinical_record_check (&record)) != NULL)
        return reject (batch, data, len, "%s", problem);
      tw_batch_add_record (batch, &record);
    }
  tw_batch_add_entity_in_group (batch, "patient", patient, get_string (obj, "name"),
                                get_string (obj, "mrn"), location, group);
  return TW_DECODE_OK;
}

/* Members of a `record` message that are strings, and where they go. */
typedef struct
{
  const char *member;
  gsize       offset;
} RecordMember;

static const RecordMember record_members[] = {
  { "ref",        G_STRUCT_OFFSET (TwClinicalRecord, ref) },
  { "code",       G_STRUCT_OFFSET (TwClinicalRecord, code) },
  { "text",       G_STRUCT_OFFSET (TwClinicalRecord, text) },
  { "detail",     G_STRUCT_OFFSET (TwClinicalRecord, detail) },
  { "status",     G_STRUCT_OFFSET (TwClinicalRecord, status) },
  { "birth_date", G_STRUCT_OFFSET (TwClinicalRecord, birth_date) },
  { "sex",        G_STRUCT_OFFSET (TwClinicalRecord, sex) },
  { "ward",       G_STRUCT_OFFSET (TwClinicalRecord, ward) },
  { "bed",        G_STRUCT_OFFSET (TwClinicalRecord, bed) },
};

/* `record`: one fact of a patient's chart (docs/native-json.md). */
static TwDecodeResult
decode_record (TwBatch    *batch,
               JsonObject *obj,
               const char *data,
               gsize       len)
{
  TwClinicalRecord record = { 0 };
  g_autofree char *problem = NULL;
  const char *kind = get_string (obj, "kind");
  const char *times[] = { "ts", "end_ts" };
  gint64 *time_fields[] = { &record.ts, &record.end_ts };

  record.entity = get_string (obj, "patient");
  if (!valid_key (record.entity))
    return reject (batch, data, len, "record message without a valid \"patient\"");
  if (!tw_clinical_kind_from_string (kind, &record.kind))
    return reject (batch, data, len, "record message with \"kind\" %s%.40s%s: expected "
                   "demographics, admission, transfer, discharge, diagnosis, treatment, "
                   "prescription, allergy or history", kind != NULL ? "\u2018" : "",
                   kind != NULL ? kind : "missing", kind != NULL ? "\u2019" : "");
  for (guint i = 0; i < G_N_ELEMENTS (record_members); i++)
    {
      const char *member = record_members[i].member;

      if (json_object_has_member (obj, member) && get_string (obj, member) == NULL
          && !JSON_NODE_HOLDS_NULL (json_object_get_member (obj, member)))
        return reject (batch, data, len, "record message: \"%s\" is not a string", member);
      G_STRUCT_MEMBER (const char *, &record, record_members[i].offset) = get_string (obj, member);
    }
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    if (json_object_has_member (obj, times[i])
        && !tw_time_parse_iso8601 (get_string (obj, times[i]), time_fields[i]))
      return reject (batch, data, len, "record message: \"%s\" is not RFC 3339 with a time "
                     "zone", times[i]);
  if ((problem = tw_clinical_record_check (&record)) != NULL)
    return reject (batch, data, len, "%s", problem);
  tw_clinical_add (batch, &record);
  return TW_DECODE_OK;
}

TwDecodeResult
tw_json_codec_decode (TwBatch    *batch,
                      const char *data,
                      gsize       len,
                      gint64     *out_seq)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;
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

  /* Most messages are flat objects: parse those without json-glib's
   * scanner, which costs most of the time of a decode. */
  obj = tw_json_flat_parse (data, len);
  if (obj == NULL)
    {
      parser = json_parser_new_immutable ();
      if (!json_parser_load_from_data (parser, data, (gssize) len, &error))
        return reject (batch, data, len, "not JSON: %s", error->message);

      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        return reject (batch, data, len, "message is not a JSON object");
      obj = json_object_ref (json_node_get_object (root));
    }

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
  if (g_strcmp0 (type, "samples") == 0)
    return decode_samples (batch, obj, data, len);
  if (g_strcmp0 (type, "tick") == 0)
    return decode_tick (batch, obj, data, len);
  if (g_strcmp0 (type, "order") == 0)
    return decode_order (batch, obj, data, len);
  if (g_strcmp0 (type, "admit") == 0 || g_strcmp0 (type, "transfer") == 0
      || g_strcmp0 (type, "discharge") == 0)
    return decode_adt (batch, obj, type, data, len);
  if (g_strcmp0 (type, "record") == 0)
    return decode_record (batch, obj, data, len);
  if (g_strcmp0 (type, "end") == 0)
    return TW_DECODE_END;
  return reject (batch, data, len, "unknown message type \"%s\"", type != NULL ? type : "(none)");
}
