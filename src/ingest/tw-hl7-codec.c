#include <string.h>

#include "tw-hl7-codec.h"
#include "tw-codec.h"
#include "tw-hl7-adt.h"
#include "tw-hl7-message.h"
#include "tw-units.h"

/* Admit, transfer, discharge, register, update: all change who and where. */
static const char *adt_triggers[] = { "A01", "A02", "A03", "A04", "A08", NULL };

/* HL7 v2.x messages as IHE PCD-01 devices and ADT feeds send them:
 * ORU^R01 numeric OBX results and ADT^A01/A02/A03 (A04/A08 update identity).
 * Reading the message itself is tw-hl7-message.c; the ACK and batch files
 * are tw-hl7-ack.c. */

#define MAX_KEY_CHARS       64

/* OBX-11: final, corrected, preliminary, results entered (not verified). */
static const char *usable_statuses[] = { "F", "C", "R", "P", NULL };

/* HL7 NM: an optional sign, digits, an optional point. No exponents, no
 * "nan": g_ascii_strtod alone would take them. */
static gboolean
parse_numeric (const char *text,
               double     *out)
{
  const char *p = text;
  guint digits = 0;

  while (*p == ' ')
    p++;
  if (*p == '+' || *p == '-')
    p++;
  for (; g_ascii_isdigit (*p); p++)
    digits++;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      digits++;
  while (*p == ' ')
    p++;
  if (digits == 0 || *p != '\0')
    return FALSE;
  *out = g_ascii_strtod (text, NULL);
  return TRUE;
}

/* OBX-3 is CWE: code^text^system, and an alternate triple in 4–6. */
static const TwMetricInfo *
observation_metric (const TwHl7Message *msg,
                    const char         *raw)
{
  for (guint first = 1; first <= 4; first += 3)
    {
      g_autofree char *code = tw_hl7_component (msg, raw, first);
      g_autofree char *text = tw_hl7_component (msg, raw, first + 1);
      g_autofree char *system = tw_hl7_component (msg, raw, first + 2);
      const TwMetricInfo *metric = NULL;

      if (g_str_equal (system, "LN") || g_str_equal (system, "LOINC"))
        metric = tw_metric_lookup_loinc (code);
      else if (g_str_equal (system, "MDC") || *system == '\0')
        metric = tw_metric_lookup_mdc (tw_hl7_has_value (code) ? code : text);
      if (metric == NULL && g_str_equal (system, "MDC") && tw_hl7_has_value (text))
        metric = tw_metric_lookup_mdc (text);
      if (metric == NULL && *system == '\0' && tw_hl7_has_value (code))
        metric = tw_metric_lookup_loinc (code);
      if (metric != NULL)
        return metric;
    }
  return NULL;
}

/* OBX-6: UCUM by default, IEEE 11073 when the system is MDC. */
static char *
observation_unit (const TwHl7Message *msg,
                  const char         *raw)
{
  g_autofree char *code = tw_hl7_component (msg, raw, 1);
  g_autofree char *text = tw_hl7_component (msg, raw, 2);
  g_autofree char *system = tw_hl7_component (msg, raw, 3);
  const char *ucum = tw_units_from_mdc (code, text);

  if (ucum != NULL)
    return g_strdup (ucum);
  if (g_str_equal (system, "MDC"))
    return g_strdup_printf ("%s^%s^MDC", code, text);
  return g_strdup (tw_hl7_has_value (code) ? code : text);
}

static const char *
status_meaning (const char *status)
{
  static const struct { const char *code; const char *meaning; } statuses[] = {
    { "W", "wrong, replaced" }, { "X", "cannot be obtained" }, { "D", "deleted" },
    { "I", "pending" }, { "N", "not asked" }, { "U", "status unknown" }, { "S", "partial" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (g_str_equal (statuses[i].code, status))
      return statuses[i].meaning;
  return "not a result";
}

typedef struct
{
  TwBatch    *batch;
  TwHl7Message    *msg;
  GString    *problems;
  const char *patient;     /* interned entity key of the current PID, or NULL */
  const char *obr_time;    /* OBR-7 of the current order, raw */
  guint       n_samples;
} OruState;

static void
decode_obx (OruState           *state,
            const TwHl7Segment *obx)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *set_id = tw_hl7_field_text (state->msg, obx, 1, 1);
  g_autofree char *type = tw_hl7_field_text (state->msg, obx, 2, 1);
  g_autofree char *value_text = tw_hl7_field_text (state->msg, obx, 5, 1);
  g_autofree char *status = tw_hl7_field_text (state->msg, obx, 11, 1);
  g_autofree char *unit = NULL;
  g_autofree char *ts_text = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *label = NULL;
  const TwMetricInfo *metric = observation_metric (state->msg, tw_hl7_field (obx, 3));
  double value, converted;
  gint64 ts;

  label = g_strdup_printf ("OBX %s (%s)", tw_hl7_has_value (set_id) ? set_id : "?",
                           metric != NULL ? metric->code : tw_hl7_field (obx, 3));
  /* Device hierarchy rows (MDS, VMD, channel) and text results carry no
   * number: they are not measurements to store. */
  if (!g_str_equal (type, "NM"))
    {
      if (metric != NULL && tw_hl7_has_value (value_text))
        tw_codec_add_problem (state->problems, "%.80s: value type %.8s is not numeric (NM)", label,
                              type);
      return;
    }
  if (metric == NULL)
    {
      tw_codec_add_problem (state->problems, "%.80s: not a known vital sign or glucose code",
                            label);
      return;
    }
  if (state->patient == NULL)
    return;  /* the PID problem is already recorded */
  if (!tw_hl7_has_value (status))
    {
      tw_codec_add_problem (state->problems, "%s: OBX-11 (result status) is empty", label);
      return;
    }
  if (!g_strv_contains (usable_statuses, status))
    {
      tw_codec_add_problem (state->problems, "%s: result status %.8s (%s) \u2014 not stored", label,
                            status, status_meaning (status));
      return;
    }
  if (!parse_numeric (value_text, &value))
    {
      tw_codec_add_problem (state->problems, "%s: OBX-5 \u2018%.*s\u2019 is not a number", label,
                            TW_HL7_MAX_QUOTED_CHARS, value_text);
      return;
    }
  unit = observation_unit (state->msg, tw_hl7_field (obx, 6));
  if (!tw_units_convert (metric, unit, value, &converted, &error))
    {
      tw_codec_add_problem (state->problems, "%s: %s", label, error->message);
      return;
    }
  if ((problem = tw_codec_check_value (state->batch, metric, converted)) != NULL)
    {
      tw_codec_add_problem (state->problems, "%s: %s", label, problem);
      return;
    }

  ts_text = tw_hl7_field_text (state->msg, obx, 14, 1);
  if (!tw_hl7_has_value (ts_text) && state->obr_time != NULL)
    {
      g_free (ts_text);
      ts_text = tw_hl7_component (state->msg, state->obr_time, 1);
    }
  if (!tw_hl7_has_value (ts_text))
    {
      tw_codec_add_problem (state->problems, "%s: no observation time (OBX-14 or OBR-7)", label);
      return;
    }
  if (!tw_hl7_parse_ts (ts_text, &ts))
    {
      tw_codec_add_problem (state->problems, "%s: time \u2018%.*s\u2019 is not an HL7 time with a "
                            "zone (YYYYMMDDHHMM[SS[.S]]\u00b1ZZZZ)", label, TW_HL7_MAX_QUOTED_CHARS,
                            ts_text);
      return;
    }
  if ((problem = tw_codec_check_time (ts, ts_text)) != NULL)
    {
      tw_codec_add_problem (state->problems, "%s: %s", label, problem);
      return;
    }

  tw_batch_add_sample (state->batch, state->patient, metric->code, ts, converted);
  state->n_samples++;
}

/* PV1-3.1, the point of care, is the ward: the patient's group for rule
 * scopes and the console's filter. NULL when absent or not a usable name. */
static char *
group_of (const TwHl7Message *msg,
          const TwHl7Segment *pv1)
{
  g_autofree char *ward = pv1 != NULL ? tw_hl7_field_text (msg, pv1, 3, 1) : NULL;

  if (!tw_hl7_has_value (ward) || g_utf8_strlen (ward, -1) > MAX_KEY_CHARS)
    return NULL;
  return g_steal_pointer (&ward);
}

/* PID-5 "Family^Given^Middle" → "Given Middle Family". */
static char *
name_of (const TwHl7Message *msg,
         const TwHl7Segment *pid)
{
  g_autofree char *family = tw_hl7_field_text (msg, pid, 5, 1);
  g_autofree char *given = tw_hl7_field_text (msg, pid, 5, 2);
  g_autofree char *middle = tw_hl7_field_text (msg, pid, 5, 3);
  g_autoptr(GString) name = g_string_new (NULL);
  const char *parts[] = { given, middle, family };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (tw_hl7_has_value (parts[i]))
      g_string_append_printf (name, "%s%s", name->len > 0 ? " " : "", parts[i]);
  return name->len > 0 ? g_string_free (g_steal_pointer (&name), FALSE) : NULL;
}

/* PID-3 repeats: the first identifier is the key, the one typed MR (CX.5)
 * the medical record number. */
static char *
mrn_of (const TwHl7Message *msg,
        const TwHl7Segment *pid)
{
  g_auto(GStrv) repetitions = NULL;
  char sep[2] = { msg->enc.repetition, '\0' };

  repetitions = g_strsplit (tw_hl7_field (pid, 3), sep, -1);
  for (guint i = 0; repetitions[i] != NULL; i++)
    {
      g_autofree char *type = tw_hl7_component (msg, repetitions[i], 5);

      if (g_str_equal (type, "MR"))
        return tw_hl7_component (msg, repetitions[i], 1);
    }
  return tw_hl7_field_text (msg, pid, 3, 1);
}

static const TwHl7Segment *
find_segment (const TwHl7Message *msg,
              guint               from,
              const char         *id,
              const char         *stop)
{
  for (guint i = from; i < msg->segments->len; i++)
    {
      const TwHl7Segment *segment = tw_hl7_segment_at (msg, i);

      if (tw_hl7_segment_is (segment, id))
        return segment;
      if (stop != NULL && tw_hl7_segment_is (segment, stop))
        return NULL;
    }
  return NULL;
}

/* Adds the patient of @pid with @location; returns its interned key, or
 * NULL (and a problem) when PID-3 names nobody. */
static const char *
add_patient (TwBatch            *batch,
             const TwHl7Message *msg,
             const TwHl7Segment *pid,
             const char         *location,
             const char         *group,
             GString            *problems)
{
  g_autofree char *key = tw_hl7_field_text (msg, pid, 3, 1);
  g_autofree char *name = NULL;
  g_autofree char *mrn = NULL;

  if (!tw_hl7_has_value (key) || g_utf8_strlen (key, -1) > MAX_KEY_CHARS)
    {
      tw_codec_add_problem (problems, "PID-3 (patient identifier) is %s",
                            tw_hl7_has_value (key) ? "longer than 64 characters" : "empty");
      return NULL;
    }
  name = name_of (msg, pid);
  mrn = mrn_of (msg, pid);
  tw_batch_add_entity_in_group (batch, "patient", key, name, tw_hl7_has_value (mrn) ? mrn : NULL,
                                location, group);
  return tw_batch_intern (batch, key);
}

static guint
decode_oru (TwBatch            *batch,
            const TwHl7Message *msg,
            GString            *problems)
{
  OruState state = { batch, (TwHl7Message *) msg, problems, NULL, NULL, 0 };
  gboolean seen_pid = FALSE;

  for (guint i = 1; i < msg->segments->len; i++)
    {
      const TwHl7Segment *segment = tw_hl7_segment_at (msg, i);

      if (tw_hl7_segment_is (segment, "PID"))
        {
          const TwHl7Segment *pv1 = find_segment (msg, i + 1, "PV1", "PID");
          g_autofree char *location = tw_hl7_location_of (msg, pv1);
          g_autofree char *group = group_of (msg, pv1);

          seen_pid = TRUE;
          state.obr_time = NULL;
          state.patient = add_patient (batch, msg, segment, location, group, problems);
        }
      else if (tw_hl7_segment_is (segment, "OBR"))
        {
          state.obr_time = tw_hl7_field (segment, 7);
        }
      else if (tw_hl7_segment_is (segment, "OBX"))
        {
          if (!seen_pid)
            {
              tw_codec_add_problem (problems, "ORU^R01 without a PID segment before its OBX");
              return state.n_samples;
            }
          decode_obx (&state, segment);
        }
    }
  if (!seen_pid)
    tw_codec_add_problem (problems, "ORU^R01 without a PID segment");
  /* The patients are announced either way, but a result message of which
   * no result could be stored is an error for its sender. */
  return state.n_samples;
}

static guint
decode_adt (TwBatch            *batch,
            const TwHl7Message *msg,
            const char         *trigger,
            GString            *problems)
{
  const TwHl7Segment *pid = find_segment (msg, 1, "PID", NULL);
  const TwHl7Segment *pv1 = find_segment (msg, 1, "PV1", NULL);
  g_autofree char *location = tw_hl7_location_of (msg, pv1);
  g_autofree char *group = group_of (msg, pv1);
  const char *patient;

  if (pid == NULL)
    {
      tw_codec_add_problem (problems, "ADT^%s without a PID segment", trigger);
      return 0;
    }
  if (g_str_equal (trigger, "A02") && location == NULL)
    {
      tw_codec_add_problem (problems, "ADT^A02 without the new location (PV1-3)");
      return 0;
    }
  if (g_str_equal (trigger, "A03"))
    {
      g_free (location);
      location = g_strdup (TW_HL7_LOCATION_DISCHARGED);
    }
  patient = add_patient (batch, msg, pid, location, group, problems);
  if (patient == NULL)
    return 0;
  /* The chart: demographics, the movement, DG1, AL1, PR1. */
  return 1 + tw_hl7_adt_add_records (batch, msg, trigger, patient, problems);
}

/* RDE^O11 and OMP^O09: a patient's medication orders. */
static guint
decode_pharmacy (TwBatch            *batch,
                 const TwHl7Message *msg,
                 const char         *type,
                 GString            *problems)
{
  const TwHl7Segment *pid = find_segment (msg, 1, "PID", NULL);
  const char *patient;

  if (pid == NULL)
    {
      tw_codec_add_problem (problems, "%s without a PID segment", type);
      return 0;
    }
  patient = add_patient (batch, msg, pid, NULL, NULL, problems);
  if (patient == NULL)
    return 0;
  return tw_hl7_rde_add_records (batch, msg, patient, problems);
}

static TwDecodeResult decode_message (TwBatch      *batch,
                                      const char   *data,
                                      gsize         len,
                                      TwDecodeInfo *info,
                                      gboolean      in_batch);

static TwDecodeResult
decode_batch_file (TwBatch    *batch,
                   const char *data,
                   gsize       len)
{
  g_autoptr(GPtrArray) messages = tw_hl7_split_batch (data, len);
  gboolean any_ok = FALSE;

  for (guint i = 0; i < messages->len; i++)
    {
      gsize size;
      const char *text = g_bytes_get_data (messages->pdata[i], &size);

      any_ok |= decode_message (batch, text, size, NULL, TRUE) == TW_DECODE_OK;
    }
  if (messages->len == 0)
    return tw_codec_reject (batch, data, len, "HL7 batch without any message");
  return any_ok ? TW_DECODE_OK : TW_DECODE_REJECTED;
}

/**
 * tw_hl7_codec_decode:
 * @batch: receives samples, entities and rejects
 * @data: (array length=len): one HL7 v2 message (a batch file with an
 *   FHS/BHS envelope is decoded message by message)
 * @len: its length in bytes
 * @info: (optional): gets MSH-10 as message id, for the ACK
 *
 * Good OBX values are kept when others of the same message are not; the
 * whole message then also goes to quarantine with every problem named.
 */
TwDecodeResult
tw_hl7_codec_decode (TwBatch      *batch,
                     const char   *data,
                     gsize         len,
                     TwDecodeInfo *info)
{
  g_return_val_if_fail (batch != NULL, TW_DECODE_REJECTED);
  g_return_val_if_fail (data != NULL || len == 0, TW_DECODE_REJECTED);

  return decode_message (batch, data, len, info, FALSE);
}

/* @in_batch: @data came out of a batch file, so another batch header in it
 * is garbage, not a batch to split again. */
static TwDecodeResult
decode_message (TwBatch      *batch,
                const char   *data,
                gsize         len,
                TwDecodeInfo *info,
                gboolean      in_batch)
{
  g_autoptr(TwHl7Message) msg = NULL;
  g_autoptr(GString) problems = NULL;
  g_autofree char *text = NULL;
  g_autofree char *type = NULL;
  g_autofree char *trigger = NULL;
  g_autofree char *control_id = NULL;
  const char *start;
  guint n_stored = 0;

  if (info != NULL)
    info->format = TW_FORMAT_HL7V2;
  if (len > TW_CODEC_MAX_MESSAGE_BYTES)
    return tw_codec_reject (batch, data, len, "HL7 message of %" G_GSIZE_FORMAT " bytes is "
                            "larger than the limit of %d bytes", len, TW_CODEC_MAX_MESSAGE_BYTES);
  text = tw_hl7_to_utf8 (data, len);
  if (text == NULL)
    return tw_codec_reject (batch, data, len, "HL7 message is not valid UTF-8 (and MSH-18 does "
                            "not name ISO 8859-1)");

  start = tw_hl7_skip_blank (text);
  if (!in_batch && (tw_hl7_is_segment_start (start, start + strlen (start), "FHS")
                    || tw_hl7_is_segment_start (start, start + strlen (start), "BHS")))
    return decode_batch_file (batch, data, len);
  if (!tw_hl7_is_segment_start (start, start + strlen (start), "MSH"))
    return tw_codec_reject (batch, data, len, "HL7 message without an MSH segment");

  msg = tw_hl7_message_parse (start, strlen (start));
  if (msg == NULL)
    return tw_codec_reject (batch, data, len, "MSH-1/MSH-2 encoding characters are not valid "
                            "(expected e.g. \u2018|^~\\&\u2019)");

  control_id = tw_hl7_field_text (msg, tw_hl7_segment_at (msg, 0), 10, 1);
  tw_codec_set_message_id (info, control_id);
  type = tw_hl7_field_text (msg, tw_hl7_segment_at (msg, 0), 9, 1);
  trigger = tw_hl7_field_text (msg, tw_hl7_segment_at (msg, 0), 9, 2);

  problems = g_string_new (msg->problems->str);
  if (g_str_equal (type, "ORU") && g_str_equal (trigger, "R01"))
    n_stored = decode_oru (batch, msg, problems);
  else if (g_str_equal (type, "ADT") && g_strv_contains (adt_triggers, trigger))
    n_stored = decode_adt (batch, msg, trigger, problems);
  else if ((g_str_equal (type, "RDE") && g_str_equal (trigger, "O11"))
           || (g_str_equal (type, "OMP") && g_str_equal (trigger, "O09")))
    n_stored = decode_pharmacy (batch, msg, g_str_equal (type, "RDE") ? "RDE^O11" : "OMP^O09",
                                problems);
  else
    return tw_codec_reject (batch, data, len, "HL7 message type %.*s^%.*s is not supported "
                            "(expected ORU^R01, ADT^A01/A02/A03/A04/A08, RDE^O11 or OMP^O09)",
                            TW_HL7_MAX_QUOTED_CHARS, tw_hl7_has_value (type) ? type : "(none)",
                            TW_HL7_MAX_QUOTED_CHARS, trigger);

  if (problems->len == 0)
    return TW_DECODE_OK;
  tw_codec_reject (batch, data, len, "%s%s", problems->str,
                   n_stored > 0 ? " (the other values were stored)" : "");
  return n_stored > 0 ? TW_DECODE_OK : TW_DECODE_REJECTED;
}
