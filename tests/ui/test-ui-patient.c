/* The patient view under Xvfb, driven through the real window: a store
 * written directly (a patient's record, three hours of vital signs and 14
 * days of CGM glucose), a clinician and an analyst signing in, and what
 * each of them sees: the header by role, the live NEWS2 tile, the NEWS2
 * history, the record's timeline, the glucose statistics and forecast, and
 * charts that zoom and pan together. Screenshots go to $TW_SCREENSHOT_DIR
 * for a person to look at. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>

#include "tw-application.h"
#include "tw-ar2.h"
#include "tw-chart-view.h"
#include "tw-glucose.h"
#include "tw-glucose-panel.h"
#include "tw-lock-page.h"
#include "tw-login-page.h"
#include "tw-monitor-page.h"
#include "tw-news2.h"
#include "tw-patient.h"
#include "tw-patient-row.h"
#include "tw-patient-view.h"
#include "tw-session.h"
#include "tw-settings.h"
#include "tw-store.h"
#include "tw-time.h"
#include "tw-timeline-row.h"
#include "tw-window.h"
#include "tw-ui-test.h"

#define ADMIN_PASSWORD     "tide pool lantern"
#define CLINICIAN          "clara"
#define CLINICIAN_PASSWORD "ward round kettle"
#define ANALYST            "alex"
#define ANALYST_PASSWORD   "cohort study lamp"
#define PATIENT            "P-4711"
#define PATIENT_NAME       "Maria Hernandez"
#define PATIENT_MRN        "MRN-4711"
#define OTHER_PATIENT      "P-0815"
#define OTHER_NAME         "Jonas Berg"
#define WARD               "Ward 7"
#define SIGN_IN_TIMEOUT_S  60
#define DATA_TIMEOUT_S     20
#define HOUR_US            ((gint64) 3600 * G_USEC_PER_SEC)
#define DAY_US             (24 * HOUR_US)
#define VITALS_HOURS       3
#define VITALS_STEP_US     (5 * G_USEC_PER_SEC)
#define CGM_STEP_US        (5 * 60 * G_USEC_PER_SEC)
#define CGM_DAYS           14
#define ZOOM_OUT_STEPS     10

/* The last hour of vital signs: NEWS2 rr 22 → 2, SpO2 95 → 1, air → 0,
 * systolic 105 → 1, pulse 95 → 1, alert → 0, 38.4 °C → 1: 6, medium. */
#define LAST_RR    22.0
#define LAST_SPO2  95.0
#define LAST_SBP   105.0
#define LAST_DBP   64.0
#define LAST_HR    95.0
#define LAST_TEMP  38.4

/* One application per process, as in the real program. */
static TwApplication *application;

typedef struct
{
  char          *data_dir;
  TwWindow      *window;
  gint64         now;
  GArray        *glucose;   /* what was stored, for the expected statistics */
  guint          n_records;
} Fixture;

/* The data */

/* Linear from @start to @end over the first two hours, then @end. */
static double
trend (gint64 t,
       gint64 t0,
       double start,
       double end)
{
  double share = MIN (1.0, (double) (t - t0) / (2 * HOUR_US));

  return start + (end - start) * share;
}

static void
add_vitals (TwBatch    *batch,
            const char *key,
            gint64      now,
            gboolean    with_acvpu)
{
  gint64 t0 = now - VITALS_HOURS * HOUR_US;

  for (gint64 t = t0; t <= now - VITALS_STEP_US; t += VITALS_STEP_US)
    {
      tw_batch_add_sample (batch, key, "hr", t, round (trend (t, t0, 78, LAST_HR)));
      tw_batch_add_sample (batch, key, "spo2", t, round (trend (t, t0, 98, LAST_SPO2)));
      tw_batch_add_sample (batch, key, "sbp", t, round (trend (t, t0, 128, LAST_SBP)));
      tw_batch_add_sample (batch, key, "dbp", t, round (trend (t, t0, 78, LAST_DBP)));
      tw_batch_add_sample (batch, key, "rr", t, round (trend (t, t0, 15, LAST_RR)));
      tw_batch_add_sample (batch, key, "temp", t, round (trend (t, t0, 37.0, LAST_TEMP) * 10) / 10);
      /* Air and ACVPU are charted with each observation set, every 15 min. */
      if ((t - t0) % (15 * 60 * G_USEC_PER_SEC) == 0)
        {
          tw_batch_add_sample (batch, key, "o2", t, 0);
          if (with_acvpu)
            tw_batch_add_sample (batch, key, "acvpu", t, TW_ACVPU_ALERT);
        }
    }
}

/* 14 days of CGM every 5 minutes: a daily swing around 150 mg/dL with a
 * deterministic wobble, and a fall over the last half hour that AR2
 * predicts to go low. */
static GArray *
make_glucose (gint64 now)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (TwPoint));
  g_autoptr(GRand) rand = g_rand_new_with_seed (4711);
  gint64 last = now - 60 * G_USEC_PER_SEC;
  gint64 first = last - (gint64) (CGM_DAYS * DAY_US) + 30 * 60 * G_USEC_PER_SEC;

  for (gint64 t = first; t <= last; t += CGM_STEP_US)
    {
      TwPoint point = { t, 0 };
      double day_phase = (double) (t % DAY_US) / DAY_US * 2 * G_PI;
      gint64 to_end = last - t;

      point.value = round (150 + 55 * sin (day_phase) + g_rand_double_range (rand, -25, 25));
      if (to_end <= 30 * 60 * G_USEC_PER_SEC)
        point.value = 84 + (double) to_end / CGM_STEP_US * 9;
      point.value = CLAMP (point.value, 40, 400);
      g_array_append_val (points, point);
    }

  return points;
}

static const TwClinicalRecord records[] = {
  { .kind = TW_CLINICAL_DEMOGRAPHICS, .entity = PATIENT, .ref = "demo-1",
    .birth_date = "1958-03-14", .sex = "female" },
  { .kind = TW_CLINICAL_HISTORY, .entity = PATIENT, .ref = "hx-1",
    .code = "E11.9", .text = "Type 2 diabetes mellitus without complications", .status = "active" },
  { .kind = TW_CLINICAL_ALLERGY, .entity = PATIENT, .ref = "alg-1",
    .code = "373270004", .text = "Penicillin", .detail = "hives", .status = "moderate" },
  { .kind = TW_CLINICAL_ADMISSION, .entity = PATIENT, .ref = "adt-a01",
    .ward = WARD, .bed = "3", .code = WARD },
  { .kind = TW_CLINICAL_DIAGNOSIS, .entity = PATIENT, .ref = "cond-1",
    .code = "J18.9", .text = "Pneumonia, unspecified organism", .status = "active" },
  { .kind = TW_CLINICAL_PRESCRIPTION, .entity = PATIENT, .ref = "rx-1",
    .code = "J01FA09", .text = "Clarithromycin", .detail = "500 mg orally every 12 h",
    .status = "active" },
  { .kind = TW_CLINICAL_TREATMENT, .entity = PATIENT, .ref = "proc-1",
    .code = "57485005", .text = "Oxygen therapy", .status = "stopped" },
};

/* When each record happened, hours before now (history and allergy long
 * ago). */
static const double record_hours_ago[] = { 0, 24 * 900, 24 * 400, 3, 2.5, 2, 1.5 };

static void
write_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  TwBatch *batch;

  session = tw_session_initialize (fixture->data_dir, "root", ADMIN_PASSWORD, TW_KDF_COST_MIN,
                                   &error);
  g_assert_no_error (error);
  tw_session_add_user (session, CLINICIAN, TW_ROLE_CLINICIAN, CLINICIAN_PASSWORD, &error);
  g_assert_no_error (error);
  /* Every ward: clinicians see their wards' patients only (test-scope.c). */
  tw_session_set_user_wards (session, CLINICIAN, (const char *[]) { "*", NULL }, &error);
  g_assert_no_error (error);
  tw_session_add_user (session, ANALYST, TW_ROLE_ANALYST, ANALYST_PASSWORD, &error);
  g_assert_no_error (error);
  store = tw_session_open_store (session, &error);
  g_assert_no_error (error);

  fixture->now = tw_time_now ();
  fixture->glucose = make_glucose (fixture->now);

  batch = tw_batch_new (0);
  tw_batch_add_entity_in_group (batch, "patient", PATIENT, PATIENT_NAME, PATIENT_MRN, "3", WARD);
  tw_batch_add_entity_in_group (batch, "patient", OTHER_PATIENT, OTHER_NAME, "MRN-0815", "4", WARD);
  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    {
      TwClinicalRecord record = records[i];

      record.ts = fixture->now - (gint64) (record_hours_ago[i] * HOUR_US);
      tw_batch_add_record (batch, &record);
      if (record.kind != TW_CLINICAL_DEMOGRAPHICS)
        fixture->n_records++;
    }
  add_vitals (batch, PATIENT, fixture->now, TRUE);
  add_vitals (batch, OTHER_PATIENT, fixture->now, FALSE);
  for (guint i = 0; i < fixture->glucose->len; i++)
    {
      const TwPoint *p = &g_array_index (fixture->glucose, TwPoint, i);

      tw_batch_add_sample (batch, PATIENT, "glucose", p->ts, p->value);
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

  fixture->data_dir = g_dir_make_tmp ("tidewatch-ui-patient-XXXXXX", &error);
  g_assert_no_error (error);
  write_store (fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->window != NULL && g_test_failed ())
    save_screenshot (GTK_WIDGET (fixture->window), "patient-last-failure.png");
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  iterate_for (100);
  g_assert_null (fixture->window);

  tw_settings_set_style (tw_application_get_settings (application), "follow");
  remove_tree (fixture->data_dir);
  g_clear_pointer (&fixture->data_dir, g_free);
  g_clear_pointer (&fixture->glucose, g_array_unref);
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
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1280, 860);
  gtk_window_present (GTK_WINDOW (fixture->window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
}

static gboolean
signed_in (Fixture *fixture)
{
  const char *page = tw_window_get_page_name (fixture->window);

  return page != NULL && g_strcmp0 (page, "login") != 0 && g_strcmp0 (page, "setup") != 0;
}

/* Ctrl+L locks (monitoring goes on, see test-ui-lock.c); Switch User on
 * the lock page, once the pipeline has let go of its key, leads to the
 * login page for another user. */
static void
lock_and_switch_user (Fixture *fixture)
{
  GtkWidget *lock_page = child (fixture->window, TW_TYPE_WINDOW, "lock_page");
  GtkWidget *switch_button = child (lock_page, TW_TYPE_LOCK_PAGE, "switch_button");

  g_action_group_activate_action (G_ACTION_GROUP (application), "lock", NULL);
  WAIT_FOR (g_strcmp0 (tw_window_get_page_name (fixture->window), "lock") == 0, 10, "the lock");
  WAIT_FOR (gtk_widget_is_sensitive (switch_button), 10, "Switch User to become available");
  gtk_widget_activate (switch_button);
  WAIT_FOR (g_strcmp0 (tw_window_get_page_name (fixture->window), "login") == 0, 10,
            "the login page after Switch User");
}

static void
sign_in_as (Fixture    *fixture,
            const char *user,
            const char *password)
{
  TwLoginPage *login_page = child (fixture->window, TW_TYPE_WINDOW, "login_page");

  gtk_editable_set_text (GTK_EDITABLE (child (login_page, TW_TYPE_LOGIN_PAGE, "user_row")), user);
  gtk_editable_set_text (GTK_EDITABLE (child (login_page, TW_TYPE_LOGIN_PAGE, "password_row")),
                         password);
  iterate_for (20);
  gtk_widget_activate (child (login_page, TW_TYPE_LOGIN_PAGE, "sign_in_button"));
  WAIT_FOR (signed_in (fixture), SIGN_IN_TIMEOUT_S, "%s signed in (error: %s)", user,
            tw_login_page_get_error (login_page));
}

/* The monitor page with @key's patient view read. */
static TwPatientView *
open_patient (Fixture    *fixture,
              const char *key)
{
  TwMonitorPage *monitor_page = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");
  TwPatientView *view = child (monitor_page, TW_TYPE_MONITOR_PAGE, "patient_view");
  gint64 deadline = g_get_monotonic_time () + DATA_TIMEOUT_S * G_USEC_PER_SEC;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-monitor", NULL);
  while (tw_monitor_page_get_n_patients (monitor_page) < 2 && g_get_monotonic_time () < deadline)
    iterate_once ();
  tw_monitor_page_show_patient (monitor_page, key);
  while (!(g_strcmp0 (tw_patient_view_get_key (view), key) == 0 && tw_patient_view_is_loaded (view))
         && g_get_monotonic_time () < deadline)
    iterate_once ();

  if (!tw_patient_view_is_loaded (view) || g_strcmp0 (tw_patient_view_get_key (view), key) != 0)
    g_test_fail_printf ("the patient view of %s was not read within %d s", key, DATA_TIMEOUT_S);
  return view;
}

/* The key the patient list holds for the patient in @bed: an analyst's
 * list has pseudonyms, never the entity key. */
static char *
key_in_bed (Fixture    *fixture,
            const char *bed)
{
  TwMonitorPage *monitor_page = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");
  GtkListBox *list = child (monitor_page, TW_TYPE_MONITOR_PAGE, "patient_list");
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    {
      TwPatient *patient = tw_patient_row_get_patient (TW_PATIENT_ROW (row));

      if (g_strcmp0 (tw_patient_get_location (patient), bed) == 0)
        return g_strdup (tw_patient_get_key (patient));
    }

  return NULL;
}

static const char *
label_text (gpointer widget,
            GType    type,
            const char *name)
{
  return gtk_label_get_text (GTK_LABEL (child (widget, type, name)));
}

static guint
count_rows (GtkListBox *list)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, (int) n) != NULL)
    n++;
  return n;
}

static gboolean
timeline_mentions (GtkListBox *list,
                   const char *needle)
{
  for (guint i = 0; i < count_rows (list); i++)
    {
      AdwActionRow *row = ADW_ACTION_ROW (gtk_list_box_get_row_at_index (list, (int) i));

      if (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), needle) != NULL
          || strstr (adw_action_row_get_subtitle (row), needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;
    }

  g_error ("%s has no %s", G_OBJECT_TYPE_NAME (widget), g_type_name (type));
}

static void
expect_same_range (TwChartView *a,
                   TwChartView *b)
{
  gint64 a_from, a_to, b_from, b_to;

  tw_chart_view_get_range (a, &a_from, &a_to);
  tw_chart_view_get_range (b, &b_from, &b_to);
  g_assert_cmpint (a_from, ==, b_from);
  g_assert_cmpint (a_to, ==, b_to);
}

static gint64
span_of (TwChartView *chart)
{
  gint64 from, to;

  tw_chart_view_get_range (chart, &from, &to);
  return to - from;
}

static void
test_clinician_and_analyst (Fixture       *fixture,
                            gconstpointer  data)
{
  TwPatientView *view;
  TwChartView *vitals;
  TwChartView *news2_chart;
  TwChartView *glucose_chart;
  TwGlucosePanel *glucose_panel;
  GtkListBox *timeline;
  TwNews2Input input;
  TwNews2Score expected_news2;
  TwGlucoseStats stats;
  TwAr2Forecast forecast;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_score = NULL;
  g_autofree char *crosshair = NULL;
  g_autofree char *description = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pseudonym = NULL;
  const char *subtitle;
  gint64 span, zoomed_span;
  const TwPoint *last_glucose;

  open_window (fixture);
  g_assert_cmpstr (tw_window_get_page_name (fixture->window), ==, "login");
  sign_in_as (fixture, CLINICIAN, CLINICIAN_PASSWORD);
  if (g_test_failed ())
    return;

  view = open_patient (fixture, PATIENT);
  if (g_test_failed ())
    return;
  vitals = tw_patient_view_get_vitals_chart (view);
  news2_chart = child (view, TW_TYPE_PATIENT_VIEW, "news2_chart");
  glucose_panel = child (view, TW_TYPE_PATIENT_VIEW, "glucose_panel");
  glucose_chart = tw_glucose_panel_get_chart (glucose_panel);
  timeline = child (view, TW_TYPE_PATIENT_VIEW, "timeline_list");

  /* 1. The clinician sees who it is, where, and the coded facts. */
  g_assert_cmpstr (label_text (view, TW_TYPE_PATIENT_VIEW, "patient_title"), ==, PATIENT_NAME);
  subtitle = label_text (view, TW_TYPE_PATIENT_VIEW, "patient_subtitle");
  g_test_message ("clinician header: %s / %s", subtitle,
                  label_text (view, TW_TYPE_PATIENT_VIEW, "patient_facts"));
  g_assert_nonnull (strstr (subtitle, PATIENT_MRN));
  g_assert_nonnull (strstr (subtitle, WARD ", bed 3"));
  g_assert_nonnull (strstr (subtitle, "female"));
  g_assert_nonnull (strstr (label_text (view, TW_TYPE_PATIENT_VIEW, "patient_facts"),
                            "1 diagnosis"));

  /* 2. The live NEWS2 tile: the score of the newest values, its band. */
  tw_news2_input_init (&input);
  input.rr = LAST_RR;
  input.spo2 = LAST_SPO2;
  input.on_oxygen = 0;
  input.sbp = LAST_SBP;
  input.pulse = LAST_HR;
  input.acvpu = TW_ACVPU_ALERT;
  input.temp = LAST_TEMP;
  tw_news2_score (&input, &expected_news2);
  g_assert_true (expected_news2.complete);
  g_assert_cmpint (expected_news2.total, ==, 6);
  expected_score = g_strdup_printf ("NEWS2 %d: %s", expected_news2.total,
                                    tw_news2_risk_to_label (TW_NEWS2_RISK_MEDIUM));
  g_assert_cmpstr (tw_patient_view_get_news2_text (view), ==, expected_score);

  /* 3. Vital signs, live. */
  WAIT_FOR (tw_chart_view_get_n_points (vitals) > 0, DATA_TIMEOUT_S, "vital signs in the chart");
  g_assert_cmpstr (tw_patient_view_get_visible_view (view), ==, "vitals");
  g_assert_true (tw_time_range_get_live (tw_patient_view_get_time_range (view)));
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "patient-vitals.png");

  /* The crosshair at a sample of the last hour shows its values. */
  tw_chart_view_set_crosshair (vitals, fixture->now - 2 * 60 * G_USEC_PER_SEC);
  crosshair = tw_chart_view_dup_crosshair_text (vitals);
  g_test_message ("crosshair: %s", crosshair);
  g_assert_nonnull (strstr (crosshair, "Heart rate 95"));
  g_assert_nonnull (strstr (crosshair, "Systolic 105"));
  g_assert_nonnull (strstr (crosshair, "Temperature 38.4"));
  /* The pointer maps to the time under it: the middle of the plot is the
   * middle of the range. */
  {
    gint64 from, to;
    int width = gtk_widget_get_width (GTK_WIDGET (vitals));
    gint64 at_left = tw_chart_view_time_at_x (vitals, 0);
    gint64 at_right = tw_chart_view_time_at_x (vitals, width);

    tw_chart_view_get_range (vitals, &from, &to);
    g_assert_cmpint (at_left, <, from);
    g_assert_cmpint (at_right, >, to);
  }
  iterate_for (200);
  save_screenshot (GTK_WIDGET (vitals), "patient-crosshair.png");
  tw_chart_view_set_crosshair (vitals, 0);

  /* 4. Charts of one patient share their range: zooming the vital signs
   * zooms NEWS2 and glucose too. Zoomed out past the raw window, the
   * chart draws the store's envelopes. */
  expect_same_range (vitals, news2_chart);
  expect_same_range (vitals, glucose_chart);
  span = span_of (vitals);
  gtk_widget_grab_focus (GTK_WIDGET (vitals));
  for (guint i = 0; i < ZOOM_OUT_STEPS; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (vitals), "chart.zoom-out", NULL));
  zoomed_span = span_of (vitals);
  g_assert_cmpint (zoomed_span, >, span * 9);
  expect_same_range (vitals, news2_chart);
  expect_same_range (vitals, glucose_chart);
  g_assert_true (tw_time_range_get_live (tw_patient_view_get_time_range (view)));
  WAIT_FOR ((gtk_widget_queue_draw (GTK_WIDGET (vitals)), iterate_for (50),
             tw_chart_view_get_showing_envelopes (vitals)),
            DATA_TIMEOUT_S, "envelopes for a range wider than the raw window");
  description = tw_chart_view_dup_description (vitals);
  g_test_message ("zoomed out: %s", description);
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "patient-vitals-zoomed.png");

  /* Panning leaves live and shows the Live button; Home goes back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (vitals), "chart.pan-left", NULL));
  g_assert_false (tw_time_range_get_live (tw_patient_view_get_time_range (view)));
  g_assert_true (gtk_widget_get_visible (child (view, TW_TYPE_PATIENT_VIEW, "live_button")));
  expect_same_range (vitals, glucose_chart);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (vitals), "chart.live", NULL));
  g_assert_true (tw_time_range_get_live (tw_patient_view_get_time_range (view)));
  g_assert_false (gtk_widget_get_visible (child (view, TW_TYPE_PATIENT_VIEW, "live_button")));
  g_assert_cmpint (span_of (vitals), ==, zoomed_span);

  /* The pointer: a scroll notch down looks later (and leaves live), a
   * drag to the right shows earlier times, both on every chart. */
  {
    GtkEventController *scroll = find_controller (GTK_WIDGET (vitals),
                                                  GTK_TYPE_EVENT_CONTROLLER_SCROLL);
    GtkEventController *drag = find_controller (GTK_WIDGET (vitals), GTK_TYPE_GESTURE_DRAG);
    gint64 from_before, from_after, to_before;
    gboolean handled = FALSE;

    tw_chart_view_get_range (vitals, &from_before, &to_before);
    g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
    g_assert_true (handled);
    tw_chart_view_get_range (vitals, &from_after, NULL);
    g_assert_cmpint (from_after, <, from_before);
    g_assert_false (tw_time_range_get_live (tw_patient_view_get_time_range (view)));
    expect_same_range (vitals, news2_chart);

    from_before = from_after;
    g_signal_emit_by_name (drag, "drag-begin", 400.0, 200.0);
    g_signal_emit_by_name (drag, "drag-update", 200.0, 0.0);
    tw_chart_view_get_range (vitals, &from_after, NULL);
    g_assert_cmpint (from_after, <, from_before);
    expect_same_range (vitals, glucose_chart);
    g_assert_cmpint (span_of (vitals), ==, zoomed_span);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (vitals), "chart.live", NULL));
  }

  /* 5. NEWS2 history (Alt+2): scored per minute, ending at 6. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "patient.show-view", "i", 1));
  g_assert_cmpstr (tw_patient_view_get_visible_view (view), ==, "news2");
  g_assert_cmpuint (tw_chart_view_get_n_points (news2_chart), >, 60);
  g_assert_cmpint (tw_chart_view_get_last_ts (news2_chart), >, fixture->now - 5 * 60 * G_USEC_PER_SEC);
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "patient-news2.png");

  /* 6. The record, newest first (Ctrl+Page Down from NEWS2, with the
   * focus in the patient list: the page forwards it). */
  gtk_widget_grab_focus (child (child (fixture->window, TW_TYPE_WINDOW, "monitor_page"),
                                TW_TYPE_MONITOR_PAGE, "patient_list"));
  g_assert_true (gtk_widget_activate_action (child (fixture->window, TW_TYPE_WINDOW, "monitor_page"),
                                             "monitor.next-view", NULL));
  g_assert_cmpstr (tw_patient_view_get_visible_view (view), ==, "record");
  g_assert_cmpuint (count_rows (timeline), ==, fixture->n_records);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (timeline, 0))),
                   ==, "Oxygen therapy");
  g_assert_true (timeline_mentions (timeline, "Pneumonia, unspecified organism"));
  g_assert_true (timeline_mentions (timeline, "500 mg orally every 12 h"));
  g_assert_true (timeline_mentions (timeline, "Penicillin"));
  g_assert_false (gtk_widget_get_visible (child (view, TW_TYPE_PATIENT_VIEW, "record_note")));
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "patient-record.png");

  /* 7. Glucose: the statistics tw-glucose computes from the same readings,
   * and the forecast of the falling last half hour. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "patient.next-view", NULL));
  g_assert_cmpstr (tw_patient_view_get_visible_view (view), ==, "glucose");
  g_assert_true (tw_glucose_stats_compute ((const TwPoint *) (gpointer) fixture->glucose->data,
                                           fixture->glucose->len, &stats));
  text = tw_glucose_format_gmi (stats.gmi_percent, stats.gmi_mmol_mol);
  g_assert_cmpstr (label_text (glucose_panel, TW_TYPE_GLUCOSE_PANEL, "gmi_label"), ==, text);
  g_clear_pointer (&text, g_free);
  text = tw_glucose_format_mean (stats.mean);
  g_assert_cmpstr (label_text (glucose_panel, TW_TYPE_GLUCOSE_PANEL, "mean_label"), ==, text);
  g_clear_pointer (&text, g_free);
  text = tw_glucose_format_cv (stats.cv_percent);
  g_assert_cmpstr (label_text (glucose_panel, TW_TYPE_GLUCOSE_PANEL, "cv_label"), ==, text);
  g_clear_pointer (&text, g_free);
  text = tw_glucose_format_index (stats.lbgi);
  g_assert_cmpstr (label_text (glucose_panel, TW_TYPE_GLUCOSE_PANEL, "lbgi_label"), ==, text);
  g_clear_pointer (&text, g_free);
  text = tw_glucose_format_index (stats.hbgi);
  g_assert_cmpstr (label_text (glucose_panel, TW_TYPE_GLUCOSE_PANEL, "hbgi_label"), ==, text);
  g_clear_pointer (&text, g_free);
  g_test_message ("glucose: mean %s, GMI %s", label_text (glucose_panel, TW_TYPE_GLUCOSE_PANEL, "mean_label"),
                  label_text (glucose_panel, TW_TYPE_GLUCOSE_PANEL, "gmi_label"));

  last_glucose = &g_array_index (fixture->glucose, TwPoint, fixture->glucose->len - 1);
  g_assert_true (tw_ar2_forecast (last_glucose[-1].value, last_glucose->value, &forecast));
  g_assert_cmpint (forecast.event, ==, TW_AR2_EVENT_LOW);
  text = g_strdup_printf ("Predicted low: %.0f mg/dL", forecast.predicted[TW_AR2_STEPS - 1]);
  g_test_message ("forecast: %s", label_text (glucose_panel, TW_TYPE_GLUCOSE_PANEL, "forecast_label"));
  g_assert_nonnull (strstr (label_text (glucose_panel, TW_TYPE_GLUCOSE_PANEL, "forecast_label"), text));
  g_clear_pointer (&text, g_free);
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "patient-glucose.png");

  /* 8. The dark style reaches every chart. */
  tw_settings_set_style (tw_application_get_settings (application), "dark");
  WAIT_FOR (adw_style_manager_get_dark (adw_style_manager_get_default ()), 5, "the dark style");
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "patient-dark.png");
  tw_patient_view_set_visible_view (view, "vitals");
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "patient-vitals-dark.png");
  tw_settings_set_style (tw_application_get_settings (application), "follow");

  /* An alert's evidence from two hours ago (the alert console's "show
   * trend"): the range moves to it, off live, with it shaded. */
  {
    TwMonitorPage *monitor_page = child (fixture->window, TW_TYPE_WINDOW, "monitor_page");
    gint64 evidence_from = fixture->now - 2 * HOUR_US;
    gint64 evidence_to = evidence_from + 60 * G_USEC_PER_SEC;
    gint64 from, to;

    g_assert_true (tw_monitor_page_show_trend (monitor_page, PATIENT, evidence_from, evidence_to));
    g_assert_cmpstr (tw_patient_view_get_visible_view (view), ==, "vitals");
    g_assert_true (tw_chart_view_get_highlight (vitals, NULL, NULL));
    g_assert_false (tw_time_range_get_live (tw_patient_view_get_time_range (view)));
    tw_chart_view_get_range (vitals, &from, &to);
    g_assert_cmpint (from, <, evidence_from);
    g_assert_cmpint (to, >, evidence_to);
    expect_same_range (vitals, news2_chart);
    WAIT_FOR ((gtk_widget_queue_draw (GTK_WIDGET (vitals)), iterate_for (50),
               tw_chart_view_get_showing_envelopes (vitals)),
              DATA_TIMEOUT_S, "envelopes around the alert");
    iterate_for (300);
    save_screenshot (GTK_WIDGET (fixture->window), "patient-alert-evidence.png");
    tw_chart_view_set_highlight (vitals, 0, 0);
    tw_chart_view_go_live (vitals);
  }

  /* 9. A patient without ACVPU: incomplete, saying what is missing; no
   * glucose page without glucose. */
  view = open_patient (fixture, OTHER_PATIENT);
  if (g_test_failed ())
    return;
  g_assert_cmpstr (label_text (view, TW_TYPE_PATIENT_VIEW, "patient_title"), ==, OTHER_NAME);
  g_assert_true (g_str_has_prefix (tw_patient_view_get_news2_text (view), "NEWS2 incomplete"));
  g_assert_nonnull (strstr (tw_patient_view_get_news2_text (view),
                            tw_news2_param_to_label (TW_NEWS2_ACVPU)));
  g_assert_false (adw_view_stack_page_get_visible (child (view, TW_TYPE_PATIENT_VIEW, "glucose_page")));

  /* 10. The analyst: pseudonym and age band, codes without free text. */
  lock_and_switch_user (fixture);
  sign_in_as (fixture, ANALYST, ANALYST_PASSWORD);
  if (g_test_failed ())
    return;
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-monitor", NULL);
  WAIT_FOR ((pseudonym = key_in_bed (fixture, "3")) != NULL, DATA_TIMEOUT_S,
            "the analyst's patient list");
  g_assert_true (g_str_has_prefix (pseudonym, "S-"));
  view = open_patient (fixture, pseudonym);
  if (g_test_failed ())
    return;
  subtitle = label_text (view, TW_TYPE_PATIENT_VIEW, "patient_subtitle");
  g_test_message ("analyst header: %s / %s", label_text (view, TW_TYPE_PATIENT_VIEW, "patient_title"),
                  subtitle);
  g_assert_cmpstr (label_text (view, TW_TYPE_PATIENT_VIEW, "patient_title"), !=, PATIENT_NAME);
  g_assert_cmpstr (label_text (view, TW_TYPE_PATIENT_VIEW, "patient_title"), ==, pseudonym);
  g_assert_nonnull (strstr (subtitle, "Age 60–69"));
  g_assert_null (strstr (subtitle, PATIENT_MRN));
  g_assert_null (strstr (subtitle, "1958"));
  g_assert_cmpstr (tw_patient_view_get_news2_text (view), ==, expected_score);
  timeline = child (view, TW_TYPE_PATIENT_VIEW, "timeline_list");
  g_assert_cmpuint (count_rows (timeline), ==, fixture->n_records);
  g_assert_true (timeline_mentions (timeline, "J18.9"));
  g_assert_false (timeline_mentions (timeline, "Pneumonia"));
  g_assert_false (timeline_mentions (timeline, "500 mg"));
  g_assert_true (gtk_widget_get_visible (child (view, TW_TYPE_PATIENT_VIEW, "record_note")));
  tw_patient_view_set_visible_view (view, "record");
  iterate_for (300);
  save_screenshot (GTK_WIDGET (fixture->window), "patient-analyst.png");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  application = tw_application_new ();

  g_test_add ("/ui-patient/clinician-and-analyst", Fixture, NULL,
              fixture_setup, test_clinician_and_analyst, fixture_teardown);

  status = g_test_run ();
  g_clear_object (&application);

  return status;
}
