/* 9504-harden-walk-race - MDaemon and IceWarp leave the age and type
 * check of a plain message file to load() (the walk trusts d_type):
 * between walk and load the file is replaced by a symbolic link (an
 * error naming it, never read), removed (skipped: delivered), or
 * rewritten just now (skipped: still being written). */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "parser.h"
#include "tap.h"
#include "testutil.h"
#include "lib/fmtcheck.h"

static const char msg[] = "Received: from x ([198.51.100.1]) by h with SMTP id 1; date\r\n"
			  "X-MDaemon-Deliver-To: v@far.example\r\nX-Return-Path: <s@bad.example>\r\n"
			  "Subject: s\r\n\r\nbody\r\n";

/* walk dir with p until the item whose id is id; *it holds it */
static bool walk_to(const struct qs_parser *p, int fd, const char *dir, const char *id,
		    struct qs_item *it)
{
	GError *err = NULL;
	struct qs_walk *w = p->walk_new(fd, dir, &err);
	int rc;
	bool found = false;

	if (w == NULL)
		bail("walk_new %s: %s", dir, err ? err->message : "?");
	while (!found && (rc = p->walk_next(w, it, &err)) != 0) {
		if (rc < 0) {
			g_clear_error(&err);
			continue;
		}
		found = strcmp(it->id, id) == 0;
	}
	p->walk_free(w);
	return found;
}

/* walk to the file, do `what` to it, load: the result code and error */
static int race(const struct qs_parser *p, const char *dir, const char *rel, const char *id,
		const char *what, struct qs_msg *m)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	char *path = g_build_filename(dir, rel, NULL);
	struct qs_item it;
	int rc;

	qs_item_init(&it);
	tu_write(dir, rel, msg, sizeof msg - 1, 0644);
	fc_age(dir, rel, 3600);
	if (!walk_to(p, fd, dir, id, &it))
		bail("%s: %s not walked", p->name, rel);
	if (strcmp(what, "symlink") == 0) {
		unlink(path);
		if (symlink("/etc/passwd", path) < 0)
			bail("symlink %s", path);
	} else if (strcmp(what, "gone") == 0) {
		unlink(path);
	} else {	/* "young": rewritten now */
		tu_write(dir, rel, msg, sizeof msg - 1, 0644);
	}
	rc = p->load(fd, &it, m);
	unlink(path);
	qs_item_clear(&it);
	g_ptr_array_free(it.files, TRUE);
	g_free(path);
	close(fd);
	return rc;
}

static void check(const struct qs_parser *p, const char *dir, const char *rel, const char *id)
{
	struct qs_msg *m = qs_msg_new();
	int rc = race(p, dir, rel, id, "symlink", m);
	const char *e = m->error ? m->error : "";

	ok(rc == -1 && m->err != QS_ERR_NONE && strstr(e, id) && strstr(e, "symbolic link") &&
	   !strstr(e, "root:"), "%s: replaced by a link after the walk: error, not read (%s)",
	   p->name, e);
	qs_msg_free(&m);
	m = qs_msg_new();
	is_int(race(p, dir, rel, id, "gone", m), QS_LOAD_SKIP, "%s: removed after the walk: skipped",
	       p->name);
	qs_msg_free(&m);
	m = qs_msg_new();
	is_int(race(p, dir, rel, id, "young", m), QS_LOAD_SKIP,
	       "%s: rewritten after the walk: skipped as still being written", p->name);
	qs_msg_free(&m);
	m = qs_msg_new();
	tu_write(dir, rel, msg, sizeof msg - 1, 0644);
	fc_age(dir, rel, 3600);
	{
		struct scan *s = fc_scan(dir, p);
		ok(s->msgs->len == 1 && s->loaded_ok == 1, "%s: left alone, it loads", p->name);
		fc_scan_free(s);
	}
	qs_msg_free(&m);
}

int main(void)
{
	char *root = fc_keep(tu_tmpdir());
	char *md = fc_keep(g_build_filename(root, "md", "Queues", NULL));
	char *iw = fc_keep(g_build_filename(root, "iw", "mail", NULL));

	tu_write(md, "Remote/HIWATER.MRK", "1", 1, 0644);
	check(&qs_parser_mdaemon, md, "Remote/md50000000001.msg", "md50000000001.msg");
	tu_write(iw, "_outgoing/priority_1/keep.dat", "x", 1, 0644);
	check(&qs_parser_icewarp, iw, "_outgoing/priority_1/202001172348481735.tmp",
	      "202001172348481735");
	tu_cleanup();
	return done_testing();
}
