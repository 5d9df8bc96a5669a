#pragma once

#include <glib.h>

#include "tw-batch.h"
#include "tw-key.h"
#include "tw-point.h"
#include "tw-role.h"

G_BEGIN_DECLS

/**
 * TwStore:
 * One connection to the encrypted SQLCipher store. A connection belongs to
 * one thread at a time: the engine owns the single writer, the app and
 * twctl open their own readers (WAL lets them read while it writes).
 */
typedef struct _TwStore TwStore;

typedef struct
{
  guint64 received;     /* messages received */
  guint64 stored;       /* sample rows newly stored */
  guint64 duplicates;   /* sample rows that were already stored */
  guint64 quarantined;  /* messages rejected into quarantine */
} TwCounters;

typedef struct
{
  gint64      id;
  char       *name;
  char       *url;
  gboolean    enabled;
  gint64      cursor_seq;   /* -1 when nothing committed yet */
  TwCounters  counters;
  guint64     reconnects;   /* total since the source was created */
  gint64      lag_us;       /* commit time minus newest event time, -1 unknown */
  char       *last_error;   /* NULL when none */
  gint64      last_error_at;
} TwSourceRow;

typedef struct
{
  char    *name;
  TwRole   role;
  gint64   created_at;
  gboolean disabled;
  gboolean must_change_password;  /* signed in last with a one-time password */
} TwUserRow;

/**
 * TwEntityRow:
 * An entity as a role may see it. For roles without identity permission
 * @display_name is the pseudonymous key and @mrn is %NULL: masking is done
 * by the query, not by the caller.
 */
typedef struct
{
  gint64  id;
  char   *key;
  char   *display_name;
  char   *mrn;
  char   *location;
} TwEntityRow;

typedef struct
{
  gint64  series_id;
  char   *entity;
  char   *metric;
  gint64  count;
  gint64  first_ts;
  gint64  last_ts;
} TwSeriesStats;

TwStore    *tw_store_open               (const char   *path,
                                         const TwKey  *key,
                                         gboolean      create,
                                         GError      **error);
void        tw_store_close              (TwStore      *store);
const char *tw_store_get_cipher_version (TwStore      *store);
int         tw_store_get_schema_version (TwStore      *store);
/* Whose masking rules the reads follow (see tw-store-clinical.h):
 * tw_session_open_store() sets the session's role; a bare tw_store_open()
 * reads as an analyst (identity masked). */
TwRole      tw_store_get_role           (TwStore      *store);

gboolean    tw_store_begin              (TwStore      *store,
                                         GError      **error);
gboolean    tw_store_commit             (TwStore      *store,
                                         GError      **error);
void        tw_store_rollback           (TwStore      *store);

/* Sources and their resume cursors. */
gint64      tw_store_ensure_source      (TwStore      *store,
                                         const char   *name,
                                         const char   *url,
                                         GError      **error);
GPtrArray  *tw_store_list_sources       (TwStore      *store,
                                         GError      **error);
gboolean    tw_store_update_source      (TwStore      *store,
                                         gint64        source_id,
                                         const char   *name,
                                         const char   *url,
                                         gboolean      enabled,
                                         GError      **error);
gboolean    tw_store_remove_source      (TwStore      *store,
                                         gint64        source_id,
                                         GError      **error);
gboolean    tw_store_save_source_health (TwStore      *store,
                                         gint64        source_id,
                                         guint64       reconnects,
                                         gint64        lag_us,
                                         const char   *last_error,
                                         GError      **error);
void        tw_source_row_free          (TwSourceRow  *row);

/* Writing (inside tw_store_begin/commit; the engine thread only). The
 * batch's cursor and counters are saved in the same transaction. */
gboolean    tw_store_write_batch        (TwStore       *store,
                                         const TwBatch *batch,
                                         TwCounters    *out_delta,
                                         GError       **error);

/* Users and roles (the authority; keyslots only carry the key). */
gboolean    tw_store_add_user           (TwStore      *store,
                                         const char   *name,
                                         TwRole        role,
                                         GError      **error);
gboolean    tw_store_get_user           (TwStore      *store,
                                         const char   *name,
                                         TwUserRow   **out_row,
                                         GError      **error);
GPtrArray  *tw_store_list_users         (TwStore      *store,
                                         GError      **error);
void        tw_user_row_free            (TwUserRow    *row);

/* Reading. */
GPtrArray  *tw_store_list_entities      (TwStore      *store,
                                         TwRole        role,
                                         GError      **error);
void        tw_entity_row_free          (TwEntityRow  *row);
GArray     *tw_store_read_samples       (TwStore      *store,
                                         const char   *entity_key,
                                         const char   *metric,
                                         gint64        from_ts,
                                         gint64        to_ts,
                                         GError      **error);
/* Rollups (TwRollupBucket in tw-store-rollup.h): the buckets of one
 * series at 1, 60 or 3600 s that overlap [from_ts, to_ts), oldest first. */
GArray     *tw_store_read_rollups       (TwStore      *store,
                                         const char   *entity_key,
                                         const char   *metric,
                                         int           resolution_s,
                                         gint64        from_ts,
                                         gint64        to_ts,
                                         GError      **error);
gboolean    tw_store_get_entity_last_ts (TwStore      *store,
                                         const char   *entity_key,
                                         gint64       *out_ts,
                                         GError      **error);
GPtrArray  *tw_store_list_series_stats  (TwStore      *store,
                                         GError      **error);
void        tw_series_stats_free        (TwSeriesStats *stats);
gint64      tw_store_count_samples      (TwStore      *store,
                                         GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwStore, tw_store_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwUserRow, tw_user_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwSourceRow, tw_source_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwEntityRow, tw_entity_row_free)

G_END_DECLS
