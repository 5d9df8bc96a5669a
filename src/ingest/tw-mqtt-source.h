#pragma once

#include "tw-source.h"

G_BEGIN_DECLS

/* The form an MQTT address takes; shown in errors. */
#define TW_MQTT_URL_FORM \
  "mqtt://[user[:password]@]host[:port]/topic-filter (mqtts:// for TLS; " \
  "write # as %23 or use ?topic=)"

/**
 * tw_mqtt_source_new:
 * @url: `mqtt://[user[:password]@]host[:port]/topic-filter` or `mqtts://…`,
 *   with optional `?topic=`, `format=`, `client_id=`, `qos=0|1`, and for
 *   mqtts `cafile=` and `insecure=1`
 * @error: return location for a %TW_ERROR_INVALID_INPUT error naming what
 *   is wrong with @url
 *
 * An MQTT 3.1.1 subscription with a persistent session (clean session off,
 * a stable client id), so the broker queues what is published while
 * Tidewatch is away. Messages are acknowledged to the broker only once
 * they are committed to the store (docs/mqtt.md).
 *
 * Returns: (transfer full) (nullable): the source
 */
TwSource *tw_mqtt_source_new (const char  *url,
                              GError     **error);

G_END_DECLS
