#include <gio/gio.h>

#include "tw-batch.h"

/* Most strings are the same few entity keys and metric codes: a chunk with
 * const insertion stores each once per batch. */
#define STRING_CHUNK_SIZE 4096

TwBatch *
tw_batch_new (gint64 source_id)
{
  TwBatch *batch = g_new0 (TwBatch, 1);

  batch->source_id = source_id;
  batch->cursor_seq = -1;
  batch->strings = g_string_chunk_new (STRING_CHUNK_SIZE);
  batch->samples = g_array_new (FALSE, FALSE, sizeof (TwSample));
  batch->entities = g_array_new (FALSE, FALSE, sizeof (TwEntityInfo));
  batch->rejects = g_ptr_array_new ();
  batch->records = g_array_new (FALSE, FALSE, sizeof (TwClinicalRecord));
  return batch;
}

static void
tw_reject_free (TwReject *reject)
{
  g_free (reject->reason);
  g_bytes_unref (reject->raw);
  g_free (reject);
}

void
tw_batch_free (TwBatch *batch)
{
  if (batch == NULL)
    return;
  if (batch->done != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "The batch was discarded before it was stored");

      /* Whoever waits for this batch must hear that it was not stored. */
      tw_batch_complete (batch, error);
    }
  g_string_chunk_free (batch->strings);
  g_array_unref (batch->samples);
  g_array_unref (batch->entities);
  g_ptr_array_foreach (batch->rejects, (GFunc) tw_reject_free, NULL);
  g_ptr_array_unref (batch->rejects);
  g_array_unref (batch->records);
  g_free (batch);
}

const char *
tw_batch_intern (TwBatch    *batch,
                 const char *text)
{
  if (text == NULL)
    return NULL;
  return g_string_chunk_insert_const (batch->strings, text);
}

void
tw_batch_add_sample (TwBatch    *batch,
                     const char *entity,
                     const char *metric,
                     gint64      ts,
                     double      value)
{
  TwSample sample = {
    .entity = tw_batch_intern (batch, entity),
    .metric = tw_batch_intern (batch, metric),
    .ts = ts,
    .value = value,
  };

  g_array_append_val (batch->samples, sample);
}

void
tw_batch_add_entity (TwBatch    *batch,
                     const char *kind,
                     const char *key,
                     const char *name,
                     const char *mrn,
                     const char *location)
{
  tw_batch_add_entity_in_group (batch, kind, key, name, mrn, location, NULL);
}

void
tw_batch_add_entity_in_group (TwBatch    *batch,
                              const char *kind,
                              const char *key,
                              const char *name,
                              const char *mrn,
                              const char *location,
                              const char *group)
{
  TwEntityInfo info = {
    .key = tw_batch_intern (batch, key),
    .kind = tw_batch_intern (batch, kind),
    .name = tw_batch_intern (batch, name),
    .mrn = tw_batch_intern (batch, mrn),
    .location = tw_batch_intern (batch, location),
    .group = tw_batch_intern (batch, group),
  };

  g_array_append_val (batch->entities, info);
}

void
tw_batch_add_reject (TwBatch    *batch,
                     const char *reason,
                     const void *raw,
                     gsize       raw_len)
{
  TwReject *reject = g_new0 (TwReject, 1);

  reject->reason = g_strdup (reason);
  reject->raw = g_bytes_new (raw, raw_len);
  g_ptr_array_add (batch->rejects, reject);
}

void
tw_batch_clear_rejects (TwBatch *batch)
{
  g_ptr_array_foreach (batch->rejects, (GFunc) tw_reject_free, NULL);
  g_ptr_array_set_size (batch->rejects, 0);
}

void
tw_batch_add_record (TwBatch                *batch,
                     const TwClinicalRecord *record)
{
  TwClinicalRecord copy = *record;

  copy.entity = tw_batch_intern (batch, record->entity);
  copy.ref = tw_batch_intern (batch, record->ref);
  copy.code = tw_batch_intern (batch, record->code);
  copy.text = tw_batch_intern (batch, record->text);
  copy.detail = tw_batch_intern (batch, record->detail);
  copy.status = tw_batch_intern (batch, record->status);
  copy.birth_date = tw_batch_intern (batch, record->birth_date);
  copy.sex = tw_batch_intern (batch, record->sex);
  copy.ward = tw_batch_intern (batch, record->ward);
  copy.bed = tw_batch_intern (batch, record->bed);
  g_array_append_val (batch->records, copy);
}

guint
tw_batch_get_n_rows (const TwBatch *batch)
{
  return batch->samples->len + batch->entities->len + batch->rejects->len
         + batch->records->len;
}

void
tw_batch_set_done (TwBatch        *batch,
                   TwBatchDone     done,
                   gpointer        user_data,
                   GDestroyNotify  destroy)
{
  g_return_if_fail (batch->done == NULL);
  batch->done = done;
  batch->done_data = user_data;
  batch->done_destroy = destroy;
}

/**
 * tw_batch_complete:
 * Reports the batch's fate once; later calls do nothing.
 */
void
tw_batch_complete (TwBatch      *batch,
                   const GError *error)
{
  TwBatchDone done = g_steal_pointer (&batch->done);
  gpointer data = g_steal_pointer (&batch->done_data);
  GDestroyNotify destroy = g_steal_pointer (&batch->done_destroy);

  if (done == NULL)
    return;
  done (batch, error, data);
  if (destroy != NULL)
    destroy (data);
}
