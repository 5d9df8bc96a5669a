#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "tw-lockout.h"
#include "tw-mllp.h"
#include "tw-pipeline.h"
#include "tw-session.h"
#include "tw-spool.h"
#include "tw-store-clinical.h"
#include "tw-store-private.h"
#include "tw-test-store.h"
#include "tw-time.h"

/* Proof for issue 6: patient data that went through a real pipeline (an
 * HL7 sender on MLLP, an admission with name, MRN, a diagnosis and an
 * allergy, then vitals), part of it while the pipeline was detached (so
 * the spool holds it), never appears in plain bytes — UTF-8, UTF-16LE or
 * UTF-16BE — in any file the program writes: the database, its WAL and
 * SHM, the key file, the spool, the sign-in log, or any file in TMPDIR and
 * SQLITE_TMPDIR (pointed at a directory of the test's own), nor in a
 * deleted file the process still holds open. Positive controls: the
 * store API gives every marker back, and the scan finds a marker planted
 * in clear text. */

#define PASSWORD  "leak files password"
#define WAIT_US   (20 * TW_USEC_PER_SEC)
#define POLL_US   (20 * 1000)
#define SOCKET_TIMEOUT_S 15
#define N_VITALS  5

/* Two patients: the first arrives while attached, the second while the
 * pipeline is detached (spooled). Each marker is unusual enough not to
 * occur by chance. */
typedef struct
{
  const char *key;
  const char *family;
  const char *given;
  const char *mrn;
  const char *diagnosis;
  const char *allergy;
  const char *bed;   /* PV1-3 ward^room^bed */
} Patient;

static const Patient attached_patient = {
  "P-LEAK-1", "Vexmarchzq", "Quillonia", "MRN8Z7Q4K9X",
  "Thornback anaphylactoid Zyrqualosis", "Pollenquistine", "ICU^12^B",
};
static const Patient detached_patient = {
  "P-LEAK-2", "Xanthorpevy", "Marigoldine", "MRN3W5J2P6T",
  "Brimblecombe fibrotic Quazzleitis", "Snarkwortamine", "ICU^14^A",
};

typedef struct
{
  char      *base;        /* everything of this test; TMPDIR is base/tmp */
  char      *data_dir;
  char      *tmp_dir;
  TwSession *session;
} Fixture;

static Fixture fixture;

/* ---- finding markers ---------------------------------------------------- */

typedef struct
{
  GPtrArray *needles;     /* GBytes*: each marker as UTF-8, UTF-16LE, UTF-16BE */
  GPtrArray *labels;      /* char* */
  GPtrArray *hits;        /* char*: "file: marker (encoding)" */
  GPtrArray *scanned;     /* char*: base names of the files read */
} Scan;

static void
add_needle (Scan       *scan,
            const char *marker)
{
  glong n = 0;
  g_autofree gunichar2 *utf16 = g_utf8_to_utf16 (marker, -1, NULL, &n, NULL);
  g_autofree guint8 *le = g_malloc (n * 2);
  g_autofree guint8 *be = g_malloc (n * 2);

  for (glong i = 0; i < n; i++)
    {
      le[2 * i] = utf16[i] & 0xff;
      le[2 * i + 1] = utf16[i] >> 8;
      be[2 * i] = utf16[i] >> 8;
      be[2 * i + 1] = utf16[i] & 0xff;
    }
  g_ptr_array_add (scan->needles, g_bytes_new (marker, strlen (marker)));
  g_ptr_array_add (scan->labels, g_strdup_printf ("%s (UTF-8)", marker));
  g_ptr_array_add (scan->needles, g_bytes_new (le, n * 2));
  g_ptr_array_add (scan->labels, g_strdup_printf ("%s (UTF-16LE)", marker));
  g_ptr_array_add (scan->needles, g_bytes_new (be, n * 2));
  g_ptr_array_add (scan->labels, g_strdup_printf ("%s (UTF-16BE)", marker));
}

static void
add_patient_needles (Scan          *scan,
                     const Patient *p)
{
  add_needle (scan, p->family);
  add_needle (scan, p->given);
  add_needle (scan, p->mrn);
  add_needle (scan, p->diagnosis);
  add_needle (scan, p->allergy);
}

static Scan *
scan_new (void)
{
  Scan *scan = g_new0 (Scan, 1);

  scan->needles = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  scan->labels = g_ptr_array_new_with_free_func (g_free);
  scan->hits = g_ptr_array_new_with_free_func (g_free);
  scan->scanned = g_ptr_array_new_with_free_func (g_free);
  add_patient_needles (scan, &attached_patient);
  add_patient_needles (scan, &detached_patient);
  return scan;
}

static void
scan_free (Scan *scan)
{
  g_ptr_array_unref (scan->needles);
  g_ptr_array_unref (scan->labels);
  g_ptr_array_unref (scan->hits);
  g_ptr_array_unref (scan->scanned);
  g_free (scan);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Scan, scan_free)

static gboolean
contains (const guint8 *data,
          gsize         len,
          const guint8 *needle,
          gsize         n)
{
  for (const guint8 *p = data; n <= len && p <= data + len - n; p++)
    {
      p = memchr (p, needle[0], (gsize) (data + len - n + 1 - p));
      if (p == NULL)
        return FALSE;
      if (memcmp (p, needle, n) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
scan_bytes (Scan         *scan,
            const char   *name,
            const guint8 *data,
            gsize         len)
{
  for (guint i = 0; i < scan->needles->len; i++)
    {
      gsize n = 0;
      const guint8 *needle = g_bytes_get_data (g_ptr_array_index (scan->needles, i), &n);

      if (contains (data, len, needle, n))
        g_ptr_array_add (scan->hits, g_strdup_printf ("%s: %s", name,
                                                      (char *) g_ptr_array_index (scan->labels,
                                                                                  i)));
    }
}

static void
scan_file (Scan       *scan,
           const char *path,
           const char *name)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  /* A file being replaced may vanish between listing and reading. */
  if (!g_file_get_contents (path, &data, &len, NULL))
    return;
  g_ptr_array_add (scan->scanned, g_strdup (name));
  scan_bytes (scan, name, (const guint8 *) data, len);
}

static void
scan_tree (Scan       *scan,
           const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        scan_tree (scan, path);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        scan_file (scan, path, name);
    }
}

/* Files this process has open, deleted ones included: SQLite unlinks its
 * temporary files as soon as it creates them. */
static void
scan_open_files (Scan *scan)
{
  g_autoptr(GDir) fds = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  while (fds != NULL && (name = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *link = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (target == NULL || !g_str_has_prefix (target, "/") || g_str_has_prefix (target, "/dev/")
          || g_str_has_prefix (target, "/proc/"))
        continue;
      if (g_file_test (link, G_FILE_TEST_IS_REGULAR))
        scan_file (scan, link, target);
    }
}

static gboolean
scanned (Scan       *scan,
         const char *name)
{
  for (guint i = 0; i < scan->scanned->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (scan->scanned, i), name))
      return TRUE;
  return FALSE;
}

/* Scans the data directory, TMPDIR and the open files; fails the test on a
 * hit. @expected: names that must have been among the files read. */
static void
assert_no_marker_in_files (const char         *label,
                           const char * const *expected)
{
  g_autoptr(Scan) scan = scan_new ();
  g_autofree char *list = NULL;

  scan_tree (scan, fixture.data_dir);
  scan_tree (scan, fixture.tmp_dir);
  scan_open_files (scan);
  g_ptr_array_add (scan->scanned, NULL);
  list = g_strjoinv (", ", (char **) scan->scanned->pdata);
  g_ptr_array_remove_index (scan->scanned, scan->scanned->len - 1);
  g_test_message ("%s: %u files read (%s), %u hits", label, scan->scanned->len, list,
                  scan->hits->len);
  for (guint i = 0; i < scan->hits->len; i++)
    g_test_message ("  marker in plain bytes: %s", (char *) g_ptr_array_index (scan->hits, i));
  g_assert_cmpuint (scan->hits->len, ==, 0);
  for (guint i = 0; expected != NULL && expected[i] != NULL; i++)
    if (!scanned (scan, expected[i]))
      g_error ("%s: %s was expected among the files read (%s)", label, expected[i], list);
}

/* ---- the HL7 sender ----------------------------------------------------- */

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
      GSocketConnection *connection = g_socket_client_connect_to_host (client, "127.0.0.1", port,
                                                                       NULL, NULL);

      if (connection != NULL)
        {
          g_socket_set_timeout (g_socket_connection_get_socket (connection), SOCKET_TIMEOUT_S);
          return connection;
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (POLL_US);
    }
}

/* Sends @message and returns MSA-1 of the ACK (after the commit, or after
 * the spool's fsync while detached). */
static char *
send_message (GSocketConnection *connection,
              const char        *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) framed = g_string_new (NULL);
  g_autoptr(GString) reply = g_string_new (NULL);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  const char *msa;
  char buf[1024];

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

static char *
hl7_time (gint64 us)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (us / TW_USEC_PER_SEC);

  return g_date_time_format (when, "%Y%m%d%H%M%S+0000");
}

/* An admission with the patient's identity, a diagnosis and an allergy,
 * then N_VITALS heart rates; every message must be acknowledged AA. */
static void
send_patient (GSocketConnection *sender,
              const Patient     *p)
{
  gint64 now = tw_time_now ();
  g_autofree char *ts = hl7_time (now - TW_USEC_PER_MIN);
  g_autofree char *admission = NULL;
  g_autofree char *code = NULL;

  admission = g_strdup_printf (
    "MSH|^~\\&|ADT|H|TW|H|%s||ADT^A01^ADT_A01|ADM-%s|P|2.6\r"
    "EVN|A01|%s\r"
    "PID|1||%s^^^HOSP^PI~%s^^^HOSP^MR||%s^%s||19600101|F\r"
    "PV1|1|I|%s\r"
    "DG1|1|I10|J18.9^%s^I10||20261119|A\r"
    "AL1|1|DA|Z88.0^%s^I10|SV|Rash|20010101\r",
    ts, p->key, ts, p->key, p->mrn, p->family, p->given, p->bed, p->diagnosis, p->allergy);
  code = send_message (sender, admission);
  g_assert_cmpstr (code, ==, "AA");

  for (guint i = 0; i < N_VITALS; i++)
    {
      g_autofree char *at = hl7_time (now - (N_VITALS - i) * TW_USEC_PER_SEC);
      g_autofree char *oru = g_strdup_printf (
        "MSH|^~\\&|MON|ICU|TW|H|%s||ORU^R01|VIT-%s-%u|P|2.6\r"
        "PID|||%s^^^HOSP^PI~%s^^^HOSP^MR||%s^%s\r"
        "PV1||I|%s\r"
        "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.1.1.1|%u|264864^MDC_DIM_BEAT_PER_MIN^MDC"
        "|||||F|||%s\r", at, p->key, i, p->key, p->mrn, p->family, p->given, p->bed, 70 + i,
        at);
      g_autofree char *ack = send_message (sender, oru);

      g_assert_cmpstr (ack, ==, "AA");
    }
}

/* ---- reading back ------------------------------------------------------- */

static gboolean
is_merged (TwPipeline *pipeline)
{
  g_autoptr(TwPipelineStatus) status = tw_pipeline_get_status (pipeline);
  g_autofree char *spool = g_build_filename (fixture.data_dir, TW_SPOOL_FILENAME, NULL);

  return !status->detached && !status->merging && !g_file_test (spool, G_FILE_TEST_EXISTS);
}

/* Positive control: a clinician's view (a bare connection, not ward
 * scoped) gives every marker back. */
static void
assert_readable (const Patient *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwKey) key = tw_session_dup_key (fixture.session);
  g_autofree char *path = g_build_filename (fixture.data_dir, TW_STORE_FILENAME, NULL);
  g_autoptr(TwStore) store = tw_store_open (path, key, FALSE, &error);
  g_autoptr(TwPatientSummary) summary = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gboolean diagnosis = FALSE, allergy = FALSE;

  g_assert_no_error (error);
  tw_store_set_role (store, TW_ROLE_CLINICIAN);
  summary = tw_store_get_patient (store, p->key, tw_time_now (), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (summary->display_name, p->family));
  g_assert_nonnull (strstr (summary->display_name, p->given));
  g_assert_cmpstr (summary->mrn, ==, p->mrn);
  entries = tw_store_list_clinical (store, p->key, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      TwClinicalEntry *entry = g_ptr_array_index (entries, i);

      diagnosis |= g_strcmp0 (entry->text, p->diagnosis) == 0;
      allergy |= g_strcmp0 (entry->text, p->allergy) == 0;
    }
  g_assert_true (diagnosis);
  g_assert_true (allergy);
}

/* ---- the test ----------------------------------------------------------- */

static void
test_scanner_finds_planted_markers (void)
{
  g_autoptr(Scan) scan = scan_new ();
  g_autofree char *utf16 = NULL;
  glong n = 0;
  g_autofree gunichar2 *units = g_utf8_to_utf16 (detached_patient.allergy, -1, NULL, &n, NULL);

  scan_bytes (scan, "probe", (const guint8 *) "xx Vexmarchzq yy", 16);
  g_assert_cmpuint (scan->hits->len, ==, 1);
  /* Host order is little-endian here: UTF-16LE. */
  scan_bytes (scan, "probe16", (const guint8 *) units, n * 2);
  g_assert_cmpuint (scan->hits->len, ==, 2);
}

static void
test_patient_data_never_in_plain_files (void)
{
  static const char * const while_detached[] = {
    TW_STORE_FILENAME, TW_KEYSLOTS_FILENAME, TW_SPOOL_FILENAME, TW_LOCKOUT_FILENAME, NULL
  };
  static const char * const while_running[] = {
    TW_STORE_FILENAME, TW_STORE_FILENAME "-wal", TW_STORE_FILENAME "-shm", TW_KEYSLOTS_FILENAME,
    TW_LOCKOUT_FILENAME, NULL
  };
  static const char * const after_quit[] = {
    TW_STORE_FILENAME, TW_KEYSLOTS_FILENAME, TW_LOCKOUT_FILENAME, NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(GSocketConnection) sender = NULL;
  g_autoptr(TwKey) key = NULL;
  g_autofree char *url = NULL;
  g_autofree char *spool = g_build_filename (fixture.data_dir, TW_SPOOL_FILENAME, NULL);
  guint port = free_port ();
  gint64 deadline;
  TwSession *wrong;

  /* A failed sign-in first, so the sign-in log exists and is scanned. */
  wrong = tw_session_login (fixture.data_dir, "admin", "not the password at all", &error);
  g_assert_null (wrong);
  g_clear_error (&error);
  fixture.session = tw_session_login (fixture.data_dir, "admin", PASSWORD, &error);
  g_assert_no_error (error);

  url = g_strdup_printf ("mllp-listen://127.0.0.1:%u", port);
  pipeline = tw_pipeline_new (fixture.session, &error);
  g_assert_no_error (error);
  g_assert_true (tw_pipeline_add_source (pipeline, url, &error));
  g_assert_no_error (error);
  tw_pipeline_start (pipeline);
  sender = connect_sender (port);
  send_patient (sender, &attached_patient);

  /* Locked: the pipeline seals what comes into the spool. */
  tw_pipeline_detach_key (pipeline);
  tw_session_lock (fixture.session);
  send_patient (sender, &detached_patient);
  g_assert_true (g_file_test (spool, G_FILE_TEST_EXISTS));
  assert_no_marker_in_files ("locked, spooling", while_detached);

  /* Unlocked: the spool is merged. */
  g_assert_true (tw_session_unlock (fixture.session, PASSWORD, &error));
  g_assert_no_error (error);
  key = tw_session_dup_key (fixture.session);
  tw_pipeline_attach_key (pipeline, key);
  deadline = g_get_monotonic_time () + WAIT_US;
  while (!is_merged (pipeline))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (POLL_US);
    }
  assert_readable (&attached_patient);
  assert_readable (&detached_patient);
  assert_no_marker_in_files ("unlocked, merged, running", while_running);

  /* Quit. */
  g_io_stream_close (G_IO_STREAM (sender), NULL, NULL);
  g_clear_pointer (&pipeline, tw_pipeline_free);
  g_clear_pointer (&fixture.session, tw_session_free);
  assert_no_marker_in_files ("after quit", after_quit);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *outer = g_getenv ("TMPDIR") != NULL ? g_getenv ("TMPDIR") : "/tmp";
  g_autofree char *template = g_build_filename (outer, "tw-leak-files-XXXXXX", NULL);
  TwSession *first;
  int status;

  /* Before anything asks for a temporary directory (GLib and SQLite both
   * read it once): every temporary file of this process lands in ours. */
  fixture.base = g_strdup (g_mkdtemp (template));
  g_assert_nonnull (fixture.base);
  fixture.tmp_dir = g_build_filename (fixture.base, "tmp", NULL);
  fixture.data_dir = g_build_filename (fixture.base, "data", NULL);
  g_assert_cmpint (g_mkdir (fixture.tmp_dir, 0700), ==, 0);
  g_setenv ("TMPDIR", fixture.tmp_dir, TRUE);
  g_setenv ("SQLITE_TMPDIR", fixture.tmp_dir, TRUE);
  g_assert_cmpstr (g_get_tmp_dir (), ==, fixture.tmp_dir);

  g_test_init (&argc, &argv, NULL);
  first = tw_session_initialize (fixture.data_dir, "admin", PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);
  tw_session_free (first);

  g_test_add_func ("/leak-files/scanner", test_scanner_finds_planted_markers);
  g_test_add_func ("/leak-files/pipeline-and-spool", test_patient_data_never_in_plain_files);
  status = g_test_run ();
  tw_test_remove_tree (fixture.base);
  g_free (fixture.base);
  g_free (fixture.tmp_dir);
  g_free (fixture.data_dir);
  return status;
}
