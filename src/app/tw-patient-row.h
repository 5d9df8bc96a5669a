#pragma once

#include <gtk/gtk.h>

#include "tw-patient.h"

G_BEGIN_DECLS

#define TW_TYPE_PATIENT_ROW (tw_patient_row_get_type ())

G_DECLARE_FINAL_TYPE (TwPatientRow, tw_patient_row, TW, PATIENT_ROW, GtkListBoxRow)

GtkWidget *tw_patient_row_new         (TwPatient    *patient,
                                       gboolean      show_heart_rate);
TwPatient *tw_patient_row_get_patient (TwPatientRow *self);

G_END_DECLS
