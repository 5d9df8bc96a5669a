#include <gio/gio.h>

#include "tw-settings.h"

/*
 * TwSettings: the application's preferences as properties, filled from
 * GSettings with g_settings_bind(). Every key is optional: when the schema
 * (or a key) is not installed the property keeps its default, so a build
 * tree without compiled schemas still runs instead of aborting.
 */

#define DEFAULT_WIDTH                1200
#define DEFAULT_HEIGHT               800
#define DEFAULT_TREND_WINDOW_MINUTES 10
#define MAX_TREND_WINDOW_MINUTES     (7 * 24 * 60)
#define MAX_IDLE_LOCK_MINUTES        (24 * 60)
#define MIN_WINDOW_SIZE              360
#define MAX_WINDOW_SIZE              32767

struct _TwSettings
{
  GObject    parent_instance;

  GSettings *settings;

  int        window_width;
  int        window_height;
  gboolean   window_maximized;
  char      *style;
  guint      idle_lock_minutes;
  guint      trend_window_minutes;
  gboolean   alert_sound;
  char      *data_dir;
  char      *last_user;
};

G_DEFINE_FINAL_TYPE (TwSettings, tw_settings, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_WINDOW_WIDTH,
  PROP_WINDOW_HEIGHT,
  PROP_WINDOW_MAXIMIZED,
  PROP_STYLE,
  PROP_IDLE_LOCK_MINUTES,
  PROP_TREND_WINDOW_MINUTES,
  PROP_ALERT_SOUND,
  PROP_DATA_DIR,
  PROP_LAST_USER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
style_is_valid (const char *style)
{
  return g_strcmp0 (style, "follow") == 0
         || g_strcmp0 (style, "light") == 0
         || g_strcmp0 (style, "dark") == 0;
}

static void
set_string (TwSettings  *self,
            char       **field,
            const char  *value,
            int          prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value != NULL ? value : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_int (TwSettings *self,
         int        *field,
         int         value,
         int         prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_uint (TwSettings *self,
          guint      *field,
          guint       value,
          int         prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_boolean (TwSettings *self,
             gboolean   *field,
             gboolean    value,
             int         prop_id)
{
  value = !!value;
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
tw_settings_finalize (GObject *object)
{
  TwSettings *self = (TwSettings *)object;

  g_clear_object (&self->settings);
  g_clear_pointer (&self->style, g_free);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->last_user, g_free);

  G_OBJECT_CLASS (tw_settings_parent_class)->finalize (object);
}

static void
tw_settings_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TwSettings *self = TW_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_WINDOW_WIDTH:
      g_value_set_int (value, self->window_width);
      break;
    case PROP_WINDOW_HEIGHT:
      g_value_set_int (value, self->window_height);
      break;
    case PROP_WINDOW_MAXIMIZED:
      g_value_set_boolean (value, self->window_maximized);
      break;
    case PROP_STYLE:
      g_value_set_string (value, self->style);
      break;
    case PROP_IDLE_LOCK_MINUTES:
      g_value_set_uint (value, self->idle_lock_minutes);
      break;
    case PROP_TREND_WINDOW_MINUTES:
      g_value_set_uint (value, self->trend_window_minutes);
      break;
    case PROP_ALERT_SOUND:
      g_value_set_boolean (value, self->alert_sound);
      break;
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_LAST_USER:
      g_value_set_string (value, self->last_user);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_settings_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TwSettings *self = TW_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_WINDOW_WIDTH:
      set_int (self, &self->window_width, g_value_get_int (value), prop_id);
      break;
    case PROP_WINDOW_HEIGHT:
      set_int (self, &self->window_height, g_value_get_int (value), prop_id);
      break;
    case PROP_WINDOW_MAXIMIZED:
      set_boolean (self, &self->window_maximized, g_value_get_boolean (value), prop_id);
      break;
    case PROP_STYLE:
      tw_settings_set_style (self, g_value_get_string (value));
      break;
    case PROP_IDLE_LOCK_MINUTES:
      set_uint (self, &self->idle_lock_minutes, g_value_get_uint (value), prop_id);
      break;
    case PROP_TREND_WINDOW_MINUTES:
      set_uint (self, &self->trend_window_minutes, g_value_get_uint (value), prop_id);
      break;
    case PROP_ALERT_SOUND:
      set_boolean (self, &self->alert_sound, g_value_get_boolean (value), prop_id);
      break;
    case PROP_DATA_DIR:
      set_string (self, &self->data_dir, g_value_get_string (value), prop_id);
      break;
    case PROP_LAST_USER:
      set_string (self, &self->last_user, g_value_get_string (value), prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_settings_class_init (TwSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tw_settings_finalize;
  object_class->get_property = tw_settings_get_property;
  object_class->set_property = tw_settings_set_property;

  properties[PROP_WINDOW_WIDTH] =
    g_param_spec_int ("window-width", NULL, NULL,
                      MIN_WINDOW_SIZE, MAX_WINDOW_SIZE, DEFAULT_WIDTH, flags);
  properties[PROP_WINDOW_HEIGHT] =
    g_param_spec_int ("window-height", NULL, NULL,
                      MIN_WINDOW_SIZE, MAX_WINDOW_SIZE, DEFAULT_HEIGHT, flags);
  properties[PROP_WINDOW_MAXIMIZED] =
    g_param_spec_boolean ("window-maximized", NULL, NULL, FALSE, flags);
  properties[PROP_STYLE] =
    g_param_spec_string ("style", NULL, NULL, "follow", flags);
  properties[PROP_IDLE_LOCK_MINUTES] =
    g_param_spec_uint ("idle-lock-minutes", NULL, NULL,
                       0, MAX_IDLE_LOCK_MINUTES, 0, flags);
  properties[PROP_TREND_WINDOW_MINUTES] =
    g_param_spec_uint ("trend-window-minutes", NULL, NULL,
                       1, MAX_TREND_WINDOW_MINUTES, DEFAULT_TREND_WINDOW_MINUTES, flags);
  properties[PROP_ALERT_SOUND] =
    g_param_spec_boolean ("alert-sound", NULL, NULL, TRUE, flags);
  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, "", flags);
  properties[PROP_LAST_USER] =
    g_param_spec_string ("last-user", NULL, NULL, "", flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tw_settings_init (TwSettings *self)
{
  self->window_width = DEFAULT_WIDTH;
  self->window_height = DEFAULT_HEIGHT;
  self->style = g_strdup ("follow");
  self->trend_window_minutes = DEFAULT_TREND_WINDOW_MINUTES;
  self->alert_sound = TRUE;
  self->data_dir = g_strdup ("");
  self->last_user = g_strdup ("");
}

static void
bind_available_keys (TwSettings *self,
                     const char *schema_id)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, schema_id, TRUE);

  if (schema == NULL)
    {
      g_debug ("GSettings schema %s is not installed; using defaults", schema_id);
      return;
    }

  self->settings = g_settings_new_full (schema, NULL, NULL);

  for (guint i = 1; i < N_PROPS; i++)
    {
      const char *key = g_param_spec_get_name (properties[i]);

      if (g_settings_schema_has_key (schema, key))
        g_settings_bind (self->settings, key, self, key, G_SETTINGS_BIND_DEFAULT);
      else
        g_debug ("GSettings key %s.%s is missing; using its default", schema_id, key);
    }
}

/**
 * tw_settings_new:
 * @schema_id: the GSettings schema, normally APP_ID
 *
 * Returns: (transfer full): the settings
 */
TwSettings *
tw_settings_new (const char *schema_id)
{
  TwSettings *self;

  g_return_val_if_fail (schema_id != NULL, NULL);

  self = g_object_new (TW_TYPE_SETTINGS, NULL);
  bind_available_keys (self, schema_id);

  return self;
}

const char *
tw_settings_get_style (TwSettings *self)
{
  g_return_val_if_fail (TW_IS_SETTINGS (self), "follow");

  return style_is_valid (self->style) ? self->style : "follow";
}

void
tw_settings_set_style (TwSettings *self,
                       const char *style)
{
  g_return_if_fail (TW_IS_SETTINGS (self));

  /* An unknown value would make GSettings reject the write of an enum key;
   * "follow" is what the user gets for anything we do not know. */
  if (!style_is_valid (style))
    style = "follow";

  set_string (self, &self->style, style, PROP_STYLE);
}

guint
tw_settings_get_trend_window_minutes (TwSettings *self)
{
  g_return_val_if_fail (TW_IS_SETTINGS (self), DEFAULT_TREND_WINDOW_MINUTES);

  return MAX (self->trend_window_minutes, 1);
}

/* Whether alerts also sound; they are always shown, whatever this says. */
gboolean
tw_settings_get_alert_sound (TwSettings *self)
{
  g_return_val_if_fail (TW_IS_SETTINGS (self), TRUE);

  return self->alert_sound;
}

void
tw_settings_set_alert_sound (TwSettings *self,
                             gboolean    enabled)
{
  g_return_if_fail (TW_IS_SETTINGS (self));

  g_object_set (self, "alert-sound", enabled, NULL);
}

guint
tw_settings_get_idle_lock_minutes (TwSettings *self)
{
  g_return_val_if_fail (TW_IS_SETTINGS (self), 0);

  return self->idle_lock_minutes;
}

const char *
tw_settings_get_data_dir (TwSettings *self)
{
  g_return_val_if_fail (TW_IS_SETTINGS (self), "");

  return self->data_dir;
}

const char *
tw_settings_get_last_user (TwSettings *self)
{
  g_return_val_if_fail (TW_IS_SETTINGS (self), "");

  return self->last_user;
}

void
tw_settings_set_last_user (TwSettings *self,
                           const char *user)
{
  g_return_if_fail (TW_IS_SETTINGS (self));

  set_string (self, &self->last_user, user, PROP_LAST_USER);
}

void
tw_settings_get_window_state (TwSettings *self,
                              int        *width,
                              int        *height,
                              gboolean   *maximized)
{
  g_return_if_fail (TW_IS_SETTINGS (self));

  if (width != NULL)
    *width = self->window_width;
  if (height != NULL)
    *height = self->window_height;
  if (maximized != NULL)
    *maximized = self->window_maximized;
}

void
tw_settings_set_window_state (TwSettings *self,
                              int         width,
                              int         height,
                              gboolean    maximized)
{
  g_return_if_fail (TW_IS_SETTINGS (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (width >= MIN_WINDOW_SIZE && width <= MAX_WINDOW_SIZE)
    set_int (self, &self->window_width, width, PROP_WINDOW_WIDTH);
  if (height >= MIN_WINDOW_SIZE && height <= MAX_WINDOW_SIZE)
    set_int (self, &self->window_height, height, PROP_WINDOW_HEIGHT);
  set_boolean (self, &self->window_maximized, maximized, PROP_WINDOW_MAXIMIZED);
  g_object_thaw_notify (G_OBJECT (self));
}
