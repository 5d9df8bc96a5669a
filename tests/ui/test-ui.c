/* The real window under Xvfb, driven through its widgets: first-run setup,
 * live data from a real tidewatch-feed on loopback, lock, a wrong password,
 * unlock, the ward overview, the alert console and the rule editor.
 * Screenshots go to $TW_SCREENSHOT_DIR for a person to look at. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/prctl.h>

#include "tw-admin-format.h"
#include "tw-admin-page.h"
#include "tw-alert-banner.h"
#include "tw-alert-notifier.h"
#include "tw-alerts-page.h"
#include "tw-application.h"
#include "tw-chart-view.h"
#include "tw-connection-indicator.h"
#include "tw-lock-page.h"
#include "tw-login-page.h"
#include "tw-monitor-page.h"
#include "tw-patient-row.h"
#include "tw-quarantine-page.h"
#include "tw-rules-page.h"
#include "tw-session.h"
#include "tw-setup-page.h"
#include "tw-source-dialog.h"
#include "tw-source-list-row.h"
#include "tw-sources-page.h"
#include "tw-store-alerts.h"
#include "tw-store-private.h"
#include "tw-store-rules.h"
#include "tw-ward-page.h"
#include "tw-ward-tile.h"
#include "tw-window.h"
#include "tw-ui-test.h"

#define ADMIN_NAME         "ana"
#define ADMIN_PASSWORD     "tide pool lantern"
#define WRONG_PASSWORD     "tide pool lanterns"
#define OPERATOR_PASSWORD  "night shift kettle"
#define FEED_PATIENTS      4
#define SIGN_IN_TIMEOUT_S  60
#define FEED_TIMEOUT_S     15
#define DATA_TIMEOUT_S     15
#define ERROR_TIMEOUT_S    30
#define STALL_TICK_MS      5
#define MAX_STALL_MS       250
#define NARROW_WIDTH       480
#define ADMIN_TIMEOUT_S    20
#define PROBE_TIMEOUT_S    15
#define REPLAY_NAME        "Ward 4 replay"
#define REPLAY_VITALS      5
#define REPLAY_VALUES      (REPLAY_VITALS * 2)
#define REPLAY_START_S     (10 * 60)
#define REPLAY_REJECTS     2
#define EXPORT_MODE        0600
#define GATEWAY_NAME       "Bedside gateway"
/* Port 1 on loopback: nobody listens, so the source keeps reconnecting. */
#define GATEWAY_ADDRESS    "ws://127.0.0.1:1/"
#define GATEWAY_URL        "ws://nurse:tide%3Apool@127.0.0.1:1/"
#define GATEWAY_PASSWORD   "tide%3Apool"
#define NEW_PASSWORD       "harbour"

/* The fixture: tests/ui/tw-ui-window.h (needs the constants above). */
#include "tw-ui-window.h"


/* The test */

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

/* Ctrl+L locks (monitoring goes on, see test-ui-lock.c); Switch User on
 * the lock page, once the pipeline has let go of its key, leads to the
 * login page for another user. */
static void
lock_and_switch_user (Fixture *fixture)
{
  GtkWidget *lock_page = child (fixture->window, TW_TYPE_WINDOW, "lock_page");
  GtkWidget *switch_button = child (lock_page, TW_TYPE_LOCK_PAGE, "switch_button");

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "lock", NULL);
  WAIT_FOR (g_strcmp0 (tw_window_get_page_name (fixture->window), "lock") == 0, 10, "the lock");
  WAIT_FOR (gtk_widget_is_sensitive (switch_button), 10, "Switch User to become available");
  gtk_widget_activate (switch_button);
  WAIT_FOR (g_strcmp0 (tw_window_get_page_name (fixture->window), "login") == 0, 10,
            "the login page after Switch User");
}

/* Roles that browse trends land on the ward overview; Ctrl+1 (the
 * win.show-monitor action) goes on to the monitor these tests drive. */
static void
monitor_after_landing (Fixture *fixture)
{
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "ward");
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-monitor", NULL);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "monitor");
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
  GtkListBoxRow *second_row;
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

  /* 2. Creating the administrator signs them in, at the ward overview. */
  WAIT_FOR (page_is (fixture, "ward"), SIGN_IN_TIMEOUT_S,
            "the ward overview after creating the administrator (page: %s)",
            tw_window_get_page_name (fixture->window));
  g_assert_true (tw_window_is_signed_in (fixture->window));
  monitor_after_landing (fixture);
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
  second_row = gtk_list_box_get_row_at_index (child (monitor_page, TW_TYPE_MONITOR_PAGE,
                                                     "patient_list"), 1);
  gtk_widget_activate (GTK_WIDGET (second_row));
  WAIT_FOR (gtk_widget_get_visible (child (monitor_page, TW_TYPE_MONITOR_PAGE, "back_button")), 5,
            "the back button after opening a patient");
  /* The list is by bed, and the feed's beds are in two wards: the second
   * row is whoever lies in the second bed. */
  g_assert_cmpstr (tw_monitor_page_get_selected_key (monitor_page), ==,
                   tw_patient_get_key (tw_patient_row_get_patient (TW_PATIENT_ROW (second_row))));
  g_assert_cmpstr (tw_monitor_page_get_selected_key (monitor_page), !=,
                   tw_patient_get_key (tw_patient_row_get_patient (
                     TW_PATIENT_ROW (gtk_list_box_get_row_at_index (child (monitor_page,
                                                                           TW_TYPE_MONITOR_PAGE,
                                                                           "patient_list"), 0)))));
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

  /* 4. Ctrl+L locks: nothing of the session left on screen; Switch User
   * leads to the login page (the lock page itself: test-ui-lock.c). */
  lock_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app), "app.lock");
  g_assert_true (g_strv_contains ((const char * const *) lock_accels, "<Control>l"));

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "lock", NULL);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "lock");
  g_assert_false (tw_window_is_signed_in (fixture->window));
  g_assert_cmpuint (tw_monitor_page_get_n_patients (monitor_page), ==, 0);
  g_assert_cmpuint (tw_chart_view_get_n_points (chart), ==, 0);
  lock_and_switch_user (fixture);
  g_assert_cmpstr (get_text (user_row), ==, "");
  g_assert_cmpstr (get_text (password_row), ==, "");
  set_text (user_row, ADMIN_NAME);

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
  g_assert_true (g_str_has_prefix (tw_login_page_get_error (login_page), "Wrong user name or password"));
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
  WAIT_FOR (page_is (fixture, "ward"), SIGN_IN_TIMEOUT_S,
            "the ward overview after signing in again (error: %s)",
            tw_login_page_get_error (login_page));
  monitor_after_landing (fixture);
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

  /* Sources and quarantine are the administrator's: no button, no
   * shortcut, no menu item. */
  g_assert_false (gtk_widget_get_visible (child (monitor_page, TW_TYPE_MONITOR_PAGE,
                                                 "admin_button")));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                     "show-sources"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                     "show-quarantine"));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-sources", NULL);
  iterate_for (50);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "monitor");

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
  WAIT_FOR (page_is (fixture, "ward"), SIGN_IN_TIMEOUT_S, "the ward overview");
  monitor_after_landing (fixture);

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

/* Administration */

/* Raw messages are shown as received: bytes that are not UTF-8 and control
 * characters become visible escapes, long messages are cut. */
static void
test_raw_message_format (void)
{
  static const guint8 mixed[] = "ab\xff\x0b\r\nc\xc3\xa9\xc2\x85\xe2\x82";
  g_autofree guint8 *big = g_malloc (2 * TW_RAW_PREVIEW_MAX_BYTES);
  g_autofree char *text = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *redacted = NULL;
  gboolean truncated = TRUE;

  text = tw_format_raw_message (mixed, sizeof mixed - 1, TW_RAW_PREVIEW_MAX_BYTES, &truncated);
  g_assert_cmpstr (text, ==, "ab\\xFF\\x0B\nc\u00e9\\xC2\\x85\\xE2\\x82");
  g_assert_false (truncated);

  memset (big, 'a', 2 * TW_RAW_PREVIEW_MAX_BYTES);
  cut = tw_format_raw_message (big, 2 * TW_RAW_PREVIEW_MAX_BYTES, TW_RAW_PREVIEW_MAX_BYTES,
                               &truncated);
  g_assert_cmpuint (strlen (cut), ==, TW_RAW_PREVIEW_MAX_BYTES);
  g_assert_true (truncated);

  redacted = tw_redact_message ("Cannot reach mqtt://nurse:s3cret@broker:1883/ward: refused",
                                "mqtt://nurse:s3cret@broker:1883/ward");
  g_assert_null (strstr (redacted, "s3cret"));
  g_assert_nonnull (strstr (redacted, "nurse:***@broker"));
}

/* A native JSON replay file: a patient, REPLAY_VITALS vitals with two
 * values each, and two lines that must land in quarantine: one cut short,
 * one with bytes that are not UTF-8. */
static char *
write_replay_file (Fixture *fixture)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  char *path = g_build_filename (fixture->data_dir, "ward4.ndjson", NULL);

  g_string_append (text, "{\"v\":1,\"type\":\"patient\",\"id\":\"W0001\",\"mrn\":\"MRN-4401\","
                         "\"name\":\"Ines Replay\",\"bed\":\"W4-01\"}\n");
  for (int i = 0; i < REPLAY_VITALS; i++)
    {
      g_autoptr(GDateTime) when = g_date_time_add_seconds (now, i - REPLAY_START_S);
      g_autofree char *ts = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S.000000Z");

      g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":%d,\"ts\":\"%s\","
                                    "\"patient\":\"W0001\",\"hr\":%d,\"spo2\":%d}\n",
                              i + 1, ts, 70 + i, 97);
    }
  g_string_append (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":6,\"ts\":\"2026-11-23T07:10:0\n");
  g_string_append (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":7,\"patient\":\"W\xff\xfe\"}\n");

  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);

  return path;
}

static TwSourceDialog *
open_source_dialog (TwSourcesPage *page)
{
  TwSourceDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (page), "sources.add", NULL);
  iterate_for (200);
  dialog = TW_SOURCE_DIALOG (find_toplevel (TW_TYPE_SOURCE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpint (tw_source_dialog_get_source_id (dialog), ==, 0);

  return dialog;
}

static const char *
row_state (TwSourcesPage *page,
           const char    *name)
{
  TwSourceListRow *row = tw_sources_page_find_row (page, name);

  return row != NULL ? tw_source_list_row_get_state_text (row) : "(no row)";
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, needle) != NULL;
}

/* The address of source @name as stored, read with a session of our own. */
static char *
stored_url (Fixture    *fixture,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = tw_session_login (fixture->data_dir, ADMIN_NAME, ADMIN_PASSWORD,
                                                   &error);
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  g_assert_no_error (error);
  store = tw_session_open_store (session, &error);
  g_assert_no_error (error);
  rows = tw_store_list_sources (store, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < rows->len; i++)
    {
      const TwSourceRow *row = g_ptr_array_index (rows, i);

      if (g_str_equal (row->name, name))
        return g_strdup (row->url);
    }

  return NULL;
}

/* Whether any setting holds @needle: secrets belong in the store only. */
static gboolean
settings_mention (const char *needle)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_auto(GStrv) keys = NULL;

  schema = source != NULL ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
  g_assert_nonnull (schema);
  settings = g_settings_new_full (schema, NULL, NULL);
  keys = g_settings_schema_list_keys (schema);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      if (strstr (text, needle) != NULL)
        return TRUE;
    }

  return FALSE;
}

static TwSourceDialog *
open_edit_dialog (TwSourcesPage *page,
                  const char    *name)
{
  TwSourceListRow *row = tw_sources_page_find_row (page, name);
  TwSourceDialog *dialog;

  g_assert_nonnull (row);
  gtk_widget_activate_action (GTK_WIDGET (page), "sources.edit", "x",
                              tw_source_list_row_get_source_id (row));
  iterate_for (200);
  dialog = TW_SOURCE_DIALOG (find_toplevel (TW_TYPE_SOURCE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpint (tw_source_dialog_get_source_id (dialog), ==,
                   tw_source_list_row_get_source_id (row));

  return dialog;
}

static void
confirm_removal (TwSourcesPage *page,
                 const char    *name,
                 const char    *screenshot)
{
  TwSourceListRow *row = tw_sources_page_find_row (page, name);
  GtkWindow *confirm;

  g_assert_nonnull (row);
  gtk_widget_activate_action (GTK_WIDGET (page), "sources.remove", "x",
                              tw_source_list_row_get_source_id (row));
  iterate_for (200);
  confirm = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (confirm);
  if (screenshot != NULL)
    save_screenshot (GTK_WIDGET (confirm), screenshot);
  /* What the Remove button does: respond, then close. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "remove");
  gtk_window_close (confirm);
  iterate_for (50);
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

static void
test_admin_sources_quarantine (Fixture       *fixture,
                               gconstpointer  data)
{
  TwSetupPage *setup_page;
  TwMonitorPage *monitor_page;
  TwAdminPage *admin_page;
  TwSourcesPage *sources_page;
  TwQuarantinePage *quarantine_page;
  TwSourceDialog *dialog;
  TwSourceListRow *row;
  g_autofree char *replay_path = NULL;
  g_autofree char *export_path = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *feed_name = NULL;
  g_auto(GStrv) accels = NULL;
  GStatBuf stat_buf;
  const char *error_text;
  gint64 replay_id;

  open_window (fixture);
  setup_page = child (fixture->window, TW_TYPE_WINDOW, "setup_page");
  monitor_page = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");
  admin_page = child (fixture->window, TW_TYPE_WINDOW, "admin_page");
  sources_page = child (admin_page, TW_TYPE_ADMIN_PAGE, "sources_page");
  quarantine_page = child (admin_page, TW_TYPE_ADMIN_PAGE, "quarantine_page");

  set_text (child (setup_page, TW_TYPE_SETUP_PAGE, "name_row"), ADMIN_NAME);
  set_text (child (setup_page, TW_TYPE_SETUP_PAGE, "password_row"), ADMIN_PASSWORD);
  set_text (child (setup_page, TW_TYPE_SETUP_PAGE, "confirm_row"), ADMIN_PASSWORD);
  iterate_for (20);
  g_signal_emit_by_name (child (setup_page, TW_TYPE_SETUP_PAGE, "confirm_row"), "entry-activated");
  WAIT_FOR (page_is (fixture, "ward"), SIGN_IN_TIMEOUT_S, "the ward overview");
  monitor_after_landing (fixture);

  /* 1. Administrators reach the sources from the header bar and Ctrl+2. */
  g_assert_true (gtk_widget_get_visible (child (monitor_page, TW_TYPE_MONITOR_PAGE,
                                                "admin_button")));
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app),
                                                  "win.show-sources");
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>2"));
  gtk_widget_activate (child (monitor_page, TW_TYPE_MONITOR_PAGE, "admin_button"));
  WAIT_FOR (page_is (fixture, "admin"), 5, "the administration page");
  g_assert_cmpstr (tw_admin_page_get_view (admin_page), ==, "sources");

  /* The --connect feed was stored at sign-in and shows with its figures. */
  WAIT_FOR (tw_sources_page_get_n_sources (sources_page) == 1, ADMIN_TIMEOUT_S,
            "the feed in the source list (have %u)", tw_sources_page_get_n_sources (sources_page));
  feed_name = g_strdup (fixture->feed_url);
  WAIT_FOR (g_strcmp0 (row_state (sources_page, feed_name), "Connected") == 0, ADMIN_TIMEOUT_S,
            "the feed to show “Connected” (shows “%s”)", row_state (sources_page, feed_name));

  /* 2. An address Tidewatch cannot read is refused inline; nothing saved. */
  dialog = open_source_dialog (sources_page);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  set_text (child (dialog, TW_TYPE_SOURCE_DIALOG, "name_row"), "Gopher");
  set_text (child (dialog, TW_TYPE_SOURCE_DIALOG, "url_row"), "gopher://example.org/vitals");
  iterate_for (50);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "source.save", NULL);
  iterate_for (200);
  error_text = tw_source_dialog_get_error (dialog);
  g_assert_nonnull (error_text);
  g_test_message ("inline error: %s", error_text);
  g_assert_nonnull (strstr (error_text, "gopher://example.org/vitals"));
  g_assert_true (gtk_widget_has_css_class (child (dialog, TW_TYPE_SOURCE_DIALOG, "url_row"),
                                           "error"));
  g_assert_nonnull (dialog);
  g_assert_cmpuint (tw_sources_page_get_n_sources (sources_page), ==, 1);
  save_screenshot (GTK_WIDGET (dialog), "source-dialog-error.png");

  /* 3. A replay file: the test finds it and what would be quarantined. */
  replay_path = write_replay_file (fixture);
  set_text (child (dialog, TW_TYPE_SOURCE_DIALOG, "name_row"), REPLAY_NAME);
  set_text (child (dialog, TW_TYPE_SOURCE_DIALOG, "url_row"), replay_path);
  iterate_for (50);
  g_assert_null (tw_source_dialog_get_error (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "source.test", NULL);
  WAIT_FOR (tw_source_dialog_get_test_result (dialog) != NULL, PROBE_TIMEOUT_S,
            "the test of %s to finish", replay_path);
  g_test_message ("test result: %s", tw_source_dialog_get_test_result (dialog));
  g_assert_true (g_str_has_prefix (tw_source_dialog_get_test_result (dialog), "Reachable"));
  g_assert_nonnull (strstr (tw_source_dialog_get_test_result (dialog), "quarantine"));
  iterate_for (200);
  save_screenshot (GTK_WIDGET (dialog), "source-dialog.png");

  /* Saving closes the dialog, the source appears, and the restarted
   * pipeline replays the file: values stored, the bad line quarantined. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "source.save", NULL);
  WAIT_FOR (dialog == NULL, ADMIN_TIMEOUT_S, "the dialog to close after saving");
  WAIT_FOR (tw_sources_page_find_row (sources_page, REPLAY_NAME) != NULL, ADMIN_TIMEOUT_S,
            "the replay source in the list");
  row = tw_sources_page_find_row (sources_page, REPLAY_NAME);
  replay_id = tw_source_list_row_get_source_id (row);
  g_assert_cmpuint (tw_sources_page_get_n_sources (sources_page), ==, 2);
  WAIT_FOR (tw_source_list_row_get_stored (row) == REPLAY_VALUES
            && tw_source_list_row_get_quarantined (row) == REPLAY_REJECTS, ADMIN_TIMEOUT_S,
            "%d values stored and %d quarantined (have %" G_GUINT64_FORMAT " and %"
            G_GUINT64_FORMAT ", state %s)", REPLAY_VALUES, REPLAY_REJECTS,
            tw_source_list_row_get_stored (row),
            tw_source_list_row_get_quarantined (row), tw_source_list_row_get_state_text (row));
  WAIT_FOR (g_strcmp0 (row_state (sources_page, REPLAY_NAME), "Finished") == 0, ADMIN_TIMEOUT_S,
            "the replay to finish (shows “%s”)", row_state (sources_page, REPLAY_NAME));
  /* The restart kept the feed running. */
  WAIT_FOR (g_strcmp0 (row_state (sources_page, feed_name), "Connected") == 0, ADMIN_TIMEOUT_S,
            "the feed to reconnect after the restart (shows “%s”)",
            row_state (sources_page, feed_name));
  iterate_for (1500);
  save_screenshot (GTK_WIDGET (fixture->window), "sources.png");

  /* 4. The quarantine lists the broken lines, newest first, with their
   * reasons and bytes; bytes that are not UTF-8 show as escapes. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-quarantine", NULL);
  g_assert_cmpstr (tw_admin_page_get_view (admin_page), ==, "quarantine");
  WAIT_FOR (tw_quarantine_page_get_n_items (quarantine_page) == REPLAY_REJECTS, ADMIN_TIMEOUT_S,
            "%d quarantined messages (have %u)", REPLAY_REJECTS,
            tw_quarantine_page_get_n_items (quarantine_page));
  g_assert_cmpuint (tw_quarantine_page_get_count (quarantine_page), ==, REPLAY_REJECTS);
  for (guint i = 0; i < REPLAY_REJECTS; i++)
    {
      g_assert_nonnull (tw_quarantine_page_get_reason (quarantine_page, i));
      g_assert_cmpstr (tw_quarantine_page_get_reason (quarantine_page, i), !=, "");
      g_test_message ("quarantined because: %s", tw_quarantine_page_get_reason (quarantine_page, i));
    }
  tw_quarantine_page_select (quarantine_page, 1);
  WAIT_FOR ((g_free (raw), raw = tw_quarantine_page_dup_raw_text (quarantine_page),
             strstr (raw, "\"seq\":6") != NULL), ADMIN_TIMEOUT_S,
            "the cut-short raw message (shows “%s”)", raw);
  g_assert_nonnull (strstr (raw, "2026-11-23T07:10:0"));
  tw_quarantine_page_select (quarantine_page, 0);
  WAIT_FOR ((g_free (raw), raw = tw_quarantine_page_dup_raw_text (quarantine_page),
             strstr (raw, "\"seq\":7") != NULL), ADMIN_TIMEOUT_S,
            "the newest raw message (shows “%s”)", raw);
  g_assert_nonnull (strstr (raw, "\"W\\xFF\\xFE\""));
  g_assert_true (g_utf8_validate (raw, -1, NULL));
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "quarantine.png");

  /* Reprocessing with today's rules keeps it: it is still broken. */
  gtk_widget_activate_action (GTK_WIDGET (quarantine_page), "quarantine.reprocess-selected", NULL);
  iterate_for (20);
  WAIT_FOR (!tw_quarantine_page_get_busy (quarantine_page), ADMIN_TIMEOUT_S,
            "the reprocessing to finish");
  g_assert_cmpstr (tw_quarantine_page_get_last_toast (quarantine_page), ==,
                   "0 stored, 1 still rejected");
  iterate_for (300);
  g_assert_cmpuint (tw_quarantine_page_get_n_items (quarantine_page), ==, REPLAY_REJECTS);
  gtk_widget_activate_action (GTK_WIDGET (quarantine_page), "quarantine.reprocess-all", NULL);
  iterate_for (20);
  WAIT_FOR (!tw_quarantine_page_get_busy (quarantine_page), ADMIN_TIMEOUT_S,
            "reprocessing everything to finish");
  g_assert_cmpstr (tw_quarantine_page_get_last_toast (quarantine_page), ==,
                   "0 stored, 2 still rejected");

  /* Export writes every message to a file only the owner may read. */
  export_path = g_build_filename (fixture->data_dir, "quarantine-export.ndjson", NULL);
  gtk_widget_activate_action (GTK_WIDGET (quarantine_page), "quarantine.export", "s",
                              export_path);
  iterate_for (20);
  WAIT_FOR (!tw_quarantine_page_get_busy (quarantine_page), ADMIN_TIMEOUT_S, "the export");
  g_test_message ("%s", tw_quarantine_page_get_last_toast (quarantine_page));
  g_assert_true (g_str_has_prefix (tw_quarantine_page_get_last_toast (quarantine_page),
                                   "Exported 2 messages"));
  g_assert_true (file_contains (export_path, "\"raw_base64\""));
  g_assert_true (file_contains (export_path, REPLAY_NAME));
  g_assert_cmpint (g_stat (export_path, &stat_buf), ==, 0);
  g_assert_cmpint (stat_buf.st_mode & 0777, ==, EXPORT_MODE);

  /* The dark style. */
  tw_settings_set_style (tw_application_get_settings (fixture->app), "dark");
  WAIT_FOR (adw_style_manager_get_dark (adw_style_manager_get_default ()), 5, "the dark style");
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "quarantine-dark.png");
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-sources", NULL);
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "sources-dark.png");
  tw_settings_set_style (tw_application_get_settings (fixture->app), "follow");
  iterate_for (200);

  /* 5. Credentials: typed into the address they are stored in the
   * encrypted store, shown redacted, and moved to their own fields when
   * the source is edited; an empty password field keeps the saved one. */
  dialog = open_source_dialog (sources_page);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  set_text (child (dialog, TW_TYPE_SOURCE_DIALOG, "name_row"), GATEWAY_NAME);
  set_text (child (dialog, TW_TYPE_SOURCE_DIALOG, "url_row"), GATEWAY_URL);
  iterate_for (50);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "source.save", NULL);
  WAIT_FOR (dialog == NULL, ADMIN_TIMEOUT_S, "the gateway dialog to close (error: %s)",
            dialog != NULL ? tw_source_dialog_get_error (dialog) : "none");
  WAIT_FOR (tw_sources_page_find_row (sources_page, GATEWAY_NAME) != NULL, ADMIN_TIMEOUT_S,
            "the gateway in the list");
  row = tw_sources_page_find_row (sources_page, GATEWAY_NAME);
  WAIT_FOR (g_strcmp0 (row_state (sources_page, GATEWAY_NAME), "Reconnecting…") == 0,
            ADMIN_TIMEOUT_S, "the gateway to reconnect (shows “%s”)",
            row_state (sources_page, GATEWAY_NAME));
  g_assert_cmpstr (gtk_label_get_text (child (row, TW_TYPE_SOURCE_LIST_ROW, "url_label")), ==,
                   "ws://nurse:***@127.0.0.1:1/");
  g_assert_true (gtk_widget_get_visible (child (row, TW_TYPE_SOURCE_LIST_ROW, "error_label")));
  g_test_message ("gateway: %s",
                  gtk_label_get_text (child (row, TW_TYPE_SOURCE_LIST_ROW, "error_label")));
  g_assert_null (strstr (gtk_label_get_text (child (row, TW_TYPE_SOURCE_LIST_ROW, "error_label")),
                         GATEWAY_PASSWORD));
  g_free (raw);
  raw = stored_url (fixture, GATEWAY_NAME);
  g_assert_cmpstr (raw, ==, GATEWAY_URL);

  dialog = open_edit_dialog (sources_page, GATEWAY_NAME);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_cmpstr (get_text (child (dialog, TW_TYPE_SOURCE_DIALOG, "url_row")), ==,
                   GATEWAY_ADDRESS);
  g_assert_cmpstr (get_text (child (dialog, TW_TYPE_SOURCE_DIALOG, "user_row")), ==, "nurse");
  g_assert_cmpstr (get_text (child (dialog, TW_TYPE_SOURCE_DIALOG, "password_row")), ==, "");
  g_assert_true (gtk_widget_get_visible (child (dialog, TW_TYPE_SOURCE_DIALOG,
                                                "credentials_group")));
  save_screenshot (GTK_WIDGET (dialog), "source-edit.png");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "source.save", NULL);
  WAIT_FOR (dialog == NULL, ADMIN_TIMEOUT_S, "the edit dialog to close");
  iterate_for (200);
  g_free (raw);
  raw = stored_url (fixture, GATEWAY_NAME);
  g_assert_cmpstr (raw, ==, GATEWAY_URL);

  dialog = open_edit_dialog (sources_page, GATEWAY_NAME);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  set_text (child (dialog, TW_TYPE_SOURCE_DIALOG, "password_row"), NEW_PASSWORD);
  iterate_for (50);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "source.save", NULL);
  WAIT_FOR (dialog == NULL, ADMIN_TIMEOUT_S, "the edit dialog to close");
  iterate_for (200);
  g_free (raw);
  raw = stored_url (fixture, GATEWAY_NAME);
  g_assert_cmpstr (raw, ==, "ws://nurse:" NEW_PASSWORD "@127.0.0.1:1/");
  g_assert_false (settings_mention (NEW_PASSWORD));
  g_assert_false (settings_mention ("nurse"));
  confirm_removal (sources_page, GATEWAY_NAME, NULL);
  WAIT_FOR (tw_sources_page_find_row (sources_page, GATEWAY_NAME) == NULL, ADMIN_TIMEOUT_S,
            "the gateway to go");

  /* 6. Pausing takes effect: the source stops and says so. */
  g_assert_cmpstr (tw_admin_page_get_view (admin_page), ==, "sources");
  gtk_widget_activate_action (GTK_WIDGET (sources_page), "sources.toggle-pause", "x", replay_id);
  WAIT_FOR (g_strcmp0 (row_state (sources_page, REPLAY_NAME), "Paused") == 0, ADMIN_TIMEOUT_S,
            "“Paused” (shows “%s”)", row_state (sources_page, REPLAY_NAME));

  save_screenshot (GTK_WIDGET (fixture->window), "sources-paused.png");

  /* 7. Removing asks first. */
  confirm_removal (sources_page, REPLAY_NAME, "source-remove.png");
  WAIT_FOR (tw_sources_page_find_row (sources_page, REPLAY_NAME) == NULL, ADMIN_TIMEOUT_S,
            "the replay source to go");
  g_assert_cmpuint (tw_sources_page_get_n_sources (sources_page), ==, 1);
  WAIT_FOR (g_strcmp0 (row_state (sources_page, feed_name), "Connected") == 0, ADMIN_TIMEOUT_S,
            "the feed after removing the replay (shows “%s”)",
            row_state (sources_page, feed_name));

  /* A narrow window still shows the page, switcher at the bottom. */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), NARROW_WIDTH, 800);
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "sources-narrow.png");
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 800);

  /* Ctrl+1 goes back to the monitor. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-monitor", NULL);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "monitor");
}

/* Alerts */

#define ALERT_TIMEOUT_S     30
#define ALERT_PATIENT       "W0001"
#define ALERT_BED           "W4-01"
#define ALERT_NAME          "Ines Replay"
#define ALERT_RULE          "spo2-low"
#define ALERT_SAMPLES       60
#define ALERT_NORMAL        20      /* samples at 97 % before the drop */
#define ALERT_LOW_SPO2      84
#define ACK_NOTE            "Probe re-seated, patient on 2 l O2"
#define EDITED_LIMIT        "92"

/* A stand-in for the desktop's notification server on the test's session
 * bus, so a notification the app sends is seen, not lost. */
typedef struct
{
  guint  owner_id;
  guint  object_id;
  guint  n_notify;
  char  *summary;
  char  *body;
  char  *default_action;
} FakeNotifications;

static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "<signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "</interface></node>";

static void
notifications_method (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *object_path,
                      const char            *interface_name,
                      const char            *method_name,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  FakeNotifications *fake = user_data;

  if (g_str_equal (method_name, "Notify"))
    {
      g_autofree const char **actions = NULL;
      const char *summary, *body;

      g_variant_get (parameters, "(&su&s&s&s^a&s@a{sv}i)", NULL, NULL, NULL, &summary, &body,
                     &actions, NULL, NULL);
      fake->n_notify++;
      g_free (fake->summary);
      fake->summary = g_strdup (summary);
      g_free (fake->body);
      fake->body = g_strdup (body);
      g_free (fake->default_action);
      fake->default_action = g_strdup (actions != NULL && actions[0] != NULL ? actions[0] : "");
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", fake->n_notify));
      return;
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
fake_notifications_start (FakeNotifications *fake,
                          GDBusConnection   *bus)
{
  static const GDBusInterfaceVTable vtable = { notifications_method, NULL, NULL };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (info);
  fake->object_id = g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                       info->interfaces[0], &vtable, fake, NULL,
                                                       &error);
  g_assert_no_error (error);
  fake->owner_id = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                                 G_BUS_NAME_OWNER_FLAGS_NONE,
                                                 NULL, NULL, NULL, NULL);
}

static void
fake_notifications_stop (FakeNotifications *fake,
                         GDBusConnection   *bus)
{
  if (fake->owner_id != 0)
    g_bus_unown_name (fake->owner_id);
  if (fake->object_id != 0 && bus != NULL)
    g_dbus_connection_unregister_object (bus, fake->object_id);
  g_clear_pointer (&fake->summary, g_free);
  g_clear_pointer (&fake->body, g_free);
  g_clear_pointer (&fake->default_action, g_free);
}

static gboolean
name_is_owned (GDBusConnection *bus,
               const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);

  return owned;
}

/* A replay of one patient whose SpO2 drops below the default pack's 90 %
 * limit for longer than the rule's 15 s, ending a few seconds ago. */
static char *
write_desaturation_file (Fixture *fixture)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  char *path = g_build_filename (fixture->data_dir, "desaturation.ndjson", NULL);

  g_string_append (text, "{\"v\":1,\"type\":\"patient\",\"id\":\"" ALERT_PATIENT "\","
                         "\"mrn\":\"MRN-4401\",\"name\":\"" ALERT_NAME "\","
                         "\"bed\":\"" ALERT_BED "\"}\n");
  for (int i = 0; i < ALERT_SAMPLES; i++)
    {
      g_autoptr(GDateTime) when = g_date_time_add_seconds (now, i - ALERT_SAMPLES - 5);
      g_autofree char *ts = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S.000000Z");

      g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":%d,\"ts\":\"%s\","
                                    "\"patient\":\"" ALERT_PATIENT "\",\"hr\":%d,\"spo2\":%d}\n",
                              i + 1, ts, 88 + i % 3, i < ALERT_NORMAL ? 97 : ALERT_LOW_SPO2);
    }

  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);

  return path;
}

static const TwAlert *
find_alert (TwAlertsPage *page,
            const char   *rule_id)
{
  const TwAlertSnapshot *snapshot = tw_alerts_page_get_snapshot (page);

  for (guint i = 0; snapshot != NULL && i < snapshot->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (snapshot->alerts, i);

      if (g_strcmp0 (alert->rule_id, rule_id) == 0
          && g_strcmp0 (alert->entity_key, ALERT_PATIENT) == 0)
        return alert;
    }

  return NULL;
}

static TwAlertState
alert_state (TwAlertsPage *page)
{
  const TwAlert *alert = find_alert (page, ALERT_RULE);

  return alert != NULL ? alert->state : TW_ALERT_STATE_NONE;
}

/* The acknowledgement as stored: the transition to ACKNOWLEDGED. */
static gboolean
stored_ack (TwStore              *store,
            guint64               alert_id,
            TwAlertTransitionRow **out_row)
{
  g_autoptr(GPtrArray) rows = tw_store_list_alert_transitions (store, alert_id, NULL);

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      TwAlertTransitionRow *row = g_ptr_array_index (rows, i);

      if (row->to == TW_ALERT_STATE_ACKNOWLEDGED)
        {
          *out_row = g_ptr_array_steal_index (rows, i);
          return TRUE;
        }
    }

  return FALSE;
}

static void
sign_in_as (Fixture    *fixture,
            const char *user,
            const char *password)
{
  TwLoginPage *login_page = child (fixture->window, TW_TYPE_WINDOW, "login_page");

  set_text (child (login_page, TW_TYPE_LOGIN_PAGE, "user_row"), user);
  set_text (child (login_page, TW_TYPE_LOGIN_PAGE, "password_row"), password);
  iterate_for (20);
  gtk_widget_activate (child (login_page, TW_TYPE_LOGIN_PAGE, "sign_in_button"));
  WAIT_FOR (page_is (fixture, "monitor") || page_is (fixture, "ward"), SIGN_IN_TIMEOUT_S,
            "the first page for %s (error: %s)", user, tw_login_page_get_error (login_page));
  if (page_is (fixture, "ward"))
    monitor_after_landing (fixture);
}

static void
test_alert_console (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(TwAlertTransitionRow) ack = NULL;
  g_autoptr(TwRuleRow) saved = NULL;
  g_autofree char *replay_path = NULL;
  g_autofree char *history = NULL;
  g_autofree char *rule_text = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *description = NULL;
  g_autofree char *pseudonym = NULL;
  g_auto(GStrv) accels = NULL;
  FakeNotifications fake = { 0 };
  GDBusConnection *bus;
  TwMonitorPage *monitor_page;
  TwAlertsPage *alerts_page;
  TwAlertBanner *banner;
  TwAlertNotifier *notifier;
  TwRulesPage *rules_page;
  TwRuleEditor *editor;
  GtkWindow *dialog;
  const TwAlert *alert;
  guint64 alert_id;
  guint pulses;
  double max_stall_ms;
  gint64 hl_from = 0, hl_to = 0;
  char *limit;

  session = tw_session_initialize (fixture->data_dir, "root", ADMIN_PASSWORD, TW_KDF_COST_MIN,
                                   &error);
  g_assert_no_error (error);
  tw_session_add_user (session, "otto", TW_ROLE_OPERATOR, OPERATOR_PASSWORD, &error);
  g_assert_no_error (error);
  g_clear_pointer (&session, tw_session_free);

  replay_path = write_desaturation_file (fixture);
  open_window_with_url (fixture, replay_path);
  bus = g_application_get_dbus_connection (G_APPLICATION (fixture->app));
  g_assert_nonnull (bus);
  fake_notifications_start (&fake, bus);
  WAIT_FOR (name_is_owned (bus, "org.freedesktop.Notifications"), 5,
            "the stand-in notification server");

  monitor_page = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");
  alerts_page = child (fixture->window, TW_TYPE_WINDOW, "alerts_page");
  rules_page = child (fixture->window, TW_TYPE_WINDOW, "rules_page");
  banner = child (fixture->window, TW_TYPE_WINDOW, "alert_banner");

  /* 1. The operator signs in; the replayed desaturation raises a high
   * priority alert: in the console, in the banner, as a notification and
   * as sound, while the main loop keeps up. */
  sign_in_as (fixture, "otto", OPERATOR_PASSWORD);
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app),
                                                  "win.show-alerts");
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>4"));
  g_clear_pointer (&accels, g_strfreev);
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app),
                                                  "win.pause-alert-audio");
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>m"));

  stall_monitor_start (&fixture->stalls);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-alerts", NULL);
  g_assert_true (page_is (fixture, "alerts"));
  WAIT_FOR (find_alert (alerts_page, ALERT_RULE) != NULL, ALERT_TIMEOUT_S,
            "the %s alert for %s", ALERT_RULE, ALERT_PATIENT);
  alert = find_alert (alerts_page, ALERT_RULE);
  alert_id = alert->id;
  g_assert_cmpint (alert->priority, ==, TW_ALERT_PRIORITY_HIGH);
  g_assert_cmpint (alert->state, ==, TW_ALERT_STATE_ACTIVE);
  g_assert_cmpint (alert->evidence_to_ts, >, alert->evidence_from_ts);
  g_test_message ("alert %" G_GUINT64_FORMAT ": %s", alert_id, alert->message);

  /* Operators see the bed and the name (once the store was asked). */
  WAIT_FOR (tw_alert_banner_is_shown (banner)
            && strstr (tw_alert_banner_get_text (banner), ALERT_BED " \u00b7 " ALERT_NAME) != NULL,
            ALERT_TIMEOUT_S, "the banner with bed and name (shows “%s”)", tw_alert_banner_get_text (banner));
  g_test_message ("banner: %s", tw_alert_banner_get_text (banner));
  g_assert_nonnull (strstr (tw_alert_banner_get_text (banner), "High priority"));
  WAIT_FOR (fake.n_notify == 1, 5, "the desktop notification");
  g_assert_cmpstr (fake.summary, ==, "High Priority Alert");
  g_assert_nonnull (strstr (fake.body, ALERT_NAME));
  g_assert_cmpstr (fake.default_action, ==, "default");

  notifier = tw_window_get_alert_notifier (fixture->window);
  g_assert_cmpint (tw_alert_notifier_get_sound (notifier), ==, TW_ALERT_SOUND_HIGH);
  WAIT_FOR (tw_alert_notifier_get_n_pulses (notifier) >= 3, 5, "the alarm's first pulses");

  WAIT_FOR (tw_alerts_page_select_alert (alerts_page, alert_id), 5, "the alert's row");
  iterate_for (300);
  max_stall_ms = stall_monitor_stop (&fixture->stalls);
  g_test_message ("longest main loop stall while alerts arrived: %.1f ms", max_stall_ms);
  g_assert_cmpfloat (max_stall_ms, <, MAX_STALL_MS);
  save_screenshot (GTK_WIDGET (fixture->window), "alerts.png");
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), NARROW_WIDTH, 800);
  iterate_for (500);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, NARROW_WIDTH);
  save_screenshot (GTK_WIDGET (fixture->window), "alerts-narrow.png");
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 800);
  iterate_for (300);

  /* 2. Pausing the audio silences it (the banner stays). */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "pause-alert-audio", NULL);
  WAIT_FOR (tw_alerts_page_get_snapshot (alerts_page)->audio_paused, 5, "the audio pause");
  WAIT_FOR (tw_alert_notifier_get_sound (notifier) == TW_ALERT_SOUND_NONE, 5, "silence");
  pulses = tw_alert_notifier_get_n_pulses (notifier);
  iterate_for (500);
  g_assert_cmpuint (tw_alert_notifier_get_n_pulses (notifier), ==, pulses);
  g_assert_true (tw_alert_banner_is_shown (banner));

  /* Escalating (Ctrl+E) marks it for the next level of care. */
  gtk_widget_activate_action (GTK_WIDGET (alerts_page), "alerts.escalate", NULL);
  WAIT_FOR (find_alert (alerts_page, ALERT_RULE)->escalated, ALERT_TIMEOUT_S, "the escalation");

  /* 3. Acknowledge with a note through the dialog. */
  gtk_widget_activate_action (GTK_WIDGET (alerts_page), "alerts.acknowledge", NULL);
  iterate_for (200);
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  set_text (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog)), ACK_NOTE);
  iterate_for (100);
  save_screenshot (GTK_WIDGET (dialog), "alert-acknowledge.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "acknowledge");
  gtk_window_close (dialog);
  WAIT_FOR (alert_state (alerts_page) == TW_ALERT_STATE_ACKNOWLEDGED, ALERT_TIMEOUT_S,
            "the acknowledgement in the snapshot (state %s)",
            tw_alert_state_to_string (alert_state (alerts_page)));
  alert = find_alert (alerts_page, ALERT_RULE);
  g_assert_cmpstr (alert->acknowledged_by, ==, "otto");
  g_assert_cmpstr (alert->ack_note, ==, ACK_NOTE);
  WAIT_FOR (!tw_alert_banner_is_shown (banner), 5, "the banner to go");
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "alerts-acknowledged.png");

  /* ...and stored with who and the note (read back by a role that may see
   * free text: an administrator's reads are masked). */
  session = tw_session_login (fixture->data_dir, "otto", OPERATOR_PASSWORD, &error);
  g_assert_no_error (error);
  store = tw_session_open_store (session, &error);
  g_assert_no_error (error);
  WAIT_FOR ((iterate_for (100), stored_ack (store, alert_id, &ack)), ALERT_TIMEOUT_S,
            "the stored acknowledgement of alert %" G_GUINT64_FORMAT, alert_id);
  g_assert_cmpstr (ack->who, ==, "otto");
  g_assert_cmpstr (ack->note, ==, ACK_NOTE);

  /* 4. The dark style. */
  tw_settings_set_style (tw_application_get_settings (fixture->app), "dark");
  WAIT_FOR (adw_style_manager_get_dark (adw_style_manager_get_default ()), 5, "the dark style");
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "alerts-dark.png");
  tw_settings_set_style (tw_application_get_settings (fixture->app), "follow");
  iterate_for (200);

  /* 5. The history finds the alert by its note, with who acknowledged. */
  gtk_widget_activate_action (GTK_WIDGET (alerts_page), "alerts.search-history", NULL);
  tw_alert_history_view_search (tw_alerts_page_get_history_view (alerts_page), "re-seated");
  WAIT_FOR (!tw_alert_history_view_get_busy (tw_alerts_page_get_history_view (alerts_page)),
            ALERT_TIMEOUT_S, "the history search");
  history = tw_alert_history_view_dup_text (tw_alerts_page_get_history_view (alerts_page));
  g_test_message ("history:\n%s", history);
  g_assert_cmpuint (tw_alert_history_view_get_n_alerts (tw_alerts_page_get_history_view (alerts_page)),
                    ==, 1);
  g_assert_nonnull (strstr (history, "Acknowledged by otto"));
  g_assert_nonnull (strstr (history, ACK_NOTE));
  g_assert_nonnull (strstr (history, ALERT_BED));
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "alerts-history.png");

  /* 6. The administrator: the rule editor refuses an invalid rule,
   * previews the last hour and saves a changed limit. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "lock", NULL);
  g_assert_false (tw_alert_banner_is_shown (banner));
  lock_and_switch_user (fixture);
  sign_in_as (fixture, "root", ADMIN_PASSWORD);
  /* The administrator handles no alerts: the operator's alarm stopped. */
  g_assert_cmpint (tw_alert_notifier_get_sound (notifier), ==, TW_ALERT_SOUND_NONE);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-rules", NULL);
  g_assert_true (page_is (fixture, "rules"));
  WAIT_FOR (tw_rules_page_get_n_rules (rules_page) > 0 && !tw_rules_page_get_busy (rules_page),
            ALERT_TIMEOUT_S, "the rules");
  g_assert_true (tw_rules_page_select_rule (rules_page, ALERT_RULE));
  editor = tw_rules_page_get_editor (rules_page);
  g_assert_cmpstr (tw_rule_editor_get_rule_id (editor), ==, ALERT_RULE);
  rule_text = tw_rule_editor_dup_text (editor);
  g_assert_nonnull (strstr (rule_text, "\"spo2\""));

  tw_rule_editor_set_text (editor, "{ \"id\": \"spo2-low\", \"kind\": \"threshold\" }");
  gtk_widget_activate_action (GTK_WIDGET (editor), "rule.check", NULL);
  g_assert_nonnull (tw_rule_editor_get_error (editor));
  g_test_message ("inline error: %s", tw_rule_editor_get_error (editor));
  /* Saving what does not validate stores nothing. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "rule.save", NULL);
  iterate_for (300);
  g_assert_false (tw_rule_editor_get_busy (editor));
  g_assert_true (tw_store_get_rule (store, ALERT_RULE, &saved, &error));
  g_assert_no_error (error);
  g_assert_null (saved->updated_by);
  g_clear_pointer (&saved, tw_rule_row_free);
  save_screenshot (GTK_WIDGET (fixture->window), "rule-editor-error.png");

  edited = g_strdup (rule_text);
  limit = strstr (edited, "\"limit\" : 90");
  g_assert_nonnull (limit);
  memcpy (limit + strlen ("\"limit\" : "), EDITED_LIMIT, strlen (EDITED_LIMIT));
  tw_rule_editor_set_text (editor, edited);
  g_assert_true (tw_rule_editor_check (editor));
  gtk_widget_activate_action (GTK_WIDGET (editor), "rule.preview", NULL);
  WAIT_FOR (!tw_rule_editor_get_busy (editor), ALERT_TIMEOUT_S, "the preview");
  g_test_message ("preview: %d alerts", tw_rule_editor_get_n_preview (editor));
  g_assert_cmpint (tw_rule_editor_get_n_preview (editor), ==, 1);
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "rule-editor.png");

  gtk_widget_activate_action (GTK_WIDGET (editor), "rule.save", NULL);
  WAIT_FOR (!tw_rule_editor_get_busy (editor), ALERT_TIMEOUT_S, "the save");
  g_assert_null (tw_rule_editor_get_error (editor));
  g_assert_true (tw_store_get_rule (store, ALERT_RULE, &saved, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (saved->updated_by, ==, "root");
  g_assert_nonnull (strstr (saved->json, EDITED_LIMIT));

  /* 7. The alert's trend with its window highlighted (administrators see
   * trends, masked). */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-alert",
                                  g_variant_new_uint64 (alert_id));
  WAIT_FOR (tw_alerts_page_get_selected_id (alerts_page) == alert_id, ALERT_TIMEOUT_S,
            "the alert selected for the administrator");
  WAIT_FOR (tw_monitor_page_get_n_patients (monitor_page) > 0, ALERT_TIMEOUT_S, "the patients");
  gtk_widget_activate_action (GTK_WIDGET (alerts_page), "alerts.open-trend", NULL);
  WAIT_FOR (page_is (fixture, "monitor"), 5, "the monitor after Open Trend");
  /* An administrator's reads are masked: the patient is selected by its
   * pseudonym, never by the key the alert carries. */
  pseudonym = tw_store_make_pseudonym (store, ALERT_PATIENT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tw_monitor_page_get_selected_key (monitor_page), ==, pseudonym);
  g_assert_true (tw_chart_view_get_highlight (child (monitor_page, TW_TYPE_MONITOR_PAGE,
                                                     "chart_view"), &hl_from, &hl_to));
  g_assert_cmpint (hl_to, >, hl_from);
  WAIT_FOR (tw_chart_view_get_n_points (child (monitor_page, TW_TYPE_MONITOR_PAGE,
                                               "chart_view")) > 0, DATA_TIMEOUT_S,
            "the trend of %s", ALERT_PATIENT);
  description = tw_chart_view_dup_description (child (monitor_page, TW_TYPE_MONITOR_PAGE,
                                                      "chart_view"));
  g_assert_nonnull (strstr (description, "Alert window"));
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "alert-trend.png");

  fake_notifications_stop (&fake, bus);
}

/* The ward overview */

#define CLINICIAN_PASSWORD  "harbour light quay"
#define ANALYST_PASSWORD    "cohort tide table"
#define ACUTE_PATIENT       "W0009"
#define ACUTE_BED           "ICU-99"
#define ACUTE_WARD          "ICU"
#define ACUTE_NAME          "Oskar Acute"
/* Half an hour of observations every 10 s, so the sparklines have a
 * shape: the acute patient's SpO2 falls while the heart rate climbs. */
#define ACUTE_SAMPLES       180
#define ACUTE_STEP_S        10
/* NEWS2 6 (rr 2, SpO2 1, sbp 1, pulse 1, temp 1): medium risk, in a bed
 * that sorts last by name. */
#define MEDIUM_PATIENT      "W0010"
#define MEDIUM_BED          "Ward 7-99"
#define MEDIUM_WARD         "Ward 7"
#define MEDIUM_NAME         "Mara Medium"
/* Observed an hour and five minutes ago in full, since then without
 * oxygen and ACVPU: those are too old to count, so NEWS2 is incomplete
 * (never scored as if they were normal). */
#define STALE_PATIENT       "W0011"
#define STALE_BED           "ICU-98"
#define STALE_NAME          "Ivo Stale"
#define STALE_AGE_MIN       65
#define WARD_TILES          (FEED_PATIENTS + 3)
#define WARD_TIMEOUT_S      30
#define RESORT_TIMEOUT_S    15

/* Two patients replayed beside the live feed: one with every NEWS2
 * parameter in its worst band (score 19, high risk) and an SpO2 low enough
 * for long enough to raise the default pack's high alert — the most acute
 * bed — and one at medium risk (score 6) without a high alert, second. */
static char *
write_acute_file (Fixture *fixture)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  char *path = g_build_filename (fixture->data_dir, "acute.ndjson", NULL);
  g_autoptr(GDateTime) stale = NULL;
  g_autofree char *stale_ts = NULL;
  g_autoptr(GDateTime) admitted = NULL;
  g_autofree char *admitted_ts = NULL;

  g_string_append (text, "{\"v\":1,\"type\":\"patient\",\"id\":\"" ACUTE_PATIENT "\","
                         "\"mrn\":\"MRN-9909\",\"name\":\"" ACUTE_NAME "\","
                         "\"bed\":\"" ACUTE_BED "\",\"group\":\"" ACUTE_WARD "\"}\n");
  /* Admitted an hour ago: the ward overview shows admitted patients. */
  admitted = g_date_time_add_hours (now, -1);
  admitted_ts = g_date_time_format (admitted, "%Y-%m-%dT%H:%M:%S.000000Z");
  g_string_append_printf (text, "{\"v\":1,\"type\":\"admit\",\"patient\":\"" ACUTE_PATIENT "\","
                                "\"ts\":\"%s\",\"ward\":\"" ACUTE_WARD "\","
                                "\"bed\":\"" ACUTE_BED "\"}\n", admitted_ts);
  g_string_append_printf (text, "{\"v\":1,\"type\":\"admit\",\"patient\":\"" MEDIUM_PATIENT "\","
                                "\"name\":\"" MEDIUM_NAME "\",\"mrn\":\"MRN-9910\","
                                "\"ts\":\"%s\",\"ward\":\"" MEDIUM_WARD "\","
                                "\"bed\":\"" MEDIUM_BED "\"}\n", admitted_ts);
  g_string_append_printf (text, "{\"v\":1,\"type\":\"admit\",\"patient\":\"" STALE_PATIENT "\","
                                "\"name\":\"" STALE_NAME "\",\"mrn\":\"MRN-9911\","
                                "\"ts\":\"%s\",\"ward\":\"" ACUTE_WARD "\","
                                "\"bed\":\"" STALE_BED "\"}\n", admitted_ts);
  stale = g_date_time_add_minutes (now, -STALE_AGE_MIN);
  stale_ts = g_date_time_format (stale, "%Y-%m-%dT%H:%M:%S.000000Z");
  g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":%d,\"ts\":\"%s\","
                                "\"patient\":\"" STALE_PATIENT "\",\"hr\":70,\"rr\":14,"
                                "\"spo2\":97,\"sbp\":120,\"temp\":36.8,\"o2\":0,"
                                "\"acvpu\":0}\n", 3 * ACUTE_SAMPLES + 1, stale_ts);
  for (int i = 0; i < ACUTE_SAMPLES; i++)
    {
      g_autoptr(GDateTime) when = g_date_time_add_seconds (now, (i - ACUTE_SAMPLES) * ACUTE_STEP_S
                                                                 - 2);
      g_autofree char *ts = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S.000000Z");

      /* Every value in the worst band: SpO2 91 → 84, pulse 131 → 153. */
      g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":%d,\"ts\":\"%s\","
                                    "\"patient\":\"" ACUTE_PATIENT "\",\"hr\":%d,\"rr\":27,"
                                    "\"spo2\":%d,\"sbp\":88,\"temp\":39.3,\"o2\":1,"
                                    "\"acvpu\":2}\n",
                              2 * i + 1, ts, 131 + i * 20 / ACUTE_SAMPLES + i % 3,
                              91 - i * 8 / ACUTE_SAMPLES);
      /* Score 6 throughout: pulse 92–108 (1), rr 21–24 (2), SpO2 94–95 (1),
       * sbp 105 (1), temp 38.5 (1), air, alert. */
      g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":%d,\"ts\":\"%s\","
                                    "\"patient\":\"" MEDIUM_PATIENT "\",\"hr\":%d,\"rr\":%d,"
                                    "\"spo2\":%d,\"sbp\":105,\"temp\":38.5,\"o2\":0,"
                                    "\"acvpu\":0}\n",
                              2 * i + 2, ts, 92 + i * 5 % 17, 21 + i % 4, 94 + i % 2);
      g_string_append_printf (text, "{\"v\":1,\"type\":\"vitals\",\"seq\":%d,\"ts\":\"%s\","
                                    "\"patient\":\"" STALE_PATIENT "\",\"hr\":72,\"rr\":14,"
                                    "\"spo2\":97,\"sbp\":120,\"temp\":36.8}\n",
                              3 * ACUTE_SAMPLES + 2 + i, ts);
    }

  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);

  return path;
}

static gboolean
all_tiles_scored (TwWardPage *page,
                  guint       n_tiles)
{
  g_autoptr(GPtrArray) tiles = tw_ward_page_list_tiles (page);

  if (tiles->len != n_tiles)
    return FALSE;
  for (guint i = 0; i < tiles->len; i++)
    {
      TwWardTile *tile = g_ptr_array_index (tiles, i);
      gboolean stale = g_strcmp0 (tw_ward_tile_get_key (tile), STALE_PATIENT) == 0
                       || g_strcmp0 (tw_ward_tile_get_bed (tile), STALE_BED) == 0;

      if (!stale && !tw_ward_tile_get_news2 (tile)->complete)
        return FALSE;
      if (tw_ward_tile_get_n_points (tile, TW_WARD_SPARK_HR) == 0)
        return FALSE;
    }

  return TRUE;
}

static gboolean
tiles_in_order (TwWardPage *page)
{
  g_autoptr(GPtrArray) tiles = tw_ward_page_list_tiles (page);

  for (guint i = 1; i < tiles->len; i++)
    if (tw_ward_tile_compare (g_ptr_array_index (tiles, i - 1), g_ptr_array_index (tiles, i)) >= 0)
      return FALSE;
  return TRUE;
}

static const char *
first_tile_key (TwWardPage *page)
{
  g_autoptr(GPtrArray) tiles = tw_ward_page_list_tiles (page);

  return tiles->len > 0 ? tw_ward_tile_get_key (g_ptr_array_index (tiles, 0)) : NULL;
}

static char *
describe_tiles (TwWardPage *page)
{
  g_autoptr(GPtrArray) tiles = tw_ward_page_list_tiles (page);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < tiles->len; i++)
    g_string_append_printf (text, "\n  %s", tw_ward_tile_get_summary (g_ptr_array_index (tiles, i)));

  return g_string_free (text, FALSE);
}

/* "1 high alert" or "3 open alerts, highest high" */
static gboolean
says_high_alert (const char *summary)
{
  return summary != NULL
         && (g_str_has_suffix (summary, ", 1 high alert")
             || strstr (summary, "open alerts, highest high") != NULL);
}

static gboolean
any_tile_says (TwWardPage *page,
               const char *text)
{
  g_autofree char *listing = describe_tiles (page);

  return strstr (listing, text) != NULL;
}

static void
sign_in_to_ward (Fixture    *fixture,
                 const char *user,
                 const char *password)
{
  TwLoginPage *login_page = child (fixture->window, TW_TYPE_WINDOW, "login_page");

  set_text (child (login_page, TW_TYPE_LOGIN_PAGE, "user_row"), user);
  set_text (child (login_page, TW_TYPE_LOGIN_PAGE, "password_row"), password);
  iterate_for (20);
  gtk_widget_activate (child (login_page, TW_TYPE_LOGIN_PAGE, "sign_in_button"));
  WAIT_FOR (tw_window_is_signed_in (fixture->window), SIGN_IN_TIMEOUT_S,
            "%s signed in (error: %s)", user, tw_login_page_get_error (login_page));
  /* Whoever may browse trends starts at the central station. */
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "ward");
}

static void
test_ward_overview (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tiles = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *acute_path = NULL;
  g_autofree char *news2 = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *listing = NULL;
  g_auto(GStrv) accels = NULL;
  g_auto(GStrv) wards = NULL;
  const char *urls[3] = { NULL, NULL, NULL };
  TwSession *session;
  TwWardPage *ward_page;
  TwMonitorPage *monitor_page;
  TwWardTile *tile, *opened;
  TwWardStats stats;
  double max_stall_ms;
  guint n_shown;

  session = tw_session_initialize (fixture->data_dir, "root", ADMIN_PASSWORD, TW_KDF_COST_MIN,
                                   &error);
  g_assert_no_error (error);
  tw_session_add_user (session, "cleo", TW_ROLE_CLINICIAN, CLINICIAN_PASSWORD, &error);
  g_assert_no_error (error);
  /* Every ward: clinicians see their wards' patients only (test-scope.c). */
  tw_session_set_user_wards (session, "cleo", (const char *[]) { "*", NULL }, &error);
  g_assert_no_error (error);
  tw_session_add_user (session, "anya", TW_ROLE_ANALYST, ANALYST_PASSWORD, &error);
  g_assert_no_error (error);
  tw_session_free (session);

  /* The live feed and, beside it, one acute patient. */
  acute_path = write_acute_file (fixture);
  urls[0] = fixture->feed_url;
  urls[1] = acute_path;
  open_window_with_urls (fixture, urls);
  ward_page = child (fixture->window, TW_TYPE_WINDOW, "ward_page");
  monitor_page = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app),
                                                  "win.show-ward");
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>6"));

  /* 1. The clinician lands on the ward: one tile per bed, each with a
   * complete NEWS2 once o2 and ACVPU arrived, and heart rate samples for
   * its sparkline; the window keeps up meanwhile. */
  sign_in_to_ward (fixture, "cleo", CLINICIAN_PASSWORD);
  stall_monitor_start (&fixture->stalls);
  WAIT_FOR (all_tiles_scored (ward_page, WARD_TILES), WARD_TIMEOUT_S,
            "%d scored tiles with sparklines (have %u):%s", WARD_TILES,
            tw_ward_page_get_n_tiles (ward_page), describe_tiles (ward_page));
  iterate_for (2500);
  max_stall_ms = stall_monitor_stop (&fixture->stalls);
  g_test_message ("longest main loop stall on the ward overview: %.1f ms", max_stall_ms);
  g_assert_cmpfloat (max_stall_ms, <, MAX_STALL_MS);
  tw_ward_page_get_stats (ward_page, &stats);
  g_test_message ("ward queries: %u, last %.1f ms (%u reads), longest %.1f ms; "
                  "tiles changed by the last: %u; sorts: %u",
                  stats.n_queries, stats.last_query_ms, stats.last_reads, stats.max_query_ms,
                  stats.last_tiles_changed, stats.n_sorts);
  g_assert_cmpuint (stats.n_queries, >=, 2);

  /* 2. Most acute first: the acute bed (a high alert, NEWS2 high) leads,
   * and down the grid no tile is more acute than the one before it. */
  WAIT_FOR (g_strcmp0 (first_tile_key (ward_page), ACUTE_PATIENT) == 0
            && says_high_alert (tw_ward_tile_get_summary (tw_ward_page_find_tile (ward_page,
                                                                                  ACUTE_PATIENT))),
            ALERT_TIMEOUT_S, "%s first, with its high alert:%s", ACUTE_PATIENT,
            describe_tiles (ward_page));
  tile = tw_ward_page_find_tile (ward_page, ACUTE_PATIENT);
  news2 = tw_ward_tile_dup_news2_text (tile);
  g_assert_cmpstr (news2, ==, "NEWS2 19 high");
  g_clear_pointer (&news2, g_free);
  news2 = tw_ward_tile_dup_news2_text (tw_ward_page_find_tile (ward_page, MEDIUM_PATIENT));
  g_assert_cmpstr (news2, ==, "NEWS2 6 medium");
  g_clear_pointer (&news2, g_free);
  news2 = tw_ward_tile_dup_news2_text (tw_ward_page_find_tile (ward_page, STALE_PATIENT));
  g_assert_cmpstr (news2, ==, "NEWS2 incomplete");
  /* The accessible label says it all in words. */
  g_assert_true (g_str_has_prefix (tw_ward_tile_get_summary (tile),
                                   "Bed " ACUTE_BED ", " ACUTE_NAME ", NEWS2 19 high, "));
  g_assert_true (says_high_alert (tw_ward_tile_get_summary (tile)));
  tiles = tw_ward_page_list_tiles (ward_page);
  g_assert_cmpuint (tiles->len, ==, WARD_TILES);
  for (guint i = 1; i < tiles->len; i++)
    g_assert_cmpint (tw_ward_tile_compare_urgency (g_ptr_array_index (tiles, i - 1),
                                                   g_ptr_array_index (tiles, i)), <=, 0);
  /* Scores within a band reorder at most every 10 s (no jumping tiles). */
  WAIT_FOR (tiles_in_order (ward_page), RESORT_TIMEOUT_S, "the tiles in acuity order:%s",
            describe_tiles (ward_page));
  g_clear_pointer (&tiles, g_ptr_array_unref);
  tiles = tw_ward_page_list_tiles (ward_page);
  /* Medium risk before the feed's zero and low scores, whatever the bed. */
  g_assert_cmpstr (tw_ward_tile_get_key (g_ptr_array_index (tiles, 1)), ==, MEDIUM_PATIENT);
  listing = describe_tiles (ward_page);
  g_test_message ("ward, most acute first:%s", listing);

  /* Clinicians see names: remember them for the analyst. */
  for (guint i = 0; i < tiles->len; i++)
    {
      const char *name = tw_ward_tile_get_display_name (g_ptr_array_index (tiles, i));

      g_assert_nonnull (name);
      g_assert_cmpstr (name, !=, tw_ward_tile_get_key (g_ptr_array_index (tiles, i)));
      g_ptr_array_add (names, g_strdup (name));
    }
  counts = tw_ward_page_dup_counts_text (ward_page);
  g_test_message ("bands: %s", counts);
  g_assert_nonnull (strstr (counts, "High 1"));
  g_assert_nonnull (strstr (counts, "Medium 1"));
  g_assert_nonnull (strstr (counts, "Incomplete 1"));
  save_screenshot (GTK_WIDGET (fixture->window), "ward.png");

  /* 3. The ward filter: only the ICU's beds. */
  wards = tw_ward_page_dup_wards (ward_page);
  g_assert_true (g_strv_contains ((const char * const *) wards, ACUTE_WARD));
  tw_ward_page_set_ward (ward_page, ACUTE_WARD);
  iterate_for (100);
  g_clear_pointer (&tiles, g_ptr_array_unref);
  tiles = tw_ward_page_list_tiles (ward_page);
  n_shown = tiles->len;
  g_assert_cmpuint (n_shown, >, 0);
  g_assert_cmpuint (n_shown, <, WARD_TILES);
  for (guint i = 0; i < tiles->len; i++)
    g_assert_cmpstr (tw_ward_tile_get_ward (g_ptr_array_index (tiles, i)), ==, ACUTE_WARD);
  tw_ward_page_set_ward (ward_page, NULL);
  iterate_for (100);
  g_clear_pointer (&tiles, g_ptr_array_unref);
  tiles = tw_ward_page_list_tiles (ward_page);
  g_assert_cmpuint (tiles->len, ==, WARD_TILES);

  /* A narrow window: one column of tiles, the counts wrap. */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), NARROW_WIDTH, 800);
  iterate_for (500);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, NARROW_WIDTH);
  save_screenshot (GTK_WIDGET (fixture->window), "ward-narrow.png");
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 800);
  iterate_for (300);

  /* The dark style reaches the tiles. */
  tw_settings_set_style (tw_application_get_settings (fixture->app), "dark");
  WAIT_FOR (adw_style_manager_get_dark (adw_style_manager_get_default ()), 5, "the dark style");
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "ward-dark.png");
  tw_settings_set_style (tw_application_get_settings (fixture->app), "follow");
  iterate_for (200);

  /* 4. Activating a tile (Enter or a click) opens that patient. */
  opened = g_ptr_array_index (tiles, 1);
  gtk_widget_activate (GTK_WIDGET (opened));
  WAIT_FOR (page_is (fixture, "monitor"), 5, "the monitor after activating a tile");
  WAIT_FOR (g_strcmp0 (tw_monitor_page_get_selected_key (monitor_page),
                       tw_ward_tile_get_key (opened)) == 0, DATA_TIMEOUT_S,
            "%s selected in the monitor (selected: %s)", tw_ward_tile_get_key (opened),
            tw_monitor_page_get_selected_key (monitor_page));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-ward", NULL);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "ward");

  /* 5. The analyst: the same beds, no names. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "lock", NULL);
  g_assert_cmpuint (tw_ward_page_get_n_tiles (ward_page), ==, 0);
  lock_and_switch_user (fixture);
  sign_in_to_ward (fixture, "anya", ANALYST_PASSWORD);
  WAIT_FOR (all_tiles_scored (ward_page, WARD_TILES), WARD_TIMEOUT_S,
            "%d scored tiles for the analyst (have %u):%s", WARD_TILES,
            tw_ward_page_get_n_tiles (ward_page), describe_tiles (ward_page));
  WAIT_FOR (any_tile_says (ward_page, "highest high") || any_tile_says (ward_page, "1 high alert"),
            ALERT_TIMEOUT_S,
            "the high alert on the analyst's ward:%s", describe_tiles (ward_page));
  g_clear_pointer (&tiles, g_ptr_array_unref);
  tiles = tw_ward_page_list_tiles (ward_page);
  for (guint i = 0; i < tiles->len; i++)
    {
      TwWardTile *masked = g_ptr_array_index (tiles, i);

      for (guint n = 0; n < names->len; n++)
        {
          g_assert_null (strstr (tw_ward_tile_get_summary (masked), g_ptr_array_index (names, n)));
          g_assert_cmpstr (tw_ward_tile_get_display_name (masked), !=, g_ptr_array_index (names, n));
        }
      g_assert_true (g_str_has_prefix (tw_ward_tile_get_display_name (masked), "S-"));
    }
  /* The console's live board carries the sources' entity keys: an analyst
   * handles no alerts and cannot open it, not even from the banner. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                     "show-alerts"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                     "show-alert"));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-alerts", NULL);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "ward");
  g_free (listing);
  listing = describe_tiles (ward_page);
  g_test_message ("the analyst's ward:%s", listing);
  g_test_message ("page before the screenshot: %s", tw_window_get_page_name (fixture->window));
  iterate_for (1000);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "ward");
  save_screenshot (GTK_WIDGET (fixture->window), "ward-analyst.png");
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
  g_test_add_func ("/ui/raw-message-format", test_raw_message_format);
  g_test_add ("/ui/admin-sources-quarantine", Fixture, NULL,
              fixture_setup, test_admin_sources_quarantine, fixture_teardown);
  g_test_add ("/ui/alert-console", Fixture, NULL,
              fixture_setup, test_alert_console, fixture_teardown);
  g_test_add ("/ui/ward-overview", Fixture, NULL,
              fixture_setup, test_ward_overview, fixture_teardown);

  status = g_test_run ();
  g_clear_object (&application);

  return status;
}
