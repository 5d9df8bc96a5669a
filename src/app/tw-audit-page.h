#pragma once

#include <adwaita.h>

#include "tw-session.h"

G_BEGIN_DECLS

#define TW_TYPE_AUDIT_PAGE (tw_audit_page_get_type ())

G_DECLARE_FINAL_TYPE (TwAuditPage, tw_audit_page, TW, AUDIT_PAGE, AdwBin)

void        tw_audit_page_start          (TwAuditPage *self,
                                          TwSession   *session);
void        tw_audit_page_stop           (TwAuditPage *self);
/* Reads again; @verify also walks the whole chain. */
void        tw_audit_page_reload         (TwAuditPage *self,
                                          gboolean     verify);
void        tw_audit_page_export_to_file (TwAuditPage *self,
                                          GFile       *file);
void        tw_audit_page_select_action  (TwAuditPage *self,
                                          const char  *action);

gboolean    tw_audit_page_get_busy       (TwAuditPage *self);
/* The TwAuditRow* shown, newest first (transfer none). */
GPtrArray  *tw_audit_page_get_rows       (TwAuditPage *self);
/* The TwBreakGlassRow* waiting for review (transfer none). */
GPtrArray  *tw_audit_page_get_grants     (TwAuditPage *self);
gboolean    tw_audit_page_get_intact     (TwAuditPage *self);
GtkWindow  *tw_audit_page_get_dialog     (TwAuditPage *self);

G_END_DECLS
