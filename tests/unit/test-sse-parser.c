#include <string.h>

#include "tw-sse-parser.h"

/* Known answers: the examples of the WHATWG HTML standard, "Server-sent
 * events" (section "Interpreting an event stream" and the authoring
 * notes), plus the cases a network delivers: any cut between reads. */

#define TEST_MAX_EVENT 4096

typedef struct
{
  GPtrArray *events;   /* "type|id|data" */
  guint      stop_after;
} Collector;

static gboolean
collect (const TwSseEvent *event,
         gpointer          user_data)
{
  Collector *c = user_data;
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "%s|%s|", event->type, event->last_event_id);
  g_string_append_len (text, event->data, (gssize) event->data_len);
  if (event->oversize)
    g_string_append (text, "|oversize");
  g_ptr_array_add (c->events, g_string_free (g_steal_pointer (&text), FALSE));
  return c->stop_after == 0 || c->events->len < c->stop_after;
}

static void
collector_init (Collector *c)
{
  c->events = g_ptr_array_new_with_free_func (g_free);
  c->stop_after = 0;
}

/* Feeds @stream in pieces of @step bytes (0: in one piece). */
static GPtrArray *
parse_in_steps (const char *stream,
                gsize       len,
                gsize       step)
{
  Collector c;
  g_autoptr(TwSseParser) parser = NULL;

  collector_init (&c);
  parser = tw_sse_parser_new (TEST_MAX_EVENT, collect, &c);
  if (step == 0)
    tw_sse_parser_feed (parser, stream, len);
  else
    for (gsize i = 0; i < len; i += step)
      tw_sse_parser_feed (parser, stream + i, MIN (step, len - i));
  return c.events;
}

/* Parses @stream whole and cut at every possible place: the events must be
 * @expected (NULL-terminated) every time. */
static void
assert_events (const char         *stream,
               gsize               len,
               const char * const *expected)
{
  for (gsize step = 0; step <= MIN (len, 7); step++)
    {
      g_autoptr(GPtrArray) events = parse_in_steps (stream, len, step);
      guint n = g_strv_length ((char **) expected);

      if (events->len != n)
        g_error ("step %" G_GSIZE_FORMAT ": %u events, expected %u", step, events->len, n);
      for (guint i = 0; i < n; i++)
        g_assert_cmpstr (g_ptr_array_index (events, i), ==, expected[i]);
    }
  /* Every cut into two reads, not only regular steps. */
  for (gsize cut = 1; cut < len; cut++)
    {
      Collector c;
      g_autoptr(TwSseParser) parser = NULL;

      collector_init (&c);
      parser = tw_sse_parser_new (TEST_MAX_EVENT, collect, &c);
      tw_sse_parser_feed (parser, stream, cut);
      tw_sse_parser_feed (parser, stream + cut, len - cut);
      g_assert_cmpuint (c.events->len, ==, g_strv_length ((char **) expected));
      for (guint i = 0; i < c.events->len; i++)
        g_assert_cmpstr (g_ptr_array_index (c.events, i), ==, expected[i]);
      g_ptr_array_unref (c.events);
    }
}

#define ASSERT_EVENTS(stream, ...) \
  G_STMT_START { \
    const char * const expected_[] = { __VA_ARGS__, NULL }; \
    assert_events (stream, sizeof (stream) - 1, expected_); \
  } G_STMT_END

#define ASSERT_NO_EVENTS(stream) \
  G_STMT_START { \
    const char * const expected_[] = { NULL }; \
    assert_events (stream, sizeof (stream) - 1, expected_); \
  } G_STMT_END

/* The standard's first example: a comment fires nothing, `id` sets the
 * last event id and an empty `id` clears it, one space after the colon is
 * removed and a second one kept, and an event without a blank line after
 * it never fires. */
static void
test_spec_example_ids (void)
{
  ASSERT_EVENTS (": test stream\n"
                 "\n"
                 "data: first event\n"
                 "id: 1\n"
                 "\n"
                 "data:second event\n"
                 "id\n"
                 "\n"
                 "data:  third event\n",
                 "message|1|first event",
                 "message||second event");
  ASSERT_EVENTS (": test stream\n"
                 "\n"
                 "data: first event\n"
                 "id: 1\n"
                 "\n"
                 "data:second event\n"
                 "id\n"
                 "\n"
                 "data:  third event\n"
                 "\n",
                 "message|1|first event",
                 "message||second event",
                 "message|| third event");
}

/* "The first block fires events with the data set to the empty string …
 * The middle block fires an event with the data set to a single newline
 * character. The last block is discarded." */
static void
test_spec_example_empty_data (void)
{
  ASSERT_EVENTS ("data\n"
                 "\n"
                 "data\n"
                 "data\n"
                 "\n"
                 "data:\n",
                 "message||",
                 "message||\n");
}

/* "The following stream fires two identical events". */
static void
test_spec_example_space (void)
{
  ASSERT_EVENTS ("data:test\n"
                 "\n"
                 "data: test\n"
                 "\n",
                 "message||test",
                 "message||test");
}

/* The standard's example of named events, and a type that lasts for one
 * event only. */
static void
test_event_types (void)
{
  ASSERT_EVENTS ("event: add\n"
                 "data: 73857293\n"
                 "\n"
                 "event: remove\n"
                 "data: 2153\n"
                 "\n"
                 "event: add\n"
                 "data: 113411\n"
                 "\n"
                 "data: plain\n"
                 "\n",
                 "add||73857293",
                 "remove||2153",
                 "add||113411",
                 "message||plain");
  /* A block without data fires nothing, and its type does not leak into
   * the next event. */
  ASSERT_EVENTS ("event: end\n"
                 "\n"
                 "data: x\n"
                 "\n",
                 "message||x");
}

/* The standard's multi-line example: lines joined with LF. */
static void
test_multiline_data (void)
{
  ASSERT_EVENTS ("data: YHOO\n"
                 "data: +2\n"
                 "data: 10\n"
                 "\n",
                 "message||YHOO\n+2\n10");
}

static void
test_line_ends (void)
{
  ASSERT_EVENTS ("id: 7\r\ndata: a\r\ndata: b\r\n\r\n",
                 "message|7|a\nb");
  ASSERT_EVENTS ("id: 7\rdata: a\rdata: b\r\r",
                 "message|7|a\nb");
  ASSERT_EVENTS ("data: a\r\n\ndata: b\r\rdata: c\n\r\n",
                 "message||a",
                 "message||b",
                 "message||c");
  /* CR then LF is one line end even when the read ends between them. */
  {
    Collector c;
    g_autoptr(TwSseParser) parser = NULL;

    collector_init (&c);
    parser = tw_sse_parser_new (TEST_MAX_EVENT, collect, &c);
    tw_sse_parser_feed (parser, "data: a\r", 8);
    tw_sse_parser_feed (parser, "\ndata: b\r", 9);
    tw_sse_parser_feed (parser, "\n\r", 2);
    tw_sse_parser_feed (parser, "\n", 1);
    g_assert_cmpuint (c.events->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (c.events, 0), ==, "message||a\nb");
    g_ptr_array_unref (c.events);
  }
}

static void
test_bom (void)
{
  /* Only a BOM at the very start is skipped … */
  ASSERT_EVENTS ("\xEF\xBB\xBF" "data: a\n\n",
                 "message||a");
  /* … a second one is text: the field becomes "\xEF\xBB\xBFdata", which is
   * not a field name, so that line is ignored. */
  ASSERT_EVENTS ("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\ndata: b\n\n",
                 "message||b");
  /* Bytes that only start like a BOM are kept. */
  ASSERT_EVENTS ("\xEF\xBB" "x: 1\ndata: a\n\n",
                 "message||a");
  ASSERT_EVENTS ("data: \xEF\xBB\xBF\n\n",
                 "message||\xEF\xBB\xBF");
}

static void
test_fields (void)
{
  /* Unknown fields and comments are ignored; a colon in the value stays. */
  ASSERT_EVENTS (": keepalive\n"
                 "foo: bar\n"
                 "data: {\"a\":1}\n"
                 ":\n"
                 "\n",
                 "message||{\"a\":1}");
  /* The id persists across events until changed; the last one counts. */
  ASSERT_EVENTS ("id: 1\ndata: a\n\ndata: b\n\nid: x\nid: 3\ndata: c\n\n",
                 "message|1|a",
                 "message|1|b",
                 "message|3|c");
  /* Field names are case-sensitive. */
  ASSERT_NO_EVENTS ("Data: a\n\nDATA: b\n\n");
}

static void
test_id_with_nul (void)
{
  static const char stream[] = "id: 5\ndata: a\n\nid: 6\0x\ndata: b\n\n";
  g_autoptr(GPtrArray) events = parse_in_steps (stream, sizeof stream - 1, 0);

  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (events, 1), ==, "message|5|b");
}

static void
test_retry (void)
{
  Collector c;
  g_autoptr(TwSseParser) parser = NULL;

  collector_init (&c);
  parser = tw_sse_parser_new (TEST_MAX_EVENT, collect, &c);
  g_assert_cmpint (tw_sse_parser_get_retry_ms (parser), ==, -1);

  tw_sse_parser_feed (parser, "retry: 1000\n\n", 13);
  g_assert_cmpint (tw_sse_parser_get_retry_ms (parser), ==, 1000);
  /* Only ASCII digits count; anything else leaves the delay alone. */
  tw_sse_parser_feed (parser, "retry: 2s\nretry: -5\nretry:\nretry: 1e3\n", 38);
  g_assert_cmpint (tw_sse_parser_get_retry_ms (parser), ==, 1000);
  tw_sse_parser_feed (parser, "retry:250\n", 10);
  g_assert_cmpint (tw_sse_parser_get_retry_ms (parser), ==, 250);
  tw_sse_parser_feed (parser, "retry: 99999999999999999999999\n", 31);
  g_assert_cmpint (tw_sse_parser_get_retry_ms (parser), ==, 250);
  /* retry alone dispatches nothing. */
  g_assert_cmpuint (c.events->len, ==, 0);
  g_ptr_array_unref (c.events);
}

static void
test_stop_and_reset (void)
{
  static const char stream[] = "id: 1\ndata: a\n\nevent: end\ndata: b\n\ndata: c\n\n";
  Collector c;
  g_autoptr(TwSseParser) parser = NULL;

  collector_init (&c);
  c.stop_after = 2;
  parser = tw_sse_parser_new (TEST_MAX_EVENT, collect, &c);
  tw_sse_parser_feed (parser, stream, sizeof stream - 1);
  /* The callback said stop after the second event: the third never fires. */
  g_assert_cmpuint (c.events->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (c.events, 1), ==, "end|1|b");
  g_assert_true (tw_sse_parser_is_stopped (parser));
  tw_sse_parser_feed (parser, "data: d\n\n", 9);
  g_assert_cmpuint (c.events->len, ==, 2);

  /* A new connection: a half-received event of the old one is dropped, the
   * last event id carries over, and a BOM may start the new stream. */
  tw_sse_parser_reset (parser);
  c.stop_after = 0;
  tw_sse_parser_feed (parser, "data: half", 10);
  tw_sse_parser_reset (parser);
  tw_sse_parser_feed (parser, "\xEF\xBB\xBF" "data: e\n\n", 12);
  g_assert_cmpuint (c.events->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (c.events, 2), ==, "message|1|e");
  g_assert_cmpstr (tw_sse_parser_get_last_event_id (parser), ==, "1");
  g_ptr_array_unref (c.events);
}

/* An event over the limit is reported as such with its start, never
 * buffered without bound, and the stream goes on after it. */
static void
test_oversize (void)
{
  const gsize limit = 64;
  g_autoptr(GString) stream = g_string_new ("data: ");
  Collector c;
  g_autoptr(TwSseParser) parser = NULL;

  for (guint i = 0; i < 1000; i++)
    g_string_append_c (stream, 'x');
  g_string_append (stream, "\ndata: more\n\ndata: ok\n\n");

  for (gsize step = 1; step <= 17; step += 16)
    {
      collector_init (&c);
      parser = tw_sse_parser_new (limit, collect, &c);
      for (gsize i = 0; i < stream->len; i += step)
        tw_sse_parser_feed (parser, stream->str + i, MIN (step, stream->len - i));
      g_assert_cmpuint (c.events->len, ==, 2);
      g_assert_true (g_str_has_suffix (g_ptr_array_index (c.events, 0), "|oversize"));
      g_assert_cmpuint (strlen (g_ptr_array_index (c.events, 0)),
                        <=, strlen ("message||") + limit + strlen ("|oversize"));
      g_assert_true (g_str_has_prefix (g_ptr_array_index (c.events, 0), "message||xxxx"));
      g_assert_cmpstr (g_ptr_array_index (c.events, 1), ==, "message||ok");
      g_ptr_array_unref (c.events);
      g_clear_pointer (&parser, tw_sse_parser_free);
    }

  /* Many short data lines add up past the limit too. */
  collector_init (&c);
  parser = tw_sse_parser_new (limit, collect, &c);
  for (guint i = 0; i < 100; i++)
    tw_sse_parser_feed (parser, "data: 0123456789\n", 17);
  tw_sse_parser_feed (parser, "\n", 1);
  g_assert_cmpuint (c.events->len, ==, 1);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (c.events, 0), "|oversize"));
  g_ptr_array_unref (c.events);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sse-parser/spec/ids", test_spec_example_ids);
  g_test_add_func ("/sse-parser/spec/empty-data", test_spec_example_empty_data);
  g_test_add_func ("/sse-parser/spec/space", test_spec_example_space);
  g_test_add_func ("/sse-parser/spec/event-types", test_event_types);
  g_test_add_func ("/sse-parser/spec/multiline", test_multiline_data);
  g_test_add_func ("/sse-parser/line-ends", test_line_ends);
  g_test_add_func ("/sse-parser/bom", test_bom);
  g_test_add_func ("/sse-parser/fields", test_fields);
  g_test_add_func ("/sse-parser/id-with-nul", test_id_with_nul);
  g_test_add_func ("/sse-parser/retry", test_retry);
  g_test_add_func ("/sse-parser/stop-and-reset", test_stop_and_reset);
  g_test_add_func ("/sse-parser/oversize", test_oversize);
  return g_test_run ();
}
