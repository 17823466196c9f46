/* pftest.c - helpers for the Postfix reader tests; see pftest.h. */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "parser.h"
#include "pftest.h"

static void msg_free(gpointer p)
{
	struct qs_msg *m = p;

	qs_msg_free(&m);
}

GPtrArray *pft_scan(const char *dir, GPtrArray *errs)
{
	const struct qs_parser *p = &qs_parser_postfix;
	GString *why = g_string_new(NULL);
	GPtrArray *msgs;
	struct qs_walk *w;
	struct qs_item item;
	GError *err = NULL;
	int fd = open(dir, O_RDONLY | O_DIRECTORY), rc;

	if (fd < 0 || p->probe(fd, dir, why) == 0 || (w = p->walk_new(fd, dir, &err)) == NULL) {
		g_clear_error(&err);
		g_string_free(why, TRUE);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	g_string_free(why, TRUE);
	msgs = g_ptr_array_new_with_free_func(msg_free);
	qs_item_init(&item);
	while ((rc = p->walk_next(w, &item, &err)) != 0) {
		struct qs_msg *m;
		if (rc < 0) {
			if (errs)
				g_ptr_array_add(errs, g_strdup(err->message));
			g_clear_error(&err);
			continue;
		}
		m = qs_msg_new();
		if (p->load(fd, &item, m) == QS_LOAD_SKIP) {
			qs_msg_free(&m);
			continue;
		}
		g_ptr_array_add(msgs, m);
	}
	p->walk_free(w);
	qs_item_clear(&item);
	g_ptr_array_free(item.files, TRUE);
	close(fd);
	return msgs;
}

struct qs_msg *pft_find(GPtrArray *msgs, const char *id)
{
	guint i;

	for (i = 0; msgs && i < msgs->len; i++) {
		struct qs_msg *m = g_ptr_array_index(msgs, i);
		if (strcmp(m->id, id) == 0)
			return m;
	}
	return NULL;
}

void pft_free(GPtrArray *msgs)
{
	if (msgs)
		g_ptr_array_free(msgs, TRUE);
}

char *pft_rcpts(const struct qs_msg *m, bool all)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; m && i < m->rcpts->len; i++) {
		const struct qs_rcpt *r = g_ptr_array_index(m->rcpts, i);
		if (r->done && !all)
			continue;
		if (s->len)
			g_string_append_c(s, ',');
		if (r->done)
			g_string_append_c(s, '-');
		g_string_append(s, r->addr);
	}
	return g_string_free(s, FALSE);
}

bool pft_has_file(const struct qs_msg *m, const char *rel)
{
	guint i;

	for (i = 0; m && i < m->files->len; i++)
		if (strcmp(g_ptr_array_index(m->files, i), rel) == 0)
			return true;
	return false;
}

bool pft_hdr_has(const struct qs_msg *m, const char *needle)
{
	size_t n = strlen(needle);

	return m && m->hdr->len >= n && memmem(m->hdr->data, m->hdr->len, needle, n) != NULL;
}
