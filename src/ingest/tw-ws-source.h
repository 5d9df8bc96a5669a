#pragma once

#include <glib.h>

#include "tw-queue.h"
#include "tw-source.h"

G_BEGIN_DECLS

/**
 * TwWsSource:
 * A websocket stream of native JSON. Lives on the ingest thread: create,
 * start and free it there (its SoupSession belongs to that thread's main
 * context). Reconnects with exponential backoff and jitter and resumes
 * after the last sequence number it handed to the engine, which commits
 * everything handed to it: nothing is missed, nothing is stored twice.
 */
typedef struct _TwWsSource TwWsSource;

TwWsSource *tw_ws_source_new   (const char   *url,
                                gint64        resume_after,
                                TwQueue      *queue,
                                TwSourceLive *live);
void        tw_ws_source_start (TwWsSource   *source);
void        tw_ws_source_stop  (TwWsSource   *source);
void        tw_ws_source_free  (TwWsSource   *source);

gboolean    tw_ws_source_check_url (const char *url,
                                    GError    **error);

G_END_DECLS
