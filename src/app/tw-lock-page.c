#include "config.h"

#include <glib/gi18n.h>

#include "tw-alert-item.h"
#include "tw-lock-page.h"
#include "tw-pipeline.h"
#include "tw-time.h"

/*
 * TwLockPage: what a locked window shows. Monitoring goes on behind it
 * (the pipeline seals what arrives into the spool, rules keep running),
 * so the page lists the beds with open alerts — bed, priority, count,
 * never a name — and how many batches wait encrypted for the unlock.
 * It emits ::unlock with the password (the window runs Argon2id in a
 * worker) and ::switch-user for another user at the same workstation.
 */

struct _TwLockPage
{
  AdwBin         parent_instance;

  /* Template widgets */
  AdwStatusPage *status_page;
  AdwPreferencesGroup *alerts_group;
  GtkListBox    *alerts_list;
  GtkLabel      *spool_label;
  AdwEntryRow   *password_row;
  GtkLabel      *error_label;
  GtkButton     *unlock_button;
  GtkButton     *switch_button;
  GtkStack      *button_stack;
  GtkSpinner    *spinner;

  /* Owned */
  char          *shown_alerts;    /* the rows' text, to rebuild only on change */
  guint          n_beds;
  guint64        spooled;
  gboolean       busy;
  gboolean       ready;
};

G_DEFINE_FINAL_TYPE (TwLockPage, tw_lock_page, ADW_TYPE_BIN)

enum {
  UNLOCK,
  SWITCH_USER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
password_text (TwLockPage *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->password_row));
}

static void
update_actions (TwLockPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lock.unlock",
                                 self->ready && !self->busy && password_text (self)[0] != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lock.switch-user",
                                 self->ready && !self->busy);
}

static void
on_password_changed (TwLockPage *self)
{
  /* The error stays until the user types again, so it can be read. */
  if (password_text (self)[0] != '\0')
    gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");

  update_actions (self);
}

static void
on_password_activated (TwLockPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "lock.unlock", NULL);
}

static void
unlock_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TwLockPage *self = TW_LOCK_PAGE (widget);

  if (!self->ready || self->busy || password_text (self)[0] == '\0')
    return;

  g_signal_emit (self, signals[UNLOCK], 0, password_text (self));
}

static void
switch_user_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TwLockPage *self = TW_LOCK_PAGE (widget);

  if (!self->ready || self->busy)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  g_signal_emit (self, signals[SWITCH_USER], 0);
}

/* Alerts */

static GtkWidget *
make_alert_row (const TwLockedAlert *alert)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *pill = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  g_autofree char *subtitle = NULL;
  g_autofree char *accessible = NULL;
  const char *state;

  state = alert->unacknowledged ? _("not acknowledged") : _("acknowledged");
  /* Translators: "2 open alerts, not acknowledged" */
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u open alert, %s",
                                           "%u open alerts, %s", alert->count),
                              alert->count, state);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), alert->bed);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (pill, "alert-priority");
  gtk_widget_add_css_class (pill, tw_alert_priority_css_class (alert->priority));
  gtk_box_append (GTK_BOX (pill), gtk_image_new_from_icon_name (tw_alert_priority_icon (alert->priority)));
  gtk_box_append (GTK_BOX (pill), gtk_label_new (tw_alert_priority_label (alert->priority)));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), pill);

  /* Translators: "Bed 4: High priority, 2 open alerts, not acknowledged" */
  accessible = g_strdup_printf (_("%s: %s priority, %s"), alert->bed,
                                tw_alert_priority_label (alert->priority), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  g_object_set_data_full (G_OBJECT (row), "tw-text", g_steal_pointer (&accessible), g_free);
  return row;
}

static char *
describe_alerts (GPtrArray *alerts)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; alerts != NULL && i < alerts->len; i++)
    {
      const TwLockedAlert *alert = g_ptr_array_index (alerts, i);

      g_string_append_printf (text, "%s\t%s\t%u\t%d\n", alert->bed,
                              tw_alert_priority_label (alert->priority), alert->count,
                              alert->unacknowledged);
    }

  return g_string_free (text, FALSE);
}

static void
clear_rows (TwLockPage *self)
{
  GtkWidget *row;

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->alerts_list))) != NULL)
    gtk_list_box_remove (self->alerts_list, row);
}

static void
set_alerts (TwLockPage *self,
            GPtrArray  *alerts,
            gboolean    monitoring)
{
  g_autofree char *text = describe_alerts (alerts);

  if (g_strcmp0 (text, self->shown_alerts) == 0 && self->n_beds == (alerts != NULL ? alerts->len : 0))
    return;

  g_free (self->shown_alerts);
  self->shown_alerts = g_steal_pointer (&text);
  self->n_beds = alerts != NULL ? alerts->len : 0;

  clear_rows (self);
  for (guint i = 0; i < self->n_beds; i++)
    gtk_list_box_append (self->alerts_list, make_alert_row (g_ptr_array_index (alerts, i)));

  gtk_list_box_set_placeholder (self->alerts_list, NULL);
  if (self->n_beds == 0)
    {
      GtkWidget *placeholder = gtk_label_new (monitoring ? _("No open alerts")
                                                         : _("No live data source is running"));

      gtk_widget_add_css_class (placeholder, "dim-label");
      gtk_widget_set_margin_top (placeholder, 18);
      gtk_widget_set_margin_bottom (placeholder, 18);
      gtk_list_box_set_placeholder (self->alerts_list, placeholder);
    }
}

/* GObject */

static void
tw_lock_page_finalize (GObject *object)
{
  TwLockPage *self = (TwLockPage *)object;

  g_clear_pointer (&self->shown_alerts, g_free);

  G_OBJECT_CLASS (tw_lock_page_parent_class)->finalize (object);
}

static void
tw_lock_page_class_init (TwLockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tw_lock_page_finalize;

  /**
   * TwLockPage::unlock:
   * @self: the page
   * @password: the password typed
   */
  signals[UNLOCK] =
    g_signal_new ("unlock",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * TwLockPage::switch-user:
   * @self: the page
   *
   * Another user wants to sign in; monitoring goes on meanwhile.
   */
  signals[SWITCH_USER] =
    g_signal_new ("switch-user",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-lock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwLockPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, TwLockPage, alerts_group);
  gtk_widget_class_bind_template_child (widget_class, TwLockPage, alerts_list);
  gtk_widget_class_bind_template_child (widget_class, TwLockPage, spool_label);
  gtk_widget_class_bind_template_child (widget_class, TwLockPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, TwLockPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, TwLockPage, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, TwLockPage, switch_button);
  gtk_widget_class_bind_template_child (widget_class, TwLockPage, button_stack);
  gtk_widget_class_bind_template_child (widget_class, TwLockPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_password_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);

  gtk_widget_class_install_action (widget_class, "lock.unlock", NULL, unlock_action);
  gtk_widget_class_install_action (widget_class, "lock.switch-user", NULL, switch_user_action);
}

static void
tw_lock_page_init (TwLockPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  adw_preferences_group_set_description (self->alerts_group,
                                         _("Open alerts by bed. Names and details are hidden "
                                           "until you unlock."));
  set_alerts (self, NULL, TRUE);
  update_actions (self);
}

/**
 * tw_lock_page_start:
 * @self: the page
 * @user: who is signed in (and may unlock)
 * @role_label: their role, as shown ("Administrator")
 * @locked_at_us: when the window locked, wall µs
 *
 * Clears the password, the error and the alerts of an earlier lock.
 */
void
tw_lock_page_start (TwLockPage *self,
                    const char *user,
                    const char *role_label,
                    gint64      locked_at_us)
{
  g_autofree char *when = NULL;
  g_autofree char *description = NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (TW_IS_LOCK_PAGE (self));
  g_return_if_fail (user != NULL);

  when = tw_time_format_local (locked_at_us, "%H:%M");
  /* Translators: "Signed in: ana (Administrator) · locked at 14:05" */
  description = g_strdup_printf (_("Signed in: %s (%s) \u00b7 locked at %s"), user, role_label,
                                 when);
  adw_status_page_set_description (self->status_page, description);
  /* Translators: the password field on the lock screen, "Password for ana" */
  title = g_strdup_printf (_("Password for %s"), user);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), title);

  tw_lock_page_clear (self);
  g_clear_pointer (&self->shown_alerts, g_free);
  self->n_beds = G_MAXUINT;
  tw_lock_page_update (self, NULL, TRUE, 0);
}

/**
 * tw_lock_page_update:
 * @self: the page
 * @locked_alerts: (nullable) (element-type TwLockedAlert): beds with open
 *   alerts, from tw_pipeline_get_locked_alerts()
 * @monitoring: whether a pipeline is running at all
 * @spooled: batches sealed into the spool since the lock
 */
void
tw_lock_page_update (TwLockPage *self,
                     GPtrArray  *locked_alerts,
                     gboolean    monitoring,
                     guint64     spooled)
{
  g_autofree char *text = NULL;

  g_return_if_fail (TW_IS_LOCK_PAGE (self));

  set_alerts (self, locked_alerts, monitoring);

  self->spooled = spooled;
  if (!monitoring)
    text = g_strdup (_("Nothing is being received: no data source was running when the "
                       "window locked."));
  else if (spooled == 0)
    text = g_strdup (_("Data received while locked is kept encrypted and stored when you "
                       "unlock."));
  else
    /* Translators: batches of samples received while locked */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%" G_GUINT64_FORMAT " batch received while locked is "
                                         "kept encrypted until you unlock.",
                                         "%" G_GUINT64_FORMAT " batches received while locked "
                                         "are kept encrypted until you unlock.",
                                         spooled > G_MAXULONG ? G_MAXULONG : (gulong) spooled),
                            spooled);
  gtk_label_set_text (self->spool_label, text);
}

/* Not ready while the pipeline is still letting go of its key. */
void
tw_lock_page_set_ready (TwLockPage *self,
                        gboolean    ready)
{
  g_return_if_fail (TW_IS_LOCK_PAGE (self));

  self->ready = !!ready;
  update_actions (self);
}

void
tw_lock_page_set_busy (TwLockPage *self,
                       gboolean    busy)
{
  g_return_if_fail (TW_IS_LOCK_PAGE (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  /* Unfocus the entry before it turns insensitive (GTK 4.8 warns about a
   * lost focus-out otherwise), as the login page does. */
  if (busy && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    gtk_root_set_focus (gtk_widget_get_root (GTK_WIDGET (self)), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_stack_set_visible_child_name (self->button_stack, busy ? "busy" : "label");
  update_actions (self);
}

gboolean
tw_lock_page_get_busy (TwLockPage *self)
{
  g_return_val_if_fail (TW_IS_LOCK_PAGE (self), FALSE);

  return self->busy;
}

/**
 * tw_lock_page_show_error:
 * @self: the page
 * @message: the core's message (a wrong password, how long to wait)
 */
void
tw_lock_page_show_error (TwLockPage *self,
                         const char *message)
{
  g_return_if_fail (TW_IS_LOCK_PAGE (self));
  g_return_if_fail (message != NULL);

  tw_lock_page_set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_widget_add_css_class (GTK_WIDGET (self->password_row), "error");
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

const char *
tw_lock_page_get_error (TwLockPage *self)
{
  g_return_val_if_fail (TW_IS_LOCK_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

/* Forgets the password and the error. */
void
tw_lock_page_clear (TwLockPage *self)
{
  g_return_if_fail (TW_IS_LOCK_PAGE (self));

  tw_lock_page_set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");
  gtk_label_set_text (self->error_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

void
tw_lock_page_focus (TwLockPage *self)
{
  g_return_if_fail (TW_IS_LOCK_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

guint
tw_lock_page_get_n_beds (TwLockPage *self)
{
  g_return_val_if_fail (TW_IS_LOCK_PAGE (self), 0);

  return self->n_beds == G_MAXUINT ? 0 : self->n_beds;
}

/**
 * tw_lock_page_dup_text:
 * @self: the page
 *
 * Returns: (transfer full): every text the page shows, one per line
 *   (title, who, the alert rows, the spool line, the error)
 */
char *
tw_lock_page_dup_text (TwLockPage *self)
{
  GString *text;

  g_return_val_if_fail (TW_IS_LOCK_PAGE (self), NULL);

  text = g_string_new (NULL);
  g_string_append_printf (text, "%s\n%s\n", adw_status_page_get_title (self->status_page),
                          adw_status_page_get_description (self->status_page));
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->alerts_list));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      const char *row_text = g_object_get_data (G_OBJECT (row), "tw-text");

      if (row_text != NULL)
        g_string_append_printf (text, "%s\n", row_text);
    }
  g_string_append_printf (text, "%s\n", gtk_label_get_text (self->spool_label));
  if (tw_lock_page_get_error (self) != NULL)
    g_string_append_printf (text, "%s\n", tw_lock_page_get_error (self));

  return g_string_free (text, FALSE);
}

guint64
tw_lock_page_get_spooled (TwLockPage *self)
{
  g_return_val_if_fail (TW_IS_LOCK_PAGE (self), 0);

  return self->spooled;
}
