/* 1004-postfix-logfiles - the walk reads defer/H/ once for the messages
 * of deferred/H/ instead of asking for each message's logfile; the
 * files it finds must be exactly the ones load() found by asking:
 * hashed and flat queues, messages without a logfile, a misplaced
 * message, logfiles that are links or directories, a log directory
 * that is not there. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "tap.h"
#include "testutil.h"
#include "pftest.h"

static char *qdir;

static void put(const char *rel, mode_t mode)
{
	tu_write(qdir, rel, "x", 1, mode);
}

static char *files(GPtrArray *msgs, const char *id)
{
	struct qs_msg *m = pft_find(msgs, id);
	GString *s = g_string_new(NULL);
	guint i;

	if (m == NULL)
		return g_string_free(s, FALSE);
	for (i = 0; i < m->files->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "", (char *)g_ptr_array_index(m->files, i));
	return g_string_free(s, FALSE);
}

static void check(GPtrArray *msgs, const char *id, const char *want, const char *desc)
{
	char *got = files(msgs, id);

	is_str(got, want, "%s: %s", id, desc);
	g_free(got);
}

static void hashed_and_flat(void)
{
	char id[32];
	GPtrArray *msgs;
	int i;

	qdir = tu_tmpdir();
	tu_sh("mkdir -p '%s/deferred' '%s/incoming' '%s/defer' '%s/bounce' '%s/hold'", qdir, qdir,
	      qdir, qdir, qdir);
	/* 40 messages in deferred/1/, every other one with a defer log */
	for (i = 0; i < 40; i++) {
		char rel[64];
		snprintf(id, sizeof id, "1%04X0000", i);
		snprintf(rel, sizeof rel, "deferred/1/%s", id);
		put(rel, 0700);
		if (i % 2 == 0) {
			snprintf(rel, sizeof rel, "defer/1/%s", id);
			put(rel, 0600);
		}
	}
	put("deferred/2/2AAAA0000", 0700);	/* its log a symbolic link: not listed */
	tu_sh("cd '%s' && mkdir -p defer/2 && ln -s /etc/passwd defer/2/2AAAA0000", qdir);
	put("deferred/2/2BBBB0000", 0700);	/* its "log" a directory: not listed */
	tu_sh("mkdir -p '%s/defer/2/2BBBB0000'", qdir);
	put("deferred/2/3CCCC0000", 0700);	/* misplaced: hashes to 3 */
	put("defer/3/3CCCC0000", 0600);
	/* flat incoming/: logs all over defer/ */
	put("incoming/5DDDD0000", 0700);
	put("defer/5/5DDDD0000", 0600);
	put("incoming/6EEEE0000", 0700);
	put("defer/6/6EEEE0000", 0600);
	put("incoming/7FFFF0000", 0700);
	put("bounce/1000A0000", 0600);	/* bounce/ has logs: looked at too */
	put("bounce/5DDDD0000", 0600);
	msgs = pft_scan(qdir, NULL);
	if (msgs == NULL)
		bail("%s: not walked as Postfix", qdir);
	is_int(msgs->len, 46, "every message walked");
	check(msgs, "100000000", "deferred/1/100000000 defer/1/100000000", "defer log from the listing");
	check(msgs, "100010000", "deferred/1/100010000", "no defer log: none listed");
	check(msgs, "1000A0000", "deferred/1/1000A0000 defer/1/1000A0000 bounce/1000A0000",
	      "defer and bounce logs, in that order");
	check(msgs, "100270000", "deferred/1/100270000", "the last one without a log");
	check(msgs, "100260000", "deferred/1/100260000 defer/1/100260000", "the last one with a log");
	check(msgs, "2AAAA0000", "deferred/2/2AAAA0000", "a link is no logfile");
	check(msgs, "2BBBB0000", "deferred/2/2BBBB0000", "a directory is no logfile");
	check(msgs, "3CCCC0000", "deferred/2/3CCCC0000 defer/3/3CCCC0000",
	      "misplaced message: its log where its ID hashes");
	check(msgs, "5DDDD0000", "incoming/5DDDD0000 defer/5/5DDDD0000 bounce/5DDDD0000",
	      "flat queue: defer and bounce logs");
	check(msgs, "6EEEE0000", "incoming/6EEEE0000 defer/6/6EEEE0000", "flat queue, another hash");
	check(msgs, "7FFFF0000", "incoming/7FFFF0000", "flat queue, no log");
	pft_free(msgs);
	g_free(qdir);
}

/* no defer/ at all: nothing listed, nothing invented */
static void no_logdir(void)
{
	GPtrArray *msgs;

	qdir = tu_tmpdir();
	tu_sh("mkdir -p '%s/deferred' '%s/hold'", qdir, qdir);
	put("deferred/A/ABCDE1234", 0700);
	msgs = pft_scan(qdir, NULL);
	if (msgs == NULL)
		bail("%s: not walked as Postfix", qdir);
	check(msgs, "ABCDE1234", "deferred/A/ABCDE1234", "no defer/ directory: the queue file only");
	pft_free(msgs);
	g_free(qdir);
}

int main(void)
{
	hashed_and_flat();
	no_logdir();
	tu_cleanup();
	return done_testing();
}
