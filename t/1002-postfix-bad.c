/*
 * 1002-postfix-bad: crafted Postfix queue files, good and hostile. The
 * reader must give each broken file an error naming the file and the
 * offset (never crash, never hang), skip what Postfix itself would skip
 * (temporary names, unfinished files, links, FIFOs), and read the
 * unusual-but-valid ones right (pointer chains over remnants, padding,
 * null sender with body, IPv6 client, deep hashing, huge headers).
 */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "parser.h"
#include "pftest.h"
#include "qs_limits.h"
#include "tap.h"
#include "testutil.h"

/* append one record with a correct 1..4-byte length */
static void rec(GByteArray *f, int type, const void *data, size_t len)
{
	guint8 t = (guint8)type;
	size_t n = len;

	g_byte_array_append(f, &t, 1);
	do {
		guint8 b = n & 0x7f;
		n >>= 7;
		if (n)
			b |= 0x80;
		g_byte_array_append(f, &b, 1);
	} while (n);
	g_byte_array_append(f, data, (guint)len);
}

static void recs(GByteArray *f, int type, const char *s)
{
	rec(f, type, s, strlen(s));
}

static void ptr(GByteArray *f, gint64 off)
{
	char buf[16];

	g_snprintf(buf, sizeof buf, "%15" G_GINT64_FORMAT, off);
	recs(f, 'p', buf);
}

/* the C record: content size and data offset patched in by finish_c */
static void size_rec(GByteArray *f)
{
	char buf[96];

	g_snprintf(buf, sizeof buf, "%15d %15d %15d %15d %15d %15d", 0, 0, 1, 0, 0, 0);
	recs(f, 'C', buf);
}

static void finish_c(GByteArray *f, size_t data_off, size_t x_off)
{
	char buf[96];

	g_snprintf(buf, sizeof buf, "%15zu %15zu %15d %15d %15zu %15d",
		   x_off - data_off, data_off, 1, 0, x_off - data_off, 0);
	memcpy(f->data + 2, buf, 95);
}

static void envelope(GByteArray *f, const char *sender)
{
	size_rec(f);
	recs(f, 'T', "1795356436 117452");
	recs(f, 'A', "create_time=1795356436");
	recs(f, 'A', "rewrite_context=remote");
	recs(f, 'S', sender);
	recs(f, 'A', "log_client_address=IPv6:2001:db8::25");
	recs(f, 'A', "log_helo_name=orig.example");
	recs(f, 'A', "client_address=127.0.0.1");
	recs(f, 'A', "helo_name=localhost");
	recs(f, 'A', "sasl_username=alice");
	recs(f, 'O', "Victim@Example.com");
	recs(f, 'R', "victim@example.com");
	recs(f, 'D', "done@example.com");
	recs(f, '/', "cancelled@example.com");
	recs(f, 'K', "killed");
}

/* a null-sender message: headers, a >2048-byte line as L+N, body */
static GByteArray *good_file(void)
{
	GByteArray *f = g_byte_array_new();
	char *longline = g_strnfill(2048, 'x');
	size_t data_off, x_off;

	envelope(f, "");
	recs(f, 'M', "");
	data_off = f->len;
	recs(f, 'N', "Received: from orig.example");
	recs(f, 'N', "Subject: Undelivered Mail");
	recs(f, 'w', "padding padding");
	ptr(f, 0);
	recs(f, 'L', "X-Long: ");
	recs(f, 'L', longline);
	recs(f, 'N', "end");
	recs(f, 'N', "");
	recs(f, 'N', "body line 1");
	recs(f, 'L', "frag");
	recs(f, 'N', "ment");
	x_off = f->len;
	recs(f, 'X', "");
	recs(f, 'R', "extracted@example.com");
	recs(f, 'E', "");
	finish_c(f, data_off, x_off);
	g_free(longline);
	return f;
}

/* envelope + headers, then the tail given by the caller */
static GByteArray *start_file(const char *sender)
{
	GByteArray *f = g_byte_array_new();

	envelope(f, sender);
	recs(f, 'M', "");
	recs(f, 'N', "Subject: test");
	recs(f, 'N', "");
	return f;
}

static void end_file(GByteArray *f)
{
	recs(f, 'X', "");
	recs(f, 'E', "");
}

static char *qdir;		/* a fresh queue root per case */

static void put(const char *rel, const GByteArray *f, mode_t mode)
{
	tu_write(qdir, rel, f->data, f->len, mode);
}

static GPtrArray *scan(void)
{
	GPtrArray *m = pft_scan(qdir, NULL);

	if (m == NULL)
		bail("%s: not walked as Postfix", qdir);
	return m;
}

static void new_queue(void)
{
	g_free(qdir);
	qdir = tu_tmpdir();
	tu_sh("mkdir -p '%s/deferred' '%s/hold' '%s/defer' '%s/maildrop' '%s/incoming'",
	      qdir, qdir, qdir, qdir, qdir);
}

/* one bad file in deferred/: it must come back with an error that
 * names the file and an offset and says `what` */
static void bad_case(const char *desc, GByteArray *f, enum qs_error_kind kind, const char *what)
{
	GPtrArray *msgs;
	struct qs_msg *m;

	new_queue();
	put("deferred/A/ABCDE1234", f, 0700);
	msgs = scan();
	m = msgs->len == 1 ? g_ptr_array_index(msgs, 0) : NULL;
	ok(m && m->err == kind && m->error && strstr(m->error, "deferred/A/ABCDE1234") &&
	   strstr(m->error, what), "%s: error %s", desc, what);
	if (m && m->error && (!strstr(m->error, what) || m->err != kind))
		diag("got: %s", m->error);
	if (m && kind == QS_ERR_MALFORMED)
		ok(strstr(m->error, "offset ") != NULL || strstr(m->error, "record") != NULL,
		   "%s: error says where", desc);
	pft_free(msgs);
	g_byte_array_free(f, TRUE);
}

static void test_good(void)
{
	GByteArray *f = good_file();
	GPtrArray *msgs;
	struct qs_msg *m;
	char *all, *want_hdr;

	new_queue();
	put("deferred/A/ABCDE1234", f, 0700);
	msgs = scan();
	m = msgs->len == 1 ? g_ptr_array_index(msgs, 0) : NULL;
	if (!ok(m && m->err == QS_ERR_NONE, "crafted null-sender file reads")) {
		diag("%s", m ? m->error : "no message");
		bail("cannot go on");
	}
	is_str(m->sender, "", "S record with no data is the null sender");
	all = pft_rcpts(m, true);
	is_str(all, "victim@example.com,-done@example.com,-cancelled@example.com,extracted@example.com",
	       "R pending, D and / done, K ignored, extracted-segment R counted");
	g_free(all);
	is_str(((struct qs_rcpt *)g_ptr_array_index(m->rcpts, 0))->orig, "Victim@Example.com",
	       "O record attached to the following R");
	ok(((struct qs_rcpt *)g_ptr_array_index(m->rcpts, 1))->orig == NULL, "O used only once");
	is_str(m->client_ip, "2001:db8::25", "log_client_address preferred, IPv6: prefix stripped");
	is_str(m->client_helo, "orig.example", "log_helo_name preferred over helo_name");
	is_str(m->auth_user, "alice", "sasl_username is the AUTH user");
	ok(!m->local_submission, "remote client: not a local submission");
	is_int(m->arrival, 1795356436, "arrival");
	all = g_strnfill(2048, 'x');
	want_hdr = g_strdup_printf("Received: from orig.example\nSubject: Undelivered Mail\n"
				   "X-Long: %s" "end\n", all);
	g_free(all);
	is_blob(m->hdr->data, m->hdr->len, want_hdr, strlen(want_hdr),
		"header block: L fragments joined, w and dummy p skipped");
	g_free(want_hdr);
	ok(m->hdr_complete, "header block complete");
	is_blob(m->body->data, m->body->len, "body line 1\nfragment\n", 21,
		"null sender: body rebuilt too");
	ok(m->body_complete, "body complete");
	pft_free(msgs);

	/* the same file in maildrop/ as 0744 (postdrop) is complete, and
	 * as 0644 still being written */
	new_queue();
	put("maildrop/ABCDE1234", f, 0744);
	put("maildrop/ABCDE1235", f, 0644);
	put("deferred/ABCDE1236", f, 0600);
	msgs = scan();
	ok(msgs->len == 1 && strcmp(((struct qs_msg *)g_ptr_array_index(msgs, 0))->id, "ABCDE1234") == 0,
	   "maildrop 0744 read, 0644 and deferred 0600 skipped as unfinished");
	pft_free(msgs);
	g_byte_array_free(f, TRUE);
}

/* headers only, no empty line, last line an L fragment: still whole */
static void test_no_body(void)
{
	GByteArray *f = g_byte_array_new();
	GPtrArray *msgs;
	struct qs_msg *m;

	envelope(f, "");
	recs(f, 'M', "");
	recs(f, 'N', "Subject: no body");
	recs(f, 'L', "X-Last: unterminated");
	end_file(f);
	new_queue();
	put("deferred/ABCDE1234", f, 0700);
	msgs = scan();
	m = g_ptr_array_index(msgs, 0);
	ok(m->err == QS_ERR_NONE && m->hdr_complete && m->body_complete && m->body->len == 0,
	   "message without body: header block and (empty) body complete");
	is_blob(m->hdr->data, m->hdr->len, "Subject: no body\nX-Last: unterminated\n", 38,
		"last header line ends with a newline");
	pft_free(msgs);
	g_byte_array_free(f, TRUE);
}

/* a pointer jumps over bytes that are garbage when read in sequence */
static void test_pointer_over_remnant(void)
{
	GByteArray *f = start_file("a@example.com");
	size_t p_at, heap_at;

	f->len -= 2;	/* drop the empty N: the chain below supplies it */
	p_at = f->len;
	ptr(f, 999999);			/* patched below */
	g_byte_array_append(f, (const guint8 *)"\xff\xff\xff\xff\xff garbage", 14);
	recs(f, 'N', "");
	recs(f, 'X', "");
	recs(f, 'E', "");
	heap_at = f->len;
	recs(f, 'N', "X-Added: by milter");
	ptr(f, (gint64)(p_at + 17 + 14));	/* back to the N "" after the remnant */
	{
		char buf[16];
		g_snprintf(buf, sizeof buf, "%15zu", heap_at);
		memcpy(f->data + p_at + 2, buf, 15);
	}
	new_queue();
	put("deferred/ABCDE1234", f, 0700);
	{
		GPtrArray *msgs = scan();
		struct qs_msg *m = g_ptr_array_index(msgs, 0);
		ok(m->err == QS_ERR_NONE && pft_hdr_has(m, "Subject: test\nX-Added: by milter\n") &&
		   m->hdr_complete, "pointer followed into the heap and back, remnant never parsed");
		if (m->error)
			diag("%s", m->error);
		pft_free(msgs);
	}
	g_byte_array_free(f, TRUE);
}

static void test_bad_files(void)
{
	GByteArray *f, *g;
	guint8 huge[] = { 'N', 0xff, 0xff, 0xff, 0x7f };
	guint8 five[] = { 'N', 0x81, 0x80, 0x80, 0x80, 0x01 };
	guint8 past[] = { 'N', 0x20, 'a', 'b' };
	size_t at;

	f = good_file();
	g_byte_array_set_size(f, f->len / 2 + 1);
	bad_case("truncated in the middle", f, QS_ERR_MALFORMED, "");
	f = good_file();
	g_byte_array_set_size(f, 97);	/* the C record, then a lone type byte */
	g_byte_array_append(f, (const guint8 *)"T", 1);
	bad_case("cut inside a record header", f, QS_ERR_MALFORMED, "end of file");

	f = start_file("a@example.com");
	g_byte_array_append(f, past, sizeof past);
	bad_case("length past EOF", f, QS_ERR_MALFORMED, "past the end of the file");
	f = start_file("a@example.com");
	g_byte_array_append(f, huge, sizeof huge);
	g_byte_array_set_size(f, f->len + 64);
	bad_case("huge length", f, QS_ERR_MALFORMED, "exceeds the 1048576-byte limit");
	f = start_file("a@example.com");
	g_byte_array_append(f, five, sizeof five);
	g_byte_array_set_size(f, f->len + 64);
	bad_case("5-byte length", f, QS_ERR_MALFORMED, "5th byte");

	f = start_file("a@example.com");
	at = f->len;
	ptr(f, (gint64)at);
	end_file(f);
	bad_case("pointer to itself", f, QS_ERR_MALFORMED, "loop");
	f = start_file("a@example.com");
	at = f->len;
	ptr(f, (gint64)(at + 17));
	ptr(f, (gint64)at);
	end_file(f);
	bad_case("two pointers in a loop", f, QS_ERR_MALFORMED, "more than 10000 pointer jumps");
	f = start_file("a@example.com");
	ptr(f, 1000000);
	end_file(f);
	bad_case("pointer past EOF", f, QS_ERR_MALFORMED, "past the end");
	f = start_file("a@example.com");
	recs(f, 'p', "12ab");
	end_file(f);
	bad_case("pointer without a number", f, QS_ERR_MALFORMED, "no offset");

	f = start_file("a@example.com");
	recs(f, 'X', "");
	bad_case("missing E", f, QS_ERR_MALFORMED, "before the E");
	f = g_byte_array_new();
	g_byte_array_append(f, (const guint8 *)"hello world, this is not a queue file\n", 38);
	bad_case("garbage text", f, QS_ERR_MALFORMED, "unknown record type");
	f = start_file("a@example.com");
	recs(f, 0x01, "x");
	end_file(f);
	bad_case("unknown record type", f, QS_ERR_MALFORMED, "0x01");
	f = g_byte_array_new();
	bad_case("zero-length file", f, QS_ERR_MALFORMED, "end of file");
	f = g_byte_array_new();
	recs(f, 'T', "1 2");
	recs(f, 'R', "x@example.com");
	recs(f, 'M', "");
	end_file(f);
	bad_case("no sender record", f, QS_ERR_MALFORMED, "no sender");
	f = g_byte_array_new();
	recs(f, 'S', "a@example.com");
	recs(f, 'E', "");
	bad_case("E before any content", f, QS_ERR_MALFORMED, "no message content");

	/* the random-bytes sweep: every prefix of a good file and every
	 * single-byte corruption is either read or refused, never a crash */
	g = good_file();
	{
		int errors = 0, fine = 0;
		guint i;
		new_queue();
		for (i = 0; i < g->len; i += 7) {
			GByteArray *c = g_byte_array_new();
			char name[32];
			g_byte_array_append(c, g->data, g->len);
			c->data[i] ^= 0x5a;
			g_snprintf(name, sizeof name, "deferred/ABCDE%u", 0x10000 + i);
			put(name, c, 0700);
			g_byte_array_free(c, TRUE);
		}
		{
			GPtrArray *msgs = scan();
			for (i = 0; i < msgs->len; i++) {
				struct qs_msg *m = g_ptr_array_index(msgs, i);
				if (m->err)
					errors++;
				else
					fine++;
			}
			ok(errors + fine == (int)(g->len + 6) / 7 && errors > 0,
			   "%d flipped-byte files: %d refused with an error, %d still valid", errors + fine,
			   errors, fine);
			pft_free(msgs);
		}
	}
	g_byte_array_free(g, TRUE);
}

static int sort_str(const char **a, const char **b)
{
	return strcmp(*a, *b);
}

static void test_walk_skips(void)
{
	GByteArray *f = good_file();
	GPtrArray *msgs;
	struct qs_msg *m;
	const struct qs_parser *p = &qs_parser_postfix;
	struct qs_walk *w;
	struct qs_item item;
	GError *err = NULL;
	int fd, n = 0;

	new_queue();
	put("deferred/1/1ABCDE123", f, 0700);
	tu_sh("cd '%s' && ln -s /etc/passwd deferred/2ABCDE123 && ln -s ../1/1ABCDE123 deferred/3ABCDE123 &&"
	      " mkdir -p deferred/4ABCDE123 deferred/5/5ABCDE123 && mkfifo deferred/6ABCDE123 hold/7ABCDE123",
	      qdir);
	put("deferred/1234.5678", f, 0700);	/* mail_queue_enter temp name */
	put("deferred/8ABCDE123#FIX", f, 0700);	/* postsuper -s temp name */
	put("deferred/abcdef", f, 0700);	/* neither short nor long ID */
	put("deferred/A/B/C/D/ABCDE1299", f, 0700);	/* depth 4: walked */
	put("deferred/A/B/C/D/E/ABCDE1298", f, 0700);	/* depth 5: too deep */
	put("hold/4jXWBY3Wmdz87np", f, 0700);	/* long ID, flat */
	put("defer/4/jX/4jXWBY3Wmdz87np", f, 0600);	/* bogus place: not its hash */
	put("defer/7/9/4jXWBY3Wmdz87np", f, 0600);	/* depth 2, hashed by usec 0x79531 */
	put("bounce/1ABCDE123", f, 0600);
	put("trace/1ABCDE123", f, 0600);
	put("defer/1/1ABCDE123", f, 0600);
	msgs = scan();
	{
		/* readdir order is the file system's: compare sorted */
		GPtrArray *paths = g_ptr_array_new();
		char *joined;
		guint i;
		for (i = 0; i < msgs->len; i++)
			g_ptr_array_add(paths, ((struct qs_msg *)g_ptr_array_index(msgs, i))->path);
		g_ptr_array_sort(paths, (GCompareFunc)sort_str);
		g_ptr_array_add(paths, NULL);
		joined = g_strjoinv(" ", (char **)paths->pdata);
		is_str(joined, "deferred/1/1ABCDE123 deferred/A/B/C/D/ABCDE1299 hold/4jXWBY3Wmdz87np",
		       "links, dirs, FIFOs, temp/bad names and too-deep files skipped");
		g_free(joined);
		g_ptr_array_free(paths, TRUE);
	}
	m = pft_find(msgs, "1ABCDE123");
	ok(m && m->files->len == 4 && pft_has_file(m, "defer/1/1ABCDE123") &&
	   pft_has_file(m, "bounce/1ABCDE123") && pft_has_file(m, "trace/1ABCDE123"),
	   "defer (hashed), bounce and trace (flat) logfiles listed");
	m = pft_find(msgs, "4jXWBY3Wmdz87np");
	ok(m && m->files->len == 2 && pft_has_file(m, "defer/7/9/4jXWBY3Wmdz87np"),
	   "long ID: defer log found at hash depth 2 by its microseconds");
	pft_free(msgs);

	/* a link handed to load() directly is refused, not followed */
	fd = open(qdir, O_RDONLY | O_DIRECTORY);
	qs_item_init(&item);
	item.queue = g_strdup("deferred");
	item.id = g_strdup("2ABCDE123");
	item.path = g_strdup("deferred/2ABCDE123");
	g_ptr_array_add(item.files, g_strdup(item.path));
	m = qs_msg_new();
	ok(p->load(fd, &item, m) < 0 && m->err == QS_ERR_UNREADABLE && strstr(m->error, "link"),
	   "load of a symlink to /etc/passwd: unreadable, not followed");
	qs_msg_free(&m);
	qs_item_clear(&item);

	/* a file that vanishes between walk and load */
	w = p->walk_new(fd, qdir, &err);
	while (w && p->walk_next(w, &item, &err) == 1) {
		if (strcmp(item.id, "1ABCDE123") != 0)
			continue;
		tu_sh("rm -f '%s/%s'", qdir, item.path);
		m = qs_msg_new();
		ok(p->load(fd, &item, m) < 0 && m->err == QS_ERR_UNREADABLE &&
		   strstr(m->error, "deferred/1/1ABCDE123") && strstr(m->error, "gone since the walk"),
		   "file removed between walk and load: unreadable, says so");
		is_str(m->id, "1ABCDE123", "the vanished message keeps its id");
		qs_msg_free(&m);
		n++;
	}
	is_int(n, 1, "vanish case ran once");
	p->walk_free(w);
	qs_item_clear(&item);
	g_ptr_array_free(item.files, TRUE);
	close(fd);
	g_byte_array_free(f, TRUE);
}

/* header over the cap: truncated, marked incomplete, recipients after X
 * still found (through the C record shortcut and without it) */
static void test_big(void)
{
	int pass;

	for (pass = 0; pass < 2; pass++) {
		GByteArray *f = g_byte_array_new();
		char *line = g_strnfill(1000, 'h');
		size_t data_off, x_off;
		GPtrArray *msgs;
		struct qs_msg *m;
		int i;

		envelope(f, "a@example.com");
		recs(f, 'M', "");
		data_off = f->len;
		for (i = 0; i < QS_MAX_HEADER_BLOCK / 1000 + 10; i++)
			recs(f, 'N', line);
		recs(f, 'N', "");
		for (i = 0; i < 3000; i++)
			recs(f, 'N', line);
		x_off = f->len;
		recs(f, 'X', "");
		recs(f, 'R', "extracted@example.com");
		recs(f, 'E', "");
		if (pass == 0)
			finish_c(f, data_off, x_off);
		else
			finish_c(f, data_off, x_off - 3);	/* wrong: not an X there */
		new_queue();
		put("deferred/ABCDE1234", f, 0700);
		msgs = scan();
		m = g_ptr_array_index(msgs, 0);
		ok(m->err == QS_ERR_NONE && !m->hdr_complete && m->hdr->len == QS_MAX_HEADER_BLOCK &&
		   m->body->len == 0, "%s: huge header capped, marked incomplete",
		   pass ? "bad C offsets" : "C shortcut");
		ok(m->rcpts->len == 4 &&
		   strcmp(((struct qs_rcpt *)g_ptr_array_index(m->rcpts, 3))->addr, "extracted@example.com") == 0,
		   "%s: recipient after X still read", pass ? "bad C offsets" : "C shortcut");
		is_int(m->size, (gint64)(pass ? x_off - 3 - data_off : x_off - data_off),
		       "size from the C record");
		pft_free(msgs);
		g_free(line);
		g_byte_array_free(f, TRUE);
	}
}

int main(void)
{
	test_good();
	test_no_body();
	test_pointer_over_remnant();
	test_bad_files();
	test_walk_skips();
	test_big();
	tu_cleanup();
	g_free(qdir);
	return done_testing();
}
