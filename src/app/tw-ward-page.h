#pragma once

#include <adwaita.h>

#include "tw-pipeline.h"
#include "tw-session.h"
#include "tw-ward-tile.h"

G_BEGIN_DECLS

#define TW_TYPE_WARD_PAGE (tw_ward_page_get_type ())

G_DECLARE_FINAL_TYPE (TwWardPage, tw_ward_page, TW, WARD_PAGE, AdwBin)

/**
 * TwWardStats:
 * What the benchmark and the UI test read: how many refreshes ran, how
 * long their worker reads took, and how much of the grid they touched.
 */
typedef struct
{
  guint  n_queries;
  double last_query_ms;
  double max_query_ms;
  double total_query_ms;
  guint  last_reads;
  guint  last_tiles_changed;
  double max_apply_ms;
  guint  n_sorts;
} TwWardStats;

void        tw_ward_page_start            (TwWardPage  *self,
                                           TwSession   *session,
                                           TwPipeline  *pipeline);
void        tw_ward_page_stop             (TwWardPage  *self);
void        tw_ward_page_set_pipeline     (TwWardPage  *self,
                                           TwPipeline  *pipeline);

guint       tw_ward_page_get_n_tiles      (TwWardPage  *self);
/* (transfer container): the tiles shown (ward filter applied), in order */
GPtrArray  *tw_ward_page_list_tiles       (TwWardPage  *self);
TwWardTile *tw_ward_page_find_tile        (TwWardPage  *self,
                                           const char  *key);
/* NULL: all wards */
void        tw_ward_page_set_ward         (TwWardPage  *self,
                                           const char  *ward);
const char *tw_ward_page_get_ward         (TwWardPage  *self);
GStrv       tw_ward_page_dup_wards        (TwWardPage  *self);
/* "High 1 · Medium 2 · …", the counts shown above the grid */
char       *tw_ward_page_dup_counts_text  (TwWardPage  *self);
void        tw_ward_page_get_stats        (TwWardPage  *self,
                                           TwWardStats *out_stats);
void        tw_ward_page_set_tiles_per_frame (TwWardPage *self,
                                              guint       n);

G_END_DECLS
