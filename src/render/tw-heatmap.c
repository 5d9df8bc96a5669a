#include "tw-heatmap.h"

#include <math.h>

#include "tw-chart-format.h"
#include "tw-chart-text.h"

#define GAP_PX            6.0
#define CELL_GAP_MIN_PX   8.0   /* cells this wide get a one-pixel gap */
#define LABEL_SPACING_PX 10.0   /* between column labels */
#define HATCH_STEP_PX     6.0
#define HATCH_ALPHA       0.45

#define CHANNEL(hex, shift) ((((hex) >> (shift)) & 0xff) / 255.0)
#define RGB(hex) { CHANNEL (hex, 16), CHANNEL (hex, 8), CHANNEL (hex, 0) }

/* Steps read as the NEWS2 observation chart's: no score plain, then
 * yellow, orange, red as the score rises. */
static const TwChartColor steps_light[] = {
  RGB (0xf6f5f4), RGB (0xf8e45c), RGB (0xffa348), RGB (0xe01b24),
};
static const TwChartColor steps_dark[] = {
  RGB (0x3d3846), RGB (0xc8a600), RGB (0xe66100), RGB (0xc01c28),
};

/* A continuous ramp of even lightness steps (viridis), readable in both
 * styles and by people with colour-vision deficiencies. */
static const TwChartColor ramp[] = {
  RGB (0x440154), RGB (0x3b528b), RGB (0x21918c), RGB (0x5ec962), RGB (0xfde725),
};

static TwChartColor
sample_stops (const TwChartColor *stops,
              guint               n_stops,
              double              t)
{
  double pos = CLAMP (t, 0.0, 1.0) * (n_stops - 1);
  guint i = (guint) MIN (floor (pos), n_stops - 2.0);

  return tw_chart_color_mix (&stops[i], &stops[i + 1], pos - i);
}

static TwChartColor
cell_color (const TwHeatmapStyle *style,
            double                value)
{
  double span = style->high - style->low;
  double t = span > 0 ? (value - style->low) / span : 0.0;

  if (style->n_steps > 0)
    {
      const TwChartColor *steps = style->dark ? steps_dark : steps_light;
      guint n = style->n_steps;
      double step = n > 1 ? CLAMP (round (t * (n - 1)), 0, n - 1) : 0;

      return sample_stops (steps, G_N_ELEMENTS (steps_light), n > 1 ? step / (n - 1) : 0);
    }
  return sample_stops (ramp, G_N_ELEMENTS (ramp), t);
}

static void
draw_hatch (const TwChartCanvas *canvas,
            double               x0,
            double               y0,
            double               x1,
            double               y1)
{
  cairo_t *cr = canvas->cr;

  cairo_save (cr);
  cairo_rectangle (cr, x0, y0, x1 - x0, y1 - y0);
  cairo_clip_preserve (cr);
  tw_chart_set_color (cr, &canvas->palette->plot_background);
  cairo_fill (cr);
  tw_chart_set_color_alpha (cr, &canvas->palette->muted, HATCH_ALPHA);
  cairo_set_line_width (cr, 1.0);
  for (double d = -(y1 - y0); d < x1 - x0; d += HATCH_STEP_PX)
    {
      cairo_move_to (cr, x0 + d, y1);
      cairo_line_to (cr, x0 + d + (y1 - y0), y0);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

/**
 * tw_heatmap_draw:
 * @cr: where to draw
 * @x: left edge
 * @y: top edge
 * @width: width
 * @height: height
 * @style: rows, columns, colour scale
 * @values: (array): n_rows × n_columns values, row-major; NAN for none
 *
 * A grid of cells coloured by value (discrete steps or a continuous
 * ramp), row labels on the left, as many column labels below as fit
 * without touching, values in the cells when they fit (in dark or white,
 * whichever contrasts more with the cell), and cells without a value
 * hatched as "no data". Cell edges sit on device pixels.
 */
void
tw_heatmap_draw (cairo_t              *cr,
                 double                x,
                 double                y,
                 double                width,
                 double                height,
                 const TwHeatmapStyle *style,
                 const double         *values)
{
  TwChartCanvas canvas = { 0 };
  cairo_rectangle_t grid;
  double scale;
  double row_w = 0;
  double title_h = 0;
  double col_label_h = 0;
  double cell_w;
  double cell_h;
  double gap;
  guint label_every = 1;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);
  g_return_if_fail (values != NULL || style->n_rows * style->n_columns == 0);

  if (width <= 0 || height <= 0 || style->n_rows == 0 || style->n_columns == 0)
    return;

  cairo_save (cr);
  tw_chart_canvas_init (&canvas, cr, width, height, style->dark);
  scale = canvas.device_scale;

  if (style->title != NULL)
    {
      PangoLayout *layout = tw_chart_canvas_text (&canvas, canvas.bold, style->title);

      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      tw_chart_layout_size (layout, NULL, &title_h);
      tw_chart_canvas_show (&canvas, layout, &canvas.palette->text, x, y, 0, 0);
      title_h += GAP_PX;
    }
  if (style->row_labels != NULL)
    {
      for (guint r = 0; r < style->n_rows; r++)
        if (style->row_labels[r] != NULL)
          row_w = MAX (row_w, tw_chart_canvas_text_width (&canvas, canvas.font,
                                                          style->row_labels[r]));
      row_w += GAP_PX;
    }
  if (style->column_labels != NULL)
    col_label_h = canvas.label_h + GAP_PX / 2;

  grid.x = tw_chart_snap (x + row_w, scale);
  grid.y = tw_chart_snap (y + title_h, scale);
  grid.width = tw_chart_snap (x + width, scale) - grid.x;
  grid.height = tw_chart_snap (y + height - col_label_h, scale) - grid.y;
  if (grid.width < 1 || grid.height < 1)
    goto out;
  cell_w = grid.width / style->n_columns;
  cell_h = grid.height / style->n_rows;
  gap = MIN (cell_w, cell_h) >= CELL_GAP_MIN_PX ? 1.0 / scale : 0.0;

  for (guint r = 0; r < style->n_rows; r++)
    {
      double y0 = tw_chart_snap (grid.y + r * cell_h, scale);
      double y1 = tw_chart_snap (grid.y + (r + 1) * cell_h, scale) - gap;

      for (guint c = 0; c < style->n_columns; c++)
        {
          double value = values[r * style->n_columns + c];
          double x0 = tw_chart_snap (grid.x + c * cell_w, scale);
          double x1 = tw_chart_snap (grid.x + (c + 1) * cell_w, scale) - gap;
          TwChartColor fill;

          if (!isfinite (value))
            {
              draw_hatch (&canvas, x0, y0, x1, y1);
              continue;
            }
          fill = cell_color (style, value);
          tw_chart_set_color (cr, &fill);
          cairo_rectangle (cr, x0, y0, x1 - x0, y1 - y0);
          cairo_fill (cr);

          if (style->show_values)
            {
              int digits = style->n_steps > 0 || value == round (value) ? 0 : 1;
              g_autofree char *text = tw_chart_format_value (value, digits);
              PangoLayout *layout = tw_chart_canvas_text (&canvas, canvas.font, text);
              TwChartColor ink = tw_chart_color_text_on (&fill);
              double tw;
              double th;

              tw_chart_layout_size (layout, &tw, &th);
              if (tw + 2 <= x1 - x0 && th <= y1 - y0)
                tw_chart_canvas_show (&canvas, layout, &ink, (x0 + x1) / 2, (y0 + y1) / 2,
                                      0.5, 0.5);
            }
        }

      if (style->row_labels != NULL && style->row_labels[r] != NULL)
        tw_chart_canvas_draw_text (&canvas, canvas.font, &canvas.palette->text,
                                   style->row_labels[r], grid.x - GAP_PX, (y0 + y1) / 2,
                                   1, 0.5);
    }

  if (style->column_labels != NULL)
    {
      double widest = 0;

      for (guint c = 0; c < style->n_columns; c++)
        if (style->column_labels[c] != NULL)
          widest = MAX (widest, tw_chart_canvas_text_width (&canvas, canvas.font,
                                                            style->column_labels[c]));
      /* Every k-th label, so none touch. */
      label_every = (guint) MAX (1.0, ceil ((widest + LABEL_SPACING_PX) / cell_w));
      for (guint c = 0; c < style->n_columns; c += label_every)
        if (style->column_labels[c] != NULL)
          tw_chart_canvas_draw_text (&canvas, canvas.font, &canvas.palette->muted,
                                     style->column_labels[c], grid.x + (c + 0.5) * cell_w,
                                     grid.y + grid.height + GAP_PX / 2, 0.5, 0);
    }

out:
  tw_chart_canvas_clear (&canvas);
  cairo_restore (cr);
}
