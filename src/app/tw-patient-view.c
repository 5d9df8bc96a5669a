#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <math.h>

#include "tw-glucose-panel.h"
#include "tw-heatmap.h"
#include "tw-patient-query.h"
#include "tw-patient-view.h"
#include "tw-score-tile.h"
#include "tw-time.h"
#include "tw-timeline-row.h"

/*
 * TwPatientView: the monitor page's detail area for one patient. A header
 * with the summary the role may see (the store masks it: analysts get the
 * pseudonym and an age band) and the live NEWS2 tile, then the views:
 * vital signs (the monitor page's live chart, added as the "vitals"
 * child), the NEWS2 history and parameter heatmap, the clinical record,
 * and glucose for patients with a glucose series.
 *
 * All charts bind to one TwTimeRange, so zooming one zooms all. Reads run
 * in a GTask worker (tw-patient-query.c); refreshes while data flows are
 * throttled, and one query runs at a time.
 */

#define REFRESH_INTERVAL_US (2 * G_USEC_PER_SEC)
#define N_VIEWS             4

static const char *view_names[N_VIEWS] = { "vitals", "news2", "record", "glucose" };

struct _TwPatientView
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkWidget      *box;
  GtkLabel       *patient_title;
  GtkLabel       *patient_subtitle;
  GtkLabel       *patient_facts;
  GtkDrawingArea *news2_tile;
  GtkLabel       *range_label;
  GtkButton      *live_button;
  AdwViewStack   *view_stack;
  GtkBox         *vitals_box;
  TwChartView    *news2_chart;
  GtkDrawingArea *heatmap;
  GtkLabel       *record_note;
  GtkListBox     *timeline_list;
  AdwViewStackPage *glucose_page;
  TwGlucosePanel *glucose_panel;

  /* Borrowed from the builder of the page that holds the view */
  TwChartView    *vitals_chart;

  /* Owned */
  TwTimeRange    *range;
  TwReader       *reader;
  GCancellable   *cancellable;
  char           *key;
  char           *display_name;
  char           *location;
  char           *news2_text;
  char           *record_signature;
  TwNews2Score    news2;
  gboolean        news2_known;
  guint           heat_columns;
  gint64          heat_from;
  double         *heat_values;
  gint64          last_refresh;
  guint           refresh_source;
  gboolean        query_in_flight;
  gboolean        refresh_again;
  gboolean        loaded;
};

static GtkBuildableIface *parent_buildable_iface;

static void tw_patient_view_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TwPatientView, tw_patient_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE,
                                                      tw_patient_view_buildable_init))

static void start_query (TwPatientView *self);

static gboolean
is_dark (void)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

/* Header */

static void
set_label (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
}

static void
append_part (GString    *text,
             const char *part)
{
  if (part == NULL || part[0] == '\0')
    return;
  if (text->len > 0)
    g_string_append (text, " \u00b7 ");
  g_string_append (text, part);
}

static void
show_fallback_header (TwPatientView *self)
{
  set_label (self->patient_title, self->display_name);
  set_label (self->patient_subtitle, self->location);
  set_label (self->patient_facts, NULL);
}

static void
show_summary (TwPatientView          *self,
              const TwPatientSummary *summary)
{
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autoptr(GString) facts = g_string_new (NULL);
  g_autofree char *place = NULL;
  g_autofree char *age = NULL;
  g_autofree char *mrn = NULL;
  g_autofree char *admitted = NULL;
  g_autofree char *diagnoses = NULL;
  g_autofree char *allergies = NULL;
  g_autofree char *prescriptions = NULL;

  if (summary->ward != NULL && summary->bed != NULL
      && g_str_has_prefix (summary->bed, summary->ward))
    /* The bed already names its ward ("Ward 7-04"): "Ward 7, bed Ward 7-04"
     * would say it twice. Translators: a bed, "Bed ICU-03" */
    place = g_strdup_printf (_("Bed %s"), summary->bed);
  else if (summary->ward != NULL && summary->bed != NULL)
    /* Translators: ward and bed, "Ward 4, bed 3" */
    place = g_strdup_printf (_("%s, bed %s"), summary->ward, summary->bed);
  else if (summary->ward != NULL)
    place = g_strdup (summary->ward);
  append_part (subtitle, place);

  if (summary->masked || summary->age_years < 0)
    /* Translators: a ten-year age band, "Age 60–69" */
    age = g_strdup_printf (_("Age %s"), summary->age_band);
  else
    age = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", summary->age_years),
                           summary->age_years);
  append_part (subtitle, age);
  append_part (subtitle, summary->sex);
  if (summary->mrn != NULL)
    {
      mrn = g_strdup_printf (_("MRN %s"), summary->mrn);
      append_part (subtitle, mrn);
    }
  if (summary->masked)
    append_part (subtitle, _("identity withheld"));

  if (summary->admitted_at > 0)
    {
      g_autofree char *when = tw_time_format_local (summary->admitted_at, "%-d %b %H:%M");

      admitted = g_strdup_printf (_("Admitted %s"), when);
      append_part (facts, admitted);
    }
  diagnoses = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u diagnosis", "%u diagnoses",
                                            summary->n_diagnoses), summary->n_diagnoses);
  allergies = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u allergy", "%u allergies",
                                            summary->n_allergies), summary->n_allergies);
  prescriptions = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u prescription",
                                                "%u prescriptions", summary->n_prescriptions),
                                   summary->n_prescriptions);
  append_part (facts, diagnoses);
  append_part (facts, allergies);
  append_part (facts, prescriptions);

  set_label (self->patient_title, summary->display_name);
  set_label (self->patient_subtitle, subtitle->str);
  set_label (self->patient_facts, facts->str);
}

static void
update_subjects (TwPatientView *self)
{
  const char *subject = gtk_label_get_text (self->patient_title);

  if (self->vitals_chart != NULL)
    tw_chart_view_set_subject (self->vitals_chart, subject);
  tw_chart_view_set_subject (self->news2_chart, subject);
  tw_chart_view_set_subject (tw_glucose_panel_get_chart (self->glucose_panel), subject);
}

/* NEWS2 tile */

static char *
describe_news2 (const TwNews2Score *score,
                gboolean            known)
{
  g_autoptr(GString) missing = g_string_new (NULL);

  if (!known)
    return g_strdup (_("NEWS2: no observations"));

  if (score->complete)
    return g_strdup_printf (_("NEWS2 %d: %s"), score->total, tw_news2_risk_to_label (score->risk));

  for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
    if (score->scores[p] < 0)
      {
        if (missing->len > 0)
          g_string_append (missing, ", ");
        g_string_append (missing, tw_news2_param_to_label (p));
      }

  /* Translators: the score cannot be given; %s lists what was not measured */
  return g_strdup_printf (_("NEWS2 incomplete: missing %s"), missing->str);
}

static void
draw_news2_tile (GtkDrawingArea *area,
                 cairo_t        *cr,
                 int             width,
                 int             height,
                 gpointer        user_data)
{
  TwPatientView *self = TW_PATIENT_VIEW (user_data);
  TwScoreTileStyle style = { "NEWS2", is_dark () };
  TwNews2Score empty;

  if (!self->news2_known)
    {
      memset (&empty, 0, sizeof empty);
      for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
        empty.scores[p] = -1;
      tw_score_tile_draw_news2 (cr, 0, 0, width, height, &style, &empty);
      return;
    }

  tw_score_tile_draw_news2 (cr, 0, 0, width, height, &style, &self->news2);
}

static void
set_news2 (TwPatientView      *self,
           const TwNews2Score *score,
           gboolean            known)
{
  g_free (self->news2_text);
  self->news2_known = known;
  if (score != NULL)
    self->news2 = *score;
  self->news2_text = describe_news2 (&self->news2, known);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->news2_tile),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->news2_text, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self->news2_tile));
}

/* Heatmap */

static void
draw_heatmap (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  TwPatientView *self = TW_PATIENT_VIEW (user_data);
  const char *row_labels[TW_NEWS2_N_PARAMS];
  g_autoptr(GPtrArray) column_texts = g_ptr_array_new_with_free_func (g_free);
  TwHeatmapStyle style = { 0 };

  if (self->heat_values == NULL || self->heat_columns == 0)
    return;

  for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
    row_labels[p] = tw_news2_param_to_label (p);
  for (guint c = 0; c < self->heat_columns; c++)
    g_ptr_array_add (column_texts,
                     tw_time_format_local (self->heat_from + c * TW_PATIENT_HEATMAP_HOUR_US, "%H:00"));

  style.title = _("NEWS2 parameter scores, worst per hour");
  style.n_rows = TW_NEWS2_N_PARAMS;
  style.n_columns = self->heat_columns;
  style.row_labels = row_labels;
  style.column_labels = (const char **) column_texts->pdata;
  style.low = 0;
  style.high = 3;
  style.n_steps = 4;
  style.show_values = TRUE;
  style.dark = is_dark ();
  tw_heatmap_draw (cr, 0, 0, width, height, &style, self->heat_values);
}

static void
update_heatmap_description (TwPatientView *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->heat_columns == 0)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->heatmap),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("NEWS2 parameter scores: no observations"), -1);
      return;
    }

  /* Translators: the heatmap's summary for screen readers */
  g_string_append_printf (text, _("NEWS2 parameter scores over %u hours, worst per hour."),
                          self->heat_columns);
  for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
    {
      double worst = NAN;

      for (guint c = 0; c < self->heat_columns; c++)
        {
          double v = self->heat_values[p * self->heat_columns + c];

          if (!isnan (v) && (isnan (worst) || v > worst))
            worst = v;
        }
      if (!isnan (worst))
        g_string_append_printf (text, _(" %s: up to %.0f."), tw_news2_param_to_label (p), worst);
      else
        g_string_append_printf (text, _(" %s: not measured."), tw_news2_param_to_label (p));
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->heatmap),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text->str, -1);
}

/* Record */

/* What the timeline shows, to rebuild it only when the record changed:
 * a refresh every few seconds must not move the rows under a reader. */
static char *
record_signature (GPtrArray *entries,
                  gboolean   masked)
{
  GString *text = g_string_new (masked ? "masked" : "");

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      const TwClinicalEntry *entry = g_ptr_array_index (entries, i);

      g_string_append_printf (text, "|%d %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s %s %s %s",
                              entry->kind, entry->ts, entry->end_ts, entry->code, entry->text,
                              entry->detail, entry->status);
    }

  return g_string_free (text, FALSE);
}

static void
show_entries (TwPatientView *self,
              GPtrArray     *entries,
              gboolean       masked)
{
  g_autofree char *signature = record_signature (entries, masked);
  GtkWidget *row;

  if (g_strcmp0 (signature, self->record_signature) == 0)
    return;
  g_free (self->record_signature);
  self->record_signature = g_steal_pointer (&signature);

  while ((row = GTK_WIDGET (gtk_list_box_get_row_at_index (self->timeline_list, 0))) != NULL)
    gtk_list_box_remove (self->timeline_list, row);

  /* Newest first: what happened last matters most on a ward round. */
  for (guint i = entries != NULL ? entries->len : 0; i > 0; i--)
    {
      const TwClinicalEntry *entry = g_ptr_array_index (entries, i - 1);

      if (entry->kind == TW_CLINICAL_DEMOGRAPHICS)
        continue;
      gtk_list_box_append (self->timeline_list, tw_timeline_row_new (entry));
    }

  gtk_label_set_text (self->record_note,
                      _("Free text (descriptions, doses, reactions) is withheld for your role; "
                        "codes are shown."));
  gtk_widget_set_visible (GTK_WIDGET (self->record_note), masked);
}

/* Range */

static void
update_range_label (TwPatientView *self)
{
  gint64 from = tw_time_range_get_from (self->range);
  gint64 to = tw_time_range_get_to (self->range);
  gboolean live = tw_time_range_get_live (self->range);
  g_autofree char *text = NULL;
  gint64 span = to - from;

  if (to <= from)
    text = g_strdup ("");
  else if (live && span < TW_USEC_PER_HOUR * 2)
    {
      guint minutes = (guint) ((span + TW_USEC_PER_MIN / 2) / TW_USEC_PER_MIN);

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Last %u minute", "Last %u minutes",
                                           minutes), minutes);
    }
  else if (live)
    {
      guint hours = (guint) ((span + TW_USEC_PER_HOUR / 2) / TW_USEC_PER_HOUR);

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Last %u hour", "Last %u hours", hours),
                              hours);
    }
  else
    {
      g_autofree char *start = tw_time_format_local (from, "%-d %b %H:%M");
      g_autofree char *end = tw_time_format_local (to, span < TW_USEC_PER_HOUR * 24
                                                           ? "%H:%M" : "%-d %b %H:%M");

      /* Translators: a time range, "23 Nov 10:00 – 12:00" */
      text = g_strdup_printf (_("%s – %s"), start, end);
    }

  gtk_label_set_text (self->range_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->live_button), !live && to > from);
}

/* Query */

static void
query_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TwPatientView *self;
  GTask *task = G_TASK (result);
  TwPatientQuery *query = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean masked;

  if (!g_task_propagate_boolean (task, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = TW_PATIENT_VIEW (object);
  self->query_in_flight = FALSE;

  if (error != NULL)
    {
      g_warning ("The patient view of %s could not be read: %s", query->key, error->message);
    }
  else if (g_strcmp0 (query->key, self->key) == 0)
    {
      masked = query->summary != NULL ? query->summary->masked
                                      : !tw_role_can (tw_reader_get_role (query->reader),
                                                      TW_PERM_SEE_IDENTITY);
      if (query->summary != NULL)
        show_summary (self, query->summary);
      else
        show_fallback_header (self);
      update_subjects (self);

      if (query->read_record)
        show_entries (self, query->entries, masked);

      set_news2 (self, &query->latest, query->latest_known);
      tw_chart_view_take_series (self->news2_chart, "news2", g_steal_pointer (&query->news2_points));

      g_clear_pointer (&self->heat_values, g_free);
      self->heat_values = g_steal_pointer (&query->heat_values);
      self->heat_columns = query->heat_columns;
      self->heat_from = query->heat_from;
      update_heatmap_description (self);
      gtk_widget_queue_draw (GTK_WIDGET (self->heatmap));

      adw_view_stack_page_set_visible (self->glucose_page, query->glucose != NULL);
      if (query->glucose != NULL)
        tw_glucose_panel_set_data (self->glucose_panel, g_steal_pointer (&query->glucose),
                                   &query->glucose_stats, g_steal_pointer (&query->agp),
                                   query->forecast_known ? &query->forecast : NULL,
                                   query->forecast_error);
      else
        tw_glucose_panel_clear (self->glucose_panel);

      self->loaded = TRUE;
    }

  if (self->refresh_again)
    {
      self->refresh_again = FALSE;
      tw_patient_view_refresh (self);
    }
}

static void
start_query (TwPatientView *self)
{
  g_autoptr(GTask) task = NULL;
  TwPatientQuery *query;

  if (self->reader == NULL || self->key == NULL)
    return;

  if (self->query_in_flight)
    {
      self->refresh_again = TRUE;
      return;
    }

  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();

  query = tw_patient_query_new (self->reader, self->key, tw_time_now ());
  self->last_refresh = g_get_monotonic_time ();
  self->query_in_flight = TRUE;

  task = g_task_new (self, self->cancellable, query_done_cb, NULL);
  g_task_set_source_tag (task, start_query);
  g_task_set_task_data (task, query, tw_patient_query_free);
  g_task_run_in_thread (task, tw_patient_query_run);
}

static gboolean
refresh_cb (gpointer user_data)
{
  TwPatientView *self = TW_PATIENT_VIEW (user_data);

  self->refresh_source = 0;
  start_query (self);

  return G_SOURCE_REMOVE;
}

static void
cancel_query (TwPatientView *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->query_in_flight = FALSE;
  self->refresh_again = FALSE;
}

/* Actions */

static void
go_live_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TwPatientView *self = TW_PATIENT_VIEW (widget);

  if (self->vitals_chart != NULL)
    tw_chart_view_go_live (self->vitals_chart);
  else
    tw_chart_view_go_live (self->news2_chart);
}

static guint
visible_view_index (TwPatientView *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);

  for (guint i = 0; i < N_VIEWS; i++)
    if (g_strcmp0 (view_names[i], name) == 0)
      return i;
  return 0;
}

static gboolean
view_available (TwPatientView *self,
                guint          index)
{
  AdwViewStackPage *page = adw_view_stack_get_page (self->view_stack,
                                                    adw_view_stack_get_child_by_name (self->view_stack,
                                                                                      view_names[index]));

  return page != NULL && adw_view_stack_page_get_visible (page);
}

static void
step_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TwPatientView *self = TW_PATIENT_VIEW (widget);
  int step = g_str_equal (action_name, "patient.next-view") ? 1 : -1;
  guint index = visible_view_index (self);

  for (guint tries = 0; tries < N_VIEWS; tries++)
    {
      index = (index + N_VIEWS + step) % N_VIEWS;
      if (view_available (self, index))
        break;
    }

  tw_patient_view_set_visible_view (self, view_names[index]);
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TwPatientView *self = TW_PATIENT_VIEW (widget);
  guint index = g_variant_get_int32 (parameter);

  if (index < N_VIEWS && view_available (self, index))
    tw_patient_view_set_visible_view (self, view_names[index]);
}

static void
on_dark_changed (TwPatientView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->news2_tile));
  gtk_widget_queue_draw (GTK_WIDGET (self->heatmap));
}

/* GtkBuildable: <child type="vitals"> puts the page's live chart in the
 * vital signs view, so the monitor page's template keeps its chart. */

static void
tw_patient_view_buildable_add_child (GtkBuildable *buildable,
                                     GtkBuilder   *builder,
                                     GObject      *child,
                                     const char   *type)
{
  TwPatientView *self = TW_PATIENT_VIEW (buildable);

  if (g_strcmp0 (type, "vitals") == 0 && TW_IS_CHART_VIEW (child))
    {
      tw_patient_view_set_vitals_chart (self, TW_CHART_VIEW (child));
      return;
    }

  parent_buildable_iface->add_child (buildable, builder, child, type);
}

static void
tw_patient_view_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = tw_patient_view_buildable_add_child;
}

/* GObject */

static void
tw_patient_view_dispose (GObject *object)
{
  TwPatientView *self = (TwPatientView *)object;

  cancel_query (self);
  g_clear_pointer (&self->reader, tw_reader_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), TW_TYPE_PATIENT_VIEW);
  self->vitals_chart = NULL;
  g_clear_object (&self->range);

  G_OBJECT_CLASS (tw_patient_view_parent_class)->dispose (object);
}

static void
tw_patient_view_finalize (GObject *object)
{
  TwPatientView *self = (TwPatientView *)object;

  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->news2_text, g_free);
  g_clear_pointer (&self->record_signature, g_free);
  g_clear_pointer (&self->heat_values, g_free);

  G_OBJECT_CLASS (tw_patient_view_parent_class)->finalize (object);
}

static void
tw_patient_view_class_init (TwPatientViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_patient_view_dispose;
  object_class->finalize = tw_patient_view_finalize;

  g_type_ensure (TW_TYPE_CHART_VIEW);
  g_type_ensure (TW_TYPE_GLUCOSE_PANEL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-patient-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, box);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, patient_title);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, patient_subtitle);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, patient_facts);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, news2_tile);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, range_label);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, live_button);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, vitals_box);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, news2_chart);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, heatmap);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, record_note);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, timeline_list);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, glucose_page);
  gtk_widget_class_bind_template_child (widget_class, TwPatientView, glucose_panel);

  gtk_widget_class_install_action (widget_class, "patient.live", NULL, go_live_action);
  gtk_widget_class_install_action (widget_class, "patient.next-view", NULL, step_view_action);
  gtk_widget_class_install_action (widget_class, "patient.previous-view", NULL, step_view_action);
  gtk_widget_class_install_action (widget_class, "patient.show-view", "i", show_view_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK,
                                       "patient.next-view", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK,
                                       "patient.previous-view", NULL);
  for (guint i = 0; i < N_VIEWS; i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "patient.show-view", "i", (gint32) i);
}

static void
on_range_changed (TwPatientView *self)
{
  update_range_label (self);
}

static void
tw_patient_view_init (TwPatientView *self)
{
  self->range = tw_time_range_new ();
  g_signal_connect_object (self->range, "changed", G_CALLBACK (on_range_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->range, "notify::live", G_CALLBACK (on_range_changed), self,
                           G_CONNECT_SWAPPED);

  gtk_widget_init_template (GTK_WIDGET (self));

  tw_chart_view_set_time_range (self->news2_chart, self->range);
  tw_chart_view_set_time_range (tw_glucose_panel_get_chart (self->glucose_panel), self->range);
  if (self->vitals_chart != NULL)
    tw_chart_view_set_time_range (self->vitals_chart, self->range);

  gtk_drawing_area_set_draw_func (self->news2_tile, draw_news2_tile, self, NULL);
  gtk_drawing_area_set_draw_func (self->heatmap, draw_heatmap, self, NULL);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);

  set_news2 (self, NULL, FALSE);
  update_heatmap_description (self);
  update_range_label (self);
}

GtkWidget *
tw_patient_view_new (void)
{
  return g_object_new (TW_TYPE_PATIENT_VIEW, NULL);
}

/**
 * tw_patient_view_set_reader:
 * @self: the view
 * @reader: (nullable): the signed-in session's reader; %NULL on lock
 */
void
tw_patient_view_set_reader (TwPatientView *self,
                            TwReader      *reader)
{
  g_return_if_fail (TW_IS_PATIENT_VIEW (self));

  if (self->reader == reader)
    return;

  cancel_query (self);
  g_clear_pointer (&self->reader, tw_reader_unref);
  if (reader != NULL)
    self->reader = tw_reader_ref (reader);

  tw_patient_view_set_patient (self, NULL, NULL, NULL);
}

/**
 * tw_patient_view_set_patient:
 * @self: the view
 * @key: (nullable): the entity key
 * @display_name: (nullable): the name as the patient list shows it (for
 *   the header until the record is read, and when there is none)
 * @location: (nullable): the bed, likewise
 */
void
tw_patient_view_set_patient (TwPatientView *self,
                             const char    *key,
                             const char    *display_name,
                             const char    *location)
{
  gboolean same;

  g_return_if_fail (TW_IS_PATIENT_VIEW (self));

  same = g_strcmp0 (self->key, key) == 0;
  g_free (self->display_name);
  self->display_name = g_strdup (display_name);
  g_free (self->location);
  self->location = g_strdup (location);

  if (same)
    {
      if (!self->loaded)
        show_fallback_header (self);
      update_subjects (self);
      return;
    }

  cancel_query (self);
  g_free (self->key);
  self->key = g_strdup (key);
  self->loaded = FALSE;

  show_fallback_header (self);
  update_subjects (self);
  set_news2 (self, NULL, FALSE);
  show_entries (self, NULL, FALSE);
  tw_chart_view_clear (self->news2_chart);
  tw_glucose_panel_clear (self->glucose_panel);
  adw_view_stack_page_set_visible (self->glucose_page, FALSE);
  g_clear_pointer (&self->heat_values, g_free);
  self->heat_columns = 0;
  update_heatmap_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->heatmap));
  tw_chart_view_set_source (tw_glucose_panel_get_chart (self->glucose_panel), NULL, NULL);
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "glucose") == 0)
    adw_view_stack_set_visible_child_name (self->view_stack, "vitals");

  start_query (self);
}

const char *
tw_patient_view_get_key (TwPatientView *self)
{
  g_return_val_if_fail (TW_IS_PATIENT_VIEW (self), NULL);

  return self->key;
}

/**
 * tw_patient_view_refresh:
 * @self: the view
 *
 * New data arrived: reads again, at most every two seconds (the NEWS2
 * tile, its history and glucose change at that pace, not per sample).
 */
void
tw_patient_view_refresh (TwPatientView *self)
{
  gint64 since;

  g_return_if_fail (TW_IS_PATIENT_VIEW (self));

  if (self->reader == NULL || self->key == NULL || self->refresh_source != 0)
    return;
  if (self->query_in_flight)
    {
      self->refresh_again = TRUE;
      return;
    }

  since = g_get_monotonic_time () - self->last_refresh;
  if (since >= REFRESH_INTERVAL_US)
    start_query (self);
  else
    self->refresh_source = g_timeout_add ((guint) ((REFRESH_INTERVAL_US - since) / 1000),
                                          refresh_cb, self);
}

/**
 * tw_patient_view_is_loaded:
 * @self: the view
 *
 * Returns: whether the current patient's record and scores have been read
 */
gboolean
tw_patient_view_is_loaded (TwPatientView *self)
{
  g_return_val_if_fail (TW_IS_PATIENT_VIEW (self), FALSE);

  return self->loaded;
}

/**
 * tw_patient_view_get_time_range:
 * @self: the view
 *
 * Returns: (transfer none): the range all its charts show
 */
TwTimeRange *
tw_patient_view_get_time_range (TwPatientView *self)
{
  g_return_val_if_fail (TW_IS_PATIENT_VIEW (self), NULL);

  return self->range;
}

/**
 * tw_patient_view_get_vitals_chart:
 * @self: the view
 *
 * Returns: (transfer none) (nullable): the vital signs chart
 */
TwChartView *
tw_patient_view_get_vitals_chart (TwPatientView *self)
{
  g_return_val_if_fail (TW_IS_PATIENT_VIEW (self), NULL);

  return self->vitals_chart;
}

/**
 * tw_patient_view_set_vitals_chart:
 * @self: the view
 * @chart: the live vital signs chart (its owner feeds it)
 */
void
tw_patient_view_set_vitals_chart (TwPatientView *self,
                                  TwChartView   *chart)
{
  g_return_if_fail (TW_IS_PATIENT_VIEW (self));
  g_return_if_fail (TW_IS_CHART_VIEW (chart));
  g_return_if_fail (self->vitals_chart == NULL);

  self->vitals_chart = chart;
  gtk_widget_set_vexpand (GTK_WIDGET (chart), TRUE);
  gtk_box_append (self->vitals_box, GTK_WIDGET (chart));
  if (self->range != NULL)
    tw_chart_view_set_time_range (chart, self->range);
}

const char *
tw_patient_view_get_visible_view (TwPatientView *self)
{
  g_return_val_if_fail (TW_IS_PATIENT_VIEW (self), NULL);

  return adw_view_stack_get_visible_child_name (self->view_stack);
}

void
tw_patient_view_set_visible_view (TwPatientView *self,
                                  const char    *name)
{
  g_return_if_fail (TW_IS_PATIENT_VIEW (self));
  g_return_if_fail (name != NULL);

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

/**
 * tw_patient_view_get_news2_text:
 * @self: the view
 *
 * Returns: what the NEWS2 tile says, "NEWS2 6: Medium: urgent response"
 *   or "NEWS2 incomplete: missing …" (its accessible label)
 */
const char *
tw_patient_view_get_news2_text (TwPatientView *self)
{
  g_return_val_if_fail (TW_IS_PATIENT_VIEW (self), NULL);

  return self->news2_text;
}
