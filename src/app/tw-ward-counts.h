#pragma once

#include <gtk/gtk.h>

#include "tw-news2.h"

G_BEGIN_DECLS

/* The NEWS2 bands the ward overview counts, most urgent first; an
 * incomplete score is a band of its own, never "zero". */
typedef enum
{
  TW_WARD_BAND_HIGH,
  TW_WARD_BAND_MEDIUM,
  TW_WARD_BAND_LOW_MEDIUM,
  TW_WARD_BAND_LOW,
  TW_WARD_BAND_ZERO,
  TW_WARD_BAND_INCOMPLETE,
  TW_WARD_N_BANDS
} TwWardBand;

#define TW_TYPE_WARD_COUNTS (tw_ward_counts_get_type ())

G_DECLARE_FINAL_TYPE (TwWardCounts, tw_ward_counts, TW, WARD_COUNTS, GtkBox)

TwWardBand  tw_ward_band_of            (const TwNews2Score *score);
const char *tw_ward_band_word          (TwWardBand          band);

GtkWidget  *tw_ward_counts_new         (void);
void        tw_ward_counts_set         (TwWardCounts       *self,
                                        const guint         counts[TW_WARD_N_BANDS]);
/* "High 1 · Medium 2 · …" as shown */
char       *tw_ward_counts_dup_text    (TwWardCounts       *self);

G_END_DECLS
