#include <string.h>

#include "tw-codec.h"
#include "tw-error.h"
#include "tw-metric.h"
#include "tw-units.h"
#include "tw-test-batch.h"

#define ONE_MIB (1024 * 1024)

static gsize
reject_size (TwBatch *batch,
             guint    index)
{
  g_assert_cmpuint (batch->rejects->len, >, index);
  return g_bytes_get_size (((TwReject *) batch->rejects->pdata[index])->raw);
}

static void
test_format_names (void)
{
  static const char *names[] = { "auto", "json", "fhir", "hl7" };
  TwFormat format = TW_FORMAT_AUTO;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (tw_format_from_string (names[i], &format));
      g_assert_cmpstr (tw_format_to_string (format), ==, names[i]);
    }
  g_assert_true (tw_format_from_string ("HL7", &format));
  g_assert_cmpint (format, ==, TW_FORMAT_HL7V2);
  g_assert_false (tw_format_from_string ("xml", &format));
  g_assert_false (tw_format_from_string (NULL, &format));
  g_assert_cmpint (format, ==, TW_FORMAT_HL7V2);
}

static void
test_detect (void)
{
  static const struct { const char *text; TwFormat format; } cases[] = {
    { "MSH|^~\\&|MON|ICU|||20261123071003+0100||ORU^R01|1|P|2.6", TW_FORMAT_HL7V2 },
    { "\xef\xbb\xbf\r\n  MSH|^~\\&|A", TW_FORMAT_HL7V2 },
    { "BHS|^~\\&|batch", TW_FORMAT_HL7V2 },
    { "{\"resourceType\":\"Observation\"}", TW_FORMAT_FHIR_JSON },
    { " \n{\"id\":\"x\",\"meta\":{\"a\":[1,{\"b\":2}]},\"resourceType\":\"Bundle\"}",
      TW_FORMAT_FHIR_JSON },
    { "{\"v\":1,\"type\":\"vitals\"}", TW_FORMAT_NATIVE_JSON },
    /* "resourceType" nested, or as a value, is not FHIR. */
    { "{\"v\":1,\"x\":{\"resourceType\":\"Patient\"}}", TW_FORMAT_NATIVE_JSON },
    { "{\"v\":\"resourceType\"}", TW_FORMAT_NATIVE_JSON },
    { "{\"a\\\"resourceType\":1}", TW_FORMAT_NATIVE_JSON },
    { "{\"v\":1", TW_FORMAT_NATIVE_JSON },
    { "[1,2]", TW_FORMAT_AUTO },
    { "MSHA|", TW_FORMAT_AUTO },
    { "PID|||P1", TW_FORMAT_HL7V2 },   /* no MSH: the HL7 decoder says so */
    { "", TW_FORMAT_AUTO },
    { "   ", TW_FORMAT_AUTO },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (tw_codec_detect (cases[i].text, strlen (cases[i].text)), ==,
                     cases[i].format);
}

static void
test_dispatch (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char native[] = "{\"v\":1,\"type\":\"vitals\",\"seq\":7,\"ts\":\"2026-11-23T07:10:03Z\","
                               "\"patient\":\"P1\",\"hr\":72}";
  static const char fhir[] = "{\"resourceType\":\"Patient\",\"id\":\"p-9\"}";
  static const char hl7[] = "MSH|^~\\&|ADT1|HOSP|TW|WARD|20261123071003+0100||ADT^A01|MSG42|P|2.5\r"
                            "PID|||P9^^^HOSP^MR||Okafor^Ada\r";
  TwDecodeInfo info;

  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_AUTO, native, strlen (native), &info), ==,
                   TW_DECODE_OK);
  g_assert_cmpint (info.format, ==, TW_FORMAT_NATIVE_JSON);
  g_assert_cmpint (info.seq, ==, 7);
  g_assert_cmpstr (info.message_id, ==, "");
  g_assert_null (info.reason);

  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_AUTO, fhir, strlen (fhir), &info), ==,
                   TW_DECODE_OK);
  g_assert_cmpint (info.format, ==, TW_FORMAT_FHIR_JSON);
  g_assert_cmpint (info.seq, ==, -1);
  g_assert_cmpstr (info.message_id, ==, "p-9");

  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_AUTO, hl7, strlen (hl7), &info), ==,
                   TW_DECODE_OK);
  g_assert_cmpint (info.format, ==, TW_FORMAT_HL7V2);
  g_assert_cmpstr (info.message_id, ==, "MSG42");

  g_assert_cmpuint (batch->samples->len, ==, 1);
  g_assert_cmpuint (batch->entities->len, ==, 2);
  g_assert_cmpuint (batch->rejects->len, ==, 0);

  /* A forced format is used even when the payload looks like another. */
  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_HL7V2, fhir, strlen (fhir), &info), ==,
                   TW_DECODE_REJECTED);
  g_assert_cmpint (info.format, ==, TW_FORMAT_HL7V2);
  g_assert_cmpstr (info.reason, ==, "HL7 message without an MSH segment");
  g_assert_true (info.reason == reject_reason (batch, 0));

  /* info is optional. */
  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_AUTO, native, strlen (native), NULL), ==,
                   TW_DECODE_OK);
}

static void
test_unrecognised (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char binary[] = { (char) 0x89, 'P', 'N', 'G', 0, 0, (char) 0xff, 0x1b };
  g_autofree char *huge = g_malloc (ONE_MIB + 1000);
  TwDecodeInfo info;

  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_AUTO, binary, sizeof binary, &info), ==,
                   TW_DECODE_REJECTED);
  g_assert_cmpint (info.format, ==, TW_FORMAT_AUTO);
  g_assert_cmpstr (info.reason, ==,
                   "unrecognised payload (neither native JSON, FHIR JSON nor HL7 v2)");
  g_assert_cmpuint (reject_size (batch, 0), ==, sizeof binary);

  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_AUTO, "", 0, &info), ==,
                   TW_DECODE_REJECTED);
  g_assert_cmpuint (batch->rejects->len, ==, 2);

  /* 1 MiB of garbage: rejected, the first 64 KiB kept, and the reason says so. */
  for (gsize i = 0; i < ONE_MIB + 1000; i++)
    huge[i] = (char) (i * 7919 % 251);
  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_AUTO, huge, ONE_MIB + 1000, &info), ==,
                   TW_DECODE_REJECTED);
  g_assert_nonnull (strstr (info.reason, "unrecognised payload"));
  g_assert_nonnull (strstr (info.reason, "(first 65536 of 1049576 bytes kept)"));
  g_assert_cmpuint (reject_size (batch, 2), ==, TW_CODEC_MAX_QUARANTINE_BYTES);
  g_assert_cmpmem (g_bytes_get_data (((TwReject *) batch->rejects->pdata[2])->raw, NULL),
                   TW_CODEC_MAX_QUARANTINE_BYTES, huge, TW_CODEC_MAX_QUARANTINE_BYTES);
}

/* json-glib parses recursively: deep nesting must be refused before it. */
static void
test_deep_json (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  g_autoptr(GString) deep = g_string_new ("{\"v\":1,\"x\":");
  static const char nested_in_string[] = "{\"v\":1,\"type\":\"patient\",\"id\":\"P1\","
                                         "\"name\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                                         "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}";
  TwDecodeInfo info;

  for (guint i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_AUTO, deep->str, deep->len, &info), ==,
                   TW_DECODE_REJECTED);
  g_assert_true (g_str_has_prefix (info.reason, "JSON nested deeper than 64 levels (first 65536"));
  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_FHIR_JSON, deep->str, deep->len, &info), ==,
                   TW_DECODE_REJECTED);
  g_assert_true (g_str_has_prefix (info.reason, "FHIR JSON nested deeper than 64 levels"));

  /* Brackets inside strings do not count. */
  g_assert_null (tw_codec_json_precheck (nested_in_string, strlen (nested_in_string), 2));
  g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_AUTO, nested_in_string,
                                    strlen (nested_in_string), &info), ==, TW_DECODE_OK);
}

/* json-glib 1.6 parses "{…}{…}" as the last object and leaks the first, and
 * leaks the value before any trailing garbage: found by fuzz-json and
 * fuzz-fhir, refused before the parser. */
static void
test_json_precheck (void)
{
  static const struct { const char *text; const char *reason; } cases[] = {
    { "{\"a\":[{}]}", NULL },
    { " \n{\"a\":\"}{\"} \r\n", NULL },
    { "{\"a\":{\"b\":1}", NULL },      /* truncated: the parser says so */
    { "{\"a\":\"unterminated", NULL },
    { "", NULL },
    { "{\"a\":[[[1]]]}", "JSON nested deeper than 3 levels" },
    { "[[]]", "message is not a JSON object" },
    { "2{}}", "message is not a JSON object" },
    { "{\"v\":1}{\"v\":2}", "text after the end of the JSON object" },
    { "{}}", "text after the end of the JSON object" },
    { "{\"a\":1} 3", "text after the end of the JSON object" },
    { "{\"a\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\"}", NULL },
    { "{\"a\":\"\\2003\"}", "invalid escape sequence in a JSON string" },
    { "{\"a\":\"\\x41\"}", "invalid escape sequence" },
    { "{\"a\":\"\\udc00\"}", "invalid escape sequence" },
    { "{\"a\":\"\\ud800x\"}", "invalid escape sequence" },
    { "{\"a\":\"\\ud800\\u0041\"}", "invalid escape sequence" },
    { "{\"a\":\"\\u12G4\"}", "invalid escape sequence" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *reason = tw_codec_json_precheck (cases[i].text, strlen (cases[i].text), 3);

      if (cases[i].reason == NULL)
        g_assert_null (reason);
      else
        g_assert_true (g_str_has_prefix (reason, cases[i].reason));
    }
}

static void
test_json_fuzz_findings (void)
{
  /* json-glib's error message cut the byte order mark in the middle of this
   * string in half: the reason was not UTF-8. */
  static const char bom_in_string[] = "{\"v\":1,\"type\":\"vitals\",\"ts\":\"2026-11-23T07:10:03"
                                      ".000000Z\xef\xbb\xbfpatient\":\"P0003\",\"x\":\"P\"s\":97}";
  static const char *inputs[] = {
    "000000{\"v\":1,\"typ#e\":\"patient\",\"id\":\"or\",\"bed\":\"ICU-03\"}",
    "2{}}",
    "{\"v\":1,\"type\":\"patient\",\"id\":\"P1\"}{\"v\":1,\"type\":\"patient\",\"id\":\"P2\"}",
  };
  static const TwFormat formats[] = { TW_FORMAT_NATIVE_JSON, TW_FORMAT_FHIR_JSON };
  /* json-glib decoded the octal escape into a byte that is not UTF-8, and
   * it became a patient key. */
  static const char *octal[] = {
    "{\"v\":1,\"type\":\"patient\",\"id\":\"\\2003\"}",
    "{\"resourceType\":\"Patient\",\"id\":\"P1\",\"name\":[{\"text\":\"\\200\"}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    for (guint j = 0; j < G_N_ELEMENTS (formats); j++)
      {
        g_autoptr(TwBatch) batch = tw_batch_new (1);
        TwDecodeInfo info;

        g_assert_cmpint (tw_codec_decode (batch, formats[j], inputs[i], strlen (inputs[i]),
                                          &info), ==, TW_DECODE_REJECTED);
        g_assert_cmpuint (batch->entities->len, ==, 0);
        g_assert_true (strstr (info.reason, "not a JSON object") != NULL
                       || strstr (info.reason, "text after the end") != NULL);
      }

  for (guint j = 0; j < G_N_ELEMENTS (formats); j++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);
      TwDecodeInfo info;

      g_assert_cmpint (tw_codec_decode (batch, formats[j], bom_in_string, strlen (bom_in_string),
                                        &info), ==, TW_DECODE_REJECTED);
      g_assert_nonnull (strstr (info.reason, "not JSON"));
      g_assert_true (g_utf8_validate (info.reason, -1, NULL));
    }

  for (guint i = 0; i < G_N_ELEMENTS (octal); i++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);
      TwDecodeInfo info;

      g_assert_cmpint (tw_codec_decode (batch, TW_FORMAT_AUTO, octal[i], strlen (octal[i]),
                                        &info), ==, TW_DECODE_REJECTED);
      g_assert_cmpuint (batch->entities->len, ==, 0);
      g_assert_nonnull (strstr (info.reason, "invalid escape sequence in a JSON string"));
    }
}

static void
test_checks (void)
{
  g_autofree char *future = NULL;
  g_autofree char *old = NULL;
  g_autofree char *implausible = NULL;

  g_assert_null (tw_codec_check_time (tw_time_now (), NULL));
  future = tw_codec_check_time (tw_time_now () + 2 * 24 * TW_USEC_PER_HOUR, "tomorrow+1");
  g_assert_cmpstr (future, ==, "time tomorrow+1 is more than a day in the future");
  old = tw_codec_check_time (0, NULL);
  g_assert_cmpstr (old, ==, "time 1970-01-01T00:00:00.000000Z is before the year 2000");

  g_assert_null (tw_codec_check_value (NULL, tw_metric_lookup ("spo2"), 97));
  implausible = tw_codec_check_value (NULL, tw_metric_lookup ("spo2"), 140);
  g_assert_cmpstr (implausible, ==, "spo2 = 140 % is outside the plausible range 40\u2013100");
}

static void
test_metric_catalogue (void)
{
  const TwMetricInfo *all;
  const TwMetricInfo *glucose = tw_metric_lookup ("glucose");
  guint n_vitals = 0, n_all = 0;

  tw_metric_get_vitals (&n_vitals);
  all = tw_metric_get_all (&n_all);
  g_assert_cmpuint (n_vitals, ==, 6);
  g_assert_cmpuint (n_all, >=, n_vitals);
  g_assert_cmpstr (all[0].code, ==, "hr");
  /* Every entry is usable: one code each, a unit, a range that admits its
   * own normal band. */
  for (guint i = 0; i < n_all; i++)
    {
      g_assert_true (tw_metric_lookup (all[i].code) == &all[i]);
      g_assert_cmpuint (strlen (all[i].unit), >, 0);
      g_assert_cmpfloat (all[i].plausible_min, <, all[i].plausible_max);
      g_assert_cmpfloat (all[i].normal_low, >=, all[i].plausible_min);
      g_assert_cmpfloat (all[i].normal_high, <=, all[i].plausible_max);
    }

  g_assert_nonnull (glucose);
  g_assert_cmpstr (glucose->unit, ==, "mg/dL");
  g_assert_cmpfloat (glucose->plausible_min, ==, 10);
  g_assert_cmpfloat (glucose->plausible_max, ==, 1000);
  g_assert_cmpfloat (glucose->normal_low, ==, 70);
  g_assert_cmpfloat (glucose->normal_high, ==, 180);
  g_assert_cmpint (glucose->digits, ==, 0);
  g_assert_cmpstr (tw_metric_lookup ("map")->unit, ==, "mm[Hg]");
}

static void
test_metric_codes (void)
{
  static const struct { const char *code; const char *metric; } loinc[] = {
    { "8867-4", "hr" }, { "9279-1", "rr" }, { "2708-6", "spo2" }, { "59408-5", "spo2" },
    { "8310-5", "temp" }, { "8480-6", "sbp" }, { "8462-4", "dbp" }, { "99504-3", "glucose" },
    { "105272-9", "glucose" }, { "2339-0", "glucose" }, { "15074-8", "glucose" },
    { "8478-0", "map" },
  };
  static const struct { const char *code; const char *metric; } mdc[] = {
    { "147842", "hr" }, { "MDC_ECG_HEART_RATE", "hr" }, { "149530", "hr" }, { "150456", "spo2" },
    { "151562", "rr" }, { "150033", "sbp" }, { "150034", "dbp" }, { "150035", "map" },
    { "150021", "sbp" }, { "150022", "dbp" }, { "150023", "map" }, { "150037", "sbp" },
    { "150038", "dbp" }, { "150039", "map" }, { "150344", "temp" }, { "150364", "temp" },
    { "MDC_TEMP_BODY", "temp" }, { "160184", "glucose" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (loinc); i++)
    g_assert_cmpstr (tw_metric_lookup_loinc (loinc[i].code)->code, ==, loinc[i].metric);
  for (guint i = 0; i < G_N_ELEMENTS (mdc); i++)
    g_assert_cmpstr (tw_metric_lookup_mdc (mdc[i].code)->code, ==, mdc[i].metric);
  g_assert_null (tw_metric_lookup_loinc (TW_LOINC_BP_PANEL));
  g_assert_null (tw_metric_lookup_loinc ("1234-5"));
  g_assert_null (tw_metric_lookup_mdc ("148066"));
}

static void
test_units (void)
{
  static const struct { const char *metric; const char *unit; double value; double expect; } ok[] = {
    { "glucose", "mmol/L", 5.5, 99.088 },
    { "glucose", "mg/dL", 99, 99 },
    { "temp", "[degF]", 98.6, 37.0 },
    { "temp", "\u00b0F", 212, 100 },
    { "temp", "Cel", 36.6, 36.6 },
    { "temp", "K", 310.15, 37.0 },
    { "spo2", "%", 97, 97 },
    { "hr", "/min", 72, 72 },
    { "hr", "{beats}/min", 72, 72 },
    { "rr", "{breaths}/min", 16, 16 },
    { "sbp", "mm[Hg]", 120, 120 },
    { "dbp", "mmHg", 80, 80 },
    { "sbp", "kPa", 16, 120.0098 },
  };
  g_autoptr(GError) error = NULL;
  double out = 0;

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_assert_true (tw_units_convert (tw_metric_lookup (ok[i].metric), ok[i].unit, ok[i].value,
                                       &out, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (out, ok[i].expect, 1e-4);
    }

  g_assert_false (tw_units_convert (tw_metric_lookup ("glucose"), "mmol/mol", 5, &out, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "unit \u2018mmol/mol\u2019 is not known for glucose");
  g_clear_error (&error);
  g_assert_false (tw_units_convert (tw_metric_lookup ("hr"), "%", 5, &out, &error));
  g_assert_cmpstr (error->message, ==, "unit \u2018%\u2019 is not known for hr");
  g_clear_error (&error);
  g_assert_false (tw_units_convert (tw_metric_lookup ("temp"), NULL, 5, &out, &error));
  g_assert_cmpstr (error->message, ==, "no unit given for temp (expected Cel)");
  g_clear_error (&error);

  g_assert_cmpstr (tw_units_from_mdc ("264864", NULL), ==, "/min");
  g_assert_cmpstr (tw_units_from_mdc ("262688", "MDC_DIM_PERCENT"), ==, "%");
  g_assert_cmpstr (tw_units_from_mdc ("266016", NULL), ==, "mm[Hg]");
  g_assert_cmpstr (tw_units_from_mdc ("268192", NULL), ==, "Cel");
  g_assert_cmpstr (tw_units_from_mdc ("268224", "MDC_DIM_FAHR"), ==, "[degF]");
  g_assert_null (tw_units_from_mdc ("1", "MDC_DIM_NOTHING"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/codec/format-names", test_format_names);
  g_test_add_func ("/codec/detect", test_detect);
  g_test_add_func ("/codec/dispatch", test_dispatch);
  g_test_add_func ("/codec/unrecognised", test_unrecognised);
  g_test_add_func ("/codec/deep-json", test_deep_json);
  g_test_add_func ("/codec/json-precheck", test_json_precheck);
  g_test_add_func ("/codec/json-fuzz-findings", test_json_fuzz_findings);
  g_test_add_func ("/codec/checks", test_checks);
  g_test_add_func ("/codec/metric-catalogue", test_metric_catalogue);
  g_test_add_func ("/codec/metric-codes", test_metric_codes);
  g_test_add_func ("/codec/units", test_units);
  return g_test_run ();
}
