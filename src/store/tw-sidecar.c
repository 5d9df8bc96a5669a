#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "tw-error.h"
#include "tw-sidecar.h"

#define SIDECAR_MODE 0600

/* A separate lock file, because the sidecar itself is replaced by rename
 * (a lock on the old inode would not stop a writer of the new one). */
static int
lock_sidecar (const char  *path,
              int          operation,
              GError     **error)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  int fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, SIDECAR_MODE);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "Could not open %s: %s", lock_path,
                   g_strerror (saved_errno));
      return -1;
    }
  while (flock (fd, operation) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == EINTR)
        continue;
      g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "Could not lock %s: %s", lock_path,
                   g_strerror (saved_errno));
      close (fd);
      return -1;
    }
  return fd;
}

static void
unlock_sidecar (int fd)
{
  flock (fd, LOCK_UN);
  close (fd);
}

static JsonObject *
parse_object (const char  *path,
              gboolean     missing_ok,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          if (missing_ok)
            return json_object_new ();
          g_set_error (error, TW_ERROR, TW_ERROR_NOT_INITIALIZED,
                       "No key file at %s: the store has not been set up", path);
        }
      else
        {
          g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                       "The key file %s is damaged (%s); restore it from a backup",
                       path, local_error->message);
        }
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "The key file %s is damaged (not a JSON object); restore it from a backup",
                   path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

JsonObject *
tw_sidecar_read (const char  *path,
                 GError     **error)
{
  JsonObject *root;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = lock_sidecar (path, LOCK_SH, error);
  if (fd < 0)
    return NULL;
  root = parse_object (path, FALSE, error);
  unlock_sidecar (fd);
  return root;
}

/**
 * tw_sidecar_update:
 * @create: whether a missing file may be created; when FALSE a missing
 *   file is %TW_ERROR_NOT_INITIALIZED (a part must not resurrect the key
 *   file of a store that was removed)
 *
 * Reads the sidecar, lets @func change its members and writes it back,
 * atomically and durably, all under an exclusive lock.
 */
gboolean
tw_sidecar_update (const char           *path,
                   gboolean              create,
                   TwSidecarUpdateFunc   func,
                   gpointer              user_data,
                   GError              **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (path != NULL && func != NULL, FALSE);

  fd = lock_sidecar (path, LOCK_EX, error);
  if (fd < 0)
    return FALSE;
  root = parse_object (path, create, error);
  if (root == NULL || !func (root, user_data, error))
    {
      unlock_sidecar (fd);
      return FALSE;
    }

  node = json_node_init_object (json_node_alloc (), root);
  generator = json_generator_new ();
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  /* Atomic and durable: a crash leaves the old file or the new one, never
   * half a file (which would lock everyone out). */
  ok = g_file_set_contents_full (path, text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 SIDECAR_MODE, error);
  unlock_sidecar (fd);
  return ok;
}
