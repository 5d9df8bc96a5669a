#include "config.h"

#include "tw-admin-format.h"
#include "tw-quarantine-query.h"

/*
 * The Quarantine page's reads and writes, run in a GTask worker on a
 * TwReader connection so the main thread never waits on SQL.
 */

void
tw_quarantine_raw_free (gpointer data)
{
  TwQuarantineRaw *raw = data;

  g_clear_pointer (&raw->reader, tw_reader_unref);
  g_clear_pointer (&raw->text, g_free);
  g_free (raw);
}

void
tw_quarantine_raw_run (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  TwQuarantineRaw *raw = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  TwStore *store = tw_reader_lock (raw->reader, &error);

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  bytes = tw_store_get_quarantine_raw (store, raw->id, &error);
  tw_reader_unlock (raw->reader);

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  raw->size = g_bytes_get_size (bytes);
  raw->text = tw_format_raw_message (g_bytes_get_data (bytes, NULL), raw->size,
                                     TW_RAW_PREVIEW_MAX_BYTES, &raw->truncated);
  g_task_return_boolean (task, TRUE);
}

void
tw_quarantine_list_free (gpointer data)
{
  TwQuarantineList *list = data;

  g_clear_pointer (&list->reader, tw_reader_unref);
  g_clear_pointer (&list->rows, g_ptr_array_unref);
  g_free (list);
}

void
tw_quarantine_list_run (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  TwQuarantineList *list = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (list->reader, &error);

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  list->count = tw_store_count_quarantine (store, &error);
  if (list->count >= 0)
    list->rows = tw_store_list_quarantine (store, 0, list->limit, &error);
  tw_reader_unlock (list->reader);

  if (list->rows == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
tw_quarantine_reprocess_free (gpointer data)
{
  TwQuarantineReprocess *reprocess = data;

  g_clear_pointer (&reprocess->reader, tw_reader_unref);
  g_clear_pointer (&reprocess->ids, g_array_unref);
  g_free (reprocess);
}

void
tw_quarantine_reprocess_run (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  TwQuarantineReprocess *reprocess = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TwLimits) limits = NULL;
  TwStore *store;
  gboolean ok;

  /* The site's limits as they are now: reprocessing exists for a change. */
  limits = tw_limits_load_for_data_dir (tw_reader_get_data_dir (reprocess->reader), &error);
  store = limits != NULL ? tw_reader_lock (reprocess->reader, &error) : NULL;
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ok = tw_quarantine_reprocess (store, limits,
                                reprocess->ids != NULL ? (const gint64 *) reprocess->ids->data
                                                       : NULL,
                                reprocess->ids != NULL ? reprocess->ids->len : 0,
                                &reprocess->result, &error);
  tw_reader_unlock (reprocess->reader);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
tw_quarantine_export_free (gpointer data)
{
  TwQuarantineExport *export = data;

  g_clear_pointer (&export->reader, tw_reader_unref);
  g_clear_pointer (&export->path, g_free);
  g_free (export);
}

void
tw_quarantine_export_run (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  TwQuarantineExport *export = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (export->reader, &error);
  gboolean ok;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ok = tw_quarantine_export (store, export->path, &export->count, &error);
  tw_reader_unlock (export->reader);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}
