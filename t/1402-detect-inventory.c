/* 1402-detect-inventory - `qscan inventory` for the four formats:
 * format and evidence, files by pattern with sizes, bounded samples,
 * messages walked and files that belong to no message. */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "testutil.h"
#include "inventory.h"
#include "lib/fmtcheck.h"

#define DAY (24 * 3600L)

static char *inv(const char *dir, const struct qs_parser *p, bool json)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	GString *out = g_string_new(NULL);
	GError *err = NULL;

	if (fd < 0)
		bail("open %s", dir);
	if (qs_inventory(fd, dir, p, out, json, &err) != 0)
		bail("inventory %s: %s", dir, err ? err->message : "?");
	close(fd);
	return g_string_free(out, FALSE);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void qmail(const char *root)
{
	char *d = fc_keep(g_build_filename(root, "qmail", NULL)), *o;
	struct qq q;

	qq_init(&q, d, 23, false);
	qq_mess(&q, 1000, "Received: (qmail 1 invoked by uid 0); date\n\nx\n");
	qq_info(&q, 1000, QQ_BYTES("Fa@b.example\0"));
	qq_chan(&q, "remote", 1000, QQ_BYTES("Tx@y.example\0"));
	qq_mess(&q, 1001, "Subject: y\n\n");
	qq_todo(&q, 1001, QQ_BYTES("u0\0p1\0Fa@b\0Tc@d\0"));
	qq_info(&q, 999, QQ_BYTES("Fstray@b.example\0"));	/* no mess: belongs to nothing */
	tu_write(d, "lock/sendmutex", "", 0, 0600);
	fc_age_all(d, 2 * DAY);
	o = inv(d, NULL, false);
	ok(strstr(o, "format: qmail\n") != NULL, "qmail detected");
	ok(strstr(o, "<digits>") != NULL, "<digits> pattern");
	ok(strstr(o, "reader qmail: 2 messages, 0 entries") != NULL, "2 messages walked");
	ok(strstr(o, "files that belong to no message: 2\n") != NULL, "stray info and lock file unplaced");
	ok(strstr(o, "info/10/999") != NULL, "the stray file is named");
	if (!ok(strstr(o, "first bytes: ") != NULL, "first bytes of a sample shown"))
		diag("%s", o);
	g_free(o);
	}

static void mdaemon(const char *root)
{
	char *d = fc_keep(g_build_filename(root, "Queues", NULL)), *o;
	const char msg[] = "X-MDaemon-Deliver-To: a@b.example\r\nX-Envelope-From: c@d.example\r\n\r\nbody\r\n";

	for (int i = 0; i < 20; i++) {
		char *n = g_strdup_printf("Remote/md500000%05d.msg", i);
		tu_write(d, n, msg, sizeof msg - 1, 0644);
		g_free(n);
	}
	tu_write(d, "Remote/md50000000003.rte", "[RemoteRcpts]\r\nRcpt0=x@y.example\r\n", 33, 0644);
	tu_write(d, "Remote/HIWATER.MRK", "20", 2, 0644);
	tu_write(d, "Remote/notes.txt", "n", 1, 0644);
	fc_age_all(d, DAY);
	o = inv(d, NULL, true);
	ok(g_str_has_prefix(o, "{\"type\":\"inventory\",") && g_str_has_suffix(o, "}\n"), "one JSON object");
	ok(strstr(o, "\"format\":\"mdaemon\"") != NULL, "mdaemon detected");
	ok(strstr(o, "{\"pattern\":\"md*.msg\",\"files\":20,\"bytes\":1460,\"unplaced\":0,") != NULL,
	   "md*.msg count and total size");
	ok(strstr(o, "{\"pattern\":\"*.rte\",\"files\":1,") != NULL, "*.rte counted");
	ok(strstr(o, "{\"pattern\":\"HIWATER.MRK\",\"files\":1,\"bytes\":2,\"unplaced\":1,") != NULL,
	   "HIWATER.MRK belongs to no message");
	if (!is_int(count(o, ".msg\",\"Remote/") + count(o, ".msg\"]"), 5, "samples capped at %d", QS_INV_SAMPLES))
		diag("%s", o);
	ok(strstr(o, "\"messages\":20,\"walk_errors\":0") != NULL, "20 messages walked");
	ok(strstr(o, "\"unplaced\":2}") != NULL, "2 files unplaced (HIWATER.MRK, notes.txt)");
	ok(strstr(o, "\"head\":\"X-MDaemon-Deliver-To: a@b.example\\\\r\\\\n") != NULL, "head escaped");
	g_free(o);
	}

static void icewarp(const char *root)
{
	char *d = fc_keep(g_build_filename(root, "mail", NULL)), *o;
	const char msg[] = "Received: from x ([192.0.2.1]) by h with ASMTP id 1; date\r\n\r\nb\r\n";

	tu_write(d, "_outgoing/priority_0/202001172348481734.tmp", msg, sizeof msg - 1, 0644);
	tu_write(d, "_outgoing/priority_0/202001172348481734.dat", "MAIL FROM:<a@b>\r\n", 17, 0644);
	tu_write(d, "_outgoing/priority_2/ACM38534.tmp", msg, sizeof msg - 1, 0644);
	tu_write(d, "_outgoing/temp/zz.tmp", msg, sizeof msg - 1, 0644);
	tu_write(d, "local.test/u/1.imap", msg, sizeof msg - 1, 0644);
	fc_age_all(d, DAY);
	o = inv(d, NULL, false);
	ok(strstr(o, "format: icewarp\n") != NULL, "icewarp detected");
	ok(strstr(o, "<18-digit id>.*") != NULL, "18-digit id pattern");
	ok(strstr(o, "<AAA00000 id>.*") != NULL, "Merak id pattern");
	ok(strstr(o, "reader icewarp: 2 messages") != NULL, "2 messages walked");
	ok(strstr(o, "files that belong to no message: 1\n") && strstr(o, "_outgoing/temp/zz.tmp"),
	   "temp file unplaced");
	ok(strstr(o, ".imap") == NULL, "mailboxes are not counted");
	g_free(o);
	}

static void postfix_and_unknown(const char *root)
{
	char *tar = tu_shared("fixtures/postfix-3.7.11-queue-final.tar"), *d, *o;

	d = fc_keep(g_build_filename(root, "nothing", NULL));
	tu_write(d, "a.txt", "hello", 5, 0644);
	o = inv(d, NULL, false);
	ok(strstr(o, "format: unknown\n") && strstr(o, "*.txt") && strstr(o, "reader: none"),
	   "unknown format: still a census");
	g_free(o);
		if (tar == NULL) {
		skip("postfix fixture not in $QSCAN_SHARED");
		return;
	}
	d = fc_keep(g_build_filename(root, "postfix", NULL));
	g_mkdir_with_parents(d, 0755);
	if (tu_sh("cd '%s' && tar --numeric-owner -xpf '%s'", d, tar) != 0)
		bail("extract");
	o = inv(d, &qs_parser_postfix, true);
	ok(strstr(o, "\"format\":\"postfix\"") && strstr(o, "format forced: postfix"), "forced format");
	ok(strstr(o, "{\"pattern\":\"<hex queue id>\"") && strstr(o, "{\"pattern\":\"<long queue id>\""),
	   "Postfix short and long queue IDs recognised");
	g_free(o);
		g_free(tar);
}

int main(void)
{
	char *root = fc_keep(tu_tmpdir());

	qmail(root);
	mdaemon(root);
	icewarp(root);
	postfix_and_unknown(root);
	fc_cleanup();
	return done_testing();
}
