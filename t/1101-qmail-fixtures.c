/* 1101-qmail-fixtures - the qmail reader on real notqmail 1.08 queues. */
#include "config.h"
#include <string.h>
#include "tap.h"
#include "testutil.h"
#include "lib/fmtcheck.h"

static gint64 utc(int y, int mo, int d, int h, int mi, int s)
{
	GDateTime *dt = g_date_time_new_utc(y, mo, d, h, mi, s);
	gint64 t = g_date_time_to_unix(dt);

	g_date_time_unref(dt);
	return t;
}

static char *extract(const char *tar)
{
	char *src = tu_shared(tar), *dir;

	if (src == NULL)
		skip_all("%s not in $QSCAN_SHARED/fixtures", tar);
	dir = fc_keep(tu_tmpdir());
	if (tu_sh("cd '%s' && tar --numeric-owner -xpf '%s'", dir, src) != 0)
		bail("cannot extract %s", src);
	g_free(src);
	return dir;
}

static void s4(void)
{
	char *dir = extract("fixtures/notqmail-1.08-queue-S4-todo.tar");
	char *q = fc_keep(g_build_filename(dir, "queue", NULL));
	struct scan *s = fc_scan(q, &qs_parser_qmail);
	struct qs_msg *m;
	char *t;

	is_int(s->msgs->len, 2, "S4: two messages");
	is_int(s->walk_errors->len, 0, "S4: no walk errors");
	m = fc_find(s, "10995247");
	ok(m != NULL, "S4: message 10995247 found");
	if (m) {
		is_int(m->err, QS_ERR_NONE, "10995247 loads (%s)", m->error ? m->error : "");
		is_str(m->queue, "todo", "10995247 queue todo");
		is_str(m->path, "mess/5/10995247", "10995247 path");
		is_str(m->sender, "spammer@spam.example", "10995247 sender from todo");
		t = fc_rcpts(m, true);
		is_str(t, "victim1@example.com,victim2@example.net", "10995247 recipients from todo");
		g_free(t);
		t = fc_files(m);
		is_str(t, "mess/5/10995247 todo/10995247 intd/10995247", "10995247 files");
		g_free(t);
		ok(m->local_submission, "10995247: invoked by uid 0 = local submission");
		is_str(m->client_ip, NULL, "10995247: no client IP");
		is_int(m->arrival, utc(2026, 11, 22, 14, 15, 4), "10995247 arrival = todo mtime");
		ok(m->hdr_complete && m->hdr->len > 100, "10995247 header block read");
		ok(fc_has_note(m, "uid 0"), "10995247 note names the queueing uid");
	}
	m = fc_find(s, "10993764");
	ok(m != NULL, "S4: message 10993764 found");
	if (m) {
		is_int(m->err, QS_ERR_NONE, "10993764 loads");
		is_str(m->sender, "bounce@phish.example", "10993764 sender");
		t = fc_rcpts(m, true);
		is_str(t, "victim5@example.com,trap@localhost,nosuchuser@localhost", "10993764 recipients");
		g_free(t);
		ok(!m->local_submission, "10993764 came from the network");
		is_str(m->client_ip, "203.0.113.77", "10993764 client IP from qmail-smtpd's line");
		is_str(m->client_helo, "bad-helo.example", "10993764 HELO");
		is_str(m->client_name, "mail.bad.example", "10993764 client name");
		is_str(m->path, "mess/17/10993764", "10993764 path (split 23)");
	}
	fc_scan_free(s);
	}

static void final(void)
{
	char *dir = extract("fixtures/notqmail-1.08-queue-final.tar");
	char *q = fc_keep(g_build_filename(dir, "queue", NULL));
	struct scan *s = fc_scan(q, NULL);	/* detected */
	struct qs_msg *m;
	char *t;

	is_int(s->msgs->len, 1, "final: one message");
	m = fc_find(s, "10994539");
	ok(m != NULL, "final: 10994539 found");
	if (m) {
		is_str(m->format, "qmail", "detected as qmail");
		is_int(m->err, QS_ERR_NONE, "10994539 loads (%s)", m->error ? m->error : "");
		is_str(m->queue, "queue", "10994539 preprocessed");
		is_str(m->sender, "promo@pharma.example", "10994539 sender from info");
		t = fc_rcpts(m, true);
		is_str(t, "D:trap@localhost,tempfail@localhost,victim9@example.com", "local D/T and remote T");
		g_free(t);
		is_int(qs_msg_pending(m), 2, "two pending recipients");
		t = fc_files(m);
		is_str(t, "mess/10/10994539 info/10/10994539 local/10/10994539 remote/10/10994539", "files");
		g_free(t);
		is_int(m->arrival, utc(2026, 11, 22, 14, 15, 31), "arrival = info mtime");
		is_str(m->client_ip, "198.51.100.23", "client IP");
		is_str(m->client_helo, "[198.51.100.23]", "HELO");
		is_str(m->client_name, NULL, "client name unknown");
		is_int(m->size, 375, "size = mess size");
	}
	fc_scan_free(s);
	}

int main(void)
{
	s4();
	final();
	fc_cleanup();
	return done_testing();
}
