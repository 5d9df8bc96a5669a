#include <locale.h>
#include <math.h>

#include <cairo-pdf.h>
#include <gio/gio.h>

#include "tw-chart-axis.h"
#include "tw-m4.h"
#include "tw-time.h"
#include "tw-trend-chart.h"

#define WIDTH  1000
#define HEIGHT 600
#define SEC    TW_USEC_PER_SEC
#define MINUTE TW_USEC_PER_MIN
#define HOUR   TW_USEC_PER_HOUR
#define DAY    (24 * HOUR)

/* Central European time as a rule, so no tzdata is needed and the local
 * labels differ from UTC. */
#define TEST_TZ "CET-1CEST,M3.5.0,M10.5.0/3"

/* 2026-11-23 06:10:00 UTC, 07:10 in TEST_TZ. */
#define T0 G_GINT64_CONSTANT (1795414200000000)

#define DEMO_SPAN (30 * MINUTE)

/* A pixel counts as drawn in a colour when it lies on the way from the
 * background to that colour, at least this far (antialiased edges less). */
#define MIN_COVERAGE 0.6
#define MAX_OFF_LINE 0.08

typedef struct
{
  GArray *hr;
  GArray *sys;
  GArray *dia;
  GArray *spo2;
  GArray *rr;
  GArray *temp;
  TwChartPanel panels[5];
} Demo;

static void
append (GArray *points,
        gint64  ts,
        double  value)
{
  TwPoint p = { ts, value };

  g_array_append_val (points, p);
}

static GArray *
points_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (TwPoint));
}

static TwChartLine
line_of (const char *label,
         GArray     *points)
{
  TwChartLine line = { label, (const TwPoint *) points->data, points->len };

  return line;
}

static TwChartPanel
panel_of (const char *title,
          const char *unit,
          int         digits,
          double      normal_low,
          double      normal_high)
{
  TwChartPanel panel = { title, unit, digits, normal_low, normal_high, { { 0 } }, 0 };

  return panel;
}

/* Half an hour of a bedside monitor: heart rate and SpO2 at 1 Hz (SpO2
 * with a probe-off pause), blood pressure every five minutes, temperature
 * every ten, no respiration rate. The last values are known. */
static void
demo_init (Demo *demo)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  gint64 t_end = T0 + DEMO_SPAN;

  demo->hr = points_new ();
  demo->sys = points_new ();
  demo->dia = points_new ();
  demo->spo2 = points_new ();
  demo->rr = points_new ();
  demo->temp = points_new ();

  for (gint64 t = T0 - 10 * SEC; t < t_end; t += SEC)
    {
      double minutes = (double) (t - T0) / MINUTE;
      double hr = 74 + 6 * sin (minutes / 4) + g_rand_double_range (rand, -1.5, 1.5);
      double spo2 = 97 + g_rand_double_range (rand, -0.6, 0.6);

      if (minutes > 12 && minutes < 16)
        hr += 18 * sin ((minutes - 12) / 4 * G_PI);
      if (minutes > 20 && minutes < 23)
        spo2 -= 5 * sin ((minutes - 20) / 3 * G_PI);
      append (demo->hr, t, round (hr));
      if (minutes < 8 || minutes > 11.5)
        append (demo->spo2, t, round (spo2));
    }
  g_array_index (demo->hr, TwPoint, demo->hr->len - 1).value = 72;

  for (gint64 t = T0 - 2 * MINUTE; t < t_end; t += 5 * MINUTE)
    {
      append (demo->sys, t, 118 + g_rand_int_range (rand, -6, 7));
      append (demo->dia, t, 76 + g_rand_int_range (rand, -4, 5));
    }
  g_array_index (demo->sys, TwPoint, demo->sys->len - 1).value = 121;
  g_array_index (demo->dia, TwPoint, demo->dia->len - 1).value = 78;

  for (gint64 t = T0 - 5 * MINUTE; t < t_end; t += 10 * MINUTE)
    append (demo->temp, t, 37.1 + 0.1 * g_rand_int_range (rand, 0, 4));

  demo->panels[0] = panel_of ("Heart rate", "/min", 0, 51, 90);
  demo->panels[0].lines[0] = line_of ("Heart rate", demo->hr);
  demo->panels[0].n_lines = 1;

  demo->panels[1] = panel_of ("SpO\u2082", "%", 0, 96, 100);
  demo->panels[1].lines[0] = line_of ("SpO\u2082", demo->spo2);
  demo->panels[1].n_lines = 1;

  demo->panels[2] = panel_of ("Blood pressure", "mm[Hg]", 0, NAN, NAN);
  demo->panels[2].lines[0] = line_of ("Systolic", demo->sys);
  demo->panels[2].lines[1] = line_of ("Diastolic", demo->dia);
  demo->panels[2].n_lines = 2;

  demo->panels[3] = panel_of ("Respiration rate", "/min", 0, 12, 20);
  demo->panels[3].lines[0] = line_of ("Respiration rate", demo->rr);
  demo->panels[3].n_lines = 1;

  demo->panels[4] = panel_of ("Temperature", "Cel", 1, 36.1, 38.0);
  demo->panels[4].lines[0] = line_of ("Temperature", demo->temp);
  demo->panels[4].n_lines = 1;
}

static void
demo_clear (Demo *demo)
{
  g_array_unref (demo->hr);
  g_array_unref (demo->sys);
  g_array_unref (demo->dia);
  g_array_unref (demo->spo2);
  g_array_unref (demo->rr);
  g_array_unref (demo->temp);
}

static TwChartOptions
options_of (gint64   t_from,
            gint64   t_to,
            gboolean dark)
{
  TwChartOptions options = { t_from, t_to, dark, 0 };

  return options;
}

/* Draws the chart, saves it for a person to look at, and returns it. */
static cairo_surface_t *
render (const char           *png_name,
        const TwChartOptions *options,
        const TwChartPanel   *panels,
        guint                 n_panels)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, png_name, NULL);

  tw_trend_chart_draw (cr, WIDTH, HEIGHT, options, panels, n_panels);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  g_test_message ("Wrote %s", path);
  return surface;
}

static cairo_rectangle_t
plot_area (cairo_surface_t      *surface,
           const TwChartOptions *options,
           const TwChartPanel   *panels,
           guint                 n_panels,
           guint                 index)
{
  cairo_t *cr = cairo_create (surface);
  cairo_rectangle_t area = { 0 };

  g_assert_true (tw_trend_chart_get_plot_area (cr, WIDTH, HEIGHT, options, panels, n_panels,
                                               index, &area));
  cairo_destroy (cr);
  g_assert_cmpfloat (area.width, >, WIDTH / 2);
  return area;
}

static void
get_pixel (cairo_surface_t *surface,
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

/* Whether the pixel is @fg drawn over @bg with at least MIN_COVERAGE. */
static gboolean
is_drawn_in (cairo_surface_t    *surface,
             int                 x,
             int                 y,
             const TwChartColor *fg,
             const TwChartColor *bg)
{
  double p[3];
  double d[3] = { fg->red - bg->red, fg->green - bg->green, fg->blue - bg->blue };
  double b[3] = { bg->red, bg->green, bg->blue };
  double dot = 0;
  double len2 = 0;
  double off = 0;
  double t;

  get_pixel (surface, x, y, p);
  for (int i = 0; i < 3; i++)
    {
      dot += (p[i] - b[i]) * d[i];
      len2 += d[i] * d[i];
    }
  t = dot / len2;
  for (int i = 0; i < 3; i++)
    off = MAX (off, fabs (p[i] - (b[i] + t * d[i])));
  return t >= MIN_COVERAGE && off <= MAX_OFF_LINE;
}

static guint
count_in_rect (cairo_surface_t    *surface,
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
      if (is_drawn_in (surface, x, y, fg, bg))
        n++;
  return n;
}

static guint
count_in_column (cairo_surface_t         *surface,
                 const cairo_rectangle_t *area,
                 int                      x,
                 const TwChartColor      *fg,
                 const TwChartColor      *bg)
{
  return count_in_rect (surface, x, (int) area->y, x + 1, (int) (area->y + area->height), fg, bg);
}

static int
time_to_column (const cairo_rectangle_t *area,
                const TwChartOptions    *options,
                gint64                   ts)
{
  return (int) (area->x + (ts - options->t_from) * (gint64) area->width
                          / (options->t_to - options->t_from));
}

static double
mean_luminance (cairo_surface_t *surface)
{
  double sum = 0;

  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++)
      {
        double p[3];

        get_pixel (surface, x, y, p);
        sum += 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
      }
  return sum / ((double) WIDTH * HEIGHT);
}

static void
test_styles (void)
{
  Demo demo;
  TwChartOptions light = options_of (T0, T0 + DEMO_SPAN, FALSE);
  TwChartOptions dark = options_of (T0, T0 + DEMO_SPAN, TRUE);
  cairo_surface_t *light_png;
  cairo_surface_t *dark_png;
  double light_lum;
  double dark_lum;

  demo_init (&demo);
  light_png = render ("trend-light.png", &light, demo.panels, G_N_ELEMENTS (demo.panels));
  dark_png = render ("trend-dark.png", &dark, demo.panels, G_N_ELEMENTS (demo.panels));

  light_lum = mean_luminance (light_png);
  dark_lum = mean_luminance (dark_png);
  g_test_message ("mean luminance: light %.3f, dark %.3f", light_lum, dark_lum);
  g_assert_cmpfloat (dark_lum, <, 0.2);
  g_assert_cmpfloat (light_lum, >, 0.8);

  cairo_surface_destroy (light_png);
  cairo_surface_destroy (dark_png);
  demo_clear (&demo);
}

/* A week at 1 Hz with a single sample at 190: an averaging chart would
 * hide it; this one must show a peak at the spike's column. */
static void
test_spike_visible (void)
{
  guint n = 7 * 24 * 3600;
  gint64 t_from = T0;
  gint64 spike_ts = t_from + 4 * DAY + 3 * HOUR + 17 * MINUTE + 41 * SEC;
  g_autoptr(GArray) hr = points_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  TwChartOptions options = options_of (t_from, t_from + 7 * DAY, FALSE);
  TwChartPanel panel = panel_of ("Heart rate", "/min", 0, 51, 90);
  const TwChartPalette *palette = tw_chart_palette_get (FALSE);
  TwChartColor color = tw_chart_palette_get_series (palette, 0, 0);
  cairo_surface_t *png;
  cairo_rectangle_t area;
  int x;
  int top_quarter;
  guint peak = 0;

  for (guint i = 0; i < n; i++)
    append (hr, t_from + (gint64) i * SEC, 72 + g_rand_double_range (rand, -8, 8));
  g_array_index (hr, TwPoint, (spike_ts - t_from) / SEC).value = 190;
  panel.lines[0] = line_of ("Heart rate", hr);
  panel.n_lines = 1;

  png = render ("trend-spike.png", &options, &panel, 1);
  area = plot_area (png, &options, &panel, 1, 0);
  x = time_to_column (&area, &options, spike_ts);
  top_quarter = (int) (area.y + area.height / 4);

  for (int dx = -1; dx <= 1; dx++)
    peak += count_in_rect (png, x + dx, (int) area.y, x + dx + 1, top_quarter,
                           &color, &palette->plot_background);
  g_assert_cmpuint (peak, >, 0);

  /* Away from the spike the top of the panel is empty: the peak is the
   * spike, not a line drawn too high. */
  g_assert_cmpuint (count_in_rect (png, x - 60, (int) area.y, x - 10, top_quarter,
                                   &color, &palette->plot_background), ==, 0);
  g_assert_cmpuint (count_in_rect (png, x + 10, (int) area.y, x + 60, top_quarter,
                                   &color, &palette->plot_background), ==, 0);

  cairo_surface_destroy (png);
}

/* An hour at 1 Hz with ten minutes missing: the gap stays open. */
static void
test_gap_visible (void)
{
  gint64 gap_from = T0 + 25 * MINUTE;
  gint64 gap_to = T0 + 35 * MINUTE;
  g_autoptr(GArray) hr = points_new ();
  TwChartOptions options = options_of (T0, T0 + HOUR, FALSE);
  TwChartPanel panel = panel_of ("Heart rate", "/min", 0, 51, 90);
  const TwChartPalette *palette = tw_chart_palette_get (FALSE);
  TwChartColor color = tw_chart_palette_get_series (palette, 0, 0);
  cairo_surface_t *png;
  cairo_rectangle_t area;
  int x_from;
  int x_to;

  for (gint64 t = T0; t < T0 + HOUR; t += SEC)
    if (t < gap_from || t >= gap_to)
      append (hr, t, 70 + 10 * sin ((double) (t - T0) / (5 * MINUTE)));
  panel.lines[0] = line_of ("Heart rate", hr);
  panel.n_lines = 1;

  png = render ("trend-gap.png", &options, &panel, 1);
  area = plot_area (png, &options, &panel, 1, 0);
  x_from = time_to_column (&area, &options, gap_from);
  x_to = time_to_column (&area, &options, gap_to);
  g_assert_cmpint (x_to - x_from, >, 100);

  /* Round line caps reach a pixel or two into the gap. */
  for (int x = x_from + 3; x < x_to - 3; x++)
    g_assert_cmpuint (count_in_column (png, &area, x, &color, &palette->plot_background), ==, 0);
  g_assert_cmpuint (count_in_column (png, &area, x_from - 10, &color, &palette->plot_background),
                    >, 0);
  g_assert_cmpuint (count_in_column (png, &area, x_to + 10, &color, &palette->plot_background),
                    >, 0);

  cairo_surface_destroy (png);
}

/* The respiration panel has no data: no lines in it, in any series colour,
 * even though the demo's other panels are full. The same holds for a series
 * whose samples all lie outside the range, on both sides of it. */
static void
test_no_data_panel (void)
{
  Demo demo;
  g_autoptr(GArray) far = points_new ();
  TwChartOptions options = options_of (T0, T0 + DEMO_SPAN, TRUE);
  const TwChartPalette *palette = tw_chart_palette_get (TRUE);
  cairo_surface_t *png;

  demo_init (&demo);
  for (gint64 t = T0 - HOUR; t < T0 - 10 * MINUTE; t += SEC)
    append (far, t, 16);
  for (gint64 t = T0 + DEMO_SPAN + 10 * MINUTE; t < T0 + DEMO_SPAN + HOUR; t += SEC)
    append (far, t, 16);

  for (guint round = 0; round < 2; round++)
    {
      cairo_rectangle_t area;

      if (round == 1)
        demo.panels[3].lines[0] = line_of ("Respiration rate", far);
      png = render (round == 0 ? "trend-dark.png" : "trend-no-data.png",
                    &options, demo.panels, G_N_ELEMENTS (demo.panels));
      area = plot_area (png, &options, demo.panels, G_N_ELEMENTS (demo.panels), 3);
      for (guint c = 0; c < G_N_ELEMENTS (demo.panels); c++)
        for (guint line = 0; line < TW_CHART_MAX_LINES; line++)
          {
            TwChartColor color = tw_chart_palette_get_series (palette, c, line);

            g_assert_cmpuint (count_in_rect (png, (int) area.x, (int) area.y,
                                             (int) (area.x + area.width),
                                             (int) (area.y + area.height),
                                             &color, &palette->plot_background), ==, 0);
          }
      /* "No data" is written in the middle instead. */
      g_assert_cmpuint (count_in_rect (png, (int) (area.x + area.width / 2 - 40),
                                       (int) area.y,
                                       (int) (area.x + area.width / 2 + 40),
                                       (int) (area.y + area.height),
                                       &palette->muted, &palette->plot_background), >, 0);
      cairo_surface_destroy (png);
    }

  demo_clear (&demo);
}

/* The same gap at twice the pixel density: drawn straight into a HiDPI
 * image (one envelope column per device pixel), and recorded first and
 * replayed at twice the scale, as GTK does with a cairo node. Either way
 * the gap stays open and the line is there on both sides. */
static void
test_hidpi (void)
{
  const double scale = 2.0;
  gint64 gap_from = T0 + 25 * MINUTE;
  gint64 gap_to = T0 + 35 * MINUTE;
  g_autoptr(GArray) hr = points_new ();
  TwChartOptions options = options_of (T0, T0 + HOUR, TRUE);
  TwChartPanel panel = panel_of ("Heart rate", "/min", 0, 51, 90);
  const TwChartPalette *palette = tw_chart_palette_get (TRUE);
  TwChartColor color = tw_chart_palette_get_series (palette, 0, 0);

  for (gint64 t = T0; t < T0 + HOUR; t += SEC)
    if (t < gap_from || t >= gap_to)
      append (hr, t, 70 + 10 * sin ((double) (t - T0) / (5 * MINUTE)));
  panel.lines[0] = line_of ("Heart rate", hr);
  panel.n_lines = 1;

  for (guint recorded = 0; recorded < 2; recorded++)
    {
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                                             WIDTH * scale, HEIGHT * scale);
      g_autofree char *path = g_test_build_filename (G_TEST_BUILT,
                                                     recorded ? "trend-hidpi-recorded.png"
                                                              : "trend-hidpi.png",
                                                     NULL);
      cairo_rectangle_t area;
      cairo_t *cr;
      int x_from;
      int x_to;
      int y0;
      int y1;

      cairo_surface_set_device_scale (surface, scale, scale);
      cr = cairo_create (surface);
      if (recorded)
        {
          cairo_surface_t *recording = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA,
                                                                       NULL);
          cairo_t *rec = cairo_create (recording);

          tw_trend_chart_draw (rec, WIDTH, HEIGHT, &options, &panel, 1);
          g_assert_cmpint (cairo_status (rec), ==, CAIRO_STATUS_SUCCESS);
          cairo_destroy (rec);
          cairo_set_source_surface (cr, recording, 0, 0);
          cairo_paint (cr);
          cairo_surface_destroy (recording);
        }
      else
        {
          tw_trend_chart_draw (cr, WIDTH, HEIGHT, &options, &panel, 1);
        }
      g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
      g_assert_true (tw_trend_chart_get_plot_area (cr, WIDTH, HEIGHT, &options, &panel, 1, 0,
                                                   &area));
      cairo_destroy (cr);
      cairo_surface_flush (surface);
      g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);

      x_from = (int) (scale * time_to_column (&area, &options, gap_from));
      x_to = (int) (scale * time_to_column (&area, &options, gap_to));
      y0 = (int) (scale * area.y);
      y1 = (int) (scale * (area.y + area.height));
      g_assert_cmpuint (count_in_rect (surface, x_from + 6, y0, x_to - 6, y1,
                                       &color, &palette->plot_background), ==, 0);
      g_assert_cmpuint (count_in_rect (surface, x_from - 20, y0, x_from - 19, y1,
                                       &color, &palette->plot_background), >, 0);
      g_assert_cmpuint (count_in_rect (surface, x_to + 20, y0, x_to + 21, y1,
                                       &color, &palette->plot_background), >, 0);

      cairo_surface_destroy (surface);
    }
}

/* The report's target: a PDF page gets the same chart as vectors. */
static void
test_pdf (void)
{
  Demo demo;
  TwChartOptions options = options_of (T0, T0 + DEMO_SPAN, FALSE);
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "trend-light.pdf", NULL);
  cairo_surface_t *surface = cairo_pdf_surface_create (path, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;

  demo_init (&demo);
  tw_trend_chart_draw (cr, WIDTH, HEIGHT, &options, demo.panels, G_N_ELEMENTS (demo.panels));
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            NULL, NULL);
  g_assert_nonnull (info);
  g_assert_cmpint (g_file_info_get_size (info), >, 0);
  demo_clear (&demo);
}

static void
test_describe (void)
{
  Demo demo;
  TwChartOptions options = options_of (T0, T0 + DEMO_SPAN, FALSE);
  g_autofree char *text = NULL;

  demo_init (&demo);
  text = tw_trend_chart_describe (&options, demo.panels, G_N_ELEMENTS (demo.panels));
  g_test_message ("%s", text);

  g_assert_true (g_str_has_prefix (text, "Trend from 07:10 to 07:40."));
  g_assert_nonnull (strstr (text, "Heart rate: latest 72 /min, range "));
  g_assert_nonnull (strstr (text, "Systolic/Diastolic: latest 121/78 mmHg"));
  g_assert_nonnull (strstr (text, "Respiration rate: no data."));
  g_assert_nonnull (strstr (text, "Temperature: latest "));
  g_assert_nonnull (strstr (text, "\u00b0C"));

  demo_clear (&demo);
}

static void
test_value_axis (void)
{
  TwChartValueAxis axis;
  const double ranges[][2] = {
    { 46, 94 }, { 60.3, 61.1 }, { 35.9, 38.2 }, { 0, 1000 }, { -3, 7 }, { 95, 100.5 },
  };

  for (guint r = 0; r < G_N_ELEMENTS (ranges); r++)
    for (guint max_ticks = TW_CHART_AXIS_MIN_TICKS;
         max_ticks <= TW_CHART_AXIS_MAX_TICKS;
         max_ticks++)
      {
        double mantissa;

        tw_chart_value_axis_init (&axis, ranges[r][0], ranges[r][1], 0.1, max_ticks);
        g_assert_cmpuint (axis.n_ticks, >=, TW_CHART_AXIS_MIN_TICKS);
        g_assert_cmpuint (axis.n_ticks, <=, TW_CHART_AXIS_MAX_TICKS);
        g_assert_cmpfloat (axis.lo, <=, ranges[r][0]);
        g_assert_cmpfloat (axis.hi, >=, ranges[r][1]);
        g_assert_cmpfloat (axis.first, >=, axis.lo - 1e-9);
        g_assert_cmpfloat (axis.first + (axis.n_ticks - 1) * axis.step, <=, axis.hi + 1e-9);
        mantissa = axis.step / pow (10, floor (log10 (axis.step) + 1e-9));
        g_assert_true (fabs (mantissa - 1) < 1e-9 || fabs (mantissa - 2) < 1e-9
                       || fabs (mantissa - 5) < 1e-9
                       || (fabs (mantissa - 2.5) < 1e-9 && axis.step >= 25));
      }

  /* Heart rate with the normal band: the range stays as asked, ticks at
   * 50, 60, 70, 80, 90 inside it. */
  tw_chart_value_axis_init (&axis, 46, 94, 0, 5);
  g_assert_cmpfloat (axis.lo, ==, 46);
  g_assert_cmpfloat (axis.hi, ==, 94);
  g_assert_cmpfloat (axis.first, ==, 50);
  g_assert_cmpfloat (axis.step, ==, 10);
  g_assert_cmpuint (axis.n_ticks, ==, 5);
  g_assert_cmpint (axis.decimals, ==, 0);
  /* A short panel asks for three: 60 and 80 are too few, 60 … 90 too
   * many; of the widened ranges 40 … 100 by 20 adds the least. */
  tw_chart_value_axis_init (&axis, 46, 94, 0, 3);
  g_assert_cmpuint (axis.n_ticks, ==, 4);
  g_assert_cmpfloat (axis.step, ==, 20);
  g_assert_cmpfloat (axis.lo, ==, 40);
  g_assert_cmpfloat (axis.hi, ==, 100);
  /* Heart rate 51 … 91: 50, 75, 100 beats widening to 40 … 100. */
  tw_chart_value_axis_init (&axis, 51, 91, 0, 3);
  g_assert_cmpuint (axis.n_ticks, ==, 3);
  g_assert_cmpfloat (axis.step, ==, 25);
  g_assert_cmpfloat (axis.first, ==, 50);

  /* SpO2: padded for room, but no tick beyond 100 %. */
  tw_chart_value_axis_init (&axis, 91, 100, 0.1, 3);
  g_assert_cmpfloat (axis.hi, >, 100);
  g_assert_cmpfloat (axis.first + (axis.n_ticks - 1) * axis.step, <=, 100);

  tw_chart_value_axis_init (&axis, 35.9, 38.2, 0, 5);
  g_assert_cmpfloat (axis.step, ==, 0.5);
  g_assert_cmpint (axis.decimals, ==, 1);
  tw_chart_value_axis_init (&axis, 60.3, 61.1, 0, 5);
  g_assert_cmpint (axis.decimals, ==, 1);
}

static void
test_time_ticks (void)
{
  g_autoptr(GArray) ticks = NULL;
  gint64 step;

  /* Half an hour over 900 px with labels 60 px apart: five minutes. */
  step = tw_chart_time_step_pick (30 * MINUTE, 900, 60);
  g_assert_cmpint (step, ==, 5 * MINUTE);
  step = tw_chart_time_step_pick (7 * DAY, 900, 60);
  g_assert_cmpint (step, ==, 12 * HOUR);
  step = tw_chart_time_step_pick (60 * SEC, 900, 60);
  g_assert_cmpint (step, ==, 5 * SEC);
  step = tw_chart_time_step_pick (365 * DAY, 900, 60);
  g_assert_cmpint (step % DAY, ==, 0);
  g_assert_cmpint (step, >, DAY);

  /* Local wall-clock times: 07:10 … 07:40 local, every five minutes. */
  ticks = tw_chart_time_ticks (T0 + 30 * SEC, T0 + DEMO_SPAN, 5 * MINUTE);
  g_assert_cmpuint (ticks->len, ==, 6);
  for (guint i = 0; i < ticks->len; i++)
    {
      gint64 t = g_array_index (ticks, gint64, i);
      g_autofree char *label = tw_chart_time_label (t, 5 * MINUTE);
      g_autofree char *expected = g_strdup_printf ("07:%02u", 15 + 5 * i);

      g_assert_cmpstr (label, ==, expected);
    }
  g_clear_pointer (&ticks, g_array_unref);

  /* Midnight shows the date; seconds when the step is under a minute. */
  ticks = tw_chart_time_ticks (T0, T0 + 2 * DAY, 12 * HOUR);
  g_assert_cmpuint (ticks->len, ==, 4);
  {
    g_autofree char *noon = tw_chart_time_label (g_array_index (ticks, gint64, 0), 12 * HOUR);
    g_autofree char *midnight = tw_chart_time_label (g_array_index (ticks, gint64, 1), 12 * HOUR);
    g_autofree char *seconds = tw_chart_time_label (T0 + 5 * SEC, 5 * SEC);

    g_assert_cmpstr (noon, ==, "12:00");
    g_assert_cmpstr (midnight, ==, "24 Nov");
    g_assert_cmpstr (seconds, ==, "07:10:05");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", TEST_TZ, TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trend-chart/styles", test_styles);
  g_test_add_func ("/trend-chart/spike", test_spike_visible);
  g_test_add_func ("/trend-chart/gap", test_gap_visible);
  g_test_add_func ("/trend-chart/no-data", test_no_data_panel);
  g_test_add_func ("/trend-chart/hidpi", test_hidpi);
  g_test_add_func ("/trend-chart/pdf", test_pdf);
  g_test_add_func ("/trend-chart/describe", test_describe);
  g_test_add_func ("/trend-chart/value-axis", test_value_axis);
  g_test_add_func ("/trend-chart/time-ticks", test_time_ticks);

  return g_test_run ();
}
