#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  tw_fuzz_decode (TW_FORMAT_FHIR_JSON, data, size);
  return 0;
}
