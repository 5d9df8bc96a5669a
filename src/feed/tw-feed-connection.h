#pragma once

#include <libsoup/soup.h>

#include "tw-feed-params.h"

G_BEGIN_DECLS

typedef struct _TwFeedConnection TwFeedConnection;

/**
 * TwFeedConnectionClosedFunc:
 * @connection: the connection whose websocket closed
 * @user_data: data given to tw_feed_connection_new()
 *
 * Called once when the peer or the feed has closed the websocket; the
 * callee may free @connection.
 */
typedef void (*TwFeedConnectionClosedFunc) (TwFeedConnection *connection,
                                            gpointer          user_data);

TwFeedConnection *tw_feed_connection_new        (SoupWebsocketConnection    *websocket,
                                                 const TwFeedParams         *params,
                                                 guint64                     after,
                                                 const char                 *peer,
                                                 TwFeedConnectionClosedFunc  closed_func,
                                                 gpointer                    user_data);
void              tw_feed_connection_free       (TwFeedConnection           *connection);
const char       *tw_feed_connection_get_peer   (TwFeedConnection           *connection);
guint64           tw_feed_connection_get_n_sent (TwFeedConnection           *connection);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwFeedConnection, tw_feed_connection_free)

G_END_DECLS
