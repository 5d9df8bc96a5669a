#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tw-hl7-codec.h"
#include "tw-mllp.h"
#include "tw-pipeline-private.h"
#include "tw-session.h"
#include "tw-spool.h"
#include "tw-store-private.h"
#include "tw-store-rules.h"
#include "tw-time.h"

/* Monitoring while the screen is locked (issue 6), with a real pipeline
 * and a real source: the test is an HL7 sender on MLLP, talking to the
 * pipeline's mllp-listen:// source over loopback. While detached the
 * pipeline holds no key, seals what arrives into the spool and only then
 * acknowledges it; the rules keep raising alerts, which the lock screen
 * shows by bed without names; at the attach everything is merged. */

#define PASSWORD     "pipeline lock password"
#define MARKER       "Zebramarker"
#define PATIENT      "P0042"
#define BED          "ICU-12-B"
#define NORMAL_HR    72
#define HIGH_HR      150
#define N_BEFORE     6       /* messages while attached */
#define N_LOCKED     8       /* while detached; the last HIGH_N are high */
#define HIGH_N       3
#define N_AFTER      4       /* after the attach */
#define WAIT_US      (20 * TW_USEC_PER_SEC)
#define POLL_US      (20 * 1000)
#define SOCKET_TIMEOUT_S 15
#define MSG_SPACING_US   TW_USEC_PER_SEC
#define STORM_CYCLES     8

static const char rules_pack[] =
  "{\"pack\": \"test\", \"rules\": ["
  " {\"id\": \"hr-high\", \"kind\": \"threshold\", \"metric\": \"hr\","
  "  \"direction\": \"above\", \"limit\": 130, \"priority\": \"high\", \"latching\": true}]}";

typedef struct
{
  char      *dir;
  char      *data_dir;
  char      *spool_path;
  TwSession *session;
} Fixture;

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_remove (path);
    }
  g_rmdir (dir);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autofree char *rules_dir = NULL;
  g_autofree char *pack = NULL;
  guint added = 0;

  f->dir = g_dir_make_tmp ("tw-pipeline-lock-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  f->spool_path = g_build_filename (f->data_dir, TW_SPOOL_FILENAME, NULL);
  f->session = tw_session_initialize (f->data_dir, "admin", PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);

  rules_dir = g_build_filename (f->dir, "rules", NULL);
  g_assert_cmpint (g_mkdir (rules_dir, 0700), ==, 0);
  pack = g_build_filename (rules_dir, "test.json", NULL);
  g_assert_true (g_file_set_contents (pack, rules_pack, -1, &error));
  store = tw_session_open_store (f->session, &error);
  g_assert_no_error (error);
  g_assert_true (tw_store_seed_rules (store, rules_dir, &added, &error));
  g_assert_cmpuint (added, ==, 1);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->session, tw_session_free);
  remove_tree (f->dir);
  g_free (f->spool_path);
  g_free (f->data_dir);
  g_free (f->dir);
}

static gint64
count_rows (Fixture    *f,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (f->session, &error);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_no_error (error);
  stmt = tw_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
count_samples (Fixture *f)
{
  return count_rows (f, "SELECT count(*) FROM samples");
}

/* ---- the HL7 sender ---------------------------------------------------- */

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static GSocketConnection *
connect_sender (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  /* The listener starts on the ingest thread: retry until it is up. */
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GSocketConnection *connection = g_socket_client_connect_to_host (client, "127.0.0.1", port,
                                                                       NULL, &error);

      if (connection != NULL)
        {
          g_socket_set_timeout (g_socket_connection_get_socket (connection), SOCKET_TIMEOUT_S);
          return connection;
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (POLL_US);
    }
}

/* Sends ORU^R01 number @n (one heart rate of @hr at a time of its own)
 * and returns the ACK's MSA-1 once it came back. */
static char *
send_message (GSocketConnection *connection,
              guint              n,
              int                hr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) framed = g_string_new (NULL);
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autofree char *message = NULL;
  g_autofree char *ts = NULL;
  GDateTime *when;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  const char *msa;
  char buf[1024];

  /* Recent (the rules' lateness) and distinct per message. */
  when = g_date_time_new_from_unix_utc (
    (tw_time_now () - (N_BEFORE + N_LOCKED + N_AFTER + 5 - n) * MSG_SPACING_US) / TW_USEC_PER_SEC);
  ts = g_date_time_format (when, "%Y%m%d%H%M%S+0000");
  g_date_time_unref (when);
  message = g_strdup_printf ("MSH|^~\\&|MON|ICU|TW|H|%s||ORU^R01|LOCK-%u|P|2.6\r"
                             "PID|||" PATIENT "^^^HOSP^MR||" MARKER "^Ada||19560412|F\r"
                             "PV1||I|ICU^12^B\r"
                             "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.1.1.1|%d|"
                             "264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||%s\r",
                             ts, n, hr, ts);
  tw_mllp_append_frame (framed, message, strlen (message));
  g_assert_true (g_output_stream_write_all (out, framed->str, framed->len, NULL, NULL, &error));
  g_assert_no_error (error);

  while (strstr (reply->str, "\x1c\r") == NULL)
    {
      gssize got = g_input_stream_read (in, buf, sizeof buf, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (got, >, 0);
      g_string_append_len (reply, buf, got);
    }
  msa = strstr (reply->str, "MSA|");
  g_assert_nonnull (msa);
  return g_strndup (msa + 4, 2);
}

static void
send_and_expect_ack (GSocketConnection *connection,
                     guint              n,
                     int                hr)
{
  g_autofree char *code = send_message (connection, n, hr);

  g_assert_cmpstr (code, ==, "AA");
}

/* ---- waiting ----------------------------------------------------------- */

typedef gboolean (*Check) (TwPipeline *pipeline,
                           gpointer    data);

static void
wait_for (TwPipeline *pipeline,
          Check       check,
          gpointer    data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  while (!check (pipeline, data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (POLL_US);
    }
}

static gboolean
has_locked_alert (TwPipeline *pipeline,
                  gpointer    data)
{
  g_autoptr(GPtrArray) beds = tw_pipeline_get_locked_alerts (pipeline);

  return beds->len > 0;
}

static gboolean
merged (TwPipeline *pipeline,
        gpointer    data)
{
  Fixture *f = data;
  g_autoptr(TwPipelineStatus) status = tw_pipeline_get_status (pipeline);

  return !status->detached && !status->merging && !g_file_test (f->spool_path,
                                                                G_FILE_TEST_EXISTS);
}

static gboolean
rows_committed (TwPipeline *pipeline,
                gpointer    data)
{
  g_autoptr(TwPipelineStatus) status = tw_pipeline_get_status (pipeline);

  return status->n_commits > 0;
}

static gboolean
file_has (const char *path,
          const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0, n = strlen (needle);

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  for (gsize i = 0; n <= len && i <= len - n; i++)
    if (memcmp (contents + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
test_lock_mid_stream (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(GSocketConnection) sender = NULL;
  g_autoptr(GPtrArray) beds = NULL;
  g_autoptr(TwPipelineStatus) status = NULL;
  g_autoptr(TwKey) key = NULL;
  g_autofree char *url = NULL;
  guint port = free_port ();
  guint n = 0;
  const TwLockedAlert *bed;

  url = g_strdup_printf ("mllp-listen://127.0.0.1:%u", port);
  pipeline = tw_pipeline_new (f->session, &error);
  g_assert_no_error (error);
  g_assert_true (tw_pipeline_add_source (pipeline, url, &error));
  tw_pipeline_start (pipeline);
  sender = connect_sender (port);

  for (guint i = 0; i < N_BEFORE; i++)
    send_and_expect_ack (sender, n++, NORMAL_HR);
  wait_for (pipeline, rows_committed, NULL);
  g_assert_cmpint (count_samples (f), ==, N_BEFORE);
  g_assert_false (tw_pipeline_is_detached (pipeline));

  /* Lock. */
  tw_pipeline_detach_key (pipeline);
  g_assert_true (tw_pipeline_is_detached (pipeline));
  g_assert_null (pipeline->key);
  /* An admin changed rules before the lock: the reload waits for the key
   * (and does not fail). */
  tw_pipeline_reload_rules (pipeline);

  /* Data keeps coming and is acknowledged: safe in the spool. */
  for (guint i = 0; i < N_LOCKED; i++)
    send_and_expect_ack (sender, n++, i >= N_LOCKED - HIGH_N ? HIGH_HR : NORMAL_HR);
  g_assert_true (g_file_test (f->spool_path, G_FILE_TEST_EXISTS));
  status = tw_pipeline_get_status (pipeline);
  g_assert_true (status->detached);
  g_assert_cmpuint (status->spooled, >=, 1);
  g_assert_cmpuint (status->spooled, <=, N_LOCKED);
  g_clear_pointer (&status, tw_pipeline_status_free);
  /* Not in the store yet: the pipeline really held no connection. */
  g_assert_cmpint (count_samples (f), ==, N_BEFORE);
  /* The name went into the spool sealed. */
  g_assert_false (file_has (f->spool_path, MARKER));
  g_assert_false (file_has (f->spool_path, PATIENT));

  /* The rules still run: the lock screen shows the bed, nothing else. */
  wait_for (pipeline, has_locked_alert, NULL);
  beds = tw_pipeline_get_locked_alerts (pipeline);
  g_assert_cmpuint (beds->len, ==, 1);
  bed = g_ptr_array_index (beds, 0);
  g_assert_cmpstr (bed->bed, ==, BED);
  g_assert_cmpint (bed->priority, ==, TW_ALERT_PRIORITY_HIGH);
  g_assert_cmpuint (bed->count, ==, 1);
  g_assert_true (bed->unacknowledged);
  /* A nurse silences the alarm at the lock screen: audited at the attach. */
  tw_pipeline_pause_audio (pipeline, "nurse");

  /* Unlock. */
  key = tw_session_dup_key (f->session);
  tw_pipeline_attach_key (pipeline, key);
  wait_for (pipeline, merged, f);
  g_assert_cmpint (count_samples (f), ==, N_BEFORE + N_LOCKED);

  for (guint i = 0; i < N_AFTER; i++)
    send_and_expect_ack (sender, n++, NORMAL_HR);
  g_io_stream_close (G_IO_STREAM (sender), NULL, NULL);
  tw_pipeline_stop (pipeline);

  /* Everything the source sent, once; the merge is audited; the alert
   * raised while locked was stored at the attach. */
  g_assert_cmpint (count_samples (f), ==, N_BEFORE + N_LOCKED + N_AFTER);
  g_assert_false (g_file_test (f->spool_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM audit WHERE action = 'spool-merged'"),
                   ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM alerts WHERE rule_id = 'hr-high'"),
                   ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM audit WHERE action = 'audio-pause'"
                                  " AND actor = 'nurse'"), ==, 1);
  /* The source's counters include what came in while locked. */
  g_assert_cmpint (count_rows (f, "SELECT received FROM sources"), ==,
                   N_BEFORE + N_LOCKED + N_AFTER);
}

/* The app quit while locked: the next pipeline merges the spool before
 * anything else. */
static void
test_spool_merged_at_start (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (f->session, &error);
  g_autoptr(TwSpool) spool = NULL;
  g_autoptr(TwBatch) batch = tw_batch_new (0);
  guint8 public_key[TW_SPOOL_PUBLIC_BYTES];

  g_assert_no_error (error);
  g_assert_true (tw_store_get_spool_public_key (store, public_key, &error));
  spool = tw_spool_open_append (f->spool_path, public_key, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_LOCKED; i++)
    tw_batch_add_sample (batch, PATIENT, "hr", tw_time_now () - i * MSG_SPACING_US, NORMAL_HR);
  g_assert_true (tw_spool_append (spool, batch, &error));
  g_clear_pointer (&spool, tw_spool_close);
  g_clear_pointer (&store, tw_store_close);

  pipeline = tw_pipeline_new (f->session, &error);
  g_assert_no_error (error);
  tw_pipeline_start (pipeline);
  wait_for (pipeline, merged, f);
  tw_pipeline_stop (pipeline);
  g_assert_cmpint (count_samples (f), ==, N_LOCKED);
}

/* The app quits while locked: what was acknowledged stays in the spool
 * (no key to merge it with) and the next sign-in's pipeline stores it. */
static void
test_quit_while_locked (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(TwPipeline) next = NULL;
  g_autoptr(GSocketConnection) sender = NULL;
  g_autofree char *url = NULL;
  guint port = free_port ();
  guint n = 0;

  url = g_strdup_printf ("mllp-listen://127.0.0.1:%u", port);
  pipeline = tw_pipeline_new (f->session, &error);
  g_assert_no_error (error);
  g_assert_true (tw_pipeline_add_source (pipeline, url, &error));
  tw_pipeline_start (pipeline);
  sender = connect_sender (port);
  send_and_expect_ack (sender, n++, NORMAL_HR);
  tw_pipeline_detach_key (pipeline);
  for (guint i = 0; i < N_LOCKED; i++)
    send_and_expect_ack (sender, n++, NORMAL_HR);
  g_io_stream_close (G_IO_STREAM (sender), NULL, NULL);
  g_clear_pointer (&pipeline, tw_pipeline_free);

  g_assert_true (g_file_test (f->spool_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_samples (f), ==, 1);

  next = tw_pipeline_new (f->session, &error);
  g_assert_no_error (error);
  tw_pipeline_start (next);
  wait_for (next, merged, f);
  tw_pipeline_stop (next);
  g_assert_cmpint (count_samples (f), ==, 1 + N_LOCKED);
  g_assert_cmpint (count_rows (f, "SELECT received FROM sources"), ==, 1 + N_LOCKED);
}

/* Lock and unlock in quick succession (an idle lock right after an
 * unlock, a user switch), with data in between and attaches that have not
 * finished merging: no deadlock, no key held after a detach, nothing lost
 * or stored twice. */
static void
test_lock_unlock_storm (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(GSocketConnection) sender = NULL;
  g_autoptr(TwKey) key = tw_session_dup_key (f->session);
  g_autofree char *url = NULL;
  guint port = free_port ();
  guint n = 0;

  url = g_strdup_printf ("mllp-listen://127.0.0.1:%u", port);
  pipeline = tw_pipeline_new (f->session, &error);
  g_assert_no_error (error);
  g_assert_true (tw_pipeline_add_source (pipeline, url, &error));
  tw_pipeline_start (pipeline);
  sender = connect_sender (port);

  for (guint cycle = 0; cycle < STORM_CYCLES; cycle++)
    {
      tw_pipeline_detach_key (pipeline);
      g_assert_null (pipeline->key);
      send_and_expect_ack (sender, n++, NORMAL_HR);
      /* A withdrawn attach did not reopen the store behind our back. */
      g_assert_true (tw_pipeline_is_detached (pipeline));
      tw_pipeline_attach_key (pipeline, key);
      /* Sometimes straight into the next lock, before the writer even
       * picked up the attach. */
      if (cycle % 2 == 0)
        send_and_expect_ack (sender, n++, NORMAL_HR);
    }
  tw_pipeline_detach_key (pipeline);
  g_assert_null (pipeline->key);
  tw_pipeline_attach_key (pipeline, key);
  wait_for (pipeline, merged, f);
  g_io_stream_close (G_IO_STREAM (sender), NULL, NULL);
  tw_pipeline_stop (pipeline);
  g_assert_cmpint (count_samples (f), ==, n);
  g_assert_cmpint (count_rows (f, "SELECT received FROM sources"), ==, n);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/pipeline-lock/mid-stream", Fixture, NULL, fixture_setup, test_lock_mid_stream,
              fixture_teardown);
  g_test_add ("/pipeline-lock/merged-at-start", Fixture, NULL, fixture_setup,
              test_spool_merged_at_start, fixture_teardown);
  g_test_add ("/pipeline-lock/quit-while-locked", Fixture, NULL, fixture_setup,
              test_quit_while_locked, fixture_teardown);
  g_test_add ("/pipeline-lock/lock-unlock-storm", Fixture, NULL, fixture_setup,
              test_lock_unlock_storm, fixture_teardown);
  return g_test_run ();
}
