#include "tw-ar2.h"

#include <math.h>
#include <string.h>

#include "tw-error.h"

/* The constants of Nightscout's lib/plugins/ar2.js, named as there. */
#define BG_REF            140.0   /* central tendency */
#define BG_MIN             36.0
#define BG_MAX            400.0
#define WARN_THRESHOLD      0.05
#define URGENT_THRESHOLD    0.10
#define LOSS_REF          120.0   /* ar2.js: log10 (mgdl / 120) */
static const double AR[2] = { -0.723, 1.716 };

/* Nightscout's default bgTargetTop / bgTargetBottom (lib/settings.js),
 * which select the event from the 20-minute value. */
#define TARGET_TOP        180.0
#define TARGET_BOTTOM      80.0
#define EVENT_STEP          3     /* predicted[3]: 20 minutes ahead */

/* lib/plugins/delta.js: readings more than 9 minutes apart are
 * interpolated back to the value 5 minutes before the newest. */
#define INTERPOLATE_AFTER_US (9 * 60 * G_USEC_PER_SEC)
#define FIVE_MIN_US          (5 * 60 * G_USEC_PER_SEC)

const char *
tw_ar2_level_to_string (TwAr2Level level)
{
  switch (level)
    {
    case TW_AR2_LEVEL_NONE: return "none";
    case TW_AR2_LEVEL_WARN: return "warn";
    case TW_AR2_LEVEL_URGENT: return "urgent";
    default: break;
    }
  g_return_val_if_reached ("unknown");
}

const char *
tw_ar2_event_to_string (TwAr2Event event)
{
  switch (event)
    {
    case TW_AR2_EVENT_NONE: return "none";
    case TW_AR2_EVENT_LOW: return "low";
    case TW_AR2_EVENT_HIGH: return "high";
    default: break;
    }
  g_return_val_if_reached ("unknown");
}

/* JavaScript's Math.round: halves go up (C's round() takes them away
 * from zero; the same for the positive values here, but say what we
 * mean). */
static double
js_round (double x)
{
  return floor (x + 0.5);
}

/* ar2.js okToForecast (both ≥ BG_MIN) and delta.js isSGVOk. */
static gboolean
ok_to_forecast (double previous_mgdl,
                double now_mgdl)
{
  return isfinite (previous_mgdl) && isfinite (now_mgdl)
         && previous_mgdl >= BG_MIN && now_mgdl >= BG_MIN;
}

/* initAR2 and six pushPoint steps from the value 5 minutes ago (which
 * delta.js may have interpolated), then ar2.js's average loss, level and
 * event name (checkForecast, selectEventType) for the non-raw forecast. */
static void
forecast_from (double         five_min_ago_mgdl,
               double         now_mgdl,
               TwAr2Forecast *out)
{
  double prev, curr;
  int size;

  prev = log (five_min_ago_mgdl / BG_REF);
  curr = log (now_mgdl / BG_REF);
  for (int step = 0; step < TW_AR2_STEPS; step++)
    {
      double next = AR[0] * prev + AR[1] * curr;
      double mgdl = js_round (BG_REF * exp (next));

      prev = curr;
      curr = next;
      out->predicted[step] = MAX (BG_MIN, MIN (BG_MAX, mgdl));
    }

  /* As ar2.js: size = min (length − 1, 6) = 5, but the loop runs over
   * j = 0 … size, six terms each weighted 1/5. Copied, not corrected,
   * so the levels match Nightscout's. */
  size = MIN (TW_AR2_STEPS - 1, 6);
  for (int j = 0; j <= size; j++)
    {
      /* ar2.js's log10 is Math.log (v) / Math.LN10, to the last bit. */
      double l = log (out->predicted[j] / LOSS_REF) / G_LN10;

      out->loss += 1.0 / size * (l * l);
    }

  if (out->loss > URGENT_THRESHOLD)
    out->level = TW_AR2_LEVEL_URGENT;
  else if (out->loss > WARN_THRESHOLD)
    out->level = TW_AR2_LEVEL_WARN;

  /* selectEventType runs only once a level is set. */
  if (out->level != TW_AR2_LEVEL_NONE)
    {
      double in20mins = out->predicted[EVENT_STEP];

      if (in20mins > TARGET_TOP)
        out->event = TW_AR2_EVENT_HIGH;
      else if (in20mins < TARGET_BOTTOM)
        out->event = TW_AR2_EVENT_LOW;
    }
}

/**
 * tw_ar2_forecast:
 * FALSE (and @out cleared) when either reading is below BG_MIN (36 mg/dL)
 * or not a number, where ar2.js forecasts nothing.
 */
gboolean
tw_ar2_forecast (double         previous_mgdl,
                 double         now_mgdl,
                 TwAr2Forecast *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (!ok_to_forecast (previous_mgdl, now_mgdl))
    return FALSE;
  forecast_from (previous_mgdl, now_mgdl, out);
  return TRUE;
}

/**
 * tw_ar2_forecast_series:
 * As Nightscout: the last two readings; when they are more than 9 minutes
 * apart the earlier one is replaced by the straight line's value 5
 * minutes before the newest (delta.js mgdl5MinsAgo). No forecast when
 * the newest reading is more than 10 minutes older than @now_ts
 * (ar2.js checkNotifications).
 */
gboolean
tw_ar2_forecast_series (const TwPoint  *points,
                        guint           n,
                        gint64          now_ts,
                        TwAr2Forecast  *out,
                        GError        **error)
{
  const TwPoint *current, *prev;
  double five_min_ago;
  gint64 elapsed;

  g_return_val_if_fail (points != NULL || n == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (n < 2)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "The AR2 forecast needs two glucose readings; there %s %u",
                   n == 1 ? "is" : "are", n);
      return FALSE;
    }
  current = &points[n - 1];
  prev = &points[n - 2];
  if (now_ts - current->ts > TW_AR2_MAX_AGE_US)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "The newest glucose reading is %" G_GINT64_FORMAT " minutes old; the AR2 "
                   "forecast needs one from the last 10 minutes",
                   (now_ts - current->ts) / (60 * G_USEC_PER_SEC));
      return FALSE;
    }
  elapsed = current->ts - prev->ts;
  if (elapsed <= 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "The last two glucose readings are not in time order; sort the series");
      return FALSE;
    }
  if (!ok_to_forecast (prev->value, current->value))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "The AR2 forecast needs readings of at least %.0f mg/dL (got %g and %g)",
                   BG_MIN, prev->value, current->value);
      return FALSE;
    }

  five_min_ago = prev->value;
  if (elapsed > INTERPOLATE_AFTER_US)
    five_min_ago = current->value
                   - (current->value - prev->value) / ((double) elapsed / (60 * G_USEC_PER_SEC))
                     * 5;

  /* A fast fall interpolated over a long gap can go through zero: ar2.js
   * then takes the log of a negative number and every value is NaN, so
   * nothing is forecast. */
  if (!(five_min_ago > 0))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "No AR2 forecast: the fall from %g to %g mg/dL over %" G_GINT64_FORMAT
                   " minutes extrapolates below zero 5 minutes before the newest reading",
                   prev->value, current->value, elapsed / (60 * G_USEC_PER_SEC));
      return FALSE;
    }
  forecast_from (five_min_ago, current->value, out);
  for (int step = 0; step < TW_AR2_STEPS; step++)
    out->predicted_ts[step] = current->ts + (step + 1) * (gint64) FIVE_MIN_US;
  return TRUE;
}
