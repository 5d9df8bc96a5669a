#include "config.h"

#include "tw-rule-preview.h"
#include "tw-rules-query.h"

/*
 * Writes go through the page's own connection too (as reprocessing the
 * quarantine does): the engine keeps the writer, WAL lets both commit in
 * turn, and the store's busy timeout covers the wait. The pipeline reads
 * the rules again when the page calls tw_pipeline_reload_rules().
 */

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const TwRuleRow *x = *(const TwRuleRow * const *) a;
  const TwRuleRow *y = *(const TwRuleRow * const *) b;
  int by_pack;

  /* Rules written here (no pack) come last, under their own heading. */
  if ((x->pack == NULL) != (y->pack == NULL))
    return x->pack == NULL ? 1 : -1;
  by_pack = g_strcmp0 (x->pack, y->pack);

  return by_pack != 0 ? by_pack : g_strcmp0 (x->id, y->id);
}

void
tw_rules_list_free (gpointer data)
{
  TwRulesList *list = data;

  g_clear_pointer (&list->reader, tw_reader_unref);
  g_clear_pointer (&list->rows, g_ptr_array_unref);
  g_free (list);
}

void
tw_rules_list_run (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  TwRulesList *list = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (list->reader, &error);

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  list->rows = tw_store_list_rules (store, &error);
  tw_reader_unlock (list->reader);

  if (list->rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_ptr_array_sort (list->rows, compare_rows);
  g_task_return_boolean (task, TRUE);
}

void
tw_rules_write_free (gpointer data)
{
  TwRulesWrite *write = data;

  g_clear_pointer (&write->reader, tw_reader_unref);
  g_clear_pointer (&write->rule, tw_rule_unref);
  g_clear_pointer (&write->id, g_free);
  g_clear_pointer (&write->who, g_free);
  g_free (write);
}

void
tw_rules_save_run (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  TwRulesWrite *write = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (write->reader, &error);
  gboolean ok;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ok = tw_store_save_rule (store, write->rule, write->who, &error);
  tw_reader_unlock (write->reader);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
tw_rules_enable_run (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  TwRulesWrite *write = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (write->reader, &error);
  gboolean ok;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ok = tw_store_set_rule_enabled (store, write->id, write->enabled, write->who, &error);
  tw_reader_unlock (write->reader);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
tw_rules_preview_free (gpointer data)
{
  TwRulesPreview *preview = data;

  g_clear_pointer (&preview->reader, tw_reader_unref);
  g_clear_pointer (&preview->rule, tw_rule_unref);
  g_clear_pointer (&preview->alerts, g_ptr_array_unref);
  g_free (preview);
}

void
tw_rules_preview_run (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  TwRulesPreview *preview = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (preview->reader, &error);

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  preview->alerts = tw_rule_preview (store, preview->rule, preview->from_ts, preview->to_ts,
                                     cancellable, &error);
  tw_reader_unlock (preview->reader);

  if (preview->alerts == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}
