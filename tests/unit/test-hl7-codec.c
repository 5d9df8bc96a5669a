#include <string.h>

#include "tw-hl7-codec.h"
#include "tw-time.h"
#include "tw-test-batch.h"

#define MSH_ORU "MSH|^~\\&|MONITOR^0800A1B2C3D4E5F6^EUI-64|ICU|TIDEWATCH|HOSP|" \
                "20261123071004+0100||ORU^R01^ORU_R01|MSG00042|P|2.6|||NE|AL\r"

static TwDecodeResult
decode (TwBatch    *batch,
        const char *text)
{
  return tw_hl7_codec_decode (batch, text, strlen (text), NULL);
}

static const TwEntityInfo *
entity (TwBatch *batch,
        guint    index)
{
  g_assert_cmpuint (batch->entities->len, >, index);
  return &g_array_index (batch->entities, TwEntityInfo, index);
}

static gint64
ts_of (const char *text)
{
  gint64 ts = 0;

  g_assert_true (tw_time_parse_iso8601 (text, &ts));
  return ts;
}

static void
test_timestamps (void)
{
  static const struct { const char *hl7; const char *iso; } ok[] = {
    { "20261123071003.250+0100", "2026-11-23T06:10:03.250Z" },
    { "20261123071003.2501-0500", "2026-11-23T12:10:03.250100Z" },
    { "202611230710+0000", "2026-11-23T07:10:00Z" },
    { "20261123071003+0530", "2026-11-23T01:40:03Z" },
    { "20261123071003.123456+0000", "2026-11-23T07:10:03.123456Z" },
    { "20240229235959-1200", "2024-03-01T11:59:59Z" },
  };
  static const char *bad[] = {
    "20261123071003", "20261123071003.250", "2026112307+0100", "20261323071003+0100",
    "20250229071003+0000", "20261123071003.+0100", "20261123071003+01", "20261123071003+2500",
    "20261123071003Z", "2026-11-23T07:10:03Z", "", "20261123071003+0100x",
  };
  gint64 ts;

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_assert_true (tw_hl7_parse_ts (ok[i].hl7, &ts));
      g_assert_cmpint (ts, ==, ts_of (ok[i].iso));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    if (tw_hl7_parse_ts (bad[i], &ts))
      g_error ("\"%s\" was accepted", bad[i]);
}

static void
test_oru_vitals (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char text[] =
    MSH_ORU
    "PID|||P0003^^^HOSP^MR~998877^^^NHS^NH||Okafor^Ada^N||19560412|F\r"
    "PV1||I|ICU^12^B\r"
    "OBR|1|||182777000^monitoring of patient^SCT|||20261123071003+0100\r"
    "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X\r"
    "OBX|2|NM|147842^MDC_ECG_HEART_RATE^MDC|1.1.1.1|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||"
    "20261123071003.250+0100\r"
    "OBX|3|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.2.1|97|262688^MDC_DIM_PERCENT^MDC|||||F|||"
    "20261123071003.250+0100\r"
    "OBX|4|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.1.3.1|121|266016^MDC_DIM_MMHG^MDC|||||F\r"
    "OBX|5|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.1.3.2|78|266016^MDC_DIM_MMHG^MDC|||||F\r"
    "OBX|6|NM|150364^MDC_TEMP_BODY^MDC|1.1.4.1|98.6|266560^MDC_DIM_FAHR^MDC|||||F|||"
    "20261123071003-0400\r"
    "OBX|7|NM|9279-1^Respiratory rate^LN||18|/min^per minute^UCUM|||||C|||20261123061003+0000\r"
    "OBX|8|NM|99504-3^Glucose CGM^LN||5.5|mmol/L^mmol/L^UCUM|||||F|||20261123061003+0000\r";
  TwDecodeInfo info = { 0 };
  static const struct { const char *metric; double value; const char *iso; } expect[] = {
    { "hr",      72,     "2026-11-23T06:10:03.250Z" },
    { "spo2",    97,     "2026-11-23T06:10:03.250Z" },
    { "sbp",     121,    "2026-11-23T06:10:03Z" },  /* OBR-7 */
    { "dbp",     78,     "2026-11-23T06:10:03Z" },
    { "temp",    37.0,   "2026-11-23T11:10:03Z" },
    { "rr",      18,     "2026-11-23T06:10:03Z" },
    { "glucose", 99.088, "2026-11-23T06:10:03Z" },
  };

  g_assert_cmpint (tw_hl7_codec_decode (batch, text, strlen (text), &info), ==, TW_DECODE_OK);
  g_assert_cmpstr (info.message_id, ==, "MSG00042");
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpuint (batch->samples->len, ==, G_N_ELEMENTS (expect));
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_assert_cmpstr (sample (batch, i)->entity, ==, "P0003");
      g_assert_cmpstr (sample (batch, i)->metric, ==, expect[i].metric);
      g_assert_cmpfloat_with_epsilon (sample (batch, i)->value, expect[i].value, 1e-9);
      g_assert_cmpint (sample (batch, i)->ts, ==, ts_of (expect[i].iso));
    }
  g_assert_cmpuint (batch->entities->len, ==, 1);
  g_assert_cmpstr (entity (batch, 0)->key, ==, "P0003");
  g_assert_cmpstr (entity (batch, 0)->name, ==, "Ada N Okafor");
  g_assert_cmpstr (entity (batch, 0)->mrn, ==, "P0003");
  g_assert_cmpstr (entity (batch, 0)->location, ==, "ICU-12-B");
}

/* Shaped after the public sample messages of a bedside monitor's IHE PCD-01
 * interface (GE B40 HL7 reference manual): MDS/VMD/channel rows with status
 * X, a PVC rate we do not catalogue, and times without a zone in OBR-7. */
static void
test_pcd01_sample (void)
{
  static const char *obr_times[] = { "20130122134100", "20130122134100+0000" };

  for (guint i = 0; i < G_N_ELEMENTS (obr_times); i++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);
      g_autofree char *text = g_strdup_printf (
        "MSH|^~\\&|VSP^080019FFFE134535^EUI-64|GE Healthcare|||20130122134100||ORU^R01^ORU_R01|"
        "004097134535|P|2.6|||NE|AL||UNICODE UTF-8|||PCD_DEC_001^IHE PCD^1.3.6.1.4.1.19376.1.6"
        ".1.1.1^ISO\r"
        "PID|||HED12^^^PID^MR||LAZY^KITTY^^^^^L|||\r"
        "PV1||R|SURGERY^^V2\r"
        "OBR|1|080019FFFE13453520130122134100^VSP^080019FFFE134535^EUI-64||182777000^monitoring "
        "of patient^SCT|||%s\r"
        "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X\r"
        "OBX|11|NM|147842^MDC_ECG_HEART_RATE^MDC|1.5.1.1|80|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R"
        "|||||||080019FFFE0B4020^B40_GE\r"
        "OBX|12|NM|148066^MDC_ECG_V_P_C_RATE^MDC|1.5.1.2|0|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R"
        "|||||||080019FFFE0B4020^B40_GE\r"
        "OBX|3||69855^MDC_DEV_METER_PRESS_BLD_CHAN^MDC|1.13.1.0|||||||X\r"
        "OBX|4|NM|150033^MDC_PRESS_BLD_ART_SYS^MDC|1.13.1.1|112|266016^MDC_DIM_MMHG^MDC|||||R\r"
        "OBX|5|NM|150034^MDC_PRESS_BLD_ART_DIA^MDC|1.13.1.2|76|266016^MDC_DIM_MMHG^MDC|||||R\r"
        "OBX|6|NM|150035^MDC_PRESS_BLD_ART_MEAN^MDC|1.13.1.3|95|266016^MDC_DIM_MMHG^MDC|||||R\r",
        obr_times[i]);

      if (i == 0)
        {
          /* No zone: the patient is announced, no value is stored, and every
           * problem is named. */
          g_assert_cmpint (decode (batch, text), ==, TW_DECODE_REJECTED);
          g_assert_cmpuint (batch->samples->len, ==, 0);
          g_assert_cmpuint (batch->entities->len, ==, 1);
          g_assert_nonnull (strstr (reject_reason (batch, 0), "OBX 11 (hr): time "
                                    "\u201820130122134100\u2019 is not an HL7 time with a zone"));
          g_assert_nonnull (strstr (reject_reason (batch, 0), "OBX 12 (148066^MDC_ECG_V_P_C_"
                                    "RATE^MDC): not a known vital sign or glucose code"));
          continue;
        }
      g_assert_cmpint (decode (batch, text), ==, TW_DECODE_OK);
      g_assert_cmpuint (batch->samples->len, ==, 4);
      g_assert_cmpstr (sample (batch, 0)->metric, ==, "hr");
      g_assert_cmpstr (sample (batch, 3)->metric, ==, "map");
      g_assert_cmpfloat (sample (batch, 3)->value, ==, 95);
      g_assert_cmpint (sample (batch, 3)->ts, ==, ts_of ("2013-01-22T13:41:00Z"));
      g_assert_cmpstr (entity (batch, 0)->key, ==, "HED12");
      g_assert_cmpstr (entity (batch, 0)->name, ==, "KITTY LAZY");
      g_assert_cmpstr (entity (batch, 0)->location, ==, "SURGERY-V2");
      /* The uncatalogued PVC rate is quarantined with the message. */
      g_assert_cmpuint (batch->rejects->len, ==, 1);
      g_assert_cmpstr (reject_reason (batch, 0), ==, "OBX 12 (148066^MDC_ECG_V_P_C_RATE^MDC): "
                       "not a known vital sign or glucose code (the other values were stored)");
    }
}

static void
test_escapes_and_separators (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  /* Non-default encoding characters, LF and CRLF segment ends, escapes. */
  static const char text[] =
    "MSH#:*!$#SND#FAC#RCV#FAC#20261123071004+0100##ADT:A01#ID\\7#P#2.5\r\n"
    "PID###K1!T!X:::ISO:MR##O!S!Brien!T!Lee:Se!F!n!E!n!R!x!X41!:::\n"
    "PV1##I#W!F!1:R:B\r\n";
  g_autoptr(TwBatch) second = tw_batch_new (1);
  static const char standard[] =
    "MSH|^~\\&|SND|FAC|RCV|FAC|20261123071004+0100||ADT^A01|X|P|2.5\r"
    "PID|||K2||Family\\T\\Other^G\\F\\\\S\\\\R\\\\E\\\\.br\\y\\H\\z\\N\\\\X4142\\"
    "\\C2842\\\\Hi\\\r";
  TwDecodeInfo info = { 0 };

  g_assert_cmpint (tw_hl7_codec_decode (batch, text, strlen (text), &info), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpstr (info.message_id, ==, "ID\\7");
  g_assert_cmpstr (entity (batch, 0)->key, ==, "K1$X");
  g_assert_cmpstr (entity (batch, 0)->name, ==, "Se#n!n*xA O:Brien$Lee");
  g_assert_cmpstr (entity (batch, 0)->location, ==, "W#1-R-B");

  g_assert_cmpint (decode (second, standard), ==, TW_DECODE_OK);
  g_assert_cmpstr (entity (second, 0)->name, ==, "G|^~\\\nyzAB\\Hi\\ Family&Other");
}

static void
test_adt (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char a01[] =
    "MSH|^~\\&|ADT1|HOSP|TIDEWATCH|ICU|20261123071004+0100||ADT^A01^ADT_A01|A01-1|P|2.5.1\r"
    "EVN|A01|20261123071000+0100\r"
    "PID|1||MRN-7^^^HOSP^MR||Lindqvist^Bo||19700101|M\r"
    "PV1|1|I|ICU^03^1^HOSP||||\r";
  static const char a02[] =
    "MSH|^~\\&|ADT1|HOSP|TIDEWATCH|ICU|20261123081004+0100||ADT^A02^ADT_A02|A02-1|P|2.5.1\r"
    "PID|1||MRN-7^^^HOSP^MR||Lindqvist^Bo\r"
    "PV1|1|I|WARD5^12^2|||ICU^03^1\r";
  static const char a03[] =
    "MSH|^~\\&|ADT1|HOSP|TIDEWATCH|ICU|20261123091004+0100||ADT^A03^ADT_A03|A03-1|P|2.5.1\r"
    "PID|1||MRN-7^^^HOSP^MR||Lindqvist^Bo\r"
    "PV1|1|I|WARD5^12^2\r";

  g_assert_cmpint (decode (batch, a01), ==, TW_DECODE_OK);
  g_assert_cmpint (decode (batch, a02), ==, TW_DECODE_OK);
  g_assert_cmpint (decode (batch, a03), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
  g_assert_cmpuint (batch->samples->len, ==, 0);
  g_assert_cmpuint (batch->entities->len, ==, 3);
  g_assert_cmpstr (entity (batch, 0)->key, ==, "MRN-7");
  g_assert_cmpstr (entity (batch, 0)->mrn, ==, "MRN-7");
  g_assert_cmpstr (entity (batch, 0)->name, ==, "Bo Lindqvist");
  g_assert_cmpstr (entity (batch, 0)->location, ==, "ICU-03-1");
  g_assert_cmpstr (entity (batch, 1)->location, ==, "WARD5-12-2");
  g_assert_cmpstr (entity (batch, 2)->key, ==, "MRN-7");
  g_assert_cmpstr (entity (batch, 2)->location, ==, TW_HL7_LOCATION_DISCHARGED);
}

static void
test_rejections (void)
{
  static const struct { const char *text; const char *reason; } cases[] = {
    { "PID|||P1||Doe^John\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72",
      "HL7 message without an MSH segment" },
    { "", "HL7 message without an MSH segment" },
    { "MSH|||", "MSH-1/MSH-2 encoding characters are not valid" },
    { "MSH|^^\\&|A", "MSH-1/MSH-2 encoding characters are not valid" },
    { "MSH|^~\\&|A|B|C|D|20261123071004+0100||ORM^O01|9|P|2.5\rPID|||P1",
      "HL7 message type ORM^O01 is not supported" },
    { "MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A31|9|P|2.5\rPID|||P1",
      "HL7 message type ADT^A31 is not supported" },
    { "MSH|^~\\&|A|B|C|D|20261123071004+0100|||9|P|2.5\r",
      "HL7 message type (none)^ is not supported" },
    { "MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A01|9|P|2.5\rPV1||I|ICU",
      "ADT^A01 without a PID segment" },
    { "MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A01|9|P|2.5\rPID|||^^^HOSP^MR",
      "PID-3 (patient identifier) is empty" },
    { "MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A02|9|P|2.5\rPID|||P1\rPV1||I",
      "ADT^A02 without the new location (PV1-3)" },
    { MSH_ORU "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|/min|||||F|||20261123071003+0100",
      "ORU^R01 without a PID segment before its OBX" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|/min|||||W|||"
      "20261123071003+0100", "OBX 1 (hr): result status W (wrong, replaced) \u2014 not stored" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|/min|||||X|||"
      "20261123071003+0100", "OBX 1 (hr): result status X (cannot be obtained)" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|/min||||||||"
      "20261123071003+0100", "OBX 1 (hr): OBX-11 (result status) is empty" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|/min|||||F|||"
      "20261123071003", "OBX 1 (hr): time \u201820261123071003\u2019 is not an HL7 time with a zone" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|/min|||||F",
      "OBX 1 (hr): no observation time (OBX-14 or OBR-7)" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|/min|||||F|||"
      "29991123071003+0100", "more than a day in the future" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||7e1|/min|||||F|||"
      "20261123071003+0100", "OBX 1 (hr): OBX-5 \u20187e1\u2019 is not a number" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||nan|/min|||||F|||"
      "20261123071003+0100", "is not a number" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||8388607|264864^MDC_DIM_BEAT_"
      "PER_MIN^MDC|||||F|||20261123071003+0100",
      "OBX 1 (hr): hr = 8.38861e+06 /min is outside the plausible range 15\u2013300" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||97|264864^MDC_DIM_BEAT_PER_"
      "MIN^MDC|||||F|||20261123071003+0100", "OBX 1 (spo2): unit \u2018/min\u2019 is not known "
      "for spo2" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||97|999999^MDC_DIM_ODD^MDC"
      "|||||F|||20261123071003+0100", "unit \u2018999999^MDC_DIM_ODD^MDC\u2019 is not known for "
      "spo2" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||97||||||F|||"
      "20261123071003+0100", "no unit given for spo2 (expected %)" },
    { MSH_ORU "PID|||P1\rOBX|1|ST|150456^MDC_PULS_OXIM_SAT_O2^MDC||97|%|||||F|||"
      "20261123071003+0100", "OBX 1 (spo2): value type ST is not numeric (NM)" },
    { MSH_ORU "PID|||P1\rOBX|1|NM|8302-2^Body height^LN||170|cm|||||F|||20261123071003+0100",
      "OBX 1 (8302-2^Body height^LN): not a known vital sign or glucose code" },
    { MSH_ORU "PID|||P1\rthis line was cut from an OBX-5 text",
      "line 3 is not an HL7 segment (\u2018this line was cut from an OBX-5 text\u2019)" },
    { "MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A01|9|P|2.5\rPID|||P\xff\xfe",
      "HL7 message is not valid UTF-8" },
    { "MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A01|9|P|2.5\rPID|||P1\0\0", 
      "HL7 message is not valid UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (1);
      gsize len = strlen (cases[i].text);

      /* The NUL case: keep its bytes after the first NUL. */
      if (strstr (cases[i].reason, "UTF-8") != NULL && len > 0 && cases[i].text[len - 1] == '1')
        len += 2;
      g_assert_cmpint (tw_hl7_codec_decode (batch, cases[i].text, len, NULL), ==,
                       TW_DECODE_REJECTED);
      g_assert_cmpuint (batch->samples->len, ==, 0);
      g_assert_cmpuint (batch->rejects->len, ==, 1);
      if (strstr (reject_reason (batch, 0), cases[i].reason) == NULL)
        g_error ("case %u: \"%s\" does not contain \"%s\"", i, reject_reason (batch, 0),
                 cases[i].reason);
      /* Nothing rejected disappears. */
      g_assert_cmpuint (g_bytes_get_size (((TwReject *) batch->rejects->pdata[0])->raw), ==, len);
    }
}

static void
test_latin1 (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char text[] =
    "MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A01|9|P|2.5|||AL|NE||8859/1\r"
    "PID|||P1||M\xfcller^J\xf6rg\r";

  g_assert_cmpint (decode (batch, text), ==, TW_DECODE_OK);
  g_assert_cmpstr (entity (batch, 0)->name, ==, "J\u00f6rg M\u00fcller");
}

static void
test_partial_message (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char text[] =
    MSH_ORU
    "PID|||P1\r"
    "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|/min|||||F|||20261123071003+0100\r"
    "OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||140|%|||||F|||20261123071003+0100\r"
    "PID|||P2\r"
    "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||64|/min|||||F|||20261123071003+0100\r";
  TwDecodeInfo info = { 0 };

  g_assert_cmpint (tw_hl7_codec_decode (batch, text, strlen (text), &info), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, 2);
  g_assert_cmpstr (sample (batch, 1)->entity, ==, "P2");
  g_assert_cmpuint (batch->entities->len, ==, 2);
  g_assert_cmpstr (reject_reason (batch, 0), ==, "OBX 2 (spo2): spo2 = 140 % is outside the "
                   "plausible range 40\u2013100 (the other values were stored)");
}

static char *
segment_of (const char *message,
            const char *id)
{
  g_auto(GStrv) segments = g_strsplit (message, "\r", -1);

  for (guint i = 0; segments[i] != NULL; i++)
    if (g_str_has_prefix (segments[i], id))
      return g_strdup (segments[i]);
  return NULL;
}

static void
test_ack (void)
{
  static const char text[] =
    "MSH|^~\\&|MONITOR|ICU|TIDEWATCH|HOSP|20261123071004+0100||ORU^R01^ORU_R01|MSG00042|T|2.6\r"
    "PID|||P1\r";
  g_autofree char *ack = tw_hl7_build_ack (text, strlen (text), "AA", NULL);
  g_autofree char *nak = tw_hl7_build_ack (text, strlen (text), "AE", "unit ‘|^~’ is odd");
  g_autofree char *garbage = tw_hl7_build_ack ("\x01\x02", 2, "AR", "no MSH");
  g_autofree char *msh = segment_of (ack, "MSH");
  g_autofree char *msa = segment_of (ack, "MSA");
  g_autofree char *err = segment_of (nak, "ERR");
  g_autofree char *nak_msa = segment_of (nak, "MSA");
  g_auto(GStrv) fields = g_strsplit (msh, "|", -1);
  g_autoptr(TwBatch) batch = tw_batch_new (1);

  g_assert_true (g_str_has_suffix (ack, "\r"));
  g_assert_cmpstr (fields[1], ==, "^~\\&");
  g_assert_cmpstr (fields[2], ==, "TIDEWATCH");   /* MSH-3: the original receiver */
  g_assert_cmpstr (fields[3], ==, "HOSP");
  g_assert_cmpstr (fields[4], ==, "MONITOR");
  g_assert_cmpstr (fields[5], ==, "ICU");
  g_assert_true (g_str_has_suffix (fields[6], "+0000"));
  g_assert_cmpstr (fields[8], ==, "ACK^R01^ACK");
  g_assert_cmpstr (fields[9], !=, "MSG00042");
  g_assert_cmpuint (strlen (fields[9]), <=, 20);
  g_assert_cmpstr (fields[10], ==, "T");
  g_assert_cmpstr (fields[11], ==, "2.6");
  g_assert_cmpstr (msa, ==, "MSA|AA|MSG00042");
  g_assert_null (segment_of (ack, "ERR"));

  g_assert_cmpstr (nak_msa, ==, "MSA|AE|MSG00042|unit ‘\\F\\\\S\\\\R\\’ is odd");
  g_assert_cmpstr (err, ==, "ERR|||207^Application internal error^HL70357|E||||"
                   "unit ‘\\F\\\\S\\\\R\\’ is odd");

  g_assert_true (g_str_has_prefix (garbage, "MSH|^~\\&|"));
  g_assert_nonnull (strstr (garbage, "\rMSA|AR||no MSH\r"));

  /* The ACK is a well-formed HL7 message itself. */
  g_assert_cmpint (decode (batch, ack), ==, TW_DECODE_REJECTED);
  g_assert_cmpstr (reject_reason (batch, 0), ==, "HL7 message type ACK^R01 is not supported "
                   "(expected ORU^R01, ADT^A01/A02/A03/A04/A08, RDE^O11 or OMP^O09)");
}

/* Found by fuzz-hl7: a Latin-1 byte as component separator became two
 * UTF-8 bytes, and one of them cut names and the ACK in half. */
static void
test_non_ascii_separator (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  static const char text[] =
    "MSH|\x94~\\&|ADT1|HOSP|TIDEWATCH|ICU|20261123091004+0100||ADT^A03|A03-1|P|2.5.1|||AL|NE||"
    "8859/1\r\nPID|1||MRN-7^^^HOSP^MR||M\xfcller\\T\\Lee^J\\F\\o\\X4142\\\r\n";
  g_autofree char *ack = tw_hl7_build_ack (text, strlen (text), "AE", "bad");

  g_assert_cmpint (decode (batch, text), ==, TW_DECODE_REJECTED);
  g_assert_cmpuint (batch->entities->len, ==, 0);
  g_assert_nonnull (strstr (reject_reason (batch, 0), "encoding characters are not valid"));
  g_assert_true (g_utf8_validate (ack, -1, NULL));
  g_assert_true (g_str_has_prefix (ack, "MSH|^~\\&|"));
  g_assert_nonnull (strstr (ack, "\rMSA|AE||bad\r"));
}

static void
test_split_batch (void)
{
  static const char file[] =
    "FHS|^~\\&|SENDER\r"
    "BHS|^~\\&|SENDER\r"
    "MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A01|1|P|2.5\r"
    "PID|||P1\r"
    "MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A01|2|P|2.5\n"
    "PID|||P2\n"
    "stray text\n"
    "BTS|2\r"
    "FTS|1\r";
  g_autoptr(GPtrArray) messages = tw_hl7_split_batch (file, strlen (file));
  g_autoptr(TwBatch) batch = tw_batch_new (1);

  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (messages->pdata[0], NULL),
                   g_bytes_get_size (messages->pdata[0]),
                   "MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A01|1|P|2.5\rPID|||P1\r",
                   strlen ("MSH|^~\\&|A|B|C|D|20261123071004+0100||ADT^A01|1|P|2.5\r"
                           "PID|||P1\r"));

  /* The stray line stays with the message it follows: decoding names it. */
  g_assert_cmpint (decode (batch, file), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->entities->len, ==, 2);
  g_assert_cmpuint (batch->rejects->len, ==, 1);
  g_assert_nonnull (strstr (reject_reason (batch, 0), "line 3 is not an HL7 segment"));

  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = tw_hl7_split_batch ("junk\rMSH|^~\\&|A\r", 16);
  g_assert_cmpuint (messages->len, ==, 2);
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = tw_hl7_split_batch ("", 0);
  g_assert_cmpuint (messages->len, ==, 0);

  /* Found by fuzz-json (auto-detection): a batch header the split cannot see
   * at a line start was split again and again, until the stack ran out. */
  g_clear_pointer (&batch, tw_batch_free);
  batch = tw_batch_new (1);
  g_assert_cmpint (decode (batch, "\tFHS\""), ==, TW_DECODE_REJECTED);
  g_assert_cmpstr (reject_reason (batch, 0), ==, "HL7 batch without any message");
  g_assert_cmpint (decode (batch, "BHS|\r \tFHS|\r"), ==, TW_DECODE_REJECTED);
  g_assert_cmpuint (batch->rejects->len, ==, 2);
  g_assert_cmpstr (reject_reason (batch, 1), ==, "HL7 message without an MSH segment");
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = tw_hl7_split_batch (" \r\nMSH|^~\\&|A\r", 14);
  g_assert_cmpuint (messages->len, ==, 1);
}

static void
test_large_message (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  g_autoptr(GString) text = g_string_new (MSH_ORU "PID|||P1\r");
  guint n = 0;

  while (text->len < 1536 * 1024)
    {
      g_string_append_printf (text, "OBX|%u|NM|147842^MDC_ECG_HEART_RATE^MDC||%u|/min|||||F|||"
                              "20261123071003.%04u+0100\r", n + 1, 60 + n % 40, n % 10000);
      n++;
    }
  g_assert_cmpint (tw_hl7_codec_decode (batch, text->str, text->len, NULL), ==, TW_DECODE_OK);
  g_assert_cmpuint (batch->samples->len, ==, n);
  g_assert_cmpuint (batch->rejects->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hl7-codec/timestamps", test_timestamps);
  g_test_add_func ("/hl7-codec/oru-vitals", test_oru_vitals);
  g_test_add_func ("/hl7-codec/pcd01-sample", test_pcd01_sample);
  g_test_add_func ("/hl7-codec/escapes-and-separators", test_escapes_and_separators);
  g_test_add_func ("/hl7-codec/adt", test_adt);
  g_test_add_func ("/hl7-codec/rejections", test_rejections);
  g_test_add_func ("/hl7-codec/latin1", test_latin1);
  g_test_add_func ("/hl7-codec/partial-message", test_partial_message);
  g_test_add_func ("/hl7-codec/ack", test_ack);
  g_test_add_func ("/hl7-codec/non-ascii-separator", test_non_ascii_separator);
  g_test_add_func ("/hl7-codec/split-batch", test_split_batch);
  g_test_add_func ("/hl7-codec/large-message", test_large_message);
  return g_test_run ();
}
