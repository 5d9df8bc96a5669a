#include "tw-rule-engine-private.h"

#include <math.h>
#include <string.h>

#include "tw-forecast.h"
#include "tw-news2.h"

#define USEC_PER_MIN ((double) 60 * G_USEC_PER_SEC)
/* Values in messages: two decimals, trailing zeros dropped. */
#define MESSAGE_NUMBER_FORMAT "%.2f"
/* The note of a condition ended because its rule changed or went away. */
#define RELEASE_MESSAGE "%s: rule changed, disabled or removed"

/* ---- plug-ins ---------------------------------------------------------- */

typedef struct
{
  gpointer func;
  gpointer user_data;
} TwPlugin;

static GMutex      plugin_lock;
static GHashTable *score_plugins;     /* name → TwPlugin */
static GHashTable *forecast_plugins;  /* name → TwPlugin */

static void
register_plugin (GHashTable **table,
                 const char  *name,
                 gpointer     func,
                 gpointer     user_data)
{
  TwPlugin *plugin = g_new0 (TwPlugin, 1);

  plugin->func = func;
  plugin->user_data = user_data;
  g_mutex_lock (&plugin_lock);
  if (*table == NULL)
    *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (*table, g_strdup (name), plugin);
  g_mutex_unlock (&plugin_lock);
}

static void
ensure_builtins (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      register_plugin (&forecast_plugins, TW_RULE_DEFAULT_FORECASTER,
                       (gpointer) tw_forecast_linear, NULL);
      register_plugin (&score_plugins, "news2", (gpointer) tw_news2_score_func, NULL);
      g_once_init_leave (&done, 1);
    }
}

void
tw_rule_engine_register_score (const char  *name,
                               TwScoreFunc  func,
                               gpointer     user_data)
{
  g_return_if_fail (name != NULL && func != NULL);

  ensure_builtins ();
  register_plugin (&score_plugins, name, (gpointer) func, user_data);
}

void
tw_rule_engine_register_forecast (const char     *name,
                                  TwForecastFunc  func,
                                  gpointer        user_data)
{
  g_return_if_fail (name != NULL && func != NULL);

  ensure_builtins ();
  register_plugin (&forecast_plugins, name, (gpointer) func, user_data);
}

static gpointer
lookup_plugin (GHashTable *table,
               const char *name,
               gpointer   *out_data)
{
  TwPlugin *plugin = NULL;
  gpointer func = NULL;

  g_mutex_lock (&plugin_lock);
  if (table != NULL && name != NULL)
    plugin = g_hash_table_lookup (table, name);
  if (plugin != NULL)
    {
      func = plugin->func;
      *out_data = plugin->user_data;
    }
  g_mutex_unlock (&plugin_lock);
  return func;
}

TwScoreFunc
tw_rule_engine_lookup_score (const char *name,
                             gpointer   *out_data)
{
  ensure_builtins ();
  return (TwScoreFunc) lookup_plugin (score_plugins, name, out_data);
}

TwForecastFunc
tw_rule_engine_lookup_forecast (const char *name,
                                gpointer   *out_data)
{
  ensure_builtins ();
  return (TwForecastFunc) lookup_plugin (forecast_plugins, name, out_data);
}

/* ---- entities, series, states ------------------------------------------ */

static void
entity_free (TwRuleEntity *entity)
{
  g_hash_table_unref (entity->latest);
  g_hash_table_unref (entity->latest_ts);
  g_free (entity->key);
  g_free (entity);
}

static void
series_free (TwRuleSeries *series)
{
  g_array_unref (series->points);
  g_free (series->metric);
  g_free (series);
}

static void
state_free (TwRuleState *state)
{
  g_clear_pointer (&state->windows, tw_window_set_free);
  g_hash_table_unref (state->keys);
  tw_rule_unref (state->rule);
  g_free (state);
}

TwRuleKeyState *
tw_rule_state_key (TwRuleState *state,
                   const char  *entity)
{
  TwRuleKeyState *key = g_hash_table_lookup (state->keys, entity);

  if (key == NULL)
    {
      key = g_new0 (TwRuleKeyState, 1);
      g_hash_table_insert (state->keys, g_strdup (entity), key);
    }
  return key;
}

const char *
tw_rule_engine_group_of (TwRuleEngine *engine,
                         const char   *entity)
{
  return g_hash_table_lookup (engine->groups, entity);
}

TwRuleSeries *
tw_rule_engine_lookup_series (TwRuleEngine *engine,
                              const char   *entity,
                              const char   *metric)
{
  g_autofree char *key = g_strconcat (entity, TW_RULE_KEY_SEPARATOR, metric, NULL);

  return g_hash_table_lookup (engine->series, key);
}

TwRuleEngine *
tw_rule_engine_new (TwAlertBoard *board)
{
  TwRuleEngine *engine;

  g_return_val_if_fail (board != NULL, NULL);

  ensure_builtins ();
  engine = g_new0 (TwRuleEngine, 1);
  engine->board = board;
  engine->states = g_ptr_array_new_with_free_func ((GDestroyNotify) state_free);
  engine->by_metric = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
  engine->any_metric = g_ptr_array_new ();
  engine->retention = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  engine->lateness = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  engine->entities = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) entity_free);
  engine->series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) series_free);
  engine->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  engine->marks = tw_watermarks_new (TW_RULE_ENGINE_WATERMARK_BOUND_US,
                                     TW_RULE_ENGINE_IDLE_TIMEOUT_US);
  engine->event_clock = G_MININT64;
  engine->last_sweep = G_MININT64;
  return engine;
}

void
tw_rule_engine_free (TwRuleEngine *engine)
{
  if (engine == NULL)
    return;
  g_ptr_array_unref (engine->states);
  g_hash_table_unref (engine->by_metric);
  g_ptr_array_unref (engine->any_metric);
  g_hash_table_unref (engine->retention);
  g_hash_table_unref (engine->lateness);
  g_hash_table_unref (engine->series);
  g_hash_table_unref (engine->entities);
  g_hash_table_unref (engine->groups);
  tw_watermarks_free (engine->marks);
  g_free (engine);
}

void
tw_rule_engine_set_group (TwRuleEngine *engine,
                          const char   *entity_key,
                          const char   *group)
{
  g_return_if_fail (engine != NULL);
  g_return_if_fail (entity_key != NULL);

  if (group == NULL)
    g_hash_table_remove (engine->groups, entity_key);
  else
    g_hash_table_replace (engine->groups, g_strdup (entity_key), g_strdup (group));
}

guint64
tw_rule_engine_get_too_late (TwRuleEngine *engine)
{
  g_return_val_if_fail (engine != NULL, 0);

  return engine->too_late;
}

/* ---- judging ----------------------------------------------------------- */

gboolean
tw_rule_compare (TwRuleDirection direction,
                 double          value,
                 double          limit)
{
  switch (direction)
    {
    case TW_RULE_ABOVE:
      return value > limit;
    case TW_RULE_AT_OR_ABOVE:
      return value >= limit;
    case TW_RULE_BELOW:
      return value < limit;
    case TW_RULE_AT_OR_BELOW:
      return value <= limit;
    case TW_RULE_EITHER:
      return fabs (value) >= limit;
    default:
      return FALSE;
    }
}

static void
append_number (GString *out,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char *end;

  if (!isfinite (value))
    {
      g_string_append (out, value > 0 ? "∞" : value < 0 ? "-∞" : "?");
      return;
    }
  g_ascii_formatd (buffer, sizeof buffer, MESSAGE_NUMBER_FORMAT, value);
  /* 130.00 → 130, 2.50 → 2.5 */
  end = buffer + strlen (buffer) - 1;
  while (end > buffer && *end == '0')
    *end-- = '\0';
  if (end > buffer && *end == '.')
    *end = '\0';
  g_string_append (out, buffer);
}

static const char *
default_template (TwRuleKind kind)
{
  switch (kind)
    {
    case TW_RULE_THRESHOLD:
      return "{name}: {metric} {value} ({direction} {limit})";
    case TW_RULE_RELATIVE_CHANGE:
      return "{name}: {metric} changed {value} % in the window (limit {limit} %)";
    case TW_RULE_RATE_OF_CHANGE:
      return "{name}: {metric} changing {value} per minute (limit {limit})";
    case TW_RULE_STALE:
      return "{name}: no {metric} data for {value} min";
    case TW_RULE_SCORE_BAND:
      return "{name}: {score} score {value} (band {limit})";
    case TW_RULE_PREDICTED:
      return "{name}: {metric} {latest} forecast to cross {limit} in {minutes} min";
    case TW_RULE_SPREAD:
      return "{name}: spread changed {value} % in the window (limit {limit} %)";
    case TW_RULE_REFERENCE:
      return "{name}: {latest} in the window, {value} % from expected (tolerance {limit} %)";
    case TW_RULE_BALANCE:
      return "{name}: balance {value} ({direction} {limit})";
    default:
      return "{name}";
    }
}

static char *
format_message (const TwRule        *rule,
                const char          *entity,
                const TwRuleVerdict *verdict)
{
  const char *template = rule->message != NULL ? rule->message : default_template (rule->kind);
  GString *out = g_string_new (NULL);

  for (const char *p = template; *p != '\0'; p++)
    {
      const char *close;
      g_autofree char *name = NULL;

      if (*p != '{' || (close = strchr (p, '}')) == NULL)
        {
          g_string_append_c (out, *p);
          continue;
        }
      name = g_strndup (p + 1, close - p - 1);
      if (strcmp (name, "entity") == 0)
        g_string_append (out, entity);
      else if (strcmp (name, "name") == 0)
        g_string_append (out, rule->name);
      else if (strcmp (name, "id") == 0)
        g_string_append (out, rule->id);
      else if (strcmp (name, "metric") == 0)
        g_string_append (out, rule->metric != NULL ? rule->metric : "any");
      else if (strcmp (name, "score") == 0)
        g_string_append (out, rule->score != NULL ? rule->score : "");
      else if (strcmp (name, "direction") == 0)
        g_string_append (out, tw_rule_direction_to_string (rule->direction));
      else if (strcmp (name, "value") == 0)
        append_number (out, verdict->value);
      else if (strcmp (name, "limit") == 0)
        append_number (out, rule->limit);
      else if (strcmp (name, "latest") == 0)
        append_number (out, verdict->latest);
      else if (strcmp (name, "minutes") == 0)
        append_number (out, verdict->minutes);
      else
        {
          /* Not a placeholder: keep the text as written. */
          g_string_append_c (out, *p);
          continue;
        }
      p = close;
    }
  return g_string_free (out, FALSE);
}

static void
report_message (TwRuleState         *state,
                const char          *entity,
                TwRuleKeyState      *key,
                const TwRuleVerdict *verdict,
                gboolean             active,
                const char          *message)
{
  TwRuleEngine *engine = state->engine;
  const TwRule *rule = state->rule;
  TwAlertCondition condition = {
    .rule_id = rule->id,
    .entity_key = entity,
    .priority = rule->priority,
    .latching = rule->latching,
    .active = active,
    .message = message,
    .evidence_from_ts = key->evidence_from_ts,
    .evidence_to_ts = verdict->ts,
    .group = tw_rule_engine_group_of (engine, entity),
    .category = rule->category,
    .source_id = engine->source_id,
  };

  tw_alert_board_condition_full (engine->board, &condition, engine->now_us);
}

static void
report (TwRuleState         *state,
        const char          *entity,
        TwRuleKeyState      *key,
        const TwRuleVerdict *verdict,
        gboolean             active)
{
  g_autofree char *message = format_message (state->rule, entity, verdict);

  report_message (state, entity, key, verdict, active, message);
}

void
tw_rule_state_judge (TwRuleState         *state,
                     const char          *entity,
                     TwRuleKeyState      *key,
                     const TwRuleVerdict *verdict)
{
  if (!key->active)
    {
      if (!verdict->crossing)
        {
          key->pending = FALSE;
          return;
        }
      if (!key->pending)
        {
          key->pending = TRUE;
          key->run_start_ts = verdict->ts;
          key->evidence_from_ts = verdict->evidence_from_ts != 0 ? verdict->evidence_from_ts
                                                                 : verdict->ts;
        }
      if (verdict->ts - key->run_start_ts < state->rule->min_duration_us)
        return;
      key->active = TRUE;
      report (state, entity, key, verdict, TRUE);
      return;
    }

  if (verdict->still)
    {
      report (state, entity, key, verdict, TRUE);
      return;
    }
  key->active = FALSE;
  key->pending = FALSE;
  report (state, entity, key, verdict, FALSE);
}

void
tw_rule_state_release (TwRuleState    *state,
                       const char     *entity,
                       TwRuleKeyState *key,
                       gint64          ts)
{
  TwRuleVerdict verdict = { .ts = ts, .value = NAN, .latest = NAN, .minutes = NAN };
  g_autofree char *message = NULL;

  key->pending = FALSE;
  if (!key->active)
    return;
  key->active = FALSE;
  message = g_strdup_printf (RELEASE_MESSAGE, state->rule->name);
  report_message (state, entity, key, &verdict, FALSE, message);
}

void
tw_rule_engine_assume_active (TwRuleEngine *engine,
                              const char   *rule_id,
                              const char   *entity_key,
                              gint64        evidence_from_ts)
{
  g_return_if_fail (engine != NULL);
  g_return_if_fail (rule_id != NULL && entity_key != NULL);

  for (guint i = 0; i < engine->states->len; i++)
    {
      TwRuleState *state = g_ptr_array_index (engine->states, i);
      TwRuleKeyState *key;

      if (g_strcmp0 (state->rule->id, rule_id) != 0)
        continue;
      key = tw_rule_state_key (state, entity_key);
      key->active = TRUE;
      key->pending = FALSE;
      key->evidence_from_ts = evidence_from_ts;
      return;
    }
}

/* ---- rule set ---------------------------------------------------------- */

static void
add_to_metric (TwRuleEngine *engine,
               const char   *metric,
               TwRuleState  *state)
{
  GPtrArray *list = g_hash_table_lookup (engine->by_metric, metric);

  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (engine->by_metric, g_strdup (metric), list);
    }
  if (!g_ptr_array_find (list, state, NULL))
    g_ptr_array_add (list, state);
}

static void
raise_to (GHashTable *table,
          const char *metric,
          gint64      value)
{
  gint64 *current = g_hash_table_lookup (table, metric);

  if (current == NULL)
    g_hash_table_insert (table, g_strdup (metric), g_memdup2 (&value, sizeof value));
  else
    *current = MAX (*current, value);
}

static void
note_metric (TwRuleEngine *engine,
             const char   *metric,
             const TwRule *rule,
             TwRuleState  *state)
{
  add_to_metric (engine, metric, state);
  if (rule->kind == TW_RULE_REFERENCE || rule->kind == TW_RULE_STALE)
    return;
  raise_to (engine->retention, metric,
            MAX (rule->window_us, rule->min_duration_us) + rule->lateness_us);
  raise_to (engine->lateness, metric, rule->lateness_us);
}

static void
index_rules (TwRuleEngine *engine)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_remove_all (engine->by_metric);
  g_ptr_array_set_size (engine->any_metric, 0);
  g_hash_table_remove_all (engine->retention);
  g_hash_table_remove_all (engine->lateness);

  for (guint i = 0; i < engine->states->len; i++)
    {
      TwRuleState *state = g_ptr_array_index (engine->states, i);
      const TwRule *rule = state->rule;

      if (rule->metric == NULL)
        g_ptr_array_add (engine->any_metric, state);
      else
        note_metric (engine, rule->metric, rule, state);
      if (rule->kind == TW_RULE_SPREAD && rule->metric_b != NULL)
        note_metric (engine, rule->metric_b, rule, state);
    }

  g_hash_table_iter_init (&iter, engine->series);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TwRuleSeries *series = value;
      gint64 *retention = g_hash_table_lookup (engine->retention, series->metric);
      gint64 *lateness = g_hash_table_lookup (engine->lateness, series->metric);

      series->retention_us = retention != NULL ? *retention : 0;
      series->lateness_us = lateness != NULL ? *lateness : TW_RULE_DEFAULT_LATENESS_US;
    }
}

static void
release_all (TwRuleState *state,
             gint64       ts)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, state->keys);
  while (g_hash_table_iter_next (&iter, &key, &value))
    tw_rule_state_release (state, key, value, ts);
}

void
tw_rule_engine_set_rules (TwRuleEngine *engine,
                          GPtrArray    *rules)
{
  g_autoptr(GHashTable) old = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) old_states = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (engine != NULL);

  old = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < engine->states->len; i++)
    {
      TwRuleState *state = g_ptr_array_index (engine->states, i);

      g_hash_table_insert (old, state->rule->id, state);
    }
  old_states = g_steal_pointer (&engine->states);
  engine->states = g_ptr_array_new_with_free_func ((GDestroyNotify) state_free);

  for (guint i = 0; rules != NULL && i < rules->len; i++)
    {
      TwRule *rule = g_ptr_array_index (rules, i);
      TwRuleState *state = g_hash_table_lookup (old, rule->id);

      if (!rule->enabled)
        continue;
      /* Two rules with one id would report to one alert: the first wins. */
      if (!g_hash_table_add (seen, rule->id))
        {
          g_message ("rules: a second rule \u2018%s\u2019 is ignored; ids must be unique",
                     rule->id);
          continue;
        }
      if (state != NULL && tw_rule_equal (state->rule, rule))
        {
          /* Unchanged: keep its conditions, durations, windows. */
          g_hash_table_remove (old, rule->id);
          g_ptr_array_add (engine->states, state);
          continue;
        }
      state = g_new0 (TwRuleState, 1);
      state->rule = tw_rule_ref (rule);
      state->engine = engine;
      state->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      if (rule->kind == TW_RULE_REFERENCE)
        tw_rule_window_create (state);
      g_ptr_array_add (engine->states, state);
    }

  /* Removed, disabled or changed rules end their conditions: a latched
   * alert stays until someone acknowledges it, the others clear. */
  g_hash_table_iter_init (&iter, old);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    release_all (value, engine->event_clock);
  g_ptr_array_set_free_func (old_states, NULL);
  for (guint i = 0; i < old_states->len; i++)
    {
      TwRuleState *state = g_ptr_array_index (old_states, i);

      if (g_hash_table_contains (old, state->rule->id) &&
          g_hash_table_lookup (old, state->rule->id) == state)
        state_free (state);
    }

  index_rules (engine);
}

/* ---- samples ----------------------------------------------------------- */

static TwRuleEntity *
get_entity (TwRuleEngine *engine,
            const char   *key)
{
  TwRuleEntity *entity = g_hash_table_lookup (engine->entities, key);

  if (entity == NULL)
    {
      entity = g_new0 (TwRuleEntity, 1);
      entity->key = g_strdup (key);
      entity->latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      entity->latest_ts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      entity->last_ts = G_MININT64;
      g_hash_table_insert (engine->entities, entity->key, entity);
    }
  return entity;
}

static void
entity_update (TwRuleEntity   *entity,
               const TwSample *sample,
               gint64          source_id)
{
  gint64 *ts = g_hash_table_lookup (entity->latest_ts, sample->metric);

  if (ts == NULL)
    {
      g_hash_table_insert (entity->latest_ts, g_strdup (sample->metric),
                           g_memdup2 (&sample->ts, sizeof sample->ts));
      g_hash_table_insert (entity->latest, g_strdup (sample->metric),
                           g_memdup2 (&sample->value, sizeof sample->value));
    }
  else if (sample->ts >= *ts)
    {
      *ts = sample->ts;
      *(double *) g_hash_table_lookup (entity->latest, sample->metric) = sample->value;
    }
  if (sample->ts >= entity->last_ts)
    {
      entity->last_ts = sample->ts;
      entity->source_id = source_id;
    }
}

static TwRuleSeries *
get_series (TwRuleEngine *engine,
            TwRuleEntity *entity,
            const char   *metric)
{
  g_autofree char *key = g_strconcat (entity->key, TW_RULE_KEY_SEPARATOR, metric, NULL);
  TwRuleSeries *series = g_hash_table_lookup (engine->series, key);

  if (series == NULL)
    {
      gint64 *retention = g_hash_table_lookup (engine->retention, metric);
      gint64 *lateness = g_hash_table_lookup (engine->lateness, metric);

      series = g_new0 (TwRuleSeries, 1);
      series->entity = entity;
      series->metric = g_strdup (metric);
      series->points = g_array_new (FALSE, FALSE, sizeof (TwPoint));
      series->retention_us = retention != NULL ? *retention : 0;
      series->lateness_us = lateness != NULL ? *lateness : TW_RULE_DEFAULT_LATENESS_US;
      g_hash_table_insert (engine->series, g_steal_pointer (&key), series);
    }
  return series;
}

/* Puts @point into the history in event-time order. FALSE when it is
 * older than the newest by more than the series' lateness. */
static gboolean
series_insert (TwRuleSeries  *series,
               const TwPoint *point)
{
  GArray *points = series->points;
  gint64 newest;
  guint lo = 0, hi, cut;

  if (points->len == 0 || point->ts >= g_array_index (points, TwPoint, points->len - 1).ts)
    g_array_append_val (points, *point);
  else
    {
      if (point->ts < g_array_index (points, TwPoint, points->len - 1).ts - series->lateness_us)
        return FALSE;
      /* After any sample with the same time: arrival order breaks ties. */
      hi = points->len;
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (g_array_index (points, TwPoint, mid).ts <= point->ts)
            lo = mid + 1;
          else
            hi = mid;
        }
      g_array_insert_val (points, lo, *point);
    }

  newest = g_array_index (points, TwPoint, points->len - 1).ts;
  for (cut = 0; cut + 1 < points->len; cut++)
    if (g_array_index (points, TwPoint, cut).ts >= newest - series->retention_us)
      break;
  if (cut > 0)
    g_array_remove_range (points, 0, cut);
  return TRUE;
}

static void
sweep_stale (TwRuleEngine *engine,
             gint64        clock)
{
  if (clock == G_MININT64 || engine->event_clock == G_MININT64)
    return;
  for (guint i = 0; i < engine->states->len; i++)
    {
      TwRuleState *state = g_ptr_array_index (engine->states, i);
      GHashTableIter iter;
      gpointer value;

      if (state->rule->kind != TW_RULE_STALE)
        continue;
      g_hash_table_iter_init (&iter, engine->entities);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        tw_rule_stale_check (state, value, engine->event_clock, engine->now_us);
    }
  engine->last_sweep = clock;
}

static void
advance_windows (TwRuleEngine *engine,
                 gint64        watermark)
{
  if (watermark == TW_WATERMARK_NONE)
    return;
  for (guint i = 0; i < engine->states->len; i++)
    {
      TwRuleState *state = g_ptr_array_index (engine->states, i);

      if (state->windows != NULL)
        tw_rule_window_advance (state, watermark);
    }
}

static void
dispatch (TwRuleEngine  *engine,
          GPtrArray     *states,
          TwRuleSeries  *series,
          const TwPoint *point,
          gboolean       accepted,
          gint64         late_by)
{
  TwRuleEntity *entity = series->entity;
  const char *group = tw_rule_engine_group_of (engine, entity->key);

  for (guint i = 0; states != NULL && i < states->len; i++)
    {
      TwRuleState *state = g_ptr_array_index (states, i);
      const TwRule *rule = state->rule;
      gboolean too_late = !accepted || late_by > rule->lateness_us;

      switch (rule->kind)
        {
        case TW_RULE_REFERENCE:
          if (tw_rule_applies_to (rule, entity->key, group))
            tw_rule_window_add (state, entity->key, point);
          continue;

        case TW_RULE_SPREAD:
          /* The other side of a spread may be out of scope itself. */
          if (too_late)
            engine->sample_too_late = TRUE;
          else
            tw_rule_eval_spread (state, series);
          continue;

        case TW_RULE_STALE:
          /* Any sample, late or not, shows the source is alive. */
          if (tw_rule_applies_to (rule, entity->key, group))
            tw_rule_stale_check (state, entity, engine->event_clock, engine->now_us);
          continue;

        default:
          break;
        }

      if (!tw_rule_applies_to (rule, entity->key, group))
        continue;
      if (too_late)
        {
          engine->sample_too_late = TRUE;
          continue;
        }
      tw_rule_eval_sample (state, series, point, late_by > 0);
    }
}

static gboolean
continues_message (const TwSample *samples,
                   guint           n_samples,
                   guint           i)
{
  return i + 1 < n_samples && samples[i + 1].ts == samples[i].ts
         && g_strcmp0 (samples[i + 1].entity, samples[i].entity) == 0;
}

void
tw_rule_engine_process (TwRuleEngine   *engine,
                        gint64          source_id,
                        const TwSample *samples,
                        guint           n_samples,
                        gint64          now_us)
{
  gint64 clock, watermark;

  g_return_if_fail (engine != NULL);
  g_return_if_fail (samples != NULL || n_samples == 0);

  engine->now_us = now_us;
  for (guint i = 0; i < n_samples; i++)
    {
      const TwSample *sample = &samples[i];
      TwPoint point = { sample->ts, sample->value };
      TwRuleEntity *entity;
      TwRuleSeries *series;
      gint64 newest = G_MININT64;
      gboolean accepted;

      if (sample->entity == NULL || sample->metric == NULL)
        continue;

      engine->source_id = source_id;
      engine->sample_too_late = FALSE;
      tw_watermarks_observe (engine->marks, source_id, sample->ts, now_us);
      engine->event_clock = MAX (engine->event_clock, sample->ts);

      entity = get_entity (engine, sample->entity);
      entity_update (entity, sample, source_id);
      entity->last_arrival_us = now_us;
      series = get_series (engine, entity, sample->metric);
      series->last_arrival_us = now_us;
      if (series->points->len > 0)
        newest = g_array_index (series->points, TwPoint, series->points->len - 1).ts;
      accepted = series_insert (series, &point);

      dispatch (engine, g_hash_table_lookup (engine->by_metric, sample->metric),
                series, &point, accepted, newest > sample->ts ? newest - sample->ts : 0);
      /* Rules over the whole entity (score bands) judge a message once all
       * of its values are in: a vitals message arrives as consecutive
       * samples of one entity at one time, and judging it half applied
       * could raise and clear at the same instant. */
      if (!continues_message (samples, n_samples, i))
        dispatch (engine, engine->any_metric, series, &point, accepted,
                  newest > sample->ts ? newest - sample->ts : 0);

      if (engine->sample_too_late)
        {
          engine->too_late++;
          g_debug ("rules: %s/%s at %" G_GINT64_FORMAT " arrived later than the allowed "
                   "lateness; counted, not used", sample->entity, sample->metric, sample->ts);
        }
    }

  clock = MAX (engine->event_clock, now_us);
  if (engine->last_sweep == G_MININT64 ||
      clock - engine->last_sweep >= TW_RULE_ENGINE_STALE_SWEEP_US)
    sweep_stale (engine, clock);
  if (n_samples > 0)
    engine->last_arrival = now_us;
  watermark = tw_watermarks_get (engine->marks, now_us);
  advance_windows (engine, watermark);
}

void
tw_rule_engine_tick (TwRuleEngine *engine,
                     gint64        now_us)
{
  g_autoptr(GArray) escalated = NULL;
  gint64 watermark;
  gint64 clock;

  g_return_if_fail (engine != NULL);

  engine->now_us = now_us;
  engine->source_id = 0;
  /* The pipeline ticks every few milliseconds; staleness is in minutes. */
  clock = MAX (engine->event_clock, now_us);
  if (engine->last_sweep == G_MININT64 ||
      clock - engine->last_sweep >= TW_RULE_ENGINE_STALE_SWEEP_US)
    sweep_stale (engine, clock);

  /* An idle source stops holding the watermark back. When every source
   * is idle and the clock is a wall clock close to the data's event time,
   * processing time closes windows too: "no orders this minute" is judged
   * as zero orders even though no sample moves event time on. */
  watermark = tw_watermarks_get (engine->marks, now_us);
  if (watermark != TW_WATERMARK_NONE &&
      now_us - engine->last_arrival >= TW_RULE_ENGINE_IDLE_TIMEOUT_US &&
      now_us >= engine->event_clock &&
      now_us - engine->event_clock <= TW_RULE_ENGINE_LIVE_HORIZON_US)
    watermark = MAX (watermark, now_us - TW_RULE_ENGINE_WATERMARK_BOUND_US);
  advance_windows (engine, watermark);

  escalated = tw_alert_board_tick (engine->board, now_us);
}

void
tw_rule_engine_finish (TwRuleEngine *engine,
                       gint64        now_us)
{
  gint64 end;

  g_return_if_fail (engine != NULL);

  engine->now_us = now_us;
  engine->source_id = 0;
  if (engine->event_clock == G_MININT64)
    return;
  /* Every window that ended by the last sample is judged; a window the
   * recording stops in the middle of is not (it would look empty). */
  end = engine->event_clock + 1;
  advance_windows (engine, end);
}
