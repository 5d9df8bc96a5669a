#include "tw-alert-scope.h"

TwAlertSnapshot *
tw_alert_snapshot_scoped (const TwAlertSnapshot *raw,
                          GHashTable            *visible)
{
  TwAlertSnapshot *copy = g_new0 (TwAlertSnapshot, 1);
  gboolean newest_hidden = FALSE;
  guint64 newest_visible = 0;

  g_return_val_if_fail (raw != NULL, copy);

  copy->generation = raw->generation;
  copy->audio_paused = raw->audio_paused;
  copy->audio_paused_until = raw->audio_paused_until;
  copy->too_late = raw->too_late;
  copy->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_alert_free);
  for (guint i = 0; i < raw->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (raw->alerts, i);

      if (visible != NULL && !g_hash_table_contains (visible, alert->entity_key))
        {
          newest_hidden |= alert->id == raw->newest_high_id;
          continue;
        }
      g_ptr_array_add (copy->alerts, tw_alert_copy (alert));
      copy->counts[alert->priority]++;
      /* Ids grow: the newest visible high alert has the largest id. */
      if (alert->priority == TW_ALERT_PRIORITY_HIGH)
        newest_visible = MAX (newest_visible, alert->id);
    }
  /* The engine's newest high alert stands unless it is someone else's
   * patient; then the newest of ours is announced (once: the notifier
   * remembers what it announced). */
  copy->newest_high_id = newest_hidden ? newest_visible : raw->newest_high_id;
  return copy;
}
