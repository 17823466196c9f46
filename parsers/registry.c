/* registry.c - the list of queue formats and format detection. */
#include "config.h"
#include <dirent.h>
#include <string.h>
#include <unistd.h>
#include "parser.h"
#include "util.h"

const struct qs_parser *const qs_parsers[] = {
	&qs_parser_postfix,
	&qs_parser_qmail,
	&qs_parser_mdaemon,
	&qs_parser_icewarp,
	NULL,
};

void qs_item_init(struct qs_item *it)
{
	memset(it, 0, sizeof *it);
	it->files = g_ptr_array_new_with_free_func(g_free);
	it->mtime = -1;
}

void qs_item_clear(struct qs_item *it)
{
	if (it->files == NULL) {
		qs_item_init(it);
		return;
	}
	g_free(it->queue);
	g_free(it->id);
	g_free(it->path);
	it->queue = it->id = it->path = NULL;
	g_ptr_array_set_size(it->files, 0);
	it->kind = 0;
	it->mtime = -1;
}

void qs_msg_from_item(struct qs_msg *m, const char *format, const struct qs_item *item)
{
	guint i;

	m->format = format;
	m->queue = g_strdup(item->queue);
	m->id = g_strdup(item->id);
	m->path = g_strdup(item->path);
	for (i = 0; i < item->files->len; i++)
		qs_msg_add_file(m, g_ptr_array_index(item->files, i));
}

void qs_item_copy(struct qs_item *dst, const struct qs_item *src)
{
	guint i;

	qs_item_clear(dst);
	dst->queue = g_strdup(src->queue);
	dst->id = g_strdup(src->id);
	dst->path = g_strdup(src->path);
	for (i = 0; i < src->files->len; i++)
		g_ptr_array_add(dst->files, g_strdup(g_ptr_array_index(src->files, i)));
	dst->kind = src->kind;
	dst->mtime = src->mtime;
}

const struct qs_parser *qs_parser_by_name(const char *name)
{
	int i;

	if (g_ascii_strcasecmp(name, "merak") == 0)
		name = "icewarp";
	for (i = 0; qs_parsers[i]; i++)
		if (g_ascii_strcasecmp(qs_parsers[i]->name, name) == 0)
			return qs_parsers[i];
	return NULL;
}

/* up to DETECT_SEEN names of rootfd (directories with a slash) for the error */
#define DETECT_SEEN 20
static void describe_dir(int rootfd, GString *out)
{
	int fd = qs_open_dir(rootfd, ".", NULL);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int n = 0;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		g_string_append(out, "  (directory not readable)\n");
		return;
	}
	g_string_append(out, "  entries:");
	while ((de = readdir(d)) != NULL) {
		char *p;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n++ >= DETECT_SEEN)
			continue;
		p = qs_printable(de->d_name);
		g_string_append_printf(out, " %s%s", p, de->d_type == DT_DIR ? "/" : "");
		g_free(p);
	}
	closedir(d);
	if (n == 0)
		g_string_append(out, " none (empty directory)");
	else if (n > DETECT_SEEN)
		g_string_append_printf(out, " ... (%d in all)", n);
	g_string_append_c(out, '\n');
}

/*
 * qs_parser_detect - every format's probe looks at the directory shape
 * (a bounded number of names, no file contents); the most certain one
 * wins. A tie is reported in `why` and resolved by registry order.
 */
const struct qs_parser *qs_parser_detect(int rootfd, const char *root, GString *why, GError **err)
{
	const struct qs_parser *best = NULL;
	int i, best_score = 0, ties = 0;

	for (i = 0; qs_parsers[i]; i++) {
		int score = qs_parsers[i]->probe(rootfd, root, why);
		if (score > best_score) {
			best_score = score;
			best = qs_parsers[i];
			ties = 0;
		} else if (score > 0 && score == best_score) {
			ties++;
		}
	}
	if (best != NULL) {
		g_string_append_printf(why, "=> %s (certainty %d/100)%s\n", best->name, best_score,
				       ties ? "; another format scored the same: use --format to be sure" : "");
		return best;
	}
	describe_dir(rootfd, why);
	g_set_error(err, QS_ERROR, 0,
		    "%s: not a queue directory of Postfix, qmail, MDaemon or IceWarp "
		    "(give the queue root or a sub-queue, or use --format to say which); seen:\n%s",
		    root, why->str);
	return NULL;
}
