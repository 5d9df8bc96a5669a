#include "tw-error.h"
#include "tw-units.h"

#define CELSIUS_PER_FAHRENHEIT (5.0 / 9.0)
#define FAHRENHEIT_AT_0_CEL    32.0
#define KELVIN_AT_0_CEL        273.15
#define MMHG_PER_KPA           7.500615613
#define MAX_UNIT_CHARS_SHOWN   32

/**
 * Conversion:
 * How one spelling of a unit becomes a catalogue unit:
 * catalogue value = (value + @shift) × @scale.
 */
typedef struct
{
  const char *catalogue_unit;
  const char *unit;
  double      shift;
  double      scale;
} Conversion;

/* UCUM codes first, then the spellings HL7 v2 senders put in OBX-6 text.
 * UCUM annotations ("{beats}/min") are stripped before the lookup, since by
 * UCUM's rules they do not change the unit. */
static const Conversion conversions[] = {
  { "/min",   "/min",     0.0,               1.0 },
  { "/min",   "1/min",    0.0,               1.0 },
  { "/min",   "min-1",    0.0,               1.0 },
  { "/min",   "bpm",      0.0,               1.0 },
  { "%",      "%",        0.0,               1.0 },
  { "mm[Hg]", "mm[Hg]",   0.0,               1.0 },
  { "mm[Hg]", "mmHg",     0.0,               1.0 },
  { "mm[Hg]", "kPa",      0.0,               MMHG_PER_KPA },
  { "Cel",    "Cel",      0.0,               1.0 },
  { "Cel",    "\u00b0C",  0.0,               1.0 },
  { "Cel",    "degC",     0.0,               1.0 },
  { "Cel",    "[degF]",   -FAHRENHEIT_AT_0_CEL, CELSIUS_PER_FAHRENHEIT },
  { "Cel",    "\u00b0F",  -FAHRENHEIT_AT_0_CEL, CELSIUS_PER_FAHRENHEIT },
  { "Cel",    "degF",     -FAHRENHEIT_AT_0_CEL, CELSIUS_PER_FAHRENHEIT },
  { "Cel",    "K",        -KELVIN_AT_0_CEL,  1.0 },
  { "mg/dL",  "mg/dL",    0.0,               1.0 },
  { "mg/dL",  "mg/dl",    0.0,               1.0 },
  { "mg/dL",  "mmol/L",   0.0,               TW_MG_DL_PER_MMOL_L },
  { "mg/dL",  "mmol/l",   0.0,               TW_MG_DL_PER_MMOL_L },
};

/* IEEE 11073-10101 dimension codes (partition 4: 262144 + term code) as IHE
 * PCD-01 OBX-6 carries them, mapped to UCUM. */
typedef struct
{
  const char *code;
  const char *refid;
  const char *ucum;
} MdcUnit;

static const MdcUnit mdc_units[] = {
  { "262688", "MDC_DIM_PERCENT",          "%" },
  { "264864", "MDC_DIM_BEAT_PER_MIN",     "/min" },
  { "264928", "MDC_DIM_RESP_PER_MIN",     "/min" },
  { "266016", "MDC_DIM_MMHG",             "mm[Hg]" },
  { "265987", "MDC_DIM_KILO_PASCAL",      "kPa" },
  { "268192", "MDC_DIM_DEGC",             "Cel" },
  { "266560", "MDC_DIM_FAHR",             "[degF]" },
  { "264274", "MDC_DIM_MILLI_G_PER_DL",   "mg/dL" },
  { "266866", "MDC_DIM_MILLI_MOLE_PER_L", "mmol/L" },
};

/**
 * tw_units_from_mdc:
 * @code: (nullable): the numeric MDC unit code ("264864")
 * @refid: (nullable): its reference id ("MDC_DIM_BEAT_PER_MIN")
 *
 * The code wins; the reference id is a fallback because senders disagree on
 * some numbers (°F is seen as 266560, 268160 and 268224).
 *
 * Returns: (transfer none) (nullable): the UCUM code, or %NULL when unknown
 */
const char *
tw_units_from_mdc (const char *code,
                   const char *refid)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (mdc_units); i++)
    if (g_str_equal (mdc_units[i].code, code))
      return mdc_units[i].ucum;
  for (guint i = 0; refid != NULL && i < G_N_ELEMENTS (mdc_units); i++)
    if (g_str_equal (mdc_units[i].refid, refid))
      return mdc_units[i].ucum;
  return NULL;
}

static char *
strip_annotations (const char *unit)
{
  GString *out = g_string_new (NULL);
  gboolean in_annotation = FALSE;

  for (const char *p = unit; *p != '\0'; p++)
    {
      if (*p == '{')
        in_annotation = TRUE;
      else if (*p == '}' && in_annotation)
        in_annotation = FALSE;
      else if (!in_annotation)
        g_string_append_c (out, *p);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

/**
 * tw_units_convert:
 * @metric: the catalogue entry the value is for
 * @unit: (nullable): the unit the sender used (UCUM, or a common spelling)
 * @value: the value in @unit
 * @out_value: (out): the value in @metric's catalogue unit
 * @error: %TW_ERROR_INVALID_INPUT when @unit is missing or does not measure
 *   @metric ("unit ‘%’ is not known for hr")
 */
gboolean
tw_units_convert (const TwMetricInfo *metric,
                  const char         *unit,
                  double              value,
                  double             *out_value,
                  GError            **error)
{
  g_autofree char *plain = NULL;

  g_return_val_if_fail (metric != NULL, FALSE);
  g_return_val_if_fail (out_value != NULL, FALSE);

  if (unit == NULL || *unit == '\0')
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "no unit given for %s (expected %s)", metric->code, metric->unit);
      return FALSE;
    }

  plain = strip_annotations (unit);
  for (guint i = 0; i < G_N_ELEMENTS (conversions); i++)
    {
      const Conversion *c = &conversions[i];

      if (g_str_equal (c->catalogue_unit, metric->unit) && g_str_equal (c->unit, plain))
        {
          *out_value = (value + c->shift) * c->scale;
          return TRUE;
        }
    }

  /* The unit comes from the sender: keep a hostile one from flooding the
   * quarantine reason. */
  if (g_utf8_validate (unit, -1, NULL) && g_utf8_strlen (unit, -1) > MAX_UNIT_CHARS_SHOWN)
    {
      g_autofree char *start = g_utf8_substring (unit, 0, MAX_UNIT_CHARS_SHOWN);

      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "unit \u2018%s\u2026\u2019 is not known for %s", start, metric->code);
      return FALSE;
    }
  g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
               "unit \u2018%s\u2019 is not known for %s", unit, metric->code);
  return FALSE;
}
