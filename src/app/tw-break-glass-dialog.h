#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TW_BREAK_GLASS_MIN_REASON_CHARS 10

#define TW_TYPE_BREAK_GLASS_DIALOG (tw_break_glass_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TwBreakGlassDialog, tw_break_glass_dialog, TW, BREAK_GLASS_DIALOG, AdwWindow)

TwBreakGlassDialog *tw_break_glass_dialog_new       (GtkWindow          *parent);
void                tw_break_glass_dialog_open_done (TwBreakGlassDialog *self,
                                                     const GError       *error);
const char         *tw_break_glass_dialog_get_error (TwBreakGlassDialog *self);
gboolean            tw_break_glass_dialog_can_open  (TwBreakGlassDialog *self);

G_END_DECLS
