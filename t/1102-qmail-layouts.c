/* 1102-qmail-layouts - qmail queues written byte by byte: split sizes,
 * big-todo, message states, malformed and vanishing files, odd entries. */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "testutil.h"
#include "lib/fmtcheck.h"

#define NET "Received: (qmail 4242 invoked from network); 22 Nov 2026 14:15:11 -0000\n" \
	"Received: from mx.bad.example (HELO Spam-Helo) (203.0.113.9)\n" \
	"  by mx.local.test with SMTP; 22 Nov 2026 14:15:11 -0000\n" \
	"From: x@bad.example\nSubject: \xb1\xa4\xb0\xed ks_c\n\nbody line\n"
#define LOCAL "Received: (qmail 99 invoked by uid 1000); 22 Nov 2026 14:15:11 -0000\nSubject: hi\n\nx\n"
#define DAY (24 * 3600L)

static struct qs_msg *need(const struct scan *s, const char *id)
{
	struct qs_msg *m = fc_find(s, id);

	ok(m != NULL, "message %s reported", id);
	return m;
}

static void split23(void)
{
	char *root = fc_keep(tu_tmpdir());
	struct qq q;
	struct scan *s;
	struct qs_msg *m;
	char *t, big[5 * 1024 * 1024];

	qq_init(&q, root, 23, false);
	qq_mess(&q, 1000, NET);
	qq_info(&q, 1000, QQ_BYTES("Fa@b.example\0"));
	qq_chan(&q, "remote", 1000, QQ_BYTES("Tx@y.example\0Dz@y.example\0"));
	qq_mess(&q, 1001, LOCAL);
	qq_todo(&q, 1001, QQ_BYTES("u1000\0p99\0Fuser@local.test\0Tr@remote.example\0Ts@remote.example\0"));
	qq_mess(&q, 1002, NET);		/* S2, old: orphan */
	qq_mess(&q, 1003, NET);		/* S2, young: being queued */
	qq_mess(&q, 1004, NET);
	qq_info(&q, 1004, QQ_BYTES("Fa@b"));
	qq_mess(&q, 1005, NET);
	qq_info(&q, 1005, QQ_BYTES("Xfoo\0"));
	qq_mess(&q, 1006, NET);
	qq_info(&q, 1006, QQ_BYTES(""));
	qq_mess(&q, 1007, NET);
	memset(big, 'A', sizeof big);
	big[0] = 'F';
	big[sizeof big - 1] = '\0';
	qq_info(&q, 1007, big, sizeof big);
	qq_mess(&q, 1008, NET);
	qq_info(&q, 1008, QQ_BYTES("Fa@b.example\0"));
	qq_chan(&q, "remote", 1008, QQ_BYTES("Tok@y.example\0Qx@y\0"));
	qq_mess(&q, 1009, NET);
	qq_info(&q, 1009, QQ_BYTES("Fa@b.example\0"));
	qq_chan(&q, "remote", 1009, QQ_BYTES("Tx@y.example"));
	qq_mess(&q, 1010, NET);
	qq_info(&q, 1010, QQ_BYTES("Fa@b.example\0"));
	qq_chan(&q, "local", 1010, QQ_BYTES("Tu@local.test\0"));
	tu_write(root, "bounce/1010", QQ_BYTES("<gone@local.test>:\nSorry.\n\n"), 0600);
	qq_mess(&q, 1014, NET);
	qq_info(&q, 1014, QQ_BYTES("F\0"));
	qq_chan(&q, "remote", 1014, QQ_BYTES("Tvictim@far.example\0"));
	qq_mess(&q, 1018, "");			/* empty mess file */
	qq_info(&q, 1018, QQ_BYTES("Fa@b.example\0"));
	{
		GString *h = g_string_new(NULL);	/* header block over the cap */
		while (h->len <= 300 * 1024)
			g_string_append(h, "X-Filler: 0123456789012345678901234567890123456789\n");
		qq_mess(&q, 1019, h->str);
		qq_info(&q, 1019, QQ_BYTES("Fa@b.example\0"));
		g_string_free(h, TRUE);
	}
	qq_mess(&q, 1015, NET);		/* S5 with every channel file gone */
	qq_info(&q, 1015, QQ_BYTES("Fa@b.example\0"));
	qq_mess(&q, 1016, LOCAL);		/* todo with an unknown record */
	qq_todo(&q, 1016, QQ_BYTES("u0\0p1\0Fa@b\0Zzz\0Tc@d\0"));
	qq_mess(&q, 1017, LOCAL);		/* todo: recipient before sender */
	qq_todo(&q, 1017, QQ_BYTES("u0\0p1\0Tc@d\0Fa@b\0"));
	/* odd entries */
	if (symlink("../5/1000", fc_keep(g_strdup_printf("%s/mess/3/1011", root))) < 0 ||
	    mkfifo(fc_keep(g_strdup_printf("%s/mess/4/1012", root)), 0600) < 0)
		bail("symlink/fifo");
	tu_write(root, "mess/5/foo.tmp", QQ_BYTES("x"), 0644);
	tu_write(root, "mess/6/0123", QQ_BYTES("x"), 0644);
	fc_age_all(root, 2 * DAY);
	fc_age(root, "mess/14/1003", 3600);

	s = fc_scan(root, &qs_parser_qmail);
	is_int(s->msgs->len, 16, "16 messages (young S2, symlink, fifo, odd names left out)");
	is_int(s->walk_errors->len, 2, "two walk errors");
	ok(fc_any_error(s, "mess/3/1011: not a regular file (symbolic link)"), "symlink reported");
	ok(fc_any_error(s, "mess/4/1012: not a regular file (special file)"), "FIFO reported");
	ok(fc_find(s, "1003") == NULL, "young envelope-less message skipped as in flight");

	if ((m = need(s, "1000"))) {
		is_int(m->err, QS_ERR_NONE, "1000 ok");
		is_str(m->sender, "a@b.example", "1000 sender");
		t = fc_rcpts(m, true);
		is_str(t, "x@y.example,D:z@y.example", "1000 T and D records");
		g_free(t);
		is_str(m->client_ip, "203.0.113.9", "1000 client ip");
		is_str(m->client_helo, "Spam-Helo", "1000 helo");
		ok(m->hdr->len > 0 && memmem(m->hdr->data, m->hdr->len, "\xb1\xa4\xb0\xed ks_c", 7) != NULL,
		   "1000 8-bit subject bytes kept intact");
		is_int(m->body->len, 0, "1000 body not read (sender known)");
	}
	if ((m = need(s, "1001"))) {
		is_str(m->queue, "todo", "1001 in todo");
		is_str(m->sender, "user@local.test", "1001 sender from todo");
		t = fc_rcpts(m, true);
		is_str(t, "r@remote.example,s@remote.example", "1001 rcpts from todo");
		g_free(t);
		ok(m->local_submission, "1001 invoked by uid = local submission");
	}
	if ((m = need(s, "1002"))) {
		is_int(m->err, QS_ERR_UNREADABLE, "1002 orphan is unreadable");
		ok(fc_has_note(m, "no envelope"), "1002 error says no envelope");
		is_str(m->queue, "mess", "1002 queue mess");
	}
	if ((m = need(s, "1004"))) {
		is_int(m->err, QS_ERR_MALFORMED, "1004 info without NUL is malformed");
		ok(fc_has_note(m, "info/15/1004: offset 0: last record has no NUL"), "1004 error names file and offset");
	}
	if ((m = need(s, "1005")))
		ok(m->err == QS_ERR_MALFORMED && fc_has_note(m, "unknown record type"), "1005 unknown letter");
	if ((m = need(s, "1006")))
		ok(m->err == QS_ERR_MALFORMED && fc_has_note(m, "empty"), "1006 empty info");
	if ((m = need(s, "1007")))
		ok(m->err == QS_ERR_MALFORMED && fc_has_note(m, "larger than"), "1007 huge info refused");
	if ((m = need(s, "1008"))) {
		ok(m->err == QS_ERR_MALFORMED && fc_has_note(m, "remote/19/1008: offset 14: unknown record type"),
		   "1008 unknown remote record at its offset");
		is_int(m->rcpts->len, 1, "1008 records before the bad one kept");
	}
	if ((m = need(s, "1009")))
		ok(m->err == QS_ERR_MALFORMED && fc_has_note(m, "no NUL"), "1009 truncated remote");
	if ((m = need(s, "1010"))) {
		t = fc_files(m);
		is_str(t, "mess/21/1010 info/21/1010 local/21/1010 bounce/1010", "1010 files include bounce");
		g_free(t);
		ok(fc_has_note(m, "bounce/1010"), "1010 note about the pending bounce");
	}
	if ((m = need(s, "1014"))) {
		is_str(m->sender, "", "1014 null sender");
		ok(m->body->len > 0 && memmem(m->body->data, m->body->len, "body line", 9) != NULL,
		   "1014 body prefix read for the null sender");
		ok(m->body_complete, "1014 body complete");
	}
	if ((m = need(s, "1015"))) {
		is_int(m->err, QS_ERR_NONE, "1015 info only: readable");
		is_int(m->rcpts->len, 0, "1015 no recipients");
		ok(fc_has_note(m, "every recipient is done"), "1015 note explains");
	}
	if ((m = need(s, "1018")))
		ok(m->err == QS_ERR_MALFORMED && fc_has_note(m, "mess/6/1018: empty file"), "1018 empty mess");
	if ((m = need(s, "1019")))
		ok(m->err == QS_ERR_MALFORMED && fc_has_note(m, "header block larger than"), "1019 header over the cap");
	if ((m = need(s, "1016")))
		ok(m->err == QS_ERR_MALFORMED && fc_has_note(m, "todo/1016: offset 11: unknown record type"),
		   "1016 unknown todo record at its offset");
	if ((m = need(s, "1017")))
		ok(m->err == QS_ERR_MALFORMED && fc_has_note(m, "recipient before the sender"), "1017 T before F");
	fc_scan_free(s);
}

static void split7_and_bigtodo(void)
{
	char *root = fc_keep(tu_tmpdir()), *root2 = fc_keep(tu_tmpdir());
	struct qq q, q2;
	struct scan *s;
	struct qs_msg *m;
	GString *why = g_string_new(NULL);
	int fd;

	qq_init(&q, root, 7, false);
	qq_mess(&q, 50, NET);
	qq_info(&q, 50, QQ_BYTES("Fa@b.example\0"));
	qq_chan(&q, "remote", 50, QQ_BYTES("Tx@y.example\0"));
	fc_age_all(root, DAY * 2);
	fd = open(root, O_RDONLY | O_DIRECTORY);
	ok(qs_parser_qmail.probe(fd, root, why) > 0 && strstr(why->str, "7 numeric subdirectories"),
	   "probe sees split 7");
	close(fd);
	s = fc_scan(root, &qs_parser_qmail);
	if ((m = need(s, "50"))) {
		is_str(m->path, "mess/1/50", "split 7 path");
		is_str(m->sender, "a@b.example", "split 7 sender");
	}
	fc_scan_free(s);

	qq_init(&q2, root2, 23, true);
	qq_mess(&q2, 47, LOCAL);
	qq_todo(&q2, 47, QQ_BYTES("u0\0p1\0Froot@local.test\0Tfar@remote.example\0"));
	fc_age_all(root2, DAY * 2);
	g_string_truncate(why, 0);
	fd = open(root2, O_RDONLY | O_DIRECTORY);
	ok(qs_parser_qmail.probe(fd, root2, why) > 0 && strstr(why->str, "big-todo"), "probe sees big-todo");
	close(fd);
	s = fc_scan(root2, &qs_parser_qmail);
	if ((m = need(s, "47"))) {
		char *t = fc_files(m);
		is_str(t, "mess/1/47 todo/1/47 intd/1/47", "big-todo files");
		g_free(t);
		is_str(m->sender, "root@local.test", "big-todo envelope from todo/1/47");
	}
	fc_scan_free(s);
	g_string_free(why, TRUE);
}

/* files disappear between the walk and the load: no crash, a clear error */
static void vanish(void)
{
	char *root = fc_keep(tu_tmpdir());
	struct qq q;
	struct qs_item it;
	struct qs_walk *w;
	struct qs_msg *m = qs_msg_new();
	GError *err = NULL;
	int fd;

	qq_init(&q, root, 23, false);
	qq_mess(&q, 77, NET);
	qq_info(&q, 77, QQ_BYTES("Fa@b.example\0"));
	qq_chan(&q, "remote", 77, QQ_BYTES("Tx@y.example\0"));
	fc_age_all(root, DAY * 2);
	fd = open(root, O_RDONLY | O_DIRECTORY);
	w = qs_parser_qmail.walk_new(fd, root, &err);
	qs_item_init(&it);
	is_int(qs_parser_qmail.walk_next(w, &it, &err), 1, "walk yields 77");
	tu_sh("rm -f '%s/remote/8/77'", root);
	is_int(qs_parser_qmail.load(fd, &it, m), 0, "remote vanished: still loads");
	is_int(m->rcpts->len, 0, "no recipients left");
	qs_msg_clear(m);
	tu_sh("rm -f '%s/info/8/77' '%s/mess/8/77'", root, root);
	is_int(qs_parser_qmail.load(fd, &it, m), -1, "info and mess vanished: load fails");
	ok(m->err == QS_ERR_UNREADABLE && strstr(m->error, "vanished"), "error says it vanished: %s", m->error);
	is_int(qs_parser_qmail.walk_next(w, &it, &err), 0, "walk ends");
	qs_parser_qmail.walk_free(w);
	qs_item_clear(&it);
	g_ptr_array_free(it.files, TRUE);
	qs_msg_free(&m);
	close(fd);
}

int main(void)
{
	split23();
	split7_and_bigtodo();
	vanish();
	fc_cleanup();
	return done_testing();
}
