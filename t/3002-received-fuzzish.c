/*
 * 3002-received-fuzzish: qs_received_parse on damaged real lines.
 *
 * Every value of t/data/received/cases.txt is fed as each of its
 * prefixes (each one in a heap block of exactly its size, so a read
 * past the NUL is caught by ASan/valgrind) and then, with a fixed seed,
 * mutated a few thousand times (bytes replaced by random non-NUL bytes,
 * parentheses, brackets and ';' inserted, bytes deleted, chunks
 * doubled, long runs of one byte inserted). After every call the hop must be sane: return value and
 * parsed agree, each field is NUL-terminated within its cap and has no
 * control bytes, the ip is a canonical address, valid UTF-8 input gives
 * valid UTF-8 fields, and a second call gives the same fields.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "received.h"
#include "received_int.h"
#include "tap.h"
#include "testutil.h"

#define MUTATIONS 4000

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static int failures;
static char first_failure[512];

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void fail(const char *what, const char *input)
{
	char *esc;

	if (failures++ == 0) {
		esc = g_strescape(input, NULL);	/* the diag stays one printable line */
		snprintf(first_failure, sizeof first_failure, "%s; input: %.300s", what, esc);
		g_free(esc);
	}
}

static bool field_ok(const char *f, size_t cap, bool utf8_in)
{
	const unsigned char *p;

	if (!f)
		return true;
	if (strlen(f) > cap || *f == '\0')
		return false;
	for (p = (const unsigned char *)f; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return !utf8_in || g_utf8_validate(f, -1, NULL);
}

static bool ip_ok(const char *ip)
{
	unsigned char buf[16];
	char back[QS_RCVD_IPLEN];

	if (!ip)
		return true;
	if (inet_pton(AF_INET, ip, buf) == 1)
		return inet_ntop(AF_INET, buf, back, sizeof back) && !strcmp(back, ip);
	return inet_pton(AF_INET6, ip, buf) == 1 && inet_ntop(AF_INET6, buf, back, sizeof back) &&
	       !strcmp(back, ip);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool hops_equal(const struct qs_hop *a, const struct qs_hop *b)
{
	return same(a->from, b->from) && same(a->rdns, b->rdns) && same(a->ip, b->ip) && same(a->by, b->by) &&
	       same(a->with, b->with) && same(a->id, b->id) && same(a->for_addr, b->for_addr) &&
	       same(a->auth_user, b->auth_user) && same(a->date, b->date) && same(a->mta, b->mta) &&
	       a->authenticated == b->authenticated && a->local == b->local && a->parsed == b->parsed;
}

/* one call on a heap copy of exactly len bytes + NUL */
static void check(const char *s, size_t len)
{
	char *in = g_malloc(len + 1);
	struct qs_hop h, h2;
	bool utf8;
	int rc;

	memcpy(in, s, len);
	in[len] = '\0';
	utf8 = g_utf8_validate(in, -1, NULL);
	rc = qs_received_parse(in, &h);
	if (rc != (h.parsed ? 0 : -1))
		fail("return value disagrees with parsed", in);
	if (!field_ok(h.from, QS_RCVD_MAX_FIELD, utf8) || !field_ok(h.rdns, QS_RCVD_MAX_FIELD, utf8) ||
	    !field_ok(h.by, QS_RCVD_MAX_FIELD, utf8) || !field_ok(h.id, QS_RCVD_MAX_FIELD, utf8) ||
	    !field_ok(h.for_addr, QS_RCVD_MAX_FIELD, utf8) || !field_ok(h.auth_user, QS_RCVD_MAX_FIELD, utf8) ||
	    !field_ok(h.with, QS_RCVD_MAX_WITH, utf8) || !field_ok(h.date, QS_RCVD_MAX_DATE, utf8) ||
	    !field_ok(h.mta, 16, true))
		fail("a field is empty, too long, has control bytes or broke UTF-8", in);
	if (!ip_ok(h.ip))
		fail("ip is not a canonical address", in);
	if (h.auth_user && !h.authenticated)
		fail("auth_user without authenticated", in);
	if (h.ours || h.trusted)
		fail("parser set classifier fields", in);
	qs_received_parse(in, &h2);
	if (!hops_equal(&h, &h2))
		fail("second call gave other fields", in);
	qs_hop_clear(&h);
	qs_hop_clear(&h2);
	g_free(in);
}

static void mutate(GString *s)
{
	static const char ins[] = "()[];<> \t:@=\"\\";
	unsigned k, n = 1 + rnd(8);
	size_t at;

	for (k = 0; k < n; k++) {
		at = s->len ? rnd((unsigned)s->len) : 0;
		switch (rnd(6)) {
		case 0:
			if (s->len)
				s->str[at] = (char)(1 + rnd(255));
			break;
		case 1:
			g_string_insert_c(s, (gssize)at, ins[rnd(sizeof ins - 1)]);
			break;
		case 2:
			if (s->len) {
				size_t cut = 1 + rnd(4);
				g_string_erase(s, (gssize)at, (gssize)MIN(s->len - at, cut));
			}
			break;
		case 3: {
			char *chunk = g_strndup(s->str + at, 1 + rnd(40));
			g_string_insert(s, (gssize)at, chunk);
			g_free(chunk);
			break;
		}
		case 4: {	/* a long run of one byte: caps, UTF-8 cuts */
			char b = (char)(1 + rnd(255));
			unsigned run = 50 + rnd(600);
			while (run--)
				g_string_insert_c(s, (gssize)at, b);
			break;
		}
		default:
			g_string_insert_c(s, (gssize)at, (char)(0x80 + rnd(128)));
			break;
		}
	}
}

int main(void)
{
	GPtrArray *v = tu_received_values();
	GString *s = g_string_new(NULL);
	size_t i, len, calls = 0;
	int it;

	ok(v->len >= 150, "%u values loaded", v->len);
	for (i = 0; i < v->len; i++) {
		const char *val = g_ptr_array_index(v, i);
		for (len = 0; len <= strlen(val); len++, calls++)
			check(val, len);
	}
	is_int(failures, 0, "all prefixes of %u values (%zu calls) give sane hops", v->len, calls);
	if (failures)
		diag("first failure: %s", first_failure);

	failures = 0;
	for (it = 0; it < MUTATIONS; it++) {
		g_string_assign(s, g_ptr_array_index(v, rnd(v->len)));
		mutate(s);
		check(s->str, s->len);
	}
	is_int(failures, 0, "%d seeded mutations give sane hops", MUTATIONS);
	if (failures)
		diag("first failure: %s", first_failure);

	failures = 0;
	for (it = 0; it < 200; it++) {
		g_string_truncate(s, 0);
		for (len = rnd(6000); len > 0; len--)
			g_string_append_c(s, (char)(1 + rnd(255)));
		check(s->str, s->len);
	}
	is_int(failures, 0, "200 random byte strings up to 6000 bytes give sane hops");
	if (failures)
		diag("first failure: %s", first_failure);

	g_string_free(s, TRUE);
	g_ptr_array_free(v, TRUE);
	return done_testing();
}
