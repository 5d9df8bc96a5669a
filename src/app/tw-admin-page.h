#pragma once

#include <adwaita.h>

#include "tw-audit-page.h"
#include "tw-pipeline.h"
#include "tw-session.h"
#include "tw-users-page.h"

G_BEGIN_DECLS

#define TW_TYPE_ADMIN_PAGE (tw_admin_page_get_type ())

G_DECLARE_FINAL_TYPE (TwAdminPage, tw_admin_page, TW, ADMIN_PAGE, AdwBin)

void        tw_admin_page_start        (TwAdminPage *self,
                                        TwSession   *session,
                                        TwPipeline  *pipeline);
void        tw_admin_page_stop         (TwAdminPage *self);
void        tw_admin_page_set_pipeline (TwAdminPage *self,
                                        TwPipeline  *pipeline);
void        tw_admin_page_show_view    (TwAdminPage *self,
                                        const char  *name);
const char *tw_admin_page_get_view     (TwAdminPage *self);
TwUsersPage *tw_admin_page_get_users_page (TwAdminPage *self);
TwAuditPage *tw_admin_page_get_audit_page (TwAdminPage *self);

G_END_DECLS
