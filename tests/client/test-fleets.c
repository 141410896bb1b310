/* test-fleets.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Fleets, fleet members and invites through BaAccount (issue 6), against
 * a spawned balena-accounts-server with the demo fleets, a real vault and
 * libsecret's file keyring: the Fleets list with counts and roles, its
 * cache, members added by username and email, role changes, removal,
 * invites and revocation, and the errors: unknown user, duplicate,
 * refusal for a non-administrator, server gone. */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "ba-account.h"
#include "ba-account-fleets.h"
#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-test-server.h"

#define WAIT(result) ba_client_test_wait (&(result))

static char *tmpdir;

typedef struct
{
  BaTestServer  *server;
  BaSecretStore *store;
  BaVault       *vault;
  char          *vault_path;
  BaAccount     *account;   /* demo: administers Acme */
} Fixture;

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
login (Fixture       *f,
       const char    *username,
       BaSecretStore *store,
       BaVault       *vault)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_login_async (ba_test_server_get_url (f->server), username,
                          ba_test_server_get_demo_password (f->server), store, vault, NULL,
                          ba_client_test_store_result, &result);
  account = ba_account_login_finish (WAIT (result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return account;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("fleets-%u.db", counter++);

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  f->store = ba_secret_store_new ();
  f->vault_path = g_build_filename (tmpdir, name, NULL);
  f->vault = open_vault (f->store, f->vault_path);
  f->account = login (f, "demo", f->store, f->vault);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->account);
  g_clear_object (&f->vault);
  g_clear_object (&f->store);
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_pointer (&f->vault_path, g_free);
}

static gboolean
sync_fleets (BaAccount  *account,
             GError    **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_account_sync_fleets_async (account, NULL, ba_client_test_store_result, &result);
  ok = ba_account_sync_fleets_finish (account, WAIT (result), error);
  g_object_unref (result);

  return ok;
}

static BaFleet *
find_fleet (BaAccount  *account,
            const char *slug)
{
  GListModel *fleets = ba_account_get_fleets (account);

  for (guint i = 0; i < g_list_model_get_n_items (fleets); i++)
    {
      g_autoptr(BaFleet) fleet = g_list_model_get_item (fleets, i);

      if (g_str_equal (ba_fleet_get_slug (fleet), slug))
        return fleet;   /* the model keeps it alive */
    }

  return NULL;
}

static GListModel *
list_roles (BaAccount *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  GListModel *roles;

  ba_account_list_fleet_roles_async (account, NULL, ba_client_test_store_result, &result);
  roles = ba_account_list_fleet_roles_finish (account, WAIT (result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return roles;
}

static gint64
role_id (BaAccount  *account,
         const char *name)
{
  g_autoptr(GListModel) roles = list_roles (account);

  for (guint i = 0; i < g_list_model_get_n_items (roles); i++)
    {
      g_autoptr(BaFleetRole) role = g_list_model_get_item (roles, i);

      if (g_str_equal (ba_fleet_role_get_name (role), name))
        return ba_fleet_role_get_id (role);
    }

  g_assert_not_reached ();
}

static GListStore *
list_members (BaAccount *account,
              gint64     fleet_id,
              GError   **error)
{
  GAsyncResult *result = NULL;
  GListStore *members;

  ba_account_list_fleet_members_async (account, fleet_id, NULL, ba_client_test_store_result, &result);
  members = ba_account_list_fleet_members_finish (account, WAIT (result), error);
  g_object_unref (result);

  return members;
}

/* "name:role,name:role" */
static char *
describe_members (GListModel *members)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(BaFleetMember) member = g_list_model_get_item (members, i);

      g_string_append_printf (out, "%s%s:%s", i > 0 ? "," : "",
                              ba_fleet_member_get_username (member),
                              ba_fleet_member_get_role_name (member));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static BaFleetMember *
add_member (BaAccount   *account,
            gint64       fleet_id,
            const char  *who,
            gint64       role,
            GError     **error)
{
  GAsyncResult *result = NULL;
  BaFleetMember *member;

  ba_account_add_fleet_member_async (account, fleet_id, who, role, NULL,
                                     ba_client_test_store_result, &result);
  member = ba_account_add_fleet_member_finish (account, WAIT (result), error);
  g_object_unref (result);

  return member;
}

static GListStore *
list_invites (BaAccount *account,
              gint64     fleet_id)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  GListStore *invites;

  ba_account_list_fleet_invites_async (account, fleet_id, NULL, ba_client_test_store_result, &result);
  invites = ba_account_list_fleet_invites_finish (account, WAIT (result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return invites;
}

static BaFleetInvite *
invite (BaAccount   *account,
        gint64       fleet_id,
        const char  *email,
        gint64       role,
        const char  *message,
        GError     **error)
{
  GAsyncResult *result = NULL;
  BaFleetInvite *created;

  ba_account_invite_to_fleet_async (account, fleet_id, email, role, message, NULL,
                                    ba_client_test_store_result, &result);
  created = ba_account_invite_to_fleet_finish (account, WAIT (result), error);
  g_object_unref (result);

  return created;
}

static void
test_sync_and_cache (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaVault) vault = NULL;
  GListModel *fleets = ba_account_get_fleets (f->account);
  BaFleet *greenhouse;
  BaFleet *weather;

  g_assert_true (ba_account_get_fleets (f->account) == fleets);
  g_assert_cmpuint (g_list_model_get_n_items (fleets), ==, 0);

  g_assert_true (sync_fleets (f->account, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (fleets), ==, 5);

  greenhouse = find_fleet (f->account, "acme/greenhouse-sensors");
  g_assert_nonnull (greenhouse);
  g_assert_cmpstr (ba_fleet_get_name (greenhouse), ==, "greenhouse-sensors");
  g_assert_cmpstr (ba_fleet_get_organization_name (greenhouse), ==, "Acme Robotics");
  g_assert_cmpstr (ba_fleet_get_organization_handle (greenhouse), ==, "acme");
  g_assert_cmpuint (ba_fleet_get_device_count (greenhouse), ==, 6);
  g_assert_cmpuint (ba_fleet_get_online_count (greenhouse), ==, 4);
  g_assert_cmpstr (ba_fleet_get_role (greenhouse), ==, "administrator");
  g_assert_true (ba_fleet_can_manage_members (greenhouse));

  weather = find_fleet (f->account, "emeka/weather-stations");
  g_assert_nonnull (weather);
  g_assert_cmpstr (ba_fleet_get_role (weather), ==, "operator");
  g_assert_false (ba_fleet_can_manage_members (weather));
  g_assert_cmpuint (ba_fleet_get_device_count (weather), ==, 4);
  g_assert_cmpuint (ba_fleet_get_online_count (weather), ==, 3);

  /* A second account object on another handle of the same vault file
   * shows the cached list without the server. */
  g_clear_pointer (&f->server, ba_test_server_stop);
  vault = open_vault (f->store, f->vault_path);
  {
    g_autoptr(BaAccount) restored = NULL;
    GAsyncResult *result = NULL;

    ba_account_restore_async (f->store, vault, NULL, ba_client_test_store_result, &result);
    restored = ba_account_restore_finish (WAIT (result), &error);
    g_clear_object (&result);
    g_assert_no_error (error);

    ba_account_load_cached_fleets_async (restored, NULL, ba_client_test_store_result, &result);
    g_assert_true (ba_account_load_cached_fleets_finish (restored, WAIT (result), &error));
    g_clear_object (&result);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_fleets (restored)), ==, 5);
    greenhouse = find_fleet (restored, "acme/greenhouse-sensors");
    g_assert_cmpuint (ba_fleet_get_online_count (greenhouse), ==, 4);
    g_assert_cmpstr (ba_fleet_get_role (greenhouse), ==, "administrator");
    g_assert_cmpstr (ba_fleet_get_organization_name (greenhouse), ==, "Acme Robotics");

    /* The server is gone: the sync fails, the list stays. */
    g_assert_false (sync_fleets (restored, &error));
    g_assert_error (error, BA_ERROR, BA_ERROR_OFFLINE);
    g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_fleets (restored)), ==, 5);
  }
}

static void
test_members (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) roles = list_roles (f->account);
  g_autoptr(GListStore) members = NULL;
  g_autoptr(BaFleetMember) amara = NULL;
  g_autofree char *described = NULL;
  GAsyncResult *result = NULL;
  gint64 fleet;

  /* Most capable first, each with its description. */
  g_assert_cmpuint (g_list_model_get_n_items (roles), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      static const char * const names[] = { "developer", "operator", "observer" };
      g_autoptr(BaFleetRole) role = g_list_model_get_item (roles, i);

      g_assert_cmpstr (ba_fleet_role_get_name (role), ==, names[i]);
      g_assert_cmpuint (strlen (ba_fleet_role_get_description (role)), >, 10);
    }

  g_assert_true (sync_fleets (f->account, &error));
  fleet = ba_fleet_get_id (find_fleet (f->account, "acme/greenhouse-sensors"));

  members = list_members (f->account, fleet, &error);
  g_assert_no_error (error);
  described = describe_members (G_LIST_MODEL (members));
  g_assert_cmpstr (described, ==, "bruno:developer,chen:operator,dana:observer");

  /* By email, with a role. */
  amara = add_member (f->account, fleet, "  amara@acme.example ", role_id (f->account, "observer"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_fleet_member_get_username (amara), ==, "amara");
  g_assert_cmpstr (ba_fleet_member_get_role_name (amara), ==, "observer");

  /* Again, by username: a conflict. Unknown people: not found. */
  g_assert_null (add_member (f->account, fleet, "amara", 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_null (add_member (f->account, fleet, "nobody@example.com", 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "invite"));
  g_clear_error (&error);
  g_assert_null (add_member (f->account, fleet, "   ", 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* Change the role, then remove. */
  ba_account_change_fleet_member_role_async (f->account, ba_fleet_member_get_id (amara),
                                             role_id (f->account, "developer"), NULL,
                                             ba_client_test_store_result, &result);
  g_assert_true (ba_account_change_fleet_member_role_finish (f->account, WAIT (result), &error));
  g_clear_object (&result);
  g_assert_no_error (error);

  g_clear_object (&members);
  g_clear_pointer (&described, g_free);
  members = list_members (f->account, fleet, &error);
  described = describe_members (G_LIST_MODEL (members));
  g_assert_cmpstr (described, ==, "amara:developer,bruno:developer,chen:operator,dana:observer");

  ba_account_remove_fleet_member_async (f->account, ba_fleet_member_get_id (amara), NULL,
                                        ba_client_test_store_result, &result);
  g_assert_true (ba_account_remove_fleet_member_finish (f->account, WAIT (result), &error));
  g_clear_object (&result);
  g_assert_no_error (error);

  g_clear_object (&members);
  g_clear_pointer (&described, g_free);
  members = list_members (f->account, fleet, &error);
  described = describe_members (G_LIST_MODEL (members));
  g_assert_cmpstr (described, ==, "bruno:developer,chen:operator,dana:observer");
}

static void
test_invites (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListStore) invites = NULL;
  g_autoptr(BaFleetInvite) created = NULL;
  GAsyncResult *result = NULL;
  gint64 fleet;

  g_assert_true (sync_fleets (f->account, &error));
  fleet = ba_fleet_get_id (find_fleet (f->account, "acme/greenhouse-sensors"));

  created = invite (f->account, fleet, "someone@example.org", role_id (f->account, "operator"),
                    "Welcome", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_fleet_invite_get_email (created), ==, "someone@example.org");
  g_assert_cmpstr (ba_fleet_invite_get_role_name (created), ==, "operator");
  g_assert_cmpstr (ba_fleet_invite_get_message (created), ==, "Welcome");

  invites = list_invites (f->account, fleet);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (invites)), ==, 2);

  g_assert_null (invite (f->account, fleet, "SOMEONE@example.org", 0, NULL, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_null (invite (f->account, fleet, "no address", 0, NULL, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  ba_account_revoke_fleet_invite_async (f->account, ba_fleet_invite_get_id (created), NULL,
                                        ba_client_test_store_result, &result);
  g_assert_true (ba_account_revoke_fleet_invite_finish (f->account, WAIT (result), &error));
  g_clear_object (&result);
  g_assert_no_error (error);

  g_clear_object (&invites);
  invites = list_invites (f->account, fleet);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (invites)), ==, 1);
}

static void
test_not_administrator (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaAccount) bruno = login (f, "bruno", NULL, NULL);
  g_autoptr(GListStore) invites = NULL;
  g_autoptr(GListStore) members = NULL;
  GAsyncResult *result = NULL;
  BaFleet *greenhouse;

  g_assert_true (sync_fleets (bruno, &error));
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_fleets (bruno)), ==, 2);
  greenhouse = find_fleet (bruno, "acme/greenhouse-sensors");
  g_assert_cmpstr (ba_fleet_get_role (greenhouse), ==, "developer");
  g_assert_false (ba_fleet_can_manage_members (greenhouse));

  /* He sees the members but no invites, and the server refuses changes. */
  members = list_members (bruno, ba_fleet_get_id (greenhouse), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (members)), ==, 3);
  invites = list_invites (bruno, ba_fleet_get_id (greenhouse));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (invites)), ==, 0);

  g_assert_null (add_member (bruno, ba_fleet_get_id (greenhouse), "amara", 0, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (invite (bruno, ba_fleet_get_id (greenhouse), "x@example.org", 0, NULL, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  {
    g_autoptr(BaFleetMember) chen = g_list_model_get_item (G_LIST_MODEL (members), 1);

    g_assert_cmpstr (ba_fleet_member_get_username (chen), ==, "chen");
    ba_account_remove_fleet_member_async (bruno, ba_fleet_member_get_id (chen), NULL,
                                          ba_client_test_store_result, &result);
    g_assert_false (ba_account_remove_fleet_member_finish (bruno, WAIT (result), &error));
    g_clear_object (&result);
    g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
    g_clear_error (&error);
  }

  /* But he may leave. */
  {
    g_autoptr(BaFleetMember) self = g_list_model_get_item (G_LIST_MODEL (members), 0);

    g_assert_cmpstr (ba_fleet_member_get_username (self), ==, "bruno");
    ba_account_remove_fleet_member_async (bruno, ba_fleet_member_get_id (self), NULL,
                                          ba_client_test_store_result, &result);
    g_assert_true (ba_account_remove_fleet_member_finish (bruno, WAIT (result), &error));
    g_clear_object (&result);
    g_assert_no_error (error);
  }

  g_assert_true (sync_fleets (bruno, &error));
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_fleets (bruno)), ==, 1);
}

/* A stand-in server that logs anyone in and answers the fleets query
 * with whatever the test sets, to see garbage refused. */
typedef struct
{
  SoupServer *soup;
  char       *url;
  char       *token;
  guint       status;
  const char *body;
} Fake;

static void
fake_cb (SoupServer        *soup,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fake *fake = user_data;

  if (g_str_equal (path, "/login_"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, fake->token, strlen (fake->token));
    }
  else if (g_str_equal (path, "/actor/v1/whoami"))
    {
      static const char whoami[] =
        "{\"id\":1003,\"actorType\":\"user\",\"actorTypeId\":3,\"username\":\"fake\",\"email\":null}";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, whoami, strlen (whoami));
    }
  else if (g_str_equal (path, "/v7/application"))
    {
      soup_server_message_set_status (msg, fake->status, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, fake->body,
                                        strlen (fake->body));
    }
  else
    soup_server_message_set_status (msg, 404, NULL);
}

static void
test_garbage (void)
{
  static const char good[] =
    "{\"d\":[{\"id\":7,\"app_name\":\"a\",\"slug\":\"o/a\",\"extra\":true,"
    "\"organization\":[{\"id\":1,\"name\":\"O\",\"handle\":\"o\",\"organization_membership\":[]}],"
    "\"owns__device\":[{\"is_online\":true},{\"is_online\":false}],"
    "\"user_application_membership\":[{\"id\":2,\"application_membership_role\":[{\"name\":\"observer\"}]}]}]}";
  static const char * const garbage[] = {
    "",
    "not json",
    "<html>Bad Gateway</html>",
    "[]",
    "{}",
    "{\"d\":null}",
    "{\"d\":[1]}",
    "{\"d\":[{\"id\":\"7\",\"app_name\":\"a\",\"slug\":\"o/a\",\"owns__device\":[]}]}",
    "{\"d\":[{\"id\":7,\"slug\":\"o/a\",\"owns__device\":[]}]}",
    "{\"d\":[{\"id\":7,\"app_name\":\"a\",\"slug\":\"o/a\"}]}",
    "{\"d\":[{\"id\":7,\"app_name\":\"a\",\"slug\":\"o/a\",\"owns__device\":[5]}]}",
    "{\"d\":[{\"id\":7,\"app_name\":\"a\",\"slug\":\"o/a\",\"owns__device\":[]},{}]}",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autoptr(BaAccount) account = NULL;
  GAsyncResult *result = NULL;
  Fake fake = { NULL, };
  BaFleet *fleet;
  GSList *uris;

  fake.soup = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake.soup, NULL, fake_cb, &fake, NULL);
  soup_server_listen_local (fake.soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake.soup);
  fake.url = g_strdup_printf ("http://127.0.0.1:%u", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  json_object_set_int_member (claims, "id", 3);
  json_object_set_int_member (claims, "iat", g_get_real_time () / G_USEC_PER_SEC);
  json_object_set_int_member (claims, "exp", g_get_real_time () / G_USEC_PER_SEC + 3600);
  json_object_set_int_member (claims, "authTime", g_get_real_time () / 1000);
  fake.token = ba_jwt_encode_hs256 (claims, (const guint8 *) "x", 1);

  ba_account_login_async (fake.url, "fake", "password", NULL, NULL, NULL,
                          ba_client_test_store_result, &result);
  account = ba_account_login_finish (WAIT (result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  fake.status = 200;
  fake.body = good;
  g_assert_true (sync_fleets (account, &error));
  g_assert_no_error (error);
  fleet = g_list_model_get_item (ba_account_get_fleets (account), 0);
  g_assert_cmpstr (ba_fleet_get_role (fleet), ==, "observer");
  g_assert_cmpuint (ba_fleet_get_device_count (fleet), ==, 2);
  g_assert_cmpuint (ba_fleet_get_online_count (fleet), ==, 1);
  g_assert_cmpstr (ba_fleet_get_organization_name (fleet), ==, "O");
  g_object_unref (fleet);

  /* Garbage: a clear error, and the list stays as it was. */
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_test_message ("garbage %u: %s", i, garbage[i]);
      fake.body = garbage[i];
      g_assert_false (sync_fleets (account, &error));
      g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE);
      g_clear_error (&error);
      g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_fleets (account)), ==, 1);
    }

  /* A server error, and a server without fleets. */
  fake.status = 500;
  fake.body = "";
  g_assert_false (sync_fleets (account, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_SERVER);
  g_clear_error (&error);
  fake.status = 404;
  g_assert_false (sync_fleets (account, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (ba_account_get_fleets (account)), ==, 1);

  g_clear_object (&account);
  soup_server_disconnect (fake.soup);
  g_clear_object (&fake.soup);
  g_free (fake.url);
  g_free (fake.token);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/ba/fleets/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("sync-and-cache", test_sync_and_cache);
  ADD ("members", test_members);
  ADD ("invites", test_invites);
  ADD ("not-administrator", test_not_administrator);
  g_test_add_func ("/ba/fleets/garbage", test_garbage);

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
