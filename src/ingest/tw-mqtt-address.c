#include <gio/gio.h>
#include <mosquitto.h>
#include <string.h>

#include "tw-error.h"
#include "tw-mqtt-address.h"
#include "tw-mqtt-source.h"

#define MQTT_PORT             1883
#define MQTTS_PORT            8883
#define CLIENT_ID_PREFIX      "tidewatch-"
/* MQTT 3.1.1 servers must accept client ids of up to 23 characters. */
#define CLIENT_ID_MAX_CHARS   23
#define DEFAULT_QOS           1

static const char * const known_params[] = {
  "format", "topic", "client_id", "qos", "cafile", "insecure", "clean", NULL
};

/* An address we could not read may still hold a password: never echo it. */
static char *
shown_address (const char *url)
{
  g_autofree char *shown = tw_source_url_redact (url);

  if (g_str_equal (shown, url) && strchr (url, '@') != NULL)
    return g_strdup ("the MQTT address");
  return g_strdup_printf ("‘%s’", shown);
}

static gboolean
parse_flag (const char *text,
            gboolean   *out_value)
{
  if (g_str_equal (text, "1") || g_ascii_strcasecmp (text, "true") == 0
      || g_ascii_strcasecmp (text, "yes") == 0)
    *out_value = TRUE;
  else if (g_str_equal (text, "0") || g_ascii_strcasecmp (text, "false") == 0
           || g_ascii_strcasecmp (text, "no") == 0)
    *out_value = FALSE;
  else
    return FALSE;
  return TRUE;
}

/* The session lives at the broker under the client id: it must not change
 * when the password or the payload format does, nor reveal the password. */
static char *
default_client_id (const TwMqttAddress *address)
{
  g_autofree char *host = g_ascii_strdown (address->host, -1);
  g_autofree char *identity = g_strdup_printf ("%s://%s@%s:%d/%s",
                                               address->tls ? "mqtts" : "mqtt",
                                               address->user != NULL ? address->user : "", host,
                                               address->port, address->topic);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, identity, -1);

  return g_strdup_printf ("%s%.*s", CLIENT_ID_PREFIX,
                          (int) (CLIENT_ID_MAX_CHARS - strlen (CLIENT_ID_PREFIX)), hash);
}

static gboolean
parse_params (TwMqttAddress  *address,
              GUri           *uri,
              const char     *shown,
              GError        **error)
{
  const char *query = g_uri_get_query (uri);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GError) local_error = NULL;
  GHashTableIter iter;
  const char *key;
  const char *value;

  if (query == NULL || *query == '\0')
    return TRUE;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &local_error);
  if (params == NULL)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "The parameters of %s cannot be read: %s", shown, local_error->message);
      return FALSE;
    }

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &value))
    {
      if (!g_strv_contains (known_params, key))
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "Unknown parameter ‘%s’ in %s; MQTT addresses take topic=, format=, "
                       "client_id=, qos=, and with mqtts:// cafile= and insecure=", key, shown);
          return FALSE;
        }
    }

  if ((value = g_hash_table_lookup (params, "topic")) != NULL)
    {
      g_free (address->topic);
      address->topic = g_strdup (value);
    }
  if ((value = g_hash_table_lookup (params, "client_id")) != NULL)
    {
      if (*value == '\0' || !g_utf8_validate (value, -1, NULL))
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "client_id= in %s must be a non-empty UTF-8 text", shown);
          return FALSE;
        }
      address->client_id = g_strdup (value);
    }
  if ((value = g_hash_table_lookup (params, "qos")) != NULL)
    {
      if (g_str_equal (value, "0"))
        address->qos = 0;
      else if (g_str_equal (value, "1"))
        address->qos = 1;
      else
        {
          g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                       "qos=%s in %s is not supported; use qos=1 (the broker keeps what we "
                       "have not stored; repeats are harmless) or qos=0", value, shown);
          return FALSE;
        }
    }
  if ((value = g_hash_table_lookup (params, "insecure")) != NULL
      && !parse_flag (value, &address->insecure))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "insecure=%s in %s must be 1 or 0", value, shown);
      return FALSE;
    }
  if ((value = g_hash_table_lookup (params, "clean")) != NULL
      && !parse_flag (value, &address->clean))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "clean=%s in %s must be 1 or 0", value, shown);
      return FALSE;
    }
  if ((value = g_hash_table_lookup (params, "cafile")) != NULL)
    address->cafile = g_strdup (value);

  if (!address->tls && (address->cafile != NULL || address->insecure))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "cafile= and insecure= in %s are TLS settings; use mqtts://", shown);
      return FALSE;
    }
  if (address->cafile != NULL && !g_file_test (address->cafile, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "cafile=%s in %s is not a file; give the broker's CA certificate (PEM)",
                   address->cafile, shown);
      return FALSE;
    }
  return TRUE;
}

/**
 * tw_mqtt_address_parse:
 * @url: `mqtt://[user[:password]@]host[:port]/topic-filter` or `mqtts://…`
 *   with its parameters (see tw_mqtt_source_new())
 * @error: return location for a %TW_ERROR_INVALID_INPUT error naming what
 *   is wrong with @url (never its password)
 *
 * Returns: (transfer full) (nullable): the settings @url names, with the
 *   defaults filled in
 */
TwMqttAddress *
tw_mqtt_address_parse (const char  *url,
                       GError     **error)
{
  g_autoptr(TwMqttAddress) address = NULL;
  g_autofree char *shown = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *path;

  g_return_val_if_fail (url != NULL, NULL);

  shown = shown_address (url);
  /* The query stays encoded so that a value may hold an encoded & or =. */
  uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_QUERY, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "%s is not an MQTT address (%s); expected %s",
                   shown, local_error->message, TW_MQTT_URL_FORM);
      return NULL;
    }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "%s names no broker; expected %s", shown, TW_MQTT_URL_FORM);
      return NULL;
    }
  if (g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "%s contains ‘#’, which ends the address: write the wildcard # as %%23 "
                   "(mqtt://broker:1883/tw/%%23) or use ?topic=", shown);
      return NULL;
    }

  address = g_new0 (TwMqttAddress, 1);
  address->tls = g_ascii_strcasecmp (g_uri_get_scheme (uri), "mqtts") == 0;
  address->host = g_strdup (g_uri_get_host (uri));
  address->port = g_uri_get_port (uri);
  if (address->port <= 0)
    address->port = address->tls ? MQTTS_PORT : MQTT_PORT;
  address->user = g_strdup (g_uri_get_user (uri));
  address->password = g_strdup (g_uri_get_password (uri));
  address->qos = DEFAULT_QOS;
  path = g_uri_get_path (uri);
  while (*path == '/')
    path++;
  address->topic = g_strdup (path);

  if (!parse_params (address, uri, shown, error))
    return NULL;
  if (*address->topic == '\0')
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "%s has no topic filter; expected %s", shown, TW_MQTT_URL_FORM);
      return NULL;
    }
  if (mosquitto_sub_topic_check (address->topic) != MOSQ_ERR_SUCCESS)
    {
      g_set_error (error, TW_ERROR, TW_ERROR_INVALID_INPUT,
                   "‘%s’ in %s is not an MQTT topic filter: + stands for one whole level, "
                   "# for all remaining levels and only at the end", address->topic, shown);
      return NULL;
    }
  if (address->client_id == NULL)
    address->client_id = default_client_id (address);
  return g_steal_pointer (&address);
}

void
tw_mqtt_address_free (TwMqttAddress *address)
{
  if (address == NULL)
    return;
  if (address->password != NULL)
    memset (address->password, 0, strlen (address->password));
  g_free (address->password);
  g_free (address->host);
  g_free (address->user);
  g_free (address->topic);
  g_free (address->client_id);
  g_free (address->cafile);
  g_free (address);
}
