/* util.c - safe file access, bounded reads, escaping; see util.h. */
#include "config.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "qs_limits.h"
#include "util.h"

G_DEFINE_QUARK(qscan-error-quark, qs_error)

int qs_open_file(int dirfd, const char *rel, struct stat *st, GError **err)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	struct stat sb;
	int fd;

	/* O_NOATIME keeps qmail's 36-hour orphan clock intact; only the
	 * owner or root may use it, so retry without on EPERM. */
	fd = openat(dirfd, rel, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, rel, flags);
	if (fd < 0) {
		int e = errno;
		g_set_error(err, QS_ERROR, e, "%s: cannot open: %s%s", rel, g_strerror(e),
			    e == ELOOP ? " (a symbolic link: not followed)" : "");
		return -1;
	}
	if (fstat(fd, st ? st : &sb) < 0 || !S_ISREG((st ? st : &sb)->st_mode)) {
		int e = errno;
		close(fd);
		g_set_error(err, QS_ERROR, 0, "%s: not a regular file%s%s", rel,
			    e ? ": " : "", e ? g_strerror(e) : "");
		return -1;
	}
	return fd;
}

int qs_open_dir(int dirfd, const char *rel, GError **err)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;
		g_set_error(err, QS_ERROR, e, "%s: cannot open directory: %s", rel, g_strerror(e));
	}
	return fd;
}

int qs_read_file(int dirfd, const char *rel, size_t cap, GByteArray *out,
		 struct stat *st, GError **err)
{
	struct stat sb, *s = st ? st : &sb;
	guint8 buf[QS_READ_STEP];
	int fd = qs_open_file(dirfd, rel, s, err);
	ssize_t n;

	if (fd < 0)
		return -1;
	g_byte_array_set_size(out, 0);
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			g_set_error(err, QS_ERROR, errno, "%s: read error: %s", rel, g_strerror(errno));
			close(fd);
			return -1;
		}
		if (out->len + (size_t)n > cap) {
			g_set_error(err, QS_ERROR, EFBIG, "%s: larger than %zu bytes", rel, cap);
			close(fd);
			return -1;
		}
		g_byte_array_append(out, buf, (guint)n);
		/* a short read that brought the size fstat saw is the end:
		 * no second read() just to be told so (two envelope files per
		 * qmail message) */
		if ((size_t)n < sizeof buf && (off_t)out->len == s->st_size)
			break;
	}
	close(fd);
	return 0;
}

/*
 * Header splitter state: we feed bytes, normalise CR/CRLF to LF and stop
 * at the first empty line. `prev` is the last byte emitted ('\n' at the
 * start so that an empty first line ends the header at once).
 */
struct splitter {
	GByteArray *hdr;	/* hdr->len is room reserved; len is what is used */
	size_t len;
	GByteArray *body;
	size_t body_cap;
	bool in_body, hdr_full, body_full, pending_cr;
	guint8 prev;
};

/* room for n more header bytes at hdr->data + len: reserved in doubling
 * steps, so that a header of twenty lines costs a few resizes, not one
 * call per line; splitter_sync() sets the real length */
static guint8 *hdr_room(struct splitter *s, size_t n)
{
	if (s->len + n > s->hdr->len)
		g_byte_array_set_size(s->hdr, (guint)MIN(MAX(s->len + n, 2 * (size_t)s->hdr->len + 256),
							  (size_t)QS_MAX_HEADER_BLOCK));
	return s->hdr->data + s->len;
}

static void splitter_sync(struct splitter *s)
{
	g_byte_array_set_size(s->hdr, (guint)s->len);
}

static void put_hdr(struct splitter *s, guint8 c)
{
	if (c == '\n' && s->prev == '\n') {
		s->in_body = true;
		return;
	}
	s->prev = c;
	if (s->len >= QS_MAX_HEADER_BLOCK) {
		s->hdr_full = true;
		return;
	}
	*hdr_room(s, 1) = c;
	s->len++;
}

/* copy_run - append a run of ordinary header bytes at once (the hot path) */
static size_t copy_run(struct splitter *s, const guint8 *p, size_t n)
{
	const guint8 *nl = memchr(p, '\n', n), *cr;
	size_t j = nl ? (size_t)(nl - p) : n, room, take;

	if ((cr = memchr(p, '\r', j)) != NULL)
		j = (size_t)(cr - p);
	if (j == 0)
		return 0;
	room = QS_MAX_HEADER_BLOCK - s->len;
	if (j < n && p[j] == '\n' && j < room) {
		/* a whole LF line: the same as the run and then put_hdr('\n')
		 * (which, after a non-empty run, only appends the LF) */
		memcpy(hdr_room(s, j + 1), p, j + 1);
		s->len += j + 1;
		s->prev = '\n';
		return j + 1;
	}
	if (j + 1 < n && p[j] == '\r' && p[j + 1] == '\n' && j < room) {
		/* a whole CRLF line (MDaemon, IceWarp): what feed() would do
		 * byte by byte (run, CR pending, the LF makes one '\n'), in
		 * one copy */
		guint8 *w = hdr_room(s, j + 1);
		memcpy(w, p, j);
		w[j] = '\n';
		s->len += j + 1;
		s->prev = '\n';
		return j + 2;
	}
	take = MIN(room, j);
	memcpy(hdr_room(s, take), p, take);
	s->len += take;
	if (take < j)
		s->hdr_full = true;
	else
		s->prev = p[j - 1];
	return j;
}

/* feed - push bytes; returns false once nothing more is wanted */
/*
 * whole_lf_header - the common first chunk: the header ends ("\n\n") in
 * it, holds no CR, does not start with an empty line and fits the cap.
 * Then the byte machine below would copy it line by line and stop right
 * after the empty line; this copies it at once. Returns the bytes
 * consumed (header and the empty line), 0 when the chunk is not so.
 */
static size_t whole_lf_header(struct splitter *s, const guint8 *p, size_t n)
{
	const guint8 *q = p, *nl, *end = p + n;
	size_t h;

	if (s->len != 0 || s->prev != '\n' || s->pending_cr || n == 0 || p[0] == '\n')
		return 0;
	/* line by line to the empty one; a CRLF line gives up at once (the
	 * header of a CRLF file is not this shape, and its body is not to
	 * be searched) */
	for (;;) {
		if ((nl = memchr(q, '\n', (size_t)(end - q))) == NULL || nl + 1 >= end ||
		    (nl > p && nl[-1] == '\r'))
			return 0;
		if (nl[1] == '\n')
			break;
		q = nl + 1;
	}
	h = (size_t)(nl - p) + 1;	/* up to and with the last line's LF */
	if (h > QS_MAX_HEADER_BLOCK || memchr(p, '\r', h) != NULL)
		return 0;
	memcpy(hdr_room(s, h), p, h);
	s->len = h;
	s->in_body = true;	/* prev stays '\n' */
	return h + 1;
}

static bool feed(struct splitter *s, const guint8 *p, size_t n)
{
	size_t i = whole_lf_header(s, p, n);

	while (i < n && !s->in_body && !s->hdr_full) {
		guint8 c;
		size_t run;

		if (!s->pending_cr && (run = copy_run(s, p + i, n - i)) > 0) {
			i += run;
			continue;
		}
		c = p[i++];
		if (s->pending_cr) {
			s->pending_cr = false;
			put_hdr(s, '\n');
			if (c == '\n')
				continue;
			if (s->in_body) {
				i--;
				break;
			}
		}
		if (c == '\r')
			s->pending_cr = true;
		else if (c == '\n')
			put_hdr(s, '\n');
		else
			i--;	/* ordinary byte after a lone CR: copy_run takes it */
	}
	if (!s->in_body)
		return !s->hdr_full;
	if (s->body == NULL)
		return false;
	if (i < n) {
		size_t room = s->body_cap - s->body->len;
		size_t take = MIN(room, n - i);
		g_byte_array_append(s->body, p + i, (guint)take);
		if (take < n - i)
			s->body_full = true;
	}
	return !s->body_full;
}

static void splitter_init(struct splitter *s, GByteArray *hdr, GByteArray *body, size_t cap)
{
	memset(s, 0, sizeof *s);
	s->hdr = hdr;
	s->len = 0;
	s->body = body;
	s->body_cap = cap;
	s->prev = '\n';
	g_byte_array_set_size(hdr, 0);
	if (body)
		g_byte_array_set_size(body, 0);
}

/* finish - EOF: a last header line without an empty line still counts */
static void splitter_finish(struct splitter *s, bool *hdr_complete, bool *body_complete, bool eof)
{
	if (s->pending_cr)
		put_hdr(s, '\n');
	if (eof && !s->in_body && !s->hdr_full && s->len > 0) {
		if (s->prev != '\n')
			put_hdr(s, '\n');
		s->in_body = true;
	}
	splitter_sync(s);
	if (hdr_complete)
		*hdr_complete = s->in_body;
	if (body_complete)
		*body_complete = s->in_body && eof && !s->body_full;
}

/* one step of a file read at off (pread: no seek, the fd's offset is
 * left alone) or, with off < 0, of a stream */
static ssize_t read_step(int fd, guint8 *buf, size_t n, off_t off)
{
	ssize_t r;

	do
		r = off < 0 ? read(fd, buf, n) : pread(fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	return r;
}

/* split what fd holds: from offset off on (off < 0: a stream), after
 * the pre_len bytes in pre */
static int split_fd(int fd, off_t off, const guint8 *pre, size_t pre_len, gint64 size,
		    struct splitter *s, bool *hdr_complete, bool *body_complete, GError **err)
{
	guint8 buf[QS_READ_STEP];
	/* a short read that brought the size fstat saw is the end: no
	 * read() only to be told so */
	bool eof = size >= 0 && (gint64)pre_len == size, more = true;

	if (pre_len > 0)
		more = feed(s, pre, pre_len);
	while (more && !eof) {
		ssize_t n = read_step(fd, buf, sizeof buf, off);
		if (n < 0) {
			g_set_error(err, QS_ERROR, errno, "read error: %s", g_strerror(errno));
			splitter_sync(s);
			return -1;
		}
		if (off >= 0)
			off += n;
		eof = n == 0 || (size >= 0 && (size_t)n < sizeof buf && (gint64)off == size);
		if (n > 0)
			more = feed(s, buf, (size_t)n);
	}
	splitter_finish(s, hdr_complete, body_complete, eof);
	return 0;
}

int qs_read_rfc5322_at(int fd, const guint8 *pre, size_t pre_len, gint64 size,
		       GByteArray *hdr, bool *hdr_complete, GByteArray *body, size_t body_cap,
		       bool *body_complete, GError **err)
{
	struct splitter s;

	splitter_init(&s, hdr, body, body_cap);
	return split_fd(fd, (off_t)pre_len, pre, pre_len, size, &s, hdr_complete, body_complete, err);
}

int qs_read_rfc5322(int fd, GByteArray *hdr, bool *hdr_complete,
		    GByteArray *body, size_t body_cap, bool *body_complete,
		    GError **err)
{
	struct splitter s;

	/* a stream (stdin, a pipe): read() as it comes, no size */
	splitter_init(&s, hdr, body, body_cap);
	return split_fd(fd, -1, NULL, 0, -1, &s, hdr_complete, body_complete, err);
}

void qs_split_rfc5322(const guint8 *data, size_t len, GByteArray *hdr,
		      bool *hdr_complete, GByteArray *body)
{
	struct splitter s;

	splitter_init(&s, hdr, body, body ? QS_MAX_BODY : 0);
	feed(&s, data, len);
	splitter_finish(&s, hdr_complete, NULL, true);
}

/* which bytes need care in a JSON string: 0 = copy as is, 1 = escape,
 * 2 = the lead of a (maybe invalid) UTF-8 sequence */
static guint8 json_class[256];

static void json_class_init(void)
{
	static gsize done;
	int c;

	if (g_once_init_enter(&done)) {
		for (c = 0; c < 256; c++)
			json_class[c] = c >= 0x80 ? 2 : c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? 1 : 0;
		g_once_init_leave(&done, 1);
	}
}

#define JSON_LO G_GUINT64_CONSTANT(0x0101010101010101)
#define JSON_HI G_GUINT64_CONSTANT(0x8080808080808080)
#define JSON_ZERO(v) (((v) - JSON_LO) & ~(v) & JSON_HI)		/* a byte is 0 */
#define JSON_LESS(v, n) (((v) - JSON_LO * (n)) & ~(v) & JSON_HI)	/* a byte < n (< 0x80) */

#ifdef __SSE2__
/* none of the 16 bytes needs care: the same byte set as json_class
 * (the signed compare < 0x20 also catches every byte >= 0x80) */
static inline bool json_plain16(__m128i v)
{
	__m128i bad = _mm_or_si128(
		_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
		_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))));

	return _mm_movemask_epi8(bad) == 0;
}

/* the last n (< 16) bytes, padded with a plain byte: most strings end
 * with a short plain run, which then needs no byte loop */
static inline bool json_plain_tail(const unsigned char *p, size_t n)
{
	unsigned char tmp[16];

	return json_plain16(_mm_loadu_si128(qs_pad16(tmp, p, n)));
}
#endif

/* room for n more bytes after out->len; returns where they go */
static char *json_room(GString *out, size_t n)
{
	size_t len = out->len;

	if (len + n >= out->allocated_len) {
		g_string_set_size(out, len + n);
		out->len = len;
	}
	return out->str + len;
}

#ifdef __SSE2__
/* a byte < 0x20 or == 0x7f among the 16 (unsigned: min(v, 0x1f) == v) */
static inline bool ctrl16(__m128i v)
{
	__m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);

	return _mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)))) != 0;
}
#endif

static void sanitize_bytes(char *d, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		if ((unsigned char)d[j] < 0x20 || d[j] == 0x7f)
			d[j] = '?';
}

void qs_copy_sanitized(char *dst, const char *src, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	unsigned char tmp[16];

	for (; n - i >= 16; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(src + i));
		_mm_storeu_si128((__m128i *)(dst + i), v);
		if (ctrl16(v))
			sanitize_bytes(dst + i, 16);
	}
	/* the rest (< 16), padded with a plain byte, in one step */
	memcpy(dst + i, qs_pad16(tmp, src + i, n - i), n - i);
	if (ctrl16(_mm_loadu_si128((const __m128i *)tmp)))
		sanitize_bytes(dst + i, n - i);
#else
	guint64 x;

	memcpy(dst, src, n);
	for (; i < n; i += 8) {
		if (n - i >= 8) {
			memcpy(&x, dst + i, 8);
			if (!(JSON_LESS(x, 0x20) | JSON_ZERO(x ^ (JSON_LO * 0x7f))))
				continue;
		}
		sanitize_bytes(dst + i, MIN(8, n - i));
	}
#endif
	dst[n] = '\0';
}

/* qs_json_str - written straight into the GString's buffer after one
 * reservation (6 output bytes per input byte at worst, "\\u00XX"):
 * this runs about twenty times for every message of a scan */
void qs_json_str(GString *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p, *end;
	size_t n;
	char *w, *w0;

	if (s == NULL) {
		qs_gs_put(out, "null", 4);
		return;
	}
	json_class_init();
	n = strlen(s);
	w = w0 = json_room(out, 6 * n + 2);
	*w++ = '"';
	for (p = (const unsigned char *)s, end = p + n; p < end;) {
		unsigned char c = *p;
		gunichar u;

		/* eight plain bytes at a time (any byte < 0x20, '"', '\\',
		 * 0x7f or >= 0x80 stops it; the tests are exact, see
		 * "Bit Twiddling Hacks": haszero / hasless) */
#ifdef __SSE2__
		/* sixteen at a time where the CPU has SSE2 (every x86-64) */
		while (end - p >= 16 && json_plain16(_mm_loadu_si128((const __m128i *)p))) {
			memcpy(w, p, 16);
			w += 16, p += 16;
		}
		if (end - p < 16 && json_plain_tail(p, (size_t)(end - p))) {
			memcpy(w, p, (size_t)(end - p));
			w += end - p;
			break;
		}
#endif
		while (end - p >= 8) {
			guint64 x, bad;
			memcpy(&x, p, 8);
			bad = (x & JSON_HI) | JSON_LESS(x, 0x20) | JSON_ZERO(x ^ (JSON_LO * '"')) |
			      JSON_ZERO(x ^ (JSON_LO * '\\')) | JSON_ZERO(x ^ (JSON_LO * 0x7f));
			if (bad)
				break;
			memcpy(w, p, 8);
			w += 8, p += 8;
		}
		if (p == end)
			break;
		c = *p;
		switch (json_class[c]) {
		case 0:
			*w++ = (char)c;
			p++;
			continue;
		case 1:
			*w++ = '\\';
			switch (c) {
			case '"': *w++ = '"'; break;
			case '\\': *w++ = '\\'; break;
			case '\n': *w++ = 'n'; break;
			case '\r': *w++ = 'r'; break;
			case '\t': *w++ = 't'; break;
			default:
				*w++ = 'u', *w++ = '0', *w++ = '0';
				*w++ = hex[c >> 4], *w++ = hex[c & 15];
			}
			p++;
			continue;
		default:
			break;
		}
		u = g_utf8_get_char_validated((const char *)p, end - p);
		if (u != (gunichar)-1 && u != (gunichar)-2) {
			const unsigned char *next = (const unsigned char *)g_utf8_next_char(p);
			while (p < next)
				*w++ = (char)*p++;
			continue;
		}
		memcpy(w, "\\ufffd", 6);
		w += 6;
		p++;
	}
	*w++ = '"';
	out->len += (gsize)(w - w0);
	out->str[out->len] = '\0';
}

static inline char ascii_lc(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

const char *qs_ascii_strcasestr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	char set[3] = { needle[0], 0, 0 };
	const char *p;

	if (n == 0)
		return hay;
	if (g_ascii_isalpha(needle[0])) {
		set[0] = g_ascii_tolower(needle[0]);
		set[1] = g_ascii_toupper(needle[0]);
	}
	/* candidates by strpbrk (vectorised in libc); the second byte is
	 * compared inline before the call for the full compare */
	for (p = hay; (p = strpbrk(p, set)) != NULL; p++)
		if ((n == 1 || ascii_lc(p[1]) == ascii_lc(needle[1])) &&
		    g_ascii_strncasecmp(p, needle, n) == 0)
			return p;
	return NULL;
}

char *qs_printable(const char *s)
{
	GString *out;
	const char *p, *end;

	if (s == NULL)
		return g_strdup("-");
	out = g_string_sized_new(strlen(s) + 8);
	end = s + strlen(s);
	for (p = s; p < end;) {
		unsigned char c = (unsigned char)*p;
		gunichar u;
		if (c >= 0x20 && c < 0x7f) {
			g_string_append_c(out, (char)c);
			p++;
			continue;
		}
		u = c >= 0x80 ? g_utf8_get_char_validated(p, end - p) : (gunichar)-1;
		if (u < (gunichar)-2 && g_unichar_isprint(u)) {
			const char *next = g_utf8_next_char(p);
			g_string_append_len(out, p, next - p);
			p = next;
			continue;
		}
		g_string_append_printf(out, "\\x%02x", c);
		p++;
	}
	return g_string_free(out, FALSE);
}

bool qs_parse_uint(const char *s, guint64 min, guint64 max, guint64 *out)
{
	guint64 v = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (G_MAXUINT64 - 9) / 10)
			return false;
		v = v * 10 + (guint64)(*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

char *qs_ascii_lower(const char *s)
{
	return s ? g_ascii_strdown(s, -1) : NULL;
}

/* iso_time_fast - the same text as g_date_time_format(.."%Y-%m-%dT%H:%M:%SZ")
 * for 0 <= t < year 10000, without a GDateTime per message: days to a
 * civil date by the proleptic Gregorian era arithmetic */
static void iso_time_fast(gint64 t, char *s)
{
	gint64 days = t / 86400, secs = t % 86400, z, era, doe, yoe, doy, mp, y, mo, d;

	z = days + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	mo = mp < 10 ? mp + 3 : mp - 9;
	y += mo <= 2;
	{
		int v[6] = { (int)y, (int)mo, (int)d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60) };
		static const char sep[6] = { '-', '-', 'T', ':', ':', 'Z' };
		char *p = s;
		int i;

		p[0] = (char)('0' + v[0] / 1000), p[1] = (char)('0' + v[0] / 100 % 10);
		p[2] = (char)('0' + v[0] / 10 % 10), p[3] = (char)('0' + v[0] % 10), p[4] = sep[0];
		p += 5;
		for (i = 1; i < 6; i++, p += 3)
			p[0] = (char)('0' + v[i] / 10), p[1] = (char)('0' + v[i] % 10), p[2] = sep[i];
		*p = '\0';
	}
}

bool qs_iso_time_into(gint64 t, char out[QS_ISO_TIME_LEN])
{
	if (t < 0 || t >= G_GINT64_CONSTANT(253402300800))	/* before the year 10000 */
		return false;
	iso_time_fast(t, out);
	return true;
}

char *qs_iso_time(gint64 t)
{
	GDateTime *dt;
	char *s;

	if (t < 0)
		return NULL;
	if (t < G_GINT64_CONSTANT(253402300800)) {	/* before the year 10000 */
		s = g_malloc(QS_ISO_TIME_LEN);
		iso_time_fast(t, s);
		return s;
	}
	dt = g_date_time_new_from_unix_utc(t);
	if (dt == NULL)
		return NULL;
	s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(dt);
	return s;
}

static volatile gint stop_flag;

/* qs_request_stop - async-signal-safe: one atomic store */
void qs_request_stop(void)
{
	g_atomic_int_set(&stop_flag, 1);
}

bool qs_stop_requested(void)
{
	return g_atomic_int_get(&stop_flag) != 0;
}
