#include "tw-cli-private.h"

/* Replaced by the audit helper (issue 6): `twctl audit verify|list|export`. */
int
twctl_cmd_audit (Twctl *self, int argc, char **argv)
{
  g_printerr ("twctl: audit is not built yet\n");
  return EXIT_USAGE;
}
