#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Event-time progress across sources (ARCHITECTURE.md: windows close on a
 * watermark = highest timestamp minus a bound, per source).
 *
 * Each source's watermark is the highest event time it delivered minus
 * @bound_us. The combined watermark is the minimum over the sources that
 * are not idle; a source that delivered nothing for @idle_timeout_us of
 * processing time is idle and stops holding the others back. When every
 * source is idle the combined watermark is the maximum of the per-source
 * ones, so the last windows still close. Pure: callers pass the time. */

#define TW_WATERMARK_NONE G_MININT64

typedef struct _TwWatermarks TwWatermarks;

TwWatermarks *tw_watermarks_new        (gint64        bound_us,
                                        gint64        idle_timeout_us);
void          tw_watermarks_free       (TwWatermarks *marks);

/* An event with event time @ts from @source_id, seen at processing time
 * @now_us. */
void          tw_watermarks_observe    (TwWatermarks *marks,
                                        gint64        source_id,
                                        gint64        ts,
                                        gint64        now_us);
/* The combined watermark at @now_us; TW_WATERMARK_NONE before any event.
 * Never moves backwards. */
gint64        tw_watermarks_get        (TwWatermarks *marks,
                                        gint64        now_us);
gint64        tw_watermarks_get_source (TwWatermarks *marks,
                                        gint64        source_id);
gboolean      tw_watermarks_is_idle    (TwWatermarks *marks,
                                        gint64        source_id,
                                        gint64        now_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwWatermarks, tw_watermarks_free)

G_END_DECLS
