#include "tw-feed-mqtt.h"

#include <errno.h>
#include <mosquitto.h>
#include <stdio.h>
#include <string.h>

#include "tw-error.h"
#include "tw-feed-message.h"
#include "tw-feed-patient.h"
#include "tw-time.h"

#define MQTT_PORT             1883
#define KEEPALIVE_S           20
#define QOS_AT_LEAST_ONCE     1
#define RECONNECT_DELAY_MIN_S 1
#define RECONNECT_DELAY_MAX_S 4
#define TOPIC_VITALS          "vitals"
#define TOPIC_PATIENT         "patient"
#define TOPIC_RECORD          "record"
#define TOPIC_END             "end"
#define URL_FORM              "mqtt://[user[:password]@]host[:port]/topic-prefix"

/* While the broker is away or slow, libmosquitto keeps what it has not had
 * acknowledged in memory: publish no further ahead than this, then wait.
 * What a message holds does not depend on when it goes out. */
#define MAX_UNACKED           5000

/* Pacing, as for websocket clients (tw-feed-connection.c). */
#define POLL_INTERVAL_MAX_MS  20
#define POLL_INTERVAL_MIN_MS  1
#define MS_PER_SEC            1000.0
#define MAX_MESSAGES_PER_TURN 2000
#define REPORT_INTERVAL_MS    1000

/**
 * TwFeedMqtt:
 *
 * Publishes the feed's stream to an MQTT broker: every vitals message, the
 * same bytes a websocket client gets, to PREFIX/<patient>/vitals with QoS
 * 1; the patients retained on PREFIX/<patient>/patient; and after --count
 * the end message on PREFIX/end. libmosquitto's own thread does the
 * network; the main loop paces the stream and reports how far the broker
 * has acknowledged it.
 */
struct _TwFeedMqtt
{
  TwFeedParams      params;
  char             *host;
  int               port;
  char             *user;
  char             *password;
  char             *prefix;
  GPtrArray        *patient_ids;       /* char *, by patient index */
  GPtrArray        *patient_messages;  /* GPtrArray of char *, by patient index: the
                                        * announcement, then its chart's records */
  struct mosquitto *mosq;

  /* Main thread */
  guint             pump_id;
  guint             report_id;
  guint             poll_interval_ms;
  guint64           next_seq;
  gboolean          end_published;
  guint64           reported_seq;
  gboolean          end_reported;

  /* Shared with libmosquitto's thread */
  GMutex            mutex;
  GHashTable       *inflight;          /* mid → seq (gint64 *) */
  GHashTable       *acked_ahead;       /* seqs acknowledged out of order */
  guint64           acked_seq;         /* every vitals up to here is acknowledged */
  int               end_mid;
  gboolean          end_acked;
};

static gboolean pump (gpointer user_data);

/* ---- acknowledgements (libmosquitto's thread) ---------------------------- */

static void
ack_seq (TwFeedMqtt *self,
         gint64      seq)
{
  gint64 next;

  if ((guint64) seq != self->acked_seq + 1)
    {
      g_hash_table_add (self->acked_ahead, g_memdup2 (&seq, sizeof seq));
      return;
    }
  self->acked_seq = (guint64) seq;
  next = seq + 1;
  while (g_hash_table_remove (self->acked_ahead, &next))
    {
      self->acked_seq = (guint64) next;
      next++;
    }
}

static void
on_publish (struct mosquitto *mosq,
            void             *user_data,
            int               mid)
{
  TwFeedMqtt *self = user_data;
  gpointer key = GINT_TO_POINTER (mid);
  gint64 *seq;

  g_mutex_lock (&self->mutex);
  seq = g_hash_table_lookup (self->inflight, key);
  if (seq != NULL)
    {
      ack_seq (self, *seq);
      g_hash_table_remove (self->inflight, key);
    }
  else if (mid == self->end_mid)
    self->end_acked = TRUE;
  g_mutex_unlock (&self->mutex);
}

static void
on_connect (struct mosquitto *mosq,
            void             *user_data,
            int               code)
{
  TwFeedMqtt *self = user_data;

  if (code != 0)
    {
      g_printerr ("tidewatch-feed: the MQTT broker refused the connection: %s\n",
                  mosquitto_connack_string (code));
      return;
    }
  g_printerr ("tidewatch-feed: connected to the MQTT broker at %s:%d\n", self->host, self->port);
  /* Retained, so a subscriber learns the patients whenever it comes; sent
   * on every connect in case the broker lost them. */
  for (guint i = 0; i < self->patient_ids->len; i++)
    {
      GPtrArray *messages = g_ptr_array_index (self->patient_messages, i);

      /* One retained topic per message: a broker keeps one per topic. */
      for (guint j = 0; j < messages->len; j++)
        {
          const char *id = g_ptr_array_index (self->patient_ids, i);
          g_autofree char *topic = j == 0
            ? g_strdup_printf ("%s/%s/" TOPIC_PATIENT, self->prefix, id)
            : g_strdup_printf ("%s/%s/" TOPIC_RECORD "/%u", self->prefix, id, j);
          const char *message = g_ptr_array_index (messages, j);

          mosquitto_publish (mosq, NULL, topic, (int) strlen (message), message,
                             QOS_AT_LEAST_ONCE, true);
        }
    }
}

static void
on_disconnect (struct mosquitto *mosq,
               void             *user_data,
               int               rc)
{
  if (rc != MOSQ_ERR_SUCCESS)
    g_printerr ("tidewatch-feed: lost the MQTT broker (%s); reconnecting\n",
                mosquitto_strerror (rc));
}

/* ---- publishing (main thread) ------------------------------------------- */

static void
schedule_pump (TwFeedMqtt *self,
               guint       delay_ms)
{
  g_clear_handle_id (&self->pump_id, g_source_remove);
  self->pump_id = g_timeout_add (delay_ms, pump, self);
}

static void
report_error (int         rc,
              const char *what)
{
  /* Not connected: libmosquitto keeps the message and sends it once the
   * broker is back. */
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
    g_printerr ("tidewatch-feed: cannot publish %s: %s\n", what, mosquitto_strerror (rc));
}

static void
publish_end (TwFeedMqtt *self)
{
  g_autofree char *topic = g_strdup_printf ("%s/" TOPIC_END, self->prefix);
  g_autofree char *message = tw_feed_message_end (self->params.count);
  int mid = 0;
  int rc;

  g_mutex_lock (&self->mutex);
  rc = mosquitto_publish (self->mosq, &mid, topic, (int) strlen (message), message,
                          QOS_AT_LEAST_ONCE, false);
  self->end_mid = mid;
  g_mutex_unlock (&self->mutex);
  report_error (rc, "the end of the stream");
  self->end_published = TRUE;
}

/* Returns: %FALSE when too much is waiting for the broker */
static gboolean
publish_vitals (TwFeedMqtt *self,
                guint64     seq)
{
  guint patient = tw_feed_params_seq_patient (&self->params, seq);
  g_autofree char *topic = g_strdup_printf ("%s/%s/" TOPIC_VITALS, self->prefix,
                                            (char *) g_ptr_array_index (self->patient_ids,
                                                                        patient));
  g_autofree char *message = NULL;
  gint64 value = (gint64) seq;
  int mid = 0;
  int rc;

  g_mutex_lock (&self->mutex);
  if (seq - 1 - self->acked_seq >= MAX_UNACKED)
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  message = tw_feed_message_vitals (&self->params, seq);
  /* Under the lock, so the acknowledgement cannot overtake the bookkeeping. */
  rc = mosquitto_publish (self->mosq, &mid, topic, (int) strlen (message), message,
                          QOS_AT_LEAST_ONCE, false);
  if (rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_NO_CONN)
    g_hash_table_insert (self->inflight, GINT_TO_POINTER (mid), g_memdup2 (&value, sizeof value));
  g_mutex_unlock (&self->mutex);
  report_error (rc, "a vitals message");
  return rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_NO_CONN;
}

static gboolean
pump (gpointer user_data)
{
  TwFeedMqtt *self = user_data;
  gint64 now = tw_time_now ();
  guint n;

  self->pump_id = 0;
  for (n = 0; n < MAX_MESSAGES_PER_TURN; n++)
    {
      if (self->params.count > 0 && self->next_seq > self->params.count)
        {
          if (!self->end_published)
            publish_end (self);
          /* The stream is over; the process keeps running until told. */
          return G_SOURCE_REMOVE;
        }
      if (tw_feed_params_seq_time (&self->params, self->next_seq) > now)
        break;
      if (!publish_vitals (self, self->next_seq))
        break;
      self->next_seq++;
    }
  schedule_pump (self, n == MAX_MESSAGES_PER_TURN ? 0 : self->poll_interval_ms);
  return G_SOURCE_REMOVE;
}

/* Tests read how far the broker has acknowledged the stream from stdout. */
static gboolean
report (gpointer user_data)
{
  TwFeedMqtt *self = user_data;
  guint64 acked;
  gboolean end_acked;

  g_mutex_lock (&self->mutex);
  acked = self->acked_seq;
  end_acked = self->end_acked;
  g_mutex_unlock (&self->mutex);

  if (acked != self->reported_seq)
    {
      g_print ("published up to seq %" G_GUINT64_FORMAT "\n", acked);
      self->reported_seq = acked;
    }
  if (end_acked && !self->end_reported)
    {
      g_print ("published the end (seq %" G_GUINT64_FORMAT ")\n", self->params.count);
      self->end_reported = TRUE;
    }
  fflush (stdout);
  return G_SOURCE_CONTINUE;
}

/* ---- setup -------------------------------------------------------------- */

static gboolean
parse_url (TwFeedMqtt  *self,
           const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autofree char *probe = NULL;
  const char *path;

  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), "mqtt") != 0
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "--mqtt expects " URL_FORM);
      return FALSE;
    }
  self->host = g_strdup (g_uri_get_host (uri));
  self->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : MQTT_PORT;
  self->user = g_strdup (g_uri_get_user (uri));
  self->password = g_strdup (g_uri_get_password (uri));
  path = g_uri_get_path (uri);
  while (*path == '/')
    path++;
  self->prefix = g_strdup (path);
  while (g_str_has_suffix (self->prefix, "/"))
    self->prefix[strlen (self->prefix) - 1] = '\0';

  probe = g_strdup_printf ("%s/" TOPIC_END, self->prefix);
  if (*self->prefix == '\0' || mosquitto_pub_topic_check (probe) != MOSQ_ERR_SUCCESS)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "--mqtt needs a topic prefix without + or # (" URL_FORM ")");
      return FALSE;
    }
  return TRUE;
}

static void
make_patients (TwFeedMqtt *self)
{
  self->patient_ids = g_ptr_array_new_with_free_func (g_free);
  self->patient_messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < self->params.patients; i++)
    {
      g_autoptr(TwFeedPatient) patient = tw_feed_patient_new (&self->params, i);
      GPtrArray *messages = tw_feed_message_announce_all (&self->params, i);

      g_ptr_array_add (self->patient_ids, g_strdup (patient->id));
      /* The patient and its chart are retained; a CGM's history is not
       * (thousands of retained topics would outlive the demo on the
       * broker): it comes over the websocket and the event stream. Empty
       * for a scenario's instruments and stores. */
      for (guint j = 0; j < messages->len; j++)
        if (strstr (messages->pdata[j], "\"type\":\"samples\"") != NULL)
          g_ptr_array_remove_index (messages, j--);
      g_ptr_array_add (self->patient_messages, messages);
    }
}

/**
 * tw_feed_mqtt_new:
 * @params: the stream (copied); must be valid
 * @url: mqtt://host:port/prefix
 * @after: publish from @after + 1 (0: from the start)
 * @error: return location for an error
 *
 * Connects in the background (and reconnects whenever the broker goes
 * away) and publishes the stream as it falls due.
 *
 * Returns: (transfer full) (nullable): the publisher
 */
TwFeedMqtt *
tw_feed_mqtt_new (const TwFeedParams *params,
                  const char         *url,
                  guint64             after,
                  GError            **error)
{
  g_autoptr(TwFeedMqtt) self = NULL;
  int rc;

  g_return_val_if_fail (params != NULL && url != NULL, NULL);
  g_return_val_if_fail (after < G_MAXUINT64, NULL);

  self = g_new0 (TwFeedMqtt, 1);
  self->params = *params;
  self->next_seq = after + 1;
  self->acked_seq = after;
  self->reported_seq = after;
  self->end_mid = -1;
  g_mutex_init (&self->mutex);
  self->inflight = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  self->acked_ahead = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->poll_interval_ms = (guint) CLAMP (MS_PER_SEC / params->rate, POLL_INTERVAL_MIN_MS,
                                          POLL_INTERVAL_MAX_MS);
  if (!parse_url (self, url, error))
    return NULL;
  make_patients (self);

  mosquitto_lib_init ();
  self->mosq = mosquitto_new (NULL, true, self);
  if (self->mosq == NULL)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "cannot create an MQTT client: %s", g_strerror (errno));
      return NULL;
    }
  mosquitto_int_option (self->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set (self->mosq, on_connect);
  mosquitto_disconnect_callback_set (self->mosq, on_disconnect);
  mosquitto_publish_callback_set (self->mosq, on_publish);
  mosquitto_reconnect_delay_set (self->mosq, RECONNECT_DELAY_MIN_S, RECONNECT_DELAY_MAX_S, true);
  if (self->user != NULL)
    mosquitto_username_pw_set (self->mosq, self->user, self->password);

  /* A broker that is not up yet is retried by the network thread. */
  rc = mosquitto_connect_async (self->mosq, self->host, self->port, KEEPALIVE_S);
  if (rc != MOSQ_ERR_SUCCESS)
    g_printerr ("tidewatch-feed: cannot reach the MQTT broker at %s:%d yet (%s); retrying\n",
                self->host, self->port,
                rc == MOSQ_ERR_ERRNO ? g_strerror (errno) : mosquitto_strerror (rc));
  rc = mosquitto_loop_start (self->mosq);
  if (rc != MOSQ_ERR_SUCCESS)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "cannot start the MQTT client: %s", mosquitto_strerror (rc));
      return NULL;
    }

  self->report_id = g_timeout_add (REPORT_INTERVAL_MS, report, self);
  schedule_pump (self, 0);
  return g_steal_pointer (&self);
}

/* Returns: the highest sequence number up to which the broker has
 * acknowledged every vitals message */
guint64
tw_feed_mqtt_get_acked_seq (TwFeedMqtt *self)
{
  guint64 acked;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  acked = self->acked_seq;
  g_mutex_unlock (&self->mutex);
  return acked;
}

/* Says goodbye to the broker (what it has not acknowledged is not
 * published) and prints how far the stream got. */
void
tw_feed_mqtt_free (TwFeedMqtt *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->pump_id, g_source_remove);
  if (self->mosq != NULL)
    {
      mosquitto_disconnect (self->mosq);
      mosquitto_loop_stop (self->mosq, false);
      if (self->report_id != 0)
        report (self);
      mosquitto_destroy (self->mosq);
    }
  g_clear_handle_id (&self->report_id, g_source_remove);
  g_clear_pointer (&self->inflight, g_hash_table_unref);
  g_clear_pointer (&self->acked_ahead, g_hash_table_unref);
  g_clear_pointer (&self->patient_ids, g_ptr_array_unref);
  g_clear_pointer (&self->patient_messages, g_ptr_array_unref);
  g_mutex_clear (&self->mutex);
  g_free (self->host);
  g_free (self->user);
  g_free (self->password);
  g_free (self->prefix);
  g_free (self);
}
