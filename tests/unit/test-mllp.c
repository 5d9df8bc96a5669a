#include <string.h>

#include "tw-mllp.h"

#define TEST_MAX_FRAME 1024
#define SMALL_MAX_FRAME 16

#define ORU "MSH|^~\\&|MON|ICU|TW|H|20261123071003+0000||ORU^R01|42|P|2.6\rOBX|1|NM|x||1\r"
#define ADT "MSH|^~\\&|ADT|H|TW|H|20261123071003+0000||ADT^A01|43|P|2.6\r"

typedef struct
{
  TwMllpEventType type;
  char           *data;
  gsize           len;
  gsize           total;
} Seen;

static void
seen_free (Seen *seen)
{
  g_free (seen->data);
  g_free (seen);
}

static void
collect (const TwMllpEvent *event,
         gpointer           user_data)
{
  GPtrArray *events = user_data;
  Seen *seen = g_new0 (Seen, 1);

  seen->type = event->type;
  seen->data = g_memdup2 (event->data, event->len);
  seen->len = event->len;
  seen->total = event->total;
  g_ptr_array_add (events, seen);
}

static GPtrArray *
events_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) seen_free);
}

static char *
framed (const char *message)
{
  GString *out = g_string_new (NULL);

  tw_mllp_append_frame (out, message, strlen (message));
  return g_string_free (out, FALSE);
}

static void
assert_event (GPtrArray       *events,
              guint            index,
              TwMllpEventType  type,
              const char      *data,
              gsize            total)
{
  Seen *seen;

  g_assert_cmpuint (events->len, >, index);
  seen = g_ptr_array_index (events, index);
  g_assert_cmpint (seen->type, ==, type);
  g_assert_cmpuint (seen->total, ==, total);
  if (data != NULL)
    g_assert_cmpmem (seen->data, seen->len, data, strlen (data));
}

static void
test_frame_bytes (void)
{
  g_autofree char *frame = framed ("MSH|x");

  g_assert_cmpmem (frame, strlen (frame), "\x0bMSH|x\x1c\r", 8);
}

static void
test_one_frame (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (TEST_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();
  g_autofree char *frame = framed (ORU);

  tw_mllp_deframer_push (deframer, frame, strlen (frame), collect, events);
  g_assert_cmpuint (events->len, ==, 1);
  assert_event (events, 0, TW_MLLP_EVENT_FRAME, ORU, strlen (ORU));

  /* Nothing is left over for the end of the stream. */
  tw_mllp_deframer_finish (deframer, collect, events);
  g_assert_cmpuint (events->len, ==, 1);
}

static void
test_split_across_reads (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (TEST_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();
  g_autofree char *one = framed (ORU);
  g_autofree char *two = framed (ADT);
  g_autofree char *stream = g_strconcat (one, two, NULL);
  gsize len = strlen (stream);

  /* Byte by byte: every boundary, including between 0x1C and 0x0D. */
  for (gsize i = 0; i < len; i++)
    tw_mllp_deframer_push (deframer, stream + i, 1, collect, events);
  g_assert_cmpuint (events->len, ==, 2);
  assert_event (events, 0, TW_MLLP_EVENT_FRAME, ORU, strlen (ORU));
  assert_event (events, 1, TW_MLLP_EVENT_FRAME, ADT, strlen (ADT));
}

static void
test_several_in_one_read (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (TEST_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();
  g_autofree char *one = framed (ORU);
  g_autofree char *two = framed (ADT);
  g_autofree char *stream = g_strconcat (one, two, one, NULL);
  gsize split = strlen (one) + 5;

  /* Two and a bit, then the rest. */
  tw_mllp_deframer_push (deframer, stream, split, collect, events);
  g_assert_cmpuint (events->len, ==, 1);
  tw_mllp_deframer_push (deframer, stream + split, strlen (stream) - split, collect, events);
  g_assert_cmpuint (events->len, ==, 3);
  assert_event (events, 2, TW_MLLP_EVENT_FRAME, ORU, strlen (ORU));
}

static void
test_garbage_between_frames (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (TEST_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();
  g_autofree char *one = framed (ORU);
  g_autofree char *stream = g_strconcat ("\r\n", one, "\n", "HELLO", one, NULL);

  tw_mllp_deframer_push (deframer, stream, strlen (stream), collect, events);
  /* Blank bytes around frames are tolerated; the rest is reported. */
  g_assert_cmpuint (events->len, ==, 3);
  assert_event (events, 0, TW_MLLP_EVENT_FRAME, ORU, strlen (ORU));
  assert_event (events, 1, TW_MLLP_EVENT_GARBAGE, "HELLO", 5);
  assert_event (events, 2, TW_MLLP_EVENT_FRAME, ORU, strlen (ORU));
}

static void
test_garbage_at_close (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (TEST_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();

  tw_mllp_deframer_push (deframer, "GET / HTTP/1.1\r\n", 16, collect, events);
  g_assert_cmpuint (events->len, ==, 0);
  tw_mllp_deframer_finish (deframer, collect, events);
  assert_event (events, 0, TW_MLLP_EVENT_GARBAGE, "GET / HTTP/1.1\r\n", 16);
}

static void
test_oversize (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (SMALL_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();
  g_autofree char *big = framed ("MSH|0123456789abcdefghij");
  g_autofree char *small = framed ("MSH|ok");
  g_autofree char *stream = g_strconcat (big, small, NULL);

  tw_mllp_deframer_push (deframer, stream, strlen (stream), collect, events);
  g_assert_cmpuint (events->len, ==, 2);
  /* The start is kept so that the reply can name the message. */
  assert_event (events, 0, TW_MLLP_EVENT_OVERSIZE, "MSH|0123456789abcdefghij", 24);
  assert_event (events, 1, TW_MLLP_EVENT_FRAME, "MSH|ok", 6);
}

static void
test_oversize_bounded_memory (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (SMALL_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();
  gsize chunk_len = 4096;
  guint n_chunks = 64;
  g_autofree char *chunk = g_malloc (chunk_len);
  Seen *seen;

  memset (chunk, 'x', chunk_len);
  tw_mllp_deframer_push (deframer, "\x0bMSH|", 5, collect, events);
  for (guint i = 0; i < n_chunks; i++)
    tw_mllp_deframer_push (deframer, chunk, chunk_len, collect, events);
  tw_mllp_deframer_push (deframer, "\x1c\r", 2, collect, events);

  g_assert_cmpuint (events->len, ==, 1);
  seen = g_ptr_array_index (events, 0);
  g_assert_cmpint (seen->type, ==, TW_MLLP_EVENT_OVERSIZE);
  g_assert_cmpuint (seen->total, ==, 4 + chunk_len * n_chunks);
  g_assert_cmpuint (seen->len, ==, TW_MLLP_KEEP_BYTES);
  g_assert_cmpmem (seen->data, 4, "MSH|", 4);
}

static void
test_restart_inside_frame (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (TEST_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();
  g_autofree char *one = framed (ORU);
  g_autofree char *stream = g_strconcat ("\x0bMSH|half", one, NULL);

  tw_mllp_deframer_push (deframer, stream, strlen (stream), collect, events);
  g_assert_cmpuint (events->len, ==, 2);
  assert_event (events, 0, TW_MLLP_EVENT_TRUNCATED, "MSH|half", 8);
  assert_event (events, 1, TW_MLLP_EVENT_FRAME, ORU, strlen (ORU));
}

static void
test_truncated_at_close (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (TEST_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();
  g_autofree char *one = framed (ORU);

  tw_mllp_deframer_push (deframer, "\x0bMSH|cut", 8, collect, events);
  tw_mllp_deframer_finish (deframer, collect, events);
  assert_event (events, 0, TW_MLLP_EVENT_TRUNCATED, "MSH|cut", 7);

  /* Ready for the next connection. */
  tw_mllp_deframer_push (deframer, one, strlen (one), collect, events);
  g_assert_cmpuint (events->len, ==, 2);
  assert_event (events, 1, TW_MLLP_EVENT_FRAME, ORU, strlen (ORU));
}

static void
test_missing_carriage_return (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (TEST_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();
  const char stream[] = "\x0bMSH|a\x1c\x0bMSH|b\x1c\r";

  tw_mllp_deframer_push (deframer, stream, sizeof stream - 1, collect, events);
  g_assert_cmpuint (events->len, ==, 2);
  assert_event (events, 0, TW_MLLP_EVENT_FRAME, "MSH|a", 5);
  assert_event (events, 1, TW_MLLP_EVENT_FRAME, "MSH|b", 5);
}

static void
test_empty_frame (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (TEST_MAX_FRAME);
  g_autoptr(GPtrArray) events = events_new ();

  /* Delivered, so that the source can reject it with a reason. */
  tw_mllp_deframer_push (deframer, "\x0b\x1c\r", 3, collect, events);
  g_assert_cmpuint (events->len, ==, 1);
  assert_event (events, 0, TW_MLLP_EVENT_FRAME, "", 0);
}

static void
test_describe (void)
{
  g_autoptr(TwMllpDeframer) deframer = tw_mllp_deframer_new (SMALL_MAX_FRAME);
  TwMllpEvent oversize = { TW_MLLP_EVENT_OVERSIZE, "MSH|", 4, 100 };
  TwMllpEvent garbage = { TW_MLLP_EVENT_GARBAGE, "xy", 2, 2 };
  g_autofree char *why_oversize = tw_mllp_deframer_describe (deframer, &oversize);
  g_autofree char *why_garbage = tw_mllp_deframer_describe (deframer, &garbage);

  g_assert_nonnull (strstr (why_oversize, "100 bytes"));
  g_assert_nonnull (strstr (why_oversize, "16-byte limit"));
  g_assert_nonnull (strstr (why_garbage, "2 bytes outside MLLP framing"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mllp/frame-bytes", test_frame_bytes);
  g_test_add_func ("/mllp/one-frame", test_one_frame);
  g_test_add_func ("/mllp/split-across-reads", test_split_across_reads);
  g_test_add_func ("/mllp/several-in-one-read", test_several_in_one_read);
  g_test_add_func ("/mllp/garbage-between-frames", test_garbage_between_frames);
  g_test_add_func ("/mllp/garbage-at-close", test_garbage_at_close);
  g_test_add_func ("/mllp/oversize", test_oversize);
  g_test_add_func ("/mllp/oversize-bounded-memory", test_oversize_bounded_memory);
  g_test_add_func ("/mllp/restart-inside-frame", test_restart_inside_frame);
  g_test_add_func ("/mllp/truncated-at-close", test_truncated_at_close);
  g_test_add_func ("/mllp/missing-carriage-return", test_missing_carriage_return);
  g_test_add_func ("/mllp/empty-frame", test_empty_frame);
  g_test_add_func ("/mllp/describe", test_describe);

  return g_test_run ();
}
