#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>

#include "tw-error.h"
#include "tw-limits.h"

typedef struct
{
  double min;
  double max;
} Range;

struct _TwLimits
{
  GHashTable *ranges;   /* metric code → Range* (only overridden ones) */
  char       *origin;   /* the file they came from, or "built-in" */
};

TwLimits *
tw_limits_new_default (void)
{
  TwLimits *self = g_new0 (TwLimits, 1);

  self->ranges = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->origin = g_strdup ("built-in");
  return self;
}

void
tw_limits_free (TwLimits *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->ranges);
  g_free (self->origin);
  g_free (self);
}

const char *
tw_limits_get_origin (const TwLimits *self)
{
  return self != NULL ? self->origin : "built-in";
}

/**
 * tw_limits_load:
 * Reads `{"version":1,"plausible":{"spo2":{"min":40,"max":100},…}}`. A
 * metric that is not in the catalogue, a missing bound or min ≥ max is an
 * error naming the entry: a typo must not silently accept everything.
 */
TwLimits *
tw_limits_load (const char  *path,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(TwLimits) self = tw_limits_new_default ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) members = NULL;
  JsonNode *root;
  JsonObject *plausible;

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT, "Cannot read the limits in %s: %s",
                   path, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || json_object_get_int_member_with_default (json_node_get_object (root), "version", 0) != 1
      || !json_object_has_member (json_node_get_object (root), "plausible")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root),
                                                          "plausible")))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "%s is not a limits file (expected {\"version\": 1, \"plausible\": {…}})", path);
      return NULL;
    }
  plausible = json_object_get_object_member (json_node_get_object (root), "plausible");
  members = json_object_get_members (plausible);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *code = l->data;
      JsonNode *node = json_object_get_member (plausible, code);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      Range range;

      if (tw_metric_lookup (code) == NULL)
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "%s: “%s” is not a metric Tidewatch knows", path, code);
          return NULL;
        }
      if (entry == NULL || !json_object_has_member (entry, "min")
          || !json_object_has_member (entry, "max"))
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "%s: “%s” needs a \"min\" and a \"max\"", path, code);
          return NULL;
        }
      range.min = json_object_get_double_member (entry, "min");
      range.max = json_object_get_double_member (entry, "max");
      if (!isfinite (range.min) || !isfinite (range.max) || range.min >= range.max)
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "%s: “%s” has min %g and max %g; min must be below max", path, code,
                       range.min, range.max);
          return NULL;
        }
      g_hash_table_insert (self->ranges, g_strdup (code), g_memdup2 (&range, sizeof range));
    }
  g_free (self->origin);
  self->origin = g_strdup (path);
  return g_steal_pointer (&self);
}

/**
 * tw_limits_load_for_data_dir:
 * The site's limits: limits.json in the data directory when it exists,
 * else the installed data/limits.json, else the catalogue's. A broken
 * file is an error, never a silent fallback.
 */
TwLimits *
tw_limits_load_for_data_dir (const char  *data_dir,
                             GError     **error)
{
  g_autofree char *site = g_build_filename (data_dir, TW_LIMITS_FILENAME, NULL);
  g_autofree char *installed = g_build_filename (PKGDATADIR, TW_LIMITS_FILENAME, NULL);
  g_autofree char *source = g_build_filename (SOURCE_DATADIR, TW_LIMITS_FILENAME, NULL);
  const char *candidates[] = { site, installed, source };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      return tw_limits_load (candidates[i], error);
  return tw_limits_new_default ();
}

void
tw_limits_get (const TwLimits     *self,
               const TwMetricInfo *metric,
               double             *out_min,
               double             *out_max)
{
  const Range *range = self != NULL ? g_hash_table_lookup (self->ranges, metric->code) : NULL;

  *out_min = range != NULL ? range->min : metric->plausible_min;
  *out_max = range != NULL ? range->max : metric->plausible_max;
}

/* Returns NULL when plausible, else the reason. */
char *
tw_limits_check (const TwLimits     *self,
                 const TwMetricInfo *metric,
                 double              value)
{
  double min, max;

  tw_limits_get (self, metric, &min, &max);
  if (isfinite (value) && value >= min && value <= max)
    return NULL;
  return g_strdup_printf ("%s = %g %s is outside the plausible range %g\u2013%g", metric->code,
                          value, metric->unit, min, max);
}
