#pragma once

#include <glib.h>

#include "tw-batch.h"
#include "tw-hl7-message.h"

G_BEGIN_DECLS

/* The clinical records of HL7 v2 ADT and pharmacy order messages: what
 * tw-hl7-codec.c hands over once it has filed the patient of the PID. */

char  *tw_hl7_location_of     (const TwHl7Message *msg,
                               const TwHl7Segment *pv1);
guint  tw_hl7_adt_add_records (TwBatch            *batch,
                               const TwHl7Message *msg,
                               const char         *trigger,
                               const char         *patient,
                               GString            *problems);
guint  tw_hl7_rde_add_records (TwBatch            *batch,
                               const TwHl7Message *msg,
                               const char         *patient,
                               GString            *problems);

G_END_DECLS
