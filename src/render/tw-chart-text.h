#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include "tw-chart-axis.h"
#include "tw-chart-palette.h"

G_BEGIN_DECLS

/*
 * What every chart kind needs and none should copy: colours, text laid out
 * with one PangoLayout, pixel snapping at the device scale, and a value
 * axis with gridlines. Private to src/render.
 */

#define TW_CHART_FONT_FAMILY "Sans"
/* Labels of the small chart kinds: 9 … 11 pt at 96 dpi. */
#define TW_CHART_MIN_FONT_PX 12.0
#define TW_CHART_MAX_FONT_PX 14.67
/* Below a WCAG 2 contrast of this, text is not readable for everyone. */
#define TW_CHART_MIN_TEXT_CONTRAST 4.5

typedef struct
{
  cairo_t              *cr;
  const TwChartPalette *palette;
  gboolean              dark;
  double                device_scale;
  double                font_px;
  PangoFontDescription *font;         /* labels */
  PangoFontDescription *bold;         /* titles */
  PangoLayout          *layout;
  double                label_h;      /* height of one line of @font */
} TwChartCanvas;

void                  tw_chart_canvas_init      (TwChartCanvas              *canvas,
                                                 cairo_t                    *cr,
                                                 double                      width,
                                                 double                      height,
                                                 gboolean                    dark);
void                  tw_chart_canvas_clear     (TwChartCanvas              *canvas);

PangoFontDescription *tw_chart_font_new         (double                      px,
                                                 PangoWeight                 weight);
PangoLayout          *tw_chart_canvas_text      (const TwChartCanvas        *canvas,
                                                 const PangoFontDescription *font,
                                                 const char                 *text);
PangoLayout          *tw_chart_canvas_markup    (const TwChartCanvas        *canvas,
                                                 const PangoFontDescription *font,
                                                 const char                 *markup);
void                  tw_chart_layout_size      (PangoLayout                *layout,
                                                 double                     *width,
                                                 double                     *height);
double                tw_chart_canvas_text_width (const TwChartCanvas       *canvas,
                                                 const PangoFontDescription *font,
                                                 const char                 *text);
void                  tw_chart_canvas_show      (const TwChartCanvas        *canvas,
                                                 PangoLayout                *layout,
                                                 const TwChartColor         *color,
                                                 double                      x,
                                                 double                      y,
                                                 double                      x_align,
                                                 double                      y_align);
void                  tw_chart_canvas_draw_text (const TwChartCanvas        *canvas,
                                                 const PangoFontDescription *font,
                                                 const TwChartColor         *color,
                                                 const char                 *text,
                                                 double                      x,
                                                 double                      y,
                                                 double                      x_align,
                                                 double                      y_align);

void                  tw_chart_set_color        (cairo_t                    *cr,
                                                 const TwChartColor         *color);
void                  tw_chart_set_color_alpha  (cairo_t                    *cr,
                                                 const TwChartColor         *color,
                                                 double                      alpha);
char                 *tw_chart_color_to_hex     (const TwChartColor         *color);
TwChartColor          tw_chart_color_mix        (const TwChartColor         *a,
                                                 const TwChartColor         *b,
                                                 double                      t);
double                tw_chart_color_contrast   (const TwChartColor         *a,
                                                 const TwChartColor         *b);
TwChartColor          tw_chart_color_text_on    (const TwChartColor         *fill);

double                tw_chart_device_scale     (cairo_t                    *cr);
double                tw_chart_snap             (double                      v,
                                                 double                      device_scale);
double                tw_chart_snap_line        (double                      v,
                                                 double                      device_scale);

void                  tw_chart_rounded_rect     (cairo_t                    *cr,
                                                 double                      x,
                                                 double                      y,
                                                 double                      width,
                                                 double                      height,
                                                 double                      radius);

/* A vertical value axis: gridlines across @plot, labels right-aligned left
 * of it; the unit above the labels when given. Returns the labels' width. */
double                tw_chart_value_axis_width (const TwChartCanvas        *canvas,
                                                 const TwChartValueAxis     *axis,
                                                 int                         digits);
void                  tw_chart_draw_value_axis  (const TwChartCanvas        *canvas,
                                                 const TwChartValueAxis     *axis,
                                                 int                         digits,
                                                 const cairo_rectangle_t    *plot,
                                                 gboolean                    horizontal);
double                tw_chart_axis_to_px       (const TwChartValueAxis     *axis,
                                                 const cairo_rectangle_t    *plot,
                                                 gboolean                    horizontal,
                                                 double                      value);

G_END_DECLS
