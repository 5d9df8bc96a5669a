#include "config.h"

#include <glib/gi18n.h>

#include "tw-application.h"
#include "tw-session.h"
#include "tw-window.h"

/*
 * TwApplication: command line options, app-wide actions (lock, quit,
 * about, shortcuts), the style preference, and the windows.
 */

#define RESOURCE_BASE_PATH "/io/github/tidewatch/Tidewatch"

struct _TwApplication
{
  AdwApplication  parent_instance;

  TwSettings     *settings;
  char           *data_dir;
  GStrv           connect_urls;
  TwKdfCost       kdf_cost;
};

G_DEFINE_FINAL_TYPE (TwApplication, tw_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_CONNECT_URLS,
  PROP_KDF_COST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[] = {
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Keep the encrypted store in DIR (default: the user data directory)"), N_("DIR") },
  { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, NULL,
    N_("Also receive the websocket stream at URL after signing in (repeatable)"), N_("URL") },
  { "kdf-cost", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Password hashing cost for new accounts: min (tests only), interactive, moderate, "
       "sensitive"), N_("COST") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
  { NULL }
};

static void
apply_style (TwApplication *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  const char *style = tw_settings_get_style (self->settings);
  AdwColorScheme scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (style, "light"))
    scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (style, "dark"))
    scheme = ADW_COLOR_SCHEME_FORCE_DARK;

  adw_style_manager_set_color_scheme (style_manager, scheme);
}

static TwWindow *
get_active_window (TwApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return TW_IS_WINDOW (window) ? TW_WINDOW (window) : NULL;
}

static void
lock_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  TwApplication *self = TW_APPLICATION (user_data);

  /* Every window shows patient data, so lock means all of them. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (TW_IS_WINDOW (l->data))
      tw_window_lock (TW_WINDOW (l->data));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  TwApplication *self = TW_APPLICATION (user_data);
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Stop the pipelines first: they commit what is queued. */
  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (TW_IS_WINDOW (l->data))
        tw_window_shutdown (TW_WINDOW (l->data));
      gtk_window_destroy (GTK_WINDOW (l->data));
    }

  g_application_quit (G_APPLICATION (self));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  TwApplication *self = TW_APPLICATION (user_data);
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "modal", TRUE,
                        "application-icon", APP_ID,
                        "application-name", _("Tidewatch"),
                        "developer-name", _("The Tidewatch developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Watch live data streams such as bedside vital signs, "
                                      "kept in an encrypted store on this computer."),
                        "website", "https://github.com/tidewatch/tidewatch",
                        "issue-url", "https://github.com/tidewatch/tidewatch/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "\u00a9 2026 The Tidewatch developers",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  TwWindow *window = get_active_window (TW_APPLICATION (user_data));

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static const GActionEntry app_actions[] = {
  { "lock", lock_activated },
  { "quit", quit_activated },
  { "about", about_activated },
  { "shortcuts", shortcuts_activated },
};

static gboolean
display_available (void)
{
  const char *display = g_getenv ("DISPLAY");
  const char *wayland = g_getenv ("WAYLAND_DISPLAY");

  if (gtk_init_check ())
    return TRUE;

  if ((display == NULL || display[0] == '\0') && (wayland == NULL || wayland[0] == '\0'))
    g_printerr ("tidewatch: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). "
                "To run without a screen: xvfb-run -a tidewatch …\n");
  else
    g_printerr ("tidewatch: cannot open the display (DISPLAY=%s, WAYLAND_DISPLAY=%s). "
                "To run without a screen: xvfb-run -a tidewatch …\n",
                display != NULL ? display : "", wayland != NULL ? wayland : "");

  return FALSE;
}

static int
tw_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  TwApplication *self = TW_APPLICATION (application);
  g_autofree char *data_dir = NULL;
  g_autofree char *cost_text = NULL;
  g_auto(GStrv) urls = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("tidewatch %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (g_variant_dict_lookup (options, "kdf-cost", "s", &cost_text))
    {
      TwKdfCost cost;

      if (!tw_kdf_cost_from_string (cost_text, &cost))
        {
          g_printerr (_("tidewatch: unknown --kdf-cost ‘%s’ (use min, interactive, moderate or "
                        "sensitive)\n"), cost_text);
          return 2;
        }
      tw_application_set_kdf_cost (self, cost);
    }

  if (g_variant_dict_lookup (options, "data-dir", "^ay", &data_dir))
    tw_application_set_data_dir (self, data_dir);

  if (g_variant_dict_lookup (options, "connect", "^as", &urls))
    tw_application_set_connect_urls (self, (const char * const *) urls);

  /* Checked after --help and --version, which need no display. */
  if (!display_available ())
    return EXIT_FAILURE;

  return G_APPLICATION_CLASS (tw_application_parent_class)->handle_local_options (application,
                                                                                 options);
}

static void
tw_application_startup (GApplication *application)
{
  TwApplication *self = TW_APPLICATION (application);
  static const char *lock_accels[] = { "<Control>l", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *monitor_accels[] = { "<Control>1", NULL };
  static const char *sources_accels[] = { "<Control>2", NULL };
  static const char *quarantine_accels[] = { "<Control>3", NULL };
  static const char *ward_accels[] = { "<Control>6", NULL };
  g_autoptr(GPropertyAction) style_action = NULL;

  G_APPLICATION_CLASS (tw_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  style_action = g_property_action_new ("style", self->settings, "style");
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (style_action));
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.lock", lock_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-monitor",
                                         monitor_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-sources",
                                         sources_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-quarantine",
                                         quarantine_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-ward", ward_accels);

  g_signal_connect_object (self->settings, "notify::style",
                           G_CALLBACK (apply_style), self,
                           G_CONNECT_SWAPPED);
  apply_style (self);
}

static void
tw_application_activate (GApplication *application)
{
  TwApplication *self = TW_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (tw_window_new (self));

  gtk_window_present (window);
}

static void
tw_application_shutdown (GApplication *application)
{
  TwApplication *self = TW_APPLICATION (application);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (TW_IS_WINDOW (l->data))
      tw_window_shutdown (TW_WINDOW (l->data));

  G_APPLICATION_CLASS (tw_application_parent_class)->shutdown (application);
}

static void
tw_application_finalize (GObject *object)
{
  TwApplication *self = (TwApplication *)object;

  g_clear_object (&self->settings);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->connect_urls, g_strfreev);

  G_OBJECT_CLASS (tw_application_parent_class)->finalize (object);
}

static void
tw_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TwApplication *self = TW_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, tw_application_get_data_dir (self));
      break;
    case PROP_CONNECT_URLS:
      g_value_set_boxed (value, self->connect_urls);
      break;
    case PROP_KDF_COST:
      g_value_set_uint (value, self->kdf_cost);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TwApplication *self = TW_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      tw_application_set_data_dir (self, g_value_get_string (value));
      break;
    case PROP_CONNECT_URLS:
      tw_application_set_connect_urls (self, g_value_get_boxed (value));
      break;
    case PROP_KDF_COST:
      tw_application_set_kdf_cost (self, (TwKdfCost) g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_application_class_init (TwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = tw_application_finalize;
  object_class->get_property = tw_application_get_property;
  object_class->set_property = tw_application_set_property;

  app_class->handle_local_options = tw_application_handle_local_options;
  app_class->startup = tw_application_startup;
  app_class->activate = tw_application_activate;
  app_class->shutdown = tw_application_shutdown;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECT_URLS] =
    g_param_spec_boxed ("connect-urls", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KDF_COST] =
    g_param_spec_uint ("kdf-cost", NULL, NULL,
                       TW_KDF_COST_MIN, TW_KDF_COST_SENSITIVE, TW_KDF_COST_DEFAULT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tw_application_init (TwApplication *self)
{
  self->kdf_cost = TW_KDF_COST_DEFAULT;
  self->settings = tw_settings_new (APP_ID);

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Watch live data streams in an encrypted store."));
}

/**
 * tw_application_new:
 *
 * Returns: (transfer full): the application
 */
TwApplication *
tw_application_new (void)
{
  /* NON_UNIQUE: tests and demos run several instances side by side, each
   * with its own data directory. The resource path stays the same for the
   * .Devel id, so style.css and the help overlay are found. */
  return g_object_new (TW_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

TwSettings *
tw_application_get_settings (TwApplication *self)
{
  g_return_val_if_fail (TW_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * tw_application_get_data_dir:
 * @self: the application
 *
 * Returns: the data directory: --data-dir, else the data-dir setting, else
 *   the user data directory
 */
const char *
tw_application_get_data_dir (TwApplication *self)
{
  g_return_val_if_fail (TW_IS_APPLICATION (self), NULL);

  if (self->data_dir == NULL)
    {
      const char *configured = tw_settings_get_data_dir (self->settings);

      if (configured != NULL && configured[0] != '\0')
        self->data_dir = g_strdup (configured);
      else
        self->data_dir = tw_data_dir_get_default ();
    }

  return self->data_dir;
}

void
tw_application_set_data_dir (TwApplication *self,
                             const char    *data_dir)
{
  g_return_if_fail (TW_IS_APPLICATION (self));

  if (g_strcmp0 (self->data_dir, data_dir) == 0)
    return;

  g_free (self->data_dir);
  self->data_dir = g_strdup (data_dir);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_DIR]);
}

/**
 * tw_application_get_connect_urls:
 * @self: the application
 *
 * Returns: (nullable) (transfer none): the --connect URLs
 */
const char * const *
tw_application_get_connect_urls (TwApplication *self)
{
  g_return_val_if_fail (TW_IS_APPLICATION (self), NULL);

  return (const char * const *) self->connect_urls;
}

void
tw_application_set_connect_urls (TwApplication      *self,
                                 const char * const *urls)
{
  g_return_if_fail (TW_IS_APPLICATION (self));

  if (self->connect_urls == NULL && urls == NULL)
    return;
  if (self->connect_urls != NULL && urls != NULL
      && g_strv_equal ((const char * const *) self->connect_urls, urls))
    return;

  g_strfreev (self->connect_urls);
  self->connect_urls = g_strdupv ((char **) urls);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECT_URLS]);
}

TwKdfCost
tw_application_get_kdf_cost (TwApplication *self)
{
  g_return_val_if_fail (TW_IS_APPLICATION (self), TW_KDF_COST_DEFAULT);

  return self->kdf_cost;
}

void
tw_application_set_kdf_cost (TwApplication *self,
                             TwKdfCost      cost)
{
  g_return_if_fail (TW_IS_APPLICATION (self));
  g_return_if_fail (cost <= TW_KDF_COST_SENSITIVE);

  if (self->kdf_cost == cost)
    return;

  self->kdf_cost = cost;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KDF_COST]);
}
