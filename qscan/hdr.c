/* hdr.c - header block splitting and GMime decoding; see hdr.h. */
#include "config.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <iconv.h>
#include <string.h>
#include <gmime/gmime.h>
#include "hdr.h"
#include "msg.h"
#include "qs_limits.h"
#include "util.h"

#define QS_MAX_HEADERS 10000	/* fields kept per header block */

static GMimeParserOptions *options;

/* qs_hdr_global_init - GMime once per process, with our charset fallbacks:
 * utf-8 first, cp949 for raw Korean, latin-1 last (it never fails). */
void qs_hdr_global_init(void)
{
	static const char *fallback[] = { "utf-8", "cp949", "iso-8859-1", NULL };
	static gsize done;

	if (g_once_init_enter(&done)) {
		g_mime_init();
		options = g_mime_parser_options_new();
		g_mime_parser_options_set_fallback_charsets(options, fallback);
		g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
		g_once_init_leave(&done, 1);
	}
}

/*
 * keep_charsets - hold one conversion descriptor open, for the life of
 * the process, for each charset mail is commonly written in. GMime opens
 * and closes a descriptor for every word it decodes, and glibc unloads a
 * gconv module soon after its last descriptor closes: a queue of Korean
 * or Chinese spam then paid a dlopen and a dlclose (under the dynamic
 * loader's lock, with mmaps and relocations) every few messages. Done
 * on the first text that needs GMime, so an ASCII queue loads nothing.
 */
static iconv_t kept_iconv[32];	/* never closed, on purpose */

static void keep_charsets(void)
{
	static const char *const cs[] = {
		"CP949", "EUC-KR", "GBK", "GB2312", "GB18030", "BIG5", "BIG5-HKSCS",
		"EUC-JP", "SHIFT_JIS", "ISO-2022-JP", "KOI8-R", "KOI8-U", "CP1250",
		"CP1251", "CP1252", "CP1253", "CP1254", "CP1255", "CP1256", "CP1257",
		"ISO-8859-2", "ISO-8859-5", "ISO-8859-7", "ISO-8859-9", "ISO-8859-15",
		"TIS-620", "CP874", NULL,
	};
	static gsize done;
	int i;

	G_STATIC_ASSERT(G_N_ELEMENTS(cs) <= G_N_ELEMENTS(kept_iconv));
	if (g_once_init_enter(&done)) {
		for (i = 0; cs[i]; i++)
			kept_iconv[i] = iconv_open("UTF-8", cs[i]);	/* (iconv_t)-1 if unknown: fine */
		g_once_init_leave(&done, 1);
	}
}

void qs_headers_init(struct qs_headers *h)
{
	h->list = g_ptr_array_new();
	h->fields = g_array_new(FALSE, FALSE, sizeof(struct qs_header));
	h->arena = g_string_sized_new(4096);
	h->malformed = 0;
	h->truncated = false;
	h->src = NULL;
	h->src_valid = false;
}

void qs_headers_clear(struct qs_headers *h)
{
	if (h->list)
		g_ptr_array_set_size(h->list, 0);
	/* h->fields keeps its length: it is storage (its length is its
	 * room, see add_field), the count is list->len */
	if (h->arena)
		g_string_truncate(h->arena, 0);
	h->malformed = 0;
	h->truncated = false;
	h->src_valid = false;
}

void qs_headers_free(struct qs_headers *h)
{
	if (h->list)
		g_ptr_array_free(h->list, TRUE);
	if (h->fields)
		g_array_free(h->fields, TRUE);
	if (h->arena)
		g_string_free(h->arena, TRUE);
	if (h->src)
		g_byte_array_free(h->src, TRUE);
	h->src = NULL;
	h->src_valid = false;
	h->list = NULL;
	h->fields = NULL;
	h->arena = NULL;
}

/* field_name_len - length of "name" before ':' if the line starts a field */
#ifdef __SSE2__
/* bit i: byte i of the 16 ends a name (not 33-126, or ':'); signed
 * compare < 33 also catches every byte >= 0x80 */
static inline unsigned name_stop_mask(const guint8 *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	__m128i stop = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(33)),
				    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(127)),
						 _mm_cmpeq_epi8(v, _mm_set1_epi8(':'))));

	return (unsigned)_mm_movemask_epi8(stop);
}

/* sixteen bytes per step (the last step padded with a name byte) */
static size_t field_name_len(const guint8 *p, size_t n)
{
	guint8 tmp[16];
	size_t i;
	unsigned m;

	for (i = 0; i < n; i += 16) {
		m = name_stop_mask(n - i >= 16 ? p + i : qs_pad16(tmp, p + i, n - i));
		if (m != 0) {
			size_t k = i + (size_t)__builtin_ctz(m);
			return k < n && p[k] == ':' ? k : 0;
		}
	}
	return 0;
}
#else
static size_t field_name_len(const guint8 *p, size_t n)
{
	/* 1: a name byte (33-126 but ':'), 2: ':'; one look-up per byte */
	static guint8 cls[256];
	static gsize done;
	size_t i;

	if (g_once_init_enter(&done)) {
		int c;
		for (c = 33; c < 127; c++)
			cls[c] = c == ':' ? 2 : 1;
		g_once_init_leave(&done, 1);
	}
	for (i = 0; i < n && cls[p[i]] == 1; i++)
		;
	return i < n && cls[p[i]] == 2 ? i : 0;
}
#endif

/* add_field - one (possibly folded) field from p[0..n), LF inside; the
 * name and the unfolded value go to the arena (one resize, then plain
 * copies: this runs for every header line of every message), offsets
 * to `fields` */
static void add_field(struct qs_headers *out, guint *nf, const guint8 *p, size_t n, size_t name_len,
		      bool clean, bool one_line)
{
	struct qs_header h;
	GString *a = out->arena;
	size_t base = a->len, i = name_len + 1, vlen = 0;
	char *w;

	if (*nf >= QS_MAX_HEADERS) {
		out->truncated = true;
		return;
	}
	if (base + n + 3 >= a->allocated_len) {	/* name, value, two NULs and a third */
		g_string_set_size(a, base + n + 3);
		a->len = base;
	}
	w = a->str + base;
	memcpy(w, p, name_len);
	w[name_len] = '\0';
	h.name = GSIZE_TO_POINTER(base);
	h.name_len = name_len;
	h.value = GSIZE_TO_POINTER(base + name_len + 1);
	w += name_len + 1;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (i < n) {
		/* one line (most fields): its only LF, if any, is the last byte */
		const guint8 *nl = one_line ? (p[n - 1] == '\n' ? p + n - 1 : NULL) : memchr(p + i, '\n', n - i);
		size_t j = nl ? (size_t)(nl - p) : n, seg = j - i, k;

		if (vlen + seg > QS_MAX_HEADER_LINE) {
			seg = QS_MAX_HEADER_LINE - vlen;
			out->truncated = true;
			j = n;
		}
		/* unfold: the line break goes, the blank after it stays */
		memcpy(w + vlen, p + i, seg);
		if (!clean && (memchr(p + i, '\0', seg) || memchr(p + i, '\r', seg))) {
			size_t o = vlen;
			for (k = 0; k < seg; k++)	/* rare: NUL would end the string */
				if (p[i + k] != '\r')
					w[o++] = p[i + k] ? (char)p[i + k] : ' ';
			seg = o - vlen;
		}
		vlen += seg;
		i = j + 1;
	}
	while (vlen > 0 && (w[vlen - 1] == ' ' || w[vlen - 1] == '\t'))
		vlen--;
	w[vlen] = '\0';
	a->len = base + name_len + 1 + vlen + 1;
	a->str[a->len] = '\0';
	/* `fields` is sized ahead in steps (no call per field) and never
	 * shrunk: its length is the room, kept from message to message */
	if (*nf == out->fields->len)
		g_array_set_size(out->fields, MIN(2 * *nf + 32, QS_MAX_HEADERS));
	g_array_index(out->fields, struct qs_header, (*nf)++) = h;
}

/* fix_pointers - the arena is complete: turn offsets into pointers */
static void fix_pointers(struct qs_headers *out, guint nf)
{
	guint i;

	g_ptr_array_set_size(out->list, (gint)nf);
	for (i = 0; i < nf; i++) {
		struct qs_header *h = &g_array_index(out->fields, struct qs_header, i);
		h->name = out->arena->str + GPOINTER_TO_SIZE(h->name);
		h->value = out->arena->str + GPOINTER_TO_SIZE(h->value);
		out->list->pdata[i] = h;
	}
}

int qs_hdr_parse(const guint8 *data, size_t len, struct qs_headers *out)
{
	size_t pos = 0;
	guint nf = 0;
	/* no NUL and no CR in the whole block (the usual case): no field
	 * needs the per-line check for them */
	bool clean = len == 0 || (!memchr(data, '\0', len) && !memchr(data, '\r', len));

	if (out->list == NULL || out->fields == NULL)
		qs_headers_init(out);
	qs_headers_clear(out);
	while (pos < len) {
		size_t start = pos, name_len, end;
		bool one_line = true;

		/* a field runs to the next line that does not start with a blank */
		end = pos;
		for (;; one_line = false) {
			const guint8 *nl = memchr(data + end, '\n', len - end);
			end = nl ? (size_t)(nl - data) + 1 : len;
			if (end >= len || (data[end] != ' ' && data[end] != '\t'))
				break;
		}
		pos = end;
		name_len = field_name_len(data + start, end - start);
		if (name_len == 0) {
			out->malformed++;	/* "From " line, garbage, stray continuation */
			continue;
		}
		add_field(out, &nf, data + start, end - start, name_len, clean, one_line);
	}
	fix_pointers(out, nf);
	return out->truncated ? -1 : 0;
}

const struct qs_headers *qs_msg_fields(struct qs_msg *m, int *rc)
{
	struct qs_headers *f = m->fields;
	int r;

	if (f == NULL) {
		f = m->fields = g_new0(struct qs_headers, 1);
		qs_headers_init(f);
	}
	if (f->src_valid && f->src->len == m->hdr->len &&
	    memcmp(f->src->data, m->hdr->data, m->hdr->len) == 0) {
		r = f->truncated ? -1 : 0;
	} else {
		r = qs_hdr_parse(m->hdr->data, m->hdr->len, f);
		if (f->src == NULL)
			f->src = g_byte_array_sized_new(m->hdr->len);
		g_byte_array_set_size(f->src, 0);
		g_byte_array_append(f->src, m->hdr->data, m->hdr->len);
		f->src_valid = true;
	}
	if (rc)
		*rc = r;
	return f;
}

int qs_msg_take_fields(const struct qs_msg *m, struct qs_headers *out)
{
	struct qs_headers *f = m->fields, tmp;

	if (f == NULL || !f->src_valid || out->list == NULL || f->src->len != m->hdr->len ||
	    memcmp(f->src->data, m->hdr->data, m->hdr->len) != 0)
		return qs_hdr_parse(m->hdr->data, m->hdr->len, out);
	/* the record keeps out's old storage for its next message */
	tmp = *out;
	*out = *f;
	*f = tmp;
	qs_headers_clear(f);
	return out->truncated ? -1 : 0;
}

void qs_msg_fields_free(struct qs_msg *m)
{
	if (m->fields) {
		qs_headers_free(m->fields);
		g_free(m->fields);
		m->fields = NULL;
	}
}

const char *qs_headers_get(const struct qs_headers *h, const char *name, guint idx)
{
	size_t n = strlen(name);
	guint i;

	if (h->list == NULL)
		return NULL;
	for (i = 0; i < h->list->len; i++) {
		const struct qs_header *f = g_ptr_array_index(h->list, i);
		if (f->name_len == n && qs_name_eq(f->name, name) && idx-- == 0)
			return f->value;
	}
	return NULL;
}

guint qs_headers_count(const struct qs_headers *h, const char *name)
{
	size_t len = strlen(name);
	guint i, n = 0;

	for (i = 0; h->list && i < h->list->len; i++) {
		const struct qs_header *f = g_ptr_array_index(h->list, i);
		if (f->name_len == len && qs_name_eq(f->name, name))
			n++;
	}
	return n;
}

/* is_korean_label - charsets that Outlook & co. label Korean text with,
 * which is really CP949; GMime would map them to EUC-KR and lose text */
static bool is_korean_label(const char *cs, size_t n)
{
	static const char *const labels[] = {
		"ks_c_5601-1987", "ks_c_5601", "ksc5601", "ksc_5601", "ks_c_5601-1989",
		"euc-kr", "euc_kr", "euckr", "x-windows-949", "windows-949", "uhc", NULL,
	};
	int i;

	for (i = 0; labels[i]; i++)
		if (strlen(labels[i]) == n && g_ascii_strncasecmp(cs, labels[i], n) == 0)
			return true;
	return false;
}

/* fix_korean - rewrite =?<korean label>[*lang]? to =?cp949? in encoded words */
static char *fix_korean(const char *raw)
{
	GString *out = g_string_sized_new(strlen(raw));
	const char *p = raw, *q;

	while ((q = strstr(p, "=?")) != NULL) {
		const char *cs = q + 2, *e = cs;
		while (*e && *e != '?' && *e != '*' && *e != ' ')
			e++;
		g_string_append_len(out, p, cs - p);
		if ((*e == '?' || *e == '*') && is_korean_label(cs, (size_t)(e - cs))) {
			g_string_append(out, "cp949");
			while (*e && *e != '?')
				e++;	/* drop an RFC 2231 language suffix */
		} else {
			g_string_append_len(out, cs, e - cs);
		}
		p = e;
	}
	g_string_append(out, p);
	return g_string_free(out, FALSE);
}

/* plain_ascii - no 8-bit byte and no "=?": GMime would hand the text
 * back unchanged (checked against it on random ASCII), so skip it */
static bool plain_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80 || (s[0] == '=' && s[1] == '?'))
			return false;
	return true;
}

/* one word of raw 8-bit text in UTF-8, with GMime's fallback order
 * (utf-8, cp949, iso-8859-1): the first that takes the whole word */
static void append_8bit_word(GString *out, const char *w, gsize n)
{
	char *c;

	if (g_utf8_validate(w, (gssize)n, NULL)) {
		g_string_append_len(out, w, (gssize)n);
	} else if ((c = g_convert(w, (gssize)n, "UTF-8", "CP949", NULL, NULL, NULL)) != NULL) {
		g_string_append(out, c);
		g_free(c);
	} else {
		for (gsize i = 0; i < n; i++)	/* ISO-8859-1 maps every byte */
			g_string_append_unichar(out, (guchar)w[i]);
	}
}

/*
 * raw_to_utf8 - undeclared 8-bit words made UTF-8 before GMime sees
 * them: GMime 3.2's 8-bit fallback (g_mime_utils_decode_8bit) can step
 * its input length below zero on an invalid sequence at the very end
 * of a word and then read past the string (found by fuzz-hdr: the
 * three bytes FE A2 E8, ASan "negative-size-param" in iconv). NULL
 * when the text is already valid UTF-8.
 */
static char *raw_to_utf8(const char *raw)
{
	GString *out;
	const char *p = raw;

	if (g_utf8_validate(raw, -1, NULL))
		return NULL;
	out = g_string_sized_new(strlen(raw) * 2);
	while (*p) {
		gsize n = strcspn(p, " \t");
		append_8bit_word(out, p, n);
		p += n;
		n = strspn(p, " \t");
		g_string_append_len(out, p, (gssize)n);
		p += n;
	}
	return g_string_free(out, FALSE);
}

/* plain_utf8 - valid UTF-8 and no "=?": nothing to decode, and GMime
 * hands such text back unchanged as well (t/4004 checks it on random
 * text), so the common raw-UTF-8 Subject skips it */
static bool plain_utf8(const char *s)
{
	return strstr(s, "=?") == NULL && g_utf8_validate(s, -1, NULL);
}

char *qs_hdr_decode(const char *raw)
{
	char *fixed, *dec, *utf8;

	if (raw == NULL)
		return NULL;
	if (plain_ascii(raw) || plain_utf8(raw))
		return g_strdup(raw);
	if ((dec = qs_hdr_decode_utf8_word(raw)) != NULL)
		return dec;	/* one UTF-8 encoded word: no GMime needed */
	qs_hdr_global_init();
	keep_charsets();
	utf8 = raw_to_utf8(raw);
	fixed = fix_korean(utf8 ? utf8 : raw);
	g_free(utf8);
	dec = g_mime_utils_header_decode_text(options, fixed);
	g_free(fixed);
	if (dec == NULL)
		dec = g_strdup(raw);
	if (!g_utf8_validate(dec, -1, NULL)) {
		char *valid = g_utf8_make_valid(dec, -1);
		g_free(dec);
		dec = valid;
	}
	return dec;
}

InternetAddressList *qs_hdr_address_list(const char *raw)
{
	InternetAddressList *list;
	char *utf8;

	qs_hdr_global_init();
	if (plain_ascii(raw))
		return internet_address_list_parse(options, raw);
	keep_charsets();
	/* display names are decoded by the same GMime 8-bit fallback */
	utf8 = raw_to_utf8(raw);
	list = internet_address_list_parse(options, utf8 ? utf8 : raw);
	g_free(utf8);
	return list;
}

char *qs_hdr_first_address(const char *raw)
{
	InternetAddressList *list;
	char *addr = NULL;
	int i, n;

	if (raw == NULL)
		return NULL;
	list = qs_hdr_address_list(raw);
	if (list == NULL)
		return NULL;
	n = internet_address_list_length(list);
	for (i = 0; i < n && addr == NULL; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			addr = g_strdup(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
		else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			InternetAddressList *m = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
			if (m && internet_address_list_length(m) > 0) {
				InternetAddress *first = internet_address_list_get_address(m, 0);
				if (INTERNET_ADDRESS_IS_MAILBOX(first))
					addr = g_strdup(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(first)));
			}
		}
	}
	g_object_unref(list);
	return addr;
}
