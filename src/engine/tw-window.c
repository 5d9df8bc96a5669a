#include "tw-watermark.h"
#include "tw-window.h"

typedef struct
{
  gint64      start_us;
  TwAggregate agg;
  gboolean    emitted;
} Window;

/* The open windows of one key, sorted by start. All windows have the same
 * size, so they are sorted by end too: the ones the watermark closes or
 * expires are always a prefix. */
typedef struct
{
  char   *key;
  GArray *windows;   /* Window */
} KeyWindows;

/* A window the watermark closed, copied out so the set can forget the
 * window before the results are emitted in order. */
typedef struct
{
  const char  *key;
  gint64       start_us;
  TwAggregate  agg;
} Due;

struct _TwWindowSet
{
  TwWindowSpec  spec;
  TwWindowEmit  emit;
  gpointer      user_data;
  GHashTable   *keys;        /* key → KeyWindows (the key string is owned by it) */
  gint64        watermark;   /* the highest one advanced to */
  guint64       too_late;
};

static void
key_windows_free (KeyWindows *kw)
{
  g_array_unref (kw->windows);
  g_free (kw->key);
  g_free (kw);
}

/* Floor division: windows before the epoch are aligned like those after. */
static gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if (a % b != 0 && (a < 0) != (b < 0))
    q--;
  return q;
}

/* Whether @t + @delta <= @watermark, without overflow when the caller
 * advances to G_MAXINT64 to close everything. */
static gboolean
reached (gint64 t,
         gint64 delta,
         gint64 watermark)
{
  if (watermark == TW_WATERMARK_NONE || t > watermark)
    return FALSE;
  return (guint64) watermark - (guint64) t >= (guint64) delta;
}

/**
 * tw_window_set_new:
 * @spec: sizes in µs; @slide_us at most @size_us (no gaps between
 *   windows)
 * @emit: called with every final result and every correction
 *
 * Returns: (transfer full): an empty set, its watermark before any event
 */
TwWindowSet *
tw_window_set_new (const TwWindowSpec *spec,
                   TwWindowEmit        emit,
                   gpointer            user_data)
{
  TwWindowSet *set;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (spec->size_us > 0 && spec->slide_us > 0, NULL);
  g_return_val_if_fail (spec->slide_us <= spec->size_us, NULL);
  g_return_val_if_fail (spec->lateness_us >= 0, NULL);
  g_return_val_if_fail (emit != NULL, NULL);

  set = g_new0 (TwWindowSet, 1);
  set->spec = *spec;
  set->emit = emit;
  set->user_data = user_data;
  set->keys = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                     (GDestroyNotify) key_windows_free);
  set->watermark = TW_WATERMARK_NONE;
  return set;
}

void
tw_window_set_free (TwWindowSet *set)
{
  if (set == NULL)
    return;
  g_hash_table_unref (set->keys);
  g_free (set);
}

static KeyWindows *
ensure_key (TwWindowSet *set,
            const char  *key)
{
  KeyWindows *kw = g_hash_table_lookup (set->keys, key);

  if (kw == NULL)
    {
      kw = g_new (KeyWindows, 1);
      kw->key = g_strdup (key);
      kw->windows = g_array_new (FALSE, FALSE, sizeof (Window));
      g_hash_table_insert (set->keys, kw->key, kw);
    }
  return kw;
}

/* The window starting at @start_us, created in order when missing. */
static Window *
ensure_window (KeyWindows *kw,
               gint64      start_us)
{
  GArray *windows = kw->windows;
  guint lo = 0, hi = windows->len;
  Window fresh = { start_us, { 0 }, FALSE };

  /* In-order input lands on the newest window or just after it. */
  if (hi > 0 && g_array_index (windows, Window, hi - 1).start_us < start_us)
    lo = hi;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gint64 s = g_array_index (windows, Window, mid).start_us;

      if (s == start_us)
        return &g_array_index (windows, Window, mid);
      if (s < start_us)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_array_insert_val (windows, lo, fresh);
  return &g_array_index (windows, Window, lo);
}

/**
 * tw_window_set_add:
 *
 * The sample goes into every window that contains it and is not yet
 * forgotten. For sliding windows the oldest of them may already be
 * forgotten while newer ones still take the sample: it is TOO_LATE only
 * when no window takes it. A window created by a late sample (it had no
 * sample before the watermark closed it) is emitted at once, without
 * @correction since it replaces nothing; the sample is still CORRECTED.
 *
 * Returns: how the sample was admitted
 */
TwWindowAdmit
tw_window_set_add (TwWindowSet *set,
                   const char  *key,
                   gint64       ts,
                   double       value)
{
  const TwWindowSpec *spec;
  KeyWindows *kw = NULL;
  gint64 first_k, last_k;
  gboolean merged = FALSE, late = FALSE;

  g_return_val_if_fail (set != NULL && key != NULL, TW_WINDOW_TOO_LATE);

  spec = &set->spec;
  /* Windows [k·slide, k·slide + size) that contain ts: k·slide <= ts and
   * k·slide > ts - size. */
  last_k = floor_div (ts, spec->slide_us);
  first_k = floor_div (ts - spec->size_us, spec->slide_us) + 1;
  for (gint64 k = first_k; k <= last_k; k++)
    {
      gint64 start = k * spec->slide_us;
      gint64 end = start + spec->size_us;
      Window *w;

      if (reached (end, spec->lateness_us, set->watermark))
        continue;
      if (kw == NULL)
        kw = ensure_key (set, key);
      w = ensure_window (kw, start);
      tw_aggregate_add (&w->agg, ts, value);
      merged = TRUE;
      if (reached (end, 0, set->watermark))
        {
          TwWindowResult result = { kw->key, start, end, w->agg, w->emitted };

          late = TRUE;
          w->emitted = TRUE;
          set->emit (&result, set->user_data);
        }
    }

  if (!merged)
    {
      set->too_late++;
      return TW_WINDOW_TOO_LATE;
    }
  return late ? TW_WINDOW_CORRECTED : TW_WINDOW_ON_TIME;
}

static int
due_compare (gconstpointer a,
             gconstpointer b)
{
  const Due *da = a, *db = b;

  /* Equal sizes: ordering by start is ordering by end. */
  if (da->start_us != db->start_us)
    return da->start_us < db->start_us ? -1 : 1;
  return g_strcmp0 (da->key, db->key);
}

/**
 * tw_window_set_advance:
 *
 * Results come out ordered by window end, then key. A watermark at or
 * below the last one changes nothing. Advancing to G_MAXINT64 closes and
 * forgets every window (the end of a replay).
 */
void
tw_window_set_advance (TwWindowSet *set,
                       gint64       watermark)
{
  g_autoptr(GArray) due = NULL;
  GHashTableIter iter;
  KeyWindows *kw;

  g_return_if_fail (set != NULL);

  if (watermark <= set->watermark)
    return;
  set->watermark = watermark;

  due = g_array_new (FALSE, FALSE, sizeof (Due));
  g_hash_table_iter_init (&iter, set->keys);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &kw))
    {
      guint n_expired = 0;

      for (guint i = 0; i < kw->windows->len; i++)
        {
          Window *w = &g_array_index (kw->windows, Window, i);

          if (!reached (w->start_us, set->spec.size_us, watermark))
            break;
          if (!w->emitted)
            {
              Due d = { kw->key, w->start_us, w->agg };

              g_array_append_val (due, d);
              w->emitted = TRUE;
            }
          if (reached (w->start_us, set->spec.size_us + set->spec.lateness_us, watermark))
            n_expired = i + 1;
        }
      g_array_remove_range (kw->windows, 0, n_expired);
    }

  g_array_sort (due, due_compare);
  for (guint i = 0; i < due->len; i++)
    {
      const Due *d = &g_array_index (due, Due, i);
      TwWindowResult result = { d->key, d->start_us, d->start_us + set->spec.size_us,
                                d->agg, FALSE };

      set->emit (&result, set->user_data);
    }

  /* Keys go last: the results above still point at their strings. */
  g_hash_table_iter_init (&iter, set->keys);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &kw))
    if (kw->windows->len == 0)
      g_hash_table_iter_remove (&iter);
}

guint64
tw_window_set_get_too_late (TwWindowSet *set)
{
  g_return_val_if_fail (set != NULL, 0);
  return set->too_late;
}

/**
 * tw_window_set_get_n_open:
 *
 * Returns: how many windows the set holds (emitted ones still inside
 *   their lateness included); bounded by the watermark, not by the input
 */
guint
tw_window_set_get_n_open (TwWindowSet *set)
{
  GHashTableIter iter;
  KeyWindows *kw;
  guint n = 0;

  g_return_val_if_fail (set != NULL, 0);

  g_hash_table_iter_init (&iter, set->keys);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &kw))
    n += kw->windows->len;
  return n;
}
