#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

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

void
tw_alert_snapshot_mask_messages (TwAlertSnapshot *snapshot)
{
  g_return_if_fail (snapshot != NULL);

  for (guint i = 0; i < snapshot->alerts->len; i++)
    {
      TwAlert *alert = g_ptr_array_index (snapshot->alerts, i);
      const char *key = alert->entity_key;
      const char *text = alert->message;
      g_auto(GStrv) words = NULL;
      gsize key_len;

      if (text == NULL || key == NULL || key[0] == '\0')
        continue;
      key_len = strlen (key);
      if (g_str_has_prefix (text, key) && g_str_has_prefix (text + key_len, ": "))
        text += key_len + 2;
      words = g_strsplit (text, key, -1);
      g_free (alert->message);
      alert->message = g_strjoinv (_("patient"), words);
    }
}
