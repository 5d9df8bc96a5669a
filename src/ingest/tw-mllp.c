#include <string.h>

#include "tw-mllp.h"

typedef enum
{
  STATE_OUTSIDE,    /* between frames */
  STATE_IN_FRAME,
  STATE_OVERSIZE,   /* inside a frame past the limit: skip to its end */
  STATE_AFTER_END,  /* saw 0x1C; a 0x0D may follow */
} State;

/**
 * TwMllpDeframer:
 * Cuts a byte stream into MLLP frames. Pure: it does no I/O, so a source
 * feeds it whatever a read returned (half a frame, three frames, noise)
 * and the unit tests feed it byte by byte.
 */
struct _TwMllpDeframer
{
  State       state;
  gsize       max_frame;
  GByteArray *frame;        /* the open frame, or the kept start of an oversize one */
  gsize       frame_total;  /* bytes of the open frame so far */
  GByteArray *garbage;      /* kept start of the current run outside frames */
  gsize       garbage_total;
};

/**
 * tw_mllp_deframer_new:
 * @max_frame: the largest message accepted; larger ones are reported as
 *   %TW_MLLP_EVENT_OVERSIZE without ever being held in memory whole
 *
 * Returns: (transfer full): a deframer waiting for a start block
 */
TwMllpDeframer *
tw_mllp_deframer_new (gsize max_frame)
{
  TwMllpDeframer *self;

  g_return_val_if_fail (max_frame > 0, NULL);

  self = g_new0 (TwMllpDeframer, 1);
  self->max_frame = max_frame;
  self->frame = g_byte_array_new ();
  self->garbage = g_byte_array_new ();
  return self;
}

void
tw_mllp_deframer_free (TwMllpDeframer *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->frame);
  g_byte_array_unref (self->garbage);
  g_free (self);
}

static void
emit (TwMllpEventType  type,
      GByteArray      *bytes,
      gsize            total,
      TwMllpEventFunc  func,
      gpointer         user_data)
{
  TwMllpEvent event = {
    .type = type,
    .data = (const char *) bytes->data,
    .len = bytes->len,
    .total = total,
  };

  func (&event, user_data);
  g_byte_array_set_size (bytes, 0);
}

static void
emit_garbage (TwMllpDeframer  *self,
              TwMllpEventFunc  func,
              gpointer         user_data)
{
  gsize total = self->garbage_total;

  if (total == 0)
    return;
  self->garbage_total = 0;
  emit (TW_MLLP_EVENT_GARBAGE, self->garbage, total, func, user_data);
}

static void
keep (GByteArray  *bytes,
      const char  *data,
      gsize        len)
{
  if (bytes->len < TW_MLLP_KEEP_BYTES)
    g_byte_array_append (bytes, (const guint8 *) data,
                         (guint) MIN (len, TW_MLLP_KEEP_BYTES - bytes->len));
}

static void
start_frame (TwMllpDeframer *self)
{
  g_byte_array_set_size (self->frame, 0);
  self->frame_total = 0;
  self->state = STATE_IN_FRAME;
}

/* Frame content: everything up to an end or start block. */
static void
append_content (TwMllpDeframer *self,
                const char     *data,
                gsize           len)
{
  self->frame_total += len;
  if (self->state == STATE_IN_FRAME && self->frame_total > self->max_frame)
    {
      /* Keep only the start (it holds MSH, which the reply needs). */
      if (self->frame->len > TW_MLLP_KEEP_BYTES)
        g_byte_array_set_size (self->frame, TW_MLLP_KEEP_BYTES);
      self->state = STATE_OVERSIZE;
    }
  if (self->state == STATE_IN_FRAME)
    g_byte_array_append (self->frame, (const guint8 *) data, (guint) len);
  else
    keep (self->frame, data, len);
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Returns: how many bytes of @p were used */
static gsize
step_outside (TwMllpDeframer  *self,
              const char      *p,
              const char      *end,
              TwMllpEventFunc  func,
              gpointer         user_data)
{
  const char *q = p;

  while (q < end && *q != TW_MLLP_START_BLOCK)
    q++;
  for (const char *r = p; r < q; r++)
    {
      /* Newlines after a frame are common and harmless; anything else is
       * reported, with the blanks that follow it. */
      if (self->garbage_total == 0 && is_blank (*r))
        continue;
      keep (self->garbage, r, 1);
      self->garbage_total++;
      if (self->garbage_total >= self->max_frame)
        emit_garbage (self, func, user_data);
    }
  if (q < end)
    {
      emit_garbage (self, func, user_data);
      start_frame (self);
      q++;
    }
  return (gsize) (q - p);
}

static gsize
step_in_frame (TwMllpDeframer  *self,
               const char      *p,
               const char      *end,
               TwMllpEventFunc  func,
               gpointer         user_data)
{
  const char *q = p;

  while (q < end && *q != TW_MLLP_END_BLOCK && *q != TW_MLLP_START_BLOCK)
    q++;
  append_content (self, p, (gsize) (q - p));
  if (q == end)
    return (gsize) (q - p);

  if (*q == TW_MLLP_START_BLOCK)
    {
      /* The sender gave up on a frame and began another: report the
       * broken one and resynchronise on the new start. */
      emit (TW_MLLP_EVENT_TRUNCATED, self->frame, self->frame_total, func, user_data);
      start_frame (self);
      return (gsize) (q - p) + 1;
    }

  emit (self->state == STATE_OVERSIZE ? TW_MLLP_EVENT_OVERSIZE : TW_MLLP_EVENT_FRAME,
        self->frame, self->frame_total, func, user_data);
  self->frame_total = 0;
  self->state = STATE_AFTER_END;
  return (gsize) (q - p) + 1;
}

/**
 * tw_mllp_deframer_push:
 * @self: a deframer
 * @data: (array length=len): bytes as read from the peer
 * @len: their number
 * @func: called for every frame or anomaly found, in stream order; it must
 *   not push into @self
 * @user_data: for @func
 *
 * An end block ends a frame even when the carriage return after it is
 * missing (lenient with senders that leave it out); a start block inside
 * a frame reports the open frame as truncated and starts a new one.
 */
void
tw_mllp_deframer_push (TwMllpDeframer  *self,
                       const void      *data,
                       gsize            len,
                       TwMllpEventFunc  func,
                       gpointer         user_data)
{
  const char *p = data;
  const char *end = p + len;

  g_return_if_fail (self != NULL && func != NULL);
  g_return_if_fail (data != NULL || len == 0);

  while (p < end)
    {
      switch (self->state)
        {
        case STATE_OUTSIDE:
          p += step_outside (self, p, end, func, user_data);
          break;
        case STATE_IN_FRAME:
        case STATE_OVERSIZE:
          p += step_in_frame (self, p, end, func, user_data);
          break;
        case STATE_AFTER_END:
        default:
          if (*p == TW_MLLP_CARRIAGE_RETURN)
            p++;
          self->state = STATE_OUTSIDE;
          break;
        }
    }
}

/**
 * tw_mllp_deframer_finish:
 * The input ended (the peer closed): reports an unfinished frame as
 * truncated and pending garbage, and makes @self ready for a new stream.
 */
void
tw_mllp_deframer_finish (TwMllpDeframer  *self,
                         TwMllpEventFunc  func,
                         gpointer         user_data)
{
  g_return_if_fail (self != NULL && func != NULL);

  if (self->state == STATE_IN_FRAME || self->state == STATE_OVERSIZE)
    emit (TW_MLLP_EVENT_TRUNCATED, self->frame, self->frame_total, func, user_data);
  emit_garbage (self, func, user_data);
  g_byte_array_set_size (self->frame, 0);
  self->frame_total = 0;
  self->state = STATE_OUTSIDE;
}

/**
 * tw_mllp_deframer_describe:
 * @self: the deframer that reported @event
 * @event: anything but a frame
 *
 * Returns: (transfer full): why @event is not a message, for quarantine
 *   and the source's last error
 */
char *
tw_mllp_deframer_describe (TwMllpDeframer    *self,
                           const TwMllpEvent *event)
{
  g_return_val_if_fail (self != NULL && event != NULL, NULL);

  switch (event->type)
    {
    case TW_MLLP_EVENT_OVERSIZE:
      return g_strdup_printf ("MLLP frame of %" G_GSIZE_FORMAT " bytes is larger than the "
                              "%" G_GSIZE_FORMAT "-byte limit; split the message",
                              event->total, self->max_frame);
    case TW_MLLP_EVENT_TRUNCATED:
      return g_strdup_printf ("MLLP frame cut off after %" G_GSIZE_FORMAT " bytes "
                              "(no 0x1C 0x0D end block before the next start or the close)",
                              event->total);
    case TW_MLLP_EVENT_GARBAGE:
      return g_strdup_printf ("%" G_GSIZE_FORMAT " bytes outside MLLP framing; a message must "
                              "start with 0x0B and end with 0x1C 0x0D", event->total);
    case TW_MLLP_EVENT_FRAME:
    default:
      return g_strdup ("a complete MLLP frame");
    }
}

/**
 * tw_mllp_append_frame:
 * @out: gets the frame
 * @message: (array length=len): one HL7 message
 * @len: its length in bytes
 *
 * Appends 0x0B @message 0x1C 0x0D.
 */
void
tw_mllp_append_frame (GString    *out,
                      const char *message,
                      gsize       len)
{
  g_return_if_fail (out != NULL && (message != NULL || len == 0));

  g_string_append_c (out, TW_MLLP_START_BLOCK);
  g_string_append_len (out, message, (gssize) len);
  g_string_append_c (out, TW_MLLP_END_BLOCK);
  g_string_append_c (out, TW_MLLP_CARRIAGE_RETURN);
}

gboolean
tw_mllp_write_some (GPollableOutputStream  *output,
                    GString                *unsent,
                    gboolean               *out_blocked,
                    GError                **error)
{
  *out_blocked = FALSE;
  while (unsent->len > 0)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (output, unsent->str, unsent->len,
                                                             NULL, &local_error);

      if (n >= 0)
        {
          g_string_erase (unsent, 0, n);
          continue;
        }
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      *out_blocked = TRUE;
      break;
    }
  return TRUE;
}
