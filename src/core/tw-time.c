#include "tw-time.h"

gint64
tw_time_now (void)
{
  return g_get_real_time ();
}

/**
 * tw_time_parse_iso8601:
 * @text: an RFC 3339 time with a zone ("2026-11-23T07:10:00.250Z")
 * @out_usec: (out): microseconds since the epoch, UTC
 *
 * Times without a zone are refused: a device clock in an unknown zone is a
 * silent hour-sized error on every chart.
 */
gboolean
tw_time_parse_iso8601 (const char *text,
                       gint64     *out_usec)
{
  g_autoptr(GDateTime) dt = NULL;

  g_return_val_if_fail (out_usec != NULL, FALSE);

  if (text == NULL || *text == '\0')
    return FALSE;

  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;

  *out_usec = g_date_time_to_unix (dt) * TW_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

char *
tw_time_format_iso8601 (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / TW_USEC_PER_SEC);
  g_autoptr(GDateTime) precise = NULL;

  if (dt == NULL)
    return g_strdup ("invalid time");
  precise = g_date_time_add (dt, usec % TW_USEC_PER_SEC);
  return g_date_time_format (precise, "%Y-%m-%dT%H:%M:%S.%fZ");
}

char *
tw_time_format_local (gint64      usec,
                      const char *format)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (usec / TW_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("?");
  return g_date_time_format (dt, format);
}
