#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TW_LOCKOUT_FILENAME  "tidewatch.lockout"
#define TW_SECURITY_FILENAME "security.json"

/**
 * Failed sign-ins, counted outside the encrypted store (there is no key
 * before a sign-in succeeds) in a file beside it, the same for the app and
 * twctl. After @free_failures failures each further attempt waits
 * @base_delay_s doubling up to @max_delay_s; after @max_failures the
 * account is locked until an admin unlocks it. The file is a hash chain of
 * events (failure, success, unlock); its head is anchored in the store at
 * every successful sign-in, so an edit, a deletion or a reset of the file
 * is detected at the next one (and audited as tampering). Unknown user
 * names are counted like real ones: the answer never tells which exist.
 * An attacker who can write these files can also copy the key file and
 * guess offline; the counter defends the doors (app, twctl), the Argon2id
 * cost defends the copy.
 */
typedef struct
{
  guint max_failures;     /* default 10 */
  guint free_failures;    /* default 3 */
  guint base_delay_s;     /* default 2 */
  guint max_delay_s;      /* default 300 */
} TwLockoutPolicy;

/* The defaults, overridden by "lockout" in <data_dir>/security.json. */
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
 * administrator must unlock the account. */
gboolean tw_lockout_check         (const char            *data_dir,
                                   const char            *user,
                                   const TwLockoutPolicy *policy,
                                   GError               **error);
gboolean tw_lockout_record_failure (const char           *data_dir,
                                    const char           *user,
                                    const TwLockoutPolicy *policy,
                                    TwLockoutState       *out_state,
                                    GError              **error);
gboolean tw_lockout_record_success (const char           *data_dir,
                                    const char           *user,
                                    GError              **error);
gboolean tw_lockout_unlock        (const char            *data_dir,
                                   const char            *user,
                                   const char            *by_admin,
                                   GError               **error);
/* Users currently locked out or waiting (for the admin's user list). */
GStrv    tw_lockout_list_locked   (const char            *data_dir,
                                   const TwLockoutPolicy *policy,
                                   GError               **error);

G_END_DECLS
