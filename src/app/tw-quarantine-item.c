#include "tw-quarantine-item.h"

/*
 * TwQuarantineItem: one quarantined message in the Quarantine page's list
 * model: what the store says about it, without the raw bytes (those are
 * read when the message is selected).
 */

struct _TwQuarantineItem
{
  GObject  parent_instance;

  gint64   id;
  char    *source_name;
  gint64   received_at;
  char    *reason;
  gint64   size;
};

G_DEFINE_FINAL_TYPE (TwQuarantineItem, tw_quarantine_item, G_TYPE_OBJECT)

static void
tw_quarantine_item_finalize (GObject *object)
{
  TwQuarantineItem *self = (TwQuarantineItem *)object;

  g_clear_pointer (&self->source_name, g_free);
  g_clear_pointer (&self->reason, g_free);

  G_OBJECT_CLASS (tw_quarantine_item_parent_class)->finalize (object);
}

static void
tw_quarantine_item_class_init (TwQuarantineItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tw_quarantine_item_finalize;
}

static void
tw_quarantine_item_init (TwQuarantineItem *self)
{
}

/**
 * tw_quarantine_item_new:
 * @row: a row of the quarantine list; copied
 *
 * Returns: (transfer full): a new item
 */
TwQuarantineItem *
tw_quarantine_item_new (const TwQuarantineRow *row)
{
  TwQuarantineItem *self;

  g_return_val_if_fail (row != NULL, NULL);

  self = g_object_new (TW_TYPE_QUARANTINE_ITEM, NULL);
  self->id = row->id;
  self->source_name = g_strdup (row->source_name);
  self->received_at = row->received_at;
  self->reason = g_strdup (row->reason);
  self->size = row->size;

  return self;
}

gint64
tw_quarantine_item_get_id (TwQuarantineItem *self)
{
  g_return_val_if_fail (TW_IS_QUARANTINE_ITEM (self), 0);

  return self->id;
}

/**
 * tw_quarantine_item_get_source_name:
 *
 * Returns: (nullable): the source's name, %NULL when it was removed
 */
const char *
tw_quarantine_item_get_source_name (TwQuarantineItem *self)
{
  g_return_val_if_fail (TW_IS_QUARANTINE_ITEM (self), NULL);

  return self->source_name;
}

gint64
tw_quarantine_item_get_received_at (TwQuarantineItem *self)
{
  g_return_val_if_fail (TW_IS_QUARANTINE_ITEM (self), 0);

  return self->received_at;
}

const char *
tw_quarantine_item_get_reason (TwQuarantineItem *self)
{
  g_return_val_if_fail (TW_IS_QUARANTINE_ITEM (self), NULL);

  return self->reason;
}

gint64
tw_quarantine_item_get_size (TwQuarantineItem *self)
{
  g_return_val_if_fail (TW_IS_QUARANTINE_ITEM (self), 0);

  return self->size;
}
