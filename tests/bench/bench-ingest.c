/* Ingest throughput into the encrypted store, as ratios measured in one run:
 *   bare    prepared INSERTs into samples, 10k-row transactions (the ceiling)
 *   writer  tw_store_write_batch(): series lookup, idempotence, rollups, cursor
 *   floor   bare plus one 1 s rollup row per sample: what any writer keeping
 *           1 s rollups as rows pays at ~1 Hz, where each sample is a bucket
 *   e2e     tidewatch-feed → websocket → codec → queue → engine → store
 * Prints figures; never fails on a time. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>

#include "tw-pipeline.h"
#include "tw-store-private.h"
#include "tw-time.h"

#define BARE_ROWS        500000
#define TX_ROWS          10000
#define WRITER_MESSAGES  100000
#define METRICS          6
#define E2E_MESSAGES     60000
#define E2E_PATIENTS     20

static char *
temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("tw-bench-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static double
bench_bare (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, "bare.db", NULL);
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwStore) store = tw_store_open (path, key, TRUE, NULL);
  sqlite3_stmt *stmt = tw_store_prepare (store, "INSERT INTO samples (series_id, ts, value)"
                                                " VALUES (?, ?, ?)", NULL);
  gint64 start = g_get_monotonic_time ();

  for (int i = 0; i < BARE_ROWS; i++)
    {
      if (i % TX_ROWS == 0)
        tw_store_exec (store, "BEGIN", NULL);
      sqlite3_bind_int64 (stmt, 1, i % 120);
      sqlite3_bind_int64 (stmt, 2, (gint64) (i / 120) * TW_USEC_PER_SEC);
      sqlite3_bind_double (stmt, 3, 60 + i % 40);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (i % TX_ROWS == TX_ROWS - 1)
        tw_store_exec (store, "COMMIT", NULL);
    }
  sqlite3_finalize (stmt);
  return BARE_ROWS / ((g_get_monotonic_time () - start) / 1e6);
}

/* The bare loop plus the one rollup row a 1 Hz sample costs at 1 s. */
static double
bench_floor (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, "floor.db", NULL);
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwStore) store = tw_store_open (path, key, TRUE, NULL);
  sqlite3_stmt *stmt = tw_store_prepare (store, "INSERT INTO samples (series_id, ts, value)"
                                                " VALUES (?, ?, ?)", NULL);
  sqlite3_stmt *rollup = tw_store_prepare (store, "INSERT INTO rollups VALUES"
                                                  " (?1, 1, ?2, 1, ?3, ?3, ?3, ?3, ?4,"
                                                  " ?3, ?4)", NULL);
  gint64 start = g_get_monotonic_time ();

  for (int i = 0; i < BARE_ROWS; i++)
    {
      gint64 ts = (gint64) (i / 120) * TW_USEC_PER_SEC;

      if (i % TX_ROWS == 0)
        tw_store_exec (store, "BEGIN", NULL);
      sqlite3_bind_int64 (stmt, 1, i % 120);
      sqlite3_bind_int64 (stmt, 2, ts);
      sqlite3_bind_double (stmt, 3, 60 + i % 40);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (rollup, 1, i % 120);
      sqlite3_bind_int64 (rollup, 2, ts / TW_USEC_PER_SEC);
      sqlite3_bind_double (rollup, 3, 60 + i % 40);
      sqlite3_bind_int64 (rollup, 4, ts);
      sqlite3_step (rollup);
      sqlite3_reset (rollup);
      if (i % TX_ROWS == TX_ROWS - 1)
        tw_store_exec (store, "COMMIT", NULL);
    }
  sqlite3_finalize (stmt);
  sqlite3_finalize (rollup);
  return BARE_ROWS / ((g_get_monotonic_time () - start) / 1e6);
}

static void
print_rollup_rows (TwStore *store,
                   gint64   samples)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store,
                                                   "SELECT resolution, count(*) FROM rollups"
                                                   " GROUP BY resolution ORDER BY resolution",
                                                   NULL);

  printf ("        rollup rows for %" G_GINT64_FORMAT " samples:", samples);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    printf ("  %d s: %" G_GINT64_FORMAT, sqlite3_column_int (stmt, 0),
            (gint64) sqlite3_column_int64 (stmt, 1));
  printf ("\n");
}

static double
bench_writer (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, "writer.db", NULL);
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwStore) store = tw_store_open (path, key, TRUE, NULL);
  static const char *metrics[METRICS] = { "hr", "rr", "spo2", "sbp", "dbp", "temp" };
  const int per_batch = TX_ROWS / METRICS;
  gint64 elapsed = 0;
  gint64 rows = 0;

  for (int m = 0; m < WRITER_MESSAGES; m += per_batch)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (0);
      gint64 start;

      for (int i = m; i < m + per_batch; i++)
        {
          char entity[16];

          g_snprintf (entity, sizeof entity, "P%04d", i % E2E_PATIENTS);
          for (int k = 0; k < METRICS; k++)
            tw_batch_add_sample (batch, entity, metrics[k],
                                 (gint64) (i / E2E_PATIENTS) * TW_USEC_PER_SEC, 60 + i % 40);
        }
      start = g_get_monotonic_time ();
      tw_store_begin (store, NULL);
      tw_store_write_batch (store, batch, NULL, NULL);
      tw_store_commit (store, NULL);
      elapsed += g_get_monotonic_time () - start;
      rows += batch->samples->len;
    }
  print_rollup_rows (store, rows);
  return rows / (elapsed / 1e6);
}

typedef enum
{
  PROTOCOL_FILE,
  PROTOCOL_WEBSOCKET,
  PROTOCOL_SSE,
  PROTOCOL_MLLP,
  PROTOCOL_MQTT,
} Protocol;

static const char *protocol_names[] = { "file", "websocket", "sse", "mllp", "mqtt" };

static int
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_socket_bind (socket, any, TRUE, NULL);
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* A mosquitto broker on loopback for the MQTT run; NULL when there is no
 * mosquitto (the MQTT figure is then skipped, the others still run). */
static GSubprocess *
start_broker (const char *dir,
              int         port)
{
  g_autofree char *conf = g_build_filename (dir, "mosquitto.conf", NULL);
  g_autofree char *text = g_strdup_printf ("listener %d 127.0.0.1\nallow_anonymous true\n"
                                           "max_queued_messages 0\n", port);
  g_autofree char *mosquitto = g_find_program_in_path ("mosquitto");
  GSubprocess *proc;

  if (mosquitto == NULL)
    mosquitto = g_strdup ("/usr/sbin/mosquitto");
  if (!g_file_test (mosquitto, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  g_file_set_contents (conf, text, -1, NULL);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           NULL, mosquitto, "-c", conf, NULL);
  g_usleep (300 * 1000);
  return proc;
}

static void
wait_connected (TwPipeline *pipeline)
{
  for (;;)
    {
      g_autoptr(TwPipelineStatus) status = tw_pipeline_get_status (pipeline);

      if (status->sources->len > 0
          && ((TwSourceStatus *) status->sources->pdata[0])->state == TW_SOURCE_STATE_CONNECTED)
        return;
      g_usleep (10 * 1000);
    }
}

static double
bench_e2e (const char *feed,
           Protocol    protocol,
           int         messages)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *count = g_strdup_printf ("%d", messages);
  g_autofree char *patients = g_strdup_printf ("%d", E2E_PATIENTS);
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GSubprocess) broker = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = NULL;
  g_autofree char *line = NULL;
  int mqtt_port = 0;
  guint64 stored = 0;
  gint64 start;
  double seconds;

  session = tw_session_initialize (dir, "bench", "benchmark password", TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);

  for (const char *const *arg = (const char *const[]) { feed, "--port", "0", "--patients",
                                                        patients, "--rate", "1", "--start",
                                                        "2026-01-01T00:00:00Z", "--count",
                                                        count, NULL };
       *arg != NULL; arg++)
    g_ptr_array_add (argv, g_strdup (*arg));
  if (protocol == PROTOCOL_MLLP)
    {
      g_ptr_array_add (argv, g_strdup ("--mllp-port"));
      g_ptr_array_add (argv, g_strdup ("0"));
    }
  if (protocol == PROTOCOL_MQTT)
    {
      mqtt_port = free_port ();
      broker = start_broker (dir, mqtt_port);
      if (broker == NULL)
        {
          printf ("%-10s skipped (no mosquitto)\n", protocol_names[protocol]);
          return 0;
        }
      g_ptr_array_add (argv, g_strdup ("--mqtt"));
      g_ptr_array_add (argv, g_strdup_printf ("mqtt://127.0.0.1:%d/bench", mqtt_port));
    }
  g_ptr_array_add (argv, NULL);

  pipeline = tw_pipeline_new (session, &error);
  g_assert_no_error (error);
  if (protocol == PROTOCOL_MQTT)
    {
      /* A broker queues only for sessions that exist: subscribe first. */
      url = g_strdup_printf ("mqtt://127.0.0.1:%d/?topic=bench/%%23", mqtt_port);
      tw_pipeline_add_source (pipeline, url, &error);
      g_assert_no_error (error);
      tw_pipeline_start (pipeline);
      wait_connected (pipeline);
    }

  if (protocol == PROTOCOL_FILE)
    {
      /* The pipeline without a network: the feed's own messages as NDJSON. */
      g_autofree char *path = g_build_filename (dir, "stream.ndjson", NULL);
      g_autofree char *dump = NULL;

      g_ptr_array_insert (argv, (gint) argv->len - 1, g_strdup ("--dump"));
      g_ptr_array_insert (argv, (gint) argv->len - 1, g_strdup (count));
      proc = g_subprocess_newv ((const char * const *) argv->pdata,
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (proc, NULL, NULL, &dump, NULL, &error);
      g_assert_no_error (error);
      g_file_set_contents (path, dump, -1, &error);
      g_assert_no_error (error);
      g_clear_object (&proc);
      url = g_filename_to_uri (path, NULL, NULL);
    }

  /* All of it is backlog (a start long ago), so the feed sends as fast as
   * we read: the pipeline is what is measured. */
  if (protocol != PROTOCOL_FILE)
    proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                            &error);
  g_assert_no_error (error);
  out = proc != NULL ? g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc)) : NULL;
  while (out != NULL
         && (line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL)) != NULL)
    {
      const char *ws = strstr (line, "ws://");
      const char *mllp = strstr (line, "mllp://");

      if (protocol == PROTOCOL_MQTT && ws != NULL)
        break;
      if (protocol == PROTOCOL_WEBSOCKET && ws != NULL)
        url = g_strdup (ws);
      else if (protocol == PROTOCOL_SSE && ws != NULL)
        url = g_strdup_printf ("http://%sevents", ws + strlen ("ws://"));
      else if (protocol == PROTOCOL_MLLP && mllp != NULL && g_str_has_prefix (line, "serving"))
        url = g_strdup (mllp);
      g_clear_pointer (&line, g_free);
      if (url != NULL)
        break;
    }
  g_assert_nonnull (url);

  start = g_get_monotonic_time ();
  if (protocol != PROTOCOL_MQTT)
    {
      tw_pipeline_add_source (pipeline, url, &error);
      g_assert_no_error (error);
      tw_pipeline_start (pipeline);
    }
  for (;;)
    {
      g_autoptr(TwPipelineStatus) status = tw_pipeline_get_status (pipeline);

      if (status->sources->len == 0)
        {
          g_usleep (5000);
          continue;
        }
      stored = ((TwSourceStatus *) status->sources->pdata[0])->stored;
      /* MQTT has no end for a subscriber: done when every sample is in.
       * A vitals message holds the six vital signs and NEWS2's o2 and
       * acvpu; HL7's ORU only the six (the CGM patients' few glucose
       * readings and history are within a percent of the total). */
      if (status->finished
          || stored >= (guint64) messages * (protocol == PROTOCOL_MLLP ? 6 : 8))
        break;
      g_usleep (5000);
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  tw_pipeline_stop (pipeline);
  if (proc != NULL)
    {
      g_subprocess_send_signal (proc, SIGTERM);
      g_subprocess_wait (proc, NULL, NULL);
    }
  if (broker != NULL)
    {
      g_subprocess_send_signal (broker, SIGTERM);
      g_subprocess_wait (broker, NULL, NULL);
    }
  printf ("%-10s %6d messages → %7" G_GUINT64_FORMAT " samples in %5.2f s: %7.0f messages/s,"
          " %7.0f rows/s", protocol_names[protocol], messages, stored, seconds,
          messages / seconds, stored / seconds);
  return stored / seconds;
}

int
main (int argc, char **argv)
{
  const char *feed = g_getenv ("TW_FEED");
  static const struct { Protocol protocol; int messages; } runs[] = {
    { PROTOCOL_FILE, E2E_MESSAGES },
    { PROTOCOL_WEBSOCKET, E2E_MESSAGES },
    { PROTOCOL_SSE, E2E_MESSAGES },
    { PROTOCOL_MQTT, E2E_MESSAGES },
    /* A sender that waits for each commit's ACK (window 32): fewer. */
    { PROTOCOL_MLLP, E2E_MESSAGES / 6 },
  };
  double bare, writer, floor;

  setvbuf (stdout, NULL, _IOLBF, 0);
  bare = bench_bare ();
  printf ("bare:   %.0f rows/s (prepared INSERT, %d-row transactions, same SQLCipher build)\n",
          bare, TX_ROWS);
  writer = bench_writer ();
  printf ("writer: %.0f rows/s (tw_store_write_batch)   ratio to bare %.2f\n", writer,
          writer / bare);
  floor = bench_floor ();
  printf ("floor:  %.0f rows/s (bare + one 1 s rollup row per sample)   ratio to bare %.2f\n",
          floor, floor / bare);
  if (feed == NULL)
    {
      printf ("end to end: skipped (set TW_FEED to the tidewatch-feed binary)\n");
      return 0;
    }
  printf ("end to end, feed → protocol → pipeline → encrypted store (target ≥ 0.50 of bare);\n"
          "\"file\" replays the feed's messages without a network: the pipeline's own rate\n");
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      double rate = bench_e2e (feed, runs[i].protocol, runs[i].messages);

      if (rate > 0)
        printf ("   ratio to bare %.2f\n", rate / bare);
    }
  return 0;
}
