#pragma once

#include <adwaita.h>

#include "tw-users-query.h"

G_BEGIN_DECLS

#define TW_TYPE_USER_LIST_ROW (tw_user_list_row_get_type ())

G_DECLARE_FINAL_TYPE (TwUserListRow, tw_user_list_row, TW, USER_LIST_ROW, AdwActionRow)

GtkWidget  *tw_user_list_row_new             (const TwUserInfo *info,
                                         gboolean          is_self);
const char *tw_user_list_row_get_name        (TwUserListRow        *self);
const char *tw_user_list_row_get_status_text (TwUserListRow        *self);
GtkMenuButton *tw_user_list_row_get_menu_button (TwUserListRow     *self);

/* "Active", "Disabled", "Must change password", "Locked out", … */
const char *tw_user_status_text         (const TwUserInfo *info,
                                         const char      **out_css_class);
/* "Ward 7, Ward 8", "All wards", "No wards" */
char       *tw_user_wards_text          (const char * const *wards);

G_END_DECLS
