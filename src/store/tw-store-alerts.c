#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-store-alerts.h"
#include "tw-store-private.h"
#include "tw-store-scope.h"

/* The columns of a TwAlertRecord, in the order read_record() expects. */
#define ALERT_COLUMNS \
  "a.id, a.rule_id, a.entity_key, a.priority, a.latching, a.state, a.condition_active," \
  " a.occurrences, a.message, a.raised_at, a.updated_at, a.condition_ended_at," \
  " a.acknowledged_by, a.ack_note, a.acknowledged_at, a.escalated, a.escalated_at," \
  " a.evidence_from_ts, a.evidence_to_ts, a.source_id, a.grp, a.category," \
  " (SELECT e.pseudonym FROM entities e WHERE e.key = a.entity_key)"

/* LIKE's escape character for searches: the user's % and _ are literal. */
#define LIKE_ESCAPE '\\'

/* Takes ownership of @alert and mirrors its fields into the record. */
static TwAlertRecord *
record_take (TwAlert *alert)
{
  TwAlertRecord *record = g_new0 (TwAlertRecord, 1);

  record->alert = alert;
  record->group = g_strdup (alert->group);
  record->source_id = alert->source_id;
  record->evidence_from_ts = alert->evidence_from_ts;
  record->evidence_to_ts = alert->evidence_to_ts;
  return record;
}

TwAlertRecord *
tw_alert_record_new (const TwAlert *alert)
{
  return record_take (tw_alert_copy (alert));
}

TwAlertRecord *
tw_alert_record_copy (const TwAlertRecord *record)
{
  return tw_alert_record_new (record->alert);
}

void
tw_alert_record_free (TwAlertRecord *record)
{
  if (record == NULL)
    return;
  tw_alert_free (record->alert);
  g_free (record->group);
  g_free (record);
}

void
tw_alert_transition_row_free (TwAlertTransitionRow *row)
{
  if (row == NULL)
    return;
  g_free (row->who);
  g_free (row->note);
  g_free (row);
}

/* Unknown names come from a newer version: err on the side of attention
 * for the priority, and show the state as unknown rather than guess. */
static TwAlertPriority
priority_from_string (const char *text)
{
  TwAlertPriority priority;

  return tw_alert_priority_from_string (text, &priority) ? priority : TW_ALERT_PRIORITY_HIGH;
}

static TwAlertState
state_from_string (const char *text)
{
  TwAlertState state;

  return tw_alert_state_from_string (text, &state) ? state : TW_ALERT_STATE_NONE;
}

static TwAlertCategory
category_from_string (const char *text)
{
  TwAlertCategory category;

  return tw_alert_category_from_string (text, &category) ? category
                                                         : TW_ALERT_CATEGORY_PHYSIOLOGICAL;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

/* 0 means "not known" for the optional times and ids. */
static void
bind_int64_or_null (sqlite3_stmt *stmt,
                    int           index,
                    gint64        value)
{
  if (value != 0)
    sqlite3_bind_int64 (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static char *
column_strdup (sqlite3_stmt *stmt,
               int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static TwAlertRecord *
read_record (sqlite3_stmt *stmt)
{
  TwAlert *alert = g_new0 (TwAlert, 1);
  int c = 0;

  alert->id = (guint64) sqlite3_column_int64 (stmt, c++);
  alert->rule_id = column_strdup (stmt, c++);
  alert->entity_key = column_strdup (stmt, c++);
  alert->priority = priority_from_string ((const char *) sqlite3_column_text (stmt, c++));
  alert->latching = sqlite3_column_int (stmt, c++) != 0;
  alert->state = state_from_string ((const char *) sqlite3_column_text (stmt, c++));
  alert->condition_active = sqlite3_column_int (stmt, c++) != 0;
  alert->occurrences = (guint) sqlite3_column_int64 (stmt, c++);
  alert->message = column_strdup (stmt, c++);
  alert->raised_us = sqlite3_column_int64 (stmt, c++);
  alert->updated_us = sqlite3_column_int64 (stmt, c++);
  alert->condition_ended_us = sqlite3_column_int64 (stmt, c++);
  alert->acknowledged_by = column_strdup (stmt, c++);
  alert->ack_note = column_strdup (stmt, c++);
  alert->acknowledged_us = sqlite3_column_int64 (stmt, c++);
  alert->escalated = sqlite3_column_int (stmt, c++) != 0;
  alert->escalated_us = sqlite3_column_int64 (stmt, c++);
  alert->evidence_from_ts = sqlite3_column_int64 (stmt, c++);
  alert->evidence_to_ts = sqlite3_column_int64 (stmt, c++);
  alert->source_id = sqlite3_column_int64 (stmt, c++);
  alert->group = column_strdup (stmt, c++);
  alert->category = category_from_string ((const char *) sqlite3_column_text (stmt, c++));
  return record_take (alert);
}

/* @text with every whole-word @word replaced by @by: a key "P1" is not
 * the "1" in "HR 121". */
static char *
replace_word (const char *text,
              const char *word,
              const char *by)
{
  GString *out = g_string_new (NULL);
  gsize len = strlen (word);
  const char *p = text;
  const char *hit;

  while ((hit = strstr (p, word)) != NULL)
    {
      gboolean starts = hit == text || !g_ascii_isalnum (hit[-1]);
      gboolean ends = !g_ascii_isalnum (hit[len]);

      g_string_append_len (out, p, hit - p);
      g_string_append (out, starts && ends ? by : word);
      p = hit + len;
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

/* For a role without identity (tw-store-clinical.h): the pseudonym for the
 * key, also inside the message ({entity} in a rule's template), and no
 * free-text notes, which may name anyone. */
static gboolean
mask_record (TwStore        *store,
             sqlite3_stmt   *stmt,
             TwAlertRecord  *record,
             GError        **error)
{
  TwAlert *alert = record->alert;
  g_autofree char *pseudonym = g_strdup ((const char *) sqlite3_column_text (stmt, 22));

  if (pseudonym == NULL && alert->entity_key != NULL
      && (pseudonym = tw_store_make_pseudonym (store, alert->entity_key, error)) == NULL)
    return FALSE;
  if (alert->message != NULL && alert->entity_key != NULL && *alert->entity_key != '\0')
    {
      char *masked = replace_word (alert->message, alert->entity_key, pseudonym);

      g_free (alert->message);
      alert->message = masked;
    }
  g_free (alert->entity_key);
  alert->entity_key = g_steal_pointer (&pseudonym);
  g_clear_pointer (&alert->ack_note, g_free);
  return TRUE;
}

static TwAlertRecord *
read_visible_record (TwStore       *store,
                     sqlite3_stmt  *stmt,
                     GError       **error)
{
  g_autoptr(TwAlertRecord) record = read_record (stmt);

  if (tw_store_masks_identity (store) && !mask_record (store, stmt, record, error))
    return NULL;
  return g_steal_pointer (&record);
}

static gboolean
save_record (TwStore              *store,
             sqlite3_stmt         *stmt,
             const TwAlertRecord  *record,
             GError              **error)
{
  const TwAlert *alert = record->alert;
  int c = 1;

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, c++, (gint64) alert->id);
  sqlite3_bind_text (stmt, c++, alert->rule_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, c++, alert->entity_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, c++, tw_alert_priority_to_string (alert->priority), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, c++, alert->latching ? 1 : 0);
  sqlite3_bind_text (stmt, c++, tw_alert_state_to_string (alert->state), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, c++, alert->condition_active ? 1 : 0);
  sqlite3_bind_int64 (stmt, c++, alert->occurrences);
  bind_text_or_null (stmt, c++, alert->message);
  sqlite3_bind_int64 (stmt, c++, alert->raised_us);
  sqlite3_bind_int64 (stmt, c++, alert->updated_us);
  bind_int64_or_null (stmt, c++, alert->condition_ended_us);
  bind_text_or_null (stmt, c++, alert->acknowledged_by);
  bind_text_or_null (stmt, c++, alert->ack_note);
  bind_int64_or_null (stmt, c++, alert->acknowledged_us);
  sqlite3_bind_int (stmt, c++, alert->escalated ? 1 : 0);
  bind_int64_or_null (stmt, c++, alert->escalated_us);
  bind_int64_or_null (stmt, c++, alert->evidence_from_ts);
  bind_int64_or_null (stmt, c++, alert->evidence_to_ts);
  bind_int64_or_null (stmt, c++, alert->source_id);
  bind_text_or_null (stmt, c++, alert->group);
  sqlite3_bind_text (stmt, c++, tw_alert_category_to_string (alert->category), -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not store an alert");
      return FALSE;
    }
  return TRUE;
}

/* What people did to an alert goes to the audit trail too (the board's
 * own transitions, who NULL, do not): acknowledging an active alert, or a
 * cleared one (which closes it), and a manual escalation, logged as a
 * transition to the same state. */
static gboolean
audit_transition (TwStore                  *store,
                  const TwAlertTransition  *t,
                  GError                  **error)
{
  const char *action = NULL;
  g_autofree char *subject = NULL;

  if (t->who == NULL)
    return TRUE;
  if (t->to == TW_ALERT_STATE_ACKNOWLEDGED
      || (t->from == TW_ALERT_STATE_CLEARED && t->to == TW_ALERT_STATE_CLOSED))
    action = TW_AUDIT_ALERT_ACK;
  else if (t->from == t->to)
    action = TW_AUDIT_ALERT_ESCALATE;
  if (action == NULL)
    return TRUE;
  subject = g_strdup_printf ("alert %" G_GUINT64_FORMAT, t->alert_id);
  return tw_audit_append (store, t->who, action, subject, t->note, error);
}

/**
 * tw_store_save_alerts:
 * Inside the caller's transaction. Rows are replaced whole (SQLite 3.15 has
 * no UPSERT): a record always carries the alert's full current state.
 */
gboolean
tw_store_save_alerts (TwStore       *store,
                      GPtrArray     *alerts,
                      const GArray  *transitions,
                      GError       **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (store->in_transaction, FALSE);

  if (alerts != NULL && alerts->len > 0)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;

      stmt = tw_store_prepare (store,
                               "INSERT OR REPLACE INTO alerts (id, rule_id, entity_key, priority,"
                               " latching, state, condition_active, occurrences, message, raised_at,"
                               " updated_at, condition_ended_at, acknowledged_by, ack_note,"
                               " acknowledged_at, escalated, escalated_at, evidence_from_ts,"
                               " evidence_to_ts, source_id, grp, category)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < alerts->len; i++)
        if (!save_record (store, stmt, g_ptr_array_index (alerts, i), error))
          return FALSE;
    }

  if (transitions != NULL && transitions->len > 0)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;

      stmt = tw_store_prepare (store,
                               "INSERT INTO alert_transitions (alert_id, from_state, to_state, who,"
                               " at, note) VALUES (?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < transitions->len; i++)
        {
          const TwAlertTransition *t = &g_array_index (transitions, TwAlertTransition, i);

          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, (gint64) t->alert_id);
          sqlite3_bind_text (stmt, 2, tw_alert_state_to_string (t->from), -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3, tw_alert_state_to_string (t->to), -1, SQLITE_STATIC);
          bind_text_or_null (stmt, 4, t->who);
          sqlite3_bind_int64 (stmt, 5, t->when_us);
          bind_text_or_null (stmt, 6, t->note);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            {
              tw_store_set_error (store, error, "Could not store an alert transition");
              return FALSE;
            }
          if (!audit_transition (store, t, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* Ward scope (tw-store-scope.h): an alert is about its entity and is read
 * where that entity may be. One whose key names no stored entity carries
 * no record of a patient and is not held back. "1" when unscoped. */
static char *
alert_scope_sql (TwStore *store)
{
  g_autofree char *scope = tw_store_scope_sql (store, "e");

  if (g_str_equal (scope, "1"))
    return g_steal_pointer (&scope);
  return g_strdup_printf ("coalesce ((SELECT %s FROM entities e WHERE e.key = a.entity_key), 1)",
                          scope);
}

/* Single-alert reads: %TW_ERROR_OUT_OF_SCOPE for a patient outside a
 * scoped clinician's wards (tw_store_resolve_entity() checks). */
static gboolean
check_alert_scope (TwStore     *store,
                   const char  *entity_key,
                   GError     **error)
{
  if (entity_key == NULL)
    return TRUE;
  return tw_store_resolve_entity (store, entity_key, NULL, error) >= 0;
}

static GPtrArray *
read_records (TwStore       *store,
              sqlite3_stmt  *stmt,
              const char    *what,
              GError       **error)
{
  g_autoptr(GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tw_alert_record_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwAlertRecord *record = read_visible_record (store, stmt, error);

      if (record == NULL)
        return NULL;
      g_ptr_array_add (records, record);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, what);
      return NULL;
    }
  return g_steal_pointer (&records);
}

GPtrArray *
tw_store_list_open_alerts (TwStore  *store,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *scope = alert_scope_sql (store);
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("SELECT " ALERT_COLUMNS " FROM alerts a"
                         " WHERE a.state <> 'closed' AND %s ORDER BY a.id", scope);
  stmt = tw_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  return read_records (store, stmt, "Could not list the open alerts", error);
}

/* "%text%" with LIKE's wildcards in @search taken literally. */
static char *
like_pattern (const char *search)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = search; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == LIKE_ESCAPE)
        g_string_append_c (pattern, LIKE_ESCAPE);
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

GPtrArray *
tw_store_list_alert_history (TwStore     *store,
                             const char  *search,
                             gint64       from_ts,
                             gint64       to_ts,
                             guint        limit,
                             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *scope = alert_scope_sql (store);
  g_autofree char *sql = NULL;

  /* LIKE is case-insensitive for ASCII, which covers rule ids, keys and
   * most notes; the transitions are searched through their index. The
   * ward scope is pasted in as the first condition (nothing to bind). */
  sql = g_strdup_printf (tw_store_masks_identity (store)
                           /* Masked roles search what they can see: the
                            * pseudonym, never the keys or the notes (a
                            * search that matches is an answer too). */
                           ? "SELECT " ALERT_COLUMNS " FROM alerts a"
                             " WHERE %s AND (?1 = 0 OR a.raised_at >= ?1)"
                             " AND (?2 = 0 OR a.raised_at < ?2)"
                             " AND (?3 IS NULL"
                             "  OR a.rule_id LIKE ?3 ESCAPE '\\' OR a.grp LIKE ?3 ESCAPE '\\'"
                             "  OR a.acknowledged_by LIKE ?3 ESCAPE '\\'"
                             "  OR a.entity_key IN (SELECT key FROM entities"
                             "   WHERE pseudonym LIKE ?3 ESCAPE '\\'))"
                             " ORDER BY a.raised_at DESC, a.id DESC LIMIT ?4"
                           : "SELECT " ALERT_COLUMNS " FROM alerts a"
                             " WHERE %s AND (?1 = 0 OR a.raised_at >= ?1)"
                             " AND (?2 = 0 OR a.raised_at < ?2)"
                             " AND (?3 IS NULL"
                             "  OR a.rule_id LIKE ?3 ESCAPE '\\' OR a.entity_key LIKE ?3 ESCAPE '\\'"
                             "  OR a.message LIKE ?3 ESCAPE '\\' OR a.grp LIKE ?3 ESCAPE '\\'"
                             "  OR a.acknowledged_by LIKE ?3 ESCAPE '\\'"
                             "  OR a.ack_note LIKE ?3 ESCAPE '\\'"
                             "  OR EXISTS (SELECT 1 FROM alert_transitions t WHERE t.alert_id = a.id"
                             "   AND (t.who LIKE ?3 ESCAPE '\\' OR t.note LIKE ?3 ESCAPE '\\')))"
                             " ORDER BY a.raised_at DESC, a.id DESC LIMIT ?4", scope);
  stmt = tw_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from_ts);
  sqlite3_bind_int64 (stmt, 2, to_ts);
  if (search != NULL && *search != '\0')
    {
      pattern = like_pattern (search);
      sqlite3_bind_text (stmt, 3, pattern, -1, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_null (stmt, 3);
    }
  sqlite3_bind_int64 (stmt, 4, limit > 0 ? (gint64) limit : -1);
  return read_records (store, stmt, "Could not read the alert history", error);
}

gboolean
tw_store_get_alert (TwStore        *store,
                    guint64         alert_id,
                    TwAlertRecord **out_record,
                    GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = tw_store_prepare (store, "SELECT " ALERT_COLUMNS " FROM alerts a WHERE a.id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (gint64) alert_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND, "There is no alert %" G_GUINT64_FORMAT,
                   alert_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read an alert");
      return FALSE;
    }
  if (!check_alert_scope (store, (const char *) sqlite3_column_text (stmt, 2), error))
    return FALSE;
  if (out_record != NULL)
    {
      *out_record = read_visible_record (store, stmt, error);
      return *out_record != NULL;
    }
  return TRUE;
}

GPtrArray *
tw_store_list_alert_transitions (TwStore  *store,
                                 guint64   alert_id,
                                 GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tw_alert_transition_row_free);
  int rc;

  /* The notes may be about the patient: their alert's scope applies. */
  stmt = tw_store_prepare (store, "SELECT entity_key FROM alerts WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, (gint64) alert_id);
  if (sqlite3_step (stmt) == SQLITE_ROW
      && !check_alert_scope (store, (const char *) sqlite3_column_text (stmt, 0), error))
    return NULL;
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = tw_store_prepare (store,
                           "SELECT id, alert_id, from_state, to_state, who, at, note"
                           " FROM alert_transitions WHERE alert_id = ? ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, (gint64) alert_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwAlertTransitionRow *row = g_new0 (TwAlertTransitionRow, 1);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->alert_id = (guint64) sqlite3_column_int64 (stmt, 1);
      row->from = state_from_string ((const char *) sqlite3_column_text (stmt, 2));
      row->to = state_from_string ((const char *) sqlite3_column_text (stmt, 3));
      row->who = column_strdup (stmt, 4);
      row->at = sqlite3_column_int64 (stmt, 5);
      /* Free text: not for roles without identity. */
      row->note = tw_store_masks_identity (store) ? NULL : column_strdup (stmt, 6);
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read an alert's transitions");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gboolean
tw_store_get_max_alert_id (TwStore  *store,
                           guint64  *out_id,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  /* Transitions count too: an alert whose row was never written (raised
   * and closed between two snapshots) must not have its id reused. */
  stmt = tw_store_prepare (store,
                           "SELECT max (coalesce ((SELECT max (id) FROM alerts), 0),"
                           " coalesce ((SELECT max (alert_id) FROM alert_transitions), 0))",
                           error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the highest alert id");
      return FALSE;
    }
  *out_id = (guint64) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

GHashTable *
tw_store_load_entity_groups (TwStore  *store,
                             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *scope = tw_store_scope_sql (store, "e");
  g_autofree char *sql = NULL;
  int rc;

  sql = g_strdup_printf ("SELECT %s, grp FROM entities e WHERE grp IS NOT NULL AND %s",
                         tw_store_masks_identity (store) ? "pseudonym" : "key", scope);
  stmt = tw_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (groups, column_strdup (stmt, 0), column_strdup (stmt, 1));
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read the entities' groups");
      return NULL;
    }
  return g_steal_pointer (&groups);
}

gboolean
tw_store_add_source_too_late (TwStore  *store,
                              gint64    source_id,
                              guint64   n,
                              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (n == 0 || source_id <= 0)
    return TRUE;
  stmt = tw_store_prepare (store, "UPDATE sources SET too_late = too_late + ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (gint64) n);
  sqlite3_bind_int64 (stmt, 2, source_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not count late samples");
      return FALSE;
    }
  return TRUE;
}

gboolean
tw_store_get_source_too_late (TwStore  *store,
                              gint64    source_id,
                              guint64  *out_n,
                              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = tw_store_prepare (store, "SELECT too_late FROM sources WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, source_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND, "There is no source %" G_GINT64_FORMAT,
                   source_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the late samples");
      return FALSE;
    }
  *out_n = (guint64) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}
