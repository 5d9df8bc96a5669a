#include <string.h>

#include "fuzz-common.h"
#include "tw-hl7-codec.h"

/* The HL7 v2 codec, and what the MLLP source does with the same bytes:
 * build an ACK, split a batch file. */

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *ack = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  gsize total = 0;

  tw_fuzz_decode (TW_FORMAT_HL7V2, data, size);

  ack = tw_hl7_build_ack ((const char *) data, size, "AE", "fuzz \\ | ^ ~ &");
  if (ack == NULL || !g_str_has_prefix (ack, "MSH") || strstr (ack, "\rMSA") == NULL
      || !g_utf8_validate (ack, -1, NULL))
    abort ();

  messages = tw_hl7_split_batch ((const char *) data, size);
  for (guint i = 0; i < messages->len; i++)
    total += g_bytes_get_size (messages->pdata[i]);
  if (total > size)
    abort ();
  return 0;
}
