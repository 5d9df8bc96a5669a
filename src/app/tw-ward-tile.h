#pragma once

#include <gtk/gtk.h>

#include "tw-alert.h"
#include "tw-ward-query.h"

G_BEGIN_DECLS

#define TW_TYPE_WARD_TILE (tw_ward_tile_get_type ())

G_DECLARE_FINAL_TYPE (TwWardTile, tw_ward_tile, TW, WARD_TILE, GtkFlowBoxChild)

/* The open alerts of one bed, from the pipeline's alert snapshot. */
typedef struct
{
  guint           n_open;
  guint           n_high;
  TwAlertPriority highest;    /* meaningful when @n_open > 0 */
} TwWardAlerts;

TwWardTile *tw_ward_tile_new             (const char         *key);

const char *tw_ward_tile_get_key         (TwWardTile         *self);
const char *tw_ward_tile_get_ward        (TwWardTile         *self);
const char *tw_ward_tile_get_bed         (TwWardTile         *self);
const char *tw_ward_tile_get_display_name (TwWardTile        *self);
const TwNews2Score *tw_ward_tile_get_news2 (TwWardTile       *self);
/* "NEWS2 6 medium" or "NEWS2 incomplete" */
char       *tw_ward_tile_dup_news2_text  (TwWardTile         *self);
/* The accessible label: "Bed 3, Jane Doe, NEWS2 6 medium, 1 high alert" */
const char *tw_ward_tile_get_summary     (TwWardTile         *self);
guint       tw_ward_tile_get_n_points    (TwWardTile         *self,
                                          TwWardSpark         spark);
guint       tw_ward_tile_get_n_draws     (TwWardTile         *self);

/* TRUE when anything the acuity order looks at changed. */
gboolean    tw_ward_tile_update          (TwWardTile         *self,
                                          const TwWardBed    *bed,
                                          gint64              now);
gboolean    tw_ward_tile_set_alerts      (TwWardTile         *self,
                                          const TwWardAlerts *alerts);
/* Moves the sparklines' window to end at @now (drops what fell out). */
void        tw_ward_tile_set_now         (TwWardTile         *self,
                                          gint64              now);

/* Acuity: an open high alert, then NEWS2 risk, then score, then bed. */
int         tw_ward_tile_compare         (TwWardTile         *a,
                                          TwWardTile         *b);
/* Only the alert and the NEWS2 band (what re-sorts at once). */
int         tw_ward_tile_compare_urgency (TwWardTile         *a,
                                          TwWardTile         *b);

G_END_DECLS
