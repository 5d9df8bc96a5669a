/* Administration and emergency access under Xvfb, driven through the real
 * window: an administrator adds a clinician with a ward (the one-time
 * password is shown once and works once, checked through the core),
 * disables and enables, changes the role and resets the password; the
 * Audit page lists those changes, filters by action and exports CSV;
 * a clinician without a patient's ward cannot open Emergency Access
 * without a reason, opens the patient with one, sees the bar and closes
 * it; the administrator reviews the grant. Screenshots go to
 * $TW_SCREENSHOT_DIR for a person to look at. A locked-out clinician is
 * unlocked from the Users page first. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "tw-admin-page.h"
#include "tw-application.h"
#include "tw-audit.h"
#include "tw-audit-page.h"
#include "tw-break-glass-bar.h"
#include "tw-break-glass-dialog.h"
#include "tw-clinical.h"
#include "tw-lockout.h"
#include "tw-login-page.h"
#include "tw-monitor-page.h"
#include "tw-session.h"
#include "tw-settings.h"
#include "tw-store.h"
#include "tw-store-scope.h"
#include "tw-time.h"
#include "tw-user-dialog.h"
#include "tw-user-row.h"
#include "tw-users-page.h"
#include "tw-window.h"
#include "tw-ui-test.h"

#define ADMIN              "ana"
#define ADMIN_PASSWORD     "tide pool lantern"
#define CLINICIAN          "clara"
#define CLINICIAN_PASSWORD "ward round kettle"
#define NEW_USER           "bob"
#define NEW_USER_PASSWORD  "harbour lights at dawn"
#define OWN_WARD           "Ward 7"
#define OTHER_WARD         "Ward 9"
#define OWN_PATIENT        "P-4711"
#define OTHER_PATIENT      "P-0815"
#define OTHER_MRN          "MRN-0815"
#define SHORT_REASON       "urgent"
#define REASON             "Covering the night shift: rapid response call"
#define REVIEW_NOTE        "Checked with the charge nurse"
/* Three wrong passwords lock an account at once, with no waits between. */
#define LOCKOUT_FAILURES   3
#define LOCKOUT_POLICY     "{\"lockout\": {\"max_failures\": 3, \"free_failures\": 3," \
                           " \"base_delay_s\": 0, \"max_delay_s\": 0}}"
#define SIGN_IN_TIMEOUT_S  60
#define WORK_TIMEOUT_S     30
#define SAMPLES            60
#define SAMPLE_STEP_US     ((gint64) 60 * G_USEC_PER_SEC)

/* One application per process, as in the real program. */
static TwApplication *application;

typedef struct
{
  char     *data_dir;
  TwWindow *window;
} Fixture;

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

static const TwClinicalRecord admissions[] = {
  { .kind = TW_CLINICAL_ADMISSION, .entity = OWN_PATIENT, .ref = "adt-1",
    .ward = OWN_WARD, .bed = "3", .code = OWN_WARD },
  { .kind = TW_CLINICAL_ADMISSION, .entity = OTHER_PATIENT, .ref = "adt-2",
    .ward = OTHER_WARD, .bed = "4", .code = OTHER_WARD },
};

/* The store: an administrator, a clinician of Ward 7 and two patients,
 * one on each ward, with an hour of heart rates. */
static void
write_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  const char *wards[] = { OWN_WARD, NULL };
  gint64 now = tw_time_now ();
  TwBatch *batch;

  session = tw_session_initialize (fixture->data_dir, ADMIN, ADMIN_PASSWORD, TW_KDF_COST_MIN,
                                   &error);
  g_assert_no_error (error);
  tw_session_add_user (session, CLINICIAN, TW_ROLE_CLINICIAN, CLINICIAN_PASSWORD, &error);
  g_assert_no_error (error);
  tw_session_set_user_wards (session, CLINICIAN, wards, &error);
  g_assert_no_error (error);
  store = tw_session_open_store (session, &error);
  g_assert_no_error (error);

  batch = tw_batch_new (0);
  tw_batch_add_entity_in_group (batch, "patient", OWN_PATIENT, "Maria Hernandez", "MRN-4711",
                                "3", OWN_WARD);
  tw_batch_add_entity_in_group (batch, "patient", OTHER_PATIENT, "Jonas Berg", OTHER_MRN, "4",
                                OTHER_WARD);
  /* Wards come from admissions. */
  for (guint i = 0; i < G_N_ELEMENTS (admissions); i++)
    {
      TwClinicalRecord record = admissions[i];

      record.ts = now - SAMPLES * SAMPLE_STEP_US;
      tw_batch_add_record (batch, &record);
    }
  for (int i = SAMPLES; i > 0; i--)
    {
      tw_batch_add_sample (batch, OWN_PATIENT, "hr", now - i * SAMPLE_STEP_US, 70 + i % 5);
      tw_batch_add_sample (batch, OTHER_PATIENT, "hr", now - i * SAMPLE_STEP_US, 90 + i % 7);
    }
  g_assert_true (tw_store_begin (store, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_write_batch (store, batch, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_commit (store, &error));
  g_assert_no_error (error);
  tw_batch_free (batch);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *security = NULL;

  fixture->data_dir = g_dir_make_tmp ("tidewatch-ui-admin-XXXXXX", &error);
  g_assert_no_error (error);
  write_store (fixture);
  security = g_build_filename (fixture->data_dir, TW_SECURITY_FILENAME, NULL);
  g_assert_true (g_file_set_contents (security, LOCKOUT_POLICY, -1, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->window != NULL && g_test_failed ())
    save_screenshot (GTK_WIDGET (fixture->window), "admin-last-failure.png");
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  iterate_for (100);
  g_assert_null (fixture->window);

  tw_settings_set_style (tw_application_get_settings (application), "follow");
  remove_tree (fixture->data_dir);
  g_clear_pointer (&fixture->data_dir, g_free);
}

static void
open_window (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  const char *urls[1] = { NULL };

  tw_application_set_data_dir (application, fixture->data_dir);
  tw_application_set_connect_urls (application, urls);
  tw_application_set_kdf_cost (application, TW_KDF_COST_MIN);
  if (!g_application_get_is_registered (G_APPLICATION (application)))
    g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);

  fixture->window = tw_window_new (application);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 800);
  gtk_window_present (GTK_WINDOW (fixture->window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
}

static gboolean
signed_in (Fixture *fixture)
{
  const char *page = tw_window_get_page_name (fixture->window);

  return tw_window_is_signed_in (fixture->window) && page != NULL
         && g_strcmp0 (page, "login") != 0 && g_strcmp0 (page, "setup") != 0
         && g_strcmp0 (page, "lock") != 0;
}

static void
sign_in_as (Fixture    *fixture,
            const char *user,
            const char *password)
{
  TwLoginPage *login_page = child (fixture->window, TW_TYPE_WINDOW, "login_page");

  WAIT_FOR (g_strcmp0 (tw_window_get_page_name (fixture->window), "login") == 0,
            SIGN_IN_TIMEOUT_S, "the login page (now %s)",
            tw_window_get_page_name (fixture->window));
  gtk_editable_set_text (GTK_EDITABLE (child (login_page, TW_TYPE_LOGIN_PAGE, "user_row")), user);
  gtk_editable_set_text (GTK_EDITABLE (child (login_page, TW_TYPE_LOGIN_PAGE, "password_row")),
                         password);
  iterate_for (20);
  gtk_widget_activate (child (login_page, TW_TYPE_LOGIN_PAGE, "sign_in_button"));
  WAIT_FOR (signed_in (fixture), SIGN_IN_TIMEOUT_S, "%s signed in (error: %s)", user,
            tw_login_page_get_error (login_page));
}

static TwUsersPage *
users_page (Fixture *fixture)
{
  return tw_admin_page_get_users_page (child (fixture->window, TW_TYPE_WINDOW, "admin_page"));
}

static TwAuditPage *
audit_page (Fixture *fixture)
{
  return tw_admin_page_get_audit_page (child (fixture->window, TW_TYPE_WINDOW, "admin_page"));
}

static const char *
status_of (TwUsersPage *page,
           const char  *name)
{
  TwUserListRow *row = tw_users_page_find_row (page, name);

  return row != NULL ? tw_user_list_row_get_status_text (row) : "(no row)";
}

static TwRole
role_of (TwUsersPage *page,
         const char  *name)
{
  const TwUserInfo *info = tw_users_page_get_user (page, name);

  return info != NULL ? info->role : (TwRole) -1;
}

/* The audit rows shown hold one with @action (and @subject when given). */
static gboolean
audit_shows (TwAuditPage *page,
             const char  *action,
             const char  *subject)
{
  GPtrArray *rows = tw_audit_page_get_rows (page);

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const TwAuditRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (row->action, action) == 0
          && (subject == NULL || g_strcmp0 (row->subject, subject) == 0))
        return TRUE;
    }

  return FALSE;
}

static guint
n_rows (TwAuditPage *page)
{
  GPtrArray *rows = tw_audit_page_get_rows (page);

  return rows != NULL ? rows->len : 0;
}

static guint
n_grants (TwAuditPage *page)
{
  GPtrArray *grants = tw_audit_page_get_grants (page);

  return grants != NULL ? grants->len : 0;
}

static void
on_exported (TwAuditPage *page,
             gboolean     ok,
             gpointer     user_data)
{
  *(int *) user_data = ok ? 1 : -1;
}

/* Takes the one-time password off the screen and closes its dialog. */
static char *
take_password (TwUsersPage *page)
{
  char *password = g_strdup (tw_users_page_get_shown_password (page));
  GtkWindow *dialog = tw_users_page_get_dialog (page);

  g_assert_nonnull (password);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "done");
  gtk_window_close (dialog);
  iterate_for (100);
  /* Shown once: closing the dialog forgets it. */
  g_assert_null (tw_users_page_get_shown_password (page));

  return password;
}

static void
test_users_audit_break_glass (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *one_time = NULL;
  g_autofree char *reset_password = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *csv_path = NULL;
  g_autoptr(GFile) csv_file = NULL;
  g_auto(GStrv) lines = NULL;
  TwSession *bob;
  TwUsersPage *users;
  TwAuditPage *audit;
  TwUserDialog *user_dialog;
  TwBreakGlassDialog *glass;
  TwMonitorPage *monitor;
  TwBreakGlassBar *bar;
  GtkWindow *dialog;
  guint all_rows, filtered, data_lines = 0;
  int exported = 0;
  gint64 grant_id;

  /* The clinician mistypes until the account locks (through the core,
   * as twctl would). */
  for (guint i = 0; i < LOCKOUT_FAILURES; i++)
    {
      bob = tw_session_login (fixture->data_dir, CLINICIAN, ADMIN_PASSWORD, &error);
      g_assert_null (bob);
      g_clear_error (&error);
    }
  bob = tw_session_login (fixture->data_dir, CLINICIAN, CLINICIAN_PASSWORD, &error);
  g_assert_null (bob);
  g_test_message ("locked out: %s", error->message);
  g_clear_error (&error);

  open_window (fixture);
  sign_in_as (fixture, ADMIN, ADMIN_PASSWORD);
  users = users_page (fixture);
  audit = audit_page (fixture);

  /* 1. The Users page lists the accounts with role and status. */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                    "show-users"));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-users", NULL);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "admin");
  WAIT_FOR (!tw_users_page_get_busy (users) && tw_users_page_find_row (users, CLINICIAN) != NULL,
            WORK_TIMEOUT_S, "the users listed");
  g_assert_cmpstr (status_of (users, CLINICIAN), ==, "Locked out");
  g_assert_cmpint (role_of (users, CLINICIAN), ==, TW_ROLE_CLINICIAN);
  iterate_for (500);  /* the page transition */
  save_screenshot (GTK_WIDGET (fixture->window), "users-locked.png");

  /* Unlock: the account signs in again (step 7 proves it). */
  gtk_widget_activate_action (GTK_WIDGET (users), "users.unlock", "s", CLINICIAN);
  WAIT_FOR (g_strcmp0 (status_of (users, CLINICIAN), "Active") == 0, WORK_TIMEOUT_S,
            "%s unlocked (status %s)", CLINICIAN, status_of (users, CLINICIAN));
  g_assert_true (g_strv_contains ((const char * const *) tw_users_page_get_user (users, CLINICIAN)->wards,
                                  OWN_WARD));

  /* 2. Add a clinician of Ward 9: a one-time password is shown once. */
  gtk_widget_activate_action (GTK_WIDGET (users), "users.add", NULL);
  user_dialog = TW_USER_DIALOG (tw_users_page_get_dialog (users));
  g_assert_true (TW_IS_USER_DIALOG (user_dialog));
  gtk_editable_set_text (child (user_dialog, TW_TYPE_USER_DIALOG, "name_row"), NEW_USER);
  adw_combo_row_set_selected (child (user_dialog, TW_TYPE_USER_DIALOG, "role_row"),
                              TW_ROLE_CLINICIAN);
  tw_user_dialog_set_ward_checked (user_dialog, OTHER_WARD, TRUE);
  iterate_for (100);
  save_screenshot (GTK_WIDGET (user_dialog), "user-dialog.png");
  gtk_widget_activate_action (GTK_WIDGET (user_dialog), "user.save", NULL);
  WAIT_FOR (tw_users_page_get_shown_password (users) != NULL, WORK_TIMEOUT_S,
            "the one-time password of %s", NEW_USER);
  save_screenshot (GTK_WIDGET (tw_users_page_get_dialog (users)), "one-time-password.png");
  one_time = take_password (users);
  WAIT_FOR (!tw_users_page_get_busy (users) && tw_users_page_find_row (users, NEW_USER) != NULL,
            WORK_TIMEOUT_S, "%s listed", NEW_USER);
  g_assert_cmpstr (status_of (users, NEW_USER), ==, "Must change password");
  g_assert_cmpint (role_of (users, NEW_USER), ==, TW_ROLE_CLINICIAN);
  g_assert_cmpstrv (tw_users_page_get_user (users, NEW_USER)->wards,
                    ((const char * const []) { OTHER_WARD, NULL }));
  iterate_for (500);  /* the page transition */
  save_screenshot (GTK_WIDGET (fixture->window), "users.png");

  /* It works once, through the core, and only to choose a new password. */
  bob = tw_session_login (fixture->data_dir, NEW_USER, one_time, &error);
  g_assert_no_error (error);
  g_assert_true (tw_session_must_change_password (bob));
  g_assert_true (tw_session_change_password (bob, one_time, NEW_USER_PASSWORD, &error));
  g_assert_no_error (error);
  g_clear_pointer (&bob, tw_session_free);
  bob = tw_session_login (fixture->data_dir, NEW_USER, one_time, &error);
  g_assert_null (bob);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* 3. Disable, then enable. */
  gtk_widget_activate_action (GTK_WIDGET (users), "users.disable", "s", NEW_USER);
  WAIT_FOR (g_strcmp0 (status_of (users, NEW_USER), "Disabled") == 0, WORK_TIMEOUT_S,
            "%s disabled (status %s)", NEW_USER, status_of (users, NEW_USER));
  bob = tw_session_login (fixture->data_dir, NEW_USER, NEW_USER_PASSWORD, &error);
  g_assert_null (bob);
  g_assert_nonnull (error);
  g_clear_error (&error);
  gtk_widget_activate_action (GTK_WIDGET (users), "users.enable", "s", NEW_USER);
  WAIT_FOR (g_strcmp0 (status_of (users, NEW_USER), "Active") == 0, WORK_TIMEOUT_S,
            "%s enabled (status %s)", NEW_USER, status_of (users, NEW_USER));

  /* 4. Change the role: an analyst has no wards. */
  gtk_widget_activate_action (GTK_WIDGET (users), "users.edit", "s", NEW_USER);
  user_dialog = TW_USER_DIALOG (tw_users_page_get_dialog (users));
  g_assert_true (TW_IS_USER_DIALOG (user_dialog));
  adw_combo_row_set_selected (child (user_dialog, TW_TYPE_USER_DIALOG, "role_row"),
                              TW_ROLE_ANALYST);
  gtk_widget_activate_action (GTK_WIDGET (user_dialog), "user.save", NULL);
  WAIT_FOR (role_of (users, NEW_USER) == TW_ROLE_ANALYST && !tw_users_page_get_busy (users),
            WORK_TIMEOUT_S, "%s an analyst", NEW_USER);

  /* 5. Reset: confirmed first, then a new one-time password. */
  gtk_widget_activate_action (GTK_WIDGET (users), "users.reset", "s", NEW_USER);
  dialog = tw_users_page_get_dialog (users);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "reset");
  WAIT_FOR (tw_users_page_get_shown_password (users) != NULL, WORK_TIMEOUT_S,
            "the reset password of %s", NEW_USER);
  reset_password = take_password (users);
  g_assert_cmpstr (reset_password, !=, one_time);
  WAIT_FOR (g_strcmp0 (status_of (users, NEW_USER), "Must change password") == 0,
            WORK_TIMEOUT_S, "%s must change (status %s)", NEW_USER, status_of (users, NEW_USER));

  /* 6. The Audit page: intact, and each change is listed. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-audit", NULL);
  WAIT_FOR (!tw_audit_page_get_busy (audit) && audit_shows (audit, "user-reset", NEW_USER),
            WORK_TIMEOUT_S, "the reset in the audit trail");
  g_assert_true (tw_audit_page_get_intact (audit));
  g_assert_true (audit_shows (audit, "user-add", NEW_USER));
  g_assert_true (audit_shows (audit, "user-disable", NEW_USER));
  g_assert_true (audit_shows (audit, "user-enable", NEW_USER));
  g_assert_true (audit_shows (audit, "user-role", NEW_USER));
  g_assert_true (audit_shows (audit, "account-unlocked", CLINICIAN));
  iterate_for (500);  /* the page transition */
  save_screenshot (GTK_WIDGET (fixture->window), "audit.png");
  all_rows = n_rows (audit);

  /* Filtering by action narrows the list to that action. */
  tw_audit_page_select_action (audit, "user-disable");
  WAIT_FOR (!tw_audit_page_get_busy (audit) && n_rows (audit) < all_rows, WORK_TIMEOUT_S,
            "the filtered list (%u of %u rows)", n_rows (audit), all_rows);
  filtered = n_rows (audit);
  g_assert_cmpuint (filtered, >=, 1);
  for (guint i = 0; i < filtered; i++)
    g_assert_cmpstr (((const TwAuditRow *) g_ptr_array_index (tw_audit_page_get_rows (audit), i))->action,
                     ==, "user-disable");

  /* Export writes what the filter shows. */
  csv_path = g_build_filename (fixture->data_dir, "audit.csv", NULL);
  csv_file = g_file_new_for_path (csv_path);
  g_signal_connect (audit, "exported", G_CALLBACK (on_exported), &exported);
  tw_audit_page_export_to_file (audit, csv_file);
  WAIT_FOR (exported != 0, WORK_TIMEOUT_S, "the export");
  g_signal_handlers_disconnect_by_func (audit, on_exported, &exported);
  g_assert_cmpint (exported, ==, 1);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_nonnull (strstr (lines[0], "action"));
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      data_lines++;
      g_assert_nonnull (strstr (lines[i], "user-disable"));
      g_assert_nonnull (strstr (lines[i], NEW_USER));
    }
  g_assert_cmpuint (data_lines, ==, filtered);

  tw_audit_page_select_action (audit, NULL);
  WAIT_FOR (!tw_audit_page_get_busy (audit) && audit_shows (audit, "export", "audit.csv"),
            WORK_TIMEOUT_S, "the export in the audit trail");
  tw_settings_set_style (tw_application_get_settings (application), "dark");
  iterate_for (200);
  save_screenshot (GTK_WIDGET (fixture->window), "audit-dark.png");
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-users", NULL);
  iterate_for (200);
  save_screenshot (GTK_WIDGET (fixture->window), "users-dark.png");
  tw_settings_set_style (tw_application_get_settings (application), "follow");

  /* 7. A clinician of Ward 7: the patient of Ward 9 is not listed. */
  tw_window_sign_out (fixture->window);
  sign_in_as (fixture, CLINICIAN, CLINICIAN_PASSWORD);
  monitor = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-monitor", NULL);
  WAIT_FOR (tw_monitor_page_get_n_patients (monitor) == 1, WORK_TIMEOUT_S,
            "only the own ward's patient (%u listed)", tw_monitor_page_get_n_patients (monitor));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                     "show-users"));

  /* Emergency Access without a reason, or with a short one, is refused. */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                    "break-glass"));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "break-glass", NULL);
  iterate_for (100);
  glass = TW_BREAK_GLASS_DIALOG (find_toplevel (TW_TYPE_BREAK_GLASS_DIALOG));
  g_assert_nonnull (glass);
  g_object_add_weak_pointer (G_OBJECT (glass), (gpointer *) &glass);
  gtk_editable_set_text (child (glass, TW_TYPE_BREAK_GLASS_DIALOG, "patient_row"), OTHER_MRN);
  iterate_for (50);
  g_assert_false (tw_break_glass_dialog_can_open (glass));
  gtk_widget_activate_action (GTK_WIDGET (glass), "break-glass.open", NULL);
  gtk_editable_set_text (child (glass, TW_TYPE_BREAK_GLASS_DIALOG, "reason_row"), SHORT_REASON);
  iterate_for (50);
  g_assert_false (tw_break_glass_dialog_can_open (glass));
  gtk_widget_activate_action (GTK_WIDGET (glass), "break-glass.open", NULL);
  gtk_widget_activate (GTK_WIDGET (child (glass, TW_TYPE_BREAK_GLASS_DIALOG, "open_button")));
  iterate_for (300);
  g_assert_nonnull (glass);
  bar = TW_BREAK_GLASS_BAR (g_object_get_data (G_OBJECT (fixture->window), "tw-break-glass-bar"));
  g_assert_nonnull (bar);
  g_assert_false (tw_break_glass_bar_is_shown (bar));
  g_assert_cmpuint (tw_monitor_page_get_n_patients (monitor), ==, 1);

  /* With a reason: the patient opens and the bar stays. */
  gtk_editable_set_text (child (glass, TW_TYPE_BREAK_GLASS_DIALOG, "reason_row"), REASON);
  iterate_for (50);
  g_assert_true (tw_break_glass_dialog_can_open (glass));
  save_screenshot (GTK_WIDGET (glass), "break-glass-dialog.png");
  gtk_widget_activate_action (GTK_WIDGET (glass), "break-glass.open", NULL);
  WAIT_FOR (glass == NULL, WORK_TIMEOUT_S, "the emergency access opened (error: %s)",
            glass != NULL ? tw_break_glass_dialog_get_error (glass) : "none");
  g_assert_true (tw_break_glass_bar_is_shown (bar));
  g_assert_nonnull (strstr (tw_break_glass_bar_get_text (bar), OTHER_MRN));
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "monitor");
  WAIT_FOR (g_strcmp0 (tw_monitor_page_get_selected_key (monitor), OTHER_PATIENT) == 0,
            WORK_TIMEOUT_S, "the patient shown (selected: %s)",
            tw_monitor_page_get_selected_key (monitor));
  g_assert_cmpuint (tw_monitor_page_get_n_patients (monitor), ==, 2);
  iterate_for (500);
  save_screenshot (GTK_WIDGET (fixture->window), "break-glass-bar.png");

  /* The bar stays on other pages too; Close Access ends it. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-ward", NULL);
  iterate_for (100);
  g_assert_true (tw_break_glass_bar_is_shown (bar));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "close-break-glass", NULL);
  WAIT_FOR (!tw_break_glass_bar_is_shown (bar), WORK_TIMEOUT_S, "the bar gone");
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-monitor", NULL);
  WAIT_FOR (tw_monitor_page_get_n_patients (monitor) == 1, WORK_TIMEOUT_S,
            "the other ward's patient gone (%u listed)", tw_monitor_page_get_n_patients (monitor));

  /* 8. The administrator's review list shows the grant. */
  tw_window_sign_out (fixture->window);
  sign_in_as (fixture, ADMIN, ADMIN_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-audit", NULL);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "admin");
  g_assert_cmpstr (tw_admin_page_get_view (child (fixture->window, TW_TYPE_WINDOW, "admin_page")),
                   ==, "audit");
  WAIT_FOR (!tw_audit_page_get_busy (audit) && n_grants (audit) == 1, WORK_TIMEOUT_S,
            "the grant to review (%u listed)", n_grants (audit));
  {
    const TwBreakGlassRow *grant = g_ptr_array_index (tw_audit_page_get_grants (audit), 0);

    g_assert_cmpstr (grant->user, ==, CLINICIAN);
    g_assert_cmpstr (grant->reason, ==, REASON);
    g_assert_cmpstr (grant->ward, ==, OTHER_WARD);
    grant_id = grant->id;
  }
  g_assert_true (audit_shows (audit, "break-glass", NULL));
  iterate_for (500);  /* the page transition */
  save_screenshot (GTK_WIDGET (fixture->window), "audit-review.png");

  gtk_widget_activate_action (GTK_WIDGET (audit), "audit.review", "x", grant_id);
  dialog = tw_audit_page_get_dialog (audit);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog))),
                         REVIEW_NOTE);
  save_screenshot (GTK_WIDGET (dialog), "audit-review-dialog.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "review");
  WAIT_FOR (!tw_audit_page_get_busy (audit) && n_grants (audit) == 0
            && audit_shows (audit, "break-glass-review", NULL),
            WORK_TIMEOUT_S, "the grant reviewed (%u to review)", n_grants (audit));

  /* 9. Removing a user re-encrypts the store behind a progress dialog;
   * the pages read on with the new key. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-users", NULL);
  WAIT_FOR (!tw_users_page_get_busy (users) && tw_users_page_find_row (users, NEW_USER) != NULL,
            WORK_TIMEOUT_S, "the users listed");
  gtk_widget_activate_action (GTK_WIDGET (users), "users.remove", "s", NEW_USER);
  dialog = tw_users_page_get_dialog (users);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "re-encrypted"));
  save_screenshot (GTK_WIDGET (dialog), "user-remove.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  WAIT_FOR (g_strcmp0 (tw_window_get_page_name (fixture->window), "admin") == 0
            && !tw_users_page_get_busy (users) && tw_users_page_find_row (users, CLINICIAN) != NULL
            && tw_users_page_find_row (users, NEW_USER) == NULL,
            WORK_TIMEOUT_S, "%s removed", NEW_USER);
  bob = tw_session_login (fixture->data_dir, NEW_USER, NEW_USER_PASSWORD, &error);
  g_assert_null (bob);
  g_clear_error (&error);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-audit", NULL);
  WAIT_FOR (!tw_audit_page_get_busy (audit) && audit_shows (audit, "user-remove", NEW_USER),
            WORK_TIMEOUT_S, "the removal in the audit trail");
  g_assert_true (tw_audit_page_get_intact (audit));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  application = tw_application_new ();

  g_test_add ("/ui-admin/users-audit-break-glass", Fixture, NULL,
              fixture_setup, test_users_audit_break_glass, fixture_teardown);

  status = g_test_run ();
  g_clear_object (&application);

  return status;
}
