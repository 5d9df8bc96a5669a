#pragma once

/* Reading rendered charts back as a user would see them: pixels of an
 * image surface, whether a pixel is drawn in a colour over a background,
 * and PNGs written for a person to look at (to $TW_SCREENSHOT_DIR, else
 * the temporary directory). Shared by the chart tests. */

#include <cairo.h>
#include <glib.h>
#include <math.h>

#include "tw-chart-palette.h"

/* A pixel counts as drawn in a colour when it lies on the way from the
 * background to that colour, at least this far (antialiased edges less). */
#define TW_TEST_MIN_COVERAGE 0.6
#define TW_TEST_MAX_OFF_LINE 0.08

static inline void
tw_test_save_png (cairo_surface_t *surface,
                  const char      *name)
{
  const char *dir = g_getenv ("TW_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL || *dir == '\0')
    dir = g_get_tmp_dir ();
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  cairo_surface_flush (surface);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  g_test_message ("Wrote %s", path);
}

static inline void
tw_test_get_pixel (cairo_surface_t *surface,
                   int              x,
                   int              y,
                   double           rgb[3])
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint32 p;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (surface));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (surface));
  p = *(const guint32 *) (data + y * stride + x * 4);
  rgb[0] = ((p >> 16) & 0xff) / 255.0;
  rgb[1] = ((p >> 8) & 0xff) / 255.0;
  rgb[2] = (p & 0xff) / 255.0;
}

/* How far the pixel lies from @bg towards @fg (0 = background, 1 = the
 * colour); *off is its distance from that way, so another colour of the
 * same lightness does not count. */
static inline double
tw_test_tint (cairo_surface_t    *surface,
              int                 x,
              int                 y,
              const TwChartColor *fg,
              const TwChartColor *bg,
              double             *off)
{
  double p[3];
  double d[3] = { fg->red - bg->red, fg->green - bg->green, fg->blue - bg->blue };
  double b[3] = { bg->red, bg->green, bg->blue };
  double dot = 0;
  double len2 = 0;
  double t;

  tw_test_get_pixel (surface, x, y, p);
  for (int i = 0; i < 3; i++)
    {
      dot += (p[i] - b[i]) * d[i];
      len2 += d[i] * d[i];
    }
  t = len2 > 0 ? dot / len2 : 0;
  *off = 0;
  for (int i = 0; i < 3; i++)
    *off = MAX (*off, fabs (p[i] - (b[i] + t * d[i])));
  return t;
}

static inline gboolean
tw_test_is_drawn_in (cairo_surface_t    *surface,
                     int                 x,
                     int                 y,
                     const TwChartColor *fg,
                     const TwChartColor *bg)
{
  double off;
  double t = tw_test_tint (surface, x, y, fg, bg, &off);

  return t >= TW_TEST_MIN_COVERAGE && off <= TW_TEST_MAX_OFF_LINE;
}

/* Whether the pixel is exactly @c, give or take rounding. */
static inline gboolean
tw_test_is_color (cairo_surface_t    *surface,
                  int                 x,
                  int                 y,
                  const TwChartColor *c)
{
  double p[3];

  tw_test_get_pixel (surface, x, y, p);
  return fabs (p[0] - c->red) < 0.02 && fabs (p[1] - c->green) < 0.02
         && fabs (p[2] - c->blue) < 0.02;
}

static inline guint
tw_test_count_in_rect (cairo_surface_t    *surface,
                       int                 x0,
                       int                 y0,
                       int                 x1,
                       int                 y1,
                       const TwChartColor *fg,
                       const TwChartColor *bg)
{
  guint n = 0;

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      if (tw_test_is_drawn_in (surface, x, y, fg, bg))
        n++;
  return n;
}

static inline cairo_surface_t *
tw_test_surface_new (int                   width,
                     int                   height,
                     const TwChartPalette *palette)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, palette->background.red, palette->background.green,
                        palette->background.blue);
  cairo_paint (cr);
  cairo_destroy (cr);
  return surface;
}
