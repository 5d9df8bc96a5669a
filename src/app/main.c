#include "config.h"

#include <glib/gi18n.h>

#include "tw-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TwApplication) app = NULL;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Without a display GTK would abort; TwApplication checks with
   * gtk_init_check() once the options are parsed, so --help and --version
   * still work on a headless machine, and prints how to run under Xvfb. */
  app = tw_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
