#include <gio/gio.h>
#include <string.h>

#include "tw-error.h"
#include "tw-mllp.h"
#include "tw-mllp-source.h"
#include "tw-queue.h"
#include "tw-source.h"

#define TEST_MAX_FRAME 1024
#define SMALL_MAX_FRAME 16
#define QUEUE_ROWS 100000
#define WAIT_US (5 * G_USEC_PER_SEC)
#define POP_STEP_US 10000
#define QUIET_ITERATIONS 20
#define QUIET_STEP_US 5000
#define READ_BUF 4096

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

/* ---- the listener source: ACK only once the batch's fate is known ------- */

typedef struct
{
  GMainContext *context;
  TwQueue      *queue;
  TwSourceLive *live;
  TwSource     *source;
  guint16       port;
} Listener;

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
listener_start (Listener *l)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  l->port = free_port ();
  url = g_strdup_printf ("mllp-listen://127.0.0.1:%u", l->port);
  l->context = g_main_context_new ();
  g_main_context_push_thread_default (l->context);
  l->queue = tw_queue_new (QUEUE_ROWS);
  l->live = tw_source_live_new (1, url, -1);
  l->source = tw_source_new_for_url (url, -1, l->queue, l->live, &error);
  g_assert_no_error (error);
  tw_source_start (l->source);
  g_assert_cmpint (l->live->state, ==, TW_SOURCE_STATE_CONNECTED);
}

static void
listener_stop (Listener *l)
{
  TwBatch *batch;

  tw_source_free (l->source);
  while (g_main_context_iteration (l->context, FALSE))
    ;
  while ((batch = tw_queue_pop (l->queue, 0)) != NULL)
    tw_batch_free (batch);
  tw_queue_free (l->queue);
  tw_source_live_free (l->live);
  g_main_context_pop_thread_default (l->context);
  g_main_context_unref (l->context);
}

static GSocketConnection *
connect_to (Listener *l)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", l->port);
  GSocketConnection *connection = g_socket_client_connect_to_host (client, host, 0, NULL, &error);

  g_assert_no_error (error);
  return connection;
}

static void
send_raw (GSocketConnection *connection,
          const char        *data,
          gsize              len)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (out, data, len, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
send_message (GSocketConnection *connection,
              const char        *message)
{
  g_autofree char *frame = framed (message);

  send_raw (connection, frame, strlen (frame));
}

static char *
oru_now (const char *control_id)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *ts = g_date_time_format (now, "%Y%m%d%H%M%S+0000");

  return g_strdup_printf ("MSH|^~\\&|MON|ICU|TW|H|%s||ORU^R01|%s|P|2.6\r"
                          "PID|1||U0001^^^H^PI||Doe^Jane\r"
                          "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|"
                          "264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||%s\r", ts, control_id, ts);
}

/* Runs the source until it hands a batch to the "engine" (the test). */
static TwBatch *
wait_batch (Listener *l)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  while (g_get_monotonic_time () < deadline)
    {
      TwBatch *batch;

      g_main_context_iteration (l->context, FALSE);
      batch = tw_queue_pop (l->queue, POP_STEP_US);
      if (batch != NULL)
        return batch;
    }
  g_assert_not_reached ();
}

static gboolean
has_reply (Listener          *l,
           GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection);

  for (guint i = 0; i < QUIET_ITERATIONS; i++)
    {
      while (g_main_context_iteration (l->context, FALSE))
        ;
      if (g_socket_condition_timed_wait (socket, G_IO_IN, QUIET_STEP_US, NULL, NULL))
        return TRUE;
    }
  return FALSE;
}

/* Returns: the replies up to the @n-th end of frame */
static char *
read_replies (Listener          *l,
              GSocketConnection *connection,
              guint              n)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  GString *text = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  guint frames = 0;

  while (frames < n && g_get_monotonic_time () < deadline)
    {
      char buf[READ_BUF];
      gssize got;

      g_main_context_iteration (l->context, FALSE);
      if (!g_socket_condition_timed_wait (socket, G_IO_IN, QUIET_STEP_US, NULL, NULL))
        continue;
      got = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);
      g_assert_cmpint (got, >, 0);
      for (gssize i = 0; i < got; i++)
        frames += buf[i] == TW_MLLP_END_BLOCK;
      g_string_append_len (text, buf, got);
    }
  g_assert_cmpuint (frames, ==, n);
  return g_string_free (text, FALSE);
}

static void
test_source_ack_after_commit (void)
{
  Listener l = { 0 };
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *message = oru_now ("U-1");
  g_autofree char *reply = NULL;
  TwBatch *batch;

  listener_start (&l);
  connection = connect_to (&l);
  send_message (connection, message);

  batch = wait_batch (&l);
  g_assert_cmpuint (batch->samples->len, ==, 1);
  g_assert_true (batch->urgent);
  /* Queued is not stored: the sender must still be waiting. */
  g_assert_false (has_reply (&l, connection));

  tw_batch_complete (batch, NULL);
  reply = read_replies (&l, connection, 1);
  g_assert_nonnull (strstr (reply, "\rMSA|AA|U-1\r"));
  tw_batch_free (batch);
  g_assert_cmpuint (l.live->received, ==, 1);
  listener_stop (&l);
}

static void
test_source_error_when_discarded (void)
{
  Listener l = { 0 };
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *message = oru_now ("U-2");
  g_autofree char *reply = NULL;

  listener_start (&l);
  connection = connect_to (&l);
  send_message (connection, message);

  /* Freed without a commit (the pipeline shut down, the store failed). */
  tw_batch_free (wait_batch (&l));
  reply = read_replies (&l, connection, 1);
  g_assert_nonnull (strstr (reply, "\rMSA|AE|U-2|Not stored"));
  listener_stop (&l);
}

static void
test_source_reject_after_quarantine (void)
{
  Listener l = { 0 };
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *reply = NULL;
  TwBatch *batch;

  listener_start (&l);
  connection = connect_to (&l);
  send_message (connection, "PID|1||X\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72\r");

  batch = wait_batch (&l);
  g_assert_cmpuint (batch->rejects->len, ==, 1);
  g_assert_false (has_reply (&l, connection));
  tw_batch_complete (batch, NULL);
  reply = read_replies (&l, connection, 1);
  g_assert_nonnull (strstr (reply, "\rMSA|AR||HL7 message without an MSH segment"));
  tw_batch_free (batch);
  listener_stop (&l);
}

static void
test_source_oversize_rejected (void)
{
  Listener l = { 0 };
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) frame = g_string_new (NULL);
  g_autofree char *head = oru_now ("BIG-1");
  g_autofree char *reply = NULL;
  GOutputStream *out;
  TwBatch *batch;

  g_string_append_c (frame, TW_MLLP_START_BLOCK);
  g_string_append (frame, head);
  while (frame->len <= TW_CODEC_MAX_MESSAGE_BYTES)
    g_string_append (frame, "OBX|2|ST|x||filler\r");
  g_string_append (frame, "\x1c\r");

  listener_start (&l);
  connection = connect_to (&l);
  /* Written on the listener's context: the source reads while it goes out. */
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all_async (out, frame->str, frame->len, G_PRIORITY_DEFAULT, NULL, NULL,
                                   NULL);
  batch = wait_batch (&l);

  g_assert_cmpuint (batch->rejects->len, ==, 1);
  g_assert_nonnull (strstr (((TwReject *) batch->rejects->pdata[0])->reason, "-byte limit"));
  tw_batch_complete (batch, NULL);
  reply = read_replies (&l, connection, 1);
  g_assert_nonnull (strstr (reply, "\rMSA|AR|BIG-1|MLLP frame of"));
  tw_batch_free (batch);
  listener_stop (&l);
}

static void
test_source_sender_gone (void)
{
  Listener l = { 0 };
  g_autoptr(GSocketConnection) gone = NULL;
  g_autoptr(GSocketConnection) next = NULL;
  g_autofree char *first = oru_now ("U-3");
  g_autofree char *second = oru_now ("U-4");
  g_autofree char *reply = NULL;
  TwBatch *batch;

  listener_start (&l);
  gone = connect_to (&l);
  send_message (gone, first);
  batch = wait_batch (&l);
  g_io_stream_close (G_IO_STREAM (gone), NULL, NULL);
  for (guint i = 0; i < QUIET_ITERATIONS; i++)
    g_main_context_iteration (l.context, FALSE);

  /* Its ACK is ready only now, with nobody to take it. */
  tw_batch_complete (batch, NULL);
  tw_batch_free (batch);

  next = connect_to (&l);
  send_message (next, second);
  batch = wait_batch (&l);
  tw_batch_complete (batch, NULL);
  reply = read_replies (&l, next, 1);
  g_assert_nonnull (strstr (reply, "\rMSA|AA|U-4\r"));
  tw_batch_free (batch);
  listener_stop (&l);
}

static void
test_source_several_in_one_read (void)
{
  Listener l = { 0 };
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *a = oru_now ("M-1");
  g_autofree char *b = oru_now ("M-2");
  g_autofree char *c = oru_now ("M-3");
  g_autofree char *fa = framed (a);
  g_autofree char *fb = framed (b);
  g_autofree char *fc = framed (c);
  g_autofree char *all = g_strconcat (fa, fb, fc, NULL);
  g_autofree char *reply = NULL;
  TwBatch *batch;
  const char *p1, *p2, *p3;

  listener_start (&l);
  connection = connect_to (&l);
  send_raw (connection, all, strlen (all));

  batch = wait_batch (&l);
  g_assert_cmpuint (batch->n_messages, ==, 3);
  tw_batch_complete (batch, NULL);
  reply = read_replies (&l, connection, 3);
  p1 = strstr (reply, "MSA|AA|M-1\r");
  p2 = strstr (reply, "MSA|AA|M-2\r");
  p3 = strstr (reply, "MSA|AA|M-3\r");
  g_assert_true (p1 != NULL && p2 != NULL && p3 != NULL);
  g_assert_true (p1 < p2 && p2 < p3);
  tw_batch_free (batch);
  listener_stop (&l);
}

static void
assert_url_refused (const char *url,
                    const char *why)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (tw_source_check_url (url, &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, why));
}

static void
test_source_urls (void)
{
  g_assert_true (tw_source_check_url ("mllp-listen://0.0.0.0:2575", NULL));
  g_assert_true (tw_source_check_url ("mllp-listen://[::1]:2575", NULL));
  g_assert_true (tw_source_check_url ("mllp://engine.example.org", NULL));
  assert_url_refused ("mllp-listen://example.org:2575", "not an IP address");
  assert_url_refused ("mllp://engine:99999", "out of range");
  assert_url_refused ("mllp://engine:0", "no usable port");
  assert_url_refused ("mllp://engine:2575/inbox", "has a path");
  assert_url_refused ("mllp://:2575", "expected mllp://HOST:PORT");
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
  g_test_add_func ("/mllp/source/ack-after-commit", test_source_ack_after_commit);
  g_test_add_func ("/mllp/source/error-when-discarded", test_source_error_when_discarded);
  g_test_add_func ("/mllp/source/reject-after-quarantine", test_source_reject_after_quarantine);
  g_test_add_func ("/mllp/source/oversize-rejected", test_source_oversize_rejected);
  g_test_add_func ("/mllp/source/sender-gone", test_source_sender_gone);
  g_test_add_func ("/mllp/source/several-in-one-read", test_source_several_in_one_read);
  g_test_add_func ("/mllp/source/urls", test_source_urls);

  return g_test_run ();
}
