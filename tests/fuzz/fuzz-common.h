#pragma once

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tw-codec.h"

/* What every decode must leave behind, whatever the input: findings the
 * fuzzer reports as crashes, not only memory errors. */
static inline void
tw_fuzz_check_batch (const TwBatch *batch,
                     TwDecodeResult result,
                     const TwDecodeInfo *info)
{
  if (result == TW_DECODE_REJECTED && (batch->rejects->len == 0 || info->reason == NULL))
    abort ();  /* a rejection without a reason: something disappeared */
  if (info->format == TW_FORMAT_AUTO && result != TW_DECODE_REJECTED)
    abort ();
  if (!g_utf8_validate (info->message_id, -1, NULL))
    abort ();

  for (guint i = 0; i < batch->samples->len; i++)
    {
      const TwSample *s = &g_array_index (batch->samples, TwSample, i);
      const TwMetricInfo *metric = tw_metric_lookup (s->metric);

      if (metric == NULL || !isfinite (s->value) || s->value < metric->plausible_min
          || s->value > metric->plausible_max || *s->entity == '\0'
          || !g_utf8_validate (s->entity, -1, NULL))
        abort ();
    }
  for (guint i = 0; i < batch->entities->len; i++)
    {
      const TwEntityInfo *e = &g_array_index (batch->entities, TwEntityInfo, i);

      if (*e->key == '\0' || !g_utf8_validate (e->key, -1, NULL)
          || (e->name != NULL && !g_utf8_validate (e->name, -1, NULL))
          || (e->mrn != NULL && !g_utf8_validate (e->mrn, -1, NULL))
          || (e->location != NULL && !g_utf8_validate (e->location, -1, NULL)))
        abort ();
    }
  for (guint i = 0; i < batch->rejects->len; i++)
    {
      const TwReject *r = batch->rejects->pdata[i];

      if (r->reason == NULL || *r->reason == '\0' || !g_utf8_validate (r->reason, -1, NULL)
          || g_bytes_get_size (r->raw) > TW_CODEC_MAX_QUARANTINE_BYTES)
        abort ();
    }
}

static inline void
tw_fuzz_decode (TwFormat       format,
                const uint8_t *data,
                size_t         size)
{
  g_autoptr(TwBatch) batch = tw_batch_new (1);
  TwDecodeInfo info;
  TwDecodeResult result;

  result = tw_codec_decode (batch, format, (const char *) data, size, &info);
  tw_fuzz_check_batch (batch, result, &info);
}
