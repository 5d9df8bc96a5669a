#pragma once

/* What every UI test needs and nothing else: waiting on the main loop with
 * a message on timeout, template children, screenshots, temporary trees.
 * Included by each tests/ui/test-ui*.c (one program each); the functions
 * are static and marked unused so a test need not use them all. */

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#ifndef IDLE_SLEEP_US
#define IDLE_SLEEP_US 2000
#endif

static const char *describe (const char *format,
                             ...) G_GNUC_PRINTF (1, 2);
static void iterate_once (void);

/* Iterates the main loop until @cond holds; on timeout the test fails with
 * what it was waiting for and returns (the fixture's teardown cleans up). */
#define WAIT_FOR(cond, seconds, ...)                                         \
  G_STMT_START                                                               \
  {                                                                          \
    gint64 wait_deadline_ = g_get_monotonic_time ()                          \
                            + (gint64) (seconds) * G_USEC_PER_SEC;           \
    while (!(cond))                                                          \
      {                                                                      \
        if (g_get_monotonic_time () > wait_deadline_)                        \
          {                                                                  \
            g_test_fail_printf ("timed out after %d s waiting for %s",       \
                                (int) (seconds),                             \
                                describe (__VA_ARGS__));                     \
            return;                                                          \
          }                                                                  \
        iterate_once ();                                                     \
      }                                                                      \
  }                                                                          \
  G_STMT_END

G_GNUC_UNUSED static const char *
describe (const char *format,
          ...)
{
  static char buffer[512];
  va_list args;

  va_start (args, format);
  g_vsnprintf (buffer, sizeof buffer, format, args);
  va_end (args);

  return buffer;
}

G_GNUC_UNUSED static void
iterate_once (void)
{
  if (!g_main_context_iteration (NULL, FALSE))
    g_usleep (IDLE_SLEEP_US);
}

G_GNUC_UNUSED static void
iterate_for (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    iterate_once ();
}

G_GNUC_UNUSED static gpointer
child (gpointer    widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  if (object == NULL)
    g_error ("%s has no template child ‘%s’", G_OBJECT_TYPE_NAME (widget), name);

  return object;
}

G_GNUC_UNUSED static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child_path = g_build_filename (path, name, NULL);

          if (g_file_test (child_path, G_FILE_TEST_IS_DIR)
              && !g_file_test (child_path, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child_path);
          else
            g_unlink (child_path);
        }
    }
  g_rmdir (path);
}

G_GNUC_UNUSED static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("TW_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL || dir[0] == '\0')
    {
      g_test_message ("TW_SCREENSHOT_DIR is not set: no %s", name);
      return;
    }

  gtk_test_widget_wait_for_draw (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}
