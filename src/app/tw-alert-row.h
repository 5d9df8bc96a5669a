#pragma once

#include <adwaita.h>

#include "tw-alert-item.h"

G_BEGIN_DECLS

#define TW_TYPE_ALERT_ROW (tw_alert_row_get_type ())

G_DECLARE_FINAL_TYPE (TwAlertRow, tw_alert_row, TW, ALERT_ROW, GtkListBoxRow)

GtkWidget   *tw_alert_row_new        (TwAlertItem *item);
TwAlertItem *tw_alert_row_get_item   (TwAlertRow  *self);
char        *tw_alert_describe       (const TwAlert *alert,
                                      const char    *entity_title);

AdwMessageDialog *tw_alert_ack_dialog_new (GtkWindow     *parent,
                                           const TwAlert *alert,
                                           const char    *entity_title);

G_END_DECLS
