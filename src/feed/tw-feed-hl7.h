#pragma once

#include <glib.h>

#include "tw-feed-params.h"
#include "tw-feed-patient.h"

G_BEGIN_DECLS

/* MSH-3, the sending application, of every message the feed writes. */
#define TW_FEED_HL7_SENDER "TIDEWATCH-FEED"

char *tw_feed_hl7_oru          (const TwFeedParams  *params,
                                const TwFeedPatient *patient,
                                guint64              seq);
char *tw_feed_hl7_adt_a01      (const TwFeedParams  *params,
                                const TwFeedPatient *patient);
char *tw_feed_hl7_oru_id       (const TwFeedParams  *params,
                                guint64              seq);
char *tw_feed_hl7_adt_id       (const TwFeedParams  *params,
                                const TwFeedPatient *patient);
char *tw_feed_hl7_format_ts    (gint64               usec);

G_END_DECLS
