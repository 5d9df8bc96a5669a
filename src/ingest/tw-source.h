#pragma once

#include <glib.h>

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

  /* written by the engine thread: totals since the source was created,
   * as persisted with the data */
  guint64       committed_batches;
  gint64        committed_seq;
  guint64       total_received;
  guint64       total_stored;
  guint64       total_duplicates;
  guint64       total_quarantined;
} TwSourceLive;

TwSourceLive *tw_source_live_new        (gint64         source_id,
                                         const char    *url,
                                         gint64         committed_seq);
void          tw_source_live_free       (TwSourceLive  *live);
void          tw_source_live_set_state  (TwSourceLive  *live,
                                         TwSourceState  state,
                                         const char    *error_message);

G_END_DECLS
