#pragma once

#include "tw-store-private.h"

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

G_END_DECLS
