#include <string.h>

#include "tw-source-probe.h"

#define PROBE_QUEUE_ROWS  1000000
#define PROBE_STEP_US     (20 * 1000)
#define PROBE_MESSAGES    20   /* enough to tell the format apart */

void
tw_probe_result_free (TwProbeResult *result)
{
  if (result == NULL)
    return;
  g_free (result->first_reject);
  g_free (result->error);
  g_free (result);
}

char *
tw_probe_result_describe (const TwProbeResult *result)
{
  if (!result->reachable)
    return g_strdup_printf ("Not reachable: %s", result->error ? result->error : "no answer");
  if (result->messages == 0)
    return g_strdup ("Reachable, but no message arrived during the test");
  if (result->rejected == 0)
    return g_strdup_printf ("Reachable: %u messages, %u values decoded", result->messages,
                            result->samples);
  return g_strdup_printf ("Reachable: %u messages, %u would go to quarantine (%s)",
                          result->messages, result->rejected, result->first_reject);
}

static void
drain (TwQueue       *queue,
       TwProbeResult *result)
{
  TwBatch *batch;

  while ((batch = tw_queue_pop (queue, 0)) != NULL)
    {
      result->samples += batch->samples->len;
      result->rejected += batch->rejects->len;
      if (result->first_reject == NULL && batch->rejects->len > 0)
        result->first_reject = g_strdup (((TwReject *) batch->rejects->pdata[0])->reason);
      tw_batch_free (batch);
    }
}

/* A probe must not take over the live source's broker session (same client
 * id) nor leave one behind: it gets its own id and a clean session. */
static char *
probe_url (const char *url)
{
  g_autofree char *scheme = g_uri_parse_scheme (url);
  g_autofree char *client_id = tw_source_url_get_param (url, "client_id");

  if (scheme == NULL || !g_str_has_prefix (scheme, "mqtt") || client_id != NULL)
    return g_strdup (url);
  return g_strdup_printf ("%s%cclient_id=tidewatch-probe-%08x&clean=1", url,
                          strchr (url, '?') != NULL ? '&' : '?', g_random_int ());
}

TwProbeResult *
tw_source_probe (const char    *url,
                 guint          timeout_ms,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  TwProbeResult *result = g_new0 (TwProbeResult, 1);
  TwQueue *queue = tw_queue_new (PROBE_QUEUE_ROWS);
  TwSourceLive *live = tw_source_live_new (0, url, -1);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autofree char *trial_url = probe_url (url);
  TwSource *source;

  g_main_context_push_thread_default (context);
  source = tw_source_new_for_url (trial_url, -1, queue, live, error);
  if (source == NULL)
    {
      g_main_context_pop_thread_default (context);
      tw_source_live_free (live);
      tw_queue_free (queue);
      tw_probe_result_free (result);
      return NULL;
    }

  tw_source_start (source);
  while (g_get_monotonic_time () < deadline && !g_cancellable_is_cancelled (cancellable))
    {
      TwSourceState state;
      guint64 received;

      g_main_context_iteration (context, FALSE);
      g_usleep (PROBE_STEP_US / 10);
      g_mutex_lock (&live->mutex);
      state = live->state;
      received = live->received;
      g_mutex_unlock (&live->mutex);

      if (state == TW_SOURCE_STATE_RECONNECTING || state == TW_SOURCE_STATE_STOPPED)
        break;
      if (received >= PROBE_MESSAGES || state == TW_SOURCE_STATE_FINISHED)
        break;
    }

  g_mutex_lock (&live->mutex);
  result->reachable = live->state == TW_SOURCE_STATE_CONNECTED
                      || live->state == TW_SOURCE_STATE_FINISHED || live->received > 0;
  result->messages = (guint) live->received;
  result->error = g_strdup (live->last_error);
  g_mutex_unlock (&live->mutex);

  tw_source_free (source);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  drain (queue, result);
  tw_source_live_free (live);
  tw_queue_free (queue);
  return result;
}
