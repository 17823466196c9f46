/* 1201-mdaemon-queue - the MDaemon reader on a written Queues/ tree:
 * header envelopes of several MDaemon generations, forged duplicates,
 * route slips, lock files, RAW files, line ends, odd entries. */
#include "config.h"
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "testutil.h"
#include "lib/fmtcheck.h"

#define DAY (24 * 3600L)

/* MDaemon 16.5 style, CRLF, AV stamp on top, block below its Received */
static const char m1[] =
	"X-MDAV-Processed: mail.cls.vn, Wed, 15 Nov 2023 20:11:22 +0700\r\n"
	"Received: from [51.195.53.194] by mail.cls.vn (MDaemon PRO v16.5.2)\r\n"
	" with ESMTPA id md50005369936.msg for <devel@linuxdriverproject.org>;\r\n"
	" Wed, 15 Nov 2023 20:11:21 +0700\r\n"
	"X-Spam-Processed: mail.cls.vn, Wed, 15 Nov 2023 20:11:21 +0700\r\n"
	" (not processed: message from trusted or authenticated source)\r\n"
	"X-MDRemoteIP: 51.195.53.194\r\n"
	"X-MDHelo: [51.195.53.194]\r\n"
	"X-MDArrival-Date: Wed, 15 Nov 2023 20:11:21 +0700\r\n"
	"X-Authenticated-Sender: no-reply@cls.vn\r\n"
	"X-Return-Path: prvs=1683af5748=no-reply@cls.vn\r\n"
	"X-Envelope-From: no-reply@cls.vn\r\n"
	"X-MDaemon-Deliver-To: devel@linuxdriverproject.org\r\n"
	"From: \"Mr. X\" <x@example.org>\r\n"
	"Subject: =?ks_c_5601-1987?B?x9GxuQ==?= \xc7\xd1\xb1\xb9\r\n"
	"\r\n"
	"body\r\n";

/* MDaemon 8.1 style, LF, block appended at the end, upper-case name */
static const char m2[] =
	"Received: from xch.syd.edi ([192.168.210.4]) by dj294.syd.edi (dj294.syd.edi)\n"
	" (MDaemon.PRO.v8.1.3.T) with ESMTP id 51-md50000009479.msg for <davidj@dj294.syd.edi>;\n"
	" Tue, 08 Nov 2005 14:51:04 +1100\n"
	"From: davidj@edi.com.au\n"
	"Subject: old\n"
	"X-Spam-Processed: dj294.syd.edi, Tue, 08 Nov 2005 14:51:04 +1100\n"
	"X-MDRcpt-To: davidj@far.example\n"
	"X-Rcpt-To: davidj@far.example\n"
	"X-MDRemoteIP: 2603:7002:1:2::3\n"
	"X-Return-Path: <prvs=0a1b2c3d=davidj@edi.com.au>\n"
	"\n"
	"body\n";

/* a client forged an X-MDaemon-Deliver-To below MDaemon's block */
static const char m3[] =
	"Received: from [198.51.100.7] by mx.local.test (MDaemon PRO v20.0.0)\r\n"
	"\twith ESMTP\r\n\tid 51-pd50000000003.msg; Mon, 23 Nov 2026 10:00:00 +0000\r\n"
	"X-MDRemoteIP: 198.51.100.7\r\n"
	"X-Envelope-From: spam@bad.example\r\n"
	"X-MDaemon-Deliver-To: real@far.example\r\n"
	"X-MDaemon-Deliver-To: postmaster@local.test\r\n"
	"From: spam@bad.example\r\n"
	"X-MDaemon-Deliver-To: other@local.test\r\n"
	"\r\n"
	"body\r\n";

/* old layout, forged copy among the client's headers, real block at the end */
static const char m4[] =
	"Received: from x ([198.51.100.8]) by mx (MDaemon.PRO.v9.0.1) with ESMTP id md50000000004.msg; Mon, 23 Nov 2026 10:00:00 +0000\n"
	"From: a@bad.example\n"
	"X-MDRcpt-To: forged@local.test\n"
	"Subject: s\n"
	"X-MDRcpt-To: real4@far.example\n"
	"X-Return-Path: a@bad.example\n"
	"\n";

static const char rte5[] =
	"[RemoteHost]\r\nDeliverTo=mx.far.example\r\n[Port]\r\nPort=25\r\n"
	"[RemoteRcpts]\r\nRcpt0=a@x.example\r\nRcpt1=<b@y.example>\r\n[LocalRcpts]\r\nRcpt0=l@local.test\r\n";

static const char simple[] =
	"Received: from [192.0.2.1] by mx (MDaemon) with ESMTP id md50000000099.msg; Mon, 23 Nov 2026 10:00:00 +0000\n"
	"X-Envelope-From: s@far.example\nX-MDaemon-Deliver-To: r@far.example\n\nbody\n";

static const char cr8[] = "X-MDaemon-Deliver-To: cr@far.example\rX-Envelope-From: <>\r\rbounce body\r";
static const char none9[] = "From: someone@far.example\nSubject: no envelope\n\nbody 9\n";
static const char raw10[] =
	"from <script@local.test>\r\nto <a@far.example, b@far.example>\r\nSubject <Report>\r\n"
	"Header <X-Foo: bar>\r\nx-flag=sign\r\n\r\nraw body\r\n";

static void build(const char *q)
{
	tu_write(q, "Remote/md50000000001.msg", m1, sizeof m1 - 1, 0644);
	tu_write(q, "Remote/MD50000000002.MSG", m2, sizeof m2 - 1, 0644);
	tu_write(q, "Remote/pd50000000003.msg", m3, sizeof m3 - 1, 0644);
	tu_write(q, "Remote/md50000000004.msg", m4, sizeof m4 - 1, 0644);
	tu_write(q, "Remote/md50000000005.msg", simple, sizeof simple - 1, 0644);
	tu_write(q, "Remote/md50000000005.rte", rte5, sizeof rte5 - 1, 0644);
	tu_write(q, "Remote/md50000000006.msg", simple, sizeof simple - 1, 0644);
	tu_write(q, "Remote/MD50000000006.LCK", "", 0, 0644);
	tu_write(q, "Remote/HIWATER.MRK", "12\r\n", 4, 0644);
	tu_write(q, "Remote/notes.txt", "x", 1, 0644);
	tu_write(q, "Remote/md5000x.msg", "x", 1, 0644);
	tu_write(q, "Remote/md50000000007.msg", simple, sizeof simple - 1, 0644);
	tu_write(q, "Remote/md50000000008.msg", cr8, sizeof cr8 - 1, 0644);
	tu_write(q, "Remote/md50000000009.msg", none9, sizeof none9 - 1, 0644);
	tu_write(q, "Raw/md75000000010.raw", raw10, sizeof raw10 - 1, 0644);
	tu_write(q, "Custom/Deep/md50000000011.msg", simple, sizeof simple - 1, 0644);
	tu_write(q, "Local/md50000000012.msg", simple, sizeof simple - 1, 0644);
	if (tu_sh("ln -s md50000000001.msg '%s/Remote/md50000000013.msg'", q) != 0)
		bail("symlink");
	fc_age_all(q, DAY);
	fc_age(q, "Remote/md50000000007.msg", 1);	/* still being written */
}

static gint64 utc(int y, int mo, int d, int h, int mi, int s)
{
	GDateTime *dt = g_date_time_new_utc(y, mo, d, h, mi, s);
	gint64 t = g_date_time_to_unix(dt);

	g_date_time_unref(dt);
	return t;
}

static struct qs_msg *need(const struct scan *s, const char *id)
{
	struct qs_msg *m = fc_find(s, id);

	ok(m != NULL, "message %s reported", id);
	return m;
}

int main(void)
{
	char *root = fc_keep(tu_tmpdir()), *q = fc_keep(g_build_filename(root, "Queues", NULL)), *sub, *t;
	struct scan *s;
	struct qs_msg *m;

	build(q);
	s = fc_scan(q, NULL);
	is_int(s->msgs->len, 11, "11 messages (young, symlink, HIWATER, .rte/.lck, odd names left out)");
	is_int(s->walk_errors->len, 1, "one walk error");
	ok(fc_any_error(s, "Remote/md50000000013.msg: not a regular file (symbolic link)"), "symlink reported");
	ok(fc_find(s, "md50000000007.msg") == NULL, "young file skipped");

	if ((m = need(s, "md50000000001.msg"))) {
		is_str(m->format, "mdaemon", "detected mdaemon");
		is_str(m->queue, "Remote", "queue Remote");
		is_str(m->path, "Remote/md50000000001.msg", "path");
		is_int(m->err, QS_ERR_NONE, "loads");
		is_str(m->sender, "no-reply@cls.vn", "sender from X-Envelope-From");
		t = fc_rcpts(m, true);
		is_str(t, "devel@linuxdriverproject.org", "rcpt from X-MDaemon-Deliver-To");
		g_free(t);
		is_str(m->client_ip, "51.195.53.194", "X-MDRemoteIP");
		is_str(m->client_helo, "[51.195.53.194]", "X-MDHelo");
		is_str(m->auth_user, "no-reply@cls.vn", "X-Authenticated-Sender");
		is_int(m->arrival, utc(2023, 11, 15, 13, 11, 21), "X-MDArrival-Date");
		ok(!m->envelope_suspect, "not suspect");
		ok(memmem(m->hdr->data, m->hdr->len, "\xc7\xd1\xb1\xb9\n", 5) != NULL, "8-bit bytes kept, CRLF -> LF");
		is_int(m->body->len, 0, "no body read");
	}
	if ((m = need(s, "MD50000000002.MSG"))) {
		is_str(m->sender, "davidj@edi.com.au", "BATV stripped from X-Return-Path");
		t = fc_rcpts(m, true);
		is_str(t, "davidj@far.example", "rcpt from X-MDRcpt-To");
		g_free(t);
		is_str(m->client_ip, "2603:7002:1:2::3", "IPv6 remote IP");
		ok(!m->envelope_suspect, "X-MDRcpt-To + X-Rcpt-To is not a duplicate");
	}
	if ((m = need(s, "pd50000000003.msg"))) {
		t = fc_rcpts(m, true);
		is_str(t, "real@far.example", "forged copies ignored: MDaemon's block wins");
		g_free(t);
		ok(m->envelope_suspect, "envelope marked suspect");
		ok(fc_has_note(m, "X-MDaemon-Deliver-To occurs 3 times"), "note names the duplicated header");
	}
	if ((m = need(s, "md50000000004.msg"))) {
		t = fc_rcpts(m, true);
		is_str(t, "real4@far.example", "old layout: block at the end wins");
		g_free(t);
		ok(m->envelope_suspect, "suspect");
	}
	if ((m = need(s, "md50000000005.msg"))) {
		t = fc_rcpts(m, true);
		is_str(t, "a@x.example,b@y.example,l@local.test", "route slip overrides");
		g_free(t);
		t = fc_files(m);
		is_str(t, "Remote/md50000000005.msg Remote/md50000000005.rte", "rte belongs to the message");
		g_free(t);
	}
	if ((m = need(s, "md50000000006.msg"))) {
		ok(m->busy, "lock file: busy");
		t = fc_files(m);
		is_str(t, "Remote/md50000000006.msg Remote/MD50000000006.LCK", "lck belongs to the message");
		g_free(t);
	}
	if ((m = need(s, "md50000000008.msg"))) {
		is_str(m->sender, "", "CR-only file: null sender");
		t = fc_rcpts(m, true);
		is_str(t, "cr@far.example", "CR-only file: recipient");
		g_free(t);
		ok(m->body->len > 0 && memmem(m->body->data, m->body->len, "bounce body", 11), "body read for <>");
	}
	if ((m = need(s, "md50000000009.msg"))) {
		is_str(m->sender, NULL, "no envelope headers: sender unknown");
		ok(!m->rcpts_known, "recipients unknown");
		ok(m->body->len > 0, "body read for unknown sender");
	}
	if ((m = need(s, "md75000000010.raw"))) {
		is_str(m->queue, "Raw", "RAW queue");
		is_str(m->sender, "script@local.test", "RAW from");
		t = fc_rcpts(m, true);
		is_str(t, "a@far.example,b@far.example", "RAW to list");
		g_free(t);
		ok(m->local_submission, "RAW is a local injection");
		ok(memmem(m->hdr->data, m->hdr->len, "Subject: Report\n", 16) &&
		   memmem(m->hdr->data, m->hdr->len, "X-Foo: bar\n", 11), "RAW header lines become fields");
		is_int(m->err, QS_ERR_NONE, "RAW loads");
	}
	if ((m = need(s, "md50000000011.msg")))
		is_str(m->queue, "Custom/Deep", "custom nested queue");
	fc_scan_free(s);

	/* pointing at a sub-queue */
	sub = fc_keep(g_build_filename(q, "Remote", NULL));
	s = fc_scan(sub, NULL);
	is_int(s->msgs->len, 8, "sub-queue Remote: its 8 messages");
	if ((m = need(s, "md50000000005.msg"))) {
		is_str(m->path, "md50000000005.msg", "paths relative to the sub-queue");
		is_str(m->queue, "Remote", "queue = the directory's name");
		is_int(m->files->len, 2, "rte still found");
	}
	fc_scan_free(s);
	fc_cleanup();
	return done_testing();
}
