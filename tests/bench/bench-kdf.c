/* What one password guess costs (issue 6): Argon2id as the key slots run
 * it, at each cost level (min, interactive, moderate — the default —,
 * sensitive): milliseconds per guess on one core (median of several), the
 * memory each guess needs, and guesses per second with every core busy.
 * Then what that means: how long an attacker who copied the key file
 * needs with this machine for a few kinds of password, against the ten
 * guesses the sign-in lockout allows behind the app and twctl.
 *
 * Prints figures; never fails on a time. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "tw-keyslots.h"
#include "tw-lockout.h"

#define PASSWORD        "the password being guessed"
#define KEY_BYTES       32
#define SECONDS_PER_YEAR (365.25 * 24 * 3600)
/* Memory left free for the rest of the machine while all cores guess. */
#define MEMORY_RESERVE  (512.0 * 1024 * 1024)

typedef struct
{
  TwKdfCost   cost;
  guint64     opslimit;
  gsize       memlimit;
  guint       runs;         /* single-core timings, the median is shown */
  guint       per_thread;   /* guesses per thread in the all-core run */
  gboolean    warm_up;      /* one untimed guess first (cheap levels only) */
} Level;

/* The same limits as tw-keyslots.c gives each TwKdfCost. */
static Level levels[] = {
  { TW_KDF_COST_MIN,         crypto_pwhash_OPSLIMIT_MIN,         crypto_pwhash_MEMLIMIT_MIN,
    201, 400, TRUE },
  { TW_KDF_COST_INTERACTIVE, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
    5, 4, TRUE },
  { TW_KDF_COST_MODERATE,    crypto_pwhash_OPSLIMIT_MODERATE,    crypto_pwhash_MEMLIMIT_MODERATE,
    3, 2, FALSE },
  { TW_KDF_COST_SENSITIVE,   crypto_pwhash_OPSLIMIT_SENSITIVE,   crypto_pwhash_MEMLIMIT_SENSITIVE,
    1, 1, FALSE },
};

/* Password kinds and how many there are to try. */
typedef struct
{
  const char *what;
  double      space;
} Kind;

static const Kind kinds[] = {
  { "one of the 10,000 most common passwords (refused by the blocklist)", 1e4 },
  { "8 random lower-case letters", 208827064576.0 },                 /* 26^8 */
  { "8 random characters of 94 printable ASCII", 6095689385410816.0 }, /* 94^8 */
  { "4 random Diceware words (7,776-word list)", 3656158440062976.0 }, /* 7776^4 */
  { "6 random Diceware words", 2.2107391972073336e23 },             /* 7776^6 */
};

static void
guess (const Level *level,
       const guint8 *salt)
{
  guint8 key[KEY_BYTES];

  if (crypto_pwhash (key, sizeof key, PASSWORD, strlen (PASSWORD), salt, level->opslimit,
                     level->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    g_error ("Argon2id ran out of memory at %zu MiB", level->memlimit >> 20);
  sodium_memzero (key, sizeof key);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median_ms (const Level *level)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  guint8 salt[crypto_pwhash_SALTBYTES];

  randombytes_buf (salt, sizeof salt);
  if (level->warm_up)
    guess (level, salt);  /* the first allocation's page faults */
  for (guint i = 0; i < level->runs; i++)
    {
      gint64 start = g_get_monotonic_time ();
      double ms;

      guess (level, salt);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (times, ms);
    }
  g_array_sort (times, compare_doubles);
  return g_array_index (times, double, times->len / 2);
}

static gpointer
guess_thread (gpointer data)
{
  const Level *level = data;
  guint8 salt[crypto_pwhash_SALTBYTES];

  randombytes_buf (salt, sizeof salt);
  for (guint i = 0; i < level->per_thread; i++)
    guess (level, salt);
  return NULL;
}

static double
available_memory (void)
{
  g_autofree char *meminfo = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL)
      || (line = strstr (meminfo, "MemAvailable:")) == NULL)
    return 0;
  return g_ascii_strtod (line + strlen ("MemAvailable:"), NULL) * 1024;
}

/* Every core guessing at once (as many as memory allows): guesses/s. */
static double
all_cores (const Level *level,
           guint       *out_threads)
{
  guint cores = g_get_num_processors ();
  double fit = (available_memory () - MEMORY_RESERVE) / (double) level->memlimit;
  guint n = (guint) CLAMP (fit, 1, cores);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  gint64 start = g_get_monotonic_time ();
  double seconds;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (threads, g_thread_new ("guess", guess_thread, (gpointer) level));
  for (guint i = 0; i < n; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  *out_threads = n;
  return n * level->per_thread / seconds;
}

static char *
format_duration (double seconds)
{
  if (seconds < 1)
    return g_strdup ("under a second");
  if (seconds < 3600)
    return g_strdup_printf ("%.0f s", seconds);
  if (seconds < 86400 * 2)
    return g_strdup_printf ("%.1f hours", seconds / 3600);
  if (seconds < SECONDS_PER_YEAR)
    return g_strdup_printf ("%.0f days", seconds / 86400);
  if (seconds < SECONDS_PER_YEAR * 1e6)
    return g_strdup_printf ("%.3g years", seconds / SECONDS_PER_YEAR);
  return g_strdup_printf ("%.2e years", seconds / SECONDS_PER_YEAR);
}

int
main (int    argc,
      char **argv)
{
  TwLockoutPolicy policy;
  double rates[G_N_ELEMENTS (levels)];

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");
  tw_lockout_policy_load ("/nonexistent", &policy, NULL);  /* the defaults */

  {
    g_autofree char *load = NULL;

    /* Other work on the machine slows every figure down: say how busy. */
    g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
    g_print ("Argon2id (libsodium %s) on %u cores, %.1f GiB available, load average %s\n",
             sodium_version_string (), g_get_num_processors (),
             available_memory () / (1024.0 * 1024 * 1024), load != NULL ? g_strstrip (load) : "?");
  }
  g_print ("\n%-12s %5s %9s %12s %12s %8s %14s\n", "cost", "ops", "memory", "ms/guess",
           "guesses/s", "threads", "guesses/s all");
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      Level *level = &levels[i];
      double ms = median_ms (level);
      guint threads = 0;

      rates[i] = all_cores (level, &threads);
      g_print ("%-12s %5" G_GUINT64_FORMAT " %5zu %s %12.2f %12.2f %8u %14.2f%s\n",
               tw_kdf_cost_to_string (level->cost), level->opslimit,
               level->memlimit >= 1024 * 1024 ? level->memlimit >> 20 : level->memlimit >> 10,
               level->memlimit >= 1024 * 1024 ? "MiB" : "KiB", ms, 1000.0 / ms, threads, rates[i],
               level->cost == TW_KDF_COST_DEFAULT ? "   <- default" : "");
    }

  g_print ("\nAn attacker with a copy of the key file and this machine, at the default cost "
           "(%s, %.1f guesses/s), needs on average:\n",
           tw_kdf_cost_to_string (TW_KDF_COST_DEFAULT), rates[TW_KDF_COST_DEFAULT]);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *offline = format_duration (kinds[k].space / 2 / rates[TW_KDF_COST_DEFAULT]);
      g_autofree char *at_min = format_duration (kinds[k].space / 2 / rates[TW_KDF_COST_MIN]);

      g_print ("  %-70s %s  (at cost min, for tests only: %s)\n", kinds[k].what, offline, at_min);
    }
  g_print ("Online (the app or twctl), the lockout allows %u guesses per account, then an "
           "administrator must unlock it (a back-off from failure %u on: %u s, doubling up to %u s).\n"
           "Chance that %u online guesses find 4 random Diceware words: %.1e.\n",
           policy.max_failures, policy.free_failures + 1, policy.base_delay_s,
           policy.max_delay_s, policy.max_failures, policy.max_failures / kinds[3].space);
  g_print ("A GPU farm 10,000 times this machine divides the offline times by 10,000 (Argon2id's "
           "memory keeps the factor small); a blocklisted password falls in seconds either "
           "way.\n");
  return 0;
}
