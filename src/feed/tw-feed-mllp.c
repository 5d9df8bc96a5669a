#include "tw-feed-mllp.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "tw-error.h"
#include "tw-feed-hl7.h"
#include "tw-feed-patient.h"
#include "tw-mllp.h"
#include "tw-time.h"

/* ACKs are short; anything longer from a receiver is not an ACK. */
#define MAX_ACK_BYTES        (64 * 1024)
#define READ_CHUNK_BYTES     4096

/* Look for due messages this often at most (once per tick at high rates). */
#define POLL_INTERVAL_MAX_MS 20
#define POLL_INTERVAL_MIN_MS 1
#define MS_PER_SEC           1000.0
#define CONTINUE_NOW_MS      0

/* The state file is rewritten at most this often while ACKs arrive; a
 * feed killed in between resends at most this much, which the receiver
 * stores once (idempotent writes). */
#define SAVE_INTERVAL_MS     200

#define BACKOFF_INITIAL_MS   250
#define BACKOFF_MAX_MS       5000
#define MAX_PORT             65535
#define DECIMAL              10

#define STATE_ACK_GROUP      "mllp-acknowledged"
#define STATE_STREAM_GROUP   "stream"
#define STATE_STREAM_KEY     "options"
/* The stream's options, without a port: a feed restarted on another port
 * still serves the same stream. */
#define STATE_ANY_PORT       0

/* One message sent and not yet acknowledged. */
typedef struct
{
  char    *control_id;
  guint64  seq;       /* 0 for an ADT^A01 */
  gboolean acked;
} Pending;

typedef struct _Link Link;

struct _TwFeedMllp
{
  TwFeedParams    params;
  GPtrArray      *patients;       /* TwFeedPatient*, by index */
  guint           poll_interval_ms;

  /* What each receiver has acknowledged, persisted in @state_path. */
  char           *state_path;
  char           *stream_options;
  GHashTable     *acked;          /* receiver key → guint64* last contiguous seq */
  guint           save_id;

  /* --mllp-port: the feed is an interface engine, receivers connect */
  GSocketService *service;
  guint           port;
  GPtrArray      *links;          /* Link*, connected receivers */

  /* --mllp-send: the feed connects to a Tidewatch listener */
  GSocketClient  *client;
  GCancellable   *cancellable;
  char           *send_host;
  guint16         send_port;
  char           *send_key;
  Link           *send_link;
  guint           retry_id;
  guint           attempt;
  TwFeedMllpDoneFunc done_func;
  gpointer        done_data;
  gboolean        done;

  guint64         n_accepted;     /* vitals acknowledged AA */
  guint64         n_admitted;     /* ADT^A01 acknowledged AA */
  guint64         n_rejected;     /* AR: resending would not help */
  guint64         n_errors;       /* AE: resent after a reconnect */
};

struct _Link
{
  TwFeedMllp            *owner;
  char                  *key;
  char                  *peer;
  GSocketConnection     *connection;
  GPollableInputStream  *input;
  GPollableOutputStream *output;
  TwMllpDeframer        *deframer;
  GSource               *read_source;
  GSource               *write_source;
  guint                  pump_id;
  GString               *unsent;
  GQueue                 in_flight;   /* Pending*, in send order */
  guint                  next_patient;
  guint64                next_seq;
  gboolean               closed;      /* freed from an idle callback */
  char                   read_buf[READ_CHUNK_BYTES];
};

static void link_close   (Link       *link,
                          const char *reason);
static void connect_now  (TwFeedMllp *self);

/* ---- acknowledgement state ---------------------------------------------- */

static guint64
get_acked (TwFeedMllp *self,
           const char *key)
{
  guint64 *acked = g_hash_table_lookup (self->acked, key);

  return acked != NULL ? *acked : 0;
}

static gboolean
on_save_timeout (gpointer user_data)
{
  TwFeedMllp *self = user_data;
  g_autoptr(GError) error = NULL;

  self->save_id = 0;
  if (!tw_feed_mllp_save_state (self, &error))
    g_printerr ("tidewatch-feed: %s\n", error->message);
  return G_SOURCE_REMOVE;
}

static void
set_acked (TwFeedMllp *self,
           const char *key,
           guint64     seq)
{
  guint64 *acked = g_hash_table_lookup (self->acked, key);

  if (acked == NULL)
    {
      acked = g_new0 (guint64, 1);
      g_hash_table_insert (self->acked, g_strdup (key), acked);
    }
  if (seq <= *acked)
    return;
  *acked = seq;
  if (self->state_path != NULL && self->save_id == 0)
    self->save_id = g_timeout_add (SAVE_INTERVAL_MS, on_save_timeout, self);
}

static gboolean
load_state (TwFeedMllp  *self,
            GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *options = NULL;
  g_auto(GStrv) keys = NULL;

  if (!g_key_file_load_from_file (file, self->state_path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "cannot read the MLLP state file %s: %s", self->state_path,
                   local_error->message);
      return FALSE;
    }

  /* Sequence numbers of another stream would skip or repeat messages. */
  options = g_key_file_get_string (file, STATE_STREAM_GROUP, STATE_STREAM_KEY, NULL);
  if (options != NULL && !g_str_equal (options, self->stream_options))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "the MLLP state file %s belongs to another stream (%s); restart with those "
                   "options or remove the file", self->state_path, options);
      return FALSE;
    }

  keys = g_key_file_get_keys (file, STATE_ACK_GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *text = g_key_file_get_string (file, STATE_ACK_GROUP, keys[i], NULL);
      guint64 seq;

      if (text == NULL || !g_ascii_string_to_unsigned (text, DECIMAL, 0, G_MAXUINT64 - 1, &seq,
                                                       NULL))
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "the MLLP state file %s has no sequence number for %s; remove the line",
                       self->state_path, keys[i]);
          return FALSE;
        }
      set_acked (self, keys[i], seq);
    }
  g_clear_handle_id (&self->save_id, g_source_remove);
  return TRUE;
}

/**
 * tw_feed_mllp_save_state:
 * Writes what every receiver has acknowledged to the state file (if any),
 * atomically, so a restarted feed resumes there.
 */
gboolean
tw_feed_mllp_save_state (TwFeedMllp  *self,
                         GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (self != NULL, FALSE);

  g_clear_handle_id (&self->save_id, g_source_remove);
  if (self->state_path == NULL)
    return TRUE;
  g_key_file_set_string (file, STATE_STREAM_GROUP, STATE_STREAM_KEY, self->stream_options);
  g_hash_table_iter_init (&iter, self->acked);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, *(guint64 *) value);

      g_key_file_set_string (file, STATE_ACK_GROUP, key, text);
    }
  return g_key_file_save_to_file (file, self->state_path, error);
}

/* ---- one connection ------------------------------------------------------ */

static void
pending_free (Pending *pending)
{
  g_free (pending->control_id);
  g_free (pending);
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
link_free (Link *link)
{
  clear_source (&link->read_source);
  clear_source (&link->write_source);
  g_clear_handle_id (&link->pump_id, g_source_remove);
  if (!link->closed)
    g_io_stream_close (G_IO_STREAM (link->connection), NULL, NULL);
  g_clear_object (&link->connection);
  g_clear_pointer (&link->deframer, tw_mllp_deframer_free);
  g_string_free (link->unsent, TRUE);
  g_queue_clear_full (&link->in_flight, (GDestroyNotify) pending_free);
  g_free (link->key);
  g_free (link->peer);
  g_free (link);
}

static gboolean on_writable (GObject  *stream,
                             gpointer  user_data);

static void
link_write (Link *link)
{
  g_autoptr(GError) error = NULL;
  gboolean blocked;

  if (!tw_mllp_write_some (link->output, link->unsent, &blocked, &error))
    {
      link_close (link, error->message);
      return;
    }
  if (blocked && link->write_source == NULL)
    {
      link->write_source = g_pollable_output_stream_create_source (link->output, NULL);
      g_source_set_callback (link->write_source, G_SOURCE_FUNC (on_writable), link, NULL);
      g_source_attach (link->write_source, NULL);
    }
}

static gboolean
on_writable (GObject  *stream,
             gpointer  user_data)
{
  Link *link = user_data;

  g_clear_pointer (&link->write_source, g_source_unref);
  link_write (link);
  return G_SOURCE_REMOVE;
}

static void
send_message (Link       *link,
              char       *message,
              char       *control_id,
              guint64     seq)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->control_id = control_id;
  pending->seq = seq;
  g_queue_push_tail (&link->in_flight, pending);
  tw_mllp_append_frame (link->unsent, message, strlen (message));
  g_free (message);
}

static gboolean pump (gpointer user_data);

static void
schedule_pump (Link  *link,
               guint  delay_ms)
{
  g_clear_handle_id (&link->pump_id, g_source_remove);
  link->pump_id = g_timeout_add (delay_ms, pump, link);
}

/* Sends the admissions, then every vitals message as it falls due, while
 * fewer than TW_FEED_MLLP_WINDOW wait for their ACK. */
static gboolean
pump (gpointer user_data)
{
  Link *link = user_data;
  TwFeedMllp *self = link->owner;
  const TwFeedParams *params = &self->params;
  gint64 now = tw_time_now ();

  link->pump_id = 0;
  while (g_queue_get_length (&link->in_flight) < TW_FEED_MLLP_WINDOW)
    {
      if (link->next_patient < params->patients)
        {
          const TwFeedPatient *patient = g_ptr_array_index (self->patients, link->next_patient++);

          send_message (link, tw_feed_hl7_adt_a01 (params, patient),
                        tw_feed_hl7_adt_id (params, patient), 0);
          continue;
        }
      if (params->count > 0 && link->next_seq > params->count)
        break;
      if (tw_feed_params_seq_time (params, link->next_seq) > now)
        {
          schedule_pump (link, self->poll_interval_ms);
          break;
        }
      send_message (link,
                    tw_feed_hl7_oru (params,
                                     g_ptr_array_index (self->patients,
                                                        tw_feed_params_seq_patient (params,
                                                                                    link->next_seq)),
                                     link->next_seq),
                    tw_feed_hl7_oru_id (params, link->next_seq), link->next_seq);
      link->next_seq++;
    }
  link_write (link);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_ack (const char  *data,
           gsize        len,
           char       **out_code,
           char       **out_id,
           char       **out_text)
{
  g_autofree char *copy = g_strndup (data, len);
  char sep[2] = { strncmp (copy, "MSH", 3) == 0 && copy[3] != '\0' ? copy[3] : '|', '\0' };
  g_auto(GStrv) segments = g_strsplit_set (copy, "\r\n", -1);

  for (guint i = 0; segments[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (strncmp (segments[i], "MSA", 3) != 0 || segments[i][3] != sep[0])
        continue;
      fields = g_strsplit (segments[i], sep, 0);
      if (g_strv_length (fields) < 3)
        return FALSE;
      *out_code = g_strdup (fields[1]);
      *out_id = g_strdup (fields[2]);
      *out_text = g_strdup (fields[3] != NULL ? fields[3] : "");
      return TRUE;
    }
  return FALSE;
}

static Pending *
find_pending (Link       *link,
              const char *control_id)
{
  for (GList *l = link->in_flight.head; l != NULL; l = l->next)
    {
      Pending *pending = l->data;

      if (!pending->acked && g_str_equal (pending->control_id, control_id))
        return pending;
    }
  return NULL;
}

static gboolean
is_complete (TwFeedMllp *self,
             Link       *link)
{
  return self->params.count > 0 && link->next_patient >= self->params.patients
         && g_queue_is_empty (&link->in_flight)
         && get_acked (self, link->key) >= self->params.count;
}

static void
on_ack (Link       *link,
        const char *data,
        gsize       len)
{
  TwFeedMllp *self = link->owner;
  g_autofree char *code = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  Pending *pending;

  if (!parse_ack (data, len, &code, &id, &text))
    {
      g_printerr ("tidewatch-feed: %s sent something that is not an ACK (no MSA segment); "
                  "ignored\n", link->peer);
      return;
    }
  pending = find_pending (link, id);
  if (pending == NULL)
    {
      g_printerr ("tidewatch-feed: %s acknowledged %s, which is not waiting for an ACK; "
                  "ignored\n", link->peer, id);
      return;
    }

  if (g_str_equal (code, "AA") || g_str_equal (code, "CA"))
    {
      if (pending->seq > 0)
        self->n_accepted++;
      else
        self->n_admitted++;
      if (self->send_link == link)
        self->attempt = 0;
    }
  else if (g_str_equal (code, "AR") || g_str_equal (code, "CR"))
    {
      /* Sending it again would be rejected again. */
      g_printerr ("tidewatch-feed: %s rejected %s: %s\n", link->peer, id, text);
      self->n_rejected++;
    }
  else
    {
      g_autofree char *reason = g_strdup_printf ("%s could not take %s (%s: %s); "
                                                 "resending after a reconnect",
                                                 link->peer, id, code, text);
      self->n_errors++;
      link_close (link, reason);
      return;
    }

  pending->acked = TRUE;
  while (!g_queue_is_empty (&link->in_flight)
         && ((Pending *) g_queue_peek_head (&link->in_flight))->acked)
    {
      Pending *head = g_queue_pop_head (&link->in_flight);

      if (head->seq > 0)
        set_acked (self, link->key, head->seq);
      pending_free (head);
    }

  if (self->send_link == link && !self->done && is_complete (self, link))
    {
      self->done = TRUE;
      if (self->done_func != NULL)
        self->done_func (self->done_data);
      return;
    }
  if (link->pump_id == 0)
    schedule_pump (link, CONTINUE_NOW_MS);
}

static void
on_event (const TwMllpEvent *event,
          gpointer           user_data)
{
  Link *link = user_data;

  if (link->closed)
    return;
  if (event->type == TW_MLLP_EVENT_FRAME)
    on_ack (link, event->data, event->len);
  else
    g_printerr ("tidewatch-feed: %s sent bytes that are not an MLLP frame; ignored\n",
                link->peer);
}

static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  Link *link = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_pollable_input_stream_read_nonblocking (link->input, link->read_buf,
                                                       sizeof link->read_buf, NULL, &error);

  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      g_clear_pointer (&link->read_source, g_source_unref);
      link_close (link, n == 0 ? "the receiver closed the connection" : error->message);
      return G_SOURCE_REMOVE;
    }
  tw_mllp_deframer_push (link->deframer, link->read_buf, (gsize) n, on_event, link);
  /* An AE closes the link; it is freed only once we are out of here. */
  return link->closed ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static Link *
link_new (TwFeedMllp        *self,
          GSocketConnection *connection,
          const char        *key,
          const char        *peer)
{
  Link *link = g_new0 (Link, 1);
  GIOStream *stream = G_IO_STREAM (connection);

  link->owner = self;
  link->key = g_strdup (key);
  link->peer = g_strdup (peer);
  link->connection = g_object_ref (connection);
  link->input = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (stream));
  link->output = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (stream));
  link->deframer = tw_mllp_deframer_new (MAX_ACK_BYTES);
  link->unsent = g_string_new (NULL);
  g_queue_init (&link->in_flight);
  link->next_seq = get_acked (self, key) + 1;

  link->read_source = g_pollable_input_stream_create_source (link->input, NULL);
  g_source_set_callback (link->read_source, G_SOURCE_FUNC (on_readable), link, NULL);
  g_source_attach (link->read_source, NULL);

  g_printerr ("tidewatch-feed: MLLP to %s, resuming after seq %" G_GUINT64_FORMAT "\n", peer,
              link->next_seq - 1);
  schedule_pump (link, CONTINUE_NOW_MS);
  return link;
}

static gboolean
on_retry_timeout (gpointer user_data)
{
  TwFeedMllp *self = user_data;

  self->retry_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (TwFeedMllp *self,
                const char *reason)
{
  guint base = BACKOFF_INITIAL_MS;
  guint delay;

  for (guint i = 0; i < self->attempt && base < BACKOFF_MAX_MS; i++)
    base *= 2;
  base = MIN (base, BACKOFF_MAX_MS);
  delay = base / 2 + (guint) g_random_int_range (0, (gint32) (base / 2) + 1);
  self->attempt++;
  g_printerr ("tidewatch-feed: %s; retrying in %.1f s\n", reason, delay / MS_PER_SEC);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add (delay, on_retry_timeout, self);
}

static gboolean
free_link_later (gpointer user_data)
{
  link_free (user_data);
  return G_SOURCE_REMOVE;
}

/* Unacknowledged messages are forgotten here: the next connection starts
 * after the last acknowledged one and so sends them again. The link is
 * freed later, since a callback of its own may be running. */
static void
link_close (Link       *link,
            const char *reason)
{
  TwFeedMllp *self = link->owner;
  guint index;

  if (link->closed)
    return;
  link->closed = TRUE;
  clear_source (&link->read_source);
  clear_source (&link->write_source);
  g_clear_handle_id (&link->pump_id, g_source_remove);
  g_io_stream_close (G_IO_STREAM (link->connection), NULL, NULL);

  if (self->send_link == link)
    {
      self->send_link = NULL;
      schedule_retry (self, reason);
    }
  else
    {
      g_printerr ("tidewatch-feed: %s: %s\n", link->peer, reason);
      if (g_ptr_array_find (self->links, link, &index))
        g_ptr_array_steal_index_fast (self->links, index);
    }
  g_idle_add (free_link_later, link);
}

/* ---- --mllp-port ---------------------------------------------------------- */

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  TwFeedMllp *self = user_data;
  g_autoptr(GSocketAddress) address = g_socket_connection_get_remote_address (connection, NULL);
  g_autofree char *host = NULL;
  g_autofree char *peer = NULL;
  g_autofree char *key = NULL;

  if (G_IS_INET_SOCKET_ADDRESS (address))
    host = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  else
    host = g_strdup ("unknown");
  peer = address != NULL ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address))
                         : g_strdup (host);
  /* HL7 has no handshake that names the receiver: its host is the
   * closest thing to an identity an interface engine has. */
  key = g_strdup_printf ("client-%s", host);
  g_ptr_array_add (self->links, link_new (self, connection, key, peer));
  return TRUE;
}

/**
 * tw_feed_mllp_listen:
 * @self: a feed
 * @port: a TCP port on 127.0.0.1, or 0 for any free one
 *
 * Acts as an interface engine: every receiver that connects gets the
 * stream as ORU^R01 messages, from after what it acknowledged last.
 */
gboolean
tw_feed_mllp_listen (TwFeedMllp  *self,
                     guint        port,
                     GError     **error)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocketAddress) bound = NULL;

  g_return_val_if_fail (self != NULL && self->service == NULL, FALSE);
  g_return_val_if_fail (port <= MAX_PORT, FALSE);

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, error))
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (service);
  self->service = g_steal_pointer (&service);
  return TRUE;
}

guint
tw_feed_mllp_get_port (TwFeedMllp *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

/* ---- --mllp-send ---------------------------------------------------------- */

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TwFeedMllp *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *peer = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);
  if (connection == NULL)
    {
      g_autofree char *reason = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      reason = g_strdup_printf ("cannot reach the HL7 listener at %s port %u: %s",
                                self->send_host, self->send_port, error->message);
      schedule_retry (self, reason);
      return;
    }
  peer = g_strdup_printf ("%s:%u", self->send_host, self->send_port);
  self->send_link = link_new (self, connection, self->send_key, peer);
}

static void
connect_now (TwFeedMllp *self)
{
  g_autoptr(GSocketConnectable) address = g_network_address_new (self->send_host,
                                                                 self->send_port);

  g_socket_client_connect_async (self->client, address, self->cancellable, on_connected, self);
}

/**
 * tw_feed_mllp_send_to:
 * @self: a feed
 * @address: "HOST:PORT" of a Tidewatch MLLP listener
 * @done_func: (nullable): called once the listener has acknowledged the
 *   whole stream (only with a --count)
 * @user_data: for @done_func
 *
 * Acts as an HL7 sender: connects (retrying with backoff while the
 * listener is down) and sends the stream with the ACK discipline of
 * tw_feed_mllp_listen().
 */
gboolean
tw_feed_mllp_send_to (TwFeedMllp          *self,
                      const char          *address,
                      TwFeedMllpDoneFunc   done_func,
                      gpointer             user_data,
                      GError             **error)
{
  g_autoptr(GSocketConnectable) parsed = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL && self->client == NULL, FALSE);

  parsed = g_network_address_parse (address, 0, &local_error);
  if (parsed == NULL || g_network_address_get_port (G_NETWORK_ADDRESS (parsed)) == 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "--mllp-send '%s' is not HOST:PORT of an HL7 listener, like 127.0.0.1:2575",
                   address);
      return FALSE;
    }
  self->send_host = g_strdup (g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed)));
  self->send_port = g_network_address_get_port (G_NETWORK_ADDRESS (parsed));
  self->send_key = g_strdup_printf ("send-%s:%u", self->send_host, self->send_port);
  self->done_func = done_func;
  self->done_data = user_data;
  self->client = g_socket_client_new ();
  self->cancellable = g_cancellable_new ();
  connect_now (self);
  return TRUE;
}

/* ---- the object ------------------------------------------------------------ */

/**
 * tw_feed_mllp_new:
 * @params: the stream (copied); must be valid
 * @state_path: (nullable): where to keep what each receiver acknowledged
 *
 * Returns: (transfer full) (nullable): an idle HL7 peer, or %NULL when the
 *   state file cannot be used
 */
TwFeedMllp *
tw_feed_mllp_new (const TwFeedParams  *params,
                  const char          *state_path,
                  GError             **error)
{
  g_autoptr(TwFeedMllp) self = NULL;
  double tick_ms;

  g_return_val_if_fail (params != NULL && tw_feed_params_validate (params, NULL), NULL);

  self = g_new0 (TwFeedMllp, 1);
  self->params = *params;
  self->patients = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_feed_patient_free);
  for (guint i = 0; i < params->patients; i++)
    g_ptr_array_add (self->patients, tw_feed_patient_new (params, i));
  tick_ms = MS_PER_SEC / params->rate;
  self->poll_interval_ms = (guint) CLAMP (tick_ms, POLL_INTERVAL_MIN_MS, POLL_INTERVAL_MAX_MS);
  self->acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_free);
  self->stream_options = tw_feed_params_format_restart (params, STATE_ANY_PORT);
  self->state_path = g_strdup (state_path);
  if (state_path != NULL && !load_state (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Returns: how many vitals messages receivers acknowledged with AA */
guint64
tw_feed_mllp_get_n_accepted (TwFeedMllp *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_accepted;
}

/* Returns: (transfer full): the ACK totals, for the exit line */
char *
tw_feed_mllp_describe_totals (TwFeedMllp *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_strdup_printf ("acknowledged %" G_GUINT64_FORMAT " messages AA"
                          " (and %" G_GUINT64_FORMAT " ADT^A01); %" G_GUINT64_FORMAT
                          " rejected AR, %" G_GUINT64_FORMAT " errors AE",
                          self->n_accepted, self->n_admitted, self->n_rejected, self->n_errors);
}

void
tw_feed_mllp_free (TwFeedMllp *self)
{
  if (self == NULL)
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->service != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
    }
  g_clear_object (&self->service);
  g_clear_pointer (&self->send_link, link_free);
  g_clear_pointer (&self->links, g_ptr_array_unref);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->save_id, g_source_remove);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patients, g_ptr_array_unref);
  g_clear_pointer (&self->acked, g_hash_table_unref);
  g_free (self->send_host);
  g_free (self->send_key);
  g_free (self->state_path);
  g_free (self->stream_options);
  g_free (self);
}

/* ---- the feed's command line ----------------------------------------------- */

static void
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
}

/**
 * tw_feed_mllp_start:
 * @params: the stream
 * @port: --mllp-port (negative: not given)
 * @send_to: (nullable): --mllp-send HOST:PORT
 * @state_path: (nullable): --mllp-state FILE
 * @loop: quit once a --mllp-send with a --count is fully acknowledged
 *
 * Starts what the MLLP options ask for and prints where it listens.
 *
 * Returns: (transfer full) (nullable): the HL7 peer, or %NULL (with @error
 *   set when an option is wrong, unset when none was given)
 */
TwFeedMllp *
tw_feed_mllp_start (const TwFeedParams  *params,
                    gint64               port,
                    const char          *send_to,
                    const char          *state_path,
                    GMainLoop           *loop,
                    GError             **error)
{
  g_autoptr(TwFeedMllp) self = NULL;

  if (port < 0 && send_to == NULL)
    {
      if (state_path != NULL)
        g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                             "--mllp-state needs --mllp-port or --mllp-send");
      return NULL;
    }
  if (port > MAX_PORT)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "--mllp-port must be between 0 and %d", MAX_PORT);
      return NULL;
    }

  self = tw_feed_mllp_new (params, state_path, error);
  if (self == NULL)
    return NULL;
  if (port >= 0)
    {
      g_autoptr(GError) local_error = NULL;

      if (!tw_feed_mllp_listen (self, (guint) port, &local_error))
        {
          g_set_error (error, TW_ERROR, TW_ERROR_FAILED,
                       "cannot listen for MLLP on 127.0.0.1:%u: %s. Choose another "
                       "--mllp-port or 0 for a free one", (guint) port, local_error->message);
          return NULL;
        }
      g_print ("serving HL7 on mllp://127.0.0.1:%u\n", self->port);
    }
  if (send_to != NULL && !tw_feed_mllp_send_to (self, send_to, quit_loop, loop, error))
    return NULL;
  fflush (stdout);
  return g_steal_pointer (&self);
}

/* Saves the state and prints the totals; call before exiting. */
void
tw_feed_mllp_finish (TwFeedMllp *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *totals = NULL;

  if (self == NULL)
    return;
  if (!tw_feed_mllp_save_state (self, &error))
    g_printerr ("tidewatch-feed: %s\n", error->message);
  totals = tw_feed_mllp_describe_totals (self);
  g_print ("mllp: %s\n", totals);
  fflush (stdout);
}
