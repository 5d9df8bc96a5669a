#pragma once

#include "tw-session.h"

G_BEGIN_DECLS

#define TW_USER_NAME_MAX 64

/* Shared by the session's files (tw-session.c: sign-in and lock;
 * tw-session-users.c: accounts; tw-session-scope.c: wards, break-glass). */
struct _TwSession
{
  char     *data_dir;
  char     *store_path;
  char     *keyslots_path;
  char     *user;
  TwRole    role;
  TwKey    *key;               /* NULL while locked */
  gboolean  must_change;       /* signed in with a one-time password */
  int       inuse_fd;          /* shared lock on tidewatch.inuse while open, -1 none */
  char     *audit_warning;     /* set at sign-in/unlock for admins, NULL: all well */
  GArray   *break_glass;       /* gint64 grant ids opened in this session */
};

gboolean tw_session_check_user_name (const char  *name,
                                     GError     **error);
/* %TW_ERROR_PERMISSION_DENIED unless the session's role may. */
gboolean tw_session_require         (TwSession    *session,
                                     TwPermission  permission,
                                     const char   *what,
                                     GError      **error);
/* Exclusive use of the store across processes (for a rekey): FALSE with
 * %TW_ERROR_IN_USE while another program has it open. Release with
 * tw_session_release_exclusive(), which returns to the shared lock. */
gboolean tw_session_take_exclusive  (TwSession    *session,
                                     GError      **error);
void     tw_session_release_exclusive (TwSession  *session);
/* Closes the emergency-access grants opened through this session
 * (tw_session_break_glass()); tw_session_free() calls it. A locked
 * session has no key: its grants end by the 12 h limit instead. */
void     tw_session_scope_close_all (TwSession    *session);

G_END_DECLS
