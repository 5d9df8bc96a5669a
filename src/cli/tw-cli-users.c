#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-lockout.h"
#include "tw-pipeline.h"
#include "tw-time.h"

/* ---- init ------------------------------------------------------------- */

int
twctl_cmd_init (Twctl  *self,
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

  if (!twctl_parse_command_options ("init --admin NAME", entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (admin == NULL)
    {
      g_printerr ("twctl: init needs --admin NAME\n");
      return EXIT_USAGE;
    }

  password = twctl_read_new_password (self, admin, &error);
  if (password == NULL)
    return twctl_fail (error);
  session = tw_session_initialize (self->data_dir, admin, password, twctl_kdf_cost (self), &error);
  tw_cli_secret_free (password);
  if (session == NULL)
    return twctl_fail (error);

  g_print ("Created an encrypted store in %s with the administrator %s.\n", self->data_dir, admin);
  return 0;
}

/* ---- user ------------------------------------------------------------- */

/* Signs in and checks that the user may manage accounts (the core checks
 * again; this only gives the clearer message first). */
static TwSession *
sign_in_admin (Twctl   *self,
               GError **error)
{
  g_autoptr(TwSession) session = twctl_sign_in (self, error);

  if (session == NULL)
    return NULL;
  if (!tw_session_can (session, TW_PERM_MANAGE_USERS))
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                           "only an administrator may manage users");
      return NULL;
    }
  return g_steal_pointer (&session);
}

static void
print_one_time_password (const char *name,
                         const char *password)
{
  g_print ("One-time password for %s: %s\n", name, password);
  g_print ("Give it to %s in person; it works once: at the next sign-in %s must choose a new"
           " password (in the app, or with `twctl passwd`).\n", name, name);
}

static int
cmd_user_add (Twctl  *self,
              int     argc,
              char  **argv)
{
  g_autofree char *role_name = NULL;
  g_autofree char *wards_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  gboolean one_time = FALSE;
  char *password;
  TwRole role;
  gboolean ok;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_name, "admin, clinician, operator or analyst",
      "ROLE" },
    { "wards", 0, 0, G_OPTION_ARG_STRING, &wards_text,
      "Wards a clinician sees, separated by commas (\"*\": all)", "W1,W2" },
    { "one-time", 0, 0, G_OPTION_ARG_NONE, &one_time,
      "Generate a one-time password (printed once) instead of reading one", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options ("user add NAME --role ROLE [--wards W1,W2] [--one-time]",
                                    entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (argc != 2 || !tw_role_from_string (role_name, &role))
    {
      g_printerr ("twctl: usage: user add NAME --role admin|clinician|operator|analyst"
                  " [--wards W1,W2] [--one-time]\n");
      return EXIT_USAGE;
    }

  session = twctl_sign_in (self, &error);
  if (session == NULL)
    return twctl_fail (error);
  if (!tw_session_can (session, TW_PERM_MANAGE_USERS))
    {
      g_printerr ("twctl: only an administrator may add users\n");
      return 1;
    }
  password = one_time ? tw_password_generate_one_time ()
                      : twctl_read_new_password (self, argv[1], &error);
  if (password == NULL)
    return twctl_fail (error);
  ok = tw_session_add_user (session, argv[1], role, password, &error);
  tw_cli_secret_free (password);
  if (!ok)
    return twctl_fail (error);
  g_print ("Added %s as %s.\n", argv[1], tw_role_to_string (role));

  if (wards_text != NULL)
    {
      g_auto(GStrv) wards = g_strsplit (wards_text, ",", -1);

      for (guint i = 0; wards[i] != NULL; i++)
        g_strstrip (wards[i]);
      if (!tw_session_set_user_wards (session, argv[1], (const char * const *) wards, &error))
        return twctl_fail (error);
      g_print ("Wards of %s: %s\n", argv[1], wards_text);
    }

  if (one_time)
    {
      /* The reset is what marks the password as one to change. */
      password = tw_session_reset_password (session, argv[1], &error);
      if (password == NULL)
        return twctl_fail (error);
      print_one_time_password (argv[1], password);
      tw_password_free (password);
    }
  return 0;
}

/* "active", or what keeps the user out: disabled, locked out (or waiting
 * after failures), a one-time password to change. */
static char *
user_status (const TwUserRow       *row,
             const TwLockoutState  *lockout)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  gint64 now = tw_time_now ();

  if (row->disabled)
    g_ptr_array_add (parts, g_strdup ("disabled"));
  if (lockout->locked)
    g_ptr_array_add (parts, g_strdup ("locked out"));
  else if (lockout->retry_at > now)
    g_ptr_array_add (parts, g_strdup_printf ("waiting %" G_GINT64_FORMAT " s after %u failures",
                                             (lockout->retry_at - now + G_USEC_PER_SEC - 1)
                                             / G_USEC_PER_SEC, lockout->failures));
  if (row->must_change_password)
    g_ptr_array_add (parts, g_strdup ("must change password"));
  if (parts->len == 0)
    g_ptr_array_add (parts, g_strdup ("active"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **) parts->pdata);
}

static int
cmd_user_list (Twctl  *self,
               int     argc,
               char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  TwLockoutPolicy policy;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options ("user list", entries, &argc, &argv, &error))
    return twctl_fail (error);
  session = twctl_sign_in (self, &error);
  if (session == NULL)
    return twctl_fail (error);
  users = tw_session_list_users (session, &error);
  if (users == NULL || !tw_lockout_policy_load (self->data_dir, &policy, &error))
    return twctl_fail (error);

  if (json)
    json_builder_begin_array (builder);
  else
    g_print ("%-20s %-10s %-30s %-16s %s\n", "USER", "ROLE", "STATUS", "CREATED", "WARDS");
  for (guint i = 0; i < users->len; i++)
    {
      TwUserRow *row = g_ptr_array_index (users, i);
      TwLockoutState lockout = { 0 };
      g_auto(GStrv) wards = NULL;
      g_autofree char *status = NULL;
      g_autofree char *wards_text = NULL;

      if (!tw_lockout_get_state (self->data_dir, row->name, &policy, &lockout, &error))
        return twctl_fail (error);
      status = user_status (row, &lockout);
      if (row->role == TW_ROLE_CLINICIAN)
        {
          wards = tw_session_get_user_wards (session, row->name, &error);
          if (wards == NULL)
            return twctl_fail (error);
          wards_text = g_strjoinv (",", wards);
        }

      if (json)
        {
          g_autofree char *created = tw_time_format_iso8601 (row->created_at);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, row->name);
          json_builder_set_member_name (builder, "role");
          json_builder_add_string_value (builder, tw_role_to_string (row->role));
          json_builder_set_member_name (builder, "created");
          json_builder_add_string_value (builder, created);
          json_builder_set_member_name (builder, "status");
          json_builder_add_string_value (builder, status);
          json_builder_set_member_name (builder, "disabled");
          json_builder_add_boolean_value (builder, row->disabled);
          json_builder_set_member_name (builder, "must_change_password");
          json_builder_add_boolean_value (builder, row->must_change_password);
          json_builder_set_member_name (builder, "locked_out");
          json_builder_add_boolean_value (builder, lockout.locked);
          json_builder_set_member_name (builder, "failures");
          json_builder_add_int_value (builder, lockout.failures);
          if (wards != NULL)
            {
              json_builder_set_member_name (builder, "wards");
              json_builder_begin_array (builder);
              for (guint w = 0; wards[w] != NULL; w++)
                json_builder_add_string_value (builder, wards[w]);
              json_builder_end_array (builder);
            }
          json_builder_end_object (builder);
        }
      else
        {
          g_autofree char *created = tw_time_format_local (row->created_at, "%Y-%m-%d %H:%M");

          g_print ("%-20s %-10s %-30s %-16s %s\n", row->name, tw_role_to_string (row->role),
                   status, created,
                   wards_text == NULL ? "" : *wards_text == '\0' ? "(none)" : wards_text);
        }
    }
  if (json)
    {
      json_builder_end_array (builder);
      twctl_print_json (builder);
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
  session = twctl_sign_in (self, &error);
  if (session == NULL)
    return twctl_fail (error);
  if (!g_str_equal (argv[1], tw_session_get_user (session))
      && !tw_session_can (session, TW_PERM_MANAGE_USERS))
    {
      g_printerr ("twctl: only an administrator may set another user's password\n");
      return 1;
    }
  password = twctl_read_new_password (self, argv[1], &error);
  if (password == NULL)
    return twctl_fail (error);
  ok = tw_session_set_password (session, argv[1], password, &error);
  tw_cli_secret_free (password);
  if (!ok)
    return twctl_fail (error);
  g_print ("Password of %s changed.\n", argv[1]);
  return 0;
}

/* disable, enable, reset, unlock, remove: NAME only. */
static int
cmd_user_action (Twctl       *self,
                 const char  *action,
                 int          argc,
                 char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  const char *name;

  if (argc != 2)
    {
      g_printerr ("twctl: usage: user %s NAME\n", action);
      return EXIT_USAGE;
    }
  name = argv[1];
  session = sign_in_admin (self, &error);
  if (session == NULL)
    return twctl_fail (error);

  if (g_str_equal (action, "disable") || g_str_equal (action, "enable"))
    {
      gboolean disable = g_str_equal (action, "disable");

      if (!tw_session_set_user_disabled (session, name, disable, &error))
        return twctl_fail (error);
      g_print (disable ? "Disabled %s: they cannot sign in until enabled again.\n"
                       : "Enabled %s.\n", name);
    }
  else if (g_str_equal (action, "reset"))
    {
      char *password = tw_session_reset_password (session, name, &error);

      if (password == NULL)
        return twctl_fail (error);
      print_one_time_password (name, password);
      tw_password_free (password);
    }
  else if (g_str_equal (action, "unlock"))
    {
      if (!tw_session_unlock_user (session, name, &error))
        return twctl_fail (error);
      g_print ("Unlocked %s: their failed sign-ins no longer count.\n", name);
    }
  else
    {
      g_assert (g_str_equal (action, "remove"));
      g_print ("Removing %s and re-encrypting the store with a new key…\n", name);
      if (!tw_session_remove_user (session, name, &error))
        return twctl_fail (error);
      g_print ("Removed %s. The store is encrypted with a new key that only the remaining"
               " users' key slots open.\n", name);
    }
  return 0;
}

static int
cmd_user_role (Twctl  *self,
               int     argc,
               char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  TwRole role;

  if (argc != 3 || !tw_role_from_string (argv[2], &role))
    {
      g_printerr ("twctl: usage: user role NAME admin|clinician|operator|analyst\n");
      return EXIT_USAGE;
    }
  session = sign_in_admin (self, &error);
  if (session == NULL)
    return twctl_fail (error);
  if (!tw_session_set_user_role (session, argv[1], role, &error))
    return twctl_fail (error);
  g_print ("%s is now %s.\n", argv[1], tw_role_to_string (role));
  return 0;
}

int
twctl_cmd_user (Twctl  *self,
                int     argc,
                char  **argv)
{
  static const char *actions[] = { "disable", "enable", "reset", "unlock", "remove" };

  if (argc >= 2 && g_str_equal (argv[1], "add"))
    return cmd_user_add (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return cmd_user_list (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "passwd"))
    return cmd_user_passwd (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "role"))
    return cmd_user_role (self, argc - 1, argv + 1);
  for (guint i = 0; argc >= 2 && i < G_N_ELEMENTS (actions); i++)
    if (g_str_equal (argv[1], actions[i]))
      return cmd_user_action (self, actions[i], argc - 1, argv + 1);
  g_printerr ("twctl: usage: user add|list|passwd|role|disable|enable|reset|unlock|remove …\n");
  return EXIT_USAGE;
}

/* ---- passwd ------------------------------------------------------------- */

/* Your own password, with the current one: the only command that works
 * while a one-time password must be changed. */
int
twctl_cmd_passwd (Twctl  *self,
                  int     argc,
                  char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autofree char *user = NULL;
  char *old_password = NULL;
  char *new_password = NULL;
  gboolean ok = FALSE;

  if (argc != 1)
    {
      g_printerr ("twctl: usage: passwd (changes the password of --user)\n");
      return EXIT_USAGE;
    }
  if (!tw_data_dir_is_initialized (self->data_dir))
    {
      g_printerr ("twctl: there is no Tidewatch store in %s\n", self->data_dir);
      return 1;
    }
  if (self->user != NULL)
    user = g_strdup (self->user);
  else if (isatty (STDIN_FILENO))
    user = tw_cli_secrets_read_line (self->secrets, "User: ", &error);
  else
    g_set_error_literal (&error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                         "Say who signs in with --user NAME");
  if (user == NULL)
    return twctl_fail (error);

  /* The current password signs in and is checked again by the re-wrap. */
  old_password = tw_cli_secrets_read (self->secrets, self->password_file, "Current password: ",
                                      FALSE, &error);
  if (old_password != NULL)
    session = tw_session_login (self->data_dir, user, old_password, &error);
  if (session != NULL)
    new_password = twctl_read_new_password (self, user, &error);
  if (new_password != NULL)
    ok = tw_session_change_password (session, old_password, new_password, &error);
  tw_cli_secret_free (old_password);
  tw_cli_secret_free (new_password);
  if (!ok)
    return twctl_fail (error);
  g_print ("Password of %s changed.\n", user);
  return 0;
}
