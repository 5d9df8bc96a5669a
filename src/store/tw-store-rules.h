#pragma once

#include "tw-rule.h"
#include "tw-store.h"

G_BEGIN_DECLS

/**
 * TwRuleRow:
 * A rule as stored. @json is the definition (tw_rule_to_json()); the
 * @enabled column is what counts, whatever the definition says.
 */
typedef struct
{
  char     *id;
  char     *pack;         /* the pack it came from ("vitals"), NULL: written here */
  char     *json;
  gboolean  enabled;
  gint64    updated_at;   /* wall µs */
  char     *updated_by;   /* NULL: seeded from a default pack */
} TwRuleRow;

void       tw_rule_row_free          (TwRuleRow   *row);

/* Every rule, by id. Element-type TwRuleRow*. */
GPtrArray *tw_store_list_rules       (TwStore     *store,
                                      GError     **error);
/* FALSE with TW_ERROR_NOT_FOUND when there is no such rule. */
gboolean   tw_store_get_rule         (TwStore     *store,
                                      const char  *id,
                                      TwRuleRow  **out_row,
                                      GError     **error);
/* The enabled rules, parsed (element-type TwRule*, refs owned). A stored
 * definition this version cannot read is skipped with a warning rather
 * than stopping every other rule. */
GPtrArray *tw_store_load_enabled_rules (TwStore   *store,
                                        GError   **error);

/* Adds or replaces rule @rule->id; a replaced rule keeps its pack. Enabled
 * as the rule says. @who is the signed-in user. */
gboolean   tw_store_save_rule        (TwStore      *store,
                                      const TwRule *rule,
                                      const char   *who,
                                      GError      **error);
/* Adds or replaces every rule of @rules (TwRule*) as pack @pack
 * (nullable), in one transaction. */
gboolean   tw_store_import_rules     (TwStore      *store,
                                      GPtrArray    *rules,
                                      const char   *pack,
                                      const char   *who,
                                      GError      **error);
gboolean   tw_store_set_rule_enabled (TwStore     *store,
                                      const char  *id,
                                      gboolean     enabled,
                                      const char  *who,
                                      GError     **error);
gboolean   tw_store_delete_rule      (TwStore     *store,
                                      const char  *id,
                                      GError     **error);

/* The directory of the default packs: the installed one, else the source
 * tree's data/rules for uninstalled runs. Transfer full. */
char      *tw_store_default_rules_dir (void);

/**
 * tw_store_seed_rules:
 * @rules_dir: (nullable): where the *.json packs are, NULL: the default
 * @out_added: (optional): rules added
 *
 * Imports the default packs once per store: a store that was seeded before
 * is left alone, so rules the administrator deleted stay deleted. Runs its
 * own transaction. A pack that does not parse is an error (nothing is
 * imported).
 */
gboolean   tw_store_seed_rules       (TwStore     *store,
                                      const char  *rules_dir,
                                      guint       *out_added,
                                      GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwRuleRow, tw_rule_row_free)

G_END_DECLS
