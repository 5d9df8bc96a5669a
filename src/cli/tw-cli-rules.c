#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-rule-preview.h"
#include "tw-store-rules.h"
#include "tw-time.h"

/* Rules are configuration, like sources: the administrator's. */
#define RULES_PERMISSION TW_PERM_MANAGE_SOURCES
#define RULES_WHAT       "manage alert rules"
#define PREVIEW_DEFAULT_MINUTES 60
#define PACK_SUFFIX ".json"

/* ---- loading rule files (shared with replay) --------------------------- */

/**
 * twctl_load_rule_file:
 * A pack (a JSON array or {"pack": …, "rules": […]}) or a single rule
 * object. Element-type TwRule, transfer full.
 */
GPtrArray *
twctl_load_rule_file (const char  *path,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) rules = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  JsonNode *root;
  TwRule *rule;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  /* A parse error is reported by the pack reader, with the file's name. */
  if (!json_parser_load_from_data (parser, contents, (gssize) len, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || json_object_has_member (json_node_get_object (root), "rules"))
    return tw_rule_pack_from_data (contents, (gssize) len, path, error);

  rule = tw_rule_from_json (root, error);
  if (rule == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  rules = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_rule_unref);
  g_ptr_array_add (rules, rule);
  return g_steal_pointer (&rules);
}

static gboolean
append_unique (GPtrArray   *all,
               GHashTable  *origin_by_id,
               GPtrArray   *rules,
               const char  *path,
               GError     **error)
{
  for (guint i = 0; i < rules->len; i++)
    {
      TwRule *rule = g_ptr_array_index (rules, i);
      const char *other = g_hash_table_lookup (origin_by_id, rule->id);

      /* One id means one alert per entity: two files cannot both own it. */
      if (other != NULL)
        {
          g_set_error (error, TW_RULE_ERROR, TW_RULE_ERROR_DUPLICATE,
                       "Rule “%s” is defined in both %s and %s; give one of them another id",
                       rule->id, other, path);
          return FALSE;
        }
      g_hash_table_insert (origin_by_id, rule->id, (gpointer) path);
      g_ptr_array_add (all, tw_rule_ref (rule));
    }
  return TRUE;
}

/**
 * twctl_load_rule_files:
 * Every rule of @paths (rule or pack files), ids unique across them.
 * Element-type TwRule, transfer full.
 */
GPtrArray *
twctl_load_rule_files (const char * const  *paths,
                       GError             **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_rule_unref);
  g_autoptr(GHashTable) origin_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      GPtrArray *rules = twctl_load_rule_file (paths[i], error);

      if (rules == NULL)
        return NULL;
      /* The id strings in origin_by_id belong to these rules. */
      g_ptr_array_add (loaded, rules);
      if (!append_unique (all, origin_by_id, rules, paths[i], error))
        return NULL;
    }
  return g_steal_pointer (&all);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  /* g_ptr_array_sort passes pointers to the elements. */
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The *.json packs of @dir, sorted by name, so the order never depends on
 * the file system. */
static GPtrArray *
list_pack_files (const char  *dir,
                 GError     **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, PACK_SUFFIX))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (paths, compare_paths);
  return g_steal_pointer (&paths);
}

GPtrArray *
twctl_load_rule_dir (const char  *dir,
                     GError     **error)
{
  g_autoptr(GPtrArray) paths = list_pack_files (dir, error);

  if (paths == NULL)
    return NULL;
  if (paths->len == 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND, "There are no rule packs (*.json) in %s",
                   dir);
      return NULL;
    }
  g_ptr_array_add (paths, NULL);
  return twctl_load_rule_files ((const char * const *) paths->pdata, error);
}

/* ---- check (offline) --------------------------------------------------- */

typedef struct
{
  gboolean     json;
  JsonBuilder *builder;   /* --json: the array of files */
  guint        errors;
} Check;

static void
report_rule (Check        *check,
             guint         index,
             const char   *id,
             const TwRule *rule,
             const GError *error)
{
  if (error != NULL)
    check->errors++;
  if (!check->json)
    {
      /* The rule reader's messages name the rule and the field already. */
      if (rule != NULL)
        g_print ("ok     %-28s %s\n", rule->id, tw_rule_kind_to_string (rule->kind));
      else
        g_print ("error  %s\n", error->message);
      return;
    }
  json_builder_begin_object (check->builder);
  json_builder_set_member_name (check->builder, "index");
  json_builder_add_int_value (check->builder, index);
  json_builder_set_member_name (check->builder, "id");
  if (id != NULL)
    json_builder_add_string_value (check->builder, id);
  else
    json_builder_add_null_value (check->builder);
  json_builder_set_member_name (check->builder, "ok");
  json_builder_add_boolean_value (check->builder, rule != NULL);
  if (rule != NULL)
    {
      json_builder_set_member_name (check->builder, "kind");
      json_builder_add_string_value (check->builder, tw_rule_kind_to_string (rule->kind));
      json_builder_set_member_name (check->builder, "priority");
      json_builder_add_string_value (check->builder, tw_alert_priority_to_string (rule->priority));
    }
  else
    {
      json_builder_set_member_name (check->builder, "error");
      json_builder_add_string_value (check->builder, error->message);
    }
  json_builder_end_object (check->builder);
}

/* The id a broken rule claims, to name it even when it does not parse. */
static const char *
claimed_id (JsonNode *node)
{
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  if (!json_object_has_member (object, "id")
      || json_node_get_value_type (json_object_get_member (object, "id")) != G_TYPE_STRING)
    return NULL;
  return json_object_get_string_member (object, "id");
}

/* Each rule of the file on its own, so one mistake does not hide the next;
 * then the file as a pack (ids unique, pack structure), as import and
 * replay read it. */
static void
check_file (Check      *check,
            const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonArray *rules = NULL;
  guint errors_before = check->errors;

  if (!check->json)
    g_print ("%s\n", path);
  else
    {
      json_builder_begin_object (check->builder);
      json_builder_set_member_name (check->builder, "file");
      json_builder_add_string_value (check->builder, path);
      json_builder_set_member_name (check->builder, "rules");
      json_builder_begin_array (check->builder);
    }

  if (!json_parser_load_from_file (parser, path, &error))
    {
      g_prefix_error (&error, "%s is not a rule file: ", path);
      report_rule (check, 0, NULL, NULL, error);
      goto done;
    }
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    rules = json_node_get_array (root);
  else if (root != NULL && JSON_NODE_HOLDS_OBJECT (root)
           && json_object_has_member (json_node_get_object (root), "rules")
           && JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "rules")))
    rules = json_object_get_array_member (json_node_get_object (root), "rules");

  if (rules == NULL)
    {
      /* A single rule object. */
      g_autoptr(TwRule) rule = root != NULL ? tw_rule_from_json (root, &error) : NULL;

      if (rule == NULL && error == NULL)
        g_set_error (&error, TW_RULE_ERROR, TW_RULE_ERROR_PARSE, "%s is empty", path);
      report_rule (check, 0, root != NULL ? claimed_id (root) : NULL, rule, error);
      goto done;
    }

  for (guint i = 0; i < json_array_get_length (rules); i++)
    {
      JsonNode *node = json_array_get_element (rules, i);
      g_autoptr(GError) rule_error = NULL;
      g_autoptr(TwRule) rule = tw_rule_from_json (node, &rule_error);

      report_rule (check, i, claimed_id (node), rule, rule_error);
    }
  if (check->errors == errors_before)
    {
      g_autoptr(GPtrArray) pack = twctl_load_rule_file (path, &error);

      if (pack == NULL)
        report_rule (check, 0, NULL, NULL, error);
    }

done:
  if (check->json)
    {
      json_builder_end_array (check->builder);
      json_builder_set_member_name (check->builder, "ok");
      json_builder_add_boolean_value (check->builder, check->errors == errors_before);
      json_builder_end_object (check->builder);
    }
}

static int
cmd_check (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean json = FALSE;
  Check check = { 0 };
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options ("rules check FILE…", entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (argc < 2)
    {
      g_printerr ("twctl: usage: rules check FILE… [--json]   (a rule or a pack; no store "
                  "needed)\n");
      return EXIT_USAGE;
    }
  check.json = json;
  check.builder = builder;
  if (json)
    json_builder_begin_array (builder);
  for (int i = 1; i < argc; i++)
    check_file (&check, argv[i]);
  if (json)
    {
      json_builder_end_array (builder);
      twctl_print_json (builder);
    }
  else if (check.errors > 0)
    g_printerr ("twctl: %u error%s\n", check.errors, check.errors == 1 ? "" : "s");
  return check.errors > 0 ? 1 : 0;
}

/* ---- the stored rules -------------------------------------------------- */

static TwStore *
open_rules_store (Twctl      *self,
                  TwSession **out_session,
                  GError    **error)
{
  g_autoptr(GError) seed_error = NULL;
  TwStore *store = twctl_open_store_for (self, RULES_PERMISSION, RULES_WHAT, out_session, error);

  /* The default packs arrive with the first use of the rules, here or in
   * the pipeline, whichever comes first (once per store: rules deleted
   * later stay deleted). A broken installed pack must not lock the
   * administrator out of fixing things. */
  if (store != NULL && !tw_store_seed_rules (store, NULL, NULL, &seed_error))
    g_printerr ("twctl: warning: the default rule packs were not added: %s\n",
                seed_error->message);
  return store;
}

static void
add_rule_row_json (JsonBuilder     *b,
                   const TwRuleRow *row,
                   const TwRule    *rule)
{
  g_autofree char *updated = tw_time_format_iso8601 (row->updated_at);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, row->id);
  json_builder_set_member_name (b, "pack");
  if (row->pack != NULL)
    json_builder_add_string_value (b, row->pack);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "enabled");
  json_builder_add_boolean_value (b, row->enabled);
  if (rule != NULL)
    {
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, rule->name);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, tw_rule_kind_to_string (rule->kind));
      json_builder_set_member_name (b, "priority");
      json_builder_add_string_value (b, tw_alert_priority_to_string (rule->priority));
      json_builder_set_member_name (b, "latching");
      json_builder_add_boolean_value (b, rule->latching);
      json_builder_set_member_name (b, "scope");
      json_builder_add_string_value (b, tw_rule_scope_to_string (rule->scope));
      json_builder_set_member_name (b, "scope_value");
      if (rule->scope_value != NULL)
        json_builder_add_string_value (b, rule->scope_value);
      else
        json_builder_add_null_value (b);
    }
  json_builder_set_member_name (b, "updated_at");
  json_builder_add_string_value (b, updated);
  json_builder_set_member_name (b, "updated_by");
  if (row->updated_by != NULL)
    json_builder_add_string_value (b, row->updated_by);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static int
cmd_list (Twctl  *self,
          int     argc,
          char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options ("rules list", entries, &argc, &argv, &error))
    return twctl_fail (error);
  store = open_rules_store (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  rows = tw_store_list_rules (store, &error);
  if (rows == NULL)
    return twctl_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < rows->len; i++)
        {
          TwRuleRow *row = g_ptr_array_index (rows, i);
          /* A definition this version cannot read is still listed. */
          g_autoptr(TwRule) rule = tw_rule_from_data (row->json, -1, NULL);

          add_rule_row_json (b, row, rule);
        }
      json_builder_end_array (b);
      twctl_print_json (b);
      return 0;
    }

  g_print ("%-28s %-12s %-16s %-7s %-3s %s\n", "ID", "PACK", "KIND", "PRIO", "ON", "CHANGED BY");
  for (guint i = 0; i < rows->len; i++)
    {
      TwRuleRow *row = g_ptr_array_index (rows, i);
      g_autoptr(TwRule) rule = tw_rule_from_data (row->json, -1, NULL);

      g_print ("%-28s %-12s %-16s %-7s %-3s %s\n", row->id, row->pack ? row->pack : "–",
               rule ? tw_rule_kind_to_string (rule->kind) : "(unreadable)",
               rule ? tw_alert_priority_to_string (rule->priority) : "–",
               row->enabled ? "yes" : "no", row->updated_by ? row->updated_by : "(default)");
    }
  return 0;
}

static int
cmd_import (Twctl  *self,
            int     argc,
            char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  const char *pack;

  if (argc != 2)
    {
      g_printerr ("twctl: usage: rules import FILE   (a rule or a pack; replaces rules with "
                  "the same id)\n");
      return EXIT_USAGE;
    }
  /* Check before signing in: a broken file costs no password. */
  rules = twctl_load_rule_file (argv[1], &error);
  if (rules == NULL)
    return twctl_fail (error);
  store = open_rules_store (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  pack = rules->len > 0 ? ((TwRule *) g_ptr_array_index (rules, 0))->pack : NULL;
  if (!tw_store_import_rules (store, rules, pack, tw_session_get_user (session), &error))
    return twctl_fail (error);
  g_print ("Imported %u rule%s from %s. A running Tidewatch uses them after “Reload rules” or "
           "a restart.\n", rules->len, rules->len == 1 ? "" : "s", argv[1]);
  return 0;
}

static int
cmd_set_enabled (Twctl     *self,
                 int        argc,
                 char     **argv,
                 gboolean   enabled)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;

  if (argc != 2)
    {
      g_printerr ("twctl: usage: rules %s ID\n", enabled ? "enable" : "disable");
      return EXIT_USAGE;
    }
  store = open_rules_store (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  if (!tw_store_set_rule_enabled (store, argv[1], enabled, tw_session_get_user (session),
                                  &error))
    return twctl_fail (error);
  g_print ("Rule %s %s.\n", argv[1], enabled ? "enabled" : "disabled");
  return 0;
}

/* Every stored rule as one pack that `rules import` reads back; the stored
 * enabled flag wins over the one in the definition. */
static int
cmd_export (Twctl  *self,
            int     argc,
            char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *text = NULL;

  if (argc > 2)
    {
      g_printerr ("twctl: usage: rules export [FILE]   (standard output without FILE)\n");
      return EXIT_USAGE;
    }
  store = open_rules_store (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  rows = tw_store_list_rules (store, &error);
  if (rows == NULL)
    return twctl_fail (error);
  for (guint i = 0; i < rows->len; i++)
    {
      TwRuleRow *row = g_ptr_array_index (rows, i);
      g_autoptr(TwRule) rule = tw_rule_from_data (row->json, -1, &error);
      g_autoptr(TwRule) stored = NULL;

      if (rule == NULL)
        {
          g_prefix_error (&error, "Stored rule %s cannot be read: ", row->id);
          return twctl_fail (error);
        }
      stored = tw_rule_copy_with_enabled (rule, row->enabled);
      json_array_add_element (array, tw_rule_to_json_node (stored));
    }
  json_node_set_array (root, array);
  text = json_to_string (root, TRUE);
  if (argc == 2)
    {
      g_autofree char *contents = g_strconcat (text, "\n", NULL);

      if (!g_file_set_contents (argv[1], contents, -1, &error))
        return twctl_fail (error);
      g_print ("Exported %u rule%s to %s.\n", rows->len, rows->len == 1 ? "" : "s", argv[1]);
    }
  else
    {
      g_print ("%s\n", text);
    }
  return 0;
}

/* ---- preview ----------------------------------------------------------- */

/* The rules of a file (a rule or a pack), or the stored rule @what. */
static GPtrArray *
rules_to_preview (TwStore     *store,
                  const char  *what,
                  GError     **error)
{
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_rule_unref);
  g_autoptr(TwRuleRow) row = NULL;
  TwRule *rule;

  if (g_file_test (what, G_FILE_TEST_IS_REGULAR))
    return twctl_load_rule_file (what, error);

  if (!tw_store_get_rule (store, what, &row, error))
    {
      g_prefix_error (error, "“%s” is neither a file nor a stored rule: ", what);
      return NULL;
    }
  rule = tw_rule_from_data (row->json, -1, error);
  if (rule == NULL)
    return NULL;
  g_ptr_array_add (rules, rule);
  return g_steal_pointer (&rules);
}

/* "latest": just after the newest stored sample, so a recording ingested
 * some time ago can be previewed too. */
static gboolean
preview_end (TwStore     *store,
             const char  *until,
             gint64      *out_end,
             GError     **error)
{
  g_autoptr(GPtrArray) series = NULL;
  gint64 newest = G_MININT64;

  if (until == NULL)
    {
      *out_end = tw_time_now ();
      return TRUE;
    }
  if (!g_str_equal (until, "latest"))
    {
      if (tw_time_parse_iso8601 (until, out_end))
        return TRUE;
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "--until takes an ISO 8601 time (2026-01-31T08:00:00Z) or “latest”, not "
                   "“%s”", until);
      return FALSE;
    }
  series = tw_store_list_series_stats (store, error);
  if (series == NULL)
    return FALSE;
  for (guint i = 0; i < series->len; i++)
    {
      TwSeriesStats *s = g_ptr_array_index (series, i);

      if (s->count > 0)
        newest = MAX (newest, s->last_ts);
    }
  *out_end = newest == G_MININT64 ? tw_time_now () : newest + 1;
  return TRUE;
}

static void
add_preview_alert (JsonBuilder   *b,
                   const TwAlert *alert)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "alert");
  json_builder_add_int_value (b, (gint64) alert->id);
  json_builder_set_member_name (b, "entity");
  json_builder_add_string_value (b, alert->entity_key ? alert->entity_key : "");
  json_builder_set_member_name (b, "priority");
  json_builder_add_string_value (b, tw_alert_priority_to_string (alert->priority));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, tw_alert_state_to_string (alert->state));
  twctl_json_add_time (b, "raised", alert->raised_us);
  twctl_json_add_time (b, "evidence_from", alert->evidence_from_ts);
  twctl_json_add_time (b, "evidence_to", alert->evidence_to_ts);
  json_builder_set_member_name (b, "occurrences");
  json_builder_add_int_value (b, alert->occurrences);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, alert->message ? alert->message : "");
  json_builder_end_object (b);
}

static int
cmd_preview (Twctl  *self,
             int     argc,
             char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *until = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  int minutes = PREVIEW_DEFAULT_MINUTES;
  gboolean json = FALSE;
  gint64 to_ts, from_ts;
  GOptionEntry entries[] = {
    { "minutes", 0, 0, G_OPTION_ARG_INT, &minutes, "Length of the window (default 60)", "N" },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until,
      "End of the window: an ISO 8601 time or “latest” (the newest stored sample); default now",
      "TIME" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options ("rules preview ID|FILE", entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (argc != 2 || minutes <= 0)
    {
      g_printerr ("twctl: usage: rules preview ID|FILE [--minutes N] [--until TIME|latest] "
                  "[--json]   (what the rule would have raised over stored data)\n");
      return EXIT_USAGE;
    }
  store = open_rules_store (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  rules = rules_to_preview (store, argv[1], &error);
  if (rules == NULL)
    return twctl_fail (error);
  if (!preview_end (store, until, &to_ts, &error))
    return twctl_fail (error);
  from_ts = to_ts - (gint64) minutes * TW_USEC_PER_MIN;
  from_text = tw_time_format_iso8601 (from_ts);
  to_text = tw_time_format_iso8601 (to_ts);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, from_text);
  json_builder_set_member_name (b, "to");
  json_builder_add_string_value (b, to_text);
  json_builder_set_member_name (b, "rules");
  json_builder_begin_array (b);
  if (!json)
    g_print ("From %s to %s:\n", from_text, to_text);
  for (guint i = 0; i < rules->len; i++)
    {
      TwRule *rule = g_ptr_array_index (rules, i);
      g_autoptr(GPtrArray) alerts = tw_rule_preview (store, rule, from_ts, to_ts, NULL, &error);

      if (alerts == NULL)
        return twctl_fail (error);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "rule");
      json_builder_add_string_value (b, rule->id);
      json_builder_set_member_name (b, "alerts");
      json_builder_begin_array (b);
      if (!json)
        g_print ("%s: %u alert%s\n", rule->id, alerts->len, alerts->len == 1 ? "" : "s");
      for (guint k = 0; k < alerts->len; k++)
        {
          TwAlert *alert = g_ptr_array_index (alerts, k);

          add_preview_alert (b, alert);
          if (!json)
            {
              g_autofree char *raised = tw_time_format_iso8601 (alert->raised_us);

              g_print ("  %s  %-10s %-6s %-12s %s\n", raised, alert->entity_key,
                       tw_alert_priority_to_string (alert->priority),
                       tw_alert_state_to_string (alert->state), alert->message);
            }
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (json)
    twctl_print_json (b);
  return 0;
}

/* ---- dispatch ---------------------------------------------------------- */

int
twctl_cmd_rules (Twctl  *self,
                 int     argc,
                 char  **argv)
{
  const char *sub = argc >= 2 ? argv[1] : "";

  if (g_str_equal (sub, "check"))
    return cmd_check (argc - 1, argv + 1);
  if (g_str_equal (sub, "list"))
    return cmd_list (self, argc - 1, argv + 1);
  if (g_str_equal (sub, "import"))
    return cmd_import (self, argc - 1, argv + 1);
  if (g_str_equal (sub, "enable"))
    return cmd_set_enabled (self, argc - 1, argv + 1, TRUE);
  if (g_str_equal (sub, "disable"))
    return cmd_set_enabled (self, argc - 1, argv + 1, FALSE);
  if (g_str_equal (sub, "export"))
    return cmd_export (self, argc - 1, argv + 1);
  if (g_str_equal (sub, "preview"))
    return cmd_preview (self, argc - 1, argv + 1);
  g_printerr ("twctl: usage: rules check FILE…|list|import FILE|enable ID|disable ID|"
              "export [FILE]|preview ID|FILE\n");
  return EXIT_USAGE;
}
