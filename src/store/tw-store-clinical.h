#pragma once

#include <glib.h>

#include "tw-clinical.h"
#include "tw-store.h"

G_BEGIN_DECLS

/*
 * The clinical record, read through the masking rules of the role that
 * opened the store (tw_store_get_role(): tw_session_open_store() sets it,
 * nothing public can change it). For a role without
 * TW_PERM_SEE_IDENTITY (analysts, admins) every function here returns
 * pseudonymous ids instead of entity keys, age bands instead of birth dates,
 * no names or MRNs, and no free text (@text and @detail are NULL). Masking
 * is done in SQL's result handling here, never by callers.
 *
 * Pseudonym: "S-" and 10 hex digits of HMAC-SHA256 over the entity key
 * with a secret kept in the store (store_meta), so it is stable for an
 * analyst's studies and cannot be reversed without the key. Functions that
 * take a key accept a pseudonym too.
 */

/**
 * TwPatientSummary:
 * @key: entity key, or pseudonym when @masked
 * @display_name: name, or the pseudonym when @masked or unknown
 * @mrn: NULL when @masked or unknown
 * @birth_date: "YYYY-MM-DD"; NULL when @masked or unknown
 * @age_years: -1 when @masked or unknown
 * @age_band: always set ("unknown" when no birth date)
 * @sex: may be NULL
 * @ward, @bed: the open encounter's; NULL when not admitted
 * @admitted_at: µs UTC, 0 when not admitted
 * @n_diagnoses, @n_allergies, @n_prescriptions: active entries
 * @masked: identity withheld for this role
 */
typedef struct
{
  char    *key;
  char    *display_name;
  char    *mrn;
  char    *birth_date;
  int      age_years;
  char    *age_band;
  char    *sex;
  char    *ward;
  char    *bed;
  gint64   admitted_at;
  guint    n_diagnoses;
  guint    n_allergies;
  guint    n_prescriptions;
  gboolean masked;
} TwPatientSummary;

/**
 * TwClinicalEntry:
 * One line of a patient's timeline (diagnoses, treatments, prescriptions,
 * allergies, history, and the encounter's admission/transfer/discharge).
 * @text and @detail are NULL for masked roles; @code stays (coded data).
 */
typedef struct
{
  TwClinicalKind kind;
  gint64         ts;
  gint64         end_ts;
  char          *code;
  char          *text;
  char          *detail;
  char          *status;
} TwClinicalEntry;

TwRole            tw_store_get_role          (TwStore      *store);

/* Writing (inside tw_store_begin/commit; tw_store_write_batch calls it for
 * the batch's records). Idempotent by (entity, kind, ref). */
gboolean          tw_store_write_clinical    (TwStore                *store,
                                              const TwClinicalRecord *record,
                                              GError                **error);

/* NULL with G_IO_ERROR_NOT_FOUND when there is no such patient. @now
 * (µs UTC) dates the age. */
TwPatientSummary *tw_store_get_patient       (TwStore      *store,
                                              const char   *key,
                                              gint64        now,
                                              GError      **error);
/* Patients with an open encounter (or every patient entity when
 * @admitted_only is FALSE), in ward then bed order; @ward NULL: all. */
GPtrArray        *tw_store_list_patients     (TwStore      *store,
                                              const char   *ward,
                                              gboolean      admitted_only,
                                              gint64        now,
                                              GError      **error);
/* TwClinicalEntry*, oldest first; empty for an unknown key. Refused
 * (TW_ERROR_PERMISSION_DENIED) for roles without TW_PERM_BROWSE_TRENDS
 * (operators see bed and name: no MRN, birth date or records). */
GPtrArray        *tw_store_list_clinical     (TwStore      *store,
                                              const char   *key,
                                              GError      **error);
/* Wards with at least one open encounter, sorted. */
GStrv             tw_store_list_wards        (TwStore      *store,
                                              GError      **error);

void              tw_patient_summary_free    (TwPatientSummary *summary);
void              tw_clinical_entry_free     (TwClinicalEntry  *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwPatientSummary, tw_patient_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwClinicalEntry, tw_clinical_entry_free)

G_END_DECLS
