#pragma once

#include <glib.h>

#include "tw-alert.h"
#include "tw-batch.h"
#include "tw-rule.h"

G_BEGIN_DECLS

/* Evaluates rules (tw-rule.h) over a stream of samples in event time and
 * reports conditions to an alert board (tw-alert.h). The same object runs
 * on the pipeline's engine thread, in `twctl replay` and in the rule
 * editor's preview, so all three raise the same alerts. Pure: no SQL, no
 * threads, no clock (every call takes the processing time @now_us; event
 * times come with the samples).
 *
 * Per-source watermarks (tw-watermark.h) close tumbling windows
 * (tw-window.h); samples later than a rule's allowed lateness are counted
 * and logged, never merged. */

typedef struct _TwRuleEngine TwRuleEngine;

/* Pluggable kinds: a score over an entity's latest values (NEWS2 plugs in
 * here) and a forecaster for "predicted" rules. */
typedef gboolean (*TwScoreFunc)    (GHashTable *latest_by_metric,  /* char* → double* */
                                    int        *out_score,
                                    gpointer    user_data);
/* Given the window's samples (ts ascending), the event time at which the
 * forecast crosses @limit, or FALSE when it does not. */
typedef gboolean (*TwForecastFunc) (const gint64 *ts,
                                    const double *values,
                                    guint         n,
                                    double        limit,
                                    gint64       *out_cross_ts,
                                    gpointer      user_data);

void          tw_rule_engine_register_score    (const char    *name,
                                                TwScoreFunc    func,
                                                gpointer       user_data);
void          tw_rule_engine_register_forecast (const char    *name,
                                                TwForecastFunc func,
                                                gpointer       user_data);

/* @board is borrowed and must outlive the engine. */
TwRuleEngine *tw_rule_engine_new          (TwAlertBoard  *board);
void          tw_rule_engine_free         (TwRuleEngine  *engine);

/* Replaces the rule set (element-type TwRule, borrowed refs taken). State of
 * rules whose id and definition did not change is kept. */
void          tw_rule_engine_set_rules    (TwRuleEngine  *engine,
                                           GPtrArray     *rules);
/* Group (ward, customer tier, portfolio) of an entity, for rule scopes. */
void          tw_rule_engine_set_group    (TwRuleEngine  *engine,
                                           const char    *entity_key,
                                           const char    *group);
/* An alert restored after a restart whose condition was still present:
 * the rule starts as "on" for @entity_key, so the condition's end is
 * reported and the alert can clear. Unknown rules are ignored. */
void          tw_rule_engine_assume_active (TwRuleEngine *engine,
                                            const char   *rule_id,
                                            const char   *entity_key,
                                            gint64        evidence_from_ts);
/* Samples of one source, in arrival order. */
void          tw_rule_engine_process      (TwRuleEngine   *engine,
                                           gint64          source_id,
                                           const TwSample *samples,
                                           guint           n_samples,
                                           gint64          now_us);
/* Time passes: stale-data rules, idle sources, escalation (board tick). */
void          tw_rule_engine_tick         (TwRuleEngine  *engine,
                                           gint64         now_us);
/* End of input (replay, preview): the watermark moves past every window. */
void          tw_rule_engine_finish       (TwRuleEngine  *engine,
                                           gint64         now_us);
/* Samples beyond the allowed lateness, counted since creation. */
guint64       tw_rule_engine_get_too_late (TwRuleEngine  *engine);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwRuleEngine, tw_rule_engine_free)

G_END_DECLS
