#pragma once

#include <glib.h>

#include "tw-feed-params.h"
#include "tw-feed-patient.h"

G_BEGIN_DECLS

/**
 * TwFeedScenario:
 *
 * A demo scenario read from a JSON file (docs/scenarios.md): entities with
 * baselines and noise, a sample interval, an optional rate profile and a
 * timeline of ramps. Message n is a pure function of the scenario, the
 * feed's seed and start, and n, like the default stream, so resuming works.
 */
typedef struct _TwFeedScenario TwFeedScenario;

TwFeedScenario *tw_feed_scenario_load           (const char            *path,
                                                 GError               **error);
void            tw_feed_scenario_free           (TwFeedScenario        *scenario);
const char     *tw_feed_scenario_get_path       (const TwFeedScenario  *scenario);
const char     *tw_feed_scenario_get_name       (const TwFeedScenario  *scenario);
guint           tw_feed_scenario_get_n_entities (const TwFeedScenario  *scenario);
double          tw_feed_scenario_get_rate       (const TwFeedScenario  *scenario);
gboolean        tw_feed_scenario_is_clinical    (const TwFeedScenario  *scenario);
guint64         tw_feed_scenario_get_count      (const TwFeedScenario  *scenario,
                                                 const TwFeedParams    *params);
gint64          tw_feed_scenario_seq_time       (const TwFeedScenario  *scenario,
                                                 const TwFeedParams    *params,
                                                 guint64                seq);
char           *tw_feed_scenario_message        (const TwFeedScenario  *scenario,
                                                 const TwFeedParams    *params,
                                                 guint64                seq);
char           *tw_feed_scenario_announce       (const TwFeedScenario  *scenario,
                                                 guint                  index);
TwFeedPatient  *tw_feed_scenario_patient_new    (const TwFeedScenario  *scenario,
                                                 guint                  index);
guint           tw_feed_scenario_values         (const TwFeedScenario  *scenario,
                                                 const TwFeedParams    *params,
                                                 guint64                seq,
                                                 const char           **metrics,
                                                 char                 **texts,
                                                 guint                  max_values);

struct _TwFeedChart;
void            tw_feed_scenario_chart          (const TwFeedScenario  *scenario,
                                                 const TwFeedParams    *params,
                                                 guint                  index,
                                                 struct _TwFeedChart   *chart);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwFeedScenario, tw_feed_scenario_free)

G_END_DECLS
