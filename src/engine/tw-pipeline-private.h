#pragma once

#include "tw-alert.h"
#include "tw-limits.h"
#include "tw-pipeline.h"
#include "tw-queue.h"
#include "tw-store.h"

G_BEGIN_DECLS

/* Three threads: ingest (sources, decoding) → queue → engine (rules and
 * the alert board: an alert never waits for the store) → write queue →
 * writer (the store's only writer: commits, cursors, retries).
 * tw-pipeline.c holds the object, the ingest and engine threads;
 * tw-pipeline-alerts.c the rules and board; tw-pipeline-writer.c the
 * writer. */

/* ARCHITECTURE.md: commit every ≤250 ms or ≤10k rows. */
#define TW_PIPELINE_COMMIT_MAX_ROWS   10000
#define TW_PIPELINE_COMMIT_MAX_AGE_US (250 * 1000)
#define TW_PIPELINE_QUEUE_MAX_ROWS    (4 * TW_PIPELINE_COMMIT_MAX_ROWS)
/* Batches the rules have seen may wait this long for the store (about
 * 16 s of a 10k rows/s stream, a few MB): a store that falls behind for a
 * while delays the commits, not the alerts. Beyond it the engine waits and
 * the queue before it fills, so the sources stop reading. */
#define TW_PIPELINE_WRITE_MAX_ROWS    (16 * TW_PIPELINE_COMMIT_MAX_ROWS)
/* Operator commands and the board's clock every ≤100 ms; an alert change
 * alone is committed within as long. */
#define TW_PIPELINE_TURN_US           (100 * 1000)

typedef struct _TwPipelineAlerts TwPipelineAlerts;
typedef struct _TwAlertChanges   TwAlertChanges;

struct _TwPipeline
{
  char         *store_path;
  char         *spool_path;     /* data_dir/tidewatch.spool */
  TwLimits     *limits;
  GPtrArray    *requested_urls;
  gboolean      add_stored;
  TwQueue      *queue;          /* ingest → engine */
  TwQueue      *write_queue;    /* engine → writer: evaluated batches */
  GAsyncQueue  *alert_commands; /* TwAlertCommand*, applied by the engine thread */

  GThread      *engine_thread;
  GThread      *ingest_thread;
  GMainContext *ingest_context;
  GMainLoop    *ingest_loop;

  GMutex        mutex;          /* guards everything below */
  GPtrArray    *lives;          /* TwSourceLive*, filled by the engine thread */
  gboolean      stopping;
  gboolean      engine_done;    /* the engine handed over its last batch */
  gboolean      failed;
  guint64       data_generation;
  guint64       entity_generation;
  guint64       n_commits;
  guint64       rows_committed;
  gint64        last_commit_time;
  char         *storage_error;
  TwAlertSnapshot *alert_snapshot;  /* the latest published; never NULL */
  GPtrArray    *locked_alerts;  /* TwLockedAlert*, published with the snapshot */

  /* The database key: NULL while detached (the screen is locked). Read
   * only through tw_pipeline_dup_key(): detach wipes it from any thread. */
  TwKey        *key;
  /* Lock and unlock (issue 6). The writer owns the transitions: a caller
   * sets a request and, for a detach, waits on @cond for the writer. */
  GCond         cond;
  gboolean      detach_requested;
  gboolean      attach_requested;
  gboolean      detached;       /* the writer holds no connection, spools */
  gboolean      attaching;      /* the writer is opening the store for an attach */
  gboolean      writer_gone;    /* never started or finished: nobody to wait for */
  guint         borrowed;       /* engine connections open besides the writer's */
  guint64       spooled;
  gboolean      merging;
  guint64       merge_done;
  guint64       merge_total;
};

typedef enum
{
  TW_ALERT_COMMAND_ACKNOWLEDGE,
  TW_ALERT_COMMAND_ESCALATE,
  TW_ALERT_COMMAND_PAUSE_AUDIO,
  TW_ALERT_COMMAND_RELOAD_RULES,
} TwAlertCommandKind;

typedef struct
{
  TwAlertCommandKind kind;
  guint64            alert_id;
  char              *who;
  char              *note;
} TwAlertCommand;

void              tw_alert_command_free        (TwAlertCommand *command);
TwAlertSnapshot  *tw_alert_snapshot_new_empty  (void);

gboolean          tw_pipeline_is_stopping      (TwPipeline     *pipeline);
/* A copy of the key for a connection of the caller's (free it at once
 * after opening), NULL while detached. */
TwKey            *tw_pipeline_dup_key          (TwPipeline     *pipeline);
/* Opens a connection for the engine (real entity keys, no user); fails
 * with %TW_ERROR_PERMISSION_DENIED while detached. */
TwStore          *tw_pipeline_open_store       (TwPipeline     *pipeline,
                                                GError        **error);
/* A short-lived connection of the engine thread (a rules reload): NULL
 * while detached (@error unset then: try again after the attach). A
 * detach waits until it is given back. */
TwStore          *tw_pipeline_borrow_store     (TwPipeline     *pipeline,
                                                GError        **error);
void              tw_pipeline_return_store     (TwPipeline     *pipeline,
                                                TwStore        *store);
gboolean          tw_pipeline_is_engine_done   (TwPipeline     *pipeline);
void              tw_pipeline_set_storage_error (TwPipeline    *pipeline,
                                                 const GError  *error);

/* ---- engine thread (tw-pipeline-alerts.c) ----
 * New seeds and loads the rules, restores the open alerts and the next id,
 * and reads the entities' groups, through @store (the writer's connection,
 * before the writer starts). */
TwPipelineAlerts *tw_pipeline_alerts_new       (TwPipeline        *pipeline,
                                                TwStore           *store,
                                                GError           **error);
void              tw_pipeline_alerts_free      (TwPipelineAlerts  *alerts);
/* Runs the rules over a batch as soon as it is popped; the rules never see
 * a batch twice (the writer's retries do not come back here). */
void              tw_pipeline_alerts_evaluate  (TwPipelineAlerts  *alerts,
                                                const TwBatch     *batch);
/* Every loop turn: operator commands, the board's clock, changes into the
 * outbox, and a new snapshot when anything changed. */
void              tw_pipeline_alerts_turn      (TwPipelineAlerts  *alerts);

/* ---- any thread: the outbox of changes not yet stored ---- */
gboolean          tw_pipeline_alerts_has_changes (TwPipelineAlerts *alerts);
/* Moves the outbox into @changes (newer alert states replace older ones,
 * transitions and late counts add up). */
void              tw_pipeline_alerts_take_changes (TwPipelineAlerts *alerts,
                                                   TwAlertChanges   *changes);

TwAlertChanges   *tw_alert_changes_new         (void);
void              tw_alert_changes_free        (TwAlertChanges    *changes);
gboolean          tw_alert_changes_is_empty    (TwAlertChanges    *changes);
void              tw_alert_changes_clear       (TwAlertChanges    *changes);
/* Inside the writer's transaction; the changes stay until cleared, so a
 * failed commit writes them again. */
gboolean          tw_alert_changes_write       (TwAlertChanges    *changes,
                                                TwStore           *store,
                                                GError           **error);

/* ---- writer thread (tw-pipeline-writer.c) ---- */
typedef struct
{
  TwPipeline       *pipeline;
  TwStore          *store;       /* taken over */
  TwPipelineAlerts *alerts;      /* only its outbox is used */
} TwPipelineWriterStart;

gpointer          tw_pipeline_writer_main      (gpointer data);  /* TwPipelineWriterStart*, freed */

G_END_DECLS
