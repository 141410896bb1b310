/* ba-fleets-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-fleets-page"

#include "config.h"

#include "ba-fleets-page-private.h"

#include "ba-account-fleets.h"
#include "ba-error.h"
#include "ba-window.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaFleetsPage, ba_fleets_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (BaFleetsPage *self,
       const char   *message)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), BA_TYPE_WINDOW);

  if (window != NULL)
    ba_window_add_toast (BA_WINDOW (window), message);
  else
    g_message ("%s", message);
}

static const char *
role_label (const char *name)
{
  if (g_strcmp0 (name, "administrator") == 0)
    return _("Administrator");
  if (g_strcmp0 (name, "developer") == 0)
    return _("Developer");
  if (g_strcmp0 (name, "operator") == 0)
    return _("Operator");
  if (g_strcmp0 (name, "observer") == 0)
    return _("Observer");

  return name;
}

static GtkWidget *
create_fleet_row (gpointer item,
                  gpointer user_data)
{
  BaFleet *fleet = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *devices = gtk_label_new (NULL);
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
  const char *organization = ba_fleet_get_organization_name (fleet);
  g_autofree char *title = g_markup_escape_text (ba_fleet_get_name (fleet), -1);
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *counts = NULL;

  if (ba_fleet_get_device_count (fleet) == 0)
    counts = g_strdup (_("No devices"));
  else
    /* Translators: devices online / all devices of the fleet. */
    counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u device online",
                                           "%u of %u devices online",
                                           ba_fleet_get_device_count (fleet)),
                              ba_fleet_get_online_count (fleet), ba_fleet_get_device_count (fleet));

  subtitle = g_strdup_printf ("%s · %s",
                              organization != NULL ? organization : ba_fleet_get_slug (fleet),
                              ba_fleet_get_role (fleet) != NULL ? role_label (ba_fleet_get_role (fleet))
                                                                : _("Shared with you"));
  escaped = g_markup_escape_text (subtitle, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  gtk_label_set_label (GTK_LABEL (devices), counts);
  gtk_widget_add_css_class (devices, "dim-label");
  if (ba_fleet_get_online_count (fleet) > 0)
    gtk_widget_add_css_class (devices, "success");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), devices);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "ba-fleet", g_object_ref (fleet), g_object_unref);

  return row;
}

static void
update_empty (BaFleetsPage *self)
{
  guint n = self->account != NULL ? g_list_model_get_n_items (ba_account_get_fleets (self->account)) : 0;

  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
}

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BaFleetsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_account_sync_fleets_finish (BA_ACCOUNT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Offline and a lost session have the account page's banner;
       * anything else says why here, and the list stays. */
      if (!g_error_matches (error, BA_ERROR, BA_ERROR_OFFLINE) &&
          !g_error_matches (error, BA_ERROR, BA_ERROR_TIMEOUT) &&
          !g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN) &&
          !g_error_matches (error, BA_ERROR, BA_ERROR_NOT_SUPPORTED))
        toast (self, error->message);
    }

  self->syncing = FALSE;
  update_empty (self);
}

static void
sync_fleets (BaFleetsPage *self)
{
  if (self->account == NULL || self->syncing)
    return;

  self->syncing = TRUE;
  ba_account_sync_fleets_async (self->account, self->cancellable, sync_done_cb, g_object_ref (self));
}

static void
cached_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaFleetsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_account_load_cached_fleets_finish (BA_ACCOUNT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("No cached fleets: %s", error->message);

  update_empty (self);
}

static void
state_changed_cb (BaFleetsPage *self)
{
  BaAccountState state = ba_account_get_state (self->account);

  /* Each time the server confirms the session, the list is brought up
   * to date. */
  if (state == BA_ACCOUNT_STATE_ONLINE && self->last_state != BA_ACCOUNT_STATE_ONLINE)
    sync_fleets (self);

  self->last_state = state;
}

static void
row_activated_cb (GtkListBox    *list_box,
                  GtkListBoxRow *row,
                  BaFleetsPage  *self)
{
  BaFleet *fleet = g_object_get_data (G_OBJECT (row), "ba-fleet");

  if (fleet == NULL || self->account == NULL)
    return;

  ba_fleet_members_page_set_fleet (self->members_page, self->account, fleet);
  gtk_stack_set_visible_child_name (self->stack, "members");
}

static void
back_requested_cb (BaFleetsPage *self)
{
  gtk_stack_set_visible_child_name (self->stack, "fleets");
}

static void
left_fleet_cb (BaFleetsPage *self)
{
  gtk_stack_set_visible_child_name (self->stack, "fleets");
  sync_fleets (self);
}

static void
items_changed_cb (BaFleetsPage *self)
{
  update_empty (self);
}

/* GObject */

static void
ba_fleets_page_dispose (GObject *object)
{
  BaFleetsPage *self = BA_FLEETS_PAGE (object);

  g_cancellable_cancel (self->cancellable);

  if (self->account_signals != NULL)
    g_signal_group_set_target (self->account_signals, NULL);
  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);

  g_clear_object (&self->account_signals);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (ba_fleets_page_parent_class)->dispose (object);
}

static void
ba_fleets_page_finalize (GObject *object)
{
  BaFleetsPage *self = BA_FLEETS_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_fleets_page_parent_class)->finalize (object);
}

static void
ba_fleets_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BaFleetsPage *self = BA_FLEETS_PAGE (object);

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
ba_fleets_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BaFleetsPage *self = BA_FLEETS_PAGE (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      ba_fleets_page_set_account (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_fleets_page_class_init (BaFleetsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_fleets_page_dispose;
  object_class->finalize = ba_fleets_page_finalize;
  object_class->get_property = ba_fleets_page_get_property;
  object_class->set_property = ba_fleets_page_set_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, BA_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_fleets_page_init (BaFleetsPage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *group = adw_preferences_group_new ();

  self->cancellable = g_cancellable_new ();
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT);
  self->list_stack = GTK_STACK (gtk_stack_new ());

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Fleets"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Fleets you administer or that are shared with you. Choose one to see its members."));
  self->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list_box), "boxed-list");
  g_signal_connect_object (self->list_box, "row-activated", G_CALLBACK (row_activated_cb), self, 0);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->list_box));
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), group);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_stack_add_named (self->list_stack, scrolled, "list");

  self->empty_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->empty_page, "view-grid-symbolic");
  adw_status_page_set_title (self->empty_page, _("No Fleets"));
  adw_status_page_set_description (self->empty_page,
                                   _("Fleets you create, and fleets other people share with you, show up here."));
  gtk_stack_add_named (self->list_stack, GTK_WIDGET (self->empty_page), "empty");
  gtk_stack_set_visible_child_name (self->list_stack, "empty");

  gtk_stack_add_named (self->stack, GTK_WIDGET (self->list_stack), "fleets");
  self->members_page = ba_fleet_members_page_new ();
  g_signal_connect_object (self->members_page, "back-requested", G_CALLBACK (back_requested_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->members_page, "left-fleet", G_CALLBACK (left_fleet_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->members_page), "members");
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->stack));

  self->account_signals = g_signal_group_new (BA_TYPE_ACCOUNT);
  g_signal_group_connect_swapped (self->account_signals, "notify::state",
                                  G_CALLBACK (state_changed_cb), self);
}

BaAccount *
ba_fleets_page_get_account (BaFleetsPage *self)
{
  g_return_val_if_fail (BA_IS_FLEETS_PAGE (self), NULL);

  return self->account;
}

void
ba_fleets_page_set_account (BaFleetsPage *self,
                            BaAccount    *account)
{
  g_return_if_fail (BA_IS_FLEETS_PAGE (self));
  g_return_if_fail (account == NULL || BA_IS_ACCOUNT (account));

  if (self->account == account)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->syncing = FALSE;

  if (self->account != NULL)
    g_signal_handlers_disconnect_by_func (ba_account_get_fleets (self->account),
                                          items_changed_cb, self);

  g_set_object (&self->account, account);
  g_signal_group_set_target (self->account_signals, account);
  ba_fleet_members_page_set_fleet (self->members_page, NULL, NULL);
  gtk_stack_set_visible_child_name (self->stack, "fleets");

  if (account != NULL)
    {
      GListModel *fleets = ba_account_get_fleets (account);

      gtk_list_box_bind_model (self->list_box, fleets, create_fleet_row, NULL, NULL);
      g_signal_connect_object (fleets, "items-changed", G_CALLBACK (items_changed_cb),
                               self, G_CONNECT_SWAPPED);
      self->last_state = ba_account_get_state (account);
      ba_account_load_cached_fleets_async (account, self->cancellable, cached_cb, g_object_ref (self));
      if (self->last_state == BA_ACCOUNT_STATE_ONLINE)
        sync_fleets (self);
    }
  else
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);

  update_empty (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}
