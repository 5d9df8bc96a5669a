#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TwCliSecrets:
 * Where twctl reads passwords from, in this order: a file given on the
 * command line, the terminal (no echo), or standard input when it is not
 * a terminal (one password per line, in the order they are asked). Never
 * from the command line itself, where `ps` would show them.
 */
typedef struct _TwCliSecrets TwCliSecrets;

TwCliSecrets *tw_cli_secrets_new        (void);
void          tw_cli_secrets_free       (TwCliSecrets *secrets);

/* Returns a string to free with tw_cli_secret_free() (wiped). */
char         *tw_cli_secrets_read       (TwCliSecrets *secrets,
                                         const char   *file,
                                         const char   *prompt,
                                         gboolean      confirm,
                                         GError      **error);
char         *tw_cli_secrets_read_line  (TwCliSecrets *secrets,
                                         const char   *prompt,
                                         GError      **error);
void          tw_cli_secret_free        (char         *secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwCliSecrets, tw_cli_secrets_free)

G_END_DECLS
