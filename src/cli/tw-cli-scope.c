#include "tw-cli-private.h"

/* Replaced by the scope helper (issue 6): `twctl wards`, `twctl break-glass`. */
int
twctl_cmd_wards (Twctl *self, int argc, char **argv)
{
  g_printerr ("twctl: wards is not built yet\n");
  return EXIT_USAGE;
}

int
twctl_cmd_break_glass (Twctl *self, int argc, char **argv)
{
  g_printerr ("twctl: break-glass is not built yet\n");
  return EXIT_USAGE;
}
