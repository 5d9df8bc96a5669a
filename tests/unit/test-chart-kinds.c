/* The chart kinds other than the trend chart, drawn into image surfaces
 * and read back as a user would see them. PNGs go to $TW_SCREENSHOT_DIR
 * (else the temporary directory) for a person to look at. */

#include <locale.h>
#include <math.h>

#include "tw-agp-chart.h"
#include "tw-bar-chart.h"
#include "tw-heatmap.h"
#include "tw-scatter.h"
#include "tw-score-tile.h"
#include "tw-sparkline.h"
#include "tw-time.h"
#include "tw-test-pixels.h"

#define SEC  TW_USEC_PER_SEC
#define HOUR TW_USEC_PER_HOUR
#define DAY  (24 * HOUR)

/* 2026-11-23 06:10:00 UTC. */
#define T0 G_GINT64_CONSTANT (1795414200000000)

static GArray *
week_at_1hz (gint64 spike_ts,
             gint64 gap_from,
             gint64 gap_to)
{
  GArray *points = g_array_sized_new (FALSE, FALSE, sizeof (TwPoint), 7 * 24 * 3600);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (gint64 t = T0; t < T0 + 7 * DAY; t += SEC)
    {
      TwPoint p = { t, 72 + g_rand_double_range (rand, -6, 6) };

      if (t >= gap_from && t < gap_to)
        continue;
      if (t == spike_ts)
        p.value = 190;
      g_array_append_val (points, p);
    }
  return points;
}

/* A word-sized week at 1 Hz on a ward tile: the one-second spike still
 * reaches the top of the sparkline at its column, and a six-hour gap has
 * no line at all. */
static void
test_sparkline (void)
{
  const double x = 10, y = 10, w = 240, h = 48;
  gint64 spike_ts = T0 + 2 * DAY + 5 * HOUR + 17 * SEC;
  gint64 gap_from = T0 + 5 * DAY;
  gint64 gap_to = gap_from + 12 * HOUR;
  g_autoptr(GArray) points = week_at_1hz (spike_ts, gap_from, gap_to);
  const TwChartPalette *palette = tw_chart_palette_get (FALSE);
  TwSparklineStyle style = {
    .t_from = T0, .t_to = T0 + 7 * DAY,
    .normal_low = 51, .normal_high = 90,
    .color = palette->series[0],
  };
  cairo_surface_t *surface = tw_test_surface_new (260, 68, palette);
  cairo_t *cr = cairo_create (surface);
  int spike_x;
  int gap_x0;
  int gap_x1;
  guint peak = 0;

  tw_sparkline_draw (cr, x, y, w, h, &style, (const TwPoint *) points->data, points->len);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  tw_test_save_png (surface, "kinds-sparkline.png");

  spike_x = (int) (x + (double) (spike_ts - T0) * w / (7 * DAY));
  for (int dx = -1; dx <= 1; dx++)
    peak += tw_test_count_in_rect (surface, spike_x + dx, (int) y, spike_x + dx + 1,
                                   (int) (y + h / 4), &style.color, &palette->background);
  g_assert_cmpuint (peak, >, 0);
  /* Only the spike is that high. */
  g_assert_cmpuint (tw_test_count_in_rect (surface, spike_x - 40, (int) y, spike_x - 5,
                                           (int) (y + h / 4), &style.color,
                                           &palette->background), ==, 0);

  gap_x0 = (int) (x + (double) (gap_from - T0) * w / (7 * DAY));
  gap_x1 = (int) (x + (double) (gap_to - T0) * w / (7 * DAY));
  g_assert_cmpint (gap_x1 - gap_x0, >, 10);
  g_assert_cmpuint (tw_test_count_in_rect (surface, gap_x0 + 3, (int) y, gap_x1 - 2,
                                           (int) (y + h), &style.color,
                                           &palette->background), ==, 0);
  g_assert_cmpuint (tw_test_count_in_rect (surface, gap_x0 - 4, (int) y, gap_x0 - 1,
                                           (int) (y + h), &style.color,
                                           &palette->background), >, 0);
  cairo_surface_destroy (surface);
}

/* The same sparkline on a HiDPI screen (device scale 2): one envelope
 * column per device pixel, and the spike still one column wide and at
 * the top. */
static void
test_sparkline_hidpi (void)
{
  const double x = 10, y = 10, w = 240, h = 48, scale = 2;
  gint64 spike_ts = T0 + 4 * DAY + 11 * HOUR + 3 * SEC;
  g_autoptr(GArray) points = week_at_1hz (spike_ts, 0, 0);
  const TwChartPalette *palette = tw_chart_palette_get (TRUE);
  TwSparklineStyle style = {
    .t_from = T0, .t_to = T0 + 7 * DAY,
    .normal_low = NAN, .normal_high = NAN,
    .color = palette->series[0], .dark = TRUE,
  };
  cairo_surface_t *surface = tw_test_surface_new (260 * scale, 68 * scale, palette);
  cairo_t *cr;
  int spike_x;
  guint peak = 0;
  guint wide = 0;

  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  tw_sparkline_draw (cr, x, y, w, h, &style, (const TwPoint *) points->data, points->len);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  tw_test_save_png (surface, "kinds-sparkline-hidpi-dark.png");

  spike_x = (int) (scale * x + (double) (spike_ts - T0) * scale * w / (7 * DAY));
  for (int dx = -1; dx <= 1; dx++)
    peak += tw_test_count_in_rect (surface, spike_x + dx, (int) (scale * y), spike_x + dx + 1,
                                   (int) (scale * (y + h / 4)), &style.color,
                                   &palette->background);
  g_assert_cmpuint (peak, >, 0);
  /* At twice the density the spike's column is narrower than a pixel at
   * scale 1 would be: at most three device pixels reach the top. */
  for (int dx = -6; dx <= 6; dx++)
    if (tw_test_count_in_rect (surface, spike_x + dx, (int) (scale * y), spike_x + dx + 1,
                               (int) (scale * (y + h / 4)), &style.color,
                               &palette->background) > 0)
      wide++;
  g_assert_cmpuint (wide, <=, 4);
  cairo_surface_destroy (surface);
}

/* Rows of a colour in one pixel column, from @y0 to @y1. */
static guint
rows_of_color (cairo_surface_t    *surface,
               int                 x,
               int                 y0,
               int                 y1,
               const TwChartColor *c)
{
  guint n = 0;

  for (int y = y0; y < y1; y++)
    if (tw_test_is_color (surface, x, y, c))
      n++;
  return n;
}

/* The consensus range bar: each range's segment is as tall as its share,
 * very low at the bottom, high above in range. */
static void
test_range_bar (gconstpointer data)
{
  gboolean dark = GPOINTER_TO_INT (data);
  const double percent[5] = { 0.8, 3.2, 68.0, 21.0, 7.0 };
  const double x = 20, y = 20, w = 380, h = 300;
  const TwChartPalette *palette = tw_chart_palette_get (dark);
  cairo_surface_t *surface = tw_test_surface_new (420, 340, palette);
  cairo_t *cr = cairo_create (surface);
  int column = (int) x + 10;
  int last_row = -1;

  tw_glucose_range_bar_draw (cr, x, y, w, h, percent, dark);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  tw_test_save_png (surface, dark ? "kinds-range-bar-dark.png" : "kinds-range-bar.png");

  for (guint r = 0; r < 5; r++)
    {
      TwChartColor c = tw_chart_palette_glucose_range (dark, r);
      guint rows = rows_of_color (surface, column, (int) y, (int) (y + h), &c);
      double expected = percent[r] / 100.0 * h;
      int lowest = -1;

      g_test_message ("range %u: %u rows, expected %.1f", r, rows, expected);
      /* One row of a hairline between segments and rounding to pixels. */
      g_assert_cmpfloat (fabs (rows - expected), <=, 2.0);

      /* Stacked upwards from very low. */
      for (int yy = (int) (y + h) - 1; yy >= (int) y && rows > 0; yy--)
        if (tw_test_is_color (surface, column, yy, &c))
          {
            lowest = yy;
            break;
          }
      if (rows > 0)
        {
          if (last_row >= 0)
            g_assert_cmpint (lowest, <, last_row);
          last_row = lowest;
        }
    }
  cairo_surface_destroy (surface);
}

static double
area_of (cairo_surface_t    *surface,
         const TwChartColor *c)
{
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  double n = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (tw_test_is_color (surface, x, y, c))
        n++;
  return n;
}

/* Stacked bars, upright and lying: each segment's area is its value's
 * share, so a reader comparing lengths compares values. */
static void
test_stacked_bars (void)
{
  const TwChartPalette *palette = tw_chart_palette_get (FALSE);
  TwBar bars[3] = {
    { "Mon", { 30, 10 } },
    { "Tue", { 20, 40 } },
    { "Wed", { 50, 0 } },
  };
  TwBarChartStyle style = {
    .title = "Readings",
    .unit = "n",
    .n_segments = 2,
    .segment_colors = { palette->series[3], palette->series[1] },
  };

  for (guint horizontal = 0; horizontal < 2; horizontal++)
    {
      cairo_surface_t *surface = tw_test_surface_new (500, 300, palette);
      cairo_t *cr = cairo_create (surface);
      double a0;
      double a1;

      style.horizontal = horizontal;
      tw_bar_chart_draw (cr, 10, 10, 480, 280, &style, bars, G_N_ELEMENTS (bars));
      g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
      cairo_destroy (cr);
      tw_test_save_png (surface, horizontal ? "kinds-bars-horizontal.png" : "kinds-bars.png");

      a0 = area_of (surface, &palette->series[3]);
      a1 = area_of (surface, &palette->series[1]);
      g_test_message ("areas %.0f / %.0f", a0, a1);
      /* 100 against 50. */
      g_assert_cmpfloat (fabs (a0 / a1 - 2.0), <, 0.08);
      cairo_surface_destroy (surface);
    }
}

static void
cell_centre_color (cairo_surface_t *surface,
                   double           x,
                   double           y,
                   double           cell_w,
                   double           cell_h,
                   guint            row,
                   guint            col,
                   double           rgb[3])
{
  tw_test_get_pixel (surface, (int) (x + (col + 0.5) * cell_w),
                     (int) (y + (row + 0.5) * cell_h), rgb);
}

/* NEWS2 parameter scores over six observations: 0 plain, 1 yellow, 2
 * orange, 3 red, a missing observation hatched (neither plain nor a
 * score colour); a continuous ramp goes from dark to light. */
static void
test_heatmap (void)
{
  const TwChartPalette *palette = tw_chart_palette_get (FALSE);
  const double values[2 * 4] = {
    0, 1, 2, 3,
    3, NAN, 0, 1,
  };
  TwHeatmapStyle style = {
    .n_rows = 2, .n_columns = 4, .low = 0, .high = 3, .n_steps = 4,
  };
  const double x = 0, y = 0, w = 400, h = 200;
  cairo_surface_t *surface = tw_test_surface_new (400, 200, palette);
  cairo_t *cr = cairo_create (surface);
  double rgb[3];
  guint hatch_light = 0;
  guint hatch_dark = 0;

  tw_heatmap_draw (cr, x, y, w, h, &style, values);
  cairo_destroy (cr);
  tw_test_save_png (surface, "kinds-heatmap-cells.png");

  cell_centre_color (surface, x, y, w / 4, h / 2, 0, 0, rgb);
  g_assert_cmpfloat (MIN (rgb[0], MIN (rgb[1], rgb[2])), >, 0.9);        /* 0: plain */
  cell_centre_color (surface, x, y, w / 4, h / 2, 0, 1, rgb);
  g_assert_true (rgb[0] > 0.85 && rgb[1] > 0.75 && rgb[2] < 0.5);        /* 1: yellow */
  cell_centre_color (surface, x, y, w / 4, h / 2, 0, 2, rgb);
  g_assert_true (rgb[0] > 0.9 && rgb[1] > 0.45 && rgb[1] < 0.75 && rgb[2] < 0.4);  /* orange */
  cell_centre_color (surface, x, y, w / 4, h / 2, 0, 3, rgb);
  g_assert_true (rgb[0] > 0.8 && rgb[1] < 0.25 && rgb[2] < 0.25);        /* 3: red */
  cell_centre_color (surface, x, y, w / 4, h / 2, 1, 0, rgb);
  g_assert_true (rgb[0] > 0.8 && rgb[1] < 0.25);

  /* The missing cell: stripes, light and darker pixels alternating. */
  for (int yy = (int) (h / 2) + 10; yy < (int) h - 10; yy++)
    {
      tw_test_get_pixel (surface, (int) (w / 4 * 1.5), yy, rgb);
      if (rgb[0] < 0.85)
        hatch_dark++;
      else
        hatch_light++;
      g_assert_false (rgb[0] > 0.85 && rgb[2] < 0.5);   /* never yellow */
    }
  g_assert_cmpuint (hatch_dark, >, 3);
  g_assert_cmpuint (hatch_light, >, 3);
  cairo_surface_destroy (surface);

  /* A ramp: the low cell dark, the high cell light. */
  {
    const double ramp_values[2] = { 40, 400 };
    TwHeatmapStyle ramp = { .n_rows = 1, .n_columns = 2, .low = 40, .high = 400 };
    cairo_surface_t *s2 = tw_test_surface_new (200, 100, palette);
    double lo[3];
    double hi[3];

    cr = cairo_create (s2);
    tw_heatmap_draw (cr, 0, 0, 200, 100, &ramp, ramp_values);
    cairo_destroy (cr);
    tw_test_get_pixel (s2, 50, 50, lo);
    tw_test_get_pixel (s2, 150, 50, hi);
    g_assert_cmpfloat (lo[0] + lo[1] + lo[2], <, 1.0);
    g_assert_cmpfloat (hi[0] + hi[1] + hi[2], >, 2.0);
    cairo_surface_destroy (s2);
  }

  /* With labels and values, for a person to look at. */
  {
    const char *rows[] = { "RR", "SpO\u2082", "Air/O\u2082", "BP", "Pulse", "ACVPU", "Temp" };
    const char *cols[12] = { "08:00", "09:00", "10:00", "11:00", "12:00", "13:00",
                             "14:00", "15:00", "16:00", "17:00", "18:00", "19:00" };
    double scores[7 * 12];
    TwHeatmapStyle labelled = {
      .title = "NEWS2 parameter scores", .n_rows = 7, .n_columns = 12,
      .row_labels = rows, .column_labels = cols, .low = 0, .high = 3, .n_steps = 4,
      .show_values = TRUE,
    };

    for (guint i = 0; i < G_N_ELEMENTS (scores); i++)
      scores[i] = (i * 7 + i / 12) % 5 == 0 ? (i % 4) : 0;
    scores[15] = NAN;
    for (guint dark = 0; dark < 2; dark++)
      {
        cairo_surface_t *s3 = tw_test_surface_new (640, 280, tw_chart_palette_get (dark));

        labelled.dark = dark;
        cr = cairo_create (s3);
        tw_heatmap_draw (cr, 10, 10, 620, 260, &labelled, scores);
        cairo_destroy (cr);
        tw_test_save_png (s3, dark ? "kinds-heatmap-dark.png" : "kinds-heatmap.png");
        cairo_surface_destroy (s3);
      }
  }
}

/* A 14-day profile by hand (tw_agp_compute() is tested with the
 * analytics): 24 hourly bins around a daily curve, 03:00 and 04:00
 * without readings. */
static TwAgp *
agp_new (void)
{
  TwAgp *agp = g_new0 (TwAgp, 1);

  agp->bin_minutes = 60;
  agp->n_bins = 24;
  agp->bins = g_new0 (TwAgpBin, 24);
  for (guint b = 0; b < 24; b++)
    {
      TwAgpBin *bin = &agp->bins[b];
      double median = 130 + 40 * sin (((double) b - 8) / 24.0 * 2 * G_PI);

      if (b == 3 || b == 4)
        {
          for (guint p = 0; p < TW_AGP_N_PERCENTILES; p++)
            bin->p[p] = NAN;
          continue;
        }
      bin->n = 14 * 12;
      bin->p[0] = median - 60;
      bin->p[1] = median - 25;
      bin->p[2] = median;
      bin->p[3] = median + 30;
      bin->p[4] = median + 90;
    }
  return agp;
}

static void
agp_free (TwAgp *agp)
{
  g_free (agp->bins);
  g_free (agp);
}

/* Down a column the bands come in order: the light 5–95 band, then the
 * darker 25–75, the median line, and out again; the empty hours are a
 * gap with only the target lines in it. */
static void
test_agp (gconstpointer data)
{
  gboolean dark = GPOINTER_TO_INT (data);
  TwAgp *agp = agp_new ();
  const TwChartPalette *palette = tw_chart_palette_get (dark);
  TwAgpChartStyle style = { "Ambulatory glucose profile, 14 days", FALSE, dark };
  const double x = 10, y = 10, w = 700, h = 380;
  cairo_surface_t *surface = tw_test_surface_new (720, 400, palette);
  cairo_t *cr = cairo_create (surface);
  const TwChartColor *band = &palette->series[3];
  cairo_rectangle_t area;
  double lo;
  double hi;
  int col;
  int outer_top = -1, inner_top = -1, median_y = -1, inner_bottom = -1, outer_bottom = -1;
  guint target_runs = 0;
  gboolean in_target = FALSE;
  g_autofree char *text = NULL;

  tw_agp_chart_draw (cr, x, y, w, h, &style, agp);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  g_assert_true (tw_agp_chart_get_plot_area (cr, x, y, w, h, &style, agp, &area, &lo, &hi));
  cairo_destroy (cr);
  tw_test_save_png (surface, dark ? "kinds-agp-dark.png" : "kinds-agp.png");
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, >=, 350);

  /* 14:20, between bin centres: no vertex there. */
  col = (int) (area.x + (14 * 60 + 20) / 1440.0 * area.width);
  for (int yy = (int) area.y + 1; yy < (int) (area.y + area.height) - 1; yy++)
    {
      double off;
      double t = tw_test_tint (surface, col, yy, band, &palette->plot_background, &off);

      if (off > TW_TEST_MAX_OFF_LINE)
        continue;
      if (outer_top < 0 && t > 0.1)
        outer_top = yy;
      if (inner_top < 0 && t > 0.45)
        inner_top = yy;
      if (median_y < 0 && t > 0.85)
        median_y = yy;
      if (t > 0.45 && t < 0.85 && median_y >= 0)
        inner_bottom = yy;
      if (t > 0.1 && t < 0.45 && median_y >= 0)
        outer_bottom = yy;
    }
  g_test_message ("outer %d, inner %d, median %d, inner end %d, outer end %d",
                  outer_top, inner_top, median_y, inner_bottom, outer_bottom);
  g_assert_cmpint (outer_top, >, 0);
  g_assert_cmpint (outer_top + 10, <, inner_top);
  g_assert_cmpint (inner_top + 10, <, median_y);
  g_assert_cmpint (median_y + 10, <, inner_bottom);
  g_assert_cmpint (inner_bottom + 10, <, outer_bottom);
  /* Where the values say: the median of 14:20 is about 165 mg/dL. */
  {
    double median_value = hi - (median_y - area.y) / area.height * (hi - lo);

    g_assert_cmpfloat (fabs (median_value - 165.0), <, 8.0);
  }

  /* 03:30: a gap. No band, no median; the two target lines cross it. */
  col = (int) (area.x + (3 * 60 + 30) / 1440.0 * area.width);
  g_assert_cmpuint (tw_test_count_in_rect (surface, col - 10, (int) area.y, col + 10,
                                           (int) (area.y + area.height), band,
                                           &palette->plot_background), ==, 0);
  for (int yy = (int) area.y; yy < (int) (area.y + area.height); yy++)
    {
      gboolean on = tw_test_is_drawn_in (surface, col, yy, &palette->good,
                                         &palette->plot_background);

      if (on && !in_target)
        target_runs++;
      in_target = on;
    }
  g_assert_cmpuint (target_runs, ==, 2);

  text = tw_agp_chart_describe (agp);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "2 of 24 periods without readings"));

  cairo_surface_destroy (surface);
  agp_free (agp);
}

static double
luminance (const double rgb[3])
{
  double l[3];

  for (int i = 0; i < 3; i++)
    l[i] = rgb[i] <= 0.04045 ? rgb[i] / 12.92 : pow ((rgb[i] + 0.055) / 1.055, 2.4);
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}

/* The pixel inside the tile (clear of its rounded corners, where the page
 * shows) that contrasts most with its fill: the core of the glyphs. */
static double
best_text_contrast (cairo_surface_t *surface,
                    int              x0,
                    int              y0,
                    int              x1,
                    int              y1,
                    const double     fill[3])
{
  const int corner = 8;
  double lf = luminance (fill);
  double best = 1.0;

  for (int y = y0 + corner; y < y1 - corner; y++)
    for (int x = x0 + corner; x < x1 - corner; x++)
      {
        double p[3];
        double lp;

        tw_test_get_pixel (surface, x, y, p);
        lp = luminance (p);
        best = MAX (best, (MAX (lp, lf) + 0.05) / (MIN (lp, lf) + 0.05));
      }
  return best;
}

static void
score_of (TwNews2Score *score,
          int           total,
          TwNews2Risk   risk)
{
  for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
    score->scores[p] = 0;
  score->scores[TW_NEWS2_RR] = total;
  score->total = total;
  score->max_single = total;
  score->complete = TRUE;
  score->risk = risk;
}

/* Every band shows its colour with its number readable on it (≥ 4.5:1);
 * an incomplete score is on the neutral fill, which is no band's colour. */
static void
test_score_tile (gconstpointer data)
{
  gboolean dark = GPOINTER_TO_INT (data);
  const TwChartPalette *palette = tw_chart_palette_get (dark);
  const int tile_w = 150, tile_h = 110, gap = 10;
  const int totals[] = { 0, 2, 3, 5, 9 };
  cairo_surface_t *surface = tw_test_surface_new (6 * (tile_w + gap) + gap, tile_h + 2 * gap,
                                                  palette);
  TwScoreTileStyle style = { "NEWS2", dark };
  cairo_t *cr = cairo_create (surface);
  TwNews2Score incomplete = { 0 };
  double fill[3];

  for (TwNews2Risk risk = TW_NEWS2_RISK_ZERO; risk <= TW_NEWS2_RISK_HIGH; risk++)
    {
      TwNews2Score score;

      score_of (&score, totals[risk], risk);
      tw_score_tile_draw_news2 (cr, gap + risk * (tile_w + gap), gap, tile_w, tile_h,
                                &style, &score);
    }
  for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
    incomplete.scores[p] = p == TW_NEWS2_RR || p == TW_NEWS2_TEMP ? -1 : 0;
  incomplete.total = 0;
  incomplete.complete = FALSE;
  incomplete.risk = TW_NEWS2_RISK_ZERO;
  tw_score_tile_draw_news2 (cr, gap + 5 * (tile_w + gap), gap, tile_w, tile_h, &style,
                            &incomplete);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  tw_test_save_png (surface, dark ? "kinds-score-tiles-dark.png" : "kinds-score-tiles.png");

  for (TwNews2Risk risk = TW_NEWS2_RISK_ZERO; risk <= TW_NEWS2_RISK_HIGH; risk++)
    {
      TwChartColor band = tw_chart_palette_news2 (dark, risk);
      int tx = gap + risk * (tile_w + gap);
      double contrast;

      /* The fill, inside the rounded corner, away from text. */
      g_assert_true (tw_test_is_color (surface, tx + 4, gap + tile_h - 4, &band));
      tw_test_get_pixel (surface, tx + 4, gap + tile_h - 4, fill);
      contrast = best_text_contrast (surface, tx, gap, tx + tile_w, gap + tile_h, fill);
      g_test_message ("risk %d: text contrast %.1f", risk, contrast);
      g_assert_cmpfloat (contrast, >=, 4.5);
      /* Bands differ from each other. */
      if (risk > TW_NEWS2_RISK_ZERO)
        {
          TwChartColor prev = tw_chart_palette_news2 (dark, risk - 1);

          g_assert_false (tw_test_is_color (surface, tx + 4, gap + tile_h - 4, &prev));
        }
    }

  {
    int tx = gap + 5 * (tile_w + gap);

    g_assert_true (tw_test_is_color (surface, tx + 4, gap + tile_h - 4, &palette->neutral));
    for (TwNews2Risk risk = TW_NEWS2_RISK_ZERO; risk <= TW_NEWS2_RISK_HIGH; risk++)
      {
        TwChartColor band = tw_chart_palette_news2 (dark, risk);

        g_assert_false (tw_test_is_color (surface, tx + 4, gap + tile_h - 4, &band));
      }
    tw_test_get_pixel (surface, tx + 4, gap + tile_h - 4, fill);
    g_assert_cmpfloat (best_text_contrast (surface, tx, gap, tx + tile_w, gap + tile_h, fill),
                       >=, 4.5);
  }
  cairo_surface_destroy (surface);
}

/* 200,000 points of one group and a small cluster of another: the cluster
 * shows in its colour where its values are, over the crowd. */
static void
test_scatter (void)
{
  const TwChartPalette *palette = tw_chart_palette_get (TRUE);
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (TwScatterPoint));
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  TwScatterStyle style = {
    .title = "Glucose by time of day", .x_label = "Hour", .y_label = "mg/dL",
    .x_low = 0, .x_high = 24, .y_low = 0, .y_high = 400, .dark = TRUE,
  };
  cairo_surface_t *surface = tw_test_surface_new (600, 400, palette);
  cairo_t *cr = cairo_create (surface);
  gint64 start;
  double ms;
  guint found = 0;

  for (guint i = 0; i < 200000; i++)
    {
      TwScatterPoint p = { g_rand_double_range (rand, 0, 24),
                           CLAMP (g_rand_double_range (rand, 60, 160)
                                  + g_rand_double_range (rand, 0, 80), 0, 400), 0 };

      g_array_append_val (points, p);
    }
  for (guint i = 0; i < 20; i++)
    {
      TwScatterPoint p = { 20 + g_rand_double_range (rand, -0.2, 0.2),
                           350 + g_rand_double_range (rand, -5, 5), 2 };

      g_array_append_val (points, p);
    }

  start = g_get_monotonic_time ();
  tw_scatter_draw (cr, 10, 10, 580, 380, &style, (const TwScatterPoint *) points->data,
                   points->len);
  ms = (g_get_monotonic_time () - start) / 1000.0;
  g_test_message ("scatter of %u points: %.1f ms", points->len, ms);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  tw_test_save_png (surface, "kinds-scatter-dark.png");

  /* The cluster is in the upper right (20 h, 350 mg/dL), in the third
   * series colour; the crowd stays below 240. */
  for (int yy = 10; yy < 200; yy++)
    for (int xx = 300; xx < 590; xx++)
      if (tw_test_is_drawn_in (surface, xx, yy, &palette->series[2], &palette->plot_background))
        found++;
  g_assert_cmpuint (found, >, 10);
  g_assert_cmpuint (tw_test_count_in_rect (surface, 60, 20, 590, 90, &palette->series[0],
                                           &palette->plot_background), ==, 0);
  g_assert_cmpuint (tw_test_count_in_rect (surface, 60, 200, 590, 330, &palette->series[0],
                                           &palette->plot_background), >, 1000);
  cairo_surface_destroy (surface);
}

static double
mean_luminance (cairo_surface_t *surface)
{
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  double sum = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double p[3];

        tw_test_get_pixel (surface, x, y, p);
        sum += 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
      }
  return sum / ((double) w * h);
}

/* Every kind on one page in each style: the dark page is dark, the light
 * one light (nothing draws a light background into the dark style). */
static void
test_gallery (void)
{
  g_autoptr(GArray) week = week_at_1hz (T0 + 3 * DAY, T0 + 5 * DAY, T0 + 5 * DAY + 8 * HOUR);
  TwAgp *agp = agp_new ();
  const double percent[5] = { 0.5, 2.5, 74.0, 18.0, 5.0 };
  TwNews2Score score;

  score_of (&score, 6, TW_NEWS2_RISK_MEDIUM);
  for (guint dark = 0; dark < 2; dark++)
    {
      const TwChartPalette *palette = tw_chart_palette_get (dark);
      cairo_surface_t *surface = tw_test_surface_new (1100, 460, palette);
      cairo_t *cr = cairo_create (surface);
      TwSparklineStyle spark = {
        .t_from = T0, .t_to = T0 + 7 * DAY, .normal_low = 51, .normal_high = 90,
        .color = palette->series[0], .dark = dark,
      };
      TwAgpChartStyle agp_style = { "AGP, 14 days", FALSE, dark };
      TwScoreTileStyle tile = { "NEWS2", dark };
      TwBar bars[4] = {
        { "Mon", { 3, 5, 2 } }, { "Tue", { 4, 4, 1 } }, { "Wed", { 6, 2, 2 } },
        { "Thu", { 2, 6, 3 } },
      };
      TwBarChartStyle bar_style = {
        .title = "Alerts by priority", .n_segments = 3,
        .segment_labels = { "Low", "Medium", "High" },
        .segment_colors = { palette->alarm[0], palette->alarm[1], palette->alarm[2] },
        .show_values = TRUE, .dark = dark,
      };
      double lum;

      tw_sparkline_draw (cr, 20, 20, 200, 40, &spark, (const TwPoint *) week->data, week->len);
      tw_score_tile_draw_news2 (cr, 20, 80, 160, 120, &tile, &score);
      tw_score_tile_draw_news2 (cr, 20, 215, 160, 120, &tile, NULL);
      tw_glucose_range_bar_draw (cr, 240, 20, 300, 240, percent, dark);
      tw_agp_chart_draw (cr, 560, 20, 520, 260, &agp_style, agp);
      tw_bar_chart_draw (cr, 240, 280, 380, 170, &bar_style, bars, G_N_ELEMENTS (bars));
      g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
      cairo_destroy (cr);
      tw_test_save_png (surface, dark ? "kinds-gallery-dark.png" : "kinds-gallery.png");

      lum = mean_luminance (surface);
      g_test_message ("%s gallery: mean luminance %.2f", dark ? "dark" : "light", lum);
      if (dark)
        g_assert_cmpfloat (lum, <, 0.25);
      else
        g_assert_cmpfloat (lum, >, 0.75);
      cairo_surface_destroy (surface);
    }
  agp_free (agp);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chart-kinds/sparkline", test_sparkline);
  g_test_add_func ("/chart-kinds/sparkline-hidpi", test_sparkline_hidpi);
  g_test_add_data_func ("/chart-kinds/range-bar/light", GINT_TO_POINTER (FALSE), test_range_bar);
  g_test_add_data_func ("/chart-kinds/range-bar/dark", GINT_TO_POINTER (TRUE), test_range_bar);
  g_test_add_func ("/chart-kinds/stacked-bars", test_stacked_bars);
  g_test_add_func ("/chart-kinds/heatmap", test_heatmap);
  g_test_add_data_func ("/chart-kinds/agp/light", GINT_TO_POINTER (FALSE), test_agp);
  g_test_add_data_func ("/chart-kinds/agp/dark", GINT_TO_POINTER (TRUE), test_agp);
  g_test_add_data_func ("/chart-kinds/score-tile/light", GINT_TO_POINTER (FALSE),
                        test_score_tile);
  g_test_add_data_func ("/chart-kinds/score-tile/dark", GINT_TO_POINTER (TRUE), test_score_tile);
  g_test_add_func ("/chart-kinds/scatter", test_scatter);
  g_test_add_func ("/chart-kinds/gallery", test_gallery);

  return g_test_run ();
}
