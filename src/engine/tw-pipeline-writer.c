#include "tw-error.h"
#include "tw-pipeline-private.h"
#include "tw-source.h"
#include "tw-spool.h"
#include "tw-time.h"

#define STORAGE_RETRY_US TW_USEC_PER_SEC

/* The writer thread: the store's only writer. Batches come from the engine
 * already evaluated; alert changes from the engine's outbox. Everything
 * written in the open transaction stays here until its commit succeeds
 * and is written again after a failure. */
typedef struct
{
  TwPipeline       *pipeline;
  TwStore          *store;         /* NULL while detached */
  TwPipelineAlerts *alerts;
  GPtrArray        *pending;       /* TwBatch* written in the open transaction,
                                    * or (detached) not yet in the spool */
  guint             pending_rows;
  TwAlertChanges   *alert_changes; /* taken from the outbox for the open transaction */
  gint64            tx_started;
  gboolean          in_transaction;
  gboolean          failed;        /* the last write or commit failed: retry */

  /* Lock and unlock (issue 6). */
  TwSpool          *spool;         /* open while detached and something was sealed */
  guint8            spool_public[TW_SPOOL_PUBLIC_BYTES];
  gboolean          have_public;
  gboolean          merge_pending; /* a spool to merge before anything new is written */
  gint64            next_try;      /* monotonic µs: a failed attach or merge waits */
} Writer;

static TwSourceLive *
find_live (TwPipeline *self,
           gint64      source_id)
{
  for (guint i = 0; i < self->lives->len; i++)
    {
      TwSourceLive *live = g_ptr_array_index (self->lives, i);

      if (live->source_id == source_id)
        return live;
    }
  return NULL;
}

static gboolean
writer_begin (Writer  *w,
              GError **error)
{
  if (w->in_transaction)
    return TRUE;
  if (!tw_store_begin (w->store, error))
    return FALSE;
  w->in_transaction = TRUE;
  w->tx_started = g_get_monotonic_time ();
  return TRUE;
}

static gboolean
writer_write (Writer   *w,
              TwBatch  *batch,
              GError  **error)
{
  return writer_begin (w, error) && tw_store_write_batch (w->store, batch, NULL, error);
}

static void
account_commit (Writer *w)
{
  TwPipeline *self = w->pipeline;
  gboolean new_data = FALSE;
  gboolean new_entities = FALSE;

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < w->pending->len; i++)
    {
      TwBatch *batch = g_ptr_array_index (w->pending, i);
      TwSourceLive *live = find_live (self, batch->source_id);

      new_data |= batch->samples->len > 0;
      new_entities |= batch->entities->len > 0;
      if (live == NULL)
        continue;
      g_mutex_lock (&live->mutex);
      live->committed_batches++;
      live->committed_seq = MAX (live->committed_seq, batch->cursor_seq);
      g_mutex_unlock (&live->mutex);
    }
  self->n_commits++;
  self->rows_committed += w->pending_rows;
  self->last_commit_time = tw_time_now ();
  if (new_data)
    self->data_generation++;
  if (new_entities)
    self->entity_generation++;
  g_mutex_unlock (&self->mutex);
}

/* Counters are read back from the store after a commit, so what the UI
 * shows is exactly what is persisted. */
static void
refresh_totals (Writer *w)
{
  TwPipeline *self = w->pipeline;
  g_autoptr(GPtrArray) rows = tw_store_list_sources (w->store, NULL);

  if (rows == NULL)
    return;
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < rows->len; i++)
    {
      TwSourceRow *row = g_ptr_array_index (rows, i);
      TwSourceLive *live = find_live (self, row->id);

      if (live == NULL)
        continue;
      g_mutex_lock (&live->mutex);
      live->total_received = row->counters.received;
      live->total_stored = row->counters.stored;
      live->total_duplicates = row->counters.duplicates;
      live->total_quarantined = row->counters.quarantined;
      g_mutex_unlock (&live->mutex);
    }
  g_mutex_unlock (&self->mutex);
}

static gint64
newest_pending_ts (Writer *w,
                   gint64  source_id)
{
  gint64 newest = G_MININT64;

  for (guint i = 0; i < w->pending->len; i++)
    {
      TwBatch *batch = g_ptr_array_index (w->pending, i);

      if (batch->source_id != source_id)
        continue;
      for (guint k = 0; k < batch->samples->len; k++)
        newest = MAX (newest, g_array_index (batch->samples, TwSample, k).ts);
    }
  return newest;
}

/* Reconnects, lag and the last error go into the same transaction, so
 * `twctl stats` shows what the app showed. */
static gboolean
save_health (Writer  *w,
             GError **error)
{
  TwPipeline *self = w->pipeline;
  gint64 now = tw_time_now ();
  gboolean ok = TRUE;

  g_mutex_lock (&self->mutex);
  for (guint i = 0; ok && i < self->lives->len; i++)
    {
      TwSourceLive *live = g_ptr_array_index (self->lives, i);
      gint64 newest = newest_pending_ts (w, live->source_id);
      g_autofree char *last_error = NULL;
      guint64 reconnects;

      g_mutex_lock (&live->mutex);
      reconnects = live->base_reconnects + live->reconnects;
      last_error = g_strdup (live->last_error);
      g_mutex_unlock (&live->mutex);
      ok = tw_store_save_source_health (w->store, live->source_id, reconnects,
                                        newest != G_MININT64 ? MAX (0, now - newest) : -1,
                                        last_error, error);
    }
  g_mutex_unlock (&self->mutex);
  return ok;
}

static gboolean
alerts_waiting (Writer *w)
{
  return !tw_alert_changes_is_empty (w->alert_changes)
         || tw_pipeline_alerts_has_changes (w->alerts);
}

static gboolean
writer_commit (Writer  *w,
               GError **error)
{
  /* Alert changes alone (an acknowledgement) commit as well. */
  if (!w->in_transaction && !alerts_waiting (w))
    return TRUE;
  if (!writer_begin (w, error))
    return FALSE;
  tw_pipeline_alerts_take_changes (w->alerts, w->alert_changes);
  if (!tw_alert_changes_write (w->alert_changes, w->store, error)
      || !save_health (w, error) || !tw_store_commit (w->store, error))
    {
      tw_store_rollback (w->store);
      w->in_transaction = FALSE;
      return FALSE;
    }
  w->in_transaction = FALSE;
  tw_alert_changes_clear (w->alert_changes);
  account_commit (w);
  refresh_totals (w);
  /* Only now may a source acknowledge these messages to their sender. */
  for (guint i = 0; i < w->pending->len; i++)
    tw_batch_complete (g_ptr_array_index (w->pending, i), NULL);
  g_ptr_array_set_size (w->pending, 0);
  w->pending_rows = 0;
  return TRUE;
}

/* After a failed write or commit (disk full, I/O error) the transaction
 * is gone but its batches and alert changes are still here: write them
 * all again (the rules do not see the batches again). */
static gboolean
writer_retry (Writer  *w,
              GError **error)
{
  tw_store_rollback (w->store);
  w->in_transaction = FALSE;
  for (guint i = 0; i < w->pending->len; i++)
    if (!writer_write (w, g_ptr_array_index (w->pending, i), error))
      return FALSE;
  return writer_commit (w, error);
}

/* The engine has handed over everything and it is all committed. */
static gboolean
is_drained (Writer *w)
{
  return !w->in_transaction && tw_pipeline_is_engine_done (w->pipeline)
         && tw_queue_get_rows (w->pipeline->write_queue) == 0 && !alerts_waiting (w);
}

static void
writer_fail (Writer       *w,
             const GError *error)
{
  w->failed = TRUE;
  tw_pipeline_set_storage_error (w->pipeline, error);
}


/* ---- lock and unlock (issue 6) ------------------------------------------ */

static gboolean spool_pending (Writer  *w,
                               GError **error);

static gboolean
writer_detach_requested (Writer *w)
{
  gboolean requested;

  g_mutex_lock (&w->pipeline->mutex);
  requested = w->pipeline->detach_requested;
  g_mutex_unlock (&w->pipeline->mutex);
  return requested;
}

static gboolean
writer_attach_requested (Writer *w)
{
  gboolean requested;

  g_mutex_lock (&w->pipeline->mutex);
  requested = w->pipeline->attach_requested;
  g_mutex_unlock (&w->pipeline->mutex);
  return requested;
}

static void
on_merge_progress (guint64  done,
                   guint64  total,
                   gpointer user_data)
{
  TwPipeline *self = user_data;

  g_mutex_lock (&self->mutex);
  self->merge_done = done;
  self->merge_total = total;
  g_mutex_unlock (&self->mutex);
}

/* Writes the spool into the store (at start and at attach). While it
 * fails the writer retries and writes nothing newer. */
static void
writer_merge (Writer *w)
{
  TwPipeline *self = w->pipeline;
  g_autoptr(GError) error = NULL;
  guint64 merged = 0;
  gboolean ok;

  g_mutex_lock (&self->mutex);
  self->merging = TRUE;
  self->merge_done = 0;
  self->merge_total = 0;
  g_mutex_unlock (&self->mutex);

  ok = tw_spool_merge (w->store, self->spool_path, on_merge_progress, self, &merged, &error);
  if (!ok && g_error_matches (error, TW_ERROR, TW_ERROR_IN_USE))
    {
      /* Another program's lock screen: its spool is its own to merge. */
      g_message ("%s", error->message);
      ok = TRUE;
    }

  g_mutex_lock (&self->mutex);
  self->merging = FALSE;
  if (ok && merged > 0)
    {
      self->data_generation++;
      self->entity_generation++;
    }
  g_mutex_unlock (&self->mutex);

  if (!ok)
    {
      tw_pipeline_set_storage_error (self, error);
      w->next_try = g_get_monotonic_time () + STORAGE_RETRY_US;
      return;
    }
  if (merged > 0)
    {
      g_message ("Merged %" G_GUINT64_FORMAT " batches received while the screen was locked",
                 merged);
      refresh_totals (w);
    }
  w->merge_pending = FALSE;
  tw_pipeline_set_storage_error (self, NULL);
}

/* Commits what it holds, lets go of the store, and from now on seals
 * batches into the spool. Whatever could not be committed (a full disk)
 * is spooled instead: nothing is dropped. */
static void
writer_detach (Writer *w)
{
  TwPipeline *self = w->pipeline;
  g_autoptr(GError) error = NULL;

  if (w->merge_pending || w->failed || !writer_commit (w, &error))
    {
      tw_store_rollback (w->store);
      w->in_transaction = FALSE;
      w->failed = FALSE;
    }
  /* Made while the store is open, so sealing needs nothing from it. */
  if (!w->have_public)
    w->have_public = tw_store_get_spool_public_key (w->store, w->spool_public, &error);
  if (!w->have_public)
    g_warning ("The spool key could not be read: %s; batches wait in memory until the unlock",
               error != NULL ? error->message : "unknown error");
  /* sqlite3_close() wipes SQLCipher's copy of the key. */
  g_clear_pointer (&w->store, tw_store_close);
  w->merge_pending = FALSE;

  g_mutex_lock (&self->mutex);
  self->detached = TRUE;
  self->spooled = 0;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_clear_error (&error);
  if (!spool_pending (w, &error))
    writer_fail (w, error);
}

/* Seals every pending batch into the spool; each one that is on disk is
 * acknowledged to its sender and counted like a commit. */
static gboolean
spool_pending (Writer  *w,
               GError **error)
{
  TwPipeline *self = w->pipeline;
  guint done = 0;
  gboolean ok = TRUE;

  if (w->pending->len == 0)
    return TRUE;
  if (!w->have_public)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_STORAGE,
                           "The spool key is unknown: incoming data waits until the unlock");
      return FALSE;
    }
  if (w->spool == NULL)
    w->spool = tw_spool_open_append (self->spool_path, w->spool_public, error);
  if (w->spool == NULL)
    return FALSE;

  /* One fdatasync for everything waiting: a busy MLLP sender's batches
   * come one message each. */
  ok = tw_spool_append_many (w->spool, (const TwBatch * const *) w->pending->pdata,
                             w->pending->len, error);
  done = ok ? w->pending->len : 0;

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < done; i++)
    {
      TwBatch *batch = g_ptr_array_index (w->pending, i);
      TwSourceLive *live = find_live (self, batch->source_id);

      /* Safe on disk: the source's batch is done (its cursor is stored
       * with the data at the merge). */
      if (live != NULL)
        {
          g_mutex_lock (&live->mutex);
          live->committed_batches++;
          live->committed_seq = MAX (live->committed_seq, batch->cursor_seq);
          g_mutex_unlock (&live->mutex);
        }
    }
  self->spooled += done;
  g_mutex_unlock (&self->mutex);

  /* Only now may a source acknowledge these messages (MLLP). */
  for (guint i = 0; i < done; i++)
    tw_batch_complete (g_ptr_array_index (w->pending, i), NULL);
  if (done > 0)
    g_ptr_array_remove_range (w->pending, 0, done);
  if (w->pending->len == 0)
    w->pending_rows = 0;
  return ok;
}

/* Reopens the store with the attached key and schedules the merge. */
static void
writer_attach (Writer *w)
{
  TwPipeline *self = w->pipeline;
  g_autoptr(GError) error = NULL;

  TwStore *store;
  gboolean still_wanted;

  if (g_get_monotonic_time () < w->next_try)
    return;
  g_mutex_lock (&self->mutex);
  still_wanted = self->attach_requested;
  self->attaching = still_wanted;
  g_mutex_unlock (&self->mutex);
  if (!still_wanted)
    return;

  /* The merge reads the file: let go of it (and of its lock) first. */
  g_clear_pointer (&w->spool, tw_spool_close);
  store = tw_pipeline_open_store (self, &error);

  /* A detach may have come while the store opened: then it wins. Never
   * attached and not merging at once: whoever polls the status sees the
   * merge from the moment the detach ends. */
  g_mutex_lock (&self->mutex);
  self->attaching = FALSE;
  still_wanted = self->attach_requested;
  if (store != NULL && still_wanted)
    {
      self->attach_requested = FALSE;
      self->detached = FALSE;
      self->merging = TRUE;
      self->merge_done = 0;
      self->merge_total = 0;
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  if (store == NULL)
    {
      /* Keep spooling; a wrong key never loses data. */
      tw_pipeline_set_storage_error (self, error);
      w->next_try = g_get_monotonic_time () + STORAGE_RETRY_US;
      return;
    }
  if (!still_wanted)
    {
      tw_store_close (store);
      return;
    }
  w->store = store;
  w->merge_pending = TRUE;
  w->next_try = 0;
}

/* One turn while detached. Returns FALSE when the pipeline stopped and
 * everything it was handed is in the spool. Alert changes stay in the
 * engine's outbox until the attach: a crash while locked loses those
 * transitions (the alerts are raised again from the merged data at the
 * next start only if their conditions still hold), never the data. */
static gboolean
writer_detached_turn (Writer *w)
{
  TwPipeline *self = w->pipeline;
  g_autoptr(GError) error = NULL;
  TwBatch *batch;

  if (writer_attach_requested (w))
    {
      writer_attach (w);
      if (w->store != NULL)
        return TRUE;
    }

  if (w->failed)
    {
      if (tw_pipeline_is_stopping (self))
        return FALSE;
      g_usleep (STORAGE_RETRY_US);
      if (!spool_pending (w, &error))
        {
          tw_pipeline_set_storage_error (self, error);
          return TRUE;
        }
      w->failed = FALSE;
      tw_pipeline_set_storage_error (self, NULL);
      return TRUE;
    }

  batch = tw_queue_pop (self->write_queue, TW_PIPELINE_TURN_US);
  if (batch != NULL)
    {
      /* Whatever else is already waiting rides along (one fsync). */
      do
        {
          g_ptr_array_add (w->pending, batch);
          w->pending_rows += tw_batch_get_n_rows (batch);
        }
      while (w->pending_rows < TW_PIPELINE_COMMIT_MAX_ROWS
             && (batch = tw_queue_pop (self->write_queue, 0)) != NULL);
      if (!spool_pending (w, &error))
        writer_fail (w, error);
      return TRUE;
    }
  return !(tw_pipeline_is_engine_done (self) && tw_queue_get_rows (self->write_queue) == 0
           && w->pending->len == 0);
}

static void
writer_run (Writer *w)
{
  TwPipeline *self = w->pipeline;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      TwBatch *batch;
      gint64 timeout = TW_PIPELINE_TURN_US;

      if (w->store != NULL && writer_detach_requested (w))
        {
          writer_detach (w);
          continue;
        }
      if (w->store == NULL)
        {
          if (!writer_detached_turn (w))
            return;
          continue;
        }
      if (w->merge_pending)
        {
          /* Spooled batches go in before anything newer (an older bed
           * must not overwrite a newer one); the queue waits. */
          /* Stopping with a merge that keeps failing: the spool stays
           * for the next start; what waits in the queue is reported
           * as not stored to its sources (they send it again). */
          if (tw_pipeline_is_stopping (self) && w->next_try != 0)
            return;
          if (g_get_monotonic_time () < w->next_try)
            {
              g_usleep (TW_PIPELINE_TURN_US);
              continue;
            }
          writer_merge (w);
          continue;
        }

      if (w->failed)
        {
          /* Paused: the queues fill up and the sources stop reading, so
           * nothing is lost while the disk is full. */
          if (tw_pipeline_is_stopping (self))
            return;
          g_usleep (STORAGE_RETRY_US);
          if (!writer_retry (w, &error))
            {
              tw_pipeline_set_storage_error (self, error);
              continue;
            }
          w->failed = FALSE;
          tw_pipeline_set_storage_error (self, NULL);
          continue;
        }

      if (w->in_transaction)
        timeout = MIN (timeout, MAX (0, w->tx_started + TW_PIPELINE_COMMIT_MAX_AGE_US
                                        - g_get_monotonic_time ()));

      batch = tw_queue_pop (self->write_queue, timeout);
      if (batch != NULL)
        {
          g_ptr_array_add (w->pending, batch);
          w->pending_rows += tw_batch_get_n_rows (batch);
          if (!writer_write (w, batch, &error))
            {
              writer_fail (w, error);
              continue;
            }
        }

      /* A sender waiting for an acknowledgement (MLLP) gets its commit now;
       * whatever else is already written rides along. Alert changes ride
       * with the data, or commit at once when there is none. */
      if ((w->in_transaction || alerts_waiting (w))
          && (w->pending_rows >= TW_PIPELINE_COMMIT_MAX_ROWS
              || !w->in_transaction
              || g_get_monotonic_time () - w->tx_started >= TW_PIPELINE_COMMIT_MAX_AGE_US
              || batch == NULL || batch->urgent))
        {
          if (!writer_commit (w, &error))
            {
              writer_fail (w, error);
              continue;
            }
        }

      /* Closed and drained: tw_queue_pop() returns NULL at once. */
      if (batch == NULL && is_drained (w))
        return;
    }
}

gpointer
tw_pipeline_writer_main (gpointer data)
{
  TwPipelineWriterStart *start = data;
  Writer w = {
    .pipeline = start->pipeline,
    .store = start->store,
    .alerts = start->alerts,
    .pending = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_batch_free),
    .alert_changes = tw_alert_changes_new (),
  };

  g_autoptr(GError) error = NULL;

  g_free (start);
  /* The spool's public key, while the store is open: sealing needs it
   * after the key is gone. */
  w.have_public = tw_store_get_spool_public_key (w.store, w.spool_public, &error);
  if (!w.have_public)
    g_warning ("The spool key could not be read: %s", error->message);
  /* A spool left by a session that quit while locked (or crashed) goes
   * in before anything this run receives. */
  w.merge_pending = g_file_test (w.pipeline->spool_path, G_FILE_TEST_EXISTS);
  g_mutex_lock (&w.pipeline->mutex);
  w.pipeline->merging = w.merge_pending;
  g_mutex_unlock (&w.pipeline->mutex);
  writer_run (&w);

  /* An engine still handing over batches (the store failed while
   * stopping) must not wait for a writer that is gone. */
  tw_queue_close (w.pipeline->write_queue);
  if (w.store != NULL)
    {
      if (w.in_transaction)
        tw_store_rollback (w.store);
      /* A source that never delivered (refused, 404) still leaves its
       * last error and reconnects on record. */
      if (tw_store_begin (w.store, NULL))
        {
          if (!save_health (&w, NULL) || !tw_store_commit (w.store, NULL))
            tw_store_rollback (w.store);
        }
    }
  g_clear_pointer (&w.spool, tw_spool_close);
  g_ptr_array_unref (w.pending);
  tw_alert_changes_free (w.alert_changes);
  g_clear_pointer (&w.store, tw_store_close);

  g_mutex_lock (&w.pipeline->mutex);
  w.pipeline->writer_gone = TRUE;
  g_cond_broadcast (&w.pipeline->cond);
  g_mutex_unlock (&w.pipeline->mutex);
  return NULL;
}
