#include "config.h"

#include <glib/gi18n.h>

#include "tw-admin-format.h"
#include "tw-error.h"
#include "tw-reader.h"
#include "tw-source-dialog.h"
#include "tw-sources-page.h"
#include "tw-sources-query.h"

/*
 * TwSourcesPage: the administrator's list of data sources. The list and
 * every change (add, edit, pause, resume, remove) are SQL, run in GTask
 * workers on the page's own TwReader connection; the live figures come
 * from the pipeline's status snapshots, handed in by the admin page, and
 * cost no SQL. After a change the page emits ::changed and the window
 * restarts the pipeline, so the change takes effect at once. Addresses are
 * shown redacted: a broker password never reaches the screen.
 */

struct _TwSourcesPage
{
  AdwBin            parent_instance;

  /* Template widgets */
  AdwToastOverlay  *toast_overlay;
  GtkStack         *stack;
  GtkSpinner       *loading_spinner;
  GtkListBox       *source_list;
  GtkLabel         *summary_label;
  GtkButton        *add_button;

  /* Borrowed */
  TwSourceDialog   *dialog;         /* weak */

  /* Owned */
  TwReader         *reader;
  GCancellable     *cancellable;
  GPtrArray        *rows;           /* TwSourceRow*, as last read */
  GHashTable       *not_startable;  /* gint64* id → why the pipeline cannot start it */
  TwPipelineStatus *status;         /* NULL while the pipeline restarts */
  guint             load_serial;
  guint             tasks_in_flight;
  gboolean          loaded;
};

G_DEFINE_FINAL_TYPE (TwSourcesPage, tw_sources_page, ADW_TYPE_BIN)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const TwSourceRow *
find_source (TwSourcesPage *self,
             gint64         id)
{
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      const TwSourceRow *row = g_ptr_array_index (self->rows, i);

      if (row->id == id)
        return row;
    }

  return NULL;
}

static const TwSourceStatus *
find_status (TwSourcesPage *self,
             gint64         id)
{
  for (guint i = 0; self->status != NULL && i < self->status->sources->len; i++)
    {
      const TwSourceStatus *status = g_ptr_array_index (self->status->sources, i);

      if (status->id == id)
        return status;
    }

  return NULL;
}

/* Figures */

static void
live_state (TwSourceState  state,
            TwSourceFigures *figures)
{
  switch (state)
    {
    case TW_SOURCE_STATE_CONNECTING:
      figures->state_text = _("Connecting…");
      figures->state_icon = "network-transmit-receive-symbolic";
      figures->look = TW_SOURCE_LOOK_WAITING;
      break;
    case TW_SOURCE_STATE_CONNECTED:
      figures->state_text = _("Connected");
      figures->state_icon = "emblem-ok-symbolic";
      figures->look = TW_SOURCE_LOOK_OK;
      break;
    case TW_SOURCE_STATE_RECONNECTING:
      figures->state_text = _("Reconnecting…");
      figures->state_icon = "dialog-warning-symbolic";
      figures->look = TW_SOURCE_LOOK_WAITING;
      break;
    case TW_SOURCE_STATE_FINISHED:
      figures->state_text = _("Finished");
      figures->state_icon = "object-select-symbolic";
      figures->look = TW_SOURCE_LOOK_IDLE;
      break;
    case TW_SOURCE_STATE_STOPPED:
    default:
      figures->state_text = _("Stopped");
      figures->state_icon = "dialog-error-symbolic";
      figures->look = TW_SOURCE_LOOK_ERROR;
      break;
    }
}

/* Merges what the store says (configuration, persisted totals) with what
 * the pipeline says now. Strings point into @row, @status or the page.
 * Returns an error text to free, already redacted. */
static char *
compute_figures (TwSourcesPage         *self,
                 const TwSourceRow     *row,
                 const TwSourceStatus  *status,
                 TwSourceFigures       *figures)
{
  const char *reason = g_hash_table_lookup (self->not_startable, &row->id);
  const char *error = row->last_error;

  *figures = (TwSourceFigures) {
    .name = row->name,
    .enabled = row->enabled,
    .rate = -1,
    .received = row->counters.received,
    .stored = row->counters.stored,
    .duplicates = row->counters.duplicates,
    .quarantined = row->counters.quarantined,
    .reconnects = row->reconnects,
    .lag_us = row->lag_us,
  };

  if (status != NULL)
    {
      /* Running, even when paused in the store: a --connect source runs
       * until the next restart, and the page says what really happens. */
      live_state (status->state, figures);
      /* A rate is news only while the source can still deliver. */
      if (status->state != TW_SOURCE_STATE_FINISHED && status->state != TW_SOURCE_STATE_STOPPED)
        figures->rate = status->message_rate;
      figures->received = status->received;
      figures->stored = status->stored;
      figures->duplicates = status->duplicates;
      figures->quarantined = status->quarantined;
      /* The store's total is saved at commits; the pipeline counts since
       * it started. Neither is ahead of the other for long. */
      figures->reconnects = MAX (row->reconnects, (guint64) status->reconnects);
      if (status->lag_us >= 0)
        figures->lag_us = status->lag_us;
      error = status->last_error;
    }
  else if (!row->enabled)
    {
      figures->state_text = _("Paused");
      figures->state_icon = "media-playback-pause-symbolic";
      figures->look = TW_SOURCE_LOOK_IDLE;
    }
  else if (reason != NULL)
    {
      figures->state_text = _("Not started");
      figures->state_icon = "dialog-error-symbolic";
      figures->look = TW_SOURCE_LOOK_ERROR;
      error = reason;
    }
  else
    {
      figures->state_text = self->status == NULL ? _("Restarting…") : _("Starting…");
      figures->state_icon = "network-transmit-receive-symbolic";
      figures->look = TW_SOURCE_LOOK_WAITING;
    }

  return tw_redact_message (error, row->url);
}

static void
update_row (TwSourcesPage   *self,
            TwSourceListRow *widget)
{
  const TwSourceRow *row = find_source (self, tw_source_list_row_get_source_id (widget));
  g_autofree char *shown_url = NULL;
  g_autofree char *error = NULL;
  TwSourceFigures figures;

  if (row == NULL)
    return;

  error = compute_figures (self, row, find_status (self, row->id), &figures);
  shown_url = tw_source_url_redact (row->url);
  figures.url = shown_url;
  figures.last_error = error;
  tw_source_list_row_update (widget, &figures);
}

static void
update_summary (TwSourcesPage *self)
{
  guint n = self->rows != NULL ? self->rows->len : 0;
  guint paused = 0;
  guint receiving = 0;
  g_autofree char *sources = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      const TwSourceRow *row = g_ptr_array_index (self->rows, i);
      const TwSourceStatus *status = find_status (self, row->id);

      if (status != NULL && status->state == TW_SOURCE_STATE_CONNECTED)
        receiving++;
      else if (status == NULL && !row->enabled)
        paused++;
    }

  sources = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u source", "%u sources", n), n);
  /* Translators: "3 sources · 2 connected · 1 paused" */
  text = g_strdup_printf (_("%s · %u connected · %u paused"), sources, receiving, paused);
  gtk_label_set_text (self->summary_label, text);
}

static void
update_all (TwSourcesPage *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->source_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (TW_IS_SOURCE_LIST_ROW (child))
      update_row (self, TW_SOURCE_LIST_ROW (child));

  update_summary (self);
}

static void
rebuild_rows (TwSourcesPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->source_list))) != NULL)
    gtk_list_box_remove (self->source_list, child);

  for (guint i = 0; i < self->rows->len; i++)
    {
      const TwSourceRow *row = g_ptr_array_index (self->rows, i);

      gtk_list_box_append (self->source_list, tw_source_list_row_new (row->id));
    }
}

/* Rows are kept when the same sources come back, so focus and the pointer
 * stay where they are while the figures change. */
static gboolean
same_sources (TwSourcesPage *self)
{
  guint i = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->source_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child), i++)
    {
      const TwSourceRow *row;

      if (!TW_IS_SOURCE_LIST_ROW (child) || i >= self->rows->len)
        return FALSE;
      row = g_ptr_array_index (self->rows, i);
      if (row->id != tw_source_list_row_get_source_id (TW_SOURCE_LIST_ROW (child)))
        return FALSE;
    }

  return i == self->rows->len;
}

static void
show_rows (TwSourcesPage *self)
{
  if (!same_sources (self))
    rebuild_rows (self);

  update_all (self);
  gtk_spinner_set_spinning (self->loading_spinner, FALSE);
  gtk_stack_set_visible_child_name (self->stack, self->rows->len > 0 ? "list" : "empty");
}

/* Loading */

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TwSourcesPage *self = TW_SOURCES_PAGE (object);
  TwSourcesLoad *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  self->tasks_in_flight--;

  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the sources: %s"),
                                                  error->message);

      tw_sources_page_add_toast (self, message);
    }
  else if (load->serial == self->load_serial)
    {
      g_clear_pointer (&self->rows, g_ptr_array_unref);
      g_clear_pointer (&self->not_startable, g_hash_table_unref);
      self->rows = g_steal_pointer (&load->rows);
      self->not_startable = g_steal_pointer (&load->not_startable);
      self->loaded = TRUE;
      show_rows (self);
    }
}

static void
start_load (TwSourcesPage *self)
{
  g_autoptr(GTask) task = NULL;
  TwSourcesLoad *load;

  if (self->reader == NULL)
    return;

  load = tw_sources_load_new (self->reader, ++self->load_serial);
  self->tasks_in_flight++;

  if (!self->loaded)
    {
      gtk_spinner_set_spinning (self->loading_spinner, TRUE);
      gtk_stack_set_visible_child_name (self->stack, "loading");
    }

  task = g_task_new (self, self->cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, start_load);
  g_task_set_task_data (task, load, tw_sources_load_free);
  g_task_run_in_thread (task, tw_sources_load_run);
}

/* Changes */

static void
toast_change (TwSourcesPage  *self,
              TwSourceChange *change)
{
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  switch (change->kind)
    {
    case TW_SOURCE_CHANGE_ADD:
      title = g_strdup_printf (_("Added ‘%s’"), change->name);
      break;
    case TW_SOURCE_CHANGE_EDIT:
      title = g_strdup_printf (_("Saved ‘%s’"), change->name);
      break;
    case TW_SOURCE_CHANGE_PAUSE:
      title = g_strdup_printf (_("Paused ‘%s’"), change->name);
      break;
    case TW_SOURCE_CHANGE_RESUME:
      title = g_strdup_printf (_("Resumed ‘%s’"), change->name);
      break;
    case TW_SOURCE_CHANGE_REMOVE:
      title = g_strdup_printf (_("Removed ‘%s’"), change->name);
      break;
    default:
      g_assert_not_reached ();
    }

  escaped = g_markup_escape_text (title, -1);
  toast = adw_toast_new (escaped);
  if (change->kind == TW_SOURCE_CHANGE_PAUSE || change->kind == TW_SOURCE_CHANGE_RESUME)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, change->kind == TW_SOURCE_CHANGE_PAUSE
                                        ? "sources.resume" : "sources.pause");
      adw_toast_set_action_target_value (toast, g_variant_new_int64 (change->id));
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
change_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TwSourcesPage *self = TW_SOURCES_PAGE (object);
  TwSourceChange *change = g_task_get_task_data (G_TASK (result));
  TwSourceDialog *dialog = change->dialog != NULL ? TW_SOURCE_DIALOG (change->dialog) : NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      if (dialog != NULL)
        gtk_window_destroy (GTK_WINDOW (dialog));
      return;
    }

  self->tasks_in_flight--;

  if (!ok)
    {
      g_autofree char *shown = tw_redact_message (error->message, change->url);

      if (dialog != NULL && gtk_widget_get_visible (GTK_WIDGET (dialog)))
        {
          g_autoptr(GError) redacted = g_error_new_literal (error->domain, error->code, shown);

          tw_source_dialog_save_done (dialog, redacted);
        }
      else
        {
          tw_sources_page_add_toast (self, shown);
        }
      tw_sources_page_reload (self);
      return;
    }

  if (dialog != NULL)
    tw_source_dialog_save_done (dialog, NULL);
  toast_change (self, change);
  tw_sources_page_reload (self);

  /* The window restarts the pipeline: the change takes effect now. */
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
run_change (TwSourcesPage  *self,
            TwSourceChange *change)
{
  g_autoptr(GTask) task = NULL;

  self->tasks_in_flight++;

  task = g_task_new (self, self->cancellable, change_done_cb, NULL);
  g_task_set_source_tag (task, run_change);
  g_task_set_task_data (task, change, tw_source_change_free);
  g_task_run_in_thread (task, tw_source_change_run);
}

static void
change_source (TwSourcesPage      *self,
               TwSourceChangeKind  kind,
               gint64              id)
{
  const TwSourceRow *row = find_source (self, id);
  gboolean enabled;

  if (row == NULL || self->reader == NULL)
    return;

  enabled = kind == TW_SOURCE_CHANGE_RESUME || (kind != TW_SOURCE_CHANGE_PAUSE && row->enabled);
  run_change (self, tw_source_change_new (self->reader, kind, id, row->name, row->url, enabled));
}

/* Dialogs */

static void
on_dialog_save (TwSourcesPage  *self,
                gint64          id,
                const char     *name,
                const char     *url,
                TwSourceDialog *dialog)
{
  const TwSourceRow *row = id != 0 ? find_source (self, id) : NULL;
  TwSourceChange *change;

  if (self->reader == NULL || (id != 0 && row == NULL))
    {
      g_autoptr(GError) error = g_error_new_literal (TW_ERROR, TW_ERROR_NOT_FOUND,
                                                     _("This source no longer exists."));

      tw_source_dialog_save_done (dialog, error);
      return;
    }

  change = tw_source_change_new (self->reader,
                                 id != 0 ? TW_SOURCE_CHANGE_EDIT : TW_SOURCE_CHANGE_ADD,
                                 id, name, url, row != NULL ? row->enabled : TRUE);
  change->dialog = G_OBJECT (g_object_ref (dialog));
  run_change (self, change);
}

static GStrv
taken_names (TwSourcesPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    g_strv_builder_add (builder, ((const TwSourceRow *) g_ptr_array_index (self->rows, i))->name);

  return g_strv_builder_end (builder);
}

static void
open_dialog (TwSourcesPage     *self,
             const TwSourceRow *row)
{
  g_auto(GStrv) names = taken_names (self);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->dialog));
      return;
    }

  self->dialog = tw_source_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                       row != NULL ? row->id : 0,
                                       row != NULL ? row->name : NULL,
                                       row != NULL ? row->url : NULL,
                                       (const char * const *) names);
  g_object_add_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
  g_signal_connect_object (self->dialog, "save", G_CALLBACK (on_dialog_save), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->dialog));
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  TwSourcesPage *self = TW_SOURCES_PAGE (user_data);
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "source-id"));

  if (g_str_equal (response, "remove"))
    change_source (self, TW_SOURCE_CHANGE_REMOVE, id);
}

static void
confirm_remove (TwSourcesPage     *self,
                const TwSourceRow *row)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, NULL,
                                   _("Tidewatch stops receiving from this source now. What it "
                                     "delivered stays in the store, and its quarantined "
                                     "messages stay in quarantine."));
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Remove ‘%s’?"), row->name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  /* Source ids are small positive rowids: they fit a pointer. */
  g_object_set_data (G_OBJECT (dialog), "source-id", GSIZE_TO_POINTER ((gsize) row->id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Actions */

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_dialog (TW_SOURCES_PAGE (widget), NULL);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwSourcesPage *self = TW_SOURCES_PAGE (widget);
  const TwSourceRow *row = find_source (self, g_variant_get_int64 (parameter));

  if (row != NULL)
    open_dialog (self, row);
}

static void
toggle_pause_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TwSourcesPage *self = TW_SOURCES_PAGE (widget);
  gint64 id = g_variant_get_int64 (parameter);
  const TwSourceRow *row = find_source (self, id);

  if (row != NULL)
    change_source (self, row->enabled ? TW_SOURCE_CHANGE_PAUSE : TW_SOURCE_CHANGE_RESUME, id);
}

static void
pause_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  change_source (TW_SOURCES_PAGE (widget), TW_SOURCE_CHANGE_PAUSE,
                 g_variant_get_int64 (parameter));
}

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  change_source (TW_SOURCES_PAGE (widget), TW_SOURCE_CHANGE_RESUME,
                 g_variant_get_int64 (parameter));
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TwSourcesPage *self = TW_SOURCES_PAGE (widget);
  const TwSourceRow *row = find_source (self, g_variant_get_int64 (parameter));

  if (row != NULL)
    confirm_remove (self, row);
}

static void
on_row_activated (TwSourcesPage *self,
                  GtkListBoxRow *row)
{
  if (TW_IS_SOURCE_LIST_ROW (row))
    gtk_widget_activate_action (GTK_WIDGET (self), "sources.edit", "x",
                                tw_source_list_row_get_source_id (TW_SOURCE_LIST_ROW (row)));
}

static const char *managing_actions[] = {
  "sources.add", "sources.edit", "sources.toggle-pause", "sources.pause", "sources.resume",
  "sources.remove",
};

static void
set_actions_enabled (TwSourcesPage *self,
                     gboolean       enabled)
{
  for (guint i = 0; i < G_N_ELEMENTS (managing_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), managing_actions[i], enabled);
}

/* GObject */

static void
tw_sources_page_dispose (GObject *object)
{
  TwSourcesPage *self = (TwSourcesPage *)object;

  tw_sources_page_stop (self);

  G_OBJECT_CLASS (tw_sources_page_parent_class)->dispose (object);
}

static void
tw_sources_page_finalize (GObject *object)
{
  TwSourcesPage *self = (TwSourcesPage *)object;

  g_clear_pointer (&self->not_startable, g_hash_table_unref);

  G_OBJECT_CLASS (tw_sources_page_parent_class)->finalize (object);
}

static void
tw_sources_page_class_init (TwSourcesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_sources_page_dispose;
  object_class->finalize = tw_sources_page_finalize;

  /**
   * TwSourcesPage::changed:
   *
   * The sources in the store changed; the pipeline should restart.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-sources-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwSourcesPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TwSourcesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, TwSourcesPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, TwSourcesPage, source_list);
  gtk_widget_class_bind_template_child (widget_class, TwSourcesPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, TwSourcesPage, add_button);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);

  gtk_widget_class_install_action (widget_class, "sources.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "sources.edit", "x", edit_action);
  gtk_widget_class_install_action (widget_class, "sources.toggle-pause", "x",
                                   toggle_pause_action);
  gtk_widget_class_install_action (widget_class, "sources.pause", "x", pause_action);
  gtk_widget_class_install_action (widget_class, "sources.resume", "x", resume_action);
  gtk_widget_class_install_action (widget_class, "sources.remove", "x", remove_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "sources.add", NULL);

  g_type_ensure (TW_TYPE_SOURCE_LIST_ROW);
}

static void
tw_sources_page_init (TwSourcesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->not_startable = tw_sources_id_table_new ();
  set_actions_enabled (self, FALSE);
}

/**
 * tw_sources_page_start:
 * @self: the page
 * @session: the signed-in session; the page keeps a reader with its own
 *   copy of the key, and works only for roles that may manage sources
 */
void
tw_sources_page_start (TwSourcesPage *self,
                       TwSession     *session)
{
  g_return_if_fail (TW_IS_SOURCES_PAGE (self));
  g_return_if_fail (session != NULL);

  tw_sources_page_stop (self);

  if (!tw_session_can (session, TW_PERM_MANAGE_SOURCES))
    return;

  self->reader = tw_reader_new (session);
  self->cancellable = g_cancellable_new ();
  set_actions_enabled (self, TRUE);
  start_load (self);
}

/**
 * tw_sources_page_stop:
 * @self: the page
 *
 * Forgets the session: tasks in flight are dropped, the list is emptied
 * and an open dialog closes.
 */
void
tw_sources_page_stop (TwSourcesPage *self)
{
  g_return_if_fail (TW_IS_SOURCES_PAGE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, tw_reader_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->status, tw_pipeline_status_free);
  if (self->not_startable != NULL)
    g_hash_table_remove_all (self->not_startable);
  self->tasks_in_flight = 0;
  self->loaded = FALSE;

  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));

  if (self->source_list != NULL)
    {
      GtkWidget *child;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->source_list))) != NULL)
        gtk_list_box_remove (self->source_list, child);
      gtk_stack_set_visible_child_name (self->stack, "loading");
      set_actions_enabled (self, FALSE);
    }
}

/**
 * tw_sources_page_set_status:
 * @self: the page
 * @status: (transfer full) (nullable): the pipeline's latest snapshot, or
 *   %NULL while it restarts
 */
void
tw_sources_page_set_status (TwSourcesPage    *self,
                            TwPipelineStatus *status)
{
  g_return_if_fail (TW_IS_SOURCES_PAGE (self));

  g_clear_pointer (&self->status, tw_pipeline_status_free);
  self->status = status;

  if (self->rows == NULL)
    return;

  update_all (self);

  /* The pipeline stores the --connect addresses when it starts, after the
   * page read the list: a source it runs that the page has not seen yet
   * means the list is out of date. */
  for (guint i = 0; status != NULL && i < status->sources->len; i++)
    {
      const TwSourceStatus *source = g_ptr_array_index (status->sources, i);

      if (find_source (self, source->id) == NULL && self->tasks_in_flight == 0)
        {
          start_load (self);
          break;
        }
    }
}

/**
 * tw_sources_page_reload:
 * @self: the page
 *
 * Reads the sources again (in a worker); only the newest read is shown.
 */
void
tw_sources_page_reload (TwSourcesPage *self)
{
  g_return_if_fail (TW_IS_SOURCES_PAGE (self));

  if (self->reader == NULL)
    return;

  start_load (self);
}

void
tw_sources_page_add_toast (TwSourcesPage *self,
                           const char    *message)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (TW_IS_SOURCES_PAGE (self));
  g_return_if_fail (message != NULL);

  escaped = g_markup_escape_text (message, -1);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

guint
tw_sources_page_get_n_sources (TwSourcesPage *self)
{
  g_return_val_if_fail (TW_IS_SOURCES_PAGE (self), 0);

  return self->rows != NULL ? self->rows->len : 0;
}

/**
 * tw_sources_page_get_busy:
 *
 * Returns: whether a read or a change is still running
 */
gboolean
tw_sources_page_get_busy (TwSourcesPage *self)
{
  g_return_val_if_fail (TW_IS_SOURCES_PAGE (self), FALSE);

  return self->tasks_in_flight > 0;
}

/**
 * tw_sources_page_find_row:
 * @self: the page
 * @name: a source name
 *
 * Returns: (transfer none) (nullable): the row showing that source
 */
TwSourceListRow *
tw_sources_page_find_row (TwSourcesPage *self,
                          const char    *name)
{
  g_return_val_if_fail (TW_IS_SOURCES_PAGE (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->source_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (TW_IS_SOURCE_LIST_ROW (child)
        && g_strcmp0 (tw_source_list_row_get_name (TW_SOURCE_LIST_ROW (child)), name) == 0)
      return TW_SOURCE_LIST_ROW (child);

  return NULL;
}
