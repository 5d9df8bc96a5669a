#include "config.h"

#include <glib/gi18n.h>

#include "tw-alert-filter.h"
#include "tw-alert-history.h"
#include "tw-alert-history-view.h"
#include "tw-alert-item.h"
#include "tw-alert-row.h"
#include "tw-alerts-page.h"
#include "tw-alerts-page-private.h"
#include "tw-alert-scope.h"
#include "tw-reader.h"
#include "tw-role.h"
#include "tw-time.h"

/*
 * TwAlertsPage: the alert console. It polls the pipeline's alert snapshot
 * (a copy made on the engine thread; polling never blocks) at most 10
 * times a second and does nothing unless its generation changed; then it
 * merges the snapshot into its list model in place, so only the rows of
 * alerts that changed are touched and the selection stays. Names of
 * entities and sources are read in a GTask worker on a TwReader connection
 * (masked by the store for the signed-in role), and so is the history.
 * Acknowledge, escalate and pause are queued to the engine thread by the
 * pipeline; the console shows their effect with the next snapshot.
 */


G_DEFINE_FINAL_TYPE (TwAlertsPage, tw_alerts_page, ADW_TYPE_BIN)

enum {
  ALERTS_CHANGED,
  OPEN_TREND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_actions (TwAlertsPage *self);

void
tw_alerts_page_emit_changed (TwAlertsPage *self)
{
  g_signal_emit (self, signals[ALERTS_CHANGED], 0, self->snapshot);
}

/* The list */

static TwAlertItem *
selected_item (TwAlertsPage *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->alert_list);

  return row != NULL ? tw_alert_row_get_item (TW_ALERT_ROW (row)) : NULL;
}

static GtkWidget *
create_alert_row (gpointer item,
                  gpointer user_data)
{
  return tw_alert_row_new (TW_ALERT_ITEM (item));
}

static gboolean
find_item (TwAlertsPage *self,
           guint64       id,
           guint         from,
           guint        *out_position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->alerts));

  for (guint i = from; i < n; i++)
    {
      g_autoptr(TwAlertItem) item = g_list_model_get_item (G_LIST_MODEL (self->alerts), i);

      if (tw_alert_item_get_id (item) == id)
        {
          *out_position = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* The snapshot is in console order. Items already in the right place are
 * updated (a row redraws only when what it shows changed); others move or
 * are inserted; alerts that closed are removed at the end. */
void
tw_alerts_page_merge_snapshot (TwAlertsPage *self)
{
  GPtrArray *alerts = self->snapshot != NULL ? self->snapshot->alerts : NULL;
  guint n_new = alerts != NULL ? alerts->len : 0;
  guint n_old;
  guint64 selected_id = tw_alerts_page_get_selected_id (self);
  gboolean list_had_focus = gtk_widget_has_focus (GTK_WIDGET (self->alert_list))
                            || gtk_widget_get_focus_child (GTK_WIDGET (self->alert_list)) != NULL;

  self->updating = TRUE;
  for (guint i = 0; i < n_new; i++)
    {
      const TwAlert *alert = g_ptr_array_index (alerts, i);
      const char *title = tw_alerts_page_entity_title (self, alert->entity_key);
      g_autoptr(TwAlertItem) current = NULL;
      guint position;

      if (i < g_list_model_get_n_items (G_LIST_MODEL (self->alerts)))
        current = g_list_model_get_item (G_LIST_MODEL (self->alerts), i);

      if (current != NULL && tw_alert_item_get_id (current) == alert->id)
        {
          tw_alert_item_update (current, alert, title);
        }
      else if (find_item (self, alert->id, i + 1, &position))
        {
          g_autoptr(TwAlertItem) moved = g_list_model_get_item (G_LIST_MODEL (self->alerts),
                                                                position);

          g_list_store_remove (self->alerts, position);
          tw_alert_item_update (moved, alert, title);
          g_list_store_insert (self->alerts, i, moved);
        }
      else
        {
          g_autoptr(TwAlertItem) item = tw_alert_item_new (alert, title);

          g_list_store_insert (self->alerts, i, item);
        }
    }

  n_old = g_list_model_get_n_items (G_LIST_MODEL (self->alerts));
  if (n_old > n_new)
    g_list_store_splice (self->alerts, n_new, n_old - n_new, NULL, 0);
  self->updating = FALSE;

  /* A state change can move an alert in or out of the state filter. */
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);

  if (selected_id != 0 && tw_alerts_page_get_selected_id (self) != selected_id)
    {
      tw_alerts_page_select_alert (self, selected_id);
      if (list_had_focus && gtk_list_box_get_selected_row (self->alert_list) != NULL)
        gtk_widget_grab_focus (GTK_WIDGET (gtk_list_box_get_selected_row (self->alert_list)));
    }
  if (gtk_list_box_get_selected_row (self->alert_list) == NULL)
    {
      GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->alert_list, 0);

      if (first != NULL)
        gtk_list_box_select_row (self->alert_list, first);
    }

  gtk_stack_set_visible_child_name (self->open_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0
                                    ? "list" : "empty");
  update_actions (self);
}

static void
on_filter_changed (TwAlertsPage *self)
{
  if (self->updating)
    return;

  gtk_stack_set_visible_child_name (self->open_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0
                                    ? "list" : "empty");
  update_actions (self);
}

static void
on_selection_changed (TwAlertsPage *self)
{
  if (!self->updating)
    update_actions (self);
}

/* Header: counts and audio */

static void
set_count (GtkWidget       *box,
           GtkLabel        *label,
           TwAlertPriority  priority,
           guint            count)
{
  g_autofree char *text = g_strdup_printf ("%s %u %s", tw_alert_priority_marker (priority), count,
                                           tw_alert_priority_label (priority));
  g_autofree char *accessible = NULL;

  if (g_strcmp0 (gtk_label_get_text (label), text) == 0)
    return;

  gtk_label_set_text (label, text);
  /* Translators: "2 open alerts of High priority" */
  accessible = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u open alert of %s priority",
                                             "%u open alerts of %s priority", count),
                                count, tw_alert_priority_label (priority));
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  gtk_widget_set_opacity (box, count > 0 ? 1.0 : 0.55);
}

static gboolean
audio_paused_now (const TwAlertSnapshot *snapshot)
{
  return snapshot != NULL && snapshot->audio_paused
         && (snapshot->audio_paused_until == 0 || tw_time_now () < snapshot->audio_paused_until);
}

static void
update_audio_label (TwAlertsPage *self)
{
  gboolean paused = audio_paused_now (self->snapshot);
  g_autofree char *text = NULL;

  if (!self->can_handle)
    text = g_strdup (_("View only: handling alerts needs an operator or clinician account"));
  else if (paused && self->snapshot->audio_paused_until > 0)
    {
      g_autofree char *until = tw_time_format_local (self->snapshot->audio_paused_until, "%X");

      text = g_strdup_printf (_("Alarm audio paused until %s"), until);
    }
  else if (paused)
    text = g_strdup (_("Alarm audio paused"));
  else
    text = g_strdup ("");

  self->audio_paused_shown = paused;
  if (g_strcmp0 (gtk_label_get_text (self->audio_label), text) != 0)
    gtk_label_set_text (self->audio_label, text);
}

static void
update_summary (TwAlertsPage *self)
{
  const guint *counts = self->snapshot != NULL ? self->snapshot->counts : NULL;
  guint high = counts != NULL ? counts[TW_ALERT_PRIORITY_HIGH] : 0;
  guint medium = counts != NULL ? counts[TW_ALERT_PRIORITY_MEDIUM] : 0;
  guint low = counts != NULL ? counts[TW_ALERT_PRIORITY_LOW] : 0;
  g_autofree char *subtitle = NULL;

  set_count (self->high_count_box, self->high_count_label, TW_ALERT_PRIORITY_HIGH, high);
  set_count (self->medium_count_box, self->medium_count_label, TW_ALERT_PRIORITY_MEDIUM, medium);
  set_count (self->low_count_box, self->low_count_label, TW_ALERT_PRIORITY_LOW, low);

  /* Translators: the alert console's subtitle, open alerts per priority */
  subtitle = g_strdup_printf (_("%u high \u00b7 %u medium \u00b7 %u low"), high, medium, low);
  if (g_strcmp0 (adw_view_switcher_title_get_subtitle (self->switcher_title), subtitle) != 0)
    adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
  adw_view_stack_page_set_badge_number (self->open_stack_page, high + medium + low);
  adw_view_stack_page_set_needs_attention (self->open_stack_page, high > 0);

  update_audio_label (self);
}

/* Actions */

static void
update_actions (TwAlertsPage *self)
{
  TwAlertItem *item = selected_item (self);
  const TwAlert *alert = item != NULL ? tw_alert_item_get_alert (item) : NULL;
  gboolean running = self->pipeline != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "alerts.acknowledge",
                                 running && self->can_handle && alert != NULL
                                 && alert->acknowledged_by == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "alerts.escalate",
                                 running && self->can_handle && alert != NULL
                                 && alert->state == TW_ALERT_STATE_ACTIVE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "alerts.open-trend",
                                 self->can_browse && alert != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "alerts.pause-audio",
                                 running && self->can_handle && !audio_paused_now (self->snapshot));
}

static void
ack_response_cb (AdwMessageDialog *dialog,
                 const char       *response,
                 TwAlertsPage     *self)
{
  const guint64 *id = g_object_get_data (G_OBJECT (dialog), "alert-id");
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (g_strcmp0 (response, "acknowledge") != 0 || self->pipeline == NULL || !self->can_handle)
    return;

  tw_pipeline_acknowledge_alert (self->pipeline, *id, self->user, note[0] != '\0' ? note : NULL);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Alert acknowledged")));
}

static void
acknowledge_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TwAlertsPage *self = TW_ALERTS_PAGE (widget);
  TwAlertItem *item = selected_item (self);
  const TwAlert *alert;
  AdwMessageDialog *dialog;

  if (item == NULL || !self->can_handle)
    return;

  alert = tw_alert_item_get_alert (item);
  dialog = tw_alert_ack_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), alert,
                                    tw_alert_item_get_entity_title (item));
  g_object_set_data_full (G_OBJECT (dialog), "alert-id",
                          g_memdup2 (&alert->id, sizeof alert->id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (ack_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (adw_message_dialog_get_extra_child (dialog));
}

static void
escalate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TwAlertsPage *self = TW_ALERTS_PAGE (widget);
  TwAlertItem *item = selected_item (self);

  if (item == NULL || self->pipeline == NULL || !self->can_handle)
    return;

  tw_pipeline_escalate_alert (self->pipeline, tw_alert_item_get_id (item), self->user, NULL);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Alert escalated")));
}

static void
pause_audio_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  tw_alerts_page_pause_audio (TW_ALERTS_PAGE (widget));
}

static void
open_trend_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TwAlertsPage *self = TW_ALERTS_PAGE (widget);
  TwAlertItem *item = selected_item (self);
  const TwAlert *alert;
  gint64 from, to;

  if (item == NULL || !self->can_browse)
    return;

  alert = tw_alert_item_get_alert (item);
  from = alert->evidence_from_ts > 0 ? alert->evidence_from_ts : alert->raised_us - TREND_LEAD_US;
  to = alert->evidence_to_ts > 0 ? alert->evidence_to_ts : alert->updated_us;
  g_signal_emit (self, signals[OPEN_TREND], 0, alert->entity_key, from, MAX (to, from));
}

static void
search_history_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TwAlertsPage *self = TW_ALERTS_PAGE (widget);

  tw_alerts_page_show_view (self, "history");
  tw_alert_history_view_focus_search (self->history_view);
}

/* Polling */

static void
poll_alerts (TwAlertsPage *self)
{
  g_autoptr(TwAlertSnapshot) snapshot = NULL;

  if (self->pipeline == NULL)
    return;

  /* A pause that ran out is not a change of the board: check the clock. */
  if (self->audio_paused_shown != audio_paused_now (self->snapshot))
    {
      update_audio_label (self);
      update_actions (self);
      /* The alarm sounds again when the pause runs out. */
      if (self->snapshot != NULL)
        g_signal_emit (self, signals[ALERTS_CHANGED], 0, self->snapshot);
    }

  snapshot = tw_pipeline_get_alerts (self->pipeline);
  if (snapshot == NULL)
    return;
  if (self->have_snapshot && snapshot->generation == self->generation)
    return;

  self->have_snapshot = TRUE;
  self->generation = snapshot->generation;
  g_clear_pointer (&self->raw_snapshot, tw_alert_snapshot_free);
  self->raw_snapshot = g_steal_pointer (&snapshot);
  tw_alerts_page_derive_snapshot (self);

  for (guint i = 0; i < self->raw_snapshot->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (self->raw_snapshot->alerts, i);
      gint64 now = g_get_monotonic_time ();

      if (self->unknown_since == NULL)
        self->unknown_since = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      if (tw_alerts_page_is_unknown (self, alert->entity_key)
          && !g_hash_table_contains (self->unknown_since, alert->entity_key))
        g_hash_table_insert (self->unknown_since, g_strdup (alert->entity_key),
                             g_memdup2 (&now, sizeof now));
    }
  tw_alerts_page_start_lookup (self);
  tw_alert_filter_update_choices (self->filter, self->snapshot, self->source_names);
  tw_alerts_page_merge_snapshot (self);
  update_summary (self);

  g_signal_emit (self, signals[ALERTS_CHANGED], 0, self->snapshot);
}

static gboolean
poll_cb (gpointer user_data)
{
  TwAlertsPage *self = TW_ALERTS_PAGE (user_data);

  poll_alerts (self);
  tw_alerts_page_start_lookup (self);

  return G_SOURCE_CONTINUE;
}

/* History */

static void
on_history_error (TwAlertsPage *self,
                  const char   *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
on_view_changed (TwAlertsPage *self)
{
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "history") == 0)
    tw_alert_history_view_refresh (self->history_view);
}

/* GObject */

static void
tw_alerts_page_dispose (GObject *object)
{
  TwAlertsPage *self = (TwAlertsPage *)object;

  tw_alerts_page_stop (self);
  if (self->alert_list != NULL)
    gtk_list_box_bind_model (self->alert_list, NULL, NULL, NULL, NULL);

  G_OBJECT_CLASS (tw_alerts_page_parent_class)->dispose (object);
}

static void
tw_alerts_page_finalize (GObject *object)
{
  TwAlertsPage *self = (TwAlertsPage *)object;

  g_clear_object (&self->filtered);
  g_clear_object (&self->alerts);

  G_OBJECT_CLASS (tw_alerts_page_parent_class)->finalize (object);
}

static void
tw_alerts_page_class_init (TwAlertsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_alerts_page_dispose;
  object_class->finalize = tw_alerts_page_finalize;

  /**
   * TwAlertsPage::alerts-changed:
   * @snapshot: (type gpointer): the new TwAlertSnapshot, valid during the
   *   emission
   *
   * A snapshot with a new generation arrived (the banner and the
   * notifier follow it).
   */
  signals[ALERTS_CHANGED] = g_signal_new ("alerts-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * TwAlertsPage::open-trend:
   * @entity_key: whose trend
   * @from_ts: start of the alert's evidence window (µs)
   * @to_ts: its end
   */
  signals[OPEN_TREND] = g_signal_new ("open-trend", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64);

  g_type_ensure (TW_TYPE_ALERT_HISTORY_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-alerts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, open_stack_page);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, high_count_box);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, medium_count_box);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, low_count_box);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, high_count_label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, medium_count_label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, low_count_label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, audio_label);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, state_filter);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, group_filter);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, source_filter);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, open_stack);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, alert_list);
  gtk_widget_class_bind_template_child (widget_class, TwAlertsPage, history_view);
  gtk_widget_class_bind_template_callback (widget_class, on_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_history_error);
  gtk_widget_class_bind_template_callback (widget_class, on_view_changed);

  gtk_widget_class_install_action (widget_class, "alerts.acknowledge", NULL, acknowledge_action);
  gtk_widget_class_install_action (widget_class, "alerts.escalate", NULL, escalate_action);
  gtk_widget_class_install_action (widget_class, "alerts.pause-audio", NULL, pause_audio_action);
  gtk_widget_class_install_action (widget_class, "alerts.open-trend", NULL, open_trend_action);
  gtk_widget_class_install_action (widget_class, "alerts.search-history", NULL,
                                   search_history_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "alerts.acknowledge", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "alerts.acknowledge", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "alerts.escalate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK,
                                       "alerts.open-trend", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "alerts.search-history", NULL);
}

static void
tw_alerts_page_init (TwAlertsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->alerts = g_list_store_new (TW_TYPE_ALERT_ITEM);
  self->filter = tw_alert_filter_new (self->state_filter, self->group_filter, self->source_filter);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->alerts)),
                                              GTK_FILTER (self->filter));
  g_signal_connect_object (self->filter, "changed", G_CALLBACK (on_filter_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->alert_list, G_LIST_MODEL (self->filtered),
                           create_alert_row, self, NULL);

  update_summary (self);
  update_actions (self);
}

/**
 * tw_alerts_page_start:
 * @self: the page
 * @session: the signed-in session; only read here (the page keeps a
 *   reader with its own copy of the key)
 * @pipeline: (nullable): the running pipeline; borrowed until
 *   tw_alerts_page_stop()
 */
void
tw_alerts_page_start (TwAlertsPage *self,
                      TwSession    *session,
                      TwPipeline   *pipeline)
{
  g_return_if_fail (TW_IS_ALERTS_PAGE (self));
  g_return_if_fail (session != NULL);

  tw_alerts_page_stop (self);

  self->reader = tw_reader_new (session);
  self->cancellable = g_cancellable_new ();
  self->user = g_strdup (tw_session_get_user (session));
  self->can_handle = tw_session_can (session, TW_PERM_HANDLE_ALERTS);
  self->can_browse = tw_session_can (session, TW_PERM_BROWSE_TRENDS);
  self->lookup_dirty = TRUE;

  adw_status_page_set_description (self->empty_page,
                                   self->can_handle
                                   ? _("New alerts appear here, highest priority first.")
                                   : _("New alerts appear here. Handling them needs an operator "
                                       "or clinician account."));
  tw_alert_history_view_start (self->history_view, self->reader);
  tw_alerts_page_set_pipeline (self, pipeline);
  tw_alerts_page_start_lookup (self);
}

/**
 * tw_alerts_page_stop:
 * @self: the page
 *
 * Forgets everything the session showed. Call it before the pipeline is
 * freed.
 */
void
tw_alerts_page_stop (TwAlertsPage *self)
{
  g_return_if_fail (TW_IS_ALERTS_PAGE (self));

  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, tw_reader_unref);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->snapshot, tw_alert_snapshot_free);
  g_clear_pointer (&self->raw_snapshot, tw_alert_snapshot_free);
  g_clear_pointer (&self->entity_titles, g_hash_table_unref);
  g_clear_pointer (&self->source_names, g_hash_table_unref);
  g_clear_pointer (&self->missing_keys, g_hash_table_unref);
  g_clear_pointer (&self->unknown_since, g_hash_table_unref);
  self->pipeline = NULL;
  self->have_snapshot = FALSE;
  self->audio_paused_shown = FALSE;
  self->lookup_in_flight = FALSE;
  self->can_handle = FALSE;
  self->can_browse = FALSE;

  if (self->alerts != NULL)
    {
      self->updating = TRUE;
      g_list_store_remove_all (self->alerts);
      self->updating = FALSE;
    }
  if (self->history_view != NULL)
    {
      tw_alert_history_view_stop (self->history_view);
      gtk_stack_set_visible_child_name (self->open_stack, "empty");
      update_summary (self);
      update_actions (self);
    }
}

/**
 * tw_alerts_page_set_pipeline:
 * @self: the page, started
 * @pipeline: (nullable): the pipeline now running, or %NULL while the
 *   window restarts it; borrowed until the next call or stop()
 */
void
tw_alerts_page_set_pipeline (TwAlertsPage *self,
                             TwPipeline   *pipeline)
{
  g_return_if_fail (TW_IS_ALERTS_PAGE (self));

  if (self->reader == NULL)
    return;

  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->pipeline = pipeline;
  /* A new pipeline counts its generations from zero. */
  self->have_snapshot = FALSE;
  update_actions (self);

  if (pipeline == NULL)
    return;

  poll_alerts (self);
  self->poll_source = g_timeout_add (POLL_INTERVAL_MS, poll_cb, self);
}

/**
 * tw_alerts_page_get_snapshot:
 *
 * Returns: (nullable) (transfer none): the snapshot shown now
 */
const TwAlertSnapshot *
tw_alerts_page_get_snapshot (TwAlertsPage *self)
{
  g_return_val_if_fail (TW_IS_ALERTS_PAGE (self), NULL);

  return self->snapshot;
}

/**
 * tw_alerts_page_dup_entity_title:
 *
 * Returns: (transfer full) (nullable): what the signed-in role may see
 *   of the entity, or %NULL while it is being looked up
 */
char *
tw_alerts_page_dup_entity_title (TwAlertsPage *self,
                                 const char   *entity_key)
{
  g_return_val_if_fail (TW_IS_ALERTS_PAGE (self), NULL);

  if (tw_alerts_page_is_unknown (self, entity_key))
    {
      const gint64 *since = self->unknown_since != NULL
                            ? g_hash_table_lookup (self->unknown_since, entity_key) : NULL;

      if (self->lookup_in_flight
          || (since != NULL && g_get_monotonic_time () - *since < NAME_GRACE_US))
        return NULL;
    }

  return g_strdup (tw_alerts_page_entity_title (self, entity_key));
}

/**
 * tw_alerts_page_select_alert:
 * @self: the page
 * @alert_id: an open alert's id
 *
 * Selects the alert's row (clearing filters that hide it).
 *
 * Returns: whether the alert is in the list
 */
gboolean
tw_alerts_page_select_alert (TwAlertsPage *self,
                             guint64       alert_id)
{
  guint n;

  g_return_val_if_fail (TW_IS_ALERTS_PAGE (self), FALSE);

  for (int pass = 0; pass < 2; pass++)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(TwAlertItem) item = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

          if (tw_alert_item_get_id (item) == alert_id)
            {
              gtk_list_box_select_row (self->alert_list,
                                       gtk_list_box_get_row_at_index (self->alert_list, (int) i));
              return TRUE;
            }
        }

      /* Not shown: maybe filtered out. */
      tw_alert_filter_reset (self->filter);
    }

  return FALSE;
}

guint64
tw_alerts_page_get_selected_id (TwAlertsPage *self)
{
  TwAlertItem *item;

  g_return_val_if_fail (TW_IS_ALERTS_PAGE (self), 0);

  item = selected_item (self);
  return item != NULL ? tw_alert_item_get_id (item) : 0;
}

/* Moves the keyboard focus to the selected alert's row. */
void
tw_alerts_page_focus_selected (TwAlertsPage *self)
{
  GtkListBoxRow *row;

  g_return_if_fail (TW_IS_ALERTS_PAGE (self));

  row = gtk_list_box_get_selected_row (self->alert_list);
  if (row != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (row));
}

guint
tw_alerts_page_get_n_shown (TwAlertsPage *self)
{
  g_return_val_if_fail (TW_IS_ALERTS_PAGE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
}

/**
 * tw_alerts_page_pause_audio:
 * @self: the page
 *
 * Pauses the alarm audio (the board's pause time, 2 minutes by default);
 * a new alert of higher priority breaks through.
 */
void
tw_alerts_page_pause_audio (TwAlertsPage *self)
{
  g_return_if_fail (TW_IS_ALERTS_PAGE (self));

  if (self->pipeline == NULL || !self->can_handle)
    return;

  tw_pipeline_pause_audio (self->pipeline, self->user);
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("Alarm audio paused for 2 minutes")));
}

/**
 * tw_alerts_page_show_view:
 * @name: "open" or "history"
 */
void
tw_alerts_page_show_view (TwAlertsPage *self,
                          const char   *name)
{
  g_return_if_fail (TW_IS_ALERTS_PAGE (self));

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

TwAlertHistoryView *
tw_alerts_page_get_history_view (TwAlertsPage *self)
{
  g_return_val_if_fail (TW_IS_ALERTS_PAGE (self), NULL);

  return self->history_view;
}
