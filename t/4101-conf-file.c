/*
 * 4101-conf-file: embedded defaults; a file with every key (lists with
 * ';' and ','; rules compiled, matched with and without JIT); command
 * line additions; every kind of error names the file, line and key.
 */
#include "config.h"
#include <string.h>
#include "addr.h"
#include "conf.h"
#include "log.h"
#include "qs_limits.h"
#include "tap.h"
#include "testutil.h"

static bool has_str(const GPtrArray *a, const char *s)
{
	guint i;

	for (i = 0; i < a->len; i++)
		if (strcmp(g_ptr_array_index(a, i), s) == 0)
			return true;
	return false;
}

static const struct qs_rule *rule(const struct qs_config *c, const char *name)
{
	guint i;

	for (i = 0; i < c->rules->len; i++) {
		const struct qs_rule *r = g_ptr_array_index(c->rules, i);
		if (strcmp(r->name, name) == 0)
			return r;
	}
	return NULL;
}

static void defaults(void)
{
	struct qs_config *c = qs_config_new();

	is_int(c->trusted_networks->len, 2, "default: two trusted networks");
	ok(qs_net_list_match(c->trusted_networks, "127.0.0.1") &&
	   qs_net_list_match(c->trusted_networks, "::1") &&
	   !qs_net_list_match(c->trusted_networks, "192.0.2.1"), "default: 127.0.0.0/8 and ::1");
	is_int(c->abused_accounts->len, 10, "default: ten abused accounts");
	ok(has_str(c->abused_accounts, "mdaemon") && has_str(c->abused_accounts, "abuse"),
	   "default: abused accounts lower-case");
	is_int(c->block_threshold, 20, "default threshold 20");
	is_int(c->block_window, 3, "default window 3 days");
	ok(c->action == QS_ACTION_QUARANTINE, "default action quarantine");
	ok(g_str_has_suffix(c->database, "/lib/qscan/qscan.db"), "default database under lib/qscan");
	ok(!c->local_domains_configured && c->local_domains->len == 0, "default: no local domains");
	qs_config_free(&c);
}

static void matches(const struct qs_rule *r, pcre2_match_data *md, const char *mode)
{
	ok(r && qs_rule_match(r, md, "Buy VIAGRA now") && qs_rule_match(r, md, "cheap v1agra"),
	   "%s: (?i) pattern matches any case", mode);
	ok(r && !qs_rule_match(r, md, "hello") && !qs_rule_match(r, md, NULL),
	   "%s: no match, NULL subject", mode);
}

static void rules(struct qs_config *c)
{
	pcre2_match_data *md = qs_rules_match_data_new(c);
	struct qs_rule *v = (struct qs_rule *)rule(c, "viagra");
	const struct qs_rule *m = rule(c, "mailer"), *h = rule(c, "boss-helo"), *u = rule(c, "utf8");
	uint32_t jit = 0;

	is_int(c->rules->len, 4, "four rules");
	ok(v && v->purge && v->target == QS_TARGET_SUBJECT && v->line == 22, "viagra: purge, subject, line 22");
	ok(m && m->target == QS_TARGET_HEADER && strcmp(m->header, "x-mailer") == 0, "mailer: header:x-mailer");
	ok(h && !h->purge && h->target == QS_TARGET_HELO, "boss-helo: spare, helo");
	ok(m && strcmp(m->pattern, "^PHPMailer \\d+\\.\\d+") == 0, "pattern taken verbatim (no key-file escapes)");
	pcre2_config(PCRE2_CONFIG_JIT, &jit);
	ok(!jit || (v && v->jit), "JIT used when the library has it (%s)", jit ? "has" : "has not");
	matches(v, md, "jit");
	ok(m && qs_rule_match(m, md, "PHPMailer 6.1.2") && !qs_rule_match(m, md, "phpmailer 6.1"),
	   "case-sensitive without (?i)");
	ok(u && qs_rule_match(u, md, "Gr\xc3\xbc\xc3\x9f" "e aus Berlin") &&
	   !qs_rule_match(u, md, "GR\xc3\x9c\xc3\x9f" "E"), "UTF-8 pattern");
	ok(u && !qs_rule_match(u, md, "\xff\xfe Gr\xc3\xbc\xc3\x9f" "e") &&
	   qs_rule_match(u, md, "Gr\xc3\xbc\xc3\x9f" "e \xff"), "invalid UTF-8 subject is safe");
	ok(qs_rule_match(v, NULL, "viagra"), "NULL match data: temporary one");
	if (v) {
		v->jit = false;
		matches(v, md, "interpreter");
		v->jit = jit != 0;
	}
	pcre2_match_data_free(md);
}

static void good_file(void)
{
	struct qs_config *c = qs_config_new();
	char *path = tu_data("conf/good.conf");
	const struct qs_domain *d;
	GError *e = NULL;

	if (qs_config_load(c, path, true, &e) < 0)
		bail("good.conf: %s", e->message);
	is_str(c->path, path, "path recorded");
	is_int(c->local_domains->len, 3, "three local domains (empty items ignored)");
	d = c->local_domains->len ? g_ptr_array_index(c->local_domains, 0) : NULL;
	ok(d && strcmp(d->name, "example.com") == 0 && g_str_has_suffix(d->source, "good.conf: local_domains"),
	   "domain lower-cased, source names file and key");
	ok(qs_domain_is_local(c, "example.com") && qs_domain_is_local(c, "a.example.org") &&
	   !qs_domain_is_local(c, "example.org") && qs_domain_is_local(c, "xn--bcher-kva.example"),
	   "exact, subdomain-only and IDN entries");
	ok(c->local_domains_configured, "local domains configured");
	ok(qs_hostname_is_local(c, "MX2.example.com.") && qs_hostname_is_local(c, "mx1.example.com") &&
	   !qs_hostname_is_local(c, "mx3.example.com") && c->local_hostnames_configured, "local_hostnames");
	is_int(c->local_addresses->len, 3, "three local addresses");
	ok(qs_domain_is_local(c, "[192.0.2.10]") && qs_domain_is_local(c, "[ipv6:2001:db8::11]") &&
	   qs_ip_is_local(c, "::ffff:192.0.2.10") && !qs_domain_is_local(c, "[192.0.2.11]"),
	   "address literals local by local_addresses");
	is_int(c->trusted_networks->len, 2, "trusted_networks replaced the default");
	ok(!qs_net_list_match(c->trusted_networks, "127.0.0.1") &&
	   qs_net_list_match(c->trusted_networks, "10.1.1.1") &&
	   qs_net_list_match(c->trusted_networks, "2001:db8:1:ffff::1"), "trusted networks from file");
	ok(c->trusted_users->len == 2 && has_str(c->trusted_users, "alice") &&
	   has_str(c->trusted_users, "bob@example.com"), "trusted users lower-case");
	ok(c->abused_accounts->len == 2 && has_str(c->abused_accounts, "webmaster"), "abused accounts replaced");
	ok(qs_auth_user_in_list(c->abused_accounts, "WebMaster") &&
	   qs_auth_user_in_list(c->abused_accounts, "webmaster@example.com") &&
	   qs_auth_user_in_list(c->abused_accounts, "admin%example.com") &&
	   !qs_auth_user_in_list(c->abused_accounts, "webmasters") &&
	   !qs_auth_user_in_list(c->abused_accounts, "alice") &&
	   !qs_auth_user_in_list(c->abused_accounts, NULL), "auth names: with or without a domain");
	ok(qs_auth_user_in_list(c->trusted_users, "Bob@example.com") &&
	   !qs_auth_user_in_list(c->trusted_users, "bob") &&
	   !qs_auth_user_in_list(c->trusted_users, "bob@other.example") &&
	   qs_auth_user_in_list(c->trusted_users, "alice@anything.example"), "auth names: entry with a domain is exact");
	ok(c->strict && c->action == QS_ACTION_HOLD, "strict yes, action hold");
	is_str(c->database, "/srv/qscan/q.db", "database");
	is_str(c->quarantine_dir, "/srv/qscan/quarantine", "quarantine_dir");
	ok(c->block_threshold == 5 && c->block_window == 7, "block threshold and window");
	ok(c->wl_senders->len == 2 && has_str(c->wl_senders, "boss@example.com") &&
	   has_str(c->wl_senders, "ceo@xn--bcher-kva.example"), "whitelist senders normalised");
	ok(has_str(c->wl_recipients, "partner@example.net"), "whitelist recipients");
	ok(qs_domain_list_match(c->wl_domains, "partner.example") &&
	   qs_domain_list_match(c->wl_domains, "a.trusted.example") &&
	   !qs_domain_list_match(c->wl_domains, "trusted.example"), "whitelist domains");
	ok(qs_net_list_match(c->wl_networks, "198.51.100.7") && qs_net_list_match(c->wl_networks, "2001:db8:2::9"),
	   "whitelist networks");
	rules(c);

	/* command line after the file: additions */
	ok(qs_config_add_local_domain(c, "CLI.example", "command line", NULL) == 0 &&
	   qs_domain_is_local(c, "cli.example") && c->local_domains->len == 4, "command line adds a domain");
	ok(qs_config_add_local_domain(c, "example.com", "command line", NULL) == 0 &&
	   c->local_domains->len == 4, "a duplicate is not added twice");
	ok(qs_config_add_trusted_network(c, "172.16.0.0/12", NULL) == 0 &&
	   qs_net_list_match(c->trusted_networks, "172.20.0.1") && c->trusted_networks->len == 3,
	   "command line adds a trusted network");
	ok(qs_config_add_trusted_network(c, "172.16.0.1/12", &e) < 0 && e &&
	   strstr(e->message, "172.16.0.1/12") && strstr(e->message, "host bits"), "bad command-line network: %s",
	   e ? e->message : "no error");
	g_clear_error(&e);
	ok(qs_config_add_local_domain(c, "bad domain", "command line", &e) < 0 && e &&
	   strstr(e->message, "bad domain"), "bad command-line domain");
	g_clear_error(&e);
	qs_verbosity = -1;
	qs_config_describe(c);
	qs_config_free(&c);
	g_free(path);
}

struct bad {
	const char *text;
	const char *want[4];
};

static const struct bad bads[] = {
	{ "[qscan]\nfoo = 1\n", { ":2: [qscan] foo:", "unknown key" } },
	{ "[nonsense]\n", { ":1: [nonsense]", "unknown group" } },
	{ "[qscan]\n\ntrusted_networks = 127.0.0.0/8; 10.0.0.1/8\n", { ":3: [qscan] trusted_networks:", "10.0.0.1/8", "host bits" } },
	{ "[qscan]\ntrusted_networks = 2001:db8::/200\n", { ":2:", "trusted_networks", "0 to 128" } },
	{ "[whitelist]\nnetworks = 1.2.3\n", { ":2: [whitelist] networks:", "not an IPv4 or IPv6" } },
	{ "[qscan]\nlocal_addresses = 192.0.2.0/24\n", { "local_addresses", "not a network" } },
	{ "[qscan]\nlocal_addresses = 300.1.1.1\n", { "local_addresses", "300.1.1.1" } },
	{ "[qscan]\nstrict = maybe\n", { ":2: [qscan] strict:", "boolean" } },
	{ "[qscan]\nblock_threshold = 0\n", { "block_threshold", "from 1 to" } },
	{ "[qscan]\nblock_window = 99999\n", { "block_window", "from 1 to 3650" } },
	{ "[qscan]\nblock_threshold = 12abc\n", { "block_threshold", "12abc" } },
	{ "[qscan]\naction = nuke\n", { "[qscan] action:", "nuke" } },
	{ "[qscan]\ndatabase = relative.db\n", { "database", "absolute" } },
	{ "[qscan]\nlocal_domains = ok.example; exa mple.com\n", { "local_domains", "exa mple.com", "not a valid domain" } },
	{ "[qscan]\nlocal_hostnames = .mx.example\n", { "local_hostnames", "dot" } },
	{ "[whitelist]\nsenders = nobody\n", { "[whitelist] senders:", "not an address" } },
	{ "[whitelist]\ndomains = a..b\n", { "[whitelist] domains:", "a..b" } },
	{ "[whitelist]\ncolour = red\n", { "[whitelist] colour:", "unknown key" } },
	{ "[rule x]\ntarget = subject\npattern = (unclosed\neffect = purge\n",
	  { ":3: [rule x] pattern:", "offset 9", "missing closing parenthesis" } },
	{ "[rule x]\ntarget = body\npattern = a\neffect = purge\n", { ":2: [rule x] target:", "body" } },
	{ "[rule x]\ntarget = header:\npattern = a\neffect = purge\n", { "[rule x] target:", "header:NAME" } },
	{ "[rule x]\ntarget = subject\npattern = a\neffect = delete\n", { ":4: [rule x] effect:", "spare or purge" } },
	{ "[rule x]\ntarget = subject\npattern = a\n", { ":1: [rule x]:", "target, pattern and effect" } },
	{ "[rule x]\ntarget = subject\npattern =\neffect = purge\n", { "[rule x] pattern:", "empty" } },
	{ "[rule x]\ntarget = subject\npattern = a\neffect = purge\ncolour = red\n", { ":5: [rule x] colour:", "unknown key" } },
	{ "[rule x]\ntarget = subject\npattern = a\neffect = purge\n[rule X]\ntarget = helo\npattern = b\neffect = spare\n",
	  { ":5: [rule X]", "duplicate rule name" } },
	{ "[rule bad!name]\ntarget = subject\npattern = a\neffect = purge\n", { "[rule bad!name]", "rule name" } },
	{ "[qscan]\nstrict = true\nstrict = false\n", { ":3: [qscan] strict:", "twice", "line 2" } },
	{ "[qscan]\n[whitelist]\n[qscan]\n", { ":3: [qscan]", "twice" } },
	{ "[qscan]\njust words\n", { ":2:", "key = value" } },
	{ "strict = true\n", { ":1:", "before the first" } },
	{ "[qscan\n", { ":1:", "group header" } },
};

static void bad_files(void)
{
	char *dir = tu_tmpdir();
	GString *many;
	size_t i;
	int j;

	for (i = 0; i < G_N_ELEMENTS(bads) + 1; i++) {
		struct qs_config *c = qs_config_new();
		char *name = g_strdup_printf("bad-%zu.conf", i), *path = g_build_filename(dir, name, NULL);
		const char *const *want;
		static const char *const want_many[] = { "[rule r256]", "more than 256 rules", NULL };
		GError *e = NULL;
		bool good;

		if (i < G_N_ELEMENTS(bads)) {
			tu_write(dir, name, bads[i].text, strlen(bads[i].text), 0644);
			want = bads[i].want;
		} else {
			many = g_string_new(NULL);
			for (j = 0; j <= QS_MAX_RULES; j++)
				g_string_append_printf(many, "[rule r%d]\ntarget = subject\npattern = x%d\n"
						       "effect = purge\n", j, j);
			tu_write(dir, name, many->str, many->len, 0644);
			g_string_free(many, TRUE);
			want = want_many;
		}
		good = qs_config_load(c, path, true, &e) < 0 && e && g_str_has_prefix(e->message, path);
		for (j = 0; good && j < 4 && want[j]; j++)
			good = strstr(e->message, want[j]) != NULL;
		ok(good, "bad file %zu: %s", i, e ? e->message + strlen(dir) + 1 : "accepted");
		g_clear_error(&e);
		qs_config_free(&c);
		g_free(path);
		g_free(name);
	}
	g_free(dir);
}

static void crlf_file(void)
{
	static const char text[] = "# written on Windows\r\n[qscan]\r\nstrict = true  \r\n"
				   "local_domains = a.example ;\r\n[rule  Spaced ]\r\ntarget = subject\r\n"
				   "pattern =  ab \r\neffect = purge\r\n";
	char *dir = tu_tmpdir(), *path = g_build_filename(dir, "crlf.conf", NULL);
	struct qs_config *c = qs_config_new();
	const struct qs_rule *r;
	GError *e = NULL;

	tu_write(dir, "crlf.conf", text, strlen(text), 0644);
	ok(qs_config_load(c, path, true, &e) == 0, "CRLF file loads: %s", e ? e->message : "ok");
	r = c->rules->len == 1 ? g_ptr_array_index(c->rules, 0) : NULL;
	ok(c->strict && c->local_domains->len == 1 && r && strcmp(r->pattern, "ab") == 0 &&
	   strcmp(r->name, "Spaced") == 0 && r->line == 5, "CRLF and blanks trimmed from values and names");
	g_clear_error(&e);
	qs_config_free(&c);
	g_free(path);
	g_free(dir);
}

static void missing(void)
{
	struct qs_config *c = qs_config_new();
	GError *e = NULL;

	ok(qs_config_load(c, "/nonexistent/qscan.conf", false, &e) == 0 && e == NULL && c->path == NULL,
	   "missing optional file: defaults");
	ok(qs_config_load(c, "/nonexistent/qscan.conf", true, &e) < 0 && e &&
	   strstr(e->message, "/nonexistent/qscan.conf"), "missing required file: error names it");
	g_clear_error(&e);
	qs_config_free(&c);
}

int main(void)
{
	defaults();
	good_file();
	bad_files();
	crlf_file();
	missing();
	tu_cleanup();
	return done_testing();
}
