#include "config.h"

#include <glib/gi18n.h>

#include "tw-admin-page.h"
#include "tw-audit-page.h"
#include "tw-quarantine-page.h"
#include "tw-role.h"
#include "tw-sources-page.h"
#include "tw-users-page.h"

/*
 * TwAdminPage: the administrator's side of the window, with a view
 * switcher between the Sources, Quarantine, Users and Audit pages (the
 * last two work on the session and the audit trail, not on the
 * pipeline). It polls the
 * pipeline's status snapshot (cheap, never blocks) and hands it to both
 * pages; when the sources change it emits ::sources-changed, and the
 * window restarts the pipeline and hands the new one back with
 * set_pipeline().
 */

#define POLL_INTERVAL_MS 500

struct _TwAdminPage
{
  AdwBin                 parent_instance;

  /* Template widgets */
  AdwViewSwitcherTitle  *switcher_title;
  AdwViewStack          *view_stack;
  AdwViewStackPage      *quarantine_stack_page;
  AdwViewStackPage      *audit_stack_page;
  TwSourcesPage         *sources_page;
  TwQuarantinePage      *quarantine_page;
  TwUsersPage           *users_page;
  TwAuditPage           *audit_page;

  /* Borrowed, between start() and stop() */
  TwPipeline            *pipeline;

  /* Owned */
  guint                  poll_source;
};

G_DEFINE_FINAL_TYPE (TwAdminPage, tw_admin_page, ADW_TYPE_BIN)

enum {
  SOURCES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void follow_pipeline (TwAdminPage *self,
                             TwPipeline  *pipeline);

static void
poll_status (TwAdminPage *self)
{
  TwPipelineStatus *status;
  guint64 quarantined = 0;

  if (self->pipeline == NULL)
    return;

  status = tw_pipeline_get_status (self->pipeline);
  if (status == NULL)
    return;

  for (guint i = 0; i < status->sources->len; i++)
    quarantined += ((const TwSourceStatus *) g_ptr_array_index (status->sources, i))->quarantined;

  tw_quarantine_page_set_quarantined_total (self->quarantine_page, quarantined);
  tw_sources_page_set_status (self->sources_page, status);
}

static gboolean
poll_cb (gpointer user_data)
{
  poll_status (TW_ADMIN_PAGE (user_data));

  return G_SOURCE_CONTINUE;
}

static void
on_sources_changed (TwAdminPage *self)
{
  g_signal_emit (self, signals[SOURCES_CHANGED], 0);
}

static void
on_quarantine_count (TwAdminPage *self)
{
  adw_view_stack_page_set_badge_number (self->quarantine_stack_page,
                                        tw_quarantine_page_get_count (self->quarantine_page));
}

/* Emergency accesses waiting for review show on the Audit tab. */
static void
on_grants_count (TwAdminPage *self)
{
  guint n = 0;

  g_object_get (self->audit_page, "n-grants", &n, NULL);
  adw_view_stack_page_set_badge_number (self->audit_stack_page, n);
  adw_view_stack_page_set_needs_attention (self->audit_stack_page, n > 0);
}

/* The trail grows while the page is hidden: it is read and checked again
 * when shown, so what it says on top is about what is listed. */
static void
on_view_changed (TwAdminPage *self)
{
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "audit") == 0)
    tw_audit_page_reload (self->audit_page, TRUE);
}

static void
tw_admin_page_dispose (GObject *object)
{
  TwAdminPage *self = (TwAdminPage *)object;

  tw_admin_page_stop (self);

  G_OBJECT_CLASS (tw_admin_page_parent_class)->dispose (object);
}

static void
tw_admin_page_class_init (TwAdminPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tw_admin_page_dispose;

  /**
   * TwAdminPage::sources-changed:
   *
   * Sources were added, changed or removed in the store: restart the
   * pipeline and hand the new one over with tw_admin_page_set_pipeline().
   */
  signals[SOURCES_CHANGED] = g_signal_new ("sources-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);

  g_type_ensure (TW_TYPE_SOURCES_PAGE);
  g_type_ensure (TW_TYPE_QUARANTINE_PAGE);
  g_type_ensure (TW_TYPE_USERS_PAGE);
  g_type_ensure (TW_TYPE_AUDIT_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tidewatch/Tidewatch/tw-admin-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TwAdminPage, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, TwAdminPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TwAdminPage, quarantine_stack_page);
  gtk_widget_class_bind_template_child (widget_class, TwAdminPage, audit_stack_page);
  gtk_widget_class_bind_template_child (widget_class, TwAdminPage, sources_page);
  gtk_widget_class_bind_template_child (widget_class, TwAdminPage, quarantine_page);
  gtk_widget_class_bind_template_child (widget_class, TwAdminPage, users_page);
  gtk_widget_class_bind_template_child (widget_class, TwAdminPage, audit_page);
  gtk_widget_class_bind_template_callback (widget_class, on_sources_changed);
}

static void
tw_admin_page_init (TwAdminPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->quarantine_page, "notify::count",
                           G_CALLBACK (on_quarantine_count), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->audit_page, "notify::n-grants",
                           G_CALLBACK (on_grants_count), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (on_view_changed), self, G_CONNECT_SWAPPED);
}

/**
 * tw_admin_page_start:
 * @self: the page
 * @session: the signed-in session (an administrator's; other roles get
 *   empty pages, and the window does not show this one to them)
 * @pipeline: (nullable): the running pipeline; borrowed until
 *   tw_admin_page_stop() or the next tw_admin_page_set_pipeline()
 */
void
tw_admin_page_start (TwAdminPage *self,
                     TwSession   *session,
                     TwPipeline  *pipeline)
{
  g_autofree char *subtitle = NULL;

  g_return_if_fail (TW_IS_ADMIN_PAGE (self));
  g_return_if_fail (session != NULL);

  tw_admin_page_stop (self);

  /* Translators: the signed-in user and their role, "ana · Administrator" */
  subtitle = g_strdup_printf (_("%s \u00b7 %s"), tw_session_get_user (session),
                              tw_role_to_label (tw_session_get_role (session)));
  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);

  tw_sources_page_start (self->sources_page, session);
  tw_quarantine_page_start (self->quarantine_page, session);
  tw_users_page_start (self->users_page, session);
  tw_audit_page_start (self->audit_page, session);
  follow_pipeline (self, pipeline);
}

/**
 * tw_admin_page_stop:
 * @self: the page
 *
 * Forgets the session and the pipeline. Call it before the pipeline is
 * freed.
 */
void
tw_admin_page_stop (TwAdminPage *self)
{
  g_return_if_fail (TW_IS_ADMIN_PAGE (self));

  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->pipeline = NULL;

  if (self->sources_page == NULL)
    return;

  tw_sources_page_stop (self->sources_page);
  tw_quarantine_page_stop (self->quarantine_page);
  tw_users_page_stop (self->users_page);
  tw_audit_page_stop (self->audit_page);
  adw_view_switcher_title_set_subtitle (self->switcher_title, "");
  adw_view_stack_set_visible_child_name (self->view_stack, "sources");
}

static void
follow_pipeline (TwAdminPage *self,
                 TwPipeline  *pipeline)
{
  self->pipeline = pipeline;
  g_clear_handle_id (&self->poll_source, g_source_remove);

  if (pipeline == NULL)
    {
      tw_sources_page_set_status (self->sources_page, NULL);
      return;
    }

  poll_status (self);
  self->poll_source = g_timeout_add (POLL_INTERVAL_MS, poll_cb, self);
}

/**
 * tw_admin_page_set_pipeline:
 * @self: the page
 * @pipeline: (nullable): the pipeline now running, or %NULL while the
 *   window restarts it (the pages then say so)
 */
void
tw_admin_page_set_pipeline (TwAdminPage *self,
                            TwPipeline  *pipeline)
{
  g_return_if_fail (TW_IS_ADMIN_PAGE (self));

  follow_pipeline (self, pipeline);

  /* A new pipeline starts the stored sources again: read them again. */
  if (pipeline != NULL)
    tw_sources_page_reload (self->sources_page);
}

/**
 * tw_admin_page_show_view:
 * @self: the page
 * @name: "sources", "quarantine", "users" or "audit"
 */
void
tw_admin_page_show_view (TwAdminPage *self,
                         const char  *name)
{
  g_return_if_fail (TW_IS_ADMIN_PAGE (self));
  g_return_if_fail (name != NULL);

  /* Already shown: no notification, so read it again here. */
  if (g_str_equal (name, "audit")
      && g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "audit") == 0)
    tw_audit_page_reload (self->audit_page, TRUE);
  else
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

const char *
tw_admin_page_get_view (TwAdminPage *self)
{
  g_return_val_if_fail (TW_IS_ADMIN_PAGE (self), NULL);

  return adw_view_stack_get_visible_child_name (self->view_stack);
}

/**
 * tw_admin_page_get_users_page:
 *
 * Returns: (transfer none): the Users page
 */
TwUsersPage *
tw_admin_page_get_users_page (TwAdminPage *self)
{
  g_return_val_if_fail (TW_IS_ADMIN_PAGE (self), NULL);

  return self->users_page;
}

/**
 * tw_admin_page_get_audit_page:
 *
 * Returns: (transfer none): the Audit page
 */
TwAuditPage *
tw_admin_page_get_audit_page (TwAdminPage *self)
{
  g_return_val_if_fail (TW_IS_ADMIN_PAGE (self), NULL);

  return self->audit_page;
}
