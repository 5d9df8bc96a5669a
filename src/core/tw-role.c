#include <glib/gi18n.h>

#include "tw-role.h"

static const char *role_names[] = { "admin", "clinician", "operator", "analyst" };

const char *
tw_role_to_string (TwRole role)
{
  g_return_val_if_fail (role <= TW_ROLE_ANALYST, "invalid");
  return role_names[role];
}

const char *
tw_role_to_label (TwRole role)
{
  switch (role)
    {
    case TW_ROLE_ADMIN:     return _("Administrator");
    case TW_ROLE_CLINICIAN: return _("Clinician");
    case TW_ROLE_OPERATOR:  return _("Operator");
    case TW_ROLE_ANALYST:   return _("Analyst");
    default:                return _("Unknown role");
    }
}

gboolean
tw_role_from_string (const char *text,
                     TwRole     *out_role)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    {
      if (g_str_equal (text, role_names[i]))
        {
          if (out_role != NULL)
            *out_role = (TwRole) i;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
tw_role_can (TwRole       role,
             TwPermission permission)
{
  switch (permission)
    {
    case TW_PERM_MANAGE_USERS:
    case TW_PERM_MANAGE_SOURCES:
    case TW_PERM_READ_AUDIT:
      return role == TW_ROLE_ADMIN;
    case TW_PERM_SEE_IDENTITY:
      return role == TW_ROLE_CLINICIAN || role == TW_ROLE_OPERATOR;
    case TW_PERM_BROWSE_TRENDS:
      /* Admins check that feeds arrive, so they see trends, but masked:
       * they have no TW_PERM_SEE_IDENTITY. */
      return role != TW_ROLE_OPERATOR;
    case TW_PERM_HANDLE_ALERTS:
      return role == TW_ROLE_CLINICIAN || role == TW_ROLE_OPERATOR;
    case TW_PERM_ANALYTICS:
      return role == TW_ROLE_CLINICIAN || role == TW_ROLE_ANALYST;
    case TW_PERM_EXPORT:
      return TRUE;
    case TW_PERM_BREAK_GLASS:
      return role == TW_ROLE_CLINICIAN;
    default:
      return FALSE;
    }
}
