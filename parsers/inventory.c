/* inventory.c - `qscan inventory`; see inventory.h. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "qs_limits.h"
#include "util.h"
#include "plainmsg.h"
#include "inventory.h"

struct pattern {
	char *name;
	guint64 files, bytes, unplaced;
	GPtrArray *samples;	/* relative paths */
	GPtrArray *unplaced_samples;
};

struct census {
	int rootfd;
	GHashTable *pats;	/* name -> struct pattern * */
	GPtrArray *order;	/* struct pattern * in first-seen order */
	GHashTable *placed;	/* relative paths owned by some message */
	guint64 files, bytes, unplaced, dirs;
};

static bool digits(const char *s, size_t n)
{
	return n > 0 && strspn(s, "0123456789") == n;
}

static bool ext_is(const char *s, size_t n, const char *ext)
{
	size_t e = strlen(ext);

	return n > e && g_ascii_strcasecmp(s + n - e, ext) == 0;
}

/* the pattern a file name falls under; static strings or a new "*.ext" */
static char *classify(const char *s)
{
	size_t n = strlen(s), stem = strcspn(s, ".");
	const char *dot = strrchr(s, '.');

	if (n >= 8 && (g_ascii_strncasecmp(s, "md", 2) == 0 || g_ascii_strncasecmp(s, "pd", 2) == 0) &&
	    ext_is(s, n, ".msg") && digits(s + 2, n - 6) && n - 6 >= 3)
		return g_strdup(g_ascii_tolower(s[0]) == 'm' ? "md*.msg" : "pd*.msg");
	if (g_ascii_strcasecmp(s, "HIWATER.MRK") == 0)
		return g_strdup("HIWATER.MRK");
	if (digits(s, n))
		return g_strdup("<digits>");
	if (stem == 18 && digits(s, 18))
		return g_strdup(n == 18 ? "<18-digit id>" : "<18-digit id>.*");
	if (stem == 8 && g_ascii_isupper(s[0]) && g_ascii_isupper(s[1]) && g_ascii_isupper(s[2]) &&
	    digits(s + 3, 5))
		return g_strdup(n == 8 ? "<AAA00000 id>" : "<AAA00000 id>.*");
	if (dot == NULL && n >= 6 && n <= 12 && strspn(s, "0123456789ABCDEF") == n)
		return g_strdup("<hex queue id>");
	if (dot == NULL && n >= 12 && n <= 20 && strspn(s, "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz") == n)
		return g_strdup("<long queue id>");
	if (dot != NULL && dot[1] != '\0' && strlen(dot) <= 8) {
		char *low = g_ascii_strdown(dot, -1), *p = g_strconcat("*", low, NULL);
		g_free(low);
		return p;
	}
	return g_strdup(dot ? "other" : "other (no extension)");
}

static struct pattern *pattern_get(struct census *c, const char *name)
{
	struct pattern *p = g_hash_table_lookup(c->pats, name);

	if (p == NULL) {
		if (c->order->len >= QS_INV_PATTERNS && strcmp(name, "other") != 0)
			return pattern_get(c, "other");
		p = g_new0(struct pattern, 1);
		p->name = g_strdup(name);
		p->samples = g_ptr_array_new_with_free_func(g_free);
		p->unplaced_samples = g_ptr_array_new_with_free_func(g_free);
		g_hash_table_insert(c->pats, p->name, p);
		g_ptr_array_add(c->order, p);
	}
	return p;
}

static void pattern_free(gpointer v)
{
	struct pattern *p = v;

	g_free(p->name);
	g_ptr_array_free(p->samples, TRUE);
	g_ptr_array_free(p->unplaced_samples, TRUE);
	g_free(p);
}

static void count_file(struct census *c, const char *rel, const char *name, const struct stat *st)
{
	char *pn = S_ISLNK(st->st_mode) ? g_strdup("(symbolic link)") :
		   !S_ISREG(st->st_mode) ? g_strdup("(special file)") : classify(name);
	struct pattern *p = pattern_get(c, pn);

	g_free(pn);
	p->files++;
	c->files++;
	if (S_ISREG(st->st_mode)) {
		p->bytes += (guint64)st->st_size;
		c->bytes += (guint64)st->st_size;
	}
	if (p->samples->len < QS_INV_SAMPLES)
		g_ptr_array_add(p->samples, g_strdup(rel));
	if (c->placed != NULL && !g_hash_table_contains(c->placed, rel)) {
		p->unplaced++;
		c->unplaced++;
		if (p->unplaced_samples->len < QS_INV_SAMPLES)
			g_ptr_array_add(p->unplaced_samples, g_strdup(rel));
	}
}

static void census_dir(struct census *c, const char *rel, int depth)
{
	DIR *d = qs_opendir_rel(c->rootfd, rel, NULL);
	struct dirent *de;

	if (d == NULL)
		return;
	c->dirs++;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *r;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* vanished */
		r = qs_relpath(rel, de->d_name);
		if (S_ISDIR(st.st_mode)) {
			if (depth < QS_MAX_DIR_DEPTH)
				census_dir(c, r, depth + 1);
		} else {
			count_file(c, r, de->d_name, &st);
		}
		g_free(r);
	}
	closedir(d);
}

/* the first bytes of a file, escaped to printable ASCII */
static char *file_head(int rootfd, const char *rel)
{
	guint8 buf[QS_INV_HEAD];
	struct stat st;
	GString *s;
	int fd = qs_open_file(rootfd, rel, &st, NULL);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return NULL;
	s = g_string_new(NULL);
	for (ssize_t i = 0; i < n; i++) {
		guint8 b = buf[i];
		if (b == '\n')
			g_string_append(s, "\\n");
		else if (b == '\r')
			g_string_append(s, "\\r");
		else if (b == '\\')
			g_string_append(s, "\\\\");
		else if (b < 0x20 || b >= 0x7f)
			g_string_append_printf(s, "\\x%02x", b);
		else
			g_string_append_c(s, (char)b);
	}
	return g_string_free(s, FALSE);
}

struct walkres {
	guint64 messages, errors;
	GPtrArray *errtext;
};

static void walk_queue(int rootfd, const char *root, const struct qs_parser *p,
		       GHashTable *placed, struct walkres *r)
{
	struct qs_item it;
	GError *err = NULL;
	struct qs_walk *w = p->walk_new(rootfd, root, &err);
	int rc;

	if (w == NULL) {
		r->errors++;
		g_ptr_array_add(r->errtext, g_strdup(err ? err->message : "cannot start the walk"));
		g_clear_error(&err);
		return;
	}
	qs_item_init(&it);
	while ((rc = p->walk_next(w, &it, &err)) != 0) {
		if (rc < 0) {
			r->errors++;
			if (r->errtext->len < QS_INV_ERRORS)
				g_ptr_array_add(r->errtext, g_strdup(err ? err->message : "?"));
			g_clear_error(&err);
			continue;
		}
		r->messages++;
		for (guint i = 0; i < it.files->len; i++)
			g_hash_table_add(placed, g_strdup(g_ptr_array_index(it.files, i)));
	}
	qs_item_clear(&it);
	g_ptr_array_free(it.files, TRUE);
	p->walk_free(w);
}

static void json_samples(GString *out, const GPtrArray *a)
{
	g_string_append_c(out, '[');
	for (guint i = 0; i < a->len; i++) {
		if (i)
			g_string_append_c(out, ',');
		qs_json_str(out, g_ptr_array_index(a, i));
	}
	g_string_append_c(out, ']');
}

static void text_samples(GString *out, const GPtrArray *a)
{
	for (guint i = 0; i < a->len; i++) {
		char *p = qs_printable(g_ptr_array_index(a, i));
		g_string_append_printf(out, "%s%s", i ? ", " : "", p);
		g_free(p);
	}
}

static void report_json(GString *out, const char *root, const struct qs_parser *p, const char *why,
			struct census *c, const struct walkres *r)
{
	char **lines = g_strsplit(why, "\n", 0);

	g_string_append(out, "{\"type\":\"inventory\",\"root\":");
	qs_json_str(out, root);
	g_string_append(out, ",\"format\":");
	qs_json_str(out, p ? p->name : NULL);
	g_string_append(out, ",\"why\":[");
	for (int i = 0, k = 0; lines[i]; i++)
		if (*lines[i]) {
			if (k++)
				g_string_append_c(out, ',');
			qs_json_str(out, lines[i]);
		}
	g_strfreev(lines);
	g_string_append_printf(out, "],\"directories\":%" G_GUINT64_FORMAT ",\"files\":%" G_GUINT64_FORMAT
			       ",\"bytes\":%" G_GUINT64_FORMAT ",\"patterns\":[", c->dirs, c->files, c->bytes);
	for (guint i = 0; i < c->order->len; i++) {
		struct pattern *pt = g_ptr_array_index(c->order, i);
		char *head = pt->samples->len ? file_head(c->rootfd, g_ptr_array_index(pt->samples, 0)) : NULL;
		if (i)
			g_string_append_c(out, ',');
		g_string_append(out, "{\"pattern\":");
		qs_json_str(out, pt->name);
		g_string_append_printf(out, ",\"files\":%" G_GUINT64_FORMAT ",\"bytes\":%" G_GUINT64_FORMAT
				       ",\"unplaced\":%" G_GUINT64_FORMAT ",\"samples\":",
				       pt->files, pt->bytes, pt->unplaced);
		json_samples(out, pt->samples);
		g_string_append(out, ",\"unplaced_samples\":");
		json_samples(out, pt->unplaced_samples);
		g_string_append(out, ",\"head\":");
		qs_json_str(out, head);
		g_string_append_c(out, '}');
		g_free(head);
	}
	g_string_append(out, "],\"messages\":");
	if (p)
		g_string_append_printf(out, "%" G_GUINT64_FORMAT, r->messages);
	else
		g_string_append(out, "null");
	g_string_append_printf(out, ",\"walk_errors\":%" G_GUINT64_FORMAT ",\"errors\":", r->errors);
	json_samples(out, r->errtext);
	g_string_append(out, ",\"unplaced\":");
	if (p)
		g_string_append_printf(out, "%" G_GUINT64_FORMAT, c->unplaced);
	else
		g_string_append(out, "null");
	g_string_append(out, "}\n");
}

static void report_text(GString *out, const char *root, const struct qs_parser *p, const char *why,
			struct census *c, const struct walkres *r)
{
	char *proot = qs_printable(root);

	g_string_append_printf(out, "queue directory: %s\nformat: %s\n", proot, p ? p->name : "unknown");
	g_free(proot);
	g_string_append(out, "evidence:\n");
	for (const char *l = why; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		g_string_append_printf(out, "  %.*s\n", (int)n, l);
		l += n + (e ? 1 : 0);
	}
	g_string_append_printf(out, "files: %" G_GUINT64_FORMAT " in %" G_GUINT64_FORMAT
			       " directories, %" G_GUINT64_FORMAT " bytes\n", c->files, c->dirs, c->bytes);
	for (guint i = 0; i < c->order->len; i++) {
		struct pattern *pt = g_ptr_array_index(c->order, i);
		char *head = pt->samples->len ? file_head(c->rootfd, g_ptr_array_index(pt->samples, 0)) : NULL;
		g_string_append_printf(out, "  %-18s %8" G_GUINT64_FORMAT " files %12" G_GUINT64_FORMAT
				       " bytes  e.g. ", pt->name, pt->files, pt->bytes);
		text_samples(out, pt->samples);
		g_string_append_c(out, '\n');
		if (head)
			g_string_append_printf(out, "  %-18s first bytes: %s\n", "", head);
		g_free(head);
	}
	if (p == NULL) {
		g_string_append(out, "reader: none (format unknown; use --format to try one)\n");
		return;
	}
	g_string_append_printf(out, "reader %s: %" G_GUINT64_FORMAT " messages, %" G_GUINT64_FORMAT
			       " entries it could not walk\n", p->name, r->messages, r->errors);
	for (guint i = 0; i < r->errtext->len; i++) {
		char *e = qs_printable(g_ptr_array_index(r->errtext, i));
		g_string_append_printf(out, "  %s\n", e);
		g_free(e);
	}
	g_string_append_printf(out, "files that belong to no message: %" G_GUINT64_FORMAT "\n", c->unplaced);
	for (guint i = 0; i < c->order->len; i++) {
		struct pattern *pt = g_ptr_array_index(c->order, i);
		if (pt->unplaced == 0)
			continue;
		g_string_append_printf(out, "  %-18s %8" G_GUINT64_FORMAT " files  e.g. ", pt->name, pt->unplaced);
		text_samples(out, pt->unplaced_samples);
		g_string_append_c(out, '\n');
	}
}

int qs_inventory(int rootfd, const char *root, const struct qs_parser *forced,
		 GString *out, bool json, GError **err)
{
	static const char *const iw_queues[] = { "_outgoing", "_incoming", "forward", NULL };
	GString *why = g_string_new(NULL);
	const struct qs_parser *p = forced;
	struct census c = { 0 };
	struct walkres r = { 0 };
	GError *derr = NULL;
	int fd = qs_open_dir(rootfd, ".", err), i, n = 0;

	if (fd < 0) {
		g_string_free(why, TRUE);
		return -1;
	}
	close(fd);
	if (p != NULL)
		g_string_append_printf(why, "format forced: %s\n", p->name);
	else if ((p = qs_parser_detect(rootfd, root, why, &derr)) == NULL)
		g_clear_error(&derr);	/* `why` already lists what was seen */

	c.rootfd = rootfd;
	c.pats = g_hash_table_new(g_str_hash, g_str_equal);
	c.order = g_ptr_array_new_with_free_func(pattern_free);
	r.errtext = g_ptr_array_new_with_free_func(g_free);
	if (p != NULL) {
		c.placed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		walk_queue(rootfd, root, p, c.placed, &r);
	}
	/* an IceWarp mail root also holds every mailbox: count its queues only */
	for (i = 0; iw_queues[i]; i++) {
		struct stat st;
		if (fstatat(rootfd, iw_queues[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			census_dir(&c, iw_queues[i], 1);
			n++;
		}
	}
	if (n == 0)
		census_dir(&c, "", 0);

	if (json)
		report_json(out, root, p, why->str, &c, &r);
	else
		report_text(out, root, p, why->str, &c, &r);

	g_ptr_array_free(c.order, TRUE);
	g_hash_table_destroy(c.pats);
	if (c.placed)
		g_hash_table_destroy(c.placed);
	g_ptr_array_free(r.errtext, TRUE);
	g_string_free(why, TRUE);
	return 0;
}
