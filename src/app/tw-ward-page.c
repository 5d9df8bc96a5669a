#include "config.h"

#include <glib/gi18n.h>

#include "tw-connection-indicator.h"
#include "tw-reader.h"
#include "tw-role.h"
#include "tw-score-tile.h"
#include "tw-time.h"
#include "tw-ward-counts.h"
#include "tw-ward-page.h"
#include "tw-ward-query.h"
#include "tw-ward-tile.h"

/*
 * TwWardPage: the central station. One tile per admitted bed, most acute
 * first, live.
 *
 * It polls the pipeline's status and alert snapshots (cheap copies that
 * never block) and, at most once per REFRESH_INTERVAL_US while the store
 * changes, runs one TwWardQuery in a worker. Results update the tiles in
 * place: a tile whose data did not change is not drawn again, the grid is
 * never rebuilt, and the flow box is re-sorted only when the acuity order
 * really changed. Queries run only while the page is on screen.
 */

#define POLL_INTERVAL_MS     250
#define REFRESH_INTERVAL_US  (1 * G_USEC_PER_SEC)
/* Without new data a bed still ages: its values go stale after an hour,
 * its sparkline scrolls. */
#define RESCORE_INTERVAL_US  (30 * G_USEC_PER_SEC)
/* Back on screen after this long: read the beds from scratch rather than
 * every sample that arrived meanwhile. */
#define REPRIME_AFTER_US     (60 * G_USEC_PER_SEC)
#define RESORT_INTERVAL_US   (10 * G_USEC_PER_SEC)
/* ~0.5 ms of drawing per tile in software: a handful per frame keeps a
 * frame well inside 16 ms. */
#define TILES_PER_FRAME      8

struct _TwWardPage
{
  AdwBin                 parent_instance;

  /* Template widgets */
  AdwWindowTitle        *window_title;
  TwConnectionIndicator *indicator;
  GtkDropDown           *ward_dropdown;
  TwWardCounts          *counts;
  GtkStack              *content_stack;
  AdwStatusPage         *waiting_page;
  GtkFlowBox            *flow_box;

  /* Borrowed, between start() and stop() */
  TwPipeline            *pipeline;

  /* Owned */
  TwReader              *reader;
  GCancellable          *cancellable;
  GHashTable            *beds;          /* key → TwWardBed*, NULL while a query has them */
  GPtrArray             *order;         /* borrowed from @beds */
  GHashTable            *tiles;         /* key → TwWardTile* (borrowed from the flow box) */
  GHashTable            *alert_map;     /* alert's entity key → tile key */
  GHashTable            *unmapped;      /* alert keys waiting for the next query */
  TwAlertSnapshot       *alerts;        /* the latest applied */
  GtkStringList         *wards;
  char                  *ward;          /* NULL: all */
  guint                  poll_source;
  guint64                data_generation;
  guint64                entity_generation;
  guint64                alert_generation;
  gint64                 last_query;
  gint64                 last_shown;
  gint64                 last_aged;
  gint64                 last_sort;
  TwWardStats            stats;
  gboolean               have_status;
  gboolean               have_alerts;
  gboolean               entities_dirty;
  gboolean               data_dirty;
  gboolean               query_in_flight;
  gboolean               updating_wards;
  gboolean               masked;
  gboolean               order_dirty;
  gboolean               filter_dirty;
  GQueue                 pending;       /* TwWardBed* borrowed from @beds */
  gint64                 pending_now;
  guint                  update_tick;
  guint                  tiles_per_frame;
};

G_DEFINE_FINAL_TYPE (TwWardPage, tw_ward_page, ADW_TYPE_BIN)

enum {
  OPEN_PATIENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void maybe_start_query (TwWardPage *self);

static const char * const no_wards[] = { NULL };

static gboolean
tile_is_shown (TwWardPage *self,
               TwWardTile *tile)
{
  return self->ward == NULL || g_strcmp0 (tw_ward_tile_get_ward (tile), self->ward) == 0;
}

static void
update_counts (TwWardPage *self)
{
  guint counts[TW_WARD_N_BANDS] = { 0, };
  GHashTableIter iter;
  gpointer tile;

  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, NULL, &tile))
    if (tile_is_shown (self, tile))
      counts[tw_ward_band_of (tw_ward_tile_get_news2 (tile))]++;

  tw_ward_counts_set (self->counts, counts);
}

/* Ward filter */

static int
filter_tile (GtkFlowBoxChild *child,
             gpointer         user_data)
{
  return tile_is_shown (TW_WARD_PAGE (user_data), TW_WARD_TILE (child));
}

static int
sort_tiles (GtkFlowBoxChild *a,
            GtkFlowBoxChild *b,
            gpointer         user_data)
{
  return tw_ward_tile_compare (TW_WARD_TILE (a), TW_WARD_TILE (b));
}

static void
update_ward_list (TwWardPage *self,
                  GStrv       wards)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->wards));
  guint selected = 0;
  gboolean same = n == g_strv_length (wards) + 1;

  for (guint i = 0; same && wards[i] != NULL; i++)
    same = g_strcmp0 (gtk_string_list_get_string (self->wards, i + 1), wards[i]) == 0;
  if (same)
    return;

  self->updating_wards = TRUE;
  gtk_string_list_splice (self->wards, 1, n - 1, (const char * const *) wards);
  for (guint i = 0; self->ward != NULL && wards[i] != NULL; i++)
    if (g_str_equal (wards[i], self->ward))
      selected = i + 1;
  gtk_drop_down_set_selected (self->ward_dropdown, selected);
  gtk_widget_set_visible (GTK_WIDGET (self->ward_dropdown), wards[0] != NULL);
  self->updating_wards = FALSE;

  /* The chosen ward closed: show them all rather than an empty grid. */
  if (self->ward != NULL && selected == 0)
    tw_ward_page_set_ward (self, NULL);
}

static void
on_ward_selected (TwWardPage *self)
{
  guint selected;

  if (self->updating_wards)
    return;

  selected = gtk_drop_down_get_selected (self->ward_dropdown);
  tw_ward_page_set_ward (self, selected == 0 || selected == GTK_INVALID_LIST_POSITION
                               ? NULL
                               : gtk_string_list_get_string (self->wards, selected));
}

/* Tiles */

static void
update_content (TwWardPage *self)
{
  gtk_stack_set_visible_child_name (self->content_stack,
                                    g_hash_table_size (self->tiles) > 0 ? "tiles" : "waiting");
}

/* Re-sorting moves every child of the flow box (and under the pointer of
 * whoever is about to click one): it happens only when the tiles are out
 * of order, at once when a high alert or a NEWS2 band decides it, and at
 * most every RESORT_INTERVAL_US when only scores within a band moved —
 * live scores flicker across a point every few seconds on a big ward.
 * Returns TRUE when an order change waits for later. */
static gboolean
sort_if_needed (TwWardPage *self)
{
  TwWardTile *previous = NULL;
  gboolean unordered = FALSE;
  gint64 now = g_get_monotonic_time ();

  for (int i = 0;; i++)
    {
      GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (self->flow_box, i);

      if (child == NULL)
        break;
      if (previous != NULL)
        {
          if (tw_ward_tile_compare_urgency (previous, TW_WARD_TILE (child)) > 0)
            goto sort;
          if (tw_ward_tile_compare (previous, TW_WARD_TILE (child)) > 0)
            unordered = TRUE;
        }
      previous = TW_WARD_TILE (child);
    }

  if (!unordered)
    return FALSE;
  if (now - self->last_sort < RESORT_INTERVAL_US)
    return TRUE;

sort:
  self->last_sort = now;
  self->stats.n_sorts++;
  gtk_flow_box_invalidate_sort (self->flow_box);
  return FALSE;
}

static void
remove_tile (TwWardPage *self,
             TwWardTile *tile)
{
  g_hash_table_remove (self->tiles, tw_ward_tile_get_key (tile));
  gtk_flow_box_remove (self->flow_box, GTK_WIDGET (tile));
}

static void
clear_tiles (TwWardPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box))) != NULL)
    gtk_flow_box_remove (self->flow_box, child);
  g_hash_table_remove_all (self->tiles);
}

/* Updates one tile from its bed; TRUE when the order may have changed. */
static gboolean
update_tile (TwWardPage      *self,
             TwWardTile      *tile,
             const TwWardBed *bed,
             gint64           now)
{
  if (self->ward != NULL && g_strcmp0 (tw_ward_tile_get_ward (tile), bed->ward) != 0)
    self->filter_dirty = TRUE;

  return tw_ward_tile_update (tile, bed, now);
}

static void
finish_updates (TwWardPage *self)
{
  if (self->filter_dirty)
    gtk_flow_box_invalidate_filter (self->flow_box);
  self->filter_dirty = FALSE;
  if (self->order_dirty)
    self->order_dirty = sort_if_needed (self);

  update_counts (self);
  update_content (self);
}

/* A refresh of 100 beds changes ~100 tiles at once; drawn in one frame
 * they would take several frame budgets. They are handed out a few per
 * frame instead (the sysprof scheduler's idea): a whole refresh reaches
 * the screen within a quarter of a second, and every frame stays short. */
static gboolean
update_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  TwWardPage *self = TW_WARD_PAGE (widget);
  gint64 started = g_get_monotonic_time ();
  guint n = 0;

  for (; n < self->tiles_per_frame && !g_queue_is_empty (&self->pending); n++)
    {
      const TwWardBed *bed = g_queue_pop_head (&self->pending);
      TwWardTile *tile = g_hash_table_lookup (self->tiles, bed->key);

      if (tile != NULL)
        self->order_dirty |= update_tile (self, tile, bed, self->pending_now);
    }

  /* A re-sort repaints the whole grid: give it a frame of its own rather
   * than the one that already draws the last tiles. */
  if (!g_queue_is_empty (&self->pending) || (n > 0 && self->order_dirty))
    {
      self->stats.max_apply_ms = MAX (self->stats.max_apply_ms,
                                      (g_get_monotonic_time () - started) / 1000.0);
      return G_SOURCE_CONTINUE;
    }

  finish_updates (self);
  self->stats.max_apply_ms = MAX (self->stats.max_apply_ms,
                                  (g_get_monotonic_time () - started) / 1000.0);
  self->update_tick = 0;
  maybe_start_query (self);

  return G_SOURCE_REMOVE;
}

static void
cancel_updates (TwWardPage *self)
{
  g_queue_clear (&self->pending);
  if (self->update_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->update_tick);
  self->update_tick = 0;
}

static void
apply_beds (TwWardPage  *self,
            TwWardQuery *query)
{
  gint64 started = g_get_monotonic_time ();
  guint n_changed = 0;

  if (query->listed)
    {
      GHashTableIter iter;
      gpointer key, tile;
      g_autoptr(GPtrArray) gone = g_ptr_array_new ();

      g_hash_table_iter_init (&iter, self->tiles);
      while (g_hash_table_iter_next (&iter, &key, &tile))
        if (!g_hash_table_contains (query->beds, key))
          g_ptr_array_add (gone, tile);
      for (guint i = 0; i < gone->len; i++)
        remove_tile (self, g_ptr_array_index (gone, i));
      self->order_dirty |= gone->len > 0;

      if (query->wards != NULL)
        update_ward_list (self, query->wards);
      adw_status_page_set_title (self->waiting_page, tw_ward_query_empty_title (query));
      adw_status_page_set_description (self->waiting_page,
                                       tw_ward_query_empty_description (query));
    }

  /* The beds stay the page's until every queued one is applied: no query
   * starts meanwhile (maybe_start_query() waits for the queue). */
  cancel_updates (self);
  self->pending_now = query->now;
  for (guint i = 0; query->order != NULL && i < query->order->len; i++)
    {
      const TwWardBed *bed = g_ptr_array_index (query->order, i);
      TwWardTile *tile = g_hash_table_lookup (self->tiles, bed->key);

      if (tile == NULL)
        {
          /* A new bed appears at once, complete. */
          tile = tw_ward_tile_new (bed->key);
          g_hash_table_insert (self->tiles, (gpointer) tw_ward_tile_get_key (tile), tile);
          gtk_flow_box_append (self->flow_box, GTK_WIDGET (tile));
          update_tile (self, tile, bed, query->now);
          self->order_dirty = TRUE;
        }
      else if (bed->changed)
        {
          g_queue_push_tail (&self->pending, (gpointer) bed);
        }
      else
        {
          continue;
        }
      n_changed++;
    }

  if (g_queue_is_empty (&self->pending))
    finish_updates (self);
  else
    self->update_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), update_tick_cb,
                                                      NULL, NULL);

  self->stats.last_tiles_changed = n_changed;
  self->stats.max_apply_ms = MAX (self->stats.max_apply_ms,
                                  (g_get_monotonic_time () - started) / 1000.0);
}

/* A bed that received nothing for a while still scrolls and ages. */
static void
age_tiles (TwWardPage *self,
           gint64      now)
{
  GHashTableIter iter;
  gpointer tile;

  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, NULL, &tile))
    tw_ward_tile_set_now (tile, now);
}

/* Alerts */

static void
apply_alerts (TwWardPage      *self,
              TwAlertSnapshot *snapshot)
{
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  gboolean order_changed = FALSE;
  GHashTableIter iter;
  gpointer key, tile;

  for (guint i = 0; snapshot->alerts != NULL && i < snapshot->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (snapshot->alerts, i);
      TwWardAlerts *alerts;

      const char *tile_key;

      if (alert->entity_key == NULL || alert->state == TW_ALERT_STATE_CLOSED)
        continue;

      tile_key = self->masked ? g_hash_table_lookup (self->alert_map, alert->entity_key)
                              : alert->entity_key;
      if (tile_key == NULL)
        {
          /* The next query maps it; until then the tile shows no alert. */
          g_hash_table_add (self->unmapped, g_strdup (alert->entity_key));
          continue;
        }

      alerts = g_hash_table_lookup (by_key, tile_key);
      if (alerts == NULL)
        {
          alerts = g_new0 (TwWardAlerts, 1);
          alerts->highest = alert->priority;
          g_hash_table_insert (by_key, (gpointer) tile_key, alerts);
        }
      alerts->n_open++;
      alerts->n_high += alert->priority == TW_ALERT_PRIORITY_HIGH;
      alerts->highest = MAX (alerts->highest, alert->priority);
    }

  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, &key, &tile))
    {
      static const TwWardAlerts none = { 0, };
      const TwWardAlerts *alerts = g_hash_table_lookup (by_key, key);

      order_changed |= tw_ward_tile_set_alerts (tile, alerts != NULL ? alerts : &none);
    }

  if (order_changed || self->order_dirty)
    self->order_dirty = sort_if_needed (self);
}

static void
poll_alerts (TwWardPage *self)
{
  g_autoptr(TwAlertSnapshot) snapshot = NULL;

  if (self->pipeline == NULL)
    return;

  snapshot = tw_pipeline_get_alerts (self->pipeline);
  if (snapshot == NULL || (self->have_alerts && snapshot->generation == self->alert_generation))
    return;

  self->alert_generation = snapshot->generation;
  self->have_alerts = TRUE;
  apply_alerts (self, snapshot);
  g_clear_pointer (&self->alerts, tw_alert_snapshot_free);
  self->alerts = g_steal_pointer (&snapshot);
}

/* Queries */

static void
query_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TwWardPage *self = TW_WARD_PAGE (object);
  GTask *task = G_TASK (result);
  TwWardQuery *query = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* A query of a session that has been locked since: drop it unseen. */
  if (!g_task_propagate_boolean (task, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_cancellable_is_cancelled (query->cancellable))
    return;

  self->query_in_flight = FALSE;

  if (error != NULL)
    {
      /* The beds come back whatever happened, so the next run continues. */
      self->beds = g_steal_pointer (&query->beds);
      self->order = g_steal_pointer (&query->order);
      g_warning ("The ward overview could not read the store: %s", error->message);
      self->entities_dirty = TRUE;
      return;
    }

  self->stats.n_queries++;
  self->stats.last_query_ms = query->elapsed_ms;
  self->stats.max_query_ms = MAX (self->stats.max_query_ms, query->elapsed_ms);
  self->stats.total_query_ms += query->elapsed_ms;
  self->stats.last_reads = query->n_reads;

  apply_beds (self, query);
  self->beds = g_steal_pointer (&query->beds);
  self->order = g_steal_pointer (&query->order);
  if (query->alert_map != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, query->alert_map);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (self->alert_map, g_strdup (key), g_strdup (value));
    }
  if (query->now - self->last_aged > RESCORE_INTERVAL_US)
    {
      self->last_aged = query->now;
      age_tiles (self, query->now);
    }
  /* New tiles (and newly mapped alerts) show their alerts at once. */
  if (self->alerts != NULL)
    apply_alerts (self, self->alerts);
}

static void
maybe_start_query (TwWardPage *self)
{
  g_autoptr(GTask) task = NULL;
  TwWardQuery *query;
  gint64 now = g_get_monotonic_time ();

  if (self->reader == NULL || self->query_in_flight || self->beds == NULL
      || !g_queue_is_empty (&self->pending))
    return;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  if (self->last_query != 0 && now - self->last_query < REFRESH_INTERVAL_US)
    return;
  if (!self->entities_dirty && !self->data_dirty && g_hash_table_size (self->unmapped) == 0
      && (self->last_query == 0 || now - self->last_query < RESCORE_INTERVAL_US))
    return;

  query = g_new0 (TwWardQuery, 1);
  query->reader = tw_reader_ref (self->reader);
  query->cancellable = g_object_ref (self->cancellable);
  query->list_patients = self->entities_dirty || self->order == NULL;
  query->now = tw_time_now ();
  query->beds = g_steal_pointer (&self->beds);
  query->order = g_steal_pointer (&self->order);
  if (g_hash_table_size (self->unmapped) > 0)
    {
      g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->unmapped);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_strv_builder_add (keys, key);
      query->alert_keys = g_strv_builder_end (keys);
      g_hash_table_remove_all (self->unmapped);
    }

  self->entities_dirty = FALSE;
  self->data_dirty = FALSE;
  self->query_in_flight = TRUE;
  self->last_query = now;

  task = g_task_new (self, self->cancellable, query_done_cb, NULL);
  g_task_set_source_tag (task, maybe_start_query);
  g_task_set_task_data (task, query, tw_ward_query_free);
  g_task_run_in_thread (task, tw_ward_query_run);
}

static void
poll_status (TwWardPage *self)
{
  g_autoptr(TwPipelineStatus) status = NULL;

  if (self->pipeline == NULL)
    return;

  poll_alerts (self);

  status = tw_pipeline_get_status (self->pipeline);
  if (status == NULL)
    return;

  tw_connection_indicator_update (self->indicator, status);

  if (!self->have_status || status->entity_generation != self->entity_generation)
    self->entities_dirty = TRUE;
  if (!self->have_status || status->data_generation != self->data_generation)
    self->data_dirty = TRUE;

  self->entity_generation = status->entity_generation;
  self->data_generation = status->data_generation;
  self->have_status = TRUE;

  maybe_start_query (self);
}

static gboolean
poll_cb (gpointer user_data)
{
  poll_status (TW_WARD_PAGE (user_data));

  return G_SOURCE_CONTINUE;
}

static void
on_child_activated (TwWardPage      *self,
                    GtkFlowBoxChild *child)
{
  g_signal_emit (self, signals[OPEN_PATIENT], 0, tw_ward_tile_get_key (TW_WARD_TILE (child)));
}

static void
on_dark_changed (TwWardPage *self)
{
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_queue_draw (child);
}

/* Off screen for a while: start over rather than read every sample that
 * arrived meanwhile in one go. */
static void
tw_ward_page_map (GtkWidget *widget)
{
  TwWardPage *self = TW_WARD_PAGE (widget);
  gint64 now = g_get_monotonic_time ();

  GTK_WIDGET_CLASS (tw_ward_page_parent_class)->map (widget);

  if (self->beds != NULL && self->last_shown != 0 && now - self->last_shown > REPRIME_AFTER_US)
    {
      cancel_updates (self);
      g_hash_table_remove_all (self->beds);
      g_clear_pointer (&self->order, g_ptr_array_unref);
      self->entities_dirty = TRUE;
    }
  self->last_shown = now;
  self->data_dirty = TRUE;
  poll_status (self);
}

static void
tw_ward_page_unmap (GtkWidget *widget)
{
  TW_WARD_PAGE (widget)->last_shown = g_get_monotonic_time ();

  GTK_WIDGET_CLASS (tw_ward_page_parent_class)->unmap (widget);
}

static void
tw_ward_page_dispose (GObject *object)
{
  TwWardPage *self = (TwWardPage *)object;

  tw_ward_page_stop (self);

  G_OBJECT_CLASS (tw_ward_page_parent_class)->dispose (object);
}

static void
tw_ward_page_finalize (GObject *object)
{
  TwWardPage *self = (TwWardPage *)object;

  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->alert_map, g_hash_table_unref);
  g_clear_pointer (&self->unmapped, g_hash_table_unref);
  g_clear_pointer (&self->ward, g_free);
  g_clear_object (&self->wards);

  G_OBJECT_CLASS (tw_ward_page_parent_class)->finalize (object);
}

static void
tw_ward_page_class_init (TwWardPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_ward_page_dispose;
  object_class->finalize = tw_ward_page_finalize;
  widget_class->map = tw_ward_page_map;
  widget_class->unmap = tw_ward_page_unmap;

  /**
   * TwWardPage::open-patient:
   * @key: the entity key of the tile activated
   */
  signals[OPEN_PATIENT] = g_signal_new ("open-patient", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (TW_TYPE_CONNECTION_INDICATOR);
  g_type_ensure (TW_TYPE_WARD_COUNTS);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-ward-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwWardPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, TwWardPage, indicator);
  gtk_widget_class_bind_template_child (widget_class, TwWardPage, ward_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TwWardPage, counts);
  gtk_widget_class_bind_template_child (widget_class, TwWardPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TwWardPage, waiting_page);
  gtk_widget_class_bind_template_child (widget_class, TwWardPage, flow_box);
  gtk_widget_class_bind_template_callback (widget_class, on_child_activated);
}

static void
tw_ward_page_init (TwWardPage *self)
{
  const char *all_wards[] = { _("All Wards"), NULL };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->tiles = g_hash_table_new (g_str_hash, g_str_equal);
  self->tiles_per_frame = TILES_PER_FRAME;
  self->alert_map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->unmapped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->wards = gtk_string_list_new (all_wards);
  gtk_drop_down_set_model (self->ward_dropdown, G_LIST_MODEL (self->wards));
  gtk_widget_set_visible (GTK_WIDGET (self->ward_dropdown), FALSE);
  g_signal_connect_swapped (self->ward_dropdown, "notify::selected",
                            G_CALLBACK (on_ward_selected), self);

  gtk_flow_box_set_sort_func (self->flow_box, sort_tiles, self, NULL);
  gtk_flow_box_set_filter_func (self->flow_box, filter_tile, self, NULL);
  update_counts (self);
  update_content (self);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
}

/**
 * tw_ward_page_start:
 * @self: the page
 * @session: the signed-in session; only read here (the page keeps a
 *   reader with its own copy of the key)
 * @pipeline: the running pipeline; borrowed until tw_ward_page_stop()
 */
void
tw_ward_page_start (TwWardPage *self,
                    TwSession  *session,
                    TwPipeline *pipeline)
{
  g_autofree char *subtitle = NULL;

  g_return_if_fail (TW_IS_WARD_PAGE (self));
  g_return_if_fail (session != NULL);

  tw_ward_page_stop (self);

  self->pipeline = pipeline;
  self->reader = tw_reader_new (session);
  self->cancellable = g_cancellable_new ();
  self->beds = tw_ward_beds_new ();
  self->entities_dirty = TRUE;
  self->data_dirty = TRUE;
  self->masked = !tw_session_can (session, TW_PERM_SEE_IDENTITY);
  memset (&self->stats, 0, sizeof self->stats);

  /* Translators: the signed-in user and their role, "ana · Administrator" */
  subtitle = g_strdup_printf (_("%s \u00b7 %s"), tw_session_get_user (session),
                              tw_role_to_label (tw_session_get_role (session)));
  adw_window_title_set_subtitle (self->window_title, subtitle);

  if (self->pipeline != NULL)
    {
      poll_status (self);
      self->poll_source = g_timeout_add (POLL_INTERVAL_MS, poll_cb, self);
    }
  else
    {
      maybe_start_query (self);
    }
}

/**
 * tw_ward_page_stop:
 * @self: the page
 *
 * Forgets the session: queries in flight are dropped, the tiles removed.
 */
void
tw_ward_page_stop (TwWardPage *self)
{
  g_return_if_fail (TW_IS_WARD_PAGE (self));

  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reader, tw_reader_unref);
  cancel_updates (self);
  self->order_dirty = FALSE;
  self->filter_dirty = FALSE;
  g_clear_pointer (&self->order, g_ptr_array_unref);
  g_clear_pointer (&self->beds, g_hash_table_unref);
  self->pipeline = NULL;
  self->query_in_flight = FALSE;
  self->have_status = FALSE;
  self->have_alerts = FALSE;
  g_clear_pointer (&self->alerts, tw_alert_snapshot_free);
  if (self->alert_map != NULL)
    g_hash_table_remove_all (self->alert_map);
  if (self->unmapped != NULL)
    g_hash_table_remove_all (self->unmapped);
  self->last_query = 0;
  self->last_shown = 0;
  self->last_aged = 0;

  if (self->flow_box != NULL)
    {
      clear_tiles (self);
      update_counts (self);
      update_content (self);
      update_ward_list (self, (GStrv) no_wards);
    }
  if (self->indicator != NULL)
    tw_connection_indicator_reset (self->indicator);
  if (self->window_title != NULL)
    adw_window_title_set_subtitle (self->window_title, "");
}

/**
 * tw_ward_page_set_pipeline:
 * @pipeline: (nullable): the pipeline now running, or %NULL while the
 *   window restarts it
 */
void
tw_ward_page_set_pipeline (TwWardPage *self,
                           TwPipeline *pipeline)
{
  g_return_if_fail (TW_IS_WARD_PAGE (self));

  if (self->reader == NULL)
    return;

  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->pipeline = pipeline;
  /* A new pipeline counts its generations from zero. */
  self->have_status = FALSE;
  self->have_alerts = FALSE;

  if (pipeline == NULL)
    {
      tw_connection_indicator_reset (self->indicator);
      return;
    }

  poll_status (self);
  self->poll_source = g_timeout_add (POLL_INTERVAL_MS, poll_cb, self);
}

guint
tw_ward_page_get_n_tiles (TwWardPage *self)
{
  g_return_val_if_fail (TW_IS_WARD_PAGE (self), 0);

  return g_hash_table_size (self->tiles);
}

GPtrArray *
tw_ward_page_list_tiles (TwWardPage *self)
{
  GPtrArray *tiles = g_ptr_array_new ();

  g_return_val_if_fail (TW_IS_WARD_PAGE (self), tiles);

  for (int i = 0;; i++)
    {
      GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (self->flow_box, i);

      if (child == NULL)
        break;
      if (gtk_widget_get_child_visible (GTK_WIDGET (child)))
        g_ptr_array_add (tiles, child);
    }

  return tiles;
}

TwWardTile *
tw_ward_page_find_tile (TwWardPage *self,
                        const char *key)
{
  g_return_val_if_fail (TW_IS_WARD_PAGE (self), NULL);

  return key != NULL ? g_hash_table_lookup (self->tiles, key) : NULL;
}

void
tw_ward_page_set_ward (TwWardPage *self,
                       const char *ward)
{
  guint n;

  g_return_if_fail (TW_IS_WARD_PAGE (self));

  if (g_strcmp0 (self->ward, ward) == 0)
    return;

  g_free (self->ward);
  self->ward = g_strdup (ward);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->wards));
  self->updating_wards = TRUE;
  gtk_drop_down_set_selected (self->ward_dropdown, 0);
  for (guint i = 1; ward != NULL && i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->wards, i), ward) == 0)
      gtk_drop_down_set_selected (self->ward_dropdown, i);
  self->updating_wards = FALSE;

  gtk_flow_box_invalidate_filter (self->flow_box);
  update_counts (self);
}

const char *
tw_ward_page_get_ward (TwWardPage *self)
{
  g_return_val_if_fail (TW_IS_WARD_PAGE (self), NULL);

  return self->ward;
}

GStrv
tw_ward_page_dup_wards (TwWardPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n;

  g_return_val_if_fail (TW_IS_WARD_PAGE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->wards));
  for (guint i = 1; i < n; i++)
    g_strv_builder_add (builder, gtk_string_list_get_string (self->wards, i));

  return g_strv_builder_end (builder);
}

char *
tw_ward_page_dup_counts_text (TwWardPage *self)
{
  g_return_val_if_fail (TW_IS_WARD_PAGE (self), NULL);

  return tw_ward_counts_dup_text (self->counts);
}

void
tw_ward_page_get_stats (TwWardPage  *self,
                        TwWardStats *out_stats)
{
  g_return_if_fail (TW_IS_WARD_PAGE (self));
  g_return_if_fail (out_stats != NULL);

  *out_stats = self->stats;
}

/**
 * tw_ward_page_set_tiles_per_frame:
 * @self: the page
 * @n: how many changed tiles to update per frame; 0 for the default
 *
 * For the benchmark, which compares the default with G_MAXUINT (a whole
 * refresh in one frame) in the same run.
 */
void
tw_ward_page_set_tiles_per_frame (TwWardPage *self,
                                  guint       n)
{
  g_return_if_fail (TW_IS_WARD_PAGE (self));

  self->tiles_per_frame = n > 0 ? n : TILES_PER_FRAME;
}
