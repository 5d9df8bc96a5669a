#include "tw-watermark.h"
#include "tw-window.h"

#define SEC ((gint64) G_USEC_PER_SEC)
#define MINUTE (60 * SEC)

typedef struct
{
  char        *key;
  gint64       start_us;
  gint64       end_us;
  TwAggregate  agg;
  gboolean     correction;
} Emitted;

static void
emitted_clear (Emitted *e)
{
  g_free (e->key);
}

static GArray *
emitted_new (void)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (Emitted));

  g_array_set_clear_func (out, (GDestroyNotify) emitted_clear);
  return out;
}

static void
collect (const TwWindowResult *result,
         gpointer              user_data)
{
  GArray *out = user_data;
  Emitted e = { g_strdup (result->key), result->start_us, result->end_us, result->agg,
                result->correction };

  g_array_append_val (out, e);
}

static const Emitted *
emitted_at (GArray *out,
            guint   i)
{
  g_assert_cmpuint (i, <, out->len);
  return &g_array_index (out, Emitted, i);
}

static void
assert_window (GArray     *out,
               guint       i,
               const char *key,
               gint64      start_us,
               gint64      end_us,
               gint64      n,
               double      sum,
               gboolean    correction)
{
  const Emitted *e = emitted_at (out, i);

  g_assert_cmpstr (e->key, ==, key);
  g_assert_cmpint (e->start_us, ==, start_us);
  g_assert_cmpint (e->end_us, ==, end_us);
  g_assert_cmpint (e->agg.n, ==, n);
  g_assert_cmpfloat (e->agg.sum, ==, sum);
  g_assert_cmpint (e->correction, ==, correction);
}

static void
test_tumbling_boundaries (void)
{
  TwWindowSpec spec = { MINUTE, MINUTE, 0 };
  g_autoptr(GArray) out = emitted_new ();
  g_autoptr(TwWindowSet) set = tw_window_set_new (&spec, collect, out);

  g_assert_cmpint (tw_window_set_add (set, "hr", 0, 1), ==, TW_WINDOW_ON_TIME);
  g_assert_cmpint (tw_window_set_add (set, "hr", MINUTE - 1, 2), ==, TW_WINDOW_ON_TIME);
  /* ts == end belongs to the next window. */
  g_assert_cmpint (tw_window_set_add (set, "hr", MINUTE, 4), ==, TW_WINDOW_ON_TIME);
  /* Before the epoch: aligned the same way, [-60 s, 0). */
  g_assert_cmpint (tw_window_set_add (set, "hr", -1, 8), ==, TW_WINDOW_ON_TIME);
  g_assert_cmpint (tw_window_set_add (set, "hr", -MINUTE, 16), ==, TW_WINDOW_ON_TIME);
  g_assert_cmpuint (tw_window_set_get_n_open (set), ==, 3);

  tw_window_set_advance (set, MINUTE - 1);
  g_assert_cmpuint (out->len, ==, 1);
  assert_window (out, 0, "hr", -MINUTE, 0, 2, 24, FALSE);

  /* The window closes when the watermark reaches its end exactly. */
  tw_window_set_advance (set, MINUTE);
  g_assert_cmpuint (out->len, ==, 2);
  assert_window (out, 1, "hr", 0, MINUTE, 2, 3, FALSE);
  g_assert_cmpint (emitted_at (out, 1)->agg.first_ts, ==, 0);
  g_assert_cmpint (emitted_at (out, 1)->agg.last_ts, ==, MINUTE - 1);

  /* Emitted once: the same or an older watermark emits nothing again. */
  tw_window_set_advance (set, MINUTE);
  tw_window_set_advance (set, 0);
  g_assert_cmpuint (out->len, ==, 2);
  g_assert_cmpuint (tw_window_set_get_n_open (set), ==, 1);

  /* Without lateness a sample for a closed window is too late at once. */
  g_assert_cmpint (tw_window_set_add (set, "hr", MINUTE - 1, 100), ==, TW_WINDOW_TOO_LATE);
  g_assert_cmpuint (tw_window_set_get_too_late (set), ==, 1);
  g_assert_cmpuint (out->len, ==, 2);

  tw_window_set_advance (set, G_MAXINT64);
  g_assert_cmpuint (out->len, ==, 3);
  assert_window (out, 2, "hr", MINUTE, 2 * MINUTE, 1, 4, FALSE);
  g_assert_cmpuint (tw_window_set_get_n_open (set), ==, 0);
}

static void
test_keys_and_order (void)
{
  TwWindowSpec spec = { MINUTE, MINUTE, 0 };
  g_autoptr(GArray) out = emitted_new ();
  g_autoptr(TwWindowSet) set = tw_window_set_new (&spec, collect, out);

  tw_window_set_add (set, "spo2", MINUTE + 5 * SEC, 97);
  tw_window_set_add (set, "hr", MINUTE + 6 * SEC, 70);
  tw_window_set_add (set, "spo2", 5 * SEC, 98);
  tw_window_set_add (set, "hr", 6 * SEC, 72);
  tw_window_set_advance (set, 2 * MINUTE);

  /* By window end, then key. */
  g_assert_cmpuint (out->len, ==, 4);
  assert_window (out, 0, "hr", 0, MINUTE, 1, 72, FALSE);
  assert_window (out, 1, "spo2", 0, MINUTE, 1, 98, FALSE);
  assert_window (out, 2, "hr", MINUTE, 2 * MINUTE, 1, 70, FALSE);
  assert_window (out, 3, "spo2", MINUTE, 2 * MINUTE, 1, 97, FALSE);
}

static void
test_lateness (void)
{
  TwWindowSpec spec = { MINUTE, MINUTE, 30 * SEC };
  g_autoptr(GArray) out = emitted_new ();
  g_autoptr(TwWindowSet) set = tw_window_set_new (&spec, collect, out);

  tw_window_set_add (set, "hr", 10 * SEC, 1);
  tw_window_set_add (set, "hr", 20 * SEC, 2);
  tw_window_set_advance (set, MINUTE);
  g_assert_cmpuint (out->len, ==, 1);
  assert_window (out, 0, "hr", 0, MINUTE, 2, 3, FALSE);

  /* Inside the lateness: merged and emitted again as a correction. */
  g_assert_cmpint (tw_window_set_add (set, "hr", 30 * SEC, 4), ==, TW_WINDOW_CORRECTED);
  g_assert_cmpuint (out->len, ==, 2);
  assert_window (out, 1, "hr", 0, MINUTE, 3, 7, TRUE);
  g_assert_cmpint (emitted_at (out, 1)->agg.last_ts, ==, 30 * SEC);

  /* An earlier sample changes first; still within the lateness at 89 s. */
  tw_window_set_advance (set, MINUTE + 29 * SEC);
  g_assert_cmpuint (out->len, ==, 2);
  g_assert_cmpint (tw_window_set_add (set, "hr", 5 * SEC, 8), ==, TW_WINDOW_CORRECTED);
  assert_window (out, 2, "hr", 0, MINUTE, 4, 15, TRUE);
  g_assert_cmpfloat (emitted_at (out, 2)->agg.first, ==, 8);
  g_assert_cmpint (emitted_at (out, 2)->agg.first_ts, ==, 5 * SEC);
  g_assert_cmpfloat (emitted_at (out, 2)->agg.min, ==, 1);
  g_assert_cmpfloat (emitted_at (out, 2)->agg.max, ==, 8);

  /* end + lateness reached: the window is forgotten, later samples are
   * counted and never merged. */
  g_assert_cmpuint (tw_window_set_get_n_open (set), ==, 1);
  tw_window_set_advance (set, MINUTE + 30 * SEC);
  g_assert_cmpuint (tw_window_set_get_n_open (set), ==, 0);
  g_assert_cmpint (tw_window_set_add (set, "hr", 40 * SEC, 16), ==, TW_WINDOW_TOO_LATE);
  g_assert_cmpint (tw_window_set_add (set, "hr", 59 * SEC, 32), ==, TW_WINDOW_TOO_LATE);
  g_assert_cmpuint (tw_window_set_get_too_late (set), ==, 2);
  g_assert_cmpuint (out->len, ==, 3);
  g_assert_cmpuint (tw_window_set_get_n_open (set), ==, 0);

  /* A late first sample of a window nobody saw yet ([60 s, 120 s) at a
   * watermark of 130 s): emitted at once, not a correction (it replaces
   * nothing), and the sample is reported late. */
  tw_window_set_advance (set, 2 * MINUTE + 10 * SEC);
  g_assert_cmpuint (out->len, ==, 3);
  g_assert_cmpint (tw_window_set_add (set, "hr", MINUTE + 5 * SEC, 64), ==, TW_WINDOW_CORRECTED);
  assert_window (out, 3, "hr", MINUTE, 2 * MINUTE, 1, 64, FALSE);
  g_assert_cmpint (tw_window_set_add (set, "hr", MINUTE + 6 * SEC, 128), ==, TW_WINDOW_CORRECTED);
  assert_window (out, 4, "hr", MINUTE, 2 * MINUTE, 2, 192, TRUE);
  tw_window_set_advance (set, 2 * MINUTE + 30 * SEC);
  g_assert_cmpuint (out->len, ==, 5);
  g_assert_cmpuint (tw_window_set_get_n_open (set), ==, 0);
}

static void
test_sliding_membership (void)
{
  TwWindowSpec spec = { MINUTE, 20 * SEC, 0 };
  g_autoptr(GArray) out = emitted_new ();
  g_autoptr(TwWindowSet) set = tw_window_set_new (&spec, collect, out);

  /* 45 s is in [0,60), [20,80), [40,100); 40 s exactly also in those
   * three (not in [-20,40)); 60 s in [20,80), [40,100), [60,120). */
  tw_window_set_add (set, "hr", 45 * SEC, 1);
  tw_window_set_add (set, "hr", 40 * SEC, 2);
  tw_window_set_add (set, "hr", 60 * SEC, 4);
  g_assert_cmpuint (tw_window_set_get_n_open (set), ==, 4);
  tw_window_set_advance (set, G_MAXINT64);

  g_assert_cmpuint (out->len, ==, 4);
  assert_window (out, 0, "hr", 0, MINUTE, 2, 3, FALSE);
  assert_window (out, 1, "hr", 20 * SEC, 80 * SEC, 3, 7, FALSE);
  assert_window (out, 2, "hr", 40 * SEC, 100 * SEC, 3, 7, FALSE);
  assert_window (out, 3, "hr", 60 * SEC, 120 * SEC, 1, 4, FALSE);
}

static void
test_sliding_partly_late (void)
{
  TwWindowSpec spec = { MINUTE, 20 * SEC, 0 };
  g_autoptr(GArray) out = emitted_new ();
  g_autoptr(TwWindowSet) set = tw_window_set_new (&spec, collect, out);

  tw_window_set_add (set, "hr", 50 * SEC, 1);
  tw_window_set_advance (set, 70 * SEC);
  g_assert_cmpuint (out->len, ==, 1);   /* [0,60) */

  /* 45 s: [0,60) is gone, [20,80) and [40,100) still take it. */
  g_assert_cmpint (tw_window_set_add (set, "hr", 45 * SEC, 2), ==, TW_WINDOW_ON_TIME);
  g_assert_cmpuint (tw_window_set_get_too_late (set), ==, 0);
  /* 5 s: every window of it is gone. */
  g_assert_cmpint (tw_window_set_add (set, "hr", 5 * SEC, 4), ==, TW_WINDOW_TOO_LATE);
  g_assert_cmpuint (tw_window_set_get_too_late (set), ==, 1);

  tw_window_set_advance (set, G_MAXINT64);
  g_assert_cmpuint (out->len, ==, 3);
  assert_window (out, 0, "hr", 0, MINUTE, 1, 1, FALSE);
  assert_window (out, 1, "hr", 20 * SEC, 80 * SEC, 2, 3, FALSE);
  assert_window (out, 2, "hr", 40 * SEC, 100 * SEC, 2, 3, FALSE);
}

typedef struct
{
  const char *key;
  gint64      ts;
  double      value;
} Sample;

/* Every result, final or correction, equals a recomputation over the
 * samples added so far: a window still held was never past its lateness,
 * so it took every one of its samples. */
static void
check_against_recomputation (GArray       *out,
                             guint         from,
                             const GArray *added)
{
  for (guint i = from; i < out->len; i++)
    {
      const Emitted *e = emitted_at (out, i);
      TwAggregate truth = { 0 };

      for (guint j = 0; j < added->len; j++)
        {
          const Sample *s = &g_array_index (added, Sample, j);

          if (g_str_equal (s->key, e->key) && s->ts >= e->start_us && s->ts < e->end_us)
            tw_aggregate_add (&truth, s->ts, s->value);
        }
      g_assert_cmpint (e->agg.n, ==, truth.n);
      g_assert_cmpfloat (e->agg.sum, ==, truth.sum);
      g_assert_cmpfloat (e->agg.min, ==, truth.min);
      g_assert_cmpfloat (e->agg.max, ==, truth.max);
      g_assert_cmpfloat (e->agg.first, ==, truth.first);
      g_assert_cmpint (e->agg.first_ts, ==, truth.first_ts);
      g_assert_cmpfloat (e->agg.last, ==, truth.last);
      g_assert_cmpint (e->agg.last_ts, ==, truth.last_ts);
    }
}

#define RANDOM_SAMPLES 3000
#define DISORDER       (90 * SEC)   /* how far behind the newest a sample may come */
#define BOUND          (10 * SEC)   /* the watermark's bound: disorder beyond it is late */

static void
run_random (const TwWindowSpec *spec)
{
  static const char *keys[] = { "a", "b", "c" };
  g_autoptr(GArray) out = emitted_new ();
  g_autoptr(TwWindowSet) set = tw_window_set_new (spec, collect, out);
  g_autoptr(GArray) added = g_array_new (FALSE, FALSE, sizeof (Sample));
  g_autoptr(GHashTable) finals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 newest = 0;
  guint n_corrected = 0, n_too_late = 0;
  guint bound = G_N_ELEMENTS (keys)
                * ((BOUND + spec->size_us + spec->lateness_us) / spec->slide_us + 1);

  for (guint i = 0; i < RANDOM_SAMPLES; i++)
    {
      Sample s;
      guint before = out->len;
      TwWindowAdmit admit;

      newest += g_test_rand_int_range (0, 3 * SEC);
      s.key = keys[g_test_rand_int_range (0, G_N_ELEMENTS (keys))];
      s.ts = newest - g_test_rand_int_range (0, DISORDER);
      s.value = g_test_rand_int_range (0, 400) / 4.0;
      g_array_append_val (added, s);
      admit = tw_window_set_add (set, s.key, s.ts, s.value);
      n_corrected += admit == TW_WINDOW_CORRECTED;
      n_too_late += admit == TW_WINDOW_TOO_LATE;
      /* Only a late sample emits from inside add. */
      g_assert_true (admit == TW_WINDOW_CORRECTED || out->len == before);
      check_against_recomputation (out, before, added);

      before = out->len;
      tw_window_set_advance (set, newest - BOUND);
      check_against_recomputation (out, before, added);
      g_assert_cmpuint (tw_window_set_get_n_open (set), <=, bound);
    }
  tw_window_set_advance (set, G_MAXINT64);
  g_assert_cmpuint (tw_window_set_get_n_open (set), ==, 0);
  g_assert_cmpuint (tw_window_set_get_too_late (set), ==, n_too_late);

  /* Each window has exactly one non-correction result, before any of its
   * corrections. */
  for (guint i = 0; i < out->len; i++)
    {
      const Emitted *e = emitted_at (out, i);
      char *id = g_strdup_printf ("%s/%" G_GINT64_FORMAT, e->key, e->start_us);

      if (e->correction)
        {
          g_assert_true (g_hash_table_contains (finals, id));
          g_free (id);
        }
      else
        {
          g_assert_false (g_hash_table_contains (finals, id));
          g_hash_table_add (finals, id);
        }
    }
  /* The stream is disordered enough to exercise both late paths. */
  g_assert_cmpuint (n_too_late, >, 0);
  g_assert_cmpuint (n_corrected, >, 0);
}

static void
test_random_tumbling (void)
{
  TwWindowSpec spec = { MINUTE, MINUTE, 15 * SEC };

  run_random (&spec);
}

static void
test_random_sliding (void)
{
  TwWindowSpec spec = { MINUTE, 15 * SEC, 15 * SEC };

  run_random (&spec);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/window/tumbling-boundaries", test_tumbling_boundaries);
  g_test_add_func ("/window/keys-and-order", test_keys_and_order);
  g_test_add_func ("/window/lateness", test_lateness);
  g_test_add_func ("/window/sliding-membership", test_sliding_membership);
  g_test_add_func ("/window/sliding-partly-late", test_sliding_partly_late);
  g_test_add_func ("/window/random-tumbling", test_random_tumbling);
  g_test_add_func ("/window/random-sliding", test_random_sliding);

  return g_test_run ();
}
