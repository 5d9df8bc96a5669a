#include <glib/gi18n.h>

#include "tw-source.h"

const char *
tw_source_state_to_label (TwSourceState state)
{
  switch (state)
    {
    case TW_SOURCE_STATE_CONNECTING:   return _("Connecting");
    case TW_SOURCE_STATE_CONNECTED:    return _("Connected");
    case TW_SOURCE_STATE_RECONNECTING: return _("Reconnecting");
    case TW_SOURCE_STATE_FINISHED:     return _("Stream ended");
    case TW_SOURCE_STATE_STOPPED:      return _("Stopped");
    default:                           return _("Unknown");
    }
}

TwSourceLive *
tw_source_live_new (gint64      source_id,
                    const char *url,
                    gint64      committed_seq)
{
  TwSourceLive *live = g_new0 (TwSourceLive, 1);

  g_mutex_init (&live->mutex);
  live->source_id = source_id;
  live->url = g_strdup (url);
  live->state = TW_SOURCE_STATE_CONNECTING;
  live->committed_seq = committed_seq;
  return live;
}

void
tw_source_live_free (TwSourceLive *live)
{
  if (live == NULL)
    return;
  g_mutex_clear (&live->mutex);
  g_free (live->url);
  g_free (live->last_error);
  g_free (live);
}

/* @error_message NULL keeps the last error: it stays useful on screen
 * while the source reconnects. */
void
tw_source_live_set_state (TwSourceLive  *live,
                          TwSourceState  state,
                          const char    *error_message)
{
  g_mutex_lock (&live->mutex);
  live->state = state;
  if (error_message != NULL)
    {
      g_free (live->last_error);
      live->last_error = g_strdup (error_message);
    }
  g_mutex_unlock (&live->mutex);
}
