#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tw-cli-secret.h"
#include "tw-error.h"

#define SECRET_MAX_BYTES 4096

struct _TwCliSecrets
{
  FILE *tty;
};

TwCliSecrets *
tw_cli_secrets_new (void)
{
  TwCliSecrets *self = g_new0 (TwCliSecrets, 1);

  if (isatty (STDIN_FILENO))
    self->tty = fopen ("/dev/tty", "r+");
  return self;
}

void
tw_cli_secrets_free (TwCliSecrets *self)
{
  if (self == NULL)
    return;
  if (self->tty != NULL)
    fclose (self->tty);
  g_free (self);
}

void
tw_cli_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  sodium_memzero (secret, strlen (secret));
  g_free (secret);
}

static char *
chomp_line (char *buffer)
{
  gsize len = strlen (buffer);

  while (len > 0 && (buffer[len - 1] == '\n' || buffer[len - 1] == '\r'))
    buffer[--len] = '\0';
  return g_strdup (buffer);
}

/* Reads one line from @stream into a buffer that is wiped afterwards. */
static char *
read_line (FILE     *stream,
           gboolean  no_echo)
{
  char buffer[SECRET_MAX_BYTES];
  struct termios saved, quiet;
  gboolean restored = FALSE;
  char *line = NULL;

  if (no_echo && tcgetattr (fileno (stream), &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (fileno (stream), TCSAFLUSH, &quiet);
      restored = TRUE;
    }
  if (fgets (buffer, sizeof buffer, stream) != NULL)
    line = chomp_line (buffer);
  if (restored)
    {
      tcsetattr (fileno (stream), TCSAFLUSH, &saved);
      fputs ("\n", stream);
    }
  sodium_memzero (buffer, sizeof buffer);
  return line;
}

static char *
read_from_file (const char  *file,
                GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  char *newline;
  char *secret;

  if (!g_file_get_contents (file, &contents, &len, error))
    return NULL;
  newline = strpbrk (contents, "\r\n");
  if (newline != NULL)
    *newline = '\0';
  secret = g_strdup (contents);
  sodium_memzero (contents, len);
  return secret;
}

char *
tw_cli_secrets_read_line (TwCliSecrets  *self,
                          const char    *prompt,
                          GError       **error)
{
  char *line;

  if (self->tty != NULL)
    {
      fputs (prompt, self->tty);
      fflush (self->tty);
      line = read_line (self->tty, FALSE);
    }
  else
    {
      line = read_line (stdin, FALSE);
    }
  if (line == NULL)
    g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                 "No answer to “%s” on standard input", prompt);
  return line;
}

char *
tw_cli_secrets_read (TwCliSecrets  *self,
                     const char    *file,
                     const char    *prompt,
                     gboolean       confirm,
                     GError       **error)
{
  char *first;
  char *second;

  if (file != NULL)
    return read_from_file (file, error);

  if (self->tty == NULL)
    {
      first = read_line (stdin, FALSE);
      if (first == NULL)
        g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                     "%s: standard input ended before a password was read (give one per line, "
                     "or use a password file)", prompt);
      return first;
    }

  fputs (prompt, self->tty);
  fflush (self->tty);
  first = read_line (self->tty, TRUE);
  if (first == NULL || !confirm)
    {
      if (first == NULL)
        g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT, "No password entered");
      return first;
    }

  fputs ("Repeat it: ", self->tty);
  fflush (self->tty);
  second = read_line (self->tty, TRUE);
  if (second == NULL || !g_str_equal (first, second))
    {
      tw_cli_secret_free (first);
      tw_cli_secret_free (second);
      g_set_error_literal (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                           "The two passwords differ; nothing was changed");
      return NULL;
    }
  tw_cli_secret_free (second);
  return first;
}
