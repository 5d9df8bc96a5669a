#pragma once

#include <cairo.h>
#include <glib.h>

#include "tw-chart-palette.h"
#include "tw-news2.h"

G_BEGIN_DECLS

/* A score at a glance: the number large on its band colour (NEWS2: none,
 * low, low-medium, medium, high after the RCP chart's colours, with text
 * contrast ≥ 4.5:1), the band's words below; an incomplete score shows
 * "Incomplete" and what is missing on a neutral tile, never a colour. */

typedef struct
{
  const char  *title;      /* "NEWS2" */
  gboolean     dark;
} TwScoreTileStyle;

void          tw_score_tile_draw_news2 (cairo_t                *cr,
                                        double                  x,
                                        double                  y,
                                        double                  width,
                                        double                  height,
                                        const TwScoreTileStyle *style,
                                        const TwNews2Score     *score);

/* The fill of a NEWS2 band, for tiles and chart bands elsewhere. */
TwChartColor  tw_chart_palette_news2   (gboolean                dark,
                                        TwNews2Risk             risk);

G_END_DECLS
