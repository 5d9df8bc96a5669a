#pragma once

/* The window fixture of the UI tests that run the app against a live
 * tidewatch-feed: the fixture itself (a data directory, the feed, the
 * window), starting the feed, opening the window, and a monitor of main
 * loop stalls. Included by test-ui.c and test-ui-lock.c after their
 * constants (FEED_PATIENTS, FEED_TIMEOUT_S, STALL_TICK_MS). */

#include <signal.h>
#include <sys/prctl.h>

#include "tw-application.h"
#include "tw-window.h"
#include "tw-ui-test.h"

#if !defined (FEED_PATIENTS) || !defined (FEED_TIMEOUT_S) || !defined (STALL_TICK_MS)
#error "define FEED_PATIENTS, FEED_TIMEOUT_S and STALL_TICK_MS before including tw-ui-window.h"
#endif

/* Measures the longest the main loop went without running a 5 ms timer:
 * SQL, Argon2id or a network wait on the main thread would show here. A
 * frame drawn in software takes some tens of ms, so the bound is loose. */
typedef struct
{
  gint64 last;
  gint64 max_gap;
  guint  source;
} StallMonitor;

/* One application per process, as in the real program: a registered
 * GApplication stays exported on the session bus until it is finalized. */
static TwApplication *application;

typedef struct
{
  GSubprocess   *feed;
  GCancellable  *drain_cancellable;
  char          *feed_url;
  char          *data_dir;
  TwApplication *app;
  TwWindow      *window;
  StallMonitor   stalls;
} Fixture;

static gboolean
stall_tick_cb (gpointer user_data)
{
  StallMonitor *monitor = user_data;
  gint64 now = g_get_monotonic_time ();

  monitor->max_gap = MAX (monitor->max_gap, now - monitor->last);
  monitor->last = now;

  return G_SOURCE_CONTINUE;
}

static void
stall_monitor_start (StallMonitor *monitor)
{
  monitor->last = g_get_monotonic_time ();
  monitor->max_gap = 0;
  monitor->source = g_timeout_add (STALL_TICK_MS, stall_tick_cb, monitor);
}

static double
stall_monitor_stop (StallMonitor *monitor)
{
  g_clear_handle_id (&monitor->source, g_source_remove);

  return monitor->max_gap / 1000.0;
}

static void
set_text (gpointer    editable,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
}

static const char *
get_text (gpointer editable)
{
  return gtk_editable_get_text (GTK_EDITABLE (editable));
}

/* The feed */

static void
drain_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, NULL);

  /* Keep reading so a chatty feed never blocks on a full pipe. */
  if (bytes != NULL && g_bytes_get_size (bytes) > 0)
    g_input_stream_read_bytes_async (G_INPUT_STREAM (object), 4096, G_PRIORITY_DEFAULT,
                                     user_data, drain_cb, user_data);
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **line = user_data;
  g_autoptr(GError) error = NULL;

  *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                     NULL, &error);
  if (*line == NULL)
    *line = g_strdup_printf ("(end of output: %s)", error != NULL ? error->message : "EOF");
}

/* The feed dies with the test, even when an assertion aborts it: a feed
 * left running would keep meson waiting on its output until the timeout. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
start_feed (Fixture *fixture)
{
  const char *feed = g_getenv ("TW_FEED");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) stdout_stream = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + FEED_TIMEOUT_S * G_USEC_PER_SEC;

  g_assert_nonnull (feed);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fixture->feed = g_subprocess_launcher_spawn (launcher, &error,
                                               feed, "--port", "0",
                                               "--patients", G_STRINGIFY (FEED_PATIENTS),
                                               "--rate", "5", "--seed", "3", NULL);
  g_assert_no_error (error);

  stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->feed));
  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *line = NULL;
      const char *url;

      g_data_input_stream_read_line_async (stdout_stream, G_PRIORITY_DEFAULT, NULL,
                                           read_line_cb, &line);
      while (line == NULL && g_get_monotonic_time () < deadline)
        iterate_once ();
      if (line == NULL)
        break;

      g_test_message ("feed: %s", line);
      url = strstr (line, "listening on ");
      if (url != NULL)
        {
          fixture->drain_cancellable = g_cancellable_new ();
          g_input_stream_read_bytes_async (G_INPUT_STREAM (stdout_stream), 4096,
                                           G_PRIORITY_DEFAULT, fixture->drain_cancellable,
                                           drain_cb, fixture->drain_cancellable);
          return g_strstrip (g_strdup (url + strlen ("listening on ")));
        }
      if (g_str_has_prefix (line, "(end of output"))
        break;
    }

  return NULL;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->data_dir = g_dir_make_tmp ("tidewatch-ui-XXXXXX", &error);
  g_assert_no_error (error);

  fixture->feed_url = start_feed (fixture);
  if (fixture->feed_url == NULL)
    g_error ("tidewatch-feed did not print ‘listening on ws://…’ within %d s", FEED_TIMEOUT_S);
  g_test_message ("feed at %s, data in %s", fixture->feed_url, fixture->data_dir);
}

/* The application as `tidewatch --data-dir DIR --connect URL --kdf-cost min`
 * would set it up, and its window. */
static void
open_window_with_urls (Fixture           *fixture,
                       const char * const *urls)
{
  g_autoptr(GError) error = NULL;

  fixture->app = application;
  tw_application_set_data_dir (fixture->app, fixture->data_dir);
  tw_application_set_connect_urls (fixture->app, urls);
  tw_application_set_kdf_cost (fixture->app, TW_KDF_COST_MIN);
  if (!g_application_get_is_registered (G_APPLICATION (fixture->app)))
    g_application_register (G_APPLICATION (fixture->app), NULL, &error);
  g_assert_no_error (error);

  fixture->window = tw_window_new (fixture->app);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (fixture->window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
}

static void
open_window_with_url (Fixture    *fixture,
                      const char *url)
{
  const char *urls[2] = { url, NULL };

  open_window_with_urls (fixture, urls);
}

static void
open_window (Fixture *fixture)
{
  open_window_with_url (fixture, fixture->feed_url);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  stall_monitor_stop (&fixture->stalls);
  if (fixture->window != NULL && g_test_failed ())
    save_screenshot (GTK_WIDGET (fixture->window), "last-failure.png");
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  iterate_for (100);
  g_assert_null (fixture->window);
  fixture->app = NULL;

  if (fixture->drain_cancellable != NULL)
    g_cancellable_cancel (fixture->drain_cancellable);
  if (fixture->feed != NULL)
    {
      g_subprocess_force_exit (fixture->feed);
      g_subprocess_wait (fixture->feed, NULL, NULL);
    }
  iterate_for (50);
  g_clear_object (&fixture->drain_cancellable);
  g_clear_object (&fixture->feed);

  remove_tree (fixture->data_dir);
  g_clear_pointer (&fixture->data_dir, g_free);
  g_clear_pointer (&fixture->feed_url, g_free);
}
static gboolean
page_is (Fixture    *fixture,
         const char *name)
{
  return g_strcmp0 (tw_window_get_page_name (fixture->window), name) == 0;
}
