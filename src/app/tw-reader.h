#pragma once

#include <glib.h>

#include "tw-role.h"
#include "tw-session.h"
#include "tw-store.h"

G_BEGIN_DECLS

/**
 * TwReader:
 * One read connection to the store, shared by the app's worker tasks and
 * guarded by a mutex (a connection serves one thread at a time). It keeps
 * its own copy of the key, so a query still running when the user locks
 * does not touch the freed session; the last reference closes the
 * connection and wipes the key. It never runs SQL on the thread that
 * creates it: the connection opens lazily in the first worker.
 */
typedef struct _TwReader TwReader;

TwReader *tw_reader_new      (TwSession  *session);
TwReader *tw_reader_ref      (TwReader   *self);
void      tw_reader_unref    (TwReader   *self);
TwRole    tw_reader_get_role (TwReader   *self);
const char *tw_reader_get_data_dir (TwReader *self);

TwStore  *tw_reader_lock     (TwReader   *self,
                              GError    **error);
void      tw_reader_unlock   (TwReader   *self);

guint     tw_reader_get_n_alive (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwReader, tw_reader_unref)

G_END_DECLS
