#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Shown where a value is missing. */
#define TW_CHART_NO_VALUE "\u2013"

const char *tw_chart_format_unit  (const char *unit);
char       *tw_chart_format_value (double      value,
                                   int         digits);

G_END_DECLS
