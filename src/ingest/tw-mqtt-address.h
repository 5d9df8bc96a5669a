#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TwMqttAddress:
 * The settings an MQTT source address names, read and checked.
 */
typedef struct
{
  gboolean  tls;
  char     *host;
  int       port;
  char     *user;
  char     *password;
  char     *topic;
  char     *client_id;
  int       qos;
  char     *cafile;
  gboolean  insecure;
  gboolean  clean;     /* a throwaway session (probes), never for ingest */
} TwMqttAddress;

TwMqttAddress *tw_mqtt_address_parse (const char     *url,
                                      GError        **error);
void           tw_mqtt_address_free  (TwMqttAddress  *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwMqttAddress, tw_mqtt_address_free)

G_END_DECLS
