#include <sodium.h>
#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-sidecar.h"
#include "tw-store-private.h"
#include "tw-time.h"

/* Appending to the audit trail and keeping its head in the sidecar.
 * Verifying, listing and exporting are in tw-audit-verify.c. */

#define AUDIT_KEY_NAME   "audit_mac_key"
#define AUDIT_MAC_DOMAIN "tidewatch-audit-v1"
#define HEAD_MEMBER      "audit_head"
#define SYSTEM_ACTOR     "system"

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

void
tw_audit_compute_mac (const TwKey      *key,
                      const TwAuditRow *row,
                      const guint8     *prev_mac,
                      guint8           *out_mac)
{
  crypto_auth_hmacsha256_state state;

  crypto_auth_hmacsha256_init (&state, tw_key_get_bytes (key), TW_KEY_BYTES);
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

static gboolean
load_key (TwStore  *store,
          GError  **error)
{
  if (store->audit_key == NULL)
    store->audit_key = tw_store_get_meta_secret (store, AUDIT_KEY_NAME, error);
  return store->audit_key != NULL;
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

  if (!load_key (store, error) || !tw_audit_get_head (store, &head, error))
    return FALSE;
  row->seq = head.seq + 1;
  tw_audit_compute_mac (store->audit_key, row, head.mac, mac);

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
  head = json_object_get_object_member (root, HEAD_MEMBER);
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

static gboolean
advance_head (JsonObject  *root,
              gpointer     user_data,
              GError     **error)
{
  const TwAuditHead *head = user_data;
  JsonObject *old = json_object_has_member (root, HEAD_MEMBER)
                    ? json_object_get_object_member (root, HEAD_MEMBER) : NULL;
  JsonObject *fresh;
  char mac_hex[TW_AUDIT_MAC_BYTES * 2 + 1];

  if (old != NULL && json_object_get_int_member_with_default (old, "seq", 0) >= head->seq)
    return TRUE;
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
  g_return_val_if_fail (sidecar_path != NULL && head != NULL, FALSE);
  return tw_sidecar_update (sidecar_path, FALSE, advance_head, (gpointer) head, error);
}

void
tw_audit_publish_head (TwStore *store)
{
  g_autoptr(GError) error = NULL;
  TwAuditHead head;

  if (!store->audit_head_dirty)
    return;
  store->audit_head_dirty = FALSE;
  if (store->sidecar_path == NULL)
    return;
  head.seq = store->audit_head_seq;
  memcpy (head.mac, store->audit_head_mac, TW_AUDIT_MAC_BYTES);
  /* The rows are committed; a sidecar that cannot be written makes the
   * next verification report the tail it lacks, which is the truth. */
  if (!tw_audit_write_sidecar_head (store->sidecar_path, &head, &error))
    g_warning ("Could not record the audit head in %s: %s", store->sidecar_path,
               error->message);
}
