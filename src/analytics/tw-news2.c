#include "tw-news2.h"

#include <math.h>
#include <string.h>

/* The chart's parameters are whole numbers except temperature, read to
 * one decimal: a monitor's 35.04 °C is charted as 35.0, a 95.4 % SpO2 as
 * 95. Scoring the value a nurse would write down keeps the app, twctl and
 * a paper chart in agreement. */
#define TEMP_DECIMALS_SCALE 10.0

/* Points for supplemental oxygen and for anything but "alert". */
#define OXYGEN_POINTS        2
#define CONSCIOUSNESS_POINTS 3

int
tw_news2_score_rr (double rr)
{
  double v = round (rr);

  if (v <= 8)
    return 3;
  if (v <= 11)
    return 1;
  if (v <= 20)
    return 0;
  if (v <= 24)
    return 2;
  return 3;
}

int
tw_news2_score_spo2_scale1 (double spo2)
{
  double v = round (spo2);

  if (v <= 91)
    return 3;
  if (v <= 93)
    return 2;
  if (v <= 95)
    return 1;
  return 0;
}

/* Scale 2 aims at 88–92 % for patients in hypercapnic respiratory
 * failure: above 92 % only scores while on oxygen (over-oxygenation),
 * on air it is simply the patient's own saturation. */
int
tw_news2_score_spo2_scale2 (double   spo2,
                            gboolean on_oxygen)
{
  double v = round (spo2);

  if (v <= 83)
    return 3;
  if (v <= 85)
    return 2;
  if (v <= 87)
    return 1;
  if (v <= 92 || !on_oxygen)
    return 0;
  if (v <= 94)
    return 1;
  if (v <= 96)
    return 2;
  return 3;
}

int
tw_news2_score_sbp (double sbp)
{
  double v = round (sbp);

  if (v <= 90)
    return 3;
  if (v <= 100)
    return 2;
  if (v <= 110)
    return 1;
  if (v <= 219)
    return 0;
  return 3;
}

int
tw_news2_score_pulse (double pulse)
{
  double v = round (pulse);

  if (v <= 40)
    return 3;
  if (v <= 50)
    return 1;
  if (v <= 90)
    return 0;
  if (v <= 110)
    return 1;
  if (v <= 130)
    return 2;
  return 3;
}

int
tw_news2_score_temp (double temp)
{
  /* Compare in tenths so 36.0 and 38.0 land on the side the chart says. */
  double tenths = round (temp * TEMP_DECIMALS_SCALE);

  if (tenths <= 350)
    return 3;
  if (tenths <= 360)
    return 1;
  if (tenths <= 380)
    return 0;
  if (tenths <= 390)
    return 1;
  return 2;
}

void
tw_news2_input_init (TwNews2Input *input)
{
  g_return_if_fail (input != NULL);

  input->rr = NAN;
  input->spo2 = NAN;
  input->sbp = NAN;
  input->pulse = NAN;
  input->temp = NAN;
  input->on_oxygen = -1;
  input->acvpu = -1;
  input->scale2 = FALSE;
}

static int
score_measured (double   value,
                int    (*score) (double))
{
  return isfinite (value) ? score (value) : -1;
}

void
tw_news2_score (const TwNews2Input *input,
                TwNews2Score       *out)
{
  gboolean oxygen_known;

  g_return_if_fail (input != NULL);
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  oxygen_known = input->on_oxygen == 0 || input->on_oxygen == 1;

  out->scores[TW_NEWS2_RR] = score_measured (input->rr, tw_news2_score_rr);
  out->scores[TW_NEWS2_SBP] = score_measured (input->sbp, tw_news2_score_sbp);
  out->scores[TW_NEWS2_PULSE] = score_measured (input->pulse, tw_news2_score_pulse);
  out->scores[TW_NEWS2_TEMP] = score_measured (input->temp, tw_news2_score_temp);
  out->scores[TW_NEWS2_AIR_O2] = !oxygen_known ? -1 : input->on_oxygen == 1 ? OXYGEN_POINTS : 0;
  out->scores[TW_NEWS2_ACVPU] = input->acvpu < TW_ACVPU_ALERT || input->acvpu > TW_ACVPU_UNRESPONSIVE
                                ? -1
                                : input->acvpu == TW_ACVPU_ALERT ? 0 : CONSCIOUSNESS_POINTS;

  if (!isfinite (input->spo2))
    out->scores[TW_NEWS2_SPO2] = -1;
  else if (!input->scale2)
    out->scores[TW_NEWS2_SPO2] = tw_news2_score_spo2_scale1 (input->spo2);
  else if (oxygen_known)
    out->scores[TW_NEWS2_SPO2] = tw_news2_score_spo2_scale2 (input->spo2, input->on_oxygen == 1);
  else
    {
      /* Up to 92 % scale 2 does not depend on oxygen; above it, guessing
       * "air" would score 0 where oxygen could mean 3. */
      int on_air = tw_news2_score_spo2_scale2 (input->spo2, FALSE);
      int on_o2 = tw_news2_score_spo2_scale2 (input->spo2, TRUE);

      out->scores[TW_NEWS2_SPO2] = on_air == on_o2 ? on_air : -1;
    }

  out->complete = TRUE;
  for (guint i = 0; i < TW_NEWS2_N_PARAMS; i++)
    {
      if (out->scores[i] < 0)
        {
          out->complete = FALSE;
          continue;
        }
      out->total += out->scores[i];
      out->max_single = MAX (out->max_single, out->scores[i]);
    }
  out->risk = tw_news2_risk_of (out->total, out->max_single);
}

TwNews2Risk
tw_news2_risk_of (int total,
                  int max_single)
{
  if (total >= TW_NEWS2_BAND_HIGH)
    return TW_NEWS2_RISK_HIGH;
  if (total >= TW_NEWS2_BAND_MEDIUM)
    return TW_NEWS2_RISK_MEDIUM;
  if (max_single >= TW_NEWS2_SINGLE_RED)
    return TW_NEWS2_RISK_LOW_MEDIUM;
  if (total > 0)
    return TW_NEWS2_RISK_LOW;
  return TW_NEWS2_RISK_ZERO;
}

const char *
tw_news2_risk_to_string (TwNews2Risk risk)
{
  switch (risk)
    {
    case TW_NEWS2_RISK_ZERO: return "zero";
    case TW_NEWS2_RISK_LOW: return "low";
    case TW_NEWS2_RISK_LOW_MEDIUM: return "low-medium";
    case TW_NEWS2_RISK_MEDIUM: return "medium";
    case TW_NEWS2_RISK_HIGH: return "high";
    default: break;
    }
  g_return_val_if_reached ("unknown");
}

const char *
tw_news2_risk_to_label (TwNews2Risk risk)
{
  switch (risk)
    {
    case TW_NEWS2_RISK_ZERO: return "Zero: routine monitoring";
    case TW_NEWS2_RISK_LOW: return "Low: ward-based response";
    case TW_NEWS2_RISK_LOW_MEDIUM: return "Low–medium: urgent ward response";
    case TW_NEWS2_RISK_MEDIUM: return "Medium: urgent response";
    case TW_NEWS2_RISK_HIGH: return "High: emergency response";
    default: break;
    }
  g_return_val_if_reached ("Unknown");
}

/* After the RCP's chart 2 ("NEWS thresholds and triggers") and chart 3
 * (clinical response), shortened. */
const char *
tw_news2_risk_to_response (TwNews2Risk risk)
{
  switch (risk)
    {
    case TW_NEWS2_RISK_ZERO:
      return "Continue routine NEWS monitoring (at least every 12 hours).";
    case TW_NEWS2_RISK_LOW:
      return "Observe at least every 4–6 hours; a registered nurse assesses the patient and "
             "decides whether monitoring should increase or care be escalated.";
    case TW_NEWS2_RISK_LOW_MEDIUM:
      return "Observe at least hourly; the registered nurse informs the medical team, who "
             "review the patient and decide whether to escalate care.";
    case TW_NEWS2_RISK_MEDIUM:
      return "Observe at least hourly; the registered nurse informs the medical team at once "
             "and asks for an urgent assessment by a clinician competent in acute illness; "
             "care in a monitored environment.";
    case TW_NEWS2_RISK_HIGH:
      return "Monitor continuously; the registered nurse informs the medical team at once "
             "(at least specialist registrar level); emergency assessment by a team with "
             "critical care competencies; consider transfer to level 2 or 3 care.";
    default:
      break;
    }
  g_return_val_if_reached ("");
}

const char *
tw_news2_param_to_string (TwNews2Param param)
{
  static const char * const names[TW_NEWS2_N_PARAMS] = {
    "rr", "spo2", "air_o2", "sbp", "pulse", "acvpu", "temp",
  };

  g_return_val_if_fail ((guint) param < TW_NEWS2_N_PARAMS, "unknown");
  return names[param];
}

const char *
tw_news2_param_to_label (TwNews2Param param)
{
  static const char * const labels[TW_NEWS2_N_PARAMS] = {
    "Respiration rate", "SpO2", "Air or oxygen", "Systolic blood pressure", "Pulse",
    "Consciousness (ACVPU)", "Temperature",
  };

  g_return_val_if_fail ((guint) param < TW_NEWS2_N_PARAMS, "Unknown");
  return labels[param];
}

gboolean
tw_acvpu_from_string (const char *text,
                      TwAcvpu    *out)
{
  static const char letters[] = "ACVPU";
  const char *at;

  g_return_val_if_fail (out != NULL, FALSE);

  if (text == NULL || text[0] == '\0' || text[1] != '\0')
    return FALSE;
  at = strchr (letters, g_ascii_toupper (text[0]));
  if (at == NULL)
    return FALSE;
  *out = (TwAcvpu) (at - letters);
  return TRUE;
}

static double
latest_value (GHashTable *latest,
              const char *code)
{
  const double *value = g_hash_table_lookup (latest, code);

  return value != NULL ? *value : NAN;
}

void
tw_news2_input_from_latest (GHashTable   *latest,
                            TwNews2Input *input)
{
  double o2, acvpu;

  g_return_if_fail (latest != NULL);
  g_return_if_fail (input != NULL);

  tw_news2_input_init (input);
  input->rr = latest_value (latest, "rr");
  input->spo2 = latest_value (latest, "spo2");
  input->sbp = latest_value (latest, "sbp");
  input->pulse = latest_value (latest, "hr");
  input->temp = latest_value (latest, "temp");

  o2 = latest_value (latest, "o2");
  if (isfinite (o2))
    input->on_oxygen = o2 != 0 ? 1 : 0;

  /* A code outside ACVPU stays unknown rather than being read as alert. */
  acvpu = latest_value (latest, "acvpu");
  if (isfinite (acvpu) && acvpu == round (acvpu)
      && acvpu >= TW_ACVPU_ALERT && acvpu <= TW_ACVPU_UNRESPONSIVE)
    input->acvpu = (int) acvpu;
}

gboolean
tw_news2_score_func (GHashTable *latest,
                     int        *out_score,
                     gpointer    user_data)
{
  TwNews2Input input;
  TwNews2Score score;

  g_return_val_if_fail (latest != NULL, FALSE);
  g_return_val_if_fail (out_score != NULL, FALSE);

  tw_news2_input_from_latest (latest, &input);
  tw_news2_score (&input, &score);
  if (!score.complete)
    return FALSE;
  *out_score = score.total;
  return TRUE;
}
