#pragma once

#include <glib.h>

#include "tw-feed-params.h"

G_BEGIN_DECLS

/* Temperatures are carried in tenths of a degree so that the text of a
 * message never depends on floating-point formatting. */
#define TW_FEED_TEMP_TENTHS 10

/**
 * TwFeedVitals:
 * @hr: heart rate /min
 * @rr: respiration rate /min
 * @spo2: oxygen saturation %
 * @sbp: systolic pressure mm[Hg]
 * @dbp: diastolic pressure mm[Hg]
 * @temp_tenths: body temperature in 0.1 °C
 * @o2: 1 when the patient is given supplemental oxygen, else 0 (air)
 * @acvpu: consciousness, 0 alert … 4 unresponsive (TwAcvpu)
 *
 * One rounded set of bedside measurements.
 */
typedef struct
{
  int hr;
  int rr;
  int spo2;
  int sbp;
  int dbp;
  int temp_tenths;
  int o2;
  int acvpu;
} TwFeedVitals;

void tw_feed_physiology_compute (const TwFeedParams *params,
                                 guint64             seq,
                                 TwFeedVitals       *out);

G_END_DECLS
