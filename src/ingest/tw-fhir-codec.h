#pragma once

#include <glib.h>

#include "tw-batch.h"
#include "tw-codec.h"

G_BEGIN_DECLS

TwDecodeResult tw_fhir_codec_decode (TwBatch      *batch,
                                     const char   *data,
                                     gsize         len,
                                     TwDecodeInfo *info);

G_END_DECLS
