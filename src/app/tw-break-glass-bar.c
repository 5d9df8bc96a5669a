#include "config.h"

#include <glib/gi18n.h>

#include "tw-break-glass-bar.h"

/*
 * TwBreakGlassBar: stays across the top of the window, whatever page is
 * shown, while a clinician's emergency access is open, so nobody forgets
 * they are outside their wards; Close Access (win.close-break-glass)
 * ends it. libadwaita 1.2 has no AdwBanner: a revealer and a styled box.
 */

struct _TwBreakGlassBar
{
  AdwBin       parent_instance;

  GtkRevealer *revealer;
  GtkLabel    *label;
  GtkButton   *close_button;
};

G_DEFINE_FINAL_TYPE (TwBreakGlassBar, tw_break_glass_bar, ADW_TYPE_BIN)

static void
tw_break_glass_bar_class_init (TwBreakGlassBarClass *klass)
{
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "breakglassbar");
}

static void
tw_break_glass_bar_init (TwBreakGlassBar *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  gtk_widget_add_css_class (box, "break-glass-bar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Emergency access"), -1);
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Warning"), -1);

  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_hexpand (GTK_WIDGET (self->label), TRUE);
  gtk_label_set_xalign (self->label, 0);
  gtk_label_set_wrap (self->label, TRUE);
  gtk_label_set_wrap_mode (self->label, PANGO_WRAP_WORD_CHAR);

  self->close_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("Close _Access")));
  gtk_widget_set_valign (GTK_WIDGET (self->close_button), GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->close_button), "win.close-break-glass");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->close_button),
                               _("End the emergency access: the patient leaves your lists"));

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->close_button));

  self->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_revealer_set_child (self->revealer, box);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->revealer));
}

GtkWidget *
tw_break_glass_bar_new (void)
{
  return g_object_new (TW_TYPE_BREAK_GLASS_BAR, NULL);
}

void
tw_break_glass_bar_set_text (TwBreakGlassBar *self,
                             const char      *text)
{
  g_return_if_fail (TW_IS_BREAK_GLASS_BAR (self));

  if (text != NULL)
    gtk_label_set_text (self->label, text);
  gtk_revealer_set_reveal_child (self->revealer, text != NULL);
  tw_break_glass_bar_set_busy (self, FALSE);
}

const char *
tw_break_glass_bar_get_text (TwBreakGlassBar *self)
{
  g_return_val_if_fail (TW_IS_BREAK_GLASS_BAR (self), NULL);

  return gtk_revealer_get_reveal_child (self->revealer) ? gtk_label_get_text (self->label) : NULL;
}

gboolean
tw_break_glass_bar_is_shown (TwBreakGlassBar *self)
{
  g_return_val_if_fail (TW_IS_BREAK_GLASS_BAR (self), FALSE);

  return gtk_revealer_get_reveal_child (self->revealer);
}

void
tw_break_glass_bar_set_busy (TwBreakGlassBar *self,
                             gboolean         busy)
{
  g_return_if_fail (TW_IS_BREAK_GLASS_BAR (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->close_button), !busy);
}
