#pragma once

#include <gio/gio.h>

#include "tw-reader.h"
#include "tw-store-alerts.h"

G_BEGIN_DECLS

/*
 * The alert console's reads, run in GTask workers on a TwReader connection
 * so the main thread never waits on SQL: the names it shows for entities
 * and sources, and the history of alerts with their transitions. Each
 * struct is the task data of a GTask whose thread function is the matching
 * _run(); the page fills in the input.
 */

typedef struct
{
  /* Input */
  TwReader   *reader;
  GStrv       alert_keys;      /* the board's entity keys (the engine's real keys) */

  /* Results */
  GHashTable *entity_titles;   /* key → what the role may see ("Bed 3 · Ana Silva") */
  GHashTable *source_names;    /* GINT64 id (boxed as gint64*) → name */
} TwAlertLookup;

typedef struct
{
  /* Input */
  TwReader   *reader;
  char       *search;          /* nullable */
  guint       limit;
  guint       serial;

  /* Results, newest first */
  GPtrArray  *records;         /* TwAlertRecord* */
  GPtrArray  *transitions;     /* GPtrArray of TwAlertTransitionRow*, one per record */
  GHashTable *entity_titles;
} TwAlertHistory;

char *tw_alert_entity_title       (const TwEntityRow *row);

void  tw_alert_lookup_free        (gpointer      data);
void  tw_alert_lookup_run         (GTask        *task,
                                   gpointer      source_object,
                                   gpointer      task_data,
                                   GCancellable *cancellable);
void  tw_alert_history_free       (gpointer      data);
void  tw_alert_history_run        (GTask        *task,
                                   gpointer      source_object,
                                   gpointer      task_data,
                                   GCancellable *cancellable);

G_END_DECLS
