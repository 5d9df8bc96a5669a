#include "config.h"

#include <glib/gi18n.h>

#include "tw-user-dialog.h"

/*
 * TwUserDialog: adds an account (name, role, a clinician's wards) or
 * changes one's role and wards. It only asks: the page runs the change in
 * a worker and answers with tw_user_dialog_save_done(), which closes the
 * dialog or shows what went wrong in it. The role list is in TwRole order,
 * so the selected position is the role.
 */

struct _TwUserDialog
{
  AdwWindow          parent_instance;

  /* Template widgets */
  GtkButton         *save_button;
  GtkStack          *save_stack;
  GtkLabel          *save_label;
  GtkSpinner        *save_spinner;
  AdwPreferencesGroup *account_group;
  AdwEntryRow       *name_row;
  AdwComboRow       *role_row;
  GtkLabel          *role_hint_label;
  AdwPreferencesGroup *wards_group;
  GtkCheckButton    *all_wards_check;
  AdwEntryRow       *other_wards_row;
  GtkLabel          *error_label;

  /* Owned */
  char              *editing;       /* the account changed, NULL when adding */
  TwRole             old_role;
  GStrv              old_wards;
  GPtrArray         *ward_checks;   /* GtkCheckButton*, "ward" data */
  gboolean           busy;
};

G_DEFINE_FINAL_TYPE (TwUserDialog, tw_user_dialog, ADW_TYPE_WINDOW)

enum {
  SAVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const TwRole roles[] = {
  TW_ROLE_ADMIN, TW_ROLE_CLINICIAN, TW_ROLE_OPERATOR, TW_ROLE_ANALYST,
};

static const char *
role_hint (TwRole role)
{
  switch (role)
    {
    case TW_ROLE_ADMIN:
      return _("Manages users, data sources and alert rules, and reads the audit trail. "
               "Sees no patient names.");
    case TW_ROLE_CLINICIAN:
      return _("Sees the names, records and trends of the patients on their wards, and "
               "handles alerts.");
    case TW_ROLE_OPERATOR:
      return _("Watches the live monitor and handles alerts; sees beds and names but no "
               "records or trends.");
    case TW_ROLE_ANALYST:
    default:
      return _("Browses trends and statistics under pseudonyms: no names, no record numbers.");
    }
}

GStrv
tw_user_dialog_get_wards (TwUserDialog *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) other = NULL;

  g_return_val_if_fail (TW_IS_USER_DIALOG (self), NULL);

  if (gtk_check_button_get_active (self->all_wards_check))
    {
      g_strv_builder_add (builder, "*");
      return g_strv_builder_end (builder);
    }

  for (guint i = 0; i < self->ward_checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->ward_checks, i);

      if (gtk_check_button_get_active (check))
        g_strv_builder_add (builder, g_object_get_data (G_OBJECT (check), "ward"));
    }

  other = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->other_wards_row)), ",", -1);
  for (guint i = 0; other[i] != NULL; i++)
    {
      g_strstrip (other[i]);
      if (other[i][0] != '\0')
        g_strv_builder_add (builder, other[i]);
    }

  return g_strv_builder_end (builder);
}

static gboolean
same_wards (const char * const *a,
            const char * const *b)
{
  guint n_a = a != NULL ? g_strv_length ((GStrv) a) : 0;
  guint n_b = b != NULL ? g_strv_length ((GStrv) b) : 0;

  if (n_a != n_b)
    return FALSE;
  for (guint i = 0; i < n_a; i++)
    if (!g_strv_contains (b, a[i]))
      return FALSE;

  return TRUE;
}

static void
update (TwUserDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  TwRole role = tw_user_dialog_get_role (self);
  gboolean clinician = role == TW_ROLE_CLINICIAN;
  gboolean all = gtk_check_button_get_active (self->all_wards_check);
  g_auto(GStrv) wards = tw_user_dialog_get_wards (self);
  gboolean ok;

  gtk_label_set_text (self->role_hint_label, role_hint (role));
  gtk_widget_set_visible (GTK_WIDGET (self->wards_group), clinician);
  for (guint i = 0; i < self->ward_checks->len; i++)
    gtk_widget_set_sensitive (gtk_widget_get_ancestor (g_ptr_array_index (self->ward_checks, i),
                                                       ADW_TYPE_ACTION_ROW),
                              !all);
  gtk_widget_set_sensitive (GTK_WIDGET (self->other_wards_row), !all);

  if (self->editing == NULL)
    ok = name[0] != '\0' && strpbrk (name, " \t") == NULL;
  else
    ok = role != self->old_role
         || (clinician && !same_wards ((const char * const *) wards,
                                       (const char * const *) self->old_wards));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "user.save", ok && !self->busy);
}

static void
on_changed (TwUserDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update (self);
}

static void
set_busy (TwUserDialog *self,
          gboolean      busy)
{
  /* The entries become insensitive: focus leaves them properly first, or
   * a focused entry keeps blinking its cursor and GTK warns. */
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  self->busy = busy;
  gtk_stack_set_visible_child_name (self->save_stack, busy ? "busy" : "label");
  gtk_spinner_set_spinning (self->save_spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->account_group), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->wards_group), !busy);
  update (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwUserDialog *self = TW_USER_DIALOG (widget);
  g_auto(GStrv) wards = tw_user_dialog_get_wards (self);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  if (self->busy)
    return;

  set_busy (self, TRUE);
  g_signal_emit (self, signals[SAVE], 0, name, (guint) tw_user_dialog_get_role (self), wards);
}

static void
on_entry_activated (TwUserDialog *self)
{
  if (gtk_widget_is_sensitive (GTK_WIDGET (self->save_button)))
    gtk_widget_activate_action (GTK_WIDGET (self), "user.save", NULL);
}

static void
tw_user_dialog_finalize (GObject *object)
{
  TwUserDialog *self = (TwUserDialog *)object;

  g_clear_pointer (&self->editing, g_free);
  g_clear_pointer (&self->old_wards, g_strfreev);
  g_clear_pointer (&self->ward_checks, g_ptr_array_unref);

  G_OBJECT_CLASS (tw_user_dialog_parent_class)->finalize (object);
}

static void
tw_user_dialog_class_init (TwUserDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tw_user_dialog_finalize;

  /**
   * TwUserDialog::save:
   * @name: the user name
   * @role: a TwRole
   * @wards: (array zero-terminated=1): the wards ("*": all), empty for
   *   other roles than clinician
   */
  signals[SAVE] = g_signal_new ("save", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 3,
                                G_TYPE_STRING, G_TYPE_UINT, G_TYPE_STRV);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-user-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, save_stack);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, save_label);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, save_spinner);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, account_group);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, role_row);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, role_hint_label);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, wards_group);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, all_wards_check);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, other_wards_row);
  gtk_widget_class_bind_template_child (widget_class, TwUserDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "user.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tw_user_dialog_init (TwUserDialog *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->ward_checks = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    gtk_string_list_append (labels, tw_role_to_label (roles[i]));
  adw_combo_row_set_model (self->role_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->role_row, TW_ROLE_CLINICIAN);
}

static void
add_ward_rows (TwUserDialog       *self,
               const char * const *known_wards,
               const char * const *checked)
{
  g_autoptr(GString) others = g_string_new (NULL);

  /* The entry for other wards stays last. */
  g_object_ref (self->other_wards_row);
  adw_preferences_group_remove (self->wards_group, GTK_WIDGET (self->other_wards_row));

  for (guint i = 0; known_wards != NULL && known_wards[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), known_wards[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (check), "ward", g_strdup (known_wards[i]), g_free);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   checked != NULL && g_strv_contains (checked, known_wards[i]));
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (self->wards_group, row);
      g_ptr_array_add (self->ward_checks, check);
    }

  adw_preferences_group_add (self->wards_group, GTK_WIDGET (self->other_wards_row));
  g_object_unref (self->other_wards_row);

  /* Wards the user has that no patient is in yet. */
  for (guint i = 0; checked != NULL && checked[i] != NULL; i++)
    {
      if (g_str_equal (checked[i], "*")
          || (known_wards != NULL && g_strv_contains (known_wards, checked[i])))
        continue;
      if (others->len > 0)
        g_string_append (others, ", ");
      g_string_append (others, checked[i]);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->other_wards_row), others->str);
  gtk_check_button_set_active (self->all_wards_check,
                               checked != NULL && g_strv_contains (checked, "*"));
}

/**
 * tw_user_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @info: (nullable): the account to change, %NULL to add one
 * @known_wards: (nullable): the wards in the store, offered as choices
 *
 * Returns: (transfer none): a new dialog, not shown yet
 */
TwUserDialog *
tw_user_dialog_new (GtkWindow          *parent,
                    const TwUserInfo   *info,
                    const char * const *known_wards)
{
  TwUserDialog *self = g_object_new (TW_TYPE_USER_DIALOG, "transient-for", parent, NULL);

  if (info != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Change ‘%s’"), info->name);

      self->editing = g_strdup (info->name);
      self->old_role = info->role;
      self->old_wards = g_strdupv (info->wards);
      gtk_window_set_title (GTK_WINDOW (self), title);
      gtk_label_set_text_with_mnemonic (self->save_label, _("_Save"));
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), info->name);
      gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), FALSE);
      adw_preferences_group_set_description (self->account_group,
                                             _("A new role takes effect at the user's next sign-in."));
      adw_combo_row_set_selected (self->role_row, info->role);
    }

  add_ward_rows (self, known_wards, info != NULL ? (const char * const *) info->wards : NULL);
  update (self);

  return self;
}

/**
 * tw_user_dialog_save_done:
 * @self: the dialog
 * @error: (nullable): why the change failed; %NULL closes the dialog
 */
void
tw_user_dialog_save_done (TwUserDialog *self,
                          const GError *error)
{
  g_return_if_fail (TW_IS_USER_DIALOG (self));

  set_busy (self, FALSE);

  if (error == NULL)
    {
      /* Focus leaves the entries first, or GTK warns of a missing focus-out. */
      gtk_window_set_focus (GTK_WINDOW (self), NULL);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

gboolean
tw_user_dialog_get_adding (TwUserDialog *self)
{
  g_return_val_if_fail (TW_IS_USER_DIALOG (self), FALSE);

  return self->editing == NULL;
}

const char *
tw_user_dialog_get_name (TwUserDialog *self)
{
  g_return_val_if_fail (TW_IS_USER_DIALOG (self), NULL);

  return self->editing != NULL ? self->editing
                               : gtk_editable_get_text (GTK_EDITABLE (self->name_row));
}

TwRole
tw_user_dialog_get_role (TwUserDialog *self)
{
  guint selected;

  g_return_val_if_fail (TW_IS_USER_DIALOG (self), TW_ROLE_ANALYST);

  selected = adw_combo_row_get_selected (self->role_row);
  return selected < G_N_ELEMENTS (roles) ? roles[selected] : TW_ROLE_ANALYST;
}

/* For the tests: ticks a ward, as a click on its row would. */
void
tw_user_dialog_set_ward_checked (TwUserDialog *self,
                                 const char   *ward,
                                 gboolean      checked)
{
  g_return_if_fail (TW_IS_USER_DIALOG (self));

  for (guint i = 0; i < self->ward_checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->ward_checks, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (check), "ward"), ward) == 0)
        gtk_check_button_set_active (check, checked);
    }
}
