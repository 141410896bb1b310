/* ba-login-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-login-page"

#include "config.h"

#include "ba-login-page-private.h"

#include "ba-account.h"
#include "ba-api-client.h"
#include "ba-api-error.h"
#include "ba-application.h"
#include "ba-challenge-page.h"
#include "ba-error.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaLoginPage, ba_login_page, ADW_TYPE_BIN)

enum {
  SIGNAL_LOGGED_IN,
  SIGNAL_BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_balena_cloud_url (const char *url)
{
  gsize len = strlen (BA_BALENA_CLOUD_API_URL);

  /* Accept the address with or without a trailing slash. */
  return strncmp (url, BA_BALENA_CLOUD_API_URL, len) == 0 &&
         (url[len] == '\0' || (url[len] == '/' && url[len + 1] == '\0'));
}

static void
set_server (BaLoginPage *self,
            const char  *url)
{
  if (url == NULL || *url == '\0' || is_balena_cloud_url (url))
    {
      adw_combo_row_set_selected (self->server_row, BA_LOGIN_SERVER_BALENA_CLOUD);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->server_url_row), url);
  adw_combo_row_set_selected (self->server_row, BA_LOGIN_SERVER_CUSTOM);
}

static gboolean
is_custom_server (BaLoginPage *self)
{
  return adw_combo_row_get_selected (self->server_row) == BA_LOGIN_SERVER_CUSTOM;
}

/* The address the user chose, or NULL when the custom one is empty. A bare
 * host name gets https:// in front, the only scheme that works for it. */
static char *
dup_server_url (BaLoginPage *self)
{
  g_autofree char *text = NULL;

  if (!is_custom_server (self))
    return g_strdup (BA_BALENA_CLOUD_API_URL);

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_url_row))));
  if (*text == '\0')
    return NULL;

  if (strstr (text, "://") == NULL)
    return g_strconcat ("https://", text, NULL);

  return g_steal_pointer (&text);
}

static char *
dup_username (BaLoginPage *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
}

/* Whole seconds left of the server's wait at @now (real time, µs),
 * rounded up; 0 once it is over. */
static guint64
wait_seconds_left (BaLoginPage *self,
                   gint64       now)
{
  if (self->wait_username == NULL || self->wait_until <= now)
    return 0;

  return (guint64) ((self->wait_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

/* Whether the form names the server and username the server asked to
 * wait for, and the wait is not over. */
static gboolean
is_waiting (BaLoginPage *self,
            gint64       now)
{
  g_autofree char *url = NULL;
  g_autofree char *username = NULL;

  if (wait_seconds_left (self, now) == 0)
    return FALSE;

  url = dup_server_url (self);
  username = dup_username (self);

  return g_strcmp0 (url, self->wait_server_url) == 0 &&
         g_strcmp0 (username, self->wait_username) == 0;
}

static gboolean
can_submit (BaLoginPage *self)
{
  g_autofree char *url = NULL;
  g_autofree char *username = NULL;

  if (self->busy || is_waiting (self, g_get_real_time ()))
    return FALSE;

  url = dup_server_url (self);
  username = dup_username (self);

  return url != NULL &&
         *username != '\0' &&
         *gtk_editable_get_text (GTK_EDITABLE (self->password_row)) != '\0';
}

static void
update_login_button (BaLoginPage *self)
{
  /* While a login runs the button is Cancel, and always works. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->login_button), self->busy || can_submit (self));
}

static void
set_busy (BaLoginPage *self,
          gboolean     busy)
{
  self->busy = !!busy;

  /* A slow or silent server would otherwise hold the form until the
   * client's timeout: while busy, Log In is Cancel (and so is Escape). */
  gtk_label_set_text_with_mnemonic (self->login_label, busy ? _("_Cancel") : _("_Log In"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->login_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, busy ? _("Cancel") : _("Log In"),
                                  -1);
  if (busy)
    gtk_widget_remove_css_class (GTK_WIDGET (self->login_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->login_button), "suggested-action");

  gtk_widget_set_visible (GTK_WIDGET (self->login_spinner), busy);
  gtk_spinner_set_spinning (self->login_spinner, busy);
  update_login_button (self);

  /* The focus goes to Cancel before the form turns insensitive: GTK 4.8
   * complains when a focused text field is made insensitive, and Escape
   * only reaches the page while the focus is inside it. */
  if (busy && gtk_widget_get_mapped (GTK_WIDGET (self->login_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->login_button));

  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_url_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  ba_login_extras_set_sensitive (self->extras, !busy);
}

/* Stops the login that is running. Its answer, should it still come, is
 * dropped: login_cb() sees its request's cancellable cancelled. */
static void
cancel_login (BaLoginPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, FALSE);
}

/* Space kept between the error label and the edge of the visible area. */
#define ERROR_MARGIN 12

/* Scrolls as little as needed for the whole error label to be visible:
 * with the demo credentials shown, or in a small window, it can sit below
 * the fold, and then the user sees a red field and no reason. */
static void
scroll_to_error (BaLoginPage *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  double visible = gtk_widget_get_height (GTK_WIDGET (self->scrolled_window));
  double top, bottom, delta = 0;
  graphene_rect_t bounds;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self->error_label)) ||
      !gtk_widget_compute_bounds (GTK_WIDGET (self->error_label),
                                  GTK_WIDGET (self->scrolled_window),
                                  &bounds))
    return;

  top = bounds.origin.y - ERROR_MARGIN;
  bottom = bounds.origin.y + bounds.size.height + ERROR_MARGIN;

  if (bottom > visible)
    delta = bottom - visible;
  /* A label taller than the window shows its beginning. */
  if (top - delta < 0)
    delta = top;

  if (delta != 0)
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + delta);
}

static gboolean
error_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  BaLoginPage *self = BA_LOGIN_PAGE (widget);

  /* Tick callbacks run before a frame's layout: at the first one the
   * label that was just shown has no place yet, at the second it has. */
  if (++self->error_ticks < 2)
    return G_SOURCE_CONTINUE;

  self->error_tick = 0;
  scroll_to_error (self);

  return G_SOURCE_REMOVE;
}

/* Brings the error label into view once it has been laid out. */
static void
reveal_error (BaLoginPage *self)
{
  self->error_ticks = 0;
  if (self->error_tick == 0)
    self->error_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), error_tick_cb, NULL, NULL);
}

static void
set_row_error (AdwEntryRow *row,
               gboolean     is_error)
{
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");

  gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               is_error ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

static void
clear_error (BaLoginPage *self)
{
  self->showing_wait = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_label_set_text (self->error_label, "");

  set_row_error (self->server_url_row, FALSE);
  set_row_error (self->username_row, FALSE);
  set_row_error (ADW_ENTRY_ROW (self->password_row), FALSE);
}

static void
focus_row (AdwEntryRow *row)
{
  gtk_widget_grab_focus (GTK_WIDGET (row));
  gtk_editable_select_region (GTK_EDITABLE (row), 0, -1);
}

static void
focus_first_empty_row (BaLoginPage *self)
{
  if (is_custom_server (self) &&
      *gtk_editable_get_text (GTK_EDITABLE (self->server_url_row)) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->server_url_row));
  else if (*gtk_editable_get_text (GTK_EDITABLE (self->username_row)) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

/* Shows @error under the form and marks the field that most likely needs
 * fixing. Nothing the user typed is cleared. */
static void
show_error (BaLoginPage  *self,
            const GError *error)
{
  g_autofree char *message = NULL;
  AdwEntryRow *row = NULL;

  if (error->domain == BA_ERROR)
    message = g_strdup (error->message);
  else
    /* Translators: %s is a technical error message. */
    message = g_strdup_printf (_("Could not log in: %s"), error->message);

  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);

  if (error->domain == BA_ERROR)
    {
      switch ((BaError) error->code)
        {
        case BA_ERROR_WRONG_CREDENTIALS:
          row = ADW_ENTRY_ROW (self->password_row);
          break;

        case BA_ERROR_INSECURE_URL:
        case BA_ERROR_OFFLINE:
        case BA_ERROR_TIMEOUT:
        case BA_ERROR_INVALID_RESPONSE:
        case BA_ERROR_NOT_SUPPORTED:
          if (is_custom_server (self))
            row = self->server_url_row;
          break;

        case BA_ERROR_FAILED:
        case BA_ERROR_INVALID_INPUT:
        case BA_ERROR_NOT_LOGGED_IN:
        case BA_ERROR_FRESH_AUTH_REQUIRED:
        case BA_ERROR_TWO_FACTOR_REQUIRED:
        case BA_ERROR_PERMISSION_DENIED:
        case BA_ERROR_NOT_FOUND:
        case BA_ERROR_CONFLICT:
        case BA_ERROR_TOO_MANY_ATTEMPTS:
        case BA_ERROR_SERVER:
        case BA_ERROR_INVALID_TOKEN:
        case BA_ERROR_TOKEN_EXPIRED:
        case BA_ERROR_WEAK_PASSWORD:
        case BA_ERROR_VAULT:
        case BA_ERROR_KEYRING:
        default:
          break;
        }
    }

  if (row != NULL)
    {
      set_row_error (row, TRUE);
      focus_row (row);
    }
  else
    focus_first_empty_row (self);

  reveal_error (self);
}

/* How often the countdown's text is brought up to date, in seconds, with
 * @left seconds to go: ba_api_error_format_wait() gives seconds under a
 * minute, minutes up to 59 minutes, else hours, all rounded up. Every
 * second in the last minute, on each minute's change below the hour, and
 * at least once a minute above it (an hour-long wait is rare and this is
 * cheap), so the text is never behind by more than a minute. */
static guint64
wait_next_change (guint64 left)
{
  if (left <= 60)
    return 1;
  if (left <= 60 * 60)
    return ((left - 1) % 60) + 1;

  return MIN (60, left - 60 * 60);
}

static gboolean wait_tick_cb (gpointer user_data);

/* Brings the wait up to date from the stored deadline and the clock: the
 * countdown while the form names the waiting server and username, Log In
 * back once the wait is over or the form names someone else. */
static void
update_wait (BaLoginPage *self)
{
  gint64 now = g_get_real_time ();
  guint64 left = wait_seconds_left (self, now);

  g_clear_handle_id (&self->wait_source, g_source_remove);

  if (left == 0)
    {
      g_clear_pointer (&self->wait_server_url, g_free);
      g_clear_pointer (&self->wait_username, g_free);
    }

  if (left > 0 && is_waiting (self, now))
    {
      g_autofree char *message = ba_api_error_format_wait (left);

      /* Only a changed text is set, so a screen reader is not told the
       * same thing every second. */
      if (g_strcmp0 (gtk_label_get_text (self->error_label), message) != 0)
        gtk_label_set_text (self->error_label, message);
      if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
        {
          gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
          reveal_error (self);
        }
      self->showing_wait = TRUE;
    }
  else if (self->showing_wait)
    {
      self->showing_wait = FALSE;
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
      gtk_label_set_text (self->error_label, "");
    }

  if (left > 0)
    {
      /* Wake up just after the moment the text changes. */
      guint64 step = wait_next_change (left);
      gint64 at = self->wait_until - (gint64) (left - step) * G_USEC_PER_SEC;

      self->wait_source = g_timeout_add ((guint) ((at - now) / 1000 + 1), wait_tick_cb, self);
    }

  update_login_button (self);
}

static gboolean
wait_tick_cb (gpointer user_data)
{
  BaLoginPage *self = user_data;

  self->wait_source = 0;
  update_wait (self);

  return G_SOURCE_REMOVE;
}

static void
start_wait (BaLoginPage *self,
            const char  *url,
            const char  *username,
            guint        seconds)
{
  g_free (self->wait_server_url);
  self->wait_server_url = g_strdup (url);
  g_free (self->wait_username);
  self->wait_username = g_strdup (username);
  self->wait_until = g_get_real_time () + (gint64) seconds * G_USEC_PER_SEC;

  update_wait (self);
}

/* One login request. Its own cancellable tells whether the answer still
 * matters: the page may have been reset or disposed since. */
typedef struct
{
  BaLoginPage  *self;
  GCancellable *cancellable;
  char         *url;        /* what the request was for, for a wait */
  char         *username;
} LoginRequest;

static void
login_request_free (LoginRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->cancellable);
  g_free (request->url);
  g_free (request->username);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoginRequest, login_request_free)

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(LoginRequest) request = user_data;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  BaLoginPage *self = request->self;

  account = ba_account_login_finish (result, &error);

  if (g_cancellable_is_cancelled (request->cancellable))
    return;

  set_busy (self, FALSE);

  if (account == NULL && g_error_matches (error, BA_ERROR, BA_ERROR_TWO_FACTOR_REQUIRED))
    {
      g_autoptr(BaLoginChallenge) challenge = ba_login_challenge_from_result (result);

      /* The password was right: on to the code (ba-challenge-page.c). */
      if (challenge != NULL)
        {
          g_settings_set_string (self->settings, "last-server-url",
                                 is_custom_server (self) ? ba_login_challenge_get_server_url (challenge) : "");
          gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
          ba_challenge_page_present (self, challenge);
          return;
        }
    }

  if (account == NULL)
    {
      g_debug ("Login failed: %s", error->message);
      show_error (self, error);

      /* The server said how long to wait: hold Log In for this server
       * and username until then, counting down. */
      if (g_error_matches (error, BA_ERROR, BA_ERROR_TOO_MANY_ATTEMPTS) &&
          ba_api_client_get_retry_after (result) > 0)
        start_wait (self, request->url, request->username, ba_api_client_get_retry_after (result));
      return;
    }

  /* The custom address is offered again next time; it is not a secret. */
  g_settings_set_string (self->settings, "last-server-url",
                         is_custom_server (self) ? ba_account_get_server_url (account) : "");

  /* The password has done its job; do not keep it in the widget. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), FALSE);

  g_signal_emit (self, signals[SIGNAL_LOGGED_IN], 0, account);
}

static void
submit (BaLoginPage *self)
{
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *username = NULL;
  LoginRequest *request;

  if (!can_submit (self))
    return;

  clear_error (self);

  url = dup_server_url (self);
  username = dup_username (self);

  /* The client refuses plain http:// to other hosts than this computer;
   * asking it first means such an address is refused before anything,
   * least of all the password, is sent. */
  client = ba_api_client_new (url, &error);
  if (client == NULL)
    {
      show_error (self, error);
      return;
    }

  set_busy (self, TRUE);

  request = g_new0 (LoginRequest, 1);
  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (self->cancellable);
  request->url = g_strdup (url);
  request->username = g_strdup (username);

  ba_account_login_async (url,
                          username,
                          gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                          self->secret_store,
                          self->vault,
                          self->cancellable,
                          login_cb,
                          request);
}

/* The other ways in (browser, token, balena CLI) live in BaLoginExtras. */
static char *
extras_server_func (gpointer user_data)
{
  return dup_server_url (BA_LOGIN_PAGE (user_data));
}

static void
extras_logged_in_cb (BaLoginPage *self,
                     BaAccount   *account)
{
  /* A password login still running is overtaken. */
  if (self->busy)
    cancel_login (self);

  g_settings_set_string (self->settings, "last-server-url",
                         is_custom_server (self) ? ba_account_get_server_url (account) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  clear_error (self);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), FALSE);

  g_signal_emit (self, signals[SIGNAL_LOGGED_IN], 0, account);
}

/* The balena CLI's settings name a server: preselect it, as the CLI
 * would use it, unless the user has started filling in the form. */
static void
extras_server_suggested_cb (BaLoginPage *self,
                            const char  *url)
{
  if (self->busy || *gtk_editable_get_text (GTK_EDITABLE (self->username_row)) != '\0')
    return;

  set_server (self, url);
}

static void
server_row_selected_cb (BaLoginPage *self)
{
  gboolean custom = is_custom_server (self);

  gtk_widget_set_visible (GTK_WIDGET (self->server_url_row), custom);
  if (custom && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->server_url_row));

  update_wait (self);
}

static void
entry_changed_cb (BaLoginPage *self,
                  GtkEditable *editable)
{
  set_row_error (ADW_ENTRY_ROW (editable), FALSE);
  update_wait (self);
}

static void
entry_activated_cb (BaLoginPage *self,
                    AdwEntryRow *row)
{
  /* Enter submits when the form is complete, and otherwise moves on to
   * the field that still needs filling in. */
  if (can_submit (self))
    submit (self);
  else if (!self->busy)
    focus_first_empty_row (self);
}

static void
login_button_clicked_cb (BaLoginPage *self,
                         GtkButton   *button)
{
  if (!self->busy)
    {
      submit (self);
      return;
    }

  /* Cancel: the form is back as it was, without an error. */
  cancel_login (self);
  focus_first_empty_row (self);
}

static void
back_button_clicked_cb (BaLoginPage *self,
                        GtkButton   *button)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static gboolean
is_set (const char *value)
{
  return value != NULL && *value != '\0';
}

/* BALENA_ACCOUNTS_DEMO_EMAIL, _USERNAME (optional) and _PASSWORD, from
 * build-aux/demo: shown in the box, and Fill In puts them in the form.
 * Returns whether there were any. */
static gboolean
show_demo_credentials (BaLoginPage *self)
{
  const char *email = g_getenv ("BALENA_ACCOUNTS_DEMO_EMAIL");
  const char *username = g_getenv ("BALENA_ACCOUNTS_DEMO_USERNAME");
  const char *password = g_getenv ("BALENA_ACCOUNTS_DEMO_PASSWORD");

  if (!is_set (password) || (!is_set (email) && !is_set (username)))
    return FALSE;

  gtk_label_set_text (self->demo_email_label, is_set (email) ? email : "");
  gtk_widget_set_visible (self->demo_email_caption, is_set (email));
  gtk_widget_set_visible (GTK_WIDGET (self->demo_email_label), is_set (email));
  gtk_label_set_text (self->demo_username_label, is_set (username) ? username : "");
  gtk_widget_set_visible (self->demo_username_caption, is_set (username));
  gtk_widget_set_visible (GTK_WIDGET (self->demo_username_label), is_set (username));
  gtk_label_set_text (self->demo_password_label, password);

  gtk_widget_set_visible (self->demo_grid, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->demo_fill_button), TRUE);
  gtk_widget_set_visible (self->demo_hint_box, TRUE);

  return TRUE;
}

static void
demo_fill_button_clicked_cb (BaLoginPage *self,
                             GtkButton   *button)
{
  const char *username = gtk_label_get_text (self->demo_username_label);

  if (self->busy)
    return;

  /* The username when there is one: it is what the form asks for first. */
  if (*username == '\0')
    username = gtk_label_get_text (self->demo_email_label);

  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row),
                         gtk_label_get_text (self->demo_password_label));

  /* Ready to log in: Enter or Space does it. */
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->login_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->login_button));
  else
    focus_first_empty_row (self);
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  BaLoginPage *self = BA_LOGIN_PAGE (widget);

  /* While a login runs, Escape cancels it, as the Cancel button does. */
  if (self->busy)
    {
      cancel_login (self);
      focus_first_empty_row (self);
      return;
    }

  /* Escape leaves the form only when there is somewhere to go back to. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->back_button)))
    g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static void
ba_login_page_dispose (GObject *object)
{
  BaLoginPage *self = BA_LOGIN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->wait_source, g_source_remove);
  if (self->error_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->error_tick);
      self->error_tick = 0;
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_LOGIN_PAGE);

  g_clear_object (&self->secret_store);
  g_clear_object (&self->vault);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ba_login_page_parent_class)->dispose (object);
}

static void
ba_login_page_finalize (GObject *object)
{
  BaLoginPage *self = BA_LOGIN_PAGE (object);

  g_clear_object (&self->cancellable);
  g_free (self->wait_server_url);
  g_free (self->wait_username);

  G_OBJECT_CLASS (ba_login_page_parent_class)->finalize (object);
}

static void
ba_login_page_class_init (BaLoginPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_login_page_dispose;
  object_class->finalize = ba_login_page_finalize;

  /**
   * BaLoginPage::logged-in:
   * @account: the BaAccount that just logged in
   */
  signals[SIGNAL_LOGGED_IN] =
    g_signal_new ("logged-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BA_TYPE_ACCOUNT);

  signals[SIGNAL_BACK] =
    g_signal_new ("back",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "login.go-back", NULL, go_back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "login.go-back", NULL);

  g_type_ensure (BA_TYPE_LOGIN_EXTRAS);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-login-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, header_bar);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, app_icon);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, keyring_revealer);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, server_url_row);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, login_button);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, login_label);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, login_spinner);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, demo_hint_box);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, demo_hint_label);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, demo_grid);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, demo_email_caption);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, demo_email_label);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, demo_username_caption);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, demo_username_label);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, demo_password_label);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, demo_fill_button);
  gtk_widget_class_bind_template_child (widget_class, BaLoginPage, extras);
  gtk_widget_class_bind_template_callback (widget_class, extras_logged_in_cb);
  gtk_widget_class_bind_template_callback (widget_class, extras_server_suggested_cb);
  gtk_widget_class_bind_template_callback (widget_class, server_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, login_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, demo_fill_button_clicked_cb);
}

static void
ba_login_page_init (BaLoginPage *self)
{
  const char *env_url;
  const char *demo_hint;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (BA_SETTINGS_SCHEMA_ID);

  gtk_image_set_from_icon_name (self->app_icon, APP_ID);
  ba_login_extras_set_server_func (self->extras, extras_server_func, self);

  /* BALENARC_API_URL is what the balena CLI and SDK read to pick a
   * server; when it is set, it wins over the address used last time. */
  env_url = g_getenv ("BALENARC_API_URL");
  if (env_url != NULL && *env_url != '\0')
    set_server (self, env_url);
  else
    {
      g_autofree char *last_url = g_settings_get_string (self->settings, "last-server-url");

      set_server (self, last_url);
    }

  /* The demo command starts a local server and says how to log in to it:
   * the credentials one by one (with Fill In), or a hint as plain text. */
  demo_hint = g_getenv ("BALENA_ACCOUNTS_DEMO_HINT");
  if (!show_demo_credentials (self) && demo_hint != NULL && *demo_hint != '\0')
    {
      gtk_label_set_text (self->demo_hint_label, demo_hint);
      gtk_widget_set_visible (GTK_WIDGET (self->demo_hint_label), TRUE);
      gtk_widget_set_visible (self->demo_hint_box, TRUE);
    }

  server_row_selected_cb (self);
}

void
ba_login_page_set_storage (BaLoginPage   *self,
                           BaSecretStore *secret_store,
                           BaVault       *vault)
{
  g_return_if_fail (BA_IS_LOGIN_PAGE (self));
  g_return_if_fail (secret_store == NULL || BA_IS_SECRET_STORE (secret_store));
  g_return_if_fail (vault == NULL || BA_IS_VAULT (vault));

  g_set_object (&self->secret_store, secret_store);
  g_set_object (&self->vault, vault);
  ba_login_extras_set_storage (self->extras, secret_store, vault);
}

void
ba_login_page_set_keyring_notice_visible (BaLoginPage *self,
                                          gboolean     visible)
{
  g_return_if_fail (BA_IS_LOGIN_PAGE (self));

  gtk_revealer_set_reveal_child (self->keyring_revealer, visible);
}

/**
 * ba_login_page_reset:
 * @server_url: (nullable): the server to select, or %NULL to keep the choice
 * @username: (nullable): the username to fill in
 * @can_go_back: whether to offer a way back to the saved account
 *
 * Prepares the form for a new login: the password and any error are
 * cleared.
 */
void
ba_login_page_reset (BaLoginPage *self,
                     const char  *server_url,
                     const char  *username,
                     gboolean     can_go_back)
{
  g_return_if_fail (BA_IS_LOGIN_PAGE (self));

  cancel_login (self);
  ba_challenge_page_dismiss (self);

  if (server_url != NULL)
    set_server (self, server_url);

  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username != NULL ? username : "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  clear_error (self);
  /* A wait the server asked for still holds for the same username. */
  update_wait (self);

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), can_go_back);
}

void
ba_login_page_focus (BaLoginPage *self)
{
  g_return_if_fail (BA_IS_LOGIN_PAGE (self));

  focus_first_empty_row (self);
}

char *
ba_login_page_dup_server_url (BaLoginPage *self)
{
  g_return_val_if_fail (BA_IS_LOGIN_PAGE (self), NULL);

  return dup_server_url (self);
}

char *
ba_login_page_dup_username (BaLoginPage *self)
{
  g_return_val_if_fail (BA_IS_LOGIN_PAGE (self), NULL);

  return dup_username (self);
}
