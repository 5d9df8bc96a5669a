#include <glib/gstdio.h>

#include "tw-error.h"
#include "tw-store-private.h"
#include "tw-store-rules.h"
#include "tw-test-store.h"

typedef struct
{
  char    *dir;
  char    *packs;
  TwKey   *key;
  TwStore *store;
} Fixture;

#define HR_HIGH \
  "{\"id\": \"hr-high\", \"kind\": \"threshold\", \"metric\": \"hr\"," \
  " \"direction\": \"above\", \"limit\": 130, \"priority\": \"high\"}"
#define SPO2_LOW \
  "{\"id\": \"spo2-low\", \"kind\": \"threshold\", \"metric\": \"spo2\"," \
  " \"direction\": \"below\", \"limit\": 90}"
#define GLUCOSE_LOW \
  "{\"id\": \"glucose-low\", \"kind\": \"threshold\", \"metric\": \"glucose\"," \
  " \"direction\": \"below\", \"limit\": 3.9, \"latching\": true}"

static void
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("tw-store-rules-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "test.db", NULL);
  f->key = tw_key_new_random ();
  f->store = tw_store_open (path, f->key, TRUE, &error);
  g_assert_no_error (error);

  /* Two packs: a bare array (named after its file) and a named pack. */
  f->packs = g_build_filename (f->dir, "rules", NULL);
  g_assert_cmpint (g_mkdir (f->packs, 0700), ==, 0);
  write_file (f->packs, "vitals.json", "[" HR_HIGH ", " SPO2_LOW "]");
  write_file (f->packs, "glucose.json", "{\"pack\": \"diabetes\", \"rules\": [" GLUCOSE_LOW "]}");
  write_file (f->packs, "README.txt", "not a pack");
}


static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->store, tw_store_close);
  tw_test_remove_tree (f->dir);
  tw_key_free (f->key);
  g_free (f->packs);
  g_free (f->dir);
}

/* "id:pack:enabled" for each row, by id. */
static char *
describe_rules (TwStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = tw_store_list_rules (store, &error);
  GString *text = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      TwRuleRow *row = g_ptr_array_index (rows, i);

      g_string_append_printf (text, "%s%s:%s:%d", i > 0 ? " " : "", row->id,
                              row->pack != NULL ? row->pack : "-", row->enabled);
    }
  return g_string_free (text, FALSE);
}

static void
test_seed_once (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *after_seed = NULL;
  g_autofree char *after_delete = NULL;
  g_autoptr(TwRuleRow) row = NULL;
  guint added = 99;

  g_assert_true (tw_store_seed_rules (f->store, f->packs, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 3);
  after_seed = describe_rules (f->store);
  g_assert_cmpstr (after_seed, ==, "glucose-low:diabetes:1 hr-high:vitals:1 spo2-low:vitals:1");

  g_assert_true (tw_store_get_rule (f->store, "hr-high", &row, &error));
  g_assert_null (row->updated_by);
  g_assert_cmpint (row->updated_at, >, 0);

  /* Seeding again does nothing, and a rule the administrator deleted
   * stays deleted. */
  g_assert_true (tw_store_delete_rule (f->store, "spo2-low", &error));
  g_assert_true (tw_store_seed_rules (f->store, f->packs, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 0);
  after_delete = describe_rules (f->store);
  g_assert_cmpstr (after_delete, ==, "glucose-low:diabetes:1 hr-high:vitals:1");

  g_assert_false (tw_store_delete_rule (f->store, "spo2-low", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_NOT_FOUND);
}

static void
test_seed_keeps_existing_rule (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwRule) mine = tw_rule_from_data ("{\"id\": \"hr-high\", \"kind\": \"threshold\","
                                              " \"metric\": \"hr\", \"direction\": \"above\","
                                              " \"limit\": 150}", -1, &error);
  g_autoptr(GPtrArray) rules = NULL;
  guint added = 0;

  g_assert_no_error (error);
  g_assert_true (tw_store_save_rule (f->store, mine, "admin", &error));
  g_assert_true (tw_store_seed_rules (f->store, f->packs, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 2);

  rules = tw_store_load_enabled_rules (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rules->len; i++)
    {
      TwRule *rule = g_ptr_array_index (rules, i);

      if (g_str_equal (rule->id, "hr-high"))
        g_assert_cmpfloat (rule->limit, ==, 150);
    }
  g_assert_cmpuint (rules->len, ==, 3);
}

static void
test_broken_pack_seeds_nothing (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *none = NULL;
  guint added = 99;

  write_file (f->packs, "zz-broken.json", "[{\"id\": \"x\", \"kind\": \"no-such-kind\"}]");
  g_assert_false (tw_store_seed_rules (f->store, f->packs, &added, &error));
  g_assert_error (error, TW_RULE_ERROR, TW_RULE_ERROR_UNKNOWN_KIND);
  g_clear_error (&error);
  none = describe_rules (f->store);
  g_assert_cmpstr (none, ==, "");

  /* Not marked as seeded: fixed, the next start imports the packs. */
  write_file (f->packs, "zz-broken.json", "[]");
  g_assert_true (tw_store_seed_rules (f->store, f->packs, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 3);
}

static void
test_save_enable_and_load (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwRule) changed = NULL;
  g_autoptr(TwRule) reread = NULL;
  g_autoptr(TwRuleRow) row = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  g_autofree char *listing = NULL;

  g_assert_true (tw_store_seed_rules (f->store, f->packs, NULL, &error));
  g_assert_no_error (error);

  /* An edit keeps the rule's pack and records who made it. */
  changed = tw_rule_from_data ("{\"id\": \"hr-high\", \"kind\": \"threshold\", \"metric\": \"hr\","
                               " \"direction\": \"above\", \"limit\": 140}", -1, &error);
  g_assert_no_error (error);
  g_assert_true (tw_store_save_rule (f->store, changed, "dr.smith", &error));
  g_assert_true (tw_store_get_rule (f->store, "hr-high", &row, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (row->pack, ==, "vitals");
  g_assert_cmpstr (row->updated_by, ==, "dr.smith");
  reread = tw_rule_from_data (row->json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (tw_rule_equal (reread, changed));

  /* Disabled: not loaded, and the stored definition says so too. */
  g_assert_true (tw_store_set_rule_enabled (f->store, "spo2-low", FALSE, "admin", &error));
  g_assert_no_error (error);
  g_clear_pointer (&row, tw_rule_row_free);
  g_clear_pointer (&reread, tw_rule_unref);
  g_assert_true (tw_store_get_rule (f->store, "spo2-low", &row, &error));
  g_assert_false (row->enabled);
  g_assert_cmpstr (row->updated_by, ==, "admin");
  reread = tw_rule_from_data (row->json, -1, &error);
  g_assert_no_error (error);
  g_assert_false (reread->enabled);

  rules = tw_store_load_enabled_rules (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rules->len, ==, 2);
  for (guint i = 0; i < rules->len; i++)
    g_assert_cmpstr (((TwRule *) g_ptr_array_index (rules, i))->id, !=, "spo2-low");

  g_assert_false (tw_store_set_rule_enabled (f->store, "nope", TRUE, "admin", &error));
  g_assert_error (error, TW_ERROR, TW_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (tw_store_set_rule_enabled (f->store, "spo2-low", TRUE, "admin", &error));
  listing = describe_rules (f->store);
  g_assert_cmpstr (listing, ==, "glucose-low:diabetes:1 hr-high:vitals:1 spo2-low:vitals:1");
}

static void
test_import_pack (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->packs, "vitals.json", NULL);
  g_autoptr(GPtrArray) pack = tw_rule_pack_load (path, &error);
  g_autofree char *listing = NULL;
  g_autoptr(TwRuleRow) row = NULL;

  g_assert_no_error (error);
  g_assert_true (tw_store_import_rules (f->store, pack, "ward-7", "admin", &error));
  g_assert_no_error (error);
  listing = describe_rules (f->store);
  g_assert_cmpstr (listing, ==, "hr-high:ward-7:1 spo2-low:ward-7:1");
  g_assert_true (tw_store_get_rule (f->store, "spo2-low", &row, &error));
  g_assert_cmpstr (row->updated_by, ==, "admin");

  /* Inside the caller's transaction, a rollback takes the import back. */
  g_assert_true (tw_store_begin (f->store, &error));
  g_assert_true (tw_store_delete_rule (f->store, "hr-high", &error));
  g_assert_true (tw_store_import_rules (f->store, pack, "other", "admin", &error));
  tw_store_rollback (f->store);
  g_clear_pointer (&listing, g_free);
  listing = describe_rules (f->store);
  g_assert_cmpstr (listing, ==, "hr-high:ward-7:1 spo2-low:ward-7:1");
}

static void
test_default_packs (void)
{
  g_autofree char *dir = tw_store_default_rules_dir ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("tw-store-rules-default-XXXXXX", &error);
  g_autofree char *path = g_build_filename (tmp, "test.db", NULL);
  g_autoptr(TwKey) key = tw_key_new_random ();
  g_autoptr(TwStore) store = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  guint added = 0;

  /* Uninstalled, the source tree's packs; they must all load. */
  g_assert_true (g_str_has_suffix (dir, G_DIR_SEPARATOR_S "rules"));
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  store = tw_store_open (path, key, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (tw_store_seed_rules (store, NULL, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, >, 0);
  rules = tw_store_load_enabled_rules (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rules->len, >, 0);
  g_clear_pointer (&store, tw_store_close);
  tw_test_remove_tree (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store-rules/seed-once", Fixture, NULL, fixture_setup, test_seed_once,
              fixture_teardown);
  g_test_add ("/store-rules/seed-keeps-existing-rule", Fixture, NULL, fixture_setup,
              test_seed_keeps_existing_rule, fixture_teardown);
  g_test_add ("/store-rules/broken-pack-seeds-nothing", Fixture, NULL, fixture_setup,
              test_broken_pack_seeds_nothing, fixture_teardown);
  g_test_add ("/store-rules/save-enable-and-load", Fixture, NULL, fixture_setup,
              test_save_enable_and_load, fixture_teardown);
  g_test_add ("/store-rules/import-pack", Fixture, NULL, fixture_setup, test_import_pack,
              fixture_teardown);
  g_test_add_func ("/store-rules/default-packs", test_default_packs);
  return g_test_run ();
}
