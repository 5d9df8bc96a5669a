#pragma once

#include <json-glib/json-glib.h>

#include "tw-feed-scenario.h"
#include "tw-metric.h"

G_BEGIN_DECLS

/* What each tick of an entity becomes on the wire. */
typedef enum
{
  TW_FEED_SCENARIO_VITALS,
  TW_FEED_SCENARIO_TICK,
  TW_FEED_SCENARIO_ORDER,
} TwFeedScenarioMessage;

/* More than any catalogue needs; checked when the file is read. */
#define TW_FEED_SCENARIO_MAX_METRICS 32

typedef struct
{
  char    *id;
  char    *kind;
  char    *name;
  char    *mrn;
  char    *location;
  char    *birth_date;  /* the chart (docs/scenarios.md): may be NULL */
  char    *sex;
  JsonNode *records;    /* array of record objects, checked at load; NULL: none */
  gboolean has[TW_FEED_SCENARIO_MAX_METRICS];
  double   baseline[TW_FEED_SCENARIO_MAX_METRICS];
  double   noise[TW_FEED_SCENARIO_MAX_METRICS];
} TwFeedScenarioEntity;

/* A linear change of one metric between two offsets, held afterwards; a
 * step when both offsets are equal. */
typedef struct
{
  int    entity;        /* index, or -1 for every entity */
  guint  metric;        /* index into the metric catalogue */
  double from_s;
  double to_s;
  double delta;         /* in the metric's unit */
  double percent;       /* of the baseline */
} TwFeedScenarioChange;

/* Rate profile point: the rate is multiplied by @factor at @at_s, linear
 * in between, constant after the last point. */
typedef struct
{
  double at_s;
  double factor;
} TwFeedScenarioRatePoint;

struct _TwFeedScenario
{
  char                  *path;
  char                  *name;
  TwFeedScenarioMessage  message;
  double                 interval_s;
  double                 duration_s;
  guint                  customers_per_store;
  GArray                *entities;     /* TwFeedScenarioEntity */
  GArray                *changes;      /* TwFeedScenarioChange */
  GArray                *rate_points;  /* TwFeedScenarioRatePoint, sorted */
};

G_END_DECLS
