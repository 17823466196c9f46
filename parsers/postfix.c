/*
 * postfix.c - the Postfix queue reader: one queue file -> one qs_msg.
 *
 * Reads the records logically (postfix_rec.c follows pointers), the way
 * qmgr and showq do: envelope (C size, T arrival, A attributes, S
 * sender, O/R/D/'/' recipients), then the content from M to X, of which
 * only the header block is kept (and the body when the sender is the
 * null sender, for DSN analysis), then the extracted segment up to the
 * first logical E. Once the content is no longer needed the reader
 * jumps straight to the X record using the C record's offsets, as qmgr
 * does, so a 20 MB attachment costs two reads. Nothing here writes to
 * the queue or takes a lock (a lock would make qmgr think the message
 * is being delivered).
 *
 * Layout and record meanings: shared/formats/postfix-qmail.md §1.4-1.8.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>
#include "qs_limits.h"
#include "log.h"
#include "util.h"
#include "postfix_int.h"
#include "postfix_rec.h"

enum { SEG_ENVELOPE, SEG_CONTENT, SEG_EXTRACTED };

struct pf_load {
	struct qs_msg *m;
	struct pf_reader r;
	int seg;
	gint64 c_content, c_offset;	/* C record fields 1 and 2, -1 unknown */
	gint64 create_time;
	bool have_orig, have_full_name, have_mesg, rcpt_cap_noted;
	/* A attributes; log_* are the original client behind a filter */
	char *client_addr, *log_client_addr, *client_name, *log_client_name;
	char *helo, *log_helo;
	bool rewrite_local;		/* the last rewrite_context attribute is "local" */
	/* content state */
	bool in_body, want_body, content_done, hdr_full, body_full;
	size_t line_len;		/* bytes of the current line so far (L records) */
	size_t hdr_len, body_len;	/* bytes of m->hdr, m->body in use (see reserve()) */
	/* pending O record for the next recipient: only the first
	 * QS_MAX_ADDR bytes are ever used, so a fixed buffer (no
	 * allocation per message) holds all of it that matters; last, so
	 * that load_init() need not clear it (orig_len says what is valid) */
	size_t orig_len;
	char orig[QS_MAX_ADDR];
};

/* decimal fields of a C or T record, separated by spaces */
static int parse_fields(const struct pf_rec *rec, gint64 *out, int max)
{
	size_t i = 0;
	int n = 0;

	while (n < max) {
		gint64 v = 0;
		bool digits = false, neg = false;
		/* Postfix pads with spaces ("%15ld"): skip eight at a time */
		while (i + 8 <= rec->len && memcmp(rec->data + i, "        ", 8) == 0)
			i += 8;
		while (i < rec->len && rec->data[i] == ' ')
			i++;
		if (i < rec->len && rec->data[i] == '-') {
			neg = true;
			i++;
		}
		while (i < rec->len && g_ascii_isdigit(rec->data[i]) && v < G_MAXINT64 / 16) {
			v = v * 10 + (rec->data[i++] - '0');
			digits = true;
		}
		if (!digits)
			break;
		out[n++] = neg ? -v : v;
	}
	return n;
}

static void size_record(struct pf_load *L, const struct pf_rec *rec)
{
	gint64 f[6];

	if (rec->off != 0 || parse_fields(rec, f, 6) < 2)
		return;	/* only the first record is the real SIZE record */
	if (f[0] > 0 && f[1] > 0) {
		L->c_content = f[0];
		L->c_offset = f[1];
	}
}

static void time_record(struct pf_load *L, const struct pf_rec *rec)
{
	gint64 f[2];

	if (parse_fields(rec, f, 2) >= 1 && f[0] > 0)
		L->m->arrival = f[0];
}

static void set_attr(char **field, const guint8 *v, size_t len)
{
	qs_msg_set(field, (const char *)v, MIN(len, (size_t)QS_MAX_ADDR));
}

static void attribute(struct pf_load *L, const struct pf_rec *rec)
{
	const guint8 *eq = memchr(rec->data, '=', rec->len);
	size_t nlen, vlen;
	const guint8 *v;

	if (eq == NULL || (nlen = (size_t)(eq - rec->data)) >= 32)
		return;		/* no attribute of ours has a name that long */
	/* the name as a C string (it would end at a NUL) equals lit: lit's
	 * bytes, then the end of the name or a NUL; length first (about
	 * twenty attributes per message) */
#define NAME_IS(lit) (nlen >= sizeof(lit) - 1 && memcmp(rec->data, lit, sizeof(lit) - 1) == 0 && \
		      (nlen == sizeof(lit) - 1 || rec->data[sizeof(lit) - 1] == '\0'))
	v = eq + 1;
	vlen = rec->len - nlen - 1;
	/* finish() prefers each log_* attribute (the original client
	 * behind a filter) over the plain one: once it is known, the
	 * plain one is not copied at all */
	if (NAME_IS("client_address")) {
		if (!L->log_client_addr)
			set_attr(&L->client_addr, v, vlen);
	} else if (NAME_IS("log_client_address"))
		set_attr(&L->log_client_addr, v, vlen);
	else if (NAME_IS("client_name")) {
		if (!L->log_client_name)
			set_attr(&L->client_name, v, vlen);
	} else if (NAME_IS("log_client_name"))
		set_attr(&L->log_client_name, v, vlen);
	else if (NAME_IS("helo_name")) {
		if (!L->log_helo)
			set_attr(&L->helo, v, vlen);
	} else if (NAME_IS("log_helo_name"))
		set_attr(&L->log_helo, v, vlen);
	else if (NAME_IS("sasl_username"))
		set_attr(&L->m->auth_user, v, vlen);
	else if (NAME_IS("rewrite_context"))
		/* only compared with "local": what set_attr() would keep
		 * (up to a NUL, control bytes '?') is "local" exactly when
		 * these bytes are */
		L->rewrite_local = strnlen((const char *)v, MIN(vlen, (size_t)QS_MAX_ADDR)) == 5 &&
				   memcmp(v, "local", 5) == 0;
	else if (NAME_IS("create_time")) {
		struct pf_rec tmp = *rec;
		gint64 t;
		tmp.data = v;
		tmp.len = vlen;
		if (parse_fields(&tmp, &t, 1) == 1 && t > 0)
			L->create_time = t;
	}
#undef NAME_IS
}

static void recipient(struct pf_load *L, const struct pf_rec *rec)
{
	struct qs_rcpt *r = qs_msg_add_rcpt(L->m, (const char *)rec->data, rec->len,
					    rec->type != 'R');

	if (r == NULL) {
		if (!L->rcpt_cap_noted)
			qs_msg_note(L->m, "%s: more than %d recipients; the rest are not listed",
				    L->m->path, QS_MAX_RCPTS);
		L->rcpt_cap_noted = true;
	} else if (L->have_orig) {
		qs_msg_set(&r->orig, L->orig, L->orig_len);
	}
	L->have_orig = false;
}

/* the content is no longer needed: jump to X the way qmgr does */
static void skip_content(struct pf_load *L)
{
	struct pf_rec x;
	off_t off;

	L->content_done = true;
	if (L->c_offset <= 0 || L->c_content <= 0)
		return;
	off = (off_t)(L->c_offset + L->c_content);
	if (pf_rec_peek(&L->r, off, &x) && x.type == 'X')
		L->r.pos = off;
}

/* room for n more bytes after the first len of a (len + n <= cap):
 * a->len is only the room reserved, in doubling steps, while the
 * content is read (sync_content() sets the real lengths): a header
 * then costs a few resizes, not one call per line */
static guint8 *reserve(GByteArray *a, size_t len, size_t n, size_t cap)
{
	if (len + n > a->len)
		g_byte_array_set_size(a, (guint)MAX(len + n, MIN(2 * (size_t)a->len + 256, cap)));
	return a->data + len;
}

static void append_capped(GByteArray *a, size_t *len, const guint8 *p, size_t n, bool nl, size_t cap,
			  bool *full)
{
	size_t room = cap - MIN(cap, *len), take = MIN(n, room);
	guint8 *w;

	if (n + (nl ? 1 : 0) > room) {
		if (take)	/* nothing reserved yet may mean no buffer at all */
			memcpy(reserve(a, *len, take, cap), p, take);
		*len += take;
		*full = true;
		return;
	}
	if (n == 0 && !nl)
		return;		/* an empty L fragment */
	/* line and newline in one step: this runs for every header line */
	w = reserve(a, *len, n + (nl ? 1 : 0), cap);
	if (n)
		memcpy(w, p, n);
	if (nl)
		w[n] = '\n';
	*len += n + (nl ? 1 : 0);
}

static void sync_content(struct pf_load *L)
{
	g_byte_array_set_size(L->m->hdr, (guint)L->hdr_len);
	g_byte_array_set_size(L->m->body, (guint)L->body_len);
}

/* N = a line (newline after it), L = a fragment of a longer line */
static void content(struct pf_load *L, const struct pf_rec *rec)
{
	bool nl = rec->type == 'N';

	if (L->content_done)
		return;
	if (!L->in_body) {
		if (nl && rec->len == 0 && L->line_len == 0) {
			L->in_body = true;
			L->m->hdr_complete = true;
			if (!L->want_body)
				skip_content(L);
			return;
		}
		append_capped(L->m->hdr, &L->hdr_len, rec->data, rec->len, nl, QS_MAX_HEADER_BLOCK, &L->hdr_full);
		L->line_len = nl ? 0 : L->line_len + rec->len;
		if (L->hdr_full) {
			qs_msg_note(L->m, "%s: header block larger than %d bytes; the rest is not read",
				    L->m->path, QS_MAX_HEADER_BLOCK);
			skip_content(L);
		}
		return;
	}
	append_capped(L->m->body, &L->body_len, rec->data, rec->len, nl, QS_MAX_BODY, &L->body_full);
	if (L->body_full)
		skip_content(L);
}

/* X: a message without a body has no empty line; its headers are whole */
static void content_end(struct pf_load *L)
{
	L->seg = SEG_EXTRACTED;
	if (L->in_body || L->content_done)
		return;
	if (L->line_len > 0)
		append_capped(L->m->hdr, &L->hdr_len, (const guint8 *)"", 0, true, QS_MAX_HEADER_BLOCK, &L->hdr_full);
	if (!L->hdr_full) {
		L->in_body = true;
		L->m->hdr_complete = true;
	}
}

/* one logical record; 1 = go on, 0 = E seen, -1 = malformed */
static int record(struct pf_load *L, const struct pf_rec *rec)
{
	int t = rec->type;

	if (t != 'O' && t != 'A' && t != 'R' && t != 'D' && t != '/')
		L->have_orig = false;
	if (L->seg == SEG_CONTENT) {
		if (t == 'N' || t == 'L')
			content(L, rec);
		else if (t == 'X')
			content_end(L);
		else if (t == 'E')
			return 0;
		return 1;
	}
	switch (t) {
	case 'C': size_record(L, rec); break;
	case 'T': time_record(L, rec); break;
	case 'A': attribute(L, rec); break;
	case 'F': L->have_full_name = true; break;
	case 'S':
		if (L->m->sender == NULL)
			qs_msg_set(&L->m->sender, (const char *)rec->data, MIN(rec->len, (size_t)QS_MAX_ADDR));
		break;
	case 'O':
		L->orig_len = MIN(rec->len, sizeof L->orig);
		memcpy(L->orig, rec->data, L->orig_len);
		L->have_orig = true;
		break;
	case 'R': case 'D': case '/': recipient(L, rec); break;
	case 'M':
		if (L->seg == SEG_ENVELOPE) {
			L->seg = SEG_CONTENT;
			L->have_mesg = true;
			/* a DSN's story is in its body: keep it for the null sender */
			L->want_body = L->m->sender == NULL || L->m->sender[0] == '\0';
		}
		break;
	case 'X': L->seg = SEG_EXTRACTED; break;
	case 'E': return 0;
	default: break;		/* K killed, W warning, L filter, DSN, ... */
	}
	return 1;
}

static char *strip_ipv6(char *a)
{
	if (a && g_ascii_strncasecmp(a, "IPv6:", 5) == 0)
		memmove(a, a + 5, strlen(a + 5) + 1);
	return a;
}

static void take(char **dst, char **pref, char **other)
{
	g_free(*dst);
	if (*pref) {
		*dst = *pref;
		*pref = NULL;
	} else {
		*dst = *other;
		*other = NULL;
	}
}

/* after E: client identity, times, size, and what is required */
static int finish(struct pf_load *L, off_t file_size)
{
	struct qs_msg *m = L->m;

	take(&m->client_ip, &L->log_client_addr, &L->client_addr);
	strip_ipv6(m->client_ip);
	take(&m->client_name, &L->log_client_name, &L->client_name);
	take(&m->client_helo, &L->log_helo, &L->helo);
	m->local_submission = m->client_ip == NULL &&
		(L->rewrite_local ||
		 strcmp(m->queue, "maildrop") == 0 || L->have_full_name);
	if (m->arrival < 0 && L->create_time > 0)
		m->arrival = L->create_time;
	m->size = L->c_content > 0 ? L->c_content : (gint64)file_size;
	if (L->in_body && L->want_body)
		m->body_complete = !L->body_full;
	if (!L->have_mesg) {
		g_string_assign(L->r.error, "no message content (M record) before the end record");
		return -1;
	}
	if (m->sender == NULL) {
		g_string_assign(L->r.error, "no sender (S) record");
		return -1;
	}
	return 0;
}

static void load_init(struct pf_load *L, struct qs_msg *m)
{
	memset(L, 0, offsetof(struct pf_load, orig));
	L->m = m;
	L->c_content = L->c_offset = -1;
}

static void load_done(struct pf_load *L)
{
	g_free(L->client_addr);
	g_free(L->log_client_addr);
	g_free(L->client_name);
	g_free(L->log_client_name);
	g_free(L->helo);
	g_free(L->log_helo);
}

static void copy_item(struct qs_msg *m, const struct qs_item *item)
{
	guint i;

	m->format = "postfix";
	g_free(m->queue);
	g_free(m->id);
	g_free(m->path);
	m->queue = g_strdup(item->queue);
	m->id = g_strdup(item->id);
	m->path = g_strdup(item->path);
	g_ptr_array_set_size(m->files, 0);
	for (i = 0; i < item->files->len; i++)
		qs_msg_add_file(m, g_ptr_array_index(item->files, i));
	m->mtime = item->mtime;
	/* active/ belongs to a running qmgr: report it, never act on it */
	m->busy = strcmp(item->queue, "active") == 0;
}

/* pf_add_logfiles - the defer/bounce/trace logfiles of the message the
 * walk left to look for (item->kind) */
void pf_add_logfiles(int rootfd, const struct qs_item *item, struct qs_msg *m)
{
	char hex[32], path[PATH_MAX];
	int i, d;

	if (item->kind == 0)
		return;
	pf_id_hash_chars(item->id, hex, sizeof hex);
	for (i = 0; i < PF_NLOGDIRS; i++) {
		unsigned depths = ((unsigned)item->kind >> (i * PF_LOG_BITS)) & PF_LOG_MASK;
		for (d = 0; d < PF_LOG_BITS; d++) {
			struct stat st;
			if (!(depths & (1u << d)))
				continue;
			pf_logpath(i, d, hex, item->id, path, sizeof path);
			if (fstatat(rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
			    m->files->len < QS_MAX_FILES_PER_MSG) {
				qs_msg_add_file(m, path);
				break;
			}
		}
	}
}

static int load(int rootfd, const struct qs_item *item, struct qs_msg *m)
{
	struct pf_load L;
	struct pf_rec rec;
	struct stat st;
	GError *err = NULL;
	int fd, rc;

	copy_item(m, item);
	fd = qs_open_file(rootfd, item->path, &st, &err);
	if (fd < 0) {
		qs_msg_fail(m, QS_ERR_UNREADABLE, "%s%s", err->message,
			    err->code == ENOENT ? " (gone since the walk: delivered, "
			    "deleted or moved by Postfix)" : "");
		g_error_free(err);
		return -1;
	}
	/* mail_open_ok(): only owner-rwx files are finished (the walk may
	 * have trusted d_type without a stat) */
	if ((st.st_mode & 0700) != 0700) {
		qs_info("%s: mode %04o: still being written (Postfix marks finished files "
			"owner-rwx), skipped", item->path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return QS_LOAD_SKIP;
	}
	m->mtime = (gint64)st.st_mtime;
	pf_add_logfiles(rootfd, item, m);
	load_init(&L, m);
	pf_reader_init(&L.r, fd, st.st_size);
	while ((rc = pf_rec_next(&L.r, &rec)) > 0 && (rc = record(&L, &rec)) > 0)
		;
	sync_content(&L);
	if (rc == 0)
		rc = finish(&L, st.st_size);
	if (rc < 0 && L.r.io_error)
		qs_msg_fail(m, QS_ERR_UNREADABLE, "%s: %s", item->path, L.r.error->str);
	else if (rc < 0)
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: %s (not a valid Postfix queue file; "
			    "'postcat -o' shows its records)", item->path, L.r.error->str);
	pf_reader_done(&L.r);
	load_done(&L);
	close(fd);
	return rc < 0 ? -1 : 0;
}

const struct qs_parser qs_parser_postfix = {
	.name = "postfix",
	.probe = pf_probe,
	.walk_new = pf_walk_new,
	.walk_next = pf_walk_next,
	.walk_free = pf_walk_free,
	.load = load,
};
