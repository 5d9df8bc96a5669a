#pragma once

#include <glib.h>

#include "tw-metric.h"

G_BEGIN_DECLS

/* DOMAIN.md "Glucose (CGM)": 1 mmol/L = 18.016 mg/dL. */
#define TW_MG_DL_PER_MMOL_L 18.016

gboolean    tw_units_convert  (const TwMetricInfo *metric,
                               const char         *unit,
                               double              value,
                               double             *out_value,
                               GError            **error);
const char *tw_units_from_mdc (const char         *code,
                               const char         *refid);

G_END_DECLS
