#include "config.h"

#include <glib/gi18n.h>

#include "tw-error.h"
#include "tw-lockout.h"
#include "tw-password.h"
#include "tw-store-scope.h"
#include "tw-users-query.h"

/*
 * Account changes and the list of accounts, in GTask workers. Every
 * change is audited by the core with the signed-in administrator as the
 * actor.
 */

struct _TwSessionGate
{
  gatomicrefcount  ref_count;
  GMutex           mutex;
  GCond            cond;
  TwSession       *session;   /* borrowed; NULL once closed */
  guint            inside;
};

TwSessionGate *
tw_session_gate_new (TwSession *session)
{
  TwSessionGate *gate = g_new0 (TwSessionGate, 1);

  g_atomic_ref_count_init (&gate->ref_count);
  g_mutex_init (&gate->mutex);
  g_cond_init (&gate->cond);
  gate->session = session;

  return gate;
}

TwSessionGate *
tw_session_gate_ref (TwSessionGate *gate)
{
  g_atomic_ref_count_inc (&gate->ref_count);

  return gate;
}

void
tw_session_gate_unref (TwSessionGate *gate)
{
  if (!g_atomic_ref_count_dec (&gate->ref_count))
    return;

  g_mutex_clear (&gate->mutex);
  g_cond_clear (&gate->cond);
  g_free (gate);
}

TwSession *
tw_session_gate_enter (TwSessionGate *gate)
{
  TwSession *session;

  g_mutex_lock (&gate->mutex);
  session = gate->session;
  if (session != NULL)
    gate->inside++;
  g_mutex_unlock (&gate->mutex);

  return session;
}

void
tw_session_gate_leave (TwSessionGate *gate)
{
  g_mutex_lock (&gate->mutex);
  g_assert (gate->inside > 0);
  if (--gate->inside == 0)
    g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->mutex);
}

void
tw_session_gate_close (TwSessionGate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->session = NULL;
  while (gate->inside > 0)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);
}

void
tw_user_info_free (TwUserInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->name);
  g_strfreev (info->wards);
  g_free (info);
}

TwUserOp *
tw_user_op_new (TwSessionGate *gate,
                TwUserOpKind   kind,
                const char    *name)
{
  TwUserOp *op = g_new0 (TwUserOp, 1);

  op->gate = tw_session_gate_ref (gate);
  op->kind = kind;
  op->name = g_strdup (name);

  return op;
}

void
tw_user_op_free (gpointer data)
{
  TwUserOp *op = data;

  g_clear_pointer (&op->gate, tw_session_gate_unref);
  g_clear_pointer (&op->name, g_free);
  g_clear_pointer (&op->wards, g_strfreev);
  g_clear_object (&op->dialog);
  g_clear_pointer (&op->users, g_ptr_array_unref);
  g_clear_pointer (&op->known_wards, g_strfreev);
  g_clear_pointer (&op->password, tw_password_free);
  g_free (op);
}

/* Loading */

static void
read_lockout (const char            *data_dir,
              const TwLockoutPolicy *policy,
              TwUserInfo            *info)
{
  g_autoptr(GError) error = NULL;
  TwLockoutState state = { 0 };

  /* The list still shows the account when its counter cannot be read. */
  if (!tw_lockout_get_state (data_dir, info->name, policy, &state, &error))
    {
      g_debug ("No lockout state for %s: %s", info->name, error->message);
      return;
    }

  info->locked_out = state.locked;
  info->failures = state.failures;
  info->retry_at = state.retry_at > g_get_real_time () ? state.retry_at : 0;
}

static gboolean
load_users (TwSession  *session,
            TwUserOp   *op,
            GError    **error)
{
  const char *data_dir = tw_session_get_data_dir (session);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(TwStore) store = NULL;
  TwLockoutPolicy policy = { 0 };
  g_autoptr(GError) policy_error = NULL;
  gboolean have_policy;

  rows = tw_session_list_users (session, error);
  if (rows == NULL)
    return FALSE;
  store = tw_session_open_store (session, error);
  if (store == NULL)
    return FALSE;
  op->known_wards = tw_store_list_wards (store, error);
  if (op->known_wards == NULL)
    return FALSE;

  have_policy = tw_lockout_policy_load (data_dir, &policy, &policy_error);
  if (!have_policy)
    g_debug ("No lockout policy: %s", policy_error->message);

  op->users = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_user_info_free);
  for (guint i = 0; i < rows->len; i++)
    {
      const TwUserRow *row = g_ptr_array_index (rows, i);
      TwUserInfo *info = g_new0 (TwUserInfo, 1);

      info->name = g_strdup (row->name);
      info->role = row->role;
      info->disabled = row->disabled;
      info->must_change = row->must_change_password;
      if (row->role == TW_ROLE_CLINICIAN)
        {
          info->wards = tw_store_get_user_wards (store, row->name, error);
          if (info->wards == NULL)
            {
              tw_user_info_free (info);
              return FALSE;
            }
        }
      if (have_policy)
        read_lockout (data_dir, &policy, info);
      g_ptr_array_add (op->users, info);
    }

  return TRUE;
}

/* Changes */

static gboolean
add_user (TwSession  *session,
          TwUserOp   *op,
          GError    **error)
{
  char *first = tw_password_generate_one_time ();
  gboolean added;

  /* The account is created with a random password nobody sees, then given
   * the one-time password shown to the administrator: the reset is what
   * makes the user choose their own at the first sign-in. */
  added = tw_session_add_user (session, op->name, op->role, first, error);
  tw_password_free (first);
  if (!added)
    return FALSE;

  if (op->role == TW_ROLE_CLINICIAN && op->wards != NULL && op->wards[0] != NULL
      && !tw_session_set_user_wards (session, op->name, (const char * const *) op->wards, error))
    return FALSE;

  op->password = tw_session_reset_password (session, op->name, error);
  return op->password != NULL;
}

static gboolean
edit_user (TwSession  *session,
           TwUserOp   *op,
           GError    **error)
{
  if (op->change_role && !tw_session_set_user_role (session, op->name, op->role, error))
    return FALSE;

  /* Wards are a clinician's: another role keeps none. */
  if (op->change_wards || (op->change_role && op->role != TW_ROLE_CLINICIAN))
    {
      const char * const none[] = { NULL };
      const char * const *wards = op->role == TW_ROLE_CLINICIAN && op->wards != NULL
                                  ? (const char * const *) op->wards : none;

      if (!tw_session_set_user_wards (session, op->name, wards, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
run_op (TwSession  *session,
        TwUserOp   *op,
        GError    **error)
{
  switch (op->kind)
    {
    case TW_USER_OP_LOAD:
      return load_users (session, op, error);
    case TW_USER_OP_ADD:
      return add_user (session, op, error);
    case TW_USER_OP_EDIT:
      return edit_user (session, op, error);
    case TW_USER_OP_DISABLE:
    case TW_USER_OP_ENABLE:
      return tw_session_set_user_disabled (session, op->name, op->kind == TW_USER_OP_DISABLE,
                                           error);
    case TW_USER_OP_RESET:
      op->password = tw_session_reset_password (session, op->name, error);
      return op->password != NULL;
    case TW_USER_OP_UNLOCK:
      return tw_session_unlock_user (session, op->name, error);
    case TW_USER_OP_REMOVE:
      /* Goes through the window: the pipeline detaches around it. */
    default:
      g_assert_not_reached ();
    }
}

void
tw_user_op_run (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  TwUserOp *op = task_data;
  g_autoptr(GError) error = NULL;
  TwSession *session = tw_session_gate_enter (op->gate);
  gboolean ok;

  if (session == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The session ended before the change");
      return;
    }

  ok = run_op (session, op, &error);
  tw_session_gate_leave (op->gate);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

gboolean
tw_user_remove_exclusive (TwSession     *session,
                          gpointer       data,
                          GCancellable  *cancellable,
                          GError       **error)
{
  return tw_session_remove_user (session, data, error);
}
