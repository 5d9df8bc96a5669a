#pragma once

#include <glib.h>

#include "tw-metric.h"

G_BEGIN_DECLS

#define TW_LIMITS_FILENAME "limits.json"

/**
 * TwLimits:
 * The plausible range of each metric: a value outside it is a measurement
 * error (a probe off the finger) and goes to quarantine. The defaults are
 * the catalogue's; a JSON file (data/limits.json, or limits.json in the
 * data directory, which wins) lets a site change them without a rebuild,
 * and `twctl quarantine reprocess` applies a change to what was rejected.
 */
typedef struct _TwLimits TwLimits;

TwLimits   *tw_limits_new_default  (void);
TwLimits   *tw_limits_load         (const char      *path,
                                    GError         **error);
TwLimits   *tw_limits_load_for_data_dir (const char *data_dir,
                                         GError    **error);
void        tw_limits_get          (const TwLimits  *limits,
                                    const TwMetricInfo *metric,
                                    double          *out_min,
                                    double          *out_max);
char       *tw_limits_check        (const TwLimits  *limits,
                                    const TwMetricInfo *metric,
                                    double           value);
const char *tw_limits_get_origin   (const TwLimits  *limits);
void        tw_limits_free         (TwLimits        *limits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwLimits, tw_limits_free)

G_END_DECLS
