#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>

#include "tw-pipeline.h"
#include "tw-session.h"
#include "tw-store-clinical.h"
#include "tw-store-private.h"
#include "tw-test-memscan.h"
#include "tw-test-store.h"
#include "tw-time.h"

/* Proof for issue 6: while signed in the database key is in memory (the
 * scan must find it, else the test proves nothing); once everything that
 * held it is closed, no copy is left anywhere in the process: not in
 * SQLCipher's connections, the pipeline's threads, the heap or a stack. */

#define PASSWORD   "memory scan password"
#define WAIT_US    (20 * TW_USEC_PER_SEC)
#define POLL_US    (10 * 1000)
#define N_PATIENTS 5
#define N_SAMPLES  50
#define N_READERS  3
#define STACK_FRAME_BYTES 256
#define STACK_DEPTH       32

typedef struct
{
  char            *dir;
  char            *data_dir;
  char            *stream_url;
  TwSession       *session;
  TwMemscanNeedle  needle;
} Fixture;

/* NDJSON with identities and vitals: the pipeline runs its three threads,
 * decodes, evaluates and commits. */
static char *
write_stream (const char *dir)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "stream.jsonl", NULL);
  gint64 start = tw_time_now () - TW_USEC_PER_HOUR;
  guint seq = 1;

  for (guint p = 0; p < N_PATIENTS; p++)
    g_string_append_printf (text, "{\"v\":1,\"type\":\"patient\",\"id\":\"P%u\",\"name\":"
                            "\"Patient %u\",\"mrn\":\"MRN-%u\",\"bed\":\"B%u\",\"group\":"
                            "\"ICU\"}\n", p, p, p, p);
  for (guint i = 0; i < N_SAMPLES; i++)
    for (guint p = 0; p < N_PATIENTS; p++)
      {
        g_autofree char *ts = tw_time_format_iso8601 (start + i * TW_USEC_PER_SEC);

        g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":%u,\"ts\":\"%s\","
                                "\"patient\":\"P%u\",\"hr\":%u}\n", seq++, ts, p, 60 + i % 40);
      }
  g_assert_true (g_file_set_contents (path, text->str, -1, &error));
  g_assert_no_error (error);
  return g_filename_to_uri (path, NULL, NULL);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwKey) key = NULL;
  TwSession *first;

  f->dir = g_dir_make_tmp ("tw-leak-memory-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  f->stream_url = write_stream (f->dir);
  first = tw_session_initialize (f->data_dir, "admin", PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);
  tw_session_free (first);

  /* As the app does: the key comes out of the key slot. */
  f->session = tw_session_login (f->data_dir, "admin", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->session);

  /* The needle is masked at once and this copy wiped by tw_key_free(). */
  key = tw_session_dup_key (f->session);
  tw_memscan_needle_init (&f->needle, tw_key_get_bytes (key));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->session, tw_session_free);
  tw_test_remove_tree (f->dir);
  g_free (f->stream_url);
  g_free (f->data_dir);
  g_free (f->dir);
}

/* Scans this process; @label says when. Returns the result (clear it). */
static TwMemscanResult
scan (Fixture    *f,
      const char *label)
{
  TwMemscanResult result;

  g_assert_true (tw_memscan_pid (0, &f->needle, &result));
  g_test_message ("%s: %u cop%s of the key (%u raw, %u hex, %u HEX) in %" G_GUINT64_FORMAT
                  " MiB scanned%s\n%s", label, result.hits, result.hits == 1 ? "y" : "ies",
                  result.hits_by_form[TW_MEMSCAN_RAW], result.hits_by_form[TW_MEMSCAN_HEX_LOWER],
                  result.hits_by_form[TW_MEMSCAN_HEX_UPPER], result.bytes_scanned >> 20,
                  result.hits > 0 ? ":" : "", result.where->str);
  return result;
}

static void
assert_no_copy (Fixture    *f,
                const char *label)
{
  TwMemscanResult result = scan (f, label);

  if (result.hits > 0)
    g_error ("%s: %u copies of the database key are still in memory:\n%s", label,
             result.hits, result.where->str);
  tw_memscan_result_clear (&result);
}

static TwPipeline *
start_pipeline (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  TwPipeline *pipeline = tw_pipeline_new (f->session, &error);
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  g_assert_no_error (error);
  g_assert_true (tw_pipeline_add_source (pipeline, f->stream_url, &error));
  g_assert_no_error (error);
  tw_pipeline_start (pipeline);
  for (;;)
    {
      g_autoptr(TwPipelineStatus) status = tw_pipeline_get_status (pipeline);

      g_assert_null (status->storage_error);
      if (status->finished && status->rows_committed > 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (POLL_US);
    }
  return pipeline;
}

/* Readers as the app's pages keep them: each has read patient rows. */
static void
open_readers (Fixture  *f,
              TwStore **readers)
{
  for (guint i = 0; i < N_READERS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) patients = NULL;

      readers[i] = tw_session_open_store (f->session, &error);
      g_assert_no_error (error);
      patients = tw_store_list_patients (readers[i], NULL, FALSE, tw_time_now (), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (patients->len, ==, N_PATIENTS);
    }
}

static void
close_readers (TwStore **readers)
{
  for (guint i = 0; i < N_READERS; i++)
    g_clear_pointer (&readers[i], tw_store_close);
}

/* Quit: pipeline stopped, connections closed, session freed. */
static void
test_quit_leaves_no_copy (Fixture       *f,
                          gconstpointer  data)
{
  TwStore *readers[N_READERS] = { NULL };
  g_autoptr(TwPipeline) pipeline = start_pipeline (f);
  TwMemscanResult live;

  open_readers (f, readers);
  live = scan (f, "signed in, ingesting, readers open");
  /* Positive control: the scanner sees the copies that must be there
   * (the session's, the pipeline's, SQLCipher's in every connection). */
  g_assert_cmpuint (live.hits_by_form[TW_MEMSCAN_RAW], >=, 2);
  tw_memscan_result_clear (&live);

  g_clear_pointer (&pipeline, tw_pipeline_free);
  close_readers (readers);
  g_clear_pointer (&f->session, tw_session_free);
  assert_no_copy (f, "after quit");
}

/* What locking relies on: closed connections and a stopped pipeline
 * leave only the session's own copy (in sodium memory), nothing in
 * SQLCipher's freed codec memory, the heap or a worker's stack. */
static void
test_closed_connections_leave_only_the_session_copy (Fixture       *f,
                                                     gconstpointer  data)
{
  TwStore *readers[N_READERS] = { NULL };
  g_autoptr(TwPipeline) pipeline = start_pipeline (f);
  TwMemscanResult result;

  open_readers (f, readers);
  result = scan (f, "ingesting, readers open");
  g_assert_cmpuint (result.hits, >, 1);
  tw_memscan_result_clear (&result);

  g_clear_pointer (&pipeline, tw_pipeline_free);
  close_readers (readers);
  result = scan (f, "pipeline stopped, readers closed");
  g_assert_cmpuint (result.hits, ==, 1);
  g_assert_cmpuint (result.hits_by_form[TW_MEMSCAN_RAW], ==, 1);
  tw_memscan_result_clear (&result);
}

/* The app's lock: the pipeline detaches (keeps running without a key),
 * readers close, the session locks: no copy anywhere, the pipeline's
 * threads included. Unlock attaches again; quit leaves none. */
static void
test_pipeline_lock_unlock_quit (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  TwStore *readers[N_READERS] = { NULL };
  g_autoptr(TwPipeline) pipeline = start_pipeline (f);
  g_autoptr(TwKey) key = NULL;
  TwMemscanResult result;

  open_readers (f, readers);
  result = scan (f, "ingesting, readers open");
  g_assert_cmpuint (result.hits_by_form[TW_MEMSCAN_RAW], >=, 2);
  tw_memscan_result_clear (&result);

  tw_pipeline_detach_key (pipeline);
  g_assert_true (tw_pipeline_is_detached (pipeline));
  close_readers (readers);
  tw_session_lock (f->session);
  assert_no_copy (f, "locked, pipeline detached and running");

  g_assert_true (tw_session_unlock (f->session, PASSWORD, &error));
  g_assert_no_error (error);
  key = tw_session_dup_key (f->session);
  tw_pipeline_attach_key (pipeline, key);
  g_clear_pointer (&key, tw_key_free);
  open_readers (f, readers);
  result = scan (f, "unlocked, attached, readers open");
  g_assert_cmpuint (result.hits_by_form[TW_MEMSCAN_RAW], >=, 2);
  tw_memscan_result_clear (&result);

  g_clear_pointer (&pipeline, tw_pipeline_free);
  close_readers (readers);
  g_clear_pointer (&f->session, tw_session_free);
  assert_no_copy (f, "quit");
}

/* Lock without a pipeline (twctl-like, or the app before a source runs):
 * readers closed and the session locked leave no copy; unlocking brings
 * the key back (the scan sees it again); quitting leaves none. */
static void
test_lock_unlock_quit (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  TwStore *readers[N_READERS] = { NULL };
  TwMemscanResult result;
  g_autoptr(TwPipeline) filler = start_pipeline (f);

  /* Patients in the store for the readers, then no pipeline. */
  g_clear_pointer (&filler, tw_pipeline_free);
  open_readers (f, readers);
  result = scan (f, "signed in, readers open");
  g_assert_cmpuint (result.hits, >, 1);
  tw_memscan_result_clear (&result);

  close_readers (readers);
  tw_session_lock (f->session);
  g_assert_true (tw_session_is_locked (f->session));
  assert_no_copy (f, "locked");

  g_assert_true (tw_session_unlock (f->session, PASSWORD, &error));
  g_assert_no_error (error);
  open_readers (f, readers);
  result = scan (f, "unlocked, readers open again");
  g_assert_cmpuint (result.hits, >, 1);
  tw_memscan_result_clear (&result);

  close_readers (readers);
  tw_session_lock (f->session);
  assert_no_copy (f, "locked again");
  g_clear_pointer (&f->session, tw_session_free);
  assert_no_copy (f, "quit while locked");
}

/* Signing in opens the store once (to check the user) and closes it:
 * only the session's copy stays, none in freed memory. */
static void
test_sign_in_leaves_only_the_session_copy (Fixture       *f,
                                           gconstpointer  data)
{
  TwMemscanResult result = scan (f, "signed in");

  g_assert_cmpuint (result.hits, ==, 1);
  g_assert_cmpuint (result.hits_by_form[TW_MEMSCAN_RAW], ==, 1);
  tw_memscan_result_clear (&result);
}

/* A worker that unwrapped a key in a function that has returned: the
 * copy is left in that dead frame unless the function wiped it, while
 * the worker goes on (here: waits) higher up its stack. */
typedef struct
{
  GMutex       mutex;
  GCond        cond;
  const TwKey *key;
  gboolean     wipe;
  gboolean     copied;
  gboolean     done;
} StackHolder;

static G_GNUC_NO_INLINE void
use_key_in_a_frame (const TwKey *key,
                    gboolean     wipe,
                    guint        depth)
{
  /* Deep enough that the worker's later calls (locks, futex waits) do
   * not happen to overwrite the dead frame. */
  volatile guint8 frame[STACK_FRAME_BYTES];

  if (depth > 0)
    {
      frame[0] = (guint8) depth;
      use_key_in_a_frame (key, wipe, depth - 1);
      frame[1] = frame[0];
      return;
    }
  for (guint i = 0; i < TW_KEY_BYTES; i++)
    frame[i] = tw_key_get_bytes (key)[i];
  if (wipe)
    sodium_memzero ((void *) frame, sizeof frame);
}

static gpointer
hold_on_stack (gpointer data)
{
  StackHolder *holder = data;

  use_key_in_a_frame (holder->key, holder->wipe, STACK_DEPTH);
  g_mutex_lock (&holder->mutex);
  holder->copied = TRUE;
  g_cond_signal (&holder->cond);
  while (!holder->done)
    g_cond_wait (&holder->cond, &holder->mutex);
  g_mutex_unlock (&holder->mutex);
  return NULL;
}

/* Raw copies found while a worker that used the key (wiping it or not)
 * waits. */
static guint
raw_copies_with_worker (Fixture  *f,
                        gboolean  wipe)
{
  StackHolder holder = { 0 };
  TwKey *key = tw_session_dup_key (f->session);
  TwMemscanResult result;
  GThread *thread;
  guint raw;

  g_mutex_init (&holder.mutex);
  g_cond_init (&holder.cond);
  holder.key = key;
  holder.wipe = wipe;
  thread = g_thread_new ("stack-holder", hold_on_stack, &holder);
  g_mutex_lock (&holder.mutex);
  while (!holder.copied)
    g_cond_wait (&holder.cond, &holder.mutex);
  g_mutex_unlock (&holder.mutex);
  tw_key_free (key);

  result = scan (f, wipe ? "a worker used the key and wiped its frame"
                         : "a worker used the key and left its frame as it was");
  raw = result.hits_by_form[TW_MEMSCAN_RAW];
  tw_memscan_result_clear (&result);

  g_mutex_lock (&holder.mutex);
  holder.done = TRUE;
  g_cond_signal (&holder.cond);
  g_mutex_unlock (&holder.mutex);
  g_thread_join (thread);
  g_mutex_clear (&holder.mutex);
  g_cond_clear (&holder.cond);
  return raw;
}

/* Positive control for stack residue: the scan reads worker threads'
 * stacks and finds a key left in a returned frame; a wiped frame leaves
 * only the session's copy. */
static void
test_scan_reads_thread_stacks (Fixture       *f,
                               gconstpointer  data)
{
  g_assert_cmpuint (raw_copies_with_worker (f, FALSE), ==, 2);
  g_assert_cmpuint (raw_copies_with_worker (f, TRUE), ==, 1);
}

/* The scanner works on another process too (a forked child holds what we
 * held at the fork) and does not count its own buffer. */
static void
test_scan_other_process (Fixture       *f,
                         gconstpointer  data)
{
  TwMemscanResult result;
  int status = 0;
  pid_t child = fork ();

  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  g_assert_true (tw_memscan_pid (child, &f->needle, &result));
  g_test_message ("child %d: %u copies\n%s", child, result.hits, result.where->str);
  g_assert_cmpuint (result.hits_by_form[TW_MEMSCAN_RAW], ==, 1);
  tw_memscan_result_clear (&result);
  kill (child, SIGKILL);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);

  /* Scanning twice finds the same: the scan leaves nothing behind. */
  result = scan (f, "first scan");
  g_assert_cmpuint (result.hits, ==, 1);
  tw_memscan_result_clear (&result);
  result = scan (f, "second scan");
  g_assert_cmpuint (result.hits, ==, 1);
  tw_memscan_result_clear (&result);
}

/* The test environment makes malloc fill freed memory (MALLOC_PERTURB_,
 * MALLOC_CHECK_) and GLib zero it (G_DEBUG=gc-friendly): that would wipe
 * exactly the leftovers this test looks for. Run as users do. */
static void
reexec_with_plain_malloc (char **argv)
{
  const char *debug = g_getenv ("G_DEBUG");

  if (g_getenv ("MALLOC_PERTURB_") == NULL && g_getenv ("MALLOC_CHECK_") == NULL
      && (debug == NULL || strstr (debug, "gc-friendly") == NULL))
    return;
  g_unsetenv ("MALLOC_PERTURB_");
  g_unsetenv ("MALLOC_CHECK_");
  g_setenv ("G_DEBUG", "fatal-warnings", TRUE);
  execv ("/proc/self/exe", argv);
  g_error ("could not run again without MALLOC_PERTURB_: %s", g_strerror (errno));
}

int
main (int    argc,
      char **argv)
{
  reexec_with_plain_malloc (argv);
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/leak-memory/sign-in", test_sign_in_leaves_only_the_session_copy);
  ADD ("/leak-memory/quit", test_quit_leaves_no_copy);
  ADD ("/leak-memory/lock-unlock-quit", test_lock_unlock_quit);
  ADD ("/leak-memory/pipeline-lock-unlock-quit", test_pipeline_lock_unlock_quit);
  ADD ("/leak-memory/closed-connections", test_closed_connections_leave_only_the_session_copy);
  ADD ("/leak-memory/other-process", test_scan_other_process);
  ADD ("/leak-memory/thread-stack", test_scan_reads_thread_stacks);
#undef ADD
  return g_test_run ();
}
