#include "tw-feed-scenario-private.h"

#include <json-glib/json-glib.h>
#include <math.h>

#include "tw-clinical-ingest.h"
#include "tw-error.h"
#include "tw-feed-chart.h"
#include "tw-feed-message.h"

#define DEFAULT_CUSTOMERS_PER_STORE 50
#define MAX_ENTITY_ID_CHARS         64

/* The entity kind each message kind speaks for. */
static const struct
{
  const char           *name;
  TwFeedScenarioMessage message;
  const char           *kind;
  const char           *required_metric;
} message_kinds[] = {
  { "vitals", TW_FEED_SCENARIO_VITALS, "patient",    NULL },
  { "tick",   TW_FEED_SCENARIO_TICK,   "instrument", "price" },
  { "order",  TW_FEED_SCENARIO_ORDER,  "store",      "order_amount" },
};

static gboolean G_GNUC_PRINTF (3, 4)
fail (GError         **error,
      const TwFeedScenario *self,
      const char      *format,
      ...)
{
  g_autofree char *problem = NULL;
  va_list args;

  va_start (args, format);
  problem = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
               "scenario %s: %s (see docs/scenarios.md)", self->path, problem);
  return FALSE;
}

static gboolean
read_number (JsonObject *obj,
             const char *member,
             double     *out)
{
  JsonNode *node = json_object_get_member (obj, member);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *out = json_node_get_double (node);
  return isfinite (*out);
}

static const char *
read_string (JsonObject *obj,
             const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
read_array (JsonObject *obj,
            const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* Returns: the catalogue index of @code, or -1 */
static int
metric_index (const char *code)
{
  guint n;
  const TwMetricInfo *all = tw_metric_get_all (&n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (all[i].code, code))
      return (int) i;
  return -1;
}

static int
entity_index (const TwFeedScenario *self,
              const char           *id)
{
  for (guint i = 0; i < self->entities->len; i++)
    if (g_str_equal (g_array_index (self->entities, TwFeedScenarioEntity, i).id, id))
      return (int) i;
  return -1;
}

static gboolean
read_metric_map (TwFeedScenario       *self,
                 JsonObject           *entity_obj,
                 const char           *member,
                 TwFeedScenarioEntity *entity,
                 double               *values,
                 gboolean              defines,
                 GError              **error)
{
  JsonNode *node = json_object_get_member (entity_obj, member);
  JsonObjectIter iter;
  const char *code;
  JsonNode *value;

  if (node == NULL)
    return defines ? fail (error, self, "entity %s has no \"%s\" object", entity->id, member)
                   : TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, self, "\"%s\" of entity %s must be an object", member, entity->id);

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &code, &value))
    {
      int m = metric_index (code);

      if (m < 0)
        return fail (error, self, "%s.%s of entity %s is not a catalogue metric",
                     member, code, entity->id);
      if (!JSON_NODE_HOLDS_VALUE (value)
          || (json_node_get_value_type (value) != G_TYPE_INT64
              && json_node_get_value_type (value) != G_TYPE_DOUBLE))
        return fail (error, self, "%s.%s of entity %s is not a number", member, code, entity->id);
      if (!defines && !entity->has[m])
        return fail (error, self, "entity %s has noise for %s but no baseline", entity->id, code);
      values[m] = json_node_get_double (value);
      if (defines)
        entity->has[m] = TRUE;
    }
  return TRUE;
}

static void
entity_clear (gpointer data)
{
  TwFeedScenarioEntity *entity = data;

  g_free (entity->id);
  g_free (entity->kind);
  g_free (entity->name);
  g_free (entity->mrn);
  g_free (entity->location);
  g_free (entity->birth_date);
  g_free (entity->sex);
  g_clear_pointer (&entity->records, json_node_unref);
}

static gboolean read_chart (TwFeedScenario       *self,
                            JsonObject           *obj,
                            TwFeedScenarioEntity *entity,
                            GError              **error);

static gboolean
read_entities (TwFeedScenario *self,
               JsonObject     *root,
               const char     *kind,
               const char     *required_metric,
               GError        **error)
{
  JsonArray *array = read_array (root, "entities");
  guint n = array != NULL ? json_array_get_length (array) : 0;

  if (n == 0 || n > TW_FEED_MAX_PATIENTS)
    return fail (error, self, "\"entities\" must be an array of 1 to %d objects",
                 TW_FEED_MAX_PATIENTS);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      TwFeedScenarioEntity entity = { 0 };
      TwFeedScenarioEntity *stored;
      JsonObject *obj;
      const char *id;
      const char *entity_kind;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return fail (error, self, "entities[%u] is not an object", i);
      obj = json_node_get_object (node);
      id = read_string (obj, "id");
      if (id == NULL || *id == '\0' || g_utf8_strlen (id, -1) > MAX_ENTITY_ID_CHARS)
        return fail (error, self, "entities[%u] needs an \"id\" of 1 to %d characters", i,
                     MAX_ENTITY_ID_CHARS);
      if (entity_index (self, id) >= 0)
        return fail (error, self, "entity id %s is used twice", id);
      entity_kind = read_string (obj, "kind");
      if (g_strcmp0 (entity_kind != NULL ? entity_kind : kind, kind) != 0)
        return fail (error, self, "entity %s is a %s, but these messages are for a %s",
                     id, entity_kind, kind);

      entity.id = g_strdup (id);
      entity.kind = g_strdup (kind);
      entity.name = g_strdup (read_string (obj, "name") ? read_string (obj, "name") : id);
      entity.mrn = g_strdup (read_string (obj, "mrn"));
      entity.location = g_strdup (read_string (obj, "location"));
      /* The array owns the strings from here on, also on failure. */
      g_array_append_val (self->entities, entity);
      stored = &g_array_index (self->entities, TwFeedScenarioEntity, i);
      if (!read_metric_map (self, obj, "baseline", stored, stored->baseline, TRUE, error)
          || !read_metric_map (self, obj, "noise", stored, stored->noise, FALSE, error))
        return FALSE;
      if (required_metric != NULL && !stored->has[metric_index (required_metric)])
        return fail (error, self, "entity %s needs a baseline for %s", id, required_metric);
      if (g_str_equal (kind, "patient") && (stored->mrn == NULL || stored->location == NULL))
        return fail (error, self, "patient %s needs an \"mrn\" and a \"location\" (bed)", id);
      if (!read_chart (self, obj, stored, error))
        return FALSE;
    }
  return TRUE;
}

/* Record members that are strings, and where they go. */
static const struct
{
  const char *member;
  gsize       offset;
} record_strings[] = {
  { "ref",    G_STRUCT_OFFSET (TwClinicalRecord, ref) },
  { "code",   G_STRUCT_OFFSET (TwClinicalRecord, code) },
  { "text",   G_STRUCT_OFFSET (TwClinicalRecord, text) },
  { "detail", G_STRUCT_OFFSET (TwClinicalRecord, detail) },
  { "status", G_STRUCT_OFFSET (TwClinicalRecord, status) },
  { "ward",   G_STRUCT_OFFSET (TwClinicalRecord, ward) },
  { "bed",    G_STRUCT_OFFSET (TwClinicalRecord, bed) },
};

/* Record @i of @entity at a feed starting at @start_usec; FALSE when the
 * object is not a record (only while loading, where it is reported). */
static gboolean
scenario_record (const TwFeedScenarioEntity *entity,
                 JsonObject                 *obj,
                 guint                       i,
                 gint64                      start_usec,
                 TwClinicalRecord           *record,
                 char                      **ref)
{
  double at_s = 0, end_s = 0;

  *record = (TwClinicalRecord) { .entity = entity->id };
  if (!tw_clinical_kind_from_string (read_string (obj, "kind"), &record->kind)
      || record->kind == TW_CLINICAL_DEMOGRAPHICS)
    return FALSE;
  for (guint m = 0; m < G_N_ELEMENTS (record_strings); m++)
    G_STRUCT_MEMBER (const char *, record, record_strings[m].offset)
      = read_string (obj, record_strings[m].member);
  if (read_number (obj, "at_s", &at_s))
    record->ts = start_usec + (gint64) round (at_s * G_USEC_PER_SEC);
  if (read_number (obj, "end_s", &end_s))
    record->end_ts = start_usec + (gint64) round (end_s * G_USEC_PER_SEC);
  if (record->ref == NULL)
    record->ref = *ref = g_strdup_printf ("%s-%s-%u", entity->id, read_string (obj, "kind"), i + 1);
  return TRUE;
}

/* "birth_date", "sex" and "records" of a patient (docs/scenarios.md),
 * checked like a receiver would check them, at the start of a week. */
static gboolean
read_chart (TwFeedScenario       *self,
            JsonObject           *obj,
            TwFeedScenarioEntity *entity,
            GError              **error)
{
  JsonArray *records = read_array (obj, "records");
  const gint64 check_start = G_GINT64_CONSTANT (1767225600000000);  /* 2026-01-01 */

  entity->birth_date = g_strdup (read_string (obj, "birth_date"));
  entity->sex = g_strdup (read_string (obj, "sex"));
  if (entity->birth_date != NULL || entity->sex != NULL)
    {
      TwClinicalRecord demographics = { .kind = TW_CLINICAL_DEMOGRAPHICS, .entity = entity->id,
                                        .birth_date = entity->birth_date, .sex = entity->sex };
      g_autofree char *problem = tw_clinical_record_check (&demographics);

      if (problem != NULL)
        return fail (error, self, "entity %s: %s", entity->id, problem);
    }
  if (json_object_has_member (obj, "records") && records == NULL)
    return fail (error, self, "\"records\" of entity %s must be an array", entity->id);
  for (guint i = 0; records != NULL && i < json_array_get_length (records); i++)
    {
      JsonNode *node = json_array_get_element (records, i);
      g_autofree char *ref = NULL;
      g_autofree char *problem = NULL;
      TwClinicalRecord record;

      if (!JSON_NODE_HOLDS_OBJECT (node)
          || !scenario_record (entity, json_node_get_object (node), i, check_start, &record, &ref))
        return fail (error, self, "records[%u] of entity %s needs a \"kind\": admission, "
                     "transfer, discharge, diagnosis, treatment, prescription, allergy or "
                     "history", i, entity->id);
      if ((problem = tw_clinical_record_check (&record)) != NULL)
        return fail (error, self, "records[%u] of entity %s: %s", i, entity->id, problem);
    }
  if (records != NULL)
    entity->records = json_node_copy (json_object_get_member (obj, "records"));
  return TRUE;
}

/**
 * tw_feed_scenario_chart:
 * @params: the feed's parameters (the start dates the records)
 * @index: an entity's index
 * @chart: gets the entity's demographics and records
 */
void
tw_feed_scenario_chart (const TwFeedScenario *self,
                        const TwFeedParams   *params,
                        guint                 index,
                        TwFeedChart          *chart)
{
  const TwFeedScenarioEntity *entity;
  JsonArray *records;

  g_return_if_fail (index < self->entities->len);

  entity = &g_array_index (self->entities, TwFeedScenarioEntity, index);
  if (entity->birth_date != NULL || entity->sex != NULL)
    {
      TwClinicalRecord demographics = { .kind = TW_CLINICAL_DEMOGRAPHICS, .entity = entity->id,
                                        .ref = "demographics", .birth_date = entity->birth_date,
                                        .sex = entity->sex };

      tw_feed_chart_add (chart, &demographics);
    }
  records = entity->records != NULL ? json_node_get_array (entity->records) : NULL;
  for (guint i = 0; records != NULL && i < json_array_get_length (records); i++)
    {
      g_autofree char *ref = NULL;
      TwClinicalRecord record;

      if (scenario_record (entity, json_node_get_object (json_array_get_element (records, i)),
                           i, params->start_usec, &record, &ref))
        tw_feed_chart_add (chart, &record);
    }
}

static gboolean
read_timeline (TwFeedScenario *self,
               JsonObject     *root,
               GError        **error)
{
  JsonArray *array = read_array (root, "timeline");
  guint n = array != NULL ? json_array_get_length (array) : 0;

  if (json_object_has_member (root, "timeline") && array == NULL)
    return fail (error, self, "\"timeline\" must be an array");

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      TwFeedScenarioChange change = { 0 };
      const char *entity;
      const char *metric;
      JsonObject *obj;
      int m;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return fail (error, self, "timeline[%u] is not an object", i);
      obj = json_node_get_object (node);
      entity = read_string (obj, "entity");
      metric = read_string (obj, "metric");
      change.entity = entity != NULL && !g_str_equal (entity, "*") ? entity_index (self, entity) : -1;
      if (entity == NULL || (change.entity < 0 && !g_str_equal (entity, "*")))
        return fail (error, self, "timeline[%u] needs an \"entity\": an entity id or \"*\"", i);
      m = metric != NULL ? metric_index (metric) : -1;
      if (m < 0)
        return fail (error, self, "timeline[%u] needs a catalogue \"metric\"", i);
      change.metric = (guint) m;
      if (!read_number (obj, "from_s", &change.from_s) || change.from_s < 0)
        return fail (error, self, "timeline[%u] needs \"from_s\" ≥ 0", i);
      if (!read_number (obj, "to_s", &change.to_s))
        change.to_s = change.from_s;
      if (change.to_s < change.from_s)
        return fail (error, self, "timeline[%u] ends (to_s) before it starts (from_s)", i);
      if (!read_number (obj, "delta", &change.delta)
          && !read_number (obj, "percent", &change.percent))
        return fail (error, self, "timeline[%u] needs a \"delta\" or a \"percent\"", i);
      read_number (obj, "percent", &change.percent);
      g_array_append_val (self->changes, change);
    }
  return TRUE;
}

static gboolean
read_rate (TwFeedScenario *self,
           JsonObject     *root,
           GError        **error)
{
  JsonArray *array = read_array (root, "rate");
  guint n = array != NULL ? json_array_get_length (array) : 0;
  TwFeedScenarioRatePoint point = { 0.0, 1.0 };

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      double previous = point.at_s;

      if (!JSON_NODE_HOLDS_OBJECT (node)
          || !read_number (json_node_get_object (node), "at_s", &point.at_s)
          || !read_number (json_node_get_object (node), "factor", &point.factor)
          || point.factor <= 0 || point.at_s < previous || (i == 0 && point.at_s != 0))
        return fail (error, self, "rate[%u] needs \"at_s\" (0 first, then increasing) and a "
                     "\"factor\" > 0", i);
      g_array_append_val (self->rate_points, point);
    }
  if (n == 0)
    g_array_append_val (self->rate_points, point);
  return TRUE;
}

static gboolean
read_root (TwFeedScenario *self,
           JsonObject     *root,
           GError        **error)
{
  const char *message = read_string (root, "message");
  double customers = DEFAULT_CUSTOMERS_PER_STORE;
  int kind = -1;

  self->name = g_strdup (read_string (root, "name"));
  if (self->name == NULL)
    return fail (error, self, "\"name\" is missing");
  for (guint i = 0; i < G_N_ELEMENTS (message_kinds); i++)
    if (g_strcmp0 (message, message_kinds[i].name) == 0)
      kind = (int) i;
  if (kind < 0)
    return fail (error, self, "\"message\" must be \"vitals\", \"tick\" or \"order\"");
  self->message = message_kinds[kind].message;
  if (!read_number (root, "interval_s", &self->interval_s)
      || self->interval_s < 1.0 / TW_FEED_MAX_RATE || self->interval_s > 1.0 / TW_FEED_MIN_RATE)
    return fail (error, self, "\"interval_s\" must be between %g and %g seconds",
                 1.0 / TW_FEED_MAX_RATE, 1.0 / TW_FEED_MIN_RATE);
  if (!read_number (root, "duration_s", &self->duration_s) || self->duration_s <= 0)
    return fail (error, self, "\"duration_s\" must be a positive number of seconds");
  if (json_object_has_member (root, "customers_per_store")
      && (!read_number (root, "customers_per_store", &customers) || customers < 1
          || customers != floor (customers)))
    return fail (error, self, "\"customers_per_store\" must be a positive integer");
  self->customers_per_store = (guint) customers;

  return read_entities (self, root, message_kinds[kind].kind, message_kinds[kind].required_metric,
                        error)
         && read_timeline (self, root, error)
         && read_rate (self, root, error);
}

/**
 * tw_feed_scenario_load:
 * @path: a scenario file
 * @error: return location for a %TW_ERROR_INVALID_INPUT error naming the
 *   file and what is wrong in it
 *
 * Returns: (transfer full) (nullable): the scenario
 */
TwFeedScenario *
tw_feed_scenario_load (const char *path,
                       GError    **error)
{
  g_autoptr(TwFeedScenario) self = g_new0 (TwFeedScenario, 1);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (path != NULL, NULL);

  self->path = g_strdup (path);
  self->entities = g_array_new (FALSE, TRUE, sizeof (TwFeedScenarioEntity));
  g_array_set_clear_func (self->entities, entity_clear);
  self->changes = g_array_new (FALSE, TRUE, sizeof (TwFeedScenarioChange));
  self->rate_points = g_array_new (FALSE, TRUE, sizeof (TwFeedScenarioRatePoint));

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      fail (error, self, "cannot be read: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (error, self, "is not a JSON object");
      return NULL;
    }
  if (!read_root (self, json_node_get_object (root), error))
    return NULL;
  return g_steal_pointer (&self);
}

void
tw_feed_scenario_free (TwFeedScenario *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->name);
  g_clear_pointer (&self->entities, g_array_unref);
  g_clear_pointer (&self->changes, g_array_unref);
  g_clear_pointer (&self->rate_points, g_array_unref);
  g_free (self);
}

const char *
tw_feed_scenario_get_path (const TwFeedScenario *self)
{
  return self->path;
}

const char *
tw_feed_scenario_get_name (const TwFeedScenario *self)
{
  return self->name;
}

guint
tw_feed_scenario_get_n_entities (const TwFeedScenario *self)
{
  return self->entities->len;
}

/* Returns: ticks per second before the rate profile, the feed's --rate */
double
tw_feed_scenario_get_rate (const TwFeedScenario *self)
{
  return 1.0 / self->interval_s;
}

/* Returns: whether the scenario's messages can be HL7 v2 (patients only) */
gboolean
tw_feed_scenario_is_clinical (const TwFeedScenario *self)
{
  return self->message == TW_FEED_SCENARIO_VITALS;
}

/**
 * tw_feed_scenario_announce:
 * @index: an entity's index
 *
 * Returns: (transfer full) (nullable): the `patient` message announcing a
 *   patient, or %NULL for entities that need no announcement (their
 *   messages carry their kind)
 */
char *
tw_feed_scenario_announce (const TwFeedScenario *self,
                           guint                 index)
{
  g_autoptr(TwFeedPatient) patient = NULL;

  if (self->message != TW_FEED_SCENARIO_VITALS)
    return NULL;
  patient = tw_feed_scenario_patient_new (self, index);
  return tw_feed_message_patient (patient);
}

/* Returns: (transfer full): the identity of entity @index */
TwFeedPatient *
tw_feed_scenario_patient_new (const TwFeedScenario *self,
                              guint                 index)
{
  const TwFeedScenarioEntity *entity;
  TwFeedPatient *patient;

  g_return_val_if_fail (index < self->entities->len, NULL);

  entity = &g_array_index (self->entities, TwFeedScenarioEntity, index);
  patient = g_new0 (TwFeedPatient, 1);
  patient->id = g_strdup (entity->id);
  patient->mrn = g_strdup (entity->mrn != NULL ? entity->mrn : "");
  patient->name = g_strdup (entity->name);
  patient->bed = g_strdup (entity->location != NULL ? entity->location : "");
  return patient;
}
