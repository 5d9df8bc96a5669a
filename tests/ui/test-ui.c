/* The real window under Xvfb, driven through its widgets: first-run setup,
 * live data from a real tidewatch-feed on loopback, lock, a wrong password,
 * unlock. Screenshots go to $TW_SCREENSHOT_DIR for a person to look at. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/prctl.h>

#include "tw-application.h"
#include "tw-chart-view.h"
#include "tw-connection-indicator.h"
#include "tw-login-page.h"
#include "tw-monitor-page.h"
#include "tw-patient-row.h"
#include "tw-session.h"
#include "tw-setup-page.h"
#include "tw-window.h"

#define ADMIN_NAME         "ana"
#define ADMIN_PASSWORD     "tide pool lantern"
#define WRONG_PASSWORD     "tide pool lanterns"
#define OPERATOR_PASSWORD  "night shift kettle"
#define FEED_PATIENTS      4
#define SIGN_IN_TIMEOUT_S  60
#define FEED_TIMEOUT_S     15
#define DATA_TIMEOUT_S     15
#define ERROR_TIMEOUT_S    30
#define IDLE_SLEEP_US      2000
#define STALL_TICK_MS      5
#define MAX_STALL_MS       250
#define NARROW_WIDTH       480

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

/* Iterates the main loop until @cond holds; on timeout the test fails with
 * what it was waiting for and returns (the fixture's teardown cleans up). */
#define WAIT_FOR(cond, seconds, ...)                                         \
  G_STMT_START                                                               \
  {                                                                          \
    gint64 wait_deadline_ = g_get_monotonic_time ()                          \
                            + (gint64) (seconds) * G_USEC_PER_SEC;           \
    while (!(cond))                                                          \
      {                                                                      \
        if (g_get_monotonic_time () > wait_deadline_)                        \
          {                                                                  \
            g_test_fail_printf ("timed out after %d s waiting for %s",       \
                                (int) (seconds),                             \
                                describe (__VA_ARGS__));                     \
            return;                                                          \
          }                                                                  \
        iterate_once ();                                                     \
      }                                                                      \
  }                                                                          \
  G_STMT_END

static const char *describe (const char *format,
                             ...) G_GNUC_PRINTF (1, 2);

static const char *
describe (const char *format,
          ...)
{
  static char buffer[512];
  va_list args;

  va_start (args, format);
  g_vsnprintf (buffer, sizeof buffer, format, args);
  va_end (args);

  return buffer;
}

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
iterate_once (void)
{
  if (!g_main_context_iteration (NULL, FALSE))
    g_usleep (IDLE_SLEEP_US);
}

static void
iterate_for (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    iterate_once ();
}

static gpointer
child (gpointer    widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  if (object == NULL)
    g_error ("%s has no template child ‘%s’", G_OBJECT_TYPE_NAME (widget), name);

  return object;
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }

  return NULL;
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

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("TW_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL || dir[0] == '\0')
    {
      g_test_message ("TW_SCREENSHOT_DIR is not set: no %s", name);
      return;
    }

  gtk_test_widget_wait_for_draw (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
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
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child_path = g_build_filename (path, name, NULL);

          if (g_file_test (child_path, G_FILE_TEST_IS_DIR)
              && !g_file_test (child_path, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child_path);
          else
            g_unlink (child_path);
        }
    }
  g_rmdir (path);
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
open_window_with_url (Fixture    *fixture,
                      const char *url)
{
  g_autoptr(GError) error = NULL;
  const char *urls[2] = { url, NULL };

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

/* The test */

static gboolean
page_is (Fixture    *fixture,
         const char *name)
{
  return g_strcmp0 (tw_window_get_page_name (fixture->window), name) == 0;
}

static void
test_setup_monitor_lock_unlock (Fixture       *fixture,
                                gconstpointer  data)
{
  TwSetupPage *setup_page;
  TwLoginPage *login_page;
  TwMonitorPage *monitor_page;
  TwChartView *chart;
  TwConnectionIndicator *indicator;
  AdwWindowTitle *title;
  GtkWidget *create_button, *sign_in_button, *user_row, *password_row;
  g_auto(GStrv) lock_accels = NULL;
  TwSettings *settings;
  const char *subtitle;
  guint n_points;
  double max_stall_ms;
  g_autofree char *description = NULL;
  GtkWindow *about;
  AdwLeaflet *leaflet;
  GtkMenuButton *menu_button;

  open_window (fixture);
  setup_page = child (fixture->window, TW_TYPE_WINDOW, "setup_page");
  login_page = child (fixture->window, TW_TYPE_WINDOW, "login_page");
  monitor_page = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");
  chart = child (monitor_page, TW_TYPE_MONITOR_PAGE, "chart_view");
  indicator = child (monitor_page, TW_TYPE_MONITOR_PAGE, "indicator");
  title = child (monitor_page, TW_TYPE_MONITOR_PAGE, "window_title");
  create_button = child (setup_page, TW_TYPE_SETUP_PAGE, "create_button");
  sign_in_button = child (login_page, TW_TYPE_LOGIN_PAGE, "sign_in_button");
  user_row = child (login_page, TW_TYPE_LOGIN_PAGE, "user_row");
  password_row = child (login_page, TW_TYPE_LOGIN_PAGE, "password_row");
  settings = tw_application_get_settings (fixture->app);

  /* 1. A new data directory starts with the first-run assistant. */
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "setup");

  set_text (child (setup_page, TW_TYPE_SETUP_PAGE, "name_row"), ADMIN_NAME);
  set_text (child (setup_page, TW_TYPE_SETUP_PAGE, "password_row"), ADMIN_PASSWORD);
  set_text (child (setup_page, TW_TYPE_SETUP_PAGE, "confirm_row"), WRONG_PASSWORD);
  iterate_for (50);
  g_assert_false (gtk_widget_get_sensitive (create_button));
  g_assert_cmpstr (gtk_label_get_text (child (setup_page, TW_TYPE_SETUP_PAGE, "hint_label")),
                   ==, "The passwords do not match");

  set_text (child (setup_page, TW_TYPE_SETUP_PAGE, "confirm_row"), ADMIN_PASSWORD);
  iterate_for (50);
  g_assert_true (gtk_widget_get_sensitive (create_button));
  save_screenshot (GTK_WIDGET (fixture->window), "setup.png");

  gtk_widget_activate (create_button);

  /* 2. Creating the administrator signs them in. */
  WAIT_FOR (page_is (fixture, "monitor"), SIGN_IN_TIMEOUT_S,
            "the monitor page after creating the administrator (page: %s)",
            tw_window_get_page_name (fixture->window));
  g_assert_true (tw_window_is_signed_in (fixture->window));
  subtitle = adw_window_title_get_subtitle (title);
  g_assert_nonnull (strstr (subtitle, ADMIN_NAME));
  g_assert_nonnull (strstr (subtitle, "Administrator"));
  g_assert_cmpstr (get_text (child (setup_page, TW_TYPE_SETUP_PAGE, "password_row")), ==, "");

  /* 3. Patients and live samples arrive from the feed, and the window
   * keeps responding meanwhile. */
  stall_monitor_start (&fixture->stalls);
  WAIT_FOR (tw_monitor_page_get_n_patients (monitor_page) == FEED_PATIENTS, DATA_TIMEOUT_S,
            "%d patients (have %u; connection: %s)", FEED_PATIENTS,
            tw_monitor_page_get_n_patients (monitor_page),
            tw_connection_indicator_get_text (indicator));
  g_assert_nonnull (tw_monitor_page_get_selected_key (monitor_page));
  WAIT_FOR (tw_chart_view_get_n_points (chart) > 0, DATA_TIMEOUT_S,
            "samples in the chart of %s", tw_monitor_page_get_selected_key (monitor_page));
  n_points = tw_chart_view_get_n_points (chart);
  WAIT_FOR (tw_chart_view_get_n_points (chart) > n_points, DATA_TIMEOUT_S,
            "the chart to grow beyond %u points", n_points);
  WAIT_FOR (g_str_has_prefix (tw_connection_indicator_get_text (indicator), "Connected"),
            DATA_TIMEOUT_S, "“Connected” (shows “%s”)",
            tw_connection_indicator_get_text (indicator));
  g_assert_true (g_str_has_suffix (tw_connection_indicator_get_text (indicator), "msg/s"));
  iterate_for (1500);
  max_stall_ms = stall_monitor_stop (&fixture->stalls);
  g_test_message ("longest main loop stall while data arrived: %.1f ms", max_stall_ms);
  g_assert_cmpfloat (max_stall_ms, <, MAX_STALL_MS);
  save_screenshot (GTK_WIDGET (fixture->window), "monitor.png");

  description = tw_chart_view_dup_description (chart);
  g_assert_nonnull (strstr (description, "Heart rate"));
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (chart)));

  /* The primary menu opens (its style items are bound to the settings). */
  menu_button = child (monitor_page, TW_TYPE_MONITOR_PAGE, "menu_button");
  gtk_menu_button_popup (menu_button);
  iterate_for (300);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (gtk_menu_button_get_popover (menu_button))));
  save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (menu_button)), "menu.png");
  gtk_menu_button_popdown (menu_button);
  iterate_for (100);

  /* The shortcuts window comes from the resource bundle; About opens. */
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (fixture->window)));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "about", NULL);
  iterate_for (200);
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  gtk_window_destroy (about);
  iterate_for (50);

  /* A narrow window folds the sidebar; a patient opens the chart and Back
   * returns to the list. */
  leaflet = child (monitor_page, TW_TYPE_MONITOR_PAGE, "leaflet");
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), NARROW_WIDTH, 800);
  WAIT_FOR (adw_leaflet_get_folded (leaflet), 5, "the sidebar to fold in a narrow window");
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "monitor-narrow.png");
  gtk_widget_activate (GTK_WIDGET (gtk_list_box_get_row_at_index (child (monitor_page,
                                                                         TW_TYPE_MONITOR_PAGE,
                                                                         "patient_list"), 1)));
  WAIT_FOR (gtk_widget_get_visible (child (monitor_page, TW_TYPE_MONITOR_PAGE, "back_button")), 5,
            "the back button after opening a patient");
  g_assert_cmpstr (tw_monitor_page_get_selected_key (monitor_page), ==, "P0002");
  iterate_for (1000);
  save_screenshot (GTK_WIDGET (fixture->window), "monitor-narrow-chart.png");
  gtk_widget_activate (child (monitor_page, TW_TYPE_MONITOR_PAGE, "back_button"));
  WAIT_FOR (!gtk_widget_get_visible (child (monitor_page, TW_TYPE_MONITOR_PAGE, "back_button")), 5,
            "the patient list after Back");
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 800);
  WAIT_FOR (!adw_leaflet_get_folded (leaflet), 5, "the sidebar to unfold");

  /* The dark style reaches the chart too. */
  tw_settings_set_style (settings, "dark");
  WAIT_FOR (adw_style_manager_get_dark (adw_style_manager_get_default ()), 5,
            "the dark style");
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "monitor-dark.png");
  tw_settings_set_style (settings, "follow");
  iterate_for (200);

  /* 4. Ctrl+L locks: the login page, nothing of the session left. */
  lock_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app), "app.lock");
  g_assert_true (g_strv_contains ((const char * const *) lock_accels, "<Control>l"));

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "lock", NULL);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "login");
  g_assert_false (tw_window_is_signed_in (fixture->window));
  g_assert_cmpuint (tw_monitor_page_get_n_patients (monitor_page), ==, 0);
  g_assert_cmpuint (tw_chart_view_get_n_points (chart), ==, 0);
  g_assert_cmpstr (get_text (user_row), ==, ADMIN_NAME);
  g_assert_cmpstr (get_text (password_row), ==, "");

  /* A wrong password shows the core's error and stays locked. */
  set_text (password_row, WRONG_PASSWORD);
  iterate_for (20);
  stall_monitor_start (&fixture->stalls);
  gtk_widget_activate (sign_in_button);
  WAIT_FOR (tw_login_page_get_error (login_page) != NULL, ERROR_TIMEOUT_S,
            "an error after a wrong password (page: %s)",
            tw_window_get_page_name (fixture->window));
  max_stall_ms = stall_monitor_stop (&fixture->stalls);
  g_test_message ("longest main loop stall while signing in: %.1f ms", max_stall_ms);
  g_assert_cmpfloat (max_stall_ms, <, MAX_STALL_MS);
  g_assert_cmpstr (tw_login_page_get_error (login_page), ==, "Wrong user name or password");
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "login");
  g_assert_false (tw_window_is_signed_in (fixture->window));
  g_assert_cmpstr (get_text (password_row), ==, "");
  g_assert_false (tw_login_page_get_busy (login_page));
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "login.png");

  /* 5. The right password brings the live view back. */
  set_text (password_row, ADMIN_PASSWORD);
  iterate_for (20);
  g_signal_emit_by_name (password_row, "entry-activated");  /* Enter */
  WAIT_FOR (page_is (fixture, "monitor"), SIGN_IN_TIMEOUT_S,
            "the monitor page after signing in again (error: %s)",
            tw_login_page_get_error (login_page));
  g_assert_cmpstr (get_text (password_row), ==, "");
  WAIT_FOR (tw_chart_view_get_n_points (chart) > 0, DATA_TIMEOUT_S,
            "samples in the chart after unlocking");
  n_points = tw_chart_view_get_n_points (chart);
  WAIT_FOR (tw_chart_view_get_n_points (chart) > n_points, DATA_TIMEOUT_S,
            "the chart to grow beyond %u points after unlocking", n_points);
  iterate_for (1000);
  save_screenshot (GTK_WIDGET (fixture->window), "monitor-after-unlock.png");

  /* Quit stops the pipeline and closes the window. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "quit", NULL);
  WAIT_FOR (fixture->window == NULL, 10, "the window to close on quit");
}

/* Roles: an operator sees the patients, with names, but no trends. */
static void
test_operator_sees_no_trends (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  TwLoginPage *login_page;
  TwMonitorPage *monitor_page;
  GtkStack *content_stack;
  GtkListBox *patient_list;
  GtkListBoxRow *row;
  TwSession *session;
  const char *subtitle;

  session = tw_session_initialize (fixture->data_dir, "root", ADMIN_PASSWORD, TW_KDF_COST_MIN,
                                   &error);
  g_assert_no_error (error);
  tw_session_add_user (session, "otto", TW_ROLE_OPERATOR, OPERATOR_PASSWORD, &error);
  g_assert_no_error (error);
  tw_session_free (session);

  open_window (fixture);
  login_page = child (fixture->window, TW_TYPE_WINDOW, "login_page");
  monitor_page = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");
  content_stack = child (monitor_page, TW_TYPE_MONITOR_PAGE, "content_stack");
  patient_list = child (monitor_page, TW_TYPE_MONITOR_PAGE, "patient_list");

  /* An initialized store starts locked. */
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "login");

  set_text (child (login_page, TW_TYPE_LOGIN_PAGE, "user_row"), "otto");
  set_text (child (login_page, TW_TYPE_LOGIN_PAGE, "password_row"), OPERATOR_PASSWORD);
  iterate_for (20);
  gtk_widget_activate (child (login_page, TW_TYPE_LOGIN_PAGE, "sign_in_button"));
  WAIT_FOR (page_is (fixture, "monitor"), SIGN_IN_TIMEOUT_S,
            "the monitor page for the operator (error: %s)",
            tw_login_page_get_error (login_page));

  subtitle = adw_window_title_get_subtitle (child (monitor_page, TW_TYPE_MONITOR_PAGE,
                                                   "window_title"));
  g_assert_nonnull (strstr (subtitle, "otto"));
  g_assert_nonnull (strstr (subtitle, "Operator"));

  WAIT_FOR (tw_monitor_page_get_n_patients (monitor_page) == FEED_PATIENTS, DATA_TIMEOUT_S,
            "%d patients for the operator (have %u)", FEED_PATIENTS,
            tw_monitor_page_get_n_patients (monitor_page));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content_stack), ==, "denied");

  /* Operators may see who lies in which bed: a name, not the pseudonym. */
  row = gtk_list_box_get_row_at_index (patient_list, 0);
  g_assert_nonnull (row);
  g_assert_cmpstr (tw_patient_get_display_name (tw_patient_row_get_patient (TW_PATIENT_ROW (row))),
                   !=, tw_patient_get_key (tw_patient_row_get_patient (TW_PATIENT_ROW (row))));

  iterate_for (1000);
  g_assert_cmpuint (tw_chart_view_get_n_points (child (monitor_page, TW_TYPE_MONITOR_PAGE,
                                                       "chart_view")), ==, 0);
  save_screenshot (GTK_WIDGET (fixture->window), "monitor-operator.png");
}

/* A source that cannot be reached: the window says so instead of waiting
 * silently. */
static void
test_unreachable_source (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  TwSetupPage *setup_page;
  TwMonitorPage *monitor_page;
  TwConnectionIndicator *indicator;
  AdwStatusPage *waiting_page;
  GtkStack *content_stack;
  const char *tooltip;
  guint16 port;

  /* A port that was free a moment ago and has nobody listening now. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("ws://127.0.0.1:%u/", port);

  open_window_with_url (fixture, url);
  setup_page = child (fixture->window, TW_TYPE_WINDOW, "setup_page");
  monitor_page = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");
  indicator = child (monitor_page, TW_TYPE_MONITOR_PAGE, "indicator");
  waiting_page = child (monitor_page, TW_TYPE_MONITOR_PAGE, "waiting_page");
  content_stack = child (monitor_page, TW_TYPE_MONITOR_PAGE, "content_stack");

  set_text (child (setup_page, TW_TYPE_SETUP_PAGE, "name_row"), ADMIN_NAME);
  set_text (child (setup_page, TW_TYPE_SETUP_PAGE, "password_row"), ADMIN_PASSWORD);
  set_text (child (setup_page, TW_TYPE_SETUP_PAGE, "confirm_row"), ADMIN_PASSWORD);
  iterate_for (20);
  g_signal_emit_by_name (child (setup_page, TW_TYPE_SETUP_PAGE, "confirm_row"), "entry-activated");
  WAIT_FOR (page_is (fixture, "monitor"), SIGN_IN_TIMEOUT_S, "the monitor page");

  WAIT_FOR (g_strcmp0 (tw_connection_indicator_get_text (indicator), "Reconnecting…") == 0,
            DATA_TIMEOUT_S, "“Reconnecting…” (shows “%s”)",
            tw_connection_indicator_get_text (indicator));
  tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (indicator));
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, url));
  g_assert_nonnull (strstr (tooltip, "Last error"));

  g_assert_cmpstr (gtk_stack_get_visible_child_name (content_stack), ==, "waiting");
  WAIT_FOR (g_str_has_prefix (adw_status_page_get_description (waiting_page), "Cannot reach"), 5,
            "the waiting page to say the source cannot be reached (says “%s”)",
            adw_status_page_get_description (waiting_page));
  g_assert_nonnull (strstr (adw_status_page_get_description (waiting_page), url));
  g_test_message ("waiting page: %s", adw_status_page_get_description (waiting_page));
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "monitor-unreachable.png");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  application = tw_application_new ();

  g_test_add ("/ui/setup-monitor-lock-unlock", Fixture, NULL,
              fixture_setup, test_setup_monitor_lock_unlock, fixture_teardown);
  g_test_add ("/ui/operator-sees-no-trends", Fixture, NULL,
              fixture_setup, test_operator_sees_no_trends, fixture_teardown);
  g_test_add ("/ui/unreachable-source", Fixture, NULL,
              fixture_setup, test_unreachable_source, fixture_teardown);

  status = g_test_run ();
  g_clear_object (&application);

  return status;
}
