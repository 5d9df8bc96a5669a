#include <math.h>

#include "tw-aggregate.h"

/* Ties in time: @first keeps the earliest-added of the samples sharing the
 * smallest time and @last the latest-added of those sharing the largest,
 * which is what one pass over a stable sort of the samples gives. A merge
 * treats @other as added after @into, so merging in arrival order agrees
 * with adding the samples one by one. */

/**
 * tw_aggregate_add:
 * @agg: an aggregate, zero-filled when empty
 * @ts: the sample's event time
 * @value: the sample's value
 */
void
tw_aggregate_add (TwAggregate *agg,
                  gint64       ts,
                  double       value)
{
  TwAggregate one = { 1, value, value, value, value, ts, value, ts };

  g_return_if_fail (agg != NULL);
  tw_aggregate_merge (agg, &one);
}

/**
 * tw_aggregate_merge:
 * @into: the aggregate that grows
 * @other: an aggregate of samples taken as added after those of @into
 */
void
tw_aggregate_merge (TwAggregate       *into,
                    const TwAggregate *other)
{
  g_return_if_fail (into != NULL && other != NULL);

  if (other->n == 0)
    return;
  if (into->n == 0)
    {
      *into = *other;
      return;
    }
  into->n += other->n;
  into->sum += other->sum;
  into->min = MIN (into->min, other->min);
  into->max = MAX (into->max, other->max);
  if (other->first_ts < into->first_ts)
    {
      into->first = other->first;
      into->first_ts = other->first_ts;
    }
  if (other->last_ts >= into->last_ts)
    {
      into->last = other->last;
      into->last_ts = other->last_ts;
    }
}

/**
 * tw_aggregate_mean:
 *
 * Returns: the mean, or NAN for an empty aggregate (there is none, and 0
 *   would look like a measurement)
 */
double
tw_aggregate_mean (const TwAggregate *agg)
{
  g_return_val_if_fail (agg != NULL, NAN);

  if (agg->n == 0)
    return NAN;
  return agg->sum / (double) agg->n;
}
