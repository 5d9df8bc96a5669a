#pragma once

#include "tw-store.h"

G_BEGIN_DECLS

/**
 * TwQuarantineRow:
 * A message that could not be used, kept with why and from where. The raw
 * bytes are read separately (they can be large).
 */
typedef struct
{
  gint64  id;
  gint64  source_id;     /* 0 when unknown */
  char   *source_name;   /* NULL when unknown */
  gint64  received_at;
  char   *reason;
  gint64  size;          /* bytes kept */
} TwQuarantineRow;

GPtrArray *tw_store_list_quarantine       (TwStore     *store,
                                           gint64       source_id,
                                           guint        limit,
                                           GError     **error);
gint64     tw_store_count_quarantine      (TwStore     *store,
                                           GError     **error);
GBytes    *tw_store_get_quarantine_raw    (TwStore     *store,
                                           gint64       id,
                                           GError     **error);
gboolean   tw_store_delete_quarantine     (TwStore     *store,
                                           gint64       id,
                                           GError     **error);
gboolean   tw_store_set_quarantine_reason (TwStore     *store,
                                           gint64       id,
                                           const char  *reason,
                                           GError     **error);
void       tw_quarantine_row_free         (TwQuarantineRow *row);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwQuarantineRow, tw_quarantine_row_free)

G_END_DECLS
