#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "tw-batch.h"

G_BEGIN_DECLS

/* FHIR R4 resources of a patient's chart (Encounter, Condition,
 * AllergyIntolerance, MedicationRequest, Procedure) and the demographics
 * of a Patient, for tw-fhir-codec.c. */

/* Resolves a Reference to a Patient key (tw-fhir-codec.c, which knows the
 * Bundle's fullUrls); NULL when it names no Patient. */
typedef char *(*TwFhirResolve) (gpointer    resolver,
                                const char *reference);

gboolean tw_fhir_clinical_handles     (const char    *resource_type);
guint    tw_fhir_clinical_decode      (TwBatch       *batch,
                                       JsonObject    *resource,
                                       TwFhirResolve  resolve,
                                       gpointer       resolver,
                                       GString       *problems);
guint    tw_fhir_clinical_demographics (TwBatch      *batch,
                                        const char   *patient,
                                        JsonObject   *resource,
                                        GString      *problems);

G_END_DECLS
