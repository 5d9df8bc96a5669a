#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* All times in Tidewatch are event times in microseconds since the Unix
 * epoch, UTC (the same unit as g_get_real_time()). */
#define TW_USEC_PER_SEC  G_GINT64_CONSTANT (1000000)
#define TW_USEC_PER_MIN  (60 * TW_USEC_PER_SEC)
#define TW_USEC_PER_HOUR (60 * TW_USEC_PER_MIN)

gint64  tw_time_now            (void);
gboolean tw_time_parse_iso8601 (const char *text,
                                gint64     *out_usec);
char   *tw_time_format_iso8601 (gint64      usec);
char   *tw_time_format_local   (gint64      usec,
                                const char *format);

G_END_DECLS
