#include <string.h>

#include "tw-hl7-codec.h"
#include "tw-units.h"

/* HL7 v2.x messages as IHE PCD-01 devices and ADT feeds send them:
 * ORU^R01 numeric OBX results and ADT^A01/A02/A03 (A04/A08 update identity).
 * Segments end in CR (LF and CRLF are accepted too); MSH-1 and MSH-2 name
 * the separators and the escape character. */

#define SEGMENT_ID_LEN      3
#define MAX_KEY_CHARS       64
#define MAX_QUOTED_CHARS    40
#define SECONDS_PER_HOUR    3600
#define SECONDS_PER_MINUTE  60
#define MAX_ZONE_HOURS      14
#define TS_MIN_DIGITS       12  /* YYYYMMDDHHMM */
#define TS_MAX_FRACTION     6   /* digits after the point we keep: µs */
#define ACK_RANDOM_DIGITS   10000
#define DEFAULT_ENCODING    "^~\\&"
#define DEFAULT_PROCESSING  "P"
#define DEFAULT_VERSION     "2.5"
#define LATIN1_CHARSET      "8859/1"
#define MSH_CHARSET_FIELD   18
#define ACK_TEXT_MAX_CHARS  200
#define UTF8_BOM            "\xef\xbb\xbf"

typedef struct
{
  char field;
  char component;
  char repetition;
  char escape;
  char subcomponent;
} Encoding;

typedef struct
{
  GStrv fields;    /* fields[n] is SEG-n; for MSH, fields[1] is the separator */
  guint n_fields;
} Segment;

typedef struct
{
  Encoding   enc;
  GArray    *segments;  /* Segment */
  GString   *problems;  /* lines that are no segment */
} Message;

/* OBX-11: final, corrected, preliminary, results entered (not verified). */
static const char *usable_statuses[] = { "F", "C", "R", "P", NULL };

static void
segment_clear (Segment *segment)
{
  g_strfreev (segment->fields);
}

static void
message_free (Message *msg)
{
  g_array_unref (msg->segments);
  g_string_free (msg->problems, TRUE);
  g_free (msg);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Message, message_free)

static void
add_problem (GString    *problems,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
add_problem (GString    *problems,
             const char *format,
             ...)
{
  va_list args;

  if (problems->len > 0)
    g_string_append (problems, "; ");
  va_start (args, format);
  g_string_append_vprintf (problems, format, args);
  va_end (args);
}

static gboolean
is_segment_start (const char *p,
                  const char *end,
                  const char *id)
{
  return end - p > SEGMENT_ID_LEN && memcmp (p, id, SEGMENT_ID_LEN) == 0
         && !g_ascii_isalnum (p[SEGMENT_ID_LEN]) && !g_ascii_isspace (p[SEGMENT_ID_LEN]);
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
parse_encoding (const char *msh,
                const char *end,
                Encoding   *enc)
{
  const char *p = msh + SEGMENT_ID_LEN + 1;
  char chars[5];
  guint n = 0;

  enc->field = msh[SEGMENT_ID_LEN];
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
  if (len < SEGMENT_ID_LEN || (len > SEGMENT_ID_LEN && line[SEGMENT_ID_LEN] != field_sep))
    return FALSE;
  for (guint i = 0; i < SEGMENT_ID_LEN; i++)
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
static Message *
parse_message (const char *text,
               gsize       len)
{
  g_autoptr(Message) msg = g_new0 (Message, 1);
  const char *end = text + len;
  const char *line = text;
  guint line_no = 0;

  msg->segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  g_array_set_clear_func (msg->segments, (GDestroyNotify) segment_clear);
  msg->problems = g_string_new (NULL);
  if (!parse_encoding (text, end, &msg->enc))
    return NULL;

  while (line < end)
    {
      const char *eol = line;
      Segment segment = { NULL, 0 };
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
          add_problem (msg->problems, "line %u is not an HL7 segment (\u2018%.*s\u2019)",
                       line_no, (int) MIN (eol - line, MAX_QUOTED_CHARS), line);
        }
      /* CRLF ends one segment, not two. */
      line = eol + (eol + 1 < end && eol[0] == '\r' && eol[1] == '\n' ? 2 : 1);
    }
  return g_steal_pointer (&msg);
}

static const Segment *
segment_at (const Message *msg,
            guint          index)
{
  return &g_array_index (msg->segments, Segment, index);
}

static gboolean
segment_is (const Segment *segment,
            const char    *id)
{
  return g_str_equal (segment->fields[0], id);
}

static const char *
field (const Segment *segment,
       guint          n)
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
unescape (const Encoding *enc,
          const char     *start,
          const char     *end)
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
static char *
component (const Message *msg,
           const char    *raw,
           guint          comp)
{
  const char *start = raw;
  const char *end = raw + strlen (raw);

  narrow (&start, &end, msg->enc.repetition, 0);
  narrow (&start, &end, msg->enc.component, comp - 1);
  narrow (&start, &end, msg->enc.subcomponent, 0);
  return unescape (&msg->enc, start, end);
}

static char *
field_text (const Message *msg,
            const Segment *segment,
            guint          n,
            guint          comp)
{
  return component (msg, field (segment, n), comp);
}

static gboolean
has_value (const char *text)
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

/* HL7 NM: an optional sign, digits, an optional point. No exponents, no
 * "nan": g_ascii_strtod alone would take them. */
static gboolean
parse_numeric (const char *text,
               double     *out)
{
  const char *p = text;
  guint digits = 0;

  while (*p == ' ')
    p++;
  if (*p == '+' || *p == '-')
    p++;
  for (; g_ascii_isdigit (*p); p++)
    digits++;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      digits++;
  while (*p == ' ')
    p++;
  if (digits == 0 || *p != '\0')
    return FALSE;
  *out = g_ascii_strtod (text, NULL);
  return TRUE;
}

/* OBX-3 is CWE: code^text^system, and an alternate triple in 4–6. */
static const TwMetricInfo *
observation_metric (const Message *msg,
                    const char    *raw)
{
  for (guint first = 1; first <= 4; first += 3)
    {
      g_autofree char *code = component (msg, raw, first);
      g_autofree char *text = component (msg, raw, first + 1);
      g_autofree char *system = component (msg, raw, first + 2);
      const TwMetricInfo *metric = NULL;

      if (g_str_equal (system, "LN") || g_str_equal (system, "LOINC"))
        metric = tw_metric_lookup_loinc (code);
      else if (g_str_equal (system, "MDC") || *system == '\0')
        metric = tw_metric_lookup_mdc (has_value (code) ? code : text);
      if (metric == NULL && g_str_equal (system, "MDC") && has_value (text))
        metric = tw_metric_lookup_mdc (text);
      if (metric == NULL && *system == '\0' && has_value (code))
        metric = tw_metric_lookup_loinc (code);
      if (metric != NULL)
        return metric;
    }
  return NULL;
}

/* OBX-6: UCUM by default, IEEE 11073 when the system is MDC. */
static char *
observation_unit (const Message *msg,
                  const char    *raw)
{
  g_autofree char *code = component (msg, raw, 1);
  g_autofree char *text = component (msg, raw, 2);
  g_autofree char *system = component (msg, raw, 3);
  const char *ucum = tw_units_from_mdc (code, text);

  if (ucum != NULL)
    return g_strdup (ucum);
  if (g_str_equal (system, "MDC"))
    return g_strdup_printf ("%s^%s^MDC", code, text);
  return g_strdup (has_value (code) ? code : text);
}

static const char *
status_meaning (const char *status)
{
  static const struct { const char *code; const char *meaning; } statuses[] = {
    { "W", "wrong, replaced" }, { "X", "cannot be obtained" }, { "D", "deleted" },
    { "I", "pending" }, { "N", "not asked" }, { "U", "status unknown" }, { "S", "partial" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (g_str_equal (statuses[i].code, status))
      return statuses[i].meaning;
  return "not a result";
}

typedef struct
{
  TwBatch    *batch;
  Message    *msg;
  GString    *problems;
  const char *patient;     /* interned entity key of the current PID, or NULL */
  const char *obr_time;    /* OBR-7 of the current order, raw */
  guint       n_samples;
} OruState;

static void
decode_obx (OruState      *state,
            const Segment *obx)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *set_id = field_text (state->msg, obx, 1, 1);
  g_autofree char *type = field_text (state->msg, obx, 2, 1);
  g_autofree char *value_text = field_text (state->msg, obx, 5, 1);
  g_autofree char *status = field_text (state->msg, obx, 11, 1);
  g_autofree char *unit = NULL;
  g_autofree char *ts_text = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *label = NULL;
  const TwMetricInfo *metric = observation_metric (state->msg, field (obx, 3));
  double value, converted;
  gint64 ts;

  label = g_strdup_printf ("OBX %s (%s)", has_value (set_id) ? set_id : "?",
                           metric != NULL ? metric->code : field (obx, 3));
  /* Device hierarchy rows (MDS, VMD, channel) and text results carry no
   * number: they are not measurements to store. */
  if (!g_str_equal (type, "NM"))
    {
      if (metric != NULL && has_value (value_text))
        add_problem (state->problems, "%.80s: value type %.8s is not numeric (NM)", label, type);
      return;
    }
  if (metric == NULL)
    {
      add_problem (state->problems, "%.80s: not a known vital sign or glucose code", label);
      return;
    }
  if (state->patient == NULL)
    return;  /* the PID problem is already recorded */
  if (!has_value (status))
    {
      add_problem (state->problems, "%s: OBX-11 (result status) is empty", label);
      return;
    }
  if (!g_strv_contains (usable_statuses, status))
    {
      add_problem (state->problems, "%s: result status %.8s (%s) \u2014 not stored", label,
                   status, status_meaning (status));
      return;
    }
  if (!parse_numeric (value_text, &value))
    {
      add_problem (state->problems, "%s: OBX-5 \u2018%.*s\u2019 is not a number", label,
                   MAX_QUOTED_CHARS, value_text);
      return;
    }
  unit = observation_unit (state->msg, field (obx, 6));
  if (!tw_units_convert (metric, unit, value, &converted, &error))
    {
      add_problem (state->problems, "%s: %s", label, error->message);
      return;
    }
  if ((problem = tw_codec_check_value (state->batch, metric, converted)) != NULL)
    {
      add_problem (state->problems, "%s: %s", label, problem);
      return;
    }

  ts_text = field_text (state->msg, obx, 14, 1);
  if (!has_value (ts_text) && state->obr_time != NULL)
    {
      g_free (ts_text);
      ts_text = component (state->msg, state->obr_time, 1);
    }
  if (!has_value (ts_text))
    {
      add_problem (state->problems, "%s: no observation time (OBX-14 or OBR-7)", label);
      return;
    }
  if (!tw_hl7_parse_ts (ts_text, &ts))
    {
      add_problem (state->problems, "%s: time \u2018%.*s\u2019 is not an HL7 time with a zone "
                   "(YYYYMMDDHHMM[SS[.S]]\u00b1ZZZZ)", label, MAX_QUOTED_CHARS, ts_text);
      return;
    }
  if ((problem = tw_codec_check_time (ts, ts_text)) != NULL)
    {
      add_problem (state->problems, "%s: %s", label, problem);
      return;
    }

  tw_batch_add_sample (state->batch, state->patient, metric->code, ts, converted);
  state->n_samples++;
}

/* PV1-3 "ward^room^bed" → "ward-room-bed", leaving out empty parts. */
static char *
location_of (const Message *msg,
             const Segment *pv1)
{
  g_autoptr(GString) location = g_string_new (NULL);

  for (guint comp = 1; pv1 != NULL && comp <= 3; comp++)
    {
      g_autofree char *part = field_text (msg, pv1, 3, comp);

      if (has_value (part))
        g_string_append_printf (location, "%s%s", location->len > 0 ? "-" : "", part);
    }
  return location->len > 0 ? g_string_free (g_steal_pointer (&location), FALSE) : NULL;
}

/* PID-5 "Family^Given^Middle" → "Given Middle Family". */
static char *
name_of (const Message *msg,
         const Segment *pid)
{
  g_autofree char *family = field_text (msg, pid, 5, 1);
  g_autofree char *given = field_text (msg, pid, 5, 2);
  g_autofree char *middle = field_text (msg, pid, 5, 3);
  g_autoptr(GString) name = g_string_new (NULL);
  const char *parts[] = { given, middle, family };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (has_value (parts[i]))
      g_string_append_printf (name, "%s%s", name->len > 0 ? " " : "", parts[i]);
  return name->len > 0 ? g_string_free (g_steal_pointer (&name), FALSE) : NULL;
}

/* PID-3 repeats: the first identifier is the key, the one typed MR (CX.5)
 * the medical record number. */
static char *
mrn_of (const Message *msg,
        const Segment *pid)
{
  g_auto(GStrv) repetitions = NULL;
  char sep[2] = { msg->enc.repetition, '\0' };

  repetitions = g_strsplit (field (pid, 3), sep, -1);
  for (guint i = 0; repetitions[i] != NULL; i++)
    {
      g_autofree char *type = component (msg, repetitions[i], 5);

      if (g_str_equal (type, "MR"))
        return component (msg, repetitions[i], 1);
    }
  return field_text (msg, pid, 3, 1);
}

static const Segment *
find_segment (const Message *msg,
              guint          from,
              const char    *id,
              const char    *stop)
{
  for (guint i = from; i < msg->segments->len; i++)
    {
      const Segment *segment = segment_at (msg, i);

      if (segment_is (segment, id))
        return segment;
      if (stop != NULL && segment_is (segment, stop))
        return NULL;
    }
  return NULL;
}

/* Adds the patient of @pid with @location; returns its interned key, or
 * NULL (and a problem) when PID-3 names nobody. */
static const char *
add_patient (TwBatch       *batch,
             const Message *msg,
             const Segment *pid,
             const char    *location,
             GString       *problems)
{
  g_autofree char *key = field_text (msg, pid, 3, 1);
  g_autofree char *name = NULL;
  g_autofree char *mrn = NULL;

  if (!has_value (key) || g_utf8_strlen (key, -1) > MAX_KEY_CHARS)
    {
      add_problem (problems, "PID-3 (patient identifier) is %s",
                   has_value (key) ? "longer than 64 characters" : "empty");
      return NULL;
    }
  name = name_of (msg, pid);
  mrn = mrn_of (msg, pid);
  tw_batch_add_entity (batch, "patient", key, name, has_value (mrn) ? mrn : NULL, location);
  return tw_batch_intern (batch, key);
}

static guint
decode_oru (TwBatch       *batch,
            const Message *msg,
            GString       *problems)
{
  OruState state = { batch, (Message *) msg, problems, NULL, NULL, 0 };
  gboolean seen_pid = FALSE;

  for (guint i = 1; i < msg->segments->len; i++)
    {
      const Segment *segment = segment_at (msg, i);

      if (segment_is (segment, "PID"))
        {
          g_autofree char *location = location_of (msg, find_segment (msg, i + 1, "PV1", "PID"));

          seen_pid = TRUE;
          state.obr_time = NULL;
          state.patient = add_patient (batch, msg, segment, location, problems);
        }
      else if (segment_is (segment, "OBR"))
        {
          state.obr_time = field (segment, 7);
        }
      else if (segment_is (segment, "OBX"))
        {
          if (!seen_pid)
            {
              add_problem (problems, "ORU^R01 without a PID segment before its OBX");
              return state.n_samples;
            }
          decode_obx (&state, segment);
        }
    }
  if (!seen_pid)
    add_problem (problems, "ORU^R01 without a PID segment");
  /* The patients are announced either way, but a result message of which
   * no result could be stored is an error for its sender. */
  return state.n_samples;
}

static guint
decode_adt (TwBatch       *batch,
            const Message *msg,
            const char    *trigger,
            GString       *problems)
{
  const Segment *pid = find_segment (msg, 1, "PID", NULL);
  const Segment *pv1 = find_segment (msg, 1, "PV1", NULL);
  g_autofree char *location = location_of (msg, pv1);

  if (pid == NULL)
    {
      add_problem (problems, "ADT^%s without a PID segment", trigger);
      return 0;
    }
  if (g_str_equal (trigger, "A02") && location == NULL)
    {
      add_problem (problems, "ADT^A02 without the new location (PV1-3)");
      return 0;
    }
  if (g_str_equal (trigger, "A03"))
    {
      g_free (location);
      location = g_strdup (TW_HL7_LOCATION_DISCHARGED);
    }
  return add_patient (batch, msg, pid, location, problems) != NULL ? 1 : 0;
}

/* MSH-18 "8859/1" is the one legacy character set seen in practice; other
 * messages must be UTF-8 (ASCII is). Returns the text as UTF-8, or NULL. */
static char *
to_utf8 (const char *data,
         gsize       len)
{
  const char *eol = data;
  g_auto(GStrv) fields = NULL;
  g_autofree char *first = NULL;
  char sep[2] = { len > SEGMENT_ID_LEN ? data[SEGMENT_ID_LEN] : '|', '\0' };

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

static const char *
skip_blank (const char *text)
{
  if (g_str_has_prefix (text, UTF8_BOM))
    text += strlen (UTF8_BOM);
  while (g_ascii_isspace (*text))
    text++;
  return text;
}

static TwDecodeResult decode_message (TwBatch      *batch,
                                      const char   *data,
                                      gsize         len,
                                      TwDecodeInfo *info,
                                      gboolean      in_batch);

static TwDecodeResult
decode_batch_file (TwBatch    *batch,
                   const char *data,
                   gsize       len)
{
  g_autoptr(GPtrArray) messages = tw_hl7_split_batch (data, len);
  gboolean any_ok = FALSE;

  for (guint i = 0; i < messages->len; i++)
    {
      gsize size;
      const char *text = g_bytes_get_data (messages->pdata[i], &size);

      any_ok |= decode_message (batch, text, size, NULL, TRUE) == TW_DECODE_OK;
    }
  if (messages->len == 0)
    return tw_codec_reject (batch, data, len, "HL7 batch without any message");
  return any_ok ? TW_DECODE_OK : TW_DECODE_REJECTED;
}

/**
 * tw_hl7_codec_decode:
 * @batch: receives samples, entities and rejects
 * @data: (array length=len): one HL7 v2 message (a batch file with an
 *   FHS/BHS envelope is decoded message by message)
 * @len: its length in bytes
 * @info: (optional): gets MSH-10 as message id, for the ACK
 *
 * Good OBX values are kept when others of the same message are not; the
 * whole message then also goes to quarantine with every problem named.
 */
TwDecodeResult
tw_hl7_codec_decode (TwBatch      *batch,
                     const char   *data,
                     gsize         len,
                     TwDecodeInfo *info)
{
  g_return_val_if_fail (batch != NULL, TW_DECODE_REJECTED);
  g_return_val_if_fail (data != NULL || len == 0, TW_DECODE_REJECTED);

  return decode_message (batch, data, len, info, FALSE);
}

/* @in_batch: @data came out of a batch file, so another batch header in it
 * is garbage, not a batch to split again. */
static TwDecodeResult
decode_message (TwBatch      *batch,
                const char   *data,
                gsize         len,
                TwDecodeInfo *info,
                gboolean      in_batch)
{
  g_autoptr(Message) msg = NULL;
  g_autoptr(GString) problems = NULL;
  g_autofree char *text = NULL;
  g_autofree char *type = NULL;
  g_autofree char *trigger = NULL;
  g_autofree char *control_id = NULL;
  const char *start;
  guint n_stored = 0;

  if (info != NULL)
    info->format = TW_FORMAT_HL7V2;
  if (len > TW_CODEC_MAX_MESSAGE_BYTES)
    return tw_codec_reject (batch, data, len, "HL7 message of %" G_GSIZE_FORMAT " bytes is "
                            "larger than the limit of %d bytes", len, TW_CODEC_MAX_MESSAGE_BYTES);
  text = to_utf8 (data, len);
  if (text == NULL)
    return tw_codec_reject (batch, data, len, "HL7 message is not valid UTF-8 (and MSH-18 does "
                            "not name ISO 8859-1)");

  start = skip_blank (text);
  if (!in_batch && (is_segment_start (start, start + strlen (start), "FHS")
                    || is_segment_start (start, start + strlen (start), "BHS")))
    return decode_batch_file (batch, data, len);
  if (!is_segment_start (start, start + strlen (start), "MSH"))
    return tw_codec_reject (batch, data, len, "HL7 message without an MSH segment");

  msg = parse_message (start, strlen (start));
  if (msg == NULL)
    return tw_codec_reject (batch, data, len, "MSH-1/MSH-2 encoding characters are not valid "
                            "(expected e.g. \u2018|^~\\&\u2019)");

  control_id = field_text (msg, segment_at (msg, 0), 10, 1);
  tw_codec_set_message_id (info, control_id);
  type = field_text (msg, segment_at (msg, 0), 9, 1);
  trigger = field_text (msg, segment_at (msg, 0), 9, 2);

  problems = g_string_new (msg->problems->str);
  if (g_str_equal (type, "ORU") && g_str_equal (trigger, "R01"))
    n_stored = decode_oru (batch, msg, problems);
  else if (g_str_equal (type, "ADT") && (g_str_equal (trigger, "A01") || g_str_equal (trigger, "A02")
                                         || g_str_equal (trigger, "A03") || g_str_equal (trigger, "A04")
                                         || g_str_equal (trigger, "A08")))
    n_stored = decode_adt (batch, msg, trigger, problems);
  else
    return tw_codec_reject (batch, data, len, "HL7 message type %.*s^%.*s is not supported "
                            "(expected ORU^R01 or ADT^A01/A02/A03/A04/A08)", MAX_QUOTED_CHARS,
                            has_value (type) ? type : "(none)", MAX_QUOTED_CHARS, trigger);

  if (problems->len == 0)
    return TW_DECODE_OK;
  tw_codec_reject (batch, data, len, "%s%s", problems->str,
                   n_stored > 0 ? " (the other values were stored)" : "");
  return n_stored > 0 ? TW_DECODE_OK : TW_DECODE_REJECTED;
}

static void
append_escaped (GString        *out,
                const Encoding *enc,
                const char     *text)
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
  static const Segment no_msh = { NULL, 0 };
  g_autofree char *utf8 = NULL;
  g_autofree char *trigger = NULL;
  g_autoptr(Message) msg = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d%H%M%S+0000");
  const Segment *msh = &no_msh;
  Encoding enc = { '|', '^', '~', '\\', '&' };
  GString *ack = g_string_new (NULL);
  char sep;

  g_return_val_if_fail (ack_code != NULL && g_strv_contains (codes, ack_code), NULL);

  utf8 = message != NULL ? to_utf8 (message, len) : NULL;
  if (utf8 != NULL && is_segment_start (skip_blank (utf8), utf8 + strlen (utf8), "MSH"))
    msg = parse_message (skip_blank (utf8), strlen (skip_blank (utf8)));
  if (msg != NULL)
    {
      enc = msg->enc;
      msh = segment_at (msg, 0);
      trigger = field_text (msg, msh, 9, 2);
    }
  sep = enc.field;

  g_string_append_printf (ack, "MSH%c%c%c%c%c", sep, enc.component, enc.repetition, enc.escape,
                          enc.subcomponent);
  g_string_append_printf (ack, "%c%s%c%s%c%s%c%s%c%s%c", sep, field (msh, 5), sep, field (msh, 6),
                          sep, field (msh, 3), sep, field (msh, 4), sep, stamp, sep);
  if (has_value (trigger))
    g_string_append_printf (ack, "%cACK%c%s%cACK", sep, enc.component, trigger, enc.component);
  else
    g_string_append_printf (ack, "%cACK", sep);
  /* Unique per sender is all MSH-10 needs: the clock in µs and a few random
   * digits for two ACKs in the same microsecond, 20 characters in all. */
  g_string_append_printf (ack, "%c%" G_GINT64_FORMAT "%04d%c%s%c%s\r", sep, g_get_real_time (),
                          g_random_int_range (0, ACK_RANDOM_DIGITS), sep,
                          has_value (field (msh, 11)) ? field (msh, 11) : DEFAULT_PROCESSING, sep,
                          has_value (field (msh, 12)) ? field (msh, 12) : DEFAULT_VERSION);

  g_string_append_printf (ack, "MSA%c%s%c%s", sep, ack_code, sep, field (msh, 10));
  if (has_value (text))
    {
      g_string_append_c (ack, sep);
      append_escaped (ack, &enc, text);
    }
  g_string_append_c (ack, '\r');

  if (has_value (text) && ack_code[1] != 'A')
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
  return eol - line >= SEGMENT_ID_LEN && memcmp (line, id, SEGMENT_ID_LEN) == 0
         && (eol - line == SEGMENT_ID_LEN || !g_ascii_isalnum (line[SEGMENT_ID_LEN]));
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

  g_return_val_if_fail (data != NULL || len == 0, messages);

  if (len >= strlen (UTF8_BOM) && memcmp (data, UTF8_BOM, strlen (UTF8_BOM)) == 0)
    line += strlen (UTF8_BOM);
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
