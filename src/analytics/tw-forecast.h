#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Forecasters for "predicted" rules (tw-rule-engine.h, TwForecastFunc).
 *
 * "linear": an ordinary least-squares line through the window's samples;
 * the forecast crosses @limit where the line reaches it, if that is at or
 * after the newest sample (a line moving away from the limit, or a flat
 * one, never crosses). Needs at least two samples at different times. */

/* Least-squares fit of @values over @ts (µs, ascending). @out_slope is in
 * units per minute, @out_value_at_last the line's value at the newest ts.
 * FALSE when fewer than two distinct times. */
gboolean tw_forecast_linear_fit (const gint64 *ts,
                                 const double *values,
                                 guint         n,
                                 double       *out_slope_per_min,
                                 double       *out_value_at_last);

/* A TwForecastFunc. */
gboolean tw_forecast_linear     (const gint64 *ts,
                                 const double *values,
                                 guint         n,
                                 double        limit,
                                 gint64       *out_cross_ts,
                                 gpointer      user_data);

G_END_DECLS
