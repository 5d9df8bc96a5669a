#include "tw-chart-axis.h"

#include <math.h>

#include "tw-time.h"

#define SEC_PER_MIN  60
#define SEC_PER_HOUR 3600
#define SEC_PER_DAY  86400
#define QUARTER_HOUR_S (15 * SEC_PER_MIN)

/* Tolerance for tick arithmetic in units of one step, so that 0.1 + 0.2
 * still lands on a tick. */
#define TICK_EPSILON 1e-9

/* Powers of ten tried below and above the first guess of a value step. */
#define STEP_SEARCH_DECADES 4

/* A defence against a step far too small for the range: a time axis never
 * needs more ticks than this. */
#define MAX_TIME_TICKS 2000

/* Steps people read on a clock face; each divides a day, so ticks fall on
 * the same wall-clock times every day. */
static const gint64 time_steps_s[] = {
  1, 5, 10, 30,
  SEC_PER_MIN, 5 * SEC_PER_MIN, 10 * SEC_PER_MIN, 30 * SEC_PER_MIN,
  SEC_PER_HOUR, 3 * SEC_PER_HOUR, 6 * SEC_PER_HOUR, 12 * SEC_PER_HOUR,
  SEC_PER_DAY,
};

/* 2.5 only from 25 upwards: a step of 2.5 or 0.25 would add a decimal to
 * every label of a measurement that has none. */
static const double value_step_multipliers[] = { 1.0, 2.0, 2.5, 5.0 };
#define QUARTER_MULTIPLIER     2.5
#define QUARTER_MIN_EXPONENT   1

/* Never more: a tick step is a double. */
#define MAX_DECIMALS 12

static int
decimals_for_step (double step)
{
  double scaled = step;

  for (int d = 0; d < MAX_DECIMALS; d++, scaled *= 10)
    if (fabs (scaled - round (scaled)) < TICK_EPSILON * scaled)
      return d;
  return MAX_DECIMALS;
}

/* Fills @axis with the ticks of @step inside [@lo, @hi]; with @widen, the
 * range first grows to whole steps so it starts and ends on a tick. */
static void
axis_for_step (TwChartValueAxis *axis,
               double            lo,
               double            hi,
               double            step,
               gboolean          widen)
{
  double first = ceil (lo / step - TICK_EPSILON) * step;
  double last = floor (hi / step + TICK_EPSILON) * step;

  if (widen)
    {
      first = floor (lo / step + TICK_EPSILON) * step;
      last = ceil (hi / step - TICK_EPSILON) * step;
      lo = MIN (lo, first);
      hi = MAX (hi, last);
    }
  axis->lo = lo;
  axis->hi = hi;
  axis->first = first;
  axis->step = step;
  axis->n_ticks = last >= first ? (guint) lround ((last - first) / step) + 1 : 0;
  axis->decimals = decimals_for_step (step);
}

/**
 * tw_chart_value_axis_init:
 * @axis: (out caller-allocates): the axis
 * @lo: smallest value to label
 * @hi: largest value to label
 * @padding: share of the labelled range added above and below it, so the
 *   data does not touch the plot's edges
 * @max_ticks: at most this many ticks, between %TW_CHART_AXIS_MIN_TICKS and
 *   %TW_CHART_AXIS_MAX_TICKS
 *
 * Picks the smallest step of 1, 2, 2.5 or 5 times a power of ten that puts
 * between %TW_CHART_AXIS_MIN_TICKS and @max_ticks ticks inside [@lo, @hi].
 * When the steps jump from too many ticks to too few, the range widens to
 * whole steps of the step that widens it least. Ticks never fall into the
 * padding: an SpO2 axis ends on 100, not on an impossible 105.
 */
void
tw_chart_value_axis_init (TwChartValueAxis *axis,
                          double            lo,
                          double            hi,
                          double            padding,
                          guint             max_ticks)
{
  TwChartValueAxis widened = { 0 };
  gboolean found = FALSE;
  double pad;
  int decade;

  g_return_if_fail (axis != NULL);
  g_return_if_fail (isfinite (lo) && isfinite (hi));

  max_ticks = CLAMP (max_ticks, TW_CHART_AXIS_MIN_TICKS, TW_CHART_AXIS_MAX_TICKS);
  if (!(hi > lo))
    hi = lo + 1.0;

  /* Starts a decade below the guess, where there are always too many ticks,
   * and widens the step until they fit. */
  decade = (int) floor (log10 ((hi - lo) / max_ticks));
  for (int e = decade - 1; e <= decade + STEP_SEARCH_DECADES && !found; e++)
    {
      for (guint m = 0; m < G_N_ELEMENTS (value_step_multipliers) && !found; m++)
        {
          double step = value_step_multipliers[m] * pow (10.0, e);
          TwChartValueAxis candidate;

          if (value_step_multipliers[m] == QUARTER_MULTIPLIER && e < QUARTER_MIN_EXPONENT)
            continue;
          axis_for_step (&candidate, lo, hi, step, FALSE);
          if (candidate.n_ticks > max_ticks)
            continue;
          if (candidate.n_ticks >= TW_CHART_AXIS_MIN_TICKS)
            {
              *axis = candidate;
              found = TRUE;
              continue;
            }

          /* Too few inside: widening to this step is one option; the one
           * adding the least range, then the fewest ticks, wins. */
          axis_for_step (&candidate, lo, hi, step, TRUE);
          if (candidate.n_ticks < TW_CHART_AXIS_MIN_TICKS
              || candidate.n_ticks > TW_CHART_AXIS_MAX_TICKS)
            continue;
          if (widened.n_ticks == 0
              || candidate.hi - candidate.lo < widened.hi - widened.lo - TICK_EPSILON * step
              || (candidate.hi - candidate.lo <= widened.hi - widened.lo + TICK_EPSILON * step
                  && candidate.n_ticks < widened.n_ticks))
            widened = candidate;
        }
    }
  if (!found)
    {
      g_assert (widened.n_ticks > 0);
      *axis = widened;
    }

  pad = (axis->hi - axis->lo) * MAX (padding, 0.0);
  axis->lo -= pad;
  axis->hi += pad;
}

double
tw_chart_value_axis_tick (const TwChartValueAxis *axis,
                          guint                   index)
{
  double v;

  g_return_val_if_fail (axis != NULL, 0.0);

  v = axis->first + index * axis->step;
  /* Never print "-0". */
  if (fabs (v) < axis->step * TICK_EPSILON)
    v = 0.0;
  return v;
}

/**
 * tw_chart_time_step_pick:
 * @span_us: the visible time range
 * @width_px: pixels the range is drawn across
 * @min_step_px: the least distance between ticks, so labels do not touch
 *
 * Returns: the smallest clock-face step (1 s … 1 day, then whole days)
 *   whose ticks are at least @min_step_px apart
 */
gint64
tw_chart_time_step_pick (gint64 span_us,
                         double width_px,
                         double min_step_px)
{
  double us_per_px;
  double days;

  g_return_val_if_fail (span_us > 0, TW_USEC_PER_SEC);
  g_return_val_if_fail (width_px > 0, SEC_PER_DAY * TW_USEC_PER_SEC);

  us_per_px = (double) span_us / width_px;
  for (guint i = 0; i < G_N_ELEMENTS (time_steps_s); i++)
    {
      gint64 step = time_steps_s[i] * TW_USEC_PER_SEC;

      if (step / us_per_px >= min_step_px)
        return step;
    }

  days = ceil (min_step_px * us_per_px / (SEC_PER_DAY * (double) TW_USEC_PER_SEC));
  return (gint64) days * SEC_PER_DAY * TW_USEC_PER_SEC;
}

static gint64
to_usec (GDateTime *dt)
{
  return g_date_time_to_unix (dt) * TW_USEC_PER_SEC;
}

static gint64
gcd (gint64 a,
     gint64 b)
{
  while (b != 0)
    {
      gint64 r = a % b;

      a = b;
      b = r;
    }
  return a;
}

/* Steps of up to an hour walk through time itself and keep the instants
 * whose local wall-clock time is a whole step: an hour repeated when the
 * clocks go back gets both its ticks, one skipped gets none, and every
 * tick is one step after the last. UTC offsets are whole quarter hours,
 * so instants on a grid of gcd (step, 15 min) from the epoch include
 * every round local time. */
static GArray *
ticks_by_instant (gint64 t_from,
                  gint64 t_to,
                  gint64 step_s)
{
  g_autoptr(GArray) ticks = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  gint64 inc = gcd (step_s, QUARTER_HOUR_S);
  gint64 from_s = t_from / TW_USEC_PER_SEC;
  gint64 to_s = t_to / TW_USEC_PER_SEC;
  gint64 t = from_s - ((from_s % inc) + inc) % inc;

  for (; t <= to_s && ticks->len < MAX_TIME_TICKS; t += inc)
    {
      int interval;
      gint64 sod;
      gint64 t_us = t * TW_USEC_PER_SEC;

      if (t_us < t_from || t_us > t_to)
        continue;
      interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, t);
      sod = ((t + g_time_zone_get_offset (tz, interval)) % SEC_PER_DAY + SEC_PER_DAY)
            % SEC_PER_DAY;
      if (sod % step_s == 0)
        g_array_append_val (ticks, t_us);
    }
  return g_steal_pointer (&ticks);
}

/**
 * tw_chart_time_ticks:
 * @t_from: start of the range, µs UTC
 * @t_to: end of the range, µs UTC
 * @step_us: a step from tw_chart_time_step_pick()
 *
 * Ticks at round local wall-clock times (07:15, 07:30, … or midnights), so a
 * chart in a zone half an hour off UTC still ticks on the hour, and a day
 * with a daylight-saving change ticks at the times printed on its clocks:
 * with steps of up to an hour, the hour repeated when clocks go back has
 * two ticks and the skipped one none; longer steps tick at the wall-clock
 * times that exist (03:00, 06:00 … and midnights 23 or 25 hours apart).
 *
 * Returns: (transfer full) (element-type gint64): tick times in [@t_from,
 *   @t_to], increasing
 */
GArray *
tw_chart_time_ticks (gint64 t_from,
                     gint64 t_to,
                     gint64 step_us)
{
  g_autoptr(GArray) ticks = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) day = NULL;
  gint64 step_s;
  gint64 sod;
  int y;
  int m;
  int d;

  g_return_val_if_fail (step_us >= TW_USEC_PER_SEC, g_steal_pointer (&ticks));

  start = g_date_time_new_from_unix_local (t_from / TW_USEC_PER_SEC);
  if (start == NULL || t_to < t_from)
    return g_steal_pointer (&ticks);

  step_s = step_us / TW_USEC_PER_SEC;
  if (step_s <= SEC_PER_HOUR)
    return ticks_by_instant (t_from, t_to, step_s);

  g_date_time_get_ymd (start, &y, &m, &d);
  day = g_date_time_new_local (y, m, d, 0, 0, 0);

  if (step_s >= SEC_PER_DAY)
    {
      gint n_days = (gint) (step_s / SEC_PER_DAY);

      while (day != NULL && ticks->len < MAX_TIME_TICKS)
        {
          gint64 t = to_usec (day);
          GDateTime *next;

          if (t > t_to)
            break;
          if (t >= t_from)
            g_array_append_val (ticks, t);
          next = g_date_time_add_days (day, n_days);
          g_date_time_unref (day);
          day = next;
        }
      return g_steal_pointer (&ticks);
    }

  sod = g_date_time_get_hour (start) * SEC_PER_HOUR
        + g_date_time_get_minute (start) * SEC_PER_MIN
        + g_date_time_get_second (start);
  sod -= sod % step_s;

  while (day != NULL && ticks->len < MAX_TIME_TICKS)
    {
      gboolean past_end = FALSE;
      GDateTime *next;

      g_date_time_get_ymd (day, &y, &m, &d);
      for (; sod < SEC_PER_DAY; sod += step_s)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_local (y, m, d,
                                                           (int) (sod / SEC_PER_HOUR),
                                                           (int) (sod / SEC_PER_MIN % SEC_PER_MIN),
                                                           (double) (sod % SEC_PER_MIN));
          gint64 t;

          if (dt == NULL)
            continue;
          t = to_usec (dt);
          if (t > t_to || ticks->len >= MAX_TIME_TICKS)
            {
              past_end = TRUE;
              break;
            }
          /* A wall-clock time that a daylight-saving change skips or
           * repeats must not add a tick out of order. */
          if (t >= t_from && (ticks->len == 0 || t > g_array_index (ticks, gint64, ticks->len - 1)))
            g_array_append_val (ticks, t);
        }
      if (past_end)
        break;

      sod = 0;
      next = g_date_time_add_days (day, 1);
      g_date_time_unref (day);
      day = next;
    }

  return g_steal_pointer (&ticks);
}

/**
 * tw_chart_time_label:
 * @ts: a tick time, µs UTC
 * @step_us: the step between ticks
 *
 * Returns: (transfer full): the tick's label in local time: "07:15:30"
 *   when the step is under a minute, "07:15" otherwise, and the date
 *   ("24 Nov") at midnight so a day change is seen
 */
char *
tw_chart_time_label (gint64 ts,
                     gint64 step_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (ts / TW_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("?");

  if (g_date_time_get_hour (dt) == 0 && g_date_time_get_minute (dt) == 0
      && g_date_time_get_second (dt) == 0)
    return g_date_time_format (dt, "%-d %b");
  if (step_us < TW_USEC_PER_MIN)
    return g_date_time_format (dt, "%H:%M:%S");
  return g_date_time_format (dt, "%H:%M");
}
