#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TW_TYPE_PATIENT (tw_patient_get_type ())

G_DECLARE_FINAL_TYPE (TwPatient, tw_patient, TW, PATIENT, GObject)

TwPatient  *tw_patient_new              (const char *key);

const char *tw_patient_get_key          (TwPatient  *self);
const char *tw_patient_get_display_name (TwPatient  *self);
void        tw_patient_set_display_name (TwPatient  *self,
                                         const char *display_name);
const char *tw_patient_get_location     (TwPatient  *self);
void        tw_patient_set_location     (TwPatient  *self,
                                         const char *location);
const char *tw_patient_get_mrn          (TwPatient  *self);
void        tw_patient_set_mrn          (TwPatient  *self,
                                         const char *mrn);
double      tw_patient_get_heart_rate   (TwPatient  *self);
void        tw_patient_set_heart_rate   (TwPatient  *self,
                                         double      heart_rate);

G_END_DECLS
