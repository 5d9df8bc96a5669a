#pragma once

#include <gio/gio.h>

#include "tw-audit.h"
#include "tw-reader.h"
#include "tw-store-scope.h"

G_BEGIN_DECLS

/*
 * The Audit page's work on the store, in GTask workers on a TwReader
 * connection: reading the trail (with the chain check and the emergency
 * accesses waiting for review), exporting it as CSV, and marking a grant
 * reviewed. Each struct is the task data of a GTask whose thread function
 * is the matching _run().
 */

typedef struct
{
  char   *actor;    /* NULL: anyone */
  char   *action;   /* NULL: any */
  char   *text;     /* NULL: any */
  gint64  from_ts;  /* 0: the beginning */
  gint64  to_ts;    /* 0: now */
} TwAuditQueryFilter;

void tw_audit_query_filter_clear (TwAuditQueryFilter *filter);
void tw_audit_query_filter_copy  (const TwAuditQueryFilter *from,
                                  TwAuditQueryFilter       *to);

typedef struct
{
  /* Input */
  TwReader           *reader;
  guint               serial;
  TwAuditQueryFilter  filter;
  guint               limit;
  gboolean            verify;        /* also walk the chain */

  /* Results */
  GPtrArray          *rows;          /* TwAuditRow*, newest first */
  gboolean            verified;
  TwAuditReport       report;
  GPtrArray          *grants;        /* TwBreakGlassRow*, unreviewed */
  GStrv               users;         /* for the user filter */
} TwAuditLoad;

TwAuditLoad *tw_audit_load_new  (TwReader     *reader,
                                 guint         serial);
void         tw_audit_load_free (gpointer      data);
void         tw_audit_load_run  (GTask        *task,
                                 gpointer      source_object,
                                 gpointer      task_data,
                                 GCancellable *cancellable);

typedef struct
{
  TwReader           *reader;
  char               *actor;     /* who exports, for the audit row */
  TwAuditQueryFilter  filter;
  GFile              *file;
  guint               n_rows;    /* result */
} TwAuditExport;

TwAuditExport *tw_audit_export_new  (TwReader     *reader,
                                     const char   *actor,
                                     GFile        *file);
void           tw_audit_export_free (gpointer      data);
void           tw_audit_export_run  (GTask        *task,
                                     gpointer      source_object,
                                     gpointer      task_data,
                                     GCancellable *cancellable);

typedef struct
{
  TwReader *reader;
  gint64    grant_id;
  char     *note;
} TwBreakGlassReview;

TwBreakGlassReview *tw_break_glass_review_new  (TwReader     *reader,
                                                gint64        grant_id,
                                                const char   *note);
void                tw_break_glass_review_free (gpointer      data);
void                tw_break_glass_review_run  (GTask        *task,
                                                gpointer      source_object,
                                                gpointer      task_data,
                                                GCancellable *cancellable);

/* For people: "User added", "Emergency access", … (the stored action
 * when it has no label). */
const char         *tw_audit_action_label      (const char   *action);
/* The actions the filter offers, NULL-terminated. */
const char * const *tw_audit_known_actions     (void);

G_END_DECLS
