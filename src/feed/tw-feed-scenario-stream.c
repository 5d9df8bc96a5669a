#include "tw-feed-scenario-private.h"

#include <math.h>

#include "tw-feed-message.h"
#include "tw-feed-random.h"
#include "tw-time.h"

/* Keys of the stateless random draws (tw-feed-random.h), apart from those
 * of the default stream's physiology. */
#define DRAW_SCENARIO_NOISE    G_GUINT64_CONSTANT (0x5ce0a1)
#define DRAW_SCENARIO_CUSTOMER G_GUINT64_CONSTANT (0x5ce0c5)

/* Longest value text: sign, digits, point, decimals. */
#define VALUE_TEXT_MAX G_ASCII_DTOSTR_BUF_SIZE

/* ---- time: ticks are spaced by interval_s / rate factor --------------- */

static const TwFeedScenarioRatePoint *
rate_point (const TwFeedScenario *self,
            guint                 i)
{
  return &g_array_index (self->rate_points, TwFeedScenarioRatePoint, i);
}

/* Ticks (fractional) elapsed in a segment of @length seconds whose rate
 * factor goes linearly from @f0 with slope @slope. */
static double
segment_ticks (double f0,
               double slope,
               double length,
               double interval_s)
{
  return (f0 * length + slope * length * length / 2) / interval_s;
}

/* The inverse of segment_ticks(): seconds into the segment at which
 * @ticks ticks have elapsed. */
static double
segment_seconds (double f0,
                 double slope,
                 double ticks,
                 double interval_s)
{
  double area = ticks * interval_s;

  if (fabs (slope) < 1e-15)
    return area / f0;
  return (-f0 + sqrt (f0 * f0 + 2 * slope * area)) / slope;
}

/* Returns: seconds from the start to tick @tick */
static double
tick_seconds (const TwFeedScenario *self,
              guint64               tick)
{
  double remaining = (double) tick;
  double at = 0.0;

  for (guint i = 0; i + 1 < self->rate_points->len; i++)
    {
      const TwFeedScenarioRatePoint *a = rate_point (self, i);
      const TwFeedScenarioRatePoint *b = rate_point (self, i + 1);
      double length = b->at_s - a->at_s;
      double slope = length > 0 ? (b->factor - a->factor) / length : 0;
      double ticks = segment_ticks (a->factor, slope, length, self->interval_s);

      if (remaining <= ticks)
        return a->at_s + segment_seconds (a->factor, slope, remaining, self->interval_s);
      remaining -= ticks;
      at = b->at_s;
    }
  return at + remaining * self->interval_s / rate_point (self, self->rate_points->len - 1)->factor;
}

static guint64
seq_tick (const TwFeedScenario *self,
          guint64               seq)
{
  return (seq - TW_FEED_FIRST_SEQ) / self->entities->len;
}

static guint
seq_entity (const TwFeedScenario *self,
            guint64               seq)
{
  return (guint) ((seq - TW_FEED_FIRST_SEQ) % self->entities->len);
}

/**
 * tw_feed_scenario_seq_time:
 * Returns: the event time of @seq, µs since the epoch; every entity of a
 *   tick shares it
 */
gint64
tw_feed_scenario_seq_time (const TwFeedScenario *self,
                           const TwFeedParams   *params,
                           guint64               seq)
{
  double offset = round (tick_seconds (self, seq_tick (self, seq)) * TW_USEC_PER_SEC);

  if (offset >= (double) (G_MAXINT64 - MAX (params->start_usec, 0)))
    return G_MAXINT64;
  return params->start_usec + (gint64) offset;
}

/* Returns: the last sequence number of the scenario: every entity's last
 * tick at or before duration_s */
guint64
tw_feed_scenario_get_count (const TwFeedScenario *self,
                            const TwFeedParams   *params)
{
  gint64 end = params->start_usec + (gint64) round (self->duration_s * TW_USEC_PER_SEC);
  guint64 n = self->entities->len;
  guint64 tick = (guint64) (self->duration_s / self->interval_s);

  /* Faster ticks never come later than the plain interval: walk on. */
  while (tw_feed_scenario_seq_time (self, params, (tick + 1) * n + 1) <= end)
    tick++;
  while (tick > 0 && tw_feed_scenario_seq_time (self, params, tick * n + 1) > end)
    tick--;
  return (tick + 1) * n;
}

/* ---- values ------------------------------------------------------------ */

static double
change_fraction (const TwFeedScenarioChange *change,
                 double                      t)
{
  if (t < change->from_s)
    return 0;
  if (t >= change->to_s)
    return 1;
  return (t - change->from_s) / (change->to_s - change->from_s);
}

/* The value of @metric of the entity of @seq, rounded to the catalogue's
 * decimals and kept inside its plausible range. */
static double
compute_value (const TwFeedScenario *self,
               const TwFeedParams   *params,
               guint64               seq,
               guint                 metric)
{
  guint e = seq_entity (self, seq);
  const TwFeedScenarioEntity *entity = &g_array_index (self->entities, TwFeedScenarioEntity, e);
  const TwMetricInfo *info = &tw_metric_get_all (NULL)[metric];
  double t = tick_seconds (self, seq_tick (self, seq));
  double relative = 0, absolute = 0;
  double scale = pow (10, info->digits);
  double value;

  for (guint i = 0; i < self->changes->len; i++)
    {
      const TwFeedScenarioChange *change = &g_array_index (self->changes,
                                                           TwFeedScenarioChange, i);
      double f;

      if (change->metric != metric || (change->entity >= 0 && (guint) change->entity != e))
        continue;
      f = change_fraction (change, t);
      absolute += change->delta * f;
      relative += change->percent / 100 * f;
    }
  value = entity->baseline[metric] * (1 + relative) + absolute
          + entity->noise[metric] * tw_feed_random_gaussian (params->seed, DRAW_SCENARIO_NOISE,
                                                             seq, metric);
  value = round (value * scale) / scale;
  return CLAMP (value, info->plausible_min, info->plausible_max);
}

static void
format_value (char   *buf,
              double  value,
              int     digits)
{
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", digits);
  g_ascii_formatd (buf, VALUE_TEXT_MAX, format, value);
}

/**
 * tw_feed_scenario_values:
 * @metrics: (out caller-allocates): catalogue codes
 * @texts: (out caller-allocates): the values as written in the message,
 *   to be freed
 * @max_values: room in @metrics and @texts
 *
 * The measurements of @seq in catalogue order, for writers of other
 * formats (HL7 v2): the same numbers as the JSON message.
 *
 * Returns: how many were written
 */
guint
tw_feed_scenario_values (const TwFeedScenario *self,
                         const TwFeedParams   *params,
                         guint64               seq,
                         const char          **metrics,
                         char                **texts,
                         guint                 max_values)
{
  const TwFeedScenarioEntity *entity =
    &g_array_index (self->entities, TwFeedScenarioEntity, seq_entity (self, seq));
  guint n_all;
  const TwMetricInfo *all = tw_metric_get_all (&n_all);
  guint n = 0;

  for (guint m = 0; m < n_all && n < max_values; m++)
    {
      char buf[VALUE_TEXT_MAX];

      if (!entity->has[m])
        continue;
      format_value (buf, compute_value (self, params, seq, m), all[m].digits);
      metrics[n] = all[m].code;
      texts[n] = g_strdup (buf);
      n++;
    }
  return n;
}

/* ---- messages ---------------------------------------------------------- */

static guint
metric_index (const char *code)
{
  guint n_all;
  const TwMetricInfo *all = tw_metric_get_all (&n_all);
  guint m;

  for (m = 0; m < n_all && !g_str_equal (all[m].code, code); m++)
    ;
  g_assert (m < n_all);
  return m;
}

static gboolean
entity_has (const TwFeedScenarioEntity *entity,
            const char                 *code)
{
  return entity->has[metric_index (code)];
}

static void
append_value (GString              *out,
              const char           *member,
              const TwFeedScenario *self,
              const TwFeedParams   *params,
              guint64               seq,
              const char           *metric)
{
  const TwMetricInfo *all = tw_metric_get_all (NULL);
  char buf[VALUE_TEXT_MAX];
  guint m = metric_index (metric);

  format_value (buf, compute_value (self, params, seq, m), all[m].digits);
  g_string_append_printf (out, ",\"%s\":%s", member, buf);
}

/**
 * tw_feed_scenario_message:
 * @seq: a sequence number (≥ 1)
 *
 * Returns: (transfer full): message @seq in native JSON: `vitals`, `tick`
 *   or `order`, as the scenario says
 */
char *
tw_feed_scenario_message (const TwFeedScenario *self,
                          const TwFeedParams   *params,
                          guint64               seq)
{
  guint e = seq_entity (self, seq);
  const TwFeedScenarioEntity *entity = &g_array_index (self->entities, TwFeedScenarioEntity, e);
  g_autofree char *ts = tw_time_format_iso8601 (tw_feed_scenario_seq_time (self, params, seq));
  GString *out = g_string_new (NULL);
  guint n_all;
  const TwMetricInfo *all = tw_metric_get_all (&n_all);
  guint64 customer;

  switch (self->message)
    {
    case TW_FEED_SCENARIO_VITALS:
      g_string_append_printf (out, "{\"v\":%d,\"type\":\"vitals\",\"seq\":%" G_GUINT64_FORMAT
                              ",\"ts\":\"%s\",\"patient\":\"%s\"",
                              TW_FEED_FORMAT_VERSION, seq, ts, entity->id);
      for (guint m = 0; m < n_all; m++)
        if (entity->has[m])
          append_value (out, all[m].code, self, params, seq, all[m].code);
      break;

    case TW_FEED_SCENARIO_TICK:
      g_string_append_printf (out, "{\"v\":%d,\"type\":\"tick\",\"seq\":%" G_GUINT64_FORMAT
                              ",\"ts\":\"%s\",\"symbol\":\"%s\"",
                              TW_FEED_FORMAT_VERSION, seq, ts, entity->id);
      append_value (out, "price", self, params, seq, "price");
      if (entity_has (entity, "volume"))
        append_value (out, "size", self, params, seq, "volume");
      break;

    case TW_FEED_SCENARIO_ORDER:
      /* Each store has its own customers, so one customer never orders
       * twice in the same instant (samples are keyed by time). */
      customer = e + self->entities->len
                 * (tw_feed_random_hash (params->seed, DRAW_SCENARIO_CUSTOMER, seq, 0)
                    % self->customers_per_store);
      g_string_append_printf (out, "{\"v\":%d,\"type\":\"order\",\"seq\":%" G_GUINT64_FORMAT
                              ",\"ts\":\"%s\",\"id\":\"O-%08" G_GUINT64_FORMAT "\","
                              "\"customer\":\"C%05" G_GUINT64_FORMAT "\",\"store\":\"%s\"",
                              TW_FEED_FORMAT_VERSION, seq, ts, seq, customer + 1, entity->id);
      append_value (out, "amount", self, params, seq, "order_amount");
      if (entity_has (entity, "basket_size"))
        append_value (out, "items", self, params, seq, "basket_size");
      break;

    default:
      g_assert_not_reached ();
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}
