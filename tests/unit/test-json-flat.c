#include <string.h>

#include "tw-json-flat.h"

static JsonNode *
parse_with_json_glib (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (!json_parser_load_from_data (parser, text, -1, NULL) || json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

/* What the fast path accepts, it reads exactly as json-glib does. */
static void
test_same_as_json_glib (void)
{
  static const char vitals[] =
    "{\"v\":1,\"type\":\"vitals\",\"seq\":12345,\"ts\":\"2026-11-23T01:43:00.000000Z\","
    "\"patient\":\"P0001\",\"hr\":68,\"rr\":17,\"spo2\":98,\"sbp\":141,\"dbp\":55,\"temp\":37.0}";
  static const char *accepted[] = {
    vitals,
    "{}",
    "  { \"a\" : -0 , \"b\":0.5,\"c\":-12.25e2,\"d\":1E-3, \"e\": true,\"f\":false,\"g\":null }\n",
    "{\"n\":123456789012345678,\"neg\":-98765}",
    "{\"dup\":1,\"dup\":2}",
    "{\"name\":\"Søren Ødegård 🌊\",\"empty\":\"\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(JsonObject) fast = tw_json_flat_parse (accepted[i], strlen (accepted[i]));
      g_autoptr(JsonNode) reference = parse_with_json_glib (accepted[i]);
      g_autoptr(JsonNode) fast_node = NULL;

      g_assert_nonnull (fast);
      g_assert_nonnull (reference);
      fast_node = json_node_init_object (json_node_alloc (), fast);
      g_assert_true (json_node_equal (fast_node, reference));
    }
}

/* Everything else goes to json-glib, which also words the errors. */
static void
test_everything_else_falls_back (void)
{
  static const char *declined[] = {
    "{\"a\":{\"b\":1}}",           /* nested */
    "{\"a\":[1,2]}",
    "{\"a\":\"x\\ny\"}",           /* escape */
    "{\"a\\u0041\":1}",
    "{\"a\":01}",                  /* json-glib refuses leading zeros */
    "{\"a\":1.}",
    "{\"a\":.5}",
    "{\"a\":+1}",
    "{\"a\":1234567890123456789}", /* may not fit a gint64 */
    "{\"a\":1,}",
    "{\"a\":1}{\"b\":2}",
    "{\"a\":1",
    "{\"a\" 1}",
    "[1]",
    "",
    "{\"a\":tru}",
    "{\"a\":\"\x01\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (declined); i++)
    g_assert_null (tw_json_flat_parse (declined[i], strlen (declined[i])));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-flat/same-as-json-glib", test_same_as_json_glib);
  g_test_add_func ("/json-flat/everything-else-falls-back", test_everything_else_falls_back);
  return g_test_run ();
}
