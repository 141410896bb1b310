/* ba-balenarc.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-balenarc"

#include "config.h"

#include <string.h>

#include "ba-balenarc.h"
#include "ba-error.h"

BaBalenarc *
ba_balenarc_new (void)
{
  return g_new0 (BaBalenarc, 1);
}

void
ba_balenarc_free (BaBalenarc *self)
{
  if (self == NULL)
    return;

  g_free (self->balena_url);
  g_free (self->api_url);
  g_free (self->dashboard_url);
  g_free (self->data_directory);
  g_free (self);
}

/* The field for setting @name, or NULL for settings we do not use. */
static char **
field_for (BaBalenarc *self,
           const char *name)
{
  if (g_str_equal (name, "balenaUrl"))
    return &self->balena_url;
  if (g_str_equal (name, "apiUrl"))
    return &self->api_url;
  if (g_str_equal (name, "dashboardUrl"))
    return &self->dashboard_url;
  if (g_str_equal (name, "dataDirectory"))
    return &self->data_directory;

  return NULL;
}

/* YAML */

static gboolean
fail (GError     **error,
      guint        line,
      const char  *what)
{
  g_set_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT, "Line %u: %s", line, what);
  return FALSE;
}

/* Only spaces, tabs and a comment may follow a quoted scalar. */
static gboolean
rest_is_blank (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;

  return *p == '\0' || *p == '#';
}

/* Reads a double-quoted scalar starting at @p (on the quote). */
static char *
parse_double_quoted (const char  *p,
                     const char **out_end)
{
  GString *out = g_string_new (NULL);

  for (p++; *p != '\0' && *p != '"'; p++)
    {
      if (*p != '\\')
        {
          g_string_append_c (out, *p);
          continue;
        }

      p++;
      switch (*p)
        {
        case '\\': g_string_append_c (out, '\\'); break;
        case '"': g_string_append_c (out, '"'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case '0': g_string_append_c (out, '\0'); break;
        case ' ': g_string_append_c (out, ' '); break;
        case 'u':
          {
            char hex[5] = { 0 };
            guint64 code;

            if (strlen (p + 1) < 4)
              goto bad;
            memcpy (hex, p + 1, 4);
            if (!g_ascii_string_to_unsigned (hex, 16, 1, 0xffff, &code, NULL) ||
                (code >= 0xd800 && code <= 0xdfff))
              goto bad;
            g_string_append_unichar (out, (gunichar) code);
            p += 4;
            break;
          }
        default:
          goto bad;
        }
    }

  if (*p != '"')
    goto bad;

  *out_end = p + 1;
  return g_string_free (out, FALSE);

bad:
  g_string_free (out, TRUE);
  return NULL;
}

/* Reads a single-quoted scalar starting at @p (on the quote); '' is a
 * quote. */
static char *
parse_single_quoted (const char  *p,
                     const char **out_end)
{
  GString *out = g_string_new (NULL);

  for (p++; *p != '\0'; p++)
    {
      if (*p == '\'')
        {
          if (p[1] != '\'')
            {
              *out_end = p + 1;
              return g_string_free (out, FALSE);
            }
          p++;
        }
      g_string_append_c (out, *p);
    }

  g_string_free (out, TRUE);
  return NULL;
}

/* Parses the scalar at @p to the end of the line into *@out_value (NULL
 * for a null or empty value). Returns FALSE with *@out_problem for forms
 * this reader does not know (flow collections, anchors, tags, block
 * scalars) and malformed quotes. */
static gboolean
parse_value (const char  *p,
             char       **out_value,
             const char **out_problem)
{
  const char *end = NULL;
  g_autofree char *value = NULL;

  *out_value = NULL;

  while (*p == ' ' || *p == '\t')
    p++;

  if (*p == '"' || *p == '\'')
    {
      value = *p == '"' ? parse_double_quoted (p, &end) : parse_single_quoted (p, &end);
      if (value == NULL)
        {
          *out_problem = "unterminated or malformed quoted value";
          return FALSE;
        }
      if (!rest_is_blank (end))
        {
          *out_problem = "text after a quoted value";
          return FALSE;
        }
      *out_value = g_steal_pointer (&value);
      return TRUE;
    }

  if (*p != '\0' && *p != '#' && strchr ("[]{}&*!|>%@`", *p) != NULL)
    {
      *out_problem = "only plain or quoted values are supported";
      return FALSE;
    }

  /* A plain scalar ends at " #", where a comment starts. */
  value = g_strdup (p);
  for (char *q = value; *q != '\0'; q++)
    {
      if (*q == '#' && (q == value || q[-1] == ' ' || q[-1] == '\t'))
        {
          *q = '\0';
          break;
        }
    }
  g_strchomp (value);

  if (*value == '\0' || g_str_equal (value, "~") || g_ascii_strcasecmp (value, "null") == 0)
    return TRUE;

  *out_value = g_steal_pointer (&value);
  return TRUE;
}

gboolean
ba_balenarc_parse_yaml (BaBalenarc  *self,
                        const char  *text,
                        gssize       length,
                        GError     **error)
{
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) found = NULL;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (text != NULL || length == 0, FALSE);

  if (length < 0)
    length = strlen (text);

  if (!g_utf8_validate (text, length, NULL) || memchr (text, '\0', length) != NULL)
    return fail (error, 1, "not UTF-8 text");

  copy = g_strndup (text, length);
  lines = g_strsplit (g_str_has_prefix (copy, "\xef\xbb\xbf") ? copy + 3 : copy, "\n", -1);
  found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      g_autofree char *name = NULL;
      g_autofree char *scalar = NULL;
      const char *problem = NULL;
      const char *rest;
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';

      /* Blank lines, comments and document markers. */
      {
        const char *p = line;

        while (*p == ' ' || *p == '\t')
          p++;
        if (*p == '\0' || *p == '#')
          continue;
      }
      if (g_str_has_prefix (line, "---") || g_str_has_prefix (line, "..."))
        {
          if (rest_is_blank (line + 3))
            continue;
        }

      /* Indented lines belong to a block under some other key. */
      if (line[0] == ' ' || line[0] == '\t')
        continue;

      if (line[0] == '-')
        return fail (error, i + 1, "a list where settings were expected");

      if (line[0] == '"' || line[0] == '\'')
        {
          const char *end = NULL;

          name = line[0] == '"' ? parse_double_quoted (line, &end) : parse_single_quoted (line, &end);
          if (name == NULL)
            return fail (error, i + 1, "malformed quoted key");
          rest = end;
          while (*rest == ' ' || *rest == '\t')
            rest++;
          if (*rest != ':')
            return fail (error, i + 1, "expected “key: value”");
          rest++;
        }
      else
        {
          const char *colon = line;

          /* The key ends at the first ": " (or ":" at the end of line). */
          while ((colon = strchr (colon, ':')) != NULL)
            {
              if (colon[1] == '\0' || colon[1] == ' ' || colon[1] == '\t')
                break;
              colon++;
            }
          if (colon == NULL)
            return fail (error, i + 1, "expected “key: value”");
          name = g_strstrip (g_strndup (line, colon - line));
          rest = colon + 1;
        }

      if (*rest != '\0' && *rest != ' ' && *rest != '\t')
        return fail (error, i + 1, "expected a space after “:”");

      if (!parse_value (rest, &scalar, &problem))
        {
          /* Values of settings we do not use may be in any form. */
          if (field_for (self, name) == NULL)
            continue;
          return fail (error, i + 1, problem);
        }

      if (field_for (self, name) != NULL && scalar != NULL)
        g_hash_table_replace (found, g_steal_pointer (&name), g_steal_pointer (&scalar));
    }

  /* All or nothing: a file with an error changes no setting. */
  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      char **field = field_for (self, key);

      g_free (*field);
      *field = g_strdup (value);
    }

  return TRUE;
}

/* Environment */

char *
ba_balenarc_setting_name (const char *variable)
{
  g_auto(GStrv) words = NULL;
  GString *name;
  gsize prefix;

  g_return_val_if_fail (variable != NULL, NULL);

  if (g_ascii_strncasecmp (variable, "BALENARC_", strlen ("BALENARC_")) == 0)
    prefix = strlen ("BALENARC_");
  else if (g_ascii_strncasecmp (variable, "RESINRC_", strlen ("RESINRC_")) == 0)
    prefix = strlen ("RESINRC_");
  else
    return NULL;

  if (variable[prefix] == '\0')
    return NULL;

  words = g_strsplit (variable + prefix, "_", -1);
  name = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *word = g_ascii_strdown (words[i], -1);

      if (*word == '\0')
        continue;

      /* balena-settings-client renames a RESIN word (of upper-case
       * RESIN only) to BALENA. */
      if (g_str_equal (words[i], "RESIN"))
        {
          g_free (word);
          word = g_strdup ("balena");
        }

      if (name->len > 0)
        word[0] = g_ascii_toupper (word[0]);
      g_string_append (name, word);
    }

  if (name->len == 0)
    {
      g_string_free (name, TRUE);
      return NULL;
    }

  return g_string_free (name, FALSE);
}

static void
apply_prefix (BaBalenarc         *self,
              const char * const *envp,
              const char         *prefix)
{
  for (guint i = 0; envp[i] != NULL; i++)
    {
      const char *eq = strchr (envp[i], '=');
      g_autofree char *variable = NULL;
      g_autofree char *name = NULL;
      char **field;

      if (eq == NULL || eq[1] == '\0')
        continue;

      variable = g_strndup (envp[i], eq - envp[i]);
      if (g_ascii_strncasecmp (variable, prefix, strlen (prefix)) != 0)
        continue;

      name = ba_balenarc_setting_name (variable);
      if (name == NULL || (field = field_for (self, name)) == NULL)
        continue;

      g_free (*field);
      *field = g_strdup (eq + 1);
    }
}

void
ba_balenarc_apply_environment (BaBalenarc         *self,
                               const char * const *envp)
{
  g_return_if_fail (self != NULL);

  if (envp == NULL)
    return;

  apply_prefix (self, envp, "RESINRC_");
  apply_prefix (self, envp, "BALENARC_");
}

/* Resolved values */

static const char *
balena_url (const BaBalenarc *self)
{
  return self->balena_url != NULL ? self->balena_url : BA_BALENARC_DEFAULT_BALENA_URL;
}

char *
ba_balenarc_dup_api_url (const BaBalenarc *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->api_url != NULL)
    return g_strdup (self->api_url);

  return g_strconcat ("https://api.", balena_url (self), NULL);
}

char *
ba_balenarc_dup_dashboard_url (const BaBalenarc *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->dashboard_url != NULL)
    return g_strdup (self->dashboard_url);

  return g_strconcat ("https://dashboard.", balena_url (self), NULL);
}

gboolean
ba_balenarc_has_server (const BaBalenarc *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->balena_url != NULL || self->api_url != NULL;
}
