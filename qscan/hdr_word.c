/*
 * hdr_word.c - the one RFC 2047 shape that most encoded headers have,
 * decoded without GMime: the whole value is a single UTF-8 encoded word
 * ("=?UTF-8?B?...?=" or "=?utf-8?Q?...?="). GMime costs ~10,000
 * instructions for it; this is a strict decoder that gives up (NULL,
 * the caller then asks GMime) on anything it is not sure of: another
 * charset, a language suffix, text around the word, base64 that is not
 * canonical, Q hex in lower case, decoded bytes that are not valid
 * UTF-8 or hold a control byte. t/4004 compares it with GMime.
 */
#include "config.h"
#include <string.h>
#include "hdr.h"

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* canonical base64 (length a multiple of 4, '=' only as padding) */
static bool b64_decode(const char *s, size_t n, GString *out)
{
	size_t i;

	if (n == 0 || n % 4 != 0)
		return false;
	for (i = 0; i < n; i += 4) {
		int v[4], k, pad = 0;
		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
			} else if (pad > 0 || (v[k] = b64_value(s[i + k])) < 0) {
				return false;
			}
		}
		g_string_append_c(out, (char)(v[0] << 2 | v[1] >> 4));
		if (pad < 2)
			g_string_append_c(out, (char)((v[1] & 15) << 4 | v[2] >> 2));
		if (pad < 1)
			g_string_append_c(out, (char)((v[2] & 3) << 6 | v[3]));
		/* the bits a padded group drops must be zero (canonical) */
		if ((pad == 2 && (v[1] & 15)) || (pad == 1 && (v[2] & 3)))
			return false;
	}
	return true;
}

static int hex_upper(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Q: '_' is a space, "=HH" a byte (upper-case hex), other printable
 * ASCII but '?' and '=' as is */
static bool q_decode(const char *s, size_t n, GString *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '_') {
			g_string_append_c(out, ' ');
		} else if (s[i] == '=') {
			int hi, lo;
			if (i + 2 >= n || (hi = hex_upper(s[i + 1])) < 0 || (lo = hex_upper(s[i + 2])) < 0)
				return false;
			g_string_append_c(out, (char)(hi << 4 | lo));
			i += 2;
		} else if (s[i] > ' ' && s[i] < 0x7f && s[i] != '?') {
			g_string_append_c(out, s[i]);
		} else {
			return false;
		}
	}
	return true;
}

static bool clean_utf8(const GString *t)
{
	gsize i;

	for (i = 0; i < t->len; i++)
		if ((unsigned char)t->str[i] < 0x20 || t->str[i] == 0x7f)
			return false;
	return g_utf8_validate(t->str, (gssize)t->len, NULL);
}

char *qs_hdr_decode_utf8_word(const char *raw)
{
	size_t n = strlen(raw);
	const char *payload;
	GString *out;
	bool ok;
	char enc;

	if (n < 12 || g_ascii_strncasecmp(raw, "=?utf-8?", 8) != 0 || raw[9] != '?' ||
	    raw[n - 2] != '?' || raw[n - 1] != '=')
		return NULL;
	enc = raw[8];
	payload = raw + 10;
	n -= 12;	/* "=?utf-8?X?" and "?=" */
	if (n == 0 || memchr(payload, '?', n) != NULL)
		return NULL;	/* not one word */
	out = g_string_sized_new(n);
	if (enc == 'B' || enc == 'b')
		ok = b64_decode(payload, n, out);
	else if (enc == 'Q' || enc == 'q')
		ok = q_decode(payload, n, out);
	else
		ok = false;
	if (!ok || !clean_utf8(out)) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}
