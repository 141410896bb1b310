/* test-session.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-session.h"

#define HOUR (60 * 60)
#define MINUTE 60
#define SECRET "test-secret-test-secret-test-sec"

/* 2026-01-01T00:00:00Z, a fixed clock for every case. */
#define T0 ((gint64) 1767225600)

static char *
make_token (gint64      iat,
            gint64      auth_time_ms,
            const char *two_factor)
{
  g_autoptr(JsonObject) claims = json_object_new ();

  json_object_set_int_member (claims, "id", 42);
  json_object_set_string_member (claims, "jwt_secret", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  json_object_set_int_member (claims, "authTime", auth_time_ms);
  json_object_set_int_member (claims, "iat", iat);
  json_object_set_int_member (claims, "exp", iat + 7 * 24 * HOUR);
  if (g_strcmp0 (two_factor, "true") == 0)
    json_object_set_boolean_member (claims, "twoFactorRequired", TRUE);
  else if (g_strcmp0 (two_factor, "false") == 0)
    json_object_set_boolean_member (claims, "twoFactorRequired", FALSE);

  return ba_jwt_encode_hs256 (claims, (const guint8 *) SECRET, strlen (SECRET));
}

static void
test_claims (void)
{
  g_autofree char *token = make_token (T0, T0 * 1000 + 999, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = ba_session_new (token, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_cmpstr (ba_session_get_token (session), ==, token);
  g_assert_false (ba_session_is_api_key (session));
  g_assert_cmpint (ba_session_get_user_id (session), ==, 42);
  g_assert_cmpint (ba_session_get_issued_at (session), ==, T0);
  g_assert_cmpint (ba_session_get_expires_at (session), ==, T0 + 7 * 24 * HOUR);
  /* authTime is milliseconds on the wire, seconds here. */
  g_assert_cmpint (ba_session_get_auth_time (session), ==, T0);
  g_assert_cmpint (ba_session_get_two_factor_status (session), ==, BA_TWO_FACTOR_NOT_REQUIRED);
}

static void
test_expired (void)
{
  g_autofree char *token = make_token (T0, T0 * 1000, NULL);
  g_autoptr(BaSession) session = ba_session_new (token, NULL);
  gint64 exp = T0 + 7 * 24 * HOUR;

  g_assert_nonnull (session);
  g_assert_false (ba_session_is_expired (session, T0));
  g_assert_false (ba_session_is_expired (session, exp - 1));
  g_assert_true (ba_session_is_expired (session, exp));
  g_assert_true (ba_session_is_expired (session, exp + 1));
  /* An expired token is past refreshing: the server would refuse it. */
  g_assert_false (ba_session_needs_refresh (session, exp + 1));
}

static void
test_needs_refresh (void)
{
  g_autofree char *token = make_token (T0, T0 * 1000, NULL);
  g_autoptr(BaSession) session = ba_session_new (token, NULL);

  g_assert_false (ba_session_needs_refresh (session, T0));
  g_assert_false (ba_session_needs_refresh (session, T0 + 23 * HOUR));
  g_assert_false (ba_session_needs_refresh (session, T0 + 24 * HOUR - 1));
  g_assert_true (ba_session_needs_refresh (session, T0 + 24 * HOUR));
  g_assert_true (ba_session_needs_refresh (session, T0 + 25 * HOUR));
}

static void
test_fresh (void)
{
  /* Issued by a refresh long after the password was typed. */
  g_autofree char *token = make_token (T0 + HOUR, T0 * 1000, NULL);
  g_autoptr(BaSession) session = ba_session_new (token, NULL);

  g_assert_true (ba_session_is_fresh (session, T0));
  g_assert_true (ba_session_is_fresh (session, T0 + 19 * MINUTE));
  g_assert_false (ba_session_is_fresh (session, T0 + 20 * MINUTE));
  g_assert_false (ba_session_is_fresh (session, T0 + 21 * MINUTE));
}

static void
test_two_factor (void)
{
  struct {
    const char        *claim;
    BaTwoFactorStatus  status;
  } cases[] = {
    { NULL, BA_TWO_FACTOR_NOT_REQUIRED },
    { "true", BA_TWO_FACTOR_PENDING },
    { "false", BA_TWO_FACTOR_PASSED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *token = make_token (T0, T0 * 1000, cases[i].claim);
      g_autoptr(GError) error = NULL;
      g_autoptr(BaSession) session = ba_session_new (token, &error);

      g_assert_no_error (error);
      g_assert_cmpint (ba_session_get_two_factor_status (session), ==, cases[i].status);
    }
}

static void
test_api_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = ba_session_new ("AbCdEfGhIjKlMnOpQrStUvWxYz012345", &error);

  g_assert_no_error (error);
  g_assert_true (ba_session_is_api_key (session));
  g_assert_false (ba_session_is_expired (session, G_MAXINT64 / 2));
  g_assert_false (ba_session_needs_refresh (session, T0 + 1000 * HOUR));
  g_assert_false (ba_session_is_fresh (session, 0));
  g_assert_false (ba_session_is_fresh (session, T0));
  g_assert_cmpint (ba_session_get_two_factor_status (session), ==, BA_TWO_FACTOR_NOT_REQUIRED);
  g_assert_cmpint (ba_session_get_user_id (session), ==, 0);
}

static void
test_garbage (void)
{
  const char *bad[] = {
    "",
    "has spaces in it",
    "line\nbreak",
    "t\xc3\xa9st",
  };
  g_autoptr(JsonObject) no_exp = json_object_new ();
  g_autoptr(JsonObject) string_id = json_object_new ();
  g_autofree char *no_exp_token = NULL;
  g_autofree char *string_id_token = NULL;
  g_autoptr(BaSession) session = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(BaSession) bad_session = ba_session_new (bad[i], &local_error);

      g_assert_null (bad_session);
      g_assert_error (local_error, BA_ERROR, BA_ERROR_INVALID_TOKEN);
    }

  /* A JWT without the claims a session token must have. */
  json_object_set_int_member (no_exp, "id", 1);
  json_object_set_int_member (no_exp, "iat", T0);
  no_exp_token = ba_jwt_encode_hs256 (no_exp, (const guint8 *) SECRET, strlen (SECRET));
  session = ba_session_new (no_exp_token, &error);
  g_assert_null (session);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_TOKEN);
  g_clear_error (&error);

  json_object_set_string_member (string_id, "id", "42");
  json_object_set_int_member (string_id, "iat", T0);
  json_object_set_int_member (string_id, "exp", T0 + HOUR);
  string_id_token = ba_jwt_encode_hs256 (string_id, (const guint8 *) SECRET, strlen (SECRET));
  session = ba_session_new (string_id_token, &error);
  g_assert_null (session);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_TOKEN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/session/claims", test_claims);
  g_test_add_func ("/ba/session/expired", test_expired);
  g_test_add_func ("/ba/session/needs-refresh", test_needs_refresh);
  g_test_add_func ("/ba/session/fresh", test_fresh);
  g_test_add_func ("/ba/session/two-factor", test_two_factor);
  g_test_add_func ("/ba/session/api-key", test_api_key);
  g_test_add_func ("/ba/session/garbage", test_garbage);

  return g_test_run ();
}
