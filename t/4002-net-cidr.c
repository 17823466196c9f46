/* 4002-net-cidr: IPv4/IPv6 networks, mapped addresses, bad networks. */
#include "config.h"
#include <string.h>
#include <sys/socket.h>
#include "conf.h"
#include "tap.h"

static void match(const char *net, const char *ip, bool want)
{
	struct qs_net n;

	if (!qs_net_parse(net, &n)) {
		ok(false, "%s parses", net);
		return;
	}
	ok(qs_net_match(&n, ip) == want, "%s %s %s", ip, want ? "in" : "not in", net);
	qs_net_clear(&n);
}

static void bad(const char *net, const char *why_part)
{
	struct qs_net n;
	const char *why = NULL;
	bool parsed = qs_net_parse_err(net, &n, &why);

	ok(!parsed && why && strstr(why, why_part), "\"%s\" rejected: %s", net, why ? why : "(accepted)");
	if (parsed)
		qs_net_clear(&n);
}

int main(void)
{
	struct qs_net n;
	GArray *list;
	char *s;

	match("192.0.2.0/24", "192.0.2.1", true);
	match("192.0.2.0/24", "192.0.2.255", true);
	match("192.0.2.0/24", "192.0.3.0", false);
	match("192.0.2.128/25", "192.0.2.127", false);
	match("192.0.2.128/25", "192.0.2.200", true);
	match("10.0.0.0/8", "10.255.255.255", true);
	match("10.0.0.0/9", "10.128.0.0", false);
	match("0.0.0.0/0", "203.0.113.9", true);
	match("0.0.0.0/0", "2001:db8::1", false);
	match("192.0.2.7", "192.0.2.7", true);
	match("192.0.2.7", "192.0.2.8", false);
	match(" 192.0.2.7/32 ", "192.0.2.7", true);
	/* IPv4-mapped IPv6 is IPv4 */
	match("192.0.2.0/24", "::ffff:192.0.2.9", true);
	match("192.0.2.0/24", "[IPv6:::ffff:192.0.2.9]", true);
	match("192.0.2.0/24", "::ffff:192.0.3.9", false);
	match("::ffff:192.0.2.0/120", "192.0.2.77", true);
	match("::ffff:192.0.2.0/120", "192.0.3.77", false);
	match("127.0.0.0/8", "::ffff:127.0.0.1", true);
	/* IPv6 */
	match("2001:db8::/32", "2001:db8:ffff::1", true);
	match("2001:db8::/32", "2001:db9::1", false);
	match("2001:db8::/33", "2001:db8:8000::1", false);
	match("2001:db8::/33", "2001:db8:7fff::1", true);
	match("::1", "::1", true);
	match("::1", "::2", false);
	match("::1", "127.0.0.1", false);
	match("::/0", "2001:db8::1", true);
	match("::/0", "192.0.2.1", false);
	match("[2001:db8::]/64", "2001:db8::abcd", true);
	match("IPv6:2001:db8::/64", "[IPv6:2001:DB8::1]", true);
	match("2001:db8::1", "2001:0db8:0000::0001", true);
	match("2001:db8::/127", "2001:db8::1", true);
	match("2001:db8::/127", "2001:db8::2", false);
	/* not addresses at all */
	match("192.0.2.0/24", "", false);
	match("192.0.2.0/24", "unknown", false);
	match("192.0.2.0/24", "192.0.2", false);
	ok(!qs_net_match(NULL, "192.0.2.1"), "NULL network matches nothing");

	bad("192.0.2.1/24", "host bits");
	bad("2001:db8::1/64", "host bits");
	bad("192.0.2.0/33", "0 to 32");
	bad("2001:db8::/129", "0 to 128");
	bad("192.0.2.0/", "prefix");
	bad("192.0.2.0/2x", "prefix");
	bad("192.0.2.0/-1", "prefix");
	bad("192.0.2.256", "not an IPv4 or IPv6");
	bad("192.0.2", "not an IPv4 or IPv6");
	bad("example.com", "not an IPv4 or IPv6");
	bad("2001:db8:::1", "not an IPv4 or IPv6");
	bad("::ffff:192.0.2.0/64", "at least 96");
	bad("", "empty");

	ok(qs_net_parse("::ffff:192.0.2.0/120", &n) && n.family == AF_INET && n.prefix == 24,
	   "mapped /120 is IPv4 /24");
	qs_net_clear(&n);
	ok(qs_net_parse("2001:db8::/48", &n) && n.family == AF_INET6 && n.prefix == 48 &&
	   strcmp(n.text, "2001:db8::/48") == 0, "IPv6 network fields and text");
	qs_net_clear(&n);

	list = g_array_new(FALSE, TRUE, sizeof(struct qs_net));
	g_array_set_clear_func(list, (GDestroyNotify)qs_net_clear);
	qs_net_parse("10.0.0.0/8", &n);
	g_array_append_val(list, n);
	qs_net_parse("2001:db8::/32", &n);
	g_array_append_val(list, n);
	ok(qs_net_list_match(list, "10.1.2.3"), "list: IPv4 member");
	ok(qs_net_list_match(list, "2001:db8::5"), "list: IPv6 member");
	ok(qs_net_list_match(list, "::ffff:10.9.9.9"), "list: mapped member");
	ok(!qs_net_list_match(list, "192.0.2.1"), "list: non-member");
	ok(!qs_net_list_match(list, NULL), "list: NULL IP");
	g_array_unref(list);

	s = qs_ip_normalize("[IPv6:2001:DB8:0:0::1]");
	is_str(s, "2001:db8::1", "IPv6 normalised");
	g_free(s);
	s = qs_ip_normalize("::ffff:192.0.2.1");
	is_str(s, "192.0.2.1", "mapped normalised to IPv4");
	g_free(s);
	s = qs_ip_normalize("nonsense");
	is_str(s, NULL, "not an IP");
	g_free(s);
	return done_testing();
}
