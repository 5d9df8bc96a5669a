#pragma once

#include <libsoup/soup.h>

#include "tw-feed-params.h"

G_BEGIN_DECLS

typedef struct _TwFeedConnection TwFeedConnection;

/**
 * TwFeedConnectionClosedFunc:
 * @connection: the connection that closed
 * @user_data: data given to tw_feed_connection_new()
 *
 * Called once when the peer or the feed has closed the connection; the
 * callee may free @connection.
 */
typedef void (*TwFeedConnectionClosedFunc) (TwFeedConnection *connection,
                                            gpointer          user_data);

/**
 * TwFeedTransport:
 * @is_open: whether the client can still be sent messages
 * @takes_more: whether the client keeps up; while it does not, the
 *   connection waits instead of queueing more
 * @send: sends one message; @seq is 0 for a patient announcement
 * @send_end: sends the end message, then closes
 * @free: says goodbye if still open and releases the transport; nothing
 *   of it may call back after this
 *
 * How a connection reaches its client: a websocket (built in) or an
 * event stream (tw-feed-sse.c). The pacing and the messages are the
 * connection's, identical for every transport.
 */
typedef struct
{
  gboolean (*is_open)    (gpointer    transport);
  gboolean (*takes_more) (gpointer    transport);
  void     (*send)       (gpointer    transport,
                          guint64     seq,
                          const char *message);
  void     (*send_end)   (gpointer    transport,
                          guint64     seq,
                          const char *message);
  void     (*free)       (gpointer    transport);
} TwFeedTransport;

TwFeedConnection *tw_feed_connection_new        (SoupWebsocketConnection    *websocket,
                                                 const TwFeedParams         *params,
                                                 guint64                     after,
                                                 const char                 *peer,
                                                 TwFeedConnectionClosedFunc  closed_func,
                                                 gpointer                    user_data);
TwFeedConnection *tw_feed_connection_new_for_transport
                                                (const TwFeedTransport      *transport,
                                                 gpointer                    transport_data,
                                                 const TwFeedParams         *params,
                                                 guint64                     after,
                                                 const char                 *peer,
                                                 TwFeedConnectionClosedFunc  closed_func,
                                                 gpointer                    user_data);
void              tw_feed_connection_transport_closed
                                                (TwFeedConnection           *connection);
void              tw_feed_connection_free       (TwFeedConnection           *connection);
const char       *tw_feed_connection_get_peer   (TwFeedConnection           *connection);
guint64           tw_feed_connection_get_n_sent (TwFeedConnection           *connection);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwFeedConnection, tw_feed_connection_free)

G_END_DECLS
