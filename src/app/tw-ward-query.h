#pragma once

#include <gio/gio.h>

#include "tw-news2.h"
#include "tw-reader.h"

G_BEGIN_DECLS

/*
 * TwWardQuery: one worker run of the ward overview. For every admitted
 * patient it keeps the newest value of the seven NEWS2 parameters (each at
 * most TW_WARD_FRESH_US old, else missing), scores NEWS2 from them and
 * reads the heart rate and SpO2 samples for the sparklines. The first run
 * for a bed reads the newest values from the minute rollups and the
 * sparkline window in full; later runs read only the samples that arrived
 * since the previous one.
 *
 * The per-bed state (TwWardBed) travels: the page hands its table to the
 * query, the worker updates it, the page takes it back when the task
 * returns. Only one query runs at a time, so nothing is shared.
 */

#define TW_WARD_FRESH_US     ((gint64) 60 * 60 * G_USEC_PER_SEC)   /* 60 min */
#define TW_WARD_SPARKLINE_US ((gint64) 30 * 60 * G_USEC_PER_SEC)   /* 30 min */

/* The NEWS2 parameters by their catalogue codes, in this order. */
typedef enum
{
  TW_WARD_RR,
  TW_WARD_SPO2,
  TW_WARD_SBP,
  TW_WARD_HR,
  TW_WARD_TEMP,
  TW_WARD_O2,
  TW_WARD_ACVPU,
  TW_WARD_N_VITALS,
} TwWardVital;

typedef enum
{
  TW_WARD_SPARK_HR,
  TW_WARD_SPARK_SPO2,
  TW_WARD_N_SPARKS,
} TwWardSpark;

/**
 * TwWardBed:
 * @key: the entity key (samples and alerts use it)
 * @display_name: as the role may see it (a pseudonym for analysts)
 * @ward, @bed: nullable
 * @value, @value_ts: the newest sample of each parameter (NAN / G_MININT64
 *   when none was ever seen)
 * @news2: scored at the run's time from the values still fresh
 * @spark_new: per sparkline, the samples new in this run (TwPoint)
 * @spark_replace: @spark_new is the whole window, not an increment
 * @changed: anything new in this run (values, samples, identity)
 */
typedef struct
{
  char        *key;
  char        *display_name;
  char        *ward;
  char        *bed;

  double       value[TW_WARD_N_VITALS];
  gint64       value_ts[TW_WARD_N_VITALS];
  gint64       cursor[TW_WARD_N_VITALS];
  gboolean     primed;

  TwNews2Score news2;
  GArray      *spark_new[TW_WARD_N_SPARKS];
  gboolean     spark_replace;
  gboolean     changed;
} TwWardBed;

typedef struct
{
  /* Input */
  TwReader     *reader;
  GCancellable *cancellable;
  gboolean      list_patients;
  gint64        now;
  GStrv         alert_keys;     /* entity keys of alerts to map to tile keys */

  /* In and out: key → TwWardBed*, owned, and the beds in ward then bed
   * order (borrowed from @beds; NULL until listed) */
  GHashTable   *beds;
  GPtrArray    *order;

  /* Results */
  GStrv         wards;          /* when listed */
  GHashTable   *alert_map;      /* alert's entity key → tile key (a pseudonym
                                 * for masked roles), for @alert_keys */
  gboolean      listed;
  gboolean      no_wards;       /* a clinician with no wards (ward scope) */
  guint         n_reads;        /* statements run */
  guint         n_samples;      /* samples read */
  double        elapsed_ms;
} TwWardQuery;

const char *tw_ward_vital_code     (TwWardVital  vital);
GHashTable *tw_ward_beds_new       (void);
void        tw_ward_bed_free       (TwWardBed   *bed);
void        tw_ward_query_free     (gpointer     data);
void        tw_ward_query_run      (GTask       *task,
                                    gpointer     source_object,
                                    gpointer     task_data,
                                    GCancellable *cancellable);
/* What the page says while it has no beds: a clinician without wards is
 * told why and what to do rather than to wait for data. */
const char *tw_ward_query_empty_title       (const TwWardQuery *query);
const char *tw_ward_query_empty_description (const TwWardQuery *query);
/* Scores @bed at @now from its values no older than TW_WARD_FRESH_US. */
void        tw_ward_bed_score      (TwWardBed   *bed,
                                    gint64       now);

G_END_DECLS
