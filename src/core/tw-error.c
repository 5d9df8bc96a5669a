#include "tw-error.h"

G_DEFINE_QUARK (tw-error-quark, tw_error)
