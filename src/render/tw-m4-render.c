#include "tw-m4-render.h"

#include <math.h>

/* Opacity of a fully covered mask pixel. */
#define FULL_COVERAGE 255

/*
 * A line drawn from an M4 envelope covers, in each pixel column, one
 * vertical span: from the lowest to the highest value the line takes while
 * crossing the column, widened by half the line width. Drawing those spans
 * is what stroking the M4 polyline puts on a pixel grid, at a small part of
 * the cost of stroking a path that turns back on itself four times per
 * pixel (tens of milliseconds for a dense week on cairo 1.16).
 */
typedef struct
{
  guint   width;
  double *top;      /* device pixels; top > bottom where a column is empty */
  double *bottom;
} Spans;

static void
spans_clear (Spans *spans)
{
  g_clear_pointer (&spans->top, g_free);
  g_clear_pointer (&spans->bottom, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Spans, spans_clear)

static double
value_to_y (const TwM4Geometry *g,
            double              value)
{
  return g->y0 + value * g->y_per_value;
}

static gboolean
column_has_span (const Spans *spans,
                 guint        c)
{
  return spans->top[c] <= spans->bottom[c];
}

static void
span_add (Spans  *spans,
          double  column,
          double  a,
          double  b)
{
  guint c;

  if (column < 0 || column >= spans->width)
    return;
  c = (guint) column;
  spans->top[c] = MIN (spans->top[c], MIN (a, b));
  spans->bottom[c] = MAX (spans->bottom[c], MAX (a, b));
}

/* Adds to each column the values a segment takes while crossing it. */
static void
add_segment (Spans            *spans,
             const TwM4Vertex *a,
             const TwM4Vertex *b)
{
  const TwM4Vertex *l = a->x <= b->x ? a : b;
  const TwM4Vertex *r = a->x <= b->x ? b : a;
  double dx = r->x - l->x;
  double c0;
  double c1;

  if (dx == 0)
    {
      span_add (spans, floor (l->x), l->value, r->value);
      return;
    }

  c0 = MAX (floor (l->x), 0);
  c1 = MIN (ceil (r->x) - 1, (double) spans->width - 1);
  for (double c = c0; c <= c1; c++)
    {
      double xa = MAX (l->x, c);
      double xb = MIN (r->x, c + 1);
      double va = l->value + (r->value - l->value) * (xa - l->x) / dx;
      double vb = l->value + (r->value - l->value) * (xb - l->x) / dx;

      span_add (spans, c, va, vb);
    }
}

/* Fills @spans with each column's span in device pixels. */
static void
spans_init (Spans              *spans,
            const TwM4Polyline *polyline,
            guint               width,
            const TwM4Geometry *g)
{
  guint n_paths = tw_m4_polyline_get_n_paths (polyline);
  double scale = g->device_scale;
  double half = g->line_width * scale / 2;

  spans->width = width;
  spans->top = g_new (double, width);
  spans->bottom = g_new (double, width);
  for (guint c = 0; c < width; c++)
    {
      spans->top[c] = INFINITY;
      spans->bottom[c] = -INFINITY;
    }

  /* First in values: consecutive vertices of one sub-path only, so a gap
   * stays open. */
  for (guint i = 0; i < n_paths; i++)
    {
      guint n;
      const TwM4Vertex *v = tw_m4_polyline_get_path (polyline, i, &n);

      for (guint k = 0; k + 1 < n; k++)
        add_segment (spans, &v[k], &v[k + 1]);
      if (n == 1)
        add_segment (spans, &v[0], &v[0]);
    }

  for (guint c = 0; c < width; c++)
    {
      double ya;
      double yb;

      if (!column_has_span (spans, c))
        continue;
      ya = value_to_y (g, spans->top[c]) * scale;
      yb = value_to_y (g, spans->bottom[c]) * scale;
      spans->top[c] = MIN (ya, yb) - half;
      spans->bottom[c] = MAX (ya, yb) + half;
    }
}

/* Documents are read zoomed in and drawn once: they get the polyline
 * itself, stroked. */
static gboolean
is_document (cairo_t *cr)
{
  switch (cairo_surface_get_type (cairo_get_target (cr)))
    {
    case CAIRO_SURFACE_TYPE_PDF:
    case CAIRO_SURFACE_TYPE_PS:
    case CAIRO_SURFACE_TYPE_SVG:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
stroke_polyline (cairo_t            *cr,
                 const TwM4Polyline *polyline,
                 const TwM4Geometry *g)
{
  guint n_paths = tw_m4_polyline_get_n_paths (polyline);

  for (guint i = 0; i < n_paths; i++)
    {
      guint n;
      const TwM4Vertex *v = tw_m4_polyline_get_path (polyline, i, &n);

      cairo_move_to (cr, g->x0 + v[0].x / g->device_scale, value_to_y (g, v[0].value));
      for (guint k = 1; k < n; k++)
        cairo_line_to (cr, g->x0 + v[k].x / g->device_scale, value_to_y (g, v[k].value));
    }
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width (cr, g->line_width);
  cairo_stroke (cr);
}

/* Image surfaces: the spans as a coverage mask, composited once. */
static void
mask_spans (cairo_t            *cr,
            const Spans        *spans,
            const TwM4Geometry *g)
{
  double scale = g->device_scale;
  double first_row = INFINITY;
  double last_row = -INFINITY;
  cairo_surface_t *mask;
  guint8 *data;
  int stride;

  for (guint c = 0; c < spans->width; c++)
    if (column_has_span (spans, c))
      {
        first_row = MIN (first_row, floor (spans->top[c]));
        last_row = MAX (last_row, floor (spans->bottom[c]));
      }
  if (first_row > last_row)
    return;

  mask = cairo_image_surface_create (CAIRO_FORMAT_A8, (int) spans->width,
                                     (int) (last_row - first_row) + 1);
  if (cairo_surface_status (mask) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (mask);
      return;
    }
  cairo_surface_flush (mask);
  data = cairo_image_surface_get_data (mask);
  stride = cairo_image_surface_get_stride (mask);

  for (guint c = 0; c < spans->width; c++)
    {
      double top = spans->top[c];
      double bottom = spans->bottom[c];

      if (!column_has_span (spans, c))
        continue;
      for (double row = floor (top); row <= floor (bottom); row++)
        {
          double cover = MIN (bottom, row + 1) - MAX (top, row);

          data[(gsize) (row - first_row) * stride + c] = (guint8) lround (cover * FULL_COVERAGE);
        }
    }
  cairo_surface_mark_dirty (mask);
  cairo_surface_set_device_scale (mask, scale, scale);

  cairo_mask_surface (cr, mask, g->x0, first_row / scale);
  cairo_surface_destroy (mask);
}

/* Other screens (a GTK cairo node records, then replays at the monitor's
 * scale): each run of columns with data as one polygon, its edges through
 * the column centres, so it stays sharp at any scale. */
static void
fill_ribbons (cairo_t            *cr,
              const Spans        *spans,
              const TwM4Geometry *g)
{
  double scale = g->device_scale;
  guint c = 0;

  while (c < spans->width)
    {
      guint first;
      guint last;

      if (!column_has_span (spans, c))
        {
          c++;
          continue;
        }
      first = c;
      while (c + 1 < spans->width && column_has_span (spans, c + 1))
        c++;
      last = c;
      c++;

      cairo_move_to (cr, g->x0 + first / scale, spans->top[first] / scale);
      for (guint k = first; k <= last; k++)
        cairo_line_to (cr, g->x0 + (k + 0.5) / scale, spans->top[k] / scale);
      cairo_line_to (cr, g->x0 + (last + 1) / scale, spans->top[last] / scale);
      cairo_line_to (cr, g->x0 + (last + 1) / scale, spans->bottom[last] / scale);
      for (guint k = last + 1; k-- > first;)
        cairo_line_to (cr, g->x0 + (k + 0.5) / scale, spans->bottom[k] / scale);
      cairo_line_to (cr, g->x0 + first / scale, spans->bottom[first] / scale);
      cairo_close_path (cr);
    }
  cairo_fill (cr);
}

/**
 * tw_m4_render_line:
 * @cr: where to draw
 * @polyline: the line, from tw_m4_polyline_new()
 * @width: the number of columns of the envelope the line was built from
 * @geometry: where the columns and values land
 * @color: the line's colour
 *
 * Draws an M4 polyline. Screens get one vertical span per envelope column:
 * into a coverage mask on image surfaces, as polygons on other surfaces;
 * either way the cost is O(@width) however many points the line stands
 * for. Documents (PDF, PostScript, SVG) get the polyline stroked. A gap
 * between sub-paths always stays open.
 */
void
tw_m4_render_line (cairo_t            *cr,
                   const TwM4Polyline *polyline,
                   guint               width,
                   const TwM4Geometry *geometry,
                   const TwChartColor *color)
{
  g_auto(Spans) spans = { 0 };

  g_return_if_fail (cr != NULL);
  g_return_if_fail (polyline != NULL);
  g_return_if_fail (geometry != NULL && geometry->device_scale > 0);
  g_return_if_fail (color != NULL);

  if (width == 0 || tw_m4_polyline_get_n_paths (polyline) == 0)
    return;

  cairo_set_source_rgb (cr, color->red, color->green, color->blue);
  if (is_document (cr))
    {
      stroke_polyline (cr, polyline, geometry);
      return;
    }

  spans_init (&spans, polyline, width, geometry);
  if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_IMAGE)
    mask_spans (cr, &spans, geometry);
  else
    fill_ribbons (cr, &spans, geometry);
}
