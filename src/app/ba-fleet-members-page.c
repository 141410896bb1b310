/* ba-fleet-members-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-fleet-members-page"

#include "config.h"

#include "ba-fleet-members-page-private.h"

#include "ba-account-fleets.h"
#include "ba-error.h"
#include "ba-window.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaFleetMembersPage, ba_fleet_members_page, ADW_TYPE_BIN)

enum {
  SIGNAL_BACK_REQUESTED,
  SIGNAL_LEFT_FLEET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
toast (BaFleetMembersPage *self,
       const char         *message)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), BA_TYPE_WINDOW);

  if (window != NULL)
    ba_window_add_toast (BA_WINDOW (window), message);
  else
    g_message ("%s", message);
}

/* The role names, as people read them. */
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

static char *
role_label_for_expression (BaFleetRole *role)
{
  return g_strdup (role_label (ba_fleet_role_get_name (role)));
}

static gboolean
can_manage (BaFleetMembersPage *self)
{
  return self->fleet != NULL && ba_fleet_can_manage_members (self->fleet);
}

static guint
role_position (BaFleetMembersPage *self,
               gint64              role_id)
{
  for (guint i = 0; self->roles != NULL && i < g_list_model_get_n_items (self->roles); i++)
    {
      g_autoptr(BaFleetRole) role = g_list_model_get_item (self->roles, i);

      if (ba_fleet_role_get_id (role) == role_id)
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

static gboolean
find_item (GListStore *store,
           gpointer    item,
           guint      *out_position)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr(GObject) other = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (other == item)
        {
          *out_position = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* Role drop-downs: the name, and in the pop-up list its description too. */

static void
role_item_setup_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *description = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (description), 0);
  gtk_label_set_wrap (GTK_LABEL (description), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (description), 40);
  gtk_widget_add_css_class (description, "dim-label");
  gtk_widget_add_css_class (description, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), description);
  gtk_list_item_set_child (item, box);
}

static void
role_item_bind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  BaFleetRole *role = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *name = gtk_widget_get_first_child (box);
  GtkWidget *description = gtk_widget_get_next_sibling (name);

  gtk_label_set_label (GTK_LABEL (name), role_label (ba_fleet_role_get_name (role)));
  gtk_label_set_label (GTK_LABEL (description), ba_fleet_role_get_description (role));
  gtk_widget_set_visible (description, ba_fleet_role_get_description (role) != NULL);
}

static GtkListItemFactory *
role_list_factory (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (role_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (role_item_bind_cb), NULL);

  return factory;
}

static GtkExpression *
role_expression (void)
{
  return gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                      G_CALLBACK (role_label_for_expression), NULL, NULL);
}

/* Role changes */

typedef struct
{
  BaFleetMembersPage *self;
  BaFleetMember      *member;
  BaFleetRole        *role;
} ChangeData;

static void
change_data_free (ChangeData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->member);
  g_clear_object (&data->role);
  g_free (data);
}

static void
role_changed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ChangeData *data = user_data;
  BaFleetMembersPage *self = data->self;
  g_autoptr(GError) error = NULL;
  guint position;
  gboolean ok;

  ok = ba_account_change_fleet_member_role_finish (BA_ACCOUNT (object), result, &error);
  self->pending--;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;

  if (self->members != NULL && find_item (self->members, data->member, &position))
    {
      g_autoptr(BaFleetMember) replacement = NULL;

      if (ok)
        replacement = ba_fleet_member_new (ba_fleet_member_get_id (data->member),
                                           ba_fleet_member_get_user_id (data->member),
                                           ba_fleet_member_get_username (data->member),
                                           ba_fleet_role_get_id (data->role),
                                           ba_fleet_role_get_name (data->role));
      else
        replacement = g_object_ref (data->member);

      /* A new row either way: on failure it shows the old role again. */
      g_list_store_splice (self->members, position, 1, (gpointer *) &replacement, 1);
    }

  if (ok)
    {
      g_autofree char *message = g_strdup_printf (_("%s is now %s"),
                                                  ba_fleet_member_get_username (data->member),
                                                  role_label (ba_fleet_role_get_name (data->role)));
      toast (self, message);
    }
  else
    toast (self, error->message);

out:
  change_data_free (data);
}

static void
dropdown_selected_cb (GtkDropDown        *dropdown,
                      GParamSpec         *pspec,
                      BaFleetMembersPage *self)
{
  BaFleetMember *member = g_object_get_data (G_OBJECT (dropdown), "ba-member");
  BaFleetRole *role = gtk_drop_down_get_selected_item (dropdown);
  ChangeData *data;

  if (role == NULL || member == NULL ||
      ba_fleet_role_get_id (role) == ba_fleet_member_get_role_id (member))
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (dropdown), FALSE);

  data = g_new0 (ChangeData, 1);
  data->self = g_object_ref (self);
  data->member = g_object_ref (member);
  data->role = g_object_ref (role);
  self->pending++;
  ba_account_change_fleet_member_role_async (self->account, ba_fleet_member_get_id (member),
                                             ba_fleet_role_get_id (role), self->cancellable,
                                             role_changed_cb, data);
}

/* Removing */

static void load (BaFleetMembersPage *self);

static void
member_removed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ChangeData *data = user_data;
  BaFleetMembersPage *self = data->self;
  g_autoptr(GError) error = NULL;
  guint position;

  ba_account_remove_fleet_member_finish (BA_ACCOUNT (object), result, &error);
  self->pending--;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;

  if (error != NULL)
    {
      toast (self, error->message);
      /* Let the row be tried again. */
      if (self->members != NULL && find_item (self->members, data->member, &position))
        g_list_store_splice (self->members, position, 1, (gpointer *) &data->member, 1);
      goto out;
    }

  if (self->members != NULL && find_item (self->members, data->member, &position))
    g_list_store_remove (self->members, position);

  if (ba_fleet_member_get_user_id (data->member) == ba_account_get_user_id (self->account))
    {
      g_autofree char *message = g_strdup_printf (_("You left %s"), ba_fleet_get_name (self->fleet));

      toast (self, message);
      g_signal_emit (self, signals[SIGNAL_LEFT_FLEET], 0);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("%s was removed from the fleet"),
                                                  ba_fleet_member_get_username (data->member));

      toast (self, message);
    }

out:
  change_data_free (data);
}

static void
remove_response_cb (AdwMessageDialog   *dialog,
                    const char         *response,
                    BaFleetMembersPage *self)
{
  BaFleetMember *member = g_object_get_data (G_OBJECT (dialog), "ba-member");
  GtkWidget *button = g_object_get_data (G_OBJECT (dialog), "ba-remove-button");
  ChangeData *data;

  if (g_strcmp0 (response, "remove") != 0 || member == NULL || self->account == NULL)
    return;

  if (button != NULL)
    gtk_widget_set_sensitive (button, FALSE);

  data = g_new0 (ChangeData, 1);
  data->self = g_object_ref (self);
  data->member = g_object_ref (member);
  self->pending++;
  ba_account_remove_fleet_member_async (self->account, ba_fleet_member_get_id (member),
                                        self->cancellable, member_removed_cb, data);
}

static void
remove_clicked_cb (GtkButton          *button,
                   BaFleetMembersPage *self)
{
  BaFleetMember *member = g_object_get_data (G_OBJECT (button), "ba-member");
  gboolean is_self = ba_fleet_member_get_user_id (member) == ba_account_get_user_id (self->account);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (is_self)
    {
      heading = g_strdup_printf (_("Leave %s?"), ba_fleet_get_name (self->fleet));
      body = g_strdup (_("You will lose access to the fleet and its devices. Only an administrator can add you again."));
    }
  else
    {
      heading = g_strdup_printf (_("Remove %s?"), ba_fleet_member_get_username (member));
      body = g_strdup_printf (_("%s will lose access to %s and its devices."),
                              ba_fleet_member_get_username (member), ba_fleet_get_name (self->fleet));
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", is_self ? _("_Leave") : _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "ba-member", g_object_ref (member), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "ba-remove-button", button);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);

  self->remove_dialog = ADW_MESSAGE_DIALOG (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->remove_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Rows */

static GtkWidget *
create_member_row (gpointer item,
                   gpointer user_data)
{
  BaFleetMembersPage *self = user_data;
  BaFleetMember *member = item;
  gboolean is_self = ba_fleet_member_get_user_id (member) == ba_account_get_user_id (self->account);
  g_autofree char *plain = NULL;
  g_autofree char *title = NULL;
  GtkWidget *row = adw_action_row_new ();

  plain = is_self ? g_strdup_printf (_("%s (you)"), ba_fleet_member_get_username (member))
                  : g_strdup (ba_fleet_member_get_username (member));
  title = g_markup_escape_text (plain, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_set_data_full (G_OBJECT (row), "ba-member", g_object_ref (member), g_object_unref);

  if (can_manage (self) && self->roles != NULL)
    {
      g_autoptr(GtkListItemFactory) factory = role_list_factory ();
      GtkWidget *dropdown = gtk_drop_down_new (g_object_ref (self->roles), role_expression ());
      g_autofree char *tooltip = g_strdup_printf (_("Role of %s"), ba_fleet_member_get_username (member));

      gtk_drop_down_set_list_factory (GTK_DROP_DOWN (dropdown), factory);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown),
                                  role_position (self, ba_fleet_member_get_role_id (member)));
      gtk_widget_set_valign (dropdown, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (dropdown, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      g_object_set_data_full (G_OBJECT (dropdown), "ba-member", g_object_ref (member), g_object_unref);
      g_signal_connect_object (dropdown, "notify::selected", G_CALLBACK (dropdown_selected_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), dropdown);
      g_object_set_data (G_OBJECT (row), "ba-role-dropdown", dropdown);
    }
  else
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), role_label (ba_fleet_member_get_role_name (member)));
    }

  /* Administrators remove anyone; a member may leave. */
  if (can_manage (self) || is_self)
    {
      GtkWidget *button = gtk_button_new_from_icon_name (is_self && !can_manage (self)
                                                         ? "system-log-out-symbolic"
                                                         : "user-trash-symbolic");
      g_autofree char *tooltip = is_self ? g_strdup (_("Leave this fleet"))
                                         : g_strdup_printf (_("Remove %s"),
                                                            ba_fleet_member_get_username (member));

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      g_object_set_data_full (G_OBJECT (button), "ba-member", g_object_ref (member), g_object_unref);
      g_signal_connect_object (button, "clicked", G_CALLBACK (remove_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      g_object_set_data (G_OBJECT (row), "ba-remove-button", button);
    }

  return row;
}

typedef struct
{
  BaFleetMembersPage *self;
  BaFleetInvite      *invite;
} RevokeData;

static void
revoke_data_free (RevokeData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->invite);
  g_free (data);
}

static void
invite_revoked_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RevokeData *data = user_data;
  BaFleetMembersPage *self = data->self;
  g_autoptr(GError) error = NULL;
  guint position;

  ba_account_revoke_fleet_invite_finish (BA_ACCOUNT (object), result, &error);
  self->pending--;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;

  if (self->invites != NULL && find_item (self->invites, data->invite, &position))
    {
      if (error == NULL)
        g_list_store_remove (self->invites, position);
      else
        g_list_store_splice (self->invites, position, 1, (gpointer *) &data->invite, 1);
    }

  if (error != NULL)
    toast (self, error->message);
  else
    {
      g_autofree char *message = g_strdup_printf (_("The invitation to %s was revoked"),
                                                  ba_fleet_invite_get_email (data->invite));
      toast (self, message);
    }

out:
  revoke_data_free (data);
}

static void
revoke_clicked_cb (GtkButton          *button,
                   BaFleetMembersPage *self)
{
  BaFleetInvite *invite = g_object_get_data (G_OBJECT (button), "ba-invite");
  RevokeData *data = g_new0 (RevokeData, 1);

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  data->self = g_object_ref (self);
  data->invite = g_object_ref (invite);
  self->pending++;
  ba_account_revoke_fleet_invite_async (self->account, ba_fleet_invite_get_id (invite),
                                        self->cancellable, invite_revoked_cb, data);
}

static GtkWidget *
create_invite_row (gpointer item,
                   gpointer user_data)
{
  BaFleetMembersPage *self = user_data;
  BaFleetInvite *invite = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Revoke"));
  g_autofree char *title = g_markup_escape_text (ba_fleet_invite_get_email (invite), -1);
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *tooltip = g_strdup_printf (_("Revoke the invitation to %s"),
                                              ba_fleet_invite_get_email (invite));

  if (ba_fleet_invite_get_message (invite) != NULL)
    subtitle = g_strdup_printf ("%s · “%s”", role_label (ba_fleet_invite_get_role_name (invite)),
                                ba_fleet_invite_get_message (invite));
  else
    subtitle = g_strdup (role_label (ba_fleet_invite_get_role_name (invite)));
  escaped = g_markup_escape_text (subtitle, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  g_object_set_data_full (G_OBJECT (button), "ba-invite", g_object_ref (invite), g_object_unref);
  g_signal_connect_object (button, "clicked", G_CALLBACK (revoke_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  g_object_set_data (G_OBJECT (row), "ba-revoke-button", button);

  return row;
}

/* Add member / invite window */

static void
dialog_set_busy (BaFleetMembersPage *self,
                 gboolean            busy)
{
  if (self->dialog == NULL)
    return;

  /* Only the button: a focused entry made insensitive loses its
   * focus-out event in GTK 4.8. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->dialog_confirm), !busy);
  self->dialog_busy = busy;
}

static void
dialog_show_error (BaFleetMembersPage *self,
                   const char         *message)
{
  if (self->dialog == NULL)
    {
      toast (self, message);
      return;
    }

  gtk_label_set_label (self->dialog_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->dialog_error), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->dialog_entry), "error");
  gtk_widget_grab_focus (GTK_WIDGET (self->dialog_entry));
}

static void
member_added_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(BaFleetMembersPage) self = user_data;
  g_autoptr(BaFleetMember) member = NULL;
  g_autoptr(GError) error = NULL;

  member = ba_account_add_fleet_member_finish (BA_ACCOUNT (object), result, &error);
  self->pending--;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  dialog_set_busy (self, FALSE);

  if (member == NULL)
    {
      dialog_show_error (self, error->message);
      return;
    }

  if (self->members != NULL)
    {
      guint i = 0;

      /* By username, as the list is. */
      while (i < g_list_model_get_n_items (G_LIST_MODEL (self->members)))
        {
          g_autoptr(BaFleetMember) other = g_list_model_get_item (G_LIST_MODEL (self->members), i);

          if (g_utf8_collate (ba_fleet_member_get_username (member),
                              ba_fleet_member_get_username (other)) < 0)
            break;
          i++;
        }
      g_list_store_insert (self->members, i, member);
    }

  {
    g_autofree char *message = g_strdup_printf (_("%s was added as %s"),
                                                ba_fleet_member_get_username (member),
                                                role_label (ba_fleet_member_get_role_name (member)));
    toast (self, message);
  }

  if (self->dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->dialog));
}

static void
invited_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BaFleetMembersPage) self = user_data;
  g_autoptr(BaFleetInvite) invite = NULL;
  g_autoptr(GError) error = NULL;

  invite = ba_account_invite_to_fleet_finish (BA_ACCOUNT (object), result, &error);
  self->pending--;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  dialog_set_busy (self, FALSE);

  if (invite == NULL)
    {
      dialog_show_error (self, error->message);
      return;
    }

  if (self->invites != NULL)
    g_list_store_append (self->invites, invite);

  {
    g_autofree char *message = g_strdup_printf (_("An invitation was sent to %s"),
                                                ba_fleet_invite_get_email (invite));
    toast (self, message);
  }

  if (self->dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->dialog));
}

static void
dialog_confirm_cb (BaFleetMembersPage *self)
{
  BaFleetRole *role;
  const char *text;

  if (self->dialog == NULL || self->account == NULL || self->fleet == NULL ||
      self->dialog_busy || !gtk_widget_get_sensitive (GTK_WIDGET (self->dialog_confirm)))
    return;

  text = gtk_editable_get_text (GTK_EDITABLE (self->dialog_entry));
  role = adw_combo_row_get_selected_item (self->dialog_role);

  gtk_widget_set_visible (GTK_WIDGET (self->dialog_error), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->dialog_entry), "error");
  dialog_set_busy (self, TRUE);
  self->pending++;

  if (self->dialog_invites)
    ba_account_invite_to_fleet_async (self->account, ba_fleet_get_id (self->fleet), text,
                                      role != NULL ? ba_fleet_role_get_id (role) : 0,
                                      gtk_editable_get_text (GTK_EDITABLE (self->dialog_message)),
                                      self->cancellable, invited_cb, g_object_ref (self));
  else
    ba_account_add_fleet_member_async (self->account, ba_fleet_get_id (self->fleet), text,
                                       role != NULL ? ba_fleet_role_get_id (role) : 0,
                                       self->cancellable, member_added_cb, g_object_ref (self));
}

static void
dialog_entry_changed_cb (BaFleetMembersPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->dialog_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  gtk_widget_set_sensitive (GTK_WIDGET (self->dialog_confirm), *stripped != '\0' && !self->dialog_busy);
}

/* The chosen role's description under its name. */
static void
dialog_role_changed_cb (BaFleetMembersPage *self)
{
  BaFleetRole *role = self->dialog_role != NULL ? adw_combo_row_get_selected_item (self->dialog_role) : NULL;
  g_autofree char *escaped = NULL;

  if (role != NULL && ba_fleet_role_get_description (role) != NULL)
    escaped = g_markup_escape_text (ba_fleet_role_get_description (role), -1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->dialog_role), escaped != NULL ? escaped : "");
}

static void
open_dialog (BaFleetMembersPage *self,
             gboolean            invites)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkExpression) expression = NULL;
  g_autofree char *title = NULL;
  GtkWidget *window;
  GtkWidget *toolbar;
  GtkWidget *header;
  GtkWidget *cancel;
  GtkWidget *box;
  GtkWidget *group;
  GtkWidget *clamp;

  if (self->dialog != NULL || self->fleet == NULL)
    return;

  title = invites ? g_strdup_printf (_("Invite to %s"), ba_fleet_get_name (self->fleet))
                  : g_strdup_printf (_("Add a Member to %s"), ba_fleet_get_name (self->fleet));

  window = adw_window_new ();
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  gtk_window_set_default_size (GTK_WINDOW (window), 560, -1);
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);

  toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_close), window);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  self->dialog_confirm = GTK_BUTTON (gtk_button_new_with_mnemonic (invites ? _("_Invite") : _("_Add")));
  gtk_widget_add_css_class (GTK_WIDGET (self->dialog_confirm), "suggested-action");
  gtk_widget_set_sensitive (GTK_WIDGET (self->dialog_confirm), FALSE);
  g_signal_connect_swapped (self->dialog_confirm, "clicked", G_CALLBACK (dialog_confirm_cb), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->dialog_confirm));
  gtk_box_append (GTK_BOX (toolbar), header);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  group = adw_preferences_group_new ();
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         invites
                                         ? _("The person gets an email with an invitation to this fleet. They can accept it with an existing account or a new one.")
                                         : _("The person needs an account on this server. They also join the fleet’s organization as a member."));

  self->dialog_entry = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dialog_entry),
                                 invites ? _("Email address") : _("Username or email address"));
  adw_entry_row_set_activates_default (self->dialog_entry, FALSE);
  g_signal_connect_swapped (self->dialog_entry, "changed", G_CALLBACK (dialog_entry_changed_cb), self);
  g_signal_connect_swapped (self->dialog_entry, "entry-activated", G_CALLBACK (dialog_confirm_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->dialog_entry));

  factory = role_list_factory ();
  self->dialog_role = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dialog_role), _("Role"));
  expression = role_expression ();
  adw_combo_row_set_expression (self->dialog_role, expression);
  adw_combo_row_set_list_factory (self->dialog_role, factory);
  if (self->roles != NULL)
    adw_combo_row_set_model (self->dialog_role, self->roles);
  g_signal_connect_object (self->dialog_role, "notify::selected",
                           G_CALLBACK (dialog_role_changed_cb), self, G_CONNECT_SWAPPED);
  dialog_role_changed_cb (self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->dialog_role));

  self->dialog_message = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dialog_message), _("Message (optional)"));
  gtk_widget_set_visible (GTK_WIDGET (self->dialog_message), invites);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->dialog_message));

  gtk_box_append (GTK_BOX (box), group);

  self->dialog_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->dialog_error, TRUE);
  gtk_label_set_xalign (self->dialog_error, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->dialog_error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->dialog_error), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->dialog_error));

  clamp = adw_clamp_new ();
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_box_append (GTK_BOX (toolbar), clamp);
  adw_window_set_content (ADW_WINDOW (window), toolbar);

  self->dialog_invites = invites;
  self->dialog_busy = FALSE;
  self->dialog = ADW_WINDOW (window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->dialog);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_grab_focus (GTK_WIDGET (self->dialog_entry));
}

static void
add_clicked_cb (BaFleetMembersPage *self)
{
  open_dialog (self, FALSE);
}

static void
invite_clicked_cb (BaFleetMembersPage *self)
{
  open_dialog (self, TRUE);
}

/* Loading */

static void
update_header (BaFleetMembersPage *self)
{
  g_autofree char *subtitle = NULL;
  gboolean manage = can_manage (self);

  if (self->fleet == NULL)
    return;

  gtk_label_set_label (self->title_label, ba_fleet_get_name (self->fleet));
  subtitle = g_strdup_printf (_("%s · your role: %s"),
                              ba_fleet_get_organization_name (self->fleet) != NULL
                              ? ba_fleet_get_organization_name (self->fleet) : ba_fleet_get_slug (self->fleet),
                              ba_fleet_get_role (self->fleet) != NULL
                              ? role_label (ba_fleet_get_role (self->fleet)) : _("unknown"));
  gtk_label_set_label (self->subtitle_label, subtitle);

  /* Controls the user may not use are not offered. */
  gtk_widget_set_visible (GTK_WIDGET (self->add_button), manage);
  gtk_widget_set_visible (GTK_WIDGET (self->invite_button), manage);
  gtk_widget_set_visible (GTK_WIDGET (self->invites_group), manage);
  adw_preferences_group_set_description (self->members_group,
                                         manage ? NULL
                                         : _("Only administrators of the fleet’s organization can add, change or remove members."));
}

static void
bind_lists (BaFleetMembersPage *self)
{
  gtk_list_box_bind_model (self->members_list, G_LIST_MODEL (self->members),
                           create_member_row, self, NULL);
  gtk_list_box_bind_model (self->invites_list, self->invites != NULL ? G_LIST_MODEL (self->invites) : NULL,
                           create_invite_row, self, NULL);
}

typedef struct
{
  BaFleetMembersPage *self;
  BaFleet            *fleet;
  GListModel         *roles;
  GListStore         *members;
  GListStore         *invites;
  GError             *error;
  guint               waiting;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->fleet);
  g_clear_object (&data->roles);
  g_clear_object (&data->members);
  g_clear_object (&data->invites);
  g_clear_error (&data->error);
  g_free (data);
}

static void
load_step_done (LoadData *data)
{
  BaFleetMembersPage *self = data->self;

  if (--data->waiting > 0)
    return;

  self->pending--;

  /* Another fleet was chosen meanwhile, or the page went away. */
  if (g_error_matches (data->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->fleet != data->fleet)
    {
      load_data_free (data);
      return;
    }

  if (data->error != NULL)
    {
      gtk_label_set_label (self->members_error, data->error->message);
      gtk_stack_set_visible_child_name (self->members_stack, "error");
      load_data_free (data);
      return;
    }

  g_set_object (&self->roles, data->roles);
  g_set_object (&self->members, data->members);
  g_set_object (&self->invites, data->invites);
  bind_lists (self);
  gtk_stack_set_visible_child_name (self->members_stack, "list");

  load_data_free (data);
}

static void
keep_error (LoadData *data,
            GError   *error)
{
  if (error != NULL && data->error == NULL)
    data->error = g_error_copy (error);
}

static void
roles_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LoadData *data = user_data;
  g_autoptr(GError) error = NULL;

  data->roles = ba_account_list_fleet_roles_finish (BA_ACCOUNT (object), result, &error);
  keep_error (data, error);
  load_step_done (data);
}

static void
members_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LoadData *data = user_data;
  g_autoptr(GError) error = NULL;

  data->members = ba_account_list_fleet_members_finish (BA_ACCOUNT (object), result, &error);
  keep_error (data, error);
  load_step_done (data);
}

static void
invites_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LoadData *data = user_data;
  g_autoptr(GError) error = NULL;

  data->invites = ba_account_list_fleet_invites_finish (BA_ACCOUNT (object), result, &error);
  keep_error (data, error);
  load_step_done (data);
}

static void
load (BaFleetMembersPage *self)
{
  LoadData *data;

  if (self->account == NULL || self->fleet == NULL)
    return;

  gtk_stack_set_visible_child_name (self->members_stack, "loading");

  data = g_new0 (LoadData, 1);
  data->self = g_object_ref (self);
  data->fleet = g_object_ref (self->fleet);
  data->waiting = can_manage (self) ? 3 : 2;
  self->pending++;

  ba_account_list_fleet_roles_async (self->account, self->cancellable, roles_loaded_cb, data);
  ba_account_list_fleet_members_async (self->account, ba_fleet_get_id (self->fleet),
                                       self->cancellable, members_loaded_cb, data);
  if (can_manage (self))
    ba_account_list_fleet_invites_async (self->account, ba_fleet_get_id (self->fleet),
                                         self->cancellable, invites_loaded_cb, data);
}

static void
back_clicked_cb (BaFleetMembersPage *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK_REQUESTED], 0);
}

static void
retry_clicked_cb (BaFleetMembersPage *self)
{
  load (self);
}

/* GObject */

static void
ba_fleet_members_page_dispose (GObject *object)
{
  BaFleetMembersPage *self = BA_FLEET_MEMBERS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  if (self->remove_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->remove_dialog));

  if (self->members_list != NULL)
    gtk_list_box_bind_model (self->members_list, NULL, NULL, NULL, NULL);
  if (self->invites_list != NULL)
    gtk_list_box_bind_model (self->invites_list, NULL, NULL, NULL, NULL);

  g_clear_object (&self->account);
  g_clear_object (&self->fleet);
  g_clear_object (&self->roles);
  g_clear_object (&self->members);
  g_clear_object (&self->invites);

  G_OBJECT_CLASS (ba_fleet_members_page_parent_class)->dispose (object);
}

static void
ba_fleet_members_page_finalize (GObject *object)
{
  BaFleetMembersPage *self = BA_FLEET_MEMBERS_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_fleet_members_page_parent_class)->finalize (object);
}

static void
ba_fleet_members_page_class_init (BaFleetMembersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_fleet_members_page_dispose;
  object_class->finalize = ba_fleet_members_page_finalize;

  signals[SIGNAL_BACK_REQUESTED] =
    g_signal_new ("back-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The user removed their own membership: the fleet list has changed. */
  signals[SIGNAL_LEFT_FLEET] =
    g_signal_new ("left-fleet", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static GtkWidget *
new_boxed_list (void)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  return list;
}

static void
ba_fleet_members_page_init (BaFleetMembersPage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *error_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *retry = gtk_button_new_with_mnemonic (_("_Try Again"));
  GtkWidget *placeholder = gtk_label_new (_("No pending invitations"));

  self->cancellable = g_cancellable_new ();

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->back_button = GTK_BUTTON (gtk_button_new_from_icon_name ("go-previous-symbolic"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->back_button), _("Back to Fleets"));
  gtk_widget_set_valign (GTK_WIDGET (self->back_button), GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->back_button, "clicked", G_CALLBACK (back_clicked_cb), self);
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->back_button));

  self->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title_label, 0);
  gtk_label_set_ellipsize (self->title_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "title-2");
  self->subtitle_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->subtitle_label, 0);
  gtk_label_set_ellipsize (self->subtitle_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->subtitle_label), "dim-label");
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->title_label));
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->subtitle_label));
  gtk_widget_set_hexpand (titles, TRUE);
  gtk_box_append (GTK_BOX (top), titles);
  gtk_box_append (GTK_BOX (box), top);

  self->members_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->members_group, _("Members"));
  self->add_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Add Member…")));
  self->invite_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Invite by Email…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->add_button), "flat");
  gtk_widget_add_css_class (GTK_WIDGET (self->invite_button), "flat");
  g_signal_connect_swapped (self->add_button, "clicked", G_CALLBACK (add_clicked_cb), self);
  g_signal_connect_swapped (self->invite_button, "clicked", G_CALLBACK (invite_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->add_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->invite_button));
  adw_preferences_group_set_header_suffix (self->members_group, buttons);

  self->members_stack = GTK_STACK (gtk_stack_new ());
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_stack_add_named (self->members_stack, spinner, "loading");
  self->members_list = GTK_LIST_BOX (new_boxed_list ());
  gtk_stack_add_named (self->members_stack, GTK_WIDGET (self->members_list), "list");
  self->members_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->members_error, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->members_error), "error");
  gtk_box_append (GTK_BOX (error_box), GTK_WIDGET (self->members_error));
  gtk_widget_set_halign (retry, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (retry, "clicked", G_CALLBACK (retry_clicked_cb), self);
  gtk_box_append (GTK_BOX (error_box), retry);
  gtk_stack_add_named (self->members_stack, error_box, "error");
  adw_preferences_group_add (self->members_group, GTK_WIDGET (self->members_stack));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->members_group));

  self->invites_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->invites_group, _("Pending Invitations"));
  self->invites_list = GTK_LIST_BOX (new_boxed_list ());
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->invites_list, placeholder);
  adw_preferences_group_add (self->invites_group, GTK_WIDGET (self->invites_list));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->invites_group));

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  adw_bin_set_child (ADW_BIN (self), scrolled);
}

BaFleetMembersPage *
ba_fleet_members_page_new (void)
{
  return g_object_new (BA_TYPE_FLEET_MEMBERS_PAGE, NULL);
}

BaFleet *
ba_fleet_members_page_get_fleet (BaFleetMembersPage *self)
{
  g_return_val_if_fail (BA_IS_FLEET_MEMBERS_PAGE (self), NULL);

  return self->fleet;
}

void
ba_fleet_members_page_set_fleet (BaFleetMembersPage *self,
                                 BaAccount          *account,
                                 BaFleet            *fleet)
{
  g_return_if_fail (BA_IS_FLEET_MEMBERS_PAGE (self));
  g_return_if_fail (account == NULL || BA_IS_ACCOUNT (account));
  g_return_if_fail (fleet == NULL || BA_IS_FLEET (fleet));

  /* Whatever was loading for the previous fleet is of no use now. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  if (self->remove_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->remove_dialog));

  g_set_object (&self->account, account);
  g_set_object (&self->fleet, fleet);
  g_clear_object (&self->members);
  g_clear_object (&self->invites);
  gtk_list_box_bind_model (self->members_list, NULL, NULL, NULL, NULL);
  gtk_list_box_bind_model (self->invites_list, NULL, NULL, NULL, NULL);

  update_header (self);
  load (self);
}
