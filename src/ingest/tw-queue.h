#pragma once

#include <glib.h>

#include "tw-batch.h"

G_BEGIN_DECLS

/**
 * TwQueue:
 * A bounded queue of batches between the ingest thread and the engine.
 * Bounded by rows: a producer that finds it full waits (backpressure — the
 * source stops reading its socket), nothing is dropped.
 */
typedef struct _TwQueue TwQueue;

TwQueue  *tw_queue_new       (guint     max_rows);
void      tw_queue_free      (TwQueue  *queue);

/* Blocks while the queue is full; returns FALSE (and frees nothing) once
 * the queue is closed. Takes ownership of @batch on success. */
gboolean  tw_queue_push      (TwQueue  *queue,
                              TwBatch  *batch);
/* Waits up to @timeout_us (or forever when negative); NULL on timeout or
 * when the queue is closed and empty. */
TwBatch  *tw_queue_pop       (TwQueue  *queue,
                              gint64    timeout_us);
void      tw_queue_close     (TwQueue  *queue);
guint     tw_queue_get_rows  (TwQueue  *queue);

G_END_DECLS
