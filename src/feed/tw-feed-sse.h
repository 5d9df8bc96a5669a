#pragma once

#include <libsoup/soup.h>

#include "tw-feed-connection.h"

G_BEGIN_DECLS

/* The event stream lives beside the websocket, on the same port. */
#define TW_FEED_SSE_PATH "/events"

TwFeedConnection *tw_feed_sse_accept (SoupServerMessage          *msg,
                                      const TwFeedParams         *params,
                                      guint64                     after,
                                      const char                 *peer,
                                      TwFeedConnectionClosedFunc  closed_func,
                                      gpointer                    user_data);
void              tw_feed_sse_refuse (SoupServerMessage          *msg,
                                      guint                       status,
                                      const char                 *reason);

G_END_DECLS
