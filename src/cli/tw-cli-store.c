#include "tw-cli-private.h"

/* Replaced by the proofs helper (issue 6): `twctl store check`. */
int
twctl_cmd_store (Twctl *self, int argc, char **argv)
{
  g_printerr ("twctl: store is not built yet\n");
  return EXIT_USAGE;
}
