#include "tw-feed-random.h"

#include <math.h>

/* Constants of splitmix64 (Steele, Lea and Flood 2014), a good 64-bit
 * finaliser: one call per key keeps neighbouring keys uncorrelated. */
#define SPLITMIX_GAMMA G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)
#define SPLITMIX_MUL1  G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9)
#define SPLITMIX_MUL2  G_GUINT64_CONSTANT (0x94d049bb133111eb)

/* A double has 53 bits of mantissa: use the top 53 bits of the hash. */
#define UNIFORM_SHIFT 11
#define UNIFORM_SCALE (1.0 / 9007199254740992.0)

/* Box–Muller needs a second, independent uniform: derive it from the same
 * keys with this tag folded in. */
#define GAUSSIAN_SECOND_DRAW G_GUINT64_CONSTANT (0x5eed0f5ec0dd1a7e)

static guint64
splitmix64 (guint64 x)
{
  guint64 z = x + SPLITMIX_GAMMA;

  z = (z ^ (z >> 30)) * SPLITMIX_MUL1;
  z = (z ^ (z >> 27)) * SPLITMIX_MUL2;
  return z ^ (z >> 31);
}

/**
 * tw_feed_random_hash:
 * @seed: the feed's --seed
 * @a: first key (e.g. the patient index)
 * @b: second key (e.g. the tick)
 * @c: third key (e.g. what is being drawn)
 *
 * Returns: 64 well-mixed bits that depend only on the four keys
 */
guint64
tw_feed_random_hash (guint64 seed,
                     guint64 a,
                     guint64 b,
                     guint64 c)
{
  guint64 h = splitmix64 (seed);

  h = splitmix64 (h ^ a);
  h = splitmix64 (h ^ b);
  return splitmix64 (h ^ c);
}

/* Returns: a uniform double in [0, 1) */
double
tw_feed_random_uniform (guint64 seed,
                        guint64 a,
                        guint64 b,
                        guint64 c)
{
  return (double) (tw_feed_random_hash (seed, a, b, c) >> UNIFORM_SHIFT) * UNIFORM_SCALE;
}

/* Returns: a uniform double in [low, high) */
double
tw_feed_random_range (guint64 seed,
                      guint64 a,
                      guint64 b,
                      guint64 c,
                      double  low,
                      double  high)
{
  return low + (high - low) * tw_feed_random_uniform (seed, a, b, c);
}

/* Returns: a standard normal draw (mean 0, standard deviation 1) */
double
tw_feed_random_gaussian (guint64 seed,
                         guint64 a,
                         guint64 b,
                         guint64 c)
{
  /* 1 - u lies in (0, 1], so the logarithm is finite. */
  double u1 = 1.0 - tw_feed_random_uniform (seed, a, b, c);
  double u2 = tw_feed_random_uniform (seed, a, b, c ^ GAUSSIAN_SECOND_DRAW);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}
