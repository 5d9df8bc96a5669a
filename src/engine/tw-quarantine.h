#pragma once

#include <json-glib/json-glib.h>

#include "tw-limits.h"
#include "tw-store-quarantine.h"

G_BEGIN_DECLS

typedef struct
{
  guint fixed;        /* decoded now: data stored, entry removed */
  guint still_bad;    /* still rejected: entry kept with today's reason */
  guint samples;      /* samples stored from fixed entries */
} TwReprocessResult;

/* Decodes quarantined messages again with today's rules (after a rule or a
 * unit table changed). @ids NULL means all. Runs in one transaction on the
 * caller's connection; safe beside a running pipeline (WAL, busy wait). */
gboolean tw_quarantine_reprocess (TwStore           *store,
                                  const TwLimits    *limits,
                                  const gint64      *ids,
                                  guint              n_ids,
                                  TwReprocessResult *result,
                                  GError           **error);

/* The members of one entry (id, source, received_at, reason, size), as
 * `twctl quarantine list --json` and the export show them. */
void     tw_quarantine_row_add_json (JsonBuilder           *builder,
                                     const TwQuarantineRow *row);

/* Writes every quarantined message as NDJSON (id, source, received_at,
 * reason, size, raw_base64) to @path, readable by the owner only. */
gboolean tw_quarantine_export    (TwStore           *store,
                                  const char        *path,
                                  guint             *out_count,
                                  GError           **error);

G_END_DECLS
