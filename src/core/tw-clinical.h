#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The clinical record of a patient as sources announce it (HL7 ADT, FHIR
 * resources, the demo scenarios): demographics, encounters and the coded
 * facts of a chart. Everything here is protected health information and
 * lives only in the encrypted store. */

typedef enum
{
  TW_CLINICAL_DEMOGRAPHICS,  /* birth_date, sex (name and MRN: TwEntityInfo) */
  TW_CLINICAL_ADMISSION,     /* encounter begins: ward, bed at @ts */
  TW_CLINICAL_TRANSFER,      /* encounter moves: ward, bed at @ts */
  TW_CLINICAL_DISCHARGE,     /* encounter ends at @ts */
  TW_CLINICAL_DIAGNOSIS,     /* code: ICD-10, text: its description */
  TW_CLINICAL_TREATMENT,     /* procedure or therapy: code, text */
  TW_CLINICAL_PRESCRIPTION,  /* code: drug, text: drug name, detail: dose route frequency */
  TW_CLINICAL_ALLERGY,       /* code/text: substance, detail: reaction, status: severity */
  TW_CLINICAL_HISTORY,       /* past medical history: code (ICD-10 when known), text */
  TW_CLINICAL_N_KINDS,
} TwClinicalKind;

/**
 * TwClinicalRecord:
 * @kind: what it is
 * @entity: the patient's key (as in TwSample)
 * @ref: the source's identifier for this fact (FHIR id, HL7 MSH-10 and set
 *   id); storing the same (@entity, @kind, @ref) again replaces it, so a
 *   resent message changes nothing. NULL: derived from the other fields.
 * @ts: when it happened or began, µs UTC (admission, onset, start)
 * @end_ts: when it ended (resolved, stopped), 0 when open
 * @code: coded value (ICD-10, ATC or local drug code, ward for encounters)
 * @text: human description; free text (masked for analysts)
 * @detail: kind-specific free text (dose/route/frequency, reaction, bed)
 * @status: "active", "resolved", "stopped", a severity …; may be NULL
 * @birth_date: DEMOGRAPHICS only, "YYYY-MM-DD"
 * @sex: DEMOGRAPHICS only, "female", "male", "other", "unknown"
 * @ward: ADMISSION/TRANSFER: ward (also the entity's group)
 * @bed: ADMISSION/TRANSFER: bed
 *
 * Strings point into the owning batch's string chunk (tw_batch_add_record).
 */
typedef struct
{
  TwClinicalKind kind;
  const char    *entity;
  const char    *ref;
  gint64         ts;
  gint64         end_ts;
  const char    *code;
  const char    *text;
  const char    *detail;
  const char    *status;
  const char    *birth_date;
  const char    *sex;
  const char    *ward;
  const char    *bed;
} TwClinicalRecord;

/* "demographics", "admission", … "history" (the store's kind column). */
const char *tw_clinical_kind_to_string   (TwClinicalKind  kind);
const char *tw_clinical_kind_to_label    (TwClinicalKind  kind);  /* "Diagnosis" */
gboolean    tw_clinical_kind_from_string (const char     *text,
                                          TwClinicalKind *out);

/* Whole years at @now (µs UTC) from "YYYY-MM-DD"; -1 when unparsable. */
int         tw_clinical_age_years        (const char     *birth_date,
                                          gint64          now);
/* Ten-year band for de-identified views: "0–9", … "80–89", "90+"
 * (HIPAA Safe Harbor folds every age over 89 into one). "unknown" for -1. */
const char *tw_clinical_age_band         (int             age_years);

G_END_DECLS
