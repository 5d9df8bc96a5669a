#include "fuzz-common.h"

/* The native JSON codec, and auto-detection on the same bytes. */

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  tw_fuzz_decode (TW_FORMAT_NATIVE_JSON, data, size);
  tw_fuzz_decode (TW_FORMAT_AUTO, data, size);
  return 0;
}
