#include "tw-queue.h"

struct _TwQueue
{
  GMutex   mutex;
  GCond    not_full;
  GCond    not_empty;
  GQueue   batches;
  guint    rows;
  guint    max_rows;
  gboolean closed;
};

TwQueue *
tw_queue_new (guint max_rows)
{
  TwQueue *self = g_new0 (TwQueue, 1);

  g_return_val_if_fail (max_rows > 0, NULL);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->not_full);
  g_cond_init (&self->not_empty);
  g_queue_init (&self->batches);
  self->max_rows = max_rows;
  return self;
}

void
tw_queue_free (TwQueue *self)
{
  if (self == NULL)
    return;
  g_queue_clear_full (&self->batches, (GDestroyNotify) tw_batch_free);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->not_full);
  g_cond_clear (&self->not_empty);
  g_free (self);
}

static guint
batch_weight (TwBatch *batch)
{
  /* An empty batch still carries a cursor: give it weight so a stream of
   * them cannot grow the queue without bound. */
  return MAX (1, tw_batch_get_n_rows (batch));
}

gboolean
tw_queue_push (TwQueue *self,
               TwBatch *batch)
{
  guint weight = batch_weight (batch);

  g_mutex_lock (&self->mutex);
  /* A batch larger than the whole queue still goes in once the queue is
   * empty, or the producer would wait forever. */
  while (!self->closed && self->rows > 0 && self->rows + weight > self->max_rows)
    g_cond_wait (&self->not_full, &self->mutex);
  if (self->closed)
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  g_queue_push_tail (&self->batches, batch);
  self->rows += weight;
  g_cond_signal (&self->not_empty);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

TwBatch *
tw_queue_pop (TwQueue *self,
              gint64   timeout_us)
{
  gint64 deadline = timeout_us >= 0 ? g_get_monotonic_time () + timeout_us : -1;
  TwBatch *batch = NULL;

  g_mutex_lock (&self->mutex);
  while (g_queue_is_empty (&self->batches) && !self->closed)
    {
      if (deadline < 0)
        g_cond_wait (&self->not_empty, &self->mutex);
      else if (!g_cond_wait_until (&self->not_empty, &self->mutex, deadline))
        break;
    }
  batch = g_queue_pop_head (&self->batches);
  if (batch != NULL)
    {
      self->rows -= batch_weight (batch);
      g_cond_broadcast (&self->not_full);
    }
  g_mutex_unlock (&self->mutex);
  return batch;
}

void
tw_queue_close (TwQueue *self)
{
  g_mutex_lock (&self->mutex);
  self->closed = TRUE;
  g_cond_broadcast (&self->not_full);
  g_cond_broadcast (&self->not_empty);
  g_mutex_unlock (&self->mutex);
}

guint
tw_queue_get_rows (TwQueue *self)
{
  guint rows;

  g_mutex_lock (&self->mutex);
  rows = self->rows;
  g_mutex_unlock (&self->mutex);
  return rows;
}
