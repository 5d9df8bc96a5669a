#include "tw-pipeline-private.h"
#include "tw-rule-engine.h"
#include "tw-store-alerts.h"
#include "tw-store-rules.h"
#include "tw-time.h"

/* At most one message per source per minute about late samples: a source
 * replaying an old backlog would otherwise flood the log. */
#define TOO_LATE_LOG_INTERVAL_US TW_USEC_PER_MIN
/* A report that repeats a condition changes an open alert's message and
 * evidence window without a transition: shown and kept this often. */
#define REFRESH_INTERVAL_US      TW_USEC_PER_SEC
#define AUDIO_PAUSE_US           TW_ALERT_DEFAULT_PAUSE_US

typedef struct
{
  guint64 unsaved;        /* counted, not yet committed */
  guint64 unlogged;       /* counted since the last message */
  gint64  last_logged;    /* wall µs, 0: never */
} TooLate;

struct _TwPipelineAlerts
{
  TwPipeline   *pipeline;
  TwStore      *store;           /* the engine's writer connection, borrowed */
  TwAlertBoard *board;
  TwRuleEngine *engine;

  /* Open alerts as last seen, id → TwAlert*: a transition that closes an
   * alert removes it from the board, and its row still needs its last
   * state. */
  GHashTable   *known;

  /* Not committed yet: id → TwAlertRecord* (latest state) and the
   * transitions in order (TwAlertTransition, strings owned). */
  GHashTable   *unsaved_alerts;
  GArray       *unsaved_transitions;
  GHashTable   *too_late;        /* source id (gint64*) → TooLate* */

  gboolean      changed;         /* publish a new snapshot */
  gboolean      evaluated;       /* samples seen since the last snapshot */
  gint64        last_published;  /* wall µs */
  gboolean      audio_paused;    /* as last published */
  gint64        audio_paused_until;
  guint64       newest_high_id;
  guint64       too_late_saved;  /* committed, all sources, all runs */
  guint64       generation;
};

void
tw_alert_command_free (TwAlertCommand *command)
{
  if (command == NULL)
    return;
  g_free (command->who);
  g_free (command->note);
  g_free (command);
}

TwAlertSnapshot *
tw_alert_snapshot_new_empty (void)
{
  TwAlertSnapshot *snapshot = g_new0 (TwAlertSnapshot, 1);

  snapshot->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_alert_free);
  return snapshot;
}

void
tw_alert_snapshot_free (TwAlertSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_ptr_array_unref (snapshot->alerts);
  g_free (snapshot);
}

static void
transition_clear (gpointer data)
{
  TwAlertTransition *t = data;

  g_free (t->who);
  g_free (t->note);
}

static gboolean
load_rules (TwPipelineAlerts  *self,
            TwStore           *store,
            GError           **error)
{
  g_autoptr(GPtrArray) rules = tw_store_load_enabled_rules (store, error);

  if (rules == NULL)
    return FALSE;
  tw_rule_engine_set_rules (self->engine, rules);
  g_debug ("Rules: %u enabled", rules->len);
  return TRUE;
}

static gboolean
restore (TwPipelineAlerts  *self,
         TwStore           *store,
         GError           **error)
{
  g_autoptr(GPtrArray) open = tw_store_list_open_alerts (store, error);
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint64 max_id = 0;

  if (open == NULL || !tw_store_get_max_alert_id (store, &max_id, error))
    return FALSE;
  for (guint i = 0; i < open->len; i++)
    {
      TwAlertRecord *record = g_ptr_array_index (open, i);
      TwAlert *copy = tw_alert_copy (record->alert);

      tw_alert_board_restore (self->board, record->alert);
      g_hash_table_insert (self->known, &copy->id, copy);
    }
  /* Ids continue after the highest ever stored, closed alerts included. */
  tw_alert_board_set_next_id (self->board, max_id + 1);

  groups = tw_store_load_entity_groups (store, error);
  if (groups == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    tw_rule_engine_set_group (self->engine, key, value);

  sources = tw_store_list_sources (store, error);
  if (sources == NULL)
    return FALSE;
  for (guint i = 0; i < sources->len; i++)
    {
      TwSourceRow *row = g_ptr_array_index (sources, i);
      guint64 n = 0;

      if (!tw_store_get_source_too_late (store, row->id, &n, error))
        return FALSE;
      self->too_late_saved += n;
    }
  return TRUE;
}

TwPipelineAlerts *
tw_pipeline_alerts_new (TwPipeline  *pipeline,
                        TwStore     *store,
                        GError     **error)
{
  TwPipelineAlerts *self = g_new0 (TwPipelineAlerts, 1);
  g_autoptr(GError) seed_error = NULL;

  self->pipeline = pipeline;
  self->store = store;
  self->board = tw_alert_board_new ();
  self->engine = tw_rule_engine_new (self->board);
  tw_alert_board_set_pause_duration (self->board, AUDIO_PAUSE_US);
  /* Keys of known point into the alerts themselves. */
  self->known = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) tw_alert_free);
  self->unsaved_alerts = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                (GDestroyNotify) tw_alert_record_free);
  self->unsaved_transitions = g_array_new (FALSE, FALSE, sizeof (TwAlertTransition));
  g_array_set_clear_func (self->unsaved_transitions, transition_clear);
  self->too_late = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->changed = TRUE;  /* the first snapshot shows the restored alerts */

  /* Missing or broken default packs must not stop ingest: the store keeps
   * whatever rules it has, and the next start tries again. */
  if (!tw_store_seed_rules (store, NULL, NULL, &seed_error))
    g_warning ("The default rules were not installed: %s", seed_error->message);

  if (!load_rules (self, store, error) || !restore (self, store, error))
    {
      tw_pipeline_alerts_free (self);
      return NULL;
    }
  return self;
}

void
tw_pipeline_alerts_free (TwPipelineAlerts *self)
{
  if (self == NULL)
    return;
  tw_rule_engine_free (self->engine);
  tw_alert_board_free (self->board);
  g_hash_table_unref (self->known);
  g_hash_table_unref (self->unsaved_alerts);
  g_array_unref (self->unsaved_transitions);
  g_hash_table_unref (self->too_late);
  g_free (self);
}

static TooLate *
too_late_for (TwPipelineAlerts *self,
              gint64            source_id)
{
  TooLate *entry = g_hash_table_lookup (self->too_late, &source_id);

  if (entry == NULL)
    {
      entry = g_new0 (TooLate, 1);
      g_hash_table_insert (self->too_late, g_memdup2 (&source_id, sizeof source_id), entry);
    }
  return entry;
}

static void
count_too_late (TwPipelineAlerts *self,
                gint64            source_id,
                guint64           n,
                gint64            now)
{
  TooLate *entry = too_late_for (self, source_id);

  entry->unsaved += n;
  entry->unlogged += n;
  self->changed = TRUE;
  if (entry->last_logged == 0 || now - entry->last_logged >= TOO_LATE_LOG_INTERVAL_US)
    {
      g_message ("Source %" G_GINT64_FORMAT ": %" G_GUINT64_FORMAT " samples arrived later "
                 "than the rules' allowed lateness; they are stored but not used by the rules",
                 source_id, entry->unlogged);
      entry->unlogged = 0;
      entry->last_logged = now;
    }
}

void
tw_pipeline_alerts_evaluate (TwPipelineAlerts *self,
                             const TwBatch    *batch)
{
  gint64 now = tw_time_now ();
  guint64 late_before, late_after;

  /* A new group takes effect before the samples that come with it. */
  for (guint i = 0; i < batch->entities->len; i++)
    {
      const TwEntityInfo *info = &g_array_index (batch->entities, TwEntityInfo, i);

      if (info->group != NULL)
        tw_rule_engine_set_group (self->engine, info->key, info->group);
    }
  if (batch->samples->len == 0)
    return;

  late_before = tw_rule_engine_get_too_late (self->engine);
  tw_rule_engine_process (self->engine, batch->source_id,
                          (const TwSample *) batch->samples->data, batch->samples->len, now);
  self->evaluated = TRUE;
  late_after = tw_rule_engine_get_too_late (self->engine);
  if (late_after > late_before)
    count_too_late (self, batch->source_id, late_after - late_before, now);
}

/* The ack fields of a transition for an alert that left the board in the
 * same turn (a latched alert acknowledged after its condition ended). */
static void
apply_to_closed (TwAlert                 *alert,
                 const TwAlertTransition *t)
{
  alert->state = t->to;
  alert->updated_us = t->when_us;
  if (t->who != NULL && t->from != t->to
      && (t->to == TW_ALERT_STATE_ACKNOWLEDGED || t->to == TW_ALERT_STATE_CLOSED)
      && alert->acknowledged_by == NULL)
    {
      alert->acknowledged_by = g_strdup (t->who);
      g_free (alert->ack_note);
      alert->ack_note = g_strdup (t->note);
      alert->acknowledged_us = t->when_us;
    }
  if (t->to == TW_ALERT_STATE_CLOSED)
    alert->condition_active = FALSE;
}

/* Takes the board's log: every alert it names gets a record of its state
 * now, and the transitions join the unsaved ones. */
static void
collect (TwPipelineAlerts *self)
{
  g_autoptr(GArray) log = tw_alert_board_steal_log (self->board);

  if (log == NULL || log->len == 0)
    return;
  self->changed = TRUE;
  for (guint i = 0; i < log->len; i++)
    {
      const TwAlertTransition *t = &g_array_index (log, TwAlertTransition, i);
      guint64 id = t->alert_id;
      const TwAlert *open = tw_alert_board_lookup (self->board, id);
      TwAlert *seen = g_hash_table_lookup (self->known, &id);

      if (t->from == TW_ALERT_STATE_NONE && open != NULL
          && open->priority == TW_ALERT_PRIORITY_HIGH)
        self->newest_high_id = MAX (self->newest_high_id, id);

      if (open != NULL)
        {
          TwAlert *copy = tw_alert_copy (open);
          TwAlertRecord *record = tw_alert_record_new (open);

          g_hash_table_replace (self->known, &copy->id, copy);
          g_hash_table_replace (self->unsaved_alerts, &record->alert->id, record);
        }
      else if (seen != NULL)
        {
          TwAlertRecord *record;

          apply_to_closed (seen, t);
          record = tw_alert_record_new (seen);
          g_hash_table_replace (self->unsaved_alerts, &record->alert->id, record);
          if (t->to == TW_ALERT_STATE_CLOSED)
            g_hash_table_remove (self->known, &id);
        }
      /* else: raised and closed within one turn (a re-arm time of 0); the
       * transitions are stored, the id is never reused
       * (tw_store_get_max_alert_id() counts them). */
    }
  /* The entries' strings move over with them. */
  g_array_append_vals (self->unsaved_transitions, log->data, log->len);
  g_array_set_clear_func (log, NULL);
}

static void
apply_command (TwPipelineAlerts *self,
               TwAlertCommand   *command,
               gint64            now)
{
  switch (command->kind)
    {
    case TW_ALERT_COMMAND_ACKNOWLEDGE:
      /* A command racing with the alert's closing finds nothing: fine. */
      if (!tw_alert_board_acknowledge (self->board, command->alert_id, command->who,
                                       command->note, now))
        g_debug ("Alert %" G_GUINT64_FORMAT " is not open or already acknowledged",
                 command->alert_id);
      break;
    case TW_ALERT_COMMAND_ESCALATE:
      if (!tw_alert_board_escalate (self->board, command->alert_id, command->who,
                                    command->note, now))
        g_debug ("Alert %" G_GUINT64_FORMAT " cannot be escalated", command->alert_id);
      break;
    case TW_ALERT_COMMAND_PAUSE_AUDIO:
      tw_alert_board_pause_audio (self->board, now);
      self->audio_paused_until = now + AUDIO_PAUSE_US;
      self->changed = TRUE;
      g_message ("Alert audio paused by %s", command->who != NULL ? command->who : "(unknown)");
      break;
    case TW_ALERT_COMMAND_RELOAD_RULES:
      {
        g_autoptr(GError) error = NULL;

        /* The writer connection sees every committed rule, also from
         * inside its own transaction (which never writes rules). */
        if (!load_rules (self, self->store, &error))
          g_warning ("The rules were not reloaded: %s", error->message);
        break;
      }
    default:
      g_assert_not_reached ();
    }
}

static void
publish (TwPipelineAlerts *self,
         gint64            now)
{
  TwPipeline *pipeline = self->pipeline;
  g_autoptr(GPtrArray) list = tw_alert_board_list (self->board);
  TwAlertSnapshot *snapshot = tw_alert_snapshot_new_empty ();
  GHashTableIter iter;
  TooLate *entry;
  guint64 unsaved_late = 0;

  for (guint i = 0; i < list->len; i++)
    {
      TwAlert *copy = tw_alert_copy (g_ptr_array_index (list, i));

      g_ptr_array_add (snapshot->alerts, copy);
      /* What an alert that closes next is stored with. */
      copy = tw_alert_copy (copy);
      g_hash_table_replace (self->known, &copy->id, copy);
    }
  for (int p = TW_ALERT_PRIORITY_LOW; p < TW_ALERT_N_PRIORITIES; p++)
    snapshot->counts[p] = tw_alert_board_count (self->board, p);
  snapshot->audio_paused = self->audio_paused;
  snapshot->audio_paused_until = self->audio_paused ? self->audio_paused_until : 0;
  snapshot->newest_high_id = self->newest_high_id;
  g_hash_table_iter_init (&iter, self->too_late);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    unsaved_late += entry->unsaved;
  snapshot->too_late = self->too_late_saved + unsaved_late;
  snapshot->generation = ++self->generation;

  g_mutex_lock (&pipeline->mutex);
  tw_alert_snapshot_free (pipeline->alert_snapshot);
  pipeline->alert_snapshot = snapshot;
  g_mutex_unlock (&pipeline->mutex);
  self->changed = FALSE;
  self->evaluated = FALSE;
  self->last_published = now;
}

void
tw_pipeline_alerts_turn (TwPipelineAlerts *self)
{
  gint64 now = tw_time_now ();
  TwAlertCommand *command;
  gboolean paused;

  while ((command = g_async_queue_try_pop (self->pipeline->alert_commands)) != NULL)
    {
      apply_command (self, command, now);
      tw_alert_command_free (command);
    }
  tw_rule_engine_tick (self->engine, now);
  collect (self);

  /* The pause ends by itself or is broken by a new higher alert. */
  paused = tw_alert_board_audio_paused (self->board, now);
  if (paused != self->audio_paused)
    {
      self->audio_paused = paused;
      self->changed = TRUE;
    }
  if (self->evaluated && now - self->last_published >= REFRESH_INTERVAL_US)
    self->changed = TRUE;
  if (self->changed)
    publish (self, now);
}

gboolean
tw_pipeline_alerts_has_pending (TwPipelineAlerts *self)
{
  GHashTableIter iter;
  TooLate *entry;

  if (g_hash_table_size (self->unsaved_alerts) > 0 || self->unsaved_transitions->len > 0)
    return TRUE;
  g_hash_table_iter_init (&iter, self->too_late);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->unsaved > 0)
      return TRUE;
  return FALSE;
}

gboolean
tw_pipeline_alerts_write (TwPipelineAlerts  *self,
                          TwStore           *store,
                          GError           **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->unsaved_alerts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TwAlertRecord *record = value;
      const TwAlert *open = tw_alert_board_lookup (self->board, record->alert->id);

      /* Still open: its latest message and evidence, not those of its
       * last transition. */
      if (open != NULL)
        {
          tw_alert_free (record->alert);
          record->alert = tw_alert_copy (open);
        }
      g_ptr_array_add (records, record);
    }
  if (!tw_store_save_alerts (store, records, self->unsaved_transitions, error))
    return FALSE;

  g_hash_table_iter_init (&iter, self->too_late);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      TooLate *entry = value;

      if (!tw_store_add_source_too_late (store, *(gint64 *) key, entry->unsaved, error))
        return FALSE;
    }
  return TRUE;
}

void
tw_pipeline_alerts_committed (TwPipelineAlerts *self)
{
  GHashTableIter iter;
  TooLate *entry;

  g_hash_table_remove_all (self->unsaved_alerts);
  g_array_set_size (self->unsaved_transitions, 0);
  g_hash_table_iter_init (&iter, self->too_late);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      self->too_late_saved += entry->unsaved;
      entry->unsaved = 0;
    }
}
