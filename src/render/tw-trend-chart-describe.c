#include "tw-trend-chart.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "tw-chart-format.h"
#include "tw-m4.h"
#include "tw-time.h"

/* The trend chart in words (tw_trend_chart_describe): what an assistive
 * technology reads for the picture tw-trend-chart.c draws, and what tests
 * compare. */

static char *
describe_time (gint64   ts,
               gboolean with_date)
{
  return tw_time_format_local (ts, with_date ? "%-d %b %H:%M" : "%H:%M");
}

/* The smallest, largest and last value of a line in the range, from its
 * envelope when it has one. */
static gboolean
line_summary (const TwChartLine *line,
              gint64             t_from,
              gint64             t_to,
              double            *min,
              double            *max,
              double            *last)
{
  gboolean any = FALSE;

  if (line->envelope != NULL)
    {
      for (guint x = 0; x < line->envelope->width; x++)
        {
          const TwM4Column *col = &line->envelope->columns[x];

          if (!col->has_data)
            continue;
          *min = MIN (*min, col->min);
          *max = MAX (*max, col->max);
          *last = col->last;
          any = TRUE;
        }
      return any;
    }
  else
    {
      guint lo = tw_m4_lower_bound (line->points, line->n_points, t_from);
      guint hi = tw_m4_lower_bound (line->points, line->n_points, t_to);

      for (guint k = lo; k < hi; k++)
        {
          *min = MIN (*min, line->points[k].value);
          *max = MAX (*max, line->points[k].value);
        }
      if (hi > lo)
        *last = line->points[hi - 1].value;
      return hi > lo;
    }
}

static void
describe_panel (GString            *text,
                const TwChartPanel *panel,
                gint64              t_from,
                gint64              t_to)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GString) latest = g_string_new (NULL);
  g_autoptr(GString) range = g_string_new (NULL);
  guint n_lines = MIN (panel->n_lines, TW_CHART_MAX_LINES);
  gboolean labelled = n_lines > 1;
  gboolean any = FALSE;
  const char *unit = tw_chart_format_unit (panel->unit);

  for (guint i = 0; i < n_lines; i++)
    if (panel->lines[i].label == NULL)
      labelled = FALSE;

  for (guint i = 0; i < n_lines; i++)
    {
      const TwChartLine *line = &panel->lines[i];
      gboolean has_values;
      double min = INFINITY;
      double max = -INFINITY;
      double last_value = NAN;

      if (i > 0)
        {
          g_string_append_c (name, '/');
          g_string_append_c (latest, '/');
          g_string_append_c (range, '/');
        }
      if (labelled)
        g_string_append (name, line->label);

      has_values = line_summary (line, t_from, t_to, &min, &max, &last_value);
      if (has_values)
        {
          g_autofree char *last = tw_chart_format_value (last_value, panel->digits);
          g_autofree char *min_text = NULL;
          g_autofree char *max_text = NULL;

          min_text = tw_chart_format_value (min, panel->digits);
          max_text = tw_chart_format_value (max, panel->digits);
          g_string_append (latest, last);
          g_string_append_printf (range, "%s\u2013%s", min_text, max_text);
          any = TRUE;
        }
      else
        {
          g_string_append (latest, TW_CHART_NO_VALUE);
          g_string_append (range, TW_CHART_NO_VALUE);
        }
    }
  if (!labelled)
    g_string_assign (name, panel->title ? panel->title : "");

  if (!any)
    {
      g_string_append_c (text, ' ');
      /* TRANSLATORS: a panel of a trend chart without values, "SpO₂: no data." */
      g_string_append_printf (text, _("%s: no data."), name->str);
      return;
    }
  g_string_append_c (text, ' ');
  /* TRANSLATORS: "Heart rate: latest 72 /min, range 65–88." */
  g_string_append_printf (text, _("%s: latest %s%s%s, range %s."),
                          name->str, latest->str, *unit ? " " : "", unit, range->str);

  /* A prediction is said as one, with its last value and time. */
  for (guint i = 0; i < n_lines; i++)
    {
      const TwChartLine *line = &panel->lines[i];
      guint lo = tw_m4_lower_bound (line->forecast, line->n_forecast, t_from);
      guint hi = tw_m4_lower_bound (line->forecast, line->n_forecast, t_to + 1);
      g_autofree char *value = NULL;
      g_autofree char *at = NULL;

      if (hi == lo)
        continue;
      value = tw_chart_format_value (line->forecast[hi - 1].value, panel->digits);
      at = tw_time_format_local (line->forecast[hi - 1].ts, "%H:%M");
      g_string_append_c (text, ' ');
      /* TRANSLATORS: "Forecast 130 mg/dL at 08:40." */
      g_string_append_printf (text, _("Forecast %s%s%s at %s."),
                              value, *unit ? " " : "", unit, at);
      break;
    }
}

/**
 * tw_trend_chart_describe:
 * @options: as for tw_trend_chart_draw()
 * @panels: (array length=n_panels): as for tw_trend_chart_draw()
 * @n_panels: number of panels
 *
 * A paragraph that says what the chart shows, for screen readers: "Trend
 * from 07:10 to 07:15. Heart rate: latest 72 /min, range 65–88.
 * Systolic/Diastolic: latest 121/78 mmHg, range 110–135/70–85. SpO₂: no
 * data." The latest value is the last sample in the range.
 *
 * Returns: (transfer full): the summary
 */
char *
tw_trend_chart_describe (const TwChartOptions *options,
                         const TwChartPanel   *panels,
                         guint                 n_panels)
{
  GString *text;
  g_autoptr(GDateTime) from = NULL;
  g_autoptr(GDateTime) to = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  gboolean same_day;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (panels != NULL || n_panels == 0, NULL);

  from = g_date_time_new_from_unix_local (options->t_from / TW_USEC_PER_SEC);
  to = g_date_time_new_from_unix_local (options->t_to / TW_USEC_PER_SEC);
  same_day = from != NULL && to != NULL
             && g_date_time_get_year (from) == g_date_time_get_year (to)
             && g_date_time_get_day_of_year (from) == g_date_time_get_day_of_year (to);
  from_text = describe_time (options->t_from, !same_day);
  to_text = describe_time (options->t_to, !same_day);

  text = g_string_new (NULL);
  /* TRANSLATORS: start of a chart's description, "Trend from 07:10 to 07:15." */
  g_string_append_printf (text, _("Trend from %s to %s."), from_text, to_text);
  if (options->highlight_to > options->highlight_from)
    {
      g_autofree char *hl_from = describe_time (options->highlight_from, !same_day);
      g_autofree char *hl_to = describe_time (options->highlight_to, !same_day);

      g_string_append_c (text, ' ');
      /* TRANSLATORS: an alert's evidence window shaded on the chart */
      g_string_append_printf (text, _("Alert window %s to %s highlighted."), hl_from, hl_to);
    }
  for (guint i = 0; i < options->n_markers; i++)
    {
      const TwChartMarker *m = &options->markers[i];
      static const char *priorities[] = { N_("low"), N_("medium"), N_("high") };
      g_autofree char *at = NULL;

      if (m->ts < options->t_from || m->ts > options->t_to)
        continue;
      at = describe_time (m->ts, !same_day);
      g_string_append_c (text, ' ');
      /* TRANSLATORS: an alert marked on a chart, "High alert at 07:14: SpO2 below 90." */
      g_string_append_printf (text, _("Alert (%s) at %s%s%s."),
                              _(priorities[CLAMP (m->priority, 0, 2)]), at,
                              m->label != NULL ? ": " : "", m->label != NULL ? m->label : "");
    }
  if (n_panels == 0)
    {
      g_string_append_c (text, ' ');
      g_string_append (text, _("No data."));
    }
  for (guint p = 0; p < n_panels; p++)
    describe_panel (text, &panels[p], options->t_from, options->t_to);

  return g_string_free (text, FALSE);
}
