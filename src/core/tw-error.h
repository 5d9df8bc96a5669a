#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TW_ERROR (tw_error_quark ())

/**
 * TwError:
 * Codes of the %TW_ERROR domain. Tests assert these, so never renumber.
 */
typedef enum
{
  TW_ERROR_FAILED,            /* anything without a better code */
  TW_ERROR_NOT_INITIALIZED,   /* no store in the data directory yet */
  TW_ERROR_ALREADY_EXISTS,    /* a store, user or source that exists already */
  TW_ERROR_AUTH_FAILED,       /* wrong user name or password (never says which) */
  TW_ERROR_PERMISSION_DENIED, /* the signed-in role may not do this */
  TW_ERROR_NOT_ENCRYPTED,     /* linked against plain SQLite: refuse to run */
  TW_ERROR_CORRUPT,           /* store or sidecar damaged or tampered with */
  TW_ERROR_INVALID_INPUT,     /* a message, URL or argument that makes no sense */
  TW_ERROR_WEAK_PASSWORD,     /* a password that breaks the policy */
  TW_ERROR_NOT_FOUND,         /* no such user, source or series */
  TW_ERROR_CANCELLED,         /* stopped on request */
  TW_ERROR_STORAGE,           /* the database refused a write (disk full, I/O) */
  TW_ERROR_LOCKED_OUT,        /* too many failed sign-ins: wait, or an admin unlocks */
  TW_ERROR_PASSWORD_EXPIRED,  /* a one-time password: choose a new one first */
  TW_ERROR_IN_USE,            /* another program has the store open (rekey needs it alone) */
  TW_ERROR_OUT_OF_SCOPE,      /* a patient outside the clinician's wards: emergency access */
} TwError;

GQuark tw_error_quark (void);

G_END_DECLS
