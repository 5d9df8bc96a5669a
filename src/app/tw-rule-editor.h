#pragma once

#include <adwaita.h>

#include "tw-reader.h"
#include "tw-store-rules.h"

G_BEGIN_DECLS

#define TW_TYPE_RULE_EDITOR (tw_rule_editor_get_type ())

G_DECLARE_FINAL_TYPE (TwRuleEditor, tw_rule_editor, TW, RULE_EDITOR, AdwBin)

void        tw_rule_editor_start         (TwRuleEditor    *self,
                                          TwReader        *reader,
                                          const char      *who);
void        tw_rule_editor_stop          (TwRuleEditor    *self);
void        tw_rule_editor_load          (TwRuleEditor    *self,
                                          const TwRuleRow *row);
void        tw_rule_editor_new_rule      (TwRuleEditor    *self);
const char *tw_rule_editor_get_rule_id   (TwRuleEditor    *self);
void        tw_rule_editor_set_text      (TwRuleEditor    *self,
                                          const char      *text);
char       *tw_rule_editor_dup_text      (TwRuleEditor    *self);
gboolean    tw_rule_editor_check         (TwRuleEditor    *self);
const char *tw_rule_editor_get_error     (TwRuleEditor    *self);
gboolean    tw_rule_editor_get_busy      (TwRuleEditor    *self);
int         tw_rule_editor_get_n_preview (TwRuleEditor    *self);

G_END_DECLS
