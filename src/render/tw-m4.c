#include "tw-m4.h"

#include <math.h>
#include <stdlib.h>

/* The automatic gap threshold looks at no more than this many intervals,
 * spread evenly over the points: an exact median of a week at 1 Hz would
 * cost more than the whole envelope, and a spread sample of this size finds
 * the typical interval of any series that has one. Odd, so the median is a
 * sample. */
#define AUTO_GAP_MAX_SAMPLES 1025

/**
 * tw_m4_lower_bound:
 * @points: (array length=n_points): points sorted by time
 * @n_points: number of points
 * @ts: a time, µs
 *
 * Returns: the index of the first point at or after @ts, @n_points if none
 */
guint
tw_m4_lower_bound (const TwPoint *points,
                   guint          n_points,
                   gint64         ts)
{
  guint lo = 0;
  guint hi = n_points;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (points[mid].ts < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The first offset from the range's start that falls into column @x:
 * ceil (@x × @span / @width), the inverse of the column formula. */
static gint64
column_start (gint64   span,
              guint    width,
              guint    x,
              gboolean exact)
{
  if (exact)
    return ((gint64) x * span + width - 1) / width;
  return (gint64) ceil ((double) x * (double) span / width);
}

/**
 * tw_m4_new:
 * @points: (array length=n_points): points sorted by time
 * @n_points: number of points
 * @t_from: start of the range, µs, inclusive
 * @t_to: end of the range, µs, exclusive; later than @t_from
 * @width: number of pixel columns, at least 1
 *
 * Reduces the points in [@t_from, @t_to) to @width columns, a point at time
 * ts falling into column floor ((ts - @t_from) × @width / (@t_to - @t_from)).
 * Also keeps the nearest point outside each edge so a line can reach the
 * edge. Costs one pass over the points in range and one over the columns.
 *
 * Returns: (transfer full): the envelope; free with tw_m4_free()
 */
TwM4 *
tw_m4_new (const TwPoint *points,
           guint          n_points,
           gint64         t_from,
           gint64         t_to,
           guint          width)
{
  g_autoptr(TwM4) m4 = NULL;
  guint lo;
  guint hi;
  gint64 span;
  gboolean exact;
  guint x;
  gint64 next;

  g_return_val_if_fail (points != NULL || n_points == 0, NULL);
  g_return_val_if_fail (t_to > t_from, NULL);
  g_return_val_if_fail (width > 0, NULL);

  m4 = g_new0 (TwM4, 1);
  m4->t_from = t_from;
  m4->t_to = t_to;
  m4->width = width;
  m4->columns = g_new0 (TwM4Column, width);

  lo = tw_m4_lower_bound (points, n_points, t_from);
  hi = tw_m4_lower_bound (points, n_points, t_to);
  m4->first_inside = lo;
  m4->n_inside = hi - lo;
  if (lo > 0)
    {
      m4->has_before = TRUE;
      m4->before = points[lo - 1];
    }
  if (hi < n_points)
    {
      m4->has_after = TRUE;
      m4->after = points[hi];
    }

  /* Integer arithmetic puts a point on a column boundary into the right
   * column; only ranges of centuries at wide widths would overflow it. */
  span = t_to - t_from;
  exact = span <= G_MAXINT64 / (gint64) width;
  x = 0;
  next = column_start (span, width, 1, exact);

  for (guint i = lo; i < hi; i++)
    {
      const TwPoint *p = &points[i];
      gint64 offset = p->ts - t_from;
      TwM4Column *col;

      /* Sorted points only ever move right: one comparison per point and
       * one division per column instead of one division per point. */
      while (offset >= next && x + 1 < width)
        {
          x++;
          next = column_start (span, width, x + 1, exact);
        }
      col = &m4->columns[x];

      if (!col->has_data)
        {
          col->has_data = TRUE;
          col->first_ts = p->ts;
          col->first = p->value;
          col->min = p->value;
          col->max = p->value;
        }
      else
        {
          col->min = MIN (col->min, p->value);
          col->max = MAX (col->max, p->value);
        }
      col->n_points++;
      col->last_ts = p->ts;
      col->last = p->value;
    }

  return g_steal_pointer (&m4);
}

/* Where column assignment starts: the span and whether integer arithmetic
 * is exact for it (shared by the constructors below). */
typedef struct
{
  gint64   t_from;
  gint64   span;
  guint    width;
  gboolean exact;
  guint    x;       /* the current column */
  gint64   start;   /* offset where column x starts */
  gint64   next;    /* offset where column x + 1 starts */
} ColumnCursor;

static void
column_cursor_init (ColumnCursor *c,
                    gint64        t_from,
                    gint64        t_to,
                    guint         width)
{
  c->t_from = t_from;
  c->span = t_to - t_from;
  c->width = width;
  c->exact = c->span <= G_MAXINT64 / (gint64) width;
  c->x = 0;
  c->start = 0;
  c->next = column_start (c->span, width, 1, c->exact);
}

/* The column of @ts (inside the range). Sorted times cost a comparison or
 * two (the same column or the next); any other time one division. */
static guint
column_cursor_find (ColumnCursor *c,
                    gint64        ts)
{
  gint64 offset = ts - c->t_from;
  guint x;

  if (offset >= c->start && offset < c->next)
    return c->x;
  if (offset >= c->next && c->x + 1 < c->width)
    {
      c->x++;
      c->start = c->next;
      c->next = column_start (c->span, c->width, c->x + 1, c->exact);
      if (offset < c->next)
        return c->x;
    }

  if (c->exact)
    x = (guint) (offset * (gint64) c->width / c->span);
  else
    x = (guint) CLAMP ((double) offset * c->width / (double) c->span, 0.0, c->width - 1.0);
  x = MIN (x, c->width - 1);
  /* Rounding of the double formula may miss by one either way. */
  while (x > 0 && offset < column_start (c->span, c->width, x, c->exact))
    x--;
  while (x + 1 < c->width && offset >= column_start (c->span, c->width, x + 1, c->exact))
    x++;
  c->x = x;
  c->start = column_start (c->span, c->width, x, c->exact);
  c->next = column_start (c->span, c->width, x + 1, c->exact);
  return x;
}

/* Folds the aggregate @b into @col by time, so the result does not depend
 * on the order in which buckets arrive. */
static void
column_merge (TwM4Column       *col,
              const TwM4Column *b)
{
  if (!col->has_data)
    {
      *col = *b;
      col->has_data = TRUE;
      return;
    }
  col->min = MIN (col->min, b->min);
  col->max = MAX (col->max, b->max);
  col->n_points += b->n_points;
  if (b->first_ts < col->first_ts)
    {
      col->first_ts = b->first_ts;
      col->first = b->first;
    }
  if (b->last_ts >= col->last_ts)
    {
      col->last_ts = b->last_ts;
      col->last = b->last;
    }
}

/**
 * tw_m4_new_from_aggregates:
 * @buckets: (array length=n_buckets): aggregates sorted by first_ts; an
 *   entry without has_data is skipped
 * @n_buckets: number of buckets
 * @before: (nullable): the last sample earlier than @t_from
 * @after: (nullable): the first sample at or after @t_to
 * @t_from: start of the range, µs, inclusive
 * @t_to: end of the range, µs, exclusive; later than @t_from
 * @width: number of columns, at least 1
 *
 * The envelope of pre-aggregated buckets (rollups): each bucket goes whole
 * to the column that holds its first_ts, by the same formula as
 * tw_m4_new(), so when no bucket straddles a column edge the result is
 * what tw_m4_new() gives for the raw samples. A bucket whose first_ts lies
 * outside [@t_from, @t_to) has no column and is left out: the caller
 * splits edge buckets (tw_store_read_envelope() reads them finer).
 * first_inside is 0 (there is no point array); n_inside is the number of
 * samples, the sum of the buckets' n_points.
 *
 * Returns: (transfer full): the envelope; free with tw_m4_free()
 */
TwM4 *
tw_m4_new_from_aggregates (const TwM4Column *buckets,
                           guint             n_buckets,
                           const TwPoint    *before,
                           const TwPoint    *after,
                           gint64            t_from,
                           gint64            t_to,
                           guint             width)
{
  g_autoptr(TwM4) m4 = NULL;
  ColumnCursor cursor;

  g_return_val_if_fail (buckets != NULL || n_buckets == 0, NULL);
  g_return_val_if_fail (t_to > t_from, NULL);
  g_return_val_if_fail (width > 0, NULL);

  m4 = g_new0 (TwM4, 1);
  m4->t_from = t_from;
  m4->t_to = t_to;
  m4->width = width;
  m4->columns = g_new0 (TwM4Column, width);
  if (before != NULL)
    {
      m4->has_before = TRUE;
      m4->before = *before;
    }
  if (after != NULL)
    {
      m4->has_after = TRUE;
      m4->after = *after;
    }

  column_cursor_init (&cursor, t_from, t_to, width);
  for (guint i = 0; i < n_buckets; i++)
    {
      const TwM4Column *b = &buckets[i];

      if (!b->has_data || b->first_ts < t_from || b->first_ts >= t_to)
        continue;
      column_merge (&m4->columns[column_cursor_find (&cursor, b->first_ts)], b);
      m4->n_inside += b->n_points;
    }

  return g_steal_pointer (&m4);
}

/**
 * tw_m4_new_empty:
 * @t_from: start of the range, µs, inclusive
 * @t_to: end of the range, µs, exclusive; later than @t_from
 * @width: number of columns, at least 1
 *
 * An envelope without data, to be filled with tw_m4_add_aggregate().
 *
 * Returns: (transfer full): the envelope; free with tw_m4_free()
 */
TwM4 *
tw_m4_new_empty (gint64 t_from,
                 gint64 t_to,
                 guint  width)
{
  TwM4 *m4;

  g_return_val_if_fail (t_to > t_from, NULL);
  g_return_val_if_fail (width > 0, NULL);

  m4 = g_new0 (TwM4, 1);
  m4->t_from = t_from;
  m4->t_to = t_to;
  m4->width = width;
  m4->columns = g_new0 (TwM4Column, width);
  return m4;
}

/**
 * tw_m4_add_aggregate:
 * @m4: an envelope
 * @bucket: an aggregate (a rollup bucket); skipped without has_data
 *
 * Adds @bucket whole to the column holding its first_ts, as
 * tw_m4_new_from_aggregates() does; a bucket starting outside the range is
 * left out. Buckets may come in any order: columns merge by time.
 */
void
tw_m4_add_aggregate (TwM4             *m4,
                     const TwM4Column *bucket)
{
  ColumnCursor cursor;

  g_return_if_fail (m4 != NULL && bucket != NULL);

  if (!bucket->has_data || bucket->first_ts < m4->t_from || bucket->first_ts >= m4->t_to)
    return;
  column_cursor_init (&cursor, m4->t_from, m4->t_to, m4->width);
  column_merge (&m4->columns[column_cursor_find (&cursor, bucket->first_ts)], bucket);
  m4->n_inside += bucket->n_points;
}

/**
 * tw_m4_rebin:
 * @m4: an envelope
 * @width: the new number of columns, at least 1
 *
 * The same range at @width columns: each old column goes whole to the new
 * column that holds its first_ts. When @width divides the old width every
 * old column lies inside one new column, so first, last, min and max are
 * exactly what tw_m4_new() gives at @width; otherwise a column straddling
 * a new edge lands on the side of its first point.
 *
 * Returns: (transfer full): the new envelope; free with tw_m4_free()
 */
TwM4 *
tw_m4_rebin (const TwM4 *m4,
             guint       width)
{
  g_autoptr(TwM4) out = NULL;
  ColumnCursor cursor;

  g_return_val_if_fail (m4 != NULL, NULL);
  g_return_val_if_fail (width > 0, NULL);

  out = g_new0 (TwM4, 1);
  *out = *m4;
  out->width = width;
  out->columns = g_new0 (TwM4Column, width);

  column_cursor_init (&cursor, m4->t_from, m4->t_to, width);
  for (guint x = 0; x < m4->width; x++)
    {
      const TwM4Column *col = &m4->columns[x];

      if (col->has_data)
        column_merge (&out->columns[column_cursor_find (&cursor, col->first_ts)], col);
    }

  return g_steal_pointer (&out);
}

void
tw_m4_free (TwM4 *m4)
{
  if (m4 == NULL)
    return;
  g_free (m4->columns);
  g_free (m4);
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/**
 * tw_m4_auto_gap:
 * @points: (array length=n_points): points sorted by time
 * @n_points: number of points
 *
 * The gap threshold to use when none is configured: a pause longer than
 * %TW_M4_AUTO_GAP_FACTOR median sample intervals, and never shorter than
 * %TW_M4_MIN_AUTO_GAP_US. Long series are sampled at evenly spread
 * intervals so the cost does not grow with the number of points.
 *
 * Returns: the threshold in µs
 */
gint64
tw_m4_auto_gap (const TwPoint *points,
                guint          n_points)
{
  g_autofree gint64 *intervals = NULL;
  guint n_intervals;
  guint n_samples;
  gint64 median;

  g_return_val_if_fail (points != NULL || n_points == 0, TW_M4_MIN_AUTO_GAP_US);

  if (n_points < 2)
    return TW_M4_MIN_AUTO_GAP_US;

  n_intervals = n_points - 1;
  n_samples = MIN (n_intervals, AUTO_GAP_MAX_SAMPLES);
  intervals = g_new (gint64, n_samples);
  for (guint i = 0; i < n_samples; i++)
    {
      guint k = (guint) ((guint64) i * n_intervals / n_samples);

      intervals[i] = points[k + 1].ts - points[k].ts;
    }
  qsort (intervals, n_samples, sizeof (gint64), compare_gint64);

  if (n_samples % 2 == 1)
    median = intervals[n_samples / 2];
  else
    median = (intervals[n_samples / 2 - 1] + intervals[n_samples / 2]) / 2;

  return MAX (TW_M4_AUTO_GAP_FACTOR * median, TW_M4_MIN_AUTO_GAP_US);
}

/* The value of the straight line between two points at time @ts. */
static double
interpolate (const TwPoint *a,
             const TwPoint *b,
             gint64         ts)
{
  if (b->ts == a->ts)
    return b->value;
  return a->value + (b->value - a->value) * (double) (ts - a->ts) / (double) (b->ts - a->ts);
}

static void
append_vertex (TwM4Polyline *polyline,
               double        x,
               double        value)
{
  TwM4Vertex v = { x, value };

  g_array_append_val (polyline->vertices, v);
}

static void
start_path (TwM4Polyline *polyline)
{
  guint start = polyline->vertices->len;

  g_array_append_val (polyline->path_starts, start);
}

/**
 * tw_m4_polyline_new:
 * @m4: an envelope from tw_m4_new()
 * @gap_us: a pause between two consecutive points longer than this breaks
 *   the line
 *
 * Builds the line to stroke: for each column with data the vertices (x,
 * first), (x, min), (x, max), (x, last) at the column's centre, joined to
 * the neighbouring columns unless the time between their points exceeds
 * @gap_us, in which case a new sub-path starts: gaps are drawn as gaps,
 * never bridged. Where the nearest point outside an edge is close enough,
 * the line runs on to that edge (x = 0 or x = width) at the value it has
 * there.
 *
 * Returns: (transfer full): the polyline; free with tw_m4_polyline_free()
 */
TwM4Polyline *
tw_m4_polyline_new (const TwM4 *m4,
                    gint64      gap_us)
{
  g_autoptr(TwM4Polyline) polyline = NULL;
  TwPoint prev = { 0, 0.0 };
  gboolean have_prev = FALSE;
  gboolean path_open = FALSE;

  g_return_val_if_fail (m4 != NULL, NULL);

  polyline = g_new0 (TwM4Polyline, 1);
  polyline->vertices = g_array_sized_new (FALSE, FALSE, sizeof (TwM4Vertex),
                                          4 * MIN (m4->width, m4->n_inside) + 2);
  polyline->path_starts = g_array_new (FALSE, FALSE, sizeof (guint));

  if (m4->has_before)
    {
      prev = m4->before;
      have_prev = TRUE;
    }

  for (guint x = 0; x < m4->width; x++)
    {
      const TwM4Column *col = &m4->columns[x];
      TwPoint first;
      double cx = x + 0.5;

      if (!col->has_data)
        continue;

      first.ts = col->first_ts;
      first.value = col->first;
      if (have_prev && first.ts - prev.ts <= gap_us)
        {
          /* Joined to the previous point; if no path is open yet, that
           * point lies before the range and the line starts at the edge. */
          if (!path_open)
            {
              start_path (polyline);
              append_vertex (polyline, 0.0, interpolate (&prev, &first, m4->t_from));
              path_open = TRUE;
            }
        }
      else
        {
          start_path (polyline);
          path_open = TRUE;
        }

      append_vertex (polyline, cx, col->first);
      append_vertex (polyline, cx, col->min);
      append_vertex (polyline, cx, col->max);
      append_vertex (polyline, cx, col->last);

      prev.ts = col->last_ts;
      prev.value = col->last;
      have_prev = TRUE;
    }

  if (m4->has_after && have_prev && m4->after.ts - prev.ts <= gap_us)
    {
      if (!path_open)
        {
          /* Nothing inside: the line crosses the whole range between the
           * two neighbours. */
          start_path (polyline);
          append_vertex (polyline, 0.0, interpolate (&prev, &m4->after, m4->t_from));
        }
      append_vertex (polyline, m4->width, interpolate (&prev, &m4->after, m4->t_to));
    }

  return g_steal_pointer (&polyline);
}

void
tw_m4_polyline_free (TwM4Polyline *polyline)
{
  if (polyline == NULL)
    return;
  g_array_unref (polyline->vertices);
  g_array_unref (polyline->path_starts);
  g_free (polyline);
}

guint
tw_m4_polyline_get_n_paths (const TwM4Polyline *polyline)
{
  g_return_val_if_fail (polyline != NULL, 0);

  return polyline->path_starts->len;
}

/**
 * tw_m4_polyline_get_path:
 * @polyline: a polyline
 * @index: which sub-path, below tw_m4_polyline_get_n_paths()
 * @n_vertices: (out): number of vertices of the sub-path
 *
 * Returns: (transfer none) (array length=n_vertices): the sub-path's vertices
 */
const TwM4Vertex *
tw_m4_polyline_get_path (const TwM4Polyline *polyline,
                         guint               index,
                         guint              *n_vertices)
{
  guint start;
  guint end;

  g_return_val_if_fail (polyline != NULL, NULL);
  g_return_val_if_fail (index < polyline->path_starts->len, NULL);
  g_return_val_if_fail (n_vertices != NULL, NULL);

  start = g_array_index (polyline->path_starts, guint, index);
  if (index + 1 < polyline->path_starts->len)
    end = g_array_index (polyline->path_starts, guint, index + 1);
  else
    end = polyline->vertices->len;

  *n_vertices = end - start;
  return &g_array_index (polyline->vertices, TwM4Vertex, start);
}
