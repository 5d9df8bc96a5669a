#include <sodium.h>
#include <string.h>

#include "tw-audit.h"
#include "tw-error.h"
#include "tw-store-private.h"
#include "tw-time.h"

/* Checking, listing and exporting the audit trail (appending is in
 * tw-audit.c). */

#define AUDIT_KEY_NAME "audit_mac_key"
#define LIKE_ESCAPE    '\\'

/* What every message about a broken trail ends with: what to do. */
#define TAMPER_ADVICE \
  "treat the store as tampered with: keep a copy of it and its key file as evidence and " \
  "compare them with your latest backup"

void
tw_audit_report_clear (TwAuditReport *report)
{
  if (report == NULL)
    return;
  g_free (report->message);
  memset (report, 0, sizeof *report);
}

static gboolean
require_reader (TwStore  *store,
                GError  **error)
{
  if (tw_role_can (store->role, TW_PERM_READ_AUDIT))
    return TRUE;
  g_set_error_literal (error, TW_ERROR, TW_ERROR_PERMISSION_DENIED,
                       "Only an administrator may read the audit trail");
  return FALSE;
}

/* The MAC key as stored, never made here: checking writes nothing.
 * *@out_key is NULL when the store has none. */
static gboolean
read_key (TwStore  *store,
          TwKey   **out_key,
          GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *out_key = NULL;
  stmt = tw_store_prepare (store, "SELECT value FROM store_meta WHERE key = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, AUDIT_KEY_NAME, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == TW_KEY_BYTES)
    *out_key = tw_key_new_from_bytes (sqlite3_column_blob (stmt, 0), TW_KEY_BYTES);
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read the audit key");
      return FALSE;
    }
  return TRUE;
}

static void
report_problem (TwAuditReport  *report,
                TwAuditProblem  problem,
                gint64          seq,
                char           *message)
{
  report->problem = problem;
  report->seq = seq;
  g_free (report->message);
  report->message = message;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Walks the rows in order, each MAC recomputed from the previous stored
 * MAC. Stops at the first problem. On return @report's n_rows is the
 * number of rows read; @last_mac holds the MAC of the last good row and
 * @head_mac that of row @head_seq when it was reached. */
static gboolean
walk_chain (TwStore       *store,
            const TwKey   *key,
            gint64         head_seq,
            guint8        *head_mac,
            gboolean      *out_head_seen,
            gint64        *out_last_seq,
            TwAuditReport *report,
            GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint8 prev[TW_AUDIT_MAC_BYTES] = { 0 };
  gint64 expected = 1;
  int rc;

  *out_head_seen = FALSE;
  *out_last_seq = 0;
  stmt = tw_store_prepare (store,
                           "SELECT seq, at, actor, action, subject, detail, mac FROM audit"
                           " ORDER BY seq", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwAuditRow row = { 0 };
      guint8 mac[TW_AUDIT_MAC_BYTES];
      gboolean matches;

      row.seq = sqlite3_column_int64 (stmt, 0);
      report->n_rows++;
      if (row.seq != expected)
        {
          report_problem (report, TW_AUDIT_ROW_MISSING, expected,
                          row.seq == expected + 1
                          ? g_strdup_printf ("Audit row %" G_GINT64_FORMAT " was removed (the "
                                             "trail jumps from row %" G_GINT64_FORMAT " to row %"
                                             G_GINT64_FORMAT "); " TAMPER_ADVICE ".",
                                             expected, expected - 1, row.seq)
                          : g_strdup_printf ("Audit rows %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                                             " were removed; " TAMPER_ADVICE ".",
                                             expected, row.seq - 1));
          return TRUE;
        }
      if (key == NULL)
        {
          report_problem (report, TW_AUDIT_ROW_ALTERED, row.seq,
                          g_strdup ("The audit key is missing from the store, so no audit row "
                                    "can be checked; " TAMPER_ADVICE "."));
          return TRUE;
        }
      row.at = sqlite3_column_int64 (stmt, 1);
      row.actor = column_dup (stmt, 2);
      row.action = column_dup (stmt, 3);
      row.subject = column_dup (stmt, 4);
      row.detail = column_dup (stmt, 5);
      tw_audit_compute_mac (key, &row, prev, mac);
      g_free (row.actor);
      g_free (row.action);
      g_free (row.subject);
      g_free (row.detail);
      matches = sqlite3_column_bytes (stmt, 6) == TW_AUDIT_MAC_BYTES
                && sodium_memcmp (sqlite3_column_blob (stmt, 6), mac, TW_AUDIT_MAC_BYTES) == 0;
      if (!matches)
        {
          report_problem (report, TW_AUDIT_ROW_ALTERED, row.seq,
                          g_strdup_printf ("Audit row %" G_GINT64_FORMAT " was changed after it "
                                           "was written (its MAC does not match its contents "
                                           "and the row before); " TAMPER_ADVICE ".", row.seq));
          return TRUE;
        }
      memcpy (prev, mac, sizeof prev);
      if (row.seq == head_seq)
        {
          memcpy (head_mac, mac, TW_AUDIT_MAC_BYTES);
          *out_head_seen = TRUE;
        }
      *out_last_seq = row.seq;
      expected++;
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read the audit trail");
      return FALSE;
    }
  return TRUE;
}

/**
 * tw_audit_verify:
 * @sidecar_path: (nullable): the key file holding the head; %NULL checks
 *   the chain only
 *
 * The sidecar is read before the table: a head is published only after
 * its row committed, so every row the head names is in the snapshot the
 * walk reads, and appends racing with the check are never mistaken for a
 * missing tail.
 */
gboolean
tw_audit_verify (TwStore        *store,
                 const char     *sidecar_path,
                 TwAuditReport  *out_report,
                 GError        **error)
{
  g_autoptr(TwKey) key = NULL;
  g_autoptr(GError) head_error = NULL;
  TwAuditHead file_head = { 0 };
  guint8 head_mac[TW_AUDIT_MAC_BYTES];
  gboolean head_found = FALSE;
  gboolean head_damaged = FALSE;
  gboolean head_seen = FALSE;
  gint64 last_seq = 0;

  g_return_val_if_fail (store != NULL && out_report != NULL, FALSE);

  memset (out_report, 0, sizeof *out_report);
  if (!require_reader (store, error))
    return FALSE;

  if (sidecar_path != NULL
      && !tw_audit_read_sidecar_head (sidecar_path, &file_head, &head_found, &head_error))
    {
      /* A damaged head is a finding; an unreadable file is not. */
      if (!g_error_matches (head_error, TW_ERROR, TW_ERROR_CORRUPT))
        {
          g_propagate_error (error, g_steal_pointer (&head_error));
          return FALSE;
        }
      head_damaged = TRUE;
    }

  if (!read_key (store, &key, error))
    return FALSE;
  out_report->head_seq = file_head.seq;
  if (!walk_chain (store, key, head_found ? file_head.seq : -1, head_mac, &head_seen, &last_seq,
                   out_report, error))
    return FALSE;
  if (out_report->problem != TW_AUDIT_INTACT || sidecar_path == NULL)
    goto done;

  if (head_damaged)
    report_problem (out_report, TW_AUDIT_HEAD_MISMATCH, 0,
                    g_strdup_printf ("The audit head in %s is damaged, so the end of the trail "
                                     "cannot be checked; " TAMPER_ADVICE ".", sidecar_path));
  else if (!head_found && out_report->n_rows > 0)
    report_problem (out_report, TW_AUDIT_HEAD_MISSING, 0,
                    g_strdup_printf ("The audit head was removed from %s although the trail "
                                     "has %" G_GINT64_FORMAT " rows, so a missing tail cannot be "
                                     "ruled out; " TAMPER_ADVICE ".",
                                     sidecar_path, out_report->n_rows));
  else if (head_found && file_head.seq > last_seq)
    report_problem (out_report, TW_AUDIT_TAIL_MISSING, last_seq,
                    g_strdup_printf ("The last audit rows are missing: the trail ends at row %"
                                     G_GINT64_FORMAT " but the key file's head is row %"
                                     G_GINT64_FORMAT "; " TAMPER_ADVICE ".",
                                     last_seq, file_head.seq));
  else if (head_found && file_head.seq > 0
           && (!head_seen || sodium_memcmp (head_mac, file_head.mac, TW_AUDIT_MAC_BYTES) != 0))
    report_problem (out_report, TW_AUDIT_HEAD_MISMATCH, file_head.seq,
                    g_strdup_printf ("The audit head in %s (row %" G_GINT64_FORMAT ") does not "
                                     "match that row of the trail: the head or the rows were "
                                     "replaced; " TAMPER_ADVICE ".", sidecar_path, file_head.seq));

done:
  if (out_report->problem == TW_AUDIT_INTACT)
    {
      out_report->seq = last_seq;
      out_report->message =
        sidecar_path != NULL
        ? g_strdup_printf ("The audit trail is intact: %" G_GINT64_FORMAT " rows, each chained "
                           "to the one before, the last anchored in the key file.",
                           out_report->n_rows)
        : g_strdup_printf ("The audit trail's %" G_GINT64_FORMAT " rows are chained intact "
                           "(its end was not compared with a key file).", out_report->n_rows);
    }
  return TRUE;
}

/* ---- listing ------------------------------------------------------------ */

static char *
like_pattern (const char *text)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == LIKE_ESCAPE)
        g_string_append_c (pattern, LIKE_ESCAPE);
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

/**
 * tw_audit_list:
 * Times are inclusive at both ends. Returns: (transfer full) (element-type
 * TwAuditRow)
 */
GPtrArray *
tw_audit_list (TwStore              *store,
               const TwAuditFilter  *filter,
               GError              **error)
{
  static const TwAuditFilter everything = { 0 };
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tw_audit_row_free);
  g_autofree char *pattern = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  if (filter == NULL)
    filter = &everything;
  if (!require_reader (store, error))
    return NULL;
  stmt = tw_store_prepare (store,
                           "SELECT seq, at, actor, action, subject, detail FROM audit"
                           " WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2)"
                           "  AND (?3 IS NULL OR subject LIKE ?3 ESCAPE '\\'"
                           "       OR detail LIKE ?3 ESCAPE '\\')"
                           "  AND at >= ?4 AND (?5 = 0 OR at <= ?5)"
                           " ORDER BY seq DESC LIMIT ?6", error);
  if (stmt == NULL)
    return NULL;
  if (filter->text != NULL && filter->text[0] != '\0')
    pattern = like_pattern (filter->text);
  sqlite3_bind_text (stmt, 1, filter->actor, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, filter->action, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, pattern, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, filter->from_ts);
  sqlite3_bind_int64 (stmt, 5, filter->to_ts);
  sqlite3_bind_int64 (stmt, 6, filter->limit > 0 ? (gint64) filter->limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TwAuditRow *row = g_new0 (TwAuditRow, 1);

      row->seq = sqlite3_column_int64 (stmt, 0);
      row->at = sqlite3_column_int64 (stmt, 1);
      row->actor = column_dup (stmt, 2);
      row->action = column_dup (stmt, 3);
      row->subject = column_dup (stmt, 4);
      row->detail = column_dup (stmt, 5);
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      tw_store_set_error (store, error, "Could not read the audit trail");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* ---- CSV ---------------------------------------------------------------- */

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes
 * doubled. A text field that a spreadsheet would run as a formula (=, +,
 * -, @, tab, CR first) gets a leading apostrophe: the trail holds text
 * typed by users (reasons, notes), and opening an export must not execute
 * it (OWASP, "CSV injection"). */
static void
append_field (GString    *line,
              const char *text,
              gboolean    is_text)
{
  gboolean quote;

  if (text == NULL)
    return;
  quote = strpbrk (text, ",\"\r\n") != NULL;
  if (quote)
    g_string_append_c (line, '"');
  if (is_text && strchr ("=+-@\t\r", text[0]) != NULL && text[0] != '\0')
    g_string_append_c (line, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  if (quote)
    g_string_append_c (line, '"');
}

gboolean
tw_audit_write_csv (GPtrArray      *rows,
                    GOutputStream  *out,
                    GCancellable   *cancellable,
                    GError        **error)
{
  g_autoptr(GString) line = g_string_new ("seq,time,actor,action,subject,detail\r\n");

  g_return_val_if_fail (rows != NULL && G_IS_OUTPUT_STREAM (out), FALSE);

  for (guint i = 0; i <= rows->len; i++)
    {
      if (!g_output_stream_write_all (out, line->str, line->len, NULL, cancellable, error))
        return FALSE;
      g_string_truncate (line, 0);
      if (i < rows->len)
        {
          const TwAuditRow *row = g_ptr_array_index (rows, i);
          g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, row->seq);
          g_autofree char *at = tw_time_format_iso8601 (row->at);

          append_field (line, seq, FALSE);
          g_string_append_c (line, ',');
          append_field (line, at, FALSE);
          g_string_append_c (line, ',');
          append_field (line, row->actor, TRUE);
          g_string_append_c (line, ',');
          append_field (line, row->action, TRUE);
          g_string_append_c (line, ',');
          append_field (line, row->subject, TRUE);
          g_string_append_c (line, ',');
          append_field (line, row->detail, TRUE);
          g_string_append (line, "\r\n");
        }
    }
  return TRUE;
}
