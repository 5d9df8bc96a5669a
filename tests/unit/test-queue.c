#include "tw-queue.h"

static TwBatch *
batch_of (guint rows)
{
  TwBatch *batch = tw_batch_new (1);

  for (guint i = 0; i < rows; i++)
    tw_batch_add_sample (batch, "P1", "hr", i, 60);
  return batch;
}

typedef struct
{
  TwQueue *queue;
  guint    pushed;
} Producer;

static gpointer
produce (gpointer data)
{
  Producer *p = data;

  for (guint i = 0; i < 10; i++)
    {
      if (!tw_queue_push (p->queue, batch_of (10)))
        break;
      g_atomic_int_inc (&p->pushed);
    }
  return NULL;
}

static void
test_backpressure (void)
{
  TwQueue *queue = tw_queue_new (30);
  Producer p = { queue, 0 };
  GThread *thread = g_thread_new ("producer", produce, &p);
  guint popped = 0;

  /* The producer fills the queue to its bound and waits: nothing dropped. */
  g_usleep (200 * 1000);
  g_assert_cmpuint (g_atomic_int_get (&p.pushed), ==, 3);
  g_assert_cmpuint (tw_queue_get_rows (queue), ==, 30);

  while (popped < 10)
    {
      TwBatch *batch = tw_queue_pop (queue, G_USEC_PER_SEC);

      g_assert_nonnull (batch);
      g_assert_cmpuint (batch->samples->len, ==, 10);
      tw_batch_free (batch);
      popped++;
    }
  g_thread_join (thread);
  g_assert_cmpuint (p.pushed, ==, 10);
  g_assert_null (tw_queue_pop (queue, 1000));
  tw_queue_free (queue);
}

static void
test_close_wakes_everyone (void)
{
  TwQueue *queue = tw_queue_new (10);
  TwBatch *big = batch_of (25);

  /* A batch larger than the bound still goes into an empty queue. */
  g_assert_true (tw_queue_push (queue, big));
  tw_queue_close (queue);
  {
    TwBatch *extra = batch_of (1);

    g_assert_false (tw_queue_push (queue, extra));
    tw_batch_free (extra);
  }
  /* Closed queues still hand out what they hold. */
  big = tw_queue_pop (queue, -1);
  g_assert_nonnull (big);
  tw_batch_free (big);
  g_assert_null (tw_queue_pop (queue, -1));
  tw_queue_free (queue);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/queue/backpressure", test_backpressure);
  g_test_add_func ("/queue/close", test_close_wakes_everyone);
  return g_test_run ();
}
