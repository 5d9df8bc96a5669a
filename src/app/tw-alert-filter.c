#include "config.h"

#include <glib/gi18n.h>

#include "tw-alert-filter.h"
#include "tw-alert-item.h"

/*
 * TwAlertFilter: the console's filters by state, group (ward, customer
 * tier, portfolio) and source, as a GtkFilter over TwAlertItems. It fills
 * and follows three drop-downs: the group and source choices are those of
 * the open alerts, plus the one chosen, so a filter does not jump away
 * while its alerts come and go; a drop-down with nothing to choose hides.
 */

typedef enum
{
  STATE_ALL,
  STATE_ACTIVE,
  STATE_ACKNOWLEDGED,
  STATE_CLEARED,
} StateChoice;

struct _TwAlertFilter
{
  GtkFilter      parent_instance;

  /* Borrowed (the page's template widgets, which outlive the filter's use) */
  GtkDropDown   *state_choice;
  GtkDropDown   *group_choice;
  GtkDropDown   *source_choice;

  /* Owned */
  GtkStringList *groups;       /* position 0: all */
  GtkStringList *sources;      /* position 0: all */
  GArray        *source_ids;   /* gint64, for sources 1.. */
  gboolean       updating;
};

G_DEFINE_FINAL_TYPE (TwAlertFilter, tw_alert_filter, GTK_TYPE_FILTER)

static const char *
selected_string (GtkDropDown *dropdown)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (dropdown);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static gint64
selected_source (TwAlertFilter *self)
{
  guint position = gtk_drop_down_get_selected (self->source_choice);

  if (position == GTK_INVALID_LIST_POSITION || position == 0 || position > self->source_ids->len)
    return 0;

  return g_array_index (self->source_ids, gint64, position - 1);
}

static const char *
selected_group (TwAlertFilter *self)
{
  guint position = gtk_drop_down_get_selected (self->group_choice);

  if (position == GTK_INVALID_LIST_POSITION || position == 0)
    return NULL;

  return selected_string (self->group_choice);
}

static gboolean
tw_alert_filter_match (GtkFilter *filter,
                       gpointer   item)
{
  TwAlertFilter *self = TW_ALERT_FILTER (filter);
  const TwAlert *alert = tw_alert_item_get_alert (TW_ALERT_ITEM (item));
  const char *group = selected_group (self);
  gint64 source = selected_source (self);

  switch ((StateChoice) gtk_drop_down_get_selected (self->state_choice))
    {
    case STATE_ACTIVE:
      if (alert->state != TW_ALERT_STATE_ACTIVE)
        return FALSE;
      break;
    case STATE_ACKNOWLEDGED:
      if (alert->state != TW_ALERT_STATE_ACKNOWLEDGED)
        return FALSE;
      break;
    case STATE_CLEARED:
      if (alert->state != TW_ALERT_STATE_CLEARED)
        return FALSE;
      break;
    case STATE_ALL:
    default:
      break;
    }

  if (group != NULL && g_strcmp0 (alert->group, group) != 0)
    return FALSE;
  if (source != 0 && alert->source_id != source)
    return FALSE;

  return TRUE;
}

static GtkFilterMatch
tw_alert_filter_get_strictness (GtkFilter *filter)
{
  TwAlertFilter *self = TW_ALERT_FILTER (filter);

  if (gtk_drop_down_get_selected (self->state_choice) == STATE_ALL
      && selected_group (self) == NULL && selected_source (self) == 0)
    return GTK_FILTER_MATCH_ALL;

  return GTK_FILTER_MATCH_SOME;
}

static void
on_choice_changed (TwAlertFilter *self)
{
  if (!self->updating)
    gtk_filter_changed (GTK_FILTER (self), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
tw_alert_filter_finalize (GObject *object)
{
  TwAlertFilter *self = (TwAlertFilter *)object;

  g_clear_object (&self->groups);
  g_clear_object (&self->sources);
  g_clear_pointer (&self->source_ids, g_array_unref);

  G_OBJECT_CLASS (tw_alert_filter_parent_class)->finalize (object);
}

static void
tw_alert_filter_class_init (TwAlertFilterClass *klass)
{
  GtkFilterClass *filter_class = GTK_FILTER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = tw_alert_filter_finalize;
  filter_class->match = tw_alert_filter_match;
  filter_class->get_strictness = tw_alert_filter_get_strictness;
}

static void
tw_alert_filter_init (TwAlertFilter *self)
{
  self->source_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
}

/**
 * tw_alert_filter_new:
 * @state_choice: a drop-down to fill with the states
 * @group_choice: a drop-down to fill with the groups of open alerts
 * @source_choice: a drop-down to fill with their sources
 *
 * Returns: (transfer full): a filter that follows the three drop-downs
 */
TwAlertFilter *
tw_alert_filter_new (GtkDropDown *state_choice,
                     GtkDropDown *group_choice,
                     GtkDropDown *source_choice)
{
  static const char *states[] = {
    N_("All States"), N_("Active"), N_("Acknowledged"), N_("Cleared"), NULL
  };
  g_autoptr(GtkStringList) state_list = gtk_string_list_new (NULL);
  TwAlertFilter *self;

  g_return_val_if_fail (GTK_IS_DROP_DOWN (state_choice), NULL);
  g_return_val_if_fail (GTK_IS_DROP_DOWN (group_choice), NULL);
  g_return_val_if_fail (GTK_IS_DROP_DOWN (source_choice), NULL);

  self = g_object_new (TW_TYPE_ALERT_FILTER, NULL);
  self->state_choice = state_choice;
  self->group_choice = group_choice;
  self->source_choice = source_choice;

  for (guint i = 0; states[i] != NULL; i++)
    gtk_string_list_append (state_list, g_dgettext (GETTEXT_PACKAGE, states[i]));
  self->groups = gtk_string_list_new ((const char * const[]) { _("All Groups"), NULL });
  self->sources = gtk_string_list_new ((const char * const[]) { _("All Sources"), NULL });

  gtk_drop_down_set_model (state_choice, G_LIST_MODEL (state_list));
  gtk_drop_down_set_model (group_choice, G_LIST_MODEL (self->groups));
  gtk_drop_down_set_model (source_choice, G_LIST_MODEL (self->sources));
  gtk_widget_set_visible (GTK_WIDGET (group_choice), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (source_choice), FALSE);

  g_signal_connect_object (state_choice, "notify::selected", G_CALLBACK (on_choice_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (group_choice, "notify::selected", G_CALLBACK (on_choice_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (source_choice, "notify::selected", G_CALLBACK (on_choice_changed),
                           self, G_CONNECT_SWAPPED);

  return self;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_utf8_collate (*(const char * const *) a, *(const char * const *) b);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static char *
source_label (GHashTable *source_names,
              gint64      id)
{
  const char *name = source_names != NULL ? g_hash_table_lookup (source_names, &id) : NULL;

  if (name != NULL)
    return g_strdup (name);

  /* Translators: a data source known only by its number */
  return g_strdup_printf (_("Source %" G_GINT64_FORMAT), id);
}

static gboolean
list_equals (GtkStringList *list,
             GStrv          strings)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (list)) != g_strv_length (strings))
    return FALSE;

  for (guint i = 0; strings[i] != NULL; i++)
    if (g_strcmp0 (gtk_string_list_get_string (list, i), strings[i]) != 0)
      return FALSE;

  return TRUE;
}

/**
 * tw_alert_filter_update_choices:
 * @self: the filter
 * @snapshot: (nullable): the open alerts
 * @source_names: (nullable): gint64 id → name
 *
 * Offers the groups and sources of the open alerts; leaves the drop-downs
 * alone when they already offer exactly those.
 */
void
tw_alert_filter_update_choices (TwAlertFilter         *self,
                                const TwAlertSnapshot *snapshot,
                                GHashTable            *source_names)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *chosen_group = g_strdup (selected_group (self));
  gint64 chosen_id = selected_source (self);
  g_autoptr(GStrvBuilder) group_builder = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) source_builder = g_strv_builder_new ();
  g_auto(GStrv) group_strv = NULL;
  g_auto(GStrv) source_strv = NULL;
  guint group_position = 0;
  guint source_position = 0;

  g_return_if_fail (TW_IS_ALERT_FILTER (self));

  if (chosen_group != NULL)
    g_ptr_array_add (groups, g_strdup (chosen_group));
  if (chosen_id != 0)
    g_array_append_val (ids, chosen_id);

  for (guint i = 0; snapshot != NULL && i < snapshot->alerts->len; i++)
    {
      const TwAlert *alert = g_ptr_array_index (snapshot->alerts, i);
      gboolean known = FALSE;

      if (alert->group != NULL
          && !g_ptr_array_find_with_equal_func (groups, alert->group, g_str_equal, NULL))
        g_ptr_array_add (groups, g_strdup (alert->group));

      for (guint j = 0; j < ids->len && !known; j++)
        known = g_array_index (ids, gint64, j) == alert->source_id;
      if (alert->source_id != 0 && !known)
        g_array_append_val (ids, alert->source_id);
    }
  g_ptr_array_sort (groups, compare_strings);
  g_array_sort (ids, compare_ids);

  g_strv_builder_add (group_builder, _("All Groups"));
  for (guint i = 0; i < groups->len; i++)
    {
      g_strv_builder_add (group_builder, g_ptr_array_index (groups, i));
      if (g_strcmp0 (g_ptr_array_index (groups, i), chosen_group) == 0)
        group_position = i + 1;
    }
  g_strv_builder_add (source_builder, _("All Sources"));
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *label = source_label (source_names, g_array_index (ids, gint64, i));

      g_strv_builder_add (source_builder, label);
      if (g_array_index (ids, gint64, i) == chosen_id)
        source_position = i + 1;
    }
  group_strv = g_strv_builder_end (group_builder);
  source_strv = g_strv_builder_end (source_builder);

  if (list_equals (self->groups, group_strv) && list_equals (self->sources, source_strv))
    return;

  /* Replacing the choices moves the selection: put it back, quietly. */
  self->updating = TRUE;
  gtk_string_list_splice (self->groups, 0, g_list_model_get_n_items (G_LIST_MODEL (self->groups)),
                          (const char * const *) group_strv);
  gtk_string_list_splice (self->sources, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->sources)),
                          (const char * const *) source_strv);
  g_array_set_size (self->source_ids, 0);
  g_array_append_vals (self->source_ids, ids->data, ids->len);
  gtk_drop_down_set_selected (self->group_choice, group_position);
  gtk_drop_down_set_selected (self->source_choice, source_position);
  self->updating = FALSE;

  gtk_widget_set_visible (GTK_WIDGET (self->group_choice), groups->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->source_choice), ids->len > 0);
}

/* Shows every open alert again. */
void
tw_alert_filter_reset (TwAlertFilter *self)
{
  g_return_if_fail (TW_IS_ALERT_FILTER (self));

  self->updating = TRUE;
  gtk_drop_down_set_selected (self->state_choice, STATE_ALL);
  gtk_drop_down_set_selected (self->group_choice, 0);
  gtk_drop_down_set_selected (self->source_choice, 0);
  self->updating = FALSE;
  gtk_filter_changed (GTK_FILTER (self), GTK_FILTER_CHANGE_LESS_STRICT);
}
