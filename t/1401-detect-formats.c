/* 1401-detect-formats - format detection from directory shape, for
 * queue roots and sub-queues, and the error when nothing fits. */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "testutil.h"
#include "lib/fmtcheck.h"

/* detected parser name or "none"; why/err text appended to *text */
static const char *detect(const char *dir, char **text)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	GString *why = g_string_new(NULL);
	GError *err = NULL;
	const struct qs_parser *p;

	if (fd < 0)
		bail("open %s", dir);
	p = qs_parser_detect(fd, dir, why, &err);
	close(fd);
	g_free(*text);
	*text = g_strdup(err ? err->message : why->str);
	g_clear_error(&err);
	g_string_free(why, TRUE);
	return p ? p->name : "none";
}

static char *sub(const char *a, const char *b)
{
	return fc_keep(g_build_filename(a, b, NULL));
}

int main(void)
{
	char *root = fc_keep(tu_tmpdir()), *text = NULL, *d;
	struct qq q;

	/* qmail */
	d = sub(root, "qmail");
	qq_init(&q, d, 23, false);
	qq_mess(&q, 100, "Subject: x\n\n");
	is_str(detect(d, &text), "qmail", "qmail queue root");
	ok(strstr(text, "qmail: mess/ (23 numeric subdirectories") != NULL, "why: split counted");
	ok(strstr(text, "=> qmail") != NULL, "why: the decision");
	is_str(detect(sub(d, "mess"), &text), "none", "qmail mess/ alone is not a queue");
	ok(strstr(text, "give the queue directory above it") != NULL, "error tells to give the parent");
	ok(strstr(text, "entries: ") != NULL, "error lists what was seen");
	d = sub(root, "qmail-empty-big");
	qq_init(&q, d, 5, true);
	is_str(detect(d, &text), "qmail", "empty qmail queue with big-todo");

	/* MDaemon */
	d = sub(root, "Queues");
	tu_write(d, "Remote/md50000000001.msg", "X: y\n\n", 6, 0644);
	tu_write(d, "Remote/HIWATER.MRK", "1", 1, 0644);
	tu_write(d, "Local/md50000000002.msg", "X: y\n\n", 6, 0644);
	is_str(detect(d, &text), "mdaemon", "MDaemon Queues root");
	ok(strstr(text, "mdaemon: 2 md|pd*.msg") != NULL, "why counts messages in sub-queues");
	is_str(detect(sub(d, "Remote"), &text), "mdaemon", "MDaemon Remote sub-queue");
	d = sub(root, "Queues2");
	g_mkdir_with_parents(sub(d, "Remote"), 0755);
	g_mkdir_with_parents(sub(d, "local"), 0755);
	g_mkdir_with_parents(sub(d, "BAD"), 0755);
	is_str(detect(d, &text), "mdaemon", "empty MDaemon Queues tree (case-insensitive names)");
	tu_write(d, "Holding/HIWATER.MRK", "1", 1, 0644);
	is_str(detect(sub(d, "Holding"), &text), "mdaemon", "empty sub-queue with HIWATER.MRK");

	/* IceWarp */
	d = sub(root, "mail");
	tu_write(d, "_outgoing/priority_0/202001172348481734.tmp", "X: y\n\n", 6, 0644);
	g_mkdir_with_parents(sub(d, "_outgoing/priority_1"), 0755);
	is_str(detect(d, &text), "icewarp", "IceWarp mail root");
	is_str(detect(sub(d, "_outgoing"), &text), "icewarp", "IceWarp _outgoing");
	ok(strstr(text, "2 priority_N") != NULL, "why counts priority queues");
	is_str(detect(sub(d, "_outgoing/priority_0"), &text), "icewarp", "IceWarp priority_0 sub-queue");
	d = sub(root, "merak");
	tu_write(d, "forward/A1.tmp", "X: y\n\n", 6, 0644);
	is_str(detect(d, &text), "icewarp", "Merak root with forward/");
	is_str(detect(sub(d, "forward"), &text), "icewarp", "Merak forward/");

	/* Postfix: its own probe decides (a stub in some branches); never another format */
	d = sub(root, "postfix");
	for (const char *const *n = (const char *const[]){ "deferred/A", "active", "incoming", "hold", "maildrop", "defer", NULL }; *n; n++)
		g_mkdir_with_parents(sub(d, *n), 0755);
	tu_write(d, "deferred/A/A66881080C4", "x", 1, 0600);
	{
		const char *r = detect(d, &text);
		ok(strcmp(r, "postfix") == 0 || strcmp(r, "none") == 0, "Postfix layout is not taken for another format (%s)", r);
	}

	/* install roots: the error says which sub-directory to give */
	is_str(detect(root, &text), "none", "parent of the qmail tree: not a queue");
	d = sub(root, "MDaemon");
	tu_write(d, "Queues/Remote/md50000000001.msg", "X: y\n\n", 6, 0644);
	g_mkdir_with_parents(sub(d, "App"), 0755);
	is_str(detect(d, &text), "none", "MDaemon install root: not a queue");
	ok(strstr(text, "give its Queues/ sub-directory") != NULL, "error points at Queues/");
	d = sub(root, "IceWarp");
	g_mkdir_with_parents(sub(d, "mail/_outgoing/priority_0"), 0755);
	g_mkdir_with_parents(sub(d, "config"), 0755);
	is_str(detect(d, &text), "none", "IceWarp install root: not a queue");
	ok(strstr(text, "give its mail/ sub-directory") != NULL, "error points at mail/");
	d = sub(root, "varqmail");
	qq_init(&q, sub(d, "queue"), 3, false);
	is_str(detect(d, &text), "none", "/var/qmail: not a queue");
	ok(strstr(text, "give its queue/ sub-directory") != NULL, "error points at queue/");

	/* nothing fits */
	d = sub(root, "empty");
	g_mkdir_with_parents(d, 0755);
	is_str(detect(d, &text), "none", "empty directory: no format");
	ok(strstr(text, "none (empty directory)") && strstr(text, "--format"), "error says empty and how to force");
	d = sub(root, "random");
	for (int i = 0; i < 30; i++) {
		char *n = g_strdup_printf("file%02d.txt", i);
		tu_write(d, n, "x", 1, 0644);
		g_free(n);
	}
	is_str(detect(d, &text), "none", "random files: no format");
	ok(strstr(text, "file") && strstr(text, "(30 in all)"), "error lists a bounded sample of names");
	g_free(text);
	fc_cleanup();
	return done_testing();
}
