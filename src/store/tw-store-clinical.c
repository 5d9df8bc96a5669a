#include <gio/gio.h>
#include <sodium.h>
#include <string.h>

#include "tw-error.h"
#include "tw-store-clinical.h"
#include "tw-store-private.h"
#include "tw-store-scope.h"
#include "tw-time.h"

#define PSEUDONYM_SECRET_NAME "pseudonym_secret"
#define PSEUDONYM_HEX_DIGITS  10

/* ---- pseudonyms -------------------------------------------------------- */

static gboolean
read_secret (TwStore  *store,
             gboolean *out_found,
             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *out_found = FALSE;
  stmt = tw_store_prepare (store, "SELECT value FROM store_meta WHERE key = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, PSEUDONYM_SECRET_NAME, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the pseudonym secret");
      return FALSE;
    }
  if (sqlite3_column_type (stmt, 0) != SQLITE_BLOB
      || sqlite3_column_bytes (stmt, 0) != TW_KEY_BYTES)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "The store's pseudonym secret is damaged; restore the store from a backup");
      return FALSE;
    }
  store->pseudonym_secret = tw_key_new_from_bytes (sqlite3_column_blob (stmt, 0), TW_KEY_BYTES);
  *out_found = TRUE;
  return TRUE;
}

/* The secret is made once per store (migration 4) and never changes:
 * a new one would rename every patient in analysts' studies. */
static gboolean
load_secret (TwStore  *store,
             GError  **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(TwKey) fresh = NULL;
  gboolean found;

  if (store->pseudonym_secret != NULL)
    return TRUE;
  if (!read_secret (store, &found, error))
    return FALSE;
  if (found)
    return TRUE;

  fresh = tw_key_new_random ();
  insert = tw_store_prepare (store, "INSERT OR IGNORE INTO store_meta (key, value) VALUES (?, ?)",
                             error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_text (insert, 1, PSEUDONYM_SECRET_NAME, -1, SQLITE_STATIC);
  sqlite3_bind_blob (insert, 2, tw_key_get_bytes (fresh), TW_KEY_BYTES, SQLITE_TRANSIENT);
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not save the pseudonym secret");
      return FALSE;
    }
  /* Read back: another connection may have won the race. */
  if (!read_secret (store, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "The pseudonym secret was not saved");
      return FALSE;
    }
  return TRUE;
}

char *
tw_store_make_pseudonym (TwStore     *store,
                         const char  *key,
                         GError     **error)
{
  guint8 mac[crypto_auth_hmacsha256_BYTES];
  char hex[PSEUDONYM_HEX_DIGITS + 1];

  g_return_val_if_fail (key != NULL, NULL);

  if (!load_secret (store, error))
    return NULL;
  crypto_auth_hmacsha256 (mac, (const guint8 *) key, strlen (key),
                          tw_key_get_bytes (store->pseudonym_secret));
  sodium_bin2hex (hex, sizeof hex, mac, PSEUDONYM_HEX_DIGITS / 2);
  sodium_memzero (mac, sizeof mac);
  return g_strconcat ("S-", hex, NULL);
}

gboolean
tw_store_backfill_pseudonyms (TwStore  *store,
                              GError  **error)
{
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  if (!load_secret (store, error))
    return FALSE;
  select = tw_store_prepare (store, "SELECT id, key FROM entities WHERE pseudonym IS NULL", error);
  update = tw_store_prepare (store, "UPDATE entities SET pseudonym = ? WHERE id = ?", error);
  if (select == NULL || update == NULL)
    return FALSE;
  /* Collected first: updating the rows a SELECT walks is undefined order. */
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (select, 0);

      g_array_append_val (ids, id);
      g_ptr_array_add (keys, g_strdup ((const char *) sqlite3_column_text (select, 1)));
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not list the entities");
      return FALSE;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *pseudonym = tw_store_make_pseudonym (store, keys->pdata[i], error);

      if (pseudonym == NULL)
        return FALSE;
      sqlite3_reset (update);
      sqlite3_bind_text (update, 1, pseudonym, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (update, 2, g_array_index (ids, gint64, i));
      if (sqlite3_step (update) != SQLITE_DONE)
        {
          tw_store_set_error (store, error, "Could not give an entity its pseudonym");
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * tw_store_resolve_entity:
 * The one place where a name from a caller becomes an entity: its key
 * (what clinicians and the engine use) or its pseudonym (all a masked
 * role ever sees). It is also where ward scope is enforced for every
 * single-entity read: a patient outside a scoped clinician's wards is -1
 * with %TW_ERROR_OUT_OF_SCOPE (tw-store-scope.h).
 */
gint64
tw_store_resolve_entity (TwStore     *store,
                         const char  *key_or_pseudonym,
                         char       **out_key,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 id;
  int rc;

  if (out_key != NULL)
    *out_key = NULL;
  if (key_or_pseudonym == NULL)
    return 0;
  stmt = tw_store_prepare (store,
                           "SELECT id, key FROM entities WHERE key = ?1"
                           " UNION ALL SELECT id, key FROM entities WHERE pseudonym = ?1"
                           " LIMIT 1", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, key_or_pseudonym, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not look up the patient");
      return -1;
    }
  id = sqlite3_column_int64 (stmt, 0);
  if (!tw_store_check_entity_scope (store, id, error))
    return -1;
  if (out_key != NULL)
    *out_key = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  return id;
}

/* ---- writing ----------------------------------------------------------- */

static gboolean
is_encounter_kind (TwClinicalKind kind)
{
  return kind == TW_CLINICAL_ADMISSION || kind == TW_CLINICAL_TRANSFER
         || kind == TW_CLINICAL_DISCHARGE;
}

/* A source without ids for its facts: the same fact sent again derives the
 * same ref, so it still replaces itself. */
static char *
derive_ref (const TwClinicalRecord *record)
{
  g_autofree char *material = g_strdup_printf ("%s\x1f%s\x1f%" G_GINT64_FORMAT,
                                               tw_clinical_kind_to_string (record->kind),
                                               record->code != NULL ? record->code
                                               : record->text != NULL ? record->text : "",
                                               record->ts);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, material, -1);

  return g_strdup_printf ("derived:%.16s", digest);
}

static gboolean
write_demographics (TwStore                *store,
                    gint64                  entity_id,
                    const TwClinicalRecord *record,
                    GError                **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;

  /* No UPSERT on SQLite 3.15: make sure the row exists, then update it. */
  insert = tw_store_prepare (store,
                             "INSERT OR IGNORE INTO patients (entity_id, updated_at) VALUES (?, ?)",
                             error);
  update = tw_store_prepare (store,
                             "UPDATE patients SET birth_date = coalesce (?, birth_date),"
                             " sex = coalesce (?, sex), updated_at = ? WHERE entity_id = ?", error);
  if (insert == NULL || update == NULL)
    return FALSE;
  sqlite3_bind_int64 (insert, 1, entity_id);
  sqlite3_bind_int64 (insert, 2, tw_time_now ());
  sqlite3_bind_text (update, 1, record->birth_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (update, 2, record->sex, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (update, 3, tw_time_now ());
  sqlite3_bind_int64 (update, 4, entity_id);
  if (sqlite3_step (insert) != SQLITE_DONE || sqlite3_step (update) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not store the patient's demographics");
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  char   *ref;
  char   *ward;
  char   *bed;
  gint64  admitted_at;
} OpenEncounter;

static void
open_encounter_clear (OpenEncounter *open)
{
  g_clear_pointer (&open->ref, g_free);
  g_clear_pointer (&open->ward, g_free);
  g_clear_pointer (&open->bed, g_free);
  open->admitted_at = 0;
}

static gboolean
emit_encounter (TwStore        *store,
                sqlite3_stmt   *insert,
                gint64          entity_id,
                OpenEncounter  *open,
                gint64          discharged_at,
                GError        **error)
{
  sqlite3_reset (insert);
  sqlite3_bind_int64 (insert, 1, entity_id);
  sqlite3_bind_text (insert, 2, open->ref, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 3, open->ward, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 4, open->bed, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 5, open->admitted_at);
  if (discharged_at != 0)
    sqlite3_bind_int64 (insert, 6, discharged_at);
  else
    sqlite3_bind_null (insert, 6);
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not store an encounter");
      return FALSE;
    }
  return TRUE;
}

/*
 * The encounters of a patient follow from its admission, transfer and
 * discharge records in time order, whatever order they arrived in: they
 * are rebuilt from them, so a resent or late message changes nothing but
 * what it should. An admission while admitted ends the earlier stay; a
 * transfer without an admission opens one; a discharge closes the stay.
 * The entity's group and location follow the open stay.
 */
static gboolean
rebuild_encounters (TwStore  *store,
                    gint64    entity_id,
                    GError  **error)
{
  g_autoptr(sqlite3_stmt) remove = NULL;
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) place = NULL;
  OpenEncounter open = { NULL, NULL, NULL, 0 };
  gboolean is_open = FALSE;
  gboolean ok = FALSE;
  int rc;

  remove = tw_store_prepare (store, "DELETE FROM encounters WHERE entity_id = ?", error);
  select = tw_store_prepare (store,
                             "SELECT kind, ref, ts, code, detail FROM clinical_records"
                             " WHERE entity_id = ? AND kind IN ('admission','transfer','discharge')"
                             " ORDER BY ts, CASE kind WHEN 'admission' THEN 0"
                             "  WHEN 'transfer' THEN 1 ELSE 2 END, ref", error);
  insert = tw_store_prepare (store,
                             "INSERT INTO encounters (entity_id, ref, ward, bed, admitted_at,"
                             " discharged_at) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (remove == NULL || select == NULL || insert == NULL)
    return FALSE;
  sqlite3_bind_int64 (remove, 1, entity_id);
  if (sqlite3_step (remove) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not update the encounters");
      return FALSE;
    }

  sqlite3_bind_int64 (select, 1, entity_id);
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      TwClinicalKind kind = TW_CLINICAL_ADMISSION;
      const char *ref = (const char *) sqlite3_column_text (select, 1);
      gint64 ts = sqlite3_column_int64 (select, 2);
      const char *ward = (const char *) sqlite3_column_text (select, 3);
      const char *bed = (const char *) sqlite3_column_text (select, 4);

      tw_clinical_kind_from_string ((const char *) sqlite3_column_text (select, 0), &kind);
      if (kind == TW_CLINICAL_ADMISSION)
        {
          if (is_open && !emit_encounter (store, insert, entity_id, &open, ts, error))
            goto out;
          open_encounter_clear (&open);
          open.ref = g_strdup (ref);
          open.ward = g_strdup (ward);
          open.bed = g_strdup (bed);
          open.admitted_at = ts;
          is_open = TRUE;
        }
      else if (kind == TW_CLINICAL_TRANSFER)
        {
          if (!is_open)
            {
              open.ref = g_strdup (ref);
              open.admitted_at = ts;
              is_open = TRUE;
            }
          /* A transfer within the ward may name the bed only. */
          if (ward != NULL)
            {
              g_free (open.ward);
              open.ward = g_strdup (ward);
            }
          if (bed != NULL)
            {
              g_free (open.bed);
              open.bed = g_strdup (bed);
            }
        }
      else if (is_open)
        {
          if (!emit_encounter (store, insert, entity_id, &open, ts, error))
            goto out;
          open_encounter_clear (&open);
          is_open = FALSE;
        }
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read the admissions");
      goto out;
    }
  if (is_open && !emit_encounter (store, insert, entity_id, &open, 0, error))
    goto out;

  /* The ward is the group rules are scoped by; the bed is where the
   * patient lies, and nowhere once discharged. */
  place = tw_store_prepare (store,
                            is_open
                            ? "UPDATE entities SET grp = coalesce (?1, grp), location = ?2"
                              " WHERE id = ?3"
                            : "UPDATE entities SET location = NULL WHERE id = ?3", error);
  if (place == NULL)
    goto out;
  if (is_open)
    {
      sqlite3_bind_text (place, 1, open.ward, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (place, 2, open.bed, -1, SQLITE_TRANSIENT);
    }
  sqlite3_bind_int64 (place, 3, entity_id);
  if (sqlite3_step (place) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not move the patient");
      goto out;
    }
  ok = TRUE;

out:
  open_encounter_clear (&open);
  return ok;
}

/**
 * tw_store_write_clinical:
 * Stores one record. Demographics update the patient row; every other
 * kind is a row of the timeline, replaced when (entity, kind, ref) comes
 * again. Admissions, transfers and discharges keep the ward in code and
 * the bed in detail, and move the patient. An unknown entity is created
 * as a patient.
 */
gboolean
tw_store_write_clinical (TwStore                *store,
                         const TwClinicalRecord *record,
                         GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *derived = NULL;
  const char *code = record->code;
  const char *detail = record->detail;
  gint64 entity_id;

  g_return_val_if_fail (store != NULL && record != NULL, FALSE);

  if (record->entity == NULL || *record->entity == '\0' || record->kind >= TW_CLINICAL_N_KINDS)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "A clinical record needs a patient and a known kind");
      return FALSE;
    }
  entity_id = tw_store_ensure_entity (store, record->entity, "patient", error);
  if (entity_id < 0)
    return FALSE;

  if (record->kind == TW_CLINICAL_DEMOGRAPHICS)
    return write_demographics (store, entity_id, record, error);

  if (is_encounter_kind (record->kind))
    {
      if (record->ward != NULL)
        code = record->ward;
      if (record->bed != NULL)
        detail = record->bed;
    }
  if (record->ref == NULL)
    derived = derive_ref (record);

  stmt = tw_store_prepare (store,
                           "INSERT OR REPLACE INTO clinical_records (entity_id, kind, ref, ts,"
                           " end_ts, code, text, detail, status)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entity_id);
  sqlite3_bind_text (stmt, 2, tw_clinical_kind_to_string (record->kind), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, derived != NULL ? derived : record->ref, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, record->ts);
  sqlite3_bind_int64 (stmt, 5, record->end_ts);
  sqlite3_bind_text (stmt, 6, code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, record->text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, detail, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, record->status, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not store a clinical record");
      return FALSE;
    }

  if (is_encounter_kind (record->kind))
    return rebuild_encounters (store, entity_id, error);
  return TRUE;
}

/* ---- reading ----------------------------------------------------------- */

/* What a role may see of a patient's identity. */
typedef enum
{
  SHOW_MASKED,     /* pseudonym, age band (analysts, admins) */
  SHOW_NAME,       /* bed and name, no MRN or birth date (operators) */
  SHOW_IDENTITY,   /* everything (clinicians) */
} Visibility;

static Visibility
visibility_for (TwStore *store)
{
  if (tw_store_masks_identity (store))
    return SHOW_MASKED;
  /* ARCHITECTURE.md, "Roles": the central station sees bed and name. */
  if (tw_store_get_role (store) == TW_ROLE_OPERATOR)
    return SHOW_NAME;
  return SHOW_IDENTITY;
}

/* Not active: what sources say of a finished fact (FHIR clinicalStatus,
 * MedicationRequest.status, HL7 action codes). */
#define ACTIVE_SQL(alias) \
  "(" alias ".end_ts = 0 AND lower (coalesce (" alias ".status, 'active')) NOT IN" \
  " ('resolved','inactive','remission','stopped','completed','cancelled','entered-in-error'," \
  "'refuted'))"

#define PATIENT_SELECT \
  "SELECT e.id, e.key, e.pseudonym, e.name, e.mrn, p.birth_date, p.sex, c.ward, c.bed," \
  " c.admitted_at," \
  " (SELECT count(*) FROM clinical_records r WHERE r.entity_id = e.id" \
  "   AND r.kind = 'diagnosis' AND " ACTIVE_SQL ("r") ")," \
  " (SELECT count(*) FROM clinical_records r WHERE r.entity_id = e.id" \
  "   AND r.kind = 'allergy' AND " ACTIVE_SQL ("r") ")," \
  " (SELECT count(*) FROM clinical_records r WHERE r.entity_id = e.id" \
  "   AND r.kind = 'prescription' AND " ACTIVE_SQL ("r") ")" \
  " FROM entities e LEFT JOIN patients p ON p.entity_id = e.id" \
  " LEFT JOIN encounters c ON c.entity_id = e.id AND c.discharged_at IS NULL"

void
tw_patient_summary_free (TwPatientSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->key);
  g_free (summary->display_name);
  g_free (summary->mrn);
  g_free (summary->birth_date);
  g_free (summary->age_band);
  g_free (summary->sex);
  g_free (summary->ward);
  g_free (summary->bed);
  g_free (summary);
}

void
tw_clinical_entry_free (TwClinicalEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->code);
  g_free (entry->text);
  g_free (entry->detail);
  g_free (entry->status);
  g_free (entry);
}

static const char *
column (sqlite3_stmt *stmt,
        int           i)
{
  return (const char *) sqlite3_column_text (stmt, i);
}

/* Masking happens here, on the row, before anything reaches a caller. */
static TwPatientSummary *
summary_from_row (TwStore       *store,
                  sqlite3_stmt  *stmt,
                  Visibility     visibility,
                  gint64         now,
                  GError       **error)
{
  g_autoptr(TwPatientSummary) s = g_new0 (TwPatientSummary, 1);
  g_autofree char *pseudonym = g_strdup (column (stmt, 2));
  const char *key = column (stmt, 1);
  const char *name = column (stmt, 3);
  const char *birth_date = column (stmt, 5);
  int age = tw_clinical_age_years (birth_date, now);

  /* Every entity has one since migration 4; never fall back to the key. */
  if (pseudonym == NULL && (pseudonym = tw_store_make_pseudonym (store, key, error)) == NULL)
    return NULL;

  s->masked = visibility == SHOW_MASKED;
  s->key = g_strdup (s->masked ? pseudonym : key);
  s->display_name = g_strdup (!s->masked && name != NULL ? name : pseudonym);
  if (visibility == SHOW_IDENTITY)
    {
      s->mrn = g_strdup (column (stmt, 4));
      s->birth_date = g_strdup (birth_date);
      s->age_years = age;
    }
  else
    {
      s->age_years = -1;
    }
  s->age_band = g_strdup (tw_clinical_age_band (age));
  s->sex = g_strdup (column (stmt, 6));
  s->ward = g_strdup (column (stmt, 7));
  s->bed = g_strdup (column (stmt, 8));
  s->admitted_at = sqlite3_column_int64 (stmt, 9);
  s->n_diagnoses = (guint) sqlite3_column_int64 (stmt, 10);
  s->n_allergies = (guint) sqlite3_column_int64 (stmt, 11);
  s->n_prescriptions = (guint) sqlite3_column_int64 (stmt, 12);
  return g_steal_pointer (&s);
}

TwPatientSummary *
tw_store_get_patient (TwStore     *store,
                      const char  *key,
                      gint64       now,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(TwPatientSummary) summary = NULL;
  g_autofree char *entity_key = NULL;
  gint64 id;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  id = tw_store_resolve_entity (store, key, &entity_key, error);
  if (id < 0)
    return NULL;
  stmt = tw_store_prepare (store, PATIENT_SELECT " WHERE e.id = ? AND e.kind = 'patient'", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      summary = summary_from_row (store, stmt, visibility_for (store), now, error);
      /* Done with the row before the audit writes. */
      sqlite3_reset (stmt);
      if (summary == NULL || !tw_store_audit_record_view (store, id, entity_key, error))
        return NULL;
      return g_steal_pointer (&summary);
    }
  if (rc == SQLITE_DONE)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "There is no patient ‘%s’ in this store", key != NULL ? key : "");
  else
    tw_store_set_error (store, error, "Could not read the patient");
  return NULL;
}

/* Bed 2 before bed 10, "ICU-9" before "ICU-10": the order of the ward. */
static int
compare_natural (const char *a,
                 const char *b)
{
  g_autofree char *ka = NULL;
  g_autofree char *kb = NULL;

  if (a == NULL || b == NULL)
    return (a == NULL) - (b == NULL);  /* the unplaced last */
  ka = g_utf8_collate_key_for_filename (a, -1);
  kb = g_utf8_collate_key_for_filename (b, -1);
  return strcmp (ka, kb);
}

static int
compare_patients (gconstpointer a,
                  gconstpointer b)
{
  const TwPatientSummary *pa = *(TwPatientSummary * const *) a;
  const TwPatientSummary *pb = *(TwPatientSummary * const *) b;
  int c;

  if ((c = compare_natural (pa->ward, pb->ward)) != 0
      || (c = compare_natural (pa->bed, pb->bed)) != 0)
    return c;
  return compare_natural (pa->key, pb->key);
}

GPtrArray *
tw_store_list_patients (TwStore     *store,
                        const char  *ward,
                        gboolean     admitted_only,
                        gint64       now,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *scope = NULL;
  g_autofree char *sql = NULL;
  Visibility visibility;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  scope = tw_store_scope_sql (store, "e");
  sql = g_strconcat (PATIENT_SELECT
                     " WHERE e.kind = 'patient' AND (?1 IS NULL OR c.ward = ?1)"
                     " AND (?2 = 0 OR c.id IS NOT NULL) AND ", scope, NULL);
  stmt = tw_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, ward, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, admitted_only ? 1 : 0);

  visibility = visibility_for (store);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_patient_summary_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwPatientSummary *s = summary_from_row (store, stmt, visibility, now, error);

      if (s == NULL)
        return NULL;
      g_ptr_array_add (rows, s);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not list the patients");
      return NULL;
    }
  g_ptr_array_sort (rows, compare_patients);
  return g_steal_pointer (&rows);
}

/**
 * tw_store_list_clinical:
 * A patient's timeline, oldest first; an unknown patient has an empty
 * one. Operators watch beds, not charts (no %TW_PERM_BROWSE_TRENDS): they
 * are refused.
 */
GPtrArray *
tw_store_list_clinical (TwStore     *store,
                        const char  *key,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *entity_key = NULL;
  gboolean masked;
  gint64 id;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (!tw_role_can (tw_store_get_role (store), TW_PERM_BROWSE_TRENDS))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                   "Reading patient records is not allowed for the role %s; ask a clinician",
                   tw_role_to_string (tw_store_get_role (store)));
      return NULL;
    }
  id = tw_store_resolve_entity (store, key, &entity_key, error);
  if (id < 0)
    return NULL;
  if (id > 0 && !tw_store_audit_record_view (store, id, entity_key, error))
    return NULL;

  stmt = tw_store_prepare (store,
                           "SELECT kind, ts, end_ts, code, text, detail, status"
                           " FROM clinical_records WHERE entity_id = ? ORDER BY ts, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  masked = tw_store_masks_identity (store);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_clinical_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwClinicalEntry *entry = g_new0 (TwClinicalEntry, 1);

      if (!tw_clinical_kind_from_string (column (stmt, 0), &entry->kind))
        entry->kind = TW_CLINICAL_HISTORY;  /* a kind from a newer program */
      entry->ts = sqlite3_column_int64 (stmt, 1);
      entry->end_ts = sqlite3_column_int64 (stmt, 2);
      entry->code = g_strdup (column (stmt, 3));
      /* Free text may name anyone (the patient, relatives): never for masked roles. */
      entry->text = masked ? NULL : g_strdup (column (stmt, 4));
      entry->detail = masked ? NULL : g_strdup (column (stmt, 5));
      entry->status = g_strdup (column (stmt, 6));
      g_ptr_array_add (rows, entry);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read the patient's record");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static gint
compare_natural_strv (gconstpointer a,
                      gconstpointer b)
{
  return compare_natural (*(const char * const *) a, *(const char * const *) b);
}

GStrv
tw_store_list_wards (TwStore  *store,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) wards = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *scope = tw_store_scope_sql (store, "e");
  g_autofree char *sql = NULL;
  int rc;

  /* A scoped clinician's wards are those of the patients they may see
   * (an emergency-access patient brings theirs). */
  sql = g_strconcat ("SELECT DISTINCT c.ward FROM encounters c JOIN entities e"
                     " ON e.id = c.entity_id"
                     " WHERE c.discharged_at IS NULL AND c.ward IS NOT NULL AND ", scope, NULL);
  stmt = tw_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (wards, g_strdup (column (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not list the wards");
      return NULL;
    }
  g_ptr_array_sort (wards, compare_natural_strv);
  g_ptr_array_add (wards, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&wards), FALSE);
}
