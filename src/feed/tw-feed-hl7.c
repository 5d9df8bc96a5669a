#include "tw-feed-hl7.h"

#include <string.h>

#include "tw-feed-chart.h"
#include "tw-feed-physiology.h"
#include "tw-feed-scenario.h"
#include "tw-time.h"

/* HL7 v2.6, original acknowledgement mode, UTF-8 (patient names are not
 * all ASCII). Segments end in CR. */
#define MSH_FIELDS_BEFORE_TIME "MSH|^~\\&|" TW_FEED_HL7_SENDER "|SIMULATOR|TIDEWATCH|ICU|"
#define MSH_FIELDS_AFTER_ID    "|P|2.6|||||UNICODE UTF-8\r"
#define SEGMENT_END            "\r"

/* HL7 DTM carries at most four digits after the second. */
#define TS_FRACTION_DIGITS_DIVISOR 100

/* IHE PCD-01: the order every device observation hangs off. */
#define OBR_MONITORING "182777000^monitoring of patient^SCT"
/* OBX-11 "R": results entered, not verified — what a monitor sends. */
#define OBX_STATUS "R"

/* Patient identifiers: PID-3 repeats the stream's id (the key) and the
 * medical record number. */
#define ID_AUTHORITY  "TIDEWATCH-FEED"
#define MRN_AUTHORITY "HOSPITAL"

typedef struct
{
  const char *observation;  /* OBX-3: IEEE 11073 MDC code^reference id^MDC */
  const char *unit;         /* OBX-6: MDC unit code^reference id^MDC */
} Observation;

/* DOMAIN.md "Interfaces": the vital signs as a bedside monitor reports them. */
static const Observation heart_rate = {
  "147842^MDC_ECG_HEART_RATE^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC" };
static const Observation resp_rate = {
  "151562^MDC_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC" };
static const Observation spo2 = {
  "150456^MDC_PULS_OXIM_SAT_O2^MDC", "262688^MDC_DIM_PERCENT^MDC" };
static const Observation systolic = {
  "150033^MDC_PRESS_BLD_ART_SYS^MDC", "266016^MDC_DIM_MMHG^MDC" };
static const Observation diastolic = {
  "150034^MDC_PRESS_BLD_ART_DIA^MDC", "266016^MDC_DIM_MMHG^MDC" };
static const Observation temperature = {
  "150364^MDC_TEMP_BODY^MDC", "268192^MDC_DIM_DEGC^MDC" };
static const Observation mean_pressure = {
  "150035^MDC_PRESS_BLD_ART_MEAN^MDC", "266016^MDC_DIM_MMHG^MDC" };
static const Observation glucose = {
  "160020^MDC_CONC_GLU_GEN^MDC", "264274^MDC_DIM_MILLI_G_PER_DL^MDC" };

/* A scenario's metrics (catalogue codes) as observations. */
static const struct
{
  const char        *metric;
  const Observation *observation;
} scenario_observations[] = {
  { "hr", &heart_rate }, { "rr", &resp_rate }, { "spo2", &spo2 }, { "sbp", &systolic },
  { "dbp", &diastolic }, { "temp", &temperature }, { "map", &mean_pressure },
  { "glucose", &glucose },
};

/* Room for every metric a patient of a scenario can have. */
#define MAX_SCENARIO_VALUES 32

/**
 * tw_feed_hl7_format_ts:
 * @usec: µs since the epoch, UTC
 *
 * Returns: (transfer full): "YYYYMMDDHHMMSS.SSSS+0000", an HL7 DTM with
 *   its zone (to 100 µs, the finest HL7 allows)
 */
char *
tw_feed_hl7_format_ts (gint64 usec)
{
  gint64 seconds = usec / TW_USEC_PER_SEC;
  gint64 fraction = usec % TW_USEC_PER_SEC;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *whole = NULL;

  if (fraction < 0)
    {
      fraction += TW_USEC_PER_SEC;
      seconds--;
    }
  dt = g_date_time_new_from_unix_utc (seconds);
  g_return_val_if_fail (dt != NULL, NULL);
  whole = g_date_time_format (dt, "%Y%m%d%H%M%S");
  return g_strdup_printf ("%s.%04d+0000", whole,
                          (int) (fraction / TS_FRACTION_DIGITS_DIVISOR));
}

/* HL7 escapes for the delimiters, should a name ever contain one. */
static void
append_text (GString    *out,
             const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '|':  g_string_append (out, "\\F\\"); break;
        case '^':  g_string_append (out, "\\S\\"); break;
        case '&':  g_string_append (out, "\\T\\"); break;
        case '~':  g_string_append (out, "\\R\\"); break;
        case '\\': g_string_append (out, "\\E\\"); break;
        default:   g_string_append_c (out, *p); break;
        }
    }
}

static void
append_msh (GString    *out,
            gint64      usec,
            const char *type,
            const char *control_id)
{
  g_autofree char *ts = tw_feed_hl7_format_ts (usec);

  g_string_append_printf (out, MSH_FIELDS_BEFORE_TIME "%s||%s|%s" MSH_FIELDS_AFTER_ID,
                          ts, type, control_id);
}

/* PID with the identity, PV1 with the bed: the same in ADT and ORU, so
 * each message alone is enough to file its data. */
static void
append_patient (GString             *out,
                const TwFeedPatient *patient)
{
  const char *space = strchr (patient->name, ' ');
  g_autofree char *given = space != NULL ? g_strndup (patient->name, space - patient->name)
                                         : g_strdup (patient->name);
  const char *family = space != NULL ? space + 1 : "";

  g_string_append (out, "PID|1||");
  append_text (out, patient->id);
  g_string_append (out, "^^^" ID_AUTHORITY "^PI~");
  append_text (out, patient->mrn);
  g_string_append (out, "^^^" MRN_AUTHORITY "^MR||");
  append_text (out, family);
  g_string_append_c (out, '^');
  append_text (out, given);
  g_string_append (out, SEGMENT_END "PV1|1|I|");
  /* PV1-3 point of care^room^bed: the receiver takes the ward as the
   * patient's group and stores "ward-bed" as the location. */
  if (patient->ward != NULL)
    {
      append_text (out, patient->ward);
      g_string_append_printf (out, "^^%02u", patient->bed_number);
    }
  else
    {
      append_text (out, patient->bed);
    }
  g_string_append (out, SEGMENT_END);
}

static void
append_obx (GString           *out,
            guint              set_id,
            const Observation *observation,
            const char        *value,
            const char        *ts)
{
  g_string_append_printf (out, "OBX|%u|NM|%s||%s|%s|||||" OBX_STATUS "|||%s" SEGMENT_END,
                          set_id, observation->observation, value, observation->unit, ts);
}

static void
append_int_obx (GString           *out,
                guint              set_id,
                const Observation *observation,
                int                number,
                const char        *ts)
{
  char value[G_ASCII_DTOSTR_BUF_SIZE];

  g_snprintf (value, sizeof value, "%d", number);
  append_obx (out, set_id, observation, value, ts);
}

/* The same numbers as the scenario's JSON message, one OBX each. */
static void
append_scenario_obx (GString            *out,
                     const TwFeedParams *params,
                     guint64             seq,
                     const char         *ts)
{
  const char *metrics[MAX_SCENARIO_VALUES];
  char *texts[MAX_SCENARIO_VALUES];
  guint n = tw_feed_scenario_values (params->scenario, params, seq, metrics, texts,
                                     MAX_SCENARIO_VALUES);
  guint set_id = 1;

  for (guint i = 0; i < n; i++)
    {
      for (guint j = 0; j < G_N_ELEMENTS (scenario_observations); j++)
        if (g_str_equal (scenario_observations[j].metric, metrics[i]))
          append_obx (out, set_id++, scenario_observations[j].observation, texts[i], ts);
      g_free (texts[i]);
    }
}

/**
 * tw_feed_hl7_oru_id:
 * Returns: (transfer full): MSH-10 of the ORU^R01 for @seq; the same for
 *   every resend, so a receiver can tell a resend from a new message
 */
char *
tw_feed_hl7_oru_id (const TwFeedParams *params,
                    guint64             seq)
{
  return g_strdup_printf ("F%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, params->seed, seq);
}

/* Returns: (transfer full): MSH-10 of the ADT^A01 admitting @patient */
char *
tw_feed_hl7_adt_id (const TwFeedParams  *params,
                    const TwFeedPatient *patient)
{
  return g_strdup_printf ("F%" G_GUINT64_FORMAT "-A-%s", params->seed, patient->id);
}

/**
 * tw_feed_hl7_oru:
 * @params: the feed's parameters
 * @patient: the patient @seq belongs to (tw_feed_params_seq_patient())
 * @seq: a sequence number (≥ 1)
 *
 * The vitals message @seq as an IHE PCD-01 style ORU^R01: one OBX per
 * measurement with IEEE 11073 MDC codes and units, the event time in
 * OBR-7 and OBX-14. The values are those of the native JSON message.
 *
 * Returns: (transfer full): the message, segments ended by CR
 */
char *
tw_feed_hl7_oru (const TwFeedParams  *params,
                 const TwFeedPatient *patient,
                 guint64              seq)
{
  GString *out = g_string_new (NULL);
  g_autofree char *control_id = NULL;
  g_autofree char *ts = NULL;
  char value[G_ASCII_DTOSTR_BUF_SIZE];
  TwFeedVitals vitals;
  gint64 usec;
  guint set_id = 1;
  int glucose_mg_dl;

  g_return_val_if_fail (params != NULL && patient != NULL && seq >= TW_FEED_FIRST_SEQ, NULL);

  if (params->scenario == NULL)
    tw_feed_physiology_compute (params, seq, &vitals);
  usec = tw_feed_params_seq_time (params, seq);
  ts = tw_feed_hl7_format_ts (usec);
  control_id = tw_feed_hl7_oru_id (params, seq);

  append_msh (out, usec, "ORU^R01^ORU_R01", control_id);
  append_patient (out, patient);
  g_string_append_printf (out, "OBR|1|||" OBR_MONITORING "|||%s" SEGMENT_END, ts);

  if (params->scenario != NULL)
    {
      append_scenario_obx (out, params, seq, ts);
      return g_string_free (out, FALSE);
    }
  append_int_obx (out, set_id++, &heart_rate, vitals.hr, ts);
  append_int_obx (out, set_id++, &resp_rate, vitals.rr, ts);
  append_int_obx (out, set_id++, &spo2, vitals.spo2, ts);
  append_int_obx (out, set_id++, &systolic, vitals.sbp, ts);
  append_int_obx (out, set_id++, &diastolic, vitals.dbp, ts);
  g_snprintf (value, sizeof value, "%d.%d", vitals.temp_tenths / TW_FEED_TEMP_TENTHS,
              vitals.temp_tenths % TW_FEED_TEMP_TENTHS);
  append_obx (out, set_id++, &temperature, value, ts);
  /* A CGM patient's sensor reading, every five minutes as in the JSON. */
  if (tw_feed_chart_glucose_due (params, seq, &glucose_mg_dl))
    append_int_obx (out, set_id, &glucose, glucose_mg_dl, ts);

  return g_string_free (out, FALSE);
}

/* Appends |value to reach field @n of a segment now at field @*at. */
static void
append_field (GString    *out,
              guint      *at,
              guint       n,
              const char *value)
{
  for (; *at < n; (*at)++)
    g_string_append_c (out, '|');
  append_text (out, value);
}

/* "CODE^text^system" of a coded element; a missing code leaves it empty. */
static void
append_coded (GString    *out,
              const char *code,
              const char *text,
              const char *system)
{
  append_text (out, code != NULL ? code : "");
  g_string_append_c (out, '^');
  append_text (out, text != NULL ? text : "");
  if (code != NULL)
    g_string_append_printf (out, "^%s", system);
}

static const char *
hl7_severity (const char *severity)
{
  if (g_strcmp0 (severity, "severe") == 0)
    return "SV";
  if (g_strcmp0 (severity, "moderate") == 0)
    return "MO";
  if (g_strcmp0 (severity, "mild") == 0)
    return "MI";
  return "U";
}

/* The chart in ADT segments: PID-7/8 are added to the PID already written,
 * then DG1 for the diagnoses (ICD-10, "I10" in HL7 table 0396), AL1 for the
 * allergies, PR1 for the treatments. Prescriptions and history have no
 * place in an ADT message; the native JSON stream carries them. */
static void
append_chart (GString           *out,
              const TwFeedChart *chart)
{
  guint n_dg1 = 0, n_al1 = 0, n_pr1 = 0;

  for (guint i = 0; i < chart->records->len; i++)
    {
      const TwClinicalRecord *r = &g_array_index (chart->records, TwClinicalRecord, i);
      g_autofree char *ts = r->ts != 0 ? tw_feed_hl7_format_ts (r->ts) : g_strdup ("");

      switch (r->kind)
        {
        case TW_CLINICAL_DIAGNOSIS:
          g_string_append_printf (out, "DG1|%u|I10|", ++n_dg1);
          append_coded (out, r->code, r->text, "I10");
          g_string_append_printf (out, "||%s|W" SEGMENT_END, ts);
          break;
        case TW_CLINICAL_ALLERGY:
          g_string_append_printf (out, "AL1|%u|%s|", ++n_al1, r->code != NULL ? "DA" : "MA");
          append_coded (out, r->code, r->text, "WHOATC");
          g_string_append_printf (out, "|%s|", hl7_severity (r->status));
          append_text (out, r->detail != NULL ? r->detail : "");
          g_string_append_printf (out, "|%.8s" SEGMENT_END, ts);
          break;
        case TW_CLINICAL_TREATMENT:
          g_string_append_printf (out, "PR1|%u||", ++n_pr1);
          append_coded (out, r->code, r->text, "I10P");
          g_string_append_printf (out, "||%s" SEGMENT_END, ts);
          break;
        case TW_CLINICAL_DEMOGRAPHICS:
        case TW_CLINICAL_ADMISSION:
        case TW_CLINICAL_TRANSFER:
        case TW_CLINICAL_DISCHARGE:
        case TW_CLINICAL_PRESCRIPTION:
        case TW_CLINICAL_HISTORY:
        case TW_CLINICAL_N_KINDS:
        default:
          break;
        }
    }
}

/**
 * tw_feed_hl7_adt_a01:
 * @params: the feed's parameters
 * @patient: a simulated patient
 *
 * Returns: (transfer full): the ADT^A01 admitting @patient to its bed with
 *   its chart (birth date, sex, visit number, admit time, DG1, AL1, PR1),
 *   sent at the start of the stream
 */
char *
tw_feed_hl7_adt_a01 (const TwFeedParams  *params,
                     const TwFeedPatient *patient)
{
  GString *out = g_string_new (NULL);
  g_autoptr(TwFeedChart) chart = NULL;
  g_autoptr(GString) patient_segments = g_string_new (NULL);
  g_autofree char *control_id = NULL;
  g_autofree char *ts = NULL;
  const TwClinicalRecord *demographics;
  const TwClinicalRecord *admission;
  const char *pv1;
  guint index;

  g_return_val_if_fail (params != NULL && patient != NULL, NULL);

  for (index = 0; index < params->patients; index++)
    {
      g_autoptr(TwFeedPatient) other = tw_feed_patient_new (params, index);

      if (g_str_equal (other->id, patient->id))
        break;
    }
  chart = tw_feed_chart_new (params, MIN (index, params->patients - 1));
  demographics = tw_feed_chart_find (chart, TW_CLINICAL_DEMOGRAPHICS);
  admission = tw_feed_chart_find (chart, TW_CLINICAL_ADMISSION);

  ts = tw_feed_hl7_format_ts (params->start_usec);
  control_id = tw_feed_hl7_adt_id (params, patient);
  append_msh (out, params->start_usec, "ADT^A01^ADT_A01", control_id);
  g_string_append_printf (out, "EVN|A01|%s" SEGMENT_END, ts);

  /* PID as in every message, with PID-7 birth date and PID-8 sex. */
  append_patient (patient_segments, patient);
  pv1 = strstr (patient_segments->str, SEGMENT_END "PV1|");
  g_string_append_len (out, patient_segments->str, pv1 - patient_segments->str);
  if (demographics != NULL)
    {
      g_autofree char *birth = demographics->birth_date != NULL
                               ? g_strdup (demographics->birth_date) : g_strdup ("");
      guint at = 5;  /* append_patient ended with PID-5, the name */

      /* "1948-03-12" → "19480312" */
      for (char *p = birth, *q = birth; ; p++)
        if (*p != '-' && (*q++ = *p) == '\0')
          break;
      append_field (out, &at, 7, birth);
      append_field (out, &at, 8, demographics->sex == NULL ? ""
                                 : g_str_equal (demographics->sex, "female") ? "F"
                                 : g_str_equal (demographics->sex, "male") ? "M" : "U");
    }
  /* PV1 with PV1-19 visit number and PV1-44 admit time. */
  g_string_append_len (out, pv1, strlen (pv1) - strlen (SEGMENT_END));
  if (admission != NULL)
    {
      g_autofree char *admitted = tw_feed_hl7_format_ts (admission->ts);
      guint at = 3;

      append_field (out, &at, 19, admission->ref);
      append_field (out, &at, 44, admitted);
    }
  g_string_append (out, SEGMENT_END);
  append_chart (out, chart);
  return g_string_free (out, FALSE);
}
