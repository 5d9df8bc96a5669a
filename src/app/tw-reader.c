#include "config.h"

#include <glib/gi18n.h>

#include "tw-error.h"
#include "tw-reader.h"
#include "tw-store-private.h"

/* Readers alive in this process, each with a copy of the key: locking
 * waits for this to reach zero (a worker may hold the last reference a
 * little longer than the page that dropped it), and the UI test asserts
 * it. Process-wide by nature, like the key copies it counts. */
static gint n_alive;

struct _TwReader
{
  gatomicrefcount  ref_count;
  GMutex           mutex;
  char            *store_path;
  char            *data_dir;
  char            *user;
  char            *sidecar_path;
  TwKey           *key;
  TwRole           role;
  TwStore         *store;
};

/**
 * tw_reader_new:
 * @session: a signed-in session
 *
 * Returns: (transfer full): a reader for @session's store
 */
TwReader *
tw_reader_new (TwSession *session)
{
  TwReader *self;

  g_return_val_if_fail (session != NULL, NULL);

  self = g_new0 (TwReader, 1);
  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->mutex);
  self->store_path = g_strdup (tw_session_get_store_path (session));
  self->data_dir = g_strdup (tw_session_get_data_dir (session));
  self->user = g_strdup (tw_session_get_user (session));
  self->sidecar_path = g_build_filename (self->data_dir, TW_KEYSLOTS_FILENAME, NULL);
  self->key = tw_session_dup_key (session);
  self->role = tw_session_get_role (session);
  g_atomic_int_inc (&n_alive);

  return self;
}

TwReader *
tw_reader_ref (TwReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
tw_reader_unref (TwReader *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->store, tw_store_close);
  g_clear_pointer (&self->key, tw_key_free);
  g_clear_pointer (&self->store_path, g_free);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->sidecar_path, g_free);
  g_mutex_clear (&self->mutex);
  g_free (self);
  g_atomic_int_dec_and_test (&n_alive);
}

/**
 * tw_reader_get_n_alive:
 *
 * Returns: how many readers (and so key copies) exist in this process
 */
guint
tw_reader_get_n_alive (void)
{
  return (guint) g_atomic_int_get (&n_alive);
}

/* The data directory, for what lives beside the store (the site's limits). */
const char *
tw_reader_get_data_dir (TwReader *self)
{
  return self->data_dir;
}

TwRole
tw_reader_get_role (TwReader *self)
{
  g_return_val_if_fail (self != NULL, TW_ROLE_ANALYST);

  return self->role;
}

/**
 * tw_reader_lock:
 * @self: a reader
 * @error: return location for an error
 *
 * Takes the connection for the calling thread, opening it on first use.
 * Blocking; call it from a worker thread and always pair a successful call
 * with tw_reader_unlock().
 *
 * Returns: (transfer none) (nullable): the connection, or %NULL with
 *   @error set (and the reader unlocked) when it cannot be opened
 */
TwStore *
tw_reader_lock (TwReader  *self,
                GError   **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->mutex);

  if (self->store == NULL && self->key == NULL)
    {
      /* Made from a locked session: it holds no key, so it reads nothing. */
      g_set_error_literal (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                           _("The window is locked"));
      g_mutex_unlock (&self->mutex);
      return NULL;
    }

  if (self->store == NULL)
    {
      self->store = tw_store_open (self->store_path, self->key, FALSE, error);
      /* tw_store_open() alone reads masked and unscoped; the session's
       * role, user (ward scope, audit actor) and key file (audit head)
       * decide, as in tw_session_open_store(). */
      if (self->store != NULL)
        {
          tw_store_set_role (self->store, self->role);
          tw_store_set_user (self->store, self->user);
          tw_store_set_sidecar (self->store, self->sidecar_path);
        }
    }

  if (self->store == NULL)
    {
      g_mutex_unlock (&self->mutex);
      return NULL;
    }

  return self->store;
}

void
tw_reader_unlock (TwReader *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_unlock (&self->mutex);
}
