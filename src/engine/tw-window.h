#pragma once

#include <glib.h>

#include "tw-aggregate.h"

G_BEGIN_DECLS

/* Event-time windows per key (a series, an entity) with allowed lateness.
 *
 * Tumbling: size == slide. Sliding: slide < size, each sample is in
 * size/slide windows. Windows are aligned to the epoch ([k·slide,
 * k·slide + size)). A window is emitted once, final, when the watermark
 * reaches its end. A sample for an emitted window whose end + lateness is
 * still above the watermark corrects it: the window is emitted again with
 * @correction set. A sample later than that is TOO_LATE: counted, reported
 * to the caller (who logs it), never merged. Pure: no clock, no I/O. */

typedef struct
{
  gint64 size_us;
  gint64 slide_us;      /* == size_us for tumbling windows */
  gint64 lateness_us;
} TwWindowSpec;

typedef struct
{
  const char  *key;
  gint64       start_us;
  gint64       end_us;        /* exclusive */
  TwAggregate  agg;
  gboolean     correction;    /* replaces an earlier result for this window */
} TwWindowResult;

typedef enum
{
  TW_WINDOW_ON_TIME,
  TW_WINDOW_CORRECTED,         /* merged into a window already emitted */
  TW_WINDOW_TOO_LATE,          /* beyond the lateness: not merged */
} TwWindowAdmit;

typedef void (*TwWindowEmit) (const TwWindowResult *result,
                              gpointer              user_data);

typedef struct _TwWindowSet TwWindowSet;

TwWindowSet   *tw_window_set_new      (const TwWindowSpec *spec,
                                       TwWindowEmit        emit,
                                       gpointer            user_data);
void           tw_window_set_free     (TwWindowSet   *set);
/* Adds a sample; a correction is emitted from inside this call. */
TwWindowAdmit  tw_window_set_add      (TwWindowSet   *set,
                                       const char    *key,
                                       gint64         ts,
                                       double         value);
/* Emits every window whose end is at or below @watermark and forgets the
 * ones whose end + lateness is. */
void           tw_window_set_advance  (TwWindowSet   *set,
                                       gint64         watermark);
guint64        tw_window_set_get_too_late (TwWindowSet *set);
/* Windows held (emitted ones still within their lateness included):
 * bounded by the watermark, not by how much input came. */
guint          tw_window_set_get_n_open   (TwWindowSet *set);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwWindowSet, tw_window_set_free)

G_END_DECLS
