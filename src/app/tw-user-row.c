#include "config.h"

#include <glib/gi18n.h>

#include "tw-user-row.h"

/*
 * TwUserListRow: one account in the Users page: the name, role and wards, a
 * status pill (active, disabled, must change password, locked out), and a
 * menu with what an administrator can do to it. The menu's items are the
 * page's "users.*" actions with the user's name as target, so each works
 * from the keyboard and the test can run it directly.
 */

struct _TwUserListRow
{
  AdwActionRow   parent_instance;

  GtkLabel      *status_label;
  GtkMenuButton *menu_button;
  char          *name;
};

G_DEFINE_FINAL_TYPE (TwUserListRow, tw_user_list_row, ADW_TYPE_ACTION_ROW)

const char *
tw_user_status_text (const TwUserInfo *info,
                     const char      **out_css_class)
{
  const char *css = "active";
  const char *text = _("Active");

  if (info->disabled)
    {
      css = "disabled";
      text = _("Disabled");
    }
  else if (info->locked_out)
    {
      css = "locked";
      text = _("Locked out");
    }
  else if (info->retry_at > 0)
    {
      css = "must-change";
      text = _("Waiting after failed sign-ins");
    }
  else if (info->must_change)
    {
      css = "must-change";
      text = _("Must change password");
    }

  if (out_css_class != NULL)
    *out_css_class = css;
  return text;
}

char *
tw_user_wards_text (const char * const *wards)
{
  if (wards == NULL || wards[0] == NULL)
    return g_strdup (_("No wards"));
  if (g_strv_contains (wards, "*"))
    return g_strdup (_("All wards"));

  return g_strjoinv (", ", (GStrv) wards);
}

static GMenuModel *
build_menu (const TwUserInfo *info,
            gboolean          is_self)
{
  /* The core refuses an administrator's changes to their own account
   * (nobody locks themselves out); their own password is changed from
   * the primary menu. */
  if (is_self)
    {
      g_autoptr(GMenu) own = g_menu_new ();

      g_menu_append (own, _("Change _Password…"), "win.change-password");
      return G_MENU_MODEL (g_steal_pointer (&own));
    }

  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) change = g_menu_new ();
  g_autoptr(GMenu) access = g_menu_new ();
  g_autoptr(GMenu) danger = g_menu_new ();
  GVariant *target = g_variant_new_string (info->name);

  g_variant_ref_sink (target);

  {
    g_autoptr(GMenuItem) item = g_menu_item_new (info->role == TW_ROLE_CLINICIAN
                                                 ? _("Change _Role or Wards…")
                                                 : _("Change _Role…"), NULL);

    g_menu_item_set_action_and_target_value (item, "users.edit", target);
    g_menu_append_item (change, item);
  }
  {
    g_autoptr(GMenuItem) item = g_menu_item_new (_("Reset _Password…"), NULL);

    g_menu_item_set_action_and_target_value (item, "users.reset", target);
    g_menu_append_item (change, item);
  }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (change));

  if (info->locked_out || info->retry_at > 0 || info->failures > 0)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("_Unlock"), NULL);

      g_menu_item_set_action_and_target_value (item, "users.unlock", target);
      g_menu_append_item (access, item);
    }
  {
    g_autoptr(GMenuItem) item = g_menu_item_new (info->disabled ? _("_Enable") : _("_Disable"),
                                                 NULL);

    g_menu_item_set_action_and_target_value (item, info->disabled ? "users.enable"
                                                                  : "users.disable",
                                             target);
    g_menu_append_item (access, item);
  }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (access));
  {
    g_autoptr(GMenuItem) item = g_menu_item_new (_("Re_move…"), NULL);

    g_menu_item_set_action_and_target_value (item, "users.remove", target);
    g_menu_append_item (danger, item);
  }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (danger));

  g_variant_unref (target);
  return G_MENU_MODEL (g_steal_pointer (&menu));
}

static void
tw_user_list_row_finalize (GObject *object)
{
  TwUserListRow *self = (TwUserListRow *)object;

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (tw_user_list_row_parent_class)->finalize (object);
}

static void
tw_user_list_row_class_init (TwUserListRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tw_user_list_row_finalize;
}

static void
tw_user_list_row_init (TwUserListRow *self)
{
  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_valign (GTK_WIDGET (self->status_label), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "user-status");
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->status_label));

  self->menu_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_icon_name (self->menu_button, "view-more-symbolic");
  gtk_widget_set_valign (GTK_WIDGET (self->menu_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->menu_button), "flat");
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->menu_button));
}

/**
 * tw_user_list_row_new:
 * @info: the account
 * @is_self: whether it is the signed-in administrator's own
 *
 * Returns: (transfer floating): a row showing @info
 */
GtkWidget *
tw_user_list_row_new (const TwUserInfo *info,
                 gboolean          is_self)
{
  TwUserListRow *self = g_object_new (TW_TYPE_USER_LIST_ROW, NULL);
  g_autoptr(GMenuModel) menu = build_menu (info, is_self);
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *title = NULL;
  const char *css = NULL;
  const char *status = tw_user_status_text (info, &css);

  self->name = g_strdup (info->name);

  title = is_self ? g_strdup_printf (_("%s (you)"), info->name) : g_strdup (info->name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);
  if (info->role == TW_ROLE_CLINICIAN)
    {
      g_autofree char *wards = tw_user_wards_text ((const char * const *) info->wards);

      /* Translators: "Clinician · Ward 7, Ward 8" */
      subtitle = g_strdup_printf (_("%s · %s"), tw_role_to_label (info->role), wards);
    }
  else
    {
      subtitle = g_strdup (tw_role_to_label (info->role));
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);

  gtk_label_set_text (self->status_label, status);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css);

  gtk_menu_button_set_menu_model (self->menu_button, menu);
  tooltip = g_strdup_printf (_("Manage ‘%s’"), info->name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (self), GTK_WIDGET (self->menu_button));

  return GTK_WIDGET (self);
}

const char *
tw_user_list_row_get_name (TwUserListRow *self)
{
  g_return_val_if_fail (TW_IS_USER_LIST_ROW (self), NULL);

  return self->name;
}

const char *
tw_user_list_row_get_status_text (TwUserListRow *self)
{
  g_return_val_if_fail (TW_IS_USER_LIST_ROW (self), NULL);

  return gtk_label_get_text (self->status_label);
}

GtkMenuButton *
tw_user_list_row_get_menu_button (TwUserListRow *self)
{
  g_return_val_if_fail (TW_IS_USER_LIST_ROW (self), NULL);

  return self->menu_button;
}
