#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* NEWS2 (Royal College of Physicians, 2017), scored after the table in
 * DOMAIN.md with SpO2 scale 1.
 *
 * Needs the five measured parameters by catalogue code: rr, spo2, sbp, hr,
 * temp. Supplemental oxygen ("o2", 1 = on oxygen) and consciousness
 * ("acvpu", 0 = alert, anything else = new confusion, voice, pain or
 * unresponsive) have no source in the catalogue yet: when absent they are
 * taken as air and alert, and the result says so (@assumed_air_alert). A
 * missing measured parameter makes the score incomplete: never scored. */

#define TW_NEWS2_BAND_MEDIUM 5   /* 5–6: urgent response */
#define TW_NEWS2_BAND_HIGH   7   /* ≥ 7: emergency response */
#define TW_NEWS2_SINGLE_RED  3   /* one parameter at 3: urgent ward response */

typedef struct
{
  int      score;
  int      max_single;         /* highest score of one parameter */
  gboolean complete;           /* all five measured parameters present */
  gboolean assumed_air_alert;  /* o2 or acvpu absent, scored as 0 */
  char     missing[64];        /* comma-separated codes when incomplete */
} TwNews2Result;

int      tw_news2_score_rr          (double rr_per_min);
int      tw_news2_score_spo2_scale1 (double spo2_percent);
int      tw_news2_score_sbp         (double sbp_mmhg);
int      tw_news2_score_pulse       (double pulse_per_min);
int      tw_news2_score_temp        (double temp_celsius);

/* @latest_by_metric: char* code → double* value. FALSE (and @out filled
 * with what is known) when incomplete. */
gboolean tw_news2_compute    (GHashTable    *latest_by_metric,
                              TwNews2Result *out);
/* A TwScoreFunc (tw-rule-engine.h) over tw_news2_compute(). */
gboolean tw_news2_score_func (GHashTable    *latest_by_metric,
                              int           *out_score,
                              gpointer       user_data);

G_END_DECLS
