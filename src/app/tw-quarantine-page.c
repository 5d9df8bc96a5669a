#include "config.h"

#include <glib/gi18n.h>

#include "tw-admin-format.h"
#include "tw-quarantine-item.h"
#include "tw-quarantine-page.h"
#include "tw-quarantine-query.h"
#include "tw-reader.h"
#include "tw-time.h"

/*
 * TwQuarantinePage: the messages the pipeline could not use, newest
 * first, with the reason; the selected one's bytes exactly as received;
 * reprocessing (after a rule or a unit table changed) and an NDJSON
 * export. Everything that touches the store runs in a GTask worker on the
 * page's own TwReader connection, one task of each kind at a time.
 */

#define LIST_LIMIT     1000
/* Column widths in pixels; the reason takes the rest. */
#define RECEIVED_WIDTH 170
#define SOURCE_WIDTH   170
#define SIZE_WIDTH     90

typedef enum
{
  COLUMN_RECEIVED,
  COLUMN_SOURCE,
  COLUMN_REASON,
  COLUMN_SIZE,
} Column;

struct _TwQuarantinePage
{
  AdwBin                 parent_instance;

  /* Template widgets */
  AdwToastOverlay       *toast_overlay;
  GtkStack              *stack;
  GtkSpinner            *loading_spinner;
  GtkLabel              *count_label;
  GtkSpinner            *busy_spinner;
  GtkColumnView         *column_view;
  GtkStack              *detail_stack;
  GtkLabel              *detail_reason;
  GtkLabel              *detail_info;
  GtkTextView           *raw_view;
  GtkLabel              *truncated_label;

  /* Owned */
  GListStore            *items;
  GtkSingleSelection    *selection;
  GtkFileChooserNative  *chooser;
  TwReader              *reader;
  GCancellable          *cancellable;
  char                  *last_toast;
  guint                  count;
  guint64                quarantined_total;
  guint                  load_serial;
  guint                  raw_serial;
  guint                  busy;
  gboolean               loaded;
  gboolean               dirty;
};

G_DEFINE_FINAL_TYPE (TwQuarantinePage, tw_quarantine_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_actions (TwQuarantinePage *self);

static TwQuarantineItem *
selected_item (TwQuarantinePage *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static gboolean
task_is_stale (TwQuarantinePage *self,
               GAsyncResult     *result,
               const GError     *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result)))
         || self->reader == NULL;
}

static void
set_busy (TwQuarantinePage *self,
          gboolean          busy)
{
  if (busy)
    self->busy++;
  else
    self->busy--;

  gtk_spinner_set_spinning (self->busy_spinner, self->busy > 0);
  update_actions (self);
}

static void
update_actions (TwQuarantinePage *self)
{
  gboolean ready = self->reader != NULL && self->busy == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "quarantine.reprocess-selected",
                                 ready && selected_item (self) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "quarantine.reprocess-all",
                                 ready && self->count > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "quarantine.export", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "quarantine.export-dialog",
                                 ready && self->count > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "quarantine.reload", self->reader != NULL);
}

static void
set_count (TwQuarantinePage *self,
           guint             count)
{
  if (self->count == count)
    return;

  self->count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}

/* Columns */

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_SIZE ? 1 : 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COLUMN_SIZE || column == COLUMN_RECEIVED)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  TwQuarantineItem *item = gtk_list_item_get_item (list_item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (list_item));
  g_autofree char *text = NULL;
  const char *source;

  switch (column)
    {
    case COLUMN_RECEIVED:
      text = tw_time_format_local (tw_quarantine_item_get_received_at (item), "%x %X");
      break;
    case COLUMN_SOURCE:
      source = tw_quarantine_item_get_source_name (item);
      text = g_strdup (source != NULL ? source : _("Removed source"));
      break;
    case COLUMN_REASON:
      text = g_strdup (tw_quarantine_item_get_reason (item));
      break;
    case COLUMN_SIZE:
    default:
      text = g_format_size ((guint64) tw_quarantine_item_get_size (item));
      break;
    }

  gtk_label_set_text (label, text);
  if (column == COLUMN_REASON || column == COLUMN_SOURCE)
    gtk_widget_set_tooltip_text (GTK_WIDGET (label), text);
  if (column == COLUMN_SOURCE && tw_quarantine_item_get_source_name (item) == NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
  else if (column == COLUMN_SOURCE)
    gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
}

static void
add_column (TwQuarantinePage *self,
            const char       *title,
            Column            column,
            int               fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (column));

  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  else
    gtk_column_view_column_set_expand (view_column, TRUE);
  gtk_column_view_append_column (self->column_view, view_column);
}

/* Raw message */

static void
raw_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  TwQuarantinePage *self = TW_QUARANTINE_PAGE (object);
  TwQuarantineRaw *raw = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->raw_view);

  if (!g_task_propagate_boolean (G_TASK (result), &error) && task_is_stale (self, result, error))
    return;
  if (raw->serial != self->raw_serial)
    return;

  if (error != NULL)
    {
      gtk_text_buffer_set_text (buffer, error->message, -1);
      gtk_widget_set_visible (GTK_WIDGET (self->truncated_label), FALSE);
      return;
    }

  gtk_text_buffer_set_text (buffer, raw->text, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->truncated_label), raw->truncated);
  if (raw->truncated)
    {
      g_autofree char *shown = g_format_size (TW_RAW_PREVIEW_MAX_BYTES);
      g_autofree char *total = g_format_size (raw->size);
      /* Translators: "Showing the first 64.0 kB of 12.3 MB. Export to see all of it." */
      g_autofree char *text = g_strdup_printf (_("Showing the first %s of %s. Export to see "
                                                 "all of it."), shown, total);

      gtk_label_set_text (self->truncated_label, text);
    }
}

static void
show_selected (TwQuarantinePage *self)
{
  TwQuarantineItem *item = selected_item (self);
  g_autoptr(GTask) task = NULL;
  g_autofree char *when = NULL;
  g_autofree char *size = NULL;
  g_autofree char *info = NULL;
  const char *source;
  TwQuarantineRaw *raw;

  self->raw_serial++;
  update_actions (self);

  if (item == NULL || self->reader == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      return;
    }

  when = tw_time_format_local (tw_quarantine_item_get_received_at (item), "%x %X");
  size = g_format_size ((guint64) tw_quarantine_item_get_size (item));
  source = tw_quarantine_item_get_source_name (item);
  /* Translators: "Received 11/23/26 07:10:03 from ‘Ward 4 feed’ · 1.2 kB" */
  info = g_strdup_printf (_("Received %s from %s \u00b7 %s"), when,
                          source != NULL ? source : _("a removed source"), size);
  gtk_label_set_text (self->detail_reason, tw_quarantine_item_get_reason (item));
  gtk_label_set_text (self->detail_info, info);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->raw_view), "", -1);
  gtk_widget_set_visible (GTK_WIDGET (self->truncated_label), FALSE);
  gtk_stack_set_visible_child_name (self->detail_stack, "raw");

  raw = g_new0 (TwQuarantineRaw, 1);
  raw->reader = tw_reader_ref (self->reader);
  raw->id = tw_quarantine_item_get_id (item);
  raw->serial = self->raw_serial;

  task = g_task_new (self, self->cancellable, raw_done_cb, NULL);
  g_task_set_source_tag (task, show_selected);
  g_task_set_task_data (task, raw, tw_quarantine_raw_free);
  g_task_run_in_thread (task, tw_quarantine_raw_run);
}

static void
on_selection_changed (TwQuarantinePage *self)
{
  show_selected (self);
}

/* List */

static void
update_count_label (TwQuarantinePage *self,
                    guint             shown)
{
  g_autofree char *text = NULL;

  if (shown < self->count)
    /* Translators: "the newest 1000 of 2500 messages" */
    text = g_strdup_printf (_("The newest %u of %u messages"), shown, self->count);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message, newest first",
                                         "%u messages, newest first", self->count),
                            self->count);
  gtk_label_set_text (self->count_label, text);
}

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TwQuarantinePage *self = TW_QUARANTINE_PAGE (object);
  TwQuarantineList *list = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  TwQuarantineItem *selected;
  gint64 selected_id = 0;
  guint position = GTK_INVALID_LIST_POSITION;

  if (!g_task_propagate_boolean (G_TASK (result), &error) && task_is_stale (self, result, error))
    return;
  if (list->serial != self->load_serial)
    return;

  gtk_spinner_set_spinning (self->loading_spinner, FALSE);
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the quarantine: %s"),
                                                  error->message);

      tw_quarantine_page_add_toast (self, message);
      return;
    }

  selected = selected_item (self);
  if (selected != NULL)
    selected_id = tw_quarantine_item_get_id (selected);

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < list->rows->len; i++)
    {
      const TwQuarantineRow *row = g_ptr_array_index (list->rows, i);

      if (row->id == selected_id)
        position = i;
      g_ptr_array_add (items, tw_quarantine_item_new (row));
    }

  self->loaded = TRUE;
  set_count (self, (guint) list->count);
  g_list_store_splice (self->items, 0, g_list_model_get_n_items (G_LIST_MODEL (self->items)),
                       items->pdata, items->len);
  gtk_single_selection_set_selected (self->selection, position);
  update_count_label (self, items->len);
  gtk_stack_set_visible_child_name (self->stack, items->len > 0 ? "list" : "empty");
  show_selected (self);
}

static void
start_list (TwQuarantinePage *self)
{
  g_autoptr(GTask) task = NULL;
  TwQuarantineList *list;

  if (self->reader == NULL)
    return;

  self->dirty = FALSE;
  list = g_new0 (TwQuarantineList, 1);
  list->reader = tw_reader_ref (self->reader);
  list->serial = ++self->load_serial;
  list->limit = LIST_LIMIT;

  if (!self->loaded)
    {
      gtk_spinner_set_spinning (self->loading_spinner, TRUE);
      gtk_stack_set_visible_child_name (self->stack, "loading");
    }

  task = g_task_new (self, self->cancellable, list_done_cb, NULL);
  g_task_set_source_tag (task, start_list);
  g_task_set_task_data (task, list, tw_quarantine_list_free);
  g_task_run_in_thread (task, tw_quarantine_list_run);
}

/* Reprocess */

static void
reprocess_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TwQuarantinePage *self = TW_QUARANTINE_PAGE (object);
  TwQuarantineReprocess *reprocess = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) && task_is_stale (self, result, error))
    return;

  set_busy (self, FALSE);
  if (error != NULL)
    message = g_strdup_printf (_("Could not reprocess: %s"), error->message);
  else
    /* Translators: after reprocessing quarantined messages, "2 stored, 1 still rejected" */
    message = g_strdup_printf (_("%u stored, %u still rejected"), reprocess->result.fixed,
                               reprocess->result.still_bad);
  tw_quarantine_page_add_toast (self, message);
  start_list (self);
}

static void
run_reprocess (TwQuarantinePage *self,
               GArray           *ids)
{
  g_autoptr(GTask) task = NULL;
  TwQuarantineReprocess *reprocess;

  reprocess = g_new0 (TwQuarantineReprocess, 1);
  reprocess->reader = tw_reader_ref (self->reader);
  reprocess->ids = ids;
  set_busy (self, TRUE);

  task = g_task_new (self, self->cancellable, reprocess_done_cb, NULL);
  g_task_set_source_tag (task, run_reprocess);
  g_task_set_task_data (task, reprocess, tw_quarantine_reprocess_free);
  g_task_run_in_thread (task, tw_quarantine_reprocess_run);
}

static void
reprocess_selected_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  TwQuarantinePage *self = TW_QUARANTINE_PAGE (widget);
  TwQuarantineItem *item = selected_item (self);
  GArray *ids;
  gint64 id;

  if (item == NULL || self->reader == NULL || self->busy > 0)
    return;

  id = tw_quarantine_item_get_id (item);
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (ids, id);
  run_reprocess (self, ids);
}

static void
reprocess_all_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TwQuarantinePage *self = TW_QUARANTINE_PAGE (widget);

  if (self->reader == NULL || self->busy > 0)
    return;

  run_reprocess (self, NULL);
}

/* Export */

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TwQuarantinePage *self = TW_QUARANTINE_PAGE (object);
  TwQuarantineExport *export = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) && task_is_stale (self, result, error))
    return;

  set_busy (self, FALSE);
  name = g_filename_display_basename (export->path);
  if (error != NULL)
    message = g_strdup_printf (_("Could not export the quarantine: %s"), error->message);
  else
    /* Translators: "Exported 3 messages to quarantine.ndjson" */
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %u message to %s",
                                            "Exported %u messages to %s", export->count),
                               export->count, name);
  tw_quarantine_page_add_toast (self, message);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TwQuarantinePage *self = TW_QUARANTINE_PAGE (widget);
  g_autoptr(GTask) task = NULL;
  TwQuarantineExport *export;

  if (self->reader == NULL || self->busy > 0)
    return;

  export = g_new0 (TwQuarantineExport, 1);
  export->reader = tw_reader_ref (self->reader);
  export->path = g_variant_dup_string (parameter, NULL);
  set_busy (self, TRUE);

  task = g_task_new (self, self->cancellable, export_done_cb, NULL);
  g_task_set_source_tag (task, export_action);
  g_task_set_task_data (task, export, tw_quarantine_export_free);
  g_task_run_in_thread (task, tw_quarantine_export_run);
}

static void
on_chooser_response (TwQuarantinePage *self,
                     int               response,
                     GtkNativeDialog  *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);
  g_clear_object (&self->chooser);

  if (path != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "quarantine.export", "s", path);
  else if (file != NULL)
    tw_quarantine_page_add_toast (self, _("Choose a local file to export to."));
}

static void
export_dialog_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TwQuarantinePage *self = TW_QUARANTINE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *name = g_strdup_printf ("tidewatch-quarantine-%s.ndjson", stamp);

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  self->chooser = gtk_file_chooser_native_new (_("Export Quarantine"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  tw_quarantine_page_reload (TW_QUARANTINE_PAGE (widget));
}

/* GObject */

static void
tw_quarantine_page_map (GtkWidget *widget)
{
  TwQuarantinePage *self = TW_QUARANTINE_PAGE (widget);

  GTK_WIDGET_CLASS (tw_quarantine_page_parent_class)->map (widget);

  if (self->dirty)
    start_list (self);
}

static void
tw_quarantine_page_dispose (GObject *object)
{
  TwQuarantinePage *self = (TwQuarantinePage *)object;

  tw_quarantine_page_stop (self);
  g_clear_object (&self->selection);
  g_clear_object (&self->items);

  G_OBJECT_CLASS (tw_quarantine_page_parent_class)->dispose (object);
}

static void
tw_quarantine_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TwQuarantinePage *self = TW_QUARANTINE_PAGE (object);

  switch (prop_id)
    {
    case PROP_COUNT:
      g_value_set_uint (value, self->count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_quarantine_page_class_init (TwQuarantinePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_quarantine_page_dispose;
  object_class->get_property = tw_quarantine_page_get_property;
  widget_class->map = tw_quarantine_page_map;

  properties[PROP_COUNT] =
    g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-quarantine-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, stack);
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, count_label);
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, column_view);
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, detail_reason);
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, detail_info);
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, raw_view);
  gtk_widget_class_bind_template_child (widget_class, TwQuarantinePage, truncated_label);

  gtk_widget_class_install_action (widget_class, "quarantine.reprocess-selected", NULL,
                                   reprocess_selected_action);
  gtk_widget_class_install_action (widget_class, "quarantine.reprocess-all", NULL,
                                   reprocess_all_action);
  gtk_widget_class_install_action (widget_class, "quarantine.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "quarantine.export-dialog", NULL,
                                   export_dialog_action);
  gtk_widget_class_install_action (widget_class, "quarantine.reload", NULL, reload_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "quarantine.reprocess-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "quarantine.export-dialog", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "quarantine.reload", NULL);
}

static void
tw_quarantine_page_init (TwQuarantinePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->items = g_list_store_new (TW_TYPE_QUARANTINE_ITEM);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->items)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  /* Translators: column headings of the quarantine list */
  add_column (self, _("Received"), COLUMN_RECEIVED, RECEIVED_WIDTH);
  add_column (self, _("Source"), COLUMN_SOURCE, SOURCE_WIDTH);
  add_column (self, _("Reason"), COLUMN_REASON, 0);
  add_column (self, _("Size"), COLUMN_SIZE, SIZE_WIDTH);

  update_actions (self);
}

/**
 * tw_quarantine_page_start:
 * @self: the page
 * @session: the signed-in session; the page keeps a reader with its own
 *   copy of the key, and works only for roles that may manage sources
 */
void
tw_quarantine_page_start (TwQuarantinePage *self,
                          TwSession        *session)
{
  g_return_if_fail (TW_IS_QUARANTINE_PAGE (self));
  g_return_if_fail (session != NULL);

  tw_quarantine_page_stop (self);

  if (!tw_session_can (session, TW_PERM_MANAGE_SOURCES))
    return;

  self->reader = tw_reader_new (session);
  self->cancellable = g_cancellable_new ();
  update_actions (self);
  start_list (self);
}

/**
 * tw_quarantine_page_stop:
 * @self: the page
 *
 * Forgets the session: tasks in flight are dropped and the list and the
 * message shown are cleared.
 */
void
tw_quarantine_page_stop (TwQuarantinePage *self)
{
  g_return_if_fail (TW_IS_QUARANTINE_PAGE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, tw_reader_unref);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->last_toast, g_free);
  self->busy = 0;
  self->loaded = FALSE;
  self->dirty = FALSE;
  self->quarantined_total = 0;

  if (self->items != NULL)
    g_list_store_remove_all (self->items);
  if (self->raw_view != NULL)
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->raw_view), "", -1);
      gtk_spinner_set_spinning (self->busy_spinner, FALSE);
      gtk_stack_set_visible_child_name (self->stack, "loading");
      update_actions (self);
    }
  set_count (self, 0);
}

/**
 * tw_quarantine_page_set_quarantined_total:
 * @self: the page
 * @total: how many messages the running sources have quarantined so far
 *
 * Reads the list again when @total moved: at once when the page is on
 * screen, else when it is shown.
 */
void
tw_quarantine_page_set_quarantined_total (TwQuarantinePage *self,
                                          guint64           total)
{
  g_return_if_fail (TW_IS_QUARANTINE_PAGE (self));

  if (self->quarantined_total == total || self->reader == NULL)
    return;

  self->quarantined_total = total;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_list (self);
  else
    self->dirty = TRUE;
}

void
tw_quarantine_page_reload (TwQuarantinePage *self)
{
  g_return_if_fail (TW_IS_QUARANTINE_PAGE (self));

  start_list (self);
}

void
tw_quarantine_page_add_toast (TwQuarantinePage *self,
                              const char       *message)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (TW_IS_QUARANTINE_PAGE (self));
  g_return_if_fail (message != NULL);

  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  escaped = g_markup_escape_text (message, -1);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

/**
 * tw_quarantine_page_get_last_toast:
 *
 * Returns: (nullable): the last message the page showed in a toast
 */
const char *
tw_quarantine_page_get_last_toast (TwQuarantinePage *self)
{
  g_return_val_if_fail (TW_IS_QUARANTINE_PAGE (self), NULL);

  return self->last_toast;
}

/**
 * tw_quarantine_page_get_count:
 *
 * Returns: how many messages are in quarantine, as last read
 */
guint
tw_quarantine_page_get_count (TwQuarantinePage *self)
{
  g_return_val_if_fail (TW_IS_QUARANTINE_PAGE (self), 0);

  return self->count;
}

guint
tw_quarantine_page_get_n_items (TwQuarantinePage *self)
{
  g_return_val_if_fail (TW_IS_QUARANTINE_PAGE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->items));
}

/**
 * tw_quarantine_page_get_reason:
 *
 * Returns: (nullable): the reason of the message at @position
 */
const char *
tw_quarantine_page_get_reason (TwQuarantinePage *self,
                               guint             position)
{
  g_autoptr(TwQuarantineItem) item = NULL;

  g_return_val_if_fail (TW_IS_QUARANTINE_PAGE (self), NULL);

  item = g_list_model_get_item (G_LIST_MODEL (self->items), position);
  return item != NULL ? tw_quarantine_item_get_reason (item) : NULL;
}

void
tw_quarantine_page_select (TwQuarantinePage *self,
                           guint             position)
{
  g_return_if_fail (TW_IS_QUARANTINE_PAGE (self));

  gtk_single_selection_set_selected (self->selection, position);
}

/**
 * tw_quarantine_page_dup_raw_text:
 *
 * Returns: (transfer full): the message shown, as displayed
 */
char *
tw_quarantine_page_dup_raw_text (TwQuarantinePage *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (TW_IS_QUARANTINE_PAGE (self), NULL);

  buffer = gtk_text_view_get_buffer (self->raw_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/**
 * tw_quarantine_page_get_busy:
 *
 * Returns: whether a reprocess or an export is running
 */
gboolean
tw_quarantine_page_get_busy (TwQuarantinePage *self)
{
  g_return_val_if_fail (TW_IS_QUARANTINE_PAGE (self), FALSE);

  return self->busy > 0;
}
