#include "tw-codec.h"
#include "tw-quarantine.h"

static gboolean
reprocess_one (TwStore           *store,
               gint64             id,
               TwReprocessResult *result,
               GError           **error)
{
  g_autoptr(GBytes) raw = tw_store_get_quarantine_raw (store, id, error);
  g_autoptr(TwBatch) batch = NULL;
  TwDecodeInfo info;
  gsize len = 0;
  const char *data;

  if (raw == NULL)
    return FALSE;
  data = g_bytes_get_data (raw, &len);
  /* No source: reprocessing must not move a source's cursor or counters. */
  batch = tw_batch_new (0);
  tw_codec_decode (batch, TW_FORMAT_AUTO, data != NULL ? data : "", len, &info);

  if (batch->rejects->len == 0)
    {
      if (!tw_store_delete_quarantine (store, id, error))
        return FALSE;
      result->fixed++;
    }
  else
    {
      TwReject *reject = g_ptr_array_index (batch->rejects, 0);

      if (!tw_store_set_quarantine_reason (store, id, reject->reason, error))
        return FALSE;
      /* The entry stays once; its new copy must not be added again. */
      tw_batch_clear_rejects (batch);
      result->still_bad++;
    }
  result->samples += batch->samples->len;
  return tw_store_write_batch (store, batch, NULL, error);
}

gboolean
tw_quarantine_reprocess (TwStore           *store,
                         const gint64      *ids,
                         guint              n_ids,
                         TwReprocessResult *result,
                         GError           **error)
{
  g_autoptr(GArray) all = NULL;
  TwReprocessResult local = { 0 };

  if (ids == NULL)
    {
      g_autoptr(GPtrArray) rows = tw_store_list_quarantine (store, 0, 0, error);

      if (rows == NULL)
        return FALSE;
      all = g_array_sized_new (FALSE, FALSE, sizeof (gint64), rows->len);
      for (guint i = 0; i < rows->len; i++)
        g_array_append_val (all, ((TwQuarantineRow *) g_ptr_array_index (rows, i))->id);
      ids = (const gint64 *) all->data;
      n_ids = all->len;
    }

  if (!tw_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < n_ids; i++)
    {
      if (!reprocess_one (store, ids[i], &local, error))
        {
          tw_store_rollback (store);
          return FALSE;
        }
    }
  if (!tw_store_commit (store, error))
    return FALSE;
  if (result != NULL)
    *result = local;
  return TRUE;
}
