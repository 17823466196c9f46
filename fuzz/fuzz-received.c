/*
 * fuzz-received.c - the Received parser on one unfolded value, with the
 * field contract of received.h checked on every result.
 */
#include "config.h"
#include <string.h>
#include "fuzz.h"
#include "conf.h"
#include "received.h"

static void init(void)
{
}

static void check_field(const char *f, size_t cap)
{
	if (!f)
		return;
	QF_CHECK(*f != '\0', "received: present fields are never empty");
	QF_CHECK(strlen(f) <= cap, "received: fields are capped");
	for (const unsigned char *s = (const unsigned char *)f; *s; s++)
		QF_CHECK(*s >= 0x20 && *s != 0x7f, "received: no control bytes in fields");
}

static int one(const uint8_t *d, size_t n)
{
	char *v = qf_cstr(d, n);
	struct qs_hop hop;
	int r;

	memset(&hop, 0, sizeof hop);
	r = qs_received_parse(v, &hop);
	QF_CHECK(r == 0 || r == -1, "received: returns 0 or -1");
	QF_CHECK((r == 0) == hop.parsed, "received: parsed matches the return value");
	check_field(hop.from, 255);
	check_field(hop.rdns, 255);
	check_field(hop.ip, 255);
	check_field(hop.by, 255);
	check_field(hop.with, 63);
	check_field(hop.id, 255);
	check_field(hop.for_addr, 255);
	check_field(hop.auth_user, 255);
	check_field(hop.date, 127);
	if (hop.ip) {
		char *canon = qs_ip_normalize(hop.ip);
		QF_CHECK(canon != NULL, "received: ip is an IP address");
		QF_CHECK(strcmp(canon, hop.ip) == 0, "received: ip is canonical");
		g_free(canon);
	}
	qs_hop_clear(&hop);
	g_free(v);
	return 0;
}

QS_FUZZ_TARGET(received, init, one)
