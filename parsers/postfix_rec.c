/* postfix_rec.c - Postfix queue-file record reader; see postfix_rec.h. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "qs_limits.h"
#include "postfix_rec.h"

/* One window per thread: load() runs on several threads, each reuses
 * its own buffer for every file (grown only for records > 16 KiB). */
struct pf_window {
	guint8 *buf;
	size_t cap;
	GString *error;		/* the reader's error text, emptied per file */
};

static void window_free(gpointer p)
{
	struct pf_window *w = p;

	g_free(w->buf);
	if (w->error)
		g_string_free(w->error, TRUE);
	g_free(w);
}


static GPrivate window_key = G_PRIVATE_INIT(window_free);

/* every record type Postfix defines (rec_type.h): "CTcFILSDRO/WA>K<io
 * nMNwXreEPpVmfd"; others mean garbage. A table spelled out at compile
 * time: this is asked for every record, so no set-up or once-check. */
const guint8 pf_known_types[256] = {
	['C'] = 1, ['T'] = 1, ['c'] = 1, ['F'] = 1, ['I'] = 1, ['L'] = 1, ['S'] = 1, ['D'] = 1,
	['R'] = 1, ['O'] = 1, ['/'] = 1, ['W'] = 1, ['A'] = 1, ['>'] = 1, ['K'] = 1, ['<'] = 1,
	['i'] = 1, ['o'] = 1, ['n'] = 1, ['M'] = 1, ['N'] = 1, ['w'] = 1, ['X'] = 1, ['r'] = 1,
	['e'] = 1, ['E'] = 1, ['P'] = 1, ['p'] = 1, ['V'] = 1, ['m'] = 1, ['f'] = 1, ['d'] = 1,
};

static bool known_type(guint8 c)
{
	return pf_known_types[c] != 0;
}

static struct pf_window *thread_window(void)
{
	struct pf_window *w = g_private_get(&window_key);

	if (w == NULL) {
		w = g_new0(struct pf_window, 1);
		w->cap = QS_READ_STEP;
		w->buf = g_malloc(w->cap);
		g_private_set(&window_key, w);
	}
	return w;
}

void pf_reader_init(struct pf_reader *r, int fd, off_t size)
{
	struct pf_window *w = thread_window();

	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->size = size;
	r->win = w->buf;
	r->win_cap = w->cap;
	if (w->error == NULL)
		w->error = g_string_new(NULL);
	g_string_truncate(w->error, 0);
	r->error = w->error;
}

void pf_reader_done(struct pf_reader *r)
{
	struct pf_window *w = thread_window();

	/* a grown window stays with the thread for the next file, but an
	 * exceptional 1 MiB one is given back */
	if (r->win_cap > 4 * QS_READ_STEP) {
		g_free(r->win);
		w->cap = QS_READ_STEP;
		w->buf = g_malloc(w->cap);
	} else {
		w->buf = r->win;
		w->cap = r->win_cap;
	}
	r->error = NULL;	/* stays with the thread, like the window */
	r->win = NULL;
}

static int fail(struct pf_reader *r, off_t off, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int fail(struct pf_reader *r, off_t off, const char *fmt, ...)
{
	va_list ap;

	if (r->error->len > 0)
		return -1;
	g_string_printf(r->error, "offset %lld: ", (long long)off);
	va_start(ap, fmt);
	g_string_append_vprintf(r->error, fmt, ap);
	va_end(ap);
	return -1;
}

/* ensure_read - ensure() when [off, off+n) is not in the window yet */
static int ensure_read(struct pf_reader *r, off_t off, size_t n)
{
	size_t want, got = 0;

	if (n > r->win_cap) {
		g_free(r->win);
		r->win_cap = n;
		r->win = g_malloc(r->win_cap);
	}
	want = (size_t)MIN((off_t)r->win_cap, r->size - off);
	while (got < want) {
		ssize_t k = pread(r->fd, r->win + got, want - got, off + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r->win_len = 0;
			r->io_error = true;
			return fail(r, off, "read error: %s", g_strerror(errno));
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r->win_off = off;
	r->win_len = got;
	if (got < n) {
		r->io_error = true;
		return fail(r, off, "file shrank while being read (now %zu bytes from here; "
			    "was it delivered or removed?)", got);
	}
	return 0;
}

/* make [off, off+n) available in the window; n <= size - off (inline:
 * twice per record, and the window nearly always holds it already) */
static inline int ensure(struct pf_reader *r, off_t off, size_t n)
{
	if (off >= r->win_off && off + (off_t)n <= r->win_off + (off_t)r->win_len)
		return 0;
	return ensure_read(r, off, n);
}

/*
 * read_physical - the record at off, without interpretation. Returns 1,
 * or -1 with r->error set (strict) / 0 quietly (when !strict).
 */
static int read_physical(struct pf_reader *r, off_t off, struct pf_rec *rec, bool strict)
{
	size_t avail, len = 0, hdr;
	const guint8 *p;
	int i;

	if (off >= r->size)
		return strict ? fail(r, off, "end of file before the E (end) record: "
				     "file truncated or still being written") : 0;
	avail = (size_t)MIN((off_t)5, r->size - off);
	if (ensure(r, off, avail) < 0)
		return -1;
	p = r->win + (off - r->win_off);
	rec->type = p[0];
	rec->off = off;
	if (!known_type(p[0]))
		return strict ? fail(r, off, "unknown record type 0x%02x", p[0]) : 0;
	for (i = 0;; i++) {
		if (i == 4)
			return strict ? fail(r, off, "record length needs a 5th byte "
					     "(Postfix writes at most 4)") : 0;
		if ((size_t)i + 1 >= avail)
			return strict ? fail(r, off, "end of file inside a record length") : 0;
		len |= (size_t)(p[1 + i] & 0x7f) << (7 * i);
		if ((p[1 + i] & 0x80) == 0)
			break;
	}
	hdr = (size_t)i + 2;
	if (len > QS_MAX_RECORD)
		return strict ? fail(r, off, "record length %zu exceeds the %d-byte limit",
				     len, QS_MAX_RECORD) : 0;
	if ((off_t)(hdr + len) > r->size - off)
		return strict ? fail(r, off, "record length %zu runs past the end of the "
				     "file (%lld bytes)", len, (long long)r->size) : 0;
	if (ensure(r, off + (off_t)hdr, len) < 0)
		return -1;
	rec->data = r->win + (off + (off_t)hdr - r->win_off);
	rec->len = len;
	r->pos = off + (off_t)(hdr + len);
	return 1;
}

/* parse a `p` record's "%15ld" offset; -1 if not a number */
static off_t ptr_target(const struct pf_rec *rec)
{
	off_t v = 0;
	size_t i = 0;

	while (i < rec->len && rec->data[i] == ' ')
		i++;
	if (i == rec->len)
		return -1;
	for (; i < rec->len; i++) {
		if (rec->data[i] < '0' || rec->data[i] > '9' || v > G_MAXINT64 / 16)
			return -1;
		v = v * 10 + (rec->data[i] - '0');
	}
	return v;
}

int pf_rec_next_slow(struct pf_reader *r, struct pf_rec *rec)
{
	for (;;) {
		off_t target;

		if (!pf_rec_fast(r, rec, false) && read_physical(r, r->pos, rec, true) < 0)
			return -1;
		if (rec->type == 'w')
			continue;
		if (rec->type != 'p')
			return 1;
		target = ptr_target(rec);
		if (target < 0)
			return fail(r, rec->off, "pointer record holds no offset");
		if (target == 0)
			continue;	/* placeholder: carry on with the next record */
		if (target >= r->size)
			return fail(r, rec->off, "pointer to offset %lld is past the end of the "
				    "file (%lld bytes)", (long long)target, (long long)r->size);
		if (target == rec->off)
			return fail(r, rec->off, "pointer record points at itself (loop)");
		if (++r->jumps > QS_MAX_PTR_JUMPS)
			return fail(r, rec->off, "more than %d pointer jumps: pointer loop",
				    QS_MAX_PTR_JUMPS);
		r->pos = target;
	}
}

int pf_rec_peek(struct pf_reader *r, off_t off, struct pf_rec *rec)
{
	gsize had = r->error->len;
	off_t pos = r->pos;
	int rc;

	if (off <= 0 || off >= r->size)
		return 0;
	rc = read_physical(r, off, rec, false);
	g_string_truncate(r->error, had);	/* a failed shortcut is no error */
	r->pos = pos;
	return rc == 1 ? 1 : 0;
}
