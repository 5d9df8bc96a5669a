#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include "tw-cli-secret.h"
#include "tw-error.h"
#include "tw-pipeline.h"
#include "tw-session.h"
#include "tw-time.h"

#define EXIT_USAGE          2
#define PROGRESS_PERIOD_MS  200

typedef struct
{
  char         *data_dir;
  char         *user;
  char         *password_file;
  char         *new_password_file;
  char         *kdf_cost;
  TwCliSecrets *secrets;
} Twctl;

static const char usage_text[] =
  "Commands:\n"
  "  init --admin NAME                 create an encrypted store and its first administrator\n"
  "  user add NAME --role ROLE         add a user (admin, clinician, operator, analyst)\n"
  "  user list [--json]                list users and roles\n"
  "  user passwd NAME                  set a user's password\n"
  "  ingest URL [--duration SECONDS]   store a live stream until it ends or is interrupted\n"
  "  patients [--json]                 patients as your role may see them\n"
  "  stats [--json]                    what each source delivered and each series holds\n"
  "\n"
  "Passwords are read from the terminal, from standard input when it is not a terminal\n"
  "(one per line: first the signing-in user's, then a new one), or from --password-file\n"
  "and --new-password-file; never from the command line.";

static int
fail (GError *error)
{
  g_printerr ("twctl: %s\n", error->message);
  return 1;
}

static gboolean
parse_command_options (const char    *name,
                       GOptionEntry  *entries,
                       int           *argc,
                       char        ***argv,
                       GError       **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (name);

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_help_enabled (context, TRUE);
  return g_option_context_parse (context, argc, argv, error);
}

static TwSession *
sign_in (Twctl   *self,
         GError **error)
{
  g_autofree char *user = NULL;
  char *password;
  TwSession *session;

  if (!tw_data_dir_is_initialized (self->data_dir))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_INITIALIZED,
                   "There is no Tidewatch store in %s; create one with "
                   "“twctl --data-dir %s init --admin NAME”", self->data_dir, self->data_dir);
      return NULL;
    }

  if (self->user != NULL)
    user = g_strdup (self->user);
  else if (isatty (STDIN_FILENO))
    user = tw_cli_secrets_read_line (self->secrets, "User: ", error);
  else
    g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                         "Say who signs in with --user NAME");
  if (user == NULL)
    return NULL;

  password = tw_cli_secrets_read (self->secrets, self->password_file, "Password: ", FALSE, error);
  if (password == NULL)
    return NULL;
  session = tw_session_login (self->data_dir, user, password, error);
  tw_cli_secret_free (password);
  return session;
}

static char *
read_new_password (Twctl      *self,
                   const char *whose,
                   GError    **error)
{
  g_autofree char *prompt = g_strdup_printf ("New password for %s: ", whose);

  return tw_cli_secrets_read (self->secrets, self->new_password_file, prompt, TRUE, error);
}

static TwKdfCost
kdf_cost (Twctl *self)
{
  TwKdfCost cost = TW_KDF_COST_DEFAULT;

  if (self->kdf_cost != NULL && !tw_kdf_cost_from_string (self->kdf_cost, &cost))
    {
      g_printerr ("twctl: unknown --kdf-cost “%s” (min, interactive, moderate, sensitive)\n",
                  self->kdf_cost);
      exit (EXIT_USAGE);
    }
  return cost;
}

/* ---- init ------------------------------------------------------------- */

static int
cmd_init (Twctl  *self,
          int     argc,
          char  **argv)
{
  g_autofree char *admin = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  char *password;
  GOptionEntry entries[] = {
    { "admin", 0, 0, G_OPTION_ARG_STRING, &admin, "Name of the first administrator", "NAME" },
    { NULL }
  };

  if (!parse_command_options ("init --admin NAME", entries, &argc, &argv, &error))
    return fail (error);
  if (admin == NULL)
    {
      g_printerr ("twctl: init needs --admin NAME\n");
      return EXIT_USAGE;
    }

  password = read_new_password (self, admin, &error);
  if (password == NULL)
    return fail (error);
  session = tw_session_initialize (self->data_dir, admin, password, kdf_cost (self), &error);
  tw_cli_secret_free (password);
  if (session == NULL)
    return fail (error);

  g_print ("Created an encrypted store in %s with the administrator %s.\n", self->data_dir, admin);
  return 0;
}

/* ---- user ------------------------------------------------------------- */

static int
cmd_user_add (Twctl  *self,
              int     argc,
              char  **argv)
{
  g_autofree char *role_name = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  char *password;
  TwRole role;
  gboolean ok;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_name, "admin, clinician, operator or analyst",
      "ROLE" },
    { NULL }
  };

  if (!parse_command_options ("user add NAME --role ROLE", entries, &argc, &argv, &error))
    return fail (error);
  if (argc != 2 || !tw_role_from_string (role_name, &role))
    {
      g_printerr ("twctl: usage: user add NAME --role admin|clinician|operator|analyst\n");
      return EXIT_USAGE;
    }

  session = sign_in (self, &error);
  if (session == NULL)
    return fail (error);
  if (!tw_session_can (session, TW_PERM_MANAGE_USERS))
    {
      g_printerr ("twctl: only an administrator may add users\n");
      return 1;
    }
  password = read_new_password (self, argv[1], &error);
  if (password == NULL)
    return fail (error);
  ok = tw_session_add_user (session, argv[1], role, password, &error);
  tw_cli_secret_free (password);
  if (!ok)
    return fail (error);
  g_print ("Added %s as %s.\n", argv[1], tw_role_to_string (role));
  return 0;
}

static int
cmd_user_list (Twctl  *self,
               int     argc,
               char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(GPtrArray) users = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };

  if (!parse_command_options ("user list", entries, &argc, &argv, &error))
    return fail (error);
  session = sign_in (self, &error);
  if (session == NULL)
    return fail (error);
  users = tw_session_list_users (session, &error);
  if (users == NULL)
    return fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < users->len; i++)
        {
          TwUserRow *row = g_ptr_array_index (users, i);
          g_autofree char *created = tw_time_format_iso8601 (row->created_at);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, row->name);
          json_builder_set_member_name (builder, "role");
          json_builder_add_string_value (builder, tw_role_to_string (row->role));
          json_builder_set_member_name (builder, "created");
          json_builder_add_string_value (builder, created);
          json_builder_set_member_name (builder, "disabled");
          json_builder_add_boolean_value (builder, row->disabled);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      text = json_to_string (root, TRUE);
      g_print ("%s\n", text);
      return 0;
    }

  g_print ("%-24s %-10s %s\n", "USER", "ROLE", "CREATED");
  for (guint i = 0; i < users->len; i++)
    {
      TwUserRow *row = g_ptr_array_index (users, i);
      g_autofree char *created = tw_time_format_local (row->created_at, "%Y-%m-%d %H:%M");

      g_print ("%-24s %-10s %s%s\n", row->name, tw_role_to_string (row->role), created,
               row->disabled ? " (disabled)" : "");
    }
  return 0;
}

static int
cmd_user_passwd (Twctl  *self,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  char *password;
  gboolean ok;

  if (argc != 2)
    {
      g_printerr ("twctl: usage: user passwd NAME\n");
      return EXIT_USAGE;
    }
  session = sign_in (self, &error);
  if (session == NULL)
    return fail (error);
  if (!g_str_equal (argv[1], tw_session_get_user (session))
      && !tw_session_can (session, TW_PERM_MANAGE_USERS))
    {
      g_printerr ("twctl: only an administrator may set another user's password\n");
      return 1;
    }
  password = read_new_password (self, argv[1], &error);
  if (password == NULL)
    return fail (error);
  ok = tw_session_set_password (session, argv[1], password, &error);
  tw_cli_secret_free (password);
  if (!ok)
    return fail (error);
  g_print ("Password of %s changed.\n", argv[1]);
  return 0;
}

static int
cmd_user (Twctl  *self,
          int     argc,
          char  **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "add"))
    return cmd_user_add (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return cmd_user_list (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "passwd"))
    return cmd_user_passwd (self, argc - 1, argv + 1);
  g_printerr ("twctl: usage: user add|list|passwd …\n");
  return EXIT_USAGE;
}

/* ---- ingest ----------------------------------------------------------- */

typedef struct
{
  GMainLoop  *loop;
  TwPipeline *pipeline;
  gint64      deadline;
  gboolean    interrupted;
  gboolean    show_progress;
} IngestRun;

static gboolean
on_signal (gpointer data)
{
  IngestRun *run = data;

  run->interrupted = TRUE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_progress (gpointer data)
{
  IngestRun *run = data;
  g_autoptr(TwPipelineStatus) status = tw_pipeline_get_status (run->pipeline);

  if (run->show_progress && status->sources->len > 0)
    {
      TwSourceStatus *s = g_ptr_array_index (status->sources, 0);

      g_printerr ("\r%s · %.0f msg/s · received %" G_GUINT64_FORMAT " · stored %" G_GUINT64_FORMAT
                  " samples   ", tw_source_state_to_label (s->state), s->message_rate, s->received,
                  s->stored);
    }
  if (status->finished || (run->deadline > 0 && g_get_monotonic_time () >= run->deadline))
    g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static int
cmd_ingest (Twctl  *self,
            int     argc,
            char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(TwPipelineStatus) status = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  double duration = 0;
  IngestRun run = { 0 };
  guint sigint_id, sigterm_id, progress_id;
  GOptionEntry entries[] = {
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration, "Stop after this many seconds",
      "SECONDS" },
    { NULL }
  };

  if (!parse_command_options ("ingest URL", entries, &argc, &argv, &error))
    return fail (error);
  if (argc != 2)
    {
      g_printerr ("twctl: usage: ingest URL [--duration SECONDS]\n");
      return EXIT_USAGE;
    }

  session = sign_in (self, &error);
  if (session == NULL)
    return fail (error);
  if (!tw_session_can (session, TW_PERM_MANAGE_SOURCES))
    {
      g_printerr ("twctl: only an administrator may ingest into the store\n");
      return 1;
    }

  pipeline = tw_pipeline_new (session, &error);
  if (pipeline == NULL || !tw_pipeline_add_source (pipeline, argv[1], &error))
    return fail (error);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.pipeline = pipeline;
  run.show_progress = isatty (STDERR_FILENO);
  if (duration > 0)
    run.deadline = g_get_monotonic_time () + (gint64) (duration * TW_USEC_PER_SEC);

  sigint_id = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &run);
  progress_id = g_timeout_add (PROGRESS_PERIOD_MS, on_progress, &run);

  tw_pipeline_start (pipeline);
  g_main_loop_run (loop);

  g_source_remove (progress_id);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  tw_pipeline_stop (pipeline);

  status = tw_pipeline_get_status (pipeline);
  if (run.show_progress)
    g_printerr ("\n");
  for (guint i = 0; i < status->sources->len; i++)
    {
      TwSourceStatus *s = g_ptr_array_index (status->sources, i);

      g_print ("%s: %s; received %" G_GUINT64_FORMAT " messages, stored %" G_GUINT64_FORMAT
               " samples, %" G_GUINT64_FORMAT " duplicates, %" G_GUINT64_FORMAT " quarantined,"
               " %u reconnects, resume after %" G_GINT64_FORMAT "\n",
               s->url, tw_source_state_to_label (s->state), s->received, s->stored,
               s->duplicates, s->quarantined, s->reconnects, s->committed_seq);
    }
  if (status->storage_error != NULL)
    {
      g_printerr ("twctl: %s\n", status->storage_error);
      return 1;
    }
  return 0;
}

/* ---- patients --------------------------------------------------------- */

static int
cmd_patients (Twctl  *self,
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

  if (!parse_command_options ("patients", entries, &argc, &argv, &error))
    return fail (error);
  session = sign_in (self, &error);
  if (session == NULL)
    return fail (error);
  store = tw_session_open_store (session, &error);
  if (store == NULL)
    return fail (error);
  /* Masking by role happens inside the query. */
  rows = tw_store_list_entities (store, tw_session_get_role (session), &error);
  if (rows == NULL)
    return fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < rows->len; i++)
        {
          TwEntityRow *row = g_ptr_array_index (rows, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, row->key);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, row->display_name);
          json_builder_set_member_name (b, "mrn");
          if (row->mrn != NULL)
            json_builder_add_string_value (b, row->mrn);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "location");
          if (row->location != NULL)
            json_builder_add_string_value (b, row->location);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      text = json_to_string (root, TRUE);
      g_print ("%s\n", text);
      return 0;
    }

  g_print ("%-10s %-10s %-14s %s\n", "ID", "BED", "MRN", "NAME");
  for (guint i = 0; i < rows->len; i++)
    {
      TwEntityRow *row = g_ptr_array_index (rows, i);

      g_print ("%-10s %-10s %-14s %s\n", row->key, row->location ? row->location : "–",
               row->mrn ? row->mrn : "–", row->display_name);
    }
  return 0;
}

/* ---- stats ------------------------------------------------------------ */

static void
add_time_member (JsonBuilder *builder,
                 const char  *name,
                 gint64       usec)
{
  g_autofree char *text = tw_time_format_iso8601 (usec);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

static int
cmd_stats (Twctl  *self,
           int     argc,
           char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) series = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };

  if (!parse_command_options ("stats", entries, &argc, &argv, &error))
    return fail (error);
  session = sign_in (self, &error);
  if (session == NULL)
    return fail (error);
  store = tw_session_open_store (session, &error);
  if (store == NULL)
    return fail (error);
  sources = tw_store_list_sources (store, &error);
  if (sources == NULL)
    return fail (error);
  series = tw_store_list_series_stats (store, &error);
  if (series == NULL)
    return fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "sources");
      json_builder_begin_array (b);
      for (guint i = 0; i < sources->len; i++)
        {
          TwSourceRow *s = g_ptr_array_index (sources, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, s->id);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, s->name);
          json_builder_set_member_name (b, "url");
          json_builder_add_string_value (b, s->url);
          json_builder_set_member_name (b, "received");
          json_builder_add_int_value (b, (gint64) s->counters.received);
          json_builder_set_member_name (b, "stored");
          json_builder_add_int_value (b, (gint64) s->counters.stored);
          json_builder_set_member_name (b, "duplicates");
          json_builder_add_int_value (b, (gint64) s->counters.duplicates);
          json_builder_set_member_name (b, "quarantined");
          json_builder_add_int_value (b, (gint64) s->counters.quarantined);
          json_builder_set_member_name (b, "cursor");
          json_builder_add_int_value (b, s->cursor_seq);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "series");
      json_builder_begin_array (b);
      for (guint i = 0; i < series->len; i++)
        {
          TwSeriesStats *s = g_ptr_array_index (series, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "entity");
          json_builder_add_string_value (b, s->entity);
          json_builder_set_member_name (b, "metric");
          json_builder_add_string_value (b, s->metric);
          json_builder_set_member_name (b, "count");
          json_builder_add_int_value (b, s->count);
          if (s->count > 0)
            {
              add_time_member (b, "first", s->first_ts);
              add_time_member (b, "last", s->last_ts);
              json_builder_set_member_name (b, "first_us");
              json_builder_add_int_value (b, s->first_ts);
              json_builder_set_member_name (b, "last_us");
              json_builder_add_int_value (b, s->last_ts);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      text = json_to_string (root, TRUE);
      g_print ("%s\n", text);
      return 0;
    }

  g_print ("%-40s %10s %10s %10s %11s %8s\n", "SOURCE", "RECEIVED", "STORED", "DUPLICATES",
           "QUARANTINED", "CURSOR");
  for (guint i = 0; i < sources->len; i++)
    {
      TwSourceRow *s = g_ptr_array_index (sources, i);

      g_print ("%-40s %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT
               " %11" G_GUINT64_FORMAT " %8" G_GINT64_FORMAT "\n", s->name, s->counters.received,
               s->counters.stored, s->counters.duplicates, s->counters.quarantined, s->cursor_seq);
    }
  g_print ("\n%-12s %-8s %10s  %-19s  %-19s\n", "ENTITY", "METRIC", "SAMPLES", "FIRST", "LAST");
  for (guint i = 0; i < series->len; i++)
    {
      TwSeriesStats *s = g_ptr_array_index (series, i);
      g_autofree char *first = tw_time_format_local (s->first_ts, "%Y-%m-%d %H:%M:%S");
      g_autofree char *last = tw_time_format_local (s->last_ts, "%Y-%m-%d %H:%M:%S");

      g_print ("%-12s %-8s %10" G_GINT64_FORMAT "  %-19s  %-19s\n", s->entity, s->metric,
               s->count, first, last);
    }
  return 0;
}

/* ---- main ------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  Twctl self = { 0 };
  gboolean version = FALSE;
  int status;
  GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Data directory (default: the user's data dir/tidewatch)", "DIR" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &self.user, "Who signs in", "NAME" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &self.password_file,
      "Read the signing-in user's password from FILE", "FILE" },
    { "new-password-file", 0, 0, G_OPTION_ARG_FILENAME, &self.new_password_file,
      "Read a new password from FILE", "FILE" },
    { "kdf-cost", 0, 0, G_OPTION_ARG_STRING, &self.kdf_cost,
      "Argon2id cost of new key slots: moderate (default), interactive, sensitive; min is for "
      "tests only", "COST" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("COMMAND [ARGS…] — manage a Tidewatch store");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, usage_text);
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("twctl: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (version)
    {
      g_print ("twctl %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return EXIT_USAGE;
    }

  self.data_dir = data_dir != NULL ? g_strdup (data_dir) : tw_data_dir_get_default ();
  self.secrets = tw_cli_secrets_new ();

  if (g_str_equal (argv[1], "init"))
    status = cmd_init (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "user"))
    status = cmd_user (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "ingest"))
    status = cmd_ingest (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "patients"))
    status = cmd_patients (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "stats"))
    status = cmd_stats (&self, argc - 1, argv + 1);
  else
    {
      g_printerr ("twctl: unknown command “%s”\n%s\n", argv[1], usage_text);
      status = EXIT_USAGE;
    }

  tw_cli_secrets_free (self.secrets);
  g_free (self.data_dir);
  g_free (self.user);
  g_free (self.password_file);
  g_free (self.new_password_file);
  g_free (self.kdf_cost);
  return status;
}
