#pragma once

#include "tw-source.h"

G_BEGIN_DECLS

/* The constructor for a URL's scheme, or NULL with an error that names
 * the schemes Tidewatch knows. */
TwSourceNewFunc tw_source_registry_lookup (const char  *url,
                                           GError     **error);

G_END_DECLS
