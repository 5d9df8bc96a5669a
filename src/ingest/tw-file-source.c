#include <string.h>

#include "tw-error.h"
#include "tw-file-source.h"

/* Messages decoded per main-loop turn: the ingest thread stays
 * responsive to a stop request during a long replay. */
#define MESSAGES_PER_TURN 2000

typedef struct
{
  TwSource     parent;
  char        *path;
  GMappedFile *file;
  GPtrArray   *messages;   /* GBytes*, views into the mapped file */
  guint        next;       /* index of the next message to decode */
  guint        idle_id;
} TwFileSource;

static gboolean
is_blank (const char *start,
          const char *end)
{
  for (const char *p = start; p < end; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* NDJSON when at least two lines start a JSON value in column 0; a
 * pretty-printed single document (a FHIR Bundle) never does. */
static gboolean
looks_like_ndjson (const char *data,
                   gsize       len)
{
  guint starts = 0;

  for (gsize i = 0; i < len && starts < 2; i++)
    if ((i == 0 || data[i - 1] == '\n') && (data[i] == '{' || data[i] == '['))
      starts++;
  return starts >= 2;
}

static void
add_view (TwFileSource *self,
          GBytes       *whole,
          gsize         offset,
          gsize         length)
{
  g_ptr_array_add (self->messages, g_bytes_new_from_bytes (whole, offset, length));
}

static gboolean
starts_segment (const char *data,
                gsize       len,
                gsize       i,
                const char *name)
{
  return (i == 0 || data[i - 1] == '\r' || data[i - 1] == '\n')
         && len - i >= 4 && memcmp (data + i, name, 4) == 0;
}

/* An HL7 batch file: messages begin at each MSH segment; the optional
 * FHS/BHS/BTS/FTS envelope segments belong to no message. */
static void
split_hl7_batch (TwFileSource *self,
                 GBytes       *whole)
{
  static const char *envelope[] = { "FHS|", "BHS|", "BTS|", "FTS|" };
  gsize len = 0;
  const char *data = g_bytes_get_data (whole, &len);
  gssize start = -1;

  for (gsize i = 0; i <= len; i++)
    {
      gboolean boundary = i == len || starts_segment (data, len, i, "MSH|");

      for (guint k = 0; !boundary && k < G_N_ELEMENTS (envelope); k++)
        boundary = starts_segment (data, len, i, envelope[k]);
      if (!boundary)
        continue;
      if (start >= 0 && !is_blank (data + start, data + i))
        add_view (self, whole, (gsize) start, i - (gsize) start);
      start = i < len && starts_segment (data, len, i, "MSH|") ? (gssize) i : -1;
    }
}

static void
split_messages (TwFileSource *self,
                GBytes       *whole)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (whole, &len);
  TwFormat format = self->parent.format != TW_FORMAT_AUTO
                    ? self->parent.format : tw_codec_detect (data, len);

  if (format == TW_FORMAT_HL7V2 || (len >= 4 && (memcmp (data, "FHS|", 4) == 0
                                                  || memcmp (data, "BHS|", 4) == 0)))
    {
      split_hl7_batch (self, whole);
      return;
    }

  if (looks_like_ndjson (data, len))
    {
      gsize start = 0;

      for (gsize i = 0; i <= len; i++)
        {
          if (i < len && data[i] != '\n')
            continue;
          if (!is_blank (data + start, data + i))
            add_view (self, whole, start, i - start);
          start = i + 1;
        }
      return;
    }

  if (!is_blank (data, data + len))
    add_view (self, whole, 0, len);
}

static gboolean
on_replay (gpointer user_data)
{
  TwFileSource *self = user_data;
  TwSource *source = &self->parent;

  for (guint n = 0; n < MESSAGES_PER_TURN && self->next < self->messages->len; n++)
    {
      GBytes *message = g_ptr_array_index (self->messages, self->next);
      gsize len = 0;
      const char *data = g_bytes_get_data (message, &len);
      gint64 position = (gint64) self->next + 1;

      self->next++;
      /* Messages already committed by an earlier replay are skipped. */
      if (position <= source->resume_after)
        continue;
      tw_source_decode (source, data, len, NULL);
      tw_source_get_batch (source)->cursor_seq = position;
      tw_source_message_done (source);
    }

  if (self->next < self->messages->len)
    return G_SOURCE_CONTINUE;

  self->idle_id = 0;
  tw_source_finish (source);
  return G_SOURCE_REMOVE;
}

static void
tw_file_source_start (TwSource *source)
{
  TwFileSource *self = (TwFileSource *) source;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) whole = NULL;
  g_autoptr(GSource) idle = NULL;

  self->file = g_mapped_file_new (self->path, FALSE, &error);
  if (self->file == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Cannot read %s: %s", self->path,
                                                  error->message);

      tw_source_live_set_state (source->live, TW_SOURCE_STATE_STOPPED, message);
      source->finished = TRUE;
      return;
    }
  whole = g_mapped_file_get_bytes (self->file);
  split_messages (self, whole);
  tw_source_connected (source);

  idle = g_idle_source_new ();
  g_source_set_callback (idle, on_replay, self, NULL);
  self->idle_id = g_source_attach (idle, g_main_context_get_thread_default ());
}

static void
tw_file_source_stop (TwSource *source)
{
  TwFileSource *self = (TwFileSource *) source;

  tw_source_remove_timeout (&self->idle_id);
}

static void
tw_file_source_finalize (TwSource *source)
{
  TwFileSource *self = (TwFileSource *) source;

  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->file, g_mapped_file_unref);
  g_free (self->path);
}

static const TwSourceClass file_source_class = {
  .kind = "file",
  .start = tw_file_source_start,
  .stop = tw_file_source_stop,
  .finalize = tw_file_source_finalize,
};

TwSource *
tw_file_source_new (const char  *url,
                    GError     **error)
{
  g_autofree char *scheme = g_uri_parse_scheme (url);
  g_autofree char *path = NULL;
  TwFileSource *self;

  if (scheme != NULL)
    {
      static const char * const ours[] = { "format", NULL };
      g_autofree char *plain = tw_source_url_without_params (url, ours);

      path = g_filename_from_uri (plain, NULL, error);
      if (path == NULL)
        return NULL;
    }
  else
    {
      path = g_strdup (url);
    }

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_NOT_FOUND, "There is no file %s to replay", path);
      return NULL;
    }

  self = tw_source_alloc (&file_source_class, sizeof (TwFileSource), url);
  self->path = g_steal_pointer (&path);
  self->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->parent.own_cursor = TRUE;
  return &self->parent;
}
