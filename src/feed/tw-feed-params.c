#include "tw-feed-params.h"

#include <math.h>

#include "tw-error.h"
#include "tw-feed-scenario.h"
#include "tw-time.h"

/* Enough digits for most rates people type; the fallback always round-trips. */
#define RATE_SHORT_FORMAT "%.15g"
#define RATE_EXACT_FORMAT "%.17g"

/**
 * tw_feed_params_validate:
 * @params: the parameters given on the command line
 * @error: return location for a %TW_ERROR_INVALID_INPUT error
 *
 * Returns: %TRUE when a feed can serve these parameters
 */
gboolean
tw_feed_params_validate (const TwFeedParams *params,
                         GError            **error)
{
  g_return_val_if_fail (params != NULL, FALSE);

  if (params->patients < 1 || params->patients > TW_FEED_MAX_PATIENTS)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "--patients must be between 1 and %d", TW_FEED_MAX_PATIENTS);
      return FALSE;
    }
  if (!isfinite (params->rate) || params->rate < TW_FEED_MIN_RATE
      || params->rate > TW_FEED_MAX_RATE)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "--rate must be between %g and %g samples per second",
                   TW_FEED_MIN_RATE, TW_FEED_MAX_RATE);
      return FALSE;
    }
  return TRUE;
}

/* Returns: the tick of @seq; tick 0 holds sequence numbers 1..patients */
guint64
tw_feed_params_seq_tick (const TwFeedParams *params,
                         guint64             seq)
{
  g_return_val_if_fail (params != NULL && seq >= TW_FEED_FIRST_SEQ, 0);

  return (seq - TW_FEED_FIRST_SEQ) / params->patients;
}

/* Returns: the zero-based index of the patient @seq describes */
guint
tw_feed_params_seq_patient (const TwFeedParams *params,
                            guint64             seq)
{
  g_return_val_if_fail (params != NULL && seq >= TW_FEED_FIRST_SEQ, 0);

  return (guint) ((seq - TW_FEED_FIRST_SEQ) % params->patients);
}

/* Returns: seconds of simulated time between the first tick and @seq's */
double
tw_feed_params_seq_elapsed (const TwFeedParams *params,
                            guint64             seq)
{
  return (double) tw_feed_params_seq_tick (params, seq) / params->rate;
}

/* Returns: the event time of @seq in µs since the epoch; it is also the
 * wall-clock time at which the feed may send it */
gint64
tw_feed_params_seq_time (const TwFeedParams *params,
                         guint64             seq)
{
  double offset;

  if (params->scenario != NULL)
    return tw_feed_scenario_seq_time (params->scenario, params, seq);
  offset = round (tw_feed_params_seq_elapsed (params, seq) * TW_USEC_PER_SEC);

  /* A client may ask to resume after an absurd sequence number: such a
   * message is due never, not at an overflowed time in the past. */
  if (offset >= (double) (G_MAXINT64 - MAX (params->start_usec, 0)))
    return G_MAXINT64;
  return params->start_usec + (gint64) offset;
}

static char *
format_rate (double rate)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, RATE_SHORT_FORMAT, rate);
  if (g_ascii_strtod (buf, NULL) != rate)
    g_ascii_formatd (buf, sizeof buf, RATE_EXACT_FORMAT, rate);
  return g_strdup (buf);
}

/**
 * tw_feed_params_format_restart:
 * @params: the running feed's parameters
 * @port: the port it listens on
 *
 * A resuming client only gets the messages it missed if the restarted feed
 * computes the same stream, so spell out every parameter, including the
 * start time that defaulted to "now".
 *
 * Returns: (transfer full): a command line that restarts this feed
 */
char *
tw_feed_params_format_restart (const TwFeedParams *params,
                               guint               port)
{
  g_autofree char *rate = format_rate (params->rate);
  g_autofree char *start = tw_time_format_iso8601 (params->start_usec);
  GString *line = g_string_new (NULL);

  g_string_append_printf (line,
                          "tidewatch-feed --port %u --patients %u --rate %s"
                          " --seed %" G_GUINT64_FORMAT " --start %s",
                          port, params->patients, rate, params->seed, start);
  if (params->count > 0)
    g_string_append_printf (line, " --count %" G_GUINT64_FORMAT, params->count);
  if (params->scenario != NULL)
    {
      g_autofree char *quoted = g_shell_quote (tw_feed_scenario_get_path (params->scenario));

      g_string_append_printf (line, " --scenario %s", quoted);
    }
  return g_string_free (line, FALSE);
}
