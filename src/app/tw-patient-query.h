#pragma once

#include <gio/gio.h>

#include "tw-ar2.h"
#include "tw-glucose.h"
#include "tw-news2.h"
#include "tw-reader.h"
#include "tw-store-clinical.h"

G_BEGIN_DECLS

/* How far back the patient view looks: NEWS2 history and its heatmap, and
 * the glucose metrics and AGP (the consensus asks for 14 days). */
#define TW_PATIENT_NEWS2_HISTORY_US   ((gint64) 24 * 3600 * G_USEC_PER_SEC)
#define TW_PATIENT_GLUCOSE_DAYS       14
#define TW_PATIENT_GLUCOSE_HISTORY_US ((gint64) TW_PATIENT_GLUCOSE_DAYS * 24 * 3600 * G_USEC_PER_SEC)
/* A NEWS2 parameter measured longer ago than this counts as missing: the
 * score must describe the patient now (observations are due every 4 h at
 * the latest for a low score). */
#define TW_PATIENT_NEWS2_MAX_AGE_US   ((gint64) 4 * 3600 * G_USEC_PER_SEC)
/* The AGP's time-of-day bins. */
#define TW_PATIENT_AGP_BIN_MINUTES    15
#define TW_PATIENT_HEATMAP_HOUR_US    ((gint64) 3600 * G_USEC_PER_SEC)

/**
 * TwPatientQuery:
 * The input and results of one worker run of the patient view: the
 * summary and record (masked by the reader's role in the store), the live
 * NEWS2 score and its history, and the glucose metrics with the AR2
 * forecast. Task data of a GTask run by tw_patient_query_run().
 */
typedef struct
{
  /* Input */
  TwReader         *reader;
  char             *key;
  gint64            now;
  gboolean          read_record;

  /* Results */
  TwPatientSummary *summary;          /* NULL when the store has no record */
  GPtrArray        *entries;          /* TwClinicalEntry*, oldest first */
  TwNews2Score      latest;           /* from the newest value of each parameter */
  gboolean          latest_known;     /* any parameter at all */
  GArray           *news2_points;     /* TwPoint: total at each complete observation */
  guint             heat_columns;     /* hours */
  gint64            heat_from;        /* first column's start */
  double           *heat_values;      /* TW_NEWS2_N_PARAMS rows × heat_columns, NAN: none */
  GArray           *glucose;          /* TwPoint, NULL: no glucose series */
  TwGlucoseStats    glucose_stats;
  TwAgp            *agp;
  gboolean          forecast_known;
  TwAr2Forecast     forecast;
  char             *forecast_error;
} TwPatientQuery;

TwPatientQuery *tw_patient_query_new  (TwReader     *reader,
                                       const char   *key,
                                       gint64        now);
void            tw_patient_query_free (gpointer      data);
void            tw_patient_query_run  (GTask        *task,
                                       gpointer      source_object,
                                       gpointer      task_data,
                                       GCancellable *cancellable);

/* NEWS2 parameters in TwNews2Param order as catalogue codes ("rr", …). */
const char     *tw_patient_news2_metric (TwNews2Param param);

G_END_DECLS
