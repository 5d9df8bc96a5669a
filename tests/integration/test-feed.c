/* Integration tests of tidewatch-feed: start the real program on loopback,
 * talk to it with a real websocket client and check what a user of the
 * stream would notice: order, completeness, resumption, determinism across
 * restarts, pacing and plausible values. */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "tw-time.h"

/* A fixed start in the past makes the whole stream due at once. */
#define FIXED_START      "2025-03-14T09:00:00Z"

#define STREAM_COUNT    40
#define STREAM_PATIENTS 4
#define STREAM_RATE     200
#define STREAM_SEED     7
#define OTHER_SEED      8
#define RESUME_AFTER    25

/* The default ward of eight: P0008 wears a CGM. */
#define CGM_PATIENTS    8
#define CGM_COUNT       24

/* How long anything may take before the test fails rather than hangs. */
#define STEP_TIMEOUT_MS 10000

/* Pacing: two messages a second watched for 1.5 s gives 3 or 4; the bounds
 * leave room for a slow machine and still catch a feed that dumps ahead. */
#define PACING_RATE       "2"
#define PACING_WATCH_MS   1500
#define PACING_MIN_VITALS 2
#define PACING_MAX_VITALS 6

#define VARIATION_COUNT 600
/* Beat-to-beat noise must make each of these take several values. */
#define VARIATION_MIN_DISTINCT 3
/* A monitor sampled 1000 times a second never jumps by more than this. */
#define VARIATION_MAX_HR_STEP 10

#define NOT_RESUMING (-1)
#define DECIMAL 10
#define LISTENING_PREFIX "listening on ws://127.0.0.1:"
#define MRN_DIGITS 7

/* Plausible bedside limits, wider than the simulated physiology. */
#define HR_MIN    30
#define HR_MAX    200
#define RR_MIN    4
#define RR_MAX    50
#define SPO2_MIN  70
#define SPO2_MAX  100
#define SBP_MIN   60
#define SBP_MAX   220
#define DBP_MIN   30
#define MIN_PULSE_PRESSURE 15
#define TEMP_MIN  34.0
#define TEMP_MAX  41.5

/* ---- waiting on the main loop ---- */

typedef gboolean (*Condition) (gpointer data);

static gboolean
on_deadline (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Returns: whether @condition became true within @timeout_ms */
static gboolean
wait_until (Condition condition,
            gpointer  data,
            guint     timeout_ms)
{
  gboolean expired = FALSE;
  guint deadline = g_timeout_add (timeout_ms, on_deadline, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (deadline);
  return condition (data);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
wait_ms (guint ms)
{
  wait_until (never, NULL, ms);
}

/* ---- the feed process ---- */

typedef struct
{
  GSubprocess *process;
  GDataInputStream *out;
  guint port;
  char *restart;      /* the command line it printed for restarting */
} Feed;

static void
feed_free (Feed *feed)
{
  if (g_subprocess_get_identifier (feed->process) != NULL)
    {
      g_subprocess_force_exit (feed->process);
      g_subprocess_wait (feed->process, NULL, NULL);
    }
  g_clear_object (&feed->out);
  g_clear_object (&feed->process);
  g_free (feed->restart);
  g_free (feed);
}

typedef struct
{
  GPtrArray *feeds;   /* every feed started, stopped in teardown */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->feeds = g_ptr_array_new_with_free_func ((GDestroyNotify) feed_free);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->feeds, g_ptr_array_unref);
}

typedef struct
{
  gboolean done;
  char *line;
} LineRead;

static void
on_line_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                          result, NULL, NULL);
  read->done = TRUE;
}

static gboolean
line_read_done (gpointer data)
{
  return ((LineRead *) data)->done;
}

/* Returns: (transfer full) (nullable): the next line the feed printed, or
 * %NULL at the end of its output */
static char *
feed_read_line (Feed *feed)
{
  LineRead read = { FALSE, NULL };

  g_data_input_stream_read_line_async (feed->out, G_PRIORITY_DEFAULT, NULL, on_line_read, &read);
  if (!wait_until (line_read_done, &read, STEP_TIMEOUT_MS))
    g_error ("tidewatch-feed printed nothing for %d ms", STEP_TIMEOUT_MS);
  return read.line;
}

/* A failed assertion aborts the test before teardown runs: have the kernel
 * stop the feeds with it, so none is left behind. */
static void
die_with_test (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static GSubprocess *
spawn (GPtrArray        *argv,
       GSubprocessFlags  flags)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static const char *
feed_program (void)
{
  const char *program = g_getenv ("TW_FEED");

  g_assert_nonnull (program);
  return program;
}

/* Starts the feed with @args (NULL-terminated, without the program) and
 * waits until it says where it listens. */
static Feed *
feed_start (Fixture            *fixture,
            const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *listening = NULL;
  g_autofree char *restart = NULL;
  Feed *feed = g_new0 (Feed, 1);
  guint64 port;

  g_ptr_array_add (argv, (gpointer) feed_program ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);

  feed->process = spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_ptr_array_add (fixture->feeds, feed);
  feed->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (feed->process));

  listening = feed_read_line (feed);
  g_assert_nonnull (listening);
  g_assert_true (g_str_has_prefix (listening, LISTENING_PREFIX));
  g_assert_true (g_str_has_suffix (listening, "/"));
  listening[strlen (listening) - 1] = '\0';
  g_assert_true (g_ascii_string_to_unsigned (listening + strlen (LISTENING_PREFIX), DECIMAL,
                                             1, G_MAXUINT16, &port, NULL));
  feed->port = (guint) port;

  restart = feed_read_line (feed);
  g_assert_nonnull (restart);
  g_assert_true (g_str_has_prefix (restart, "restart with: tidewatch-feed "));
  feed->restart = g_strdup (restart + strlen ("restart with: "));
  return feed;
}

/* Stops the feed as a user would (SIGTERM) and returns the number of
 * messages it says it sent. */
static guint64
feed_stop (Feed *feed)
{
  g_autoptr(GError) error = NULL;
  guint64 sent = G_MAXUINT64;
  char *line;

  g_subprocess_send_signal (feed->process, SIGTERM);
  while ((line = feed_read_line (feed)) != NULL)
    {
      if (g_str_has_prefix (line, "sent ") && g_str_has_suffix (line, " messages"))
        sent = g_ascii_strtoull (line + strlen ("sent "), NULL, DECIMAL);
      g_free (line);
    }
  g_subprocess_wait_check (feed->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sent, !=, G_MAXUINT64);
  return sent;
}

/* ---- a websocket client ---- */

typedef struct
{
  SoupSession *session;
  SoupWebsocketConnection *ws;
  GPtrArray *messages;       /* of char *, as received */
  gboolean connected;
  gboolean closed;
  GError *error;
} Client;

static void
client_free (Client *client)
{
  if (client->ws != NULL)
    g_signal_handlers_disconnect_by_data (client->ws, client);
  g_clear_object (&client->ws);
  g_clear_object (&client->session);
  g_clear_pointer (&client->messages, g_ptr_array_unref);
  g_clear_error (&client->error);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
on_client_message (SoupWebsocketConnection *ws,
                   int                      type,
                   GBytes                  *bytes,
                   gpointer                 user_data)
{
  Client *client = user_data;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  g_ptr_array_add (client->messages, g_strndup (data, size));
}

static void
on_client_closed (SoupWebsocketConnection *ws,
                  gpointer                 user_data)
{
  ((Client *) user_data)->closed = TRUE;
}

static void
on_client_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Client *client = user_data;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
                                                      &client->error);
  client->connected = TRUE;
  if (client->ws == NULL)
    {
      client->closed = TRUE;
      return;
    }
  g_signal_connect (client->ws, "message", G_CALLBACK (on_client_message), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (on_client_closed), client);
}

static gboolean
client_is_connected (gpointer data)
{
  return ((Client *) data)->connected;
}

static gboolean
client_is_closed (gpointer data)
{
  return ((Client *) data)->closed;
}

/* Starts connecting to ws://127.0.0.1:@port/@query. */
static Client *
client_new_query (guint       port,
                  const char *query)
{
  Client *client = g_new0 (Client, 1);
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/%s", port, query);

  client->session = soup_session_new ();
  client->messages = g_ptr_array_new_with_free_func (g_free);
  msg = soup_message_new ("GET", url);
  soup_session_websocket_connect_async (client->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_client_connected, client);
  return client;
}

/* Starts connecting to the feed; with @after ≥ 0, asks to resume after it. */
static Client *
client_new (guint  port,
            gint64 after)
{
  g_autofree char *query = NULL;

  if (after == NOT_RESUMING)
    return client_new_query (port, "");
  query = g_strdup_printf ("?after=%" G_GINT64_FORMAT, after);
  return client_new_query (port, query);
}

static void
client_wait_closed (Client *client)
{
  if (!wait_until (client_is_closed, client, STEP_TIMEOUT_MS))
    g_error ("the feed did not close the stream within %d ms", STEP_TIMEOUT_MS);
  g_assert_no_error (client->error);
}

/* Returns: every message of a stream with an end, read to the close */
static Client *
fetch (guint  port,
       gint64 after)
{
  Client *client = client_new (port, after);

  client_wait_closed (client);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (client->ws), ==,
                    SOUP_WEBSOCKET_CLOSE_NORMAL);
  return client;
}

/* ---- reading messages ---- */

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "v"), ==, 1);
  return json_object_ref (json_node_get_object (root));
}

static gint64
int_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  return json_node_get_string (node);
}

typedef struct
{
  gint64 seq;
  gint64 ts;
  char patient[sizeof "P0000"];
  gint64 hr;
  gint64 rr;
  gint64 spo2;
  gint64 sbp;
  gint64 dbp;
  double temp;
} Vitals;

/* Checks a vitals message member by member and against bedside limits. */
static void
parse_vitals (JsonObject *object,
              Vitals     *out)
{
  const char *ts = string_member (object, "ts");
  JsonNode *temp = json_object_get_member (object, "temp");

  out->seq = int_member (object, "seq");
  g_assert_true (g_str_has_suffix (ts, "Z"));
  g_assert_true (tw_time_parse_iso8601 (ts, &out->ts));
  g_strlcpy (out->patient, string_member (object, "patient"), sizeof out->patient);
  out->hr = int_member (object, "hr");
  out->rr = int_member (object, "rr");
  out->spo2 = int_member (object, "spo2");
  out->sbp = int_member (object, "sbp");
  out->dbp = int_member (object, "dbp");
  /* NEWS2's observations: on air or oxygen, alert to unresponsive. */
  g_assert_cmpint (int_member (object, "o2"), >=, 0);
  g_assert_cmpint (int_member (object, "o2"), <=, 1);
  g_assert_cmpint (int_member (object, "acvpu"), >=, 0);
  g_assert_cmpint (int_member (object, "acvpu"), <=, 4);
  g_assert_nonnull (temp);
  g_assert_true (JSON_NODE_HOLDS_VALUE (temp));
  out->temp = json_node_get_double (temp);

  g_assert_cmpint (out->hr, >=, HR_MIN);
  g_assert_cmpint (out->hr, <=, HR_MAX);
  g_assert_cmpint (out->rr, >=, RR_MIN);
  g_assert_cmpint (out->rr, <=, RR_MAX);
  g_assert_cmpint (out->spo2, >=, SPO2_MIN);
  g_assert_cmpint (out->spo2, <=, SPO2_MAX);
  g_assert_cmpint (out->sbp, >=, SBP_MIN);
  g_assert_cmpint (out->sbp, <=, SBP_MAX);
  g_assert_cmpint (out->dbp, >=, DBP_MIN);
  g_assert_cmpint (out->dbp, <, out->sbp - MIN_PULSE_PRESSURE);
  g_assert_cmpfloat (out->temp, >=, TEMP_MIN);
  g_assert_cmpfloat (out->temp, <=, TEMP_MAX);
}

static void
assert_temp_has_one_decimal (const char *text)
{
  const char *temp = strstr (text, "\"temp\":");

  g_assert_nonnull (temp);
  g_assert_true (g_regex_match_simple ("^\"temp\":[0-9]{2}\\.[0-9][,}]", temp, 0, 0));
}

/* Returns: how many announcements (patients, their charts, CGM history)
 * come before the stream in @messages */
static guint
count_announcements (GPtrArray *messages)
{
  guint n = 0;

  while (n < messages->len
         && strstr (messages->pdata[n], "\"type\":\"vitals\"") == NULL
         && strstr (messages->pdata[n], "\"type\":\"end\"") == NULL)
    n++;
  return n;
}

/* Returns: the message text of each vitals seq in @client (index = seq);
 * asserts that the patients come first, each followed by its chart, then
 * vitals @first..@last in order, each once, then the end message */
static GPtrArray *
check_stream (Client *client,
              guint   n_patients,
              gint64  first,
              gint64  last)
{
  g_autoptr(GPtrArray) by_seq = g_ptr_array_new ();
  GPtrArray *messages = client->messages;
  guint n_announced = count_announcements (messages);
  guint expected = n_announced + (guint) (last - first + 1) + 1;
  guint n_seen_patients = 0;
  g_autofree char *current = NULL;
  gboolean admitted = FALSE;

  g_assert_cmpuint (messages->len, ==, expected);
  g_ptr_array_set_size (by_seq, (guint) last + 1);

  for (guint i = 0; i < messages->len; i++)
    {
      const char *text = g_ptr_array_index (messages, i);
      g_autoptr(JsonObject) object = parse_object (text);
      const char *type = string_member (object, "type");

      if (i < n_announced && !g_str_equal (type, "patient"))
        {
          /* A patient's chart and sensor history follow its announcement,
           * without sequence numbers: they are not the stream. */
          g_assert_nonnull (current);
          g_assert_false (json_object_has_member (object, "seq"));
          if (g_str_equal (type, "record"))
            {
              g_assert_cmpstr (string_member (object, "patient"), ==, current);
              admitted |= g_str_equal (string_member (object, "kind"), "admission");
            }
          else
            {
              g_assert_cmpstr (type, ==, "samples");
              g_assert_cmpstr (string_member (object, "entity"), ==, current);
            }
        }
      else if (i < n_announced)
        {
          guint p = n_seen_patients++;
          g_autofree char *id = g_strdup_printf ("P%04u", p + 1);
          /* Two wards in turn: P0001 ICU-01, P0002 Ward 7-01, P0003 ICU-02. */
          const char *ward = p % 2 == 0 ? "ICU" : "Ward 7";
          g_autofree char *bed = g_strdup_printf ("%s-%02u", ward, p / 2 + 1);
          const char *mrn = string_member (object, "mrn");

          /* Every patient before this one had an admission in its chart. */
          g_assert_true (current == NULL || admitted);
          g_free (current);
          current = g_strdup (string_member (object, "id"));
          admitted = FALSE;
          g_assert_cmpstr (type, ==, "patient");
          g_assert_false (json_object_has_member (object, "seq"));
          g_assert_cmpstr (string_member (object, "id"), ==, id);
          g_assert_cmpstr (string_member (object, "bed"), ==, bed);
          g_assert_cmpstr (string_member (object, "group"), ==, ward);
          g_assert_nonnull (strchr (string_member (object, "name"), ' '));
          g_assert_true (g_str_has_prefix (mrn, "MRN-"));
          g_assert_cmpuint (strlen (mrn), ==, strlen ("MRN-") + MRN_DIGITS);
        }
      else if (i < messages->len - 1)
        {
          gint64 seq = first + (gint64) (i - n_announced);
          Vitals vitals;

          g_assert_cmpstr (type, ==, "vitals");
          parse_vitals (object, &vitals);
          g_assert_cmpint (vitals.seq, ==, seq);
          assert_temp_has_one_decimal (text);
          by_seq->pdata[seq] = (gpointer) text;
        }
      else
        {
          g_assert_cmpstr (type, ==, "end");
          g_assert_cmpint (int_member (object, "seq"), ==, last);
        }
    }
  g_assert_cmpuint (n_seen_patients, ==, n_patients);
  g_assert_true (admitted);
  return g_steal_pointer (&by_seq);
}

static const char * const stream_args[] = {
  "--port", "0",
  "--count", G_STRINGIFY (STREAM_COUNT),
  "--patients", G_STRINGIFY (STREAM_PATIENTS),
  "--rate", G_STRINGIFY (STREAM_RATE),
  "--seed", G_STRINGIFY (STREAM_SEED),
  "--start", FIXED_START,
  NULL
};

static const char * const other_seed_args[] = {
  "--port", "0",
  "--count", G_STRINGIFY (STREAM_COUNT),
  "--patients", G_STRINGIFY (STREAM_PATIENTS),
  "--rate", G_STRINGIFY (STREAM_RATE),
  "--seed", G_STRINGIFY (OTHER_SEED),
  "--start", FIXED_START,
  NULL
};

/* A counted stream: patients, every seq once in order, the end, a close. */
/* P0008 wears a CGM: its sensor's last 14 days (every 5 min, the AGP's
 * window) arrive before the stream, ending just before the first vitals,
 * which carry the next reading; the others carry none. */
static void
check_cgm_history (Client *client)
{
  guint n_samples = 0;
  gint64 first = 0, last = 0, start = 0;

  g_assert_true (tw_time_parse_iso8601 (FIXED_START, &start));
  for (guint i = 0; i < client->messages->len; i++)
    {
      g_autoptr(JsonObject) object = parse_object (client->messages->pdata[i]);
      const char *type = string_member (object, "type");
      gint64 ts = 0;

      if (g_str_equal (type, "samples"))
        {
          g_assert_true (tw_time_parse_iso8601 (string_member (object, "ts"), &ts));
          g_assert_cmpint (ts, >, last);
          first = n_samples++ == 0 ? ts : first;
          last = ts;
        }
      else if (g_str_equal (type, "vitals"))
        {
          /* One reading per 5 minutes: the whole test stream is in the first. */
          g_assert_cmpint (json_object_has_member (object, "glucose"), ==,
                           g_str_equal (string_member (object, "patient"), "P0008")
                           && int_member (object, "seq") <= CGM_PATIENTS);
        }
    }
  g_assert_cmpuint (n_samples, ==, 14 * 288);
  g_assert_cmpint (first, ==, start - 14 * 24 * G_GINT64_CONSTANT (3600000000));
  g_assert_cmpint (last, ==, start - 300 * G_GINT64_CONSTANT (1000000));
}

static void
test_feed_stream (Fixture       *fixture,
                  gconstpointer  data)
{
  Feed *feed = feed_start (fixture, stream_args);
  g_autoptr(Client) client = fetch (feed->port, NOT_RESUMING);
  g_autoptr(GPtrArray) by_seq = check_stream (client, STREAM_PATIENTS, 1, STREAM_COUNT);
  g_autoptr(JsonObject) first = parse_object (by_seq->pdata[1]);
  g_autoptr(JsonObject) second_tick = parse_object (by_seq->pdata[STREAM_PATIENTS + 1]);
  g_autoptr(JsonObject) last = parse_object (by_seq->pdata[STREAM_COUNT]);
  g_autofree char *restart = NULL;

  /* seq = tick * patients + patient + 1; a tick lasts 1/rate s (5 ms). */
  g_assert_cmpstr (string_member (first, "ts"), ==, "2025-03-14T09:00:00.000000Z");
  g_assert_cmpstr (string_member (first, "patient"), ==, "P0001");
  g_assert_cmpstr (string_member (second_tick, "ts"), ==, "2025-03-14T09:00:00.005000Z");
  g_assert_cmpstr (string_member (second_tick, "patient"), ==, "P0001");
  g_assert_cmpstr (string_member (last, "ts"), ==, "2025-03-14T09:00:00.045000Z");
  g_assert_cmpstr (string_member (last, "patient"), ==, "P0004");

  /* The start may default to "now", so the line spells out every option. */
  restart = g_strdup_printf ("tidewatch-feed --port %u --patients 4 --rate 200 --seed 7"
                             " --start 2025-03-14T09:00:00.000000Z --count 40", feed->port);
  g_assert_cmpstr (feed->restart, ==, restart);
}

static void
test_feed_cgm (Fixture       *fixture,
               gconstpointer  data)
{
  const char * const args[] = {
    "--port", "0", "--patients", G_STRINGIFY (CGM_PATIENTS), "--rate", "200",
    "--count", G_STRINGIFY (CGM_COUNT), "--start", FIXED_START, NULL
  };
  Feed *feed = feed_start (fixture, args);
  g_autoptr(Client) client = fetch (feed->port, NOT_RESUMING);
  g_autoptr(GPtrArray) by_seq = check_stream (client, CGM_PATIENTS, 1, CGM_COUNT);

  check_cgm_history (client);
}

/* Clients resume after what they have, concurrently, and get the same
 * bytes as a client that read from the beginning. */
static void
test_feed_resume (Fixture       *fixture,
                  gconstpointer  data)
{
  Feed *feed = feed_start (fixture, stream_args);
  g_autoptr(Client) whole = client_new (feed->port, NOT_RESUMING);
  g_autoptr(Client) resumed = client_new (feed->port, RESUME_AFTER);
  g_autoptr(Client) finished = client_new (feed->port, STREAM_COUNT);
  g_autoptr(GPtrArray) whole_seq = NULL;
  g_autoptr(GPtrArray) resumed_seq = NULL;

  client_wait_closed (whole);
  client_wait_closed (resumed);
  client_wait_closed (finished);

  whole_seq = check_stream (whole, STREAM_PATIENTS, 1, STREAM_COUNT);
  resumed_seq = check_stream (resumed, STREAM_PATIENTS, RESUME_AFTER + 1, STREAM_COUNT);
  for (guint seq = RESUME_AFTER + 1; seq <= STREAM_COUNT; seq++)
    g_assert_cmpstr (resumed_seq->pdata[seq], ==, whole_seq->pdata[seq]);

  /* Nothing left: the patients, the end and a normal close. */
  g_ptr_array_unref (check_stream (finished, STREAM_PATIENTS, STREAM_COUNT + 1, STREAM_COUNT));
  g_assert_cmpuint (soup_websocket_connection_get_close_code (finished->ws), ==,
                    SOUP_WEBSOCKET_CLOSE_NORMAL);

  g_assert_cmpuint (feed_stop (feed), ==, STREAM_COUNT + (STREAM_COUNT - RESUME_AFTER));
}

/* A nonsense resume point is refused, not read as 0. */
static void
test_feed_bad_resume (Fixture       *fixture,
                      gconstpointer  data)
{
  Feed *feed = feed_start (fixture, stream_args);
  g_autoptr(Client) client = client_new (feed->port, NOT_RESUMING);
  g_autoptr(Client) bad = client_new_query (feed->port, "?after=soon");

  client_wait_closed (client);
  client_wait_closed (bad);
  g_assert_cmpuint (bad->messages->len, ==, 0);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (bad->ws), ==,
                    SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_assert_cmpuint (feed_stop (feed), ==, STREAM_COUNT);
}

/* A feed restarted with the line it printed serves identical bytes; a
 * different seed serves different patients and values. */
static void
test_feed_restart (Fixture       *fixture,
                   gconstpointer  data)
{
  Feed *feed = feed_start (fixture, stream_args);
  g_autoptr(Client) before = fetch (feed->port, NOT_RESUMING);
  g_autoptr(Client) after = NULL;
  g_autoptr(Client) other = NULL;
  g_auto(GStrv) restart_argv = NULL;
  g_autoptr(GError) error = NULL;
  guint n_restart_args;
  guint n_different = 0;
  guint port = feed->port;

  g_assert_cmpuint (feed_stop (feed), ==, STREAM_COUNT);

  /* The restart line names the same port, so clients find the feed again. */
  g_shell_parse_argv (feed->restart, NULL, &restart_argv, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (restart_argv[0], ==, "tidewatch-feed");
  n_restart_args = g_strv_length (restart_argv);
  g_assert_cmpuint (n_restart_args, ==, G_N_ELEMENTS (stream_args));
  feed = feed_start (fixture, (const char * const *) restart_argv + 1);
  g_assert_cmpuint (feed->port, ==, port);

  after = fetch (feed->port, NOT_RESUMING);
  g_assert_cmpuint (after->messages->len, ==, before->messages->len);
  for (guint i = 0; i < before->messages->len; i++)
    g_assert_cmpstr (after->messages->pdata[i], ==, before->messages->pdata[i]);
  g_assert_cmpuint (feed_stop (feed), ==, STREAM_COUNT);

  feed = feed_start (fixture, other_seed_args);
  other = fetch (feed->port, NOT_RESUMING);
  g_ptr_array_unref (check_stream (other, STREAM_PATIENTS, 1, STREAM_COUNT));
  for (guint i = 0; i < before->messages->len; i++)
    if (g_strcmp0 (other->messages->pdata[i], before->messages->pdata[i]) != 0)
      n_different++;
  /* Seq, time and patient are the same: only names and values can differ,
   * and with another seed nearly all of them do. */
  g_assert_cmpuint (n_different, >=, before->messages->len * 3 / 4);
}

/* Messages are sent when they fall due, not all at once. */
static void
test_feed_pacing (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *now = tw_time_format_iso8601 (tw_time_now ());
  const char * const args[] = {
    "--port", "0", "--patients", "1", "--rate", PACING_RATE, "--start", now, NULL
  };
  Feed *feed = feed_start (fixture, args);
  g_autoptr(Client) client = client_new (feed->port, NOT_RESUMING);
  guint n_vitals = 0;

  g_assert_true (wait_until (client_is_connected, client, STEP_TIMEOUT_MS));
  g_assert_no_error (client->error);
  wait_ms (PACING_WATCH_MS);

  for (guint i = 0; i < client->messages->len; i++)
    if (strstr (client->messages->pdata[i], "\"type\":\"vitals\"") != NULL)
      n_vitals++;
  g_test_message ("%u vitals in %d ms at %s Hz", n_vitals, PACING_WATCH_MS, PACING_RATE);
  g_assert_cmpuint (n_vitals, >=, PACING_MIN_VITALS);
  g_assert_cmpuint (n_vitals, <=, PACING_MAX_VITALS);
  g_assert_false (client->closed);

  /* The feed survives a client that goes away and counts what it sent. */
  soup_websocket_connection_close (client->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  client_wait_closed (client);
  g_assert_cmpuint (feed_stop (feed), >=, n_vitals);
}

static guint
count_distinct (const gint64 *values,
                guint         n)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < n; i++)
    g_hash_table_add (seen, (gpointer) &values[i]);
  return g_hash_table_size (seen);
}

/* A long backlog arrives whole, and the vitals in it live: they vary
 * without leaving plausible limits or jumping. */
static void
test_feed_variation (Fixture       *fixture,
                     gconstpointer  data)
{
  const char * const args[] = {
    "--port", "0", "--patients", "1", "--rate", "1000",
    "--count", G_STRINGIFY (VARIATION_COUNT), "--start", "2020-01-01T00:00:00Z", NULL
  };
  Feed *feed = feed_start (fixture, args);
  g_autoptr(Client) client = fetch (feed->port, NOT_RESUMING);
  g_autoptr(GPtrArray) by_seq = check_stream (client, 1, 1, VARIATION_COUNT);
  g_autofree gint64 *hr = g_new (gint64, VARIATION_COUNT);
  g_autofree gint64 *rr = g_new (gint64, VARIATION_COUNT);
  g_autofree gint64 *sbp = g_new (gint64, VARIATION_COUNT);
  g_autofree gint64 *dbp = g_new (gint64, VARIATION_COUNT);

  for (guint i = 0; i < VARIATION_COUNT; i++)
    {
      g_autoptr(JsonObject) object = parse_object (by_seq->pdata[i + 1]);
      Vitals vitals;

      parse_vitals (object, &vitals);
      hr[i] = vitals.hr;
      rr[i] = vitals.rr;
      sbp[i] = vitals.sbp;
      dbp[i] = vitals.dbp;
      if (i > 0)
        g_assert_cmpint (ABS (hr[i] - hr[i - 1]), <=, VARIATION_MAX_HR_STEP);
    }

  g_assert_cmpuint (count_distinct (hr, VARIATION_COUNT), >=, VARIATION_MIN_DISTINCT);
  g_assert_cmpuint (count_distinct (rr, VARIATION_COUNT), >=, VARIATION_MIN_DISTINCT);
  g_assert_cmpuint (count_distinct (sbp, VARIATION_COUNT), >=, VARIATION_MIN_DISTINCT);
  g_assert_cmpuint (count_distinct (dbp, VARIATION_COUNT), >=, VARIATION_MIN_DISTINCT);
  g_assert_cmpuint (feed_stop (feed), ==, VARIATION_COUNT);
}

/* Runs the feed expecting it to refuse; returns what it printed on stderr. */
static char *
feed_refuse (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *err_text = NULL;

  g_ptr_array_add (argv, (gpointer) feed_program ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);

  process = spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err_text, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  return err_text;
}

static void
test_feed_refusals (Fixture       *fixture,
                    gconstpointer  data)
{
  Feed *feed = feed_start (fixture, stream_args);
  g_autofree char *port = g_strdup_printf ("%u", feed->port);
  g_autofree char *where = g_strdup_printf ("cannot listen on 127.0.0.1:%u", feed->port);
  const char * const busy_args[] = { "--port", port, NULL };
  const char * const patients_args[] = { "--patients", "0", NULL };
  const char * const rate_args[] = { "--rate", "-1", NULL };
  const char * const start_args[] = { "--start", "2025-03-14T09:00:00", NULL };
  g_autofree char *busy = feed_refuse (busy_args);
  g_autofree char *patients = feed_refuse (patients_args);
  g_autofree char *rate = feed_refuse (rate_args);
  g_autofree char *start = feed_refuse (start_args);

  g_assert_nonnull (strstr (busy, where));
  g_assert_nonnull (strstr (busy, "Choose another --port or 0 for a free one."));
  g_assert_nonnull (strstr (patients, "--patients"));
  g_assert_nonnull (strstr (rate, "--rate"));
  g_assert_nonnull (strstr (start, "--start"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* libsoup logs every frame at debug level, which buries the results;
   * G_MESSAGES_DEBUG=libsoup brings it back. */
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    g_log_set_debug_enabled (FALSE);

  g_test_add ("/feed/stream", Fixture, NULL, fixture_setup, test_feed_stream, fixture_teardown);
  g_test_add ("/feed/cgm", Fixture, NULL, fixture_setup, test_feed_cgm, fixture_teardown);
  g_test_add ("/feed/resume", Fixture, NULL, fixture_setup, test_feed_resume, fixture_teardown);
  g_test_add ("/feed/bad-resume", Fixture, NULL,
              fixture_setup, test_feed_bad_resume, fixture_teardown);
  g_test_add ("/feed/restart", Fixture, NULL, fixture_setup, test_feed_restart, fixture_teardown);
  g_test_add ("/feed/pacing", Fixture, NULL, fixture_setup, test_feed_pacing, fixture_teardown);
  g_test_add ("/feed/variation", Fixture, NULL,
              fixture_setup, test_feed_variation, fixture_teardown);
  g_test_add ("/feed/refusals", Fixture, NULL,
              fixture_setup, test_feed_refusals, fixture_teardown);

  return g_test_run ();
}
