#pragma once

#include <glib.h>

#include "tw-keyslots.h"
#include "tw-role.h"
#include "tw-store.h"

G_BEGIN_DECLS

#define TW_STORE_FILENAME    "tidewatch.db"
#define TW_KEYSLOTS_FILENAME "tidewatch.keyslots"
#define TW_PASSWORD_MIN_CHARS 8
#define TW_PASSWORD_MAX_CHARS 1024

/**
 * TwSession:
 * A signed-in user of one data directory. It holds the database key (in
 * sodium memory) and is the only way to open the store; the app and twctl
 * share it, so the login rules are the same behind both doors. Blocking:
 * login and password changes run Argon2id (about a second at the default
 * cost); call them from a worker thread in the UI.
 */
typedef struct _TwSession TwSession;

gboolean    tw_data_dir_is_initialized (const char  *data_dir);
char       *tw_data_dir_get_default    (void);

gboolean    tw_password_check_policy   (const char  *password,
                                        GError     **error);

TwSession  *tw_session_initialize      (const char  *data_dir,
                                        const char  *admin_name,
                                        const char  *password,
                                        TwKdfCost    cost,
                                        GError     **error);
TwSession  *tw_session_login           (const char  *data_dir,
                                        const char  *user,
                                        const char  *password,
                                        GError     **error);
void        tw_session_free            (TwSession   *session);

const char *tw_session_get_user        (TwSession   *session);
TwRole      tw_session_get_role        (TwSession   *session);
const char *tw_session_get_data_dir    (TwSession   *session);
gboolean    tw_session_can             (TwSession   *session,
                                        TwPermission permission);

/* A new connection with the session's key; free with tw_store_close(). */
TwStore    *tw_session_open_store      (TwSession   *session,
                                        GError     **error);
/* A copy of the key for a thread that opens its own connection. */
TwKey      *tw_session_dup_key         (TwSession   *session);
const char *tw_session_get_store_path  (TwSession   *session);

gboolean    tw_session_add_user        (TwSession   *session,
                                        const char  *name,
                                        TwRole       role,
                                        const char  *password,
                                        GError     **error);
gboolean    tw_session_set_password    (TwSession   *session,
                                        const char  *name,
                                        const char  *password,
                                        GError     **error);
GPtrArray  *tw_session_list_users      (TwSession   *session,
                                        GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwSession, tw_session_free)

G_END_DECLS
