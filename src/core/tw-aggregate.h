#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* n, sum, min, max, first, last of a set of samples — the shape of a
 * rollup bucket and of a window's result. first/last keep their times so
 * out-of-order samples and merged aggregates give the same answer as one
 * pass over the sorted samples. */
typedef struct
{
  gint64 n;
  double sum;
  double min;
  double max;
  double first;
  gint64 first_ts;
  double last;
  gint64 last_ts;
} TwAggregate;

void   tw_aggregate_add   (TwAggregate       *agg,
                           gint64             ts,
                           double             value);
void   tw_aggregate_merge (TwAggregate       *into,
                           const TwAggregate *other);
double tw_aggregate_mean  (const TwAggregate *agg);

G_END_DECLS
