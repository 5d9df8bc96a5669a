#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  TW_SOURCE_LOOK_IDLE,
  TW_SOURCE_LOOK_OK,
  TW_SOURCE_LOOK_WAITING,
  TW_SOURCE_LOOK_ERROR,
} TwSourceLook;

/**
 * TwSourceFigures:
 * What one row shows, already merged from the store (configuration and
 * persisted totals) and the pipeline (live state). @url is redacted.
 */
typedef struct
{
  const char   *name;
  const char   *url;
  gboolean      enabled;
  const char   *state_text;
  const char   *state_icon;
  TwSourceLook  look;
  double        rate;          /* messages per second, negative when not running */
  guint64       received;
  guint64       stored;
  guint64       duplicates;
  guint64       quarantined;
  guint64       reconnects;
  gint64        lag_us;        /* -1 when unknown */
  const char   *last_error;    /* NULL when none */
} TwSourceFigures;

#define TW_TYPE_SOURCE_LIST_ROW (tw_source_list_row_get_type ())

G_DECLARE_FINAL_TYPE (TwSourceListRow, tw_source_list_row, TW, SOURCE_LIST_ROW, GtkListBoxRow)

GtkWidget  *tw_source_list_row_new            (gint64                 source_id);
gint64      tw_source_list_row_get_source_id  (TwSourceListRow       *self);
void        tw_source_list_row_update         (TwSourceListRow       *self,
                                               const TwSourceFigures *figures);
const char *tw_source_list_row_get_name       (TwSourceListRow       *self);
const char *tw_source_list_row_get_state_text (TwSourceListRow       *self);
guint64     tw_source_list_row_get_stored     (TwSourceListRow       *self);
guint64     tw_source_list_row_get_quarantined (TwSourceListRow      *self);

G_END_DECLS
