#include <string.h>

#include "tw-hl7-codec.h"
#include "tw-codec.h"
#include "tw-hl7-message.h"

/* Segments end in CR (LF and CRLF are accepted too); MSH-1 and MSH-2 name
 * the separators and the escape character. */

#define SECONDS_PER_HOUR    3600
#define SECONDS_PER_MINUTE  60
#define MAX_ZONE_HOURS      14
#define TS_MIN_DIGITS       12  /* YYYYMMDDHHMM */
#define TS_MAX_FRACTION     6   /* digits after the point we keep: µs */
#define DEFAULT_ENCODING    "^~\\&"
#define LATIN1_CHARSET      "8859/1"
#define MSH_CHARSET_FIELD   18

static void
segment_clear (TwHl7Segment *segment)
{
  g_strfreev (segment->fields);
}

void
tw_hl7_message_free (TwHl7Message *msg)
{
  g_array_unref (msg->segments);
  g_string_free (msg->problems, TRUE);
  g_free (msg);
}

gboolean
tw_hl7_is_segment_start (const char *p,
                         const char *end,
                         const char *id)
{
  return end - p > TW_HL7_SEGMENT_ID_LEN && memcmp (p, id, TW_HL7_SEGMENT_ID_LEN) == 0
         && !g_ascii_isalnum (p[TW_HL7_SEGMENT_ID_LEN])
         && !g_ascii_isspace (p[TW_HL7_SEGMENT_ID_LEN]);
}

/* HL7 delimiters are printable ASCII: a byte of a UTF-8 sequence as a
 * separator would cut characters in half. */
static gboolean
valid_delimiter (char c)
{
  return (guchar) c < 0x80 && g_ascii_isgraph (c) && !g_ascii_isalnum (c);
}

/* MSH-1 and MSH-2: "MSH|^~\&|…". Missing trailing characters take their
 * defaults; all five must differ. */
static gboolean
parse_encoding (const char    *msh,
                const char    *end,
                TwHl7Encoding *enc)
{
  const char *p = msh + TW_HL7_SEGMENT_ID_LEN + 1;
  char chars[5];
  guint n = 0;

  enc->field = msh[TW_HL7_SEGMENT_ID_LEN];
  memcpy (chars + 1, DEFAULT_ENCODING, 4);
  chars[0] = enc->field;
  for (; p < end && *p != enc->field && *p != '\r' && *p != '\n'; p++, n++)
    {
      /* A fifth character (v2.7's truncation "#") is allowed and unused. */
      if (n < 4)
        chars[n + 1] = *p;
      else if (n > 4)
        return FALSE;
    }
  if (n == 0)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (chars); i++)
    {
      if (!valid_delimiter (chars[i]))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (chars[i] == chars[j])
          return FALSE;
    }
  enc->component = chars[1];
  enc->repetition = chars[2];
  enc->escape = chars[3];
  enc->subcomponent = chars[4];
  return TRUE;
}

static gboolean
valid_segment_id (const char *line,
                  gsize       len,
                  char        field_sep)
{
  if (len < TW_HL7_SEGMENT_ID_LEN
      || (len > TW_HL7_SEGMENT_ID_LEN && line[TW_HL7_SEGMENT_ID_LEN] != field_sep))
    return FALSE;
  for (guint i = 0; i < TW_HL7_SEGMENT_ID_LEN; i++)
    if (!g_ascii_isupper (line[i]) && !g_ascii_isdigit (line[i]))
      return FALSE;
  return TRUE;
}

static GStrv
split_fields (const char *line,
              gsize       len,
              char        sep,
              gboolean    is_msh,
              guint      *out_n)
{
  GPtrArray *fields = g_ptr_array_new ();
  const char *end = line + len;
  const char *start = line;

  for (const char *p = line; p <= end; p++)
    {
      if (p == end || *p == sep)
        {
          g_ptr_array_add (fields, g_strndup (start, p - start));
          /* MSH-1 is the separator itself, so MSH-n is fields[n] too. */
          if (is_msh && fields->len == 1)
            g_ptr_array_add (fields, g_strndup (&sep, 1));
          start = p + 1;
        }
    }
  *out_n = fields->len;
  g_ptr_array_add (fields, NULL);
  return (GStrv) g_ptr_array_free (fields, FALSE);
}

/* @text starts with an MSH segment and is valid UTF-8 without NUL. */
TwHl7Message *
tw_hl7_message_parse (const char *text,
                      gsize       len)
{
  g_autoptr(TwHl7Message) msg = g_new0 (TwHl7Message, 1);
  const char *end = text + len;
  const char *line = text;
  guint line_no = 0;

  msg->segments = g_array_new (FALSE, FALSE, sizeof (TwHl7Segment));
  g_array_set_clear_func (msg->segments, (GDestroyNotify) segment_clear);
  msg->problems = g_string_new (NULL);
  if (!parse_encoding (text, end, &msg->enc))
    return NULL;

  while (line < end)
    {
      const char *eol = line;
      TwHl7Segment segment = { NULL, 0 };
      gboolean blank = TRUE;

      line_no++;
      for (; eol < end && *eol != '\r' && *eol != '\n'; eol++)
        if (!g_ascii_isspace (*eol))
          blank = FALSE;
      if (!blank && valid_segment_id (line, eol - line, msg->enc.field))
        {
          segment.fields = split_fields (line, eol - line, msg->enc.field,
                                         line_no == 1, &segment.n_fields);
          g_array_append_val (msg->segments, segment);
        }
      else if (!blank)
        {
          tw_codec_add_problem (msg->problems, "line %u is not an HL7 segment (\u2018%.*s\u2019)",
                                line_no, (int) MIN (eol - line, TW_HL7_MAX_QUOTED_CHARS), line);
        }
      /* CRLF ends one segment, not two. */
      line = eol + (eol + 1 < end && eol[0] == '\r' && eol[1] == '\n' ? 2 : 1);
    }
  return g_steal_pointer (&msg);
}

const TwHl7Segment *
tw_hl7_segment_at (const TwHl7Message *msg,
                   guint               index)
{
  return &g_array_index (msg->segments, TwHl7Segment, index);
}

gboolean
tw_hl7_segment_is (const TwHl7Segment *segment,
                   const char         *id)
{
  return g_str_equal (segment->fields[0], id);
}

const char *
tw_hl7_field (const TwHl7Segment *segment,
              guint               n)
{
  return n < segment->n_fields ? segment->fields[n] : "";
}

/* The @n-th (0-based) part of [*start, *end) split at @sep. */
static void
narrow (const char **start,
        const char **end,
        char         sep,
        guint        n)
{
  const char *p = *start;

  for (; n > 0 && p < *end; p++)
    if (*p == sep)
      {
        n--;
        *start = p + 1;
      }
  if (n > 0)
    {
      *start = *end;
      return;
    }
  for (p = *start; p < *end && *p != sep; p++)
    ;
  *end = p;
}

static int
hex_value (char c)
{
  return g_ascii_isxdigit (c) ? g_ascii_xdigit_value (c) : -1;
}

/* HL7 escape sequences: \F\ \S\ \T\ \R\ \E\ stand for the delimiters,
 * \.br\ for a line break, \Xhh…\ for bytes; highlighting (\H\ \N\) and
 * character set switches (\Cxxyy\ \Mxxyyzz\) are dropped. Anything else
 * is kept as it was written. */
static char *
unescape (const TwHl7Encoding *enc,
          const char          *start,
          const char          *end)
{
  GString *out = g_string_sized_new (end - start);

  for (const char *p = start; p < end; p++)
    {
      const char *close;
      gsize n;

      if (*p != enc->escape || (close = memchr (p + 1, enc->escape, end - p - 1)) == NULL)
        {
          g_string_append_c (out, *p);
          continue;
        }
      n = close - p - 1;
      if (n == 1 && p[1] != '\0' && strchr ("FSTRE", p[1]) != NULL)
        {
          const char replacement[] = { enc->field, enc->component, enc->subcomponent,
                                       enc->repetition, enc->escape };

          g_string_append_c (out, replacement[strchr ("FSTRE", p[1]) - "FSTRE"]);
        }
      else if (n == 3 && memcmp (p + 1, ".br", 3) == 0)
        g_string_append_c (out, '\n');
      else if ((n == 1 && (p[1] == 'H' || p[1] == 'N')) || (n == 5 && p[1] == 'C')
               || (n == 7 && p[1] == 'M'))
        ;
      else if (n >= 3 && p[1] == 'X' && n % 2 == 1)
        {
          for (gsize i = 2; i + 1 <= n; i += 2)
            {
              int hi = hex_value (p[i]), lo = hex_value (p[i + 1]);

              if (hi >= 0 && lo >= 0 && (hi | lo) != 0)
                g_string_append_c (out, (char) (hi * 16 + lo));
            }
        }
      else
        {
          g_string_append_len (out, p, n + 2);
        }
      p = close;
    }

  /* \X..\ can spell bytes that are not UTF-8. */
  if (!g_utf8_validate_len (out->str, out->len, NULL))
    {
      char *valid = g_utf8_make_valid (out->str, out->len);

      g_string_free (out, TRUE);
      return valid;
    }
  return g_string_free (out, FALSE);
}

/* Repetition 1, component @comp (1-based), subcomponent 1, unescaped. */
char *
tw_hl7_component (const TwHl7Message *msg,
                  const char         *raw,
                  guint               comp)
{
  const char *start = raw;
  const char *end = raw + strlen (raw);

  narrow (&start, &end, msg->enc.repetition, 0);
  narrow (&start, &end, msg->enc.component, comp - 1);
  narrow (&start, &end, msg->enc.subcomponent, 0);
  return unescape (&msg->enc, start, end);
}

char *
tw_hl7_field_text (const TwHl7Message *msg,
                   const TwHl7Segment *segment,
                   guint               n,
                   guint               comp)
{
  return tw_hl7_component (msg, tw_hl7_field (segment, n), comp);
}

gboolean
tw_hl7_has_value (const char *text)
{
  return text != NULL && *text != '\0';
}

static gboolean
parse_digits (const char **p,
              guint        n,
              int         *out)
{
  *out = 0;
  for (guint i = 0; i < n; i++, (*p)++)
    {
      if (!g_ascii_isdigit (**p))
        return FALSE;
      *out = *out * 10 + (**p - '0');
    }
  return TRUE;
}

/**
 * tw_hl7_parse_ts:
 * @text: an HL7 TS/DTM "YYYYMMDDHHMM[SS[.S[S…]]]±ZZZZ"
 * @out_usec: (out): µs since the epoch, UTC
 *
 * Times without a zone are refused, like everywhere in Tidewatch: a device
 * clock in an unknown zone is a silent hour-sized error on every chart.
 */
gboolean
tw_hl7_parse_ts (const char *text,
                 gint64     *out_usec)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) dt = NULL;
  const char *p = text;
  int year, month, day, hour, minute, second = 0, zone_h, zone_m;
  gint64 usec = 0;
  guint n_fraction = 0;
  int sign;

  g_return_val_if_fail (out_usec != NULL, FALSE);

  if (text == NULL || strlen (text) < TS_MIN_DIGITS)
    return FALSE;
  if (!parse_digits (&p, 4, &year) || !parse_digits (&p, 2, &month)
      || !parse_digits (&p, 2, &day) || !parse_digits (&p, 2, &hour)
      || !parse_digits (&p, 2, &minute))
    return FALSE;
  if (g_ascii_isdigit (*p) && !parse_digits (&p, 2, &second))
    return FALSE;
  if (*p == '.')
    {
      for (p++; g_ascii_isdigit (*p); p++, n_fraction++)
        if (n_fraction < TS_MAX_FRACTION)
          usec = usec * 10 + (*p - '0');
      if (n_fraction == 0)
        return FALSE;
      for (guint i = n_fraction; i < TS_MAX_FRACTION; i++)
        usec *= 10;
    }
  if (*p != '+' && *p != '-')
    return FALSE;
  sign = *p++ == '-' ? -1 : 1;
  if (!parse_digits (&p, 2, &zone_h) || !parse_digits (&p, 2, &zone_m) || *p != '\0'
      || zone_h > MAX_ZONE_HOURS || zone_m >= SECONDS_PER_MINUTE)
    return FALSE;

  tz = g_time_zone_new_offset (sign * (zone_h * SECONDS_PER_HOUR + zone_m * SECONDS_PER_MINUTE));
  dt = g_date_time_new (tz, year, month, day, hour, minute, second);
  if (dt == NULL)
    return FALSE;
  *out_usec = g_date_time_to_unix (dt) * TW_USEC_PER_SEC + usec;
  return TRUE;
}

/* MSH-18 "8859/1" is the one legacy character set seen in practice; other
 * messages must be UTF-8 (ASCII is). Returns the text as UTF-8, or NULL. */
char *
tw_hl7_to_utf8 (const char *data,
                gsize       len)
{
  const char *eol = data;
  g_auto(GStrv) fields = NULL;
  g_autofree char *first = NULL;
  char sep[2] = { len > TW_HL7_SEGMENT_ID_LEN ? data[TW_HL7_SEGMENT_ID_LEN] : '|', '\0' };

  if (memchr (data, '\0', len) != NULL)
    return NULL;
  if (g_utf8_validate_len (data, len, NULL))
    return g_strndup (data, len);

  while (eol < data + len && *eol != '\r' && *eol != '\n')
    eol++;
  first = g_strndup (data, eol - data);
  fields = g_strsplit (first, sep, MSH_CHARSET_FIELD + 1);
  if (g_strv_length (fields) < MSH_CHARSET_FIELD
      || !g_str_equal (fields[MSH_CHARSET_FIELD - 1], LATIN1_CHARSET))
    return NULL;
  return g_convert (data, len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
}

const char *
tw_hl7_skip_blank (const char *text)
{
  if (g_str_has_prefix (text, TW_HL7_UTF8_BOM))
    text += strlen (TW_HL7_UTF8_BOM);
  while (g_ascii_isspace (*text))
    text++;
  return text;
}
