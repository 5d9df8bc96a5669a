#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tw-batch-codec.h"

/* The spool's batch codec (tw-batch-codec.h): any bytes either decode to
 * a batch that encodes and decodes again, or fail with an error; never a
 * crash, a leak or a read outside the buffer. */

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBatch) batch = tw_batch_deserialize (bytes, &error);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(TwBatch) back = NULL;

  if (batch == NULL)
    {
      if (error == NULL || error->message == NULL || error->message[0] == '\0')
        abort ();  /* a refusal without a reason */
      return 0;
    }
  if (error != NULL)
    abort ();
  again = tw_batch_serialize (batch);
  back = tw_batch_deserialize (again, NULL);
  if (back == NULL || tw_batch_get_n_rows (back) != tw_batch_get_n_rows (batch))
    abort ();  /* what was accepted must survive its own encoding */
  return 0;
}
