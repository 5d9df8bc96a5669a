#include "config.h"

#include <glib/gi18n.h>

#include "tw-audit-page.h"
#include "tw-audit-query.h"
#include "tw-reader.h"
#include "tw-toasts.h"

/*
 * TwAuditPage: the administrator's view of the audit trail. On top the
 * result of the chain check (intact, or what is wrong and what to do);
 * then the emergency accesses waiting for review, each marked reviewed
 * with a note; then the trail itself, newest first, filtered by user,
 * action, time and text, and exported as CSV (the export is audited too).
 * All reads run in GTask workers on the page's own TwReader.
 */

#define ROW_LIMIT 500
#define HOUR_US   ((gint64) 3600 * G_USEC_PER_SEC)

struct _TwAuditPage
{
  AdwBin              parent_instance;

  /* Template widgets */
  AdwToastOverlay    *toast_overlay;
  GtkBox             *verify_box;
  GtkImage           *verify_icon;
  GtkLabel           *verify_title;
  GtkLabel           *verify_body;
  AdwPreferencesGroup *review_group;
  GtkListBox         *review_list;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *user_dropdown;
  GtkDropDown        *action_dropdown;
  GtkDropDown        *time_dropdown;
  GtkLabel           *count_label;
  GtkStack           *rows_stack;
  GtkListBox         *audit_list;

  /* Borrowed */
  GtkWindow          *dialog;        /* weak */

  /* Owned */
  GPtrArray        *toasts;           /* AdwToast* shown and not dismissed yet */
  TwReader           *reader;
  GCancellable       *cancellable;
  GtkFileChooserNative *chooser;
  char               *me;
  GtkStringList      *users_model;
  GPtrArray          *rows;
  GPtrArray          *grants;
  guint               load_serial;
  guint               tasks_in_flight;
  gboolean            intact;
  gboolean            updating_filters;
};

G_DEFINE_FINAL_TYPE (TwAuditPage, tw_audit_page, ADW_TYPE_BIN)

enum {
  EXPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_N_GRANTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  const char *label;
  gint64      span_us;   /* 0: all time */
} TimeChoice;

static const TimeChoice time_choices[] = {
  { N_("Any Time"), 0 },
  { N_("Last Hour"), HOUR_US },
  { N_("Last 24 Hours"), 24 * HOUR_US },
  { N_("Last 7 Days"), 7 * 24 * HOUR_US },
  { N_("Last 30 Days"), 30 * 24 * HOUR_US },
};

static void
add_toast (TwAuditPage *self,
           const char  *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  tw_toasts_track (self->toasts, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static GtkWindow *
parent_window (TwAuditPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static char *
format_time (gint64 at)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (at / G_USEC_PER_SEC);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

/* The filter, as the widgets say */

static void
read_filter (TwAuditPage        *self,
             TwAuditQueryFilter *filter)
{
  guint user = gtk_drop_down_get_selected (self->user_dropdown);
  guint action = gtk_drop_down_get_selected (self->action_dropdown);
  guint time = gtk_drop_down_get_selected (self->time_dropdown);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  tw_audit_query_filter_clear (filter);
  if (user != GTK_INVALID_LIST_POSITION && user > 0)
    filter->actor = g_strdup (gtk_string_list_get_string (self->users_model, user));
  if (action != GTK_INVALID_LIST_POSITION && action > 0)
    filter->action = g_strdup (tw_audit_known_actions ()[action - 1]);
  if (time != GTK_INVALID_LIST_POSITION && time < G_N_ELEMENTS (time_choices)
      && time_choices[time].span_us > 0)
    filter->from_ts = g_get_real_time () - time_choices[time].span_us;
  if (text[0] != '\0')
    filter->text = g_strdup (text);
}

/* Showing */

static void
show_verify (TwAuditPage         *self,
             const TwAuditReport *report)
{
  g_autofree char *body = NULL;

  self->intact = report->problem == TW_AUDIT_INTACT;
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_icon), "error");

  if (self->intact)
    {
      gtk_image_set_from_icon_name (self->verify_icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_icon), "success");
      gtk_label_set_text (self->verify_title, _("Audit Trail Intact"));
      body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "The %" G_GINT64_FORMAT " entry checks out, and it is "
                                           "the last one recorded beside the store: nothing was "
                                           "changed, removed or cut off.",
                                           "All %" G_GINT64_FORMAT " entries check out, and the "
                                           "newest is the last one recorded beside the store: "
                                           "nothing was changed, removed or cut off.",
                                           (gulong) report->n_rows),
                              report->n_rows);
    }
  else
    {
      gtk_image_set_from_icon_name (self->verify_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_icon), "error");
      gtk_label_set_text (self->verify_title, _("Audit Trail Damaged"));
      /* The core's sentence says what is wrong; what to do is the same
       * for every kind of damage. */
      body = g_strdup_printf (_("%s Keep a copy of the data folder as evidence before anything "
                                "else changes, compare it with your last backup, and report "
                                "it to your security officer."),
                              report->message != NULL ? report->message
                                                      : _("The chain does not check out."));
    }
  gtk_label_set_text (self->verify_body, body);
}

static GtkWidget *
audit_row_new (const TwAuditRow *row)
{
  GtkWidget *widget = adw_action_row_new ();
  GtkWidget *time_label;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *when = format_time (row->at);

  if (row->subject != NULL && row->subject[0] != '\0')
    /* Translators: "User added: bob" */
    title = g_strdup_printf (_("%s: %s"), tw_audit_action_label (row->action), row->subject);
  else
    title = g_strdup (tw_audit_action_label (row->action));
  if (row->detail != NULL && row->detail[0] != '\0')
    /* Translators: "by ana · role clinician" */
    subtitle = g_strdup_printf (_("by %s · %s"), row->actor, row->detail);
  else
    subtitle = g_strdup_printf (_("by %s"), row->actor);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (widget), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (widget), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (widget), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (widget), 2);

  time_label = gtk_label_new (when);
  gtk_widget_add_css_class (time_label, "dim-label");
  gtk_widget_add_css_class (time_label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (widget), time_label);

  g_object_set_data_full (G_OBJECT (widget), "action", g_strdup (row->action), g_free);
  return widget;
}

static void
show_rows (TwAuditPage *self)
{
  GtkWidget *child;
  g_autofree char *text = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->audit_list))) != NULL)
    gtk_list_box_remove (self->audit_list, child);

  for (guint i = 0; i < self->rows->len; i++)
    gtk_list_box_append (self->audit_list, audit_row_new (g_ptr_array_index (self->rows, i)));

  if (self->rows->len >= ROW_LIMIT)
    text = g_strdup_printf (_("The newest %u entries; narrow the filter, or export to get all "
                              "of them"), ROW_LIMIT);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry, newest first",
                                         "%u entries, newest first", self->rows->len),
                            self->rows->len);
  gtk_label_set_text (self->count_label, text);
  gtk_stack_set_visible_child_name (self->rows_stack, self->rows->len > 0 ? "rows" : "empty");
}

static GtkWidget *
grant_row_new (const TwBreakGlassRow *grant)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Review…"));
  g_autofree char *opened = format_time (grant->opened_at);
  g_autofree char *closed = grant->closed_at > 0 ? format_time (grant->closed_at) : NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *label = NULL;

  if (grant->ward != NULL)
    /* Translators: "clara opened S-3F2A (Ward 7)" */
    title = g_strdup_printf (_("%s opened %s (%s)"), grant->user, grant->patient, grant->ward);
  else
    title = g_strdup_printf (_("%s opened %s"), grant->user, grant->patient);
  if (closed != NULL)
    /* Translators: the reason, when the grant was opened and closed */
    subtitle = g_strdup_printf (_("“%s” · opened %s · closed %s"), grant->reason, opened, closed);
  else
    subtitle = g_strdup_printf (_("“%s” · opened %s · still open"), grant->reason, opened);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "dialog-warning-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "audit.review");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                          g_variant_new_int64 (grant->id));
  label = g_strdup_printf (_("Review the emergency access of %s"), grant->user);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
show_grants (TwAuditPage *self)
{
  GtkWidget *child;
  g_autofree char *title = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->review_list))) != NULL)
    gtk_list_box_remove (self->review_list, child);

  for (guint i = 0; i < self->grants->len; i++)
    gtk_list_box_append (self->review_list, grant_row_new (g_ptr_array_index (self->grants, i)));

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Emergency Access to Review (%u)",
                                        "Emergency Access to Review (%u)", self->grants->len),
                           self->grants->len);
  adw_preferences_group_set_title (self->review_group, title);
  gtk_widget_set_visible (GTK_WIDGET (self->review_group), self->grants->len > 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_GRANTS]);
}

/* Keeps the chosen user when the list of users changes. */
static void
update_users (TwAuditPage        *self,
              const char * const *users)
{
  guint selected = gtk_drop_down_get_selected (self->user_dropdown);
  g_autofree char *chosen = selected != GTK_INVALID_LIST_POSITION && selected > 0
                            ? g_strdup (gtk_string_list_get_string (self->users_model, selected))
                            : NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->users_model));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  guint position = 0;

  g_strv_builder_add (builder, _("All Users"));
  g_strv_builder_add (builder, "system");
  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    g_strv_builder_add (builder, users[i]);
  names = g_strv_builder_end (builder);

  self->updating_filters = TRUE;
  gtk_string_list_splice (self->users_model, 0, n, (const char * const *) names);
  for (guint i = 1; chosen != NULL && names[i] != NULL; i++)
    if (g_str_equal (names[i], chosen))
      position = i;
  gtk_drop_down_set_selected (self->user_dropdown, position);
  self->updating_filters = FALSE;
}

/* Loading */

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TwAuditPage *self = TW_AUDIT_PAGE (object);
  TwAuditLoad *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  self->tasks_in_flight--;

  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the audit trail: %s"),
                                                  error->message);

      add_toast (self, message);
      return;
    }
  if (load->serial != self->load_serial)
    return;

  if (load->verified)
    show_verify (self, &load->report);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->grants, g_ptr_array_unref);
  self->rows = g_steal_pointer (&load->rows);
  self->grants = g_steal_pointer (&load->grants);
  update_users (self, (const char * const *) load->users);
  show_rows (self);
  show_grants (self);
}

void
tw_audit_page_reload (TwAuditPage *self,
                      gboolean     verify)
{
  g_autoptr(GTask) task = NULL;
  TwAuditLoad *load;

  g_return_if_fail (TW_IS_AUDIT_PAGE (self));

  if (self->reader == NULL)
    return;

  load = tw_audit_load_new (self->reader, ++self->load_serial);
  load->verify = verify;
  load->limit = ROW_LIMIT;
  read_filter (self, &load->filter);
  self->tasks_in_flight++;

  if (verify)
    {
      gtk_image_set_from_icon_name (self->verify_icon, "content-loading-symbolic");
      gtk_label_set_text (self->verify_title, _("Checking the Audit Trail…"));
    }

  task = g_task_new (self, self->cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, tw_audit_page_reload);
  g_task_set_task_data (task, load, tw_audit_load_free);
  g_task_run_in_thread (task, tw_audit_load_run);
}

static void
on_filter_changed (TwAuditPage *self)
{
  if (!self->updating_filters)
    tw_audit_page_reload (self, FALSE);
}

/* Export */

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TwAuditPage *self = TW_AUDIT_PAGE (object);
  TwAuditExport *export = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  self->tasks_in_flight--;
  name = g_file_get_basename (export->file);
  if (error != NULL)
    message = g_strdup_printf (_("Could not export to ‘%s’: %s"), name, error->message);
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %u entry to ‘%s’",
                                            "Exported %u entries to ‘%s’", export->n_rows),
                               export->n_rows, name);
  add_toast (self, message);
  g_signal_emit (self, signals[EXPORTED], 0, error == NULL);

  /* The export is an entry of its own. */
  tw_audit_page_reload (self, FALSE);
}

/**
 * tw_audit_page_export_to_file:
 * @self: the page
 * @file: where the CSV goes (replaced, readable by the owner only)
 *
 * Exports every entry matching the filters shown, not only the newest
 * that fit on the page.
 */
void
tw_audit_page_export_to_file (TwAuditPage *self,
                              GFile       *file)
{
  g_autoptr(GTask) task = NULL;
  TwAuditExport *export;

  g_return_if_fail (TW_IS_AUDIT_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->reader == NULL)
    return;

  export = tw_audit_export_new (self->reader, self->me, file);
  read_filter (self, &export->filter);
  self->tasks_in_flight++;

  task = g_task_new (self, self->cancellable, export_done_cb, NULL);
  g_task_set_source_tag (task, tw_audit_page_export_to_file);
  g_task_set_task_data (task, export, tw_audit_export_free);
  g_task_run_in_thread (task, tw_audit_export_run);
}

static void
on_chooser_response (TwAuditPage    *self,
                     int             response,
                     GtkNativeDialog *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);

  if (file != NULL)
    tw_audit_page_export_to_file (self, file);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TwAuditPage *self = TW_AUDIT_PAGE (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "tidewatch-audit-%Y%m%d-%H%M.csv");
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  self->chooser = gtk_file_chooser_native_new (_("Export the Audit Trail"), parent_window (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                               _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_file_filter_set_name (filter, _("CSV Files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Review */

static void
review_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TwAuditPage *self = TW_AUDIT_PAGE (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  self->tasks_in_flight--;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not mark it reviewed: %s"),
                                                  error->message);

      add_toast (self, message);
    }
  else
    {
      add_toast (self, _("Marked reviewed"));
    }
  tw_audit_page_reload (self, FALSE);
}

static void
on_review_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  TwAuditPage *self = TW_AUDIT_PAGE (user_data);
  GtkEditable *note = g_object_get_data (G_OBJECT (dialog), "note");
  gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "grant-id");
  g_autoptr(GTask) task = NULL;

  if (!g_str_equal (response, "review") || self->reader == NULL)
    return;

  self->tasks_in_flight++;
  task = g_task_new (self, self->cancellable, review_done_cb, NULL);
  g_task_set_source_tag (task, on_review_response);
  g_task_set_task_data (task,
                        tw_break_glass_review_new (self->reader, id, gtk_editable_get_text (note)),
                        tw_break_glass_review_free);
  g_task_run_in_thread (task, tw_break_glass_review_run);
}

static const TwBreakGlassRow *
find_grant (TwAuditPage *self,
            gint64       id)
{
  for (guint i = 0; self->grants != NULL && i < self->grants->len; i++)
    {
      const TwBreakGlassRow *grant = g_ptr_array_index (self->grants, i);

      if (grant->id == id)
        return grant;
    }

  return NULL;
}

static void
review_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TwAuditPage *self = TW_AUDIT_PAGE (widget);
  const TwBreakGlassRow *grant = find_grant (self, g_variant_get_int64 (parameter));
  GtkWidget *dialog, *entry;

  if (grant == NULL)
    return;

  dialog = adw_message_dialog_new (parent_window (self), _("Review Emergency Access"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s opened %s outside their wards, giving the reason “%s”. "
                                    "Mark it reviewed once you have checked it; a note is kept "
                                    "with the review in the audit trail."),
                                  grant->user, grant->patient, grant->reason);
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Note (optional)"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Review note"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "review", _("_Mark Reviewed"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "review",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "review");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "note", entry);
  g_object_set_data_full (G_OBJECT (dialog), "grant-id", g_memdup2 (&grant->id, sizeof grant->id),
                          g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_review_response), self, 0);

  if (self->dialog != NULL)
    {
      GtkWindow *old = self->dialog;

      g_object_remove_weak_pointer (G_OBJECT (old), (gpointer *) &self->dialog);
      self->dialog = NULL;
      gtk_window_destroy (old);
    }
  self->dialog = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
verify_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  tw_audit_page_reload (TW_AUDIT_PAGE (widget), TRUE);
}

static void
set_actions_enabled (TwAuditPage *self,
                     gboolean     enabled)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.export", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.verify", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.review", enabled);
}

/* GObject */

static void
tw_audit_page_dispose (GObject *object)
{
  TwAuditPage *self = (TwAuditPage *)object;

  tw_audit_page_stop (self);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
  g_clear_object (&self->users_model);

  G_OBJECT_CLASS (tw_audit_page_parent_class)->dispose (object);
}

static void
tw_audit_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TwAuditPage *self = TW_AUDIT_PAGE (object);

  switch (prop_id)
    {
    case PROP_N_GRANTS:
      g_value_set_uint (value, self->grants != NULL ? self->grants->len : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_audit_page_class_init (TwAuditPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_audit_page_dispose;
  object_class->get_property = tw_audit_page_get_property;

  /**
   * TwAuditPage:n-grants:
   *
   * How many emergency accesses wait for review.
   */
  properties[PROP_N_GRANTS] =
    g_param_spec_uint ("n-grants", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TwAuditPage::exported:
   * @ok: whether the file was written
   */
  signals[EXPORTED] = g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-audit-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, verify_box);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, verify_icon);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, verify_title);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, verify_body);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, review_group);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, review_list);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, user_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, action_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, time_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, rows_stack);
  gtk_widget_class_bind_template_child (widget_class, TwAuditPage, audit_list);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);

  gtk_widget_class_install_action (widget_class, "audit.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "audit.verify", NULL, verify_action);
  gtk_widget_class_install_action (widget_class, "audit.review", "x", review_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "audit.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "audit.verify", NULL);
}

static void
tw_audit_page_init (TwAuditPage *self)
{
  g_autoptr(GtkStringList) actions = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) times = gtk_string_list_new (NULL);
  const char * const *known = tw_audit_known_actions ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
  self->updating_filters = TRUE;
  self->users_model = gtk_string_list_new (NULL);
  gtk_string_list_append (self->users_model, _("All Users"));
  gtk_drop_down_set_model (self->user_dropdown, G_LIST_MODEL (self->users_model));

  gtk_string_list_append (actions, _("All Actions"));
  for (guint i = 0; known[i] != NULL; i++)
    gtk_string_list_append (actions, tw_audit_action_label (known[i]));
  gtk_drop_down_set_model (self->action_dropdown, G_LIST_MODEL (actions));

  for (guint i = 0; i < G_N_ELEMENTS (time_choices); i++)
    gtk_string_list_append (times, _(time_choices[i].label));
  gtk_drop_down_set_model (self->time_dropdown, G_LIST_MODEL (times));
  self->updating_filters = FALSE;

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  set_actions_enabled (self, FALSE);
}

/**
 * tw_audit_page_start:
 * @self: the page
 * @session: the signed-in session; the page keeps a reader with its own
 *   copy of the key, and works only for roles that may read the audit
 */
void
tw_audit_page_start (TwAuditPage *self,
                     TwSession   *session)
{
  g_return_if_fail (TW_IS_AUDIT_PAGE (self));
  g_return_if_fail (session != NULL);

  tw_audit_page_stop (self);

  if (!tw_session_can (session, TW_PERM_READ_AUDIT))
    return;

  self->reader = tw_reader_new (session);
  self->cancellable = g_cancellable_new ();
  self->me = g_strdup (tw_session_get_user (session));
  set_actions_enabled (self, TRUE);
  /* The list and the grants to review now (the tab shows how many); the
   * chain check, which reads every row, when the page is shown. */
  tw_audit_page_reload (self, FALSE);
}

void
tw_audit_page_stop (TwAuditPage *self)
{
  g_return_if_fail (TW_IS_AUDIT_PAGE (self));

  if (self->toasts != NULL)
    tw_toasts_dismiss_all (self->toasts);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, tw_reader_unref);
  g_clear_pointer (&self->me, g_free);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->grants, g_ptr_array_unref);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  self->tasks_in_flight = 0;
  self->intact = FALSE;

  if (self->audit_list != NULL)
    {
      GtkWidget *child;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->audit_list))) != NULL)
        gtk_list_box_remove (self->audit_list, child);
      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->review_list))) != NULL)
        gtk_list_box_remove (self->review_list, child);
      gtk_widget_set_visible (GTK_WIDGET (self->review_group), FALSE);
      gtk_label_set_text (self->count_label, "");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_GRANTS]);
      set_actions_enabled (self, FALSE);
    }
}

/* For the tests and the admin page: filters by one action, as picking it
 * in the drop-down does. */
void
tw_audit_page_select_action (TwAuditPage *self,
                             const char  *action)
{
  const char * const *known = tw_audit_known_actions ();

  g_return_if_fail (TW_IS_AUDIT_PAGE (self));

  for (guint i = 0; known[i] != NULL; i++)
    if (g_strcmp0 (known[i], action) == 0)
      {
        gtk_drop_down_set_selected (self->action_dropdown, i + 1);
        return;
      }

  gtk_drop_down_set_selected (self->action_dropdown, 0);
}

gboolean
tw_audit_page_get_busy (TwAuditPage *self)
{
  g_return_val_if_fail (TW_IS_AUDIT_PAGE (self), FALSE);

  return self->tasks_in_flight > 0 || self->rows == NULL;
}

GPtrArray *
tw_audit_page_get_rows (TwAuditPage *self)
{
  g_return_val_if_fail (TW_IS_AUDIT_PAGE (self), NULL);

  return self->rows;
}

GPtrArray *
tw_audit_page_get_grants (TwAuditPage *self)
{
  g_return_val_if_fail (TW_IS_AUDIT_PAGE (self), NULL);

  return self->grants;
}

gboolean
tw_audit_page_get_intact (TwAuditPage *self)
{
  g_return_val_if_fail (TW_IS_AUDIT_PAGE (self), FALSE);

  return self->intact;
}

GtkWindow *
tw_audit_page_get_dialog (TwAuditPage *self)
{
  g_return_val_if_fail (TW_IS_AUDIT_PAGE (self), NULL);

  return self->dialog;
}
