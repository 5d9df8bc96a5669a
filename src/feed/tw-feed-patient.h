#pragma once

#include <glib.h>

#include "tw-feed-params.h"

G_BEGIN_DECLS

/* Printed with the patient's one-based number. */
#define TW_FEED_PATIENT_ID_FORMAT "P%04u"

/**
 * TwFeedPatient:
 * @id: the stream's patient id ("P0003")
 * @mrn: a medical record number ("MRN-0048213")
 * @name: given and family name
 * @bed: where the monitor stands ("ICU-03"): the ward and the bed number
 * @ward: the ward ("ICU", "Ward 7"), the patient's group; NULL when unknown
 * @bed_number: the bed within the ward (1, 2, …), 0 when unknown
 * @sex: "female", "male" (from the given name), or NULL when unknown
 *
 * Identity of one simulated patient, a pure function of the seed and the
 * patient's index.
 */
typedef struct
{
  char *id;
  char *mrn;
  char *name;
  char *bed;
  char *ward;
  guint bed_number;
  const char *sex;
} TwFeedPatient;

TwFeedPatient *tw_feed_patient_new  (const TwFeedParams *params,
                                     guint               index);
void           tw_feed_patient_free (TwFeedPatient      *patient);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwFeedPatient, tw_feed_patient_free)

G_END_DECLS
