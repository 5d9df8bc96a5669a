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

/* LOINC code of the FHIR vital-signs blood pressure panel: its values are
 * in components (systolic 8480-6, diastolic 8462-4), never at the top. */
#define TW_LOINC_BP_PANEL "85354-9"

const TwMetricInfo *tw_metric_lookup       (const char *code);
const TwMetricInfo *tw_metric_get_vitals   (guint      *n_metrics);
const TwMetricInfo *tw_metric_get_all      (guint      *n_metrics);
const TwMetricInfo *tw_metric_lookup_loinc (const char *loinc);
const TwMetricInfo *tw_metric_lookup_mdc   (const char *mdc);

G_END_DECLS
