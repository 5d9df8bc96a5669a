#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Toasts are about a session: they go when it does, not to the next user
 * at the workstation. A page keeps the toasts it shows in @toasts (a
 * GPtrArray with g_object_unref as its free function) and dismisses them
 * when it stops. */
void tw_toasts_track       (GPtrArray *toasts,
                            AdwToast  *toast);
void tw_toasts_dismiss_all (GPtrArray *toasts);

G_END_DECLS
