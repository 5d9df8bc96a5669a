#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TW_ROLE_ADMIN,
  TW_ROLE_CLINICIAN,
  TW_ROLE_OPERATOR,
  TW_ROLE_ANALYST,
} TwRole;

/* What a role may do (ARCHITECTURE.md, "Roles"). Checked in the core, not
 * only by hiding buttons. */
typedef enum
{
  TW_PERM_MANAGE_USERS,
  TW_PERM_MANAGE_SOURCES,
  TW_PERM_READ_AUDIT,
  TW_PERM_SEE_IDENTITY,
  TW_PERM_BROWSE_TRENDS,
  TW_PERM_HANDLE_ALERTS,
  TW_PERM_ANALYTICS,
  TW_PERM_EXPORT,
  TW_PERM_BREAK_GLASS,
} TwPermission;

const char *tw_role_to_string   (TwRole      role);
const char *tw_role_to_label    (TwRole      role);
gboolean    tw_role_from_string (const char *text,
                                 TwRole     *out_role);
gboolean    tw_role_can         (TwRole       role,
                                 TwPermission permission);

G_END_DECLS
