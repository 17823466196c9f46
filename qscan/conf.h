/*
 * conf.h - qscan.conf (GLib key file) and the policy inputs.
 *
 * qs_config_new() holds the embedded defaults (POLICY.md); a file and
 * then command-line options add to or override them. Every error names
 * the file, the group/key (or line) and what is wrong; callers exit 2.
 * Lists are lower-cased where matching is case-insensitive.
 *
 * qscan.conf (GLib key file; shared/CLI.md): groups [qscan],
 * [whitelist] and [rule NAME]; lists separated by ';' or ',', blanks
 * trimmed, empty items ignored; a list in the file REPLACES the
 * embedded default of that key. Extension: [qscan] local_hostnames =
 * the names this server writes in the "by" part of its own Received
 * lines (default: Postfix myhostname / qmail control/me when readable).
 * Errors (exit 2): unknown group or key, a group or key given twice,
 * bad CIDR (host bits set is an error) or IP, bad PCRE2 pattern (with
 * its offset), bad boolean or number (block_threshold 1..1000000,
 * block_window 1..3650 days), relative database/quarantine_dir, bad
 * target/effect, duplicate rule names (ignoring case), rule names other
 * than [A-Za-z0-9._-]+, more than QS_MAX_RULES rules. Values are raw
 * (no key-file escapes) and trimmed.
 */
#ifndef QS_CONF_H
#define QS_CONF_H

#include <glib.h>
#include <stdbool.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct qs_net {
	int family;		/* AF_INET or AF_INET6 */
	guint8 addr[16];	/* network bytes (4 used for IPv4) */
	guint prefix;		/* prefix length */
	char *text;		/* as configured */
};

enum qs_rule_target {
	QS_TARGET_HEADER,	/* header:NAME, every value, decoded, unfolded */
	QS_TARGET_SUBJECT,
	QS_TARGET_SENDER,
	QS_TARGET_RECIPIENT,	/* any pending recipient */
	QS_TARGET_HELO,
	QS_TARGET_CLIENT,	/* client IP, and its rDNS name when known */
	QS_TARGET_AUTH,
};

struct qs_rule {
	char *name;
	enum qs_rule_target target;
	char *header;		/* for QS_TARGET_HEADER */
	char *pattern;
	pcre2_code *re;		/* compiled, JIT where available */
	bool purge;		/* effect: purge (true) or spare */
	bool jit;		/* pcre2_jit_compile succeeded: match through JIT */
	guint line;		/* line of the [rule NAME] group in the file, 0 if unknown */
};

enum qs_action {
	QS_ACTION_NONE,		/* dry run */
	QS_ACTION_QUARANTINE,
	QS_ACTION_DELETE,
	QS_ACTION_HOLD,
};

struct qs_domain {
	char *name;		/* lower-case, IDN as ASCII; ".x" = every subdomain of x */
	char *source;		/* "qscan.conf", "command line", "/etc/postfix/main.cf: mydestination" */
};

struct qs_config {
	char *path;			/* file read, or NULL */
	GPtrArray *local_domains;	/* struct qs_domain * */
	GArray *local_addresses;	/* struct qs_net, full-length prefixes */
	GArray *trusted_networks;	/* struct qs_net */
	GPtrArray *trusted_users;	/* char *, lower-case */
	GPtrArray *abused_accounts;	/* char *, lower-case */
	bool strict;
	enum qs_action action;
	char *database;
	char *quarantine_dir;
	guint block_threshold;
	guint block_window;		/* days */
	GPtrArray *wl_senders;		/* char *, lower-case addresses */
	GPtrArray *wl_recipients;
	GPtrArray *wl_domains;
	GArray *wl_networks;		/* struct qs_net */
	GPtrArray *rules;		/* struct qs_rule *, file order */
	bool local_domains_configured;	/* set by file or command line */
	/* extension: names this server writes in the "by" part of its own
	 * Received lines (key local_hostnames; else Postfix myhostname or
	 * qmail control/me); struct qs_domain *, lower-case, exact match */
	GPtrArray *local_hostnames;
	bool local_hostnames_configured;
	/* notes gathered while reading MTA control files (char *), for -v */
	GPtrArray *notes;
};

struct qs_config *qs_config_new(void);		/* embedded defaults */
void qs_config_free(struct qs_config **c);
/* read a key file; a missing file is an error only when must_exist */
int qs_config_load(struct qs_config *c, const char *path, bool must_exist, GError **err);
int qs_config_add_local_domain(struct qs_config *c, const char *domain, const char *source, GError **err);
int qs_config_add_trusted_network(struct qs_config *c, const char *cidr, GError **err);
/* when no local domain is configured, read the MTA's own control files
 * (Postfix main.cf / postconf, qmail control/) found from the queue root */
void qs_config_mta_defaults(struct qs_config *c, const char *format, const char *queue_root);

bool qs_net_parse(const char *text, struct qs_net *out);	/* "1.2.3.0/24", "::1", "2001:db8::/32" */
bool qs_net_match(const struct qs_net *n, const char *ip);
bool qs_net_list_match(const GArray *nets, const char *ip);

/*
 * Additions (config work). Order of use: qs_config_new(), then
 * qs_config_load() (a list in the file REPLACES the embedded default of
 * that key), then command-line additions (they add to the list), then
 * qs_config_mta_defaults() (only fills local_domains/local_hostnames
 * when nothing configured them).
 *
 * Networks: qs_net_parse() allocates n->text; free it with
 * qs_net_clear() (the config's arrays do that themselves). A network
 * with host bits set (192.0.2.5/24) is rejected. IPv4-mapped IPv6
 * addresses are IPv4 everywhere; [..] and "IPv6:" are accepted.
 */
bool qs_net_parse_err(const char *text, struct qs_net *out, const char **why);
void qs_net_clear(struct qs_net *n);
bool qs_net_match_raw(const struct qs_net *n, int family, const guint8 addr[16]);
/* parse an IP (mapped IPv6 -> AF_INET, 4 bytes); false when not an IP */
bool qs_ip_parse(const char *ip, int *family, guint8 addr[16]);
/* s[0..len) is what inet_pton(AF_INET) accepts (four decimal parts
 * 0-255, no leading zeros); out gets the address. No copy, no call. */
bool qs_ip_dotted_quad(const char *s, size_t len, guint8 out[4]);
/* canonical text of an IP ("2001:db8::1", mapped -> dotted quad), or NULL */
char *qs_ip_normalize(const char *ip);

/*
 * Rules. Each pattern is compiled once at load (PCRE2_UTF|PCRE2_UCP
 * when it is valid UTF-8, with PCRE2_MATCH_INVALID_UTF so that any
 * subject bytes are safe; caseless only through "(?i)" in the pattern)
 * and JIT-compiled when the library supports it. The compiled code is
 * shared read-only; match data is NOT: every thread creates its own,
 * e.g. with qs_rules_match_data_new(), and passes it in. A match error
 * (match limit, bad subject) counts as "no match". NULL subject: false.
 */
bool qs_rule_match(const struct qs_rule *r, pcre2_match_data *md, const char *subject);
pcre2_match_data *qs_rules_match_data_new(const struct qs_config *c);

/* locality helpers for the policy: IP is one of local_addresses; name is
 * one of local_hostnames (case-insensitive, trailing dot ignored) */
bool qs_ip_is_local(const struct qs_config *c, const char *ip);
bool qs_hostname_is_local(const struct qs_config *c, const char *name);
/* does a domain-list entry ("x.example" exact, ".example" subdomains
 * only) match a normalised domain? */
bool qs_domain_entry_match(const char *entry, const char *domain);
/* is a normalised domain in a char * list of such entries (wl_domains) */
bool qs_domain_list_match(const GPtrArray *entries, const char *domain);
/* is an SMTP AUTH name in trusted_users/abused_accounts? Case-insensitive;
 * an entry without a domain also matches the name with any domain
 * ("admin" matches "Admin@example.com" and "admin%example.com"); an entry
 * with a domain matches only that full name */
bool qs_auth_user_in_list(const GPtrArray *entries, const char *user);
/* one qs_info line per configured input and its source (for -v) */
void qs_config_describe(const struct qs_config *c);
int qs_config_add_local_hostname(struct qs_config *c, const char *name, const char *source, GError **err);

#endif
