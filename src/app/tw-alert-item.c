#include "config.h"

#include <glib/gi18n.h>

#include "tw-alert-item.h"

/*
 * TwAlertItem: one open alert in the console's list model. The console
 * updates items in place from each new snapshot; an item emits ::changed
 * only when something a row shows differs, so a snapshot that changed
 * one alert redraws one row.
 */

struct _TwAlertItem
{
  GObject  parent_instance;

  TwAlert *alert;
  char    *entity_title;
};

G_DEFINE_FINAL_TYPE (TwAlertItem, tw_alert_item, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
tw_alert_item_finalize (GObject *object)
{
  TwAlertItem *self = (TwAlertItem *)object;

  g_clear_pointer (&self->alert, tw_alert_free);
  g_clear_pointer (&self->entity_title, g_free);

  G_OBJECT_CLASS (tw_alert_item_parent_class)->finalize (object);
}

static void
tw_alert_item_class_init (TwAlertItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tw_alert_item_finalize;

  /**
   * TwAlertItem::changed:
   *
   * Something a row shows changed: state, priority, message, who
   * acknowledged, escalation or the entity's title.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tw_alert_item_init (TwAlertItem *self)
{
}

/**
 * tw_alert_item_new:
 * @alert: the alert; copied
 * @entity_title: what the role may see of the entity ("Bed 3 · Ana
 *   Silva", or the pseudonymous key)
 *
 * Returns: (transfer full): a new item
 */
TwAlertItem *
tw_alert_item_new (const TwAlert *alert,
                   const char    *entity_title)
{
  TwAlertItem *self;

  g_return_val_if_fail (alert != NULL, NULL);

  self = g_object_new (TW_TYPE_ALERT_ITEM, NULL);
  self->alert = tw_alert_copy (alert);
  self->entity_title = g_strdup (entity_title != NULL ? entity_title : alert->entity_key);

  return self;
}

static gboolean
alerts_look_alike (const TwAlert *a,
                   const TwAlert *b)
{
  return a->id == b->id
         && a->priority == b->priority
         && a->state == b->state
         && a->condition_active == b->condition_active
         && a->occurrences == b->occurrences
         && a->raised_us == b->raised_us
         && a->escalated == b->escalated
         && a->acknowledged_us == b->acknowledged_us
         && g_strcmp0 (a->message, b->message) == 0
         && g_strcmp0 (a->acknowledged_by, b->acknowledged_by) == 0
         && g_strcmp0 (a->ack_note, b->ack_note) == 0;
}

/**
 * tw_alert_item_update:
 * @self: an item
 * @alert: the same alert (same id) as the snapshot has it now; copied
 * @entity_title: (nullable): the entity's title, %NULL to keep it
 *
 * Returns: whether anything shown changed (::changed was emitted)
 */
gboolean
tw_alert_item_update (TwAlertItem   *self,
                      const TwAlert *alert,
                      const char    *entity_title)
{
  gboolean same;

  g_return_val_if_fail (TW_IS_ALERT_ITEM (self), FALSE);
  g_return_val_if_fail (alert != NULL, FALSE);

  same = alerts_look_alike (self->alert, alert)
         && (entity_title == NULL || g_strcmp0 (self->entity_title, entity_title) == 0);

  /* The copy is refreshed even when nothing shown changed: the evidence
   * window and the update time are read when the trend is opened. */
  tw_alert_free (self->alert);
  self->alert = tw_alert_copy (alert);
  if (entity_title != NULL && g_strcmp0 (self->entity_title, entity_title) != 0)
    {
      g_free (self->entity_title);
      self->entity_title = g_strdup (entity_title);
    }

  if (!same)
    g_signal_emit (self, signals[CHANGED], 0);

  return !same;
}

const TwAlert *
tw_alert_item_get_alert (TwAlertItem *self)
{
  g_return_val_if_fail (TW_IS_ALERT_ITEM (self), NULL);

  return self->alert;
}

guint64
tw_alert_item_get_id (TwAlertItem *self)
{
  g_return_val_if_fail (TW_IS_ALERT_ITEM (self), 0);

  return self->alert->id;
}

const char *
tw_alert_item_get_entity_title (TwAlertItem *self)
{
  g_return_val_if_fail (TW_IS_ALERT_ITEM (self), NULL);

  return self->entity_title;
}

/* Priority is never shown by colour alone: each has a word, an icon and
 * the IEC 60601-1-8 marker (!!!, !!, !) as well. */

const char *
tw_alert_priority_label (TwAlertPriority priority)
{
  switch (priority)
    {
    case TW_ALERT_PRIORITY_HIGH:
      return C_("alert priority", "High");
    case TW_ALERT_PRIORITY_MEDIUM:
      return C_("alert priority", "Medium");
    case TW_ALERT_PRIORITY_LOW:
    default:
      return C_("alert priority", "Low");
    }
}

const char *
tw_alert_priority_marker (TwAlertPriority priority)
{
  switch (priority)
    {
    case TW_ALERT_PRIORITY_HIGH:
      return "!!!";
    case TW_ALERT_PRIORITY_MEDIUM:
      return "!!";
    case TW_ALERT_PRIORITY_LOW:
    default:
      return "!";
    }
}

const char *
tw_alert_priority_icon (TwAlertPriority priority)
{
  switch (priority)
    {
    case TW_ALERT_PRIORITY_HIGH:
      return "dialog-error-symbolic";
    case TW_ALERT_PRIORITY_MEDIUM:
      return "dialog-warning-symbolic";
    case TW_ALERT_PRIORITY_LOW:
    default:
      return "dialog-information-symbolic";
    }
}

const char *
tw_alert_priority_css_class (TwAlertPriority priority)
{
  switch (priority)
    {
    case TW_ALERT_PRIORITY_HIGH:
      return "high";
    case TW_ALERT_PRIORITY_MEDIUM:
      return "medium";
    case TW_ALERT_PRIORITY_LOW:
    default:
      return "low";
    }
}

const char *
tw_alert_state_label (TwAlertState state)
{
  switch (state)
    {
    case TW_ALERT_STATE_ACTIVE:
      return C_("alert state", "Active");
    case TW_ALERT_STATE_ACKNOWLEDGED:
      return C_("alert state", "Acknowledged");
    case TW_ALERT_STATE_CLEARED:
      return C_("alert state", "Cleared");
    case TW_ALERT_STATE_CLOSED:
      return C_("alert state", "Closed");
    case TW_ALERT_STATE_NONE:
    default:
      return C_("alert state", "New");
    }
}
