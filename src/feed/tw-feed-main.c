#include <glib.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "tw-error.h"
#include "tw-feed-message.h"
#include "tw-feed-mllp.h"
#include "tw-feed-mqtt.h"
#include "tw-feed-params.h"
#include "tw-feed-scenario.h"
#include "tw-feed-server.h"
#include "tw-time.h"

#define DEFAULT_PATIENTS 8
#define DEFAULT_RATE     1.0
#define DEFAULT_SEED     1

/* Option values as typed, before checking; wide types so that out-of-range
 * input is reported rather than wrapped. */
typedef struct
{
  gint64 port;
  gint64 patients;
  double rate;
  gint64 seed;
  gint64 count;
  char *start;
  gint64 mllp_port;
  char *mllp_send;
  char *mllp_state;
  char *mqtt;
  gint64 mqtt_after;
  char *scenario;
  gint64 dump;
} Options;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->start, g_free);
  g_clear_pointer (&options->mllp_send, g_free);
  g_clear_pointer (&options->mllp_state, g_free);
  g_clear_pointer (&options->mqtt, g_free);
  g_clear_pointer (&options->scenario, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* A scenario replaces the ward: its entities are the "patients", its
 * interval the tick, and by default its stream ends with its duration. */
static gboolean
apply_scenario (Options         *options,
                TwFeedParams    *params,
                TwFeedScenario **scenario,
                GError         **error)
{
  *scenario = tw_feed_scenario_load (options->scenario, error);
  if (*scenario == NULL)
    return FALSE;
  if (!tw_feed_scenario_is_clinical (*scenario)
      && (options->mllp_port >= 0 || options->mllp_send != NULL))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "scenario %s is not clinical: its ticks or orders are not HL7 v2, so "
                   "--mllp-port and --mllp-send do not apply. Serve it over the websocket, "
                   "/events or --mqtt", tw_feed_scenario_get_name (*scenario));
      return FALSE;
    }
  params->scenario = *scenario;
  params->patients = tw_feed_scenario_get_n_entities (*scenario);
  params->rate = tw_feed_scenario_get_rate (*scenario);
  if (params->count == 0)
    params->count = tw_feed_scenario_get_count (*scenario, params);
  return TRUE;
}

static gboolean
parse_options (int             *argc,
               char          ***argv,
               Options         *options,
               TwFeedParams    *params,
               TwFeedScenario **scenario,
               GError         **error)
{
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT64, &options->port,
      "Port on 127.0.0.1 (0 picks a free one)", "N" },
    { "patients", 0, 0, G_OPTION_ARG_INT64, &options->patients,
      "Number of simulated patients", "N" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &options->rate,
      "Samples per second per patient", "HZ" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &options->seed,
      "Picks patients and their physiology", "N" },
    { "count", 0, 0, G_OPTION_ARG_INT64, &options->count,
      "End the stream after this sequence number (0: endless)", "N" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &options->start,
      "RFC 3339 time of the first sample (default: now)", "TIME" },
    { "mllp-port", 0, 0, G_OPTION_ARG_INT64, &options->mllp_port,
      "Also serve HL7 v2 over MLLP to receivers that connect (0: a free port)", "N" },
    { "mllp-send", 0, 0, G_OPTION_ARG_STRING, &options->mllp_send,
      "Send HL7 v2 over MLLP to a listener; exit once it acknowledged --count", "HOST:PORT" },
    { "mllp-state", 0, 0, G_OPTION_ARG_FILENAME, &options->mllp_state,
      "Keep the last acknowledged sequence per MLLP receiver here", "FILE" },
    { "mqtt", 0, 0, G_OPTION_ARG_STRING, &options->mqtt,
      "Also publish to an MQTT broker: PREFIX/<patient>/vitals, …/patient, PREFIX/end",
      "mqtt://HOST:PORT/PREFIX" },
    { "mqtt-after", 0, 0, G_OPTION_ARG_INT64, &options->mqtt_after,
      "Publish to MQTT from this sequence number + 1 (default: the start)", "N" },
    { "scenario", 0, 0, G_OPTION_ARG_FILENAME, &options->scenario,
      "Serve a scenario (data/scenarios/*.json) instead of the ward; it replaces "
      "--patients and --rate and ends at its duration unless --count says otherwise", "FILE" },
    { "dump", 0, 0, G_OPTION_ARG_INT64, &options->dump,
      "Print the announcements and the first N messages as NDJSON, then exit", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;

  context = g_option_context_new ("- simulate bedside monitors on a websocket");
  g_option_context_set_description (context,
    "Serves ws://127.0.0.1:PORT/ in Tidewatch native JSON. Clients resume with\n"
    "ws://127.0.0.1:PORT/?after=SEQ; a feed restarted with the same options\n"
    "serves them exactly the messages they missed. The same stream is an HTTP\n"
    "event stream at http://127.0.0.1:PORT/events (resume: Last-Event-ID).");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (*argc > 1)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "unexpected argument '%s'", (*argv)[1]);
      return FALSE;
    }
  if (options->port < 0 || options->port > G_MAXUINT16)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "--port must be between 0 and %u", G_MAXUINT16);
      return FALSE;
    }
  if (options->seed < 0)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                           "--seed must not be negative");
      return FALSE;
    }
  if (options->count < 0)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                           "--count must not be negative (0 means endless)");
      return FALSE;
    }
  if (options->patients < 1 || options->patients > TW_FEED_MAX_PATIENTS)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "--patients must be between 1 and %d", TW_FEED_MAX_PATIENTS);
      return FALSE;
    }

  if (options->dump < 0)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                           "--dump must not be negative");
      return FALSE;
    }

  params->patients = (guint) options->patients;
  params->rate = options->rate;
  params->seed = (guint64) options->seed;
  params->count = (guint64) options->count;
  if (options->start != NULL)
    {
      if (!tw_time_parse_iso8601 (options->start, &params->start_usec))
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "--start '%s' is not an RFC 3339 time with a zone, "
                       "like 2026-11-23T07:10:00Z", options->start);
          return FALSE;
        }
    }
  else
    {
      /* Whole seconds, so the restart line is short and easy to retype. */
      gint64 now = tw_time_now ();

      params->start_usec = now - now % TW_USEC_PER_SEC;
    }
  if (options->scenario != NULL && !apply_scenario (options, params, scenario, error))
    return FALSE;

  return tw_feed_params_validate (params, error);
}

/* Exactly what a websocket client would get, without the pacing: for
 * scripts and tests that want to look at the stream. */
static void
dump_messages (const TwFeedParams *params,
               guint64             n)
{
  guint64 last = params->count > 0 ? MIN (n, params->count) : n;

  for (guint i = 0; i < params->patients; i++)
    {
      g_autoptr(GPtrArray) messages = tw_feed_message_announce_all (params, i);

      for (guint j = 0; j < messages->len; j++)
        g_print ("%s\n", (char *) messages->pdata[j]);
    }
  for (guint64 seq = TW_FEED_FIRST_SEQ; seq <= last; seq++)
    {
      g_autofree char *message = tw_feed_message_vitals (params, seq);

      g_print ("%s\n", message);
    }
  if (params->count > 0 && n >= params->count)
    {
      g_autofree char *end = tw_feed_message_end (params->count);

      g_print ("%s\n", end);
    }
}

static gboolean
on_quit_signal (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_auto(Options) options = {
    .patients = DEFAULT_PATIENTS,
    .rate = DEFAULT_RATE,
    .seed = DEFAULT_SEED,
    .mllp_port = -1,
  };
  g_autoptr(TwFeedServer) server = NULL;
  g_autoptr(TwFeedMqtt) mqtt = NULL;
  g_autoptr(TwFeedMllp) mllp = NULL;
  g_autoptr(TwFeedScenario) scenario = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *restart = NULL;
  TwFeedParams params = { 0 };
  guint sigint_id;
  guint sigterm_id;

  setlocale (LC_ALL, "");
  if (!parse_options (&argc, &argv, &options, &params, &scenario, &error))
    {
      g_printerr ("tidewatch-feed: %s\nRun 'tidewatch-feed --help' for the options.\n",
                  error->message);
      return 1;
    }
  if (options.dump > 0)
    {
      dump_messages (&params, (guint64) options.dump);
      return 0;
    }

  server = tw_feed_server_new (&params);
  if (!tw_feed_server_listen (server, (guint) options.port, &error))
    {
      g_printerr ("tidewatch-feed: cannot listen on 127.0.0.1:%u: %s. "
                  "Choose another --port or 0 for a free one.\n",
                  (guint) options.port, error->message);
      return 1;
    }

  restart = tw_feed_params_format_restart (&params, tw_feed_server_get_port (server));
  /* Tests and scripts read the port from the first line: flush it now,
   * stdout is a pipe there. */
  g_print ("listening on ws://127.0.0.1:%u/\n", tw_feed_server_get_port (server));
  g_print ("restart with: %s\n", restart);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  mllp = tw_feed_mllp_start (&params, options.mllp_port, options.mllp_send, options.mllp_state,
                             loop, &error);
  if (error != NULL)
    {
      g_printerr ("tidewatch-feed: %s\n", error->message);
      return 1;
    }
  if (options.mqtt != NULL
      && (options.mqtt_after < 0
          || (mqtt = tw_feed_mqtt_new (&params, options.mqtt, (guint64) options.mqtt_after,
                                       &error)) == NULL))
    {
      g_printerr ("tidewatch-feed: %s\n", error != NULL ? error->message
                                                       : "--mqtt-after must not be negative");
      return 1;
    }
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_pointer (&mqtt, tw_feed_mqtt_free);

  g_print ("sent %" G_GUINT64_FORMAT " messages\n", tw_feed_server_get_n_sent (server));
  tw_feed_mllp_finish (mllp);
  fflush (stdout);
  return 0;
}
