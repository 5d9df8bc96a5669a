#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <math.h>

#include "tw-agp-chart.h"
#include "tw-bar-chart.h"
#include "tw-glucose-panel.h"
#include "tw-patient-query.h"
#include "tw-time.h"

/*
 * TwGlucosePanel: the glucose page of the patient view, after the AGP
 * report: the consensus range bar beside the statistics with their
 * targets, the live trend with the AR2 forecast drawn ahead and what it
 * predicts, and the 14-day ambulatory glucose profile.
 */

#define HIGH_RISK_CLASS "error"
#define WARN_CLASS      "warning"
#define OK_CLASS        "success"

struct _TwGlucosePanel
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkWidget      *scroller;
  GtkDrawingArea *range_bar;
  GtkLabel       *period_label;
  GtkLabel       *mean_label;
  GtkLabel       *mean_target;
  GtkLabel       *gmi_label;
  GtkLabel       *gmi_target;
  GtkLabel       *cv_label;
  GtkLabel       *cv_target;
  GtkLabel       *lbgi_label;
  GtkLabel       *lbgi_target;
  GtkLabel       *hbgi_label;
  GtkLabel       *hbgi_target;
  GtkLabel       *forecast_label;
  TwChartView    *chart;
  GtkDrawingArea *agp_area;

  /* Owned */
  TwGlucoseStats  stats;
  gboolean        have_stats;
  TwAgp          *agp;
};

G_DEFINE_FINAL_TYPE (TwGlucosePanel, tw_glucose_panel, GTK_TYPE_WIDGET)

char *
tw_glucose_format_mean (double mean_mgdl)
{
  /* Translators: mean glucose in mg/dL and mmol/L */
  return g_strdup_printf (_("%.0f mg/dL (%.1f mmol/L)"), mean_mgdl, mean_mgdl / TW_MGDL_PER_MMOLL);
}

char *
tw_glucose_format_gmi (double gmi_percent,
                       double gmi_mmol_mol)
{
  return g_strdup_printf (_("%.1f %% (%.0f mmol/mol)"), gmi_percent, gmi_mmol_mol);
}

char *
tw_glucose_format_cv (double cv_percent)
{
  return g_strdup_printf ("%.1f %%", cv_percent);
}

char *
tw_glucose_format_index (double index)
{
  return g_strdup_printf ("%.1f", index);
}

static gboolean
is_dark (void)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

static void
draw_range_bar (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        user_data)
{
  TwGlucosePanel *self = TW_GLUCOSE_PANEL (user_data);

  if (!self->have_stats)
    return;

  tw_glucose_range_bar_draw (cr, 0, 0, width, height, self->stats.range_percent, is_dark ());
}

static void
draw_agp (GtkDrawingArea *area,
          cairo_t        *cr,
          int             width,
          int             height,
          gpointer        user_data)
{
  TwGlucosePanel *self = TW_GLUCOSE_PANEL (user_data);
  g_autofree char *title = NULL;
  TwAgpChartStyle style = { 0 };

  if (self->agp == NULL)
    return;

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "Ambulatory glucose profile, %u day",
                                        "Ambulatory glucose profile, %u days",
                                        TW_PATIENT_GLUCOSE_DAYS),
                           TW_PATIENT_GLUCOSE_DAYS);
  style.title = title;
  style.dark = is_dark ();
  tw_agp_chart_draw (cr, 0, 0, width, height, &style, self->agp);
}

static void
set_target (GtkLabel   *label,
            const char *text,
            gboolean    met)
{
  gtk_label_set_text (label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (label), met ? WARN_CLASS : OK_CLASS);
  gtk_widget_add_css_class (GTK_WIDGET (label), met ? OK_CLASS : WARN_CLASS);
}

static void
update_labels (TwGlucosePanel *self)
{
  const TwGlucoseStats *stats = &self->stats;
  g_autofree char *mean = NULL;
  g_autofree char *gmi = NULL;
  g_autofree char *cv = NULL;
  g_autofree char *lbgi = NULL;
  g_autofree char *hbgi = NULL;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *period = NULL;
  g_autofree char *tir = NULL;
  g_autofree char *bar_label = NULL;

  mean = tw_glucose_format_mean (stats->mean);
  gmi = tw_glucose_format_gmi (stats->gmi_percent, stats->gmi_mmol_mol);
  cv = tw_glucose_format_cv (stats->cv_percent);
  lbgi = tw_glucose_format_index (stats->lbgi);
  hbgi = tw_glucose_format_index (stats->hbgi);

  gtk_label_set_text (self->mean_label, mean);
  gtk_label_set_text (self->gmi_label, gmi);
  gtk_label_set_text (self->cv_label, isnan (stats->cv_percent) ? "\u2014" : cv);
  gtk_label_set_text (self->lbgi_label, lbgi);
  gtk_label_set_text (self->hbgi_label, hbgi);

  tir = g_strdup_printf (_("%.0f %% in range 70–180 (target > %.0f %%)"),
                         stats->range_percent[TW_GLUCOSE_IN_RANGE], TW_GLUCOSE_TARGET_TIR_MIN);
  set_target (self->mean_target, tir,
              stats->range_percent[TW_GLUCOSE_IN_RANGE] > TW_GLUCOSE_TARGET_TIR_MIN);
  gtk_label_set_text (self->gmi_target, _("Estimated HbA1c from the mean"));
  {
    g_autofree char *text = g_strdup_printf (_("Target ≤ %.0f %%"), TW_GLUCOSE_TARGET_CV_MAX);
    set_target (self->cv_target, text, stats->cv_percent <= TW_GLUCOSE_TARGET_CV_MAX);
  }
  {
    g_autofree char *text = g_strdup_printf (_("Low risk ≤ %.1f"), TW_GLUCOSE_LBGI_LOW_RISK);
    set_target (self->lbgi_target, text, stats->lbgi <= TW_GLUCOSE_LBGI_LOW_RISK);
  }
  {
    g_autofree char *text = g_strdup_printf (_("Low risk ≤ %.1f"), TW_GLUCOSE_HBGI_LOW_RISK);
    set_target (self->hbgi_target, text, stats->hbgi <= TW_GLUCOSE_HBGI_LOW_RISK);
  }

  first = tw_time_format_local (stats->first_ts, "%-d %b");
  last = tw_time_format_local (stats->last_ts, "%-d %b %H:%M");
  period = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s – %s · %u reading",
                                         "%s – %s · %u readings", stats->n),
                            first, last, stats->n);
  gtk_label_set_text (self->period_label, period);

  bar_label = g_strdup_printf (_("Time in ranges: very low %.0f %%, low %.0f %%, in range %.0f %%, "
                                 "high %.0f %%, very high %.0f %%"),
                               stats->range_percent[TW_GLUCOSE_VERY_LOW],
                               stats->range_percent[TW_GLUCOSE_LOW],
                               stats->range_percent[TW_GLUCOSE_IN_RANGE],
                               stats->range_percent[TW_GLUCOSE_HIGH],
                               stats->range_percent[TW_GLUCOSE_VERY_HIGH]);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->range_bar),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, bar_label, -1);
}

static void
update_forecast (TwGlucosePanel      *self,
                 const TwAr2Forecast *forecast,
                 const char          *forecast_error)
{
  g_autofree char *text = NULL;
  TwPoint points[TW_AR2_STEPS];
  const char *css = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->forecast_label), HIGH_RISK_CLASS);
  gtk_widget_remove_css_class (GTK_WIDGET (self->forecast_label), WARN_CLASS);

  if (forecast == NULL)
    {
      tw_chart_view_set_forecast (self->chart, "glucose", NULL, 0);
      text = g_strdup_printf (_("No forecast: %s"),
                              forecast_error != NULL ? forecast_error : _("no recent readings"));
      gtk_label_set_text (self->forecast_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->forecast_label), "dim-label");
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->forecast_label), "dim-label");
  for (guint i = 0; i < TW_AR2_STEPS; i++)
    {
      points[i].ts = forecast->predicted_ts[i];
      points[i].value = forecast->predicted[i];
    }
  tw_chart_view_set_forecast (self->chart, "glucose", points, TW_AR2_STEPS);

  switch (forecast->event)
    {
    case TW_AR2_EVENT_LOW:
      text = g_strdup_printf (_("Predicted low: %.0f mg/dL in 30 minutes"),
                              forecast->predicted[TW_AR2_STEPS - 1]);
      break;
    case TW_AR2_EVENT_HIGH:
      text = g_strdup_printf (_("Predicted high: %.0f mg/dL in 30 minutes"),
                              forecast->predicted[TW_AR2_STEPS - 1]);
      break;
    case TW_AR2_EVENT_NONE:
    default:
      text = g_strdup_printf (_("Forecast: %.0f mg/dL in 30 minutes, in range"),
                              forecast->predicted[TW_AR2_STEPS - 1]);
      break;
    }

  if (forecast->level == TW_AR2_LEVEL_URGENT)
    css = HIGH_RISK_CLASS;
  else if (forecast->level == TW_AR2_LEVEL_WARN)
    css = WARN_CLASS;
  if (css != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->forecast_label), css);

  gtk_label_set_text (self->forecast_label, text);
}

static void
on_dark_changed (TwGlucosePanel *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->range_bar));
  gtk_widget_queue_draw (GTK_WIDGET (self->agp_area));
}

static void
tw_glucose_panel_dispose (GObject *object)
{
  TwGlucosePanel *self = (TwGlucosePanel *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TW_TYPE_GLUCOSE_PANEL);
  g_clear_pointer (&self->agp, tw_agp_free);

  G_OBJECT_CLASS (tw_glucose_panel_parent_class)->dispose (object);
}

static void
tw_glucose_panel_class_init (TwGlucosePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_glucose_panel_dispose;

  g_type_ensure (TW_TYPE_CHART_VIEW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-glucose-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, scroller);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, range_bar);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, period_label);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, mean_label);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, mean_target);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, gmi_label);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, gmi_target);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, cv_label);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, cv_target);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, lbgi_label);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, lbgi_target);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, hbgi_label);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, hbgi_target);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, forecast_label);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, chart);
  gtk_widget_class_bind_template_child (widget_class, TwGlucosePanel, agp_area);
}

static void
tw_glucose_panel_init (TwGlucosePanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drawing_area_set_draw_func (self->range_bar, draw_range_bar, self, NULL);
  gtk_drawing_area_set_draw_func (self->agp_area, draw_agp, self, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->agp_area),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Ambulatory glucose profile"), -1);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
tw_glucose_panel_new (void)
{
  return g_object_new (TW_TYPE_GLUCOSE_PANEL, NULL);
}

/**
 * tw_glucose_panel_set_data:
 * @self: the panel
 * @points: (transfer full): the glucose readings, sorted (mg/dL)
 * @stats: their statistics
 * @agp: (transfer full) (nullable): their profile
 * @forecast: (nullable): the AR2 forecast from the newest readings
 * @forecast_error: (nullable): why there is none
 */
void
tw_glucose_panel_set_data (TwGlucosePanel       *self,
                           GArray               *points,
                           const TwGlucoseStats *stats,
                           TwAgp                *agp,
                           const TwAr2Forecast  *forecast,
                           const char           *forecast_error)
{
  g_autofree char *agp_description = NULL;

  g_return_if_fail (TW_IS_GLUCOSE_PANEL (self));
  g_return_if_fail (points != NULL);
  g_return_if_fail (stats != NULL);

  self->stats = *stats;
  self->have_stats = TRUE;
  g_clear_pointer (&self->agp, tw_agp_free);
  self->agp = agp;

  tw_chart_view_take_series (self->chart, "glucose", points);
  update_labels (self);
  update_forecast (self, forecast, forecast_error);

  if (self->agp != NULL)
    {
      agp_description = tw_agp_chart_describe (self->agp);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->agp_area),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, agp_description, -1);
    }

  gtk_widget_queue_draw (GTK_WIDGET (self->range_bar));
  gtk_widget_queue_draw (GTK_WIDGET (self->agp_area));
}

void
tw_glucose_panel_clear (TwGlucosePanel *self)
{
  g_return_if_fail (TW_IS_GLUCOSE_PANEL (self));

  self->have_stats = FALSE;
  g_clear_pointer (&self->agp, tw_agp_free);
  tw_chart_view_clear (self->chart);
  gtk_widget_queue_draw (GTK_WIDGET (self->range_bar));
  gtk_widget_queue_draw (GTK_WIDGET (self->agp_area));
}

/**
 * tw_glucose_panel_get_chart:
 * @self: the panel
 *
 * Returns: (transfer none): the live glucose trend
 */
TwChartView *
tw_glucose_panel_get_chart (TwGlucosePanel *self)
{
  g_return_val_if_fail (TW_IS_GLUCOSE_PANEL (self), NULL);

  return self->chart;
}
