#include <glib.h>

int
main (int argc, char **argv)
{
  g_printerr ("tidewatch-feed: under construction\n");
  return 1;
}
