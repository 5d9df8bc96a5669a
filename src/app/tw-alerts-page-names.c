#include "config.h"

#include "tw-alert-history.h"
#include "tw-alert-scope.h"
#include "tw-alerts-page-private.h"
#include "tw-role.h"

/* Names */

const char *
tw_alerts_page_entity_title (TwAlertsPage *self,
                             const char   *key)
{
  const char *title = NULL;

  if (self->entity_titles != NULL && key != NULL)
    title = g_hash_table_lookup (self->entity_titles, key);

  return title != NULL ? title : key;
}

gboolean
tw_alerts_page_is_unknown (TwAlertsPage *self,
                           const char   *key)
{
  return self->entity_titles == NULL || !g_hash_table_contains (self->entity_titles, key);
}

/* Unknown entities: 1 when one was not looked up yet (look now), 2 when
 * all were and the store did not know them (look again later). */
static int
snapshot_has_unknown_entity (TwAlertsPage *self)
{
  int unknown = 0;

  for (guint i = 0; self->raw_snapshot != NULL && i < self->raw_snapshot->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (self->raw_snapshot->alerts, i);

      if (!tw_alerts_page_is_unknown (self, alert->entity_key))
        continue;
      if (self->missing_keys == NULL || !g_hash_table_contains (self->missing_keys,
                                                                alert->entity_key))
        return 1;
      unknown = 2;
    }

  return unknown;
}


static GStrv
raw_alert_keys (TwAlertsPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; self->raw_snapshot != NULL && i < self->raw_snapshot->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (self->raw_snapshot->alerts, i);

      g_strv_builder_add (builder, alert->entity_key);
    }
  return g_strv_builder_end (builder);
}

/* Ward scope: a clinician's reader lists only the patients of their wards
 * and open emergency accesses, so the looked-up titles are the set of
 * alerts they may see (none until the first lookup). Other roles see the
 * whole board (NULL). */
GHashTable *
tw_alerts_page_visible_keys (TwAlertsPage *self)
{
  static GHashTable *nothing;

  if (self->reader == NULL || tw_reader_get_role (self->reader) != TW_ROLE_CLINICIAN)
    return NULL;
  if (self->entity_titles != NULL)
    return self->entity_titles;
  if (g_once_init_enter (&nothing))
    g_once_init_leave (&nothing, g_hash_table_new (g_str_hash, g_str_equal));
  return nothing;
}

static gboolean
task_is_stale (TwAlertsPage *self,
               GAsyncResult *result,
               GError       *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result)));
}

static void
lookup_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TwAlertsPage *self = TW_ALERTS_PAGE (object);
  TwAlertLookup *lookup = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) && task_is_stale (self, result, error))
    return;

  self->lookup_in_flight = FALSE;
  if (error != NULL)
    {
      g_warning ("Could not read entity names for the alert console: %s", error->message);
      return;
    }

  g_clear_pointer (&self->entity_titles, g_hash_table_unref);
  g_clear_pointer (&self->source_names, g_hash_table_unref);
  self->entity_titles = g_steal_pointer (&lookup->entity_titles);
  self->source_names = g_steal_pointer (&lookup->source_names);
  g_clear_pointer (&self->missing_keys, g_hash_table_unref);
  self->missing_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; self->raw_snapshot != NULL && i < self->raw_snapshot->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (self->raw_snapshot->alerts, i);

      if (!g_hash_table_contains (self->entity_titles, alert->entity_key))
        g_hash_table_add (self->missing_keys, g_strdup (alert->entity_key));
    }
  /* Patients that came into view (or left it) change the board. */
  if (self->raw_snapshot != NULL)
    {
      tw_alerts_page_derive_snapshot (self);
    }
  tw_alerts_page_merge_snapshot (self);
  /* The banner and the notification name the entity now. */
  if (self->snapshot != NULL)
    tw_alerts_page_emit_changed (self);
}

void
tw_alerts_page_start_lookup (TwAlertsPage *self)
{
  g_autoptr(GTask) task = NULL;
  TwAlertLookup *lookup;
  gint64 now = g_get_monotonic_time ();

  int unknown;

  if (self->reader == NULL || self->lookup_in_flight)
    return;
  unknown = snapshot_has_unknown_entity (self);
  if (!self->lookup_dirty && unknown == 0)
    return;
  if (!self->lookup_dirty && unknown == 2 && now - self->lookup_at < LOOKUP_RETRY_US)
    return;

  lookup = g_new0 (TwAlertLookup, 1);
  lookup->reader = tw_reader_ref (self->reader);
  lookup->alert_keys = raw_alert_keys (self);
  self->lookup_in_flight = TRUE;
  self->lookup_dirty = FALSE;
  self->lookup_at = now;

  task = g_task_new (self, self->cancellable, lookup_done_cb, NULL);
  g_task_set_source_tag (task, tw_alerts_page_start_lookup);
  g_task_set_task_data (task, lookup, tw_alert_lookup_free);
  g_task_run_in_thread (task, tw_alert_lookup_run);
}


/* What this user may see of the engine's board: for a clinician only the
 * patients of their wards; for roles without identity no entity keys in
 * the messages (the banner and the notifications get the same). */
void
tw_alerts_page_derive_snapshot (TwAlertsPage *self)
{
  g_clear_pointer (&self->snapshot, tw_alert_snapshot_free);
  if (self->raw_snapshot == NULL)
    return;
  self->snapshot = tw_alert_snapshot_scoped (self->raw_snapshot,
                                             tw_alerts_page_visible_keys (self));
  if (self->reader != NULL
      && !tw_role_can (tw_reader_get_role (self->reader), TW_PERM_SEE_IDENTITY))
    tw_alert_snapshot_mask_messages (self->snapshot);
}
