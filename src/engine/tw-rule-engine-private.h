#pragma once

#include "tw-point.h"
#include "tw-rule-engine.h"
#include "tw-watermark.h"
#include "tw-window.h"

G_BEGIN_DECLS

/* Shared between the engine core (tw-rule-engine.c) and the evaluators of
 * each kind (tw-rule-eval-*.c). */

/* Separates entity and metric in a series key (as in tw-alert.c). */
#define TW_RULE_KEY_SEPARATOR "\x1f"

/* The watermark trails the highest event time by this much, and a source
 * that sent nothing for the idle timeout stops holding windows back. */
#define TW_RULE_ENGINE_WATERMARK_BOUND_US ((gint64) 1 * G_USEC_PER_SEC)
#define TW_RULE_ENGINE_IDLE_TIMEOUT_US    ((gint64) 30 * G_USEC_PER_SEC)
/* When every source has been idle for the idle timeout, processing time
 * (if it is a wall clock within this of the newest event time) closes
 * windows, so "no orders at all" is judged as zero orders. A replay of old
 * data (event times far behind the clock) never is. */
#define TW_RULE_ENGINE_LIVE_HORIZON_US    ((gint64) 24 * 3600 * G_USEC_PER_SEC)
/* Stale-data rules are swept at most this often (event or processing time). */
#define TW_RULE_ENGINE_STALE_SWEEP_US     ((gint64) 1 * G_USEC_PER_SEC)

typedef struct
{
  char       *key;             /* entity key */
  GHashTable *latest;          /* metric → double* (newest by event time) */
  GHashTable *latest_ts;       /* metric → gint64* */
  gint64      last_ts;         /* newest event time of any metric */
  gint64      source_id;       /* source of the newest sample */
  gint64      last_arrival_us; /* processing time of its latest sample */
} TwRuleEntity;

typedef struct
{
  TwRuleEntity *entity;        /* borrowed from the engine */
  char         *metric;
  GArray       *points;        /* TwPoint, ts ascending */
  gint64        retention_us;  /* how far back from the newest to keep */
  gint64        lateness_us;   /* older than newest − this: too late */
  gint64        last_arrival_us; /* processing time of its latest sample */
} TwRuleSeries;

/* A rule's state for one entity. */
typedef struct
{
  gboolean active;
  gboolean pending;            /* crossing, waiting for the minimum duration */
  gint64   run_start_ts;       /* first sample of the crossing run */
  gint64   evidence_from_ts;
  double   balance;            /* balance: running sum */
  gboolean has_window;         /* reference: a window was judged */
  gint64   next_window_start;  /* reference: first window not judged yet */
} TwRuleKeyState;

typedef struct _TwRuleState TwRuleState;

struct _TwRuleState
{
  TwRule       *rule;
  TwRuleEngine *engine;        /* back pointer for window callbacks */
  GHashTable   *keys;          /* entity key → TwRuleKeyState */
  TwWindowSet  *windows;       /* reference rules only */
  gboolean      missing_plugin_logged;
};

struct _TwRuleEngine
{
  TwAlertBoard *board;
  GPtrArray    *states;        /* TwRuleState* */
  GHashTable   *by_metric;     /* metric → GPtrArray of TwRuleState* (borrowed) */
  GPtrArray    *any_metric;    /* score bands, stale without a metric */
  GHashTable   *retention;     /* metric → gint64* */
  GHashTable   *lateness;      /* metric → gint64* */
  GHashTable   *entities;      /* key → TwRuleEntity */
  GHashTable   *series;        /* "entity\x1fmetric" → TwRuleSeries */
  GHashTable   *groups;        /* entity key → group */
  TwWatermarks *marks;
  gint64        event_clock;   /* highest event time seen */
  gint64        last_arrival;  /* processing time of the last sample */
  gint64        last_sweep;
  gint64        now_us;        /* processing time of the current call */
  gint64        source_id;     /* source of the sample being evaluated */
  guint64       too_late;
  gboolean      sample_too_late;
};

/* What a kind's evaluator found for one entity at one event time. */
typedef struct
{
  gint64      ts;              /* event time of the evaluation */
  gint64      evidence_from_ts;
  gboolean    crossing;        /* raises (after the minimum duration) */
  gboolean    still;           /* keeps an active condition active */
  double      value;           /* the compared quantity, for {value} */
  double      latest;          /* newest sample, for {latest} */
  double      minutes;         /* predicted: minutes until crossing */
} TwRuleVerdict;

/* Core (tw-rule-engine.c) */
TwRuleKeyState *tw_rule_state_key        (TwRuleState        *state,
                                          const char         *entity);
const char     *tw_rule_engine_group_of  (TwRuleEngine       *engine,
                                          const char         *entity);
TwRuleSeries   *tw_rule_engine_lookup_series (TwRuleEngine   *engine,
                                              const char     *entity,
                                              const char     *metric);
gboolean        tw_rule_compare          (TwRuleDirection     direction,
                                          double              value,
                                          double              limit);
/* The level state machine shared by every kind: minimum duration,
 * hysteresis (through @verdict->still), reports to the board. */
void            tw_rule_state_judge      (TwRuleState        *state,
                                          const char         *entity,
                                          TwRuleKeyState     *key,
                                          const TwRuleVerdict *verdict);
/* The condition ends without a verdict (rule removed, data gone). */
void            tw_rule_state_release    (TwRuleState        *state,
                                          const char         *entity,
                                          TwRuleKeyState     *key,
                                          gint64              ts);

TwScoreFunc     tw_rule_engine_lookup_score    (const char   *name,
                                                gpointer     *out_data);
TwForecastFunc  tw_rule_engine_lookup_forecast (const char   *name,
                                                gpointer     *out_data);

/* Evaluators (tw-rule-eval-series.c): one sample of @series arrived
 * (@late: older than the newest one) and is in the history. */
void            tw_rule_eval_sample      (TwRuleState        *state,
                                          TwRuleSeries       *series,
                                          const TwPoint      *sample,
                                          gboolean            late);
/* Spread: a sample of either side; evaluates every entity it affects. */
void            tw_rule_eval_spread      (TwRuleState        *state,
                                          TwRuleSeries       *series);

/* Windows and time (tw-rule-eval-window.c) */
void            tw_rule_window_create    (TwRuleState        *state);
void            tw_rule_window_add       (TwRuleState        *state,
                                          const char         *entity,
                                          const TwPoint      *sample);
void            tw_rule_window_advance   (TwRuleState        *state,
                                          gint64              watermark);
/* Stale when the other entities' event time moved on by more than the
 * rule's time (@event_clock), or nothing arrived for that long in
 * processing time (@now_us). */
void            tw_rule_stale_check      (TwRuleState        *state,
                                          TwRuleEntity       *entity,
                                          gint64              event_clock,
                                          gint64              now_us);

G_END_DECLS
