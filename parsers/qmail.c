/*
 * qmail.c - the qmail 1.03 / netqmail / notqmail queue reader.
 *
 * Messages are enumerated from mess/S/N (every message has a mess file
 * from state S2 on). The envelope comes from info/S/N + local/S/N +
 * remote/S/N once qmail-send has preprocessed the message (S5), else
 * from todo/N (S4, also todo/S/N with the big-todo patch). A mess file
 * with neither is being written (S2/S3) or an orphan that qmail-send's
 * 36-hour cleanup removes; young ones are skipped, old ones reported as
 * unreadable. All records are NUL-terminated, no lengths (format notes
 * PART 2 §2.4).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "qs_limits.h"
#include "log.h"
#include "util.h"
#include "parser.h"
#include "plainmsg.h"
#include "dirset.h"

/* qmail-queue kills itself after a day; an envelope-less mess file
 * younger than that may still be in the making. */
#define QMAIL_INFLIGHT_SECONDS (24 * 3600)
#define QMAIL_MAX_SUBDIRS 100000	/* conf-split is normally 23 */
#define QMAIL_MAX_DIGITS 20		/* a 64-bit inode number */
/* names kept of one listed directory: 2 MiB each, six at a time; a
 * split directory with more is asked name by name (fstatat) */
#define QMAIL_LIST_CAP (1u << 18)
#define QMAIL_LIST_SMALL 4096	/* the most an unsplit todo/ is re-read for */

/* item->kind: which files exist (bits) and the state */
enum {
	QM_INFO = 1 << 0, QM_LOCAL = 1 << 1, QM_REMOTE = 1 << 2, QM_TODO = 1 << 3,
	QM_INTD = 1 << 4, QM_BOUNCE = 1 << 5,
	QM_S4 = 1 << 8,		/* envelope in todo/ */
	QM_S5 = 1 << 9,		/* envelope in info/ + local/ + remote/ */
	QM_ORPHAN = 1 << 10,	/* neither */
	QM_BIGTODO = 1 << 11,	/* todo/ and intd/ are split like mess/ */
};

/* the six places a message has files besides mess/ (format notes
 * §2.4), in the order of its file list; listed todo/ and intd/ first,
 * because qmail-send writes info/ before it removes todo/ (a message
 * caught in between is seen in both, and todo/ wins) */
enum { L_INFO, L_LOCAL, L_REMOTE, L_TODO, L_INTD, L_BOUNCE, L_N };	/* file order */
static const int list_order[L_N] = { L_TODO, L_INTD, L_INFO, L_LOCAL, L_REMOTE, L_BOUNCE };

struct qs_walk {
	int rootfd;
	bool bigtodo;
	GPtrArray *subdirs;	/* numeric names under mess/ */
	struct qs_dirset sets[L_N];	/* the current split directory's places */
	bool probe_only[L_N];	/* too big to list: ask per message */
	guint next_sub;
	DIR *cur;
	char *cur_sub;
	gint64 now;
};

static bool all_digits(const char *s, size_t max)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && s[n] == '\0' && n <= max;
}

static bool is_dir_at(int fd, const char *rel)
{
	struct stat st;

	return fstatat(fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* count numeric subdirectories of rel, looking at no more than cap entries */
static int count_numeric_dirs(int rootfd, const char *rel, int cap)
{
	DIR *d = qs_opendir_rel(rootfd, rel, NULL);
	struct dirent *de;
	int n = 0, seen = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && seen++ < cap)
		if (all_digits(de->d_name, 9) && qs_dirent_type(d, de) == DT_DIR)
			n++;
	closedir(d);
	return n;
}

static int probe(int rootfd, const char *root, GString *why)
{
	static const char *const dirs[] = { "mess", "info", "local", "remote", "todo", "intd", "bounce", "lock", NULL };
	int i, have = 0, split;
	bool mess, todo;

	(void)root;
	for (i = 0; dirs[i]; i++)
		if (is_dir_at(rootfd, dirs[i]))
			have |= 1 << i;
	mess = have & 1;
	todo = have & (1 << 4);
	if (!mess || (!(have & 2) && !todo)) {
		g_string_append_printf(why, "qmail: no mess/ with info/ or todo/ here%s\n",
				       is_dir_at(rootfd, "../mess") ? " (this looks like a qmail sub-directory: give the queue directory above it)" :
				       is_dir_at(rootfd, "queue/mess") ? " (give its queue/ sub-directory)" : "");
		return 0;
	}
	split = count_numeric_dirs(rootfd, "mess", 4096);
	g_string_append_printf(why, "qmail: mess/ (%d numeric subdirectories = split), %s%s%s%s\n",
			       split, have & 2 ? "info/ " : "", todo ? "todo/ " : "",
			       (have & 0x0c) == 0x0c ? "local/ remote/ " : "",
			       todo && is_dir_at(rootfd, "todo/0") ? "(big-todo: todo/0 is a directory)" : "");
	return split > 0 ? 95 : 70;
}

static struct qs_walk *walk_new(int rootfd, const char *root, GError **err)
{
	struct qs_walk *w;
	DIR *d = qs_opendir_rel(rootfd, "mess", err);
	struct dirent *de;

	(void)root;
	if (d == NULL)
		return NULL;
	w = g_new0(struct qs_walk, 1);
	w->rootfd = rootfd;
	w->subdirs = g_ptr_array_new_with_free_func(g_free);
	w->now = g_get_real_time() / G_USEC_PER_SEC;
	for (int i = 0; i < L_N; i++)
		qs_dirset_init(&w->sets[i]);
	while ((de = readdir(d)) != NULL && w->subdirs->len < QMAIL_MAX_SUBDIRS) {
		if (de->d_name[0] == '.')
			continue;
		if (all_digits(de->d_name, 9) && qs_dirent_type(d, de) == DT_DIR)
			g_ptr_array_add(w->subdirs, g_strdup(de->d_name));
		else
			qs_info("qmail: mess/%s: not a numeric split directory, skipped", de->d_name);
	}
	closedir(d);
	w->bigtodo = is_dir_at(rootfd, "todo/0");
	return w;
}

static void walk_free(struct qs_walk *w)
{
	if (w == NULL)
		return;
	if (w->cur)
		closedir(w->cur);
	g_free(w->cur_sub);
	g_ptr_array_free(w->subdirs, TRUE);
	for (int i = 0; i < L_N; i++)
		qs_dirset_free(&w->sets[i]);
	g_free(w);
}

static const struct {
	const char *dir;
	int bit;
	int split;	/* 1 = dir/S/N, 0 = dir/N, 2 = dir/S/N with big-todo only */
} places[L_N] = {
	{ "info/", QM_INFO, 1 }, { "local/", QM_LOCAL, 1 }, { "remote/", QM_REMOTE, 1 },
	{ "todo/", QM_TODO, 2 }, { "intd/", QM_INTD, 2 }, { "bounce/", QM_BOUNCE, 0 },
};

static bool place_split(int i, bool bigtodo)
{
	return places[i].split == 1 || (places[i].split == 2 && bigtodo);
}

/* list the places of split directory sub; an unsplit directory (todo/
 * intd/ bounce/: normally a handful of names) is read again for every
 * split directory so that it is never older than the listing of info/;
 * one that has grown past QMAIL_LIST_SMALL (qmail-send stopped with a
 * backlog) is asked name by name for the rest of the walk instead */
static void list_places(struct qs_walk *w, const char *sub)
{
	int j;

	for (j = 0; j < L_N; j++) {
		int i = list_order[j];
		bool split = place_split(i, w->bigtodo);
		char *rel;

		if (w->probe_only[i]) {
			w->sets[i].listed = false;
			continue;
		}
		rel = split ? g_strconcat(places[i].dir, sub, NULL) : g_strndup(places[i].dir, strlen(places[i].dir) - 1);
		qs_dirset_read(&w->sets[i], w->rootfd, rel, split ? QMAIL_LIST_CAP : QMAIL_LIST_SMALL);
		if (!split && !w->sets[i].listed)
			w->probe_only[i] = true;
		g_free(rel);
	}
}

/* add dir/sub/n (dir/n when sub is NULL) to the item when it exists
 * (any type: a symlink still belongs to the message, and load reports
 * it); set = the directory's listing, or NULL to ask the file system.
 * Most places of a message are empty: the path is only made when the
 * listing does not rule it out. */
static bool add_if_exists(int rootfd, struct qs_item *it, const struct qs_dirset *set,
			  const char *dir, const char *sub, const char *n)
{
	int has = set ? qs_dirset_has(set, n) : -1;
	struct stat st;
	char *rel;

	if (has == 0)
		return false;
	rel = sub ? g_strconcat(dir, sub, "/", n, NULL) : g_strconcat(dir, n, NULL);
	if (has < 0)
		has = fstatat(rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (has)
		g_ptr_array_add(it->files, rel);
	else
		g_free(rel);
	return has;
}

/* which files of mess/sub/n exist, from the listings (sets) or, with
 * sets NULL, from the file system itself; sets the state bits */
static void find_files(int rootfd, bool bigtodo, const struct qs_dirset *sets,
		       struct qs_item *it, const char *sub, const char *n)
{
	int i;

	g_ptr_array_set_size(it->files, 0);
	g_ptr_array_add(it->files, g_strdup(it->path));
	it->kind &= QM_BIGTODO;
	/* the actor removes them in §2.7 order itself; we only list them */
	for (i = 0; i < L_N; i++)
		if (add_if_exists(rootfd, it, sets ? &sets[i] : NULL, places[i].dir,
				  place_split(i, bigtodo) ? sub : NULL, n))
			it->kind |= places[i].bit;
	if (it->kind & QM_TODO)
		it->kind |= QM_S4;	/* todo wins over a half-written info (qmail-send redoes it) */
	else if (it->kind & QM_INFO)
		it->kind |= QM_S5;
}

/* fill the item for mess/S/N: which other files exist, and the state;
 * returns false when it is to be skipped (young, being written) */
static bool fill_item(struct qs_walk *w, struct qs_item *it, const char *sub, const char *n)
{
	struct stat st;

	qs_item_clear(it);
	it->id = g_strdup(n);
	it->path = g_strconcat("mess/", sub, "/", n, NULL);
	it->kind = w->bigtodo ? QM_BIGTODO : 0;
	find_files(w->rootfd, w->bigtodo, w->sets, it, sub, n);
	/* neither: ask the file system before calling it an orphan, in
	 * case it was queued after its directories were listed */
	if (!(it->kind & (QM_S4 | QM_S5)))
		find_files(w->rootfd, w->bigtodo, NULL, it, sub, n);
	if (it->kind & QM_S4) {
		it->queue = g_strdup("todo");
	} else if (it->kind & QM_S5) {
		it->queue = g_strdup("queue");
	} else {
		if (fstatat(w->rootfd, it->path, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return false;	/* vanished: finished meanwhile */
		it->mtime = st.st_mtime;
		if (w->now - (gint64)st.st_mtime < QMAIL_INFLIGHT_SECONDS) {
			qs_info("qmail: %s: no info/ or todo/ yet and younger than 24 hours: "
				"being queued, skipped", it->path);
			return false;
		}
		it->kind |= QM_ORPHAN;
		it->queue = g_strdup("mess");
	}
	return true;
}

static int walk_next(struct qs_walk *w, struct qs_item *item, GError **err)
{
	for (;;) {
		struct dirent *de;
		int type;

		if (w->cur == NULL) {
			char *rel;
			if (w->next_sub >= w->subdirs->len)
				return 0;
			g_free(w->cur_sub);
			w->cur_sub = g_strdup(g_ptr_array_index(w->subdirs, w->next_sub++));
			rel = g_strconcat("mess/", w->cur_sub, NULL);
			w->cur = qs_opendir_rel(w->rootfd, rel, err);
			g_free(rel);
			if (w->cur == NULL)
				return -1;
			list_places(w, w->cur_sub);
		}
		errno = 0;
		de = readdir(w->cur);
		if (de == NULL) {
			closedir(w->cur);
			w->cur = NULL;
			continue;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!all_digits(de->d_name, QMAIL_MAX_DIGITS) || de->d_name[0] == '0') {
			qs_info("qmail: mess/%s/%s: not a message number, skipped", w->cur_sub, de->d_name);
			continue;
		}
		type = qs_dirent_type(w->cur, de);
		if (type < 0)
			continue;	/* vanished */
		if (type != DT_REG) {
			g_set_error(err, QS_ERROR, 0, "mess/%s/%s: not a regular file (%s), skipped",
				    w->cur_sub, de->d_name, type == DT_LNK ? "symbolic link" :
				    type == DT_DIR ? "directory" : "special file");
			return -1;
		}
		if (fill_item(w, item, w->cur_sub, de->d_name))
			return 1;
	}
}

/* ---- records: "<letter><bytes>\0" ... ---- */

struct rec {
	char type;
	const char *data;
	size_t len;
	size_t off;
};

/* 1 = record, 0 = end, -1 = malformed (message in *why) */
static int next_rec(const GByteArray *b, size_t *pos, struct rec *r, const char **why)
{
	const guint8 *nul;

	if (*pos >= b->len)
		return 0;
	r->off = *pos;
	nul = memchr(b->data + *pos, '\0', b->len - *pos);
	if (nul == NULL) {
		*why = "last record has no NUL terminator (truncated file)";
		return -1;
	}
	if (nul == b->data + *pos) {
		*why = "empty record";
		return -1;
	}
	r->type = (char)b->data[*pos];
	r->data = (const char *)b->data + *pos + 1;
	r->len = (size_t)(nul - b->data) - *pos - 1;
	if (r->len > QS_MAX_ADDR) {
		*why = "address longer than the limit";
		return -1;
	}
	*pos = (size_t)(nul - b->data) + 1;
	return 1;
}

/* read one envelope file; -1 after qs_msg_fail; 1 = missing (ENOENT) */
/* The envelope files (info/, local/, remote/, todo/: a few dozen bytes
 * each) are read into one buffer per thread, kept from message to
 * message instead of made and grown for every message; one that an odd
 * file grew past ENVBUF_KEEP is given back after that message. */
#define ENVBUF_KEEP (64 * 1024)

struct envbuf {
	GByteArray *b;
	gsize high;		/* largest file read into it for this message */
};

static void envbuf_free(gpointer p)
{
	struct envbuf *e = p;

	g_byte_array_free(e->b, TRUE);
	g_free(e);
}

static GPrivate envbuf_key = G_PRIVATE_INIT(envbuf_free);

static struct envbuf *thread_envbuf(void)
{
	struct envbuf *e = g_private_get(&envbuf_key);

	if (e == NULL) {
		e = g_new0(struct envbuf, 1);
		e->b = g_byte_array_sized_new(4096);
		g_private_set(&envbuf_key, e);
	}
	g_byte_array_set_size(e->b, 0);
	e->high = 0;
	return e;
}

static void release_envbuf(struct envbuf *e)
{
	if (e->high > ENVBUF_KEEP) {
		g_byte_array_free(e->b, TRUE);
		e->b = g_byte_array_sized_new(4096);
	}
}

static int read_env(int rootfd, const char *rel, struct envbuf *eb, struct stat *st, struct qs_msg *m)
{
	GError *err = NULL;
	int rc = qs_read_file(rootfd, rel, QS_MAX_ENVELOPE_FILE, eb->b, st, &err);

	eb->high = MAX(eb->high, (gsize)eb->b->len);
	if (rc == 0)
		return 0;
	if (err->code == ENOENT) {
		g_error_free(err);
		return 1;
	}
	qs_msg_fail(m, err->code == EFBIG ? QS_ERR_MALFORMED : QS_ERR_UNREADABLE, "%s", err->message);
	g_error_free(err);
	return -1;
}

static void rec_fail(struct qs_msg *m, const char *rel, const struct rec *r, size_t pos, const char *why)
{
	qs_msg_fail(m, QS_ERR_MALFORMED, "%s: offset %zu: %s", rel, r ? r->off : pos, why);
}

/* info/S/N: exactly F<sender>\0 */
static void parse_info(const GByteArray *b, const char *rel, struct qs_msg *m)
{
	size_t pos = 0;
	struct rec r;
	const char *why = NULL;
	int rc;

	if (b->len == 0) {
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: empty (no sender record)", rel);
		return;
	}
	while ((rc = next_rec(b, &pos, &r, &why)) == 1) {
		if (r.type != 'F') {
			rec_fail(m, rel, &r, pos, "unknown record type (info/ holds one F record)");
			return;
		}
		if (m->sender != NULL) {
			rec_fail(m, rel, &r, pos, "second sender record");
			return;
		}
		qs_msg_set(&m->sender, r.data, r.len);
	}
	if (rc < 0)
		rec_fail(m, rel, NULL, pos, why);
	else if (m->sender == NULL)
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: no sender record", rel);
}

/* local/ and remote/: T<rcpt>\0 pending, D<rcpt>\0 done */
static void parse_channel(const GByteArray *b, const char *rel, struct qs_msg *m)
{
	size_t pos = 0;
	struct rec r;
	const char *why = NULL;
	int rc;

	while ((rc = next_rec(b, &pos, &r, &why)) == 1) {
		if (r.type != 'T' && r.type != 'D') {
			rec_fail(m, rel, &r, pos, "unknown record type (expected T or D)");
			return;
		}
		if (qs_msg_add_rcpt(m, r.data, r.len, r.type == 'D') == NULL) {
			qs_msg_fail(m, QS_ERR_MALFORMED, "%s: more than %d recipients", rel, QS_MAX_RCPTS);
			return;
		}
	}
	if (rc < 0)
		rec_fail(m, rel, NULL, pos, why);
}

/* todo/N: u<uid>\0 p<pid>\0 F<sender>\0 T<rcpt>\0 ... */
static void parse_todo(const GByteArray *b, const char *rel, struct qs_msg *m)
{
	size_t pos = 0;
	struct rec r;
	const char *why = NULL;
	char *uid = NULL;
	int rc;

	if (b->len == 0) {
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: empty (qmail-queue has not written it yet?)", rel);
		return;
	}
	while ((rc = next_rec(b, &pos, &r, &why)) == 1) {
		switch (r.type) {
		case 'u':
			if (uid == NULL)
				uid = g_strndup(r.data, r.len);
			break;
		case 'p':
			break;
		case 'F':
			if (m->sender != NULL) {
				rec_fail(m, rel, &r, pos, "second sender record");
				goto out;
			}
			qs_msg_set(&m->sender, r.data, r.len);
			break;
		case 'T':
			if (m->sender == NULL) {
				rec_fail(m, rel, &r, pos, "recipient before the sender record");
				goto out;
			}
			if (qs_msg_add_rcpt(m, r.data, r.len, false) == NULL) {
				qs_msg_fail(m, QS_ERR_MALFORMED, "%s: more than %d recipients", rel, QS_MAX_RCPTS);
				goto out;
			}
			break;
		default:
			rec_fail(m, rel, &r, pos, "unknown record type (qmail-send rejects it too)");
			goto out;
		}
	}
	if (rc < 0)
		rec_fail(m, rel, NULL, pos, why);
	else if (m->sender == NULL)
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: no sender record", rel);
	if (uid != NULL)
		qs_msg_note(m, "queued by uid %s, not yet preprocessed by qmail-send (todo)", uid);
out:
	g_free(uid);
}

static const char *find_file(const struct qs_item *it, const char *prefix)
{
	size_t n = strlen(prefix);
	guint i;

	for (i = 0; i < it->files->len; i++) {
		const char *f = g_ptr_array_index(it->files, i);
		if (f[0] == prefix[0] && strncmp(f, prefix, n) == 0)	/* prefix, no GLib call */
			return f;
	}
	return NULL;
}

/*
 * Origin from qmail-queue's own Received line (always the first one):
 * "invoked from network" = qmail-smtpd/qmtpd/qmqpd, whose line follows;
 * "by uid N", "by alias" = a local injection; "for bounce" = qmail-send's
 * own bounce (judged as a bounce, not as a local submission).
 */
static void smtpd_line(struct qs_msg *m, const char *v)
{
	const char *p = v, *e, *host;
	size_t hl;	/* the host word in place: no copy */

	if (strncmp(p, "from ", 5) != 0)
		return;
	p += 5;
	e = p + strcspn(p, " ");
	host = p;
	hl = (size_t)(e - p);
	p = e;
	while (*p == ' ')
		p++;
	if (strncmp(p, "(HELO ", 6) == 0) {
		e = strchr(p + 6, ')');
		if (e == NULL)
			return;
		qs_msg_set(&m->client_helo, p + 6, (size_t)(e - p - 6));
		p = e + 1;
		while (*p == ' ')
			p++;
	} else {
		qs_msg_set(&m->client_helo, host, hl);	/* omitted when equal */
	}
	if (*p == '(' && (e = strchr(p, ')')) != NULL) {
		/* "(info@ip)": the ident/smtp-auth login may itself hold an '@' */
		const char *ip = p + 1, *at = memrchr(ip, '@', (size_t)(e - ip));
		if (at != NULL)
			ip = at + 1;
		qs_msg_set(&m->client_ip, ip, (size_t)(e - ip));
	}
	if (!(hl == 7 && g_ascii_strncasecmp(host, "unknown", 7) == 0))
		qs_msg_set(&m->client_name, host, hl);
}

static void origin(struct qs_msg *m)
{
	const struct qs_headers *h = qs_msg_fields(m, NULL);	/* the judge reuses it */
	const char *v;

	v = qs_headers_get(h, "Received", 0);
	if (v == NULL || strncmp(v, "(qmail ", 7) != 0) {
		qs_msg_note(m, "first Received line is not qmail-queue's: origin from the Received chain only");
	} else if (strstr(v, " invoked from network)") != NULL) {
		const char *next = qs_headers_get(h, "Received", 1);
		if (next != NULL)
			smtpd_line(m, next);
	} else if (strstr(v, " invoked for bounce)") != NULL) {
		qs_msg_note(m, "written by qmail-send itself (a bounce)");
	} else if (strstr(v, " invoked by ") != NULL) {
		m->local_submission = true;
	}
}

/* S5: info/ names the sender, local/ and remote/ the recipients */
static void load_s5(int rootfd, const struct qs_item *item, struct envbuf *eb, struct qs_msg *m)
{
	struct stat st;
	const char *rel = find_file(item, "info/");
	guint i;

	if (read_env(rootfd, rel, eb, &st, m) == 0) {
		parse_info(eb->b, rel, m);
		m->arrival = st.st_mtime;	/* qmail's own birth time */
	} else if (m->err == QS_ERR_NONE) {
		qs_msg_fail(m, QS_ERR_UNREADABLE, "%s: vanished while scanning (message finished?)", rel);
	}
	for (i = 0; i < 2; i++) {
		rel = find_file(item, i ? "remote/" : "local/");
		if (rel != NULL && read_env(rootfd, rel, eb, &st, m) == 0)
			parse_channel(eb->b, rel, m);
	}
	if (!(item->kind & (QM_LOCAL | QM_REMOTE)))
		qs_msg_note(m, "no local/ or remote/ file: every recipient is done (qmail-send finishes it)");
	if (item->kind & QM_BOUNCE)
		qs_msg_note(m, "bounce/%s exists: qmail-send will send a bounce for failed recipients", item->id);
}

/* todo/N went away after the walk listed it: qmail-send preprocessed
 * the message meanwhile. Ask the file system where its files are now;
 * true (and the message's file list replaced) when it is in S5. */
static bool moved_on(int rootfd, const struct qs_item *item, struct qs_item *now, struct qs_msg *m)
{
	const char *sub = item->path + strlen("mess/");
	char *s = g_strndup(sub, strcspn(sub, "/"));
	guint i;

	now->path = g_strdup(item->path);
	now->id = g_strdup(item->id);
	now->kind = item->kind & QM_BIGTODO;
	find_files(rootfd, (item->kind & QM_BIGTODO) != 0, NULL, now, s, item->id);
	g_free(s);
	if (!(now->kind & QM_S5))
		return false;
	g_ptr_array_set_size(m->files, 0);
	for (i = 0; i < now->files->len; i++)
		qs_msg_add_file(m, g_ptr_array_index(now->files, i));
	g_free(m->queue);
	m->queue = g_strdup("queue");
	return true;
}

static void load_envelope(int rootfd, const struct qs_item *item, struct envbuf *eb, struct qs_msg *m)
{
	struct qs_item now;
	struct stat st;
	const char *rel;
	int rc;

	if (item->kind & QM_S4) {
		rel = find_file(item, "todo/");
		rc = read_env(rootfd, rel, eb, &st, m);
		if (rc == 0) {
			parse_todo(eb->b, rel, m);
			m->arrival = st.st_mtime;
			return;
		}
		if (rc < 0)
			return;
		qs_item_init(&now);
		if (moved_on(rootfd, item, &now, m))
			load_s5(rootfd, &now, eb, m);
		else
			qs_msg_fail(m, QS_ERR_UNREADABLE, "%s: vanished while scanning (preprocessed meanwhile: scan again)", rel);
		qs_item_clear(&now);
		g_ptr_array_free(now.files, TRUE);
	} else if (item->kind & QM_S5) {
		load_s5(rootfd, item, eb, m);
	} else {
		qs_msg_fail(m, QS_ERR_UNREADABLE, "%s: no envelope (neither info/ nor todo/ for message %s) "
			    "and older than 24 hours: an orphan qmail-send's cleanup removes, or a damaged queue",
			    item->path, item->id);
	}
}

static int load(int rootfd, const struct qs_item *item, struct qs_msg *m)
{
	struct envbuf *eb = thread_envbuf();
	struct stat st;
	guint64 num;
	bool body;
	int fd;

	qs_msg_from_item(m, "qmail", item);
	load_envelope(rootfd, item, eb, m);

	fd = qs_plain_open(rootfd, item->path, m, &st);
	if (fd >= 0) {
		if (qs_parse_uint(item->id, 1, G_MAXUINT64, &num) && (guint64)st.st_ino != num)
			qs_msg_note(m, "%s: inode %llu is not the message number (queue copied or restored?)",
				    item->path, (unsigned long long)st.st_ino);
		if (m->arrival < 0)
			m->arrival = st.st_mtime;
		body = m->sender == NULL || m->sender[0] == '\0' || strcmp(m->sender, "#@[]") == 0;
		if (qs_plain_read(fd, item->path, m, body) == 0)
			origin(m);
		close(fd);
	}
	release_envbuf(eb);
	return m->err == QS_ERR_NONE ? 0 : -1;
}

const struct qs_parser qs_parser_qmail = {
	.name = "qmail",
	.probe = probe,
	.walk_new = walk_new,
	.walk_next = walk_next,
	.walk_free = walk_free,
	.load = load,
};
