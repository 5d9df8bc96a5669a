#include "config.h"

#include <glib/gi18n.h>

#include "tw-time.h"
#include "tw-timeline-row.h"

/*
 * TwTimelineRow: one line of the patient's record (a diagnosis, a
 * treatment, a prescription, an allergy, history or an encounter event):
 * what it is as the title, its kind, date, code and status below. For
 * masked roles the store returns no free text, so the title is the code
 * (the record view says once, above the rows, that text is withheld).
 */

struct _TwTimelineRow
{
  AdwActionRow    parent_instance;

  TwClinicalKind  kind;
};

G_DEFINE_FINAL_TYPE (TwTimelineRow, tw_timeline_row, ADW_TYPE_ACTION_ROW)

static const char *
kind_icon (TwClinicalKind kind)
{
  switch (kind)
    {
    case TW_CLINICAL_ADMISSION:
    case TW_CLINICAL_TRANSFER:
    case TW_CLINICAL_DISCHARGE:
      return "go-jump-symbolic";
    case TW_CLINICAL_DIAGNOSIS:
      return "dialog-information-symbolic";
    case TW_CLINICAL_TREATMENT:
      return "emblem-system-symbolic";
    case TW_CLINICAL_PRESCRIPTION:
      return "document-edit-symbolic";
    case TW_CLINICAL_ALLERGY:
      return "dialog-warning-symbolic";
    case TW_CLINICAL_HISTORY:
      return "document-open-recent-symbolic";
    case TW_CLINICAL_DEMOGRAPHICS:
    case TW_CLINICAL_N_KINDS:
    default:
      return "avatar-default-symbolic";
    }
}

static void
tw_timeline_row_class_init (TwTimelineRowClass *klass)
{
}

static void
tw_timeline_row_init (TwTimelineRow *self)
{
}

/**
 * tw_timeline_row_new:
 * @entry: a record entry as the store returned it for the role
 *
 * Returns: (transfer floating): a row
 */
GtkWidget *
tw_timeline_row_new (const TwClinicalEntry *entry)
{
  TwTimelineRow *self;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *when = NULL;
  g_autofree char *title = NULL;
  g_autofree char *title_escaped = NULL;
  g_autofree char *subtitle_escaped = NULL;
  GtkWidget *icon;

  g_return_val_if_fail (entry != NULL, NULL);

  self = g_object_new (TW_TYPE_TIMELINE_ROW, NULL);
  self->kind = entry->kind;

  if (entry->text != NULL && entry->text[0] != '\0')
    title = g_strdup (entry->text);
  else if (entry->code != NULL && entry->code[0] != '\0')
    title = g_strdup (entry->code);
  else
    title = g_strdup (tw_clinical_kind_to_label (entry->kind));

  g_string_append (subtitle, tw_clinical_kind_to_label (entry->kind));
  when = tw_time_format_local (entry->ts, "%-d %b %Y %H:%M");
  g_string_append_printf (subtitle, " \u00b7 %s", when);
  if (entry->end_ts > 0)
    {
      g_autofree char *until = tw_time_format_local (entry->end_ts, "%-d %b %Y");

      /* Translators: the end of a treatment or diagnosis */
      g_string_append_printf (subtitle, _(" until %s"), until);
    }
  if (entry->code != NULL && entry->code[0] != '\0' && g_strcmp0 (entry->code, title) != 0)
    g_string_append_printf (subtitle, " \u00b7 %s", entry->code);
  if (entry->status != NULL && entry->status[0] != '\0')
    g_string_append_printf (subtitle, " \u00b7 %s", entry->status);
  if (entry->detail != NULL && entry->detail[0] != '\0')
    {
      gboolean encounter = entry->kind == TW_CLINICAL_ADMISSION
                           || entry->kind == TW_CLINICAL_TRANSFER;

      /* An encounter's detail is the bed. */
      if (encounter)
        g_string_append_printf (subtitle, " \u00b7 %s %s", _("bed"), entry->detail);
      else
        g_string_append_printf (subtitle, "\n%s", entry->detail);
    }

  title_escaped = g_markup_escape_text (title, -1);
  subtitle_escaped = g_markup_escape_text (subtitle->str, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title_escaped);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle_escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 3);

  icon = gtk_image_new_from_icon_name (kind_icon (entry->kind));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tw_clinical_kind_to_label (entry->kind), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (self), icon);
  if (entry->kind == TW_CLINICAL_ALLERGY)
    gtk_widget_add_css_class (icon, "error");

  return GTK_WIDGET (self);
}

TwClinicalKind
tw_timeline_row_get_kind (TwTimelineRow *self)
{
  g_return_val_if_fail (TW_IS_TIMELINE_ROW (self), TW_CLINICAL_N_KINDS);

  return self->kind;
}
