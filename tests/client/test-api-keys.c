/* test-api-keys.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* API keys end to end (issue 3): BaApiClient, the vault cache and the
 * BaAccount model against a spawned balena-accounts-server, and against
 * an in-process libsoup server for answers a real server never gives. */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>
#include <sqlite3.h>

#include "ba-account.h"
#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-test-server.h"
#include "ba-wipe.h"

static char *tmpdir;

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Synchronous wrappers */

#define WAIT(result) ba_client_test_wait (&(result))

static BaVault *
open_vault (BaSecretStore *store,
            const char    *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  GAsyncResult *result = NULL;
  BaVault *vault;

  ba_secret_store_get_vault_key_async (store, NULL, ba_client_test_store_result, &result);
  key = ba_secret_store_get_vault_key_finish (store, WAIT (result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  ba_vault_open_async (path, key, NULL, ba_client_test_store_result, &result);
  vault = ba_vault_open_finish (WAIT (result), NULL, &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  return vault;
}

static BaAccount *
login (const char    *url,
       const char    *username,
       const char    *password,
       BaSecretStore *store,
       BaVault       *vault)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_login_async (url, username, password, store, vault, NULL,
                          ba_client_test_store_result, &result);
  account = ba_account_login_finish (WAIT (result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_nonnull (account);

  return account;
}

static BaAccount *
restore (BaSecretStore *store,
         BaVault       *vault)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_restore_async (store, vault, NULL, ba_client_test_store_result, &result);
  account = ba_account_restore_finish (WAIT (result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_nonnull (account);

  return account;
}

static void
store_token (BaSecretStore *store,
             const char    *account_id,
             const char    *token)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  ba_secret_store_store_token_async (store, account_id, "test", token, NULL,
                                     ba_client_test_store_result, &result);
  ba_secret_store_store_token_finish (store, WAIT (result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
}

static gboolean
sync_keys (BaAccount  *account,
           GError    **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_account_sync_api_keys_async (account, NULL, ba_client_test_store_result, &result);
  ok = ba_account_sync_api_keys_finish (account, WAIT (result), error);
  g_object_unref (result);

  return ok;
}

static char *
create_key (BaAccount   *account,
            const char  *name,
            const char  *description,
            gint64       expiry_date,
            GError     **error)
{
  GAsyncResult *result = NULL;
  char *key;

  ba_account_create_api_key_async (account, name, description, expiry_date, NULL,
                                   ba_client_test_store_result, &result);
  key = ba_account_create_api_key_finish (account, WAIT (result), error);
  g_object_unref (result);

  return key;
}

static gboolean
update_key (BaAccount   *account,
            gint64       id,
            const char  *name,
            const char  *description,
            gint64       expiry_date,
            GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_account_update_api_key_async (account, id, name, description, expiry_date, NULL,
                                   ba_client_test_store_result, &result);
  ok = ba_account_update_api_key_finish (account, WAIT (result), error);
  g_object_unref (result);

  return ok;
}

static gboolean
revoke_keys (BaAccount     *account,
             const gint64  *ids,
             guint          n_ids,
             GArray       **failed,
             GError       **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_account_revoke_api_keys_async (account, ids, n_ids, NULL, ba_client_test_store_result, &result);
  ok = ba_account_revoke_api_keys_finish (account, WAIT (result), failed, error);
  g_object_unref (result);

  return ok;
}

static gboolean
refresh_token (BaAccount   *account,
               const char  *password,
               GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_account_refresh_token_async (account, password, NULL, ba_client_test_store_result, &result);
  ok = ba_account_refresh_token_finish (account, WAIT (result), error);
  g_object_unref (result);

  return ok;
}

static GPtrArray *
vault_keys (BaVault    *vault,
            const char *account_id)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  GPtrArray *keys;

  ba_vault_load_api_keys_async (vault, account_id, NULL, ba_client_test_store_result, &result);
  keys = ba_vault_load_api_keys_finish (vault, WAIT (result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_nonnull (keys);

  return keys;
}

/* The server's list, straight from BaApiClient. */
static GPtrArray *
server_keys (BaApiClient  *client,
             gint64        actor_id,
             GError      **error)
{
  GAsyncResult *result = NULL;
  GPtrArray *keys;

  ba_api_client_list_api_keys_async (client, actor_id, NULL, ba_client_test_store_result, &result);
  keys = ba_api_client_list_api_keys_finish (client, WAIT (result), error);
  g_object_unref (result);

  return keys;
}

/* "name|description|expiry-date" for each key, joined by ", ": one string
 * to compare the model, the vault and the server with. */
static char *
describe_array (GPtrArray *keys)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < keys->len; i++)
    {
      BaApiKey *key = g_ptr_array_index (keys, i);

      g_string_append_printf (s, "%s%s|%s|%" G_GINT64_FORMAT, i > 0 ? ", " : "",
                              ba_api_key_get_name (key),
                              ba_api_key_get_description (key) != NULL ? ba_api_key_get_description (key) : "-",
                              ba_api_key_get_expiry_date (key));
    }

  return g_string_free (s, FALSE);
}

static GPtrArray *
model_array (BaAccount *account)
{
  GListModel *model = ba_account_get_api_keys (account);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (keys, g_list_model_get_item (model, i));

  return keys;
}

static char *
describe_model (BaAccount *account)
{
  g_autoptr(GPtrArray) keys = model_array (account);

  return describe_array (keys);
}

static BaApiKey *
model_key (BaAccount *account,
           guint      position)
{
  BaApiKey *key = g_list_model_get_item (ba_account_get_api_keys (account), position);

  g_assert_nonnull (key);
  /* The model holds a reference; a borrowed pointer is enough here. */
  g_object_unref (key);

  return key;
}

static gint64
actor_id_of (BaApiClient *client)
{
  g_autoptr(BaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  ba_api_client_whoami_async (client, NULL, ba_client_test_store_result, &result);
  identity = ba_api_client_whoami_finish (client, WAIT (result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return identity->actor_id;
}

static void
assert_valid_key (const char *key)
{
  g_assert_nonnull (key);
  /* randomstring's default: 32 alphanumeric characters. */
  g_assert_cmpuint (strlen (key), ==, 32);
  for (const char *p = key; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p));
}

/* Counts "items-changed" and remembers the last one. */
typedef struct
{
  guint n;
  guint position;
  guint removed;
  guint added;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  Changes *changes = user_data;

  changes->n++;
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
assert_model (BaAccount  *account,
              const char *expected)
{
  g_autofree char *shown = describe_model (account);

  g_assert_cmpstr (shown, ==, expected);
}

/* Fixture: a real server, keyring, vault */

typedef struct
{
  BaTestServer  *server;
  BaSecretStore *store;
  BaVault       *vault;
  char          *vault_path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  g_autoptr(GError) error = NULL;

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  f->store = ba_secret_store_new ();
  f->vault_path = g_strdup_printf ("%s/keys-%u/balena-accounts/vault.db", tmpdir, counter++);
  f->vault = open_vault (f->store, f->vault_path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_object (&f->vault);
  g_clear_object (&f->store);
  g_free (f->vault_path);
}

static BaAccount *
demo_login (Fixture *f)
{
  return login (ba_test_server_get_url (f->server),
                ba_test_server_get_demo_username (f->server),
                ba_test_server_get_demo_password (f->server),
                f->store, f->vault);
}

/* The session token of @account, signed with the server's secret, as if
 * the password had last been given @age seconds ago. */
static char *
forge_stale (Fixture   *f,
             BaAccount *account,
             gint64     age)
{
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (f->server);
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len = 0;

  g_assert_nonnull (secret);
  data = g_bytes_get_data (secret, &len);
  claims = ba_jwt_decode (ba_session_get_token (ba_account_get_session (account)), data, len, &error);
  g_assert_no_error (error);

  json_object_set_int_member (claims, "iat", now_seconds () - age);
  json_object_set_int_member (claims, "authTime", (now_seconds () - age) * 1000);
  json_object_set_int_member (claims, "exp", now_seconds () + 7 * 24 * 60 * 60);

  return ba_jwt_encode_hs256 (claims, data, len);
}

static void
test_lifecycle (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GArray) failed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) beta_key = NULL;
  g_autoptr(BaSecretString) alpha_key = NULL;
  g_autoptr(BaSecretString) delta_key = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *described = NULL;
  g_autofree char *too_long = NULL;
  GListModel *model = ba_account_get_api_keys (account);
  BaApiClient *client = ba_account_get_api_client (account);
  gint64 actor_id = actor_id_of (client);
  gint64 expiry = now_seconds () + 30 * 24 * 60 * 60;
  Changes changes = { 0 };
  BaApiKey *beta;
  BaApiKey *alpha;
  GListModel *property = NULL;
  gint64 ids[2];
  guint status;

  g_object_get (account, "api-keys", &property, NULL);
  g_assert_true (property == model);
  g_object_unref (property);
  g_assert_true (g_list_model_get_item_type (model) == BA_TYPE_API_KEY);

  /* A new user has no keys. */
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);

  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  /* Created with a fresh login token: the key comes back once, and the
   * model gains the key's metadata (one row inserted). */
  beta_key = create_key (account, "beta", "second key", expiry, &error);
  g_assert_no_error (error);
  assert_valid_key (beta_key);
  g_assert_cmpuint (changes.n, ==, 1);
  g_assert_cmpuint (changes.added, ==, 1);
  g_assert_cmpuint (changes.removed, ==, 0);
  beta = model_key (account, 0);
  g_assert_cmpint (ba_api_key_get_id (beta), >, 0);
  g_assert_cmpstr (ba_api_key_get_name (beta), ==, "beta");
  g_assert_cmpstr (ba_api_key_get_description (beta), ==, "second key");
  g_assert_cmpint (ba_api_key_get_expiry_date (beta), ==, expiry);
  g_assert_cmpint (ba_api_key_get_created_at (beta), >=, now_seconds () - 60);
  g_assert_cmpint (ba_api_key_get_created_at (beta), <=, now_seconds () + 1);
  g_assert_false (ba_api_key_is_expired (beta, now_seconds ()));
  g_assert_true (ba_api_key_is_expired (beta, expiry));

  /* The key works as a credential... */
  status = ba_test_server_request (f->server, "GET", "/actor/v1/whoami", beta_key,
                                   NULL, NULL, NULL, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  /* ...and no listing ever returns it again. */
  status = ba_test_server_request (f->server, "GET", "/v7/api_key",
                                   ba_session_get_token (ba_account_get_session (account)),
                                   NULL, NULL, &raw, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (raw, "\"beta\""));
  g_assert_null (strstr (raw, beta_key));

  alpha_key = create_key (account, "alpha", NULL, 0, &error);
  g_assert_no_error (error);
  assert_valid_key (alpha_key);
  g_assert_cmpstr (alpha_key, !=, beta_key);
  g_assert_cmpuint (changes.n, ==, 2);
  g_assert_cmpuint (changes.position, ==, 0);   /* sorted by name */
  described = g_strdup_printf ("alpha|-|0, beta|second key|%" G_GINT64_FORMAT, expiry);
  assert_model (account, described);
  alpha = model_key (account, 0);

  /* The server's list agrees with the model, and a sync changes
   * nothing: no row replaced, the same objects. */
  listed = server_keys (client, actor_id, &error);
  g_assert_no_error (error);
  g_clear_pointer (&described, g_free);
  {
    g_autofree char *server = describe_array (listed);
    g_autofree char *shown = describe_model (account);

    g_assert_cmpstr (server, ==, shown);
  }
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes.n, ==, 2);
  g_assert_true (model_key (account, 0) == alpha);
  g_assert_true (model_key (account, 1) == beta);

  /* Update: the same object changes (a row just repaints) and moves to
   * its new place by name. */
  g_assert_true (update_key (account, ba_api_key_get_id (beta), "aardvark", NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_true (model_key (account, 0) == beta);
  g_assert_cmpstr (ba_api_key_get_name (beta), ==, "aardvark");
  g_assert_null (ba_api_key_get_description (beta));
  g_assert_cmpint (ba_api_key_get_expiry_date (beta), ==, 0);
  g_assert_true (update_key (account, ba_api_key_get_id (alpha), "alpha", "now described",
                             expiry + 3600, &error));
  g_assert_no_error (error);
  g_assert_true (model_key (account, 1) == alpha);
  described = g_strdup_printf ("aardvark|-|0, alpha|now described|%" G_GINT64_FORMAT, expiry + 3600);
  assert_model (account, described);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = server_keys (client, actor_id, &error);
  g_assert_no_error (error);
  {
    g_autofree char *server = describe_array (listed);

    g_assert_cmpstr (server, ==, described);
  }

  /* Too long: the server's message reaches the user, translated;
   * nothing changed. */
  too_long = g_strnfill (BA_API_KEY_NAME_MAX_LENGTH + 1, 'n');
  g_assert_false (update_key (account, ba_api_key_get_id (alpha), too_long, NULL, 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "The name of an API key can be at most 50 characters long.");
  g_clear_error (&error);
  g_clear_pointer (&too_long, g_free);
  too_long = g_strnfill (BA_API_KEY_DESCRIPTION_MAX_LENGTH + 1, 'd');
  g_assert_null (create_key (account, "long description", too_long, 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "The description of an API key can be at most 150 characters long.");
  g_clear_error (&error);
  g_assert_false (update_key (account, ba_api_key_get_id (alpha), "", NULL, 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  /* The server's own rule against control characters, in words too. */
  g_assert_null (create_key (account, "two\nlines", NULL, 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==,
                   "The name and description of an API key cannot contain control characters, such as line breaks.");
  g_clear_error (&error);
  {
    g_autofree char *after = describe_model (account);

    g_assert_cmpstr (after, ==, described);
  }

  /* Revoke two at once: both leave the model, the server and the vault;
   * the third stays, and a revoked key is no credential any more. */
  delta_key = create_key (account, "delta", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  ids[0] = ba_api_key_get_id (beta);
  ids[1] = ba_api_key_get_id (model_key (account, 2));
  g_assert_true (revoke_keys (account, ids, G_N_ELEMENTS (ids), &failed, &error));
  g_assert_no_error (error);
  g_assert_null (failed);
  g_clear_pointer (&described, g_free);
  described = g_strdup_printf ("alpha|now described|%" G_GINT64_FORMAT, expiry + 3600);
  assert_model (account, described);
  g_assert_true (model_key (account, 0) == alpha);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = server_keys (client, actor_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);
  status = ba_test_server_request (f->server, "GET", "/actor/v1/whoami", delta_key,
                                   NULL, NULL, NULL, NULL, NULL);
  g_assert_cmpuint (status, ==, 401);
  status = ba_test_server_request (f->server, "GET", "/actor/v1/whoami", alpha_key,
                                   NULL, NULL, NULL, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);

  /* The vault is in step with the model. */
  cached = vault_keys (f->vault, ba_account_get_id (account));
  {
    g_autofree char *in_vault = describe_array (cached);

    g_assert_cmpstr (in_vault, ==, described);
  }
}

/* Names that need quoting in an OData literal or escaping in a URL still
 * find the new key's details. */
static void
test_odd_names (Fixture       *f,
                gconstpointer  data)
{
  static const char * const names[] = {
    "it's O''Brien's",
    "ünïcödé ✓ key",
    "a&b=c?d#e%20f+g/h",
    "trailing space ",
    "' or 1 eq 1 or name eq '",
  };
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(GError) error = NULL;
  GListModel *model = ba_account_get_api_keys (account);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(BaSecretString) key = create_key (account, names[i], NULL, 0, &error);
      gboolean found = FALSE;

      g_assert_no_error (error);
      assert_valid_key (key);
      g_assert_cmpuint (g_list_model_get_n_items (model), ==, i + 1);
      for (guint j = 0; j < g_list_model_get_n_items (model); j++)
        if (g_strcmp0 (ba_api_key_get_name (model_key (account, j)), names[i]) == 0)
          found = TRUE;
      g_assert_true (found);
    }

  /* The model built one key at a time matches the server's list. */
  {
    g_autofree char *before = describe_model (account);

    g_assert_true (sync_keys (account, &error));
    g_assert_no_error (error);
    assert_model (account, before);
  }
}

static void
test_fresh_auth (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) key = NULL;
  g_autofree char *stale = forge_stale (f, account, 2 * 60 * 60);
  g_autofree char *id = g_strdup (ba_account_get_id (account));
  GAsyncResult *result = NULL;

  /* The server itself refuses a stale token with its message. */
  client = ba_api_client_new (ba_test_server_get_url (f->server), &error);
  g_assert_no_error (error);
  ba_api_client_set_token (client, stale);
  ba_api_client_create_api_key_async (client, "stale", NULL, 0, NULL,
                                      ba_client_test_store_result, &result);
  key = ba_api_client_create_api_key_finish (client, WAIT (result), &error);
  g_clear_object (&result);
  g_assert_null (key);
  g_assert_error (error, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED);
  g_clear_error (&error);

  /* The account knows without asking. */
  store_token (f->store, id, stale);
  g_clear_object (&account);
  restored = restore (f->store, f->vault);
  g_assert_false (ba_session_is_fresh (ba_account_get_session (restored), now_seconds ()));
  key = create_key (restored, "needs password", NULL, 0, &error);
  g_assert_null (key);
  g_assert_error (error, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_api_keys (restored)), ==, 0);

  /* A wrong password does not help; the right one does. */
  g_assert_false (refresh_token (restored, "not the password", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  g_assert_true (refresh_token (restored, ba_test_server_get_demo_password (f->server), &error));
  g_assert_no_error (error);
  key = create_key (restored, "needs password", NULL, 0, &error);
  g_assert_no_error (error);
  assert_valid_key (key);
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_api_keys (restored)), ==, 1);
}

static void
test_api_key_session (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(GArray) failed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) key = NULL;
  g_autoptr(BaSecretString) other = NULL;
  g_autofree char *before = NULL;
  g_autofree char *id = g_strdup (ba_account_get_id (account));
  GAsyncResult *result = NULL;
  gint64 ids[1];
  char *denied;

  key = create_key (account, "automation", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);
  ids[0] = ba_api_key_get_id (model_key (account, 0));

  /* BaApiClient with the key: the server's 401 is a clear refusal, not
   * the end of a session. */
  client = ba_api_client_new (ba_test_server_get_url (f->server), &error);
  g_assert_no_error (error);
  ba_api_client_set_token (client, key);
  ba_api_client_create_api_key_async (client, "from a key", NULL, 0, NULL,
                                      ba_client_test_store_result, &result);
  denied = ba_api_client_create_api_key_finish (client, WAIT (result), &error);
  g_clear_object (&result);
  g_assert_null (denied);
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "API keys cannot manage API keys"));
  g_clear_error (&error);
  ba_api_client_revoke_api_key_async (client, ids[0], NULL, ba_client_test_store_result, &result);
  g_assert_false (ba_api_client_revoke_api_key_finish (client, WAIT (result), &error));
  g_clear_object (&result);
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* An account whose credential is the key (restored from the keyring). */
  store_token (f->store, id, key);
  g_clear_object (&account);
  restored = restore (f->store, f->vault);
  g_assert_true (ba_session_is_api_key (ba_account_get_session (restored)));
  /* Cached keys showed at once; reading the list is allowed. */
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_api_keys (restored)), ==, 1);
  g_assert_true (sync_keys (restored, &error));
  g_assert_no_error (error);
  before = describe_model (restored);

  other = create_key (restored, "from a key", NULL, 0, &error);
  g_assert_null (other);
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "password"));
  g_clear_error (&error);

  g_assert_false (update_key (restored, ids[0], "renamed", NULL, 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_false (revoke_keys (restored, ids, 1, &failed, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (failed);
  g_assert_cmpuint (failed->len, ==, 1);
  g_assert_cmpint (g_array_index (failed, gint64, 0), ==, ids[0]);
  g_clear_error (&error);

  /* Nothing changed anywhere, and the account is still logged in. */
  {
    g_autofree char *after = describe_model (restored);

    g_assert_cmpstr (after, ==, before);
  }
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_true (sync_keys (restored, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_api_keys (restored)), ==, 1);
}

/* Deletes the key @id on the server behind the account's back, as the
 * balena CLI or the dashboard would, with the same session token. */
static void
delete_elsewhere (Fixture   *f,
                  BaAccount *account,
                  gint64     id)
{
  g_autofree char *path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", id);
  guint status;

  status = ba_test_server_request (f->server, "DELETE", path,
                                   ba_session_get_token (ba_account_get_session (account)),
                                   NULL, NULL, NULL, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
}

static gint64
key_id (BaAccount  *account,
        const char *name)
{
  GListModel *model = ba_account_get_api_keys (account);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      BaApiKey *key = model_key (account, i);

      if (g_strcmp0 (ba_api_key_get_name (key), name) == 0)
        return ba_api_key_get_id (key);
    }

  return 0;
}

static guint
whoami_status (Fixture   *f,
               BaAccount *account)
{
  return ba_test_server_request (f->server, "GET", "/actor/v1/whoami",
                                 ba_session_get_token (ba_account_get_session (account)),
                                 NULL, NULL, NULL, NULL, NULL);
}

/* Keys revoked elsewhere: the server answers 401 for them, as pinejs
 * does for an id that is not the caller's, yet the session is fine. */
static void
test_gone_keys (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GArray) failed = NULL;
  g_autoptr(GError) error = NULL;
  const char * const names[] = { "one", "two", "three" };
  gint64 ids[G_N_ELEMENTS (names)];
  gint64 gone;
  guint status;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(BaSecretString) key = create_key (account, names[i], NULL, 0, &error);

      g_assert_no_error (error);
      ids[i] = key_id (account, names[i]);
      g_assert_cmpint (ids[i], >, 0);
    }

  /* The server's answer the client has to read right. */
  delete_elsewhere (f, account, ids[1]);
  {
    g_autofree char *path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", ids[1]);

    status = ba_test_server_request (f->server, "DELETE", path,
                                     ba_session_get_token (ba_account_get_session (account)),
                                     NULL, NULL, NULL, NULL, NULL);
    g_assert_cmpuint (status, ==, 401);
  }

  /* Revoking all three: the gone one counts as revoked, the one after it
   * is still revoked, and the session goes on. */
  g_assert_true (revoke_keys (account, ids, G_N_ELEMENTS (ids), &failed, &error));
  g_assert_no_error (error);
  g_assert_null (failed);
  g_assert_cmpint (ba_account_get_state (account), !=, BA_ACCOUNT_STATE_LOGGED_OUT);
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_api_keys (account)), ==, 0);
  cached = vault_keys (f->vault, ba_account_get_id (account));
  g_assert_cmpuint (cached->len, ==, 0);
  listed = server_keys (ba_account_get_api_client (account), actor_id_of (ba_account_get_api_client (account)), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);

  /* Renaming a key revoked elsewhere: the dialog's "no longer exists",
   * the row goes, the session stays. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(BaSecretString) key = create_key (account, i == 0 ? "renamed elsewhere" : "kept",
                                                  NULL, 0, &error);

      g_assert_no_error (error);
    }
  gone = key_id (account, "renamed elsewhere");
  g_assert_cmpint (gone, >, 0);
  delete_elsewhere (f, account, gone);
  g_assert_false (update_key (account, gone, "new name", NULL, 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "This key no longer exists. It may have been revoked elsewhere.");
  g_clear_error (&error);
  g_assert_cmpint (ba_account_get_state (account), !=, BA_ACCOUNT_STATE_LOGGED_OUT);
  assert_model (account, "kept|-|0");
  g_clear_pointer (&cached, g_ptr_array_unref);
  cached = vault_keys (f->vault, ba_account_get_id (account));
  {
    g_autofree char *in_vault = describe_array (cached);

    g_assert_cmpstr (in_vault, ==, "kept|-|0");
  }

  /* Still logged in for real: the next request works. */
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_ONLINE);
  assert_model (account, "kept|-|0");
}

/* The same 401s when the token really is dead (the password changed
 * elsewhere, which rotates jwt_secret): whoami says so too, and the
 * session ends as before. */
static void
test_gone_session (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(GArray) failed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  const char * const names[] = { "one", "two" };
  gint64 ids[G_N_ELEMENTS (names)];
  guint status;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(BaSecretString) key = create_key (account, names[i], NULL, 0, &error);

      g_assert_no_error (error);
      ids[i] = key_id (account, names[i]);
    }

  g_assert_cmpuint (whoami_status (f, account), ==, 200);
  body = g_strdup_printf ("{\"current_password\": \"%s\", \"new_password\": \"changed elsewhere 1\"}",
                          ba_test_server_get_demo_password (f->server));
  status = ba_test_server_request (f->server, "POST", "/user/v1/password",
                                   ba_session_get_token (ba_account_get_session (account)),
                                   "application/json", body, NULL, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (whoami_status (f, account), ==, 401);

  /* The first 401 ends it all: the second key is not tried. */
  g_assert_false (revoke_keys (account, ids, G_N_ELEMENTS (ids), &failed, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_clear_error (&error);
  g_assert_nonnull (failed);
  g_assert_cmpuint (failed->len, ==, 2);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_LOGGED_OUT);
  assert_model (account, "one|-|0, two|-|0");

  g_assert_false (update_key (account, ids[0], "new name", NULL, 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_LOGGED_OUT);
  assert_model (account, "one|-|0, two|-|0");
}

/* The vault file opened with plain SQLCipher calls and the key from the
 * keyring, as an attacker with the keyring would. */
static sqlite3 *
raw_vault_open (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *pragma = NULL;
  GAsyncResult *result = NULL;
  sqlite3 *db = NULL;
  GString *s;

  ba_secret_store_get_vault_key_async (f->store, NULL, ba_client_test_store_result, &result);
  key = ba_secret_store_get_vault_key_finish (f->store, WAIT (result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  s = g_string_new (NULL);
  for (guint i = 0; i < g_bytes_get_size (key); i++)
    g_string_append_printf (s, "%02x", ((const guint8 *) g_bytes_get_data (key, NULL))[i]);
  hex = g_string_free (s, FALSE);
  pragma = g_strdup_printf ("PRAGMA key = \"x'%s'\";", hex);

  g_assert_cmpint (sqlite3_open_v2 (f->vault_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, pragma, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA cipher_compatibility = 3;", NULL, NULL, NULL), ==, SQLITE_OK);

  return db;
}

/* The whole file, and every decrypted row, must be free of @secret. */
static void
assert_vault_lacks (Fixture    *f,
                    const char *secret,
                    const char *expected_name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  sqlite3_stmt *tables = NULL;
  sqlite3 *db = NULL;
  gboolean seen_name = FALSE;
  guint rows = 0;
  gsize len = 0;

  g_assert_true (g_file_get_contents (f->vault_path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_false (ba_client_test_contains (contents, len, secret));

  db = raw_vault_open (f);

  /* Every column of every row of every table, as text. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table';",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\";", sqlite3_column_text (tables, 0));
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          rows++;
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              const char *text = (const char *) sqlite3_column_text (stmt, c);

              if (text == NULL)
                continue;
              g_assert_null (strstr (text, secret));
              if (g_strcmp0 (text, expected_name) == 0)
                seen_name = TRUE;
            }
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_finalize (tables);
  sqlite3_close (db);

  /* The rows were really read: the key's name is there. */
  g_assert_cmpuint (rows, >=, 2);
  g_assert_true (seen_name);
}

static void
capture_log_cb (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
  g_string_append_printf (user_data, "%s: %s\n", log_domain, message);
}

/* Every file under @path (the test's home: keyring, vault, settings). */
static void
assert_no_file_has (const char *path,
                    const char *secret)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_get_contents (path, &contents, &len, NULL))
        g_assert_false (ba_client_test_contains (contents, len, secret));
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      assert_no_file_has (child, secret);
    }
}

static void
test_vault_no_secret (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) key = NULL;
  const char *domains[] = { "ba-account", "ba-api-client", "ba-api-error", "ba-api-key", "ba-vault" };
  guint handlers[G_N_ELEMENTS (domains)];

  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    handlers[i] = g_log_set_handler (domains[i], G_LOG_LEVEL_MASK, capture_log_cb, log);

  account = demo_login (f);
  key = create_key (account, "kept out of the vault", "metadata only", now_seconds () + 3600, &error);
  g_assert_no_error (error);
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    g_log_remove_handler (domains[i], handlers[i]);

  assert_vault_lacks (f, key, "kept out of the vault");
  assert_no_file_has (tmpdir, key);

  /* The log saw the requests but not the key. */
  g_assert_nonnull (strstr (log->str, "/api-key/user/full"));
  g_assert_null (strstr (log->str, key));
}

static void
test_restore_offline (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cached = NULL;
  g_autofree char *before = NULL;
  g_autofree char *id = g_strdup (ba_account_get_id (account));
  gint64 created_at;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("key %u", 3 - i);
      g_autoptr(BaSecretString) key = create_key (account, name, i == 1 ? "with text" : NULL,
                                                  i == 2 ? now_seconds () + 600 : 0, &error);

      g_assert_no_error (error);
    }
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);
  before = describe_model (account);
  created_at = ba_api_key_get_created_at (model_key (account, 0));
  g_assert_cmpint (created_at, >, 0);
  g_clear_object (&account);

  /* The server is gone: the restored account shows the cached keys, in
   * order, before anything reached the network. */
  g_assert_true (ba_test_server_terminate (f->server, &error));
  restored = restore (f->store, f->vault);
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_CACHED);
  {
    g_autofree char *shown = describe_model (restored);

    g_assert_cmpstr (shown, ==, before);
    g_assert_cmpstr (ba_api_key_get_name (model_key (restored, 0)), ==, "key 1");
    g_assert_cmpint (ba_api_key_get_created_at (model_key (restored, 0)), ==, created_at);
  }

  /* A sync fails as offline and keeps the list and the cache. */
  g_assert_false (sync_keys (restored, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_OFFLINE);
  g_clear_error (&error);
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_OFFLINE);
  g_assert_cmpint (ba_account_get_offline_since (restored), >, 0);
  {
    g_autofree char *shown = describe_model (restored);
    g_autofree char *in_vault = NULL;

    cached = vault_keys (f->vault, id);
    in_vault = describe_array (cached);
    g_assert_cmpstr (shown, ==, before);
    g_assert_cmpstr (in_vault, ==, before);
  }
}

/* A key cache that cannot be read costs the cached list, not the
 * account. */
static void
test_restore_broken_cache (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) key = NULL;
  sqlite3 *db;

  key = create_key (account, "cached", NULL, 0, &error);
  g_assert_no_error (error);
  g_clear_object (&account);
  g_clear_object (&f->vault);

  db = raw_vault_open (f);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE api_keys;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  f->vault = open_vault (f->store, f->vault_path);
  restored = restore (f->store, f->vault);
  g_assert_cmpstr (ba_account_get_username (restored), ==, ba_test_server_get_demo_username (f->server));
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_api_keys (restored)), ==, 0);

  /* The server still has the list; only caching it fails. */
  g_assert_false (sync_keys (restored, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_VAULT);
  assert_model (restored, "cached|-|0");
}

static void
test_logout_forgets (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) key = NULL;
  g_autofree char *id = g_strdup (ba_account_get_id (account));
  GAsyncResult *result = NULL;

  key = create_key (account, "short-lived", NULL, 0, &error);
  g_assert_no_error (error);
  cached = vault_keys (f->vault, id);
  g_assert_cmpuint (cached->len, ==, 1);
  g_clear_pointer (&cached, g_ptr_array_unref);

  ba_account_logout_async (account, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_account_logout_finish (account, WAIT (result), &error));
  g_object_unref (result);
  g_assert_no_error (error);

  /* Both the model and the cache forgot the keys. */
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_api_keys (account)), ==, 0);
  cached = vault_keys (f->vault, id);
  g_assert_cmpuint (cached->len, ==, 0);
}

/* An in-process server for answers the real one never gives */

typedef struct
{
  SoupServer *server;
  char       *url;
  char       *token;         /* what /login_ hands out */
  const char *list_body;
  guint       list_status;
  const char *create_body;
  gint64      failing_id;    /* DELETE of this id answers 500 */
  guint       patch_status;
  guint       n_deletes;
  guint       whoami_status;
  guint       n_whoamis;
} Fake;

static void
fake_respond (SoupServerMessage *msg,
              guint              status,
              const char        *type,
              const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, body, strlen (body));
}

static void
fake_cb (SoupServer        *soup_server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fake *fake = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/login_"))
    fake_respond (msg, 200, "text/plain", fake->token);
  else if (g_str_equal (path, "/actor/v1/whoami"))
    {
      fake->n_whoamis++;
      fake_respond (msg, fake->whoami_status, "application/json",
                    fake->whoami_status != 200 ? NULL :
                    "{\"id\": 30, \"actorType\": \"user\", \"actorTypeId\": 3,"
                    " \"username\": \"fake\", \"email\": null}");
    }
  else if (g_str_equal (path, "/api-key/user/full"))
    fake_respond (msg, 200, "application/json", fake->create_body);
  else if (g_str_equal (path, "/v7/api_key") && g_str_equal (method, "GET"))
    fake_respond (msg, fake->list_status, "application/json", fake->list_body);
  else if (g_str_has_prefix (path, "/v7/api_key(") && g_str_equal (method, "DELETE"))
    {
      gint64 id = g_ascii_strtoll (path + strlen ("/v7/api_key("), NULL, 10);

      fake->n_deletes++;
      if (id == fake->failing_id)
        fake_respond (msg, 500, "text/plain", "<html>broken</html>");
      else
        fake_respond (msg, 200, "text/plain", NULL);
    }
  else if (g_str_has_prefix (path, "/v7/api_key(") && g_str_equal (method, "PATCH"))
    fake_respond (msg, fake->patch_status, "text/plain", NULL);
  else
    fake_respond (msg, 404, "text/plain", NULL);
}

static Fake *
fake_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) claims = json_object_new ();
  Fake *fake = g_new0 (Fake, 1);
  GSList *uris;

  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, fake_cb, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  fake->url = g_strdup_printf ("http://127.0.0.1:%u", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* Clients never verify the signature, so any secret will do. */
  json_object_set_int_member (claims, "id", 3);
  json_object_set_int_member (claims, "iat", now_seconds ());
  json_object_set_int_member (claims, "exp", now_seconds () + 60 * 60);
  json_object_set_int_member (claims, "authTime", now_seconds () * 1000);
  fake->token = ba_jwt_encode_hs256 (claims, (const guint8 *) "x", 1);
  fake->list_status = 200;
  fake->list_body = "{\"d\":[]}";
  fake->patch_status = 200;
  fake->whoami_status = 200;

  return fake;
}

static void
fake_free (Fake *fake)
{
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (fake->url);
  g_free (fake->token);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

static const char good_list[] =
  "{\"d\":["
  "{\"id\":1,\"created_at\":\"2026-01-02T03:04:05.000Z\",\"name\":\"a\",\"description\":null,\"expiry_date\":null},"
  "{\"id\":2,\"created_at\":\"2026-01-02T03:04:05.000Z\",\"name\":\"b\",\"description\":\"x\",\"expiry_date\":\"2030-01-01T00:00:00.000Z\",\"is_of__actor\":{\"__id\":30},\"key\":\"SHOULD-NEVER-BE-KEPT\"},"
  "{\"id\":3,\"created_at\":\"2026-01-02T03:04:05Z\",\"name\":\"c\",\"description\":\"\",\"expiry_date\":\"2031-01-01T00:00:00+02:00\"}"
  "]}";

static void
test_garbage_list (void)
{
  static const char * const garbage[] = {
    "",
    "not json at all",
    "<html><body>Bad Gateway</body></html>",
    "[]",
    "{}",
    "{\"d\":{}}",
    "{\"d\":null}",
    "{\"d\":[1,2]}",
    "{\"d\":[{\"id\":\"1\",\"name\":\"a\"}]}",
    "{\"d\":[{\"id\":0,\"name\":\"a\"}]}",
    "{\"d\":[{\"id\":1}]}",
    "{\"d\":[{\"id\":1,\"name\":null}]}",
    "{\"d\":[{\"id\":1,\"name\":\"\"}]}",
    "{\"d\":[{\"id\":1,\"name\":\"a\",\"description\":5}]}",
    "{\"d\":[{\"id\":1,\"name\":\"a\",\"created_at\":\"yesterday\"}]}",
    "{\"d\":[{\"id\":1,\"name\":\"a\",\"expiry_date\":12345}]}",
    "{\"d\":[{\"id\":1,\"name\":\"a\"},{\"id\":2}]}",
    "{\"d\":[{\"id\":1,\"name\":\"a\"}",
  };
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  BaApiKey *key;

  client = ba_api_client_new (fake->url, &error);
  g_assert_no_error (error);
  ba_api_client_set_token (client, fake->token);

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(GPtrArray) none = NULL;

      g_test_message ("garbage %u: %s", i, garbage[i]);
      fake->list_body = garbage[i];
      none = server_keys (client, 30, &error);
      g_assert_null (none);
      g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE);
      g_clear_error (&error);
    }

  /* Extra members are ignored, a "key" member among them, and the dates
   * with or without milliseconds and offsets are read. */
  fake->list_body = good_list;
  keys = server_keys (client, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 3);
  key = g_ptr_array_index (keys, 1);
  g_assert_cmpint (ba_api_key_get_id (key), ==, 2);
  g_assert_cmpstr (ba_api_key_get_description (key), ==, "x");
  g_assert_cmpint (ba_api_key_get_created_at (key), ==, 1767323045);
  g_assert_cmpint (ba_api_key_get_expiry_date (key), ==, 1893456000);
  key = g_ptr_array_index (keys, 2);
  g_assert_cmpint (ba_api_key_get_created_at (key), ==, 1767323045);
  g_assert_cmpint (ba_api_key_get_expiry_date (key), ==, 1924984800);
  key = g_ptr_array_index (keys, 0);
  g_assert_null (ba_api_key_get_description (key));
  g_assert_cmpint (ba_api_key_get_expiry_date (key), ==, 0);

  /* A create answer that is not a JSON string is no key. */
  {
    static const char * const not_keys[] = { "", "{\"key\":\"abc\"}", "42", "\"\"", "\"has space\"", "abc" };

    for (guint i = 0; i < G_N_ELEMENTS (not_keys); i++)
      {
        GAsyncResult *result = NULL;
        char *secret;

        fake->create_body = not_keys[i];
        ba_api_client_create_api_key_async (client, "k", NULL, 0, NULL, ba_client_test_store_result, &result);
        secret = ba_api_client_create_api_key_finish (client, WAIT (result), &error);
        g_object_unref (result);
        g_assert_null (secret);
        g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE);
        g_clear_error (&error);
      }
  }
}

/* An account of the fake server, with a vault. */
static BaAccount *
fake_account (Fake     *fake,
              BaVault **out_vault,
              BaSecretStore **out_store)
{
  static guint counter;
  g_autofree char *path = g_strdup_printf ("%s/fake-%u/vault.db", tmpdir, counter++);

  *out_store = ba_secret_store_new ();
  *out_vault = open_vault (*out_store, path);

  return login (fake->url, "fake", "password", *out_store, *out_vault);
}

static void
test_garbage_sync_keeps_cache (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(BaSecretStore) store = NULL;
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;

  account = fake_account (fake, &vault, &store);
  fake->list_body = good_list;
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);
  before = describe_model (account);
  g_assert_cmpstr (before, ==, "a|-|0, b|x|1893456000, c|-|1924984800");

  fake->list_body = "{\"d\":[{\"id\":1,\"name\":\"a\"},{\"oops\":true}]}";
  g_assert_false (sync_keys (account, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE);
  g_clear_error (&error);

  fake->list_status = 502;
  fake->list_body = "<html>Bad Gateway</html>";
  g_assert_false (sync_keys (account, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_SERVER);
  g_clear_error (&error);

  /* Nothing of the old list was lost, shown or cached. */
  {
    g_autofree char *shown = describe_model (account);
    g_autofree char *in_vault = NULL;

    cached = vault_keys (vault, ba_account_get_id (account));
    in_vault = describe_array (cached);
    g_assert_cmpstr (shown, ==, before);
    g_assert_cmpstr (in_vault, ==, before);
  }
}

static void
test_partial_revoke (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(BaSecretStore) store = NULL;
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GArray) failed = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 ids[] = { 1, 2, 3 };

  account = fake_account (fake, &vault, &store);
  fake->list_body = good_list;
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);

  /* One key fails: the others are still revoked, and the caller learns
   * which one was not. */
  fake->failing_id = 2;
  g_assert_false (revoke_keys (account, ids, G_N_ELEMENTS (ids), &failed, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_SERVER);
  g_clear_error (&error);
  g_assert_cmpuint (fake->n_deletes, ==, 3);
  g_assert_nonnull (failed);
  g_assert_cmpuint (failed->len, ==, 1);
  g_assert_cmpint (g_array_index (failed, gint64, 0), ==, 2);
  {
    g_autofree char *shown = describe_model (account);
    g_autofree char *in_vault = NULL;

    cached = vault_keys (vault, ba_account_get_id (account));
    in_vault = describe_array (cached);
    g_assert_cmpstr (shown, ==, "b|x|1893456000");
    g_assert_cmpstr (in_vault, ==, "b|x|1893456000");
  }
  g_clear_pointer (&failed, g_array_unref);

  /* Offline: the first failure stops the rest; all count as failed. */
  soup_server_disconnect (fake->server);
  g_assert_false (revoke_keys (account, ids, G_N_ELEMENTS (ids), &failed, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_OFFLINE);
  g_assert_cmpuint (failed->len, ==, 3);
  g_assert_cmpuint (fake->n_deletes, ==, 3);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_OFFLINE);
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_api_keys (account)), ==, 1);
}

static void
test_revoke_cancelled (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(BaSecretStore) store = NULL;
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GArray) failed = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  const gint64 ids[] = { 1, 2 };

  account = fake_account (fake, &vault, &store);
  fake->list_body = good_list;
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);

  /* Cancelled (the dialog closed): nothing is sent, nothing removed. */
  g_cancellable_cancel (cancellable);
  ba_account_revoke_api_keys_async (account, ids, G_N_ELEMENTS (ids), cancellable,
                                    ba_client_test_store_result, &result);
  g_assert_false (ba_account_revoke_api_keys_finish (account, WAIT (result), &failed, &error));
  g_object_unref (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (failed);
  g_assert_cmpuint (failed->len, ==, 2);
  g_assert_cmpuint (fake->n_deletes, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_api_keys (account)), ==, 3);
}

static void
test_session_over (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(BaSecretStore) store = NULL;
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = fake_account (fake, &vault, &store);
  fake->list_body = good_list;
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);

  /* A 401 with a session token, and whoami agrees, is the end of the
   * session (unlike with an API key, see test_api_key_session; and unlike
   * a key revoked elsewhere, see test_gone_keys). */
  fake->patch_status = 401;
  fake->whoami_status = 401;
  fake->n_whoamis = 0;
  g_assert_false (update_key (account, 1, "renamed", NULL, 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_clear_error (&error);
  g_assert_cmpuint (fake->n_whoamis, ==, 1);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_LOGGED_OUT);
  g_assert_cmpstr (ba_api_key_get_name (model_key (account, 0)), ==, "a");
}

/* A server that answers 200 for a DELETE of a key that is already gone
 * (balenaCloud may): revoked, as the user wanted, without asking whoami. */
static void
test_revoke_gone_answers_ok (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(BaSecretStore) store = NULL;
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GArray) failed = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 ids[] = { 2, 3 };

  account = fake_account (fake, &vault, &store);
  fake->list_body = good_list;
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);
  fake->n_whoamis = 0;

  g_assert_true (revoke_keys (account, ids, G_N_ELEMENTS (ids), &failed, &error));
  g_assert_no_error (error);
  g_assert_null (failed);
  g_assert_cmpuint (fake->n_deletes, ==, 2);
  g_assert_cmpuint (fake->n_whoamis, ==, 0);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_ONLINE);
  assert_model (account, "a|-|0");
  cached = vault_keys (vault, ba_account_get_id (account));
  {
    g_autofree char *in_vault = describe_array (cached);

    g_assert_cmpstr (in_vault, ==, "a|-|0");
  }
}

static void
test_sync_splices_little (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(BaSecretStore) store = NULL;
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };
  BaApiKey *a, *b, *c;
  guint notified = 0;

  account = fake_account (fake, &vault, &store);
  fake->list_body = good_list;
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);
  a = model_key (account, 0);
  b = model_key (account, 1);
  c = model_key (account, 2);
  g_signal_connect (ba_account_get_api_keys (account), "items-changed",
                    G_CALLBACK (items_changed_cb), &changes);
  g_signal_connect (b, "notify::description", G_CALLBACK (count_notify_cb), &notified);

  /* One key added elsewhere: one row inserted, the rest kept. */
  fake->list_body =
    "{\"d\":["
    "{\"id\":1,\"name\":\"a\"},"
    "{\"id\":2,\"name\":\"b\",\"description\":\"changed\",\"expiry_date\":\"2030-01-01T00:00:00.000Z\"},"
    "{\"id\":9,\"name\":\"bb\"},"
    "{\"id\":3,\"name\":\"c\",\"expiry_date\":\"2031-01-01T00:00:00+02:00\"}"
    "]}";
  g_assert_true (sync_keys (account, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes.n, ==, 1);
  g_assert_cmpuint (changes.position, ==, 2);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 1);
  g_assert_true (model_key (account, 0) == a);
  g_assert_true (model_key (account, 1) == b);
  g_assert_true (model_key (account, 3) == c);
  /* The changed key changed in place and said so. */
  g_assert_cmpstr (ba_api_key_get_description (b), ==, "changed");
  g_assert_cmpuint (notified, ==, 1);

  /* Nothing changed: no signal at all. */
  g_assert_true (sync_keys (account, &error));
  g_assert_cmpuint (changes.n, ==, 1);

  /* One key revoked elsewhere: one row removed. */
  fake->list_body =
    "{\"d\":[{\"id\":1,\"name\":\"a\"},{\"id\":9,\"name\":\"bb\"},"
    "{\"id\":3,\"name\":\"c\",\"expiry_date\":\"2031-01-01T00:00:00+02:00\"}]}";
  g_assert_true (sync_keys (account, &error));
  g_assert_cmpuint (changes.n, ==, 2);
  g_assert_cmpuint (changes.position, ==, 1);
  g_assert_cmpuint (changes.removed, ==, 1);
  g_assert_cmpuint (changes.added, ==, 0);

  /* A key listed twice is shown once. */
  fake->list_body = "{\"d\":[{\"id\":1,\"name\":\"a\"},{\"id\":1,\"name\":\"a\"}]}";
  g_assert_true (sync_keys (account, &error));
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_api_keys (account)), ==, 1);
}

static void
test_vault_replace_many (void)
{
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autofree char *path = g_strdup_printf ("%s/many/vault.db", tmpdir);
  g_autoptr(BaVault) vault = open_vault (store, path);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  BaVaultAccount row = { .id = (char *) "1@http://127.0.0.1:1", .server_url = (char *) "http://127.0.0.1:1",
                         .user_id = 1, .actor_id = 10, .username = (char *) "many" };
  GAsyncResult *result = NULL;
  GAsyncResult *first = NULL;
  GAsyncResult *second = NULL;
  const gint64 gone[] = { 5, 7 };

  ba_vault_save_account_async (vault, &row, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_vault_save_account_finish (vault, WAIT (result), &error));
  g_clear_object (&result);

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *name = g_strdup_printf ("key %05u", 9999 - i);

      g_ptr_array_add (keys, ba_api_key_new (i + 1, name, i % 2 ? "odd" : NULL, 1000 + i, 0));
    }

  /* Calls are fired without waiting; they run in call order, so the
   * delete sees the replaced list. */
  ba_vault_replace_api_keys_async (vault, row.id, keys, NULL, ba_client_test_store_result, &first);
  ba_vault_delete_api_keys_async (vault, row.id, gone, G_N_ELEMENTS (gone), NULL,
                                  ba_client_test_store_result, &second);
  g_assert_true (ba_vault_replace_api_keys_finish (vault, WAIT (first), &error));
  g_assert_no_error (error);
  g_assert_true (ba_vault_delete_api_keys_finish (vault, WAIT (second), &error));
  g_assert_no_error (error);
  g_clear_object (&first);
  g_clear_object (&second);

  loaded = vault_keys (vault, row.id);
  g_assert_cmpuint (loaded->len, ==, 9998);
  /* Sorted by name: "key 00000" is the key with id 10000. */
  g_assert_cmpint (ba_api_key_get_id (g_ptr_array_index (loaded, 0)), ==, 10000);
  g_assert_cmpstr (ba_api_key_get_description (g_ptr_array_index (loaded, 0)), ==, "odd");
  g_assert_cmpint (ba_api_key_get_created_at (g_ptr_array_index (loaded, 0)), ==, 10999);

  /* Keys of an account that is not cached cannot be saved. */
  ba_vault_replace_api_keys_async (vault, "nobody", keys, NULL, ba_client_test_store_result, &result);
  g_assert_false (ba_vault_replace_api_keys_finish (vault, WAIT (result), &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_VAULT);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Forgetting the account forgets its keys. */
  ba_vault_forget_account_async (vault, row.id, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_vault_forget_account_finish (vault, WAIT (result), &error));
  g_clear_object (&result);
  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = vault_keys (vault, row.id);
  g_assert_cmpuint (loaded->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/ba/api-keys/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("lifecycle", test_lifecycle);
  ADD ("odd-names", test_odd_names);
  ADD ("fresh-auth", test_fresh_auth);
  ADD ("api-key-session", test_api_key_session);
  ADD ("gone-keys", test_gone_keys);
  ADD ("gone-session", test_gone_session);
  ADD ("vault-no-secret", test_vault_no_secret);
  ADD ("restore-offline", test_restore_offline);
  ADD ("restore-broken-cache", test_restore_broken_cache);
  ADD ("logout-forgets", test_logout_forgets);

#undef ADD

  g_test_add_func ("/ba/api-keys/garbage-list", test_garbage_list);
  g_test_add_func ("/ba/api-keys/garbage-sync-keeps-cache", test_garbage_sync_keeps_cache);
  g_test_add_func ("/ba/api-keys/partial-revoke", test_partial_revoke);
  g_test_add_func ("/ba/api-keys/revoke-cancelled", test_revoke_cancelled);
  g_test_add_func ("/ba/api-keys/session-over", test_session_over);
  g_test_add_func ("/ba/api-keys/revoke-gone-answers-ok", test_revoke_gone_answers_ok);
  g_test_add_func ("/ba/api-keys/sync-splices-little", test_sync_splices_little);
  g_test_add_func ("/ba/api-keys/vault-replace-many", test_vault_replace_many);

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
