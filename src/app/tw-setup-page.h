#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TW_TYPE_SETUP_PAGE (tw_setup_page_get_type ())

G_DECLARE_FINAL_TYPE (TwSetupPage, tw_setup_page, TW, SETUP_PAGE, AdwBin)

void     tw_setup_page_set_busy  (TwSetupPage *self,
                                  gboolean     busy);
gboolean tw_setup_page_get_busy  (TwSetupPage *self);
void     tw_setup_page_set_error (TwSetupPage *self,
                                  const char  *message);
void     tw_setup_page_reset     (TwSetupPage *self);
void     tw_setup_page_focus     (TwSetupPage *self);

G_END_DECLS
