#pragma once

#include <glib/gstdio.h>

#include "tw-store-private.h"

/* A fresh encrypted store in a temporary directory, shared by the unit
 * tests that need a real SQLCipher file. */
typedef struct
{
  char    *dir;
  char    *path;
  TwKey   *key;
  TwStore *store;
} TwTestStore;

/* Removes @dir and everything below it (the database, -wal, -shm, packs). */
static inline void
tw_test_remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        tw_test_remove_tree (path);
      else
        g_remove (path);
    }
  g_rmdir (dir);
}

/* @prefix names the temporary directory ("tw-rollup"). */
static inline void
tw_test_store_open (TwTestStore *t,
                    const char  *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strconcat (prefix, "-XXXXXX", NULL);

  t->dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  t->path = g_build_filename (t->dir, "test.db", NULL);
  t->key = tw_key_new_random ();
  t->store = tw_store_open (t->path, t->key, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (t->store);
  /* The tests check what the engine and clinicians see (real keys); the
   * masking tests open their stores through sessions instead. */
  tw_store_set_role (t->store, TW_ROLE_CLINICIAN);
}

static inline void
tw_test_store_close (TwTestStore *t)
{
  g_clear_pointer (&t->store, tw_store_close);
  tw_test_remove_tree (t->dir);
  g_clear_pointer (&t->key, tw_key_free);
  g_clear_pointer (&t->path, g_free);
  g_clear_pointer (&t->dir, g_free);
}
