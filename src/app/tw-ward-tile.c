#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "tw-chart-palette.h"
#include "tw-metric.h"
#include "tw-score-tile.h"
#include "tw-sparkline.h"
#include "tw-time.h"
#include "tw-ward-tile.h"

/*
 * TwWardTile: one bed of the ward overview, drawn in one snapshot: bed and
 * patient, the NEWS2 score tile in its band colour, heart rate and SpO2 as
 * sparklines with their latest values, and the open alerts (shape, word
 * and colour together). It is a flow box child so that the flow box
 * activates it on click and Enter and moves focus between tiles.
 *
 * Nothing here changes the tile's size: new data only queues a draw of
 * this tile, so a refresh of 100 beds never re-lays out the grid.
 */

#define TILE_WIDTH          320
#define TILE_HEIGHT         172
#define PADDING             12
#define HEADER_HEIGHT       24
#define GAP                 10
#define SCORE_WIDTH         128
#define VALUE_HEIGHT        20
#define SPARK_HEIGHT        26
#define BADGE_HEIGHT        22
#define BADGE_RADIUS        (BADGE_HEIGHT / 2.0)
#define BADGE_PADDING       8
#define BADGE_ICON          10
#define HIGH_ALERT_BORDER   2
/* Heart rate draws on its own scale; SpO2 on a fixed one, so a fall from
 * 98 to 90 looks like the fall it is and not like noise. */
#define SPO2_FIXED_LOW      80.0
#define SPO2_FIXED_HIGH     100.0
#define SCROLL_STEP_US      (10 * G_USEC_PER_SEC)

struct _TwWardTile
{
  GtkFlowBoxChild  parent_instance;

  char            *key;
  char            *display_name;
  char            *ward;
  char            *bed;
  char            *summary;
  double           value[TW_WARD_N_VITALS];
  gint64           value_ts[TW_WARD_N_VITALS];
  TwNews2Score     news2;
  TwWardAlerts     alerts;
  GArray          *spark[TW_WARD_N_SPARKS];
  cairo_surface_t *spark_picture[TW_WARD_N_SPARKS];
  gboolean         spark_dirty[TW_WARD_N_SPARKS];
  gboolean         spark_dark;
  gint64           now;
  guint            n_draws;

  /* Text, laid out once per change rather than once per frame */
  PangoLayout     *title_layout;
  PangoLayout     *value_layout[TW_WARD_N_SPARKS];
  PangoLayout     *badge_layout;
  gboolean         text_dirty;
};

G_DEFINE_FINAL_TYPE (TwWardTile, tw_ward_tile, GTK_TYPE_FLOW_BOX_CHILD)

static const TwWardVital spark_vitals[TW_WARD_N_SPARKS] = {
  [TW_WARD_SPARK_HR] = TW_WARD_HR,
  [TW_WARD_SPARK_SPO2] = TW_WARD_SPO2,
};

/* libadwaita 1.2's named colours (error, warning, accent), so a badge
 * matches the alert console's priority pills. */
typedef struct
{
  GdkRGBA light_bg;
  GdkRGBA dark_bg;
  GdkRGBA fg;
} BadgeColors;

static const BadgeColors badge_colors[TW_ALERT_N_PRIORITIES] = {
  [TW_ALERT_PRIORITY_LOW] = { { 0.208, 0.518, 0.894, 1 }, { 0.208, 0.518, 0.894, 1 },
                              { 1, 1, 1, 1 } },
  [TW_ALERT_PRIORITY_MEDIUM] = { { 0.898, 0.647, 0.039, 1 }, { 0.804, 0.576, 0.035, 1 },
                                 { 0, 0, 0, 0.8 } },
  [TW_ALERT_PRIORITY_HIGH] = { { 0.878, 0.106, 0.141, 1 }, { 0.753, 0.110, 0.157, 1 },
                               { 1, 1, 1, 1 } },
};

static const char *
priority_word (TwAlertPriority priority)
{
  switch (priority)
    {
    case TW_ALERT_PRIORITY_HIGH:
      return C_("alert priority", "High");
    case TW_ALERT_PRIORITY_MEDIUM:
      return C_("alert priority", "Medium");
    case TW_ALERT_PRIORITY_LOW:
    default:
      return C_("alert priority", "Low");
    }
}

/* Text */

static gboolean
is_fresh (TwWardTile  *self,
          TwWardVital  vital)
{
  return self->value_ts[vital] != G_MININT64
         && self->value_ts[vital] >= self->now - TW_WARD_FRESH_US
         && !isnan (self->value[vital]);
}

char *
tw_ward_tile_dup_news2_text (TwWardTile *self)
{
  g_return_val_if_fail (TW_IS_WARD_TILE (self), NULL);

  if (!self->news2.complete)
    return g_strdup (_("NEWS2 incomplete"));

  /* Translators: "NEWS2 6 medium"; the last word is the risk band */
  return g_strdup_printf (_("NEWS2 %d %s"), self->news2.total,
                          tw_news2_risk_to_string (self->news2.risk));
}

static char *
describe_alerts (const TwWardAlerts *alerts)
{
  g_autofree char *word = NULL;

  if (alerts->n_open == 0)
    return g_strdup (_("no open alerts"));

  word = g_utf8_strdown (priority_word (alerts->highest), -1);
  if (alerts->n_open == 1)
    /* Translators: "1 high alert" */
    return g_strdup_printf (_("1 %s alert"), word);

  /* Translators: "3 open alerts, highest high" */
  return g_strdup_printf (_("%u open alerts, highest %s"), alerts->n_open, word);
}

static void
update_summary (TwWardTile *self)
{
  g_autofree char *news2 = tw_ward_tile_dup_news2_text (self);
  g_autofree char *alerts = describe_alerts (&self->alerts);
  g_autofree char *summary = NULL;

  /* Translators: "Bed ICU-03, Jane Doe, NEWS2 6 medium, 1 high alert" */
  summary = g_strdup_printf (_("Bed %s, %s, %s, %s"),
                             self->bed != NULL ? self->bed : _("unassigned"),
                             self->display_name != NULL ? self->display_name : self->key,
                             news2, alerts);
  if (g_strcmp0 (summary, self->summary) == 0)
    return;

  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->summary,
                                  -1);
}

static PangoLayout *
ensure_layout (TwWardTile   *self,
               PangoLayout **layout)
{
  if (*layout == NULL)
    {
      *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_layout_set_ellipsize (*layout, PANGO_ELLIPSIZE_END);
    }

  return *layout;
}

static void
color_to_hex (const TwChartColor *color,
              char                out[8])
{
  g_snprintf (out, 8, "#%02x%02x%02x",
              (guint) lround (CLAMP (color->red, 0, 1) * 255),
              (guint) lround (CLAMP (color->green, 0, 1) * 255),
              (guint) lround (CLAMP (color->blue, 0, 1) * 255));
}

static void
layout_text (TwWardTile           *self,
             const TwChartPalette *palette)
{
  g_autofree char *bed = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  char muted[8];

  color_to_hex (&palette->muted, muted);

  bed = g_markup_escape_text (self->bed != NULL ? self->bed : _("No bed"), -1);
  name = g_markup_escape_text (self->display_name != NULL ? self->display_name : self->key, -1);
  title = g_strdup_printf ("<b>%s</b>  %s", bed, name);
  pango_layout_set_markup (ensure_layout (self, &self->title_layout), title, -1);

  for (guint s = 0; s < TW_WARD_N_SPARKS; s++)
    {
      TwWardVital vital = spark_vitals[s];
      const TwMetricInfo *info = tw_metric_lookup (tw_ward_vital_code (vital));
      const char *label = s == TW_WARD_SPARK_HR ? _("HR") : _("SpO\u2082");
      g_autofree char *markup = NULL;

      if (is_fresh (self, vital))
        markup = g_strdup_printf ("<span foreground='%s'>%s</span>  <b>%.*f</b> "
                                  "<span foreground='%s' size='small'>%s</span>",
                                  muted, label, info != NULL ? info->digits : 0,
                                  self->value[vital], muted,
                                  info != NULL ? info->unit : "");
      else
        markup = g_strdup_printf ("<span foreground='%s'>%s</span>  <b>\u2014</b>",
                                  muted, label);
      pango_layout_set_markup (ensure_layout (self, &self->value_layout[s]), markup, -1);
    }

  if (self->alerts.n_open == 0)
    {
      g_autofree char *none = g_strdup_printf ("<span foreground='%s' size='small'>%s</span>",
                                               muted, _("No alerts"));

      pango_layout_set_markup (ensure_layout (self, &self->badge_layout), none, -1);
    }
  else
    {
      g_autofree char *text = NULL;

      if (self->alerts.n_open == 1)
        text = g_strdup_printf ("<b>%s</b>", priority_word (self->alerts.highest));
      else
        /* Translators: a badge, "High · 3" (highest priority, open alerts) */
        text = g_strdup_printf (_("<b>%s</b> \u00b7 %u"), priority_word (self->alerts.highest),
                                self->alerts.n_open);
      pango_layout_set_markup (ensure_layout (self, &self->badge_layout), text, -1);
    }

  self->text_dirty = FALSE;
}

/* Drawing */

static GdkRGBA
rgba_of (const TwChartColor *color)
{
  return (GdkRGBA) { color->red, color->green, color->blue, 1 };
}

static void
append_layout (GtkSnapshot   *snapshot,
               PangoLayout   *layout,
               double         x,
               double         y,
               const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
rounded_rectangle (cairo_t *cr,
                   double   x,
                   double   y,
                   double   width,
                   double   height,
                   double   radius)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + width - radius, y + height - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* The priority's own shape, so the badge reads without its colour:
 * a triangle for high, a diamond for medium, a circle for low. */
static void
priority_shape (cairo_t         *cr,
                TwAlertPriority  priority,
                double           cx,
                double           cy,
                double           size)
{
  double r = size / 2;

  switch (priority)
    {
    case TW_ALERT_PRIORITY_HIGH:
      cairo_move_to (cr, cx, cy - r);
      cairo_line_to (cr, cx + r, cy + r * 0.8);
      cairo_line_to (cr, cx - r, cy + r * 0.8);
      cairo_close_path (cr);
      break;
    case TW_ALERT_PRIORITY_MEDIUM:
      cairo_move_to (cr, cx, cy - r);
      cairo_line_to (cr, cx + r, cy);
      cairo_line_to (cr, cx, cy + r);
      cairo_line_to (cr, cx - r, cy);
      cairo_close_path (cr);
      break;
    case TW_ALERT_PRIORITY_LOW:
    default:
      cairo_arc (cr, cx, cy, r * 0.85, 0, 2 * G_PI);
      break;
    }
  cairo_fill (cr);
}

/* Returns the badge's width, so the title stops before it. */
static double
snapshot_badge (TwWardTile           *self,
                GtkSnapshot          *snapshot,
                double                right,
                double                top,
                gboolean              dark,
                const TwChartPalette *palette)
{
  const BadgeColors *colors;
  PangoRectangle ink, logical;
  double width, x;
  cairo_t *cr;

  pango_layout_get_pixel_extents (self->badge_layout, &ink, &logical);

  if (self->alerts.n_open == 0)
    {
      GdkRGBA muted = rgba_of (&palette->muted);

      append_layout (snapshot, self->badge_layout, right - logical.width,
                     top + (BADGE_HEIGHT - logical.height) / 2.0, &muted);
      return logical.width;
    }

  colors = &badge_colors[self->alerts.highest];
  width = BADGE_PADDING + BADGE_ICON + BADGE_PADDING / 2.0 + logical.width + BADGE_PADDING;
  x = right - width;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x, top, width, BADGE_HEIGHT));
  gdk_cairo_set_source_rgba (cr, dark ? &colors->dark_bg : &colors->light_bg);
  rounded_rectangle (cr, x, top, width, BADGE_HEIGHT, BADGE_RADIUS);
  cairo_fill (cr);
  gdk_cairo_set_source_rgba (cr, &colors->fg);
  priority_shape (cr, self->alerts.highest, x + BADGE_PADDING + BADGE_ICON / 2.0,
                  top + BADGE_HEIGHT / 2.0, BADGE_ICON);
  cairo_destroy (cr);

  append_layout (snapshot, self->badge_layout, x + BADGE_PADDING + BADGE_ICON + BADGE_PADDING / 2.0,
                 top + (BADGE_HEIGHT - logical.height) / 2.0, &colors->fg);
  return width;
}

static void
snapshot_sparkline (TwWardTile           *self,
                    GtkSnapshot          *snapshot,
                    TwWardSpark           spark,
                    double                x,
                    double                y,
                    double                width,
                    gboolean              dark,
                    const TwChartPalette *palette)
{
  const TwMetricInfo *info = tw_metric_lookup (tw_ward_vital_code (spark_vitals[spark]));
  GArray *points = self->spark[spark];
  TwSparklineStyle style = {
    .t_from = self->now - TW_WARD_SPARKLINE_US,
    .t_to = self->now,
    .normal_low = info != NULL ? info->normal_low : NAN,
    .normal_high = info != NULL ? info->normal_high : NAN,
    .fixed_low = spark == TW_WARD_SPARK_SPO2 ? SPO2_FIXED_LOW : 0,
    .fixed_high = spark == TW_WARD_SPARK_SPO2 ? SPO2_FIXED_HIGH : 0,
    .gap_us = 0,
    .color = tw_chart_palette_get_series (palette, spark, 0),
    .dark = dark,
  };
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int pixel_width = (int) ceil (width * scale);
  cairo_surface_t *picture = self->spark_picture[spark];
  cairo_t *cr;

  /* The line changes once a second at most, while the grid may repaint
   * the tile for other reasons (a re-sort moves every tile): keep the
   * line as a small image and paint that. */
  if (picture == NULL || self->spark_dirty[spark] || self->spark_dark != dark
      || cairo_image_surface_get_width (picture) != pixel_width
      || cairo_image_surface_get_height (picture) != SPARK_HEIGHT * scale)
    {
      g_clear_pointer (&self->spark_picture[spark], cairo_surface_destroy);
      picture = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pixel_width,
                                            SPARK_HEIGHT * scale);
      cairo_surface_set_device_scale (picture, scale, scale);
      cr = cairo_create (picture);
      tw_sparkline_draw (cr, 0, 0, width, SPARK_HEIGHT, &style,
                         points != NULL ? (const TwPoint *) (gpointer) points->data : NULL,
                         points != NULL ? points->len : 0);
      cairo_destroy (cr);
      self->spark_picture[spark] = picture;
      self->spark_dirty[spark] = FALSE;
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x, y, width, SPARK_HEIGHT));
  cairo_set_source_surface (cr, picture, x, y);
  cairo_paint (cr);
  cairo_destroy (cr);
}

static void
tw_ward_tile_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  TwWardTile *self = TW_WARD_TILE (widget);
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  const TwChartPalette *palette = tw_chart_palette_get (dark);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  TwScoreTileStyle score_style = { .title = "NEWS2", .dark = dark };
  GdkRGBA text = rgba_of (&palette->text);
  double body_top = PADDING + HEADER_HEIGHT + GAP;
  double body_height = height - body_top - PADDING;
  double right_x = PADDING + SCORE_WIDTH + GAP;
  double right_width = width - right_x - PADDING;
  double row_height = body_height / TW_WARD_N_SPARKS;
  double badge_width;
  cairo_t *cr;

  self->n_draws++;
  if (self->text_dirty || self->title_layout == NULL)
    layout_text (self, palette);

  badge_width = snapshot_badge (self, snapshot, width - PADDING, PADDING, dark, palette);
  pango_layout_set_width (self->title_layout,
                          MAX (0, width - 2 * PADDING - badge_width - GAP) * PANGO_SCALE);
  append_layout (snapshot, self->title_layout, PADDING, PADDING + 2, &text);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (PADDING, body_top,
                                                                 SCORE_WIDTH, body_height));
  tw_score_tile_draw_news2 (cr, PADDING, body_top, SCORE_WIDTH, body_height, &score_style,
                            &self->news2);
  cairo_destroy (cr);

  for (guint s = 0; s < TW_WARD_N_SPARKS; s++)
    {
      double row_top = body_top + s * row_height;

      pango_layout_set_width (self->value_layout[s], (int) right_width * PANGO_SCALE);
      append_layout (snapshot, self->value_layout[s], right_x, row_top, &text);
      snapshot_sparkline (self, snapshot, s, right_x, row_top + VALUE_HEIGHT, right_width,
                          dark, palette);
    }
  self->spark_dark = dark;
}

/* Updates */

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
trim_spark (TwWardTile *self,
            TwWardSpark spark)
{
  GArray *points = self->spark[spark];
  gint64 from = self->now - TW_WARD_SPARKLINE_US;
  guint drop = 0;

  if (points == NULL)
    return;

  while (drop < points->len && g_array_index (points, TwPoint, drop).ts < from)
    drop++;
  if (drop > 0)
    g_array_remove_range (points, 0, drop);
}

static void
append_spark (TwWardTile  *self,
              TwWardSpark  spark,
              GArray      *points,
              gboolean     replace)
{
  if (replace || self->spark[spark] == NULL)
    {
      g_clear_pointer (&self->spark[spark], g_array_unref);
      self->spark[spark] = g_array_new (FALSE, FALSE, sizeof (TwPoint));
    }

  if (points != NULL && points->len > 0)
    {
      GArray *into = self->spark[spark];
      gint64 last = into->len > 0 ? g_array_index (into, TwPoint, into->len - 1).ts : G_MININT64;

      /* The query reads from just after the newest sample it saw: keep the
       * line in time order even if a refresh overlaps. */
      for (guint i = 0; i < points->len; i++)
        {
          const TwPoint *p = &g_array_index (points, TwPoint, i);

          if (p->ts > last)
            {
              g_array_append_vals (into, p, 1);
              last = p->ts;
            }
        }
    }

  trim_spark (self, spark);
}

/**
 * tw_ward_tile_update:
 * @self: a tile
 * @bed: the bed as the latest query left it
 * @now: µs UTC, the end of the sparklines' window
 *
 * Queues a draw of this tile only when something it shows changed.
 *
 * Returns: %TRUE when the acuity order may have changed
 */
gboolean
tw_ward_tile_update (TwWardTile      *self,
                     const TwWardBed *bed,
                     gint64           now)
{
  gboolean order_changed = FALSE;
  gboolean changed = FALSE;

  g_return_val_if_fail (TW_IS_WARD_TILE (self), FALSE);
  g_return_val_if_fail (bed != NULL, FALSE);

  if (now > self->now)
    {
      self->now = now;
      for (guint s = 0; s < TW_WARD_N_SPARKS; s++)
        self->spark_dirty[s] = TRUE;
    }

  changed |= set_string (&self->display_name, bed->display_name);
  changed |= set_string (&self->ward, bed->ward);
  if (set_string (&self->bed, bed->bed))
    changed = order_changed = TRUE;

  if (memcmp (&self->news2, &bed->news2, sizeof self->news2) != 0)
    {
      order_changed |= self->news2.complete != bed->news2.complete
                       || self->news2.total != bed->news2.total
                       || self->news2.risk != bed->news2.risk
                       || self->news2.max_single != bed->news2.max_single;
      self->news2 = bed->news2;
      changed = TRUE;
    }

  for (guint v = 0; v < TW_WARD_N_VITALS; v++)
    if (self->value_ts[v] != bed->value_ts[v]
        || (self->value[v] != bed->value[v] && !(isnan (self->value[v]) && isnan (bed->value[v]))))
      {
        self->value[v] = bed->value[v];
        self->value_ts[v] = bed->value_ts[v];
        changed = TRUE;
      }

  for (guint s = 0; s < TW_WARD_N_SPARKS; s++)
    if (bed->spark_replace || (bed->spark_new[s] != NULL && bed->spark_new[s]->len > 0))
      {
        append_spark (self, s, bed->spark_new[s], bed->spark_replace);
        self->spark_dirty[s] = TRUE;
        changed = TRUE;
      }

  if (changed)
    {
      self->text_dirty = TRUE;
      update_summary (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }

  return order_changed;
}

/**
 * tw_ward_tile_set_alerts:
 *
 * Returns: %TRUE when the acuity order may have changed
 */
gboolean
tw_ward_tile_set_alerts (TwWardTile         *self,
                         const TwWardAlerts *alerts)
{
  gboolean order_changed;

  g_return_val_if_fail (TW_IS_WARD_TILE (self), FALSE);
  g_return_val_if_fail (alerts != NULL, FALSE);

  if (self->alerts.n_open == alerts->n_open
      && self->alerts.n_high == alerts->n_high
      && (alerts->n_open == 0 || self->alerts.highest == alerts->highest))
    return FALSE;

  order_changed = self->alerts.n_high != alerts->n_high;
  self->alerts = *alerts;

  if (alerts->n_high > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "alert-high");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "alert-high");

  self->text_dirty = TRUE;
  update_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  return order_changed;
}

/**
 * tw_ward_tile_set_now:
 *
 * Scrolls the sparklines to end at @now; a tile whose data stopped still
 * moves (its line leaves to the left) and its values go stale.
 */
void
tw_ward_tile_set_now (TwWardTile *self,
                      gint64      now)
{
  g_return_if_fail (TW_IS_WARD_TILE (self));

  /* A tile fed every second is already current; one pixel of a 30 min
   * sparkline is about 12 s, so a smaller step would draw the same. */
  if (now - self->now < SCROLL_STEP_US)
    return;

  self->now = now;
  for (guint s = 0; s < TW_WARD_N_SPARKS; s++)
    {
      trim_spark (self, s);
      self->spark_dirty[s] = TRUE;
    }
  self->text_dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Order */

static int
risk_rank (const TwNews2Score *score)
{
  /* An incomplete score is at least as bad as the parameters already
   * known make it: its known total is a lower bound, never "normal". */
  return score->complete ? (int) score->risk
                         : (int) tw_news2_risk_of (score->total, score->max_single);
}

/**
 * tw_ward_tile_compare_urgency:
 *
 * The coarse part of tw_ward_tile_compare(): an open high alert, then the
 * NEWS2 risk band (zero counting as low). A change here moves a bed at
 * once.
 */
int
tw_ward_tile_compare_urgency (TwWardTile *a,
                              TwWardTile *b)
{
  int diff;

  if ((diff = (b->alerts.n_high > 0) - (a->alerts.n_high > 0)) != 0)
    return diff;
  /* Zero and low (1–4) share the RCP's ward-based response: a score
   * flickering between 0 and 1 is not a reason to move a tile now. */
  return MAX (risk_rank (&b->news2), TW_NEWS2_RISK_LOW)
         - MAX (risk_rank (&a->news2), TW_NEWS2_RISK_LOW);
}

/**
 * tw_ward_tile_compare:
 *
 * Most acute first: a bed with an open high alert, then the higher NEWS2
 * risk, then the higher score (a complete one before an incomplete one of
 * the same known total), then more high alerts, then by bed in natural
 * order ("ICU-2" before "ICU-10"). Several rules firing on one
 * deterioration are not more acute than one: the count comes late.
 */
int
tw_ward_tile_compare (TwWardTile *a,
                      TwWardTile *b)
{
  g_autofree char *key_a = NULL;
  g_autofree char *key_b = NULL;
  int diff;

  if ((diff = tw_ward_tile_compare_urgency (a, b)) != 0)
    return diff;
  if ((diff = b->news2.total - a->news2.total) != 0)
    return diff;
  if ((diff = (int) b->news2.complete - (int) a->news2.complete) != 0)
    return diff;
  if ((diff = (int) b->alerts.n_high - (int) a->alerts.n_high) != 0)
    return diff;

  key_a = g_utf8_collate_key_for_filename (a->bed != NULL ? a->bed : a->key, -1);
  key_b = g_utf8_collate_key_for_filename (b->bed != NULL ? b->bed : b->key, -1);
  if ((diff = strcmp (key_a, key_b)) != 0)
    return diff;

  return g_strcmp0 (a->key, b->key);
}

/* GObject */

static void
tw_ward_tile_finalize (GObject *object)
{
  TwWardTile *self = (TwWardTile *)object;

  g_clear_object (&self->title_layout);
  g_clear_object (&self->badge_layout);
  for (guint s = 0; s < TW_WARD_N_SPARKS; s++)
    {
      g_clear_object (&self->value_layout[s]);
      g_clear_pointer (&self->spark[s], g_array_unref);
      g_clear_pointer (&self->spark_picture[s], cairo_surface_destroy);
    }
  g_free (self->key);
  g_free (self->display_name);
  g_free (self->ward);
  g_free (self->bed);
  g_free (self->summary);

  G_OBJECT_CLASS (tw_ward_tile_parent_class)->finalize (object);
}

/* A new font or style: lay the text out again. */
static void
tw_ward_tile_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  TwWardTile *self = TW_WARD_TILE (widget);

  GTK_WIDGET_CLASS (tw_ward_tile_parent_class)->css_changed (widget, change);

  g_clear_object (&self->title_layout);
  g_clear_object (&self->badge_layout);
  for (guint s = 0; s < TW_WARD_N_SPARKS; s++)
    g_clear_object (&self->value_layout[s]);
  self->text_dirty = TRUE;
}

static void
tw_ward_tile_class_init (TwWardTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tw_ward_tile_finalize;
  widget_class->snapshot = tw_ward_tile_snapshot;
  widget_class->css_changed = tw_ward_tile_css_changed;

  gtk_widget_class_set_css_name (widget_class, "flowboxchild");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);
}

static void
tw_ward_tile_init (TwWardTile *self)
{
  gtk_widget_set_size_request (GTK_WIDGET (self), TILE_WIDTH, TILE_HEIGHT);
  gtk_widget_add_css_class (GTK_WIDGET (self), "ward-tile");
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  for (guint v = 0; v < TW_WARD_N_VITALS; v++)
    {
      self->value[v] = NAN;
      self->value_ts[v] = G_MININT64;
    }
  self->news2.complete = FALSE;
  for (guint p = 0; p < TW_NEWS2_N_PARAMS; p++)
    self->news2.scores[p] = -1;
  self->text_dirty = TRUE;
}

/**
 * tw_ward_tile_new:
 * @key: the entity key
 *
 * Returns: (transfer floating): a tile with no data yet
 */
TwWardTile *
tw_ward_tile_new (const char *key)
{
  TwWardTile *self;

  g_return_val_if_fail (key != NULL, NULL);

  self = g_object_new (TW_TYPE_WARD_TILE, NULL);
  self->key = g_strdup (key);
  self->now = tw_time_now ();
  update_summary (self);

  return self;
}

const char *
tw_ward_tile_get_key (TwWardTile *self)
{
  g_return_val_if_fail (TW_IS_WARD_TILE (self), NULL);

  return self->key;
}

const char *
tw_ward_tile_get_ward (TwWardTile *self)
{
  g_return_val_if_fail (TW_IS_WARD_TILE (self), NULL);

  return self->ward;
}

const char *
tw_ward_tile_get_bed (TwWardTile *self)
{
  g_return_val_if_fail (TW_IS_WARD_TILE (self), NULL);

  return self->bed;
}

const char *
tw_ward_tile_get_display_name (TwWardTile *self)
{
  g_return_val_if_fail (TW_IS_WARD_TILE (self), NULL);

  return self->display_name;
}

const TwNews2Score *
tw_ward_tile_get_news2 (TwWardTile *self)
{
  g_return_val_if_fail (TW_IS_WARD_TILE (self), NULL);

  return &self->news2;
}

const char *
tw_ward_tile_get_summary (TwWardTile *self)
{
  g_return_val_if_fail (TW_IS_WARD_TILE (self), NULL);

  return self->summary;
}

guint
tw_ward_tile_get_n_points (TwWardTile  *self,
                           TwWardSpark  spark)
{
  g_return_val_if_fail (TW_IS_WARD_TILE (self), 0);
  g_return_val_if_fail (spark < TW_WARD_N_SPARKS, 0);

  return self->spark[spark] != NULL ? self->spark[spark]->len : 0;
}

/* How often the tile was drawn: the benchmark checks that a refresh draws
 * the tiles whose data changed and no others. */
guint
tw_ward_tile_get_n_draws (TwWardTile *self)
{
  g_return_val_if_fail (TW_IS_WARD_TILE (self), 0);

  return self->n_draws;
}
