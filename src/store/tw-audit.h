#pragma once

#include <gio/gio.h>

#include "tw-store.h"

G_BEGIN_DECLS

/* What happened (the `action` column). Append-only vocabulary: a stored
 * action is never renamed. */
#define TW_AUDIT_LOGIN              "login"
#define TW_AUDIT_LOGIN_FAILED       "login-failed"     /* imported from the lockout log */
#define TW_AUDIT_ACCOUNT_LOCKED     "account-locked"   /* too many failures */
#define TW_AUDIT_ACCOUNT_UNLOCKED   "account-unlocked" /* by an admin */
#define TW_AUDIT_LOGOUT             "logout"
#define TW_AUDIT_LOCK               "lock"
#define TW_AUDIT_UNLOCK             "unlock"
#define TW_AUDIT_SPOOL_MERGED       "spool-merged"
#define TW_AUDIT_RECORD_VIEW        "record-view"
#define TW_AUDIT_BREAK_GLASS        "break-glass"
#define TW_AUDIT_BREAK_GLASS_CLOSE  "break-glass-close"
#define TW_AUDIT_BREAK_GLASS_REVIEW "break-glass-review"
#define TW_AUDIT_ALERT_ACK          "alert-acknowledge"
#define TW_AUDIT_ALERT_ESCALATE     "alert-escalate"
#define TW_AUDIT_AUDIO_PAUSE        "audio-pause"
#define TW_AUDIT_EXPORT             "export"           /* subject: what was exported */
#define TW_AUDIT_QUARANTINE_REPROCESS "quarantine-reprocess"
#define TW_AUDIT_RULE_CHANGE        "rule-change"
#define TW_AUDIT_SOURCE_CHANGE      "source-change"
#define TW_AUDIT_USER_ADD           "user-add"
#define TW_AUDIT_USER_DISABLE       "user-disable"
#define TW_AUDIT_USER_ENABLE        "user-enable"
#define TW_AUDIT_USER_RESET         "user-reset"
#define TW_AUDIT_USER_ROLE          "user-role"
#define TW_AUDIT_USER_WARDS         "user-wards"
#define TW_AUDIT_USER_REMOVE        "user-remove"
#define TW_AUDIT_PASSWORD_CHANGE    "password-change"
#define TW_AUDIT_STORE_REKEY        "store-rekey"
#define TW_AUDIT_TAMPER             "tamper-detected"  /* audit chain, lockout log */

#define TW_AUDIT_MAC_BYTES 32

/**
 * TwAuditRow:
 * One row of the audit trail. @subject names what was acted on: a user,
 * a rule, an alert id, or a patient by pseudonym ("S-…", never the
 * name or key, so reviewing the trail does not itself reveal identity).
 */
typedef struct
{
  gint64  seq;
  gint64  at;        /* wall µs UTC */
  char   *actor;     /* user name, or "system" */
  char   *action;
  char   *subject;   /* may be NULL */
  char   *detail;    /* may be NULL */
} TwAuditRow;

void tw_audit_row_free (TwAuditRow *row);

/**
 * tw_audit_append:
 * @actor: who; %NULL for the user of @store's session ("system" when none)
 *
 * Appends one row, chained to the last. Inside the caller's transaction
 * when one is open (so the row commits or rolls back with the change it
 * records), else in a transaction of its own. After the commit the new
 * head is written to the sidecar when @store has one (sessions' stores).
 */
gboolean tw_audit_append (TwStore     *store,
                          const char  *actor,
                          const char  *action,
                          const char  *subject,
                          const char  *detail,
                          GError     **error);

/* The same for a patient: @entity_key is recorded as its pseudonym. */
gboolean tw_audit_append_patient (TwStore     *store,
                                  const char  *actor,
                                  const char  *action,
                                  const char  *entity_key,
                                  const char  *detail,
                                  GError     **error);

typedef struct
{
  gint64 seq;                          /* 0: no rows */
  guint8 mac[TW_AUDIT_MAC_BYTES];
} TwAuditHead;

/* The last row of the table. */
gboolean tw_audit_get_head          (TwStore      *store,
                                     TwAuditHead  *out_head,
                                     GError      **error);
/* The head kept in the sidecar; *@out_found is FALSE when it has none. */
gboolean tw_audit_read_sidecar_head (const char   *sidecar_path,
                                     TwAuditHead  *out_head,
                                     gboolean     *out_found,
                                     GError      **error);
/* Writes @head unless the sidecar already holds a later one (two
 * programs may append; the head only moves forward). */
gboolean tw_audit_write_sidecar_head (const char        *sidecar_path,
                                      const TwAuditHead *head,
                                      GError           **error);

typedef enum
{
  TW_AUDIT_INTACT,
  TW_AUDIT_ROW_ALTERED,     /* @seq: the first row whose MAC does not match */
  TW_AUDIT_ROW_MISSING,     /* @seq: the first missing sequence number */
  TW_AUDIT_TAIL_MISSING,    /* rows after @seq are gone: the sidecar's head is @head_seq */
  TW_AUDIT_HEAD_MISSING,    /* the sidecar has no head although the table has rows */
  TW_AUDIT_HEAD_MISMATCH,   /* the row at the sidecar's head has another MAC */
} TwAuditProblem;

typedef struct
{
  TwAuditProblem problem;
  gint64         seq;
  gint64         head_seq;
  gint64         n_rows;    /* rows checked (up to the first problem) */
  char          *message;   /* one sentence for people: what is wrong and what to do */
} TwAuditReport;

void     tw_audit_report_clear (TwAuditReport *report);

/* Walks the chain from the first row and compares the end with the
 * sidecar's head. Returns FALSE only when it could not check (@error);
 * the outcome is in @out_report. Admins only. */
gboolean tw_audit_verify       (TwStore       *store,
                                const char    *sidecar_path,
                                TwAuditReport *out_report,
                                GError       **error);

typedef struct
{
  const char *actor;    /* NULL: anyone */
  const char *action;   /* NULL: any */
  const char *text;     /* NULL: any; else a substring of subject or detail */
  gint64      from_ts;  /* 0: the beginning */
  gint64      to_ts;    /* 0: now */
  guint       limit;    /* 0: no limit; newest first when limited */
} TwAuditFilter;

/* Rows matching @filter, newest first. Admins only
 * (%TW_ERROR_PERMISSION_DENIED otherwise). */
GPtrArray *tw_audit_list      (TwStore             *store,
                               const TwAuditFilter *filter,
                               GError             **error);
/* RFC 4180 CSV with a header line; times in ISO 8601 UTC. */
gboolean   tw_audit_write_csv (GPtrArray           *rows,
                               GOutputStream       *out,
                               GCancellable        *cancellable,
                               GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwAuditRow, tw_audit_row_free)

G_END_DECLS
