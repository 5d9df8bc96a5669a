#pragma once

#include <adwaita.h>

#include "tw-pipeline.h"

G_BEGIN_DECLS

#define TW_TYPE_CONNECTION_INDICATOR (tw_connection_indicator_get_type ())

G_DECLARE_FINAL_TYPE (TwConnectionIndicator, tw_connection_indicator, TW, CONNECTION_INDICATOR, AdwBin)

void        tw_connection_indicator_update   (TwConnectionIndicator  *self,
                                              const TwPipelineStatus *status);
void        tw_connection_indicator_reset    (TwConnectionIndicator  *self);
void        tw_connection_indicator_set_compact (TwConnectionIndicator *self,
                                                 gboolean               compact);
const char *tw_connection_indicator_get_text (TwConnectionIndicator  *self);

G_END_DECLS
