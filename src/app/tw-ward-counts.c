#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "tw-score-tile.h"
#include "tw-ward-counts.h"

/*
 * TwWardCounts: how many beds are in each NEWS2 band, above the ward
 * overview's grid. Each count is a word, a number and the band's colour as
 * the score tiles draw it (an empty ring for incomplete scores), so the
 * colour is never the only cue. A label changes only when its count does.
 * The counts wrap onto more lines in a narrow window. 
 */

#define SWATCH_SIZE 12

struct _TwWardCounts
{
  GtkBox     parent_instance;

  GtkFlowBox *flow_box;

  GtkWidget *swatches[TW_WARD_N_BANDS];
  GtkLabel  *labels[TW_WARD_N_BANDS];
  guint      counts[TW_WARD_N_BANDS];
};

G_DEFINE_FINAL_TYPE (TwWardCounts, tw_ward_counts, GTK_TYPE_BOX)

static const TwNews2Risk band_risks[] = {
  [TW_WARD_BAND_HIGH] = TW_NEWS2_RISK_HIGH,
  [TW_WARD_BAND_MEDIUM] = TW_NEWS2_RISK_MEDIUM,
  [TW_WARD_BAND_LOW_MEDIUM] = TW_NEWS2_RISK_LOW_MEDIUM,
  [TW_WARD_BAND_LOW] = TW_NEWS2_RISK_LOW,
  [TW_WARD_BAND_ZERO] = TW_NEWS2_RISK_ZERO,
};

/**
 * tw_ward_band_of:
 * @score: a NEWS2 score
 *
 * Returns: its band; %TW_WARD_BAND_INCOMPLETE while a parameter is missing
 */
TwWardBand
tw_ward_band_of (const TwNews2Score *score)
{
  g_return_val_if_fail (score != NULL, TW_WARD_BAND_INCOMPLETE);

  if (!score->complete)
    return TW_WARD_BAND_INCOMPLETE;

  switch (score->risk)
    {
    case TW_NEWS2_RISK_HIGH:
      return TW_WARD_BAND_HIGH;
    case TW_NEWS2_RISK_MEDIUM:
      return TW_WARD_BAND_MEDIUM;
    case TW_NEWS2_RISK_LOW_MEDIUM:
      return TW_WARD_BAND_LOW_MEDIUM;
    case TW_NEWS2_RISK_LOW:
      return TW_WARD_BAND_LOW;
    case TW_NEWS2_RISK_ZERO:
    default:
      return TW_WARD_BAND_ZERO;
    }
}

const char *
tw_ward_band_word (TwWardBand band)
{
  switch (band)
    {
    case TW_WARD_BAND_HIGH:
      return C_("NEWS2 band", "High");
    case TW_WARD_BAND_MEDIUM:
      return C_("NEWS2 band", "Medium");
    case TW_WARD_BAND_LOW_MEDIUM:
      return C_("NEWS2 band", "Low–medium");
    case TW_WARD_BAND_LOW:
      return C_("NEWS2 band", "Low");
    case TW_WARD_BAND_ZERO:
      return C_("NEWS2 band", "Zero");
    case TW_WARD_BAND_INCOMPLETE:
    case TW_WARD_N_BANDS:
    default:
      return C_("NEWS2 band", "Incomplete");
    }
}

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  TwWardBand band = GPOINTER_TO_UINT (user_data);
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  const TwChartPalette *palette = tw_chart_palette_get (dark);
  double r = MIN (width, height) / 2.0;
  TwChartColor color;

  cairo_arc (cr, width / 2.0, height / 2.0, r - 1, 0, 2 * G_PI);
  if (band == TW_WARD_BAND_INCOMPLETE)
    {
      cairo_set_source_rgb (cr, palette->muted.red, palette->muted.green, palette->muted.blue);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      return;
    }

  color = tw_chart_palette_news2 (dark, band_risks[band]);
  cairo_set_source_rgb (cr, color.red, color.green, color.blue);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, palette->text.red, palette->text.green, palette->text.blue, 0.35);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static void
on_dark_changed (TwWardCounts *self)
{
  for (TwWardBand band = 0; band < TW_WARD_N_BANDS; band++)
    gtk_widget_queue_draw (self->swatches[band]);
}

static void
tw_ward_counts_class_init (TwWardCountsClass *klass)
{
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "wardcounts");
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tw_ward_counts_init (TwWardCounts *self)
{
  static const guint none[TW_WARD_N_BANDS] = { 0, };

  self->flow_box = GTK_FLOW_BOX (gtk_flow_box_new ());
  gtk_flow_box_set_selection_mode (self->flow_box, GTK_SELECTION_NONE);
  gtk_flow_box_set_column_spacing (self->flow_box, 10);
  gtk_flow_box_set_max_children_per_line (self->flow_box, TW_WARD_N_BANDS);
  /* Filling, not end-aligned: an aligned flow box is measured for its
   * natural width and then wraps in less, cutting off the last lines. */
  gtk_widget_set_hexpand (GTK_WIDGET (self->flow_box), TRUE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->flow_box));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Patients per NEWS2 band"), -1);

  for (TwWardBand band = 0; band < TW_WARD_N_BANDS; band++)
    {
      GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      GtkWidget *swatch = gtk_drawing_area_new ();
      GtkWidget *label = gtk_label_new (NULL);

      gtk_widget_set_size_request (swatch, SWATCH_SIZE, SWATCH_SIZE);
      gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch,
                                      GUINT_TO_POINTER (band), NULL);
      gtk_widget_add_css_class (chip, "band-count");
      gtk_box_append (GTK_BOX (chip), swatch);
      gtk_box_append (GTK_BOX (chip), label);
      gtk_flow_box_append (self->flow_box, chip);
      /* Words to read, not items to pick. */
      gtk_widget_set_focusable (gtk_widget_get_parent (chip), FALSE);
      self->swatches[band] = swatch;
      self->labels[band] = GTK_LABEL (label);
      self->counts[band] = G_MAXUINT;
    }
  tw_ward_counts_set (self, none);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
tw_ward_counts_new (void)
{
  return g_object_new (TW_TYPE_WARD_COUNTS, NULL);
}

/**
 * tw_ward_counts_set:
 * @self: the counts
 * @counts: beds per band, indexed by #TwWardBand
 */
void
tw_ward_counts_set (TwWardCounts *self,
                    const guint   counts[TW_WARD_N_BANDS])
{
  g_return_if_fail (TW_IS_WARD_COUNTS (self));

  for (TwWardBand band = 0; band < TW_WARD_N_BANDS; band++)
    {
      g_autofree char *text = NULL;

      if (counts[band] == self->counts[band])
        continue;

      self->counts[band] = counts[band];
      /* Translators: a NEWS2 band and how many beds are in it, "Medium 2" */
      text = g_strdup_printf (C_("band count", "%s %u"), tw_ward_band_word (band), counts[band]);
      gtk_label_set_text (self->labels[band], text);
    }
}

char *
tw_ward_counts_dup_text (TwWardCounts *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (TW_IS_WARD_COUNTS (self), g_string_free (text, FALSE));

  for (TwWardBand band = 0; band < TW_WARD_N_BANDS; band++)
    {
      if (text->len > 0)
        g_string_append (text, " \u00b7 ");
      g_string_append (text, gtk_label_get_text (self->labels[band]));
    }

  return g_string_free (text, FALSE);
}
