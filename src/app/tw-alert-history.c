#include "config.h"

#include <glib/gi18n.h>

#include "tw-alert-history.h"
#include "tw-store-private.h"

/*
 * Entity titles come from tw_store_list_entities() with the reader's role,
 * so the masking is the store's: an analyst or administrator gets the
 * pseudonymous key and the bed, never a name.
 */

/**
 * tw_alert_entity_title:
 * @row: an entity as the role may see it
 *
 * Returns: (transfer full): "Bed 3 · Ana Silva", or the name alone when
 *   there is no bed
 */
char *
tw_alert_entity_title (const TwEntityRow *row)
{
  g_return_val_if_fail (row != NULL, NULL);

  if (row->location != NULL && row->location[0] != '\0')
    /* Translators: an alert's entity: bed, then name (or pseudonym) */
    return g_strdup_printf (_("%s \u00b7 %s"), row->location,
                            row->display_name != NULL ? row->display_name : row->key);

  return g_strdup (row->display_name != NULL ? row->display_name : row->key);
}

static GHashTable *
read_entity_titles (TwStore  *store,
                    TwRole    role,
                    GError  **error)
{
  g_autoptr(GPtrArray) rows = tw_store_list_entities (store, role, error);
  GHashTable *titles;

  if (rows == NULL)
    return NULL;

  titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < rows->len; i++)
    {
      const TwEntityRow *row = g_ptr_array_index (rows, i);

      g_hash_table_replace (titles, g_strdup (row->key), tw_alert_entity_title (row));
    }

  return titles;
}

/* For roles without identity the store lists entities by pseudonym, while
 * the engine's board carries the sources' real keys (often the MRN): give
 * each of the board's keys the title of its pseudonym, or the pseudonym
 * itself, so the console never falls back to showing the key. */
static void
title_real_keys (TwStore       *store,
                 TwAlertLookup *lookup)
{
  for (guint i = 0; lookup->alert_keys != NULL && lookup->alert_keys[i] != NULL; i++)
    {
      const char *key = lookup->alert_keys[i];
      g_autofree char *pseudonym = tw_store_make_pseudonym (store, key, NULL);
      const char *title;

      if (pseudonym == NULL)
        continue;
      title = g_hash_table_lookup (lookup->entity_titles, pseudonym);
      g_hash_table_replace (lookup->entity_titles, g_strdup (key),
                            g_strdup (title != NULL ? title : pseudonym));
    }
}

void
tw_alert_lookup_free (gpointer data)
{
  TwAlertLookup *lookup = data;

  g_clear_pointer (&lookup->reader, tw_reader_unref);
  g_clear_pointer (&lookup->alert_keys, g_strfreev);
  g_clear_pointer (&lookup->entity_titles, g_hash_table_unref);
  g_clear_pointer (&lookup->source_names, g_hash_table_unref);
  g_free (lookup);
}

void
tw_alert_lookup_run (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  TwAlertLookup *lookup = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  TwStore *store = tw_reader_lock (lookup->reader, &error);

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  lookup->entity_titles = read_entity_titles (store, tw_reader_get_role (lookup->reader), &error);
  if (lookup->entity_titles != NULL && tw_store_masks_identity (store))
    title_real_keys (store, lookup);
  if (lookup->entity_titles != NULL)
    sources = tw_store_list_sources (store, &error);
  tw_reader_unlock (lookup->reader);

  if (sources == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  lookup->source_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint i = 0; i < sources->len; i++)
    {
      const TwSourceRow *row = g_ptr_array_index (sources, i);

      g_hash_table_replace (lookup->source_names, g_memdup2 (&row->id, sizeof row->id),
                            g_strdup (row->name));
    }

  g_task_return_boolean (task, TRUE);
}

void
tw_alert_history_free (gpointer data)
{
  TwAlertHistory *history = data;

  g_clear_pointer (&history->reader, tw_reader_unref);
  g_clear_pointer (&history->search, g_free);
  g_clear_pointer (&history->records, g_ptr_array_unref);
  g_clear_pointer (&history->transitions, g_ptr_array_unref);
  g_clear_pointer (&history->entity_titles, g_hash_table_unref);
  g_free (history);
}

void
tw_alert_history_run (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  TwAlertHistory *history = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (history->reader, &error);

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  history->records = tw_store_list_alert_history (store, history->search, 0, 0,
                                                  history->limit, &error);
  if (history->records != NULL)
    history->entity_titles = read_entity_titles (store, tw_reader_get_role (history->reader),
                                                 &error);
  if (history->entity_titles != NULL)
    {
      history->transitions = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
      for (guint i = 0; i < history->records->len; i++)
        {
          const TwAlertRecord *record = g_ptr_array_index (history->records, i);
          GPtrArray *rows;

          if (g_cancellable_is_cancelled (cancellable))
            break;
          rows = tw_store_list_alert_transitions (store, record->alert->id, &error);
          if (rows == NULL)
            {
              g_clear_pointer (&history->transitions, g_ptr_array_unref);
              break;
            }
          g_ptr_array_add (history->transitions, rows);
        }
    }
  tw_reader_unlock (history->reader);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error) || history->transitions == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}
