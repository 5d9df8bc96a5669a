#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-store-clinical.h"
#include "tw-store-scope.h"
#include "tw-time.h"

/* `twctl wards` (which wards a clinician sees) and `twctl break-glass`
 * (emergency access outside them, and the administrator's review). The
 * rules are the store's (tw-store-scope.h); this file only asks and
 * prints. A grant opened here is not tied to the twctl process: it lasts
 * until `twctl break-glass close ID` or the 12 h limit. */

#define ALL_WARDS "*"
#define TIME_FORMAT "%Y-%m-%d %H:%M"

static TwStore *
sign_in_and_open (Twctl      *self,
                  TwSession **out_session,
                  GError    **error)
{
  g_autoptr(TwSession) session = twctl_sign_in (self, error);
  TwStore *store;

  if (session == NULL)
    return NULL;
  store = tw_session_open_store (session, error);
  if (store != NULL)
    *out_session = g_steal_pointer (&session);
  return store;
}

static char *
describe_wards (const char * const *wards)
{
  if (wards == NULL || wards[0] == NULL)
    return g_strdup ("no wards (sees no patients)");
  if (g_strv_contains (wards, ALL_WARDS))
    return g_strdup ("all wards");
  return g_strjoinv (", ", (GStrv) wards);
}

/* Ward names nobody is admitted to yet are allowed (a ward may open
 * later) but are probably typing errors: say so. */
static void
warn_unknown_wards (TwStore            *store,
                    const char * const *wards)
{
  g_auto(GStrv) known = tw_store_list_wards (store, NULL);
  g_autofree char *list = NULL;

  if (known == NULL)
    return;
  list = known[0] != NULL ? g_strjoinv (", ", known) : g_strdup ("none");
  for (guint i = 0; wards[i] != NULL; i++)
    if (!g_str_equal (wards[i], ALL_WARDS)
        && !g_strv_contains ((const char * const *) known, wards[i]))
      g_printerr ("twctl: note: no admitted patient is on “%s” now (wards with patients: %s)\n",
                  wards[i], list);
}

int
twctl_cmd_wards (Twctl  *self,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(TwUserRow) row = NULL;
  g_auto(GStrv) wards = NULL;
  g_autofree char *text = NULL;
  gboolean all = FALSE, none = FALSE;
  const char *user;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "All wards, present and future", NULL },
    { "none", 0, 0, G_OPTION_ARG_NONE, &none, "No wards: the user sees no patients", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options ("wards USER [WARD…|--all|--none]", entries, &argc, &argv,
                                    &error))
    return twctl_fail (error);
  if (argc < 2 || (all && none) || ((all || none) && argc > 2))
    {
      g_printerr ("twctl: usage: wards USER              show the wards USER sees\n"
                  "       wards USER WARD…       set them (administrators; quote names with "
                  "spaces)\n"
                  "       wards USER --all|--none\n");
      return EXIT_USAGE;
    }
  user = argv[1];
  store = sign_in_and_open (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);

  if (argc > 2 || all || none)
    {
      const char *all_wards[] = { ALL_WARDS, NULL };
      const char * const *new_wards = all ? all_wards
                                      : none ? NULL
                                      : (const char * const *) argv + 2;

      if (!tw_store_set_user_wards (store, user, new_wards, &error))
        return twctl_fail (error);
      if (new_wards != NULL)
        warn_unknown_wards (store, new_wards);
    }

  wards = tw_store_get_user_wards (store, user, &error);
  if (wards == NULL)
    return twctl_fail (error);
  text = describe_wards ((const char * const *) wards);
  g_print ("%s: %s\n", user, text);
  if (tw_store_get_user (store, user, &row, NULL) && row->role != TW_ROLE_CLINICIAN)
    g_print ("(wards limit clinicians only; %s's role is %s, which they do not limit)\n", user,
             tw_role_to_string (row->role));
  return 0;
}

/* ---- break-glass ------------------------------------------------------- */

static gboolean
parse_id (const char *text,
          gint64     *out_id)
{
  char *end = NULL;
  gint64 id = g_ascii_strtoll (text, &end, 10);

  if (end == text || *end != '\0' || id <= 0)
    {
      g_printerr ("twctl: “%s” is not an emergency access id (a number from “twctl "
                  "break-glass list”)\n", text);
      return FALSE;
    }
  *out_id = id;
  return TRUE;
}

static int
cmd_open (Twctl  *self,
          int     argc,
          char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *until = NULL;
  gint64 id;
  GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason,
      "Why you need this patient (at least 10 characters; recorded and reviewed)", "TEXT" },
    { NULL }
  };

  if (!twctl_parse_command_options ("break-glass open PATIENT --reason TEXT", entries, &argc,
                                    &argv, &error))
    return twctl_fail (error);
  if (argc != 2 || reason == NULL)
    {
      g_printerr ("twctl: usage: break-glass open PATIENT --reason TEXT\n"
                  "       PATIENT is the key, MRN or bed; the reason is recorded in the audit "
                  "trail and reviewed by an administrator\n");
      return EXIT_USAGE;
    }
  store = sign_in_and_open (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  id = tw_store_open_break_glass (store, argv[1], reason, &error);
  if (id == 0)
    return twctl_fail (error);
  until = tw_time_format_local (tw_time_now () + TW_BREAK_GLASS_MAX_HOURS * TW_USEC_PER_HOUR,
                                TIME_FORMAT);
  g_print ("Emergency access %" G_GINT64_FORMAT " to %s is open until %s or until “twctl "
           "break-glass close %" G_GINT64_FORMAT "”. It is recorded for an administrator's "
           "review.\n", id, argv[1], until, id);
  return 0;
}

static int
cmd_close (Twctl  *self,
           int     argc,
           char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  gint64 id;

  if (argc != 2)
    {
      g_printerr ("twctl: usage: break-glass close ID\n");
      return EXIT_USAGE;
    }
  if (!parse_id (argv[1], &id))
    return EXIT_USAGE;
  store = sign_in_and_open (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  if (!tw_store_close_break_glass (store, id, &error))
    return twctl_fail (error);
  g_print ("Emergency access %" G_GINT64_FORMAT " is closed.\n", id);
  return 0;
}

static void
print_json (GPtrArray *rows)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    {
      TwBreakGlassRow *row = g_ptr_array_index (rows, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, row->id);
      twctl_json_add_string (b, "user", row->user);
      twctl_json_add_string (b, "patient", row->patient);
      twctl_json_add_string (b, "ward", row->ward);
      twctl_json_add_string (b, "reason", row->reason);
      twctl_json_add_time (b, "opened", row->opened_at);
      twctl_json_add_time (b, "closed", row->closed_at);
      json_builder_set_member_name (b, "open");
      json_builder_add_boolean_value (b, row->closed_at == 0);
      twctl_json_add_string (b, "reviewed_by", row->reviewed_by);
      twctl_json_add_time (b, "reviewed", row->reviewed_at);
      twctl_json_add_string (b, "review_note", row->review_note);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  twctl_print_json (b);
}

static void
print_table (GPtrArray *rows)
{
  if (rows->len == 0)
    {
      g_print ("No emergency access.\n");
      return;
    }
  g_print ("%5s  %-16s  %-12s  %-14s  %-10s  %-16s  %-14s  %s\n", "ID", "OPENED", "USER",
           "PATIENT", "WARD", "CLOSED", "REVIEWED BY", "REASON");
  for (guint i = 0; i < rows->len; i++)
    {
      TwBreakGlassRow *row = g_ptr_array_index (rows, i);
      g_autofree char *opened = tw_time_format_local (row->opened_at, TIME_FORMAT);
      g_autofree char *closed = row->closed_at != 0
                                ? tw_time_format_local (row->closed_at, TIME_FORMAT)
                                : g_strdup ("open");

      g_print ("%5" G_GINT64_FORMAT "  %-16s  %-12s  %-14s  %-10s  %-16s  %-14s  %s\n", row->id,
               opened, row->user, row->patient, row->ward != NULL ? row->ward : "-", closed,
               row->reviewed_by != NULL ? row->reviewed_by : "not yet", row->reason);
      if (row->review_note != NULL)
        g_print ("%5s  review note: %s\n", "", row->review_note);
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
  gboolean unreviewed = FALSE, json = FALSE;
  GOptionEntry entries[] = {
    { "unreviewed", 0, 0, G_OPTION_ARG_NONE, &unreviewed, "Only what is not reviewed yet", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options ("break-glass list", entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (argc != 1)
    {
      g_printerr ("twctl: usage: break-glass list [--unreviewed] [--json]\n");
      return EXIT_USAGE;
    }
  store = sign_in_and_open (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  rows = tw_store_list_break_glass (store, unreviewed, &error);
  if (rows == NULL)
    return twctl_fail (error);
  if (json)
    print_json (rows);
  else
    print_table (rows);
  return 0;
}

static int
cmd_review (Twctl  *self,
            int     argc,
            char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autofree char *note = NULL;
  gint64 id;
  GOptionEntry entries[] = {
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, "What the review found", "TEXT" },
    { NULL }
  };

  if (!twctl_parse_command_options ("break-glass review ID", entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (argc != 2)
    {
      g_printerr ("twctl: usage: break-glass review ID [--note TEXT]\n");
      return EXIT_USAGE;
    }
  if (!parse_id (argv[1], &id))
    return EXIT_USAGE;
  store = sign_in_and_open (self, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  if (!tw_store_review_break_glass (store, id, note, &error))
    return twctl_fail (error);
  g_print ("Emergency access %" G_GINT64_FORMAT " is marked reviewed.\n", id);
  return 0;
}

int
twctl_cmd_break_glass (Twctl  *self,
                       int     argc,
                       char  **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "open"))
    return cmd_open (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "close"))
    return cmd_close (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return cmd_list (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "review"))
    return cmd_review (self, argc - 1, argv + 1);
  g_printerr ("twctl: usage: break-glass open PATIENT --reason TEXT   emergency access "
              "(clinicians)\n"
              "       break-glass close ID\n"
              "       break-glass list [--unreviewed] [--json]\n"
              "       break-glass review ID [--note TEXT]            (administrators)\n");
  return EXIT_USAGE;
}
