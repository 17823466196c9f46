/*
 * addr.c - envelope addresses: the relay tricks of the CERT relay test
 * list, domain normalisation and locality.
 *
 * An address is decoded into its routing hops, outermost first: the
 * domain the mail is handed to first, then each domain a server there
 * would forward it to when it honours the old routing conventions.
 * One step, repeated on what is left (bounded by QS_ADDR_MAX_HOPS and
 * by the length of the string, which shrinks every step):
 *
 *   <...>            angle brackets are dropped
 *   @a,@b:rest       source route: dropped (RFC 5321 says servers
 *                    SHOULD ignore it, Postfix does), rest is decoded
 *   "..."            a wholly quoted string is unquoted (\x -> x) and
 *                    decoded again: "user@remote" and "user%remote"
 *   lp@domain        last @ outside quotes and [..]: hop domain, then lp
 *   a!rest           no @ left: first ! (bang path), hop a, then rest
 *                    (Postfix swap_bangpath: a!b!user -> b!user@a)
 *   lp%domain        no @ or ! left: last % (percent hack), hop domain
 *                    (a%b%c -> a%b@c, as Postfix and sendmail do)
 *
 * so "a%b%c@local" -> local, c, b; "local!remote!user" -> local,
 * remote; "\"user@remote\"@local" -> local, remote.
 *
 * qs_addr_destination() knows no configuration: it assumes the domain
 * after the last @ is ours and returns the next hop after it (the first
 * hop when there is no @). qs_addr_resolve() walks the hops with the
 * configuration and stops at the first one that is not local, which is
 * where this server would really send the mail.
 */
#include "config.h"
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include "addr.h"
#include "qs_limits.h"

struct hop {
	char *domain;	/* normalised */
	char via;	/* '@', '!' or '%' */
};

/* the decoded hops, on the stack (addr_hops adds at most max_hops) */
struct hops {
	guint len;
	struct hop h[QS_ADDR_MAX_HOPS];
};

struct scan {
	gssize last_at, first_bang, last_pct, first_colon;
	bool balanced;
};

/* the characters scan_addr() acts on at the top level, as a table */
static const guint8 *addr_special(void)
{
	static const char set[] = "\\\"[@%!:";
	static guint8 table[256];
	static gsize done;

	if (g_once_init_enter(&done)) {
		const char *p;
		for (p = set; *p; p++)
			table[(unsigned char)*p] = 1;
		g_once_init_leave(&done, 1);
	}
	return table;
}

static void scan_addr(const char *s, size_t len, struct scan *sc)
{
	const guint8 *special = addr_special();
	bool q = false, br = false;
	size_t i;

	sc->last_at = sc->first_bang = sc->last_pct = sc->first_colon = -1;
	for (i = 0; i < len; i++) {
		char ch;

		/* skip the ordinary characters of the top level in one loop */
		if (!q && !br)
			while (i < len && !special[(unsigned char)s[i]])
				i++;
		if (i == len)
			break;
		ch = s[i];
		if (q) {
			if (ch == '\\' && i + 1 < len)
				i++;
			else if (ch == '"')
				q = false;
			continue;
		}
		if (br) {
			if (ch == ']')
				br = false;
			continue;
		}
		switch (ch) {
		case '\\':
			if (i + 1 < len)
				i++;
			break;
		case '"': q = true; break;
		case '[': br = true; break;
		case '@': sc->last_at = (gssize)i; break;
		case '%': sc->last_pct = (gssize)i; break;
		case '!': if (sc->first_bang < 0) sc->first_bang = (gssize)i; break;
		case ':': if (sc->first_colon < 0) sc->first_colon = (gssize)i; break;
		default: break;
		}
	}
	sc->balanced = !q && !br;
}

/* is s[0..len) exactly one quoted string? */
static bool wholly_quoted(const char *s, size_t len)
{
	size_t i;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return false;
	for (i = 1; i < len - 1; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return false;
	}
	return i == len - 1;
}

/* unquote in place; returns the new length */
static size_t unquote(char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 1; i + 1 < len; i++) {
		if (s[i] == '\\' && i + 2 < len)
			i++;
		s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static void trim(char **s, size_t *len)
{
	while (*len > 0 && is_blank(**s))
		(*s)++, (*len)--;
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

static void hops_clear(struct hops *hops)
{
	guint i;

	for (i = 0; i < hops->len; i++)
		g_free(hops->h[i].domain);
	hops->len = 0;
}

static char *domain_normalize_len(const char *s, size_t len);

static bool add_hop(struct hops *hops, const char *d, size_t len, char via)
{
	struct hop h;

	h.domain = domain_normalize_len(d, len);
	if (h.domain == NULL)
		return false;
	h.via = via;
	hops->h[hops->len++] = h;
	return true;
}

/*
 * Decode addr into at most max_hops hops. *more says hops were left
 * undecoded. Returns false for an address that cannot be decoded
 * (too long, unbalanced quotes or brackets, an empty or invalid hop).
 */
static bool addr_hops(const char *addr, guint max_hops, struct hops *hops, bool *more)
{
	char buf[QS_MAX_ADDR + 1], *s;	/* a copy: unquoting edits it */
	size_t len;
	bool good = true, unquoted = false;

	*more = false;
	max_hops = MIN(max_hops, QS_ADDR_MAX_HOPS);	/* what struct hops holds */
	if (addr == NULL)
		return true;
	len = strlen(addr);
	if (len > QS_MAX_ADDR)
		return false;
	memcpy(buf, addr, len + 1);
	s = buf;
	for (;;) {
		struct scan sc;

		trim(&s, &len);
		while (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
			s++, len -= 2;
			trim(&s, &len);
		}
		if (len == 0)
			break;
		if (wholly_quoted(s, len)) {
			len = unquote(s, len);
			unquoted = true;
			continue;
		}
		scan_addr(s, len, &sc);
		if (!sc.balanced) {
			/* a quote that was escaped ("a\"b"@x) is just a character
			 * of the local part; at the top level it is an error */
			good = unquoted;
			break;
		}
		if (s[0] == '@') {		/* source route */
			if (sc.first_colon < 0) {
				good = false;
				break;
			}
			s += sc.first_colon + 1;
			len -= (size_t)sc.first_colon + 1;
			continue;
		}
		if ((sc.last_at >= 0 || sc.first_bang >= 0 || sc.last_pct >= 0) &&
		    hops->len >= max_hops) {
			*more = true;
			break;
		}
		if (sc.last_at >= 0) {
			good = add_hop(hops, s + sc.last_at + 1, len - (size_t)sc.last_at - 1, '@');
			len = (size_t)sc.last_at;
		} else if (sc.first_bang >= 0) {
			good = add_hop(hops, s, (size_t)sc.first_bang, '!');
			s += sc.first_bang + 1;
			len -= (size_t)sc.first_bang + 1;
		} else if (sc.last_pct >= 0) {
			good = add_hop(hops, s + sc.last_pct + 1, len - (size_t)sc.last_pct - 1, '%');
			len = (size_t)sc.last_pct;
		} else {
			break;			/* the final local part */
		}
		if (!good)
			break;
	}
	return good;
}

enum qs_addr_status qs_addr_hops(const char *addr, GPtrArray *out)
{
	struct hops hops = { 0 };
	bool more, good;
	guint i;

	good = addr_hops(addr, QS_ADDR_MAX_HOPS, &hops, &more) && !more;
	for (i = 0; good && i < hops.len; i++)
		g_ptr_array_add(out, g_strdup(hops.h[i].domain));
	i = hops.len;
	hops_clear(&hops);
	if (!good)
		return QS_ADDR_INVALID;
	return i ? QS_ADDR_DOMAIN : QS_ADDR_NO_DOMAIN;
}

char *qs_addr_destination(const char *addr)
{
	struct hops hops = { 0 };
	char *dest = NULL;
	bool more;

	if (addr_hops(addr, 2, &hops, &more) && hops.len > 0) {
		struct hop *h = &hops.h[0];
		guint pick = h->via == '@' && hops.len > 1 ? 1 : 0;

		h = &hops.h[pick];
		dest = h->domain;
		h->domain = NULL;
	}
	hops_clear(&hops);
	return dest;
}

enum qs_addr_status qs_addr_resolve(const struct qs_config *c, const char *addr,
				    char **dest_r, bool *local_r)
{
	struct hops hops = { 0 };
	enum qs_addr_status st = QS_ADDR_INVALID;
	bool more;
	guint i;

	*dest_r = NULL;
	*local_r = false;
	if (!addr_hops(addr, QS_ADDR_MAX_HOPS, &hops, &more))
		goto out;
	if (hops.len == 0) {
		*local_r = true;
		st = QS_ADDR_NO_DOMAIN;
		goto out;
	}
	for (i = 0; i < hops.len; i++) {
		struct hop *h = &hops.h[i];
		bool local = qs_domain_is_local(c, h->domain);	/* asked once per hop */

		if (!local || i + 1 == hops.len) {
			if (local && more)
				break;		/* undecoded hops beyond: cannot tell */
			*local_r = local;
			*dest_r = h->domain;
			h->domain = NULL;
			st = QS_ADDR_DOMAIN;
			break;
		}
	}
out:
	hops_clear(&hops);
	return st;
}

char *qs_addr_domain(const char *addr)
{
	char buf[QS_MAX_ADDR + 1], *s, *d = NULL;
	size_t len;
	struct scan sc;

	if (addr == NULL || (len = strlen(addr)) > QS_MAX_ADDR)
		return NULL;
	memcpy(buf, addr, len + 1);
	s = buf;
	trim(&s, &len);
	while (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
		s++, len -= 2;
		trim(&s, &len);
	}
	scan_addr(s, len, &sc);
	if (len > 0 && sc.last_at >= 0) {
		d = domain_normalize_len(s + sc.last_at + 1, len - (size_t)sc.last_at - 1);
	}
	return d;
}

/* "[1.2.3.4]" / "[IPv6:...]" -> canonical literal, else NULL */
static char *literal_normalize(const char *s, size_t len)
{
	char inner[INET6_ADDRSTRLEN + 8], out[INET6_ADDRSTRLEN];
	guint8 a[16];
	bool v6;

	if (len < 3 || s[len - 1] != ']')
		return NULL;
	s++, len -= 2;
	v6 = len > 5 && g_ascii_strncasecmp(s, "ipv6:", 5) == 0;
	if (v6)
		s += 5, len -= 5;
	if (len == 0 || len >= sizeof(inner))
		return NULL;
	memcpy(inner, s, len);
	inner[len] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, inner, a) != 1 ||
	    inet_ntop(v6 ? AF_INET6 : AF_INET, a, out, sizeof(out)) == NULL)
		return NULL;
	return g_strdup_printf(v6 ? "[ipv6:%s]" : "[%s]", out);
}

static bool hostname_ok(const char *d)
{
	size_t total = strlen(d), label = 0;

	if (total == 0 || total > 253)
		return false;
	for (; *d; d++) {
		if (*d == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!g_ascii_isalnum(*d) && *d != '-' && *d != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

char *qs_domain_normalize(const char *domain)
{
	if (domain == NULL)
		return NULL;
	return domain_normalize_len(domain, strlen(domain));
}

/* domain_normalize_len - qs_domain_normalize of s[0..len) (no NUL in it) */
static char *domain_normalize_len(const char *s, size_t len)
{
	size_t i;
	char *raw, *d;
	bool ascii = true;

	if (len > QS_MAX_ADDR)
		return NULL;
	while (len > 0 && is_blank(*s))
		s++, len--;
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	if (len > 0 && s[0] == '[')
		return literal_normalize(s, len);
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0)
		return NULL;
	for (i = 0; i < len; i++)
		if ((guchar)s[i] >= 0x80)
			ascii = false;
	if (ascii) {
		/* the common case: hostname_ok() and lower-casing in one pass,
		 * straight into the result */
		size_t label = 0;

		if (len > 253)
			return NULL;
		d = g_malloc(len + 1);
		for (i = 0; i < len; i++) {
			char c = s[i];
			if (c == '.') {
				if (label == 0)
					break;
				label = 0;
			} else if ((!g_ascii_isalnum(c) && c != '-' && c != '_') || ++label > 63) {
				break;
			}
			d[i] = c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
		}
		if (i < len || label == 0) {
			g_free(d);
			return NULL;
		}
		d[len] = '\0';
		return d;
	}
	raw = g_strndup(s, len);
	{
		char *a = g_utf8_validate(raw, -1, NULL) ? g_hostname_to_ascii(raw) : NULL;

		g_free(raw);
		if (a == NULL)
			return NULL;
		raw = a;
		/* g_hostname_to_ascii maps the ideographic full stop too */
		len = strlen(raw);
		if (len > 0 && raw[len - 1] == '.')
			raw[len - 1] = '\0';
	}
	d = g_ascii_strdown(raw, -1);
	g_free(raw);
	if (!hostname_ok(d)) {
		g_free(d);
		return NULL;
	}
	return d;
}

bool qs_domain_entry_match(const char *entry, const char *domain)
{
	size_t el, dl;

	if (entry == NULL || domain == NULL)
		return false;
	if (entry[0] != '.')
		return g_ascii_strcasecmp(entry, domain) == 0;
	el = strlen(entry);
	dl = strlen(domain);
	return dl > el && g_ascii_strcasecmp(domain + dl - el, entry) == 0;
}

bool qs_domain_list_match(const GPtrArray *entries, const char *domain)
{
	guint i;

	if (entries == NULL || domain == NULL)
		return false;
	for (i = 0; i < entries->len; i++)
		if (qs_domain_entry_match(g_ptr_array_index(entries, i), domain))
			return true;
	return false;
}

bool qs_domain_is_local(const struct qs_config *c, const char *domain)
{
	guint i;

	if (domain == NULL)
		return true;
	if (domain[0] == '[')
		return qs_ip_is_local(c, domain);
	for (i = 0; i < c->local_domains->len; i++) {
		const struct qs_domain *d = g_ptr_array_index(c->local_domains, i);

		if (qs_domain_entry_match(d->name, domain))
			return true;
	}
	return false;
}
