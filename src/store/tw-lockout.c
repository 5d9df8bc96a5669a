#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "tw-error.h"
#include "tw-lockout.h"
#include "tw-time.h"

/* The sign-in log: one JSON object per line, each chained to the one
 * before by a BLAKE2b hash. There is no key before a sign-in, so the hash
 * is unkeyed: it does not stop a forger, it makes any change to what the
 * store anchored visible (tw_lockout_review()). */

#define LOCKOUT_MODE        0600
#define HASH_DOMAIN         "tidewatch-lockout-v1"
#define DEFAULT_MAX         10
#define DEFAULT_FREE        3
#define DEFAULT_BASE_DELAY  2
#define DEFAULT_MAX_DELAY   300
/* Bounds on security.json: a policy outside them is a typo, not a choice. */
#define POLICY_MAX_FAILURES 1000
#define POLICY_MAX_DELAY_S  (24 * 3600)
#define SECONDS_PER_MINUTE  60

typedef enum
{
  EVENT_ATTEMPT,
  EVENT_FAILURE,
  EVENT_SUCCESS,
  EVENT_REFUSED,
  EVENT_UNLOCK,
  N_EVENTS
} EventKind;

static const char *event_names[N_EVENTS] = { "attempt", "failure", "success", "refused", "unlock" };

typedef struct
{
  gint64    seq;
  gint64    at;
  EventKind kind;
  char     *user;
  char     *by;       /* unlock: the admin */
  gint64    ref;      /* failure, success, refused: the attempt answered */
  guint8    hash[TW_LOCKOUT_HASH_BYTES];
} Event;

typedef struct
{
  char      *text;        /* the file as read ("" when missing) */
  GPtrArray *events;      /* Event*, in file order */
  guint      broken_line; /* first line that breaks the chain (1-based), 0: intact */
} Log;

typedef struct
{
  gint64 seq;
  gint64 at;
} Attempt;

static void
event_free (Event *event)
{
  g_free (event->user);
  g_free (event->by);
  g_free (event);
}

static void
log_clear (Log *log)
{
  g_clear_pointer (&log->text, g_free);
  g_clear_pointer (&log->events, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Log, log_clear)

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
      || !read_bound (lockout, "max_delay_s", 0, POLICY_MAX_DELAY_S, &policy.max_delay_s, error))
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

/* ---- the chain --------------------------------------------------------- */

static void
hash_add_int (crypto_generichash_state *state,
              gint64                    value)
{
  guint64 be = GUINT64_TO_BE ((guint64) value);

  crypto_generichash_update (state, (const guint8 *) &be, sizeof be);
}

/* Length-prefixed with a marker for NULL, so no two events encode alike. */
static void
hash_add_text (crypto_generichash_state *state,
               const char               *text)
{
  guint8 present = text != NULL;

  crypto_generichash_update (state, &present, 1);
  if (text == NULL)
    return;
  hash_add_int (state, (gint64) strlen (text));
  crypto_generichash_update (state, (const guint8 *) text, strlen (text));
}

static void
compute_hash (const Event  *event,
              const guint8 *prev_hash,
              guint8       *out_hash)
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, TW_LOCKOUT_HASH_BYTES);
  crypto_generichash_update (&state, (const guint8 *) HASH_DOMAIN, strlen (HASH_DOMAIN));
  crypto_generichash_update (&state, prev_hash, TW_LOCKOUT_HASH_BYTES);
  hash_add_int (&state, event->seq);
  hash_add_int (&state, event->at);
  hash_add_text (&state, event_names[event->kind]);
  hash_add_text (&state, event->user);
  hash_add_text (&state, event->by);
  hash_add_int (&state, event->ref);
  crypto_generichash_final (&state, out_hash, TW_LOCKOUT_HASH_BYTES);
}

static char *
event_to_line (const Event *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  char hash_hex[TW_LOCKOUT_HASH_BYTES * 2 + 1];
  g_autofree char *json = NULL;

  sodium_bin2hex (hash_hex, sizeof hash_hex, event->hash, TW_LOCKOUT_HASH_BYTES);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, event->seq);
  json_builder_set_member_name (builder, "at");
  json_builder_add_int_value (builder, event->at);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event_names[event->kind]);
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, event->user);
  if (event->by != NULL)
    {
      json_builder_set_member_name (builder, "by");
      json_builder_add_string_value (builder, event->by);
    }
  if (event->ref != 0)
    {
      json_builder_set_member_name (builder, "ref");
      json_builder_add_int_value (builder, event->ref);
    }
  json_builder_set_member_name (builder, "hash");
  json_builder_add_string_value (builder, hash_hex);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  return g_strconcat (json, "\n", NULL);
}

static gboolean
parse_kind (const char *name,
            EventKind  *out_kind)
{
  for (guint i = 0; name != NULL && i < N_EVENTS; i++)
    {
      if (g_str_equal (name, event_names[i]))
        {
          *out_kind = (EventKind) i;
          return TRUE;
        }
    }
  return FALSE;
}

/* NULL when the line is not an event at all. */
static Event *
parse_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  const char *hash_hex;
  const char *user;
  gsize hash_len = 0;
  Event *event;
  EventKind kind;

  if (!json_parser_load_from_data (parser, line, -1, NULL)
      || json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  object = json_node_get_object (json_parser_get_root (parser));
  user = json_object_get_string_member_with_default (object, "user", NULL);
  hash_hex = json_object_get_string_member_with_default (object, "hash", NULL);
  if (user == NULL || hash_hex == NULL
      || !parse_kind (json_object_get_string_member_with_default (object, "event", NULL), &kind))
    return NULL;

  event = g_new0 (Event, 1);
  event->seq = json_object_get_int_member_with_default (object, "seq", 0);
  event->at = json_object_get_int_member_with_default (object, "at", 0);
  event->kind = kind;
  event->user = g_strdup (user);
  event->by = g_strdup (json_object_get_string_member_with_default (object, "by", NULL));
  event->ref = json_object_get_int_member_with_default (object, "ref", 0);
  if (sodium_hex2bin (event->hash, sizeof event->hash, hash_hex, strlen (hash_hex), NULL,
                      &hash_len, NULL) != 0 || hash_len != TW_LOCKOUT_HASH_BYTES)
    memset (event->hash, 0, sizeof event->hash);
  return event;
}

static const guint8 *
last_hash (Log *log)
{
  static const guint8 zeros[TW_LOCKOUT_HASH_BYTES] = { 0 };

  if (log->events->len == 0)
    return zeros;
  return ((Event *) g_ptr_array_index (log->events, log->events->len - 1))->hash;
}

static gint64
last_seq (Log *log)
{
  if (log->events->len == 0)
    return 0;
  return ((Event *) g_ptr_array_index (log->events, log->events->len - 1))->seq;
}

/* Keeps every line that parses, so a damaged log still counts what it
 * can, and notes the first line that breaks the chain. */
static void
parse_log (Log *log)
{
  g_auto(GStrv) lines = g_strsplit (log->text, "\n", -1);

  log->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  log->broken_line = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      Event *event;
      guint8 expected[TW_LOCKOUT_HASH_BYTES];
      gboolean fits;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      event = parse_line (lines[i]);
      fits = event != NULL && event->seq == last_seq (log) + 1;
      if (fits)
        {
          compute_hash (event, last_hash (log), expected);
          fits = sodium_memcmp (expected, event->hash, TW_LOCKOUT_HASH_BYTES) == 0;
        }
      if (!fits && log->broken_line == 0)
        log->broken_line = i + 1;
      if (event != NULL)
        g_ptr_array_add (log->events, event);
    }
}

/* ---- the file under its lock ------------------------------------------- */

static char *
log_path_for (const char *data_dir)
{
  return g_build_filename (data_dir, TW_LOCKOUT_FILENAME, NULL);
}

/* A lock file of its own: the log is replaced by rename, and a lock on
 * the old inode would not stop a writer of the new one. */
static int
lock_log (const char  *data_dir,
          int          operation,
          GError     **error)
{
  g_autofree char *lock_path = g_build_filename (data_dir, TW_LOCKOUT_FILENAME ".lock", NULL);
  int fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, LOCKOUT_MODE);

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
unlock_log (int fd)
{
  flock (fd, LOCK_UN);
  close (fd);
}

static gboolean
read_log (const char  *data_dir,
          Log         *out_log,
          GError     **error)
{
  g_autofree char *path = log_path_for (data_dir);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, &out_log->text, NULL, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "Could not read the sign-in log: %s",
                       local_error->message);
          return FALSE;
        }
      out_log->text = g_strdup ("");
    }
  parse_log (out_log);
  return TRUE;
}

/* Atomic and durable: a crash leaves the old log or the new one. */
static gboolean
write_log (const char  *data_dir,
           const char  *text,
           GError     **error)
{
  g_autofree char *path = log_path_for (data_dir);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_set_contents_full (path, text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 LOCKOUT_MODE, &local_error))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "Could not write the sign-in log: %s",
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Appends to the text as read: the bytes of earlier lines stay as they
 * are, so a change to them stays visible. */
static gboolean
append_event (const char  *data_dir,
              Log         *log,
              EventKind    kind,
              const char  *user,
              const char  *by,
              gint64       ref,
              gint64      *out_seq,
              GError     **error)
{
  g_autofree char *line = NULL;
  g_autofree char *text = NULL;
  Event event = { 0 };
  gsize len = strlen (log->text);

  event.seq = last_seq (log) + 1;
  event.at = tw_time_now ();
  event.kind = kind;
  event.user = (char *) user;
  event.by = (char *) by;
  event.ref = ref;
  compute_hash (&event, last_hash (log), event.hash);
  line = event_to_line (&event);
  text = g_strconcat (log->text, len > 0 && log->text[len - 1] != '\n' ? "\n" : "", line, NULL);
  if (!write_log (data_dir, text, error))
    return FALSE;
  if (out_seq != NULL)
    *out_seq = event.seq;
  return TRUE;
}

static gboolean
locked_append (const char  *data_dir,
               EventKind    kind,
               const char  *user,
               const char  *by,
               gint64       ref,
               GError     **error)
{
  g_auto(Log) log = { 0 };
  gboolean ok;
  int fd;

  fd = lock_log (data_dir, LOCK_EX, error);
  if (fd < 0)
    return FALSE;
  ok = read_log (data_dir, &log, error)
       && append_event (data_dir, &log, kind, user, by, ref, NULL, error);
  unlock_log (fd);
  return ok;
}

/* ---- counting ---------------------------------------------------------- */

/* The attempts that count against each user: made since the last
 * success or unlock and not answered by a success or a refusal. */
static GHashTable *
tally (Log                   *log,
       const TwLockoutPolicy *policy,
       GHashTable            *out_locking)
{
  GHashTable *users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_array_unref);

  for (guint i = 0; i < log->events->len; i++)
    {
      Event *event = g_ptr_array_index (log->events, i);
      GArray *counted = g_hash_table_lookup (users, event->user);

      if (counted == NULL)
        {
          counted = g_array_new (FALSE, FALSE, sizeof (Attempt));
          g_hash_table_insert (users, g_strdup (event->user), counted);
        }
      switch (event->kind)
        {
        case EVENT_ATTEMPT:
          {
            Attempt attempt = { event->seq, event->at };

            g_array_append_val (counted, attempt);
            if (out_locking != NULL && policy != NULL && counted->len == policy->max_failures)
              g_hash_table_add (out_locking, GINT_TO_POINTER ((gint) event->seq));
          }
          break;
        case EVENT_SUCCESS:
          /* A parallel attempt made after this one still counts. */
          for (guint j = counted->len; j > 0; j--)
            if (g_array_index (counted, Attempt, j - 1).seq <= event->ref)
              g_array_remove_index (counted, j - 1);
          break;
        case EVENT_REFUSED:
          for (guint j = 0; j < counted->len; j++)
            if (g_array_index (counted, Attempt, j).seq == event->ref)
              {
                g_array_remove_index (counted, j);
                break;
              }
          break;
        case EVENT_UNLOCK:
          g_array_set_size (counted, 0);
          break;
        case EVENT_FAILURE:
        case N_EVENTS:
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
state_of (Log                   *log,
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
  g_auto(Log) log = { 0 };
  gboolean ok;
  int fd;

  g_return_val_if_fail (data_dir != NULL && user != NULL && policy != NULL, FALSE);
  g_return_val_if_fail (out_state != NULL, FALSE);

  fd = lock_log (data_dir, LOCK_SH, error);
  if (fd < 0)
    return FALSE;
  ok = read_log (data_dir, &log, error);
  unlock_log (fd);
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

gboolean
tw_lockout_begin_attempt (const char            *data_dir,
                          const char            *user,
                          const TwLockoutPolicy *policy,
                          gint64                *out_attempt,
                          GError               **error)
{
  g_auto(Log) log = { 0 };
  TwLockoutState state;
  gboolean ok;
  int fd;

  g_return_val_if_fail (data_dir != NULL && user != NULL && policy != NULL, FALSE);
  g_return_val_if_fail (out_attempt != NULL, FALSE);

  /* Check and write under one exclusive lock: two programs cannot both
   * pass the check on the same count. */
  fd = lock_log (data_dir, LOCK_EX, error);
  if (fd < 0)
    return FALSE;
  ok = read_log (data_dir, &log, error);
  if (ok)
    {
      state_of (&log, user, policy, &state);
      ok = check_state (user, &state, error)
           && append_event (data_dir, &log, EVENT_ATTEMPT, user, NULL, 0, out_attempt, error);
    }
  unlock_log (fd);
  return ok;
}

gboolean
tw_lockout_record_failure (const char            *data_dir,
                           const char            *user,
                           gint64                 attempt,
                           const TwLockoutPolicy *policy,
                           TwLockoutState        *out_state,
                           GError               **error)
{
  g_auto(Log) log = { 0 };
  gboolean ok;
  int fd;

  g_return_val_if_fail (data_dir != NULL && user != NULL && policy != NULL, FALSE);

  fd = lock_log (data_dir, LOCK_EX, error);
  if (fd < 0)
    return FALSE;
  ok = read_log (data_dir, &log, error)
       && append_event (data_dir, &log, EVENT_FAILURE, user, NULL, attempt, NULL, error);
  unlock_log (fd);
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
  return locked_append (data_dir, EVENT_SUCCESS, user, NULL, attempt, error);
}

gboolean
tw_lockout_record_refused (const char  *data_dir,
                           const char  *user,
                           gint64       attempt,
                           GError     **error)
{
  g_return_val_if_fail (data_dir != NULL && user != NULL, FALSE);
  return locked_append (data_dir, EVENT_REFUSED, user, NULL, attempt, error);
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
  return locked_append (data_dir, EVENT_UNLOCK, user, by_admin, 0, error);
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
  g_auto(Log) log = { 0 };
  g_autoptr(GHashTable) users = NULL;
  g_autoptr(GPtrArray) names = NULL;
  GHashTableIter iter;
  gpointer name, counted;
  gint64 now = tw_time_now ();
  gboolean ok;
  int fd;

  g_return_val_if_fail (data_dir != NULL && policy != NULL, NULL);

  fd = lock_log (data_dir, LOCK_SH, error);
  if (fd < 0)
    return NULL;
  ok = read_log (data_dir, &log, error);
  unlock_log (fd);
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
describe_problem (Log                 *log,
                  const TwLockoutHead *anchor,
                  gboolean            *out_anchor_found)
{
  Event *at_anchor = NULL;

  *out_anchor_found = anchor == NULL || anchor->seq == 0;
  if (!*out_anchor_found)
    for (guint i = 0; i < log->events->len && at_anchor == NULL; i++)
      if (((Event *) g_ptr_array_index (log->events, i))->seq == anchor->seq)
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

/* A fresh chain over the events as they are now. */
static gboolean
rechain (const char  *data_dir,
         Log         *log,
         GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint8 prev[TW_LOCKOUT_HASH_BYTES] = { 0 };

  for (guint i = 0; i < log->events->len; i++)
    {
      Event *event = g_ptr_array_index (log->events, i);
      g_autofree char *line = NULL;

      event->seq = i + 1;
      compute_hash (event, prev, event->hash);
      memcpy (prev, event->hash, sizeof prev);
      line = event_to_line (event);
      g_string_append (text, line);
    }
  if (!write_log (data_dir, text->str, error))
    return FALSE;
  g_free (log->text);
  log->text = g_string_free (g_steal_pointer (&text), FALSE);
  log->broken_line = 0;
  return TRUE;
}

static GPtrArray *
failures_after (Log                   *log,
                gint64                 after_seq,
                const TwLockoutPolicy *policy)
{
  g_autoptr(GHashTable) locking = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) answers = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) users = tally (log, policy, locking);
  GPtrArray *failures = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_lockout_failure_free);

  for (guint i = 0; i < log->events->len; i++)
    {
      Event *event = g_ptr_array_index (log->events, i);

      if (event->ref != 0)
        g_hash_table_insert (answers, &event->ref, event);
    }
  for (guint i = 0; i < log->events->len; i++)
    {
      Event *event = g_ptr_array_index (log->events, i);
      Event *answer;
      TwLockoutFailure *failure;

      if (event->kind != EVENT_ATTEMPT || event->seq <= after_seq)
        continue;
      answer = g_hash_table_lookup (answers, &event->seq);
      if (answer != NULL && (answer->kind == EVENT_SUCCESS || answer->kind == EVENT_REFUSED))
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

gboolean
tw_lockout_review (const char            *data_dir,
                   const TwLockoutHead   *anchor,
                   const TwLockoutPolicy *policy,
                   GPtrArray            **out_failures,
                   TwLockoutHead         *out_head,
                   char                 **out_problem,
                   GError               **error)
{
  g_auto(Log) log = { 0 };
  g_autofree char *problem = NULL;
  gboolean anchor_found;
  gboolean ok;
  int fd;

  g_return_val_if_fail (data_dir != NULL && policy != NULL, FALSE);
  g_return_val_if_fail (out_failures != NULL && out_head != NULL && out_problem != NULL, FALSE);

  *out_failures = NULL;
  *out_problem = NULL;
  fd = lock_log (data_dir, LOCK_EX, error);
  if (fd < 0)
    return FALSE;
  ok = read_log (data_dir, &log, error);
  if (ok)
    {
      problem = describe_problem (&log, anchor, &anchor_found);
      /* Where the anchor was lost, every failure in the log is news. */
      *out_failures = failures_after (&log, anchor_found && anchor != NULL ? anchor->seq : 0,
                                      policy);
      if (log.broken_line > 0)
        ok = rechain (data_dir, &log, error);
    }
  unlock_log (fd);
  if (!ok)
    {
      if (*out_failures != NULL)
        g_clear_pointer (out_failures, g_ptr_array_unref);
      return FALSE;
    }
  out_head->seq = last_seq (&log);
  memcpy (out_head->hash, last_hash (&log), TW_LOCKOUT_HASH_BYTES);
  *out_problem = g_steal_pointer (&problem);
  return TRUE;
}
