#pragma once

#include <glib.h>

#include "tw-point.h"
#include "tw-time.h"

G_BEGIN_DECLS

/* Below this, an automatic gap threshold would break lines of 1 Hz series
 * at every late sample. */
#define TW_M4_MIN_AUTO_GAP_US (2 * TW_USEC_PER_SEC)

/* The automatic gap threshold is this many median sample intervals. */
#define TW_M4_AUTO_GAP_FACTOR 3

/**
 * TwM4Column:
 * @has_data: whether any point of the range falls into this column
 * @n_points: how many points fall into this column
 * @first_ts: time of the column's first point
 * @last_ts: time of the column's last point
 * @first: value of the column's first point
 * @last: value of the column's last point
 * @min: smallest value in the column
 * @max: largest value in the column
 *
 * One pixel column of an M4 envelope. Drawing first, min, max and last at
 * the same x is pixel-for-pixel what stroking every raw point would draw.
 */
typedef struct
{
  gboolean has_data;
  guint    n_points;
  gint64   first_ts;
  gint64   last_ts;
  double   first;
  double   last;
  double   min;
  double   max;
} TwM4Column;

/**
 * TwM4:
 * @t_from: start of the range, µs, inclusive
 * @t_to: end of the range, µs, exclusive
 * @width: number of columns
 * @columns: (array length=width): one entry per column
 * @first_inside: index of the first point at or after @t_from
 * @n_inside: number of points in [@t_from, @t_to)
 * @has_before: whether @before is set
 * @before: the last point earlier than @t_from
 * @has_after: whether @after is set
 * @after: the first point at or after @t_to
 *
 * The M4 reduction of sorted points to a range and a pixel width.
 */
typedef struct
{
  gint64      t_from;
  gint64      t_to;
  guint       width;
  TwM4Column *columns;
  guint       first_inside;
  guint       n_inside;
  gboolean    has_before;
  TwPoint     before;
  gboolean    has_after;
  TwPoint     after;
} TwM4;

/**
 * TwM4Vertex:
 * @x: in columns from the left edge of the range; a column's vertices sit at
 *   its centre (column + 0.5) so that 1-unit lines cover whole pixels
 * @value: in data units; the caller maps it to y
 */
typedef struct
{
  double x;
  double value;
} TwM4Vertex;

/**
 * TwM4Polyline:
 * @vertices: (element-type TwM4Vertex): all vertices, sub-path after sub-path
 * @path_starts: (element-type guint): index in @vertices of each sub-path's
 *   first vertex; a new sub-path starts after every gap
 */
typedef struct
{
  GArray *vertices;
  GArray *path_starts;
} TwM4Polyline;

guint         tw_m4_lower_bound            (const TwPoint      *points,
                                            guint               n_points,
                                            gint64              ts);

TwM4         *tw_m4_new                    (const TwPoint      *points,
                                            guint               n_points,
                                            gint64              t_from,
                                            gint64              t_to,
                                            guint               width);
void          tw_m4_free                   (TwM4               *m4);

gint64        tw_m4_auto_gap               (const TwPoint      *points,
                                            guint               n_points);

TwM4Polyline *tw_m4_polyline_new           (const TwM4         *m4,
                                            gint64              gap_us);
void          tw_m4_polyline_free          (TwM4Polyline       *polyline);
guint         tw_m4_polyline_get_n_paths   (const TwM4Polyline *polyline);
const TwM4Vertex *tw_m4_polyline_get_path  (const TwM4Polyline *polyline,
                                            guint               index,
                                            guint              *n_vertices);

/* An envelope of [@t_from, @t_to) at @width columns from pre-aggregated
 * buckets (each with n, min, max, first and last with their times,
 * sorted by first_ts): each bucket goes to the column of its first_ts.
 * @before/@after as in TwM4 (pass NULL when unknown). n_inside counts
 * samples (the sum of n). */
TwM4         *tw_m4_new_from_aggregates    (const TwM4Column   *buckets,
                                            guint               n_buckets,
                                            const TwPoint      *before,
                                            const TwPoint      *after,
                                            gint64              t_from,
                                            gint64              t_to,
                                            guint               width);
/* The same, one bucket at a time, for readers that stream buckets from
 * the store instead of collecting them first: an envelope with no data,
 * then each bucket added to the column of its first_ts (ignored when that
 * is outside the range), in any order. */
TwM4         *tw_m4_new_empty              (gint64              t_from,
                                            gint64              t_to,
                                            guint               width);
void          tw_m4_add_aggregate          (TwM4               *m4,
                                            const TwM4Column   *bucket);
/* The same range at another width, merging columns (exact for first,
 * last, min and max when @width divides the old width; otherwise each old
 * column goes to the new column that holds its first_ts). */
TwM4         *tw_m4_rebin                  (const TwM4         *m4,
                                            guint               width);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwM4, tw_m4_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwM4Polyline, tw_m4_polyline_free)

G_END_DECLS
