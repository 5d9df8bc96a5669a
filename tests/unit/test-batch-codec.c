#include <math.h>
#include <string.h>

#include "tw-batch-codec.h"
#include "tw-error.h"

/* The spool's batch codec: what was sealed while the screen was locked
 * must come back field for field at the merge, and a damaged record must
 * fail with a clear error instead of storing half a batch or crashing. */

#define SOURCE_ID   42
#define CURSOR_SEQ  G_GINT64_CONSTANT (9007199254740993)  /* beyond a double's integers */
#define N_MESSAGES  7
#define TS_BASE     G_GINT64_CONSTANT (1763881803250000)
#define END_TS      G_GINT64_CONSTANT (1763968203000000)

static const guint8 raw_bytes[] = { 0x0b, 'M', 'S', 'H', 0x00, 0xff, 0xfe, 0x1c, 0x0d };

/* Every kind of content the sources produce, with NULLs where the types
 * allow them and values a lossy encoding would change. */
static TwBatch *
make_batch (void)
{
  TwBatch *batch = tw_batch_new (SOURCE_ID);
  TwClinicalRecord admission = {
    .kind = TW_CLINICAL_ADMISSION, .entity = "P0001", .ref = "ADT-1", .ts = TS_BASE,
    .end_ts = 0, .code = "ICU", .ward = "ICU", .bed = "ICU-12-B",
  };
  TwClinicalRecord allergy = {
    .kind = TW_CLINICAL_ALLERGY, .entity = "P0002", .ref = NULL, .ts = TS_BASE - 1,
    .end_ts = END_TS, .code = "Z88.0", .text = "Penicillin — anaphylaxis", .detail = "rash",
    .status = "severe", .birth_date = "1956-04-12", .sex = "female",
  };

  batch->cursor_seq = CURSOR_SEQ;
  batch->n_messages = N_MESSAGES;
  batch->urgent = TRUE;
  tw_batch_add_sample (batch, "P0001", "hr", TS_BASE, 72.25);
  tw_batch_add_sample (batch, "P0001", "spo2", TS_BASE + 1, -0.0);
  tw_batch_add_sample (batch, "P0002", "temp", -TS_BASE, 1e-300);
  tw_batch_add_sample (batch, "Ωμέγα", "glucose", G_MAXINT64, G_MAXDOUBLE);
  tw_batch_add_entity_in_group (batch, "patient", "P0001", "Ada N Okafor", "MRN-1", "ICU-12-B",
                                "ICU");
  tw_batch_add_entity (batch, "patient", "P0002", NULL, NULL, NULL);
  tw_batch_add_entity_in_group (batch, NULL, "P0003", "", "", "", "");
  tw_batch_add_record (batch, &admission);
  tw_batch_add_record (batch, &allergy);
  tw_batch_add_reject (batch, "HL7 message without an MSH segment", raw_bytes,
                       sizeof raw_bytes);
  tw_batch_add_reject (batch, "empty message", "", 0);
  return batch;
}

static void
assert_same_string (const char *a,
                    const char *b)
{
  /* NULL and "" are different facts ("not said" vs "said empty"). */
  g_assert_true ((a == NULL) == (b == NULL));
  if (a != NULL)
    g_assert_cmpstr (a, ==, b);
}

static void
assert_same_batch (const TwBatch *a,
                   const TwBatch *b)
{
  g_assert_cmpint (a->source_id, ==, b->source_id);
  g_assert_cmpint (a->cursor_seq, ==, b->cursor_seq);
  g_assert_cmpuint (a->n_messages, ==, b->n_messages);
  g_assert_cmpint (a->urgent, ==, b->urgent);

  g_assert_cmpuint (a->samples->len, ==, b->samples->len);
  for (guint i = 0; i < a->samples->len; i++)
    {
      const TwSample *x = &g_array_index (a->samples, TwSample, i);
      const TwSample *y = &g_array_index (b->samples, TwSample, i);

      g_assert_cmpstr (x->entity, ==, y->entity);
      g_assert_cmpstr (x->metric, ==, y->metric);
      g_assert_cmpint (x->ts, ==, y->ts);
      /* Bit for bit: -0.0 stays negative, nothing is rounded. */
      g_assert_cmpmem (&x->value, sizeof x->value, &y->value, sizeof y->value);
    }

  g_assert_cmpuint (a->entities->len, ==, b->entities->len);
  for (guint i = 0; i < a->entities->len; i++)
    {
      const TwEntityInfo *x = &g_array_index (a->entities, TwEntityInfo, i);
      const TwEntityInfo *y = &g_array_index (b->entities, TwEntityInfo, i);

      assert_same_string (x->key, y->key);
      assert_same_string (x->kind, y->kind);
      assert_same_string (x->name, y->name);
      assert_same_string (x->mrn, y->mrn);
      assert_same_string (x->location, y->location);
      assert_same_string (x->group, y->group);
    }

  g_assert_cmpuint (a->records->len, ==, b->records->len);
  for (guint i = 0; i < a->records->len; i++)
    {
      const TwClinicalRecord *x = &g_array_index (a->records, TwClinicalRecord, i);
      const TwClinicalRecord *y = &g_array_index (b->records, TwClinicalRecord, i);

      g_assert_cmpint (x->kind, ==, y->kind);
      g_assert_cmpint (x->ts, ==, y->ts);
      g_assert_cmpint (x->end_ts, ==, y->end_ts);
      assert_same_string (x->entity, y->entity);
      assert_same_string (x->ref, y->ref);
      assert_same_string (x->code, y->code);
      assert_same_string (x->text, y->text);
      assert_same_string (x->detail, y->detail);
      assert_same_string (x->status, y->status);
      assert_same_string (x->birth_date, y->birth_date);
      assert_same_string (x->sex, y->sex);
      assert_same_string (x->ward, y->ward);
      assert_same_string (x->bed, y->bed);
    }

  g_assert_cmpuint (a->rejects->len, ==, b->rejects->len);
  for (guint i = 0; i < a->rejects->len; i++)
    {
      const TwReject *x = g_ptr_array_index (a->rejects, i);
      const TwReject *y = g_ptr_array_index (b->rejects, i);

      g_assert_cmpstr (x->reason, ==, y->reason);
      g_assert_true (g_bytes_equal (x->raw, y->raw));
    }
}

static void
test_round_trip (void)
{
  g_autoptr(TwBatch) batch = make_batch ();
  g_autoptr(TwBatch) back = NULL;
  g_autoptr(GBytes) bytes = tw_batch_serialize (batch);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;

  back = tw_batch_deserialize (bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  assert_same_batch (batch, back);
  /* The reject's raw bytes, NUL and high bytes included. */
  g_assert_cmpmem (g_bytes_get_data (((TwReject *) back->rejects->pdata[0])->raw, NULL),
                   g_bytes_get_size (((TwReject *) back->rejects->pdata[0])->raw),
                   raw_bytes, sizeof raw_bytes);
  /* Nothing to call back: the sender was answered when it was spooled. */
  g_assert_null (back->done);
  g_assert_null (back->limits);

  /* Stable: the decoded batch encodes to the same bytes. */
  again = tw_batch_serialize (back);
  g_assert_true (g_bytes_equal (bytes, again));
}

static void
test_empty (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (-1);
  g_autoptr(GBytes) bytes = tw_batch_serialize (batch);
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBatch) back = tw_batch_deserialize (bytes, &error);

  g_assert_no_error (error);
  assert_same_batch (batch, back);
  g_assert_cmpint (back->cursor_seq, ==, -1);
}

/* Every prefix of a valid buffer is damage, and so is one byte more. */
static void
test_truncation (void)
{
  g_autoptr(TwBatch) batch = make_batch ();
  g_autoptr(GBytes) bytes = tw_batch_serialize (batch);
  gsize size = g_bytes_get_size (bytes);
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  g_autofree guint8 *longer = g_malloc (size + 1);
  g_autoptr(GBytes) padded = NULL;
  g_autoptr(GError) pad_error = NULL;

  for (gsize n = 0; n < size; n++)
    {
      /* A copy of exactly n bytes, so a read past the end is caught by
       * the allocator's checks rather than landing in the original. */
      g_autoptr(GBytes) cut = g_bytes_new (data, n);
      g_autoptr(GError) error = NULL;
      g_autoptr(TwBatch) back = tw_batch_deserialize (cut, &error);

      if (back != NULL)
        g_error ("a buffer cut to %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes was accepted",
                 n, size);
      g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
    }

  memcpy (longer, data, size);
  longer[size] = 0;
  padded = g_bytes_new (longer, size + 1);
  g_assert_null (tw_batch_deserialize (padded, &pad_error));
  g_assert_error (pad_error, TW_ERROR, TW_ERROR_CORRUPT);
}

static TwBatch *
decode_modified (GBytes     *bytes,
                 gsize       offset,
                 guint8      value,
                 GError    **error)
{
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GBytes) modified = NULL;

  copy[offset] = value;
  modified = g_bytes_new (copy, g_bytes_get_size (bytes));
  return tw_batch_deserialize (modified, error);
}

/* A future version, a foreign header and a count far beyond the buffer
 * are refused with a message, never read or allocated. */
static void
test_damage (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  /* magic 3, version 1, source 8, cursor 8, messages 4, flags 1 */
  const gsize sample_count_at = 3 + 1 + 8 + 8 + 4 + 1;
  const gsize version_at = 3;

  bytes = tw_batch_serialize (batch);

  g_assert_null (decode_modified (bytes, version_at, 2, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "version 2"));
  g_clear_error (&error);

  g_assert_null (decode_modified (bytes, 0, 'X', &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_clear_error (&error);

  /* 0xff in the low byte of the sample count: 255 samples announced, none there. */
  g_assert_null (decode_modified (bytes, sample_count_at, 0xff, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "sample count"));
  g_clear_error (&error);

  /* ... and in the high byte: 4 billion, refused before any allocation. */
  g_assert_null (decode_modified (bytes, sample_count_at + 3, 0xff, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
}

/* A sample without its entity would crash the writer: refused. */
static void
test_null_required (void)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *copy = NULL;
  g_autoptr(GBytes) modified = NULL;
  gsize entity_len_at = 3 + 1 + 8 + 8 + 4 + 1 + 4;
  gsize size;

  tw_batch_add_sample (batch, "", "hr", TS_BASE, 60);
  bytes = tw_batch_serialize (batch);
  size = g_bytes_get_size (bytes);
  copy = g_memdup2 (g_bytes_get_data (bytes, NULL), size);
  /* The empty entity's length 0 becomes the NULL marker. */
  memset (copy + entity_len_at, 0xff, 4);
  modified = g_bytes_new (copy, size);
  g_assert_null (tw_batch_deserialize (modified, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "sample entity"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/batch-codec/round-trip", test_round_trip);
  g_test_add_func ("/batch-codec/empty", test_empty);
  g_test_add_func ("/batch-codec/truncation", test_truncation);
  g_test_add_func ("/batch-codec/damage", test_damage);
  g_test_add_func ("/batch-codec/null-required", test_null_required);
  return g_test_run ();
}
