#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cairo-pdf.h>
#include <gio/gio.h>

#include "tw-chart-axis.h"
#include "tw-m4.h"
#include "tw-time.h"
#include "tw-trend-chart.h"
#include "tw-test-pixels.h"

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

  tw_trend_chart_draw (cr, WIDTH, HEIGHT, options, panels, n_panels);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  tw_test_save_png (surface, png_name);
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

static guint
count_in_column (cairo_surface_t         *surface,
                 const cairo_rectangle_t *area,
                 int                      x,
                 const TwChartColor      *fg,
                 const TwChartColor      *bg)
{
  return tw_test_count_in_rect (surface, x, (int) area->y, x + 1, (int) (area->y + area->height), fg, bg);
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

        tw_test_get_pixel (surface, x, y, p);
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

/* The column at the spike's time (or a neighbour) has the line colour in
 * the panel's top quarter, and the top quarter is empty either side. */
static void
assert_spike_visible (cairo_surface_t         *png,
                      const cairo_rectangle_t *area,
                      const TwChartOptions    *options,
                      gint64                   spike_ts)
{
  const TwChartPalette *palette = tw_chart_palette_get (options->dark);
  TwChartColor color = tw_chart_palette_get_series (palette, 0, 0);
  int x = time_to_column (area, options, spike_ts);
  int top_quarter = (int) (area->y + area->height / 4);
  guint peak = 0;

  for (int dx = -1; dx <= 1; dx++)
    peak += tw_test_count_in_rect (png, x + dx, (int) area->y, x + dx + 1, top_quarter,
                                   &color, &palette->plot_background);
  g_assert_cmpuint (peak, >, 0);

  /* Away from the spike the top of the panel is empty: the peak is the
   * spike, not a line drawn too high. */
  g_assert_cmpuint (tw_test_count_in_rect (png, x - 60, (int) area->y, x - 10, top_quarter,
                                           &color, &palette->plot_background), ==, 0);
  g_assert_cmpuint (tw_test_count_in_rect (png, x + 10, (int) area->y, x + 60, top_quarter,
                                           &color, &palette->plot_background), ==, 0);
}

static GArray *
week_with_spike (gint64 t_from,
                 gint64 spike_ts)
{
  guint n = 7 * 24 * 3600;
  GArray *hr = g_array_sized_new (FALSE, FALSE, sizeof (TwPoint), n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < n; i++)
    append (hr, t_from + (gint64) i * SEC, 72 + g_rand_double_range (rand, -8, 8));
  g_array_index (hr, TwPoint, (spike_ts - t_from) / SEC).value = 190;
  return hr;
}

/* A week at 1 Hz with a single sample at 190: an averaging chart would
 * hide it; this one must show a peak at the spike's column. */
static void
test_spike_visible (void)
{
  gint64 t_from = T0;
  gint64 spike_ts = t_from + 4 * DAY + 3 * HOUR + 17 * MINUTE + 41 * SEC;
  g_autoptr(GArray) hr = week_with_spike (t_from, spike_ts);
  TwChartOptions options = options_of (t_from, t_from + 7 * DAY, FALSE);
  TwChartPanel panel = panel_of ("Heart rate", "/min", 0, 51, 90);
  cairo_surface_t *png;
  cairo_rectangle_t area;

  panel.lines[0] = line_of ("Heart rate", hr);
  panel.n_lines = 1;

  png = render ("trend-spike.png", &options, &panel, 1);
  area = plot_area (png, &options, &panel, 1, 0);
  assert_spike_visible (png, &area, &options, spike_ts);
  cairo_surface_destroy (png);
}

/* One-minute rollups of @points as the store keeps them. */
static GArray *
minute_buckets (GArray *points)
{
  GArray *buckets = g_array_new (FALSE, TRUE, sizeof (TwM4Column));
  TwM4Column *b = NULL;

  for (guint i = 0; i < points->len; i++)
    {
      const TwPoint *p = &g_array_index (points, TwPoint, i);

      if (b == NULL || p->ts / MINUTE != b->first_ts / MINUTE)
        {
          TwM4Column fresh = { TRUE, 0, p->ts, p->ts, p->value, p->value, p->value, p->value };

          g_array_append_val (buckets, fresh);
          b = &g_array_index (buckets, TwM4Column, buckets->len - 1);
        }
      b->n_points++;
      b->last_ts = p->ts;
      b->last = p->value;
      b->min = MIN (b->min, p->value);
      b->max = MAX (b->max, p->value);
    }
  return buckets;
}

/* The same week read as an envelope of one-minute rollups (no raw points
 * given), 10,080 columns re-binned to the plot: the spike still shows. */
static void
test_spike_envelope (void)
{
  gint64 t_from = T0;
  gint64 t_to = T0 + 7 * DAY;
  gint64 spike_ts = t_from + 2 * DAY + 9 * HOUR + 3 * MINUTE + 12 * SEC;
  g_autoptr(GArray) hr = week_with_spike (t_from, spike_ts);
  g_autoptr(GArray) buckets = minute_buckets (hr);
  g_autoptr(TwM4) envelope = tw_m4_new_from_aggregates ((const TwM4Column *) buckets->data,
                                                        buckets->len, NULL, NULL,
                                                        t_from, t_to, 7 * 24 * 60);
  TwChartOptions options = options_of (t_from, t_to, FALSE);
  TwChartPanel panel;
  cairo_surface_t *png;
  cairo_rectangle_t area;
  g_autofree char *text = NULL;

  tw_chart_panel_init (&panel);
  panel.title = "Heart rate";
  panel.unit = "/min";
  panel.normal_low = 51;
  panel.normal_high = 90;
  panel.lines[0].label = "Heart rate";
  panel.lines[0].envelope = envelope;
  panel.n_lines = 1;

  png = render ("trend-spike-envelope.png", &options, &panel, 1);
  area = plot_area (png, &options, &panel, 1, 0);
  assert_spike_visible (png, &area, &options, spike_ts);
  cairo_surface_destroy (png);

  /* The summary reads the envelope too. */
  text = tw_trend_chart_describe (&options, &panel, 1);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Heart rate: latest "));
  g_assert_nonnull (strstr (text, "\u2013190."));
}

/* Columns between @from and @to (a few pixels in, for round caps) have no
 * line; the line is there just outside. */
static void
assert_gap_open (cairo_surface_t         *png,
                 const cairo_rectangle_t *area,
                 const TwChartOptions    *options,
                 gint64                   gap_from,
                 gint64                   gap_to)
{
  const TwChartPalette *palette = tw_chart_palette_get (options->dark);
  TwChartColor color = tw_chart_palette_get_series (palette, 0, 0);
  int x_from = time_to_column (area, options, gap_from);
  int x_to = time_to_column (area, options, gap_to);

  g_assert_cmpint (x_to - x_from, >, 100);
  for (int x = x_from + 3; x < x_to - 3; x++)
    g_assert_cmpuint (count_in_column (png, area, x, &color, &palette->plot_background), ==, 0);
  g_assert_cmpuint (count_in_column (png, area, x_from - 10, &color, &palette->plot_background),
                    >, 0);
  g_assert_cmpuint (count_in_column (png, area, x_to + 10, &color, &palette->plot_background),
                    >, 0);
}

/* An hour at 1 Hz with ten minutes missing: the gap stays open, drawn
 * from the points and from an envelope of one column per second (which
 * the chart re-bins to its width, with its own gap threshold). */
static void
test_gap_visible (void)
{
  gint64 gap_from = T0 + 25 * MINUTE;
  gint64 gap_to = T0 + 35 * MINUTE;
  g_autoptr(GArray) hr = points_new ();
  TwChartOptions options = options_of (T0, T0 + HOUR, FALSE);
  TwChartPanel panel = panel_of ("Heart rate", "/min", 0, 51, 90);
  g_autoptr(TwM4) envelope = NULL;
  cairo_surface_t *png;
  cairo_rectangle_t area;

  for (gint64 t = T0; t < T0 + HOUR; t += SEC)
    if (t < gap_from || t >= gap_to)
      append (hr, t, 70 + 10 * sin ((double) (t - T0) / (5 * MINUTE)));
  panel.lines[0] = line_of ("Heart rate", hr);
  panel.n_lines = 1;

  png = render ("trend-gap.png", &options, &panel, 1);
  area = plot_area (png, &options, &panel, 1, 0);
  assert_gap_open (png, &area, &options, gap_from, gap_to);
  cairo_surface_destroy (png);

  envelope = tw_m4_new ((const TwPoint *) hr->data, hr->len, T0, T0 + HOUR, 3600);
  panel.lines[0].points = NULL;
  panel.lines[0].n_points = 0;
  panel.lines[0].envelope = envelope;
  png = render ("trend-gap-envelope.png", &options, &panel, 1);
  area = plot_area (png, &options, &panel, 1, 0);
  assert_gap_open (png, &area, &options, gap_from, gap_to);
  cairo_surface_destroy (png);

  /* An envelope of a wider range (read before a zoom) lands by time. */
  g_clear_pointer (&envelope, tw_m4_free);
  envelope = tw_m4_new ((const TwPoint *) hr->data, hr->len, T0 - HOUR, T0 + 2 * HOUR, 3 * 3600);
  panel.lines[0].envelope = envelope;
  png = render ("trend-gap-envelope-wider.png", &options, &panel, 1);
  area = plot_area (png, &options, &panel, 1, 0);
  assert_gap_open (png, &area, &options, gap_from, gap_to);
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

            g_assert_cmpuint (tw_test_count_in_rect (png, (int) area.x, (int) area.y,
                                             (int) (area.x + area.width),
                                             (int) (area.y + area.height),
                                             &color, &palette->plot_background), ==, 0);
          }
      /* "No data" is written in the middle instead. */
      g_assert_cmpuint (tw_test_count_in_rect (png, (int) (area.x + area.width / 2 - 40),
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
      tw_test_save_png (surface, recorded ? "trend-hidpi-recorded.png" : "trend-hidpi.png");

      x_from = (int) (scale * time_to_column (&area, &options, gap_from));
      x_to = (int) (scale * time_to_column (&area, &options, gap_to));
      y0 = (int) (scale * area.y);
      y1 = (int) (scale * (area.y + area.height));
      g_assert_cmpuint (tw_test_count_in_rect (surface, x_from + 6, y0, x_to - 6, y1,
                                       &color, &palette->plot_background), ==, 0);
      g_assert_cmpuint (tw_test_count_in_rect (surface, x_from - 20, y0, x_from - 19, y1,
                                       &color, &palette->plot_background), >, 0);
      g_assert_cmpuint (tw_test_count_in_rect (surface, x_to + 20, y0, x_to + 21, y1,
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

/* How many rows of a column between @y0 and @y1 are @bg tinted towards
 * @fg by at least @min_t (and not by another colour). */
static guint
tinted_rows (cairo_surface_t    *png,
             int                 x,
             int                 y0,
             int                 y1,
             const TwChartColor *fg,
             const TwChartColor *bg,
             double              min_t)
{
  guint n = 0;

  for (int y = y0; y < y1; y++)
    {
      double off;
      double t = tw_test_tint (png, x, y, fg, bg, &off);

      if (t >= min_t && off <= 0.03)
        n++;
    }
  return n;
}

static void
glucose_bands (TwChartPanel *panel)
{
  const TwChartBand bands[] = {
    { -INFINITY, 54, TW_CHART_BAND_DANGER, NULL },
    { 54, 70, TW_CHART_BAND_CAUTION, NULL },
    { 70, 180, TW_CHART_BAND_NORMAL, "Target 70\u2013180" },
    { 180, 250, TW_CHART_BAND_CAUTION, NULL },
    { 250, INFINITY, TW_CHART_BAND_DANGER, NULL },
  };

  for (guint b = 0; b < G_N_ELEMENTS (bands); b++)
    panel->bands[b] = bands[b];
  panel->n_bands = G_N_ELEMENTS (bands);
  panel->fixed_low = 40;
  panel->fixed_high = 400;
}

/* Glucose on its fixed 40–400 axis with the consensus bands: the target
 * band is green where 70–180 falls on that axis (not where a fitted axis
 * would put it), above 250 red, between amber. */
static void
test_bands (gconstpointer data)
{
  gboolean dark = GPOINTER_TO_INT (data);
  g_autoptr(GArray) glucose = points_new ();
  TwChartOptions options = options_of (T0, T0 + 6 * HOUR, dark);
  const TwChartPalette *palette = tw_chart_palette_get (dark);
  TwChartPanel panel;
  cairo_surface_t *png;
  cairo_rectangle_t area;
  int x;
  int y_top;
  int y_bottom;
  double y180;
  int first_green = -1;

  /* Readings in the first half only, so the second half shows bare bands. */
  for (gint64 t = T0; t < T0 + 3 * HOUR; t += 5 * MINUTE)
    append (glucose, t, 125 + 20 * sin ((double) (t - T0) / HOUR));
  tw_chart_panel_init (&panel);
  panel.title = "Glucose";
  panel.unit = "mg/dL";
  panel.lines[0] = line_of ("Glucose", glucose);
  panel.n_lines = 1;
  glucose_bands (&panel);

  png = render (dark ? "trend-bands-dark.png" : "trend-bands.png", &options, &panel, 1);
  area = plot_area (png, &options, &panel, 1, 0);
  x = (int) (area.x + area.width * 0.8);
  y_top = (int) area.y;
  y_bottom = (int) (area.y + area.height);

  /* On a 40–400 axis 180 lies 220/360 of the way down (give or take the
   * axis' inner padding); a fitted axis would put it near the middle. */
  y180 = area.y + area.height * (400.0 - 180.0) / 360.0;
  for (int y = y_top; y < y_bottom && first_green < 0; y++)
    if (tinted_rows (png, x, y, y + 1, &palette->good, &palette->plot_background, 0.05) == 1)
      first_green = y;
  g_test_message ("target band from row %d, 180 mg/dL expected near %.0f", first_green, y180);
  g_assert_cmpfloat (fabs (first_green - y180), <, 12);

  /* Most rows of the target band are green; the top of the plot (above
   * 250) is red, the rows between 180 and 250 amber. */
  g_assert_cmpuint (tinted_rows (png, x, first_green + 3, first_green + 40, &palette->good,
                                 &palette->plot_background, 0.05), >, 30);
  g_assert_cmpuint (tinted_rows (png, x, y_top + 2, y_top + 40, &palette->danger,
                                 &palette->plot_background, 0.05), >, 30);
  g_assert_cmpuint (tinted_rows (png, x, first_green - 20, first_green - 4, &palette->caution,
                                 &palette->plot_background, 0.05), >, 10);
  g_assert_cmpuint (tinted_rows (png, x, first_green + 3, first_green + 40, &palette->danger,
                                 &palette->plot_background, 0.05), ==, 0);
  cairo_surface_destroy (png);
}

/* Glucose every five minutes, then six predicted values (AR2) 5 to 30
 * minutes after the last: the prediction is drawn in the line's colour,
 * dashed, and not joined to the measured line. */
static void
test_forecast (void)
{
  g_autoptr(GArray) glucose = points_new ();
  g_autoptr(GArray) forecast = points_new ();
  gint64 last = T0 + 90 * MINUTE;
  TwChartOptions options = options_of (T0, T0 + 2 * HOUR, FALSE);
  const TwChartPalette *palette = tw_chart_palette_get (FALSE);
  TwChartColor color = tw_chart_palette_get_series (palette, 0, 0);
  TwChartPanel panel;
  cairo_surface_t *png;
  cairo_rectangle_t area;
  int x_last;
  int x_first_forecast;
  int x_last_forecast;
  guint drawn = 0;
  guint empty = 0;

  for (gint64 t = T0; t <= last; t += 5 * MINUTE)
    append (glucose, t, 150);
  for (guint i = 1; i <= 6; i++)
    append (forecast, last + i * 5 * MINUTE, 150 + 12 * i);
  tw_chart_panel_init (&panel);
  panel.title = "Glucose";
  panel.unit = "mg/dL";
  panel.lines[0] = line_of ("Glucose", glucose);
  panel.lines[0].forecast = (const TwPoint *) forecast->data;
  panel.lines[0].n_forecast = forecast->len;
  panel.n_lines = 1;

  png = render ("trend-forecast.png", &options, &panel, 1);
  area = plot_area (png, &options, &panel, 1, 0);
  x_last = time_to_column (&area, &options, last);
  x_first_forecast = time_to_column (&area, &options, last + 5 * MINUTE);
  x_last_forecast = time_to_column (&area, &options, last + 25 * MINUTE);

  /* Not joined: nothing between the last reading and the first
   * prediction (past the reading's marker and the prediction's dot). */
  for (int x = x_last + 5; x < x_first_forecast - 4; x++)
    g_assert_cmpuint (count_in_column (png, &area, x, &color, &palette->plot_background), ==, 0);

  /* Dashed: between the predicted points, some columns carry the line and
   * some do not. */
  for (guint i = 0; i + 1 < forecast->len; i++)
    {
      int a = time_to_column (&area, &options, g_array_index (forecast, TwPoint, i).ts);
      int b = time_to_column (&area, &options, g_array_index (forecast, TwPoint, i + 1).ts);

      for (int x = a + 4; x < b - 4; x++)
        {
          if (count_in_column (png, &area, x, &color, &palette->plot_background) > 0)
            drawn++;
          else
            empty++;
        }
    }
  g_test_message ("forecast columns: %u drawn, %u empty", drawn, empty);
  g_assert_cmpuint (drawn, >, 20);
  g_assert_cmpuint (empty, >, 10);
  g_assert_cmpuint (count_in_column (png, &area, x_last_forecast, &color,
                                     &palette->plot_background), >, 0);
  cairo_surface_destroy (png);

  {
    g_autofree char *text = tw_trend_chart_describe (&options, &panel, 1);

    g_test_message ("%s", text);
    g_assert_nonnull (strstr (text, "latest 150 mg/dL"));
    g_assert_nonnull (strstr (text, "Forecast 222 mg/dL at 09:10."));
  }
}

/* A high alert and a low one across two panels: a line in the alert's
 * colour in each panel at its time, a flag at the top, nothing between. */
static void
test_markers (void)
{
  Demo demo;
  TwChartMarker markers[] = {
    { T0 + 17 * MINUTE, 0, "Temperature not charted" },
    { T0 + 8 * MINUTE, 2, "SpO\u2082 below 90" },
  };
  TwChartOptions options = options_of (T0, T0 + DEMO_SPAN, FALSE);
  const TwChartPalette *palette = tw_chart_palette_get (FALSE);
  cairo_surface_t *png;
  g_autofree char *text = NULL;

  demo_init (&demo);
  options.markers = markers;
  options.n_markers = G_N_ELEMENTS (markers);
  png = render ("trend-markers.png", &options, demo.panels, 2);

  for (guint p = 0; p < 2; p++)
    {
      cairo_rectangle_t area = plot_area (png, &options, demo.panels, 2, p);
      int x_high = time_to_column (&area, &options, markers[1].ts);
      int x_low = time_to_column (&area, &options, markers[0].ts);
      int x_none = time_to_column (&area, &options, T0 + 25 * MINUTE);
      guint high = 0;
      guint low = 0;

      for (int dx = -1; dx <= 1; dx++)
        {
          high = MAX (high, count_in_column (png, &area, x_high + dx, &palette->alarm[2],
                                             &palette->plot_background));
          low = MAX (low, count_in_column (png, &area, x_low + dx, &palette->alarm[0],
                                           &palette->plot_background));
        }
      g_assert_cmpuint (high, >, area.height / 3);
      g_assert_cmpuint (low, >, area.height / 3);
      for (int dx = -1; dx <= 1; dx++)
        {
          g_assert_cmpuint (count_in_column (png, &area, x_high + dx, &palette->alarm[0],
                                             &palette->plot_background), ==, 0);
          g_assert_cmpuint (count_in_column (png, &area, x_none + dx, &palette->alarm[2],
                                             &palette->plot_background), ==, 0);
        }
      if (p == 0)
        /* The flag, right of the line at the top. */
        g_assert_cmpuint (tw_test_count_in_rect (png, x_high + 2, (int) area.y, x_high + 6,
                                                 (int) area.y + 6, &palette->alarm[2],
                                                 &palette->plot_background), >, 4);
    }
  cairo_surface_destroy (png);

  text = tw_trend_chart_describe (&options, demo.panels, 2);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Alert (high) at 07:18: SpO\u2082 below 90."));
  demo_clear (&demo);
}

/* The pointer at 07:25: a line through every panel, a dot on the heart
 * rate line at that sample's value, and a box of values beside it. */
static void
test_crosshair (void)
{
  Demo demo;
  TwChartOptions options = options_of (T0, T0 + DEMO_SPAN, TRUE);
  const TwChartPalette *palette = tw_chart_palette_get (TRUE);
  TwChartColor hr_color = tw_chart_palette_get_series (palette, 0, 0);
  gint64 ts = T0 + 15 * MINUTE;
  cairo_surface_t *png;
  cairo_rectangle_t area;
  double value = NAN;
  guint line_rows = 0;
  int x;
  int y;

  demo_init (&demo);
  options.crosshair_ts = ts;
  png = render ("trend-crosshair-dark.png", &options, demo.panels, G_N_ELEMENTS (demo.panels));
  area = plot_area (png, &options, demo.panels, G_N_ELEMENTS (demo.panels), 3);
  x = (int) floor (area.x + (double) (ts - T0) * area.width / DEMO_SPAN);

  /* The line crosses even the empty respiration panel. */
  for (int yy = (int) area.y; yy < (int) (area.y + area.height); yy++)
    {
      double off;

      if (tw_test_tint (png, x, yy, &palette->text, &palette->plot_background, &off) > 0.5
          && off < 0.05)
        line_rows++;
    }
  g_assert_cmpuint (line_rows, >, area.height * 0.5);
  g_assert_cmpuint (tw_test_count_in_rect (png, x + 3, (int) area.y, x + 30,
                                           (int) (area.y + area.height), &palette->text,
                                           &palette->plot_background), <, 30);

  /* The dot on the heart rate line, in its colour, at the value there. */
  area = plot_area (png, &options, demo.panels, G_N_ELEMENTS (demo.panels), 0);
  for (guint i = 0; i < demo.hr->len; i++)
    if (g_array_index (demo.hr, TwPoint, i).ts == ts)
      value = g_array_index (demo.hr, TwPoint, i).value;
  g_assert_false (isnan (value));
  {
    cairo_t *cr = cairo_create (png);
    g_autofree char *text = NULL;
    guint dot = 0;

    cairo_destroy (cr);
    text = tw_trend_chart_describe (&options, demo.panels, 1);
    g_test_message ("heart rate at the crosshair %.0f; %s", value, text);
    for (y = (int) area.y; y < (int) (area.y + area.height); y++)
      for (int dx = -3; dx <= 3; dx++)
        if (tw_test_is_drawn_in (png, x + dx, y, &hr_color, &palette->plot_background))
          dot++;
    /* A dot (7 px across) plus the line itself. */
    g_assert_cmpuint (dot, >, 20);
  }
  /* The box of values sits right of the line at the top of the panel:
   * the value in the line's colour. */
  g_assert_cmpuint (tw_test_count_in_rect (png, x + 6, (int) area.y, x + 90, (int) area.y + 24,
                                           &hr_color, &palette->background), >, 10);

  cairo_surface_destroy (png);
  demo_clear (&demo);
}

static gint64
local_usec (int y,
            int m,
            int d,
            int h)
{
  g_autoptr(GDateTime) dt = g_date_time_new_local (y, m, d, h, 0, 0);

  return g_date_time_to_unix (dt) * SEC;
}

/* Ticks of one local day from midnight to midnight at @step; checks every
 * label is a round wall-clock time and returns how many there are. */
static guint
check_day_ticks (int    y,
                 int    m,
                 int    d,
                 gint64 step,
                 gint64 expected_length)
{
  gint64 from = local_usec (y, m, d, 0);
  g_autoptr(GDateTime) start = g_date_time_new_local (y, m, d, 0, 0, 0);
  g_autoptr(GDateTime) next = g_date_time_add_days (start, 1);
  gint64 to = g_date_time_to_unix (next) * SEC;
  g_autoptr(GArray) ticks = tw_chart_time_ticks (from, to, step);
  int last_hour = -1;

  g_assert_cmpint (to - from, ==, expected_length);
  g_assert_cmpint (g_array_index (ticks, gint64, 0), ==, from);
  g_assert_cmpint (g_array_index (ticks, gint64, ticks->len - 1), ==, to);
  for (guint i = 0; i < ticks->len; i++)
    {
      gint64 t = g_array_index (ticks, gint64, i);
      g_autofree char *label = tw_chart_time_label (t, step);

      if (i + 1 == ticks->len || i == 0)
        {
          g_assert_true (g_ascii_isdigit (label[0]) && strchr (label, ':') == NULL);
          continue;
        }
      g_assert_cmpuint (strlen (label), ==, 5);
      g_assert_cmpstr (label + 2, ==, ":00");
      /* Wall-clock hours never go back (01:00 twice when the clocks do)
       * and are whole steps. */
      g_assert_cmpint (atoi (label), >=, last_hour);
      g_assert_cmpint (atoi (label) % (step / HOUR), ==, 0);
      last_hour = atoi (label);
      /* Hourly ticks are an hour apart in real time, whatever the clocks
       * say; longer steps at most the hour a change adds. */
      if (step == HOUR)
        g_assert_cmpint (t - g_array_index (ticks, gint64, i - 1), ==, HOUR);
      else
        g_assert_cmpint (t - g_array_index (ticks, gint64, i - 1), <=, step + HOUR);
    }
  return ticks->len;
}

/* Europe/London: on 29 March 2026 clocks go forward at 01:00 (a 23-hour
 * day), on 25 October back at 02:00 (25 hours). Ticks stay on round local
 * times, midnights are 23 and 25 hours apart, and a chart across the
 * change labels its axis in local time. */
static void
test_dst (void)
{
  g_autoptr(GArray) days = NULL;
  g_autoptr(GArray) hr = points_new ();
  gint64 spring = local_usec (2026, 3, 29, 0);
  gint64 autumn = local_usec (2026, 10, 25, 0);
  g_autofree char *label = NULL;

  g_setenv ("TZ", "Europe/London", TRUE);
  tzset ();

  spring = local_usec (2026, 3, 29, 0);
  autumn = local_usec (2026, 10, 25, 0);
  /* 00:00 GMT is midnight in London in March. */
  g_assert_cmpint (spring, ==, G_GINT64_CONSTANT (1774742400) * SEC);

  /* Hourly: 23 ticks and the next midnight; 01:00 does not exist. */
  g_assert_cmpuint (check_day_ticks (2026, 3, 29, HOUR, 23 * HOUR), ==, 24);
  /* 25 hours: 01:00 happens twice and has two ticks. */
  g_assert_cmpuint (check_day_ticks (2026, 10, 25, HOUR, 25 * HOUR), ==, 26);
  g_assert_cmpuint (check_day_ticks (2026, 3, 29, 6 * HOUR, 23 * HOUR), ==, 5);
  g_assert_cmpuint (check_day_ticks (2026, 10, 25, 6 * HOUR, 25 * HOUR), ==, 5);
  g_assert_cmpuint (check_day_ticks (2026, 10, 25, 3 * HOUR, 25 * HOUR), ==, 9);

  /* Daily ticks are local midnights, 23 and 25 hours apart. */
  days = tw_chart_time_ticks (spring - DAY, spring + 2 * DAY, DAY);
  g_assert_cmpuint (days->len, ==, 4);   /* 28, 29, 30 and 31 March */
  g_assert_cmpint (g_array_index (days, gint64, 1) - g_array_index (days, gint64, 0), ==,
                   24 * HOUR);
  g_assert_cmpint (g_array_index (days, gint64, 2) - g_array_index (days, gint64, 1), ==,
                   23 * HOUR);
  label = tw_chart_time_label (g_array_index (days, gint64, 2), DAY);
  g_assert_cmpstr (label, ==, "30 Mar");
  g_clear_pointer (&days, g_array_unref);
  days = tw_chart_time_ticks (autumn, autumn + 2 * DAY, DAY);
  g_assert_cmpint (g_array_index (days, gint64, 1) - g_array_index (days, gint64, 0), ==,
                   25 * HOUR);

  /* 06:00 BST is 05:00 UTC, 06:00 GMT is 06:00 UTC: the label follows the
   * local clock either side of the change. */
  g_clear_pointer (&label, g_free);
  label = tw_chart_time_label (autumn + 5 * HOUR, HOUR);
  g_assert_cmpstr (label, ==, "04:00");

  /* A chart across the autumn change, for a person to look at. */
  {
    TwChartOptions options = options_of (autumn - 2 * HOUR, autumn + 10 * HOUR, FALSE);
    TwChartPanel panel = panel_of ("Heart rate", "/min", 0, 51, 90);
    cairo_surface_t *png;

    for (gint64 t = options.t_from; t < options.t_to; t += 10 * SEC)
      append (hr, t, 70 + 8 * sin ((double) (t - options.t_from) / HOUR));
    panel.lines[0] = line_of ("Heart rate", hr);
    panel.n_lines = 1;
    png = render ("trend-dst-autumn.png", &options, &panel, 1);
    cairo_surface_destroy (png);
  }

  g_setenv ("TZ", TEST_TZ, TRUE);
  tzset ();
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
  g_test_add_func ("/trend-chart/spike-envelope", test_spike_envelope);
  g_test_add_data_func ("/trend-chart/bands/light", GINT_TO_POINTER (FALSE), test_bands);
  g_test_add_data_func ("/trend-chart/bands/dark", GINT_TO_POINTER (TRUE), test_bands);
  g_test_add_func ("/trend-chart/forecast", test_forecast);
  g_test_add_func ("/trend-chart/markers", test_markers);
  g_test_add_func ("/trend-chart/crosshair", test_crosshair);
  g_test_add_func ("/trend-chart/dst", test_dst);
  g_test_add_func ("/trend-chart/gap", test_gap_visible);
  g_test_add_func ("/trend-chart/no-data", test_no_data_panel);
  g_test_add_func ("/trend-chart/hidpi", test_hidpi);
  g_test_add_func ("/trend-chart/pdf", test_pdf);
  g_test_add_func ("/trend-chart/describe", test_describe);
  g_test_add_func ("/trend-chart/value-axis", test_value_axis);
  g_test_add_func ("/trend-chart/time-ticks", test_time_ticks);

  return g_test_run ();
}
