/*
 * conf.h - qscan.conf (GLib key file) and the policy inputs.
 *
 * qs_config_new() holds the embedded defaults (POLICY.md); a file and
 * then command-line options add to or override them. Every error names
 * the file, the group/key (or line) and what is wrong; callers exit 2.
 * Lists are lower-cased where matching is case-insensitive.
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

#endif
