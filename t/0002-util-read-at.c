/* 0002-util-read-at - qs_read_rfc5322_at (pread from the start, the
 * first bytes maybe read already) gives what the stream reader gives,
 * whatever the prefix length, line ends, known or unknown size, and
 * leaves the descriptor's offset alone. */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "qs_limits.h"
#include "tap.h"
#include "testutil.h"
#include "util.h"

struct got {
	GByteArray *hdr, *body;
	bool hdr_complete, body_complete;
	int rc;
};

static void got_init(struct got *g)
{
	g->hdr = g_byte_array_new();
	g->body = g_byte_array_new();
	g->hdr_complete = g->body_complete = false;
}

static void got_free(struct got *g)
{
	g_byte_array_free(g->hdr, TRUE);
	g_byte_array_free(g->body, TRUE);
}

static bool same_bytes(const GByteArray *a, const GByteArray *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* body_complete counts only when the body was asked for */
static bool same(const struct got *a, const struct got *b, bool body)
{
	return a->rc == b->rc && a->hdr_complete == b->hdr_complete &&
	       (!body || a->body_complete == b->body_complete) && same_bytes(a->hdr, b->hdr) &&
	       same_bytes(a->body, b->body);
}

/* every prefix length (and known and unknown size), body on and off,
 * against the stream reader; one check per case */
static void equal_case(const char *dir, const char *name, const GByteArray *msg)
{
	int fd, bad = 0, runs = 0;
	size_t pre;

	tu_write(dir, name, msg->data, msg->len, 0600);
	fd = openat(open(dir, O_RDONLY | O_DIRECTORY), name, O_RDONLY);
	for (int body = 0; body < 2; body++) {
		struct got want;
		got_init(&want);
		lseek(fd, 0, SEEK_SET);
		want.rc = qs_read_rfc5322(fd, want.hdr, &want.hdr_complete, body ? want.body : NULL,
					  QS_MAX_BODY, &want.body_complete, NULL);
		for (pre = 0; pre <= msg->len; pre += pre < 70 ? 1 : 997) {
			for (int known = 0; known < 2; known++) {
				struct got g;
				off_t before = lseek(fd, 3, SEEK_SET);
				got_init(&g);
				g.rc = qs_read_rfc5322_at(fd, msg->data, pre, known ? (gint64)msg->len : -1,
							  g.hdr, &g.hdr_complete, body ? g.body : NULL,
							  QS_MAX_BODY, &g.body_complete, NULL);
				runs++;
				if (!same(&g, &want, body) || lseek(fd, 0, SEEK_CUR) != before) {
					if (bad++ == 0)
						diag("%s: prefix %zu, size %s, body %d differs", name, pre,
						     known ? "known" : "unknown", body);
				}
				got_free(&g);
			}
		}
		got_free(&want);
	}
	ok(bad == 0, "%s: %d reads from the start equal the stream reader's", name, runs);
	close(fd);
}

static GByteArray *bytes(const char *s)
{
	GByteArray *b = g_byte_array_new();

	g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s));
	return b;
}

int main(void)
{
	char *dir = tu_tmpdir();
	GByteArray *b;
	GString *s;

	b = bytes("A: 1\nB: 2\n\nbody\n");
	equal_case(dir, "lf", b);
	g_byte_array_free(b, TRUE);
	b = bytes("A: 1\r\nB: 2\r\n\r\nbody\r\nmore\r\n");
	equal_case(dir, "crlf", b);	/* every split of a CR LF pair, too */
	g_byte_array_free(b, TRUE);
	b = bytes("A: 1\rB: 2\r\rbody");
	equal_case(dir, "cr", b);
	g_byte_array_free(b, TRUE);
	b = bytes("A: 1\nB: 2");
	equal_case(dir, "no-empty-line", b);
	g_byte_array_free(b, TRUE);
	b = bytes("");
	equal_case(dir, "empty", b);
	g_byte_array_free(b, TRUE);
	/* longer than one read step, header and body */
	s = g_string_new(NULL);
	while (s->len < 3 * QS_READ_STEP)
		g_string_append(s, "Received: from a.example (a.example [192.0.2.1]) by b.example\r\n");
	g_string_append(s, "\r\n");
	while (s->len < 9 * QS_READ_STEP + 17)
		g_string_append(s, "body line, long enough to cross read steps\r\n");
	b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)s->str, (guint)s->len);
	equal_case(dir, "long", b);
	g_byte_array_free(b, TRUE);
	/* a body larger than the cap */
	g_string_assign(s, "Subject: big\n\n");
	while (s->len < QS_MAX_BODY + 2 * QS_READ_STEP)
		g_string_append(s, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
	b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)s->str, (guint)s->len);
	equal_case(dir, "body-over-cap", b);
	g_byte_array_free(b, TRUE);
	g_string_free(s, TRUE);
	g_free(dir);
	tu_cleanup();
	return done_testing();
}
