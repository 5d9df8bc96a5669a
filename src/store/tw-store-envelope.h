#pragma once

#include <glib.h>

#include "tw-m4.h"
#include "tw-store.h"

G_BEGIN_DECLS

/*
 * Chart data straight from the store (ARCHITECTURE.md: "Charts read
 * rollups, never raw rows, when a pixel covers more than one sample").
 *
 * The M4 envelope of one series over [@from, @to) at @width columns
 * (device pixels), read from the coarsest rollup level whose bucket is
 * still no wider than one column — 1 h, 1 min or 1 s — so every column
 * that has data gets at least one bucket and a 2-second spike in a week
 * survives as its column's max. When a column is narrower than 1 s the
 * raw samples are read. Buckets that straddle a column edge are given to
 * the column that holds their first sample's time (first_ts), so the
 * column's first/last stay exact; min/max may be shared with a neighbour
 * by at most one bucket width, which is never more than one column.
 * Before/after points (for lines leaving the range) come from the
 * neighbouring bucket or sample.
 */

typedef enum
{
  TW_ENVELOPE_RAW = 0,
  TW_ENVELOPE_SECOND = 1,
  TW_ENVELOPE_MINUTE = 60,
  TW_ENVELOPE_HOUR = 3600,
} TwEnvelopeSource;

/* Which level tw_store_read_envelope() reads for a column of @column_us. */
TwEnvelopeSource tw_envelope_pick_source (gint64             column_us);

TwM4            *tw_store_read_envelope  (TwStore           *store,
                                          const char        *entity_key,
                                          const char        *metric,
                                          gint64             from,
                                          gint64             to,
                                          guint              width,
                                          TwEnvelopeSource  *out_source,
                                          GError           **error);

G_END_DECLS
