#pragma once

#include <gio/gio.h>

#include "tw-reader.h"

G_BEGIN_DECLS

/*
 * The Sources page's work on the store, run in GTask workers on a TwReader
 * connection: reading the sources, and changing one. Each struct is the
 * task data of a GTask whose thread function is the matching _run().
 */

typedef struct
{
  /* Input */
  TwReader   *reader;
  guint       serial;

  /* Results */
  GPtrArray  *rows;           /* TwSourceRow* */
  GHashTable *not_startable;  /* gint64* id → why the pipeline cannot start it */
} TwSourcesLoad;

typedef enum
{
  TW_SOURCE_CHANGE_ADD,
  TW_SOURCE_CHANGE_EDIT,
  TW_SOURCE_CHANGE_PAUSE,
  TW_SOURCE_CHANGE_RESUME,
  TW_SOURCE_CHANGE_REMOVE,
} TwSourceChangeKind;

typedef struct
{
  TwReader           *reader;
  TwSourceChangeKind  kind;
  gint64              id;        /* set by an add */
  char               *name;
  char               *url;       /* with credentials: wiped when freed */
  gboolean            enabled;
  GObject            *dialog;    /* (nullable): the dialog that asked */
} TwSourceChange;

GHashTable     *tw_sources_id_table_new (void);

TwSourcesLoad  *tw_sources_load_new     (TwReader     *reader,
                                         guint         serial);
void            tw_sources_load_free    (gpointer      data);
void            tw_sources_load_run     (GTask        *task,
                                         gpointer      source_object,
                                         gpointer      task_data,
                                         GCancellable *cancellable);

TwSourceChange *tw_source_change_new    (TwReader           *reader,
                                         TwSourceChangeKind  kind,
                                         gint64              id,
                                         const char         *name,
                                         const char         *url,
                                         gboolean            enabled);
void            tw_source_change_free   (gpointer      data);
void            tw_source_change_run    (GTask        *task,
                                         gpointer      source_object,
                                         gpointer      task_data,
                                         GCancellable *cancellable);

G_END_DECLS
