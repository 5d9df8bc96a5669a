#include <string.h>

#include "tw-error.h"
#include "tw-file-source.h"
#include "tw-mllp-source.h"
#include "tw-mqtt-source.h"
#include "tw-source-registry.h"
#include "tw-sse-source.h"
#include "tw-ws-source.h"

typedef struct
{
  const char      *scheme;
  TwSourceNewFunc  constructor;
} TwSourceKind;

/* One line per source kind. A URL's scheme names its kind. */
static const TwSourceKind kinds[] = {
  { "ws",   tw_ws_source_new },
  { "wss",  tw_ws_source_new },
  { "http", tw_sse_source_new },
  { "https", tw_sse_source_new },
  { "file", tw_file_source_new },
  { "mllp", tw_mllp_source_new },
  { "mllp-listen", tw_mllp_listen_source_new },
  { "mqtt", tw_mqtt_source_new },
  { "mqtts", tw_mqtt_source_new },
};

#define KNOWN_SCHEMES "ws://, wss://, http://, https://, mllp://, mllp-listen://, mqtt://, mqtts://, file:// or a file path"

TwSourceNewFunc
tw_source_registry_lookup (const char  *url,
                           GError     **error)
{
  g_autofree char *scheme = g_uri_parse_scheme (url);

  /* A plain path is a file to replay. */
  if (scheme == NULL && (url[0] == '/' || url[0] == '.' || strchr (url, ':') == NULL))
    return tw_file_source_new;

  for (guint i = 0; scheme != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (g_ascii_strcasecmp (scheme, kinds[i].scheme) == 0)
      return kinds[i].constructor;

  g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
               "‘%s’ is not a source address Tidewatch knows; use " KNOWN_SCHEMES, url);
  return NULL;
}
