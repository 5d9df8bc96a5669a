#include "tw-feed-connection.h"

#include "tw-feed-message.h"
#include "tw-feed-patient.h"
#include "tw-time.h"

/* Messages fall due on a clock; look for due ones this often at most (or
 * once per tick at high rates), so pacing is accurate to a few
 * milliseconds. */
#define POLL_INTERVAL_MAX_MS 20
#define POLL_INTERVAL_MIN_MS 1
#define MS_PER_SEC           1000.0

/* A resuming client may be owed hours of backlog. Queue at most this many
 * messages per turn of the main loop, and none while the socket is full, so
 * the feed's memory stays bounded however far behind a client is. */
#define MAX_MESSAGES_PER_TURN 2000

/* Run again as soon as the main loop has flushed the socket. */
#define CONTINUE_NOW_MS 0

struct _TwFeedConnection
{
  /* Borrowed: the server outlives its connections. */
  const TwFeedParams *params;
  const TwFeedTransport *transport;
  TwFeedConnectionClosedFunc closed_func;
  gpointer user_data;

  /* Owned */
  gpointer transport_data;
  char *peer;
  guint pump_id;

  guint64 next_seq;
  guint64 n_sent;
  guint poll_interval_ms;
};

static gboolean pump (gpointer user_data);

static void
schedule_pump (TwFeedConnection *self,
               guint             delay_ms)
{
  g_clear_handle_id (&self->pump_id, g_source_remove);
  self->pump_id = g_timeout_add (delay_ms, pump, self);
}

/* ---- websocket transport ------------------------------------------------ */

/* libsoup 3.2 does not tell how much it has queued, but it writes queued
 * frames as soon as the socket takes them: a socket that does not take
 * more means the queue is growing, so wait. */
static gboolean
websocket_takes_more (gpointer transport)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (transport);
  GOutputStream *output = g_io_stream_get_output_stream (stream);

  if (!G_IS_POLLABLE_OUTPUT_STREAM (output)
      || !g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)))
    return TRUE;
  return g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (output));
}

static gboolean
websocket_is_open (gpointer transport)
{
  return soup_websocket_connection_get_state (transport) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
websocket_send (gpointer    transport,
                guint64     seq,
                const char *message)
{
  soup_websocket_connection_send_text (transport, message);
}

static void
websocket_send_end (gpointer    transport,
                    guint64     seq,
                    const char *message)
{
  soup_websocket_connection_send_text (transport, message);
  if (websocket_is_open (transport))
    soup_websocket_connection_close (transport, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

static void on_websocket_closed (SoupWebsocketConnection *websocket,
                                 gpointer                 user_data);
static void on_websocket_error  (SoupWebsocketConnection *websocket,
                                 GError                  *error,
                                 gpointer                 user_data);

static void
websocket_free (gpointer transport)
{
  SoupWebsocketConnection *websocket = transport;

  g_signal_handlers_disconnect_matched (websocket, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                        on_websocket_closed, NULL);
  g_signal_handlers_disconnect_matched (websocket, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                        on_websocket_error, NULL);
  if (websocket_is_open (websocket))
    soup_websocket_connection_close (websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_object_unref (websocket);
}

static const TwFeedTransport websocket_transport = {
  .is_open = websocket_is_open,
  .takes_more = websocket_takes_more,
  .send = websocket_send,
  .send_end = websocket_send_end,
  .free = websocket_free,
};

/* ---- pacing ------------------------------------------------------------- */

static gboolean
is_open (TwFeedConnection *self)
{
  return self->transport->is_open (self->transport_data);
}

static void
send_end (TwFeedConnection *self)
{
  g_autofree char *end = tw_feed_message_end (self->params->count);

  self->transport->send_end (self->transport_data, self->params->count, end);
}

static gboolean
pump (gpointer user_data)
{
  TwFeedConnection *self = user_data;
  gint64 now;
  guint n;

  self->pump_id = 0;

  if (!is_open (self))
    return G_SOURCE_REMOVE;

  if (!self->transport->takes_more (self->transport_data))
    {
      schedule_pump (self, self->poll_interval_ms);
      return G_SOURCE_REMOVE;
    }

  now = tw_time_now ();
  for (n = 0; n < MAX_MESSAGES_PER_TURN; n++)
    {
      g_autofree char *message = NULL;

      /* A failed write closes the websocket under our feet; its "closed"
       * handler will clean up. */
      if (!is_open (self))
        return G_SOURCE_REMOVE;
      if (self->params->count > 0 && self->next_seq > self->params->count)
        {
          send_end (self);
          return G_SOURCE_REMOVE;
        }
      if (tw_feed_params_seq_time (self->params, self->next_seq) > now)
        break;

      message = tw_feed_message_vitals (self->params, self->next_seq);
      self->transport->send (self->transport_data, self->next_seq, message);
      self->next_seq++;
      self->n_sent++;
    }

  schedule_pump (self, n == MAX_MESSAGES_PER_TURN ? CONTINUE_NOW_MS : self->poll_interval_ms);
  return G_SOURCE_REMOVE;
}

/**
 * tw_feed_connection_transport_closed:
 * @connection: a connection
 *
 * For transports: the peer or the feed has closed the connection. Stops
 * sending and tells the owner, who may free @connection.
 */
void
tw_feed_connection_transport_closed (TwFeedConnection *self)
{
  g_return_if_fail (self != NULL);

  g_clear_handle_id (&self->pump_id, g_source_remove);
  self->closed_func (self, self->user_data);
}

static void
on_websocket_closed (SoupWebsocketConnection *websocket,
                     gpointer                 user_data)
{
  tw_feed_connection_transport_closed (user_data);
}

static void
on_websocket_error (SoupWebsocketConnection *websocket,
                    GError                  *error,
                    gpointer                 user_data)
{
  TwFeedConnection *self = user_data;

  g_printerr ("tidewatch-feed: %s: %s\n", self->peer, error->message);
}

static void
send_patients (TwFeedConnection *self)
{
  for (guint i = 0; i < self->params->patients; i++)
    {
      g_autoptr(GPtrArray) messages = tw_feed_message_announce_all (self->params, i);

      for (guint j = 0; j < messages->len; j++)
        {
          if (!is_open (self))
            return;
          self->transport->send (self->transport_data, 0, messages->pdata[j]);
        }
    }
}

static TwFeedConnection *
connection_new (const TwFeedTransport      *transport,
                gpointer                    transport_data,
                const TwFeedParams         *params,
                guint64                     after,
                const char                 *peer,
                TwFeedConnectionClosedFunc  closed_func,
                gpointer                    user_data)
{
  TwFeedConnection *self = g_new0 (TwFeedConnection, 1);
  double tick_ms;

  self->params = params;
  self->transport = transport;
  self->transport_data = transport_data;
  self->closed_func = closed_func;
  self->user_data = user_data;
  self->peer = g_strdup (peer);
  self->next_seq = after + 1;

  tick_ms = MS_PER_SEC / params->rate;
  self->poll_interval_ms = (guint) CLAMP (tick_ms, POLL_INTERVAL_MIN_MS, POLL_INTERVAL_MAX_MS);
  return self;
}

static void
connection_begin (TwFeedConnection *self)
{
  send_patients (self);
  schedule_pump (self, CONTINUE_NOW_MS);
}

/**
 * tw_feed_connection_new:
 * @websocket: a freshly accepted websocket
 * @params: (transfer none): the stream to serve; must outlive the connection
 * @after: the last sequence number the client already has (0 for none)
 * @peer: the client's address, for the log
 * @closed_func: called when the websocket has closed
 * @user_data: passed to @closed_func
 *
 * Announces the patients and starts sending vitals from @after + 1 as
 * they fall due.
 *
 * Returns: (transfer full): the connection
 */
TwFeedConnection *
tw_feed_connection_new (SoupWebsocketConnection    *websocket,
                        const TwFeedParams         *params,
                        guint64                     after,
                        const char                 *peer,
                        TwFeedConnectionClosedFunc  closed_func,
                        gpointer                    user_data)
{
  TwFeedConnection *self;

  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (websocket), NULL);
  g_return_val_if_fail (params != NULL && closed_func != NULL, NULL);
  g_return_val_if_fail (after < G_MAXUINT64, NULL);

  self = connection_new (&websocket_transport, g_object_ref (websocket), params, after, peer,
                         closed_func, user_data);
  g_signal_connect (websocket, "closed", G_CALLBACK (on_websocket_closed), self);
  g_signal_connect (websocket, "error", G_CALLBACK (on_websocket_error), self);
  connection_begin (self);
  return self;
}

/**
 * tw_feed_connection_new_for_transport:
 * @transport: (transfer none): how to reach the client; static
 * @transport_data: (transfer full): the transport's state, released with
 *   @transport's free function when the connection is freed
 * @params: (transfer none): the stream to serve; must outlive the connection
 * @after: the last sequence number the client already has (0 for none)
 * @peer: the client's address, for the log
 * @closed_func: called once the transport reports it closed
 * @user_data: passed to @closed_func
 *
 * Like tw_feed_connection_new(), over any transport. The transport calls
 * tw_feed_connection_transport_closed() when its peer goes away.
 *
 * Returns: (transfer full): the connection
 */
TwFeedConnection *
tw_feed_connection_new_for_transport (const TwFeedTransport      *transport,
                                      gpointer                    transport_data,
                                      const TwFeedParams         *params,
                                      guint64                     after,
                                      const char                 *peer,
                                      TwFeedConnectionClosedFunc  closed_func,
                                      gpointer                    user_data)
{
  TwFeedConnection *self;

  g_return_val_if_fail (transport != NULL && transport_data != NULL, NULL);
  g_return_val_if_fail (params != NULL && closed_func != NULL, NULL);
  g_return_val_if_fail (after < G_MAXUINT64, NULL);

  self = connection_new (transport, transport_data, params, after, peer, closed_func,
                         user_data);
  connection_begin (self);
  return self;
}

/* Closes the connection if it is still open (the feed is going away). */
void
tw_feed_connection_free (TwFeedConnection *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->pump_id, g_source_remove);
  self->transport->free (self->transport_data);
  g_free (self->peer);
  g_free (self);
}

const char *
tw_feed_connection_get_peer (TwFeedConnection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->peer;
}

/* Returns: how many vitals messages this connection has sent */
guint64
tw_feed_connection_get_n_sent (TwFeedConnection *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_sent;
}
