#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-session.h"
#include "tw-store-private.h"

/* `twctl store check`: proves that every byte the store holds still
 * decrypts and authenticates. SQLCipher checks a page's HMAC only when the
 * page is read, so a damaged page in a table nobody opens would go
 * unnoticed until the day someone needs it; this reads all of them. */

#define FIRST_SQLCIPHER_WITH_PAGE_CHECK 4
/* Findings shown per checking PRAGMA. */
#define MAX_PRAGMA_LINES 3

typedef struct
{
  TwSession *session;
  TwStore   *store;     /* reopened after a failure: a connection that met a
                           bad page may stay in an error state */
  GPtrArray *damage;    /* char*: one sentence per finding */
} Check;

static void
note_damage (Check      *check,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
note_damage (Check      *check,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (check->damage, g_strdup_vprintf (format, args));
  va_end (args);
}

static gboolean
reopen (Check *check)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&check->store, tw_store_close);
  check->store = tw_session_open_store (check->session, &error);
  if (check->store == NULL)
    note_damage (check, "The store no longer opens: %s", error->message);
  return check->store != NULL;
}

/* Steps through every row and column of @table, so each of its pages
 * (overflow pages too) is read, decrypted and its HMAC checked. */
static gint64
read_table (Check      *check,
            const char *table)
{
  g_autofree char *quoted = g_strdup_printf ("SELECT * FROM \"%s\"", table);
  sqlite3_stmt *stmt = NULL;
  gint64 rows = 0;
  int rc;

  if (sqlite3_prepare_v2 (check->store->db, quoted, -1, &stmt, NULL) != SQLITE_OK)
    {
      note_damage (check, "The table ‘%s’ cannot be read: %s", table,
                   sqlite3_errmsg (check->store->db));
      sqlite3_finalize (stmt);
      return -1;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        (void) sqlite3_column_blob (stmt, i);
      rows++;
    }
  if (rc != SQLITE_DONE)
    {
      note_damage (check, "The table ‘%s’ is damaged after row %" G_GINT64_FORMAT ": %s",
                   table, rows, sqlite3_errmsg (check->store->db));
      rows = -1;
    }
  sqlite3_finalize (stmt);
  return rows;
}

static GPtrArray *
list_tables (Check *check)
{
  GPtrArray *tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc = SQLITE_ERROR;

  if (sqlite3_prepare_v2 (check->store->db,
                          "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                          -1, &stmt, NULL) == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    note_damage (check, "The list of tables cannot be read: %s",
                 sqlite3_errmsg (check->store->db));
  sqlite3_finalize (stmt);
  return tables;
}

/* Runs a checking PRAGMA whose rows are findings; @ok_row is the single
 * row that means "nothing found" (NULL: no rows mean that). */
static void
run_pragma (Check      *check,
            const char *pragma,
            const char *ok_row)
{
  sqlite3_stmt *stmt = NULL;
  int rc = SQLITE_ERROR;
  guint n_lines = 0;

  if (sqlite3_prepare_v2 (check->store->db, pragma, -1, &stmt, NULL) == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        const char *row = (const char *) sqlite3_column_text (stmt, 0);
        g_auto(GStrv) lines = NULL;

        if (row == NULL || g_strcmp0 (row, ok_row) == 0)
          continue;
        /* One row may hold many lines; after the first bad page the
         * connection fails every later page, so the first lines are the
         * ones that name the damage. */
        lines = g_strsplit (row, "\n", -1);
        for (guint i = 0; lines[i] != NULL; i++)
          {
            if (*lines[i] == '\0' || g_str_has_prefix (lines[i], "*** in database"))
              continue;
            if (n_lines++ < MAX_PRAGMA_LINES)
              note_damage (check, "%s: %s", pragma, lines[i]);
          }
      }
  if (n_lines > MAX_PRAGMA_LINES)
    note_damage (check, "%s: … and %u more findings that follow from the first", pragma,
                 n_lines - MAX_PRAGMA_LINES);
  if (rc != SQLITE_DONE)
    note_damage (check, "%s stopped: %s", pragma, sqlite3_errmsg (check->store->db));
  sqlite3_finalize (stmt);
}

static gint64
query_int (TwStore    *store,
           const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = tw_store_prepare (store, sql, NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int64 (stmt, 0);
}

/* ---- the WAL, before anything opens the store ----------------------------
 * SQLite checks a WAL's frames only when it recovers the WAL (after a
 * crash): at the first frame whose checksum fails it silently drops that
 * frame and every one after it. One flipped byte there would lose the
 * last commits without a word, and the next close deletes the evidence.
 * So the frames are checked here first, against SQLite's format
 * (https://sqlite.org/fileformat.html#the_write_ahead_log): each frame's
 * checksum chains from the one before, so a damaged frame in the middle
 * shows as one that fails while the next one verifies from its stored
 * predecessor — unlike a torn write at the end, which nothing follows. */

#define WAL_HEADER_BYTES       32
#define WAL_FRAME_HEADER_BYTES 24
#define WAL_MAGIC_MASK         0xfffffffeu
#define WAL_MAGIC              0x377f0682u

typedef struct
{
  guint   n_frames;        /* of the current generation */
  gint    first_damaged;   /* 0-based frame, -1: none */
  guint32 page;            /* the damaged frame's database page */
  guint   n_dropped;       /* frames SQLite would drop */
  guint   n_commits;       /* commits among them */
} WalCheck;

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint32
read_le32 (const guint8 *p)
{
  return ((guint32) p[3] << 24) | ((guint32) p[2] << 16) | ((guint32) p[1] << 8) | p[0];
}

static void
wal_checksum (gboolean      big_endian,
              const guint8 *data,
              gsize         len,
              guint32      *s0,
              guint32      *s1)
{
  for (gsize i = 0; i + 8 <= len; i += 8)
    {
      guint32 x0 = big_endian ? read_be32 (data + i) : read_le32 (data + i);
      guint32 x1 = big_endian ? read_be32 (data + i + 4) : read_le32 (data + i + 4);

      *s0 += x0 + *s1;
      *s1 += x1 + *s0;
    }
}

/* FALSE when @wal is not a WAL SQLite would use at all (then nothing in
 * it is lost to a damaged frame). */
static gboolean
check_wal (const guint8 *wal,
           gsize         len,
           WalCheck     *out)
{
  guint32 page_size, s0 = 0, s1 = 0;
  gsize frame_bytes;
  gboolean big_endian;

  memset (out, 0, sizeof *out);
  out->first_damaged = -1;
  if (len < WAL_HEADER_BYTES || (read_be32 (wal) & WAL_MAGIC_MASK) != WAL_MAGIC)
    return FALSE;
  big_endian = read_be32 (wal) & 1;
  page_size = read_be32 (wal + 8);
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0)
    return FALSE;
  frame_bytes = WAL_FRAME_HEADER_BYTES + page_size;

  for (gsize at = WAL_HEADER_BYTES; at + frame_bytes <= len; at += frame_bytes)
    {
      const guint8 *frame = wal + at;
      const guint8 *before = at == WAL_HEADER_BYTES ? wal + 24 : frame - frame_bytes + 16;
      gboolean intact;

      /* Frames of an older generation follow the current ones. */
      if (memcmp (frame + 8, wal + 16, 8) != 0)
        break;
      s0 = read_be32 (before);
      s1 = read_be32 (before + 4);
      wal_checksum (big_endian, frame, 8, &s0, &s1);
      wal_checksum (big_endian, frame + WAL_FRAME_HEADER_BYTES, page_size, &s0, &s1);
      intact = s0 == read_be32 (frame + 16) && s1 == read_be32 (frame + 20);
      if (!intact && out->first_damaged < 0)
        {
          out->first_damaged = (gint) out->n_frames;
          out->page = read_be32 (frame);
        }
      if (out->first_damaged >= 0)
        {
          out->n_dropped++;
          out->n_commits += read_be32 (frame + 4) != 0;
        }
      out->n_frames++;
    }
  /* Frames after the last commit were never committed (a crash in the
   * middle of a transaction, a write cut short): SQLite ignores them
   * anyway, and a damaged one loses nothing. */
  if (out->n_commits == 0)
    out->first_damaged = -1;
  return TRUE;
}

/* Reads the WAL before signing in (which opens the store and would
 * recover, and at close delete, it); keeps a copy beside it when damaged. */
static gboolean
wal_is_damaged (Twctl     *self,
                WalCheck  *out,
                GBytes   **out_copy)
{
  g_autofree char *path = g_build_filename (self->data_dir, TW_STORE_FILENAME "-wal", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL)
      || !check_wal ((const guint8 *) data, len, out) || out->first_damaged < 0)
    return FALSE;
  *out_copy = g_bytes_new_take (g_steal_pointer (&data), len);
  return TRUE;
}

static int
cmd_check (Twctl *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tables = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(GBytes) wal_copy = NULL;
  Check check = { 0 };
  WalCheck wal = { 0 };
  gboolean wal_damaged = wal_is_damaged (self, &wal, &wal_copy);
  const char *version;
  gint64 pages;
  int status = 0;

  check.store = twctl_open_store_for (self, TW_PERM_MANAGE_USERS, "check the store", &session,
                                      &error);
  if (check.store == NULL)
    {
      if (!g_error_matches (error, TW_ERROR, TW_ERROR_CORRUPT))
        return twctl_fail (error);
      /* A damaged first page or users table: signing in is the first read. */
      g_print ("The store is damaged: %s\n"
               "Restore tidewatch.db and tidewatch.keyslots from the latest backup.\n",
               error->message);
      return 1;
    }
  check.session = session;
  check.damage = g_ptr_array_new_with_free_func (g_free);
  if (wal_damaged)
    {
      g_autofree char *kept = g_strdup_printf ("%s/%s-wal.damaged", self->data_dir,
                                               TW_STORE_FILENAME);

      note_damage (&check, "The write-ahead log (tidewatch.db-wal) is damaged at frame %d of %u"
                   " (database page %u): SQLite dropped it and the %u frames after it (%u"
                   " commit%s) when the store was opened. A copy of the log as it was is in %s",
                   wal.first_damaged + 1, wal.n_frames, wal.page, wal.n_dropped - 1,
                   wal.n_commits, wal.n_commits == 1 ? "" : "s", g_file_set_contents_full (kept, g_bytes_get_data (wal_copy, NULL),
                                                            (gssize) g_bytes_get_size (wal_copy),
                                                            G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                                            NULL) ? kept : "(could not be kept)");
    }

  tables = list_tables (&check);
  for (guint i = 0; i < tables->len; i++)
    if (read_table (&check, g_ptr_array_index (tables, i)) < 0 && !reopen (&check))
      break;

  /* Indexes, free-list trunks and the b-tree structure. */
  if (check.store != NULL && (check.damage->len == 0 || reopen (&check)))
    run_pragma (&check, "PRAGMA integrity_check", "ok");

  /* SQLCipher 4 can check every page's HMAC, free pages included; 3.x
   * only checks the pages the reads above reached (free pages hold no
   * live data). */
  version = check.store != NULL ? tw_store_get_cipher_version (check.store) : NULL;
  if (version != NULL && g_ascii_strtoll (version, NULL, 10) >= FIRST_SQLCIPHER_WITH_PAGE_CHECK
      && (check.damage->len == 0 || reopen (&check)))
    run_pragma (&check, "PRAGMA cipher_integrity_check", NULL);

  pages = check.store != NULL ? query_int (check.store, "PRAGMA page_count") : -1;
  if (check.damage->len == 0)
    {
      g_print ("The store is intact (%" G_GINT64_FORMAT " pages, %u tables, SQLCipher %s)\n",
               pages, tables->len, version != NULL ? version : "?");
    }
  else
    {
      g_print ("The store is damaged:\n");
      for (guint i = 0; i < check.damage->len; i++)
        g_print ("  %s\n", (const char *) g_ptr_array_index (check.damage, i));
      g_print ("Its pages no longer decrypt as written (a disk fault or tampering). Stop the app,"
               " keep a copy of the damaged files for investigation, and restore tidewatch.db"
               " with its key file from the latest backup.\n");
      status = 1;
    }
  g_clear_pointer (&check.store, tw_store_close);
  g_ptr_array_unref (check.damage);
  return status;
}

int
twctl_cmd_store (Twctl  *self,
                 int     argc,
                 char  **argv)
{
  if (argc != 2 || !g_str_equal (argv[1], "check"))
    {
      g_printerr ("twctl: usage: store check   (reads every table and page; exit 1 on damage)\n");
      return EXIT_USAGE;
    }
  return cmd_check (self);
}
