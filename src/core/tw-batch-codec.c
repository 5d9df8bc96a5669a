#include <string.h>

#include "tw-batch-codec.h"
#include "tw-error.h"

/* Layout (all integers little-endian):
 *
 *   magic "TWB" + version byte
 *   source_id i64, cursor_seq i64, n_messages u32, urgent u8
 *   u32 n, then n samples:  entity str, metric str, ts i64, value f64 bits
 *   u32 n, then n entities: key, kind, name, mrn, location, group (str)
 *   u32 n, then n records:  kind u32, entity, ref (str), ts i64, end_ts i64,
 *                           code, text, detail, status, birth_date, sex,
 *                           ward, bed (str)
 *   u32 n, then n rejects:  reason str, raw blob
 *
 * A str is a u32 length and its bytes (no NUL); NULL_LENGTH means NULL. A
 * blob is a u32 length and its bytes. Every length and count is checked
 * against what is left before anything is read or allocated, and the
 * buffer must end exactly after the last reject: a truncated or padded
 * record is damaged, never half-used. */

#define MAGIC        "TWB"
#define MAGIC_LEN    3
#define VERSION      1
#define NULL_LENGTH  G_MAXUINT32
/* The smallest encoding of one element, so a count can be checked against
 * the bytes left before any allocation. */
#define MIN_SAMPLE_BYTES  (2 * 4 + 8 + 8)
#define MIN_ENTITY_BYTES  (6 * 4)
#define MIN_RECORD_BYTES  (4 + 11 * 4 + 2 * 8)
#define MIN_REJECT_BYTES  (2 * 4)

/* ---- writing ----------------------------------------------------------- */

static void
put_u8 (GByteArray *out,
        guint8      value)
{
  g_byte_array_append (out, &value, 1);
}

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint32 le = GUINT32_TO_LE (value);

  g_byte_array_append (out, (const guint8 *) &le, sizeof le);
}

static void
put_u64 (GByteArray *out,
         guint64     value)
{
  guint64 le = GUINT64_TO_LE (value);

  g_byte_array_append (out, (const guint8 *) &le, sizeof le);
}

static void
put_f64 (GByteArray *out,
         double      value)
{
  guint64 bits;

  memcpy (&bits, &value, sizeof bits);
  put_u64 (out, bits);
}

static void
put_blob (GByteArray *out,
          const void *data,
          gsize       len)
{
  g_assert (len < NULL_LENGTH);
  put_u32 (out, (guint32) len);
  if (len > 0)
    g_byte_array_append (out, data, (guint) len);
}

static void
put_str (GByteArray *out,
         const char *text)
{
  if (text == NULL)
    put_u32 (out, NULL_LENGTH);
  else
    put_blob (out, text, strlen (text));
}

/**
 * tw_batch_serialize:
 * Returns: (transfer full): the batch as bytes (see the layout above)
 */
GBytes *
tw_batch_serialize (const TwBatch *batch)
{
  GByteArray *out;

  g_return_val_if_fail (batch != NULL, NULL);

  out = g_byte_array_sized_new (64 + 32 * tw_batch_get_n_rows (batch));
  g_byte_array_append (out, (const guint8 *) MAGIC, MAGIC_LEN);
  put_u8 (out, VERSION);
  put_u64 (out, (guint64) batch->source_id);
  put_u64 (out, (guint64) batch->cursor_seq);
  put_u32 (out, batch->n_messages);
  put_u8 (out, batch->urgent ? 1 : 0);

  put_u32 (out, batch->samples->len);
  for (guint i = 0; i < batch->samples->len; i++)
    {
      const TwSample *s = &g_array_index (batch->samples, TwSample, i);

      put_str (out, s->entity);
      put_str (out, s->metric);
      put_u64 (out, (guint64) s->ts);
      put_f64 (out, s->value);
    }

  put_u32 (out, batch->entities->len);
  for (guint i = 0; i < batch->entities->len; i++)
    {
      const TwEntityInfo *e = &g_array_index (batch->entities, TwEntityInfo, i);

      put_str (out, e->key);
      put_str (out, e->kind);
      put_str (out, e->name);
      put_str (out, e->mrn);
      put_str (out, e->location);
      put_str (out, e->group);
    }

  put_u32 (out, batch->records != NULL ? batch->records->len : 0);
  for (guint i = 0; batch->records != NULL && i < batch->records->len; i++)
    {
      const TwClinicalRecord *r = &g_array_index (batch->records, TwClinicalRecord, i);

      put_u32 (out, (guint32) r->kind);
      put_str (out, r->entity);
      put_str (out, r->ref);
      put_u64 (out, (guint64) r->ts);
      put_u64 (out, (guint64) r->end_ts);
      put_str (out, r->code);
      put_str (out, r->text);
      put_str (out, r->detail);
      put_str (out, r->status);
      put_str (out, r->birth_date);
      put_str (out, r->sex);
      put_str (out, r->ward);
      put_str (out, r->bed);
    }

  put_u32 (out, batch->rejects->len);
  for (guint i = 0; i < batch->rejects->len; i++)
    {
      const TwReject *reject = g_ptr_array_index (batch->rejects, i);
      gsize len = 0;
      const void *raw = reject->raw != NULL ? g_bytes_get_data (reject->raw, &len) : NULL;

      put_str (out, reject->reason);
      put_blob (out, raw, len);
    }
  return g_byte_array_free_to_bytes (out);
}

/* ---- reading ----------------------------------------------------------- */

typedef struct
{
  const guint8 *p;
  gsize         left;
  TwBatch      *batch;
  GString      *scratch;   /* a string's bytes with a NUL, to intern */
  const char   *what;      /* the field being read, for the message */
  gboolean      failed;
} Reader;

static gboolean
fail (Reader     *r,
      const char *what)
{
  if (!r->failed)
    r->what = what;
  r->failed = TRUE;
  return FALSE;
}

static gboolean
take (Reader        *r,
      gsize          n,
      const guint8 **out,
      const char    *what)
{
  if (r->failed || n > r->left)
    return fail (r, what);
  *out = r->p;
  r->p += n;
  r->left -= n;
  return TRUE;
}

static guint8
get_u8 (Reader     *r,
        const char *what)
{
  const guint8 *p;

  return take (r, 1, &p, what) ? *p : 0;
}

static guint32
get_u32 (Reader     *r,
         const char *what)
{
  const guint8 *p;
  guint32 le;

  if (!take (r, sizeof le, &p, what))
    return 0;
  memcpy (&le, p, sizeof le);
  return GUINT32_FROM_LE (le);
}

static guint64
get_u64 (Reader     *r,
         const char *what)
{
  const guint8 *p;
  guint64 le;

  if (!take (r, sizeof le, &p, what))
    return 0;
  memcpy (&le, p, sizeof le);
  return GUINT64_FROM_LE (le);
}

static double
get_f64 (Reader     *r,
         const char *what)
{
  guint64 bits = get_u64 (r, what);
  double value;

  memcpy (&value, &bits, sizeof value);
  return value;
}

/* An interned copy, or NULL (a stored NULL, or a failure: see r->failed). */
static const char *
get_str (Reader     *r,
         const char *what)
{
  guint32 len = get_u32 (r, what);
  const guint8 *bytes;

  if (r->failed || len == NULL_LENGTH)
    return NULL;
  if (!take (r, len, &bytes, what))
    return NULL;
  /* Interning stops at a NUL: a string with one inside would come back
   * shorter than it went in. */
  if (memchr (bytes, '\0', len) != NULL)
    {
      fail (r, what);
      return NULL;
    }
  g_string_truncate (r->scratch, 0);
  g_string_append_len (r->scratch, (const char *) bytes, len);
  return tw_batch_intern (r->batch, r->scratch->str);
}

/* A string the store needs (a sample's entity, a reason): NULL is damage. */
static const char *
get_required_str (Reader     *r,
                  const char *what)
{
  const char *text = get_str (r, what);

  if (text == NULL)
    fail (r, what);
  return text;
}

static guint32
get_count (Reader     *r,
           gsize       min_element_bytes,
           const char *what)
{
  guint32 n = get_u32 (r, what);

  if (!r->failed && n > r->left / min_element_bytes)
    fail (r, what);
  return r->failed ? 0 : n;
}

static void
read_samples (Reader *r)
{
  guint32 n = get_count (r, MIN_SAMPLE_BYTES, "sample count");

  g_array_set_size (r->batch->samples, 0);
  for (guint32 i = 0; i < n && !r->failed; i++)
    {
      const char *entity = get_required_str (r, "sample entity");
      const char *metric = get_required_str (r, "sample metric");
      gint64 ts = (gint64) get_u64 (r, "sample time");
      double value = get_f64 (r, "sample value");
      TwSample sample = { .entity = entity, .metric = metric, .ts = ts, .value = value };

      if (!r->failed)
        g_array_append_val (r->batch->samples, sample);
    }
}

static void
read_entities (Reader *r)
{
  guint32 n = get_count (r, MIN_ENTITY_BYTES, "entity count");

  for (guint32 i = 0; i < n && !r->failed; i++)
    {
      TwEntityInfo info = { 0 };

      info.key = get_required_str (r, "entity key");
      info.kind = get_str (r, "entity kind");
      info.name = get_str (r, "entity name");
      info.mrn = get_str (r, "entity MRN");
      info.location = get_str (r, "entity location");
      info.group = get_str (r, "entity group");
      if (!r->failed)
        g_array_append_val (r->batch->entities, info);
    }
}

static void
read_records (Reader *r)
{
  guint32 n = get_count (r, MIN_RECORD_BYTES, "record count");

  for (guint32 i = 0; i < n && !r->failed; i++)
    {
      TwClinicalRecord rec = { 0 };
      guint32 kind = get_u32 (r, "record kind");

      if (!r->failed && kind >= TW_CLINICAL_N_KINDS)
        fail (r, "record kind");
      rec.kind = (TwClinicalKind) kind;
      rec.entity = get_required_str (r, "record patient");
      rec.ref = get_str (r, "record reference");
      rec.ts = (gint64) get_u64 (r, "record time");
      rec.end_ts = (gint64) get_u64 (r, "record end time");
      rec.code = get_str (r, "record code");
      rec.text = get_str (r, "record text");
      rec.detail = get_str (r, "record detail");
      rec.status = get_str (r, "record status");
      rec.birth_date = get_str (r, "record birth date");
      rec.sex = get_str (r, "record sex");
      rec.ward = get_str (r, "record ward");
      rec.bed = get_str (r, "record bed");
      /* The strings are interned already: append the record as it is. */
      if (!r->failed)
        g_array_append_val (r->batch->records, rec);
    }
}

static void
read_rejects (Reader *r)
{
  guint32 n = get_count (r, MIN_REJECT_BYTES, "reject count");

  for (guint32 i = 0; i < n && !r->failed; i++)
    {
      const char *reason = get_required_str (r, "reject reason");
      guint32 len = get_u32 (r, "reject bytes");
      const guint8 *raw;

      if (r->failed || len == NULL_LENGTH || !take (r, len, &raw, "reject bytes"))
        {
          fail (r, "reject bytes");
          return;
        }
      tw_batch_add_reject (r->batch, reason, raw, len);
    }
}

/**
 * tw_batch_deserialize:
 * Returns: (transfer full): the batch, without a completion callback and
 *   with the catalogue's limits; %NULL with %TW_ERROR_CORRUPT when @bytes
 *   is not a whole batch of a version this build reads
 */
TwBatch *
tw_batch_deserialize (GBytes  *bytes,
                      GError **error)
{
  g_autoptr(TwBatch) batch = NULL;
  g_autoptr(GString) scratch = NULL;
  const guint8 *magic;
  gsize len = 0;
  Reader r = { 0 };
  guint8 version;

  g_return_val_if_fail (bytes != NULL, NULL);

  r.p = g_bytes_get_data (bytes, &len);
  r.left = len;
  if (!take (&r, MAGIC_LEN, &magic, "header") || memcmp (magic, MAGIC, MAGIC_LEN) != 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT, "Not a Tidewatch batch (bad header)");
      return NULL;
    }
  version = get_u8 (&r, "version");
  if (r.failed || version != VERSION)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "A batch of format version %u; this build reads version %u", version, VERSION);
      return NULL;
    }

  batch = tw_batch_new (0);
  scratch = g_string_new (NULL);
  r.batch = batch;
  r.scratch = scratch;
  batch->source_id = (gint64) get_u64 (&r, "source");
  batch->cursor_seq = (gint64) get_u64 (&r, "cursor");
  batch->n_messages = get_u32 (&r, "message count");
  batch->urgent = get_u8 (&r, "flags") != 0;
  read_samples (&r);
  read_entities (&r);
  read_records (&r);
  read_rejects (&r);
  if (!r.failed && r.left != 0)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "A damaged batch: %" G_GSIZE_FORMAT " bytes after its last field", r.left);
      return NULL;
    }
  if (r.failed)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_CORRUPT,
                   "A damaged batch: its %s is cut short or impossible", r.what);
      return NULL;
    }
  return g_steal_pointer (&batch);
}
