#pragma once

#include <adwaita.h>

#include "tw-session.h"
#include "tw-user-row.h"
#include "tw-users-query.h"

G_BEGIN_DECLS

#define TW_TYPE_USERS_PAGE (tw_users_page_get_type ())

G_DECLARE_FINAL_TYPE (TwUsersPage, tw_users_page, TW, USERS_PAGE, AdwBin)

void              tw_users_page_start        (TwUsersPage  *self,
                                              TwSession    *session);
void              tw_users_page_stop         (TwUsersPage  *self);
void              tw_users_page_reload       (TwUsersPage  *self);
void              tw_users_page_remove_done  (TwUsersPage  *self,
                                              const char   *name,
                                              const GError *error);
void              tw_users_page_add_toast    (TwUsersPage  *self,
                                              const char   *message);

gboolean          tw_users_page_get_busy     (TwUsersPage  *self);
const TwUserInfo *tw_users_page_get_user     (TwUsersPage  *self,
                                              const char   *name);
TwUserListRow        *tw_users_page_find_row     (TwUsersPage  *self,
                                              const char   *name);
/* The one-time password on screen, %NULL once its dialog is closed. */
const char       *tw_users_page_get_shown_password (TwUsersPage *self);
GtkWindow        *tw_users_page_get_dialog   (TwUsersPage  *self);

G_END_DECLS
