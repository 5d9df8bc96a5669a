#pragma once

#include <glib.h>

#include "tw-point.h"

G_BEGIN_DECLS

/* Nightscout's AR2 glucose forecast (lib/plugins/ar2.js), after DOMAIN.md:
 * an order-2 autoregression in log space around 140 mg/dL, six 5-minute
 * steps ahead, each value rounded and clamped to [36, 400]; the loss and
 * alarm level follow ar2.js exactly (its tests are ours). */

#define TW_AR2_STEPS        6
#define TW_AR2_STEP_US      (5 * G_USEC_PER_SEC * 60)
#define TW_AR2_MAX_AGE_US   (10 * G_USEC_PER_SEC * 60)   /* "recent" */

typedef enum
{
  TW_AR2_LEVEL_NONE,
  TW_AR2_LEVEL_WARN,
  TW_AR2_LEVEL_URGENT,
} TwAr2Level;

typedef enum
{
  TW_AR2_EVENT_NONE,
  TW_AR2_EVENT_LOW,    /* the forecast goes low */
  TW_AR2_EVENT_HIGH,   /* the forecast goes high */
} TwAr2Event;

typedef struct
{
  double     predicted[TW_AR2_STEPS];   /* mg/dL, rounded and clamped */
  gint64     predicted_ts[TW_AR2_STEPS];/* now + 5, 10, … 30 min (0 from tw_ar2_forecast) */
  double     loss;
  TwAr2Level level;
  TwAr2Event event;
} TwAr2Forecast;

const char *tw_ar2_level_to_string (TwAr2Level level);  /* "none", "warn", "urgent" */
const char *tw_ar2_event_to_string (TwAr2Event event);  /* "none", "low", "high" */

/* From two readings 5 minutes apart (mg/dL). FALSE when either is below
 * 36 mg/dL or not a number (ar2.js forecasts nothing then). */
gboolean tw_ar2_forecast        (double          previous_mgdl,
                                 double          now_mgdl,
                                 TwAr2Forecast  *out);

/* From a sorted series, as Nightscout does it: the newest reading must be
 * at most 10 minutes older than @now_ts (ar2.js checkNotifications); its
 * predecessor is used as the value 5 minutes before, except that readings
 * more than 9 minutes apart are interpolated back to 5 minutes before the
 * newest (delta.js mgdl5MinsAgo). The predicted times start at the newest
 * reading. FALSE with @error saying which requirement failed. */
gboolean tw_ar2_forecast_series (const TwPoint  *points,
                                 guint           n,
                                 gint64          now_ts,
                                 TwAr2Forecast  *out,
                                 GError        **error);

G_END_DECLS
