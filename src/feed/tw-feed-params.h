#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sequence 0 never exists: "after=0" asks for the whole stream. */
#define TW_FEED_FIRST_SEQ 1

/* Patient ids are "P" and four digits (TW_FEED_PATIENT_ID_FORMAT). */
#define TW_FEED_MAX_PATIENTS 9999

/* Beyond this, ticks would be closer together than the microsecond
 * resolution of timestamps; below the minimum, a run of ticks overflows the
 * time range long before anyone notices a sample. */
#define TW_FEED_MAX_RATE 100000.0
#define TW_FEED_MIN_RATE 0.0001

/**
 * TwFeedParams:
 * @seed: picks patients, baselines, drifts and noise
 * @patients: number of simulated patients
 * @rate: samples per second per patient
 * @start_usec: event time of the first tick, µs since the epoch (UTC)
 * @count: the last sequence number of the stream, or 0 for endless
 * @scenario: (nullable): the scenario file's stream instead of the ward
 *
 * Everything a message depends on: two feeds with equal parameters serve
 * byte-identical messages for every sequence number.
 */
typedef struct
{
  guint64 seed;
  guint   patients;
  double  rate;
  gint64  start_usec;
  guint64 count;
  /* NULL: the default ward; else the stream of --scenario, whose
   * entities are the "patients" and whose interval is 1 / rate */
  const struct _TwFeedScenario *scenario;
} TwFeedParams;

gboolean tw_feed_params_validate        (const TwFeedParams *params,
                                         GError            **error);
guint64  tw_feed_params_seq_tick        (const TwFeedParams *params,
                                         guint64             seq);
guint    tw_feed_params_seq_patient     (const TwFeedParams *params,
                                         guint64             seq);
gint64   tw_feed_params_seq_time        (const TwFeedParams *params,
                                         guint64             seq);
double   tw_feed_params_seq_elapsed     (const TwFeedParams *params,
                                         guint64             seq);
char    *tw_feed_params_format_restart  (const TwFeedParams *params,
                                         guint               port);

G_END_DECLS
