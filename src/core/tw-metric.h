#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TwMetricInfo:
 * @code: the short code used in messages and in the store ("hr")
 * @label: a human name ("Heart rate")
 * @unit: the UCUM unit values are stored in ("/min")
 * @plausible_min: values below are rejected as implausible
 * @plausible_max: values above are rejected as implausible
 * @normal_low: lower edge of the normal band drawn behind trends
 * @normal_high: upper edge of the normal band
 * @digits: decimals to show
 *
 * The catalogue of known metrics. Values outside the plausible range are
 * measurement errors (a probe off the finger), not patients.
 */
typedef struct
{
  const char *code;
  const char *label;
  const char *unit;
  double      plausible_min;
  double      plausible_max;
  double      normal_low;
  double      normal_high;
  int         digits;
} TwMetricInfo;

const TwMetricInfo *tw_metric_lookup     (const char *code);
const TwMetricInfo *tw_metric_get_vitals (guint     *n_metrics);

G_END_DECLS
