#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "tw-cli-private.h"
#include "tw-error.h"
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

  if (!twctl_parse_command_options ("user add NAME --role ROLE", entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (argc != 2 || !tw_role_from_string (role_name, &role))
    {
      g_printerr ("twctl: usage: user add NAME --role admin|clinician|operator|analyst\n");
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
  password = twctl_read_new_password (self, argv[1], &error);
  if (password == NULL)
    return twctl_fail (error);
  ok = tw_session_add_user (session, argv[1], role, password, &error);
  tw_cli_secret_free (password);
  if (!ok)
    return twctl_fail (error);
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

  if (!twctl_parse_command_options ("user list", entries, &argc, &argv, &error))
    return twctl_fail (error);
  session = twctl_sign_in (self, &error);
  if (session == NULL)
    return twctl_fail (error);
  users = tw_session_list_users (session, &error);
  if (users == NULL)
    return twctl_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

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
      twctl_print_json (builder);
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

int
twctl_cmd_user (Twctl  *self,
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

/* Replaced by the users helper (issue 6): `twctl passwd`. */
int
twctl_cmd_passwd (Twctl *self, int argc, char **argv)
{
  g_printerr ("twctl: passwd is not built yet\n");
  return EXIT_USAGE;
}
