#pragma once

#include "tw-source.h"

G_BEGIN_DECLS

/* A websocket stream (ws://, wss://). Resumes with `?after=SEQ`, the
 * sequence number of the last message handed to the engine. */
TwSource *tw_ws_source_new (const char  *url,
                            GError     **error);

G_END_DECLS
