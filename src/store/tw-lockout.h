#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TW_LOCKOUT_FILENAME  "tidewatch.lockout"
#define TW_SECURITY_FILENAME "security.json"
#define TW_LOCKOUT_HASH_BYTES 32

/**
 * Failed sign-ins, counted outside the encrypted store (there is no key
 * before a sign-in succeeds) in a file beside it, the same for the app and
 * twctl. After @free_failures failures each further attempt waits
 * @base_delay_s doubling up to @max_delay_s; after @max_failures the
 * account is locked until an admin unlocks it. The file is a hash chain of
 * events (attempt, failure, success, unlock); its head is anchored in the
 * store at every successful sign-in, so an edit, a deletion or a reset of
 * the file is detected at the next one (and audited as tampering). Unknown
 * user names are counted like real ones: the answer never tells which
 * exist. An attacker who can write these files can also copy the key file
 * and guess offline; the counter defends the doors (app, twctl), the
 * Argon2id cost defends the copy.
 *
 * An attempt is written down before Argon2id runs and counts as a failure
 * until its answer is recorded, so parallel programs get no extra guesses
 * and killing a program once it knows the answer does not erase a guess.
 */
typedef struct
{
  guint max_failures;     /* default 10 */
  guint free_failures;    /* default 3 */
  guint base_delay_s;     /* default 2 */
  guint max_delay_s;      /* default 300 */
  guint compact_after;    /* events; beyond, a review keeps only what counts (4096) */
} TwLockoutPolicy;

/* The defaults, overridden by "lockout" in <data_dir>/security.json. On
 * FALSE (a damaged file, values out of range) @out_policy still holds
 * the defaults, so a sign-in can go on with them. */
gboolean tw_lockout_policy_load   (const char       *data_dir,
                                   TwLockoutPolicy  *out_policy,
                                   GError          **error);

typedef struct
{
  guint  failures;        /* since the last success or unlock */
  gint64 last_failure;    /* wall µs, 0 when none */
  gint64 retry_at;        /* wall µs before which an attempt is refused, 0: now */
  gboolean locked;        /* until an admin unlocks */
} TwLockoutState;

gboolean tw_lockout_get_state     (const char            *data_dir,
                                   const char            *user,
                                   const TwLockoutPolicy *policy,
                                   TwLockoutState        *out_state,
                                   GError               **error);
/* Before Argon2id: %TW_ERROR_LOCKED_OUT with how long to wait, or that an
 * administrator must unlock the account. Reads only. */
gboolean tw_lockout_check         (const char            *data_dir,
                                   const char            *user,
                                   const TwLockoutPolicy *policy,
                                   GError               **error);
/* tw_lockout_check() and, when it passes, writes the attempt down (one
 * step under the file's lock). *@out_attempt names it for the answer. */
gboolean tw_lockout_begin_attempt (const char            *data_dir,
                                   const char            *user,
                                   const TwLockoutPolicy *policy,
                                   gint64                *out_attempt,
                                   GError               **error);

/* The name a sign-in is counted under: @user when it names an account of
 * the key file (which lists them anyway), else "?" and a hash of it keyed
 * with @salt (the store id), so a password typed into the name field is
 * not kept in clear beside the store. Still, whoever can read the data
 * directory can test guesses against such a hash quickly: it hides, it
 * does not protect like Argon2id. */
char    *tw_lockout_count_name    (const char            *user,
                                   gboolean               known,
                                   const char            *salt);
/* tw_lockout_begin_attempt() counting under @counted_as while the refusal
 * names @user as typed (the same words for every name). */
gboolean tw_lockout_begin_attempt_as (const char            *data_dir,
                                      const char            *user,
                                      const char            *counted_as,
                                      const TwLockoutPolicy *policy,
                                      gint64                *out_attempt,
                                      GError               **error);
/* The password was wrong (or the name unknown): the attempt stays
 * counted. @out_state (may be NULL) is the state after it. */
gboolean tw_lockout_record_failure (const char           *data_dir,
                                    const char           *user,
                                    gint64                attempt,
                                    const TwLockoutPolicy *policy,
                                    TwLockoutState       *out_state,
                                    GError              **error);
/* Signed in: the user's failures up to @attempt no longer count. */
gboolean tw_lockout_record_success (const char           *data_dir,
                                    const char           *user,
                                    gint64                attempt,
                                    GError              **error);
/* The password was right but the sign-in was refused for another reason
 * (a disabled account, a damaged key file): not a guess, not counted. */
gboolean tw_lockout_record_refused (const char           *data_dir,
                                    const char           *user,
                                    gint64                attempt,
                                    GError              **error);
gboolean tw_lockout_unlock        (const char            *data_dir,
                                   const char            *user,
                                   const char            *by_admin,
                                   GError               **error);
/* Users currently locked out or waiting (for the admin's user list). */
GStrv    tw_lockout_list_locked   (const char            *data_dir,
                                   const TwLockoutPolicy *policy,
                                   GError               **error);

/* Sets @error to what a wrong password tells the user: %TW_ERROR_AUTH_FAILED,
 * the same words for unknown names, and what comes next (tries left, how
 * long to wait, or that an administrator must unlock the account). */
void     tw_lockout_set_failure_error (GError               **error,
                                       const char            *user,
                                       const TwLockoutState  *state,
                                       const TwLockoutPolicy *policy);

/* ---- anchoring (tw-session.c keeps the head in the store) ------------- */

typedef struct
{
  gint64 seq;                             /* 0: an empty log */
  guint8 hash[TW_LOCKOUT_HASH_BYTES];
} TwLockoutHead;

/* "seq:hex", for store_meta. */
char    *tw_lockout_head_to_string   (const TwLockoutHead *head);
gboolean tw_lockout_head_from_string (const char          *text,
                                      TwLockoutHead       *out_head);

typedef struct
{
  gint64   seq;
  gint64   at;            /* wall µs of the attempt */
  char    *user;          /* as typed: may name no account */
  gboolean interrupted;   /* no answer was recorded: the program stopped */
  gboolean locked_account; /* this failure reached the limit */
} TwLockoutFailure;

void tw_lockout_failure_free (TwLockoutFailure *failure);

/**
 * tw_lockout_review:
 * @anchor: the head recorded at the previous successful sign-in, or %NULL
 *   when none was recorded yet
 * @out_failures: (transfer container) (element-type TwLockoutFailure):
 *   the failed attempts after @anchor, oldest first
 * @out_head: the log's head now (to anchor)
 * @out_problem: (transfer full): %NULL when the log is intact and holds
 *   @anchor; else one sentence on what was done to it (edited, truncated,
 *   deleted or reset)
 *
 * When the chain itself is broken the log is re-chained (its events
 * kept), so a problem is reported once; beyond @policy's compact_after
 * events it keeps only the attempts that still count and the last event.
 * Returns FALSE only when the log could not be read or written.
 */
gboolean tw_lockout_review (const char            *data_dir,
                            const TwLockoutHead   *anchor,
                            const TwLockoutPolicy *policy,
                            GPtrArray            **out_failures,
                            TwLockoutHead         *out_head,
                            char                 **out_problem,
                            GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwLockoutFailure, tw_lockout_failure_free)

G_END_DECLS
