#include "config.h"

#include <glib/gi18n.h>

#include "tw-admin-format.h"
#include "tw-source-list-row.h"

/*
 * TwSourceListRow: one source on the Sources page: its state (an icon and
 * a word, never colour alone), name, redacted address, live figures and
 * last error, and buttons to pause or resume, edit and remove it. The
 * buttons activate the page's sources.* actions with the source's id.
 */

typedef enum
{
  STAT_RATE,
  STAT_RECEIVED,
  STAT_STORED,
  STAT_DUPLICATES,
  STAT_QUARANTINED,
  STAT_RECONNECTS,
  STAT_LAG,
  N_STATS
} Stat;

static const char *stat_captions[N_STATS] = {
  N_("msg/s"),
  N_("Received"),
  N_("Stored"),
  N_("Duplicates"),
  N_("Quarantined"),
  N_("Reconnects"),
  N_("Lag"),
};

#define STAT_WIDTH 84

static const char *look_classes[] = { "dim-label", "success", "warning", "error" };

struct _TwSourceListRow
{
  GtkListBoxRow  parent_instance;

  /* Template widgets */
  GtkImage      *state_icon;
  GtkLabel      *name_label;
  GtkLabel      *state_label;
  GtkLabel      *url_label;
  GtkFlowBox    *stats_box;
  GtkLabel      *error_label;
  GtkButton     *pause_button;
  GtkButton     *edit_button;
  GtkButton     *remove_button;

  /* Owned */
  GtkLabel      *values[N_STATS];
  gint64         source_id;
  TwSourceLook   look;
  guint64        stored;
  guint64        quarantined;
};

G_DEFINE_FINAL_TYPE (TwSourceListRow, tw_source_list_row, GTK_TYPE_LIST_BOX_ROW)

static void
set_label (GtkLabel   *label,
           const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static void
take_label (GtkLabel *label,
            char     *text)
{
  set_label (label, text);
  g_free (text);
}

static void
set_look (TwSourceListRow *self,
          TwSourceLook     look)
{
  if (self->look == look)
    return;

  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), look_classes[self->look]);
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), look_classes[self->look]);
  self->look = look;
  gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), look_classes[self->look]);
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), look_classes[self->look]);
}

static void
set_pause_button (TwSourceListRow *self,
                  gboolean         enabled)
{
  const char *text = enabled ? _("Pause") : _("Resume");

  gtk_button_set_icon_name (self->pause_button, enabled ? "media-playback-pause-symbolic"
                                                        : "media-playback-start-symbolic");
  if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (self->pause_button)), text) != 0)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button), text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->pause_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
    }
}

static void
add_stats (TwSourceListRow *self)
{
  for (guint i = 0; i < N_STATS; i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *value = gtk_label_new ("\u2014");
      GtkWidget *caption = gtk_label_new (_(stat_captions[i]));

      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_add_css_class (value, "source-figure");
      gtk_widget_add_css_class (caption, "caption");
      gtk_widget_add_css_class (caption, "dim-label");
      /* One width for every figure, so columns line up from row to row. */
      gtk_widget_set_size_request (box, STAT_WIDTH, -1);
      gtk_box_append (GTK_BOX (box), value);
      gtk_box_append (GTK_BOX (box), caption);
      gtk_flow_box_append (self->stats_box, box);
      /* The figures are read, not selected: keep them out of the Tab chain. */
      gtk_widget_set_focusable (gtk_widget_get_parent (box), FALSE);
      self->values[i] = GTK_LABEL (value);
    }
}

static void
tw_source_list_row_class_init (TwSourceListRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-source-list-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TwSourceListRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, TwSourceListRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, TwSourceListRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, TwSourceListRow, url_label);
  gtk_widget_class_bind_template_child (widget_class, TwSourceListRow, stats_box);
  gtk_widget_class_bind_template_child (widget_class, TwSourceListRow, error_label);
  gtk_widget_class_bind_template_child (widget_class, TwSourceListRow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, TwSourceListRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, TwSourceListRow, remove_button);
}

static void
tw_source_list_row_init (TwSourceListRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  add_stats (self);
  self->look = TW_SOURCE_LOOK_IDLE;
  gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), look_classes[self->look]);
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), look_classes[self->look]);
  set_pause_button (self, TRUE);
}

/**
 * tw_source_list_row_new:
 * @source_id: the source's id in the store
 *
 * Returns: (transfer floating): a row whose buttons act on @source_id
 */
GtkWidget *
tw_source_list_row_new (gint64 source_id)
{
  TwSourceListRow *self = g_object_new (TW_TYPE_SOURCE_LIST_ROW, NULL);
  GVariant *target = g_variant_new_int64 (source_id);

  self->source_id = source_id;
  /* One floating variant shared by three buttons: sink it once. */
  g_variant_ref_sink (target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->pause_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->edit_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->remove_button), target);
  g_variant_unref (target);

  return GTK_WIDGET (self);
}

gint64
tw_source_list_row_get_source_id (TwSourceListRow *self)
{
  g_return_val_if_fail (TW_IS_SOURCE_LIST_ROW (self), 0);

  return self->source_id;
}

/**
 * tw_source_list_row_update:
 * @self: a row
 * @figures: what to show; copied
 */
void
tw_source_list_row_update (TwSourceListRow       *self,
                           const TwSourceFigures *figures)
{
  gboolean has_error;

  g_return_if_fail (TW_IS_SOURCE_LIST_ROW (self));
  g_return_if_fail (figures != NULL);

  set_label (self->name_label, figures->name);
  set_label (self->url_label, figures->url);
  if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (self->url_label)), figures->url) != 0)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->url_label), figures->url);

  set_label (self->state_label, figures->state_text);
  if (g_strcmp0 (gtk_image_get_icon_name (self->state_icon), figures->state_icon) != 0)
    gtk_image_set_from_icon_name (self->state_icon, figures->state_icon);
  set_look (self, figures->look);
  set_pause_button (self, figures->enabled);

  take_label (self->values[STAT_RATE], tw_format_rate (figures->rate));
  take_label (self->values[STAT_RECEIVED], tw_format_count (figures->received));
  take_label (self->values[STAT_STORED], tw_format_count (figures->stored));
  take_label (self->values[STAT_DUPLICATES], tw_format_count (figures->duplicates));
  take_label (self->values[STAT_QUARANTINED], tw_format_count (figures->quarantined));
  take_label (self->values[STAT_RECONNECTS], tw_format_count (figures->reconnects));
  take_label (self->values[STAT_LAG], tw_format_lag (figures->lag_us));
  self->stored = figures->stored;
  self->quarantined = figures->quarantined;

  has_error = figures->last_error != NULL && figures->last_error[0] != '\0';
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), has_error);
  if (has_error)
    {
      /* Translators: the last error a data source reported */
      g_autofree char *text = g_strdup_printf (_("Last error: %s"), figures->last_error);

      set_label (self->error_label, text);
      if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (self->error_label)), text) != 0)
        gtk_widget_set_tooltip_text (GTK_WIDGET (self->error_label), text);
    }
}

const char *
tw_source_list_row_get_name (TwSourceListRow *self)
{
  g_return_val_if_fail (TW_IS_SOURCE_LIST_ROW (self), NULL);

  return gtk_label_get_text (self->name_label);
}

const char *
tw_source_list_row_get_state_text (TwSourceListRow *self)
{
  g_return_val_if_fail (TW_IS_SOURCE_LIST_ROW (self), NULL);

  return gtk_label_get_text (self->state_label);
}

guint64
tw_source_list_row_get_stored (TwSourceListRow *self)
{
  g_return_val_if_fail (TW_IS_SOURCE_LIST_ROW (self), 0);

  return self->stored;
}

guint64
tw_source_list_row_get_quarantined (TwSourceListRow *self)
{
  g_return_val_if_fail (TW_IS_SOURCE_LIST_ROW (self), 0);

  return self->quarantined;
}
