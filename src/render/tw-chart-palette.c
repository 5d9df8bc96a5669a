#include "tw-chart-palette.h"

#define CHANNEL(hex, shift) ((((hex) >> (shift)) & 0xff) / 255.0)
#define RGB(hex) { CHANNEL (hex, 16), CHANNEL (hex, 8), CHANNEL (hex, 0) }

/* A panel's second line (diastolic under systolic) keeps its hue and moves
 * this far towards the text colour, so the pair reads as one measurement
 * and still stays apart. */
#define SECOND_LINE_MIX 0.45

/* Darker shades on white: the lighter GNOME shades (yellow above all) fade
 * into a white page. Order as on monitors: heart rate green, SpO2 orange,
 * blood pressure red, then blue, purple and teal (libadwaita's accent). */
static const TwChartPalette light_palette = {
  .background      = RGB (0xffffff),
  .plot_background = RGB (0xf8f8f7),
  .text            = RGB (0x241f31),
  .muted           = RGB (0x77767b),
  .grid            = RGB (0x241f31),
  .grid_alpha      = 0.11,
  .series          = {
    RGB (0x26a269),
    RGB (0xe66100),
    RGB (0xc01c28),
    RGB (0x1c71d8),
    RGB (0x9141ac),
    RGB (0x2190a4),
  },
  .good            = RGB (0x26a269),
  .caution         = RGB (0xe5a50a),
  .danger          = RGB (0xc01c28),
  .neutral         = RGB (0xdeddda),
  .alarm           = { RGB (0x1c71d8), RGB (0xe5a50a), RGB (0xc01c28) },
};

/* Lighter shades on near-black, as patient monitors do. */
static const TwChartPalette dark_palette = {
  .background      = RGB (0x1e1e1e),
  .plot_background = RGB (0x242424),
  .text            = RGB (0xf6f5f4),
  .muted           = RGB (0x9a9996),
  .grid            = RGB (0xffffff),
  .grid_alpha      = 0.09,
  .series          = {
    RGB (0x57e389),
    RGB (0xf6d32d),
    RGB (0xf66151),
    RGB (0x62a0ea),
    RGB (0xdc8add),
    RGB (0x5bc8db),
  },
  .good            = RGB (0x57e389),
  .caution         = RGB (0xf6d32d),
  .danger          = RGB (0xff7b63),
  .neutral         = RGB (0x3d3846),
  .alarm           = { RGB (0x62a0ea), RGB (0xf6d32d), RGB (0xff7b63) },
};

/**
 * tw_chart_palette_get:
 * @dark: whether to return the colours of the dark style
 *
 * Returns: (transfer none): the palette of the style
 */
const TwChartPalette *
tw_chart_palette_get (gboolean dark)
{
  return dark ? &dark_palette : &light_palette;
}

/**
 * tw_chart_palette_get_series:
 * @palette: a palette
 * @panel_index: position of the panel in the chart
 * @line_index: position of the line in the panel
 *
 * Returns: the colour of a line
 */
TwChartColor
tw_chart_palette_get_series (const TwChartPalette *palette,
                             guint                 panel_index,
                             guint                 line_index)
{
  TwChartColor c;
  const TwChartColor *t;

  g_return_val_if_fail (palette != NULL, light_palette.text);

  c = palette->series[panel_index % TW_CHART_N_SERIES_COLORS];
  if (line_index == 0)
    return c;

  t = &palette->text;
  c.red += (t->red - c.red) * SECOND_LINE_MIX;
  c.green += (t->green - c.green) * SECOND_LINE_MIX;
  c.blue += (t->blue - c.blue) * SECOND_LINE_MIX;
  return c;
}
