#include "tw-score-tile.h"

#include <math.h>

#include "tw-chart-text.h"

#define RADIUS_PX          8.0
#define PAD_SHARE          0.07   /* of the tile's shorter side */
#define NUMBER_SHARE       0.42   /* the score's height, of the tile's */
#define MIN_NUMBER_PX     16.0
#define WORDS_MAX_LINES    2

#define CHANNEL(hex, shift) ((((hex) >> (shift)) & 0xff) / 255.0)
#define RGB(hex) { CHANNEL (hex, 16), CHANNEL (hex, 8), CHANNEL (hex, 0) }

/* The RCP chart's colours by clinical risk, green to red (low-medium,
 * one parameter at 3, yellow as on the chart). Each keeps a text
 * contrast of at least 4.5:1 with dark or white text; the dark style
 * takes deeper shades so a ward of tiles does not glare. */
static const TwChartColor news2_light[] = {
  RGB (0x8ff0a4),   /* 0: routine */
  RGB (0x33d17a),   /* 1–4 low */
  RGB (0xf6d32d),   /* one at 3: low-medium */
  RGB (0xff7800),   /* 5–6 medium */
  RGB (0xc01c28),   /* ≥ 7 high */
};
static const TwChartColor news2_dark[] = {
  RGB (0x2ec27e),
  RGB (0x26a269),
  RGB (0xe5a50a),
  RGB (0xe66100),
  RGB (0xa51d2d),
};

/**
 * tw_chart_palette_news2:
 * @dark: the dark style
 * @risk: a band
 *
 * Returns: the fill of that band, green (0) to red (high)
 */
TwChartColor
tw_chart_palette_news2 (gboolean    dark,
                        TwNews2Risk risk)
{
  guint i = CLAMP ((guint) risk, TW_NEWS2_RISK_ZERO, TW_NEWS2_RISK_HIGH);

  return dark ? news2_dark[i] : news2_light[i];
}

/* What a nurse does at each band, short enough for a tile. */
static const char *
risk_words (TwNews2Risk risk)
{
  switch (risk)
    {
    case TW_NEWS2_RISK_ZERO:
      return "Low \u00b7 routine monitoring";
    case TW_NEWS2_RISK_LOW:
      return "Low \u00b7 ward assessment";
    case TW_NEWS2_RISK_LOW_MEDIUM:
      return "Low\u2013medium \u00b7 urgent ward response";
    case TW_NEWS2_RISK_MEDIUM:
      return "Medium \u00b7 urgent response";
    case TW_NEWS2_RISK_HIGH:
    default:
      return "High \u00b7 emergency response";
    }
}

static const char *
param_short (TwNews2Param param)
{
  static const char *names[TW_NEWS2_N_PARAMS] = {
    "RR", "SpO\u2082", "air/O\u2082", "BP", "pulse", "ACVPU", "temp",
  };

  return names[param];
}

/* Draws @text wrapped into @width, at most @max_lines, ellipsized. */
static double
draw_wrapped (const TwChartCanvas        *canvas,
              const PangoFontDescription *font,
              const TwChartColor         *color,
              const char                 *text,
              double                      x,
              double                      y,
              double                      width,
              int                         max_lines)
{
  PangoLayout *layout = tw_chart_canvas_text (canvas, font, text);
  double h;

  pango_layout_set_width (layout, (int) (MAX (width, 1) * PANGO_SCALE));
  pango_layout_set_height (layout, -max_lines);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  tw_chart_layout_size (layout, NULL, &h);
  tw_chart_set_color (canvas->cr, color);
  cairo_move_to (canvas->cr, x, y);
  pango_cairo_show_layout (canvas->cr, layout);
  return h;
}

/**
 * tw_score_tile_draw_news2:
 * @cr: where to draw
 * @x: left edge
 * @y: top edge
 * @width: width
 * @height: height
 * @style: title and style
 * @score: (nullable): the score; %NULL draws it as incomplete with
 *   nothing known
 *
 * A NEWS2 score at a glance: the total large on its band's colour, the
 * band's words below, the title above, in dark or white text, whichever
 * contrasts more (at least 4.5:1 for every band). An incomplete score is
 * never coloured: a neutral tile says "Incomplete" and what is missing.
 */
void
tw_score_tile_draw_news2 (cairo_t                *cr,
                          double                  x,
                          double                  y,
                          double                  width,
                          double                  height,
                          const TwScoreTileStyle *style,
                          const TwNews2Score     *score)
{
  TwChartCanvas canvas = { 0 };
  g_autoptr(PangoFontDescription) number_font = NULL;
  TwChartColor fill;
  TwChartColor ink;
  double scale;
  double pad;
  double inner_w;
  double top;
  double number_px;
  gboolean complete = score != NULL && score->complete;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);

  if (width <= 0 || height <= 0)
    return;

  cairo_save (cr);
  tw_chart_canvas_init (&canvas, cr, width, height, style->dark);
  scale = canvas.device_scale;
  x = tw_chart_snap (x, scale);
  y = tw_chart_snap (y, scale);
  pad = round (MIN (width, height) * PAD_SHARE);
  inner_w = width - 2 * pad;

  fill = complete ? tw_chart_palette_news2 (style->dark, score->risk) : canvas.palette->neutral;
  ink = complete ? tw_chart_color_text_on (&fill) : canvas.palette->text;

  tw_chart_rounded_rect (cr, x, y, width, height, RADIUS_PX);
  tw_chart_set_color (cr, &fill);
  cairo_fill (cr);

  top = y + pad;
  if (style->title != NULL)
    {
      PangoLayout *layout = tw_chart_canvas_text (&canvas, canvas.bold, style->title);
      double h;

      pango_layout_set_width (layout, (int) (inner_w * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      tw_chart_layout_size (layout, NULL, &h);
      tw_chart_canvas_show (&canvas, layout, &ink, x + pad, top, 0, 0);
      top += h;
    }

  number_px = MAX (MIN_NUMBER_PX, height * NUMBER_SHARE);
  number_font = tw_chart_font_new (number_px, PANGO_WEIGHT_BOLD);

  if (complete)
    {
      g_autofree char *number = g_strdup_printf ("%d", score->total);
      PangoLayout *layout = tw_chart_canvas_text (&canvas, number_font, number);
      double h;

      tw_chart_layout_size (layout, NULL, &h);
      tw_chart_canvas_show (&canvas, layout, &ink, x + width / 2, top, 0.5, 0);
      top += h;
      draw_wrapped (&canvas, canvas.font, &ink, risk_words (score->risk), x + pad, top,
                    inner_w, WORDS_MAX_LINES);
    }
  else
    {
      g_autoptr(GString) missing = g_string_new (NULL);
      g_autoptr(PangoFontDescription) word_font = NULL;
      double h;

      double word_px = MAX (canvas.font_px, number_px / 2.5);
      double word_w;

      /* "Incomplete" in the place of the number, smaller so it fits: a
       * clipped "Incomple…" reads like a broken tile. */
      word_font = tw_chart_font_new (word_px, PANGO_WEIGHT_BOLD);
      word_w = tw_chart_canvas_text_width (&canvas, word_font, "Incomplete");
      if (word_w > inner_w && word_w > 0)
        {
          word_px *= inner_w / word_w * 0.98;
          g_clear_pointer (&word_font, pango_font_description_free);
          word_font = tw_chart_font_new (word_px, PANGO_WEIGHT_BOLD);
        }
      h = draw_wrapped (&canvas, word_font, &ink, "Incomplete", x + pad,
                        top + (number_px - number_px / 2.5) / 2, inner_w, 1);
      top += MAX (h, number_px * 0.9);

      for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
        if (score == NULL || score->scores[p] < 0)
          {
            if (missing->len > 0)
              g_string_append (missing, ", ");
            g_string_append (missing, param_short (p));
          }
      if (missing->len > 0)
        {
          g_autofree char *text = g_strdup_printf ("Missing: %s", missing->str);

          draw_wrapped (&canvas, canvas.font, &ink, text, x + pad, top, inner_w,
                        WORDS_MAX_LINES);
        }
    }

  tw_chart_canvas_clear (&canvas);
  cairo_restore (cr);
}
