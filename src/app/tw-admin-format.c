#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tw-admin-format.h"
#include "tw-source.h"
#include "tw-time.h"

#define USEC_PER_MSEC  1000
#define USEC_PER_DAY   (24 * TW_USEC_PER_HOUR)

/**
 * tw_format_count:
 * @value: a counter
 *
 * Returns: (transfer full): @value with the locale's digit grouping
 */
char *
tw_format_count (guint64 value)
{
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, value);
}

/**
 * tw_format_rate:
 * @messages_per_second: a rate, negative when unknown
 *
 * Returns: (transfer full): "12.5", or an em dash when unknown
 */
char *
tw_format_rate (double messages_per_second)
{
  if (messages_per_second < 0)
    return g_strdup ("\u2014");

  return g_strdup_printf ("%.1f", messages_per_second);
}

/**
 * tw_format_lag:
 * @lag_us: how far the newest event lies behind now, -1 when unknown
 *
 * Returns: (transfer full): "120 ms", "4.2 s", "3 min", "5 h", "2 d", or an
 *   em dash when unknown
 */
char *
tw_format_lag (gint64 lag_us)
{
  if (lag_us < 0)
    return g_strdup ("\u2014");
  if (lag_us < TW_USEC_PER_SEC)
    /* Translators: a delay in milliseconds */
    return g_strdup_printf (_("%u ms"), (guint) (lag_us / USEC_PER_MSEC));
  if (lag_us < TW_USEC_PER_MIN)
    /* Translators: a delay in seconds */
    return g_strdup_printf (_("%.1f s"), (double) lag_us / TW_USEC_PER_SEC);
  if (lag_us < TW_USEC_PER_HOUR)
    /* Translators: a delay in minutes */
    return g_strdup_printf (_("%u min"), (guint) (lag_us / TW_USEC_PER_MIN));
  if (lag_us < USEC_PER_DAY)
    /* Translators: a delay in hours */
    return g_strdup_printf (_("%u h"), (guint) (lag_us / TW_USEC_PER_HOUR));
  /* Translators: a delay in days */
  return g_strdup_printf (_("%" G_GINT64_FORMAT " d"), lag_us / USEC_PER_DAY);
}

/**
 * tw_format_raw_message:
 * @data: the bytes as received
 * @len: their length
 * @limit: format at most this many bytes
 * @out_truncated: (out) (optional): set when @len exceeds @limit
 *
 * Makes a received message displayable without hiding what is wrong with
 * it: valid UTF-8 is kept, every byte that is not (and control characters
 * such as MLLP's 0x0B and 0x1C) becomes a visible "\xNN". A carriage
 * return ends a line, so HL7 v2 segments read one per line.
 *
 * Returns: (transfer full): valid UTF-8
 */
char *
tw_format_raw_message (const guint8 *data,
                       gsize         len,
                       gsize         limit,
                       gboolean     *out_truncated)
{
  GString *text = g_string_sized_new (MIN (len, limit) + 16);
  gsize end = MIN (len, limit);
  gsize i = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  while (i < end)
    {
      guint8 byte = data[i];

      if (byte == '\r')
        {
          g_string_append_c (text, '\n');
          i += (i + 1 < len && data[i + 1] == '\n') ? 2 : 1;
        }
      else if (byte == '\n' || byte == '\t' || (byte >= 0x20 && byte < 0x7f))
        {
          g_string_append_c (text, (char) byte);
          i++;
        }
      else if (byte < 0x80)
        {
          g_string_append_printf (text, "\\x%02X", byte);
          i++;
        }
      else
        {
          const char *p = (const char *) data + i;
          gunichar c = g_utf8_get_char_validated (p, (gssize) (len - i));

          if (c == (gunichar) -1 || c == (gunichar) -2 || (c >= 0x80 && c < 0xa0))
            {
              g_string_append_printf (text, "\\x%02X", byte);
              i++;
            }
          else
            {
              gsize n = (gsize) (g_utf8_next_char (p) - p);

              g_string_append_len (text, p, (gssize) n);
              i += n;
            }
        }
    }

  if (out_truncated != NULL)
    *out_truncated = len > limit;

  return g_string_free (text, FALSE);
}

/**
 * tw_redact_message:
 * @message: (nullable): an error or a description that may quote @url
 * @url: (nullable): an address that may hold a password
 *
 * Returns: (transfer full) (nullable): @message with every copy of @url
 *   replaced by its redacted form, so a password never reaches the screen
 */
char *
tw_redact_message (const char *message,
                   const char *url)
{
  g_autofree char *redacted = NULL;
  g_auto(GStrv) parts = NULL;

  if (message == NULL || url == NULL || url[0] == '\0' || strstr (message, url) == NULL)
    return g_strdup (message);

  redacted = tw_source_url_redact (url);
  parts = g_strsplit (message, url, -1);

  return g_strjoinv (redacted, parts);
}
