#pragma once

#include <glib-object.h>

#include "tw-store-quarantine.h"

G_BEGIN_DECLS

#define TW_TYPE_QUARANTINE_ITEM (tw_quarantine_item_get_type ())

G_DECLARE_FINAL_TYPE (TwQuarantineItem, tw_quarantine_item, TW, QUARANTINE_ITEM, GObject)

TwQuarantineItem *tw_quarantine_item_new             (const TwQuarantineRow *row);
gint64            tw_quarantine_item_get_id          (TwQuarantineItem      *self);
const char       *tw_quarantine_item_get_source_name (TwQuarantineItem      *self);
gint64            tw_quarantine_item_get_received_at (TwQuarantineItem      *self);
const char       *tw_quarantine_item_get_reason      (TwQuarantineItem      *self);
gint64            tw_quarantine_item_get_size        (TwQuarantineItem      *self);

G_END_DECLS
