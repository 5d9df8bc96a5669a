#include <string.h>

#include "tw-error.h"
#include "tw-pipeline-private.h"
#include "tw-spool.h"
#include "tw-store-private.h"
#include "tw-time.h"
#include "tw-source.h"

void
tw_pipeline_status_free (TwPipelineStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->storage_error);
  g_ptr_array_unref (status->sources);
  g_free (status);
}

static void
tw_source_status_free (TwSourceStatus *status)
{
  g_free (status->url);
  g_free (status->last_error);
  g_free (status);
}

TwPipeline *
tw_pipeline_new (TwSession  *session,
                 GError    **error)
{
  g_autoptr(TwLimits) limits = NULL;
  TwPipeline *self;

  g_return_val_if_fail (session != NULL, NULL);

  /* A broken limits file stops ingest with a clear error rather than
   * silently applying other limits than the site chose. */
  limits = tw_limits_load_for_data_dir (tw_session_get_data_dir (session), error);
  if (limits == NULL)
    return NULL;

  self = g_new0 (TwPipeline, 1);
  self->limits = g_steal_pointer (&limits);
  /* The pipeline outlives nothing of the session but needs the key on its
   * own threads: it keeps a copy in protected memory, wiped on free. */
  self->store_path = g_strdup (tw_session_get_store_path (session));
  self->spool_path = g_build_filename (tw_session_get_data_dir (session), TW_SPOOL_FILENAME,
                                       NULL);
  self->key = tw_session_dup_key (session);
  /* Made while the session is locked: start detached, spooling, until an
   * unlock attaches a key. */
  self->detached = self->key == NULL;
  self->requested_urls = g_ptr_array_new_with_free_func (g_free);
  self->queue = tw_queue_new (TW_PIPELINE_QUEUE_MAX_ROWS);
  self->write_queue = tw_queue_new (TW_PIPELINE_WRITE_MAX_ROWS);
  self->lives = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_source_live_free);
  self->alert_commands = g_async_queue_new_full ((GDestroyNotify) tw_alert_command_free);
  self->alert_snapshot = tw_alert_snapshot_new_empty ();
  self->locked_alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_locked_alert_free);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  return self;
}

gboolean
tw_pipeline_add_source (TwPipeline  *self,
                        const char  *url,
                        GError     **error)
{
  g_return_val_if_fail (self->engine_thread == NULL, FALSE);

  if (!tw_source_check_url (url, error))
    return FALSE;
  for (guint i = 0; i < self->requested_urls->len; i++)
    if (g_str_equal (g_ptr_array_index (self->requested_urls, i), url))
      return TRUE;
  g_ptr_array_add (self->requested_urls, g_strdup (url));
  return TRUE;
}

gboolean
tw_pipeline_add_stored_sources (TwPipeline  *self,
                                GError     **error)
{
  g_return_val_if_fail (self->engine_thread == NULL, FALSE);
  self->add_stored = TRUE;
  return TRUE;
}

/* ---- ingest thread ----------------------------------------------------- */

static gpointer
ingest_thread_main (gpointer data)
{
  TwPipeline *self = data;
  g_autoptr(GPtrArray) sources = g_ptr_array_new ();

  g_main_context_push_thread_default (self->ingest_context);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->lives->len; i++)
    {
      TwSourceLive *live = g_ptr_array_index (self->lives, i);
      g_autoptr(GError) error = NULL;
      TwSource *source;

      if (live->state == TW_SOURCE_STATE_STOPPED)
        continue;  /* paused */
      source = tw_source_new_for_url (live->url, live->committed_seq, self->queue, live, &error);

      if (source == NULL)
        {
          /* Checked before, so only a file that vanished lands here. */
          g_mutex_lock (&live->mutex);
          live->state = TW_SOURCE_STATE_STOPPED;
          g_free (live->last_error);
          live->last_error = g_strdup (error->message);
          g_mutex_unlock (&live->mutex);
          continue;
        }
      source->limits = self->limits;
      g_ptr_array_add (sources, source);
    }
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < sources->len; i++)
    tw_source_start (g_ptr_array_index (sources, i));

  g_main_loop_run (self->ingest_loop);

  for (guint i = 0; i < sources->len; i++)
    tw_source_free (g_ptr_array_index (sources, i));

  /* Let the sources finish closing sockets before the context goes away. */
  while (g_main_context_iteration (self->ingest_context, FALSE))
    ;
  g_main_context_pop_thread_default (self->ingest_context);
  return NULL;
}

/* ---- engine thread ----------------------------------------------------- */

static gboolean
is_requested (TwPipeline *self,
              const char *url)
{
  for (guint j = 0; j < self->requested_urls->len; j++)
    if (g_str_equal (g_ptr_array_index (self->requested_urls, j), url))
      return TRUE;
  return FALSE;
}

static gboolean
has_url (GPtrArray  *rows,
         const char *url)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_str_equal (((TwSourceRow *) g_ptr_array_index (rows, i))->url, url))
      return TRUE;
  return FALSE;
}

/* Requested addresses are matched by address, not by name: a source an
 * administrator renamed is still the same source. A paused source stays
 * paused even when asked for by address; it is listed with the reason so
 * the caller can say so. */
static gboolean
register_sources (TwPipeline  *self,
                  TwStore     *store,
                  GError     **error)
{
  g_autoptr(GPtrArray) rows = tw_store_list_sources (store, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < self->requested_urls->len; i++)
    {
      const char *url = g_ptr_array_index (self->requested_urls, i);
      /* The name is shown everywhere; a password in the URL must not be. */
      g_autofree char *name = tw_source_url_redact (url);

      if (!has_url (rows, url) && tw_store_ensure_source (store, name, url, error) < 0)
        return FALSE;
    }

  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = tw_store_list_sources (store, error);
  if (rows == NULL)
    return FALSE;

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < rows->len; i++)
    {
      TwSourceRow *row = g_ptr_array_index (rows, i);
      gboolean requested = is_requested (self, row->url);
      TwSourceLive *live;

      if (!(requested || (self->add_stored && row->enabled))
          || !tw_source_check_url (row->url, NULL))
        continue;

      live = tw_source_live_new (row->id, row->url, row->cursor_seq);
      live->total_received = row->counters.received;
      live->total_stored = row->counters.stored;
      live->total_duplicates = row->counters.duplicates;
      live->total_quarantined = row->counters.quarantined;
      live->base_reconnects = row->reconnects;
      if (!row->enabled)
        {
          live->state = TW_SOURCE_STATE_STOPPED;
          live->last_error = g_strdup_printf ("The source ‘%s’ is paused; an administrator can "
                                              "resume it", row->name);
        }
      g_ptr_array_add (self->lives, live);
    }
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

void
tw_pipeline_set_storage_error (TwPipeline   *self,
                               const GError *error)
{
  g_mutex_lock (&self->mutex);
  g_free (self->storage_error);
  self->storage_error = error != NULL ? g_strdup (error->message) : NULL;
  g_mutex_unlock (&self->mutex);
  if (error != NULL)
    g_warning ("Ingest paused: %s", error->message);
}

gboolean
tw_pipeline_is_stopping (TwPipeline *self)
{
  gboolean stopping;

  g_mutex_lock (&self->mutex);
  stopping = self->stopping;
  g_mutex_unlock (&self->mutex);
  return stopping;
}

TwKey *
tw_pipeline_dup_key (TwPipeline *self)
{
  TwKey *copy;

  g_mutex_lock (&self->mutex);
  copy = self->key != NULL ? tw_key_copy (self->key) : NULL;
  g_mutex_unlock (&self->mutex);
  return copy;
}

TwStore *
tw_pipeline_open_store (TwPipeline  *self,
                        GError     **error)
{
  g_autoptr(TwKey) key = tw_pipeline_dup_key (self);
  TwStore *store;

  if (key == NULL)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                           "The screen is locked: the store opens again at the next sign-in");
      return NULL;
    }
  store = tw_store_open (self->store_path, key, FALSE, error);
  /* The engine keys its alerts and rules by the real entity keys: its
   * connections are not masked (they serve no one's eyes directly). */
  if (store != NULL)
    tw_store_set_role (store, TW_ROLE_CLINICIAN);
  return store;
}

TwStore *
tw_pipeline_borrow_store (TwPipeline  *self,
                          GError     **error)
{
  g_autoptr(TwKey) key = NULL;
  TwStore *store;

  g_mutex_lock (&self->mutex);
  /* Checked and counted together, so a detach either comes first (no
   * connection) or waits for this one. */
  if (self->key == NULL || self->detached || self->detach_requested)
    {
      g_mutex_unlock (&self->mutex);
      return NULL;
    }
  key = tw_key_copy (self->key);
  self->borrowed++;
  g_mutex_unlock (&self->mutex);

  store = tw_store_open (self->store_path, key, FALSE, error);
  if (store != NULL)
    tw_store_set_role (store, TW_ROLE_CLINICIAN);
  else
    tw_pipeline_return_store (self, NULL);
  return store;
}

void
tw_pipeline_return_store (TwPipeline *self,
                          TwStore    *store)
{
  g_clear_pointer (&store, tw_store_close);
  g_mutex_lock (&self->mutex);
  g_assert (self->borrowed > 0);
  self->borrowed--;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

gboolean
tw_pipeline_is_engine_done (TwPipeline *self)
{
  gboolean done;

  g_mutex_lock (&self->mutex);
  done = self->engine_done;
  g_mutex_unlock (&self->mutex);
  return done;
}

/* Each batch goes to the rules the moment it leaves the queue, then on to
 * the writer: a commit or a slow write never holds an alert back. */
static void
engine_run (TwPipeline       *self,
            TwPipelineAlerts *alerts)
{
  for (;;)
    {
      TwBatch *batch = tw_queue_pop (self->queue, TW_PIPELINE_TURN_US);

      if (batch != NULL)
        {
          tw_pipeline_alerts_evaluate (alerts, batch);
          tw_pipeline_alerts_turn (alerts);
          /* Blocks while the writer is a full backlog behind; fails only
           * when the writer is gone (the store failed while stopping). */
          if (!tw_queue_push (self->write_queue, batch))
            tw_batch_free (batch);
          continue;
        }
      tw_pipeline_alerts_turn (alerts);

      /* Closed and drained: tw_queue_pop() returns NULL at once. */
      if (tw_pipeline_is_stopping (self) && tw_queue_get_rows (self->queue) == 0
          && g_async_queue_length (self->alert_commands) <= 0)
        {
          batch = tw_queue_pop (self->queue, 0);
          if (batch == NULL)
            return;
          tw_pipeline_alerts_evaluate (alerts, batch);
          if (!tw_queue_push (self->write_queue, batch))
            tw_batch_free (batch);
        }
    }
}

static gpointer
engine_thread_main (gpointer data)
{
  TwPipeline *self = data;
  g_autoptr(GError) error = NULL;
  TwPipelineAlerts *alerts = NULL;
  TwPipelineWriterStart *start;
  GThread *writer;
  TwStore *store;

  /* The sources and rules are in the store: a pipeline needs the key to
   * start (a locked session's pipeline starts at its unlock). */
  store = tw_pipeline_open_store (self, &error);
  if (store != NULL && register_sources (self, store, &error))
    alerts = tw_pipeline_alerts_new (self, store, &error);
  if (alerts == NULL)
    {
      tw_pipeline_set_storage_error (self, error);
      g_mutex_lock (&self->mutex);
      self->failed = TRUE;
      self->writer_gone = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
      g_clear_pointer (&store, tw_store_close);
      return NULL;
    }

  /* The writer takes the connection over; the engine reads through a
   * connection of its own when it reloads rules. */
  start = g_new0 (TwPipelineWriterStart, 1);
  start->pipeline = self;
  start->store = store;
  start->alerts = alerts;
  writer = g_thread_new ("tw-writer", tw_pipeline_writer_main, start);

  g_mutex_lock (&self->mutex);
  if (!self->stopping && self->lives->len > 0)
    {
      self->ingest_context = g_main_context_new ();
      self->ingest_loop = g_main_loop_new (self->ingest_context, FALSE);
      self->ingest_thread = g_thread_new ("tw-ingest", ingest_thread_main, self);
    }
  g_mutex_unlock (&self->mutex);

  engine_run (self, alerts);

  /* The last commands and transitions go into the outbox before the
   * writer is told that nothing more comes. */
  tw_pipeline_alerts_turn (alerts);
  g_mutex_lock (&self->mutex);
  self->engine_done = TRUE;
  g_mutex_unlock (&self->mutex);
  tw_queue_close (self->write_queue);
  g_thread_join (writer);
  tw_pipeline_alerts_free (alerts);
  return NULL;
}

void
tw_pipeline_start (TwPipeline *self)
{
  g_return_if_fail (self->engine_thread == NULL);
  self->engine_thread = g_thread_new ("tw-engine", engine_thread_main, self);
}

static gboolean
quit_ingest_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/**
 * tw_pipeline_stop:
 * Stops the sources, lets the engine commit everything they handed over,
 * and joins both threads. Blocks for at most one commit.
 */
void
tw_pipeline_stop (TwPipeline *self)
{
  GThread *ingest;

  if (self->engine_thread == NULL)
    return;

  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  ingest = g_steal_pointer (&self->ingest_thread);
  g_mutex_unlock (&self->mutex);

  if (ingest != NULL)
    {
      g_main_context_invoke (self->ingest_context, quit_ingest_loop, self->ingest_loop);
      g_thread_join (ingest);
    }
  tw_queue_close (self->queue);
  g_thread_join (g_steal_pointer (&self->engine_thread));
  g_clear_pointer (&self->ingest_loop, g_main_loop_unref);
  g_clear_pointer (&self->ingest_context, g_main_context_unref);
}

TwPipelineStatus *
tw_pipeline_get_status (TwPipeline *self)
{
  TwPipelineStatus *status = g_new0 (TwPipelineStatus, 1);
  gboolean all_finished = TRUE;

  status->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_source_status_free);

  g_mutex_lock (&self->mutex);
  status->data_generation = self->data_generation;
  status->entity_generation = self->entity_generation;
  status->n_commits = self->n_commits;
  status->rows_committed = self->rows_committed;
  status->last_commit_time = self->last_commit_time;
  status->storage_error = g_strdup (self->storage_error);
  status->failed = self->failed;
  status->detached = self->detached;
  status->spooled = self->spooled;
  status->merging = self->merging;
  status->merge_done = self->merge_done;
  status->merge_total = self->merge_total;
  for (guint i = 0; i < self->lives->len; i++)
    {
      TwSourceLive *live = g_ptr_array_index (self->lives, i);
      TwSourceStatus *s = g_new0 (TwSourceStatus, 1);

      g_mutex_lock (&live->mutex);
      s->id = live->source_id;
      s->url = tw_source_url_redact (live->url);  /* shown on screen: no password */
      s->state = live->state;
      s->last_error = g_strdup (live->last_error);
      /* Received counts what arrived, committed or not yet. */
      s->received = MAX (live->total_received, live->received);
      s->stored = live->total_stored;
      s->duplicates = live->total_duplicates;
      s->quarantined = live->total_quarantined;
      s->reconnects = (guint) (live->base_reconnects + live->reconnects);
      s->committed_seq = live->committed_seq;
      s->message_rate = live->message_rate;
      s->lag_us = live->newest_event_ts != G_MININT64
                  ? MAX (0, tw_time_now () - live->newest_event_ts) : -1;
      /* A source that stopped by itself (a file that cannot be read) is as
       * done as one whose stream ended. */
      all_finished &= (live->state == TW_SOURCE_STATE_FINISHED
                       || live->state == TW_SOURCE_STATE_STOPPED)
                      && live->committed_batches == live->pushed_batches;
      g_mutex_unlock (&live->mutex);
      g_ptr_array_add (status->sources, s);
    }
  status->finished = self->lives->len > 0 && all_finished;
  g_mutex_unlock (&self->mutex);
  return status;
}

/**
 * tw_pipeline_get_alerts:
 * A copy of the alert board as the engine thread last published it; cheap
 * enough to poll, compare @generation to skip work.
 */
TwAlertSnapshot *
tw_pipeline_get_alerts (TwPipeline *self)
{
  TwAlertSnapshot *copy = tw_alert_snapshot_new_empty ();
  const TwAlertSnapshot *snapshot;

  g_mutex_lock (&self->mutex);
  snapshot = self->alert_snapshot;
  for (guint i = 0; i < snapshot->alerts->len; i++)
    g_ptr_array_add (copy->alerts, tw_alert_copy (g_ptr_array_index (snapshot->alerts, i)));
  memcpy (copy->counts, snapshot->counts, sizeof copy->counts);
  copy->generation = snapshot->generation;
  copy->audio_paused = snapshot->audio_paused;
  copy->audio_paused_until = snapshot->audio_paused_until;
  copy->newest_high_id = snapshot->newest_high_id;
  copy->too_late = snapshot->too_late;
  g_mutex_unlock (&self->mutex);
  return copy;
}

static void
push_command (TwPipeline         *self,
              TwAlertCommandKind  kind,
              guint64             alert_id,
              const char         *who,
              const char         *note)
{
  TwAlertCommand *command = g_new0 (TwAlertCommand, 1);

  command->kind = kind;
  command->alert_id = alert_id;
  command->who = g_strdup (who);
  /* An empty note is no note. */
  command->note = note != NULL && *note != '\0' ? g_strdup (note) : NULL;
  g_async_queue_push (self->alert_commands, command);
}

void
tw_pipeline_acknowledge_alert (TwPipeline *self,
                               guint64     alert_id,
                               const char *who,
                               const char *note)
{
  push_command (self, TW_ALERT_COMMAND_ACKNOWLEDGE, alert_id, who, note);
}

void
tw_pipeline_escalate_alert (TwPipeline *self,
                            guint64     alert_id,
                            const char *who,
                            const char *note)
{
  push_command (self, TW_ALERT_COMMAND_ESCALATE, alert_id, who, note);
}

void
tw_pipeline_pause_audio (TwPipeline *self,
                         const char *who)
{
  push_command (self, TW_ALERT_COMMAND_PAUSE_AUDIO, 0, who, NULL);
}

void
tw_pipeline_reload_rules (TwPipeline *self)
{
  push_command (self, TW_ALERT_COMMAND_RELOAD_RULES, 0, NULL, NULL);
}

void
tw_pipeline_free (TwPipeline *self)
{
  if (self == NULL)
    return;
  tw_pipeline_stop (self);
  tw_queue_free (self->queue);
  tw_queue_free (self->write_queue);
  g_ptr_array_unref (self->lives);
  g_ptr_array_unref (self->requested_urls);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_async_queue_unref (self->alert_commands);
  g_ptr_array_unref (self->locked_alerts);
  tw_alert_snapshot_free (self->alert_snapshot);
  g_free (self->storage_error);
  g_free (self->store_path);
  g_free (self->spool_path);
  tw_limits_free (self->limits);
  tw_key_free (self->key);
  g_free (self);
}

/* ---- lock and unlock (issue 6) ------------------------------------------ */

/**
 * tw_pipeline_detach_key:
 * See tw-pipeline.h. After this returns no connection of the pipeline is
 * open and no copy of the key is left in it: the writer closed its
 * connection (sqlite3_close wipes SQLCipher's copy), the engine opens
 * none while detached (a rules reload waits for the attach), and the
 * pipeline's own copy is freed (sodium memory: wiped).
 */
void
tw_pipeline_detach_key (TwPipeline *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->attach_requested = FALSE;
  /* An attach the writer is carrying out sees the request withdrawn
   * when its open returns, and closes again: wait for that. */
  while (self->attaching)
    g_cond_wait (&self->cond, &self->mutex);
  if (!self->detached)
    {
      self->detach_requested = TRUE;
      /* A writer that never started, or stopped, holds nothing. */
      while (!self->detached && self->engine_thread != NULL && !self->writer_gone)
        g_cond_wait (&self->cond, &self->mutex);
      self->detached = TRUE;
    }
  /* A rules reload in flight on the engine thread closes its connection
   * within one query. */
  while (self->borrowed > 0)
    g_cond_wait (&self->cond, &self->mutex);
  self->detach_requested = FALSE;
  g_clear_pointer (&self->key, tw_key_free);
  g_mutex_unlock (&self->mutex);
}

/**
 * tw_pipeline_attach_key:
 * See tw-pipeline.h. Returns at once; the writer reopens the store with a
 * copy of @key and merges the spool before it writes anything new.
 */
void
tw_pipeline_attach_key (TwPipeline  *self,
                        const TwKey *key)
{
  g_return_if_fail (self != NULL && key != NULL);

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->key, tw_key_free);
  self->key = tw_key_copy (key);
  if (self->detached)
    {
      if (self->engine_thread == NULL || self->writer_gone)
        self->detached = FALSE;  /* nobody spooling: the next start opens the store */
      else
        self->attach_requested = TRUE;
    }
  g_mutex_unlock (&self->mutex);
}

gboolean
tw_pipeline_is_detached (TwPipeline *self)
{
  gboolean detached;

  g_return_val_if_fail (self != NULL, FALSE);
  g_mutex_lock (&self->mutex);
  detached = self->detached;
  g_mutex_unlock (&self->mutex);
  return detached;
}

void
tw_locked_alert_free (TwLockedAlert *alert)
{
  if (alert == NULL)
    return;
  g_free (alert->bed);
  g_free (alert);
}

/**
 * tw_pipeline_get_locked_alerts:
 * Returns: (transfer full): TwLockedAlert* as the engine last published
 *   them, highest priority first
 */
GPtrArray *
tw_pipeline_get_locked_alerts (TwPipeline *self)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_locked_alert_free);

  g_return_val_if_fail (self != NULL, copy);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->locked_alerts->len; i++)
    {
      const TwLockedAlert *alert = g_ptr_array_index (self->locked_alerts, i);
      TwLockedAlert *dup = g_memdup2 (alert, sizeof *alert);

      dup->bed = g_strdup (alert->bed);
      g_ptr_array_add (copy, dup);
    }
  g_mutex_unlock (&self->mutex);
  return copy;
}
