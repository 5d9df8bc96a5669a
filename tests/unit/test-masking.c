/*
 * The proof: an analyst session cannot obtain a patient's name,
 * MRN, birth date, key or free text through any read of the store, while
 * a clinician's session of the same store sees all of them.
 *
 * Every public read in the headers of src/store that returns strings is called and
 * every string it returns goes into one text per session ("what this
 * session was told"); the patient's identifying strings must never occur
 * in the analyst's and must all occur in the clinician's (which proves the
 * walk reaches the fields that hold them).
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tw-error.h"
#include "tw-session.h"
#include "tw-store-alerts.h"
#include "tw-store-clinical.h"
#include "tw-store-quarantine.h"
#include "tw-store-rollup.h"
#include "tw-test-store.h"
#include "tw-time.h"

#define PASSWORD "correct horse battery staple"
#define KEY      "PX-4711"
#define WARD     "Ward 7"

/* 2026-03-01 12:00:00 UTC: he is 88. */
#define NOW (G_GINT64_CONSTANT (1772366400) * TW_USEC_PER_SEC)

/* What must never reach an analyst. */
static const char *secrets[] = {
  "Zebedee",            /* given name */
  "Quixtonbury",        /* family name */
  "99817263",           /* MRN */
  "1937-11-23",         /* birth date */
  "19371123",           /* … as HL7 writes it (in the raw message only) */
  KEY,                  /* the source's id: often the MRN itself */
  "shipyard",           /* diagnosis text */
  "Okonkwo",            /* prescription detail */
  "urticarial",         /* allergy detail */
  "Hartlepool",         /* history text */
  "Philippa",           /* a clinician's note on the alert */
};

typedef struct
{
  char      *dir;
  char      *data_dir;
  TwSession *admin;
  TwSession *clinician;
  TwSession *analyst;
  guint64    alert_id;
  gint64     quarantine_id;
} Fixture;

static const char hl7_raw[] =
  "MSH|^~\\&|ADT|HOSP|TW|TW|20260301120000||ADT^A01|MSG1|P|2.5\r"
  "PID|1||" KEY "^^^HOSP^PI~99817263^^^HOSP^MR||Quixtonbury^Zebedee||19371123X|M\r";

static void
store_patient (TwStore *store)
{
  const TwClinicalRecord records[] = {
    { .kind = TW_CLINICAL_DEMOGRAPHICS, .entity = KEY, .ref = "pid", .birth_date = "1937-11-23",
      .sex = "male" },
    { .kind = TW_CLINICAL_ADMISSION, .entity = KEY, .ref = "a01", .ts = NOW - 48 * TW_USEC_PER_HOUR,
      .ward = WARD, .bed = "4" },
    { .kind = TW_CLINICAL_DIAGNOSIS, .entity = KEY, .ref = "dx", .ts = NOW - 40 * TW_USEC_PER_HOUR,
      .code = "C45.0", .text = "Mesothelioma of pleura after shipyard work", .status = "active" },
    { .kind = TW_CLINICAL_PRESCRIPTION, .entity = KEY, .ref = "rx",
      .ts = NOW - 30 * TW_USEC_PER_HOUR,
      .code = "N02AA05", .text = "Oxycodone", .detail = "5 mg orally 4-hourly, Dr Okonkwo",
      .status = "active" },
    { .kind = TW_CLINICAL_ALLERGY, .entity = KEY, .ref = "alg", .ts = NOW - 1000 * TW_USEC_PER_HOUR,
      .code = "294461001", .text = "Cefuroxime", .detail = "urticarial rash", .status = "high" },
    { .kind = TW_CLINICAL_HISTORY, .entity = KEY, .ref = "hx", .ts = NOW - 90000 * TW_USEC_PER_HOUR,
      .code = "K35.8", .text = "Appendicectomy at Hartlepool General" },
  };
  g_autoptr(TwBatch) batch = tw_batch_new (0);
  g_autoptr(GError) error = NULL;

  tw_batch_add_entity (batch, "patient", KEY, "Zebedee Quixtonbury", "MRN-99817263", "4");
  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    tw_batch_add_record (batch, &records[i]);
  for (guint i = 0; i < 120; i++)
    tw_batch_add_sample (batch, KEY, "hr", NOW - (120 - i) * TW_USEC_PER_MIN, 80 + i % 7);
  /* A message the codec refused, with the refusal quoting it. */
  tw_batch_add_reject (batch, "PID-7 (birth date) 19371123X is not a date", hl7_raw,
                       sizeof hl7_raw - 1);

  g_assert_true (tw_store_begin (store, &error));
  g_assert_true (tw_store_write_batch (store, batch, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_commit (store, &error));
}

static guint64
store_alert (TwStore *store)
{
  g_autoptr(TwAlert) alert = g_new0 (TwAlert, 1);
  g_autoptr(GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tw_alert_record_free);
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (TwAlertTransition));
  g_autoptr(GError) error = NULL;
  TwAlertTransition ack = {
    .alert_id = 7, .from = TW_ALERT_STATE_ACTIVE, .to = TW_ALERT_STATE_ACKNOWLEDGED,
    .who = (char *) "cleo", .when_us = NOW, .note = (char *) "Told his wife Philippa",
  };

  alert->id = 7;
  alert->rule_id = g_strdup ("hr-high");
  alert->entity_key = g_strdup (KEY);
  alert->priority = TW_ALERT_PRIORITY_HIGH;
  alert->state = TW_ALERT_STATE_ACKNOWLEDGED;
  alert->condition_active = TRUE;
  alert->occurrences = 1;
  alert->message = g_strdup ("Heart rate high: " KEY " 131");
  alert->raised_us = NOW - TW_USEC_PER_MIN;
  alert->updated_us = NOW;
  alert->acknowledged_by = g_strdup ("cleo");
  alert->ack_note = g_strdup ("Told his wife Philippa");
  alert->acknowledged_us = NOW;
  alert->group = g_strdup (WARD);
  alert->category = TW_ALERT_CATEGORY_PHYSIOLOGICAL;
  g_ptr_array_add (records, tw_alert_record_new (alert));
  g_array_append_val (log, ack);

  g_assert_true (tw_store_begin (store, &error));
  g_assert_true (tw_store_save_alerts (store, records, log, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_commit (store, &error));
  return alert->id;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) writer = NULL;
  g_autoptr(GPtrArray) quarantine = NULL;

  f->dir = g_dir_make_tmp ("tw-masking-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  f->admin = tw_session_initialize (f->data_dir, "admin", PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);
  g_assert_true (tw_session_add_user (f->admin, "cleo", TW_ROLE_CLINICIAN, PASSWORD, &error));
  g_assert_true (tw_session_add_user (f->admin, "ann", TW_ROLE_ANALYST, PASSWORD, &error));
  g_assert_no_error (error);
  /* Every ward: this test is about masking, not ward scope (test-scope.c). */
  g_assert_true (tw_session_set_user_wards (f->admin, "cleo", (const char *[]) { "*", NULL },
                                            &error));
  f->clinician = tw_session_login (f->data_dir, "cleo", PASSWORD, &error);
  g_assert_no_error (error);
  f->analyst = tw_session_login (f->data_dir, "ann", PASSWORD, &error);
  g_assert_no_error (error);

  /* Stored the way a clinician's (identity-bearing) connection stores it. */
  writer = tw_session_open_store (f->clinician, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tw_store_get_role (writer), ==, TW_ROLE_CLINICIAN);
  store_patient (writer);
  f->alert_id = store_alert (writer);
  quarantine = tw_store_list_quarantine (writer, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (quarantine->len, ==, 1);
  f->quarantine_id = ((TwQuarantineRow *) quarantine->pdata[0])->id;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->admin, tw_session_free);
  g_clear_pointer (&f->clinician, tw_session_free);
  g_clear_pointer (&f->analyst, tw_session_free);
  tw_test_remove_tree (f->dir);
  g_free (f->data_dir);
  g_free (f->dir);
}

/* ---- what a session was told ------------------------------------------ */

typedef struct
{
  GString *told;     /* every string, one per line */
  GString *raw;      /* quarantined messages and their reasons, when allowed */
  guint    n_calls;  /* reads that answered */
  char    *pseudonym;
} Told;

static void
tell (Told       *t,
      const char *text)
{
  if (text != NULL)
    g_string_append_printf (t->told, "%s\n", text);
}

static void
tell_entities (Told      *t,
               GPtrArray *rows)
{
  g_assert_nonnull (rows);
  t->n_calls++;
  for (guint i = 0; i < rows->len; i++)
    {
      TwEntityRow *row = rows->pdata[i];

      tell (t, row->key);
      tell (t, row->display_name);
      tell (t, row->mrn);
      tell (t, row->location);
    }
}

static void
tell_patient (Told                   *t,
              const TwPatientSummary *p)
{
  g_assert_nonnull (p);
  tell (t, p->key);
  tell (t, p->display_name);
  tell (t, p->mrn);
  tell (t, p->birth_date);
  tell (t, p->age_band);
  tell (t, p->sex);
  tell (t, p->ward);
  tell (t, p->bed);
  g_string_append_printf (t->told, "age %d\n", p->age_years);
}

static void
tell_patients (Told      *t,
               GPtrArray *rows)
{
  g_assert_nonnull (rows);
  g_assert_cmpuint (rows->len, ==, 1);
  t->n_calls++;
  for (guint i = 0; i < rows->len; i++)
    tell_patient (t, rows->pdata[i]);
}

static void
tell_timeline (Told      *t,
               GPtrArray *rows)
{
  g_assert_nonnull (rows);
  /* The same facts reach everyone; only their free text does not. */
  g_assert_cmpuint (rows->len, ==, 5);
  t->n_calls++;
  for (guint i = 0; i < rows->len; i++)
    {
      TwClinicalEntry *e = rows->pdata[i];

      tell (t, tw_clinical_kind_to_string (e->kind));
      tell (t, e->code);
      tell (t, e->text);
      tell (t, e->detail);
      tell (t, e->status);
    }
}

static void
tell_alert (Told                *t,
            const TwAlertRecord *r)
{
  g_assert_nonnull (r);
  tell (t, r->alert->rule_id);
  tell (t, r->alert->entity_key);
  tell (t, r->alert->message);
  tell (t, r->alert->acknowledged_by);
  tell (t, r->alert->ack_note);
  tell (t, r->alert->group);
  tell (t, r->group);
}

static void
tell_alerts (Told      *t,
             GPtrArray *rows)
{
  g_assert_nonnull (rows);
  t->n_calls++;
  for (guint i = 0; i < rows->len; i++)
    tell_alert (t, rows->pdata[i]);
}

static void
tell_table (Told       *t,
            GHashTable *table)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_nonnull (table);
  t->n_calls++;
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      tell (t, key);
      tell (t, value);
    }
}

/* Calls every read of the store that returns strings about patients,
 * with the key and with the pseudonym wherever a read takes an entity. */
static void
ask_everything (TwSession *session,
                Told      *t,
                guint64    alert_id,
                gint64     quarantine_id)
{
  static const TwRole roles[] = {
    TW_ROLE_ADMIN, TW_ROLE_CLINICIAN, TW_ROLE_OPERATOR, TW_ROLE_ANALYST,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (session, &error);
  g_autoptr(GPtrArray) entities = NULL;
  const char *names[2];

  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_autoptr(GPtrArray) rows = tw_store_list_entities (store, roles[i], &error);

      g_assert_no_error (error);
      tell_entities (t, rows);
    }
  /* The name this session has for the patient. */
  entities = tw_store_list_entities (store, tw_session_get_role (session), &error);
  g_assert_cmpuint (entities->len, ==, 1);
  t->pseudonym = g_strdup (((TwEntityRow *) entities->pdata[0])->key);
  names[0] = KEY;
  names[1] = t->pseudonym;

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autoptr(TwPatientSummary) patient = tw_store_get_patient (store, names[n], NOW, &error);
      g_autoptr(GPtrArray) timeline = NULL;
      g_autoptr(GArray) samples = NULL;
      g_autoptr(GArray) rollups = NULL;
      gint64 last_ts = 0;

      g_assert_no_error (error);
      tell_patient (t, patient);
      t->n_calls++;
      timeline = tw_store_list_clinical (store, names[n], &error);
      g_assert_no_error (error);
      tell_timeline (t, timeline);

      /* Numbers only, but they must answer to either name. */
      samples = tw_store_read_samples (store, names[n], "hr", G_MININT64, G_MAXINT64, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (samples->len, ==, 120);
      g_assert_true (tw_store_get_entity_last_ts (store, names[n], &last_ts, &error));
      g_assert_cmpint (last_ts, ==, NOW - TW_USEC_PER_MIN);
      rollups = tw_store_read_rollups (store, names[n], "hr", TW_ROLLUP_MINUTE, G_MININT64,
                                       G_MAXINT64, &error);
      g_assert_no_error (error);
      t->n_calls += 3;
    }

  {
    g_autoptr(GPtrArray) everyone = tw_store_list_patients (store, NULL, FALSE, NOW, &error);
    g_autoptr(GPtrArray) ward = tw_store_list_patients (store, WARD, TRUE, NOW, &error);
    g_auto(GStrv) wards = tw_store_list_wards (store, &error);
    g_autoptr(GPtrArray) series = tw_store_list_series_stats (store, &error);

    g_assert_no_error (error);
    tell_patients (t, everyone);
    tell_patients (t, ward);
    for (guint i = 0; wards[i] != NULL; i++)
      tell (t, wards[i]);
    g_assert_cmpuint (series->len, ==, 1);
    for (guint i = 0; i < series->len; i++)
      {
        tell (t, ((TwSeriesStats *) series->pdata[i])->entity);
        tell (t, ((TwSeriesStats *) series->pdata[i])->metric);
      }
    t->n_calls += 2;
  }

  {
    g_autoptr(GPtrArray) open = tw_store_list_open_alerts (store, &error);
    g_autoptr(GPtrArray) history = tw_store_list_alert_history (store, NULL, 0, 0, 0, &error);
    g_autoptr(GPtrArray) by_ward = tw_store_list_alert_history (store, "ward", 0, 0, 0, &error);
    g_autoptr(TwAlertRecord) one = NULL;
    g_autoptr(GPtrArray) transitions = NULL;
    g_autoptr(GHashTable) groups = tw_store_load_entity_groups (store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (open->len, ==, 1);
    g_assert_cmpuint (by_ward->len, ==, 1);
    tell_alerts (t, open);
    tell_alerts (t, history);
    tell_alerts (t, by_ward);
    g_assert_true (tw_store_get_alert (store, alert_id, &one, &error));
    tell_alert (t, one);
    transitions = tw_store_list_alert_transitions (store, alert_id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (transitions->len, ==, 1);
    for (guint i = 0; i < transitions->len; i++)
      {
        tell (t, ((TwAlertTransitionRow *) transitions->pdata[i])->who);
        tell (t, ((TwAlertTransitionRow *) transitions->pdata[i])->note);
      }
    tell_table (t, groups);
    t->n_calls += 2;

    /* A search that matches is an answer too. */
    for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
      {
        g_autoptr(GPtrArray) found = tw_store_list_alert_history (store, secrets[i], 0, 0, 0,
                                                                  &error);

        g_assert_no_error (error);
        if (found->len > 0)
          g_string_append_printf (t->told, "search %s found\n", secrets[i]);
      }
  }

  {
    g_autoptr(GPtrArray) users = tw_store_list_users (store, &error);
    g_autoptr(GPtrArray) sources = tw_store_list_sources (store, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < users->len; i++)
      tell (t, ((TwUserRow *) users->pdata[i])->name);
    for (guint i = 0; i < sources->len; i++)
      {
        tell (t, ((TwSourceRow *) sources->pdata[i])->name);
        tell (t, ((TwSourceRow *) sources->pdata[i])->url);
        tell (t, ((TwSourceRow *) sources->pdata[i])->last_error);
      }
  }

  /* Quarantined messages are raw: whoever may read them is told all. */
  {
    g_autoptr(GPtrArray) rows = tw_store_list_quarantine (store, 0, 0, &error);

    if (rows != NULL)
      {
        g_autoptr(GBytes) raw = tw_store_get_quarantine_raw (store, quarantine_id, &error);

        g_assert_no_error (error);
        for (guint i = 0; i < rows->len; i++)
          g_string_append_printf (t->raw, "%s\n", ((TwQuarantineRow *) rows->pdata[i])->reason);
        g_string_append_len (t->raw, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
      }
    else
      {
        g_autoptr(GBytes) raw = NULL;

        g_assert_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
        g_clear_error (&error);
        raw = tw_store_get_quarantine_raw (store, quarantine_id, &error);
        g_assert_null (raw);
        g_assert_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
      }
  }
}

static void
told_clear (Told *t)
{
  g_string_free (t->told, TRUE);
  g_string_free (t->raw, TRUE);
  g_free (t->pseudonym);
}

static gboolean
contains (const char *text,
          const char *secret)
{
  g_autofree char *a = g_ascii_strdown (text, -1);
  g_autofree char *b = g_ascii_strdown (secret, -1);

  return strstr (a, b) != NULL;
}

static void
test_analyst_learns_no_identity (Fixture       *f,
                                 gconstpointer  data)
{
  Told analyst = { g_string_new (NULL), g_string_new (NULL), 0, NULL };
  Told clinician = { g_string_new (NULL), g_string_new (NULL), 0, NULL };

  ask_everything (f->analyst, &analyst, f->alert_id, f->quarantine_id);
  ask_everything (f->clinician, &clinician, f->alert_id, f->quarantine_id);
  g_test_message ("analyst was told (%u reads):\n%s", analyst.n_calls, analyst.told->str);

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      if (contains (analyst.told->str, secrets[i]) || contains (analyst.raw->str, secrets[i]))
        g_error ("an analyst obtained ‘%s’:\n%s", secrets[i], analyst.told->str);
      /* The walk reaches where each secret lives: the clinician saw it
       * (in the parsed reads, not only in the raw messages). */
      if (!contains (clinician.told->str, secrets[i])
          && !g_str_equal (secrets[i], "19371123"))
        g_error ("the clinician was not told ‘%s’; the walk misses a field", secrets[i]);
    }
  g_assert_cmpuint (analyst.n_calls, ==, clinician.n_calls);
  g_assert_cmpuint (analyst.raw->len, ==, 0);
  g_assert_true (contains (clinician.raw->str, "Quixtonbury^Zebedee"));

  /* What the analyst does get: a stable pseudonym, the age band, the ward
   * and bed, the codes. */
  g_assert_true (g_str_has_prefix (analyst.pseudonym, "S-"));
  g_assert_cmpstr (clinician.pseudonym, ==, KEY);
  g_assert_true (contains (analyst.told->str, "80–89"));
  g_assert_true (contains (analyst.told->str, "\nage -1\n"));
  g_assert_true (contains (clinician.told->str, "\nage 88\n"));
  g_assert_true (contains (analyst.told->str, "C45.0"));
  g_assert_true (contains (analyst.told->str, WARD));
  g_assert_true (contains (analyst.told->str, "Heart rate high: S-"));

  told_clear (&analyst);
  told_clear (&clinician);
}

/* Admins manage the system, not patients: masked the same way. */
static void
test_admin_is_masked_too (Fixture       *f,
                          gconstpointer  data)
{
  Told admin = { g_string_new (NULL), NULL, 0, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_session_open_store (f->admin, &error);
  g_autoptr(TwPatientSummary) patient = tw_store_get_patient (store, KEY, NOW, &error);
  g_autoptr(GPtrArray) timeline = tw_store_list_clinical (store, KEY, &error);
  g_autoptr(GPtrArray) entities = tw_store_list_entities (store, TW_ROLE_CLINICIAN, &error);

  g_assert_no_error (error);
  tell_patient (&admin, patient);
  tell_timeline (&admin, timeline);
  tell_entities (&admin, entities);
  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    g_assert_false (contains (admin.told->str, secrets[i]));
  g_assert_true (patient->masked);
  g_string_free (admin.told, TRUE);
}

/* A bare connection (no session) is the least privileged reader. */
static void
test_bare_connection_is_masked (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwKey) key = tw_session_dup_key (f->clinician);
  g_autoptr(TwStore) store = tw_store_open (tw_session_get_store_path (f->clinician), key, FALSE,
                                            &error);
  g_autoptr(TwPatientSummary) patient = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (tw_store_get_role (store), ==, TW_ROLE_ANALYST);
  patient = tw_store_get_patient (store, KEY, NOW, &error);
  g_assert_no_error (error);
  g_assert_true (patient->masked);
  g_assert_null (patient->mrn);
  g_assert_null (patient->birth_date);
  g_assert_cmpstr (patient->display_name, ==, patient->key);
  g_assert_cmpstr (patient->key, !=, KEY);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/masking/analyst-learns-no-identity", Fixture, NULL, fixture_setup,
              test_analyst_learns_no_identity, fixture_teardown);
  g_test_add ("/masking/admin-is-masked-too", Fixture, NULL, fixture_setup,
              test_admin_is_masked_too, fixture_teardown);
  g_test_add ("/masking/bare-connection-is-masked", Fixture, NULL, fixture_setup,
              test_bare_connection_is_masked, fixture_teardown);
  return g_test_run ();
}
