/*
 * Ward scope and emergency access (issue 6): a clinician reads the
 * patients of their wards through every read of the store and nobody
 * else's; "*" is every ward; no wards is no patients; a break-glass grant
 * opens exactly one patient, needs a reason, is audited and listed for
 * review, and ends when closed or after 12 hours; other roles are not
 * scoped; a record view is audited once per connection and patient.
 */
#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-session.h"
#include "tw-session-private.h"
#include "tw-store-alerts.h"
#include "tw-store-clinical.h"
#include "tw-store-envelope.h"
#include "tw-store-scope.h"
#include "tw-test-store.h"
#include "tw-time.h"

#define PASSWORD "correct horse battery staple"
#define WARD_A   "Ward A"
#define WARD_B   "Ward B"
#define REASON   "Cardiac arrest call on Ward B, covering the night"

/* Two patients on ward A, two on ward B; every one has a heart rate and
 * an alert. */
static const struct
{
  const char *key;
  const char *name;
  const char *mrn;
  const char *ward;
  const char *bed;
} patients[] = {
  { "PA1", "Ada Alder", "MRN-0000001", WARD_A, "A-01" },
  { "PA2", "Abe Ash", "MRN-0000002", WARD_A, "A-02" },
  { "PB1", "Bea Birch", "MRN-0000003", WARD_B, "B-01" },
  { "PB2", "Bo Beech", "MRN-0000004", WARD_B, "B-02" },
};

typedef struct
{
  char      *dir;
  char      *data_dir;
  gint64     now;
  TwSession *admin;
  TwSession *cleo;       /* clinician, ward A */
  TwSession *stan;       /* clinician, every ward */
  TwSession *carl;       /* clinician, no wards */
  TwSession *ann;        /* analyst */
  TwSession *olu;        /* operator */
} Fixture;

static TwSession *
add_and_login (Fixture    *f,
               const char *name,
               TwRole      role)
{
  g_autoptr(GError) error = NULL;
  TwSession *session;

  g_assert_true (tw_session_add_user (f->admin, name, role, PASSWORD, &error));
  g_assert_no_error (error);
  session = tw_session_login (f->data_dir, name, PASSWORD, &error);
  g_assert_no_error (error);
  return session;
}

static void
set_wards (Fixture            *f,
           const char         *name,
           const char * const *wards)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tw_session_set_user_wards (f->admin, name, wards, &error));
  g_assert_no_error (error);
}

static void
store_patients (Fixture *f,
                TwStore *store)
{
  g_autoptr(TwBatch) batch = tw_batch_new (0);
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_alert_record_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (patients); i++)
    {
      TwClinicalRecord admission = {
        .kind = TW_CLINICAL_ADMISSION, .entity = patients[i].key, .ref = "adm",
        .ts = f->now - 24 * TW_USEC_PER_HOUR, .ward = patients[i].ward, .bed = patients[i].bed,
      };
      TwClinicalRecord diagnosis = {
        .kind = TW_CLINICAL_DIAGNOSIS, .entity = patients[i].key, .ref = "dx",
        .ts = f->now - 20 * TW_USEC_PER_HOUR, .code = "J18.9", .text = "Pneumonia",
      };
      g_autoptr(TwAlert) alert = g_new0 (TwAlert, 1);

      tw_batch_add_entity (batch, "patient", patients[i].key, patients[i].name, patients[i].mrn,
                           patients[i].bed);
      tw_batch_add_record (batch, &admission);
      tw_batch_add_record (batch, &diagnosis);
      for (guint m = 0; m < 30; m++)
        tw_batch_add_sample (batch, patients[i].key, "hr", f->now - (30 - m) * TW_USEC_PER_MIN,
                             70 + m % 5);

      alert->id = i + 1;
      alert->rule_id = g_strdup ("hr-high");
      alert->entity_key = g_strdup (patients[i].key);
      alert->priority = TW_ALERT_PRIORITY_HIGH;
      alert->state = TW_ALERT_STATE_ACTIVE;
      alert->condition_active = TRUE;
      alert->occurrences = 1;
      alert->message = g_strdup_printf ("Heart rate high: %s", patients[i].key);
      alert->raised_us = f->now - TW_USEC_PER_MIN;
      alert->updated_us = f->now - TW_USEC_PER_MIN;
      alert->group = g_strdup (patients[i].ward);
      g_ptr_array_add (alerts, tw_alert_record_new (alert));
    }
  g_assert_true (tw_store_begin (store, &error));
  g_assert_true (tw_store_write_batch (store, batch, NULL, &error));
  g_assert_true (tw_store_save_alerts (store, alerts, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tw_store_commit (store, &error));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) writer = NULL;
  g_autoptr(TwKey) key = NULL;

  f->now = tw_time_now ();
  f->dir = g_dir_make_tmp ("tw-scope-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  f->admin = tw_session_initialize (f->data_dir, "ada", PASSWORD, TW_KDF_COST_MIN, &error);
  g_assert_no_error (error);
  f->cleo = add_and_login (f, "cleo", TW_ROLE_CLINICIAN);
  f->stan = add_and_login (f, "stan", TW_ROLE_CLINICIAN);
  f->carl = add_and_login (f, "carl", TW_ROLE_CLINICIAN);
  f->ann = add_and_login (f, "ann", TW_ROLE_ANALYST);
  f->olu = add_and_login (f, "olu", TW_ROLE_OPERATOR);
  set_wards (f, "cleo", (const char *[]) { WARD_A, NULL });
  set_wards (f, "stan", (const char *[]) { "*", NULL });

  /* Stored as the engine stores: a bare connection, no user. */
  key = tw_session_dup_key (f->admin);
  writer = tw_store_open (tw_session_get_store_path (f->admin), key, FALSE, &error);
  g_assert_no_error (error);
  store_patients (f, writer);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->admin, tw_session_free);
  g_clear_pointer (&f->cleo, tw_session_free);
  g_clear_pointer (&f->stan, tw_session_free);
  g_clear_pointer (&f->carl, tw_session_free);
  g_clear_pointer (&f->ann, tw_session_free);
  g_clear_pointer (&f->olu, tw_session_free);
  tw_test_remove_tree (f->dir);
  g_free (f->data_dir);
  g_free (f->dir);
}

static TwStore *
open_store (TwSession *session)
{
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_session_open_store (session, &error);

  g_assert_no_error (error);
  return store;
}

/* ---- what a connection may see ----------------------------------------- */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The entity keys (or pseudonyms) a list read returned, sorted and
 * joined: "PA1 PA2". */
static char *
keys_of_entities (GPtrArray *rows)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  g_assert_nonnull (rows);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (keys, ((TwEntityRow *) rows->pdata[i])->key);
  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);
  return g_strjoinv (" ", (GStrv) keys->pdata);
}

static char *
keys_of_patients (GPtrArray *rows)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  g_assert_nonnull (rows);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (keys, ((TwPatientSummary *) rows->pdata[i])->key);
  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);
  return g_strjoinv (" ", (GStrv) keys->pdata);
}

static char *
keys_of_alerts (GPtrArray *rows)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  g_assert_nonnull (rows);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (keys, ((TwAlertRecord *) rows->pdata[i])->alert->entity_key);
  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);
  return g_strjoinv (" ", (GStrv) keys->pdata);
}

static char *
keys_of_series (GPtrArray *rows)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  g_assert_nonnull (rows);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (keys, ((TwSeriesStats *) rows->pdata[i])->entity);
  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);
  return g_strjoinv (" ", (GStrv) keys->pdata);
}

static char *
keys_of_table (GHashTable *table)
{
  g_autofree const char **keys = NULL;
  guint n = 0;

  g_assert_nonnull (table);
  keys = (const char **) g_hash_table_get_keys_as_array (table, &n);
  qsort (keys, n, sizeof (char *), compare_strings);
  return g_strjoinv (" ", (GStrv) keys);
}

/* Every list read of @store, as one line per read. */
static char *
lists_seen (TwStore *store,
            TwRole   role,
            gint64   now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entities = tw_store_list_entities (store, role, &error);
  g_autoptr(GPtrArray) admitted = tw_store_list_patients (store, NULL, TRUE, now, &error);
  g_autoptr(GPtrArray) everyone = tw_store_list_patients (store, NULL, FALSE, now, &error);
  g_autoptr(GPtrArray) series = tw_store_list_series_stats (store, &error);
  g_autoptr(GPtrArray) open_alerts = tw_store_list_open_alerts (store, &error);
  g_autoptr(GPtrArray) history = tw_store_list_alert_history (store, NULL, 0, 0, 0, &error);
  g_autoptr(GHashTable) groups = tw_store_load_entity_groups (store, &error);
  g_auto(GStrv) wards = tw_store_list_wards (store, &error);
  g_autofree char *e = NULL, *a = NULL, *p = NULL, *s = NULL, *o = NULL, *h = NULL, *g = NULL;
  g_autofree char *w = NULL;

  g_assert_no_error (error);
  e = keys_of_entities (entities);
  a = keys_of_patients (admitted);
  p = keys_of_patients (everyone);
  s = keys_of_series (series);
  o = keys_of_alerts (open_alerts);
  h = keys_of_alerts (history);
  g = keys_of_table (groups);
  w = g_strjoinv ("|", wards);
  return g_strdup_printf ("entities %s\nadmitted %s\npatients %s\nseries %s\nalerts %s\n"
                          "history %s\ngroups %s\nwards %s", e, a, p, s, o, h, g, w);
}

#define LISTS(keys, wards) \
  "entities " keys "\nadmitted " keys "\npatients " keys "\nseries " keys "\nalerts " keys \
  "\nhistory " keys "\ngroups " keys "\nwards " wards

static guint64
alert_id_of (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (patients); i++)
    if (g_str_equal (patients[i].key, key))
      return i + 1;
  g_assert_not_reached ();
}

static void
assert_out_of_scope (GError     *error,
                     const char *what)
{
  g_test_message ("%s: %s", what, error != NULL ? error->message : "(no error)");
  g_assert_error (error, TW_ERROR, TW_ERROR_OUT_OF_SCOPE);
  g_assert_nonnull (strstr (error->message, "Emergency Access"));
}

/* Every single-entity read of @entity (a key or pseudonym): all succeed
 * with the patient's data, or all fail with TW_ERROR_OUT_OF_SCOPE. */
static void
assert_single_reads (TwStore    *store,
                     const char *entity,
                     gboolean    allowed,
                     gint64      now)
{
  const char *key = g_str_has_prefix (entity, "S-") ? NULL : entity;
  struct
  {
    const char *what;
    gboolean    ok;
    GError     *error;
  } r[9] = { { 0 } };
  guint n = 0;

  {
    g_autoptr(TwPatientSummary) p = tw_store_get_patient (store, entity, now, &r[n].error);
    r[n].what = "patient summary";
    r[n++].ok = p != NULL;
  }
  {
    g_autoptr(GPtrArray) timeline = tw_store_list_clinical (store, entity, &r[n].error);
    r[n].what = "clinical records";
    r[n++].ok = timeline != NULL && timeline->len == 2;
  }
  {
    g_autoptr(GArray) points = tw_store_read_samples (store, entity, "hr", now - TW_USEC_PER_HOUR,
                                                      now, &r[n].error);
    r[n].what = "samples";
    r[n++].ok = points != NULL && points->len == 30;
  }
  {
    g_autoptr(GArray) buckets = tw_store_read_rollups (store, entity, "hr", 60,
                                                       now - TW_USEC_PER_HOUR, now, &r[n].error);
    r[n].what = "rollups";
    r[n++].ok = buckets != NULL && buckets->len > 0;
  }
  {
    g_autoptr(TwM4) m4 = tw_store_read_envelope (store, entity, "hr", now - TW_USEC_PER_HOUR, now,
                                                 120, NULL, &r[n].error);
    r[n].what = "envelope";
    r[n++].ok = m4 != NULL;
  }
  {
    gint64 last = 0;
    r[n].ok = tw_store_get_entity_last_ts (store, entity, &last, &r[n].error) && last > 0;
    r[n++].what = "newest sample";
  }
  if (key != NULL)
    {
      g_autoptr(TwAlertRecord) record = NULL;
      g_autoptr(GPtrArray) transitions = NULL;

      r[n].ok = tw_store_get_alert (store, alert_id_of (key), &record, &r[n].error);
      r[n++].what = "alert";
      transitions = tw_store_list_alert_transitions (store, alert_id_of (key), &r[n].error);
      r[n].ok = transitions != NULL;
      r[n++].what = "alert transitions";
    }

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *what = g_strdup_printf ("%s of %s", r[i].what, entity);

      if (allowed)
        {
          g_assert_no_error (r[i].error);
          if (!r[i].ok)
            g_error ("%s: read nothing", what);
        }
      else
        {
          g_assert_false (r[i].ok);
          assert_out_of_scope (r[i].error, what);
        }
      g_clear_error (&r[i].error);
    }
}

static char *
pseudonym_of (Fixture    *f,
              const char *key)
{
  g_autoptr(TwStore) store = open_store (f->admin);
  g_autoptr(GError) error = NULL;
  char *pseudonym = tw_store_make_pseudonym (store, key, &error);

  g_assert_no_error (error);
  return pseudonym;
}

/* ---- tests ------------------------------------------------------------- */

static void
test_ward_only (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TwStore) store = open_store (f->cleo);
  g_autofree char *seen = lists_seen (store, TW_ROLE_CLINICIAN, f->now);
  g_autofree char *pb1 = pseudonym_of (f, "PB1");

  g_assert_cmpstr (seen, ==, LISTS ("PA1 PA2", WARD_A));
  assert_single_reads (store, "PA1", TRUE, f->now);
  assert_single_reads (store, "PA2", TRUE, f->now);
  assert_single_reads (store, "PB1", FALSE, f->now);
  assert_single_reads (store, "PB2", FALSE, f->now);
  /* The pseudonym is another name for the same patient, not a way round. */
  assert_single_reads (store, pb1, FALSE, f->now);
}

static void
test_all_wards (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TwStore) store = open_store (f->stan);
  g_autofree char *seen = lists_seen (store, TW_ROLE_CLINICIAN, f->now);

  g_assert_cmpstr (seen, ==, LISTS ("PA1 PA2 PB1 PB2", WARD_A "|" WARD_B));
  for (guint i = 0; i < G_N_ELEMENTS (patients); i++)
    assert_single_reads (store, patients[i].key, TRUE, f->now);
}

static void
test_no_wards (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(TwStore) store = open_store (f->carl);
  g_autofree char *seen = lists_seen (store, TW_ROLE_CLINICIAN, f->now);
  g_auto(GStrv) wards = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (seen, ==, LISTS ("", ""));
  for (guint i = 0; i < G_N_ELEMENTS (patients); i++)
    assert_single_reads (store, patients[i].key, FALSE, f->now);

  /* Taking wards away takes the patients away, at the next read. */
  wards = tw_session_get_user_wards (f->cleo, "cleo", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (wards, ((const char *[]) { WARD_A, NULL }));
  set_wards (f, "cleo", NULL);
  {
    g_autoptr(TwStore) cleo = open_store (f->cleo);
    g_autofree char *cleo_seen = lists_seen (cleo, TW_ROLE_CLINICIAN, f->now);

    g_assert_cmpstr (cleo_seen, ==, LISTS ("", ""));
  }
}

static void
test_other_roles (Fixture       *f,
                  gconstpointer  data)
{
  TwSession *sessions[] = { f->admin, f->ann, f->olu };
  g_autoptr(GError) error = NULL;
  g_autoptr(TwKey) key = tw_session_dup_key (f->admin);
  g_autoptr(TwStore) bare = NULL;

  /* Roles without identity see every patient, by pseudonym. */
  for (guint s = 0; s < G_N_ELEMENTS (sessions); s++)
    {
      g_autoptr(TwStore) store = open_store (sessions[s]);
      g_autoptr(GPtrArray) entities = tw_store_list_entities (store,
                                                              tw_session_get_role (sessions[s]),
                                                              &error);
      g_autoptr(GPtrArray) everyone = tw_store_list_patients (store, NULL, TRUE, f->now, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (entities->len, ==, G_N_ELEMENTS (patients));
      g_assert_cmpuint (everyone->len, ==, G_N_ELEMENTS (patients));
      for (guint i = 0; i < everyone->len; i++)
        {
          TwPatientSummary *p = everyone->pdata[i];
          g_autoptr(TwPatientSummary) one = tw_store_get_patient (store, p->key, f->now, &error);
          g_autoptr(GArray) points = tw_store_read_samples (store, p->key, "hr",
                                                            f->now - TW_USEC_PER_HOUR, f->now,
                                                            &error);

          g_assert_no_error (error);
          g_assert_nonnull (one);
          g_assert_cmpuint (points->len, ==, 30);
        }
    }

  /* The engine's own connections (no user) are not scoped either, even
   * reading as a clinician. */
  bare = tw_store_open (tw_session_get_store_path (f->admin), key, FALSE, &error);
  g_assert_no_error (error);
  tw_store_set_role (bare, TW_ROLE_CLINICIAN);
  {
    g_autofree char *seen = lists_seen (bare, TW_ROLE_CLINICIAN, f->now);

    g_assert_cmpstr (seen, ==, LISTS ("PA1 PA2 PB1 PB2", WARD_A "|" WARD_B));
  }
  assert_single_reads (bare, "PB1", TRUE, f->now);

  /* Only administrators assign wards. */
  g_assert_false (tw_session_set_user_wards (f->cleo, "cleo", (const char *[]) { "*", NULL },
                                             &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (tw_session_get_user_wards (f->cleo, "stan", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
}

static GPtrArray *
audit_rows (Fixture    *f,
            const char *action)
{
  g_autoptr(TwStore) store = open_store (f->admin);
  g_autoptr(GError) error = NULL;
  TwAuditFilter filter = { .action = action };
  GPtrArray *rows = tw_audit_list (store, &filter, &error);

  g_assert_no_error (error);
  return rows;
}

static TwBreakGlassRow *
find_grant (GPtrArray *rows,
            gint64     id)
{
  for (guint i = 0; i < rows->len; i++)
    if (((TwBreakGlassRow *) rows->pdata[i])->id == id)
      return rows->pdata[i];
  g_error ("Emergency access %" G_GINT64_FORMAT " is not listed", id);
}

static void
test_break_glass (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) audited = NULL;
  g_autoptr(GPtrArray) review = NULL;
  g_autoptr(GPtrArray) own = NULL;
  g_autofree char *pb1 = pseudonym_of (f, "PB1");
  TwAuditRow *row;
  TwBreakGlassRow *grant;
  gint64 id;

  /* A reason is mandatory: blank or short ones open nothing. */
  g_assert_cmpint (tw_session_break_glass (f->cleo, "PB1", NULL, &error), ==, 0);
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_cmpint (tw_session_break_glass (f->cleo, "PB1", "   urgent    ", &error), ==, 0);
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_test_message ("short reason: %s", error->message);
  g_clear_error (&error);
  /* Not for other roles, nor for a patient on one's own wards. */
  g_assert_cmpint (tw_session_break_glass (f->ann, "PB1", REASON, &error), ==, 0);
  g_assert_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (tw_session_break_glass (f->cleo, "PA1", REASON, &error), ==, 0);
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  {
    g_autoptr(TwStore) store = open_store (f->cleo);

    assert_single_reads (store, "PB1", FALSE, f->now);
  }

  /* Named by the bed, as at the bedside; it opens exactly that patient. */
  id = tw_session_break_glass (f->cleo, "B-01", REASON, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  {
    g_autoptr(TwStore) store = open_store (f->cleo);
    g_autofree char *seen = lists_seen (store, TW_ROLE_CLINICIAN, f->now);

    g_assert_cmpstr (seen, ==, LISTS ("PA1 PA2 PB1", WARD_A "|" WARD_B));
    assert_single_reads (store, "PB1", TRUE, f->now);
    assert_single_reads (store, pb1, TRUE, f->now);
    assert_single_reads (store, "PB2", FALSE, f->now);
  }
  /* The grant is the user's, not the connection's: another program of
   * cleo's reads it too; another clinician does not. */
  {
    g_autoptr(TwSession) again = tw_session_login (f->data_dir, "cleo", PASSWORD, &error);
    g_autoptr(TwStore) store = NULL;

    g_assert_no_error (error);
    store = open_store (again);
    assert_single_reads (store, "PB1", TRUE, f->now);
  }
  {
    g_autoptr(TwStore) store = open_store (f->carl);

    assert_single_reads (store, "PB1", FALSE, f->now);
  }

  /* Audited with the reason, the patient by pseudonym. */
  audited = audit_rows (f, TW_AUDIT_BREAK_GLASS);
  g_assert_cmpuint (audited->len, ==, 1);
  row = audited->pdata[0];
  g_assert_cmpstr (row->actor, ==, "cleo");
  g_assert_cmpstr (row->subject, ==, pb1);
  g_assert_nonnull (strstr (row->detail, REASON));

  /* Listed for the administrator's review (by pseudonym), and for cleo
   * (by key); not for carl. */
  {
    g_autoptr(TwStore) admin = open_store (f->admin);
    g_autoptr(TwStore) cleo = open_store (f->cleo);
    g_autoptr(TwStore) carl = open_store (f->carl);
    g_autoptr(GPtrArray) carls = tw_store_list_break_glass (carl, FALSE, &error);

    review = tw_store_list_break_glass (admin, TRUE, &error);
    own = tw_store_list_break_glass (cleo, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (carls->len, ==, 0);
  }
  g_assert_cmpuint (review->len, ==, 1);
  grant = find_grant (review, id);
  g_assert_nonnull (grant);
  g_assert_cmpstr (grant->user, ==, "cleo");
  g_assert_cmpstr (grant->patient, ==, pb1);
  g_assert_cmpstr (grant->ward, ==, WARD_B);
  g_assert_cmpstr (grant->reason, ==, REASON);
  g_assert_cmpint (grant->closed_at, ==, 0);
  g_assert_null (grant->reviewed_by);
  g_assert_cmpuint (own->len, ==, 1);
  g_assert_cmpstr (((TwBreakGlassRow *) own->pdata[0])->patient, ==, "PB1");

  /* The review: once, by an administrator, audited. */
  {
    g_autoptr(TwStore) admin = open_store (f->admin);
    g_autoptr(TwStore) cleo = open_store (f->cleo);
    g_autoptr(GPtrArray) unreviewed = NULL;
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GPtrArray) reviews = NULL;

    g_assert_false (tw_store_review_break_glass (cleo, id, "fine by me", &error));
    g_assert_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED);
    g_clear_error (&error);
    g_assert_true (tw_store_review_break_glass (admin, id, "  Arrest call confirmed  ", &error));
    g_assert_no_error (error);
    g_assert_false (tw_store_review_break_glass (admin, id, NULL, &error));
    g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    unreviewed = tw_store_list_break_glass (admin, TRUE, &error);
    all = tw_store_list_break_glass (admin, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (unreviewed->len, ==, 0);
    g_assert_cmpstr (find_grant (all, id)->reviewed_by, ==, "ada");
    g_assert_cmpstr (find_grant (all, id)->review_note, ==, "Arrest call confirmed");
    reviews = audit_rows (f, TW_AUDIT_BREAK_GLASS_REVIEW);
    g_assert_cmpuint (reviews->len, ==, 1);
    g_assert_cmpstr (((TwAuditRow *) reviews->pdata[0])->actor, ==, "ada");
    g_assert_cmpstr (((TwAuditRow *) reviews->pdata[0])->subject, ==, pb1);
  }

  /* Closing it closes the access (audited); closing twice is refused. */
  g_assert_true (tw_session_close_break_glass (f->cleo, id, &error));
  g_assert_no_error (error);
  {
    g_autoptr(TwStore) store = open_store (f->cleo);
    g_autoptr(GPtrArray) closes = audit_rows (f, TW_AUDIT_BREAK_GLASS_CLOSE);
    g_autofree char *seen = lists_seen (store, TW_ROLE_CLINICIAN, f->now);

    g_assert_cmpstr (seen, ==, LISTS ("PA1 PA2", WARD_A));
    assert_single_reads (store, "PB1", FALSE, f->now);
    g_assert_cmpuint (closes->len, ==, 1);
    g_assert_false (tw_store_close_break_glass (store, id, &error));
    g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  }
}

static void
test_break_glass_ends (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwKey) key = tw_session_dup_key (f->admin);
  g_autoptr(TwStore) bare = NULL;
  g_autoptr(TwStore) admin = NULL;
  g_autoptr(GPtrArray) grants = NULL;
  g_autofree char *age = NULL;
  gint64 old_id, session_id;

  /* A grant opened 12 hours ago no longer opens the patient. */
  old_id = tw_session_break_glass (f->cleo, "PB1", REASON, &error);
  g_assert_no_error (error);
  bare = tw_store_open (tw_session_get_store_path (f->admin), key, FALSE, &error);
  g_assert_no_error (error);
  age = g_strdup_printf ("UPDATE break_glass SET opened_at = opened_at - %" G_GINT64_FORMAT
                         " WHERE id = %" G_GINT64_FORMAT,
                         (gint64) TW_BREAK_GLASS_MAX_HOURS * TW_USEC_PER_HOUR, old_id);
  g_assert_true (tw_store_exec (bare, age, &error));
  {
    g_autoptr(TwStore) store = open_store (f->cleo);

    assert_single_reads (store, "PB1", FALSE, f->now);
  }
  admin = open_store (f->admin);
  grants = tw_store_list_break_glass (admin, FALSE, &error);
  g_assert_no_error (error);
  /* Listed as ended when its time ran out. */
  g_assert_cmpint (find_grant (grants, old_id)->closed_at, ==,
                   find_grant (grants, old_id)->opened_at
                   + TW_BREAK_GLASS_MAX_HOURS * TW_USEC_PER_HOUR);

  /* Signing out closes what the session opened. */
  session_id = tw_session_break_glass (f->cleo, "PB2", REASON, &error);
  g_assert_no_error (error);
  {
    g_autoptr(TwStore) store = open_store (f->cleo);

    assert_single_reads (store, "PB2", TRUE, f->now);
  }
  tw_session_scope_close_all (f->cleo);
  {
    g_autoptr(TwStore) store = open_store (f->cleo);
    g_autoptr(GPtrArray) closes = audit_rows (f, TW_AUDIT_BREAK_GLASS_CLOSE);

    assert_single_reads (store, "PB2", FALSE, f->now);
    /* Both of the session's grants get their end recorded, the one that
     * ran out of time too. */
    g_assert_cmpuint (closes->len, ==, 2);
  }
  g_assert_cmpint (session_id, >, old_id);
}

static void
test_record_view (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pa1 = pseudonym_of (f, "PA1");
  g_autofree char *pa2 = pseudonym_of (f, "PA2");
  g_autoptr(GPtrArray) views = NULL;
  guint n_pa1 = 0, n_pa2 = 0;

  {
    g_autoptr(TwStore) store = open_store (f->cleo);
    g_autoptr(GPtrArray) lists = tw_store_list_patients (store, NULL, TRUE, f->now, &error);

    g_assert_no_error (error);
    views = audit_rows (f, TW_AUDIT_RECORD_VIEW);
    g_assert_cmpuint (views->len, ==, 0);  /* a ward list is not a record view */
    g_clear_pointer (&views, g_ptr_array_unref);

    /* Summary, timeline, summary again: one view of PA1; then PA2. */
    for (guint i = 0; i < 3; i++)
      {
        g_autoptr(TwPatientSummary) p = NULL;
        g_autoptr(GPtrArray) timeline = NULL;

        if (i == 1)
          timeline = tw_store_list_clinical (store, "PA1", &error);
        else
          p = tw_store_get_patient (store, "PA1", f->now, &error);
        g_assert_no_error (error);
      }
    g_assert_nonnull (tw_store_get_patient (store, "PA2", f->now, &error));
    g_assert_no_error (error);
    views = audit_rows (f, TW_AUDIT_RECORD_VIEW);
    g_assert_cmpuint (views->len, ==, 2);
    g_clear_pointer (&views, g_ptr_array_unref);
  }
  /* A new connection (the next time the record is opened) counts again. */
  {
    g_autoptr(TwStore) store = open_store (f->cleo);
    g_autoptr(TwPatientSummary) p = tw_store_get_patient (store, "PA1", f->now, &error);

    g_assert_no_error (error);
  }
  views = audit_rows (f, TW_AUDIT_RECORD_VIEW);
  g_assert_cmpuint (views->len, ==, 3);
  for (guint i = 0; i < views->len; i++)
    {
      TwAuditRow *row = views->pdata[i];

      g_assert_cmpstr (row->actor, ==, "cleo");
      n_pa1 += g_strcmp0 (row->subject, pa1) == 0;
      n_pa2 += g_strcmp0 (row->subject, pa2) == 0;
    }
  g_assert_cmpuint (n_pa1, ==, 2);
  g_assert_cmpuint (n_pa2, ==, 1);
}

static void
test_wards_admin (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) wards = NULL;
  g_autoptr(GPtrArray) audited = NULL;

  /* Trimmed, without repeats; "*" swallows the rest. */
  set_wards (f, "carl", (const char *[]) { " Ward B ", WARD_A, WARD_B, NULL });
  wards = tw_session_get_user_wards (f->admin, "carl", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (wards, ((const char *[]) { WARD_A, WARD_B, NULL }));
  g_clear_pointer (&wards, g_strfreev);
  set_wards (f, "carl", (const char *[]) { WARD_A, "*", NULL });
  wards = tw_session_get_user_wards (f->carl, "carl", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (wards, ((const char *[]) { "*", NULL }));

  g_assert_false (tw_session_set_user_wards (f->admin, "nobody", NULL, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (tw_session_set_user_wards (f->admin, "carl", (const char *[]) { "  ", NULL },
                                             &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* The fixture's two assignments and these two. */
  audited = audit_rows (f, TW_AUDIT_USER_WARDS);
  g_assert_cmpuint (audited->len, ==, 4);
  g_assert_cmpstr (((TwAuditRow *) audited->pdata[0])->subject, ==, "carl");
  g_assert_cmpstr (((TwAuditRow *) audited->pdata[0])->detail, ==, "all wards");
  g_assert_cmpstr (((TwAuditRow *) audited->pdata[1])->detail, ==, WARD_B ", " WARD_A);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/scope/ward-only", Fixture, NULL, fixture_setup, test_ward_only,
              fixture_teardown);
  g_test_add ("/scope/all-wards", Fixture, NULL, fixture_setup, test_all_wards,
              fixture_teardown);
  g_test_add ("/scope/no-wards", Fixture, NULL, fixture_setup, test_no_wards, fixture_teardown);
  g_test_add ("/scope/other-roles", Fixture, NULL, fixture_setup, test_other_roles,
              fixture_teardown);
  g_test_add ("/scope/break-glass", Fixture, NULL, fixture_setup, test_break_glass,
              fixture_teardown);
  g_test_add ("/scope/break-glass-ends", Fixture, NULL, fixture_setup, test_break_glass_ends,
              fixture_teardown);
  g_test_add ("/scope/record-view", Fixture, NULL, fixture_setup, test_record_view,
              fixture_teardown);
  g_test_add ("/scope/wards-admin", Fixture, NULL, fixture_setup, test_wards_admin,
              fixture_teardown);
  return g_test_run ();
}
