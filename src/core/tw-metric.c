#include "tw-metric.h"

/* The vital signs of the skeleton; normal bands follow the NEWS2 zero-score
 * ranges of DOMAIN.md, plausible ranges the limits of bedside monitors. */
static const TwMetricInfo vitals[] = {
  { "hr",   "Heart rate",        "/min",   15.0, 300.0,  51.0,  90.0, 0 },
  { "rr",   "Respiration rate",  "/min",    2.0,  80.0,  12.0,  20.0, 0 },
  { "spo2", "SpO\u2082",         "%",      40.0, 100.0,  96.0, 100.0, 0 },
  { "sbp",  "Systolic BP",       "mm[Hg]", 30.0, 300.0, 111.0, 219.0, 0 },
  { "dbp",  "Diastolic BP",      "mm[Hg]", 10.0, 200.0,  60.0,  90.0, 0 },
  { "temp", "Temperature",       "Cel",    25.0,  45.0,  36.1,  38.0, 1 },
};

const TwMetricInfo *
tw_metric_get_vitals (guint *n_metrics)
{
  if (n_metrics != NULL)
    *n_metrics = G_N_ELEMENTS (vitals);
  return vitals;
}

const TwMetricInfo *
tw_metric_lookup (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (vitals); i++)
    if (g_str_equal (vitals[i].code, code))
      return &vitals[i];
  return NULL;
}
