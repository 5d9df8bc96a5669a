#include "tw-rule-engine-private.h"

#include <math.h>

/* The kinds driven by time rather than by one sample: count or sum per
 * tumbling window against a reference table (closed by the watermark,
 * tw-window.h), and stale data. */

#define USEC_PER_MIN  ((gint64) 60 * G_USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)
#define USEC_PER_DAY  (24 * USEC_PER_HOUR)
#define PERCENT 100.0
/* A long silence (or a clock jump) judges at most this many empty windows
 * per entity at once; older ones are skipped, not looped over. */
#define MAX_EMPTY_WINDOWS 1440

static int
hour_of_day (gint64 ts,
             int    utc_offset_min)
{
  gint64 local = ts + utc_offset_min * USEC_PER_MIN;
  gint64 in_day = local % USEC_PER_DAY;

  if (in_day < 0)
    in_day += USEC_PER_DAY;
  return (int) (in_day / USEC_PER_HOUR);
}

static void
judge_window (TwRuleState       *state,
              const char        *entity,
              TwRuleKeyState    *key,
              gint64             start_us,
              gint64             end_us,
              const TwAggregate *agg)
{
  const TwRule *rule = state->rule;
  double actual = rule->aggregate == TW_RULE_AGGREGATE_SUM ? agg->sum : (double) agg->n;
  double expected = rule->reference[hour_of_day (start_us, rule->utc_offset_min)];
  TwRuleVerdict verdict = { .ts = end_us, .latest = actual, .minutes = NAN };
  double deviation;

  /* An expected 0 counts as 1, so any traffic there is a finite percentage. */
  deviation = (actual - expected) / MAX (expected, 1.0) * PERCENT;
  verdict.value = deviation;
  verdict.crossing = tw_rule_compare (rule->direction, deviation, rule->limit);
  verdict.still = verdict.crossing;
  verdict.evidence_from_ts = start_us;
  tw_rule_state_judge (state, entity, key, &verdict);
}

static void
judge_empty_until (TwRuleState    *state,
                   const char     *entity,
                   TwRuleKeyState *key,
                   gint64          until)
{
  const gint64 size = state->rule->window_us;
  static const TwAggregate empty = { 0 };

  if (!key->has_window)
    return;   /* nothing seen yet: no way to tell where the stream starts */
  if ((until - key->next_window_start) / size > MAX_EMPTY_WINDOWS)
    key->next_window_start += ((until - key->next_window_start) / size - MAX_EMPTY_WINDOWS) * size;
  while (key->next_window_start + size <= until)
    {
      judge_window (state, entity, key, key->next_window_start,
                    key->next_window_start + size, &empty);
      key->next_window_start += size;
    }
}

static void
on_window (const TwWindowResult *result,
           gpointer              user_data)
{
  TwRuleState *state = user_data;
  TwRuleKeyState *key = tw_rule_state_key (state, result->key);

  if (key->has_window && result->start_us < key->next_window_start)
    {
      /* A correction, or a window already judged as empty. Only the latest
       * judged window decides the current condition. */
      if (result->end_us == key->next_window_start)
        judge_window (state, result->key, key, result->start_us, result->end_us, &result->agg);
      return;
    }
  judge_empty_until (state, result->key, key, result->start_us);
  judge_window (state, result->key, key, result->start_us, result->end_us, &result->agg);
  key->has_window = TRUE;
  key->next_window_start = result->end_us;
}

void
tw_rule_window_create (TwRuleState *state)
{
  TwWindowSpec spec = {
    .size_us = state->rule->window_us,
    .slide_us = state->rule->window_us,
    .lateness_us = state->rule->lateness_us,
  };

  state->windows = tw_window_set_new (&spec, on_window, state);
}

void
tw_rule_window_add (TwRuleState   *state,
                    const char    *entity,
                    const TwPoint *sample)
{
  if (tw_window_set_add (state->windows, entity, sample->ts, sample->value) == TW_WINDOW_TOO_LATE)
    state->engine->sample_too_late = TRUE;
}

void
tw_rule_window_advance (TwRuleState *state,
                        gint64       watermark)
{
  GHashTableIter iter;
  gpointer key, value;

  /* Windows with samples come out of the set (and judge the empty ones
   * before them); the empty ones after the last are judged here. */
  tw_window_set_advance (state->windows, watermark);
  g_hash_table_iter_init (&iter, state->keys);
  while (g_hash_table_iter_next (&iter, &key, &value))
    judge_empty_until (state, key, value, watermark);
}

void
tw_rule_stale_check (TwRuleState  *state,
                     TwRuleEntity *entity,
                     gint64        event_clock,
                     gint64        now_us)
{
  TwRuleEngine *engine = state->engine;
  const TwRule *rule = state->rule;
  TwRuleVerdict verdict = { .ts = MAX (event_clock, now_us), .minutes = NAN, .latest = NAN };
  TwRuleKeyState *key;
  gint64 last, arrived, gap;

  if (!tw_rule_applies_to (rule, entity->key, tw_rule_engine_group_of (engine, entity->key)))
    return;
  if (rule->metric != NULL)
    {
      TwRuleSeries *series = tw_rule_engine_lookup_series (engine, entity->key, rule->metric);

      if (series == NULL || series->points->len == 0)
        return;   /* never sent this metric: nothing went stale */
      last = g_array_index (series->points, TwPoint, series->points->len - 1).ts;
      arrived = series->last_arrival_us;
    }
  else
    {
      last = entity->last_ts;
      arrived = entity->last_arrival_us;
    }

  /* Two clocks, because either alone raises false alarms or misses real
   * ones: a backlog served at once (the app catching up on 30 minutes of
   * history) is far behind the wall clock yet not stale, so the wall clock
   * only counts from when a sample arrived; a monitor that stops while the
   * others go on is stale by their event time even inside a backlog; a
   * feed that stops altogether moves no event time, only the wall clock. */
  gap = MAX (event_clock - last, now_us - arrived);
  key = tw_rule_state_key (state, entity->key);
  /* "No sample for N minutes": exactly N minutes is not stale yet. */
  verdict.crossing = gap > rule->stale_us;
  verdict.still = verdict.crossing;
  verdict.value = (double) gap / (double) USEC_PER_MIN;
  verdict.evidence_from_ts = last;
  if (!key->active && !verdict.crossing)
    {
      key->pending = FALSE;
      return;
    }
  tw_rule_state_judge (state, entity->key, key, &verdict);
}
