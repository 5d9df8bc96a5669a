#include "config.h"

#include <glib/gi18n.h>

#include "tw-alert-item.h"
#include "tw-rule.h"
#include "tw-rule-editor.h"
#include "tw-rule-preview.h"
#include "tw-rules-query.h"
#include "tw-time.h"

/*
 * TwRuleEditor: one rule's JSON in a monospace text view. The text is
 * validated with tw_rule_from_data() a moment after each change (parsing
 * is cheap; nothing touches the store), and the error shows inline. Save
 * is enabled only while the text is a valid rule, and saving validates
 * once more, so an invalid rule can never be stored. Preview runs the
 * rule over the last hour of stored samples in a GTask worker, with a
 * spinner and a Cancel button. ::saved tells the page to reload the list
 * and the pipeline's rules.
 */

#define CHECK_DELAY_MS     300
#define MAX_PREVIEW_ROWS   100

static const char new_rule_template[] =
  "{\n"
  "  \"id\": \"my-rule\",\n"
  "  \"name\": \"My rule\",\n"
  "  \"kind\": \"threshold\",\n"
  "  \"metric\": \"hr\",\n"
  "  \"direction\": \"above\",\n"
  "  \"limit\": 120,\n"
  "  \"hysteresis\": 5,\n"
  "  \"for\": \"10s\",\n"
  "  \"priority\": \"medium\",\n"
  "  \"message\": \"{entity}: heart rate {value} /min above {limit}\"\n"
  "}\n";

struct _TwRuleEditor
{
  AdwBin         parent_instance;

  /* Template widgets */
  GtkLabel      *title_label;
  GtkLabel      *subtitle_label;
  GtkTextView   *text_view;
  GtkWidget     *status_box;
  GtkImage      *status_icon;
  GtkLabel      *status_label;
  GtkButton     *cancel_button;
  GtkSpinner    *spinner;
  GtkLabel      *preview_label;
  GtkWidget     *preview_scroller;
  GtkListBox    *preview_list;

  /* Owned */
  TwReader      *reader;
  char          *who;
  char          *rule_id;
  char          *saved_text;
  char          *error;
  GCancellable  *cancellable;
  GCancellable  *preview_cancellable;
  guint          check_source;
  int            n_preview;
  gboolean       valid;
  gboolean       busy;
};

G_DEFINE_FINAL_TYPE (TwRuleEditor, tw_rule_editor, ADW_TYPE_BIN)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_status (TwRuleEditor *self,
            const char   *icon,
            const char   *css_class,
            const char   *text)
{
  gtk_image_set_from_icon_name (self->status_icon, icon);
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_css_classes (self->status_box,
                              (const char *[]) { "rule-status", css_class, NULL });
  gtk_widget_set_visible (self->status_box, text != NULL && text[0] != '\0');
}

static void
update_actions (TwRuleEditor *self)
{
  g_autofree char *text = tw_rule_editor_dup_text (self);
  gboolean started = self->reader != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "rule.check", started);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "rule.preview",
                                 started && self->valid && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "rule.cancel-preview", self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "rule.save",
                                 started && self->valid && !self->busy
                                 && g_strcmp0 (text, self->saved_text) != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
clear_preview (TwRuleEditor *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_list))) != NULL)
    gtk_list_box_remove (self->preview_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_label), FALSE);
  gtk_widget_set_visible (self->preview_scroller, FALSE);
  self->n_preview = -1;
}

/* Parses the text; shows the result inline. Returns the rule or NULL. */
static TwRule *
validate (TwRuleEditor *self)
{
  g_autofree char *text = tw_rule_editor_dup_text (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(TwRule) rule = tw_rule_from_data (text, -1, &error);

  g_clear_handle_id (&self->check_source, g_source_remove);
  g_clear_pointer (&self->error, g_free);
  self->valid = rule != NULL;

  if (rule == NULL)
    {
      self->error = g_strdup (error->message);
      set_status (self, "dialog-error-symbolic", "error", error->message);
    }
  else
    {
      /* Translators: a valid rule: its name, kind and priority */
      g_autofree char *summary = g_strdup_printf (_("Valid rule: %s (%s, %s priority)"),
                                                  rule->name,
                                                  tw_rule_kind_to_string (rule->kind),
                                                  tw_alert_priority_label (rule->priority));

      set_status (self, "emblem-ok-symbolic", "success", summary);
    }

  update_actions (self);
  return g_steal_pointer (&rule);
}

static gboolean
check_cb (gpointer user_data)
{
  TwRuleEditor *self = TW_RULE_EDITOR (user_data);
  g_autoptr(TwRule) rule = NULL;

  self->check_source = 0;
  rule = validate (self);

  return G_SOURCE_REMOVE;
}

static void
on_text_changed (TwRuleEditor *self)
{
  /* Save stays off until the new text is checked. */
  self->valid = FALSE;
  update_actions (self);
  g_clear_handle_id (&self->check_source, g_source_remove);
  self->check_source = g_timeout_add (CHECK_DELAY_MS, check_cb, self);
}

/* Actions */

static void
check_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  tw_rule_editor_check (TW_RULE_EDITOR (widget));
}

static GtkWidget *
create_preview_row (const TwAlert *alert)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *raised = tw_time_format_local (alert->raised_us, "%X");

  title = g_strdup_printf ("%s %s \u00b7 %s", tw_alert_priority_marker (alert->priority),
                           tw_alert_priority_label (alert->priority),
                           alert->message != NULL ? alert->message : alert->entity_key);
  /* Translators: when a previewed alert was raised, and its state at the end */
  subtitle = g_strdup_printf (_("%s \u00b7 %s \u00b7 %s at the end"), alert->entity_key, raised,
                              tw_alert_state_label (alert->state));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  return row;
}

static void
preview_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TwRuleEditor *self = TW_RULE_EDITOR (object);
  TwRulesPreview *preview = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n;

  /* Stopped meanwhile (locked, or another rule shown): drop it unseen. */
  if (!g_task_propagate_boolean (G_TASK (result), &error) && self->reader == NULL)
    return;
  if (g_task_get_cancellable (G_TASK (result)) != self->preview_cancellable)
    return;

  self->busy = FALSE;
  update_actions (self);
  if (error != NULL)
    {
      gboolean cancelled = g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result)));
      g_autofree char *message = cancelled
                                 ? g_strdup (_("Preview cancelled."))
                                 : g_strdup_printf (_("The preview failed: %s"), error->message);

      gtk_label_set_text (self->preview_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->preview_label), TRUE);
      return;
    }

  n = preview->alerts->len;
  self->n_preview = (int) n;
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Would have raised %u alert in the last hour",
                                       "Would have raised %u alerts in the last hour", n), n);
  gtk_label_set_text (self->preview_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_label), TRUE);
  for (guint i = 0; i < n && i < MAX_PREVIEW_ROWS; i++)
    gtk_list_box_append (self->preview_list, create_preview_row (g_ptr_array_index (preview->alerts,
                                                                                     i)));
  gtk_widget_set_visible (self->preview_scroller, n > 0);
}

static void
preview_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TwRuleEditor *self = TW_RULE_EDITOR (widget);
  g_autoptr(GTask) task = NULL;
  TwRulesPreview *preview;
  TwRule *rule;
  gint64 now = tw_time_now ();

  if (self->reader == NULL || self->busy)
    return;
  rule = validate (self);
  if (rule == NULL)
    return;

  clear_preview (self);
  g_clear_object (&self->preview_cancellable);
  self->preview_cancellable = g_cancellable_new ();

  preview = g_new0 (TwRulesPreview, 1);
  preview->reader = tw_reader_ref (self->reader);
  preview->rule = rule;
  preview->from_ts = now - TW_RULE_PREVIEW_DEFAULT_US;
  preview->to_ts = now;
  self->busy = TRUE;
  update_actions (self);

  task = g_task_new (self, self->preview_cancellable, preview_done_cb, NULL);
  g_task_set_source_tag (task, preview_action);
  g_task_set_task_data (task, preview, tw_rules_preview_free);
  g_task_run_in_thread (task, tw_rules_preview_run);
}

static void
cancel_preview_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TwRuleEditor *self = TW_RULE_EDITOR (widget);

  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TwRuleEditor *self = TW_RULE_EDITOR (object);
  TwRulesWrite *write = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  self->busy = FALSE;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not save the rule: %s"),
                                                  error->message);

      g_free (self->error);
      self->error = g_strdup (message);
      set_status (self, "dialog-error-symbolic", "error", message);
      update_actions (self);
      return;
    }

  g_free (self->saved_text);
  self->saved_text = tw_rule_editor_dup_text (self);
  g_free (self->rule_id);
  self->rule_id = g_strdup (write->rule->id);
  gtk_label_set_text (self->title_label, write->rule->name);
  /* Translators: the rule was stored and the engine uses it from now on */
  set_status (self, "emblem-ok-symbolic", "success", _("Saved. The engine uses it from now on."));
  update_actions (self);
  g_signal_emit (self, signals[SAVED], 0, write->rule->id);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwRuleEditor *self = TW_RULE_EDITOR (widget);
  g_autoptr(GTask) task = NULL;
  TwRulesWrite *write;
  TwRule *rule;

  if (self->reader == NULL || self->busy)
    return;
  /* Never store what does not validate, whatever the buttons say. */
  rule = validate (self);
  if (rule == NULL)
    return;

  write = g_new0 (TwRulesWrite, 1);
  write->reader = tw_reader_ref (self->reader);
  write->rule = rule;
  write->who = g_strdup (self->who);
  self->busy = TRUE;
  update_actions (self);

  task = g_task_new (self, self->cancellable, save_done_cb, NULL);
  g_task_set_source_tag (task, save_action);
  g_task_set_task_data (task, write, tw_rules_write_free);
  g_task_run_in_thread (task, tw_rules_save_run);
}

/* GObject */

static void
tw_rule_editor_dispose (GObject *object)
{
  TwRuleEditor *self = (TwRuleEditor *)object;

  tw_rule_editor_stop (self);

  G_OBJECT_CLASS (tw_rule_editor_parent_class)->dispose (object);
}

static void
tw_rule_editor_finalize (GObject *object)
{
  TwRuleEditor *self = (TwRuleEditor *)object;

  g_clear_pointer (&self->rule_id, g_free);
  g_clear_pointer (&self->saved_text, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (tw_rule_editor_parent_class)->finalize (object);
}

static void
tw_rule_editor_class_init (TwRuleEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_rule_editor_dispose;
  object_class->finalize = tw_rule_editor_finalize;

  /**
   * TwRuleEditor::saved:
   * @rule_id: the rule stored
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-rule-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, title_label);
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, text_view);
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, status_box);
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, status_icon);
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, status_label);
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, spinner);
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, preview_label);
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, preview_scroller);
  gtk_widget_class_bind_template_child (widget_class, TwRuleEditor, preview_list);

  gtk_widget_class_install_action (widget_class, "rule.check", NULL, check_action);
  gtk_widget_class_install_action (widget_class, "rule.preview", NULL, preview_action);
  gtk_widget_class_install_action (widget_class, "rule.cancel-preview", NULL,
                                   cancel_preview_action);
  gtk_widget_class_install_action (widget_class, "rule.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK,
                                       "rule.check", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "rule.preview", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "rule.cancel-preview", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "rule.save", NULL);
}

static void
tw_rule_editor_init (TwRuleEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->n_preview = -1;
  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (on_text_changed), self, G_CONNECT_SWAPPED);
  set_status (self, NULL, NULL, "");
  update_actions (self);
}

/**
 * tw_rule_editor_start:
 * @reader: the page's connection (a reference is kept until stop())
 * @who: the signed-in administrator, recorded with each save
 */
void
tw_rule_editor_start (TwRuleEditor *self,
                      TwReader     *reader,
                      const char   *who)
{
  g_return_if_fail (TW_IS_RULE_EDITOR (self));
  g_return_if_fail (reader != NULL);

  tw_rule_editor_stop (self);
  self->reader = tw_reader_ref (reader);
  self->who = g_strdup (who);
  self->cancellable = g_cancellable_new ();
  tw_rule_editor_new_rule (self);
}

/* Drops the session's rule, text and work in flight. */
void
tw_rule_editor_stop (TwRuleEditor *self)
{
  g_return_if_fail (TW_IS_RULE_EDITOR (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  g_clear_handle_id (&self->check_source, g_source_remove);
  g_clear_pointer (&self->reader, tw_reader_unref);
  g_clear_pointer (&self->who, g_free);
  self->busy = FALSE;
  self->valid = FALSE;

  if (self->text_view != NULL)
    {
      clear_preview (self);
      tw_rule_editor_set_text (self, "");
      g_clear_handle_id (&self->check_source, g_source_remove);
      set_status (self, NULL, NULL, "");
      update_actions (self);
    }
}

static void
show_rule (TwRuleEditor *self,
           const char   *id,
           const char   *title,
           const char   *subtitle,
           const char   *text)
{
  g_autoptr(TwRule) rule = NULL;

  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
  clear_preview (self);

  g_free (self->rule_id);
  self->rule_id = g_strdup (id);
  g_free (self->saved_text);
  self->saved_text = g_strdup (id != NULL ? text : NULL);
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->subtitle_label, subtitle);
  tw_rule_editor_set_text (self, text);
  rule = validate (self);
}

/**
 * tw_rule_editor_load:
 * @row: a stored rule; its JSON is shown pretty-printed
 */
void
tw_rule_editor_load (TwRuleEditor    *self,
                     const TwRuleRow *row)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *pretty = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *when = NULL;
  g_autoptr(TwRule) rule = NULL;

  g_return_if_fail (TW_IS_RULE_EDITOR (self));
  g_return_if_fail (row != NULL);

  if (json_parser_load_from_data (parser, row->json, -1, NULL))
    {
      g_autofree char *json = json_to_string (json_parser_get_root (parser), TRUE);

      pretty = g_strconcat (json, "\n", NULL);
    }
  rule = tw_rule_from_data (row->json, -1, NULL);

  when = tw_time_format_local (row->updated_at, "%x %X");
  if (row->updated_by != NULL)
    /* Translators: rule id, pack, who changed it last, when */
    subtitle = g_strdup_printf (_("%s \u00b7 %s \u00b7 changed by %s on %s"), row->id,
                                row->pack != NULL ? row->pack : _("written here"),
                                row->updated_by, when);
  else
    /* Translators: rule id, then the default pack it came from */
    subtitle = g_strdup_printf (_("%s \u00b7 from the %s pack"), row->id,
                                row->pack != NULL ? row->pack : "?");

  show_rule (self, row->id, rule != NULL ? rule->name : row->id, subtitle,
             pretty != NULL ? pretty : row->json);
}

/* Starts a new rule from a template (a heart rate threshold). */
void
tw_rule_editor_new_rule (TwRuleEditor *self)
{
  g_return_if_fail (TW_IS_RULE_EDITOR (self));

  show_rule (self, NULL, _("New Rule"),
             _("Edit the definition, check it, preview it, then save. See docs/rules.md."),
             new_rule_template);
}

const char *
tw_rule_editor_get_rule_id (TwRuleEditor *self)
{
  g_return_val_if_fail (TW_IS_RULE_EDITOR (self), NULL);

  return self->rule_id;
}

void
tw_rule_editor_set_text (TwRuleEditor *self,
                         const char   *text)
{
  g_return_if_fail (TW_IS_RULE_EDITOR (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
}

char *
tw_rule_editor_dup_text (TwRuleEditor *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (TW_IS_RULE_EDITOR (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/**
 * tw_rule_editor_check:
 *
 * Validates the text now and shows the result.
 *
 * Returns: whether the text is a valid rule
 */
gboolean
tw_rule_editor_check (TwRuleEditor *self)
{
  g_autoptr(TwRule) rule = NULL;

  g_return_val_if_fail (TW_IS_RULE_EDITOR (self), FALSE);

  rule = validate (self);
  return rule != NULL;
}

/* The validation error shown, or NULL when the text is a valid rule. */
const char *
tw_rule_editor_get_error (TwRuleEditor *self)
{
  g_return_val_if_fail (TW_IS_RULE_EDITOR (self), NULL);

  return self->error;
}

gboolean
tw_rule_editor_get_busy (TwRuleEditor *self)
{
  g_return_val_if_fail (TW_IS_RULE_EDITOR (self), FALSE);

  return self->busy;
}

/* Alerts the last preview would have raised, -1 before any preview. */
int
tw_rule_editor_get_n_preview (TwRuleEditor *self)
{
  g_return_val_if_fail (TW_IS_RULE_EDITOR (self), -1);

  return self->n_preview;
}
