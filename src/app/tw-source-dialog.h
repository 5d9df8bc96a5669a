#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TW_TYPE_SOURCE_DIALOG (tw_source_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TwSourceDialog, tw_source_dialog, TW, SOURCE_DIALOG, AdwWindow)

TwSourceDialog *tw_source_dialog_new          (GtkWindow          *parent,
                                               gint64              source_id,
                                               const char         *name,
                                               const char         *url,
                                               const char * const *taken_names);
gint64          tw_source_dialog_get_source_id (TwSourceDialog    *self);
void            tw_source_dialog_save_done    (TwSourceDialog     *self,
                                               const GError       *error);
const char     *tw_source_dialog_get_error    (TwSourceDialog     *self);
const char     *tw_source_dialog_get_test_result (TwSourceDialog  *self);
gboolean        tw_source_dialog_get_testing  (TwSourceDialog     *self);

G_END_DECLS
