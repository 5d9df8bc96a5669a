#include <gio/gio.h>
#include <string.h>

#include "tw-error.h"
#include "tw-hl7-codec.h"
#include "tw-mllp.h"
#include "tw-mllp-source.h"

/* One read takes this much; a peer gets this many reads per wakeup, so a
 * fast sender cannot starve the others sharing the ingest thread. */
#define READ_CHUNK_BYTES      (64 * 1024)
#define MAX_READS_PER_WAKEUP  16
/* A peer that sends but does not read its ACKs is cut off here. */
#define MAX_UNSENT_ACK_BYTES  (1024 * 1024)
/* The reply only needs MSH; longer first segments are cut. */
#define MAX_HEADER_BYTES      (8 * 1024)
#define MAX_PEERS             256
#define MAX_PORT              65535

#define ACK_ACCEPT "AA"
#define ACK_ERROR  "AE"
#define ACK_REJECT "AR"

typedef struct _TwMllpSource TwMllpSource;

/**
 * TwMllpPeer:
 * One connection. Reference counted because acknowledgements in flight
 * hold it: they may come back after it closed, or after the source is
 * gone, and then find @owner %NULL. Used on the ingest thread only; the
 * last reference may be dropped elsewhere (then nothing else touches it).
 */
typedef struct
{
  gatomicrefcount        ref_count;
  TwMllpSource          *owner;
  GSocketConnection     *connection;
  GPollableInputStream  *input;
  GPollableOutputStream *output;
  TwMllpDeframer        *deframer;
  GSource               *read_source;
  GSource               *write_source;
  GString               *unsent;    /* framed ACKs the socket has not taken yet */
  char                  *name;      /* the peer's address, for messages */
  gboolean               closing;   /* the deframer is reporting leftovers */
} TwMllpPeer;

struct _TwMllpSource
{
  TwSource        parent;
  gboolean        listen;
  char           *host;
  guint16         port;
  GMainContext   *context;       /* the ingest thread's: ACKs are written there */
  GCancellable   *cancellable;
  GSocketService *service;       /* mllp-listen:// */
  GSocketClient  *client;        /* mllp:// */
  GPtrArray      *peers;         /* TwMllpPeer*, open connections */
  char            read_buf[READ_CHUNK_BYTES];
};

/* One message waiting for its batch's fate. */
typedef struct
{
  TwMllpPeer *peer;
  char       *header;   /* the message's first segment (MSH), or NULL */
  const char *code;     /* ACK_ACCEPT or ACK_REJECT, if the batch is stored */
  char       *text;     /* why it was rejected or stored only in part */
} AckEntry;

/* Rides on a batch (tw_batch_set_done) and then to the ingest thread. */
typedef struct
{
  GMainContext *context;
  GPtrArray    *entries;   /* AckEntry* */
  char         *error;     /* set when the batch was not stored */
} AckJob;

static void connect_now (TwMllpSource *self);
static void listen_now  (TwMllpSource *self);

/* ---- peers ------------------------------------------------------------- */

static TwMllpPeer *
peer_ref (TwMllpPeer *peer)
{
  g_atomic_ref_count_inc (&peer->ref_count);
  return peer;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
peer_unref (TwMllpPeer *peer)
{
  if (!g_atomic_ref_count_dec (&peer->ref_count))
    return;
  g_assert (peer->owner == NULL);
  clear_source (&peer->read_source);
  clear_source (&peer->write_source);
  g_clear_object (&peer->connection);
  g_clear_pointer (&peer->deframer, tw_mllp_deframer_free);
  g_string_free (peer->unsent, TRUE);
  g_free (peer->name);
  g_free (peer);
}

static char *
describe_remote (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) address = g_socket_connection_get_remote_address (connection, NULL);

  if (address == NULL)
    return g_strdup ("a sender");
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
}

static void
note (TwMllpSource *self,
      const char   *message)
{
  TwSourceLive *live = self->parent.live;

  g_mutex_lock (&live->mutex);
  g_free (live->last_error);
  live->last_error = g_strdup (message);
  g_mutex_unlock (&live->mutex);
}

static void
peer_close (TwMllpPeer *peer,
            const char *reason);

static gboolean
on_writable (GObject  *stream,
             gpointer  user_data);

static void
peer_write (TwMllpPeer *peer)
{
  g_autoptr(GError) error = NULL;
  gboolean blocked;

  if (peer->owner == NULL)
    return;
  if (!tw_mllp_write_some (peer->output, peer->unsent, &blocked, &error))
    {
      g_autofree char *reason = g_strdup_printf ("Cannot send an ACK to %s: %s", peer->name,
                                                 error->message);
      peer_close (peer, reason);
      return;
    }
  if (!blocked)
    return;
  if (peer->unsent->len > MAX_UNSENT_ACK_BYTES)
    {
      g_autofree char *reason = g_strdup_printf ("%s sends but does not read its ACKs; "
                                                 "disconnected", peer->name);
      peer_close (peer, reason);
      return;
    }
  if (peer->write_source == NULL)
    {
      peer->write_source = g_pollable_output_stream_create_source (peer->output, NULL);
      g_source_set_callback (peer->write_source, G_SOURCE_FUNC (on_writable), peer, NULL);
      g_source_attach (peer->write_source, peer->owner->context);
    }
}

static gboolean
on_writable (GObject  *stream,
             gpointer  user_data)
{
  TwMllpPeer *peer = user_data;

  g_clear_pointer (&peer->write_source, g_source_unref);
  peer_write (peer);
  return G_SOURCE_REMOVE;
}

/* ---- acknowledgements -------------------------------------------------- */

static char *
first_segment (const char *data,
               gsize       len)
{
  gsize n = 0;

  while (n < len && n < MAX_HEADER_BYTES && data[n] != '\r' && data[n] != '\n')
    n++;
  return n > 0 ? g_strndup (data, n) : NULL;
}

static void
ack_entry_free (AckEntry *entry)
{
  peer_unref (entry->peer);
  g_free (entry->header);
  g_free (entry->text);
  g_free (entry);
}

static void
ack_job_free (AckJob *job)
{
  g_ptr_array_unref (job->entries);
  g_main_context_unref (job->context);
  g_free (job->error);
  g_free (job);
}

/* On the ingest thread: the batch's fate is known, answer every sender. */
static gboolean
deliver_acks (gpointer user_data)
{
  AckJob *job = user_data;

  for (guint i = 0; i < job->entries->len; i++)
    {
      AckEntry *entry = g_ptr_array_index (job->entries, i);
      TwMllpPeer *peer = entry->peer;
      g_autofree char *ack = NULL;
      AckEntry *next;

      /* Closed before its ACK was ready: the sender resends. */
      if (peer->owner == NULL)
        continue;
      if (job->error != NULL)
        ack = tw_hl7_build_ack (entry->header, entry->header ? strlen (entry->header) : 0,
                                ACK_ERROR, job->error);
      else
        ack = tw_hl7_build_ack (entry->header, entry->header ? strlen (entry->header) : 0,
                                entry->code, entry->text);
      tw_mllp_append_frame (peer->unsent, ack, strlen (ack));

      /* One write per run of ACKs to the same peer. */
      next = i + 1 < job->entries->len ? g_ptr_array_index (job->entries, i + 1) : NULL;
      if (next == NULL || next->peer != peer)
        peer_write (peer);
    }
  return G_SOURCE_REMOVE;
}

/* On the engine thread, once the batch is committed or discarded. */
static void
on_batch_done (TwBatch      *batch,
               const GError *error,
               gpointer      user_data)
{
  AckJob *job = user_data;
  g_autoptr(GMainContext) context = g_main_context_ref (job->context);

  if (error != NULL)
    job->error = g_strdup_printf ("Not stored: %s; send the message again later",
                                  error->message);
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, deliver_acks, job,
                              (GDestroyNotify) ack_job_free);
}

/* Promises @peer an ACK for this message once the current batch's fate is
 * known, and has the engine commit it at once: the sender is waiting. */
static void
attach_ack (TwMllpSource *self,
            TwMllpPeer   *peer,
            const char   *data,
            gsize         len,
            const char   *code,
            const char   *text)
{
  TwBatch *batch = tw_source_get_batch (&self->parent);
  AckJob *job = batch->done == on_batch_done ? batch->done_data : NULL;
  AckEntry *entry = g_new0 (AckEntry, 1);

  if (job == NULL)
    {
      job = g_new0 (AckJob, 1);
      job->context = g_main_context_ref (self->context);
      job->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ack_entry_free);
      /* The done callback always runs (a discarded batch reports an error)
       * and takes the job over: no destroy notify. */
      tw_batch_set_done (batch, on_batch_done, job, NULL);
    }
  batch->urgent = TRUE;

  entry->peer = peer_ref (peer);
  entry->header = first_segment (data, len);
  entry->code = code;
  entry->text = g_strdup (text);
  g_ptr_array_add (job->entries, entry);
}

/* Quarantines bytes that never became a message. */
static void
reject_raw (TwMllpSource      *self,
            const TwMllpEvent *event,
            const char        *reason)
{
  TwBatch *batch = tw_source_get_batch (&self->parent);

  tw_batch_add_reject (batch, reason, event->data, event->len);
  batch->n_messages++;
  g_mutex_lock (&self->parent.live->mutex);
  self->parent.live->received++;
  g_mutex_unlock (&self->parent.live->mutex);
}

static void
on_frame_event (const TwMllpEvent *event,
                gpointer           user_data)
{
  TwMllpPeer *peer = user_data;
  TwMllpSource *self = peer->owner;
  TwSource *source = &self->parent;
  g_autofree char *reason = NULL;

  switch (event->type)
    {
    case TW_MLLP_EVENT_FRAME:
      {
        TwDecodeInfo info;
        TwDecodeResult result = tw_source_decode (source, event->data, event->len, &info);

        /* An HL7 message stored in part is accepted: the bad values are in
         * quarantine, and a resend would not make them better. */
        attach_ack (self, peer, event->data, event->len,
                    result == TW_DECODE_REJECTED ? ACK_REJECT : ACK_ACCEPT, info.reason);
      }
      break;

    case TW_MLLP_EVENT_TRUNCATED:
      if (peer->closing)
        {
          /* It never got an ACK, so the sender sends it again. */
          reason = g_strdup_printf ("%s closed the connection in the middle of a message "
                                    "(%" G_GSIZE_FORMAT " bytes); it will be resent",
                                    peer->name, event->total);
          note (self, reason);
          return;
        }
      G_GNUC_FALLTHROUGH;
    case TW_MLLP_EVENT_OVERSIZE:
      reason = tw_mllp_deframer_describe (peer->deframer, event);
      reject_raw (self, event, reason);
      attach_ack (self, peer, event->data, event->len, ACK_REJECT, reason);
      break;

    case TW_MLLP_EVENT_GARBAGE:
    default:
      /* Nothing to acknowledge, but nothing disappears either. */
      reason = tw_mllp_deframer_describe (peer->deframer, event);
      reject_raw (self, event, reason);
      note (self, reason);
      break;
    }
  tw_source_message_done (source);
}

static void
flush_if_waited_for (TwMllpSource *self)
{
  if (self->parent.batch != NULL && self->parent.batch->urgent)
    tw_source_flush (&self->parent);
}

static gboolean
on_reconnect_timeout (gpointer user_data)
{
  TwMllpSource *self = user_data;

  self->parent.reconnect_id = 0;
  if (self->listen)
    listen_now (self);
  else
    connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
peer_close (TwMllpPeer *peer,
            const char *reason)
{
  TwMllpSource *self = peer->owner;

  if (self == NULL)
    return;
  peer_ref (peer);
  peer->closing = TRUE;
  tw_mllp_deframer_finish (peer->deframer, on_frame_event, peer);
  peer->owner = NULL;
  clear_source (&peer->read_source);
  clear_source (&peer->write_source);
  g_io_stream_close (G_IO_STREAM (peer->connection), NULL, NULL);
  g_ptr_array_remove (self->peers, peer);

  if (!self->listen)
    tw_source_schedule_reconnect (&self->parent, reason, on_reconnect_timeout);
  else
    flush_if_waited_for (self);
  peer_unref (peer);
}

static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  TwMllpPeer *peer = user_data;
  TwMllpSource *self = peer->owner;

  for (guint i = 0; i < MAX_READS_PER_WAKEUP; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *reason = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (peer->input, self->read_buf,
                                                           sizeof self->read_buf, NULL, &error);

      if (n > 0)
        {
          tw_mllp_deframer_push (peer->deframer, self->read_buf, (gsize) n, on_frame_event, peer);
          continue;
        }
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;

      if (n == 0)
        reason = g_strdup_printf ("%s closed the connection", peer->name);
      else
        reason = g_strdup_printf ("Lost the connection to %s: %s", peer->name, error->message);
      g_clear_pointer (&peer->read_source, g_source_unref);
      peer_close (peer, reason);
      return G_SOURCE_REMOVE;
    }
  flush_if_waited_for (self);
  return G_SOURCE_CONTINUE;
}

static void
add_peer (TwMllpSource      *self,
          GSocketConnection *connection)
{
  TwMllpPeer *peer = g_new0 (TwMllpPeer, 1);
  GIOStream *stream = G_IO_STREAM (connection);

  g_atomic_ref_count_init (&peer->ref_count);
  peer->owner = self;
  peer->connection = g_object_ref (connection);
  peer->input = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (stream));
  peer->output = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (stream));
  peer->deframer = tw_mllp_deframer_new (TW_CODEC_MAX_MESSAGE_BYTES);
  peer->unsent = g_string_new (NULL);
  peer->name = describe_remote (connection);
  g_ptr_array_add (self->peers, peer);

  peer->read_source = g_pollable_input_stream_create_source (peer->input, NULL);
  g_source_set_callback (peer->read_source, G_SOURCE_FUNC (on_readable), peer, NULL);
  g_source_attach (peer->read_source, self->context);
}

static void
close_all_peers (TwMllpSource *self,
                 const char   *reason)
{
  while (self->peers->len > 0)
    peer_close (g_ptr_array_index (self->peers, self->peers->len - 1), reason);
}

/* ---- mllp-listen:// ------------------------------------------------------ */

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  TwMllpSource *self = user_data;

  if (self->peers->len >= MAX_PEERS)
    {
      g_autofree char *name = describe_remote (connection);
      g_autofree char *reason = g_strdup_printf ("Refused %s: already %d senders connected",
                                                 name, MAX_PEERS);

      note (self, reason);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  add_peer (self, connection);
  return TRUE;
}

static void
stop_listening (TwMllpSource *self)
{
  if (self->service == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->service, self);
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_clear_object (&self->service);
}

static void
listen_now (TwMllpSource *self)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (self->host);
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, self->port);
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GError) error = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), socket_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, NULL,
                                      &error))
    {
      g_autofree char *reason = g_strdup_printf ("Cannot listen on %s port %u: %s",
                                                 self->host, self->port, error->message);

      tw_source_schedule_reconnect (&self->parent, reason, on_reconnect_timeout);
      return;
    }
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (service);
  self->service = g_steal_pointer (&service);
  tw_source_connected (&self->parent);
}

/* ---- mllp:// -------------------------------------------------------------- */

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TwMllpSource *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);
  if (connection == NULL)
    {
      /* Cancelled means the source is being freed: do not touch it. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *reason = g_strdup_printf ("Cannot connect to the interface engine "
                                                     "at %s port %u: %s", self->host, self->port,
                                                     error->message);

          tw_source_schedule_reconnect (&self->parent, reason, on_reconnect_timeout);
        }
      return;
    }
  add_peer (self, connection);
  tw_source_connected (&self->parent);
}

static void
connect_now (TwMllpSource *self)
{
  g_autoptr(GSocketConnectable) address = g_network_address_new (self->host, self->port);

  if (self->parent.live->state != TW_SOURCE_STATE_RECONNECTING)
    tw_source_live_set_state (self->parent.live, TW_SOURCE_STATE_CONNECTING, NULL);
  g_socket_client_connect_async (self->client, address, self->cancellable, on_connected, self);
}

/* ---- the source ----------------------------------------------------------- */

static void
tw_mllp_source_start (TwSource *source)
{
  TwMllpSource *self = (TwMllpSource *) source;

  /* MLLP carries HL7 v2; anything else framed in it is rejected by the
   * HL7 codec with its reason, unless the address names a format. */
  if (source->format == TW_FORMAT_AUTO)
    source->format = TW_FORMAT_HL7V2;
  self->context = g_main_context_ref_thread_default ();
  if (self->listen)
    {
      listen_now (self);
    }
  else
    {
      self->client = g_socket_client_new ();
      connect_now (self);
    }
}

static void
tw_mllp_source_stop (TwSource *source)
{
  TwMllpSource *self = (TwMllpSource *) source;

  g_cancellable_cancel (self->cancellable);
  stop_listening (self);
  close_all_peers (self, "Tidewatch stopped this source");
}

static void
tw_mllp_source_finalize (TwSource *source)
{
  TwMllpSource *self = (TwMllpSource *) source;

  g_assert (self->peers->len == 0);
  g_ptr_array_unref (self->peers);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->host);
}

static const TwSourceClass mllp_listen_source_class = {
  .kind = "mllp-listen",
  .start = tw_mllp_source_start,
  .stop = tw_mllp_source_stop,
  .finalize = tw_mllp_source_finalize,
};

static const TwSourceClass mllp_source_class = {
  .kind = "mllp",
  .start = tw_mllp_source_start,
  .stop = tw_mllp_source_stop,
  .finalize = tw_mllp_source_finalize,
};

static gboolean
parse_address (const char  *url,
               gboolean     listen,
               char       **out_host,
               guint16     *out_port,
               GError     **error)
{
  const char *expected = listen ? "mllp-listen://ADDRESS:PORT, e.g. mllp-listen://0.0.0.0:2575"
                                : "mllp://HOST:PORT, e.g. mllp://engine.example.org:2575";
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, &parse_error);
  g_autoptr(GInetAddress) address = NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;
  const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;
  int port;

  if (uri == NULL)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "‘%s’ is not an MLLP address (%s); expected %s", url, parse_error->message,
                   expected);
      return FALSE;
    }
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "‘%s’ is not an MLLP address; expected %s", url, expected);
      return FALSE;
    }
  port = g_uri_get_port (uri);
  if (port == -1)
    port = TW_MLLP_DEFAULT_PORT;
  if (port < 1 || port > MAX_PORT)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "‘%s’ has no usable port (1–%d); expected %s", url, MAX_PORT, expected);
      return FALSE;
    }
  if (path != NULL && *path != '\0' && !g_str_equal (path, "/"))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "‘%s’ has a path, which MLLP does not use; expected %s", url, expected);
      return FALSE;
    }
  if (listen)
    {
      if (g_ascii_strcasecmp (host, "localhost") == 0)
        host = "127.0.0.1";
      address = g_inet_address_new_from_string (host);
      if (address == NULL)
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "‘%s’ is not an IP address of this machine to listen on; expected %s",
                       host, expected);
          return FALSE;
        }
    }
  *out_host = g_strdup (host);
  *out_port = (guint16) port;
  return TRUE;
}

static TwSource *
mllp_source_new (const TwSourceClass  *klass,
                 const char           *url,
                 gboolean              listen,
                 GError              **error)
{
  g_autofree char *host = NULL;
  guint16 port;
  TwMllpSource *self;

  if (!parse_address (url, listen, &host, &port, error))
    return NULL;
  self = tw_source_alloc (klass, sizeof (TwMllpSource), url);
  self->listen = listen;
  self->host = g_steal_pointer (&host);
  self->port = port;
  self->cancellable = g_cancellable_new ();
  self->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_unref);
  return &self->parent;
}

TwSource *
tw_mllp_listen_source_new (const char  *url,
                           GError     **error)
{
  return mllp_source_new (&mllp_listen_source_class, url, TRUE, error);
}

TwSource *
tw_mllp_source_new (const char  *url,
                    GError     **error)
{
  return mllp_source_new (&mllp_source_class, url, FALSE, error);
}
