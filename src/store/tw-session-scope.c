#include "tw-error.h"
#include "tw-session-private.h"
#include "tw-store-private.h"
#include "tw-store-scope.h"

/* Wards and emergency access for a signed-in session. The rules are the
 * store's (tw-store-scope.c); a session adds who asks and remembers the
 * grants it opened, so signing out closes them. */

gboolean
tw_session_set_user_wards (TwSession          *self,
                           const char         *name,
                           const char * const *wards,
                           GError            **error)
{
  g_autoptr(TwStore) store = NULL;

  g_return_val_if_fail (self != NULL && name != NULL, FALSE);

  if (!tw_session_require (self, TW_PERM_MANAGE_USERS, "Assigning wards", error))
    return FALSE;
  store = tw_session_open_store (self, error);
  return store != NULL && tw_store_set_user_wards (store, name, wards, error);
}

GStrv
tw_session_get_user_wards (TwSession   *self,
                           const char  *name,
                           GError     **error)
{
  g_autoptr(TwStore) store = NULL;

  g_return_val_if_fail (self != NULL && name != NULL, NULL);

  store = tw_session_open_store (self, error);
  if (store == NULL)
    return NULL;
  return tw_store_get_user_wards (store, name, error);
}

gint64
tw_session_break_glass (TwSession   *self,
                        const char  *patient,
                        const char  *reason,
                        GError     **error)
{
  g_autoptr(TwStore) store = NULL;
  gint64 id;

  g_return_val_if_fail (self != NULL, 0);

  if (!tw_session_require (self, TW_PERM_BREAK_GLASS, "Emergency access", error))
    return 0;
  store = tw_session_open_store (self, error);
  if (store == NULL)
    return 0;
  id = tw_store_open_break_glass (store, patient, reason, error);
  if (id > 0)
    g_array_append_val (self->break_glass, id);
  return id;
}

static void
forget_grant (TwSession *self,
              gint64     grant_id)
{
  for (guint i = 0; i < self->break_glass->len; i++)
    if (g_array_index (self->break_glass, gint64, i) == grant_id)
      {
        g_array_remove_index (self->break_glass, i);
        return;
      }
}

gboolean
tw_session_close_break_glass (TwSession  *self,
                              gint64      grant_id,
                              GError    **error)
{
  g_autoptr(TwStore) store = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  store = tw_session_open_store (self, error);
  if (store == NULL || !tw_store_close_break_glass (store, grant_id, error))
    return FALSE;
  forget_grant (self, grant_id);
  return TRUE;
}

/* Signing out ends the emergency: what the clinician opened is closed
 * (and audited as closed), not left open for the next person at the
 * workstation. A grant closed already (by its holder in another program,
 * or by an administrator) is simply forgotten. */
void
tw_session_scope_close_all (TwSession *self)
{
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (self == NULL || self->break_glass == NULL || self->break_glass->len == 0)
    return;
  if (self->key == NULL || self->must_change)
    return;  /* locked: the 12 h limit ends them */
  store = tw_session_open_store (self, &error);
  if (store == NULL)
    {
      g_warning ("Emergency access could not be closed at sign-out: %s", error->message);
      return;
    }
  for (guint i = 0; i < self->break_glass->len; i++)
    {
      gint64 id = g_array_index (self->break_glass, gint64, i);

      if (!tw_store_close_break_glass (store, id, &error))
        {
          g_debug ("Emergency access %" G_GINT64_FORMAT " not closed: %s", id, error->message);
          g_clear_error (&error);
        }
    }
  g_array_set_size (self->break_glass, 0);
}
