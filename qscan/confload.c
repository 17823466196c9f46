/*
 * confload.c - reading qscan.conf (shared/CLI.md "Configuration file").
 *
 * A list given in the file replaces the embedded default of its key;
 * command-line additions come after and add. Every error is one GError
 * "FILE:LINE: [GROUP] KEY: what is wrong" (LINE when the key or group
 * could be found in the text); the caller exits 2.
 *
 * Decisions: rule names are [A-Za-z0-9._-]+ and unique ignoring case
 * (they become the reason tag rule:NAME); database and quarantine_dir
 * must be absolute paths (qscan runs from cron); whitelist senders and
 * recipients must be addresses (user@domain, IDN domains accepted).
 */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "addr.h"
#include "conf.h"
#include "confpriv.h"
#include "log.h"
#include "qs_limits.h"
#include "util.h"

#define CONF_MAX_FILE (1024 * 1024)


struct load {
	struct qs_config *c;
	const char *path;
	GKeyFile *kf;
	GHashTable *lines;	/* "group\nkey" or "group" -> line (GUINT_TO_POINTER) */
	GError **err;
};

static guint line_of(const struct load *l, const char *group, const char *key)
{
	char *k = key ? g_strconcat(group, "\n", key, NULL) : g_strdup(group);
	guint line = GPOINTER_TO_UINT(g_hash_table_lookup(l->lines, k));

	g_free(k);
	return line;
}

static int fail(const struct load *l, const char *group, const char *key, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
static int fail(const struct load *l, const char *group, const char *key, const char *fmt, ...)
{
	guint line = line_of(l, group, key);
	char *what, *where;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	where = line ? g_strdup_printf("%s:%u", l->path, line) : g_strdup(l->path);
	if (key)
		g_set_error(l->err, QS_ERROR, EINVAL, "%s: [%s] %s: %s", where, group, key, what);
	else
		g_set_error(l->err, QS_ERROR, EINVAL, "%s: [%s]: %s", where, group, what);
	g_free(where);
	g_free(what);
	return -1;
}

/*
 * The text pass: line numbers of groups and keys; a group or key
 * given twice, or a line GKeyFile would reject, is an error here with
 * its line number.
 */
static int scan_text(struct load *l, const char *text)
{
	char **lines = g_strsplit(text, "\n", -1);
	GHashTable *rule_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char *group = NULL;
	int rc = 0;
	guint i;

	for (i = 0; rc == 0 && lines[i]; i++) {
		char *s = g_strstrip(lines[i]), *eq, *k;
		guint n = i + 1;

		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			size_t len = strlen(s);

			if (s[len - 1] != ']' || len < 3) {
				g_set_error(l->err, QS_ERROR, EINVAL, "%s:%u: \"%s\": a group header is [NAME]",
					    l->path, n, s);
				rc = -1;
				break;
			}
			g_free(group);
			group = g_strndup(s + 1, len - 2);	/* as GKeyFile names it */
			if (g_hash_table_contains(l->lines, group)) {
				g_set_error(l->err, QS_ERROR, EINVAL, "%s:%u: [%s]: group given twice (first on line %u)",
					    l->path, n, group, line_of(l, group, NULL));
				rc = -1;
				break;
			}
			if (g_str_has_prefix(group, "rule ")) {
				char *name = g_strstrip(g_ascii_strdown(group + 5, -1));

				if (g_hash_table_contains(rule_names, name)) {
					g_set_error(l->err, QS_ERROR, EINVAL,
						    "%s:%u: [%s]: duplicate rule name (names are compared ignoring case)",
						    l->path, n, group);
					g_free(name);
					rc = -1;
					break;
				}
				g_hash_table_add(rule_names, name);
			}
			g_hash_table_insert(l->lines, g_strdup(group), GUINT_TO_POINTER(n));
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL || group == NULL) {
			g_set_error(l->err, QS_ERROR, EINVAL, "%s:%u: %s", l->path, n,
				    group ? "not a \"key = value\" line, a [group] or a # comment"
					  : "a key before the first [group]");
			rc = -1;
			break;
		}
		*eq = '\0';
		k = g_strconcat(group, "\n", g_strstrip(s), NULL);
		if (g_hash_table_contains(l->lines, k)) {
			g_set_error(l->err, QS_ERROR, EINVAL, "%s:%u: [%s] %s: key given twice (first on line %u)",
				    l->path, n, group, g_strstrip(s),
				    GPOINTER_TO_UINT(g_hash_table_lookup(l->lines, k)));
			g_free(k);
			rc = -1;
			break;
		}
		g_hash_table_insert(l->lines, k, GUINT_TO_POINTER(n));
	}
	g_free(group);
	g_hash_table_destroy(rule_names);
	g_strfreev(lines);
	return rc;
}

static char *value_of(const struct load *l, const char *group, const char *key)
{
	char *v = g_key_file_get_value(l->kf, group, key, NULL);

	return v ? g_strstrip(v) : NULL;
}

/* ---- typed values --------------------------------------------------- */

static int get_bool(const struct load *l, const char *g, const char *k, const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	int i;

	for (i = 0; yes[i]; i++)
		if (g_ascii_strcasecmp(v, yes[i]) == 0)
			return *out = true, 0;
	for (i = 0; no[i]; i++)
		if (g_ascii_strcasecmp(v, no[i]) == 0)
			return *out = false, 0;
	return fail(l, g, k, "\"%s\" is not a boolean (true or false)", v);
}

static int get_uint(const struct load *l, const char *g, const char *k, const char *v,
		    guint64 min, guint64 max, guint *out)
{
	guint64 n;

	if (!qs_parse_uint(v, min, max, &n))
		return fail(l, g, k, "\"%s\" is not a whole number from %" G_GUINT64_FORMAT " to %"
			    G_GUINT64_FORMAT, v, min, max);
	*out = (guint)n;
	return 0;
}

static int get_path(const struct load *l, const char *g, const char *k, const char *v, char **out)
{
	if (!g_path_is_absolute(v))
		return fail(l, g, k, "\"%s\" is not an absolute path", v);
	g_free(*out);
	*out = g_strdup(v);
	return 0;
}

static int get_action(const struct load *l, const char *g, const char *k, const char *v,
		      enum qs_action *out)
{
	if (g_ascii_strcasecmp(v, "quarantine") == 0)
		*out = QS_ACTION_QUARANTINE;
	else if (g_ascii_strcasecmp(v, "delete") == 0)
		*out = QS_ACTION_DELETE;
	else if (g_ascii_strcasecmp(v, "hold") == 0)
		*out = QS_ACTION_HOLD;
	else
		return fail(l, g, k, "\"%s\" is not one of quarantine, delete, hold", v);
	return 0;
}

/* ---- lists: a list in the file replaces the default ---------------- */

static int net_list(const struct load *l, const char *g, const char *k, char **items,
		    bool hosts_only, GArray *dst)
{
	GArray *tmp = g_array_new(FALSE, TRUE, sizeof(struct qs_net));
	const char *why = NULL;
	guint i;
	int rc = 0;

	for (i = 0; rc == 0 && items[i]; i++) {
		struct qs_net n;

		if (!qs_net_parse_err(items[i], &n, &why)) {
			rc = fail(l, g, k, "\"%s\": %s", items[i], why);
		} else if (hosts_only && n.prefix != (n.family == AF_INET ? 32u : 128u)) {
			rc = fail(l, g, k, "\"%s\": an IP address, not a network, is expected", items[i]);
			qs_net_clear(&n);
		} else {
			g_array_append_val(tmp, n);
		}
	}
	if (rc == 0) {
		g_array_set_size(dst, 0);	/* clears the old texts */
		g_array_append_vals(dst, tmp->data, tmp->len);
	} else {
		for (i = 0; i < tmp->len; i++)
			qs_net_clear(&g_array_index(tmp, struct qs_net, i));
	}
	g_array_unref(tmp);
	return rc;
}

/* "<User@Example.COM>" -> "user@example.com"; NULL if not user@domain */
static char *addr_normalize(const char *a)
{
	char *d = qs_addr_domain(a), *lp, *at, *r = NULL;
	size_t len;

	if (d == NULL || d[0] == '[') {
		g_free(d);
		return NULL;
	}
	lp = g_strstrip(g_ascii_strdown(a, -1));
	len = strlen(lp);
	if (len >= 2 && lp[0] == '<' && lp[len - 1] == '>') {
		memmove(lp, lp + 1, len - 2);
		lp[len - 2] = '\0';
	}
	at = strrchr(lp, '@');
	if (at != NULL && at != lp) {
		*at = '\0';
		r = g_strconcat(lp, "@", d, NULL);
	}
	g_free(lp);
	g_free(d);
	return r;
}

static int str_list(const struct load *l, const char *g, const char *k, char **items,
		    bool addresses, GPtrArray *dst)
{
	GPtrArray *tmp = g_ptr_array_new_with_free_func(g_free);
	guint i;

	for (i = 0; items[i]; i++) {
		char *v = addresses ? addr_normalize(items[i]) : g_ascii_strdown(items[i], -1);

		if (v == NULL) {
			g_ptr_array_unref(tmp);
			return fail(l, g, k, "\"%s\" is not an address (user@domain)", items[i]);
		}
		g_ptr_array_add(tmp, v);
	}
	g_ptr_array_set_size(dst, 0);
	g_ptr_array_extend_and_steal(dst, tmp);
	return 0;
}

/* local_domains, local_hostnames: struct qs_domain * with a source */
static int domain_list(const struct load *l, const char *g, const char *k, char **items,
		       bool hostnames, GPtrArray *dst, bool *configured)
{
	GPtrArray *tmp = g_ptr_array_new_with_free_func(qs_domain_free);
	char *src = g_strdup_printf("%s: %s", l->path, k);
	guint i;
	int rc = 0;

	for (i = 0; rc == 0 && items[i]; i++) {
		if (hostnames && items[i][0] == '.')
			rc = fail(l, g, k, "\"%s\": a host name cannot start with a dot", items[i]);
		else if (!qs_config_domain_add(tmp, items[i], src))
			rc = fail(l, g, k, "\"%s\" is not a valid domain name", items[i]);
	}
	g_free(src);
	if (rc != 0) {
		g_ptr_array_unref(tmp);
		return rc;
	}
	*configured = tmp->len > 0;
	g_ptr_array_set_size(dst, 0);
	g_ptr_array_extend_and_steal(dst, tmp);
	return 0;
}

/* whitelist domains: char * entries, ".x" = subdomains of x */
static int wl_domain_list(const struct load *l, const char *g, const char *k, char **items,
			  GPtrArray *dst)
{
	GPtrArray *tmp = g_ptr_array_new_with_free_func(g_free);
	guint i;

	for (i = 0; items[i]; i++) {
		char *d = qs_domain_entry_normalize(items[i]);

		if (d == NULL) {
			g_ptr_array_unref(tmp);
			return fail(l, g, k, "\"%s\" is not a valid domain name", items[i]);
		}
		g_ptr_array_add(tmp, d);
	}
	g_ptr_array_set_size(dst, 0);
	g_ptr_array_extend_and_steal(dst, tmp);
	return 0;
}

/* ---- groups -------------------------------------------------------- */

static int set_qscan(struct load *l, const char *k, const char *v)
{
	struct qs_config *c = l->c;
	const char *g = "qscan";
	char **items = qs_conf_split_list(v);
	int rc;

	if (strcmp(k, "local_domains") == 0)
		rc = domain_list(l, g, k, items, false, c->local_domains, &c->local_domains_configured);
	else if (strcmp(k, "local_hostnames") == 0)
		rc = domain_list(l, g, k, items, true, c->local_hostnames, &c->local_hostnames_configured);
	else if (strcmp(k, "local_addresses") == 0)
		rc = net_list(l, g, k, items, true, c->local_addresses);
	else if (strcmp(k, "trusted_networks") == 0)
		rc = net_list(l, g, k, items, false, c->trusted_networks);
	else if (strcmp(k, "trusted_users") == 0)
		rc = str_list(l, g, k, items, false, c->trusted_users);
	else if (strcmp(k, "abused_accounts") == 0)
		rc = str_list(l, g, k, items, false, c->abused_accounts);
	else if (strcmp(k, "strict") == 0)
		rc = get_bool(l, g, k, v, &c->strict);
	else if (strcmp(k, "action") == 0)
		rc = get_action(l, g, k, v, &c->action);
	else if (strcmp(k, "database") == 0)
		rc = get_path(l, g, k, v, &c->database);
	else if (strcmp(k, "quarantine_dir") == 0)
		rc = get_path(l, g, k, v, &c->quarantine_dir);
	else if (strcmp(k, "block_threshold") == 0)
		rc = get_uint(l, g, k, v, 1, 1000000, &c->block_threshold);
	else if (strcmp(k, "block_window") == 0)
		rc = get_uint(l, g, k, v, 1, 3650, &c->block_window);
	else
		rc = fail(l, g, k, "unknown key (known: local_domains, local_hostnames, local_addresses, "
			  "trusted_networks, trusted_users, abused_accounts, strict, action, database, "
			  "quarantine_dir, block_threshold, block_window)");
	g_strfreev(items);
	return rc;
}

static int set_whitelist(struct load *l, const char *k, const char *v)
{
	struct qs_config *c = l->c;
	const char *g = "whitelist";
	char **items = qs_conf_split_list(v);
	int rc;

	if (strcmp(k, "senders") == 0)
		rc = str_list(l, g, k, items, true, c->wl_senders);
	else if (strcmp(k, "recipients") == 0)
		rc = str_list(l, g, k, items, true, c->wl_recipients);
	else if (strcmp(k, "domains") == 0)
		rc = wl_domain_list(l, g, k, items, c->wl_domains);
	else if (strcmp(k, "networks") == 0)
		rc = net_list(l, g, k, items, false, c->wl_networks);
	else
		rc = fail(l, g, k, "unknown key (known: senders, recipients, domains, networks)");
	g_strfreev(items);
	return rc;
}

static bool header_name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s <= 32 || *s >= 127 || *s == ':')
			return false;
	return true;
}

static int rule_target(const struct load *l, const char *g, const char *v, struct qs_rule *r)
{
	static const struct { const char *name; enum qs_rule_target t; } targets[] = {
		{ "subject", QS_TARGET_SUBJECT }, { "sender", QS_TARGET_SENDER },
		{ "recipient", QS_TARGET_RECIPIENT }, { "helo", QS_TARGET_HELO },
		{ "client", QS_TARGET_CLIENT }, { "auth", QS_TARGET_AUTH },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(targets); i++)
		if (g_ascii_strcasecmp(v, targets[i].name) == 0) {
			r->target = targets[i].t;
			return 0;
		}
	if (g_ascii_strncasecmp(v, "header:", 7) == 0) {
		char *h = g_strstrip(g_strdup(v + 7));

		if (header_name_ok(h)) {
			r->target = QS_TARGET_HEADER;
			r->header = g_ascii_strdown(h, -1);
			g_free(h);
			return 0;
		}
		g_free(h);
	}
	return fail(l, g, "target", "\"%s\" is not one of subject, sender, recipient, helo, client, "
		    "auth, header:NAME", v);
}

static bool rule_name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}

static int load_rule(struct load *l, const char *g)
{
	struct qs_rule *r = g_new0(struct qs_rule, 1);
	char *target = value_of(l, g, "target"), *effect = value_of(l, g, "effect");
	char **keys = g_key_file_get_keys(l->kf, g, NULL, NULL), *why = NULL;
	int rc = 0;
	guint i;

	r->name = g_strdup(g + 5);
	g_strstrip(r->name);
	r->line = line_of(l, g, NULL);
	/* blanks around the pattern are dropped (write \x20 or [ ] for one) */
	r->pattern = value_of(l, g, "pattern");
	for (i = 0; rc == 0 && keys && keys[i]; i++)
		if (strcmp(keys[i], "target") && strcmp(keys[i], "pattern") && strcmp(keys[i], "effect"))
			rc = fail(l, g, keys[i], "unknown key (known: target, pattern, effect)");
	if (rc == 0 && !rule_name_ok(r->name))
		rc = fail(l, g, NULL, "a rule name is letters, digits, '.', '_' and '-'");
	else if (rc == 0 && l->c->rules->len >= QS_MAX_RULES)
		rc = fail(l, g, NULL, "more than %d rules", QS_MAX_RULES);
	else if (rc == 0 && (target == NULL || effect == NULL || r->pattern == NULL))
		rc = fail(l, g, NULL, "a rule needs target, pattern and effect");
	else if (rc == 0)
		rc = rule_target(l, g, target, r);
	if (rc == 0) {
		if (g_ascii_strcasecmp(effect, "purge") == 0)
			r->purge = true;
		else if (g_ascii_strcasecmp(effect, "spare") != 0)
			rc = fail(l, g, "effect", "\"%s\" is not spare or purge", effect);
	}
	if (rc == 0 && r->pattern[0] == '\0')
		rc = fail(l, g, "pattern", "empty pattern (it would match everything)");
	if (rc == 0 && !qs_rule_compile(r, &why)) {
		rc = fail(l, g, "pattern", "%s", why);
		g_free(why);
	}
	g_free(target);
	g_free(effect);
	g_strfreev(keys);
	if (rc == 0)
		g_ptr_array_add(l->c->rules, r);
	else
		qs_rule_free(r);
	return rc;
}

static int load_group(struct load *l, const char *g)
{
	char **keys;
	int rc = 0;
	guint i;

	if (g_str_has_prefix(g, "rule ") || strcmp(g, "rule") == 0)
		return load_rule(l, strcmp(g, "rule") == 0 ? "rule " : g);
	if (strcmp(g, "qscan") != 0 && strcmp(g, "whitelist") != 0)
		return fail(l, g, NULL, "unknown group (known: [qscan], [whitelist], [rule NAME])");
	keys = g_key_file_get_keys(l->kf, g, NULL, NULL);
	for (i = 0; rc == 0 && keys && keys[i]; i++) {
		char *v = value_of(l, g, keys[i]);

		rc = strcmp(g, "qscan") == 0 ? set_qscan(l, keys[i], v ? v : "")
					     : set_whitelist(l, keys[i], v ? v : "");
		g_free(v);
	}
	g_strfreev(keys);
	return rc;
}

int qs_config_load(struct qs_config *c, const char *path, bool must_exist, GError **err)
{
	struct load l = { .c = c, .path = path, .err = err };
	GError *e = NULL;
	char *text = NULL, **groups = NULL;
	gsize len = 0;
	int rc = -1;
	guint i;

	if (!g_file_get_contents(path, &text, &len, &e)) {
		if (!must_exist && g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_error_free(e);
			return 0;
		}
		g_set_error(err, QS_ERROR, e->code == G_FILE_ERROR_NOENT ? ENOENT : EIO,
			    "%s: cannot read the configuration: %s", path, e->message);
		g_error_free(e);
		return -1;
	}
	l.lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	l.kf = g_key_file_new();
	if (len > CONF_MAX_FILE || strlen(text) != len) {
		g_set_error(err, QS_ERROR, EINVAL, "%s: %s", path, len > CONF_MAX_FILE ?
			    "larger than 1 MiB: not a configuration file" : "contains NUL bytes");
		goto out;
	}
	if (scan_text(&l, text) < 0)
		goto out;
	if (!g_key_file_load_from_data(l.kf, text, len, G_KEY_FILE_NONE, &e)) {
		g_set_error(err, QS_ERROR, EINVAL, "%s: %s", path, e->message);
		g_error_free(e);
		goto out;
	}
	groups = g_key_file_get_groups(l.kf, NULL);
	for (i = 0; groups[i]; i++)
		if (load_group(&l, groups[i]) < 0)
			goto out;
	g_free(c->path);
	c->path = g_strdup(path);
	rc = 0;
out:
	g_strfreev(groups);
	g_key_file_free(l.kf);
	g_hash_table_destroy(l.lines);
	g_free(text);
	return rc;
}
