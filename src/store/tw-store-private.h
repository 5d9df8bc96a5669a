#pragma once

#include <sqlite3.h>

#include "tw-audit.h"
#include "tw-store.h"

G_BEGIN_DECLS

typedef struct _TwRollupWriter TwRollupWriter;

struct _TwStore
{
  sqlite3    *db;
  char       *path;
  char       *cipher_version;
  int         schema_version;
  gboolean    in_transaction;
  /* Whose eyes the reads are for (tw-store-clinical.h): identity is
   * masked unless this role has TW_PERM_SEE_IDENTITY. */
  TwRole      role;
  /* HMAC key of the pseudonyms (store_meta), loaded on first use. */
  TwKey      *pseudonym_secret;
  /* Security (issue 6): who reads and writes through this connection
   * (audit actor, ward scope; NULL for bare connections), the sidecar
   * that keeps the audit head (NULL: none), the audit MAC key (loaded
   * on first use) and a head to publish after the next commit. */
  char       *user;
  char       *sidecar_path;
  TwKey      *audit_key;
  gboolean    audit_head_dirty;
  gint64      audit_head_seq;
  guint8      audit_head_mac[32];
  /* Ward scope (tw-store-scope.c): entity ids whose record view this
   * connection has audited already (once per connection and patient). */
  GHashTable *record_views;

  /* Writer caches (the engine's connection only). */
  GHashTable *series_ids;   /* "entity\x1fmetric" → gint64 id */
  GHashTable *entity_ids;   /* entity key → gint64 id */
  TwRollupWriter *rollups; /* the batch's rollup deltas, cached statements (tw-store-rollup.c) */
  sqlite3_stmt *insert_sample;
};

/* Sets @error from the connection's last error, with @what as context. */
void      tw_store_set_error     (TwStore     *store,
                                  GError     **error,
                                  const char  *what);
gboolean  tw_store_exec          (TwStore     *store,
                                  const char  *sql,
                                  GError     **error);
sqlite3_stmt *tw_store_prepare   (TwStore     *store,
                                  const char  *sql,
                                  GError     **error);
gboolean  tw_store_migrate       (TwStore     *store,
                                  GError     **error);
void      tw_store_write_reset   (TwStore     *store);
/* The id of entity @key, created as @kind (with its pseudonym) when new. */
gint64    tw_store_ensure_entity (TwStore     *store,
                                  const char  *key,
                                  const char  *kind,
                                  GError     **error);

/* Roles and masking (tw-store-clinical.c).
 * tw_store_open() reads as the least privileged role (analyst: masked);
 * tw_session_open_store() sets the session's role; the engine's own
 * connections and tests that need identity call this. */
void      tw_store_set_role      (TwStore     *store,
                                  TwRole       role);
/* TRUE when reads through @store must withhold identity. */
gboolean  tw_store_masks_identity (TwStore    *store);
/* "S-" and 10 hex digits of HMAC-SHA256 (store secret, @key). */
char     *tw_store_make_pseudonym (TwStore     *store,
                                   const char  *key,
                                   GError     **error);
/* Creates the store's pseudonym secret unless it exists and gives every
 * entity without a pseudonym one (migration 4). */
gboolean  tw_store_backfill_pseudonyms (TwStore  *store,
                                        GError  **error);
/* The entity named by a key or a pseudonym: its id (and its key in
 * @out_key when not NULL), 0 when there is none, -1 with @error set. */
gint64    tw_store_resolve_entity (TwStore     *store,
                                   const char  *key_or_pseudonym,
                                   char       **out_key,
                                   GError     **error);

/* Security (issue 6). */
void      tw_store_set_user      (TwStore     *store,
                                  const char  *user);
const char *tw_store_get_user_name (TwStore   *store);
void      tw_store_set_sidecar   (TwStore     *store,
                                  const char  *sidecar_path);
/* A 32-byte secret kept in store_meta under @name, made on first use
 * (read back, so racing connections agree). Free with tw_key_free(). */
TwKey    *tw_store_get_meta_secret (TwStore    *store,
                                    const char *name,
                                    GError    **error);
/* Called by tw_store_commit() after a successful COMMIT (tw-audit.c). */
void      tw_audit_publish_head  (TwStore     *store);
/* The MAC of one row given the previous row's MAC (zeros before the
 * first row). */
void      tw_audit_compute_mac   (const TwKey      *key,
                                  const TwAuditRow *row,
                                  const guint8     *prev_mac,
                                  guint8           *out_mac);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
