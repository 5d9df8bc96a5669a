#include <string.h>

#include "tw-fhir-codec.h"
#include "tw-time.h"
#include "tw-test-batch.h"

#define TS_TEXT "2026-11-23T07:10:03.250+01:00"

static TwDecodeResult
decode (TwBatch    *batch,
        const char *text)
{
  return tw_fhir_codec_decode (batch, text, strlen (text), NULL);
}

static gint64
ts_of (const char *text)
{
  gint64 ts = 0;

  g_assert_true (tw_time_parse_iso8601 (text, &ts));
  return ts;
}

/* An Observation in the vital-signs profile shape, with one coding and a
 * valueQuantity. */
static char *
observation (const char *loinc,
             const char *value,
             const char *unit_code)
{
  return g_strdup_printf ("{\"resourceType\":\"Observation\",\"id\":\"obs-1\",\"status\":\"final\","
                          "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/"
                          "CodeSystem/observation-category\",\"code\":\"vital-signs\"}]}],"
                          "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"%s\"}]},"
                          "\"subject\":{\"reference\":\"Patient/P0003\"},"
                          "\"effectiveDateTime\":\"" TS_TEXT "\","
                          "\"valueQuantity\":{\"value\":%s,\"unit\":\"x\","
                          "\"system\":\"http://unitsofmeasure.org\",\"code\":\"%s\"}}",
                          loinc, value, unit_code);
}

static void
test_heart_rate (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  g_autofree char *text = observation ("8867-4", "72", "/min");
  TwDecodeInfo info = { 0 };

  g_assert_cmpint (tw_fhir_codec_decode (batch, text, strlen (text), &info), ==, TW_DECODE_OK);
  g_assert_cmpstr (info.message_id, ==, "obs-1");
  g_assert_cmpuint (batch->samples->len, ==, 1);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpstr (sample (batch, 0)->entity, ==, "P0003");
  g_assert_cmpstr (sample (batch, 0)->metric, ==, "hr");
  g_assert_cmpint (sample (batch, 0)->ts, ==, ts_of ("2026-11-23T06:10:03.250Z"));
  g_assert_cmpfloat (sample (batch, 0)->value, ==, 72);
}

static void
test_known_answers (void)
{
  static const struct
  {
    const char *loinc;
    const char *value;
    const char *unit;
    const char *metric;
    double      expect;
  } cases[] = {
    { "59408-5",  "97",   "%",             "spo2",    97 },
    { "2708-6",   "95",   "%",             "spo2",    95 },
    { "9279-1",   "16",   "{breaths}/min", "rr",      16 },
    { "8310-5",   "98.6", "[degF]",        "temp",    37.0 },
    { "8310-5",   "37.2", "Cel",           "temp",    37.2 },
    { "99504-3",  "142",  "mg/dL",         "glucose", 142 },
    { "105272-9", "5.5",  "mmol/L",        "glucose", 99.088 },
    { "2339-0",   "88",   "mg/dL",         "glucose", 88 },
    { "15074-8",  "3.1",  "mmol/L",        "glucose", 55.8496 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);
      g_autofree char *text = observation (cases[i].loinc, cases[i].value, cases[i].unit);

      g_assert_cmpint (decode (batch, text), ==, TW_DECODE_OK);
      g_assert_cmpuint (batch->rejects->len, ==, 0);
      g_assert_cmpstr (sample (batch, 0)->metric, ==, cases[i].metric);
      g_assert_cmpfloat_with_epsilon (sample (batch, 0)->value, cases[i].expect, 1e-9);
    }
}

static void
test_blood_pressure_panel (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char text[] =
    "{\"resourceType\":\"Observation\",\"id\":\"blood-pressure\",\"status\":\"final\","
    "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"85354-9\","
    "\"display\":\"Blood pressure panel with all children optional\"}]},"
    "\"subject\":{\"reference\":\"Patient/example\"},"
    "\"effectiveDateTime\":\"2026-11-23T06:30:00Z\","
    "\"component\":["
    "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8480-6\"}]},"
    "\"valueQuantity\":{\"value\":107,\"unit\":\"mmHg\",\"system\":\"http://unitsofmeasure.org\","
    "\"code\":\"mm[Hg]\"}},"
    "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8462-4\"}]},"
    "\"valueQuantity\":{\"value\":60,\"unit\":\"mmHg\",\"system\":\"http://unitsofmeasure.org\","
    "\"code\":\"mm[Hg]\"}}]}";

  g_assert_cmpint (decode (batch, text), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpuint (batch->samples->len, ==, 2);
  g_assert_cmpstr (sample (batch, 0)->metric, ==, "sbp");
  g_assert_cmpfloat (sample (batch, 0)->value, ==, 107);
  g_assert_cmpstr (sample (batch, 1)->metric, ==, "dbp");
  g_assert_cmpfloat (sample (batch, 1)->value, ==, 60);
  g_assert_cmpstr (sample (batch, 1)->entity, ==, "example");
  g_assert_cmpint (sample (batch, 1)->ts, ==, ts_of ("2026-11-23T06:30:00Z"));
}

static void
test_panel_keeps_good_component (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char text[] =
    "{\"resourceType\":\"Observation\",\"status\":\"final\","
    "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"85354-9\"}]},"
    "\"subject\":{\"reference\":\"Patient/P1\"},\"effectiveInstant\":\"2026-11-23T06:30:00Z\","
    "\"component\":["
    "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8480-6\"}]},"
    "\"valueQuantity\":{\"value\":121,\"code\":\"mm[Hg]\"}},"
    "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8462-4\"}]},"
    "\"valueQuantity\":{\"value\":600,\"code\":\"mm[Hg]\"}}]}";

  g_assert_cmpint (decode (batch, text), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, 1);
  g_assert_cmpstr (sample (batch, 0)->metric, ==, "sbp");
  g_assert_cmpstr (reject_reason (batch, 0), ==,
                   "dbp = 600 mm[Hg] is outside the plausible range 10\u2013200 "
                   "(the other values were stored)");
  g_assert_cmpuint (g_bytes_get_size (((TwReject *) batch->rejects->pdata[0])->raw), ==,
                    strlen (text));
}

static void
test_patient (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char text[] =
    "{\"resourceType\":\"Patient\",\"id\":\"P0003\","
    "\"identifier\":[{\"system\":\"urn:oid:1.2.36.146.595.217.0.1\",\"value\":\"SSN-1\"},"
    "{\"type\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v2-0203\","
    "\"code\":\"MR\"}]},\"value\":\"MRN-0048213\"}],"
    "\"name\":[{\"use\":\"official\",\"family\":\"Okafor\",\"given\":[\"Ada\",\"Ngozi\"]},"
    "{\"use\":\"nickname\",\"given\":[\"Addy\"]}]}";
  const TwEntityInfo *e;

  g_assert_cmpint (decode (batch, text), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->entities->len, ==, 1);
  e = &g_array_index (batch->entities, TwEntityInfo, 0);
  g_assert_cmpstr (e->key, ==, "P0003");
  g_assert_cmpstr (e->kind, ==, "patient");
  g_assert_cmpstr (e->name, ==, "Ada Ngozi Okafor");
  g_assert_cmpstr (e->mrn, ==, "MRN-0048213");
  g_assert_null (e->location);

  /* Without a typed MR identifier the first one is the MRN. */
  g_assert_cmpint (decode (batch, "{\"resourceType\":\"Patient\",\"id\":\"P2\",\"identifier\":"
                           "[{\"value\":\"A1\"},{\"value\":\"A2\"}],"
                           "\"name\":[{\"text\":\"Bo Lindqvist\"}]}"), ==, TW_DECODE_OK);
  e = &g_array_index (batch->entities, TwEntityInfo, 1);
  g_assert_cmpstr (e->mrn, ==, "A1");
  g_assert_cmpstr (e->name, ==, "Bo Lindqvist");
}

static void
test_bundle_with_bad_entry (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  g_autofree char *hr = observation ("8867-4", "72", "/min");
  g_autofree char *spo2 = observation ("59408-5", "140", "%");
  g_autofree char *temp = observation ("8310-5", "98.6", "[degF]");
  g_autofree char *bad_entry = g_strdup_printf ("{\"fullUrl\":\"urn:uuid:2\",\"resource\":%s}",
                                                spo2);
  g_autofree char *text = g_strdup_printf ("{\"resourceType\":\"Bundle\",\"id\":\"b-77\","
                                           "\"type\":\"collection\",\"entry\":["
                                           "{\"resource\":{\"resourceType\":\"Patient\","
                                           "\"id\":\"P0003\",\"name\":[{\"family\":\"Okafor\"}]}},"
                                           "{\"fullUrl\":\"urn:uuid:1\",\"resource\":%s},"
                                           "%s,"
                                           "{\"resource\":%s}]}",
                                           hr, bad_entry, temp);
  TwDecodeInfo info = { 0 };
  TwReject *reject;

  g_assert_cmpint (tw_fhir_codec_decode (batch, text, strlen (text), &info), ==, TW_DECODE_OK);
  g_assert_cmpstr (info.message_id, ==, "b-77");
  g_assert_cmpuint (batch->entities->len, ==, 1);
  g_assert_cmpuint (batch->samples->len, ==, 2);
  g_assert_cmpstr (sample (batch, 0)->metric, ==, "hr");
  g_assert_cmpstr (sample (batch, 1)->metric, ==, "temp");
  g_assert_cmpuint (batch->rejects->len, ==, 1);
  reject = batch->rejects->pdata[0];
  g_assert_cmpstr (reject->reason, ==, "Bundle entry[2] (Observation/obs-1): spo2 = 140 % is "
                   "outside the plausible range 40\u2013100");
  /* The quarantine keeps that entry, not the whole Bundle. */
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (reject->raw, NULL),
                                  g_bytes_get_size (reject->raw), "\"urn:uuid:2\""));
  g_assert_cmpuint (g_bytes_get_size (reject->raw), <, strlen (text));
}

static void
test_transaction_bundle (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char text[] =
    "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
    "{\"fullUrl\":\"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a\","
    "\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Chalmers\","
    "\"given\":[\"Peter\"]}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
    "{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\","
    "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},"
    "\"subject\":{\"reference\":\"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a\"},"
    "\"effectiveDateTime\":\"2026-11-23T06:00:00Z\","
    "\"valueQuantity\":{\"value\":88,\"code\":\"/min\"}},"
    "\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}},"
    "{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"amended\","
    "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},"
    "\"subject\":{\"reference\":\"https://fhir.example.org/r4/Patient/P7/_history/3\"},"
    "\"effectiveDateTime\":\"2026-11-23T06:00:00Z\","
    "\"valueQuantity\":{\"value\":90,\"code\":\"/min\"}}}]}";

  g_assert_cmpint (decode (batch, text), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpstr (g_array_index (batch->entities, TwEntityInfo, 0).key, ==,
                   "61ebe359-bfdc-4613-8bf2-c5e300945f0a");
  g_assert_cmpstr (g_array_index (batch->entities, TwEntityInfo, 0).name, ==, "Peter Chalmers");
  g_assert_cmpstr (sample (batch, 0)->entity, ==, "61ebe359-bfdc-4613-8bf2-c5e300945f0a");
  g_assert_cmpstr (sample (batch, 1)->entity, ==, "P7");
}

static void
test_message_and_searchset_envelopes (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  g_autofree char *hr = observation ("8867-4", "72", "/min");
  g_autofree char *text = g_strdup_printf ("{\"resourceType\":\"Bundle\",\"type\":\"searchset\","
                                           "\"entry\":[{\"resource\":%s,\"search\":"
                                           "{\"mode\":\"match\"}},{\"resource\":{\"resourceType\":"
                                           "\"OperationOutcome\"},\"search\":{\"mode\":"
                                           "\"outcome\"}}]}", hr);
  g_autofree char *message = g_strdup_printf ("{\"resourceType\":\"Bundle\",\"type\":\"message\","
                                              "\"entry\":[{\"resource\":{\"resourceType\":"
                                              "\"MessageHeader\"}},{\"resource\":%s}]}", hr);

  g_assert_cmpint (decode (batch, text), ==, TW_DECODE_OK);
  g_assert_cmpint (decode (batch, message), ==, TW_DECODE_OK);
  g_assert_cmpint (decode (batch, "{\"resourceType\":\"Bundle\",\"type\":\"searchset\","
                           "\"total\":0}"), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, 2);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
}

static void
test_rejections (void)
{
  static const struct { const char *text; const char *reason; } cases[] = {
    { "{\"resourceType\":\"Specimen\",\"id\":\"s1\"}",
      "FHIR resource type Specimen is not supported" },
    { "{\"resourceType\":\"Observation\",\"status\":\"entered-in-error\"}",
      "Observation status entered-in-error: the sender withdrew it" },
    { "{\"resourceType\":\"Observation\",\"status\":\"registered\"}",
      "Observation status \u2018registered\u2019 is not a result" },
    { "{\"resourceType\":\"Observation\"}", "Observation without status" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"1234-5\"}]}}",
      "Observation code 1234-5 is not a known vital sign or glucose code" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://snomed.info/sct\",\"code\":\"364075005\"}]}}",
      "Observation has no LOINC coding" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"HR\"}}",
      "Observation without code.coding" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]}}",
      "Observation without subject.reference" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":"
      "\"Group/ward-3\"}}",
      "subject.reference \u2018Group/ward-3\u2019 does not name a Patient" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":"
      "\"Patient/P1\"}}",
      "Observation without effectiveDateTime or effectiveInstant" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":"
      "\"Patient/P1\"},\"effectiveDateTime\":\"2026-11-23T07:10:03\"}",
      "effectiveDateTime \u20182026-11-23T07:10:03\u2019 is not a date and time with a time zone" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":"
      "\"Patient/P1\"},\"effectiveDateTime\":\"2999-01-01T00:00:00Z\"}",
      "more than a day in the future" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":"
      "\"Patient/P1\"},\"effectiveDateTime\":\"2026-11-23T07:10:03Z\"}",
      "hr without valueQuantity" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":"
      "\"Patient/P1\"},\"effectiveDateTime\":\"2026-11-23T07:10:03Z\","
      "\"dataAbsentReason\":{\"text\":\"probe off\"}}",
      "hr has no value (dataAbsentReason: probe off)" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"105272-9\"}]},\"subject\":{\"reference\":"
      "\"Patient/P1\"},\"effectiveDateTime\":\"2026-11-23T07:10:03Z\","
      "\"valueQuantity\":{\"value\":5,\"system\":\"http://unitsofmeasure.org\","
      "\"code\":\"mmol/mol\"}}",
      "unit \u2018mmol/mol\u2019 is not known for glucose" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":"
      "\"Patient/P1\"},\"effectiveDateTime\":\"2026-11-23T07:10:03Z\","
      "\"valueQuantity\":{\"value\":\"72\",\"code\":\"/min\"}}",
      "hr valueQuantity.value is missing or not a number" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":"
      "[{\"system\":\"http://loinc.org\",\"code\":\"85354-9\"}]},\"subject\":{\"reference\":"
      "\"Patient/P1\"},\"effectiveDateTime\":\"2026-11-23T07:10:03Z\","
      "\"valueQuantity\":{\"value\":120,\"code\":\"mm[Hg]\"}}",
      "blood pressure panel 85354-9 without component" },
    { "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"X\"}]}",
      "Patient without a valid id" },
    { "{\"resourceType\":\"Bundle\",\"type\":\"history\",\"entry\":[]}",
      "Bundle type \u2018history\u2019 is not supported" },
    { "{\"resourceType\":\"Bundle\",\"entry\":[]}", "Bundle without type" },
    { "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":["
      "{\"resource\":{\"resourceType\":\"Specimen\",\"id\":\"s-1\"}}]}",
      "Bundle entry[0] (Specimen/s-1): FHIR resource type Specimen is not supported" },
    { "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"fullUrl\":\"x\"}]}",
      "Bundle entry[0]: entry without a resource" },
    { "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"resource\":"
      "{\"resourceType\":\"Bundle\",\"type\":\"batch\"}}]}",
      "a Bundle inside a Bundle is not supported" },
    { "{\"id\":\"x\"}", "FHIR message without a \"resourceType\"" },
    { "{\"resourceType\":\"Observation\",\"status\":\"final\"", "not JSON" },
    { "[{\"resourceType\":\"Observation\"}]", "FHIR message is not a JSON object" },
    { "{\"resourceType\":\"Patient\",\"id\":\"P\xc3\x28\"}", "FHIR message is not valid UTF-8" },
    { "\x89PNG\r\n\x1a\n\x01\x02", "FHIR message is not valid UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);

      if (g_test_verbose ())
        g_test_message ("case %u: %s", i, cases[i].text);
      g_assert_cmpint (decode (batch, cases[i].text), ==, TW_DECODE_REJECTED);
      g_assert_cmpuint (batch->samples->len, ==, 0);
      g_assert_cmpuint (batch->entities->len, ==, 0);
      g_assert_cmpuint (batch->rejects->len, ==, 1);
      if (strstr (reject_reason (batch, 0), cases[i].reason) == NULL)
        g_error ("case %u: \"%s\" does not contain \"%s\"", i, reject_reason (batch, 0),
                 cases[i].reason);
    }
}

static void
test_sizes (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  g_autoptr(GString) bundle = g_string_new ("{\"resourceType\":\"Bundle\",\"type\":\"collection\","
                                            "\"entry\":[");
  g_autofree char *hr = observation ("8867-4", "72", "/min");
  g_autofree char *huge = NULL;
  guint n = 0;

  /* A Bundle from a file replay may be well over 1 MiB. */
  while (bundle->len < 1536 * 1024)
    g_string_append_printf (bundle, "%s{\"resource\":%s}", n++ > 0 ? "," : "", hr);
  g_string_append (bundle, "]}");
  g_assert_cmpint (tw_fhir_codec_decode (batch, bundle->str, bundle->len, NULL), ==,
                   TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, n);
  g_assert_cmpuint (batch->rejects->len, ==, 0);

  huge = g_strnfill (TW_CODEC_MAX_MESSAGE_BYTES + 1, ' ');
  g_assert_cmpint (tw_fhir_codec_decode (batch, huge, TW_CODEC_MAX_MESSAGE_BYTES + 1, NULL), ==,
                   TW_DECODE_REJECTED);
  g_assert_nonnull (strstr (reject_reason (batch, 0), "larger than the limit"));
  g_assert_nonnull (strstr (reject_reason (batch, 0), "(first 65536 of 16777217 bytes kept)"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fhir-codec/heart-rate", test_heart_rate);
  g_test_add_func ("/fhir-codec/known-answers", test_known_answers);
  g_test_add_func ("/fhir-codec/blood-pressure-panel", test_blood_pressure_panel);
  g_test_add_func ("/fhir-codec/panel-keeps-good-component", test_panel_keeps_good_component);
  g_test_add_func ("/fhir-codec/patient", test_patient);
  g_test_add_func ("/fhir-codec/bundle-with-bad-entry", test_bundle_with_bad_entry);
  g_test_add_func ("/fhir-codec/transaction-bundle", test_transaction_bundle);
  g_test_add_func ("/fhir-codec/envelopes", test_message_and_searchset_envelopes);
  g_test_add_func ("/fhir-codec/rejections", test_rejections);
  g_test_add_func ("/fhir-codec/sizes", test_sizes);
  return g_test_run ();
}
