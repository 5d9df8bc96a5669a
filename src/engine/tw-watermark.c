#include "tw-watermark.h"

typedef struct
{
  gint64 max_ts;        /* highest event time delivered */
  gint64 last_seen_us;  /* processing time of the last delivery */
} SourceMark;

struct _TwWatermarks
{
  gint64      bound_us;
  gint64      idle_timeout_us;
  GHashTable *sources;   /* &source_id (in the value) → SourceEntry */
  gint64      emitted;   /* the highest combined watermark handed out */
};

typedef struct
{
  gint64     source_id;
  SourceMark mark;
} SourceEntry;

/**
 * tw_watermarks_new:
 * @bound_us: how far behind its newest event a source may still deliver
 * @idle_timeout_us: processing time without events after which a source
 *   stops holding the combined watermark back
 *
 * Returns: (transfer full): watermarks with no source yet
 */
TwWatermarks *
tw_watermarks_new (gint64 bound_us,
                   gint64 idle_timeout_us)
{
  TwWatermarks *marks;

  g_return_val_if_fail (bound_us >= 0, NULL);
  g_return_val_if_fail (idle_timeout_us > 0, NULL);

  marks = g_new0 (TwWatermarks, 1);
  marks->bound_us = bound_us;
  marks->idle_timeout_us = idle_timeout_us;
  marks->sources = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  marks->emitted = TW_WATERMARK_NONE;
  return marks;
}

void
tw_watermarks_free (TwWatermarks *marks)
{
  if (marks == NULL)
    return;
  g_hash_table_unref (marks->sources);
  g_free (marks);
}

void
tw_watermarks_observe (TwWatermarks *marks,
                       gint64        source_id,
                       gint64        ts,
                       gint64        now_us)
{
  SourceEntry *entry;

  g_return_if_fail (marks != NULL);

  entry = g_hash_table_lookup (marks->sources, &source_id);
  if (entry == NULL)
    {
      entry = g_new (SourceEntry, 1);
      entry->source_id = source_id;
      entry->mark.max_ts = ts;
      entry->mark.last_seen_us = now_us;
      g_hash_table_insert (marks->sources, &entry->source_id, entry);
      return;
    }
  /* A late event still proves the source is alive; it only cannot move
   * the source's event time backwards. */
  entry->mark.max_ts = MAX (entry->mark.max_ts, ts);
  entry->mark.last_seen_us = MAX (entry->mark.last_seen_us, now_us);
}

static gint64
source_watermark (const TwWatermarks *marks,
                  const SourceMark   *mark)
{
  /* Event times near the start of the int64 range must not wrap round to
   * a watermark in the far future. */
  if (mark->max_ts < TW_WATERMARK_NONE + marks->bound_us)
    return TW_WATERMARK_NONE;
  return mark->max_ts - marks->bound_us;
}

static gboolean
mark_is_idle (const TwWatermarks *marks,
              const SourceMark   *mark,
              gint64              now_us)
{
  return now_us - mark->last_seen_us >= marks->idle_timeout_us;
}

/**
 * tw_watermarks_get:
 *
 * The minimum over the active sources; when all are idle, the maximum over
 * all of them. A source that comes back after being idle, behind the
 * others, holds the watermark where it is instead of pulling it back.
 *
 * Returns: the combined watermark, %TW_WATERMARK_NONE before any event
 */
gint64
tw_watermarks_get (TwWatermarks *marks,
                   gint64        now_us)
{
  GHashTableIter iter;
  SourceEntry *entry;
  gint64 active_min = G_MAXINT64;
  gint64 all_max = TW_WATERMARK_NONE;
  gboolean any_active = FALSE;
  gint64 combined;

  g_return_val_if_fail (marks != NULL, TW_WATERMARK_NONE);

  if (g_hash_table_size (marks->sources) == 0)
    return marks->emitted;

  g_hash_table_iter_init (&iter, marks->sources);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      gint64 wm = source_watermark (marks, &entry->mark);

      all_max = MAX (all_max, wm);
      if (!mark_is_idle (marks, &entry->mark, now_us))
        {
          any_active = TRUE;
          active_min = MIN (active_min, wm);
        }
    }
  combined = any_active ? active_min : all_max;
  marks->emitted = MAX (marks->emitted, combined);
  return marks->emitted;
}

/**
 * tw_watermarks_get_source:
 *
 * Returns: the source's own watermark (its highest event time minus the
 *   bound), %TW_WATERMARK_NONE for a source never seen
 */
gint64
tw_watermarks_get_source (TwWatermarks *marks,
                          gint64        source_id)
{
  SourceEntry *entry;

  g_return_val_if_fail (marks != NULL, TW_WATERMARK_NONE);

  entry = g_hash_table_lookup (marks->sources, &source_id);
  return entry != NULL ? source_watermark (marks, &entry->mark) : TW_WATERMARK_NONE;
}

/**
 * tw_watermarks_is_idle:
 *
 * Returns: %TRUE when the source delivered nothing for the idle timeout
 *   (exactly the timeout counts as idle), and for a source never seen
 */
gboolean
tw_watermarks_is_idle (TwWatermarks *marks,
                       gint64        source_id,
                       gint64        now_us)
{
  SourceEntry *entry;

  g_return_val_if_fail (marks != NULL, TRUE);

  entry = g_hash_table_lookup (marks->sources, &source_id);
  return entry == NULL || mark_is_idle (marks, &entry->mark, now_us);
}
