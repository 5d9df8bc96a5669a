#pragma once

#include <adwaita.h>

#include "tw-keyslots.h"
#include "tw-settings.h"

G_BEGIN_DECLS

#define TW_TYPE_APPLICATION (tw_application_get_type ())

G_DECLARE_FINAL_TYPE (TwApplication, tw_application, TW, APPLICATION, AdwApplication)

TwApplication       *tw_application_new              (void);

TwSettings          *tw_application_get_settings     (TwApplication *self);
const char          *tw_application_get_data_dir     (TwApplication *self);
void                 tw_application_set_data_dir     (TwApplication *self,
                                                      const char    *data_dir);
const char * const  *tw_application_get_connect_urls (TwApplication *self);
void                 tw_application_set_connect_urls (TwApplication *self,
                                                      const char * const *urls);
TwKdfCost            tw_application_get_kdf_cost     (TwApplication *self);
void                 tw_application_set_kdf_cost     (TwApplication *self,
                                                      TwKdfCost      cost);

G_END_DECLS
