#include <stdlib.h>
#include <string.h>

#include "tw-clinical-ingest.h"
#include "tw-codec.h"
#include "tw-time.h"

/* Longest reasonable ICD-10 or drug code: codes are keys, not prose. */
static gboolean
fits (const char *text,
      glong       max_chars)
{
  return text == NULL || g_utf8_strlen (text, -1) <= max_chars;
}

/**
 * tw_clinical_date_valid:
 * @date: "YYYY-MM-DD"
 *
 * Returns: whether @date is a real calendar day from 1900 to today (a
 *   birth date in the future is a typo, not a patient)
 */
gboolean
tw_clinical_date_valid (const char *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) day = NULL;
  int y, m, d;

  if (date == NULL || strlen (date) != 10 || date[4] != '-' || date[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (date[i]))
      return FALSE;
  y = atoi (date);
  m = atoi (date + 5);
  d = atoi (date + 8);
  if (y < 1900 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  day = g_date_time_new_utc (y, m, d, 0, 0, 0);
  return day != NULL && g_date_time_compare (day, now) <= 0;
}

/**
 * tw_clinical_sex_from_code:
 * @code: HL7 table 0001 (F, M, O, U, A, N) or FHIR administrative gender
 *   (female, male, other, unknown)
 *
 * Returns: (transfer full) (nullable): "female", "male", "other" or
 *   "unknown"; %NULL when @code is none of these
 */
char *
tw_clinical_sex_from_code (const char *code)
{
  static const struct { const char *code; const char *sex; } codes[] = {
    { "F", "female" }, { "M", "male" }, { "O", "other" }, { "A", "other" },
    { "U", "unknown" }, { "N", "unknown" },
    { "female", "female" }, { "male", "male" }, { "other", "other" }, { "unknown", "unknown" },
  };

  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (codes); i++)
    if (g_str_equal (codes[i].code, code))
      return g_strdup (codes[i].sex);
  return NULL;
}

/**
 * tw_clinical_record_check:
 * @record: a record a codec decoded
 *
 * Returns: (transfer full) (nullable): why @record cannot be stored, in
 *   words that tell the sender what to fix, or %NULL when it can
 */
char *
tw_clinical_record_check (const TwClinicalRecord *record)
{
  const char *kind;

  g_return_val_if_fail (record != NULL, g_strdup ("no record"));

  if (record->kind >= TW_CLINICAL_N_KINDS)
    return g_strdup ("unknown clinical record kind");
  kind = tw_clinical_kind_to_string (record->kind);
  if (record->entity == NULL || *record->entity == '\0'
      || !fits (record->entity, TW_CLINICAL_MAX_CODE_CHARS))
    return g_strdup_printf ("%s record without a patient identifier of 1\u201364 characters", kind);
  if (!fits (record->ref, TW_CLINICAL_MAX_CODE_CHARS)
      || !fits (record->code, TW_CLINICAL_MAX_CODE_CHARS)
      || !fits (record->status, TW_CLINICAL_MAX_CODE_CHARS)
      || !fits (record->ward, TW_CLINICAL_MAX_CODE_CHARS)
      || !fits (record->bed, TW_CLINICAL_MAX_CODE_CHARS))
    return g_strdup_printf ("%s record with a reference, code, status, ward or bed longer than "
                            "%d characters", kind, TW_CLINICAL_MAX_CODE_CHARS);
  if (!fits (record->text, TW_CLINICAL_MAX_TEXT_CHARS)
      || !fits (record->detail, TW_CLINICAL_MAX_TEXT_CHARS))
    return g_strdup_printf ("%s record with a text longer than %d characters", kind,
                            TW_CLINICAL_MAX_TEXT_CHARS);
  if (record->ts != 0 && (record->ts < TW_CLINICAL_EARLIEST_TS_US
                          || record->ts > tw_time_now () + TW_CODEC_MAX_FUTURE_US))
    return g_strdup_printf ("%s record dated before 1900 or more than a day in the future",
                            kind);
  if (record->end_ts != 0 && record->ts != 0 && record->end_ts < record->ts)
    return g_strdup_printf ("%s record that ends before it begins", kind);

  switch (record->kind)
    {
    case TW_CLINICAL_DEMOGRAPHICS:
      if (record->birth_date == NULL && record->sex == NULL)
        return g_strdup ("demographics record without a birth date or sex");
      if (record->birth_date != NULL && !tw_clinical_date_valid (record->birth_date))
        return g_strdup_printf ("birth date \u2018%.40s\u2019 is not a past day as YYYY-MM-DD",
                                record->birth_date);
      if (record->sex != NULL)
        {
          g_autofree char *sex = tw_clinical_sex_from_code (record->sex);

          if (sex == NULL || !g_str_equal (sex, record->sex))
            return g_strdup_printf ("sex \u2018%.40s\u2019 is not female, male, other or "
                                    "unknown", record->sex);
        }
      return NULL;

    case TW_CLINICAL_ADMISSION:
    case TW_CLINICAL_TRANSFER:
      if (record->ts == 0)
        return g_strdup_printf ("%s record without its time", kind);
      if (record->ward == NULL && record->bed == NULL)
        return g_strdup_printf ("%s record without a ward or bed", kind);
      return NULL;

    case TW_CLINICAL_DISCHARGE:
      if (record->ts == 0)
        return g_strdup ("discharge record without its time");
      return NULL;

    case TW_CLINICAL_DIAGNOSIS:
    case TW_CLINICAL_TREATMENT:
    case TW_CLINICAL_PRESCRIPTION:
    case TW_CLINICAL_ALLERGY:
    case TW_CLINICAL_HISTORY:
      if ((record->code == NULL || *record->code == '\0')
          && (record->text == NULL || *record->text == '\0'))
        return g_strdup_printf ("%s record without a code or text", kind);
      return NULL;

    case TW_CLINICAL_N_KINDS:
    default:
      g_assert_not_reached ();
    }
}

/**
 * tw_clinical_add:
 * @batch: the batch
 * @record: a checked record
 *
 * Adds @record; an admission or transfer also moves the patient: the ward
 * becomes its group, the bed its location, as an ADT message always did.
 * A discharge sets the location to "discharged".
 */
void
tw_clinical_add (TwBatch                *batch,
                 const TwClinicalRecord *record)
{
  tw_batch_add_record (batch, record);
  if (record->kind == TW_CLINICAL_ADMISSION || record->kind == TW_CLINICAL_TRANSFER)
    tw_batch_add_entity_in_group (batch, "patient", record->entity, NULL, NULL,
                                  record->bed != NULL ? record->bed : record->ward, record->ward);
  else if (record->kind == TW_CLINICAL_DISCHARGE)
    tw_batch_add_entity_in_group (batch, "patient", record->entity, NULL, NULL, "discharged",
                                  NULL);
}
