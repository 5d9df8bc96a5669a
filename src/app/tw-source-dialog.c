#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "tw-admin-format.h"
#include "tw-source-dialog.h"
#include "tw-source-probe.h"
#include "tw-source.h"

/*
 * TwSourceDialog: adds or edits one data source. The address is checked
 * with the same function the pipeline uses before ::save is emitted, and
 * errors show inline. Broker credentials have their own fields and are
 * folded into the address only when saving: the address field never shows
 * a password, and a saved password is kept unless a new one is typed. The
 * page saves (SQL runs in its worker) and reports back with save_done().
 * "Test" runs a short trial connection in a worker thread.
 */

#define PROBE_TIMEOUT_MS 5000
/* RFC 3986 user info without ':', which separates the user from the
 * password: escaped in both, so no reader can split them differently. */
#define USER_RESERVED_CHARS "!$&'()*+,;="

struct _TwSourceDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  GtkButton            *save_button;
  GtkStack             *save_stack;
  GtkLabel             *save_label;
  GtkSpinner           *save_spinner;
  AdwEntryRow          *name_row;
  AdwEntryRow          *url_row;
  AdwPreferencesGroup  *credentials_group;
  AdwEntryRow          *user_row;
  AdwEntryRow          *password_row;
  GtkLabel             *error_label;
  AdwActionRow         *test_row;
  GtkSpinner           *test_spinner;
  GtkLabel             *test_result_label;

  /* Owned */
  gint64                source_id;
  char                 *original_name;
  char                 *saved_password;    /* as stored (URI-escaped); wiped on dispose */
  GStrv                 taken_names;
  GCancellable         *probe_cancellable;
  gboolean              had_credentials;
  gboolean              busy;
};

G_DEFINE_FINAL_TYPE (TwSourceDialog, tw_source_dialog, ADW_TYPE_WINDOW)

enum {
  SAVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
wipe_string (char **text)
{
  if (*text == NULL)
    return;

  sodium_memzero (*text, strlen (*text));
  g_clear_pointer (text, g_free);
}

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static char *
trimmed_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (row_text (row)));
}

static gboolean
is_broker_url (const char *url)
{
  return g_ascii_strncasecmp (url, "mqtt://", strlen ("mqtt://")) == 0
         || g_ascii_strncasecmp (url, "mqtts://", strlen ("mqtts://")) == 0;
}

static void
show_error (TwSourceDialog *self,
            const char     *message,
            AdwEntryRow    *row)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->url_row), "error");

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (row != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
}

static void
update_sensitivity (TwSourceDialog *self)
{
  g_autofree char *name = trimmed_text (self->name_row);
  g_autofree char *url = trimmed_text (self->url_row);
  gboolean probing = self->probe_cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "source.save",
                                 !self->busy && name[0] != '\0' && url[0] != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "source.test",
                                 !self->busy && !probing && url[0] != '\0');
}

static void
on_changed (TwSourceDialog *self)
{
  g_autofree char *url = trimmed_text (self->url_row);

  gtk_widget_set_visible (GTK_WIDGET (self->credentials_group),
                          self->had_credentials || is_broker_url (url));
  adw_preferences_group_set_title (self->credentials_group,
                                   is_broker_url (url) ? _("Broker Sign-In") : _("Sign-In"));
  if (gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    show_error (self, NULL, NULL);
  update_sensitivity (self);
}

/* The address to store: the typed one, with the credentials folded in. */
static char *
compose_url (TwSourceDialog *self)
{
  g_autofree char *url = trimmed_text (self->url_row);
  g_autofree char *user = trimmed_text (self->user_row);
  const char *password = row_text (self->password_row);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GUri) built = NULL;
  g_autofree char *user_escaped = NULL;
  g_autofree char *password_escaped = NULL;

  if (!gtk_widget_get_visible (GTK_WIDGET (self->credentials_group)) || user[0] == '\0')
    return g_steal_pointer (&url);

  /* An address that does not parse is left for the check to explain. */
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED | G_URI_FLAGS_HAS_PASSWORD, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_steal_pointer (&url);

  user_escaped = g_uri_escape_string (user, USER_RESERVED_CHARS, FALSE);
  /* The saved password goes back exactly as it was stored. */
  if (password[0] != '\0')
    password_escaped = g_uri_escape_string (password, USER_RESERVED_CHARS, FALSE);
  else if (self->saved_password != NULL)
    password_escaped = g_strdup (self->saved_password);
  built = g_uri_build_with_user (G_URI_FLAGS_ENCODED | G_URI_FLAGS_HAS_PASSWORD,
                                 g_uri_get_scheme (uri), user_escaped, password_escaped, NULL,
                                 g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                                 g_uri_get_query (uri), g_uri_get_fragment (uri));
  wipe_string (&password_escaped);

  return g_uri_to_string (built);
}

/* Shows @url without its user info, which goes to the credential fields. */
static void
split_url (TwSourceDialog *self,
           const char     *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED | G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autoptr(GUri) bare = NULL;
  g_autofree char *bare_text = NULL;
  g_autofree char *user = NULL;

  if (uri == NULL || g_uri_get_user (uri) == NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);
      return;
    }

  bare = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                      g_uri_get_port (uri), g_uri_get_path (uri), g_uri_get_query (uri),
                      g_uri_get_fragment (uri));
  bare_text = g_uri_to_string (bare);
  user = g_uri_unescape_string (g_uri_get_user (uri), NULL);
  if (g_uri_get_password (uri) != NULL)
    self->saved_password = g_strdup (g_uri_get_password (uri));

  self->had_credentials = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), bare_text);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user != NULL ? user : "");
  if (self->saved_password != NULL)
    adw_preferences_group_set_description (self->credentials_group,
                                           _("Kept in the encrypted store, never in settings "
                                             "files. Leave the password empty to keep the "
                                             "saved one."));
}

static gboolean
name_is_taken (TwSourceDialog *self,
               const char     *name)
{
  if (self->taken_names == NULL || g_strcmp0 (name, self->original_name) == 0)
    return FALSE;

  return g_strv_contains ((const char * const *) self->taken_names, name);
}

/* Returns the address to save or probe, or NULL with the error shown. */
static char *
validated_url (TwSourceDialog *self)
{
  g_autoptr(GError) error = NULL;
  char *url = compose_url (self);

  if (!tw_source_check_url (url, &error))
    {
      g_autofree char *shown = tw_redact_message (error->message, url);

      wipe_string (&url);
      show_error (self, shown, self->url_row);
      gtk_widget_grab_focus (GTK_WIDGET (self->url_row));
      return NULL;
    }

  return url;
}

static void
set_busy (TwSourceDialog *self,
          gboolean        busy)
{
  self->busy = busy;
  gtk_stack_set_visible_child_name (self->save_stack, busy ? "busy" : "label");
  gtk_spinner_set_spinning (self->save_spinner, busy);
  /* The fields stay sensitive: disabling the focused one leaves GTK 4.8's
   * cursor blinking without a focus-out (a warning). Saving is short, and
   * the action is off until it is done. */
  update_sensitivity (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwSourceDialog *self = TW_SOURCE_DIALOG (widget);
  g_autofree char *name = trimmed_text (self->name_row);
  g_autofree char *message = NULL;
  char *url;

  if (self->busy)
    return;

  if (name[0] == '\0')
    {
      show_error (self, _("Give the source a name."), self->name_row);
      return;
    }
  if (name_is_taken (self, name))
    {
      message = g_strdup_printf (_("Another source is already named ‘%s’."), name);
      show_error (self, message, self->name_row);
      return;
    }

  url = validated_url (self);
  if (url == NULL)
    return;

  show_error (self, NULL, NULL);
  set_busy (self, TRUE);
  g_signal_emit (self, signals[SAVE], 0, self->source_id, name, url);
  wipe_string (&url);
}

static void
on_entry_activated (TwSourceDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "source.save", NULL);
}

/* Test */

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  const char *url = task_data;
  g_autoptr(GError) error = NULL;
  TwProbeResult *result = tw_source_probe (url, PROBE_TIMEOUT_MS, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, (GDestroyNotify) tw_probe_result_free);
}

static void
wipe_url (gpointer data)
{
  char *url = data;

  wipe_string (&url);
}

static void
set_result_look (TwSourceDialog *self,
                 const char     *look)
{
  static const char *looks[] = { "success", "warning", "error" };

  for (guint i = 0; i < G_N_ELEMENTS (looks); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->test_result_label), looks[i]);
  if (look != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->test_result_label), look);
}

static void
probe_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TwSourceDialog *self = TW_SOURCE_DIALOG (object);
  g_autoptr(TwProbeResult) probe = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *described = NULL;
  g_autofree char *text = NULL;
  const char *look;

  probe = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_task_get_cancellable (G_TASK (result)) != self->probe_cancellable)
    return;

  g_clear_object (&self->probe_cancellable);
  gtk_spinner_set_spinning (self->test_spinner, FALSE);
  update_sensitivity (self);

  if (probe != NULL)
    described = tw_probe_result_describe (probe);
  text = tw_redact_message (probe != NULL ? described : error->message,
                            g_task_get_task_data (G_TASK (result)));
  /* Green when everything decoded, amber when some would be quarantined,
   * red when nothing answered. */
  if (probe == NULL || !probe->reachable)
    look = "error";
  else if (probe->rejected > 0 || probe->messages == 0)
    look = "warning";
  else
    look = "success";

  gtk_label_set_text (self->test_result_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->test_result_label), TRUE);
  set_result_look (self, look);
}

static void
test_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwSourceDialog *self = TW_SOURCE_DIALOG (widget);
  g_autoptr(GTask) task = NULL;
  char *url;

  if (self->probe_cancellable != NULL)
    return;

  url = validated_url (self);
  if (url == NULL)
    return;

  self->probe_cancellable = g_cancellable_new ();
  gtk_spinner_set_spinning (self->test_spinner, TRUE);
  gtk_label_set_text (self->test_result_label, _("Testing…"));
  set_result_look (self, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->test_result_label), TRUE);
  update_sensitivity (self);

  task = g_task_new (self, self->probe_cancellable, probe_done_cb, NULL);
  g_task_set_source_tag (task, test_action);
  g_task_set_task_data (task, url, wipe_url);
  g_task_run_in_thread (task, probe_thread);
}

/* GObject */

static void
tw_source_dialog_dispose (GObject *object)
{
  TwSourceDialog *self = (TwSourceDialog *)object;

  if (self->probe_cancellable != NULL)
    g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  wipe_string (&self->saved_password);

  G_OBJECT_CLASS (tw_source_dialog_parent_class)->dispose (object);
}

static void
tw_source_dialog_finalize (GObject *object)
{
  TwSourceDialog *self = (TwSourceDialog *)object;

  g_clear_pointer (&self->original_name, g_free);
  g_clear_pointer (&self->taken_names, g_strfreev);

  G_OBJECT_CLASS (tw_source_dialog_parent_class)->finalize (object);
}

static void
tw_source_dialog_class_init (TwSourceDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_source_dialog_dispose;
  object_class->finalize = tw_source_dialog_finalize;

  /**
   * TwSourceDialog::save:
   * @source_id: the source to change, or 0 to add one
   * @name: its name
   * @url: the checked address, with credentials (never show it)
   *
   * Answer with tw_source_dialog_save_done().
   */
  signals[SAVE] = g_signal_new ("save", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 3,
                                G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-source-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, save_stack);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, save_label);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, save_spinner);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, credentials_group);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, user_row);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, test_row);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, TwSourceDialog, test_result_label);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "source.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "source.test", NULL, test_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tw_source_dialog_init (TwSourceDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * tw_source_dialog_new:
 * @parent: the window to stay on top of
 * @source_id: the source to edit, or 0 to add one
 * @name: (nullable): its name
 * @url: (nullable): its full address; credentials go to their own fields
 * @taken_names: (nullable): names the other sources use
 *
 * Returns: (transfer none): a new dialog, not yet presented
 */
TwSourceDialog *
tw_source_dialog_new (GtkWindow          *parent,
                      gint64              source_id,
                      const char         *name,
                      const char         *url,
                      const char * const *taken_names)
{
  TwSourceDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (TW_TYPE_SOURCE_DIALOG, "transient-for", parent, NULL);
  self->source_id = source_id;
  self->original_name = g_strdup (name);
  self->taken_names = g_strdupv ((char **) taken_names);

  if (source_id != 0)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Edit Source"));
      gtk_label_set_text_with_mnemonic (self->save_label, _("_Save"));
    }
  if (name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  if (url != NULL)
    split_url (self, url);

  on_changed (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));

  return self;
}

gint64
tw_source_dialog_get_source_id (TwSourceDialog *self)
{
  g_return_val_if_fail (TW_IS_SOURCE_DIALOG (self), 0);

  return self->source_id;
}

/**
 * tw_source_dialog_save_done:
 * @self: the dialog
 * @error: (nullable): why saving failed, or %NULL to close the dialog
 */
void
tw_source_dialog_save_done (TwSourceDialog *self,
                            const GError   *error)
{
  g_return_if_fail (TW_IS_SOURCE_DIALOG (self));

  set_busy (self, FALSE);
  if (error == NULL)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  show_error (self, error->message, NULL);
}

/**
 * tw_source_dialog_get_error:
 *
 * Returns: (nullable): the error shown inline
 */
const char *
tw_source_dialog_get_error (TwSourceDialog *self)
{
  g_return_val_if_fail (TW_IS_SOURCE_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

/**
 * tw_source_dialog_get_test_result:
 *
 * Returns: (nullable): what the last test found, once it has finished
 */
const char *
tw_source_dialog_get_test_result (TwSourceDialog *self)
{
  g_return_val_if_fail (TW_IS_SOURCE_DIALOG (self), NULL);

  if (self->probe_cancellable != NULL
      || !gtk_widget_get_visible (GTK_WIDGET (self->test_result_label)))
    return NULL;
  return gtk_label_get_text (self->test_result_label);
}

gboolean
tw_source_dialog_get_testing (TwSourceDialog *self)
{
  g_return_val_if_fail (TW_IS_SOURCE_DIALOG (self), FALSE);

  return self->probe_cancellable != NULL;
}
