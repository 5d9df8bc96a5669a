#include "tw-feed-message.h"

#include "tw-feed-chart.h"
#include "tw-feed-physiology.h"
#include "tw-feed-scenario.h"
#include "tw-time.h"

/* Control characters must be written as \u00XX in JSON. */
#define JSON_FIRST_PLAIN_CHAR 0x20

/* Messages are written by hand rather than with JsonGenerator so that their
 * bytes are fixed (member order, number formatting): a resuming client and
 * the tests compare them byte for byte. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < JSON_FIRST_PLAIN_CHAR)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static void
append_member (GString    *out,
               const char *name,
               const char *value)
{
  g_string_append_printf (out, ",\"%s\":", name);
  append_json_string (out, value);
}

/**
 * tw_feed_message_patient:
 * @patient: a simulated patient
 *
 * Returns: (transfer full): the `patient` message announcing @patient
 */
char *
tw_feed_message_patient (const TwFeedPatient *patient)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (patient != NULL, NULL);

  g_string_append_printf (out, "{\"v\":%d,\"type\":\"patient\"", TW_FEED_FORMAT_VERSION);
  append_member (out, "id", patient->id);
  append_member (out, "mrn", patient->mrn);
  append_member (out, "name", patient->name);
  append_member (out, "bed", patient->bed);
  if (patient->ward != NULL)
    append_member (out, "group", patient->ward);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/**
 * tw_feed_message_vitals:
 * @params: the feed's parameters
 * @seq: a sequence number (≥ 1)
 *
 * Returns: (transfer full): the `vitals` message with sequence number @seq,
 *   or a scenario's message (`vitals`, `tick` or `order`)
 */
char *
tw_feed_message_vitals (const TwFeedParams *params,
                        guint64             seq)
{
  g_autofree char *ts = NULL;
  TwFeedVitals vitals;
  GString *out;
  int glucose;

  g_return_val_if_fail (params != NULL && seq >= TW_FEED_FIRST_SEQ, NULL);

  if (params->scenario != NULL)
    return tw_feed_scenario_message (params->scenario, params, seq);
  tw_feed_physiology_compute (params, seq, &vitals);
  ts = tw_time_format_iso8601 (tw_feed_params_seq_time (params, seq));

  out = g_string_new (NULL);
  g_string_append_printf (out, "{\"v\":%d,\"type\":\"vitals\",\"seq\":%" G_GUINT64_FORMAT ","
                          "\"ts\":\"%s\",\"patient\":\"" TW_FEED_PATIENT_ID_FORMAT "\","
                          "\"hr\":%d,\"rr\":%d,\"spo2\":%d,\"sbp\":%d,\"dbp\":%d,"
                          "\"temp\":%d.%d,\"o2\":%d,\"acvpu\":%d",
                          TW_FEED_FORMAT_VERSION, seq, ts,
                          tw_feed_params_seq_patient (params, seq) + 1,
                          vitals.hr, vitals.rr, vitals.spo2, vitals.sbp, vitals.dbp,
                          vitals.temp_tenths / TW_FEED_TEMP_TENTHS,
                          vitals.temp_tenths % TW_FEED_TEMP_TENTHS, vitals.o2, vitals.acvpu);
  /* CGM patients: a sensor reading every five minutes. */
  if (tw_feed_chart_glucose_due (params, seq, &glucose))
    g_string_append_printf (out, ",\"glucose\":%d", glucose);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/**
 * tw_feed_message_announce:
 * @params: the feed's parameters
 * @index: a patient's (or scenario entity's) zero-based index
 *
 * Returns: (transfer full) (nullable): the message a client gets before
 *   the stream, or %NULL when that entity needs none (a scenario's
 *   instruments and stores: their messages carry their kind)
 */
char *
tw_feed_message_announce (const TwFeedParams *params,
                          guint               index)
{
  g_autoptr(TwFeedPatient) patient = NULL;

  g_return_val_if_fail (params != NULL && index < params->patients, NULL);

  if (params->scenario != NULL)
    return tw_feed_scenario_announce (params->scenario, index);
  patient = tw_feed_patient_new (params, index);
  return tw_feed_message_patient (patient);
}

/**
 * tw_feed_message_announce_all:
 * @params: the feed's parameters
 * @index: a patient's (or scenario entity's) zero-based index
 *
 * Everything a client gets about one entity before the stream: the
 * `patient` message, then its chart as `record` messages, then for a CGM
 * patient the sensor's history as `samples`. None has a sequence number:
 * they are idempotent updates that every connection gets again.
 *
 * Returns: (transfer full) (element-type utf8): the messages, maybe none
 */
GPtrArray *
tw_feed_message_announce_all (const TwFeedParams *params,
                              guint               index)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(TwFeedChart) chart = NULL;
  char *patient;

  g_return_val_if_fail (params != NULL && index < params->patients, out);

  patient = tw_feed_message_announce (params, index);
  if (patient == NULL)
    return out;
  g_ptr_array_add (out, patient);
  chart = tw_feed_chart_new (params, index);
  for (guint i = 0; i < chart->records->len; i++)
    g_ptr_array_add (out, tw_feed_chart_record_message (&g_array_index (chart->records,
                                                                        TwClinicalRecord, i)));
  tw_feed_chart_backfill (params, index, out);
  return out;
}

/* Returns: (transfer full): the `end` message after the last sequence @seq */
char *
tw_feed_message_end (guint64 seq)
{
  return g_strdup_printf ("{\"v\":%d,\"type\":\"end\",\"seq\":%" G_GUINT64_FORMAT "}",
                          TW_FEED_FORMAT_VERSION, seq);
}
