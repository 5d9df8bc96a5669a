#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * The sidecar is the key file beside the database (tidewatch.keyslots): a
 * JSON object that holds no patient data. Several parts own members of it
 * — the key slots (tw-keyslots.c), the audit head (tw-audit.c) — and
 * several programs write it (the app, twctl), so every change is a
 * read-modify-write under an exclusive lock on "<path>.lock", and the file
 * is replaced atomically. A part changes only its own members.
 */

/* Called with the lock held; @root is the current object (empty when the
 * file does not exist yet). Return FALSE with @error to write nothing. */
typedef gboolean (*TwSidecarUpdateFunc) (JsonObject  *root,
                                         gpointer     user_data,
                                         GError     **error);

gboolean    tw_sidecar_update (const char          *path,
                               gboolean             create,
                               TwSidecarUpdateFunc  func,
                               gpointer             user_data,
                               GError             **error);

/* The current object, read under the lock (a shared one); NULL with
 * %TW_ERROR_NOT_INITIALIZED when there is no file. */
JsonObject *tw_sidecar_read   (const char          *path,
                               GError             **error);

G_END_DECLS
