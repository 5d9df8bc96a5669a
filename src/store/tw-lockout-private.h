#pragma once

#include "tw-lockout.h"

G_BEGIN_DECLS

/* The sign-in log's file (tw-lockout-log.c), shared with the counting and
 * the review (tw-lockout.c). */

typedef enum
{
  TW_LOCKOUT_EVENT_ATTEMPT,
  TW_LOCKOUT_EVENT_FAILURE,
  TW_LOCKOUT_EVENT_SUCCESS,
  TW_LOCKOUT_EVENT_REFUSED,
  TW_LOCKOUT_EVENT_UNLOCK,
  TW_LOCKOUT_N_EVENTS
} TwLockoutEventKind;

typedef struct
{
  gint64             seq;
  gint64             at;
  TwLockoutEventKind kind;
  char              *user;
  char              *by;       /* unlock: the admin */
  gint64             ref;      /* failure, success, refused: the attempt answered */
  guint8             hash[TW_LOCKOUT_HASH_BYTES];
} TwLockoutEvent;

typedef struct
{
  char      *text;        /* the file as read ("" when missing) */
  GPtrArray *events;      /* TwLockoutEvent*, in file order */
  guint      broken_line; /* first line that breaks the chain (1-based), 0: intact */
} TwLockoutLog;

void          tw_lockout_log_clear     (TwLockoutLog  *log);
/* An flock on the log's own lock file; -1 with @error. */
int           tw_lockout_log_lock      (const char    *data_dir,
                                        int            operation,
                                        GError       **error);
void          tw_lockout_log_unlock    (int            fd);
/* Under the lock: every line that parses (a missing file is empty). */
gboolean      tw_lockout_log_read      (const char    *data_dir,
                                        TwLockoutLog  *out_log,
                                        GError       **error);
gint64        tw_lockout_log_last_seq  (TwLockoutLog  *log);
const guint8 *tw_lockout_log_last_hash (TwLockoutLog  *log);
/* Under an exclusive lock: one event chained to the last, written
 * atomically; @log is what was read and is not updated. */
gboolean      tw_lockout_log_append    (const char          *data_dir,
                                        TwLockoutLog        *log,
                                        TwLockoutEventKind   kind,
                                        const char          *user,
                                        const char          *by,
                                        gint64               ref,
                                        gint64              *out_seq,
                                        GError             **error);
/* Under an exclusive lock: a fresh chain over the events for which @keep
 * returns TRUE (all when %NULL), their sequence numbers kept (so answers
 * to attempts still refer to them); @log becomes what was written. */
gboolean      tw_lockout_log_rewrite   (const char          *data_dir,
                                        TwLockoutLog        *log,
                                        GHRFunc              keep,
                                        gpointer             user_data,
                                        GError             **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TwLockoutLog, tw_lockout_log_clear)

G_END_DECLS
