#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-keyslots.h"
#include "tw-sidecar.h"

/* The key file is shared by its owners (key slots, audit head) and by
 * programs running at once (the app, twctl): no update may drop what
 * another owner or another program wrote. */

#define N_UPDATES 150

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("tw-sidecar-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "tidewatch.keyslots", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *lock = g_strconcat (f->path, ".lock", NULL);

  g_remove (f->path);
  g_remove (lock);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* What the key slots own, as tw-keyslots.c writes it. */
static gboolean
write_slots (JsonObject *root, gpointer user_data, GError **error)
{
  JsonArray *slots = json_array_new ();
  JsonObject *slot = json_object_new ();

  json_object_set_string_member (slot, "user", user_data);
  json_object_set_string_member (slot, "role", "admin");
  json_array_add_object_element (slots, slot);
  json_object_set_int_member (root, "version", 2);
  json_object_set_string_member (root, "store_id", "0123abcd");
  json_object_set_array_member (root, "slots", slots);
  return TRUE;
}

static void
update (Fixture             *f,
        gboolean             create,
        TwSidecarUpdateFunc  func,
        gpointer             user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tw_sidecar_update (f->path, create, func, user_data, &error));
  g_assert_no_error (error);
}

static JsonObject *
read_root (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  JsonObject *root = tw_sidecar_read (f->path, &error);

  g_assert_no_error (error);
  return root;
}

static void
test_other_members_survive (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) root = NULL;
  TwAuditHead head = { .seq = 7 };
  TwAuditHead read_back;
  gboolean found = FALSE;
  JsonObject *slot;

  memset (head.mac, 0xab, sizeof head.mac);
  update (f, TRUE, write_slots, "ana");
  g_assert_true (tw_audit_write_sidecar_head (f->path, &head, &error));
  g_assert_no_error (error);

  root = read_root (f);
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (root, "store_id"), ==, "0123abcd");
  slot = json_array_get_object_element (json_object_get_array_member (root, "slots"), 0);
  g_assert_cmpstr (json_object_get_string_member (slot, "user"), ==, "ana");

  /* And the slots' next update keeps the head. */
  update (f, FALSE, write_slots, "ben");
  g_assert_true (tw_audit_read_sidecar_head (f->path, &read_back, &found, &error));
  g_assert_no_error (error);
  g_assert_true (found);
  g_assert_cmpint (read_back.seq, ==, 7);
  g_assert_cmpmem (read_back.mac, sizeof read_back.mac, head.mac, sizeof head.mac);

  /* The head only moves forward: an older one from a slower program
   * does not replace it. */
  head.seq = 6;
  memset (head.mac, 0xcd, sizeof head.mac);
  g_assert_true (tw_audit_write_sidecar_head (f->path, &head, &error));
  g_assert_true (tw_audit_read_sidecar_head (f->path, &read_back, &found, &error));
  g_assert_cmpint (read_back.seq, ==, 7);
}

static void
test_missing_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) update_error = NULL;
  g_autoptr(GError) read_error = NULL;
  TwAuditHead head = { .seq = 1 };

  /* A part that does not create the file must not resurrect a removed
   * store's key file. */
  g_assert_false (tw_audit_write_sidecar_head (f->path, &head, &update_error));
  g_assert_error (update_error, TW_ERROR, TW_ERROR_NOT_INITIALIZED);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_assert_null (tw_sidecar_read (f->path, &read_error));
  g_assert_error (read_error, TW_ERROR, TW_ERROR_NOT_INITIALIZED);
}

static gboolean
fail_update (JsonObject *root, gpointer user_data, GError **error)
{
  json_object_set_string_member (root, "half", "done");
  g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT, "changed my mind");
  return FALSE;
}

static void
test_damaged_or_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autofree char *contents = NULL;

  update (f, TRUE, write_slots, "ana");
  /* An update that fails writes nothing. */
  g_assert_false (tw_sidecar_update (f->path, FALSE, fail_update, NULL, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  root = read_root (f);
  g_assert_false (json_object_has_member (root, "half"));

  /* A damaged file is reported with what to do, and left as it is. */
  g_assert_true (g_file_set_contents (f->path, "{\"slots\": [", -1, NULL));
  g_assert_false (tw_sidecar_update (f->path, FALSE, write_slots, "ana", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "backup"));
  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{\"slots\": [");
}

/* Read-modify-write of a counter: a lost update shows as a lower count. */
static gboolean
increment (JsonObject *root, gpointer user_data, GError **error)
{
  const char *member = user_data;

  json_object_set_int_member (root, member,
                              json_object_get_int_member_with_default (root, member, 0) + 1);
  json_object_set_int_member (root, "total",
                              json_object_get_int_member_with_default (root, "total", 0) + 1);
  return TRUE;
}

static void
increment_many (const char *path,
                const char *member)
{
  for (guint i = 0; i < N_UPDATES; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!tw_sidecar_update (path, FALSE, increment, (gpointer) member, &error))
        g_error ("update %u of %s failed: %s", i, member, error->message);
    }
}

typedef struct
{
  const char *path;
  const char *member;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;

  increment_many (w->path, w->member);
  return NULL;
}

typedef struct
{
  const char *path;
  gint        stop;
  guint       reads;
} Reader;

/* Readers never see half a file: every read parses (readers take the
 * shared lock; the atomic rename is for crashes). */
static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;

  while (!g_atomic_int_get (&r->stop))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) root = tw_sidecar_read (r->path, &error);

      g_assert_no_error (error);
      g_assert_true (json_object_has_member (root, "slots"));
      r->reads++;
    }
  return NULL;
}

static void
check_counts (Fixture *f,
              guint    writers)
{
  g_autoptr(JsonObject) root = read_root (f);

  g_assert_cmpint (json_object_get_int_member (root, "a"), ==, N_UPDATES);
  g_assert_cmpint (json_object_get_int_member (root, "b"), ==, N_UPDATES);
  g_assert_cmpint (json_object_get_int_member (root, "total"), ==, writers * N_UPDATES);
  g_assert_true (json_object_has_member (root, "slots"));
}

static void
test_concurrent_threads (Fixture       *f,
                         gconstpointer  data)
{
  Writer a = { f->path, "a" };
  Writer b = { f->path, "b" };
  Reader r = { f->path, 0, 0 };
  GThread *threads[3];

  update (f, TRUE, write_slots, "ana");
  threads[0] = g_thread_new ("reader", reader_thread, &r);
  threads[1] = g_thread_new ("a", writer_thread, &a);
  threads[2] = g_thread_new ("b", writer_thread, &b);
  g_thread_join (threads[1]);
  g_thread_join (threads[2]);
  g_atomic_int_set (&r.stop, 1);
  g_thread_join (threads[0]);
  g_test_message ("%u reads during %u updates", r.reads, 2 * N_UPDATES);
  check_counts (f, 2);
}

static void
test_concurrent_processes (Fixture       *f,
                           gconstpointer  data)
{
  int status = 0;
  pid_t child;

  update (f, TRUE, write_slots, "ana");
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      increment_many (f->path, "b");
      _exit (0);
    }
  increment_many (f->path, "a");
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  check_counts (f, 2);
}


/* The real owners: the key slots keep the audit head through a save of a
 * loaded file and a fresh one, and a file with a head still unlocks. */
static void
test_keyslots_keep_head (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwKeyslots) slots = tw_keyslots_new (TW_KDF_COST_MIN);
  g_autoptr(TwKeyslots) loaded = NULL;
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwKey) unlocked = NULL;
  TwAuditHead head = { .seq = 4 };
  TwAuditHead read_back;
  gboolean found = FALSE;
  TwRole role;

  memset (head.mac, 0x5a, sizeof head.mac);
  g_assert_true (tw_keyslots_set (slots, "ana", TW_ROLE_ADMIN, "ana's long password", key,
                                  &error));
  g_assert_true (tw_keyslots_save (slots, f->path, &error));
  g_assert_true (tw_audit_write_sidecar_head (f->path, &head, &error));
  g_assert_no_error (error);

  loaded = tw_keyslots_load (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (tw_keyslots_set (loaded, "ben", TW_ROLE_CLINICIAN, "ben's long password", key,
                                  &error));
  g_assert_true (tw_keyslots_save (loaded, f->path, &error));
  /* And a TwKeyslots that was not loaded from the file. */
  g_assert_true (tw_keyslots_save (slots, f->path, &error));
  g_assert_no_error (error);

  g_assert_true (tw_audit_read_sidecar_head (f->path, &read_back, &found, &error));
  g_assert_true (found);
  g_assert_cmpint (read_back.seq, ==, 4);
  g_assert_cmpmem (read_back.mac, sizeof read_back.mac, head.mac, sizeof head.mac);

  g_clear_pointer (&loaded, tw_keyslots_free);
  loaded = tw_keyslots_load (f->path, &error);
  g_assert_no_error (error);
  unlocked = tw_keyslots_unlock (loaded, "ana", "ana's long password", &role, &error);
  g_assert_no_error (error);
  g_assert_nonnull (unlocked);
  g_assert_cmpint (role, ==, TW_ROLE_ADMIN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sidecar/other-members-survive", test_other_members_survive);
  ADD ("/sidecar/keyslots-keep-head", test_keyslots_keep_head);
  ADD ("/sidecar/missing-file", test_missing_file);
  ADD ("/sidecar/damaged-or-refused", test_damaged_or_refused);
  ADD ("/sidecar/concurrent-threads", test_concurrent_threads);
  ADD ("/sidecar/concurrent-processes", test_concurrent_processes);
#undef ADD
  return g_test_run ();
}
