#include "config.h"

#include "tw-time-range.h"

/*
 * TwTimeRange: the visible time span that every chart of one patient view
 * binds to, so zooming or panning one chart moves them all. "live" means
 * the range follows the newest data (its end is "now"); panning leaves
 * live, Home (tw_time_range_set_live) goes back to it with the same span.
 *
 * Properties notify for each change; the "changed" signal fires once per
 * change of from/to, which is what charts redraw on.
 */

struct _TwTimeRange
{
  GObject  parent_instance;

  gint64   from;
  gint64   to;
  gboolean live;
};

G_DEFINE_FINAL_TYPE (TwTimeRange, tw_time_range, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FROM,
  PROP_TO,
  PROP_LIVE,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
tw_time_range_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TwTimeRange *self = TW_TIME_RANGE (object);

  switch (prop_id)
    {
    case PROP_FROM:
      g_value_set_int64 (value, self->from);
      break;
    case PROP_TO:
      g_value_set_int64 (value, self->to);
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_time_range_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TwTimeRange *self = TW_TIME_RANGE (object);

  switch (prop_id)
    {
    case PROP_FROM:
      tw_time_range_set (self, g_value_get_int64 (value), self->to);
      break;
    case PROP_TO:
      tw_time_range_set (self, self->from, g_value_get_int64 (value));
      break;
    case PROP_LIVE:
      tw_time_range_set_live (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_time_range_class_init (TwTimeRangeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = tw_time_range_get_property;
  object_class->set_property = tw_time_range_set_property;

  properties[PROP_FROM] =
    g_param_spec_int64 ("from", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TO] =
    g_param_spec_int64 ("to", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TwTimeRange::changed:
   *
   * From or to changed (once for both).
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tw_time_range_init (TwTimeRange *self)
{
  self->live = TRUE;
}

TwTimeRange *
tw_time_range_new (void)
{
  return g_object_new (TW_TYPE_TIME_RANGE, NULL);
}

gint64
tw_time_range_get_from (TwTimeRange *self)
{
  g_return_val_if_fail (TW_IS_TIME_RANGE (self), 0);

  return self->from;
}

gint64
tw_time_range_get_to (TwTimeRange *self)
{
  g_return_val_if_fail (TW_IS_TIME_RANGE (self), 0);

  return self->to;
}

gint64
tw_time_range_get_span (TwTimeRange *self)
{
  g_return_val_if_fail (TW_IS_TIME_RANGE (self), 0);

  return self->to - self->from;
}

gboolean
tw_time_range_get_live (TwTimeRange *self)
{
  g_return_val_if_fail (TW_IS_TIME_RANGE (self), FALSE);

  return self->live;
}

/**
 * tw_time_range_set:
 * @self: a range
 * @from: start, µs UTC
 * @to: end, µs UTC; a span outside the zoom limits is clamped around the
 *   middle (an empty range stays empty: "not set yet")
 *
 * Moves the range without touching live.
 */
void
tw_time_range_set (TwTimeRange *self,
                   gint64       from,
                   gint64       to)
{
  g_return_if_fail (TW_IS_TIME_RANGE (self));

  if (to > from && (to - from < TW_TIME_RANGE_MIN_SPAN_US || to - from > TW_TIME_RANGE_MAX_SPAN_US))
    {
      gint64 middle = from + (to - from) / 2;
      gint64 span = CLAMP (to - from, TW_TIME_RANGE_MIN_SPAN_US, TW_TIME_RANGE_MAX_SPAN_US);

      from = middle - span / 2;
      to = from + span;
    }

  if (self->from == from && self->to == to)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->from != from)
    {
      self->from = from;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FROM]);
    }
  if (self->to != to)
    {
      self->to = to;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TO]);
    }
  g_object_thaw_notify (G_OBJECT (self));

  g_signal_emit (self, signals[CHANGED], 0);
}

void
tw_time_range_set_live (TwTimeRange *self,
                        gboolean     live)
{
  g_return_if_fail (TW_IS_TIME_RANGE (self));

  live = !!live;
  if (self->live == live)
    return;

  self->live = live;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

/**
 * tw_time_range_follow:
 * @self: a range
 * @now: the newest time to show, µs UTC
 *
 * While live, moves the range to end at @now keeping its span; does
 * nothing otherwise.
 */
void
tw_time_range_follow (TwTimeRange *self,
                      gint64       now)
{
  g_return_if_fail (TW_IS_TIME_RANGE (self));

  if (!self->live)
    return;

  tw_time_range_set (self, now - (self->to - self->from), now);
}

/**
 * tw_time_range_zoom:
 * @self: a range
 * @factor: the new span over the old (< 1 zooms in)
 * @anchor: the time that stays where it is on screen (the pointer's); a
 *   live range keeps its end instead, so it stays live
 */
void
tw_time_range_zoom (TwTimeRange *self,
                    double       factor,
                    gint64       anchor)
{
  gint64 span;
  gint64 new_span;
  double anchor_share;

  g_return_if_fail (TW_IS_TIME_RANGE (self));
  g_return_if_fail (factor > 0);

  span = self->to - self->from;
  if (span <= 0)
    return;

  new_span = CLAMP ((gint64) (span * factor), TW_TIME_RANGE_MIN_SPAN_US,
                    TW_TIME_RANGE_MAX_SPAN_US);
  if (self->live)
    {
      tw_time_range_set (self, self->to - new_span, self->to);
      return;
    }

  anchor = CLAMP (anchor, self->from, self->to);
  anchor_share = (double) (anchor - self->from) / span;
  tw_time_range_set (self, anchor - (gint64) (anchor_share * new_span),
                     anchor - (gint64) (anchor_share * new_span) + new_span);
}

/**
 * tw_time_range_pan:
 * @self: a range
 * @delta_us: how far to move, later when positive
 *
 * Panning leaves live: the user is looking at a moment, which must not
 * slide away under them.
 */
void
tw_time_range_pan (TwTimeRange *self,
                   gint64       delta_us)
{
  g_return_if_fail (TW_IS_TIME_RANGE (self));

  if (delta_us == 0)
    return;

  tw_time_range_set_live (self, FALSE);
  tw_time_range_set (self, self->from + delta_us, self->to + delta_us);
}
