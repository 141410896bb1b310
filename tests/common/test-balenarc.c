/* test-balenarc.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ba-balenarc.h"
#include "ba-error.h"

/* balena-settings-client's rules (account-api.md section 14): the YAML
 * keys, the environment variables and their precedence. */

static BaBalenarc *
parse (const char *text)
{
  g_autoptr(BaBalenarc) rc = ba_balenarc_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ba_balenarc_parse_yaml (rc, text, -1, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&rc);
}

static void
test_defaults (void)
{
  g_autoptr(BaBalenarc) rc = ba_balenarc_new ();
  g_autofree char *api = ba_balenarc_dup_api_url (rc);
  g_autofree char *dashboard = ba_balenarc_dup_dashboard_url (rc);

  g_assert_cmpstr (api, ==, "https://api.balena-cloud.com");
  g_assert_cmpstr (dashboard, ==, "https://dashboard.balena-cloud.com");
  g_assert_false (ba_balenarc_has_server (rc));
}

static void
test_yaml_forms (void)
{
  g_autoptr(BaBalenarc) rc = NULL;
  g_autofree char *api = NULL;
  g_autofree char *dashboard = NULL;

  rc = parse ("balenaUrl: 'mydomain.com'\n");
  g_assert_cmpstr (rc->balena_url, ==, "mydomain.com");
  api = ba_balenarc_dup_api_url (rc);
  dashboard = ba_balenarc_dup_dashboard_url (rc);
  g_assert_cmpstr (api, ==, "https://api.mydomain.com");
  g_assert_cmpstr (dashboard, ==, "https://dashboard.mydomain.com");
  g_assert_true (ba_balenarc_has_server (rc));
  g_clear_pointer (&rc, ba_balenarc_free);

  /* Every scalar form, comments, CRLF, a BOM, a document marker, and
   * nested blocks under other keys. */
  rc = parse ("\xef\xbb\xbf---\r\n"
              "# the CLI's settings\r\n"
              "apiUrl: http://127.0.0.1:8080   # local\r\n"
              "dashboardUrl: \"https://dash.example.com/\\u0061\"\r\n"
              "proxy:\r\n"
              "  host: proxy.example.com\r\n"
              "  port: 8080\r\n"
              "dataDirectory: '/home/o''neil/.balena'\r\n"
              "projectsDirectory: [a, b]\r\n"
              "\r\n");
  g_assert_cmpstr (rc->api_url, ==, "http://127.0.0.1:8080");
  g_assert_cmpstr (rc->dashboard_url, ==, "https://dash.example.com/a");
  g_assert_cmpstr (rc->data_directory, ==, "/home/o'neil/.balena");
  g_assert_null (rc->balena_url);
  g_clear_pointer (&rc, ba_balenarc_free);

  /* A URL's own "#" fragment-like text without a space before it stays;
   * "key:value" without a space is not a key. */
  rc = parse ("apiUrl: https://api.example.com/#x\n\"balenaUrl\" : example.org\n");
  g_assert_cmpstr (rc->api_url, ==, "https://api.example.com/#x");
  g_assert_cmpstr (rc->balena_url, ==, "example.org");
  g_clear_pointer (&rc, ba_balenarc_free);

  /* Null and empty values set nothing. */
  rc = parse ("apiUrl: ~\nbalenaUrl:\ndashboardUrl: null\n");
  g_assert_null (rc->api_url);
  g_assert_null (rc->balena_url);
  g_assert_null (rc->dashboard_url);
}

static void
test_yaml_errors (void)
{
  static const char * const bad[] = {
    "apiUrl: 'unterminated\n",
    "apiUrl: \"bad \\q escape\"\n",
    "apiUrl: \"x\" trailing\n",
    "just some text\n",
    "- a list\n",
    "apiUrl: {url: x}\n",
    "apiUrl: &anchor x\n",
    "apiUrl: |\n  block\n",
    "apiUrl:x\n",
    "bad\xff: utf8\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(BaBalenarc) rc = ba_balenarc_new ();
      g_autoptr(GError) error = NULL;

      rc->api_url = g_strdup ("kept");
      g_assert_false (ba_balenarc_parse_yaml (rc, bad[i], -1, &error));
      g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
      g_assert_true (g_str_has_prefix (error->message, "Line "));
      /* A file with an error changes nothing. */
      g_assert_cmpstr (rc->api_url, ==, "kept");
    }

  {
    g_autoptr(BaBalenarc) rc = ba_balenarc_new ();
    g_autoptr(GError) error = NULL;

    g_assert_false (ba_balenarc_parse_yaml (rc, "balenaUrl: a.com\n\nnope\n", -1, &error));
    g_assert_cmpstr (error->message, ==, "Line 3: expected “key: value”");
    g_assert_null (rc->balena_url);
  }
}

static void
test_setting_names (void)
{
  static const char * const cases[][2] = {
    { "BALENARC_API_URL", "apiUrl" },
    { "BALENARC_BALENA_URL", "balenaUrl" },
    { "BALENARC_DASHBOARD_URL", "dashboardUrl" },
    { "BALENARC_DATA_DIRECTORY", "dataDirectory" },
    { "balenarc_api_url", "apiUrl" },
    { "RESINRC_RESIN_URL", "balenaUrl" },
    { "RESINRC_API_URL", "apiUrl" },
    { "BALENARC_NO_ANALYTICS", "noAnalytics" },
    { "BALENARC_", NULL },
    { "API_URL", NULL },
    { "BALENA_API_KEY", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = ba_balenarc_setting_name (cases[i][0]);

      g_assert_cmpstr (name, ==, cases[i][1]);
    }
}

static void
test_precedence (void)
{
  const char * const envp[] = {
    "HOME=/home/x",
    "RESINRC_API_URL=https://api.resin.example",
    "BALENARC_API_URL=https://api.env.example",
    "BALENARC_DASHBOARD_URL=",
    "RESINRC_RESIN_URL=resin.example",
    "EDITOR=vim",
    NULL
  };
  g_autoptr(BaBalenarc) rc = ba_balenarc_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *api = NULL;
  g_autofree char *dashboard = NULL;

  /* Lowest first: ~/.resinrc.yml, ~/.balenarc.yml, ./balenarc.yml, env. */
  g_assert_true (ba_balenarc_parse_yaml (rc, "balenaUrl: old.example\ndashboardUrl: https://d.old\n", -1, &error));
  g_assert_true (ba_balenarc_parse_yaml (rc, "balenaUrl: home.example\napiUrl: https://api.home\n", -1, &error));
  g_assert_true (ba_balenarc_parse_yaml (rc, "dataDirectory: /p\n", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rc->balena_url, ==, "home.example");
  g_assert_cmpstr (rc->api_url, ==, "https://api.home");
  g_assert_cmpstr (rc->dashboard_url, ==, "https://d.old");

  ba_balenarc_apply_environment (rc, envp);
  /* BALENARC_ beats RESINRC_, and both beat the files; an empty
   * variable does not count. */
  g_assert_cmpstr (rc->api_url, ==, "https://api.env.example");
  g_assert_cmpstr (rc->balena_url, ==, "resin.example");
  g_assert_cmpstr (rc->dashboard_url, ==, "https://d.old");
  g_assert_cmpstr (rc->data_directory, ==, "/p");

  api = ba_balenarc_dup_api_url (rc);
  dashboard = ba_balenarc_dup_dashboard_url (rc);
  g_assert_cmpstr (api, ==, "https://api.env.example");
  g_assert_cmpstr (dashboard, ==, "https://d.old");
}

static void
test_balena_url_only_from_env (void)
{
  const char * const envp[] = { "BALENARC_BALENA_URL=staging.example", NULL };
  g_autoptr(BaBalenarc) rc = ba_balenarc_new ();
  g_autofree char *api = NULL;
  g_autofree char *dashboard = NULL;

  ba_balenarc_apply_environment (rc, envp);
  api = ba_balenarc_dup_api_url (rc);
  dashboard = ba_balenarc_dup_dashboard_url (rc);
  g_assert_cmpstr (api, ==, "https://api.staging.example");
  g_assert_cmpstr (dashboard, ==, "https://dashboard.staging.example");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/balenarc/defaults", test_defaults);
  g_test_add_func ("/ba/balenarc/yaml-forms", test_yaml_forms);
  g_test_add_func ("/ba/balenarc/yaml-errors", test_yaml_errors);
  g_test_add_func ("/ba/balenarc/setting-names", test_setting_names);
  g_test_add_func ("/ba/balenarc/precedence", test_precedence);
  g_test_add_func ("/ba/balenarc/balena-url-from-env", test_balena_url_only_from_env);

  return g_test_run ();
}
