/*
 * fuzz-postfix.c - the Postfix queue-file reader (record parser,
 * pointer records, envelope, content, extracted segment). The input is
 * one queue file, written into a scratch queue and loaded as the
 * message active/4C2F31234A would be.
 */
#include "config.h"
#include <sys/stat.h>
#include <unistd.h>
#include "fuzz.h"
#include "msg.h"

static int rootfd = -1;
static struct qs_item item;

static void init(void)
{
	char *root = qf_scratch("postfix", &rootfd);

	(void)root;
	qs_item_init(&item);
	item.queue = g_strdup("active");
	item.id = g_strdup("4C2F31234A");
	item.path = g_strdup("active/4C2F31234A");
	g_ptr_array_add(item.files, g_strdup(item.path));
	/* Postfix marks a finished queue file owner-rwx; O_TRUNC keeps it */
	qf_put(rootfd, item.path, &(struct qf_part){ (const uint8_t *)"", 0 });
	if (fchmodat(rootfd, item.path, 0700, 0) < 0)
		qf_fail(__FILE__, __LINE__, "chmod of the scratch queue file");
}

static int one(const uint8_t *d, size_t n)
{
	struct qf_part p = { d, n };
	struct qs_msg *m = qs_msg_new();

	qf_put(rootfd, item.path, &p);
	qf_check_msg(m, qs_parser_postfix.load(rootfd, &item, m));
	qs_msg_free(&m);
	return 0;
}

QS_FUZZ_TARGET(postfix, init, one)
