#include <string.h>

#include "tw-clinical-ingest.h"
#include "tw-codec.h"
#include "tw-hl7-adt.h"
#include "tw-hl7-codec.h"

/* HL7 v2 segments that carry a patient's chart, as ADT^A01/A02/A03/A04/A08
 * and RDE^O11 send them:
 *   PID-7 birth date, PID-8 administrative sex (table 0001) → demographics
 *   PV1-3 ward^room^bed, PV1-19 visit number, PV1-44/45 admit/discharge time
 *   EVN-2 recorded, EVN-6 event occurred (the movement's time when PV1
 *     has none)
 *   DG1-3 ICD-10 code^text, DG1-5 date, DG1-6 type → diagnosis
 *   AL1-2 type, AL1-3 code^text, AL1-4 severity, AL1-5 reaction, AL1-6 date
 *   PR1-3 code^text, PR1-5 date → treatment
 *   ORC-1 order control, ORC-2 placer number, RXE-2 give code^text,
 *     RXE-3 amount, RXE-5 units, RXR-1 route, TQ1-3 repeat, TQ1-7/8 start
 *     and end → prescription
 * Each record's ref is stable for a resend: an identifier the sender
 * gives (PV1-19, DG1-20, ORC-2), or the visit number (else MSH-10) with the
 * segment and its set id. */

#define DATE_ONLY_DIGITS 8

typedef struct
{
  TwBatch            *batch;
  const TwHl7Message *msg;
  const char         *patient;
  GString            *problems;
  char               *control_id;   /* MSH-10 */
  char               *visit;        /* PV1-19, NULL when absent */
  gint64              message_ts;   /* MSH-7, 0 when absent */
  guint               n_records;
} Adt;

/* PV1-3 "ward^room^bed" → "ward-room-bed", leaving out empty parts. */
char *
tw_hl7_location_of (const TwHl7Message *msg,
                    const TwHl7Segment *pv1)
{
  g_autoptr(GString) location = g_string_new (NULL);

  for (guint comp = 1; pv1 != NULL && comp <= 3; comp++)
    {
      g_autofree char *part = tw_hl7_field_text (msg, pv1, 3, comp);

      if (tw_hl7_has_value (part))
        g_string_append_printf (location, "%s%s", location->len > 0 ? "-" : "", part);
    }
  return location->len > 0 ? g_string_free (g_steal_pointer (&location), FALSE) : NULL;
}

static const TwHl7Segment *
find (const TwHl7Message *msg,
      const char         *id)
{
  for (guint i = 1; i < msg->segments->len; i++)
    if (tw_hl7_segment_is (tw_hl7_segment_at (msg, i), id))
      return tw_hl7_segment_at (msg, i);
  return NULL;
}

static char *
text_or_null (const TwHl7Message *msg,
              const TwHl7Segment *segment,
              guint               field,
              guint               comp)
{
  g_autofree char *text = segment != NULL ? tw_hl7_field_text (msg, segment, field, comp) : NULL;

  return tw_hl7_has_value (text) ? g_steal_pointer (&text) : NULL;
}

/* A clinical date or time: "YYYYMMDD" is that day (00:00 UTC: a day has no
 * zone); anything with a clock time needs its zone, as everywhere.
 * Returns: FALSE (and a problem) when @text is there but unreadable; @out
 *   is 0 when it is absent */
static gboolean
clinical_time (Adt        *adt,
               const char *label,
               const char *text,
               gint64     *out)
{
  *out = 0;
  if (!tw_hl7_has_value (text))
    return TRUE;
  if (strlen (text) == DATE_ONLY_DIGITS)
    {
      g_autofree char *stamp = g_strdup_printf ("%s0000+0000", text);

      if (tw_hl7_parse_ts (stamp, out))
        return TRUE;
    }
  else if (tw_hl7_parse_ts (text, out))
    {
      return TRUE;
    }
  tw_codec_add_problem (adt->problems, "%s \u2018%.*s\u2019 is not an HL7 date (YYYYMMDD) or a "
                        "time with a zone (YYYYMMDDHHMM[SS]\u00b1ZZZZ)", label,
                        TW_HL7_MAX_QUOTED_CHARS, text);
  return FALSE;
}

static void
add (Adt              *adt,
     const char       *label,
     TwClinicalRecord *record)
{
  g_autofree char *problem = NULL;

  record->entity = adt->patient;
  problem = tw_clinical_record_check (record);
  if (problem != NULL)
    {
      tw_codec_add_problem (adt->problems, "%s: %s", label, problem);
      return;
    }
  tw_batch_add_record (adt->batch, record);
  adt->n_records++;
}

static char *
segment_ref (Adt                *adt,
             const TwHl7Segment *segment,
             const char         *id)
{
  g_autofree char *set_id = tw_hl7_field_text (adt->msg, segment, 1, 1);

  /* Within a visit, an A08 that resends the list with the same set ids
   * replaces it; without a visit number only a resent message does. */
  return g_strdup_printf ("%.40s-%s-%s", adt->visit != NULL ? adt->visit : adt->control_id, id,
                          tw_hl7_has_value (set_id) ? set_id : "1");
}

static char *
segment_label (Adt                *adt,
               const TwHl7Segment *segment,
               const char         *id)
{
  g_autofree char *set_id = tw_hl7_field_text (adt->msg, segment, 1, 1);

  return g_strdup_printf ("%s %s", id, tw_hl7_has_value (set_id) ? set_id : "?");
}

static void
add_demographics (Adt                *adt,
                  const TwHl7Segment *pid)
{
  g_autofree char *birth = text_or_null (adt->msg, pid, 7, 1);
  g_autofree char *sex_code = text_or_null (adt->msg, pid, 8, 1);
  g_autofree char *birth_date = NULL;
  g_autofree char *sex = NULL;
  TwClinicalRecord record = { .kind = TW_CLINICAL_DEMOGRAPHICS, .ref = "PID" };

  if (birth == NULL && sex_code == NULL)
    return;
  if (birth != NULL)
    {
      /* PID-7 is a DTM; the day is what matters, a time of birth is noise. */
      gboolean digits = strlen (birth) >= DATE_ONLY_DIGITS;

      for (guint i = 0; digits && i < DATE_ONLY_DIGITS; i++)
        digits = g_ascii_isdigit (birth[i]);
      if (!digits)
        {
          tw_codec_add_problem (adt->problems, "PID-7 (birth date) \u2018%.*s\u2019 is not "
                                "YYYYMMDD", TW_HL7_MAX_QUOTED_CHARS, birth);
          return;
        }
      birth_date = g_strdup_printf ("%.4s-%.2s-%.2s", birth, birth + 4, birth + 6);
    }
  if (sex_code != NULL && (sex = tw_clinical_sex_from_code (sex_code)) == NULL)
    {
      tw_codec_add_problem (adt->problems, "PID-8 (administrative sex) \u2018%.*s\u2019 is not "
                            "F, M, O, U, A or N", TW_HL7_MAX_QUOTED_CHARS, sex_code);
      return;
    }
  record.birth_date = birth_date;
  record.sex = sex;
  add (adt, "PID", &record);
}

/* The time of the movement: PV1-44/45 for admission and discharge, else
 * when the event occurred (EVN-6), was recorded (EVN-2) or was sent. */
static gboolean
movement_time (Adt                *adt,
               const TwHl7Segment *pv1,
               guint               pv1_field,
               gint64             *out)
{
  const TwHl7Segment *evn = find (adt->msg, "EVN");
  struct { const TwHl7Segment *segment; guint field; const char *label; } sources[] = {
    { pv1, pv1_field, pv1_field == 44 ? "PV1-44 (admit time)" : "PV1-45 (discharge time)" },
    { evn, 6, "EVN-6 (event occurred)" },
    { evn, 2, "EVN-2 (recorded time)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autofree char *text = text_or_null (adt->msg, sources[i].segment, sources[i].field, 1);

      if (pv1_field == 0 && i == 0)
        continue;
      if (text == NULL)
        continue;
      return clinical_time (adt, sources[i].label, text, out);
    }
  *out = adt->message_ts;
  return TRUE;
}

static void
add_movement (Adt                *adt,
              const char         *trigger,
              const TwHl7Segment *pv1)
{
  g_autofree char *ward = text_or_null (adt->msg, pv1, 3, 1);
  g_autofree char *bed = tw_hl7_location_of (adt->msg, pv1);
  g_autofree char *visit = text_or_null (adt->msg, pv1, 19, 1);
  g_autofree char *ref = NULL;
  TwClinicalRecord record = { 0 };
  guint time_field = 0;

  if (g_str_equal (trigger, "A01"))
    {
      record.kind = TW_CLINICAL_ADMISSION;
      time_field = 44;
    }
  else if (g_str_equal (trigger, "A02"))
    {
      record.kind = TW_CLINICAL_TRANSFER;
    }
  else if (g_str_equal (trigger, "A03"))
    {
      record.kind = TW_CLINICAL_DISCHARGE;
      time_field = 45;
    }
  else
    {
      return;  /* A04 registers, A08 updates: no movement */
    }
  /* An admission with no point of care (no PV1-3) says nothing about a
   * stay the store could show; the patient is filed all the same. */
  if (record.kind == TW_CLINICAL_ADMISSION && ward == NULL && bed == NULL)
    return;
  if (!movement_time (adt, pv1, time_field, &record.ts))
    return;
  /* One admission per visit; a transfer is its own event. */
  if (record.kind == TW_CLINICAL_ADMISSION && visit != NULL)
    ref = g_strdup (visit);
  else if (record.kind == TW_CLINICAL_DISCHARGE && visit != NULL)
    ref = g_strdup_printf ("%.60s-A03", visit);
  else
    ref = g_strdup_printf ("%.40s-%s", adt->control_id, trigger);
  record.ref = ref;
  if (record.kind != TW_CLINICAL_DISCHARGE)
    {
      record.ward = ward;
      record.bed = bed;
    }
  add (adt, pv1 != NULL ? "PV1" : "EVN", &record);
}

static void
add_coded (Adt                *adt,
           const TwHl7Segment *segment,
           const char         *id,
           TwClinicalKind      kind,
           guint               code_field,
           guint               time_field,
           guint               ref_field)
{
  g_autofree char *label = segment_label (adt, segment, id);
  g_autofree char *code = text_or_null (adt->msg, segment, code_field, 1);
  g_autofree char *text = text_or_null (adt->msg, segment, code_field, 2);
  g_autofree char *when = text_or_null (adt->msg, segment, time_field, 1);
  g_autofree char *given_ref = ref_field > 0 ? text_or_null (adt->msg, segment, ref_field, 1)
                                             : NULL;
  g_autofree char *ref = given_ref != NULL ? g_strdup (given_ref)
                                           : segment_ref (adt, segment, id);
  g_autofree char *time_label = g_strdup_printf ("%s: %s-%u", label, id, time_field);
  g_autofree char *detail = NULL;
  g_autofree char *status = NULL;
  TwClinicalRecord record = { .kind = kind, .ref = ref, .code = code, .text = text };

  if (!clinical_time (adt, time_label, when, &record.ts))
    return;

  if (kind == TW_CLINICAL_ALLERGY)
    {
      /* AL1-4 severity (table 0128), AL1-5 reaction, AL1-2 type (0127). */
      static const struct { const char *code; const char *text; } severities[] = {
        { "SV", "severe" }, { "MO", "moderate" }, { "MI", "mild" }, { "U", "unknown" },
      };
      static const struct { const char *code; const char *text; } types[] = {
        { "DA", "drug allergy" }, { "FA", "food allergy" }, { "EA", "environmental allergy" },
        { "MA", "miscellaneous allergy" }, { "MC", "miscellaneous contraindication" },
        { "LA", "pollen allergy" }, { "AA", "animal allergy" }, { "PA", "plant allergy" },
      };
      g_autofree char *severity = text_or_null (adt->msg, segment, 4, 1);
      g_autofree char *reaction = text_or_null (adt->msg, segment, 5, 1);
      g_autofree char *type = text_or_null (adt->msg, segment, 2, 1);
      const char *type_text = NULL;

      for (guint i = 0; severity != NULL && i < G_N_ELEMENTS (severities); i++)
        if (g_str_equal (severity, severities[i].code))
          status = g_strdup (severities[i].text);
      if (severity != NULL && status == NULL)
        status = g_strdup (severity);
      for (guint i = 0; type != NULL && i < G_N_ELEMENTS (types); i++)
        if (g_str_equal (type, types[i].code))
          type_text = types[i].text;
      if (reaction != NULL && type_text != NULL)
        detail = g_strdup_printf ("%s (%s)", reaction, type_text);
      else
        detail = g_strdup (reaction != NULL ? reaction : type_text);
    }
  else if (kind == TW_CLINICAL_DIAGNOSIS)
    {
      status = g_strdup ("active");
    }
  record.detail = detail;
  record.status = status;
  add (adt, label, &record);
}

static void
adt_init (Adt                *adt,
          TwBatch            *batch,
          const TwHl7Message *msg,
          const char         *patient,
          GString            *problems)
{
  const TwHl7Segment *msh = tw_hl7_segment_at (msg, 0);
  g_autofree char *sent = tw_hl7_field_text (msg, msh, 7, 1);

  adt->batch = batch;
  adt->msg = msg;
  adt->patient = patient;
  adt->problems = problems;
  adt->control_id = tw_hl7_field_text (msg, msh, 10, 1);
  if (!tw_hl7_has_value (adt->control_id))
    {
      g_free (adt->control_id);
      adt->control_id = g_strdup ("MSH");
    }
  adt->visit = text_or_null (msg, find (msg, "PV1"), 19, 1);
  adt->message_ts = 0;
  if (tw_hl7_has_value (sent))
    tw_hl7_parse_ts (sent, &adt->message_ts);
  adt->n_records = 0;
}

/**
 * tw_hl7_adt_add_records:
 * @batch: receives the records
 * @msg: an ADT message
 * @trigger: its trigger event ("A01")
 * @patient: the interned key of its PID's patient
 * @problems: gets what cannot be read
 *
 * Returns: how many records were added
 */
guint
tw_hl7_adt_add_records (TwBatch            *batch,
                        const TwHl7Message *msg,
                        const char         *trigger,
                        const char         *patient,
                        GString            *problems)
{
  Adt adt;

  adt_init (&adt, batch, msg, patient, problems);
  for (guint i = 1; i < msg->segments->len; i++)
    {
      const TwHl7Segment *segment = tw_hl7_segment_at (msg, i);

      if (tw_hl7_segment_is (segment, "PID"))
        add_demographics (&adt, segment);
      else if (tw_hl7_segment_is (segment, "DG1"))
        add_coded (&adt, segment, "DG1", TW_CLINICAL_DIAGNOSIS, 3, 5, 20);
      else if (tw_hl7_segment_is (segment, "AL1"))
        add_coded (&adt, segment, "AL1", TW_CLINICAL_ALLERGY, 3, 6, 0);
      else if (tw_hl7_segment_is (segment, "PR1"))
        add_coded (&adt, segment, "PR1", TW_CLINICAL_TREATMENT, 3, 5, 0);
    }
  add_movement (&adt, trigger, find (msg, "PV1"));
  g_free (adt.control_id);
  g_free (adt.visit);
  return adt.n_records;
}

/* ORC-1 order control (table 0119): what the order's state is now. */
static const char *
order_status (const char *control)
{
  static const struct { const char *code; const char *status; } controls[] = {
    { "NW", "active" }, { "OK", "active" }, { "XO", "active" }, { "RP", "active" },
    { "SC", "active" }, { "DC", "stopped" }, { "OD", "stopped" }, { "CA", "cancelled" },
    { "OC", "cancelled" }, { "HD", "on-hold" }, { "OH", "on-hold" },
  };

  for (guint i = 0; control != NULL && i < G_N_ELEMENTS (controls); i++)
    if (g_str_equal (controls[i].code, control))
      return controls[i].status;
  return "active";
}

/* The RXE/RXR/TQ1 segments that belong to the order starting at @orc. */
static const TwHl7Segment *
order_segment (const TwHl7Message *msg,
               guint               orc_index,
               const char         *id)
{
  for (guint i = orc_index + 1; i < msg->segments->len; i++)
    {
      const TwHl7Segment *segment = tw_hl7_segment_at (msg, i);

      if (tw_hl7_segment_is (segment, "ORC"))
        return NULL;
      if (tw_hl7_segment_is (segment, id))
        return segment;
    }
  return NULL;
}

static void
add_order (Adt  *adt,
           guint orc_index)
{
  const TwHl7Message *msg = adt->msg;
  const TwHl7Segment *orc = tw_hl7_segment_at (msg, orc_index);
  const TwHl7Segment *rxe = order_segment (msg, orc_index, "RXE");
  const TwHl7Segment *rxo = order_segment (msg, orc_index, "RXO");
  const TwHl7Segment *rxr = order_segment (msg, orc_index, "RXR");
  const TwHl7Segment *tq1 = order_segment (msg, orc_index, "TQ1");
  const TwHl7Segment *drug = rxe != NULL ? rxe : rxo;
  /* RXE-2 give code, -3 amount, -5 units; RXO-1 requested give code, -2
   * amount, -4 units. */
  guint code_field = rxe != NULL ? 2 : 1;
  guint amount_field = rxe != NULL ? 3 : 2;
  guint units_field = rxe != NULL ? 5 : 4;
  g_autofree char *control = text_or_null (msg, orc, 1, 1);
  g_autofree char *placer = text_or_null (msg, orc, 2, 1);
  g_autofree char *code = text_or_null (msg, drug, code_field, 1);
  g_autofree char *name = text_or_null (msg, drug, code_field, 2);
  g_autofree char *amount = text_or_null (msg, drug, amount_field, 1);
  g_autofree char *units = text_or_null (msg, drug, units_field, 1);
  g_autofree char *route = text_or_null (msg, rxr, 1, 2);
  g_autofree char *route_code = text_or_null (msg, rxr, 1, 1);
  g_autofree char *repeat = text_or_null (msg, tq1, 3, 1);
  g_autofree char *start = text_or_null (msg, tq1, 7, 1);
  g_autofree char *end = text_or_null (msg, tq1, 8, 1);
  g_autofree char *transaction = text_or_null (msg, orc, 9, 1);
  g_autofree char *ref = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);
  TwClinicalRecord record = { .kind = TW_CLINICAL_PRESCRIPTION };
  const char *parts[] = { amount, units, route != NULL ? route : route_code, repeat };

  if (drug == NULL)
    {
      tw_codec_add_problem (adt->problems, "ORC %s without an RXE or RXO segment",
                            placer != NULL ? placer : "(no placer number)");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i] != NULL)
      g_string_append_printf (detail, "%s%s", detail->len > 0 ? " " : "", parts[i]);
  if (!clinical_time (adt, "TQ1-7 (start)", start, &record.ts)
      || !clinical_time (adt, "TQ1-8 (end)", end, &record.end_ts))
    return;
  if (record.ts == 0 && !clinical_time (adt, "ORC-9 (transaction time)", transaction, &record.ts))
    return;
  if (record.ts == 0)
    record.ts = adt->message_ts;
  ref = placer != NULL ? g_strdup (placer) : segment_ref (adt, drug, rxe != NULL ? "RXE" : "RXO");
  record.ref = ref;
  record.code = code;
  record.text = name;
  record.detail = detail->len > 0 ? detail->str : NULL;
  record.status = order_status (control);
  add (adt, "ORC", &record);
}

/**
 * tw_hl7_rde_add_records:
 * @batch: receives the records
 * @msg: an RDE^O11 (pharmacy encoded order) or OMP^O09 message
 * @patient: the interned key of its PID's patient
 * @problems: gets what cannot be read
 *
 * Returns: how many prescriptions were added
 */
guint
tw_hl7_rde_add_records (TwBatch            *batch,
                        const TwHl7Message *msg,
                        const char         *patient,
                        GString            *problems)
{
  Adt adt;
  guint n_orders = 0;

  adt_init (&adt, batch, msg, patient, problems);
  for (guint i = 1; i < msg->segments->len; i++)
    if (tw_hl7_segment_is (tw_hl7_segment_at (msg, i), "ORC"))
      {
        add_order (&adt, i);
        n_orders++;
      }
  if (n_orders == 0)
    tw_codec_add_problem (problems, "pharmacy order without an ORC segment");
  g_free (adt.control_id);
  g_free (adt.visit);
  return adt.n_records;
}
