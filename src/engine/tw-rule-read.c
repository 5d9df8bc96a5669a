#include "tw-rule-private.h"

#include <math.h>
#include <string.h>

#include "tw-metric.h"

/* Reading and validating rules and packs (docs/rules.md). Every error names
 * the rule and the field, says what is wrong and shows a valid example. */

/* Longest rule id: it ends up in alert keys, logs and file names. */
#define TW_RULE_ID_MAX 64
/* Largest UTC offset of any time zone (UTC+14), in minutes. */
#define TW_RULE_UTC_OFFSET_MAX (14 * 60)

/* Fields each kind accepts besides the common ones; anything else is a
 * typo the author wants to hear about. */
static const char * const common_fields[] = {
  "id", "name", "pack", "kind", "priority", "category", "latching", "enabled",
  "scope", "message", "lateness", NULL
};

/* Most fields a kind has, plus the NULL that ends its list. */
#define MAX_KIND_FIELDS 8

static const char * const kind_fields[TW_RULE_N_KINDS][MAX_KIND_FIELDS + 1] = {
  [TW_RULE_THRESHOLD] = { "metric", "direction", "limit", "hysteresis", "for", NULL },
  [TW_RULE_RELATIVE_CHANGE] = { "metric", "direction", "percent", "window", "hysteresis", "for", NULL },
  [TW_RULE_RATE_OF_CHANGE] = { "metric", "direction", "per_minute", "window", "hysteresis", "for", NULL },
  [TW_RULE_STALE] = { "metric", "after", NULL },
  [TW_RULE_SCORE_BAND] = { "score", "min", "hysteresis", "for", NULL },
  [TW_RULE_PREDICTED] = { "metric", "direction", "limit", "within", "window", "forecaster", "for", NULL },
  [TW_RULE_SPREAD] = { "metric", "metric_b", "entity_b", "direction", "percent", "window", "for", NULL },
  [TW_RULE_REFERENCE] = { "metric", "aggregate", "window", "expected", "tolerance_percent", "direction", "utc_offset_minutes", NULL },
  [TW_RULE_BALANCE] = { "metric", "direction", "limit", "hysteresis", "initial", "scale", "for", NULL },
};

/* A valid example for each field, quoted in error messages. */
static const struct
{
  const char *field;
  const char *example;
} field_examples[] = {
  { "id", "\"id\": \"hr-high\"" },
  { "name", "\"name\": \"Heart rate high\"" },
  { "pack", "\"pack\": \"vital-signs\"" },
  { "kind", "\"kind\": \"threshold\"" },
  { "priority", "\"priority\": \"high\" (low, medium or high)" },
  { "category", "\"category\": \"technical\" (physiological or technical)" },
  { "latching", "\"latching\": true" },
  { "enabled", "\"enabled\": false" },
  { "scope", "\"scope\": \"all\", {\"group\": \"ICU\"} or {\"entity\": \"P0001\"}" },
  { "message", "\"message\": \"{entity}: heart rate {value} above {limit}\"" },
  { "lateness", "\"lateness\": \"10s\"" },
  { "metric", "\"metric\": \"hr\"" },
  { "direction", "\"direction\": \"above\"" },
  { "limit", "\"limit\": 130" },
  { "hysteresis", "\"hysteresis\": 5" },
  { "for", "\"for\": \"30s\"" },
  { "percent", "\"percent\": 20" },
  { "per_minute", "\"per_minute\": 2.5" },
  { "window", "\"window\": \"10m\"" },
  { "after", "\"after\": \"5m\"" },
  { "score", "\"score\": \"news2\"" },
  { "min", "\"min\": 5" },
  { "within", "\"within\": \"20m\"" },
  { "forecaster", "\"forecaster\": \"linear\"" },
  { "metric_b", "\"metric_b\": \"dbp\"" },
  { "entity_b", "\"entity_b\": \"ACME\"" },
  { "aggregate", "\"aggregate\": \"count\" (count or sum)" },
  { "expected", "\"expected\": [12, 10, ...] (24 numbers, one per hour of day) or 12" },
  { "tolerance_percent", "\"tolerance_percent\": 50" },
  { "utc_offset_minutes", "\"utc_offset_minutes\": 60" },
  { "initial", "\"initial\": 1000" },
  { "scale", "\"scale\": -1" },
};

static const char *
example_for (const char *field)
{
  for (gsize i = 0; i < G_N_ELEMENTS (field_examples); i++)
    if (strcmp (field_examples[i].field, field) == 0)
      return field_examples[i].example;
  return NULL;
}

/* Sets "rule ‘ID’: ‘FIELD’ PROBLEM, e.g. EXAMPLE". */
G_GNUC_PRINTF (5, 6)
static void
field_error (GError    **error,
             TwRuleError code,
             const char *id,
             const char *field,
             const char *format,
             ...)
{
  g_autofree char *problem = NULL;
  const char *example = example_for (field);
  va_list args;

  va_start (args, format);
  problem = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, TW_RULE_ERROR, code, "rule \u2018%s\u2019: \u2018%s\u2019 %s%s%s",
               id != NULL ? id : "?", field, problem,
               example != NULL ? ", e.g. " : "", example != NULL ? example : "");
}

/* ---- reading ---------------------------------------------------------- */

typedef struct
{
  JsonObject *object;
  const char *id;
  GError    **error;
} Reader;

static JsonNode *
member (Reader     *r,
        const char *field)
{
  return json_object_get_member (r->object, field);
}

static gboolean
read_string (Reader      *r,
             const char  *field,
             gboolean     required,
             char       **out)
{
  JsonNode *node = member (r, field);

  if (node == NULL)
    {
      if (required)
        {
          field_error (r->error, TW_RULE_ERROR_MISSING, r->id, field, "is missing");
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      *json_node_get_string (node) == '\0')
    {
      field_error (r->error, TW_RULE_ERROR_TYPE, r->id, field, "must be a non-empty string");
      return FALSE;
    }
  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static gboolean
read_number (Reader     *r,
             const char *field,
             gboolean    required,
             double     *out)
{
  JsonNode *node = member (r, field);

  if (node == NULL)
    {
      if (required)
        {
          field_error (r->error, TW_RULE_ERROR_MISSING, r->id, field, "is missing");
          return FALSE;
        }
      return TRUE;
    }
  if (!node_is_number (node))
    {
      field_error (r->error, TW_RULE_ERROR_TYPE, r->id, field, "must be a number");
      return FALSE;
    }
  *out = json_node_get_double (node);
  if (!isfinite (*out))
    {
      field_error (r->error, TW_RULE_ERROR_VALUE, r->id, field, "must be a finite number");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_positive (Reader     *r,
               const char *field,
               double     *out)
{
  if (!read_number (r, field, TRUE, out))
    return FALSE;
  if (*out <= 0)
    {
      field_error (r->error, TW_RULE_ERROR_VALUE, r->id, field,
                   "must be greater than 0 (the direction says which way)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_boolean (Reader     *r,
              const char *field,
              gboolean   *out)
{
  JsonNode *node = member (r, field);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      field_error (r->error, TW_RULE_ERROR_TYPE, r->id, field, "must be true or false");
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* "90s", "10m", "1.5h", "2d", "500ms" or a number of seconds. */
static gboolean
parse_duration (const char *text,
                gint64     *out_us)
{
  static const struct
  {
    const char *suffix;
    double      us;
  } units[] = {
    { "ms", 1e3 }, { "s", 1e6 }, { "m", 60e6 }, { "h", 3600e6 }, { "d", 86400e6 },
  };
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (end == text || !isfinite (value) || value < 0)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (strcmp (end, units[i].suffix) == 0)
      {
        *out_us = (gint64) llround (value * units[i].us);
        return TRUE;
      }
  return FALSE;
}

static gboolean
read_duration (Reader     *r,
               const char *field,
               gboolean    required,
               gboolean    positive,
               gint64     *out_us)
{
  JsonNode *node = member (r, field);
  gint64 us = 0;

  if (node == NULL)
    {
      if (required)
        {
          field_error (r->error, TW_RULE_ERROR_MISSING, r->id, field, "is missing");
          return FALSE;
        }
      return TRUE;
    }
  if (node_is_number (node))
    {
      double seconds = json_node_get_double (node);

      if (!isfinite (seconds) || seconds < 0)
        {
          field_error (r->error, TW_RULE_ERROR_VALUE, r->id, field,
                       "must be a duration of 0 or more");
          return FALSE;
        }
      us = (gint64) llround (seconds * G_USEC_PER_SEC);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      if (!parse_duration (json_node_get_string (node), &us))
        {
          field_error (r->error, TW_RULE_ERROR_VALUE, r->id, field,
                       "is not a duration (seconds, or a number with ms, s, m, h or d)");
          return FALSE;
        }
    }
  else
    {
      field_error (r->error, TW_RULE_ERROR_TYPE, r->id, field,
                   "must be a duration (seconds, or a string with a unit)");
      return FALSE;
    }
  if (positive && us <= 0)
    {
      field_error (r->error, TW_RULE_ERROR_VALUE, r->id, field, "must be longer than 0");
      return FALSE;
    }
  *out_us = us;
  return TRUE;
}

/* Reads a string field that must be one of @names (NULL-terminated);
 * *out_index is left alone when the field is absent and not required. */
static gboolean
read_choice (Reader            *r,
             const char        *field,
             gboolean           required,
             const char * const names[],
             int               *out_index)
{
  g_autofree char *text = NULL;
  g_autofree char *joined = NULL;

  if (!read_string (r, field, required, &text))
    return FALSE;
  if (text == NULL)
    return TRUE;
  for (int i = 0; names[i] != NULL; i++)
    if (strcmp (text, names[i]) == 0)
      {
        *out_index = i;
        return TRUE;
      }
  joined = g_strjoinv (", ", (char **) names);
  field_error (r->error, TW_RULE_ERROR_VALUE, r->id, field,
               "is \u2018%s\u2019; use one of: %s", text, joined);
  return FALSE;
}

/* A metric must be a catalogue code: sources deliver nothing else, so a
 * rule on "heart_rate" would wait for ever. */
static gboolean
read_metric (Reader     *r,
             const char *field,
             gboolean    required,
             char      **out)
{
  const TwMetricInfo *all;
  g_autoptr(GString) codes = NULL;
  guint n = 0;

  if (!read_string (r, field, required, out))
    return FALSE;
  if (*out == NULL || tw_metric_lookup (*out) != NULL)
    return TRUE;

  all = tw_metric_get_all (&n);
  codes = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (codes, "%s%s", i > 0 ? ", " : "", all[i].code);
  field_error (r->error, TW_RULE_ERROR_VALUE, r->id, field,
               "\u2018%s\u2019 is not a metric of the catalogue; use one of: %s",
               *out, codes->str);
  return FALSE;
}

static gboolean
id_is_valid (const char *id)
{
  gsize len = strlen (id);

  if (len == 0 || len > TW_RULE_ID_MAX)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
field_allowed (TwRuleKind  kind,
               const char *field)
{
  for (int i = 0; common_fields[i] != NULL; i++)
    if (strcmp (common_fields[i], field) == 0)
      return TRUE;
  for (int i = 0; kind_fields[kind][i] != NULL; i++)
    if (strcmp (kind_fields[kind][i], field) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
read_scope (Reader *r,
            TwRule *rule)
{
  JsonNode *node = member (r, "scope");
  JsonObject *object;
  const char *which;
  JsonNode *value;

  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
      strcmp (json_node_get_string (node), "all") == 0)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node) || json_object_get_size (json_node_get_object (node)) != 1)
    {
      field_error (r->error, TW_RULE_ERROR_TYPE, r->id, "scope",
                   "must be \"all\" or an object with one member");
      return FALSE;
    }
  object = json_node_get_object (node);
  which = json_object_has_member (object, "group") ? "group" : "entity";
  value = json_object_get_member (object, which);
  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
      json_node_get_value_type (value) != G_TYPE_STRING ||
      *json_node_get_string (value) == '\0')
    {
      field_error (r->error, TW_RULE_ERROR_VALUE, r->id, "scope",
                   "must name a group or an entity");
      return FALSE;
    }
  rule->scope = strcmp (which, "group") == 0 ? TW_RULE_SCOPE_GROUP : TW_RULE_SCOPE_ENTITY;
  rule->scope_value = g_strdup (json_node_get_string (value));
  return TRUE;
}

static const char * const level_directions[] = {
  "above", "at_or_above", "below", "at_or_below", NULL
};
static const char * const change_directions[] = { "up", "down", NULL };
static const char * const band_directions[] = { "up", "down", "either", NULL };
static const char * const reference_directions[] = { "above", "below", "either", NULL };

/* A change kind's "up X" / "down X" as the compared limit. */
static void
set_change (TwRule *rule,
            int     choice,
            double  magnitude)
{
  switch (choice)
    {
    case 0:
      rule->direction = TW_RULE_AT_OR_ABOVE;
      rule->limit = magnitude;
      break;
    case 1:
      rule->direction = TW_RULE_AT_OR_BELOW;
      rule->limit = -magnitude;
      break;
    default:
      rule->direction = TW_RULE_EITHER;
      rule->limit = magnitude;
      break;
    }
}

static gboolean
read_level (Reader *r,
            TwRule *rule)
{
  int choice = -1;

  if (!read_choice (r, "direction", TRUE, level_directions, &choice) ||
      !read_number (r, "limit", TRUE, &rule->limit))
    return FALSE;
  rule->direction = (TwRuleDirection) choice;
  return TRUE;
}

static gboolean
read_hysteresis (Reader *r,
                 TwRule *rule)
{
  if (!read_number (r, "hysteresis", FALSE, &rule->hysteresis))
    return FALSE;
  if (rule->hysteresis < 0)
    {
      field_error (r->error, TW_RULE_ERROR_VALUE, r->id, "hysteresis", "must be 0 or more");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_expected (Reader *r,
               TwRule *rule)
{
  JsonNode *node = member (r, "expected");
  JsonArray *array;

  if (node == NULL)
    {
      field_error (r->error, TW_RULE_ERROR_MISSING, r->id, "expected", "is missing");
      return FALSE;
    }
  if (node_is_number (node))
    {
      double value = json_node_get_double (node);

      for (int h = 0; h < TW_RULE_REFERENCE_HOURS; h++)
        rule->reference[h] = value;
    }
  else if (JSON_NODE_HOLDS_ARRAY (node) &&
           json_array_get_length (json_node_get_array (node)) == TW_RULE_REFERENCE_HOURS)
    {
      array = json_node_get_array (node);
      for (int h = 0; h < TW_RULE_REFERENCE_HOURS; h++)
        {
          JsonNode *element = json_array_get_element (array, h);

          if (!node_is_number (element))
            {
              field_error (r->error, TW_RULE_ERROR_TYPE, r->id, "expected",
                           "hour %d is not a number", h);
              return FALSE;
            }
          rule->reference[h] = json_node_get_double (element);
        }
    }
  else
    {
      field_error (r->error, TW_RULE_ERROR_TYPE, r->id, "expected",
                   "must be a number or an array of %d numbers", TW_RULE_REFERENCE_HOURS);
      return FALSE;
    }
  for (int h = 0; h < TW_RULE_REFERENCE_HOURS; h++)
    if (!isfinite (rule->reference[h]) || rule->reference[h] < 0)
      {
        field_error (r->error, TW_RULE_ERROR_VALUE, r->id, "expected",
                     "hour %d must be 0 or more", h);
        return FALSE;
      }
  return TRUE;
}

static gboolean
read_kind_fields (Reader *r,
                  TwRule *rule)
{
  int choice = -1;
  double magnitude = 0;

  switch (rule->kind)
    {
    case TW_RULE_THRESHOLD:
      return read_metric (r, "metric", TRUE, &rule->metric) &&
             read_level (r, rule) && read_hysteresis (r, rule) &&
             read_duration (r, "for", FALSE, FALSE, &rule->min_duration_us);

    case TW_RULE_RELATIVE_CHANGE:
    case TW_RULE_RATE_OF_CHANGE:
      {
        const char *field = rule->kind == TW_RULE_RELATIVE_CHANGE ? "percent" : "per_minute";

        if (!read_metric (r, "metric", TRUE, &rule->metric) ||
            !read_choice (r, "direction", TRUE, change_directions, &choice) ||
            !read_positive (r, field, &magnitude) ||
            !read_duration (r, "window", TRUE, TRUE, &rule->window_us) ||
            !read_hysteresis (r, rule) ||
            !read_duration (r, "for", FALSE, FALSE, &rule->min_duration_us))
          return FALSE;
        set_change (rule, choice, magnitude);
        return TRUE;
      }

    case TW_RULE_STALE:
      return read_metric (r, "metric", FALSE, &rule->metric) &&
             read_duration (r, "after", TRUE, TRUE, &rule->stale_us);

    case TW_RULE_SCORE_BAND:
      rule->direction = TW_RULE_AT_OR_ABOVE;
      return read_string (r, "score", TRUE, &rule->score) &&
             read_number (r, "min", TRUE, &rule->limit) &&
             read_hysteresis (r, rule) &&
             read_duration (r, "for", FALSE, FALSE, &rule->min_duration_us);

    case TW_RULE_PREDICTED:
      rule->forecaster = g_strdup (TW_RULE_DEFAULT_FORECASTER);
      return read_metric (r, "metric", TRUE, &rule->metric) &&
             read_level (r, rule) &&
             read_duration (r, "within", TRUE, TRUE, &rule->horizon_us) &&
             read_duration (r, "window", TRUE, TRUE, &rule->window_us) &&
             read_string (r, "forecaster", FALSE, &rule->forecaster) &&
             read_duration (r, "for", FALSE, FALSE, &rule->min_duration_us);

    case TW_RULE_SPREAD:
      choice = 2;
      if (!read_metric (r, "metric", TRUE, &rule->metric) ||
          !read_metric (r, "metric_b", FALSE, &rule->metric_b) ||
          !read_string (r, "entity_b", FALSE, &rule->entity_b) ||
          !read_choice (r, "direction", FALSE, band_directions, &choice) ||
          !read_positive (r, "percent", &magnitude) ||
          !read_duration (r, "window", TRUE, TRUE, &rule->window_us) ||
          !read_duration (r, "for", FALSE, FALSE, &rule->min_duration_us))
        return FALSE;
      if (rule->metric_b == NULL && rule->entity_b == NULL)
        {
          field_error (r->error, TW_RULE_ERROR_MISSING, r->id, "metric_b",
                       "or \u2018entity_b\u2019 must name the second series");
          return FALSE;
        }
      set_change (rule, choice, magnitude);
      return TRUE;

    case TW_RULE_REFERENCE:
      {
        static const char * const aggregates[] = { "count", "sum", NULL };
        int aggregate = TW_RULE_AGGREGATE_COUNT;
        double offset = 0;

        choice = 1;
        if (!read_metric (r, "metric", TRUE, &rule->metric) ||
            !read_choice (r, "aggregate", FALSE, aggregates, &aggregate) ||
            !read_duration (r, "window", TRUE, TRUE, &rule->window_us) ||
            !read_expected (r, rule) ||
            !read_positive (r, "tolerance_percent", &magnitude) ||
            !read_choice (r, "direction", FALSE, reference_directions, &choice) ||
            !read_number (r, "utc_offset_minutes", FALSE, &offset))
          return FALSE;
        if (offset != floor (offset) || fabs (offset) > TW_RULE_UTC_OFFSET_MAX)
          {
            field_error (r->error, TW_RULE_ERROR_VALUE, r->id, "utc_offset_minutes",
                         "must be whole minutes between -%d and %d",
                         TW_RULE_UTC_OFFSET_MAX, TW_RULE_UTC_OFFSET_MAX);
            return FALSE;
          }
        rule->aggregate = aggregate;
        rule->utc_offset_min = (int) offset;
        /* above → up, below → down, either → either */
        set_change (rule, choice == 0 ? 0 : choice == 1 ? 1 : 2, magnitude);
        return TRUE;
      }

    case TW_RULE_BALANCE:
      if (!read_metric (r, "metric", TRUE, &rule->metric) ||
          !read_level (r, rule) || !read_hysteresis (r, rule) ||
          !read_number (r, "initial", FALSE, &rule->initial) ||
          !read_number (r, "scale", FALSE, &rule->scale) ||
          !read_duration (r, "for", FALSE, FALSE, &rule->min_duration_us))
        return FALSE;
      if (rule->scale == 0)
        {
          field_error (r->error, TW_RULE_ERROR_VALUE, r->id, "scale", "must not be 0");
          return FALSE;
        }
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

TwRule *
tw_rule_from_json (JsonNode  *node,
                   GError   **error)
{
  g_autoptr(TwRule) rule = tw_rule_alloc ();
  g_autofree char *kind = NULL;
  g_autoptr(GList) names = NULL;
  static const char * const priorities[] = { "low", "medium", "high", NULL };
  static const char * const categories[] = { "physiological", "technical", NULL };
  int priority = TW_ALERT_PRIORITY_MEDIUM;
  int category = -1;
  Reader r = { .error = error };

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, TW_RULE_ERROR, TW_RULE_ERROR_PARSE,
                           "a rule must be a JSON object, e.g. {\"id\": \"hr-high\", "
                           "\"kind\": \"threshold\", ...}");
      return NULL;
    }
  r.object = json_node_get_object (node);

  if (!read_string (&r, "id", TRUE, &rule->id))
    return NULL;
  if (!id_is_valid (rule->id))
    {
      field_error (error, TW_RULE_ERROR_VALUE, NULL, "id",
                   "\u2018%s\u2019 must be 1 to %d letters, digits, \u2018.\u2019, "
                   "\u2018_\u2019 or \u2018-\u2019", rule->id, TW_RULE_ID_MAX);
      return NULL;
    }
  r.id = rule->id;

  if (!read_string (&r, "kind", TRUE, &kind))
    return NULL;
  if (!tw_rule_kind_from_string (kind, &rule->kind))
    {
      g_autofree char *joined = g_strjoinv (", ", (char **) tw_rule_kind_names);

      g_set_error (error, TW_RULE_ERROR, TW_RULE_ERROR_UNKNOWN_KIND,
                   "rule \u2018%s\u2019: kind \u2018%s\u2019 is unknown; use one of: %s",
                   rule->id, kind, joined);
      return NULL;
    }

  names = json_object_get_members (r.object);
  for (GList *l = names; l != NULL; l = l->next)
    if (!field_allowed (rule->kind, l->data))
      {
        g_set_error (error, TW_RULE_ERROR, TW_RULE_ERROR_VALUE,
                     "rule \u2018%s\u2019: \u2018%s\u2019 is not a field of a %s rule "
                     "(misspelt?); see docs/rules.md", rule->id,
                     (const char *) l->data, kind);
        return NULL;
      }

  if (!read_string (&r, "name", FALSE, &rule->name) ||
      !read_string (&r, "pack", FALSE, &rule->pack) ||
      !read_choice (&r, "priority", FALSE, priorities, &priority) ||
      !read_choice (&r, "category", FALSE, categories, &category) ||
      !read_boolean (&r, "latching", &rule->latching) ||
      !read_boolean (&r, "enabled", &rule->enabled) ||
      !read_scope (&r, rule) ||
      !read_string (&r, "message", FALSE, &rule->message) ||
      !read_duration (&r, "lateness", FALSE, FALSE, &rule->lateness_us) ||
      !read_kind_fields (&r, rule))
    return NULL;

  if (rule->name == NULL)
    rule->name = g_strdup (rule->id);
  rule->priority = priority;
  if (category >= 0)
    rule->category = category;
  else
    rule->category = rule->kind == TW_RULE_STALE ? TW_ALERT_CATEGORY_TECHNICAL
                                                 : TW_ALERT_CATEGORY_PHYSIOLOGICAL;
  return g_steal_pointer (&rule);
}

TwRule *
tw_rule_from_data (const char *json,
                   gssize      len,
                   GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, len, &local_error))
    {
      g_set_error (error, TW_RULE_ERROR, TW_RULE_ERROR_PARSE, "not valid JSON: %s",
                   local_error->message);
      return NULL;
    }
  return tw_rule_from_json (json_parser_get_root (parser), error);
}

static gboolean
pack_add_rules (GPtrArray  *rules,
                JsonArray  *array,
                const char *pack,
                GError    **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = json_array_get_length (array);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;
      TwRule *rule = tw_rule_from_json (json_array_get_element (array, i), &local_error);

      if (rule == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "rule %u of %u: ", i + 1, n);
          return FALSE;
        }
      g_ptr_array_add (rules, rule);
      if (!g_hash_table_add (seen, rule->id))
        {
          g_set_error (error, TW_RULE_ERROR, TW_RULE_ERROR_DUPLICATE,
                       "rule %u of %u: rule \u2018%s\u2019: the id is used by an earlier "
                       "rule of this pack; give each rule its own id", i + 1, n, rule->id);
          return FALSE;
        }
      if (rule->pack == NULL && pack != NULL)
        rule->pack = g_strdup (pack);
    }
  return TRUE;
}

GPtrArray *
tw_rule_pack_from_data (const char *json,
                        gssize      len,
                        const char *origin,
                        GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_rule_unref);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonArray *array = NULL;
  const char *pack = NULL;

  g_return_val_if_fail (json != NULL, NULL);

  if (origin == NULL)
    origin = "pack";
  if (!json_parser_load_from_data (parser, json, len, &local_error))
    {
      g_set_error (error, TW_RULE_ERROR, TW_RULE_ERROR_PARSE, "%s: not valid JSON: %s",
                   origin, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    array = json_node_get_array (root);
  else if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *rules_node = json_object_get_member (object, "rules");
      JsonNode *pack_node = json_object_get_member (object, "pack");

      if (rules_node != NULL && JSON_NODE_HOLDS_ARRAY (rules_node))
        array = json_node_get_array (rules_node);
      if (pack_node != NULL && JSON_NODE_HOLDS_VALUE (pack_node) &&
          json_node_get_value_type (pack_node) == G_TYPE_STRING)
        pack = json_node_get_string (pack_node);
      else if (pack_node != NULL)
        array = NULL;
    }
  if (array == NULL)
    {
      g_set_error (error, TW_RULE_ERROR, TW_RULE_ERROR_PARSE,
                   "%s: a pack is a JSON array of rules or {\"pack\": \"name\", "
                   "\"rules\": [...]}", origin);
      return NULL;
    }
  if (!pack_add_rules (rules, array, pack, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", origin);
      return NULL;
    }
  return g_steal_pointer (&rules);
}

GPtrArray *
tw_rule_pack_load (const char *path,
                   GError    **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, TW_RULE_ERROR, TW_RULE_ERROR_IO, "%s", local_error->message);
      return NULL;
    }
  return tw_rule_pack_from_data (contents, length, path, error);
}

