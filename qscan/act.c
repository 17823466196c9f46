/*
 * act.c - the actor: quarantine, delete or hold the `relay` messages of
 * one queue, in batches, through the safe method for the format and for
 * a running MTA. See act.h; the file work is in move.c, reconcile.c,
 * act_postfix.c and act_qmail.c.
 *
 * Per batch: every message is checked (still there, same file, not
 * busy), journalled in the database and committed; only then do files
 * move, in the MTA's own safe order, on the file threads while this
 * thread reads the next batch (act_flight.c); the rows are marked after
 * syncfs and committed with the next batch's journal, and `done` is
 * called in submission order.
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
#include "act-actor.h"
#include "classify.h"
#include "log.h"
#include "util.h"

#define BATCH 2500	/* messages per journal commit / postsuper run */

static void launch(struct qs_actor *a);

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
	a->batch_max = BATCH;
	/* small batches make a few hundred messages several batches in flight */
	if (getenv("QSCAN_TEST_BATCH"))
		a->batch_max = (guint)CLAMP(atoi(getenv("QSCAN_TEST_BATCH")), 1, BATCH);
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

void qs_act_fail(struct item *it, const char *fmt, ...)
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
			qs_act_fail(it, "%s: not a path inside the queue", r[i].path);
			break;
		}
		/* identity and birth time from one statx */
		if (qs_jfile_stat(a->s.rootfd, r[i].path, &st, &btime) < 0) {
			if (strcmp(r[i].path, it->content) == 0)
				qs_act_fail(it, "%s: vanished (delivered or moved by the MTA)", r[i].path);
			continue;	/* a satellite the MTA already removed */
		}
		if (!S_ISREG(st.st_mode)) {
			qs_act_fail(it, "%s: not a regular file; left alone", r[i].path);
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
		qs_act_fail(it, "%s: changed since it was read (re-queued, or a new message with "
			    "the same ID); left alone, run qscan again", it->content);
		return;
	}
	if (!is_postfix(a) || !a->postfix_live)
		return;
	/* a delivery agent holds a shared lock while it delivers */
	fd = openat(a->s.rootfd, it->content, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		qs_act_fail(it, "being delivered (%s is locked)", it->content);
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
		qs_act_fail(it, "busy: the MTA has it locked or in flight; left in the queue");
	else if (m->files == NULL || m->files->len == 0 || m->path == NULL)
		qs_act_fail(it, "no files known for this message");
	else if (is_postfix(a) && a->postfix_live && g_strcmp0(m->queue, "active") == 0)
		qs_act_fail(it, "being delivered (in active/ of a running Postfix)");
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
	if (a->batch->len >= a->batch_max)
		launch(a);
}

void qs_actor_submit(struct qs_actor *a, const struct qs_msg *m, qs_act_done done, void *cookie)
{
	qs_actor_submit_judged(a, m, NULL, done, cookie);
}

/* the items of a batch still to act on */
static GPtrArray *live_items(GPtrArray *batch)
{
	GPtrArray *v = g_ptr_array_new();
	guint i;

	for (i = 0; i < batch->len; i++) {
		struct item *it = g_ptr_array_index(batch, i);
		if (it->error == NULL)
			g_ptr_array_add(v, it);
	}
	return v;
}

static void fail_all(GPtrArray *v, const char *why)
{
	guint i;

	for (i = 0; i < v->len; i++)
		qs_act_fail(g_ptr_array_index(v, i), "%s", why);
}


struct qs_jfile *qs_act_content_jfile(struct item *it)
{
	guint i;

	for (i = 0; i < it->e->jfiles->len; i++) {
		struct qs_jfile *f = g_ptr_array_index(it->e->jfiles, i);
		if (strcmp(f->path, it->content) == 0)
			return f;
	}
	return NULL;
}

bool qs_act_has_file(struct qs_actor *a, const char *rel, const struct qs_jfile *f)
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

	if (!qs_act_has_file(a, it->content, f))
		qs_act_fail(it, "%s: vanished or replaced before it could be held", it->content);
	else if (qs_move_mkparents(a->s.rootfd, dst, 0700, true) < 0 ||
		 qs_move_rename(a->s.rootfd, it->content, a->s.rootfd, dst) < 0)
		qs_act_fail(it, "cannot move %s to %s: %s", it->content, dst, g_strerror(errno));
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
		struct qs_jfile *f = qs_act_content_jfile(it);
		char *held = g_strdup_printf("hold/%s", it->e->queue_id);

		if (f == NULL)
			qs_act_fail(it, "%s: vanished", it->content);
		else if (in_hold(it->content) || (diag && qs_act_has_file(a, held, f)))
			it->result = "held";
		else if (!use_postsuper(a))
			hold_native(a, it, f);
		else if (qs_act_has_file(a, held, f))
			it->result = "held";
		else
			qs_act_fail(it, "postsuper -h did not put it on hold%s%s",
				    diag ? ": " : "", diag ? diag : "");
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
		struct qs_jfile *f = qs_act_content_jfile(it);

		if (f && qs_act_has_file(a, it->content, f))
			qs_act_fail(it, "postsuper -d did not remove it%s%s",
				    diag ? ": " : "", diag ? diag : "");
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
		struct qs_jfile *f = qs_act_content_jfile(it);

		if (qmail_live) {
			for (k = 0; k < it->e->jfiles->len; k++) {
				struct qs_jfile *x = g_ptr_array_index(it->e->jfiles, k);
				if (under(x->path, "todo") || under(x->path, "intd"))
					qs_act_fail(it, "not yet preprocessed by qmail-send (%s); "
						    "run qscan again in a minute", x->path);
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

/* the journal rows of v in a savepoint of their own: if one cannot be
 * written none is, and the rows already in the transaction stay */
static int journal_rows(struct qs_actor *a, GPtrArray *v, GError **err)
{
	guint i;

	if (qs_db_savepoint(a->s.db, err) < 0)
		return -1;
	for (i = 0; i < v->len; i++)
		if (qs_journal_add(a->s.db, ((struct item *)g_ptr_array_index(v, i))->e, err) < 0) {
			qs_db_rollback_to(a->s.db);
			return -1;
		}
	return qs_db_release(a->s.db, err);
}

static void item_free(struct item *it)
{
	qs_jentry_free(it->e);
	g_free(it->content);
	g_free(it->error);
	g_free(it);
}

/* call `done` for each item of a batch, in submission order */
static void deliver(struct qs_actor *a, GPtrArray *all)
{
	guint i;

	for (i = 0; all && i < all->len; i++) {
		struct item *it = g_ptr_array_index(all, i);
		const char *r = it->result ? it->result : "failed";

		it->done(it->cookie, r, it->e && strcmp(r, "quarantined") == 0 ? it->e->uuid : NULL,
			 strcmp(r, "failed") == 0 ? (it->error ? it->error : "not acted on") : NULL);
		item_free(it);
	}
	if (all)
		g_ptr_array_free(all, TRUE);
}

/*
 * Journal the batch `all` (live: its items still to act on), commit and
 * start moving its files. The batch before, whose files have moved, is
 * synced and marked after that, while this one's files move; its marks
 * go to disk with the next commit (never before the syncfs).
 */
static void journal_batch(struct qs_actor *a, GPtrArray *all, GPtrArray *live)
{
	bool hold_first = a->action == QS_ACTION_QUARANTINE && use_postsuper(a);
	struct flight *before = qs_flight_join(a);
	GPtrArray *v;
	int mutex = -1, qmail_live = 0;
	GError *err = NULL;
	char *diag = NULL;

	if (strcmp(a->format, "qmail") == 0)
		qmail_live = qs_qmail_sendmutex(a->s.rootfd, &mutex) == 1;
	prepare(a, live, qmail_live, hold_first);
	v = live_items(live);	/* prepare() may have failed some */
	if (v->len && journal_rows(a, v, &err) < 0) {
		fail_all(v, err->message);
		g_clear_error(&err);
		g_ptr_array_set_size(v, 0);
	}
	/* the journal is on disk before any file moves */
	if (qs_db_commit(a->s.db, &err) < 0) {
		qs_error("%s (messages moved before are finished by the next run)", err->message);
		fail_all(v, err->message);
		g_ptr_array_set_size(v, 0);
		g_clear_error(&err);
	}
	if (v->len && hold_first)
		run_postsuper(v, "-h", &diag);
	g_free(diag);
	qs_flight_start(a, all, v, mutex);
	deliver(a, qs_flight_mark(a, before));
}

/* act on the batch being filled: the file work of a journalled method
 * goes on in flight; the others are done here */
static void launch(struct qs_actor *a)
{
	GPtrArray *all = a->batch, *v = live_items(all);

	a->batch = g_ptr_array_new();
	if (a->action == QS_ACTION_HOLD || (a->action == QS_ACTION_DELETE && use_postsuper(a))) {
		if (v->len && a->action == QS_ACTION_HOLD)
			hold_batch(a, v);
		else if (v->len)
			postsuper_delete(a, v);
		deliver(a, all);
	} else {
		journal_batch(a, all, v);
	}
	g_ptr_array_free(v, TRUE);
}

void qs_actor_flush(struct qs_actor *a)
{
	GPtrArray *landed;
	GError *err = NULL;

	if (a == NULL)
		return;
	if (a->batch->len)
		launch(a);
	landed = qs_flight_mark(a, qs_flight_join(a));
	if (landed && qs_db_commit(a->s.db, &err) < 0) {
		qs_error("%s (the next run reconciles these messages)", err->message);
		g_error_free(err);
	}
	deliver(a, landed);
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
