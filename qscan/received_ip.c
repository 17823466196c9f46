/*
 * received_ip.c - client addresses as MTAs print them, made canonical.
 *
 * The address is the key of the per-IP counts and block lists, so the
 * same host must always give the same text: inet_pton validates it and
 * inet_ntop prints it (IPv6 lower-case, compressed); IPv4-mapped IPv6
 * (Courier, old Linux dual-stack daemons) becomes plain IPv4; a zone id
 * (Exchange's [fe80::1%12]) is dropped because it means nothing off the
 * host that wrote it.
 */
#include "config.h"
#include <string.h>
#include <arpa/inet.h>
#include <glib.h>
#include "conf.h"
#include "received_int.h"

#define IPBUF 64

/* inet_ntop formats IPv4 with sprintf; this runs for every hop */
static void v4_text(const unsigned char b[4], char out[QS_RCVD_IPLEN])
{
	int i;
	char *o = out;

	for (i = 0; i < 4; i++) {
		if (b[i] >= 100)
			*o++ = (char)('0' + b[i] / 100);
		if (b[i] >= 10)
			*o++ = (char)('0' + b[i] / 10 % 10);
		*o++ = (char)('0' + b[i] % 10);
		*o++ = i < 3 ? '.' : '\0';
	}
}

static bool try_v4(const char *s, char out[QS_RCVD_IPLEN])
{
	guint8 a4[4];

	if (!qs_ip_dotted_quad(s, strlen(s), a4))	/* inet_pton(AF_INET), no call */
		return false;
	v4_text(a4, out);
	return true;
}

static bool try_v6(const char *s, char out[QS_RCVD_IPLEN])
{
	struct in6_addr a6;
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (inet_pton(AF_INET6, s, &a6) != 1)
		return false;
	if (memcmp(a6.s6_addr, mapped, sizeof mapped) == 0) {
		v4_text(a6.s6_addr + 12, out);
		return true;
	}
	return inet_ntop(AF_INET6, &a6, out, QS_RCVD_IPLEN) != NULL;
}

/* "a.b.c.d:port" and the old Exim "a.b.c.d.port" */
static bool try_v4_port(char *s, char out[QS_RCVD_IPLEN])
{
	char *c = strchr(s, ':');
	char *d;
	int dots = 0;

	if (c && !strchr(c + 1, ':')) {
		*c = '\0';
		return try_v4(s, out);
	}
	for (d = s; *d; d++) {
		if (*d == '.' && ++dots == 4) {
			*d = '\0';
			return strspn(d + 1, "0123456789") == strlen(d + 1) && try_v4(s, out);
		}
	}
	return false;
}

/* addr_chars - up to the first ':', only hex digits and '.': every
 * text one of the three parsers below accepts starts so (inet_pton
 * takes digits and dots for IPv4, hex digits, ':' and '.' for IPv6;
 * "a.b.c.d:port" has an IPv4 address before its only ':', and what
 * follows is not looked at), so anything else (a host name: this is
 * asked for HELO and rDNS names too) is refused before three parse
 * attempts. t/4004 compares with the attempts alone. */
static bool addr_chars(const char *s)
{
	static const guint8 ok[256] = {
		['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
		['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
		['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['.'] = 1,
	};

	for (; *s && *s != ':'; s++)
		if (!ok[(guint8)*s])
			return false;
	return true;
}

bool qs_rcvd_ip_norm(struct qs_span in, char out[QS_RCVD_IPLEN])
{
	char buf[IPBUF];
	char *s = buf, *e;

	while (in.n > 0 && (in.p[0] == ' ' || in.p[0] == '\t')) {
		in.p++;
		in.n--;
	}
	if (in.n == 0 || in.n >= IPBUF || (!memchr(in.p, '.', in.n) && !memchr(in.p, ':', in.n)))
		return false;	/* most words: not an address at all */
	memcpy(buf, in.p, in.n);
	buf[in.n] = '\0';
	if (*s == '[') {
		s++;
		if ((e = strchr(s, ']')) != NULL)
			*e = '\0';	/* no ']': a truncated line, the rest must be the address */
	}
	if (g_ascii_strncasecmp(s, "IPv6:", 5) == 0)
		s += 5;
	if ((e = strchr(s, '%')) != NULL)
		*e = '\0';
	if (*s == '\0' || !addr_chars(s))
		return false;
	return try_v4(s, out) || try_v6(s, out) || try_v4_port(s, out);
}

bool qs_rcvd_is_ipv6_text(struct qs_span in)
{
	char buf[IPBUF];
	struct in6_addr a6;

	if (in.n == 0 || in.n >= IPBUF || !memchr(in.p, ':', in.n))
		return false;
	memcpy(buf, in.p, in.n);
	buf[in.n] = '\0';
	return inet_pton(AF_INET6, buf, &a6) == 1;
}
