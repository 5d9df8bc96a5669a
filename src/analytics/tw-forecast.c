#include "tw-forecast.h"

#include <math.h>

#define USEC_PER_MIN ((double) 60 * G_USEC_PER_SEC)

gboolean
tw_forecast_linear_fit (const gint64 *ts,
                        const double *values,
                        guint         n,
                        double       *out_slope_per_min,
                        double       *out_value_at_last)
{
  double mean_t = 0, mean_v = 0, sxx = 0, sxy = 0;
  gint64 last;

  g_return_val_if_fail (ts != NULL || n == 0, FALSE);
  g_return_val_if_fail (values != NULL || n == 0, FALSE);

  if (n < 2)
    return FALSE;

  /* Minutes relative to the newest sample: epoch microseconds squared
   * would lose every digit that matters. */
  last = ts[n - 1];
  for (guint i = 0; i < n; i++)
    {
      mean_t += (double) (ts[i] - last) / USEC_PER_MIN;
      mean_v += values[i];
    }
  mean_t /= n;
  mean_v /= n;
  for (guint i = 0; i < n; i++)
    {
      double dt = (double) (ts[i] - last) / USEC_PER_MIN - mean_t;

      sxx += dt * dt;
      sxy += dt * (values[i] - mean_v);
    }
  if (sxx == 0)
    return FALSE;

  if (out_slope_per_min != NULL)
    *out_slope_per_min = sxy / sxx;
  if (out_value_at_last != NULL)
    *out_value_at_last = mean_v + sxy / sxx * (0 - mean_t);
  return TRUE;
}

gboolean
tw_forecast_linear (const gint64 *ts,
                    const double *values,
                    guint         n,
                    double        limit,
                    gint64       *out_cross_ts,
                    gpointer      user_data)
{
  double slope, at_last, minutes;

  g_return_val_if_fail (out_cross_ts != NULL, FALSE);

  if (!tw_forecast_linear_fit (ts, values, n, &slope, &at_last) || slope == 0)
    return FALSE;

  minutes = (limit - at_last) / slope;
  if (minutes < 0 || !isfinite (minutes))
    return FALSE;   /* moving away from the limit, or past it already */
  *out_cross_ts = ts[n - 1] + (gint64) llround (minutes * USEC_PER_MIN);
  return TRUE;
}
