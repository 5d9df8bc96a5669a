#pragma once

#include <glib.h>

#include "tw-aggregate.h"

G_BEGIN_DECLS

/* The resolutions the store maintains, in seconds (the resolution column
 * of the rollups table and the @resolution_s of tw_store_read_rollups()). */
#define TW_ROLLUP_SECOND 1
#define TW_ROLLUP_MINUTE 60
#define TW_ROLLUP_HOUR   3600

/**
 * TwRollupBucket:
 * @bucket: the bucket's start, µs since the epoch; it covers
 *   [@bucket, @bucket + resolution), aligned to the epoch
 * @agg: the samples stored in it
 */
typedef struct
{
  gint64      bucket;
  TwAggregate agg;
} TwRollupBucket;

G_END_DECLS
