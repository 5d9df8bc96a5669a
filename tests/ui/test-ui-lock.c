/* Locking while monitoring goes on, under Xvfb with the real window: a
 * live tidewatch-feed plus a replayed desaturation (a high alert) on
 * loopback; Ctrl+L locks (no reader left, the pipeline detached and
 * spooling, the lock page shows bed/priority/count and no name, the alarm
 * announces without names), a wrong password is refused, the right one
 * returns to the page shown before and what arrived while locked is in
 * the store; Switch User attaches the running pipeline with another
 * user's key; a one-time password leads to the password page first.
 * Screenshots go to $TW_SCREENSHOT_DIR. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/prctl.h>

#include "tw-alert-notifier.h"
#include "tw-application.h"
#include "tw-lock-page.h"
#include "tw-login-page.h"
#include "tw-monitor-page.h"
#include "tw-password-page.h"
#include "tw-pipeline.h"
#include "tw-reader.h"
#include "tw-session.h"
#include "tw-store.h"
#include "tw-window.h"
#include "tw-ui-test.h"

#define ADMIN_PASSWORD     "tide pool lantern"
#define OPERATOR           "otto"
#define OPERATOR_PASSWORD  "night shift kettle"
#define WRONG_PASSWORD     "night shift kettles"
#define CLINICIAN          "nina"
#define CLINICIAN_PASSWORD "harbour lights at dawn"
#define FEED_PATIENTS      4
#define SIGN_IN_TIMEOUT_S  60
#define FEED_TIMEOUT_S     15
#define DATA_TIMEOUT_S     20
#define ERROR_TIMEOUT_S    30
#define LOCK_TIMEOUT_S     10
#define ALERT_TIMEOUT_S    30
#define ALERT_PATIENT      "W0001"
#define ALERT_BED          "W4-01"
#define ALERT_NAME         "Ines Replay"
#define ALERT_MRN          "MRN-4401"
#define ALERT_SAMPLES      60
#define ALERT_NORMAL       20
#define ALERT_LOW_SPO2     84
#define SPOOL_GROWTH       2
#define LOCKED_FOR_MS      3000
#define STALL_TICK_MS      5
#define MAX_STALL_MS       250

/* The fixture: tests/ui/tw-ui-window.h (needs the constants above). */
#include "tw-ui-window.h"


/* The test */

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
}

static guint64
spooled (Fixture *fixture)
{
  TwPipeline *pipeline = tw_window_get_pipeline (fixture->window);
  g_autoptr(TwPipelineStatus) status = NULL;

  if (pipeline == NULL)
    return 0;
  status = tw_pipeline_get_status (pipeline);
  return status->spooled;
}

static gboolean
pipeline_detached (Fixture *fixture)
{
  TwPipeline *pipeline = tw_window_get_pipeline (fixture->window);
  g_autoptr(TwPipelineStatus) status = NULL;

  if (pipeline == NULL)
    return FALSE;
  status = tw_pipeline_get_status (pipeline);
  return status->detached;
}

static gboolean
merge_finished (Fixture *fixture)
{
  TwPipeline *pipeline = tw_window_get_pipeline (fixture->window);
  g_autoptr(TwPipelineStatus) status = NULL;

  if (pipeline == NULL)
    return FALSE;
  status = tw_pipeline_get_status (pipeline);
  return !status->detached && !status->merging && status->merge_done >= status->merge_total;
}

static char *
lock_page_text (TwLockPage *page)
{
  return tw_lock_page_dup_text (page);
}

/* Samples stored with an event time in [@from, @to), read through a
 * session of the test's own (as twctl would). */
static gint64
count_samples_between (Fixture    *fixture,
                       const char *user,
                       const char *password,
                       gint64      from,
                       gint64      to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = tw_session_login (fixture->data_dir, user, password, &error);
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) stats = NULL;
  gint64 total = 0;

  g_assert_no_error (error);
  store = tw_session_open_store (session, &error);
  g_assert_no_error (error);
  stats = tw_store_list_series_stats (store, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < stats->len; i++)
    {
      TwSeriesStats *series = g_ptr_array_index (stats, i);
      g_autoptr(GArray) samples = tw_store_read_samples (store, series->entity, series->metric,
                                                         from, to, &error);

      g_assert_no_error (error);
      total += samples->len;
    }

  return total;
}

static void
make_users (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;

  session = tw_session_initialize (fixture->data_dir, "root", ADMIN_PASSWORD, TW_KDF_COST_MIN,
                                   &error);
  g_assert_no_error (error);
  tw_session_add_user (session, OPERATOR, TW_ROLE_OPERATOR, OPERATOR_PASSWORD, &error);
  g_assert_no_error (error);
}

/* 1. Lock while the feed runs, unlock, switch user. */
static void
test_lock_monitoring_unlock (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *replay_path = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lock_accels = NULL;
  const char *urls[3] = { NULL, NULL, NULL };
  TwLockPage *lock_page;
  TwLoginPage *login_page;
  TwMonitorPage *monitor_page;
  TwAlertNotifier *notifier;
  GtkWidget *password_row;
  guint64 spooled_at_lock;
  gint64 locked_at, unlocked_at, stored_while_locked, lock_call_us;
  double max_stall_ms;

  make_users (fixture);
  replay_path = write_desaturation_file (fixture);
  urls[0] = fixture->feed_url;
  urls[1] = replay_path;
  open_window_with_urls (fixture, urls);
  lock_page = child (fixture->window, TW_TYPE_WINDOW, "lock_page");
  login_page = child (fixture->window, TW_TYPE_WINDOW, "login_page");
  monitor_page = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");
  password_row = child (lock_page, TW_TYPE_LOCK_PAGE, "password_row");
  notifier = tw_window_get_alert_notifier (fixture->window);

  /* Nobody signed in: Ctrl+L has nothing to lock. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "lock", NULL);
  g_assert_true (page_is (fixture, "login"));

  /* The operator signs in; the replay raises a high alert, the feed
   * streams. */
  sign_in_as (fixture, OPERATOR, OPERATOR_PASSWORD);
  WAIT_FOR (page_is (fixture, "monitor"), SIGN_IN_TIMEOUT_S, "the monitor (error: %s)",
            tw_login_page_get_error (login_page));
  WAIT_FOR (tw_monitor_page_get_n_patients (monitor_page) > FEED_PATIENTS, DATA_TIMEOUT_S,
            "the feed's patients and the replayed one (have %u)",
            tw_monitor_page_get_n_patients (monitor_page));
  WAIT_FOR (tw_alert_notifier_get_n_notifications (notifier) > 0, ALERT_TIMEOUT_S,
            "the high alert's announcement");
  g_assert_nonnull (strstr (tw_alert_notifier_get_last_body (notifier), ALERT_NAME));
  g_assert_cmpuint (tw_reader_get_n_alive (), >, 0);
  g_assert_false (pipeline_detached (fixture));

  /* The unlock returns here, not to the first page. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-alerts", NULL);
  g_assert_true (page_is (fixture, "alerts"));

  /* 2. Ctrl+L: the lock page, no reader left, the pipeline detached. */
  lock_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app), "app.lock");
  g_assert_true (g_strv_contains ((const char * const *) lock_accels, "<Control>l"));
  locked_at = g_get_real_time ();
  lock_call_us = g_get_monotonic_time ();
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "lock", NULL);
  lock_call_us = g_get_monotonic_time () - lock_call_us;
  g_test_message ("the lock itself took %.1f ms", lock_call_us / 1000.0);
  /* Everything slow (the audited lock, the pipeline's last commit) runs
   * in a worker; the first frame of the lock page (icons, layout in
   * software) is not what this measures. */
  g_assert_cmpfloat (lock_call_us / 1000.0, <, MAX_STALL_MS);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  stall_monitor_start (&fixture->stalls);
  g_assert_true (page_is (fixture, "lock"));
  g_assert_true (tw_window_is_locked (fixture->window));
  g_assert_false (tw_window_is_signed_in (fixture->window));
  g_assert_cmpuint (tw_monitor_page_get_n_patients (monitor_page), ==, 0);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                     "show-monitor"));
  WAIT_FOR (tw_reader_get_n_alive () == 0, LOCK_TIMEOUT_S,
            "every reader (a key copy) gone (%u left)", tw_reader_get_n_alive ());
  WAIT_FOR (pipeline_detached (fixture), LOCK_TIMEOUT_S, "the pipeline to detach its key");

  /* Monitoring goes on: the spool grows, the alert's bed is listed with
   * its priority and count — and nothing names the patient. */
  spooled_at_lock = spooled (fixture);
  WAIT_FOR (spooled (fixture) >= spooled_at_lock + SPOOL_GROWTH, DATA_TIMEOUT_S,
            "the spool to grow beyond %" G_GUINT64_FORMAT " (now %" G_GUINT64_FORMAT ")",
            spooled_at_lock, spooled (fixture));
  WAIT_FOR (tw_lock_page_get_n_beds (lock_page) > 0, LOCK_TIMEOUT_S, "a bed on the lock page");
  WAIT_FOR (tw_lock_page_get_spooled (lock_page) > 0, LOCK_TIMEOUT_S,
            "the spooled count on the lock page");
  text = lock_page_text (lock_page);
  g_test_message ("lock page:\n%s", text);
  g_assert_nonnull (strstr (text, ALERT_BED));
  g_assert_nonnull (strstr (text, "High priority"));
  g_assert_nonnull (strstr (text, "1 open alert"));
  g_assert_nonnull (strstr (text, OPERATOR));
  g_assert_nonnull (strstr (text, "kept encrypted"));
  g_assert_null (strstr (text, ALERT_NAME));
  g_assert_null (strstr (text, ALERT_PATIENT));
  g_assert_null (strstr (text, ALERT_MRN));
  /* The alarm goes on, and its notification names nobody. */
  g_assert_cmpint (tw_alert_notifier_get_sound (notifier), ==, TW_ALERT_SOUND_HIGH);
  WAIT_FOR (strstr (tw_alert_notifier_get_last_body (notifier), "Unlock") != NULL,
            LOCK_TIMEOUT_S, "a nameless announcement (last: %s)",
            tw_alert_notifier_get_last_body (notifier));
  g_assert_null (strstr (tw_alert_notifier_get_last_body (notifier), ALERT_NAME));
  g_assert_null (strstr (tw_alert_notifier_get_last_body (notifier), ALERT_PATIENT));
  max_stall_ms = stall_monitor_stop (&fixture->stalls);
  g_test_message ("longest main loop stall while locking: %.1f ms", max_stall_ms);
  g_assert_cmpfloat (max_stall_ms, <, MAX_STALL_MS);
  iterate_for (LOCKED_FOR_MS);
  save_screenshot (GTK_WIDGET (fixture->window), "lock.png");

  /* 3. A wrong password is refused on the lock page. */
  set_text (password_row, WRONG_PASSWORD);
  iterate_for (20);
  gtk_widget_activate (child (lock_page, TW_TYPE_LOCK_PAGE, "unlock_button"));
  WAIT_FOR (tw_lock_page_get_error (lock_page) != NULL, ERROR_TIMEOUT_S,
            "an error after a wrong password");
  g_test_message ("error: %s", tw_lock_page_get_error (lock_page));
  g_assert_true (g_str_has_prefix (tw_lock_page_get_error (lock_page), "Wrong user name or password"));
  g_assert_true (page_is (fixture, "lock"));
  g_assert_true (tw_window_is_locked (fixture->window));
  g_assert_cmpstr (get_text (password_row), ==, "");
  g_assert_cmpuint (tw_reader_get_n_alive (), ==, 0);
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "lock-wrong-password.png");

  /* 4. The right one: back to the alert console, what arrived while
   * locked is stored and readable. */
  set_text (password_row, OPERATOR_PASSWORD);
  iterate_for (20);
  g_signal_emit_by_name (password_row, "entry-activated");
  WAIT_FOR (!page_is (fixture, "lock"), SIGN_IN_TIMEOUT_S, "the window to unlock (error: %s)",
            tw_lock_page_get_error (lock_page));
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "alerts");
  unlocked_at = g_get_real_time ();
  g_assert_true (tw_window_is_signed_in (fixture->window));
  g_assert_cmpuint (tw_reader_get_n_alive (), >, 0);
  WAIT_FOR (tw_monitor_page_get_n_patients (monitor_page) > FEED_PATIENTS, DATA_TIMEOUT_S,
            "the patients again");
  WAIT_FOR (merge_finished (fixture), DATA_TIMEOUT_S, "the spool merged");
  WAIT_FOR (tw_window_get_status_message (fixture->window) != NULL
            && g_str_has_prefix (tw_window_get_status_message (fixture->window), "Stored"),
            DATA_TIMEOUT_S, "the merge's result (shows: %s)",
            tw_window_get_status_message (fixture->window));
  g_test_message ("status: %s", tw_window_get_status_message (fixture->window));
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "unlocked.png");
  stored_while_locked = count_samples_between (fixture, OPERATOR, OPERATOR_PASSWORD,
                                               locked_at + G_USEC_PER_SEC,
                                               unlocked_at - G_USEC_PER_SEC);
  g_test_message ("samples stored with times while locked: %" G_GINT64_FORMAT,
                  stored_while_locked);
  g_assert_cmpint (stored_while_locked, >, 0);
}

/* 2. Switch User: another user signs in at the lock screen; the running
 * pipeline attaches with their key. */
static void
test_switch_user (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  TwLockPage *lock_page;
  TwLoginPage *login_page;
  TwPipeline *pipeline;

  make_users (fixture);
  open_window (fixture);
  lock_page = child (fixture->window, TW_TYPE_WINDOW, "lock_page");
  login_page = child (fixture->window, TW_TYPE_WINDOW, "login_page");

  sign_in_as (fixture, OPERATOR, OPERATOR_PASSWORD);
  WAIT_FOR (page_is (fixture, "monitor"), SIGN_IN_TIMEOUT_S, "the monitor (error: %s)",
            tw_login_page_get_error (login_page));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "lock", NULL);
  WAIT_FOR (pipeline_detached (fixture), LOCK_TIMEOUT_S, "the pipeline to detach its key");
  pipeline = tw_window_get_pipeline (fixture->window);
  WAIT_FOR (gtk_widget_is_sensitive (child (lock_page, TW_TYPE_LOCK_PAGE, "switch_button")),
            LOCK_TIMEOUT_S, "Switch User to become available");

  gtk_widget_activate (child (lock_page, TW_TYPE_LOCK_PAGE, "switch_button"));
  WAIT_FOR (page_is (fixture, "login"), LOCK_TIMEOUT_S, "the login page after Switch User "
            "(page: %s)", tw_window_get_page_name (fixture->window));
  g_assert_true (tw_login_page_get_switching (login_page));
  g_assert_cmpstr (get_text (child (login_page, TW_TYPE_LOGIN_PAGE, "user_row")), ==, "");
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "switch-user.png");

  /* Back returns to the lock; Ctrl+L too. */
  gtk_widget_activate (child (login_page, TW_TYPE_LOGIN_PAGE, "back_button"));
  WAIT_FOR (page_is (fixture, "lock"), LOCK_TIMEOUT_S, "the lock page after Back");
  gtk_widget_activate (child (lock_page, TW_TYPE_LOCK_PAGE, "switch_button"));
  WAIT_FOR (page_is (fixture, "login"), LOCK_TIMEOUT_S, "the login page again");

  sign_in_as (fixture, "root", ADMIN_PASSWORD);
  WAIT_FOR (page_is (fixture, "ward"), SIGN_IN_TIMEOUT_S, "root's ward overview (error: %s)",
            tw_login_page_get_error (login_page));
  g_assert_false (tw_window_is_locked (fixture->window));
  g_assert_true (tw_window_is_signed_in (fixture->window));
  /* The same pipeline, attached with root's key: monitoring never stopped. */
  g_assert_true (tw_window_get_pipeline (fixture->window) == pipeline);
  WAIT_FOR (merge_finished (fixture), DATA_TIMEOUT_S, "the spool merged for root");
  g_assert_false (tw_login_page_get_switching (login_page));
}

/* 3. A one-time password: the password page before anything else. */
static void
test_one_time_password (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) admin = NULL;
  const char *all_wards[] = { "*", NULL };
  char *one_time;
  g_autofree char *one_time_copy = NULL;
  TwLoginPage *login_page;
  TwPasswordPage *password_page;

  admin = tw_session_initialize (fixture->data_dir, "root", ADMIN_PASSWORD, TW_KDF_COST_MIN,
                                 &error);
  g_assert_no_error (error);
  tw_session_add_user (admin, CLINICIAN, TW_ROLE_CLINICIAN, CLINICIAN_PASSWORD, &error);
  g_assert_no_error (error);
  tw_session_set_user_wards (admin, CLINICIAN, all_wards, &error);
  g_assert_no_error (error);
  one_time = tw_session_reset_password (admin, CLINICIAN, &error);
  g_assert_no_error (error);
  one_time_copy = g_strdup (one_time);
  tw_password_free (one_time);
  g_clear_pointer (&admin, tw_session_free);

  open_window (fixture);
  login_page = child (fixture->window, TW_TYPE_WINDOW, "login_page");
  password_page = child (fixture->window, TW_TYPE_WINDOW, "password_page");

  sign_in_as (fixture, CLINICIAN, one_time_copy);
  WAIT_FOR (page_is (fixture, "password"), SIGN_IN_TIMEOUT_S,
            "the password page (page: %s, error: %s)",
            tw_window_get_page_name (fixture->window), tw_login_page_get_error (login_page));
  g_assert_true (tw_password_page_get_one_time (password_page));
  g_assert_false (tw_window_is_signed_in (fixture->window));
  g_assert_null (tw_window_get_pipeline (fixture->window));
  g_assert_cmpuint (tw_reader_get_n_alive (), ==, 0);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                     "show-ward"));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-ward", NULL);
  g_assert_true (page_is (fixture, "password"));
  g_assert_nonnull (strstr (tw_password_page_get_hint (password_page), "15 or more"));
  g_assert_false (tw_password_page_get_hint_is_error (password_page));
  /* Let the page's cross-fade finish: a screenshot mid-transition shows two
   * pages on top of each other. */
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "password-one-time.png");

  /* A common password is refused inline, as is a mismatch. */
  set_text (child (password_page, TW_TYPE_PASSWORD_PAGE, "current_row"), one_time_copy);
  set_text (child (password_page, TW_TYPE_PASSWORD_PAGE, "new_row"), "password123");
  iterate_for (50);
  g_test_message ("hint: %s", tw_password_page_get_hint (password_page));
  g_assert_true (tw_password_page_get_hint_is_error (password_page));
  g_assert_false (gtk_widget_get_sensitive (child (password_page, TW_TYPE_PASSWORD_PAGE,
                                                   "change_button")));
  save_screenshot (GTK_WIDGET (fixture->window), "password-weak.png");
  set_text (child (password_page, TW_TYPE_PASSWORD_PAGE, "new_row"), CLINICIAN_PASSWORD);
  set_text (child (password_page, TW_TYPE_PASSWORD_PAGE, "confirm_row"), "harbour lights");
  iterate_for (50);
  g_assert_cmpstr (tw_password_page_get_hint (password_page), ==, "The passwords do not match");

  /* Pasted (set at once), confirmed: the ward overview opens. */
  set_text (child (password_page, TW_TYPE_PASSWORD_PAGE, "confirm_row"), CLINICIAN_PASSWORD);
  iterate_for (50);
  g_assert_false (tw_password_page_get_hint_is_error (password_page));
  gtk_widget_activate (child (password_page, TW_TYPE_PASSWORD_PAGE, "change_button"));
  WAIT_FOR (page_is (fixture, "ward"), SIGN_IN_TIMEOUT_S, "the ward after the change (hint: %s)",
            tw_password_page_get_hint (password_page));
  g_assert_true (tw_window_is_signed_in (fixture->window));
  g_assert_nonnull (tw_window_get_pipeline (fixture->window));

  /* "Change Password…" from the menu opens the same page; Cancel returns. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "change-password", NULL);
  g_assert_true (page_is (fixture, "password"));
  g_assert_false (tw_password_page_get_one_time (password_page));
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "password-change.png");
  gtk_widget_activate (child (password_page, TW_TYPE_PASSWORD_PAGE, "cancel_button"));
  WAIT_FOR (page_is (fixture, "ward"), LOCK_TIMEOUT_S, "the ward after Cancel (page: %s)",
            tw_window_get_page_name (fixture->window));

  /* The new password signs in; the one-time one no longer does. */
  g_clear_pointer (&admin, tw_session_free);
  admin = tw_session_login (fixture->data_dir, CLINICIAN, CLINICIAN_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_false (tw_session_must_change_password (admin));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  application = tw_application_new ();

  g_test_add ("/ui-lock/lock-monitoring-unlock", Fixture, NULL,
              fixture_setup, test_lock_monitoring_unlock, fixture_teardown);
  g_test_add ("/ui-lock/switch-user", Fixture, NULL,
              fixture_setup, test_switch_user, fixture_teardown);
  g_test_add ("/ui-lock/one-time-password", Fixture, NULL,
              fixture_setup, test_one_time_password, fixture_teardown);

  status = g_test_run ();
  g_clear_object (&application);

  return status;
}
