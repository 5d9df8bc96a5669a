#pragma once

#include <gio/gio.h>

#include "tw-alert.h"
#include "tw-batch.h"
#include "tw-rule.h"
#include "tw-store.h"

G_BEGIN_DECLS

/**
 * TwRulePlayback:
 * Rules run over recorded samples in event time: a fresh alert board and
 * rule engine whose clock is the newest event time seen so far, so
 * escalation, re-arm and stale data follow the recording, not the wall
 * clock. `twctl replay` (a file) and the rule editor's preview (stored
 * samples) both use it, so they raise what the live pipeline would.
 *
 * Every transition is reported to the callback with the alert as it is
 * after the transition (state set to the transition's "to", also for an
 * alert that left the board because it closed).
 */
typedef struct _TwRulePlayback TwRulePlayback;

typedef void (*TwRulePlaybackFunc) (const TwAlertTransition *transition,
                                    const TwAlert           *alert,
                                    gpointer                 user_data);

/* @rules: element-type TwRule; refs are taken. @func may be NULL. */
TwRulePlayback *tw_rule_playback_new        (GPtrArray          *rules,
                                             TwRulePlaybackFunc  func,
                                             gpointer            user_data);
void            tw_rule_playback_free       (TwRulePlayback     *playback);
void            tw_rule_playback_set_group  (TwRulePlayback     *playback,
                                             const char         *entity_key,
                                             const char         *group);
/* Samples of one source in arrival order. */
void            tw_rule_playback_process    (TwRulePlayback     *playback,
                                             gint64              source_id,
                                             const TwSample     *samples,
                                             guint               n_samples);
/* End of the recording: the clock moves to @end_ts (when later than the
 * newest sample; 0 keeps it) and every window closes. */
void            tw_rule_playback_finish     (TwRulePlayback     *playback,
                                             gint64              end_ts);
/* Every alert raised, latest state, by id (element-type TwAlert, transfer
 * full: deep copies). */
GPtrArray      *tw_rule_playback_get_alerts (TwRulePlayback     *playback);
guint64         tw_rule_playback_get_samples     (TwRulePlayback *playback);
guint64         tw_rule_playback_get_raised      (TwRulePlayback *playback);
guint64         tw_rule_playback_get_transitions (TwRulePlayback *playback);
guint64         tw_rule_playback_get_too_late    (TwRulePlayback *playback);
guint           tw_rule_playback_get_open        (TwRulePlayback *playback);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwRulePlayback, tw_rule_playback_free)

/* The window a preview reads when the editor asks for "the last hour". */
#define TW_RULE_PREVIEW_DEFAULT_US ((gint64) 60 * 60 * G_USEC_PER_SEC)

/**
 * tw_rule_preview:
 * @rule: the rule to try, enabled or not (it runs as if enabled)
 * @from_ts: (in): event-time start of the window (µs), inclusive
 * @to_ts: (in): end, exclusive
 *
 * What @rule would have raised over the stored samples of the window: the
 * series its scope and metrics touch, merged in event-time order, through
 * a fresh engine and board. Blocking (reads the store): call it from a
 * worker thread with its own connection. Returns element-type TwAlert
 * (transfer full), each with its evidence window, ordered by id (the order
 * they were raised); %NULL with TW_ERROR_CANCELLED when @cancellable
 * fired.
 */
GPtrArray *tw_rule_preview (TwStore       *store,
                            TwRule        *rule,
                            gint64         from_ts,
                            gint64         to_ts,
                            GCancellable  *cancellable,
                            GError       **error);

G_END_DECLS
