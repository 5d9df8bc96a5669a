#include "tw-feed-patient.h"

#include "tw-feed-random.h"
#include "tw-feed-scenario.h"

/* Keys that keep identity draws apart from each other and from physiology. */
enum
{
  DRAW_NAME_BASE = 0x1d000001,
  DRAW_NAME_STRIDE,
  DRAW_MRN_BASE,
  DRAW_MRN_STRIDE,
};

/* MRNs have seven digits. */
#define MRN_SPACE 10000000u

/* The demo's wards: the first is the ICU, where the high alerts come from.
 * The first patients alternate between the two; a bigger hospital (the
 * 100-bed ward overview) fills general wards of WARD_BEDS beds after them,
 * Ward 8, Ward 9 and so on. */
static const char * const wards[] = { "ICU", "Ward 7" };
#define ALTERNATING_PATIENTS 16
#define WARD_BEDS            24
#define FIRST_GENERAL_WARD   8

/* Names from many places, some with non-ASCII letters, because a real ward
 * list has them and readers of the feed must not mangle them. */
static const char * const given_names[] = {
  "Ada", "Amara", "Anders", "Aroha", "Beatriz", "Chen", "Dmitri", "Elif",
  "Emma", "Fatima", "François", "Grace", "Hamid", "Ingrid", "Isabel", "Jamal",
  "Jonas", "Kenji", "Leila", "Liam", "Lucía", "Mateo", "Mei", "Noah",
  "Nia", "Olga", "Omar", "Priya", "Rafael", "Rosa", "Samuel", "Sione",
  "Sofia", "Søren", "Tariq", "Thandiwe", "Tomás", "Yara", "Yusuf", "Zoë",
};

/* The sex the demo's chart records for each given name above, in order
 * ('f' or 'm'), so that Ada is not recorded as male. */
static const char given_sexes[] = "ffmffmmfffmfmffmmmfmfmfmffmfmfmmfmmfmfmf";
G_STATIC_ASSERT (sizeof given_sexes - 1 == G_N_ELEMENTS (given_names));

static const char * const family_names[] = {
  "Andersson", "Bakker", "Banerjee", "Cohen", "Costa", "Dubois", "Eze", "Fischer",
  "García", "Haddad", "Ivanova", "Jansen", "Kamau", "Kim", "Kowalski", "Larsen",
  "Lopez", "Mensah", "Moreau", "Murphy", "Nakamura", "Nguyen", "Novak", "Nowak",
  "Okafor", "O'Brien", "Papadopoulos", "Patel", "Rossi", "Santos", "Schmidt", "Silva",
  "Singh", "Smith", "Suzuki", "Tanaka", "Van der Berg", "Wang", "Williams", "Yilmaz",
};

/* Returns: a step coprime with @space, so that base + i * step (mod space)
 * visits distinct values for distinct i */
static guint64
coprime_stride (guint64 hash,
                guint64 space)
{
  guint64 stride = 1 + hash % (space - 1);

  while (TRUE)
    {
      guint64 a = stride;
      guint64 b = space;

      while (b != 0)
        {
          guint64 t = a % b;

          a = b;
          b = t;
        }
      if (a == 1)
        return stride;
      stride = stride % (space - 1) + 1;
    }
}

/* Returns: the @index-th value of a seeded permutation of 0..space-1, so
 * that patients share neither an MRN nor (for small wards) a name */
static guint64
permuted (const TwFeedParams *params,
          guint               index,
          guint64             space,
          guint64             base_key,
          guint64             stride_key)
{
  guint64 base = tw_feed_random_hash (params->seed, base_key, 0, 0) % space;
  guint64 stride = coprime_stride (tw_feed_random_hash (params->seed, stride_key, 0, 0), space);

  return (base + (guint64) index * stride) % space;
}

/**
 * tw_feed_patient_new:
 * @params: the feed's parameters
 * @index: the patient's zero-based index
 *
 * Returns: (transfer full): the identity of that patient
 */
TwFeedPatient *
tw_feed_patient_new (const TwFeedParams *params,
                     guint               index)
{
  const guint64 n_given = G_N_ELEMENTS (given_names);
  const guint64 n_names = n_given * G_N_ELEMENTS (family_names);
  TwFeedPatient *patient;
  guint64 name;
  guint64 mrn;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (index < params->patients, NULL);

  if (params->scenario != NULL)
    return tw_feed_scenario_patient_new (params->scenario, index);

  name = permuted (params, index, n_names, DRAW_NAME_BASE, DRAW_NAME_STRIDE);
  mrn = permuted (params, index, MRN_SPACE, DRAW_MRN_BASE, DRAW_MRN_STRIDE);

  patient = g_new0 (TwFeedPatient, 1);
  patient->id = g_strdup_printf (TW_FEED_PATIENT_ID_FORMAT, index + 1);
  patient->mrn = g_strdup_printf ("MRN-%07" G_GUINT64_FORMAT, mrn);
  patient->name = g_strdup_printf ("%s %s",
                                   given_names[name % n_given],
                                   family_names[name / n_given]);
  patient->sex = given_sexes[name % n_given] == 'f' ? "female" : "male";
  /* Two wards, so rules scoped to one ward and the console's group filter
   * have something to tell apart: even indices in the ICU. */
  if (index < ALTERNATING_PATIENTS)
    {
      patient->ward = g_strdup (wards[index % G_N_ELEMENTS (wards)]);
      patient->bed_number = index / G_N_ELEMENTS (wards) + 1;
    }
  else
    {
      patient->ward = g_strdup_printf ("Ward %u", FIRST_GENERAL_WARD
                                                  + (index - ALTERNATING_PATIENTS) / WARD_BEDS);
      patient->bed_number = (index - ALTERNATING_PATIENTS) % WARD_BEDS + 1;
    }
  patient->bed = g_strdup_printf ("%s-%02u", patient->ward, patient->bed_number);
  return patient;
}

void
tw_feed_patient_free (TwFeedPatient *patient)
{
  if (patient == NULL)
    return;
  g_free (patient->id);
  g_free (patient->mrn);
  g_free (patient->name);
  g_free (patient->bed);
  g_free (patient->ward);
  g_free (patient);
}
