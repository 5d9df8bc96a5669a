#pragma once

#include <adwaita.h>

#include "tw-alert-notifier.h"
#include "tw-application.h"
#include "tw-pipeline.h"

G_BEGIN_DECLS

#define TW_TYPE_WINDOW (tw_window_get_type ())

G_DECLARE_FINAL_TYPE (TwWindow, tw_window, TW, WINDOW, AdwApplicationWindow)

TwWindow   *tw_window_new           (TwApplication *application);

const char *tw_window_get_page_name (TwWindow      *self);
gboolean    tw_window_is_signed_in  (TwWindow      *self);
gboolean    tw_window_is_locked     (TwWindow      *self);
void        tw_window_lock          (TwWindow      *self);
void        tw_window_sign_out      (TwWindow      *self);
TwPipeline *tw_window_get_pipeline  (TwWindow      *self);
const char *tw_window_get_status_message (TwWindow *self);
void        tw_window_shutdown      (TwWindow      *self);
void        tw_window_show_alert    (TwWindow      *self,
                                     guint64        alert_id);
TwAlertNotifier *tw_window_get_alert_notifier (TwWindow *self);

G_END_DECLS
