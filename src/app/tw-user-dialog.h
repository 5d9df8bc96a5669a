#pragma once

#include <adwaita.h>

#include "tw-users-query.h"

G_BEGIN_DECLS

#define TW_TYPE_USER_DIALOG (tw_user_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TwUserDialog, tw_user_dialog, TW, USER_DIALOG, AdwWindow)

TwUserDialog *tw_user_dialog_new       (GtkWindow          *parent,
                                        const TwUserInfo   *info,
                                        const char * const *known_wards);
void          tw_user_dialog_save_done (TwUserDialog       *self,
                                        const GError       *error);
gboolean      tw_user_dialog_get_adding (TwUserDialog     *self);
const char   *tw_user_dialog_get_name  (TwUserDialog       *self);
TwRole        tw_user_dialog_get_role  (TwUserDialog       *self);
GStrv         tw_user_dialog_get_wards (TwUserDialog       *self);
void          tw_user_dialog_set_ward_checked (TwUserDialog *self,
                                               const char   *ward,
                                               gboolean      checked);

G_END_DECLS
