#include <json-glib/json-glib.h>

#include "tw-codec.h"
#include "tw-time.h"
#include "tw-quarantine.h"

static gboolean
reprocess_one (TwStore           *store,
               const TwLimits    *limits,
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
  batch->limits = limits;
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
                         const TwLimits    *limits,
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
      if (!reprocess_one (store, limits, ids[i], &local, error))
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

void
tw_quarantine_row_add_json (JsonBuilder           *b,
                            const TwQuarantineRow *row)
{
  g_autofree char *when = tw_time_format_iso8601 (row->received_at);

  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, row->id);
  json_builder_set_member_name (b, "source");
  if (row->source_name != NULL)
    json_builder_add_string_value (b, row->source_name);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "received_at");
  json_builder_add_string_value (b, when);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, row->reason);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, row->size);
}

static char *
export_line (TwStore          *store,
             TwQuarantineRow  *row,
             GError          **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) raw = tw_store_get_quarantine_raw (store, row->id, error);
  g_autofree char *encoded = NULL;
  gsize len = 0;
  const guchar *data;

  if (raw == NULL)
    return NULL;
  data = g_bytes_get_data (raw, &len);
  encoded = g_base64_encode (data, len);
  json_builder_begin_object (b);
  tw_quarantine_row_add_json (b, row);
  json_builder_set_member_name (b, "raw_base64");
  json_builder_add_string_value (b, encoded);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

gboolean
tw_quarantine_export (TwStore     *store,
                      const char  *path,
                      guint       *out_count,
                      GError     **error)
{
  g_autoptr(GPtrArray) rows = tw_store_list_quarantine (store, 0, 0, error);
  g_autoptr(GString) out = g_string_new (NULL);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      g_autofree char *line = export_line (store, g_ptr_array_index (rows, i), error);

      if (line == NULL)
        return FALSE;
      g_string_append_printf (out, "%s\n", line);
    }
  if (out_count != NULL)
    *out_count = rows->len;
  /* Quarantined messages may hold patient data: the export is private. */
  return g_file_set_contents_full (path, out->str, (gssize) out->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}
