#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TW_TYPE_LOGIN_PAGE (tw_login_page_get_type ())

G_DECLARE_FINAL_TYPE (TwLoginPage, tw_login_page, TW, LOGIN_PAGE, AdwBin)

void        tw_login_page_reset      (TwLoginPage *self,
                                      const char  *user);
void        tw_login_page_set_busy   (TwLoginPage *self,
                                      gboolean     busy);
gboolean    tw_login_page_get_busy   (TwLoginPage *self);
void        tw_login_page_show_error (TwLoginPage *self,
                                      const char  *message);
const char *tw_login_page_get_error  (TwLoginPage *self);
void        tw_login_page_focus      (TwLoginPage *self);
void        tw_login_page_set_switching (TwLoginPage *self,
                                         const char  *locked_user);
gboolean    tw_login_page_get_switching (TwLoginPage *self);

G_END_DECLS
