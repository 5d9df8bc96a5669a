#pragma once

#include <gio/gio.h>

#include "tw-reader.h"
#include "tw-rule.h"
#include "tw-store-rules.h"

G_BEGIN_DECLS

/*
 * The rule editor's work on the store, run in GTask workers on a TwReader
 * connection: listing rules, saving one, switching one on or off, and the
 * preview (the rule over the stored samples of a window). Each struct is
 * the task data of a GTask whose thread function is the matching _run().
 */

typedef struct
{
  TwReader  *reader;
  GPtrArray *rows;          /* result: TwRuleRow*, by pack then id */
} TwRulesList;

typedef struct
{
  TwReader *reader;
  TwRule   *rule;           /* save: the validated rule */
  char     *id;             /* enable: which rule */
  gboolean  enabled;
  char     *who;
} TwRulesWrite;

typedef struct
{
  TwReader  *reader;
  TwRule    *rule;
  gint64     from_ts;
  gint64     to_ts;
  GPtrArray *alerts;        /* result: TwAlert*, in the order raised */
} TwRulesPreview;

void tw_rules_list_free    (gpointer      data);
void tw_rules_list_run     (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable);
void tw_rules_write_free   (gpointer      data);
void tw_rules_save_run     (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable);
void tw_rules_enable_run   (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable);
void tw_rules_preview_free (gpointer      data);
void tw_rules_preview_run  (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable);

G_END_DECLS
