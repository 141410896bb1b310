/* test-secret-store.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-secret-store.h"

static char *tmpdir;

#define TOKEN "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MX0.UniqueTokenMarker4c1f"

static gboolean
store_token (BaSecretStore  *store,
             const char     *account,
             const char     *token,
             GError        **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_secret_store_store_token_async (store, account, "Test session", token, NULL,
                                     ba_client_test_store_result, &result);
  ok = ba_secret_store_store_token_finish (store, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return ok;
}

static char *
lookup_token (BaSecretStore  *store,
              const char     *account,
              GError        **error)
{
  GAsyncResult *result = NULL;
  char *secret;
  char *copy;

  ba_secret_store_lookup_token_async (store, account, NULL, ba_client_test_store_result, &result);
  secret = ba_secret_store_lookup_token_finish (store, ba_client_test_wait (&result), error);
  g_object_unref (result);

  copy = g_strdup (secret);
  secret_password_free (secret);

  return copy;
}

static gboolean
clear_token (BaSecretStore  *store,
             const char     *account,
             GError        **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_secret_store_clear_token_async (store, account, NULL, ba_client_test_store_result, &result);
  ok = ba_secret_store_clear_token_finish (store, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return ok;
}

static char **
list_token_accounts (BaSecretStore *store)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char **ids;

  ba_secret_store_list_token_accounts_async (store, NULL, ba_client_test_store_result, &result);
  ids = ba_secret_store_list_token_accounts_finish (store, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_nonnull (ids);

  return ids;
}

static GBytes *
get_vault_key (BaSecretStore *store)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  GBytes *key;

  ba_secret_store_get_vault_key_async (store, NULL, ba_client_test_store_result, &result);
  key = ba_secret_store_get_vault_key_finish (store, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_nonnull (key);

  return key;
}

static void
test_schema (void)
{
  const SecretSchema *schema = ba_secret_store_get_schema ();

  g_assert_cmpstr (schema->name, ==, "io.github.balena_accounts.Accounts");
  g_assert_cmpstr (schema->attributes[0].name, ==, "kind");
  g_assert_cmpstr (schema->attributes[1].name, ==, "account");
  g_assert_null (schema->attributes[2].name);
  g_assert_true (BA_SECRET_SCHEMA == schema);
}

static void
test_token_roundtrip (void)
{
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *found = NULL;
  g_autofree char *other = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *gone = NULL;

  /* Missing: NULL without an error. */
  missing = lookup_token (store, "1@https://a.example", &error);
  g_assert_no_error (error);
  g_assert_null (missing);

  g_assert_true (store_token (store, "1@https://a.example", TOKEN, &error));
  g_assert_no_error (error);
  g_assert_true (store_token (store, "2@https://a.example", "second-token", &error));
  g_assert_no_error (error);

  found = lookup_token (store, "1@https://a.example", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, TOKEN);
  other = lookup_token (store, "2@https://a.example", &error);
  g_assert_cmpstr (other, ==, "second-token");

  /* Storing again replaces the item. */
  g_assert_true (store_token (store, "1@https://a.example", "replacement", &error));
  replaced = lookup_token (store, "1@https://a.example", &error);
  g_assert_cmpstr (replaced, ==, "replacement");

  g_assert_true (clear_token (store, "1@https://a.example", &error));
  g_assert_no_error (error);
  gone = lookup_token (store, "1@https://a.example", &error);
  g_assert_no_error (error);
  g_assert_null (gone);

  /* Clearing what is not there is fine; the other account is untouched. */
  g_assert_true (clear_token (store, "1@https://a.example", &error));
  g_assert_no_error (error);
  g_clear_pointer (&other, g_free);
  other = lookup_token (store, "2@https://a.example", &error);
  g_assert_cmpstr (other, ==, "second-token");
  g_assert_true (clear_token (store, "2@https://a.example", &error));
}

/* The accounts with a session token, read from the items' attributes:
 * what brings accounts back after the vault was rebuilt. */
static void
test_list_token_accounts (void)
{
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(GBytes) key = get_vault_key (store);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  const char *accounts[] = {
    "7@https://api.list-b.example",
    "3@https://api.list-a.example",
    "12@http://user@127.0.0.1:4242",
  };
  guint found = 0;

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      g_assert_true (store_token (store, accounts[i], TOKEN, &error));
      g_assert_no_error (error);
    }
  /* Storing again replaces the item: still one entry. */
  g_assert_true (store_token (store, accounts[0], TOKEN, &error));
  g_assert_no_error (error);

  ids = list_token_accounts (store);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      /* The vault key's item is of another kind. */
      g_assert_cmpstr (ids[i], !=, "vault");
      if (i > 0)
        g_assert_cmpint (g_strcmp0 (ids[i - 1], ids[i]), <, 0);
      for (guint j = 0; j < G_N_ELEMENTS (accounts); j++)
        if (g_str_equal (ids[i], accounts[j]))
          found++;
    }
  g_assert_cmpuint (found, ==, G_N_ELEMENTS (accounts));
  g_clear_pointer (&ids, g_strfreev);

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      g_assert_true (clear_token (store, accounts[i], &error));
      g_assert_no_error (error);
    }
  ids = list_token_accounts (store);
  for (guint j = 0; j < G_N_ELEMENTS (accounts); j++)
    g_assert_false (g_strv_contains ((const char * const *) ids, accounts[j]));
}

static void
test_vault_key (void)
{
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(BaSecretStore) store2 = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GBytes) third = NULL;
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *ra = NULL;
  GAsyncResult *rb = NULL;
  const guint8 *data;
  gboolean all_zero = TRUE;

  first = get_vault_key (store);
  g_assert_cmpuint (g_bytes_get_size (first), ==, BA_VAULT_KEY_SIZE);
  data = g_bytes_get_data (first, NULL);
  for (guint i = 0; i < BA_VAULT_KEY_SIZE; i++)
    all_zero = all_zero && data[i] == 0;
  g_assert_false (all_zero);

  second = get_vault_key (store);
  g_assert_true (g_bytes_equal (first, second));

  store2 = ba_secret_store_new ();
  third = get_vault_key (store2);
  g_assert_true (g_bytes_equal (first, third));

  /* Two concurrent calls get the same key. */
  ba_secret_store_get_vault_key_async (store2, NULL, ba_client_test_store_result, &ra);
  ba_secret_store_get_vault_key_async (store2, NULL, ba_client_test_store_result, &rb);
  a = ba_secret_store_get_vault_key_finish (store2, ba_client_test_wait (&ra), &error);
  g_assert_no_error (error);
  b = ba_secret_store_get_vault_key_finish (store2, ba_client_test_wait (&rb), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (a, first));
  g_assert_true (g_bytes_equal (b, first));
  g_object_unref (ra);
  g_object_unref (rb);
}

static void
test_keyring_file_encrypted (void)
{
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *hex = NULL;
  gsize len = 0;
  const guint8 *data;
  GString *s;

  g_assert_true (store_token (store, "3@https://b.example", TOKEN, &error));
  g_assert_no_error (error);
  key = get_vault_key (store);

  g_file_get_contents (ba_client_test_keyring_path (), &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 0);

  /* The file backend encrypts items with the test password: neither the
   * token nor the hex vault key can be read from the file. */
  g_assert_false (ba_client_test_contains (contents, len, TOKEN));
  g_assert_false (ba_client_test_contains (contents, len, "UniqueTokenMarker4c1f"));

  data = g_bytes_get_data (key, NULL);
  s = g_string_new (NULL);
  for (guint i = 0; i < BA_VAULT_KEY_SIZE; i++)
    g_string_append_printf (s, "%02x", data[i]);
  hex = g_string_free (s, FALSE);
  g_assert_false (ba_client_test_contains (contents, len, hex));
  g_assert_false (ba_client_test_contains_bytes (contents, len, data, BA_VAULT_KEY_SIZE));

  g_assert_true (clear_token (store, "3@https://b.example", &error));
}

static void
test_cancelled (void)
{
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char *token;

  g_cancellable_cancel (cancellable);
  ba_secret_store_lookup_token_async (store, "1@x", cancellable, ba_client_test_store_result, &result);
  token = ba_secret_store_lookup_token_finish (store, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_null (token);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_vault_key_damaged (void)
{
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(GBytes) before = get_vault_key (store);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;

  /* Something else wrote garbage into our item. */
  secret_password_store_sync (BA_SECRET_SCHEMA, SECRET_COLLECTION_DEFAULT, "damaged",
                              "not-hex-and-too-short", NULL, &error,
                              "kind", "vault-key", "account", "vault", NULL);
  g_assert_no_error (error);

  /* A new key replaces it (the vault will then be rebuilt). */
  after = get_vault_key (store);
  g_assert_cmpuint (g_bytes_get_size (after), ==, BA_VAULT_KEY_SIZE);
  g_assert_false (g_bytes_equal (before, after));
  again = get_vault_key (store);
  g_assert_true (g_bytes_equal (after, again));
}

/* A keyring that cannot be written: its file would have to live inside a
 * regular file. Runs in a subprocess so this path is the first libsecret
 * sees (it reads SECRET_FILE_TEST_PATH once). */
static void
test_keyring_failure (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(BaSecretStore) store = ba_secret_store_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) key = NULL;
      g_autofree char *blocker = g_build_filename (tmpdir, "not-a-folder", NULL);
      g_autofree char *path = g_build_filename (blocker, "test.keyring", NULL);
      GAsyncResult *result = NULL;

      g_file_set_contents (blocker, "x", -1, &error);
      g_assert_no_error (error);
      g_setenv ("SECRET_FILE_TEST_PATH", path, TRUE);

      g_assert_false (store_token (store, "1@https://c.example", TOKEN, &error));
      g_assert_error (error, BA_ERROR, BA_ERROR_KEYRING);
      g_test_message ("keyring message: %s", error->message);
      /* The user-facing message does not carry libsecret's detail. */
      g_assert_null (strstr (error->message, path));
      g_clear_error (&error);

      ba_secret_store_get_vault_key_async (store, NULL, ba_client_test_store_result, &result);
      key = ba_secret_store_get_vault_key_finish (store, ba_client_test_wait (&result), &error);
      g_object_unref (result);
      g_assert_null (key);
      g_assert_error (error, BA_ERROR, BA_ERROR_KEYRING);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

  g_test_add_func ("/ba/secret-store/schema", test_schema);
  g_test_add_func ("/ba/secret-store/token-roundtrip", test_token_roundtrip);
  g_test_add_func ("/ba/secret-store/vault-key", test_vault_key);
  g_test_add_func ("/ba/secret-store/list-token-accounts", test_list_token_accounts);
  g_test_add_func ("/ba/secret-store/keyring-file-encrypted", test_keyring_file_encrypted);
  g_test_add_func ("/ba/secret-store/cancelled", test_cancelled);
  g_test_add_func ("/ba/secret-store/vault-key-damaged", test_vault_key_damaged);
  g_test_add_func ("/ba/secret-store/keyring-failure", test_keyring_failure);

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
