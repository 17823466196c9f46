/*
 * hdr.h - the raw header block split into fields, and text decoding.
 *
 * qs_hdr_parse() unfolds the header block (LF line ends, as qs_msg
 * keeps it) into name/value pairs in file order, so the Received chain
 * comes out newest first. Values are raw (RFC 2047 words not decoded);
 * qs_hdr_decode() decodes them to UTF-8 with GMime, reading
 * ks_c_5601-1987 / euc-kr as CP949 and raw 8-bit bytes as UTF-8, then
 * CP949, then Latin-1. Call qs_hdr_global_init() once before threads.
 */
#ifndef QS_HDR_H
#define QS_HDR_H

#include <glib.h>
#include <stdbool.h>

struct qs_header {
	char *name;	/* as written */
	char *value;	/* unfolded (CR/LF removed), leading blanks trimmed, raw */
	size_t name_len;	/* strlen(name) */
};

struct qs_headers {
	GPtrArray *list;	/* struct qs_header * in file order (read-only) */
	guint malformed;	/* lines that were not "name: value" */
	bool truncated;		/* a cap was hit */
	/* storage behind `list`, reused from message to message so that a
	 * scan does not allocate per header field */
	GArray *fields;		/* struct qs_header, pointing into arena; its length
				 * is its room (the count is list->len) */
	GString *arena;		/* name\0value\0 ... */
	/* qs_msg_fields() only: a copy of the bytes `list` was split from */
	GByteArray *src;
	bool src_valid;
};

void qs_hdr_global_init(void);
void qs_headers_init(struct qs_headers *h);
void qs_headers_clear(struct qs_headers *h);	/* empty, reusable */
void qs_headers_free(struct qs_headers *h);	/* release memory */
int qs_hdr_parse(const guint8 *data, size_t len, struct qs_headers *out);
/* field names equal, ASCII case-insensitive (exactly what
 * g_ascii_strcasecmp() == 0 means: only A-Z fold). Inline, no call:
 * the header look-ups ask this for every field of every message, and a
 * call into GLib cost ~280 instructions a name. Most names differ in the
 * first byte or two, so the loop ends early. */
static inline bool qs_name_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x != y) {
			x = x >= 'A' && x <= 'Z' ? (unsigned char)(x + 32) : x;
			y = y >= 'A' && y <= 'Z' ? (unsigned char)(y + 32) : y;
			if (x != y)
				return false;
		}
		if (x == '\0')
			return true;
	}
}

/* idx-th field called name (case-insensitive), or NULL */
const char *qs_headers_get(const struct qs_headers *h, const char *name, guint idx);
guint qs_headers_count(const struct qs_headers *h, const char *name);
/*
 * The reader and the judge both need m->hdr split: qs_msg_fields()
 * splits it once into storage the record keeps (m->fields, reused from
 * message to message) and remembers the bytes; qs_msg_take_fields()
 * then moves that split into `out` (swapping storage, no copy) when
 * m->hdr still holds exactly those bytes, and splits m->hdr into `out`
 * otherwise. Both return what qs_hdr_parse() would.
 */
struct qs_msg;
const struct qs_headers *qs_msg_fields(struct qs_msg *m, int *rc);
int qs_msg_take_fields(const struct qs_msg *m, struct qs_headers *out);
void qs_msg_fields_free(struct qs_msg *m);
/* RFC 2047 / 8-bit decoding to valid UTF-8; never NULL for non-NULL raw */
char *qs_hdr_decode(const char *raw);
/* hdr_word.c: raw is exactly one UTF-8 encoded word ("=?UTF-8?B?...?=")
 * that decodes to valid UTF-8 without control bytes: that text, as
 * GMime would give it; NULL for anything else (ask qs_hdr_decode) */
char *qs_hdr_decode_utf8_word(const char *raw);
/* the addr-spec of the first mailbox in an address header, or NULL */
char *qs_hdr_first_address(const char *raw);
/* a header value parsed as an address list by GMime, with undeclared
 * 8-bit text made UTF-8 first (see raw_to_utf8 in hdr.c); NULL if it
 * is not one; g_object_unref the result */
struct _InternetAddressList *qs_hdr_address_list(const char *raw);

#endif
