#include <glib.h>

int
main (int argc, char **argv)
{
  g_printerr ("twctl: under construction\n");
  return 1;
}
