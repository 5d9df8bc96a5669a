/* Event → alert latency and main-loop stalls while alerts stream in
 * (ARCHITECTURE.md budgets: p99 ≤ 50 ms at 10k events/s; the main loop
 * never stalls more than 16 ms).
 *
 * A websocket server in this process sends native JSON vitals at
 * BENCH_RATE messages per second (one sample each) to a real pipeline over
 * loopback into an encrypted store with the default rule packs loaded.
 * Every CROSSING_EVERY_MS one message for a fresh patient carries a heart
 * rate far above every default limit; the time it was sent is kept. The
 * main thread runs a GLib main loop the way the app does: it polls the
 * alert snapshot at 20 Hz and beats every millisecond; the figures are the
 * delay from sending a crossing to its alert being raised (the alert's
 * raise time, and the first 20 Hz poll that shows it) and the longest gap
 * between heartbeats. Prints figures; never fails on a time.
 *
 * bench-alerts-ui (built with the app) does the same with the real alert
 * console (TwAlertsPage, signed in as an operator) in a window, so the
 * heartbeat gaps include GTK's layout and drawing of the growing list. */
#ifdef TW_BENCH_UI
#include "tw-alerts-page.h"
#endif
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "tw-pipeline.h"
#include "tw-rule.h"
#include "tw-store-rules.h"
#include "tw-time.h"

#define BENCH_RATE          10000
#define BENCH_SECONDS       20
#define BENCH_PATIENTS      200
#define CROSSING_EVERY_MS   50
#define CROSSING_HR         230.0
#define NORMAL_HR           72.0
#define PACE_INTERVAL_MS    1
#define UI_POLL_MS          50          /* the console's 20 Hz */
#define HEARTBEAT_MS        1
#define SETTLE_MS           2000
#define OPERATOR_NAME       "olga"
#define OPERATOR_PASSWORD   "operator password for the benchmark"
#define WEBSOCKET_PATH      "/stream"

/* The default packs (seeded below) hold a heart-rate rule with a minimum
 * duration; this one raises on the first sample so one message measures
 * one alert. The packs still run: their evaluation is part of the load. */
#define BENCH_RULE \
  "{\"id\": \"bench-hr-critical\", \"name\": \"Heart rate critical (benchmark)\"," \
  " \"kind\": \"threshold\", \"metric\": \"hr\", \"direction\": \"above\"," \
  " \"limit\": 200, \"priority\": \"high\", \"message\": \"{entity}: {value}\"}"

typedef struct
{
  GMutex        mutex;
  GHashTable   *sent_at;      /* entity key → gint64* wall µs */
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *soup;
  SoupWebsocketConnection *client;
  char         *url;
  gint64        started;
  guint64       sent;
  guint64       seq;
  guint         crossings;
  gboolean      done;
} Server;

static void
send_vitals (Server     *server,
             const char *patient,
             double      hr)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *ts = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
  char hr_text[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *text = g_strdup_printf ("{\"v\":1,\"type\":\"vitals\",\"seq\":%" G_GUINT64_FORMAT
                                           ",\"ts\":\"%s\",\"patient\":\"%s\",\"hr\":%s}",
                                           ++server->seq, ts, patient,
                                           g_ascii_dtostr (hr_text, sizeof hr_text, hr));

  soup_websocket_connection_send_text (server->client, text);
  server->sent++;
}

static gboolean
on_pace (gpointer data)
{
  Server *server = data;
  gint64 elapsed = g_get_monotonic_time () - server->started;
  guint64 due = (guint64) (elapsed * (double) BENCH_RATE / G_USEC_PER_SEC);
  guint crossings_due = (guint) (elapsed / (CROSSING_EVERY_MS * 1000));

  if (server->client == NULL)
    return G_SOURCE_CONTINUE;
  if (elapsed >= (gint64) BENCH_SECONDS * G_USEC_PER_SEC)
    {
      g_atomic_int_set (&server->done, TRUE);
      return G_SOURCE_REMOVE;
    }
  while (server->crossings < crossings_due)
    {
      char patient[32];
      gint64 *when = g_new (gint64, 1);

      g_snprintf (patient, sizeof patient, "L%05u", server->crossings++);
      *when = tw_time_now ();
      g_mutex_lock (&server->mutex);
      g_hash_table_insert (server->sent_at, g_strdup (patient), when);
      g_mutex_unlock (&server->mutex);
      send_vitals (server, patient, CROSSING_HR);
    }
  while (server->sent < due)
    {
      char patient[32];

      g_snprintf (patient, sizeof patient, "P%04u", (guint) (server->sent % BENCH_PATIENTS));
      send_vitals (server, patient, NORMAL_HR + (double) (server->sent % 7));
    }
  return G_SOURCE_CONTINUE;
}

static void
on_websocket (SoupServer              *soup,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *websocket,
              gpointer                 data)
{
  Server *server = data;
  g_autoptr(GSource) pace = g_timeout_source_new (PACE_INTERVAL_MS);

  if (server->client != NULL)
    return;
  server->client = g_object_ref (websocket);
  server->started = g_get_monotonic_time ();
  g_source_set_callback (pace, on_pace, server, NULL);
  g_source_attach (pace, server->context);
}

static gpointer
server_thread (gpointer data)
{
  Server *server = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (server->context);
  server->soup = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (server->soup, WEBSOCKET_PATH, NULL, NULL, on_websocket,
                                     server, NULL);
  soup_server_listen_local (server->soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server->soup);
  g_mutex_lock (&server->mutex);
  server->url = g_strdup_printf ("ws://127.0.0.1:%u%s", g_uri_get_port (uris->data),
                                 WEBSOCKET_PATH);
  g_mutex_unlock (&server->mutex);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (server->loop);
  /* The pipeline may have closed it first (it stops before the server). */
  if (server->client != NULL
      && soup_websocket_connection_get_state (server->client) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (server->client, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&server->client);
  g_clear_object (&server->soup);
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

typedef struct
{
  Server     *server;
  TwPipeline *pipeline;
  GMainLoop  *loop;
  GArray     *raised_ms;       /* double: alert raise time − send time */
  GArray     *seen_ms;         /* double: first 20 Hz poll showing it − send time */
  GHashTable *seen;            /* entity keys already measured */
  gint64      last_beat;
  gint64      max_gap_us;
  gint64      max_poll_us;
  guint64     last_generation;
  guint       polls;
  gint64      settle_until;
} Console;

static gboolean
on_heartbeat (gpointer data)
{
  Console *console = data;
  gint64 now = g_get_monotonic_time ();

  if (console->last_beat != 0)
    console->max_gap_us = MAX (console->max_gap_us, now - console->last_beat);
  console->last_beat = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
on_poll (gpointer data)
{
  Console *console = data;
  gint64 start = g_get_monotonic_time ();
  gint64 wall = tw_time_now ();
  g_autoptr(TwAlertSnapshot) snapshot = tw_pipeline_get_alerts (console->pipeline);

  console->polls++;
  if (snapshot->generation != console->last_generation)
    {
      console->last_generation = snapshot->generation;
      for (guint i = 0; i < snapshot->alerts->len; i++)
        {
          const TwAlert *alert = g_ptr_array_index (snapshot->alerts, i);
          gint64 *sent;
          double raised, seen;

          if (g_hash_table_contains (console->seen, alert->entity_key))
            continue;
          g_mutex_lock (&console->server->mutex);
          sent = g_hash_table_lookup (console->server->sent_at, alert->entity_key);
          g_mutex_unlock (&console->server->mutex);
          if (sent == NULL)
            continue;
          g_hash_table_add (console->seen, g_strdup (alert->entity_key));
          raised = (alert->raised_us - *sent) / 1000.0;
          seen = (wall - *sent) / 1000.0;
          g_array_append_val (console->raised_ms, raised);
          g_array_append_val (console->seen_ms, seen);
        }
    }
  console->max_poll_us = MAX (console->max_poll_us, g_get_monotonic_time () - start);

  if (g_atomic_int_get (&console->server->done))
    {
      if (console->settle_until == 0)
        console->settle_until = g_get_monotonic_time () + SETTLE_MS * 1000;
      else if (g_get_monotonic_time () > console->settle_until)
        g_main_loop_quit (console->loop);
    }
  return G_SOURCE_CONTINUE;
}

static void
install_rules (TwSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (session, &error);
  g_autoptr(TwRule) rule = NULL;
  guint seeded = 0;

  g_assert_no_error (error);
  tw_store_seed_rules (store, NULL, &seeded, &error);
  g_assert_no_error (error);
  rule = tw_rule_from_data (BENCH_RULE, -1, &error);
  g_assert_no_error (error);
  tw_store_save_rule (store, rule, "bench", &error);
  g_assert_no_error (error);
  printf ("rules: %u from the default packs + 1 benchmark rule\n", seeded);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  guint index;

  if (values->len == 0)
    return -1;
  g_array_sort (values, compare_double);
  index = (guint) (p * (values->len - 1) + 0.5);
  return g_array_index (values, double, index);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tw-bench-alerts-XXXXXX", &error);
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autoptr(TwPipelineStatus) status = NULL;
  Server server = { 0 };
  Console console = { 0 };
  g_autofree char *url = NULL;
  guint heartbeat, poll;

  setvbuf (stdout, NULL, _IOLBF, 0);
  g_assert_no_error (error);
#ifdef TW_BENCH_UI
  adw_init ();
#endif
  session = tw_session_initialize (dir, "bench", "benchmark password", TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);

  install_rules (session);
  g_mutex_init (&server.mutex);
  server.sent_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  server.context = g_main_context_new ();
  server.loop = g_main_loop_new (server.context, FALSE);
  thread = g_thread_new ("bench-server", server_thread, &server);
  while (url == NULL)
    {
      g_usleep (1000);
      g_mutex_lock (&server.mutex);
      url = g_strdup (server.url);
      g_mutex_unlock (&server.mutex);
    }

  pipeline = tw_pipeline_new (session, &error);
  g_assert_no_error (error);
  tw_pipeline_add_source (pipeline, url, &error);
  g_assert_no_error (error);
  tw_pipeline_start (pipeline);

#ifdef TW_BENCH_UI
  g_autoptr(TwSession) operator_session = NULL;
  GtkWidget *window = gtk_window_new ();
  TwAlertsPage *page = g_object_new (TW_TYPE_ALERTS_PAGE, NULL);

  tw_session_add_user (session, OPERATOR_NAME, TW_ROLE_OPERATOR, OPERATOR_PASSWORD, &error);
  g_assert_no_error (error);
  operator_session = tw_session_login (dir, OPERATOR_NAME, OPERATOR_PASSWORD, &error);
  g_assert_no_error (error);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  tw_alerts_page_start (page, operator_session, pipeline);
  printf ("main loop: GTK with the alert console in a window (GSK_RENDERER=%s)\n",
          g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "default");
#else
  printf ("main loop: GLib only (bench-alerts-ui adds the real console)\n");
#endif
  console.server = &server;
  console.pipeline = pipeline;
  console.loop = g_main_loop_new (NULL, FALSE);
  console.raised_ms = g_array_new (FALSE, FALSE, sizeof (double));
  console.seen_ms = g_array_new (FALSE, FALSE, sizeof (double));
  console.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  heartbeat = g_timeout_add (HEARTBEAT_MS, on_heartbeat, &console);
  poll = g_timeout_add (UI_POLL_MS, on_poll, &console);
  g_main_loop_run (console.loop);
  g_source_remove (heartbeat);
  g_source_remove (poll);

#ifdef TW_BENCH_UI
  printf ("console rows shown at the end: %u\n", tw_alerts_page_get_n_shown (page));
  tw_alerts_page_stop (page);
  gtk_window_destroy (GTK_WINDOW (window));
#endif
  status = tw_pipeline_get_status (pipeline);
  tw_pipeline_stop (pipeline);
  g_main_loop_quit (server.loop);
  g_thread_join (g_steal_pointer (&thread));

  printf ("stream: %" G_GUINT64_FORMAT " messages in %d s (target rate %d/s), %u crossings,"
          " %" G_GUINT64_FORMAT " rows committed in %" G_GUINT64_FORMAT " commits\n",
          server.sent, BENCH_SECONDS, BENCH_RATE, server.crossings, status->rows_committed,
          status->n_commits);
  printf ("alerts measured: %u of %u crossings\n", console.raised_ms->len, server.crossings);
  printf ("event → alert raised:       p50 %6.1f ms   p99 %6.1f ms   max %6.1f ms"
          "   (target p99 ≤ 50 ms)\n",
          percentile (console.raised_ms, 0.50), percentile (console.raised_ms, 0.99),
          percentile (console.raised_ms, 1.0));
  printf ("event → seen by 20 Hz poll: p50 %6.1f ms   p99 %6.1f ms   (includes up to %d ms"
          " of polling)\n",
          percentile (console.seen_ms, 0.50), percentile (console.seen_ms, 0.99), UI_POLL_MS);
  printf ("main loop: longest gap between %d ms heartbeats %.1f ms (target ≤ 16 ms);"
          " longest snapshot poll %.2f ms over %u polls\n", HEARTBEAT_MS,
          console.max_gap_us / 1000.0, console.max_poll_us / 1000.0, console.polls);

  g_array_unref (console.raised_ms);
  g_array_unref (console.seen_ms);
  g_hash_table_unref (console.seen);
  g_main_loop_unref (console.loop);
  g_main_loop_unref (server.loop);
  g_main_context_unref (server.context);
  g_hash_table_unref (server.sent_at);
  g_free (server.url);
  g_mutex_clear (&server.mutex);
  return 0;
}
