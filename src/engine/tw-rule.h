#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "tw-alert.h"

G_BEGIN_DECLS

/* An alert rule: what to watch (kind and its parameters), for whom (scope)
 * and how loud (priority, latching, category). Rules are JSON documents
 * (docs/rules.md); a TwRule is the validated, immutable form, refcounted so
 * the engine thread, the store and the editor can share one.
 *
 * Durations in JSON are a number of seconds or a string with a unit
 * ("90s", "10m", "1h"); here they are microseconds. */

#define TW_RULE_ERROR (tw_rule_error_quark ())

/* Codes of the TW_RULE_ERROR domain. Tests assert these: never renumber. */
typedef enum
{
  TW_RULE_ERROR_PARSE,          /* not JSON, or not an object/array */
  TW_RULE_ERROR_MISSING,        /* a required field is absent */
  TW_RULE_ERROR_TYPE,           /* a field has the wrong JSON type */
  TW_RULE_ERROR_VALUE,          /* a field's value is out of range or unknown */
  TW_RULE_ERROR_UNKNOWN_KIND,   /* "kind" names no rule kind */
  TW_RULE_ERROR_DUPLICATE,      /* two rules of one pack share an id */
  TW_RULE_ERROR_IO,             /* the pack file could not be read */
} TwRuleError;

typedef enum
{
  TW_RULE_THRESHOLD,            /* "threshold": value beyond a limit */
  TW_RULE_RELATIVE_CHANGE,      /* "relative_change": latest vs earliest in window, % */
  TW_RULE_RATE_OF_CHANGE,       /* "rate_of_change": units per minute over a window */
  TW_RULE_STALE,                /* "stale": no sample for a while (technical) */
  TW_RULE_SCORE_BAND,           /* "score_band": a registered score ≥ a band */
  TW_RULE_PREDICTED,            /* "predicted": a forecast crosses a limit soon */
  TW_RULE_SPREAD,               /* "spread": A − B changes by more than X % in a window */
  TW_RULE_REFERENCE,            /* "reference": count/sum per tumbling window vs a table */
  TW_RULE_BALANCE,              /* "balance": running sum per entity beyond a limit */
} TwRuleKind;

#define TW_RULE_N_KINDS (TW_RULE_BALANCE + 1)

/* How a value is compared with the limit. "above"/"below" are strict: an
 * "above 130" rule does not raise at exactly 130 (docs/rules.md). */
typedef enum
{
  TW_RULE_ABOVE,                /* value >  limit */
  TW_RULE_AT_OR_ABOVE,          /* value >= limit */
  TW_RULE_BELOW,                /* value <  limit */
  TW_RULE_AT_OR_BELOW,          /* value <= limit */
  TW_RULE_EITHER,               /* |value| >= limit (spread, reference) */
} TwRuleDirection;

typedef enum
{
  TW_RULE_SCOPE_ALL,
  TW_RULE_SCOPE_GROUP,          /* scope_value: a group (ward, tier, portfolio) */
  TW_RULE_SCOPE_ENTITY,         /* scope_value: one entity key */
} TwRuleScope;

typedef enum
{
  TW_RULE_AGGREGATE_COUNT,
  TW_RULE_AGGREGATE_SUM,
} TwRuleAggregate;

/* Hours in a reference table: expected value per window by hour of day. */
#define TW_RULE_REFERENCE_HOURS 24

/* Defaults applied when the JSON leaves a field out. */
#define TW_RULE_DEFAULT_LATENESS_US ((gint64) 10 * G_USEC_PER_SEC)
#define TW_RULE_DEFAULT_FORECASTER  "linear"

/* Read-only for callers. Fields that a kind does not use are 0 / NULL. */
typedef struct
{
  char             *id;              /* unique, [a-z0-9._-], ≤ 64 chars */
  char             *name;            /* human name; the id when absent */
  char             *pack;            /* pack it came from, or NULL */
  TwRuleKind        kind;
  TwAlertPriority   priority;        /* default medium */
  TwAlertCategory   category;        /* default technical for stale, else physiological */
  gboolean          latching;        /* default FALSE */
  gboolean          enabled;         /* default TRUE */
  TwRuleScope       scope;
  char             *scope_value;     /* group or entity; NULL for ALL */
  char             *message;         /* template; NULL: a default per kind */

  /* The watched series. NULL for score_band; for stale NULL means any. */
  char             *metric;

  /* The compared quantity (value, % change, units/min, score, sum). */
  TwRuleDirection   direction;
  double            limit;
  double            hysteresis;      /* ≥ 0: clears only this far back inside */
  gint64            min_duration_us; /* "for": condition must hold this long */

  gint64            window_us;       /* relative, rate, predicted, spread, reference */
  gint64            lateness_us;     /* out-of-order samples within this are used */

  gint64            stale_us;        /* stale: "after" */

  char             *score;           /* score_band: registered score name */

  char             *forecaster;      /* predicted: registered forecaster */
  gint64            horizon_us;      /* predicted: "within" */

  char             *metric_b;        /* spread: second series' metric (NULL: metric) */
  char             *entity_b;        /* spread: second series' entity (NULL: same) */

  TwRuleAggregate   aggregate;       /* reference */
  double            reference[TW_RULE_REFERENCE_HOURS]; /* expected per window */
  int               utc_offset_min;  /* reference: local hour = UTC + offset */

  double            initial;         /* balance: starting value */
  double            scale;           /* balance: each sample adds value × scale */

  /*< private >*/
  gint              ref_count;
} TwRule;

GQuark        tw_rule_error_quark     (void);

TwRule       *tw_rule_ref             (TwRule        *rule);
void          tw_rule_unref           (TwRule        *rule);

/* Validates and builds a rule from a JSON object. Errors name the rule and
 * the field, say what is wrong and show a valid example. */
TwRule       *tw_rule_from_json       (JsonNode      *node,
                                       GError       **error);
TwRule       *tw_rule_from_data       (const char    *json,
                                       gssize         len,
                                       GError       **error);
/* A pack file: a JSON array of rules or {"pack": name, "rules": [...]}.
 * Returns element-type TwRule (transfer full, free func set). The error
 * names the rule's index and id. Ids must be unique within the pack. */
GPtrArray    *tw_rule_pack_load       (const char    *path,
                                       GError       **error);
GPtrArray    *tw_rule_pack_from_data  (const char    *json,
                                       gssize         len,
                                       const char    *origin,
                                       GError       **error);

/* The rule as a JSON object; tw_rule_from_data() of it gives an equal
 * rule. tw_rule_to_json_node() is the same as a node (transfer full). */
char         *tw_rule_to_json         (const TwRule  *rule);
JsonNode     *tw_rule_to_json_node    (const TwRule  *rule);
/* Same definition (every field, enabled included). */
gboolean      tw_rule_equal           (const TwRule  *a,
                                       const TwRule  *b);
/* A copy with @enabled changed (rules are immutable once shared). */
TwRule       *tw_rule_copy_with_enabled (const TwRule *rule,
                                         gboolean      enabled);

/* Whether @entity_key (in @group, nullable) is in the rule's scope. */
gboolean      tw_rule_applies_to      (const TwRule  *rule,
                                       const char    *entity_key,
                                       const char    *group);

const char   *tw_rule_kind_to_string      (TwRuleKind       kind);
gboolean      tw_rule_kind_from_string    (const char      *text,
                                           TwRuleKind      *out_kind);
const char   *tw_rule_direction_to_string (TwRuleDirection  direction);
const char   *tw_rule_scope_to_string     (TwRuleScope      scope);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwRule, tw_rule_unref)

G_END_DECLS
