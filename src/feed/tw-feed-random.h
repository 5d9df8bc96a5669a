#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Stateless randomness: every draw is a hash of the keys that name it, so
 * any message of the stream can be computed without its predecessors. */

guint64 tw_feed_random_hash     (guint64 seed,
                                 guint64 a,
                                 guint64 b,
                                 guint64 c);
double  tw_feed_random_uniform  (guint64 seed,
                                 guint64 a,
                                 guint64 b,
                                 guint64 c);
double  tw_feed_random_range    (guint64 seed,
                                 guint64 a,
                                 guint64 b,
                                 guint64 c,
                                 double  low,
                                 double  high);
double  tw_feed_random_gaussian (guint64 seed,
                                 guint64 a,
                                 guint64 b,
                                 guint64 c);

G_END_DECLS
