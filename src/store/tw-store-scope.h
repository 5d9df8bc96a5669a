#pragma once

#include <glib.h>

#include "tw-store.h"

G_BEGIN_DECLS

/**
 * Ward scope and emergency access (issue 6), enforced in the store: a
 * connection whose role is clinician and whose user is set
 * (tw_session_open_store()) reads only entities whose group (ward) is one
 * of the user's wards, or for which the user holds an open break-glass
 * grant. Out-of-scope entities are left out of lists and refused by
 * single-entity reads with %TW_ERROR_OUT_OF_SCOPE ("… is not on your
 * wards … use Emergency Access …"). Other roles and bare connections are
 * not scoped (their masking is tw-store-clinical.h's). Scope is about
 * patients: entities of other kinds (stores, instruments) are on no ward.
 *
 * A user's ward "*" means every ward (patients without a ward too); a
 * clinician without wards sees no patients. A grant lasts until it is
 * closed or %TW_BREAK_GLASS_MAX_HOURS have passed; grants opened through
 * a session (tw_session_break_glass()) are also closed when it ends.
 */

/* How long a grant opens a patient at most. */
#define TW_BREAK_GLASS_MAX_HOURS  12
/* The shortest reason accepted, in characters once trimmed. */
#define TW_BREAK_GLASS_REASON_MIN 10

typedef struct
{
  gint64  id;
  char   *user;
  char   *patient;      /* as the reader may see it: the key for clinicians, else the pseudonym */
  char   *ward;         /* the patient's ward now, may be NULL */
  char   *reason;
  gint64  opened_at;
  gint64  closed_at;    /* 0 while open; past the time limit: when it ran out */
  char   *reviewed_by;  /* NULL until reviewed */
  gint64  reviewed_at;
  char   *review_note;
} TwBreakGlassRow;

void       tw_break_glass_row_free      (TwBreakGlassRow *row);

GStrv      tw_store_get_user_wards      (TwStore             *store,
                                         const char          *user,
                                         GError             **error);
gboolean   tw_store_set_user_wards      (TwStore             *store,
                                         const char          *user,
                                         const char * const  *wards,
                                         GError             **error);
/* The wards with admitted patients, sorted (tw-store-clinical.c; for a
 * scoped clinician the wards of the patients they may see). */
GStrv      tw_store_list_wards          (TwStore             *store,
                                         GError             **error);

/* TRUE when the connection may read entity @entity_id; else
 * %TW_ERROR_OUT_OF_SCOPE. Every single-entity read calls it. */
gboolean   tw_store_check_entity_scope  (TwStore             *store,
                                         gint64               entity_id,
                                         GError             **error);
/* SQL condition on an entities alias, for list queries: "1" when the
 * connection is not scoped. Bind nothing; safe to paste (no user text). */
char      *tw_store_scope_sql           (TwStore             *store,
                                         const char          *entity_alias);

/* A signed-in user read one patient's record (summary or timeline):
 * audits %TW_AUDIT_RECORD_VIEW once per connection and patient (the
 * single-patient reads call it). Nothing for connections without a user. */
gboolean   tw_store_audit_record_view   (TwStore             *store,
                                         gint64               entity_id,
                                         const char          *entity_key,
                                         GError             **error);

/* Opens a grant for the connection's user (clinicians only; a reason of at
 * least 10 characters; @patient: key, MRN, pseudonym or bed, outside the
 * user's wards). Audited. Returns the id, 0 with @error. */
gint64     tw_store_open_break_glass    (TwStore             *store,
                                         const char          *patient,
                                         const char          *reason,
                                         GError             **error);
gboolean   tw_store_close_break_glass   (TwStore             *store,
                                         gint64               grant_id,
                                         GError             **error);
/* Grants, newest first; admins see all (for review), a clinician their own. */
GPtrArray *tw_store_list_break_glass    (TwStore             *store,
                                         gboolean             unreviewed_only,
                                         GError             **error);
/* An admin marks a grant reviewed, with an optional note. Audited. */
gboolean   tw_store_review_break_glass  (TwStore             *store,
                                         gint64               grant_id,
                                         const char          *note,
                                         GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwBreakGlassRow, tw_break_glass_row_free)

G_END_DECLS
