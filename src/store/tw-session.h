#pragma once

#include <glib.h>

#include "tw-keyslots.h"
#include "tw-password.h"
#include "tw-role.h"
#include "tw-store.h"

G_BEGIN_DECLS

#define TW_STORE_FILENAME    "tidewatch.db"
#define TW_KEYSLOTS_FILENAME "tidewatch.keyslots"
#define TW_INUSE_FILENAME    "tidewatch.inuse"

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

/* ---- Issue 6: users (tw-session-users.c) -------------------------------
 * Every change is audited with the session's user as the actor. */

/* Change your own password: re-wraps only your slot; clears the
 * must-change flag of a one-time password. */
gboolean    tw_session_change_password (TwSession   *session,
                                        const char  *old_password,
                                        const char  *new_password,
                                        GError     **error);
/* Signed in with a one-time password: nothing but
 * tw_session_change_password() is allowed until it is changed
 * (tw_session_open_store() fails with %TW_ERROR_PASSWORD_EXPIRED). */
gboolean    tw_session_must_change_password (TwSession *session);
gboolean    tw_session_set_user_disabled (TwSession   *session,
                                          const char  *name,
                                          gboolean     disabled,
                                          GError     **error);
/* A new one-time password for @name (shown once by the caller, then
 * wiped with tw_password_free()); @name must change it at next sign-in. */
char       *tw_session_reset_password  (TwSession   *session,
                                        const char  *name,
                                        GError     **error);
/* Re-seals the database key to @name's slot with the new role (no
 * password needed) and updates the store. */
gboolean    tw_session_set_user_role   (TwSession   *session,
                                        const char  *name,
                                        TwRole       role,
                                        GError     **error);
/* Removes the slot and the user, then rekeys the store and re-seals the
 * new key to every remaining slot. Needs the store to itself: fails with
 * %TW_ERROR_IN_USE while another program has it open; in this process
 * the caller closes its other connections first (the app detaches the
 * pipeline's key, see tw_pipeline_detach_key()). The session holds the
 * new key afterwards. */
gboolean    tw_session_remove_user     (TwSession   *session,
                                        const char  *name,
                                        GError     **error);
/* Clears @name's failed sign-ins (tw_lockout_unlock()) and audits it. */
gboolean    tw_session_unlock_user     (TwSession   *session,
                                        const char  *name,
                                        GError     **error);

/* ---- Issue 6: sign-in, lock and lockout (tw-session.c,
 * tw-session-lock.c, tw-lockout.h) ---------------------------------------
 * tw_session_login() and tw_session_unlock() check the lockout before
 * Argon2id runs (%TW_ERROR_LOCKED_OUT: how long to wait, or that an
 * administrator must unlock), count a failure (%TW_ERROR_AUTH_FAILED says
 * what comes next), and on success import the failures since the last
 * sign-in into the audit trail, check the sign-in log against the store
 * and, for admins, the audit trail (tw_session_get_audit_warning()). */

/* Audits "lock", then wipes the key (and closes nothing else: callers
 * drop their connections and copies first). User and role are kept for
 * the lock screen. */
void        tw_session_lock            (TwSession   *session);
gboolean    tw_session_is_locked       (TwSession   *session);
/* The same user signs in again: lockout, Argon2id, audit "unlock". */
gboolean    tw_session_unlock          (TwSession   *session,
                                        const char  *password,
                                        GError     **error);
/* What the checks at the last sign-in or unlock found (an edited
 * sign-in log, a damaged audit trail, tampering found at other users'
 * sign-ins since): sentences to show, for admins only; NULL for other
 * roles, while locked, or when all is well. */
const char *tw_session_get_audit_warning (TwSession *session);

/* ---- Issue 6: ward scope and emergency access (tw-session-scope.c) ---- */

/* Clinicians see the patients of their wards (admins assign them). */
gboolean    tw_session_set_user_wards  (TwSession          *session,
                                        const char         *name,
                                        const char * const *wards,
                                        GError            **error);
GStrv       tw_session_get_user_wards  (TwSession          *session,
                                        const char         *name,
                                        GError            **error);
/* Break-glass: opens @patient (key, MRN, pseudonym or bed) outside the
 * clinician's wards for this session, with a mandatory reason; audited
 * and listed for review. Returns the grant id (> 0), 0 with @error. */
gint64      tw_session_break_glass     (TwSession          *session,
                                        const char         *patient,
                                        const char         *reason,
                                        GError            **error);
gboolean    tw_session_close_break_glass (TwSession        *session,
                                          gint64            grant_id,
                                          GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwSession, tw_session_free)

G_END_DECLS
