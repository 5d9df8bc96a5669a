#include <gio/gio.h>

#include "tw-error.h"

#include "tw-store-alerts.h"
#include "tw-store-clinical.h"
#include "tw-store-private.h"
#include "tw-test-store.h"
#include "tw-time.h"

/* 2026-03-02 08:00:00 UTC */
#define T0 (G_GINT64_CONSTANT (1772438400) * TW_USEC_PER_SEC)
#define HOUR TW_USEC_PER_HOUR

static gint64
utc (int year, int month, int day, int hour)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, 0, 0);

  return g_date_time_to_unix (dt) * TW_USEC_PER_SEC;
}

static void
setup (TwTestStore   *t,
       gconstpointer  data)
{
  tw_test_store_open (t, "tw-clinical");
  /* The writer and a clinician's view of the same connection. */
  tw_store_set_role (t->store, TW_ROLE_CLINICIAN);
}

static void
teardown (TwTestStore   *t,
          gconstpointer  data)
{
  tw_test_store_close (t);
}

/* Writes @records through the engine's path: one batch, one transaction. */
static void
write_records (TwStore                *store,
               const TwClinicalRecord *records,
               guint                   n)
{
  g_autoptr(TwBatch) batch = tw_batch_new (0);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    tw_batch_add_record (batch, &records[i]);
  g_assert_true (tw_store_begin (store, &error));
  g_assert_true (tw_store_write_batch (store, batch, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_commit (store, &error));
}

static gint64
count_rows (TwStore    *store,
            const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* A stay: demographics, admission to Ward 7 bed 3, a diagnosis, a resolved
 * one, an allergy and a prescription without a ref. */
static const TwClinicalRecord stay[] = {
  { .kind = TW_CLINICAL_DEMOGRAPHICS, .entity = "P100", .ref = "demo-1",
    .birth_date = "1950-06-15", .sex = "female" },
  { .kind = TW_CLINICAL_ADMISSION, .entity = "P100", .ref = "adt-a01", .ts = T0,
    .ward = "Ward 7", .bed = "3" },
  { .kind = TW_CLINICAL_DIAGNOSIS, .entity = "P100", .ref = "cond-1", .ts = T0 + HOUR,
    .code = "J18.9", .text = "Pneumonia, unspecified organism", .status = "active" },
  { .kind = TW_CLINICAL_DIAGNOSIS, .entity = "P100", .ref = "cond-0", .ts = T0 - 400 * 24 * HOUR,
    .code = "J45.909", .text = "Asthma", .status = "resolved" },
  { .kind = TW_CLINICAL_ALLERGY, .entity = "P100", .ref = "alg-1", .ts = T0 - 24 * HOUR,
    .code = "227493005", .text = "Cashew nuts", .detail = "anaphylaxis", .status = "high" },
  { .kind = TW_CLINICAL_PRESCRIPTION, .entity = "P100", .ref = NULL, .ts = T0 + 2 * HOUR,
    .code = "J01CR02", .text = "Amoxicillin and clavulanic acid",
    .detail = "1.2 g IV every 8 h", .status = "active" },
};

static void
test_resent_records_change_nothing (TwTestStore   *t,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPatientSummary) first = NULL;
  g_autoptr(TwPatientSummary) again = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  gint64 n_records, n_encounters;

  write_records (t->store, stay, G_N_ELEMENTS (stay));
  first = tw_store_get_patient (t->store, "P100", T0 + 3 * HOUR, &error);
  g_assert_no_error (error);
  n_records = count_rows (t->store, "SELECT count(*) FROM clinical_records");
  n_encounters = count_rows (t->store, "SELECT count(*) FROM encounters");
  /* Demographics are not a line of the timeline. */
  g_assert_cmpint (n_records, ==, 5);
  g_assert_cmpint (n_encounters, ==, 1);

  /* The same messages again (a source replaying after a reconnect). */
  write_records (t->store, stay, G_N_ELEMENTS (stay));
  write_records (t->store, stay + 2, 3);
  g_assert_cmpint (count_rows (t->store, "SELECT count(*) FROM clinical_records"), ==, n_records);
  g_assert_cmpint (count_rows (t->store, "SELECT count(*) FROM encounters"), ==, n_encounters);
  again = tw_store_get_patient (t->store, "P100", T0 + 3 * HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->ward, ==, first->ward);
  g_assert_cmpstr (again->bed, ==, first->bed);
  g_assert_cmpint (again->admitted_at, ==, first->admitted_at);
  g_assert_cmpuint (again->n_diagnoses, ==, 1);
  g_assert_cmpuint (again->n_allergies, ==, 1);
  g_assert_cmpuint (again->n_prescriptions, ==, 1);

  timeline = tw_store_list_clinical (t->store, "P100", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timeline->len, ==, 5);
}

static void
test_replaced_by_ref (TwTestStore   *t,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPatientSummary) patient = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  TwClinicalRecord update = stay[2];
  TwClinicalEntry *entry;

  write_records (t->store, stay, G_N_ELEMENTS (stay));
  /* The source corrects its condition: same ref, now resolved. */
  update.status = "resolved";
  update.end_ts = T0 + 50 * HOUR;
  write_records (t->store, &update, 1);

  patient = tw_store_get_patient (t->store, "P100", T0 + 60 * HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (patient->n_diagnoses, ==, 0);
  timeline = tw_store_list_clinical (t->store, "P100", &error);
  g_assert_cmpuint (timeline->len, ==, 5);
  for (guint i = 0; i < timeline->len; i++)
    {
      entry = timeline->pdata[i];
      if (g_strcmp0 (entry->code, "J18.9") == 0)
        {
          g_assert_cmpstr (entry->status, ==, "resolved");
          g_assert_cmpint (entry->end_ts, ==, T0 + 50 * HOUR);
        }
    }
}

static void
test_transfer_moves_the_patient (TwTestStore   *t,
                                 gconstpointer  data)
{
  static const TwClinicalRecord transfer[] = {
    { .kind = TW_CLINICAL_TRANSFER, .entity = "P100", .ref = "adt-a02", .ts = T0 + 5 * HOUR,
      .ward = "ICU", .bed = "12" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPatientSummary) patient = NULL;
  g_autoptr(GPtrArray) entities = NULL;
  g_autoptr(GHashTable) groups = NULL;
  g_auto(GStrv) wards = NULL;

  write_records (t->store, stay, G_N_ELEMENTS (stay));
  groups = tw_store_load_entity_groups (t->store, &error);
  g_assert_cmpstr (g_hash_table_lookup (groups, "P100"), ==, "Ward 7");
  g_clear_pointer (&groups, g_hash_table_unref);

  write_records (t->store, transfer, 1);
  patient = tw_store_get_patient (t->store, "P100", T0 + 6 * HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (patient->ward, ==, "ICU");
  g_assert_cmpstr (patient->bed, ==, "12");
  /* Moved, not readmitted: the stay began at the admission. */
  g_assert_cmpint (patient->admitted_at, ==, T0);
  g_assert_cmpint (count_rows (t->store, "SELECT count(*) FROM encounters"), ==, 1);

  /* The ward is the entity's group (rule scopes, alert filters) and the
   * bed its location. */
  groups = tw_store_load_entity_groups (t->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (groups, "P100"), ==, "ICU");
  entities = tw_store_list_entities (t->store, TW_ROLE_CLINICIAN, &error);
  g_assert_cmpuint (entities->len, ==, 1);
  g_assert_cmpstr (((TwEntityRow *) entities->pdata[0])->location, ==, "12");

  wards = tw_store_list_wards (t->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (wards), ==, 1);
  g_assert_cmpstr (wards[0], ==, "ICU");
}

static void
test_discharge_closes_the_stay (TwTestStore   *t,
                                gconstpointer  data)
{
  static const TwClinicalRecord later[] = {
    /* The discharge arrives before the transfer that preceded it. */
    { .kind = TW_CLINICAL_DISCHARGE, .entity = "P100", .ref = "adt-a03", .ts = T0 + 30 * HOUR },
    { .kind = TW_CLINICAL_TRANSFER, .entity = "P100", .ref = "adt-a02", .ts = T0 + 5 * HOUR,
      .ward = "ICU", .bed = "12" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPatientSummary) patient = NULL;
  g_autoptr(GPtrArray) admitted = NULL;
  g_autoptr(GPtrArray) everyone = NULL;
  g_autoptr(GPtrArray) entities = NULL;
  g_auto(GStrv) wards = NULL;

  write_records (t->store, stay, G_N_ELEMENTS (stay));
  write_records (t->store, later, 1);
  write_records (t->store, later + 1, 1);

  patient = tw_store_get_patient (t->store, "P100", T0 + 31 * HOUR, &error);
  g_assert_no_error (error);
  g_assert_null (patient->ward);
  g_assert_null (patient->bed);
  g_assert_cmpint (patient->admitted_at, ==, 0);
  g_assert_cmpint (count_rows (t->store, "SELECT count(*) FROM encounters"
                                         " WHERE discharged_at IS NULL"), ==, 0);
  g_assert_cmpint (count_rows (t->store, "SELECT discharged_at FROM encounters"), ==,
                   T0 + 30 * HOUR);
  g_assert_cmpint (count_rows (t->store, "SELECT count(*) FROM encounters WHERE ward = 'ICU'"),
                   ==, 1);

  admitted = tw_store_list_patients (t->store, NULL, TRUE, T0 + 31 * HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (admitted->len, ==, 0);
  everyone = tw_store_list_patients (t->store, NULL, FALSE, T0 + 31 * HOUR, &error);
  g_assert_cmpuint (everyone->len, ==, 1);
  wards = tw_store_list_wards (t->store, &error);
  g_assert_cmpuint (g_strv_length (wards), ==, 0);
  /* The bed is free. */
  entities = tw_store_list_entities (t->store, TW_ROLE_CLINICIAN, &error);
  g_assert_null (((TwEntityRow *) entities->pdata[0])->location);
}

static void
test_timeline_oldest_first (TwTestStore   *t,
                            gconstpointer  data)
{
  static const TwClinicalRecord more[] = {
    { .kind = TW_CLINICAL_DISCHARGE, .entity = "P100", .ref = "adt-a03", .ts = T0 + 30 * HOUR },
    { .kind = TW_CLINICAL_TREATMENT, .entity = "P100", .ref = "proc-1", .ts = T0 + 4 * HOUR,
      .code = "0BH17EZ", .text = "Endotracheal intubation" },
    { .kind = TW_CLINICAL_HISTORY, .entity = "P100", .ref = "hx-1", .ts = T0 - 9000 * HOUR,
      .code = "I10", .text = "Essential hypertension" },
    { .kind = TW_CLINICAL_TRANSFER, .entity = "P100", .ref = "adt-a02", .ts = T0 + 5 * HOUR,
      .ward = "ICU", .bed = "12" },
  };
  static const TwClinicalKind expected[] = {
    TW_CLINICAL_DIAGNOSIS, TW_CLINICAL_HISTORY, TW_CLINICAL_ALLERGY, TW_CLINICAL_ADMISSION,
    TW_CLINICAL_DIAGNOSIS, TW_CLINICAL_PRESCRIPTION, TW_CLINICAL_TREATMENT, TW_CLINICAL_TRANSFER,
    TW_CLINICAL_DISCHARGE,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) timeline = NULL;

  write_records (t->store, more, G_N_ELEMENTS (more));
  write_records (t->store, stay, G_N_ELEMENTS (stay));
  timeline = tw_store_list_clinical (t->store, "P100", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timeline->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < timeline->len; i++)
    {
      TwClinicalEntry *entry = timeline->pdata[i];

      g_assert_cmpint (entry->kind, ==, expected[i]);
      if (i > 0)
        g_assert_cmpint (entry->ts, >=, ((TwClinicalEntry *) timeline->pdata[i - 1])->ts);
    }
  /* Encounters keep the ward in code and the bed in detail. */
  g_assert_cmpstr (((TwClinicalEntry *) timeline->pdata[7])->code, ==, "ICU");
  g_assert_cmpstr (((TwClinicalEntry *) timeline->pdata[7])->detail, ==, "12");
  /* A clinician reads the free text. */
  g_assert_cmpstr (((TwClinicalEntry *) timeline->pdata[5])->detail, ==, "1.2 g IV every 8 h");
}

static void
test_ward_order (TwTestStore   *t,
                 gconstpointer  data)
{
  static const TwClinicalRecord admissions[] = {
    { .kind = TW_CLINICAL_ADMISSION, .entity = "A", .ref = "1", .ts = T0, .ward = "Ward 7",
      .bed = "10" },
    { .kind = TW_CLINICAL_ADMISSION, .entity = "B", .ref = "1", .ts = T0, .ward = "Ward 7",
      .bed = "2" },
    { .kind = TW_CLINICAL_ADMISSION, .entity = "C", .ref = "1", .ts = T0, .ward = "ICU",
      .bed = "1" },
    { .kind = TW_CLINICAL_ADMISSION, .entity = "D", .ref = "1", .ts = T0, .ward = "Ward 10",
      .bed = "1" },
    { .kind = TW_CLINICAL_ADMISSION, .entity = "E", .ref = "1", .ts = T0, .ward = "Ward 7",
      .bed = "1" },
  };
  static const char *order[] = { "C", "E", "B", "A", "D" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) ward7 = NULL;
  g_auto(GStrv) wards = NULL;

  write_records (t->store, admissions, G_N_ELEMENTS (admissions));
  all = tw_store_list_patients (t->store, NULL, TRUE, T0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < all->len; i++)
    g_assert_cmpstr (((TwPatientSummary *) all->pdata[i])->key, ==, order[i]);

  ward7 = tw_store_list_patients (t->store, "Ward 7", TRUE, T0, &error);
  g_assert_cmpuint (ward7->len, ==, 3);
  g_assert_cmpstr (((TwPatientSummary *) ward7->pdata[0])->bed, ==, "1");
  g_assert_cmpstr (((TwPatientSummary *) ward7->pdata[2])->bed, ==, "10");

  wards = tw_store_list_wards (t->store, &error);
  g_assert_cmpuint (g_strv_length (wards), ==, 3);
  g_assert_cmpstr (wards[0], ==, "ICU");
  g_assert_cmpstr (wards[1], ==, "Ward 7");
  g_assert_cmpstr (wards[2], ==, "Ward 10");
}

static void
test_summary_age_and_counts (TwTestStore   *t,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPatientSummary) before = NULL;
  g_autoptr(TwPatientSummary) on = NULL;
  g_autoptr(TwPatientSummary) operator = NULL;
  g_autoptr(GPtrArray) records = NULL;

  write_records (t->store, stay, G_N_ELEMENTS (stay));
  /* The day before her 76th birthday, then the day itself. */
  before = tw_store_get_patient (t->store, "P100", utc (2026, 6, 14, 23), &error);
  g_assert_no_error (error);
  on = tw_store_get_patient (t->store, "P100", utc (2026, 6, 15, 0), &error);
  g_assert_cmpint (before->age_years, ==, 75);
  g_assert_cmpstr (before->age_band, ==, "70–79");
  g_assert_cmpint (on->age_years, ==, 76);
  g_assert_cmpstr (on->birth_date, ==, "1950-06-15");
  g_assert_cmpstr (on->sex, ==, "female");
  g_assert_false (on->masked);
  g_assert_cmpstr (on->key, ==, "P100");
  g_assert_cmpstr (on->ward, ==, "Ward 7");
  g_assert_cmpstr (on->bed, ==, "3");
  g_assert_cmpint (on->admitted_at, ==, T0);
  /* Active only: the resolved asthma does not count. */
  g_assert_cmpuint (on->n_diagnoses, ==, 1);
  g_assert_cmpuint (on->n_allergies, ==, 1);
  g_assert_cmpuint (on->n_prescriptions, ==, 1);

  /* The central station: bed and name, no birth date; no records. */
  tw_store_set_role (t->store, TW_ROLE_OPERATOR);
  operator = tw_store_get_patient (t->store, "P100", utc (2026, 6, 15, 0), &error);
  g_assert_no_error (error);
  g_assert_false (operator->masked);
  g_assert_cmpstr (operator->key, ==, "P100");
  g_assert_cmpstr (operator->bed, ==, "3");
  g_assert_null (operator->birth_date);
  g_assert_cmpint (operator->age_years, ==, -1);
  g_assert_cmpstr (operator->age_band, ==, "70–79");
  records = tw_store_list_clinical (t->store, "P100", &error);
  g_assert_null (records);
  g_assert_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
}

static void
test_unknown_entity_becomes_a_patient (TwTestStore   *t,
                                       gconstpointer  data)
{
  static const TwClinicalRecord allergy = {
    .kind = TW_CLINICAL_ALLERGY, .entity = "NEW-1", .ref = "a", .ts = T0, .code = "91936005",
    .text = "Penicillin",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPatientSummary) patient = NULL;
  g_autoptr(TwPatientSummary) missing = NULL;
  g_autoptr(GPtrArray) entities = NULL;

  write_records (t->store, &allergy, 1);
  entities = tw_store_list_entities (t->store, TW_ROLE_CLINICIAN, &error);
  g_assert_cmpuint (entities->len, ==, 1);
  g_assert_cmpstr (((TwEntityRow *) entities->pdata[0])->key, ==, "NEW-1");
  patient = tw_store_get_patient (t->store, "NEW-1", T0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (patient->age_years, ==, -1);
  g_assert_cmpstr (patient->age_band, ==, "unknown");
  g_assert_null (patient->ward);
  /* It has a pseudonym from the start. */
  g_assert_cmpint (count_rows (t->store, "SELECT count(*) FROM entities"
                                         " WHERE pseudonym LIKE 'S-__________'"), ==, 1);

  missing = tw_store_get_patient (t->store, "NOBODY", T0, &error);
  g_assert_null (missing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_age_and_bands (void)
{
  gint64 now = utc (2026, 3, 1, 12);

  g_assert_cmpint (tw_clinical_age_years ("2000-03-01", now), ==, 26);
  g_assert_cmpint (tw_clinical_age_years ("2000-03-02", now), ==, 25);
  /* Born on 29 February: a year older on 1 March in a common year. */
  g_assert_cmpint (tw_clinical_age_years ("2004-02-29", now), ==, 22);
  g_assert_cmpint (tw_clinical_age_years ("2004-02-29", utc (2026, 2, 28, 23)), ==, 21);
  g_assert_cmpint (tw_clinical_age_years ("2026-03-01", now), ==, 0);
  g_assert_cmpint (tw_clinical_age_years ("2026-03-02", now), ==, -1);  /* not born yet */
  g_assert_cmpint (tw_clinical_age_years ("1950-02-30", now), ==, -1);
  g_assert_cmpint (tw_clinical_age_years ("1950-2-3", now), ==, -1);
  g_assert_cmpint (tw_clinical_age_years (NULL, now), ==, -1);

  g_assert_cmpstr (tw_clinical_age_band (0), ==, "0–9");
  g_assert_cmpstr (tw_clinical_age_band (9), ==, "0–9");
  g_assert_cmpstr (tw_clinical_age_band (10), ==, "10–19");
  g_assert_cmpstr (tw_clinical_age_band (89), ==, "80–89");
  g_assert_cmpstr (tw_clinical_age_band (90), ==, "90+");
  g_assert_cmpstr (tw_clinical_age_band (104), ==, "90+");
  g_assert_cmpstr (tw_clinical_age_band (-1), ==, "unknown");
}

static void
test_kind_strings (void)
{
  for (guint k = 0; k < TW_CLINICAL_N_KINDS; k++)
    {
      TwClinicalKind back = TW_CLINICAL_N_KINDS;

      g_assert_true (tw_clinical_kind_from_string (tw_clinical_kind_to_string (k), &back));
      g_assert_cmpint (back, ==, k);
      g_assert_cmpstr (tw_clinical_kind_to_label (k), !=, "");
    }
  g_assert_cmpstr (tw_clinical_kind_to_string (TW_CLINICAL_PRESCRIPTION), ==, "prescription");
  g_assert_cmpstr (tw_clinical_kind_to_label (TW_CLINICAL_DIAGNOSIS), ==, "Diagnosis");
  g_assert_false (tw_clinical_kind_from_string ("Diagnosis", NULL));
  g_assert_false (tw_clinical_kind_from_string (NULL, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clinical/age-and-bands", test_age_and_bands);
  g_test_add_func ("/clinical/kind-strings", test_kind_strings);
  g_test_add ("/clinical-store/resent-records-change-nothing", TwTestStore, NULL, setup,
              test_resent_records_change_nothing, teardown);
  g_test_add ("/clinical-store/replaced-by-ref", TwTestStore, NULL, setup,
              test_replaced_by_ref, teardown);
  g_test_add ("/clinical-store/transfer-moves-the-patient", TwTestStore, NULL, setup,
              test_transfer_moves_the_patient, teardown);
  g_test_add ("/clinical-store/discharge-closes-the-stay", TwTestStore, NULL, setup,
              test_discharge_closes_the_stay, teardown);
  g_test_add ("/clinical-store/timeline-oldest-first", TwTestStore, NULL, setup,
              test_timeline_oldest_first, teardown);
  g_test_add ("/clinical-store/ward-order", TwTestStore, NULL, setup, test_ward_order, teardown);
  g_test_add ("/clinical-store/summary-age-and-counts", TwTestStore, NULL, setup,
              test_summary_age_and_counts, teardown);
  g_test_add ("/clinical-store/unknown-entity-becomes-a-patient", TwTestStore, NULL, setup,
              test_unknown_entity_becomes_a_patient, teardown);
  return g_test_run ();
}
