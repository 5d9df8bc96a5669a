#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* A grid of cells coloured by value: NEWS2 parameter scores over time
 * (rows = parameters, columns = observations), glucose by day and hour.
 * NAN cells are drawn hatched as "no data". */

typedef struct
{
  const char   *title;            /* may be NULL */
  guint         n_rows;
  guint         n_columns;
  const char  **row_labels;       /* n_rows, may be NULL */
  const char  **column_labels;    /* n_columns, may be NULL; drawn when they fit */
  double        low;              /* value of the first colour */
  double        high;             /* value of the last colour */
  /* Discrete steps (NEWS2 0/1/2/3): n_steps colours, cell colour = step of
   * round(value). 0: a continuous ramp from low to high. */
  guint         n_steps;
  gboolean      show_values;      /* the number in each cell when it fits */
  gboolean      dark;
} TwHeatmapStyle;

/* @values: row-major, n_rows × n_columns. */
void tw_heatmap_draw (cairo_t              *cr,
                      double                x,
                      double                y,
                      double                width,
                      double                height,
                      const TwHeatmapStyle *style,
                      const double         *values);

G_END_DECLS
