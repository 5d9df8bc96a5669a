#include "tw-metric.h"

/* The bedside vital signs come first: tw_metric_get_vitals() hands out that
 * prefix, and the monitor draws one chart row per entry. Normal bands follow
 * the NEWS2 zero-score ranges of DOMAIN.md, plausible ranges the limits of
 * bedside monitors; glucose uses the consensus time-in-range band. */
#define N_BEDSIDE_VITALS 6

static const TwMetricInfo catalogue[] = {
  { "hr",      "Heart rate",        "/min",    15.0,  300.0,  51.0,  90.0, 0 },
  { "rr",      "Respiration rate",  "/min",     2.0,   80.0,  12.0,  20.0, 0 },
  { "spo2",    "SpO\u2082",         "%",       40.0,  100.0,  96.0, 100.0, 0 },
  { "sbp",     "Systolic BP",       "mm[Hg]",  30.0,  300.0, 111.0, 219.0, 0 },
  { "dbp",     "Diastolic BP",      "mm[Hg]",  10.0,  200.0,  60.0,  90.0, 0 },
  { "temp",    "Temperature",       "Cel",     25.0,   45.0,  36.1,  38.0, 1 },
  { "map",     "Mean arterial BP",  "mm[Hg]",  20.0,  250.0,  70.0, 100.0, 0 },
  { "glucose", "Glucose",           "mg/dL",   10.0, 1000.0,  70.0, 180.0, 0 },
  /* The two NEWS2 parameters that are observations, not measurements
   * (tw-news2.h): they are not among the bedside vitals the monitor draws
   * as curves. "o2": 0 on air, 1 on supplemental oxygen. "acvpu": TwAcvpu
   * as a number, 0 alert, 1 new confusion, 2 voice, 3 pain, 4
   * unresponsive. Neither has a LOINC code of the same meaning (3150-0 is
   * the inhaled oxygen concentration in %, 80288-4 the AVPU scale without
   * "new confusion"), so they come in native JSON only. */
  { "o2",      "Supplemental oxygen", "{bool}",  0.0,    1.0,   0.0,   0.0, 0 },
  { "acvpu",   "Consciousness (ACVPU)", "{score}", 0.0,  4.0,   0.0,   0.0, 0 },
  /* Markets and retail have no physiological "normal": their band spans
   * the plausible range, so nothing is drawn as abnormal. The plausible
   * ranges catch unit mistakes (cents for currency units) and garbage. */
  { "price",        "Price",        "{currency}",   0.0001, 1000000.0,   0.0001, 1000000.0, 2 },
  { "volume",       "Volume",       "{units}",      0.0,    1.0e9,       0.0,    1.0e9,     0 },
  { "order_amount", "Order amount", "{currency}",   0.0,    100000.0,    0.0,    100000.0,  2 },
  { "orders",       "Orders",       "{orders}",     0.0,    1000000.0,   0.0,    1000000.0, 0 },
  { "basket_size",  "Basket size",  "{items}",      1.0,    1000.0,      1.0,    1000.0,    0 },
};

G_STATIC_ASSERT (N_BEDSIDE_VITALS <= G_N_ELEMENTS (catalogue));

typedef struct
{
  const char *code;
  const char *metric;
} CodeMapping;

/* LOINC codes of the FHIR R4 vital-signs profiles and the CGM / blood
 * glucose codes named in DOMAIN.md "Interfaces" (loinc.org). The blood
 * pressure panel (TW_LOINC_BP_PANEL) has no value of its own and is
 * deliberately absent: its components are listed instead. */
static const CodeMapping loinc_codes[] = {
  { "8867-4",   "hr" },       /* Heart rate */
  { "9279-1",   "rr" },       /* Respiratory rate */
  { "2708-6",   "spo2" },     /* Oxygen saturation in arterial blood */
  { "59408-5",  "spo2" },     /* ... by pulse oximetry */
  { "8310-5",   "temp" },     /* Body temperature */
  { "8480-6",   "sbp" },      /* Systolic blood pressure */
  { "8462-4",   "dbp" },      /* Diastolic blood pressure */
  { "8478-0",   "map" },      /* Mean blood pressure */
  { "99504-3",  "glucose" },  /* Glucose [Mass/volume] in interstitial fluid (CGM) */
  { "105272-9", "glucose" },  /* Glucose [Moles/volume] in interstitial fluid (CGM) */
  { "2339-0",   "glucose" },  /* Glucose [Mass/volume] in blood */
  { "15074-8",  "glucose" },  /* Glucose [Moles/volume] in blood */
};

/* IEEE 11073-10101 nomenclature as carried in IHE PCD-01 OBX-3: the code is
 * partition × 65536 + term code (partition 2, SCADA, for all of these), and
 * the reference id names it. Numbers checked against the 10101 term codes
 * (e.g. MDC_PRESS_BLD_NONINV_SYS = 18949 → 150021) and the IHE PCD examples.
 * 150037–150039 are the arterial "ABP" pressures, not non-invasive ones. */
typedef struct
{
  const char *code;
  const char *refid;
  const char *metric;
} MdcMapping;

static const MdcMapping mdc_codes[] = {
  { "147842", "MDC_ECG_HEART_RATE",                "hr" },
  { "149530", "MDC_PULS_OXIM_PULS_RATE",           "hr" },
  { "149546", "MDC_PULS_RATE_NON_INV",             "hr" },
  { "149522", "MDC_BLD_PULS_RATE_INV",             "hr" },
  { "150456", "MDC_PULS_OXIM_SAT_O2",              "spo2" },
  { "151562", "MDC_RESP_RATE",                     "rr" },
  { "150017", "MDC_PRESS_BLD_SYS",                 "sbp" },
  { "150018", "MDC_PRESS_BLD_DIA",                 "dbp" },
  { "150019", "MDC_PRESS_BLD_MEAN",                "map" },
  { "150021", "MDC_PRESS_BLD_NONINV_SYS",          "sbp" },
  { "150022", "MDC_PRESS_BLD_NONINV_DIA",          "dbp" },
  { "150023", "MDC_PRESS_BLD_NONINV_MEAN",         "map" },
  { "150033", "MDC_PRESS_BLD_ART_SYS",             "sbp" },
  { "150034", "MDC_PRESS_BLD_ART_DIA",             "dbp" },
  { "150035", "MDC_PRESS_BLD_ART_MEAN",            "map" },
  { "150037", "MDC_PRESS_BLD_ART_ABP_SYS",         "sbp" },
  { "150038", "MDC_PRESS_BLD_ART_ABP_DIA",         "dbp" },
  { "150039", "MDC_PRESS_BLD_ART_ABP_MEAN",        "map" },
  { "150344", "MDC_TEMP",                          "temp" },
  { "150364", "MDC_TEMP_BODY",                     "temp" },
  { "160020", "MDC_CONC_GLU_GEN",                  "glucose" },
  { "160184", "MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD", "glucose" },
};

const TwMetricInfo *
tw_metric_get_vitals (guint *n_metrics)
{
  if (n_metrics != NULL)
    *n_metrics = N_BEDSIDE_VITALS;
  return catalogue;
}

/**
 * tw_metric_get_all:
 * @n_metrics: (out) (optional): number of entries
 *
 * Returns: (transfer none): the whole catalogue, the bedside vitals of
 *   tw_metric_get_vitals() first
 */
const TwMetricInfo *
tw_metric_get_all (guint *n_metrics)
{
  if (n_metrics != NULL)
    *n_metrics = G_N_ELEMENTS (catalogue);
  return catalogue;
}

const TwMetricInfo *
tw_metric_lookup (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (catalogue); i++)
    if (g_str_equal (catalogue[i].code, code))
      return &catalogue[i];
  return NULL;
}

/**
 * tw_metric_lookup_loinc:
 * @loinc: a LOINC code ("8867-4")
 *
 * Returns: (transfer none) (nullable): the metric the code measures, or
 *   %NULL for unknown codes and for TW_LOINC_BP_PANEL
 */
const TwMetricInfo *
tw_metric_lookup_loinc (const char *loinc)
{
  g_return_val_if_fail (loinc != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (loinc_codes); i++)
    if (g_str_equal (loinc_codes[i].code, loinc))
      return tw_metric_lookup (loinc_codes[i].metric);
  return NULL;
}

/**
 * tw_metric_lookup_mdc:
 * @mdc: an IEEE 11073 code, numeric ("147842") or its reference id
 *   ("MDC_ECG_HEART_RATE")
 *
 * Returns: (transfer none) (nullable): the metric, or %NULL when unknown
 */
const TwMetricInfo *
tw_metric_lookup_mdc (const char *mdc)
{
  g_return_val_if_fail (mdc != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (mdc_codes); i++)
    if (g_str_equal (mdc_codes[i].code, mdc) || g_str_equal (mdc_codes[i].refid, mdc))
      return tw_metric_lookup (mdc_codes[i].metric);
  return NULL;
}
