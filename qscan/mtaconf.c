/*
 * mtaconf.c - local domains from the MTA's own control files, used only
 * when the configuration names none (POLICY.md "Inputs").
 *
 * Postfix: the instance whose queue_directory is the scanned queue
 * (compared as real paths) is asked with `postconf -x` (expanded
 * values): mydestination, virtual_mailbox_domains, virtual_alias_domains,
 * relay_domains, and myhostname for local_hostnames. Candidates, in
 * order: the default instance (postconf honours MAIL_CONFIG), the
 * instances of its multi_instance_directories, and a copied system
 * image next to the queue (ROOT/etc/postfix for ROOT/var/spool/postfix,
 * whose queue_directory and table files are then taken below ROOT). Without
 * postconf, main.cf is read directly (key = value, continuation lines,
 * $name expansion, Postfix's defaults for what is unset). The
 * environment variable QSCAN_POSTCONF names the postconf to run (an
 * empty value: read main.cf directly).
 * List items: names; ".name" (subdomains); "/file" (more names read
 * from the file); "type:/path" tables of the file kinds (hash, btree,
 * lmdb, cdb, dbm, sdbm, texthash, also behind proxy:) are read from the
 * source text /path (first column); inline:{...} is expanded; anything
 * else (mysql:, ldap:, regexp:, "!name", "$name" left unexpanded) is
 * skipped with a note. A name in a parameter listed in
 * parent_domain_matches_subdomains also matches its subdomains.
 *
 * qmail: the control directory is QUEUE/../control: locals (default:
 * me), rcpthosts and morercpthosts (".name" = subdomains),
 * virtualdomains ("domain:prefix", ".domain:prefix"), me (host name).
 *
 * Nothing here fails the run: what cannot be read becomes a note
 * (qs_info, shown with -v) and the domains that could be read are used.
 */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "conf.h"
#include "confpriv.h"
#include "log.h"

#define MTA_MAX_FILE (16 * 1024 * 1024)
#define MTA_MAX_DEPTH 4		/* file -> table -> ... nesting */

static const char *const pf_domain_params[] = {
	"mydestination", "virtual_mailbox_domains", "virtual_alias_domains", "relay_domains", NULL,
};

struct mta {
	struct qs_config *c;
	GPtrArray *domains;	/* struct qs_domain *, collected */
	GPtrArray *hostnames;
	guint added;
	const char *root;	/* a system image's root: file paths are under it */
};

/* a path named by the MTA's settings, inside the image when there is one */
static char *mta_path(const struct mta *m, const char *path)
{
	return m->root ? g_build_filename(m->root, path, NULL) : g_strdup(path);
}

/* ---- small helpers ---------------------------------------------------- */

static char *read_small(struct mta *m, const char *path)
{
	struct stat st;
	char *text = NULL;
	GError *e = NULL;

	if (stat(path, &st) < 0) {
		qs_config_note(m->c, "%s: cannot read: %s", path, g_strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MTA_MAX_FILE) {
		qs_config_note(m->c, "%s: not read: %s", path,
			       S_ISREG(st.st_mode) ? "larger than 16 MiB" : "not a regular file");
		return NULL;
	}
	if (!g_file_get_contents(path, &text, NULL, &e)) {
		qs_config_note(m->c, "%s: cannot read: %s", path, e->message);
		g_error_free(e);
		return NULL;
	}
	return text;
}

static void add_name(struct mta *m, GPtrArray *list, const char *name, const char *source)
{
	guint before = list->len;

	if (name[0] == '\0')
		return;
	if (!qs_config_domain_add(list, name, source))
		qs_config_note(m->c, "%s: \"%s\" is not a valid domain name; skipped", source, name);
	else if (list->len > before)
		m->added++;
}

/* ---- Postfix list items --------------------------------------------- */

static void pf_item(struct mta *m, const char *item, const char *source, bool parent, int depth);

/* names from a file: blanks/commas separate, '#' starts a comment */
static void pf_name_file(struct mta *m, const char *name, const char *source, bool parent, int depth)
{
	char *path = mta_path(m, name), *text = read_small(m, path), **lines, *src;
	guint i;

	if (text == NULL) {
		g_free(path);
		return;
	}
	src = g_strdup_printf("%s (%s)", source, path);
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i]; i++) {
		char *hash = strchr(lines[i], '#'), **w;
		guint j;

		if (hash)
			*hash = '\0';
		w = g_strsplit_set(lines[i], " \t\r,", -1);
		for (j = 0; w[j]; j++)
			if (w[j][0])
				pf_item(m, w[j], src, parent, depth + 1);
		g_strfreev(w);
	}
	g_strfreev(lines);
	g_free(src);
	g_free(text);
	g_free(path);
}

/* the keys of a table's source text: first column, no comments, no
 * continuation lines (they start with a blank) */
static void pf_table_file(struct mta *m, const char *name, const char *source, bool parent, int depth)
{
	char *path = mta_path(m, name), *text = read_small(m, path), **lines, *src;
	guint i;

	if (text == NULL) {
		g_free(path);
		return;
	}
	src = g_strdup_printf("%s (%s)", source, path);
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i]; i++) {
		char *l = lines[i], *end;

		if (*l == '\0' || *l == '#' || g_ascii_isspace(*l))
			continue;
		for (end = l; *end && !g_ascii_isspace(*end); end++)
			;
		*end = '\0';
		if (strchr(l, '@') == NULL)	/* user@domain keys are not domains */
			pf_item(m, l, src, parent, depth + 1);
	}
	g_strfreev(lines);
	g_free(src);
	g_free(text);
	g_free(path);
}

static void pf_inline(struct mta *m, const char *spec, const char *source, bool parent, int depth)
{
	char *body = g_strdup(spec), **w;
	size_t len = strlen(body);
	guint i;

	if (len > 0 && body[len - 1] == '}')
		body[len - 1] = '\0';
	w = g_strsplit_set(body[0] == '{' ? body + 1 : body, " \t,", -1);
	for (i = 0; w[i]; i++) {
		char *eq = strchr(w[i], '=');

		if (eq)
			*eq = '\0';
		if (w[i][0])
			pf_item(m, w[i], source, parent, depth + 1);
	}
	g_strfreev(w);
	g_free(body);
}

static void pf_table(struct mta *m, const char *item, const char *source, bool parent, int depth)
{
	static const char *const indexed[] = { "hash", "btree", "lmdb", "cdb", "dbm", "sdbm", NULL };
	const char *colon = strchr(item, ':'), *name;
	char *type;
	int i;

	if (g_str_has_prefix(item, "proxy:"))
		item += 6, colon = strchr(item, ':');
	if (colon == NULL)
		return;
	type = g_strndup(item, (gsize)(colon - item));
	name = colon + 1;
	if (strcmp(type, "inline") == 0) {
		pf_inline(m, name, source, parent, depth);
	} else if (strcmp(type, "texthash") == 0) {
		pf_table_file(m, name, source, parent, depth);
	} else {
		for (i = 0; indexed[i] && strcmp(type, indexed[i]); i++)
			;
		if (indexed[i] && name[0] == '/')
			pf_table_file(m, name, source, parent, depth);
		else
			qs_config_note(m->c, "%s: table %s cannot be read by qscan (only file tables "
				       "with their source text); its domains are not known", source, item);
	}
	g_free(type);
}

static void pf_item(struct mta *m, const char *item, const char *source, bool parent, int depth)
{
	if (depth > MTA_MAX_DEPTH) {
		qs_config_note(m->c, "%s: \"%s\": nested too deep; skipped", source, item);
	} else if (item[0] == '$' || strchr(item, '$')) {
		qs_config_note(m->c, "%s: \"%s\" left unexpanded; skipped", source, item);
	} else if (item[0] == '!') {
		qs_config_note(m->c, "%s: negation \"%s\" ignored", source, item);
	} else if (item[0] == '/') {
		pf_name_file(m, item, source, parent, depth);
	} else if (strchr(item, ':') && item[0] != '[') {
		pf_table(m, item, source, parent, depth);
	} else {
		add_name(m, m->domains, item, source);
		if (parent && item[0] != '.' && item[0] != '[') {
			char *sub = g_strconcat(".", item, NULL);

			add_name(m, m->domains, sub, source);
			g_free(sub);
		}
	}
}

/* split a Postfix list on blanks and commas, keeping {...} together */
static char **pf_split(const char *v)
{
	GPtrArray *out = g_ptr_array_new();
	GString *cur = g_string_new(NULL);
	int depth = 0;

	for (;; v++) {
		bool sep = *v == '\0' || (depth == 0 && (g_ascii_isspace(*v) || *v == ','));

		if (sep) {
			if (cur->len)
				g_ptr_array_add(out, g_strdup(cur->str));
			g_string_truncate(cur, 0);
			if (*v == '\0')
				break;
			continue;
		}
		if (*v == '{')
			depth++;
		else if (*v == '}' && depth > 0)
			depth--;
		g_string_append_c(cur, *v);
	}
	g_string_free(cur, TRUE);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

static bool in_list(const char *list, const char *name)
{
	char **w = g_strsplit_set(list ? list : "", " \t,", -1);
	bool found = false;
	guint i;

	for (i = 0; w[i] && !found; i++)
		found = strcmp(w[i], name) == 0;
	g_strfreev(w);
	return found;
}

/* apply the values of one Postfix instance (params: name -> value) */
static void pf_apply(struct mta *m, GHashTable *params, const char *maincf)
{
	const char *pdms = g_hash_table_lookup(params, "parent_domain_matches_subdomains");
	const char *host = g_hash_table_lookup(params, "myhostname");
	int i;

	for (i = 0; pf_domain_params[i]; i++) {
		const char *v = g_hash_table_lookup(params, pf_domain_params[i]);
		char *source = g_strdup_printf("%s: %s", maincf, pf_domain_params[i]);
		char **w = pf_split(v ? v : "");
		bool parent = in_list(pdms, pf_domain_params[i]);
		guint j;

		for (j = 0; w[j]; j++)
			if (w[j][0])
				pf_item(m, w[j], source, parent, 0);
		g_strfreev(w);
		g_free(source);
	}
	if (host && host[0] && host[0] != '$') {
		char *source = g_strdup_printf("%s: myhostname", maincf);

		add_name(m, m->hostnames, host, source);
		g_free(source);
	}
}

/* ---- Postfix: which instance, and its values ---------------------------- */

static char *find_postconf(void)
{
	static const char *const dirs[] = { "/usr/sbin", "/usr/local/sbin", "/usr/lib/postfix/sbin", NULL };
	const char *env = g_getenv("QSCAN_POSTCONF");
	char *p;
	int i;

	/* QSCAN_POSTCONF: the postconf to run; empty: read main.cf directly */
	if (env != NULL)
		return env[0] ? g_strdup(env) : NULL;
	p = g_find_program_in_path("postconf");

	for (i = 0; p == NULL && dirs[i]; i++) {
		char *f = g_build_filename(dirs[i], "postconf", NULL);

		if (g_file_test(f, G_FILE_TEST_IS_EXECUTABLE))
			p = f;
		else
			g_free(f);
	}
	return p;
}

/* run postconf [-c dir] ARGS...; "name = value" lines into a table */
static GHashTable *postconf_run(struct mta *m, const char *postconf, const char *dir,
				const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	char *out = NULL, *err = NULL, **lines;
	GHashTable *t = NULL;
	GError *e = NULL;
	int status = 0;
	guint i;

	g_ptr_array_add(argv, (char *)postconf);
	if (dir) {
		g_ptr_array_add(argv, (char *)"-c");
		g_ptr_array_add(argv, (char *)dir);
	}
	for (i = 0; args[i]; i++)
		g_ptr_array_add(argv, (char *)args[i]);
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
			  &out, &err, &status, &e)) {
		qs_config_note(m->c, "%s: cannot run: %s", postconf, e->message);
		g_error_free(e);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		qs_config_note(m->c, "%s%s%s failed: %s", postconf, dir ? " -c " : "", dir ? dir : "",
			       err && *err ? g_strstrip(err) : "no message");
		goto out;
	}
	t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	lines = g_strsplit(out, "\n", -1);
	for (i = 0; lines[i]; i++) {
		char *eq = strstr(lines[i], " = ");

		if (eq == NULL) {	/* "name =" for an empty value */
			size_t len = strlen(lines[i]);
			if (len > 2 && strcmp(lines[i] + len - 2, " =") == 0) {
				lines[i][len - 2] = '\0';
				g_hash_table_replace(t, g_strdup(lines[i]), g_strdup(""));
			}
			continue;
		}
		*eq = '\0';
		g_hash_table_replace(t, g_strdup(lines[i]), g_strdup(eq + 3));
	}
	g_strfreev(lines);
out:
	g_free(out);
	g_free(err);
	g_ptr_array_free(argv, TRUE);
	return t;
}

static bool same_path(const char *a, const char *real_b)
{
	char ra[PATH_MAX];

	return realpath(a, ra) != NULL && strcmp(ra, real_b) == 0;
}

/* the queue directory of config dir (NULL: default) via postconf */
static char *pf_queue_dir(struct mta *m, const char *postconf, const char *dir)
{
	static const char *const args[] = { "queue_directory", NULL };
	GHashTable *t = postconf_run(m, postconf, dir, args);
	char *q = NULL;

	if (t) {
		q = g_strdup(g_hash_table_lookup(t, "queue_directory"));
		g_hash_table_destroy(t);
	}
	return q;
}

static char *pf_default_config_dir(struct mta *m, const char *postconf)
{
	static const char *const args[] = { "config_directory", NULL };
	GHashTable *t = postconf_run(m, postconf, NULL, args);
	char *d = NULL;

	if (t) {
		d = g_strdup(g_hash_table_lookup(t, "config_directory"));
		g_hash_table_destroy(t);
	}
	return d ? d : g_strdup(g_getenv("MAIL_CONFIG") ? g_getenv("MAIL_CONFIG") : "/etc/postfix");
}

/* ROOT of a system image the queue sits in: ROOT/var/spool/postfix */
static char *image_root(const char *real_queue)
{
	char *a = g_path_get_dirname(real_queue), *b = g_path_get_dirname(a), *r = g_path_get_dirname(b);

	g_free(a);
	g_free(b);
	return r;
}

static bool queue_matches(const char *qdir, const char *root, const char *real_queue)
{
	char *p;
	bool same;

	if (qdir == NULL || qdir[0] != '/')
		return false;
	p = root ? g_build_filename(root, qdir, NULL) : g_strdup(qdir);
	same = same_path(p, real_queue);
	g_free(p);
	return same;
}

static void postfix_with_postconf(struct mta *m, const char *postconf, const char *real_queue)
{
	GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *roots = g_ptr_array_new();	/* NULL or the image root, per dir */
	char *def = pf_default_config_dir(m, postconf), *root = image_root(real_queue);
	const char *args[16];
	guint i, n = 0;

	g_ptr_array_add(dirs, g_strdup(def));
	g_ptr_array_add(roots, NULL);
	{
		static const char *const a[] = { "multi_instance_directories", NULL };
		GHashTable *t = postconf_run(m, postconf, def, a);
		const char *v = t ? g_hash_table_lookup(t, "multi_instance_directories") : NULL;
		char **w = g_strsplit_set(v ? v : "", " \t,", -1);

		for (i = 0; w[i]; i++)
			if (w[i][0] == '/') {
				g_ptr_array_add(dirs, g_strdup(w[i]));
				g_ptr_array_add(roots, NULL);
			}
		g_strfreev(w);
		if (t)
			g_hash_table_destroy(t);
	}
	if (strcmp(root, "/") != 0) {
		g_ptr_array_add(dirs, g_build_filename(root, "etc", "postfix", NULL));
		g_ptr_array_add(roots, root);
	}
	for (i = 0; i < dirs->len; i++) {
		const char *dir = g_ptr_array_index(dirs, i);
		char *maincf = g_build_filename(dir, "main.cf", NULL), *q;
		GHashTable *t;
		int k;

		if (!g_file_test(maincf, G_FILE_TEST_IS_REGULAR)) {
			g_free(maincf);
			continue;
		}
		q = pf_queue_dir(m, postconf, dir);
		if (!queue_matches(q, g_ptr_array_index(roots, i), real_queue)) {
			qs_config_note(m->c, "%s: queue_directory %s is not the scanned queue %s",
				       maincf, q ? q : "(unknown)", real_queue);
			g_free(q);
			g_free(maincf);
			continue;
		}
		g_free(q);
		n = 0;
		args[n++] = "-x";
		for (k = 0; pf_domain_params[k]; k++)
			args[n++] = pf_domain_params[k];
		args[n++] = "myhostname";
		args[n++] = "parent_domain_matches_subdomains";
		args[n] = NULL;
		t = postconf_run(m, postconf, dir, args);
		if (t) {
			qs_config_note(m->c, "local domains: Postfix instance %s (postconf -x)", dir);
			m->root = g_ptr_array_index(roots, i);
			pf_apply(m, t, maincf);
			m->root = NULL;
			g_hash_table_destroy(t);
		}
		g_free(maincf);
		break;
	}
	if (i == dirs->len)
		qs_config_note(m->c, "no Postfix instance found whose queue_directory is %s", real_queue);
	g_ptr_array_free(roots, TRUE);
	g_ptr_array_unref(dirs);
	g_free(def);
	g_free(root);
}

/* ---- Postfix without postconf: main.cf read directly ------------------- */

static GHashTable *maincf_parse(struct mta *m, const char *path)
{
	char *text = read_small(m, path), **lines;
	GHashTable *t;
	GString *cur = NULL;
	guint i;

	if (text == NULL)
		return NULL;
	t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	lines = g_strsplit(text, "\n", -1);
	for (i = 0;; i++) {
		char *l = lines[i];

		if (l && (l[0] == '#' || l[0] == '\0' || l[0] == '\r'))
			continue;	/* comments do not end a continued value */
		if (l && g_ascii_isspace(l[0]) && cur) {
			g_string_append_c(cur, ' ');
			g_string_append(cur, g_strstrip(l));
			continue;
		}
		if (cur) {
			char *eq = strchr(cur->str, '=');

			if (eq) {
				*eq = '\0';
				g_hash_table_replace(t, g_strdup(g_strstrip(cur->str)),
						     g_strdup(g_strstrip(eq + 1)));
			}
			g_string_free(cur, TRUE);
			cur = NULL;
		}
		if (l == NULL)
			break;
		if (!g_ascii_isspace(l[0]))
			cur = g_string_new(l);
	}
	g_strfreev(lines);
	g_free(text);
	return t;
}

static const char *maincf_get(GHashTable *t, const char *name)
{
	const char *v = g_hash_table_lookup(t, name);

	if (v)
		return v;
	/* Postfix's defaults for the parameters qscan reads */
	if (strcmp(name, "myhostname") == 0)
		return g_get_host_name();
	if (strcmp(name, "mydomain") == 0) {
		const char *h = maincf_get(t, "myhostname"), *dot = strchr(h, '.');
		return dot ? dot + 1 : "localdomain";
	}
	if (strcmp(name, "mydestination") == 0)
		return "$myhostname, localhost.$mydomain, localhost";
	if (strcmp(name, "relay_domains") == 0) {
		const char *cl = g_hash_table_lookup(t, "compatibility_level");
		return cl && atoi(cl) >= 2 ? "" : "$mydestination";
	}
	if (strcmp(name, "virtual_mailbox_domains") == 0)
		return "$virtual_mailbox_maps";
	if (strcmp(name, "queue_directory") == 0)
		return "/var/spool/postfix";
	if (strcmp(name, "parent_domain_matches_subdomains") == 0)
		return "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,"
		       "qmqpd_authorized_clients,relay_domains,smtpd_access_maps";
	return "";
}

/* expand $name, ${name}, $(name); other forms are left for pf_item */
static char *maincf_expand(GHashTable *t, const char *v, int depth)
{
	GString *s = g_string_new(NULL);
	const char *p = v;

	while (*p) {
		const char *start, *end;
		char close = 0;

		if (*p != '$' || depth > 10) {
			g_string_append_c(s, *p++);
			continue;
		}
		start = p + 1;
		if (*start == '{' || *start == '(')
			close = *start == '{' ? '}' : ')', start++;
		for (end = start; g_ascii_isalnum(*end) || *end == '_'; end++)
			;
		if (end == start || (close && *end != close)) {
			g_string_append_c(s, *p++);	/* unknown form: keep */
			continue;
		}
		{
			char *name = g_strndup(start, (gsize)(end - start));
			char *x = maincf_expand(t, maincf_get(t, name), depth + 1);

			g_string_append(s, x);
			g_free(x);
			g_free(name);
		}
		p = end + (close ? 1 : 0);
	}
	return g_string_free(s, FALSE);
}

static void postfix_maincf(struct mta *m, const char *real_queue)
{
	const char *env = g_getenv("MAIL_CONFIG");
	char *root = image_root(real_queue);
	char *dirs[3] = { g_strdup(env ? env : "/etc/postfix"),
			  strcmp(root, "/") ? g_build_filename(root, "etc", "postfix", NULL) : NULL, NULL };
	const char *roots[2] = { NULL, root };
	guint i;
	int k;

	qs_config_note(m->c, "postconf not found: reading main.cf directly");
	for (i = 0; i < 2 && dirs[i]; i++) {
		char *maincf = g_build_filename(dirs[i], "main.cf", NULL), *q;
		GHashTable *t, *x;

		if (!g_file_test(maincf, G_FILE_TEST_IS_REGULAR) || (t = maincf_parse(m, maincf)) == NULL) {
			g_free(maincf);
			continue;
		}
		q = maincf_expand(t, maincf_get(t, "queue_directory"), 0);
		if (!queue_matches(q, roots[i], real_queue)) {
			qs_config_note(m->c, "%s: queue_directory %s is not the scanned queue %s",
				       maincf, q, real_queue);
			g_free(q);
			g_hash_table_destroy(t);
			g_free(maincf);
			continue;
		}
		g_free(q);
		x = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
		for (k = 0; pf_domain_params[k]; k++)
			g_hash_table_insert(x, (char *)pf_domain_params[k],
					    maincf_expand(t, maincf_get(t, pf_domain_params[k]), 0));
		g_hash_table_insert(x, (char *)"myhostname", maincf_expand(t, maincf_get(t, "myhostname"), 0));
		g_hash_table_insert(x, (char *)"parent_domain_matches_subdomains",
				    maincf_expand(t, maincf_get(t, "parent_domain_matches_subdomains"), 0));
		qs_config_note(m->c, "local domains: Postfix %s (read directly)", maincf);
		m->root = roots[i];
		pf_apply(m, x, maincf);
		m->root = NULL;
		g_hash_table_destroy(x);
		g_hash_table_destroy(t);
		g_free(maincf);
		break;
	}
	g_free(dirs[0]);
	g_free(dirs[1]);
	g_free(root);
}

/* ---- qmail -------------------------------------------------------------- */

/* one name per line; virtual: "domain:prefix" lines */
static void qmail_file(struct mta *m, const char *control, const char *name, GPtrArray *list,
		       bool virtual)
{
	char *path = g_build_filename(control, name, NULL);
	char *text = read_small(m, path), **lines;
	guint i;

	if (text == NULL) {
		g_free(path);
		return;
	}
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]);

		if (*l == '\0' || *l == '#')
			continue;
		if (virtual) {
			char *colon = strchr(l, ':');

			if (colon == NULL)
				continue;
			*colon = '\0';
			if (*l == '\0') {
				qs_config_note(m->c, "%s:%u: a catch-all entry (every domain) is not a "
					       "local domain; ignored", path, i + 1);
				continue;
			}
			if (strchr(l, '@'))	/* user@domain: one address only */
				continue;
		}
		add_name(m, list, l, path);
	}
	g_strfreev(lines);
	g_free(text);
	g_free(path);
}

static void qmail_defaults(struct mta *m, const char *real_queue)
{
	char *parent = g_path_get_dirname(real_queue);
	char *control = g_build_filename(parent, "control", NULL);
	char *locals = g_build_filename(control, "locals", NULL);
	char *rcpt = g_build_filename(control, "rcpthosts", NULL);

	if (!g_file_test(control, G_FILE_TEST_IS_DIR)) {
		qs_config_note(m->c, "%s: no qmail control directory next to the queue", control);
		goto out;
	}
	qs_config_note(m->c, "local domains: qmail control directory %s", control);
	qmail_file(m, control, "me", m->hostnames, false);
	if (g_file_test(locals, G_FILE_TEST_EXISTS))
		qmail_file(m, control, "locals", m->domains, false);
	else
		qmail_file(m, control, "me", m->domains, false);	/* qmail-send's default */
	if (g_file_test(rcpt, G_FILE_TEST_EXISTS))
		qmail_file(m, control, "rcpthosts", m->domains, false);
	else
		qs_config_note(m->c, "%s absent: qmail-smtpd accepts mail for every domain", rcpt);
	if (g_file_test(control, G_FILE_TEST_IS_DIR)) {
		char *more = g_build_filename(control, "morercpthosts", NULL);
		char *virt = g_build_filename(control, "virtualdomains", NULL);

		if (g_file_test(more, G_FILE_TEST_EXISTS))
			qmail_file(m, control, "morercpthosts", m->domains, false);
		if (g_file_test(virt, G_FILE_TEST_EXISTS))
			qmail_file(m, control, "virtualdomains", m->domains, true);
		g_free(more);
		g_free(virt);
	}
out:
	g_free(locals);
	g_free(rcpt);
	g_free(control);
	g_free(parent);
}

/* ---- entry ---------------------------------------------------------------- */

static void adopt(struct mta *m, GPtrArray *from, GPtrArray *to, const char *what)
{
	guint i;

	for (i = 0; i < from->len; i++) {
		const struct qs_domain *d = g_ptr_array_index(from, i);

		/* shown once, with every other input, by qs_config_describe() */
		qs_config_domain_add(to, d->name, d->source);
	}
	(void)m;
	(void)what;
}

void qs_config_mta_defaults(struct qs_config *c, const char *format, const char *queue_root)
{
	struct mta m = { .c = c };
	char real[PATH_MAX];
	char *postconf = NULL;

	if (format == NULL || queue_root == NULL)
		return;
	if (c->local_domains_configured && c->local_hostnames_configured)
		return;
	if (realpath(queue_root, real) == NULL) {
		qs_config_note(c, "%s: %s; MTA settings not read", queue_root, g_strerror(errno));
		return;
	}
	m.domains = g_ptr_array_new_with_free_func(qs_domain_free);
	m.hostnames = g_ptr_array_new_with_free_func(qs_domain_free);
	if (g_ascii_strcasecmp(format, "postfix") == 0) {
		if ((postconf = find_postconf()) != NULL)
			postfix_with_postconf(&m, postconf, real);
		else
			postfix_maincf(&m, real);
	} else if (strstr(format, "qmail") != NULL) {
		qmail_defaults(&m, real);
	} else {
		qs_config_note(c, "%s queues: no MTA control files are read; configure local_domains",
			       format);
	}
	if (!c->local_domains_configured)
		adopt(&m, m.domains, c->local_domains, "local domain");
	if (!c->local_hostnames_configured)
		adopt(&m, m.hostnames, c->local_hostnames, "local host name");
	if (!c->local_domains_configured && m.domains->len == 0)
		qs_config_note(c, "no local domains found in the %s settings: configure local_domains",
			       format);
	g_ptr_array_unref(m.domains);
	g_ptr_array_unref(m.hostnames);
	g_free(postconf);
}
