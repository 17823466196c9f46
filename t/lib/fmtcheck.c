/* fmtcheck.c - queue-reader test helpers; see fmtcheck.h. */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../tap.h"
#include "../testutil.h"
#include "fmtcheck.h"

static GPtrArray *kept;

char *fc_keep(char *s)
{
	if (kept == NULL)
		kept = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(kept, s);
	return s;
}

void fc_cleanup(void)
{
	tu_cleanup();
	if (kept)
		g_ptr_array_free(kept, TRUE);
	kept = NULL;
}

struct scan *fc_scan(const char *dir, const struct qs_parser *p)
{
	struct scan *s = g_new0(struct scan, 1);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	GError *err = NULL;
	struct qs_walk *w;
	struct qs_item it;
	int rc;

	s->msgs = g_ptr_array_new();
	s->walk_errors = g_ptr_array_new_with_free_func(g_free);
	if (fd < 0)
		bail("cannot open %s", dir);
	if (p == NULL) {
		GString *why = g_string_new(NULL);
		p = qs_parser_detect(fd, dir, why, &err);
		g_string_free(why, TRUE);
		if (p == NULL)
			bail("no format detected in %s: %s", dir, err->message);
	}
	w = p->walk_new(fd, dir, &err);
	if (w == NULL)
		bail("walk_new(%s): %s", dir, err ? err->message : "?");
	qs_item_init(&it);
	while ((rc = p->walk_next(w, &it, &err)) != 0) {
		struct qs_msg *m;
		if (rc < 0) {
			g_ptr_array_add(s->walk_errors, g_strdup(err ? err->message : "?"));
			g_clear_error(&err);
			continue;
		}
		m = qs_msg_new();
		rc = p->load(fd, &it, m);
		if (rc == QS_LOAD_SKIP) {	/* not a message yet (being written) */
			qs_msg_free(&m);
			continue;
		}
		if (rc == 0)
			s->loaded_ok++;
		else
			s->load_failed++;
		g_ptr_array_add(s->msgs, m);
	}
	qs_item_clear(&it);
	g_ptr_array_free(it.files, TRUE);
	p->walk_free(w);
	close(fd);
	return s;
}

void fc_scan_free(struct scan *s)
{
	for (guint i = 0; i < s->msgs->len; i++) {
		struct qs_msg *m = g_ptr_array_index(s->msgs, i);
		qs_msg_free(&m);
	}
	g_ptr_array_free(s->msgs, TRUE);
	g_ptr_array_free(s->walk_errors, TRUE);
	g_free(s);
}

struct qs_msg *fc_find(const struct scan *s, const char *id)
{
	for (guint i = 0; i < s->msgs->len; i++) {
		struct qs_msg *m = g_ptr_array_index(s->msgs, i);
		if (m->id && strcmp(m->id, id) == 0)
			return m;
	}
	return NULL;
}

char *fc_rcpts(const struct qs_msg *m, bool with_done)
{
	GString *o = g_string_new(NULL);

	for (guint i = 0; i < m->rcpts->len; i++) {
		struct qs_rcpt *r = g_ptr_array_index(m->rcpts, i);
		if (r->done && !with_done)
			continue;
		g_string_append_printf(o, "%s%s%s", o->len ? "," : "", r->done ? "D:" : "", r->addr);
	}
	return g_string_free(o, FALSE);
}

char *fc_files(const struct qs_msg *m)
{
	GString *o = g_string_new(NULL);

	for (guint i = 0; i < m->files->len; i++)
		g_string_append_printf(o, "%s%s", i ? " " : "", (char *)g_ptr_array_index(m->files, i));
	return g_string_free(o, FALSE);
}

bool fc_has_note(const struct qs_msg *m, const char *needle)
{
	for (guint i = 0; i < m->notes->len; i++)
		if (strstr(g_ptr_array_index(m->notes, i), needle))
			return true;
	return m->error && strstr(m->error, needle);
}

bool fc_any_error(const struct scan *s, const char *needle)
{
	for (guint i = 0; i < s->walk_errors->len; i++)
		if (strstr(g_ptr_array_index(s->walk_errors, i), needle))
			return true;
	return false;
}

void fc_age(const char *dir, const char *rel, long secs)
{
	char *p = g_build_filename(dir, rel, NULL);
	struct timespec ts[2];

	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= secs;
	ts[0].tv_nsec = 0;
	ts[1] = ts[0];
	if (utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW) < 0)
		bail("utimensat %s", p);
	g_free(p);
}

void fc_age_all(const char *dir, long secs)
{
	if (tu_sh("find '%s' -type f -exec touch -h -d '@%ld' {} +", dir, (long)time(NULL) - secs) != 0)
		bail("touch below %s", dir);
}

void qq_init(struct qq *q, const char *root, int split, bool bigtodo)
{
	static const char *const dirs[] = { "mess", "info", "local", "remote", NULL };
	static const char *const flat[] = { "todo", "intd", "bounce", "lock", "pid", NULL };

	q->root = fc_keep(g_strdup(root));
	q->split = split;
	q->bigtodo = bigtodo;
	for (int i = 0; dirs[i]; i++)
		for (int s = 0; s < split; s++) {
			char *d = g_strdup_printf("%s/%s/%d", root, dirs[i], s);
			g_mkdir_with_parents(d, 0750);
			g_free(d);
		}
	for (int i = 0; flat[i]; i++) {
		char *d = g_strdup_printf("%s/%s", root, flat[i]);
		g_mkdir_with_parents(d, 0750);
		if (bigtodo && i < 2)
			for (int s = 0; s < split; s++) {
				char *sd = g_strdup_printf("%s/%d", d, s);
				g_mkdir_with_parents(sd, 0750);
				g_free(sd);
			}
		g_free(d);
	}
}

char *qq_path(struct qq *q, const char *dir, unsigned long n)
{
	bool split = strcmp(dir, "bounce") != 0 &&
		     ((strcmp(dir, "todo") != 0 && strcmp(dir, "intd") != 0) || q->bigtodo);

	return split ? g_strdup_printf("%s/%lu/%lu", dir, n % (unsigned long)q->split, n)
		     : g_strdup_printf("%s/%lu", dir, n);
}

static void put(struct qq *q, const char *dir, unsigned long n, const void *b, size_t len, mode_t mode)
{
	char *rel = qq_path(q, dir, n);

	tu_write(q->root, rel, b, len, mode);
	g_free(rel);
}

void qq_mess(struct qq *q, unsigned long n, const char *text)
{
	put(q, "mess", n, text, strlen(text), 0644);
}

void qq_info(struct qq *q, unsigned long n, const void *b, size_t len)
{
	put(q, "info", n, b, len, 0600);
}

void qq_chan(struct qq *q, const char *chan, unsigned long n, const void *b, size_t len)
{
	put(q, chan, n, b, len, 0600);
}

void qq_todo(struct qq *q, unsigned long n, const void *b, size_t len)
{
	char *t = qq_path(q, "todo", n), *i = qq_path(q, "intd", n);

	put(q, "intd", n, b, len, 0644);
	if (tu_sh("ln '%s/%s' '%s/%s'", q->root, i, q->root, t) != 0)
		bail("link todo");
	g_free(t);
	g_free(i);
}
