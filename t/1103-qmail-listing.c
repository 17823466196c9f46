/* 1103-qmail-listing - the qmail walk reads info/ local/ remote/ todo/
 * intd/ bounce/ once per split directory instead of asking for every
 * name; what changes between that listing and the load must still be
 * read right: a message preprocessed meanwhile, one queued after the
 * listing, an unsplit todo/ too big to list. Plus the name sets. */
#include "config.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "testutil.h"
#include "lib/fmtcheck.h"
#include "dirset.h"

#define NET "Received: (qmail 4242 invoked from network); 22 Nov 2026 14:15:11 -0000\n" \
	"Received: from mx.bad.example (HELO h) (203.0.113.9)\n" \
	"  by mx.local.test with SMTP; 22 Nov 2026 14:15:11 -0000\nSubject: s\n\nbody\n"
#define DAY (24 * 3600L)

static void numbers(void)
{
	guint64 v = 0;

	ok(qs_dirset_number("1", &v) && v == 1, "1 is a number");
	ok(qs_dirset_number("18446744073709551615", &v) && v == G_MAXUINT64, "2^64-1 is a number");
	ok(!qs_dirset_number("18446744073709551616", &v), "2^64 is not (overflow)");
	ok(!qs_dirset_number("0", &v), "0 is not a message number");
	ok(!qs_dirset_number("0123", &v), "a leading zero is not canonical");
	ok(!qs_dirset_number("12a", &v), "12a is not a number");
	ok(!qs_dirset_number("", &v), "the empty name is not a number");
}

static void sets(void)
{
	char *root = fc_keep(tu_tmpdir());
	struct qs_dirset s;
	int fd = open(root, O_RDONLY | O_DIRECTORY);

	tu_sh("mkdir '%s/d' '%s/real' && cd '%s/d' && touch 1 5 3 abc 007 99999999999999999999 && "
	      "ln -s ../real '%s/link' && touch '%s/file'", root, root, root, root, root);
	qs_dirset_init(&s);
	qs_dirset_read(&s, fd, "d", 100);
	ok(s.listed, "a directory is listed");
	is_int((int)s.nums->len, 3, "only the canonical numbers are kept");
	is_int(qs_dirset_has(&s, "5"), 1, "5 is there");
	is_int(qs_dirset_has(&s, "1"), 1, "1 is there");
	is_int(qs_dirset_has(&s, "4"), 0, "4 is not");
	is_int(qs_dirset_has(&s, "6"), 0, "6 (past the last) is not");
	is_int(qs_dirset_has(&s, "007"), -1, "a name that is no number: ask the file system");
	qs_dirset_read(&s, fd, "d", 2);
	ok(!s.listed, "more numbers than the cap: not listed");
	is_int(qs_dirset_has(&s, "5"), -1, "an unlisted set knows nothing");
	qs_dirset_read(&s, fd, "missing", 100);
	ok(s.listed && s.nums->len == 0, "a missing directory is an empty set");
	is_int(qs_dirset_has(&s, "5"), 0, "nothing is in a missing directory");
	qs_dirset_read(&s, fd, "link", 100);
	ok(!s.listed, "a symbolic link to a directory is not followed");
	qs_dirset_read(&s, fd, "file", 100);
	ok(!s.listed, "a file is not a directory");
	qs_dirset_free(&s);
	close(fd);
}

/* one walk driven by hand: the queue can change between its steps */
struct wk {
	int fd;
	struct qs_walk *w;
	struct qs_item it;
	struct qs_msg *m;
	GError *err;
};

static void wk_open(struct wk *k, const char *root)
{
	k->err = NULL;
	k->fd = open(root, O_RDONLY | O_DIRECTORY);
	k->w = qs_parser_qmail.walk_new(k->fd, root, &k->err);
	if (k->w == NULL)
		bail("%s: no qmail walk", root);
	qs_item_init(&k->it);
	k->m = qs_msg_new();
}

static int wk_next(struct wk *k)
{
	return qs_parser_qmail.walk_next(k->w, &k->it, &k->err);
}

static int wk_load(struct wk *k)
{
	qs_msg_clear(k->m);
	return qs_parser_qmail.load(k->fd, &k->it, k->m);
}

static void wk_close(struct wk *k)
{
	qs_parser_qmail.walk_free(k->w);
	qs_item_clear(&k->it);
	g_ptr_array_free(k->it.files, TRUE);
	qs_msg_free(&k->m);
	close(k->fd);
}

/* S4 when listed, S5 when loaded: read as S5 with its new files */
static void preprocessed_meanwhile(void)
{
	char *root = fc_keep(tu_tmpdir());
	struct qq q;
	struct wk k;
	char *t;

	qq_init(&q, root, 23, false);
	qq_mess(&q, 77, NET);
	qq_todo(&q, 77, QQ_BYTES("u0\0p1\0Fa@b.example\0Tx@y.example\0"));
	fc_age_all(root, DAY * 2);
	wk_open(&k, root);
	is_int(wk_next(&k), 1, "walk yields 77");
	is_str(k.it.queue, "todo", "77 is listed in todo/");
	/* qmail-send: info, local/remote, then todo and intd go */
	qq_info(&q, 77, QQ_BYTES("Fa@b.example\0"));
	qq_chan(&q, "remote", 77, QQ_BYTES("Tx@y.example\0"));
	tu_sh("rm -f '%s/todo/77' '%s/intd/77'", root, root);
	is_int(wk_load(&k), 0, "todo gone, info there: loads");
	is_str(k.m->queue, "queue", "now in the queue proper");
	is_str(k.m->sender, "a@b.example", "sender from info/");
	t = fc_rcpts(k.m, false);
	is_str(t, "x@y.example", "recipient from remote/");
	g_free(t);
	t = fc_files(k.m);
	is_str(t, "mess/8/77 info/8/77 remote/8/77", "its files are the ones there now");
	g_free(t);
	ok(k.m->error == NULL, "no error (%s)", k.m->error ? k.m->error : "none");
	/* gone altogether: an error that says so */
	tu_sh("rm -f '%s/info/8/77' '%s/remote/8/77'", root, root);
	is_int(wk_load(&k), -1, "todo and info gone: fails");
	ok(k.m->error && strstr(k.m->error, "todo/77: vanished while scanning"), "says todo vanished: %s",
	   k.m->error ? k.m->error : "none");
	wk_close(&k);
}

/* a message whose envelope appears after its split directory was
 * listed is read, not called an orphan */
static void queued_after_listing(void)
{
	char *root = fc_keep(tu_tmpdir());
	struct qq q;
	struct wk k;
	unsigned long other;

	qq_init(&q, root, 23, false);
	qq_mess(&q, 8, NET);		/* 8 and 31 share mess/8 */
	qq_mess(&q, 31, NET);
	fc_age_all(root, DAY * 2);
	wk_open(&k, root);
	is_int(wk_next(&k), 1, "walk yields the first (an orphan)");
	is_str(k.it.queue, "mess", "no envelope: an orphan");
	other = strtoul(k.it.id, NULL, 10) == 8 ? 31 : 8;
	qq_info(&q, other, QQ_BYTES("Fa@b.example\0"));
	qq_chan(&q, "remote", other, QQ_BYTES("Tx@y.example\0"));
	is_int(wk_next(&k), 1, "walk yields the other");
	is_str(k.it.queue, "queue", "its info/, written after the listing, is found");
	is_int(wk_load(&k), 0, "and it loads");
	is_str(k.m->sender, "a@b.example", "with its sender");
	is_int(wk_next(&k), 0, "walk ends");
	wk_close(&k);
}

/* qmail-send stopped with a backlog: todo/ larger than is listed */
static void big_todo(void)
{
	char *root = fc_keep(tu_tmpdir());
	struct qq q;
	struct scan *s;
	struct qs_msg *m;
	char *t;

	qq_init(&q, root, 23, false);
	tu_sh("cd '%s/todo' && seq 100000 105000 | xargs touch", root);
	qq_mess(&q, 46, NET);
	qq_todo(&q, 46, QQ_BYTES("u0\0p1\0Fa@b.example\0Tx@y.example\0"));
	qq_mess(&q, 47, NET);
	qq_info(&q, 47, QQ_BYTES("Fc@d.example\0"));
	qq_chan(&q, "local", 47, QQ_BYTES("Tu@local.test\0"));
	tu_write(root, "bounce/47", QQ_BYTES("<u@local.test>:\nSorry.\n\n"), 0600);
	fc_age_all(root, DAY * 2);
	s = fc_scan(root, &qs_parser_qmail);
	is_int((int)s->msgs->len, 2, "two messages");
	if ((m = fc_find(s, "46"))) {
		t = fc_files(m);
		is_str(t, "mess/0/46 todo/46 intd/46", "46: files found in a todo/ of 5,003 names");
		g_free(t);
		is_str(m->sender, "a@b.example", "46: sender from todo/");
	} else {
		ok(false, "46 found");
	}
	if ((m = fc_find(s, "47"))) {
		t = fc_files(m);
		is_str(t, "mess/1/47 info/1/47 local/1/47 bounce/47", "47: files in order, bounce/ too");
		g_free(t);
	} else {
		ok(false, "47 found");
	}
	fc_scan_free(s);
}

int main(void)
{
	numbers();
	sets();
	preprocessed_meanwhile();
	queued_after_listing();
	big_todo();
	fc_cleanup();
	return done_testing();
}
