/*
 * mdaemon.c - the MDaemon queue reader.
 *
 * A queue is a directory of md|pd<2-digit precedence><counter>.msg files
 * (case-insensitive, NTFS heritage); `Queues/` holds the sub-queues
 * (Remote, Local, Inbound, Bad, Holding, Retry, Raw, custom ones). The
 * envelope is in the message's own header block: MDaemon adds
 * X-MDaemon-Deliver-To / X-MDRcpt-To / X-Rcpt-To, X-Envelope-From /
 * X-Return-Path, X-MDRemoteIP, X-MDHelo, X-MDArrival-Date and
 * X-Authenticated-Sender. A same-named .rte route slip overrides the
 * recipients; a same-named .lck means the message is being edited.
 * RAW files (*.raw) are MDaemon's local-injection format.
 * (shared/formats/mdaemon-icewarp.md §1)
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "qs_limits.h"
#include "log.h"
#include "util.h"
#include "parser.h"
#include "plainmsg.h"

enum {
	MD_MSG = 1, MD_RAW = 2,
	MD_RTE = 1 << 4, MD_LCK = 1 << 5,
	MD_UNSTATED = 1 << 6,	/* a regular file by d_type: load() checks its age */
};

/* .rte / .lck names of the current directory, by lower-case base name */
struct sidecar {
	char *rte;
	char *lck;
};

struct qs_walk {
	int rootfd;
	char *rootname;
	GQueue dirs;		/* struct qs_dirq *, still to visit */
	DIR *cur;
	char *cur_rel;
	int cur_depth;
	GHashTable *side;	/* char *base -> struct sidecar * */
	gint64 now;
	/* the message names of cur, kept by the first pass (scan_sidecars)
	 * so that the directory is read once; `listed` false: too many to
	 * keep (MD_LIST_CAP), the second pass reads the directory again */
	bool listed;
	guint cap;		/* MD_LIST_CAP; QSCAN_TEST_LIST_CAP for tests */
	GString *names;		/* NUL-separated */
	GArray *ents;		/* struct md_ent */
	guint pos;
};

/* one message candidate of a listing */
struct md_ent {
	guint32 off;		/* of its name in names */
	guint8 kind;		/* MD_MSG or MD_RAW */
	guint8 d_type;
};

/* names kept per directory: 262,144 names are at most ~10 MiB; a bigger
 * directory is read twice rather than held in memory */
#define MD_LIST_CAP (1u << 18)

/* md|pd + 2 digits + 1 or more digits + .msg, any case */
static bool is_msg_name(const char *s)
{
	size_t n = strlen(s), d;

	if (n < 8 || g_ascii_strcasecmp(s + n - 4, ".msg") != 0)
		return false;
	if ((g_ascii_tolower(s[0]) != 'm' && g_ascii_tolower(s[0]) != 'p') || g_ascii_tolower(s[1]) != 'd')
		return false;
	d = strspn(s + 2, "0123456789");
	return d >= 3 && 2 + d == n - 4;
}

static bool is_raw_name(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && g_ascii_strcasecmp(s + n - 4, ".raw") == 0 && s[0] != '.' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-$") == n - 4;
}

static bool has_ext(const char *s, const char *ext)
{
	size_t n = strlen(s), e = strlen(ext);

	return n > e && g_ascii_strcasecmp(s + n - e, ext) == 0;
}

static char *base_lower(const char *s)
{
	const char *dot = strrchr(s, '.');

	return g_ascii_strdown(s, dot ? (gssize)(dot - s) : -1);
}

static bool known_queue(const char *n)
{
	static const char *const known[] = { "remote", "local", "inbound", "bad", "holding",
		"retry", "raw", "lan", "quarantine", "outbound", NULL };

	for (int i = 0; known[i]; i++)
		if (g_ascii_strcasecmp(n, known[i]) == 0)
			return true;
	return false;
}

struct md_counts {
	int msg, raw, hiwater, known, subs;
};

/* look at up to `cap` entries of rel (and a few of its sub-folders) */
static void count_names(int rootfd, const char *rel, int cap, bool descend, struct md_counts *c)
{
	DIR *d = qs_opendir_rel(rootfd, rel, NULL);
	struct dirent *de;
	int seen = 0;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && seen++ < cap) {
		const char *n = de->d_name;
		if (is_msg_name(n))
			c->msg++;
		else if (is_raw_name(n))
			c->raw++;
		else if (g_ascii_strcasecmp(n, "HIWATER.MRK") == 0)
			c->hiwater++;
		else if (descend && n[0] != '.' && c->subs < 16 && qs_dirent_type(d, de) == DT_DIR) {
			char *r = qs_relpath(rel, n);
			c->subs++;
			if (known_queue(n))
				c->known++;
			count_names(rootfd, r, 200, false, c);
			g_free(r);
		}
	}
	closedir(d);
}

static bool has_queues_dir(int rootfd)
{
	struct stat st;

	return (fstatat(rootfd, "Queues", &st, AT_SYMLINK_NOFOLLOW) == 0 ||
		fstatat(rootfd, "queues", &st, AT_SYMLINK_NOFOLLOW) == 0) && S_ISDIR(st.st_mode);
}

static int probe(int rootfd, const char *root, GString *why)
{
	struct md_counts c = { 0 };
	int score = 0;
	char *base = qs_dir_basename(root);

	count_names(rootfd, "", 2000, true, &c);
	if (c.msg > 0)
		score = c.hiwater > 0 || c.known > 0 ? 95 : 85;
	else if (c.hiwater > 0 || c.known >= 2 || (c.known >= 1 && g_ascii_strcasecmp(base, "queues") == 0))
		score = 80;	/* an empty MDaemon queue or Queues/ tree */
	else if (c.raw > 0)
		score = 50;
	g_string_append_printf(why, "mdaemon: %d md|pd*.msg, %d *.raw, %d HIWATER.MRK, %d known sub-queue "
			       "folders (Remote, Local, Inbound, Bad, ...)%s%s\n", c.msg, c.raw, c.hiwater,
			       c.known, score ? "" : ": not MDaemon",
			       score == 0 && c.known == 0 && c.subs > 0 && has_queues_dir(rootfd) ?
			       " (give its Queues/ sub-directory)" : "");
	g_free(base);
	return score;
}

static void sidecar_free(gpointer p)
{
	struct sidecar *s = p;

	g_free(s->rte);
	g_free(s->lck);
	g_free(s);
}

static struct qs_walk *walk_new(int rootfd, const char *root, GError **err)
{
	struct qs_walk *w;
	int fd = qs_open_dir(rootfd, ".", err);

	if (fd < 0)
		return NULL;
	close(fd);
	w = g_new0(struct qs_walk, 1);
	w->rootfd = rootfd;
	w->rootname = qs_dir_basename(root);
	g_queue_init(&w->dirs);
	w->side = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, sidecar_free);
	w->names = g_string_sized_new(4096);
	w->cap = MD_LIST_CAP;
	if (g_getenv("QSCAN_TEST_LIST_CAP"))
		w->cap = (guint)CLAMP(atoi(g_getenv("QSCAN_TEST_LIST_CAP")), 1, (int)MD_LIST_CAP);
	w->ents = g_array_new(FALSE, FALSE, sizeof(struct md_ent));
	w->now = g_get_real_time() / G_USEC_PER_SEC;
	qs_dirq_push(&w->dirs, "", 0);
	return w;
}

static void walk_free(struct qs_walk *w)
{
	if (w == NULL)
		return;
	if (w->cur)
		closedir(w->cur);
	g_queue_clear_full(&w->dirs, qs_dirq_free);
	g_hash_table_destroy(w->side);
	g_string_free(w->names, TRUE);
	g_array_free(w->ents, TRUE);
	g_free(w->cur_rel);
	g_free(w->rootname);
	g_free(w);
}

/* keep a message candidate of the first pass for the second */
static void keep_name(struct qs_walk *w, const struct dirent *de, int kind)
{
	struct md_ent e;

	if (!w->listed)
		return;
	if (w->ents->len >= w->cap) {
		qs_info("mdaemon: %s: more than %u messages, the directory is read twice",
			*w->cur_rel ? w->cur_rel : w->rootname, w->cap);
		w->listed = false;
		return;
	}
	e.off = (guint32)w->names->len;
	e.kind = (guint8)kind;
	e.d_type = de->d_type;
	g_string_append_len(w->names, de->d_name, (gssize)strlen(de->d_name) + 1);
	g_array_append_val(w->ents, e);
}

/* first pass over a directory: sub-directories to visit, .rte/.lck
 * files, and the message names (keep_name) */
static void scan_sidecars(struct qs_walk *w)
{
	struct dirent *de;

	g_hash_table_remove_all(w->side);
	g_string_truncate(w->names, 0);
	g_array_set_size(w->ents, 0);
	w->pos = 0;
	w->listed = true;
	while ((de = readdir(w->cur)) != NULL) {
		const char *n = de->d_name;
		bool rte = has_ext(n, ".rte"), lck = has_ext(n, ".lck");
		struct sidecar *s;
		char *b;

		if (n[0] == '.')
			continue;
		if (!rte && !lck) {
			int kind = is_msg_name(n) ? MD_MSG : is_raw_name(n) ? MD_RAW : 0;
			if (kind)
				keep_name(w, de, kind);
			else if (w->cur_depth < QS_MAX_DIR_DEPTH && qs_dirent_type(w->cur, de) == DT_DIR) {
				char *r = qs_relpath(w->cur_rel, n);
				qs_dirq_push(&w->dirs, r, w->cur_depth + 1);
				g_free(r);
			}
			continue;
		}
		b = base_lower(n);
		s = g_hash_table_lookup(w->side, b);
		if (s == NULL) {
			s = g_new0(struct sidecar, 1);
			g_hash_table_insert(w->side, b, s);
		} else {
			g_free(b);
		}
		if (rte && s->rte == NULL)
			s->rte = g_strdup(n);
		if (lck && s->lck == NULL)
			s->lck = g_strdup(n);
	}
	if (!w->listed)
		rewinddir(w->cur);
}

/* the next message candidate of cur: from the kept names, or read
 * again; false at the end of the directory */
static bool next_name(struct qs_walk *w, const char **name, int *kind, unsigned char *d_type)
{
	struct dirent *de;

	if (w->listed) {
		const struct md_ent *e;
		if (w->pos >= w->ents->len)
			return false;
		e = &g_array_index(w->ents, struct md_ent, w->pos++);
		*name = w->names->str + e->off;
		*kind = e->kind;
		*d_type = e->d_type;
		return true;
	}
	while ((de = readdir(w->cur)) != NULL) {
		*name = de->d_name;
		*kind = is_msg_name(*name) ? MD_MSG : is_raw_name(*name) ? MD_RAW : 0;
		*d_type = de->d_type;
		if (*kind)	/* not HIWATER.MRK, .rte, .lck, sub-queues, other files */
			return true;
	}
	return false;
}

static int open_next_dir(struct qs_walk *w, GError **err)
{
	struct qs_dirq *q = g_queue_pop_head(&w->dirs);

	if (q == NULL)
		return 0;
	g_free(w->cur_rel);
	w->cur_rel = q->rel;
	w->cur_depth = q->depth;
	g_free(q);
	w->cur = qs_opendir_rel(w->rootfd, w->cur_rel, err);
	if (w->cur == NULL)
		return -1;
	scan_sidecars(w);
	return 1;
}

static int make_item(struct qs_walk *w, struct qs_item *it, const char *name, int kind,
		     unsigned char d_type, GError **err)
{
	struct stat st;
	struct sidecar *s;
	char *b;

	/* d_type says "regular file": the age needs the stat, and load()
	 * has one anyway (of the file it opens, without following links);
	 * this keeps a system call per message off the walking thread */
	if (d_type == DT_REG) {
		kind |= MD_UNSTATED;
		st.st_mtime = -1;
	} else if (fstatat(dirfd(w->cur), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		return 0;	/* vanished: delivered meanwhile */
	} else if (!S_ISREG(st.st_mode)) {
		g_set_error(err, QS_ERROR, 0, "%s%s%s: not a regular file (%s), skipped", w->cur_rel,
			    *w->cur_rel ? "/" : "", name, S_ISLNK(st.st_mode) ? "symbolic link" : "special file");
		return -1;
	} else if (qs_is_young(st.st_mtime, w->now)) {
		qs_info("mdaemon: %s%s%s: modified %llds ago, may still be written: skipped",
			w->cur_rel, *w->cur_rel ? "/" : "", name, (long long)(w->now - st.st_mtime));
		return 0;
	}
	qs_item_clear(it);
	it->queue = g_strdup(*w->cur_rel ? w->cur_rel : w->rootname);
	it->id = g_strdup(name);
	it->path = qs_relpath(w->cur_rel, name);
	it->kind = kind;
	it->mtime = st.st_mtime;
	g_ptr_array_add(it->files, g_strdup(it->path));
	s = NULL;
	if (g_hash_table_size(w->side) > 0) {	/* most directories have no sidecar */
		b = base_lower(name);
		s = g_hash_table_lookup(w->side, b);
		g_free(b);
	}
	if (s && s->rte) {
		g_ptr_array_add(it->files, qs_relpath(w->cur_rel, s->rte));
		it->kind |= MD_RTE;
	}
	if (s && s->lck) {
		g_ptr_array_add(it->files, qs_relpath(w->cur_rel, s->lck));
		it->kind |= MD_LCK;
	}
	return 1;
}

static int walk_next(struct qs_walk *w, struct qs_item *item, GError **err)
{
	for (;;) {
		const char *n;
		int kind, rc;
		unsigned char d_type;

		if (w->cur == NULL) {
			rc = open_next_dir(w, err);
			if (rc <= 0)
				return rc;
		}
		if (!next_name(w, &n, &kind, &d_type)) {
			closedir(w->cur);
			w->cur = NULL;
			continue;
		}
		rc = make_item(w, item, n, kind, d_type, err);
		if (rc != 0)
			return rc;
	}
}

/* ---- load ---- */

/* MDaemon's own private headers, which form its contiguous block */
static bool md_header(const char *name)
{
	static const char *const names[] = { "X-Return-Path", "X-Envelope-From", "X-Rcpt-To",
		"X-Authenticated-Sender", "X-Spam-Processed", "X-Lookup-Warning", NULL };

	if (g_ascii_strncasecmp(name, "X-MD", 4) == 0)
		return true;
	for (int i = 0; names[i]; i++)
		if (g_ascii_strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

static const char *hname(const struct qs_headers *h, guint i)
{
	return ((struct qs_header *)g_ptr_array_index(h->list, i))->name;
}

static const char *hvalue(const struct qs_headers *h, guint i)
{
	return ((struct qs_header *)g_ptr_array_index(h->list, i))->value;
}

/* "[N-](md|pd)<digits>.msg" at t, followed by a blank, ';' or the end */
static bool md_id_at(const char *t)
{
	const char *d = t + strspn(t, "0123456789");

	if (*d == '-' && d > t)
		t = d + 1;
	if ((g_ascii_tolower(t[0]) != 'm' && g_ascii_tolower(t[0]) != 'p') ||
	    g_ascii_tolower(t[1]) != 'd' || !g_ascii_isdigit(t[2]))
		return false;
	t += 2 + strspn(t + 2, "0123456789");
	return g_ascii_strncasecmp(t, ".msg", 4) == 0 &&
	       (t[4] == '\0' || t[4] == ';' || g_ascii_isspace(t[4]));
}

/* MDaemon's Received: the first (newest) one with an "id md….msg" token */
static int md_received(const struct qs_headers *h)
{
	int i = -1;

	while ((i = qs_headers_find(h, "Received", (guint)(i + 1))) >= 0) {
		const char *v = hvalue(h, (guint)i), *p = v;
		while ((p = strstr(p, "id")) != NULL) {
			if (p > v && g_ascii_isspace(p[-1]) && g_ascii_isspace(p[2]) &&
			    md_id_at(p + 2 + strspn(p + 2, " \t")))
				return i;
			p += 2;
		}
	}
	return -1;
}

/*
 * The value of envelope header `name`, or NULL. When it occurs more
 * than once the client may have forged a copy: take the one in
 * MDaemon's block (right below its Received in 13.x+, appended at the
 * end of the header in 8.x/9.x) and mark the envelope suspect.
 */
static const char *env_header(const struct qs_headers *h, int rcvd, const char *name, struct qs_msg *m)
{
	guint n = 0, len = h->list->len, i;
	int pick = -1;
	size_t nlen = strlen(name);
	const char *how;

	/* count and first match in one pass (qs_headers_count and
	 * qs_headers_get in one): six names per message */
	for (i = 0; i < len; i++) {
		const struct qs_header *f = g_ptr_array_index(h->list, i);
		if (f->name_len == nlen && qs_name_eq(f->name, name) && n++ == 0)
			pick = (int)i;
	}
	if (n == 0)
		return NULL;
	if (n == 1)
		return hvalue(h, (guint)pick);
	pick = -1;
	m->envelope_suspect = true;
	if (rcvd >= 0) {
		for (i = (guint)rcvd + 1; i < len && md_header(hname(h, i)); i++)
			if (qs_name_eq(hname(h, i), name)) {
				pick = (int)i;
				break;
			}
	}
	how = "the copy in MDaemon's block below its Received";
	if (pick < 0) {
		for (i = len; i > 0 && md_header(hname(h, i - 1)); i--)
			if (qs_name_eq(hname(h, i - 1), name)) {
				pick = (int)(i - 1);
				break;
			}
		how = "the copy in MDaemon's block at the end of the header";
	}
	if (pick < 0) {
		pick = rcvd >= 0 ? qs_headers_find(h, name, (guint)rcvd + 1) : -1;
		how = "the first copy below MDaemon's Received (no MDaemon block found)";
		if (pick < 0) {
			for (i = 0; i < len; i++)
				if (qs_name_eq(hname(h, i), name))
					pick = (int)i;
			how = "the last copy (no MDaemon block found)";
		}
	}
	qs_msg_note(m, "%s occurs %u times (possibly forged by the client): used %s, field %d",
		    name, n, how, pick + 1);
	return hvalue(h, (guint)pick);
}

/* one or more comma-separated recipients */
static void add_rcpts(struct qs_msg *m, const char *v, const char *from)
{
	const char *p = v, *q;

	if (*v == '\0')
		return;		/* (as g_strsplit: no part at all) */
	/* each part in place, no split copy: one recipient per message is
	 * the rule, and this runs for every message */
	for (;; p = q + 1) {
		char *a;
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		a = qs_clean_addr(p, (size_t)(q - p));
		if (a == NULL) {
			char *part = g_strndup(p, (gsize)(q - p));
			if (*g_strstrip(part))
				qs_msg_note(m, "%s: not an address: %s", from, part);
			g_free(part);
		} else if (*a) {
			qs_msg_add_rcpt(m, a, strlen(a), false);
		}
		g_free(a);
		if (*q == '\0')
			break;
	}
}

static void set_sender(struct qs_msg *m, const char *v, const char *from)
{
	char *a = qs_clean_addr(v, strlen(v));

	if (a == NULL) {
		qs_msg_note(m, "%s is not one address: sender unknown", from);
		return;
	}
	if (qs_strip_batv(a))
		qs_msg_note(m, "%s: BATV tag stripped", from);
	g_free(m->sender);
	m->sender = a;
}

static void msg_envelope(struct qs_msg *m)
{
	static const char *const rcpt_h[] = { "X-MDaemon-Deliver-To", "X-MDRcpt-To", "X-Rcpt-To", NULL };
	static const char *const from_h[] = { "X-Envelope-From", "X-Return-Path", NULL };
	const struct qs_headers *h = qs_msg_fields(m, NULL);	/* the judge reuses it */
	const char *v;
	int rcvd, i;

	rcvd = md_received(h);
	if (rcvd < 0)
		qs_msg_note(m, "no Received line with an MDaemon id (md…msg): MDaemon block located by name only");
	for (i = 0; rcpt_h[i]; i++)
		if ((v = env_header(h, rcvd, rcpt_h[i], m)) != NULL) {
			add_rcpts(m, v, rcpt_h[i]);
			break;
		}
	if (rcpt_h[i] == NULL) {
		m->rcpts_known = false;
		qs_msg_note(m, "no X-MDaemon-Deliver-To / X-MDRcpt-To / X-Rcpt-To header: recipients unknown");
	}
	for (i = 0; from_h[i]; i++)
		if ((v = env_header(h, rcvd, from_h[i], m)) != NULL) {
			set_sender(m, v, from_h[i]);
			break;
		}
	if (from_h[i] == NULL)
		qs_msg_note(m, "no X-Envelope-From / X-Return-Path header: sender unknown");
	if ((v = env_header(h, rcvd, "X-MDRemoteIP", m)) != NULL) {
		if (*v == '[')
			v++;
		qs_msg_set(&m->client_ip, v, strcspn(v, " \t]"));
	}
	if ((v = env_header(h, rcvd, "X-MDHelo", m)) != NULL)
		qs_msg_set(&m->client_helo, v, strlen(v));
	if ((v = env_header(h, rcvd, "X-Authenticated-Sender", m)) != NULL && *v)
		qs_msg_set(&m->auth_user, v, strlen(v));
	if ((v = env_header(h, rcvd, "X-MDArrival-Date", m)) != NULL)
		m->arrival = qs_parse_date(v);
}

/* route slip: INI, [RemoteRcpts]/[LocalRcpts] RcptN=addr override */
static void read_rte(int rootfd, const char *rel, struct qs_msg *m)
{
	GByteArray *b = g_byte_array_new();
	GError *err = NULL;
	char **lines;
	bool in_rcpts = false, first = true;

	if (qs_read_file(rootfd, rel, QS_MAX_ENVELOPE_FILE, b, NULL, &err) < 0) {
		qs_msg_fail(m, err->code == EFBIG ? QS_ERR_MALFORMED : QS_ERR_UNREADABLE,
			    "%s (route slip: its recipients override the message's)", err->message);
		g_error_free(err);
		g_byte_array_free(b, TRUE);
		return;
	}
	g_byte_array_append(b, (const guint8 *)"", 1);
	lines = g_strsplit_set((const char *)b->data, "\r\n", 0);
	for (int i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]), *eq;
		if (*l == '[') {
			in_rcpts = g_ascii_strcasecmp(l, "[RemoteRcpts]") == 0 ||
				   g_ascii_strcasecmp(l, "[LocalRcpts]") == 0;
			continue;
		}
		eq = strchr(l, '=');
		if (!in_rcpts || eq == NULL || g_ascii_strncasecmp(l, "Rcpt", 4) != 0)
			continue;
		if (first) {
			g_ptr_array_set_size(m->rcpts, 0);
			m->rcpts_known = true;
			first = false;
		}
		add_rcpts(m, eq + 1, rel);
	}
	if (first)
		qs_msg_note(m, "%s: route slip without recipients: header recipients kept", rel);
	else
		qs_msg_note(m, "recipients from route slip %s (override the message headers)", rel);
	g_strfreev(lines);
	g_byte_array_free(b, TRUE);
}

/*
 * RAW: "from <a>", "to <a, b>", "Subject <..>", "Header <N: v>" lines,
 * an empty line, the body. Turned into an envelope plus a synthetic
 * header block (so reports see the subject).
 */
static void raw_envelope(struct qs_msg *m, const char *rel)
{
	GByteArray *raw = g_byte_array_new();
	char **lines;

	m->local_submission = true;
	g_byte_array_append(raw, m->hdr->data, m->hdr->len);
	g_byte_array_append(raw, (const guint8 *)"", 1);
	g_byte_array_set_size(m->hdr, 0);
	lines = g_strsplit((const char *)raw->data, "\n", 0);
	for (int i = 0; lines[i]; i++) {
		char *l = lines[i], *lt = strchr(l, '<'), *gt = strrchr(l, '>'), *tok, *val;
		if (*l == '\0')
			continue;
		if (lt == NULL || gt == NULL || gt < lt) {
			qs_msg_note(m, "%s: line %d is not `token <value>`", rel, i + 1);
			continue;
		}
		tok = g_strstrip(g_strndup(l, (size_t)(lt - l)));
		val = g_strndup(lt + 1, (size_t)(gt - lt - 1));
		if (g_ascii_strcasecmp(tok, "from") == 0) {
			set_sender(m, val, "RAW from");
		} else if (g_ascii_strcasecmp(tok, "to") == 0 || g_ascii_strcasecmp(tok, "cc") == 0) {
			add_rcpts(m, val, "RAW to");
		}
		if (g_ascii_strcasecmp(tok, "header") == 0) {
			g_byte_array_append(m->hdr, (guint8 *)val, (guint)strlen(val));
			g_byte_array_append(m->hdr, (const guint8 *)"\n", 1);
		} else if (g_ascii_strncasecmp(tok, "x-flag", 6) != 0) {
			char *f = g_strdup_printf("%s: %s\n", g_ascii_strcasecmp(tok, "from") == 0 ? "From" :
						  g_ascii_strcasecmp(tok, "to") == 0 ? "To" :
						  g_ascii_strcasecmp(tok, "cc") == 0 ? "Cc" :
						  g_ascii_strcasecmp(tok, "subject") == 0 ? "Subject" :
						  g_ascii_strcasecmp(tok, "replyto") == 0 ? "Reply-To" : tok, val);
			g_byte_array_append(m->hdr, (guint8 *)f, (guint)strlen(f));
			g_free(f);
		}
		g_free(tok);
		g_free(val);
	}
	g_strfreev(lines);
	g_byte_array_free(raw, TRUE);
	if (m->sender == NULL)
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: RAW file without a `from <addr>` line", rel);
	if (m->rcpts->len == 0)
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: RAW file without a `to <addr>` line", rel);
	qs_msg_note(m, "MDaemon RAW file: a local injection (filter, script or list)");
}

static int load(int rootfd, const struct qs_item *item, struct qs_msg *m)
{
	struct stat st;
	int fd;

	qs_msg_from_item(m, "mdaemon", item);
	if (item->kind & MD_LCK) {
		m->busy = true;
		qs_msg_note(m, "%s exists: the message is being edited (MDaemon LockOnEdit): never acted on",
			    (char *)g_ptr_array_index(item->files, item->files->len - 1));
	}
	fd = qs_plain_open(rootfd, item->path, m, &st);
	if (fd < 0)	/* gone since an unstated walk: as the walk skips it */
		return (item->kind & MD_UNSTATED) && errno == ENOENT ? QS_LOAD_SKIP : -1;
	if ((item->kind & MD_UNSTATED) && qs_plain_young_now("mdaemon", item->path, st.st_mtime)) {
		close(fd);
		return QS_LOAD_SKIP;
	}
	if (qs_plain_read(fd, item->path, m, (item->kind & MD_RAW) != 0) < 0)
		goto out;
	if (item->kind & MD_RAW) {
		raw_envelope(m, item->path);
	} else {
		msg_envelope(m);
		if (item->kind & MD_RTE)
			read_rte(rootfd, g_ptr_array_index(item->files, 1), m);
		if (m->sender == NULL || m->sender[0] == '\0')
			qs_plain_read(fd, item->path, m, true);	/* DSN: the body tells the rest */
	}
	if (m->arrival < 0)
		m->arrival = st.st_mtime;
out:
	close(fd);
	return m->err == QS_ERR_NONE ? 0 : -1;
}

const struct qs_parser qs_parser_mdaemon = {
	.name = "mdaemon",
	.probe = probe,
	.walk_new = walk_new,
	.walk_next = walk_next,
	.walk_free = walk_free,
	.load = load,
};
