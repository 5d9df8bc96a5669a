#pragma once

#include <glib.h>

#include "tw-clinical.h"

G_BEGIN_DECLS

/**
 * TwSample:
 * One measurement. @entity and @metric point into the owning batch's string
 * chunk, so a batch of 10k samples costs a handful of allocations.
 */
typedef struct
{
  const char *entity;   /* external key of the patient/instrument, "P0001" */
  const char *metric;   /* catalogue code, "hr" (see tw-metric.h) */
  gint64      ts;       /* event time, µs since the epoch, UTC */
  double      value;    /* in the metric's catalogue unit */
} TwSample;

/**
 * TwEntityInfo:
 * Identity of an entity as the source announced it. Identity (name, MRN)
 * is protected health information: it lives only in the encrypted store.
 */
typedef struct
{
  const char *key;
  const char *kind;      /* "patient" */
  const char *name;      /* may be NULL */
  const char *mrn;       /* may be NULL */
  const char *location;  /* bed, may be NULL */
  const char *group;     /* ward, customer tier, portfolio; may be NULL (rule scopes) */
} TwEntityInfo;

/**
 * TwReject:
 * A message that could not be used; it goes to quarantine, never away.
 */
typedef struct
{
  char   *reason;
  GBytes *raw;
} TwReject;

typedef struct _TwBatch TwBatch;

/**
 * TwBatchDone:
 * @error: %NULL when the batch is committed, else why it was not
 *
 * Called on the engine thread once the batch's fate is known; sources
 * that must acknowledge only stored data (MLLP) marshal it to their own
 * thread.
 */
typedef void (*TwBatchDone) (TwBatch      *batch,
                             const GError *error,
                             gpointer      user_data);

/**
 * TwBatch:
 * What a source hands to the engine: the samples of one or more messages,
 * entity announcements, rejects, and the resume cursor that becomes valid
 * once all of it is committed.
 */
struct _TwBatch
{
  gint64        source_id;
  gint64        cursor_seq;    /* highest sequence number covered, -1 if none */
  guint         n_messages;    /* messages received for this batch */
  GStringChunk *strings;
  GArray       *samples;       /* TwSample */
  GArray       *entities;      /* TwEntityInfo */
  GPtrArray    *rejects;       /* TwReject* */
  GArray       *records;       /* TwClinicalRecord (ADT, FHIR resources) */
  gboolean      urgent;        /* a sender waits for this commit: do not wait 250 ms */
  const struct _TwLimits *limits;  /* plausible ranges to apply, NULL: the catalogue's */
  TwBatchDone   done;
  gpointer      done_data;
  GDestroyNotify done_destroy;
};

TwBatch    *tw_batch_new          (gint64        source_id);
void        tw_batch_free         (TwBatch      *batch);
const char *tw_batch_intern       (TwBatch      *batch,
                                   const char   *text);
void        tw_batch_add_sample   (TwBatch      *batch,
                                   const char   *entity,
                                   const char   *metric,
                                   gint64        ts,
                                   double        value);
void        tw_batch_add_entity   (TwBatch      *batch,
                                   const char   *kind,
                                   const char   *key,
                                   const char   *name,
                                   const char   *mrn,
                                   const char   *location);
/* The same with the entity's group (NULL: keep what is known). */
void        tw_batch_add_entity_in_group (TwBatch    *batch,
                                          const char *kind,
                                          const char *key,
                                          const char *name,
                                          const char *mrn,
                                          const char *location,
                                          const char *group);
/* Copies @record, interning its strings in the batch. */
void        tw_batch_add_record   (TwBatch                *batch,
                                   const TwClinicalRecord *record);
void        tw_batch_add_reject   (TwBatch      *batch,
                                   const char   *reason,
                                   const void   *raw,
                                   gsize         raw_len);
guint       tw_batch_get_n_rows   (const TwBatch *batch);
void        tw_batch_clear_rejects (TwBatch     *batch);
void        tw_batch_set_done     (TwBatch      *batch,
                                   TwBatchDone   done,
                                   gpointer      user_data,
                                   GDestroyNotify destroy);
void        tw_batch_complete     (TwBatch      *batch,
                                   const GError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwBatch, tw_batch_free)

G_END_DECLS
