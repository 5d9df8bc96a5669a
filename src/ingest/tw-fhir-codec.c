#include <json-glib/json-glib.h>
#include <string.h>

#include "tw-fhir-clinical.h"
#include "tw-fhir-codec.h"
#include "tw-units.h"

/* FHIR R4: Observation (vital-signs profile), Patient, and Bundles of them.
 * DOMAIN.md "Interfaces" lists the codes and units. The resources of a
 * patient's chart (Encounter, Condition, …) are tw-fhir-clinical.c. */

#define LOINC_SYSTEM  "http://loinc.org"
#define UCUM_SYSTEM   "http://unitsofmeasure.org"
#define MDC_SYSTEM    "urn:iso:std:iso:11073:10101"
#define URN_UUID      "urn:uuid:"
#define FHIR_ID_MAX   64
#define PATIENT_REF   "Patient/"
#define HISTORY_PART  "/_history/"

typedef struct
{
  TwBatch    *batch;
  GHashTable *patients;  /* Bundle fullUrl → entity key; NULL outside Bundles */
} Decoder;

static const char *usable_statuses[] = { "final", "amended", "corrected", "preliminary" };
static const char *bundle_types[] = {
  "collection", "transaction", "batch", "message", "searchset"
};

static const char *
get_string (JsonObject *obj,
            const char *member)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *obj,
            const char *member)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *obj,
           const char *member)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
array_object (JsonArray *array,
              guint      index)
{
  JsonNode *node = json_array_get_element (array, index);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
get_number (JsonObject *obj,
            const char *member,
            double     *out)
{
  JsonNode *node = json_object_get_member (obj, member);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *out = json_node_get_double (node);
  return TRUE;
}

static gboolean
in_list (const char  *text,
         const char **list,
         gsize        n)
{
  for (gsize i = 0; text != NULL && i < n; i++)
    if (g_str_equal (list[i], text))
      return TRUE;
  return FALSE;
}

/* FHIR ids: [A-Za-z0-9\-\.]{1,64}; anything else is not a key we store. */
static gboolean
valid_id (const char *id)
{
  gsize n = 0;

  if (id == NULL)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++, n++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return n > 0 && n <= FHIR_ID_MAX;
}

/* "Patient/123", "https://server/fhir/Patient/123/_history/2" or, inside a
 * Bundle, the fullUrl of a Patient entry ("urn:uuid:…"). */
static char *
resolve_patient (Decoder    *dec,
                 const char *reference)
{
  const char *id;
  const char *history;

  if (dec->patients != NULL)
    {
      const char *key = g_hash_table_lookup (dec->patients, reference);

      if (key != NULL)
        return g_strdup (key);
    }
  if (g_str_has_prefix (reference, PATIENT_REF))
    id = reference + strlen (PATIENT_REF);
  else if ((id = g_strrstr (reference, "/" PATIENT_REF)) != NULL)
    id += strlen ("/" PATIENT_REF);
  else
    return NULL;

  history = strstr (id, HISTORY_PART);
  return history != NULL ? g_strndup (id, history - id) : g_strdup (id);
}

/* For tw-fhir-clinical.c: a reference as a valid patient key, or NULL. */
static char *
resolve_patient_key (gpointer    resolver,
                     const char *reference)
{
  g_autofree char *key = resolve_patient (resolver, reference);

  return valid_id (key) ? g_steal_pointer (&key) : NULL;
}

static char *
subject_key (Decoder    *dec,
             JsonObject *resource,
             GString    *problems)
{
  const char *reference = get_string (get_object (resource, "subject"), "reference");
  g_autofree char *key = NULL;

  if (reference == NULL)
    {
      tw_codec_add_problem (problems, "Observation without subject.reference");
      return NULL;
    }
  key = resolve_patient (dec, reference);
  if (!valid_id (key))
    {
      tw_codec_add_problem (problems, "subject.reference \u2018%.80s\u2019 does not name a Patient",
                            reference);
      return NULL;
    }
  return g_steal_pointer (&key);
}

typedef struct
{
  const TwMetricInfo *metric;
  gboolean            bp_panel;
  const char         *unknown;  /* the first code we could not map */
} CodeMatch;

static CodeMatch
match_code (JsonObject *concept)
{
  CodeMatch match = { NULL, FALSE, NULL };
  JsonArray *codings = get_array (concept, "coding");
  guint n = codings != NULL ? json_array_get_length (codings) : 0;

  for (guint i = 0; i < n && match.metric == NULL && !match.bp_panel; i++)
    {
      JsonObject *coding = array_object (codings, i);
      const char *system = get_string (coding, "system");
      const char *code = get_string (coding, "code");

      if (code == NULL)
        continue;
      if (g_strcmp0 (system, LOINC_SYSTEM) == 0)
        {
          match.bp_panel = g_str_equal (code, TW_LOINC_BP_PANEL);
          match.metric = tw_metric_lookup_loinc (code);
        }
      else if (g_strcmp0 (system, MDC_SYSTEM) == 0)
        {
          match.metric = tw_metric_lookup_mdc (code);
        }
      else
        {
          continue;
        }
      if (match.metric == NULL && !match.bp_panel && match.unknown == NULL)
        match.unknown = code;
    }
  return match;
}

static void
add_unknown_code_problem (GString    *problems,
                          JsonObject *concept,
                          CodeMatch  *match,
                          const char *what)
{
  if (match->unknown != NULL)
    tw_codec_add_problem (problems, "%s code %.40s is not a known vital sign or glucose code "
                          "(LOINC, %s)", what, match->unknown, LOINC_SYSTEM);
  else if (get_array (concept, "coding") == NULL)
    tw_codec_add_problem (problems, "%s without code.coding", what);
  else
    tw_codec_add_problem (problems, "%s has no LOINC coding (system %s)", what, LOINC_SYSTEM);
}

/* A valueQuantity, in the metric's catalogue unit, checked for plausibility. */
static gboolean
decode_quantity (Decoder            *dec,
                 JsonObject         *holder,
                 const TwMetricInfo *metric,
                 const char         *what,
                 double             *out_value,
                 GString            *problems)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *implausible = NULL;
  JsonObject *quantity = get_object (holder, "valueQuantity");
  const char *system;
  const char *unit;
  double value;

  if (quantity == NULL)
    {
      const char *absent = get_string (get_object (holder, "dataAbsentReason"), "text");

      if (json_object_has_member (holder, "dataAbsentReason"))
        tw_codec_add_problem (problems, "%s has no value (dataAbsentReason%s%.80s)", what,
                              absent != NULL ? ": " : "", absent != NULL ? absent : "");
      else
        tw_codec_add_problem (problems, "%s without valueQuantity", what);
      return FALSE;
    }
  if (!get_number (quantity, "value", &value))
    {
      tw_codec_add_problem (problems, "%s valueQuantity.value is missing or not a number", what);
      return FALSE;
    }

  system = get_string (quantity, "system");
  if (system == NULL || g_str_equal (system, UCUM_SYSTEM))
    unit = get_string (quantity, "code") != NULL ? get_string (quantity, "code")
                                                 : get_string (quantity, "unit");
  else if (g_str_equal (system, MDC_SYSTEM))
    unit = tw_units_from_mdc (get_string (quantity, "code"), NULL);
  else
    unit = get_string (quantity, "unit");

  if (unit == NULL && get_string (quantity, "code") != NULL)
    {
      tw_codec_add_problem (problems, "%s unit code %.40s of system %.80s is not known", what,
                            get_string (quantity, "code"), system);
      return FALSE;
    }
  if (!tw_units_convert (metric, unit, value, out_value, &error))
    {
      tw_codec_add_problem (problems, "%s", error->message);
      return FALSE;
    }
  implausible = tw_codec_check_value (dec->batch, metric, *out_value);
  if (implausible != NULL)
    {
      tw_codec_add_problem (problems, "%s", implausible);
      return FALSE;
    }
  return TRUE;
}

static gboolean
effective_time (JsonObject *obs,
                gint64     *out_ts,
                GString    *problems)
{
  g_autofree char *out_of_range = NULL;
  const char *member = "effectiveDateTime";
  const char *text = get_string (obs, member);

  if (text == NULL)
    text = get_string (obs, member = "effectiveInstant");
  if (text == NULL)
    {
      tw_codec_add_problem (problems, "Observation without effectiveDateTime or effectiveInstant");
      return FALSE;
    }
  if (!tw_time_parse_iso8601 (text, out_ts))
    {
      tw_codec_add_problem (problems,
                            "%s \u2018%.40s\u2019 is not a date and time with a time zone",
                            member, text);
      return FALSE;
    }
  out_of_range = tw_codec_check_time (*out_ts, text);
  if (out_of_range != NULL)
    {
      tw_codec_add_problem (problems, "%s", out_of_range);
      return FALSE;
    }
  return TRUE;
}

static guint
decode_components (Decoder    *dec,
                   JsonObject *obs,
                   const char *key,
                   gint64      ts,
                   GString    *problems)
{
  JsonArray *components = get_array (obs, "component");
  guint n = components != NULL ? json_array_get_length (components) : 0;
  guint n_stored = 0;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *component = array_object (components, i);
      JsonObject *concept = get_object (component, "code");
      CodeMatch match = match_code (concept);
      g_autofree char *what = g_strdup_printf ("component[%u]", i);
      double value;

      if (match.metric == NULL)
        {
          add_unknown_code_problem (problems, concept, &match, what);
          continue;
        }
      if (decode_quantity (dec, component, match.metric, match.metric->code, &value, problems))
        {
          tw_batch_add_sample (dec->batch, key, match.metric->code, ts, value);
          n_stored++;
        }
    }
  if (n == 0)
    tw_codec_add_problem (problems, "blood pressure panel %s without component", TW_LOINC_BP_PANEL);
  return n_stored;
}

static guint
decode_observation (Decoder    *dec,
                    JsonObject *obs,
                    GString    *problems)
{
  const char *status = get_string (obs, "status");
  JsonObject *concept = get_object (obs, "code");
  g_autofree char *key = NULL;
  CodeMatch match;
  gint64 ts;
  double value;

  if (status == NULL)
    {
      tw_codec_add_problem (problems, "Observation without status");
      return 0;
    }
  if (g_str_equal (status, "entered-in-error"))
    {
      tw_codec_add_problem (problems,
                            "Observation status entered-in-error: the sender withdrew it");
      return 0;
    }
  if (!in_list (status, usable_statuses, G_N_ELEMENTS (usable_statuses)))
    {
      tw_codec_add_problem (problems,
                            "Observation status \u2018%.40s\u2019 is not a result (expected "
                            "final, amended, corrected or preliminary)", status);
      return 0;
    }

  match = match_code (concept);
  if (match.metric == NULL && !match.bp_panel)
    {
      add_unknown_code_problem (problems, concept, &match, "Observation");
      return 0;
    }
  key = subject_key (dec, obs, problems);
  if (key == NULL || !effective_time (obs, &ts, problems))
    return 0;

  if (match.bp_panel)
    return decode_components (dec, obs, key, ts, problems);
  if (!decode_quantity (dec, obs, match.metric, match.metric->code, &value, problems))
    return 0;
  tw_batch_add_sample (dec->batch, key, match.metric->code, ts, value);
  return 1;
}

static char *
patient_name (JsonObject *patient)
{
  JsonArray *names = get_array (patient, "name");
  JsonObject *name = names != NULL && json_array_get_length (names) > 0
                     ? array_object (names, 0) : NULL;
  JsonArray *given = get_array (name, "given");
  const char *family = get_string (name, "family");
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; given != NULL && i < json_array_get_length (given); i++)
    {
      JsonNode *node = json_array_get_element (given, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "",
                                json_node_get_string (node));
    }
  if (family != NULL)
    g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", family);
  if (text->len == 0 && get_string (name, "text") != NULL)
    g_string_append (text, get_string (name, "text"));
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

/* The medical record number: the identifier typed MR (HL7 v2 table 0203),
 * else the first one. */
static const char *
patient_mrn (JsonObject *patient)
{
  JsonArray *identifiers = get_array (patient, "identifier");
  guint n = identifiers != NULL ? json_array_get_length (identifiers) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *identifier = array_object (identifiers, i);
      JsonArray *codings = get_array (get_object (identifier, "type"), "coding");

      for (guint j = 0; codings != NULL && j < json_array_get_length (codings); j++)
        if (g_strcmp0 (get_string (array_object (codings, j), "code"), "MR") == 0
            && get_string (identifier, "value") != NULL)
          return get_string (identifier, "value");
    }
  return n > 0 ? get_string (array_object (identifiers, 0), "value") : NULL;
}

static guint
decode_patient (Decoder    *dec,
                JsonObject *patient,
                const char *full_url,
                GString    *problems)
{
  const char *id = get_string (patient, "id");
  g_autofree char *name = NULL;

  /* In a transaction Bundle a new Patient has no id yet, only its fullUrl. */
  if (id == NULL && full_url != NULL && g_str_has_prefix (full_url, URN_UUID))
    id = full_url + strlen (URN_UUID);
  if (!valid_id (id))
    {
      tw_codec_add_problem (problems, "Patient without a valid id");
      return 0;
    }
  name = patient_name (patient);
  tw_batch_add_entity (dec->batch, "patient", id, name, patient_mrn (patient), NULL);
  return 1 + tw_fhir_clinical_demographics (dec->batch, id, patient, problems);
}

static guint
decode_resource (Decoder    *dec,
                 JsonObject *resource,
                 const char *full_url,
                 GString    *problems)
{
  const char *type = get_string (resource, "resourceType");

  if (type == NULL)
    {
      tw_codec_add_problem (problems, "FHIR resource without resourceType");
      return 0;
    }
  if (g_str_equal (type, "Observation"))
    return decode_observation (dec, resource, problems);
  if (g_str_equal (type, "Patient"))
    return decode_patient (dec, resource, full_url, problems);
  if (tw_fhir_clinical_handles (type))
    return tw_fhir_clinical_decode (dec->batch, resource, resolve_patient_key, dec, problems);
  if (g_str_equal (type, "Bundle"))
    {
      tw_codec_add_problem (problems, "a Bundle inside a Bundle is not supported");
      return 0;
    }
  tw_codec_add_problem (problems, "FHIR resource type %.40s is not supported", type);
  return 0;
}

static void
collect_patients (Decoder   *dec,
                  JsonArray *entries)
{
  dec->patients = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = array_object (entries, i);
      JsonObject *resource = get_object (entry, "resource");
      const char *full_url = get_string (entry, "fullUrl");
      const char *id = get_string (resource, "id");

      if (full_url == NULL || g_strcmp0 (get_string (resource, "resourceType"), "Patient") != 0)
        continue;
      if (id == NULL && g_str_has_prefix (full_url, URN_UUID))
        id = full_url + strlen (URN_UUID);
      if (valid_id (id))
        g_hash_table_insert (dec->patients, (gpointer) full_url, g_strdup (id));
    }
}

/* Envelope entries carry no data: the MessageHeader of a message Bundle and
 * the OperationOutcome a server adds to a searchset. */
static gboolean
is_envelope (JsonObject *entry,
             JsonObject *resource)
{
  const char *type = get_string (resource, "resourceType");

  return g_strcmp0 (type, "MessageHeader") == 0
         || g_strcmp0 (get_string (get_object (entry, "search"), "mode"), "outcome") == 0;
}

/* "Bundle entry[2] (Observation/bp-1)": the index finds the entry in the
 * Bundle, the type and id find it on the server. */
static char *
entry_label (guint       index,
             JsonObject *resource)
{
  const char *type = get_string (resource, "resourceType");
  const char *id = get_string (resource, "id");

  if (type == NULL)
    return g_strdup_printf ("Bundle entry[%u]", index);
  if (id == NULL)
    return g_strdup_printf ("Bundle entry[%u] (%.40s)", index, type);
  return g_strdup_printf ("Bundle entry[%u] (%.40s/%.64s)", index, type, id);
}

static TwDecodeResult
decode_bundle (Decoder    *dec,
               JsonObject *bundle,
               const char *data,
               gsize       len)
{
  const char *type = get_string (bundle, "type");
  JsonArray *entries = get_array (bundle, "entry");
  guint n_stored = 0;
  guint n_rejected = 0;

  if (type == NULL)
    return tw_codec_reject (dec->batch, data, len, "Bundle without type");
  if (!in_list (type, bundle_types, G_N_ELEMENTS (bundle_types)))
    return tw_codec_reject (dec->batch, data, len, "Bundle type \u2018%.40s\u2019 is not "
                            "supported (expected collection, transaction, batch, message or "
                            "searchset)", type);
  if (entries == NULL)
    return TW_DECODE_OK;  /* an empty searchset: nothing happened */

  collect_patients (dec, entries);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *entry_node = json_array_get_element (entries, i);
      JsonObject *entry = array_object (entries, i);
      JsonObject *resource = get_object (entry, "resource");
      g_autoptr(GString) problems = g_string_new (NULL);
      g_autofree char *raw = NULL;
      g_autofree char *label = NULL;
      guint stored;

      if (resource == NULL)
        tw_codec_add_problem (problems, "entry without a resource");
      else if (is_envelope (entry, resource))
        continue;

      stored = resource != NULL ? decode_resource (dec, resource, get_string (entry, "fullUrl"),
                                                   problems) : 0;
      n_stored += stored;
      if (problems->len == 0)
        continue;

      /* Only this entry goes to quarantine; the others are kept. */
      n_rejected++;
      raw = json_to_string (entry_node, FALSE);
      label = entry_label (i, resource);
      tw_codec_reject (dec->batch, raw, strlen (raw), "%s: %s%s", label, problems->str,
                       stored > 0 ? " (the other values were stored)" : "");
    }
  return n_stored == 0 && n_rejected > 0 ? TW_DECODE_REJECTED : TW_DECODE_OK;
}

/**
 * tw_fhir_codec_decode:
 * @batch: receives samples, entities and rejects
 * @data: (array length=len): one FHIR R4 resource as JSON (Observation,
 *   Patient, Encounter, Condition, AllergyIntolerance, MedicationRequest,
 *   Procedure or a Bundle of them)
 * @len: its length in bytes
 * @info: (optional): gets the resource id as message id
 *
 * A bad Bundle entry rejects only that entry, with its index and its own
 * JSON as raw bytes; the other entries are kept.
 */
TwDecodeResult
tw_fhir_codec_decode (TwBatch      *batch,
                      const char   *data,
                      gsize         len,
                      TwDecodeInfo *info)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) problems = NULL;
  g_autofree char *unparsable = NULL;
  Decoder dec = { batch, NULL };
  TwDecodeResult result;
  JsonObject *resource;
  JsonNode *root;
  const char *type;
  guint stored;

  g_return_val_if_fail (batch != NULL, TW_DECODE_REJECTED);
  g_return_val_if_fail (data != NULL || len == 0, TW_DECODE_REJECTED);

  if (info != NULL)
    info->format = TW_FORMAT_FHIR_JSON;
  if (len > TW_CODEC_MAX_MESSAGE_BYTES)
    return tw_codec_reject (batch, data, len, "FHIR message of %" G_GSIZE_FORMAT " bytes is "
                            "larger than the limit of %d bytes", len, TW_CODEC_MAX_MESSAGE_BYTES);
  if (!g_utf8_validate_len (data, len, NULL))
    return tw_codec_reject (batch, data, len, "FHIR message is not valid UTF-8");
  unparsable = tw_codec_json_precheck (data, len, TW_CODEC_MAX_JSON_DEPTH);
  if (unparsable != NULL)
    return tw_codec_reject (batch, data, len, "FHIR %s", unparsable);

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &error))
    return tw_codec_reject (batch, data, len, "not JSON: %s", error->message);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return tw_codec_reject (batch, data, len, "FHIR message is not a JSON object");
  resource = json_node_get_object (root);

  type = get_string (resource, "resourceType");
  if (type == NULL)
    return tw_codec_reject (batch, data, len, "FHIR message without a \"resourceType\"");
  tw_codec_set_message_id (info, get_string (resource, "id"));

  if (g_str_equal (type, "Bundle"))
    {
      result = decode_bundle (&dec, resource, data, len);
      g_clear_pointer (&dec.patients, g_hash_table_unref);
      return result;
    }

  problems = g_string_new (NULL);
  stored = decode_resource (&dec, resource, NULL, problems);
  if (problems->len == 0)
    return TW_DECODE_OK;
  tw_codec_reject (batch, data, len, "%s%s", problems->str,
                   stored > 0 ? " (the other values were stored)" : "");
  return stored > 0 ? TW_DECODE_OK : TW_DECODE_REJECTED;
}
