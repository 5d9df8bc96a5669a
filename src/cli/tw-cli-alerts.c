#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-store-alerts.h"
#include "tw-time.h"

/* Alerts name patients and what is wrong with them: the people who handle
 * alarms read them (ARCHITECTURE.md, "Roles"). */
#define ALERTS_PERMISSION TW_PERM_HANDLE_ALERTS
#define HISTORY_DEFAULT_LIMIT 200

static TwStore *
open_alerts_store (Twctl       *self,
                   TwSession  **out_session,
                   GError     **error)
{
  g_autoptr(TwSession) session = twctl_sign_in (self, error);
  TwStore *store;

  if (session == NULL)
    return NULL;
  if (!tw_session_can (session, ALERTS_PERMISSION))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                   "an %s may not read alerts; clinicians and operators handle them",
                   tw_role_to_string (tw_session_get_role (session)));
      return NULL;
    }
  store = tw_session_open_store (session, error);
  if (store != NULL)
    *out_session = g_steal_pointer (&session);
  return store;
}

/* Entity key → TwEntityRow as the role may see it: identity is masked by
 * the store's query, never here. */
static GHashTable *
load_entities (TwStore    *store,
               TwSession  *session,
               GPtrArray **out_rows,
               GError    **error)
{
  g_autoptr(GPtrArray) rows = tw_store_list_entities (store, tw_session_get_role (session), error);
  GHashTable *by_key;

  if (rows == NULL)
    return NULL;
  by_key = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < rows->len; i++)
    {
      TwEntityRow *row = g_ptr_array_index (rows, i);

      g_hash_table_insert (by_key, row->key, row);
    }
  *out_rows = g_steal_pointer (&rows);
  return by_key;
}

static void
add_record_json (JsonBuilder         *b,
                 const TwAlertRecord *record,
                 GHashTable          *entities)
{
  const TwAlert *a = record->alert;
  const TwEntityRow *entity = g_hash_table_lookup (entities, a->entity_key);

  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, (gint64) a->id);
  twctl_json_add_string (b, "rule", a->rule_id);
  twctl_json_add_string (b, "entity", a->entity_key);
  twctl_json_add_string (b, "name", entity != NULL ? entity->display_name : NULL);
  twctl_json_add_string (b, "location", entity != NULL ? entity->location : NULL);
  twctl_json_add_string (b, "group", record->group != NULL ? record->group : a->group);
  twctl_json_add_string (b, "priority", tw_alert_priority_to_string (a->priority));
  twctl_json_add_string (b, "state", tw_alert_state_to_string (a->state));
  twctl_json_add_string (b, "category", tw_alert_category_to_string (a->category));
  json_builder_set_member_name (b, "latching");
  json_builder_add_boolean_value (b, a->latching);
  json_builder_set_member_name (b, "condition_active");
  json_builder_add_boolean_value (b, a->condition_active);
  json_builder_set_member_name (b, "occurrences");
  json_builder_add_int_value (b, a->occurrences);
  twctl_json_add_string (b, "message", a->message);
  twctl_json_add_time (b, "raised", a->raised_us);
  twctl_json_add_time (b, "updated", a->updated_us);
  twctl_json_add_string (b, "acknowledged_by", a->acknowledged_by);
  twctl_json_add_time (b, "acknowledged_at", a->acknowledged_us);
  twctl_json_add_string (b, "ack_note", a->ack_note);
  json_builder_set_member_name (b, "escalated");
  json_builder_add_boolean_value (b, a->escalated);
  twctl_json_add_time (b, "evidence_from", record->evidence_from_ts);
  twctl_json_add_time (b, "evidence_to", record->evidence_to_ts);
  json_builder_set_member_name (b, "source_id");
  json_builder_add_int_value (b, record->source_id);
}

/* --since takes a time or an age: "2026-01-31T08:00:00Z", "90m", "2h",
 * "7d". */
static gboolean
parse_since (const char  *text,
             gint64      *out_ts,
             GError     **error)
{
  char *end = NULL;
  gint64 n;
  gint64 unit = 0;

  if (tw_time_parse_iso8601 (text, out_ts))
    return TRUE;
  n = g_ascii_strtoll (text, &end, 10);
  if (end != text && n >= 0 && end[0] != '\0' && end[1] == '\0')
    {
      switch (end[0])
        {
        case 'm': unit = TW_USEC_PER_MIN; break;
        case 'h': unit = TW_USEC_PER_HOUR; break;
        case 'd': unit = 24 * TW_USEC_PER_HOUR; break;
        default: break;
        }
    }
  if (unit == 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "--since takes an ISO 8601 time (2026-01-31T08:00:00Z) or an age "
                   "(90m, 2h, 7d), not “%s”", text);
      return FALSE;
    }
  *out_ts = tw_time_now () - n * unit;
  return TRUE;
}

static int
cmd_list (Twctl     *self,
          int        argc,
          char     **argv,
          gboolean   history)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) entity_rows = NULL;
  g_autoptr(GHashTable) entities = NULL;
  g_autofree char *search = NULL;
  g_autofree char *since = NULL;
  gboolean json = FALSE;
  gboolean all = history;
  int limit = HISTORY_DEFAULT_LIMIT;
  gint64 since_ts = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "History: closed alerts too, newest first", NULL },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search,
      "History: only alerts whose rule, entity, message, group, or a transition's who or note "
      "contain TEXT", "TEXT" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      "History: raised at or after TIME (ISO 8601) or within an age (90m, 2h, 7d)", "TIME" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "History: at most N alerts (0: all)", "N" },
    { NULL }
  };

  if (!twctl_parse_command_options ("alerts list", entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (argc != 1)
    {
      g_printerr ("twctl: usage: alerts list [--json] [--all [--search TEXT] [--since TIME]]\n");
      return EXIT_USAGE;
    }
  if (since != NULL && !parse_since (since, &since_ts, &error))
    return twctl_fail (error);
  /* Searching only makes sense over the history. */
  all = all || search != NULL || since != NULL;

  store = open_alerts_store (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  entities = load_entities (store, session, &entity_rows, &error);
  if (entities == NULL)
    return twctl_fail (error);
  records = all ? tw_store_list_alert_history (store, search, since_ts, 0,
                                               (guint) MAX (limit, 0), &error)
                : tw_store_list_open_alerts (store, &error);
  if (records == NULL)
    return twctl_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < records->len; i++)
        {
          json_builder_begin_object (b);
          add_record_json (b, g_ptr_array_index (records, i), entities);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      twctl_print_json (b);
      return 0;
    }

  g_print ("%6s  %-6s %-12s %-10s %-20s %-24s %s\n", "ID", "PRIO", "STATE", "ENTITY", "RAISED",
           "RULE", "MESSAGE");
  for (guint i = 0; i < records->len; i++)
    {
      const TwAlert *a = ((TwAlertRecord *) g_ptr_array_index (records, i))->alert;
      g_autofree char *raised = tw_time_format_local (a->raised_us, "%Y-%m-%d %H:%M:%S");

      /* Priority in words, not only in order: never by position alone. */
      g_print ("%6" G_GUINT64_FORMAT "  %-6s %-12s %-10s %-20s %-24s %s\n", a->id,
               tw_alert_priority_to_string (a->priority), tw_alert_state_to_string (a->state),
               a->entity_key, raised, a->rule_id, a->message ? a->message : "");
    }
  return 0;
}

static int
cmd_show (Twctl  *self,
          int     argc,
          char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(TwAlertRecord) record = NULL;
  g_autoptr(GPtrArray) transitions = NULL;
  g_autoptr(GPtrArray) entity_rows = NULL;
  g_autoptr(GHashTable) entities = NULL;
  gboolean json = FALSE;
  char *end = NULL;
  guint64 id;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options ("alerts show ID", entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (argc != 2)
    {
      g_printerr ("twctl: usage: alerts show ID [--json]   (the alert and every transition)\n");
      return EXIT_USAGE;
    }
  id = g_ascii_strtoull (argv[1], &end, 10);
  if (end == argv[1] || *end != '\0' || id == 0)
    {
      g_printerr ("twctl: “%s” is not an alert id (a number from “twctl alerts list”)\n",
                  argv[1]);
      return EXIT_USAGE;
    }

  store = open_alerts_store (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  entities = load_entities (store, session, &entity_rows, &error);
  if (entities == NULL)
    return twctl_fail (error);
  if (!tw_store_get_alert (store, id, &record, &error))
    return twctl_fail (error);
  transitions = tw_store_list_alert_transitions (store, id, &error);
  if (transitions == NULL)
    return twctl_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_record_json (b, record, entities);
      json_builder_set_member_name (b, "transitions");
      json_builder_begin_array (b);
      for (guint i = 0; i < transitions->len; i++)
        {
          TwAlertTransitionRow *t = g_ptr_array_index (transitions, i);

          json_builder_begin_object (b);
          twctl_json_add_string (b, "from", tw_alert_state_to_string (t->from));
          twctl_json_add_string (b, "to", tw_alert_state_to_string (t->to));
          twctl_json_add_string (b, "who", t->who);
          twctl_json_add_time (b, "at", t->at);
          twctl_json_add_string (b, "note", t->note);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      twctl_print_json (b);
      return 0;
    }

  {
    const TwAlert *a = record->alert;
    const TwEntityRow *entity = g_hash_table_lookup (entities, a->entity_key);

    g_print ("Alert %" G_GUINT64_FORMAT ": %s priority, %s\n", a->id,
             tw_alert_priority_to_string (a->priority), tw_alert_state_to_string (a->state));
    g_print ("  rule      %s\n  entity    %s%s%s\n  message   %s\n", a->rule_id, a->entity_key,
             entity != NULL ? " " : "", entity != NULL ? entity->display_name : "",
             a->message ? a->message : "");
    for (guint i = 0; i < transitions->len; i++)
      {
        TwAlertTransitionRow *t = g_ptr_array_index (transitions, i);
        g_autofree char *at = tw_time_format_local (t->at, "%Y-%m-%d %H:%M:%S");

        g_print ("  %s  %-12s → %-12s %-10s %s\n", at, tw_alert_state_to_string (t->from),
                 tw_alert_state_to_string (t->to), t->who ? t->who : "(system)",
                 t->note ? t->note : "");
      }
  }
  return 0;
}

int
twctl_cmd_alerts (Twctl  *self,
                  int     argc,
                  char  **argv)
{
  const char *sub = argc >= 2 ? argv[1] : "";

  if (g_str_equal (sub, "list"))
    return cmd_list (self, argc - 1, argv + 1, FALSE);
  /* "history" is "list --all". */
  if (g_str_equal (sub, "history"))
    return cmd_list (self, argc - 1, argv + 1, TRUE);
  if (g_str_equal (sub, "show"))
    return cmd_show (self, argc - 1, argv + 1);
  g_printerr ("twctl: usage: alerts list [--json] [--all] [--search TEXT] [--since TIME] | "
              "alerts history [--search TEXT] [--since TIME] | alerts show ID [--json]\n");
  return EXIT_USAGE;
}
