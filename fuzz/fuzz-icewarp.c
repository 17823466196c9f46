/*
 * fuzz-icewarp.c - the Merak/IceWarp queue walker and reader. The input
 * is _outgoing/priority_0/202001172348481734.tmp, optionally followed
 * (after QF_SEP) by the .dat envelope beside it and then by a second
 * message file of the same id with another extension (.eml), so the
 * reader's choice among a message's files is exercised too.
 */
#include "config.h"
#include "fuzz.h"

static int rootfd = -1;
static char *root;

static void init(void)
{
	struct qf_part empty = { (const uint8_t *)"", 0 };

	root = qf_scratch("icewarp", &rootfd);
	qf_put(rootfd, "_outgoing/priority_1/.keep", &empty);
	qf_put(rootfd, "_incoming/.keep", &empty);
}

static int one(const uint8_t *d, size_t n)
{
	struct qf_part parts[3];
	size_t k = qf_split(d, n, parts, 3);

	qf_put(rootfd, "_outgoing/priority_0/202001172348481734.tmp", &parts[0]);
	qf_put(rootfd, "_outgoing/priority_0/202001172348481734.dat", k > 1 ? &parts[1] : NULL);
	qf_put(rootfd, "_outgoing/priority_0/202001172348481734.eml", k > 2 ? &parts[2] : NULL);
	qf_walk_load(&qs_parser_icewarp, rootfd, root);
	return 0;
}

QS_FUZZ_TARGET(icewarp, init, one)
