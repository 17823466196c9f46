/* 1301-icewarp-queue - the Merak/IceWarp reader on a written mail root:
 * priority sub-queues, base-name groups, heuristic envelope siblings,
 * legacy forward/ (*.tm$ in flight), temp/ never read. */
#include "config.h"
#include <string.h>
#include "tap.h"
#include "testutil.h"
#include "lib/fmtcheck.h"

#define DAY (24 * 3600L)

static const char asmtp[] =
	"Received: from [192.168.0.106] ([212.37.87.11]) by icewarp.local.test (IceWarp 11.2.1.1 RHEL6 x64)\r\n"
	"\twith ASMTP (SSL) id 202001172348481734; Fri, 17 Jan 2020 23:48:48 +0100\r\n"
	"From: x@bad.example\r\nSubject: hi\r\n\r\nbody\r\n";
static const char env1[] = "MAIL FROM:<spam@bad.example>\r\nRCPT TO:<v1@far.example>\r\nRCPT TO:<v2@far.example>\r\n";
static const char rp[] = "Return-Path: <rp@bad.example>\nReceived: from x ([198.51.100.1]) by h (IceWarp) with SMTP id 1; date\n\nb\n";
static const char plain[] = "Received: from x ([198.51.100.2]) by h with SMTP id 2; date\r\nSubject: s\r\n\r\nplain body\r\n";
static const char env2[] = "<s@bad.example>\n<r@far.example>\n";

static struct qs_msg *need(const struct scan *s, const char *id)
{
	struct qs_msg *m = fc_find(s, id);

	ok(m != NULL, "message %s reported", id);
	return m;
}

int main(void)
{
	char *root = fc_keep(tu_tmpdir()), *mail = fc_keep(g_build_filename(root, "mail", NULL)), *sub, *t;
	struct scan *s;
	struct qs_msg *m;

	tu_write(mail, "_outgoing/priority_0/202001172348481734.tmp", asmtp, sizeof asmtp - 1, 0644);
	tu_write(mail, "_outgoing/priority_0/202001172348481734.dat", env1, sizeof env1 - 1, 0644);
	tu_write(mail, "_outgoing/priority_1/202001172348481735.tmp", rp, sizeof rp - 1, 0644);
	tu_write(mail, "_outgoing/priority_1/202001172348481736.tmp", plain, sizeof plain - 1, 0644);
	tu_write(mail, "_outgoing/priority_2/JMX17238.xyz", "\x00\x01\x02junk", 7, 0644);
	tu_write(mail, "_outgoing/priority_2/ACM38534.eml", rp, sizeof rp - 1, 0644);
	tu_write(mail, "_outgoing/priority_2/ACM38534.env", env2, sizeof env2 - 1, 0644);
	/* two message-like files: the larger is the message (its bytes, kept
	 * from the sniff, must survive the sniff of the other file) */
	tu_write(mail, "_outgoing/priority_2/TWO.a", plain, sizeof plain - 1, 0644);
	tu_write(mail, "_outgoing/priority_2/TWO.b", asmtp, sizeof asmtp - 1, 0644);
	tu_write(mail, "_outgoing/priority_2/TWO.c", rp, sizeof rp - 1, 0644);
	tu_write(mail, "_outgoing/priority_3/young.tmp", rp, sizeof rp - 1, 0644);
	tu_write(mail, "_outgoing/temp/t1.tmp", rp, sizeof rp - 1, 0644);
	tu_write(mail, "_incoming/inc1.tmp", rp, sizeof rp - 1, 0644);
	tu_write(mail, "forward/A1.tmp", plain, sizeof plain - 1, 0644);
	tu_write(mail, "forward/A2.tm$", plain, sizeof plain - 1, 0644);
	tu_write(mail, "temp/SMTP/x.tmp", rp, sizeof rp - 1, 0644);
	tu_write(mail, "local.test/user/1.imap", rp, sizeof rp - 1, 0644);
	if (tu_sh("ln -s ../priority_1/202001172348481735.tmp '%s/_outgoing/priority_3/link.tmp'", mail) != 0)
		bail("symlink");
	fc_age_all(mail, DAY);
	fc_age(mail, "_outgoing/priority_3/young.tmp", 1);

	s = fc_scan(mail, NULL);
	is_int(s->msgs->len, 8, "8 messages (young, in-flight, temp, mailboxes, symlink left out)");
	is_int(s->walk_errors->len, 1, "one walk error");
	ok(fc_any_error(s, "priority_3/link.tmp: not a regular file (symbolic link)"), "symlink reported");
	ok(fc_find(s, "young") == NULL && fc_find(s, "A2") == NULL && fc_find(s, "t1") == NULL &&
	   fc_find(s, "x") == NULL && fc_find(s, "1") == NULL, "young, .tm$, temp and mailbox files skipped");

	if ((m = need(s, "202001172348481734"))) {
		is_str(m->format, "icewarp", "detected icewarp");
		is_str(m->queue, "priority_0", "queue");
		is_str(m->path, "_outgoing/priority_0/202001172348481734.tmp", "message file by content");
		t = fc_files(m);
		is_str(t, "_outgoing/priority_0/202001172348481734.tmp _outgoing/priority_0/202001172348481734.dat",
		       "both files of the group");
		g_free(t);
		is_str(m->sender, "spam@bad.example", "MAIL FROM from the sibling");
		t = fc_rcpts(m, true);
		is_str(t, "v1@far.example,v2@far.example", "RCPT TO from the sibling");
		g_free(t);
		ok(m->rcpts_known, "recipients known");
		ok(m->envelope_suspect && fc_has_note(m, "heuristically"), "heuristic envelope flagged and noted");
		is_int(m->err, QS_ERR_NONE, "loads");
		ok(m->hdr_complete && memmem(m->hdr->data, m->hdr->len, "Subject: hi\n", 12) &&
		   !memmem(m->hdr->data, m->hdr->len, "RCPT", 4), "header block of the message, not of the envelope");
	}
	if ((m = need(s, "TWO"))) {
		is_str(m->path, "_outgoing/priority_2/TWO.b", "the largest message-like file");
		ok(m->hdr_complete && memmem(m->hdr->data, m->hdr->len, "Subject: hi\n", 12) &&
		   !memmem(m->hdr->data, m->hdr->len, "Subject: s\n", 11), "its header block, not a sibling's");
		ok(fc_has_note(m, "look like messages"), "noted");
	}
	if ((m = need(s, "202001172348481735"))) {
		is_str(m->sender, "rp@bad.example", "sender from Return-Path");
		ok(fc_has_note(m, "Return-Path header"), "noted");
		ok(!m->rcpts_known, "recipients unknown");
		ok(fc_has_note(m, "inferred"), "layout inferred: said so");
	}
	if ((m = need(s, "202001172348481736"))) {
		is_str(m->sender, NULL, "no envelope: sender unknown");
		/* the body is read only for what looks like a bounce (rules 5, 8) */
		ok(m->body->len == 0, "not a bounce: body not read");
		ok(m->hdr_complete && memmem(m->hdr->data, m->hdr->len, "Subject: s\n", 11), "header block read");
	}
	if ((m = need(s, "JMX17238")))
		is_int(m->err, QS_ERR_MALFORMED, "binary file: malformed, not a message");
	if ((m = need(s, "ACM38534"))) {
		is_str(m->path, "_outgoing/priority_2/ACM38534.eml", "message file");
		is_str(m->sender, "s@bad.example", "token envelope: first = sender");
		t = fc_rcpts(m, true);
		is_str(t, "r@far.example", "token envelope: rest = recipients");
		g_free(t);
	}
	if ((m = need(s, "inc1")))
		is_str(m->queue, "_incoming", "MDA queue read");
	if ((m = need(s, "A1")))
		is_str(m->queue, "forward", "legacy forward queue");
	fc_scan_free(s);

	sub = fc_keep(g_build_filename(mail, "_outgoing", "priority_1", NULL));
	s = fc_scan(sub, NULL);
	is_int(s->msgs->len, 2, "sub-queue priority_1: 2 messages");
	if ((m = need(s, "202001172348481735"))) {
		is_str(m->path, "202001172348481735.tmp", "path relative to the sub-queue");
		is_str(m->queue, "priority_1", "queue name");
	}
	fc_scan_free(s);
		sub = fc_keep(g_build_filename(mail, "forward", NULL));
	s = fc_scan(sub, NULL);
	is_int(s->msgs->len, 1, "forward/ given directly: 1 message");
	fc_scan_free(s);
	fc_cleanup();
	return done_testing();
}
