#include "config.h"

#include <glib/gi18n.h>

#include "tw-alert-banner.h"
#include "tw-alert-item.h"
#include "tw-alert-row.h"

/*
 * TwAlertBanner: the strip across the top of the window while a high
 * priority alert is unacknowledged, whatever page is shown. AdwBanner
 * needs libadwaita 1.3, so this is a GtkRevealer around a styled box; it
 * has the "alert" accessible role, so screen readers announce it. View
 * opens the console on that alert.
 */

struct _TwAlertBanner
{
  AdwBin       parent_instance;

  /* Template widgets */
  GtkRevealer *revealer;
  GtkWidget   *box;
  GtkLabel    *label;
  GtkButton   *view_button;

  /* Owned */
  guint64      alert_id;
};

G_DEFINE_FINAL_TYPE (TwAlertBanner, tw_alert_banner, ADW_TYPE_BIN)

static void
tw_alert_banner_class_init (TwAlertBannerClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-alert-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, TwAlertBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, TwAlertBanner, box);
  gtk_widget_class_bind_template_child (widget_class, TwAlertBanner, label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertBanner, view_button);
}

static void
tw_alert_banner_init (TwAlertBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * tw_alert_banner_show:
 * @self: the banner
 * @alert: the newest unacknowledged high priority alert
 * @entity_title: its entity as the role may see it
 * @n_unacknowledged: unacknowledged high priority alerts in all
 */
void
tw_alert_banner_show (TwAlertBanner *self,
                      const TwAlert *alert,
                      const char    *entity_title,
                      guint          n_unacknowledged)
{
  g_autofree char *description = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (TW_IS_ALERT_BANNER (self));
  g_return_if_fail (alert != NULL);

  description = tw_alert_describe (alert, entity_title);
  if (n_unacknowledged > 1)
    /* Translators: the newest high alert, then how many more are unacknowledged */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "!!! %s (and %u more)",
                                         "!!! %s (and %u more)", n_unacknowledged - 1),
                            description, n_unacknowledged - 1);
  else
    text = g_strdup_printf ("!!! %s", description);

  if (g_strcmp0 (gtk_label_get_text (self->label), text) != 0)
    {
      gtk_label_set_text (self->label, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      text, -1);
    }

  self->alert_id = alert->id;
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->view_button), "t", alert->id);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->view_button), "win.show-alert");
  gtk_revealer_set_reveal_child (self->revealer, TRUE);
}

void
tw_alert_banner_hide (TwAlertBanner *self)
{
  g_return_if_fail (TW_IS_ALERT_BANNER (self));

  self->alert_id = 0;
  gtk_revealer_set_reveal_child (self->revealer, FALSE);
}

gboolean
tw_alert_banner_is_shown (TwAlertBanner *self)
{
  g_return_val_if_fail (TW_IS_ALERT_BANNER (self), FALSE);

  return gtk_revealer_get_reveal_child (self->revealer);
}

const char *
tw_alert_banner_get_text (TwAlertBanner *self)
{
  g_return_val_if_fail (TW_IS_ALERT_BANNER (self), NULL);

  return gtk_label_get_text (self->label);
}

guint64
tw_alert_banner_get_alert_id (TwAlertBanner *self)
{
  g_return_val_if_fail (TW_IS_ALERT_BANNER (self), 0);

  return self->alert_id;
}
