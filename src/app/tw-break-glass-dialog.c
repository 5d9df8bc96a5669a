#include "config.h"

#include <glib/gi18n.h>

#include "tw-break-glass-dialog.h"

/*
 * TwBreakGlassDialog: a clinician asks to open a patient outside their
 * wards. The patient (record number, bed or ID) and a reason of at least
 * ten characters are mandatory; Open stays disabled until both are there,
 * and the core refuses a short reason too. The dialog only asks: the
 * window opens the grant in a worker and answers with
 * tw_break_glass_dialog_open_done().
 */

struct _TwBreakGlassDialog
{
  AdwWindow        parent_instance;

  /* Template widgets */
  GtkButton       *open_button;
  GtkStack        *open_stack;
  GtkSpinner      *open_spinner;
  AdwPreferencesGroup *form_group;
  AdwEntryRow     *patient_row;
  AdwEntryRow     *reason_row;
  GtkLabel        *hint_label;
  GtkLabel        *error_label;

  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (TwBreakGlassDialog, tw_break_glass_dialog, ADW_TYPE_WINDOW)

enum {
  OPEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
stripped (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

gboolean
tw_break_glass_dialog_can_open (TwBreakGlassDialog *self)
{
  g_autofree char *patient = stripped (self->patient_row);
  g_autofree char *reason = stripped (self->reason_row);

  g_return_val_if_fail (TW_IS_BREAK_GLASS_DIALOG (self), FALSE);

  return !self->busy && patient[0] != '\0'
         && g_utf8_strlen (reason, -1) >= TW_BREAK_GLASS_MIN_REASON_CHARS;
}

static void
update (TwBreakGlassDialog *self)
{
  g_autofree char *reason = stripped (self->reason_row);
  glong n = g_utf8_strlen (reason, -1);
  g_autofree char *hint = NULL;

  if (n >= TW_BREAK_GLASS_MIN_REASON_CHARS)
    hint = g_strdup (_("Say why you need this patient now; the reason is shown to the "
                       "administrator who reviews it."));
  else
    hint = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "A reason is required: at least %d characters (%ld more).",
                                         "A reason is required: at least %d characters (%ld more).",
                                         TW_BREAK_GLASS_MIN_REASON_CHARS - n),
                            TW_BREAK_GLASS_MIN_REASON_CHARS, TW_BREAK_GLASS_MIN_REASON_CHARS - n);
  gtk_label_set_text (self->hint_label, hint);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "break-glass.open",
                                 tw_break_glass_dialog_can_open (self));
}

static void
on_changed (TwBreakGlassDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update (self);
}

static void
set_busy (TwBreakGlassDialog *self,
          gboolean            busy)
{
  /* The entries become insensitive: focus leaves them properly first, or
   * a focused entry keeps blinking its cursor and GTK warns. */
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  self->busy = busy;
  gtk_stack_set_visible_child_name (self->open_stack, busy ? "busy" : "label");
  gtk_spinner_set_spinning (self->open_spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->form_group), !busy);
  update (self);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwBreakGlassDialog *self = TW_BREAK_GLASS_DIALOG (widget);
  g_autofree char *patient = stripped (self->patient_row);
  g_autofree char *reason = stripped (self->reason_row);

  /* The action is disabled meanwhile; a key binding may still get here. */
  if (!tw_break_glass_dialog_can_open (self))
    {
      gtk_widget_grab_focus (GTK_WIDGET (patient[0] == '\0' ? self->patient_row
                                                             : self->reason_row));
      return;
    }

  set_busy (self, TRUE);
  g_signal_emit (self, signals[OPEN], 0, patient, reason);
}

static void
on_entry_activated (TwBreakGlassDialog *self,
                    AdwEntryRow        *row)
{
  if (tw_break_glass_dialog_can_open (self))
    gtk_widget_activate_action (GTK_WIDGET (self), "break-glass.open", NULL);
  else if (row == self->patient_row)
    gtk_widget_grab_focus (GTK_WIDGET (self->reason_row));
}

static gboolean
tw_break_glass_dialog_close_request (GtkWindow *window)
{
  gtk_window_set_focus (window, NULL);

  return GTK_WINDOW_CLASS (tw_break_glass_dialog_parent_class)->close_request (window);
}

static void
tw_break_glass_dialog_class_init (TwBreakGlassDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  window_class->close_request = tw_break_glass_dialog_close_request;

  /**
   * TwBreakGlassDialog::open:
   * @patient: what the clinician typed: a record number, bed or ID
   * @reason: why, at least %TW_BREAK_GLASS_MIN_REASON_CHARS characters
   */
  signals[OPEN] = g_signal_new ("open", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-break-glass-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TwBreakGlassDialog, open_button);
  gtk_widget_class_bind_template_child (widget_class, TwBreakGlassDialog, open_stack);
  gtk_widget_class_bind_template_child (widget_class, TwBreakGlassDialog, open_spinner);
  gtk_widget_class_bind_template_child (widget_class, TwBreakGlassDialog, form_group);
  gtk_widget_class_bind_template_child (widget_class, TwBreakGlassDialog, patient_row);
  gtk_widget_class_bind_template_child (widget_class, TwBreakGlassDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, TwBreakGlassDialog, hint_label);
  gtk_widget_class_bind_template_child (widget_class, TwBreakGlassDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "break-glass.open", NULL, open_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tw_break_glass_dialog_init (TwBreakGlassDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  update (self);
}

/**
 * tw_break_glass_dialog_new:
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer none): a new dialog, not shown yet
 */
TwBreakGlassDialog *
tw_break_glass_dialog_new (GtkWindow *parent)
{
  TwBreakGlassDialog *self = g_object_new (TW_TYPE_BREAK_GLASS_DIALOG,
                                           "transient-for", parent, NULL);

  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->patient_row));
  return self;
}

/**
 * tw_break_glass_dialog_open_done:
 * @self: the dialog
 * @error: (nullable): why the patient was not opened; %NULL closes it
 */
void
tw_break_glass_dialog_open_done (TwBreakGlassDialog *self,
                                 const GError       *error)
{
  g_return_if_fail (TW_IS_BREAK_GLASS_DIALOG (self));

  set_busy (self, FALSE);

  if (error == NULL)
    {
      /* Focus leaves the entry first: a window destroyed with a focused
       * entry makes GTK warn that no focus-out came. */
      gtk_window_set_focus (GTK_WINDOW (self), NULL);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->patient_row));
}

const char *
tw_break_glass_dialog_get_error (TwBreakGlassDialog *self)
{
  g_return_val_if_fail (TW_IS_BREAK_GLASS_DIALOG (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
         ? gtk_label_get_text (self->error_label) : NULL;
}
