#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* NEWS2 (Royal College of Physicians, 2017), scored after the table in
 * DOMAIN.md: seven parameters, SpO2 on scale 1 or (hypercapnic patients)
 * scale 2. A missing parameter makes the score incomplete: it is shown as
 * incomplete, never scored as normal.
 *
 * Live data uses these catalogue codes: rr, spo2, sbp, hr, temp, "o2"
 * (0 = air, 1 = supplemental oxygen) and "acvpu" (TwAcvpu as a number). */

#define TW_NEWS2_BAND_MEDIUM 5   /* 5–6: urgent response */
#define TW_NEWS2_BAND_HIGH   7   /* ≥ 7: emergency response */
#define TW_NEWS2_SINGLE_RED  3   /* one parameter at 3: urgent ward response */

typedef enum
{
  TW_ACVPU_ALERT,
  TW_ACVPU_CONFUSION,     /* new confusion */
  TW_ACVPU_VOICE,
  TW_ACVPU_PAIN,
  TW_ACVPU_UNRESPONSIVE,
} TwAcvpu;

typedef enum
{
  TW_NEWS2_RR,
  TW_NEWS2_SPO2,
  TW_NEWS2_AIR_O2,
  TW_NEWS2_SBP,
  TW_NEWS2_PULSE,
  TW_NEWS2_ACVPU,
  TW_NEWS2_TEMP,
  TW_NEWS2_N_PARAMS,
} TwNews2Param;

/* Clinical risk by the RCP bands; ordered by urgency. */
typedef enum
{
  TW_NEWS2_RISK_ZERO,        /* total 0: routine monitoring */
  TW_NEWS2_RISK_LOW,         /* 1–4 */
  TW_NEWS2_RISK_LOW_MEDIUM,  /* 1–4 with one parameter at 3: urgent ward response */
  TW_NEWS2_RISK_MEDIUM,      /* 5–6: urgent response */
  TW_NEWS2_RISK_HIGH,        /* ≥ 7: emergency response */
} TwNews2Risk;

/**
 * TwNews2Input:
 * Measured parameters; NAN when not measured. @on_oxygen and @acvpu are
 * -1 when not recorded.
 */
typedef struct
{
  double   rr;
  double   spo2;
  double   sbp;
  double   pulse;
  double   temp;
  int      on_oxygen;   /* -1 unknown, 0 air, 1 oxygen */
  int      acvpu;       /* -1 unknown, else TwAcvpu */
  gboolean scale2;     /* SpO2 scale 2 (hypercapnic respiratory failure) */
} TwNews2Input;

/**
 * TwNews2Score:
 * @scores: per parameter, -1 when that parameter is missing
 * @total: sum of the known parameter scores (a lower bound when incomplete)
 * @max_single: highest single parameter score
 * @complete: all seven parameters known; @risk is only meaningful then
 * @risk: the band
 */
typedef struct
{
  int         scores[TW_NEWS2_N_PARAMS];
  int         total;
  int         max_single;
  gboolean    complete;
  TwNews2Risk risk;
} TwNews2Score;

void        tw_news2_input_init         (TwNews2Input       *input);
void        tw_news2_score              (const TwNews2Input *input,
                                         TwNews2Score       *out);
TwNews2Risk tw_news2_risk_of            (int                 total,
                                         int                 max_single);
/* "zero", "low", "low-medium", "medium", "high" (the JSON words) */
const char *tw_news2_risk_to_string     (TwNews2Risk         risk);
/* "Zero: routine monitoring", "Low–medium: urgent ward response", … (for people) */
const char *tw_news2_risk_to_label      (TwNews2Risk         risk);
/* The RCP's clinical response for the band, one sentence for people. */
const char *tw_news2_risk_to_response   (TwNews2Risk         risk);
/* "rr", "spo2", "air_o2", "sbp", "pulse", "acvpu", "temp" */
const char *tw_news2_param_to_string    (TwNews2Param        param);
const char *tw_news2_param_to_label     (TwNews2Param        param);
/* "A", "C", "V", "P", "U" (case-insensitive) */
gboolean    tw_acvpu_from_string        (const char         *text,
                                         TwAcvpu            *out);

int      tw_news2_score_rr          (double rr_per_min);
int      tw_news2_score_spo2_scale1 (double spo2_percent);
int      tw_news2_score_spo2_scale2 (double spo2_percent,
                                     gboolean on_oxygen);
int      tw_news2_score_sbp         (double sbp_mmhg);
int      tw_news2_score_pulse       (double pulse_per_min);
int      tw_news2_score_temp        (double temp_celsius);

/* The engine's view: @latest_by_metric maps char* code → double* value
 * (codes above). Fills @input (scale 1); missing codes stay missing. */
void     tw_news2_input_from_latest (GHashTable         *latest_by_metric,
                                     TwNews2Input       *input);

/* A TwScoreFunc (tw-rule-engine.h): FALSE (no score) while incomplete. */
gboolean tw_news2_score_func (GHashTable    *latest_by_metric,
                              int           *out_score,
                              gpointer       user_data);

G_END_DECLS
