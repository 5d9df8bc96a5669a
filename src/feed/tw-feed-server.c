#include "tw-feed-server.h"

#include <libsoup/soup.h>

#include "tw-error.h"
#include "tw-feed-connection.h"
#include "tw-feed-sse.h"

/* Clients ask to resume with ws://host:port/?after=SEQ. */
#define RESUME_PARAM "after"
#define WEBSOCKET_PATH "/"
#define DECIMAL 10

/**
 * TwFeedServer:
 *
 * A websocket server on loopback that serves every client the simulated
 * stream from where that client asks to resume, each at its own pace.
 */
struct _TwFeedServer
{
  GObject parent_instance;

  TwFeedParams params;

  /* Owned */
  SoupServer *soup;
  GPtrArray *connections;   /* of TwFeedConnection */

  guint port;
  guint64 n_sent_closed;    /* vitals sent on connections that have gone */
};

G_DEFINE_FINAL_TYPE (TwFeedServer, tw_feed_server, G_TYPE_OBJECT)

static void
on_connection_closed (TwFeedConnection *connection,
                      gpointer          user_data)
{
  TwFeedServer *self = user_data;
  guint64 n_sent = tw_feed_connection_get_n_sent (connection);

  g_printerr ("tidewatch-feed: %s disconnected after %" G_GUINT64_FORMAT " messages\n",
              tw_feed_connection_get_peer (connection), n_sent);
  self->n_sent_closed += n_sent;
  g_ptr_array_remove_fast (self->connections, connection);
}

/* Returns: %TRUE and the sequence number to resume after in @after (0
 * when the client did not ask), or %FALSE with @error set */
static gboolean
parse_after (GUri     *uri,
             guint64  *after,
             GError  **error)
{
  g_autoptr(GHashTable) params = NULL;
  const char *query = g_uri_get_query (uri);
  const char *text;

  *after = 0;
  if (query == NULL)
    return TRUE;

  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, error);
  if (params == NULL)
    return FALSE;
  text = g_hash_table_lookup (params, RESUME_PARAM);
  if (text == NULL)
    return TRUE;

  /* The largest value is refused: nothing can follow it. */
  if (!g_ascii_string_to_unsigned (text, DECIMAL, 0, G_MAXUINT64 - 1, after, NULL))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "'%s' is not a sequence number to resume after", text);
      return FALSE;
    }
  return TRUE;
}

static char *
describe_peer (SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);

  if (address == NULL)
    return g_strdup ("a client");
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
}

static void
on_rejected_closed (SoupWebsocketConnection *websocket,
                    gpointer                 user_data)
{
  g_object_unref (websocket);
}

static void
on_websocket (SoupServer              *soup,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *websocket,
              gpointer                 user_data)
{
  TwFeedServer *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *peer = describe_peer (msg);
  guint64 after;

  if (!parse_after (soup_server_message_get_uri (msg), &after, &error))
    {
      g_printerr ("tidewatch-feed: %s refused: %s\n", peer, error->message);
      /* libsoup drops its reference when we return; keep one until the
       * closing handshake is over. */
      g_signal_connect (g_object_ref (websocket), "closed",
                        G_CALLBACK (on_rejected_closed), NULL);
      soup_websocket_connection_close (websocket, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                       error->message);
      return;
    }

  g_printerr ("tidewatch-feed: %s connected, resuming after seq %" G_GUINT64_FORMAT "\n",
              peer, after);
  g_ptr_array_add (self->connections,
                   tw_feed_connection_new (websocket, &self->params, after, peer,
                                           on_connection_closed, self));
}

/* The same stream as an HTTP event stream (tw-feed-sse.c). */
static void
on_events (SoupServer        *soup,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  TwFeedServer *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *peer = describe_peer (msg);
  TwFeedConnection *connection;
  guint64 after;

  if (!parse_after (soup_server_message_get_uri (msg), &after, &error))
    {
      g_printerr ("tidewatch-feed: %s refused: %s\n", peer, error->message);
      tw_feed_sse_refuse (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  connection = tw_feed_sse_accept (msg, &self->params, after, peer, on_connection_closed, self);
  if (connection != NULL)
    g_ptr_array_add (self->connections, connection);
}

static void
tw_feed_server_dispose (GObject *object)
{
  TwFeedServer *self = TW_FEED_SERVER (object);

  /* Connections first: they say goodbye to their clients. */
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);

  G_OBJECT_CLASS (tw_feed_server_parent_class)->dispose (object);
}

static void
tw_feed_server_class_init (TwFeedServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tw_feed_server_dispose;
}

static void
tw_feed_server_init (TwFeedServer *self)
{
  self->connections = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_feed_connection_free);
}

/**
 * tw_feed_server_new:
 * @params: the stream to serve (copied); must be valid
 *
 * Returns: (transfer full): a server that does not listen yet
 */
TwFeedServer *
tw_feed_server_new (const TwFeedParams *params)
{
  TwFeedServer *self;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (tw_feed_params_validate (params, NULL), NULL);

  self = g_object_new (TW_TYPE_FEED_SERVER, NULL);
  self->params = *params;
  return self;
}

/**
 * tw_feed_server_listen:
 * @self: a server
 * @port: a TCP port on 127.0.0.1, or 0 for any free one
 * @error: return location for an error
 *
 * Returns: %TRUE when listening; tw_feed_server_get_port() tells where
 */
gboolean
tw_feed_server_listen (TwFeedServer *self,
                       guint         port,
                       GError      **error)
{
  g_autoptr(SoupServer) soup = NULL;
  GSList *uris;

  g_return_val_if_fail (TW_IS_FEED_SERVER (self), FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);

  soup = soup_server_new ("server-header", "tidewatch-feed", NULL);
  soup_server_add_websocket_handler (soup, WEBSOCKET_PATH, NULL, NULL, on_websocket, self, NULL);
  soup_server_add_handler (soup, TW_FEED_SSE_PATH, on_events, self, NULL);
  if (!soup_server_listen_local (soup, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;

  uris = soup_server_get_uris (soup);
  g_assert (uris != NULL);
  self->port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  self->soup = g_steal_pointer (&soup);
  return TRUE;
}

guint
tw_feed_server_get_port (TwFeedServer *self)
{
  g_return_val_if_fail (TW_IS_FEED_SERVER (self), 0);

  return self->port;
}

/* Returns: how many vitals messages this server has sent, on all
 * connections, open or closed */
guint64
tw_feed_server_get_n_sent (TwFeedServer *self)
{
  guint64 n;

  g_return_val_if_fail (TW_IS_FEED_SERVER (self), 0);

  n = self->n_sent_closed;
  for (guint i = 0; i < self->connections->len; i++)
    n += tw_feed_connection_get_n_sent (g_ptr_array_index (self->connections, i));
  return n;
}
