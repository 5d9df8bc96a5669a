#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "tw-alert-row.h"
#include "tw-time.h"

/*
 * TwAlertRow: one open alert in the console: priority as a coloured badge
 * with an icon, the IEC marker and a word (never colour alone), the
 * entity as the role may see it, the message, the state and since when,
 * and who acknowledged it with their note. It follows its TwAlertItem, so
 * a new snapshot updates the labels in place.
 */

struct _TwAlertRow
{
  GtkListBoxRow  parent_instance;

  /* Template widgets */
  GtkWidget     *priority_box;
  GtkImage      *priority_icon;
  GtkLabel      *priority_label;
  GtkLabel      *title_label;
  GtkLabel      *message_label;
  GtkLabel      *ack_label;
  GtkLabel      *state_label;
  GtkLabel      *time_label;

  /* Owned */
  TwAlertItem   *item;
  const char    *priority_class;
};

G_DEFINE_FINAL_TYPE (TwAlertRow, tw_alert_row, GTK_TYPE_LIST_BOX_ROW)

static void
set_label (GtkLabel   *label,
           const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static char *
format_state (const TwAlert *alert)
{
  const char *state = tw_alert_state_label (alert->state);

  if (alert->escalated)
    /* Translators: an alert's state, then that it was escalated */
    return g_strdup_printf (_("%s \u00b7 Escalated"), state);
  if (alert->state == TW_ALERT_STATE_ACTIVE && !alert->condition_active)
    /* Translators: a latching alert whose condition ended, still to acknowledge */
    return g_strdup_printf (_("%s \u00b7 Latched"), state);

  return g_strdup (state);
}

/**
 * tw_alert_describe:
 * @alert: an alert
 * @entity_title: the entity as the role may see it
 *
 * Returns: (transfer full): one sentence for assistive technologies and
 *   notifications: "High priority: Bed 3 · Ana Silva, SpO₂ 86 % below 90 %"
 */
char *
tw_alert_describe (const TwAlert *alert,
                   const char    *entity_title)
{
  g_return_val_if_fail (alert != NULL, NULL);

  /* Translators: priority, entity, message: "High priority: Bed 3, SpO2 low" */
  return g_strdup_printf (_("%s priority: %s, %s"),
                          tw_alert_priority_label (alert->priority),
                          entity_title != NULL ? entity_title : alert->entity_key,
                          alert->message != NULL ? alert->message : alert->rule_id);
}

static void
update (TwAlertRow *self)
{
  const TwAlert *alert = tw_alert_item_get_alert (self->item);
  const char *klass = tw_alert_priority_css_class (alert->priority);
  g_autofree char *priority = NULL;
  g_autofree char *state = format_state (alert);
  g_autofree char *since = tw_time_format_local (alert->raised_us, "%X");
  g_autofree char *time_text = NULL;
  g_autofree char *description = NULL;
  g_autofree char *accessible = NULL;

  if (self->priority_class != klass)
    {
      if (self->priority_class != NULL)
        gtk_widget_remove_css_class (self->priority_box, self->priority_class);
      gtk_widget_add_css_class (self->priority_box, klass);
      self->priority_class = klass;
    }

  priority = g_strdup_printf ("%s %s", tw_alert_priority_marker (alert->priority),
                              tw_alert_priority_label (alert->priority));
  gtk_image_set_from_icon_name (self->priority_icon, tw_alert_priority_icon (alert->priority));
  set_label (self->priority_label, priority);
  set_label (self->title_label, tw_alert_item_get_entity_title (self->item));
  set_label (self->message_label, alert->message != NULL ? alert->message : alert->rule_id);
  set_label (self->state_label, state);

  if (alert->occurrences > 1)
    /* Translators: when the alert was raised, and how many times its condition started */
    time_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "since %s \u00b7 %u time",
                                              "since %s \u00b7 %u times", alert->occurrences),
                                 since, alert->occurrences);
  else
    /* Translators: when the alert was raised, a local time */
    time_text = g_strdup_printf (_("since %s"), since);
  set_label (self->time_label, time_text);

  if (alert->acknowledged_by != NULL)
    {
      g_autofree char *when = tw_time_format_local (alert->acknowledged_us, "%X");
      g_autofree char *ack = NULL;

      if (alert->ack_note != NULL && alert->ack_note[0] != '\0')
        /* Translators: who acknowledged an alert, when, and their note */
        ack = g_strdup_printf (_("Acknowledged by %s at %s: \u201c%s\u201d"),
                               alert->acknowledged_by, when, alert->ack_note);
      else
        ack = g_strdup_printf (_("Acknowledged by %s at %s"), alert->acknowledged_by, when);
      set_label (self->ack_label, ack);
      gtk_widget_set_visible (GTK_WIDGET (self->ack_label), TRUE);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->ack_label), FALSE);
    }

  gtk_widget_set_css_classes (GTK_WIDGET (self->state_label),
                              (const char *[]) { "alert-state",
                                                 alert->state == TW_ALERT_STATE_ACTIVE
                                                 ? "active" : "quiet", NULL });

  description = tw_alert_describe (alert, tw_alert_item_get_entity_title (self->item));
  accessible = g_strdup_printf ("%s. %s, %s", description, state, time_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
}

static void
tw_alert_row_dispose (GObject *object)
{
  TwAlertRow *self = (TwAlertRow *)object;

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (tw_alert_row_parent_class)->dispose (object);
}

static void
tw_alert_row_class_init (TwAlertRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_alert_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-alert-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TwAlertRow, priority_box);
  gtk_widget_class_bind_template_child (widget_class, TwAlertRow, priority_icon);
  gtk_widget_class_bind_template_child (widget_class, TwAlertRow, priority_label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertRow, message_label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertRow, ack_label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertRow, time_label);
}

static void
tw_alert_row_init (TwAlertRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * tw_alert_row_new:
 * @item: the alert to show and follow
 *
 * Returns: (transfer floating): a new row
 */
GtkWidget *
tw_alert_row_new (TwAlertItem *item)
{
  TwAlertRow *self;

  g_return_val_if_fail (TW_IS_ALERT_ITEM (item), NULL);

  self = g_object_new (TW_TYPE_ALERT_ROW, NULL);
  self->item = g_object_ref (item);
  g_signal_connect_object (item, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);

  return GTK_WIDGET (self);
}

TwAlertItem *
tw_alert_row_get_item (TwAlertRow *self)
{
  g_return_val_if_fail (TW_IS_ALERT_ROW (self), NULL);

  return self->item;
}

/**
 * tw_alert_ack_dialog_new:
 * @parent: the window
 * @alert: the alert to acknowledge
 * @entity_title: its entity as the role may see it
 *
 * The question before acknowledging, with an optional note (the extra
 * child, a GtkEntry). Responses: "cancel" and "acknowledge" (default).
 *
 * Returns: (transfer none): the dialog, not presented yet
 */
AdwMessageDialog *
tw_alert_ack_dialog_new (GtkWindow     *parent,
                         const TwAlert *alert,
                         const char    *entity_title)
{
  g_autofree char *body = tw_alert_describe (alert, entity_title);
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  g_return_val_if_fail (alert != NULL, NULL);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Acknowledge Alert?"), body));

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Note (optional)"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Note"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);

  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "acknowledge", _("_Acknowledge"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "acknowledge", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "acknowledge");
  adw_message_dialog_set_close_response (dialog, "cancel");

  return dialog;
}
