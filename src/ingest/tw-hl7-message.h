#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the HL7 v2 codec and the ACK builder share: reading a message into
 * segments and fields, unescaping, and the character set of its text. */

#define TW_HL7_SEGMENT_ID_LEN    3
#define TW_HL7_MAX_QUOTED_CHARS  40
#define TW_HL7_UTF8_BOM          "\xef\xbb\xbf"

typedef struct
{
  char field;
  char component;
  char repetition;
  char escape;
  char subcomponent;
} TwHl7Encoding;

typedef struct
{
  GStrv fields;    /* fields[n] is SEG-n; for MSH, fields[1] is the separator */
  guint n_fields;
} TwHl7Segment;

typedef struct
{
  TwHl7Encoding  enc;
  GArray        *segments;  /* TwHl7Segment */
  GString       *problems;  /* lines that are no segment */
} TwHl7Message;

TwHl7Message       *tw_hl7_message_parse    (const char          *text,
                                             gsize                len);
void                tw_hl7_message_free     (TwHl7Message        *msg);

const TwHl7Segment *tw_hl7_segment_at       (const TwHl7Message  *msg,
                                             guint                index);
gboolean            tw_hl7_segment_is       (const TwHl7Segment  *segment,
                                             const char          *id);
const char         *tw_hl7_field            (const TwHl7Segment  *segment,
                                             guint                n);
char               *tw_hl7_component        (const TwHl7Message  *msg,
                                             const char          *raw,
                                             guint                comp);
char               *tw_hl7_field_text       (const TwHl7Message  *msg,
                                             const TwHl7Segment  *segment,
                                             guint                n,
                                             guint                comp);
gboolean            tw_hl7_has_value        (const char          *text);

gboolean            tw_hl7_is_segment_start (const char          *p,
                                             const char          *end,
                                             const char          *id);
char               *tw_hl7_to_utf8          (const char          *data,
                                             gsize                len);
const char         *tw_hl7_skip_blank       (const char          *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwHl7Message, tw_hl7_message_free)

G_END_DECLS
