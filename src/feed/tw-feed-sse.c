#include "tw-feed-sse.h"

#include <string.h>

/* What the feed asks clients to wait before reconnecting. */
#define RETRY_MS             1000
/* A comment now and then shows a quiet client the stream is alive and
 * lets the feed notice a client that has gone. */
#define KEEPALIVE_INTERVAL_S 5
/* Chunks handed to libsoup but not yet written: past this the client is
 * behind, and the pacing waits instead of queueing more. */
#define MAX_UNWRITTEN_CHUNKS 64
#define DECIMAL              10
#define EVENT_STREAM_TYPE    "text/event-stream"
#define END_EVENT            "end"

/**
 * TwFeedSse:
 *
 * The event stream transport of a TwFeedConnection: one streamed
 * (chunked) HTTP response per client, one chunk per event.
 */
typedef struct
{
  SoupServerMessage *msg;
  TwFeedConnection  *connection;   /* borrowed: it owns us */
  guint              keepalive_id;
  guint64            n_appended;
  guint64            n_written;
  gboolean           in_handler;   /* libsoup starts writing when the handler returns */
  gboolean           ended;        /* we completed the response */
  gboolean           finished;     /* libsoup is done with it (written or failed) */
} TwFeedSse;

static gboolean
sse_is_open (gpointer transport)
{
  TwFeedSse *self = transport;

  return !self->ended && !self->finished;
}

static gboolean
sse_takes_more (gpointer transport)
{
  TwFeedSse *self = transport;

  return self->n_appended - self->n_written < MAX_UNWRITTEN_CHUNKS;
}

static void
append (TwFeedSse *self,
        GString   *text)
{
  SoupMessageBody *body = soup_server_message_get_response_body (self->msg);
  gsize len = text->len;

  soup_message_body_append (body, SOUP_MEMORY_TAKE, g_string_free (text, FALSE), len);
  self->n_appended++;
  /* libsoup pauses a streamed response whenever it runs out of chunks. */
  if (!self->in_handler)
    soup_server_message_unpause (self->msg);
}

/* One event; every line of @data becomes a data: line, so any text
 * survives the framing. */
static GString *
format_event (guint64     id,
              const char *type,
              const char *data)
{
  GString *text = g_string_new (NULL);
  const char *line = data;

  if (id > 0)
    g_string_append_printf (text, "id: %" G_GUINT64_FORMAT "\n", id);
  if (type != NULL)
    g_string_append_printf (text, "event: %s\n", type);
  for (;;)
    {
      const char *eol = strchr (line, '\n');

      g_string_append (text, "data: ");
      if (eol == NULL)
        {
          g_string_append (text, line);
          break;
        }
      g_string_append_len (text, line, eol - line);
      g_string_append_c (text, '\n');
      line = eol + 1;
    }
  g_string_append (text, "\n\n");
  return text;
}

static void
sse_send (gpointer    transport,
          guint64     seq,
          const char *message)
{
  TwFeedSse *self = transport;

  if (sse_is_open (self))
    append (self, format_event (seq, NULL, message));
}

static void
sse_send_end (gpointer    transport,
              guint64     seq,
              const char *message)
{
  TwFeedSse *self = transport;

  if (!sse_is_open (self))
    return;
  append (self, format_event (seq, END_EVENT, message));
  self->ended = TRUE;
  soup_message_body_complete (soup_server_message_get_response_body (self->msg));
  soup_server_message_unpause (self->msg);
}

static gboolean
on_keepalive (gpointer user_data)
{
  TwFeedSse *self = user_data;

  if (sse_is_open (self))
    append (self, g_string_new (": keepalive\n\n"));
  return G_SOURCE_CONTINUE;
}

static void
on_wrote_chunk (SoupServerMessage *msg,
                gpointer           user_data)
{
  TwFeedSse *self = user_data;

  self->n_written++;
}

static void
on_finished (SoupServerMessage *msg,
             gpointer           user_data)
{
  TwFeedSse *self = user_data;

  self->finished = TRUE;
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  /* May free the connection, and with it @self. */
  tw_feed_connection_transport_closed (self->connection);
}

static void
sse_free (gpointer transport)
{
  TwFeedSse *self = transport;

  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (self->msg, self);
  /* A feed going away leaves the socket to the server, which closes it. */
  g_clear_object (&self->msg);
  g_free (self);
}

static const TwFeedTransport sse_transport = {
  .is_open = sse_is_open,
  .takes_more = sse_takes_more,
  .send = sse_send,
  .send_end = sse_send_end,
  .free = sse_free,
};

/**
 * tw_feed_sse_refuse:
 * @msg: a request to /events
 * @status: the HTTP status
 * @reason: what was wrong, for the client
 *
 * Answers with an error instead of a stream.
 */
void
tw_feed_sse_refuse (SoupServerMessage *msg,
                    guint              status,
                    const char        *reason)
{
  g_autofree char *text = g_strdup_printf ("%s\n", reason);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, text,
                                    strlen (text));
}

/**
 * tw_feed_sse_accept:
 * @msg: a request to /events, in the server's handler
 * @params: (transfer none): the stream to serve; must outlive the connection
 * @after: the sequence number from `?after=`, 0 for none; a Last-Event-ID
 *   header (a reconnecting EventSource) takes precedence
 * @peer: the client's address, for the log
 * @closed_func: called once the response has ended or the client has gone
 * @user_data: passed to @closed_func
 *
 * Starts an event stream: `retry:`, the patients (without id), then the
 * vitals as `id: SEQ` events paced like the websocket, keepalive comments,
 * and with a count, the end message as `event: end`.
 *
 * Returns: (transfer full) (nullable): the connection, or %NULL when the
 *   request was refused (@msg then carries the error)
 */
TwFeedConnection *
tw_feed_sse_accept (SoupServerMessage          *msg,
                    const TwFeedParams         *params,
                    guint64                     after,
                    const char                 *peer,
                    TwFeedConnectionClosedFunc  closed_func,
                    gpointer                    user_data)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *last_id = soup_message_headers_get_one (request, "Last-Event-ID");
  TwFeedSse *self;

  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg), NULL);
  g_return_val_if_fail (params != NULL && closed_func != NULL, NULL);

  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_GET) != 0)
    {
      soup_message_headers_replace (response, "Allow", SOUP_METHOD_GET);
      tw_feed_sse_refuse (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                          "The event stream is read with GET");
      return NULL;
    }
  /* The largest value is refused: nothing can follow it. */
  if (last_id != NULL && *last_id != '\0'
      && !g_ascii_string_to_unsigned (last_id, DECIMAL, 0, G_MAXUINT64 - 1, &after, NULL))
    {
      g_autofree char *reason = g_strdup_printf ("Last-Event-ID '%s' is not a sequence number "
                                                 "to resume after", last_id);

      g_printerr ("tidewatch-feed: %s refused: %s\n", peer, reason);
      tw_feed_sse_refuse (msg, SOUP_STATUS_BAD_REQUEST, reason);
      return NULL;
    }

  g_printerr ("tidewatch-feed: %s connected (event stream), resuming after seq %" G_GUINT64_FORMAT
              "\n", peer, after);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (response, EVENT_STREAM_TYPE, NULL);
  soup_message_headers_replace (response, "Cache-Control", "no-cache");
  soup_message_headers_set_encoding (response, SOUP_ENCODING_CHUNKED);
  /* Written chunks are dropped, so a long stream does not pile up. */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  self = g_new0 (TwFeedSse, 1);
  self->msg = g_object_ref (msg);
  self->in_handler = TRUE;
  append (self, g_string_new ("retry: " G_STRINGIFY (RETRY_MS) "\n\n"));
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), self);
  g_signal_connect (msg, "finished", G_CALLBACK (on_finished), self);
  self->connection = tw_feed_connection_new_for_transport (&sse_transport, self, params, after,
                                                           peer, closed_func, user_data);
  self->keepalive_id = g_timeout_add_seconds (KEEPALIVE_INTERVAL_S, on_keepalive, self);
  self->in_handler = FALSE;
  return self->connection;
}
