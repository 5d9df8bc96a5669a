#include <string.h>

#include "tw-codec.h"
#include "tw-fhir-codec.h"
#include "tw-hl7-codec.h"
#include "tw-json-codec.h"
#include "tw-time.h"
#include "tw-test-batch.h"

/* Clinical records from every door: HL7 v2 ADT and RDE, FHIR R4 resources
 * and native JSON `record` messages become exactly the TwClinicalRecords
 * the store keeps, and what is malformed goes to quarantine with a reason
 * that says what to fix. */

static const TwClinicalRecord *
record (TwBatch *batch,
        guint    index)
{
  g_assert_cmpuint (batch->records->len, >, index);
  return &g_array_index (batch->records, TwClinicalRecord, index);
}

/* The one record of @kind in @batch (asserts there is exactly one). */
static const TwClinicalRecord *
only (TwBatch        *batch,
      TwClinicalKind  kind)
{
  const TwClinicalRecord *found = NULL;

  for (guint i = 0; i < batch->records->len; i++)
    if (record (batch, i)->kind == kind)
      {
        g_assert_null (found);
        found = record (batch, i);
      }
  g_assert_nonnull (found);
  return found;
}

static gint64
ts_of (const char *text)
{
  gint64 ts = 0;

  g_assert_true (tw_time_parse_iso8601 (text, &ts));
  return ts;
}

static TwDecodeResult
hl7 (TwBatch    *batch,
     const char *text)
{
  return tw_hl7_codec_decode (batch, text, strlen (text), NULL);
}

static TwDecodeResult
fhir (TwBatch    *batch,
      const char *text)
{
  return tw_fhir_codec_decode (batch, text, strlen (text), NULL);
}

static TwDecodeResult
native (TwBatch    *batch,
        const char *text)
{
  return tw_json_codec_decode (batch, text, strlen (text), NULL);
}

/* ---- HL7 v2 ------------------------------------------------------------- */

#define MSH(type, id) "MSH|^~\\&|ADT1|HOSP|TIDEWATCH|ICU|20261120081500+0100||" type "|" id \
                      "|P|2.5.1\r"

static const char a01[] =
  MSH ("ADT^A01^ADT_A01", "ADM-1")
  "EVN|A01|20261120081000+0100\r"
  "PID|1||P0042^^^HOSP^PI~MRN-7^^^HOSP^MR||Lindqvist^Bo||19480312|M\r"
  "PV1|1|I|ICU^03^1^HOSP||||||||||||||||V-991|||||||||||||||||||||||||20261120080000+0100\r"
  "DG1|1|I10|J18.9^Pneumonia, unspecified organism^I10||20261119|A\r"
  "DG1|2|I10|E11.9^Type 2 diabetes mellitus without complications^I10||20150301|F\r"
  "AL1|1|DA|Z88.0^Penicillin^I10|SV|Anaphylaxis|20010101\r"
  "PR1|1||0BH17EZ^Insertion of endotracheal airway^ICD10PCS||20261120093000+0100\r";

static void
test_hl7_admission (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  const TwClinicalRecord *r;

  g_assert_cmpint (hl7 (batch, a01), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpuint (batch->records->len, ==, 6);

  r = only (batch, TW_CLINICAL_DEMOGRAPHICS);
  g_assert_cmpstr (r->entity, ==, "P0042");
  g_assert_cmpstr (r->birth_date, ==, "1948-03-12");
  g_assert_cmpstr (r->sex, ==, "male");

  /* PV1-44 is the admit time; PV1-19 the visit number names the stay. */
  r = only (batch, TW_CLINICAL_ADMISSION);
  g_assert_cmpstr (r->entity, ==, "P0042");
  g_assert_cmpstr (r->ref, ==, "V-991");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-20T07:00:00Z"));
  g_assert_cmpstr (r->ward, ==, "ICU");
  g_assert_cmpstr (r->bed, ==, "ICU-03-1");

  r = record (batch, 1);
  g_assert_cmpint (r->kind, ==, TW_CLINICAL_DIAGNOSIS);
  g_assert_cmpstr (r->ref, ==, "V-991-DG1-1");
  g_assert_cmpstr (r->code, ==, "J18.9");
  g_assert_cmpstr (r->text, ==, "Pneumonia, unspecified organism");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-19T00:00:00Z"));
  r = record (batch, 2);
  g_assert_cmpint (r->kind, ==, TW_CLINICAL_DIAGNOSIS);
  g_assert_cmpstr (r->code, ==, "E11.9");
  g_assert_cmpstr (r->ref, ==, "V-991-DG1-2");

  r = only (batch, TW_CLINICAL_ALLERGY);
  g_assert_cmpstr (r->code, ==, "Z88.0");
  g_assert_cmpstr (r->text, ==, "Penicillin");
  g_assert_cmpstr (r->status, ==, "severe");
  g_assert_cmpstr (r->detail, ==, "Anaphylaxis (drug allergy)");
  g_assert_cmpint (r->ts, ==, ts_of ("2001-01-01T00:00:00Z"));

  r = only (batch, TW_CLINICAL_TREATMENT);
  g_assert_cmpstr (r->code, ==, "0BH17EZ");
  g_assert_cmpstr (r->text, ==, "Insertion of endotracheal airway");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-20T08:30:00Z"));

  /* The entity itself moves to the ward as before. */
  g_assert_cmpuint (batch->entities->len, ==, 1);
  g_assert_cmpstr (g_array_index (batch->entities, TwEntityInfo, 0).group, ==, "ICU");
}

/* An A08 that resends the visit's diagnoses names them as the A01 did, so
 * the store replaces them instead of listing them twice. */
static void
test_hl7_update_same_refs (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char a08[] =
    MSH ("ADT^A08^ADT_A01", "UPD-7")
    "PID|1||P0042^^^HOSP^PI\r"
    "PV1|1|I|ICU^03^1||||||||||||||||V-991\r"
    "DG1|1|I10|J18.9^Pneumonia, unspecified organism^I10||20261119|F\r";

  g_assert_cmpint (hl7 (batch, a01), ==, TW_DECODE_OK);
  g_assert_cmpint (hl7 (batch, a08), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  /* A08 is no movement: one admission, from the A01. */
  g_assert_cmpuint (batch->records->len, ==, 7);
  g_assert_cmpint (record (batch, 6)->kind, ==, TW_CLINICAL_DIAGNOSIS);
  g_assert_cmpstr (record (batch, 6)->ref, ==, record (batch, 1)->ref);
}

static void
test_hl7_transfer_discharge (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char a02[] =
    MSH ("ADT^A02^ADT_A02", "TRF-1")
    "EVN|A02|20261121100000+0000||||20261121095500+0000\r"
    "PID|1||P0042^^^HOSP^PI\r"
    "PV1|1|I|WARD7^12^2|||ICU^03^1\r";
  static const char a03[] =
    MSH ("ADT^A03^ADT_A03", "DIS-1")
    "EVN|A03|20261122110000+0000\r"
    "PID|1||P0042^^^HOSP^PI\r"
    "PV1|1|I|WARD7^12^2||||||||||||||||V-991|||||||||||||||||||||||||"
    "20261120080000+0100|20261122103000+0000\r";
  const TwClinicalRecord *r;

  g_assert_cmpint (hl7 (batch, a02), ==, TW_DECODE_OK);
  g_assert_cmpint (hl7 (batch, a03), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpuint (batch->records->len, ==, 2);

  /* EVN-6, when it happened, wins over EVN-2, when it was keyed in. */
  r = only (batch, TW_CLINICAL_TRANSFER);
  g_assert_cmpstr (r->ref, ==, "TRF-1-A02");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-21T09:55:00Z"));
  g_assert_cmpstr (r->ward, ==, "WARD7");
  g_assert_cmpstr (r->bed, ==, "WARD7-12-2");

  /* PV1-45 is the discharge time. */
  r = only (batch, TW_CLINICAL_DISCHARGE);
  g_assert_cmpstr (r->ref, ==, "V-991-A03");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-22T10:30:00Z"));
  g_assert_null (r->ward);
}

static void
test_hl7_pharmacy (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char rde[] =
    MSH ("RDE^O11^RDE_O11", "RX-1")
    "PID|1||P0042^^^HOSP^PI\r"
    "ORC|NW|ORD-77\r"
    "RXE||J01CR02^Amoxicillin and clavulanic acid^ATC|1.2||g\r"
    "RXR|IV^intravenous\r"
    "TQ1|1||Q8H|||| 20261120090000+0100\r"
    "ORC|DC|ORD-78\r"
    "RXE||B01AB05^Enoxaparin^ATC|40||mg\r";
  const TwClinicalRecord *r;

  /* A bad order is named; the good one of the same message is kept. */
  g_assert_cmpint (hl7 (batch, rde), ==, TW_DECODE_OK);
  g_assert_cmpstr (reject_reason (batch, 0), ==,
                   "TQ1-7 (start) \u2018 20261120090000+0100\u2019 is not an HL7 date (YYYYMMDD) or a "
                   "time with a zone (YYYYMMDDHHMM[SS]\u00b1ZZZZ) (the other values were stored)");
  g_assert_cmpuint (batch->records->len, ==, 1);
  g_assert_cmpstr (record (batch, 0)->ref, ==, "ORD-78");
  tw_batch_clear_rejects (batch);
  g_array_set_size (batch->records, 0);

  {
    g_autofree char *fixed = g_strdup (rde);
    char *space = strstr (fixed, "| 2026");

    memmove (space + 1, space + 2, strlen (space + 2) + 1);
    g_assert_cmpint (hl7 (batch, fixed), ==, TW_DECODE_OK);
  }
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpuint (batch->records->len, ==, 2);
  r = record (batch, 0);
  g_assert_cmpint (r->kind, ==, TW_CLINICAL_PRESCRIPTION);
  g_assert_cmpstr (r->entity, ==, "P0042");
  g_assert_cmpstr (r->ref, ==, "ORD-77");
  g_assert_cmpstr (r->code, ==, "J01CR02");
  g_assert_cmpstr (r->text, ==, "Amoxicillin and clavulanic acid");
  g_assert_cmpstr (r->detail, ==, "1.2 g intravenous Q8H");
  g_assert_cmpstr (r->status, ==, "active");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-20T08:00:00Z"));
  r = record (batch, 1);
  g_assert_cmpstr (r->ref, ==, "ORD-78");
  g_assert_cmpstr (r->detail, ==, "40 mg");
  g_assert_cmpstr (r->status, ==, "stopped");
  /* No start: the message time. */
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-20T07:15:00Z"));
}

static void
test_hl7_malformed (void)
{
  static const struct { const char *text; const char *reason; } cases[] = {
    { MSH ("ADT^A01", "B1") "PID|1||P1||Doe^Jo||1948-03-12|M\rPV1|1|I|ICU^^1\r",
      "PID-7 (birth date) \u20181948-03-12\u2019 is not YYYYMMDD" },
    { MSH ("ADT^A01", "B1") "PID|1||P1||Doe^Jo||20991231|M\rPV1|1|I|ICU^^1\r",
      "PID: birth date \u20182099-12-31\u2019 is not a past day as YYYY-MM-DD" },
    { MSH ("ADT^A01", "B2") "PID|1||P1||Doe^Jo||19480312|X\rPV1|1|I|ICU^^1\r",
      "PID-8 (administrative sex) \u2018X\u2019 is not F, M, O, U, A or N" },
    { MSH ("ADT^A01", "B3") "PID|1||P1\rPV1|1|I|ICU^^1\rDG1|1|I10|^^I10\r",
      "DG1 1: diagnosis record without a code or text" },
    { MSH ("ADT^A08", "B4") "PID|1||P1\rDG1|1|I10|J18.9^Pneumonia^I10||202611201200\r",
      "DG1-5" },
    { MSH ("ADT^A01", "B5") "EVN|A01|yesterday\rPID|1||P1\rPV1|1|I|ICU^^1\r",
      "EVN-2 (recorded time) \u2018yesterday\u2019 is not an HL7 date" },
    { MSH ("RDE^O11", "B6") "PID|1||P1\rRXE||X^Y\r",
      "pharmacy order without an ORC segment" },
    { MSH ("RDE^O11", "B7") "PID|1||P1\rORC|NW|O-1\r",
      "ORC O-1 without an RXE or RXO segment" },
    { MSH ("RDE^O11", "B8") "ORC|NW|O-1\rRXE||X^Y\r", "RDE^O11 without a PID segment" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);

      g_test_message ("case %u", i);
      hl7 (batch, cases[i].text);
      /* The other facts of the message may be kept; the bad one is not. */
      for (guint j = 0; j < batch->records->len; j++)
        g_assert_cmpint (record (batch, j)->kind, ==, TW_CLINICAL_ADMISSION);
      g_assert_cmpuint (batch->rejects->len, ==, 1);
      if (strstr (reject_reason (batch, 0), cases[i].reason) == NULL)
        g_error ("case %u: reason \u2018%s\u2019 lacks \u2018%s\u2019", i,
                 reject_reason (batch, 0), cases[i].reason);
      /* The raw message is kept for review. */
      g_assert_cmpuint (g_bytes_get_size (((TwReject *) batch->rejects->pdata[0])->raw), ==,
                        strlen (cases[i].text));
    }
}

/* ---- FHIR R4 ------------------------------------------------------------ */

#define PATIENT \
  "{\"resourceType\":\"Patient\",\"id\":\"P0042\",\"identifier\":[{\"type\":{\"coding\":" \
  "[{\"code\":\"MR\"}]},\"value\":\"MRN-7\"}],\"name\":[{\"family\":\"Okafor\",\"given\":" \
  "[\"Ada\"]}],\"birthDate\":\"1951-07-04\",\"gender\":\"female\"}"
#define ENCOUNTER \
  "{\"resourceType\":\"Encounter\",\"id\":\"enc-1\",\"status\":\"finished\"," \
  "\"subject\":{\"reference\":\"Patient/P0042\"},\"period\":{\"start\":" \
  "\"2026-11-18T09:00:00+01:00\",\"end\":\"2026-11-21T12:00:00Z\"},\"location\":[" \
  "{\"location\":{\"display\":\"Ward 7\"},\"physicalType\":{\"coding\":[{\"code\":\"wa\"}]}}," \
  "{\"location\":{\"display\":\"Ward 7-04\"},\"physicalType\":{\"coding\":[{\"code\":\"bd\"}]}}]}"
#define CONDITION \
  "{\"resourceType\":\"Condition\",\"id\":\"cond-1\",\"clinicalStatus\":{\"coding\":[{" \
  "\"code\":\"active\"}]},\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\"," \
  "\"code\":\"233604007\",\"display\":\"Pneumonia\"},{\"system\":" \
  "\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"J18.9\",\"display\":\"Pneumonia, " \
  "unspecified organism\"}]},\"subject\":{\"reference\":\"Patient/P0042\"}," \
  "\"onsetDateTime\":\"2026-11-17\"}"
#define PAST_CONDITION \
  "{\"resourceType\":\"Condition\",\"id\":\"cond-2\",\"clinicalStatus\":{\"coding\":[{" \
  "\"code\":\"resolved\"}]},\"code\":{\"coding\":[{\"system\":" \
  "\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"K35.8\"}],\"text\":\"Appendicitis\"}," \
  "\"subject\":{\"reference\":\"Patient/P0042\"},\"onsetDateTime\":\"1987-05-02\"," \
  "\"abatementDateTime\":\"1987-05-09\"}"
#define ALLERGY \
  "{\"resourceType\":\"AllergyIntolerance\",\"id\":\"alg-1\",\"criticality\":\"high\"," \
  "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"764146007\"," \
  "\"display\":\"Penicillin\"}]},\"patient\":{\"reference\":\"Patient/P0042\"}," \
  "\"recordedDate\":\"2019-03-01\",\"reaction\":[{\"manifestation\":[{\"text\":\"Hives\"}]," \
  "\"severity\":\"moderate\"}]}"
#define MEDICATION \
  "{\"resourceType\":\"MedicationRequest\",\"id\":\"rx-1\",\"status\":\"active\"," \
  "\"intent\":\"order\",\"medicationCodeableConcept\":{\"coding\":[{\"system\":" \
  "\"http://www.whocc.no/atc\",\"code\":\"A10BA02\",\"display\":\"Metformin\"}]}," \
  "\"subject\":{\"reference\":\"Patient/P0042\"},\"authoredOn\":\"2026-11-18T10:00:00Z\"," \
  "\"dosageInstruction\":[{\"text\":\"500 mg by mouth twice daily\"}]}"
#define PROCEDURE \
  "{\"resourceType\":\"Procedure\",\"id\":\"proc-1\",\"status\":\"completed\",\"code\":" \
  "{\"coding\":[{\"code\":\"0BH17EZ\",\"display\":\"Intubation\"}]},\"subject\":" \
  "{\"reference\":\"Patient/P0042\"},\"performedPeriod\":{\"start\":" \
  "\"2026-11-18T11:00:00Z\",\"end\":\"2026-11-18T11:20:00Z\"}}"

static void
test_fhir_resources (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  const char *texts[] = { PATIENT, ENCOUNTER, CONDITION, PAST_CONDITION, ALLERGY, MEDICATION,
                          PROCEDURE };
  const TwClinicalRecord *r;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    g_assert_cmpint (fhir (batch, texts[i]), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpuint (batch->records->len, ==, 8);

  r = only (batch, TW_CLINICAL_DEMOGRAPHICS);
  g_assert_cmpstr (r->entity, ==, "P0042");
  g_assert_cmpstr (r->birth_date, ==, "1951-07-04");
  g_assert_cmpstr (r->sex, ==, "female");

  r = only (batch, TW_CLINICAL_ADMISSION);
  g_assert_cmpstr (r->ref, ==, "enc-1");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-18T08:00:00Z"));
  g_assert_cmpstr (r->ward, ==, "Ward 7");
  g_assert_cmpstr (r->bed, ==, "Ward 7-04");
  r = only (batch, TW_CLINICAL_DISCHARGE);
  g_assert_cmpstr (r->ref, ==, "enc-1-end");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-21T12:00:00Z"));

  /* The ICD-10 coding wins over the SNOMED one listed first. */
  r = only (batch, TW_CLINICAL_DIAGNOSIS);
  g_assert_cmpstr (r->ref, ==, "cond-1");
  g_assert_cmpstr (r->code, ==, "J18.9");
  g_assert_cmpstr (r->text, ==, "Pneumonia, unspecified organism");
  g_assert_cmpstr (r->status, ==, "active");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-17T00:00:00Z"));

  /* A resolved condition is medical history. */
  r = only (batch, TW_CLINICAL_HISTORY);
  g_assert_cmpstr (r->code, ==, "K35.8");
  g_assert_cmpstr (r->text, ==, "Appendicitis");
  g_assert_cmpint (r->end_ts, ==, ts_of ("1987-05-09T00:00:00Z"));

  r = only (batch, TW_CLINICAL_ALLERGY);
  g_assert_cmpstr (r->code, ==, "764146007");
  g_assert_cmpstr (r->text, ==, "Penicillin");
  g_assert_cmpstr (r->detail, ==, "Hives");
  g_assert_cmpstr (r->status, ==, "moderate");

  r = only (batch, TW_CLINICAL_PRESCRIPTION);
  g_assert_cmpstr (r->code, ==, "A10BA02");
  g_assert_cmpstr (r->text, ==, "Metformin");
  g_assert_cmpstr (r->detail, ==, "500 mg by mouth twice daily");
  g_assert_cmpstr (r->status, ==, "active");

  r = only (batch, TW_CLINICAL_TREATMENT);
  g_assert_cmpstr (r->code, ==, "0BH17EZ");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-18T11:00:00Z"));
  g_assert_cmpint (r->end_ts, ==, ts_of ("2026-11-18T11:20:00Z"));

  /* The encounter put the patient in its ward. */
  g_assert_cmpstr (g_array_index (batch->entities, TwEntityInfo, 1).group, ==, "Ward 7");
  g_assert_cmpstr (g_array_index (batch->entities, TwEntityInfo, 1).location, ==, "Ward 7-04");
}

static void
test_fhir_bundle (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char bundle[] =
    "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
    "{\"fullUrl\":\"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a\",\"resource\":"
    "{\"resourceType\":\"Patient\",\"birthDate\":\"1960-01-31\",\"gender\":\"male\"}},"
    "{\"resource\":{\"resourceType\":\"Condition\",\"id\":\"c-9\",\"code\":{\"coding\":[{"
    "\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"I10\"}]},\"subject\":{"
    "\"reference\":\"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a\"}}},"
    "{\"resource\":{\"resourceType\":\"MedicationRequest\",\"id\":\"m-9\",\"status\":"
    "\"entered-in-error\",\"medicationCodeableConcept\":{\"text\":\"Ramipril\"},\"subject\":{"
    "\"reference\":\"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a\"}}}]}";

  g_assert_cmpint (fhir (batch, bundle), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->records->len, ==, 2);
  g_assert_cmpstr (only (batch, TW_CLINICAL_DEMOGRAPHICS)->entity, ==,
                   "61ebe359-bfdc-4613-8bf2-c5e300945f0a");
  g_assert_cmpstr (only (batch, TW_CLINICAL_DIAGNOSIS)->entity, ==,
                   "61ebe359-bfdc-4613-8bf2-c5e300945f0a");
  g_assert_cmpstr (only (batch, TW_CLINICAL_DIAGNOSIS)->code, ==, "I10");
  /* The withdrawn order alone goes to quarantine. */
  g_assert_cmpuint (batch->rejects->len, ==, 1);
  g_assert_cmpstr (reject_reason (batch, 0), ==, "Bundle entry[2] (MedicationRequest/m-9): "
                   "MedicationRequest status entered-in-error: the sender withdrew it");
}

static void
test_fhir_malformed (void)
{
  static const struct { const char *text; const char *reason; } cases[] = {
    { "{\"resourceType\":\"Condition\",\"code\":{\"text\":\"x\"},\"subject\":{\"reference\":"
      "\"Patient/P1\"}}", "Condition without an id" },
    { "{\"resourceType\":\"Condition\",\"id\":\"c\",\"code\":{\"text\":\"x\"}}",
      "Condition without subject.reference" },
    { "{\"resourceType\":\"Condition\",\"id\":\"c\",\"code\":{\"text\":\"x\"},\"subject\":"
      "{\"reference\":\"Group/1\"}}", "subject.reference \u2018Group/1\u2019 does not name a Patient" },
    { "{\"resourceType\":\"Condition\",\"id\":\"c\",\"subject\":{\"reference\":\"Patient/P1\"}}",
      "diagnosis record without a code or text" },
    { "{\"resourceType\":\"Condition\",\"id\":\"c\",\"code\":{\"text\":\"x\"},\"subject\":"
      "{\"reference\":\"Patient/P1\"},\"verificationStatus\":{\"coding\":[{\"code\":\"refuted\"}]}}",
      "Condition verificationStatus refuted" },
    { "{\"resourceType\":\"Condition\",\"id\":\"c\",\"code\":{\"text\":\"x\"},\"subject\":"
      "{\"reference\":\"Patient/P1\"},\"onsetDateTime\":\"1987\"}",
      "onsetDateTime \u20181987\u2019 is not a day (YYYY-MM-DD) or a date and time with a time zone" },
    { "{\"resourceType\":\"Encounter\",\"id\":\"e\",\"status\":\"in-progress\",\"subject\":"
      "{\"reference\":\"Patient/P1\"}}", "Encounter without period.start" },
    { "{\"resourceType\":\"Encounter\",\"id\":\"e\",\"status\":\"in-progress\",\"subject\":"
      "{\"reference\":\"Patient/P1\"},\"period\":{\"start\":\"2026-11-18T09:00:00Z\"}}",
      "admission record without a ward or bed" },
    { "{\"resourceType\":\"Encounter\",\"id\":\"e\",\"status\":\"cancelled\",\"subject\":"
      "{\"reference\":\"Patient/P1\"}}", "Encounter status cancelled" },
    { "{\"resourceType\":\"AllergyIntolerance\",\"id\":\"a\",\"code\":{\"text\":\"x\"},"
      "\"subject\":{\"reference\":\"Patient/P1\"}}", "AllergyIntolerance without patient.reference" },
    { "{\"resourceType\":\"MedicationRequest\",\"id\":\"m\",\"status\":\"active\","
      "\"medicationReference\":{\"reference\":\"Medication/1\"},\"subject\":{\"reference\":"
      "\"Patient/P1\"}}", "MedicationRequest without medicationCodeableConcept" },
    { "{\"resourceType\":\"Patient\",\"id\":\"P1\",\"birthDate\":\"2999-01-01\"}",
      "birth date \u20182999-01-01\u2019 is not a past day as YYYY-MM-DD" },
    { "{\"resourceType\":\"Patient\",\"id\":\"P1\",\"gender\":\"F\"}",
      "sex \u2018F\u2019 is not female, male, other or unknown" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);

      g_test_message ("case %u", i);
      fhir (batch, cases[i].text);
      g_assert_cmpuint (batch->records->len, ==, 0);
      g_assert_cmpuint (batch->rejects->len, ==, 1);
      if (strstr (reject_reason (batch, 0), cases[i].reason) == NULL)
        g_error ("case %u: reason \u2018%s\u2019 lacks \u2018%s\u2019", i,
                 reject_reason (batch, 0), cases[i].reason);
    }
}

/* ---- native JSON -------------------------------------------------------- */

static void
test_native_records (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  const TwClinicalRecord *r;

  g_assert_cmpint (native (batch, "{\"v\":1,\"type\":\"record\",\"patient\":\"P0001\","
                           "\"kind\":\"demographics\",\"birth_date\":\"1948-03-12\","
                           "\"sex\":\"female\"}"), ==, TW_DECODE_OK);
  g_assert_cmpint (native (batch, "{\"v\":1,\"type\":\"record\",\"patient\":\"P0001\","
                           "\"kind\":\"admission\",\"ref\":\"adm\",\"ts\":"
                           "\"2026-11-20T06:00:00Z\",\"ward\":\"ICU\",\"bed\":\"ICU-01\"}"),
                   ==, TW_DECODE_OK);
  g_assert_cmpint (native (batch, "{\"v\":1,\"type\":\"record\",\"patient\":\"P0001\","
                           "\"kind\":\"prescription\",\"ref\":\"rx-1\",\"ts\":"
                           "\"2026-11-20T07:00:00Z\",\"end_ts\":\"2026-11-27T07:00:00Z\","
                           "\"code\":\"J01CR02\",\"text\":\"Co-amoxiclav\",\"detail\":"
                           "\"1.2 g IV every 8 h\",\"status\":\"active\"}"), ==, TW_DECODE_OK);
  g_assert_cmpint (native (batch, "{\"v\":1,\"type\":\"admit\",\"patient\":\"P0002\","
                           "\"ts\":\"2026-11-20T08:00:00Z\",\"ward\":\"Ward 7\",\"bed\":\"B03\"}"),
                   ==, TW_DECODE_OK);
  /* Without a ts an admit only moves the patient, as before. */
  g_assert_cmpint (native (batch, "{\"v\":1,\"type\":\"admit\",\"patient\":\"P0003\","
                           "\"ward\":\"Ward 7\",\"bed\":\"B04\"}"), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpuint (batch->records->len, ==, 4);

  r = record (batch, 0);
  g_assert_cmpint (r->kind, ==, TW_CLINICAL_DEMOGRAPHICS);
  g_assert_cmpstr (r->birth_date, ==, "1948-03-12");
  g_assert_cmpstr (r->sex, ==, "female");
  g_assert_cmpint (r->ts, ==, 0);
  r = record (batch, 1);
  g_assert_cmpint (r->kind, ==, TW_CLINICAL_ADMISSION);
  g_assert_cmpstr (r->ward, ==, "ICU");
  g_assert_cmpstr (r->bed, ==, "ICU-01");
  g_assert_cmpint (r->ts, ==, ts_of ("2026-11-20T06:00:00Z"));
  r = record (batch, 2);
  g_assert_cmpint (r->kind, ==, TW_CLINICAL_PRESCRIPTION);
  g_assert_cmpstr (r->ref, ==, "rx-1");
  g_assert_cmpstr (r->code, ==, "J01CR02");
  g_assert_cmpstr (r->text, ==, "Co-amoxiclav");
  g_assert_cmpstr (r->detail, ==, "1.2 g IV every 8 h");
  g_assert_cmpstr (r->status, ==, "active");
  g_assert_cmpint (r->end_ts, ==, ts_of ("2026-11-27T07:00:00Z"));
  r = record (batch, 3);
  g_assert_cmpint (r->kind, ==, TW_CLINICAL_ADMISSION);
  g_assert_cmpstr (r->entity, ==, "P0002");
  g_assert_cmpstr (r->ward, ==, "Ward 7");
  g_assert_cmpstr (r->bed, ==, "B03");

  /* The admission record moved P0001 into the ICU. */
  g_assert_cmpstr (g_array_index (batch->entities, TwEntityInfo, 0).group, ==, "ICU");
  g_assert_cmpstr (g_array_index (batch->entities, TwEntityInfo, 0).location, ==, "ICU-01");
}

static void
test_native_malformed (void)
{
  static const struct { const char *text; const char *reason; } cases[] = {
    { "{\"v\":1,\"type\":\"record\",\"kind\":\"diagnosis\",\"code\":\"I10\"}",
      "record message without a valid \"patient\"" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"surgery\",\"code\":\"I10\"}",
      "record message with \"kind\" \u2018surgery\u2019: expected demographics, admission" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"code\":\"I10\"}",
      "record message with \"kind\" missing" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"diagnosis\",\"code\":10}",
      "record message: \"code\" is not a string" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"diagnosis\"}",
      "diagnosis record without a code or text" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"diagnosis\",\"code\":\"I10\","
      "\"ts\":\"2026-11-20 08:00\"}", "record message: \"ts\" is not RFC 3339" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"diagnosis\",\"code\":\"I10\","
      "\"ts\":\"1850-01-01T00:00:00Z\"}", "diagnosis record dated before 1900" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"prescription\",\"code\":\"X\","
      "\"ts\":\"2026-11-20T08:00:00Z\",\"end_ts\":\"2026-11-19T08:00:00Z\"}",
      "prescription record that ends before it begins" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"admission\",\"ward\":\"ICU\"}",
      "admission record without its time" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"transfer\","
      "\"ts\":\"2026-11-20T08:00:00Z\"}", "transfer record without a ward or bed" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"demographics\"}",
      "demographics record without a birth date or sex" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"demographics\","
      "\"birth_date\":\"1948-02-30\"}", "birth date \u20181948-02-30\u2019 is not a past day" },
    { "{\"v\":1,\"type\":\"record\",\"patient\":\"P1\",\"kind\":\"demographics\","
      "\"sex\":\"F\"}", "sex \u2018F\u2019 is not female, male, other or unknown" },
    { "{\"v\":1,\"type\":\"admit\",\"patient\":\"P1\",\"ward\":\"ICU\",\"ts\":\"now\"}",
      "admit message with a \"ts\" that is not RFC 3339" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);

      g_test_message ("case %u", i);
      g_assert_cmpint (native (batch, cases[i].text), ==, TW_DECODE_REJECTED);
      g_assert_cmpuint (batch->records->len, ==, 0);
      g_assert_cmpuint (batch->entities->len, ==, 0);
      if (strstr (reject_reason (batch, 0), cases[i].reason) == NULL)
        g_error ("case %u: reason \u2018%s\u2019 lacks \u2018%s\u2019", i,
                 reject_reason (batch, 0), cases[i].reason);
    }
}

/* NEWS2's two observations ride in vitals messages like the measurements. */
static void
test_native_news2_observations (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);

  g_assert_cmpint (native (batch, "{\"v\":1,\"type\":\"vitals\",\"seq\":1,\"ts\":"
                           "\"2026-11-20T08:00:00Z\",\"patient\":\"P1\",\"o2\":1,\"acvpu\":1}"),
                   ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, 2);
  g_assert_cmpstr (sample (batch, 0)->metric, ==, "o2");
  g_assert_cmpfloat (sample (batch, 0)->value, ==, 1);
  g_assert_cmpstr (sample (batch, 1)->metric, ==, "acvpu");
  g_assert_cmpfloat (sample (batch, 1)->value, ==, 1);

  /* ACVPU has five levels; oxygen is yes or no. */
  g_assert_cmpint (native (batch, "{\"v\":1,\"type\":\"vitals\",\"seq\":2,\"ts\":"
                           "\"2026-11-20T08:01:00Z\",\"patient\":\"P1\",\"o2\":2,\"acvpu\":5}"),
                   ==, TW_DECODE_REJECTED);
  g_assert_nonnull (strstr (reject_reason (batch, 0), "o2 = 2"));
  g_assert_nonnull (strstr (reject_reason (batch, 0), "acvpu = 5"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clinical-codecs/hl7/admission", test_hl7_admission);
  g_test_add_func ("/clinical-codecs/hl7/update-same-refs", test_hl7_update_same_refs);
  g_test_add_func ("/clinical-codecs/hl7/transfer-discharge", test_hl7_transfer_discharge);
  g_test_add_func ("/clinical-codecs/hl7/pharmacy", test_hl7_pharmacy);
  g_test_add_func ("/clinical-codecs/hl7/malformed", test_hl7_malformed);
  g_test_add_func ("/clinical-codecs/fhir/resources", test_fhir_resources);
  g_test_add_func ("/clinical-codecs/fhir/bundle", test_fhir_bundle);
  g_test_add_func ("/clinical-codecs/fhir/malformed", test_fhir_malformed);
  g_test_add_func ("/clinical-codecs/native/records", test_native_records);
  g_test_add_func ("/clinical-codecs/native/malformed", test_native_malformed);
  g_test_add_func ("/clinical-codecs/native/news2-observations", test_native_news2_observations);
  return g_test_run ();
}
