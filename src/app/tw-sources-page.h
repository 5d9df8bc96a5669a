#pragma once

#include <adwaita.h>

#include "tw-pipeline.h"
#include "tw-session.h"
#include "tw-source-list-row.h"

G_BEGIN_DECLS

#define TW_TYPE_SOURCES_PAGE (tw_sources_page_get_type ())

G_DECLARE_FINAL_TYPE (TwSourcesPage, tw_sources_page, TW, SOURCES_PAGE, AdwBin)

void             tw_sources_page_start         (TwSourcesPage    *self,
                                                TwSession        *session);
void             tw_sources_page_stop          (TwSourcesPage    *self);
void             tw_sources_page_set_status    (TwSourcesPage    *self,
                                                TwPipelineStatus *status);
void             tw_sources_page_reload        (TwSourcesPage    *self);
void             tw_sources_page_add_toast     (TwSourcesPage    *self,
                                                const char       *message);
guint            tw_sources_page_get_n_sources (TwSourcesPage    *self);
gboolean         tw_sources_page_get_busy      (TwSourcesPage    *self);
TwSourceListRow *tw_sources_page_find_row      (TwSourcesPage    *self,
                                                const char       *name);

G_END_DECLS
