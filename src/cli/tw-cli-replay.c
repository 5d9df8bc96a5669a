#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-limits.h"
#include "tw-rule-preview.h"
#include "tw-source.h"
#include "tw-store-rules.h"
#include "tw-time.h"

/* The replay drains the queue after every main-loop turn of the file
 * source, so it never fills: the bound only has to be larger than what one
 * turn decodes, or the source would wait for a reader that is itself. */
#define REPLAY_QUEUE_ROWS (G_MAXUINT / 2)

typedef struct
{
  TwRulePlayback *playback;
  gboolean        json;
  guint64         messages;
  guint64         rejected;
  char           *first_reject;
} Replay;

/* ---- output ------------------------------------------------------------ */

static void
print_json_line (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  g_print ("%s\n", text);
}

/* What a transition means, in a word: self-transitions (active → active)
 * are events that do not change the state (tw-alert.h). */
static const char *
transition_event (const TwAlertTransition *t,
                  const TwAlert           *alert)
{
  if (t->from == TW_ALERT_STATE_NONE)
    return "raised";
  switch (t->to)
    {
    case TW_ALERT_STATE_ACKNOWLEDGED: return "acknowledged";
    case TW_ALERT_STATE_CLEARED:      return "cleared";
    case TW_ALERT_STATE_CLOSED:       return "closed";
    case TW_ALERT_STATE_ACTIVE:
      if (t->from != TW_ALERT_STATE_ACTIVE)
        return "re-raised";
      if (alert->escalated && alert->escalated_us == t->when_us)
        return "escalated";
      return alert->condition_active ? "re-raised" : "condition-ended";
    case TW_ALERT_STATE_NONE:
    default:
      return "unknown";
    }
}

static void
on_transition (const TwAlertTransition *t,
               const TwAlert           *alert,
               gpointer                 user_data)
{
  Replay *self = user_data;
  g_autofree char *when = tw_time_format_iso8601 (t->when_us);
  /* An alert known by id only (raised and closed within one step) has no
   * rule to print. */
  const char *priority = alert->rule_id != NULL
                         ? tw_alert_priority_to_string (alert->priority) : NULL;

  if (!self->json)
    {
      g_print ("%s  alert %" G_GUINT64_FORMAT "  %-24s %-10s %-6s %-15s %s\n", when,
               t->alert_id, alert->rule_id ? alert->rule_id : "?",
               alert->entity_key ? alert->entity_key : "?", priority ? priority : "?",
               transition_event (t, alert), alert->message ? alert->message : "");
      return;
    }

  {
    g_autoptr(JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "alert");
    json_builder_add_int_value (b, (gint64) t->alert_id);
    twctl_json_add_string (b, "rule", alert->rule_id);
    twctl_json_add_string (b, "entity", alert->entity_key);
    twctl_json_add_string (b, "priority", priority);
    json_builder_set_member_name (b, "from");
    json_builder_add_string_value (b, tw_alert_state_to_string (t->from));
    json_builder_set_member_name (b, "to");
    json_builder_add_string_value (b, tw_alert_state_to_string (t->to));
    json_builder_set_member_name (b, "event");
    json_builder_add_string_value (b, transition_event (t, alert));
    json_builder_set_member_name (b, "time");
    json_builder_add_string_value (b, when);
    json_builder_set_member_name (b, "time_us");
    json_builder_add_int_value (b, t->when_us);
    twctl_json_add_string (b, "message", alert->message);
    json_builder_set_member_name (b, "occurrences");
    json_builder_add_int_value (b, alert->occurrences);
    json_builder_set_member_name (b, "escalated");
    json_builder_add_boolean_value (b, alert->escalated);
    json_builder_end_object (b);
    print_json_line (b);
  }
}

static void
print_summary (Replay *self)
{
  guint64 samples = tw_rule_playback_get_samples (self->playback);
  guint64 raised = tw_rule_playback_get_raised (self->playback);
  guint64 transitions = tw_rule_playback_get_transitions (self->playback);
  guint64 too_late = tw_rule_playback_get_too_late (self->playback);
  guint open = tw_rule_playback_get_open (self->playback);

  if (!self->json)
    {
      g_autofree char *first = self->first_reject != NULL
                               ? g_strdup_printf (" (first: %s)", self->first_reject)
                               : g_strdup ("");

      g_print ("%" G_GUINT64_FORMAT " messages, %" G_GUINT64_FORMAT " samples: %"
               G_GUINT64_FORMAT " alerts raised, %" G_GUINT64_FORMAT " transitions, %u open "
               "at the end; %" G_GUINT64_FORMAT " samples too late, %" G_GUINT64_FORMAT
               " messages rejected%s\n", self->messages, samples, raised, transitions, open,
               too_late, self->rejected, first);
      return;
    }

  {
    g_autoptr(JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "summary");
    json_builder_add_boolean_value (b, TRUE);
    json_builder_set_member_name (b, "messages");
    json_builder_add_int_value (b, (gint64) self->messages);
    json_builder_set_member_name (b, "samples");
    json_builder_add_int_value (b, (gint64) samples);
    json_builder_set_member_name (b, "alerts_raised");
    json_builder_add_int_value (b, (gint64) raised);
    json_builder_set_member_name (b, "transitions");
    json_builder_add_int_value (b, (gint64) transitions);
    json_builder_set_member_name (b, "open_at_end");
    json_builder_add_int_value (b, open);
    json_builder_set_member_name (b, "too_late");
    json_builder_add_int_value (b, (gint64) too_late);
    json_builder_set_member_name (b, "rejected");
    json_builder_add_int_value (b, (gint64) self->rejected);
    twctl_json_add_string (b, "first_reject", self->first_reject);
    json_builder_end_object (b);
    print_json_line (b);
  }
}

/* ---- the recording ----------------------------------------------------- */

static void
play_batch (Replay  *self,
            TwBatch *batch)
{
  for (guint i = 0; i < batch->entities->len; i++)
    {
      const TwEntityInfo *info = &g_array_index (batch->entities, TwEntityInfo, i);

      if (info->group != NULL)
        tw_rule_playback_set_group (self->playback, info->key, info->group);
    }
  self->messages += batch->n_messages;
  self->rejected += batch->rejects->len;
  if (self->first_reject == NULL && batch->rejects->len > 0)
    self->first_reject = g_strdup (((TwReject *) g_ptr_array_index (batch->rejects, 0))->reason);
  tw_rule_playback_process (self->playback, batch->source_id,
                            (const TwSample *) batch->samples->data, batch->samples->len);
}

static void
drain (Replay  *self,
       TwQueue *queue)
{
  TwBatch *batch;

  while ((batch = tw_queue_pop (queue, 0)) != NULL)
    {
      play_batch (self, batch);
      tw_batch_free (batch);
    }
}

/* Decodes @path exactly as `twctl ingest FILE` would (the file source:
 * NDJSON of any format, a FHIR Bundle, an HL7 v2 batch) on a private main
 * context, and plays each batch as it comes. */
static gboolean
play_file (Replay          *self,
           const char      *path,
           const TwLimits  *limits,
           GError         **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  TwQueue *queue = tw_queue_new (REPLAY_QUEUE_ROWS);
  TwSourceLive *live = tw_source_live_new (0, path, -1);
  g_autofree char *failure = NULL;
  TwSource *source;
  gboolean ok = TRUE;

  g_main_context_push_thread_default (context);
  source = tw_source_new_for_url (path, -1, queue, live, error);
  if (source == NULL)
    {
      ok = FALSE;
      goto out;
    }
  /* The site's plausible ranges, as `twctl ingest` applies them. */
  source->limits = limits;
  tw_source_start (source);
  for (;;)
    {
      TwSourceState state;

      g_mutex_lock (&live->mutex);
      state = live->state;
      if (state == TW_SOURCE_STATE_STOPPED || state == TW_SOURCE_STATE_RECONNECTING)
        failure = g_strdup (live->last_error ? live->last_error : "the file could not be read");
      g_mutex_unlock (&live->mutex);
      if (failure != NULL || state == TW_SOURCE_STATE_FINISHED)
        break;
      g_main_context_iteration (context, TRUE);
      drain (self, queue);
    }
  tw_source_free (source);
  while (g_main_context_iteration (context, FALSE))
    ;
  drain (self, queue);
  if (failure != NULL)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT, "%s", failure);
      ok = FALSE;
    }

out:
  g_main_context_pop_thread_default (context);
  tw_source_live_free (live);
  tw_queue_free (queue);
  return ok;
}

/* Offline means a file: a network address would wait on a live peer. */
static gboolean
is_local_file (const char *what)
{
  g_autofree char *scheme = g_uri_parse_scheme (what);

  return scheme == NULL || g_ascii_strcasecmp (scheme, "file") == 0;
}

static gboolean
keep_enabled (GPtrArray *rules)
{
  for (guint i = rules->len; i > 0; i--)
    if (!((TwRule *) g_ptr_array_index (rules, i - 1))->enabled)
      g_ptr_array_remove_index (rules, i - 1);
  return rules->len > 0;
}

int
twctl_cmd_replay (Twctl  *self,
                  int     argc,
                  char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) rule_files = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(TwRulePlayback) playback = NULL;
  g_autoptr(TwLimits) limits = NULL;
  Replay replay = { 0 };
  gboolean json = FALSE;
  gboolean ok;
  GOptionEntry entries[] = {
    { "rules", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rule_files,
      "Rules or a rule pack (repeatable; default: the default packs)", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      "One JSON object per transition, then a summary object", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options ("replay FILE", entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (argc != 2)
    {
      g_printerr ("twctl: usage: replay FILE [--rules FILE]… [--json]   (runs a recorded "
                  "stream through the rules offline)\n");
      return EXIT_USAGE;
    }

  if (!is_local_file (argv[1]))
    {
      g_printerr ("twctl: replay reads a recording from a file; “%s” is not one (to store a "
                  "live stream use “twctl ingest”)\n", argv[1]);
      return EXIT_USAGE;
    }

  if (rule_files != NULL)
    {
      rules = twctl_load_rule_files ((const char * const *) rule_files, &error);
    }
  else
    {
      g_autofree char *dir = tw_store_default_rules_dir ();

      rules = twctl_load_rule_dir (dir, &error);
    }
  if (rules == NULL)
    return twctl_fail (error);
  if (!keep_enabled (rules))
    {
      g_printerr ("twctl: no enabled rule to replay with\n");
      return 1;
    }

  limits = tw_limits_load_for_data_dir (self->data_dir, &error);
  if (limits == NULL)
    return twctl_fail (error);
  playback = tw_rule_playback_new (rules, on_transition, &replay);
  replay.playback = playback;
  replay.json = json;
  ok = play_file (&replay, argv[1], limits, &error);
  if (ok)
    {
      tw_rule_playback_finish (playback, 0);
      print_summary (&replay);
    }
  g_free (replay.first_reject);
  if (!ok)
    return twctl_fail (error);
  return 0;
}
