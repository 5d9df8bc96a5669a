#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One stored sample as the charts and queries see it. */
typedef struct
{
  gint64 ts;     /* µs since the epoch, UTC */
  double value;
} TwPoint;

G_END_DECLS
