#include "tw-feed-physiology.h"

#include <math.h>

#include "tw-feed-random.h"

/* Each vital is baseline + slow drift + beat-to-beat noise + the effect of
 * an occasional deterioration episode. Every term is drawn from a hash of
 * (seed, patient, time slot, what), never from a running state, so any
 * sequence number can be computed on its own: a restarted feed serves a
 * resuming client exactly what it missed. */

typedef enum
{
  METRIC_HR,
  METRIC_RR,
  METRIC_SPO2,
  METRIC_SBP,
  METRIC_DBP,
  METRIC_TEMP,
  N_METRICS
} Metric;

/* What a draw is for; combined with the metric and a component index into
 * the last hash key. */
typedef enum
{
  DRAW_BASELINE = 1,
  DRAW_DRIFT_PERIOD,
  DRAW_DRIFT_PHASE,
  DRAW_DRIFT_AMPLITUDE,
  DRAW_NOISE,
  DRAW_EPISODE_OCCURS,
  DRAW_EPISODE_DURATION,
  DRAW_EPISODE_ONSET,
  DRAW_EPISODE_SIZE,
  DRAW_EPISODE_CONFUSION,
} Draw;

#define DRAW_KIND_SHIFT   32
#define DRAW_METRIC_SHIFT 8

/* Slow drift: a few sinusoids per vital, periods between ten minutes and
 * four hours, each with an amplitude between half and all of the vital's
 * drift amplitude. */
#define N_DRIFT_COMPONENTS   3
#define DRIFT_PERIOD_MIN_S   (10.0 * 60.0)
#define DRIFT_PERIOD_MAX_S   (4.0 * 60.0 * 60.0)
#define DRIFT_AMPLITUDE_MIN  0.5

/* Deterioration: in each hour of the stream, each patient has this chance
 * of one episode that lies wholly within that hour, ramps in and out over
 * this share of its length and holds its full effect in between. */
#define EPISODE_WINDOW_S      (60.0 * 60.0)
#define EPISODE_PROBABILITY   0.2
#define EPISODE_MIN_S         (10.0 * 60.0)
#define EPISODE_MAX_S         (30.0 * 60.0)
#define EPISODE_RAMP_SHARE    0.3

/* NEWS2's observations follow the episode: a nurse puts a deteriorating
 * patient on oxygen once it is well under way, and some patients become
 * newly confused at its height, so the score reaches the medium and high
 * bands (DOMAIN.md). Everyone else breathes air and is alert. */
#define OXYGEN_SEVERITY     0.5
#define CONFUSION_SEVERITY  0.8
#define CONFUSION_SHARE     0.5

/* An arterial line never reads a diastolic within this of the systolic. */
#define MIN_PULSE_PRESSURE 16

typedef struct
{
  double baseline_low;
  double baseline_high;
  double drift_amplitude;
  double noise_sd;
  double episode_low;     /* change at the height of an episode */
  double episode_high;
  double limit_low;       /* what a monitor would still display */
  double limit_high;
  double scale;           /* rounding unit: values are sent as value * scale */
} MetricModel;

static const MetricModel models[N_METRICS] = {
  [METRIC_HR]   = {  60.0,  95.0, 4.0,  1.5,  20.0,  40.0,  30.0, 200.0, 1.0 },
  [METRIC_RR]   = {  12.0,  18.0, 1.0,  0.8,   6.0,  10.0,   4.0,  50.0, 1.0 },
  [METRIC_SPO2] = {  95.0,  99.0, 0.7,  0.5,  -8.0,  -4.0,  70.0, 100.0, 1.0 },
  [METRIC_SBP]  = { 105.0, 140.0, 5.0,  3.0, -30.0, -15.0,  60.0, 220.0, 1.0 },
  [METRIC_DBP]  = {  60.0,  85.0, 3.0,  2.0, -15.0,  -6.0,  30.0, 140.0, 1.0 },
  [METRIC_TEMP] = {  36.4,  37.2, 0.1, 0.03,   1.0,   1.5,  34.0,  41.5, TW_FEED_TEMP_TENTHS },
};

static guint64
draw_key (Draw   draw,
          Metric metric,
          guint  component)
{
  return ((guint64) draw << DRAW_KIND_SHIFT) | ((guint64) metric << DRAW_METRIC_SHIFT) | component;
}

static double
drift (const TwFeedParams *params,
       guint               patient,
       Metric              metric,
       double              elapsed_s)
{
  double sum = 0.0;

  for (guint k = 0; k < N_DRIFT_COMPONENTS; k++)
    {
      /* Log-uniform periods spread the components over time scales. */
      double period = exp (tw_feed_random_range (params->seed, patient, 0,
                                                 draw_key (DRAW_DRIFT_PERIOD, metric, k),
                                                 log (DRIFT_PERIOD_MIN_S),
                                                 log (DRIFT_PERIOD_MAX_S)));
      double phase = tw_feed_random_range (params->seed, patient, 0,
                                           draw_key (DRAW_DRIFT_PHASE, metric, k),
                                           0.0, 2.0 * G_PI);
      double amplitude = tw_feed_random_range (params->seed, patient, 0,
                                               draw_key (DRAW_DRIFT_AMPLITUDE, metric, k),
                                               DRIFT_AMPLITUDE_MIN, 1.0);

      sum += amplitude * models[metric].drift_amplitude
             * sin (2.0 * G_PI * elapsed_s / period + phase);
    }
  return sum;
}

/* Returns: how far into a deterioration episode the patient is at
 * @elapsed_s, from 0 (none) to 1 (full effect), and its window in @window */
static double
episode_severity (const TwFeedParams *params,
                  guint               patient,
                  double              elapsed_s,
                  guint64            *window)
{
  double duration;
  double onset;
  double ramp;
  double t;

  *window = (guint64) floor (elapsed_s / EPISODE_WINDOW_S);
  if (tw_feed_random_uniform (params->seed, patient, *window,
                              draw_key (DRAW_EPISODE_OCCURS, 0, 0)) >= EPISODE_PROBABILITY)
    return 0.0;

  duration = tw_feed_random_range (params->seed, patient, *window,
                                   draw_key (DRAW_EPISODE_DURATION, 0, 0),
                                   EPISODE_MIN_S, EPISODE_MAX_S);
  onset = tw_feed_random_range (params->seed, patient, *window,
                                draw_key (DRAW_EPISODE_ONSET, 0, 0),
                                0.0, EPISODE_WINDOW_S - duration);
  ramp = duration * EPISODE_RAMP_SHARE;
  t = elapsed_s - (double) *window * EPISODE_WINDOW_S - onset;

  if (t <= 0.0 || t >= duration)
    return 0.0;
  /* Raised-cosine ramps: physiology worsens and recovers smoothly. */
  if (t < ramp)
    return 0.5 - 0.5 * cos (G_PI * t / ramp);
  if (t > duration - ramp)
    return 0.5 - 0.5 * cos (G_PI * (duration - t) / ramp);
  return 1.0;
}

static int
round_clamped (double value,
               Metric metric)
{
  const MetricModel *model = &models[metric];
  double clamped = CLAMP (value, model->limit_low, model->limit_high);

  return (int) round (clamped * model->scale);
}

/**
 * tw_feed_physiology_compute:
 * @params: the feed's parameters
 * @seq: a sequence number (≥ 1)
 * @out: (out caller-allocates): the vitals of message @seq
 *
 * A pure function of @params and @seq.
 */
void
tw_feed_physiology_compute (const TwFeedParams *params,
                            guint64             seq,
                            TwFeedVitals       *out)
{
  guint patient;
  guint64 tick;
  guint64 window;
  double elapsed_s;
  double severity;
  int values[N_METRICS];

  g_return_if_fail (params != NULL && out != NULL && seq >= TW_FEED_FIRST_SEQ);

  patient = tw_feed_params_seq_patient (params, seq);
  tick = tw_feed_params_seq_tick (params, seq);
  elapsed_s = tw_feed_params_seq_elapsed (params, seq);
  severity = episode_severity (params, patient, elapsed_s, &window);

  for (Metric m = 0; m < N_METRICS; m++)
    {
      const MetricModel *model = &models[m];
      double value;

      value = tw_feed_random_range (params->seed, patient, 0, draw_key (DRAW_BASELINE, m, 0),
                                    model->baseline_low, model->baseline_high);
      value += drift (params, patient, m, elapsed_s);
      value += model->noise_sd * tw_feed_random_gaussian (params->seed, patient, tick,
                                                           draw_key (DRAW_NOISE, m, 0));
      if (severity > 0.0)
        value += severity * tw_feed_random_range (params->seed, patient, window,
                                                  draw_key (DRAW_EPISODE_SIZE, m, 0),
                                                  model->episode_low, model->episode_high);
      values[m] = round_clamped (value, m);
    }

  out->hr = values[METRIC_HR];
  out->rr = values[METRIC_RR];
  out->spo2 = values[METRIC_SPO2];
  out->sbp = values[METRIC_SBP];
  out->dbp = MIN (values[METRIC_DBP], values[METRIC_SBP] - MIN_PULSE_PRESSURE);
  out->temp_tenths = values[METRIC_TEMP];
  out->o2 = severity >= OXYGEN_SEVERITY ? 1 : 0;
  out->acvpu = severity >= CONFUSION_SEVERITY
               && tw_feed_random_uniform (params->seed, patient, window,
                                          draw_key (DRAW_EPISODE_CONFUSION, 0, 0))
                  < CONFUSION_SHARE ? 1 : 0;
}
