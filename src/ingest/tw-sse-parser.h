#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TwSseEvent:
 * @type: the event type: "message" unless an `event:` field named another
 * @data: the `data:` lines joined with "\n", NUL-terminated
 * @data_len: length of @data in bytes
 * @last_event_id: the stream's last event id as of this event ("" when none
 *   was ever set); it carries over to events without an `id:` field
 * @oversize: the event was longer than the parser's limit; @data holds only
 *   its first bytes (for quarantine), never a usable message
 *
 * One dispatched event. Everything points into the parser: valid only
 * during the callback.
 */
typedef struct
{
  const char *type;
  const char *data;
  gsize       data_len;
  const char *last_event_id;
  gboolean    oversize;
} TwSseEvent;

typedef struct _TwSseParser TwSseParser;

/**
 * TwSseEventFunc:
 * Called for every dispatched event, in stream order.
 *
 * Returns: %TRUE to go on, %FALSE to stop parsing (the stream ended): the
 *   rest of the input, and all later input, is ignored
 */
typedef gboolean (*TwSseEventFunc) (const TwSseEvent *event,
                                    gpointer          user_data);

TwSseParser *tw_sse_parser_new                (gsize           max_event_size,
                                               TwSseEventFunc  func,
                                               gpointer        user_data);
void         tw_sse_parser_free               (TwSseParser    *parser);
void         tw_sse_parser_feed               (TwSseParser    *parser,
                                               const char     *data,
                                               gsize           len);
void         tw_sse_parser_reset              (TwSseParser    *parser);
const char  *tw_sse_parser_get_last_event_id  (TwSseParser    *parser);
gint64       tw_sse_parser_get_retry_ms       (TwSseParser    *parser);
gboolean     tw_sse_parser_is_stopped         (TwSseParser    *parser);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwSseParser, tw_sse_parser_free)

G_END_DECLS
