#pragma once

#include <gio/gio.h>

#include "tw-source.h"

G_BEGIN_DECLS

/**
 * TwProbeResult:
 * What a short trial connection found: whether the address answers, and
 * whether what arrives can be decoded. Nothing is stored.
 */
typedef struct
{
  gboolean  reachable;
  guint     messages;      /* messages received */
  guint     samples;       /* samples decoded from them */
  guint     rejected;      /* messages that would go to quarantine */
  char     *first_reject;  /* the first reason, or NULL */
  char     *error;         /* why it is not reachable, or NULL */
} TwProbeResult;

/* Blocking (up to @timeout_ms): run it in a worker thread. */
TwProbeResult *tw_source_probe        (const char    *url,
                                       guint          timeout_ms,
                                       GCancellable  *cancellable,
                                       GError       **error);
char          *tw_probe_result_describe (const TwProbeResult *result);
void           tw_probe_result_free   (TwProbeResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwProbeResult, tw_probe_result_free)

G_END_DECLS
