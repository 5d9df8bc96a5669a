#pragma once

#include <adwaita.h>

#include "tw-session.h"

G_BEGIN_DECLS

#define TW_TYPE_QUARANTINE_PAGE (tw_quarantine_page_get_type ())

G_DECLARE_FINAL_TYPE (TwQuarantinePage, tw_quarantine_page, TW, QUARANTINE_PAGE, AdwBin)

void        tw_quarantine_page_start          (TwQuarantinePage *self,
                                               TwSession        *session);
void        tw_quarantine_page_stop           (TwQuarantinePage *self);
void        tw_quarantine_page_set_quarantined_total (TwQuarantinePage *self,
                                                      guint64           total);
void        tw_quarantine_page_reload         (TwQuarantinePage *self);
void        tw_quarantine_page_add_toast      (TwQuarantinePage *self,
                                               const char       *message);
guint       tw_quarantine_page_get_count      (TwQuarantinePage *self);
guint       tw_quarantine_page_get_n_items    (TwQuarantinePage *self);
const char *tw_quarantine_page_get_reason     (TwQuarantinePage *self,
                                               guint             position);
void        tw_quarantine_page_select         (TwQuarantinePage *self,
                                               guint             position);
char       *tw_quarantine_page_dup_raw_text   (TwQuarantinePage *self);
gboolean    tw_quarantine_page_get_busy       (TwQuarantinePage *self);
const char *tw_quarantine_page_get_last_toast (TwQuarantinePage *self);

G_END_DECLS
