/*
 * fuzz-qmail.c - the qmail queue walker and envelope reader. The input
 * is up to five files joined by QF_SEP: mess, info, local, remote and
 * todo of message 457 in a split-1 queue (a missing part: that file does
 * not exist, so every S1..S5 state and orphan is reachable).
 */
#include "config.h"
#include "fuzz.h"

static int rootfd = -1;
static char *root;
static const char *const files[] = {
	"mess/0/457", "info/0/457", "local/0/457", "remote/0/457", "todo/457",
};
#define NFILES (sizeof files / sizeof files[0])

static void init(void)
{
	static const char *const dirs[] = { "intd", "bounce", "lock", NULL };
	struct qf_part empty = { (const uint8_t *)"", 0 };

	root = qf_scratch("qmail", &rootfd);
	for (size_t i = 0; i < NFILES; i++)
		qf_put(rootfd, files[i], &empty);
	for (int i = 0; dirs[i]; i++) {
		char *rel = g_strdup_printf("%s/x", dirs[i]);
		qf_put(rootfd, rel, &empty);
		qf_put(rootfd, rel, NULL);
		g_free(rel);
	}
}

static int one(const uint8_t *d, size_t n)
{
	struct qf_part parts[NFILES];
	size_t k = qf_split(d, n, parts, NFILES);

	for (size_t i = 0; i < NFILES; i++)
		qf_put(rootfd, files[i], i < k ? &parts[i] : NULL);
	qf_walk_load(&qs_parser_qmail, rootfd, root);
	return 0;
}

QS_FUZZ_TARGET(qmail, init, one)
