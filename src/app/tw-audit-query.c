#include "config.h"

#include <glib/gi18n.h>

#include "tw-audit-query.h"
#include "tw-error.h"
#include "tw-session.h"

/*
 * The audit trail's reads and the export, run in GTask workers on the
 * Audit page's TwReader connection so the main thread never waits on SQL
 * or the disk. The chain check walks every row: it runs when the page
 * opens and when asked, not at every change of a filter.
 */

typedef struct
{
  const char *action;
  const char *label;
} ActionLabel;

static const ActionLabel action_labels[] = {
  { TW_AUDIT_LOGIN, N_("Signed in") },
  { TW_AUDIT_LOGIN_FAILED, N_("Sign-in failed") },
  { TW_AUDIT_ACCOUNT_LOCKED, N_("Account locked out") },
  { TW_AUDIT_ACCOUNT_UNLOCKED, N_("Account unlocked") },
  { TW_AUDIT_LOGOUT, N_("Signed out") },
  { TW_AUDIT_LOCK, N_("Screen locked") },
  { TW_AUDIT_UNLOCK, N_("Screen unlocked") },
  { TW_AUDIT_SPOOL_MERGED, N_("Data received while locked stored") },
  { TW_AUDIT_RECORD_VIEW, N_("Patient record viewed") },
  { TW_AUDIT_BREAK_GLASS, N_("Emergency access opened") },
  { TW_AUDIT_BREAK_GLASS_CLOSE, N_("Emergency access closed") },
  { TW_AUDIT_BREAK_GLASS_REVIEW, N_("Emergency access reviewed") },
  { TW_AUDIT_ALERT_ACK, N_("Alert acknowledged") },
  { TW_AUDIT_ALERT_ESCALATE, N_("Alert escalated") },
  { TW_AUDIT_AUDIO_PAUSE, N_("Alarm audio paused") },
  { TW_AUDIT_EXPORT, N_("Exported") },
  { TW_AUDIT_RULE_CHANGE, N_("Alert rule changed") },
  { TW_AUDIT_SOURCE_CHANGE, N_("Data source changed") },
  { TW_AUDIT_USER_ADD, N_("User added") },
  { TW_AUDIT_USER_DISABLE, N_("User disabled") },
  { TW_AUDIT_USER_ENABLE, N_("User enabled") },
  { TW_AUDIT_USER_RESET, N_("Password reset") },
  { TW_AUDIT_USER_ROLE, N_("Role changed") },
  { TW_AUDIT_USER_WARDS, N_("Wards changed") },
  { TW_AUDIT_USER_REMOVE, N_("User removed") },
  { TW_AUDIT_PASSWORD_CHANGE, N_("Password changed") },
  { TW_AUDIT_STORE_REKEY, N_("Store re-encrypted") },
  { TW_AUDIT_TAMPER, N_("Tampering detected") },
};

const char *
tw_audit_action_label (const char *action)
{
  for (guint i = 0; i < G_N_ELEMENTS (action_labels); i++)
    if (g_strcmp0 (action_labels[i].action, action) == 0)
      return _(action_labels[i].label);

  return action;
}

const char * const *
tw_audit_known_actions (void)
{
  static const char *actions[G_N_ELEMENTS (action_labels) + 1];

  if (actions[0] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (action_labels); i++)
      actions[i] = action_labels[i].action;

  return actions;
}

void
tw_audit_query_filter_clear (TwAuditQueryFilter *filter)
{
  g_clear_pointer (&filter->actor, g_free);
  g_clear_pointer (&filter->action, g_free);
  g_clear_pointer (&filter->text, g_free);
  filter->from_ts = 0;
  filter->to_ts = 0;
}

void
tw_audit_query_filter_copy (const TwAuditQueryFilter *from,
                            TwAuditQueryFilter       *to)
{
  tw_audit_query_filter_clear (to);
  to->actor = g_strdup (from->actor);
  to->action = g_strdup (from->action);
  to->text = g_strdup (from->text);
  to->from_ts = from->from_ts;
  to->to_ts = from->to_ts;
}

static TwAuditFilter
core_filter (const TwAuditQueryFilter *filter,
             guint                     limit)
{
  return (TwAuditFilter) {
    .actor = filter->actor,
    .action = filter->action,
    .text = filter->text,
    .from_ts = filter->from_ts,
    .to_ts = filter->to_ts,
    .limit = limit,
  };
}

/* Loading */

TwAuditLoad *
tw_audit_load_new (TwReader *reader,
                   guint     serial)
{
  TwAuditLoad *load = g_new0 (TwAuditLoad, 1);

  load->reader = tw_reader_ref (reader);
  load->serial = serial;

  return load;
}

void
tw_audit_load_free (gpointer data)
{
  TwAuditLoad *load = data;

  g_clear_pointer (&load->reader, tw_reader_unref);
  tw_audit_query_filter_clear (&load->filter);
  g_clear_pointer (&load->rows, g_ptr_array_unref);
  g_clear_pointer (&load->grants, g_ptr_array_unref);
  g_clear_pointer (&load->users, g_strfreev);
  tw_audit_report_clear (&load->report);
  g_free (load);
}

static GStrv
list_user_names (TwStore  *store,
                 GError  **error)
{
  g_autoptr(GPtrArray) rows = tw_store_list_users (store, error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (rows == NULL)
    return NULL;
  for (guint i = 0; i < rows->len; i++)
    g_strv_builder_add (builder, ((const TwUserRow *) g_ptr_array_index (rows, i))->name);

  return g_strv_builder_end (builder);
}

static gboolean
load (TwStore      *store,
      TwAuditLoad  *load,
      const char   *sidecar_path,
      GError      **error)
{
  TwAuditFilter filter = core_filter (&load->filter, load->limit);

  if (load->verify)
    {
      if (!tw_audit_verify (store, sidecar_path, &load->report, error))
        return FALSE;
      load->verified = TRUE;
    }

  load->rows = tw_audit_list (store, &filter, error);
  if (load->rows == NULL)
    return FALSE;
  load->grants = tw_store_list_break_glass (store, TRUE, error);
  if (load->grants == NULL)
    return FALSE;
  load->users = list_user_names (store, error);

  return load->users != NULL;
}

void
tw_audit_load_run (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  TwAuditLoad *self = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *sidecar_path = g_build_filename (tw_reader_get_data_dir (self->reader),
                                                    TW_KEYSLOTS_FILENAME, NULL);
  TwStore *store = tw_reader_lock (self->reader, &error);
  gboolean ok;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ok = load (store, self, sidecar_path, &error);
  tw_reader_unlock (self->reader);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Export */

TwAuditExport *
tw_audit_export_new (TwReader   *reader,
                     const char *actor,
                     GFile      *file)
{
  TwAuditExport *export = g_new0 (TwAuditExport, 1);

  export->reader = tw_reader_ref (reader);
  export->actor = g_strdup (actor);
  export->file = g_object_ref (file);

  return export;
}

void
tw_audit_export_free (gpointer data)
{
  TwAuditExport *export = data;

  g_clear_pointer (&export->reader, tw_reader_unref);
  g_clear_pointer (&export->actor, g_free);
  tw_audit_query_filter_clear (&export->filter);
  g_clear_object (&export->file);
  g_free (export);
}

static gboolean
export (TwStore        *store,
        TwAuditExport  *export,
        GCancellable   *cancellable,
        GError        **error)
{
  TwAuditFilter filter = core_filter (&export->filter, 0);
  g_autoptr(GPtrArray) rows = tw_audit_list (store, &filter, error);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autofree char *name = NULL;
  g_autofree char *detail = NULL;

  if (rows == NULL)
    return FALSE;

  /* Private: the trail names users and pseudonyms. */
  out = g_file_replace (export->file, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (out == NULL
      || !tw_audit_write_csv (rows, G_OUTPUT_STREAM (out), cancellable, error)
      || !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error))
    return FALSE;
  export->n_rows = rows->len;

  /* The export is itself audited: who took a copy of the trail, and how much. */
  name = g_file_get_basename (export->file);
  detail = g_strdup_printf ("audit trail, %u rows", rows->len);
  return tw_audit_append (store, export->actor, TW_AUDIT_EXPORT, name, detail, error);
}

void
tw_audit_export_run (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  TwAuditExport *self = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (self->reader, &error);
  gboolean ok;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ok = export (store, self, cancellable, &error);
  tw_reader_unlock (self->reader);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Review */

TwBreakGlassReview *
tw_break_glass_review_new (TwReader   *reader,
                           gint64      grant_id,
                           const char *note)
{
  TwBreakGlassReview *review = g_new0 (TwBreakGlassReview, 1);

  review->reader = tw_reader_ref (reader);
  review->grant_id = grant_id;
  review->note = g_strdup (note);

  return review;
}

void
tw_break_glass_review_free (gpointer data)
{
  TwBreakGlassReview *review = data;

  g_clear_pointer (&review->reader, tw_reader_unref);
  g_clear_pointer (&review->note, g_free);
  g_free (review);
}

void
tw_break_glass_review_run (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  TwBreakGlassReview *self = task_data;
  g_autoptr(GError) error = NULL;
  TwStore *store = tw_reader_lock (self->reader, &error);
  gboolean ok;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ok = tw_store_review_break_glass (store, self->grant_id,
                                    self->note != NULL && self->note[0] != '\0' ? self->note : NULL,
                                    &error);
  tw_reader_unlock (self->reader);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}
