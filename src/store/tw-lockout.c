#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>
#include <sys/file.h>

#include "tw-error.h"
#include "tw-lockout-private.h"
#include "tw-time.h"

/* The lockout policy, what the sign-in log (tw-lockout-log.c) counts
 * against each name, what a user is told, and the review at a successful
 * sign-in. */

#define DEFAULT_MAX         10
#define DEFAULT_FREE        3
#define DEFAULT_BASE_DELAY  2
#define DEFAULT_MAX_DELAY   300
#define DEFAULT_COMPACT     4096
#define MIN_COMPACT         16
#define MAX_COMPACT         (1024 * 1024)
/* Bounds on security.json: a policy outside them is a typo, not a choice. */
#define POLICY_MAX_FAILURES 1000
#define POLICY_MAX_DELAY_S  (24 * 3600)
#define SECONDS_PER_MINUTE  60

typedef struct
{
  gint64 seq;
  gint64 at;
} Attempt;

void
tw_lockout_failure_free (TwLockoutFailure *failure)
{
  if (failure == NULL)
    return;
  g_free (failure->user);
  g_free (failure);
}

/* ---- policy ------------------------------------------------------------ */

static void
policy_defaults (TwLockoutPolicy *policy)
{
  policy->max_failures = DEFAULT_MAX;
  policy->free_failures = DEFAULT_FREE;
  policy->base_delay_s = DEFAULT_BASE_DELAY;
  policy->max_delay_s = DEFAULT_MAX_DELAY;
  policy->compact_after = DEFAULT_COMPACT;
}

static gboolean
read_bound (JsonObject  *lockout,
            const char  *member,
            gint64       min,
            gint64       max,
            guint       *inout_value,
            GError     **error)
{
  JsonNode *node = json_object_get_member (lockout, member);
  gint64 value;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || (value = json_node_get_int (node)) < min || value > max)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "“lockout.%s” must be a whole number from %" G_GINT64_FORMAT " to %"
                   G_GINT64_FORMAT, member, min, max);
      return FALSE;
    }
  *inout_value = (guint) value;
  return TRUE;
}

/**
 * tw_lockout_policy_load:
 * Reads {"lockout": {"max_failures", "free_failures", "base_delay_s",
 * "max_delay_s"}} from <@data_dir>/security.json; a missing file or
 * member keeps the default.
 */
gboolean
tw_lockout_policy_load (const char       *data_dir,
                        TwLockoutPolicy  *out_policy,
                        GError          **error)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  TwLockoutPolicy policy;
  JsonNode *root;
  JsonObject *lockout;

  g_return_val_if_fail (data_dir != NULL && out_policy != NULL, FALSE);

  policy_defaults (out_policy);
  policy = *out_policy;
  path = g_build_filename (data_dir, TW_SECURITY_FILENAME, NULL);
  parser = json_parser_new ();
  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT, "%s is damaged (%s); fix it or"
                   " remove it to use the default sign-in limits", path, local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT, "%s must hold a JSON object", path);
      return FALSE;
    }
  if (!json_object_has_member (json_node_get_object (root), "lockout"))
    return TRUE;
  lockout = json_object_get_object_member (json_node_get_object (root), "lockout");
  if (lockout == NULL)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT, "“lockout” in %s must be an object",
                   path);
      return FALSE;
    }
  if (!read_bound (lockout, "max_failures", 1, POLICY_MAX_FAILURES, &policy.max_failures, error)
      || !read_bound (lockout, "free_failures", 0, POLICY_MAX_FAILURES, &policy.free_failures,
                      error)
      || !read_bound (lockout, "base_delay_s", 0, POLICY_MAX_DELAY_S, &policy.base_delay_s, error)
      || !read_bound (lockout, "max_delay_s", 0, POLICY_MAX_DELAY_S, &policy.max_delay_s, error)
      || !read_bound (lockout, "compact_after_events", MIN_COMPACT, MAX_COMPACT,
                      &policy.compact_after, error))
    return FALSE;
  if (policy.free_failures > policy.max_failures || policy.max_delay_s < policy.base_delay_s)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "In %s, free_failures cannot exceed max_failures nor base_delay_s exceed"
                   " max_delay_s", path);
      return FALSE;
    }
  *out_policy = policy;
  return TRUE;
}

static gboolean
locked_append (const char  *data_dir,
               TwLockoutEventKind    kind,
               const char  *user,
               const char  *by,
               gint64       ref,
               GError     **error)
{
  g_auto(TwLockoutLog) log = { 0 };
  gboolean ok;
  int fd;

  fd = tw_lockout_log_lock (data_dir, LOCK_EX, error);
  if (fd < 0)
    return FALSE;
  ok = tw_lockout_log_read (data_dir, &log, error)
       && tw_lockout_log_append (data_dir, &log, kind, user, by, ref, NULL, error);
  tw_lockout_log_unlock (fd);
  return ok;
}

/* ---- counting ---------------------------------------------------------- */

/* The attempts that count against each user: made since the last
 * success or unlock and not answered by a success or a refusal. */
static GHashTable *
tally (TwLockoutLog                   *log,
       const TwLockoutPolicy *policy,
       GHashTable            *out_locking)
{
  GHashTable *users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_array_unref);

  for (guint i = 0; i < log->events->len; i++)
    {
      TwLockoutEvent *event = g_ptr_array_index (log->events, i);
      GArray *counted = g_hash_table_lookup (users, event->user);

      if (counted == NULL)
        {
          counted = g_array_new (FALSE, FALSE, sizeof (Attempt));
          g_hash_table_insert (users, g_strdup (event->user), counted);
        }
      switch (event->kind)
        {
        case TW_LOCKOUT_EVENT_ATTEMPT:
          {
            Attempt attempt = { event->seq, event->at };

            g_array_append_val (counted, attempt);
            if (out_locking != NULL && policy != NULL && counted->len == policy->max_failures)
              g_hash_table_add (out_locking, GINT_TO_POINTER ((gint) event->seq));
          }
          break;
        case TW_LOCKOUT_EVENT_SUCCESS:
          /* A parallel attempt made after this one still counts. */
          for (guint j = counted->len; j > 0; j--)
            if (g_array_index (counted, Attempt, j - 1).seq <= event->ref)
              g_array_remove_index (counted, j - 1);
          break;
        case TW_LOCKOUT_EVENT_REFUSED:
          for (guint j = 0; j < counted->len; j++)
            if (g_array_index (counted, Attempt, j).seq == event->ref)
              {
                g_array_remove_index (counted, j);
                break;
              }
          break;
        case TW_LOCKOUT_EVENT_UNLOCK:
          g_array_set_size (counted, 0);
          break;
        case TW_LOCKOUT_EVENT_FAILURE:
        case TW_LOCKOUT_N_EVENTS:
        default:
          break;
        }
    }
  return users;
}

static gint64
delay_for (const TwLockoutPolicy *policy,
           guint                  failures)
{
  gint64 delay_s = policy->base_delay_s;

  for (guint i = policy->free_failures; i < failures && delay_s < policy->max_delay_s; i++)
    delay_s *= 2;
  return MIN (delay_s, (gint64) policy->max_delay_s) * TW_USEC_PER_SEC;
}

static void
state_from (GArray                *counted,
            const TwLockoutPolicy *policy,
            TwLockoutState        *out_state)
{
  memset (out_state, 0, sizeof *out_state);
  if (counted == NULL)
    return;
  out_state->failures = counted->len;
  for (guint i = 0; i < counted->len; i++)
    out_state->last_failure = MAX (out_state->last_failure, g_array_index (counted, Attempt, i).at);
  out_state->locked = out_state->failures >= policy->max_failures;
  if (!out_state->locked && out_state->failures >= policy->free_failures
      && out_state->failures > 0 && policy->base_delay_s > 0)
    out_state->retry_at = out_state->last_failure + delay_for (policy, out_state->failures);
}

static void
state_of (TwLockoutLog                   *log,
          const char            *user,
          const TwLockoutPolicy *policy,
          TwLockoutState        *out_state)
{
  g_autoptr(GHashTable) users = tally (log, policy, NULL);

  state_from (g_hash_table_lookup (users, user), policy, out_state);
}

gboolean
tw_lockout_get_state (const char            *data_dir,
                      const char            *user,
                      const TwLockoutPolicy *policy,
                      TwLockoutState        *out_state,
                      GError               **error)
{
  g_auto(TwLockoutLog) log = { 0 };
  gboolean ok;
  int fd;

  g_return_val_if_fail (data_dir != NULL && user != NULL && policy != NULL, FALSE);
  g_return_val_if_fail (out_state != NULL, FALSE);

  fd = tw_lockout_log_lock (data_dir, LOCK_SH, error);
  if (fd < 0)
    return FALSE;
  ok = tw_lockout_log_read (data_dir, &log, error);
  tw_lockout_log_unlock (fd);
  if (ok)
    state_of (&log, user, policy, out_state);
  return ok;
}

/* "4 s", "5 min", "2 min 30 s": rounded up, so waiting that long works. */
static char *
format_wait (gint64 usec)
{
  gint64 seconds = MAX ((usec + TW_USEC_PER_SEC - 1) / TW_USEC_PER_SEC, 1);

  if (seconds < SECONDS_PER_MINUTE)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", seconds);
  if (seconds % SECONDS_PER_MINUTE == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min", seconds / SECONDS_PER_MINUTE);
  return g_strdup_printf ("%" G_GINT64_FORMAT " min %" G_GINT64_FORMAT " s",
                          seconds / SECONDS_PER_MINUTE, seconds % SECONDS_PER_MINUTE);
}

static gboolean
check_state (const char            *user,
             const TwLockoutState  *state,
             GError               **error)
{
  gint64 now = tw_time_now ();

  if (state->locked)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_LOCKED_OUT,
                   "The account ‘%s’ is locked after %u failed sign-ins; an administrator must"
                   " unlock it (`twctl user unlock %s` or the Users page)",
                   user, state->failures, user);
      return FALSE;
    }
  if (state->retry_at > now)
    {
      g_autofree char *wait = format_wait (state->retry_at - now);

      g_set_error (error, TW_ERROR, TW_ERROR_LOCKED_OUT,
                   "Too many failed sign-ins for ‘%s’: wait %s before trying again", user, wait);
      return FALSE;
    }
  return TRUE;
}

gboolean
tw_lockout_check (const char            *data_dir,
                  const char            *user,
                  const TwLockoutPolicy *policy,
                  GError               **error)
{
  TwLockoutState state;

  if (!tw_lockout_get_state (data_dir, user, policy, &state, error))
    return FALSE;
  return check_state (user, &state, error);
}

#define NAME_HASH_DOMAIN "tidewatch-lockout-name-v1"
#define NAME_HASH_BYTES  8

char *
tw_lockout_count_name (const char *user,
                       gboolean    known,
                       const char *salt)
{
  crypto_generichash_state state;
  guint8 hash[NAME_HASH_BYTES];
  char hex[NAME_HASH_BYTES * 2 + 1];

  g_return_val_if_fail (user != NULL, NULL);
  if (known)
    return g_strdup (user);
  crypto_generichash_init (&state, NULL, 0, sizeof hash);
  crypto_generichash_update (&state, (const guint8 *) NAME_HASH_DOMAIN, sizeof NAME_HASH_DOMAIN);
  if (salt != NULL)
    crypto_generichash_update (&state, (const guint8 *) salt, strlen (salt) + 1);
  crypto_generichash_update (&state, (const guint8 *) user, strlen (user));
  crypto_generichash_final (&state, hash, sizeof hash);
  sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
  return g_strconcat ("?", hex, NULL);
}

gboolean
tw_lockout_begin_attempt_as (const char            *data_dir,
                             const char            *user,
                             const char            *counted_as,
                             const TwLockoutPolicy *policy,
                             gint64                *out_attempt,
                             GError               **error)
{
  g_auto(TwLockoutLog) log = { 0 };
  TwLockoutState state;
  gboolean ok;
  int fd;

  g_return_val_if_fail (data_dir != NULL && user != NULL && counted_as != NULL, FALSE);
  g_return_val_if_fail (policy != NULL && out_attempt != NULL, FALSE);

  /* Check and write under one exclusive lock: two programs cannot both
   * pass the check on the same count. */
  fd = tw_lockout_log_lock (data_dir, LOCK_EX, error);
  if (fd < 0)
    return FALSE;
  ok = tw_lockout_log_read (data_dir, &log, error);
  if (ok)
    {
      state_of (&log, counted_as, policy, &state);
      ok = check_state (user, &state, error)
           && tw_lockout_log_append (data_dir, &log, TW_LOCKOUT_EVENT_ATTEMPT, counted_as, NULL, 0,
                                     out_attempt, error);
    }
  tw_lockout_log_unlock (fd);
  return ok;
}

gboolean
tw_lockout_begin_attempt (const char            *data_dir,
                          const char            *user,
                          const TwLockoutPolicy *policy,
                          gint64                *out_attempt,
                          GError               **error)
{
  return tw_lockout_begin_attempt_as (data_dir, user, user, policy, out_attempt, error);
}

gboolean
tw_lockout_record_failure (const char            *data_dir,
                           const char            *user,
                           gint64                 attempt,
                           const TwLockoutPolicy *policy,
                           TwLockoutState        *out_state,
                           GError               **error)
{
  g_auto(TwLockoutLog) log = { 0 };
  gboolean ok;
  int fd;

  g_return_val_if_fail (data_dir != NULL && user != NULL && policy != NULL, FALSE);

  fd = tw_lockout_log_lock (data_dir, LOCK_EX, error);
  if (fd < 0)
    return FALSE;
  ok = tw_lockout_log_read (data_dir, &log, error)
       && tw_lockout_log_append (data_dir, &log, TW_LOCKOUT_EVENT_FAILURE, user, NULL, attempt, NULL, error);
  tw_lockout_log_unlock (fd);
  if (ok && out_state != NULL)
    state_of (&log, user, policy, out_state);
  return ok;
}

gboolean
tw_lockout_record_success (const char  *data_dir,
                           const char  *user,
                           gint64       attempt,
                           GError     **error)
{
  g_return_val_if_fail (data_dir != NULL && user != NULL, FALSE);
  return locked_append (data_dir, TW_LOCKOUT_EVENT_SUCCESS, user, NULL, attempt, error);
}

gboolean
tw_lockout_record_refused (const char  *data_dir,
                           const char  *user,
                           gint64       attempt,
                           GError     **error)
{
  g_return_val_if_fail (data_dir != NULL && user != NULL, FALSE);
  return locked_append (data_dir, TW_LOCKOUT_EVENT_REFUSED, user, NULL, attempt, error);
}

/**
 * tw_lockout_unlock:
 * Clears @user's failures (locked or waiting). The caller checks that
 * @by_admin is an administrator and audits it.
 */
gboolean
tw_lockout_unlock (const char  *data_dir,
                   const char  *user,
                   const char  *by_admin,
                   GError     **error)
{
  g_return_val_if_fail (data_dir != NULL && user != NULL && by_admin != NULL, FALSE);
  return locked_append (data_dir, TW_LOCKOUT_EVENT_UNLOCK, user, by_admin, 0, error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

GStrv
tw_lockout_list_locked (const char            *data_dir,
                        const TwLockoutPolicy *policy,
                        GError               **error)
{
  g_auto(TwLockoutLog) log = { 0 };
  g_autoptr(GHashTable) users = NULL;
  g_autoptr(GPtrArray) names = NULL;
  GHashTableIter iter;
  gpointer name, counted;
  gint64 now = tw_time_now ();
  gboolean ok;
  int fd;

  g_return_val_if_fail (data_dir != NULL && policy != NULL, NULL);

  fd = tw_lockout_log_lock (data_dir, LOCK_SH, error);
  if (fd < 0)
    return NULL;
  ok = tw_lockout_log_read (data_dir, &log, error);
  tw_lockout_log_unlock (fd);
  if (!ok)
    return NULL;

  users = tally (&log, policy, NULL);
  names = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, users);
  while (g_hash_table_iter_next (&iter, &name, &counted))
    {
      TwLockoutState state;

      state_from (counted, policy, &state);
      if (state.locked || state.retry_at > now)
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

void
tw_lockout_set_failure_error (GError               **error,
                              const char            *user,
                              const TwLockoutState  *state,
                              const TwLockoutPolicy *policy)
{
  g_return_if_fail (user != NULL && state != NULL && policy != NULL);

  if (state->locked)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED,
                   "Wrong user name or password. ‘%s’ is now locked after %u failed sign-ins;"
                   " an administrator must unlock it (`twctl user unlock %s` or the Users page)",
                   user, state->failures, user);
    }
  else if (state->retry_at > 0)
    {
      g_autofree char *wait = format_wait (state->retry_at - state->last_failure);
      guint left = policy->max_failures - state->failures;

      g_set_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED,
                   "Wrong user name or password. Wait %s before the next try (%u more %s"
                   " the account until an administrator unlocks it)",
                   wait, left, left == 1 ? "failure locks" : "failures lock");
    }
  else if (policy->base_delay_s > 0 && policy->free_failures < policy->max_failures)
    {
      g_autofree char *wait = format_wait (delay_for (policy, policy->free_failures));
      guint left = policy->free_failures - state->failures;

      g_set_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED,
                   "Wrong user name or password (%u %s left before a %s wait)",
                   left, left == 1 ? "try" : "tries", wait);
    }
  else
    {
      guint left = policy->max_failures - state->failures;

      g_set_error (error, TW_ERROR, TW_ERROR_AUTH_FAILED,
                   "Wrong user name or password (%u %s left before the account is locked)",
                   left, left == 1 ? "try" : "tries");
    }
}

/* ---- anchoring --------------------------------------------------------- */

char *
tw_lockout_head_to_string (const TwLockoutHead *head)
{
  char hash_hex[TW_LOCKOUT_HASH_BYTES * 2 + 1];

  g_return_val_if_fail (head != NULL, NULL);
  sodium_bin2hex (hash_hex, sizeof hash_hex, head->hash, TW_LOCKOUT_HASH_BYTES);
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", head->seq, hash_hex);
}

gboolean
tw_lockout_head_from_string (const char    *text,
                             TwLockoutHead *out_head)
{
  const char *colon;
  char *end = NULL;
  gsize hash_len = 0;

  g_return_val_if_fail (out_head != NULL, FALSE);
  memset (out_head, 0, sizeof *out_head);
  colon = text != NULL ? strchr (text, ':') : NULL;
  if (colon == NULL)
    return FALSE;
  out_head->seq = g_ascii_strtoll (text, &end, 10);
  return end == colon && out_head->seq >= 0
         && sodium_hex2bin (out_head->hash, sizeof out_head->hash, colon + 1, strlen (colon + 1),
                            NULL, &hash_len, NULL) == 0
         && hash_len == TW_LOCKOUT_HASH_BYTES;
}

/* What became of the anchored head; NULL when all is well. */
static char *
describe_problem (TwLockoutLog                 *log,
                  const TwLockoutHead *anchor,
                  gboolean            *out_anchor_found)
{
  TwLockoutEvent *at_anchor = NULL;

  *out_anchor_found = anchor == NULL || anchor->seq == 0;
  if (!*out_anchor_found)
    for (guint i = 0; i < log->events->len && at_anchor == NULL; i++)
      if (((TwLockoutEvent *) g_ptr_array_index (log->events, i))->seq == anchor->seq)
        at_anchor = g_ptr_array_index (log->events, i);
  if (at_anchor != NULL)
    *out_anchor_found = sodium_memcmp (at_anchor->hash, anchor->hash, TW_LOCKOUT_HASH_BYTES) == 0;

  if (log->broken_line > 0)
    return g_strdup_printf ("The sign-in log (%s) was edited: line %u does not follow from the"
                            " lines before it", TW_LOCKOUT_FILENAME, log->broken_line);
  /* Truncated, deleted or replaced look alike by the time this runs:
   * this very sign-in has written to the log before the review. */
  if (!*out_anchor_found)
    return g_strdup_printf ("The sign-in log (%s) was deleted, truncated or rewritten since the"
                            " last sign-in (its event %" G_GINT64_FORMAT " recorded then is gone);"
                            " failed sign-ins may be missing", TW_LOCKOUT_FILENAME, anchor->seq);
  return NULL;
}


static GPtrArray *
failures_after (TwLockoutLog                   *log,
                gint64                 after_seq,
                const TwLockoutPolicy *policy)
{
  g_autoptr(GHashTable) locking = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) answers = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) users = tally (log, policy, locking);
  GPtrArray *failures = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_lockout_failure_free);

  for (guint i = 0; i < log->events->len; i++)
    {
      TwLockoutEvent *event = g_ptr_array_index (log->events, i);

      if (event->ref != 0)
        g_hash_table_insert (answers, &event->ref, event);
    }
  for (guint i = 0; i < log->events->len; i++)
    {
      TwLockoutEvent *event = g_ptr_array_index (log->events, i);
      TwLockoutEvent *answer;
      TwLockoutFailure *failure;

      if (event->kind != TW_LOCKOUT_EVENT_ATTEMPT || event->seq <= after_seq)
        continue;
      answer = g_hash_table_lookup (answers, &event->seq);
      if (answer != NULL && (answer->kind == TW_LOCKOUT_EVENT_SUCCESS || answer->kind == TW_LOCKOUT_EVENT_REFUSED))
        continue;
      failure = g_new0 (TwLockoutFailure, 1);
      failure->seq = event->seq;
      failure->at = event->at;
      failure->user = g_strdup (event->user);
      failure->interrupted = answer == NULL;
      failure->locked_account = g_hash_table_contains (locking,
                                                       GINT_TO_POINTER ((gint) event->seq));
      g_ptr_array_add (failures, failure);
    }
  return failures;
}

/* The events that still count against someone. */
static GHashTable *
counted_attempts (TwLockoutLog          *log,
                  const TwLockoutPolicy *policy)
{
  g_autoptr(GHashTable) users = tally (log, policy, NULL);
  g_autoptr(GHashTable) seqs = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTable *keep = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer counted;

  g_hash_table_iter_init (&iter, users);
  while (g_hash_table_iter_next (&iter, NULL, &counted))
    for (guint i = 0; i < ((GArray *) counted)->len; i++)
      g_hash_table_add (seqs, &g_array_index ((GArray *) counted, Attempt, i).seq);
  for (guint i = 0; i < log->events->len; i++)
    {
      TwLockoutEvent *event = g_ptr_array_index (log->events, i);

      if (event->kind == TW_LOCKOUT_EVENT_ATTEMPT && g_hash_table_contains (seqs, &event->seq))
        g_hash_table_add (keep, event);
    }
  return keep;
}

static gboolean
in_set (gpointer key,
        gpointer value,
        gpointer user_data)
{
  return g_hash_table_contains (user_data, value);
}

gboolean
tw_lockout_review (const char            *data_dir,
                   const TwLockoutHead   *anchor,
                   const TwLockoutPolicy *policy,
                   GPtrArray            **out_failures,
                   TwLockoutHead         *out_head,
                   char                 **out_problem,
                   GError               **error)
{
  g_auto(TwLockoutLog) log = { 0 };
  g_autofree char *problem = NULL;
  gboolean anchor_found;
  gboolean ok;
  int fd;

  g_return_val_if_fail (data_dir != NULL && policy != NULL, FALSE);
  g_return_val_if_fail (out_failures != NULL && out_head != NULL && out_problem != NULL, FALSE);

  *out_failures = NULL;
  *out_problem = NULL;
  fd = tw_lockout_log_lock (data_dir, LOCK_EX, error);
  if (fd < 0)
    return FALSE;
  ok = tw_lockout_log_read (data_dir, &log, error);
  if (ok)
    {
      problem = describe_problem (&log, anchor, &anchor_found);
      /* Where the anchor was lost, every failure in the log is news. */
      *out_failures = failures_after (&log, anchor_found && anchor != NULL ? anchor->seq : 0,
                                      policy);
      /* A broken chain is re-made so it is reported once; a long log
       * keeps what still counts (it is read at every attempt). */
      if (log.events->len > policy->compact_after)
        {
          g_autoptr(GHashTable) keep = counted_attempts (&log, policy);

          g_hash_table_add (keep, g_ptr_array_index (log.events, log.events->len - 1));
          ok = tw_lockout_log_rewrite (data_dir, &log, in_set, keep, error);
        }
      else if (log.broken_line > 0)
        ok = tw_lockout_log_rewrite (data_dir, &log, NULL, NULL, error);
    }
  tw_lockout_log_unlock (fd);
  if (!ok)
    {
      if (*out_failures != NULL)
        g_clear_pointer (out_failures, g_ptr_array_unref);
      return FALSE;
    }
  out_head->seq = tw_lockout_log_last_seq (&log);
  memcpy (out_head->hash, tw_lockout_log_last_hash (&log), TW_LOCKOUT_HASH_BYTES);
  *out_problem = g_steal_pointer (&problem);
  return TRUE;
}
