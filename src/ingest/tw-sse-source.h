#pragma once

#include "tw-source.h"

G_BEGIN_DECLS

/* An HTTP event stream (http://, https://; WHATWG server-sent events).
 * Each event's data is one message. Resumes with the Last-Event-ID header:
 * the sequence number of the last message handed to the engine, or the
 * server's own last event id when its ids are not numbers. `retry:` sets
 * the reconnect delay; `event: end` ends the stream. `?stall=SECONDS`
 * (default 15) is how long a silent connection is trusted. */
TwSource *tw_sse_source_new (const char  *url,
                             GError     **error);

G_END_DECLS
