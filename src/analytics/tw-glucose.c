#include "tw-glucose.h"

#include <math.h>
#include <string.h>

/* Consensus range limits, mg/dL (Battelino et al. 2019). */
#define VERY_LOW_BELOW   54.0
#define LOW_BELOW        70.0
#define IN_RANGE_MAX    180.0
#define HIGH_MAX        250.0

/* GMI (Bergenstal et al. 2018). */
#define GMI_PERCENT_INTERCEPT   3.31
#define GMI_PERCENT_SLOPE       0.02392
#define GMI_MMOL_MOL_INTERCEPT 12.71
#define GMI_MMOL_MOL_SLOPE      4.70587

/* Kovatchev's symmetrising transform and risk scale. */
#define RISK_F_SCALE     1.509
#define RISK_F_EXPONENT  1.084
#define RISK_F_OFFSET    5.381
#define RISK_R_SCALE    10.0

/* Below 1 mg/dL ln BG is negative and the transform undefined; no meter
 * reports such a value, so it is not a reading. */
#define MIN_READING_MGDL 1.0

#define MINUTES_PER_DAY  (24 * 60)
#define SECONDS_PER_DAY  (MINUTES_PER_DAY * 60)

const double tw_agp_percentiles[TW_AGP_N_PERCENTILES] = { 5, 25, 50, 75, 95 };

static gboolean
is_reading (double mgdl)
{
  return isfinite (mgdl) && mgdl >= MIN_READING_MGDL;
}

/**
 * tw_glucose_range_of:
 * The consensus range of a reading. Meters show mg/dL as whole numbers,
 * and the consensus limits are whole numbers, so the value is rounded
 * first: 10.0 mmol/L (180.16 mg/dL) is in range, as it is on a mmol/L
 * meter, and 13.9 mmol/L (250.4) is high, not very high.
 */
TwGlucoseRange
tw_glucose_range_of (double mgdl)
{
  double v = round (mgdl);

  if (v < VERY_LOW_BELOW)
    return TW_GLUCOSE_VERY_LOW;
  if (v < LOW_BELOW)
    return TW_GLUCOSE_LOW;
  if (v <= IN_RANGE_MAX)
    return TW_GLUCOSE_IN_RANGE;
  if (v <= HIGH_MAX)
    return TW_GLUCOSE_HIGH;
  return TW_GLUCOSE_VERY_HIGH;
}

const char *
tw_glucose_range_to_string (TwGlucoseRange range)
{
  static const char * const names[TW_GLUCOSE_N_RANGES] = {
    "very_low", "low", "in_range", "high", "very_high",
  };

  g_return_val_if_fail ((guint) range < TW_GLUCOSE_N_RANGES, "unknown");
  return names[range];
}

const char *
tw_glucose_range_to_label (TwGlucoseRange range)
{
  static const char * const labels[TW_GLUCOSE_N_RANGES] = {
    "Very low (<54 mg/dL)", "Low (54–69 mg/dL)", "In range (70–180 mg/dL)",
    "High (181–250 mg/dL)", "Very high (>250 mg/dL)",
  };

  g_return_val_if_fail ((guint) range < TW_GLUCOSE_N_RANGES, "Unknown");
  return labels[range];
}

double
tw_glucose_gmi_percent (double mean_mgdl)
{
  return GMI_PERCENT_INTERCEPT + GMI_PERCENT_SLOPE * mean_mgdl;
}

double
tw_glucose_gmi_mmol_mol (double mean_mmoll)
{
  return GMI_MMOL_MOL_INTERCEPT + GMI_MMOL_MOL_SLOPE * mean_mmoll;
}

double
tw_glucose_risk_f (double mgdl)
{
  return RISK_F_SCALE * (pow (log (mgdl), RISK_F_EXPONENT) - RISK_F_OFFSET);
}

gboolean
tw_glucose_stats_compute (const TwPoint  *points,
                          guint           n,
                          TwGlucoseStats *out)
{
  guint counts[TW_GLUCOSE_N_RANGES] = { 0 };
  double sum = 0, low_risk = 0, high_risk = 0, squares = 0;
  guint used = 0;

  g_return_val_if_fail (points != NULL || n == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  for (guint i = 0; i < n; i++)
    {
      double v = points[i].value;
      double f;

      if (!is_reading (v))
        continue;
      if (used == 0 || points[i].ts < out->first_ts)
        out->first_ts = points[i].ts;
      if (used == 0 || points[i].ts > out->last_ts)
        out->last_ts = points[i].ts;
      used++;
      counts[tw_glucose_range_of (v)]++;
      sum += v;
      f = tw_glucose_risk_f (v);
      if (f < 0)
        low_risk += RISK_R_SCALE * f * f;
      else if (f > 0)
        high_risk += RISK_R_SCALE * f * f;
    }
  if (used == 0)
    {
      memset (out, 0, sizeof *out);
      return FALSE;
    }

  out->n = used;
  out->mean = sum / used;
  /* Two passes: the sum of squared deviations from the mean does not
   * cancel catastrophically the way Σx² − n·mean² can. */
  for (guint i = 0; i < n; i++)
    if (is_reading (points[i].value))
      squares += (points[i].value - out->mean) * (points[i].value - out->mean);
  out->sd = used >= 2 ? sqrt (squares / (used - 1)) : NAN;
  out->cv_percent = out->sd / out->mean * 100.0;
  for (guint r = 0; r < TW_GLUCOSE_N_RANGES; r++)
    out->range_percent[r] = 100.0 * counts[r] / used;
  out->gmi_percent = tw_glucose_gmi_percent (out->mean);
  out->gmi_mmol_mol = tw_glucose_gmi_mmol_mol (out->mean / TW_MGDL_PER_MMOLL);
  out->lbgi = low_risk / used;
  out->hbgi = high_risk / used;
  return TRUE;
}

double
tw_percentile_sorted (const double *sorted,
                      guint         n,
                      double        p)
{
  double h;
  guint lo;

  g_return_val_if_fail (sorted != NULL || n == 0, NAN);
  g_return_val_if_fail (p >= 0 && p <= 100, NAN);

  if (n == 0)
    return NAN;
  h = (n - 1) * (p / 100.0);
  lo = (guint) floor (h);
  if (lo + 1 >= n)
    return sorted[n - 1];
  return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The minute of the local day of @ts: the offset in force at that very
 * instant, so a reading at 02:30 BST and one at 02:30 GMT share a bin. */
static guint
local_minute_of_day (GTimeZone *tz,
                     gint64     ts_us)
{
  gint64 secs = ts_us >= 0 ? ts_us / G_USEC_PER_SEC
                           : -((-ts_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, secs);
  gint64 local = secs + (interval >= 0 ? g_time_zone_get_offset (tz, interval) : 0);
  gint64 in_day = ((local % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;

  return (guint) (in_day / 60);
}

/**
 * tw_agp_compute:
 * Returns: (transfer full): the profile, with every bin present (empty
 *   ones have n = 0 and NAN percentiles)
 */
TwAgp *
tw_agp_compute (const TwPoint *points,
                guint          n,
                guint          bin_minutes)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GPtrArray) values = NULL;
  TwAgp *agp;

  g_return_val_if_fail (points != NULL || n == 0, NULL);
  g_return_val_if_fail (bin_minutes > 0 && MINUTES_PER_DAY % bin_minutes == 0, NULL);

  agp = g_new0 (TwAgp, 1);
  agp->bin_minutes = bin_minutes;
  agp->n_bins = MINUTES_PER_DAY / bin_minutes;
  agp->bins = g_new0 (TwAgpBin, agp->n_bins);

  values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint b = 0; b < agp->n_bins; b++)
    g_ptr_array_add (values, g_array_new (FALSE, FALSE, sizeof (double)));

  /* Read TZ now, not from a cache taken before a test or user changed it. */
  tz = g_time_zone_new_local ();
  for (guint i = 0; i < n; i++)
    {
      guint bin;

      if (!is_reading (points[i].value))
        continue;
      bin = local_minute_of_day (tz, points[i].ts) / bin_minutes;
      g_array_append_val ((GArray *) g_ptr_array_index (values, bin), points[i].value);
    }

  for (guint b = 0; b < agp->n_bins; b++)
    {
      GArray *bin_values = g_ptr_array_index (values, b);

      g_array_sort (bin_values, compare_doubles);
      agp->bins[b].n = bin_values->len;
      for (guint k = 0; k < TW_AGP_N_PERCENTILES; k++)
        agp->bins[b].p[k] = tw_percentile_sorted ((const double *) bin_values->data,
                                                  bin_values->len, tw_agp_percentiles[k]);
    }
  return agp;
}

void
tw_agp_free (TwAgp *agp)
{
  if (agp == NULL)
    return;
  g_free (agp->bins);
  g_free (agp);
}
