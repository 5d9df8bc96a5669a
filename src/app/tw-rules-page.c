#include "config.h"

#include <glib/gi18n.h>

#include "tw-alert-item.h"
#include "tw-role.h"
#include "tw-rule.h"
#include "tw-rules-page.h"
#include "tw-rules-query.h"

/*
 * TwRulesPage: the administrator's alert rules, by pack, each with a
 * switch that turns it on or off at once, and the editor for the one
 * selected. Reads and writes run in GTask workers on the page's own
 * TwReader connection; after each change the pipeline loads the rules
 * again (tw_pipeline_reload_rules), so a change takes effect without a
 * restart.
 */

struct _TwRulesPage
{
  AdwBin           parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkListBox      *rule_list;
  TwRuleEditor    *editor;

  /* Borrowed, between start() and stop() */
  TwPipeline      *pipeline;

  /* Owned */
  TwReader        *reader;
  GCancellable    *cancellable;
  char            *user;
  GPtrArray       *rows;          /* TwRuleRow*, as listed */
  char            *select_after;  /* a rule to select once the list is read */
  guint            n_writes;
  gboolean         listing;
  gboolean         updating;
};

G_DEFINE_FINAL_TYPE (TwRulesPage, tw_rules_page, ADW_TYPE_BIN)

static void start_enable (TwRulesPage *self,
                          const char  *id,
                          gboolean     enabled);

static void
add_toast (TwRulesPage *self,
           const char  *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static const TwRuleRow *
row_data (GtkListBoxRow *row)
{
  return row != NULL ? g_object_get_data (G_OBJECT (row), "rule-row") : NULL;
}

static GtkListBoxRow *
find_row (TwRulesPage *self,
          const char  *id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->rule_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      const TwRuleRow *data = GTK_IS_LIST_BOX_ROW (child) ? row_data (GTK_LIST_BOX_ROW (child))
                                                           : NULL;

      if (data != NULL && g_strcmp0 (data->id, id) == 0)
        return GTK_LIST_BOX_ROW (child);
    }

  return NULL;
}

static void
on_switch_active (GtkSwitch   *toggle,
                  GParamSpec  *pspec,
                  TwRulesPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (toggle), "rule-id");

  if (!self->updating)
    start_enable (self, id, gtk_switch_get_active (toggle));
}

static GtkWidget *
create_row (TwRulesPage     *self,
            const TwRuleRow *data)
{
  g_autoptr(TwRule) rule = tw_rule_from_data (data->json, -1, NULL);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();
  g_autofree char *subtitle = NULL;
  g_autofree char *accessible = NULL;

  if (rule != NULL)
    /* Translators: a rule's id, kind and priority in the rule list */
    subtitle = g_strdup_printf (_("%s \u00b7 %s \u00b7 %s"), data->id,
                                tw_rule_kind_to_string (rule->kind),
                                tw_alert_priority_label (rule->priority));
  else
    subtitle = g_strdup_printf (_("%s \u00b7 cannot be read by this version"), data->id);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), rule != NULL ? rule->name : data->id);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (toggle), data->enabled);
  /* Translators: accessible name of a rule's on/off switch */
  accessible = g_strdup_printf (_("Rule %s enabled"), rule != NULL ? rule->name : data->id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  g_object_set_data_full (G_OBJECT (toggle), "rule-id", g_strdup (data->id), g_free);
  g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_switch_active), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);

  g_object_set_data (G_OBJECT (row), "rule-row", (gpointer) data);
  g_object_set_data (G_OBJECT (row), "switch", toggle);

  return row;
}

/* Pack headings above the first rule of each pack. */
static void
update_header (GtkListBoxRow *row,
               GtkListBoxRow *before,
               gpointer       user_data)
{
  const TwRuleRow *data = row_data (row);
  const TwRuleRow *previous = row_data (before);
  GtkWidget *label;

  if (data == NULL || (previous != NULL && g_strcmp0 (previous->pack, data->pack) == 0))
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  label = gtk_label_new (data->pack != NULL ? data->pack : _("Written here"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_list_box_row_set_header (row, label);
}

static void
on_rule_selected (TwRulesPage   *self,
                  GtkListBoxRow *row)
{
  const TwRuleRow *data = row_data (row);

  if (self->updating || data == NULL)
    return;

  tw_rule_editor_load (self->editor, data);
}

/* Listing */

static void
update_subtitle (TwRulesPage *self)
{
  g_autofree char *subtitle = NULL;
  guint enabled = 0;
  guint n = self->rows != NULL ? self->rows->len : 0;

  for (guint i = 0; i < n; i++)
    enabled += ((const TwRuleRow *) g_ptr_array_index (self->rows, i))->enabled ? 1 : 0;

  /* Translators: the rule page's subtitle */
  subtitle = g_strdup_printf (_("%u rules, %u enabled"), n, enabled);
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TwRulesPage *self = TW_RULES_PAGE (object);
  TwRulesList *list = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *selected = NULL;
  GtkWidget *child;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  self->listing = FALSE;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the rules: %s"),
                                                  error->message);

      add_toast (self, message);
      return;
    }

  selected = g_strdup (self->select_after != NULL ? self->select_after
                                                  : tw_rule_editor_get_rule_id (self->editor));
  g_clear_pointer (&self->select_after, g_free);

  self->updating = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->rule_list))) != NULL)
    gtk_list_box_remove (self->rule_list, child);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  self->rows = g_steal_pointer (&list->rows);
  for (guint i = 0; i < self->rows->len; i++)
    {
      gtk_list_box_append (self->rule_list, create_row (self, g_ptr_array_index (self->rows, i)));
    }
  self->updating = FALSE;
  update_subtitle (self);

  if (selected != NULL && find_row (self, selected) != NULL)
    {
      self->updating = TRUE;
      gtk_list_box_select_row (self->rule_list, find_row (self, selected));
      self->updating = FALSE;
    }
}

/* Writing */

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TwRulesPage *self = TW_RULES_PAGE (object);
  TwRulesWrite *write = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  self->n_writes--;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not change the rule %s: %s"),
                                                  write->id, error->message);

      /* The list shows the store again, switch included. */
      add_toast (self, message);
      tw_rules_page_refresh (self);
      return;
    }

  /* The list is not rebuilt: the switch keeps the keyboard focus. */
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      TwRuleRow *data = g_ptr_array_index (self->rows, i);

      if (g_strcmp0 (data->id, write->id) == 0)
        data->enabled = write->enabled;
    }
  update_subtitle (self);
  if (self->pipeline != NULL)
    tw_pipeline_reload_rules (self->pipeline);
}

static void
start_enable (TwRulesPage *self,
              const char  *id,
              gboolean     enabled)
{
  g_autoptr(GTask) task = NULL;
  TwRulesWrite *write;

  if (self->reader == NULL || id == NULL)
    return;

  write = g_new0 (TwRulesWrite, 1);
  write->reader = tw_reader_ref (self->reader);
  write->id = g_strdup (id);
  write->enabled = enabled;
  write->who = g_strdup (self->user);
  self->n_writes++;

  task = g_task_new (self, self->cancellable, write_done_cb, NULL);
  g_task_set_source_tag (task, start_enable);
  g_task_set_task_data (task, write, tw_rules_write_free);
  g_task_run_in_thread (task, tw_rules_enable_run);
}

static void
on_rule_saved (TwRulesPage *self,
               const char  *id)
{
  g_autofree char *message = g_strdup_printf (_("Saved the rule %s"), id);

  if (self->pipeline != NULL)
    tw_pipeline_reload_rules (self->pipeline);
  add_toast (self, message);
  g_free (self->select_after);
  self->select_after = g_strdup (id);
  tw_rules_page_refresh (self);
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  TwRulesPage *self = TW_RULES_PAGE (widget);

  if (self->reader == NULL)
    return;

  self->updating = TRUE;
  gtk_list_box_unselect_all (self->rule_list);
  self->updating = FALSE;
  tw_rule_editor_new_rule (self->editor);
}

/* GObject */

static void
tw_rules_page_dispose (GObject *object)
{
  tw_rules_page_stop (TW_RULES_PAGE (object));

  G_OBJECT_CLASS (tw_rules_page_parent_class)->dispose (object);
}

static void
tw_rules_page_class_init (TwRulesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_rules_page_dispose;

  g_type_ensure (TW_TYPE_RULE_EDITOR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-rules-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwRulesPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TwRulesPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, TwRulesPage, rule_list);
  gtk_widget_class_bind_template_child (widget_class, TwRulesPage, editor);
  gtk_widget_class_bind_template_callback (widget_class, on_rule_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_rule_saved);

  gtk_widget_class_install_action (widget_class, "rules.new", NULL, new_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "rules.new", NULL);
}

static void
tw_rules_page_init (TwRulesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_list_box_set_header_func (self->rule_list, update_header, NULL, NULL);
}

/**
 * tw_rules_page_start:
 * @session: an administrator's session; only read here
 * @pipeline: (nullable): borrowed until stop(), told to reload its rules
 *   after every change
 */
void
tw_rules_page_start (TwRulesPage *self,
                     TwSession   *session,
                     TwPipeline  *pipeline)
{
  g_return_if_fail (TW_IS_RULES_PAGE (self));
  g_return_if_fail (session != NULL);

  tw_rules_page_stop (self);
  if (!tw_session_can (session, TW_PERM_MANAGE_SOURCES))
    return;

  self->reader = tw_reader_new (session);
  self->cancellable = g_cancellable_new ();
  self->user = g_strdup (tw_session_get_user (session));
  self->pipeline = pipeline;
  tw_rule_editor_start (self->editor, self->reader, self->user);
  tw_rules_page_refresh (self);
}

void
tw_rules_page_stop (TwRulesPage *self)
{
  GtkWidget *child;

  g_return_if_fail (TW_IS_RULES_PAGE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, tw_reader_unref);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->select_after, g_free);
  self->pipeline = NULL;
  self->listing = FALSE;
  self->n_writes = 0;

  if (self->rule_list != NULL)
    {
      self->updating = TRUE;
      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->rule_list))) != NULL)
        gtk_list_box_remove (self->rule_list, child);
      self->updating = FALSE;
      adw_window_title_set_subtitle (self->window_title, "");
      tw_rule_editor_stop (self->editor);
    }
  g_clear_pointer (&self->rows, g_ptr_array_unref);
}

void
tw_rules_page_set_pipeline (TwRulesPage *self,
                            TwPipeline  *pipeline)
{
  g_return_if_fail (TW_IS_RULES_PAGE (self));

  if (self->reader != NULL)
    self->pipeline = pipeline;
}

/* Reads the rules again (one listing at a time). */
void
tw_rules_page_refresh (TwRulesPage *self)
{
  g_autoptr(GTask) task = NULL;
  TwRulesList *list;

  g_return_if_fail (TW_IS_RULES_PAGE (self));

  if (self->reader == NULL || self->listing)
    return;

  list = g_new0 (TwRulesList, 1);
  list->reader = tw_reader_ref (self->reader);
  self->listing = TRUE;

  task = g_task_new (self, self->cancellable, list_done_cb, NULL);
  g_task_set_source_tag (task, tw_rules_page_refresh);
  g_task_set_task_data (task, list, tw_rules_list_free);
  g_task_run_in_thread (task, tw_rules_list_run);
}

guint
tw_rules_page_get_n_rules (TwRulesPage *self)
{
  g_return_val_if_fail (TW_IS_RULES_PAGE (self), 0);

  return self->rows != NULL ? self->rows->len : 0;
}

/* Whether a listing or a write is still running. */
gboolean
tw_rules_page_get_busy (TwRulesPage *self)
{
  g_return_val_if_fail (TW_IS_RULES_PAGE (self), FALSE);

  return self->listing || self->n_writes > 0 || tw_rule_editor_get_busy (self->editor);
}

/* Selects rule @id and opens it in the editor. */
gboolean
tw_rules_page_select_rule (TwRulesPage *self,
                           const char  *id)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (TW_IS_RULES_PAGE (self), FALSE);

  row = find_row (self, id);
  if (row == NULL)
    return FALSE;

  gtk_list_box_select_row (self->rule_list, row);
  return TRUE;
}

/* Flips rule @id's switch, as a click would. */
gboolean
tw_rules_page_set_enabled (TwRulesPage *self,
                           const char  *id,
                           gboolean     enabled)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (TW_IS_RULES_PAGE (self), FALSE);

  row = find_row (self, id);
  if (row == NULL)
    return FALSE;

  gtk_switch_set_active (g_object_get_data (G_OBJECT (row), "switch"), enabled);
  return TRUE;
}

TwRuleEditor *
tw_rules_page_get_editor (TwRulesPage *self)
{
  g_return_val_if_fail (TW_IS_RULES_PAGE (self), NULL);

  return self->editor;
}
