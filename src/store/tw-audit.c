#include <sodium.h>
#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-session.h"
#include "tw-sidecar.h"
#include "tw-store-private.h"
#include "tw-time.h"

/* Appending to the audit trail and keeping its head in the sidecar.
 * Verifying, listing and exporting are in tw-audit-verify.c. */

#define AUDIT_KEY_NAME   "audit_mac_key"
#define AUDIT_MAC_DOMAIN "tidewatch-audit-v1"
#define HEAD_MEMBER      "audit_head"
#define SYSTEM_ACTOR     "system"
#define ANCHORED_KEY     "audit_head_published"

void
tw_audit_row_free (TwAuditRow *row)
{
  if (row == NULL)
    return;
  g_free (row->actor);
  g_free (row->action);
  g_free (row->subject);
  g_free (row->detail);
  g_free (row);
}

static void
mac_add_int (crypto_auth_hmacsha256_state *state,
             gint64                        value)
{
  guint64 be = GUINT64_TO_BE ((guint64) value);

  crypto_auth_hmacsha256_update (state, (const guint8 *) &be, sizeof be);
}

/* Length-prefixed, with a marker for NULL, so no two rows encode alike. */
static void
mac_add_text (crypto_auth_hmacsha256_state *state,
              const char                   *text)
{
  guint8 present = text != NULL;

  crypto_auth_hmacsha256_update (state, &present, 1);
  if (text == NULL)
    return;
  mac_add_int (state, (gint64) strlen (text));
  crypto_auth_hmacsha256_update (state, (const guint8 *) text, strlen (text));
}

static void
compute_mac (const guint8     *key_bytes,
             const TwAuditRow *row,
             const guint8     *prev_mac,
             guint8           *out_mac)
{
  crypto_auth_hmacsha256_state state;

  crypto_auth_hmacsha256_init (&state, key_bytes, TW_KEY_BYTES);
  crypto_auth_hmacsha256_update (&state, (const guint8 *) AUDIT_MAC_DOMAIN,
                                 strlen (AUDIT_MAC_DOMAIN));
  mac_add_int (&state, row->seq);
  mac_add_int (&state, row->at);
  mac_add_text (&state, row->actor);
  mac_add_text (&state, row->action);
  mac_add_text (&state, row->subject);
  mac_add_text (&state, row->detail);
  crypto_auth_hmacsha256_update (&state, prev_mac, TW_AUDIT_MAC_BYTES);
  crypto_auth_hmacsha256_final (&state, out_mac);
  sodium_memzero (&state, sizeof state);
}

void
tw_audit_compute_mac (const TwKey      *key,
                      const TwAuditRow *row,
                      const guint8     *prev_mac,
                      guint8           *out_mac)
{
  compute_mac (tw_key_get_bytes (key), row, prev_mac, out_mac);
}

/* The MAC of @row under the store's audit key, read for every row
 * rather than cached: the key is made by the first append, inside that
 * append's transaction, and a connection that kept a key whose creation
 * was rolled back would chain rows under a key no one else knows. It is
 * used where SQLite holds it (its page cache has it anyway): a TwKey in
 * guarded memory costs ~0.5 ms per row to allocate and free. */
static gboolean
mac_row (TwStore           *store,
         const TwAuditRow  *row,
         const guint8      *prev_mac,
         guint8            *out_mac,
         GError           **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(TwKey) fresh = NULL;
  int rc;

  stmt = tw_store_prepare (store, "SELECT value FROM store_meta WHERE key = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, AUDIT_KEY_NAME, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == TW_KEY_BYTES)
    {
      compute_mac (sqlite3_column_blob (stmt, 0), row, prev_mac, out_mac);
      return TRUE;
    }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the audit key");
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  /* None yet (or a damaged one, which this reports). */
  fresh = tw_store_get_meta_secret (store, AUDIT_KEY_NAME, error);
  if (fresh == NULL)
    return FALSE;
  compute_mac (tw_key_get_bytes (fresh), row, prev_mac, out_mac);
  return TRUE;
}

gboolean
tw_audit_get_head (TwStore      *store,
                   TwAuditHead  *out_head,
                   GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL && out_head != NULL, FALSE);

  memset (out_head, 0, sizeof *out_head);
  stmt = tw_store_prepare (store, "SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the audit trail");
      return FALSE;
    }
  if (sqlite3_column_bytes (stmt, 1) != TW_AUDIT_MAC_BYTES)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "The last audit row (%" G_GINT64_FORMAT ") has a damaged MAC; run "
                   "`twctl audit verify`", (gint64) sqlite3_column_int64 (stmt, 0));
      return FALSE;
    }
  out_head->seq = sqlite3_column_int64 (stmt, 0);
  memcpy (out_head->mac, sqlite3_column_blob (stmt, 1), TW_AUDIT_MAC_BYTES);
  return TRUE;
}

static gboolean
append_row (TwStore     *store,
            TwAuditRow  *row,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  TwAuditHead head;
  guint8 mac[TW_AUDIT_MAC_BYTES];

  if (!tw_audit_get_head (store, &head, error))
    return FALSE;
  row->seq = head.seq + 1;
  if (!mac_row (store, row, head.mac, mac, error))
    return FALSE;

  insert = tw_store_prepare (store,
                             "INSERT INTO audit (seq, at, actor, action, subject, detail, mac)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_int64 (insert, 1, row->seq);
  sqlite3_bind_int64 (insert, 2, row->at);
  sqlite3_bind_text (insert, 3, row->actor, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, row->action, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 5, row->subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 6, row->detail, -1, SQLITE_STATIC);
  sqlite3_bind_blob (insert, 7, mac, sizeof mac, SQLITE_STATIC);
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not write to the audit trail");
      return FALSE;
    }
  store->audit_head_dirty = TRUE;
  store->audit_head_seq = row->seq;
  memcpy (store->audit_head_mac, mac, sizeof mac);
  return TRUE;
}

gboolean
tw_audit_append (TwStore     *store,
                 const char  *actor,
                 const char  *action,
                 const char  *subject,
                 const char  *detail,
                 GError     **error)
{
  TwAuditRow row = { 0 };
  gboolean own_transaction;

  g_return_val_if_fail (store != NULL && action != NULL, FALSE);

  row.at = tw_time_now ();
  row.actor = (char *) (actor != NULL ? actor
                        : store->user != NULL ? store->user : SYSTEM_ACTOR);
  row.action = (char *) action;
  row.subject = (char *) subject;
  row.detail = (char *) detail;

  /* The previous row is read and the new one written under one write
   * lock, so two connections never chain to the same row. */
  own_transaction = !store->in_transaction;
  if (own_transaction && !tw_store_begin (store, error))
    return FALSE;
  if (!append_row (store, &row, error))
    {
      if (own_transaction)
        tw_store_rollback (store);
      return FALSE;
    }
  return !own_transaction || tw_store_commit (store, error);
}

gboolean
tw_audit_append_patient (TwStore     *store,
                         const char  *actor,
                         const char  *action,
                         const char  *entity_key,
                         const char  *detail,
                         GError     **error)
{
  g_autofree char *pseudonym = NULL;

  g_return_val_if_fail (entity_key != NULL, FALSE);

  /* A pseudonym given in place of the key is kept as it is. */
  if (g_str_has_prefix (entity_key, "S-"))
    pseudonym = g_strdup (entity_key);
  else
    pseudonym = tw_store_make_pseudonym (store, entity_key, error);
  if (pseudonym == NULL)
    return FALSE;
  return tw_audit_append (store, actor, action, pseudonym, detail, error);
}

/* ---- the head in the sidecar ------------------------------------------ */

gboolean
tw_audit_read_sidecar_head (const char   *sidecar_path,
                            TwAuditHead  *out_head,
                            gboolean     *out_found,
                            GError      **error)
{
  g_autoptr(JsonObject) root = NULL;
  JsonObject *head;
  const char *mac_hex;
  gsize mac_len = 0;

  g_return_val_if_fail (sidecar_path != NULL && out_head != NULL && out_found != NULL, FALSE);

  memset (out_head, 0, sizeof *out_head);
  *out_found = FALSE;
  root = tw_sidecar_read (sidecar_path, error);
  if (root == NULL)
    return FALSE;
  if (!json_object_has_member (root, HEAD_MEMBER))
    return TRUE;
  head = JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, HEAD_MEMBER))
         ? json_object_get_object_member (root, HEAD_MEMBER) : NULL;
  mac_hex = head != NULL ? json_object_get_string_member_with_default (head, "mac", NULL) : NULL;
  if (head == NULL || mac_hex == NULL
      || sodium_hex2bin (out_head->mac, sizeof out_head->mac, mac_hex, strlen (mac_hex), NULL,
                         &mac_len, NULL) != 0
      || mac_len != TW_AUDIT_MAC_BYTES)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "The audit head in %s is damaged; run `twctl audit verify` as an administrator",
                   sidecar_path);
      return FALSE;
    }
  out_head->seq = json_object_get_int_member_with_default (head, "seq", 0);
  *out_found = TRUE;
  return TRUE;
}

/* The MAC of row @seq; *@out_found FALSE when there is no such row. */
static gboolean
read_row_mac (TwStore  *store,
              gint64    seq,
              guint8   *out_mac,
              gboolean *out_found,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *out_found = FALSE;
  stmt = tw_store_prepare (store, "SELECT mac FROM audit WHERE seq = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      tw_store_set_error (store, error, "Could not read the audit trail");
      return FALSE;
    }
  if (sqlite3_column_bytes (stmt, 0) == TW_AUDIT_MAC_BYTES)
    {
      memcpy (out_mac, sqlite3_column_blob (stmt, 0), TW_AUDIT_MAC_BYTES);
      *out_found = TRUE;
    }
  return TRUE;
}

typedef struct
{
  const TwAuditHead *head;
  TwStore           *store;     /* NULL: move forward without checking */
  gboolean           anchored;  /* a head was published before */
  gboolean           kept;      /* out: the old head was kept as evidence */
} AdvanceData;

/* Whether the head in the file still names a row of the table with its
 * MAC. One that does not (edited, or its rows removed) is evidence for
 * the next verification: moving it forward would erase it. */
static gboolean
old_head_holds (AdvanceData  *data,
                JsonObject   *old,
                GError      **error)
{
  const char *mac_hex = json_object_get_string_member_with_default (old, "mac", NULL);
  guint8 file_mac[TW_AUDIT_MAC_BYTES];
  guint8 row_mac[TW_AUDIT_MAC_BYTES];
  gsize mac_len = 0;
  gboolean found = FALSE;

  if (mac_hex == NULL
      || sodium_hex2bin (file_mac, sizeof file_mac, mac_hex, strlen (mac_hex), NULL, &mac_len,
                         NULL) != 0
      || mac_len != TW_AUDIT_MAC_BYTES)
    return FALSE;
  if (!read_row_mac (data->store, json_object_get_int_member_with_default (old, "seq", 0),
                     row_mac, &found, error))
    return FALSE;
  return found && sodium_memcmp (file_mac, row_mac, TW_AUDIT_MAC_BYTES) == 0;
}

static gboolean
advance_head (JsonObject  *root,
              gpointer     user_data,
              GError     **error)
{
  AdvanceData *data = user_data;
  const TwAuditHead *head = data->head;
  JsonNode *node = json_object_get_member (root, HEAD_MEMBER);
  JsonObject *old = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node)
                                                                  : NULL;
  JsonObject *fresh;
  char mac_hex[TW_AUDIT_MAC_BYTES * 2 + 1];

  if (old != NULL && json_object_get_int_member_with_default (old, "seq", 0) >= head->seq)
    return TRUE;
  if (data->store != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      /* A head that vanished after one was published is evidence too, and
       * so is one that is not a head at all. */
      if ((node == NULL && data->anchored) || (node != NULL && old == NULL)
          || (old != NULL && !old_head_holds (data, old, &local_error)))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          data->kept = TRUE;
          return TRUE;
        }
    }
  sodium_bin2hex (mac_hex, sizeof mac_hex, head->mac, TW_AUDIT_MAC_BYTES);
  fresh = json_object_new ();
  json_object_set_int_member (fresh, "seq", head->seq);
  json_object_set_string_member (fresh, "mac", mac_hex);
  json_object_set_object_member (root, HEAD_MEMBER, fresh);
  return TRUE;
}

gboolean
tw_audit_write_sidecar_head (const char         *sidecar_path,
                             const TwAuditHead  *head,
                             GError            **error)
{
  AdvanceData data = { head, NULL, FALSE, FALSE };

  g_return_val_if_fail (sidecar_path != NULL && head != NULL, FALSE);
  return tw_sidecar_update (sidecar_path, FALSE, advance_head, &data, error);
}

/* store_meta remembers that a head was published, so a head removed from
 * the key file is not silently written anew by the next append. */
static gboolean
is_anchored (TwStore *store)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = tw_store_prepare (store, "SELECT 1 FROM store_meta WHERE key = '" ANCHORED_KEY "'",
                           NULL);
  return stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;
}

static void
mark_anchored (TwStore *store)
{
  g_autoptr(GError) error = NULL;

  if (!is_anchored (store)
      && !tw_store_exec (store, "INSERT OR IGNORE INTO store_meta (key, value) VALUES ('"
                         ANCHORED_KEY "', '1')", &error))
    g_debug ("Could not note the published audit head: %s", error->message);
}

/* The sidecar a connection publishes to: the one it was given, else the
 * key file beside a data directory's store. The engine's connections are
 * opened bare (no session) but append too (acknowledgements, spool
 * merges); without this their rows would sit past the anchored head. */
static char *
sidecar_for (TwStore *store)
{
  g_autofree char *base = NULL;
  g_autofree char *dir = NULL;

  if (store->sidecar_path != NULL)
    return g_strdup (store->sidecar_path);
  if (store->path == NULL)
    return NULL;
  base = g_path_get_basename (store->path);
  if (!g_str_equal (base, TW_STORE_FILENAME))
    return NULL;
  dir = g_path_get_dirname (store->path);
  return g_build_filename (dir, TW_KEYSLOTS_FILENAME, NULL);
}

void
tw_audit_publish_head (TwStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sidecar = NULL;
  AdvanceData data = { 0 };
  TwAuditHead head;

  if (!store->audit_head_dirty)
    return;
  store->audit_head_dirty = FALSE;
  sidecar = sidecar_for (store);
  if (sidecar == NULL)
    return;
  head.seq = store->audit_head_seq;
  memcpy (head.mac, store->audit_head_mac, TW_AUDIT_MAC_BYTES);
  data.head = &head;
  data.store = store;
  data.anchored = is_anchored (store);
  /* The rows are committed; a sidecar that cannot be written makes the
   * next verification report the tail it lacks, which is the truth. A
   * bare connection to a store without a key file has nothing to anchor. */
  if (!tw_sidecar_update (sidecar, FALSE, advance_head, &data, &error))
    {
      if (!(store->sidecar_path == NULL
            && g_error_matches (error, TW_ERROR, TW_ERROR_NOT_INITIALIZED)))
        g_warning ("Could not record the audit head in %s: %s", sidecar, error->message);
      return;
    }
  if (data.kept)
    g_message ("The audit head in %s is missing or does not match the audit trail; left as "
               "it is for `twctl audit verify`", sidecar);
  else
    mark_anchored (store);
}
