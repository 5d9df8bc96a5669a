#pragma once

#include "tw-source.h"

G_BEGIN_DECLS

/* Replays a file for backfill: NDJSON (one message per line, any format),
 * a single JSON document (a FHIR Bundle), or an HL7 v2 batch file. The
 * cursor is the message's position in the file, so replaying a file again
 * resumes where it stopped and never stores anything twice. */
TwSource *tw_file_source_new (const char  *url,
                              GError     **error);

G_END_DECLS
