#pragma once

#include <glib.h>

#include "tw-codec.h"
#include "tw-queue.h"

G_BEGIN_DECLS

typedef enum
{
  TW_SOURCE_STATE_CONNECTING,
  TW_SOURCE_STATE_CONNECTED,
  TW_SOURCE_STATE_RECONNECTING,  /* waiting out the backoff after a failure */
  TW_SOURCE_STATE_FINISHED,      /* the producer said the stream ended */
  TW_SOURCE_STATE_STOPPED,
} TwSourceState;

const char *tw_source_state_to_label (TwSourceState state);

/**
 * TwSourceLive:
 * The figures a source shares with the engine and the UI. The ingest
 * thread writes the first group, the engine the second; everyone reads
 * under @mutex.
 */
typedef struct
{
  GMutex        mutex;
  gint64        source_id;
  char         *url;

  /* written by the ingest thread */
  TwSourceState state;
  char         *last_error;
  guint64       received;          /* messages since this pipeline started */
  guint         reconnects;
  double        message_rate;
  guint64       pushed_batches;
  gint64        newest_event_ts;   /* newest event time received, for lag */

  /* written by the engine thread: totals since the source was created,
   * as persisted with the data */
  guint64       committed_batches;
  gint64        committed_seq;
  guint64       total_received;
  guint64       total_stored;
  guint64       total_duplicates;
  guint64       total_quarantined;
  guint64       base_reconnects;   /* persisted before this pipeline started */
} TwSourceLive;

TwSourceLive *tw_source_live_new        (gint64         source_id,
                                         const char    *url,
                                         gint64         committed_seq);
void          tw_source_live_free       (TwSourceLive  *live);
void          tw_source_live_set_state  (TwSourceLive  *live,
                                         TwSourceState  state,
                                         const char    *error_message);

/**
 * TwSource:
 * The base of every source kind (websocket, SSE, MQTT, MLLP, file). It
 * lives on the ingest thread: create, start, stop and free it there. The
 * base batches decoded messages, hands them to the engine through the
 * bounded queue (blocking when it is full: backpressure), keeps the rate,
 * and runs reconnects with exponential backoff and jitter. A kind fills
 * in the class and calls the tw_source_* helpers below.
 */
typedef struct _TwSource      TwSource;
typedef struct _TwSourceClass TwSourceClass;

struct _TwSourceClass
{
  const char *kind;                       /* "websocket", "sse", … */
  void      (*start)    (TwSource *source);
  void      (*stop)     (TwSource *source);
  void      (*finalize) (TwSource *source);
};

struct _TwSource
{
  const TwSourceClass *klass;
  char                *url;        /* as configured, with ?format= */
  TwFormat             format;     /* from ?format=, AUTO by default */
  TwQueue             *queue;
  TwSourceLive        *live;
  gint64               resume_after;  /* highest sequence handed to the engine */
  TwBatch             *batch;
  guint                flush_id;
  guint                reconnect_id;
  guint                attempt;
  gboolean             finished;
  gboolean             stopping;
  gboolean             own_cursor;  /* the kind sets cursor_seq, not the messages */
  guint                min_backoff_ms;  /* the peer's own retry delay (SSE `retry:`), or 0 */
  const struct _TwLimits *limits;       /* the site's plausible ranges (borrowed) */
  guint64              rate_count;
  gint64               rate_since;
};

typedef TwSource *(*TwSourceNewFunc) (const char  *url,
                                      GError     **error);

/* Factory: picks the kind from the URL scheme (ws, wss, http, https, mqtt,
 * mqtts, mllp, mllp-listen, file, or a plain path). */
gboolean  tw_source_check_url      (const char    *url,
                                    GError       **error);
TwSource *tw_source_new_for_url    (const char    *url,
                                    gint64         resume_after,
                                    TwQueue       *queue,
                                    TwSourceLive  *live,
                                    GError       **error);
void      tw_source_start          (TwSource      *source);
void      tw_source_stop           (TwSource      *source);
void      tw_source_free           (TwSource      *source);

/* For implementations. */
gpointer       tw_source_alloc            (const TwSourceClass *klass,
                                           gsize                instance_size,
                                           const char          *url);
TwBatch       *tw_source_get_batch        (TwSource     *source);
TwDecodeResult tw_source_decode           (TwSource     *source,
                                           const char   *data,
                                           gsize         len,
                                           TwDecodeInfo *info);
void           tw_source_message_done     (TwSource     *source);
void           tw_source_flush            (TwSource     *source);
void           tw_source_connected        (TwSource     *source);
void           tw_source_schedule_reconnect (TwSource   *source,
                                             const char *reason,
                                             GSourceFunc reconnect);
void           tw_source_finish           (TwSource     *source);
guint          tw_source_timeout_add      (guint         interval_ms,
                                           GSourceFunc   func,
                                           gpointer      data);
void           tw_source_remove_timeout   (guint        *id);
char          *tw_source_url_without_params (const char *url,
                                             const char * const *params);
char          *tw_source_url_get_param    (const char   *url,
                                           const char   *name);
char          *tw_source_url_redact       (const char   *url);

G_END_DECLS
