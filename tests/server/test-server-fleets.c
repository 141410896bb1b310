/* test-server-fleets.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-fleets"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "ba-error.h"

#include "api-key-test-util.h"
#include "ba-server-fleets.h"
#include "ba-server-mail.h"
#include "ba-server-store.h"

/* Fleets, fleet members and invites (account-api.md sections 11, 12 and
 * 17.6) against a spawned server with the demo data: the permission
 * matrix (an administrator of the fleet's organization, a member of the
 * fleet, an outsider × add, change, remove, invite), members by email,
 * unknown users, duplicates, invites accepted and revoked, and what each
 * user can read. The demo users all share the demo password.
 *
 * Acme Robotics: demo and amara administer it; bruno, chen and dana are
 * members. emeka has his own organization with weather-stations, where
 * demo is an operator. warehouse-cameras (Acme) starts without members. */

typedef struct
{
  BaTestServer *server;
  TestUser     *admin;    /* amara */
  TestUser     *member;   /* bruno */
  TestUser     *outsider; /* emeka */
  gint64        fleet;    /* warehouse-cameras */
} Fixture;

static char *
encode (const char *path_and_query)
{
  g_autoptr(GString) out = g_string_new (path_and_query);

  g_string_replace (out, " ", "%20", 0);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static guint
request (Fixture     *f,
         const char  *method,
         const char  *path_and_query,
         const char  *token,
         const char  *body,
         char       **out_body)
{
  g_autofree char *encoded = encode (path_and_query);

  return ba_test_server_request (f->server, method, encoded, token,
                                 body != NULL ? "application/json" : NULL, body,
                                 out_body, NULL, NULL);
}

static JsonArray *
get_d (Fixture    *f,
       const char *token,
       const char *path_and_query)
{
  g_autofree char *encoded = encode (path_and_query);

  return test_get_d (f->server, token, encoded);
}

static gint64
fleet_id (Fixture    *f,
          const char *slug)
{
  g_autofree char *path = g_strdup_printf ("/v7/application?$select=id&$filter=slug eq '%s'", slug);
  g_autoptr(JsonArray) rows = get_d (f, f->admin->token, path);

  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  return json_object_get_int_member (json_array_get_object_element (rows, 0), "id");
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *password;

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  password = ba_test_server_get_demo_password (f->server);

  f->admin = test_user_login (f->server, "amara", password);
  f->member = test_user_login (f->server, "bruno", password);
  f->outsider = test_user_login (f->server, "emeka", password);
  f->fleet = fleet_id (f, "acme/warehouse-cameras");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_pointer (&f->admin, test_user_free);
  g_clear_pointer (&f->member, test_user_free);
  g_clear_pointer (&f->outsider, test_user_free);
}

/* POSTs a membership; returns the status and, on 201, the new row. */
static guint
add_member (Fixture     *f,
            const char  *token,
            const char  *username,
            gint64       fleet,
            const char  *role_json,
            JsonObject **out_row)
{
  g_autofree char *body = NULL;
  g_autofree char *answer = NULL;
  guint status;

  body = g_strdup_printf ("{\"username\":\"%s\",\"is_member_of__application\":%" G_GINT64_FORMAT
                          "%s%s}", username, fleet,
                          role_json != NULL ? ",\"application_membership_role\":" : "",
                          role_json != NULL ? role_json : "");
  status = request (f, "POST", "/v7/user_application_membership", token, body, &answer);
  if (status == 201 && out_row != NULL)
    {
      g_autoptr(JsonNode) node = test_parse_json (answer);

      *out_row = json_object_ref (json_node_get_object (node));
    }

  return status;
}

static gint64
role_id (Fixture    *f,
         const char *name)
{
  g_autofree char *path = g_strdup_printf ("/v7/application_membership_role(name='%s')?$select=id",
                                           name);
  g_autoptr(JsonArray) rows = get_d (f, f->member->token, path);

  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  return json_object_get_int_member (json_array_get_object_element (rows, 0), "id");
}

static gint64
fk (JsonObject *row,
    const char *name)
{
  return json_object_get_int_member (json_object_get_object_member (row, name), "__id");
}

/* The role of @user_id in the fleet, as the admin sees it; 0 if none. */
static gint64
member_role (Fixture *f,
             gint64   fleet,
             gint64   user_id)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonArray) rows = NULL;

  path = g_strdup_printf ("/v7/user_application_membership(user=%" G_GINT64_FORMAT
                          ",is_member_of__application=%" G_GINT64_FORMAT ")",
                          user_id, fleet);
  rows = get_d (f, f->admin->token, path);
  if (json_array_get_length (rows) == 0)
    return 0;

  return fk (json_array_get_object_element (rows, 0), "application_membership_role");
}

static guint
outbox_count (Fixture *f)
{
  g_autofree char *dir = g_build_filename (ba_test_server_get_data_dir (f->server), "outbox", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;

  return n;
}

/* The newest mail to @to in the outbox, or NULL. */
static char *
find_mail (Fixture    *f,
           const char *to)
{
  g_autofree char *dir = g_build_filename (ba_test_server_get_data_dir (f->server), "outbox", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *header = g_strdup_printf ("\r\nTo: <%s>\r\n", to);
  g_autofree char *best_name = NULL;
  char *best = NULL;
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      GStatBuf st;

      g_assert_true (g_str_has_suffix (name, ".eml"));
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      if (strstr (contents, header) != NULL &&
          (best_name == NULL || strcmp (name, best_name) > 0))
        {
          g_free (best);
          g_free (best_name);
          best = g_steal_pointer (&contents);
          best_name = g_strdup (name);
        }
    }

  return best;
}

static char *
token_from_mail (const char *mail)
{
  const char *p = strstr (mail, "Invitation token: ");

  g_assert_nonnull (p);
  p += strlen ("Invitation token: ");

  return g_strndup (p, strcspn (p, "\r\n"));
}

static guint
invite (Fixture    *f,
        const char *token,
        const char *email,
        gint64      fleet,
        char      **out_body)
{
  g_autofree char *body = g_strdup_printf ("{\"invitee\":\"%s\",\"is_invited_to__application\":%"
                                           G_GINT64_FORMAT ",\"message\":\"Come and see\"}",
                                           email, fleet);

  return request (f, "POST", "/v7/invitee__is_invited_to__application", token, body, out_body);
}

static void
test_matrix (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonObject) bruno = NULL;
  g_autoptr(JsonObject) dana = NULL;
  g_autofree char *dana_path = NULL;
  g_autofree char *body = NULL;
  g_autofree char *observer = g_strdup_printf ("{\"application_membership_role\":%" G_GINT64_FORMAT "}",
                                               role_id (f, "observer"));
  g_autofree char *operator = g_strdup_printf ("{\"application_membership_role\":%" G_GINT64_FORMAT "}",
                                               role_id (f, "operator"));
  TestUser *actors[] = { f->member, f->outsider };
  guint mails;

  /* The administrator makes bruno a developer (the default role). */
  g_assert_cmpuint (add_member (f, f->admin->token, "bruno", f->fleet, NULL, &bruno), ==, 201);
  g_assert_cmpint (fk (bruno, "user"), ==, f->member->user_id);
  g_assert_cmpint (fk (bruno, "is_member_of__application"), ==, f->fleet);
  g_assert_cmpint (fk (bruno, "application_membership_role"), ==, role_id (f, "developer"));

  /* Add: a member and an outsider may not; the administrator may. */
  for (guint i = 0; i < G_N_ELEMENTS (actors); i++)
    g_assert_cmpuint (add_member (f, actors[i]->token, "dana", f->fleet, NULL, NULL), ==, 401);
  g_assert_cmpint (member_role (f, f->fleet, fk (bruno, "user")), ==, role_id (f, "developer"));
  g_assert_cmpuint (add_member (f, f->admin->token, "dana", f->fleet, "3", &dana), ==, 201);
  dana_path = g_strdup_printf ("/v7/user_application_membership(%" G_GINT64_FORMAT ")",
                               json_object_get_int_member (dana, "id"));

  /* Change the role: only the administrator. */
  for (guint i = 0; i < G_N_ELEMENTS (actors); i++)
    g_assert_cmpuint (request (f, "PATCH", dana_path, actors[i]->token, operator, NULL), ==, 401);
  g_assert_cmpint (member_role (f, f->fleet, fk (dana, "user")), ==, role_id (f, "observer"));
  g_assert_cmpuint (request (f, "PATCH", dana_path, f->admin->token, operator, NULL), ==, 200);
  g_assert_cmpint (member_role (f, f->fleet, fk (dana, "user")), ==, role_id (f, "operator"));

  /* A member cannot change their own role either. */
  {
    g_autofree char *own = g_strdup_printf ("/v7/user_application_membership(user=%" G_GINT64_FORMAT
                                            ",is_member_of__application=%" G_GINT64_FORMAT ")",
                                            f->member->user_id, f->fleet);

    g_assert_cmpuint (request (f, "PATCH", own, f->member->token, observer, NULL), ==, 401);
    g_assert_cmpint (member_role (f, f->fleet, f->member->user_id), ==, role_id (f, "developer"));
  }

  /* Remove: only the administrator. */
  for (guint i = 0; i < G_N_ELEMENTS (actors); i++)
    g_assert_cmpuint (request (f, "DELETE", dana_path, actors[i]->token, NULL, NULL), ==, 401);
  g_assert_cmpint (member_role (f, f->fleet, fk (dana, "user")), ==, role_id (f, "operator"));
  g_assert_cmpuint (request (f, "DELETE", dana_path, f->admin->token, NULL, NULL), ==, 200);
  g_assert_cmpint (member_role (f, f->fleet, fk (dana, "user")), ==, 0);

  /* Invite: only the administrator, and only then is there a mail. */
  mails = outbox_count (f);
  for (guint i = 0; i < G_N_ELEMENTS (actors); i++)
    g_assert_cmpuint (invite (f, actors[i]->token, "someone@example.org", f->fleet, NULL), ==, 401);
  g_assert_cmpuint (outbox_count (f), ==, mails);
  g_assert_cmpuint (invite (f, f->admin->token, "someone@example.org", f->fleet, &body), ==, 201);
  g_assert_cmpuint (outbox_count (f), ==, mails + 1);

  /* Nobody without a credential; an anonymous POST is 401 before its
   * body is looked at. */
  g_assert_cmpuint (add_member (f, NULL, "dana", f->fleet, NULL, NULL), ==, 401);
  g_assert_cmpuint (request (f, "POST", "/v7/user_application_membership", NULL, "nonsense", NULL),
                    ==, 401);

  /* A member may remove themselves (by the composite key, as the SDK
   * sends it). */
  {
    g_autofree char *own = g_strdup_printf ("/v7/user_application_membership(user=%" G_GINT64_FORMAT
                                            ",is_member_of__application=%" G_GINT64_FORMAT ")",
                                            f->member->user_id, f->fleet);

    g_assert_cmpuint (request (f, "DELETE", own, f->member->token, NULL, NULL), ==, 200);
    g_assert_cmpint (member_role (f, f->fleet, f->member->user_id), ==, 0);
  }
}

/* The role the demo data gives bruno in a fleet he is a member of. */
static void
test_member_cannot_touch_others (Fixture       *f,
                                 gconstpointer  data)
{
  gint64 greenhouse = fleet_id (f, "acme/greenhouse-sensors");
  g_autoptr(JsonArray) rows = NULL;
  g_autofree char *path = NULL;
  gint64 chen_row = 0;

  /* bruno (developer) sees the members of greenhouse-sensors... */
  path = g_strdup_printf ("/v7/user_application_membership?$filter=is_member_of__application eq %"
                          G_GINT64_FORMAT "&$expand=user($select=id,username)", greenhouse);
  rows = get_d (f, f->member->token, path);
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      JsonObject *user = json_array_get_object_element (json_object_get_array_member (row, "user"), 0);

      if (g_str_equal (json_object_get_string_member (user, "username"), "chen"))
        chen_row = json_object_get_int_member (row, "id");
    }
  g_assert_cmpint (chen_row, >, 0);

  /* ...but cannot remove chen or change chen's role. */
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/v7/user_application_membership(%" G_GINT64_FORMAT ")", chen_row);
  g_assert_cmpuint (request (f, "DELETE", path, f->member->token, NULL, NULL), ==, 401);
  g_assert_cmpuint (request (f, "PATCH", path, f->member->token,
                             "{\"application_membership_role\":3}", NULL), ==, 401);

  /* A $filter that selects chen among rows bruno can see is refused as a
   * whole. */
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/v7/user_application_membership?$filter=is_member_of__application eq %"
                          G_GINT64_FORMAT, greenhouse);
  g_assert_cmpuint (request (f, "DELETE", path, f->member->token, NULL, NULL), ==, 401);
  g_clear_pointer (&rows, json_array_unref);
  rows = get_d (f, f->member->token, path);
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);

  /* Members do not see invites, administrators do. */
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/v7/invitee__is_invited_to__application?$filter=is_invited_to__application eq %"
                          G_GINT64_FORMAT, greenhouse);
  g_clear_pointer (&rows, json_array_unref);
  rows = get_d (f, f->member->token, path);
  g_assert_cmpuint (json_array_get_length (rows), ==, 0);
  g_clear_pointer (&rows, json_array_unref);
  rows = get_d (f, f->admin->token, path);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
}

static void
test_by_email_unknown_duplicate (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(JsonObject) row = NULL;
  g_autofree char *body = NULL;
  g_autofree char *chen_path = NULL;
  g_autoptr(JsonArray) chen = NULL;

  /* Section 17.6: an email in "username". */
  g_assert_cmpuint (add_member (f, f->admin->token, "CHEN@acme.example", f->fleet, "2", &row), ==, 201);
  chen = get_d (f, f->admin->token, "/v7/user?$select=id&$filter=username eq 'chen'");
  g_assert_cmpint (fk (row, "user"), ==,
                   json_object_get_int_member (json_array_get_object_element (chen, 0), "id"));
  g_assert_cmpint (fk (row, "application_membership_role"), ==, 2);

  /* Unknown users, by name and by email: 404 with the message. */
  {
    g_autofree char *nobody = g_strdup_printf ("{\"username\":\"nobody\",\"is_member_of__application\":%"
                                               G_GINT64_FORMAT "}", f->fleet);

    g_assert_cmpuint (request (f, "POST", "/v7/user_application_membership", f->admin->token,
                               nobody, &body), ==, 404);
    test_assert_json_string (body, "User not found");
    g_clear_pointer (&body, g_free);
  }
  g_assert_cmpuint (add_member (f, f->admin->token, "nobody@example.com", f->fleet, NULL, NULL), ==, 404);

  /* Twice: 409, by username or by email. */
  g_assert_cmpuint (add_member (f, f->admin->token, "chen", f->fleet, NULL, NULL), ==, 409);
  g_assert_cmpuint (add_member (f, f->admin->token, "chen@acme.example", f->fleet, NULL, NULL), ==, 409);

  /* A fleet member who was not in the organization becomes a member of
   * it: emeka joins Acme as "member" and now reaches the fleet. */
  g_clear_pointer (&row, json_object_unref);
  g_assert_cmpuint (add_member (f, f->admin->token, "emeka", f->fleet, NULL, &row), ==, 201);
  {
    g_autofree char *path = g_strdup_printf ("/v7/application(%" G_GINT64_FORMAT ")?$select=id", f->fleet);
    g_autoptr(JsonArray) apps = get_d (f, f->outsider->token, path);
    g_autoptr(JsonArray) orgs = get_d (f, f->outsider->token,
                                       "/v7/organization_membership?$filter=is_member_of__organization/handle eq 'acme'"
                                       " and user/username eq 'emeka'"
                                       "&$expand=organization_membership_role($select=name)");
    JsonArray *role;

    g_assert_cmpuint (json_array_get_length (apps), ==, 1);
    g_assert_cmpuint (json_array_get_length (orgs), ==, 1);
    role = json_object_get_array_member (json_array_get_object_element (orgs, 0),
                                         "organization_membership_role");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (role, 0), "name"),
                     ==, "member");
  }

  /* Bad bodies. */
  {
    /* APP stands for the fleet's id. */
    static const char *bodies[] = {
      "{\"username\":\"dana\"}",
      "{\"username\":\"dana\",\"is_member_of__application\":\"APP\"}",
      "{\"is_member_of__application\":APP}",
      "{\"username\":\"dana\",\"is_member_of__application\":%1$" G_GINT64_FORMAT
      ",\"application_membership_role\":99}",
      "{\"username\":\"dana\",\"is_member_of__application\":%1$" G_GINT64_FORMAT
      ",\"application_membership_role\":\"x\"}",
      "{\"username\":\"dana\",\"is_member_of__application\":APP,\"id\":7}",
      "{\"username\":5,\"is_member_of__application\":APP}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autofree char *answer = NULL;
        g_autofree char *app = g_strdup_printf ("%" G_GINT64_FORMAT, f->fleet);
        g_autoptr(GString) text = g_string_new (bodies[i]);

        g_string_replace (text, "APP", app, 0);
        g_test_message ("%s", text->str);
        g_assert_cmpuint (request (f, "POST", "/v7/user_application_membership", f->admin->token,
                                   text->str, &answer), ==, 400);
      }

    g_assert_cmpuint (request (f, "POST", "/v7/user_application_membership", f->admin->token,
                               "[1]", NULL), ==, 400);
    g_assert_cmpuint (request (f, "PATCH", "/v7/user_application_membership(1)", f->admin->token,
                               "{\"user\":3}", NULL), ==, 400);
    g_assert_cmpuint (request (f, "POST", "/v7/user_application_membership(1)", f->admin->token,
                               "{\"username\":\"dana\",\"is_member_of__application\":1}", NULL), ==, 400);
  }
}

static void
test_invite_accept_revoke (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *body = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *token = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *list = NULL;
  g_autofree char *fleet_path = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(JsonArray) apps = NULL;
  gint64 invite_id;

  fleet_path = g_strdup_printf ("/v7/application(%" G_GINT64_FORMAT ")?$select=id", f->fleet);
  apps = get_d (f, f->outsider->token, fleet_path);
  g_assert_cmpuint (json_array_get_length (apps), ==, 0);

  /* The administrator invites emeka's address as an operator. */
  {
    g_autofree char *text = g_strdup_printf ("{\"invitee\":\"emeka@weather.example\","
                                             "\"is_invited_to__application\":%" G_GINT64_FORMAT ","
                                             "\"application_membership_role\":2,\"message\":\"Hi\"}",
                                             f->fleet);

    g_assert_cmpuint (request (f, "POST", "/v7/application_invite", f->admin->token, text, &body),
                      ==, 201);
  }
  created = test_parse_json (body);
  invite_id = json_object_get_int_member (json_node_get_object (created), "id");
  g_assert_false (json_object_has_member (json_node_get_object (created), "invitation_token"));
  g_assert_false (json_object_has_member (json_node_get_object (created), "token_hash"));

  /* The same address twice: 409. A bad address: 400. */
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (invite (f, f->admin->token, "EMEKA@weather.example", f->fleet, &body), ==, 409);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (invite (f, f->admin->token, "not an address", f->fleet, &body), ==, 400);
  test_assert_json_string (body, "Invalid email");

  /* The list, with the address, as the SDK asks for it. */
  list = g_strdup_printf ("/v7/invitee__is_invited_to__application?$filter=is_invited_to__application eq %"
                          G_GINT64_FORMAT "&$expand=invitee($select=email)", f->fleet);
  rows = get_d (f, f->admin->token, list);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (json_array_get_object_element (rows, 0), "invitee"), 0),
                     "email"), ==, "emeka@weather.example");

  /* The mail: RFC 5322 headers, the inviter, the fleet, the token. */
  mail = find_mail (f, "emeka@weather.example");
  g_assert_nonnull (mail);
  g_assert_true (g_str_has_prefix (mail, "From: "));
  g_assert_nonnull (strstr (mail, "\r\nSubject: amara invited you to the fleet warehouse-cameras\r\n"));
  g_assert_nonnull (strstr (mail, "\r\nDate: "));
  g_assert_nonnull (strstr (mail, "\r\nMessage-ID: <"));
  g_assert_nonnull (strstr (mail, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
  g_assert_nonnull (strstr (mail, "\r\nContent-Transfer-Encoding: 8bit\r\n"));
  g_assert_nonnull (strstr (mail, "\r\nX-Balena-Accounts-Purpose: invitation\r\n\r\n"));
  g_assert_nonnull (strstr (mail, "as operator"));
  token = token_from_mail (mail);
  g_assert_cmpuint (strlen (token), ==, 32);
  accept = g_strdup_printf ("/user/v1/invitation/%s", token);

  /* Accepting needs a session; a wrong token is 404. */
  g_assert_cmpuint (request (f, "POST", accept, NULL, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (request (f, "POST", "/user/v1/invitation/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                             f->outsider->token, NULL, &body), ==, 404);
  test_assert_json_string (body, "Invitation not found");
  g_assert_cmpuint (request (f, "GET", accept, f->outsider->token, NULL, NULL), ==, 405);

  /* emeka accepts: an operator of the fleet, the invite is used up. */
  g_assert_cmpuint (request (f, "POST", accept, f->outsider->token, NULL, NULL), ==, 200);
  g_assert_cmpint (member_role (f, f->fleet, f->outsider->user_id), ==, role_id (f, "operator"));
  g_clear_pointer (&apps, json_array_unref);
  apps = get_d (f, f->outsider->token, fleet_path);
  g_assert_cmpuint (json_array_get_length (apps), ==, 1);
  g_clear_pointer (&rows, json_array_unref);
  rows = get_d (f, f->admin->token, list);
  g_assert_cmpuint (json_array_get_length (rows), ==, 0);
  g_assert_cmpuint (request (f, "POST", accept, f->outsider->token, NULL, NULL), ==, 404);
  (void) invite_id;

  /* Revoke: only the administrator; then the token no longer works. */
  {
    g_autoptr(JsonNode) node = NULL;
    g_autofree char *revoke = NULL;
    g_autofree char *mail2 = NULL;
    g_autofree char *token2 = NULL;
    g_autofree char *accept2 = NULL;

    g_clear_pointer (&body, g_free);
    g_assert_cmpuint (invite (f, f->admin->token, "later@example.org", f->fleet, &body), ==, 201);
    node = test_parse_json (body);
    revoke = g_strdup_printf ("/v7/invitee__is_invited_to__application(%" G_GINT64_FORMAT ")",
                              json_object_get_int_member (json_node_get_object (node), "id"));
    mail2 = find_mail (f, "later@example.org");
    token2 = token_from_mail (mail2);
    accept2 = g_strdup_printf ("/user/v1/invitation/%s", token2);

    g_assert_cmpuint (request (f, "DELETE", revoke, f->member->token, NULL, NULL), ==, 401);
    g_assert_cmpuint (request (f, "DELETE", revoke, f->outsider->token, NULL, NULL), ==, 401);
    g_assert_cmpuint (request (f, "PATCH", revoke, f->admin->token, "{\"message\":\"x\"}", NULL), ==, 401);
    g_clear_pointer (&rows, json_array_unref);
    rows = get_d (f, f->admin->token, list);
    g_assert_cmpuint (json_array_get_length (rows), ==, 1);

    g_assert_cmpuint (request (f, "DELETE", revoke, f->admin->token, NULL, NULL), ==, 200);
    g_clear_pointer (&rows, json_array_unref);
    rows = get_d (f, f->admin->token, list);
    g_assert_cmpuint (json_array_get_length (rows), ==, 0);
    g_assert_cmpuint (request (f, "POST", accept2, f->member->token, NULL, NULL), ==, 404);
  }
}

/* The accept token is a credential: a logged server never writes it. */
static void
test_token_not_logged (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) server = ba_test_server_start_logged (TRUE, &error);
  g_autoptr(TestUser) admin = NULL;
  g_autoptr(TestUser) emeka = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *log = NULL;
  g_autofree char *body = NULL;
  g_autofree char *accept = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;
  char *token = NULL;

  g_assert_no_error (error);
  admin = test_user_login (server, "amara", ba_test_server_get_demo_password (server));
  emeka = test_user_login (server, "emeka", ba_test_server_get_demo_password (server));
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/v7/application_invite", admin->token,
                                            "application/json",
                                            "{\"invitee\":\"emeka@weather.example\","
                                            "\"is_invited_to__application\":4}",
                                            &body, NULL, NULL), ==, 201);

  dir = g_build_filename (ba_test_server_get_data_dir (server), "outbox", NULL);
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL && token == NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *mail = NULL;

      g_assert_true (g_file_get_contents (path, &mail, NULL, NULL));
      if (strstr (mail, "\r\nTo: <emeka@weather.example>\r\n") != NULL)
        token = token_from_mail (mail);
    }
  g_assert_nonnull (token);

  accept = g_strdup_printf ("/user/v1/invitation/%s", token);
  g_assert_cmpuint (ba_test_server_request (server, "POST", accept, emeka->token, NULL, NULL,
                                            NULL, NULL, NULL), ==, 200);

  g_assert_true (ba_test_server_terminate (server, &error));
  g_assert_no_error (error);
  log = ba_test_server_get_log (server);
  g_assert_nonnull (strstr (log, "POST /user/v1/invitation/REDACTED -> 200"));
  g_assert_null (strstr (log, token));
  g_free (token);
}

static void
test_reach (Fixture       *f,
            gconstpointer  data)
{
  static const char query[] =
    "/v7/application?$select=id,app_name,slug&$expand=is_for__device_type($select=slug),"
    "owns__device($select=is_online)&$filter=is_directly_accessible_by__user/any(dau:1 eq 1)"
    "&$orderby=app_name asc";
  g_autoptr(TestUser) demo = test_user_login (f->server, "demo",
                                              ba_test_server_get_demo_password (f->server));
  g_autoptr(JsonArray) apps = NULL;
  g_autoptr(JsonArray) devices = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *count = NULL;

  /* demo administers Acme (four fleets) and operates emeka's fleet. */
  apps = get_d (f, demo->token, query);
  for (guint i = 0; i < json_array_get_length (apps); i++)
    g_string_append_printf (names, "%s ", json_object_get_string_member (
                              json_array_get_object_element (apps, i), "app_name"));
  g_assert_cmpstr (names->str, ==,
                   "delivery-robots greenhouse-sensors lobby-kiosks warehouse-cameras weather-stations ");

  /* bruno, an organization member, only the fleets he is a member of. */
  g_clear_pointer (&apps, json_array_unref);
  g_string_truncate (names, 0);
  apps = get_d (f, f->member->token, query);
  for (guint i = 0; i < json_array_get_length (apps); i++)
    g_string_append_printf (names, "%s ", json_object_get_string_member (
                              json_array_get_object_element (apps, i), "app_name"));
  g_assert_cmpstr (names->str, ==, "delivery-robots greenhouse-sensors ");

  /* emeka: his own fleet; no devices of Acme's, no Acme members. */
  g_clear_pointer (&apps, json_array_unref);
  apps = get_d (f, f->outsider->token, "/v7/application?$select=app_name");
  g_assert_cmpuint (json_array_get_length (apps), ==, 1);
  devices = get_d (f, f->outsider->token, "/v7/device?$select=id");
  g_assert_cmpuint (json_array_get_length (devices), ==, 4);
  g_assert_cmpuint (request (f, "GET", "/v7/user_application_membership/$count?$filter=is_member_of__application/slug eq 'acme/greenhouse-sensors'",
                             f->outsider->token, NULL, &count), ==, 200);
  g_assert_cmpstr (count, ==, "{\"d\":0}");

  /* Device counts, online and total, with $count and its filter. */
  g_clear_pointer (&apps, json_array_unref);
  apps = get_d (f, demo->token,
                "/v7/application?$select=app_name&$filter=slug eq 'acme/greenhouse-sensors'"
                "&$expand=owns__device/$count,organization($select=name,handle)");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (apps, 0), "owns__device"),
                   ==, 6);
  g_clear_pointer (&count, g_free);
  g_assert_cmpuint (request (f, "GET",
                             "/v7/device/$count?$filter=belongs_to__application/slug eq 'acme/greenhouse-sensors'"
                             " and is_online eq true", demo->token, NULL, &count), ==, 200);
  g_assert_cmpstr (count, ==, "{\"d\":4}");

  /* balena-cli's own organizations (getOwnOrganizations): demo's own,
   * Acme, and emeka's, which demo joined as a member with its fleet. */
  {
    g_autofree char *path = g_strdup_printf ("/v7/organization?$filter=organization_membership/any(orm:orm/user eq %"
                                             G_GINT64_FORMAT ")&$orderby=name asc", demo->user_id);
    g_autoptr(JsonArray) orgs = get_d (f, demo->token, path);
    g_autoptr(JsonArray) emekas = get_d (f, f->outsider->token, path);

    g_assert_cmpuint (json_array_get_length (orgs), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (orgs, 0), "name"),
                     ==, "Acme Robotics");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (orgs, 1), "handle"),
                     ==, "demo");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (orgs, 2), "handle"),
                     ==, "emeka");
    /* emeka sees demo only in his own organization, not in Acme. */
    g_assert_cmpuint (json_array_get_length (emekas), ==, 1);
  }

  /* Every role has a description. */
  {
    g_autoptr(JsonArray) roles = get_d (f, demo->token,
                                        "/v7/application_membership_role?$select=name,description&$orderby=name asc");

    g_assert_cmpuint (json_array_get_length (roles), ==, 3);
    for (guint i = 0; i < 3; i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (roles, i),
                                                      "description"), !=, "");
  }
}

static gint64
count_rows (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return n;
}

/* Account deletion (issue 4) deletes the user row: memberships go with
 * it, and so do organizations left without an administrator, with their
 * fleets. In-process, on the server's own store. */
static void
test_cascade (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ba-fleets-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "server.db", NULL);
  g_autoptr(BaServerStore) store = NULL;
  g_autoptr(BaServerUser) demo = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  g_assert_cmpint (sodium_init (), >=, 0);
  store = ba_server_store_open (path, &error);
  g_assert_no_error (error);
  demo = ba_server_store_create_user (store, "demo", "demo@example.com", "HASH", "S", &error);
  g_assert_no_error (error);
  g_assert_true (ba_server_fleets_seed_demo (store, demo->id, &error));
  g_assert_no_error (error);
  /* Seeding twice adds nothing. */
  g_assert_true (ba_server_fleets_seed_demo (store, demo->id, &error));
  g_assert_no_error (error);
  db = ba_server_store_get_db (store);


  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM organization WHERE handle = 'acme'"), ==, 1);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM application"), ==, 5);
  /* Every user has their own organization. */
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM user u WHERE NOT EXISTS (SELECT 1 FROM organization o"
                          " JOIN organization_membership m ON m.is_member_of__organization = o.id"
                          " WHERE o.handle = u.username AND m.user = u.id AND m.organization_membership_role = 1)"),
                   ==, 0);

  /* emeka goes: his organization and fleet, its devices and demo's
   * membership in it go too. */
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM user WHERE username = 'emeka'", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM organization WHERE handle = 'emeka'"), ==, 0);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM application WHERE app_name = 'weather-stations'"), ==, 0);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM device"), ==, 11);

  /* bruno goes: his memberships go, Acme stays. */
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM user WHERE username = 'bruno'", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM user_application_membership"), ==, 3);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM organization WHERE handle = 'acme'"), ==, 1);

  /* Acme keeps going while one administrator is left, not after. */
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM user WHERE username = 'amara'", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM organization WHERE handle = 'acme'"), ==, 1);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM user WHERE username = 'demo'", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM organization WHERE handle = 'acme'"), ==, 0);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM application"), ==, 0);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM application_invite"), ==, 0);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM user_application_membership"), ==, 0);

  g_clear_object (&store);
  g_remove (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_remove (wal);
    g_remove (shm);
  }
  g_rmdir (dir);
}

/* The outbox writer: RFC 2047 for a non-ASCII subject, CRLF line ends,
 * mode 0600, and no header injection. */
static void
test_outbox (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ba-outbox-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *subject = NULL;
  g_autofree guchar *decoded = NULL;
  const char *p;
  const char *end;
  gsize len;
  GStatBuf st;

  path = ba_server_mail_write (dir, "test", "someone@example.org", "Grüße aus der Flotte",
                               "line one\nline two\n", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_str_has_suffix (path, ".eml"));
  g_assert_nonnull (strstr (contents, "\r\nTo: <someone@example.org>\r\n"));
  g_assert_nonnull (strstr (contents, "\r\n\r\nline one\r\nline two\r\n"));

  p = strstr (contents, "Subject: =?UTF-8?B?");
  g_assert_nonnull (p);
  p += strlen ("Subject: =?UTF-8?B?");
  end = strstr (p, "?=");
  g_assert_nonnull (end);
  subject = g_strndup (p, end - p);
  decoded = g_base64_decode (subject, &len);
  g_assert_cmpmem (decoded, len, "Grüße aus der Flotte", strlen ("Grüße aus der Flotte"));

  g_assert_null (ba_server_mail_write (dir, "test", "a@b.c", "Hi\r\nBcc: x@y.z", "body", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (ba_server_mail_write (dir, "test", "a@b.c\nBcc: x@y.z", "Hi", "body", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);

  g_remove (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ba/server/fleets/matrix", Fixture, NULL,
              fixture_set_up, test_matrix, fixture_tear_down);
  g_test_add ("/ba/server/fleets/member-cannot-touch-others", Fixture, NULL,
              fixture_set_up, test_member_cannot_touch_others, fixture_tear_down);
  g_test_add ("/ba/server/fleets/by-email-unknown-duplicate", Fixture, NULL,
              fixture_set_up, test_by_email_unknown_duplicate, fixture_tear_down);
  g_test_add ("/ba/server/fleets/invite-accept-revoke", Fixture, NULL,
              fixture_set_up, test_invite_accept_revoke, fixture_tear_down);
  g_test_add ("/ba/server/fleets/reach", Fixture, NULL,
              fixture_set_up, test_reach, fixture_tear_down);
  g_test_add_func ("/ba/server/fleets/cascade", test_cascade);
  g_test_add_func ("/ba/server/fleets/outbox", test_outbox);
  g_test_add_func ("/ba/server/fleets/token-not-logged", test_token_not_logged);

  return g_test_run ();
}
