#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TW_TYPE_SETTINGS (tw_settings_get_type ())

G_DECLARE_FINAL_TYPE (TwSettings, tw_settings, TW, SETTINGS, GObject)

TwSettings *tw_settings_new                      (const char *schema_id);

const char *tw_settings_get_style                (TwSettings *self);
void        tw_settings_set_style                (TwSettings *self,
                                                  const char *style);
guint       tw_settings_get_trend_window_minutes (TwSettings *self);
guint       tw_settings_get_idle_lock_minutes    (TwSettings *self);
gboolean    tw_settings_get_alert_sound          (TwSettings *self);
void        tw_settings_set_alert_sound          (TwSettings *self,
                                                  gboolean    enabled);
const char *tw_settings_get_data_dir             (TwSettings *self);
const char *tw_settings_get_last_user            (TwSettings *self);
void        tw_settings_set_last_user            (TwSettings *self,
                                                  const char *user);
void        tw_settings_get_window_state         (TwSettings *self,
                                                  int        *width,
                                                  int        *height,
                                                  gboolean   *maximized);
void        tw_settings_set_window_state         (TwSettings *self,
                                                  int         width,
                                                  int         height,
                                                  gboolean    maximized);

G_END_DECLS
