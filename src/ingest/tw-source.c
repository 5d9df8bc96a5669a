#include <glib/gi18n.h>

#include "tw-error.h"
#include "tw-source-registry.h"
#include "tw-source.h"
#include "tw-time.h"

/* A batch goes to the engine when it is this big or this old: small
 * enough to bound latency, big enough to amortise the queue. */
#define BATCH_MAX_MESSAGES   1000
/* A message waits at most this long before the engine (and the rules) see
 * it: event → alert p99 ≤ 50 ms (ARCHITECTURE.md) leaves room for the rest. */
#define FLUSH_INTERVAL_MS    10
#define RATE_INTERVAL_US     TW_USEC_PER_SEC
#define RATE_SMOOTHING       0.5
#define BACKOFF_INITIAL_MS   250
#define BACKOFF_MAX_MS       10000

const char *
tw_source_state_to_label (TwSourceState state)
{
  switch (state)
    {
    case TW_SOURCE_STATE_CONNECTING:   return _("Connecting");
    case TW_SOURCE_STATE_CONNECTED:    return _("Connected");
    case TW_SOURCE_STATE_RECONNECTING: return _("Reconnecting");
    case TW_SOURCE_STATE_FINISHED:     return _("Stream ended");
    case TW_SOURCE_STATE_STOPPED:      return _("Stopped");
    default:                           return _("Unknown");
    }
}

TwSourceLive *
tw_source_live_new (gint64      source_id,
                    const char *url,
                    gint64      committed_seq)
{
  TwSourceLive *live = g_new0 (TwSourceLive, 1);

  g_mutex_init (&live->mutex);
  live->source_id = source_id;
  live->url = g_strdup (url);
  live->state = TW_SOURCE_STATE_CONNECTING;
  live->committed_seq = committed_seq;
  live->newest_event_ts = G_MININT64;
  return live;
}

void
tw_source_live_free (TwSourceLive *live)
{
  if (live == NULL)
    return;
  g_mutex_clear (&live->mutex);
  g_free (live->url);
  g_free (live->last_error);
  g_free (live);
}

/* @error_message NULL keeps the last error: it stays useful on screen
 * while the source reconnects. */
void
tw_source_live_set_state (TwSourceLive  *live,
                          TwSourceState  state,
                          const char    *error_message)
{
  g_mutex_lock (&live->mutex);
  live->state = state;
  if (error_message != NULL)
    {
      g_free (live->last_error);
      live->last_error = g_strdup (error_message);
    }
  g_mutex_unlock (&live->mutex);
}

/* ---- URL helpers ------------------------------------------------------- */

char *
tw_source_url_get_param (const char *url,
                         const char *name)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GHashTable) params = NULL;
  const char *query = uri != NULL ? g_uri_get_query (uri) : NULL;

  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, name));
}

/**
 * tw_source_url_without_params:
 * The URL with the named query parameters removed (ours, such as
 * "format", that the peer should not see).
 */
char *
tw_source_url_without_params (const char         *url,
                              const char * const *params)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GUri) stripped = NULL;
  g_auto(GStrv) pairs = NULL;

  if (uri == NULL || g_uri_get_query (uri) == NULL)
    return g_strdup (url);

  pairs = g_strsplit (g_uri_get_query (uri), "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      g_autofree char *key = g_strdup (pairs[i]);
      char *eq = strchr (key, '=');

      if (eq != NULL)
        *eq = '\0';
      if (*pairs[i] == '\0' || g_strv_contains (params, key))
        continue;
      if (query->len > 0)
        g_string_append_c (query, '&');
      g_string_append (query, pairs[i]);
    }
  stripped = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), g_uri_get_userinfo (uri),
                          g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                          query->len > 0 ? query->str : NULL, g_uri_get_fragment (uri));
  return g_uri_to_string (stripped);
}

/**
 * tw_source_url_redact:
 * The URL as it may be shown or logged: a password in it (MQTT brokers take
 * one in the user info) is replaced by "***".
 */
char *
tw_source_url_redact (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED | G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autoptr(GUri) shown = NULL;

  if (uri == NULL || g_uri_get_password (uri) == NULL)
    return g_strdup (url);
  shown = g_uri_build_with_user (G_URI_FLAGS_ENCODED | G_URI_FLAGS_HAS_PASSWORD,
                                 g_uri_get_scheme (uri), g_uri_get_user (uri), "***",
                                 g_uri_get_auth_params (uri), g_uri_get_host (uri),
                                 g_uri_get_port (uri), g_uri_get_path (uri), g_uri_get_query (uri),
                                 g_uri_get_fragment (uri));
  return g_uri_to_string (shown);
}

/* ---- factory ----------------------------------------------------------- */

static gboolean
parse_format (const char  *url,
              TwFormat    *out_format,
              GError     **error)
{
  g_autofree char *format = tw_source_url_get_param (url, "format");

  *out_format = TW_FORMAT_AUTO;
  if (format != NULL && !tw_format_from_string (format, out_format))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "Unknown format=%s in ‘%s’; use auto, json, fhir or hl7", format, url);
      return FALSE;
    }
  return TRUE;
}

gboolean
tw_source_check_url (const char  *url,
                     GError     **error)
{
  TwFormat format;
  TwSourceNewFunc constructor;
  TwSource *probe;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT, "No source address given");
      return FALSE;
    }
  constructor = tw_source_registry_lookup (url, error);
  if (constructor == NULL || !parse_format (url, &format, error))
    return FALSE;
  /* Each kind checks its own address (host, port, topic, path). */
  probe = constructor (url, error);
  if (probe == NULL)
    return FALSE;
  if (probe->klass->finalize != NULL)
    probe->klass->finalize (probe);
  g_free (probe->url);
  g_free (probe);
  return TRUE;
}

TwSource *
tw_source_new_for_url (const char    *url,
                       gint64         resume_after,
                       TwQueue       *queue,
                       TwSourceLive  *live,
                       GError       **error)
{
  TwSourceNewFunc constructor = tw_source_registry_lookup (url, error);
  TwFormat format;
  TwSource *source;

  if (constructor == NULL || !parse_format (url, &format, error))
    return NULL;
  source = constructor (url, error);
  if (source == NULL)
    return NULL;
  source->format = format;
  source->queue = queue;
  source->live = live;
  source->resume_after = resume_after;
  return source;
}

gpointer
tw_source_alloc (const TwSourceClass *klass,
                 gsize                instance_size,
                 const char          *url)
{
  TwSource *source;

  g_return_val_if_fail (instance_size >= sizeof (TwSource), NULL);
  source = g_malloc0 (instance_size);
  source->klass = klass;
  source->url = g_strdup (url);
  source->resume_after = -1;
  return source;
}

/* ---- batching ---------------------------------------------------------- */

TwBatch *
tw_source_get_batch (TwSource *self)
{
  if (self->batch == NULL)
    {
      self->batch = tw_batch_new (self->live->source_id);
      self->batch->limits = self->limits;
    }
  return self->batch;
}

/**
 * tw_source_flush:
 * Hands the current batch to the engine. Blocks while the queue is full:
 * that is the backpressure — the source stops reading its socket, the
 * peer's TCP window fills, and nothing is dropped.
 */
void
tw_source_flush (TwSource *self)
{
  TwBatch *batch = g_steal_pointer (&self->batch);
  gint64 cursor;

  if (batch == NULL)
    return;
  cursor = batch->cursor_seq;
  if (!tw_queue_push (self->queue, batch))
    {
      /* Closed: the pipeline is shutting down; the data was never
       * acknowledged, so the next run fetches it again. */
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
update_rate (TwSource *self)
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
  TwSource *self = user_data;

  tw_source_flush (self);
  update_rate (self);
  return G_SOURCE_CONTINUE;
}

static gint64
newest_sample_ts (TwBatch *batch,
                  guint    from)
{
  gint64 newest = G_MININT64;

  for (guint i = from; i < batch->samples->len; i++)
    newest = MAX (newest, g_array_index (batch->samples, TwSample, i).ts);
  return newest;
}

/**
 * tw_source_decode:
 * Decodes one message into the current batch and counts it. Call
 * tw_source_message_done() after any per-message bookkeeping (an MLLP
 * source attaches its ACK to the batch in between).
 */
TwDecodeResult
tw_source_decode (TwSource     *self,
                  const char   *data,
                  gsize         len,
                  TwDecodeInfo *info)
{
  TwBatch *batch = tw_source_get_batch (self);
  guint before = batch->samples->len;
  TwDecodeInfo local = { 0 };
  TwDecodeResult result;
  gint64 newest;

  if (info == NULL)
    info = &local;
  result = tw_codec_decode (batch, self->format, data, len, info);

  batch->n_messages++;
  if (!self->own_cursor && info->seq > batch->cursor_seq)
    batch->cursor_seq = info->seq;
  newest = newest_sample_ts (batch, before);
  self->rate_count++;
  g_mutex_lock (&self->live->mutex);
  self->live->received++;
  self->live->newest_event_ts = MAX (self->live->newest_event_ts, newest);
  g_mutex_unlock (&self->live->mutex);
  return result;
}

void
tw_source_message_done (TwSource *self)
{
  if (self->batch != NULL && self->batch->n_messages >= BATCH_MAX_MESSAGES)
    tw_source_flush (self);
}

/* ---- connection state --------------------------------------------------- */

guint
tw_source_timeout_add (guint       interval_ms,
                       GSourceFunc func,
                       gpointer    data)
{
  /* g_timeout_add() would attach to the global default context, i.e. the
   * main thread: everything of a source runs on the ingest thread. */
  g_autoptr(GSource) source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, func, data, NULL);
  return g_source_attach (source, g_main_context_get_thread_default ());
}

void
tw_source_remove_timeout (guint *id)
{
  GSource *source;

  if (*id == 0)
    return;
  source = g_main_context_find_source_by_id (g_main_context_get_thread_default (), *id);
  if (source != NULL)
    g_source_destroy (source);
  *id = 0;
}

void
tw_source_connected (TwSource *self)
{
  self->attempt = 0;
  g_mutex_lock (&self->live->mutex);
  self->live->state = TW_SOURCE_STATE_CONNECTED;
  g_clear_pointer (&self->live->last_error, g_free);
  g_mutex_unlock (&self->live->mutex);
}

void
tw_source_schedule_reconnect (TwSource   *self,
                              const char *reason,
                              GSourceFunc reconnect)
{
  g_autofree char *message = NULL;
  guint base = MAX (BACKOFF_INITIAL_MS, self->min_backoff_ms);
  guint cap = MAX (BACKOFF_MAX_MS, self->min_backoff_ms);
  guint delay;

  tw_source_flush (self);
  if (self->stopping || self->finished)
    return;
  for (guint i = 0; i < self->attempt && base < cap; i++)
    base *= 2;
  base = MIN (base, cap);
  /* Equal jitter: half fixed, half random, so many clients of one feed do
   * not all come back in the same millisecond. A peer that set its own
   * delay is never called sooner than it asked: the jitter only adds. */
  if (self->min_backoff_ms > 0)
    delay = base + (guint) g_random_int_range (0, (gint32) (base / 2) + 1);
  else
    delay = base / 2 + (guint) g_random_int_range (0, (gint32) (base / 2) + 1);
  self->attempt++;

  g_mutex_lock (&self->live->mutex);
  self->live->reconnects++;
  g_mutex_unlock (&self->live->mutex);
  message = g_strdup_printf ("%s; retrying in %.1f s", reason, delay / 1000.0);
  tw_source_live_set_state (self->live, TW_SOURCE_STATE_RECONNECTING, message);

  tw_source_remove_timeout (&self->reconnect_id);
  self->reconnect_id = tw_source_timeout_add (delay, reconnect, self);
}

void
tw_source_finish (TwSource *self)
{
  tw_source_flush (self);
  self->finished = TRUE;
  tw_source_live_set_state (self->live, TW_SOURCE_STATE_FINISHED, NULL);
}

/* ---- lifecycle ---------------------------------------------------------- */

void
tw_source_start (TwSource *self)
{
  g_return_if_fail (self->queue != NULL && self->live != NULL);
  self->flush_id = tw_source_timeout_add (FLUSH_INTERVAL_MS, on_flush_timeout, self);
  self->klass->start (self);
}

void
tw_source_stop (TwSource *self)
{
  if (self->stopping)
    return;
  self->stopping = TRUE;
  tw_source_remove_timeout (&self->reconnect_id);
  tw_source_remove_timeout (&self->flush_id);
  self->klass->stop (self);
  tw_source_flush (self);
  if (!self->finished)
    tw_source_live_set_state (self->live, TW_SOURCE_STATE_STOPPED, NULL);
}

void
tw_source_free (TwSource *self)
{
  if (self == NULL)
    return;
  tw_source_stop (self);
  g_clear_pointer (&self->batch, tw_batch_free);
  if (self->klass->finalize != NULL)
    self->klass->finalize (self);
  g_free (self->url);
  g_free (self);
}
