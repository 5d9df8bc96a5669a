#include <string.h>

#include "tw-json-flat.h"

/* More digits might not fit a gint64; json-glib decides those. */
#define MAX_INT_DIGITS    18
#define MAX_NUMBER_CHARS  64

typedef struct
{
  const char *p;
  const char *end;
} Cursor;

static void
skip_blank (Cursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static gboolean
take (Cursor *c,
      char    expected)
{
  skip_blank (c);
  if (c->p >= c->end || *c->p != expected)
    return FALSE;
  c->p++;
  return TRUE;
}

/* A string without escapes or control characters; returns its bounds. */
static gboolean
scan_string (Cursor      *c,
             const char **out_start,
             gsize       *out_len)
{
  const char *start;

  if (!take (c, '"'))
    return FALSE;
  start = c->p;
  while (c->p < c->end && *c->p != '"')
    {
      if (*c->p == '\\' || (guchar) *c->p < 0x20)
        return FALSE;
      c->p++;
    }
  if (c->p >= c->end)
    return FALSE;
  *out_start = start;
  *out_len = (gsize) (c->p - start);
  c->p++;
  return TRUE;
}

static gboolean
scan_digits (Cursor *c,
             guint  *out_count)
{
  guint n = 0;

  while (c->p < c->end && g_ascii_isdigit (*c->p))
    {
      c->p++;
      n++;
    }
  *out_count = n;
  return n > 0;
}

/* RFC 8259 number grammar, strictly: json-glib refuses the rest, so the
 * fast path must not accept more than it does. */
static JsonNode *
scan_number (Cursor *c)
{
  const char *start = c->p;
  gboolean integer = TRUE;
  guint int_digits = 0, n;
  char buffer[MAX_NUMBER_CHARS + 1];
  gsize len;

  if (c->p < c->end && *c->p == '-')
    c->p++;
  if (c->p < c->end && *c->p == '0')
    {
      c->p++;
      int_digits = 1;
      if (c->p < c->end && g_ascii_isdigit (*c->p))
        return NULL;
    }
  else if (!scan_digits (c, &int_digits))
    {
      return NULL;
    }
  if (c->p < c->end && *c->p == '.')
    {
      c->p++;
      integer = FALSE;
      if (!scan_digits (c, &n))
        return NULL;
    }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E'))
    {
      c->p++;
      integer = FALSE;
      if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
        c->p++;
      if (!scan_digits (c, &n))
        return NULL;
    }

  len = (gsize) (c->p - start);
  if (len > MAX_NUMBER_CHARS || (integer && int_digits > MAX_INT_DIGITS))
    return NULL;
  memcpy (buffer, start, len);
  buffer[len] = '\0';
  if (integer)
    return json_node_init_int (json_node_alloc (), g_ascii_strtoll (buffer, NULL, 10));
  return json_node_init_double (json_node_alloc (), g_ascii_strtod (buffer, NULL));
}

static gboolean
scan_word (Cursor     *c,
           const char *word)
{
  gsize len = strlen (word);

  if ((gsize) (c->end - c->p) < len || memcmp (c->p, word, len) != 0)
    return FALSE;
  c->p += len;
  return TRUE;
}

static JsonNode *
scan_value (Cursor *c)
{
  const char *text;
  gsize len;

  skip_blank (c);
  if (c->p >= c->end)
    return NULL;
  switch (*c->p)
    {
    case '"':
      {
        g_autofree char *copy = NULL;

        if (!scan_string (c, &text, &len))
          return NULL;
        copy = g_strndup (text, len);
        return json_node_init_string (json_node_alloc (), copy);
      }
    case 't':
      return scan_word (c, "true") ? json_node_init_boolean (json_node_alloc (), TRUE) : NULL;
    case 'f':
      return scan_word (c, "false") ? json_node_init_boolean (json_node_alloc (), FALSE) : NULL;
    case 'n':
      return scan_word (c, "null") ? json_node_init_null (json_node_alloc ()) : NULL;
    default:
      return (*c->p == '-' || g_ascii_isdigit (*c->p)) ? scan_number (c) : NULL;
    }
}

JsonObject *
tw_json_flat_parse (const char *data,
                    gsize       len)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  Cursor c = { data, data + len };

  if (data == NULL || !take (&c, '{'))
    return NULL;
  skip_blank (&c);
  if (c.p < c.end && *c.p == '}')
    {
      c.p++;
    }
  else
    {
      for (;;)
        {
          const char *key;
          gsize key_len;
          JsonNode *value;

          if (!scan_string (&c, &key, &key_len) || memchr (key, '\0', key_len) != NULL
              || !take (&c, ':'))
            return NULL;
          value = scan_value (&c);
          if (value == NULL)
            return NULL;
          {
            g_autofree char *name = g_strndup (key, key_len);

            /* Like json-glib: a repeated member keeps its last value. */
            json_object_set_member (obj, name, value);
          }
          if (take (&c, ','))
            continue;
          if (take (&c, '}'))
            break;
          return NULL;
        }
    }
  skip_blank (&c);
  if (c.p != c.end)
    return NULL;
  return g_steal_pointer (&obj);
}
