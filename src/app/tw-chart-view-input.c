#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "tw-chart-view-private.h"

/* TwChartView's input: pointer (crosshair), scroll and drag (pan), Ctrl+scroll
 * and keys (zoom, pan, live), and the crosshair's text. Drawing and series
 * live in tw-chart-view.c. */

/* Pointer and keyboard */

gint64
tw_chart_view_time_at_x (TwChartView *self,
                         double       x)
{
  gint64 t_from, t_to;
  double plot_x = self->plot_x;
  double plot_width = self->plot_width;

  g_return_val_if_fail (TW_IS_CHART_VIEW (self), 0);

  tw_chart_view_current_range (self, &t_from, &t_to);
  if (plot_width <= 0)
    {
      plot_x = 0;
      plot_width = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)));
    }

  return t_from + (gint64) ((x - plot_x) / plot_width * (double) (t_to - t_from));
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           TwChartView              *self)
{
  gint64 t_from, t_to;
  gint64 ts;

  self->pointer_x = x;
  self->pointer_inside = TRUE;

  tw_chart_view_current_range (self, &t_from, &t_to);
  ts = tw_chart_view_time_at_x (self, x);
  tw_chart_view_set_crosshair (self, ts >= t_from && ts < t_to ? ts : 0);
}

static void
on_leave (GtkEventControllerMotion *controller,
          TwChartView              *self)
{
  self->pointer_inside = FALSE;
  tw_chart_view_set_crosshair (self, 0);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           TwChartView              *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  gint64 t_from, t_to;

  tw_chart_view_current_range (self, &t_from, &t_to);

  if (state & GDK_CONTROL_MASK)
    {
      gint64 anchor = self->pointer_inside ? tw_chart_view_time_at_x (self, self->pointer_x)
                                           : t_from + (t_to - t_from) / 2;

      tw_chart_view_zoom (self, pow (TW_CHART_VIEW_ZOOM_STEP, dy), anchor);
      return TRUE;
    }

  /* Scrolling down or right looks later, like a page that scrolls on. */
  tw_chart_view_pan (self, (dx + dy) * TW_CHART_VIEW_PAN_STEP);
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               TwChartView    *self)
{
  tw_chart_view_current_range (self, &self->drag_from, &self->drag_to);
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                TwChartView    *self)
{
  double plot_width = self->plot_width > 0 ? self->plot_width : gtk_widget_get_width (GTK_WIDGET (self));
  gint64 delta;

  if (plot_width <= 0 || offset_x == 0)
    return;

  /* The data follows the pointer: dragging right shows earlier times. */
  delta = (gint64) (-offset_x / plot_width * (double) (self->drag_to - self->drag_from));
  tw_time_range_set_live (self->range, FALSE);
  tw_time_range_set (self->range, self->drag_from + delta, self->drag_to + delta);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TwChartView *self = TW_CHART_VIEW (widget);
  gint64 t_from, t_to;
  double factor = g_str_equal (action_name, "chart.zoom-in") ? 1 / TW_CHART_VIEW_ZOOM_STEP
                                                              : TW_CHART_VIEW_ZOOM_STEP;

  tw_chart_view_current_range (self, &t_from, &t_to);
  tw_chart_view_zoom (self, factor, t_from + (t_to - t_from) / 2);
}

static void
pan_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  tw_chart_view_pan (TW_CHART_VIEW (widget),
                     g_str_equal (action_name, "chart.pan-left") ? -TW_CHART_VIEW_PAN_STEP
                                                                 : TW_CHART_VIEW_PAN_STEP);
}

static void
live_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  tw_chart_view_go_live (TW_CHART_VIEW (widget));
}


static void
add_key_binding (GtkWidgetClass *widget_class,
                 const guint    *keys,
                 guint           n_keys,
                 const char     *action)
{
  for (guint i = 0; i < n_keys; i++)
    gtk_widget_class_add_binding_action (widget_class, keys[i], 0, action, NULL);
}

void
tw_chart_view_class_init_input (GtkWidgetClass *widget_class)
{
  static const guint zoom_in_keys[] = { GDK_KEY_plus, GDK_KEY_equal, GDK_KEY_KP_Add };
  static const guint zoom_out_keys[] = { GDK_KEY_minus, GDK_KEY_KP_Subtract };
  static const guint left_keys[] = { GDK_KEY_Left, GDK_KEY_KP_Left };
  static const guint right_keys[] = { GDK_KEY_Right, GDK_KEY_KP_Right };
  static const guint live_keys[] = { GDK_KEY_Home, GDK_KEY_KP_Home };

  gtk_widget_class_install_action (widget_class, "chart.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "chart.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "chart.pan-left", NULL, pan_action);
  gtk_widget_class_install_action (widget_class, "chart.pan-right", NULL, pan_action);
  gtk_widget_class_install_action (widget_class, "chart.live", NULL, live_action);
  add_key_binding (widget_class, zoom_in_keys, G_N_ELEMENTS (zoom_in_keys), "chart.zoom-in");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_SHIFT_MASK,
                                       "chart.zoom-in", NULL);
  add_key_binding (widget_class, zoom_out_keys, G_N_ELEMENTS (zoom_out_keys), "chart.zoom-out");
  add_key_binding (widget_class, left_keys, G_N_ELEMENTS (left_keys), "chart.pan-left");
  add_key_binding (widget_class, right_keys, G_N_ELEMENTS (right_keys), "chart.pan-right");
  add_key_binding (widget_class, live_keys, G_N_ELEMENTS (live_keys), "chart.live");
}

void
tw_chart_view_init_input (TwChartView *self)
{
  GtkEventController *motion;
  GtkEventController *scroll;
  GtkGesture *drag;

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

/**
 * tw_chart_view_zoom:
 * @self: a chart view
 * @factor: new span over the old one (< 1 zooms in)
 * @anchor: the time that stays put (µs UTC); a live range keeps "now"
 */
void
tw_chart_view_zoom (TwChartView *self,
                    double       factor,
                    gint64       anchor)
{
  g_return_if_fail (TW_IS_CHART_VIEW (self));

  tw_time_range_zoom (self->range, factor, anchor);
}

/**
 * tw_chart_view_pan:
 * @self: a chart view
 * @share: how far, in visible spans (negative: earlier)
 */
void
tw_chart_view_pan (TwChartView *self,
                   double       share)
{
  gint64 t_from, t_to;

  g_return_if_fail (TW_IS_CHART_VIEW (self));

  tw_chart_view_current_range (self, &t_from, &t_to);
  if (tw_time_range_get_to (self->range) <= tw_time_range_get_from (self->range))
    tw_time_range_set (self->range, t_from, t_to);
  tw_time_range_pan (self->range, (gint64) (share * (double) (t_to - t_from)));
}

/**
 * tw_chart_view_go_live:
 * @self: a chart view
 *
 * Back to the newest data with the same span (Home).
 */
void
tw_chart_view_go_live (TwChartView *self)
{
  gint64 last_ts;

  g_return_if_fail (TW_IS_CHART_VIEW (self));

  last_ts = tw_chart_view_get_last_ts (self);
  tw_time_range_set_live (self->range, TRUE);
  tw_time_range_follow (self->range, MAX (tw_time_now (), last_ts));
}
