/* twctl news2 | glucose-stats | forecast: the clinical calculators. The
 * same analytics code as the app; no store and no sign-in, JSON on
 * standard output. */
#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tw-ar2.h"
#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-glucose.h"
#include "tw-metric.h"
#include "tw-news2.h"
#include "tw-time.h"

/* Statistics are printed to two decimals: more is noise for a reading
 * with a ±10 % sensor error, and stable digits make scripts simple. */
#define STAT_DECIMALS   2
#define AGP_BIN_MINUTES 60
/* Epoch seconds above this are almost surely milliseconds (year 5138). */
#define EPOCH_SECONDS_MAX 1e11
/* "2026-03-29T02:30": where the minutes of an ISO 8601 time end. */
#define MINUTES_END 16
/* Doubles hold every whole number exactly up to 2^53. */
#define WHOLE_NUMBER_MAX 9007199254740992.0

static double
round_to (double x,
          int    decimals)
{
  double scale = pow (10, decimals);

  return round (x * scale) / scale;
}

static void
add_number_or_null (JsonBuilder *b,
                    const char  *name,
                    double       value,
                    int          decimals)
{
  json_builder_set_member_name (b, name);
  if (isfinite (value))
    json_builder_add_double_value (b, round_to (value, decimals));
  else
    json_builder_add_null_value (b);
}

/* A whole-string decimal number, or FALSE. */
static gboolean
parse_number (const char *text,
              double     *out)
{
  char *end = NULL;
  double v;

  if (text == NULL || *text == '\0')
    return FALSE;
  errno = 0;
  v = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

static void
usage_error (const char *usage,
             const char *problem)
{
  g_printerr ("twctl: %s\ntwctl: usage: %s\n", problem, usage);
}

/* ---- JSON with short numbers -------------------------------------------- */

/* JSON-GLib writes every double with 17 significant digits, so a
 * temperature of 36.8 reads 36.799999999999997. These commands are read
 * by people as much as by scripts: write the shortest text that reads
 * back as the same double, in JSON-GLib's pretty layout otherwise. */
static void
append_double (GString *out,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* Whole numbers as 150.0, not %g's 1.5e+02. */
  if (value == floor (value) && fabs (value) < WHOLE_NUMBER_MAX)
    {
      g_ascii_formatd (buffer, sizeof buffer, "%.1f", value);
      g_string_append (out, buffer);
      return;
    }
  for (int digits = 1; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }
  g_string_append (out, buffer);
}

static void
append_string (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *c = text; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_printf (out, "\\%c", *c);
      else if (*c == '\n')
        g_string_append (out, "\\n");
      else if ((guchar) *c < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *c);
      else
        g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

static void
append_node (GString  *out,
             JsonNode *node,
             guint     depth)
{
  g_autofree char *indent = g_strnfill ((depth + 1) * 2, ' ');
  g_autofree char *closing = g_strnfill (depth * 2, ' ');

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);

        if (members == NULL)
          {
            g_string_append (out, "{}");
            break;
          }
        g_string_append (out, "{\n");
        for (GList *l = members; l != NULL; l = l->next)
          {
            g_string_append (out, indent);
            append_string (out, l->data);
            g_string_append (out, " : ");
            append_node (out, json_object_get_member (object, l->data), depth + 1);
            g_string_append (out, l->next != NULL ? ",\n" : "\n");
          }
        g_string_append_printf (out, "%s}", closing);
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        if (n == 0)
          {
            g_string_append (out, "[]");
            break;
          }
        g_string_append (out, "[\n");
        for (guint i = 0; i < n; i++)
          {
            g_string_append (out, indent);
            append_node (out, json_array_get_element (array, i), depth + 1);
            g_string_append (out, i + 1 < n ? ",\n" : "\n");
          }
        g_string_append_printf (out, "%s]", closing);
        break;
      }
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_DOUBLE:
          append_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING:
          append_string (out, json_node_get_string (node));
          break;
        default:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        }
      break;
    }
}

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(GString) out = g_string_new (NULL);

  append_node (out, root, 0);
  g_print ("%s\n", out->str);
}

/* ---- news2 ------------------------------------------------------------ */

static const char news2_usage[] =
  "news2 --rr N --spo2 N [--scale2] (--air|--o2) --sbp N --pulse N --acvpu A|C|V|P|U --temp N";

typedef struct
{
  const char *option;   /* "--rr" */
  const char *metric;   /* catalogue code for the plausible range */
  char      **text;
  double     *value;
} MeasuredOption;

/* The catalogue's plausible range: a value outside it is a typo or the
 * wrong unit (98.6 °F), and scoring it would mislead. */
static gboolean
read_measured (const MeasuredOption *m)
{
  const TwMetricInfo *info = tw_metric_lookup (m->metric);

  if (*m->text == NULL)
    return TRUE;
  if (!parse_number (*m->text, m->value))
    {
      g_autofree char *problem = g_strdup_printf ("%s “%s” is not a number", m->option, *m->text);

      usage_error (news2_usage, problem);
      return FALSE;
    }
  if (info != NULL && (*m->value < info->plausible_min || *m->value > info->plausible_max))
    {
      g_printerr ("twctl: %s %s is outside %g–%g %s, the plausible range for %s; check the value "
                  "and the unit\n", m->option, *m->text, info->plausible_min, info->plausible_max,
                  g_str_equal (info->unit, "Cel") ? "°C" : g_str_equal (info->unit, "mm[Hg]")
                  ? "mmHg" : info->unit, info->label);
      return FALSE;
    }
  return TRUE;
}

static void
add_news2_json (JsonBuilder        *b,
                const TwNews2Input *in,
                const TwNews2Score *s)
{
  static const char acvpu_letters[] = "ACVPU";
  const double values[TW_NEWS2_N_PARAMS] = {
    [TW_NEWS2_RR] = in->rr, [TW_NEWS2_SPO2] = in->spo2, [TW_NEWS2_SBP] = in->sbp,
    [TW_NEWS2_PULSE] = in->pulse, [TW_NEWS2_TEMP] = in->temp,
    [TW_NEWS2_AIR_O2] = NAN, [TW_NEWS2_ACVPU] = NAN,
  };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "values");
  json_builder_begin_object (b);
  for (int p = 0; p < TW_NEWS2_N_PARAMS; p++)
    {
      json_builder_set_member_name (b, tw_news2_param_to_string (p));
      if (p == TW_NEWS2_AIR_O2 && in->on_oxygen >= 0)
        json_builder_add_string_value (b, in->on_oxygen ? "oxygen" : "air");
      else if (p == TW_NEWS2_ACVPU && in->acvpu >= 0)
        {
          char letter[2] = { acvpu_letters[in->acvpu], '\0' };

          json_builder_add_string_value (b, letter);
        }
      else if (isfinite (values[p]))
        json_builder_add_double_value (b, values[p]);
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "scores");
  json_builder_begin_object (b);
  for (int p = 0; p < TW_NEWS2_N_PARAMS; p++)
    {
      json_builder_set_member_name (b, tw_news2_param_to_string (p));
      if (s->scores[p] >= 0)
        json_builder_add_int_value (b, s->scores[p]);
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "spo2_scale");
  json_builder_add_int_value (b, in->scale2 ? 2 : 1);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, s->total);
  json_builder_set_member_name (b, "max_single");
  json_builder_add_int_value (b, s->max_single);
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, s->complete);
  json_builder_set_member_name (b, "missing");
  json_builder_begin_array (b);
  for (int p = 0; p < TW_NEWS2_N_PARAMS; p++)
    if (s->scores[p] < 0)
      json_builder_add_string_value (b, tw_news2_param_to_string (p));
  json_builder_end_array (b);

  json_builder_set_member_name (b, "risk");
  if (s->complete)
    json_builder_add_string_value (b, tw_news2_risk_to_string (s->risk));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "label");
  json_builder_add_string_value (b, s->complete ? tw_news2_risk_to_label (s->risk)
                                                : "Incomplete");
  json_builder_set_member_name (b, "response");
  if (s->complete)
    json_builder_add_string_value (b, tw_news2_risk_to_response (s->risk));
  else
    {
      /* "total" is then only a lower bound; say so where a person reads. */
      g_autoptr(GString) text = g_string_new ("Incomplete: record ");

      for (int p = 0, n = 0; p < TW_NEWS2_N_PARAMS; p++)
        if (s->scores[p] < 0)
          g_string_append_printf (text, "%s%s", n++ > 0 ? ", " : "",
                                  tw_news2_param_to_label (p));
      g_string_append_printf (text, " to score NEWS2 (the %d points so far are a lower bound; "
                              "a missing parameter is never scored as normal).", s->total);
      json_builder_add_string_value (b, text->str);
    }
  json_builder_end_object (b);
}

int
twctl_cmd_news2 (Twctl  *self,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *rr = NULL, *spo2 = NULL, *sbp = NULL, *pulse = NULL, *temp = NULL;
  g_autofree char *acvpu = NULL;
  gboolean scale2 = FALSE, air = FALSE, oxygen = FALSE;
  TwNews2Input in;
  TwNews2Score score;
  GOptionEntry entries[] = {
    { "rr", 0, 0, G_OPTION_ARG_STRING, &rr, "Respiration rate /min", "N" },
    { "spo2", 0, 0, G_OPTION_ARG_STRING, &spo2, "SpO2 %", "N" },
    { "scale2", 0, 0, G_OPTION_ARG_NONE, &scale2,
      "Score SpO2 on scale 2 (hypercapnic respiratory failure, as prescribed)", NULL },
    { "air", 0, 0, G_OPTION_ARG_NONE, &air, "Breathing room air", NULL },
    { "o2", 0, 0, G_OPTION_ARG_NONE, &oxygen, "On supplemental oxygen", NULL },
    { "sbp", 0, 0, G_OPTION_ARG_STRING, &sbp, "Systolic blood pressure mmHg", "N" },
    { "pulse", 0, 0, G_OPTION_ARG_STRING, &pulse, "Pulse /min", "N" },
    { "acvpu", 0, 0, G_OPTION_ARG_STRING, &acvpu,
      "Alert, new Confusion, Voice, Pain or Unresponsive", "A|C|V|P|U" },
    { "temp", 0, 0, G_OPTION_ARG_STRING, &temp, "Temperature °C", "N" },
    { NULL }
  };

  tw_news2_input_init (&in);
  {
    const MeasuredOption measured[] = {
      { "--rr", "rr", &rr, &in.rr }, { "--spo2", "spo2", &spo2, &in.spo2 },
      { "--sbp", "sbp", &sbp, &in.sbp }, { "--pulse", "hr", &pulse, &in.pulse },
      { "--temp", "temp", &temp, &in.temp },
    };

    if (!twctl_parse_command_options (news2_usage, entries, &argc, &argv, &error))
      {
        usage_error (news2_usage, error->message);
        return EXIT_USAGE;
      }
    if (argc > 1)
      {
        g_autofree char *problem = g_strdup_printf ("unexpected “%s”", argv[1]);

        usage_error (news2_usage, problem);
        return EXIT_USAGE;
      }
    if (air && oxygen)
      {
        usage_error (news2_usage, "give --air or --o2, not both");
        return EXIT_USAGE;
      }
    for (gsize i = 0; i < G_N_ELEMENTS (measured); i++)
      if (!read_measured (&measured[i]))
        return EXIT_USAGE;
  }
  if (acvpu != NULL)
    {
      TwAcvpu level;

      if (!tw_acvpu_from_string (acvpu, &level))
        {
          g_autofree char *problem =
            g_strdup_printf ("--acvpu “%s” is not one of A (alert), C (new confusion), "
                             "V (voice), P (pain), U (unresponsive)", acvpu);

          usage_error (news2_usage, problem);
          return EXIT_USAGE;
        }
      in.acvpu = level;
    }
  if (air || oxygen)
    in.on_oxygen = oxygen ? 1 : 0;
  in.scale2 = scale2;

  tw_news2_score (&in, &score);
  add_news2_json (builder, &in, &score);
  print_json (builder);
  return 0;
}

/* ---- glucose-stats ---------------------------------------------------- */

static const char glucose_usage[] = "glucose-stats FILE [--unit mg/dL|mmol/L]   (CSV time,value)";

/* Epoch seconds, or ISO 8601; a time without a zone is local time, as
 * CGM exports write it. */
static gboolean
parse_time (const char *text,
            GTimeZone  *local,
            gint64     *out_us)
{
  g_autoptr(GDateTime) dt = NULL;
  double secs;

  if (parse_number (text, &secs))
    {
      if (secs < 0 || secs > EPOCH_SECONDS_MAX)
        return FALSE;
      *out_us = (gint64) llround (secs * G_USEC_PER_SEC);
      return TRUE;
    }
  dt = g_date_time_new_from_iso8601 (text, local);
  /* ISO 8601 allows hh:mm without seconds (and exports write it); GLib
   * does not: add them. */
  if (dt == NULL && strlen (text) >= MINUTES_END && text[MINUTES_END - 3] == ':'
      && (text[MINUTES_END] == '\0' || strchr ("Zz+-", text[MINUTES_END]) != NULL))
    {
      g_autofree char *with_seconds = g_strdup_printf ("%.*s:00%s", MINUTES_END, text,
                                                       text + MINUTES_END);

      dt = g_date_time_new_from_iso8601 (with_seconds, local);
    }
  if (dt == NULL)
    return FALSE;
  *out_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

static char *
unquote (char *field)
{
  gsize len;

  g_strstrip (field);
  len = strlen (field);
  if (len >= 2 && field[0] == '"' && field[len - 1] == '"')
    {
      field[len - 1] = '\0';
      field++;
      g_strstrip (field);
    }
  return field;
}

/* Readings of @path in mg/dL. A first line whose fields are neither a
 * time nor a number is a header; blank lines and lines starting with # are skipped; any other
 * line that is not "time,value" is an error naming its line. */
static GArray *
read_glucose_csv (const char  *path,
                  double       to_mgdl,
                  GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (TwPoint));
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  const TwMetricInfo *glucose = tw_metric_lookup ("glucose");
  gboolean seen_line = FALSE;

  if (g_str_equal (path, "-"))
    {
      g_autoptr(GIOChannel) in = g_io_channel_unix_new (0);

      if (g_io_channel_read_to_end (in, &contents, NULL, error) != G_IO_STATUS_NORMAL)
        return NULL;
    }
  else if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      g_auto(GStrv) fields = NULL;
      char *time_text, *value_text;
      TwPoint p;
      double value;
      gboolean first = !seen_line;

      if (*line == '\0' || *line == '#')
        continue;
      seen_line = TRUE;
      fields = g_strsplit (line, ",", -1);
      if (g_strv_length (fields) != 2)
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "%s:%u: expected “time,value”, found %u field%s", path, i + 1,
                       g_strv_length (fields), g_strv_length (fields) == 1 ? "" : "s");
          return NULL;
        }
      time_text = unquote (fields[0]);
      value_text = unquote (fields[1]);
      if (!parse_time (time_text, local, &p.ts))
        {
          /* A header such as "time,value"; a first reading with a bad
           * time is still an error, not a header. */
          if (first && !parse_number (value_text, &value))
            continue;
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "%s:%u: “%s” is not a time (ISO 8601 such as 2026-03-29T02:30:00Z, "
                       "or epoch seconds)", path, i + 1, time_text);
          return NULL;
        }
      if (!parse_number (value_text, &value))
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "%s:%u: “%s” is not a glucose value", path, i + 1, value_text);
          return NULL;
        }
      p.value = value * to_mgdl;
      if (p.value < glucose->plausible_min || p.value > glucose->plausible_max)
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "%s:%u: %s is outside the plausible %g–%g mg/dL; is --unit right?",
                       path, i + 1, value_text, glucose->plausible_min, glucose->plausible_max);
          return NULL;
        }
      g_array_append_val (points, p);
    }
  if (points->len == 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "%s has no readings; expected lines of “time,value”", path);
      return NULL;
    }
  return g_steal_pointer (&points);
}

static void
add_glucose_json (JsonBuilder          *b,
                  const char           *path,
                  const char           *unit,
                  double                to_mgdl,
                  const TwGlucoseStats *st,
                  const TwAgp          *agp)
{
  g_autofree char *first = tw_time_format_iso8601 (st->first_ts);
  g_autofree char *last = tw_time_format_iso8601 (st->last_ts);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "unit");
  json_builder_add_string_value (b, unit);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, st->n);
  json_builder_set_member_name (b, "first");
  json_builder_add_string_value (b, first);
  json_builder_set_member_name (b, "last");
  json_builder_add_string_value (b, last);

  json_builder_set_member_name (b, "ranges_percent");
  json_builder_begin_object (b);
  for (int r = 0; r < TW_GLUCOSE_N_RANGES; r++)
    add_number_or_null (b, tw_glucose_range_to_string (r), st->range_percent[r], STAT_DECIMALS);
  json_builder_end_object (b);

  add_number_or_null (b, "mean", st->mean / to_mgdl, STAT_DECIMALS);
  add_number_or_null (b, "sd", st->sd / to_mgdl, STAT_DECIMALS);
  add_number_or_null (b, "cv_percent", st->cv_percent, STAT_DECIMALS);
  json_builder_set_member_name (b, "gmi");
  json_builder_begin_object (b);
  add_number_or_null (b, "percent", st->gmi_percent, STAT_DECIMALS);
  add_number_or_null (b, "mmol_mol", st->gmi_mmol_mol, STAT_DECIMALS);
  json_builder_end_object (b);
  add_number_or_null (b, "lbgi", st->lbgi, STAT_DECIMALS);
  add_number_or_null (b, "hbgi", st->hbgi, STAT_DECIMALS);

  json_builder_set_member_name (b, "agp");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bin_minutes");
  json_builder_add_int_value (b, agp->bin_minutes);
  json_builder_set_member_name (b, "time_zone");
  {
    g_autoptr(GTimeZone) tz = g_time_zone_new_local ();

    json_builder_add_string_value (b, g_time_zone_get_identifier (tz));
  }
  json_builder_set_member_name (b, "percentiles");
  json_builder_begin_array (b);
  for (int k = 0; k < TW_AGP_N_PERCENTILES; k++)
    json_builder_add_double_value (b, tw_agp_percentiles[k]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "hours");
  json_builder_begin_array (b);
  for (guint h = 0; h < agp->n_bins; h++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "hour");
      json_builder_add_int_value (b, h * agp->bin_minutes / 60);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, agp->bins[h].n);
      for (int k = 0; k < TW_AGP_N_PERCENTILES; k++)
        {
          g_autofree char *name = g_strdup_printf ("p%g", tw_agp_percentiles[k]);

          add_number_or_null (b, name, agp->bins[h].p[k] / to_mgdl, STAT_DECIMALS);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

int
twctl_cmd_glucose_stats (Twctl  *self,
                         int     argc,
                         char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GArray) points = NULL;
  g_autoptr(TwAgp) agp = NULL;
  g_autofree char *unit = NULL;
  const char *unit_name = "mg/dL";
  double to_mgdl = 1.0;
  TwGlucoseStats stats;
  GOptionEntry entries[] = {
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, "Unit of the values (default mg/dL)",
      "mg/dL|mmol/L" },
    { NULL }
  };

  if (!twctl_parse_command_options (glucose_usage, entries, &argc, &argv, &error))
    {
      usage_error (glucose_usage, error->message);
      return EXIT_USAGE;
    }
  if (argc != 2)
    {
      usage_error (glucose_usage, argc < 2 ? "say which file to read (- for standard input)"
                                           : "give one file");
      return EXIT_USAGE;
    }
  if (unit != NULL && g_ascii_strcasecmp (unit, "mmol/L") == 0)
    {
      unit_name = "mmol/L";
      to_mgdl = TW_MGDL_PER_MMOLL;
    }
  else if (unit != NULL && g_ascii_strcasecmp (unit, "mg/dL") != 0)
    {
      g_autofree char *problem = g_strdup_printf ("unknown --unit “%s” (mg/dL or mmol/L)", unit);

      usage_error (glucose_usage, problem);
      return EXIT_USAGE;
    }

  points = read_glucose_csv (argv[1], to_mgdl, &error);
  if (points == NULL)
    return twctl_fail (error);
  tw_glucose_stats_compute ((const TwPoint *) points->data, points->len, &stats);
  agp = tw_agp_compute ((const TwPoint *) points->data, points->len, AGP_BIN_MINUTES);
  add_glucose_json (builder, argv[1], unit_name, to_mgdl, &stats, agp);
  print_json (builder);
  return 0;
}

/* ---- forecast --------------------------------------------------------- */

static const char forecast_usage[] = "forecast ar2 PREVIOUS NOW   (mg/dL, 5 minutes apart)";

int
twctl_cmd_forecast (Twctl  *self,
                    int     argc,
                    char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  double previous, now;
  TwAr2Forecast f;
  GOptionEntry entries[] = { { NULL } };

  if (!twctl_parse_command_options (forecast_usage, entries, &argc, &argv, &error))
    {
      usage_error (forecast_usage, error->message);
      return EXIT_USAGE;
    }
  if (argc < 2 || !g_str_equal (argv[1], "ar2"))
    {
      g_autofree char *problem = argc < 2 ? g_strdup ("say which forecast (ar2)")
                                          : g_strdup_printf ("unknown forecast “%s” (ar2)", argv[1]);

      usage_error (forecast_usage, problem);
      return EXIT_USAGE;
    }
  if (argc != 4)
    {
      usage_error (forecast_usage, "give the previous and the current reading in mg/dL");
      return EXIT_USAGE;
    }
  for (int i = 2; i < 4; i++)
    if (!parse_number (argv[i], i == 2 ? &previous : &now))
      {
        g_autofree char *problem = g_strdup_printf ("“%s” is not a glucose value in mg/dL", argv[i]);

        usage_error (forecast_usage, problem);
        return EXIT_USAGE;
      }
  if (!tw_ar2_forecast (previous, now, &f))
    {
      g_printerr ("twctl: AR2 forecasts from readings of 36 mg/dL or more (as Nightscout); "
                  "got %g and %g\n", previous, now);
      return 1;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, "ar2");
  json_builder_set_member_name (b, "unit");
  json_builder_add_string_value (b, "mg/dL");
  json_builder_set_member_name (b, "previous");
  json_builder_add_double_value (b, previous);
  json_builder_set_member_name (b, "now");
  json_builder_add_double_value (b, now);
  json_builder_set_member_name (b, "minutes");
  json_builder_begin_array (b);
  for (int s = 0; s < TW_AR2_STEPS; s++)
    json_builder_add_int_value (b, (s + 1) * TW_AR2_STEP_US / TW_USEC_PER_MIN);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "predicted");
  json_builder_begin_array (b);
  for (int s = 0; s < TW_AR2_STEPS; s++)
    json_builder_add_int_value (b, (gint64) f.predicted[s]);   /* whole mg/dL, as ar2.js */
  json_builder_end_array (b);
  json_builder_set_member_name (b, "loss");
  json_builder_add_double_value (b, f.loss);
  json_builder_set_member_name (b, "level");
  json_builder_add_string_value (b, tw_ar2_level_to_string (f.level));
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, tw_ar2_event_to_string (f.event));
  json_builder_end_object (b);
  print_json (b);
  return 0;
}
