#pragma once

#include <glib.h>

#include "tw-cli-secret.h"
#include <json-glib/json-glib.h>

#include "tw-session.h"

G_BEGIN_DECLS

#define EXIT_USAGE 2

/* What every twctl command gets: the global options and the password
 * reader. */
typedef struct
{
  char         *data_dir;
  char         *user;
  char         *password_file;
  char         *new_password_file;
  char         *kdf_cost;
  TwCliSecrets *secrets;
} Twctl;

int        twctl_fail                  (GError       *error);
gboolean   twctl_parse_command_options (const char   *name,
                                        GOptionEntry *entries,
                                        int          *argc,
                                        char       ***argv,
                                        GError      **error);
TwSession *twctl_sign_in               (Twctl        *self,
                                        GError      **error);
TwStore   *twctl_open_store_for        (Twctl        *self,
                                        TwPermission  permission,
                                        const char   *what,
                                        TwSession   **out_session,
                                        GError      **error);
char      *twctl_read_new_password     (Twctl        *self,
                                        const char   *whose,
                                        GError      **error);
TwKdfCost  twctl_kdf_cost              (Twctl        *self);
void       twctl_print_json            (JsonBuilder  *builder);
/* A string member, null when @value is NULL. */
void       twctl_json_add_string       (JsonBuilder  *builder,
                                        const char   *member,
                                        const char   *value);
/* A time member in ISO 8601 UTC, null when @usec is 0 (unknown). */
void       twctl_json_add_time         (JsonBuilder  *builder,
                                        const char   *member,
                                        gint64        usec);

int        twctl_cmd_init              (Twctl *self, int argc, char **argv);
int        twctl_cmd_user              (Twctl *self, int argc, char **argv);
int        twctl_cmd_ingest            (Twctl *self, int argc, char **argv);
int        twctl_cmd_patients          (Twctl *self, int argc, char **argv);
int        twctl_cmd_stats             (Twctl *self, int argc, char **argv);
int        twctl_cmd_quarantine        (Twctl *self, int argc, char **argv);
int        twctl_cmd_source            (Twctl *self, int argc, char **argv);
int        twctl_cmd_rules             (Twctl *self, int argc, char **argv);
int        twctl_cmd_alerts            (Twctl *self, int argc, char **argv);
int        twctl_cmd_replay            (Twctl *self, int argc, char **argv);
/* Issue 6: own password (tw-cli-users.c), audit trail (tw-cli-audit.c),
 * store checks (tw-cli-store.c), ward scope and emergency access
 * (tw-cli-scope.c). */
int        twctl_cmd_passwd            (Twctl *self, int argc, char **argv);
int        twctl_cmd_audit             (Twctl *self, int argc, char **argv);
int        twctl_cmd_store             (Twctl *self, int argc, char **argv);
int        twctl_cmd_wards             (Twctl *self, int argc, char **argv);
int        twctl_cmd_break_glass       (Twctl *self, int argc, char **argv);
/* The clinical calculators (tw-cli-clinical.c): no store, no sign-in. */
int        twctl_cmd_news2             (Twctl *self, int argc, char **argv);
int        twctl_cmd_glucose_stats     (Twctl *self, int argc, char **argv);
int        twctl_cmd_forecast          (Twctl *self, int argc, char **argv);

/* Rule files for rules and replay (tw-cli-rules.c): element-type TwRule,
 * ids unique across the files. */
GPtrArray *twctl_load_rule_file        (const char         *path,
                                        GError            **error);
GPtrArray *twctl_load_rule_files       (const char * const *paths,
                                        GError            **error);
GPtrArray *twctl_load_rule_dir         (const char         *dir,
                                        GError            **error);

G_END_DECLS
