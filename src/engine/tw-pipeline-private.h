#pragma once

#include "tw-alert.h"
#include "tw-limits.h"
#include "tw-pipeline.h"
#include "tw-queue.h"
#include "tw-store.h"

G_BEGIN_DECLS

/* Shared by tw-pipeline.c (threads, sources, commits) and
 * tw-pipeline-alerts.c (rules and the alert board on the engine thread). */

struct _TwPipeline
{
  char         *store_path;
  TwLimits     *limits;
  TwKey        *key;
  GPtrArray    *requested_urls;
  gboolean      add_stored;
  TwQueue      *queue;
  GAsyncQueue  *alert_commands;  /* TwAlertCommand*, applied by the engine thread */

  GThread      *engine_thread;
  GThread      *ingest_thread;
  GMainContext *ingest_context;
  GMainLoop    *ingest_loop;

  GMutex        mutex;          /* guards everything below */
  GPtrArray    *lives;          /* TwSourceLive*, filled by the engine thread */
  gboolean      stopping;
  gboolean      failed;
  guint64       data_generation;
  guint64       entity_generation;
  guint64       n_commits;
  guint64       rows_committed;
  gint64        last_commit_time;
  char         *storage_error;
  TwAlertSnapshot *alert_snapshot;  /* the latest published; never NULL */
};

typedef struct _TwPipelineAlerts TwPipelineAlerts;

/* The engine thread's state. */
typedef struct
{
  TwStore          *store;
  GPtrArray        *pending;       /* TwBatch* written in the open transaction */
  guint             pending_rows;
  gint64            tx_started;
  gboolean          in_transaction;
  gboolean          failed;        /* the last write or commit failed: retry */
  TwPipelineAlerts *alerts;
  GQueue            backlog;       /* TwBatch*: evaluated by the rules, not written yet */
  guint             backlog_rows;
} TwPipelineEngine;

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

/* Engine thread only. Start seeds and loads the rules, restores the open
 * alerts and the next id, and reads the entities' groups. */
TwPipelineAlerts *tw_pipeline_alerts_new       (TwPipeline        *pipeline,
                                                TwStore           *store,
                                                GError           **error);
void              tw_pipeline_alerts_free      (TwPipelineAlerts  *alerts);
/* Runs the rules over a batch as soon as it is popped (never again when
 * the batch is written a second time after a failed commit). */
void              tw_pipeline_alerts_evaluate  (TwPipelineAlerts  *alerts,
                                                const TwBatch     *batch);
/* Every loop turn: operator commands, the board's clock, and a new
 * snapshot when anything changed. */
void              tw_pipeline_alerts_turn      (TwPipelineAlerts  *alerts);
/* Changes not yet committed: the engine opens a transaction for them. */
gboolean          tw_pipeline_alerts_has_pending (TwPipelineAlerts *alerts);
/* Writes the pending changes into the open transaction; they stay pending
 * until tw_pipeline_alerts_committed() (a failed commit writes them again). */
gboolean          tw_pipeline_alerts_write     (TwPipelineAlerts  *alerts,
                                                TwStore           *store,
                                                GError           **error);
void              tw_pipeline_alerts_committed (TwPipelineAlerts  *alerts);

G_END_DECLS
