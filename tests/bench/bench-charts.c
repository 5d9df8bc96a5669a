/* Chart speed on the workload, as figures and ratios of one run:
 * 7 days × 1 Hz × 10 series (6,048,000 samples) in an encrypted store.
 *   first paint  open the store fresh, read 10 envelopes (rollups) at the
 *                plot's width, draw the trend chart into a 1280×800 image
 *   redraw       draw again with the envelopes already read
 *   raw stroke   the naive way: read every raw sample and stroke each one
 * Prints figures; never fails on a time. */
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tw-batch.h"
#include "tw-store-envelope.h"
#include "tw-time.h"
#include "tw-trend-chart.h"

#define N_SERIES          10
#define DAYS              7
#define SPAN              ((gint64) DAYS * 24 * TW_USEC_PER_HOUR)
#define SECONDS           (DAYS * 24 * 3600)
#define BATCH_SECONDS     10000          /* 100,000 samples per transaction */
#define CHART_WIDTH       1280
#define CHART_HEIGHT      800
#define ENVELOPE_WIDTH    1200
#define FIRST_PAINT_RUNS  9
#define REDRAW_RUNS       60
#define RAW_RUNS          3
#define ENTITY            "bed-12"
/* 2026-11-16 08:17:23 UTC: not on a minute or an hour, like a real range. */
#define T0                (G_GINT64_CONSTANT (1794817043) * TW_USEC_PER_SEC)

typedef struct
{
  const char *metric;
  const char *title;
  const char *unit;
  double      base;
  double      swing;
  double      normal_low;
  double      normal_high;
} Vital;

static const Vital vitals[N_SERIES] = {
  { "hr", "Heart rate", "/min", 75, 15, 51, 90 },
  { "spo2", "SpO2", "%", 96, 2, 94, 100 },
  { "rr", "Respiration", "/min", 16, 4, 12, 20 },
  { "sbp", "Systolic", "mmHg", 125, 15, 111, 219 },
  { "dbp", "Diastolic", "mmHg", 75, 10, 60, 90 },
  { "map", "Mean pressure", "mmHg", 92, 10, 70, 105 },
  { "temp", "Temperature", "°C", 37.0, 0.6, 36.1, 38.0 },
  { "etco2", "EtCO2", "mmHg", 38, 4, 35, 45 },
  { "pr", "Pulse rate", "/min", 76, 15, 51, 90 },
  { "cvp", "CVP", "mmHg", 8, 3, 2, 12 },
};

typedef struct
{
  char    *dir;
  char    *path;
  TwKey   *key;
} Bench;

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* CPU time of this thread, ms: what the work costs when other processes
 * share the two cores (the wall time is printed as well). */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
print_load (const char *when)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    printf ("load average %s: %s", when, text);
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof (double), compare_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
value_at (guint  series,
          gint64 i)
{
  const Vital *v = &vitals[series];
  double noise = (double) ((i * 7919 + series * 104729) % 101) / 100.0 - 0.5;

  /* A few artefact spikes of two seconds, as a clinician must see them. */
  if ((i + series * 3600) % 86399 < 2)
    return v->base + 4 * v->swing;
  return v->base + v->swing * sin ((double) i / (1800.0 + 300 * series)) + v->swing * 0.3 * noise;
}

static void
load (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = tw_store_open (b->path, b->key, TRUE, &error);
  gint64 start = g_get_monotonic_time ();
  gint64 rows = 0;
  double seconds;

  g_assert_no_error (error);
  for (gint64 s = 0; s < SECONDS; s += BATCH_SECONDS)
    {
      g_autoptr(TwBatch) batch = tw_batch_new (0);
      TwCounters delta = { 0 };

      for (gint64 i = s; i < MIN (s + BATCH_SECONDS, SECONDS); i++)
        for (guint k = 0; k < N_SERIES; k++)
          tw_batch_add_sample (batch, ENTITY, vitals[k].metric, T0 + i * TW_USEC_PER_SEC,
                               value_at (k, i));
      batch->n_messages = batch->samples->len;
      if (!tw_store_begin (store, &error) ||
          !tw_store_write_batch (store, batch, &delta, &error) ||
          !tw_store_commit (store, &error))
        g_error ("Could not load the benchmark store: %s", error->message);
      rows += delta.stored;
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  printf ("load    %" G_GINT64_FORMAT " samples (%d days × 1 Hz × %d series) in %.1f s,"
          " %.0f samples/s, with 1 s/1 min/1 h rollups\n", rows, DAYS, N_SERIES, seconds,
          rows / seconds);
  g_assert_cmpint (rows, ==, (gint64) SECONDS * N_SERIES);
}

static void
panels_init (TwChartPanel   *panels,
             TwM4          **envelopes,
             GArray        **points)
{
  for (guint k = 0; k < N_SERIES; k++)
    {
      TwChartPanel *p = &panels[k];

      tw_chart_panel_init (p);
      p->title = vitals[k].title;
      p->unit = vitals[k].unit;
      p->digits = vitals[k].base < 50 ? 1 : 0;
      p->normal_low = vitals[k].normal_low;
      p->normal_high = vitals[k].normal_high;
      p->n_lines = 1;
      p->lines[0].label = vitals[k].title;
      p->lines[0].envelope = envelopes[k];
      if (points != NULL)
        {
          p->lines[0].points = (const TwPoint *) points[k]->data;
          p->lines[0].n_points = points[k]->len;
        }
    }
}

static void
options_init (TwChartOptions *options)
{
  memset (options, 0, sizeof *options);
  options->t_from = T0;
  options->t_to = T0 + SPAN;
}

/* Points standing in for an envelope where the chart does not draw
 * TwChartLine.envelope yet: each column's first, min, max and last, which
 * the chart's own M4 reduces back to the same columns. */
static GArray *
points_from_envelope (const TwM4 *m4)
{
  GArray *points = g_array_sized_new (FALSE, FALSE, sizeof (TwPoint), 4 * m4->width);

  for (guint x = 0; x < m4->width; x++)
    {
      const TwM4Column *c = &m4->columns[x];
      gint64 third = (c->last_ts - c->first_ts) / 3;
      TwPoint p[4] = {
        { c->first_ts, c->first },
        { c->first_ts + third, c->min },
        { c->first_ts + 2 * third, c->max },
        { c->last_ts, c->last },
      };

      if (!c->has_data)
        continue;
      if (third == 0)
        g_array_append_val (points, p[0]);
      else
        g_array_append_vals (points, p, 4);
    }
  return points;
}

/* Whether tw_trend_chart_draw() draws a line from TwChartLine.envelope
 * alone: the same chart with and without the envelope differs. */
static gboolean
chart_draws_envelopes (TwM4 **envelopes)
{
  TwChartPanel with[N_SERIES], without[N_SERIES];
  TwChartOptions options;
  TwM4 *none[N_SERIES] = { NULL };
  cairo_surface_t *a = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, CHART_WIDTH,
                                                   CHART_HEIGHT);
  cairo_surface_t *b = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, CHART_WIDTH,
                                                   CHART_HEIGHT);
  cairo_t *cr;
  gboolean differ;

  options_init (&options);
  panels_init (with, envelopes, NULL);
  panels_init (without, none, NULL);
  cr = cairo_create (a);
  tw_trend_chart_draw (cr, CHART_WIDTH, CHART_HEIGHT, &options, with, N_SERIES);
  cairo_destroy (cr);
  cr = cairo_create (b);
  tw_trend_chart_draw (cr, CHART_WIDTH, CHART_HEIGHT, &options, without, N_SERIES);
  cairo_destroy (cr);
  cairo_surface_flush (a);
  cairo_surface_flush (b);
  differ = memcmp (cairo_image_surface_get_data (a), cairo_image_surface_get_data (b),
                   (size_t) cairo_image_surface_get_stride (a) * CHART_HEIGHT) != 0;
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
  return differ;
}

static gboolean use_envelopes;

/* One first paint; returns its time and leaves the envelopes in @envelopes
 * (and stand-in points in @points when the chart needs them). */
static double
first_paint (Bench      *b,
             TwM4      **envelopes,
             GArray    **points,
             double     *cpu,
             double     *open_ms,
             double     *read_ms,
             double     *draw_ms)
{
  g_autoptr(GError) error = NULL;
  TwChartPanel panels[N_SERIES];
  TwChartOptions options;
  cairo_surface_t *surface;
  cairo_t *cr;
  TwStore *store;
  gint64 start = g_get_monotonic_time ();
  double cpu_start = cpu_ms ();
  gint64 t;

  store = tw_store_open (b->path, b->key, FALSE, &error);
  g_assert_no_error (error);
  *open_ms = ms_since (start);

  t = g_get_monotonic_time ();
  for (guint k = 0; k < N_SERIES; k++)
    {
      TwEnvelopeSource source;

      envelopes[k] = tw_store_read_envelope (store, ENTITY, vitals[k].metric, T0, T0 + SPAN,
                                             ENVELOPE_WIDTH, &source, &error);
      g_assert_no_error (error);
      g_assert_cmpint (source, ==, TW_ENVELOPE_MINUTE);
      if (!use_envelopes)
        points[k] = points_from_envelope (envelopes[k]);
    }
  *read_ms = ms_since (t);

  t = g_get_monotonic_time ();
  options_init (&options);
  panels_init (panels, envelopes, use_envelopes ? NULL : points);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, CHART_WIDTH, CHART_HEIGHT);
  cr = cairo_create (surface);
  tw_trend_chart_draw (cr, CHART_WIDTH, CHART_HEIGHT, &options, panels, N_SERIES);
  cairo_surface_flush (surface);
  *draw_ms = ms_since (t);

  *cpu = cpu_ms () - cpu_start;
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  tw_store_close (store);
  return ms_since (start);
}

static void
free_envelopes (TwM4   **envelopes,
                GArray **points)
{
  for (guint k = 0; k < N_SERIES; k++)
    {
      g_clear_pointer (&envelopes[k], tw_m4_free);
      g_clear_pointer (&points[k], g_array_unref);
    }
}

static double
bench_redraw (TwM4   **envelopes,
              GArray **points,
              double  *cpu_median)
{
  TwChartPanel panels[N_SERIES];
  TwChartOptions options;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, CHART_WIDTH,
                                                         CHART_HEIGHT);
  cairo_t *cr = cairo_create (surface);
  double runs[REDRAW_RUNS], cpu[REDRAW_RUNS];

  options_init (&options);
  panels_init (panels, envelopes, use_envelopes ? NULL : points);
  /* One warm-up draw: fonts and glyph caches, as a widget has them. */
  tw_trend_chart_draw (cr, CHART_WIDTH, CHART_HEIGHT, &options, panels, N_SERIES);
  for (guint r = 0; r < REDRAW_RUNS; r++)
    {
      gint64 start = g_get_monotonic_time ();
      double cpu_start = cpu_ms ();

      tw_trend_chart_draw (cr, CHART_WIDTH, CHART_HEIGHT, &options, panels, N_SERIES);
      cairo_surface_flush (surface);
      runs[r] = ms_since (start);
      cpu[r] = cpu_ms () - cpu_start;
    }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  *cpu_median = median (cpu, REDRAW_RUNS);
  return median (runs, REDRAW_RUNS);
}

/* The naive chart: every raw sample read and stroked, 10 bands of the
 * same picture size. */
static double
raw_stroke (Bench  *b,
            double *read_ms,
            double *stroke_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwStore) store = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, CHART_WIDTH,
                                                         CHART_HEIGHT);
  cairo_t *cr = cairo_create (surface);
  GArray *raw[N_SERIES];
  gint64 start = g_get_monotonic_time ();
  gint64 t;
  double band = (double) CHART_HEIGHT / N_SERIES;

  store = tw_store_open (b->path, b->key, FALSE, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < N_SERIES; k++)
    {
      raw[k] = tw_store_read_samples (store, ENTITY, vitals[k].metric, T0, T0 + SPAN, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (raw[k]->len, ==, SECONDS);
    }
  *read_ms = ms_since (start);

  t = g_get_monotonic_time ();
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.1, 0.3, 0.7);
  cairo_set_line_width (cr, 1.0);
  for (guint k = 0; k < N_SERIES; k++)
    {
      const Vital *v = &vitals[k];
      double lo = v->base - 5 * v->swing, hi = v->base + 5 * v->swing;

      for (guint i = 0; i < raw[k]->len; i++)
        {
          const TwPoint *p = &g_array_index (raw[k], TwPoint, i);
          double x = (double) (p->ts - T0) * ENVELOPE_WIDTH / SPAN + 40;
          double y = band * (k + 1) - (p->value - lo) / (hi - lo) * band;

          if (i == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_stroke (cr);
    }
  cairo_surface_flush (surface);
  *stroke_ms = ms_since (t);

  for (guint k = 0; k < N_SERIES; k++)
    g_array_unref (raw[k]);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return ms_since (start);
}

static void
remove_store (Bench *b)
{
  static const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
  g_autoptr(GDir) dir = g_dir_open (b->dir, 0, NULL);
  const char *name;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (b->path, suffixes[i], NULL);

      g_remove (file);
    }
  /* Anything else the store keeps beside the database (none today). */
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (b->dir, name, NULL);

      g_remove (file);
    }
  g_rmdir (b->dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  Bench b = { 0 };
  TwM4 *envelopes[N_SERIES] = { NULL };
  GArray *points[N_SERIES] = { NULL };
  double paint[FIRST_PAINT_RUNS], paint_cpu[FIRST_PAINT_RUNS], open_ms[FIRST_PAINT_RUNS], read_ms[FIRST_PAINT_RUNS],
    draw_ms[FIRST_PAINT_RUNS];
  double raw_total[RAW_RUNS], raw_read[RAW_RUNS], raw_strokes[RAW_RUNS];
  double paint_median, paint_max, redraw_median, redraw_cpu, raw_median, raw_read_median, raw_stroke_median;

  b.dir = g_dir_make_tmp ("tw-bench-charts-XXXXXX", &error);
  g_assert_no_error (error);
  b.path = g_build_filename (b.dir, "charts.db", NULL);
  b.key = tw_key_new_random ();

  print_load ("before");
  load (&b);

  /* Decide once how the chart gets its lines. */
  {
    g_autoptr(TwStore) store = tw_store_open (b.path, b.key, FALSE, &error);

    g_assert_no_error (error);
    for (guint k = 0; k < N_SERIES; k++)
      envelopes[k] = tw_store_read_envelope (store, ENTITY, vitals[k].metric, T0, T0 + SPAN,
                                             ENVELOPE_WIDTH, NULL, &error);
    use_envelopes = chart_draws_envelopes (envelopes);
    free_envelopes (envelopes, points);
  }
  printf ("lines   %s\n", use_envelopes
          ? "from TwChartLine.envelope (read at 1200 columns, re-binned by the chart)"
          : "from points taken from the envelopes (the chart does not draw"
            " TwChartLine.envelope yet)");

  for (guint r = 0; r < FIRST_PAINT_RUNS; r++)
    {
      paint[r] = first_paint (&b, envelopes, points, &paint_cpu[r], &open_ms[r], &read_ms[r], &draw_ms[r]);
      if (r + 1 < FIRST_PAINT_RUNS)
        free_envelopes (envelopes, points);
    }
  paint_max = 0;
  for (guint r = 0; r < FIRST_PAINT_RUNS; r++)
    paint_max = MAX (paint_max, paint[r]);
  paint_median = median (paint, FIRST_PAINT_RUNS);
  printf ("first paint median %.1f ms (budget 100), max %.1f ms over %d runs:"
          " open %.1f + read 10 envelopes %.1f + draw %.1f ms (medians); CPU %.1f ms\n",
          paint_median, paint_max, FIRST_PAINT_RUNS, median (open_ms, FIRST_PAINT_RUNS),
          median (read_ms, FIRST_PAINT_RUNS), median (draw_ms, FIRST_PAINT_RUNS),
          median (paint_cpu, FIRST_PAINT_RUNS));

  redraw_median = bench_redraw (envelopes, points, &redraw_cpu);
  printf ("redraw median %.2f ms (budget 8) over %d runs, %dx%d, 10 panels; CPU %.2f ms\n",
          redraw_median, REDRAW_RUNS, CHART_WIDTH, CHART_HEIGHT, redraw_cpu);
  free_envelopes (envelopes, points);

  /* TW_BENCH_CHARTS_SKIP_RAW=1: the chart figures only, for quick A/B runs. */
  if (g_strcmp0 (g_getenv ("TW_BENCH_CHARTS_SKIP_RAW"), "1") == 0)
    {
      print_load ("after");
      remove_store (&b);
      tw_key_free (b.key);
      g_free (b.path);
      g_free (b.dir);
      return 0;
    }
  for (guint r = 0; r < RAW_RUNS; r++)
    raw_total[r] = raw_stroke (&b, &raw_read[r], &raw_strokes[r]);
  raw_median = median (raw_total, RAW_RUNS);
  raw_read_median = median (raw_read, RAW_RUNS);
  raw_stroke_median = median (raw_strokes, RAW_RUNS);
  printf ("raw stroke %.0f ms, ratio %.1f× (read %.0f + stroke %.0f ms of %d points,"
          " median of %d; ratio to first paint; stroke alone is %.0f× the redraw)\n",
          raw_median, raw_median / paint_median, raw_read_median, raw_stroke_median,
          SECONDS * N_SERIES, RAW_RUNS, raw_stroke_median / redraw_median);

  print_load ("after");
  remove_store (&b);
  tw_key_free (b.key);
  g_free (b.path);
  g_free (b.dir);
  return 0;
}
