/* twctl news2 | glucose-stats | forecast: the clinical calculators
 * (issue 5). Written by the analytics work; empty until then. */
#include "tw-cli-private.h"
