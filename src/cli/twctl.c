#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-pipeline.h"
#include "tw-session.h"
#include "tw-time.h"


static const char usage_text[] =
  "Commands:\n"
  "  init --admin NAME                 create an encrypted store and its first administrator\n"
  "  user add NAME --role ROLE [--wards W1,W2] [--one-time]\n"
  "                                    add a user (admin, clinician, operator, analyst);\n"
  "                                    --one-time prints a password to change at first sign-in\n"
  "  user list [--json]                list users and roles\n"
  "  user passwd NAME                  set a user's password\n"
  "  user disable|enable|reset|unlock|remove NAME, user role NAME ROLE\n"
  "                                    manage accounts (reset prints a one-time password;\n"
  "                                    remove re-encrypts the store)\n"
  "  passwd                            change your own password\n"
  "  wards USER [WARD…|--all|--none]   show or set the wards a clinician sees\n"
  "  break-glass open PATIENT --reason TEXT|close ID|list [--unreviewed]|review ID [--note T]\n"
  "                                    emergency access outside your wards, and its review\n"
  "  audit verify|list [filters]|export FILE\n"
  "                                    check the tamper-evident audit trail, read or export it\n"
  "  store check                       read every page and check its integrity\n"
  "  ingest URL|FILE [--duration S]    store a live stream (ws://, http://, mqtt://, mllp://,\n"
  "                                    mllp-listen://) or replay a file, until it ends\n"
  "  patients [--json]                 patients as your role may see them\n"
  "  stats [--json]                    what each source delivered and each series holds\n"
  "  source list|add NAME URL|set-url ID URL|pause ID|resume ID|remove ID|test URL\n"
  "                                    configure the sources the app reads\n"
  "  quarantine list|show ID|reprocess [ID…]|export FILE\n"
  "                                    review messages that could not be used\n"
  "  rules check FILE…                 validate rule or pack files (no store needed)\n"
  "  rules list|import FILE|enable ID|disable ID|export [FILE]|preview ID|FILE\n"
  "                                    manage the alert rules in the store\n"
  "  alerts list [--all] [--search T]  open alerts (with --all: the history)\n"
  "  alerts show ID                    one alert and its transitions (who, when, note)\n"
  "  replay FILE [--rules FILE]        run a recorded stream through the rules offline and\n"
  "                                    print every alert transition (--json: one per line)\n"
  "  news2 --rr N --spo2 N [--scale2] (--air|--o2) --sbp N --pulse N --acvpu A|C|V|P|U --temp N\n"
  "                                    the NEWS2 score, band and response (no store needed)\n"
  "  glucose-stats FILE [--unit mg/dL|mmol/L]\n"
  "                                    time in ranges, mean, SD, CV, GMI, LBGI/HBGI and the\n"
  "                                    hourly AGP of a CSV of time,value (no store needed)\n"
  "  forecast ar2 PREVIOUS NOW         Nightscout's AR2 glucose forecast from two readings\n"
  "                                    5 minutes apart, mg/dL (no store needed)\n"
  "\n"
  "Passwords are read from the terminal, from standard input when it is not a terminal\n"
  "(one per line: first the signing-in user's, then a new one), or from --password-file\n"
  "and --new-password-file; never from the command line.";

int
twctl_fail (GError *error)
{
  g_printerr ("twctl: %s\n", error->message);
  return 1;
}

gboolean
twctl_parse_command_options (const char    *name,
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

TwSession *
twctl_sign_in (Twctl   *self,
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
  /* An admin hears what the sign-in checks found (an edited sign-in log,
   * a damaged audit trail) on every door, not only in the app. */
  if (session != NULL && tw_session_get_audit_warning (session) != NULL)
    g_printerr ("twctl: warning: %s\n", tw_session_get_audit_warning (session));
  return session;
}

/**
 * twctl_open_store_for:
 * @what: what the permission is needed for, for the refusal ("manage
 *   sources")
 *
 * Signs in, checks the role in the core, and opens a connection.
 */
TwStore *
twctl_open_store_for (Twctl         *self,
                      TwPermission   permission,
                      const char    *what,
                      TwSession    **out_session,
                      GError       **error)
{
  g_autoptr(TwSession) session = twctl_sign_in (self, error);
  TwStore *store;

  if (session == NULL)
    return NULL;
  if (!tw_session_can (session, permission))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                   "only an administrator may %s", what);
      return NULL;
    }
  store = tw_session_open_store (session, error);
  if (store != NULL)
    *out_session = g_steal_pointer (&session);
  return store;
}

char *
twctl_read_new_password (Twctl      *self,
                   const char *whose,
                   GError    **error)
{
  g_autofree char *prompt = g_strdup_printf ("New password for %s: ", whose);

  return tw_cli_secrets_read (self->secrets, self->new_password_file, prompt, TRUE, error);
}

TwKdfCost
twctl_kdf_cost (Twctl *self)
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

void
twctl_json_add_string (JsonBuilder *builder,
                       const char  *member,
                       const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
twctl_json_add_time (JsonBuilder *builder,
                     const char  *member,
                     gint64       usec)
{
  g_autofree char *text = usec != 0 ? tw_time_format_iso8601 (usec) : NULL;

  twctl_json_add_string (builder, member, text);
}

void
twctl_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, TRUE);

  g_print ("%s\n", text);
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
    status = twctl_cmd_init (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "user"))
    status = twctl_cmd_user (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "ingest"))
    status = twctl_cmd_ingest (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "patients"))
    status = twctl_cmd_patients (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "source"))
    status = twctl_cmd_source (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "quarantine"))
    status = twctl_cmd_quarantine (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "stats"))
    status = twctl_cmd_stats (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "rules"))
    status = twctl_cmd_rules (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "alerts"))
    status = twctl_cmd_alerts (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "replay"))
    status = twctl_cmd_replay (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "passwd"))
    status = twctl_cmd_passwd (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "audit"))
    status = twctl_cmd_audit (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "store"))
    status = twctl_cmd_store (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "wards"))
    status = twctl_cmd_wards (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "break-glass"))
    status = twctl_cmd_break_glass (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "news2"))
    status = twctl_cmd_news2 (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "glucose-stats"))
    status = twctl_cmd_glucose_stats (&self, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "forecast"))
    status = twctl_cmd_forecast (&self, argc - 1, argv + 1);
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
