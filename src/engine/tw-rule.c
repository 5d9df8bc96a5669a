#include "tw-rule-private.h"

#include <math.h>
#include <string.h>

/* Durations are written in the largest unit that keeps them exact. */
#define USEC_PER_MINUTE ((gint64) 60 * G_USEC_PER_SEC)
#define USEC_PER_HOUR   (60 * USEC_PER_MINUTE)

G_DEFINE_QUARK (tw-rule-error-quark, tw_rule_error)

const char * const tw_rule_kind_names[TW_RULE_N_KINDS + 1] = {  /* NULL-terminated */
  [TW_RULE_THRESHOLD] = "threshold",
  [TW_RULE_RELATIVE_CHANGE] = "relative_change",
  [TW_RULE_RATE_OF_CHANGE] = "rate_of_change",
  [TW_RULE_STALE] = "stale",
  [TW_RULE_SCORE_BAND] = "score_band",
  [TW_RULE_PREDICTED] = "predicted",
  [TW_RULE_SPREAD] = "spread",
  [TW_RULE_REFERENCE] = "reference",
  [TW_RULE_BALANCE] = "balance",
};

const char *
tw_rule_kind_to_string (TwRuleKind kind)
{
  if ((guint) kind >= TW_RULE_N_KINDS)
    return "unknown";
  return tw_rule_kind_names[kind];
}

gboolean
tw_rule_kind_from_string (const char *text,
                          TwRuleKind *out_kind)
{
  g_return_val_if_fail (out_kind != NULL, FALSE);

  for (guint k = 0; k < TW_RULE_N_KINDS; k++)
    if (g_strcmp0 (text, tw_rule_kind_names[k]) == 0)
      {
        *out_kind = k;
        return TRUE;
      }
  return FALSE;
}

const char *
tw_rule_direction_to_string (TwRuleDirection direction)
{
  switch (direction)
    {
    case TW_RULE_ABOVE:
      return "above";
    case TW_RULE_AT_OR_ABOVE:
      return "at_or_above";
    case TW_RULE_BELOW:
      return "below";
    case TW_RULE_AT_OR_BELOW:
      return "at_or_below";
    case TW_RULE_EITHER:
      return "either";
    default:
      return "unknown";
    }
}

const char *
tw_rule_scope_to_string (TwRuleScope scope)
{
  switch (scope)
    {
    case TW_RULE_SCOPE_ALL:
      return "all";
    case TW_RULE_SCOPE_GROUP:
      return "group";
    case TW_RULE_SCOPE_ENTITY:
      return "entity";
    default:
      return "unknown";
    }
}

TwRule *
tw_rule_alloc (void)
{
  TwRule *rule = g_new0 (TwRule, 1);

  rule->ref_count = 1;
  rule->priority = TW_ALERT_PRIORITY_MEDIUM;
  rule->enabled = TRUE;
  rule->lateness_us = TW_RULE_DEFAULT_LATENESS_US;
  rule->scale = 1.0;
  return rule;
}

static void
tw_rule_free (TwRule *rule)
{
  g_free (rule->id);
  g_free (rule->name);
  g_free (rule->pack);
  g_free (rule->scope_value);
  g_free (rule->message);
  g_free (rule->metric);
  g_free (rule->score);
  g_free (rule->forecaster);
  g_free (rule->metric_b);
  g_free (rule->entity_b);
  g_free (rule);
}

TwRule *
tw_rule_ref (TwRule *rule)
{
  g_return_val_if_fail (rule != NULL, NULL);

  g_atomic_int_inc (&rule->ref_count);
  return rule;
}

void
tw_rule_unref (TwRule *rule)
{
  if (rule == NULL)
    return;
  if (g_atomic_int_dec_and_test (&rule->ref_count))
    tw_rule_free (rule);
}

/* ---- writing ---------------------------------------------------------- */

static void
add_duration (JsonBuilder *builder,
              const char  *field,
              gint64       us)
{
  g_autofree char *text = NULL;

  json_builder_set_member_name (builder, field);
  if (us % USEC_PER_HOUR == 0 && us != 0)
    text = g_strdup_printf ("%" G_GINT64_FORMAT "h", us / USEC_PER_HOUR);
  else if (us % USEC_PER_MINUTE == 0 && us != 0)
    text = g_strdup_printf ("%" G_GINT64_FORMAT "m", us / USEC_PER_MINUTE);
  else if (us % G_USEC_PER_SEC == 0)
    text = g_strdup_printf ("%" G_GINT64_FORMAT "s", us / G_USEC_PER_SEC);
  else
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_dtostr (buffer, sizeof buffer, (double) us / 1000.0);
      text = g_strconcat (buffer, "ms", NULL);
    }
  json_builder_add_string_value (builder, text);
}

static void
add_string (JsonBuilder *builder,
            const char  *field,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, field);
  json_builder_add_string_value (builder, value);
}

static void
add_double (JsonBuilder *builder,
            const char  *field,
            double       value)
{
  json_builder_set_member_name (builder, field);
  json_builder_add_double_value (builder, value);
}

static void
add_change (JsonBuilder  *builder,
            const TwRule *rule,
            const char   *magnitude_field,
            const char   *up,
            const char   *down)
{
  add_string (builder, "direction",
              rule->direction == TW_RULE_AT_OR_ABOVE ? up :
              rule->direction == TW_RULE_AT_OR_BELOW ? down : "either");
  add_double (builder, magnitude_field, fabs (rule->limit));
}

static void
add_kind_fields (JsonBuilder  *builder,
                 const TwRule *rule)
{
  add_string (builder, "metric", rule->metric);
  switch (rule->kind)
    {
    case TW_RULE_THRESHOLD:
    case TW_RULE_PREDICTED:
    case TW_RULE_BALANCE:
      add_string (builder, "direction", tw_rule_direction_to_string (rule->direction));
      add_double (builder, "limit", rule->limit);
      break;
    case TW_RULE_RELATIVE_CHANGE:
      add_change (builder, rule, "percent", "up", "down");
      break;
    case TW_RULE_RATE_OF_CHANGE:
      add_change (builder, rule, "per_minute", "up", "down");
      break;
    case TW_RULE_SPREAD:
      add_string (builder, "metric_b", rule->metric_b);
      add_string (builder, "entity_b", rule->entity_b);
      add_change (builder, rule, "percent", "up", "down");
      break;
    case TW_RULE_REFERENCE:
      add_string (builder, "aggregate",
                  rule->aggregate == TW_RULE_AGGREGATE_SUM ? "sum" : "count");
      add_change (builder, rule, "tolerance_percent", "above", "below");
      json_builder_set_member_name (builder, "expected");
      json_builder_begin_array (builder);
      for (int h = 0; h < TW_RULE_REFERENCE_HOURS; h++)
        json_builder_add_double_value (builder, rule->reference[h]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "utc_offset_minutes");
      json_builder_add_int_value (builder, rule->utc_offset_min);
      break;
    case TW_RULE_STALE:
      add_duration (builder, "after", rule->stale_us);
      break;
    case TW_RULE_SCORE_BAND:
      add_string (builder, "score", rule->score);
      add_double (builder, "min", rule->limit);
      break;
    default:
      g_assert_not_reached ();
    }

  if (rule->kind == TW_RULE_THRESHOLD || rule->kind == TW_RULE_RELATIVE_CHANGE ||
      rule->kind == TW_RULE_RATE_OF_CHANGE || rule->kind == TW_RULE_BALANCE ||
      rule->kind == TW_RULE_SCORE_BAND)
    add_double (builder, "hysteresis", rule->hysteresis);
  if (rule->kind == TW_RULE_BALANCE)
    {
      add_double (builder, "initial", rule->initial);
      add_double (builder, "scale", rule->scale);
    }
  if (rule->kind == TW_RULE_PREDICTED)
    {
      add_duration (builder, "within", rule->horizon_us);
      add_string (builder, "forecaster", rule->forecaster);
    }
  if (rule->window_us != 0)
    add_duration (builder, "window", rule->window_us);
  if (rule->kind != TW_RULE_STALE && rule->kind != TW_RULE_REFERENCE)
    add_duration (builder, "for", rule->min_duration_us);
}

JsonNode *
tw_rule_to_json_node (const TwRule *rule)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (rule != NULL, NULL);

  json_builder_begin_object (builder);
  add_string (builder, "id", rule->id);
  add_string (builder, "name", rule->name);
  add_string (builder, "pack", rule->pack);
  add_string (builder, "kind", tw_rule_kind_to_string (rule->kind));
  add_string (builder, "priority", tw_alert_priority_to_string (rule->priority));
  add_string (builder, "category", tw_alert_category_to_string (rule->category));
  json_builder_set_member_name (builder, "latching");
  json_builder_add_boolean_value (builder, rule->latching);
  json_builder_set_member_name (builder, "enabled");
  json_builder_add_boolean_value (builder, rule->enabled);
  json_builder_set_member_name (builder, "scope");
  if (rule->scope == TW_RULE_SCOPE_ALL)
    json_builder_add_string_value (builder, "all");
  else
    {
      json_builder_begin_object (builder);
      add_string (builder, tw_rule_scope_to_string (rule->scope), rule->scope_value);
      json_builder_end_object (builder);
    }
  add_string (builder, "message", rule->message);
  add_duration (builder, "lateness", rule->lateness_us);
  add_kind_fields (builder, rule);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

char *
tw_rule_to_json (const TwRule *rule)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (rule != NULL, NULL);

  node = tw_rule_to_json_node (rule);
  return json_to_string (node, FALSE);
}

gboolean
tw_rule_equal (const TwRule *a,
               const TwRule *b)
{
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;

  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  /* Every field is in the JSON form, so equal JSON is an equal rule. */
  x = tw_rule_to_json (a);
  y = tw_rule_to_json (b);
  return strcmp (x, y) == 0;
}

TwRule *
tw_rule_copy_with_enabled (const TwRule *rule,
                           gboolean      enabled)
{
  g_autoptr(JsonNode) node = NULL;
  TwRule *copy;

  g_return_val_if_fail (rule != NULL, NULL);

  node = tw_rule_to_json_node (rule);
  copy = tw_rule_from_json (node, NULL);
  g_assert (copy != NULL);
  copy->enabled = enabled;
  return copy;
}

gboolean
tw_rule_applies_to (const TwRule *rule,
                    const char   *entity_key,
                    const char   *group)
{
  g_return_val_if_fail (rule != NULL, FALSE);

  switch (rule->scope)
    {
    case TW_RULE_SCOPE_ALL:
      return TRUE;
    case TW_RULE_SCOPE_GROUP:
      return g_strcmp0 (group, rule->scope_value) == 0;
    case TW_RULE_SCOPE_ENTITY:
      return g_strcmp0 (entity_key, rule->scope_value) == 0;
    default:
      return FALSE;
    }
}
