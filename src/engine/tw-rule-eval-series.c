#include "tw-rule-engine-private.h"

#include <math.h>
#include <string.h>

#include "tw-forecast.h"

/* Evaluators of the kinds that look at one entity's recent samples:
 * threshold, relative change, rate of change, predicted, score band,
 * balance, and spread (two series). Each turns the history into a verdict
 * for tw_rule_state_judge(). */

#define USEC_PER_MIN ((double) 60 * G_USEC_PER_SEC)
#define PERCENT 100.0
/* A rate needs samples over at least 1/this of its window. */
#define RATE_MIN_SPAN_DIVISOR 2

static const TwPoint *
newest_point (const TwRuleSeries *series)
{
  return &g_array_index (series->points, TwPoint, series->points->len - 1);
}

/* Index of the first point at or after @from (points->len when none). */
static guint
first_at_or_after (const TwRuleSeries *series,
                   gint64              from)
{
  guint lo = 0, hi = series->points->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (series->points, TwPoint, mid).ts < from)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Whether an active condition stays active: the value must come back
 * inside the limit by the hysteresis before it clears. */
static gboolean
still_crossing (const TwRule *rule,
                double        value)
{
  switch (rule->direction)
    {
    case TW_RULE_ABOVE:
    case TW_RULE_AT_OR_ABOVE:
      return tw_rule_compare (rule->direction, value + rule->hysteresis, rule->limit);
    case TW_RULE_BELOW:
    case TW_RULE_AT_OR_BELOW:
      return tw_rule_compare (rule->direction, value - rule->hysteresis, rule->limit);
    case TW_RULE_EITHER:
    default:
      return fabs (value) + rule->hysteresis >= rule->limit;
    }
}

static void
verdict_for_value (TwRuleVerdict *verdict,
                   const TwRule  *rule,
                   gint64         ts,
                   double         value)
{
  verdict->ts = ts;
  verdict->value = value;
  verdict->crossing = tw_rule_compare (rule->direction, value, rule->limit);
  verdict->still = still_crossing (rule, value);
  verdict->minutes = NAN;
}

static void
eval_threshold (TwRuleState        *state,
                const TwRuleSeries *series,
                TwRuleKeyState     *key,
                gboolean            late)
{
  const TwRule *rule = state->rule;
  const TwPoint *newest = newest_point (series);
  TwRuleVerdict verdict = { 0 };

  /* The current value is the newest sample: a late one never raises or
   * clears by itself, but it can lengthen or break a crossing run that is
   * waiting for its minimum duration. */
  if (late && key->active)
    return;
  if (!key->active && tw_rule_compare (rule->direction, newest->value, rule->limit))
    {
      guint i = series->points->len;

      while (i > 0 && tw_rule_compare (rule->direction,
                                       g_array_index (series->points, TwPoint, i - 1).value,
                                       rule->limit))
        i--;
      key->pending = TRUE;
      key->run_start_ts = g_array_index (series->points, TwPoint, i).ts;
      key->evidence_from_ts = key->run_start_ts;
    }
  else if (late)
    return;

  verdict_for_value (&verdict, rule, newest->ts, newest->value);
  verdict.latest = newest->value;
  verdict.evidence_from_ts = key->run_start_ts;
  tw_rule_state_judge (state, series->entity->key, key, &verdict);
}

/* Relative change (%) from the earliest sample in the window to the newest,
 * or rate (units per minute) over the window. */
static void
eval_change (TwRuleState        *state,
             const TwRuleSeries *series,
             TwRuleKeyState     *key)
{
  const TwRule *rule = state->rule;
  const TwPoint *newest = newest_point (series);
  guint first = first_at_or_after (series, newest->ts - rule->window_us);
  const TwPoint *earliest;
  TwRuleVerdict verdict = { 0 };
  double change;

  if (first + 1 >= series->points->len)
    return;   /* one sample is no change */
  earliest = &g_array_index (series->points, TwPoint, first);

  if (rule->kind == TW_RULE_RELATIVE_CHANGE)
    {
      if (earliest->value == 0)
        return;   /* no percentage of nothing */
      change = (newest->value - earliest->value) / fabs (earliest->value) * PERCENT;
    }
  else
    {
      guint n = series->points->len - first;
      g_autofree gint64 *ts = NULL;
      g_autofree double *values = NULL;

      /* Two samples a second apart make any noise a steep slope: the rate
       * is judged once the samples span half the window, as the slope of
       * the least-squares line through all of them. */
      if (newest->ts - earliest->ts < rule->window_us / RATE_MIN_SPAN_DIVISOR)
        return;
      ts = g_new (gint64, n);
      values = g_new (double, n);
      for (guint i = 0; i < n; i++)
        {
          const TwPoint *p = &g_array_index (series->points, TwPoint, first + i);

          ts[i] = p->ts;
          values[i] = p->value;
        }
      if (!tw_forecast_linear_fit (ts, values, n, &change, NULL))
        return;
    }

  verdict_for_value (&verdict, rule, newest->ts, change);
  verdict.latest = newest->value;
  verdict.evidence_from_ts = earliest->ts;
  tw_rule_state_judge (state, series->entity->key, key, &verdict);
}

static void
eval_predicted (TwRuleState        *state,
                const TwRuleSeries *series,
                TwRuleKeyState     *key)
{
  const TwRule *rule = state->rule;
  const TwPoint *newest = newest_point (series);
  guint first = first_at_or_after (series, newest->ts - rule->window_us);
  guint n = series->points->len - first;
  TwRuleVerdict verdict = { .ts = newest->ts, .latest = newest->value };
  gpointer data = NULL;
  TwForecastFunc forecast = tw_rule_engine_lookup_forecast (rule->forecaster, &data);

  if (forecast == NULL)
    {
      if (!state->missing_plugin_logged)
        g_message ("rules: rule \u2018%s\u2019 names forecaster \u2018%s\u2019, which is not "
                   "registered; it raises nothing", rule->id, rule->forecaster);
      state->missing_plugin_logged = TRUE;
      return;
    }

  verdict.evidence_from_ts = g_array_index (series->points, TwPoint, first).ts;
  if (tw_rule_compare (rule->direction, newest->value, rule->limit))
    {
      /* Past the limit already: the forecast has come true. */
      verdict.crossing = TRUE;
      verdict.minutes = 0;
    }
  else
    {
      g_autofree gint64 *ts = g_new (gint64, n);
      g_autofree double *values = g_new (double, n);
      gint64 cross_ts = 0;

      for (guint i = 0; i < n; i++)
        {
          const TwPoint *p = &g_array_index (series->points, TwPoint, first + i);

          ts[i] = p->ts;
          values[i] = p->value;
        }
      if (forecast (ts, values, n, rule->limit, &cross_ts, data) && cross_ts >= newest->ts)
        {
          verdict.minutes = (double) (cross_ts - newest->ts) / USEC_PER_MIN;
          verdict.crossing = cross_ts - newest->ts <= rule->horizon_us;
        }
      else
        verdict.minutes = INFINITY;
    }
  verdict.value = verdict.minutes;
  verdict.still = verdict.crossing;
  tw_rule_state_judge (state, series->entity->key, key, &verdict);
}

static void
eval_score (TwRuleState        *state,
            const TwRuleSeries *series,
            TwRuleKeyState     *key)
{
  const TwRule *rule = state->rule;
  TwRuleEntity *entity = series->entity;
  TwRuleVerdict verdict = { 0 };
  gpointer data = NULL;
  TwScoreFunc score_func = tw_rule_engine_lookup_score (rule->score, &data);
  int score = 0;

  if (score_func == NULL)
    {
      if (!state->missing_plugin_logged)
        g_message ("rules: rule \u2018%s\u2019 names score \u2018%s\u2019, which is not "
                   "registered; it raises nothing", rule->id, rule->score);
      state->missing_plugin_logged = TRUE;
      return;
    }
  /* An incomplete score is no score: it neither raises nor clears. */
  if (!score_func (entity->latest, &score, data))
    return;

  verdict_for_value (&verdict, rule, entity->last_ts, score);
  verdict.latest = score;
  tw_rule_state_judge (state, entity->key, key, &verdict);
}

static void
eval_balance (TwRuleState        *state,
              const TwRuleSeries *series,
              TwRuleKeyState     *key,
              const TwPoint      *sample)
{
  const TwRule *rule = state->rule;
  TwRuleVerdict verdict = { 0 };
  double balance;

  /* A sum does not depend on order: late samples within the lateness
   * count like any other. */
  key->balance += sample->value * rule->scale;
  balance = rule->initial + key->balance;
  verdict_for_value (&verdict, rule, newest_point (series)->ts, balance);
  verdict.latest = sample->value;
  tw_rule_state_judge (state, series->entity->key, key, &verdict);
}

void
tw_rule_eval_sample (TwRuleState   *state,
                     TwRuleSeries  *series,
                     const TwPoint *sample,
                     gboolean       late)
{
  TwRuleKeyState *key = tw_rule_state_key (state, series->entity->key);

  switch (state->rule->kind)
    {
    case TW_RULE_THRESHOLD:
      eval_threshold (state, series, key, late);
      break;
    case TW_RULE_RELATIVE_CHANGE:
    case TW_RULE_RATE_OF_CHANGE:
      eval_change (state, series, key);
      break;
    case TW_RULE_PREDICTED:
      eval_predicted (state, series, key);
      break;
    case TW_RULE_SCORE_BAND:
      eval_score (state, series, key);
      break;
    case TW_RULE_BALANCE:
      eval_balance (state, series, key, sample);
      break;
    case TW_RULE_STALE:
    case TW_RULE_SPREAD:
    case TW_RULE_REFERENCE:
    default:
      g_assert_not_reached ();
    }
}

/* Spread of @entity's A series against its B series: (A − B) now against
 * (A − B) from each side's earliest sample in the window, in percent. */
static void
eval_spread_for (TwRuleState  *state,
                 TwRuleEntity *entity)
{
  TwRuleEngine *engine = state->engine;
  const TwRule *rule = state->rule;
  const char *metric_b = rule->metric_b != NULL ? rule->metric_b : rule->metric;
  const char *entity_b = rule->entity_b != NULL ? rule->entity_b : entity->key;
  TwRuleSeries *a = tw_rule_engine_lookup_series (engine, entity->key, rule->metric);
  TwRuleSeries *b = tw_rule_engine_lookup_series (engine, entity_b, metric_b);
  const TwPoint *a_now, *b_now, *a_then, *b_then;
  TwRuleVerdict verdict = { 0 };
  gint64 newest;
  guint ia, ib;
  double then, now, change;

  if (a == NULL || b == NULL || a->points->len == 0 || b->points->len == 0)
    return;
  a_now = newest_point (a);
  b_now = newest_point (b);
  newest = MAX (a_now->ts, b_now->ts);
  ia = first_at_or_after (a, newest - rule->window_us);
  ib = first_at_or_after (b, newest - rule->window_us);
  if (ia >= a->points->len || ib >= b->points->len)
    return;   /* one side has no sample in the window */
  a_then = &g_array_index (a->points, TwPoint, ia);
  b_then = &g_array_index (b->points, TwPoint, ib);

  then = a_then->value - b_then->value;
  now = a_now->value - b_now->value;
  if (then == 0)
    return;   /* no percentage of nothing */
  change = (now - then) / fabs (then) * PERCENT;

  verdict_for_value (&verdict, rule, newest, change);
  verdict.still = verdict.crossing;
  verdict.latest = now;
  verdict.evidence_from_ts = MIN (a_then->ts, b_then->ts);
  tw_rule_state_judge (state, entity->key, tw_rule_state_key (state, entity->key), &verdict);
}

void
tw_rule_eval_spread (TwRuleState  *state,
                     TwRuleSeries *series)
{
  TwRuleEngine *engine = state->engine;
  const TwRule *rule = state->rule;
  const char *metric_b = rule->metric_b != NULL ? rule->metric_b : rule->metric;
  TwRuleEntity *entity = series->entity;

  if (rule->entity_b != NULL && strcmp (entity->key, rule->entity_b) == 0)
    {
      GHashTableIter iter;
      gpointer value;

      if (strcmp (series->metric, metric_b) != 0)
        return;
      /* The shared side moved: every entity spread against it. */
      g_hash_table_iter_init (&iter, engine->entities);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          TwRuleEntity *other = value;

          if (strcmp (other->key, rule->entity_b) != 0 &&
              tw_rule_applies_to (rule, other->key,
                                  tw_rule_engine_group_of (engine, other->key)))
            eval_spread_for (state, other);
        }
      return;
    }

  if (strcmp (series->metric, rule->metric) != 0 &&
      (rule->entity_b != NULL || strcmp (series->metric, metric_b) != 0))
    return;
  if (!tw_rule_applies_to (rule, entity->key, tw_rule_engine_group_of (engine, entity->key)))
    return;
  eval_spread_for (state, entity);
}
