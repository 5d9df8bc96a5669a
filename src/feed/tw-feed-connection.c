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
  TwFeedConnectionClosedFunc closed_func;
  gpointer user_data;

  /* Owned */
  SoupWebsocketConnection *websocket;
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

/* libsoup 3.2 does not tell how much it has queued, but it writes queued
 * frames as soon as the socket takes them: a socket that does not take
 * more means the queue is growing, so wait. */
static gboolean
socket_takes_more (TwFeedConnection *self)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (self->websocket);
  GOutputStream *output = g_io_stream_get_output_stream (stream);

  if (!G_IS_POLLABLE_OUTPUT_STREAM (output)
      || !g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)))
    return TRUE;
  return g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (output));
}

static gboolean
is_open (TwFeedConnection *self)
{
  return soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
send_end (TwFeedConnection *self)
{
  g_autofree char *end = tw_feed_message_end (self->params->count);

  soup_websocket_connection_send_text (self->websocket, end);
  if (is_open (self))
    soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
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

  if (!socket_takes_more (self))
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
      soup_websocket_connection_send_text (self->websocket, message);
      self->next_seq++;
      self->n_sent++;
    }

  schedule_pump (self, n == MAX_MESSAGES_PER_TURN ? CONTINUE_NOW_MS : self->poll_interval_ms);
  return G_SOURCE_REMOVE;
}

static void
on_closed (SoupWebsocketConnection *websocket,
           gpointer                 user_data)
{
  TwFeedConnection *self = user_data;

  g_clear_handle_id (&self->pump_id, g_source_remove);
  self->closed_func (self, self->user_data);
}

static void
on_error (SoupWebsocketConnection *websocket,
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
      g_autoptr(TwFeedPatient) patient = tw_feed_patient_new (self->params, i);
      g_autofree char *message = tw_feed_message_patient (patient);

      if (!is_open (self))
        return;
      soup_websocket_connection_send_text (self->websocket, message);
    }
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
  double tick_ms;

  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (websocket), NULL);
  g_return_val_if_fail (params != NULL && closed_func != NULL, NULL);
  g_return_val_if_fail (after < G_MAXUINT64, NULL);

  self = g_new0 (TwFeedConnection, 1);
  self->params = params;
  self->closed_func = closed_func;
  self->user_data = user_data;
  self->websocket = g_object_ref (websocket);
  self->peer = g_strdup (peer);
  self->next_seq = after + 1;

  tick_ms = MS_PER_SEC / params->rate;
  self->poll_interval_ms = (guint) CLAMP (tick_ms, POLL_INTERVAL_MIN_MS, POLL_INTERVAL_MAX_MS);

  g_signal_connect (websocket, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (websocket, "error", G_CALLBACK (on_error), self);

  send_patients (self);
  schedule_pump (self, CONTINUE_NOW_MS);
  return self;
}

/* Closes the websocket if it is still open (the feed is going away). */
void
tw_feed_connection_free (TwFeedConnection *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->pump_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (self->websocket, self);
  if (is_open (self))
    soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_clear_object (&self->websocket);
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
