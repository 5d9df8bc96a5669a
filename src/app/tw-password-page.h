#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TW_TYPE_PASSWORD_PAGE (tw_password_page_get_type ())

G_DECLARE_FINAL_TYPE (TwPasswordPage, tw_password_page, TW, PASSWORD_PAGE, AdwBin)

void        tw_password_page_start      (TwPasswordPage *self,
                                         const char     *user,
                                         gboolean        one_time);
void        tw_password_page_clear      (TwPasswordPage *self);
void        tw_password_page_set_busy   (TwPasswordPage *self,
                                         gboolean        busy);
gboolean    tw_password_page_get_busy   (TwPasswordPage *self);
void        tw_password_page_show_error (TwPasswordPage *self,
                                         const char     *message);
const char *tw_password_page_get_hint   (TwPasswordPage *self);
gboolean    tw_password_page_get_hint_is_error (TwPasswordPage *self);
gboolean    tw_password_page_get_one_time (TwPasswordPage *self);

G_END_DECLS
