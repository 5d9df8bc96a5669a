#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "tw-error.h"
#include "tw-lockout-private.h"
#include "tw-time.h"

/* The sign-in log: one JSON object per line, each chained to the one
 * before by a BLAKE2b hash. There is no key before a sign-in, so the hash
 * is unkeyed: it does not stop a forger, it makes any change to what the
 * store anchored visible (tw_lockout_review()). */

#define LOCKOUT_MODE 0600
#define HASH_DOMAIN  "tidewatch-lockout-v1"

static const char *event_names[TW_LOCKOUT_N_EVENTS] = {
  "attempt", "failure", "success", "refused", "unlock"
};

static void
event_free (TwLockoutEvent *event)
{
  g_free (event->user);
  g_free (event->by);
  g_free (event);
}

void
tw_lockout_log_clear (TwLockoutLog *log)
{
  g_clear_pointer (&log->text, g_free);
  g_clear_pointer (&log->events, g_ptr_array_unref);
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
compute_hash (const TwLockoutEvent  *event,
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
event_to_line (const TwLockoutEvent *event)
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
            TwLockoutEventKind  *out_kind)
{
  for (guint i = 0; name != NULL && i < TW_LOCKOUT_N_EVENTS; i++)
    {
      if (g_str_equal (name, event_names[i]))
        {
          *out_kind = (TwLockoutEventKind) i;
          return TRUE;
        }
    }
  return FALSE;
}

/* NULL when the line is not an event at all. */
static TwLockoutEvent *
parse_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  const char *hash_hex;
  const char *user;
  gsize hash_len = 0;
  TwLockoutEvent *event;
  TwLockoutEventKind kind;

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

  event = g_new0 (TwLockoutEvent, 1);
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

const guint8 *
tw_lockout_log_last_hash (TwLockoutLog *log)
{
  static const guint8 zeros[TW_LOCKOUT_HASH_BYTES] = { 0 };

  if (log->events->len == 0)
    return zeros;
  return ((TwLockoutEvent *) g_ptr_array_index (log->events, log->events->len - 1))->hash;
}

gint64
tw_lockout_log_last_seq (TwLockoutLog *log)
{
  if (log->events->len == 0)
    return 0;
  return ((TwLockoutEvent *) g_ptr_array_index (log->events, log->events->len - 1))->seq;
}

/* Keeps every line that parses, so a damaged log still counts what it
 * can, and notes the first line that breaks the chain. */
static void
parse_log (TwLockoutLog *log)
{
  g_auto(GStrv) lines = g_strsplit (log->text, "\n", -1);

  log->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  log->broken_line = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      TwLockoutEvent *event;
      guint8 expected[TW_LOCKOUT_HASH_BYTES];
      gboolean fits;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      event = parse_line (lines[i]);
      fits = event != NULL && event->seq > tw_lockout_log_last_seq (log);
      if (fits)
        {
          compute_hash (event, tw_lockout_log_last_hash (log), expected);
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
int
tw_lockout_log_lock (const char  *data_dir,
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

void
tw_lockout_log_unlock (int fd)
{
  flock (fd, LOCK_UN);
  close (fd);
}

gboolean
tw_lockout_log_read (const char  *data_dir,
          TwLockoutLog         *out_log,
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
gboolean
tw_lockout_log_append (const char  *data_dir,
              TwLockoutLog         *log,
              TwLockoutEventKind    kind,
              const char  *user,
              const char  *by,
              gint64       ref,
              gint64      *out_seq,
              GError     **error)
{
  g_autofree char *line = NULL;
  g_autofree char *text = NULL;
  TwLockoutEvent event = { 0 };
  gsize len = strlen (log->text);

  event.seq = tw_lockout_log_last_seq (log) + 1;
  event.at = tw_time_now ();
  event.kind = kind;
  event.user = (char *) user;
  event.by = (char *) by;
  event.ref = ref;
  compute_hash (&event, tw_lockout_log_last_hash (log), event.hash);
  line = event_to_line (&event);
  text = g_strconcat (log->text, len > 0 && log->text[len - 1] != '\n' ? "\n" : "", line, NULL);
  if (!write_log (data_dir, text, error))
    return FALSE;
  if (out_seq != NULL)
    *out_seq = event.seq;
  return TRUE;
}

/* Atomic and durable: a crash leaves the old log or the new one. */
gboolean
tw_lockout_log_rewrite (const char    *data_dir,
                        TwLockoutLog  *log,
                        GHRFunc        keep,
                        gpointer       user_data,
                        GError       **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  guint8 prev[TW_LOCKOUT_HASH_BYTES] = { 0 };
  gint64 prev_seq = 0;

  for (guint i = 0; i < log->events->len; i++)
    {
      TwLockoutEvent *event = g_ptr_array_index (log->events, i);
      g_autofree char *line = NULL;

      if (keep != NULL && !keep (NULL, event, user_data))
        continue;
      /* An edited log may hold numbers out of order: they rise again. */
      event->seq = MAX (event->seq, prev_seq + 1);
      prev_seq = event->seq;
      compute_hash (event, prev, event->hash);
      memcpy (prev, event->hash, sizeof prev);
      line = event_to_line (event);
      g_string_append (text, line);
      g_ptr_array_add (kept, g_ptr_array_steal_index (log->events, i--));
    }
  if (!write_log (data_dir, text->str, error))
    return FALSE;
  g_ptr_array_unref (log->events);
  log->events = g_steal_pointer (&kept);
  g_free (log->text);
  log->text = g_string_free (g_steal_pointer (&text), FALSE);
  log->broken_line = 0;
  return TRUE;
}
