#pragma once

#include <glib.h>

#include "tw-feed-params.h"
#include "tw-feed-patient.h"

G_BEGIN_DECLS

/* The native JSON format (docs/native-json.md) this feed speaks. */
#define TW_FEED_FORMAT_VERSION 1

char *tw_feed_message_patient (const TwFeedPatient *patient);
char *tw_feed_message_vitals  (const TwFeedParams  *params,
                               guint64              seq);
char *tw_feed_message_end     (guint64              seq);
char *tw_feed_message_announce (const TwFeedParams *params,
                                guint               index);
GPtrArray *tw_feed_message_announce_all (const TwFeedParams *params,
                                         guint               index);

G_END_DECLS
