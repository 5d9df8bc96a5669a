#include <errno.h>
#include <gio/gio.h>
#include <mosquitto.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "tw-error.h"
#include "tw-mqtt-address.h"
#include "tw-mqtt-source.h"

/* The broker drops a client after 1.5 × this without a packet from it.
 * Our PINGREQs wait for the current commit like acknowledgements do, which
 * takes milliseconds; a connect that hangs this long is given up too. */
#define KEEPALIVE_S           20
#define MISC_INTERVAL_MS      1000
/* Packets read per wake-up at most, so one busy connection cannot keep the
 * ingest thread from its other sources and timers. */
#define MAX_READS_PER_WAKEUP  1000

/* CONNACK return codes of MQTT 3.1.1 (section 3.2.2.3). */
enum
{
  CONNACK_BAD_PROTOCOL = 1,
  CONNACK_BAD_CLIENT_ID = 2,
  CONNACK_UNAVAILABLE = 3,
  CONNACK_BAD_CREDENTIALS = 4,
  CONNACK_NOT_AUTHORISED = 5,
};

#define CONNACK_SESSION_PRESENT 0x01

typedef struct _TwMqttSource TwMqttSource;

/**
 * TwMqttLink:
 * What the engine thread may reach of a source: it reports commits through
 * it, and it outlives the source when a commit comes after the source has
 * gone.
 */
typedef struct
{
  gint          ref_count;
  GMutex        mutex;
  GMainContext *context;   /* the ingest thread's; NULL once the source is gone */
  TwMqttSource *owner;     /* read and written on the ingest thread only */
} TwMqttLink;

typedef struct
{
  TwMqttLink *link;
  guint       generation;
  gboolean    stored;
} TwMqttCommit;

typedef gboolean (*TwSocketFunc) (GIOCondition revents,
                                  gpointer     user_data);

typedef struct
{
  GSource  source;
  gpointer tag;
} TwSocketWatch;

struct _TwMqttSource
{
  TwSource          parent;

  /* From the address */
  char             *shown_url;     /* the password hidden */
  TwMqttAddress    *address;

  /* Owned */
  struct mosquitto *mosq;
  GResolver        *resolver;
  GCancellable     *cancellable;
  TwMqttLink       *link;
  GSource          *watch;
  int               watch_fd;
  GIOCondition      watch_events;
  guint             misc_id;

  /* Ack after commit: libmosquitto queues a PUBACK as it reads a message;
   * nothing is written while a message read on this connection is not yet
   * committed, so the broker keeps every message we have not stored. */
  guint             generation;    /* one per connection attempt */
  guint             open_batches;  /* batches of this connection not yet committed */

  gboolean          connection_open;
  gboolean          tcp_connecting;
  gboolean          session_up;
  gboolean          connected_once;
  gboolean          end_seen;

  /* Set by libmosquitto's callbacks, acted on once its call has returned. */
  int               refused_code;
  gboolean          lost;
  int               lost_rc;
  int               lost_errno;
};

static void pump         (TwMqttSource *self);
static void connect_now  (TwMqttSource *self);

/* ---- library ----------------------------------------------------------- */

static gpointer
init_library (gpointer data)
{
  mosquitto_lib_init ();
  return NULL;
}

static void
ensure_library (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_library, NULL);
}

/* ---- commits reported by the engine thread ------------------------------ */

static TwMqttLink *
link_ref (TwMqttLink *link)
{
  g_atomic_int_inc (&link->ref_count);
  return link;
}

static void
link_unref (TwMqttLink *link)
{
  if (!g_atomic_int_dec_and_test (&link->ref_count))
    return;
  g_mutex_clear (&link->mutex);
  g_clear_pointer (&link->context, g_main_context_unref);
  g_free (link);
}

static void
commit_free (gpointer data)
{
  TwMqttCommit *commit = data;

  link_unref (commit->link);
  g_free (commit);
}

/* Ingest thread. */
static gboolean
on_commit_known (gpointer data)
{
  TwMqttCommit *commit = data;
  TwMqttSource *self = commit->link->owner;

  /* A commit of an earlier connection: its PUBACKs went with it, and the
   * broker sends those messages again (stored once, counted duplicate). */
  if (self == NULL || commit->generation != self->generation)
    return G_SOURCE_REMOVE;

  g_assert (self->open_batches > 0);
  self->open_batches--;
  if (!commit->stored && self->connection_open)
    {
      int fd = mosquitto_socket (self->mosq);

      /* Never acknowledge what was not stored: cut the connection without
       * writing, and the broker sends it all again. */
      if (fd >= 0)
        shutdown (fd, SHUT_RDWR);
    }
  pump (self);
  return G_SOURCE_REMOVE;
}

/* Engine thread. */
static void
on_batch_done (TwBatch      *batch,
               const GError *error,
               gpointer      user_data)
{
  TwMqttCommit *pending = user_data;
  TwMqttLink *link = pending->link;
  TwMqttCommit *known = g_new0 (TwMqttCommit, 1);

  known->link = link_ref (link);
  known->generation = pending->generation;
  known->stored = error == NULL;

  g_mutex_lock (&link->mutex);
  if (link->context != NULL)
    {
      g_autoptr(GSource) idle = g_idle_source_new ();

      /* As urgent as the socket: acknowledgements let the broker go on. */
      g_source_set_priority (idle, G_PRIORITY_DEFAULT);
      g_source_set_callback (idle, on_commit_known, g_steal_pointer (&known), commit_free);
      g_source_attach (idle, link->context);
    }
  g_mutex_unlock (&link->mutex);
  g_clear_pointer (&known, commit_free);
}

/* The batch that receives this message must report its commit to us. */
static void
claim_batch (TwMqttSource *self)
{
  TwBatch *batch = tw_source_get_batch (&self->parent);
  TwMqttCommit *pending;

  if (batch->done != NULL)
    return;
  pending = g_new0 (TwMqttCommit, 1);
  pending->link = link_ref (self->link);
  pending->generation = self->generation;
  tw_batch_set_done (batch, on_batch_done, pending, commit_free);
  /* The broker waits for our acknowledgements: commit now, not in 250 ms. */
  batch->urgent = TRUE;
  self->open_batches++;
}

/* ---- the socket on the ingest thread's main context --------------------- */

static gboolean
socket_watch_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  TwSocketWatch *watch = (TwSocketWatch *) source;

  return ((TwSocketFunc) callback) (g_source_query_unix_fd (source, watch->tag), user_data);
}

static GSourceFuncs socket_watch_funcs = {
  .dispatch = socket_watch_dispatch,
};

static void
close_watch (TwMqttSource *self)
{
  if (self->watch == NULL)
    return;
  g_source_destroy (self->watch);
  g_clear_pointer (&self->watch, g_source_unref);
  self->watch_fd = -1;
}

static gboolean
may_write (TwMqttSource *self)
{
  return self->connection_open && !self->tcp_connecting && self->open_batches == 0
         && mosquitto_want_write (self->mosq);
}

static gboolean on_socket (GIOCondition revents,
                           gpointer     user_data);

static void
update_watch (TwMqttSource *self)
{
  int fd = self->connection_open ? mosquitto_socket (self->mosq) : -1;
  GIOCondition events = 0;

  if (fd < 0)
    {
      close_watch (self);
      return;
    }
  if (fd != self->watch_fd)
    {
      close_watch (self);
      self->watch = g_source_new (&socket_watch_funcs, sizeof (TwSocketWatch));
      ((TwSocketWatch *) self->watch)->tag = g_source_add_unix_fd (self->watch, fd, 0);
      g_source_set_callback (self->watch, (GSourceFunc) on_socket, self, NULL);
      g_source_attach (self->watch, g_main_context_get_thread_default ());
      self->watch_fd = fd;
      self->watch_events = 0;
    }

  if (self->tcp_connecting)
    events = G_IO_OUT;
  else
    {
      /* Read the next messages only once the last ones are stored and
       * acknowledged: the broker holds the rest (its inflight window). */
      if (self->open_batches == 0 && !self->parent.finished)
        events |= G_IO_IN;
      /* Before CONNACK, libmosquitto may be in a TLS handshake that no
       * write advances: a writable socket would wake us for nothing. The
       * CONNECT goes out right after the read that ends the handshake. */
      if (self->session_up && may_write (self))
        events |= G_IO_OUT;
    }
  if (events != self->watch_events)
    {
      g_source_modify_unix_fd (self->watch, ((TwSocketWatch *) self->watch)->tag, events);
      self->watch_events = events;
    }
}

/* ---- libmosquitto callbacks (run inside its loop calls) ------------------ */

static void
on_connack (struct mosquitto *mosq,
            void             *user_data,
            int               code,
            int               flags)
{
  TwMqttSource *self = user_data;
  TwSource *source = &self->parent;
  gboolean expected_session;

  if (code != 0)
    {
      /* libmosquitto reports the disconnect next; we act on both then. */
      self->refused_code = code;
      return;
    }

  g_mutex_lock (&source->live->mutex);
  expected_session = self->connected_once || source->live->total_received > 0;
  g_mutex_unlock (&source->live->mutex);

  self->session_up = TRUE;
  self->connected_once = TRUE;
  tw_source_connected (source);
  if (!(flags & CONNACK_SESSION_PRESENT) && expected_session)
    tw_source_live_set_state (source->live, TW_SOURCE_STATE_CONNECTED,
                              "The broker had no session for this client: messages published "
                              "while Tidewatch was away are lost (is the broker's persistence "
                              "on, and the client id unchanged?)");
  /* Queued, and written with the next acknowledgements. With a kept
   * session the broker already knows it; repeating it is harmless. */
  mosquitto_subscribe (mosq, NULL, self->address->topic, self->address->qos);
}

static void
on_disconnect (struct mosquitto *mosq,
               void             *user_data,
               int               rc)
{
  TwMqttSource *self = user_data;

  if (self->lost)
    return;
  self->lost = TRUE;
  self->lost_rc = rc;
  self->lost_errno = errno;
}

static void
on_message (struct mosquitto                *mosq,
            void                            *user_data,
            const struct mosquitto_message  *message)
{
  TwMqttSource *self = user_data;
  TwSource *source = &self->parent;
  const char *payload = message->payload != NULL ? message->payload : "";

  claim_batch (self);
  if (tw_source_decode (source, payload, (gsize) message->payloadlen, NULL) == TW_DECODE_END)
    self->end_seen = TRUE;
  /* A full batch goes to the engine here; the next message claims a new one. */
  tw_source_message_done (source);
}

/* ---- connection --------------------------------------------------------- */

static gboolean
on_reconnect_timeout (gpointer user_data)
{
  TwMqttSource *self = user_data;

  self->parent.reconnect_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
forget_connection (TwMqttSource *self)
{
  close_watch (self);
  self->connection_open = FALSE;
  self->tcp_connecting = FALSE;
  self->session_up = FALSE;
}

static void
retry_later (TwMqttSource *self,
             const char   *reason)
{
  forget_connection (self);
  tw_source_schedule_reconnect (&self->parent, reason, on_reconnect_timeout);
}

/* A refusal that retrying cannot cure: the source stops and says why. */
static void
give_up (TwMqttSource *self,
         const char   *reason)
{
  TwSource *source = &self->parent;

  forget_connection (self);
  tw_source_flush (source);
  source->finished = TRUE;
  tw_source_live_set_state (source->live, TW_SOURCE_STATE_STOPPED, reason);
}

static char *
describe_refusal (TwMqttSource *self,
                  int           code,
                  gboolean     *out_permanent)
{
  *out_permanent = TRUE;
  switch (code)
    {
    case CONNACK_BAD_PROTOCOL:
      return g_strdup ("The broker does not accept MQTT 3.1.1 connections");
    case CONNACK_BAD_CLIENT_ID:
      return g_strdup_printf ("The broker refused the client id ‘%s’; choose another with "
                              "?client_id=", self->address->client_id);
    case CONNACK_BAD_CREDENTIALS:
      return g_strdup ("The broker refused the user name or password; correct them in the "
                       "source address (mqtt://user:password@host/…)");
    case CONNACK_NOT_AUTHORISED:
      return g_strdup ("The broker refused the user name or password (not authorised); "
                       "correct them in the source address, or ask the broker's "
                       "administrator for access");
    case CONNACK_UNAVAILABLE:
      *out_permanent = FALSE;
      return g_strdup ("The broker is unavailable for now");
    default:
      *out_permanent = FALSE;
      return g_strdup_printf ("The broker refused the connection (code %d)", code);
    }
}

static char *
describe_loss (TwMqttSource *self,
               int           rc,
               int           saved_errno)
{
  const char *host = self->address->host;
  int port = self->address->port;

  switch (rc)
    {
    case MOSQ_ERR_CONN_LOST:
      return g_strdup_printf ("The connection to the MQTT broker at %s:%d was lost",
                              host, port);
    case MOSQ_ERR_KEEPALIVE:
      return g_strdup_printf ("The MQTT broker at %s:%d stopped answering", host, port);
    case MOSQ_ERR_TLS:
      return g_strdup_printf ("The TLS handshake with %s:%d failed; check that the broker's "
                              "certificate is trusted (?cafile=CA.pem, or ?insecure=1 for a "
                              "self-signed test broker)", host, port);
    case MOSQ_ERR_PROTOCOL:
      return g_strdup_printf ("%s:%d does not speak MQTT 3.1.1", host, port);
    case MOSQ_ERR_ERRNO:
      if (saved_errno != 0)
        return g_strdup_printf ("The connection to the MQTT broker at %s:%d failed: %s",
                                host, port, g_strerror (saved_errno));
      G_GNUC_FALLTHROUGH;
    default:
      return g_strdup_printf ("The connection to the MQTT broker at %s:%d ended: %s",
                              host, port, mosquitto_strerror (rc));
    }
}

/* Acts on what libmosquitto reported: a refused CONNACK or a lost link. */
static void
handle_disconnect (TwMqttSource *self)
{
  TwSource *source = &self->parent;
  int refused = self->refused_code;
  int rc = self->lost_rc;
  g_autofree char *reason = NULL;
  gboolean permanent = FALSE;

  self->refused_code = 0;
  self->lost = FALSE;
  if (source->stopping || (source->finished && rc == MOSQ_ERR_SUCCESS))
    {
      forget_connection (self);
      return;
    }
  if (refused != 0)
    reason = describe_refusal (self, refused, &permanent);
  else
    reason = describe_loss (self, rc, self->lost_errno);
  if (permanent)
    give_up (self, reason);
  else
    retry_later (self, reason);
}

static void
read_available (TwMqttSource *self)
{
  for (guint i = 0; i < MAX_READS_PER_WAKEUP; i++)
    {
      struct pollfd poll_fd = { .fd = mosquitto_socket (self->mosq), .events = POLLIN };
      int rc;

      errno = 0;
      rc = mosquitto_loop_read (self->mosq, 1);
      /* Some failures (a TLS handshake) return without the callback. */
      if (rc != MOSQ_ERR_SUCCESS && !self->lost)
        on_disconnect (self->mosq, self, rc);
      if (self->lost || self->end_seen)
        return;
      if (poll_fd.fd < 0 || poll (&poll_fd, 1, 0) <= 0)
        return;
    }
}

/* A non-blocking connect has finished, one way or the other. */
static gboolean
finish_tcp_connect (TwMqttSource *self)
{
  int fd = mosquitto_socket (self->mosq);
  int err = 0;
  socklen_t len = sizeof err;

  self->tcp_connecting = FALSE;
  if (fd < 0 || getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    err = fd < 0 ? ENOTCONN : errno;
  if (err != 0)
    {
      g_autofree char *reason = g_strdup_printf ("Cannot connect to the MQTT broker at %s:%d: %s",
                                                 self->address->host, self->address->port,
                                                 g_strerror (err));

      retry_later (self, reason);
      return FALSE;
    }
  /* libmosquitto's own loop starts the TLS handshake once the socket is
   * writable, through its read path. */
  if (self->address->tls)
    read_available (self);
  return TRUE;
}

static gboolean
on_socket (GIOCondition revents,
           gpointer     user_data)
{
  TwMqttSource *self = user_data;

  if (self->tcp_connecting)
    {
      if (!finish_tcp_connect (self))
        return G_SOURCE_CONTINUE;
    }
  else if (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    {
      /* A hang-up is read even while we wait for a commit, so that it is
       * noticed (and poll does not report it again and again). */
      read_available (self);
    }
  pump (self);
  return G_SOURCE_CONTINUE;
}

/* Runs after every event: acts on what the callbacks reported, hands what
 * was read to the engine, writes once everything read is stored, and
 * watches the socket for what comes next. */
static void
pump (TwMqttSource *self)
{
  TwSource *source = &self->parent;

  if (self->lost || self->refused_code != 0)
    {
      tw_source_flush (source);
      handle_disconnect (self);
      return;
    }
  tw_source_flush (source);
  if (self->end_seen && !source->finished)
    tw_source_finish (source);
  if (may_write (self))
    {
      int rc = mosquitto_loop_write (self->mosq, 1);

      if (rc != MOSQ_ERR_SUCCESS || self->lost)
        {
          if (!self->lost)
            on_disconnect (self->mosq, self, rc);
          handle_disconnect (self);
          return;
        }
    }
  if (source->finished && self->session_up && self->open_batches == 0)
    {
      /* Everything up to the end is stored and acknowledged: leave. */
      self->session_up = FALSE;
      mosquitto_disconnect (self->mosq);
      mosquitto_loop_write (self->mosq, 1);
      forget_connection (self);
      return;
    }
  update_watch (self);
}

static void
connect_to (TwMqttSource *self,
            const char   *address)
{
  int rc;

  self->generation++;
  self->open_batches = 0;
  self->refused_code = 0;
  self->lost = FALSE;
  self->session_up = FALSE;
  errno = 0;
  rc = mosquitto_connect_async (self->mosq, address, self->address->port, KEEPALIVE_S);
  if (rc != MOSQ_ERR_SUCCESS)
    {
      g_autofree char *reason = NULL;

      if (rc == MOSQ_ERR_ERRNO)
        reason = g_strdup_printf ("Cannot connect to the MQTT broker at %s:%d: %s",
                                  self->address->host, self->address->port, g_strerror (errno));
      else if (rc == MOSQ_ERR_EAI)
        reason = g_strdup_printf ("Cannot find the MQTT broker ‘%s’", self->address->host);
      else if (rc == MOSQ_ERR_TLS)
        reason = describe_loss (self, rc, 0);
      else
        reason = g_strdup_printf ("Cannot connect to the MQTT broker at %s:%d: %s",
                                  self->address->host, self->address->port,
                                  mosquitto_strerror (rc));
      retry_later (self, reason);
      return;
    }
  self->connection_open = TRUE;
  self->tcp_connecting = TRUE;
  update_watch (self);
}

static void
on_resolved (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autolist(GInetAddress) addresses = NULL;
  g_autofree char *address = NULL;
  TwMqttSource *self;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (object), result, &error);
  /* Cancelled: the source may be gone already. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (addresses == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("Cannot find the MQTT broker ‘%s’: %s",
                                                 self->address->host, error->message);

      retry_later (self, reason);
      return;
    }
  address = g_inet_address_to_string (addresses->data);
  connect_to (self, address);
}

static void
connect_now (TwMqttSource *self)
{
  if (self->parent.live->state != TW_SOURCE_STATE_RECONNECTING)
    tw_source_live_set_state (self->parent.live, TW_SOURCE_STATE_CONNECTING, NULL);

  /* libmosquitto looks names up with a blocking call: do it here without
   * blocking. TLS checks the certificate against the name, so there the
   * library must get the name and look it up itself. */
  if (self->address->tls || g_hostname_is_ip_address (self->address->host))
    {
      connect_to (self, self->address->host);
      return;
    }
  g_resolver_lookup_by_name_async (self->resolver, self->address->host, self->cancellable,
                                   on_resolved, self);
}

static gboolean
on_misc (gpointer user_data)
{
  TwMqttSource *self = user_data;
  int rc;

  if (!self->connection_open)
    return G_SOURCE_CONTINUE;
  /* Keepalive: queues a PINGREQ, or notices that the broker (or a connect
   * that never completes) has gone silent. */
  rc = mosquitto_loop_misc (self->mosq);
  if (rc != MOSQ_ERR_SUCCESS && !self->lost)
    on_disconnect (self->mosq, self, rc);
  pump (self);
  return G_SOURCE_CONTINUE;
}

/* ---- class -------------------------------------------------------------- */

static gboolean
configure_client (TwMqttSource *self)
{
  TwSource *source = &self->parent;
  g_autofree char *reason = NULL;
  int rc = MOSQ_ERR_SUCCESS;

  ensure_library ();
  /* Clean session off: the broker keeps our subscription and queues QoS 1
   * messages for this client id while we are away. */
  self->mosq = mosquitto_new (self->address->client_id, self->address->clean, self);
  if (self->mosq == NULL)
    {
      reason = g_strdup_printf ("Cannot create an MQTT client: %s", g_strerror (errno));
      goto failed;
    }
  mosquitto_int_option (self->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  /* There is no other thread. This only stops libmosquitto from writing a
   * packet the moment it is queued, so that PUBACKs wait until the
   * messages they acknowledge are committed; we write them. */
  mosquitto_threaded_set (self->mosq, true);
  mosquitto_connect_with_flags_callback_set (self->mosq, on_connack);
  mosquitto_disconnect_callback_set (self->mosq, on_disconnect);
  mosquitto_message_callback_set (self->mosq, on_message);
  if (self->address->user != NULL)
    rc = mosquitto_username_pw_set (self->mosq, self->address->user, self->address->password);
  if (rc == MOSQ_ERR_SUCCESS && self->address->tls)
    {
      if (self->address->cafile != NULL)
        rc = mosquitto_tls_set (self->mosq, self->address->cafile, NULL, NULL, NULL, NULL);
      else
        rc = mosquitto_int_option (self->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
      if (rc == MOSQ_ERR_SUCCESS && self->address->insecure)
        {
          /* For self-signed test brokers only: no chain, no name check. */
          rc = mosquitto_tls_opts_set (self->mosq, 0, NULL, NULL);
          if (rc == MOSQ_ERR_SUCCESS)
            rc = mosquitto_tls_insecure_set (self->mosq, true);
        }
    }
  if (rc == MOSQ_ERR_SUCCESS)
    return TRUE;
  reason = g_strdup_printf ("Cannot set up the MQTT client: %s", mosquitto_strerror (rc));

failed:
  source->finished = TRUE;
  tw_source_live_set_state (source->live, TW_SOURCE_STATE_STOPPED, reason);
  return FALSE;
}

static void
tw_mqtt_source_start (TwSource *source)
{
  TwMqttSource *self = (TwMqttSource *) source;

  g_mutex_lock (&self->link->mutex);
  self->link->context = g_main_context_ref_thread_default ();
  g_mutex_unlock (&self->link->mutex);
  self->resolver = g_resolver_get_default ();
  if (!configure_client (self))
    return;
  self->misc_id = tw_source_timeout_add (MISC_INTERVAL_MS, on_misc, self);
  connect_now (self);
}

static void
tw_mqtt_source_stop (TwSource *source)
{
  TwMqttSource *self = (TwMqttSource *) source;

  g_cancellable_cancel (self->cancellable);
  tw_source_remove_timeout (&self->misc_id);
  if (self->connection_open && self->session_up && self->open_batches == 0
      && (source->batch == NULL || source->batch->n_messages == 0))
    {
      /* All that was read is stored: acknowledge it and say goodbye. */
      mosquitto_disconnect (self->mosq);
      mosquitto_loop_write (self->mosq, 1);
    }
  else if (self->connection_open)
    {
      int fd = mosquitto_socket (self->mosq);

      /* Messages not yet stored must not be acknowledged: close without
       * writing; the broker sends them again next time. */
      if (fd >= 0)
        shutdown (fd, SHUT_RDWR);
    }
  forget_connection (self);
}

static void
tw_mqtt_source_finalize (TwSource *source)
{
  TwMqttSource *self = (TwMqttSource *) source;

  g_mutex_lock (&self->link->mutex);
  self->link->owner = NULL;
  g_clear_pointer (&self->link->context, g_main_context_unref);
  g_mutex_unlock (&self->link->mutex);
  g_clear_pointer (&self->link, link_unref);

  close_watch (self);
  g_clear_pointer (&self->mosq, mosquitto_destroy);
  g_clear_object (&self->resolver);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->address, tw_mqtt_address_free);
  g_free (self->shown_url);
}

static const TwSourceClass mqtt_source_class = {
  .kind = "mqtt",
  .start = tw_mqtt_source_start,
  .stop = tw_mqtt_source_stop,
  .finalize = tw_mqtt_source_finalize,
};

TwSource *
tw_mqtt_source_new (const char  *url,
                    GError     **error)
{
  g_autoptr(TwMqttAddress) address = NULL;
  TwMqttSource *self;

  g_return_val_if_fail (url != NULL, NULL);

  address = tw_mqtt_address_parse (url, error);
  if (address == NULL)
    return NULL;
  self = tw_source_alloc (&mqtt_source_class, sizeof (TwMqttSource), url);
  self->watch_fd = -1;
  self->link = g_new0 (TwMqttLink, 1);
  self->link->ref_count = 1;
  g_mutex_init (&self->link->mutex);
  self->link->owner = self;
  self->cancellable = g_cancellable_new ();
  self->shown_url = tw_source_url_redact (url);
  self->address = g_steal_pointer (&address);
  return &self->parent;
}
