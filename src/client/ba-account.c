/* ba-account.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-account"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ba-account.h"
#include "ba-account-private.h"
#include "ba-login-challenge.h"
#include "ba-error.h"
#include "ba-wipe.h"

struct _BaAccount
{
  GObject         parent_instance;

  /* Owned references; secret_store and vault are NULL in session-only
   * mode. */
  BaApiClient    *client;
  BaSecretStore  *secret_store;
  BaVault        *vault;
  BaSession      *session;

  char           *id;
  char           *server_url;
  char           *username;
  char           *email;
  gint64          user_id;
  gint64          actor_id;

  BaAccountState  state;
  gint64          offline_since;
  gint64          last_synced_at;
  gint64          last_used_at;

  GListStore     *api_keys;   /* BaApiKey, sorted by name */
};

G_DEFINE_FINAL_TYPE (BaAccount, ba_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SERVER_URL,
  PROP_USERNAME,
  PROP_EMAIL,
  PROP_USER_ID,
  PROP_STATE,
  PROP_OFFLINE_SINCE,
  PROP_LAST_SYNCED_AT,
  PROP_SESSION,
  PROP_API_KEYS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

GType
ba_account_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { BA_ACCOUNT_STATE_CACHED, "BA_ACCOUNT_STATE_CACHED", "cached" },
        { BA_ACCOUNT_STATE_ONLINE, "BA_ACCOUNT_STATE_ONLINE", "online" },
        { BA_ACCOUNT_STATE_OFFLINE, "BA_ACCOUNT_STATE_OFFLINE", "offline" },
        { BA_ACCOUNT_STATE_LOGGED_OUT, "BA_ACCOUNT_STATE_LOGGED_OUT", "logged-out" },
        { 0, NULL, NULL },
      };
      GType type = g_enum_register_static (g_intern_static_string ("BaAccountState"), values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
ba_account_finalize (GObject *object)
{
  BaAccount *self = (BaAccount *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->secret_store);
  g_clear_object (&self->vault);
  g_clear_object (&self->session);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->email, g_free);
  g_clear_object (&self->api_keys);

  G_OBJECT_CLASS (ba_account_parent_class)->finalize (object);
}

static void
ba_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  BaAccount *self = BA_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;

    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;

    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;

    case PROP_USER_ID:
      g_value_set_int64 (value, self->user_id);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_OFFLINE_SINCE:
      g_value_set_int64 (value, self->offline_since);
      break;

    case PROP_LAST_SYNCED_AT:
      g_value_set_int64 (value, self->last_synced_at);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_API_KEYS:
      g_value_set_object (value, self->api_keys);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_account_class_init (BaAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ba_account_finalize;
  object_class->get_property = ba_account_get_property;

  properties [PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties [PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL, flags);
  properties [PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL, flags);
  properties [PROP_EMAIL] =
    g_param_spec_string ("email", NULL, NULL, NULL, flags);
  properties [PROP_USER_ID] =
    g_param_spec_int64 ("user-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties [PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       BA_TYPE_ACCOUNT_STATE, BA_ACCOUNT_STATE_CACHED, flags);
  properties [PROP_OFFLINE_SINCE] =
    g_param_spec_int64 ("offline-since", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties [PROP_LAST_SYNCED_AT] =
    g_param_spec_int64 ("last-synced-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties [PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, BA_TYPE_SESSION, flags);
  properties [PROP_API_KEYS] =
    g_param_spec_object ("api-keys", NULL, NULL, G_TYPE_LIST_MODEL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_account_init (BaAccount *self)
{
  self->state = BA_ACCOUNT_STATE_CACHED;
  self->api_keys = g_list_store_new (BA_TYPE_API_KEY);
}

/* Setters: each notifies only on a real change. */

static void
set_string (BaAccount   *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties [prop]);
}

static void
set_int64 (BaAccount *self,
           gint64    *field,
           gint64     value,
           guint      prop)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties [prop]);
}

static void
set_state (BaAccount      *self,
           BaAccountState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATE]);
}

static void
set_session (BaAccount *self,
             BaSession *session)
{
  if (self->session == session)
    return;

  g_set_object (&self->session, session);
  ba_api_client_set_token (self->client, session != NULL ? ba_session_get_token (session) : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SESSION]);
}

static void
apply_identity (BaAccount        *self,
                const BaIdentity *identity)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->username, identity->username, PROP_USERNAME);
  set_string (self, &self->email, identity->email, PROP_EMAIL);
  set_int64 (self, &self->user_id, identity->user_id, PROP_USER_ID);
  self->actor_id = identity->actor_id;
  g_object_thaw_notify (G_OBJECT (self));
}

void
ba_account_mark_online (BaAccount *self)
{
  gint64 now = now_seconds ();

  g_object_freeze_notify (G_OBJECT (self));
  set_int64 (self, &self->last_synced_at, now, PROP_LAST_SYNCED_AT);
  set_int64 (self, &self->offline_since, 0, PROP_OFFLINE_SINCE);
  self->last_used_at = now;
  set_state (self, BA_ACCOUNT_STATE_ONLINE);
  g_object_thaw_notify (G_OBJECT (self));
}

/* The first failure sets offline-since; later ones keep it. */
static void
mark_offline (BaAccount *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->offline_since == 0)
    set_int64 (self, &self->offline_since, now_seconds (), PROP_OFFLINE_SINCE);
  set_state (self, BA_ACCOUNT_STATE_OFFLINE);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
ba_account_error_is_unreachable (const GError *error)
{
  return g_error_matches (error, BA_ERROR, BA_ERROR_OFFLINE) ||
         g_error_matches (error, BA_ERROR, BA_ERROR_TIMEOUT);
}

void
ba_account_task_return_boolean (GTask  *task,
                                GError *error)
{
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Records what a failed request says about the account: gone offline, or
 * the session is over. The error itself goes back to the caller. */
void
ba_account_note_request_error (BaAccount    *self,
                               const GError *error)
{
  if (ba_account_error_is_unreachable (error))
    mark_offline (self);
  else if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN))
    set_state (self, BA_ACCOUNT_STATE_LOGGED_OUT);
}

static BaVaultAccount
to_vault_account (BaAccount *self)
{
  BaVaultAccount row = {
    .id = self->id,
    .server_url = self->server_url,
    .user_id = self->user_id,
    .actor_id = self->actor_id,
    .username = self->username,
    .email = self->email,
    .last_synced_at = self->last_synced_at,
    .last_used_at = self->last_used_at,
  };

  return row;
}

/* The keyring item's label, as shown in Passwords and Keys. */
static char *
token_label (BaAccount *self)
{
  g_autoptr(GUri) uri = g_uri_parse (self->server_url, G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL ? g_uri_get_host (uri) : self->server_url;

  /* Translators: the first %s is a username, the second a server's host name. */
  return g_strdup_printf (_("Balena Accounts session for %s on %s"), self->username, host);
}

static BaAccount *
account_new (BaApiClient   *client,
             BaSecretStore *secret_store,
             BaVault       *vault)
{
  BaAccount *self = g_object_new (BA_TYPE_ACCOUNT, NULL);

  self->client = g_object_ref (client);
  self->secret_store = secret_store != NULL ? g_object_ref (secret_store) : NULL;
  self->vault = vault != NULL ? g_object_ref (vault) : NULL;
  self->server_url = g_strdup (ba_api_client_get_base_url (client));

  return self;
}

/* Login */

typedef struct
{
  BaApiClient   *client;
  BaSecretStore *secret_store;
  BaVault       *vault;
  BaSession     *session;
  BaAccount     *account;
  gboolean       with_token;
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_clear_object (&data->client);
  g_clear_object (&data->secret_store);
  g_clear_object (&data->vault);
  g_clear_object (&data->session);
  g_clear_object (&data->account);
  g_free (data);
}

static void
login_keys_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoginData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = ba_vault_load_api_keys_finish (BA_VAULT (object), result, &error);
  if (keys == NULL)
    g_message ("Could not read the cached API keys: %s", error->message);
  else
    ba_account_apply_api_keys (data->account, keys);

  g_task_return_pointer (task, g_steal_pointer (&data->account), g_object_unref);
}

static void
login_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoginData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The login itself worked and the token is in the keyring; a cache that
   * cannot be written only costs the instant start next time. */
  if (!ba_vault_save_account_finish (BA_VAULT (object), result, &error))
    {
      g_message ("Could not cache the account: %s", error->message);
      g_task_return_pointer (task, g_steal_pointer (&data->account), g_object_unref);
      return;
    }

  /* Keys cached by an earlier session of this account (one that ended
   * without a logout) show until the first sync. */
  ba_vault_load_api_keys_async (BA_VAULT (object), data->account->id, NULL,
                                login_keys_loaded_cb, g_object_ref (task));
}

static void
login_finish_up (GTask *task)
{
  LoginData *data = g_task_get_task_data (task);
  BaVaultAccount row;

  ba_account_mark_online (data->account);

  if (data->vault == NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&data->account), g_object_unref);
      return;
    }

  row = to_vault_account (data->account);
  ba_vault_save_account_async (data->vault, &row, NULL, login_saved_cb, g_object_ref (task));
}

static void
login_token_stored_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_secret_store_store_token_finish (BA_SECRET_STORE (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  login_finish_up (task);
}

static void
login_whoami_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoginData *data = g_task_get_task_data (task);
  g_autoptr(BaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  BaAccount *account;

  identity = ba_api_client_whoami_finish (BA_API_CLIENT (object), result, &error);
  if (identity == NULL)
    {
      if (data->with_token && g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN))
        {
          g_clear_error (&error);
          g_set_error_literal (&error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN,
                               _("The server did not accept this token. It may have been revoked, or belong to another server."));
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  account = account_new (data->client, data->secret_store, data->vault);
  data->account = account;
  account->id = g_strdup_printf ("%" G_GINT64_FORMAT "@%s", identity->user_id, account->server_url);
  apply_identity (account, identity);
  set_session (account, data->session);

  if (data->secret_store == NULL)
    {
      login_finish_up (task);
      return;
    }

  label = token_label (account);
  ba_secret_store_store_token_async (data->secret_store, account->id, label,
                                     ba_session_get_token (data->session),
                                     g_task_get_cancellable (task),
                                     login_token_stored_cb, g_object_ref (task));
}

/* Goes on with a login once the server has issued @token. A partial token
 * (2FA pending) stops it with BA_ERROR_TWO_FACTOR_REQUIRED; with
 * @offer_challenge, a BaLoginChallenge is attached to the task for
 * ba_login_challenge_from_result(). */
static void
login_continue (GTask      *task,
                const char *token,
                gboolean    offer_challenge)
{
  LoginData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->session = ba_session_new (token, &error);
  if (data->session == NULL)
    {
      g_debug ("The login answer is not a usable token: %s", error->message);
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                               "%s", _("The server sent an invalid session token."));
      return;
    }

  if (ba_session_get_two_factor_status (data->session) == BA_TWO_FACTOR_PENDING)
    {
      if (offer_challenge)
        {
          ba_api_client_set_token (data->client, token);
          g_object_set_data_full (G_OBJECT (task), BA_LOGIN_CHALLENGE_TASK_KEY,
                                  ba_login_challenge_new (data->client, data->session,
                                                          data->secret_store, data->vault),
                                  g_object_unref);
        }

      g_task_return_new_error (task, BA_ERROR, BA_ERROR_TWO_FACTOR_REQUIRED,
                               "%s", _("Enter the code from your authenticator app."));
      return;
    }

  ba_api_client_set_token (data->client, token);
  ba_api_client_whoami_async (data->client, g_task_get_cancellable (task),
                              login_whoami_cb, g_object_ref (task));
}

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(BaSecretString) token = NULL;
  g_autoptr(GError) error = NULL;

  token = ba_api_client_login_finish (BA_API_CLIENT (object), result, &error);
  if (token == NULL)
    {
      /* For ba_api_client_get_retry_after() on this login's result. */
      g_object_set_data (G_OBJECT (task), BA_API_CLIENT_RETRY_AFTER_KEY,
                         GUINT_TO_POINTER (ba_api_client_get_retry_after (result)));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  login_continue (task, token, TRUE);
}

/* Starts the rest of a login with a @token the server just issued on
 * @client; @source_tag names the public function for its _finish. */
static void
start_token_login (BaApiClient         *client,
                   const char          *token,
                   BaSecretStore       *secret_store,
                   BaVault             *vault,
                   gboolean             offer_challenge,
                   gpointer             source_tag,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoginData *data;

  g_return_if_fail (BA_IS_API_CLIENT (client));
  g_return_if_fail (token != NULL);
  g_return_if_fail (secret_store == NULL || BA_IS_SECRET_STORE (secret_store));
  g_return_if_fail (vault == NULL || BA_IS_VAULT (vault));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  data = g_new0 (LoginData, 1);
  data->client = g_object_ref (client);
  data->secret_store = secret_store != NULL ? g_object_ref (secret_store) : NULL;
  data->vault = vault != NULL ? g_object_ref (vault) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);

  login_continue (task, token, offer_challenge);
}

void
ba_account_open_with_token_async (BaApiClient         *client,
                                  const char          *token,
                                  BaSecretStore       *secret_store,
                                  BaVault             *vault,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  start_token_login (client, token, secret_store, vault, TRUE, ba_account_open_with_token_async,
                     cancellable, callback, user_data);
}

BaAccount *
ba_account_open_with_token_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_account_open_with_token_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_account_login_async (const char          *server_url,
                        const char          *username,
                        const char          *password,
                        BaSecretStore       *secret_store,
                        BaVault             *vault,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  LoginData *data;

  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (secret_store == NULL || BA_IS_SECRET_STORE (secret_store));
  g_return_if_fail (vault == NULL || BA_IS_VAULT (vault));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_login_async);

  data = g_new0 (LoginData, 1);
  data->secret_store = secret_store != NULL ? g_object_ref (secret_store) : NULL;
  data->vault = vault != NULL ? g_object_ref (vault) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);

  data->client = ba_api_client_new (server_url, &error);
  if (data->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ba_api_client_login_async (data->client, username, password, cancellable,
                             login_cb, g_steal_pointer (&task));
}

BaAccount *
ba_account_login_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_account_login_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Login with a token (issue 7): a session token or an API key someone
 * already has (balena login --token, the browser login, the balena CLI's
 * saved token) is checked with whoami before anything is stored. */

void
ba_account_login_with_token_async (const char          *server_url,
                                   const char          *token,
                                   BaSecretStore       *secret_store,
                                   BaVault             *vault,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) trimmed = NULL;
  LoginData *data;

  g_return_if_fail (token != NULL);
  g_return_if_fail (secret_store == NULL || BA_IS_SECRET_STORE (secret_store));
  g_return_if_fail (vault == NULL || BA_IS_VAULT (vault));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_login_with_token_async);

  data = g_new0 (LoginData, 1);
  data->secret_store = secret_store != NULL ? g_object_ref (secret_store) : NULL;
  data->vault = vault != NULL ? g_object_ref (vault) : NULL;
  data->with_token = TRUE;
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);

  data->client = ba_api_client_new (server_url, &error);
  if (data->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Pasted text often ends with a newline; the CLI trims it too. */
  trimmed = g_strstrip (g_strdup (token));
  if (*trimmed == '\0')
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_TOKEN,
                               "%s", _("Paste a session token or an API key."));
      return;
    }

  data->session = ba_session_new (trimmed, &error);
  if (data->session == NULL)
    {
      g_debug ("Not a usable token: %s", error->message);
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_TOKEN,
                               "%s", _("This is neither a session token nor an API key."));
      return;
    }

  if (!ba_session_is_api_key (data->session) &&
      ba_session_is_expired (data->session, now_seconds ()))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_TOKEN_EXPIRED,
                               "%s", _("This session token has expired. Log in again to get a new one."));
      return;
    }

  if (ba_session_get_two_factor_status (data->session) == BA_TWO_FACTOR_PENDING)
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_TWO_FACTOR_REQUIRED,
                               "%s", _("This session token still waits for a two-factor authentication code."));
      return;
    }

  ba_api_client_set_token (data->client, trimmed);
  ba_api_client_whoami_async (data->client, cancellable,
                              login_whoami_cb, g_steal_pointer (&task));
}

BaAccount *
ba_account_login_with_token_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_account_login_with_token_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Restore */

typedef struct
{
  BaSecretStore *secret_store;
  BaVault       *vault;
  BaAccount     *account;
} RestoreData;

static void
restore_data_free (RestoreData *data)
{
  g_clear_object (&data->secret_store);
  g_clear_object (&data->vault);
  g_clear_object (&data->account);
  g_free (data);
}

static void
restore_token_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RestoreData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = NULL;
  g_autoptr(BaSecretString) token = NULL;
  char *secret;

  secret = ba_secret_store_lookup_token_finish (BA_SECRET_STORE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Copied out of libsecret's memory so one free function fits all. */
  token = g_strdup (secret);
  secret_password_free (secret);

  if (token != NULL)
    {
      session = ba_session_new (token, &error);
      if (session == NULL)
        g_debug ("The stored token is not usable: %s", error->message);
    }

  if (session != NULL)
    set_session (data->account, session);

  /* Without a usable token the cached profile is still shown, read-only,
   * and the user is asked to log in again. */
  if (session == NULL || ba_session_is_expired (session, now_seconds ()))
    set_state (data->account, BA_ACCOUNT_STATE_LOGGED_OUT);

  g_task_return_pointer (task, g_steal_pointer (&data->account), g_object_unref);
}

static void
restore_keys_loaded_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RestoreData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = ba_vault_load_api_keys_finish (BA_VAULT (object), result, &error);
  if (keys == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      /* The profile is still worth showing; the keys come with the
       * next sync. */
      g_message ("Could not read the cached API keys: %s", error->message);
    }
  else
    ba_account_apply_api_keys (data->account, keys);

  if (data->secret_store == NULL)
    {
      set_state (data->account, BA_ACCOUNT_STATE_LOGGED_OUT);
      g_task_return_pointer (task, g_steal_pointer (&data->account), g_object_unref);
      return;
    }

  ba_secret_store_lookup_token_async (data->secret_store, data->account->id,
                                      g_task_get_cancellable (task),
                                      restore_token_cb, g_object_ref (task));
}

static void
restore_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RestoreData *data = g_task_get_task_data (task);
  g_autoptr(BaVaultAccount) row = NULL;
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(GError) error = NULL;
  BaAccount *account;

  row = ba_vault_load_last_account_finish (BA_VAULT (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (row == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  client = ba_api_client_new (row->server_url, &error);
  if (client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  account = account_new (client, data->secret_store, data->vault);
  data->account = account;
  account->id = g_strdup (row->id);
  account->username = g_strdup (row->username);
  account->email = g_strdup (row->email);
  account->user_id = row->user_id;
  account->actor_id = row->actor_id;
  account->last_synced_at = row->last_synced_at;
  account->last_used_at = row->last_used_at;

  /* The cached keys come before the token, so whatever the keyring says
   * the list is there to show. */
  ba_vault_load_api_keys_async (data->vault, account->id, g_task_get_cancellable (task),
                                restore_keys_loaded_cb, g_object_ref (task));
}

void
ba_account_restore_async (BaSecretStore       *secret_store,
                          BaVault             *vault,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RestoreData *data;

  g_return_if_fail (secret_store == NULL || BA_IS_SECRET_STORE (secret_store));
  g_return_if_fail (vault == NULL || BA_IS_VAULT (vault));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_restore_async);

  if (vault == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  data = g_new0 (RestoreData, 1);
  data->secret_store = secret_store != NULL ? g_object_ref (secret_store) : NULL;
  data->vault = g_object_ref (vault);
  g_task_set_task_data (task, data, (GDestroyNotify) restore_data_free);

  ba_vault_load_last_account_async (vault, cancellable, restore_loaded_cb, g_steal_pointer (&task));
}

BaAccount *
ba_account_restore_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_account_restore_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Getters */

const char *
ba_account_get_id (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), NULL);

  return self->id;
}

const char *
ba_account_get_server_url (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), NULL);

  return self->server_url;
}

const char *
ba_account_get_username (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), NULL);

  return self->username;
}

const char *
ba_account_get_email (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), NULL);

  return self->email;
}

gint64
ba_account_get_user_id (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), 0);

  return self->user_id;
}

BaAccountState
ba_account_get_state (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), BA_ACCOUNT_STATE_LOGGED_OUT);

  return self->state;
}

gint64
ba_account_get_offline_since (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), 0);

  return self->offline_since;
}

gint64
ba_account_get_last_synced_at (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), 0);

  return self->last_synced_at;
}

BaSession *
ba_account_get_session (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), NULL);

  return self->session;
}

BaApiClient *
ba_account_get_api_client (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), NULL);

  return self->client;
}

BaVault *
ba_account_get_vault (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), NULL);

  return self->vault;
}

GListModel *
ba_account_get_api_keys (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), NULL);

  return G_LIST_MODEL (self->api_keys);
}

gint64
ba_account_get_actor_id (BaAccount *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), 0);

  return self->actor_id;
}

gboolean
ba_account_check_task (BaAccount    *self,
                       GAsyncResult *result,
                       gpointer      source_tag)
{
  g_return_val_if_fail (BA_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return TRUE;
}

/* Replacing the token: parse it, keep it in the keyring, then swap it in.
 * Used by revalidate and refresh_token. */

typedef void (*AfterStoreFunc) (GTask *task);

static void refresh_done (GTask *task);

typedef struct
{
  BaSession      *session;
  AfterStoreFunc  after;
} ReplaceData;

static void
replace_data_free (ReplaceData *data)
{
  g_clear_object (&data->session);
  g_free (data);
}

static void
replace_token_stored_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  ReplaceData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The server already replaced the token; use the new one even if the
   * keyring failed, and report the keyring failure. */
  set_session (self, data->session);

  if (!ba_secret_store_store_token_finish (BA_SECRET_STORE (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->after (task);
}

static void
replace_token (GTask      *task,
               const char *token)
{
  BaAccount *self = g_task_get_source_object (task);
  ReplaceData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;

  data->session = ba_session_new (token, &error);
  if (data->session == NULL)
    {
      g_debug ("The refreshed token is not usable: %s", error->message);
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                               "%s", _("The server sent an invalid session token."));
      return;
    }

  if (self->secret_store == NULL)
    {
      set_session (self, data->session);
      data->after (task);
      return;
    }

  label = token_label (self);
  ba_secret_store_store_token_async (self->secret_store, self->id, label, token,
                                     g_task_get_cancellable (task),
                                     replace_token_stored_cb, g_object_ref (task));
}

void
ba_account_replace_token_async (BaAccount           *self,
                                const char          *token,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReplaceData *data;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_replace_token_async);
  data = g_new0 (ReplaceData, 1);
  data->after = refresh_done;
  g_task_set_task_data (task, data, (GDestroyNotify) replace_data_free);

  replace_token (task, token);
}

gboolean
ba_account_replace_token_finish (BaAccount     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_replace_token_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Revalidate */

static void
revalidate_fail (GTask  *task,
                 GError *error)
{
  BaAccount *self = g_task_get_source_object (task);

  if (ba_account_error_is_unreachable (error))
    {
      g_debug ("Server unreachable, account is offline: %s", error->message);
      mark_offline (self);
      g_error_free (error);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN))
    set_state (self, BA_ACCOUNT_STATE_LOGGED_OUT);

  g_task_return_error (task, error);
}

static void
revalidate_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* The account is online either way; a cache write failure is reported
   * so the app can say so, and nothing earlier was lost. */
  ba_vault_save_account_finish (BA_VAULT (object), result, &error);
  ba_account_task_return_boolean (task, error);
}

static void
revalidate_whoami_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  g_autoptr(BaIdentity) identity = NULL;
  GError *error = NULL;
  BaVaultAccount row;

  identity = ba_api_client_whoami_finish (BA_API_CLIENT (object), result, &error);
  if (identity == NULL)
    {
      revalidate_fail (task, error);
      return;
    }

  if (identity->user_id != self->user_id)
    {
      /* The token belongs to someone else than the cached account. */
      g_debug ("whoami answered user %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
               identity->user_id, self->user_id);
      revalidate_fail (task, g_error_new_literal (BA_ERROR, BA_ERROR_NOT_LOGGED_IN,
                                                  _("Your session has ended. Please log in again.")));
      return;
    }

  g_object_freeze_notify (G_OBJECT (self));
  apply_identity (self, identity);
  ba_account_mark_online (self);
  g_object_thaw_notify (G_OBJECT (self));

  if (self->vault == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  row = to_vault_account (self);
  ba_vault_save_account_async (self->vault, &row, NULL, revalidate_saved_cb, g_object_ref (task));
}

static void
revalidate_whoami (GTask *task)
{
  BaAccount *self = g_task_get_source_object (task);

  ba_api_client_whoami_async (self->client, g_task_get_cancellable (task),
                              revalidate_whoami_cb, g_object_ref (task));
}

static void
revalidate_refreshed_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(BaSecretString) token = NULL;
  GError *error = NULL;

  token = ba_api_client_refresh_token_finish (BA_API_CLIENT (object), result, &error);
  if (token == NULL)
    {
      revalidate_fail (task, error);
      return;
    }

  replace_token (task, token);
}

void
ba_account_revalidate_async (BaAccount           *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReplaceData *data;
  gint64 now = now_seconds ();

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_revalidate_async);
  data = g_new0 (ReplaceData, 1);
  data->after = revalidate_whoami;
  g_task_set_task_data (task, data, (GDestroyNotify) replace_data_free);

  /* No token, or one past its expiry: the server cannot accept it, so
   * there is no point in asking. */
  if (self->session == NULL || ba_session_is_expired (self->session, now))
    {
      set_state (self, BA_ACCOUNT_STATE_LOGGED_OUT);
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_NOT_LOGGED_IN,
                               "%s", _("Your session has expired. Please log in again."));
      return;
    }

  if (ba_session_needs_refresh (self->session, now))
    ba_api_client_refresh_token_async (self->client, NULL, cancellable,
                                       revalidate_refreshed_cb, g_steal_pointer (&task));
  else
    revalidate_whoami (task);
}

gboolean
ba_account_revalidate_finish (BaAccount     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_revalidate_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Refresh the token */

static void
refresh_done (GTask *task)
{
  g_task_return_boolean (task, TRUE);
}

static void
refresh_token_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  g_autoptr(BaSecretString) token = NULL;
  g_autoptr(GError) error = NULL;

  token = ba_api_client_refresh_token_finish (BA_API_CLIENT (object), result, &error);
  if (token == NULL)
    {
      if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN))
        set_state (self, BA_ACCOUNT_STATE_LOGGED_OUT);
      else if (ba_account_error_is_unreachable (error))
        mark_offline (self);

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  replace_token (task, token);
}

void
ba_account_refresh_token_async (BaAccount           *self,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReplaceData *data;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_refresh_token_async);
  data = g_new0 (ReplaceData, 1);
  data->after = refresh_done;
  g_task_set_task_data (task, data, (GDestroyNotify) replace_data_free);

  if (self->session == NULL)
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_NOT_LOGGED_IN,
                               "%s", _("You are not logged in."));
      return;
    }

  ba_api_client_refresh_token_async (self->client, password, cancellable,
                                     refresh_token_cb, g_steal_pointer (&task));
}

gboolean
ba_account_refresh_token_finish (BaAccount     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_refresh_token_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Logout */

typedef struct
{
  GError *error;   /* the first failure; the other step still runs */
} LogoutData;

static void
logout_data_free (LogoutData *data)
{
  g_clear_error (&data->error);
  g_free (data);
}

static void
logout_complete (GTask *task)
{
  BaAccount *self = g_task_get_source_object (task);
  LogoutData *data = g_task_get_task_data (task);

  g_object_freeze_notify (G_OBJECT (self));
  set_session (self, NULL);
  set_state (self, BA_ACCOUNT_STATE_LOGGED_OUT);
  g_object_thaw_notify (G_OBJECT (self));
  /* The vault forgot them too (the rows cascade with the account). */
  g_list_store_remove_all (self->api_keys);

  ba_account_task_return_boolean (task, g_steal_pointer (&data->error));
}

static void
logout_forgotten_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LogoutData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ba_vault_forget_account_finish (BA_VAULT (object), result, &error) && data->error == NULL)
    data->error = g_steal_pointer (&error);

  logout_complete (task);
}

static void
logout_forget (GTask *task)
{
  BaAccount *self = g_task_get_source_object (task);

  if (self->vault == NULL)
    {
      logout_complete (task);
      return;
    }

  ba_vault_forget_account_async (self->vault, self->id, NULL,
                                 logout_forgotten_cb, g_object_ref (task));
}

static void
logout_cleared_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LogoutData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ba_secret_store_clear_token_finish (BA_SECRET_STORE (object), result, &error))
    data->error = g_steal_pointer (&error);

  logout_forget (task);
}

void
ba_account_logout_async (BaAccount           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_logout_async);
  g_task_set_task_data (task, g_new0 (LogoutData, 1), (GDestroyNotify) logout_data_free);

  /* There is no server logout (account-api.md section 3): forgetting the
   * token is the logout. Neither step is cancellable, so a logout never
   * stops half-way. */
  if (self->secret_store == NULL)
    {
      logout_forget (task);
      return;
    }

  ba_secret_store_clear_token_async (self->secret_store, self->id, NULL,
                                     logout_cleared_cb, g_steal_pointer (&task));
}

gboolean
ba_account_logout_finish (BaAccount     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_logout_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Completing a login after the two-factor challenge (ba-account-private.h) */

void
ba_account_complete_login_async (BaApiClient         *client,
                                 const char          *token,
                                 BaSecretStore       *secret_store,
                                 BaVault             *vault,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  start_token_login (client, token, secret_store, vault, FALSE, ba_account_complete_login_async,
                     cancellable, callback, user_data);
}

BaAccount *
ba_account_complete_login_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_account_complete_login_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
