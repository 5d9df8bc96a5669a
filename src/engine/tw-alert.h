#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The alert lifecycle after IEC 60601-1-8, as a pure core: no SQL, no
 * threads, no GTK. Every call takes the current time (@now_us, monotonic or
 * wall microseconds, the caller's choice) so tests drive the clock; nothing
 * here reads a clock.
 *
 * States and what moves an alert between them (who NULL = the board):
 *
 *   from          event                                      to
 *   ------------  -----------------------------------------  -----------------
 *   (none)        condition starts, no open alert for        ACTIVE (new id)
 *                 rule+entity
 *   ACTIVE        condition ends, non-latching               CLEARED, and at
 *                                                            once CLOSED when
 *                                                            the re-arm time
 *                                                            is 0
 *   ACTIVE        condition ends, latching                   ACTIVE (logged;
 *                                                            stays until
 *                                                            acknowledged)
 *   ACTIVE        acknowledge, condition present             ACKNOWLEDGED
 *   ACTIVE        acknowledge, latched (condition ended)     ACKNOWLEDGED →
 *                                                            CLEARED → CLOSED
 *   ACTIVE        condition starts again (latched one)       ACTIVE,
 *                                                            occurrences + 1
 *   ACKNOWLEDGED  condition ends (latching or not)           CLEARED → CLOSED
 *   CLEARED       condition starts again within the re-arm   ACTIVE,
 *                 time (never acknowledged: a flap)          occurrences + 1
 *   CLEARED       re-arm time passed (tick or next call)     CLOSED
 *   CLEARED       acknowledge                                CLOSED
 *   ACTIVE        unacknowledged HIGH alert for the          ACTIVE (logged as
 *                 escalation delay since it was raised       an escalation)
 *
 * Acknowledging silences the current condition only: an acknowledged alert
 * whose condition ends is closed, so a return of the condition is a NEW
 * alert. A condition that flaps within the re-arm time without anyone
 * acknowledging gives one alert whose occurrence count grows. An alert is
 * open until CLOSED; closed alerts leave the board (the transition log keeps
 * their history). Self-transitions (from == to) in the log are events that
 * do not change the state: a latched condition ending, an escalation. */

typedef enum
{
  TW_ALERT_PRIORITY_LOW,
  TW_ALERT_PRIORITY_MEDIUM,
  TW_ALERT_PRIORITY_HIGH,
} TwAlertPriority;

#define TW_ALERT_N_PRIORITIES (TW_ALERT_PRIORITY_HIGH + 1)

/* Physiological (or, for markets and retail, about the watched process)
 * versus technical (stale data, lost signal): DOMAIN.md keeps them apart. */
typedef enum
{
  TW_ALERT_CATEGORY_PHYSIOLOGICAL,
  TW_ALERT_CATEGORY_TECHNICAL,
} TwAlertCategory;

typedef enum
{
  TW_ALERT_STATE_NONE,          /* "from" of the transition that raises it */
  TW_ALERT_STATE_ACTIVE,
  TW_ALERT_STATE_ACKNOWLEDGED,
  TW_ALERT_STATE_CLEARED,
  TW_ALERT_STATE_CLOSED,
} TwAlertState;

/* Defaults: audio pause 2 min (IEC 60601-1-8 practice), re-arm 30 s,
 * escalation of unacknowledged high alerts after 60 s. */
#define TW_ALERT_DEFAULT_PAUSE_US      ((gint64) 2 * 60 * G_USEC_PER_SEC)
#define TW_ALERT_DEFAULT_REARM_US      ((gint64) 30 * G_USEC_PER_SEC)
#define TW_ALERT_DEFAULT_ESCALATION_US ((gint64) 60 * G_USEC_PER_SEC)

/* Read-only for callers; owned by the board. */
typedef struct
{
  guint64          id;
  char            *rule_id;
  char            *entity_key;
  TwAlertPriority  priority;        /* the highest reported while open */
  gboolean         latching;
  TwAlertState     state;
  gboolean         condition_active;
  guint            occurrences;     /* times the condition started */
  char            *message;         /* the latest one */
  gint64           raised_us;       /* age for ordering and escalation */
  gint64           updated_us;
  gint64           condition_ended_us;
  char            *acknowledged_by;
  char            *ack_note;
  gint64           acknowledged_us;
  gboolean         escalated;
  gint64           escalated_us;
  /* Event time of the samples that raised the condition and of the last
   * one that confirmed it (the trend highlights this span); 0 unknown. */
  gint64           evidence_from_ts;
  gint64           evidence_to_ts;
  char            *group;           /* entity's group at raise, nullable */
  TwAlertCategory  category;
  gint64           source_id;       /* source of the triggering sample, 0 unknown */
} TwAlert;

/* One condition report with everything the rule engine knows. Strings are
 * borrowed. */
typedef struct
{
  const char      *rule_id;
  const char      *entity_key;
  TwAlertPriority  priority;
  gboolean         latching;
  gboolean         active;
  const char      *message;
  gint64           evidence_from_ts;
  gint64           evidence_to_ts;
  const char      *group;
  TwAlertCategory  category;
  gint64           source_id;
} TwAlertCondition;

typedef struct
{
  guint64       alert_id;
  TwAlertState  from;
  TwAlertState  to;
  char         *who;                /* NULL: the board itself */
  gint64        when_us;
  char         *note;               /* nullable */
} TwAlertTransition;

typedef struct _TwAlertBoard TwAlertBoard;

const char   *tw_alert_priority_to_string (TwAlertPriority priority);
const char   *tw_alert_state_to_string    (TwAlertState    state);
const char   *tw_alert_category_to_string (TwAlertCategory category);
/* The inverses, for the store; FALSE on an unknown name. */
gboolean      tw_alert_priority_from_string (const char      *text,
                                             TwAlertPriority *out_priority);
gboolean      tw_alert_state_from_string    (const char      *text,
                                             TwAlertState    *out_state);
gboolean      tw_alert_category_from_string (const char      *text,
                                             TwAlertCategory *out_category);

/* Deep copies, for snapshots that leave the engine thread. */
TwAlert      *tw_alert_copy            (const TwAlert *alert);
void          tw_alert_free            (TwAlert       *alert);

TwAlertBoard *tw_alert_board_new       (void);
void          tw_alert_board_free      (TwAlertBoard *board);

void          tw_alert_board_set_rearm            (TwAlertBoard *board,
                                                   gint64        rearm_us);
void          tw_alert_board_set_pause_duration   (TwAlertBoard *board,
                                                   gint64        pause_us);
void          tw_alert_board_set_escalation_delay (TwAlertBoard *board,
                                                   gint64        delay_us);

/* Feeds one condition report for @rule_id on @entity_key. Reports that
 * repeat the current condition only update the message. Returns the id of
 * the open alert for rule+entity after the report, or 0 when there is none. */
guint64       tw_alert_board_condition (TwAlertBoard    *board,
                                        const char      *rule_id,
                                        const char      *entity_key,
                                        TwAlertPriority  priority,
                                        gboolean         latching,
                                        gboolean         active,
                                        const char      *message,
                                        gint64           now_us);

/* The same with evidence window, group, category and source. An active
 * report sets the evidence start when it raises the alert and moves its end
 * on every report; evidence_from_ts also moves back if a report names an
 * earlier start. */
guint64       tw_alert_board_condition_full (TwAlertBoard           *board,
                                             const TwAlertCondition *condition,
                                             gint64                  now_us);

/* Acknowledges open alert @id by @who with an optional @note. FALSE when
 * there is no such open alert or it was acknowledged already. */
gboolean      tw_alert_board_acknowledge (TwAlertBoard *board,
                                          guint64       id,
                                          const char   *who,
                                          const char   *note,
                                          gint64        now_us);

/* Manual escalation of open alert @id by @who (the console's "escalate"):
 * marks it escalated and logs a self-transition with @note. FALSE when
 * there is no such open alert or its condition cleared already. May be
 * repeated; each call is logged. */
gboolean      tw_alert_board_escalate (TwAlertBoard *board,
                                       guint64       id,
                                       const char   *who,
                                       const char   *note,
                                       gint64        now_us);

/* After a restart: puts a copy of @alert (an open alert read back from the
 * store, state ACTIVE, ACKNOWLEDGED or CLEARED) on the board without
 * logging anything, and keeps new ids above its id. Replaces an open alert
 * with the same rule+entity or id. */
void          tw_alert_board_restore     (TwAlertBoard  *board,
                                          const TwAlert *alert);
/* Ids of new alerts start at @next_id (never below an id on the board);
 * the store passes 1 + the highest id it ever saw. */
void          tw_alert_board_set_next_id (TwAlertBoard  *board,
                                          guint64        next_id);
guint64       tw_alert_board_get_next_id (TwAlertBoard  *board);

/* Pauses audio for the pause duration. A new alert of a priority higher than
 * every alert open now (any priority when none is open) ends the pause. */
void          tw_alert_board_pause_audio (TwAlertBoard *board,
                                          gint64        now_us);
gboolean      tw_alert_board_audio_paused (TwAlertBoard *board,
                                           gint64        now_us);
/* The id of the alert that broke the last pause, 0 if none did. */
guint64       tw_alert_board_pause_broken_by (TwAlertBoard *board);

/* Escalates unacknowledged HIGH alerts raised at least the escalation delay
 * ago (once each) and closes cleared alerts whose re-arm time passed.
 * Returns the ids escalated by this call (transfer full, may be empty). */
GArray       *tw_alert_board_tick (TwAlertBoard *board,
                                   gint64        now_us);

/* The open alert @id, or NULL; valid until the next call that changes the
 * board. */
const TwAlert *tw_alert_board_lookup (TwAlertBoard *board,
                                      guint64       id);

/* The open alerts for the console: priority high first, then oldest first,
 * then by id. Transfer container; elements are owned by the board. */
GPtrArray    *tw_alert_board_list  (TwAlertBoard *board);
guint         tw_alert_board_count (TwAlertBoard    *board,
                                    TwAlertPriority  priority);

/* The transition log, oldest first (element-type TwAlertTransition). The
 * steal variant hands the entries over (a later step stores them) and
 * starts an empty log. */
const GArray *tw_alert_board_get_log   (TwAlertBoard *board);
GArray       *tw_alert_board_steal_log (TwAlertBoard *board);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwAlertBoard, tw_alert_board_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwAlert, tw_alert_free)

G_END_DECLS
