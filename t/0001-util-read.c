/* 0001-util-read: safe open, bounded RFC 5322 split, JSON escaping. */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "qs_limits.h"
#include "tap.h"
#include "testutil.h"
#include "util.h"

static void split_case(const char *in, const char *want_hdr, const char *want_body, bool want_complete)
{
	GByteArray *hdr = g_byte_array_new(), *body = g_byte_array_new();
	bool complete = false;

	qs_split_rfc5322((const guint8 *)in, strlen(in), hdr, &complete, body);
	is_blob(hdr->data, hdr->len, want_hdr, strlen(want_hdr), "header of %zu-byte input", strlen(in));
	is_blob(body->data, body->len, want_body, strlen(want_body), "body of %zu-byte input", strlen(in));
	ok(complete == want_complete, "completeness of %zu-byte input", strlen(in));
	g_byte_array_free(hdr, TRUE);
	g_byte_array_free(body, TRUE);
}

static void test_open(void)
{
	char *dir = tu_tmpdir();
	GError *err = NULL;
	struct stat st;
	int dfd, fd;

	tu_write(dir, "f", "a: b\n\nbody\n", 11, 0600);
	tu_sh("ln -s f '%s/link'; mkfifo '%s/fifo'; mkdir '%s/d'", dir, dir, dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	fd = qs_open_file(dfd, "f", &st, &err);
	ok(fd >= 0 && st.st_size == 11, "regular file opens");
	if (fd >= 0)
		close(fd);
	ok(qs_open_file(dfd, "link", &st, &err) < 0 && strstr(err->message, "symbolic link"),
	   "symlink refused with a clear error");
	g_clear_error(&err);
	ok(qs_open_file(dfd, "fifo", &st, &err) < 0 && strstr(err->message, "not a regular file"),
	   "FIFO refused without blocking");
	g_clear_error(&err);
	ok(qs_open_file(dfd, "d", &st, &err) < 0, "directory refused");
	g_clear_error(&err);
	ok(qs_open_file(dfd, "gone", &st, &err) < 0 && strstr(err->message, "gone"),
	   "vanished file: error names the file");
	g_clear_error(&err);
	close(dfd);
	g_free(dir);
}

static void test_cap(void)
{
	char *big = g_malloc(QS_MAX_HEADER_BLOCK + 100);
	GByteArray *hdr = g_byte_array_new();
	bool complete = true;

	memset(big, 'x', QS_MAX_HEADER_BLOCK + 100);
	memcpy(big, "X-Long: ", 8);
	qs_split_rfc5322((guint8 *)big, QS_MAX_HEADER_BLOCK + 100, hdr, &complete, NULL);
	ok(hdr->len <= QS_MAX_HEADER_BLOCK && !complete, "header block is capped and marked incomplete");
	g_byte_array_free(hdr, TRUE);
	g_free(big);
}

static void test_json(void)
{
	GString *s = g_string_new(NULL);

	qs_json_str(s, "a\"b\\c\n\x01\xff\xc3\xa9");
	is_str(s->str, "\"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\"", "JSON escapes quotes, controls, bad UTF-8");
	g_string_truncate(s, 0);
	qs_json_str(s, NULL);
	is_str(s->str, "null", "NULL is null");
	g_string_free(s, TRUE);
}

int main(void)
{
	guint64 v;
	char *p;

	split_case("A: 1\nB: 2\n\nbody\n", "A: 1\nB: 2\n", "body\n", true);
	split_case("A: 1\r\nB: 2\r\n\r\nbody\r\n", "A: 1\nB: 2\n", "body\r\n", true);
	split_case("A: 1\rB: 2\r\rbody", "A: 1\nB: 2\n", "body", true);
	split_case("A: 1\nB: 2", "A: 1\nB: 2\n", "", true);
	split_case("\nbody", "", "body", true);
	split_case("", "", "", false);
	test_open();
	test_cap();
	test_json();
	ok(qs_parse_uint("42", 0, 100, &v) && v == 42, "parse_uint in range");
	ok(!qs_parse_uint("101", 0, 100, &v), "parse_uint over max");
	ok(!qs_parse_uint("4x", 0, 100, &v), "parse_uint junk");
	ok(!qs_parse_uint("99999999999999999999999", 0, G_MAXUINT64, &v), "parse_uint overflow");
	p = qs_printable("ok\x1b[31m\xe2\x80\x8b");
	ok(strchr(p, 0x1b) == NULL, "printable escapes ESC");
	g_free(p);
	p = qs_iso_time(1795356436);
	is_str(p, "2026-11-22T14:07:16Z", "ISO time");
	g_free(p);
	tu_cleanup();
	return done_testing();
}
