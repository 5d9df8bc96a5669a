#include <string.h>

#include "tw-clinical-ingest.h"
#include "tw-codec.h"
#include "tw-fhir-clinical.h"
#include "tw-time.h"

/* FHIR R4 → TwClinicalRecord:
 *   Patient.birthDate, .gender                   → demographics
 *   Encounter.period.start, .location (ward, bed) → admission; with
 *     .period.end and status finished also a discharge
 *   Condition (ICD-10 coding preferred)          → diagnosis, or history when
 *     its clinicalStatus is inactive, remission or resolved
 *   AllergyIntolerance                           → allergy
 *   MedicationRequest                            → prescription
 *   Procedure                                    → treatment
 * The ref is the resource id: a resent resource replaces what it said. */

#define ICD10_SYSTEM     "http://hl7.org/fhir/sid/icd-10"
#define ICD10_CM_SYSTEM  "http://hl7.org/fhir/sid/icd-10-cm"
#define DATE_CHARS       10   /* "YYYY-MM-DD" */

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

static JsonObject *
get_element (JsonObject *obj,
             const char *member,
             guint       index)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  if (index >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, index);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static guint
get_length (JsonObject *obj,
            const char *member)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node)
         ? json_array_get_length (json_node_get_array (node)) : 0;
}

/* The code of a CodeableConcept's first coding in @system (any system
 * when NULL) and its display. */
static JsonObject *
coding_in (JsonObject *concept,
           const char *system)
{
  for (guint i = 0; i < get_length (concept, "coding"); i++)
    {
      JsonObject *coding = get_element (concept, "coding", i);

      if (get_string (coding, "code") != NULL
          && (system == NULL || g_strcmp0 (get_string (coding, "system"), system) == 0))
        return coding;
    }
  return NULL;
}

/* A CodeableConcept as code and text: ICD-10 when @prefer_icd10 and there
 * is one, else the first coding; the text is .text, else the display. */
static void
concept_code (JsonObject  *concept,
              gboolean     prefer_icd10,
              const char **code,
              const char **text)
{
  JsonObject *coding = NULL;

  if (prefer_icd10)
    coding = coding_in (concept, ICD10_SYSTEM);
  if (prefer_icd10 && coding == NULL)
    coding = coding_in (concept, ICD10_CM_SYSTEM);
  if (coding == NULL)
    coding = coding_in (concept, NULL);
  *code = get_string (coding, "code");
  *text = get_string (concept, "text") != NULL ? get_string (concept, "text")
                                               : get_string (coding, "display");
}

/* FHIR dateTime: a day "YYYY-MM-DD" (00:00 UTC: a day has no zone) or a
 * time with its zone. Partial dates ("1987", "1987-05") are refused: a
 * record needs a day. Returns FALSE (and a problem) only when @member is
 * there and unreadable; *out is 0 when it is absent. */
static gboolean
date_time (JsonObject *obj,
           const char *member,
           gint64     *out,
           GString    *problems)
{
  const char *text = get_string (obj, member);

  *out = 0;
  if (text == NULL)
    return TRUE;
  if (strlen (text) == DATE_CHARS)
    {
      g_autofree char *midnight = g_strdup_printf ("%sT00:00:00Z", text);

      if (tw_time_parse_iso8601 (midnight, out))
        return TRUE;
    }
  else if (tw_time_parse_iso8601 (text, out))
    {
      return TRUE;
    }
  tw_codec_add_problem (problems, "%s \u2018%.40s\u2019 is not a day (YYYY-MM-DD) or a date and "
                        "time with a time zone", member, text);
  return FALSE;
}

static const char *
status_code (JsonObject *resource,
             const char *member)
{
  return get_string (coding_in (get_object (resource, member), NULL), "code");
}

typedef struct
{
  TwBatch       *batch;
  JsonObject    *resource;
  const char    *type;
  TwFhirResolve  resolve;
  gpointer       resolver;
  GString       *problems;
} Resource;

static char *
patient_of (Resource   *res,
            const char *member)
{
  const char *reference = get_string (get_object (res->resource, member), "reference");
  g_autofree char *key = NULL;

  if (reference == NULL)
    {
      tw_codec_add_problem (res->problems, "%s without %s.reference", res->type, member);
      return NULL;
    }
  key = res->resolve (res->resolver, reference);
  if (key == NULL)
    {
      tw_codec_add_problem (res->problems, "%s.reference \u2018%.80s\u2019 does not name a "
                            "Patient", member, reference);
      return NULL;
    }
  return g_steal_pointer (&key);
}

static guint
add (Resource         *res,
     TwClinicalRecord *record)
{
  g_autofree char *problem = tw_clinical_record_check (record);

  if (problem != NULL)
    {
      tw_codec_add_problem (res->problems, "%s", problem);
      return 0;
    }
  tw_clinical_add (res->batch, record);
  return 1;
}

static gboolean
withdrawn (Resource   *res,
           const char *status)
{
  if (g_strcmp0 (status, "entered-in-error") != 0)
    return FALSE;
  tw_codec_add_problem (res->problems, "%s status entered-in-error: the sender withdrew it",
                        res->type);
  return TRUE;
}

/* Encounter.location[]: physicalType wa (ward), ro (room), bd (bed) of the
 * location-physical-type code system; untyped ones are the ward, then the
 * bed, in order. */
static void
encounter_place (JsonObject  *encounter,
                 const char **ward,
                 const char **bed)
{
  *ward = *bed = NULL;
  for (guint i = 0; i < get_length (encounter, "location"); i++)
    {
      JsonObject *entry = get_element (encounter, "location", i);
      const char *name = get_string (get_object (entry, "location"), "display");
      const char *type = get_string (coding_in (get_object (entry, "physicalType"), NULL), "code");

      if (name == NULL)
        continue;
      if (g_strcmp0 (type, "wa") == 0 || (type == NULL && *ward == NULL))
        *ward = name;
      else if (g_strcmp0 (type, "bd") == 0 || (type == NULL && *bed == NULL))
        *bed = name;
    }
}

static guint
decode_encounter (Resource   *res,
                  const char *id,
                  const char *patient)
{
  JsonObject *period = get_object (res->resource, "period");
  const char *status = get_string (res->resource, "status");
  g_autofree char *discharge_ref = NULL;
  TwClinicalRecord admission = { .kind = TW_CLINICAL_ADMISSION, .entity = patient, .ref = id };
  TwClinicalRecord discharge = { .kind = TW_CLINICAL_DISCHARGE, .entity = patient };
  guint n;

  if (withdrawn (res, status))
    return 0;
  if (g_strcmp0 (status, "cancelled") == 0 || g_strcmp0 (status, "planned") == 0)
    {
      tw_codec_add_problem (res->problems, "Encounter status %s: the patient is not there",
                            status);
      return 0;
    }
  if (!date_time (period, "start", &admission.ts, res->problems)
      || !date_time (period, "end", &discharge.ts, res->problems))
    return 0;
  if (admission.ts == 0)
    {
      tw_codec_add_problem (res->problems, "Encounter without period.start");
      return 0;
    }
  encounter_place (res->resource, &admission.ward, &admission.bed);
  admission.status = status;
  if ((n = add (res, &admission)) == 0)
    return 0;
  if (discharge.ts != 0 && g_strcmp0 (status, "finished") == 0)
    {
      discharge_ref = g_strdup_printf ("%s-end", id);
      discharge.ref = discharge_ref;
      n += add (res, &discharge);
    }
  return n;
}

static guint
decode_condition (Resource   *res,
                  const char *id,
                  const char *patient)
{
  const char *clinical = status_code (res->resource, "clinicalStatus");
  const char *verification = status_code (res->resource, "verificationStatus");
  static const char *past[] = { "inactive", "remission", "resolved", NULL };
  TwClinicalRecord record = { .entity = patient, .ref = id, .status = clinical };

  if (withdrawn (res, verification))
    return 0;
  if (g_strcmp0 (verification, "refuted") == 0)
    {
      tw_codec_add_problem (res->problems, "Condition verificationStatus refuted: the patient "
                            "does not have it");
      return 0;
    }
  record.kind = clinical != NULL && g_strv_contains (past, clinical) ? TW_CLINICAL_HISTORY
                                                                     : TW_CLINICAL_DIAGNOSIS;
  concept_code (get_object (res->resource, "code"), TRUE, &record.code, &record.text);
  if (!date_time (res->resource, "onsetDateTime", &record.ts, res->problems)
      || !date_time (res->resource, "abatementDateTime", &record.end_ts, res->problems))
    return 0;
  if (record.ts == 0 && !date_time (res->resource, "recordedDate", &record.ts, res->problems))
    return 0;
  return add (res, &record);
}

static guint
decode_allergy (Resource   *res,
                const char *id,
                const char *patient)
{
  JsonObject *reaction = get_element (res->resource, "reaction", 0);
  JsonObject *manifestation = get_element (reaction, "manifestation", 0);
  const char *severity = get_string (reaction, "severity");
  const char *criticality = get_string (res->resource, "criticality");
  const char *ignored;
  g_autofree char *status = NULL;
  TwClinicalRecord record = { .kind = TW_CLINICAL_ALLERGY, .entity = patient, .ref = id };

  if (withdrawn (res, status_code (res->resource, "verificationStatus")))
    return 0;
  concept_code (get_object (res->resource, "code"), FALSE, &record.code, &record.text);
  if (manifestation != NULL)
    concept_code (manifestation, FALSE, &ignored, &record.detail);
  /* The reaction's severity, else the substance's criticality. */
  if (severity != NULL)
    status = g_strdup (severity);
  else if (criticality != NULL)
    status = g_strdup_printf ("%s criticality", criticality);
  record.status = status;
  if (!date_time (res->resource, "onsetDateTime", &record.ts, res->problems))
    return 0;
  if (record.ts == 0 && !date_time (res->resource, "recordedDate", &record.ts, res->problems))
    return 0;
  return add (res, &record);
}

static guint
decode_medication (Resource   *res,
                   const char *id,
                   const char *patient)
{
  const char *status = get_string (res->resource, "status");
  JsonObject *dosage = get_element (res->resource, "dosageInstruction", 0);
  JsonObject *validity = get_object (get_object (res->resource, "dispenseRequest"),
                                     "validityPeriod");
  TwClinicalRecord record = { .kind = TW_CLINICAL_PRESCRIPTION, .entity = patient, .ref = id,
                              .status = status };

  if (withdrawn (res, status))
    return 0;
  if (get_object (res->resource, "medicationCodeableConcept") == NULL)
    {
      tw_codec_add_problem (res->problems, "MedicationRequest without "
                            "medicationCodeableConcept (a medicationReference is not followed)");
      return 0;
    }
  concept_code (get_object (res->resource, "medicationCodeableConcept"), FALSE, &record.code,
                &record.text);
  record.detail = get_string (dosage, "text");
  if (!date_time (res->resource, "authoredOn", &record.ts, res->problems)
      || !date_time (validity, "end", &record.end_ts, res->problems))
    return 0;
  return add (res, &record);
}

static guint
decode_procedure (Resource   *res,
                  const char *id,
                  const char *patient)
{
  const char *status = get_string (res->resource, "status");
  TwClinicalRecord record = { .kind = TW_CLINICAL_TREATMENT, .entity = patient, .ref = id,
                              .status = status };

  if (withdrawn (res, status))
    return 0;
  concept_code (get_object (res->resource, "code"), FALSE, &record.code, &record.text);
  if (!date_time (res->resource, "performedDateTime", &record.ts, res->problems))
    return 0;
  if (record.ts == 0 && !date_time (get_object (res->resource, "performedPeriod"), "start",
                                    &record.ts, res->problems))
    return 0;
  if (!date_time (get_object (res->resource, "performedPeriod"), "end", &record.end_ts,
                  res->problems))
    return 0;
  return add (res, &record);
}

static const struct
{
  const char *type;
  const char *subject;   /* the member that names the patient */
  guint     (*decode) (Resource *, const char *, const char *);
} resources[] = {
  { "Encounter",          "subject", decode_encounter },
  { "Condition",          "subject", decode_condition },
  { "AllergyIntolerance", "patient", decode_allergy },
  { "MedicationRequest",  "subject", decode_medication },
  { "Procedure",          "subject", decode_procedure },
};

gboolean
tw_fhir_clinical_handles (const char *resource_type)
{
  for (guint i = 0; resource_type != NULL && i < G_N_ELEMENTS (resources); i++)
    if (g_str_equal (resources[i].type, resource_type))
      return TRUE;
  return FALSE;
}

/**
 * tw_fhir_clinical_decode:
 * @batch: receives the records (and, for an Encounter, the patient's ward
 *   and bed)
 * @resource: an Encounter, Condition, AllergyIntolerance,
 *   MedicationRequest or Procedure
 * @resolve: turns a reference into a patient key
 * @resolver: its first argument
 * @problems: gets what cannot be used
 *
 * Returns: how many records were added
 */
guint
tw_fhir_clinical_decode (TwBatch       *batch,
                         JsonObject    *resource,
                         TwFhirResolve  resolve,
                         gpointer       resolver,
                         GString       *problems)
{
  const char *type = get_string (resource, "resourceType");
  const char *id = get_string (resource, "id");
  Resource res = { batch, resource, type, resolve, resolver, problems };

  for (guint i = 0; i < G_N_ELEMENTS (resources); i++)
    {
      g_autofree char *patient = NULL;

      if (g_strcmp0 (resources[i].type, type) != 0)
        continue;
      /* The id is the record's identity: without it a resend would be a
       * second record. */
      if (id == NULL || *id == '\0')
        {
          tw_codec_add_problem (problems, "%s without an id", type);
          return 0;
        }
      patient = patient_of (&res, resources[i].subject);
      if (patient == NULL)
        return 0;
      return resources[i].decode (&res, id, patient);
    }
  g_return_val_if_reached (0);
}

/**
 * tw_fhir_clinical_demographics:
 * @batch: receives the record
 * @patient: the Patient's key
 * @resource: the Patient
 * @problems: gets what cannot be used
 *
 * Returns: 1 when the Patient had a birthDate or gender to record, else 0
 */
guint
tw_fhir_clinical_demographics (TwBatch    *batch,
                               const char *patient,
                               JsonObject *resource,
                               GString    *problems)
{
  const char *birth_date = get_string (resource, "birthDate");
  const char *gender = get_string (resource, "gender");
  TwClinicalRecord record = { .kind = TW_CLINICAL_DEMOGRAPHICS, .entity = patient,
                              .ref = "Patient", .birth_date = birth_date, .sex = gender };
  g_autofree char *problem = NULL;

  if (birth_date == NULL && gender == NULL)
    return 0;
  problem = tw_clinical_record_check (&record);
  if (problem != NULL)
    {
      tw_codec_add_problem (problems, "%s", problem);
      return 0;
    }
  tw_batch_add_record (batch, &record);
  return 1;
}
