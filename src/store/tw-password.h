#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TW_PASSWORD_MIN_CHARS       8
#define TW_PASSWORD_SUGGESTED_CHARS 15
#define TW_PASSWORD_MAX_CHARS       1024

/**
 * Passwords after NIST SP 800-63B §5.1.1: at least 8 characters (15
 * suggested on screen), long ones welcome, any Unicode (NFKC-normalised
 * before hashing and counting), paste allowed, no composition rules, no
 * hints, and never one of the common passwords in data/common-passwords.txt
 * (compiled into the library as a GResource) or the user's own name or
 * "tidewatch".
 */

/* %TW_ERROR_WEAK_PASSWORD with a sentence that says what to do. @user may
 * be NULL. */
gboolean tw_password_check           (const char  *password,
                                      const char  *user,
                                      GError     **error);
gboolean tw_password_is_blocklisted  (const char  *password);
/* How many passwords the blocklist holds (for the tests and the docs). */
guint    tw_password_blocklist_size  (void);
/* NFKC, so the same password typed on another keyboard layout matches.
 * Free with tw_password_free(). */
char    *tw_password_normalize       (const char  *password);
/* A one-time password for a reset: 20 characters from an alphabet without
 * look-alikes, in groups of five ("k7mq2-…"), from libsodium's CSPRNG.
 * Free with tw_password_free() (wipes). */
char    *tw_password_generate_one_time (void);
void     tw_password_free            (char        *password);

G_END_DECLS
