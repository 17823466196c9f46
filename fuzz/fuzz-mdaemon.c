/*
 * fuzz-mdaemon.c - the MDaemon queue walker and .msg/.rte reader. The
 * input is Remote/md50000000001.msg, optionally followed (after QF_SEP)
 * by its .rte companion.
 */
#include "config.h"
#include "fuzz.h"

static int rootfd = -1;
static char *root;

static void init(void)
{
	struct qf_part empty = { (const uint8_t *)"", 0 };

	root = qf_scratch("mdaemon", &rootfd);
	qf_put(rootfd, "Remote/HIWATER.MRK", &empty);
}

static int one(const uint8_t *d, size_t n)
{
	struct qf_part parts[2];
	size_t k = qf_split(d, n, parts, 2);

	qf_put(rootfd, "Remote/md50000000001.msg", &parts[0]);
	qf_put(rootfd, "Remote/md50000000001.rte", k > 1 ? &parts[1] : NULL);
	qf_walk_load(&qs_parser_mdaemon, rootfd, root);
	return 0;
}

QS_FUZZ_TARGET(mdaemon, init, one)
