#pragma once

#include <glib.h>

#include "tw-batch.h"
#include "tw-clinical.h"

G_BEGIN_DECLS

/* What every door (HL7 v2 ADT, FHIR resources, native JSON `record`)
 * checks before a clinical record goes into a batch, so that the same fact
 * is accepted or refused alike whichever way it came. */

#define TW_CLINICAL_MAX_CODE_CHARS 64    /* ref, code, ward, bed, status */
#define TW_CLINICAL_MAX_TEXT_CHARS 1024  /* text, detail */

/* Records may date from long before the store's earliest sample time
 * (a diagnosis of 1987), but not from before 1900. */
#define TW_CLINICAL_EARLIEST_TS_US G_GINT64_CONSTANT (-2208988800000000)

char     *tw_clinical_record_check (const TwClinicalRecord *record);
gboolean  tw_clinical_date_valid   (const char             *date);
char     *tw_clinical_sex_from_code (const char            *code);
void      tw_clinical_add          (TwBatch                *batch,
                                    const TwClinicalRecord *record);

G_END_DECLS
