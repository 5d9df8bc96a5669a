#include "tw-audit.h"
#include "tw-pipeline-private.h"
#include "tw-rule-engine.h"
#include "tw-store-alerts.h"
#include "tw-store-private.h"
#include "tw-store-rules.h"
#include "tw-time.h"

/* At most one message per source per minute about late samples: a source
 * replaying an old backlog would otherwise flood the log. */
#define TOO_LATE_LOG_INTERVAL_US TW_USEC_PER_MIN
/* A report that repeats a condition changes an open alert's message and
 * evidence window without a transition: shown and kept this often. */
#define REFRESH_INTERVAL_US      TW_USEC_PER_SEC
#define AUDIO_PAUSE_US           TW_ALERT_DEFAULT_PAUSE_US
/* What the lock screen says when no source ever named the bed. */
#define UNKNOWN_BED              "Unknown bed"

/* Per source, for the log: how many since the last message. */
typedef struct
{
  guint64 unlogged;
  gint64  last_logged;    /* wall µs, 0: never */
} TooLate;

/* Changes not stored yet: the latest state of each alert that changed,
 * the transitions in order, late samples per source. */
struct _TwAlertChanges
{
  GHashTable *alerts;        /* id (guint64*, in the record) → TwAlertRecord* */
  GArray     *transitions;   /* TwAlertTransition, strings owned */
  GHashTable *too_late;      /* source id (gint64*) → guint64* */
  GPtrArray  *audio_pauses;  /* who paused the alarm sound (char*), for the audit */
};

struct _TwPipelineAlerts
{
  TwPipeline   *pipeline;
  TwAlertBoard *board;
  TwRuleEngine *engine;

  /* Open alerts as last seen, id → TwAlert*: a transition that closes an
   * alert removes it from the board, and its row still needs its last
   * state. */
  GHashTable   *known;
  GHashTable   *too_late;        /* source id (gint64*) → TooLate* */
  /* Entity key → bed (its location), from the store at start and the
   * batches' announcements since: the lock screen names beds, not people. */
  GHashTable   *locations;
  gboolean      reload_deferred; /* rules changed while detached: reload at attach */

  /* Filled by the engine thread, emptied by the writer thread. */
  GMutex          outbox_lock;
  TwAlertChanges *outbox;

  gboolean      changed;         /* publish a new snapshot */
  gboolean      evaluated;       /* samples seen since the last snapshot */
  gint64        last_published;  /* wall µs */
  gboolean      audio_paused;    /* as last published */
  gint64        audio_paused_until;
  guint64       newest_high_id;
  guint64       too_late_total;  /* all sources, all runs */
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

TwAlertChanges *
tw_alert_changes_new (void)
{
  TwAlertChanges *changes = g_new0 (TwAlertChanges, 1);

  /* Keys point into the records. */
  changes->alerts = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                           (GDestroyNotify) tw_alert_record_free);
  changes->transitions = g_array_new (FALSE, FALSE, sizeof (TwAlertTransition));
  g_array_set_clear_func (changes->transitions, transition_clear);
  changes->too_late = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  changes->audio_pauses = g_ptr_array_new_with_free_func (g_free);
  return changes;
}

void
tw_alert_changes_free (TwAlertChanges *changes)
{
  if (changes == NULL)
    return;
  g_hash_table_unref (changes->alerts);
  g_array_unref (changes->transitions);
  g_hash_table_unref (changes->too_late);
  g_ptr_array_unref (changes->audio_pauses);
  g_free (changes);
}

gboolean
tw_alert_changes_is_empty (TwAlertChanges *changes)
{
  return g_hash_table_size (changes->alerts) == 0 && changes->transitions->len == 0
         && g_hash_table_size (changes->too_late) == 0 && changes->audio_pauses->len == 0;
}

void
tw_alert_changes_clear (TwAlertChanges *changes)
{
  g_hash_table_remove_all (changes->alerts);
  g_array_set_size (changes->transitions, 0);
  g_hash_table_remove_all (changes->too_late);
  g_ptr_array_set_size (changes->audio_pauses, 0);
}

static void
changes_put_alert (TwAlertChanges *changes,
                   TwAlertRecord  *record)
{
  g_hash_table_replace (changes->alerts, &record->alert->id, record);
}

/* Appends @log's entries; their strings move over with them. */
static void
changes_add_transitions (TwAlertChanges *changes,
                         GArray         *log)
{
  g_array_append_vals (changes->transitions, log->data, log->len);
  g_array_set_clear_func (log, NULL);
  g_array_set_size (log, 0);
  g_array_set_clear_func (log, transition_clear);
}

static void
changes_add_too_late (TwAlertChanges *changes,
                      gint64          source_id,
                      guint64         n)
{
  guint64 *count = g_hash_table_lookup (changes->too_late, &source_id);

  if (count == NULL)
    {
      count = g_new0 (guint64, 1);
      g_hash_table_insert (changes->too_late, g_memdup2 (&source_id, sizeof source_id), count);
    }
  *count += n;
}

/* Moves everything of @from into @into; newer alert states win. */
static void
changes_merge (TwAlertChanges *into,
               TwAlertChanges *from)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, from->alerts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_iter_steal (&iter);
      changes_put_alert (into, value);
    }
  changes_add_transitions (into, from->transitions);
  g_hash_table_iter_init (&iter, from->too_late);
  while (g_hash_table_iter_next (&iter, &key, &value))
    changes_add_too_late (into, *(gint64 *) key, *(guint64 *) value);
  g_hash_table_remove_all (from->too_late);
  for (guint i = 0; i < from->audio_pauses->len; i++)
    g_ptr_array_add (into->audio_pauses, g_steal_pointer (&from->audio_pauses->pdata[i]));
  g_ptr_array_set_size (from->audio_pauses, 0);
}

gboolean
tw_alert_changes_write (TwAlertChanges  *changes,
                        TwStore         *store,
                        GError         **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, changes->alerts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (records, value);
  if (!tw_store_save_alerts (store, records, changes->transitions, error))
    return FALSE;

  g_hash_table_iter_init (&iter, changes->too_late);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!tw_store_add_source_too_late (store, *(gint64 *) key, *(guint64 *) value, error))
      return FALSE;

  /* Not an alert transition, but an alarm action the audit must show:
   * written with the commit that follows it (at the attach when the
   * screen was locked). */
  for (guint i = 0; i < changes->audio_pauses->len; i++)
    {
      g_autofree char *detail = g_strdup_printf ("for %" G_GINT64_FORMAT " s",
                                                 (gint64) (AUDIO_PAUSE_US / TW_USEC_PER_SEC));

      if (!tw_audit_append (store, g_ptr_array_index (changes->audio_pauses, i),
                            TW_AUDIT_AUDIO_PAUSE, NULL, detail, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
tw_pipeline_alerts_has_changes (TwPipelineAlerts *self)
{
  gboolean any;

  g_mutex_lock (&self->outbox_lock);
  any = !tw_alert_changes_is_empty (self->outbox);
  g_mutex_unlock (&self->outbox_lock);
  return any;
}

void
tw_pipeline_alerts_take_changes (TwPipelineAlerts *self,
                                 TwAlertChanges   *changes)
{
  g_mutex_lock (&self->outbox_lock);
  changes_merge (changes, self->outbox);
  g_mutex_unlock (&self->outbox_lock);
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
load_locations (TwPipelineAlerts  *self,
                TwStore           *store,
                GError           **error)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, "SELECT key, location FROM entities"
                                                   " WHERE location IS NOT NULL", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_replace (self->locations, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                          g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read the beds");
      return FALSE;
    }
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
      /* Without this the rule would start "off" and never report the
       * condition's end: the restored alert would stay open for good. */
      if (record->alert->condition_active)
        tw_rule_engine_assume_active (self->engine, record->alert->rule_id,
                                      record->alert->entity_key, record->evidence_from_ts);
      g_hash_table_insert (self->known, &copy->id, copy);
    }
  /* Ids continue after the highest ever stored, closed alerts included. */
  tw_alert_board_set_next_id (self->board, max_id + 1);

  if (!load_locations (self, store, error))
    return FALSE;
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
      self->too_late_total += n;
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
  self->board = tw_alert_board_new ();
  self->engine = tw_rule_engine_new (self->board);
  tw_alert_board_set_pause_duration (self->board, AUDIO_PAUSE_US);
  /* Keys of known point into the alerts themselves. */
  self->known = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) tw_alert_free);
  self->too_late = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->locations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&self->outbox_lock);
  self->outbox = tw_alert_changes_new ();
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
  g_hash_table_unref (self->too_late);
  g_hash_table_unref (self->locations);
  tw_alert_changes_free (self->outbox);
  g_mutex_clear (&self->outbox_lock);
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

  g_mutex_lock (&self->outbox_lock);
  changes_add_too_late (self->outbox, source_id, n);
  g_mutex_unlock (&self->outbox_lock);
  self->too_late_total += n;
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
      if (info->location != NULL)
        g_hash_table_replace (self->locations, g_strdup (info->key), g_strdup (info->location));
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
 * now, and the transitions go into the outbox. */
static void
collect (TwPipelineAlerts *self)
{
  g_autoptr(GArray) log = tw_alert_board_steal_log (self->board);

  if (log == NULL || log->len == 0)
    return;
  self->changed = TRUE;
  g_mutex_lock (&self->outbox_lock);
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

          g_hash_table_replace (self->known, &copy->id, copy);
          changes_put_alert (self->outbox, tw_alert_record_new (open));
        }
      else if (seen != NULL)
        {
          apply_to_closed (seen, t);
          changes_put_alert (self->outbox, tw_alert_record_new (seen));
          if (t->to == TW_ALERT_STATE_CLOSED)
            g_hash_table_remove (self->known, &id);
        }
      /* else: raised and closed within one turn (a re-arm time of 0); the
       * transitions are stored, the id is never reused
       * (tw_store_get_max_alert_id() counts them). */
    }
  changes_add_transitions (self->outbox, log);
  g_mutex_unlock (&self->outbox_lock);
}

/* A reader of its own: the writer's connection belongs to the writer
 * thread. While detached there is no key: the reload waits for the
 * attach, and the rules in memory keep running meanwhile. */
static void
reload_rules (TwPipelineAlerts *self)
{
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_pipeline_borrow_store (self->pipeline, &error);

  self->reload_deferred = FALSE;
  if (store == NULL && error == NULL)
    {
      self->reload_deferred = TRUE;
      return;
    }
  if (store == NULL || !load_rules (self, store, &error))
    g_warning ("The rules were not reloaded: %s", error->message);
  if (store != NULL)
    tw_pipeline_return_store (self->pipeline, store);
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
      g_mutex_lock (&self->outbox_lock);
      g_ptr_array_add (self->outbox->audio_pauses,
                       g_strdup (command->who != NULL ? command->who : "system"));
      g_mutex_unlock (&self->outbox_lock);
      g_message ("Alert audio paused by %s", command->who != NULL ? command->who : "(unknown)");
      break;
    case TW_ALERT_COMMAND_RELOAD_RULES:
      reload_rules (self);
      break;
    default:
      g_assert_not_reached ();
    }
}

static int
compare_locked (gconstpointer a,
                gconstpointer b)
{
  const TwLockedAlert *x = *(TwLockedAlert * const *) a;
  const TwLockedAlert *y = *(TwLockedAlert * const *) b;

  if (x->priority != y->priority)
    return x->priority > y->priority ? -1 : 1;
  return g_utf8_collate (x->bed, y->bed);
}

/* The lock screen's view of @alerts: per bed the highest priority, how
 * many and whether any waits for an acknowledgement. Nothing else of an
 * alert (no key, name or message) goes in. */
static GPtrArray *
locked_alerts_new (TwPipelineAlerts *self,
                   GPtrArray        *alerts)
{
  GPtrArray *beds = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_locked_alert_free);
  g_autoptr(GHashTable) by_bed = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (alerts, i);
      const char *bed = alert->entity_key != NULL
                        ? g_hash_table_lookup (self->locations, alert->entity_key) : NULL;
      TwLockedAlert *entry;

      if (bed == NULL || *bed == '\0')
        bed = UNKNOWN_BED;
      entry = g_hash_table_lookup (by_bed, bed);
      if (entry == NULL)
        {
          entry = g_new0 (TwLockedAlert, 1);
          entry->bed = g_strdup (bed);
          entry->priority = alert->priority;
          g_hash_table_insert (by_bed, entry->bed, entry);
          g_ptr_array_add (beds, entry);
        }
      entry->priority = MAX (entry->priority, alert->priority);
      entry->count++;
      entry->unacknowledged |= alert->state == TW_ALERT_STATE_ACTIVE;
    }
  g_ptr_array_sort (beds, compare_locked);
  return beds;
}

static void
publish (TwPipelineAlerts *self,
         gint64            now)
{
  TwPipeline *pipeline = self->pipeline;
  g_autoptr(GPtrArray) list = tw_alert_board_list (self->board);
  TwAlertSnapshot *snapshot = tw_alert_snapshot_new_empty ();
  GPtrArray *locked;

  g_mutex_lock (&self->outbox_lock);
  for (guint i = 0; i < list->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (list, i);
      TwAlert *copy = tw_alert_copy (alert);

      g_ptr_array_add (snapshot->alerts, copy);
      /* What an alert that closes next is stored with. */
      copy = tw_alert_copy (alert);
      g_hash_table_replace (self->known, &copy->id, copy);
      /* An unstored row gets the latest message and evidence too. */
      if (g_hash_table_contains (self->outbox->alerts, &alert->id))
        changes_put_alert (self->outbox, tw_alert_record_new (alert));
    }
  g_mutex_unlock (&self->outbox_lock);
  for (int p = TW_ALERT_PRIORITY_LOW; p < TW_ALERT_N_PRIORITIES; p++)
    snapshot->counts[p] = tw_alert_board_count (self->board, p);
  snapshot->audio_paused = self->audio_paused;
  snapshot->audio_paused_until = self->audio_paused ? self->audio_paused_until : 0;
  snapshot->newest_high_id = self->newest_high_id;
  snapshot->too_late = self->too_late_total;
  snapshot->generation = ++self->generation;

  locked = locked_alerts_new (self, snapshot->alerts);

  g_mutex_lock (&pipeline->mutex);
  tw_alert_snapshot_free (pipeline->alert_snapshot);
  pipeline->alert_snapshot = snapshot;
  g_ptr_array_unref (pipeline->locked_alerts);
  pipeline->locked_alerts = locked;
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
  if (self->reload_deferred && !tw_pipeline_is_detached (self->pipeline))
    reload_rules (self);
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
