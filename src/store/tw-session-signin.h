#pragma once

#include "tw-lockout.h"
#include "tw-session-private.h"

G_BEGIN_DECLS

/* Shared by sign-in (tw-session.c) and unlock (tw-session-lock.c): the
 * same door, the same rules. */

/* Bytes of stack below the caller wiped after a key was unwrapped or
 * handed to SQLCipher: Argon2id, the unwrap and the codec leave copies
 * of the key material in frames that have returned. */
#define TW_SESSION_WIPE_STACK_BYTES (64 * 1024)

void     tw_session_wipe_stack        (void);

/* The lockout policy of @data_dir (the defaults when security.json is
 * damaged, with a warning). */
void     tw_session_load_policy       (const char       *data_dir,
                                       TwLockoutPolicy  *out_policy);

/* Lockout check, attempt written down, Argon2id unwrap; a wrong password
 * is recorded and told with what comes next. *@out_attempt is the
 * attempt to answer with tw_lockout_record_success() or _refused(). */
TwKey   *tw_session_authenticate      (const char       *data_dir,
                                       const char       *user,
                                       const char       *password,
                                       TwRole           *out_role,
                                       gint64           *out_attempt,
                                       GError          **error);

/* A connection with the session's key for the session's own records
 * (no must-change check: a sign-in and a lock are audited regardless). */
TwStore *tw_session_connect           (TwSession        *session,
                                       GError          **error);

/* The store agrees the account may sign in (exists, enabled, the same
 * role as its slot). Sets the session's must-change flag. */
gboolean tw_session_check_account     (TwSession        *session,
                                       TwStore          *store,
                                       TwRole            slot_role,
                                       GError          **error);

/* After the password was right (tw-session-lock.c): records the success,
 * imports the failed attempts since the last sign-in into the audit
 * trail, anchors the sign-in log and reports tampering with it, appends
 * @action ("login", "unlock") and, for admins, checks the audit trail.
 * Fills the session's audit warning. */
gboolean tw_session_finish_sign_in    (TwSession        *session,
                                       TwStore          *store,
                                       gint64            attempt,
                                       const char       *action,
                                       GError          **error);

G_END_DECLS
