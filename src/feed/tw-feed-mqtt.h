#pragma once

#include <glib.h>

#include "tw-feed-params.h"

G_BEGIN_DECLS

typedef struct _TwFeedMqtt TwFeedMqtt;

TwFeedMqtt *tw_feed_mqtt_new            (const TwFeedParams *params,
                                         const char         *url,
                                         guint64             after,
                                         GError            **error);
guint64     tw_feed_mqtt_get_acked_seq  (TwFeedMqtt         *self);
void        tw_feed_mqtt_free           (TwFeedMqtt         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwFeedMqtt, tw_feed_mqtt_free)

G_END_DECLS
