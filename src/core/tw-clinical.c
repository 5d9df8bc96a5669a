#include <glib/gi18n.h>
#include <string.h>

#include "tw-clinical.h"

/* The store's kind column: never rename a released one. */
static const char *kind_names[TW_CLINICAL_N_KINDS] = {
  "demographics",
  "admission",
  "transfer",
  "discharge",
  "diagnosis",
  "treatment",
  "prescription",
  "allergy",
  "history",
};

const char *
tw_clinical_kind_to_string (TwClinicalKind kind)
{
  g_return_val_if_fail (kind < TW_CLINICAL_N_KINDS, "invalid");
  return kind_names[kind];
}

const char *
tw_clinical_kind_to_label (TwClinicalKind kind)
{
  switch (kind)
    {
    case TW_CLINICAL_DEMOGRAPHICS: return _("Demographics");
    case TW_CLINICAL_ADMISSION:    return _("Admission");
    case TW_CLINICAL_TRANSFER:     return _("Transfer");
    case TW_CLINICAL_DISCHARGE:    return _("Discharge");
    case TW_CLINICAL_DIAGNOSIS:    return _("Diagnosis");
    case TW_CLINICAL_TREATMENT:    return _("Treatment");
    case TW_CLINICAL_PRESCRIPTION: return _("Prescription");
    case TW_CLINICAL_ALLERGY:      return _("Allergy");
    case TW_CLINICAL_HISTORY:      return _("Medical history");
    case TW_CLINICAL_N_KINDS:
    default:                       return _("Unknown record");
    }
}

gboolean
tw_clinical_kind_from_string (const char     *text,
                              TwClinicalKind *out)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < TW_CLINICAL_N_KINDS; i++)
    {
      if (g_str_equal (text, kind_names[i]))
        {
          if (out != NULL)
            *out = (TwClinicalKind) i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Exactly "YYYY-MM-DD" naming a real day. */
static gboolean
parse_date (const char *text,
            int        *year,
            int        *month,
            int        *day)
{
  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  *year = (int) g_ascii_strtoll (text, NULL, 10);
  *month = (int) g_ascii_strtoll (text + 5, NULL, 10);
  *day = (int) g_ascii_strtoll (text + 8, NULL, 10);
  return *year >= 1 && *year <= 9999
         && g_date_valid_dmy ((GDateDay) *day, (GDateMonth) *month, (GDateYear) *year);
}

/**
 * tw_clinical_age_years:
 * Counted on the UTC calendar: birthdays are days, and a day boundary in
 * one zone or another shifts an age by a day at most. Someone born on
 * 29 February turns a year older on 1 March in common years.
 */
int
tw_clinical_age_years (const char *birth_date,
                       gint64      now)
{
  g_autoptr(GDateTime) at = NULL;
  int year, month, day, age;

  if (!parse_date (birth_date, &year, &month, &day))
    return -1;
  at = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC);
  if (at == NULL)
    return -1;

  age = g_date_time_get_year (at) - year;
  if (g_date_time_get_month (at) < month
      || (g_date_time_get_month (at) == month && g_date_time_get_day_of_month (at) < day))
    age--;
  /* Born after @now: a data error, not an age. */
  return age >= 0 ? age : -1;
}

const char *
tw_clinical_age_band (int age_years)
{
  static const char *bands[] = {
    "0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80–89",
  };

  if (age_years < 0)
    return "unknown";
  if (age_years >= 90)
    return "90+";
  return bands[age_years / 10];
}
