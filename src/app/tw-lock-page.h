#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TW_TYPE_LOCK_PAGE (tw_lock_page_get_type ())

G_DECLARE_FINAL_TYPE (TwLockPage, tw_lock_page, TW, LOCK_PAGE, AdwBin)

void        tw_lock_page_start        (TwLockPage  *self,
                                       const char  *user,
                                       const char  *role_label,
                                       gint64       locked_at_us);
void        tw_lock_page_update       (TwLockPage  *self,
                                       GPtrArray   *locked_alerts,
                                       gboolean     monitoring,
                                       guint64      spooled);
void        tw_lock_page_set_ready    (TwLockPage  *self,
                                       gboolean     ready);
void        tw_lock_page_set_busy     (TwLockPage  *self,
                                       gboolean     busy);
gboolean    tw_lock_page_get_busy     (TwLockPage  *self);
void        tw_lock_page_show_error   (TwLockPage  *self,
                                       const char  *message);
const char *tw_lock_page_get_error    (TwLockPage  *self);
void        tw_lock_page_clear        (TwLockPage  *self);
void        tw_lock_page_focus        (TwLockPage  *self);

/* For tests and assistive technologies: what the page shows. */
guint       tw_lock_page_get_n_beds   (TwLockPage  *self);
char       *tw_lock_page_dup_text     (TwLockPage  *self);
guint64     tw_lock_page_get_spooled  (TwLockPage  *self);

G_END_DECLS
