#include "tw-toasts.h"

static void
on_toast_dismissed (AdwToast *toast,
                    gpointer  user_data)
{
  GPtrArray *toasts = user_data;

  g_ptr_array_remove (toasts, toast);
}

void
tw_toasts_track (GPtrArray *toasts,
                 AdwToast  *toast)
{
  g_ptr_array_add (toasts, g_object_ref (toast));
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_toast_dismissed), toasts);
}

void
tw_toasts_dismiss_all (GPtrArray *toasts)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_copy (toasts, (GCopyFunc) g_object_ref, NULL);

  g_ptr_array_set_free_func (shown, g_object_unref);
  for (guint i = 0; i < shown->len; i++)
    {
      g_signal_handlers_disconnect_by_func (g_ptr_array_index (shown, i), on_toast_dismissed,
                                            toasts);
      adw_toast_dismiss (g_ptr_array_index (shown, i));
    }
  g_ptr_array_set_size (toasts, 0);
}
