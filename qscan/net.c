/*
 * net.c - IPv4/IPv6 addresses and CIDR networks.
 *
 * Accepted spellings, for networks and for addresses to match:
 * "192.0.2.1", "192.0.2.0/24", "2001:db8::/32", "[2001:db8::1]",
 * "IPv6:2001:db8::1", "[IPv6:2001:db8::1]/64" (brackets and the RFC 5321
 * "IPv6:" tag are dropped). A bare address is a /32 or /128 network.
 *
 * IPv4-mapped IPv6 addresses (::ffff:192.0.2.1) are IPv4 addresses for
 * every comparison, and a mapped network with a prefix of at least 96
 * (::ffff:192.0.2.0/120) is the IPv4 network it maps, so a listener on
 * a dual-stack socket and a configuration in dotted quads agree.
 *
 * Decision: a network whose host bits are set ("192.0.2.5/24") is an
 * error, like Postfix's cidr tables: it is usually a typo, and silently
 * widening trusted_networks is the wrong kind of surprise.
 */
#include "config.h"
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include "conf.h"
#include "util.h"

static const guint8 v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* strip blanks, one pair of brackets and an "IPv6:" tag; copy into buf */
static bool ip_text(const char *s, size_t len, char *buf, size_t bufsz)
{
	while (len > 0 && g_ascii_isspace(*s))
		s++, len--;
	while (len > 0 && g_ascii_isspace(s[len - 1]))
		len--;
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
		s++, len -= 2;
	if (len > 5 && g_ascii_strncasecmp(s, "ipv6:", 5) == 0)
		s += 5, len -= 5;
	if (len == 0 || len >= bufsz || memchr(s, '\0', len))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

/* qs_ip_dotted_quad - exactly what inet_pton(AF_INET) accepts: four decimal
 * parts 0-255 without leading zeros; no copy, no library call (the
 * judge asks this a dozen times a message) */
bool qs_ip_dotted_quad(const char *s, size_t len, guint8 out[4])
{
	const char *end = s + len;
	int part = 0;

	while (s < end) {
		unsigned v;

		if (part == 4 || *s < '0' || *s > '9')
			return false;
		v = (unsigned)(*s++ - '0');
		if (v == 0) {
			if (s < end && *s >= '0' && *s <= '9')
				return false;	/* a leading zero */
		} else {
			while (s < end && *s >= '0' && *s <= '9')
				if ((v = v * 10 + (unsigned)(*s++ - '0')) > 255)
					return false;
		}
		out[part++] = (guint8)v;
		if (s < end && (*s != '.' || ++s == end))
			return false;
	}
	return part == 4;
}

static bool ip_parse_len(const char *s, size_t len, int *family, guint8 addr[16])
{
	char buf[INET6_ADDRSTRLEN + 8];

	/* the common case first: a bare dotted quad */
	if (len >= 7 && len <= 15 && s[0] >= '0' && s[0] <= '9' && qs_ip_dotted_quad(s, len, addr)) {
		memset(addr + 4, 0, 12);
		*family = AF_INET;
		return true;
	}
	if (!ip_text(s, len, buf, sizeof(buf)))
		return false;
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return false;
	if (memcmp(addr, v4mapped_prefix, 12) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
		return true;
	}
	*family = AF_INET6;
	return true;
}

bool qs_ip_parse(const char *ip, int *family, guint8 addr[16])
{
	if (ip == NULL)
		return false;
	return ip_parse_len(ip, strlen(ip), family, addr);
}

char *qs_ip_normalize(const char *ip)
{
	guint8 a[16];
	int fam;
	char buf[INET6_ADDRSTRLEN];

	if (!qs_ip_parse(ip, &fam, a) || inet_ntop(fam, a, buf, sizeof(buf)) == NULL)
		return NULL;
	return g_strdup(buf);
}

static bool host_bits_clear(const guint8 *a, guint prefix, guint bits)
{
	guint i;

	for (i = prefix; i < bits; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool qs_net_parse_err(const char *text, struct qs_net *out, const char **why)
{
	const char *slash, *dummy;
	guint8 raw[16];
	guint64 prefix;
	guint bits;
	size_t alen;
	bool mapped_v6;
	int fam;

	if (why == NULL)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	if (text == NULL || *text == '\0') {
		*why = "empty network";
		return false;
	}
	slash = strchr(text, '/');
	alen = slash ? (size_t)(slash - text) : strlen(text);
	if (!ip_parse_len(text, alen, &fam, out->addr)) {
		*why = "not an IPv4 or IPv6 address";
		return false;
	}
	out->family = fam;
	bits = fam == AF_INET ? 32 : 128;
	prefix = bits;
	/* a mapped network counts its prefix over 128 bits */
	{
		char buf[INET6_ADDRSTRLEN + 8];
		mapped_v6 = fam == AF_INET && ip_text(text, alen, buf, sizeof(buf)) &&
			    inet_pton(AF_INET6, buf, raw) == 1;
	}
	if (slash != NULL) {
		char *p = g_strstrip(g_strdup(slash + 1));
		bool good = qs_parse_uint(p, 0, mapped_v6 ? 128 : bits, &prefix);

		g_free(p);
		if (!good) {
			*why = fam == AF_INET && !mapped_v6 ? "prefix length is not a number from 0 to 32"
							    : "prefix length is not a number from 0 to 128";
			return false;
		}
		if (mapped_v6) {
			if (prefix < 96) {
				*why = "an IPv4-mapped network needs a prefix length of at least 96";
				return false;
			}
			prefix -= 96;
		}
	}
	if (!host_bits_clear(out->addr, (guint)prefix, bits)) {
		*why = "host bits are set after the prefix length (write the network address)";
		return false;
	}
	out->prefix = (guint)prefix;
	out->text = g_strstrip(g_strdup(text));
	return true;
}

bool qs_net_parse(const char *text, struct qs_net *out)
{
	return qs_net_parse_err(text, out, NULL);
}

void qs_net_clear(struct qs_net *n)
{
	if (n != NULL) {
		g_free(n->text);
		n->text = NULL;
	}
}

bool qs_net_match_raw(const struct qs_net *n, int family, const guint8 addr[16])
{
	guint full, rest;

	if (n->family != family)
		return false;
	full = n->prefix / 8;
	rest = n->prefix % 8;
	if (memcmp(n->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((n->addr[full] ^ addr[full]) & (guint8)(0xff << (8 - rest))) == 0;
}

bool qs_net_match(const struct qs_net *n, const char *ip)
{
	guint8 a[16];
	int fam;

	if (n == NULL || !qs_ip_parse(ip, &fam, a))
		return false;
	return qs_net_match_raw(n, fam, a);
}

bool qs_net_list_match(const GArray *nets, const char *ip)
{
	guint8 a[16];
	guint i;
	int fam;

	if (nets == NULL || nets->len == 0 || !qs_ip_parse(ip, &fam, a))
		return false;
	for (i = 0; i < nets->len; i++)
		if (qs_net_match_raw(&g_array_index(nets, struct qs_net, i), fam, a))
			return true;
	return false;
}
