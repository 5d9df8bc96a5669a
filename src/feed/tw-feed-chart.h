#pragma once

#include <glib.h>

#include "tw-clinical.h"
#include "tw-feed-params.h"
#include "tw-feed-patient.h"

G_BEGIN_DECLS

/* CGM readings come every five minutes, like a Dexcom or Libre sensor. */
#define TW_FEED_CGM_INTERVAL_US (300 * G_GINT64_CONSTANT (1000000))
/* The first CGM patient brings 14 days of history (the AGP's window), the
 * others one day, so a 100-bed ward still starts in a few seconds. */
#define TW_FEED_CGM_BACKFILL_DAYS       14
#define TW_FEED_CGM_OTHER_BACKFILL_DAYS 1

/**
 * TwFeedChart:
 * @records: (element-type TwClinicalRecord): demographics first, then the
 *   admission, diagnoses, history, prescriptions, allergies, treatments
 *
 * The chart of one simulated patient: a pure function of the feed's
 * parameters and the patient's index, like everything the feed sends.
 * Strings live in the chart.
 */
typedef struct _TwFeedChart
{
  GStringChunk *strings;
  GArray       *records;
} TwFeedChart;

TwFeedChart *tw_feed_chart_new       (const TwFeedParams  *params,
                                      guint                index);
void         tw_feed_chart_free      (TwFeedChart         *chart);
void         tw_feed_chart_add       (TwFeedChart         *chart,
                                      const TwClinicalRecord *record);
const TwClinicalRecord *tw_feed_chart_find (const TwFeedChart *chart,
                                            TwClinicalKind      kind);

char        *tw_feed_chart_record_message (const TwClinicalRecord *record);

gboolean     tw_feed_chart_has_cgm   (const TwFeedParams  *params,
                                      guint                index);
int          tw_feed_chart_glucose   (const TwFeedParams  *params,
                                      guint                index,
                                      gint64               slot);
gboolean     tw_feed_chart_glucose_due (const TwFeedParams *params,
                                        guint64             seq,
                                        int                *out_mg_dl);
void         tw_feed_chart_backfill  (const TwFeedParams  *params,
                                      guint                index,
                                      GPtrArray           *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwFeedChart, tw_feed_chart_free)

G_END_DECLS
