#pragma once

#include <gio/gio.h>

#include "tw-reader.h"

G_BEGIN_DECLS

/*
 * TwMonitorQuery: the input and the results of one worker run of the
 * monitor page: the patient list, the latest heart rates and the selected
 * patient's trend window (or only its new samples). It is the task data of
 * a GTask whose thread function is tw_monitor_query_run().
 */
typedef struct
{
  /* Input */
  TwReader     *reader;
  GCancellable *cancellable;
  gboolean      list_entities;
  gboolean      read_heart_rates;
  GStrv         keys;
  char         *entity_key;
  gint64        window_us;
  gint64        now;
  gboolean      incremental;
  gint64        since;

  /* Results */
  GPtrArray    *entities;
  GArray       *heart_rates;
  GPtrArray    *series;
  gint64        range_end;
  gboolean      live;
} TwMonitorQuery;

void tw_monitor_query_free (gpointer      data);
void tw_monitor_query_run  (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable);

G_END_DECLS
