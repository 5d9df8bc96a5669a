#include <string.h>

#include "tw-codec.h"
#include "tw-error.h"
#include "tw-limits.h"

static char *
write_temp (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tw-limits-XXXXXX", &error);
  char *path = g_build_filename (dir, "limits.json", NULL);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_site_limits_change_decoding (void)
{
  g_autofree char *path = write_temp ("{\"version\":1,\"plausible\":{\"hr\":{\"min\":20,\"max\":250}}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(TwLimits) limits = tw_limits_load (path, &error);
  g_autoptr(TwBatch) before = tw_batch_new (0);
  g_autoptr(TwBatch) after = tw_batch_new (0);
  static const char msg[] = "{\"v\":1,\"type\":\"vitals\",\"ts\":\"2026-11-18T04:00:00Z\","
                            "\"patient\":\"P1\",\"hr\":280,\"spo2\":97}";
  double min, max;

  g_assert_no_error (error);
  tw_limits_get (limits, tw_metric_lookup ("hr"), &min, &max);
  g_assert_cmpfloat (min, ==, 20);
  g_assert_cmpfloat (max, ==, 250);
  /* Metrics the file does not name keep the catalogue's range. */
  tw_limits_get (limits, tw_metric_lookup ("spo2"), &min, &max);
  g_assert_cmpfloat (max, ==, 100);

  /* The catalogue accepts a heart rate of 280; this site does not. */
  tw_codec_decode (before, TW_FORMAT_AUTO, msg, strlen (msg), NULL);
  g_assert_cmpuint (before->samples->len, ==, 2);
  after->limits = limits;
  tw_codec_decode (after, TW_FORMAT_AUTO, msg, strlen (msg), NULL);
  g_assert_cmpuint (after->samples->len, ==, 1);
  g_assert_nonnull (strstr (((TwReject *) after->rejects->pdata[0])->reason, "hr = 280"));
  g_assert_nonnull (strstr (((TwReject *) after->rejects->pdata[0])->reason, "20\u2013250"));
}

static void
test_bad_files_are_errors (void)
{
  static const struct { const char *text; const char *message; } cases[] = {
    { "{\"version\":1,\"plausible\":{\"hartrate\":{\"min\":1,\"max\":2}}}", "not a metric" },
    { "{\"version\":1,\"plausible\":{\"hr\":{\"min\":100,\"max\":20}}}", "min must be below" },
    { "{\"version\":1,\"plausible\":{\"hr\":{\"min\":10}}}", "needs a \"min\" and a \"max\"" },
    { "{\"plausible\":{}}", "not a limits file" },
    { "{ broken", "Cannot read" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_temp (cases[i].text);
      g_autoptr(GError) error = NULL;

      g_assert_null (tw_limits_load (path, &error));
      g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
}

static void
test_shipped_file_matches_catalogue (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TW_SOURCE_ROOT"), "data", "limits.json",
                                            NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TwLimits) limits = tw_limits_load (path, &error);
  guint n = 0;
  const TwMetricInfo *all = tw_metric_get_all (&n);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      double min, max;

      tw_limits_get (limits, &all[i], &min, &max);
      g_assert_cmpfloat (min, ==, all[i].plausible_min);
      g_assert_cmpfloat (max, ==, all[i].plausible_max);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/limits/site-limits-change-decoding", test_site_limits_change_decoding);
  g_test_add_func ("/limits/bad-files", test_bad_files_are_errors);
  g_test_add_func ("/limits/shipped-file", test_shipped_file_matches_catalogue);
  return g_test_run ();
}
