/*
 * pfdump - test tool: walk a Postfix queue (or one of its queues) with
 * qs_parser_postfix and print one JSON object per message, in walk
 * order. With -H the header block is included, with -B the body.
 *   pfdump [-H] [-B] DIR
 * Exit 0 when the walk finished (bad messages are printed with
 * "error"), 2 when DIR is no Postfix queue.
 */
#include "config.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "msg.h"
#include "parser.h"
#include "util.h"

static void str_member(GString *o, const char *name, const char *v)
{
	g_string_append_printf(o, ", \"%s\": ", name);
	qs_json_str(o, v);
}

static void blob_member(GString *o, const char *name, const GByteArray *a)
{
	char *s = g_strndup((const char *)a->data, a->len);

	str_member(o, name, s);
	g_free(s);
}

static void dump(const struct qs_msg *m, bool with_hdr, bool with_body)
{
	GString *o = g_string_new("{\"queue\": ");
	guint i;

	qs_json_str(o, m->queue);
	str_member(o, "id", m->id);
	str_member(o, "path", m->path);
	str_member(o, "sender", m->sender);
	g_string_append(o, ", \"rcpts\": [");
	for (i = 0; i < m->rcpts->len; i++) {
		const struct qs_rcpt *r = g_ptr_array_index(m->rcpts, i);
		g_string_append(o, i ? ", {\"addr\": " : "{\"addr\": ");
		qs_json_str(o, r->addr);
		str_member(o, "orig", r->orig);
		g_string_append_printf(o, ", \"done\": %s}", r->done ? "true" : "false");
	}
	g_string_append(o, "], \"files\": [");
	for (i = 0; i < m->files->len; i++) {
		if (i)
			g_string_append(o, ", ");
		qs_json_str(o, g_ptr_array_index(m->files, i));
	}
	g_string_append_printf(o, "], \"arrival\": %" G_GINT64_FORMAT ", \"size\": %" G_GINT64_FORMAT,
			       m->arrival, m->size);
	str_member(o, "client_ip", m->client_ip);
	str_member(o, "client_helo", m->client_helo);
	str_member(o, "client_name", m->client_name);
	str_member(o, "auth_user", m->auth_user);
	g_string_append_printf(o, ", \"local\": %s, \"busy\": %s, \"hdr_complete\": %s, "
			       "\"body_complete\": %s, \"hdr_len\": %u, \"body_len\": %u",
			       m->local_submission ? "true" : "false", m->busy ? "true" : "false",
			       m->hdr_complete ? "true" : "false", m->body_complete ? "true" : "false",
			       m->hdr->len, m->body->len);
	if (with_hdr)
		blob_member(o, "hdr", m->hdr);
	if (with_body)
		blob_member(o, "body", m->body);
	str_member(o, "error", m->error);
	g_string_append(o, "}\n");
	fputs(o->str, stdout);
	g_string_free(o, TRUE);
}

int main(int argc, char **argv)
{
	const struct qs_parser *p = &qs_parser_postfix;
	bool with_hdr = false, with_body = false;
	struct qs_walk *w;
	struct qs_item item;
	struct qs_msg *m = qs_msg_new();
	GError *err = NULL;
	GString *why = g_string_new(NULL);
	int fd, rc, c;

	while ((c = getopt(argc, argv, "HB")) != -1) {
		if (c == 'H')
			with_hdr = true;
		else if (c == 'B')
			with_body = true;
		else
			return 2;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: pfdump [-H] [-B] DIR\n");
		return 2;
	}
	fd = open(argv[optind], O_RDONLY | O_DIRECTORY);
	if (fd < 0 || p->probe(fd, argv[optind], why) == 0) {
		fprintf(stderr, "pfdump: %s: not a Postfix queue: %s", argv[optind], why->str);
		return 2;
	}
	w = p->walk_new(fd, argv[optind], &err);
	if (w == NULL) {
		fprintf(stderr, "pfdump: %s\n", err->message);
		return 2;
	}
	qs_item_init(&item);
	while ((rc = p->walk_next(w, &item, &err)) != 0) {
		if (rc < 0) {
			fprintf(stderr, "pfdump: %s\n", err->message);
			g_clear_error(&err);
			continue;
		}
		qs_msg_clear(m);
		if (p->load(fd, &item, m) == QS_LOAD_SKIP)
			continue;
		dump(m, with_hdr, with_body);
	}
	p->walk_free(w);
	qs_item_clear(&item);
	g_ptr_array_free(item.files, TRUE);
	qs_msg_free(&m);
	g_string_free(why, TRUE);
	close(fd);
	return 0;
}
