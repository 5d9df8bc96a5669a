#include <libsoup/soup.h>

#include "tw-error.h"
#include "tw-ws-source.h"

/* Far above any real message: an oversized one must reach the codec, which
 * quarantines its first 64 KiB with a reason. Refusing it at the protocol
 * level would close the stream, and the resume would ask for it again,
 * forever. */
#define MAX_INCOMING_PAYLOAD (256 * 1024 * 1024)

typedef struct
{
  TwSource                 parent;
  SoupSession             *session;
  SoupWebsocketConnection *connection;
  GCancellable            *cancellable;
} TwWsSource;

static void connect_now (TwWsSource *self);

static gboolean
on_reconnect_timeout (gpointer user_data)
{
  TwWsSource *self = user_data;

  self->parent.reconnect_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
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
on_message (SoupWebsocketConnection *connection,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  TwWsSource *self = user_data;
  TwSource *source = &self->parent;
  gsize len = 0;
  const char *data = g_bytes_get_data (message, &len);
  TwDecodeResult result;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      TwBatch *batch = tw_source_get_batch (source);

      /* Counted and kept like any other message that cannot be used. */
      tw_batch_add_reject (batch, "binary websocket frame; messages are sent as text", data, len);
      batch->n_messages++;
      tw_source_message_done (source);
      return;
    }

  result = tw_source_decode (source, data, len, NULL);
  if (result == TW_DECODE_END)
    {
      tw_source_finish (source);
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, "end of stream");
      return;
    }
  tw_source_message_done (source);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  TwWsSource *self = user_data;
  g_autofree char *reason = NULL;
  gushort code = soup_websocket_connection_get_close_code (connection);

  drop_connection (self);
  if (code != 0)
    reason = g_strdup_printf ("The stream closed (code %u)", code);
  else
    reason = g_strdup ("The connection was lost");
  tw_source_schedule_reconnect (&self->parent, reason, on_reconnect_timeout);
}

static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  TwWsSource *self = user_data;

  tw_source_live_set_state (self->parent.live, TW_SOURCE_STATE_CONNECTED, error->message);
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
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tw_source_schedule_reconnect (&self->parent, error->message, on_reconnect_timeout);
      return;
    }

  self->connection = connection;
  soup_websocket_connection_set_max_incoming_payload_size (connection, MAX_INCOMING_PAYLOAD);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (connection, "error", G_CALLBACK (on_error), self);
  tw_source_connected (&self->parent);
}

static char *
resume_url (TwWsSource *self)
{
  static const char * const ours[] = { "format", "after", NULL };
  g_autofree char *base = tw_source_url_without_params (self->parent.url, ours);
  g_autoptr(GUri) uri = g_uri_parse (base, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *query = NULL;
  g_autoptr(GUri) resumed = NULL;
  const char *old_query;

  if (uri == NULL || self->parent.resume_after < 1)
    return g_steal_pointer (&base);
  old_query = g_uri_get_query (uri);
  if (old_query != NULL && *old_query != '\0')
    query = g_strdup_printf ("%s&after=%" G_GINT64_FORMAT, old_query, self->parent.resume_after);
  else
    query = g_strdup_printf ("after=%" G_GINT64_FORMAT, self->parent.resume_after);
  resumed = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), g_uri_get_userinfo (uri),
                         g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                         query, g_uri_get_fragment (uri));
  return g_uri_to_string (resumed);
}

static void
connect_now (TwWsSource *self)
{
  g_autofree char *url = resume_url (self);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

  if (self->parent.live->state != TW_SOURCE_STATE_RECONNECTING)
    tw_source_live_set_state (self->parent.live, TW_SOURCE_STATE_CONNECTING, NULL);
  if (msg == NULL)
    {
      tw_source_live_set_state (self->parent.live, TW_SOURCE_STATE_STOPPED,
                                "Invalid websocket address");
      return;
    }
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, on_connected, self);
}

static void
tw_ws_source_start (TwSource *source)
{
  TwWsSource *self = (TwWsSource *) source;

  self->session = soup_session_new_with_options ("user-agent", "Tidewatch", NULL);
  connect_now (self);
}

static void
tw_ws_source_stop (TwSource *source)
{
  TwWsSource *self = (TwWsSource *) source;

  g_cancellable_cancel (self->cancellable);
  drop_connection (self);
}

static void
tw_ws_source_finalize (TwSource *source)
{
  TwWsSource *self = (TwWsSource *) source;

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
}

static const TwSourceClass ws_source_class = {
  .kind = "websocket",
  .start = tw_ws_source_start,
  .stop = tw_ws_source_stop,
  .finalize = tw_ws_source_finalize,
};

TwSource *
tw_ws_source_new (const char  *url,
                  GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  TwWsSource *self;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "‘%s’ is not a websocket address; expected ws://host:port/path", url);
      return NULL;
    }
  self = tw_source_alloc (&ws_source_class, sizeof (TwWsSource), url);
  self->cancellable = g_cancellable_new ();
  return &self->parent;
}
