#pragma once

#include <adwaita.h>

#include "tw-alert-filter.h"
#include "tw-alert-history-view.h"
#include "tw-alerts-page.h"
#include "tw-reader.h"

G_BEGIN_DECLS

/* Shared by the alert console's files: tw-alerts-page.c (the board, the
 * list, actions) and tw-alerts-page-names.c (what entities are called and
 * which of them this user may see). */

#define POLL_INTERVAL_MS 100
/* Entities announced after the last lookup are looked up again, but not
 * more often than this while an alert names one the store does not know
 * (a market symbol, say, has no patient record). */
#define LOOKUP_RETRY_US  (1 * TW_USEC_PER_SEC)
/* A new entity's name usually reaches the store a moment after its first
 * alert (the alert is raised before the commit): the notification waits
 * this long for it rather than naming only the pseudonymous key. */
#define NAME_GRACE_US    (3 * TW_USEC_PER_SEC)
/* When the evidence window is unknown, the trend shows this much before
 * the alert was raised. */
#define TREND_LEAD_US    (2 * TW_USEC_PER_MIN)

struct _TwAlertsPage
{
  AdwBin                parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *view_stack;
  AdwViewStackPage     *open_stack_page;
  GtkWidget            *high_count_box;
  GtkWidget            *medium_count_box;
  GtkWidget            *low_count_box;
  GtkLabel             *high_count_label;
  GtkLabel             *medium_count_label;
  GtkLabel             *low_count_label;
  GtkLabel             *audio_label;
  GtkDropDown          *state_filter;
  GtkDropDown          *group_filter;
  GtkDropDown          *source_filter;
  GtkStack             *open_stack;
  AdwStatusPage        *empty_page;
  GtkListBox           *alert_list;
  TwAlertHistoryView   *history_view;

  /* Borrowed, between start() and stop() */
  TwPipeline           *pipeline;

  /* Owned */
  TwReader             *reader;
  GCancellable         *cancellable;
  char                 *user;
  GListStore           *alerts;
  TwAlertFilter        *filter;
  GtkFilterListModel   *filtered;
  TwAlertSnapshot      *snapshot;       /* what this user may see (ward scope) */
  TwAlertSnapshot      *raw_snapshot;   /* the engine's whole board */
  GHashTable           *entity_titles;
  GHashTable           *source_names;
  GHashTable           *missing_keys;   /* unknown to the store at the last lookup */
  GHashTable           *unknown_since;  /* key → gint64*, monotonic µs first seen unknown */
  guint                 poll_source;
  guint64               generation;
  gint64                lookup_at;
  gboolean              have_snapshot;
  gboolean              can_handle;
  gboolean              can_browse;
  gboolean              lookup_in_flight;
  gboolean              lookup_dirty;
  gboolean              updating;
  gboolean              audio_paused_shown;
};

const char *tw_alerts_page_entity_title   (TwAlertsPage *self,
                                           const char   *key);
gboolean    tw_alerts_page_is_unknown     (TwAlertsPage *self,
                                           const char   *key);
GHashTable *tw_alerts_page_visible_keys   (TwAlertsPage *self);
void        tw_alerts_page_start_lookup   (TwAlertsPage *self);
void        tw_alerts_page_merge_snapshot (TwAlertsPage *self);
void        tw_alerts_page_emit_changed   (TwAlertsPage *self);
void        tw_alerts_page_derive_snapshot (TwAlertsPage *self);

G_END_DECLS
