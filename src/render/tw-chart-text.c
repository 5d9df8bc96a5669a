#include "tw-chart-text.h"

#include <math.h>

#include "tw-chart-format.h"

/* Label size of a small chart: this share of its shorter side, within the
 * legible limits. */
#define FONT_SHARE          0.06
#define GRID_WIDTH_PX       1.0
#define AXIS_LABEL_GAP_PX   6.0

/* Text on a fill is one of these two, whichever contrasts more. */
static const TwChartColor text_dark = { 0x24 / 255.0, 0x1f / 255.0, 0x31 / 255.0 };
static const TwChartColor text_light = { 1.0, 1.0, 1.0 };

PangoFontDescription *
tw_chart_font_new (double      px,
                   PangoWeight weight)
{
  PangoFontDescription *font = pango_font_description_from_string (TW_CHART_FONT_FAMILY);

  pango_font_description_set_absolute_size (font, px * PANGO_SCALE);
  pango_font_description_set_weight (font, weight);
  return font;
}

double
tw_chart_device_scale (cairo_t *cr)
{
  double sx = 1.0;
  double sy = 1.0;

  cairo_surface_get_device_scale (cairo_get_target (cr), &sx, &sy);
  return MAX (sx, 1.0);
}

/**
 * tw_chart_canvas_init:
 * @canvas: (out caller-allocates): free with tw_chart_canvas_clear()
 * @cr: where the chart is drawn
 * @width: the chart's width, for the label size
 * @height: the chart's height
 * @dark: the dark style's colours
 */
void
tw_chart_canvas_init (TwChartCanvas *canvas,
                      cairo_t       *cr,
                      double         width,
                      double         height,
                      gboolean       dark)
{
  PangoLayout *layout;

  canvas->cr = cr;
  canvas->dark = dark;
  canvas->palette = tw_chart_palette_get (dark);
  canvas->device_scale = tw_chart_device_scale (cr);
  canvas->font_px = CLAMP (MIN (width, height) * FONT_SHARE,
                           TW_CHART_MIN_FONT_PX, TW_CHART_MAX_FONT_PX);
  canvas->font = tw_chart_font_new (canvas->font_px, PANGO_WEIGHT_NORMAL);
  canvas->bold = tw_chart_font_new (canvas->font_px, PANGO_WEIGHT_SEMIBOLD);
  canvas->layout = pango_cairo_create_layout (cr);
  layout = tw_chart_canvas_text (canvas, canvas->font, "0");
  tw_chart_layout_size (layout, NULL, &canvas->label_h);
}

void
tw_chart_canvas_clear (TwChartCanvas *canvas)
{
  g_clear_pointer (&canvas->font, pango_font_description_free);
  g_clear_pointer (&canvas->bold, pango_font_description_free);
  g_clear_object (&canvas->layout);
}

/* One layout serves every text of a chart. Returns it (transfer none). */
PangoLayout *
tw_chart_canvas_text (const TwChartCanvas        *canvas,
                      const PangoFontDescription *font,
                      const char                 *text)
{
  pango_layout_set_attributes (canvas->layout, NULL);
  pango_layout_set_width (canvas->layout, -1);
  pango_layout_set_height (canvas->layout, -1);
  pango_layout_set_wrap (canvas->layout, PANGO_WRAP_WORD);
  pango_layout_set_ellipsize (canvas->layout, PANGO_ELLIPSIZE_NONE);
  pango_layout_set_alignment (canvas->layout, PANGO_ALIGN_LEFT);
  pango_layout_set_font_description (canvas->layout, font);
  pango_layout_set_text (canvas->layout, text, -1);
  return canvas->layout;
}

PangoLayout *
tw_chart_canvas_markup (const TwChartCanvas        *canvas,
                        const PangoFontDescription *font,
                        const char                 *markup)
{
  PangoLayout *layout = tw_chart_canvas_text (canvas, font, "");

  pango_layout_set_markup (layout, markup, -1);
  return layout;
}

void
tw_chart_layout_size (PangoLayout *layout,
                      double      *width,
                      double      *height)
{
  int w;
  int h;

  pango_layout_get_size (layout, &w, &h);
  if (width != NULL)
    *width = (double) w / PANGO_SCALE;
  if (height != NULL)
    *height = (double) h / PANGO_SCALE;
}

double
tw_chart_canvas_text_width (const TwChartCanvas        *canvas,
                            const PangoFontDescription *font,
                            const char                 *text)
{
  double w;

  tw_chart_layout_size (tw_chart_canvas_text (canvas, font, text), &w, NULL);
  return w;
}

/* Draws @layout with its box aligned at (@x, @y): 0 left/top, 0.5 centre,
 * 1 right/bottom. */
void
tw_chart_canvas_show (const TwChartCanvas *canvas,
                      PangoLayout         *layout,
                      const TwChartColor  *color,
                      double               x,
                      double               y,
                      double               x_align,
                      double               y_align)
{
  double w;
  double h;

  tw_chart_layout_size (layout, &w, &h);
  tw_chart_set_color (canvas->cr, color);
  cairo_move_to (canvas->cr, x - w * x_align, y - h * y_align);
  pango_cairo_show_layout (canvas->cr, layout);
}

void
tw_chart_canvas_draw_text (const TwChartCanvas        *canvas,
                           const PangoFontDescription *font,
                           const TwChartColor         *color,
                           const char                 *text,
                           double                      x,
                           double                      y,
                           double                      x_align,
                           double                      y_align)
{
  tw_chart_canvas_show (canvas, tw_chart_canvas_text (canvas, font, text), color,
                        x, y, x_align, y_align);
}

void
tw_chart_set_color (cairo_t            *cr,
                    const TwChartColor *c)
{
  cairo_set_source_rgb (cr, c->red, c->green, c->blue);
}

void
tw_chart_set_color_alpha (cairo_t            *cr,
                          const TwChartColor *c,
                          double              alpha)
{
  cairo_set_source_rgba (cr, c->red, c->green, c->blue, alpha);
}

char *
tw_chart_color_to_hex (const TwChartColor *c)
{
  return g_strdup_printf ("#%02x%02x%02x",
                          (guint) lround (c->red * 255),
                          (guint) lround (c->green * 255),
                          (guint) lround (c->blue * 255));
}

/* @a moved @t of the way to @b. */
TwChartColor
tw_chart_color_mix (const TwChartColor *a,
                    const TwChartColor *b,
                    double              t)
{
  TwChartColor c = {
    a->red + (b->red - a->red) * t,
    a->green + (b->green - a->green) * t,
    a->blue + (b->blue - a->blue) * t,
  };

  return c;
}

static double
linear_channel (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
relative_luminance (const TwChartColor *c)
{
  return 0.2126 * linear_channel (c->red) + 0.7152 * linear_channel (c->green)
         + 0.0722 * linear_channel (c->blue);
}

/* WCAG 2 contrast ratio, 1 … 21. */
double
tw_chart_color_contrast (const TwChartColor *a,
                         const TwChartColor *b)
{
  double la = relative_luminance (a);
  double lb = relative_luminance (b);

  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

/* Dark or white text, whichever reads better on @fill. */
TwChartColor
tw_chart_color_text_on (const TwChartColor *fill)
{
  if (tw_chart_color_contrast (fill, &text_dark) >= tw_chart_color_contrast (fill, &text_light))
    return text_dark;
  return text_light;
}

/* The nearest device pixel edge, in user units. */
double
tw_chart_snap (double v,
               double device_scale)
{
  return round (v * device_scale) / device_scale;
}

/* The centre of the device pixel holding @v: a one-pixel line there is
 * sharp. */
double
tw_chart_snap_line (double v,
                    double device_scale)
{
  return (floor (v * device_scale) + 0.5) / device_scale;
}

void
tw_chart_rounded_rect (cairo_t *cr,
                       double   x,
                       double   y,
                       double   width,
                       double   height,
                       double   radius)
{
  radius = MIN (radius, MIN (width, height) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + width - radius, y + height - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

double
tw_chart_axis_to_px (const TwChartValueAxis  *axis,
                     const cairo_rectangle_t *plot,
                     gboolean                 horizontal,
                     double                   value)
{
  double t = (value - axis->lo) / (axis->hi - axis->lo);

  if (horizontal)
    return plot->x + t * plot->width;
  return plot->y + (1.0 - t) * plot->height;
}

static int
axis_digits (const TwChartValueAxis *axis,
             int                     digits)
{
  return MAX (digits, axis->decimals);
}

double
tw_chart_value_axis_width (const TwChartCanvas    *canvas,
                           const TwChartValueAxis *axis,
                           int                     digits)
{
  double widest = 0.0;

  for (guint t = 0; t < axis->n_ticks; t++)
    {
      g_autofree char *label = tw_chart_format_value (tw_chart_value_axis_tick (axis, t),
                                                      axis_digits (axis, digits));

      widest = MAX (widest, tw_chart_canvas_text_width (canvas, canvas->font, label));
    }
  return ceil (widest + AXIS_LABEL_GAP_PX);
}

/**
 * tw_chart_draw_value_axis:
 * @canvas: the chart's canvas
 * @axis: the ticks
 * @digits: decimals the labels show at least
 * @plot: where the values are drawn
 * @horizontal: values along x (labels below @plot) instead of y (labels
 *   left of it)
 *
 * Gridlines at each tick across @plot and the tick labels outside it.
 */
void
tw_chart_draw_value_axis (const TwChartCanvas     *canvas,
                          const TwChartValueAxis  *axis,
                          int                      digits,
                          const cairo_rectangle_t *plot,
                          gboolean                 horizontal)
{
  cairo_t *cr = canvas->cr;
  double scale = canvas->device_scale;

  cairo_save (cr);
  tw_chart_set_color_alpha (cr, &canvas->palette->grid, canvas->palette->grid_alpha);
  cairo_set_line_width (cr, GRID_WIDTH_PX / scale);
  for (guint t = 0; t < axis->n_ticks; t++)
    {
      double p = tw_chart_snap_line (tw_chart_axis_to_px (axis, plot, horizontal,
                                                          tw_chart_value_axis_tick (axis, t)),
                                     scale);

      if (horizontal)
        {
          p = MIN (p, plot->x + plot->width - 0.5 / scale);
          cairo_move_to (cr, p, plot->y);
          cairo_line_to (cr, p, plot->y + plot->height);
        }
      else
        {
          p = MIN (p, plot->y + plot->height - 0.5 / scale);
          cairo_move_to (cr, plot->x, p);
          cairo_line_to (cr, plot->x + plot->width, p);
        }
    }
  cairo_stroke (cr);
  cairo_restore (cr);

  for (guint t = 0; t < axis->n_ticks; t++)
    {
      double value = tw_chart_value_axis_tick (axis, t);
      g_autofree char *label = tw_chart_format_value (value, axis_digits (axis, digits));
      double p = tw_chart_axis_to_px (axis, plot, horizontal, value);

      if (horizontal)
        tw_chart_canvas_draw_text (canvas, canvas->font, &canvas->palette->muted, label,
                                   p, plot->y + plot->height + AXIS_LABEL_GAP_PX / 2, 0.5, 0.0);
      else
        tw_chart_canvas_draw_text (canvas, canvas->font, &canvas->palette->muted, label,
                                   plot->x - AXIS_LABEL_GAP_PX, p, 1.0, 0.5);
    }
}
