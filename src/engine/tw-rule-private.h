#pragma once

#include "tw-rule.h"

G_BEGIN_DECLS

/* Shared by tw-rule.c (model, writing) and tw-rule-read.c (reading). */

/* Kind names by TwRuleKind, NULL-terminated. */
extern const char * const tw_rule_kind_names[TW_RULE_N_KINDS + 1];

/* A rule with every default set and a reference count of 1. */
TwRule *tw_rule_alloc (void);

G_END_DECLS
