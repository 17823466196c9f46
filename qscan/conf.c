/*
 * conf.c - the configuration: embedded defaults, qscan.conf, command
 * line additions, and the helpers the policy asks it (locality, rules).
 *
 * qscan.conf is a GLib key file (shared/CLI.md). Before GKeyFile sees
 * it, one pass over the text records the line of every group and key,
 * so every error can say "FILE:LINE: [GROUP] KEY: what is wrong", and
 * rejects what GKeyFile would silently merge: a group or a key given
 * twice (two [rule spam] groups are two rules with one name).
 *
 * Values are taken raw (g_key_file_get_value): no key-file escapes, so
 * "pattern = \d+\.exe" means what a PCRE2 user expects.
 */
#include "config.h"
#include <errno.h>
#include <string.h>
#include "addr.h"
#include "conf.h"
#include "confpriv.h"
#include "log.h"
#include "util.h"

static const char *const default_abused[] = {
	"mdaemon", "webmaster", "postmaster", "admin", "administrator",
	"root", "test", "guest", "info", "abuse", NULL,
};
static const char *const default_trusted[] = { "127.0.0.0/8", "::1", NULL };

void qs_domain_free(gpointer p)
{
	struct qs_domain *d = p;

	g_free(d->name);
	g_free(d->source);
	g_free(d);
}

void qs_rule_free(gpointer p)
{
	struct qs_rule *r = p;

	g_free(r->name);
	g_free(r->header);
	g_free(r->pattern);
	pcre2_code_free(r->re);
	g_free(r);
}

static GArray *net_array_new(void)
{
	GArray *a = g_array_new(FALSE, TRUE, sizeof(struct qs_net));

	g_array_set_clear_func(a, (GDestroyNotify)qs_net_clear);
	return a;
}

struct qs_config *qs_config_new(void)
{
	struct qs_config *c = g_new0(struct qs_config, 1);
	int i;

	c->local_domains = g_ptr_array_new_with_free_func(qs_domain_free);
	c->local_hostnames = g_ptr_array_new_with_free_func(qs_domain_free);
	c->local_addresses = net_array_new();
	c->trusted_networks = net_array_new();
	c->trusted_users = g_ptr_array_new_with_free_func(g_free);
	c->abused_accounts = g_ptr_array_new_with_free_func(g_free);
	c->wl_senders = g_ptr_array_new_with_free_func(g_free);
	c->wl_recipients = g_ptr_array_new_with_free_func(g_free);
	c->wl_domains = g_ptr_array_new_with_free_func(g_free);
	c->wl_networks = net_array_new();
	c->rules = g_ptr_array_new_with_free_func(qs_rule_free);
	c->notes = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; default_abused[i]; i++)
		g_ptr_array_add(c->abused_accounts, g_strdup(default_abused[i]));
	for (i = 0; default_trusted[i]; i++) {
		struct qs_net n;

		if (!qs_net_parse(default_trusted[i], &n))
			qs_panic("default trusted network %s does not parse", default_trusted[i]);
		g_array_append_val(c->trusted_networks, n);
	}
	c->action = QS_ACTION_QUARANTINE;
	c->database = g_strdup(LOCALSTATEDIR "/lib/qscan/qscan.db");
	c->quarantine_dir = g_strdup(LOCALSTATEDIR "/lib/qscan/quarantine");
	c->block_threshold = 20;
	c->block_window = 3;
	return c;
}

void qs_config_free(struct qs_config **cp)
{
	struct qs_config *c = *cp;

	if (c == NULL)
		return;
	g_free(c->path);
	g_ptr_array_unref(c->local_domains);
	g_ptr_array_unref(c->local_hostnames);
	g_array_unref(c->local_addresses);
	g_array_unref(c->trusted_networks);
	g_ptr_array_unref(c->trusted_users);
	g_ptr_array_unref(c->abused_accounts);
	g_free(c->database);
	g_free(c->quarantine_dir);
	g_ptr_array_unref(c->wl_senders);
	g_ptr_array_unref(c->wl_recipients);
	g_ptr_array_unref(c->wl_domains);
	g_array_unref(c->wl_networks);
	g_ptr_array_unref(c->rules);
	g_ptr_array_unref(c->notes);
	g_free(c);
	*cp = NULL;
}

/* ---- lists ---------------------------------------------------------- */

/* split on ';' and ',', trim blanks, drop empty items */
char **qs_conf_split_list(const char *value)
{
	char **parts = g_strsplit_set(value, ";,", -1);
	GPtrArray *out = g_ptr_array_new();
	int i;

	for (i = 0; parts[i]; i++) {
		g_strstrip(parts[i]);
		if (parts[i][0] != '\0')
			g_ptr_array_add(out, g_strdup(parts[i]));
	}
	g_strfreev(parts);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* normalise a domain-list entry: "Example.COM." -> "example.com",
 * ".Example.org" -> ".example.org"; NULL when invalid */
char *qs_domain_entry_normalize(const char *entry)
{
	bool sub = entry[0] == '.';
	char *d = qs_domain_normalize(entry + (sub ? 1 : 0));
	char *r;

	if (d == NULL || !sub)
		return d;
	if (d[0] == '[') {		/* ".[192.0.2.1]" means nothing */
		g_free(d);
		return NULL;
	}
	r = g_strconcat(".", d, NULL);
	g_free(d);
	return r;
}

static bool domain_list_has(const GPtrArray *list, const char *name)
{
	guint i;

	for (i = 0; i < list->len; i++) {
		const struct qs_domain *d = g_ptr_array_index(list, i);

		if (strcmp(d->name, name) == 0)
			return true;
	}
	return false;
}

/* add to a struct qs_domain list unless present; false when invalid */
bool qs_config_domain_add(GPtrArray *list, const char *entry, const char *source)
{
	char *name = qs_domain_entry_normalize(entry);
	struct qs_domain *d;

	if (name == NULL)
		return false;
	if (domain_list_has(list, name)) {
		g_free(name);
		return true;
	}
	d = g_new0(struct qs_domain, 1);
	d->name = name;
	d->source = g_strdup(source ? source : "unknown");
	g_ptr_array_add(list, d);
	return true;
}

int qs_config_add_local_domain(struct qs_config *c, const char *domain, const char *source, GError **err)
{
	if (domain == NULL || !qs_config_domain_add(c->local_domains, domain, source)) {
		g_set_error(err, QS_ERROR, EINVAL, "local domain \"%s\" (%s): not a valid domain name",
			    domain ? domain : "", source ? source : "command line");
		return -1;
	}
	c->local_domains_configured = true;
	return 0;
}

int qs_config_add_local_hostname(struct qs_config *c, const char *name, const char *source, GError **err)
{
	if (name == NULL || name[0] == '.' || !qs_config_domain_add(c->local_hostnames, name, source)) {
		g_set_error(err, QS_ERROR, EINVAL, "local host name \"%s\" (%s): not a valid host name",
			    name ? name : "", source ? source : "command line");
		return -1;
	}
	c->local_hostnames_configured = true;
	return 0;
}

int qs_config_add_trusted_network(struct qs_config *c, const char *cidr, GError **err)
{
	struct qs_net n;
	const char *why = NULL;

	if (!qs_net_parse_err(cidr, &n, &why)) {
		g_set_error(err, QS_ERROR, EINVAL, "trusted network \"%s\": %s", cidr ? cidr : "", why);
		return -1;
	}
	g_array_append_val(c->trusted_networks, n);
	return 0;
}

void qs_config_note(struct qs_config *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	qs_info("%s", s);
	g_ptr_array_add(c->notes, s);
}

/* ---- locality helpers ----------------------------------------------- */

bool qs_ip_is_local(const struct qs_config *c, const char *ip)
{
	return qs_net_list_match(c->local_addresses, ip);
}

bool qs_hostname_is_local(const struct qs_config *c, const char *name)
{
	size_t len;
	guint i;

	if (name == NULL)
		return false;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	for (i = 0; i < c->local_hostnames->len; i++) {
		const struct qs_domain *d = g_ptr_array_index(c->local_hostnames, i);

		if (strlen(d->name) == len && g_ascii_strncasecmp(d->name, name, len) == 0)
			return true;
	}
	return false;
}

bool qs_auth_user_in_list(const GPtrArray *entries, const char *user)
{
	size_t local_len;
	guint i;

	if (entries == NULL || user == NULL || user[0] == '\0')
		return false;
	local_len = strcspn(user, "@%");
	for (i = 0; i < entries->len; i++) {
		const char *e = g_ptr_array_index(entries, i);

		if (g_ascii_strcasecmp(e, user) == 0)
			return true;
		if (strchr(e, '@') == NULL && strlen(e) == local_len &&
		    g_ascii_strncasecmp(e, user, local_len) == 0)
			return true;
	}
	return false;
}

/* ---- rules ------------------------------------------------------------ */

bool qs_rule_match(const struct qs_rule *r, pcre2_match_data *md, const char *subject)
{
	pcre2_match_data *own = NULL;
	int rc;

	if (r == NULL || r->re == NULL || subject == NULL)
		return false;
	if (md == NULL)
		md = own = pcre2_match_data_create(1, NULL);
	if (r->jit) {
		rc = pcre2_jit_match(r->re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
		/* a pattern too deep for the default JIT stack: interpret */
		if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
			rc = pcre2_match(r->re, (PCRE2_SPTR)subject, strlen(subject), 0,
					 PCRE2_NO_JIT, md, NULL);
	} else {
		rc = pcre2_match(r->re, (PCRE2_SPTR)subject, strlen(subject), 0, PCRE2_NO_JIT, md, NULL);
	}
	if (own != NULL)
		pcre2_match_data_free(own);
	return rc >= 0;
}

pcre2_match_data *qs_rules_match_data_new(const struct qs_config *c)
{
	(void)c;	/* a boolean answer needs one ovector pair */
	return pcre2_match_data_create(1, NULL);
}

/* compile a rule's pattern; on error *why (caller frees) says what */
bool qs_rule_compile(struct qs_rule *r, char **why)
{
	uint32_t opts = 0;
	int ecode;
	PCRE2_SIZE eoff;

	if (g_utf8_validate(r->pattern, -1, NULL))
		opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
	r->re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED, opts, &ecode, &eoff, NULL);
	if (r->re == NULL) {
		PCRE2_UCHAR msg[256];

		if (pcre2_get_error_message(ecode, msg, sizeof(msg)) < 0)
			g_strlcpy((char *)msg, "unknown error", sizeof(msg));
		*why = g_strdup_printf("bad pattern at offset %zu: %s", (size_t)eoff, (char *)msg);
		return false;
	}
	r->jit = pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE) == 0;
	return true;
}

/* ---- description -------------------------------------------------------- */

static void describe_nets(const char *what, const GArray *nets)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < nets->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "",
				       g_array_index(nets, struct qs_net, i).text);
	qs_info("%s: %s", what, nets->len ? s->str : "(none)");
	g_string_free(s, TRUE);
}

void qs_config_describe(const struct qs_config *c)
{
	guint i;

	qs_info("configuration file: %s", c->path ? c->path : "(none, embedded defaults)");
	if (c->local_domains->len == 0)
		qs_info("local domains: (none)");
	for (i = 0; i < c->local_domains->len; i++) {
		const struct qs_domain *d = g_ptr_array_index(c->local_domains, i);
		qs_info("local domain %s (from %s)", d->name, d->source);
	}
	for (i = 0; i < c->local_hostnames->len; i++) {
		const struct qs_domain *d = g_ptr_array_index(c->local_hostnames, i);
		qs_info("local host name %s (from %s)", d->name, d->source);
	}
	describe_nets("local addresses", c->local_addresses);
	describe_nets("trusted networks", c->trusted_networks);
	describe_nets("whitelisted networks", c->wl_networks);
	for (i = 0; i < c->rules->len; i++) {
		const struct qs_rule *r = g_ptr_array_index(c->rules, i);
		qs_info("rule %s: %s /%s/ (%s)", r->name, r->purge ? "purge" : "spare",
			r->pattern, r->jit ? "JIT" : "interpreted");
	}
}
