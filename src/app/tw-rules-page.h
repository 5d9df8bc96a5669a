#pragma once

#include <adwaita.h>

#include "tw-pipeline.h"
#include "tw-rule-editor.h"
#include "tw-session.h"

G_BEGIN_DECLS

#define TW_TYPE_RULES_PAGE (tw_rules_page_get_type ())

G_DECLARE_FINAL_TYPE (TwRulesPage, tw_rules_page, TW, RULES_PAGE, AdwBin)

void          tw_rules_page_start        (TwRulesPage *self,
                                          TwSession   *session,
                                          TwPipeline  *pipeline);
void          tw_rules_page_stop         (TwRulesPage *self);
void          tw_rules_page_set_pipeline (TwRulesPage *self,
                                          TwPipeline  *pipeline);
void          tw_rules_page_refresh      (TwRulesPage *self);
guint         tw_rules_page_get_n_rules  (TwRulesPage *self);
gboolean      tw_rules_page_get_busy     (TwRulesPage *self);
gboolean      tw_rules_page_select_rule  (TwRulesPage *self,
                                          const char  *id);
gboolean      tw_rules_page_set_enabled  (TwRulesPage *self,
                                          const char  *id,
                                          gboolean     enabled);
TwRuleEditor *tw_rules_page_get_editor   (TwRulesPage *self);

G_END_DECLS
