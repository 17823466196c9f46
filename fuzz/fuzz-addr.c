/*
 * fuzz-addr.c - the envelope address decoder: relay tricks, routing
 * hops, IDN and address literals, with and without the configuration
 * (local domains example.com, example.org and its subdomains, local
 * address 192.0.2.10).
 */
#include "config.h"
#include <string.h>
#include "fuzz.h"
#include "addr.h"

static struct qs_config *conf;

static void init(void)
{
	conf = qf_config();
}

/* a normalised domain: ASCII, no upper case, no trailing dot */
static void check_domain(const char *dom)
{
	size_t len;

	if (!dom)
		return;
	len = strlen(dom);
	QF_CHECK(len > 0, "addr: a domain is never empty");
	QF_CHECK(dom[len - 1] != '.' || dom[0] == '[', "addr: no trailing dot");
	for (const unsigned char *s = (const unsigned char *)dom; *s; s++) {
		QF_CHECK(*s > 0x20 && *s < 0x7f, "addr: domains are printable ASCII (IDN as punycode)");
		QF_CHECK(dom[0] == '[' || !g_ascii_isupper(*s), "addr: domains are lower-case");
	}
}

static int one(const uint8_t *d, size_t n)
{
	char *a = qf_cstr(d, n), *dest = NULL, *dom;
	bool local = false;
	enum qs_addr_status st;
	GPtrArray *hops = g_ptr_array_new_with_free_func(g_free);

	st = qs_addr_resolve(conf, a, &dest, &local);
	switch (st) {
	case QS_ADDR_DOMAIN:
		QF_CHECK(dest != NULL, "addr: DOMAIN comes with a destination");
		check_domain(dest);
		(void)qs_domain_is_local(conf, dest);
		break;
	case QS_ADDR_NO_DOMAIN:
		QF_CHECK(dest == NULL && local, "addr: NO_DOMAIN is local without a destination");
		break;
	case QS_ADDR_INVALID:
		QF_CHECK(dest == NULL && !local, "addr: INVALID has no destination and is not local");
		break;
	default:
		QF_CHECK(0, "addr: status in range");
	}
	g_free(dest);

	dest = qs_addr_destination(a);
	check_domain(dest);
	if (dest && dest[0] != '[') {
		char *again = qs_domain_normalize(dest);
		QF_CHECK(again && strcmp(again, dest) == 0, "addr: normalising a normalised domain changes nothing");
		g_free(again);
	}
	g_free(dest);

	dom = qs_addr_domain(a);
	check_domain(dom);
	g_free(dom);

	st = qs_addr_hops(a, hops);
	QF_CHECK(hops->len <= QS_ADDR_MAX_HOPS + 1, "addr: hops are capped");
	for (guint i = 0; i < hops->len; i++)
		QF_CHECK(g_ptr_array_index(hops, i) != NULL, "addr: no NULL hop");
	g_ptr_array_free(hops, TRUE);

	dom = qs_domain_normalize(a);
	check_domain(dom);
	g_free(dom);
	g_free(a);
	return 0;
}

QS_FUZZ_TARGET(addr, init, one)
