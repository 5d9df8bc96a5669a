#include <libsoup/soup.h>

#include "tw-error.h"
#include "tw-json-codec.h"
#include "tw-time.h"
#include "tw-ws-source.h"

/* A batch goes to the engine when it is this big or this old: small
 * enough to bound latency, big enough to amortise the queue. */
#define BATCH_MAX_MESSAGES   1000
#define FLUSH_INTERVAL_MS    50
#define RATE_INTERVAL_US     TW_USEC_PER_SEC
#define RATE_SMOOTHING       0.5
#define BACKOFF_INITIAL_MS   250
#define BACKOFF_MAX_MS       10000
#define MAX_INCOMING_PAYLOAD (2 * 1024 * 1024)

struct _TwWsSource
{
  char                    *url;
  TwQueue                 *queue;
  TwSourceLive            *live;
  SoupSession             *session;
  SoupWebsocketConnection *connection;
  GCancellable            *cancellable;
  TwBatch                 *batch;
  gint64                   resume_after;   /* highest sequence handed to the engine */
  guint                    attempt;
  guint                    flush_id;
  guint                    reconnect_id;
  gboolean                 finished;
  gboolean                 stopping;
  guint64                  rate_count;
  gint64                   rate_since;
};

static void connect_now (TwWsSource *self);

/* g_timeout_add() would attach to the global default context, i.e. the
 * main thread: everything of a source must run on the ingest thread. */
static guint
timeout_add_here (guint       interval_ms,
                  GSourceFunc func,
                  gpointer    data)
{
  g_autoptr(GSource) source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, func, data, NULL);
  return g_source_attach (source, g_main_context_get_thread_default ());
}

static void
remove_source_here (guint *id)
{
  GSource *source;

  if (*id == 0)
    return;
  source = g_main_context_find_source_by_id (g_main_context_get_thread_default (), *id);
  if (source != NULL)
    g_source_destroy (source);
  *id = 0;
}

gboolean
tw_ws_source_check_url (const char  *url,
                        GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL || scheme == NULL || g_uri_get_host (uri) == NULL
      || (g_ascii_strcasecmp (scheme, "ws") != 0 && g_ascii_strcasecmp (scheme, "wss") != 0))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "‘%s’ is not a websocket address; expected ws://host:port/path or wss://…", url);
      return FALSE;
    }
  return TRUE;
}

TwWsSource *
tw_ws_source_new (const char   *url,
                  gint64        resume_after,
                  TwQueue      *queue,
                  TwSourceLive *live)
{
  TwWsSource *self = g_new0 (TwWsSource, 1);

  self->url = g_strdup (url);
  self->queue = queue;
  self->live = live;
  self->resume_after = resume_after;
  self->cancellable = g_cancellable_new ();
  return self;
}

/* Hands the current batch to the engine. Blocks while the queue is full:
 * that is the backpressure — we stop reading the socket, the peer's TCP
 * window fills, and nothing is dropped. */
static void
flush_batch (TwWsSource *self)
{
  TwBatch *batch = g_steal_pointer (&self->batch);
  gint64 cursor;

  if (batch == NULL)
    return;
  cursor = batch->cursor_seq;
  if (!tw_queue_push (self->queue, batch))
    {
      /* Closed: the pipeline is shutting down without us; the data was
       * never acknowledged, the next run fetches it again. */
      tw_batch_free (batch);
      return;
    }
  if (cursor > self->resume_after)
    self->resume_after = cursor;
  g_mutex_lock (&self->live->mutex);
  self->live->pushed_batches++;
  g_mutex_unlock (&self->live->mutex);
}

static void
update_rate (TwWsSource *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 elapsed = now - self->rate_since;

  if (self->rate_since == 0)
    {
      self->rate_since = now;
      return;
    }
  if (elapsed < RATE_INTERVAL_US)
    return;

  g_mutex_lock (&self->live->mutex);
  self->live->message_rate = RATE_SMOOTHING * self->live->message_rate
                             + (1.0 - RATE_SMOOTHING) * (double) self->rate_count
                               * TW_USEC_PER_SEC / (double) elapsed;
  g_mutex_unlock (&self->live->mutex);
  self->rate_count = 0;
  self->rate_since = now;
}

static gboolean
on_flush_timeout (gpointer user_data)
{
  TwWsSource *self = user_data;

  flush_batch (self);
  update_rate (self);
  return G_SOURCE_CONTINUE;
}

static void
schedule_reconnect (TwWsSource *self,
                    const char *reason);

static void
finish (TwWsSource *self)
{
  flush_batch (self);
  self->finished = TRUE;
  tw_source_live_set_state (self->live, TW_SOURCE_STATE_FINISHED, NULL);
}

static void
on_message (SoupWebsocketConnection *connection,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  TwWsSource *self = user_data;
  gsize len = 0;
  const char *data = g_bytes_get_data (message, &len);
  TwDecodeResult result;
  gint64 seq = -1;

  if (self->batch == NULL)
    self->batch = tw_batch_new (self->live->source_id);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      tw_batch_add_reject (self->batch, "binary websocket frame; native JSON is sent as text",
                           data, len);
      result = TW_DECODE_REJECTED;
    }
  else
    {
      result = tw_json_codec_decode (self->batch, data, len, &seq);
    }

  self->batch->n_messages++;
  if (seq > self->batch->cursor_seq)
    self->batch->cursor_seq = seq;
  self->rate_count++;
  g_mutex_lock (&self->live->mutex);
  self->live->received++;
  g_mutex_unlock (&self->live->mutex);

  if (result == TW_DECODE_END)
    {
      finish (self);
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, "end of stream");
      return;
    }
  if (self->batch->n_messages >= BATCH_MAX_MESSAGES)
    flush_batch (self);
}

static void
drop_connection (TwWsSource *self)
{
  if (self->connection == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->connection, self);
  if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_clear_object (&self->connection);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  TwWsSource *self = user_data;
  g_autofree char *reason = NULL;
  gushort code = soup_websocket_connection_get_close_code (connection);

  flush_batch (self);
  drop_connection (self);
  if (self->finished || self->stopping)
    return;
  if (code != 0)
    reason = g_strdup_printf ("The stream closed (code %u)", code);
  else
    reason = g_strdup ("The connection was lost");
  schedule_reconnect (self, reason);
}

static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  TwWsSource *self = user_data;

  tw_source_live_set_state (self->live, TW_SOURCE_STATE_CONNECTED, error->message);
}

static gboolean
on_reconnect_timeout (gpointer user_data)
{
  TwWsSource *self = user_data;

  self->reconnect_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (TwWsSource *self,
                    const char *reason)
{
  guint base = BACKOFF_INITIAL_MS;
  guint delay;

  for (guint i = 0; i < self->attempt && base < BACKOFF_MAX_MS; i++)
    base *= 2;
  base = MIN (base, BACKOFF_MAX_MS);
  /* Equal jitter: half fixed, half random, so many clients of one feed do
   * not all come back in the same millisecond. */
  delay = base / 2 + g_random_int_range (0, (gint32) (base / 2) + 1);
  self->attempt++;

  g_mutex_lock (&self->live->mutex);
  self->live->reconnects++;
  g_mutex_unlock (&self->live->mutex);
  {
    g_autofree char *message = g_strdup_printf ("%s; retrying in %.1f s", reason, delay / 1000.0);
    tw_source_live_set_state (self->live, TW_SOURCE_STATE_RECONNECTING, message);
  }

  self->reconnect_id = timeout_add_here (delay, on_reconnect_timeout, self);
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TwWsSource *self = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *connection;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (connection == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      schedule_reconnect (self, error->message);
      return;
    }

  self->connection = connection;
  self->attempt = 0;
  soup_websocket_connection_set_max_incoming_payload_size (connection, MAX_INCOMING_PAYLOAD);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (connection, "error", G_CALLBACK (on_error), self);
  g_mutex_lock (&self->live->mutex);
  self->live->state = TW_SOURCE_STATE_CONNECTED;
  g_clear_pointer (&self->live->last_error, g_free);
  g_mutex_unlock (&self->live->mutex);
}

static char *
resume_url (TwWsSource *self)
{
  g_autoptr(GUri) uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *query = NULL;
  g_autoptr(GUri) resumed = NULL;

  if (uri == NULL || self->resume_after < 1)
    return g_strdup (self->url);
  if (g_uri_get_query (uri) != NULL && *g_uri_get_query (uri) != '\0')
    query = g_strdup_printf ("%s&after=%" G_GINT64_FORMAT, g_uri_get_query (uri),
                             self->resume_after);
  else
    query = g_strdup_printf ("after=%" G_GINT64_FORMAT, self->resume_after);
  resumed = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), g_uri_get_userinfo (uri),
                         g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                         query, g_uri_get_fragment (uri));
  return g_uri_to_string (resumed);
}

static void
connect_now (TwWsSource *self)
{
  g_autofree char *url = resume_url (self);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

  if (self->connection == NULL && self->live->state != TW_SOURCE_STATE_RECONNECTING)
    tw_source_live_set_state (self->live, TW_SOURCE_STATE_CONNECTING, NULL);
  if (msg == NULL)
    {
      tw_source_live_set_state (self->live, TW_SOURCE_STATE_STOPPED, "Invalid websocket address");
      return;
    }
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, on_connected, self);
}

void
tw_ws_source_start (TwWsSource *self)
{
  g_return_if_fail (self->session == NULL);

  self->session = soup_session_new_with_options ("user-agent", "Tidewatch", NULL);
  self->flush_id = timeout_add_here (FLUSH_INTERVAL_MS, on_flush_timeout, self);
  connect_now (self);
}

void
tw_ws_source_stop (TwWsSource *self)
{
  self->stopping = TRUE;
  g_cancellable_cancel (self->cancellable);
  remove_source_here (&self->reconnect_id);
  remove_source_here (&self->flush_id);
  drop_connection (self);
  flush_batch (self);
  if (!self->finished)
    tw_source_live_set_state (self->live, TW_SOURCE_STATE_STOPPED, NULL);
}

void
tw_ws_source_free (TwWsSource *self)
{
  if (self == NULL)
    return;
  if (!self->stopping)
    tw_ws_source_stop (self);
  g_clear_pointer (&self->batch, tw_batch_free);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_free (self->url);
  g_free (self);
}
