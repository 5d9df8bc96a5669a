#pragma once

#include "tw-store-private.h"
#include "tw-store-rollup.h"

G_BEGIN_DECLS

/* The writer's side of the rollups, for tw-store-write.c: note every
 * sample actually stored, flush once per batch inside its transaction. */
void      tw_store_rollups_note   (TwStore         *store,
                                   gint64           series_id,
                                   gint64           ts,
                                   double           value);
gboolean  tw_store_rollups_flush  (TwStore         *store,
                                   GError         **error);
void      tw_rollup_writer_free   (TwRollupWriter  *writer);

/* The readers' side, for tw-store-envelope.c: the buckets of
 * tw_store_read_rollups() one by one, oldest first, without an array. */
typedef void (*TwRollupFunc) (const TwRollupBucket *bucket,
                              gpointer              user_data);

gboolean  tw_store_foreach_rollup (TwStore         *store,
                                   const char      *entity_key,
                                   const char      *metric,
                                   int              resolution_s,
                                   gint64           from_ts,
                                   gint64           to_ts,
                                   TwRollupFunc     func,
                                   gpointer         user_data,
                                   GError         **error);

G_END_DECLS
