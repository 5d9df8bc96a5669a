#pragma once

#include <glib-object.h>

#include "tw-feed-params.h"

G_BEGIN_DECLS

#define TW_TYPE_FEED_SERVER (tw_feed_server_get_type ())

G_DECLARE_FINAL_TYPE (TwFeedServer, tw_feed_server, TW, FEED_SERVER, GObject)

TwFeedServer *tw_feed_server_new        (const TwFeedParams *params);
gboolean      tw_feed_server_listen     (TwFeedServer       *self,
                                         guint               port,
                                         GError            **error);
guint         tw_feed_server_get_port   (TwFeedServer       *self);
guint64       tw_feed_server_get_n_sent (TwFeedServer       *self);

G_END_DECLS
