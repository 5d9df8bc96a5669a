#include <string.h>

#include "tw-hl7-codec.h"
#include "tw-hl7-message.h"

/* The HL7 v2 ACK a receiver returns for every message, and the splitting of
 * batch files (FHS/BHS envelopes) into messages. */

#define ACK_RANDOM_DIGITS   10000
#define DEFAULT_PROCESSING  "P"
#define DEFAULT_VERSION     "2.5"
#define ACK_TEXT_MAX_CHARS  200

static void
append_escaped (GString             *out,
                const TwHl7Encoding *enc,
                const char          *text)
{
  const char *end;

  /* Reasons can be long; MSA-3 and ERR-8 are meant for a short line. */
  if (g_utf8_strlen (text, -1) > ACK_TEXT_MAX_CHARS)
    end = g_utf8_offset_to_pointer (text, ACK_TEXT_MAX_CHARS);
  else
    end = text + strlen (text);

  for (const char *p = text; p < end; p++)
    {
      if (*p == enc->field)
        g_string_append_printf (out, "%cF%c", enc->escape, enc->escape);
      else if (*p == enc->component)
        g_string_append_printf (out, "%cS%c", enc->escape, enc->escape);
      else if (*p == enc->subcomponent)
        g_string_append_printf (out, "%cT%c", enc->escape, enc->escape);
      else if (*p == enc->repetition)
        g_string_append_printf (out, "%cR%c", enc->escape, enc->escape);
      else if (*p == enc->escape)
        g_string_append_printf (out, "%cE%c", enc->escape, enc->escape);
      else if (*p == '\r' || *p == '\n')
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, *p);
    }
}

/**
 * tw_hl7_build_ack:
 * @message: (array length=len) (nullable): the message to acknowledge
 * @len: its length in bytes
 * @ack_code: "AA" (stored), "AE" (error: the sender should not resend it
 *   unchanged) or "AR" (rejected), or the enhanced-mode "CA"/"CE"/"CR"
 * @text: (nullable): the reason, for AE/AR
 *
 * Builds the ACK for @message: MSH with sender and receiver swapped, MSH-9
 * ACK^<trigger>^ACK, a new control id, the original processing id and
 * version; MSA with @ack_code and the original MSH-10; an ERR segment with
 * @text when the code is not an accept. Segments end in CR; the caller adds
 * the MLLP frame. A message whose MSH cannot be read still gets an ACK (with
 * an empty MSA-2), so the sender learns why.
 *
 * Returns: (transfer full): the ACK
 */
char *
tw_hl7_build_ack (const char *message,
                  gsize       len,
                  const char *ack_code,
                  const char *text)
{
  static const char *codes[] = { "AA", "AE", "AR", "CA", "CE", "CR", NULL };
  static const TwHl7Segment no_msh = { NULL, 0 };
  g_autofree char *utf8 = NULL;
  g_autofree char *trigger = NULL;
  g_autoptr(TwHl7Message) msg = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d%H%M%S+0000");
  const TwHl7Segment *msh = &no_msh;
  TwHl7Encoding enc = { '|', '^', '~', '\\', '&' };
  GString *ack = g_string_new (NULL);
  const char *processing;
  const char *version;
  char sep;

  g_return_val_if_fail (ack_code != NULL && g_strv_contains (codes, ack_code), NULL);

  utf8 = message != NULL ? tw_hl7_to_utf8 (message, len) : NULL;
  if (utf8 != NULL)
    {
      const char *start = tw_hl7_skip_blank (utf8);

      if (tw_hl7_is_segment_start (start, utf8 + strlen (utf8), "MSH"))
        msg = tw_hl7_message_parse (start, strlen (start));
    }
  if (msg != NULL)
    {
      enc = msg->enc;
      msh = tw_hl7_segment_at (msg, 0);
      trigger = tw_hl7_field_text (msg, msh, 9, 2);
    }
  sep = enc.field;
  processing = tw_hl7_field (msh, 11);
  version = tw_hl7_field (msh, 12);

  g_string_append_printf (ack, "MSH%c%c%c%c%c", sep, enc.component, enc.repetition, enc.escape,
                          enc.subcomponent);
  g_string_append_printf (ack, "%c%s%c%s%c%s%c%s%c%s%c", sep, tw_hl7_field (msh, 5), sep,
                          tw_hl7_field (msh, 6), sep, tw_hl7_field (msh, 3), sep,
                          tw_hl7_field (msh, 4), sep, stamp, sep);
  if (tw_hl7_has_value (trigger))
    g_string_append_printf (ack, "%cACK%c%s%cACK", sep, enc.component, trigger, enc.component);
  else
    g_string_append_printf (ack, "%cACK", sep);
  /* Unique per sender is all MSH-10 needs: the clock in µs and a few random
   * digits for two ACKs in the same microsecond, 20 characters in all. */
  g_string_append_printf (ack, "%c%" G_GINT64_FORMAT "%04d%c%s%c%s\r", sep, g_get_real_time (),
                          g_random_int_range (0, ACK_RANDOM_DIGITS), sep,
                          tw_hl7_has_value (processing) ? processing : DEFAULT_PROCESSING, sep,
                          tw_hl7_has_value (version) ? version : DEFAULT_VERSION);

  g_string_append_printf (ack, "MSA%c%s%c%s", sep, ack_code, sep, tw_hl7_field (msh, 10));
  if (tw_hl7_has_value (text))
    {
      g_string_append_c (ack, sep);
      append_escaped (ack, &enc, text);
    }
  g_string_append_c (ack, '\r');

  if (tw_hl7_has_value (text) && ack_code[1] != 'A')
    {
      /* v2.5 ERR: ERR-3 207 "application internal error", ERR-4 severity E,
       * ERR-8 the message for a person. */
      g_string_append_printf (ack, "ERR%c%c%c207%cApplication internal error%cHL70357%cE%c%c%c%c",
                              sep, sep, sep, enc.component, enc.component, sep, sep, sep, sep,
                              sep);
      append_escaped (ack, &enc, text);
      g_string_append_c (ack, '\r');
    }
  return g_string_free (ack, FALSE);
}

static gboolean
line_is (const char *line,
         const char *eol,
         const char *id)
{
  return eol - line >= TW_HL7_SEGMENT_ID_LEN && memcmp (line, id, TW_HL7_SEGMENT_ID_LEN) == 0
         && (eol - line == TW_HL7_SEGMENT_ID_LEN || !g_ascii_isalnum (line[TW_HL7_SEGMENT_ID_LEN]));
}

static void
add_chunk (GPtrArray  *messages,
           const char *start,
           const char *end)
{
  for (const char *p = start; p < end; p++)
    if (!g_ascii_isspace (*p))
      {
        g_ptr_array_add (messages, g_bytes_new (start, end - start));
        return;
      }
}

/**
 * tw_hl7_split_batch:
 * @data: (array length=len): an HL7 batch file: messages, optionally in an
 *   FHS/BHS … BTS/FTS envelope
 * @len: its length in bytes
 *
 * Every message begins at an MSH segment. The envelope segments are
 * dropped; any other text outside a message becomes a chunk of its own, so
 * that decoding rejects it instead of losing it.
 *
 * Returns: (transfer container) (element-type GBytes): the messages
 */
GPtrArray *
tw_hl7_split_batch (const char *data,
                    gsize       len)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *end = data + len;
  const char *line = data;
  const char *chunk = NULL;
  const gsize bom_len = strlen (TW_HL7_UTF8_BOM);

  g_return_val_if_fail (data != NULL || len == 0, messages);

  if (len >= bom_len && memcmp (data, TW_HL7_UTF8_BOM, bom_len) == 0)
    line += bom_len;
  while (line < end && g_ascii_isspace (*line))
    line++;
  while (line < end)
    {
      const char *eol = line;
      const char *next;

      while (eol < end && *eol != '\r' && *eol != '\n')
        eol++;
      next = eol + (eol + 1 < end && eol[0] == '\r' && eol[1] == '\n' ? 2 : 1);

      if (line_is (line, eol, "MSH"))
        {
          if (chunk != NULL)
            add_chunk (messages, chunk, line);
          chunk = line;
        }
      else if (line_is (line, eol, "FHS") || line_is (line, eol, "BHS")
               || line_is (line, eol, "BTS") || line_is (line, eol, "FTS"))
        {
          if (chunk != NULL)
            add_chunk (messages, chunk, line);
          chunk = NULL;
        }
      else if (chunk == NULL && eol > line)
        {
          chunk = line;
        }
      line = MIN (next, end);
    }
  if (chunk != NULL)
    add_chunk (messages, chunk, end);
  return messages;
}
