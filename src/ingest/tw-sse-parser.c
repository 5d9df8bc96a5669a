#include <string.h>

#include "tw-sse-parser.h"

/* The event stream interpretation of the WHATWG HTML standard ("Server-sent
 * events", "Interpreting an event stream"), without the text decoding step:
 * data bytes are handed on as they came, so that invalid UTF-8 reaches the
 * codec and lands in quarantine with its reason instead of being replaced
 * by U+FFFD on the way. */

#define DEFAULT_EVENT_TYPE "message"
#define DECIMAL            10

static const guchar utf8_bom[] = { 0xEF, 0xBB, 0xBF };

struct _TwSseParser
{
  TwSseEventFunc func;
  gpointer       user_data;
  gsize          max_event_size;

  GString       *line;            /* a line split across reads */
  GString       *data;
  GString       *type;
  GString       *last_event_id;
  gint64         retry_ms;        /* -1 until a retry: field set it */
  guint          bom_matched;     /* bytes of a leading BOM seen so far */
  gboolean       bom_done;
  gboolean       after_cr;        /* the last read ended in CR: a leading LF ends no line */
  gboolean       line_oversize;
  gboolean       event_oversize;
  gboolean       stopped;
};

/**
 * tw_sse_parser_new:
 * @max_event_size: the longest line and the most data one event may carry;
 *   a longer event is dispatched with @oversize set and only its start
 * @func: called for each event; it must not free or reset the parser
 * @user_data: passed to @func
 *
 * Returns: (transfer full): a parser at the start of a stream
 */
TwSseParser *
tw_sse_parser_new (gsize          max_event_size,
                   TwSseEventFunc func,
                   gpointer       user_data)
{
  TwSseParser *self;

  g_return_val_if_fail (max_event_size > 0, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (TwSseParser, 1);
  self->func = func;
  self->user_data = user_data;
  self->max_event_size = max_event_size;
  self->line = g_string_new (NULL);
  self->data = g_string_new (NULL);
  self->type = g_string_new (NULL);
  self->last_event_id = g_string_new (NULL);
  self->retry_ms = -1;
  return self;
}

void
tw_sse_parser_free (TwSseParser *self)
{
  if (self == NULL)
    return;
  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_string_free (self->type, TRUE);
  g_string_free (self->last_event_id, TRUE);
  g_free (self);
}

/**
 * tw_sse_parser_reset:
 * Starts a new stream (a new connection): a half-received line or event
 * of the old one is dropped, as the standard drops it at the end of a
 * stream. The last event id and the retry delay belong to the event
 * source, not to one connection, and are kept.
 */
void
tw_sse_parser_reset (TwSseParser *self)
{
  g_return_if_fail (self != NULL);

  g_string_truncate (self->line, 0);
  g_string_truncate (self->data, 0);
  g_string_truncate (self->type, 0);
  self->bom_matched = 0;
  self->bom_done = FALSE;
  self->after_cr = FALSE;
  self->line_oversize = FALSE;
  self->event_oversize = FALSE;
  self->stopped = FALSE;
}

/* Returns: the last event id ("" when none), resent as Last-Event-ID */
const char *
tw_sse_parser_get_last_event_id (TwSseParser *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->last_event_id->str;
}

/* Returns: the reconnection time the server asked for, or -1 */
gint64
tw_sse_parser_get_retry_ms (TwSseParser *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->retry_ms;
}

/* Returns: %TRUE once the callback asked to stop */
gboolean
tw_sse_parser_is_stopped (TwSseParser *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  return self->stopped;
}

static gboolean
field_is (const char *field,
          gsize       field_len,
          const char *name)
{
  return field_len == strlen (name) && memcmp (field, name, field_len) == 0;
}

static gboolean
all_digits (const char *value,
            gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (value[i]))
      return FALSE;
  return TRUE;
}

static void
append_data (TwSseParser *self,
             const char  *value,
             gsize        len)
{
  gsize room = self->max_event_size - MIN (self->data->len, self->max_event_size);

  if (len + 1 > room)
    {
      /* Keep the start for quarantine; the rest of the event is skipped. */
      self->event_oversize = TRUE;
      g_string_append_len (self->data, value, MIN (len, room));
      return;
    }
  g_string_append_len (self->data, value, len);
  g_string_append_c (self->data, '\n');
}

static void
set_retry (TwSseParser *self,
           const char  *value,
           gsize        len)
{
  g_autofree char *text = NULL;
  guint64 retry;

  if (!all_digits (value, len))
    return;
  text = g_strndup (value, len);
  /* Absurdly long digit strings are ignored like any invalid value. */
  if (g_ascii_string_to_unsigned (text, DECIMAL, 0, G_MAXINT64, &retry, NULL))
    self->retry_ms = (gint64) retry;
}

static gboolean
dispatch (TwSseParser *self)
{
  TwSseEvent event = { 0 };
  gboolean go_on;

  if (self->data->len == 0)
    {
      g_string_truncate (self->type, 0);
      self->event_oversize = FALSE;
      return TRUE;
    }
  if (!self->event_oversize && self->data->str[self->data->len - 1] == '\n')
    g_string_truncate (self->data, self->data->len - 1);

  event.type = self->type->len > 0 ? self->type->str : DEFAULT_EVENT_TYPE;
  event.data = self->data->str;
  event.data_len = self->data->len;
  event.last_event_id = self->last_event_id->str;
  event.oversize = self->event_oversize;
  go_on = self->func (&event, self->user_data);

  g_string_truncate (self->data, 0);
  g_string_truncate (self->type, 0);
  self->event_oversize = FALSE;
  return go_on;
}

static void
process_line (TwSseParser *self,
              const char  *line,
              gsize        len)
{
  const char *colon;
  const char *value;
  gsize field_len;
  gsize value_len;

  if (len > self->max_event_size)
    {
      self->line_oversize = TRUE;
      len = self->max_event_size;
    }
  if (self->line_oversize)
    self->event_oversize = TRUE;
  self->line_oversize = FALSE;

  if (len == 0)
    {
      if (!dispatch (self))
        self->stopped = TRUE;
      return;
    }
  if (line[0] == ':')
    return;   /* a comment: keeps idle connections alive, nothing else */

  colon = memchr (line, ':', len);
  if (colon != NULL)
    {
      field_len = (gsize) (colon - line);
      value = colon + 1;
      value_len = len - field_len - 1;
      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }
    }
  else
    {
      field_len = len;
      value = line + len;
      value_len = 0;
    }

  if (field_is (line, field_len, "event"))
    {
      g_string_truncate (self->type, 0);
      g_string_append_len (self->type, value, (gssize) value_len);
    }
  else if (field_is (line, field_len, "data"))
    append_data (self, value, value_len);
  else if (field_is (line, field_len, "id"))
    {
      /* An id with a NUL in it is ignored, as the standard says. */
      if (memchr (value, '\0', value_len) == NULL)
        {
          g_string_truncate (self->last_event_id, 0);
          g_string_append_len (self->last_event_id, value, (gssize) value_len);
        }
    }
  else if (field_is (line, field_len, "retry"))
    set_retry (self, value, value_len);
  /* Any other field is ignored. */
}

static void
append_partial (TwSseParser *self,
                const char  *data,
                gsize        len)
{
  gsize room = self->max_event_size - MIN (self->line->len, self->max_event_size);

  if (len > room)
    {
      self->line_oversize = TRUE;
      len = room;
    }
  g_string_append_len (self->line, data, (gssize) len);
}

/* A UTF-8 byte order mark at the very start of the stream is skipped, even
 * when it arrives split over several reads; anywhere else it is text. */
static const char *
skip_bom (TwSseParser *self,
          const char  *p,
          const char  *end)
{
  while (!self->bom_done && p < end)
    {
      if ((guchar) *p == utf8_bom[self->bom_matched])
        {
          p++;
          self->bom_matched++;
          if (self->bom_matched == G_N_ELEMENTS (utf8_bom))
            self->bom_done = TRUE;
          continue;
        }
      append_partial (self, (const char *) utf8_bom, self->bom_matched);
      self->bom_done = TRUE;
    }
  return p;
}

static const char *
find_line_end (const char *p,
               const char *end)
{
  for (; p < end; p++)
    if (*p == '\n' || *p == '\r')
      return p;
  return NULL;
}

/**
 * tw_sse_parser_feed:
 * @data: the next bytes of the stream, cut anywhere
 * @len: their length
 *
 * Parses @data, dispatching every event it completes. Lines end with CRLF,
 * LF or CR; a CRLF split between two reads is one line end.
 */
void
tw_sse_parser_feed (TwSseParser *self,
                    const char  *data,
                    gsize        len)
{
  const char *end = data + len;
  const char *p;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (self->stopped || len == 0)
    return;
  p = skip_bom (self, data, end);

  while (p < end && !self->stopped)
    {
      const char *eol;

      if (self->after_cr)
        {
          self->after_cr = FALSE;
          if (*p == '\n')
            {
              p++;
              continue;
            }
        }

      eol = find_line_end (p, end);
      if (eol == NULL)
        {
          append_partial (self, p, (gsize) (end - p));
          return;
        }

      if (self->line->len > 0 || self->line_oversize)
        {
          append_partial (self, p, (gsize) (eol - p));
          process_line (self, self->line->str, self->line->len);
          g_string_truncate (self->line, 0);
        }
      else
        process_line (self, p, (gsize) (eol - p));

      if (*eol == '\r')
        {
          if (eol + 1 == end)
            self->after_cr = TRUE;
          else if (eol[1] == '\n')
            eol++;
        }
      p = eol + 1;
    }
}
