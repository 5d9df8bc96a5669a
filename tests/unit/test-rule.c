#include <string.h>

#include "tw-rule.h"

#define SEC ((gint64) G_USEC_PER_SEC)
#define MINUTE (60 * SEC)

static TwRule *
parse_ok (const char *json)
{
  g_autoptr(GError) error = NULL;
  TwRule *rule = tw_rule_from_data (json, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rule);
  return rule;
}

static GError *
parse_fail (const char *json)
{
  GError *error = NULL;
  TwRule *rule = tw_rule_from_data (json, -1, &error);

  g_assert_null (rule);
  g_assert_nonnull (error);
  return error;
}

static void
test_threshold_fields_and_defaults (void)
{
  g_autoptr(TwRule) rule = parse_ok ("{\"id\": \"hr-high\", \"kind\": \"threshold\", "
                                     "\"metric\": \"hr\", \"direction\": \"above\", "
                                     "\"limit\": 130, \"hysteresis\": 5, \"for\": \"30s\"}");

  g_assert_cmpstr (rule->id, ==, "hr-high");
  g_assert_cmpstr (rule->name, ==, "hr-high");
  g_assert_null (rule->pack);
  g_assert_cmpint (rule->kind, ==, TW_RULE_THRESHOLD);
  g_assert_cmpstr (rule->metric, ==, "hr");
  g_assert_cmpint (rule->direction, ==, TW_RULE_ABOVE);
  g_assert_cmpfloat (rule->limit, ==, 130);
  g_assert_cmpfloat (rule->hysteresis, ==, 5);
  g_assert_cmpint (rule->min_duration_us, ==, 30 * SEC);
  g_assert_cmpint (rule->priority, ==, TW_ALERT_PRIORITY_MEDIUM);
  g_assert_cmpint (rule->category, ==, TW_ALERT_CATEGORY_PHYSIOLOGICAL);
  g_assert_false (rule->latching);
  g_assert_true (rule->enabled);
  g_assert_cmpint (rule->scope, ==, TW_RULE_SCOPE_ALL);
  g_assert_cmpint (rule->lateness_us, ==, TW_RULE_DEFAULT_LATENESS_US);
  g_assert_null (rule->message);
}

static void
test_change_kinds_signed_limits (void)
{
  g_autoptr(TwRule) up = parse_ok ("{\"id\": \"a\", \"kind\": \"relative_change\", "
                                   "\"metric\": \"hr\", \"direction\": \"up\", "
                                   "\"percent\": 5, \"window\": \"10m\"}");
  g_autoptr(TwRule) down = parse_ok ("{\"id\": \"b\", \"kind\": \"rate_of_change\", "
                                     "\"metric\": \"sbp\", \"direction\": \"down\", "
                                     "\"per_minute\": 2, \"window\": 120}");
  g_autoptr(TwRule) stale = parse_ok ("{\"id\": \"c\", \"kind\": \"stale\", \"after\": \"5m\"}");

  g_assert_cmpint (up->direction, ==, TW_RULE_AT_OR_ABOVE);
  g_assert_cmpfloat (up->limit, ==, 5);
  g_assert_cmpint (up->window_us, ==, 10 * MINUTE);
  g_assert_cmpint (down->direction, ==, TW_RULE_AT_OR_BELOW);
  g_assert_cmpfloat (down->limit, ==, -2);
  g_assert_cmpint (down->window_us, ==, 2 * MINUTE);
  /* Stale data is a technical alarm unless the author says otherwise. */
  g_assert_cmpint (stale->category, ==, TW_ALERT_CATEGORY_TECHNICAL);
  g_assert_null (stale->metric);
  g_assert_cmpint (stale->stale_us, ==, 5 * MINUTE);
}

static const char *every_kind[] = {
  "{\"id\": \"t\", \"name\": \"T\", \"kind\": \"threshold\", \"metric\": \"spo2\", "
  "\"direction\": \"at_or_below\", \"limit\": 90.5, \"hysteresis\": 1, \"for\": 15, "
  "\"priority\": \"high\", \"latching\": true, \"scope\": {\"group\": \"ICU\"}, "
  "\"message\": \"{entity} low\", \"lateness\": \"500ms\"}",
  "{\"id\": \"r\", \"kind\": \"relative_change\", \"metric\": \"sbp\", \"direction\": \"down\", "
  "\"percent\": 10, \"window\": \"1h\", \"enabled\": false}",
  "{\"id\": \"q\", \"kind\": \"rate_of_change\", \"metric\": \"price\", \"direction\": \"up\", "
  "\"per_minute\": 0.25, \"window\": \"90s\", \"scope\": {\"entity\": \"ACME\"}}",
  "{\"id\": \"s\", \"kind\": \"stale\", \"metric\": \"glucose\", \"after\": \"15m\", "
  "\"category\": \"physiological\"}",
  "{\"id\": \"n\", \"kind\": \"score_band\", \"score\": \"news2\", \"min\": 7, \"for\": \"1m\", "
  "\"hysteresis\": 1}",
  "{\"id\": \"p\", \"kind\": \"predicted\", \"metric\": \"glucose\", \"direction\": \"below\", "
  "\"limit\": 70, \"within\": \"20m\", \"window\": \"15m\"}",
  "{\"id\": \"x\", \"kind\": \"spread\", \"metric\": \"price\", \"entity_b\": \"GLBX\", "
  "\"percent\": 5, \"window\": \"60s\"}",
  "{\"id\": \"y\", \"kind\": \"spread\", \"metric\": \"sbp\", \"metric_b\": \"dbp\", "
  "\"direction\": \"down\", \"percent\": 25, \"window\": \"5m\"}",
  "{\"id\": \"o\", \"kind\": \"reference\", \"metric\": \"orders\", \"aggregate\": \"count\", "
  "\"window\": \"1m\", \"expected\": 12, \"tolerance_percent\": 50, \"direction\": \"either\", "
  "\"utc_offset_minutes\": -300}",
  "{\"id\": \"b\", \"kind\": \"balance\", \"metric\": \"order_amount\", \"direction\": \"below\", "
  "\"limit\": 0, \"initial\": 500, \"scale\": -1, \"hysteresis\": 10}",
};

static void
test_every_kind_round_trips (void)
{
  gboolean seen[TW_RULE_N_KINDS] = { FALSE };

  for (gsize i = 0; i < G_N_ELEMENTS (every_kind); i++)
    {
      g_autoptr(TwRule) rule = parse_ok (every_kind[i]);
      g_autofree char *json = tw_rule_to_json (rule);
      g_autoptr(TwRule) again = parse_ok (json);
      g_autofree char *json_again = tw_rule_to_json (again);

      g_test_message ("%s", json);
      g_assert_true (tw_rule_equal (rule, again));
      g_assert_cmpstr (json, ==, json_again);
      g_assert_cmpint (again->kind, ==, rule->kind);
      g_assert_cmpfloat (again->limit, ==, rule->limit);
      g_assert_cmpint (again->window_us, ==, rule->window_us);
      g_assert_cmpint (again->lateness_us, ==, rule->lateness_us);
      seen[rule->kind] = TRUE;
    }
  for (guint k = 0; k < TW_RULE_N_KINDS; k++)
    {
      TwRuleKind parsed;

      g_assert_true (seen[k]);
      g_assert_true (tw_rule_kind_from_string (tw_rule_kind_to_string (k), &parsed));
      g_assert_cmpint (parsed, ==, k);
    }
}

static void
test_round_trip_keeps_details (void)
{
  g_autoptr(TwRule) rule = parse_ok (every_kind[0]);
  g_autoptr(TwRule) ref = parse_ok (every_kind[8]);
  g_autofree char *json = tw_rule_to_json (rule);
  g_autoptr(TwRule) again = parse_ok (json);

  g_assert_cmpint (again->scope, ==, TW_RULE_SCOPE_GROUP);
  g_assert_cmpstr (again->scope_value, ==, "ICU");
  g_assert_true (again->latching);
  g_assert_cmpint (again->priority, ==, TW_ALERT_PRIORITY_HIGH);
  g_assert_cmpstr (again->message, ==, "{entity} low");
  g_assert_cmpint (again->lateness_us, ==, SEC / 2);
  g_assert_cmpint (again->min_duration_us, ==, 15 * SEC);
  g_assert_cmpfloat (ref->reference[0], ==, 12);
  g_assert_cmpfloat (ref->reference[TW_RULE_REFERENCE_HOURS - 1], ==, 12);
  g_assert_cmpint (ref->utc_offset_min, ==, -300);
  g_assert_cmpint (ref->direction, ==, TW_RULE_EITHER);
}

static void
test_errors_name_rule_field_and_example (void)
{
  g_autoptr(GError) type = parse_fail ("{\"id\": \"hr-high\", \"kind\": \"threshold\", "
                                       "\"metric\": \"hr\", \"direction\": \"above\", "
                                       "\"limit\": \"130\"}");
  g_autoptr(GError) missing = parse_fail ("{\"id\": \"hr-high\", \"kind\": \"threshold\", "
                                          "\"metric\": \"hr\", \"direction\": \"above\"}");
  g_autoptr(GError) kind = parse_fail ("{\"id\": \"k\", \"kind\": \"average\"}");
  g_autoptr(GError) field = parse_fail ("{\"id\": \"f\", \"kind\": \"stale\", \"after\": 60, "
                                        "\"limt\": 3}");
  g_autoptr(GError) choice = parse_fail ("{\"id\": \"c\", \"kind\": \"stale\", \"after\": 60, "
                                         "\"priority\": \"urgent\"}");
  g_autoptr(GError) parse = parse_fail ("{\"id\": ");
  g_autoptr(GError) no_id = parse_fail ("{\"kind\": \"stale\", \"after\": 60}");
  g_autoptr(GError) bad_id = parse_fail ("{\"id\": \"a b\", \"kind\": \"stale\", \"after\": 60}");

  g_assert_error (type, TW_RULE_ERROR, TW_RULE_ERROR_TYPE);
  g_assert_cmpstr (type->message, ==,
                   "rule \u2018hr-high\u2019: \u2018limit\u2019 must be a number, "
                   "e.g. \"limit\": 130");
  g_assert_error (missing, TW_RULE_ERROR, TW_RULE_ERROR_MISSING);
  g_assert_nonnull (strstr (missing->message, "\u2018limit\u2019 is missing"));
  g_assert_error (kind, TW_RULE_ERROR, TW_RULE_ERROR_UNKNOWN_KIND);
  g_assert_nonnull (strstr (kind->message, "threshold"));
  g_assert_error (field, TW_RULE_ERROR, TW_RULE_ERROR_VALUE);
  g_assert_nonnull (strstr (field->message, "\u2018limt\u2019"));
  g_assert_error (choice, TW_RULE_ERROR, TW_RULE_ERROR_VALUE);
  g_assert_nonnull (strstr (choice->message, "low, medium, high"));
  g_assert_error (parse, TW_RULE_ERROR, TW_RULE_ERROR_PARSE);
  g_assert_error (no_id, TW_RULE_ERROR, TW_RULE_ERROR_MISSING);
  g_assert_error (bad_id, TW_RULE_ERROR, TW_RULE_ERROR_VALUE);
}

static void
test_value_checks (void)
{
  const struct
  {
    const char *json;
    int         code;
    const char *field;
  } cases[] = {
    { "{\"id\": \"a\", \"kind\": \"stale\", \"after\": \"10x\"}", TW_RULE_ERROR_VALUE, "after" },
    { "{\"id\": \"a\", \"kind\": \"stale\", \"after\": 0}", TW_RULE_ERROR_VALUE, "after" },
    { "{\"id\": \"a\", \"kind\": \"stale\", \"after\": -5}", TW_RULE_ERROR_VALUE, "after" },
    { "{\"id\": \"a\", \"kind\": \"relative_change\", \"metric\": \"hr\", \"direction\": \"up\", "
      "\"percent\": -5, \"window\": 60}", TW_RULE_ERROR_VALUE, "percent" },
    { "{\"id\": \"a\", \"kind\": \"threshold\", \"metric\": \"hr\", \"direction\": \"over\", "
      "\"limit\": 1}", TW_RULE_ERROR_VALUE, "direction" },
    { "{\"id\": \"a\", \"kind\": \"threshold\", \"metric\": \"hr\", \"direction\": \"above\", "
      "\"limit\": 1, \"hysteresis\": -1}", TW_RULE_ERROR_VALUE, "hysteresis" },
    { "{\"id\": \"a\", \"kind\": \"spread\", \"metric\": \"price\", \"percent\": 5, "
      "\"window\": 60}", TW_RULE_ERROR_MISSING, "metric_b" },
    { "{\"id\": \"a\", \"kind\": \"reference\", \"metric\": \"orders\", \"window\": 60, "
      "\"expected\": [1, 2], \"tolerance_percent\": 50}", TW_RULE_ERROR_TYPE, "expected" },
    { "{\"id\": \"a\", \"kind\": \"reference\", \"metric\": \"orders\", \"window\": 60, "
      "\"expected\": 3, \"tolerance_percent\": 50, \"utc_offset_minutes\": 900}",
      TW_RULE_ERROR_VALUE, "utc_offset_minutes" },
    { "{\"id\": \"a\", \"kind\": \"threshold\", \"metric\": \"heart_rate\", "
      "\"direction\": \"above\", \"limit\": 1}", TW_RULE_ERROR_VALUE, "glucose, o2, acvpu, price" },
    { "{\"id\": \"a\", \"kind\": \"spread\", \"metric\": \"sbp\", \"metric_b\": \"dia\", "
      "\"percent\": 5, \"window\": 60}", TW_RULE_ERROR_VALUE, "metric_b" },
    { "{\"id\": \"a\", \"kind\": \"balance\", \"metric\": \"order_amount\", \"direction\": \"below\", "
      "\"limit\": 0, \"scale\": 0}", TW_RULE_ERROR_VALUE, "scale" },
    { "{\"id\": \"a\", \"kind\": \"stale\", \"after\": 60, \"scope\": {\"ward\": \"x\"}}",
      TW_RULE_ERROR_VALUE, "scope" },
    { "{\"id\": \"a\", \"kind\": \"stale\", \"after\": 60, \"latching\": 1}",
      TW_RULE_ERROR_TYPE, "latching" },
    { "[1, 2]", TW_RULE_ERROR_PARSE, "JSON object" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = parse_fail (cases[i].json);

      g_test_message ("%s → %s", cases[i].json, error->message);
      g_assert_error (error, TW_RULE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].field));
    }
}

static void
test_durations (void)
{
  const struct
  {
    const char *text;
    gint64      us;
  } cases[] = {
    { "90", 90 * SEC }, { "1.5", 3 * SEC / 2 }, { "\"90s\"", 90 * SEC },
    { "\"10m\"", 10 * MINUTE }, { "\"1h\"", 60 * MINUTE }, { "\"2d\"", 48 * 60 * MINUTE },
    { "\"250ms\"", SEC / 4 }, { "\"0.5m\"", 30 * SEC },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\": \"d\", \"kind\": \"stale\", "
                                               "\"after\": %s}", cases[i].text);
      g_autoptr(TwRule) rule = parse_ok (json);
      g_autofree char *out = tw_rule_to_json (rule);
      g_autoptr(TwRule) again = parse_ok (out);

      g_assert_cmpint (rule->stale_us, ==, cases[i].us);
      g_assert_cmpint (again->stale_us, ==, cases[i].us);
    }
}

static void
test_pack_forms_and_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) array = tw_rule_pack_from_data (
      "[{\"id\": \"a\", \"kind\": \"stale\", \"after\": 60}]", -1, "inline", &error);
  g_autoptr(GPtrArray) object = NULL;
  g_autoptr(GPtrArray) dup = NULL;
  g_autoptr(GPtrArray) bad = NULL;
  g_autoptr(GPtrArray) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (array->len, ==, 1);
  g_assert_null (((TwRule *) g_ptr_array_index (array, 0))->pack);

  object = tw_rule_pack_from_data ("{\"pack\": \"p\", \"rules\": ["
                                   "{\"id\": \"a\", \"kind\": \"stale\", \"after\": 60},"
                                   "{\"id\": \"b\", \"kind\": \"stale\", \"after\": 60, "
                                   "\"pack\": \"own\"}]}", -1, "inline", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (object->len, ==, 2);
  g_assert_cmpstr (((TwRule *) g_ptr_array_index (object, 0))->pack, ==, "p");
  g_assert_cmpstr (((TwRule *) g_ptr_array_index (object, 1))->pack, ==, "own");

  dup = tw_rule_pack_from_data ("[{\"id\": \"a\", \"kind\": \"stale\", \"after\": 60},"
                                "{\"id\": \"a\", \"kind\": \"stale\", \"after\": 90}]",
                                -1, "dup.json", &error);
  g_assert_null (dup);
  g_assert_error (error, TW_RULE_ERROR, TW_RULE_ERROR_DUPLICATE);
  g_assert_true (g_str_has_prefix (error->message, "dup.json: rule 2 of 2: rule \u2018a\u2019"));
  g_clear_error (&error);

  bad = tw_rule_pack_from_data ("[{\"id\": \"a\", \"kind\": \"stale\", \"after\": 60},"
                                "{\"id\": \"hr-high\", \"kind\": \"threshold\", "
                                "\"metric\": \"hr\", \"direction\": \"above\", "
                                "\"limit\": true}]", -1, "bad.json", &error);
  g_assert_null (bad);
  g_assert_error (error, TW_RULE_ERROR, TW_RULE_ERROR_TYPE);
  g_assert_cmpstr (error->message, ==,
                   "bad.json: rule 2 of 2: rule \u2018hr-high\u2019: \u2018limit\u2019 must be "
                   "a number, e.g. \"limit\": 130");
  g_clear_error (&error);

  none = tw_rule_pack_from_data ("{\"rules\": 3}", -1, "x.json", &error);
  g_assert_null (none);
  g_assert_error (error, TW_RULE_ERROR, TW_RULE_ERROR_PARSE);
  g_clear_error (&error);

  g_assert_null (tw_rule_pack_load ("/nonexistent/pack.json", &error));
  g_assert_error (error, TW_RULE_ERROR, TW_RULE_ERROR_IO);
}

/* Every pack that ships validates, and ids are unique across packs (the
 * store keys rules by id). */
static void
test_shipped_packs_validate (void)
{
  static const char *packs[] = { "vital-signs", "glucose", "markets", "retail" };
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "..", "data", "rules", NULL);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n_files = 0;
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      n_files++;
  g_assert_cmpuint (n_files, ==, G_N_ELEMENTS (packs));

  for (gsize i = 0; i < G_N_ELEMENTS (packs); i++)
    {
      g_autofree char *file = g_strconcat (packs[i], ".json", NULL);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) rules = tw_rule_pack_load (path, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (rules->len, >, 0);
      for (guint r = 0; r < rules->len; r++)
        {
          TwRule *rule = g_ptr_array_index (rules, r);

          g_assert_cmpstr (rule->pack, ==, packs[i]);
          g_assert_true (g_hash_table_add (ids, g_strdup (rule->id)));
        }
    }
}

static void
test_scope_applies (void)
{
  g_autoptr(TwRule) all = parse_ok ("{\"id\": \"a\", \"kind\": \"stale\", \"after\": 60}");
  g_autoptr(TwRule) group = parse_ok ("{\"id\": \"g\", \"kind\": \"stale\", \"after\": 60, "
                                      "\"scope\": {\"group\": \"ICU\"}}");
  g_autoptr(TwRule) entity = parse_ok ("{\"id\": \"e\", \"kind\": \"stale\", \"after\": 60, "
                                       "\"scope\": {\"entity\": \"P1\"}}");

  g_assert_true (tw_rule_applies_to (all, "P9", NULL));
  g_assert_true (tw_rule_applies_to (group, "P9", "ICU"));
  g_assert_false (tw_rule_applies_to (group, "P9", "Ward 3"));
  g_assert_false (tw_rule_applies_to (group, "P9", NULL));
  g_assert_true (tw_rule_applies_to (entity, "P1", "Ward 3"));
  g_assert_false (tw_rule_applies_to (entity, "P2", NULL));
}

static void
test_copy_with_enabled (void)
{
  g_autoptr(TwRule) rule = parse_ok (every_kind[0]);
  g_autoptr(TwRule) off = tw_rule_copy_with_enabled (rule, FALSE);
  g_autoptr(TwRule) on = tw_rule_copy_with_enabled (off, TRUE);

  g_assert_true (rule->enabled);
  g_assert_false (off->enabled);
  g_assert_false (tw_rule_equal (rule, off));
  g_assert_true (tw_rule_equal (rule, on));
  g_assert_true (tw_rule_ref (rule) == rule);
  tw_rule_unref (rule);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rule/threshold-fields-and-defaults", test_threshold_fields_and_defaults);
  g_test_add_func ("/rule/change-kinds-signed-limits", test_change_kinds_signed_limits);
  g_test_add_func ("/rule/every-kind-round-trips", test_every_kind_round_trips);
  g_test_add_func ("/rule/round-trip-keeps-details", test_round_trip_keeps_details);
  g_test_add_func ("/rule/errors-name-rule-field-and-example", test_errors_name_rule_field_and_example);
  g_test_add_func ("/rule/value-checks", test_value_checks);
  g_test_add_func ("/rule/durations", test_durations);
  g_test_add_func ("/rule/pack-forms-and-errors", test_pack_forms_and_errors);
  g_test_add_func ("/rule/shipped-packs-validate", test_shipped_packs_validate);
  g_test_add_func ("/rule/scope-applies", test_scope_applies);
  g_test_add_func ("/rule/copy-with-enabled", test_copy_with_enabled);

  return g_test_run ();
}
