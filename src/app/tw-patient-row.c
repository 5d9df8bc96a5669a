#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "tw-patient-row.h"

/*
 * TwPatientRow: one patient in the sidebar: name (or pseudonym), bed and
 * the latest heart rate, kept current by following the TwPatient.
 */

struct _TwPatientRow
{
  GtkListBoxRow  parent_instance;

  /* Template widgets */
  GtkLabel      *name_label;
  GtkLabel      *location_label;
  GtkWidget     *heart_rate_box;
  GtkLabel      *heart_rate_label;

  /* Owned */
  TwPatient     *patient;
  gboolean       show_heart_rate;
};

G_DEFINE_FINAL_TYPE (TwPatientRow, tw_patient_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_PATIENT,
  PROP_SHOW_HEART_RATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_labels (TwPatientRow *self)
{
  const char *location;
  double heart_rate;

  if (self->patient == NULL)
    return;

  gtk_label_set_text (self->name_label, tw_patient_get_display_name (self->patient));

  location = tw_patient_get_location (self->patient);
  gtk_label_set_text (self->location_label,
                      location != NULL && location[0] != '\0' ? location : _("No bed assigned"));

  heart_rate = tw_patient_get_heart_rate (self->patient);
  if (self->show_heart_rate && !isnan (heart_rate))
    {
      g_autofree char *text = g_strdup_printf ("%.0f", heart_rate);
      g_autofree char *accessible = g_strdup_printf (_("Heart rate %.0f per minute"), heart_rate);

      gtk_label_set_text (self->heart_rate_label, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->heart_rate_box),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                      -1);
      gtk_widget_set_visible (self->heart_rate_box, TRUE);
    }
  else
    {
      gtk_widget_set_visible (self->heart_rate_box, FALSE);
    }
}

static void
tw_patient_row_constructed (GObject *object)
{
  TwPatientRow *self = TW_PATIENT_ROW (object);

  G_OBJECT_CLASS (tw_patient_row_parent_class)->constructed (object);

  g_assert (self->patient != NULL);

  g_signal_connect_object (self->patient, "notify",
                           G_CALLBACK (update_labels), self,
                           G_CONNECT_SWAPPED);
  update_labels (self);
}

static void
tw_patient_row_dispose (GObject *object)
{
  TwPatientRow *self = TW_PATIENT_ROW (object);

  g_clear_object (&self->patient);

  G_OBJECT_CLASS (tw_patient_row_parent_class)->dispose (object);
}

static void
tw_patient_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TwPatientRow *self = TW_PATIENT_ROW (object);

  switch (prop_id)
    {
    case PROP_PATIENT:
      g_value_set_object (value, self->patient);
      break;
    case PROP_SHOW_HEART_RATE:
      g_value_set_boolean (value, self->show_heart_rate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_patient_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TwPatientRow *self = TW_PATIENT_ROW (object);

  switch (prop_id)
    {
    case PROP_PATIENT:
      self->patient = g_value_dup_object (value);
      break;
    case PROP_SHOW_HEART_RATE:
      self->show_heart_rate = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_patient_row_class_init (TwPatientRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = tw_patient_row_constructed;
  object_class->dispose = tw_patient_row_dispose;
  object_class->get_property = tw_patient_row_get_property;
  object_class->set_property = tw_patient_row_set_property;

  properties[PROP_PATIENT] =
    g_param_spec_object ("patient", NULL, NULL, TW_TYPE_PATIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_HEART_RATE] =
    g_param_spec_boolean ("show-heart-rate", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-patient-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TwPatientRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, TwPatientRow, location_label);
  gtk_widget_class_bind_template_child (widget_class, TwPatientRow, heart_rate_box);
  gtk_widget_class_bind_template_child (widget_class, TwPatientRow, heart_rate_label);
}

static void
tw_patient_row_init (TwPatientRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * tw_patient_row_new:
 * @patient: the patient to show
 * @show_heart_rate: whether the role may see the latest heart rate
 *
 * Returns: (transfer floating): a new row
 */
GtkWidget *
tw_patient_row_new (TwPatient *patient,
                    gboolean   show_heart_rate)
{
  g_return_val_if_fail (TW_IS_PATIENT (patient), NULL);

  return g_object_new (TW_TYPE_PATIENT_ROW,
                       "patient", patient,
                       "show-heart-rate", show_heart_rate,
                       NULL);
}

TwPatient *
tw_patient_row_get_patient (TwPatientRow *self)
{
  g_return_val_if_fail (TW_IS_PATIENT_ROW (self), NULL);

  return self->patient;
}
