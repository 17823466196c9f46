/* 6003-act-lock.c - one actor per queue: a second one (another process
 * or the same) gets QS_ACT_LOCKED naming the holder's pid; the lock
 * goes away with its holder; restore respects it too. */
#include "config.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "act.h"
#include "db.h"
#include "parser.h"
#include "quarantine.h"
#include "storeutil.h"
#include "tap.h"
#include "testutil.h"
#include "util.h"

static struct qs_actor *new_actor(const char *root, const char *qdir, struct qs_db *db,
				  GError **err)
{
	struct qs_config *c = su_config(qdir);
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	struct qs_actor *a = qs_actor_new(&qs_parser_postfix, fd, root, c, QS_ACTION_QUARANTINE,
					  db, err);

	close(fd);	/* the actor keeps its own descriptor */
	return a;
}

int main(void)
{
	char *dir = tu_tmpdir();
	char *root = g_build_filename(dir, "queue", NULL);
	char *qdir = g_build_filename(dir, "quarantine", NULL);
	char *dbpath = g_build_filename(dir, "qscan.db", NULL);
	GError *err = NULL;
	struct qs_db *db;
	struct qs_actor *a, *b;
	int ready[2], go[2];
	pid_t pid;
	char c, *want;

	g_mkdir_with_parents(root, 0755);
	db = qs_db_open(dbpath, true, &err);
	if (db == NULL)
		bail("db: %s", err->message);

	/* same process, two actors */
	a = new_actor(root, qdir, db, &err);
	ok(a != NULL, "the first actor takes the lock");
	b = new_actor(root, qdir, db, &err);
	ok(b == NULL && err && err->domain == QS_ERROR && err->code == QS_ACT_LOCKED,
	   "a second actor on the same queue gets QS_ACT_LOCKED");
	want = g_strdup_printf("pid %ld", (long)getpid());
	ok(err && strstr(err->message, "another qscan") && strstr(err->message, want),
	   "the error names the holder: %s", err ? err->message : "");
	g_free(want);
	g_clear_error(&err);
	qs_actor_free(&a);
	b = new_actor(root, qdir, db, &err);
	ok(b != NULL, "free releases the lock");
	qs_actor_free(&b);

	/* another process holds it */
	if (pipe(ready) < 0 || pipe(go) < 0)
		bail("pipe");
	pid = fork();
	if (pid == 0) {
		struct qs_db *cdb = qs_db_open(dbpath, true, NULL);
		struct qs_actor *ca = new_actor(root, qdir, cdb, NULL);
		(void)!write(ready[1], ca ? "y" : "n", 1);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1 || c != 'y')
		bail("the child could not take the lock");
	b = new_actor(root, qdir, db, &err);
	want = g_strdup_printf("pid %ld", (long)pid);
	ok(b == NULL && err && err->code == QS_ACT_LOCKED && strstr(err->message, want),
	   "another process holding it: QS_ACT_LOCKED with its pid (%s)", err ? err->message : "");
	g_clear_error(&err);
	{
		const char *ids[] = { "00000000-0000-0000-0000-000000000000", NULL };
		GString *out = g_string_new(NULL);
		/* a pending row for this queue is left alone while it is locked */
		tu_sh("sqlite3 '%s' \"INSERT INTO quarantine(uuid, state, created, queue_root, format, "
		      "queue_id, files) VALUES ('00000000-0000-0000-0000-000000000000', 'quarantined', 0, "
		      "'%s', 'postfix', 'X1', '[]')\"", dbpath, root);
		ok(qs_quarantine_restore(db, qdir, ids, out, false, &err) < 0 && err &&
		   err->code == QS_ACT_LOCKED, "restore on a locked queue: QS_ACT_LOCKED");
		g_clear_error(&err);
		g_string_free(out, TRUE);
	}
	(void)!write(go[1], "x", 1);
	waitpid(pid, NULL, 0);
	b = new_actor(root, qdir, db, &err);
	ok(b != NULL, "the lock dies with its holder");
	qs_actor_free(&b);
	g_free(want);
	qs_db_close(&db);
	tu_cleanup();
	g_free(root); g_free(qdir); g_free(dbpath); g_free(dir);
	return done_testing();
}
