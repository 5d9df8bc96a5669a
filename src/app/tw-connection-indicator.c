#include "config.h"

#include <glib/gi18n.h>

#include "tw-admin-format.h"
#include "tw-connection-indicator.h"

/*
 * TwConnectionIndicator: a coloured dot and a short text that sum up the
 * pipeline's sources ("Connected · 8.0 msg/s"); the tooltip lists each
 * source with its counters and last error. The dot is drawn by CSS, so it
 * does not depend on which icons the installed theme has.
 */

typedef enum
{
  LEVEL_IDLE,
  LEVEL_OK,
  LEVEL_WAITING,
  LEVEL_ERROR,
} Level;

static const char *level_classes[] = { "idle", "ok", "waiting", "error" };

struct _TwConnectionIndicator
{
  AdwBin     parent_instance;

  /* Template widgets */
  GtkWidget *dot;
  GtkLabel  *label;

  /* Owned */
  Level      level;
};

G_DEFINE_FINAL_TYPE (TwConnectionIndicator, tw_connection_indicator, ADW_TYPE_BIN)

static void
set_level (TwConnectionIndicator *self,
           Level                  level)
{
  if (self->level == level)
    return;

  gtk_widget_remove_css_class (self->dot, level_classes[self->level]);
  self->level = level;
  gtk_widget_add_css_class (self->dot, level_classes[self->level]);
}

static void
set_text (TwConnectionIndicator *self,
          const char            *text,
          const char            *tooltip)
{
  if (g_strcmp0 (gtk_label_get_text (self->label), text) != 0)
    gtk_label_set_text (self->label, text);

  if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (self)), tooltip) != 0)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
      /* In compact mode only the dot shows; the state stays readable. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip,
                                      -1);
    }
}

static const char *
state_text (TwSourceState state)
{
  switch (state)
    {
    case TW_SOURCE_STATE_CONNECTING:   return _("Connecting…");
    case TW_SOURCE_STATE_CONNECTED:    return _("Connected");
    case TW_SOURCE_STATE_RECONNECTING: return _("Reconnecting…");
    case TW_SOURCE_STATE_FINISHED:     return _("Stream ended");
    case TW_SOURCE_STATE_STOPPED:      return _("Stopped");
    default:                           return _("Unknown");
    }
}

static char *
build_tooltip (const TwPipelineStatus *status)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (status->storage_error != NULL)
    g_string_append_printf (text, _("Storing paused: %s"), status->storage_error);

  for (guint i = 0; status->sources != NULL && i < status->sources->len; i++)
    {
      const TwSourceStatus *source = g_ptr_array_index (status->sources, i);
      g_autofree char *shown = source->url != NULL ? tw_source_url_redact (source->url) : NULL;
      g_autofree char *error = tw_redact_message (source->last_error, source->url);

      if (text->len > 0)
        g_string_append (text, "\n\n");

      /* A broker address may hold a password: never show it. */
      g_string_append_printf (text, "%s\n", shown != NULL ? shown : "");
      g_string_append_printf (text, _("%s · %.1f msg/s"),
                              state_text (source->state), source->message_rate);
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Received %" G_GUINT64_FORMAT
                                      " · stored %" G_GUINT64_FORMAT
                                      " · quarantined %" G_GUINT64_FORMAT),
                              source->received, source->stored, source->quarantined);
      if (source->reconnects > 0)
        {
          g_string_append_c (text, '\n');
          g_string_append_printf (text,
                                  g_dngettext (GETTEXT_PACKAGE,
                                               "%u reconnect", "%u reconnects",
                                               source->reconnects),
                                  source->reconnects);
        }
      if (error != NULL && error[0] != '\0')
        {
          g_string_append_c (text, '\n');
          g_string_append_printf (text, _("Last error: %s"), error);
        }
    }

  if (text->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
tw_connection_indicator_class_init (TwConnectionIndicatorClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-connection-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, TwConnectionIndicator, dot);
  gtk_widget_class_bind_template_child (widget_class, TwConnectionIndicator, label);

  gtk_widget_class_set_css_name (widget_class, "connectionindicator");
}

static void
tw_connection_indicator_init (TwConnectionIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->level = LEVEL_IDLE;
  gtk_widget_add_css_class (self->dot, level_classes[self->level]);
}

/**
 * tw_connection_indicator_update:
 * @self: an indicator
 * @status: a pipeline snapshot
 *
 * Sums up @status. Cheap enough to call on every poll: widgets change only
 * when the text does.
 */
void
tw_connection_indicator_update (TwConnectionIndicator  *self,
                                const TwPipelineStatus *status)
{
  g_autofree char *tooltip = NULL;
  g_autofree char *details = NULL;
  g_autofree char *text = NULL;
  guint n_connected = 0, n_connecting = 0, n_reconnecting = 0, n_finished = 0;
  guint n_sources;
  double rate = 0.0;
  Level level;

  g_return_if_fail (TW_IS_CONNECTION_INDICATOR (self));
  g_return_if_fail (status != NULL);

  n_sources = status->sources != NULL ? status->sources->len : 0;
  for (guint i = 0; i < n_sources; i++)
    {
      const TwSourceStatus *source = g_ptr_array_index (status->sources, i);

      switch (source->state)
        {
        case TW_SOURCE_STATE_CONNECTED:
          n_connected++;
          rate += source->message_rate;
          break;
        case TW_SOURCE_STATE_CONNECTING:
          n_connecting++;
          break;
        case TW_SOURCE_STATE_RECONNECTING:
          n_reconnecting++;
          break;
        case TW_SOURCE_STATE_FINISHED:
          n_finished++;
          break;
        case TW_SOURCE_STATE_STOPPED:
        default:
          break;
        }
    }

  if (status->storage_error != NULL)
    {
      level = LEVEL_ERROR;
      text = g_strdup (_("Storage error"));
    }
  else if (n_sources == 0)
    {
      level = LEVEL_IDLE;
      text = g_strdup (_("No data sources"));
    }
  else if (n_connected > 0)
    {
      level = n_reconnecting > 0 ? LEVEL_WAITING : LEVEL_OK;
      if (n_connected < n_sources)
        text = g_strdup_printf (_("Connected %u of %u · %.1f msg/s"), n_connected, n_sources, rate);
      else
        text = g_strdup_printf (_("Connected · %.1f msg/s"), rate);
    }
  else if (n_reconnecting > 0)
    {
      level = LEVEL_ERROR;
      text = g_strdup (_("Reconnecting…"));
    }
  else if (n_connecting > 0)
    {
      level = LEVEL_WAITING;
      text = g_strdup (_("Connecting…"));
    }
  else if (n_finished > 0)
    {
      level = LEVEL_IDLE;
      text = g_strdup (_("Stream ended"));
    }
  else
    {
      level = LEVEL_IDLE;
      text = g_strdup (_("Stopped"));
    }

  details = build_tooltip (status);
  tooltip = details != NULL ? g_strdup_printf ("%s\n\n%s", text, details) : g_strdup (text);
  set_level (self, level);
  set_text (self, text, tooltip);
}

/**
 * tw_connection_indicator_reset:
 * @self: an indicator
 *
 * Shows that nothing is connected, e.g. while locked.
 */
void
tw_connection_indicator_reset (TwConnectionIndicator *self)
{
  g_return_if_fail (TW_IS_CONNECTION_INDICATOR (self));

  set_level (self, LEVEL_IDLE);
  set_text (self, _("Not connected"), _("Not connected"));
}

/**
 * tw_connection_indicator_set_compact:
 * @self: an indicator
 * @compact: show only the dot (the text moves to the tooltip)
 */
void
tw_connection_indicator_set_compact (TwConnectionIndicator *self,
                                     gboolean               compact)
{
  g_return_if_fail (TW_IS_CONNECTION_INDICATOR (self));

  gtk_widget_set_visible (GTK_WIDGET (self->label), !compact);
}

const char *
tw_connection_indicator_get_text (TwConnectionIndicator *self)
{
  g_return_val_if_fail (TW_IS_CONNECTION_INDICATOR (self), NULL);

  return gtk_label_get_text (self->label);
}
