/*
 * fuzz-hdr.c - the header splitter, the RFC 2047/8-bit decoder, the
 * first-address extractor and the output escaping, on a header block.
 */
#include "config.h"
#include <string.h>
#include "fuzz.h"
#include "hdr.h"
#include "util.h"

static void init(void)
{
}

static void check_value(const char *raw, GString *out)
{
	char *dec = qs_hdr_decode(raw), *addr, *pr;

	QF_CHECK(dec != NULL, "hdr: decode never returns NULL");
	QF_CHECK(g_utf8_validate(dec, -1, NULL), "hdr: decode returns valid UTF-8");
	addr = qs_hdr_first_address(raw);
	QF_CHECK(!addr || *addr, "hdr: an address is never empty");
	g_string_truncate(out, 0);
	qs_json_str(out, dec);
	QF_CHECK(g_utf8_validate(out->str, (gssize)out->len, NULL), "json: escaped string is UTF-8");
	g_string_truncate(out, 0);
	qs_json_str(out, raw);
	QF_CHECK(g_utf8_validate(out->str, (gssize)out->len, NULL), "json: raw bytes come out as UTF-8");
	for (gsize i = 0; i < out->len; i++)
		QF_CHECK((unsigned char)out->str[i] >= 0x20, "json: no raw control bytes");
	pr = qs_printable(raw);
	for (const unsigned char *s = (const unsigned char *)pr; *s; s++)
		QF_CHECK(*s >= 0x20 && *s != 0x7f, "printable: no control bytes");
	g_free(pr);
	g_free(addr);
	g_free(dec);
}

static int one(const uint8_t *d, size_t n)
{
	struct qs_headers h;
	GString *out = g_string_new(NULL);
	char *whole;

	qs_headers_init(&h);
	(void)qs_hdr_parse(d, n, &h);
	for (guint i = 0; i < h.list->len && i < 64; i++) {
		const struct qs_header *f = g_ptr_array_index(h.list, i);
		QF_CHECK(f->name && f->value, "hdr: fields have a name and a value");
		QF_CHECK(strlen(f->value) <= 64 * 1024 + 1, "hdr: values are capped");
		QF_CHECK(strchr(f->value, '\n') == NULL, "hdr: values are unfolded");
		check_value(f->value, out);
	}
	(void)qs_headers_get(&h, "received", 0);
	(void)qs_headers_count(&h, "from");
	qs_headers_free(&h);
	/* the whole input as one value, as an address header would be */
	if (n <= 4096) {
		whole = qf_cstr(d, n);
		check_value(whole, out);
		g_free(whole);
	}
	g_string_free(out, TRUE);
	return 0;
}

QS_FUZZ_TARGET(hdr, init, one)
