#include "config.h"

#include "tw-error.h"
#include "tw-rule-engine.h"
#include "tw-rule-preview.h"
#include "tw-store-alerts.h"

/* A cancelled preview stops within this many samples. */
#define CANCEL_CHECK_SAMPLES 4096
/* The live pipeline ticks the engine about once a second. */
#define TICK_STEP_US         G_USEC_PER_SEC
#define MAX_TICKS_PER_GAP    G_GINT64_CONSTANT (86400)

struct _TwRulePlayback
{
  TwAlertBoard       *board;
  TwRuleEngine       *engine;   /* borrows board */
  GHashTable         *alerts;   /* guint64* id → TwAlert* (latest known) */
  TwRulePlaybackFunc  func;
  gpointer            user_data;
  gint64              clock;    /* newest event time seen; G_MININT64 before any */
  guint64             samples;
  guint64             raised;
  guint64             transitions;
};

TwRulePlayback *
tw_rule_playback_new (GPtrArray          *rules,
                      TwRulePlaybackFunc  func,
                      gpointer            user_data)
{
  TwRulePlayback *self;

  g_return_val_if_fail (rules != NULL, NULL);

  self = g_new0 (TwRulePlayback, 1);
  self->board = tw_alert_board_new ();
  self->engine = tw_rule_engine_new (self->board);
  tw_rule_engine_set_rules (self->engine, rules);
  self->alerts = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                        (GDestroyNotify) tw_alert_free);
  self->func = func;
  self->user_data = user_data;
  self->clock = G_MININT64;
  return self;
}

void
tw_rule_playback_free (TwRulePlayback *self)
{
  if (self == NULL)
    return;
  /* The engine borrows the board: it goes first. */
  tw_rule_engine_free (self->engine);
  tw_alert_board_free (self->board);
  g_hash_table_unref (self->alerts);
  g_free (self);
}

void
tw_rule_playback_set_group (TwRulePlayback *self,
                            const char     *entity_key,
                            const char     *group)
{
  g_return_if_fail (self != NULL && entity_key != NULL);
  tw_rule_engine_set_group (self->engine, entity_key, group);
}

/* The board forgets an alert once it closes, so the playback keeps the last
 * copy it saw: a transition to CLOSED can still name its rule and entity. */
static TwAlert *
remember_alert (TwRulePlayback *self,
                guint64         id)
{
  const TwAlert *live = tw_alert_board_lookup (self->board, id);
  TwAlert *known = g_hash_table_lookup (self->alerts, &id);

  if (live != NULL)
    {
      known = tw_alert_copy (live);
      g_hash_table_replace (self->alerts, &known->id, known);
    }
  else if (known == NULL)
    {
      /* Raised and closed within one step: only the id is known. */
      known = g_new0 (TwAlert, 1);
      known->id = id;
      g_hash_table_replace (self->alerts, &known->id, known);
    }
  return known;
}

static void
drain_log (TwRulePlayback *self)
{
  g_autoptr(GArray) log = tw_alert_board_steal_log (self->board);

  for (guint i = 0; log != NULL && i < log->len; i++)
    {
      const TwAlertTransition *t = &g_array_index (log, TwAlertTransition, i);
      TwAlert *alert = remember_alert (self, t->alert_id);

      /* Several transitions of one alert in one step (acknowledged →
       * cleared → closed): each is reported with its own state. */
      alert->state = t->to;
      alert->updated_us = t->when_us;
      if (t->from == TW_ALERT_STATE_NONE)
        self->raised++;
      self->transitions++;
      if (self->func != NULL)
        self->func (t, alert, self->user_data);
    }
}

/* Time passes in steps, as the live engine's periodic tick would see it:
 * escalation, re-arm and stale data happen at their own time, not only when
 * the next sample arrives. A long gap in the recording takes at most
 * MAX_TICKS_PER_GAP steps. */
static void
advance_clock (TwRulePlayback *self,
               gint64          ts)
{
  gint64 step;

  if (ts <= self->clock)
    return;
  if (self->clock == G_MININT64)
    {
      self->clock = ts;
      tw_rule_engine_tick (self->engine, self->clock);
      drain_log (self);
      return;
    }
  step = MAX (TICK_STEP_US, (ts - self->clock) / MAX_TICKS_PER_GAP);
  while (self->clock < ts)
    {
      self->clock = MIN (ts, self->clock + step);
      tw_rule_engine_tick (self->engine, self->clock);
      drain_log (self);
    }
}

void
tw_rule_playback_process (TwRulePlayback *self,
                          gint64          source_id,
                          const TwSample *samples,
                          guint           n_samples)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (samples != NULL || n_samples == 0);

  /* One sample at a time: "now" is the event time of the sample being
   * processed (never going back for an out-of-order one), as the live
   * engine's clock would read when it arrived in real time. Time passes
   * first, then the sample arrives. */
  for (guint i = 0; i < n_samples; i++)
    {
      advance_clock (self, samples[i].ts);
      tw_rule_engine_process (self->engine, source_id, &samples[i], 1, self->clock);
      drain_log (self);
      self->samples++;
    }
}

void
tw_rule_playback_finish (TwRulePlayback *self,
                         gint64          end_ts)
{
  g_return_if_fail (self != NULL);

  if (end_ts != 0)
    advance_clock (self, end_ts);
  if (self->clock == G_MININT64)
    return;   /* nothing was played: there is no time to end at */
  tw_rule_engine_finish (self->engine, self->clock);
  drain_log (self);
}

static int
compare_alert_ids (gconstpointer a,
                   gconstpointer b)
{
  const TwAlert *x = *(TwAlert * const *) a;
  const TwAlert *y = *(TwAlert * const *) b;

  return x->id < y->id ? -1 : x->id > y->id ? 1 : 0;
}

GPtrArray *
tw_rule_playback_get_alerts (TwRulePlayback *self)
{
  GPtrArray *alerts;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (self != NULL, NULL);

  alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_alert_free);
  g_hash_table_iter_init (&iter, self->alerts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (alerts, tw_alert_copy (value));
  g_ptr_array_sort (alerts, compare_alert_ids);
  return alerts;
}

guint64
tw_rule_playback_get_samples (TwRulePlayback *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->samples;
}

guint64
tw_rule_playback_get_raised (TwRulePlayback *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->raised;
}

guint64
tw_rule_playback_get_transitions (TwRulePlayback *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->transitions;
}

guint64
tw_rule_playback_get_too_late (TwRulePlayback *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return tw_rule_engine_get_too_late (self->engine);
}

guint
tw_rule_playback_get_open (TwRulePlayback *self)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);
  for (int p = 0; p < TW_ALERT_N_PRIORITIES; p++)
    n += tw_alert_board_count (self->board, (TwAlertPriority) p);
  return n;
}

/* ---- preview over the store ------------------------------------------- */

typedef struct
{
  gint64  ts;
  double  value;
  guint   series;   /* index into the selected series */
} MergedSample;

static int
compare_merged (gconstpointer a,
                gconstpointer b)
{
  const MergedSample *x = a;
  const MergedSample *y = b;

  /* Event time first; ties in a fixed series order, so a preview gives the
   * same answer every time. */
  if (x->ts != y->ts)
    return x->ts < y->ts ? -1 : 1;
  return x->series < y->series ? -1 : x->series > y->series ? 1 : 0;
}

static gboolean
metric_touched (const TwRule *rule,
                const char   *metric)
{
  /* No metric (a score over all vitals, stale data of any series): every
   * series of the entity matters. */
  if (rule->metric == NULL)
    return TRUE;
  return g_str_equal (rule->metric, metric)
         || (rule->metric_b != NULL && g_str_equal (rule->metric_b, metric));
}

static gboolean
entity_touched (const TwRule *rule,
                const char   *entity,
                const char   *group)
{
  /* A spread's second series may belong to an entity outside the scope. */
  return tw_rule_applies_to (rule, entity, group)
         || (rule->entity_b != NULL && g_str_equal (rule->entity_b, entity));
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;
  g_set_error_literal (error, TW_ERROR, TW_ERROR_CANCELLED, "The preview was cancelled");
  return TRUE;
}

GPtrArray *
tw_rule_preview (TwStore       *store,
                 TwRule        *rule,
                 gint64         from_ts,
                 gint64         to_ts,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GPtrArray) series = NULL;
  g_autoptr(GPtrArray) selected = g_ptr_array_new ();
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(GArray) merged = g_array_new (FALSE, FALSE, sizeof (MergedSample));
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_rule_unref);
  g_autoptr(TwRulePlayback) playback = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (rule != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (to_ts <= from_ts)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "A preview needs a window that ends after it starts");
      return NULL;
    }

  groups = tw_store_load_entity_groups (store, error);
  if (groups == NULL)
    return NULL;
  series = tw_store_list_series_stats (store, error);
  if (series == NULL)
    return NULL;

  for (guint i = 0; i < series->len; i++)
    {
      TwSeriesStats *s = g_ptr_array_index (series, i);

      if (s->count == 0 || s->last_ts < from_ts || s->first_ts >= to_ts)
        continue;
      if (!metric_touched (rule, s->metric)
          || !entity_touched (rule, s->entity, g_hash_table_lookup (groups, s->entity)))
        continue;
      g_ptr_array_add (selected, s);
    }

  for (guint i = 0; i < selected->len; i++)
    {
      TwSeriesStats *s = g_ptr_array_index (selected, i);
      g_autoptr(GArray) points = NULL;

      if (check_cancelled (cancellable, error))
        return NULL;
      points = tw_store_read_samples (store, s->entity, s->metric, from_ts, to_ts, error);
      if (points == NULL)
        return NULL;
      for (guint k = 0; k < points->len; k++)
        {
          const TwPoint *p = &g_array_index (points, TwPoint, k);
          MergedSample m = { p->ts, p->value, i };

          g_array_append_val (merged, m);
        }
    }
  g_array_sort (merged, compare_merged);

  /* The editor previews a rule before it is enabled. */
  g_ptr_array_add (rules, tw_rule_copy_with_enabled (rule, TRUE));
  playback = tw_rule_playback_new (rules, NULL, NULL);
  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    tw_rule_playback_set_group (playback, key, value);

  for (guint i = 0; i < merged->len; i++)
    {
      const MergedSample *m = &g_array_index (merged, MergedSample, i);
      const TwSeriesStats *s = g_ptr_array_index (selected, m->series);
      TwSample sample = { s->entity, s->metric, m->ts, m->value };

      if (i % CANCEL_CHECK_SAMPLES == 0 && check_cancelled (cancellable, error))
        return NULL;
      /* Stored samples carry no source: one stream in event-time order. */
      tw_rule_playback_process (playback, 0, &sample, 1);
    }
  /* The window's end is "now" for the preview: data that stopped before
   * it is stale by then. */
  tw_rule_playback_finish (playback, to_ts - 1);
  return tw_rule_playback_get_alerts (playback);
}
