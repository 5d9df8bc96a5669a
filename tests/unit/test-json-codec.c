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

static const TwSample *
sample_at (TwBatch *batch,
           guint    index)
{
  g_assert_cmpuint (index, <, batch->samples->len);
  return &g_array_index (batch->samples, TwSample, index);
}

static const TwEntityInfo *
entity_at (TwBatch *batch,
           guint    index)
{
  g_assert_cmpuint (index, <, batch->entities->len);
  return &g_array_index (batch->entities, TwEntityInfo, index);
}

static void
test_vitals_glucose_and_map (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);

  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"vitals\",\"seq\":3,"
                           "\"ts\":\"2026-11-23T03:00:00Z\",\"patient\":\"P0001\","
                           "\"glucose\":52,\"map\":80}", NULL), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, 2);
  g_assert_cmpstr (sample_at (batch, 0)->metric, ==, "map");
  g_assert_cmpstr (sample_at (batch, 1)->metric, ==, "glucose");
  g_assert_cmpfloat (sample_at (batch, 1)->value, ==, 52);

  /* mmol/L is converted to the catalogue's mg/dL. */
  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"vitals\",\"ts\":\"2026-11-23T03:05:00Z\","
                           "\"patient\":\"P0001\",\"glucose_mmol\":3.0}", NULL), ==, TW_DECODE_OK);
  g_assert_cmpstr (sample_at (batch, 2)->metric, ==, "glucose");
  g_assert_cmpfloat_with_epsilon (sample_at (batch, 2)->value, 54.048, 1e-9);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
}

static void
test_samples (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  gint64 seq = 0;
  gint64 ts;

  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"samples\",\"seq\":7,"
                           "\"ts\":\"2026-11-23T14:30:00Z\",\"entity\":\"ACME\","
                           "\"kind\":\"instrument\",\"values\":{\"price\":101.25,\"volume\":300}}",
                           &seq), ==, TW_DECODE_OK);
  g_assert_cmpint (seq, ==, 7);
  g_assert_true (tw_time_parse_iso8601 ("2026-11-23T14:30:00Z", &ts));
  g_assert_cmpuint (batch->samples->len, ==, 2);
  g_assert_cmpstr (sample_at (batch, 0)->entity, ==, "ACME");
  g_assert_cmpstr (sample_at (batch, 0)->metric, ==, "price");
  g_assert_cmpfloat (sample_at (batch, 0)->value, ==, 101.25);
  g_assert_cmpint (sample_at (batch, 0)->ts, ==, ts);
  g_assert_cmpstr (sample_at (batch, 1)->metric, ==, "volume");
  g_assert_cmpstr (entity_at (batch, 0)->kind, ==, "instrument");
  g_assert_cmpstr (entity_at (batch, 0)->key, ==, "ACME");
  g_assert_null (entity_at (batch, 0)->name);
}

static void
test_tick_and_order (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);

  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"tick\",\"seq\":1,"
                           "\"ts\":\"2026-11-23T14:30:00.5Z\",\"symbol\":\"ACME\","
                           "\"price\":99.5,\"size\":200}", NULL), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, 2);
  g_assert_cmpstr (sample_at (batch, 0)->metric, ==, "price");
  g_assert_cmpfloat (sample_at (batch, 0)->value, ==, 99.5);
  g_assert_cmpstr (sample_at (batch, 1)->metric, ==, "volume");
  g_assert_cmpfloat (sample_at (batch, 1)->value, ==, 200);
  g_assert_cmpstr (entity_at (batch, 0)->kind, ==, "instrument");

  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"order\",\"seq\":2,"
                           "\"ts\":\"2026-11-20T10:00:00Z\",\"id\":\"O-17\",\"customer\":\"C0042\","
                           "\"store\":\"S01\",\"amount\":59.9,\"items\":3}", NULL), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, 5);
  g_assert_cmpstr (sample_at (batch, 2)->entity, ==, "C0042");
  g_assert_cmpstr (sample_at (batch, 2)->metric, ==, "order_amount");
  g_assert_cmpfloat (sample_at (batch, 2)->value, ==, 59.9);
  g_assert_cmpstr (sample_at (batch, 3)->metric, ==, "basket_size");
  g_assert_cmpfloat (sample_at (batch, 3)->value, ==, 3);
  g_assert_cmpstr (sample_at (batch, 4)->entity, ==, "S01");
  g_assert_cmpstr (sample_at (batch, 4)->metric, ==, "orders");
  g_assert_cmpfloat (sample_at (batch, 4)->value, ==, 1);
  g_assert_cmpstr (entity_at (batch, 1)->kind, ==, "customer");
  g_assert_cmpstr (entity_at (batch, 2)->kind, ==, "store");
  g_assert_cmpuint (batch->rejects->len, ==, 0);
}

static void
test_admit_transfer_discharge (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);

  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"admit\",\"patient\":\"P0001\","
                           "\"name\":\"Ada Okafor\",\"mrn\":\"MRN-1\",\"ward\":\"WARD-7\","
                           "\"bed\":\"B03\"}", NULL), ==, TW_DECODE_OK);
  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"transfer\",\"patient\":\"P0001\","
                           "\"ward\":\"ICU\",\"bed\":\"ICU-02\"}", NULL), ==, TW_DECODE_OK);
  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"discharge\",\"patient\":\"P0001\"}",
                           NULL), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->entities->len, ==, 3);
  g_assert_cmpstr (entity_at (batch, 0)->kind, ==, "patient");
  g_assert_cmpstr (entity_at (batch, 0)->name, ==, "Ada Okafor");
  g_assert_cmpstr (entity_at (batch, 0)->mrn, ==, "MRN-1");
  g_assert_cmpstr (entity_at (batch, 0)->location, ==, "WARD-7/B03");
  g_assert_cmpstr (entity_at (batch, 1)->location, ==, "ICU/ICU-02");
  /* A transfer does not forget the name (NULL keeps what the store has). */
  g_assert_null (entity_at (batch, 1)->name);
  g_assert_cmpstr (entity_at (batch, 2)->location, ==, "discharged");
  g_assert_cmpuint (batch->samples->len, ==, 0);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
}

static void
test_domain_rejections (void)
{
  static const struct { const char *text; const char *reason; } cases[] = {
    { "{\"v\":1,\"type\":\"samples\",\"ts\":\"2026-11-23T14:30:00Z\",\"kind\":\"instrument\","
      "\"values\":{\"price\":1}}", "without a valid \"entity\"" },
    { "{\"v\":1,\"type\":\"samples\",\"ts\":\"2026-11-23T14:30:00Z\",\"entity\":\"A\","
      "\"kind\":\"planet\",\"values\":{\"price\":1}}", "valid \"kind\"" },
    { "{\"v\":1,\"type\":\"samples\",\"entity\":\"A\",\"kind\":\"store\","
      "\"values\":{\"orders\":1}}", "samples message without a valid \"ts\"" },
    { "{\"v\":1,\"type\":\"samples\",\"ts\":\"2026-11-23T14:30:00Z\",\"entity\":\"A\","
      "\"kind\":\"store\",\"values\":[1]}", "\"values\" object" },
    { "{\"v\":1,\"type\":\"samples\",\"ts\":\"2026-11-23T14:30:00Z\",\"entity\":\"A\","
      "\"kind\":\"store\",\"values\":{\"mood\":3}}", "values.mood is not a known metric" },
    { "{\"v\":1,\"type\":\"samples\",\"ts\":\"2026-11-23T14:30:00Z\",\"entity\":\"A\","
      "\"kind\":\"store\",\"values\":{\"orders\":\"3\"}}", "values.orders is not a number" },
    { "{\"v\":1,\"type\":\"samples\",\"ts\":\"2026-11-23T14:30:00Z\",\"entity\":\"A\","
      "\"kind\":\"store\",\"values\":{}}", "samples message without any measurement" },
    { "{\"v\":1,\"type\":\"tick\",\"ts\":\"2026-11-23T14:30:00Z\",\"price\":1}",
      "tick message without a valid \"symbol\"" },
    { "{\"v\":1,\"type\":\"tick\",\"ts\":\"2026-11-23T14:30:00Z\",\"symbol\":\"A\",\"size\":1}",
      "without a \"price\"" },
    { "{\"v\":1,\"type\":\"tick\",\"ts\":\"2026-11-23T14:30:00Z\",\"symbol\":\"A\","
      "\"price\":-3}", "price = -3" },
    { "{\"v\":1,\"type\":\"order\",\"ts\":\"2026-11-23T14:30:00Z\",\"customer\":\"C\","
      "\"store\":\"S\",\"amount\":1}", "order message without a valid \"id\"" },
    { "{\"v\":1,\"type\":\"order\",\"ts\":\"2026-11-23T14:30:00Z\",\"id\":\"O\","
      "\"store\":\"S\",\"amount\":1}", "without a valid \"customer\"" },
    { "{\"v\":1,\"type\":\"order\",\"ts\":\"2026-11-23T14:30:00Z\",\"id\":\"O\","
      "\"customer\":\"C\",\"amount\":1}", "without a valid \"store\"" },
    { "{\"v\":1,\"type\":\"order\",\"ts\":\"2026-11-23T14:30:00Z\",\"id\":\"O\","
      "\"customer\":\"C\",\"store\":\"S\"}", "without an \"amount\"" },
    { "{\"v\":1,\"type\":\"order\",\"ts\":\"2026-11-23T14:30:00Z\",\"id\":\"O\","
      "\"customer\":\"C\",\"store\":\"S\",\"amount\":\"9.99\"}", "amount is not a number" },
    { "{\"v\":1,\"type\":\"admit\",\"name\":\"X\"}", "admit message without a valid \"patient\"" },
    { "{\"v\":1,\"type\":\"transfer\",\"patient\":\"P1\"}", "without a \"bed\" or \"ward\"" },
    { "{\"v\":1,\"type\":\"vitals\",\"ts\":\"2026-11-23T14:30:00Z\",\"patient\":\"P1\","
      "\"glucose\":90,\"glucose_mmol\":5}", "send one of them" },
    { "{\"v\":1,\"type\":\"vitals\",\"ts\":\"2026-11-23T14:30:00Z\",\"patient\":\"P1\","
      "\"glucose_mmol\":0.1}", "glucose = 1.8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);

      g_test_message ("case %u: %s", i, cases[i].text);
      g_assert_cmpint (decode (batch, cases[i].text, NULL), ==, TW_DECODE_REJECTED);
      g_assert_cmpuint (batch->samples->len, ==, 0);
      g_assert_cmpstr (strstr (first_reason (batch), cases[i].reason), !=, NULL);
    }
}

static void
test_order_keeps_good_values (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);

  /* An implausible basket still records the amount and the store's count. */
  g_assert_cmpint (decode (batch, "{\"v\":1,\"type\":\"order\",\"ts\":\"2026-11-20T10:00:00Z\","
                           "\"id\":\"O-1\",\"customer\":\"C1\",\"store\":\"S1\",\"amount\":20,"
                           "\"items\":0}", NULL), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, 2);
  g_assert_nonnull (strstr (first_reason (batch), "basket_size = 0"));
  g_assert_nonnull (strstr (first_reason (batch), "other values were stored"));
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
  g_test_add_func ("/json-codec/vitals-glucose-map", test_vitals_glucose_and_map);
  g_test_add_func ("/json-codec/samples", test_samples);
  g_test_add_func ("/json-codec/tick-and-order", test_tick_and_order);
  g_test_add_func ("/json-codec/admit-transfer-discharge", test_admit_transfer_discharge);
  g_test_add_func ("/json-codec/domain-rejections", test_domain_rejections);
  g_test_add_func ("/json-codec/order-keeps-good-values", test_order_keeps_good_values);
  return g_test_run ();
}
