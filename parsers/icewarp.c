/* icewarp.c - STUB: the icewarp queue reader is not written yet. */
#include "config.h"
#include "parser.h"

static int probe(int rootfd, const char *root, GString *why)
{
	return 0;
}

static struct qs_walk *walk_new(int rootfd, const char *root, GError **err)
{
	return NULL;
}

static int walk_next(struct qs_walk *w, struct qs_item *item, GError **err)
{
	return 0;
}

static void walk_free(struct qs_walk *w)
{
}

static int load(int rootfd, const struct qs_item *item, struct qs_msg *m)
{
	return -1;
}

const struct qs_parser qs_parser_icewarp = {
	.name = "icewarp",
	.probe = probe,
	.walk_new = walk_new,
	.walk_next = walk_next,
	.walk_free = walk_free,
	.load = load,
};
