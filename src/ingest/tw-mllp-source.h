#pragma once

#include "tw-source.h"

G_BEGIN_DECLS

/* The IANA port of HL7 over MLLP, used when an address names none. */
#define TW_MLLP_DEFAULT_PORT 2575

/* HL7 v2 over MLLP as a listener (mllp-listen://ADDRESS:PORT): any number
 * of senders connect and push messages. Each message is acknowledged only
 * once its data (or its quarantine entry) is committed: MSA|AA for stored,
 * AR with the reason for a message that cannot be used, AE when the store
 * dropped the batch. HL7 has no resume cursor: a sender resends what it
 * has no ACK for, and idempotent writes make that safe. */
TwSource *tw_mllp_listen_source_new (const char  *url,
                                     GError     **error);

/* The same over one connection to an interface engine that sends
 * (mllp://HOST:PORT), reconnecting with backoff when it goes away. */
TwSource *tw_mllp_source_new        (const char  *url,
                                     GError     **error);

G_END_DECLS
