#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "tw-audit.h"
#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-time.h"

/* `twctl audit verify|list|export`: the tamper-evident trail is read by
 * administrators only (the core refuses others too). */

#define AUDIT_PERMISSION   TW_PERM_READ_AUDIT
#define AUDIT_WHAT         "read the audit trail"
#define LIST_DEFAULT_LIMIT 100
#define EXIT_TAMPERED      1

static TwStore *
open_audit_store (Twctl       *self,
                  TwSession  **out_session,
                  GError     **error)
{
  return twctl_open_store_for (self, AUDIT_PERMISSION, AUDIT_WHAT, out_session, error);
}

static const char *
problem_name (TwAuditProblem problem)
{
  switch (problem)
    {
    case TW_AUDIT_INTACT:        return "intact";
    case TW_AUDIT_ROW_ALTERED:   return "row-altered";
    case TW_AUDIT_ROW_MISSING:   return "row-missing";
    case TW_AUDIT_TAIL_MISSING:  return "tail-missing";
    case TW_AUDIT_HEAD_MISSING:  return "head-missing";
    case TW_AUDIT_HEAD_MISMATCH: return "head-mismatch";
    default:                     return "unknown";
    }
}

static int
cmd_verify (Twctl  *self,
            int     argc,
            char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autofree char *sidecar = NULL;
  TwAuditReport report = { 0 };
  gboolean json = FALSE;
  int status;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options ("audit verify", entries, &argc, &argv, &error))
    return twctl_fail (error);
  store = open_audit_store (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  sidecar = g_build_filename (self->data_dir, TW_KEYSLOTS_FILENAME, NULL);
  if (!tw_audit_verify (store, sidecar, &report, &error))
    return twctl_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "intact");
      json_builder_add_boolean_value (b, report.problem == TW_AUDIT_INTACT);
      json_builder_set_member_name (b, "problem");
      json_builder_add_string_value (b, problem_name (report.problem));
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, report.seq);
      json_builder_set_member_name (b, "head_seq");
      json_builder_add_int_value (b, report.head_seq);
      json_builder_set_member_name (b, "rows");
      json_builder_add_int_value (b, report.n_rows);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, report.message);
      json_builder_end_object (b);
      twctl_print_json (b);
    }
  else
    {
      g_print ("%s\n", report.message);
    }
  status = report.problem == TW_AUDIT_INTACT ? 0 : EXIT_TAMPERED;
  tw_audit_report_clear (&report);
  return status;
}

/* ISO 8601 ("2026-11-23T08:00:00Z") or a day ("2026-11-23", UTC
 * midnight; with @end_of_day the last microsecond of that day). */
static gboolean
parse_time (const char  *option,
            const char  *text,
            gboolean     end_of_day,
            gint64      *out_ts,
            GError     **error)
{
  g_autofree char *midnight = NULL;

  if (text == NULL)
    return TRUE;
  if (tw_time_parse_iso8601 (text, out_ts))
    return TRUE;
  midnight = g_strconcat (text, "T00:00:00Z", NULL);
  if (strlen (text) == strlen ("YYYY-MM-DD") && tw_time_parse_iso8601 (midnight, out_ts))
    {
      if (end_of_day)
        *out_ts += 24 * TW_USEC_PER_HOUR - 1;
      return TRUE;
    }
  g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
               "%s “%s” is not a time; write it as 2026-11-23T08:00:00Z or 2026-11-23",
               option, text);
  return FALSE;
}

typedef struct
{
  char *user;
  char *action;
  char *since;
  char *until;
  char *search;
  int   limit;
  gboolean json;
} ListOptions;

static void
list_options_clear (ListOptions *o)
{
  g_free (o->user);
  g_free (o->action);
  g_free (o->since);
  g_free (o->until);
  g_free (o->search);
}

/* Options shared by list and export; export takes no --limit/--json. */
static gboolean
parse_filter (const char   *name,
              ListOptions  *o,
              gboolean      listing,
              int          *argc,
              char       ***argv,
              GError      **error)
{
  GOptionEntry entries[] = {
    { "user", 0, 0, G_OPTION_ARG_STRING, &o->user, "Only what this user did", "U" },
    { "action", 0, 0, G_OPTION_ARG_STRING, &o->action, "Only this action (e.g. login)", "A" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &o->since, "From this time on (ISO 8601 or a day)",
      "ISO" },
    { "until", 0, 0, G_OPTION_ARG_STRING, &o->until, "Up to this time (ISO 8601 or a day)",
      "ISO" },
    { "search", 0, 0, G_OPTION_ARG_STRING, &o->search, "Text in the subject or detail", "T" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &o->limit,
      "At most N rows, newest first (0: all)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, "Print JSON", NULL },
    { NULL }
  };

  if (!listing)
    entries[5] = entries[6] = (GOptionEntry) { NULL };
  return twctl_parse_command_options (name, entries, argc, argv, error);
}

static gboolean
make_filter (const ListOptions  *o,
             TwAuditFilter      *filter,
             GError            **error)
{
  *filter = (TwAuditFilter) { 0 };
  filter->actor = o->user;
  filter->action = o->action;
  filter->text = o->search;
  filter->limit = (guint) MAX (o->limit, 0);
  if (!parse_time ("--since", o->since, FALSE, &filter->from_ts, error)
      || !parse_time ("--until", o->until, TRUE, &filter->to_ts, error))
    return FALSE;
  if (filter->to_ts != 0 && filter->to_ts < filter->from_ts)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                           "--until is before --since; swap them");
      return FALSE;
    }
  return TRUE;
}

static void
print_rows_json (GPtrArray *rows)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    {
      const TwAuditRow *row = g_ptr_array_index (rows, i);
      g_autofree char *at = tw_time_format_iso8601 (row->at);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, row->seq);
      twctl_json_add_string (b, "time", at);
      twctl_json_add_string (b, "actor", row->actor);
      twctl_json_add_string (b, "action", row->action);
      twctl_json_add_string (b, "subject", row->subject);
      twctl_json_add_string (b, "detail", row->detail);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  twctl_print_json (b);
}

static void
print_rows_text (GPtrArray *rows)
{
  g_print ("%6s  %-19s  %-12s  %-18s  %-16s  %s\n", "SEQ", "TIME", "ACTOR", "ACTION", "SUBJECT",
           "DETAIL");
  for (guint i = 0; i < rows->len; i++)
    {
      const TwAuditRow *row = g_ptr_array_index (rows, i);
      g_autofree char *when = tw_time_format_local (row->at, "%Y-%m-%d %H:%M:%S");
      g_autofree char *detail = g_strdup (row->detail != NULL ? row->detail : "");

      /* One row per line, whatever a user typed into a note. */
      g_strdelimit (detail, "\r\n", ' ');
      g_print ("%6" G_GINT64_FORMAT "  %-19s  %-12s  %-18s  %-16s  %s\n", row->seq, when,
               row->actor, row->action, row->subject != NULL ? row->subject : "-", detail);
    }
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
  ListOptions o = { .limit = LIST_DEFAULT_LIMIT };
  TwAuditFilter filter;
  int status = 0;

  if (!parse_filter ("audit list", &o, TRUE, &argc, &argv, &error)
      || !make_filter (&o, &filter, &error))
    {
      list_options_clear (&o);
      g_printerr ("twctl: %s\n", error->message);
      return EXIT_USAGE;
    }
  store = open_audit_store (self, &session, &error);
  if (store != NULL)
    rows = tw_audit_list (store, &filter, &error);
  if (rows == NULL)
    status = twctl_fail (error);
  else if (o.json)
    print_rows_json (rows);
  else
    print_rows_text (rows);
  list_options_clear (&o);
  return status;
}

static gint
compare_seq (gconstpointer a,
             gconstpointer b)
{
  const TwAuditRow *ra = *(const TwAuditRow * const *) a;
  const TwAuditRow *rb = *(const TwAuditRow * const *) b;

  return ra->seq < rb->seq ? -1 : ra->seq > rb->seq;
}

/* The file is readable by its owner only (it names users and what they
 * did) and replaced whole, never left half written. */
static gboolean
export_rows (GPtrArray   *rows,
             const char  *path,
             GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileOutputStream) out = NULL;

  out = g_file_replace (file, NULL, FALSE,
                        G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (out == NULL)
    return FALSE;
  if (!tw_audit_write_csv (rows, G_OUTPUT_STREAM (out), NULL, error))
    {
      g_autoptr(GCancellable) cancel = g_cancellable_new ();

      /* Closing cancelled keeps the old file. */
      g_cancellable_cancel (cancel);
      g_output_stream_close (G_OUTPUT_STREAM (out), cancel, NULL);
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

static int
cmd_export (Twctl  *self,
            int     argc,
            char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *detail = NULL;
  ListOptions o = { 0 };
  TwAuditFilter filter;
  int status = 0;

  if (!parse_filter ("audit export FILE", &o, FALSE, &argc, &argv, &error)
      || !make_filter (&o, &filter, &error) || argc != 2)
    {
      list_options_clear (&o);
      g_printerr ("twctl: %s\n", error != NULL ? error->message
                  : "usage: audit export FILE [--user U] [--action A] [--since ISO] "
                    "[--until ISO] [--search T]   (CSV, oldest first)");
      return EXIT_USAGE;
    }
  store = open_audit_store (self, &session, &error);
  if (store != NULL)
    rows = tw_audit_list (store, &filter, &error);
  if (rows != NULL)
    g_ptr_array_sort (rows, compare_seq);
  if (rows == NULL || !export_rows (rows, argv[1], &error))
    {
      list_options_clear (&o);
      return twctl_fail (error);
    }
  /* Taking the trail out of the store is itself on the trail. */
  detail = g_strdup_printf ("%u audit rows to %s", rows->len, argv[1]);
  if (!tw_audit_append (store, NULL, TW_AUDIT_EXPORT, "audit trail", detail, &error))
    status = twctl_fail (error);
  else
    g_print ("Exported %u audit rows to %s (readable by you only).\n", rows->len, argv[1]);
  list_options_clear (&o);
  return status;
}

int
twctl_cmd_audit (Twctl  *self,
                 int     argc,
                 char  **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "verify"))
    return cmd_verify (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return cmd_list (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "export"))
    return cmd_export (self, argc - 1, argv + 1);
  g_printerr ("twctl: usage: audit verify [--json]\n"
              "       audit list [--user U] [--action A] [--since ISO] [--until ISO] "
              "[--search T] [--limit N] [--json]\n"
              "       audit export FILE [the same filters]\n");
  return EXIT_USAGE;
}
