#include "config.h"

#include <glib/gi18n.h>

#include "tw-alert-history.h"
#include "tw-alert-history-view.h"
#include "tw-alert-item.h"
#include "tw-time.h"

/*
 * TwAlertHistoryView: the console's History tab. Alerts open and closed,
 * newest first, each an expander with its transitions (who, when, note).
 * The search runs in a GTask worker on the page's TwReader; a newer search
 * cancels the one before, and an answer to an old one is dropped.
 */

#define HISTORY_LIMIT 200
#define EXPAND_MAX    5

struct _TwAlertHistoryView
{
  AdwBin          parent_instance;

  /* Template widgets */
  GtkSearchEntry *search_entry;
  GtkSpinner     *spinner;
  GtkLabel       *count_label;
  GtkStack       *stack;
  GtkListBox     *list;

  /* Owned */
  TwReader       *reader;
  GCancellable   *cancellable;
  char           *text;
  guint           serial;
  guint           n_alerts;
  gboolean        busy;
};

G_DEFINE_FINAL_TYPE (TwAlertHistoryView, tw_alert_history_view, ADW_TYPE_BIN)

enum {
  ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
describe_transition (const TwAlertTransitionRow *row)
{
  g_autofree char *when = tw_time_format_local (row->at, "%x %X");
  const char *to = tw_alert_state_label (row->to);

  /* A self-transition is an event that keeps the state: an escalation,
   * or a latched condition that ended. */
  if (row->from == row->to && row->who != NULL)
    /* Translators: time, then who escalated the alert */
    return g_strdup_printf (_("%s \u00b7 Escalated by %s"), when, row->who);
  if (row->from == row->to)
    /* Translators: time, then the state the alert stayed in */
    return g_strdup_printf (_("%s \u00b7 Still %s"), when, to);
  if (row->who != NULL)
    /* Translators: time, new state, who: "10:43 · Acknowledged by otto" */
    return g_strdup_printf (_("%s \u00b7 %s by %s"), when, to, row->who);

  return g_strdup_printf (_("%s \u00b7 %s"), when, to);
}

static GtkWidget *
create_transition_row (const TwAlertTransitionRow *row,
                       GString                    *text)
{
  GtkWidget *action_row = adw_action_row_new ();
  g_autofree char *title = describe_transition (row);
  gboolean has_note = row->note != NULL && row->note[0] != '\0';

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (action_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action_row), title);
  if (has_note)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (action_row), row->note);

  g_string_append_printf (text, "  %s%s%s\n", title, has_note ? " \u2014 " : "",
                          has_note ? row->note : "");

  return action_row;
}

static GtkWidget *
create_alert_row (TwAlertHistory      *history,
                  const TwAlertRecord *record,
                  GPtrArray           *transitions,
                  GString             *text)
{
  const TwAlert *alert = record->alert;
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (tw_alert_priority_icon (alert->priority));
  const char *entity = history->entity_titles != NULL
                       ? g_hash_table_lookup (history->entity_titles, alert->entity_key) : NULL;
  g_autofree char *raised = tw_time_format_local (alert->raised_us, "%x %X");
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  /* Translators: marker, priority, entity, message: "!!! High · Bed 3 · SpO2 low" */
  title = g_strdup_printf (_("%s %s \u00b7 %s \u00b7 %s"),
                           tw_alert_priority_marker (alert->priority),
                           tw_alert_priority_label (alert->priority),
                           entity != NULL ? entity : alert->entity_key,
                           alert->message != NULL ? alert->message : alert->rule_id);
  /* Translators: when it was raised, its rule, its state now */
  subtitle = g_strdup_printf (_("%s \u00b7 %s \u00b7 %s"), raised, alert->rule_id,
                              tw_alert_state_label (alert->state));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
  gtk_widget_add_css_class (icon, "alert-icon");
  gtk_widget_add_css_class (icon, tw_alert_priority_css_class (alert->priority));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tw_alert_priority_label (alert->priority), -1);
  adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), icon);
  g_string_append_printf (text, "%s | %s\n", title, subtitle);

  for (guint i = 0; transitions != NULL && i < transitions->len; i++)
    adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                              create_transition_row (g_ptr_array_index (transitions, i), text));

  return row;
}

static void
set_busy (TwAlertHistoryView *self,
          gboolean            busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
}

static void
clear_list (TwAlertHistoryView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
}

static void
history_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TwAlertHistoryView *self = TW_ALERT_HISTORY_VIEW (object);
  TwAlertHistory *history = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *count = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result)))))
    return;
  if (history->serial != self->serial)
    return;

  set_busy (self, FALSE);
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the alert history: %s"),
                                                  error->message);

      g_signal_emit (self, signals[ERROR], 0, message);
      return;
    }

  clear_list (self);
  for (guint i = 0; i < history->records->len; i++)
    {
      GtkWidget *row = create_alert_row (history, g_ptr_array_index (history->records, i),
                                         g_ptr_array_index (history->transitions, i), text);

      /* A search that finds a few alerts shows who did what at once. */
      if (history->search != NULL && history->records->len <= EXPAND_MAX)
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
      gtk_list_box_append (self->list, row);
    }

  g_free (self->text);
  self->text = g_string_free (g_steal_pointer (&text), FALSE);
  self->n_alerts = history->records->len;
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u alert", "%u alerts",
                                        self->n_alerts), self->n_alerts);
  gtk_label_set_text (self->count_label, count);
  gtk_stack_set_visible_child_name (self->stack, self->n_alerts > 0 ? "list" : "empty");
}

static void
on_search_changed (TwAlertHistoryView *self)
{
  tw_alert_history_view_refresh (self);
}

static void
tw_alert_history_view_dispose (GObject *object)
{
  tw_alert_history_view_stop (TW_ALERT_HISTORY_VIEW (object));

  G_OBJECT_CLASS (tw_alert_history_view_parent_class)->dispose (object);
}

static void
tw_alert_history_view_class_init (TwAlertHistoryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_alert_history_view_dispose;

  /**
   * TwAlertHistoryView::error:
   * @message: what went wrong, for a toast
   */
  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/"
                                               "tw-alert-history-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TwAlertHistoryView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TwAlertHistoryView, spinner);
  gtk_widget_class_bind_template_child (widget_class, TwAlertHistoryView, count_label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertHistoryView, stack);
  gtk_widget_class_bind_template_child (widget_class, TwAlertHistoryView, list);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
}

static void
tw_alert_history_view_init (TwAlertHistoryView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_busy (self, FALSE);
}

/**
 * tw_alert_history_view_start:
 * @reader: the page's read connection; a reference is kept until stop()
 */
void
tw_alert_history_view_start (TwAlertHistoryView *self,
                             TwReader           *reader)
{
  g_return_if_fail (TW_IS_ALERT_HISTORY_VIEW (self));
  g_return_if_fail (reader != NULL);

  tw_alert_history_view_stop (self);
  self->reader = tw_reader_ref (reader);
}

/* Forgets the session's history: rows, search text, results in flight. */
void
tw_alert_history_view_stop (TwAlertHistoryView *self)
{
  g_return_if_fail (TW_IS_ALERT_HISTORY_VIEW (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, tw_reader_unref);
  g_clear_pointer (&self->text, g_free);
  self->n_alerts = 0;

  if (self->list != NULL)
    {
      clear_list (self);
      g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
      gtk_label_set_text (self->count_label, "");
      gtk_stack_set_visible_child_name (self->stack, "empty");
      set_busy (self, FALSE);
    }
}

/* Runs the search as the entry has it now. */
void
tw_alert_history_view_refresh (TwAlertHistoryView *self)
{
  g_autoptr(GTask) task = NULL;
  TwAlertHistory *history;
  const char *search;

  g_return_if_fail (TW_IS_ALERT_HISTORY_VIEW (self));

  if (self->reader == NULL)
    return;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  history = g_new0 (TwAlertHistory, 1);
  history->reader = tw_reader_ref (self->reader);
  history->search = search[0] != '\0' ? g_strdup (search) : NULL;
  history->limit = HISTORY_LIMIT;
  history->serial = ++self->serial;
  set_busy (self, TRUE);

  task = g_task_new (self, self->cancellable, history_done_cb, NULL);
  g_task_set_source_tag (task, tw_alert_history_view_refresh);
  g_task_set_task_data (task, history, tw_alert_history_free);
  g_task_run_in_thread (task, tw_alert_history_run);
}

/* Sets the search text and searches at once (typing waits for a pause). */
void
tw_alert_history_view_search (TwAlertHistoryView *self,
                              const char         *text)
{
  g_return_if_fail (TW_IS_ALERT_HISTORY_VIEW (self));

  g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
  tw_alert_history_view_refresh (self);
}

void
tw_alert_history_view_focus_search (TwAlertHistoryView *self)
{
  g_return_if_fail (TW_IS_ALERT_HISTORY_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

guint
tw_alert_history_view_get_n_alerts (TwAlertHistoryView *self)
{
  g_return_val_if_fail (TW_IS_ALERT_HISTORY_VIEW (self), 0);

  return self->n_alerts;
}

gboolean
tw_alert_history_view_get_busy (TwAlertHistoryView *self)
{
  g_return_val_if_fail (TW_IS_ALERT_HISTORY_VIEW (self), FALSE);

  return self->busy;
}

/**
 * tw_alert_history_view_dup_text:
 *
 * Returns: (transfer full): the history as shown, one line per alert and
 *   per transition (indented), for tests and for copying
 */
char *
tw_alert_history_view_dup_text (TwAlertHistoryView *self)
{
  g_return_val_if_fail (TW_IS_ALERT_HISTORY_VIEW (self), NULL);

  return g_strdup (self->text != NULL ? self->text : "");
}
