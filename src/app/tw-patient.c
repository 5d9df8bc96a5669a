#include <math.h>

#include "tw-patient.h"

/*
 * TwPatient: one row of the patient list as the signed-in role may see it
 * (the store masks names for roles without identity permission). Objects
 * are kept across list refreshes, so rows update in place.
 */

struct _TwPatient
{
  GObject  parent_instance;

  char    *key;
  char    *display_name;
  char    *location;
  char    *mrn;
  double   heart_rate;
};

G_DEFINE_FINAL_TYPE (TwPatient, tw_patient, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY,
  PROP_DISPLAY_NAME,
  PROP_LOCATION,
  PROP_MRN,
  PROP_HEART_RATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* g_set_str() arrived in GLib 2.76; Debian 12 has 2.74. */
static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
tw_patient_finalize (GObject *object)
{
  TwPatient *self = (TwPatient *)object;

  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->mrn, g_free);

  G_OBJECT_CLASS (tw_patient_parent_class)->finalize (object);
}

static void
tw_patient_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TwPatient *self = TW_PATIENT (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, tw_patient_get_display_name (self));
      break;
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_MRN:
      g_value_set_string (value, self->mrn);
      break;
    case PROP_HEART_RATE:
      g_value_set_double (value, self->heart_rate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_patient_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TwPatient *self = TW_PATIENT (object);

  switch (prop_id)
    {
    case PROP_KEY:
      self->key = g_value_dup_string (value);
      break;
    case PROP_DISPLAY_NAME:
      tw_patient_set_display_name (self, g_value_get_string (value));
      break;
    case PROP_LOCATION:
      tw_patient_set_location (self, g_value_get_string (value));
      break;
    case PROP_MRN:
      tw_patient_set_mrn (self, g_value_get_string (value));
      break;
    case PROP_HEART_RATE:
      tw_patient_set_heart_rate (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_patient_class_init (TwPatientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tw_patient_finalize;
  object_class->get_property = tw_patient_get_property;
  object_class->set_property = tw_patient_set_property;

  properties[PROP_KEY] =
    g_param_spec_string ("key", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCATION] =
    g_param_spec_string ("location", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MRN] =
    g_param_spec_string ("mrn", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* NAN (no recent value) is the initial value; a GParamSpec cannot say so. */
  properties[PROP_HEART_RATE] =
    g_param_spec_double ("heart-rate", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tw_patient_init (TwPatient *self)
{
  self->heart_rate = NAN;
}

/**
 * tw_patient_new:
 * @key: the entity key in the store ("P0003")
 *
 * Returns: (transfer full): a new patient
 */
TwPatient *
tw_patient_new (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return g_object_new (TW_TYPE_PATIENT, "key", key, NULL);
}

const char *
tw_patient_get_key (TwPatient *self)
{
  g_return_val_if_fail (TW_IS_PATIENT (self), NULL);

  return self->key;
}

const char *
tw_patient_get_display_name (TwPatient *self)
{
  g_return_val_if_fail (TW_IS_PATIENT (self), NULL);

  if (self->display_name == NULL || self->display_name[0] == '\0')
    return self->key;
  return self->display_name;
}

void
tw_patient_set_display_name (TwPatient  *self,
                             const char *display_name)
{
  g_return_if_fail (TW_IS_PATIENT (self));

  if (replace_string (&self->display_name, display_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

const char *
tw_patient_get_location (TwPatient *self)
{
  g_return_val_if_fail (TW_IS_PATIENT (self), NULL);

  return self->location;
}

void
tw_patient_set_location (TwPatient  *self,
                         const char *location)
{
  g_return_if_fail (TW_IS_PATIENT (self));

  if (replace_string (&self->location, location))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCATION]);
}

const char *
tw_patient_get_mrn (TwPatient *self)
{
  g_return_val_if_fail (TW_IS_PATIENT (self), NULL);

  return self->mrn;
}

void
tw_patient_set_mrn (TwPatient  *self,
                    const char *mrn)
{
  g_return_if_fail (TW_IS_PATIENT (self));

  if (replace_string (&self->mrn, mrn))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MRN]);
}

/**
 * tw_patient_get_heart_rate:
 * @self: a patient
 *
 * Returns: the latest heart rate in /min, or NAN when none is recent
 */
double
tw_patient_get_heart_rate (TwPatient *self)
{
  g_return_val_if_fail (TW_IS_PATIENT (self), NAN);

  return self->heart_rate;
}

void
tw_patient_set_heart_rate (TwPatient *self,
                           double     heart_rate)
{
  g_return_if_fail (TW_IS_PATIENT (self));

  if (self->heart_rate == heart_rate || (isnan (self->heart_rate) && isnan (heart_rate)))
    return;

  self->heart_rate = heart_rate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEART_RATE]);
}
