#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TW_TYPE_TIME_RANGE (tw_time_range_get_type ())

G_DECLARE_FINAL_TYPE (TwTimeRange, tw_time_range, TW, TIME_RANGE, GObject)

/* Narrowest and widest span a chart can be zoomed to. */
#define TW_TIME_RANGE_MIN_SPAN_US (10 * G_USEC_PER_SEC)
#define TW_TIME_RANGE_MAX_SPAN_US ((gint64) 90 * 24 * 3600 * G_USEC_PER_SEC)

TwTimeRange *tw_time_range_new      (void);

gint64       tw_time_range_get_from (TwTimeRange *self);
gint64       tw_time_range_get_to   (TwTimeRange *self);
gint64       tw_time_range_get_span (TwTimeRange *self);
gboolean     tw_time_range_get_live (TwTimeRange *self);

void         tw_time_range_set      (TwTimeRange *self,
                                     gint64       from,
                                     gint64       to);
void         tw_time_range_set_live (TwTimeRange *self,
                                     gboolean     live);
void         tw_time_range_follow   (TwTimeRange *self,
                                     gint64       now);
void         tw_time_range_zoom     (TwTimeRange *self,
                                     double       factor,
                                     gint64       anchor);
void         tw_time_range_pan      (TwTimeRange *self,
                                     gint64       delta_us);

G_END_DECLS
