#include <math.h>

#include "tw-news2.h"

/* The NEWS2 chart (RCP 2017, DOMAIN.md): every boundary of every row from
 * both sides. */

typedef struct
{
  double value;
  int    points;
} Row;

static void
check_row (const char *name,
           int       (*score) (double),
           const Row  *rows,
           gsize       n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_test_message ("%s %g", name, rows[i].value);
      g_assert_cmpint (score (rows[i].value), ==, rows[i].points);
    }
}

#define CHECK_ROW(score, rows) check_row (#score, score, rows, G_N_ELEMENTS (rows))

static void
test_respiration_rate (void)
{
  /* ≤8: 3 | 9–11: 1 | 12–20: 0 | 21–24: 2 | ≥25: 3 */
  const Row rows[] = {
    { 4, 3 }, { 8, 3 }, { 9, 1 }, { 11, 1 }, { 12, 0 }, { 20, 0 }, { 21, 2 }, { 24, 2 },
    { 25, 3 }, { 40, 3 },
  };

  CHECK_ROW (tw_news2_score_rr, rows);
}

static void
test_spo2_scale1 (void)
{
  /* ≤91: 3 | 92–93: 2 | 94–95: 1 | ≥96: 0 */
  const Row rows[] = {
    { 80, 3 }, { 91, 3 }, { 92, 2 }, { 93, 2 }, { 94, 1 }, { 95, 1 }, { 96, 0 }, { 100, 0 },
  };

  CHECK_ROW (tw_news2_score_spo2_scale1, rows);
}

static void
test_spo2_scale2 (void)
{
  /* ≤83: 3 | 84–85: 2 | 86–87: 1 | 88–92, or ≥93 on air: 0 |
   * 93–94 on O2: 1 | 95–96 on O2: 2 | ≥97 on O2: 3 */
  const struct { double spo2; int on_air, on_oxygen; } rows[] = {
    { 75, 3, 3 }, { 83, 3, 3 }, { 84, 2, 2 }, { 85, 2, 2 }, { 86, 1, 1 }, { 87, 1, 1 },
    { 88, 0, 0 }, { 92, 0, 0 }, { 93, 0, 1 }, { 94, 0, 1 }, { 95, 0, 2 }, { 96, 0, 2 },
    { 97, 0, 3 }, { 100, 0, 3 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_test_message ("scale 2, SpO2 %g", rows[i].spo2);
      g_assert_cmpint (tw_news2_score_spo2_scale2 (rows[i].spo2, FALSE), ==, rows[i].on_air);
      g_assert_cmpint (tw_news2_score_spo2_scale2 (rows[i].spo2, TRUE), ==, rows[i].on_oxygen);
    }
}

static void
test_systolic_bp (void)
{
  /* ≤90: 3 | 91–100: 2 | 101–110: 1 | 111–219: 0 | ≥220: 3 */
  const Row rows[] = {
    { 70, 3 }, { 90, 3 }, { 91, 2 }, { 100, 2 }, { 101, 1 }, { 110, 1 }, { 111, 0 },
    { 219, 0 }, { 220, 3 }, { 250, 3 },
  };

  CHECK_ROW (tw_news2_score_sbp, rows);
}

static void
test_pulse (void)
{
  /* ≤40: 3 | 41–50: 1 | 51–90: 0 | 91–110: 1 | 111–130: 2 | ≥131: 3 */
  const Row rows[] = {
    { 30, 3 }, { 40, 3 }, { 41, 1 }, { 50, 1 }, { 51, 0 }, { 90, 0 }, { 91, 1 }, { 110, 1 },
    { 111, 2 }, { 130, 2 }, { 131, 3 }, { 180, 3 },
  };

  CHECK_ROW (tw_news2_score_pulse, rows);
}

static void
test_temperature (void)
{
  /* ≤35.0: 3 | 35.1–36.0: 1 | 36.1–38.0: 0 | 38.1–39.0: 1 | ≥39.1: 2;
   * read to one decimal as the chart is filled in. */
  const Row rows[] = {
    { 34.0, 3 }, { 35.0, 3 }, { 35.04, 3 }, { 35.1, 1 }, { 36.0, 1 }, { 36.1, 0 },
    { 38.0, 0 }, { 38.1, 1 }, { 39.0, 1 }, { 39.1, 2 }, { 41.0, 2 },
  };

  CHECK_ROW (tw_news2_score_temp, rows);
}

/* A normal patient: every parameter at 0. */
static void
normal_input (TwNews2Input *in)
{
  tw_news2_input_init (in);
  in->rr = 16;
  in->spo2 = 97;
  in->sbp = 125;
  in->pulse = 72;
  in->temp = 36.8;
  in->on_oxygen = 0;
  in->acvpu = TW_ACVPU_ALERT;
}

static void
test_air_oxygen_and_acvpu (void)
{
  TwNews2Input in;
  TwNews2Score s;

  normal_input (&in);
  tw_news2_score (&in, &s);
  g_assert_true (s.complete);
  g_assert_cmpint (s.total, ==, 0);
  g_assert_cmpint (s.risk, ==, TW_NEWS2_RISK_ZERO);

  in.on_oxygen = 1;
  tw_news2_score (&in, &s);
  g_assert_cmpint (s.scores[TW_NEWS2_AIR_O2], ==, 2);
  g_assert_cmpint (s.total, ==, 2);
  g_assert_cmpint (s.risk, ==, TW_NEWS2_RISK_LOW);

  in.on_oxygen = 0;
  for (int a = TW_ACVPU_CONFUSION; a <= TW_ACVPU_UNRESPONSIVE; a++)
    {
      in.acvpu = a;
      tw_news2_score (&in, &s);
      g_assert_cmpint (s.scores[TW_NEWS2_ACVPU], ==, 3);
      g_assert_cmpint (s.total, ==, 3);
    }

  for (gsize i = 0; i < 5; i++)
    {
      const char *letters[] = { "A", "c", "V", "p", "U" };
      TwAcvpu acvpu;

      g_assert_true (tw_acvpu_from_string (letters[i], &acvpu));
      g_assert_cmpint (acvpu, ==, (TwAcvpu) i);
    }
  {
    TwAcvpu acvpu;

    g_assert_false (tw_acvpu_from_string ("X", &acvpu));
    g_assert_false (tw_acvpu_from_string ("AV", &acvpu));
    g_assert_false (tw_acvpu_from_string ("", &acvpu));
  }
}

/* Scale 2 is chosen per patient; the same 95 % on oxygen is 1 on scale 1
 * and 2 on scale 2, and on air it scores 0 on scale 2. */
static void
test_scale2_in_total (void)
{
  TwNews2Input in;
  TwNews2Score s;

  normal_input (&in);
  in.spo2 = 95;
  in.on_oxygen = 1;
  tw_news2_score (&in, &s);
  g_assert_cmpint (s.scores[TW_NEWS2_SPO2], ==, 1);
  g_assert_cmpint (s.total, ==, 3);
  in.scale2 = TRUE;
  tw_news2_score (&in, &s);
  g_assert_cmpint (s.scores[TW_NEWS2_SPO2], ==, 2);
  g_assert_cmpint (s.total, ==, 4);
  in.on_oxygen = 0;
  tw_news2_score (&in, &s);
  g_assert_cmpint (s.scores[TW_NEWS2_SPO2], ==, 0);
  g_assert_cmpint (s.total, ==, 0);

  /* Scale 2 above 92 % depends on air or oxygen: unknown then, not 0. */
  in.on_oxygen = -1;
  tw_news2_score (&in, &s);
  g_assert_cmpint (s.scores[TW_NEWS2_SPO2], ==, -1);
  g_assert_false (s.complete);
  /* At 86 % it does not: 1 either way. */
  in.spo2 = 86;
  tw_news2_score (&in, &s);
  g_assert_cmpint (s.scores[TW_NEWS2_SPO2], ==, 1);
}

/* RCP bands: 0; 1–4 low; a single 3 with a total under 5 low–medium;
 * 5–6 medium; ≥7 high. */
static void
test_risk_bands (void)
{
  TwNews2Input in;
  TwNews2Score s;

  g_assert_cmpint (tw_news2_risk_of (0, 0), ==, TW_NEWS2_RISK_ZERO);
  g_assert_cmpint (tw_news2_risk_of (1, 1), ==, TW_NEWS2_RISK_LOW);
  g_assert_cmpint (tw_news2_risk_of (4, 2), ==, TW_NEWS2_RISK_LOW);
  g_assert_cmpint (tw_news2_risk_of (3, 3), ==, TW_NEWS2_RISK_LOW_MEDIUM);
  g_assert_cmpint (tw_news2_risk_of (4, 3), ==, TW_NEWS2_RISK_LOW_MEDIUM);
  g_assert_cmpint (tw_news2_risk_of (5, 2), ==, TW_NEWS2_RISK_MEDIUM);
  g_assert_cmpint (tw_news2_risk_of (5, 3), ==, TW_NEWS2_RISK_MEDIUM);
  g_assert_cmpint (tw_news2_risk_of (6, 3), ==, TW_NEWS2_RISK_MEDIUM);
  g_assert_cmpint (tw_news2_risk_of (7, 2), ==, TW_NEWS2_RISK_HIGH);
  g_assert_cmpint (tw_news2_risk_of (20, 3), ==, TW_NEWS2_RISK_HIGH);

  /* Whole patients. rr 22 (2) + SpO2 95 (1) + pulse 95 (1) = 4: low. */
  normal_input (&in);
  in.rr = 22;
  in.spo2 = 95;
  in.pulse = 95;
  tw_news2_score (&in, &s);
  g_assert_cmpint (s.total, ==, 4);
  g_assert_cmpint (s.max_single, ==, 2);
  g_assert_cmpint (s.risk, ==, TW_NEWS2_RISK_LOW);
  /* New confusion alone: 3, low–medium (urgent ward response). */
  normal_input (&in);
  in.acvpu = TW_ACVPU_CONFUSION;
  tw_news2_score (&in, &s);
  g_assert_cmpint (s.total, ==, 3);
  g_assert_cmpint (s.risk, ==, TW_NEWS2_RISK_LOW_MEDIUM);
  /* … plus oxygen: 5, medium. */
  in.on_oxygen = 1;
  tw_news2_score (&in, &s);
  g_assert_cmpint (s.risk, ==, TW_NEWS2_RISK_MEDIUM);
  /* … plus sbp 95 (2): 7, high. */
  in.sbp = 95;
  tw_news2_score (&in, &s);
  g_assert_cmpint (s.total, ==, 7);
  g_assert_cmpint (s.max_single, ==, 3);
  g_assert_cmpint (s.risk, ==, TW_NEWS2_RISK_HIGH);

  g_assert_cmpstr (tw_news2_risk_to_string (TW_NEWS2_RISK_LOW_MEDIUM), ==, "low-medium");
  g_assert_cmpstr (tw_news2_risk_to_string (TW_NEWS2_RISK_HIGH), ==, "high");
  g_assert_cmpstr (tw_news2_param_to_string (TW_NEWS2_AIR_O2), ==, "air_o2");
}

/* A missing parameter is never a 0: the score says incomplete and which
 * parameter is missing. */
static void
test_incomplete (void)
{
  TwNews2Input in;
  TwNews2Score s;

  tw_news2_input_init (&in);
  tw_news2_score (&in, &s);
  g_assert_false (s.complete);
  for (int p = 0; p < TW_NEWS2_N_PARAMS; p++)
    g_assert_cmpint (s.scores[p], ==, -1);

  for (int missing = 0; missing < TW_NEWS2_N_PARAMS; missing++)
    {
      normal_input (&in);
      in.rr = 30;   /* 3, so the lower bound shows */
      switch ((TwNews2Param) missing)
        {
        case TW_NEWS2_RR: in.rr = NAN; break;
        case TW_NEWS2_SPO2: in.spo2 = NAN; break;
        case TW_NEWS2_AIR_O2: in.on_oxygen = -1; break;
        case TW_NEWS2_SBP: in.sbp = NAN; break;
        case TW_NEWS2_PULSE: in.pulse = NAN; break;
        case TW_NEWS2_ACVPU: in.acvpu = -1; break;
        case TW_NEWS2_TEMP: in.temp = NAN; break;
        case TW_NEWS2_N_PARAMS: default: g_assert_not_reached ();
        }
      tw_news2_score (&in, &s);
      g_test_message ("missing %s", tw_news2_param_to_string (missing));
      g_assert_false (s.complete);
      g_assert_cmpint (s.scores[missing], ==, -1);
      g_assert_cmpint (s.total, ==, missing == TW_NEWS2_RR ? 0 : 3);
    }

  /* An ACVPU code outside A–U is not "alert". */
  normal_input (&in);
  in.acvpu = 7;
  tw_news2_score (&in, &s);
  g_assert_false (s.complete);
}

/* The engine's view: catalogue codes, strict. */
static void
test_from_latest (void)
{
  g_autoptr(GHashTable) latest = g_hash_table_new (g_str_hash, g_str_equal);
  double rr = 26, spo2 = 93, sbp = 105, hr = 120, temp = 38.4, o2 = 1, voice = TW_ACVPU_VOICE;
  double bad_acvpu = 2.5;
  TwNews2Input in;
  TwNews2Score s;
  int score = -1;

  g_hash_table_insert (latest, "rr", &rr);
  g_hash_table_insert (latest, "spo2", &spo2);
  g_hash_table_insert (latest, "sbp", &sbp);
  g_hash_table_insert (latest, "hr", &hr);
  g_hash_table_insert (latest, "temp", &temp);
  g_hash_table_insert (latest, "o2", &o2);
  g_assert_false (tw_news2_score_func (latest, &score, NULL));
  g_assert_cmpint (score, ==, -1);
  g_hash_table_insert (latest, "acvpu", &bad_acvpu);
  g_assert_false (tw_news2_score_func (latest, &score, NULL));
  g_hash_table_insert (latest, "acvpu", &voice);

  tw_news2_input_from_latest (latest, &in);
  g_assert_cmpfloat (in.pulse, ==, 120);
  g_assert_cmpint (in.on_oxygen, ==, 1);
  g_assert_cmpint (in.acvpu, ==, TW_ACVPU_VOICE);
  g_assert_false (in.scale2);
  tw_news2_score (&in, &s);
  /* 3 + 2 + 2 + 1 + 2 + 3 + 1 = 14 */
  g_assert_true (s.complete);
  g_assert_cmpint (s.total, ==, 14);
  g_assert_true (tw_news2_score_func (latest, &score, NULL));
  g_assert_cmpint (score, ==, 14);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/news2/respiration-rate", test_respiration_rate);
  g_test_add_func ("/news2/spo2-scale1", test_spo2_scale1);
  g_test_add_func ("/news2/spo2-scale2", test_spo2_scale2);
  g_test_add_func ("/news2/systolic-bp", test_systolic_bp);
  g_test_add_func ("/news2/pulse", test_pulse);
  g_test_add_func ("/news2/temperature", test_temperature);
  g_test_add_func ("/news2/air-oxygen-acvpu", test_air_oxygen_and_acvpu);
  g_test_add_func ("/news2/scale2-in-total", test_scale2_in_total);
  g_test_add_func ("/news2/risk-bands", test_risk_bands);
  g_test_add_func ("/news2/incomplete", test_incomplete);
  g_test_add_func ("/news2/from-latest", test_from_latest);
  return g_test_run ();
}
