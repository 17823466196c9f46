/* storeutil.c - see storeutil.h. */
#include "config.h"
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include "act-int.h"
#include "conf.h"
#include "storeutil.h"
#include "tap.h"
#include "testutil.h"

int su_done_calls;
static GPtrArray *keep;	/* test allocations kept until exit (reachable) */

static void *kept(void *p)
{
	if (keep == NULL)
		keep = g_ptr_array_new();
	g_ptr_array_add(keep, p);
	return p;
}

void su_file(const char *root, const struct su_file *f)
{
	char *p = g_build_filename(root, f->rel, NULL);
	struct timespec ts[2] = { { f->mtime - 100, 0 }, { f->mtime, 123456789 } };

	tu_write(root, f->rel, f->data, strlen(f->data), f->mode);
	if (chown(p, f->uid, f->gid) < 0 || chmod(p, f->mode) < 0 ||
	    utimensat(AT_FDCWD, p, ts, 0) < 0)
		bail("cannot set metadata of %s", p);
	g_free(p);
}

static struct qs_msg *msg(const char *format, const char *queue, const char *id)
{
	struct qs_msg *m = qs_msg_new();

	m->format = format;
	m->queue = g_strdup(queue);
	m->id = g_strdup(id);
	m->sender = g_strdup("spam@example.net");
	qs_msg_add_rcpt(m, "victim@example.com", 18, false);
	return m;
}

struct qs_msg *su_postfix_msg(const char *root, const char *id, const char *body)
{
	struct qs_msg *m = msg("postfix", "deferred", id);
	char *q = g_strdup_printf("deferred/%c/%s", id[0], id);
	char *d = g_strdup_printf("defer/%c/%s", id[0], id);
	char *b = g_strdup_printf("bounce/%s", id);
	char *t = g_strdup_printf("trace/%s", id);
	struct su_file f[] = {
		{ q, body, 0700, 105, 111, 1795356736 },
		{ d, "\n<v@example.com>: deferred\nrecipient=v@example.com\n\n", 0600, 105, 111, 1795356470 },
		{ b, "\nrecipient=x@example.com\naction=failed\n\n", 0600, 105, 111, 1795356471 },
		{ t, "\nrecipient=t@example.com\naction=delivered\n\n", 0600, 105, 111, 1795356472 },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(f); i++)
		su_file(root, &f[i]);
	m->path = g_strdup(q);
	m->mtime = 1795356736;
	for (i = 0; i < G_N_ELEMENTS(f); i++)
		qs_msg_add_file(m, f[i].rel);
	g_free(q); g_free(d); g_free(b); g_free(t);
	return m;
}

struct qs_msg *su_qmail_msg(const char *root, unsigned long n, const char *body)
{
	char id[32];
	char *mess, *info, *local, *remote, *bounce;
	struct qs_msg *m;
	guint i;

	g_snprintf(id, sizeof id, "%lu", n);
	m = msg("qmail", "remote", id);
	mess = g_strdup_printf("mess/%lu/%lu", n % 23, n);
	info = g_strdup_printf("info/%lu/%lu", n % 23, n);
	local = g_strdup_printf("local/%lu/%lu", n % 23, n);
	remote = g_strdup_printf("remote/%lu/%lu", n % 23, n);
	bounce = g_strdup_printf("bounce/%lu", n);
	{
		struct su_file f[] = {
			{ mess, body, 0644, 992, 995, 1795356500 },
			{ info, "Fspam@example.net", 0600, 990, 995, 1795356501 },
			{ local, "Dtrap@localhost\0", 0600, 990, 995, 1795357000 },
			{ remote, "Tvictim@example.com", 0600, 990, 995, 1795357001 },
			{ bounce, "<x@localhost>:\nSorry.\n\n", 0600, 990, 995, 1795356502 },
		};
		for (i = 0; i < G_N_ELEMENTS(f); i++)
			su_file(root, &f[i]);
	}
	m->path = g_strdup(mess);
	m->mtime = 1795356500;
	qs_msg_add_file(m, mess);
	qs_msg_add_file(m, info);
	qs_msg_add_file(m, local);
	qs_msg_add_file(m, remote);
	qs_msg_add_file(m, bounce);
	g_free(mess); g_free(info); g_free(local); g_free(remote); g_free(bounce);
	return m;
}

struct qs_msg *su_mdaemon_msg(const char *root, const char *base, const char *body)
{
	struct qs_msg *m = msg("mdaemon", "Remote", base);
	char *msgf = g_strdup_printf("Remote/%s.msg", base);
	char *rte = g_strdup_printf("Remote/%s.rte", base);
	struct su_file f[] = {
		{ msgf, body, 0644, 0, 0, 1795356600 },
		{ rte, "[RemoteRcpts]\nRcpt0=victim@example.com\n", 0644, 0, 0, 1795356601 },
	};

	su_file(root, &f[0]);
	su_file(root, &f[1]);
	m->path = g_strdup(msgf);
	m->mtime = 1795356600;
	qs_msg_add_file(m, msgf);
	qs_msg_add_file(m, rte);
	g_free(msgf);
	g_free(rte);
	return m;
}

void su_done(void *cookie, const char *action, const char *uuid, const char *error)
{
	struct su_result *r = cookie;

	r->action = kept(g_strdup(action));
	r->error = error ? kept(g_strdup(error)) : NULL;
	r->order = su_done_calls++;
}

struct qs_config *su_config(const char *qdir)
{
	struct qs_config *c = qs_config_new();

	kept(c->quarantine_dir);	/* whoever frees it, not twice */
	c->quarantine_dir = kept(g_strdup(qdir));
	return kept(c);
}

int su_act(const struct qs_parser *p, const char *root, const char *qdir, struct qs_db *db,
	   enum qs_action action, struct qs_msg **m, int n, struct su_result *r)
{
	struct qs_config *c = su_config(qdir);
	GError *err = NULL;
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	struct qs_actor *a = qs_actor_new(p, fd, root, c, action, db, &err);
	int i;

	if (a == NULL) {
		diag("actor: %s", err->message);
		g_error_free(err);
		close(fd);
		return -1;
	}
	for (i = 0; i < n; i++)
		qs_actor_submit(a, m[i], su_done, &r[i]);
	qs_actor_flush(a);
	qs_actor_free(&a);
	close(fd);
	return 0;
}

bool su_exists(const char *root, const char *rel)
{
	char *p = g_build_filename(root, rel, NULL);
	struct stat st;
	bool yes = lstat(p, &st) == 0;

	g_free(p);
	return yes;
}

bool su_has(const char *root, const char *rel, const char *data)
{
	char *p = g_build_filename(root, rel, NULL);
	char *text = NULL;
	gsize len = 0;
	bool yes = g_file_get_contents(p, &text, &len, NULL) && len == strlen(data) &&
		   memcmp(text, data, len) == 0;

	g_free(text);
	g_free(p);
	return yes;
}

bool su_same_meta(const char *a, const char *b)
{
	struct stat x, y;
	char *ta = NULL, *tb = NULL;
	gsize la = 0, lb = 0;
	bool same;

	if (lstat(a, &x) < 0 || lstat(b, &y) < 0)
		return false;
	same = x.st_mode == y.st_mode && x.st_uid == y.st_uid && x.st_gid == y.st_gid &&
	       x.st_mtim.tv_sec == y.st_mtim.tv_sec && x.st_mtim.tv_nsec == y.st_mtim.tv_nsec &&
	       g_file_get_contents(a, &ta, &la, NULL) && g_file_get_contents(b, &tb, &lb, NULL) &&
	       la == lb && memcmp(ta, tb, la) == 0;
	if (!same)
		diag("%s and %s differ: mode %o/%o uid %u/%u mtime %ld.%09ld/%ld.%09ld", a, b,
		     x.st_mode, y.st_mode, x.st_uid, y.st_uid, (long)x.st_mtim.tv_sec,
		     x.st_mtim.tv_nsec, (long)y.st_mtim.tv_sec, y.st_mtim.tv_nsec);
	g_free(ta);
	g_free(tb);
	return same;
}

long long su_q(const char *dbpath, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	long long r = -1;

	sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READONLY, NULL);
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		r = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return r;
}

char *su_uuid_of(const char *dbpath, const char *queue_id, const char *state)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	char *r = NULL;
	int n = 0;

	sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READONLY, NULL);
	if (sqlite3_prepare_v2(h, "SELECT uuid FROM quarantine WHERE queue_id = ?1 AND state = ?2",
			       -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, queue_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			if (n++ == 0)
				r = g_strdup((const char *)sqlite3_column_text(s, 0));
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(h);
	if (n != 1)
		g_clear_pointer(&r, g_free);
	return r;
}

char *su_stored(const char *qdir, const char *uuid, const char *rel)
{
	char *n = qs_store_name(uuid, rel), *p = g_build_filename(qdir, n, NULL);

	g_free(n);
	return p;
}

int su_store_count(const char *qdir, const char *uuid)
{
	/* the bucket of uuid, as qs_store_name picks it */
	char *any = qs_store_name(uuid, "x"), *slash = strchr(any, '/');
	char *d, *pre = g_strdup_printf("%s.", uuid);
	DIR *dh;
	struct dirent *de;
	int n = su_exists(qdir, uuid);

	if (slash)
		*slash = '\0';
	d = g_build_filename(qdir, any, NULL);
	g_free(any);
	dh = opendir(d);

	while (dh && (de = readdir(dh)) != NULL)
		n += g_str_has_prefix(de->d_name, pre);
	if (dh)
		closedir(dh);
	g_free(d);
	g_free(pre);
	return n;
}

int su_tmp_leftovers(const char *dir)
{
	char *cmd = g_strdup_printf("find '%s' -name '*.qscan-tmp' | grep -q .", dir);
	int rc = system(cmd);

	g_free(cmd);
	return rc == 0;
}
