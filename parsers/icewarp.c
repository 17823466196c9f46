/*
 * icewarp.c - the Merak / IceWarp outgoing queue reader.
 *
 * IceWarp keeps its outgoing queue in <mail>/_outgoing/priority_0..4
 * (plus an optional MDA queue _incoming; Merak before 8.5 used forward/
 * with *.tmp messages, *.tm$ while being sent). The names of the files
 * in a queue and where the envelope is stored are NOT publicly
 * documented (formats/mdaemon-icewarp.md §2.3): this reader implements
 * what can be inferred and says so in every message's notes.
 *  - all files of a directory that share a base name (up to the first
 *    dot) are one message; they all move together;
 *  - the message file is the one whose first non-empty line is an
 *    RFC 5322 header field;
 *  - a short sibling with MAIL FROM / RCPT TO lines or <addr> tokens is
 *    read as the envelope, heuristically (envelope_suspect is set so
 *    that it never decides a relay verdict alone);
 *  - without one, the recipients are unknown and the sender comes only
 *    from a Return-Path-like header; the origin from the Received chain
 *    (`with ASMTP` = authenticated).
 * temp/ is never read: IceWarp empties it on start and its files are in
 * flight. Grouping needs every name of one directory at once, so the
 * names of the directory being walked are held (not the whole queue).
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

#define IW_SNIFF 4096			/* bytes read to tell message from envelope */
#define IW_MAX_ENVELOPE (64 * 1024)	/* a sibling larger than this is not an envelope */
#define IW_UNSTATED (1 << 30)		/* item kind: the walk did not stat (load() checks the age) */

struct qs_walk {
	int rootfd;
	char *rootname;
	GQueue dirs;		/* struct qs_dirq *, still to visit */
	GQueue errors;		/* char *, entries to complain about, one per walk_next */
	/* the current directory, grouped by base name */
	char *cur_rel;
	GHashTable *groups;	/* char *base -> GPtrArray of char *name */
	GPtrArray *order;	/* sorted bases */
	guint next;
	gint64 now;
};

static bool is_dir_at(int fd, const char *rel)
{
	struct stat st;

	return fstatat(fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static bool is_priority_name(const char *n)
{
	return g_ascii_strncasecmp(n, "priority_", 9) == 0 && g_ascii_isdigit(n[9]);
}

/* count priority_N dirs and *.tmp files among the first entries of rel */
static void count_names(int rootfd, const char *rel, int *prio, int *tmp, int *tmq)
{
	DIR *d = qs_opendir_rel(rootfd, rel, NULL);
	struct dirent *de;
	int seen = 0;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && seen++ < 2000) {
		size_t n = strlen(de->d_name);
		if (is_priority_name(de->d_name) && qs_dirent_type(d, de) == DT_DIR)
			(*prio)++;
		else if (n > 4 && g_ascii_strcasecmp(de->d_name + n - 4, ".tmp") == 0)
			(*tmp)++;
		else if (n > 4 && g_ascii_strcasecmp(de->d_name + n - 4, ".tm$") == 0)
			(*tmq)++;
	}
	closedir(d);
}

static int probe(int rootfd, const char *root, GString *why)
{
	char *base = qs_dir_basename(root);
	int prio = 0, tmp = 0, tmq = 0, score = 0;
	const char *what = "no _outgoing/, priority_N/ or forward/ *.tmp";

	if (is_dir_at(rootfd, "_outgoing")) {
		count_names(rootfd, "_outgoing", &prio, &tmp, &tmq);
		score = 90;
		what = "mail root with _outgoing/";
	} else if (g_ascii_strcasecmp(base, "_outgoing") == 0 || g_ascii_strcasecmp(base, "_incoming") == 0) {
		count_names(rootfd, "", &prio, &tmp, &tmq);
		score = 90;
		what = "an _outgoing/ or _incoming/ folder";
	} else if (is_priority_name(base)) {
		score = 85;
		what = "a priority_N sub-queue";
	} else {
		count_names(rootfd, "", &prio, &tmp, &tmq);
		if (prio > 0) {
			score = 85;
			what = "priority_N/ sub-queues";
		} else if (g_ascii_strcasecmp(base, "forward") == 0 || is_dir_at(rootfd, "forward")) {
			if (is_dir_at(rootfd, "forward"))
				count_names(rootfd, "forward", &prio, &tmp, &tmq);
			score = tmp + tmq > 0 ? 80 : 40;
			what = "Merak forward/ queue";
		}
	}
	g_string_append_printf(why, "icewarp: %s (%d priority_N, %d *.tmp, %d *.tm$)%s%s\n",
			       what, prio, tmp, tmq, score ? "" : ": not Merak/IceWarp",
			       score == 0 && is_dir_at(rootfd, "mail/_outgoing") ? " (give its mail/ sub-directory)" : "");
	g_free(base);
	return score;
}

static struct qs_walk *walk_new(int rootfd, const char *root, GError **err)
{
	static const char *const subs[] = { "_outgoing", "_incoming", "forward", NULL };
	struct qs_walk *w;
	int fd = qs_open_dir(rootfd, ".", err), i, n = 0;

	if (fd < 0)
		return NULL;
	close(fd);
	w = g_new0(struct qs_walk, 1);
	w->rootfd = rootfd;
	w->rootname = qs_dir_basename(root);
	g_queue_init(&w->dirs);
	g_queue_init(&w->errors);
	w->groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)g_ptr_array_unref);
	w->order = g_ptr_array_new();
	w->now = g_get_real_time() / G_USEC_PER_SEC;
	/* the mail root: its queues only, never mailboxes or temp */
	for (i = 0; subs[i]; i++)
		if (is_dir_at(rootfd, subs[i])) {
			qs_dirq_push(&w->dirs, subs[i], 1);
			n++;
		}
	if (n == 0)
		qs_dirq_push(&w->dirs, "", 0);
	return w;
}

static void walk_free(struct qs_walk *w)
{
	if (w == NULL)
		return;
	g_queue_clear_full(&w->dirs, qs_dirq_free);
	g_queue_clear_full(&w->errors, g_free);
	g_hash_table_destroy(w->groups);
	g_ptr_array_free(w->order, TRUE);
	g_free(w->cur_rel);
	g_free(w->rootname);
	g_free(w);
}

static char *base_of(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? g_strndup(name, (size_t)(dot - name)) : g_strdup(name);
}

static int cmp_ptr_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* read one directory into groups; sub-directories are queued */
static int load_dir(struct qs_walk *w, const struct qs_dirq *q, GError **err)
{
	DIR *d = qs_opendir_rel(w->rootfd, q->rel, err);
	struct dirent *de;

	if (d == NULL)
		return -1;
	g_hash_table_remove_all(w->groups);
	g_ptr_array_set_size(w->order, 0);
	w->next = 0;
	g_free(w->cur_rel);
	w->cur_rel = g_strdup(q->rel);
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		int type;
		GPtrArray *g;
		char *b;

		if (n[0] == '.')
			continue;
		type = qs_dirent_type(d, de);
		if (type == DT_DIR) {
			if (g_ascii_strcasecmp(n, "temp") == 0 || g_ascii_strcasecmp(n, "tmp") == 0)
				qs_info("icewarp: %s: temp folder, files in flight: not read", n);
			else if (q->depth < QS_MAX_DIR_DEPTH) {
				char *r = qs_relpath(q->rel, n);
				qs_dirq_push(&w->dirs, r, q->depth + 1);
				g_free(r);
			}
			continue;
		}
		if (type < 0)
			continue;
		if (type != DT_REG) {
			g_queue_push_tail(&w->errors, g_strdup_printf("%s%s%s: not a regular file (%s), skipped",
				q->rel, *q->rel ? "/" : "", n, type == DT_LNK ? "symbolic link" : "special file"));
			continue;
		}
		b = base_of(n);
		g = g_hash_table_lookup(w->groups, b);
		if (g == NULL) {
			g = g_ptr_array_new_with_free_func(g_free);
			g_hash_table_insert(w->groups, b, g);
			g_ptr_array_add(w->order, b);
		} else {
			g_free(b);
		}
		g_ptr_array_add(g, g_strdup(n));
	}
	closedir(d);
	g_ptr_array_sort(w->order, cmp_ptr_str);	/* stable output order */
	return 0;
}

/* rank of a name as the message file, before load() reads it */
static int ext_rank(const char *name)
{
	static const char *const pref[] = { ".tmp", ".eml", ".msg", ".dat", NULL };
	const char *dot = strchr(name, '.');

	if (dot == NULL)
		return 4;
	for (int i = 0; pref[i]; i++)
		if (g_ascii_strcasecmp(dot, pref[i]) == 0)
			return i;
	return 5;
}

/* 1 = item made, 0 = skip this group */
static int make_item(struct qs_walk *w, struct qs_item *it, const char *base, GPtrArray *g)
{
	gint64 newest = -1;
	guint i, best = 0;
	bool unstated = false;

	if (g->len > 1)	/* (one file, the usual group, is sorted) */
		g_ptr_array_sort(g, cmp_ptr_str);
	for (i = 0; i < g->len; i++) {
		const char *n = g_ptr_array_index(g, i);
		size_t len = strlen(n), dl = strlen(w->cur_rel);
		char buf[512], *rel = buf;	/* qs_relpath() on the stack when it fits */
		struct stat st;
		bool gone;

		if (dl + 1 + len + 1 > sizeof buf)
			rel = qs_relpath(w->cur_rel, n);
		else if (dl == 0)
			memcpy(buf, n, len + 1);
		else {
			memcpy(buf, w->cur_rel, dl);
			buf[dl] = '/';
			memcpy(buf + dl + 1, n, len + 1);
		}
		if (len > 4 && g_ascii_strcasecmp(n + len - 4, ".tm$") == 0) {
			qs_info("icewarp: %s: being transmitted (.tm$): skipped", rel);
			if (rel != buf)
				g_free(rel);
			return 0;
		}
		/* one file (the usual group): load() stats it as it opens it,
		 * which keeps a system call per message off the walking thread */
		if (g->len == 1) {
			if (rel != buf)
				g_free(rel);
			unstated = true;
			newest = 0;
			break;
		}
		gone = fstatat(w->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0;
		if (rel != buf)
			g_free(rel);
		if (gone)
			continue;
		if (st.st_mtime > newest)
			newest = st.st_mtime;
		if (ext_rank(n) < ext_rank(g_ptr_array_index(g, best)))
			best = i;
	}
	if (newest < 0)
		return 0;	/* all vanished */
	if (!unstated && qs_is_young(newest, w->now)) {
		qs_info("icewarp: %s%s%s*: modified %llds ago, may still be written: skipped", w->cur_rel,
			*w->cur_rel ? "/" : "", base, (long long)(w->now - newest));
		return 0;
	}
	qs_item_clear(it);
	it->queue = *w->cur_rel ? g_path_get_basename(w->cur_rel) : g_strdup(w->rootname);
	it->id = g_strdup(base);
	it->path = qs_relpath(w->cur_rel, g_ptr_array_index(g, best));
	it->mtime = unstated ? -1 : newest;
	g_ptr_array_add(it->files, g_strdup(it->path));
	for (i = 0; i < g->len && it->files->len < QS_MAX_FILES_PER_MSG; i++)
		if (i != best)
			g_ptr_array_add(it->files, qs_relpath(w->cur_rel, g_ptr_array_index(g, i)));
	it->kind = (int)g->len | (unstated ? IW_UNSTATED : 0);
	return 1;
}

static int walk_next(struct qs_walk *w, struct qs_item *item, GError **err)
{
	for (;;) {
		char *e = g_queue_pop_head(&w->errors);

		if (e != NULL) {
			g_set_error_literal(err, QS_ERROR, 0, e);
			g_free(e);
			return -1;
		}
		if (w->next < w->order->len) {
			const char *b = g_ptr_array_index(w->order, w->next++);
			if (make_item(w, item, b, g_hash_table_lookup(w->groups, b)))
				return 1;
			continue;
		}
		{
			struct qs_dirq *q = g_queue_pop_head(&w->dirs);
			int rc;

			if (q == NULL)
				return 0;
			rc = load_dir(w, q, err);
			qs_dirq_free(q);
			if (rc < 0)
				return -1;
		}
	}
}

/* ---- load ---- */

/* first non-empty line is "name:" with RFC 5322 field-name characters
 * (after an mbox "From " line, which some tools leave in front) */
static bool looks_like_header(const guint8 *p, size_t n)
{
	size_t i = 0, k;

	while (i < n && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (n - i > 5 && memcmp(p + i, "From ", 5) == 0) {
		const guint8 *nl = memchr(p + i, '\n', n - i);
		if (nl == NULL)
			return false;
		i = (size_t)(nl - p) + 1;
	}
	for (k = i; k < n && p[k] >= 33 && p[k] <= 126 && p[k] != ':'; k++)
		;
	return k > i && k < n && p[k] == ':';
}

/* has_ci - case-insensitive search; only positions that start with the
 * needle's first letter are compared (this runs over header blocks) */
static bool has_ci(const guint8 *p, size_t n, const char *needle)
{
	size_t l = strlen(needle);
	guint8 lo = (guint8)g_ascii_tolower(needle[0]), up = (guint8)g_ascii_toupper(needle[0]);

	for (size_t i = 0; i + l <= n; i++)
		if ((p[i] == lo || p[i] == up) &&
		    g_ascii_strncasecmp((const char *)p + i + 1, needle + 1, l - 1) == 0)
			return true;
	return false;
}

static bool looks_like_envelope(const guint8 *p, size_t n, gint64 size)
{
	if (size > IW_MAX_ENVELOPE || memchr(p, '@', n) == NULL)
		return false;
	return has_ci(p, n, "MAIL FROM") || has_ci(p, n, "RCPT TO") ||
	       (memchr(p, '<', n) != NULL && memchr(p, '>', n) != NULL);
}

/* addresses of <...> tokens (or bare words with '@') in order */
static GPtrArray *addr_tokens(const char *s)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *p = s;

	while ((p = strchr(p, '<')) != NULL) {
		const char *e = strchr(p, '>');
		if (e == NULL)
			break;
		if (e - p - 1 <= QS_MAX_ADDR && (e == p + 1 || memchr(p, '@', (size_t)(e - p))))
			g_ptr_array_add(out, g_strndup(p + 1, (size_t)(e - p - 1)));
		p = e + 1;
	}
	if (out->len == 0) {
		char **w = g_strsplit_set(s, " \t\r\n;,", 0);
		for (int i = 0; w[i]; i++)
			if (strchr(w[i], '@') && strlen(w[i]) <= QS_MAX_ADDR)
				g_ptr_array_add(out, g_strdup(w[i]));
		g_strfreev(w);
	}
	return out;
}

/* the envelope sibling: MAIL FROM / RCPT TO lines, else address tokens */
static void parse_envelope(struct qs_msg *m, const char *rel, const guint8 *p, size_t n)
{
	char *text = g_strndup((const char *)p, n);	/* stops at NUL */
	char **lines = g_strsplit_set(text, "\r\n", 0);
	bool smtp = false;
	int i;

	for (i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		const char *v = NULL;
		bool from = false;
		if (g_ascii_strncasecmp(l, "MAIL FROM", 9) == 0)
			v = l + 9, from = true;
		else if (g_ascii_strncasecmp(l, "RCPT TO", 7) == 0)
			v = l + 7;
		if (v == NULL)
			continue;
		smtp = true;
		v += strspn(v, " \t:");
		GPtrArray *t = addr_tokens(v);
		if (from && m->sender == NULL)
			m->sender = t->len ? g_strdup(g_ptr_array_index(t, 0)) : g_strdup("");
		else if (!from && t->len)
			qs_msg_add_rcpt(m, g_ptr_array_index(t, 0), strlen(g_ptr_array_index(t, 0)), false);
		g_ptr_array_free(t, TRUE);
	}
	if (!smtp) {
		GPtrArray *t = addr_tokens(text);
		for (guint k = 0; k < t->len; k++) {
			const char *a = g_ptr_array_index(t, k);
			if (k == 0)
				m->sender = g_strdup(a);
			else
				qs_msg_add_rcpt(m, a, strlen(a), false);
		}
		g_ptr_array_free(t, TRUE);
	}
	m->rcpts_known = m->rcpts->len > 0;
	m->envelope_suspect = true;
	qs_msg_note(m, "envelope read heuristically from %s (%s; IceWarp's envelope file format is "
		    "undocumented and inferred): not trusted alone", rel,
		    smtp ? "MAIL FROM / RCPT TO lines" : "first address = sender, the rest = recipients");
	g_strfreev(lines);
	g_free(text);
}

/* without an envelope file: a Return-Path-like header may name the sender */
static void header_sender(struct qs_msg *m, const struct qs_headers *h)
{
	static const char *const names[] = { "Return-Path", "X-Env-From", "X-Envelope-From", NULL };

	for (int i = 0; names[i]; i++) {
		const char *v = qs_headers_get(h, names[i], 0);
		char *a;
		if (v == NULL || (a = qs_clean_addr(v, strlen(v))) == NULL)
			continue;
		m->sender = a;
		qs_msg_note(m, "sender taken from the %s header (not queue metadata)", names[i]);
		break;
	}
}

/* looks_like_bounce - a DSN or auto-reply by its headers: only then is the
 * body needed (POLICY rules 5 and 8) when the sender is unknown */
static bool looks_like_bounce(const struct qs_headers *h)
{
	const char *ct = qs_headers_get(h, "Content-Type", 0);
	const char *from = qs_headers_get(h, "From", 0);

	return (ct && (qs_ascii_strcasestr(ct, "multipart/report") || qs_ascii_strcasestr(ct, "message/rfc822") ||
		       qs_ascii_strcasestr(ct, "rfc822-headers"))) ||
	       (from && (qs_ascii_strcasestr(from, "mailer-daemon") || qs_ascii_strcasestr(from, "postmaster")));
}

/* a file the walk did not stat: gone since (delivered), or still being
 * written (the age check the walk makes of larger groups); one that
 * cannot be opened otherwise (a link swapped in) is an error, not this */
static bool not_ready(const struct qs_item *item, guint gone, guint opened, gint64 newest)
{
	if (opened == 0)
		return gone > 0;
	return qs_plain_young_now("icewarp", item->path, newest);
}

static int load(int rootfd, const struct qs_item *item, struct qs_msg *m)
{
	/* two sniff buffers: the message file's first bytes are kept (the
	 * header reader starts from them) while later files are sniffed */
	guint8 sniff[2][IW_SNIFF], *buf = sniff[0];
	size_t msg_pre = 0;
	int msg = -1, env = -1, fd = -1;
	gint64 msg_size = -1, newest = -1;
	guint i, nmsg = 0, opened = 0, gone = 0;
	int rc = QS_LOAD_SKIP;
	char *unreadable = NULL;	/* why the first file could not be opened */
	struct stat st;
	ssize_t n;
	GByteArray *envbuf = NULL;	/* made when an envelope file is found */

	qs_msg_from_item(m, "icewarp", item);	/* path: the message file, once known */
	m->rcpts_known = false;
	if ((item->kind & ~IW_UNSTATED) > (int)item->files->len)
		qs_msg_note(m, "more than %d files share the base name %s: only the first are handled",
			    QS_MAX_FILES_PER_MSG, item->id);

	/* sniff every file of the group once; the message file stays open */
	for (i = 0; i < item->files->len; i++) {
		const char *rel = g_ptr_array_index(item->files, i);
		GError *err = NULL;
		int f = qs_open_file(rootfd, rel, &st, &err);

		if (f < 0) {
			if ((item->kind & IW_UNSTATED) && err->code == ENOENT)
				gone++;
			else if (opened == 0 && unreadable == NULL)
				unreadable = g_strdup(err->message);
			else
				qs_msg_note(m, "%s", err->message);
			g_error_free(err);
			continue;
		}
		opened++;
		newest = MAX(newest, (gint64)st.st_mtime);
		n = pread(f, buf, IW_SNIFF, 0);
		if (n > 0 && looks_like_header(buf, (size_t)n)) {
			nmsg++;
			if (st.st_size > msg_size) {
				msg = (int)i;
				msg_size = st.st_size;
				if (fd >= 0)
					close(fd);
				fd = f;
				m->size = st.st_size;
				m->mtime = st.st_mtime;
				msg_pre = (size_t)n;
				buf = sniff[buf == sniff[0]];	/* keep these bytes */
				continue;
			}
		} else if (n > 0 && env < 0 && looks_like_envelope(buf, (size_t)n, st.st_size)) {
			env = (int)i;
			envbuf = g_byte_array_sized_new(IW_MAX_ENVELOPE);
			g_byte_array_set_size(envbuf, IW_MAX_ENVELOPE);
			n = pread(f, envbuf->data, IW_MAX_ENVELOPE, 0);
			g_byte_array_set_size(envbuf, n > 0 ? (guint)n : 0);
		}
		close(f);
	}
	if ((item->kind & IW_UNSTATED) && not_ready(item, gone, opened, newest))
		goto skip;
	if (msg < 0) {
		if (unreadable)	/* e.g. a link swapped in: the reason, not a guess */
			qs_msg_fail(m, QS_ERR_UNREADABLE, "%s", unreadable);
		else
			qs_msg_fail(m, QS_ERR_MALFORMED, "%s: no file named %s.* starts with a header "
				    "field: not a message this reader understands (run `qscan "
				    "inventory`)", item->path, item->id);
		goto out;
	}
	if (unreadable)
		qs_msg_note(m, "%s", unreadable);
	g_free(m->path);
	m->path = g_strdup(g_ptr_array_index(item->files, msg));
	if (nmsg > 1)
		qs_msg_note(m, "%u files named %s.* look like messages: used the largest, %s",
			    nmsg, item->id, m->path);
	if (env >= 0)
		parse_envelope(m, g_ptr_array_index(item->files, env), envbuf->data, envbuf->len);
	/* the message's sniffed bytes: the buffer not in use for sniffing */
	if (qs_plain_read_pre(fd, m->path, m, false, sniff[buf == sniff[0]], msg_pre) < 0)
		goto out;
	if (env < 0 || m->sender == NULL) {
		const struct qs_headers *h = qs_msg_fields(m, NULL);	/* the judge reuses it */
		bool bounce;

		if (env < 0) {
			qs_msg_note(m, "no envelope file found next to %s (IceWarp's queue layout is inferred): "
				    "recipients unknown, origin from the Received chain", m->path);
			header_sender(m, h);
		}
		bounce = looks_like_bounce(h);
		/* the body is only needed to judge a bounce; with the sender
		 * unknown, read it only for what looks like one */
		if (m->sender == NULL && bounce)
			qs_plain_read(fd, m->path, m, true);
	}
	if (m->sender != NULL && m->sender[0] == '\0')
		qs_plain_read(fd, m->path, m, true);
	m->arrival = m->mtime;
out:
	rc = m->err == QS_ERR_NONE ? 0 : -1;
skip:
	g_free(unreadable);
	if (fd >= 0)
		close(fd);
	if (envbuf)
		g_byte_array_free(envbuf, TRUE);
	return rc;
}

const struct qs_parser qs_parser_icewarp = {
	.name = "icewarp",
	.probe = probe,
	.walk_new = walk_new,
	.walk_next = walk_next,
	.walk_free = walk_free,
	.load = load,
};
