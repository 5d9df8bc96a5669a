#include <string.h>

#include "tw-json-codec.h"
#include "tw-time.h"

static TwDecodeResult
decode (TwBatch    *batch,
        const char *text,
        gint64     *seq)
{
  return tw_json_codec_decode (batch, text, strlen (text), seq);
}

static const char *
first_reason (TwBatch *batch)
{
  g_assert_cmpuint (batch->rejects->len, >, 0);
  return ((TwReject *) batch->rejects->pdata[0])->reason;
}

static void
test_vitals (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  gint64 seq = 0;
  gint64 ts;
  const TwSample *s;

  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"vitals\",\"seq\":42,"
                           "\"ts\":\"2026-11-23T07:10:03.250Z\",\"patient\":\"P0003\","
                           "\"hr\":72,\"rr\":16,\"spo2\":97,\"sbp\":121,\"dbp\":78,\"temp\":36.8}",
                           &seq), ==, TW_DECODE_OK);
  g_assert_cmpint (seq, ==, 42);
  g_assert_cmpuint (batch->samples->len, ==, 6);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_true (tw_time_parse_iso8601 ("2026-11-23T07:10:03.250Z", &ts));
  s = &g_array_index (batch->samples, TwSample, 5);
  g_assert_cmpstr (s->entity, ==, "P0003");
  g_assert_cmpstr (s->metric, ==, "temp");
  g_assert_cmpint (s->ts, ==, ts);
  g_assert_cmpfloat_with_epsilon (s->value, 36.8, 1e-9);
}

static void
test_patient_and_end (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  gint64 seq = 0;
  const TwEntityInfo *e;

  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"patient\",\"id\":\"P0001\",\"mrn\":\"M1\","
                           "\"name\":\"Ada Okafor\",\"bed\":\"ICU-01\"}", &seq), ==, TW_DECODE_OK);
  g_assert_cmpint (seq, ==, -1);
  e = &g_array_index (batch->entities, TwEntityInfo, 0);
  g_assert_cmpstr (e->name, ==, "Ada Okafor");
  g_assert_cmpstr (e->location, ==, "ICU-01");
  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"end\",\"seq\":3000}", &seq), ==,
                   TW_DECODE_END);
  g_assert_cmpint (seq, ==, 3000);
}

static void
test_rejections (void)
{
  static const struct { const char *text; const char *reason; } cases[] = {
    { "{\"v\":1,\"type\":\"vitals\"", "not JSON" },
    { "[1,2]", "not a JSON object" },
    { "{\"v\":2,\"type\":\"vitals\"}", "unsupported format version" },
    { "{\"v\":1,\"type\":\"gossip\"}", "unknown message type" },
    { "{\"v\":1,\"type\":\"vitals\",\"ts\":\"2026-11-23T07:10:03\",\"patient\":\"P1\",\"hr\":70}",
      "RFC 3339 with a time zone" },
    { "{\"v\":1,\"type\":\"vitals\",\"ts\":\"2026-11-23T07:10:03Z\",\"hr\":70}",
      "without a valid \"patient\"" },
    { "{\"v\":1,\"type\":\"vitals\",\"ts\":\"2026-11-23T07:10:03Z\",\"patient\":\"P1\"}",
      "without any measurement" },
    { "{\"v\":1,\"type\":\"vitals\",\"ts\":\"2999-01-01T00:00:00Z\",\"patient\":\"P1\",\"hr\":7}",
      "in the future" },
    { "{\"v\":1,\"type\":\"vitals\",\"seq\":-4,\"ts\":\"2026-11-23T07:10:03Z\",\"patient\":\"P1\"}",
      "positive integer" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);

      g_assert_cmpint (decode (batch, cases[i].text, NULL), ==, TW_DECODE_REJECTED);
      g_assert_cmpuint (batch->samples->len, ==, 0);
      g_assert_nonnull (strstr (first_reason (batch), cases[i].reason));
      /* Nothing rejected disappears: the raw bytes are kept. */
      g_assert_cmpuint (g_bytes_get_size (((TwReject *) batch->rejects->pdata[0])->raw), ==,
                        strlen (cases[i].text));
    }
}

static void
test_implausible_value_keeps_the_rest (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);

  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"vitals\",\"ts\":\"2026-11-23T07:10:03Z\","
                           "\"patient\":\"P1\",\"hr\":72,\"spo2\":140}", NULL), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, 1);
  g_assert_nonnull (strstr (first_reason (batch), "spo2 = 140"));
  g_assert_nonnull (strstr (first_reason (batch), "other values were stored"));
}

static void
test_garbage (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char binary[] = { '{', (char) 0xff, (char) 0xfe, 0, 'x' };
  g_autofree char *huge = g_strnfill (2 * 1024 * 1024, 'a');

  g_assert_cmpint (tw_json_codec_decode (batch, binary, sizeof binary, NULL), ==,
                   TW_DECODE_REJECTED);
  g_assert_nonnull (strstr (first_reason (batch), "UTF-8"));
  g_assert_cmpint (tw_json_codec_decode (batch, huge, strlen (huge), NULL), ==,
                   TW_DECODE_REJECTED);
  g_assert_cmpuint (batch->rejects->len, ==, 2);
  g_assert_nonnull (strstr (((TwReject *) batch->rejects->pdata[1])->reason, "larger than"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-codec/vitals", test_vitals);
  g_test_add_func ("/json-codec/patient-and-end", test_patient_and_end);
  g_test_add_func ("/json-codec/rejections", test_rejections);
  g_test_add_func ("/json-codec/implausible-value", test_implausible_value_keeps_the_rest);
  g_test_add_func ("/json-codec/garbage", test_garbage);
  return g_test_run ();
}
