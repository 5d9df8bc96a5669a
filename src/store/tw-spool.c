#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tw-batch-codec.h"
#include "tw-error.h"
#include "tw-spool.h"
#include "tw-store-private.h"

/* The file: MAGIC, then records of a u32 little-endian length and that
 * many bytes of crypto_box_seal() output. Nothing else is in it: no
 * count, no names, no clear text. A record is written with one write()
 * and fdatasync'd before the batch is acknowledged; a record cut short by
 * a crash was never acknowledged, and is quarantined as it is. */
#define MAGIC             "TWSPOOL1"
#define MAGIC_LEN         8
#define LENGTH_BYTES      4
#define SECRET_NAME       "spool_secret_key"
#define SPOOL_MODE        0600
/* A batch is at most a few MB (the queue's bound); anything beyond this
 * is a damaged length, not a record. */
#define MAX_RECORD_BYTES  (256u * 1024 * 1024)
/* Consecutive records of one source are written as one batch of up to
 * this many rows: a long lock of a sender that sent one message per
 * batch leaves tens of thousands of tiny records, and the store's cost
 * is mostly per batch (rollups, cursor). */
#define MERGE_ROWS        10000

struct _TwSpool
{
  char    *path;
  int      fd;
  guint8   public_key[TW_SPOOL_PUBLIC_BYTES];
  guint64  n_records;
};

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "%s ‘%s’: %s", what, path,
               g_strerror (saved_errno));
}

/* The secret as a TwKey (sodium memory). */
static TwKey *
get_secret (TwStore  *store,
            GError  **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_FAILED, "libsodium could not be initialised");
      return NULL;
    }
  return tw_store_get_meta_secret (store, SECRET_NAME, error);
}

/**
 * tw_store_get_spool_public_key:
 * The X25519 public key that spool records are sealed to. Its private
 * half is a store secret (made on first use, so this may write).
 */
gboolean
tw_store_get_spool_public_key (TwStore  *store,
                               guint8    out_public[TW_SPOOL_PUBLIC_BYTES],
                               GError  **error)
{
  g_autoptr(TwKey) secret = NULL;

  g_return_val_if_fail (store != NULL && out_public != NULL, FALSE);

  secret = get_secret (store, error);
  if (secret == NULL)
    return FALSE;
  crypto_scalarmult_base (out_public, tw_key_get_bytes (secret));
  return TRUE;
}

static gboolean
write_all (int          fd,
           const void  *data,
           gsize        len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* An exclusive lock on the file at @path that is still the file at @path:
 * a merge may have removed it while we waited for the lock. */
static int
open_locked (const char  *path,
             int          flags,
             gboolean     wait,
             GError     **error)
{
  for (;;)
    {
      struct stat held, named;
      int fd = g_open (path, flags | O_CLOEXEC, SPOOL_MODE);

      if (fd < 0)
        {
          if (errno != ENOENT || (flags & O_CREAT) != 0)
            set_errno_error (error, errno, "Could not open the spool", path);
          return -1;
        }
      if (flock (fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0)
        {
          if (errno == EWOULDBLOCK)
            g_set_error (error, TW_ERROR, TW_ERROR_IN_USE,
                         "Another program is writing to the spool ‘%s’ (its screen is locked); "
                         "it is merged at that program's next sign-in", path);
          else
            set_errno_error (error, errno, "Could not lock the spool", path);
          close (fd);
          return -1;
        }
      if (fstat (fd, &held) == 0 && g_stat (path, &named) == 0
          && held.st_dev == named.st_dev && held.st_ino == named.st_ino)
        return fd;
      close (fd);
      if ((flags & O_CREAT) == 0)
        return -1;  /* merged and gone meanwhile: nothing left */
    }
}

/**
 * tw_spool_open_append:
 * Opens (creating it when needed) the spool at @path for sealing batches
 * to @public_key. Holds an exclusive lock until closed, so no merge runs
 * underneath.
 */
TwSpool *
tw_spool_open_append (const char    *path,
                      const guint8   public_key[TW_SPOOL_PUBLIC_BYTES],
                      GError       **error)
{
  TwSpool *self;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL && public_key != NULL, NULL);

  if (sodium_init () < 0)
    {
      g_set_error_literal (error, TW_ERROR, TW_ERROR_FAILED, "libsodium could not be initialised");
      return NULL;
    }
  fd = open_locked (path, O_WRONLY | O_CREAT | O_APPEND, TRUE, error);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, "Could not read the spool", path);
      close (fd);
      return NULL;
    }
  /* A header cut short by a crash is completed: the records follow it. */
  if (st.st_size < MAGIC_LEN
      && (ftruncate (fd, 0) != 0 || !write_all (fd, MAGIC, MAGIC_LEN) || fdatasync (fd) != 0))
    {
      set_errno_error (error, errno, "Could not write the spool", path);
      close (fd);
      return NULL;
    }

  self = g_new0 (TwSpool, 1);
  self->path = g_strdup (path);
  self->fd = fd;
  memcpy (self->public_key, public_key, TW_SPOOL_PUBLIC_BYTES);
  return self;
}

/* Appends @batch's record (length, sealed bytes) to @out. */
static gboolean
seal_into (TwSpool        *self,
           const TwBatch  *batch,
           GByteArray     *out,
           GError        **error)
{
  g_autoptr(GBytes) plain = tw_batch_serialize (batch);
  gsize len = 0, sealed_len, at = out->len;
  const guint8 *data = g_bytes_get_data (plain, &len);
  guint32 le;
  gboolean ok;

  sealed_len = len + crypto_box_SEALBYTES;
  if (sealed_len > MAX_RECORD_BYTES)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "A batch of %" G_GSIZE_FORMAT " bytes is too large for the spool", len);
      return FALSE;
    }
  le = GUINT32_TO_LE ((guint32) sealed_len);
  g_byte_array_append (out, (const guint8 *) &le, LENGTH_BYTES);
  g_byte_array_set_size (out, out->len + sealed_len);
  ok = crypto_box_seal (out->data + at + LENGTH_BYTES, data, len, self->public_key) == 0;
  /* The clear serialisation is gone before anything reaches the disk. */
  sodium_memzero ((void *) data, len);
  if (!ok)
    {
      g_byte_array_set_size (out, at);
      g_set_error_literal (error, TW_ERROR, TW_ERROR_FAILED, "Could not seal a batch");
    }
  return ok;
}

/**
 * tw_spool_append_many:
 * Seals @n batches and appends them with one write and one fdatasync():
 * all of them are on disk when this returns %TRUE, none when %FALSE.
 */
gboolean
tw_spool_append_many (TwSpool              *self,
                      const TwBatch * const *batches,
                      guint                 n,
                      GError              **error)
{
  g_autoptr(GByteArray) records = g_byte_array_new ();
  off_t before;

  g_return_val_if_fail (self != NULL && (batches != NULL || n == 0), FALSE);

  for (guint i = 0; i < n; i++)
    if (!seal_into (self, batches[i], records, error))
      return FALSE;
  if (n == 0)
    return TRUE;

  before = lseek (self->fd, 0, SEEK_END);
  if (!write_all (self->fd, records->data, records->len) || fdatasync (self->fd) != 0)
    {
      int saved = errno;

      /* A half-written record would make every later one unreadable: cut
       * it off (the caller keeps the batches and tries again). */
      if (before >= 0 && ftruncate (self->fd, before) == 0)
        fdatasync (self->fd);
      set_errno_error (error, saved != 0 ? saved : EIO, "Could not write the spool", self->path);
      return FALSE;
    }
  self->n_records += n;
  return TRUE;
}

/**
 * tw_spool_append:
 * Seals @batch and appends it; returns after fdatasync(), so a batch for
 * which this returned %TRUE survives a crash and may be acknowledged.
 */
gboolean
tw_spool_append (TwSpool        *self,
                 const TwBatch  *batch,
                 GError        **error)
{
  g_return_val_if_fail (batch != NULL, FALSE);
  return tw_spool_append_many (self, &batch, 1, error);
}

guint64
tw_spool_get_n_records (TwSpool *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_records;
}

void
tw_spool_close (TwSpool *self)
{
  if (self == NULL)
    return;
  close (self->fd);  /* drops the lock */
  g_free (self->path);
  g_free (self);
}

/* ---- merging ----------------------------------------------------------- */

typedef struct
{
  gsize offset;   /* of the sealed bytes */
  gsize length;   /* may run past the end: a torn record */
} Record;

/* The records' places, without opening any. */
static GArray *
index_records (const guint8 *data,
               gsize         size)
{
  GArray *records = g_array_new (FALSE, FALSE, sizeof (Record));
  gsize at = MAGIC_LEN;

  while (at < size)
    {
      Record rec = { .offset = at + LENGTH_BYTES, .length = 0 };
      guint32 le;

      if (size - at < LENGTH_BYTES)
        {
          rec.offset = at;
          rec.length = size - at;
          g_array_append_val (records, rec);
          break;
        }
      memcpy (&le, data + at, LENGTH_BYTES);
      rec.length = GUINT32_FROM_LE (le);
      g_array_append_val (records, rec);
      if (rec.length > size - rec.offset)
        break;  /* torn: the rest is this record */
      at = rec.offset + rec.length;
    }
  return records;
}

/* A record that cannot be used goes to quarantine as it is (sealed or
 * cut short: still nothing readable without the store), with the reason. */
static gboolean
quarantine (TwStore     *store,
            const void  *raw,
            gsize        len,
            const char  *reason,
            GError     **error)
{
  g_autoptr(TwBatch) batch = tw_batch_new (0);

  tw_batch_add_reject (batch, reason, raw, len);
  return tw_store_write_batch (store, batch, NULL, error);
}

typedef struct
{
  guint8 *data;
  gsize   len;
} Opened;

static gpointer
opened_box (guint8 *data,
            gsize   len)
{
  Opened *box = g_new (Opened, 1);

  box->data = data;
  box->len = len;
  return box;
}

static void
wipe_and_free (gpointer user_data)
{
  Opened *box = user_data;

  sodium_memzero (box->data, box->len);
  g_free (box->data);
  g_free (box);
}

static gboolean
flush_gathered (TwStore  *store,
                TwBatch **gathered,
                GError  **error)
{
  g_autoptr(TwBatch) batch = g_steal_pointer (gathered);

  return batch == NULL || tw_store_write_batch (store, batch, NULL, error);
}

/* Adds @batch (taken) to the batch being gathered; the store sees the
 * same announcements, records, samples and rejects in the same order. */
static gboolean
gather (TwStore  *store,
        TwBatch **gathered,
        TwBatch  *batch,
        GError  **error)
{
  g_autoptr(TwBatch) owned = batch;
  TwBatch *into;

  if (*gathered != NULL && ((*gathered)->source_id != batch->source_id
                            || tw_batch_get_n_rows (*gathered) >= MERGE_ROWS))
    {
      if (!flush_gathered (store, gathered, error))
        return FALSE;
    }
  if (*gathered == NULL)
    {
      *gathered = g_steal_pointer (&owned);
      return TRUE;
    }

  into = *gathered;
  for (guint i = 0; i < batch->entities->len; i++)
    {
      const TwEntityInfo *e = &g_array_index (batch->entities, TwEntityInfo, i);

      tw_batch_add_entity_in_group (into, e->kind, e->key, e->name, e->mrn, e->location,
                                    e->group);
    }
  for (guint i = 0; i < batch->records->len; i++)
    tw_batch_add_record (into, &g_array_index (batch->records, TwClinicalRecord, i));
  for (guint i = 0; i < batch->samples->len; i++)
    {
      const TwSample *x = &g_array_index (batch->samples, TwSample, i);

      tw_batch_add_sample (into, x->entity, x->metric, x->ts, x->value);
    }
  for (guint i = 0; i < batch->rejects->len; i++)
    {
      const TwReject *r = g_ptr_array_index (batch->rejects, i);

      tw_batch_add_reject (into, r->reason, g_bytes_get_data (r->raw, NULL),
                           g_bytes_get_size (r->raw));
    }
  into->cursor_seq = MAX (into->cursor_seq, batch->cursor_seq);
  into->n_messages += batch->n_messages;
  return TRUE;
}

static gboolean
merge_record (TwStore       *store,
              const guint8  *data,
              gsize          size,
              const Record  *rec,
              guint          index,
              const guint8  *public_key,
              const TwKey   *secret,
              TwBatch      **gathered,
              guint64       *n_batches,
              guint64       *n_samples,
              guint64       *n_damaged,
              GError       **error)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(TwBatch) batch = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = NULL;
  guint8 *opened;
  gsize avail = rec->offset <= size ? MIN (rec->length, size - rec->offset) : 0;

  if (rec->offset > size || rec->length > size - rec->offset)
    {
      reason = g_strdup_printf ("Spool record %u is cut short (%" G_GSIZE_FORMAT " of %"
                                G_GSIZE_FORMAT " bytes): written during a crash, never "
                                "acknowledged", index + 1, avail, rec->length);
      (*n_damaged)++;
      return quarantine (store, data + MIN (rec->offset, size), avail, reason, error);
    }
  if (rec->length < crypto_box_SEALBYTES)
    {
      reason = g_strdup_printf ("Spool record %u is too short to be sealed", index + 1);
      (*n_damaged)++;
      return quarantine (store, data + rec->offset, rec->length, reason, error);
    }

  /* Patient data, not key material: the heap, wiped when freed
   * (sodium_malloc's guard pages cost more than the rest of a record). */
  opened = g_malloc (rec->length - crypto_box_SEALBYTES + 1);
  if (crypto_box_seal_open (opened, data + rec->offset, rec->length, public_key,
                            tw_key_get_bytes (secret)) != 0)
    {
      g_free (opened);
      reason = g_strdup_printf ("Spool record %u could not be opened: sealed to another store's "
                                "key, or damaged", index + 1);
      (*n_damaged)++;
      return quarantine (store, data + rec->offset, rec->length, reason, error);
    }
  plain = g_bytes_new_with_free_func (opened, rec->length - crypto_box_SEALBYTES,
                                      wipe_and_free, opened_box (opened,
                                                                 rec->length - crypto_box_SEALBYTES));
  batch = tw_batch_deserialize (plain, &local_error);
  if (batch == NULL)
    {
      /* Opened, so it is ours: kept open (the store is encrypted) for
       * whoever looks at the quarantine. */
      reason = g_strdup_printf ("Spool record %u: %s", index + 1, local_error->message);
      (*n_damaged)++;
      return quarantine (store, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                         reason, error);
    }
  (*n_batches)++;
  *n_samples += batch->samples->len;
  return gather (store, gathered, g_steal_pointer (&batch), error);
}

static void
sync_directory (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/**
 * tw_spool_merge:
 * See tw-spool.h. Everything goes in one transaction with an audit row
 * ("spool-merged"); the file is removed only after the commit, so a
 * crash during the merge leaves it to merge again (idempotent writes).
 */
gboolean
tw_spool_merge (TwStore          *store,
                const char       *path,
                TwSpoolProgress   progress,
                gpointer          user_data,
                guint64          *out_batches,
                GError          **error)
{
  g_autoptr(TwKey) secret = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GArray) records = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *detail = NULL;
  guint8 public_key[TW_SPOOL_PUBLIC_BYTES];
  g_autoptr(TwBatch) gathered = NULL;
  guint64 n_batches = 0, n_samples = 0, n_damaged = 0;
  const guint8 *data;
  gsize size;
  int fd;

  g_return_val_if_fail (store != NULL && path != NULL, FALSE);

  if (out_batches != NULL)
    *out_batches = 0;
  /* A locked program elsewhere may be appending: never wait for its
   * unlock (that could be hours); it merges at its own attach. */
  fd = open_locked (path, O_RDONLY, FALSE, &local_error);
  if (fd < 0)
    {
      if (local_error == NULL)
        return TRUE;  /* no spool: nothing to merge */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  if (mapped == NULL)
    {
      close (fd);
      g_set_error (error, TW_ERROR, TW_ERROR_STORAGE, "Could not read the spool ‘%s’: %s", path,
                   local_error->message);
      return FALSE;
    }
  data = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);
  if (size > 0 && (size < MAGIC_LEN || memcmp (data, MAGIC, MAGIC_LEN) != 0))
    {
      close (fd);
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "‘%s’ is not a Tidewatch spool; it was left in place", path);
      return FALSE;
    }

  secret = get_secret (store, error);
  if (secret == NULL)
    {
      close (fd);
      return FALSE;
    }
  crypto_scalarmult_base (public_key, tw_key_get_bytes (secret));
  records = size > MAGIC_LEN ? index_records (data, size) : g_array_new (FALSE, FALSE,
                                                                        sizeof (Record));
  if (progress != NULL)
    progress (0, records->len, user_data);
  if (records->len == 0)
    {
      /* Opened while locked, nothing sealed yet: no merge to record. */
      g_unlink (path);
      close (fd);
      return TRUE;
    }

  if (!tw_store_begin (store, error))
    {
      close (fd);
      return FALSE;
    }
  for (guint i = 0; i < records->len; i++)
    {
      if (!merge_record (store, data, size, &g_array_index (records, Record, i), i, public_key,
                         secret, &gathered, &n_batches, &n_samples, &n_damaged, error)
          || (i + 1 == records->len && !flush_gathered (store, &gathered, error)))
        {
          tw_store_rollback (store);
          close (fd);
          return FALSE;
        }
      if (progress != NULL)
        progress (i + 1, records->len, user_data);
    }
  detail = g_strdup_printf ("%" G_GUINT64_FORMAT " batches, %" G_GUINT64_FORMAT " samples, %"
                            G_GUINT64_FORMAT " damaged records quarantined",
                            n_batches, n_samples, n_damaged);
  if (!tw_audit_append (store, NULL, TW_AUDIT_SPOOL_MERGED, NULL, detail, error)
      || !tw_store_commit (store, error))
    {
      tw_store_rollback (store);
      close (fd);
      return FALSE;
    }

  /* Stored: the file's job is done. Removed while still locked, so an
   * appender waiting for the lock notices and starts a new file. */
  if (g_unlink (path) != 0)
    g_warning ("The merged spool ‘%s’ could not be removed: %s", path, g_strerror (errno));
  else
    sync_directory (path);
  close (fd);
  if (out_batches != NULL)
    *out_batches = n_batches;
  return TRUE;
}
