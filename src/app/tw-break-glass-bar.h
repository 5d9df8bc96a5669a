#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TW_TYPE_BREAK_GLASS_BAR (tw_break_glass_bar_get_type ())

G_DECLARE_FINAL_TYPE (TwBreakGlassBar, tw_break_glass_bar, TW, BREAK_GLASS_BAR, AdwBin)

GtkWidget  *tw_break_glass_bar_new      (void);
/* Shows the bar with @text, or hides it when @text is %NULL. */
void        tw_break_glass_bar_set_text (TwBreakGlassBar *self,
                                         const char      *text);
const char *tw_break_glass_bar_get_text (TwBreakGlassBar *self);
gboolean    tw_break_glass_bar_is_shown (TwBreakGlassBar *self);
void        tw_break_glass_bar_set_busy (TwBreakGlassBar *self,
                                         gboolean         busy);

G_END_DECLS
