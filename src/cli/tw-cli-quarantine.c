#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "tw-audit.h"
#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-quarantine.h"
#include "tw-time.h"

#define LIST_DEFAULT_LIMIT 100

/* Quarantined messages hold whatever the sender sent, identity included:
 * reviewing them is the administrator's job (sources are theirs). */
#define REVIEW_PERMISSION TW_PERM_MANAGE_SOURCES
#define REVIEW_WHAT       "review the quarantine"
#define AUDIT_SUBJECT     "quarantine"

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
  int limit = LIST_DEFAULT_LIMIT;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most N entries, newest first (0: all)", "N" },
    { NULL }
  };

  if (!twctl_parse_command_options ("quarantine list", entries, &argc, &argv, &error))
    return twctl_fail (error);
  store = twctl_open_store_for (self, REVIEW_PERMISSION, REVIEW_WHAT, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  rows = tw_store_list_quarantine (store, 0, (guint) MAX (limit, 0), &error);
  if (rows == NULL)
    return twctl_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < rows->len; i++)
        {
          json_builder_begin_object (b);
          tw_quarantine_row_add_json (b, g_ptr_array_index (rows, i));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      twctl_print_json (b);
      return 0;
    }

  g_print ("%6s  %-19s  %9s  %s\n", "ID", "RECEIVED", "BYTES", "REASON");
  for (guint i = 0; i < rows->len; i++)
    {
      TwQuarantineRow *row = g_ptr_array_index (rows, i);
      g_autofree char *when = tw_time_format_local (row->received_at, "%Y-%m-%d %H:%M:%S");

      g_print ("%6" G_GINT64_FORMAT "  %-19s  %9" G_GINT64_FORMAT "  %s\n", row->id, when,
               row->size, row->reason);
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
  g_autoptr(GBytes) raw = NULL;
  gsize len = 0;
  const void *data;

  if (argc != 2)
    {
      g_printerr ("twctl: usage: quarantine show ID   (prints the raw message)\n");
      return EXIT_USAGE;
    }
  store = twctl_open_store_for (self, REVIEW_PERMISSION, REVIEW_WHAT, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  raw = tw_store_get_quarantine_raw (store, g_ascii_strtoll (argv[1], NULL, 10), &error);
  if (raw == NULL)
    return twctl_fail (error);
  data = g_bytes_get_data (raw, &len);
  fwrite (data, 1, len, stdout);
  if (isatty (STDOUT_FILENO))
    g_print ("\n");
  return 0;
}

static int
cmd_reprocess (Twctl  *self,
               int     argc,
               char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(TwLimits) limits = NULL;
  g_autofree char *detail = NULL;
  TwReprocessResult result = { 0 };

  for (int i = 1; i < argc; i++)
    {
      gint64 id = g_ascii_strtoll (argv[i], NULL, 10);

      g_array_append_val (ids, id);
    }
  store = twctl_open_store_for (self, REVIEW_PERMISSION, REVIEW_WHAT, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  limits = tw_limits_load_for_data_dir (self->data_dir, &error);
  if (limits == NULL)
    return twctl_fail (error);
  if (!tw_quarantine_reprocess (store, limits, ids->len > 0 ? (const gint64 *) ids->data : NULL,
                                ids->len, &result, &error))
    return twctl_fail (error);
  detail = g_strdup_printf ("%u messages (%s): %u stored, %u still rejected",
                            result.fixed + result.still_bad,
                            ids->len > 0 ? "chosen by id" : "all", result.fixed, result.still_bad);
  if (!tw_audit_append (store, NULL, TW_AUDIT_QUARANTINE_REPROCESS, AUDIT_SUBJECT, detail,
                        &error))
    return twctl_fail (error);
  g_print ("Reprocessed %u messages with the limits of %s: %u stored (%u samples), %u still "
           "rejected.\n", result.fixed + result.still_bad, tw_limits_get_origin (limits),
           result.fixed, result.samples, result.still_bad);
  return 0;
}

static int
cmd_export (Twctl  *self,
            int     argc,
            char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autofree char *detail = NULL;
  guint count = 0;

  if (argc != 2)
    {
      g_printerr ("twctl: usage: quarantine export FILE   (NDJSON; raw bytes in base64)\n");
      return EXIT_USAGE;
    }
  store = twctl_open_store_for (self, REVIEW_PERMISSION, REVIEW_WHAT, &session, &error);
  if (store == NULL || !tw_quarantine_export (store, argv[1], &count, &error))
    return twctl_fail (error);
  /* Raw messages (identity included) leave the store: on the trail. */
  detail = g_strdup_printf ("%u messages to %s", count, argv[1]);
  if (!tw_audit_append (store, NULL, TW_AUDIT_EXPORT, AUDIT_SUBJECT, detail, &error))
    return twctl_fail (error);
  g_print ("Exported %u quarantined messages to %s (readable by you only; it may contain "
           "patient data).\n", count, argv[1]);
  return 0;
}

int
twctl_cmd_quarantine (Twctl  *self,
                      int     argc,
                      char  **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return cmd_list (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "show"))
    return cmd_show (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "reprocess"))
    return cmd_reprocess (self, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "export"))
    return cmd_export (self, argc - 1, argv + 1);
  g_printerr ("twctl: usage: quarantine list|show ID|reprocess [ID…]|export FILE\n");
  return EXIT_USAGE;
}
