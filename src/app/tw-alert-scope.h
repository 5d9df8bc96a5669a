#pragma once

#include <glib.h>

#include "tw-pipeline.h"

G_BEGIN_DECLS

/* A copy of @raw with only the alerts whose entity key is in @visible
 * (a set of keys; NULL keeps every alert), its counts and newest high
 * alert recomputed. Ward scope (issue 6): the engine's board holds every
 * ward's alerts; a clinician's console, banner and notifications show those
 * of the patients their own (scoped) store connection lists. */
TwAlertSnapshot *tw_alert_snapshot_scoped (const TwAlertSnapshot *raw,
                                           GHashTable            *visible);

/* For roles without identity: the engine's messages begin with the
 * source's entity key ("P0008: glucose 52 mg/dL", often an MRN). Drops
 * that prefix and replaces any other mention by "patient", in place; the
 * alerts' entity_key stays (the console maps it to a pseudonym). */
void             tw_alert_snapshot_mask_messages (TwAlertSnapshot *snapshot);

G_END_DECLS
