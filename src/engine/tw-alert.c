#include "tw-alert.h"

/* Separates rule and entity in a dedup key; neither contains a control
 * character in practice, and a collision would only merge two alerts. */
#define TW_ALERT_KEY_SEPARATOR "\x1f"

#define TW_ALERT_NOTE_LATCHED    "condition ended; latched until acknowledged"
#define TW_ALERT_NOTE_REARMED    "condition returned within the re-arm time"
#define TW_ALERT_NOTE_REARM_DONE "re-arm time passed"
#define TW_ALERT_NOTE_ESCALATED  "unacknowledged high alert escalated"
#define TW_ALERT_NOTE_MANUAL     "escalated by an operator"

struct _TwAlertBoard
{
  GHashTable *open_by_key;          /* key → TwAlert (owned) */
  GHashTable *open_by_id;           /* &id → TwAlert (borrowed) */
  GArray     *log;                  /* TwAlertTransition */
  guint64     next_id;

  gint64      rearm_us;
  gint64      pause_us;
  gint64      escalation_us;

  gboolean    pause_set;
  gint64      pause_until_us;
  int         pause_ceiling;        /* highest priority open at pause; -1 none */
  guint64     pause_broken_by;
};

const char *
tw_alert_priority_to_string (TwAlertPriority priority)
{
  switch (priority)
    {
    case TW_ALERT_PRIORITY_LOW:
      return "low";
    case TW_ALERT_PRIORITY_MEDIUM:
      return "medium";
    case TW_ALERT_PRIORITY_HIGH:
      return "high";
    default:
      return "unknown";
    }
}

const char *
tw_alert_state_to_string (TwAlertState state)
{
  switch (state)
    {
    case TW_ALERT_STATE_NONE:
      return "none";
    case TW_ALERT_STATE_ACTIVE:
      return "active";
    case TW_ALERT_STATE_ACKNOWLEDGED:
      return "acknowledged";
    case TW_ALERT_STATE_CLEARED:
      return "cleared";
    case TW_ALERT_STATE_CLOSED:
      return "closed";
    default:
      return "unknown";
    }
}

const char *
tw_alert_category_to_string (TwAlertCategory category)
{
  switch (category)
    {
    case TW_ALERT_CATEGORY_PHYSIOLOGICAL:
      return "physiological";
    case TW_ALERT_CATEGORY_TECHNICAL:
      return "technical";
    default:
      return "unknown";
    }
}

gboolean
tw_alert_priority_from_string (const char      *text,
                               TwAlertPriority *out_priority)
{
  g_return_val_if_fail (out_priority != NULL, FALSE);

  for (int p = TW_ALERT_PRIORITY_LOW; p <= TW_ALERT_PRIORITY_HIGH; p++)
    if (g_strcmp0 (text, tw_alert_priority_to_string (p)) == 0)
      {
        *out_priority = p;
        return TRUE;
      }
  return FALSE;
}

gboolean
tw_alert_state_from_string (const char   *text,
                            TwAlertState *out_state)
{
  g_return_val_if_fail (out_state != NULL, FALSE);

  for (int s = TW_ALERT_STATE_NONE; s <= TW_ALERT_STATE_CLOSED; s++)
    if (g_strcmp0 (text, tw_alert_state_to_string (s)) == 0)
      {
        *out_state = s;
        return TRUE;
      }
  return FALSE;
}

gboolean
tw_alert_category_from_string (const char      *text,
                               TwAlertCategory *out_category)
{
  g_return_val_if_fail (out_category != NULL, FALSE);

  for (int c = TW_ALERT_CATEGORY_PHYSIOLOGICAL; c <= TW_ALERT_CATEGORY_TECHNICAL; c++)
    if (g_strcmp0 (text, tw_alert_category_to_string (c)) == 0)
      {
        *out_category = c;
        return TRUE;
      }
  return FALSE;
}

TwAlert *
tw_alert_copy (const TwAlert *alert)
{
  TwAlert *copy;

  g_return_val_if_fail (alert != NULL, NULL);

  copy = g_memdup2 (alert, sizeof *alert);
  copy->rule_id = g_strdup (alert->rule_id);
  copy->entity_key = g_strdup (alert->entity_key);
  copy->message = g_strdup (alert->message);
  copy->acknowledged_by = g_strdup (alert->acknowledged_by);
  copy->ack_note = g_strdup (alert->ack_note);
  copy->group = g_strdup (alert->group);
  return copy;
}

void
tw_alert_free (TwAlert *alert)
{
  if (alert == NULL)
    return;
  g_free (alert->rule_id);
  g_free (alert->entity_key);
  g_free (alert->message);
  g_free (alert->acknowledged_by);
  g_free (alert->ack_note);
  g_free (alert->group);
  g_free (alert);
}

static void
tw_alert_transition_clear (gpointer data)
{
  TwAlertTransition *transition = data;

  g_clear_pointer (&transition->who, g_free);
  g_clear_pointer (&transition->note, g_free);
}

static GArray *
tw_alert_log_new (void)
{
  GArray *log = g_array_new (FALSE, TRUE, sizeof (TwAlertTransition));

  g_array_set_clear_func (log, tw_alert_transition_clear);
  return log;
}

TwAlertBoard *
tw_alert_board_new (void)
{
  TwAlertBoard *board = g_new0 (TwAlertBoard, 1);

  board->open_by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) tw_alert_free);
  board->open_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  board->log = tw_alert_log_new ();
  board->next_id = 1;
  board->rearm_us = TW_ALERT_DEFAULT_REARM_US;
  board->pause_us = TW_ALERT_DEFAULT_PAUSE_US;
  board->escalation_us = TW_ALERT_DEFAULT_ESCALATION_US;
  board->pause_ceiling = -1;
  return board;
}

void
tw_alert_board_free (TwAlertBoard *board)
{
  if (board == NULL)
    return;
  g_hash_table_unref (board->open_by_id);
  g_hash_table_unref (board->open_by_key);
  g_array_unref (board->log);
  g_free (board);
}

void
tw_alert_board_set_rearm (TwAlertBoard *board,
                          gint64        rearm_us)
{
  g_return_if_fail (board != NULL);
  g_return_if_fail (rearm_us >= 0);
  board->rearm_us = rearm_us;
}

void
tw_alert_board_set_pause_duration (TwAlertBoard *board,
                                   gint64        pause_us)
{
  g_return_if_fail (board != NULL);
  g_return_if_fail (pause_us >= 0);
  board->pause_us = pause_us;
}

void
tw_alert_board_set_escalation_delay (TwAlertBoard *board,
                                     gint64        delay_us)
{
  g_return_if_fail (board != NULL);
  g_return_if_fail (delay_us >= 0);
  board->escalation_us = delay_us;
}

static char *
make_key (const char *rule_id,
          const char *entity_key)
{
  return g_strconcat (rule_id, TW_ALERT_KEY_SEPARATOR, entity_key, NULL);
}

static void
log_transition (TwAlertBoard *board,
                TwAlert      *alert,
                TwAlertState  to,
                const char   *who,
                const char   *note,
                gint64        now_us)
{
  TwAlertTransition transition = {
    .alert_id = alert->id,
    .from = alert->state,
    .to = to,
    .who = g_strdup (who),
    .when_us = now_us,
    .note = g_strdup (note),
  };

  g_array_append_val (board->log, transition);
  alert->state = to;
  alert->updated_us = now_us;
}

/* Logs the move to CLOSED and drops the alert from the board; @alert is
 * freed on return. */
static void
close_alert (TwAlertBoard *board,
             TwAlert      *alert,
             const char   *who,
             const char   *note,
             gint64        now_us)
{
  g_autofree char *key = make_key (alert->rule_id, alert->entity_key);

  g_assert (alert->state == TW_ALERT_STATE_CLEARED);
  log_transition (board, alert, TW_ALERT_STATE_CLOSED, who, note, now_us);
  g_hash_table_remove (board->open_by_id, &alert->id);
  g_hash_table_remove (board->open_by_key, key);
}

static gboolean
rearm_passed (TwAlertBoard *board,
              TwAlert      *alert,
              gint64        now_us)
{
  return alert->state == TW_ALERT_STATE_CLEARED &&
         now_us - alert->condition_ended_us >= board->rearm_us;
}

static int
highest_open_priority (TwAlertBoard *board)
{
  GHashTableIter iter;
  gpointer value;
  int highest = -1;

  g_hash_table_iter_init (&iter, board->open_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TwAlert *alert = value;

      highest = MAX (highest, (int) alert->priority);
    }
  return highest;
}

static gboolean
pause_running (TwAlertBoard *board,
               gint64        now_us)
{
  return board->pause_set && now_us < board->pause_until_us;
}

static TwAlert *
raise_alert (TwAlertBoard           *board,
             const TwAlertCondition *condition,
             gint64                  now_us)
{
  TwAlert *alert = g_new0 (TwAlert, 1);
  const char *rule_id = condition->rule_id;
  const char *entity_key = condition->entity_key;
  TwAlertPriority priority = condition->priority;
  const char *message = condition->message;

  alert->id = board->next_id++;
  alert->rule_id = g_strdup (rule_id);
  alert->entity_key = g_strdup (entity_key);
  alert->priority = priority;
  alert->latching = condition->latching;
  alert->state = TW_ALERT_STATE_NONE;
  alert->condition_active = TRUE;
  alert->occurrences = 1;
  alert->message = g_strdup (message);
  alert->raised_us = now_us;
  alert->evidence_from_ts = condition->evidence_from_ts;
  alert->evidence_to_ts = condition->evidence_to_ts;
  alert->group = g_strdup (condition->group);
  alert->category = condition->category;
  alert->source_id = condition->source_id;

  /* Only a new alert breaks through a pause, never an update. */
  if (pause_running (board, now_us) && (int) priority > board->pause_ceiling)
    {
      board->pause_set = FALSE;
      board->pause_broken_by = alert->id;
    }

  g_hash_table_insert (board->open_by_key, make_key (rule_id, entity_key), alert);
  g_hash_table_insert (board->open_by_id, &alert->id, alert);
  log_transition (board, alert, TW_ALERT_STATE_ACTIVE, NULL, message, now_us);
  return alert;
}

static void
update_evidence (TwAlert                *alert,
                 const TwAlertCondition *condition)
{
  if (condition->evidence_from_ts != 0 &&
      (alert->evidence_from_ts == 0 ||
       condition->evidence_from_ts < alert->evidence_from_ts))
    alert->evidence_from_ts = condition->evidence_from_ts;
  if (condition->evidence_to_ts > alert->evidence_to_ts)
    alert->evidence_to_ts = condition->evidence_to_ts;
  if (condition->source_id != 0)
    alert->source_id = condition->source_id;
}

static void
condition_started (TwAlertBoard           *board,
                   TwAlert                *alert,
                   const TwAlertCondition *condition,
                   gint64                  now_us)
{
  const char *message = condition->message;

  g_assert (alert->state != TW_ALERT_STATE_CLOSED);

  alert->priority = MAX (alert->priority, condition->priority);
  g_free (alert->message);
  alert->message = g_strdup (message);
  alert->updated_us = now_us;
  update_evidence (alert, condition);
  if (alert->condition_active)
    return;

  alert->condition_active = TRUE;
  alert->occurrences++;
  if (alert->state == TW_ALERT_STATE_CLEARED)
    log_transition (board, alert, TW_ALERT_STATE_ACTIVE, NULL,
                    TW_ALERT_NOTE_REARMED, now_us);
}

static void
condition_ended (TwAlertBoard *board,
                 TwAlert      *alert,
                 const char   *message,
                 gint64        now_us)
{
  if (!alert->condition_active)
    return;

  alert->condition_active = FALSE;
  alert->condition_ended_us = now_us;
  alert->updated_us = now_us;

  switch (alert->state)
    {
    case TW_ALERT_STATE_ACTIVE:
      if (alert->latching)
        {
          log_transition (board, alert, TW_ALERT_STATE_ACTIVE, NULL,
                          TW_ALERT_NOTE_LATCHED, now_us);
          return;
        }
      log_transition (board, alert, TW_ALERT_STATE_CLEARED, NULL, message, now_us);
      if (board->rearm_us == 0)
        close_alert (board, alert, NULL, NULL, now_us);
      return;

    case TW_ALERT_STATE_ACKNOWLEDGED:
      /* Acknowledging covered this condition only; a return is new. */
      log_transition (board, alert, TW_ALERT_STATE_CLEARED, NULL, message, now_us);
      close_alert (board, alert, NULL, NULL, now_us);
      return;

    case TW_ALERT_STATE_NONE:
    case TW_ALERT_STATE_CLEARED:
    case TW_ALERT_STATE_CLOSED:
    default:
      g_assert_not_reached ();
    }
}

guint64
tw_alert_board_condition (TwAlertBoard    *board,
                          const char      *rule_id,
                          const char      *entity_key,
                          TwAlertPriority  priority,
                          gboolean         latching,
                          gboolean         active,
                          const char      *message,
                          gint64           now_us)
{
  TwAlertCondition condition = {
    .rule_id = rule_id,
    .entity_key = entity_key,
    .priority = priority,
    .latching = latching,
    .active = active,
    .message = message,
  };

  return tw_alert_board_condition_full (board, &condition, now_us);
}

guint64
tw_alert_board_condition_full (TwAlertBoard           *board,
                               const TwAlertCondition *condition,
                               gint64                  now_us)
{
  g_autofree char *key = NULL;
  TwAlert *alert;
  const char *message;

  g_return_val_if_fail (board != NULL, 0);
  g_return_val_if_fail (condition != NULL, 0);
  g_return_val_if_fail (condition->rule_id != NULL, 0);
  g_return_val_if_fail (condition->entity_key != NULL, 0);
  g_return_val_if_fail (condition->priority <= TW_ALERT_PRIORITY_HIGH, 0);

  message = condition->message;
  key = make_key (condition->rule_id, condition->entity_key);
  alert = g_hash_table_lookup (board->open_by_key, key);

  if (alert != NULL && rearm_passed (board, alert, now_us))
    {
      close_alert (board, alert, NULL, TW_ALERT_NOTE_REARM_DONE, now_us);
      alert = NULL;
    }

  if (condition->active)
    {
      if (alert == NULL)
        alert = raise_alert (board, condition, now_us);
      else
        condition_started (board, alert, condition, now_us);
      return alert->id;
    }

  if (alert == NULL)
    return 0;
  condition_ended (board, alert, message, now_us);
  alert = g_hash_table_lookup (board->open_by_key, key);
  return alert != NULL ? alert->id : 0;
}

gboolean
tw_alert_board_acknowledge (TwAlertBoard *board,
                            guint64       id,
                            const char   *who,
                            const char   *note,
                            gint64        now_us)
{
  TwAlert *alert;

  g_return_val_if_fail (board != NULL, FALSE);
  g_return_val_if_fail (who != NULL, FALSE);

  alert = g_hash_table_lookup (board->open_by_id, &id);
  if (alert == NULL)
    return FALSE;

  switch (alert->state)
    {
    case TW_ALERT_STATE_ACTIVE:
      alert->acknowledged_by = g_strdup (who);
      alert->ack_note = g_strdup (note);
      alert->acknowledged_us = now_us;
      log_transition (board, alert, TW_ALERT_STATE_ACKNOWLEDGED, who, note, now_us);
      if (!alert->condition_active)
        {
          /* A latched alert whose cause ended: the reset ends it. */
          log_transition (board, alert, TW_ALERT_STATE_CLEARED, NULL, NULL, now_us);
          close_alert (board, alert, NULL, NULL, now_us);
        }
      return TRUE;

    case TW_ALERT_STATE_CLEARED:
      close_alert (board, alert, who, note, now_us);
      return TRUE;

    case TW_ALERT_STATE_ACKNOWLEDGED:
      return FALSE;

    case TW_ALERT_STATE_NONE:
    case TW_ALERT_STATE_CLOSED:
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

gboolean
tw_alert_board_escalate (TwAlertBoard *board,
                         guint64       id,
                         const char   *who,
                         const char   *note,
                         gint64        now_us)
{
  TwAlert *alert;

  g_return_val_if_fail (board != NULL, FALSE);
  g_return_val_if_fail (who != NULL, FALSE);

  alert = g_hash_table_lookup (board->open_by_id, &id);
  if (alert == NULL || alert->state == TW_ALERT_STATE_CLEARED)
    return FALSE;

  alert->escalated = TRUE;
  alert->escalated_us = now_us;
  log_transition (board, alert, alert->state, who,
                  note != NULL ? note : TW_ALERT_NOTE_MANUAL, now_us);
  return TRUE;
}

void
tw_alert_board_restore (TwAlertBoard  *board,
                        const TwAlert *alert)
{
  g_autofree char *key = NULL;
  TwAlert *copy;
  TwAlert *old;

  g_return_if_fail (board != NULL);
  g_return_if_fail (alert != NULL);
  g_return_if_fail (alert->rule_id != NULL && alert->entity_key != NULL);
  g_return_if_fail (alert->state == TW_ALERT_STATE_ACTIVE ||
                    alert->state == TW_ALERT_STATE_ACKNOWLEDGED ||
                    alert->state == TW_ALERT_STATE_CLEARED);

  old = g_hash_table_lookup (board->open_by_id, &alert->id);
  if (old != NULL)
    {
      g_autofree char *old_key = make_key (old->rule_id, old->entity_key);

      g_hash_table_remove (board->open_by_id, &old->id);
      g_hash_table_remove (board->open_by_key, old_key);
    }

  key = make_key (alert->rule_id, alert->entity_key);
  old = g_hash_table_lookup (board->open_by_key, key);
  if (old != NULL)
    {
      g_hash_table_remove (board->open_by_id, &old->id);
      g_hash_table_remove (board->open_by_key, key);
    }

  copy = tw_alert_copy (alert);
  g_hash_table_insert (board->open_by_key, g_steal_pointer (&key), copy);
  g_hash_table_insert (board->open_by_id, &copy->id, copy);
  board->next_id = MAX (board->next_id, copy->id + 1);
}

void
tw_alert_board_set_next_id (TwAlertBoard *board,
                            guint64       next_id)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (board != NULL);
  g_return_if_fail (next_id > 0);

  board->next_id = next_id;
  g_hash_table_iter_init (&iter, board->open_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    board->next_id = MAX (board->next_id, ((TwAlert *) value)->id + 1);
}

guint64
tw_alert_board_get_next_id (TwAlertBoard *board)
{
  g_return_val_if_fail (board != NULL, 0);

  return board->next_id;
}

void
tw_alert_board_pause_audio (TwAlertBoard *board,
                            gint64        now_us)
{
  g_return_if_fail (board != NULL);

  board->pause_set = TRUE;
  board->pause_until_us = now_us + board->pause_us;
  board->pause_ceiling = highest_open_priority (board);
  board->pause_broken_by = 0;
}

gboolean
tw_alert_board_audio_paused (TwAlertBoard *board,
                             gint64        now_us)
{
  g_return_val_if_fail (board != NULL, FALSE);

  return pause_running (board, now_us);
}

guint64
tw_alert_board_pause_broken_by (TwAlertBoard *board)
{
  g_return_val_if_fail (board != NULL, 0);

  return board->pause_broken_by;
}

static gint
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint64 x = *(const guint64 *) a;
  guint64 y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

GArray *
tw_alert_board_tick (TwAlertBoard *board,
                     gint64        now_us)
{
  GArray *escalated;
  g_autoptr(GArray) expired = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (board != NULL, NULL);

  escalated = g_array_new (FALSE, FALSE, sizeof (guint64));
  expired = g_array_new (FALSE, FALSE, sizeof (guint64));

  g_hash_table_iter_init (&iter, board->open_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TwAlert *alert = value;

      if (rearm_passed (board, alert, now_us))
        g_array_append_val (expired, alert->id);
      else if (alert->state == TW_ALERT_STATE_ACTIVE &&
               alert->priority == TW_ALERT_PRIORITY_HIGH &&
               !alert->escalated &&
               now_us - alert->raised_us >= board->escalation_us)
        g_array_append_val (escalated, alert->id);
    }

  /* Hash order is arbitrary; the log and the caller get id order. */
  g_array_sort (expired, compare_ids);
  g_array_sort (escalated, compare_ids);

  for (guint i = 0; i < expired->len; i++)
    {
      guint64 id = g_array_index (expired, guint64, i);

      close_alert (board, g_hash_table_lookup (board->open_by_id, &id), NULL,
                   TW_ALERT_NOTE_REARM_DONE, now_us);
    }

  for (guint i = 0; i < escalated->len; i++)
    {
      guint64 id = g_array_index (escalated, guint64, i);
      TwAlert *alert = g_hash_table_lookup (board->open_by_id, &id);

      alert->escalated = TRUE;
      alert->escalated_us = now_us;
      log_transition (board, alert, TW_ALERT_STATE_ACTIVE, NULL,
                      TW_ALERT_NOTE_ESCALATED, now_us);
    }

  return escalated;
}

const TwAlert *
tw_alert_board_lookup (TwAlertBoard *board,
                       guint64       id)
{
  g_return_val_if_fail (board != NULL, NULL);

  return g_hash_table_lookup (board->open_by_id, &id);
}

static gint
compare_for_console (gconstpointer a,
                     gconstpointer b)
{
  const TwAlert *x = *(TwAlert * const *) a;
  const TwAlert *y = *(TwAlert * const *) b;

  if (x->priority != y->priority)
    return x->priority > y->priority ? -1 : 1;
  if (x->raised_us != y->raised_us)
    return x->raised_us < y->raised_us ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

GPtrArray *
tw_alert_board_list (TwAlertBoard *board)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (board != NULL, NULL);

  list = g_ptr_array_sized_new (g_hash_table_size (board->open_by_id));
  g_hash_table_iter_init (&iter, board->open_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_for_console);
  return list;
}

guint
tw_alert_board_count (TwAlertBoard    *board,
                      TwAlertPriority  priority)
{
  GHashTableIter iter;
  gpointer value;
  guint count = 0;

  g_return_val_if_fail (board != NULL, 0);

  g_hash_table_iter_init (&iter, board->open_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TwAlert *alert = value;

      if (alert->priority == priority)
        count++;
    }
  return count;
}

const GArray *
tw_alert_board_get_log (TwAlertBoard *board)
{
  g_return_val_if_fail (board != NULL, NULL);

  return board->log;
}

GArray *
tw_alert_board_steal_log (TwAlertBoard *board)
{
  GArray *log;

  g_return_val_if_fail (board != NULL, NULL);

  log = g_steal_pointer (&board->log);
  board->log = tw_alert_log_new ();
  return log;
}
