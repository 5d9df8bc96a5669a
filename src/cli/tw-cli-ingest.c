#include "config.h"

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "tw-cli-private.h"
#include "tw-error.h"
#include "tw-pipeline.h"
#include "tw-time.h"

#define PROGRESS_PERIOD_MS 200

/* ---- ingest ----------------------------------------------------------- */

typedef struct
{
  GMainLoop  *loop;
  TwPipeline *pipeline;
  gint64      deadline;
  gboolean    interrupted;
  gboolean    show_progress;
} IngestRun;

static gboolean
on_signal (gpointer data)
{
  IngestRun *run = data;

  run->interrupted = TRUE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_progress (gpointer data)
{
  IngestRun *run = data;
  g_autoptr(TwPipelineStatus) status = tw_pipeline_get_status (run->pipeline);

  if (run->show_progress && status->sources->len > 0)
    {
      TwSourceStatus *s = g_ptr_array_index (status->sources, 0);

      g_printerr ("\r%s · %.0f msg/s · received %" G_GUINT64_FORMAT " · stored %" G_GUINT64_FORMAT
                  " samples   ", tw_source_state_to_label (s->state), s->message_rate, s->received,
                  s->stored);
    }
  if (status->finished || status->failed
      || (run->deadline > 0 && g_get_monotonic_time () >= run->deadline))
    g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

/* A file given as a path becomes an absolute file:// URL, so that the same
 * file replayed from another directory is the same source. */
static char *
source_url (const char *arg)
{
  g_autofree char *scheme = g_uri_parse_scheme (arg);
  g_autofree char *absolute = NULL;

  if (scheme != NULL)
    return g_strdup (arg);
  absolute = g_canonicalize_filename (arg, NULL);
  return g_filename_to_uri (absolute, NULL, NULL);
}

int
twctl_cmd_ingest (Twctl  *self,
                  int     argc,
                  char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwSession) session = NULL;
  g_autoptr(TwPipeline) pipeline = NULL;
  g_autoptr(TwPipelineStatus) status = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *url = NULL;
  double duration = 0;
  IngestRun run = { 0 };
  guint sigint_id, sigterm_id, progress_id;
  GOptionEntry entries[] = {
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration, "Stop after this many seconds",
      "SECONDS" },
    { NULL }
  };

  if (!twctl_parse_command_options ("ingest URL", entries, &argc, &argv, &error))
    return twctl_fail (error);
  if (argc != 2)
    {
      g_printerr ("twctl: usage: ingest URL|FILE [--duration SECONDS]\n");
      return EXIT_USAGE;
    }

  session = twctl_sign_in (self, &error);
  if (session == NULL)
    return twctl_fail (error);
  if (!tw_session_can (session, TW_PERM_MANAGE_SOURCES))
    {
      g_printerr ("twctl: only an administrator may ingest into the store\n");
      return 1;
    }

  url = source_url (argv[1]);
  pipeline = tw_pipeline_new (session, &error);
  if (pipeline == NULL || !tw_pipeline_add_source (pipeline, url, &error))
    return twctl_fail (error);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.pipeline = pipeline;
  run.show_progress = isatty (STDERR_FILENO);
  if (duration > 0)
    run.deadline = g_get_monotonic_time () + (gint64) (duration * TW_USEC_PER_SEC);

  sigint_id = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &run);
  progress_id = g_timeout_add (PROGRESS_PERIOD_MS, on_progress, &run);

  tw_pipeline_start (pipeline);
  g_main_loop_run (loop);

  g_source_remove (progress_id);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  tw_pipeline_stop (pipeline);

  status = tw_pipeline_get_status (pipeline);
  if (run.show_progress)
    g_printerr ("\n");
  for (guint i = 0; i < status->sources->len; i++)
    {
      TwSourceStatus *s = g_ptr_array_index (status->sources, i);

      g_print ("%s: %s; received %" G_GUINT64_FORMAT " messages, stored %" G_GUINT64_FORMAT
               " samples, %" G_GUINT64_FORMAT " duplicates, %" G_GUINT64_FORMAT " quarantined,"
               " %u reconnects, resume after %" G_GINT64_FORMAT "\n",
               s->url, tw_source_state_to_label (s->state), s->received, s->stored,
               s->duplicates, s->quarantined, s->reconnects, s->committed_seq);
      if (s->last_error != NULL)
        g_print ("  last error: %s\n", s->last_error);
    }
  if (status->storage_error != NULL)
    {
      g_printerr ("twctl: %s\n", status->storage_error);
      return 1;
    }
  return 0;
}
