/*
 * act.c - the actor: quarantine, delete or hold the `relay` messages of
 * one queue, in batches, through the safe method for the format and for
 * a running MTA. See act.h; the file work is in move.c, reconcile.c,
 * act_postfix.c and act_qmail.c.
 *
 * Per batch: every message is checked (still there, same file, not
 * busy), journalled in the database and committed; only then do files
 * move, in the MTA's own safe order, several messages at a time on the
 * file threads (settle_all); then the rows are marked on this thread,
 * committed again after syncfs, and `done` is called in submission
 * order.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "act-int.h"
#include "classify.h"
#include "log.h"
#include "util.h"

#define BATCH 1000	/* messages per journal commit / postsuper run */

struct item {
	struct qs_jentry *e;	/* NULL once failed */
	char *content;		/* content file, relative */
	char *error;		/* failed: why */
	struct stat content_st;	/* the content file as add_files saw it */
	bool have_content_st;
	const char *result;	/* "quarantined", "deleted", "held", "failed" */
	qs_act_done done;
	void *cookie;
};

struct qs_actor {
	struct qs_store s;
	const char *format;
	enum qs_action action;
	gint64 run_id;
	bool postfix_live, postfix_own;
	const char *method;
	GPtrArray *batch;	/* struct item * */
	const char *last_uuid;
};

static bool is_postfix(const struct qs_actor *a)
{
	return strcmp(a->format, "postfix") == 0;
}

static bool use_postsuper(const struct qs_actor *a)
{
	const char *e = getenv("QSCAN_POSTSUPER");	/* "always": also for a stopped instance */

	if (!is_postfix(a) || !a->postfix_own)
		return false;
	if (a->action == QS_ACTION_HOLD || (e && strcmp(e, "always") == 0))
		return true;
	return a->postfix_live;
}

static const char *pick_method(const struct qs_actor *a)
{
	bool ps = use_postsuper(a);

	switch (a->action) {
	case QS_ACTION_HOLD:
		return ps ? "postsuper -h" : "rename into hold/";
	case QS_ACTION_DELETE:
		if (ps)
			return "postsuper -d";
		return strcmp(a->format, "qmail") == 0 ?
			"unlink under lock/sendmutex, or mark recipients done while qmail-send runs" :
			"journalled unlink";
	default:
		if (ps)
			return "postsuper -h, then rename into the quarantine";
		return strcmp(a->format, "qmail") == 0 ?
			"rename under lock/sendmutex, or copy + mark done while qmail-send runs" :
			"journalled rename (copy across file systems)";
	}
}

static int check_setup(const struct qs_parser *p, const struct qs_config *cfg,
		       enum qs_action action, struct qs_db *db, GError **err)
{
	if (action == QS_ACTION_NONE) {
		g_set_error(err, QS_ERROR, 0, "a dry run does not act on the queue");
		return -1;
	}
	if (action == QS_ACTION_HOLD && strcmp(p->name, "postfix") != 0) {
		g_set_error(err, QS_ERROR, 0, "--hold works only on Postfix queues (postsuper -h); "
			    "use --quarantine for %s", p->name);
		return -1;
	}
	if (db == NULL) {
		g_set_error(err, QS_ERROR, 0, "acting on a queue needs the database (its journal "
			    "makes moves crash-safe); do not combine with --dry-run");
		return -1;
	}
	if (cfg->quarantine_dir == NULL || *cfg->quarantine_dir == '\0') {
		g_set_error(err, QS_ERROR, 0, "no quarantine directory configured "
			    "(quarantine_dir in qscan.conf, or --quarantine-dir)");
		return -1;
	}
	return 0;
}

struct qs_actor *qs_actor_new(const struct qs_parser *p, int rootfd, const char *root,
			      const struct qs_config *cfg, enum qs_action action,
			      struct qs_db *db, GError **err)
{
	struct qs_actor *a;
	GString *log;

	if (check_setup(p, cfg, action, db, err) < 0)
		return NULL;
	a = g_new0(struct qs_actor, 1);
	a->s.rootfd = a->s.qfd = -1;
	a->s.db = db;
	a->format = p->name;
	a->action = action;
	a->batch = g_ptr_array_new();
	if (qs_store_lock(&a->s, rootfd, root, err) < 0 ||
	    qs_store_open_qdir(&a->s, cfg->quarantine_dir, err) < 0) {
		qs_actor_free(&a);
		return NULL;
	}
	log = g_string_new(NULL);
	if (qs_move_reconcile(&a->s, log, err) < 0) {
		g_string_free(log, TRUE);
		qs_actor_free(&a);
		return NULL;
	}
	if (log->len)
		qs_warn("%s: finished operations interrupted earlier:\n%s", a->s.root, log->str);
	g_string_free(log, TRUE);
	if (is_postfix(a)) {
		a->postfix_live = qs_postfix_live(a->s.rootfd);
		a->postfix_own = qs_postfix_own_queue(a->s.root);
	}
	a->method = pick_method(a);
	return a;
}

void qs_actor_set_run(struct qs_actor *a, gint64 run_id)
{
	a->run_id = run_id;
}

const char *qs_actor_method(const struct qs_actor *a)
{
	return a ? a->method : "none";
}

const char *qs_actor_last_uuid(const struct qs_actor *a)
{
	return a ? a->last_uuid : NULL;
}

static void fail(struct item *it, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void fail(struct item *it, const char *fmt, ...)
{
	va_list ap;

	if (it->error)
		return;
	va_start(ap, fmt);
	it->error = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	it->result = "failed";
}

static char *join_pending(const struct qs_msg *m)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; m->rcpts && i < m->rcpts->len; i++) {
		const struct qs_rcpt *r = g_ptr_array_index(m->rcpts, i);
		if (r->done)
			continue;
		if (s->len)
			g_string_append_c(s, ',');
		g_string_append(s, r->addr);
	}
	return g_string_free(s, FALSE);
}

static char *join_reasons(const struct qs_judgement *j)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; j && j->reasons && i < j->reasons->len; i++) {
		if (i)
			g_string_append_c(s, ',');
		g_string_append(s, g_ptr_array_index(j->reasons, i));
	}
	return g_string_free(s, FALSE);
}

struct ranked {
	const char *path;
	int rank;
	guint pos;
};

static gint by_rank(gconstpointer x, gconstpointer y)
{
	const struct ranked *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* the message's files in move order, each checked and identified */
static int add_files(struct qs_actor *a, const struct qs_msg *m, struct item *it)
{
	guint n = m->files->len, i;
	struct ranked *r = g_new(struct ranked, n);

	for (i = 0; i < n; i++) {
		r[i].path = g_ptr_array_index(m->files, i);
		r[i].rank = qs_move_rank(a->format, r[i].path, it->content);
		r[i].pos = i;
	}
	qsort(r, n, sizeof *r, (int (*)(const void *, const void *))by_rank);
	for (i = 0; i < n; i++) {
		struct stat st;
		gint64 btime;
		if (r[i].path[0] == '/' || strstr(r[i].path, "..") != NULL) {
			fail(it, "%s: not a path inside the queue", r[i].path);
			break;
		}
		/* identity and birth time from one statx */
		if (qs_jfile_stat(a->s.rootfd, r[i].path, &st, &btime) < 0) {
			if (strcmp(r[i].path, it->content) == 0)
				fail(it, "%s: vanished (delivered or moved by the MTA)", r[i].path);
			continue;	/* a satellite the MTA already removed */
		}
		if (!S_ISREG(st.st_mode)) {
			fail(it, "%s: not a regular file; left alone", r[i].path);
			break;
		}
		qs_jentry_add_file(it->e, r[i].path, NULL, (guint64)st.st_dev, (guint64)st.st_ino);
		((struct qs_jfile *)g_ptr_array_index(it->e->jfiles, it->e->jfiles->len - 1))->btime =
			btime;
		if (strcmp(r[i].path, it->content) == 0) {
			it->content_st = st;
			it->have_content_st = true;
		}
	}
	g_free(r);
	return it->error ? -1 : 0;
}

/* the content file is still the one that was read (short Postfix IDs
 * and qmail numbers are reused), not locked by a delivery */
static void check_content(struct qs_actor *a, const struct qs_msg *m, struct item *it)
{
	const struct stat *st = &it->content_st;
	int fd;

	/* the stat add_files journalled (a second one a moment later would
	 * prove nothing more: the file can change after either) */
	if (!it->have_content_st)
		return;		/* reported by add_files */
	if (m->mtime >= 0 && (gint64)st->st_mtime != m->mtime) {
		fail(it, "%s: changed since it was read (re-queued, or a new message with the same "
		     "ID); left alone, run qscan again", it->content);
		return;
	}
	if (!is_postfix(a) || !a->postfix_live)
		return;
	/* a delivery agent holds a shared lock while it delivers */
	fd = openat(a->s.rootfd, it->content, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		fail(it, "being delivered (%s is locked)", it->content);
	if (fd >= 0)
		close(fd);
}

static void fill_entry(struct qs_actor *a, const struct qs_msg *m, const struct qs_judgement *j,
		       struct item *it)
{
	struct qs_jentry *e = it->e = qs_jentry_new();

	e->deletion = a->action == QS_ACTION_DELETE;
	e->uuid = qs_move_uuid();
	e->fresh = true;
	e->state = g_strdup(e->deletion ? "deleting" : "moving");
	e->created = (gint64)time(NULL);
	e->run_id = a->run_id ? a->run_id : qs_db_current_run(a->s.db);
	e->queue_root = g_strdup(a->s.root);
	e->format = g_strdup(a->format);
	e->queue_id = g_strdup(m->id ? m->id : "");
	e->queue = g_strdup(m->queue);
	e->sender = g_strdup(m->sender);
	e->recipients = join_pending(m);
	e->reasons = join_reasons(j);
	if (j) {
		e->origin_ip = g_strdup(j->origin_ip);
		e->auth_user = g_strdup(j->auth_user ? j->auth_user : m->auth_user);
		e->subject = g_strdup(j->subject);
	} else {
		e->auth_user = g_strdup(m->auth_user);
	}
	e->method = g_strdup("move");
}

static void precheck(struct qs_actor *a, const struct qs_msg *m, struct item *it)
{
	if (m->busy)
		fail(it, "busy: the MTA has it locked or in flight; left in the queue");
	else if (m->files == NULL || m->files->len == 0 || m->path == NULL)
		fail(it, "no files known for this message");
	else if (is_postfix(a) && a->postfix_live && g_strcmp0(m->queue, "active") == 0)
		fail(it, "being delivered (in active/ of a running Postfix)");
}

void qs_actor_submit_judged(struct qs_actor *a, const struct qs_msg *m,
			    const struct qs_judgement *j, qs_act_done done, void *cookie)
{
	struct item *it = g_new0(struct item, 1);

	it->done = done;
	it->cookie = cookie;
	precheck(a, m, it);
	if (it->error == NULL) {
		it->content = g_strdup(m->path);
		fill_entry(a, m, j, it);
		if (add_files(a, m, it) == 0)
			check_content(a, m, it);
		qs_jentry_set_files_json(it->e);
	}
	g_ptr_array_add(a->batch, it);
	if (a->batch->len >= BATCH)
		qs_actor_flush(a);
}

void qs_actor_submit(struct qs_actor *a, const struct qs_msg *m, qs_act_done done, void *cookie)
{
	qs_actor_submit_judged(a, m, NULL, done, cookie);
}

/* the items still to act on */
static GPtrArray *live_items(struct qs_actor *a)
{
	GPtrArray *v = g_ptr_array_new();
	guint i;

	for (i = 0; i < a->batch->len; i++) {
		struct item *it = g_ptr_array_index(a->batch, i);
		if (it->error == NULL)
			g_ptr_array_add(v, it);
	}
	return v;
}

static void fail_all(GPtrArray *v, const char *why)
{
	guint i;

	for (i = 0; i < v->len; i++)
		fail(g_ptr_array_index(v, i), "%s", why);
}


static struct qs_jfile *content_jfile(struct item *it)
{
	guint i;

	for (i = 0; i < it->e->jfiles->len; i++) {
		struct qs_jfile *f = g_ptr_array_index(it->e->jfiles, i);
		if (strcmp(f->path, it->content) == 0)
			return f;
	}
	return NULL;
}

/* still the journalled file at rel? */
static bool has_file(struct qs_actor *a, const char *rel, const struct qs_jfile *f)
{
	struct stat st;

	return fstatat(a->s.rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       (guint64)st.st_ino == f->ino && (guint64)st.st_dev == f->dev;
}

static bool in_hold(const char *path)
{
	return strncmp(path, "hold/", 5) == 0;
}

/* mail_queue_id_ok(): what postsuper accepts, and all that may go on
 * its stdin (one ID per line) */
static bool postfix_id_ok(const char *id)
{
	size_t n = strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_");

	return n > 0 && n <= 255 && id[n] == '\0';
}

static void run_postsuper(GPtrArray *v, const char *op, char **diag)
{
	GPtrArray *ids = g_ptr_array_new();
	guint i;

	*diag = NULL;
	for (i = 0; i < v->len; i++) {
		struct item *it = g_ptr_array_index(v, i);
		if (!postfix_id_ok(it->e->queue_id))
			continue;	/* reported as not done by the checks after */
		if (strcmp(op, "-h") != 0 || !in_hold(it->content))
			g_ptr_array_add(ids, it->e->queue_id);
	}
	if (ids->len && qs_postsuper(op, ids, diag) < 0 && *diag == NULL)
		*diag = g_strdup("postsuper failed to run");
	g_ptr_array_free(ids, TRUE);
}

static void hold_native(struct qs_actor *a, struct item *it, const struct qs_jfile *f)
{
	char *dst = g_strdup_printf("hold/%s", it->e->queue_id);

	if (!has_file(a, it->content, f))
		fail(it, "%s: vanished or replaced before it could be held", it->content);
	else if (qs_move_mkparents(a->s.rootfd, dst, 0700, true) < 0 ||
		 qs_move_rename(a->s.rootfd, it->content, a->s.rootfd, dst) < 0)
		fail(it, "cannot move %s to %s: %s", it->content, dst, g_strerror(errno));
	else
		it->result = "held";
	g_free(dst);
}

static void hold_batch(struct qs_actor *a, GPtrArray *v)
{
	char *diag = NULL;
	guint i;

	if (use_postsuper(a))
		run_postsuper(v, "-h", &diag);
	for (i = 0; i < v->len; i++) {
		struct item *it = g_ptr_array_index(v, i);
		struct qs_jfile *f = content_jfile(it);
		char *held = g_strdup_printf("hold/%s", it->e->queue_id);

		if (f == NULL)
			fail(it, "%s: vanished", it->content);
		else if (in_hold(it->content) || (diag && has_file(a, held, f)))
			it->result = "held";
		else if (!use_postsuper(a))
			hold_native(a, it, f);
		else if (has_file(a, held, f))
			it->result = "held";
		else
			fail(it, "postsuper -h did not put it on hold%s%s", diag ? ": " : "",
			     diag ? diag : "");
		g_free(held);
	}
	g_free(diag);
}

static void postsuper_delete(struct qs_actor *a, GPtrArray *v)
{
	char *diag = NULL;
	guint i;

	run_postsuper(v, "-d", &diag);
	for (i = 0; i < v->len; i++) {
		struct item *it = g_ptr_array_index(v, i);
		struct qs_jfile *f = content_jfile(it);

		if (f && has_file(a, it->content, f))
			fail(it, "postsuper -d did not remove it%s%s", diag ? ": " : "",
			     diag ? diag : "");
		else
			it->result = "deleted";
	}
	g_free(diag);
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* prepare the journal rows for the method of this batch */
static void prepare(struct qs_actor *a, GPtrArray *v, bool qmail_live, bool hold_first)
{
	guint i, k;

	for (i = 0; i < v->len; i++) {
		struct item *it = g_ptr_array_index(v, i);
		struct qs_jfile *f = content_jfile(it);

		if (qmail_live) {
			for (k = 0; k < it->e->jfiles->len; k++) {
				struct qs_jfile *x = g_ptr_array_index(it->e->jfiles, k);
				if (under(x->path, "todo") || under(x->path, "intd"))
					fail(it, "not yet preprocessed by qmail-send (%s); run qscan "
					     "again in a minute", x->path);
			}
			g_free(it->e->method);
			it->e->method = g_strdup("qmail-live");
		}
		/* postsuper -h does not take maildrop/ files (not yet cleaned up) */
		if (hold_first && f && !in_hold(f->path) && !under(f->path, "maildrop")) {
			/* postsuper -h renames it there, keeping the inode */
			g_free(f->src);
			f->src = g_strdup_printf("hold/%s", it->e->queue_id);
		}
	}
}

/*
 * The file work of a batch runs on FILE_THREADS threads, one message
 * per thread at a time, each message's files in their MTA-safe order
 * exactly as a single thread would; the rows are recorded and results
 * decided afterwards on this thread, in submission order (SQLite is
 * touched by this thread only). Waiting for the disk (rename, unlink
 * with online discard, fsync of copies) overlaps across messages.
 */
#define FILE_THREADS 8

struct settle_job {
	struct qs_actor *a;
	GPtrArray *v;		/* struct item * */
	struct settled *out;	/* one per item */
	gint next;		/* the next item to take (atomic) */
};

struct settled {
	const char *st;		/* NULL: not started (SIGTERM) */
	GString *notes;
	bool content_left;	/* a deletion: the content file still there */
};

static void settle_one(struct settle_job *j, guint i)
{
	struct item *it = g_ptr_array_index(j->v, i);
	struct settled *o = &j->out[i];

	o->notes = g_string_new(NULL);
	/* SIGTERM: the messages of the batch not started yet stay where
	 * they are; their journal rows are closed below, not left `moving` */
	if (it->error || qs_stop_requested())
		return;
	o->st = qs_move_settle_files(&j->a->s, it->e, o->notes);
	if (strcmp(o->st, "deleted") == 0 && g_strcmp0(it->e->method, "qmail-live") != 0 &&
	    content_jfile(it) != NULL)
		o->content_left = has_file(j->a, it->content, content_jfile(it));
}

static gpointer settle_thread(gpointer data)
{
	struct settle_job *j = data;
	gint i;

	while ((i = g_atomic_int_add(&j->next, 1)) < (gint)j->v->len)
		settle_one(j, (guint)i);
	return NULL;
}

static void settle_files(struct qs_actor *a, GPtrArray *v, struct settled *out)
{
	struct settle_job j = { a, v, out, 0 };
	GThread *t[FILE_THREADS];
	/* this thread is one of them */
	guint n = v->len > 1 ? MIN(FILE_THREADS, v->len) - 1 : 0, k;

	for (k = 0; k < n; k++) {
		GError *err = NULL;
		t[k] = g_thread_try_new("qscan-files", settle_thread, &j, &err);
		if (t[k] == NULL) {	/* fewer threads; this one works too */
			g_error_free(err);
			break;
		}
	}
	settle_thread(&j);
	while (k-- > 0)
		g_thread_join(t[k]);
}

static void settle_all(struct qs_actor *a, GPtrArray *v)
{
	struct settled *out = g_new0(struct settled, v->len);
	guint i;

	settle_files(a, v, out);
	for (i = 0; i < v->len; i++) {
		struct item *it = g_ptr_array_index(v, i);
		GString *notes = out[i].notes;
		const char *st = out[i].st;
		GError *err = NULL;

		if (it->error == NULL && st == NULL) {
			if (qs_journal_set_state(a->s.db, it->e->deletion, it->e->uuid, "failed",
						 "stopped (SIGTERM) before this message was moved", &err) < 0)
				g_clear_error(&err);
			fail(it, "stopped (SIGTERM) before acting; left in the queue");
		}
		if (it->error == NULL &&
		    qs_journal_set_state(a->s.db, it->e->deletion, it->e->uuid, st,
					 notes->len ? notes->str : NULL, &err) < 0) {
			fail(it, "%s", err->message);
			g_error_free(err);
		}
		g_strchomp(notes->str);
		if (it->error)
			;
		else if (strcmp(st, "quarantined") == 0)
			it->result = "quarantined";
		else if (strcmp(st, "deleted") == 0 && !out[i].content_left)
			it->result = "deleted";
		else
			fail(it, "%s: %s", st, notes->len ? notes->str : "nothing was moved");
		g_string_free(notes, TRUE);
	}
	g_free(out);
}

static void journal_batch(struct qs_actor *a, GPtrArray *all)
{
	bool hold_first = a->action == QS_ACTION_QUARANTINE && use_postsuper(a);
	int mutex = -1, live = 0;
	GPtrArray *v;
	GError *err = NULL;
	char *diag = NULL;
	guint i;

	if (strcmp(a->format, "qmail") == 0)
		live = qs_qmail_sendmutex(a->s.rootfd, &mutex) == 1;
	prepare(a, all, live, hold_first);
	v = g_ptr_array_new();
	for (i = 0; i < all->len; i++)
		if (((struct item *)g_ptr_array_index(all, i))->error == NULL)
			g_ptr_array_add(v, g_ptr_array_index(all, i));
	/* the caller's own batched rows first, so that a failure below
	 * rolls back only the journal */
	qs_db_commit(a->s.db, &err);
	for (i = 0; i < v->len && err == NULL; i++)
		qs_journal_add(a->s.db, ((struct item *)g_ptr_array_index(v, i))->e, &err);
	/* the journal is on disk before any file moves */
	if (err || qs_db_commit(a->s.db, &err) < 0) {
		qs_db_rollback(a->s.db);
		fail_all(v, err->message);
		g_error_free(err);
		goto out;
	}
	if (hold_first)
		run_postsuper(v, "-h", &diag);
	settle_all(a, v);
	if (qs_move_commit(&a->s, &err) < 0) {
		qs_error("%s (the next run reconciles these messages)", err->message);
		g_error_free(err);
	}
out:
	if (mutex >= 0)
		close(mutex);
	g_free(diag);
	g_ptr_array_free(v, TRUE);
}

static void run_batch(struct qs_actor *a)
{
	GPtrArray *v = live_items(a);

	if (v->len == 0)
		;
	else if (a->action == QS_ACTION_HOLD)
		hold_batch(a, v);
	else if (a->action == QS_ACTION_DELETE && use_postsuper(a))
		postsuper_delete(a, v);
	else
		journal_batch(a, v);
	g_ptr_array_free(v, TRUE);
}

static void item_free(struct item *it)
{
	qs_jentry_free(it->e);
	g_free(it->content);
	g_free(it->error);
	g_free(it);
}

void qs_actor_flush(struct qs_actor *a)
{
	guint i;

	if (a == NULL || a->batch->len == 0)
		return;
	run_batch(a);
	for (i = 0; i < a->batch->len; i++) {
		struct item *it = g_ptr_array_index(a->batch, i);
		const char *r = it->result ? it->result : "failed";

		a->last_uuid = it->e && strcmp(r, "quarantined") == 0 ? it->e->uuid : NULL;
		it->done(it->cookie, r, strcmp(r, "failed") == 0 ?
			 (it->error ? it->error : "not acted on") : NULL);
		item_free(it);
	}
	a->last_uuid = NULL;
	g_ptr_array_set_size(a->batch, 0);
}

void qs_actor_free(struct qs_actor **ap)
{
	struct qs_actor *a = *ap;

	if (a == NULL)
		return;
	qs_actor_flush(a);
	qs_db_commit(a->s.db, NULL);
	qs_store_close(&a->s);
	g_ptr_array_free(a->batch, TRUE);
	g_free(a);
	*ap = NULL;
}
