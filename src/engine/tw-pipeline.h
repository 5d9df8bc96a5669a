#pragma once

#include <glib.h>

#include "tw-alert.h"
#include "tw-key.h"
#include "tw-session.h"
#include "tw-source.h"

G_BEGIN_DECLS

/**
 * TwSourceStatus:
 * A copy of one source's live figures, safe to read on any thread.
 * Counters are totals since the source was created (persisted in the store).
 */
typedef struct
{
  gint64        id;
  char         *url;             /* redacted: safe to show */
  TwSourceState state;
  char         *last_error;      /* NULL when none */
  guint64       received;
  guint64       stored;
  guint64       duplicates;
  guint64       quarantined;
  guint         reconnects;      /* total since the source was created */
  gint64        committed_seq;   /* -1 when nothing committed yet */
  double        message_rate;    /* messages per second, recent */
  gint64        lag_us;          /* now minus the newest event time received, -1 unknown */
} TwSourceStatus;

/**
 * TwPipelineStatus:
 * A snapshot for the UI (poll it; a snapshot never blocks on a write).
 * @data_generation changes after every commit that stored something,
 * @entity_generation when entities were added or changed.
 */
typedef struct
{
  guint64    data_generation;
  guint64    entity_generation;
  guint64    n_commits;
  guint64    rows_committed;
  gint64     last_commit_time;
  char      *storage_error;      /* a failed commit: ingest is paused */
  gboolean   finished;           /* all sources finished and committed */
  gboolean   failed;             /* the engine could not start: see storage_error */
  gboolean   detached;           /* locked: writing to the spool, no key held */
  guint64    spooled;            /* batches sealed into the spool since the detach */
  gboolean   merging;            /* attached, the spool is being merged */
  guint64    merge_done;         /* batches merged so far … */
  guint64    merge_total;        /* … of this many */
  GPtrArray *sources;            /* TwSourceStatus* */
} TwPipelineStatus;

void tw_pipeline_status_free (TwPipelineStatus *status);

/**
 * TwPipeline:
 * stream → ingest thread → bounded queue → engine thread (rules, alert
 * board) → bounded queue → writer thread → store. Alerts never wait for a
 * commit. The same object runs inside the app and inside `twctl ingest`.
 */
typedef struct _TwPipeline TwPipeline;

TwPipeline       *tw_pipeline_new         (TwSession   *session,
                                           GError     **error);
gboolean          tw_pipeline_add_source  (TwPipeline  *pipeline,
                                           const char  *url,
                                           GError     **error);
gboolean          tw_pipeline_add_stored_sources (TwPipeline *pipeline,
                                                  GError    **error);
void              tw_pipeline_start       (TwPipeline  *pipeline);
void              tw_pipeline_stop        (TwPipeline  *pipeline);
TwPipelineStatus *tw_pipeline_get_status  (TwPipeline  *pipeline);
void              tw_pipeline_free        (TwPipeline  *pipeline);

/**
 * TwAlertSnapshot:
 * The alert console's view, copied on the engine thread (safe anywhere).
 * @generation changes whenever anything in it changed; @alerts are the
 * open alerts in console order (priority, then age), deep copies.
 * @newest_high_id is the most recent HIGH alert raised (0: none), so the
 * UI can announce each new one once.
 */
typedef struct
{
  guint64    generation;
  GPtrArray *alerts;                           /* TwAlert*, owned copies */
  guint      counts[TW_ALERT_N_PRIORITIES];
  gboolean   audio_paused;
  gint64     audio_paused_until;              /* wall µs, 0 when not paused */
  guint64    newest_high_id;
  guint64    too_late;                         /* samples beyond the lateness */
} TwAlertSnapshot;

void             tw_alert_snapshot_free (TwAlertSnapshot *snapshot);

TwAlertSnapshot *tw_pipeline_get_alerts       (TwPipeline *pipeline);
/* Operator actions: queued to the engine thread, applied within one loop
 * turn (≤100 ms), stored with who/when/note in the next commit. */
void             tw_pipeline_acknowledge_alert (TwPipeline *pipeline,
                                                guint64     alert_id,
                                                const char *who,
                                                const char *note);
void             tw_pipeline_escalate_alert    (TwPipeline *pipeline,
                                                guint64     alert_id,
                                                const char *who,
                                                const char *note);
void             tw_pipeline_pause_audio       (TwPipeline *pipeline,
                                                const char *who);
/* The admin changed rules in the store: load them again. */
void             tw_pipeline_reload_rules      (TwPipeline *pipeline);

/* ---- Issue 6: monitoring while the screen is locked ---------------------
 * Detach: the writer commits what it holds, closes its connection, and
 * every key copy in the pipeline is wiped; from then on each batch is
 * sealed into the spool (tw-spool.h) and acknowledged to its sender after
 * the fsync. Rules keep running and alerts keep being raised in memory
 * (their changes are written at attach). Blocks until the writer has let
 * go (≤ one commit). Attach: opens the store with @key (copied), merges
 * the spool in the writer thread, then writes as before; returns at once
 * (watch tw_pipeline_get_status()'s merging fields: @merging is TRUE from
 * the moment @detached turns FALSE until the spool is in the store).
 * Alert changes made while detached (raised, cleared, acknowledged,
 * audio paused) wait in memory and are stored at the attach: quitting or
 * crashing while locked loses those transitions, never the data (the
 * spool stays and the next pipeline merges it before anything else).
 * Rules reloads asked for while detached run at the attach. */
void             tw_pipeline_detach_key      (TwPipeline  *pipeline);
void             tw_pipeline_attach_key      (TwPipeline  *pipeline,
                                              const TwKey *key);
gboolean         tw_pipeline_is_detached     (TwPipeline  *pipeline);

/**
 * TwLockedAlert:
 * What the lock screen may show of the open alerts: no names, no keys,
 * no messages — the bed (the entity's location, "Unknown bed" when the
 * source never said), the highest priority there and how many are open.
 */
typedef struct
{
  char            *bed;
  TwAlertPriority  priority;
  guint            count;
  gboolean         unacknowledged;  /* any of them */
} TwLockedAlert;

void             tw_locked_alert_free        (TwLockedAlert *alert);
/* Beds with open alerts, highest priority first. */
GPtrArray       *tw_pipeline_get_locked_alerts (TwPipeline *pipeline);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwPipeline, tw_pipeline_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwPipelineStatus, tw_pipeline_status_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwAlertSnapshot, tw_alert_snapshot_free)

G_END_DECLS
