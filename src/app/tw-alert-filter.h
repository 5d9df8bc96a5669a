#pragma once

#include <gtk/gtk.h>

#include "tw-pipeline.h"

G_BEGIN_DECLS

#define TW_TYPE_ALERT_FILTER (tw_alert_filter_get_type ())

G_DECLARE_FINAL_TYPE (TwAlertFilter, tw_alert_filter, TW, ALERT_FILTER, GtkFilter)

TwAlertFilter *tw_alert_filter_new            (GtkDropDown           *state_choice,
                                               GtkDropDown           *group_choice,
                                               GtkDropDown           *source_choice);
void           tw_alert_filter_update_choices (TwAlertFilter         *self,
                                               const TwAlertSnapshot *snapshot,
                                               GHashTable            *source_names);
void           tw_alert_filter_reset          (TwAlertFilter         *self);

G_END_DECLS
