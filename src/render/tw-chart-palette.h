#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TW_CHART_N_SERIES_COLORS 6

typedef struct
{
  double red;
  double green;
  double blue;
} TwChartColor;

/**
 * TwChartPalette:
 * @background: behind everything
 * @plot_background: behind the data, a shade off @background
 * @text: titles, axis labels
 * @muted: units, "No data", secondary labels
 * @grid: gridlines and tick marks, drawn at @grid_alpha so they stay
 *   visible over a normal band
 * @grid_alpha: opacity of @grid
 * @series: one colour per panel, by panel index
 * @good: normal ranges and targets
 * @caution: ranges to watch (amber)
 * @danger: ranges to act on (red)
 * @neutral: a fill that means no judgement (an incomplete score)
 * @alarm: alarm priorities low, medium, high (cyan, yellow, red after
 *   IEC 60601-1-8)
 *
 * The colours of one style. Series colours come from the GNOME palette and
 * keep at least 3:1 contrast against their style's plot background.
 */
typedef struct
{
  TwChartColor background;
  TwChartColor plot_background;
  TwChartColor text;
  TwChartColor muted;
  TwChartColor grid;
  double       grid_alpha;
  TwChartColor series[TW_CHART_N_SERIES_COLORS];
  TwChartColor good;
  TwChartColor caution;
  TwChartColor danger;
  TwChartColor neutral;
  TwChartColor alarm[3];
} TwChartPalette;

const TwChartPalette *tw_chart_palette_get        (gboolean              dark);
TwChartColor          tw_chart_palette_get_series (const TwChartPalette *palette,
                                                   guint                 panel_index,
                                                   guint                 line_index);

G_END_DECLS
