#pragma once

#include <gio/gio.h>

#include "tw-role.h"
#include "tw-session.h"

G_BEGIN_DECLS

/*
 * The Users page's work, run in GTask workers: account changes go through
 * the session (Argon2id, key files, the audit trail), which the page
 * borrows from the window. A TwSessionGate counts the workers using it, so
 * the page can wait for them before the window signs out or locks and the
 * session's key goes away under a running change.
 */

typedef struct _TwSessionGate TwSessionGate;

TwSessionGate *tw_session_gate_new            (TwSession     *session);
TwSessionGate *tw_session_gate_ref            (TwSessionGate *gate);
void           tw_session_gate_unref          (TwSessionGate *gate);
/* In a worker: the session, or %NULL once the gate is closed. Pair with
 * tw_session_gate_leave(). */
TwSession     *tw_session_gate_enter          (TwSessionGate *gate);
void           tw_session_gate_leave          (TwSessionGate *gate);
/* On the main thread: no worker enters any more; returns once those
 * inside have left (at most one account change, about a second). */
void           tw_session_gate_close          (TwSessionGate *gate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwSessionGate, tw_session_gate_unref)

/* One account as the page shows it. */
typedef struct
{
  char     *name;
  TwRole    role;
  gboolean  disabled;
  gboolean  must_change;
  gboolean  locked_out;   /* until an administrator unlocks */
  gint64    retry_at;     /* wall µs before which a sign-in is refused, 0: none */
  guint     failures;     /* failed sign-ins since the last success */
  GStrv     wards;        /* clinicians' wards, "*" for all; NULL for other roles */
} TwUserInfo;

void tw_user_info_free (TwUserInfo *info);

typedef enum
{
  TW_USER_OP_LOAD,
  TW_USER_OP_ADD,
  TW_USER_OP_EDIT,
  TW_USER_OP_DISABLE,
  TW_USER_OP_ENABLE,
  TW_USER_OP_RESET,
  TW_USER_OP_UNLOCK,
  TW_USER_OP_REMOVE,
} TwUserOpKind;

typedef struct
{
  /* Input */
  TwSessionGate *gate;
  TwUserOpKind   kind;
  guint          serial;
  char          *name;
  TwRole         role;
  gboolean       change_role;
  GStrv          wards;
  gboolean       change_wards;
  GObject       *dialog;      /* (nullable): the dialog that asked */

  /* Results */
  GPtrArray     *users;       /* TwUserInfo*, for a load */
  GStrv          known_wards; /* for a load */
  char          *password;    /* a one-time password to show once (wiped when freed) */
} TwUserOp;

TwUserOp *tw_user_op_new  (TwSessionGate *gate,
                           TwUserOpKind   kind,
                           const char    *name);
void      tw_user_op_free (gpointer       data);
void      tw_user_op_run  (GTask         *task,
                           gpointer       source_object,
                           gpointer       task_data,
                           GCancellable  *cancellable);
/* The removal itself, for tw_window_run_exclusive(): the store is
 * re-encrypted, so the window detaches the pipeline and drops every
 * reader around it. @data is the user name. */
gboolean  tw_user_remove_exclusive (TwSession     *session,
                                    gpointer       data,
                                    GCancellable  *cancellable,
                                    GError       **error);

G_END_DECLS
