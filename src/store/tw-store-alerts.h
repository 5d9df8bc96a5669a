#pragma once

#include "tw-alert.h"
#include "tw-store.h"

G_BEGIN_DECLS

/**
 * TwAlertRecord:
 * An alert as stored. Open alerts are rows whose state is not "closed"; a
 * closed alert keeps its row (state CLOSED) for the history.
 * @group, @source_id and the evidence window repeat the TwAlert's own
 * fields (tw_alert_record_new() copies them; the store reads and writes
 * the TwAlert's): kept here so callers written before the board carried
 * them keep working.
 *
 * All times are wall-clock µs since the epoch (tw-time.h), including the
 * TwAlert's *_us fields: the pipeline drives its board with wall time so a
 * restored alert keeps its age.
 */
typedef struct
{
  TwAlert *alert;              /* owned */
  char    *group;              /* the entity's ward / tier / portfolio, NULL: none */
  gint64   source_id;          /* the source whose samples raised it, 0: unknown */
  gint64   evidence_from_ts;   /* event-time window behind the alert, 0: unknown */
  gint64   evidence_to_ts;
} TwAlertRecord;

/**
 * TwAlertTransitionRow:
 * One stored transition (tw-alert.h's TwAlertTransition with its row id).
 */
typedef struct
{
  gint64        id;
  guint64       alert_id;
  TwAlertState  from;
  TwAlertState  to;
  char         *who;           /* NULL: the board itself */
  gint64        at;            /* wall µs */
  char         *note;          /* NULL: none */
} TwAlertTransitionRow;

TwAlertRecord *tw_alert_record_new  (const TwAlert       *alert);   /* copies @alert */
TwAlertRecord *tw_alert_record_copy (const TwAlertRecord *record);
void           tw_alert_record_free (TwAlertRecord       *record);
void           tw_alert_transition_row_free (TwAlertTransitionRow *row);

/* Writing (inside tw_store_begin/commit; the engine thread only).
 * @alerts (TwAlertRecord*, the current state of every alert that changed)
 * replace their rows; @transitions (element-type TwAlertTransition, the
 * board's stolen log) are appended. Either may be NULL or empty. */
gboolean   tw_store_save_alerts           (TwStore       *store,
                                           GPtrArray     *alerts,
                                           const GArray  *transitions,
                                           GError       **error);

/* Open alerts (state not closed), by id: for restoring the board at start
 * and for `twctl alerts list`. Element-type TwAlertRecord*. */
GPtrArray *tw_store_list_open_alerts      (TwStore       *store,
                                           GError       **error);

/**
 * tw_store_list_alert_history:
 * @search: (nullable): case-insensitive text found in the rule id, entity
 *   key, message or group, or in any of the alert's transitions' who or note
 * @from_ts: raised at or after (wall µs), 0: no lower bound
 * @to_ts: raised before, 0: no upper bound
 * @limit: at most this many, 0: no limit
 *
 * Alerts open and closed, newest first. Element-type TwAlertRecord*.
 */
GPtrArray *tw_store_list_alert_history    (TwStore       *store,
                                           const char    *search,
                                           gint64         from_ts,
                                           gint64         to_ts,
                                           guint          limit,
                                           GError       **error);

/* One alert by id (open or closed); FALSE with TW_ERROR_NOT_FOUND when
 * there is none. */
gboolean   tw_store_get_alert             (TwStore        *store,
                                           guint64         alert_id,
                                           TwAlertRecord **out_record,
                                           GError        **error);

/* Transitions of one alert, oldest first. Element-type TwAlertTransitionRow*. */
GPtrArray *tw_store_list_alert_transitions (TwStore      *store,
                                            guint64       alert_id,
                                            GError      **error);

/* The highest alert id ever stored (0 when none), so ids continue after a
 * restart. */
gboolean   tw_store_get_max_alert_id      (TwStore       *store,
                                           guint64       *out_id,
                                           GError       **error);

/* Entity groups (ward, customer tier, portfolio) as the sources announced
 * them: entity key → group, both char*. Entities without a group are not
 * in the table. */
GHashTable *tw_store_load_entity_groups   (TwStore       *store,
                                           GError       **error);

/* Samples that arrived later than a rule's allowed lateness, per source
 * (a total since the source was created). */
gboolean   tw_store_add_source_too_late   (TwStore       *store,
                                           gint64         source_id,
                                           guint64        n,
                                           GError       **error);
gboolean   tw_store_get_source_too_late   (TwStore       *store,
                                           gint64         source_id,
                                           guint64       *out_n,
                                           GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwAlertRecord, tw_alert_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwAlertTransitionRow, tw_alert_transition_row_free)

G_END_DECLS
