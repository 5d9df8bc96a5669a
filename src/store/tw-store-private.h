#pragma once

#include <sqlite3.h>

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
