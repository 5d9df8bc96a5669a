#pragma once

#include <glib.h>

#include "tw-batch.h"

/* What the codec tests look at in a decoded batch, with a clear failure
 * when it is not there. */
static inline const char *
reject_reason (TwBatch *batch,
               guint    index)
{
  g_assert_cmpuint (batch->rejects->len, >, index);
  return ((TwReject *) batch->rejects->pdata[index])->reason;
}

static inline const TwSample *
sample (TwBatch *batch,
        guint    index)
{
  g_assert_cmpuint (batch->samples->len, >, index);
  return &g_array_index (batch->samples, TwSample, index);
}
