/* ba-account-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-account-page"

#include "config.h"

#include "ba-account-page-private.h"
#include "ba-date-format.h"
#include "ba-two-factor-page.h"

#include "ba-error.h"
#include "ba-session.h"
#include "ba-window.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaAccountPage, ba_account_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ACCOUNT,
  N_PROPS
};

enum {
  SIGNAL_LOGGED_OUT,
  SIGNAL_LOGIN_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* How often the relative times ("in 6 days") are brought up to date. */
#define CLOCK_INTERVAL_SECONDS 30

static void
toast (BaAccountPage *self,
       const char    *message)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), BA_TYPE_WINDOW);

  if (window != NULL)
    ba_window_add_toast (BA_WINDOW (window), message);
  else
    g_message ("%s", message);
}

static void
update_profile (BaAccountPage *self)
{
  const char *username = "";
  const char *email = NULL;
  const char *server_url = "";

  if (self->account != NULL)
    {
      username = ba_account_get_username (self->account);
      email = ba_account_get_email (self->account);
      server_url = ba_account_get_server_url (self->account);
    }

  if (username == NULL)
    username = "";
  if (server_url == NULL)
    server_url = "";

  adw_avatar_set_text (self->avatar, username);
  gtk_label_set_text (self->name_label, username);
  gtk_label_set_text (self->caption_label,
                      email != NULL && *email != '\0' ? email : server_url);

  adw_action_row_set_subtitle (self->username_row, username);
  adw_action_row_set_subtitle (self->email_row,
                               email != NULL && *email != '\0' ? email : _("None"));
  adw_action_row_set_subtitle (self->server_row, server_url);
}

/* The token itself is never shown here, only when it was issued and when it
 * runs out. */
static void
update_session (BaAccountPage *self)
{
  BaSession *session = NULL;
  g_autofree char *issued = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *description = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  BaClockFormat clock_format = ba_date_format_get_clock_format ();

  if (self->account != NULL)
    session = ba_account_get_session (self->account);

  if (session == NULL)
    {
      issued = g_strdup (_("Unknown"));
      expires = g_strdup (_("Unknown"));
    }
  else if (ba_session_is_api_key (session))
    {
      /* An API key carries no dates. */
      issued = g_strdup (_("Unknown"));
      expires = g_strdup (_("Never"));
      description = g_strdup (_("An API key stays valid until it is revoked or reaches its expiry date."));
    }
  else
    {
      gint64 issued_at = ba_session_get_issued_at (session);
      gint64 expires_at = ba_session_get_expires_at (session);

      issued = issued_at > 0 ? ba_date_format_date_time (issued_at, clock_format) : g_strdup (_("Unknown"));
      if (expires_at > 0)
        {
          expires = ba_date_format_date_time (expires_at, clock_format);
          relative = ba_date_format_expiry (expires_at, now);
        }
      else
        expires = g_strdup (_("Never"));

      /* The server decides how long its tokens last: say what this one
       * was given rather than balenaCloud's usual span. */
      if (issued_at > 0 && expires_at > issued_at)
        {
          g_autofree char *span = ba_date_format_duration (expires_at - issued_at);

          /* Translators: %s is a length of time, as in "7 days". */
          description = g_strdup_printf (_("The session token stays valid for %s and is renewed while you use the app."),
                                         span);
        }
    }

  adw_action_row_set_subtitle (self->issued_row, issued);
  adw_action_row_set_subtitle (self->expires_row, expires);
  adw_preferences_group_set_description (self->session_group, description);

  gtk_label_set_text (self->expires_relative_label, relative != NULL ? relative : "");
  gtk_widget_set_visible (GTK_WIDGET (self->expires_relative_label), relative != NULL);
  if (session != NULL && !ba_session_is_api_key (session) && ba_session_is_expired (session, now))
    gtk_widget_add_css_class (GTK_WIDGET (self->expires_relative_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->expires_relative_label), "error");
}

static void
set_retrying (BaAccountPage *self,
              gboolean       retrying)
{
  self->retrying = !!retrying;

  gtk_widget_set_visible (GTK_WIDGET (self->notice_spinner), retrying);
  gtk_spinner_set_spinning (self->notice_spinner, retrying);
  gtk_widget_set_sensitive (GTK_WIDGET (self->notice_button), !retrying);
}

static void
update_notice (BaAccountPage *self)
{
  BaAccountState state = BA_ACCOUNT_STATE_ONLINE;
  g_autofree char *message = NULL;
  const char *button_label = NULL;
  const char *button_description = NULL;

  if (self->account != NULL)
    state = ba_account_get_state (self->account);

  switch (state)
    {
    case BA_ACCOUNT_STATE_OFFLINE:
      {
        /* The age of what is on screen matters more to the user than
         * when the connection was lost. */
        gint64 since = ba_account_get_last_synced_at (self->account);

        if (since > 0)
          {
            gint64 now = g_get_real_time () / G_USEC_PER_SEC;
            g_autofree char *time = ba_date_format_since (since, now, ba_date_format_get_clock_format ());

            /* Translators: %s is a time or a date and time. */
            message = g_strdup_printf (_("Offline — showing data from %s"), time);
          }
        else
          message = g_strdup (_("Offline — showing saved data"));

        button_label = _("_Retry");
        button_description = _("Try to reach the server again");
        gtk_widget_remove_css_class (self->notice_box, "error");
      }
      break;

    case BA_ACCOUNT_STATE_LOGGED_OUT:
      message = g_strdup (_("Session expired — log in again"));
      button_label = _("_Log In…");
      button_description = _("Log in again to this account");
      gtk_widget_add_css_class (self->notice_box, "error");
      break;

    case BA_ACCOUNT_STATE_CACHED:
    case BA_ACCOUNT_STATE_ONLINE:
    default:
      break;
    }

  if (message != NULL)
    {
      gtk_label_set_text (self->notice_label, message);
      gtk_label_set_text_with_mnemonic (self->notice_button_label, button_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->notice_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, gtk_label_get_text (self->notice_button_label),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, button_description,
                                      -1);
    }

  gtk_revealer_set_reveal_child (self->notice_revealer, message != NULL);
}

static void
update_all (BaAccountPage *self)
{
  update_profile (self);
  update_session (self);
  update_notice (self);
}

static gboolean
clock_tick_cb (gpointer user_data)
{
  BaAccountPage *self = user_data;

  update_session (self);

  return G_SOURCE_CONTINUE;
}

static void
update_switcher_bar (BaAccountPage *self)
{
  g_autoptr(GtkSelectionModel) pages = NULL;
  gboolean several;

  /* With a single tab a switcher would be a lone button: show the title
   * instead, and the bottom bar only at narrow widths with several tabs. */
  pages = adw_view_stack_get_pages (self->view_stack);
  several = g_list_model_get_n_items (G_LIST_MODEL (pages)) > 1;

  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, several);
  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    several && adw_view_switcher_title_get_title_visible (self->switcher_title));
}

/* One request on behalf of the page. Its own cancellable tells whether the
 * answer still matters: the page may have moved on to another account. */
typedef struct
{
  BaAccountPage *self;
  GCancellable  *cancellable;
  gboolean       quiet;   /* started by the app, not by the user */
} Request;

static Request *
request_new (BaAccountPage *self,
             gboolean       quiet)
{
  Request *request = g_new0 (Request, 1);

  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (self->cancellable);
  request->quiet = quiet;

  return request;
}

static void
request_free (Request *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->cancellable);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
revalidate_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(GError) error = NULL;
  BaAccountPage *self = request->self;
  gboolean ok;

  ok = ba_account_revalidate_finish (BA_ACCOUNT (object), result, &error);

  if (g_cancellable_is_cancelled (request->cancellable))
    return;

  set_retrying (self, FALSE);

  if (ok)
    {
      if (ba_account_get_state (BA_ACCOUNT (object)) == BA_ACCOUNT_STATE_ONLINE)
        toast (self, _("Back online"));
      else if (!request->quiet)
        toast (self, _("The server still cannot be reached"));
    }
  else if (!g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN))
    toast (self, error->message);
}

static void
retry (BaAccountPage *self,
       gboolean       quiet)
{
  set_retrying (self, TRUE);
  ba_account_revalidate_async (self->account,
                               self->cancellable,
                               revalidate_cb,
                               request_new (self, quiet));
}

static void
network_changed_cb (BaAccountPage   *self,
                    gboolean         available,
                    GNetworkMonitor *monitor)
{
  /* The connection came back: try the server again without being asked. */
  if (available &&
      self->account != NULL &&
      !self->retrying &&
      ba_account_get_state (self->account) == BA_ACCOUNT_STATE_OFFLINE)
    retry (self, TRUE);
}

static void
notice_button_clicked_cb (BaAccountPage *self,
                          GtkButton     *button)
{
  g_return_if_fail (self->account != NULL);

  switch (ba_account_get_state (self->account))
    {
    case BA_ACCOUNT_STATE_OFFLINE:
      if (self->retrying)
        return;
      retry (self, FALSE);
      break;

    case BA_ACCOUNT_STATE_LOGGED_OUT:
      g_signal_emit (self, signals[SIGNAL_LOGIN_REQUESTED], 0);
      break;

    case BA_ACCOUNT_STATE_CACHED:
    case BA_ACCOUNT_STATE_ONLINE:
    default:
      break;
    }
}

static void
logout_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(GError) error = NULL;
  BaAccountPage *self = request->self;
  gboolean ok;

  ok = ba_account_logout_finish (BA_ACCOUNT (object), result, &error);

  if (g_cancellable_is_cancelled (request->cancellable))
    return;

  self->logging_out = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.logout", self->account != NULL);

  if (!ok)
    {
      g_warning ("Could not log out: %s", error->message);
      toast (self, error->message);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_LOGGED_OUT], 0);
}

static void
logout_dialog_response_cb (BaAccountPage    *self,
                           const char       *response,
                           AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "logout") != 0 || self->account == NULL || self->logging_out)
    return;

  self->logging_out = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.logout", FALSE);

  ba_account_logout_async (self->account,
                           self->cancellable,
                           logout_cb,
                           request_new (self, FALSE));
}

static void
logout_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BaAccountPage *self = BA_ACCOUNT_PAGE (widget);
  GtkRoot *root;
  AdwMessageDialog *dialog;

  if (self->account == NULL || self->logging_out || self->logout_dialog != NULL)
    return;

  root = gtk_widget_get_root (widget);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Log Out?"),
                                                       _("The session token and this account's cached data are removed from this computer.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "logout", _("_Log Out"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "logout", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (logout_dialog_response_cb),
                           self, G_CONNECT_SWAPPED);

  self->logout_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->logout_dialog);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ba_account_page_dispose (GObject *object)
{
  BaAccountPage *self = BA_ACCOUNT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->clock_source, g_source_remove);

  if (self->logout_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->logout_dialog), (gpointer *) &self->logout_dialog);
      gtk_window_destroy (GTK_WINDOW (self->logout_dialog));
      self->logout_dialog = NULL;
    }

  if (self->account_signals != NULL)
    g_signal_group_set_target (self->account_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_ACCOUNT_PAGE);

  g_clear_object (&self->account_signals);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (ba_account_page_parent_class)->dispose (object);
}

static void
ba_account_page_finalize (GObject *object)
{
  BaAccountPage *self = BA_ACCOUNT_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_account_page_parent_class)->finalize (object);
}

static void
ba_account_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BaAccountPage *self = BA_ACCOUNT_PAGE (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_account_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BaAccountPage *self = BA_ACCOUNT_PAGE (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      ba_account_page_set_account (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_account_page_class_init (BaAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_account_page_dispose;
  object_class->finalize = ba_account_page_finalize;
  object_class->get_property = ba_account_page_get_property;
  object_class->set_property = ba_account_page_set_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL,
                         BA_TYPE_ACCOUNT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_LOGGED_OUT] =
    g_signal_new ("logged-out",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[SIGNAL_LOGIN_REQUESTED] =
    g_signal_new ("login-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "account.logout", NULL, logout_action);

  g_type_ensure (BA_TYPE_TOKENS_PAGE);
  g_type_ensure (BA_TYPE_ACCOUNT_DETAILS);
  g_type_ensure (BA_TYPE_FLEETS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, header_bar);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, notice_revealer);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, notice_box);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, notice_label);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, notice_button);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, notice_button_label);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, notice_spinner);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, avatar);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, caption_label);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, session_group);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, issued_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, expires_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, expires_relative_label);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, logout_button);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, tokens_stack_page);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, tokens_page);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, account_details);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, fleets_stack_page);
  gtk_widget_class_bind_template_child (widget_class, BaAccountPage, fleets_page);
  gtk_widget_class_bind_template_callback (widget_class, notice_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, update_switcher_bar);
}

static void
ba_account_page_init (BaAccountPage *self)
{
  AdwViewStackPage *two_factor_page;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  /* Two-factor authentication (issue 5): its own widget, shown like the
   * Access tokens tab while there is an account. */
  two_factor_page = adw_view_stack_add_titled (self->view_stack, ba_two_factor_page_new (),
                                               "two-factor", _("Two-factor"));
  adw_view_stack_page_set_icon_name (two_factor_page, "security-high-symbolic");
  adw_view_stack_page_set_visible (two_factor_page, FALSE);

  /* One place connects to the account, whichever account it is. */
  self->account_signals = g_signal_group_new (BA_TYPE_ACCOUNT);
  g_signal_group_connect_swapped (self->account_signals, "notify::username",
                                  G_CALLBACK (update_profile), self);
  g_signal_group_connect_swapped (self->account_signals, "notify::email",
                                  G_CALLBACK (update_profile), self);
  g_signal_group_connect_swapped (self->account_signals, "notify::server-url",
                                  G_CALLBACK (update_profile), self);
  g_signal_group_connect_swapped (self->account_signals, "notify::session",
                                  G_CALLBACK (update_session), self);
  g_signal_group_connect_swapped (self->account_signals, "notify::state",
                                  G_CALLBACK (update_notice), self);
  g_signal_group_connect_swapped (self->account_signals, "notify::last-synced-at",
                                  G_CALLBACK (update_notice), self);

  self->clock_source = g_timeout_add_seconds (CLOCK_INTERVAL_SECONDS, clock_tick_cb, self);

  g_signal_connect_object (g_network_monitor_get_default (), "network-changed",
                           G_CALLBACK (network_changed_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.logout", FALSE);
  update_switcher_bar (self);
  update_all (self);
}

BaAccount *
ba_account_page_get_account (BaAccountPage *self)
{
  g_return_val_if_fail (BA_IS_ACCOUNT_PAGE (self), NULL);

  return self->account;
}

void
ba_account_page_set_account (BaAccountPage *self,
                             BaAccount     *account)
{
  g_return_if_fail (BA_IS_ACCOUNT_PAGE (self));
  g_return_if_fail (account == NULL || BA_IS_ACCOUNT (account));

  if (!g_set_object (&self->account, account))
    return;

  /* Whatever the previous account was doing is no longer ours to show. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_retrying (self, FALSE);
  self->logging_out = FALSE;

  if (self->logout_dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->logout_dialog));

  g_signal_group_set_target (self->account_signals, account);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.logout", account != NULL);
  adw_view_stack_set_visible_child_name (self->view_stack, "details");
  ba_tokens_page_set_account (self->tokens_page, account);
  ba_account_details_set_account (self->account_details, account);
  adw_view_stack_page_set_visible (self->tokens_stack_page, account != NULL);
  ba_fleets_page_set_account (self->fleets_page, account);
  adw_view_stack_page_set_visible (self->fleets_stack_page, account != NULL);
  {
    GtkWidget *two_factor = adw_view_stack_get_child_by_name (self->view_stack, "two-factor");

    ba_two_factor_page_set_account (BA_TWO_FACTOR_PAGE (two_factor), account);
    adw_view_stack_page_set_visible (adw_view_stack_get_page (self->view_stack, two_factor),
                                     account != NULL);
  }

  update_all (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}
