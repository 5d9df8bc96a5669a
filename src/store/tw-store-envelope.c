#include "tw-store-envelope.h"
#include "tw-store-rollup.h"
#include "tw-store-rollup-private.h"
#include "tw-time.h"

/* Chart envelopes from the rollups.
 *
 * The range is read at the coarsest level whose bucket fits in a column.
 * Only the buckets cut by the range's edges would carry samples from
 * outside it into the first or last column; each of those is read again
 * one level finer over its part inside the range (hour → minute → second
 * → raw samples), so an unaligned range costs a few small queries at each
 * edge, not a scan of raw rows. The neighbours outside the range are found
 * the same way: the newest bucket before the edge, refined only when the
 * edge cuts it.
 *
 * The inside of the range streams from the store straight into the
 * envelope (tw_store_foreach_rollup()): a week of minutes per series is
 * never held as an array. Everything goes through the store's reads
 * (tw_store_foreach_rollup(), tw_store_read_rollups(),
 * tw_store_read_samples()), so entity keys and pseudonyms are resolved in
 * one place (tw_store_resolve_entity(), which also refuses a patient
 * outside a scoped clinician's wards).
 *
 * Measured with tests/bench/bench-charts.c (7 days × 1 Hz × 10 series,
 * 1200 columns, 2-core machine at load ~1.7): 10 envelopes in ~51 ms
 * after a fresh open, nearly all of it SQLCipher reading and decrypting
 * the ~2200 pages that hold the 100,800 minute buckets. */

/* The search for a neighbour starts this many columns (at least one
 * second) away from the edge and widens sixteen-fold until it finds one
 * or has looked back (or ahead) by the range's own span or a day,
 * whichever is longer: a line never enters from further away than that. */
#define NEIGHBOUR_FIRST_WINDOW_COLUMNS 4
#define NEIGHBOUR_WIDEN_FACTOR         16
#define NEIGHBOUR_MIN_REACH            (24 * TW_USEC_PER_HOUR)

typedef struct
{
  TwStore    *store;
  const char *entity_key;
  const char *metric;
} Series;

static gint64
level_us (TwEnvelopeSource level)
{
  return (gint64) level * TW_USEC_PER_SEC;
}

static TwEnvelopeSource
finer (TwEnvelopeSource level)
{
  switch (level)
    {
    case TW_ENVELOPE_HOUR:
      return TW_ENVELOPE_MINUTE;
    case TW_ENVELOPE_MINUTE:
      return TW_ENVELOPE_SECOND;
    case TW_ENVELOPE_SECOND:
    case TW_ENVELOPE_RAW:
    default:
      return TW_ENVELOPE_RAW;
    }
}

/**
 * tw_envelope_pick_source:
 * @column_us: the time one column covers, µs
 *
 * Returns: the coarsest level whose bucket is no wider than @column_us,
 *   %TW_ENVELOPE_RAW when a column is narrower than a second
 */
TwEnvelopeSource
tw_envelope_pick_source (gint64 column_us)
{
  if (column_us >= level_us (TW_ENVELOPE_HOUR))
    return TW_ENVELOPE_HOUR;
  if (column_us >= level_us (TW_ENVELOPE_MINUTE))
    return TW_ENVELOPE_MINUTE;
  if (column_us >= level_us (TW_ENVELOPE_SECOND))
    return TW_ENVELOPE_SECOND;
  return TW_ENVELOPE_RAW;
}

static void
add_aggregate (TwM4              *m4,
               const TwAggregate *agg)
{
  TwM4Column c = {
    TRUE, (guint) agg->n, agg->first_ts, agg->last_ts, agg->first, agg->last, agg->min, agg->max,
  };

  tw_m4_add_aggregate (m4, &c);
}

static void
add_point (TwM4          *m4,
           const TwPoint *p)
{
  TwM4Column c = { TRUE, 1, p->ts, p->ts, p->value, p->value, p->value, p->value };

  tw_m4_add_aggregate (m4, &c);
}

static GArray *
read_level (const Series      *s,
            TwEnvelopeSource   level,
            gint64             lo,
            gint64             hi,
            GError           **error)
{
  if (level == TW_ENVELOPE_RAW)
    return tw_store_read_samples (s->store, s->entity_key, s->metric, lo, hi, error);
  return tw_store_read_rollups (s->store, s->entity_key, s->metric, (int) level, lo, hi, error);
}

typedef struct
{
  TwM4   *m4;
  gint64  lo;
  gint64  hi;
  gint64  resolution_us;
  /* Buckets cut by an edge, [start, end) clipped to [lo, hi): at most two
   * (one per edge), read again one level finer after this level. */
  gint64  cut[2][2];
  guint   n_cut;
} Collect;

static void
collect_bucket (const TwRollupBucket *b,
                gpointer              user_data)
{
  Collect *c = user_data;

  if (b->agg.last_ts < c->lo || b->agg.first_ts >= c->hi)
    return;   /* all its samples are outside */
  if (b->agg.first_ts >= c->lo && b->agg.last_ts < c->hi)
    {
      add_aggregate (c->m4, &b->agg);
      return;
    }
  g_assert (c->n_cut < G_N_ELEMENTS (c->cut));
  c->cut[c->n_cut][0] = MAX (c->lo, b->bucket);
  c->cut[c->n_cut][1] = MIN (c->hi, b->bucket + c->resolution_us);
  c->n_cut++;
}

/* Adds to @m4 exactly the samples in [@lo, @hi): whole buckets of @level
 * where all their samples are inside, the inside part of a cut bucket read
 * one level finer. The buckets stream from the store into the envelope:
 * a week of minutes is never held as an array. */
static gboolean
collect (const Series      *s,
         TwEnvelopeSource   level,
         gint64             lo,
         gint64             hi,
         TwM4              *m4,
         GError           **error)
{
  Collect c = { m4, lo, hi, level_us (level), { { 0 } }, 0 };

  if (level == TW_ENVELOPE_RAW)
    {
      g_autoptr(GArray) points = tw_store_read_samples (s->store, s->entity_key, s->metric, lo,
                                                        hi, error);

      if (points == NULL)
        return FALSE;
      for (guint i = 0; i < points->len; i++)
        add_point (m4, &g_array_index (points, TwPoint, i));
      return TRUE;
    }

  if (!tw_store_foreach_rollup (s->store, s->entity_key, s->metric, (int) level, lo, hi,
                                collect_bucket, &c, error))
    return FALSE;
  for (guint i = 0; i < c.n_cut; i++)
    if (!collect (s, finer (level), c.cut[i][0], c.cut[i][1], m4, error))
      return FALSE;
  return TRUE;
}

/* The newest sample before @hi among the buckets of @level overlapping
 * [@lo, @hi). */
static gboolean
find_before (const Series      *s,
             TwEnvelopeSource   level,
             gint64             lo,
             gint64             hi,
             TwPoint           *out,
             gboolean          *found,
             GError           **error)
{
  g_autoptr(GArray) rows = read_level (s, level, lo, hi, error);

  if (rows == NULL)
    return FALSE;

  if (level == TW_ENVELOPE_RAW)
    {
      if (rows->len > 0)
        {
          *out = g_array_index (rows, TwPoint, rows->len - 1);
          *found = TRUE;
        }
      return TRUE;
    }

  for (guint i = rows->len; i-- > 0;)
    {
      const TwRollupBucket *b = &g_array_index (rows, TwRollupBucket, i);

      if (b->agg.first_ts >= hi)
        continue;
      if (b->agg.last_ts < hi)
        {
          out->ts = b->agg.last_ts;
          out->value = b->agg.last;
          *found = TRUE;
          return TRUE;
        }
      /* The edge cuts this bucket: its newest sample before the edge is
       * in the part before it, one level finer. */
      return find_before (s, finer (level), b->bucket, hi, out, found, error);
    }
  return TRUE;
}

/* The oldest sample at or after @lo among the buckets of @level
 * overlapping [@lo, @hi). */
static gboolean
find_after (const Series      *s,
            TwEnvelopeSource   level,
            gint64             lo,
            gint64             hi,
            TwPoint           *out,
            gboolean          *found,
            GError           **error)
{
  g_autoptr(GArray) rows = read_level (s, level, lo, hi, error);

  if (rows == NULL)
    return FALSE;

  if (level == TW_ENVELOPE_RAW)
    {
      if (rows->len > 0)
        {
          *out = g_array_index (rows, TwPoint, 0);
          *found = TRUE;
        }
      return TRUE;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      const TwRollupBucket *b = &g_array_index (rows, TwRollupBucket, i);

      if (b->agg.last_ts < lo)
        continue;
      if (b->agg.first_ts >= lo)
        {
          out->ts = b->agg.first_ts;
          out->value = b->agg.first;
          *found = TRUE;
          return TRUE;
        }
      return find_after (s, finer (level), lo, b->bucket + level_us (level), out, found, error);
    }
  return TRUE;
}

/* Looks for a neighbour of @edge (before it when @before, at or after it
 * otherwise) in widening windows, each read at the coarsest level that
 * still cuts it into several buckets. */
static gboolean
find_neighbour (const Series  *s,
                gboolean       before,
                gint64         edge,
                gint64         column_us,
                gint64         reach,
                TwPoint       *out,
                gboolean      *found,
                GError       **error)
{
  gint64 window = MAX (column_us, TW_USEC_PER_SEC) * NEIGHBOUR_FIRST_WINDOW_COLUMNS;

  *found = FALSE;
  for (;;)
    {
      gint64 w = MIN (window, reach);
      TwEnvelopeSource level = tw_envelope_pick_source (w / NEIGHBOUR_FIRST_WINDOW_COLUMNS);
      gboolean ok;

      if (before)
        ok = find_before (s, level, edge - w, edge, out, found, error);
      else
        ok = find_after (s, level, edge, edge + w, out, found, error);
      if (!ok)
        return FALSE;
      if (*found || w >= reach)
        return TRUE;
      window *= NEIGHBOUR_WIDEN_FACTOR;
    }
}

/**
 * tw_store_read_envelope:
 * @store: a store
 * @entity_key: the entity, as tw_store_read_samples() takes it
 * @metric: the metric code
 * @from: start of the range, µs, inclusive
 * @to: end of the range, µs, exclusive; later than @from
 * @width: columns (device pixels), at least 1
 * @out_source: (out) (optional): the level read for the inside of the range
 * @error: return location for an error
 *
 * Reads the M4 envelope of one series from the coarsest rollup that still
 * has a bucket per column (see tw-store-envelope.h). The edges of the range
 * are exact: only samples in [@from, @to) are counted. Before/after are the
 * nearest samples outside the range, looked for up to the range's span (at
 * least a day) away.
 *
 * Returns: (transfer full): the envelope, or %NULL with @error set
 */
TwM4 *
tw_store_read_envelope (TwStore           *store,
                        const char        *entity_key,
                        const char        *metric,
                        gint64             from,
                        gint64             to,
                        guint              width,
                        TwEnvelopeSource  *out_source,
                        GError           **error)
{
  Series s = { store, entity_key, metric };
  g_autoptr(TwM4) m4 = NULL;
  TwEnvelopeSource level;
  gint64 column_us;
  gint64 reach;
  TwPoint before, after;
  gboolean has_before, has_after;

  g_return_val_if_fail (store != NULL && entity_key != NULL && metric != NULL, NULL);
  g_return_val_if_fail (to > from, NULL);
  g_return_val_if_fail (width > 0, NULL);

  column_us = (to - from) / width;
  level = tw_envelope_pick_source (column_us);
  reach = MAX (to - from, NEIGHBOUR_MIN_REACH);

  m4 = tw_m4_new_empty (from, to, width);
  if (!collect (&s, level, from, to, m4, error))
    return NULL;
  if (!find_neighbour (&s, TRUE, from, column_us, reach, &before, &has_before, error))
    return NULL;
  if (!find_neighbour (&s, FALSE, to, column_us, reach, &after, &has_after, error))
    return NULL;

  m4->has_before = has_before;
  m4->before = has_before ? before : (TwPoint) { 0, 0.0 };
  m4->has_after = has_after;
  m4->after = has_after ? after : (TwPoint) { 0, 0.0 };
  if (out_source != NULL)
    *out_source = level;
  return g_steal_pointer (&m4);
}
