#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "tw-error.h"
#include "tw-source.h"
#include "tw-sources-query.h"

/*
 * The Sources page's reads and writes, run in a GTask worker on a
 * TwReader connection so the main thread never waits on SQL.
 */

static void
wipe_string (char **text)
{
  if (*text == NULL)
    return;

  sodium_memzero (*text, strlen (*text));
  g_clear_pointer (text, g_free);
}

/**
 * tw_sources_id_table_new:
 *
 * Returns: (transfer full): a table from allocated gint64 ids to strings
 */
GHashTable *
tw_sources_id_table_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

/* Loading */

TwSourcesLoad *
tw_sources_load_new (TwReader *reader,
                     guint     serial)
{
  TwSourcesLoad *load = g_new0 (TwSourcesLoad, 1);

  load->reader = tw_reader_ref (reader);
  load->serial = serial;
  load->not_startable = tw_sources_id_table_new ();

  return load;
}

void
tw_sources_load_free (gpointer data)
{
  TwSourcesLoad *load = data;

  g_clear_pointer (&load->reader, tw_reader_unref);
  g_clear_pointer (&load->rows, g_ptr_array_unref);
  g_clear_pointer (&load->not_startable, g_hash_table_unref);
  g_free (load);
}

void
tw_sources_load_run (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  TwSourcesLoad *load = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (load->reader, &error);

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  load->rows = tw_store_list_sources (store, &error);
  tw_reader_unlock (load->reader);

  if (load->rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The same check the pipeline makes before it starts a source (a file
   * may have gone, a kind may not be built in): say so instead of waiting. */
  for (guint i = 0; i < load->rows->len; i++)
    {
      const TwSourceRow *row = g_ptr_array_index (load->rows, i);
      g_autoptr(GError) check_error = NULL;

      if (!tw_source_check_url (row->url, &check_error))
        g_hash_table_insert (load->not_startable, g_memdup2 (&row->id, sizeof row->id),
                             g_strdup (check_error->message));
    }

  g_task_return_boolean (task, TRUE);
}

/* Changes */

TwSourceChange *
tw_source_change_new (TwReader           *reader,
                      TwSourceChangeKind  kind,
                      gint64              id,
                      const char         *name,
                      const char         *url,
                      gboolean            enabled)
{
  TwSourceChange *change = g_new0 (TwSourceChange, 1);

  change->reader = tw_reader_ref (reader);
  change->kind = kind;
  change->id = id;
  change->name = g_strdup (name);
  change->url = g_strdup (url);
  change->enabled = enabled;

  return change;
}

void
tw_source_change_free (gpointer data)
{
  TwSourceChange *change = data;

  g_clear_pointer (&change->reader, tw_reader_unref);
  g_clear_pointer (&change->name, g_free);
  wipe_string (&change->url);
  g_clear_object (&change->dialog);
  g_free (change);
}

static gboolean
name_in_use (TwStore     *store,
             const char  *name,
             GError     **error)
{
  g_autoptr(GPtrArray) rows = tw_store_list_sources (store, error);

  if (rows == NULL)
    return TRUE;

  for (guint i = 0; i < rows->len; i++)
    {
      const TwSourceRow *row = g_ptr_array_index (rows, i);

      if (g_str_equal (row->name, name))
        {
          g_set_error (error, TW_ERROR, TW_ERROR_ALREADY_EXISTS,
                       _("Another source is already named ‘%s’."), name);
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
apply_change (TwStore         *store,
              TwSourceChange  *change,
              GError         **error)
{
  switch (change->kind)
    {
    case TW_SOURCE_CHANGE_ADD:
      /* Adding reuses an existing row of the same name: refuse instead. */
      if (name_in_use (store, change->name, error))
        return FALSE;
      change->id = tw_store_ensure_source (store, change->name, change->url, error);
      return change->id > 0;
    case TW_SOURCE_CHANGE_EDIT:
    case TW_SOURCE_CHANGE_PAUSE:
    case TW_SOURCE_CHANGE_RESUME:
      return tw_store_update_source (store, change->id, change->name, change->url,
                                     change->enabled, error);
    case TW_SOURCE_CHANGE_REMOVE:
      return tw_store_remove_source (store, change->id, error);
    default:
      g_assert_not_reached ();
    }
}

void
tw_source_change_run (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  TwSourceChange *change = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (change->reader, &error);
  gboolean ok;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ok = apply_change (store, change, &error);
  tw_reader_unlock (change->reader);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}
