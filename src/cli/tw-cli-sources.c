#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-source-probe.h"
#include "tw-source.h"

#define PROBE_TIMEOUT_MS 5000


static TwSourceRow *
find_source (GPtrArray  *rows,
             const char *id_or_name)
{
  gint64 id = g_ascii_strtoll (id_or_name, NULL, 10);

  for (guint i = 0; i < rows->len; i++)
    {
      TwSourceRow *row = g_ptr_array_index (rows, i);

      if (row->id == id || g_str_equal (row->name, id_or_name))
        return row;
    }
  return NULL;
}

static int
cmd_test (Twctl  *self,
          int     argc,
          char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwProbeResult) result = NULL;
  g_autofree char *text = NULL;

  if (argc != 2)
    {
      g_printerr ("twctl: usage: source test URL   (connects for up to 5 s, stores nothing)\n");
      return EXIT_USAGE;
    }
  result = tw_source_probe (argv[1], PROBE_TIMEOUT_MS, NULL, &error);
  if (result == NULL)
    return twctl_fail (error);
  text = tw_probe_result_describe (result);
  g_print ("%s\n", text);
  return result->reachable ? 0 : 1;
}

int
twctl_cmd_source (Twctl  *self,
                  int     argc,
                  char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  const char *verb = argc >= 2 ? argv[1] : "";
  TwSourceRow *row = NULL;
  gboolean ok = TRUE;

  if (g_str_equal (verb, "test"))
    return cmd_test (self, argc - 1, argv + 1);
  if (!(g_str_equal (verb, "list") && argc == 2)
      && !(g_str_equal (verb, "add") && argc == 4)
      && !((g_str_equal (verb, "pause") || g_str_equal (verb, "resume")
            || g_str_equal (verb, "remove")) && argc == 3)
      && !(g_str_equal (verb, "set-url") && argc == 4))
    {
      g_printerr ("twctl: usage: source list | add NAME URL | set-url ID URL | pause ID |"
                  " resume ID | remove ID | test URL\n");
      return EXIT_USAGE;
    }

  store = twctl_open_store_for (self, TW_PERM_MANAGE_SOURCES, "manage sources", &session,
                                &error);
  if (store == NULL)
    return twctl_fail (error);

  if (g_str_equal (verb, "add"))
    {
      if (!tw_source_check_url (argv[3], &error) || tw_store_ensure_source (store, argv[2], argv[3],
                                                                            &error) < 0)
        return twctl_fail (error);
      g_print ("Added source %s; the app and `twctl ingest` will read it.\n", argv[2]);
      return 0;
    }

  rows = tw_store_list_sources (store, &error);
  if (rows == NULL)
    return twctl_fail (error);

  if (g_str_equal (verb, "list"))
    {
      for (guint i = 0; i < rows->len; i++)
        {
          g_autofree char *shown = NULL;

          row = g_ptr_array_index (rows, i);
          shown = tw_source_url_redact (row->url);
          g_print ("%3" G_GINT64_FORMAT "  %-8s  %-24s  %s\n", row->id,
                   row->enabled ? "active" : "paused", row->name, shown);
        }
      return 0;
    }

  row = find_source (rows, argv[2]);
  if (row == NULL)
    {
      g_printerr ("twctl: there is no source %s (see `twctl source list`)\n", argv[2]);
      return 1;
    }
  if (g_str_equal (verb, "pause") || g_str_equal (verb, "resume"))
    ok = tw_store_update_source (store, row->id, row->name, row->url,
                                 g_str_equal (verb, "resume"), &error);
  else if (g_str_equal (verb, "set-url"))
    ok = tw_source_check_url (argv[3], &error)
         && tw_store_update_source (store, row->id, row->name, argv[3], row->enabled, &error);
  else if (g_str_equal (verb, "remove"))
    ok = tw_store_remove_source (store, row->id, &error);
  if (!ok)
    return twctl_fail (error);
  g_print ("Source %s: %s done.\n", row->name, verb);
  return 0;
}
