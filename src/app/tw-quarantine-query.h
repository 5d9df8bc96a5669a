#pragma once

#include <gio/gio.h>

#include "tw-quarantine.h"
#include "tw-reader.h"

G_BEGIN_DECLS

/*
 * The Quarantine page's work on the store, run in GTask workers on a
 * TwReader connection: listing, reading one message's bytes, reprocessing
 * and exporting. Each struct is the task data of a GTask whose thread
 * function is the matching _run(); the page fills in the input.
 */

typedef struct
{
  /* Input */
  TwReader *reader;
  gint64    id;
  guint     serial;

  /* Results: the bytes made displayable, at most TW_RAW_PREVIEW_MAX_BYTES */
  char     *text;
  gsize     size;
  gboolean  truncated;
} TwQuarantineRaw;

typedef struct
{
  /* Input */
  TwReader  *reader;
  guint      serial;
  guint      limit;

  /* Results: the newest @limit rows, and how many there are in all */
  GPtrArray *rows;        /* TwQuarantineRow* */
  gint64     count;
} TwQuarantineList;

typedef struct
{
  TwReader          *reader;
  GArray            *ids;      /* NULL: all */
  TwReprocessResult  result;   /* the result */
} TwQuarantineReprocess;

typedef struct
{
  TwReader *reader;
  char     *path;
  guint     count;      /* the result: messages written */
} TwQuarantineExport;

void tw_quarantine_raw_free       (gpointer      data);
void tw_quarantine_raw_run        (GTask        *task,
                                   gpointer      source_object,
                                   gpointer      task_data,
                                   GCancellable *cancellable);
void tw_quarantine_list_free      (gpointer      data);
void tw_quarantine_list_run       (GTask        *task,
                                   gpointer      source_object,
                                   gpointer      task_data,
                                   GCancellable *cancellable);
void tw_quarantine_reprocess_free (gpointer      data);
void tw_quarantine_reprocess_run  (GTask        *task,
                                   gpointer      source_object,
                                   gpointer      task_data,
                                   GCancellable *cancellable);
void tw_quarantine_export_free    (gpointer      data);
void tw_quarantine_export_run     (GTask        *task,
                                   gpointer      source_object,
                                   gpointer      task_data,
                                   GCancellable *cancellable);

G_END_DECLS
