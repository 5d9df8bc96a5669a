#pragma once

#include <glib.h>

#include "tw-point.h"

G_BEGIN_DECLS

/* Glucose (CGM) metrics after DOMAIN.md: consensus ranges (Battelino
 * 2019), GMI (Bergenstal 2018), CV, LBGI/HBGI (Kovatchev) and the AGP.
 * Values are mg/dL throughout; convert at the edges. */

#define TW_MGDL_PER_MMOLL 18.016

typedef enum
{
  TW_GLUCOSE_VERY_LOW,   /* < 54 */
  TW_GLUCOSE_LOW,        /* 54–69 */
  TW_GLUCOSE_IN_RANGE,   /* 70–180 inclusive */
  TW_GLUCOSE_HIGH,       /* 181–250 */
  TW_GLUCOSE_VERY_HIGH,  /* > 250 */
  TW_GLUCOSE_N_RANGES,
} TwGlucoseRange;

/* Consensus targets, percent of readings. */
#define TW_GLUCOSE_TARGET_TIR_MIN       70.0
#define TW_GLUCOSE_TARGET_TBR_MAX        4.0
#define TW_GLUCOSE_TARGET_VERY_LOW_MAX   1.0
#define TW_GLUCOSE_TARGET_TAR_MAX       25.0
#define TW_GLUCOSE_TARGET_VERY_HIGH_MAX  5.0
#define TW_GLUCOSE_TARGET_CV_MAX        36.0

/**
 * TwGlucoseStats:
 * @n: readings
 * @range_percent: share of readings in each TwGlucoseRange, percent
 * @mean: mg/dL
 * @sd: sample standard deviation (n − 1), mg/dL; NAN when n < 2
 * @cv_percent: @sd / @mean × 100
 * @gmi_percent: 3.31 + 0.02392 × mean
 * @gmi_mmol_mol: 12.71 + 4.70587 × mean in mmol/L
 * @lbgi, @hbgi: Kovatchev low and high blood glucose indices
 */
typedef struct
{
  guint  n;
  double range_percent[TW_GLUCOSE_N_RANGES];
  double mean;
  double sd;
  double cv_percent;
  double gmi_percent;
  double gmi_mmol_mol;
  double lbgi;
  double hbgi;
  gint64 first_ts;
  gint64 last_ts;
} TwGlucoseStats;

TwGlucoseRange tw_glucose_range_of            (double          mgdl);
const char    *tw_glucose_range_to_string     (TwGlucoseRange  range); /* "very_low" … */
const char    *tw_glucose_range_to_label      (TwGlucoseRange  range); /* "Very low (<54 mg/dL)" */
double         tw_glucose_gmi_percent         (double          mean_mgdl);
double         tw_glucose_gmi_mmol_mol        (double          mean_mmoll);
/* Kovatchev's symmetrising f(BG) = 1.509 × ((ln BG)^1.084 − 5.381). */
double         tw_glucose_risk_f              (double          mgdl);
/* FALSE (and @out zeroed) when @n is 0. */
gboolean       tw_glucose_stats_compute       (const TwPoint  *points,
                                               guint           n,
                                               TwGlucoseStats *out);

/* Percentile with linear interpolation between closest ranks (the
 * "type 7" of Hyndman & Fan, what numpy and R use by default) of values
 * sorted ascending; @p in [0, 100]. */
double         tw_percentile_sorted           (const double   *sorted,
                                               guint           n,
                                               double          p);

#define TW_AGP_N_PERCENTILES 5   /* 5, 25, 50, 75, 95 */

typedef struct
{
  guint  n;                               /* readings in this bin */
  double p[TW_AGP_N_PERCENTILES];         /* NAN when n is 0 */
} TwAgpBin;

/**
 * TwAgp:
 * The ambulatory glucose profile: readings folded onto one day by their
 * local time of day (DST-aware: a reading at 02:30 local is in the 02:00
 * bin whatever the UTC offset was that day).
 */
typedef struct
{
  guint     bin_minutes;   /* 60 for the CLI's by-hour profile */
  guint     n_bins;        /* 24 × 60 / bin_minutes */
  TwAgpBin *bins;
} TwAgp;

extern const double tw_agp_percentiles[TW_AGP_N_PERCENTILES];

/* @bin_minutes must divide 1440. */
TwAgp         *tw_agp_compute                 (const TwPoint  *points,
                                               guint           n,
                                               guint           bin_minutes);
void           tw_agp_free                    (TwAgp          *agp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwAgp, tw_agp_free)

G_END_DECLS
