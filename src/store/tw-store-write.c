#include <string.h>

#include "tw-error.h"
#include "tw-store-clinical.h"
#include "tw-store-rollup-private.h"
#include "tw-time.h"

#define SERIES_KEY_SEP      '\x1f'
#define SERIES_KEY_MAX      256

#define SERIES_MEMO_SLOTS 61   /* a prime: pointer pairs spread over it */

typedef struct
{
  const char *entity;
  const char *metric;
  gint64      id;
} SeriesMemo;

void
tw_store_write_reset (TwStore *store)
{
  g_clear_pointer (&store->series_ids, g_hash_table_unref);
  g_clear_pointer (&store->entity_ids, g_hash_table_unref);
  g_clear_pointer (&store->rollups, tw_rollup_writer_free);
}

static void
ensure_caches (TwStore *store)
{
  if (store->series_ids == NULL)
    store->series_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (store->entity_ids == NULL)
    store->entity_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static gint64
select_id (TwStore     *store,
           const char  *sql,
           const char  *text,
           gint64       number,
           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, sql, error);

  if (stmt == NULL)
    return -1;
  if (number >= 0)
    {
      sqlite3_bind_int64 (stmt, 1, number);
      sqlite3_bind_text (stmt, 2, text, -1, SQLITE_TRANSIENT);
    }
  else
    {
      sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
    }
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not look up a stored id");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

/**
 * tw_store_ensure_entity:
 * The id of the entity @key, stored as @kind with its pseudonym when new.
 * Cached per connection: the hot path is one hash lookup.
 */
gint64
tw_store_ensure_entity (TwStore     *store,
                        const char  *key,
                        const char  *kind,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autofree char *pseudonym = NULL;
  gint64 *cached;
  gint64 id;

  ensure_caches (store);
  cached = g_hash_table_lookup (store->entity_ids, key);
  if (cached != NULL)
    return *cached;

  /* Every entity has its pseudonym from the start, so analysts can name
   * it without ever seeing its key. */
  pseudonym = tw_store_make_pseudonym (store, key, error);
  if (pseudonym == NULL)
    return -1;
  insert = tw_store_prepare (store,
                             "INSERT OR IGNORE INTO entities (kind, key, updated_at, pseudonym)"
                             " VALUES (?, ?, ?, ?)", error);
  if (insert == NULL)
    return -1;
  sqlite3_bind_text (insert, 1, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 2, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 3, tw_time_now ());
  sqlite3_bind_text (insert, 4, pseudonym, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not store an entity");
      return -1;
    }

  id = select_id (store, "SELECT id FROM entities WHERE key = ?", key, -1, error);
  if (id >= 0)
    g_hash_table_insert (store->entity_ids, g_strdup (key), g_memdup2 (&id, sizeof id));
  return id;
}

static gboolean
update_entity (TwStore             *store,
               const TwEntityInfo  *info,
               GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (tw_store_ensure_entity (store, info->key, info->kind ? info->kind : "patient", error) < 0)
    return FALSE;

  /* Only what the source announced replaces what we knew. */
  stmt = tw_store_prepare (store,
                           "UPDATE entities SET name = coalesce (?, name), mrn = coalesce (?, mrn),"
                           " location = coalesce (?, location), updated_at = ?,"
                           " kind = coalesce (?, kind), grp = coalesce (?, grp) WHERE key = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, info->mrn, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, info->location, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, tw_time_now ());
  /* An entity first seen through a sample was taken for a patient; its
   * announcement says what it really is (an instrument, a store). */
  sqlite3_bind_text (stmt, 5, info->kind, -1, SQLITE_TRANSIENT);
  /* The group (ward, tier, portfolio) scopes rules and filters alerts. */
  sqlite3_bind_text (stmt, 6, info->group, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, info->key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not update an entity");
      return FALSE;
    }
  return TRUE;
}

static gint64
ensure_series (TwStore     *store,
               const char  *entity,
               const char  *metric,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  char lookup_key[SERIES_KEY_MAX];
  gint64 *cached;
  gint64 entity_id, id;

  /* The hot path: one lookup on the stack, no allocation per sample. */
  if (g_snprintf (lookup_key, sizeof lookup_key, "%s%c%s", entity, SERIES_KEY_SEP, metric)
      < (int) sizeof lookup_key)
    {
      cached = g_hash_table_lookup (store->series_ids, lookup_key);
      if (cached != NULL)
        return *cached;
    }

  entity_id = tw_store_ensure_entity (store, entity, "patient", error);
  if (entity_id < 0)
    return -1;

  insert = tw_store_prepare (store,
                             "INSERT OR IGNORE INTO series (entity_id, metric) VALUES (?, ?)", error);
  if (insert == NULL)
    return -1;
  sqlite3_bind_int64 (insert, 1, entity_id);
  sqlite3_bind_text (insert, 2, metric, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not store a series");
      return -1;
    }

  id = select_id (store, "SELECT id FROM series WHERE entity_id = ? AND metric = ?",
                  metric, entity_id, error);
  if (id >= 0)
    g_hash_table_insert (store->series_ids,
                         g_strdup_printf ("%s%c%s", entity, SERIES_KEY_SEP, metric),
                         g_memdup2 (&id, sizeof id));
  return id;
}

static gboolean
write_rejects (TwStore        *store,
               const TwBatch  *batch,
               GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (batch->rejects->len == 0)
    return TRUE;
  stmt = tw_store_prepare (store,
                           "INSERT INTO quarantine (source_id, received_at, reason, raw)"
                           " VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < batch->rejects->len; i++)
    {
      TwReject *reject = g_ptr_array_index (batch->rejects, i);
      gsize len = 0;
      const void *raw = g_bytes_get_data (reject->raw, &len);

      sqlite3_reset (stmt);
      if (batch->source_id > 0)
        sqlite3_bind_int64 (stmt, 1, batch->source_id);
      else
        sqlite3_bind_null (stmt, 1);
      sqlite3_bind_int64 (stmt, 2, tw_time_now ());
      sqlite3_bind_text (stmt, 3, reject->reason, -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob (stmt, 4, raw != NULL ? raw : "", (int) len, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          tw_store_set_error (store, error, "Could not quarantine a message");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
save_source_progress (TwStore           *store,
                      const TwBatch     *batch,
                      const TwCounters  *delta,
                      GError           **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (batch->source_id <= 0)
    return TRUE;
  /* The cursor commits with the data it covers: after a crash the source
   * resumes exactly after what is stored. */
  stmt = tw_store_prepare (store,
                           "UPDATE sources SET cursor_seq = max (cursor_seq, ?),"
                           " cursor_updated_at = ?, received = received + ?, stored = stored + ?,"
                           " duplicates = duplicates + ?, quarantined = quarantined + ?"
                           " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch->cursor_seq);
  sqlite3_bind_int64 (stmt, 2, tw_time_now ());
  sqlite3_bind_int64 (stmt, 3, (gint64) delta->received);
  sqlite3_bind_int64 (stmt, 4, (gint64) delta->stored);
  sqlite3_bind_int64 (stmt, 5, (gint64) delta->duplicates);
  sqlite3_bind_int64 (stmt, 6, (gint64) delta->quarantined);
  sqlite3_bind_int64 (stmt, 7, batch->source_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not save the source's cursor");
      return FALSE;
    }
  return TRUE;
}

/**
 * tw_store_write_batch:
 * Writes a batch inside the caller's transaction: entity updates, clinical
 * records (idempotent by entity, kind and ref; after the announcements, so
 * an admission's ward wins over an older group), samples (idempotent: a
 * sample already stored counts as a duplicate), rollups, quarantined
 * messages, and the source's cursor and counters.
 */
gboolean
tw_store_write_batch (TwStore        *store,
                      const TwBatch  *batch,
                      TwCounters     *out_delta,
                      GError        **error)
{
  SeriesMemo memo[SERIES_MEMO_SLOTS] = { { 0 } };
  TwCounters delta = { 0 };

  g_return_val_if_fail (store != NULL && batch != NULL, FALSE);
  g_return_val_if_fail (store->in_transaction, FALSE);

  ensure_caches (store);
  if (store->insert_sample == NULL)
    {
      store->insert_sample = tw_store_prepare (store,
                                               "INSERT OR IGNORE INTO samples (series_id, ts, value)"
                                               " VALUES (?, ?, ?)", error);
      if (store->insert_sample == NULL)
        return FALSE;
    }

  for (guint i = 0; i < batch->entities->len; i++)
    if (!update_entity (store, &g_array_index (batch->entities, TwEntityInfo, i), error))
      return FALSE;

  for (guint i = 0; batch->records != NULL && i < batch->records->len; i++)
    if (!tw_store_write_clinical (store, &g_array_index (batch->records, TwClinicalRecord, i),
                                  error))
      return FALSE;

  for (guint i = 0; i < batch->samples->len; i++)
    {
      const TwSample *s = &g_array_index (batch->samples, TwSample, i);
      /* Strings are interned per batch, so a (entity, metric) pointer pair
       * names a series within it: most samples skip the string lookup. */
      guint slot = (GPOINTER_TO_UINT (s->entity) ^ (GPOINTER_TO_UINT (s->metric) >> 3))
                   % SERIES_MEMO_SLOTS;
      gint64 series_id;

      if (memo[slot].entity == s->entity && memo[slot].metric == s->metric)
        {
          series_id = memo[slot].id;
        }
      else
        {
          series_id = ensure_series (store, s->entity, s->metric, error);
          if (series_id < 0)
            return FALSE;
          memo[slot].entity = s->entity;
          memo[slot].metric = s->metric;
          memo[slot].id = series_id;
        }
      sqlite3_reset (store->insert_sample);
      sqlite3_bind_int64 (store->insert_sample, 1, series_id);
      sqlite3_bind_int64 (store->insert_sample, 2, s->ts);
      sqlite3_bind_double (store->insert_sample, 3, s->value);
      if (sqlite3_step (store->insert_sample) != SQLITE_DONE)
        {
          tw_store_set_error (store, error, "Could not store a sample");
          return FALSE;
        }
      if (sqlite3_changes (store->db) > 0)
        {
          delta.stored++;
          tw_store_rollups_note (store, series_id, s->ts, s->value);
        }
      else
        {
          delta.duplicates++;
        }
    }

  if (!tw_store_rollups_flush (store, error) || !write_rejects (store, batch, error))
    return FALSE;

  delta.received = batch->n_messages;
  delta.quarantined = batch->rejects->len;
  if (!save_source_progress (store, batch, &delta, error))
    return FALSE;

  if (out_delta != NULL)
    *out_delta = delta;
  return TRUE;
}
