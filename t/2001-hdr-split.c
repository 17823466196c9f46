/* 2001-hdr-split: header fields, unfolding, decoding with GMime (CP949). */
#include "config.h"
#include <string.h>
#include "hdr.h"
#include "tap.h"

int main(void)
{
	struct qs_headers h;
	const char *blk =
		"From nobody Mon Jan  1 00:00:00 2026\n"
		"Received: from a (b [192.0.2.1])\n\tby mx with ESMTP id X;\n  Sun, 22 Nov 2026 14:07:16 +0000\n"
		"Received: from c by d; date\n"
		"Subject: =?ks_c_5601-1987?B?jGO55rCix8/AzCC+yLPnx8+8vL/k?=\n"
		"X-Empty:\n"
		"bad line without colon\n"
		"To: \"Name\" <a@b.example>, c@d.example\n";
	char *s;

	qs_hdr_global_init();
	qs_headers_init(&h);
	is_int(qs_hdr_parse((const guint8 *)blk, strlen(blk), &h), 0, "parse ok");
	is_int(h.list->len, 5, "five fields");
	is_int(h.malformed, 2, "From_ line and a bad line counted as malformed");
	is_int(qs_headers_count(&h, "received"), 2, "two Received, case-insensitive");
	is_str(qs_headers_get(&h, "Received", 0),
	       "from a (b [192.0.2.1])\tby mx with ESMTP id X;  Sun, 22 Nov 2026 14:07:16 +0000",
	       "newest Received unfolded");
	is_str(qs_headers_get(&h, "Received", 1), "from c by d; date", "second Received");
	is_str(qs_headers_get(&h, "X-Empty", 0), "", "empty value");
	is_str(qs_headers_get(&h, "X-Missing", 0), NULL, "missing is NULL");
	s = qs_hdr_decode(qs_headers_get(&h, "Subject", 0));
	/* CP949 bytes of the test phrase; EUC-KR would lose the first syllable */
	is_str(s, "\xeb\x98\xa0\xeb\xb0\xa9\xea\xb0\x81\xed\x95\x98\xec\x9d\xb4 "
		  "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94",
	       "ks_c_5601-1987 subject decoded as CP949");
	g_free(s);
	s = qs_hdr_decode("=?utf-8?q?caf=C3=A9?= ok");
	is_str(s, "caf\xc3\xa9 ok", "RFC 2047 Q decoding");
	g_free(s);
	s = qs_hdr_decode("raw \xb0\xa1");
	ok(g_utf8_validate(s, -1, NULL), "raw 8-bit decodes to valid UTF-8");
	g_free(s);
	s = qs_hdr_first_address(qs_headers_get(&h, "To", 0));
	is_str(s, "a@b.example", "first address of To");
	g_free(s);
	qs_headers_free(&h);
	return done_testing();
}
