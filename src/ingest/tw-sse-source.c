#include <libsoup/soup.h>
#include <string.h>

#include "tw-error.h"
#include "tw-sse-parser.h"
#include "tw-sse-source.h"

#define READ_BUFFER_SIZE       (64 * 1024)
/* Like the largest message any codec takes; a longer event is quarantined
 * by its start instead of filling memory. */
#define MAX_EVENT_BYTES        TW_CODEC_MAX_MESSAGE_BYTES
#define BYTES_PER_MIB          (1024 * 1024)

/* Bytes of any kind (data or a keepalive comment) prove the stream alive;
 * after this long without any, the connection is presumed dead (a silent
 * proxy, a half-open TCP connection) and replaced. */
#define STALL_PARAM            "stall"
#define DEFAULT_STALL_SECONDS  15.0
#define MIN_STALL_SECONDS      0.1
#define MAX_STALL_SECONDS      3600.0

/* A server's `retry:` is where the backoff starts (the base still doubles
 * it after each failed attempt in a row). */
#define RETRY_MIN_MS           100
#define RETRY_MAX_MS           (3600 * 1000)

#define EVENT_STREAM_TYPE      "text/event-stream"
#define END_EVENT              "end"
#define DECIMAL                10

typedef struct _TwSseSource TwSseSource;

/* One HTTP request and its response stream. Every pending operation holds
 * a reference, so callbacks that arrive after the source dropped the
 * connection (or was freed) find @owner NULL and stop there. */
typedef struct
{
  gint          ref_count;
  TwSseSource  *owner;
  SoupMessage  *msg;
  GInputStream *stream;
  GCancellable *cancellable;
  guint8       *buffer;
} SseConnection;

struct _TwSseSource
{
  TwSource       parent;
  SoupSession   *session;
  char          *request_url;    /* without our own parameters */
  char          *shown_url;      /* the same without a password, for messages */
  gint64         stall_us;
  TwSseParser   *parser;
  SseConnection *connection;
  guint          stall_id;
  gint64         last_bytes_at;  /* monotonic */
};

static void connect_now (TwSseSource *self);

static SseConnection *
sse_connection_ref (SseConnection *conn)
{
  conn->ref_count++;
  return conn;
}

static void
sse_connection_unref (SseConnection *conn)
{
  if (--conn->ref_count > 0)
    return;
  /* Cancelled first: closing a response stream otherwise reads the rest
   * of the body, and an event stream has no end. */
  g_cancellable_cancel (conn->cancellable);
  if (conn->stream != NULL)
    g_input_stream_close (conn->stream, conn->cancellable, NULL);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->msg);
  g_clear_object (&conn->cancellable);
  g_free (conn->buffer);
  g_free (conn);
}

/* Returns: the id as a number, or -1 when it is not a plain decimal */
static gint64
numeric_id (const char *id)
{
  gint64 value;

  if (id == NULL || !g_ascii_isdigit (id[0]))
    return -1;
  if (!g_ascii_string_to_signed (id, DECIMAL, 0, G_MAXINT64, &value, NULL))
    return -1;
  return value;
}

static gboolean
on_reconnect_timeout (gpointer user_data)
{
  TwSseSource *self = user_data;

  self->parent.reconnect_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
drop_connection (TwSseSource *self)
{
  SseConnection *conn = g_steal_pointer (&self->connection);

  tw_source_remove_timeout (&self->stall_id);
  if (conn == NULL)
    return;
  conn->owner = NULL;
  g_cancellable_cancel (conn->cancellable);
  sse_connection_unref (conn);
}

/* The base's backoff, but starting from the server's `retry:` when it
 * sent one (WHATWG: the reconnection time is the server's to choose). */
static void
schedule_reconnect (TwSseSource *self,
                    const char  *reason)
{
  TwSource *source = &self->parent;
  gint64 retry = tw_sse_parser_get_retry_ms (self->parser);

  if (strstr (reason, self->shown_url) != NULL)
    g_debug ("%s", reason);
  else
    g_debug ("Event stream %s: %s", self->shown_url, reason);
  if (retry >= 0)
    source->min_backoff_ms = (guint) CLAMP (retry, RETRY_MIN_MS, RETRY_MAX_MS);
  tw_source_schedule_reconnect (source, reason, on_reconnect_timeout);
}

static void
fail_connection (TwSseSource *self,
                 const char  *reason)
{
  drop_connection (self);
  schedule_reconnect (self, reason);
}

/* ---- events ------------------------------------------------------------- */

static gboolean
looks_like_json (const char *data,
                 gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (data[i]))
      return data[i] == '{';
  return FALSE;
}

static gboolean
on_event (const TwSseEvent *event,
          gpointer          user_data)
{
  TwSseSource *self = user_data;
  TwSource *source = &self->parent;
  gboolean is_end = g_str_equal (event->type, END_EVENT);
  TwDecodeInfo info = { .seq = -1 };
  TwDecodeResult result = TW_DECODE_OK;
  TwBatch *batch;
  gint64 cursor;

  if (event->oversize)
    {
      g_autofree char *reason = NULL;

      reason = g_strdup_printf ("event longer than %u MiB; only its start is kept",
                                (guint) (MAX_EVENT_BYTES / BYTES_PER_MIB));
      batch = tw_source_get_batch (source);
      tw_batch_add_reject (batch, reason, event->data,
                           MIN (event->data_len, TW_CODEC_MAX_QUARANTINE_BYTES));
      batch->n_messages++;
    }
  /* `event: end` may carry the native end message (then its seq counts) or
   * any word of the server's; only the former is a message. */
  else if (!is_end || looks_like_json (event->data, event->data_len))
    result = tw_source_decode (source, event->data, event->data_len, &info);

  /* Our feed's ids are its sequence numbers; a foreign server's numeric
   * ids are its cursor just as well. */
  cursor = numeric_id (event->last_event_id);
  if (cursor < 0)
    cursor = info.seq;
  batch = tw_source_get_batch (source);
  if (cursor > batch->cursor_seq)
    batch->cursor_seq = cursor;

  if (is_end || result == TW_DECODE_END)
    {
      tw_source_finish (source);
      return FALSE;
    }
  tw_source_message_done (source);
  return TRUE;
}

/* ---- connection --------------------------------------------------------- */

static gboolean
on_stall_check (gpointer user_data)
{
  TwSseSource *self = user_data;
  gint64 quiet = g_get_monotonic_time () - self->last_bytes_at;
  g_autofree char *reason = NULL;

  self->stall_id = 0;
  if (quiet < self->stall_us)
    {
      guint wait_ms = (guint) ((self->stall_us - quiet + 999) / 1000);

      self->stall_id = tw_source_timeout_add (wait_ms, on_stall_check, self);
      return G_SOURCE_REMOVE;
    }
  reason = g_strdup_printf ("no data for %g s (stalled stream)",
                            (double) self->stall_us / G_USEC_PER_SEC);
  fail_connection (self, reason);
  return G_SOURCE_REMOVE;
}

static void
arm_stall_timer (TwSseSource *self)
{
  self->last_bytes_at = g_get_monotonic_time ();
  tw_source_remove_timeout (&self->stall_id);
  self->stall_id = tw_source_timeout_add ((guint) (self->stall_us / 1000), on_stall_check, self);
}

static void on_read (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data);

static void
read_next (SseConnection *conn)
{
  g_input_stream_read_async (conn->stream, conn->buffer, READ_BUFFER_SIZE, G_PRIORITY_DEFAULT,
                             conn->cancellable, on_read, sse_connection_ref (conn));
}

static void
handle_read (TwSseSource   *self,
             SseConnection *conn,
             gssize         n,
             const GError  *error)
{
  g_autofree char *reason = NULL;

  if (n < 0)
    {
      reason = g_strdup_printf ("The event stream from %s broke: %s", self->shown_url,
                                error->message);
      fail_connection (self, reason);
      return;
    }
  if (n == 0)
    {
      reason = g_strdup_printf ("%s closed the event stream", self->shown_url);
      fail_connection (self, reason);
      return;
    }

  self->last_bytes_at = g_get_monotonic_time ();
  tw_sse_parser_feed (self->parser, (const char *) conn->buffer, (gsize) n);
  if (self->parent.finished || tw_sse_parser_is_stopped (self->parser))
    {
      drop_connection (self);
      return;
    }
  /* Time spent waiting for a full queue (backpressure) is not silence on
   * the wire. */
  self->last_bytes_at = g_get_monotonic_time ();
  read_next (conn);
}

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SseConnection *conn = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (conn->owner != NULL)
    handle_read (conn->owner, conn, n, error);
  sse_connection_unref (conn);
}

/* Returns: why the response is not an event stream, or %NULL */
static char *
check_response (TwSseSource *self,
                SoupMessage *msg)
{
  guint status = soup_message_get_status (msg);
  const char *type;

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *phrase = soup_message_get_reason_phrase (msg);

      if (phrase == NULL || *phrase == '\0')
        phrase = soup_status_get_phrase (status);
      return g_strdup_printf ("%s answered %u %s; is this an event stream?", self->shown_url,
                              status, phrase != NULL ? phrase : "");
    }
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  if (type == NULL || g_ascii_strcasecmp (type, EVENT_STREAM_TYPE) != 0)
    return g_strdup_printf ("%s answered with %s, not " EVENT_STREAM_TYPE
                            "; is this an event stream?", self->shown_url,
                            type != NULL ? type : "no content type");
  return NULL;
}

static void
handle_response (TwSseSource   *self,
                 SseConnection *conn,
                 const GError  *error)
{
  g_autofree char *problem = NULL;

  if (conn->stream == NULL)
    {
      fail_connection (self, error->message);
      return;
    }
  if (soup_message_get_status (conn->msg) == SOUP_STATUS_NO_CONTENT)
    {
      /* WHATWG: 204 is how a server tells clients to stop reconnecting. */
      drop_connection (self);
      tw_source_finish (&self->parent);
      return;
    }
  problem = check_response (self, conn->msg);
  if (problem != NULL)
    {
      fail_connection (self, problem);
      return;
    }
  tw_source_connected (&self->parent);
  self->last_bytes_at = g_get_monotonic_time ();
  read_next (conn);
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SseConnection *conn = user_data;
  g_autoptr(GError) error = NULL;

  conn->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (conn->owner != NULL)
    handle_response (conn->owner, conn, error);
  sse_connection_unref (conn);
}

/* Returns: (nullable): the Last-Event-ID to send */
static char *
resume_id (TwSseSource *self)
{
  const char *last = tw_sse_parser_get_last_event_id (self->parser);

  /* A server whose ids are not numbers understands only its own ids (they
   * live as long as this process: the store keeps numeric cursors). */
  if (*last != '\0' && numeric_id (last) < 0)
    return g_strdup (last);
  if (self->parent.resume_after >= 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, self->parent.resume_after);
  return NULL;
}

static void
connect_now (TwSseSource *self)
{
  g_autofree char *last_id = resume_id (self);
  SoupMessageHeaders *headers;
  SseConnection *conn;
  SoupMessage *msg;

  if (self->parent.live->state != TW_SOURCE_STATE_RECONNECTING)
    tw_source_live_set_state (self->parent.live, TW_SOURCE_STATE_CONNECTING, NULL);
  msg = soup_message_new (SOUP_METHOD_GET, self->request_url);
  if (msg == NULL)
    {
      tw_source_live_set_state (self->parent.live, TW_SOURCE_STATE_STOPPED,
                                "Invalid event stream address");
      return;
    }
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", EVENT_STREAM_TYPE);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  if (last_id != NULL)
    soup_message_headers_replace (headers, "Last-Event-ID", last_id);

  tw_sse_parser_reset (self->parser);
  conn = g_new0 (SseConnection, 1);
  conn->ref_count = 1;
  conn->owner = self;
  conn->msg = msg;
  conn->cancellable = g_cancellable_new ();
  conn->buffer = g_malloc (READ_BUFFER_SIZE);
  self->connection = conn;
  /* The stall clock runs from the request: a server that accepts the
   * connection and never answers is stalled too. */
  arm_stall_timer (self);
  soup_session_send_async (self->session, msg, G_PRIORITY_DEFAULT, conn->cancellable, on_sent,
                           sse_connection_ref (conn));
}

/* ---- class -------------------------------------------------------------- */

static void
tw_sse_source_start (TwSource *source)
{
  TwSseSource *self = (TwSseSource *) source;

  /* No I/O timeout of libsoup's: an event stream may rightly be quiet for
   * long; the stall timer decides when quiet means dead. */
  self->session = soup_session_new_with_options ("user-agent", "Tidewatch", "timeout", 0, NULL);
  connect_now (self);
}

static void
tw_sse_source_stop (TwSource *source)
{
  drop_connection ((TwSseSource *) source);
}

static void
tw_sse_source_finalize (TwSource *source)
{
  TwSseSource *self = (TwSseSource *) source;

  g_clear_object (&self->session);
  g_clear_pointer (&self->parser, tw_sse_parser_free);
  g_free (self->request_url);
  g_free (self->shown_url);
}

static const TwSourceClass sse_source_class = {
  .kind = "sse",
  .start = tw_sse_source_start,
  .stop = tw_sse_source_stop,
  .finalize = tw_sse_source_finalize,
};

static gboolean
parse_stall (const char  *url,
             double      *out_seconds,
             GError     **error)
{
  g_autofree char *text = tw_source_url_get_param (url, STALL_PARAM);
  char *end = NULL;
  double seconds;

  *out_seconds = DEFAULT_STALL_SECONDS;
  if (text == NULL)
    return TRUE;
  seconds = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !(seconds >= MIN_STALL_SECONDS && seconds <= MAX_STALL_SECONDS))
    {
      g_autofree char *shown = tw_source_url_redact (url);

      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "stall=%s in ‘%s’ is not a number of seconds between %g and %g", text, shown,
                   MIN_STALL_SECONDS, MAX_STALL_SECONDS);
      return FALSE;
    }
  *out_seconds = seconds;
  return TRUE;
}

TwSource *
tw_sse_source_new (const char  *url,
                   GError     **error)
{
  static const char * const ours[] = { "format", STALL_PARAM, NULL };
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  TwSseSource *self;
  double stall;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_autofree char *shown = tw_source_url_redact (url);

      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "‘%s’ is not an event stream address; expected http://host:port/path "
                   "or https://host:port/path", shown);
      return NULL;
    }
  if (!parse_stall (url, &stall, error))
    return NULL;

  self = tw_source_alloc (&sse_source_class, sizeof (TwSseSource), url);
  /* Event ids, not only payload sequence numbers, move the cursor. */
  self->parent.own_cursor = TRUE;
  self->request_url = tw_source_url_without_params (url, ours);
  self->shown_url = tw_source_url_redact (self->request_url);
  self->stall_us = (gint64) (stall * G_USEC_PER_SEC);
  self->parser = tw_sse_parser_new (MAX_EVENT_BYTES, on_event, self);
  return &self->parent;
}
