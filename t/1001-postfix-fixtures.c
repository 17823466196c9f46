/*
 * 1001-postfix-fixtures: the Postfix reader against real Postfix 3.7.11
 * queues (shared/fixtures, see shared/formats/postfix-qmail.md §1.9,
 * §1.16): every message's envelope, client, times, size, files and
 * header block; the milter pointer chain; maildrop; hold; a sub-queue
 * given directly; several threads loading at once.
 */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "parser.h"
#include "pftest.h"
#include "tap.h"
#include "testutil.h"

struct want {
	const char *queue, *id, *path, *sender, *pending, *all, *defer_log;
	gint64 arrival, size;
	const char *ip, *helo, *name, *auth;
	bool local;
	const char *subject;
};

/* values read off the hexdumps, postqueue -j and postcat of the
 * fixture session (formats doc §1.9, §1.13) */
static const struct want before[] = {
	{ "deferred", "1FD921080BE", "deferred/1/1FD921080BE", "spammer@spam.example",
	  "victim1@example.com,victim2@example.net", "victim1@example.com,victim2@example.net",
	  "defer/1/1FD921080BE", 1795356436, 351, NULL, NULL, NULL, NULL, true,
	  "Subject: Buy cheap pills now\n" },
	{ "deferred", "5F5D41080C1", "deferred/5/5F5D41080C1", "winner@lotto.example",
	  "victim3@example.org,victim4@example.com", "victim3@example.org,victim4@example.com",
	  "defer/5/5F5D41080C1", 1795356436, 2470, "127.0.0.1", "spamhelo.example", "localhost",
	  NULL, false, "Subject: You won\n" },
	{ "deferred", "7486D1080C6", "deferred/7/7486D1080C6", "mixed@spam.example",
	  "keep@example.com", "keep@example.com,-gone@discard.example",
	  "defer/7/7486D1080C6", 1795356472, 328, NULL, NULL, NULL, NULL, true,
	  "Subject: mixed delivery\n" },
	{ "deferred", "4jXWBY3Wmdz87np", "deferred/7/4jXWBY3Wmdz87np", "longid@spam.example",
	  "victim8@example.com", "victim8@example.com", "defer/7/4jXWBY3Wmdz87np",
	  1795356501, 287, NULL, NULL, NULL, NULL, true, "Subject: long queue id\n" },
	{ "deferred", "4jXWF04Gfhz87nq", "deferred/9/4jXWF04Gfhz87nq", "promo@pharma.example",
	  "victim9@example.com,quarantine@example.com", "victim9@example.com,quarantine@example.com",
	  "defer/9/4jXWF04Gfhz87nq", 1795356628, 459, "198.51.100.23", "pharma-blast.example",
	  "unknown", NULL, false, "Subject: [SPAM] Viagra discount\n" },
	{ "hold", "A66881080C4", "hold/A66881080C4", "bounce@phish.example",
	  "victim5@example.com,victim6@example.com", "victim5@example.com,victim6@example.com",
	  "defer/A/A66881080C4", 1795356446, 440, "203.0.113.77", "bad-helo.example",
	  "mail.bad.example", "compromised-user", false, "Subject: Verify your account\n" },
};

static void check_msg(GPtrArray *msgs, const struct want *w, const char *prefix)
{
	struct qs_msg *m = pft_find(msgs, w->id);
	char *pend, *all, *path;

	if (!ok(m != NULL, "%s: %s found", prefix, w->id)) {
		skip("%s missing", w->id);
		return;
	}
	pend = pft_rcpts(m, false);
	all = pft_rcpts(m, true);
	path = *prefix ? g_strdup(strchr(w->path, '/') + 1) : g_strdup(w->path);
	is_str(m->error, NULL, "%s %s: no error", prefix, w->id);
	is_str(m->queue, w->queue, "%s %s: queue", prefix, w->id);
	is_str(m->path, path, "%s %s: path", prefix, w->id);
	is_str(m->sender, w->sender, "%s %s: sender", prefix, w->id);
	is_str(pend, w->pending, "%s %s: pending recipients", prefix, w->id);
	is_str(all, w->all, "%s %s: all recipients (done marked -)", prefix, w->id);
	is_int(m->arrival, w->arrival, "%s %s: arrival from T record", prefix, w->id);
	is_int(m->size, w->size, "%s %s: size from C record", prefix, w->id);
	is_str(m->client_ip, w->ip, "%s %s: client IP", prefix, w->id);
	is_str(m->client_helo, w->helo, "%s %s: HELO", prefix, w->id);
	is_str(m->client_name, w->name, "%s %s: client name", prefix, w->id);
	is_str(m->auth_user, w->auth, "%s %s: AUTH user", prefix, w->id);
	ok(m->local_submission == w->local, "%s %s: local submission %d", prefix, w->id, w->local);
	ok(m->hdr_complete && pft_hdr_has(m, w->subject), "%s %s: header block with %.*s", prefix,
	   w->id, (int)strlen(w->subject) - 1, w->subject);
	ok(m->hdr->len > 0 && m->hdr->data[m->hdr->len - 1] == '\n' &&
	   !pft_hdr_has(m, "\n\n"), "%s %s: header block ends at the empty line", prefix, w->id);
	is_int(m->body->len, 0, "%s %s: no body read for a non-null sender", prefix, w->id);
	is_str(g_ptr_array_index(m->files, 0), path, "%s %s: files[0] is the queue file", prefix, w->id);
	if (*prefix)
		is_int(m->files->len, 1, "%s %s: no logfiles outside the sub-queue", prefix, w->id);
	else
		ok(m->files->len == 2 && pft_has_file(m, w->defer_log),
		   "%s %s: files has %s", prefix, w->id, w->defer_log);
	g_free(pend);
	g_free(all);
	g_free(path);
}

static char *extract(const char *tar)
{
	char *src = tu_shared(tar), *dir;

	if (src == NULL)
		return NULL;
	dir = tu_tmpdir();
	if (tu_sh("cd '%s' && tar --numeric-owner -xpf '%s'", dir, src) != 0)
		bail("cannot extract %s", src);
	g_free(src);
	return dir;
}

static void test_before(const char *dir)
{
	GPtrArray *msgs = pft_scan(dir, NULL);
	struct qs_msg *m;
	size_t i;

	if (!ok(msgs != NULL, "before-delete: detected as Postfix"))
		bail("no walk");
	is_int(msgs->len, G_N_ELEMENTS(before), "before-delete: every message found once");
	for (i = 0; i < G_N_ELEMENTS(before); i++)
		check_msg(msgs, &before[i], "");

	/* milter edits are pointer chains: the replaced Subject and the
	 * added headers must come out in place, without the remnant bytes */
	m = pft_find(msgs, "4jXWF04Gfhz87nq");
	ok(pft_hdr_has(m, "X-Mailer: swaks v20201014.0 jetmore.org/john/code/swaks/\n"
		       "X-Spam-Flag: YES\nX-Spam-Score: 15.3\n"),
	   "milter: added headers at the end of the header block, in order");
	ok(!pft_hdr_has(m, "Subject: Viagra") && !pft_hdr_has(m, " discount\n\tN") &&
	   pft_hdr_has(m, "From: promo@pharma.example\nSubject: [SPAM] Viagra discount\n"
		       "Message-Id: <fixture-6@pharma.example>\n"),
	   "milter: replaced Subject in its place, old one gone");
	/* orig from the O records */
	m = pft_find(msgs, "1FD921080BE");
	ok(m && m->rcpts->len == 2 &&
	   g_strcmp0(((struct qs_rcpt *)g_ptr_array_index(m->rcpts, 0))->orig, "victim1@example.com") == 0,
	   "O record becomes the recipient's original address");
	/* walk order: deferred before hold */
	is_str(((struct qs_msg *)g_ptr_array_index(msgs, msgs->len - 1))->queue, "hold",
	       "hold/ walked after deferred/");
	pft_free(msgs);
}

static void test_final(const char *dir)
{
	GPtrArray *msgs = pft_scan(dir, NULL);
	struct qs_msg *m;
	char *sub;
	size_t i;
	static const int keep[] = { 1, 3, 4, 5 };	/* still queued in the final state */
	struct want drop = {
		"maildrop", "4jXWGC5hKfz87m2", "maildrop/4jXWGC5hKfz87m2", "dropper@spam.example",
		"victim10@example.com", "victim10@example.com", NULL, 1795356691, 227,
		NULL, NULL, NULL, NULL, true, "Subject: " };

	if (!ok(msgs != NULL, "final: detected as Postfix"))
		bail("no walk");
	is_int(msgs->len, 5, "final: 3 deferred + 1 hold + 1 maildrop");
	m = g_ptr_array_index(msgs, 0);
	is_str(m->queue, "maildrop", "maildrop walked first (showq order)");
	m = pft_find(msgs, drop.id);
	ok(m && m->err == QS_ERR_NONE && m->files->len == 1,
	   "maildrop 0744 file without C record or Received read");
	if (m) {
		char *r = pft_rcpts(m, true);
		is_str(m->sender, drop.sender, "maildrop: sender");
		is_str(r, drop.pending, "maildrop: recipient");
		is_int(m->arrival, drop.arrival, "maildrop: arrival");
		is_int(m->size, drop.size, "maildrop: size falls back to the file size");
		ok(m->local_submission && m->client_ip == NULL, "maildrop: local submission");
		ok(m->hdr_complete && !pft_hdr_has(m, "Received:"), "maildrop: headers, no Received");
		g_free(r);
	}
	ok(pft_find(msgs, "7486D1080C6") == NULL && pft_find(msgs, "1FD921080BE") == NULL,
	   "deleted messages are gone");
	for (i = 0; i < G_N_ELEMENTS(keep); i++)
		check_msg(msgs, &before[keep[i]], "");
	pft_free(msgs);

	/* the user points at deferred/ itself */
	sub = g_build_filename(dir, "deferred", NULL);
	msgs = pft_scan(sub, NULL);
	if (ok(msgs != NULL, "deferred/ given directly is accepted")) {
		is_int(msgs->len, 3, "deferred/ alone: its 3 messages, nothing else");
		for (i = 0; i < 3; i++)
			check_msg(msgs, &before[keep[i]], "deferred");
	}
	pft_free(msgs);
	g_free(sub);
	sub = g_build_filename(dir, "hold/", NULL);
	msgs = pft_scan(sub, NULL);
	ok(msgs && msgs->len == 1 && strcmp(((struct qs_msg *)g_ptr_array_index(msgs, 0))->path,
					     "A66881080C4") == 0,
	   "hold/ given directly (trailing slash): one message, path relative to it");
	pft_free(msgs);
	g_free(sub);
}

static void test_probe(const char *dir)
{
	GString *why = g_string_new(NULL);
	char *empty = tu_tmpdir(), *qmailish = tu_tmpdir();
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ok(qs_parser_postfix.probe(fd, dir, why) >= 50 && strstr(why->str, "deferred/"),
	   "probe: queue root is sure, and says why");
	close(fd);
	fd = open(empty, O_RDONLY | O_DIRECTORY);
	ok(qs_parser_postfix.probe(fd, empty, why) == 0, "probe: an empty directory is not Postfix");
	close(fd);
	tu_sh("mkdir '%s/mess' '%s/info' '%s/todo' '%s/bounce'", qmailish, qmailish, qmailish, qmailish);
	fd = open(qmailish, O_RDONLY | O_DIRECTORY);
	ok(qs_parser_postfix.probe(fd, qmailish, why) == 0, "probe: a qmail queue is not Postfix");
	close(fd);
	g_string_free(why, TRUE);
	g_free(empty);
	g_free(qmailish);
}

/* load() on several threads at once gives the same result as on one */
struct job {
	const char *dir;
	GPtrArray *msgs;
};

static gpointer scan_thread(gpointer p)
{
	struct job *j = p;

	j->msgs = pft_scan(j->dir, NULL);
	return NULL;
}

static void test_threads(const char *dir)
{
	struct job jobs[4];
	GThread *th[4];
	GPtrArray *ref = pft_scan(dir, NULL);
	int i, same = 0;

	for (i = 0; i < 4; i++) {
		jobs[i].dir = dir;
		th[i] = g_thread_new("scan", scan_thread, &jobs[i]);
	}
	for (i = 0; i < 4; i++) {
		guint k;
		bool eq;
		g_thread_join(th[i]);
		eq = jobs[i].msgs && jobs[i].msgs->len == ref->len;
		for (k = 0; eq && k < ref->len; k++) {
			struct qs_msg *a = g_ptr_array_index(ref, k), *b = g_ptr_array_index(jobs[i].msgs, k);
			eq = strcmp(a->id, b->id) == 0 && g_strcmp0(a->sender, b->sender) == 0 &&
			     a->hdr->len == b->hdr->len && memcmp(a->hdr->data, b->hdr->data, a->hdr->len) == 0 &&
			     a->rcpts->len == b->rcpts->len && a->err == b->err;
		}
		same += eq;
		pft_free(jobs[i].msgs);
	}
	is_int(same, 4, "4 threads scanning at once all agree with a single scan");
	pft_free(ref);
}

int main(void)
{
	char *b = extract("fixtures/postfix-3.7.11-queue-before-delete.tar");
	char *f = extract("fixtures/postfix-3.7.11-queue-final.tar");

	if (b == NULL || f == NULL)
		skip_all("shared/fixtures/postfix-3.7.11-queue-*.tar not found (QSCAN_SHARED=%s)",
			 g_getenv("QSCAN_SHARED") ? g_getenv("QSCAN_SHARED") : "unset");
	test_before(b);
	test_final(f);
	test_probe(b);
	test_threads(b);
	tu_cleanup();
	g_free(b);
	g_free(f);
	return done_testing();
}
