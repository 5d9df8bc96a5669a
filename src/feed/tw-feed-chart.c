#include "tw-feed-chart.h"

#include <math.h>

#include "tw-feed-message.h"
#include "tw-feed-random.h"
#include "tw-feed-scenario.h"
#include "tw-time.h"

/* The demo ward's charts: each patient gets demographics, an admission to
 * its bed, one of a handful of typical inpatient stories (ICD-10 coded
 * diagnoses, ATC coded prescriptions, a history), and for some an allergy.
 * Every choice is a hash of (seed, patient, what), never a running state. */

enum
{
  DRAW_AGE = 0xc4a2000,
  DRAW_BIRTH_DAY,
  DRAW_ADMITTED,
  DRAW_STORY,
  DRAW_ALLERGY,
  DRAW_HISTORY_YEARS,
  DRAW_GLUCOSE_PHASE,
  DRAW_GLUCOSE_PERIOD,
  DRAW_GLUCOSE_MEAL,
  DRAW_GLUCOSE_NOISE,
  DRAW_GLUCOSE_LOW,
  DRAW_GLUCOSE_LOW_DEPTH,
};

#define SECONDS_PER_DAY   86400
#define SECONDS_PER_HOUR  3600
#define DAYS_PER_YEAR     365.25
#define AGE_MIN_YEARS     24
#define AGE_MAX_YEARS     92
#define ADMITTED_MIN_H    6
#define ADMITTED_MAX_H    (5 * 24)
#define HISTORY_MIN_YEARS 2
#define HISTORY_MAX_YEARS 15
/* Every eighth patient wears a CGM (P0008, P0016…): the default ward of
 * eight has one, and small test wards keep to the six vital signs and the
 * two NEWS2 observations. */
#define CGM_EVERY         8
#define CGM_FIRST         7
#define ALLERGY_SHARE     0.4

typedef struct
{
  const char *code;    /* ICD-10 (WHO) or ATC */
  const char *text;
  const char *detail;  /* prescriptions: dose route frequency */
} Fact;

#define MAX_FACTS 3

/* Typical stories of an acute medical ward and an ICU. */
typedef struct
{
  Fact diagnoses[MAX_FACTS];
  Fact history[MAX_FACTS];
  Fact prescriptions[MAX_FACTS];
  Fact treatments[MAX_FACTS];
  gboolean penicillin;   /* gets a penicillin: no penicillin allergy */
} Story;

static const Story stories[] = {
  { .diagnoses = { { "J18.9", "Pneumonia, unspecified organism" } },
    .history = { { "I10", "Essential (primary) hypertension" } },
    .prescriptions = { { "J01CR02", "Amoxicillin and beta-lactamase inhibitor", "1.2 g IV every 8 h" },
                       { "C09AA05", "Ramipril", "5 mg by mouth once daily" } },
    .penicillin = TRUE },
  { .diagnoses = { { "A41.9", "Sepsis, unspecified organism" },
                   { "N39.0", "Urinary tract infection, site not specified" } },
    .history = { { "N18.3", "Chronic kidney disease, stage 3" } },
    .prescriptions = { { "J01DD04", "Ceftriaxone", "2 g IV once daily" } },
    .treatments = { { NULL, "Blood cultures, IV fluid resuscitation 30 mL/kg" } } },
  { .diagnoses = { { "J44.1", "Chronic obstructive pulmonary disease with acute exacerbation, "
                              "unspecified" } },
    .history = { { "I25.1", "Atherosclerotic heart disease" } },
    .prescriptions = { { "H02AB06", "Prednisolone", "40 mg by mouth once daily for 5 days" },
                       { "R03AC02", "Salbutamol", "2.5 mg nebulised every 4 h" } },
    .treatments = { { NULL, "Controlled oxygen therapy, target SpO\u2082 88\u201392 %" } } },
  { .diagnoses = { { "I50.0", "Congestive heart failure" },
                   { "I48.9", "Atrial fibrillation and atrial flutter, unspecified" } },
    .history = { { "E11.9", "Type 2 diabetes mellitus without complications" } },
    .prescriptions = { { "C03CA01", "Furosemide", "40 mg IV twice daily" },
                       { "B01AF02", "Apixaban", "5 mg by mouth twice daily" } } },
  { .diagnoses = { { "S72.0", "Fracture of neck of femur" } },
    .history = { { "M81.9", "Osteoporosis, unspecified" } },
    .prescriptions = { { "B01AB05", "Enoxaparin", "40 mg subcutaneous once daily" },
                       { "N02BE01", "Paracetamol", "1 g by mouth every 6 h" } },
    .treatments = { { NULL, "Hemiarthroplasty of hip" } } },
  { .diagnoses = { { "I21.4", "Acute subendocardial myocardial infarction" },
                   { "E78.0", "Pure hypercholesterolaemia" } },
    .prescriptions = { { "B01AC06", "Acetylsalicylic acid", "75 mg by mouth once daily" },
                       { "C10AA05", "Atorvastatin", "80 mg by mouth at night" } },
    .treatments = { { NULL, "Percutaneous coronary intervention" } } },
  { .diagnoses = { { "I63.9", "Cerebral infarction, unspecified" } },
    .history = { { "I10", "Essential (primary) hypertension" },
                 { "I48.9", "Atrial fibrillation and atrial flutter, unspecified" } },
    .prescriptions = { { "B01AC04", "Clopidogrel", "75 mg by mouth once daily" } } },
};

/* The CGM patients' story: type 1 diabetes on a basal-bolus regimen. */
static const Story diabetes_story = {
  .diagnoses = { { "E10.1", "Type 1 diabetes mellitus with ketoacidosis" },
                 { "E86", "Volume depletion" } },
  .history = { { "E10.9", "Type 1 diabetes mellitus without complications" } },
  .prescriptions = { { "A10AB05", "Insulin aspart", "by sliding scale, subcutaneous with meals" },
                     { "A10AE04", "Insulin glargine", "18 units subcutaneous at night" } },
  .treatments = { { NULL, "Continuous glucose monitoring" } },
};

/* Allergies: code, substance, reaction, severity. */
static const struct
{
  const char *code;
  const char *text;
  const char *reaction;
  const char *severity;
  gboolean    penicillin;
} allergies[] = {
  { "J01C",    "Penicillins",  "Urticaria",            "moderate", TRUE },
  { "J01E",    "Sulfonamides", "Maculopapular rash",   "mild",     FALSE },
  { NULL,      "Latex",        "Contact dermatitis",   "mild",     FALSE },
  { "N02BA01", "Acetylsalicylic acid", "Bronchospasm", "severe",   FALSE },
  { NULL,      "Peanut",       "Anaphylaxis",          "severe",   FALSE },
};

void
tw_feed_chart_add (TwFeedChart            *chart,
                   const TwClinicalRecord *record)
{
  TwClinicalRecord copy = *record;
  const char **fields[] = { &copy.entity, &copy.ref, &copy.code, &copy.text, &copy.detail,
                            &copy.status, &copy.birth_date, &copy.sex, &copy.ward, &copy.bed };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (*fields[i] != NULL)
      *fields[i] = g_string_chunk_insert_const (chart->strings, *fields[i]);
  g_array_append_val (chart->records, copy);
}

const TwClinicalRecord *
tw_feed_chart_find (const TwFeedChart *chart,
                    TwClinicalKind     kind)
{
  for (guint i = 0; i < chart->records->len; i++)
    if (g_array_index (chart->records, TwClinicalRecord, i).kind == kind)
      return &g_array_index (chart->records, TwClinicalRecord, i);
  return NULL;
}

static void
add_facts (TwFeedChart    *chart,
           const char     *id,
           TwClinicalKind  kind,
           const char     *prefix,
           const Fact     *facts,
           gint64          ts,
           const char     *status)
{
  for (guint i = 0; i < MAX_FACTS && (facts[i].code != NULL || facts[i].text != NULL); i++)
    {
      g_autofree char *ref = g_strdup_printf ("%s-%s%u", id, prefix, i + 1);
      TwClinicalRecord record = {
        .kind = kind, .entity = id, .ref = ref, .ts = ts, .code = facts[i].code,
        .text = facts[i].text, .detail = facts[i].detail, .status = status,
      };

      tw_feed_chart_add (chart, &record);
    }
}

/* The default ward's chart of patient @index. */
static void
ward_chart (TwFeedChart        *chart,
            const TwFeedParams *params,
            guint               index)
{
  g_autoptr(TwFeedPatient) patient = tw_feed_patient_new (params, index);
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (params->start_usec
                                                              / TW_USEC_PER_SEC);
  g_autoptr(GDateTime) birth = NULL;
  g_autofree char *birth_date = NULL;
  g_autofree char *admission_ref = g_strdup_printf ("%s-adm", patient->id);
  const Story *story;
  double age = tw_feed_random_range (params->seed, index, 0, DRAW_AGE, AGE_MIN_YEARS,
                                     AGE_MAX_YEARS);
  gint64 admitted = params->start_usec
                    - (gint64) (tw_feed_random_range (params->seed, index, 0, DRAW_ADMITTED,
                                                      ADMITTED_MIN_H, ADMITTED_MAX_H)
                                * SECONDS_PER_HOUR) * TW_USEC_PER_SEC;
  gint64 history_ts;
  TwClinicalRecord demographics = { .kind = TW_CLINICAL_DEMOGRAPHICS, .entity = patient->id,
                                    .ref = "demographics", .sex = patient->sex };
  TwClinicalRecord admission = { .kind = TW_CLINICAL_ADMISSION, .entity = patient->id,
                                 .ref = admission_ref, .ts = admitted, .ward = patient->ward,
                                 .bed = patient->bed, .status = "in-progress" };

  birth = g_date_time_add_days (start, -(int) (age * DAYS_PER_YEAR));
  birth_date = g_date_time_format (birth, "%Y-%m-%d");
  demographics.birth_date = birth_date;
  tw_feed_chart_add (chart, &demographics);
  tw_feed_chart_add (chart, &admission);

  story = tw_feed_chart_has_cgm (params, index)
          ? &diabetes_story
          : &stories[tw_feed_random_hash (params->seed, index, 0, DRAW_STORY)
                     % G_N_ELEMENTS (stories)];
  history_ts = params->start_usec
               - (gint64) (tw_feed_random_range (params->seed, index, 0, DRAW_HISTORY_YEARS,
                                                 HISTORY_MIN_YEARS, HISTORY_MAX_YEARS)
                           * DAYS_PER_YEAR * SECONDS_PER_DAY) * TW_USEC_PER_SEC;
  add_facts (chart, patient->id, TW_CLINICAL_DIAGNOSIS, "dx", story->diagnoses, admitted,
             "active");
  add_facts (chart, patient->id, TW_CLINICAL_HISTORY, "hx", story->history, history_ts,
             "active");
  add_facts (chart, patient->id, TW_CLINICAL_PRESCRIPTION, "rx", story->prescriptions,
             admitted + SECONDS_PER_HOUR * TW_USEC_PER_SEC, "active");

  if (tw_feed_random_uniform (params->seed, index, 0, DRAW_ALLERGY) < ALLERGY_SHARE)
    {
      guint pick = tw_feed_random_hash (params->seed, index, 1, DRAW_ALLERGY)
                   % G_N_ELEMENTS (allergies);
      g_autofree char *ref = g_strdup_printf ("%s-al1", patient->id);
      TwClinicalRecord allergy = { .kind = TW_CLINICAL_ALLERGY, .entity = patient->id,
                                   .ref = ref, .ts = history_ts };

      /* Nobody on the demo ward is given what they are allergic to. */
      if (allergies[pick].penicillin && story->penicillin)
        pick = (pick + 1) % G_N_ELEMENTS (allergies);
      allergy.code = allergies[pick].code;
      allergy.text = allergies[pick].text;
      allergy.detail = allergies[pick].reaction;
      allergy.status = allergies[pick].severity;
      tw_feed_chart_add (chart, &allergy);
    }
  add_facts (chart, patient->id, TW_CLINICAL_TREATMENT, "tx", story->treatments,
             admitted + 2 * SECONDS_PER_HOUR * TW_USEC_PER_SEC, "completed");
}

/**
 * tw_feed_chart_new:
 * @params: the feed's parameters
 * @index: a patient's zero-based index
 *
 * Returns: (transfer full): the chart of that patient (empty for a
 *   scenario's instruments and stores)
 */
TwFeedChart *
tw_feed_chart_new (const TwFeedParams *params,
                   guint               index)
{
  TwFeedChart *chart = g_new0 (TwFeedChart, 1);

  chart->strings = g_string_chunk_new (1024);
  chart->records = g_array_new (FALSE, TRUE, sizeof (TwClinicalRecord));
  if (params->scenario != NULL)
    tw_feed_scenario_chart (params->scenario, params, index, chart);
  else
    ward_chart (chart, params, index);
  return chart;
}

void
tw_feed_chart_free (TwFeedChart *chart)
{
  if (chart == NULL)
    return;
  g_string_chunk_free (chart->strings);
  g_array_unref (chart->records);
  g_free (chart);
}

/* ---- native JSON -------------------------------------------------------- */

static void
append_string (GString    *out,
               const char *member,
               const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (out, ",\"%s\":", member);
  /* Chart texts are ours: no control characters, but quotes may come. */
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_time (GString    *out,
             const char *member,
             gint64      usec)
{
  g_autofree char *text = NULL;

  if (usec == 0)
    return;
  text = tw_time_format_iso8601 (usec);
  g_string_append_printf (out, ",\"%s\":\"%s\"", member, text);
}

/**
 * tw_feed_chart_record_message:
 * @record: one fact of a chart
 *
 * Returns: (transfer full): the native JSON `record` message
 *   (docs/native-json.md) carrying @record
 */
char *
tw_feed_chart_record_message (const TwClinicalRecord *record)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"v\":%d,\"type\":\"record\"", TW_FEED_FORMAT_VERSION);
  append_string (out, "patient", record->entity);
  append_string (out, "kind", tw_clinical_kind_to_string (record->kind));
  append_string (out, "ref", record->ref);
  append_time (out, "ts", record->ts);
  append_time (out, "end_ts", record->end_ts);
  append_string (out, "code", record->code);
  append_string (out, "text", record->text);
  append_string (out, "detail", record->detail);
  append_string (out, "status", record->status);
  append_string (out, "birth_date", record->birth_date);
  append_string (out, "sex", record->sex);
  append_string (out, "ward", record->ward);
  append_string (out, "bed", record->bed);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* ---- continuous glucose ------------------------------------------------- */

gboolean
tw_feed_chart_has_cgm (const TwFeedParams *params,
                       guint               index)
{
  return params->scenario == NULL && index % CGM_EVERY == CGM_FIRST;
}

/* Meals at 07:30, 12:30 and 18:30 UTC: glucose peaks an hour later and
 * settles over the next three. */
static const double meal_hours[] = { 7.5, 12.5, 18.5 };
#define MEAL_RISE_MIN    50.0
#define MEAL_RISE_MAX    95.0
#define GLUCOSE_BASE     135.0
#define DRIFT_AMPLITUDE  18.0
#define DRIFT_PERIOD_MIN 5.0
#define DRIFT_PERIOD_MAX 11.0
#define DAWN_RISE        15.0
#define DAWN_HOUR        5.5
#define DAWN_WIDTH_H     1.0
#define NOISE_SD         4.0
/* Night-time lows: about one night in four, and always two nights before
 * the stream starts, so the AGP and the "very low" share show one. */
#define LOW_SHARE        0.25
#define LOW_HOUR         3.0
#define LOW_WIDTH_H      1.0
#define LOW_DEPTH_MIN    90.0
#define LOW_DEPTH_MAX    112.0
#define LOW_NIGHT_BEFORE 2
#define GLUCOSE_MIN      40
#define GLUCOSE_MAX      400

/**
 * tw_feed_chart_glucose:
 * @params: the feed's parameters
 * @index: a CGM patient's index
 * @slot: a five-minute slot of UTC time (µs / TW_FEED_CGM_INTERVAL_US)
 *
 * Returns: the sensor glucose in mg/dL for @slot: a pure function of the
 *   slot, so the backfill and the live stream join without a seam
 */
int
tw_feed_chart_glucose (const TwFeedParams *params,
                       guint               index,
                       gint64              slot)
{
  gint64 seconds = slot * (TW_FEED_CGM_INTERVAL_US / TW_USEC_PER_SEC);
  gint64 day = seconds / SECONDS_PER_DAY;
  gint64 start_day = params->start_usec / TW_USEC_PER_SEC / SECONDS_PER_DAY;
  double hour = (double) (seconds % SECONDS_PER_DAY) / SECONDS_PER_HOUR;
  double period = tw_feed_random_range (params->seed, index, 0, DRAW_GLUCOSE_PERIOD,
                                        DRIFT_PERIOD_MIN, DRIFT_PERIOD_MAX);
  double phase = tw_feed_random_range (params->seed, index, 0, DRAW_GLUCOSE_PHASE, 0, 2 * G_PI);
  double value = GLUCOSE_BASE
                 + DRIFT_AMPLITUDE * sin (2 * G_PI * seconds / (period * SECONDS_PER_HOUR) + phase)
                 + DAWN_RISE * exp (-pow ((hour - DAWN_HOUR) / DAWN_WIDTH_H, 2));

  for (guint m = 0; m < G_N_ELEMENTS (meal_hours); m++)
    {
      /* x e^(1-x): 0 at the meal, the full rise an hour later, then down. */
      double x = hour - meal_hours[m];
      double rise = tw_feed_random_range (params->seed, index, (guint64) day * 4 + m,
                                          DRAW_GLUCOSE_MEAL, MEAL_RISE_MIN, MEAL_RISE_MAX);

      if (x > 0)
        value += rise * x * exp (1 - x);
    }
  if (day == start_day - LOW_NIGHT_BEFORE
      || tw_feed_random_uniform (params->seed, index, (guint64) day, DRAW_GLUCOSE_LOW) < LOW_SHARE)
    value -= tw_feed_random_range (params->seed, index, (guint64) day, DRAW_GLUCOSE_LOW_DEPTH,
                                   LOW_DEPTH_MIN, LOW_DEPTH_MAX)
             * exp (-pow ((hour - LOW_HOUR) / LOW_WIDTH_H, 2));
  value += NOISE_SD * tw_feed_random_gaussian (params->seed, index, (guint64) slot,
                                               DRAW_GLUCOSE_NOISE);
  return CLAMP ((int) round (value), GLUCOSE_MIN, GLUCOSE_MAX);
}

static gint64
slot_of (gint64 usec)
{
  return usec / TW_FEED_CGM_INTERVAL_US;
}

/**
 * tw_feed_chart_glucose_due:
 * @params: the feed's parameters
 * @seq: a vitals message
 * @out_mg_dl: (out): the reading it carries
 *
 * Returns: whether vitals message @seq carries a CGM reading: its patient
 *   wears a sensor and it is the first tick of a five-minute slot (or the
 *   first of the stream)
 */
gboolean
tw_feed_chart_glucose_due (const TwFeedParams *params,
                           guint64             seq,
                           int                *out_mg_dl)
{
  guint index = tw_feed_params_seq_patient (params, seq);
  gint64 now;

  if (!tw_feed_chart_has_cgm (params, index))
    return FALSE;
  now = tw_feed_params_seq_time (params, seq);
  if (seq > params->patients
      && slot_of (tw_feed_params_seq_time (params, seq - params->patients)) == slot_of (now))
    return FALSE;
  *out_mg_dl = tw_feed_chart_glucose (params, index, slot_of (now));
  return TRUE;
}

/**
 * tw_feed_chart_backfill:
 * @params: the feed's parameters
 * @index: a patient's index
 * @out: gets `samples` messages (without seq: they are history, not the
 *   stream), oldest first
 *
 * The readings a CGM patient's sensor holds from before the stream starts.
 */
void
tw_feed_chart_backfill (const TwFeedParams *params,
                        guint               index,
                        GPtrArray          *out)
{
  g_autoptr(TwFeedPatient) patient = NULL;
  guint days = index == CGM_FIRST ? TW_FEED_CGM_BACKFILL_DAYS : TW_FEED_CGM_OTHER_BACKFILL_DAYS;
  gint64 n_slots = days * (SECONDS_PER_DAY * TW_USEC_PER_SEC / TW_FEED_CGM_INTERVAL_US);
  gint64 first = slot_of (params->start_usec);

  if (!tw_feed_chart_has_cgm (params, index))
    return;
  patient = tw_feed_patient_new (params, index);
  for (gint64 slot = first - n_slots; slot < first; slot++)
    {
      g_autofree char *ts = tw_time_format_iso8601 (slot * TW_FEED_CGM_INTERVAL_US);

      g_ptr_array_add (out, g_strdup_printf ("{\"v\":%d,\"type\":\"samples\",\"ts\":\"%s\","
                                             "\"entity\":\"%s\",\"kind\":\"patient\","
                                             "\"values\":{\"glucose\":%d}}",
                                             TW_FEED_FORMAT_VERSION, ts, patient->id,
                                             tw_feed_chart_glucose (params, index, slot)));
    }
}
