#include <math.h>
#include <time.h>

#include "tw-glucose.h"
#include "tw-time.h"

#define MINUTE ((gint64) 60 * G_USEC_PER_SEC)
#define T0     ((gint64) 1795000000 * G_USEC_PER_SEC)

static double
round1 (double x)
{
  return round (x * 10) / 10;
}

/* Bergenstal et al. 2018, table 1: mean glucose → GMI. */
static void
test_gmi_published (void)
{
  const struct { double mean, gmi_percent, gmi_mmol_mol; } table[] = {
    { 100, 5.7, 39 }, { 150, 6.9, 52 }, { 200, 8.1, 65 }, { 300, 10.5, 91 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    {
      TwPoint p = { T0, table[i].mean };
      TwGlucoseStats stats;

      g_assert_cmpfloat (round1 (tw_glucose_gmi_percent (table[i].mean)), ==, table[i].gmi_percent);
      g_assert_cmpfloat (round (tw_glucose_gmi_mmol_mol (table[i].mean / TW_MGDL_PER_MMOLL)), ==,
                         table[i].gmi_mmol_mol);
      g_assert_true (tw_glucose_stats_compute (&p, 1, &stats));
      g_assert_cmpfloat (round1 (stats.gmi_percent), ==, table[i].gmi_percent);
      g_assert_cmpfloat (round (stats.gmi_mmol_mol), ==, table[i].gmi_mmol_mol);
    }
  /* Exactly the formula, not only after rounding: 3.31 + 0.02392 × 150. */
  g_assert_cmpfloat_with_epsilon (tw_glucose_gmi_percent (150), 6.898, 1e-12);
}

/* Battelino et al. 2019: <54, 54–69, 70–180, 181–250, >250 mg/dL. */
static void
test_ranges (void)
{
  const struct { double mgdl; TwGlucoseRange range; } cases[] = {
    { 53, TW_GLUCOSE_VERY_LOW }, { 54, TW_GLUCOSE_LOW }, { 69, TW_GLUCOSE_LOW },
    { 70, TW_GLUCOSE_IN_RANGE }, { 180, TW_GLUCOSE_IN_RANGE }, { 181, TW_GLUCOSE_HIGH },
    { 250, TW_GLUCOSE_HIGH }, { 251, TW_GLUCOSE_VERY_HIGH },
    /* The mmol/L limits land on the same side: 3.0, 3.9, 10.0, 13.9. */
    { 2.9 * TW_MGDL_PER_MMOLL, TW_GLUCOSE_VERY_LOW }, { 3.0 * TW_MGDL_PER_MMOLL, TW_GLUCOSE_LOW },
    { 3.9 * TW_MGDL_PER_MMOLL, TW_GLUCOSE_IN_RANGE }, { 10.0 * TW_MGDL_PER_MMOLL, TW_GLUCOSE_IN_RANGE },
    { 10.1 * TW_MGDL_PER_MMOLL, TW_GLUCOSE_HIGH }, { 13.9 * TW_MGDL_PER_MMOLL, TW_GLUCOSE_HIGH },
    { 14.0 * TW_MGDL_PER_MMOLL, TW_GLUCOSE_VERY_HIGH },
  };
  TwPoint points[G_N_ELEMENTS (cases)];
  TwGlucoseStats stats;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%g mg/dL", cases[i].mgdl);
      g_assert_cmpint (tw_glucose_range_of (cases[i].mgdl), ==, cases[i].range);
      points[i] = (TwPoint) { T0 + (gint64) i * 5 * MINUTE, cases[i].mgdl };
    }
  /* The first eight: 1 very low, 2 low, 2 in range, 2 high, 1 very high. */
  g_assert_true (tw_glucose_stats_compute (points, 8, &stats));
  g_assert_cmpfloat (stats.range_percent[TW_GLUCOSE_VERY_LOW], ==, 12.5);
  g_assert_cmpfloat (stats.range_percent[TW_GLUCOSE_LOW], ==, 25);
  g_assert_cmpfloat (stats.range_percent[TW_GLUCOSE_IN_RANGE], ==, 25);
  g_assert_cmpfloat (stats.range_percent[TW_GLUCOSE_HIGH], ==, 25);
  g_assert_cmpfloat (stats.range_percent[TW_GLUCOSE_VERY_HIGH], ==, 12.5);
  g_assert_cmpint (stats.first_ts, ==, T0);
  g_assert_cmpint (stats.last_ts, ==, T0 + 7 * 5 * MINUTE);

  g_assert_cmpstr (tw_glucose_range_to_string (TW_GLUCOSE_IN_RANGE), ==, "in_range");
  g_assert_cmpstr (tw_glucose_range_to_string (TW_GLUCOSE_VERY_LOW), ==, "very_low");
}

/* By hand: 100, 120, 140, 160, 180 → mean 140; squared deviations
 * 1600 + 400 + 0 + 400 + 1600 = 4000; over n − 1 = 4: 1000; SD = √1000 =
 * 31.6228; CV = 31.6228 / 140 = 22.59 %. (Over n it would be 28.28 and
 * 20.20 %.) */
static void
test_mean_sd_cv (void)
{
  const TwPoint points[] = {
    { T0, 100 }, { T0 + 5 * MINUTE, 120 }, { T0 + 10 * MINUTE, 140 },
    { T0 + 15 * MINUTE, 160 }, { T0 + 20 * MINUTE, 180 },
  };
  TwGlucoseStats stats;

  g_assert_true (tw_glucose_stats_compute (points, G_N_ELEMENTS (points), &stats));
  g_assert_cmpuint (stats.n, ==, 5);
  g_assert_cmpfloat (stats.mean, ==, 140);
  g_assert_cmpfloat_with_epsilon (stats.sd, 31.6228, 1e-4);
  g_assert_cmpfloat_with_epsilon (stats.cv_percent, 22.5877, 1e-4);

  /* One reading: a mean but no spread. */
  g_assert_true (tw_glucose_stats_compute (points, 1, &stats));
  g_assert_true (isnan (stats.sd));
  g_assert_true (isnan (stats.cv_percent));
  g_assert_false (tw_glucose_stats_compute (points, 0, &stats));
  g_assert_cmpuint (stats.n, ==, 0);
}

/* By hand, f(BG) = 1.509 × ((ln BG)^1.084 − 5.381), r = 10 f²:
 *   BG 50:  ln 50 = 3.91202; ln 3.91202 = 1.36405; × 1.084 = 1.47864;
 *           e^1.47864 = 4.38695; f = 1.509 × (4.38695 − 5.381) = −1.50001;
 *           r = 10 × 2.25004 = 22.500
 *   BG 300: ln 300 = 5.70378; ln 5.70378 = 1.74113; × 1.084 = 1.88738;
 *           e^1.88738 = 6.60208; f = 1.509 × 1.22108 = 1.84261;
 *           r = 10 × 3.39521 = 33.952
 * Readings 50, 300, 112.5: LBGI = 22.500 / 3 = 7.500, HBGI = 33.952 / 3 =
 * 11.317 (112.5 mg/dL is where the transform is symmetric, f ≈ 0: it adds
 * to neither but counts in both means). The risk reaches 100 at the ends
 * of the meter range, 20 and 600 mg/dL. */
static void
test_lbgi_hbgi (void)
{
  const TwPoint points[] = { { T0, 50 }, { T0 + 5 * MINUTE, 300 }, { T0 + 10 * MINUTE, 112.5 } };
  TwGlucoseStats stats;

  g_assert_cmpfloat_with_epsilon (tw_glucose_risk_f (50), -1.50001, 1e-5);
  g_assert_cmpfloat_with_epsilon (tw_glucose_risk_f (300), 1.84261, 1e-5);
  g_assert_cmpfloat_with_epsilon (tw_glucose_risk_f (112.5), 0, 1e-3);
  g_assert_cmpfloat_with_epsilon (10 * pow (tw_glucose_risk_f (20), 2), 100, 0.1);
  g_assert_cmpfloat_with_epsilon (10 * pow (tw_glucose_risk_f (600), 2), 100, 0.1);

  g_assert_true (tw_glucose_stats_compute (points, G_N_ELEMENTS (points), &stats));
  g_assert_cmpfloat_with_epsilon (stats.lbgi, 22.500 / 3, 1e-3);
  g_assert_cmpfloat_with_epsilon (stats.hbgi, 33.952 / 3, 1e-3);
}

/* Hyndman & Fan type 7 (numpy.percentile's default): for 100, 110, … 190
 * the 5th percentile is at rank 0.45: 100 + 0.45 × 10 = 104.5. */
static void
test_percentiles (void)
{
  const double one[] = { 42 };
  const double ten[] = { 100, 110, 120, 130, 140, 150, 160, 170, 180, 190 };
  const double expected[TW_AGP_N_PERCENTILES] = { 104.5, 122.5, 145, 167.5, 185.5 };
  TwPoint points[G_N_ELEMENTS (ten) + 1];
  g_autoptr(TwAgp) agp = NULL;
  guint bin;

  g_assert_true (isnan (tw_percentile_sorted (NULL, 0, 50)));
  g_assert_cmpfloat (tw_percentile_sorted (one, 1, 95), ==, 42);
  g_assert_cmpfloat (tw_percentile_sorted (ten, 10, 0), ==, 100);
  g_assert_cmpfloat (tw_percentile_sorted (ten, 10, 100), ==, 190);
  for (guint k = 0; k < TW_AGP_N_PERCENTILES; k++)
    g_assert_cmpfloat_with_epsilon (tw_percentile_sorted (ten, 10, tw_agp_percentiles[k]),
                                    expected[k], 1e-9);

  /* The same values on ten days at the same time of day, shuffled, and
   * one reading an hour later: one bin holds the ten, the next the one. */
  for (guint i = 0; i < G_N_ELEMENTS (ten); i++)
    points[i] = (TwPoint) { T0 + (gint64) ((i * 7) % 10) * 24 * 60 * MINUTE, ten[i] };
  points[G_N_ELEMENTS (ten)] = (TwPoint) { T0 + 60 * MINUTE, 300 };
  agp = tw_agp_compute (points, G_N_ELEMENTS (points), 60);
  g_assert_cmpuint (agp->n_bins, ==, 24);
  g_assert_cmpuint (agp->bin_minutes, ==, 60);
  for (bin = 0; bin < agp->n_bins && agp->bins[bin].n != G_N_ELEMENTS (ten); bin++)
    ;
  g_assert_cmpuint (bin, <, agp->n_bins);
  for (guint k = 0; k < TW_AGP_N_PERCENTILES; k++)
    g_assert_cmpfloat_with_epsilon (agp->bins[bin].p[k], expected[k], 1e-9);
  g_assert_cmpuint (agp->bins[(bin + 1) % 24].n, ==, 1);
  g_assert_cmpfloat (agp->bins[(bin + 1) % 24].p[2], ==, 300);
  g_assert_cmpuint (agp->bins[(bin + 2) % 24].n, ==, 0);
  g_assert_true (isnan (agp->bins[(bin + 2) % 24].p[2]));
}

static gint64
utc (const char *iso)
{
  gint64 t = 0;

  g_assert_true (tw_time_parse_iso8601 (iso, &t));
  return t;
}

static TwAgp *
agp_in_zone (const char    *zone,
             const TwPoint *points,
             guint          n)
{
  TwAgp *agp;

  g_setenv ("TZ", zone, TRUE);
  tzset ();
  agp = tw_agp_compute (points, n, 60);
  g_unsetenv ("TZ");
  tzset ();
  return agp;
}

/* UK clocks go forward on Sunday 29 March 2026 at 01:00 GMT. A reading at
 * 02:30 local time is at 02:30 UTC the day before (GMT) and at 01:30 UTC
 * that day and the day after (BST): all three belong in the 02:00 bin. */
static void
test_agp_local_time_across_dst (void)
{
  const TwPoint points[] = {
    { utc ("2026-03-28T02:30:00Z"), 100 },   /* 02:30 GMT */
    { utc ("2026-03-29T01:30:00Z"), 110 },   /* 02:30 BST, the morning of the change */
    { utc ("2026-03-30T01:30:00Z"), 120 },   /* 02:30 BST */
    { utc ("2026-03-29T00:30:00Z"), 200 },   /* 00:30 GMT, before the change */
  };
  g_autoptr(TwAgp) london = agp_in_zone ("Europe/London", points, G_N_ELEMENTS (points));
  g_autoptr(TwAgp) in_utc = agp_in_zone ("UTC", points, G_N_ELEMENTS (points));

  g_assert_cmpuint (london->bins[2].n, ==, 3);
  g_assert_cmpfloat (london->bins[2].p[2], ==, 110);
  g_assert_cmpuint (london->bins[1].n, ==, 0);
  g_assert_cmpuint (london->bins[0].n, ==, 1);
  /* Folded by UTC (what a fixed offset would do) two of them fall an
   * hour early: the DST handling is what puts them together. */
  g_assert_cmpuint (in_utc->bins[2].n, ==, 1);
  g_assert_cmpuint (in_utc->bins[1].n, ==, 2);
}

/* Readings that are not glucose values do not count. */
static void
test_non_readings_skipped (void)
{
  const TwPoint points[] = { { T0, 100 }, { T0 + MINUTE, NAN }, { T0 + 2 * MINUTE, 0 },
                             { T0 + 3 * MINUTE, 200 } };
  TwGlucoseStats stats;

  g_assert_true (tw_glucose_stats_compute (points, G_N_ELEMENTS (points), &stats));
  g_assert_cmpuint (stats.n, ==, 2);
  g_assert_cmpfloat (stats.mean, ==, 150);
  g_assert_cmpint (stats.last_ts, ==, T0 + 3 * MINUTE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/glucose/gmi-published", test_gmi_published);
  g_test_add_func ("/glucose/ranges", test_ranges);
  g_test_add_func ("/glucose/mean-sd-cv", test_mean_sd_cv);
  g_test_add_func ("/glucose/lbgi-hbgi", test_lbgi_hbgi);
  g_test_add_func ("/glucose/percentiles", test_percentiles);
  g_test_add_func ("/glucose/agp-local-time-across-dst", test_agp_local_time_across_dst);
  g_test_add_func ("/glucose/non-readings-skipped", test_non_readings_skipped);
  return g_test_run ();
}
