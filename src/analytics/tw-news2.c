#include "tw-news2.h"

#include <math.h>
#include <string.h>

/* The chart's parameters are whole numbers except temperature, read to
 * one decimal: a monitor's 35.04 °C is charted as 35.0. */
#define TEMP_DECIMALS_SCALE 10.0

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

static const struct
{
  const char *code;
  int       (*score) (double value);
} measured[] = {
  { "rr", tw_news2_score_rr },
  { "spo2", tw_news2_score_spo2_scale1 },
  { "sbp", tw_news2_score_sbp },
  { "hr", tw_news2_score_pulse },
  { "temp", tw_news2_score_temp },
};

/* Points for supplemental oxygen and for anything but "alert". */
#define OXYGEN_POINTS        2
#define CONSCIOUSNESS_POINTS 3

gboolean
tw_news2_compute (GHashTable    *latest,
                  TwNews2Result *out)
{
  const double *o2;
  const double *acvpu;

  g_return_val_if_fail (latest != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->complete = TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (measured); i++)
    {
      const double *value = g_hash_table_lookup (latest, measured[i].code);
      int points;

      if (value == NULL)
        {
          if (!out->complete)
            g_strlcat (out->missing, ",", sizeof out->missing);
          g_strlcat (out->missing, measured[i].code, sizeof out->missing);
          out->complete = FALSE;
          continue;
        }
      points = measured[i].score (*value);
      out->score += points;
      out->max_single = MAX (out->max_single, points);
    }

  o2 = g_hash_table_lookup (latest, "o2");
  acvpu = g_hash_table_lookup (latest, "acvpu");
  out->assumed_air_alert = o2 == NULL || acvpu == NULL;
  if (o2 != NULL && *o2 != 0)
    {
      out->score += OXYGEN_POINTS;
      out->max_single = MAX (out->max_single, OXYGEN_POINTS);
    }
  if (acvpu != NULL && *acvpu != 0)
    {
      out->score += CONSCIOUSNESS_POINTS;
      out->max_single = MAX (out->max_single, CONSCIOUSNESS_POINTS);
    }
  return out->complete;
}

gboolean
tw_news2_score_func (GHashTable *latest,
                     int        *out_score,
                     gpointer    user_data)
{
  TwNews2Result result;

  g_return_val_if_fail (out_score != NULL, FALSE);

  if (!tw_news2_compute (latest, &result))
    return FALSE;
  *out_score = result.score;
  return TRUE;
}
