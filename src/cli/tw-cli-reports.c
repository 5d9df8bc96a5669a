#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-store.h"
#include "tw-time.h"

/* Both reports take --json, sign in and read over one connection. */
static TwStore *
open_for_report (Twctl       *self,
                 const char  *name,
                 int          argc,
                 char       **argv,
                 gboolean    *json,
                 TwSession  **out_session,
                 GError     **error)
{
  g_autoptr(TwSession) session = NULL;
  TwStore *store;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, json, "Print JSON", NULL },
    { NULL }
  };

  if (!twctl_parse_command_options (name, entries, &argc, &argv, error))
    return NULL;
  session = twctl_sign_in (self, error);
  if (session == NULL)
    return NULL;
  store = tw_session_open_store (session, error);
  if (store != NULL)
    *out_session = g_steal_pointer (&session);
  return store;
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *member,
                     const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* ---- patients --------------------------------------------------------- */

int
twctl_cmd_patients (Twctl  *self,
                    int     argc,
                    char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gboolean json = FALSE;

  store = open_for_report (self, "patients", argc, argv, &json, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  /* Masking by role happens inside the query. */
  rows = tw_store_list_entities (store, tw_session_get_role (session), &error);
  if (rows == NULL)
    return twctl_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < rows->len; i++)
        {
          TwEntityRow *row = g_ptr_array_index (rows, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, row->key);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, row->display_name);
          add_nullable_string (b, "mrn", row->mrn);
          add_nullable_string (b, "location", row->location);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      twctl_print_json (b);
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

int
twctl_cmd_stats (Twctl  *self,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) series = NULL;
  gboolean json = FALSE;

  store = open_for_report (self, "stats", argc, argv, &json, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  sources = tw_store_list_sources (store, &error);
  if (sources == NULL)
    return twctl_fail (error);
  series = tw_store_list_series_stats (store, &error);
  if (series == NULL)
    return twctl_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

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
          json_builder_set_member_name (b, "reconnects");
          json_builder_add_int_value (b, (gint64) s->reconnects);
          json_builder_set_member_name (b, "lag_ms");
          if (s->lag_us >= 0)
            json_builder_add_int_value (b, s->lag_us / 1000);
          else
            json_builder_add_null_value (b);
          add_nullable_string (b, "last_error", s->last_error);
          if (s->last_error != NULL)
            add_time_member (b, "last_error_at", s->last_error_at);
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
      twctl_print_json (b);
      return 0;
    }

  g_print ("%-36s %9s %9s %9s %9s %8s %6s %9s\n", "SOURCE", "RECEIVED", "STORED", "DUPLICATE",
           "QUARANT.", "CURSOR", "RECON.", "LAG");
  for (guint i = 0; i < sources->len; i++)
    {
      TwSourceRow *s = g_ptr_array_index (sources, i);
      g_autofree char *lag = s->lag_us >= 0 ? g_strdup_printf ("%.1f s", s->lag_us / 1e6)
                                            : g_strdup ("–");

      g_print ("%-36s %9" G_GUINT64_FORMAT " %9" G_GUINT64_FORMAT " %9" G_GUINT64_FORMAT
               " %9" G_GUINT64_FORMAT " %8" G_GINT64_FORMAT " %6" G_GUINT64_FORMAT " %9s\n",
               s->name, s->counters.received, s->counters.stored, s->counters.duplicates,
               s->counters.quarantined, s->cursor_seq, s->reconnects, lag);
      if (s->last_error != NULL)
        {
          g_autofree char *when = tw_time_format_local (s->last_error_at, "%Y-%m-%d %H:%M:%S");

          g_print ("  last error (%s): %s\n", when, s->last_error);
        }
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
