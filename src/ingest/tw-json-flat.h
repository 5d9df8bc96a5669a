#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The fast path of the native codec: a flat JSON object (string, number,
 * true, false and null members; no escapes) as streams send it thousands
 * of times a second. Anything else returns NULL — not an error: the caller
 * then parses with json-glib, which also words the errors. */
JsonObject *tw_json_flat_parse (const char *data,
                                gsize       len);

G_END_DECLS
