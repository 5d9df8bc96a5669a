#include "tw-chart-format.h"

/**
 * tw_chart_format_unit:
 * @unit: (nullable): a unit as stored, a UCUM code ("mm[Hg]", "Cel")
 *
 * Units arrive as UCUM codes; people read the usual symbols.
 *
 * Returns: (transfer none): the unit as shown ("mmHg", "°C"), "" for %NULL
 */
const char *
tw_chart_format_unit (const char *unit)
{
  static const struct
  {
    const char *ucum;
    const char *shown;
  } symbols[] = {
    { "mm[Hg]", "mmHg" },
    { "Cel", "\u00b0C" },
    { "[degF]", "\u00b0F" },
    { "{beats}/min", "/min" },
    { "{breaths}/min", "/min" },
  };

  if (unit == NULL)
    return "";
  for (guint i = 0; i < G_N_ELEMENTS (symbols); i++)
    if (g_str_equal (unit, symbols[i].ucum))
      return symbols[i].shown;
  return unit;
}

/**
 * tw_chart_format_value:
 * @value: a value
 * @digits: decimals to show
 *
 * Returns: (transfer full): the value with @digits decimals
 */
char *
tw_chart_format_value (double value,
                       int    digits)
{
  return g_strdup_printf ("%.*f", MAX (digits, 0), value);
}
