#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-store.h"
#include "tw-store-clinical.h"
#include "tw-time.h"

/* Both reports take --json, sign in and read over one connection.
 * @out_arg: (optional): gets the one optional argument ("patients ID") */
static TwStore *
open_for_report (Twctl       *self,
                 const char  *name,
                 int          argc,
                 char       **argv,
                 gboolean    *json,
                 char       **out_arg,
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
  if (argc > (out_arg != NULL ? 2 : 1))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT, "twctl %s: unexpected argument "
                   "\u201c%s\u201d", name, argv[argc - 1]);
      return NULL;
    }
  if (out_arg != NULL && argc == 2)
    *out_arg = g_strdup (argv[1]);
  session = twctl_sign_in (self, error);
  if (session == NULL)
    return NULL;
  store = tw_session_open_store (session, error);
  if (store != NULL)
    *out_session = g_steal_pointer (&session);
  return store;
}

/* ---- patients --------------------------------------------------------- */

/* "twctl patients ID": one patient's chart as the signed-in role may see
 * it (the store masks identity and free text for analysts). */
static int
print_chart (TwStore    *store,
             const char *key,
             gboolean    json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwPatientSummary) summary = tw_store_get_patient (store, key, tw_time_now (), &error);
  g_autoptr(GPtrArray) entries = NULL;

  if (summary == NULL)
    return twctl_fail (error);
  entries = tw_store_list_clinical (store, key, &error);
  if (entries == NULL)
    return twctl_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      twctl_json_add_string (b, "id", summary->key);
      twctl_json_add_string (b, "name", summary->display_name);
      twctl_json_add_string (b, "mrn", summary->mrn);
      twctl_json_add_string (b, "birth_date", summary->birth_date);
      twctl_json_add_string (b, "age_band", summary->age_band);
      twctl_json_add_string (b, "sex", summary->sex);
      twctl_json_add_string (b, "ward", summary->ward);
      twctl_json_add_string (b, "bed", summary->bed);
      twctl_json_add_time (b, "admitted_at", summary->admitted_at);
      json_builder_set_member_name (b, "records");
      json_builder_begin_array (b);
      for (guint i = 0; i < entries->len; i++)
        {
          TwClinicalEntry *entry = g_ptr_array_index (entries, i);

          json_builder_begin_object (b);
          twctl_json_add_string (b, "kind", tw_clinical_kind_to_string (entry->kind));
          twctl_json_add_time (b, "ts", entry->ts);
          twctl_json_add_time (b, "end_ts", entry->end_ts);
          twctl_json_add_string (b, "code", entry->code);
          twctl_json_add_string (b, "text", entry->text);
          twctl_json_add_string (b, "detail", entry->detail);
          twctl_json_add_string (b, "status", entry->status);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      twctl_print_json (b);
      return 0;
    }

  g_print ("%s  %s  %s  %s  %s\n", summary->display_name, summary->mrn ? summary->mrn : "\u2013",
           summary->birth_date ? summary->birth_date : summary->age_band,
           summary->sex ? summary->sex : "\u2013", summary->bed ? summary->bed : "not admitted");
  for (guint i = 0; i < entries->len; i++)
    {
      TwClinicalEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *when = entry->ts != 0 ? tw_time_format_iso8601 (entry->ts)
                                             : g_strdup ("\u2013");

      g_print ("%-26s %-13s %-8s %s%s%s\n", when, tw_clinical_kind_to_label (entry->kind),
               entry->code ? entry->code : "", entry->text ? entry->text : "",
               entry->detail ? " \u2014 " : "", entry->detail ? entry->detail : "");
    }
  return 0;
}

int
twctl_cmd_patients (Twctl  *self,
                    int     argc,
                    char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *key = NULL;
  gboolean json = FALSE;

  store = open_for_report (self, "patients", argc, argv, &json, &key, &session, &error);
  if (store == NULL)
    return twctl_fail (error);
  if (key != NULL)
    return print_chart (store, key, json);
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
          twctl_json_add_string (b, "mrn", row->mrn);
          twctl_json_add_string (b, "location", row->location);
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

  store = open_for_report (self, "stats", argc, argv, &json, NULL, &session, &error);
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
          twctl_json_add_string (b, "last_error", s->last_error);
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
