#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How the administration pages write figures and raw messages. Pure
 * functions, safe on any thread (the raw message is formatted in a worker). */

#define TW_RAW_PREVIEW_MAX_BYTES (64 * 1024)

char *tw_format_count       (guint64       value);
char *tw_format_rate        (double        messages_per_second);
char *tw_format_lag         (gint64        lag_us);
char *tw_format_raw_message (const guint8 *data,
                             gsize         len,
                             gsize         limit,
                             gboolean     *out_truncated);
char *tw_redact_message     (const char   *message,
                             const char   *url);

G_END_DECLS
