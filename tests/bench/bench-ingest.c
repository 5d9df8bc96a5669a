/* Ingest throughput into the encrypted store, as ratios measured in one run:
 *   bare    prepared INSERTs into samples, 10k-row transactions (the ceiling)
 *   writer  tw_store_write_batch(): series lookup, idempotence, rollups, cursor
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
  return rows / (elapsed / 1e6);
}

static double
bench_e2e (const char *feed)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *count = g_strdup_printf ("%d", E2E_MESSAGES);
  g_autofree char *patients = g_strdup_printf ("%d", E2E_PATIENTS);
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  guint64 stored = 0;
  gint64 start;
  double seconds;

  session = tw_session_initialize (dir, "bench", "benchmark password", TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);
  /* All of it is backlog (a start long ago), so the feed sends as fast as
   * we read: the pipeline is what is measured. */
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, feed, "--port", "0", "--patients", patients, "--rate", "1",
                           "--start", "2026-01-01T00:00:00Z", "--count", count, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_nonnull (line);
  url = g_strdup (strstr (line, "ws://"));

  pipeline = tw_pipeline_new (session, &error);
  tw_pipeline_add_source (pipeline, url, &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  tw_pipeline_start (pipeline);
  for (;;)
    {
      g_autoptr(TwPipelineStatus) status = tw_pipeline_get_status (pipeline);

      if (status->finished)
        {
          stored = ((TwSourceStatus *) status->sources->pdata[0])->stored;
          break;
        }
      g_usleep (5000);
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  tw_pipeline_stop (pipeline);
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);
  printf ("e2e:    %d messages → %" G_GUINT64_FORMAT " samples in %.2f s (%.0f messages/s)\n",
          E2E_MESSAGES, stored, seconds, E2E_MESSAGES / seconds);
  return stored / seconds;
}

int
main (int argc, char **argv)
{
  const char *feed = g_getenv ("TW_FEED");
  double bare, writer, e2e = 0;

  bare = bench_bare ();
  printf ("bare:   %.0f rows/s (prepared INSERT, %d-row transactions, SQLCipher)\n", bare, TX_ROWS);
  writer = bench_writer ();
  printf ("writer: %.0f rows/s (tw_store_write_batch)   ratio to bare %.2f\n", writer,
          writer / bare);
  if (feed != NULL)
    {
      e2e = bench_e2e (feed);
      printf ("e2e:    %.0f rows/s (feed → websocket → pipeline → store)   ratio to bare %.2f\n",
              e2e, e2e / bare);
    }
  else
    {
      printf ("e2e:    skipped (set TW_FEED to the tidewatch-feed binary)\n");
    }
  return 0;
}
