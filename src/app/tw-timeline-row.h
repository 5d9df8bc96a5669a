#pragma once

#include <adwaita.h>

#include "tw-store-clinical.h"

G_BEGIN_DECLS

#define TW_TYPE_TIMELINE_ROW (tw_timeline_row_get_type ())

G_DECLARE_FINAL_TYPE (TwTimelineRow, tw_timeline_row, TW, TIMELINE_ROW, AdwActionRow)

GtkWidget      *tw_timeline_row_new      (const TwClinicalEntry *entry);
TwClinicalKind  tw_timeline_row_get_kind (TwTimelineRow         *self);

G_END_DECLS
