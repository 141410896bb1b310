/* ba-tokens-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-tokens-page"

#include "config.h"

#include "ba-tokens-page-private.h"

#include "ba-api-key.h"
#include "ba-date-format.h"
#include "ba-error.h"
#include "ba-label-wipe.h"
#include "ba-secure-clipboard.h"
#include "ba-session.h"
#include "ba-window.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaTokensPage, ba_tokens_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What the masked token shows instead of itself; narrow, a shorter one
 * that still fits on one line beside the row's three buttons. */
#define MASK "●●●●●●●●●●●●●●●●●●●●●●●●"
#define MASK_NARROW "●●●●●●●●●●●●"

/* Below this width (the page's own, in pixels) the list drops its Created
 * and Description columns and the header's buttons lose their labels, so
 * that the window fits a 360 px phone screen. libadwaita 1.2 has no
 * AdwBreakpoint: the page looks at its allocation instead. */
#define NARROW_WIDTH 500

/* The columns, as the factories' user data. */
typedef enum {
  COLUMN_NAME,
  COLUMN_CREATED,
  COLUMN_DESCRIPTION,
  COLUMN_EXPIRY,
} Column;

static void
toast (BaTokensPage *self,
       const char   *message)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), BA_TYPE_WINDOW);

  if (window != NULL)
    ba_window_add_toast (BA_WINDOW (window), message);
  else
    g_message ("%s", message);
}

static char *
format_date (gint64 unix_time)
{
  return ba_date_format_date (unix_time);
}

static char *
format_date_time (gint64 unix_time)
{
  return ba_date_format_date_time (unix_time, ba_date_format_get_clock_format ());
}

static BaSession *
get_session (BaTokensPage *self)
{
  return self->account != NULL ? ba_account_get_session (self->account) : NULL;
}

/* Why keys cannot be changed right now, or NULL when they can. */
static const char *
why_read_only (BaTokensPage *self)
{
  BaSession *session = get_session (self);

  if (self->account == NULL)
    return _("Not logged in");

  switch (ba_account_get_state (self->account))
    {
    case BA_ACCOUNT_STATE_OFFLINE:
      return _("Offline: keys can be changed once the server can be reached again");
    case BA_ACCOUNT_STATE_LOGGED_OUT:
      return _("The session has expired: log in again to change keys");
    case BA_ACCOUNT_STATE_CACHED:
    case BA_ACCOUNT_STATE_ONLINE:
    default:
      break;
    }

  if (session != NULL && ba_session_is_api_key (session))
    return _("Logged in with an API key: log in with your password to manage keys");

  return NULL;
}

static void
update_actions (BaTokensPage *self)
{
  const char *why = why_read_only (self);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  guint64 n_selected = gtk_bitset_get_size (selected);
  BaSession *session = get_session (self);
  gboolean can_refresh = (session != NULL && !ba_session_is_api_key (session) &&
                          !self->refreshing && why_read_only (self) == NULL);

  /* The red button only when it can mean something, as in Files. */
  gtk_widget_set_visible (GTK_WIDGET (self->revoke_button),
                          gtk_toggle_button_get_active (self->select_button) || n_selected > 0);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tokens.create", why == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tokens.edit", why == NULL && n_selected == 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tokens.revoke", why == NULL && n_selected > 0 && !self->revoking);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tokens.copy-token", session != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tokens.refresh-token", can_refresh);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->create_button), why != NULL ? why : _("Create an API Key (Ctrl+N)"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->revoke_button), why != NULL ? why : _("Revoke the Selected Keys (Delete)"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->edit_button), why != NULL ? why : _("Edit the Selected Key"));
}

/* The label under @widget that shows @text: the token row's subtitle,
 * which libadwaita 1.2 does not hand out. */
static GtkLabel *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return GTK_LABEL (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Overwrites a token the row's label showed before it is replaced: the
 * label and its layout would otherwise free their copies as they were. */
static void
wipe_shown_token (BaTokensPage *self)
{
  GtkLabel *label;

  if (!self->token_shown)
    return;

  label = find_label (GTK_WIDGET (self->token_row), adw_action_row_get_subtitle (self->token_row));
  if (label != NULL)
    ba_label_wipe (label, MASK);
  self->token_shown = FALSE;
}

/* The Issued and Expires rows; the relative part ("expires in 6 days")
 * is redone by the page's timer as well. */
static void
update_times (BaTokensPage *self)
{
  BaSession *session = get_session (self);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *issued = NULL;
  g_autofree char *expires = NULL;

  if (session == NULL)
    {
      adw_action_row_set_subtitle (self->issued_row, _("Unknown"));
      adw_action_row_set_subtitle (self->expires_row, _("Unknown"));
      return;
    }

  if (ba_session_is_api_key (session))
    {
      adw_action_row_set_subtitle (self->issued_row, _("Unknown"));
      adw_action_row_set_subtitle (self->expires_row, _("Never"));
      return;
    }

  if (ba_session_get_issued_at (session) > 0)
    issued = format_date_time (ba_session_get_issued_at (session));
  if (ba_session_get_expires_at (session) > 0)
    {
      g_autofree char *date = format_date_time (ba_session_get_expires_at (session));
      g_autofree char *relative = ba_date_format_expires_in (ba_session_get_expires_at (session), now);

      /* Translators: a date, then how far away it is ("expires in 6 days"). */
      expires = g_strdup_printf (_("%s (%s)"), date, relative);
    }

  adw_action_row_set_subtitle (self->issued_row, issued != NULL ? issued : _("Unknown"));
  adw_action_row_set_subtitle (self->expires_row, expires != NULL ? expires : _("Never"));
}

static void
update_token (BaTokensPage *self)
{
  BaSession *session = get_session (self);
  gboolean revealed = gtk_toggle_button_get_active (self->reveal_button);

  wipe_shown_token (self);

  if (session == NULL)
    adw_action_row_set_subtitle (self->token_row, _("None"));
  else
    {
      adw_action_row_set_subtitle (self->token_row,
                                   revealed ? ba_session_get_token (session) :
                                   self->narrow ? MASK_NARROW : MASK);
      self->token_shown = revealed;
    }

  /* The mask on one line, ellipsized if it must; the token itself wraps,
   * so that all of it can be read. */
  adw_action_row_set_subtitle_lines (self->token_row, session != NULL && revealed ? 0 : 1);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->reveal_button), revealed ? _("Hide Token") : _("Show Token"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reveal_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, revealed ? _("Hide token") : _("Show token"),
                                  -1);
  gtk_button_set_icon_name (GTK_BUTTON (self->reveal_button),
                            revealed ? "view-conceal-symbolic" : "view-reveal-symbolic");

  update_times (self);
}

static void
update_list_stack (BaTokensPage *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->selection)) == 0;

  gtk_stack_set_visible_child_name (self->list_stack, empty ? "empty" : "list");
}

/* List rows: each cell is one label, set when the row is bound and again
 * when its key changes in place (a rename, a sync). */
static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
fill_cell (GtkListItem *item,
           Column       column)
{
  BaApiKey *key = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *text = NULL;
  const char *description;

  if (key == NULL)
    return;

  gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");

  switch (column)
    {
    case COLUMN_NAME:
      gtk_label_set_text (label, ba_api_key_get_name (key));
      break;

    case COLUMN_CREATED:
      if (ba_api_key_get_created_at (key) > 0)
        text = format_date (ba_api_key_get_created_at (key));
      gtk_label_set_text (label, text != NULL ? text : _("Unknown"));
      break;

    case COLUMN_DESCRIPTION:
      description = ba_api_key_get_description (key);
      gtk_label_set_text (label, description != NULL ? description : "");
      break;

    case COLUMN_EXPIRY:
    default:
      if (ba_api_key_get_expiry_date (key) == 0)
        {
          gtk_label_set_text (label, _("Never"));
          gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
        }
      else if (ba_api_key_is_expired (key, now))
        {
          gtk_label_set_text (label, _("Expired"));
          gtk_widget_add_css_class (GTK_WIDGET (label), "error");
        }
      else
        {
          text = format_date (ba_api_key_get_expiry_date (key));
          gtk_label_set_text (label, text);
        }
      break;
    }
}

static void
key_notify_cb (BaApiKey    *key,
               GParamSpec  *pspec,
               GtkListItem *item)
{
  fill_cell (item, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (item), "ba-column")));
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  BaApiKey *key = gtk_list_item_get_item (item);
  gulong handler;

  g_object_set_data (G_OBJECT (item), "ba-column", user_data);
  fill_cell (item, GPOINTER_TO_INT (user_data));

  handler = g_signal_connect_object (key, "notify", G_CALLBACK (key_notify_cb), item, 0);
  g_object_set_data (G_OBJECT (item), "ba-notify-handler", GSIZE_TO_POINTER (handler));
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  BaApiKey *key = gtk_list_item_get_item (item);
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "ba-notify-handler"));

  if (key != NULL && handler != 0)
    g_signal_handler_disconnect (key, handler);
  g_object_set_data (G_OBJECT (item), "ba-notify-handler", NULL);
}

/* The bound Expires cells, so that the timer can redo them. */
static void
bind_expiry_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                BaTokensPage             *self)
{
  if (self->expiry_items != NULL)
    g_ptr_array_add (self->expiry_items, item);
}

static void
unbind_expiry_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  BaTokensPage             *self)
{
  if (self->expiry_items != NULL)
    g_ptr_array_remove_fast (self->expiry_items, item);
}

static void
set_column_factory (BaTokensPage        *self,
                    GtkColumnViewColumn *column,
                    Column               which)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (which));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (which));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), GINT_TO_POINTER (which));
  if (which == COLUMN_EXPIRY)
    {
      g_signal_connect_object (factory, "bind", G_CALLBACK (bind_expiry_cb), self, 0);
      g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_expiry_cb), self, 0);
    }
  gtk_column_view_column_set_factory (column, factory);
}

/* Selection mode: a check button per row, bound to the row's selection,
 * so that several keys can be picked without Ctrl or Shift. */
static void
check_toggled_cb (GtkCheckButton *check,
                  GtkListItem    *item)
{
  GtkSelectionModel *model = g_object_get_data (G_OBJECT (check), "ba-model");
  guint position = gtk_list_item_get_position (item);

  if (model == NULL || position == GTK_INVALID_LIST_POSITION ||
      gtk_check_button_get_active (check) == gtk_list_item_get_selected (item))
    return;

  if (gtk_check_button_get_active (check))
    gtk_selection_model_select_item (model, position, FALSE);
  else
    gtk_selection_model_unselect_item (model, position);
}

static void
setup_check_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                BaTokensPage             *self)
{
  GtkWidget *check = gtk_check_button_new ();

  g_object_set_data (G_OBJECT (check), "ba-model", self->selection);
  g_signal_connect_object (check, "toggled", G_CALLBACK (check_toggled_cb), item, 0);
  gtk_list_item_set_child (item, check);
}

static void
bind_check_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               BaTokensPage             *self)
{
  BaApiKey *key = gtk_list_item_get_item (item);
  GtkWidget *check = gtk_list_item_get_child (item);
  g_autofree char *label = NULL;
  GBinding *binding;

  binding = g_object_bind_property (item, "selected", check, "active", G_BINDING_SYNC_CREATE);
  g_object_set_data (G_OBJECT (item), "ba-binding", binding);

  /* Translators: a check button's name for screen readers; %s is a key's name. */
  label = g_strdup_printf (_("Select “%s”"), ba_api_key_get_name (key));
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
unbind_check_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 BaTokensPage             *self)
{
  GBinding *binding = g_object_get_data (G_OBJECT (item), "ba-binding");

  if (binding != NULL)
    g_binding_unbind (binding);
  g_object_set_data (G_OBJECT (item), "ba-binding", NULL);
}

static void
set_check_factory (BaTokensPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_check_cb), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_check_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_check_cb), self, 0);
  gtk_column_view_column_set_factory (self->check_column, factory);
}

static void
select_toggled_cb (BaTokensPage *self)
{
  gboolean active = gtk_toggle_button_get_active (self->select_button);

  gtk_column_view_column_set_visible (self->check_column, active);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->select_button),
                               active ? _("Leave Selection Mode") : _("Select Keys"));

  /* As in Files: leaving selection mode leaves nothing selected. */
  if (!active)
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));

  update_actions (self);
}

/* Escape leaves selection mode, as in Files; otherwise it goes on to
 * whoever else wants it. */
static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  BaTokensPage *self = BA_TOKENS_PAGE (widget);

  if (!gtk_toggle_button_get_active (self->select_button))
    return FALSE;

  gtk_toggle_button_set_active (self->select_button, FALSE);
  return TRUE;
}

static void
set_button_narrow (GtkButton  *button,
                   gboolean    narrow,
                   const char *icon_name,
                   const char *label,
                   const char *accessible_label)
{
  if (narrow)
    {
      gtk_button_set_icon_name (button, icon_name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label,
                                      -1);
    }
  else
    {
      gtk_button_set_label (button, label);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
    }
}

static void
set_narrow (BaTokensPage *self,
            gboolean      narrow)
{
  if (self->narrow == !!narrow)
    return;

  self->narrow = !!narrow;

  gtk_column_view_column_set_visible (self->created_column, !narrow);
  gtk_column_view_column_set_visible (self->description_column, !narrow);
  /* The tooltips (set in update_actions()) name them either way. */
  set_button_narrow (self->revoke_button, narrow, "user-trash-symbolic",
                     _("_Revoke…"), _("Revoke the selected API keys"));
  set_button_narrow (self->create_button, narrow, "list-add-symbolic",
                     _("_New Key…"), _("Create an API key"));
  update_token (self);
}

/* AdwBin lays its child out with a GtkBinLayout, which would leave
 * size_allocate() uncalled: the page does the same by hand instead. */
static void
ba_tokens_page_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_measure (child, orientation, for_size,
                        minimum, natural, minimum_baseline, natural_baseline);
}

static void
ba_tokens_page_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  /* Both layouts fit in less than NARROW_WIDTH, so the switch never
   * changes what the page asks for below that: it cannot flip back and
   * forth. Done before the child is allocated, which measures anew. */
  set_narrow (BA_TOKENS_PAGE (widget), width < NARROW_WIDTH);

  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

/* Relative times go stale while the window stays open: once a minute the
 * session's "expires in" and the keys' Expires cells are redone, so that
 * a key that has run out shows "Expired". */
static void
update_clock (BaTokensPage *self)
{
  update_times (self);

  for (guint i = 0; self->expiry_items != NULL && i < self->expiry_items->len; i++)
    fill_cell (g_ptr_array_index (self->expiry_items, i), COLUMN_EXPIRY);
}

static gboolean
tick_cb (gpointer user_data)
{
  update_clock (BA_TOKENS_PAGE (user_data));

  return G_SOURCE_CONTINUE;
}

/* Requests on behalf of the page; the cancellable says whether the answer
 * still matters (the page may show another account by then). */
typedef struct
{
  BaTokensPage *self;
  GCancellable *cancellable;
  GPtrArray    *names;   /* revoke: the names, by position in ids */
  GArray       *ids;
} Request;

static Request *
request_new (BaTokensPage *self)
{
  Request *request = g_new0 (Request, 1);

  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (self->cancellable);

  return request;
}

static void
request_free (Request *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->cancellable);
  g_clear_pointer (&request->names, g_ptr_array_unref);
  g_clear_pointer (&request->ids, g_array_unref);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
sync_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_account_sync_api_keys_finish (BA_ACCOUNT (object), result, &error))
    {
      if (g_cancellable_is_cancelled (request->cancellable))
        return;

      request->self->syncing = FALSE;

      /* Offline and a lost session already have the banner; anything else
       * gets a toast, and the list stays as it was. */
      if (!g_error_matches (error, BA_ERROR, BA_ERROR_OFFLINE) &&
          !g_error_matches (error, BA_ERROR, BA_ERROR_TIMEOUT) &&
          !g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN))
        {
          g_autofree char *message = NULL;

          /* Translators: %s is the reason. */
          message = g_strdup_printf (_("Could not update the API keys: %s"), error->message);
          toast (request->self, message);
        }
      return;
    }

  if (!g_cancellable_is_cancelled (request->cancellable))
    request->self->syncing = FALSE;
}

static void
sync_keys (BaTokensPage *self)
{
  if (self->account == NULL || self->syncing)
    return;

  self->syncing = TRUE;
  ba_account_sync_api_keys_async (self->account, self->cancellable, sync_cb, request_new (self));
}

static void
state_changed_cb (BaTokensPage *self)
{
  BaAccountState state = ba_account_get_state (self->account);

  /* Revalidation does not fetch the keys: each time the server confirms
   * the session, the list is brought up to date. */
  if (state == BA_ACCOUNT_STATE_ONLINE && self->last_state != BA_ACCOUNT_STATE_ONLINE)
    sync_keys (self);

  self->last_state = state;
  update_actions (self);
}

static void
selection_changed_cb (BaTokensPage *self)
{
  update_actions (self);
}

static void
copy_token_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  BaTokensPage *self = BA_TOKENS_PAGE (widget);
  BaSession *session = get_session (self);
  g_autofree char *message = NULL;

  if (session == NULL)
    return;

  message = ba_secure_clipboard_copy (widget, ba_session_get_token (session));
  toast (self, message);
}

static void
set_refreshing (BaTokensPage *self,
                gboolean      refreshing)
{
  self->refreshing = !!refreshing;
  gtk_stack_set_visible_child_name (self->refresh_stack, refreshing ? "spinner" : "icon");
  gtk_spinner_set_spinning (self->refresh_spinner, refreshing);
  update_actions (self);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = ba_account_refresh_token_finish (BA_ACCOUNT (object), result, &error);

  if (g_cancellable_is_cancelled (request->cancellable))
    return;

  set_refreshing (request->self, FALSE);

  if (ok)
    toast (request->self, _("The session token was renewed"));
  else
    {
      g_autofree char *message = NULL;

      /* Translators: %s is the reason. */
      message = g_strdup_printf (_("Could not renew the token: %s"), error->message);
      toast (request->self, message);
    }
}

static void
refresh_token_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  BaTokensPage *self = BA_TOKENS_PAGE (widget);

  if (self->account == NULL || self->refreshing)
    return;

  set_refreshing (self, TRUE);
  ba_account_refresh_token_async (self->account, NULL, self->cancellable, refresh_cb, request_new (self));
}

static void
open_dialog (BaTokensPage *self,
             BaApiKey     *key)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->account == NULL || self->dialog != NULL || why_read_only (self) != NULL)
    return;

  self->dialog = ba_api_key_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        self->account, key);
  g_object_add_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
  gtk_window_present (GTK_WINDOW (self->dialog));
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BaTokensPage *self = BA_TOKENS_PAGE (widget);

  /* Ctrl+N is global to the window: only act while the tab is shown. */
  if (!gtk_widget_get_mapped (widget))
    return;

  open_dialog (self, NULL);
}

static BaApiKey *
first_selected (BaTokensPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  if (gtk_bitset_get_size (selected) != 1)
    return NULL;

  return g_list_model_get_item (G_LIST_MODEL (self->selection), gtk_bitset_get_nth (selected, 0));
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BaTokensPage *self = BA_TOKENS_PAGE (widget);
  g_autoptr(BaApiKey) key = first_selected (self);

  if (key != NULL)
    open_dialog (self, key);
}

static void
row_activated_cb (BaTokensPage  *self,
                  guint          position,
                  GtkColumnView *view)
{
  g_autoptr(BaApiKey) key = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (key != NULL)
    open_dialog (self, key);
}

static char *
quoted (const char *name)
{
  /* Translators: a key's name in quotes. */
  return g_strdup_printf (_("“%s”"), name);
}

static void
revoke_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) failed = NULL;
  BaTokensPage *self = request->self;
  g_autofree char *message = NULL;
  guint n_revoked;

  if (!ba_account_revoke_api_keys_finish (BA_ACCOUNT (object), result, &failed, &error) &&
      g_error_matches (error, BA_ERROR, BA_ERROR_VAULT) && (failed == NULL || failed->len == 0))
    g_clear_error (&error);

  if (g_cancellable_is_cancelled (request->cancellable))
    return;

  self->revoking = FALSE;
  update_actions (self);

  n_revoked = request->ids->len - (failed != NULL ? failed->len : 0);

  if (error == NULL)
    {
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u API key revoked", "%u API keys revoked", n_revoked), n_revoked);
      toast (self, message);
      return;
    }

  {
    g_autoptr(GString) names = g_string_new (NULL);

    for (guint i = 0; failed != NULL && i < failed->len; i++)
      for (guint j = 0; j < request->ids->len; j++)
        if (g_array_index (request->ids, gint64, j) == g_array_index (failed, gint64, i))
          {
            g_autofree char *name = quoted (g_ptr_array_index (request->names, j));

            if (names->len > 0)
              g_string_append (names, ", ");
            g_string_append (names, name);
            break;
          }

    /* Translators: the first %s lists key names, the second is the reason. */
    message = g_strdup_printf (_("Could not revoke %s: %s"), names->str, error->message);
    toast (self, message);
  }
}

static void
revoke_dialog_response_cb (BaTokensPage     *self,
                           const char       *response,
                           AdwMessageDialog *dialog)
{
  Request *request;
  GArray *ids;

  if (g_strcmp0 (response, "revoke") != 0 || self->account == NULL || self->revoking)
    return;

  ids = g_object_get_data (G_OBJECT (dialog), "ba-ids");
  request = request_new (self);
  request->ids = g_array_ref (ids);
  request->names = g_ptr_array_ref (g_object_get_data (G_OBJECT (dialog), "ba-names"));

  self->revoking = TRUE;
  update_actions (self);
  ba_account_revoke_api_keys_async (self->account,
                                    (const gint64 *) (gpointer) ids->data, ids->len,
                                    self->cancellable, revoke_cb, request);
}

static void
revoke_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BaTokensPage *self = BA_TOKENS_PAGE (widget);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *heading = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkBitsetIter iter;
  GtkRoot *root;
  AdwMessageDialog *dialog;
  guint position;
  guint n;

  if (self->account == NULL || self->revoking || self->revoke_dialog != NULL ||
      why_read_only (self) != NULL || gtk_bitset_is_empty (selected))
    return;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(BaApiKey) key = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
      gint64 id = ba_api_key_get_id (key);

      g_array_append_val (ids, id);
      g_ptr_array_add (names, g_strdup (ba_api_key_get_name (key)));
    }

  n = ids->len;
  if (n == 1)
    {
      g_autofree char *a = quoted (g_ptr_array_index (names, 0));
      /* Translators: %s is a quoted key name. */
      heading = g_strdup_printf (_("Revoke %s?"), a);
    }
  else if (n == 2)
    {
      g_autofree char *a = quoted (g_ptr_array_index (names, 0));
      g_autofree char *b = quoted (g_ptr_array_index (names, 1));
      /* Translators: both %s are quoted key names. */
      heading = g_strdup_printf (_("Revoke %s and %s?"), a, b);
    }
  else
    {
      heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Revoke %u API key?", "Revoke %u API keys?", n), n);
      for (guint i = 0; i < n && i < 10; i++)
        g_string_append_printf (body, "%s\n", (const char *) g_ptr_array_index (names, i));
      if (n > 10)
        {
          g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "and %u more", "and %u more", n - 10), n - 10);
          g_string_append_c (body, '\n');
        }
      g_string_append_c (body, '\n');
    }

  g_string_append (body, g_dngettext (GETTEXT_PACKAGE,
                                      "Anything that uses this key stops working at once. This cannot be undone.",
                                      "Anything that uses these keys stops working at once. This cannot be undone.",
                                      n));

  root = gtk_widget_get_root (widget);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading, body->str));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "revoke", _("_Revoke"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "revoke", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "ba-ids", g_steal_pointer (&ids), (GDestroyNotify) g_array_unref);
  g_object_set_data_full (G_OBJECT (dialog), "ba-names", g_steal_pointer (&names), (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (revoke_dialog_response_cb), self,
                           G_CONNECT_SWAPPED);

  self->revoke_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->revoke_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ba_tokens_page_map (GtkWidget *widget)
{
  BaTokensPage *self = BA_TOKENS_PAGE (widget);

  GTK_WIDGET_CLASS (ba_tokens_page_parent_class)->map (widget);

  /* Only while shown: hidden, nobody reads the times. They may have gone
   * stale meanwhile, so they are redone at once. */
  update_clock (self);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  self->tick_source = g_timeout_add_seconds (self->tick_seconds, tick_cb, self);
}

static void
ba_tokens_page_unmap (GtkWidget *widget)
{
  BaTokensPage *self = BA_TOKENS_PAGE (widget);

  g_clear_handle_id (&self->tick_source, g_source_remove);

  /* A revealed token does not stay on screen once the tab is left. */
  gtk_toggle_button_set_active (self->reveal_button, FALSE);

  GTK_WIDGET_CLASS (ba_tokens_page_parent_class)->unmap (widget);
}

/* The dialogs belong to the account shown so far. A key dialog is asked
 * to close rather than destroyed: one showing a key that was neither
 * copied nor saved asks first, and stays, with its own reference to the
 * old account, until the user has dealt with the key. Only when the page
 * itself goes (the window is destroyed) is it destroyed with it. */
static void
close_dialogs (BaTokensPage *self,
               gboolean      destroy)
{
  BaApiKeyDialog *dialog = self->dialog;

  if (self->revoke_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->revoke_dialog), (gpointer *) &self->revoke_dialog);
      gtk_window_destroy (GTK_WINDOW (self->revoke_dialog));
      self->revoke_dialog = NULL;
    }

  if (dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->dialog);
      self->dialog = NULL;
      if (destroy)
        gtk_window_destroy (GTK_WINDOW (dialog));
      else
        gtk_window_close (GTK_WINDOW (dialog));
    }
}

static void
ba_tokens_page_dispose (GObject *object)
{
  BaTokensPage *self = BA_TOKENS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  close_dialogs (self, TRUE);

  if (self->account_signals != NULL)
    g_signal_group_set_target (self->account_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_TOKENS_PAGE);

  g_clear_pointer (&self->expiry_items, g_ptr_array_unref);
  g_clear_object (&self->selection);
  g_clear_object (&self->account_signals);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (ba_tokens_page_parent_class)->dispose (object);
}

static void
ba_tokens_page_finalize (GObject *object)
{
  BaTokensPage *self = BA_TOKENS_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_tokens_page_parent_class)->finalize (object);
}

static void
ba_tokens_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BaTokensPage *self = BA_TOKENS_PAGE (object);

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
ba_tokens_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BaTokensPage *self = BA_TOKENS_PAGE (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      ba_tokens_page_set_account (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_tokens_page_class_init (BaTokensPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_tokens_page_dispose;
  object_class->finalize = ba_tokens_page_finalize;
  object_class->get_property = ba_tokens_page_get_property;
  object_class->set_property = ba_tokens_page_set_property;
  widget_class->map = ba_tokens_page_map;
  widget_class->unmap = ba_tokens_page_unmap;
  widget_class->measure = ba_tokens_page_measure;
  widget_class->size_allocate = ba_tokens_page_size_allocate;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL,
                         BA_TYPE_ACCOUNT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "tokens.create", NULL, create_action);
  gtk_widget_class_install_action (widget_class, "tokens.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "tokens.revoke", NULL, revoke_action);
  gtk_widget_class_install_action (widget_class, "tokens.copy-token", NULL, copy_token_action);
  gtk_widget_class_install_action (widget_class, "tokens.refresh-token", NULL, refresh_token_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "tokens.revoke", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "tokens.revoke", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, escape_cb, NULL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-tokens-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, reveal_button);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, copy_token_button);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, refresh_stack);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, refresh_spinner);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, issued_row);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, expires_row);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, select_button);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, edit_button);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, revoke_button);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, check_column);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, name_column);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, created_column);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, description_column);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, expiry_column);
  gtk_widget_class_bind_template_child (widget_class, BaTokensPage, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, update_token);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, select_toggled_cb);
}

static void
ba_tokens_page_init (BaTokensPage *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_layout_manager (GTK_WIDGET (self), NULL);

  self->cancellable = g_cancellable_new ();
  self->expiry_items = g_ptr_array_new ();
  self->tick_seconds = 60;

  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_list_store_new (BA_TYPE_API_KEY)));

  set_check_factory (self);
  set_column_factory (self, self->name_column, COLUMN_NAME);
  set_column_factory (self, self->created_column, COLUMN_CREATED);
  set_column_factory (self, self->description_column, COLUMN_DESCRIPTION);
  set_column_factory (self, self->expiry_column, COLUMN_EXPIRY);

  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (update_list_stack), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  /* Ctrl+N anywhere in the window while this tab is shown. */
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>n"),
                                                          gtk_named_action_new ("tokens.create")));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  self->account_signals = g_signal_group_new (BA_TYPE_ACCOUNT);
  g_signal_group_connect_swapped (self->account_signals, "notify::session",
                                  G_CALLBACK (update_token), self);
  g_signal_group_connect_swapped (self->account_signals, "notify::session",
                                  G_CALLBACK (update_actions), self);
  g_signal_group_connect_swapped (self->account_signals, "notify::state",
                                  G_CALLBACK (state_changed_cb), self);

  update_list_stack (self);
  update_token (self);
  update_actions (self);
}

BaAccount *
ba_tokens_page_get_account (BaTokensPage *self)
{
  g_return_val_if_fail (BA_IS_TOKENS_PAGE (self), NULL);

  return self->account;
}

void
ba_tokens_page_set_account (BaTokensPage *self,
                            BaAccount    *account)
{
  g_return_if_fail (BA_IS_TOKENS_PAGE (self));
  g_return_if_fail (account == NULL || BA_IS_ACCOUNT (account));

  if (!g_set_object (&self->account, account))
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->refreshing = FALSE;
  self->revoking = FALSE;
  self->syncing = FALSE;
  close_dialogs (self, FALSE);
  gtk_toggle_button_set_active (self->reveal_button, FALSE);

  /* The account's own model, shown as it is: filled from the vault before
   * the server answers, and changed in place afterwards. */
  if (account != NULL)
    gtk_multi_selection_set_model (self->selection, ba_account_get_api_keys (account));
  else
    {
      g_autoptr(GListStore) empty = g_list_store_new (BA_TYPE_API_KEY);

      gtk_multi_selection_set_model (self->selection, G_LIST_MODEL (empty));
    }

  g_signal_group_set_target (self->account_signals, account);

  self->last_state = account != NULL ? ba_account_get_state (account) : BA_ACCOUNT_STATE_CACHED;
  if (account != NULL && self->last_state == BA_ACCOUNT_STATE_ONLINE)
    sync_keys (self);

  set_refreshing (self, FALSE);
  update_list_stack (self);
  update_token (self);
  update_actions (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}
