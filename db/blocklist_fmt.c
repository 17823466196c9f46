/* blocklist_fmt.c - write block candidates for tcprules, Postfix, nftables, ipset; see blocklist.h. */
#include "config.h"
#include <string.h>
#include <sys/socket.h>
#include "blocklist.h"
#include "util.h"

typedef void (*render_fn)(const struct qs_blocklist *, GString *);

#define EACH(bl, b, fam) \
	for (const struct qs_block *b = (const struct qs_block *)(bl)->c->data; \
	     b < (const struct qs_block *)(bl)->c->data + (bl)->c->len; b++) \
		if ((fam) == 0 || b->family == (fam))

static guint count(const struct qs_blocklist *bl, int family)
{
	guint n = 0;

	EACH(bl, b, family)
		n++;
	return n;
}

/* header - '#' comment lines saying what the list is; no time stamp */
static void header(const struct qs_blocklist *bl, GString *out)
{
	g_string_append_printf(out, "# qscan block list: %u address%s with at least %u relay "
			       "message%s\n# in %u day%s (%s to %s, UTC)", bl->c->len,
			       bl->c->len == 1 ? "" : "es", bl->threshold, bl->threshold == 1 ? "" : "s",
			       bl->window, bl->window == 1 ? "" : "s", bl->from, bl->to);
	if (bl->excluded)
		g_string_append_printf(out, "\n# left out: %u protected (trusted, whitelisted, local or "
				       "loopback)", bl->excluded);
	g_string_append(out, "\n");
}

static void r_plain(const struct qs_blocklist *bl, GString *out)
{
	EACH(bl, b, 0)
		g_string_append_printf(out, "%s\n", b->text);
}

/* tcprules matches IPv4 text prefixes only: IPv6 goes out as comments */
static void r_tcprules(const struct qs_blocklist *bl, GString *out)
{
	header(bl, out);
	g_string_append(out, "# put these lines before your own rules (first match wins)\n");
	EACH(bl, b, AF_INET)
		g_string_append_printf(out, "%s:deny\n", b->text);
	EACH(bl, b, AF_INET6)
		g_string_append_printf(out, "# not listed, tcprules has no IPv6: %s\n", b->text);
}

static void r_postfix(const struct qs_blocklist *bl, GString *out)
{
	header(bl, out);
	g_string_append(out, "# smtpd_client_restrictions = check_client_access cidr:/etc/postfix/qscan.cidr\n");
	EACH(bl, b, 0)
		g_string_append_printf(out, "%s REJECT qscan: relay source\n", b->text);
}

static void nft_set(const struct qs_blocklist *bl, GString *out, const char *name, int family)
{
	guint i = 0, n = count(bl, family);

	g_string_append_printf(out, "\tset %s {\n\t\ttype %s\n", name,
			       family == AF_INET ? "ipv4_addr" : "ipv6_addr");
	/* an empty "elements = { }" is a syntax error: leave the line out */
	if (n) {
		g_string_append(out, "\t\telements = {");
		EACH(bl, b, family)
			g_string_append_printf(out, "%s\n\t\t\t%s", i++ ? "," : "", b->text);
		g_string_append(out, "\n\t\t}\n");
	}
	g_string_append(out, "\t}\n");
}

/* the table is created, deleted and defined again: `nft -f` replaces it atomically */
static void r_nft(const struct qs_blocklist *bl, GString *out)
{
	g_string_append(out, "#!/usr/sbin/nft -f\n");
	header(bl, out);
	g_string_append(out, "table inet qscan\ndelete table inet qscan\ntable inet qscan {\n");
	nft_set(bl, out, "block4", AF_INET);
	nft_set(bl, out, "block6", AF_INET6);
	g_string_append(out, "\tchain input {\n"
			"\t\ttype filter hook input priority filter - 1; policy accept;\n"
			"\t\tip saddr @block4 tcp dport { 25, 465, 587 } drop\n"
			"\t\tip6 saddr @block6 tcp dport { 25, 465, 587 } drop\n"
			"\t}\n}\n");
}

/* fill NAME-new, then swap it in: a firewall rule using NAME never sees it empty */
static void ipset_set(const struct qs_blocklist *bl, GString *out, const char *name, int family)
{
	const char *fam = family == AF_INET ? "inet" : "inet6";
	guint n = MAX(65536u, count(bl, family));

	g_string_append_printf(out, "create %s hash:ip family %s maxelem %u -exist\n", name, fam, n);
	g_string_append_printf(out, "create %s-new hash:ip family %s maxelem %u -exist\nflush %s-new\n",
			       name, fam, n, name);
	EACH(bl, b, family)
		g_string_append_printf(out, "add %s-new %s -exist\n", name, b->text);
	g_string_append_printf(out, "swap %s-new %s\ndestroy %s-new\n", name, name, name);
}

static void r_ipset(const struct qs_blocklist *bl, GString *out)
{
	header(bl, out);
	g_string_append(out, "# iptables -I INPUT -m set --match-set qscan4 src -p tcp --dport 25 -j DROP\n");
	ipset_set(bl, out, "qscan4", AF_INET);
	ipset_set(bl, out, "qscan6", AF_INET6);
}

static const struct {
	const char *name;
	render_fn fn;
} formats[] = {
	{ "tcprules", r_tcprules },
	{ "postfix", r_postfix },
	{ "nft", r_nft },
	{ "ipset", r_ipset },
	{ "plain", r_plain },
};

static render_fn find(const char *format)
{
	guint i;

	for (i = 0; format && i < G_N_ELEMENTS(formats); i++)
		if (strcmp(format, formats[i].name) == 0)
			return formats[i].fn;
	return NULL;
}

bool qs_blocklist_format_ok(const char *format)
{
	return find(format) != NULL;
}

int qs_blocklist_render(const struct qs_blocklist *bl, const char *format, GString *out, GError **err)
{
	render_fn fn = find(format);

	if (fn == NULL) {
		g_set_error(err, QS_ERROR, 0, "unknown block list format '%s': use tcprules, "
			    "postfix, nft, ipset or plain", format ? format : "");
		return -1;
	}
	fn(bl, out);
	return 0;
}
